package org.lbfgsb4j;

import java.util.Arrays;

/**
 * The outcome of a run: SciPy's {@code OptimizeResult} ({@code x}, {@code fun}, {@code jac},
 * {@code nit}, {@code nfev}, {@code njev}, {@code message}, {@code success}), plus why it stopped
 * as a {@link Termination} and in words with the numbers ({@link #explanation()}), the projected
 * gradient norm, and whether x0 was moved onto the bounds.
 *
 * <p>Immutable. The array accessors return a new copy on every call (O(n) each), so the result
 * cannot be changed through them. {@link #equals} compares every number and array bit for bit,
 * not the explanation (whose times vary between identical runs).
 */
public final class LbfgsbResult {

    private final double[] x;
    private final double value;
    private final double[] gradient;
    private final long iterations;
    private final long evaluations;
    private final long functionEvaluations;
    private final long gradientEvaluations;
    private final double projectedGradientNorm;
    private final Termination termination;
    private final boolean x0Projected;
    /** The explanation, computed on first request (formatting numbers costs microseconds). */
    private String explanation;
    /** What the explanation is made of, until it is computed; null for the generic text. */
    private Explanation.Facts facts;
    /** The solver's final state, when the options retain it (not part of equality). */
    private Checkpoint finalState;

    /**
     * Built by the driver. Takes ownership of the arrays (does not copy them): pass arrays nobody
     * else holds.
     *
     * @param x the solution, n values
     * @param value f at x
     * @param gradient the gradient at x, n values
     * @param iterations iterations done, {@code >= 0}
     * @param evaluations evaluations of f and g, {@code >= 0}
     * @param projectedGradientNorm {@code max_i |P(x - g) - x|_i} at x
     * @param termination why the run ended
     * @param x0Projected whether x0 was outside the bounds and projected onto them
     * @throws IllegalArgumentException if an argument is null, the lengths differ, or a count is negative
     */
    LbfgsbResult(double[] x, double value, double[] gradient, long iterations, long evaluations,
            double projectedGradientNorm, Termination termination, boolean x0Projected) {
        this(x, value, gradient, iterations, evaluations, evaluations, evaluations, projectedGradientNorm,
                termination, x0Projected, null);
    }

    /**
     * As the other constructor, with the evaluation counts of f and of the gradient apart and the
     * explanation of the termination.
     *
     * @param functionEvaluations evaluations of f, {@code >= 0} (SciPy's nfev)
     * @param gradientEvaluations evaluations of the gradient, {@code >= 0} (SciPy's njev)
     * @param explanation why the run ended, with numbers; null for a generic text
     */
    LbfgsbResult(double[] x, double value, double[] gradient, long iterations, long evaluations,
            long functionEvaluations, long gradientEvaluations, double projectedGradientNorm,
            Termination termination, boolean x0Projected, String explanation) {
        requireNonNull("x", x);
        requireNonNull("gradient", gradient);
        requireNonNull("termination", termination);
        if (x.length != gradient.length) {
            throw new IllegalArgumentException("x.length = " + x.length + " != gradient.length = "
                    + gradient.length + ": must be equal");
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations = " + iterations + ": must be >= 0");
        }
        if (evaluations < 0) {
            throw new IllegalArgumentException("evaluations = " + evaluations + ": must be >= 0");
        }
        if (functionEvaluations < 0) {
            throw new IllegalArgumentException("functionEvaluations = " + functionEvaluations + ": must be >= 0");
        }
        if (gradientEvaluations < 0) {
            throw new IllegalArgumentException("gradientEvaluations = " + gradientEvaluations + ": must be >= 0");
        }
        this.x = x;
        this.value = value;
        this.gradient = gradient;
        this.iterations = iterations;
        this.evaluations = evaluations;
        this.functionEvaluations = functionEvaluations;
        this.gradientEvaluations = gradientEvaluations;
        this.projectedGradientNorm = projectedGradientNorm;
        this.termination = termination;
        this.x0Projected = x0Projected;
        this.explanation = explanation;
    }

    /** Attaches the facts the explanation is computed from, on request (by the driver). */
    LbfgsbResult withExplanation(Explanation.Facts facts) {
        if (explanation == null) {
            this.facts = facts;
        }
        return this;
    }

    /** Attaches the solver's final state (by the driver, before the result is handed out). */
    LbfgsbResult withFinalState(Checkpoint state) {
        this.finalState = state;
        return this;
    }

    /**
     * The solver's complete final state: write it to a file, or continue the run from it with
     * other limits ({@link Lbfgsb#resume}).
     *
     * @return the final state
     * @throws IllegalStateException when the options did not retain it (by default a state larger
     *     than {@link LbfgsbOptions#DEFAULT_RETAIN_FINAL_STATE_LIMIT} bytes is not kept; see
     *     {@link LbfgsbOptions#retainFinalStateLimit()})
     */
    public Checkpoint checkpoint() {
        if (finalState == null) {
            throw new IllegalStateException("the final state was not retained (it is larger than "
                    + "LbfgsbOptions.retainFinalStateLimit(), or retainFinalState(false) was set): "
                    + "run with LbfgsbOptions.Builder.retainFinalState(true) to keep it");
        }
        return finalState;
    }

    /**
     * The solver's limited-memory inverse Hessian at x ({@link InverseHessian#of(Checkpoint)});
     * {@link InverseHessian#scipyCompatible(Checkpoint) InverseHessian.scipyCompatible(r.checkpoint())}
     * gives SciPy's {@code hess_inv} instead.
     *
     * @throws IllegalStateException when the options did not retain the final state
     */
    public InverseHessian inverseHessian() {
        return InverseHessian.of(checkpoint());
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " = null: must not be null");
        }
    }

    /**
     * The solution: the last accepted iterate (SciPy's {@code x}). A new copy on every call.
     *
     * @return a copy of x, n values
     */
    public double[] x() {
        return x.clone();
    }

    /**
     * The number of variables n.
     *
     * @return n
     */
    public int size() {
        return x.length;
    }

    /**
     * f at {@link #x()} (SciPy's {@code fun}). Always f at the returned x, also after
     * {@link Termination#ABNORMAL_LINE_SEARCH}, where SciPy returns the value of the last failed trial
     * point instead.
     *
     * @return f(x)
     */
    public double value() {
        return value;
    }

    /**
     * The gradient of f at {@link #x()} (SciPy's {@code jac}). A new copy on every call.
     *
     * @return a copy of the gradient, n values
     */
    public double[] gradient() {
        return gradient.clone();
    }

    /**
     * The number of iterations done (SciPy's {@code nit}); 0 if x0 already passed the projected
     * gradient test.
     *
     * @return the iteration count
     */
    public long iterations() {
        return iterations;
    }

    /**
     * The number of evaluations of f and its gradient the solver asked for, x0 included (SciPy's
     * {@code nfev} with an analytic gradient, where it equals {@code njev}). The native core's
     * count, which {@link LbfgsbOptions#maxEvaluations()} limits for an analytic gradient.
     *
     * @return the evaluation count
     */
    public long evaluations() {
        return evaluations;
    }

    /**
     * The number of evaluations of f, x0 included: SciPy's {@code nfev}, the calls of the user's
     * function. With an analytic gradient ({@link Objective}) it equals {@link #evaluations()};
     * with a {@link GradientScheme} it also counts the difference quotients (about
     * {@code (n + 1) * gradientEvaluations()} for forward differences, {@code (2n + 1) *} for
     * 3-point), which is what {@link LbfgsbOptions#maxEvaluations()} then limits.
     *
     * @return the evaluations of f
     */
    public long functionEvaluations() {
        return functionEvaluations;
    }

    /**
     * The number of gradient evaluations: SciPy's {@code njev}. With an analytic gradient it equals
     * {@link #evaluations()}; with a {@link GradientScheme} it is the number of finite-difference
     * gradients (a request at the point evaluated last reuses its gradient and is not counted, as
     * in SciPy).
     *
     * @return the evaluations of the gradient
     */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /**
     * {@code max_i |P(x - g) - x|_i} at {@link #x()}, the infinity norm of the projected gradient (P
     * projects onto the bounds; {@code sbgnrm} in L-BFGS-B), compared with
     * {@link LbfgsbOptions#projectedGradientTolerance()}. NaN if the gradient has a NaN component.
     *
     * @return the projected gradient norm
     */
    public double projectedGradientNorm() {
        return projectedGradientNorm;
    }

    /**
     * Why the run ended.
     *
     * @return the termination
     */
    public Termination termination() {
        return termination;
    }

    /**
     * SciPy's message for the termination (SciPy's {@code message}), e.g.
     * {@code "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL"}; see {@link Termination#scipyMessage()}.
     *
     * @return the message text
     */
    public String message() {
        return termination.scipyMessage();
    }

    /**
     * Why the run ended, with the numbers that triggered it, e.g. {@code "projected gradient
     * 8.1e-06 <= 1.0e-05 (projectedGradientTolerance) after 12 iterations and 15 evaluations; f =
     * 0.25"}. After {@link Termination#ABNORMAL_LINE_SEARCH} it names the usual cause (a gradient
     * inconsistent with f) and {@link GradientCheck} to find it. For people, not for parsing:
     * {@link #termination()} and the numeric accessors are the stable API, and {@link #message()}
     * is SciPy's exact text.
     *
     * @return the explanation
     */
    public String explanation() {
        String e = explanation;
        if (e == null) {
            Explanation.Facts f = facts;
            e = f != null ? Explanation.of(f)
                    : termination.scipyMessage().trim() + ": f = " + value + ", projected gradient "
                            + Explanation.num(projectedGradientNorm) + " after " + iterations + " iterations and "
                            + evaluations + " evaluations";
            explanation = e; // a benign race: every thread computes the same text
        }
        return e;
    }

    /**
     * Whether the run converged: {@code termination().isConvergence()}, f finite and the projected
     * gradient norm not NaN. Like SciPy's {@code success}, except that a non-finite f or gradient
     * never counts as converged (SciPy can report convergence with {@code fun = nan}).
     *
     * @return whether x is a converged solution
     */
    public boolean converged() {
        return termination.isConvergence() && Double.isFinite(value) && !Double.isNaN(projectedGradientNorm);
    }

    /**
     * Whether the starting point was outside the bounds and was projected onto them before the first
     * evaluation (SciPy clips x0 silently; this reports it).
     *
     * @return whether x0 was moved onto the bounds
     */
    public boolean x0Projected() {
        return x0Projected;
    }

    /**
     * Equal when every field but the explanation is equal, arrays element by element (bit
     * patterns, as {@link Arrays#equals}).
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LbfgsbResult)) {
            return false;
        }
        LbfgsbResult r = (LbfgsbResult) o;
        return Double.compare(value, r.value) == 0
                && iterations == r.iterations
                && evaluations == r.evaluations
                && functionEvaluations == r.functionEvaluations
                && gradientEvaluations == r.gradientEvaluations
                && Double.compare(projectedGradientNorm, r.projectedGradientNorm) == 0
                && termination == r.termination
                && x0Projected == r.x0Projected
                && Arrays.equals(x, r.x)
                && Arrays.equals(gradient, r.gradient);
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(value);
        h = 31 * h + Long.hashCode(iterations);
        h = 31 * h + Long.hashCode(evaluations);
        h = 31 * h + Long.hashCode(functionEvaluations);
        h = 31 * h + Long.hashCode(gradientEvaluations);
        h = 31 * h + Double.hashCode(projectedGradientNorm);
        h = 31 * h + termination.hashCode();
        h = 31 * h + Boolean.hashCode(x0Projected);
        h = 31 * h + Arrays.hashCode(x);
        return 31 * h + Arrays.hashCode(gradient);
    }

    /**
     * A summary with at most a few components of x, e.g. {@code LbfgsbResult{termination=
     * CONVERGED_PROJECTED_GRADIENT, message="CONVERGENCE: ...", value=1.2e-11, ...,
     * n=1000000, x=[1.0, 1.0, 1.0, 1.0, ..., 1.0, 1.0]}}.
     */
    @Override
    public String toString() {
        return "LbfgsbResult{termination=" + termination + ", message=\"" + message() + "\", converged="
                + converged() + ", value=" + value + ", projectedGradientNorm=" + projectedGradientNorm
                + ", iterations=" + iterations + ", evaluations=" + evaluations
                + (functionEvaluations == evaluations && gradientEvaluations == evaluations ? ""
                        : ", functionEvaluations=" + functionEvaluations + ", gradientEvaluations="
                                + gradientEvaluations)
                + ", x0Projected="
                + x0Projected + ", n=" + x.length + ", x=" + Bounds.summarize(x.length, i -> x[i]) + "}";
    }
}
