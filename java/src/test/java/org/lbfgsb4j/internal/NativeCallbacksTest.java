package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.DoublePointer;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.Objective;
import org.lbfgsb4j.reference.ReferenceProblems;

/** The native loop calling Java (lbfgsb::run through JNI upcalls). Plumbing only, not the numerics. */
class NativeCallbacksTest {
    private static final int N = 8;

    /** f = sum (x_i - c_i)^2 with c_i = i + 1. */
    private static double shiftedSquares(DoubleBuffer x, DoubleBuffer g) {
        double f = 0;
        for (int i = 0; i < x.limit(); i++) {
            double d = x.get(i) - (i + 1);
            f += d * d;
            g.put(i, 2 * d);
        }
        return f;
    }

    @Test
    void nativeLoopCallsTheJavaObjectiveWithTheSessionsViews() {
        try (NativeSession session = new NativeSession(N)) {
            List<Double> returned = new ArrayList<>();
            AtomicInteger calls = new AtomicInteger();
            Objective objective = (x, g) -> {
                calls.incrementAndGet();
                assertTrue(x.isReadOnly());
                assertTrue(x.isDirect());
                assertEquals(N, x.limit());
                assertSame(session.xReadOnly(), x);
                assertSame(session.gradient(), g);
                double f = shiftedSquares(x, g);
                returned.add(f);
                return f;
            };
            int status = NativeCallbacks.run(session, objective, null);
            assertTrue(calls.get() >= 1);
            assertEquals(calls.get(), session.evaluations());
            assertEquals(session.status(), status);
            assertEquals(LbfgsbNative.TASK_DONE, session.task());
            // f crossed through the double* the core handed to the callback.
            assertTrue(returned.contains(session.f()), "f " + session.f() + " not among " + returned);
        }
    }

    @Test
    void iterationHookCanStopTheRun() {
        try (NativeSession session = new NativeSession(N)) {
            AtomicInteger hookCalls = new AtomicInteger();
            int status = NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, () -> {
                hookCalls.incrementAndGet();
                return true;
            });
            assertEquals(1, hookCalls.get());
            assertEquals(LbfgsbNative.STATUS_STOPPED_BY_USER, status);
            assertEquals(1, session.iterations());
        }
    }

    @Test
    void objectiveExceptionAbortsTheRunAndIsRethrownUnchanged() {
        try (NativeSession session = new NativeSession(N)) {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger calls = new AtomicInteger();
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> NativeCallbacks.run(session, (x, g) -> {
                        if (calls.incrementAndGet() == 2) {
                            throw boom;
                        }
                        return shiftedSquares(x, g);
                    }, null));
            assertSame(boom, thrown);
            assertEquals(2, calls.get()); // aborted: no call after the throwing one
        }
    }

    @Test
    void errorsAndHookExceptionsAreRethrownUnchangedToo() {
        try (NativeSession session = new NativeSession(N)) {
            AssertionError error = new AssertionError("from the objective");
            assertSame(error, assertThrows(AssertionError.class,
                    () -> NativeCallbacks.run(session, (x, g) -> {
                        throw error;
                    }, null)));
        }
        try (NativeSession session = new NativeSession(N)) {
            UnsupportedOperationException fromHook = new UnsupportedOperationException("from the hook");
            assertSame(fromHook, assertThrows(UnsupportedOperationException.class,
                    () -> NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, () -> {
                        throw fromHook;
                    })));
        }
    }

    @Test
    void runsTakeNoTrampolineSoFarMoreThanTheirOldLimitRunOneAfterAnother() {
        // The JavaCPP FunctionPointer trampolines of the past allowed MAX_INSTANCES (256) at a time;
        // the JNI upcall has no such pool.
        int live = LbfgsbNative.ObjectiveFunction.SLOTS.live();
        int runs = 4 * LbfgsbNative.ObjectiveFunction.MAX_INSTANCES + 1;
        for (int r = 0; r < runs; r++) {
            try (NativeSession session = new NativeSession(2)) {
                NativeCallbacks.run(session, (x, g) -> {
                    assertEquals(live, LbfgsbNative.ObjectiveFunction.SLOTS.live(), "no slot taken by a Java callback");
                    return shiftedSquares(x, g);
                }, () -> false);
                assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT, session.status(), session.message());
            }
        }
    }

    @Test
    void farMoreRunsThanTheOldTrampolineLimitRunAtOnce() throws Exception {
        // Every run is inside its objective at the same time: all wait at a latch at their first
        // evaluation. With one trampoline per run, run 257 used to throw IllegalStateException.
        int runs = 2 * LbfgsbNative.ObjectiveFunction.MAX_INSTANCES + 1;
        CountDownLatch allInside = new CountDownLatch(runs);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        int[] statuses = new int[runs];
        for (int t = 0; t < runs; t++) {
            int index = t;
            Thread thread = new Thread(null, () -> {
                try (NativeSession session = new NativeSession(N)) {
                    boolean[] first = {true};
                    statuses[index] = NativeCallbacks.run(session, (x, g) -> {
                        if (first[0]) {
                            first[0] = false;
                            allInside.countDown();
                            boolean all;
                            try {
                                all = allInside.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                            if (!all) {
                                throw new AssertionError("not all runs got inside their objective");
                            }
                        }
                        return shiftedSquares(x, g);
                    }, null);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    allInside.countDown();
                }
            }, "run-" + t, 256 * 1024);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(120_000);
            assertTrue(!thread.isAlive(), thread.getName() + " still running");
        }
        assertNull(failure.get());
        for (int status : statuses) {
            assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT, status);
        }
    }

    /** A JavaCPP trampoline that is never called: it only holds a slot. */
    private static final class Idle extends LbfgsbNative.ObjectiveFunction {
        @Override
        public int call(long n, long x, long f, long g, long user) {
            return 1;
        }
    }

    @Test
    void exhaustedFunctionPointerSlotsThrowInsteadOfHandingOutANullFunctionPointer() {
        // ObjectiveFunction (a C function backed by Java, for C code and tests) still has JavaCPP's
        // fixed pool; the Java callback path does not use it, so it runs while the pool is empty.
        List<Idle> held = new ArrayList<>();
        int before = LbfgsbNative.ObjectiveFunction.SLOTS.live();
        try {
            while (LbfgsbNative.ObjectiveFunction.SLOTS.live() < LbfgsbNative.ObjectiveFunction.MAX_INSTANCES) {
                Idle idle = new Idle();
                assertTrue(!idle.isNull());
                held.add(idle);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, Idle::new);
            assertTrue(e.getMessage().contains("slots are in use"), e.getMessage());
            try (NativeSession session = new NativeSession(N)) {
                assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT,
                        NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, () -> false));
            }
            held.remove(0).close();
            held.add(new Idle()); // a closed slot is reusable
        } finally {
            held.forEach(Idle::close);
        }
        assertEquals(before, LbfgsbNative.ObjectiveFunction.SLOTS.live());
        Idle idle = new Idle();
        idle.close();
        idle.close(); // idempotent
        assertEquals(before, LbfgsbNative.ObjectiveFunction.SLOTS.live());
    }

    @Test
    void theRawRunBindingDrivesACompiledCFunctionLikeTheJavaCallbackDrivesItsJavaTwin() {
        // lbfgsb::run bound with raw C addresses: no Java at all during the run.
        int n = 100;
        Objective twin = ReferenceProblems.create("rosenbrock", Map.of(), n);
        try (NativeSession viaC = new NativeSession(n); NativeSession viaJava = new NativeSession(n)) {
            for (NativeSession s : List.of(viaC, viaJava)) {
                for (int i = 0; i < n; i++) {
                    s.x().put(i, i % 2 == 0 ? -1.2 : 1.0);
                }
            }
            int c = LbfgsbNative.run(viaC.minimizer(), NativeGlue.exampleRosenbrockAddress(), 0L, 0L, 0L);
            int java = NativeCallbacks.run(viaJava, twin, null);
            assertEquals(java, c);
            assertEquals(viaJava.evaluations(), viaC.evaluations());
            assertEquals(viaJava.iterations(), viaC.iterations());
            assertEquals(viaJava.f(), viaC.f());
            for (int i = 0; i < n; i++) {
                assertEquals(viaJava.x().get(i), viaC.x().get(i), "x[" + i + "]");
            }
        }
    }

    @Test
    void upcallsViewOtherMemoryWhenHandedOtherAddressesAndReportFailuresAsNaN() {
        // evaluateAt is the native side's fallback for memory that is not the session's own (the
        // core never hands over other memory today, so it is driven directly here).
        try (NativeSession session = new NativeSession(N);
                DoublePointer otherX = new DoublePointer(N);
                DoublePointer otherG = new DoublePointer(N)) {
            for (int i = 0; i < N; i++) {
                otherX.put(i, i + 2.0); // one past each c_i = i + 1
            }
            List<DoubleBuffer> xs = new ArrayList<>();
            NativeCallbacks.Upcalls upcalls = new NativeCallbacks.Upcalls(session, (x, g) -> {
                assertTrue(x.isReadOnly());
                xs.add(x);
                return shiftedSquares(x, g);
            }, null);
            assertEquals(N, upcalls.evaluateAt(N, otherX.address(), otherG.address()));
            for (int i = 0; i < N; i++) {
                assertEquals(2.0, otherG.get(i), "gradient written to the other memory");
            }
            upcalls.evaluateAt(N, session.xAddress(), session.gradientAddress());
            assertSame(session.xReadOnly(), xs.get(1), "the session's own memory: its cached view");
            upcalls.evaluate();
            assertSame(session.xReadOnly(), xs.get(2));
            assertTrue(!upcalls.failed());

            RuntimeException boom = new RuntimeException("boom");
            NativeCallbacks.Upcalls throwing = new NativeCallbacks.Upcalls(session, (x, g) -> {
                throw boom;
            }, () -> {
                throw boom;
            });
            assertTrue(Double.isNaN(throwing.evaluate()));
            assertTrue(throwing.failed());
            assertSame(boom, throwing.failure);
            assertTrue(Double.isNaN(throwing.evaluateAt(N, otherX.address(), otherG.address())));
            assertEquals(1, throwing.afterIteration(), "a throwing hook stops the run");
        }
    }

    // ---- the native side of the upcall, driven with upcall objects that do not catch ----

    /**
     * An upcall object like NativeCallbacks.Upcalls, but letting a throwable escape its methods, as
     * a StackOverflowError at the entry of the real ones would: the native side then finds a Java
     * exception pending after the upcall.
     */
    static final class Escaping {
        private final NativeSession session;
        private final Throwable thrown;
        private final int throwAtEvaluation;
        private final int throwAtIteration;
        int evaluations;
        int iterations;

        Escaping(NativeSession session, Throwable thrown, int throwAtEvaluation, int throwAtIteration) {
            this.session = session;
            this.thrown = thrown;
            this.throwAtEvaluation = throwAtEvaluation;
            this.throwAtIteration = throwAtIteration;
        }

        double evaluate() {
            if (++evaluations == throwAtEvaluation) {
                throw NativeCallbacksTest.<RuntimeException>sneaky(thrown);
            }
            return shiftedSquares(session.xReadOnly(), session.gradient());
        }

        double evaluateAt(long n, long x, long g) {
            throw new AssertionError("the core evaluates at the minimizer's own x and gradient");
        }

        boolean failed() {
            throw new AssertionError("only asked after a NaN");
        }

        int afterIteration() {
            if (++iterations == throwAtIteration) {
                throw NativeCallbacksTest.<RuntimeException>sneaky(thrown);
            }
            return 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void anExceptionPendingAfterTheObjectiveUpcallAbortsTheRunAndReachesTheCaller() {
        for (Throwable thrown : new Throwable[] {new IllegalStateException("objective"),
                new StackOverflowError("objective"), new Exception("checked")}) {
            try (NativeSession session = new NativeSession(N)) {
                Escaping upcalls = new Escaping(session, thrown, 3, 0);
                Throwable caught = assertThrows(Throwable.class,
                        () -> NativeGlue.runJavaObjective(session.minimizer(), upcalls, true));
                assertSame(thrown, caught);
                assertEquals(3, upcalls.evaluations, "no upcall after the one that threw");
            }
        }
    }

    @Test
    void anExceptionPendingAfterTheHookUpcallStopsTheRunAndReachesTheCaller() {
        Throwable thrown = new UnsupportedOperationException("hook");
        try (NativeSession session = new NativeSession(N)) {
            Escaping upcalls = new Escaping(session, thrown, 0, 1);
            assertSame(thrown, assertThrows(Throwable.class,
                    () -> NativeGlue.runJavaObjective(session.minimizer(), upcalls, true)));
            assertEquals(1, upcalls.iterations);
            int evaluationsAtTheHook = upcalls.evaluations;
            assertEquals(evaluationsAtTheHook, session.evaluations(), "no evaluation after the hook threw");
        }
        try (NativeSession session = new NativeSession(N)) {
            Escaping upcalls = new Escaping(session, thrown, 0, 1);
            long address = org.lbfgsb4j.NativeExampleObjectives.rosenbrockAddress();
            assertSame(thrown, assertThrows(Throwable.class,
                    () -> NativeGlue.runCObjective(session.minimizer(), address, 0L, upcalls)));
            assertEquals(1, upcalls.iterations);
            assertEquals(0, upcalls.evaluations, "the C function evaluates");
        }
    }

    /** An upcall object missing a method. */
    static final class Incomplete {
        double evaluate() {
            return 0;
        }

        double evaluateAt(long n, long x, long g) {
            return 0;
        }
    }

    @Test
    void anUpcallObjectWithoutTheMethodsFailsWithNoSuchMethodErrorBeforeAnyCall() {
        try (NativeSession session = new NativeSession(N)) {
            NoSuchMethodError e = assertThrows(NoSuchMethodError.class,
                    () -> NativeGlue.runJavaObjective(session.minimizer(), new Incomplete(), false));
            assertTrue(e.getMessage().contains("failed"), e.getMessage());
            assertEquals(0, session.evaluations());
        }
        // The cached ids of the real upcall class are untouched.
        try (NativeSession session = new NativeSession(N)) {
            assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT,
                    NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, null));
        }
    }

    @Test
    void nativeLoopsOnTwoThreadsDoNotInterfere() throws Exception {
        int threads = 2;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final double target = -50.0 * (t + 1);
                final int n = 40 + 30 * t;
                results.add(pool.submit(() -> {
                    barrier.await();
                    int runs = 0;
                    for (int r = 0; r < 100; r++) {
                        try (NativeSession session = new NativeSession(n)) {
                            NativeCallbacks.run(session, (x, g) -> {
                                assertEquals(n, x.limit());
                                double f = 0;
                                for (int i = 0; i < n; i++) {
                                    double d = x.get(i) - target;
                                    f += d * d;
                                    g.put(i, 2 * d);
                                }
                                return f;
                            }, null);
                            assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT, session.status(),
                                    session.message());
                            for (int i = 0; i < n; i++) {
                                assertEquals(target, session.x().get(i), 1e-6 * Math.abs(target));
                            }
                        }
                        runs++;
                    }
                    return runs;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(100, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
