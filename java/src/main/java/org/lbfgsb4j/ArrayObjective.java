package org.lbfgsb4j;

/**
 * A differentiable objective f: R^n -&gt; R on plain arrays, for convenience and small n. Adapt it with
 * {@link Objective#fromArrays(ArrayObjective)}, which copies x in and the gradient out on every
 * evaluation (O(n) each); for large n implement {@link Objective}, which works on zero-copy views
 * of the solver's memory.
 */
@FunctionalInterface
public interface ArrayObjective {
    /**
     * Returns f(x) and writes its gradient.
     *
     * @param x the point, n values; a copy, so writing to it has no effect on the solver
     * @param gradient where to write all n components of the gradient of f at x. The array is reused
     *     between calls, so a component not written keeps the value of an earlier call
     * @return f(x)
     */
    double evaluate(double[] x, double[] gradient);
}
