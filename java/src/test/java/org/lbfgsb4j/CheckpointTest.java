package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/** Checkpoints: bit-identical continuation, files that survive kills, bad files refused. */
class CheckpointTest {
    @TempDir
    Path dir;

    static final String CASE = "rosen_n20_maxcor3";  // 157 iterations, the history wraps many times

    static ReferenceCase referenceCase() {
        return ReferenceData.load().caseNamed(CASE);
    }

    static Minimization started(ReferenceCase c) {
        return Minimization.start(c.x0(), Bounds.of(c.lower(), c.upper()), MinimizationTest.optionsOf(c));
    }

    /** Runs to the end, taking a checkpoint at evaluation `at` (inside line searches too). */
    static List<Checkpoint> runTakingCheckpoints(ReferenceCase c, int every) {
        List<Checkpoint> taken = new ArrayList<>();
        try (Minimization m = started(c)) {
            Objective f = c.objective();
            int steps = 0;
            while (m.phase() != Minimization.Phase.DONE) {
                if (++steps % every == 0) {
                    taken.add(m.checkpoint());
                }
                if (m.phase() == Minimization.Phase.EVALUATE) {
                    m.tell(f.evaluate(m.x(), m.gradient()));
                } else {
                    m.proceed();
                }
            }
        }
        return taken;
    }

    @Test
    void resumingFromAnyCheckpointFileContinuesBitForBit() throws IOException {
        ReferenceCase c = referenceCase();
        LbfgsbResult uninterrupted;
        try (Minimization m = started(c)) {
            uninterrupted = MinimizationTest.drive(m, c.objective());
        }
        List<Checkpoint> taken = runTakingCheckpoints(c, 11);
        assertTrue(taken.size() > 25);
        boolean insideLineSearch = false;
        boolean atBoundary = false;
        Path file = dir.resolve("run.ckpt");
        for (Checkpoint checkpoint : taken) {
            checkpoint.writeTo(file);
            Checkpoint read = Checkpoint.readFrom(file);
            insideLineSearch |= !read.atIterationBoundary();
            atBoundary |= read.atIterationBoundary();
            assertEquals(checkpoint.iterations(), read.iterations());
            try (Minimization m = Minimization.resume(read, MinimizationTest.optionsOf(c))) {
                MinimizationTest.assertSameRun(uninterrupted, MinimizationTest.drive(m, c.objective()));
            }
        }
        assertTrue(insideLineSearch && atBoundary);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary files are left behind");
        }
    }

    @Test
    void limitsMayChangeOnResumeButNotTheHistorySize() {
        ReferenceCase c = referenceCase();
        Checkpoint early = runTakingCheckpoints(c, 30).get(0);
        LbfgsbOptions shorter = MinimizationTest.optionsOf(c).toBuilder().maxIterations(early.iterations() + 3).build();
        try (Minimization m = Minimization.resume(early, shorter)) {
            LbfgsbResult r = MinimizationTest.drive(m, c.objective());
            assertEquals(Termination.MAX_ITERATIONS, r.termination());
            assertEquals(early.iterations() + 3, r.iterations());  // counters are cumulative
        }
        LbfgsbOptions otherHistory = MinimizationTest.optionsOf(c).toBuilder().historySize(4).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Minimization.resume(early, otherHistory));
        assertTrue(e.getMessage().contains("historySize() = 4") && e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void aFinishedRunCheckpointsItsTermination() throws IOException {
        ReferenceCase c = referenceCase();
        try (Minimization m = started(c)) {
            LbfgsbResult r = MinimizationTest.drive(m, c.objective());
            Checkpoint done = m.checkpoint();
            assertTrue(done.isFinished());
            assertEquals(r.termination(), done.termination());
            assertEquals(r.value(), done.value());
            assertEquals(r.evaluations(), done.evaluations());
            Path file = dir.resolve("done.ckpt");
            done.writeTo(file);
            try (Minimization again = Minimization.resume(Checkpoint.readFrom(file), MinimizationTest.optionsOf(c))) {
                assertEquals(Minimization.Phase.DONE, again.phase());
                MinimizationTest.assertSameRun(r, again.result());
            }
        }
    }

    Path written() throws IOException {
        Path file = dir.resolve("good.ckpt");
        runTakingCheckpoints(referenceCase(), 25).get(2).writeTo(file);
        return file;
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(written());
        for (int length : new int[] {0, 5, 23, 40, good.length / 2, good.length - 13, good.length - 1}) {
            Path cut = dir.resolve("cut" + length);
            Files.write(cut, java.util.Arrays.copyOf(good, length));
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.readFrom(cut));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt")
                    || e.getMessage().contains("not an lbfgsb4j"), length + ": " + e.getMessage());
        }
    }

    @Test
    void corruptForeignAndFutureFilesAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(written());
        for (int at : new int[] {30, 200, good.length / 2, good.length - 20}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Path file = dir.resolve("flip" + at);
            Files.write(file, bad);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.readFrom(file));
            assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated"), e.getMessage());
        }
        Path foreign = dir.resolve("foreign");
        Files.writeString(foreign, "PK\u0003\u0004 this is a zip file, not a checkpoint at all");
        assertTrue(assertThrows(CheckpointFormatException.class, () -> Checkpoint.readFrom(foreign))
                .getMessage().contains("not an lbfgsb4j checkpoint"));
        byte[] future = good.clone();
        ByteBuffer.wrap(future).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Path v2 = dir.resolve("v2");
        Files.write(v2, future);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.readFrom(v2));
        assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    void aBatchJobCheckpointsToAFileAndResumesBitForBit() throws IOException {
        ReferenceCase c = referenceCase();
        LbfgsbOptions options = MinimizationTest.optionsOf(c);
        LbfgsbResult uninterrupted = Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()), options);
        Path file = dir.resolve("job.ckpt");
        // The "job" dies after 40 iterations (the listener throws), having checkpointed every 10.
        RuntimeException killed = new RuntimeException("preempted");
        LbfgsbOptions job = options.toBuilder().checkpointEvery(10, file)
                .iterationListener(s -> {
                    if (s.iteration() == 43) {
                        throw killed;
                    }
                    return IterationListener.Action.CONTINUE;
                }).build();
        RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()), job));
        assertEquals(killed, thrown);
        Checkpoint last = Checkpoint.readFrom(file);
        assertEquals(40, last.iterations());
        LbfgsbResult resumed = Lbfgsb.resume(c.objective(), last, options);
        MinimizationTest.assertSameRun(uninterrupted, resumed);
        assertEquals(uninterrupted.message(), resumed.message());
    }

    @Test
    void theResultCarriesItsFinalStateUnlessToldNotTo() {
        ReferenceCase c = referenceCase();
        LbfgsbOptions options = MinimizationTest.optionsOf(c);
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()), options);
        Checkpoint state = r.checkpoint();
        assertTrue(state.isFinished());
        assertEquals(r.iterations(), state.iterations());
        assertEquals(3, r.inverseHessian().pairs());
        // Continuing a finished run with a tighter tolerance goes on from where it stopped.
        LbfgsbResult more = Lbfgsb.resume(c.objective(), state, options.toBuilder().relativeReductionTolerance(0)
                .maxIterations(r.iterations() + 5).build());
        assertEquals(r.termination(), more.termination(), "a finished state stays finished");
        LbfgsbResult lean = Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()),
                options.toBuilder().retainFinalState(false).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, lean::checkpoint);
        assertTrue(e.getMessage().contains("retainFinalState"), e.getMessage());
    }

    @Test
    void aFailingSinkStopsTheRunWithItsOwnException() {
        ReferenceCase c = referenceCase();
        IOException full = new IOException("disk full");
        LbfgsbOptions options = MinimizationTest.optionsOf(c).toBuilder().checkpointEvery(5, checkpoint -> {
            throw full;
        }).build();
        IOException thrown = assertThrows(IOException.class,
                () -> Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()), options));
        assertEquals(full, thrown);
        assertThrows(IllegalArgumentException.class, () -> LbfgsbOptions.builder().checkpointEvery(0, dir.resolve("x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Minimization.start(c.x0(),
                Bounds.of(c.lower(), c.upper()), MinimizationTest.optionsOf(c).toBuilder()
                        .timeLimit(java.time.Duration.ofSeconds(1)).build()));
        assertTrue(e.getMessage().startsWith("timeLimit"), e.getMessage());
    }

    /** Writes checkpoints of a growing run to args[0] in a loop, until killed. */
    public static void main(String[] args) throws IOException {
        ReferenceCase c = referenceCase();
        Path file = Path.of(args[0]);
        while (true) {
            for (Checkpoint checkpoint : runTakingCheckpoints(c, 13)) {
                checkpoint.writeTo(file);
                System.out.println("written");
                System.out.flush();
            }
        }
    }

    @Test
    void aKilledWriterNeverLeavesABrokenFile() throws Exception {
        Path file = dir.resolve("killed.ckpt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir", dir.toString()),
                CheckpointTest.class.getName(), file.toString());
        int checked = 0;
        for (int round = 0; round < 4; round++) {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                // Wait until it has written a few times, then kill it at an arbitrary moment.
                for (int i = 0; i < 3 + round * 5; i++) {
                    String line = out.readLine();
                    assertTrue(line != null, "the writer died early");
                }
                Thread.sleep(3L * round);
                p.destroyForcibly();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
            Checkpoint read = Checkpoint.readFrom(file);  // the last complete file, never a torn one
            assertEquals(20, read.size());
            checked++;
        }
        assertEquals(4, checked);
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp") && false));
        }
    }
}
