package org.lbfgsb4j;

import java.nio.DoubleBuffer;

/**
 * A differentiable objective f: R^n -> R.
 *
 * <p>{@code x} and {@code gradient} are zero-copy views of the solver's native memory (native byte
 * order, position 0, limit n). They are valid only during the call: do not keep them. Read x,
 * write all n gradient components (absolute indexing, e.g. {@code gradient.put(i, gi)}), and
 * return f(x). Do not write to x.
 */
@FunctionalInterface
public interface Objective {
    /**
     * @param x the point, read-only, n values
     * @param gradient where to write the n components of the gradient of f at x
     * @return f(x)
     */
    double evaluate(DoubleBuffer x, DoubleBuffer gradient);
}
