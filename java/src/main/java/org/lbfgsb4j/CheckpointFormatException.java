package org.lbfgsb4j;

import java.io.IOException;

/** A checkpoint file that cannot be read: truncated, corrupt, foreign or of another format version. */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }
}
