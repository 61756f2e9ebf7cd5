package org.lbfgsb4j.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FunctionPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Allocator;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.MemberSetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * Hand-written JavaCPP binding of the native core ({@code native/include/lbfgsb/*.hpp}).
 *
 * <p>It only moves handles, numbers and buffer addresses; all logic lives in C++ (numerics) or
 * in {@link NativeSession} and {@link NativeCallbacks} (Java-side ownership and the driver). The
 * JNI library {@code libjniLbfgsbNative.so} is generated and linked by the {@code javacpp} Maven
 * plugin at process-classes, statically against {@code lbfgsb_core} and dynamically against the
 * OpenBLAS of the {@code openblas_nolapack} preset, whose libraries {@link Loader#load()} loads
 * first: users need no {@code LD_LIBRARY_PATH}.
 *
 * <p>Enums cross as their {@code int} values: {@code TASK_*} for {@code lbfgsb::Task},
 * {@code STATUS_*} for {@code lbfgsb::Status}.
 *
 * <p>OpenBLAS threads: loading the JNI library sets OpenBLAS to one thread
 * ({@code lbfgsb/binding.hpp}; see {@link #setBlasThreads(int)}), because its
 * idle workers spin after every threaded call, taking a core from the objective or from other
 * solves, and the core's BLAS calls are short (vectors, 2m x 2m matrices). Note: the core links
 * the preset's {@code libopenblas.so.0}; the {@code openblas_nolapack} preset class's own
 * {@code blas_set_num_threads} acts on its {@code libopenblas_nolapack.so.0}, another copy.
 */
@Properties(
        inherit = org.bytedeco.openblas.presets.openblas_nolapack.class,
        value = @Platform(
                compiler = "cpp17",
                include = {"lbfgsb/options.hpp", "lbfgsb/minimizer.hpp", "lbfgsb/blas_threads.hpp",
                        "lbfgsb/memory.hpp", "lbfgsb/binding.hpp"},
                library = "jniLbfgsbNative"))
@Namespace("lbfgsb")
public final class LbfgsbNative {
    /**
     * System property that turns transparent huge pages for the solver's large arrays on
     * ({@code true}) or off ({@code false}) when the library loads; unset, the environment
     * variable {@code LBFGSB4J_HUGE_PAGES} decides, and without it they are on. See
     * {@link #setHugePages(boolean)}.
     */
    public static final String HUGE_PAGES_PROPERTY = "lbfgsb4j.hugePages";

    static {
        Loader.load();
        applyHugePagesProperty(System.getProperty(HUGE_PAGES_PROPERTY));
    }

    private LbfgsbNative() {}

    /** Applies a value of {@link #HUGE_PAGES_PROPERTY}; an unreadable one is reported and ignored. */
    static void applyHugePagesProperty(String value) {
        if (value == null) {
            return;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "on", "1" -> setHugePagesNative(true);
            case "false", "off", "0" -> setHugePagesNative(false);
            default -> System.getLogger("org.lbfgsb4j").log(System.Logger.Level.WARNING,
                    "-D" + HUGE_PAGES_PROPERTY + "=" + value + " ignored: must be true or false (huge pages stay "
                            + (hugePages() ? "on" : "off") + ")");
        }
    }

    /**
     * Turns transparent huge pages on or off for the large arrays (2 MiB and more) of solves that
     * start from now on, process-wide. On by default: the passes over the correction history run
     * 12-20 % faster with them. Off suits short solves at large n on a virtual machine that hands
     * freed memory back to its host, where fresh memory faults in about four times slower as huge
     * pages (once per solve). The kernel decides whether it can give them.
     */
    public static void setHugePages(boolean on) {
        setHugePagesNative(on);
    }

    @Name("set_huge_pages")
    private static native void setHugePagesNative(boolean on);

    /** Whether large arrays ask for transparent huge pages ({@link #setHugePages(boolean)}). */
    @Name("huge_pages")
    public static native boolean hugePages();

    /** Forces the native libraries to load (idempotent); useful to fail early. */
    public static void load() {
        // The static initializer did the work.
    }

    // lbfgsb::Task
    public static final int TASK_EVALUATE = 1;
    public static final int TASK_NEW_ITERATE = 2;
    public static final int TASK_DONE = 3;

    // lbfgsb::Status
    public static final int STATUS_RUNNING = 0;
    public static final int STATUS_CONVERGED_PROJECTED_GRADIENT = 1;
    public static final int STATUS_CONVERGED_RELATIVE_REDUCTION = 2;
    public static final int STATUS_MAX_ITERATIONS = 3;
    public static final int STATUS_MAX_EVALUATIONS = 4;
    public static final int STATUS_STOPPED_BY_USER = 5;
    public static final int STATUS_ABNORMAL_LINE_SEARCH = 6;
    public static final int STATUS_NON_FINITE = 7;
    public static final int STATUS_INVALID_INPUT = 8;
    public static final int STATUS_ABORTED_BY_OBJECTIVE = 9;
    public static final int STATUS_TARGET_REACHED = 10;
    public static final int STATUS_TIME_LIMIT = 11;
    public static final int STATUS_CANCELLED = 12;

    /**
     * Sets the number of OpenBLAS threads for the whole process (OpenBLAS has one global pool).
     * The binding sets 1 when it loads, whichever of its classes is used first.
     */
    public static void setBlasThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": OpenBLAS threads must be >= 1");
        }
        setBlasThreadsNative(threads);
    }

    @Name("set_blas_threads")
    private static native void setBlasThreadsNative(int threads);

    /** The number of threads OpenBLAS currently uses ({@code openblas_get_num_threads}). */
    @Name("blas_threads")
    public static native int blasThreads();

    /** {@code lbfgsb::Options}: solver options, SciPy's defaults on construction. */
    public static class Options extends Pointer {
        static {
            Loader.load();
        }

        /** A native {@code Options} with the defaults; free it with {@link #close()}. */
        public Options() {
            super((Pointer) null);
            allocate();
        }

        /** A view of native memory holding an {@code Options} (not owned). */
        public Options(Pointer p) {
            super(p);
        }

        private native void allocate();

        @MemberGetter @Name("history_size") public native @Cast("std::int64_t") long historySize();
        @MemberSetter @Name("history_size") public native Options historySize(@Cast("std::int64_t") long value);

        @MemberGetter @Name("relative_reduction_tolerance") public native double relativeReductionTolerance();
        @MemberSetter @Name("relative_reduction_tolerance") public native Options relativeReductionTolerance(double value);

        @MemberGetter @Name("projected_gradient_tolerance") public native double projectedGradientTolerance();
        @MemberSetter @Name("projected_gradient_tolerance") public native Options projectedGradientTolerance(double value);

        @MemberGetter @Name("max_iterations") public native @Cast("std::int64_t") long maxIterations();
        @MemberSetter @Name("max_iterations") public native Options maxIterations(@Cast("std::int64_t") long value);

        @MemberGetter @Name("max_evaluations") public native @Cast("std::int64_t") long maxEvaluations();
        @MemberSetter @Name("max_evaluations") public native Options maxEvaluations(@Cast("std::int64_t") long value);

        @MemberGetter @Name("max_line_search_steps") public native @Cast("std::int64_t") long maxLineSearchSteps();
        @MemberSetter @Name("max_line_search_steps") public native Options maxLineSearchSteps(@Cast("std::int64_t") long value);

        @MemberGetter @Name("line_search_sufficient_decrease") public native double lineSearchSufficientDecrease();
        @MemberSetter @Name("line_search_sufficient_decrease") public native Options lineSearchSufficientDecrease(double value);

        @MemberGetter @Name("line_search_curvature") public native double lineSearchCurvature();
        @MemberSetter @Name("line_search_curvature") public native Options lineSearchCurvature(double value);

        @MemberGetter @Name("line_search_step_tolerance") public native double lineSearchStepTolerance();
        @MemberSetter @Name("line_search_step_tolerance") public native Options lineSearchStepTolerance(double value);

        @MemberGetter @Name("line_search_max_step") public native double lineSearchMaxStep();
        @MemberSetter @Name("line_search_max_step") public native Options lineSearchMaxStep(double value);

        @MemberGetter @Name("curvature_pair_threshold") public native double curvaturePairThreshold();
        @MemberSetter @Name("curvature_pair_threshold") public native Options curvaturePairThreshold(double value);

        @MemberGetter @Name("target_value") public native double targetValue();
        @MemberSetter @Name("target_value") public native Options targetValue(double value);

        @MemberGetter @Name("max_non_finite_backtracks") public native @Cast("std::int64_t") long maxNonFiniteBacktracks();
        @MemberSetter @Name("max_non_finite_backtracks") public native Options maxNonFiniteBacktracks(@Cast("std::int64_t") long value);

        @MemberGetter @Name("track_best_point") public native @Cast("bool") boolean trackBestPoint();
        @MemberSetter @Name("track_best_point") public native Options trackBestPoint(@Cast("bool") boolean value);

        /** {@code lbfgsb::Arithmetic}: 0 Reference, 1 Fast. */
        @MemberGetter @Name("arithmetic") public native @Cast("int") int arithmetic();
        @MemberSetter @Name("arithmetic") public native Options arithmetic(@Cast("lbfgsb::Arithmetic") int value);

        @MemberGetter @Name("threads") public native @Cast("std::int64_t") long threads();
        @MemberSetter @Name("threads") public native Options threads(@Cast("std::int64_t") long value);
    }

    // ---- plain allocation (lbfgsb/binding.hpp): no JavaCPP deallocator registration, which takes a
    // global lock and queries the process's physical memory on every allocation; the owner frees ----

    /** A native {@code Options} with the defaults, owned by the caller: free it with {@link #deleteOptions}. */
    @Name("binding::new_options") static native Options newOptions();

    @Name("binding::delete_options") static native void deleteOptions(Options options);

    /**
     * A native minimizer owned by the caller: free it with {@link #deleteMinimizer(long)}. Throws
     * a {@link RuntimeException} with the C++ message when n or the options are invalid.
     */
    @Name("binding::new_minimizer") static native Minimizer newMinimizer(@Cast("std::int64_t") long n,
            @Const @ByRef Options options);

    /** As {@link #newMinimizer(long, Options)}, working on the caller's x ({@code n} doubles at {@code x}). */
    @Name("binding::new_minimizer_on") static native Minimizer newMinimizer(@Cast("std::int64_t") long n,
            @Const @ByRef Options options, DoublePointer x);

    /** Minimizers created by {@link #newMinimizer} and not yet freed (for leak tests). */
    @Name("binding::live_minimizers") public static native @Cast("std::int64_t") long liveMinimizers();

    /** Frees a minimizer from {@link #newMinimizer} by its address. */
    @Name("binding::delete_minimizer") static native void deleteMinimizer(@Cast("lbfgsb::Minimizer*") long address);

    /** {@code Minimizer::kMaxStateSegments}: room for the sizes {@link Minimizer#writeState} reports. */
    public static final int MAX_STATE_SEGMENTS = 24;

    /**
     * {@code lbfgsb::Minimizer}: the reverse-communication solver. Owns its workspace; free it with
     * {@link #close()}. The constructor throws a {@link RuntimeException} carrying the C++
     * message when n or the options are invalid.
     */
    public static class Minimizer extends Pointer {
        static {
            Loader.load();
        }

        public Minimizer(long n, @Const @ByRef Options options) {
            super((Pointer) null);
            allocate(n, options);
        }

        /**
         * A minimizer working on the caller's x ({@code n} doubles at {@code x}): it reads x0
         * there and leaves the solution there. The caller keeps that memory alive and in place
         * until this minimizer is closed.
         */
        public Minimizer(long n, @Const @ByRef Options options, DoublePointer x) {
            super((Pointer) null);
            allocate(n, options, x);
        }

        private native void allocate(@Cast("std::int64_t") long n, @Const @ByRef Options options);

        private native void allocate(@Cast("std::int64_t") long n, @Const @ByRef Options options,
                DoublePointer x);

        public native @Cast("std::int64_t") long size();
        public native @Const @ByRef Options options();

        public native DoublePointer x();
        public native DoublePointer gradient();
        public native DoublePointer lower();
        public native DoublePointer upper();

        /** @return a {@code TASK_*} value */
        public native @Cast("int") int start();
        /** @return a {@code TASK_*} value */
        public native @Cast("int") int submit(double f);
        /** @return a {@code TASK_*} value */
        public native @Cast("int") int proceed();
        @Name("request_stop") public native void requestStop();
        /** @param reason {@link #STATUS_TIME_LIMIT} or {@link #STATUS_CANCELLED}; @return a {@code TASK_*} value */
        public native @Cast("int") int interrupt(@Cast("lbfgsb::Status") int reason);
        @Name("update_options") public native void updateOptions(@Const @ByRef Options options);

        /** @return a {@code TASK_*} value */
        public native @Cast("int") int task();
        /** @return a {@code STATUS_*} value */
        public native @Cast("int") int status();
        public native @Cast("const char*") String message();

        public native double f();
        public native @Cast("std::int64_t") long iterations();
        public native @Cast("std::int64_t") long evaluations();
        @Name("projected_gradient_norm") public native double projectedGradientNorm();
        @Name("step_length") public native double stepLength();
        @Name("free_variables") public native @Cast("std::int64_t") long freeVariables();
        @Name("line_search_evaluations") public native @Cast("std::int64_t") long lineSearchEvaluations();
        @Name("x0_projected") public native @Cast("bool") boolean x0Projected();

        // Saving and restoring the complete state (native/src/checkpoint.cpp).
        @Name("state_header_size") public native @Cast("std::size_t") long stateHeaderSize();
        @Name("write_state_header") public native void writeStateHeader(@Cast("std::uint8_t*") BytePointer out);
        @Name("state_size") public native @Cast("std::uint64_t") long stateSize();
        /** Header and segments back to back into {@code out} (direct, from its position); sizes into {@code sizes}. */
        @Name("write_state") public native int writeState(@Cast("std::uint8_t*") java.nio.ByteBuffer out,
                @Cast("std::uint64_t*") long[] sizes);
        /** As the ByteBuffer overload, into a Java array (JNI copies it in and out: for small states). */
        @Name("write_state") public native int writeState(@Cast("std::uint8_t*") byte[] out,
                @Cast("std::uint64_t*") long[] sizes);
        @Name("state_segment_count") public native int stateSegmentCount();
        @Name("state_segment_name") public native @Cast("const char*") String stateSegmentName(int i);
        @Name("state_segment_size") public native @Cast("std::uint64_t") long stateSegmentSize(int i);
        @Name("state_segment") public native @Cast("const void*") Pointer stateSegment(int i);
        @Name("state_segment_target") public native Pointer stateSegmentTarget(int i);
        @Name("read_state_header") public native void readStateHeader(
                @Cast("const std::uint8_t*") BytePointer in, @Cast("std::size_t") long length);
        @Name("state_header_size_n") public static native @Cast("std::int64_t") long stateHeaderN(
                @Cast("const std::uint8_t*") BytePointer in, @Cast("std::size_t") long length);
        @Name("state_header_history_size") public static native @Cast("std::int64_t") long stateHeaderHistorySize(
                @Cast("const std::uint8_t*") BytePointer in, @Cast("std::size_t") long length);

        // Objective redefinition at an iteration boundary (native/src/redefinition.cpp).
        @Name("history_count") public native int historyCount();
        @Name("history_point") public native void historyPoint(int i, DoublePointer out);
        @Name("history_gradient") public native void historyGradient(int i, DoublePointer out);
        @Name("begin_redefinition") public native void beginRedefinition();
        @Name("redefine_gradient") public native void redefineGradient(int i, @Const DoublePointer gradient);
        @Name("end_redefinition") public native int endRedefinition(double f, double fPrevious);
    }

    /**
     * {@code lbfgsb::ObjectiveFunction}: {@code int (*)(int64_t n, const double* x, double* f,
     * double* g, void* user)}, as a JavaCPP trampoline: a real C function that calls
     * {@link #call} of a Java subclass. The pointers cross as raw addresses (no {@link Pointer}
     * allocated per call); a nonzero return aborts the run. The library's own Java objectives do
     * not use it (they go through {@link NativeGlue#runJavaObjective}); it gives C code, and
     * tests, a C function backed by Java.
     *
     * <p>{@link #address()} is the address of JavaCPP's native struct for this object, <b>not</b>
     * of the C function: {@link NativeGlue#objectiveFunctionAddress(ObjectiveFunction)} gives the
     * latter.
     *
     * <p>Each live instance holds one of {@value #MAX_INSTANCES} native trampolines until
     * {@link #close()}: close instances deterministically. Creating one while all are taken
     * throws {@link IllegalStateException}.
     */
    @Properties(inherit = LbfgsbNative.class)
    public static class ObjectiveFunction extends FunctionPointer {
        /** Native trampolines of this type: the most native-callback runs at once. */
        public static final int MAX_INSTANCES = 256;
        static final CallbackSlots SLOTS = new CallbackSlots("objective", MAX_INSTANCES);

        static {
            Loader.load();
        }

        private boolean allocated;

        protected ObjectiveFunction() {
            SLOTS.acquire(this::allocate);
            allocated = true;
        }

        @Allocator(max = MAX_INSTANCES)
        private native void allocate();

        public native int call(@Cast("std::int64_t") long n, @Cast("const double*") long x,
                @Cast("double*") long f, @Cast("double*") long g, @Cast("void*") long user);

        /** Frees the trampoline now (idempotent). */
        @Override
        public void close() {
            if (allocated) {
                allocated = false;
                SLOTS.release(this::deallocate);
            }
        }
    }

    // ---- lbfgsb::run: the native driver loop (native/include/lbfgsb/minimizer.hpp) ----

    /**
     * {@code lbfgsb::run} with raw C function addresses: drives the minimizer to the end, calling
     * the C function at {@code objective} ({@code int (*)(int64_t n, const double* x, double* f,
     * double* g, void* user)}) for every evaluation and the one at {@code onIteration}
     * ({@code int (*)(void* user)}, 0 for none) after every iteration. No JNI crossing during the
     * run. The addresses must be those of C functions (not a JavaCPP {@code FunctionPointer}'s
     * {@link Pointer#address()}); any other value crashes the process.
     *
     * @return a {@code STATUS_*} value
     */
    public static native @Cast("int") int run(@ByRef Minimizer minimizer,
            @Cast("lbfgsb::ObjectiveFunction") long objective, @Cast("void*") long objectiveUser,
            @Cast("lbfgsb::IterationFunction") long onIteration, @Cast("void*") long iterationUser);
}
