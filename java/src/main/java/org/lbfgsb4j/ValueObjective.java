package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import java.util.function.ToDoubleFunction;

/**
 * An objective f: R^n -&gt; R without a gradient: SciPy's {@code minimize(fun, x0, jac=None)} (or
 * {@code jac='2-point'} / {@code '3-point'}). {@link Lbfgsb#minimize(ValueObjective, GradientScheme,
 * double[], Bounds, LbfgsbOptions)} approximates the gradient with the finite differences of a
 * {@link GradientScheme}, which costs n (forward and 2-point) or 2n (3-point) more evaluations of f
 * per gradient.
 *
 * <p>{@code x} is a read-only buffer (native byte order, position 0, limit n), valid only during the
 * call: read it with absolute gets ({@code x.get(i)}, {@code x.get(0, array)}) and do not keep it.
 * It is either a view of the solver's x or a scratch copy with one component moved by the
 * difference step, which always lies within the bounds.
 *
 * <p>With a parallel scheme ({@link GradientScheme#parallel}) f is called from several threads at
 * once, each with its own x: it must then be thread-safe.
 */
@FunctionalInterface
public interface ValueObjective {
    /**
     * @param x the point, read-only, n values
     * @return f(x)
     */
    double value(DoubleBuffer x);

    /**
     * Adapts a function of a plain array, for convenience and small n. Each call copies x into a new
     * array (O(n)), so the adapter is thread-safe if {@code f} is.
     *
     * @param f the objective on arrays; receives a fresh copy of x it may keep or modify
     * @return a {@link ValueObjective} calling f
     * @throws IllegalArgumentException if f is null
     */
    static ValueObjective fromArrays(ToDoubleFunction<double[]> f) {
        if (f == null) {
            throw new IllegalArgumentException("f = null: must not be null");
        }
        return new ValueObjective() {
            @Override
            public double value(DoubleBuffer x) {
                double[] a = new double[x.limit()];
                x.get(0, a);
                return f.applyAsDouble(a);
            }

            @Override
            public String toString() {
                return "ValueObjective.fromArrays(" + f + ")";
            }
        };
    }
}
