package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lbfgsb4j.LbfgsbTest.boundsOf;
import static org.lbfgsb4j.LbfgsbTest.directBuffer;
import static org.lbfgsb4j.LbfgsbTest.optionsOf;
import static org.lbfgsb4j.LbfgsbTest.referenceCase;
import static org.lbfgsb4j.NativeObjectiveTest.assertSameRun;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.lbfgsb4j.LbfgsbTest.Seen;
import org.lbfgsb4j.NativeObjectiveTest.Run;
import org.lbfgsb4j.reference.ReferenceCase;

/**
 * Minimizations running at the same time on different threads do not interfere: {@link Lbfgsb}
 * keeps no shared mutable state, each call owns its native minimizer, and the native-callback
 * trampolines are per run. The evidence is bit-identity: every run done by 8 threads at once, with
 * the Java loop, the native callback, the C function pointer and the in-place buffer mixed, gives
 * exactly the result and listener trace of the same run done alone beforehand. Any sharing (a
 * static workspace, a callback slot handed to two runs, a view of another run's memory) shows up as
 * a different bit somewhere, or as an objective called on the wrong thread.
 */
class ConcurrencyTest {

    /** Threads running minimizations at once: 4 per core on this 2-core machine, so runs interleave. */
    private static final int THREADS = 8;
    /** How often each thread runs the whole job list, each time in a different order. */
    private static final int ROUNDS = 4;
    /** Generous bound for the whole concurrent phase; it takes about a second. Not a timing assertion. */
    private static final long TIMEOUT_SECONDS = 120;

    /** The jobs: driver problem n = 1000 and Rosenbrock variants, through every driver. */
    private static Map<String, Supplier<Run>> jobs() {
        Map<String, Supplier<Run>> jobs = new LinkedHashMap<>();
        for (String name : List.of(NativeObjectiveTest.DRIVER_N1000, NativeObjectiveTest.DRIVER_N1000_LISTENER_STOP,
                LbfgsbTest.ROSENBROCK_N1000_BOX, LbfgsbTest.ROSENBROCK_X0_OUTSIDE, "rosen_n20_maxcor3",
                LbfgsbTest.ROSENBROCK_2D)) {
            ReferenceCase c = referenceCase(name);
            jobs.put(name + " / Java loop", () -> checkedOnCallingThread(c, false));
            jobs.put(name + " / native callback", () -> checkedOnCallingThread(c, true));
            // One stateless objective and one NativeObjective shared by every thread and run, the
            // way an application would hold them in a field.
            Objective shared = c.objective();
            NativeObjective sharedNative = NativeObjective.callback(shared);
            jobs.put(name + " / shared objective, Java loop", () -> {
                List<Seen> trace = new ArrayList<>();
                LbfgsbResult r = Lbfgsb.minimize(shared, c.x0(), boundsOf(c),
                        optionsOf(c, NativeObjectiveTest.recording(c, trace)));
                return new Run(r, trace);
            });
            jobs.put(name + " / shared NativeObjective", () -> {
                List<Seen> trace = new ArrayList<>();
                LbfgsbResult r = Lbfgsb.minimize(sharedNative, c.x0(), boundsOf(c),
                        optionsOf(c, NativeObjectiveTest.recording(c, trace)));
                return new Run(r, trace);
            });
        }
        ReferenceCase driver = referenceCase(NativeObjectiveTest.DRIVER_N1000);
        jobs.put(driver.name() + " / function pointer", () -> NativeObjectiveTest.functionPointer(driver, driver.objective()));
        ReferenceCase box = referenceCase(LbfgsbTest.ROSENBROCK_N1000_BOX);
        jobs.put(box.name() + " / in-place buffer", () -> inPlace(box));
        return jobs;
    }

    /**
     * A Java-loop or native-callback run whose objective and listener check that they are called on
     * the thread that called {@code minimize} (as documented), and fail the run otherwise.
     */
    private static Run checkedOnCallingThread(ReferenceCase c, boolean nativeCallback) {
        Thread caller = Thread.currentThread();
        Objective inner = c.objective();
        Objective objective = (x, g) -> {
            assertSame(caller, Thread.currentThread(), "objective on the calling thread");
            return inner.evaluate(x, g);
        };
        List<Seen> trace = new ArrayList<>();
        IterationListener recording = NativeObjectiveTest.recording(c, trace);
        LbfgsbOptions options = optionsOf(c, s -> {
            assertSame(caller, Thread.currentThread(), "listener on the calling thread");
            return recording.onIteration(s);
        });
        LbfgsbResult r = nativeCallback
                ? Lbfgsb.minimize(NativeObjective.callback(objective), c.x0(), boundsOf(c), options)
                : Lbfgsb.minimize(objective, c.x0(), boundsOf(c), options);
        return new Run(r, trace);
    }

    /** The in-place overload, on a buffer of its own; also checks the buffer holds result.x(). */
    private static Run inPlace(ReferenceCase c) {
        DoubleBuffer x = directBuffer(c.n());
        x.put(0, c.x0());
        List<Seen> trace = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), x, boundsOf(c),
                optionsOf(c, NativeObjectiveTest.recording(c, trace)));
        double[] inBuffer = LbfgsbTest.copyOf(x);
        assertArrayEquals(r.x(), inBuffer, "buffer holds the solution");
        return new Run(r, trace);
    }

    @Test
    void concurrentMinimizationsGiveBitIdenticalResultsToSerialOnes() throws Exception {
        Map<String, Supplier<Run>> jobs = jobs();
        List<String> names = new ArrayList<>(jobs.keySet());
        Map<String, Run> serial = new LinkedHashMap<>();
        for (String name : names) {
            serial.put(name, jobs.get(name).get());
        }
        // The in-place run must be the same run as the array one.
        LbfgsbTest.assertBitIdentical(serial.get(LbfgsbTest.ROSENBROCK_N1000_BOX + " / Java loop").result(),
                serial.get(LbfgsbTest.ROSENBROCK_N1000_BOX + " / in-place buffer").result());

        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    int done = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int j = 0; j < names.size(); j++) {
                            // Each thread and round walks the jobs from a different place, so that
                            // different problems and drivers overlap.
                            String name = names.get((j + thread * 5 + round * 3) % names.size());
                            Run run = jobs.get(name).get();
                            try {
                                assertSameRun(serial.get(name), run);
                            } catch (AssertionError e) {
                                throw new AssertionError("thread " + thread + ", round " + round + ", " + name
                                        + ": differs from the serial run", e);
                            }
                            done++;
                        }
                    }
                    return done;
                }));
            }
            for (Future<Integer> worker : workers) {
                try {
                    assertEquals(ROUNDS * names.size(), worker.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    throw rethrowAssertion(e);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void anExceptionOnOneThreadDoesNotDisturbRunsOnOthers() throws Exception {
        // Half the threads throw from the objective mid-run (Java loop and native callback), the
        // other half run normally at the same time: the normal runs stay bit-identical.
        ReferenceCase c = referenceCase(NativeObjectiveTest.DRIVER_N1000);
        Run expected = NativeObjectiveTest.javaLoop(c, c.objective());
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final boolean throwing = t % 2 == 0;
                final boolean nativeCallback = t % 4 < 2;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 10; round++) {
                        if (throwing) {
                            IllegalStateException boom = new IllegalStateException("boom " + round);
                            Objective o = LbfgsbTest.throwingAtEvaluation(c.objective(), 3 + round, boom);
                            Executable run = nativeCallback
                                    ? () -> Lbfgsb.minimize(NativeObjective.callback(o), c.x0(), boundsOf(c), optionsOf(c, null))
                                    : () -> Lbfgsb.minimize(o, c.x0(), boundsOf(c), optionsOf(c, null));
                            assertSame(boom, assertThrows(Throwable.class, run));
                        } else {
                            assertSameRun(expected, nativeCallback
                                    ? NativeObjectiveTest.nativeCallback(c, c.objective())
                                    : NativeObjectiveTest.javaLoop(c, c.objective()));
                        }
                    }
                    return 10;
                }));
            }
            for (Future<Integer> worker : workers) {
                try {
                    assertEquals(10, worker.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    throw rethrowAssertion(e);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    /** A worker's AssertionError (or other Error) as itself, so the report shows the real failure. */
    private static Exception rethrowAssertion(ExecutionException e) {
        if (e.getCause() instanceof Error) {
            throw (Error) e.getCause();
        }
        return e;
    }
}
