package org.lbfgsb4j.benchmarks;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.Locale;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Objective;

/**
 * The test problems shared by the benchmarks and {@link SideBySide}, each a plain Java loop over the
 * solver's zero-copy buffers. {@code benchmarks/scipy/side_by_side.py} holds their NumPy twins (same
 * mathematical function, same bounds, same start point).
 *
 * <ul>
 *   <li>{@link Problem#DRIVER}: the problem of L-BFGS-B 3.0's driver1.f,
 *       f(x) = 4 [ (x_1 - 1)^2 / 4 + sum_{i>=2} (x_i - x_{i-1}^2)^2 ], odd variables (1-based) in
 *       [1, 100], even ones in [-100, 100], from x = 3. Bounded.
 *   <li>{@link Problem#ROSENBROCK}: chained Rosenbrock as {@code scipy.optimize.rosen},
 *       f(x) = sum_{i=1}^{n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, no bounds, from
 *       (-1.2, 1, -1.2, 1, ...). Unbounded.
 *   <li>{@link Problem#ROSENBROCK_BOX}: the same function in the box [-2, 0.5]^n from
 *       (-1.2, 1, ...) (clipped by the solver to (-1.2, 0.5, ...)): the small-solve problem, as
 *       the reference case {@code rosen_n1000_box}; the upper bound is active at the solution.
 * </ul>
 */
final class BenchmarkProblems {
    private BenchmarkProblems() {}

    /** Lower bound of {@link Problem#ROSENBROCK_BOX}. */
    static final double BOX_LOWER = -2.0;
    /** Upper bound of {@link Problem#ROSENBROCK_BOX}. */
    static final double BOX_UPPER = 0.5;

    enum Problem {
        DRIVER("driver"),
        ROSENBROCK("rosenbrock"),
        ROSENBROCK_BOX("rosenbrock_box");

        final String id;

        Problem(String id) {
            this.id = id;
        }

        static Problem of(String id) {
            for (Problem p : values()) {
                if (p.id.equals(id) || p.name().equalsIgnoreCase(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("problem = " + id + ": must be one of driver, rosenbrock, rosenbrock_box");
        }

        Objective objective() {
            return this == DRIVER ? BenchmarkProblems::driver : BenchmarkProblems::rosenbrock;
        }

        double[] x0(int n) {
            if (this == DRIVER) {
                double[] x = new double[n];
                Arrays.fill(x, 3.0);
                return x;
            }
            return alternating(n);
        }

        Bounds bounds(int n) {
            switch (this) {
                case DRIVER:
                    return driverBounds(n);
                case ROSENBROCK:
                    return Bounds.unbounded(n);
                default:
                    return Bounds.box(n, BOX_LOWER, BOX_UPPER);
            }
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** driver1.f's bounds: [1, 100] for odd (1-based) variables, i.e. even 0-based indices, else [-100, 100]. */
    static Bounds driverBounds(int n) {
        double[] lower = new double[n];
        double[] upper = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = (i % 2 == 0) ? 1.0 : -100.0;
            upper[i] = 100.0;
        }
        return Bounds.of(lower, upper);
    }

    /** (-1.2, 1, -1.2, 1, ...). */
    static double[] alternating(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 2 == 0) ? -1.2 : 1.0;
        }
        return x;
    }

    /** The driver problem: f and its gradient in one pass over x (n >= 2). */
    static double driver(DoubleBuffer x, DoubleBuffer g) {
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

    /** Chained Rosenbrock: f and its gradient in one pass over x (n >= 2). */
    static double rosenbrock(DoubleBuffer x, DoubleBuffer g) {
        int n = x.limit();
        double f = 0.0;
        double xi = x.get(0);
        double carry = 0.0; // 200 (x_i - x_{i-1}^2), the part of g_i from the previous term
        for (int i = 0; i < n - 1; i++) {
            double next = x.get(i + 1);
            double a = next - xi * xi;
            double b = 1.0 - xi;
            f += 100.0 * a * a + b * b;
            g.put(i, carry - 400.0 * xi * a - 2.0 * b);
            carry = 200.0 * a;
            xi = next;
        }
        g.put(n - 1, carry);
        return f;
    }

    /** "1e6" / "1000000" / "1_000_000" as an int. */
    static int parseSize(String s) {
        double v = Double.parseDouble(s.replace("_", "").toLowerCase(Locale.ROOT));
        if (v < 1 || v > Integer.MAX_VALUE || v != Math.rint(v)) {
            throw new IllegalArgumentException("n = " + s + ": must be a positive integer");
        }
        return (int) v;
    }
}
