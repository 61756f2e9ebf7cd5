package org.lbfgsb4j;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

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
 *
 * <p>Beyond SciPy's options there are the knobs SciPy hard-codes (the line-search constants, the
 * curvature-pair threshold), those of the Python {@code lbfgsb} package (a target value, tolerances
 * given as suppliers, logging levels like Fortran's {@code iprint}) and safety nets neither has (a
 * wall-clock limit, a cancellation hook, a bounded retreat from non-finite trial points).
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
    /**
     * Default {@link #curvaturePairThreshold()}: the machine epsilon {@code epsmch}, which SciPy
     * hard-codes.
     */
    public static final double DEFAULT_CURVATURE_PAIR_THRESHOLD = 2.220446049250313e-16;
    /** Default {@link #targetValue()}: no target. */
    public static final double DEFAULT_TARGET_VALUE = Double.NEGATIVE_INFINITY;
    /** Default {@link #maxNonFiniteBacktracks()}. */
    public static final int DEFAULT_MAX_NON_FINITE_BACKTRACKS = 10;
    /** Default {@link #arithmetic()}. */
    public static final Arithmetic DEFAULT_ARITHMETIC = Arithmetic.FAST;
    /** The largest {@link #threads()}. */
    public static final int MAX_THREADS = 256;
    /** Default {@link #retainFinalStateLimit()}: 64 MiB. */
    public static final long DEFAULT_RETAIN_FINAL_STATE_LIMIT = 64L << 20;
    /** The name of the default {@link #logger()}. */
    public static final String LOGGER_NAME = "org.lbfgsb4j";

    /**
     * What the run logs through {@link LbfgsbOptions#logger()}: the levels of the Fortran
     * L-BFGS-B's {@code iprint} (SciPy's {@code iprint} / {@code disp} up to SciPy 1.14), with the
     * same text. Every record is logged at {@link System.Logger.Level#INFO}, one record per block
     * the Fortran code printed (without its leading empty lines and trailing blanks).
     *
     * <p>What the native core does not report is not logged: the Cauchy-search and
     * subspace-minimization traces of {@code iprint >= 99}, the active-set changes of
     * {@code iprint >= 100}, the {@code "BFGS update SKIPPED"} lines, and the {@code Tnint} and
     * {@code Skip} columns of the final summary (shown as {@code -}). The norm of the step in the
     * {@code LINE SEARCH} line is {@code ||x_k - x_{k-1}||} computed in Java.
     */
    public enum LogLevel {
        /** Nothing ({@code iprint < 0}, SciPy's default). */
        NONE(-1),
        /**
         * The header ({@code RUNNING THE L-BFGS-B CODE}, machine precision, n and m), notes about x0
         * ({@code This problem is unconstrained.}, {@code The initial X is infeasible.  Restart
         * with its projection.}) and the final summary: counts, projected gradient, f and the
         * termination message ({@code iprint = 0}).
         */
        SUMMARY(0),
        /**
         * Also the number of variables at a bound at x0, {@code At iterate 0} and a line
         * {@code At iterate k    f= ...    |proj g|= ...} every {@link LbfgsbOptions#logEvery()}
         * iterations, and the final f with 17 digits ({@code 0 < iprint < 99}, with
         * {@code iprint = logEvery}).
         */
        ITERATIONS(1),
        /**
         * Also, at every iteration, {@code ITERATION k} and {@code LINE SEARCH j times; norm of
         * step = s} ({@code iprint = 99}); {@link LbfgsbOptions#logEvery()} is ignored.
         */
        DETAILED(99),
        /**
         * Also the vectors: the bounds and x0 at the start, x and the gradient at every iteration,
         * the final x ({@code iprint > 100}). O(n) text per iteration: for small n.
         */
        FULL(101);

        private final int iprint;

        LogLevel(int iprint) {
            this.iprint = iprint;
        }

        /**
         * The Fortran {@code iprint} this level behaves as ({@link #ITERATIONS}: 1, or
         * {@link LbfgsbOptions#logEvery()}).
         *
         * @return -1, 0, 1, 99 or 101
         */
        public int iprint() {
            return iprint;
        }
    }

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
    private final int checkpointEvery; // 0: never
    private final CheckpointSink checkpointSink; // null: none
    private final long retainFinalStateLimit;
    private final double curvaturePairThreshold;
    private final double targetValue;
    private final DoubleSupplier targetValueSupplier; // null: the constant
    private final DoubleSupplier projectedGradientToleranceSupplier; // null: the constant
    private final int maxNonFiniteBacktracks;
    private final Arithmetic arithmetic;
    private final int threads;
    private final Duration timeLimit; // null: none
    private final BooleanSupplier cancellation; // null: none
    private final LogLevel logging;
    private final int logEvery;
    private final System.Logger logger; // null: System.getLogger(LOGGER_NAME)

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
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointSink = b.checkpointSink;
        this.retainFinalStateLimit = b.retainFinalStateLimit;
        this.curvaturePairThreshold = b.curvaturePairThreshold;
        this.targetValue = b.targetValue;
        this.targetValueSupplier = b.targetValueSupplier;
        this.projectedGradientToleranceSupplier = b.projectedGradientToleranceSupplier;
        this.maxNonFiniteBacktracks = b.maxNonFiniteBacktracks;
        this.arithmetic = b.arithmetic;
        this.threads = b.threads;
        this.timeLimit = b.timeLimit;
        this.cancellation = b.cancellation;
        this.logging = b.logging;
        this.logEvery = b.logEvery;
        this.logger = b.logger;
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
     * Every how many iterations the run hands a {@link Checkpoint} to {@link #checkpointSink()};
     * 0 (the default) never. For preemptible batch jobs: resume with {@link Lbfgsb#resume}.
     *
     * @return k, or 0
     */
    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Where the periodic checkpoints go, if {@link #checkpointEvery()} is set. */
    public Optional<CheckpointSink> checkpointSink() {
        return Optional.ofNullable(checkpointSink);
    }

    /**
     * The largest final state, in bytes, that the result keeps, so that
     * {@link LbfgsbResult#checkpoint()} and {@link LbfgsbResult#inverseHessian()} work (SciPy always
     * returns {@code hess_inv}). The state is about (2m + 9) n doubles (0.2 MB at n = 1,000 and
     * m = 10; 232 MB at n = 1e6) and keeping it costs a copy made while the solver's own workspace
     * still exists, i.e. it raises the peak memory of the run by that much. Default
     * {@value #DEFAULT_RETAIN_FINAL_STATE_LIMIT} bytes (64 MiB: kept up to n of about 280,000 with
     * m = 10); {@link Builder#retainFinalState(boolean)} sets "always" ({@link Long#MAX_VALUE}) or
     * "never" (0).
     *
     * @return the size limit in bytes
     */
    public long retainFinalStateLimit() {
        return retainFinalStateLimit;
    }

    /**
     * Whether a final state of {@code bytes} bytes is kept ({@link #retainFinalStateLimit()}).
     *
     * @param bytes the size of the state
     * @return whether it is kept
     */
    public boolean retainsFinalStateOf(long bytes) {
        return bytes <= retainFinalStateLimit;
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
     * {@value #DEFAULT_PROJECTED_GRADIENT_TOLERANCE}; must be finite and {@code >= 0}. When
     * {@link #projectedGradientToleranceSupplier()} is set, it replaces this value.
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
     * to {@link #maxLineSearchSteps()} evaluations. With a {@link GradientScheme} (no analytic
     * gradient) it limits the evaluations of f, the difference quotients included, as SciPy's
     * {@code nfev > maxfun} does ({@link LbfgsbResult#functionEvaluations()}). Default
     * {@value #DEFAULT_MAX_EVALUATIONS}; must be {@code >= 1}.
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
     * to {@value #DEFAULT_LINE_SEARCH_MAX_STEP} ({@code big}) in SciPy's lnsrlb. As in L-BFGS-B, the
     * first trial of every iteration after the first is the full step 1, so a value below 1 caps
     * only the first iteration's steps: later line searches start above it, which dcsrch reports
     * as an input error and then searches from anyway (the Fortran behaviour, kept for parity).
     * Default {@value #DEFAULT_LINE_SEARCH_MAX_STEP}; must be finite and {@code > 0}.
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

    /**
     * The curvature-pair acceptance threshold eps_SY: after an iteration with step s and gradient
     * change y, the pair (s, y) enters the memory only if
     * {@code s^T y > eps_SY * (-g_k^T s)} (the slope along the step at the old iterate); otherwise
     * the update is skipped, keeping the approximate Hessian positive definite. SciPy hard-codes
     * the machine epsilon; the Python {@code lbfgsb} package calls it {@code eps_SY} (there
     * relative to {@code y^T y}). Default {@value #DEFAULT_CURVATURE_PAIR_THRESHOLD}; must be finite
     * and {@code >= 0}.
     *
     * @return eps_SY
     */
    public double curvaturePairThreshold() {
        return curvaturePairThreshold;
    }

    /**
     * How the solver evaluates its sums over the n variables: {@link Arithmetic#REFERENCE} (SciPy's
     * order, results bit for bit SciPy's) or {@link Arithmetic#FAST} (own vectorised order and fused
     * passes; rounding-level differences). Default {@link #DEFAULT_ARITHMETIC}.
     *
     * @return the arithmetic
     */
    public Arithmetic arithmetic() {
        return arithmetic;
    }

    /**
     * Threads for the passes over the correction history with {@link Arithmetic#FAST} (the bulk of
     * the solver's own work at large n); each thread takes at least 65,536 variables, so small
     * problems use one. The results are the same bits for any number of threads. The threads are
     * started for each pass and end with it: nothing runs or spins while the objective is
     * evaluated. {@link Arithmetic#REFERENCE} always uses one. Default 1; in [1, {@value #MAX_THREADS}].
     *
     * @return the number of threads
     */
    public int threads() {
        return threads;
    }

    /**
     * The target value: the run ends with {@link Termination#TARGET_REACHED} (a convergence) as
     * soon as an iterate has {@code f <= target}, x0 included (tested after the projected-gradient
     * test at x0 and after both convergence tests at the other iterates). The Python
     * {@code lbfgsb} package's {@code ftarget}; SciPy has none. Default {@code -Infinity} (never);
     * must not be NaN. When {@link #targetValueSupplier()} is set, it replaces this value.
     *
     * @return the target value
     */
    public double targetValue() {
        return targetValue;
    }

    /**
     * The target value as a supplier, called once, after the first evaluation of f (so it may
     * depend on f(x0), e.g. {@code () -> 1e-3 * f0.get()}) and before the tests at x0; its value
     * replaces {@link #targetValue()} for the run. As {@code ftarget} given as a callable in the
     * Python {@code lbfgsb} package. It must return a value that is not NaN, else the run throws
     * {@link IllegalArgumentException}. Not supported with a C function objective
     * ({@link NativeObjective#functionPointer}), which is never interrupted after x0. Default none.
     *
     * @return the supplier, or empty
     */
    public Optional<DoubleSupplier> targetValueSupplier() {
        return Optional.ofNullable(targetValueSupplier);
    }

    /**
     * The projected-gradient tolerance as a supplier, called once, after the first evaluation of f
     * and before the tests at x0; its value replaces {@link #projectedGradientTolerance()} for the
     * run (e.g. a tolerance relative to the gradient at x0). As {@code gtol} given as a callable in
     * the Python {@code lbfgsb} package. It must return a finite value {@code >= 0}, else the run
     * throws {@link IllegalArgumentException}. Not supported with a C function objective. Default
     * none.
     *
     * @return the supplier, or empty
     */
    public Optional<DoubleSupplier> projectedGradientToleranceSupplier() {
        return Optional.ofNullable(projectedGradientToleranceSupplier);
    }

    /**
     * How many times one line search may halve its step after a trial point where f or the slope
     * {@code g^T d} is NaN or infinite. Each such trial restarts the search from the last iterate
     * with half the step and counts towards {@link #maxLineSearchSteps()}; after this many, the
     * line search has failed (memory reset, or {@link Termination#ABNORMAL_LINE_SEARCH} with an
     * empty memory). SciPy has no such safety net: a NaN trial wrecks its line search. 0 fails the
     * line search at the first non-finite trial. A non-finite f or gradient at x0 always ends the
     * run with {@link Termination#NON_FINITE}. Default {@value #DEFAULT_MAX_NON_FINITE_BACKTRACKS};
     * must be {@code >= 0}.
     *
     * @return the most step halvings per line search
     */
    public int maxNonFiniteBacktracks() {
        return maxNonFiniteBacktracks;
    }

    /**
     * The wall-clock limit of a run, measured with {@link System#nanoTime()} from the start of
     * {@code minimize}. It is checked before every evaluation of f, also inside a line search (and
     * between the difference quotients of a {@link GradientScheme}), so the run ends at most one
     * evaluation after the limit, with {@link Termination#TIME_LIMIT} and the best point evaluated
     * (the lowest finite f with a finite gradient, over every evaluation; a copy of it is kept,
     * 2n doubles), with its f and gradient. With a C function objective
     * ({@link NativeObjective#functionPointer}) it is checked after every iteration only, and the
     * run ends at that iterate. Default none; must be positive.
     *
     * @return the time limit, or empty
     */
    public Optional<Duration> timeLimit() {
        return Optional.ofNullable(timeLimit);
    }

    /**
     * A cancellation hook: checked before every evaluation of f, like {@link #timeLimit()}; when it
     * returns true the run ends with {@link Termination#CANCELLED} and the best point evaluated
     * whose gradient is known. For example {@code AtomicBoolean::get} of a flag another thread
     * sets, or {@code Thread.currentThread()::isInterrupted}. It is called on the minimizing
     * thread, or, with a parallel {@link GradientScheme}, on the executor's threads too: it must
     * then be thread-safe. With a C function objective it is checked after every iteration only,
     * and the run ends at that iterate. Default none.
     *
     * @return the hook, or empty
     */
    public Optional<BooleanSupplier> cancellation() {
        return Optional.ofNullable(cancellation);
    }

    /**
     * What the run logs, see {@link LogLevel}. Default {@link LogLevel#NONE}.
     *
     * @return the log level
     */
    public LogLevel logging() {
        return logging;
    }

    /**
     * With {@link LogLevel#ITERATIONS}, a line is logged every this many iterations (Fortran's
     * {@code iprint} in 1..98). Default 1; must be {@code >= 1}.
     *
     * @return the iteration interval of the log
     */
    public int logEvery() {
        return logEvery;
    }

    /**
     * Where the log goes: by default {@code System.getLogger("org.lbfgsb4j")}
     * ({@value #LOGGER_NAME}), which the platform routes to {@code java.util.logging} or to
     * whatever logging framework provides a {@code System.LoggerFinder} (SLF4J, Log4j). Nothing is
     * ever printed to the console directly.
     *
     * @return the logger
     */
    public System.Logger logger() {
        return logger != null ? logger : System.getLogger(LOGGER_NAME);
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
                && iterationListener == p.iterationListener
                && checkpointEvery == p.checkpointEvery
                && checkpointSink == p.checkpointSink
                && retainFinalStateLimit == p.retainFinalStateLimit
                && Double.compare(curvaturePairThreshold, p.curvaturePairThreshold) == 0
                && Double.compare(targetValue, p.targetValue) == 0
                && targetValueSupplier == p.targetValueSupplier
                && projectedGradientToleranceSupplier == p.projectedGradientToleranceSupplier
                && maxNonFiniteBacktracks == p.maxNonFiniteBacktracks
                && arithmetic == p.arithmetic
                && threads == p.threads
                && Objects.equals(timeLimit, p.timeLimit)
                && cancellation == p.cancellation
                && logging == p.logging
                && logEvery == p.logEvery
                && logger == p.logger;
    }

    @Override
    public int hashCode() {
        return Objects.hash(historySize, relativeReductionTolerance, projectedGradientTolerance, maxIterations,
                maxEvaluations, maxLineSearchSteps, lineSearchSufficientDecrease, lineSearchCurvature,
                lineSearchStepTolerance, lineSearchMaxStep, System.identityHashCode(iterationListener), checkpointEvery,
                System.identityHashCode(checkpointSink), retainFinalStateLimit,
                curvaturePairThreshold, targetValue, System.identityHashCode(targetValueSupplier),
                System.identityHashCode(projectedGradientToleranceSupplier), maxNonFiniteBacktracks, arithmetic, threads, timeLimit,
                System.identityHashCode(cancellation), logging, logEvery, System.identityHashCode(logger));
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
                + (checkpointEvery == 0 ? "" : ", checkpointEvery=" + checkpointEvery + " to " + checkpointSink)
                + ", retainFinalStateLimit=" + (retainFinalStateLimit == Long.MAX_VALUE ? "always" : retainFinalStateLimit)
                + ", curvaturePairThreshold=" + curvaturePairThreshold
                + ", targetValue=" + (targetValueSupplier == null ? targetValue : "supplier " + targetValueSupplier)
                + (projectedGradientToleranceSupplier == null ? ""
                        : ", projectedGradientToleranceSupplier=" + projectedGradientToleranceSupplier)
                + ", maxNonFiniteBacktracks=" + maxNonFiniteBacktracks
                + ", arithmetic=" + arithmetic
                + ", threads=" + threads
                + ", timeLimit=" + (timeLimit == null ? "none" : timeLimit)
                + ", cancellation=" + (cancellation == null ? "none" : cancellation)
                + ", logging=" + logging + (logging == LogLevel.ITERATIONS ? " every " + logEvery : "")
                + (logger == null ? "" : ", logger=" + logger.getName())
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
        private int checkpointEvery;
        private CheckpointSink checkpointSink;
        private long retainFinalStateLimit = DEFAULT_RETAIN_FINAL_STATE_LIMIT;
        private double curvaturePairThreshold = DEFAULT_CURVATURE_PAIR_THRESHOLD;
        private double targetValue = DEFAULT_TARGET_VALUE;
        private DoubleSupplier targetValueSupplier;
        private DoubleSupplier projectedGradientToleranceSupplier;
        private int maxNonFiniteBacktracks = DEFAULT_MAX_NON_FINITE_BACKTRACKS;
        private Arithmetic arithmetic = DEFAULT_ARITHMETIC;
        private int threads = 1;
        private Duration timeLimit;
        private BooleanSupplier cancellation;
        private LogLevel logging = LogLevel.NONE;
        private int logEvery = 1;
        private System.Logger logger;

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
            checkpointEvery = o.checkpointEvery;
            checkpointSink = o.checkpointSink;
            retainFinalStateLimit = o.retainFinalStateLimit;
            curvaturePairThreshold = o.curvaturePairThreshold;
            targetValue = o.targetValue;
            targetValueSupplier = o.targetValueSupplier;
            projectedGradientToleranceSupplier = o.projectedGradientToleranceSupplier;
            maxNonFiniteBacktracks = o.maxNonFiniteBacktracks;
            arithmetic = o.arithmetic;
            threads = o.threads;
            timeLimit = o.timeLimit;
            cancellation = o.cancellation;
            logging = o.logging;
            logEvery = o.logEvery;
            logger = o.logger;
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
         * Hands a {@link Checkpoint} of the complete state to {@code sink} after every
         * {@code iterations}-th iteration (iteration numbers divisible by it), before the
         * convergence tests of that iteration. {@code iterations} must be {@code >= 1}.
         *
         * @return this builder
         */
        public Builder checkpointEvery(int iterations, CheckpointSink sink) {
            if (iterations < 1) {
                throw invalid("checkpointEvery", iterations, "must be >= 1");
            }
            if (sink == null) {
                throw new IllegalArgumentException("sink = null: must not be null");
            }
            this.checkpointEvery = iterations;
            this.checkpointSink = sink;
            return this;
        }

        /**
         * Writes a checkpoint to {@code file} every {@code iterations} iterations, atomically
         * ({@link Checkpoint#writeTo(java.nio.file.Path)}): a job killed at any moment leaves the
         * last complete checkpoint.
         *
         * @return this builder
         */
        public Builder checkpointEvery(int iterations, java.nio.file.Path file) {
            if (file == null) {
                throw new IllegalArgumentException("file = null: must not be null");
            }
            return checkpointEvery(iterations, checkpoint -> checkpoint.writeTo(file));
        }

        /**
         * Always ({@code true}) or never ({@code false}) keep the final state in the result,
         * whatever its size (default: up to {@link LbfgsbOptions#DEFAULT_RETAIN_FINAL_STATE_LIMIT}
         * bytes; see {@link LbfgsbOptions#retainFinalStateLimit()}).
         *
         * @param retain whether to keep it
         * @return this builder
         */
        public Builder retainFinalState(boolean retain) {
            this.retainFinalStateLimit = retain ? Long.MAX_VALUE : 0;
            return this;
        }

        /**
         * Keeps the final state in the result when it takes at most {@code bytes} bytes (see
         * {@link LbfgsbOptions#retainFinalStateLimit()}; {@code >= 0}).
         *
         * @param bytes the size limit
         * @return this builder
         */
        public Builder retainFinalStateUpTo(long bytes) {
            this.retainFinalStateLimit = bytes;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#curvaturePairThreshold()} (eps_SY; default
         * {@value LbfgsbOptions#DEFAULT_CURVATURE_PAIR_THRESHOLD}; finite, {@code >= 0}).
         *
         * @param epsSY the threshold of {@code s^T y > eps_SY * (-g^T s)}
         * @return this builder
         */
        public Builder curvaturePairThreshold(double epsSY) {
            this.curvaturePairThreshold = epsSY;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#arithmetic()} (default {@link LbfgsbOptions#DEFAULT_ARITHMETIC};
         * not null).
         *
         * @param arithmetic {@link Arithmetic#REFERENCE} or {@link Arithmetic#FAST}
         * @return this builder
         */
        public Builder arithmetic(Arithmetic arithmetic) {
            this.arithmetic = arithmetic;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#threads()} (default 1; in [1, {@value LbfgsbOptions#MAX_THREADS}]).
         *
         * @param threads threads for the history passes of {@link Arithmetic#FAST}
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Sets a constant {@link LbfgsbOptions#targetValue()} and removes any
         * {@link LbfgsbOptions#targetValueSupplier()} (the {@code lbfgsb} package's
         * {@code ftarget}; default {@code -Infinity}: none; not NaN).
         *
         * @param target stop as soon as {@code f <= target}
         * @return this builder
         */
        public Builder targetValue(double target) {
            this.targetValue = target;
            this.targetValueSupplier = null;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#targetValueSupplier()}, called once after the first evaluation;
         * {@code null} removes it (then {@link LbfgsbOptions#targetValue()} applies).
         *
         * @param target supplies the target value
         * @return this builder
         */
        public Builder targetValue(DoubleSupplier target) {
            this.targetValueSupplier = target;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#projectedGradientToleranceSupplier()}, called once after the
         * first evaluation; {@code null} removes it (then
         * {@link LbfgsbOptions#projectedGradientTolerance()} applies).
         *
         * @param tolerance supplies the projected-gradient tolerance
         * @return this builder
         */
        public Builder projectedGradientTolerance(DoubleSupplier tolerance) {
            this.projectedGradientToleranceSupplier = tolerance;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#maxNonFiniteBacktracks()} (default
         * {@value LbfgsbOptions#DEFAULT_MAX_NON_FINITE_BACKTRACKS}; {@code >= 0}).
         *
         * @param maxBacktracks the most step halvings per line search after non-finite trials
         * @return this builder
         */
        public Builder maxNonFiniteBacktracks(int maxBacktracks) {
            this.maxNonFiniteBacktracks = maxBacktracks;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#timeLimit()}; {@code null} removes it (default none; positive).
         *
         * @param limit the wall-clock limit of a run
         * @return this builder
         */
        public Builder timeLimit(Duration limit) {
            this.timeLimit = limit;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#cancellation()}; {@code null} removes it (default none).
         *
         * @param isCancelled returns true when the run must stop
         * @return this builder
         */
        public Builder cancellation(BooleanSupplier isCancelled) {
            this.cancellation = isCancelled;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#logging()} (default {@link LogLevel#NONE}; not null).
         *
         * @param level what to log
         * @return this builder
         */
        public Builder logging(LogLevel level) {
            this.logging = level;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#logEvery()} (default 1; {@code >= 1}).
         *
         * @param iterations log a line every this many iterations at {@link LogLevel#ITERATIONS}
         * @return this builder
         */
        public Builder logEvery(int iterations) {
            this.logEvery = iterations;
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#logging()} and {@link LbfgsbOptions#logEvery()} from a Fortran /
         * SciPy {@code iprint}: {@code < 0} {@link LogLevel#NONE}, 0 {@link LogLevel#SUMMARY}, 1 to
         * 98 {@link LogLevel#ITERATIONS} every {@code iprint} iterations, 99
         * {@link LogLevel#DETAILED}, {@code >= 100} {@link LogLevel#FULL}.
         *
         * @param iprint Fortran's print level
         * @return this builder
         */
        public Builder iprint(int iprint) {
            if (iprint < 0) {
                logging = LogLevel.NONE;
            } else if (iprint == 0) {
                logging = LogLevel.SUMMARY;
            } else if (iprint < 99) {
                logging = LogLevel.ITERATIONS;
                logEvery = iprint;
            } else if (iprint == 99) {
                logging = LogLevel.DETAILED;
            } else {
                logging = LogLevel.FULL;
            }
            return this;
        }

        /**
         * Sets {@link LbfgsbOptions#logger()}; {@code null} restores the default
         * {@code System.getLogger("org.lbfgsb4j")}.
         *
         * @param logger where the log goes
         * @return this builder
         */
        public Builder logger(System.Logger logger) {
            this.logger = logger;
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
            requireFiniteNonNegative("curvaturePairThreshold", curvaturePairThreshold);
            if (Double.isNaN(targetValue)) {
                throw invalid("targetValue", targetValue, "must not be NaN");
            }
            if (maxNonFiniteBacktracks < 0) {
                throw invalid("maxNonFiniteBacktracks", maxNonFiniteBacktracks, "must be >= 0");
            }
            if (retainFinalStateLimit < 0) {
                throw invalid("retainFinalStateLimit", retainFinalStateLimit, "must be >= 0");
            }
            if (threads < 1 || threads > MAX_THREADS) {
                throw invalid("threads", threads, "must be in [1, " + MAX_THREADS + "]");
            }
            if (arithmetic == null) {
                throw invalid("arithmetic", null, "must not be null");
            }
            if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
                throw invalid("timeLimit", timeLimit, "must be positive");
            }
            if (logging == null) {
                throw invalid("logging", null, "must not be null");
            }
            if (logEvery < 1) {
                throw invalid("logEvery", logEvery, "must be >= 1");
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
