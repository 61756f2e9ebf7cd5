package org.lbfgsb4j;

import java.io.IOException;

/**
 * Receives the checkpoints a run takes every k iterations ({@link LbfgsbOptions.Builder#checkpointEvery}),
 * for example {@code checkpoint -> checkpoint.writeTo(file)}. An exception it throws, checked or
 * not, ends the minimization and reaches its caller unchanged.
 */
@FunctionalInterface
public interface CheckpointSink {
    void accept(Checkpoint checkpoint) throws IOException;
}
