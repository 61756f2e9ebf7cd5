package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binding's plumbing: views, task codes, ownership, errors, threads. Not the numerics. */
class NativeSessionTest {
    private static final int N = 16;

    @Test
    void viewsAreZeroCopyOverTheMinimizersMemory() {
        try (NativeSession session = new NativeSession(N)) {
            LbfgsbNative.Minimizer m = session.minimizer();
            DoubleBuffer[] views = {session.x(), session.gradient(), session.lower(), session.upper()};
            org.bytedeco.javacpp.DoublePointer[] natives = {m.x(), m.gradient(), m.lower(), m.upper()};
            for (int v = 0; v < views.length; v++) {
                DoubleBuffer view = views[v];
                assertTrue(view.isDirect());
                assertEquals(ByteOrder.nativeOrder(), view.order());
                assertEquals(N, view.capacity());
                // Java writes, native reads.
                view.put(3, 10.5 + v);
                assertEquals(10.5 + v, natives[v].get(3));
                // Native writes, Java reads through the same view.
                natives[v].put(7, -2.25 * v);
                assertEquals(-2.25 * v, view.get(7));
            }
            // A second view of x sees writes through the first.
            session.x().put(0, 42.0);
            assertEquals(42.0, session.xReadOnly().get(0));
            assertTrue(session.xReadOnly().isReadOnly());
        }
    }

    @Test
    void viewsAreCreatedOncePerSessionAndResetOnEachGet() {
        try (NativeSession session = new NativeSession(N)) {
            DoubleBuffer x = session.x();
            x.position(5).limit(9);
            assertSame(x, session.x());
            assertEquals(0, x.position());
            assertEquals(N, x.limit());
            assertSame(session.gradient(), session.gradient());
            assertSame(session.lower(), session.lower());
            assertSame(session.upper(), session.upper());
            assertSame(session.xReadOnly(), session.xReadOnly());
        }
    }

    @Test
    void defaultBoundsAreInfiniteAndXStartsAtZero() {
        try (NativeSession session = new NativeSession(N)) {
            for (int i = 0; i < N; i++) {
                assertEquals(Double.NEGATIVE_INFINITY, session.lower().get(i));
                assertEquals(Double.POSITIVE_INFINITY, session.upper().get(i));
                assertEquals(0.0, session.x().get(i));
            }
        }
    }

    @Test
    void startProjectsX0OntoTheBoxAndAsksForAnEvaluation() {
        try (NativeSession session = new NativeSession(2)) {
            session.lower().put(0, 0.0).put(1, 0.0);
            session.upper().put(0, 1.0).put(1, 1.0);
            session.x().put(0, 5.0).put(1, 0.5);
            assertEquals(LbfgsbNative.TASK_EVALUATE, session.start());
            assertEquals(LbfgsbNative.TASK_EVALUATE, session.task());
            assertEquals(LbfgsbNative.STATUS_RUNNING, session.status());
            assertTrue(session.x0Projected());
            assertEquals(1.0, session.x().get(0));
            assertEquals(0.5, session.x().get(1));
        }
    }

    @Test
    void startLeavesAFeasibleX0Alone() {
        try (NativeSession session = new NativeSession(1)) {
            session.lower().put(0, -1.0);
            session.x().put(0, 0.25);
            assertEquals(LbfgsbNative.TASK_EVALUATE, session.start());
            assertFalse(session.x0Projected());
            assertEquals(0.25, session.x().get(0));
        }
    }

    @Test
    void javaDrivenLoopReturnsTaskCodesUntilDone() {
        // f = sum (x_i - 1)^2 from x0 = 0: a plumbing check of the task protocol.
        try (NativeSession session = new NativeSession(N)) {
            int task = session.start();
            int evaluations = 0;
            int newIterates = 0;
            while (task != LbfgsbNative.TASK_DONE && evaluations < 1000) {
                if (task == LbfgsbNative.TASK_EVALUATE) {
                    DoubleBuffer x = session.xReadOnly();
                    DoubleBuffer g = session.gradient();
                    double f = 0;
                    for (int i = 0; i < N; i++) {
                        double d = x.get(i) - 1.0;
                        f += d * d;
                        g.put(i, 2 * d);
                    }
                    evaluations++;
                    task = session.submit(f);
                } else {
                    assertEquals(LbfgsbNative.TASK_NEW_ITERATE, task);
                    newIterates++;
                    task = session.proceed();
                }
            }
            assertEquals(LbfgsbNative.TASK_DONE, task);
            assertEquals(LbfgsbNative.TASK_DONE, session.task());
            assertEquals(evaluations, session.evaluations());
            assertTrue(session.iterations() <= newIterates);
            int status = session.status();
            assertTrue(status >= LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT
                    && status <= LbfgsbNative.STATUS_ABORTED_BY_OBJECTIVE, "status " + status);
            assertNotNull(session.message());
            assertFalse(session.message().isEmpty());
            assertTrue(Double.isFinite(session.f()));
            assertTrue(Double.isFinite(session.projectedGradientNorm()));
            assertTrue(Double.isFinite(session.stepLength()));
            assertTrue(session.freeVariables() >= 0 && session.freeVariables() <= N);
            assertTrue(session.lineSearchEvaluations() >= 0);
        }
    }

    @Test
    void requestStopEndsTheRunAtTheNextProceed() {
        try (NativeSession session = new NativeSession(N)) {
            int task = session.start();
            while (task == LbfgsbNative.TASK_EVALUATE) {
                DoubleBuffer x = session.xReadOnly();
                DoubleBuffer g = session.gradient();
                double f = 0;
                for (int i = 0; i < N; i++) {
                    double d = x.get(i) - (i + 1);
                    f += d * d;
                    g.put(i, 2 * d);
                }
                task = session.submit(f);
            }
            assertEquals(LbfgsbNative.TASK_NEW_ITERATE, task);
            session.requestStop();
            assertEquals(LbfgsbNative.TASK_DONE, session.proceed());
            assertEquals(LbfgsbNative.STATUS_STOPPED_BY_USER, session.status());
        }
    }

    @Test
    void callsOutOfOrderThrowIllegalState() {
        try (NativeSession session = new NativeSession(N)) {
            session.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, session::start);
            assertTrue(e.getMessage().contains("start"), e.getMessage());
            assertThrows(IllegalStateException.class, session::proceed);
        }
    }

    @Test
    void closeIsIdempotentAndLaterUseThrows() {
        NativeSession session = new NativeSession(N);
        assertFalse(session.isClosed());
        session.close();
        session.close();
        assertTrue(session.isClosed());
        assertEquals(N, session.size());
        assertThrows(IllegalStateException.class, session::x);
        assertThrows(IllegalStateException.class, session::start);
        assertThrows(IllegalStateException.class, session::f);
        assertThrows(IllegalStateException.class, session::status);
    }

    @Test
    void invalidNIsAJavaExceptionWithTheNativeMessage() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new NativeSession(0));
        assertTrue(zero.getMessage().contains("n = 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NativeSession(-5));
        assertThrows(IllegalArgumentException.class, () -> new NativeSession(NativeSession.MAX_SIZE + 1));
    }

    @Test
    void anUnallocatableWorkspaceIsAnOutOfMemoryErrorNotACrash() {
        // (2m + 7) n doubles with n = 4e6 and m = 23170: about 1.5 PB, more than any address space.
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class,
                () -> new NativeSession(4_000_000, o -> o.historySize(23_170)));
        assertTrue(e.getMessage().contains("workspace"), e.getMessage());
    }

    @Test
    void invalidOptionsAreAJavaExceptionWithTheNativeMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NativeSession(N, o -> o.historySize(0)));
        assertTrue(e.getMessage().contains("history_size"), e.getMessage());
    }

    @Test
    void optionsStartAtTheHeaderDefaultsAndRoundTrip() {
        try (LbfgsbNative.Options o = new LbfgsbNative.Options()) {
            assertEquals(10, o.historySize());
            assertEquals(2.220446049250313e-09, o.relativeReductionTolerance());
            assertEquals(1e-5, o.projectedGradientTolerance());
            assertEquals(15000, o.maxIterations());
            assertEquals(15000, o.maxEvaluations());
            assertEquals(20, o.maxLineSearchSteps());
            assertEquals(1e-3, o.lineSearchSufficientDecrease());
            assertEquals(0.9, o.lineSearchCurvature());
            assertEquals(0.1, o.lineSearchStepTolerance());
            assertEquals(1e10, o.lineSearchMaxStep());
        }
        try (NativeSession session = new NativeSession(N, o -> o.historySize(7)
                .relativeReductionTolerance(1e-12)
                .projectedGradientTolerance(1e-8)
                .maxIterations(11)
                .maxEvaluations(13)
                .maxLineSearchSteps(17)
                .lineSearchSufficientDecrease(1e-4)
                .lineSearchCurvature(0.8)
                .lineSearchStepTolerance(0.2)
                .lineSearchMaxStep(1e5))) {
            LbfgsbNative.Options o = session.options();
            assertEquals(7, o.historySize());
            assertEquals(1e-12, o.relativeReductionTolerance());
            assertEquals(1e-8, o.projectedGradientTolerance());
            assertEquals(11, o.maxIterations());
            assertEquals(13, o.maxEvaluations());
            assertEquals(17, o.maxLineSearchSteps());
            assertEquals(1e-4, o.lineSearchSufficientDecrease());
            assertEquals(0.8, o.lineSearchCurvature());
            assertEquals(0.2, o.lineSearchStepTolerance());
            assertEquals(1e5, o.lineSearchMaxStep());
        }
    }

    @Test
    void callerOwnedXIsUsedInPlace() {
        DoubleBuffer x = ByteBuffer.allocateDirect(8 * (N + 2)).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        x.position(2); // the session sees x[2..N+2)
        x.put(2, 3.0);
        try (NativeSession session = new NativeSession(x, o -> {})) {
            assertTrue(session.usesCallerX());
            assertEquals(N, session.size());
            assertEquals(3.0, session.x().get(0));
            session.x().put(1, -4.0);
            assertEquals(-4.0, x.get(3));
            session.lower().put(0, 0.0).put(1, 0.0);
            session.start();
            assertEquals(0.0, x.get(3)); // projected in the caller's memory
        }
        assertThrows(IllegalArgumentException.class,
                () -> new NativeSession(DoubleBuffer.allocate(N), o -> {}));
        assertThrows(IllegalArgumentException.class,
                () -> new NativeSession(ByteBuffer.allocateDirect(8 * N).order(ByteOrder.BIG_ENDIAN).asDoubleBuffer()
                        .asReadOnlyBuffer(), o -> {}));
    }

    /** The one-call copy of the whole state equals the header and the segments copied one by one. */
    @Test
    void copyStateOutEqualsTheHeaderAndTheSegmentsOneByOne() {
        try (NativeSession session = new NativeSession(7)) {
            for (int i = 0; i < 7; i++) {
                session.x().put(i, i - 3.0);
            }
            int task = session.start();
            for (int evaluation = 0; evaluation < 4 && task != LbfgsbNative.TASK_DONE; evaluation++) {
                if (task == LbfgsbNative.TASK_EVALUATE) {
                    double f = 0;
                    for (int i = 0; i < 7; i++) {
                        double d = session.x().get(i) - 1.5;
                        f += d * d * (i + 1);
                        session.gradient().put(i, 2 * d * (i + 1));
                    }
                    task = session.submit(f);
                } else {
                    task = session.proceed();
                }
            }
            long total = session.stateBytes();
            ByteBuffer whole = ByteBuffer.allocateDirect((int) total + 5);
            whole.position(5); // written from the buffer's position
            long[] sizes = new long[LbfgsbNative.MAX_STATE_SEGMENTS];
            int count = session.copyStateOut(whole, sizes);
            assertEquals(session.stateSegmentCount(), count);
            assertEquals(total + 5, whole.position());
            ByteBuffer expected = ByteBuffer.allocate((int) total);
            expected.put(session.stateHeader());
            for (int i = 0; i < count; i++) {
                assertEquals(session.stateSegmentSize(i), sizes[i], "segment " + i);
                ByteBuffer segment = ByteBuffer.allocateDirect((int) sizes[i]);
                session.copySegmentOut(i, 0, segment);
                expected.put(segment.flip());
            }
            assertEquals(expected.flip(), whole.position(5));

            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> session.copyStateOut(ByteBuffer.allocateDirect((int) total - 1), new long[24]));
            assertTrue(small.getMessage().contains("the state needs " + total), small.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> session.copyStateOut(ByteBuffer.allocate((int) total), new long[24]));
            assertThrows(IllegalArgumentException.class,
                    () -> session.copyStateOut(ByteBuffer.allocateDirect((int) total), new long[3]));
        }
    }

    @Test
    void openBlasIsSingleThreadedByDefault() {
        LbfgsbNative.load();
        assertEquals(1, LbfgsbNative.blasThreads());
        assertThrows(IllegalArgumentException.class, () -> LbfgsbNative.setBlasThreads(0));
    }

    @Test
    void sessionsOnTwoThreadsDoNotInterfere() throws Exception {
        int threads = 2;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final double target = 100.0 * (t + 1);
                final int n = 50 + 25 * t;
                Callable<Long> job = () -> {
                    long runs = 0;
                    barrier.await();
                    for (int r = 0; r < 200; r++) {
                        try (NativeSession session = new NativeSession(n)) {
                            int task = session.start();
                            while (task != LbfgsbNative.TASK_DONE) {
                                if (task == LbfgsbNative.TASK_EVALUATE) {
                                    DoubleBuffer x = session.xReadOnly();
                                    DoubleBuffer g = session.gradient();
                                    double f = 0;
                                    for (int i = 0; i < n; i++) {
                                        double d = x.get(i) - target;
                                        f += d * d;
                                        g.put(i, 2 * d);
                                    }
                                    task = session.submit(f);
                                } else {
                                    task = session.proceed();
                                }
                            }
                            assertEquals(n, session.size());
                            assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT, session.status(),
                                    session.message());
                            for (int i = 0; i < n; i++) {
                                assertEquals(target, session.x().get(i), 1e-6 * target);
                            }
                        }
                        runs++;
                    }
                    return runs;
                };
                results.add(pool.submit(job));
            }
            for (Future<Long> f : results) {
                assertEquals(200L, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
