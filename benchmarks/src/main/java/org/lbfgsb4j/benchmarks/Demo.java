package org.lbfgsb4j.benchmarks;

import java.util.Locale;
import org.lbfgsb4j.IterationListener;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;
import org.lbfgsb4j.Objective;

/**
 * The README's demonstration: minimizes the bound-constrained test problem distributed with
 * L-BFGS-B 3.0 (driver1.f), f(x) = 4 [ (x_1 - 1)^2 / 4 + sum_{i>=2} (x_i - x_{i-1}^2)^2 ], with
 * x_i in [1, 100] for odd i and [-100, 100] for even i, from x = 3, at n = 1,000,000 (or the n
 * given as the first argument). The objective is plain Java over the solver's zero-copy buffers;
 * one progress line is printed per iteration, then a summary.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        double[] x0 = new double[n];
        java.util.Arrays.fill(x0, 3.0);

        long[] objectiveNanos = {0};
        Objective timed = (x, g) -> {
            long t = System.nanoTime();
            double f = BenchmarkProblems.driver(x, g);
            objectiveNanos[0] += System.nanoTime() - t;
            return f;
        };
        LbfgsbOptions options = LbfgsbOptions.builder()
                .iterationListener(s -> {
                    System.out.printf(Locale.ROOT, "iter %4d  evals %4d  f %.10e  |proj g| %.3e  step %.3e  free %8d  %7.3f s%n",
                            s.iteration(), s.evaluations(), s.value(), s.projectedGradientNorm(), s.stepLength(),
                            s.freeVariables(), s.elapsed().toNanos() / 1e9);
                    return IterationListener.Action.CONTINUE;
                })
                .build();

        System.out.printf(Locale.ROOT, "L-BFGS-B on the Algorithm 778 driver problem, n = %,d, m = %d, bounds on every variable%n",
                n, options.historySize());
        long start = System.nanoTime();
        LbfgsbResult r = Lbfgsb.minimize(timed, x0, BenchmarkProblems.driverBounds(n), options);
        double total = (System.nanoTime() - start) / 1e9;
        double inObjective = objectiveNanos[0] / 1e9;

        System.out.println();
        System.out.println("termination       " + r.termination() + " (" + r.message() + ")");
        System.out.printf(Locale.ROOT, "f                 %.17g%n", r.value());
        System.out.printf(Locale.ROOT, "|proj g|          %.3e%n", r.projectedGradientNorm());
        System.out.printf(Locale.ROOT, "iterations        %d%n", r.iterations());
        System.out.printf(Locale.ROOT, "evaluations       %d%n", r.evaluations());
        System.out.printf(Locale.ROOT, "wall time         %.3f s (objective %.3f s, solver %.3f s = %.1f ms per iteration)%n",
                total, inObjective, total - inObjective, (total - inObjective) * 1e3 / Math.max(1, r.iterations()));
        double[] x = r.x();
        System.out.printf(Locale.ROOT, "x[0..3]           %.6f %.6f %.6f %.6f%n", x[0], x[1], x[2], x[3]);
    }
}
