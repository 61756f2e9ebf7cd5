package org.lbfgsb4j;

import java.util.Objects;
import java.util.Optional;

/**
 * Settings of an L-BFGS-B run. The defaults are those of SciPy's
 * {@code minimize(method='L-BFGS-B')} (SciPy's name is given with each option), so a run with
 * {@link #defaults()} stops where SciPy stops.
 *
 * <p>Immutable; make one with {@link #defaults()} or {@link #builder()}, change one with
 * {@link #toBuilder()}:
 *
 * <pre>{@code
 * LbfgsbOptions options = LbfgsbOptions.builder()
 *         .historySize(5)
 *         .projectedGradientTolerance(1e-8)
 *         .iterationListener(state -> IterationListener.Action.CONTINUE)
 *         .build();
 * }</pre>
 *
 * <p>All checks are made by {@link Builder#build()}; an invalid value gets an
 * {@link IllegalArgumentException} whose message names the option, its value and the rule, e.g.
 * {@code "historySize = 0: must be > 0"}.
 */
public final class LbfgsbOptions {

    /** Default {@link #historySize()}: SciPy's {@code maxcor}. */
    public static final int DEFAULT_HISTORY_SIZE = 10;
    /**
     * The largest {@link #historySize()}: the native core's 2m x 2m matrices must be addressable by
     * 32-bit LAPACK ((2m)<sup>2</sup> &lt; 2<sup>31</sup>).
     */
    public static final int MAX_HISTORY_SIZE = 23170;
    /**
     * Default {@link #relativeReductionTolerance()}: SciPy's {@code ftol}, {@code factr = 1e7} times
     * the machine epsilon 2.220446049250313e-16.
     */
    public static final double DEFAULT_RELATIVE_REDUCTION_TOLERANCE = 2.220446049250313e-9;
    /** Default {@link #projectedGradientTolerance()}: SciPy's {@code gtol}. */
    public static final double DEFAULT_PROJECTED_GRADIENT_TOLERANCE = 1e-5;
    /** Default {@link #maxIterations()}: SciPy's {@code maxiter}. */
    public static final long DEFAULT_MAX_ITERATIONS = 15000;
    /** Default {@link #maxEvaluations()}: SciPy's {@code maxfun}. */
    public static final long DEFAULT_MAX_EVALUATIONS = 15000;
    /** Default {@link #maxLineSearchSteps()}: SciPy's {@code maxls}. */
    public static final int DEFAULT_MAX_LINE_SEARCH_STEPS = 20;
    /** Default {@link #lineSearchSufficientDecrease()}: the {@code ftol} SciPy passes to dcsrch. */
    public static final double DEFAULT_LINE_SEARCH_SUFFICIENT_DECREASE = 1e-3;
    /** Default {@link #lineSearchCurvature()}: the {@code gtol} SciPy passes to dcsrch. */
    public static final double DEFAULT_LINE_SEARCH_CURVATURE = 0.9;
    /** Default {@link #lineSearchStepTolerance()}: the {@code xtol} SciPy passes to dcsrch. */
    public static final double DEFAULT_LINE_SEARCH_STEP_TOLERANCE = 0.1;
    /** Default {@link #lineSearchMaxStep()}: the {@code stpmax} of an unconstrained search in SciPy. */
    public static final double DEFAULT_LINE_SEARCH_MAX_STEP = 1e10;

    private static final LbfgsbOptions DEFAULTS = builder().build();

    private final int historySize;
    private final double relativeReductionTolerance;
    private final double projectedGradientTolerance;
    private final long maxIterations;
    private final long maxEvaluations;
    private final int maxLineSearchSteps;
    private final double lineSearchSufficientDecrease;
    private final double lineSearchCurvature;
    private final double lineSearchStepTolerance;
    private final double lineSearchMaxStep;
    private final IterationListener iterationListener; // null: none

    private LbfgsbOptions(Builder b) {
        this.historySize = b.historySize;
        this.relativeReductionTolerance = b.relativeReductionTolerance;
        this.projectedGradientTolerance = b.projectedGradientTolerance;
        this.maxIterations = b.maxIterations;
        this.maxEvaluations = b.maxEvaluations;
        this.maxLineSearchSteps = b.maxLineSearchSteps;
        this.lineSearchSufficientDecrease = b.lineSearchSufficientDecrease;
        this.lineSearchCurvature = b.lineSearchCurvature;
        this.lineSearchStepTolerance = b.lineSearchStepTolerance;
        this.lineSearchMaxStep = b.lineSearchMaxStep;
        this.iterationListener = b.iterationListener;
    }

    /**
     * SciPy's defaults, with no iteration listener.
     *
     * @return the default options
     */
    public static LbfgsbOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder holding SciPy's defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder with every value of this instance
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The number m of correction pairs (s, y) kept to approximate the Hessian: SciPy's
     * {@code maxcor} ({@code m} in {@code fmin_l_bfgs_b}). Memory grows by 2n doubles per pair and
     * each iteration costs O(m n) + O(m<sup>3</sup>); 3 to 20 is the usual range. Default
     * {@value #DEFAULT_HISTORY_SIZE}; must be {@code > 0} and at most {@value #MAX_HISTORY_SIZE}.
     *
     * @return m
     */
    public int historySize() {
        return historySize;
    }

    /**
     * The relative-reduction stopping test: the run converges
     * ({@link Termination#CONVERGED_RELATIVE_REDUCTION}) when an iteration gives
     * {@code (f_k - f_{k+1}) <= tol * max(|f_k|, |f_{k+1}|, 1)}. SciPy's {@code ftol}; equals
     * {@code factr * eps} for {@code fmin_l_bfgs_b}'s {@code factr} (eps = 2.220446049250313e-16).
     * Default {@value #DEFAULT_RELATIVE_REDUCTION_TOLERANCE} (factr = 1e7); 0 stops only when f does
     * not decrease at all. Must be finite and {@code >= 0}.
     *
     * @return the tolerance
     */
    public double relativeReductionTolerance() {
        return relativeReductionTolerance;
    }

    /**
     * The projected-gradient stopping test: the run converges
     * ({@link Termination#CONVERGED_PROJECTED_GRADIENT}) when {@code max_i |P(x - g) - x|_i <= tol},
     * where g is the gradient at x and P projects onto the bounds. Tested at x0 too. SciPy's
     * {@code gtol} ({@code pgtol} in {@code fmin_l_bfgs_b}). Default
     * {@value #DEFAULT_PROJECTED_GRADIENT_TOLERANCE}; must be finite and {@code >= 0}.
     *
     * @return the tolerance
     */
    public double projectedGradientTolerance() {
        return projectedGradientTolerance;
    }

    /**
     * The iteration limit: the run ends with {@link Termination#MAX_ITERATIONS} once this many
     * iterations are done. SciPy's {@code maxiter}. Checked after each iteration, as SciPy does.
     * 0 means only x0 is evaluated: the run ends after the first evaluation, with
     * {@link Termination#CONVERGED_PROJECTED_GRADIENT} if x0 passes that test and
     * {@link Termination#MAX_ITERATIONS} otherwise (an improvement over SciPy, which still performs
     * one iteration with {@code maxiter=0}). Default {@value #DEFAULT_MAX_ITERATIONS}; must be
     * {@code >= 0}.
     *
     * @return the iteration limit
     */
    public long maxIterations() {
        return maxIterations;
    }

    /**
     * The evaluation limit: the run ends with {@link Termination#MAX_EVALUATIONS} when, at the end of
     * an iteration, more than this many evaluations of f and g were made. SciPy's {@code maxfun}.
     * Checked at the end of each iteration, as SciPy does, so a line search can overshoot it by up
     * to {@link #maxLineSearchSteps()} evaluations. Default {@value #DEFAULT_MAX_EVALUATIONS}; must be
     * {@code >= 1}.
     *
     * @return the evaluation limit
     */
    public long maxEvaluations() {
        return maxEvaluations;
    }

    /**
     * The most evaluations one line search may make before it counts as failed (the solver then
     * restarts from the steepest descent, or ends with {@link Termination#ABNORMAL_LINE_SEARCH} if
     * its memory was already empty). SciPy's {@code maxls}. Default
     * {@value #DEFAULT_MAX_LINE_SEARCH_STEPS}; must be {@code > 0}.
     *
     * @return the line-search evaluation limit
     */
    public int maxLineSearchSteps() {
        return maxLineSearchSteps;
    }

    /**
     * The sufficient-decrease (Armijo) constant c1 of the Moré–Thuente line search: a step
     * {@code a} must satisfy {@code f(x + a d) <= f(x) + c1 a g^T d}. The {@code ftol} argument of
     * dcsrch, hard-wired to {@value #DEFAULT_LINE_SEARCH_SUFFICIENT_DECREASE} in SciPy. Default
     * {@value #DEFAULT_LINE_SEARCH_SUFFICIENT_DECREASE}; must satisfy
     * {@code 0 < c1 < lineSearchCurvature() < 1}.
     *
     * @return c1
     */
    public double lineSearchSufficientDecrease() {
        return lineSearchSufficientDecrease;
    }

    /**
     * The curvature constant c2 of the Moré–Thuente line search: a step {@code a} must satisfy
     * {@code |g(x + a d)^T d| <= c2 |g(x)^T d|} (strong Wolfe). The {@code gtol} argument of dcsrch,
     * hard-wired to {@value #DEFAULT_LINE_SEARCH_CURVATURE} in SciPy. Default
     * {@value #DEFAULT_LINE_SEARCH_CURVATURE}; must satisfy
     * {@code 0 < lineSearchSufficientDecrease() < c2 < 1}.
     *
     * @return c2
     */
    public double lineSearchCurvature() {
        return lineSearchCurvature;
    }

    /**
     * The relative width of the interval of uncertainty below which the line search stops and
     * accepts its step (a warning in dcsrch, accepted by L-BFGS-B). The {@code xtol} argument of
     * dcsrch, hard-wired to {@value #DEFAULT_LINE_SEARCH_STEP_TOLERANCE} in SciPy. Default
     * {@value #DEFAULT_LINE_SEARCH_STEP_TOLERANCE}; must be finite and {@code >= 0}.
     *
     * @return the line-search step tolerance
     */
    public double lineSearchStepTolerance() {
        return lineSearchStepTolerance;
    }

    /**
     * The largest step of a line search on a problem without bounds ({@code stpmax}; with bounds the
     * largest step is the one that reaches the first bound, and 1 at the first iteration). Hard-wired
     * to {@value #DEFAULT_LINE_SEARCH_MAX_STEP} ({@code big}) in SciPy's lnsrlb. Default
     * {@value #DEFAULT_LINE_SEARCH_MAX_STEP}; must be finite and {@code > 0}.
     *
     * @return the largest step of an unconstrained line search
     */
    public double lineSearchMaxStep() {
        return lineSearchMaxStep;
    }

    /**
     * The listener called after every accepted iterate (SciPy's {@code callback}), if any. Default
     * none.
     *
     * @return the listener, or empty
     */
    public Optional<IterationListener> iterationListener() {
        return Optional.ofNullable(iterationListener);
    }

    /** Equal when every option is equal; listeners are compared by identity. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LbfgsbOptions)) {
            return false;
        }
        LbfgsbOptions p = (LbfgsbOptions) o;
        return historySize == p.historySize
                && Double.compare(relativeReductionTolerance, p.relativeReductionTolerance) == 0
                && Double.compare(projectedGradientTolerance, p.projectedGradientTolerance) == 0
                && maxIterations == p.maxIterations
                && maxEvaluations == p.maxEvaluations
                && maxLineSearchSteps == p.maxLineSearchSteps
                && Double.compare(lineSearchSufficientDecrease, p.lineSearchSufficientDecrease) == 0
                && Double.compare(lineSearchCurvature, p.lineSearchCurvature) == 0
                && Double.compare(lineSearchStepTolerance, p.lineSearchStepTolerance) == 0
                && Double.compare(lineSearchMaxStep, p.lineSearchMaxStep) == 0
                && iterationListener == p.iterationListener;
    }

    @Override
    public int hashCode() {
        return Objects.hash(historySize, relativeReductionTolerance, projectedGradientTolerance, maxIterations,
                maxEvaluations, maxLineSearchSteps, lineSearchSufficientDecrease, lineSearchCurvature,
                lineSearchStepTolerance, lineSearchMaxStep, System.identityHashCode(iterationListener));
    }

    @Override
    public String toString() {
        return "LbfgsbOptions{historySize=" + historySize
                + ", relativeReductionTolerance=" + relativeReductionTolerance
                + ", projectedGradientTolerance=" + projectedGradientTolerance
                + ", maxIterations=" + maxIterations
                + ", maxEvaluations=" + maxEvaluations
                + ", maxLineSearchSteps=" + maxLineSearchSteps
                + ", lineSearchSufficientDecrease=" + lineSearchSufficientDecrease
                + ", lineSearchCurvature=" + lineSearchCurvature
                + ", lineSearchStepTolerance=" + lineSearchStepTolerance
                + ", lineSearchMaxStep=" + lineSearchMaxStep
                + ", iterationListener=" + (iterationListener == null ? "none" : iterationListener)
                + "}";
    }

    /**
     * Collects option values; {@link #build()} checks them all. Starts from SciPy's defaults (or from
     * the options it was made from by {@link LbfgsbOptions#toBuilder()}). Setters do not check
     * anything; not thread-safe.
     */
    public static final class Builder {
        private int historySize = DEFAULT_HISTORY_SIZE;
        private double relativeReductionTolerance = DEFAULT_RELATIVE_REDUCTION_TOLERANCE;
        private double projectedGradientTolerance = DEFAULT_PROJECTED_GRADIENT_TOLERANCE;
        private long maxIterations = DEFAULT_MAX_ITERATIONS;
        private long maxEvaluations = DEFAULT_MAX_EVALUATIONS;
        private int maxLineSearchSteps = DEFAULT_MAX_LINE_SEARCH_STEPS;
        private double lineSearchSufficientDecrease = DEFAULT_LINE_SEARCH_SUFFICIENT_DECREASE;
        private double lineSearchCurvature = DEFAULT_LINE_SEARCH_CURVATURE;
        private double lineSearchStepTolerance = DEFAULT_LINE_SEARCH_STEP_TOLERANCE;
        private double lineSearchMaxStep = DEFAULT_LINE_SEARCH_MAX_STEP;
        private IterationListener iterationListener;

        private Builder() {
        }

        private Builder(LbfgsbOptions o) {
            historySize = o.historySize;
            relativeReductionTolerance = o.relativeReductionTolerance;
            projectedGradientTolerance = o.projectedGradientTolerance;
            maxIterations = o.maxIterations;
            maxEvaluations = o.maxEvaluations;
            maxLineSearchSteps = o.maxLineSearchSteps;
            lineSearchSufficientDecrease = o.lineSearchSufficientDecrease;
            lineSearchCurvature = o.lineSearchCurvature;
            lineSearchStepTolerance = o.lineSearchStepTolerance;
            lineSearchMaxStep = o.lineSearchMaxStep;
            iterationListener = o.iterationListener;
        }

        /**
         * Sets {@link LbfgsbOptions#historySize()} (SciPy's {@code maxcor}; default
         * {@value LbfgsbOptions#DEFAULT_HISTORY_SIZE}; in [1, {@value LbfgsbOptions#MAX_HISTORY_SIZE}]).
         *
         * @param historySize the number of correction pairs m
         * @return this builder
         */
        public Builder historySize(int historySize) {
            this.historySize = historySize;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#relativeReductionTolerance()} (SciPy's {@code ftol}; default
         * {@value LbfgsbOptions#DEFAULT_RELATIVE_REDUCTION_TOLERANCE}; finite, {@code >= 0}).
         *
         * @param relativeReductionTolerance the tolerance of
         *     {@code (f_k - f_{k+1}) <= tol * max(|f_k|, |f_{k+1}|, 1)}
         * @return this builder
         */
        public Builder relativeReductionTolerance(double relativeReductionTolerance) {
            this.relativeReductionTolerance = relativeReductionTolerance;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#projectedGradientTolerance()} (SciPy's {@code gtol}; default
         * {@value LbfgsbOptions#DEFAULT_PROJECTED_GRADIENT_TOLERANCE}; finite, {@code >= 0}).
         *
         * @param projectedGradientTolerance the tolerance of {@code max_i |P(x - g) - x|_i <= tol}
         * @return this builder
         */
        public Builder projectedGradientTolerance(double projectedGradientTolerance) {
            this.projectedGradientTolerance = projectedGradientTolerance;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#maxIterations()} (SciPy's {@code maxiter}; default
         * {@value LbfgsbOptions#DEFAULT_MAX_ITERATIONS}; {@code >= 0}).
         *
         * @param maxIterations the iteration limit
         * @return this builder
         */
        public Builder maxIterations(long maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#maxEvaluations()} (SciPy's {@code maxfun}; default
         * {@value LbfgsbOptions#DEFAULT_MAX_EVALUATIONS}; {@code >= 1}).
         *
         * @param maxEvaluations the evaluation limit
         * @return this builder
         */
        public Builder maxEvaluations(long maxEvaluations) {
            this.maxEvaluations = maxEvaluations;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#maxLineSearchSteps()} (SciPy's {@code maxls}; default
         * {@value LbfgsbOptions#DEFAULT_MAX_LINE_SEARCH_STEPS}; {@code > 0}).
         *
         * @param maxLineSearchSteps the most evaluations per line search
         * @return this builder
         */
        public Builder maxLineSearchSteps(int maxLineSearchSteps) {
            this.maxLineSearchSteps = maxLineSearchSteps;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#lineSearchSufficientDecrease()} (c1, dcsrch's {@code ftol};
         * default {@value LbfgsbOptions#DEFAULT_LINE_SEARCH_SUFFICIENT_DECREASE};
         * {@code 0 < c1 < c2 < 1}).
         *
         * @param c1 the sufficient-decrease constant
         * @return this builder
         */
        public Builder lineSearchSufficientDecrease(double c1) {
            this.lineSearchSufficientDecrease = c1;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#lineSearchCurvature()} (c2, dcsrch's {@code gtol}; default
         * {@value LbfgsbOptions#DEFAULT_LINE_SEARCH_CURVATURE}; {@code 0 < c1 < c2 < 1}).
         *
         * @param c2 the curvature constant
         * @return this builder
         */
        public Builder lineSearchCurvature(double c2) {
            this.lineSearchCurvature = c2;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#lineSearchStepTolerance()} (dcsrch's {@code xtol}; default
         * {@value LbfgsbOptions#DEFAULT_LINE_SEARCH_STEP_TOLERANCE}; finite, {@code >= 0}).
         *
         * @param xtol the relative step tolerance
         * @return this builder
         */
        public Builder lineSearchStepTolerance(double xtol) {
            this.lineSearchStepTolerance = xtol;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#lineSearchMaxStep()} ({@code stpmax} of an unconstrained search;
         * default {@value LbfgsbOptions#DEFAULT_LINE_SEARCH_MAX_STEP}; finite, {@code > 0}).
         *
         * @param maxStep the largest step
         * @return this builder
         */
        public Builder lineSearchMaxStep(double maxStep) {
            this.lineSearchMaxStep = maxStep;
            return this;
        }

        /**
         * Sets the {@link LbfgsbOptions#iterationListener()} (SciPy's {@code callback}); {@code null}
         * removes it. Default none.
         *
         * @param listener called after every accepted iterate, or null for none
         * @return this builder
         */
        public Builder iterationListener(IterationListener listener) {
            this.iterationListener = listener;
            return this;
        }

        /**
         * Checks every value and builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException naming the first option that breaks its rule, its value and
         *     the rule
         */
        public LbfgsbOptions build() {
            if (historySize <= 0) {
                throw invalid("historySize", historySize, "must be > 0");
            }
            if (historySize > MAX_HISTORY_SIZE) {
                throw invalid("historySize", historySize, "must be <= " + MAX_HISTORY_SIZE
                        + " (the 2m x 2m matrices must fit 32-bit LAPACK indexing)");
            }
            requireFiniteNonNegative("relativeReductionTolerance", relativeReductionTolerance);
            requireFiniteNonNegative("projectedGradientTolerance", projectedGradientTolerance);
            if (maxIterations < 0) {
                throw invalid("maxIterations", maxIterations, "must be >= 0");
            }
            if (maxEvaluations < 1) {
                throw invalid("maxEvaluations", maxEvaluations, "must be >= 1");
            }
            if (maxLineSearchSteps <= 0) {
                throw invalid("maxLineSearchSteps", maxLineSearchSteps, "must be > 0");
            }
            double c1 = lineSearchSufficientDecrease;
            double c2 = lineSearchCurvature;
            if (!(c1 > 0 && c1 < 1)) {
                throw invalid("lineSearchSufficientDecrease", c1, "must be in (0, 1) (0 < c1 < c2 < 1)");
            }
            if (!(c2 > 0 && c2 < 1)) {
                throw invalid("lineSearchCurvature", c2, "must be in (0, 1) (0 < c1 < c2 < 1)");
            }
            if (!(c1 < c2)) {
                throw new IllegalArgumentException("lineSearchSufficientDecrease = " + c1
                        + " >= lineSearchCurvature = " + c2 + ": must be < lineSearchCurvature (0 < c1 < c2 < 1)");
            }
            requireFiniteNonNegative("lineSearchStepTolerance", lineSearchStepTolerance);
            if (!(lineSearchMaxStep > 0 && lineSearchMaxStep < Double.POSITIVE_INFINITY)) {
                throw invalid("lineSearchMaxStep", lineSearchMaxStep,
                        Double.isNaN(lineSearchMaxStep) || lineSearchMaxStep > 0 ? "must be finite" : "must be > 0");
            }
            return new LbfgsbOptions(this);
        }

        private static void requireFiniteNonNegative(String name, double value) {
            if (!Double.isFinite(value)) {
                throw invalid(name, value, "must be finite");
            }
            if (value < 0) {
                throw invalid(name, value, "must be >= 0");
            }
        }

        private static IllegalArgumentException invalid(String name, Object value, String rule) {
            return new IllegalArgumentException(name + " = " + value + ": " + rule);
        }
    }
}
