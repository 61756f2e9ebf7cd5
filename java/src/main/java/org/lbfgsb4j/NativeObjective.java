package org.lbfgsb4j;

import java.util.Objects;
import org.bytedeco.javacpp.FunctionPointer;
import org.lbfgsb4j.internal.NativeGlue;

/**
 * An objective evaluated from inside the native driver loop ({@code lbfgsb::run}) rather than from
 * a Java loop. Two kinds:
 *
 * <ul>
 *   <li>{@link #callback(Objective)}: a Java objective that native code calls back, through a
 *       plain JNI upcall, for every evaluation. Results are bit for bit those of
 *       {@link Lbfgsb#minimize(Objective, double[], Bounds, LbfgsbOptions)}; which one is faster
 *       for which n is measured by the benchmarks in {@code benchmarks/}.
 *   <li>{@link #functionPointer(long, long)}: a plain C function, for objectives written in C or
 *       C++. No JNI crossing per evaluation at all.
 * </ul>
 *
 * <p>The C signature is
 * {@code int objective(int64_t n, const double* x, double* f, double* g, void* user)}: write f and
 * the n gradient components, return 0, or nonzero to abort the run (the minimization then throws
 * {@link IllegalStateException}).
 *
 * <p><b>Where a C function's address comes from.</b> It is the address of the function's machine
 * code, what {@code &objective} is in C:
 * <ul>
 *   <li>from a library of your own: export the function ({@code extern "C"}, default visibility),
 *       load the library ({@link System#load(String)}, or JavaCPP's {@code Loader.load}), and look
 *       the symbol up with JavaCPP's {@code Loader.addressof("objective").address()} (which calls
 *       {@code dlsym}); or have your own native code return {@code (intptr_t) &objective};
 *   <li>from a JavaCPP {@link FunctionPointer} (a C function whose body is Java, or one a native
 *       library returned): pass the FunctionPointer itself to
 *       {@link #functionPointer(FunctionPointer, long)}. Its {@code address()} is <em>not</em> the
 *       function's address but that of JavaCPP's native struct around it;
 *   <li>the examples compiled into this library: {@link NativeExampleObjectives}.
 * </ul>
 * {@link Lbfgsb#minimize(NativeObjective, double[], Bounds, LbfgsbOptions)} refuses an address
 * that is not in executable memory (such as a FunctionPointer's {@code address()}), since calling
 * it would crash the JVM; an address in code that is not a function of this signature cannot be
 * detected and crashes it all the same.
 */
public final class NativeObjective {
    private final Objective javaObjective;
    private final long functionAddress;
    private final FunctionPointer function;
    private final long userData;

    private NativeObjective(Objective javaObjective, long functionAddress, FunctionPointer function, long userData) {
        this.javaObjective = javaObjective;
        this.functionAddress = functionAddress;
        this.function = function;
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
        return new NativeObjective(objective, 0L, null, 0L);
    }

    /**
     * The C function whose code starts at {@code functionAddress} (see the class comment for its
     * signature and for where such an address comes from), called with {@code userData} as its
     * last argument. The function must stay loaded for the whole minimization; it is called on the
     * minimizing thread only.
     *
     * @throws IllegalArgumentException when {@code functionAddress} is 0
     */
    public static NativeObjective functionPointer(long functionAddress, long userData) {
        if (functionAddress == 0L) {
            throw new IllegalArgumentException("functionAddress = 0: must be the address of a native function");
        }
        return new NativeObjective(null, functionAddress, null, userData);
    }

    /**
     * The C function held by a JavaCPP {@link FunctionPointer} (a subclass whose {@code call}
     * method is implemented in Java, or one returned by native code), called with
     * {@code userData} as its last argument. Its C signature must be the one of the class comment
     * (for example a subclass of {@code org.lbfgsb4j.internal.LbfgsbNative.ObjectiveFunction});
     * it cannot be checked. The FunctionPointer is resolved to its C function when a minimization
     * starts, and this object keeps it reachable: do not close it while a minimization runs.
     *
     * @throws IllegalArgumentException when {@code function} is null
     */
    public static NativeObjective functionPointer(FunctionPointer function, long userData) {
        if (function == null) {
            throw new IllegalArgumentException("function = null: must be a JavaCPP FunctionPointer");
        }
        return new NativeObjective(null, 0L, function, userData);
    }

    /** The Java objective of a {@link #callback(Objective)}, else null. */
    Objective javaObjective() {
        return javaObjective;
    }

    /**
     * The C function's address of a {@link #functionPointer} objective, else 0. For a
     * FunctionPointer, the C function it holds now (0 when it holds none or is closed).
     */
    long functionAddress() {
        if (function == null) {
            return functionAddress;
        }
        long structAddress = function.address();
        return structAddress == 0L ? 0L : NativeGlue.functionPointerTarget(structAddress);
    }

    long userData() {
        return userData;
    }

    /**
     * Checks, before a C function objective runs, that there is code to call: the FunctionPointer
     * is not closed and holds a function, and the address is in executable memory.
     *
     * @throws IllegalArgumentException naming the function, the address and the rule
     */
    void checkCallable() {
        if (function != null && function.isNull()) {
            throw new IllegalArgumentException("function = " + function
                    + ": its native pointer is null (closed, or never allocated): must hold a C function");
        }
        long address = functionAddress();
        if (address == 0L) {
            throw new IllegalArgumentException("function = " + function + ": holds no C function (null)");
        }
        if (!NativeGlue.isExecutableAddress(address)) {
            String hex = "0x" + Long.toHexString(address);
            throw new IllegalArgumentException(function != null
                    ? "function = " + function + ": holds " + hex + ", which is not in executable memory,"
                            + " so not a C function"
                    : "functionAddress = " + hex + ": not in executable memory, so not the address of a C"
                            + " function (a JavaCPP FunctionPointer's address() is that of its native struct,"
                            + " not of its function: pass the FunctionPointer to"
                            + " NativeObjective.functionPointer(FunctionPointer, long))");
        }
    }

    @Override
    public String toString() {
        if (javaObjective != null) {
            return "NativeObjective.callback(" + javaObjective + ")";
        }
        return function != null
                ? "NativeObjective.functionPointer(" + function + ")"
                : "NativeObjective.functionPointer(0x" + Long.toHexString(functionAddress) + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NativeObjective)) {
            return false;
        }
        NativeObjective other = (NativeObjective) o;
        return javaObjective == other.javaObjective && functionAddress == other.functionAddress
                && function == other.function && userData == other.userData;
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(javaObjective), functionAddress,
                System.identityHashCode(function), userData);
    }
}
