package org.lbfgsb4j.internal;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.lbfgsb4j.Objective;

/**
 * The native-driven loop: {@code lbfgsb::run} calls a Java objective through a JavaCPP
 * {@link org.bytedeco.javacpp.FunctionPointer} for every evaluation.
 *
 * <p>What it takes care of:
 * <ul>
 *   <li>No allocation per call: the callback receives raw addresses and hands the objective the
 *       session's cached views when the addresses are the session's x and gradient (they are, for
 *       the core's driver); f is written through one re-pointed {@link DoublePointer}.
 *   <li>Exceptions: anything the objective or the iteration hook throws is caught in Java and
 *       stored, the callback returns nonzero (the core aborts the run), and the original
 *       throwable, same object, is rethrown after {@code run} returns. (Left to JavaCPP it would
 *       come back as a plain RuntimeException carrying only the message.)
 *   <li>Lifetimes: the callback objects are strongly reachable for the whole native call and
 *       closed right after it, which frees their native trampoline (there are
 *       {@link LbfgsbNative.ObjectiveFunction#MAX_INSTANCES} per type, so at most that many
 *       native-callback runs at once; one more throws {@link IllegalStateException}).
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
     * @return the final {@code STATUS_*} value
     * @throws IllegalStateException when every native callback slot is taken by concurrent runs
     *     (any throwable of the objective or the hook is rethrown as is)
     */
    public static int run(NativeSession session, Objective objective, IterationHook onIteration) {
        LbfgsbNative.Minimizer minimizer = session.minimizer();
        try (ObjectiveUpcall objectiveUpcall = new ObjectiveUpcall(session, objective);
                IterationUpcall iterationUpcall =
                        onIteration == null ? null : new IterationUpcall(onIteration)) {
            int status = LbfgsbNative.run(minimizer, objectiveUpcall, 0L, iterationUpcall, 0L);
            Throwable failure = objectiveUpcall.failure;
            if (failure == null && iterationUpcall != null) {
                failure = iterationUpcall.failure;
            }
            if (failure != null) {
                throw NativeCallbacks.<RuntimeException>rethrow(failure);
            }
            return status;
        } finally {
            Reference.reachabilityFence(session);
        }
    }

    /**
     * Runs the session's minimizer to the end with a plain C objective at {@code functionAddress}
     * ({@code int (*)(int64_t n, const double* x, double* f, double* g, void* user)}): no JNI
     * crossing per evaluation.
     *
     * @param onIteration may be null
     * @return the final {@code STATUS_*} value
     */
    public static int runFunctionPointer(NativeSession session, long functionAddress, long userData,
            IterationHook onIteration) {
        LbfgsbNative.Minimizer minimizer = session.minimizer();
        Pointer address = new Pointer() {
            {
                this.address = functionAddress;
            }
        };
        try (LbfgsbNative.ObjectiveFunction function = new LbfgsbNative.ObjectiveFunction(address);
                IterationUpcall iterationUpcall =
                        onIteration == null ? null : new IterationUpcall(onIteration)) {
            int status = LbfgsbNative.run(minimizer, function, userData, iterationUpcall, 0L);
            if (iterationUpcall != null && iterationUpcall.failure != null) {
                throw NativeCallbacks.<RuntimeException>rethrow(iterationUpcall.failure);
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

    /** A DoublePointer that can be re-pointed at any address, to write f without allocating. */
    private static final class Retargetable extends DoublePointer {
        Retargetable() {
            super((Pointer) null);
        }

        Retargetable at(long address, long length) {
            this.address = address;
            this.position = 0;
            this.limit = length;
            this.capacity = length;
            return this;
        }
    }

    private static final class ObjectiveUpcall extends LbfgsbNative.ObjectiveFunction {
        private final Objective objective;
        private final long xAddress;
        private final long gradientAddress;
        private final DoubleBuffer x;
        private final DoubleBuffer gradient;
        private final Retargetable out = new Retargetable();
        Throwable failure;

        ObjectiveUpcall(NativeSession session, Objective objective) {
            this.objective = objective;
            this.xAddress = session.xAddress();
            this.gradientAddress = session.gradientAddress();
            this.x = session.xReadOnly();
            this.gradient = session.gradient();
        }

        @Override
        public int call(long n, long xAt, long fAt, long gAt, long user) {
            try {
                DoubleBuffer xv = xAt == xAddress
                        ? x.clear()
                        : NativeSession.view(new Retargetable().at(xAt, n), n).asReadOnlyBuffer();
                DoubleBuffer gv = gAt == gradientAddress
                        ? gradient.clear()
                        : NativeSession.view(new Retargetable().at(gAt, n), n);
                double f = objective.evaluate(xv, gv);
                out.at(fAt, 1).put(f);
                return 0;
            } catch (Throwable t) {
                failure = t;
                return 1;
            }
        }
    }

    private static final class IterationUpcall extends LbfgsbNative.IterationFunction {
        private final IterationHook hook;
        Throwable failure;

        IterationUpcall(IterationHook hook) {
            this.hook = hook;
        }

        @Override
        public int call(long user) {
            try {
                return hook.stopAfterIteration() ? 1 : 0;
            } catch (Throwable t) {
                failure = t;
                return 1;
            }
        }
    }
}
