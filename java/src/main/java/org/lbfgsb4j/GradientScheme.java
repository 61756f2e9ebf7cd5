package org.lbfgsb4j;

import java.util.concurrent.Executor;

/**
 * How the gradient of a {@link ValueObjective} is approximated by finite differences, exactly as
 * SciPy's L-BFGS-B does it ({@code scipy.optimize._numdiff.approx_derivative} called by
 * {@code ScalarFunction}), so that a run reproduces SciPy's iterates and evaluation counts. Pass it
 * to {@link Lbfgsb#minimize(ValueObjective, GradientScheme, double[], Bounds, LbfgsbOptions)},
 * which hands it the bounds.
 *
 * <p>Three schemes, for component i at the point x (with {@code sign(x) = +1} for {@code x >= 0},
 * -1 otherwise, and eps = 2.220446049250313e-16):
 * <ul>
 *   <li>{@link #forward()} / {@link #forward(double)}: SciPy's default {@code jac=None},
 *       forward differences {@code g_i = (f(x + h e_i) - f(x)) / ((x_i + h) - x_i)} with the
 *       absolute step {@code h = eps_abs} (SciPy's {@code eps}, default
 *       {@value #DEFAULT_ABSOLUTE_STEP}). If {@code x_i + h == x_i} the step becomes
 *       {@code sqrt(eps) sign(x_i) max(1, |x_i|)}. n evaluations of f per gradient.
 *   <li>{@link #twoPoint()} / {@link #twoPoint(double)}: SciPy's {@code jac='2-point'}, the same
 *       quotient with the relative step {@code h = r sign(x_i) |x_i|} for a given r (SciPy's
 *       {@code finite_diff_rel_step}), or {@code h = sqrt(eps) sign(x_i) max(1, |x_i|)} by
 *       default; a step that vanishes ({@code x_i + h == x_i}, e.g. at x_i = 0) becomes the
 *       default one. n evaluations per gradient.
 *   <li>{@link #threePoint()} / {@link #threePoint(double)}: SciPy's {@code jac='3-point'}, central
 *       differences {@code g_i = (f(x + h e_i) - f(x - h e_i)) / ((x_i + h) - (x_i - h))} with
 *       {@code h = |r x_i|} or {@code eps^(1/3) max(1, |x_i|)} by default; second order accurate. 2n
 *       evaluations per gradient.
 * </ul>
 *
 * <p><b>Bounds</b> (SciPy's {@code _adjust_scheme_to_bounds}): f is never evaluated outside the
 * box. With the step h and the distances {@code lo = x_i - lower_i}, {@code up = upper_i - x_i}:
 * <ul>
 *   <li>forward and 2-point: if {@code x_i + h} leaves the box but {@code |h| <= max(lo, up)}, the
 *       difference is taken backwards ({@code -h}); if {@code |h| > max(lo, up)} the step becomes
 *       {@code up} (when {@code up >= lo}) or {@code -lo}.
 *   <li>3-point: central when {@code lo >= h} and {@code up >= h}; otherwise one-sided
 *       {@code g_i = (-3 f(x) + 4 f(x + h e_i) - f(x + 2h e_i)) / ((x_i + 2h) - x_i)} with
 *       {@code h = min(h, up/2)} forwards (when {@code up >= lo}) or {@code h = -min(h, lo/2)}
 *       backwards, unless that step is no longer than {@code min(lo, up)}, in which case the
 *       difference is central with {@code h = min(lo, up)}.
 *   <li>A fixed variable ({@code lower_i == upper_i}) gets the gradient component 0 without any
 *       evaluation: L-BFGS-B never moves it (SciPy's {@code minimize} removes fixed variables from
 *       the problem when it differences, so the counts agree).
 * </ul>
 *
 * <p><b>Counts.</b> An evaluation the solver asks for costs one evaluation of f at x plus the n
 * (or 2n) difference quotients; {@link LbfgsbResult#functionEvaluations()} counts them all (SciPy's
 * {@code nfev}) and {@link LbfgsbResult#gradientEvaluations()} the gradients (SciPy's
 * {@code njev}). As SciPy's {@code ScalarFunction} does, a request at the point evaluated last
 * reuses its f and gradient. If f(x) is not finite, the difference quotients are skipped and the
 * gradient is NaN (the solver rejects the point anyway; SciPy would still spend n evaluations).
 *
 * <p><b>Parallel differences.</b> {@link #parallel(Executor)} evaluates the difference quotients
 * on a caller-supplied executor, for a thread-safe objective whose evaluations are expensive. Each
 * task works on its own copy of x; the gradient is bit for bit the serial one, and so is the whole
 * run (for a deterministic objective). f(x) itself is evaluated on the minimizing thread first.
 *
 * <p>Immutable and thread-safe; one scheme may serve any number of runs at once.
 */
public final class GradientScheme {

    /** SciPy's default absolute step {@code eps} of {@code jac=None}. */
    public static final double DEFAULT_ABSOLUTE_STEP = 1e-8;
    /** The default relative step of the forward schemes: {@code sqrt(eps)}, 2<sup>-26</sup>. */
    public static final double TWO_POINT_RELATIVE_STEP = 1.4901161193847656e-08;
    /** The default relative step of the 3-point scheme: {@code eps^(1/3)} as NumPy computes it. */
    public static final double THREE_POINT_RELATIVE_STEP = 6.055454452393343e-06;

    /** The three difference formulas. */
    enum Kind {
        /** SciPy jac=None: forward, absolute step. */
        FORWARD,
        /** SciPy '2-point': forward, relative step. */
        TWO_POINT,
        /** SciPy '3-point': central (one-sided near a bound), relative step. */
        THREE_POINT
    }

    private final Kind kind;
    /** FORWARD: the absolute step; otherwise the relative step, or NaN for the default. */
    private final double step;
    private final Executor executor; // null: serial
    private final int tasks;

    private GradientScheme(Kind kind, double step, Executor executor, int tasks) {
        this.kind = kind;
        this.step = step;
        this.executor = executor;
        this.tasks = tasks;
    }

    /**
     * SciPy's default for an objective without gradient ({@code jac=None}): forward differences
     * with the absolute step {@value #DEFAULT_ABSOLUTE_STEP}.
     *
     * @return the scheme
     */
    public static GradientScheme forward() {
        return new GradientScheme(Kind.FORWARD, DEFAULT_ABSOLUTE_STEP, null, 1);
    }

    /**
     * Forward differences with the absolute step {@code h} (SciPy's {@code eps} with
     * {@code jac=None}); a step lost to rounding ({@code x_i + h == x_i}) becomes
     * {@code sqrt(eps) sign(x_i) max(1, |x_i|)}.
     *
     * @param absoluteStep h, finite; its sign gives the direction (positive: forwards)
     * @return the scheme
     * @throws IllegalArgumentException if h is not finite
     */
    public static GradientScheme forward(double absoluteStep) {
        requireFinite("absoluteStep", absoluteStep);
        return new GradientScheme(Kind.FORWARD, absoluteStep, null, 1);
    }

    /**
     * SciPy's {@code jac='2-point'}: forward differences with the relative step
     * {@code sqrt(eps) sign(x_i) max(1, |x_i|)}.
     *
     * @return the scheme
     */
    public static GradientScheme twoPoint() {
        return new GradientScheme(Kind.TWO_POINT, Double.NaN, null, 1);
    }

    /**
     * SciPy's {@code jac='2-point'} with {@code finite_diff_rel_step = r}: the step is
     * {@code r sign(x_i) |x_i|}, or the default one where that vanishes.
     *
     * @param relativeStep r, finite
     * @return the scheme
     * @throws IllegalArgumentException if r is not finite
     */
    public static GradientScheme twoPoint(double relativeStep) {
        requireFinite("relativeStep", relativeStep);
        return new GradientScheme(Kind.TWO_POINT, relativeStep, null, 1);
    }

    /**
     * SciPy's {@code jac='3-point'}: central differences with the step
     * {@code eps^(1/3) max(1, |x_i|)}, one-sided next to a bound.
     *
     * @return the scheme
     */
    public static GradientScheme threePoint() {
        return new GradientScheme(Kind.THREE_POINT, Double.NaN, null, 1);
    }

    /**
     * SciPy's {@code jac='3-point'} with {@code finite_diff_rel_step = r}: the step is
     * {@code |r x_i|}, or the default one where that vanishes.
     *
     * @param relativeStep r, finite
     * @return the scheme
     * @throws IllegalArgumentException if r is not finite
     */
    public static GradientScheme threePoint(double relativeStep) {
        requireFinite("relativeStep", relativeStep);
        return new GradientScheme(Kind.THREE_POINT, relativeStep, null, 1);
    }

    /**
     * This scheme with the difference quotients evaluated on {@code executor}, split into
     * {@code Runtime.getRuntime().availableProcessors()} tasks (SciPy's {@code workers}). The
     * objective must be thread-safe. Results are bit for bit those of the serial scheme.
     *
     * @param executor runs the tasks, e.g. a {@code ForkJoinPool} or a fixed thread pool
     * @return the parallel scheme
     * @throws IllegalArgumentException if executor is null
     */
    public GradientScheme parallel(Executor executor) {
        return parallel(executor, Runtime.getRuntime().availableProcessors());
    }

    /**
     * This scheme with the difference quotients evaluated on {@code executor} in {@code tasks}
     * tasks of contiguous components, each with its own copy of x (so {@code tasks * n} doubles
     * of scratch memory). The objective must be thread-safe. Results are bit for bit those of the
     * serial scheme.
     *
     * @param executor runs the tasks
     * @param tasks the number of tasks per gradient, {@code >= 1}
     * @return the parallel scheme
     * @throws IllegalArgumentException if executor is null or {@code tasks < 1}
     */
    public GradientScheme parallel(Executor executor, int tasks) {
        if (executor == null) {
            throw new IllegalArgumentException("executor = null: must not be null");
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks = " + tasks + ": must be >= 1");
        }
        return new GradientScheme(kind, step, executor, tasks);
    }

    /**
     * The same scheme evaluated serially on the minimizing thread.
     *
     * @return the serial scheme
     */
    public GradientScheme serial() {
        return new GradientScheme(kind, step, null, 1);
    }

    /**
     * Evaluations of f per gradient, besides f(x): n for the forward schemes, 2n for 3-point (fewer
     * with fixed variables).
     *
     * @param n the number of variables
     * @return the evaluations per gradient
     */
    public long evaluationsPerGradient(int n) {
        return kind == Kind.THREE_POINT ? 2L * n : n;
    }

    Kind kind() {
        return kind;
    }

    /** The absolute step (FORWARD) or the relative step, NaN for the default relative step. */
    double step() {
        return step;
    }

    Executor executor() {
        return executor;
    }

    int tasks() {
        return tasks;
    }

    private static void requireFinite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + ": must be finite");
        }
    }

    /** E.g. {@code GradientScheme.threePoint(relativeStep=1.0E-4, parallel 8 tasks)}. */
    @Override
    public String toString() {
        String s;
        switch (kind) {
            case FORWARD:
                s = "forward(absoluteStep=" + step;
                break;
            case TWO_POINT:
                s = "twoPoint(" + (Double.isNaN(step) ? "default step" : "relativeStep=" + step);
                break;
            default:
                s = "threePoint(" + (Double.isNaN(step) ? "default step" : "relativeStep=" + step);
                break;
        }
        return "GradientScheme." + s + (executor == null ? "" : ", parallel " + tasks + " tasks") + ")";
    }

    /** Equal when the formula, the step and the executor (by identity) and task count are equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GradientScheme)) {
            return false;
        }
        GradientScheme g = (GradientScheme) o;
        return kind == g.kind && Double.compare(step, g.step) == 0 && executor == g.executor && tasks == g.tasks;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, step, System.identityHashCode(executor), tasks);
    }
}
