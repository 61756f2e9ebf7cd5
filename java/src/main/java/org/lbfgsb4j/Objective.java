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

    /**
     * Adapts an objective written on plain arrays, for convenience and small n:
     * {@code Lbfgsb.minimize(Objective.fromArrays((x, g) -> { ...; return f; }), ...)}.
     *
     * <p>Each evaluation copies x (n values, from index 0 to {@code x.limit()}) into a {@code double[]},
     * calls {@code f}, and copies the n gradient values back: an O(n) copy each way per evaluation,
     * on top of what f costs. For large n, or when f is cheap, implement {@link Objective} directly.
     *
     * <p>The two arrays are allocated once, at the first evaluation (sized to n), and reused by every
     * later evaluation of the same n (a new n gets new arrays). So f receives the same array objects
     * on every call: it must not keep them, and gradient components it does not write keep the values
     * of the previous call. The adapter is meant for one minimization at a time; if it is called
     * concurrently (for example by minimizations on two threads), the overlapping calls get freshly
     * allocated arrays, so results stay correct but those calls allocate. Exceptions thrown by f
     * propagate unchanged, and the gradient buffer is then left as it was.
     *
     * @param f the objective on arrays
     * @return an {@link Objective} calling f
     * @throws IllegalArgumentException if f is null
     */
    static Objective fromArrays(ArrayObjective f) {
        if (f == null) {
            throw new IllegalArgumentException("f = null: must not be null");
        }
        return new Objective() {
            /** Guards the reused arrays; an overlapping call allocates its own instead. */
            private final java.util.concurrent.atomic.AtomicBoolean busy =
                    new java.util.concurrent.atomic.AtomicBoolean();
            private double[] xs; // published to other threads by the volatile accesses of busy
            private double[] gs;

            @Override
            public double evaluate(DoubleBuffer x, DoubleBuffer gradient) {
                int n = x.limit();
                if (!busy.compareAndSet(false, true)) {
                    return call(x, gradient, new double[n], new double[n]);
                }
                try {
                    if (xs == null || xs.length != n) {
                        xs = new double[n];
                        gs = new double[n];
                    }
                    return call(x, gradient, xs, gs);
                } finally {
                    busy.set(false);
                }
            }

            private double call(DoubleBuffer x, DoubleBuffer gradient, double[] xa, double[] ga) {
                x.get(0, xa);
                double value = f.evaluate(xa, ga);
                gradient.put(0, ga);
                return value;
            }

            @Override
            public String toString() {
                return "Objective.fromArrays(" + f + ")";
            }
        };
    }
}
