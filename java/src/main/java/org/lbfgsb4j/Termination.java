package org.lbfgsb4j;

/**
 * Why a run of L-BFGS-B ended. {@link #scipyMessage()} gives SciPy's text for it (SciPy &ge; 1.15,
 * the C port), which is also {@link LbfgsbResult#message()}.
 *
 * <p>The two {@code CONVERGED_*} constants and {@link #TARGET_REACHED} are convergence
 * ({@link #isConvergence()}), which is SciPy's {@code success} / {@code status == 0}. The two limits
 * are SciPy's {@code status == 1}; the rest are SciPy's {@code status == 2} (or 99 for a stopping
 * callback). {@link #TARGET_REACHED}, {@link #TIME_LIMIT}, {@link #CANCELLED} and
 * {@link #NON_FINITE} come from options SciPy does not have (the target is the Python
 * {@code lbfgsb} package's {@code ftarget}).
 *
 * <p>{@link LbfgsbResult#explanation()} says, with the numbers, why a particular run ended.
 */
public enum Termination {

    /**
     * The projected gradient is small: {@code max_i |P(x - g) - x|_i <= projectedGradientTolerance},
     * where P projects onto the bounds (SciPy 401, {@code pgtol} / {@code gtol}). x is a first-order
     * stationary point of the bound-constrained problem to that tolerance. This test also runs at
     * x0: if x0 passes it, the run ends after one evaluation with 0 iterations.
     */
    CONVERGED_PROJECTED_GRADIENT(1, true, "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL",
            "CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL"),

    /**
     * The last iteration reduced f by little:
     * {@code (f_k - f_{k+1}) <= relativeReductionTolerance * max(|f_k|, |f_{k+1}|, 1)} (SciPy 402,
     * {@code ftol = factr * eps}). Progress has stalled; the projected gradient may still be above
     * its tolerance. If you need a smaller gradient, lower
     * {@link LbfgsbOptions#relativeReductionTolerance()} (0 turns this test off unless f does not
     * decrease at all), and check that the gradient is consistent with f.
     */
    CONVERGED_RELATIVE_REDUCTION(2, true, "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH",
            "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH"),

    /**
     * {@link LbfgsbOptions#maxIterations()} iterations were done (SciPy 504, {@code maxiter}). x is
     * the last iterate, not a converged point; raise the limit, or restart from x, to go on.
     */
    MAX_ITERATIONS(3, false, "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT",
            "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT"),

    /**
     * More than {@link LbfgsbOptions#maxEvaluations()} evaluations of f and g were made (SciPy 502,
     * {@code maxfun}). The limit is checked at the end of each iteration, as in SciPy, so the last
     * line search may overshoot it. x is the last iterate, not a converged point; raise the limit,
     * or restart from x, to go on.
     */
    MAX_EVALUATIONS(4, false, "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT",
            "STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT"),

    /**
     * The {@link IterationListener} returned {@link IterationListener.Action#STOP} (SciPy 505, a
     * callback raising {@code StopIteration}). x is the iterate the listener saw last. When a limit
     * is reached at the same iteration, the limit is reported instead, as in SciPy.
     */
    STOPPED_BY_LISTENER(5, false, "STOP: CALLBACK REQUESTED HALT", "STOP: CALLBACK REQUESTED HALT"),

    /**
     * The line search failed to find an acceptable step from a point where the memory of correction
     * pairs was already empty (SciPy's {@code ABNORMAL}; after a failure with a non-empty memory the
     * solver first restarts along the steepest descent). The usual cause is a gradient inconsistent
     * with f: check it with {@link GradientCheck#of(Objective, double[], Bounds)}, which compares it
     * with central differences and names the worst components. The other is rounding close to the
     * optimum,
     * where f can no longer decrease measurably (then x is usually fine: look at
     * {@link LbfgsbResult#projectedGradientNorm()}). Raising
     * {@link LbfgsbOptions#maxLineSearchSteps()} rarely helps.
     *
     * <p>x and the gradient are those of the last accepted iterate, and {@link LbfgsbResult#value()}
     * is f at that x. SciPy instead returns the value of the last failed trial point as {@code fun}
     * (a SciPy quirk: f is passed to its C code by value), so its {@code fun} may not be f(x).
     */
    ABNORMAL_LINE_SEARCH(6, false, "ABNORMAL: ", "ABNORMAL_TERMINATION_IN_LNSRCH"),

    /**
     * f or a component of its gradient is NaN or infinite at the (projected) starting point, so no
     * step can be computed. SciPy has no such test: it goes on and usually ends {@code ABNORMAL}
     * after a wasted line search, or runs to a limit. Fix the objective, or start from a point
     * where it is finite. ({@code scipyMessage()} is lbfgsb4j's own text in SciPy's style.)
     *
     * <p>A non-finite f or gradient at a line-search trial point does not end the run: the step is
     * halved (at most {@link LbfgsbOptions#maxNonFiniteBacktracks()} times per line search) and, if
     * that does not help, the line search fails as any other (memory reset, then
     * {@link #ABNORMAL_LINE_SEARCH}). So a run never converges at a non-finite point.
     */
    NON_FINITE(7, false, "ABNORMAL: F OR GRADIENT IS NOT FINITE AT THE STARTING POINT",
            "ABNORMAL: F OR GRADIENT IS NOT FINITE AT THE STARTING POINT"),

    /**
     * f reached {@link LbfgsbOptions#targetValue()}: {@code f <= target} (the Python {@code lbfgsb}
     * package's {@code ftarget}, {@code "CONVERGENCE: F_<=_TARGET"}). Tested at x0, after the
     * projected-gradient test, and at every iterate after the two convergence tests. A convergence:
     * the caller said this f is good enough. ({@code scipyMessage()} is lbfgsb4j's own text in
     * SciPy's style.)
     */
    TARGET_REACHED(10, true, "CONVERGENCE: F <= TARGET", "CONVERGENCE: F_<=_TARGET"),

    /**
     * {@link LbfgsbOptions#timeLimit()} ran out. Checked before every evaluation (also inside a
     * line search, and between the difference quotients of a {@link GradientScheme}), so the run
     * ends at most one evaluation after the limit. x is the best point evaluated: of all the points
     * whose f and gradient were computed, the one with the lowest finite f and a finite gradient
     * (all lie within the bounds); f and the gradient are its own (NaN if the limit ran out before
     * x0 was evaluated). Not a convergence: x may be far from a solution.
     * ({@code scipyMessage()} is lbfgsb4j's own text in SciPy's style.)
     */
    TIME_LIMIT(11, false, "STOP: TIME LIMIT REACHED", "STOP: TIME LIMIT REACHED"),

    /**
     * {@link LbfgsbOptions#cancellation()} returned true. Checked before every evaluation, like
     * {@link #TIME_LIMIT}, with the same result: the best point evaluated.
     * ({@code scipyMessage()} is lbfgsb4j's own text in SciPy's style.)
     */
    CANCELLED(12, false, "STOP: CANCELLED", "STOP: CANCELLED");

    private final int nativeStatus;
    private final boolean convergence;
    private final String scipyMessage;
    private final String fortranMessage;

    Termination(int nativeStatus, boolean convergence, String scipyMessage, String fortranMessage) {
        this.nativeStatus = nativeStatus;
        this.convergence = convergence;
        this.scipyMessage = scipyMessage;
        this.fortranMessage = fortranMessage;
    }

    /**
     * Whether this is a convergence test ({@link #CONVERGED_PROJECTED_GRADIENT},
     * {@link #CONVERGED_RELATIVE_REDUCTION} or {@link #TARGET_REACHED}): SciPy's {@code success}.
     * See also {@link LbfgsbResult#converged()}, which also requires a finite f and gradient.
     *
     * @return whether the run converged by one of the convergence tests
     */
    public boolean isConvergence() {
        return convergence;
    }

    /**
     * SciPy's message for this termination, exactly as {@code scipy.optimize.minimize} (SciPy &ge;
     * 1.15) returns it in {@code res.message}, including the trailing space of {@code "ABNORMAL: "}.
     * {@link #NON_FINITE}, {@link #TARGET_REACHED}, {@link #TIME_LIMIT} and {@link #CANCELLED} have
     * no SciPy counterpart and return lbfgsb4j's own text in the same style (the native core's
     * message).
     *
     * @return the message text
     */
    public String scipyMessage() {
        return scipyMessage;
    }

    /**
     * The task text the Fortran L-BFGS-B (SciPy &le; 1.14) printed for this termination, e.g.
     * {@code "CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH"}; used by the log.
     *
     * @return the Fortran-era message
     */
    String fortranMessage() {
        return fortranMessage;
    }

    /**
     * The C++ {@code lbfgsb::Status} value of this termination (the inverse of
     * {@link #fromNativeStatus(int)}).
     *
     * @return the native status, 1 to 7 or 10 to 12
     */
    int nativeStatus() {
        return nativeStatus;
    }

    /**
     * Maps a C++ {@code lbfgsb::Status} value (see {@code native/include/lbfgsb/minimizer.hpp}) to the
     * termination it denotes: 1 {@link #CONVERGED_PROJECTED_GRADIENT}, 2
     * {@link #CONVERGED_RELATIVE_REDUCTION}, 3 {@link #MAX_ITERATIONS}, 4 {@link #MAX_EVALUATIONS}, 5
     * {@link #STOPPED_BY_LISTENER}, 6 {@link #ABNORMAL_LINE_SEARCH}, 7 {@link #NON_FINITE}, 10
     * {@link #TARGET_REACHED}, 11 {@link #TIME_LIMIT}, 12 {@link #CANCELLED}. For bindings; users do
     * not need it.
     *
     * @param code the native status
     * @return the termination for codes 1 to 7 and 10 to 12
     * @throws IllegalStateException for 0 (Running: the run has not ended), 8 (InvalidInput), 9
     *     (AbortedByObjective), which do not end a run with a result, and for unknown codes
     */
    public static Termination fromNativeStatus(int code) {
        switch (code) {
            case 1: return CONVERGED_PROJECTED_GRADIENT;
            case 2: return CONVERGED_RELATIVE_REDUCTION;
            case 3: return MAX_ITERATIONS;
            case 4: return MAX_EVALUATIONS;
            case 5: return STOPPED_BY_LISTENER;
            case 6: return ABNORMAL_LINE_SEARCH;
            case 7: return NON_FINITE;
            case 10: return TARGET_REACHED;
            case 11: return TIME_LIMIT;
            case 12: return CANCELLED;
            case 0:
                throw new IllegalStateException(
                        "native status 0 (Running): not a termination, the run has not ended");
            case 8:
                throw new IllegalStateException(
                        "native status 8 (InvalidInput): not a termination, the input was rejected");
            case 9:
                throw new IllegalStateException(
                        "native status 9 (AbortedByObjective): not a termination, the objective aborted the run");
            default:
                throw new IllegalStateException(
                        "native status " + code + ": unknown, must be in [0, 12] (lbfgsb::Status)");
        }
    }
}
