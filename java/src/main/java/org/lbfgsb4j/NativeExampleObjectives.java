package org.lbfgsb4j;

import org.lbfgsb4j.internal.NativeGlue;

/**
 * Example objectives written in C++ and compiled into this library's JNI library
 * ({@code java/src/main/native/lbfgsb4j/example_objectives.hpp}), as {@link NativeObjective}s and
 * as plain C function addresses: to try {@link NativeObjective#functionPointer(long, long)}
 * without writing C, for demos, and to time the solver without any JNI crossing per evaluation.
 *
 * <p>Each performs the floating-point operations of the SciPy reference problem of the same name
 * ({@code benchmarks/scipy/reference_problems.py}) in the same order, so a minimization gives
 * bit for bit the results of the same objective written that way in Java. The user data is
 * ignored.
 */
public final class NativeExampleObjectives {
    private NativeExampleObjectives() {}

    /**
     * Chained Rosenbrock as {@code scipy.optimize.rosen}:
     * f(x) = &Sigma;<sub>i=1..n-1</sub> 100 (x<sub>i+1</sub> &minus; x<sub>i</sub><sup>2</sup>)<sup>2</sup>
     * + (1 &minus; x<sub>i</sub>)<sup>2</sup>, any n &ge; 1.
     */
    public static NativeObjective rosenbrock() {
        return NativeObjective.functionPointer(rosenbrockAddress(), 0L);
    }

    /** The C address of {@link #rosenbrock()}'s function. */
    public static long rosenbrockAddress() {
        return NativeGlue.exampleRosenbrockAddress();
    }

    /**
     * The problem of L-BFGS-B 3.0's {@code driver1.f}:
     * f(x) = 4 [ (x<sub>1</sub> &minus; 1)<sup>2</sup> / 4 + &Sigma;<sub>i=2..n</sub>
     * (x<sub>i</sub> &minus; x<sub>i-1</sub><sup>2</sup>)<sup>2</sup> ]; n &ge; 2 (for n = 1 the
     * function returns nonzero, so the minimization throws {@link IllegalStateException}).
     * driver1 minimizes it with odd variables (1-based) in [1, 100], even ones in [&minus;100, 100],
     * from x = 3.
     */
    public static NativeObjective driver1() {
        return NativeObjective.functionPointer(driver1Address(), 0L);
    }

    /** The C address of {@link #driver1()}'s function. */
    public static long driver1Address() {
        return NativeGlue.exampleDriver1Address();
    }
}
