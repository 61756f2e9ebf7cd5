package org.lbfgsb4j.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;
import org.lbfgsb4j.Objective;
import org.lbfgsb4j.benchmarks.BenchmarkProblems.Problem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole solves of small problems, where fixed costs (native allocation, JNI crossings, copies in
 * and out) weigh most: chained Rosenbrock in the box [-2, 0.5]^n (the reference case
 * {@code rosen_n1000_box}'s box; the upper bound is active at the solution), default options
 * (m = 10, SciPy's tolerances) apart from {@code arithmetic} (param: {@code REFERENCE}, the default,
 * and {@code FAST}), n = 10, 30, 100. The objective is plain Java over the zero-copy
 * buffers and its time is included: this is the time a caller waits for a result.
 *
 * <ul>
 *   <li>{@code fixedCost}: a solve with {@code maxIterations(0)} (x0 evaluated once), in
 *       microseconds: the library's price per solve, whatever the problem.
 *   <li>{@code solve}: one {@code Lbfgsb.minimize} from (-1.2, 1, -1.2, 1, ...) (clipped onto the
 *       box by the solver), in microseconds. SciPy's time for the same solve is in the "small
 *       problems" table of {@code benchmarks/scipy/side_by_side.py}.
 *   <li>{@code batch}: {@value #BATCH} independent problems with x0 drawn uniformly from the box
 *       ({@code SplittableRandom(20240611)}, drawn once in the setup), solved on a fixed thread
 *       pool of {@code threads} workers that each take the next problem from a shared counter;
 *       milliseconds per batch of {@value #BATCH}. With 2 threads on this 2-core machine the ideal
 *       is half the 1-thread time.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SmallSolveBenchmark} (about 4 minutes;
 * {@code -p arithmetic=REFERENCE} for one arithmetic).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class SmallSolveBenchmark {
    /** Problems per batch. */
    public static final int BATCH = 10_000;
    private static final long SEED = 20240611L;

    @Param({"10", "30", "100"})
    public int n;

    /**
     * {@code LbfgsbOptions.arithmetic}: the library's default {@code REFERENCE} (SciPy's order) or
     * {@code FAST} (fused, vectorised passes). At these n the passes over the variables are short,
     * so this shows whether FAST's set-up costs anything on small problems.
     */
    @Param({"REFERENCE", "FAST"})
    public Arithmetic arithmetic;

    private final Objective objective = BenchmarkProblems::rosenbrock;
    private double[] x0;
    private Bounds bounds;
    private LbfgsbOptions options;
    private LbfgsbOptions fixedCostOptions;
    private double[][] batchStarts;

    @Setup(Level.Trial)
    public void setUp() {
        Problem p = Problem.ROSENBROCK_BOX;
        x0 = p.x0(n);
        bounds = p.bounds(n);
        options = LbfgsbOptions.builder().arithmetic(arithmetic).build();
        fixedCostOptions = options.toBuilder().maxIterations(0).build();
        SplittableRandom random = new SplittableRandom(SEED);
        batchStarts = new double[BATCH][];
        double width = BenchmarkProblems.BOX_UPPER - BenchmarkProblems.BOX_LOWER;
        for (int k = 0; k < BATCH; k++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = BenchmarkProblems.BOX_LOWER + width * random.nextDouble();
            }
            batchStarts[k] = x;
        }
        LbfgsbResult r = solve();
        if (!r.converged()) {
            throw new IllegalStateException("bounded Rosenbrock n=" + n + " " + arithmetic + " did not converge: "
                    + r.message());
        }
    }

    /** The worker pool of the batch benchmark. */
    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"1", "2"})
        public int threads;

        ExecutorService executor;

        @Setup(Level.Trial)
        public void setUp() {
            executor = Executors.newFixedThreadPool(threads);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /**
     * The fixed cost of a solve: {@code maxIterations(0)}, so x0 is evaluated once and nothing
     * else; what remains is the per-solve price of the library (options and bounds to native,
     * native allocation, one JNI round trip, the result with its copies and the final state).
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public LbfgsbResult fixedCost() {
        return Lbfgsb.minimize(objective, x0, bounds, fixedCostOptions);
    }

    /** One whole solve from (-1.2, 1, ...). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public LbfgsbResult solve() {
        return Lbfgsb.minimize(objective, x0, bounds, options);
    }

    /** {@value #BATCH} solves from seeded random starts on {@code threads} threads; returns the sum of f. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 3, time = 1)
    public double batch(Pool pool) throws InterruptedException, ExecutionException {
        AtomicInteger next = new AtomicInteger();
        DoubleAdder sum = new DoubleAdder();
        List<Future<?>> workers = new ArrayList<>(pool.threads);
        for (int t = 0; t < pool.threads; t++) {
            workers.add(pool.executor.submit(() -> {
                for (int k = next.getAndIncrement(); k < BATCH; k = next.getAndIncrement()) {
                    sum.add(Lbfgsb.minimize(objective, batchStarts[k], bounds, options).value());
                }
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        return sum.sum();
    }
}
