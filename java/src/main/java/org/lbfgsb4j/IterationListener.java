package org.lbfgsb4j;

/**
 * Observes a run after every accepted iterate and may stop it: SciPy's {@code callback}.
 *
 * <p>{@link #onIteration} is called once per iteration, after the line search has accepted the new
 * iterate and before the limits and convergence tests of that iteration are applied (the order
 * SciPy uses); it is not called for x0. It runs on the thread that called the minimizer, between
 * evaluations, so it needs no synchronization with the objective.
 *
 * <p>Returning {@link Action#STOP} ends the run with {@link Termination#STOPPED_BY_LISTENER} and
 * the state's x as the result. As in SciPy, a {@link LbfgsbOptions#maxIterations()} or
 * {@link LbfgsbOptions#maxEvaluations()} limit reached at the same iteration takes precedence and
 * is reported instead, and a convergence test that would have passed at that iterate is not
 * applied. An exception thrown by the listener ends the run and reaches the caller of
 * the minimizer unchanged (same type, cause and stack trace); no result is returned then.
 *
 * <p>The {@link IterationState} and its buffers are valid only during the call: copy what you need
 * to keep.
 */
@FunctionalInterface
public interface IterationListener {

    /** What the run does after {@link #onIteration} returns. */
    enum Action {
        /** Go on with the next iteration (unless a limit or convergence test ends the run). */
        CONTINUE,
        /** End the run with {@link Termination#STOPPED_BY_LISTENER}. */
        STOP
    }

    /**
     * Called after every accepted iterate.
     *
     * @param state the new iterate and the run's counters; valid only during this call
     * @return {@link Action#CONTINUE} to go on, {@link Action#STOP} to stop; never null
     */
    Action onIteration(IterationState state);
}
