package org.lbfgsb4j;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeSession;

/**
 * L-BFGS-B: minimizes a smooth f(x) subject to lower &lt;= x &lt;= upper, with the native port of
 * L-BFGS-B 3.0 (Zhu, Byrd, Lu, Nocedal; Morales and Nocedal's 2011 remark). With the default
 * {@link LbfgsbOptions} it behaves as SciPy's {@code minimize(method='L-BFGS-B')}: same defaults,
 * iterates, evaluation counts, termination tests and messages, the iterates to rounding (the
 * default {@link Arithmetic#FAST} sums in its own, faster order); with
 * {@code arithmetic(Arithmetic.REFERENCE)} they are SciPy's bit for bit.
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
 * and a non-finite trial in a line search halves the step (at most
 * {@link LbfgsbOptions#maxNonFiniteBacktracks()} times) before the line search counts as failed,
 * so a run never reports convergence at a NaN; {@code maxIterations(0)} evaluates x0 only.
 *
 * <p><b>Control and diagnostics</b> ({@link LbfgsbOptions}): objectives without a gradient with
 * SciPy's finite differences ({@link #minimize(ValueObjective, GradientScheme, double[], Bounds,
 * LbfgsbOptions)}), a target value, a wall-clock limit and a cancellation hook checked before every
 * evaluation, an {@link IterationListener}, SciPy's Fortran {@code iprint} log through
 * {@link System.Logger}, the hard-coded line-search constants, and
 * {@link LbfgsbResult#explanation()} saying with the numbers why a run ended. {@link GradientCheck}
 * finds a wrong gradient, the usual cause of an abnormal line search.
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
     *     whose size differs from x0's length; or when a supplier of the options returns an invalid
     *     value
     */
    public static LbfgsbResult minimize(Objective objective, double[] x0, Bounds bounds, LbfgsbOptions options) {
        long started = System.nanoTime();
        requireNonNull("objective", objective);
        checkStart(x0, bounds, options);
        try (NativeSession session = newSession(x0.length, options)) {
            session.x().put(0, x0);
            bounds.writeTo(session.lower(), session.upper());
            return new Run(session, options, bounds, started).javaLoop(objective);
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
        long started = System.nanoTime();
        requireNonNull("objective", objective);
        requireNonNull("x", x);
        checkBuffer(x);
        checkStart(x, bounds, options);
        try (NativeSession session = new NativeSession(x, o -> Run.configure(o, options))) {
            bounds.writeTo(session.lower(), session.upper());
            return new Run(session, options, bounds, started).javaLoop(objective);
        }
    }

    /**
     * Minimizes an objective without a gradient, whose gradient {@code scheme} approximates by
     * finite differences that never leave {@code bounds}: SciPy's {@code minimize(fun, x0,
     * jac=None | '2-point' | '3-point', bounds=...)}, with the same evaluations, iterates and counts
     * (see {@link GradientScheme}). {@link LbfgsbResult#functionEvaluations()} counts every
     * evaluation of f (SciPy's {@code nfev}) and {@link LbfgsbResult#gradientEvaluations()} the
     * gradients (SciPy's {@code njev}); {@link LbfgsbOptions#maxEvaluations()} limits the former,
     * as SciPy's {@code maxfun} does. The time limit and the cancellation hook are also checked
     * between the difference quotients. SciPy's default {@code minimize(fun, x0)} is
     * {@code minimize(fun, GradientScheme.forward(), x0, Bounds.unbounded(n), LbfgsbOptions.defaults())}.
     *
     * @param objective f, called on the minimizing thread (and on the scheme's executor if it is
     *     parallel)
     * @param scheme the difference formula and step
     * @param x0 the starting point (copied; not modified)
     * @throws IllegalArgumentException on a null argument, an empty or non-finite x0, or bounds
     *     whose size differs from x0's length; or when a supplier of the options returns an invalid
     *     value
     */
    public static LbfgsbResult minimize(ValueObjective objective, GradientScheme scheme, double[] x0, Bounds bounds,
            LbfgsbOptions options) {
        long started = System.nanoTime();
        requireNonNull("objective", objective);
        requireNonNull("scheme", scheme);
        checkStart(x0, bounds, options);
        try (NativeSession session = newSession(x0.length, options)) {
            session.x().put(0, x0);
            bounds.writeTo(session.lower(), session.upper());
            Run run = new Run(session, options, bounds, started);
            return run.javaLoop(run.useFiniteDifferences(objective, scheme));
        }
    }

    /**
     * Continues the run saved in {@code checkpoint} (from {@link LbfgsbOptions.Builder#checkpointEvery},
     * {@link LbfgsbResult#checkpoint()} or {@link Minimization#checkpoint()}, possibly read back
     * with {@link Checkpoint#readFrom}) with the Java loop: the iterates, f, counts and termination
     * are bit for bit those of the uninterrupted run, and the counters go on from the checkpoint's
     * (limits are cumulative). Limits and tolerances come from {@code options} and may differ from
     * the original run's; the history size may not. The bounds are the checkpoint's. Suppliers of
     * the target or the tolerance are called once, when the run resumes.
     *
     * @throws IllegalArgumentException on a null argument, or a history size other than the
     *     checkpoint's
     */
    public static LbfgsbResult resume(Objective objective, Checkpoint checkpoint, LbfgsbOptions options) {
        requireNonNull("objective", objective);
        requireNonNull("checkpoint", checkpoint);
        requireNonNull("options", options);
        Bounds bounds = Bounds.of(checkpoint.doubles("lower"), checkpoint.doubles("upper"));
        long started = System.nanoTime();
        try (NativeSession session = checkpoint.restore(options, null)) {
            return new Run(session, options, bounds, started).resumeLoop(objective);
        }
    }

    /**
     * Starts an ask/tell run ({@link Minimization}): the caller evaluates f and the gradient at
     * its own pace. Same iterates as {@link #minimize(Objective, double[], Bounds, LbfgsbOptions)}.
     */
    public static Minimization start(double[] x0, Bounds bounds, LbfgsbOptions options) {
        return Minimization.start(x0, bounds, options);
    }

    /**
     * Minimizes an objective called from the native loop ({@code lbfgsb::run}): a Java objective
     * called back through JNI, or a C function. Same iterates and results as the Java loop, bit
     * for bit. The iteration listener, if any, is called back after every iteration.
     *
     * <p>With a Java objective ({@link NativeObjective#callback}) every option works as in the Java
     * loop: the time limit and the cancellation hook are checked before every evaluation. With a C
     * function ({@link NativeObjective#functionPointer}) the native loop runs without a Java
     * crossing per evaluation, so the time limit and the cancellation hook are checked after every
     * iteration only (the run then ends at the last iterate, a limit of the same iteration taking
     * precedence), the log has no {@code At iterate 0} line, and the suppliers of
     * {@link LbfgsbOptions#targetValueSupplier()} and
     * {@link LbfgsbOptions#projectedGradientToleranceSupplier()} are refused.
     *
     * @throws IllegalStateException when a C objective returned nonzero (aborting the run)
     * @throws IllegalArgumentException as the Java loop, for a supplier with a C function, or for a C
     *     function that is not in executable memory or a closed FunctionPointer
     *     ({@link NativeObjective#functionPointer(long, long)} says where addresses come from)
     */
    public static LbfgsbResult minimize(NativeObjective objective, double[] x0, Bounds bounds, LbfgsbOptions options) {
        long started = System.nanoTime();
        requireNonNull("objective", objective);
        checkStart(x0, bounds, options);
        if (objective.javaObjective() == null) {
            objective.checkCallable();
            if (options.targetValueSupplier().isPresent()) {
                throw new IllegalArgumentException("targetValueSupplier = " + options.targetValueSupplier().get()
                        + ": not supported with a C function objective (" + objective
                        + "), which cannot be paused after x0; use a constant targetValue");
            }
            if (options.projectedGradientToleranceSupplier().isPresent()) {
                throw new IllegalArgumentException("projectedGradientToleranceSupplier = "
                        + options.projectedGradientToleranceSupplier().get() + ": not supported with a C function"
                        + " objective (" + objective + "), which cannot be paused after x0; use a constant"
                        + " projectedGradientTolerance");
            }
        }
        try (NativeSession session = newSession(x0.length, options)) {
            session.x().put(0, x0);
            bounds.writeTo(session.lower(), session.upper());
            return new Run(session, options, bounds, started).nativeLoop(objective);
        } finally {
            Reference.reachabilityFence(objective); // and the FunctionPointer it may hold
        }
    }

    // ---- validation and set-up ----

    private static NativeSession newSession(int n, LbfgsbOptions options) {
        return new NativeSession(n, o -> Run.configure(o, options));
    }

    /** The state of a session at a new iterate, for the other drivers (Minimization). */
    static IterationState stateOf(NativeSession session, long startedNanos) {
        return new IterationState(session.iterations(), session.evaluations(), session.f(),
                session.xReadOnly(), session.gradient(), session.projectedGradientNorm(),
                session.stepLength(), (int) session.freeVariables(), System.nanoTime() - startedNanos);
    }

    /** The result of a finished session, for the other drivers (Minimization). */
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
