package org.lbfgsb4j.benchmarks;

import java.nio.DoubleBuffer;
import java.util.Locale;
import org.lbfgsb4j.Bounds;
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

    /** The driver problem: f and its gradient, one pass over x. */
    static double driverProblem(DoubleBuffer x, DoubleBuffer g) {
        int n = x.limit();
        double x0 = x.get(0);
        double f = 0.25 * (x0 - 1.0) * (x0 - 1.0);
        double t1 = x.get(1) - x0 * x0;
        g.put(0, 2.0 * (x0 - 1.0) - 16.0 * x0 * t1);
        for (int i = 1; i < n - 1; i++) {
            double xi = x.get(i);
            double t0 = t1;
            t1 = x.get(i + 1) - xi * xi;
            f += t0 * t0;
            g.put(i, 8.0 * t0 - 16.0 * xi * t1);
        }
        f += t1 * t1;
        g.put(n - 1, 8.0 * t1);
        return 4.0 * f;
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        double[] lower = new double[n];
        double[] upper = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = (i % 2 == 0) ? 1.0 : -100.0;
            upper[i] = 100.0;
        }
        double[] x0 = new double[n];
        java.util.Arrays.fill(x0, 3.0);

        long[] objectiveNanos = {0};
        Objective timed = (x, g) -> {
            long t = System.nanoTime();
            double f = driverProblem(x, g);
            objectiveNanos[0] += System.nanoTime() - t;
            return f;
        };
        LbfgsbOptions options = LbfgsbOptions.builder()
                .retainFinalState(false)  // no copy of the 170 MB final state: the demo does not resume
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
        LbfgsbResult r = Lbfgsb.minimize(timed, x0, Bounds.of(lower, upper), options);
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
