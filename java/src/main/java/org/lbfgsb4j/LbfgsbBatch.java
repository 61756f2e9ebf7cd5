package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Many independent problems at once (thousands of small fits in an HPC job): every member has its
 * own solver state and result, members are solved as tasks on the caller's executor, and the
 * objective learns which member it evaluates. Each member's result is bit for bit the one
 * {@link Lbfgsb#minimize} gives it alone.
 *
 * <pre>{@code
 * List<LbfgsbResult> results = LbfgsbBatch.minimize(10_000,
 *         (member, x, g) -> fit(member, x, g),
 *         member -> startOf(member), member -> Bounds.box(3, 0, 1), LbfgsbOptions.defaults(), executor);
 * }</pre>
 */
public final class LbfgsbBatch {
    private LbfgsbBatch() {}

    /** The objective of member {@code member}; called concurrently for different members. */
    @FunctionalInterface
    public interface MemberObjective {
        double evaluate(int member, DoubleBuffer x, DoubleBuffer gradient);
    }

    /**
     * Solves members 0 .. count-1 on {@code executor} and returns their results in member order.
     * The objective must be safe to call from several threads for different members.
     *
     * @throws IllegalArgumentException on a null argument or count < 0, or when a member's x0 or
     *     bounds are invalid (the message names the member)
     * Whatever an objective threw reaches the caller unchanged, checked or not (the first failing
     * member in member order; the others are cancelled).
     */
    public static List<LbfgsbResult> minimize(int count, MemberObjective objective, IntFunction<double[]> x0,
            IntFunction<Bounds> bounds, LbfgsbOptions options, ExecutorService executor) {
        if (count < 0) {
            throw new IllegalArgumentException("count = " + count + ": must be >= 0");
        }
        requireNonNull("objective", objective);
        requireNonNull("x0", x0);
        requireNonNull("bounds", bounds);
        requireNonNull("options", options);
        requireNonNull("executor", executor);
        List<Future<LbfgsbResult>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final int member = i;
            futures.add(executor.submit(() -> {
                double[] start = x0.apply(member);
                Bounds b = bounds.apply(member);
                try {
                    Lbfgsb.checkStartForDrivers(start, b, options);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("member " + member + ": " + e.getMessage(), e);
                }
                return Lbfgsb.minimize((x, g) -> objective.evaluate(member, x, g), start, b, options);
            }));
        }
        List<LbfgsbResult> results = new ArrayList<>(count);
        try {
            for (Future<LbfgsbResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw LbfgsbBatch.<RuntimeException>sneaky(e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the batch");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " = null: must not be null");
        }
    }
}
