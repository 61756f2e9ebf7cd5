package org.lbfgsb4j.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The solver's own time per iteration (everything but the objective), m = 10, one OpenBLAS thread,
 * on the driver1.f problem (bounded, x0 = 3) and chained Rosenbrock (unbounded, x0 = (-1.2, 1, ...)),
 * n from 1,000 to 1,000,000.
 *
 * <p><b>How the objective is taken out: record and replay.</b> The setup (not timed) runs the
 * minimization once with the real objective and {@code maxIterations(20)}, recording f and the
 * gradient of every evaluation the solver asks for. The benchmark then runs the identical
 * minimization with a <i>replay objective</i> that ignores x and hands back the recorded f and
 * gradient: one bulk copy of n doubles per evaluation instead of the objective's arithmetic. The
 * solver is deterministic, so it asks for the same points in the same order; the replay checks three
 * coordinates of x against the recording at every evaluation, and the iteration and evaluation
 * counts after every run, and fails the benchmark if anything differs.
 *
 * <p>{@code solverPerIteration} times a whole {@code Lbfgsb.minimize(Objective, double[], Bounds,
 * LbfgsbOptions)} of exactly {@value #ITERATIONS} iterations and reports it per iteration
 * ({@code @OperationsPerInvocation}): native workspace allocation, copies in and out, the bounds,
 * every JNI crossing and the replay copies included, i.e. "total minus objective", the figure SciPy's
 * side of {@code benchmarks/scipy/side_by_side.py} reports. {@code gradientCopy} measures the one
 * thing the replay adds, a copy of n doubles into the solver's gradient buffer (paid about 1.2 times
 * per iteration: evaluations / iterations is about 1.2 to 1.4 on these problems), so it can be subtracted.
 *
 * <p>The result's copy of the final state ({@code LbfgsbOptions.retainFinalState}, on by default
 * in the library) is a once-per-run cost, not an iteration's: it is off here unless
 * {@code -p retainFinalState=true}; the side-by-side comparison runs with the library's defaults.
 *
 * <p>{@code arithmetic} ({@code REFERENCE}, {@code FAST}) is a param of the replayed runs: each
 * value records and replays its own minimization, so both time exactly {@value #ITERATIONS}
 * iterations of their own iterates. {@code gradientCopy} does not depend on it.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SolverIterationBenchmark}
 * (about 4 minutes; {@code -p n=1000000} for the headline size only, {@code -p arithmetic=FAST}
 * for one arithmetic).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 5, time = 2)
public class SolverIterationBenchmark {
    /** Iterations per timed minimization (the driver problem converges after about 24). */
    public static final int ITERATIONS = 20;

    /** A recorded run of one problem and n, and the objective that replays it. */
    @State(Scope.Thread)
    public static class Replay {
        @Param({"1000", "100000", "1000000"})
        public int n;

        @Param({"driver", "rosenbrock"})
        public String problem;

        /**
         * {@code LbfgsbOptions.retainFinalState}: false by default here, to time the iterations
         * alone; true adds the library's default once-per-run copy of the final state (about
         * (2m + 9) n doubles) to the 20 iterations ({@code -p retainFinalState=true,false}).
         */
        @Param({"false"})
        public boolean retainFinalState;

        /**
         * {@code LbfgsbOptions.arithmetic}: SciPy's summation order ({@code REFERENCE}, the
         * library's default) or the fused, vectorised passes ({@code FAST}). Each value records
         * its own run (the iterates agree to rounding only), so the replay is exact for both.
         */
        @Param({"REFERENCE", "FAST"})
        public Arithmetic arithmetic;

        double[] x0;
        Bounds bounds;
        LbfgsbOptions options;
        Objective replay;
        int cursor;
        long evaluations;

        private double[] values;
        private double[][] gradients;
        private double[] xSamples; // x[0], x[n/2], x[n-1] at each evaluation

        @Setup(Level.Trial)
        public void record() {
            Problem p = Problem.of(problem);
            x0 = p.x0(n);
            bounds = p.bounds(n);
            options = LbfgsbOptions.builder().maxIterations(ITERATIONS).retainFinalState(retainFinalState)
                    .arithmetic(arithmetic).build();
            Objective real = p.objective();
            List<double[]> gs = new ArrayList<>();
            List<Double> fs = new ArrayList<>();
            List<double[]> samples = new ArrayList<>();
            LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
                double f = real.evaluate(x, g);
                double[] copy = new double[n];
                g.get(0, copy);
                gs.add(copy);
                fs.add(f);
                samples.add(new double[] {x.get(0), x.get(n / 2), x.get(n - 1)});
                return f;
            }, x0, bounds, options);
            if (r.iterations() != ITERATIONS) {
                throw new IllegalStateException(problem + " n=" + n + " stopped after " + r.iterations()
                        + " iterations (" + r.message() + "), before the " + ITERATIONS + " the benchmark times");
            }
            evaluations = r.evaluations();
            gradients = gs.toArray(new double[0][]);
            values = fs.stream().mapToDouble(Double::doubleValue).toArray();
            xSamples = new double[3 * gradients.length];
            for (int k = 0; k < gradients.length; k++) {
                System.arraycopy(samples.get(k), 0, xSamples, 3 * k, 3);
            }
            replay = (x, g) -> {
                int k = cursor++;
                if (k >= values.length || x.get(0) != xSamples[3 * k] || x.get(n / 2) != xSamples[3 * k + 1]
                        || x.get(n - 1) != xSamples[3 * k + 2]) {
                    throw new IllegalStateException("the replay diverged from the recorded run at evaluation " + k);
                }
                g.put(0, gradients[k]);
                return values[k];
            };
        }
    }

    /** A gradient-sized copy, the replay's own cost per evaluation. */
    @State(Scope.Thread)
    public static class Copy {
        @Param({"1000", "100000", "1000000"})
        public int n;

        double[] source;
        DoubleBuffer target;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom random = new SplittableRandom(20240611L);
            source = random.doubles(n).toArray();
            target = ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        }
    }

    /** One whole minimization of {@value #ITERATIONS} iterations, reported per iteration. */
    @Benchmark
    @OperationsPerInvocation(ITERATIONS)
    public double solverPerIteration(Replay state) {
        state.cursor = 0;
        LbfgsbResult r = Lbfgsb.minimize(state.replay, state.x0, state.bounds, state.options);
        if (r.iterations() != ITERATIONS || r.evaluations() != state.evaluations) {
            throw new IllegalStateException("replayed run: " + r.iterations() + " iterations, " + r.evaluations()
                    + " evaluations; recorded: " + ITERATIONS + ", " + state.evaluations);
        }
        return r.value();
    }

    /** What the replay objective does per evaluation besides returning f: copy n doubles into g. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 5, time = 1)
    public DoubleBuffer gradientCopy(Copy state) {
        return state.target.put(0, state.source);
    }
}
