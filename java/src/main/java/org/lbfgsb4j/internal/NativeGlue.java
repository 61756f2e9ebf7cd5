package org.lbfgsb4j.internal;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.annotation.Raw;

/**
 * Hand-written JavaCPP binding of the JNI glue in {@code java/src/main/native/lbfgsb4j/*.hpp}
 * (namespace {@code lbfgsb4j}): the driver loop calling Java by plain JNI upcalls
 * ({@code objective_upcall.hpp}), C function addresses ({@code function_address.hpp}) and the
 * example C objectives ({@code example_objectives.hpp}). Compiled into the same JNI library as
 * {@link LbfgsbNative}, {@code libjniLbfgsbNative.so} (both are listed in the javacpp plugin's
 * {@code classOrPackageNames}; the plugin's includePath {@code src/main/native} finds the headers).
 *
 * <p>Like {@link LbfgsbNative} it only moves handles and addresses; the Java side of the upcalls
 * is {@link NativeCallbacks}.
 */
@Properties(
        inherit = LbfgsbNative.class,
        value = @Platform(
                include = {"lbfgsb4j/objective_upcall.hpp", "lbfgsb4j/function_address.hpp",
                        "lbfgsb4j/example_objectives.hpp"},
                library = "jniLbfgsbNative"))
@Namespace("lbfgsb4j")
public final class NativeGlue {
    static {
        LbfgsbNative.load(); // OpenBLAS to one thread
        Loader.load();
    }

    private NativeGlue() {}

    /**
     * {@code lbfgsb4j::run_java_objective}: {@code lbfgsb::run} calling {@code upcalls.evaluate()}
     * for every evaluation and, when {@code withHook}, {@code upcalls.afterIteration()} after every
     * iteration, by JNI upcalls on the calling thread. {@code upcalls} is a
     * {@code NativeCallbacks.Upcalls} (or any object with its four methods, see
     * {@code objective_upcall.hpp}); a Java exception pending after an upcall aborts the run and is
     * thrown from here.
     *
     * <p>{@code @Raw(withEnv = true)} on a parameter makes JavaCPP pass the {@code JNIEnv*} and
     * this class's {@code jclass} first. (On the method it would also mark the int result raw,
     * which JavaCPP 1.5.13's generator fails on.)
     *
     * @return a {@code STATUS_*} value of {@link LbfgsbNative}
     */
    @Name("run_java_objective")
    static native @Cast("int") int runJavaObjective(@ByRef LbfgsbNative.Minimizer minimizer,
            @Raw(withEnv = true) Object upcalls, @Cast("bool") boolean withHook);

    /**
     * {@code lbfgsb4j::run_c_objective}: {@code lbfgsb::run} with the C function at
     * {@code objective} (called with {@code objectiveUser}) and, when {@code hookUpcalls} is not
     * null, its {@code afterIteration()} as the iteration hook. {@code objective} must be a C
     * function's address (see {@link LbfgsbNative#run(LbfgsbNative.Minimizer, long, long, long, long)}).
     *
     * @return a {@code STATUS_*} value of {@link LbfgsbNative}
     */
    @Name("run_c_objective")
    static native @Cast("int") int runCObjective(@ByRef LbfgsbNative.Minimizer minimizer,
            @Cast("lbfgsb::ObjectiveFunction") long objective, @Cast("void*") long objectiveUser,
            @Raw(withEnv = true) Object hookUpcalls);

    /**
     * The C function address of a JavaCPP {@link LbfgsbNative.ObjectiveFunction} (its
     * trampoline), 0 for null: JavaCPP hands native code the function, not the object's
     * {@link Pointer#address()}.
     */
    @Name("objective_function_address")
    public static native @Cast("std::intptr_t") long objectiveFunctionAddress(
            @Cast("lbfgsb::ObjectiveFunction") LbfgsbNative.ObjectiveFunction function);

    /**
     * The C function held by the JavaCPP {@code FunctionPointer} of any class whose non-null
     * {@link Pointer#address()} is {@code functionPointerStruct}: the first member of the struct
     * JavaCPP generates for every FunctionPointer class.
     */
    @Name("function_pointer_target")
    public static native @Cast("std::intptr_t") long functionPointerTarget(
            @Cast("const void*") long functionPointerStruct);

    /**
     * Whether {@code address} lies in executable memory (the code of the program or of a loaded
     * library, or an executable mapping such as generated code): a C function can only live there.
     * Also true when that cannot be told (no readable {@code /proc/self/maps}). Measured: about
     * 0.3 µs for an address in a library (a walk over the loaded objects' program headers), about
     * 0.1 ms for any other (it reads {@code /proc/self/maps}).
     */
    @Name("is_executable_address")
    public static native @Cast("bool") boolean isExecutableAddress(@Cast("std::intptr_t") long address);

    /** The C address of {@code lbfgsb4j::examples::rosenbrock}: chained Rosenbrock, as {@code scipy.optimize.rosen}. */
    @Name("examples::rosenbrock_address")
    public static native @Cast("std::intptr_t") long exampleRosenbrockAddress();

    /** The C address of {@code lbfgsb4j::examples::driver1}: the problem of L-BFGS-B 3.0's {@code driver1.f}. */
    @Name("examples::driver1_address")
    public static native @Cast("std::intptr_t") long exampleDriver1Address();
}
