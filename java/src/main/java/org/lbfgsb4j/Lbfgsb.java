package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeCallbacks;
import org.lbfgsb4j.internal.NativeSession;

/**
 * L-BFGS-B: minimizes a smooth f(x) subject to lower &lt;= x &lt;= upper, with the native port of
 * L-BFGS-B 3.0 (Zhu, Byrd, Lu, Nocedal; Morales and Nocedal's 2011 remark). With the default
 * {@link LbfgsbOptions} it behaves as SciPy's {@code minimize(method='L-BFGS-B')}: same iterates,
 * evaluation counts, termination tests and messages.
 *
 * <pre>{@code
 * LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
 *     double a = x.get(0) - 1, b = x.get(1) + 2;
 *     g.put(0, 2 * a);
 *     g.put(1, 2 * b);
 *     return a * a + b * b;
 * }, new double[] {0, 0}, Bounds.box(2, -1, 1), LbfgsbOptions.defaults());
 * }</pre>
 *
 * <p><b>Memory.</b> x, the gradient and the bounds live in native memory owned by one native
 * minimizer per call, freed before the call returns, also when the objective throws. The
 * objective sees x and the gradient as zero-copy views: no copy per evaluation, whatever n is.
 * The largest n is {@value NativeSession#MAX_SIZE}, the most doubles a {@link DoubleBuffer} view
 * can address.
 *
 * <p><b>x0.</b> A {@code double[]} x0 is copied in once and never modified; a point outside the
 * bounds is projected onto them, as SciPy does ({@link LbfgsbResult#x0Projected()} tells). A direct
 * {@link DoubleBuffer} x0 is used in place: the solver iterates in it and leaves the solution
 * there.
 *
 * <p><b>Where SciPy is wrong, this does better</b> (all documented on {@link Termination}): after
 * {@link Termination#ABNORMAL_LINE_SEARCH} the value is f at the returned x (SciPy reports the last
 * trial value); a non-finite f or gradient at x0 ends the run with {@link Termination#NON_FINITE},
 * and a non-finite trial in a line search counts as a failed line search, so a run never reports
 * convergence at a NaN; {@code maxIterations(0)} evaluates x0 only.
 *
 * <p><b>Threads.</b> Every call is independent: any number of minimizations may run at once on
 * different threads. The objective is called on the calling thread.
 */
public final class Lbfgsb {
    private Lbfgsb() {}

    /** Unbounded minimization with the default options. */
    public static LbfgsbResult minimize(Objective objective, double[] x0) {
        return minimize(objective, x0, x0 == null ? null : Bounds.unbounded(Math.max(1, x0.length)),
                LbfgsbOptions.defaults());
    }

    /** Bound-constrained minimization with the default options. */
    public static LbfgsbResult minimize(Objective objective, double[] x0, Bounds bounds) {
        return minimize(objective, x0, bounds, LbfgsbOptions.defaults());
    }

    /**
     * Minimizes {@code objective} from {@code x0} within {@code bounds}, the objective being called
     * from a Java loop (no native-to-Java callbacks). An exception thrown by the objective or the
     * iteration listener reaches the caller unchanged.
     *
     * @param x0 the starting point (copied; not modified)
     * @throws IllegalArgumentException on a null argument, an empty or non-finite x0, or bounds
     *     whose size differs from x0's length
     */
    public static LbfgsbResult minimize(Objective objective, double[] x0, Bounds bounds, LbfgsbOptions options) {
        requireNonNull("objective", objective);
        checkStart(x0, bounds, options);
        try (NativeSession session = newSession(x0.length, options)) {
            session.x().put(0, x0);
            return javaLoop(session, objective, bounds, options);
        }
    }

    /**
     * As {@link #minimize(Objective, double[], Bounds, LbfgsbOptions)}, working in place on
     * {@code x}: its {@code remaining()} doubles from its position hold x0 and, on return, the
     * solution (also when the run stops early or the objective throws: then the last point the
     * solver holds). {@code x} must be direct, writable and in native byte order
     * ({@code ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer()});
     * its position and limit are not changed.
     */
    public static LbfgsbResult minimize(Objective objective, DoubleBuffer x, Bounds bounds, LbfgsbOptions options) {
        requireNonNull("objective", objective);
        requireNonNull("x", x);
        checkBuffer(x);
        checkStart(x, bounds, options);
        try (NativeSession session = new NativeSession(x, o -> configure(o, options))) {
            return javaLoop(session, objective, bounds, options);
        }
    }

    /**
     * Minimizes an objective called from the native loop ({@code lbfgsb::run}): a Java objective
     * called back through JavaCPP, or a C function. Same iterates and results as the Java loop, bit
     * for bit. The iteration listener, if any, is called back after every iteration.
     *
     * @throws IllegalStateException when a C objective returned nonzero (aborting the run)
     */
    public static LbfgsbResult minimize(NativeObjective objective, double[] x0, Bounds bounds, LbfgsbOptions options) {
        requireNonNull("objective", objective);
        checkStart(x0, bounds, options);
        try (NativeSession session = newSession(x0.length, options)) {
            session.x().put(0, x0);
            bounds.writeTo(session.lower(), session.upper());
            IterationListener listener = options.iterationListener().orElse(null);
            long started = System.nanoTime();
            NativeCallbacks.IterationHook hook = listener == null ? null
                    : () -> listener.onIteration(stateOf(session, started)) == IterationListener.Action.STOP;
            int status = objective.javaObjective() != null
                    ? NativeCallbacks.run(session, objective.javaObjective(), hook)
                    : NativeCallbacks.runFunctionPointer(session, objective.functionAddress(), objective.userData(), hook);
            if (status == LbfgsbNative.STATUS_ABORTED_BY_OBJECTIVE) {
                throw new IllegalStateException("the native objective " + objective
                        + " returned nonzero at evaluation " + (session.evaluations() + 1) + ": run aborted");
            }
            return resultOf(session);
        }
    }

    // ---- the Java driver loop ----

    private static LbfgsbResult javaLoop(NativeSession session, Objective objective, Bounds bounds,
            LbfgsbOptions options) {
        bounds.writeTo(session.lower(), session.upper());
        IterationListener listener = options.iterationListener().orElse(null);
        DoubleBuffer x = session.xReadOnly();
        DoubleBuffer g = session.gradient();
        long started = System.nanoTime();
        int task = session.start();
        while (task != LbfgsbNative.TASK_DONE) {
            if (task == LbfgsbNative.TASK_EVALUATE) {
                x.clear();
                g.clear();
                task = session.submit(objective.evaluate(x, g));
            } else {
                if (listener != null
                        && listener.onIteration(stateOf(session, started)) == IterationListener.Action.STOP) {
                    session.requestStop();
                }
                task = session.proceed();
            }
        }
        return resultOf(session);
    }

    static IterationState stateOf(NativeSession session, long startedNanos) {
        return new IterationState(session.iterations(), session.evaluations(), session.f(),
                session.xReadOnly(), session.gradient(), session.projectedGradientNorm(),
                session.stepLength(), (int) session.freeVariables(), System.nanoTime() - startedNanos);
    }

    static LbfgsbResult resultOf(NativeSession session) {
        int status = session.status();
        if (status == LbfgsbNative.STATUS_INVALID_INPUT) {
            // Bounds and options are validated in Java first: reaching this is a bug.
            throw new IllegalStateException("the native core refused the input: " + session.message());
        }
        int n = (int) session.size();
        double[] x = new double[n];
        double[] g = new double[n];
        session.x().get(0, x);
        session.gradient().get(0, g);
        return new LbfgsbResult(x, session.f(), g, session.iterations(), session.evaluations(),
                session.projectedGradientNorm(), Termination.fromNativeStatus(status), session.x0Projected());
    }

    // ---- validation and set-up ----

    private static NativeSession newSession(int n, LbfgsbOptions options) {
        return new NativeSession(n, o -> configure(o, options));
    }

    private static void configure(LbfgsbNative.Options o, LbfgsbOptions options) {
        NativeOptions.configure(o, options);
    }

    /** The argument checks of {@code minimize(Objective, double[], ...)}, for the other drivers. */
    static void checkStartForDrivers(double[] x0, Bounds bounds, LbfgsbOptions options) {
        checkStart(x0, bounds, options);
    }

    private static void checkStart(double[] x0, Bounds bounds, LbfgsbOptions options) {
        requireNonNull("x0", x0);
        requireNonNull("bounds", bounds);
        requireNonNull("options", options);
        if (x0.length == 0) {
            throw new IllegalArgumentException("x0.length = 0: must be > 0");
        }
        checkSize(x0.length, bounds);
        for (int i = 0; i < x0.length; i++) {
            checkFinite(i, x0[i]);
        }
    }

    private static void checkStart(DoubleBuffer x, Bounds bounds, LbfgsbOptions options) {
        requireNonNull("bounds", bounds);
        requireNonNull("options", options);
        int n = x.remaining();
        if (n == 0) {
            throw new IllegalArgumentException("x.remaining() = 0: must be > 0");
        }
        checkSize(n, bounds);
        int p = x.position();
        for (int i = 0; i < n; i++) {
            checkFinite(i, x.get(p + i));
        }
    }

    private static void checkBuffer(DoubleBuffer x) {
        if (!x.isDirect() || x.isReadOnly() || x.order() != java.nio.ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("x = " + x + " (direct=" + x.isDirect() + ", readOnly="
                    + x.isReadOnly() + ", order=" + x.order()
                    + "): must be a direct, writable DoubleBuffer in native byte order");
        }
    }

    private static void checkSize(int n, Bounds bounds) {
        if (bounds.size() != n) {
            throw new IllegalArgumentException(
                    "bounds.size() = " + bounds.size() + ": must equal the length of x0, " + n);
        }
        if (n > NativeSession.MAX_SIZE) {
            throw new IllegalArgumentException(
                    "n = " + n + ": must be <= " + NativeSession.MAX_SIZE + " (the largest DoubleBuffer view)");
        }
    }

    private static void checkFinite(int i, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("x0[" + i + "] = " + v + ": must be finite");
        }
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " = null: must not be null");
        }
    }
}
