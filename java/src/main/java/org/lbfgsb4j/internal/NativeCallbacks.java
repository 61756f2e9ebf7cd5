package org.lbfgsb4j.internal;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.lbfgsb4j.Objective;

/**
 * The native-driven loop: {@code lbfgsb::run} calls a Java objective, and a Java iteration hook,
 * through plain JNI upcalls written by hand
 * ({@code java/src/main/native/lbfgsb4j/objective_upcall.hpp}): the binding hands the native side
 * this thread's {@code JNIEnv*} and an {@link Upcalls} object, and every evaluation is one
 * argument-free {@code CallDoubleMethod} on it, plus an {@code ExceptionCheck}. There is no
 * JavaCPP {@link org.bytedeco.javacpp.FunctionPointer} trampoline, so no limit on how many runs
 * are in progress at once.
 *
 * <p>What it takes care of:
 * <ul>
 *   <li>No allocation per call: the objective gets the session's cached views (the core always
 *       evaluates at the minimizer's own x and gradient, which the native side checks; other
 *       addresses would arrive through {@code evaluateAt} and get new views); f goes back as the
 *       upcall's return value.
 *   <li>Exceptions: anything the objective or the iteration hook throws is caught in Java and
 *       stored, the upcall reports it (the core aborts or stops the run), and the original
 *       throwable, same object, is rethrown after {@code run} returns. A throwable that escapes
 *       the Java handler (a StackOverflowError on entry, say) is left pending by the native side,
 *       which aborts the run: it reaches the caller unchanged too.
 *   <li>Lifetimes: the upcall object is a JNI local reference of the running native call, so it
 *       lives as long as the run; nothing is registered or freed.
 * </ul>
 */
public final class NativeCallbacks {
    private NativeCallbacks() {}

    /** Called after each iteration of a native-driven run. */
    @FunctionalInterface
    public interface IterationHook {
        /** @return true to stop the run (status {@link LbfgsbNative#STATUS_STOPPED_BY_USER}) */
        boolean stopAfterIteration();
    }

    /**
     * Runs the session's minimizer to the end from its current x and bounds, in native code.
     *
     * @param onIteration may be null
     * @return the final {@code STATUS_*} value (any throwable of the objective or the hook is
     *     rethrown as is)
     */
    public static int run(NativeSession session, Objective objective, IterationHook onIteration) {
        Upcalls upcalls = new Upcalls(session, objective, onIteration);
        try {
            int status = NativeGlue.runJavaObjective(session.minimizer(), upcalls, onIteration != null);
            if (upcalls.failure != null) {
                throw NativeCallbacks.<RuntimeException>rethrow(upcalls.failure);
            }
            return status;
        } finally {
            Reference.reachabilityFence(session);
        }
    }

    /**
     * Runs the session's minimizer to the end with a plain C objective at {@code functionAddress}
     * ({@code int (*)(int64_t n, const double* x, double* f, double* g, void* user)}): no JNI
     * crossing per evaluation. {@code functionAddress} must be the address of such a C function
     * (not a JavaCPP FunctionPointer's {@code address()}, see {@link LbfgsbNative.ObjectiveFunction}).
     *
     * @param onIteration may be null
     * @return the final {@code STATUS_*} value
     */
    public static int runFunctionPointer(NativeSession session, long functionAddress, long userData,
            IterationHook onIteration) {
        Upcalls hook = onIteration == null ? null : new Upcalls(session, null, onIteration);
        try {
            int status = NativeGlue.runCObjective(session.minimizer(), functionAddress, userData, hook);
            if (hook != null && hook.failure != null) {
                throw NativeCallbacks.<RuntimeException>rethrow(hook.failure);
            }
            return status;
        } finally {
            Reference.reachabilityFence(session);
        }
    }

    /** Throws {@code t} unchanged, checked or not; the return type lets callers write throw. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }

    /** A DoublePointer over any address, for views of memory that is not the session's. */
    private static final class At extends DoublePointer {
        At(long address, long length) {
            super((Pointer) null);
            this.address = address;
            this.limit = length;
            this.capacity = length;
        }
    }

    /**
     * What the native side calls, by name and descriptor (keep in step with
     * {@code objective_upcall.hpp}): {@code evaluate ()D}, {@code evaluateAt (JJJ)D},
     * {@code failed ()Z}, {@code afterIteration ()I}. One per run; used by the running thread only.
     */
    static final class Upcalls {
        private final Objective objective;
        private final IterationHook hook;
        private final long xAddress;
        private final long gradientAddress;
        private final DoubleBuffer x;
        private final DoubleBuffer gradient;
        /** The first throwable of the objective or the hook; the run ends right after it. */
        Throwable failure;

        Upcalls(NativeSession session, Objective objective, IterationHook hook) {
            this.objective = objective;
            this.hook = hook;
            this.xAddress = session.xAddress();
            this.gradientAddress = session.gradientAddress();
            this.x = session.xReadOnly();
            this.gradient = session.gradient();
        }

        /**
         * One evaluation at the session's x, gradient written to the session's gradient: what
         * the core asks for every time (the native side checks the addresses and then calls this,
         * the cheaper upcall, without arguments).
         *
         * @return f, or NaN after recording a throwable (then {@link #failed()} is true)
         */
        double evaluate() {
            try {
                return objective.evaluate(x.clear(), gradient.clear());
            } catch (Throwable t) {
                failure = t;
                return Double.NaN;
            }
        }

        /** As {@link #evaluate()}, at the n doubles at {@code xAt}, gradient to {@code gAt}. */
        double evaluateAt(long n, long xAt, long gAt) {
            try {
                DoubleBuffer xv = xAt == xAddress
                        ? x.clear()
                        : NativeSession.view(new At(xAt, n), n).asReadOnlyBuffer();
                DoubleBuffer gv = gAt == gradientAddress ? gradient.clear() : NativeSession.view(new At(gAt, n), n);
                return objective.evaluate(xv, gv);
            } catch (Throwable t) {
                failure = t;
                return Double.NaN;
            }
        }

        /** Whether the objective or the hook threw: asked only when evaluate returned NaN. */
        boolean failed() {
            return failure != null;
        }

        /** @return nonzero to stop the run (the hook asked for it, or threw) */
        int afterIteration() {
            try {
                return hook.stopAfterIteration() ? 1 : 0;
            } catch (Throwable t) {
                failure = t;
                return 1;
            }
        }
    }
}
