package org.lbfgsb4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Compares an objective's gradient with finite differences at a point, and names the components
 * that disagree most. A gradient inconsistent with f is the first cause of
 * {@link Termination#ABNORMAL_LINE_SEARCH} (SciPy's {@code ABNORMAL_TERMINATION_IN_LNSRCH}); run
 * this on the starting point, or on the x of an abnormal result, before anything else.
 *
 * <pre>{@code
 * GradientCheck check = GradientCheck.of(objective, x0, bounds);
 * if (!check.passes(GradientCheck.DEFAULT_TOLERANCE)) {
 *     System.err.println(check); // the worst components with their relative errors
 * }
 * }</pre>
 *
 * <p>The numeric gradient comes from {@link GradientScheme#threePoint()} by default: central
 * differences with the step {@code eps^(1/3) max(1, |x_i|)}, one-sided next to a bound (f is never
 * evaluated outside the box), truncation error O(h^2). The relative error of component i is
 *
 * <pre>
 *   |g_i - d_i| / max(|g_i|, |d_i|, tau_i),   tau_i = max({@value #ERROR_FLOOR} * max(1, |f(x)|), |h_i f''_ii|)
 * </pre>
 *
 * <p>where g is the objective's gradient and d the difference quotient (a fixed variable,
 * {@code lower_i == upper_i}, cannot be differenced inside the box: its d_i is NaN and its error
 * 0, since L-BFGS-B never uses that component); the floor tau_i keeps components whose gradient
 * is (nearly) zero, e.g. at a minimum, from reporting the error of the difference itself as a
 * large relative error: {@code |h_i f''_ii|} is how much the gradient changes over one difference
 * step h_i (f''_ii is the second difference the 3-point scheme gets from the same evaluations; 0
 * for a forward scheme), an error below it cannot be told from the differences' own. A correct
 * gradient typically gives errors below 1e-6; a wrong one, errors near 1 in the components it gets
 * wrong.
 *
 * <p>Costs one evaluation of f and its gradient plus 2n evaluations (n for a forward scheme). The
 * objective is called on the calling thread (or on the scheme's executor if it is parallel).
 * Immutable.
 */
public final class GradientCheck {

    /** The tolerance of {@link #passes()}: components with a larger relative error fail. */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /** The floor of the relative error's denominator, relative to {@code max(1, |f(x)|)}. */
    public static final double ERROR_FLOOR = 1e-6;
    /** How many components {@link #toString()} lists. */
    private static final int SHOWN = 10;

    /**
     * One component of the comparison.
     *
     * @param index the component i
     * @param analytic the objective's gradient g_i
     * @param numeric the finite-difference quotient d_i
     * @param relativeError {@code |g_i - d_i| / max(|g_i|, |d_i|, tau)}; +Infinity when g_i or d_i
     *     is not finite
     */
    public record Component(int index, double analytic, double numeric, double relativeError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "g[%d] = %.9e, differences %.9e, relative error %.2e", index,
                    analytic, numeric, relativeError);
        }
    }

    private final double value;
    private final double[] analytic;
    private final double[] numeric;
    private final double[] errors;
    private final Integer[] order; // indices by decreasing error
    private final GradientScheme scheme;

    private GradientCheck(double value, double[] analytic, double[] numeric, double[] curvatureTimesStep,
            Bounds bounds, GradientScheme scheme) {
        this.value = value;
        this.analytic = analytic;
        this.numeric = numeric;
        this.scheme = scheme;
        int n = analytic.length;
        double floor = ERROR_FLOOR * Math.max(1.0, Math.abs(value));
        errors = new double[n];
        for (int i = 0; i < n; i++) {
            double a = analytic[i];
            double d = numeric[i];
            if (bounds.isFixed(i)) {
                numeric[i] = Double.NaN; // no difference can be taken inside the box
                errors[i] = 0.0;
            } else if (!Double.isFinite(a) || !Double.isFinite(d)) {
                errors[i] = Double.POSITIVE_INFINITY;
            } else {
                double tau = Math.max(floor, Double.isFinite(curvatureTimesStep[i]) ? curvatureTimesStep[i] : 0);
                errors[i] = Math.abs(a - d) / Math.max(Math.max(Math.abs(a), Math.abs(d)), tau);
            }
        }
        order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Double.compare(errors[j], errors[i]));
    }

    /**
     * Checks {@code objective}'s gradient at x without bounds, with central differences.
     *
     * @param objective f and its gradient
     * @param x the point (not modified)
     * @return the comparison
     * @throws IllegalArgumentException if an argument is null, x is empty or not finite
     */
    public static GradientCheck of(Objective objective, double[] x) {
        return of(objective, x, x == null || x.length == 0 ? null : Bounds.unbounded(x.length),
                GradientScheme.threePoint());
    }

    /**
     * Checks {@code objective}'s gradient at x, with central differences that stay within
     * {@code bounds} (one-sided next to a bound).
     *
     * @param objective f and its gradient
     * @param x the point, within the bounds (not modified)
     * @param bounds the box f may be evaluated in
     * @return the comparison
     * @throws IllegalArgumentException if an argument is null, x is empty, not finite or outside the
     *     bounds, or its length differs from the bounds' size
     */
    public static GradientCheck of(Objective objective, double[] x, Bounds bounds) {
        return of(objective, x, bounds, GradientScheme.threePoint());
    }

    /**
     * Checks {@code objective}'s gradient at x against the differences of {@code scheme}.
     *
     * @param objective f and its gradient
     * @param x the point, within the bounds (not modified)
     * @param bounds the box f may be evaluated in
     * @param scheme the finite differences to compare with
     * @return the comparison
     * @throws IllegalArgumentException as {@link #of(Objective, double[], Bounds)}, or if scheme is
     *     null
     */
    public static GradientCheck of(Objective objective, double[] x, Bounds bounds, GradientScheme scheme) {
        if (objective == null || x == null || bounds == null || scheme == null) {
            String name = objective == null ? "objective" : x == null ? "x" : bounds == null ? "bounds" : "scheme";
            throw new IllegalArgumentException(name + " = null: must not be null");
        }
        int n = x.length;
        if (n == 0) {
            throw new IllegalArgumentException("x.length = 0: must be > 0");
        }
        if (bounds.size() != n) {
            throw new IllegalArgumentException(
                    "bounds.size() = " + bounds.size() + ": must equal the length of x, " + n);
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("x[" + i + "] = " + x[i] + ": must be finite");
            }
            if (!(bounds.lower(i) <= x[i] && x[i] <= bounds.upper(i))) {
                throw new IllegalArgumentException("x[" + i + "] = " + x[i] + ": must lie within the bounds ["
                        + bounds.lower(i) + ", " + bounds.upper(i) + "]");
            }
        }
        DoubleBuffer xb = direct(n);
        xb.put(0, x);
        DoubleBuffer g = direct(n);
        double f = objective.evaluate(xb.asReadOnlyBuffer(), g);
        double[] analytic = new double[n];
        g.get(0, analytic);
        DoubleBuffer scratch = direct(n);
        ValueObjective value = p -> objective.evaluate(p, scratch.clear());
        if (scheme.executor() != null) {
            value = p -> objective.evaluate(p, direct(n));
        }
        FiniteDifferenceGradient differences = new FiniteDifferenceGradient(value, scheme, bounds, null);
        double[] curvatureTimesStep = differences.recordCurvatureTimesStep();
        DoubleBuffer d = direct(n);
        xb.put(0, x);
        differences.evaluate(xb.asReadOnlyBuffer(), d);
        double[] numeric = new double[n];
        d.get(0, numeric);
        return new GradientCheck(f, analytic, numeric, curvatureTimesStep, bounds, scheme);
    }

    private static DoubleBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Double.BYTES * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /**
     * f at the point.
     *
     * @return f(x)
     */
    public double value() {
        return value;
    }

    /**
     * The number of components n.
     *
     * @return n
     */
    public int size() {
        return analytic.length;
    }

    /**
     * The largest relative error over all components (+Infinity if a component is not finite).
     *
     * @return the worst relative error
     */
    public double maxRelativeError() {
        return errors.length == 0 ? 0 : errors[order[0]];
    }

    /**
     * Whether every component's relative error is at most {@link #DEFAULT_TOLERANCE}.
     *
     * @return whether the gradient agrees with the differences
     */
    public boolean passes() {
        return passes(DEFAULT_TOLERANCE);
    }

    /**
     * Whether every component's relative error is at most {@code tolerance}.
     *
     * @param tolerance the largest acceptable relative error
     * @return whether the gradient agrees with the differences to that tolerance
     */
    public boolean passes(double tolerance) {
        return maxRelativeError() <= tolerance;
    }

    /**
     * The {@code k} components with the largest relative errors, worst first.
     *
     * @param k how many, {@code >= 0} (fewer if n is smaller)
     * @return the worst components
     * @throws IllegalArgumentException if {@code k < 0}
     */
    public List<Component> worst(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k = " + k + ": must be >= 0");
        }
        List<Component> out = new ArrayList<>();
        for (int j = 0; j < Math.min(k, order.length); j++) {
            out.add(component(order[j]));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The comparison of component i.
     *
     * @param i the index, {@code 0 <= i < size()}
     * @return the component
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public Component component(int i) {
        return new Component(i, analytic[i], numeric[i], errors[i]);
    }

    /**
     * The number of components whose relative error exceeds {@code tolerance}.
     *
     * @param tolerance the largest acceptable relative error
     * @return how many components fail
     */
    public int failures(double tolerance) {
        int count = 0;
        for (double e : errors) {
            if (!(e <= tolerance)) {
                count++;
            }
        }
        return count;
    }

    /**
     * A report: f, the worst relative error and the ten worst components, e.g.
     * {@code GradientCheck{n=3, f=1.25, maxRelativeError=5.00e-01 (1 of 3 components above
     * 1.0e-04), worst: g[2] = ..., differences ..., relative error 5.00e-01; ...}}.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("GradientCheck{n=").append(size()).append(", f=").append(value)
                .append(", maxRelativeError=").append(String.format(Locale.ROOT, "%.2e", maxRelativeError()))
                .append(" (").append(failures(DEFAULT_TOLERANCE)).append(" of ").append(size())
                .append(" components above ").append(String.format(Locale.ROOT, "%.1e", DEFAULT_TOLERANCE))
                .append("), differences ").append(scheme).append(", worst:");
        for (Component c : worst(SHOWN)) {
            b.append("\n  ").append(c);
        }
        return b.append("}").toString();
    }
}
