package org.lbfgsb4j;

import java.util.Objects;

/**
 * An objective evaluated from inside the native driver loop ({@code lbfgsb::run}) rather than from
 * a Java loop. Two kinds:
 *
 * <ul>
 *   <li>{@link #callback(Objective)}: a Java objective that native code calls back through a
 *       JavaCPP {@code FunctionPointer} trampoline for every evaluation. Results are bit for bit
 *       those of {@link Lbfgsb#minimize(Objective, double[], Bounds, LbfgsbOptions)}; which one is
 *       faster for which n is measured by the benchmarks in {@code benchmarks/}.
 *   <li>{@link #functionPointer(long, long)}: a plain C function, for objectives written in C or
 *       C++ (for example exported by the user's own JavaCPP-bound library). No JNI crossing per
 *       evaluation at all.
 * </ul>
 *
 * <p>The C signature is
 * {@code int objective(int64_t n, const double* x, double* f, double* g, void* user)}: write f and
 * the n gradient components, return 0, or nonzero to abort the run (the minimization then throws
 * {@link IllegalStateException}).
 */
public final class NativeObjective {
    private final Objective javaObjective;
    private final long functionAddress;
    private final long userData;

    private NativeObjective(Objective javaObjective, long functionAddress, long userData) {
        this.javaObjective = javaObjective;
        this.functionAddress = functionAddress;
        this.userData = userData;
    }

    /**
     * A Java objective called back from the native loop. An exception it throws reaches the caller
     * of {@code minimize} unchanged (same object).
     *
     * @throws IllegalArgumentException when {@code objective} is null
     */
    public static NativeObjective callback(Objective objective) {
        if (objective == null) {
            throw new IllegalArgumentException("objective = null: must not be null");
        }
        return new NativeObjective(objective, 0L, 0L);
    }

    /**
     * A native C function at {@code functionAddress} (see the class comment for its signature),
     * called with {@code userData} as its last argument. The function must stay loaded for the
     * whole minimization; it is called on the minimizing thread only.
     *
     * @throws IllegalArgumentException when {@code functionAddress} is 0
     */
    public static NativeObjective functionPointer(long functionAddress, long userData) {
        if (functionAddress == 0L) {
            throw new IllegalArgumentException("functionAddress = 0: must be the address of a native function");
        }
        return new NativeObjective(null, functionAddress, userData);
    }

    /** The Java objective of a {@link #callback(Objective)}, else null. */
    Objective javaObjective() {
        return javaObjective;
    }

    /** The C function's address of a {@link #functionPointer(long, long)}, else 0. */
    long functionAddress() {
        return functionAddress;
    }

    long userData() {
        return userData;
    }

    @Override
    public String toString() {
        return javaObjective != null
                ? "NativeObjective.callback(" + javaObjective + ")"
                : "NativeObjective.functionPointer(0x" + Long.toHexString(functionAddress) + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NativeObjective)) {
            return false;
        }
        NativeObjective other = (NativeObjective) o;
        return javaObjective == other.javaObjective && functionAddress == other.functionAddress
                && userData == other.userData;
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(javaObjective), functionAddress, userData);
    }
}
