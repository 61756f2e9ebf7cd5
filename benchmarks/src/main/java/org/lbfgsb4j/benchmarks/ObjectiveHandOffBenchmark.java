package org.lbfgsb4j.benchmarks;

import java.nio.DoubleBuffer;
import java.util.concurrent.TimeUnit;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;
import org.lbfgsb4j.NativeObjective;
import org.lbfgsb4j.Objective;
import org.lbfgsb4j.internal.NativeSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-evaluation price of handing x and the gradient to a Java objective and f back to the
 * solver, with the Java driver loop ({@code Lbfgsb.minimize(Objective, ...)}: Java calls native
 * {@code submit(f)}) and with the native driver loop ({@code NativeObjective.callback}: native code
 * calls Java back through a hand-written JNI upcall,
 * {@code java/src/main/native/lbfgsb4j/objective_upcall.hpp}: one argument-free
 * {@code CallDoubleMethod} and one {@code ExceptionCheck} per evaluation), at n = 1 and
 * n = 1,000,000. Both hand the objective zero-copy views, so neither should depend on n: the
 * n = 1,000,000 rows check that no per-evaluation copy or view allocation proportional to n crept
 * in (a copy of x and g would cost about 1 ms there).
 *
 * <p><b>How the hand-off is isolated.</b>
 * <ul>
 *   <li>{@code javaLoopHandOff}, direct: exactly what {@code Lbfgsb}'s Java loop does around each
 *       evaluation, on a real {@link NativeSession} of size n: reset the two cached views, call the
 *       objective through the {@link Objective} interface, and make one downcall. The downcall is
 *       {@code task()} instead of {@code submit(f)}, because submit's native side runs the solver
 *       (line search, iteration): same JNI shape (int result), no solver work.
 *   <li>{@code javaLoopRun} and {@code callbackRun}, whole runs reported per evaluation: the same
 *       minimization through the two drivers, whose native work is identical, bit for bit (the core is
 *       deterministic and both drivers make the same calls into it). The problem keeps that work
 *       small: f(x) = x_1 (only the first variable matters), unbounded, from x = 0, with
 *       {@code maxIterations(20)}; f never stops decreasing, so every line search extrapolates up to
 *       the maximum step, 18 evaluations per iteration ({@value #RUN_EVALUATIONS} per run, checked),
 *       each with O(1) native work at n = 1 (O(n) at n = 1,000,000: the trial point x + stp d).
 *       The objective is trivial (reads x_1, writes g_1 = 1; the whole gradient is written once per
 *       run). So {@code callbackRun - javaLoopRun} is the callback's hand-off minus the Java loop's,
 *       and <b>callback hand-off = javaLoopHandOff + (callbackRun - javaLoopRun)</b>. Per-run costs
 *       (native allocation, copies in and out, and for the callback its upcall object and the
 *       check of its method ids)
 *       are spread over the {@value #RUN_EVALUATIONS} evaluations. At n = 1,000,000 the native work
 *       per evaluation (a pass over x, 1 to 2 ms) makes the difference of two runs
 *       too noisy to resolve a microsecond (runs differ by a few percent, i.e. tens of microseconds per
 *       evaluation), so there the setup checks instead that both drivers hand the objective the
 *       same two view objects at every evaluation of a run: no copy and no view created per call,
 *       so the callback's hand-off at n = 1,000,000 is the n = 1 code path.
 * </ul>
 *
 * <p>Params: n, and {@code arithmetic} ({@code REFERENCE}, {@code FAST}) for the whole runs.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ObjectiveHandOffBenchmark} (about 1.5
 * minutes; {@code -p arithmetic=REFERENCE} for one arithmetic). {@code NativeCrossingBenchmark}
 * gives the bare JNI downcall for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ObjectiveHandOffBenchmark {
    /** Iterations of the whole-run benchmarks. */
    public static final int RUN_ITERATIONS = 20;
    /** Evaluations of a whole run of {@value #RUN_ITERATIONS} iterations (checked in the setup). */
    public static final int RUN_EVALUATIONS = 361;

    @Param({"1", "1000000"})
    public int n;

    /**
     * {@code LbfgsbOptions.arithmetic} of the whole runs ({@code javaLoopRun}, {@code callbackRun}):
     * the native work per evaluation may differ between the two, and the setup checks for each
     * that both drivers give the same result and hand over the same views. {@code javaLoopHandOff}
     * makes no solver call, so its two rows measure the same thing (a check of the noise).
     */
    @Param({"REFERENCE", "FAST"})
    public Arithmetic arithmetic;

    // The direct measurement.
    private NativeSession session;
    private DoubleBuffer x;
    private DoubleBuffer g;
    private final Objective trivial = (xv, gv) -> {
        double v = xv.get(0);
        gv.put(0, 1.0);
        return v;
    };

    // The whole runs.
    private double[] x0;
    private Bounds bounds;
    private LbfgsbOptions options;
    private Objective linear;
    private NativeObjective linearCallback;
    private boolean firstEvaluation;

    @Setup(Level.Trial)
    public void setUp() {
        session = new NativeSession(n);
        x = session.xReadOnly();
        g = session.gradient();

        x0 = new double[n];
        bounds = Bounds.unbounded(n);
        // No copy of the final state in the result: a per-run cost that is not the hand-off.
        options = LbfgsbOptions.builder().maxIterations(RUN_ITERATIONS).retainFinalState(false)
                .arithmetic(arithmetic).build();
        linear = (xv, gv) -> {
            if (firstEvaluation) { // the native gradient starts uninitialized: zero it once per run
                firstEvaluation = false;
                for (int i = 1; i < n; i++) {
                    gv.put(i, 0.0);
                }
            }
            gv.put(0, 1.0);
            return xv.get(0);
        };
        linearCallback = NativeObjective.callback(linear);
        checkViewsAreReused();
        LbfgsbResult a = javaLoopOnce();
        LbfgsbResult b = callbackOnce();
        if (!a.equals(b) || a.iterations() != RUN_ITERATIONS || a.evaluations() != RUN_EVALUATIONS) {
            throw new IllegalStateException(arithmetic + ": whole runs must do " + RUN_ITERATIONS
                    + " iterations and " + RUN_EVALUATIONS + " evaluations, identically in both drivers; Java loop: " + a
                    + ", callback: " + b);
        }
    }

    /**
     * The hand-off is O(1) in n only if both drivers give the objective the same two view objects
     * at every evaluation (no copy, no new view): checked here for a whole run of each.
     */
    private void checkViewsAreReused() {
        Object[] seen = new Object[2];
        int[] changes = {0};
        Objective probe = (xv, gv) -> {
            if (xv != seen[0] || gv != seen[1]) {
                changes[0]++;
                seen[0] = xv;
                seen[1] = gv;
            }
            return linear.evaluate(xv, gv);
        };
        firstEvaluation = true;
        Lbfgsb.minimize(probe, x0, bounds, options);
        int javaLoopChanges = changes[0];
        changes[0] = 0;
        seen[0] = seen[1] = null;
        firstEvaluation = true;
        Lbfgsb.minimize(NativeObjective.callback(probe), x0, bounds, options);
        if (javaLoopChanges != 1 || changes[0] != 1) {
            throw new IllegalStateException("the objective got new x/g views during a run (Java loop: "
                    + javaLoopChanges + " distinct pairs, callback: " + changes[0] + "; expected 1 each)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    private LbfgsbResult javaLoopOnce() {
        firstEvaluation = true;
        return Lbfgsb.minimize(linear, x0, bounds, options);
    }

    private LbfgsbResult callbackOnce() {
        firstEvaluation = true;
        return Lbfgsb.minimize(linearCallback, x0, bounds, options);
    }

    /** The Java loop's hand-off around one evaluation (see the class comment). */
    @Benchmark
    public double javaLoopHandOff() {
        x.clear();
        g.clear();
        double f = trivial.evaluate(x, g);
        return session.task() + f;
    }

    /** A whole run through the Java loop, per evaluation. */
    @Benchmark
    @OperationsPerInvocation(RUN_EVALUATIONS)
    public double javaLoopRun() {
        return javaLoopOnce().value();
    }

    /** The same run through the native loop and the JNI upcall, per evaluation. */
    @Benchmark
    @OperationsPerInvocation(RUN_EVALUATIONS)
    public double callbackRun() {
        return callbackOnce().value();
    }
}
