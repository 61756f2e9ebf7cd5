package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.Objective;

/** The FunctionPointer path: lbfgsb::run calling Java. Plumbing only, not the numerics. */
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
    void callbacksAreClosedAfterEachRunSoRunsNeverExhaustTheTrampolines() {
        int runs = LbfgsbNative.ObjectiveFunction.MAX_INSTANCES + 20;
        for (int r = 0; r < runs; r++) {
            try (NativeSession session = new NativeSession(2)) {
                NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, () -> false);
                assertEquals(LbfgsbNative.STATUS_CONVERGED_PROJECTED_GRADIENT, session.status(), session.message());
            }
        }
    }

    @Test
    void runFreesItsCallbackSlots() {
        int before = LbfgsbNative.ObjectiveFunction.SLOTS.live();
        try (NativeSession session = new NativeSession(N)) {
            NativeCallbacks.run(session, NativeCallbacksTest::shiftedSquares, () -> false);
        }
        assertEquals(before, LbfgsbNative.ObjectiveFunction.SLOTS.live());
        assertEquals(0, LbfgsbNative.IterationFunction.SLOTS.live());
    }

    /** A callback that is never called: it only holds a slot. */
    private static final class Idle extends LbfgsbNative.IterationFunction {
        @Override
        public int call(long user) {
            return 0;
        }
    }

    @Test
    void exhaustedCallbackSlotsThrowInsteadOfHandingOutANullFunctionPointer() {
        List<Idle> held = new ArrayList<>();
        try {
            while (held.size() < LbfgsbNative.IterationFunction.MAX_INSTANCES) {
                Idle idle = new Idle();
                assertTrue(!idle.isNull());
                held.add(idle);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, Idle::new);
            assertTrue(e.getMessage().contains("slots are in use"), e.getMessage());
            held.remove(0).close();
            held.add(new Idle()); // a closed slot is reusable
        } finally {
            held.forEach(Idle::close);
        }
        assertEquals(0, LbfgsbNative.IterationFunction.SLOTS.live());
        Idle idle = new Idle();
        idle.close();
        idle.close(); // idempotent
        assertEquals(0, LbfgsbNative.IterationFunction.SLOTS.live());
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
