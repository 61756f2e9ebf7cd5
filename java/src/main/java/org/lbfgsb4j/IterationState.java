package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import java.time.Duration;

/**
 * The state of a run after an accepted iterate, as passed to {@link IterationListener#onIteration}:
 * SciPy's {@code intermediate_result} ({@code x}, {@code fun}) plus the solver's counters.
 *
 * <p><b>Valid only during the callback.</b> {@link #x()} and {@link #gradient()} are read-only views
 * of the solver's native memory, not copies: after the listener returns they may change or be freed.
 * Copying is the caller's choice, e.g. {@code double[] x = new double[state.size()];
 * state.x().get(0, x);}. The scalar accessors can be read at any time but describe only this
 * iterate.
 *
 * <p><b>Read-only and stable.</b> The views cannot be written through, and nothing changes them
 * while the listener runs: the solver is paused until it returns (also with a parallel
 * {@link GradientScheme}, whose tasks run only inside an evaluation).
 */
public final class IterationState {

    private final long iteration;
    private final long evaluations;
    private final long functionEvaluations;
    private final long gradientEvaluations;
    private final double value;
    private final DoubleBuffer x;
    private final DoubleBuffer gradient;
    private final double projectedGradientNorm;
    private final double stepLength;
    private final int freeVariables;
    private final long elapsedNanos;

    /**
     * Built by the driver once per iteration. The buffers are wrapped in read-only views (not copied);
     * they must hold the n values at indices 0 to limit - 1.
     *
     * @param iteration iterations completed, {@code >= 1}
     * @param evaluations evaluations of f and g so far, {@code >= 1}
     * @param value f at x
     * @param x the iterate
     * @param gradient the gradient at x, same limit as x
     * @param projectedGradientNorm {@code max_i |P(x - g) - x|_i}
     * @param stepLength the step of the accepted line search
     * @param freeVariables free variables at the last subspace minimization
     * @param elapsedNanos nanoseconds since the run started
     */
    IterationState(long iteration, long evaluations, double value, DoubleBuffer x, DoubleBuffer gradient,
            double projectedGradientNorm, double stepLength, int freeVariables, long elapsedNanos) {
        this(iteration, evaluations, evaluations, evaluations, value, x, gradient, projectedGradientNorm, stepLength,
                freeVariables, elapsedNanos);
    }

    /**
     * As the other constructor, with the evaluation counts of f and of the gradient given apart
     * (they differ with a {@link GradientScheme}).
     */
    IterationState(long iteration, long evaluations, long functionEvaluations, long gradientEvaluations,
            double value, DoubleBuffer x, DoubleBuffer gradient, double projectedGradientNorm, double stepLength,
            int freeVariables, long elapsedNanos) {
        if (x == null || gradient == null) {
            throw new IllegalArgumentException((x == null ? "x" : "gradient") + " = null: must not be null");
        }
        if (x.limit() != gradient.limit()) {
            throw new IllegalArgumentException("x.limit() = " + x.limit() + " != gradient.limit() = "
                    + gradient.limit() + ": must be equal");
        }
        this.iteration = iteration;
        this.evaluations = evaluations;
        this.functionEvaluations = functionEvaluations;
        this.gradientEvaluations = gradientEvaluations;
        this.value = value;
        this.x = x.asReadOnlyBuffer().rewind(); // own view at position 0; the driver's is untouched
        this.gradient = gradient.asReadOnlyBuffer().rewind();
        this.projectedGradientNorm = projectedGradientNorm;
        this.stepLength = stepLength;
        this.freeVariables = freeVariables;
        this.elapsedNanos = elapsedNanos;
    }

    /**
     * The number of iterations completed, this one included (1 at the first call): SciPy's
     * {@code nit} at this point.
     *
     * @return the iteration count, {@code >= 1}
     */
    public long iteration() {
        return iteration;
    }

    /**
     * The number of evaluations of f and g the solver asked for so far, x0 included: SciPy's
     * {@code nfev} with an analytic gradient.
     *
     * @return the evaluation count
     */
    public long evaluations() {
        return evaluations;
    }

    /**
     * The number of evaluations of f so far, x0 included: SciPy's {@code nfev}. With an analytic
     * gradient it is {@link #evaluations()}; with a {@link GradientScheme} it includes the
     * difference quotients.
     *
     * @return the evaluations of f
     */
    public long functionEvaluations() {
        return functionEvaluations;
    }

    /**
     * The number of gradients computed so far: SciPy's {@code njev}. With an analytic gradient it is
     * {@link #evaluations()}.
     *
     * @return the evaluations of the gradient
     */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    /**
     * f at the current iterate: SciPy's {@code intermediate_result.fun}.
     *
     * @return f(x)
     */
    public double value() {
        return value;
    }

    /**
     * The number of variables n.
     *
     * @return n
     */
    public int size() {
        return x.limit();
    }

    /**
     * The current iterate, as a new read-only view (position 0, limit n, native byte order) of the
     * solver's memory: SciPy's {@code intermediate_result.x}. Valid only during the callback; not a
     * copy. Each call returns an independent view, so moving its position affects nothing else.
     *
     * @return a read-only view of x
     */
    public DoubleBuffer x() {
        return x.duplicate();
    }

    /**
     * The gradient at the current iterate, as a new read-only view (position 0, limit n) of the
     * solver's memory. Valid only during the callback; not a copy.
     *
     * @return a read-only view of the gradient
     */
    public DoubleBuffer gradient() {
        return gradient.duplicate();
    }

    /**
     * {@code max_i |P(x - g) - x|_i}, the infinity norm of the projected gradient (P projects onto the
     * bounds; {@code sbgnrm} in L-BFGS-B). The run converges when it is
     * {@code <= projectedGradientTolerance}.
     *
     * @return the projected gradient norm at x
     */
    public double projectedGradientNorm() {
        return projectedGradientNorm;
    }

    /**
     * The step length the line search accepted along the search direction ({@code stp} in L-BFGS-B;
     * 1 is the full quasi-Newton step).
     *
     * @return the step length
     */
    public double stepLength() {
        return stepLength;
    }

    /**
     * The number of variables free (not held at a bound) at the last subspace minimization
     * ({@code nfree} in L-BFGS-B); n for an unbounded problem.
     *
     * @return the number of free variables
     */
    public int freeVariables() {
        return freeVariables;
    }

    /**
     * Wall-clock time since the run started (measured with {@link System#nanoTime()}), objective and
     * listener time included.
     *
     * @return the elapsed time
     */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos);
    }

    /** The counters and scalars of this iterate; x and the gradient are not printed. */
    @Override
    public String toString() {
        return "IterationState{iteration=" + iteration + ", evaluations=" + evaluations
                + (functionEvaluations == evaluations && gradientEvaluations == evaluations ? ""
                        : ", functionEvaluations=" + functionEvaluations + ", gradientEvaluations="
                                + gradientEvaluations)
                + ", value=" + value
                + ", projectedGradientNorm=" + projectedGradientNorm + ", stepLength=" + stepLength
                + ", freeVariables=" + freeVariables + ", n=" + size() + ", elapsed=" + elapsed() + "}";
    }
}
