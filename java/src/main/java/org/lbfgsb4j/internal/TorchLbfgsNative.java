package org.lbfgsb4j.internal;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
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
 * Hand-written JavaCPP binding of {@code native/include/lbfgsb/torch_lbfgs.hpp}: the
 * reverse-communication L-BFGS with torch.optim.LBFGS semantics.
 *
 * <p>It only moves handles, numbers, bytes and buffer addresses; the numerics live in C++ and the
 * Java-side ownership and driver loop in {@code org.lbfgsb4j.LbfgsOptimizer}. The JNI library
 * {@code libjniTorchLbfgsNative.so} is generated and linked by the {@code javacpp} Maven plugin
 * at process-classes, statically against {@code lbfgsb_core} (the linker takes only the objects
 * it needs) and dynamically against the preset's OpenBLAS, which {@link Loader#load()} loads
 * first. Loading this class also loads {@link LbfgsbNative}, which sets OpenBLAS to one thread.
 *
 * <p>Enums cross as their {@code int} values: {@code TASK_*} for {@code lbfgsb::TorchTask},
 * {@code STOP_*} for {@code lbfgsb::TorchStop}, {@code LINE_SEARCH_*} for
 * {@code lbfgsb::TorchLineSearch}.
 */
@Properties(
        inherit = org.bytedeco.openblas.presets.openblas_nolapack.class,
        value = @Platform(
                compiler = "cpp17",
                include = {"lbfgsb/torch_lbfgs.hpp"},
                library = "jniTorchLbfgsNative"))
@Namespace("lbfgsb")
public final class TorchLbfgsNative {
    static {
        LbfgsbNative.load(); // OpenBLAS to one thread, as for the bounded solver
        Loader.load();
    }

    private TorchLbfgsNative() {}

    /** Forces the native libraries to load (idempotent). */
    public static void load() {
        // The static initializer did the work.
    }

    // lbfgsb::TorchLineSearch
    public static final int LINE_SEARCH_NONE = 0;
    public static final int LINE_SEARCH_STRONG_WOLFE = 1;

    // lbfgsb::TorchTask
    public static final int TASK_EVALUATE = 1;
    public static final int TASK_DONE = 3;

    // lbfgsb::TorchStop
    public static final int STOP_NONE = 0;
    public static final int STOP_GRADIENT_TOLERANCE_AT_START = 1;
    public static final int STOP_MAX_ITER = 2;
    public static final int STOP_MAX_EVAL = 3;
    public static final int STOP_GRADIENT_TOLERANCE = 4;
    public static final int STOP_STEP_TOLERANCE = 5;
    public static final int STOP_LOSS_CHANGE_TOLERANCE = 6;
    public static final int STOP_DIRECTIONAL_DERIVATIVE = 7;
    public static final int STOP_NON_FINITE = 8;
    public static final int STOP_ABORTED = 9;

    /** {@code lbfgsb::TorchLbfgsOptions}: torch's defaults on construction. */
    @Name("TorchLbfgsOptions")
    public static class Options extends Pointer {
        static {
            Loader.load();
        }

        /** A native options struct with torch's defaults; free it with {@link #close()}. */
        public Options() {
            super((Pointer) null);
            allocate();
        }

        /** A view of native memory holding the struct (not owned). */
        public Options(Pointer p) {
            super(p);
        }

        private native void allocate();

        @MemberGetter @Name("learning_rate") public native double learningRate();
        @MemberSetter @Name("learning_rate") public native Options learningRate(double value);

        @MemberGetter @Name("max_iter") public native @Cast("std::int64_t") long maxIter();
        @MemberSetter @Name("max_iter") public native Options maxIter(@Cast("std::int64_t") long value);

        @MemberGetter @Name("max_eval") public native @Cast("std::int64_t") long maxEval();
        @MemberSetter @Name("max_eval") public native Options maxEval(@Cast("std::int64_t") long value);

        @MemberGetter @Name("tolerance_grad") public native double toleranceGrad();
        @MemberSetter @Name("tolerance_grad") public native Options toleranceGrad(double value);

        @MemberGetter @Name("tolerance_change") public native double toleranceChange();
        @MemberSetter @Name("tolerance_change") public native Options toleranceChange(double value);

        @MemberGetter @Name("history_size") public native @Cast("std::int64_t") long historySize();
        @MemberSetter @Name("history_size") public native Options historySize(@Cast("std::int64_t") long value);

        /** @return a {@code LINE_SEARCH_*} value */
        @MemberGetter @Name("line_search") public native @Cast("int") int lineSearch();
        @MemberSetter @Name("line_search") public native Options lineSearch(@Cast("lbfgsb::TorchLineSearch") int value);
    }

    /**
     * {@code lbfgsb::TorchLbfgs}: owns its workspace (free it with {@link #close()}) and works on
     * the caller's parameters. The constructor throws a {@link RuntimeException} carrying the C++
     * message when n, the parameter pointer or an option is invalid.
     */
    @Name("TorchLbfgs")
    public static class Optimizer extends Pointer {
        static {
            Loader.load();
        }

        /**
         * An optimizer over the {@code n} doubles at {@code params}, which the caller keeps alive
         * and in place until this optimizer is closed.
         */
        public Optimizer(long n, @Const @ByRef Options options, DoublePointer params) {
            super((Pointer) null);
            allocate(n, options, params);
        }

        private native void allocate(@Cast("std::int64_t") long n, @Const @ByRef Options options,
                DoublePointer params);

        public native @Cast("std::int64_t") long size();
        public native @Const @ByRef Options options();

        public native DoublePointer params();
        public native DoublePointer gradient();

        /** @return a {@code TASK_*} value */
        @Name("begin_step") public native @Cast("int") int beginStep();
        /** @return a {@code TASK_*} value */
        public native @Cast("int") int submit(double loss);
        @Name("abort_step") public native void abortStep();

        /** @return a {@code TASK_*} value */
        public native @Cast("int") int task();
        /** @return a {@code STOP_*} value */
        public native @Cast("int") int stop();
        @Name("stop_value") public native double stopValue();
        @Name("initial_loss") public native double initialLoss();
        @Name("step_iterations") public native @Cast("std::int64_t") long stepIterations();
        @Name("step_evaluations") public native @Cast("std::int64_t") long stepEvaluations();

        @Name("n_iter") public native @Cast("std::int64_t") long nIter();
        @Name("func_evals") public native @Cast("std::int64_t") long funcEvals();
        public native double t();
        @Name("h_diag") public native double hDiag();
        @Name("prev_loss") public native double prevLoss();
        public native @Const DoublePointer direction();
        @Name("prev_flat_grad") public native @Const DoublePointer prevFlatGrad();
        @Name("history_length") public native @Cast("std::int64_t") long historyLength();
        @Name("history_s") public native @Const DoublePointer historyS(@Cast("std::int64_t") long k);
        @Name("history_y") public native @Const DoublePointer historyY(@Cast("std::int64_t") long k);
        @Name("history_rho") public native double historyRho(@Cast("std::int64_t") long k);

        @Name("state_size") public native @Cast("std::size_t") long stateSize();
        @Name("save_state") public native void saveState(@Cast("std::uint8_t*") byte[] out);
        @Name("load_state") public native void loadState(@Cast("const std::uint8_t*") byte[] in,
                @Cast("std::size_t") long length);
    }
}
