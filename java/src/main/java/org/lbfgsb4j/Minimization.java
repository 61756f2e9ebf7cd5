package org.lbfgsb4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeSession;

/**
 * An L-BFGS-B run driven by the caller (ask/tell, the solver's reverse communication): the caller
 * reads x, computes f and the gradient however and wherever it likes (an MPI job, a remote
 * service, a cluster), writes the gradient and tells f. Same iterates and results as
 * {@link Lbfgsb#minimize}, bit for bit.
 *
 * <pre>{@code
 * try (Minimization m = Minimization.start(x0, bounds, options)) {
 *     while (m.phase() != Minimization.Phase.DONE) {
 *         if (m.phase() == Minimization.Phase.EVALUATE) {
 *             double f = evaluateSomewhere(m.x(), m.gradient());   // fills the gradient
 *             m.tell(f);
 *         } else {                                                // ITERATE: a new iterate
 *             m.checkpoint().writeTo(file);                       // e.g. persist it
 *             m.proceed();
 *         }
 *     }
 *     LbfgsbResult r = m.result();
 * }
 * }</pre>
 *
 * <p>The options' iteration listener, if any, is called when a new iterate is reached (before
 * {@link #phase()} turns to ITERATE); its STOP takes effect at {@link #proceed()}. Options that
 * need the library's own loop (time limit, cancellation, suppliers, periodic checkpoints) are
 * refused; logging is not done.
 *
 * <p>Holds native memory: close it (try-with-resources). Not thread-safe; one thread at a time.
 */
public final class Minimization implements AutoCloseable {
    /** What the minimization waits for. */
    public enum Phase {
        /** Write the gradient at {@link #x()} into {@link #gradient()}, then {@link #tell(double)} f. */
        EVALUATE,
        /** An iteration finished: inspect {@link #state()}, checkpoint, redefine, then {@link #proceed()}. */
        ITERATE,
        /** The run ended: {@link #result()}. */
        DONE
    }

    private final NativeSession session;
    private final LbfgsbOptions options;
    private final long started = System.nanoTime();
    private int task;

    private Minimization(NativeSession session, LbfgsbOptions options, int task) {
        this.session = session;
        this.options = options;
        this.task = task;
    }

    /**
     * Starts a run from {@code x0} (copied, projected onto the bounds as SciPy does); the first
     * phase is EVALUATE at the projected x0.
     *
     * @throws IllegalArgumentException on a null argument, an empty or non-finite x0, or bounds
     *     of another size
     */
    public static Minimization start(double[] x0, Bounds bounds, LbfgsbOptions options) {
        Lbfgsb.checkStartForDrivers(x0, bounds, options);
        refuseLoopOptions(options);
        NativeSession session = new NativeSession(x0.length, o -> Run.configure(o, options));
        try {
            session.x().put(0, x0);
            bounds.writeTo(session.lower(), session.upper());
            return new Minimization(session, options, session.start());
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * Continues the run saved in {@code checkpoint}: the next phase is the one the run was in,
     * and every counter goes on from the checkpoint's. Limits and tolerances come from
     * {@code options} (they may differ from the original run's); the history size must not.
     *
     * @throws IllegalArgumentException when an argument is null or the history sizes differ
     */
    public static Minimization resume(Checkpoint checkpoint, LbfgsbOptions options) {
        if (checkpoint == null) {
            throw new IllegalArgumentException("checkpoint = null: must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options = null: must not be null");
        }
        refuseLoopOptions(options);
        NativeSession session = checkpoint.restore(options, null);
        return new Minimization(session, options, session.task());
    }

    /**
     * The options that need the library's own loop: in ask/tell the caller owns the clock and
     * decides when to stop, so they are refused rather than ignored.
     */
    private static void refuseLoopOptions(LbfgsbOptions options) {
        String what = options.timeLimit().isPresent() ? "timeLimit"
                : options.cancellation().isPresent() ? "cancellation"
                : options.targetValueSupplier().isPresent() ? "targetValue(supplier)"
                : options.projectedGradientToleranceSupplier().isPresent() ? "projectedGradientTolerance(supplier)"
                : options.checkpointEvery() > 0 ? "checkpointEvery" : null;
        if (what != null) {
            throw new IllegalArgumentException(what + " is set: ask/tell runs do not use it (the caller drives"
                    + " the run; take checkpoints with checkpoint(), stop with requestStop())");
        }
    }

    /** What the minimization waits for now. */
    public Phase phase() {
        return task == LbfgsbNative.TASK_EVALUATE ? Phase.EVALUATE
                : task == LbfgsbNative.TASK_NEW_ITERATE ? Phase.ITERATE : Phase.DONE;
    }

    /** The number of variables n. */
    public int size() {
        return (int) session.size();
    }

    /** A read-only view of x (the point to evaluate, or the current iterate); position 0, limit n. */
    public DoubleBuffer x() {
        return session.xReadOnly().clear();
    }

    /** The gradient buffer: in phase EVALUATE write the gradient at {@link #x()} here. */
    public DoubleBuffer gradient() {
        return session.gradient().clear();
    }

    /**
     * Hands over f at {@link #x()} (the gradient is already written).
     *
     * @throws IllegalStateException unless the phase is EVALUATE
     */
    public Phase tell(double f) {
        require(Phase.EVALUATE, "tell");
        task = session.submit(f);
        if (task == LbfgsbNative.TASK_NEW_ITERATE) {
            options.iterationListener().ifPresent(listener -> {
                if (listener.onIteration(state()) == IterationListener.Action.STOP) {
                    session.requestStop();
                }
            });
        }
        return phase();
    }

    /**
     * Goes on after a new iterate: tests the limits and convergence, then asks for the next
     * evaluation or ends.
     *
     * @throws IllegalStateException unless the phase is ITERATE
     */
    public Phase proceed() {
        require(Phase.ITERATE, "proceed");
        task = session.proceed();
        return phase();
    }

    /** Makes the next {@link #proceed()} end the run with {@link Termination#STOPPED_BY_LISTENER}. */
    public void requestStop() {
        session.requestStop();
    }

    /** The state at the current iterate (valid in phase ITERATE; views read-only). */
    public IterationState state() {
        return Lbfgsb.stateOf(session, started);
    }

    /** The complete state now, in any phase; resuming from it continues bit for bit. */
    public Checkpoint checkpoint() {
        return Checkpoint.capture(session);
    }

    /**
     * The result, once the phase is DONE.
     *
     * @throws IllegalStateException before that
     */
    public LbfgsbResult result() {
        require(Phase.DONE, "result");
        return Lbfgsb.resultOf(session);
    }

    // ---- objective redefinition ----

    /**
     * The new objective's value and gradient at one point of the history, for
     * {@link #redefineObjective}.
     */
    @FunctionalInterface
    public interface HistoryRedefinition {
        /**
         * @param index the point's place in the history, 0 the oldest, {@code count - 1} the current x
         * @param point the point (read-only)
         * @param gradient on entry the gradient stored for the point (of the old objective); on
         *     return it must hold the new objective's gradient there
         * @return the new objective's value at the point
         */
        double evaluate(int index, DoubleBuffer point, DoubleBuffer gradient);
    }

    /**
     * Replaces the objective at an iteration boundary (the Python lbfgsb package's
     * {@code update_fun_def}), for example to reweight a regularizer: {@code redefinition} is
     * called for every point of the history, oldest first, the current x last. The solver rebuilds
     * its correction pairs from the new gradients (y_i = g_{i+1} - g_i), its S'Y, θ and
     * factorizations, drops pairs whose curvature is no longer positive (with all older ones),
     * and goes on with f = the value at x; the value at the previous iterate becomes the f the
     * relative-reduction test compares with. The points are reconstructed from x and the stored
     * steps (not stored twice), so they can differ from the original iterates in the last bits.
     * Evaluations made here are not counted in {@link LbfgsbResult#evaluations()}.
     *
     * @return the number of correction pairs kept
     * @throws IllegalStateException unless the phase is ITERATE
     */
    public int redefineObjective(HistoryRedefinition redefinition) {
        if (redefinition == null) {
            throw new IllegalArgumentException("redefinition = null: must not be null");
        }
        require(Phase.ITERATE, "redefineObjective");
        int n = size();
        DoubleBuffer point = direct(n);
        DoubleBuffer gradient = direct(n);
        int count = session.historyCount();
        double f = Double.NaN;
        double fPrevious = Double.NaN;
        session.beginRedefinition();
        for (int i = 0; i < count; i++) {
            session.historyPoint(i, point.clear());
            session.historyGradient(i, gradient.clear());
            double value = redefinition.evaluate(i, point.asReadOnlyBuffer().clear(), gradient.clear());
            session.redefineGradient(i, gradient.clear());
            if (i == count - 2) {
                fPrevious = value;
            }
            if (i == count - 1) {
                f = value;
            }
        }
        return session.endRedefinition(f, fPrevious);
    }

    private static DoubleBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Double.BYTES)).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    private void require(Phase expected, String call) {
        if (phase() != expected) {
            throw new IllegalStateException(call + "() needs phase " + expected + ", the minimization is in " + phase());
        }
    }

    /** Frees the native memory (idempotent). */
    @Override
    public void close() {
        session.close();
    }
}
