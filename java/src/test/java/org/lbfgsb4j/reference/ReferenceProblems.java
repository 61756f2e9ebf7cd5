package org.lbfgsb4j.reference;

import java.nio.DoubleBuffer;
import java.util.List;
import java.util.Map;
import org.lbfgsb4j.Objective;

/**
 * Java twins of the objectives in {@code benchmarks/scipy/reference_problems.py}.
 *
 * <p>Each implementation performs exactly the same floating-point operations, in the same order,
 * as its Python counterpart, so f and g are bit-identical to the values SciPy saw when the
 * reference data was generated ({@link ReferenceProblemsTest} proves it on the JSON's {@code
 * objective_checks}). Keep the two files in step: sums are sequential left-to-right loops, squares
 * are {@code t * t}, and exp/log are {@link StrictMath#exp}/{@link StrictMath#log} (fdlibm, which
 * the Python side re-implements bit for bit).
 *
 * <p>All buffer access is absolute ({@code get(i)}, {@code put(i, v)}); x is never written.
 */
public final class ReferenceProblems {

    /** The F matrix of SciPy's CheckOptimize maximum-entropy problem (5 x 3). */
    public static final double[][] MAXENT_F = {
        {1.0, 1.0, 1.0},
        {1.0, 1.0, 0.0},
        {1.0, 0.0, 1.0},
        {1.0, 0.0, 0.0},
        {1.0, 0.0, 0.0},
    };

    /** The K vector of SciPy's CheckOptimize maximum-entropy problem. */
    public static final double[] MAXENT_K = {1.0, 0.3, 0.5};

    private ReferenceProblems() {}

    /**
     * The objective for a problem id of the reference data.
     *
     * @param problem the case's {@code problem} id
     * @param params the case's {@code params} (may be empty, never null)
     * @param n the number of variables
     * @return an objective reading x[0..n) and writing g[0..n)
     * @throws IllegalArgumentException for an unknown id, a missing parameter or an invalid n
     */
    public static Objective create(String problem, Map<String, Object> params, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        switch (problem) {
            case "driver":
                requireAtLeast(problem, n, 2);
                return (x, g) -> driver(n, x, g);
            case "rosenbrock":
                return (x, g) -> rosenbrock(n, x, g);
            case "sphere": {
                double scale = number(params, "scale");
                return (x, g) -> sphere(n, scale, x, g);
            }
            case "step_scaling": {
                double scale = number(params, "scale");
                return (x, g) -> stepScaling(n, scale, x, g);
            }
            case "x_plus_exp":
                return (x, g) -> xPlusExp(n, x, g);
            case "maxent":
                if (n != MAXENT_K.length) {
                    throw new IllegalArgumentException("maxent needs n = 3, got " + n);
                }
                checkMaxentParams(params);
                return (x, g) -> maxent(x, g);
            case "beale":
                if (n != 2) {
                    throw new IllegalArgumentException("beale needs n = 2, got " + n);
                }
                return ReferenceProblems::beale;
            default:
                throw new IllegalArgumentException("unknown reference problem id: " + problem);
        }
    }

    /**
     * Infinity norm of the projected gradient, L-BFGS-B's {@code projgr} rule as in SciPy: for
     * {@code g[i] < 0} with a finite upper bound the component is {@code max(x[i] - u[i], g[i])};
     * for {@code g[i] >= 0} with a finite lower bound it is {@code min(x[i] - l[i], g[i])};
     * otherwise {@code g[i]}. Infinite entries in lower/upper mean "no bound".
     */
    public static double projectedGradientNorm(
            double[] x, double[] g, double[] lower, double[] upper) {
        double norm = 0.0;
        for (int i = 0; i < x.length; i++) {
            double gi = g[i];
            if (gi < 0.0) {
                if (upper[i] != Double.POSITIVE_INFINITY) {
                    gi = Math.max(x[i] - upper[i], gi);
                }
            } else {
                if (lower[i] != Double.NEGATIVE_INFINITY) {
                    gi = Math.min(x[i] - lower[i], gi);
                }
            }
            norm = Math.max(norm, Math.abs(gi));
        }
        return norm;
    }

    /**
     * L-BFGS-B 3.0 driver problem (driver1.f/driver2.f/driver3.f):
     * {@code f = 4[0.25(x1-1)^2 + sum_{i=2..n} (x_i - x_{i-1}^2)^2]}.
     */
    static double driver(int n, DoubleBuffer x, DoubleBuffer g) {
        double d = x.get(0) - 1.0;
        double f = 0.25 * (d * d);
        for (int i = 1; i < n; i++) {
            double xm = x.get(i - 1);
            double t = x.get(i) - xm * xm;
            f = f + t * t;
        }
        f = 4.0 * f;
        double x0 = x.get(0);
        double t1 = x.get(1) - x0 * x0;
        g.put(0, 2.0 * (x0 - 1.0) - 16.0 * x0 * t1);
        for (int i = 1; i < n - 1; i++) {
            double t2 = t1;
            double xi = x.get(i);
            t1 = x.get(i + 1) - xi * xi;
            g.put(i, 8.0 * t2 - 16.0 * xi * t1);
        }
        g.put(n - 1, 8.0 * t1);
        return f;
    }

    /**
     * Chained Rosenbrock as {@code scipy.optimize.rosen}:
     * {@code f = sum_{i=0..n-2} 100(x_{i+1} - x_i^2)^2 + (1 - x_i)^2}.
     */
    static double rosenbrock(int n, DoubleBuffer x, DoubleBuffer g) {
        double f = 0.0;
        double carry = 0.0; // the 200 a_{i-1} term already owed to g[i] (Python: g[i] so far)
        for (int i = 0; i < n - 1; i++) {
            double xi = x.get(i);
            double a = x.get(i + 1) - xi * xi;
            double b = 1.0 - xi;
            f = f + (100.0 * (a * a) + b * b);
            g.put(i, carry - 400.0 * xi * a - 2.0 * b);
            carry = 200.0 * a;
        }
        g.put(n - 1, carry);
        return f;
    }

    /** {@code f = scale * sum x_i^2}, {@code g_i = (2 scale) x_i}. */
    static double sphere(int n, double scale, DoubleBuffer x, DoubleBuffer g) {
        double s = 0.0;
        for (int i = 0; i < n; i++) {
            double xi = x.get(i);
            s = s + xi * xi;
        }
        double f = scale * s;
        double c = 2.0 * scale;
        for (int i = 0; i < n; i++) {
            g.put(i, c * x.get(i));
        }
        return f;
    }

    /**
     * SciPy test_initial_step_scaling: {@code f = sum scale (x_i - 1)^2} with the test's
     * deliberately inconsistent gradient {@code g_i = scale (x_i - 1)} (half the true one).
     */
    static double stepScaling(int n, double scale, DoubleBuffer x, DoubleBuffer g) {
        double f = 0.0;
        for (int i = 0; i < n; i++) {
            double d = x.get(i) - 1.0;
            f = f + scale * (d * d);
            g.put(i, scale * d);
        }
        return f;
    }

    /** {@code f = sum x_i + exp(-10 x_i)}, {@code g_i = 1 - 10 exp(-10 x_i)}. */
    static double xPlusExp(int n, DoubleBuffer x, DoubleBuffer g) {
        double f = 0.0;
        for (int i = 0; i < n; i++) {
            double xi = x.get(i);
            double e = StrictMath.exp(-10.0 * xi);
            f = f + (xi + e);
            g.put(i, 1.0 - 10.0 * e);
        }
        return f;
    }

    /**
     * SciPy CheckOptimize maximum-entropy problem: {@code f = log(sum_r exp((Fx)_r)) - K.x},
     * {@code g = F^T p - K} with {@code p_r = exp((Fx)_r - logZ)}.
     */
    static double maxent(DoubleBuffer x, DoubleBuffer g) {
        int rows = MAXENT_F.length;
        int n = MAXENT_K.length;
        double[] lp = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0.0;
            for (int j = 0; j < n; j++) {
                s = s + MAXENT_F[r][j] * x.get(j);
            }
            lp[r] = s;
        }
        double z = 0.0;
        for (int r = 0; r < rows; r++) {
            z = z + StrictMath.exp(lp[r]);
        }
        double logZ = StrictMath.log(z);
        double kx = 0.0;
        for (int j = 0; j < n; j++) {
            kx = kx + MAXENT_K[j] * x.get(j);
        }
        double f = logZ - kx;
        double[] p = new double[rows];
        for (int r = 0; r < rows; r++) {
            p[r] = StrictMath.exp(lp[r] - logZ);
        }
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int r = 0; r < rows; r++) {
                s = s + MAXENT_F[r][j] * p[r];
            }
            g.put(j, s - MAXENT_K[j]);
        }
        return f;
    }

    /** Beale: {@code (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2}. */
    static double beale(DoubleBuffer x, DoubleBuffer g) {
        double x0 = x.get(0);
        double y = x.get(1);
        double y2 = y * y;
        double y3 = y2 * y;
        double t1 = 1.5 - x0 + x0 * y;
        double t2 = 2.25 - x0 + x0 * y2;
        double t3 = 2.625 - x0 + x0 * y3;
        double f = t1 * t1 + t2 * t2 + t3 * t3;
        g.put(0, 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y2 - 1.0) + 2.0 * t3 * (y3 - 1.0));
        g.put(1, 2.0 * t1 * x0 + 4.0 * t2 * x0 * y + 6.0 * t3 * x0 * y2);
        return f;
    }

    private static void requireAtLeast(String problem, int n, int min) {
        if (n < min) {
            throw new IllegalArgumentException(problem + " needs n >= " + min + ", got " + n);
        }
    }

    private static double number(Map<String, Object> params, String key) {
        Object v = params.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("missing numeric parameter '" + key + "': " + v);
        }
        return ((Number) v).doubleValue();
    }

    /** The JSON carries F and K for documentation; they must be the constants used here. */
    private static void checkMaxentParams(Map<String, Object> params) {
        Object f = params.get("F");
        if (f != null) {
            List<?> rows = (List<?>) f;
            boolean same = rows.size() == MAXENT_F.length;
            for (int r = 0; same && r < rows.size(); r++) {
                List<?> row = (List<?>) rows.get(r);
                same = row.size() == MAXENT_F[r].length;
                for (int j = 0; same && j < row.size(); j++) {
                    same = ((Number) row.get(j)).doubleValue() == MAXENT_F[r][j];
                }
            }
            if (!same) {
                throw new IllegalArgumentException("maxent F differs from MAXENT_F: " + f);
            }
        }
        Object k = params.get("K");
        if (k != null) {
            List<?> list = (List<?>) k;
            boolean same = list.size() == MAXENT_K.length;
            for (int j = 0; same && j < list.size(); j++) {
                same = ((Number) list.get(j)).doubleValue() == MAXENT_K[j];
            }
            if (!same) {
                throw new IllegalArgumentException("maxent K differs from MAXENT_K: " + k);
            }
        }
    }
}
