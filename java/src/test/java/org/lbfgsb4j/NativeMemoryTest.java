package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.NativeObjectiveTest.RawObjective;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeSession;
import org.lbfgsb4j.reference.ReferenceProblems;

/**
 * Native memory is freed when a minimization returns, also when it ends with an exception from the
 * objective: many large runs leave the resident set size where it was.
 *
 * <p>Each run at n = {@value #N} with history m = 10 allocates (2m + 12) n doubles of workspace,
 * about {@value #WORKSPACE_MB} MB. Only touched pages become resident: a run always writes x, the
 * gradient, the bounds, the work vectors and the index arrays (about 11 n-vectors, 18 MB) and 2 n
 * doubles (3.2 MB) of history per iteration, so at least {@value #TOUCHED_MB_PER_RUN} MB per run.
 * Leaking the workspace of every run would add {@value #RUNS} x {@value #TOUCHED_MB_PER_RUN} MB,
 * some 4.5 GB, to the resident set; leaking it only from the half that throws, over 2 GB.
 *
 * <p>The threshold, {@value #MAX_GROWTH_MB} MB, is far below either, and above what the process does
 * on its own (the Java heap serving the results, 2 n doubles each, and malloc's arenas; measured:
 * no growth at all). A leak in one run out of twenty (15 x 15 MB = 225 MB) would still exceed it.
 * Both measurements follow {@link System#gc()} and {@link Pointer#trimMemory()} (malloc_trim), so
 * that only memory still in use counts. To check the check: keeping one extra unstarted native
 * session alive per throwing run made the resident set grow by about 1.2 GB here.
 */
class NativeMemoryTest {

    /** Variables per run. */
    static final int N = 200_000;
    /** Minimizations measured; half of them end with an exception thrown by the objective. */
    static final int RUNS = 300;
    /** Runs before the first measurement, so that the JVM, JIT and malloc arenas reach steady state. */
    static final int WARM_UP_RUNS = 40;
    /** Iterations per run: enough for the history columns to be written, small enough to be fast. */
    static final long MAX_ITERATIONS = 4;
    /**
     * The evaluation at which half of the runs throw: on this problem iterations 1 and 2 end at
     * evaluations 5 and 6, so the run dies inside iteration 3, with history written.
     */
    static final int THROW_AT_EVALUATION = 7;
    /** The allocated workspace per run, (2 m + 12) n doubles with m = 10, in MB (rounded). */
    static final long WORKSPACE_MB = (2L * 10 + 12) * N * Double.BYTES / 1_000_000;
    /** Resident memory a run surely touches, in MB (see the class comment). */
    static final long TOUCHED_MB_PER_RUN = 15;
    /** Allowed growth of the resident set size over the measured runs. */
    static final long MAX_GROWTH_MB = 150;

    private static final long MB = 1_000_000;

    /** The L-BFGS-B driver problem (Java twin of SciPy's), bounded as in driver1, from x0 = 3. */
    private static final Objective DRIVER = ReferenceProblems.create("driver", Map.of(), N);
    private static final Bounds BOUNDS = driverBounds();
    private static final double[] X0 = filled(3.0);

    private static Bounds driverBounds() {
        double[] lower = new double[N];
        double[] upper = new double[N];
        for (int i = 0; i < N; i++) {
            // Fortran's odd indices 1, 3, 5, ... (Java's 0, 2, 4, ...) in [1, 100], the others in [-100, 100].
            lower[i] = i % 2 == 0 ? 1.0 : -100.0;
            upper[i] = 100.0;
        }
        return Bounds.of(lower, upper);
    }

    private static double[] filled(double v) {
        double[] a = new double[N];
        Arrays.fill(a, v);
        return a;
    }

    private final DoubleBuffer inPlace = LbfgsbTest.directBuffer(N);

    /**
     * Run {@code r}: one of four drivers (Java loop, in-place buffer, native callback, C function
     * pointer), ending normally for even r and with an exception from the objective (or the C
     * function's nonzero return) at evaluation {@value #THROW_AT_EVALUATION} for odd r.
     */
    private void run(int r) {
        boolean throwing = r % 2 == 1;
        int driver = (r / 2) % 4;
        AtomicInteger iterations = new AtomicInteger();
        LbfgsbOptions options = LbfgsbOptions.builder().maxIterations(MAX_ITERATIONS).iterationListener(s -> {
            iterations.incrementAndGet();
            return IterationListener.Action.CONTINUE;
        }).build();
        RuntimeException boom = new RuntimeException("boom in run " + r);
        Objective objective = throwing ? LbfgsbTest.throwingAtEvaluation(DRIVER, THROW_AT_EVALUATION, boom) : DRIVER;
        switch (driver) {
            case 0:
                if (throwing) {
                    assertSame(boom, assertThrows(RuntimeException.class,
                            () -> Lbfgsb.minimize(objective, X0, BOUNDS, options)));
                } else {
                    assertEquals(Termination.MAX_ITERATIONS, Lbfgsb.minimize(objective, X0, BOUNDS, options).termination());
                }
                break;
            case 1:
                inPlace.put(0, X0);
                if (throwing) {
                    assertSame(boom, assertThrows(RuntimeException.class,
                            () -> Lbfgsb.minimize(objective, inPlace, BOUNDS, options)));
                } else {
                    assertEquals(Termination.MAX_ITERATIONS, Lbfgsb.minimize(objective, inPlace, BOUNDS, options).termination());
                }
                break;
            case 2:
                if (throwing) {
                    assertSame(boom, assertThrows(RuntimeException.class,
                            () -> Lbfgsb.minimize(NativeObjective.callback(objective), X0, BOUNDS, options)));
                } else {
                    assertEquals(Termination.MAX_ITERATIONS,
                            Lbfgsb.minimize(NativeObjective.callback(objective), X0, BOUNDS, options).termination());
                }
                break;
            default:
                try (RawObjective raw = new RawObjective(DRIVER, 0, throwing ? THROW_AT_EVALUATION : 0)) {
                    NativeObjective c = NativeObjective.functionPointer(raw.functionAddress(), 0);
                    if (throwing) {
                        assertThrows(IllegalStateException.class, () -> Lbfgsb.minimize(c, X0, BOUNDS, options));
                    } else {
                        assertEquals(Termination.MAX_ITERATIONS, Lbfgsb.minimize(c, X0, BOUNDS, options).termination());
                    }
                }
        }
        assertTrue(iterations.get() >= 2, "history was written before the run ended");
    }

    /** Resident set size after a GC and a malloc_trim, in bytes. */
    /**
     * The resident set once garbage is collected. Results keep their final state (by default when
     * it is at most 64 MiB: 46 MB here) in direct buffers, which the JVM frees on its Cleaner
     * thread some time after a collection: wait until the direct-buffer pool stops shrinking, so
     * the measurement sees the library's native memory and not buffers queued for freeing.
     */
    private static long settledResidentBytes() {
        long direct = directBufferBytes();
        for (int round = 0; round < 100; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = directBufferBytes();
            if (now == direct && round > 0) {
                break;
            }
            direct = now;
        }
        Pointer.trimMemory();
        return Pointer.physicalBytes();
    }

    private static long directBufferBytes() {
        for (java.lang.management.BufferPoolMXBean pool
                : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    @Test
    void manyLargeMinimizationsSomeThrowingDoNotLeakNativeMemory() {
        LbfgsbNative.load();
        for (int r = 0; r < WARM_UP_RUNS; r++) {
            run(r);
        }
        long before = settledResidentBytes();
        long liveNativeObjectsBefore = Pointer.totalCount();
        long liveMinimizersBefore = LbfgsbNative.liveMinimizers();
        MemoryUsage heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        for (int r = 0; r < RUNS; r++) {
            run(r);
        }
        long after = settledResidentBytes();
        MemoryUsage heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long growthMb = (after - before) / MB;
        String report = "resident set " + before / MB + " MB -> " + after / MB + " MB (growth " + growthMb
                + " MB, threshold " + MAX_GROWTH_MB + " MB; a leak of every run's workspace would add about "
                + RUNS * TOUCHED_MB_PER_RUN + " MB); Java heap committed " + heapBefore.getCommitted() / MB + " MB -> "
                + heapAfter.getCommitted() / MB + " MB; direct buffers " + directBufferBytes() / MB
                + " MB; JavaCPP live objects " + liveNativeObjectsBefore + " -> " + Pointer.totalCount()
                + "; live native minimizers " + liveMinimizersBefore + " -> " + LbfgsbNative.liveMinimizers();
        assertTrue(growthMb < MAX_GROWTH_MB, report);
        // Every native object is freed deterministically, none is left for the GC to find.
        assertTrue(Pointer.totalCount() <= liveNativeObjectsBefore, report);
        assertTrue(LbfgsbNative.liveMinimizers() <= liveMinimizersBefore,
                "live native minimizers " + liveMinimizersBefore + " -> " + LbfgsbNative.liveMinimizers());
    }

    /**
     * A session its owner never closes is freed once it is unreachable (a Cleaner): 200 sessions
     * of 4 MB of workspace each are dropped, and the count of live native minimizers comes back
     * after garbage collection.
     */
    @Test
    void unclosedSessionsAreFreedWhenUnreachable() throws InterruptedException {
        long before = LbfgsbNative.liveMinimizers();
        for (int i = 0; i < 200; i++) {
            NativeSession dropped = new NativeSession(15_000);
            dropped.x().put(0, i); // used, then dropped without close()
        }
        assertTrue(LbfgsbNative.liveMinimizers() >= before + 1, "the sessions were not counted");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (LbfgsbNative.liveMinimizers() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(LbfgsbNative.liveMinimizers() <= before,
                "live native minimizers " + before + " -> " + LbfgsbNative.liveMinimizers() + " after GC");
    }
}
