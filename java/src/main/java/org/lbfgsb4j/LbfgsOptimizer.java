package org.lbfgsb4j;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.DoublePointer;
import org.lbfgsb4j.internal.NativeSession;
import org.lbfgsb4j.internal.TorchLbfgsNative;

/**
 * L-BFGS with the semantics of PyTorch's {@code torch.optim.LBFGS}: the caller holds the
 * parameters, a {@link Closure} recomputes the loss and its gradient, {@link #step(Closure)} runs
 * up to {@link Options#maxIter()} iterations per call, and the optimizer's state (curvature
 * pairs, direction, step length, counters) persists between calls. It follows
 * {@code torch/optim/lbfgs.py} operation by operation (two-loop recursion, curvature test
 * {@code y·s > 1e-10}, {@code H_diag = y·s / y·y}, torch's stop tests in torch's order, its
 * strong-Wolfe line search with cubic interpolation and zoom), on the native core's BLAS kernels.
 * There are no bounds: for a box, use {@link Lbfgsb}.
 *
 * <pre>{@code
 * DoubleBuffer w = ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
 * try (LbfgsOptimizer opt = new LbfgsOptimizer(w, LbfgsOptimizer.Options.builder()
 *         .lineSearch(LbfgsOptimizer.LineSearch.STRONG_WOLFE).build())) {
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         double loss = opt.step((params, grad) -> model.lossAndGradient(params, grad));
 *         System.out.println(epoch + ": " + loss + " (" + opt.stopReason() + ")");
 *     }
 * }
 * }</pre>
 *
 * <h2>Parameters and gradient</h2>
 * <ul>
 *   <li><b>One buffer</b> ({@link #LbfgsOptimizer(DoubleBuffer, Options)}): a direct, writable,
 *       native-order {@link DoubleBuffer}, its {@code remaining()} doubles from its position at
 *       construction. The optimizer works in it in place: no copy, whatever n is. The closure gets
 *       a read-only view of it.
 *   <li><b>A list of buffers</b> ({@link #LbfgsOptimizer(List, Options)}), one per tensor of a
 *       model, treated as their concatenation (torch's flat parameter vector). Any writable
 *       buffers, heap or direct. The optimizer keeps the concatenation in native memory: each
 *       {@code step} gathers the buffers into it once at its start (so changes made between steps
 *       count, as in torch) and writes the current point back into every buffer before each
 *       closure call and when it returns. That is one copy of n doubles per evaluation (about
 *       1 ms per million parameters), so the closure may read either its own buffers or the
 *       flat {@code params} view. {@link #gradientViews()} are zero-copy slices of the flat
 *       gradient, one per buffer.
 *   <li><b>The gradient</b> lives in native memory owned by the optimizer. It is zero-filled
 *       before every closure call (so a closure may overwrite or accumulate) and, after a step,
 *       holds the gradient of the last closure call, which with the strong-Wolfe search is the
 *       last trial point, not necessarily the accepted one (as torch's {@code p.grad}).
 * </ul>
 *
 * <h2>Semantics that surprise torch users too</h2>
 * <ul>
 *   <li>{@code step} returns the loss at its <em>start</em> (its first closure call), not at the
 *       point it ends on.
 *   <li>Every {@code step} starts with a closure call at the current parameters; if
 *       {@code max|g| <= toleranceGrad} there, it returns at once and changes no state
 *       ({@link StopReason#GRADIENT_TOLERANCE_AT_START}).
 *   <li>A stop ends only the current {@code step}: the next call goes on from the stored state.
 *       So {@code step} with {@code maxIter = 200} is not ten calls with {@code maxIter = 20}
 *       when a stop test fires (pytorch #49993); while none fires, it is, iterate for iterate,
 *       because curvature pairs span calls: the next call's first evaluation supplies the
 *       gradient of the point the previous call ended on.
 *   <li>Without a line search the last move of a call is not evaluated (torch saves an
 *       evaluation there); the next call's first closure call evaluates it.
 *   <li>The first iteration of the optimizer's life steps {@code t = min(1, 1/|g|_1)·lr} along
 *       {@code -g}; later iterations start from {@code t = lr}.
 *   <li>{@code g·d > -toleranceChange} ends the step before the parameters move
 *       ({@link StopReason#DIRECTIONAL_DERIVATIVE}), yet the new direction and {@code t} are
 *       kept, so the next call computes {@code s = d·t} for a move that never happened; its
 *       {@code y} is about 0 and the pair fails the curvature test. Near a minimizer every later
 *       call stops this way after one evaluation.
 *   <li>{@code maxEval} counts every closure call of the step, line search included; the line
 *       search gets {@code maxEval} minus the evaluations made so far (at least one evaluation
 *       is always made), so a step may end one evaluation past {@code maxEval}, as in torch.
 *   <li>The zoom phase stops when the bracket is shorter than {@code 1e-9 / max|d|}: torch passes
 *       its own default, not {@code toleranceChange}. The constants {@code c1 = 1e-4},
 *       {@code c2 = 0.9} and the curvature threshold {@code 1e-10} (absolute, not scaled) are
 *       torch's and fixed.
 * </ul>
 *
 * <h2>Where this differs from torch, on purpose</h2>
 * <ul>
 *   <li><b>Non-finite values.</b> torch feeds a NaN or infinite loss or gradient into its
 *       arithmetic (NaN parameters, or a line search that wanders). Here such an evaluation ends
 *       the step with {@link StopReason#NON_FINITE}: at the step's first evaluation nothing
 *       changes; later, the parameters go back to where the current iteration started (the last
 *       point with a finite loss and gradient), {@code t} becomes 0 and no curvature pair is ever
 *       formed from the non-finite point. A later {@code step} resumes from there (and, with the
 *       same closure, will likely meet the same point: lower the learning rate).
 *   <li><b>Exceptions.</b> An exception thrown by the closure reaches the caller unchanged (same
 *       object). The optimizer stays usable, its state consistent, exactly as after
 *       {@code NON_FINITE} ({@link StopReason#CLOSURE_THREW}): if the step's first call threw,
 *       nothing changed; otherwise the parameters are back at the start of the interrupted
 *       iteration and {@code t = 0}. {@link #funcEvals()} counts the closure calls that returned.
 *       (torch leaves its history, {@code d} and {@code t} out of step after an exception.)
 *   <li><b>Validation.</b> Options torch accepts but cannot run, or runs to no purpose, are
 *       rejected: see {@link Options}.
 *   <li><b>Reported stop reason.</b> torch does not say why a step ended; {@link #stopReason()}
 *       and {@link #stopMessage()} do.
 * </ul>
 * Otherwise results agree with torch's algorithm to rounding: the scalar logic repeats torch's
 * operations in torch's order; vector sums go through OpenBLAS, whose summation order (and
 * torch's own) differs in the last bits.
 *
 * <h2>State and checkpoints</h2>
 * The getters ({@link #nIter()}, {@link #funcEvals()}, {@link #hDiag()}, {@link #stepLength()},
 * {@link #direction()}, {@link #historyLength()}, ...) expose torch's
 * {@code state[params[0]]}. {@link #saveState()} captures it as an immutable {@link State},
 * {@link #restoreState(State)} puts it back (into this or another optimizer with the same n and
 * history size); the run then continues bit for bit. The byte format is this class's own for
 * now; it will move onto the common checkpoint format of the bounded solver.
 *
 * <p><b>Memory.</b> 7n doubles of native memory (9n with the strong-Wolfe search), plus 2n per
 * curvature pair as the history fills, as in torch (the default 100 pairs are 200n doubles). Freed
 * by {@link #close()}.
 *
 * <p><b>Threads.</b> Not thread-safe: one thread at a time calls an optimizer. The closure runs on
 * the calling thread. Independent optimizers share nothing.
 */
public final class LbfgsOptimizer implements AutoCloseable {

    /** torch's {@code line_search_fn}. */
    public enum LineSearch {
        /** {@code line_search_fn=None}: a fixed step {@code t = lr} along the L-BFGS direction. */
        NONE,
        /** {@code line_search_fn='strong_wolfe'}: torch's strong-Wolfe search (cubic interpolation, zoom). */
        STRONG_WOLFE
    }

    /** Why the last {@link #step(Closure)} ended. The first seven are torch's {@code break}s. */
    public enum StopReason {
        /** No step has ended since construction or {@link #restoreState(State)}. */
        NONE,
        /** {@code max|g| <= toleranceGrad} at the step's first evaluation: no iteration, no state change. */
        GRADIENT_TOLERANCE_AT_START,
        /** The step made {@code maxIter} iterations. */
        MAX_ITER,
        /** The step made at least {@code maxEval} closure calls (line search included). */
        MAX_EVAL,
        /** {@code max|g| <= toleranceGrad} after an iteration. */
        GRADIENT_TOLERANCE,
        /** {@code max|d·t| <= toleranceChange}: the last move was tiny. */
        STEP_TOLERANCE,
        /** {@code |loss - prev_loss| < toleranceChange}. */
        LOSS_CHANGE_TOLERANCE,
        /** {@code g·d > -toleranceChange}: not a descent direction; the iteration ended before moving. */
        DIRECTIONAL_DERIVATIVE,
        /** The closure returned a non-finite loss or gradient (not torch: see the class comment). */
        NON_FINITE,
        /** The closure threw (not torch: see the class comment). */
        CLOSURE_THREW;

        static StopReason fromNative(int stop) {
            switch (stop) {
                case TorchLbfgsNative.STOP_NONE: return NONE;
                case TorchLbfgsNative.STOP_GRADIENT_TOLERANCE_AT_START: return GRADIENT_TOLERANCE_AT_START;
                case TorchLbfgsNative.STOP_MAX_ITER: return MAX_ITER;
                case TorchLbfgsNative.STOP_MAX_EVAL: return MAX_EVAL;
                case TorchLbfgsNative.STOP_GRADIENT_TOLERANCE: return GRADIENT_TOLERANCE;
                case TorchLbfgsNative.STOP_STEP_TOLERANCE: return STEP_TOLERANCE;
                case TorchLbfgsNative.STOP_LOSS_CHANGE_TOLERANCE: return LOSS_CHANGE_TOLERANCE;
                case TorchLbfgsNative.STOP_DIRECTIONAL_DERIVATIVE: return DIRECTIONAL_DERIVATIVE;
                case TorchLbfgsNative.STOP_NON_FINITE: return NON_FINITE;
                case TorchLbfgsNative.STOP_ABORTED: return CLOSURE_THREW;
                default: throw new IllegalStateException("unknown native stop reason " + stop);
            }
        }
    }

    /**
     * Recomputes the loss and its gradient at the current parameters (torch's closure, which
     * zeroes the gradients, calls {@code backward()} and returns the loss).
     */
    @FunctionalInterface
    public interface Closure {
        /**
         * @param params a read-only view of the flat parameter vector (positions 0 to n - 1; use
         *     absolute indexing); with a list of buffers the caller's own buffers hold the same point
         * @param grad where to write the gradient, n doubles, zero-filled before the call; valid
         *     only during the call
         * @return the loss at {@code params}
         */
        double evaluate(DoubleBuffer params, DoubleBuffer grad);
    }

    private final long n;
    private final Options options;
    private final TorchLbfgsNative.Optimizer handle;
    /** The caller's single buffer (kept reachable while native code uses it), or null. */
    private final DoubleBuffer callerParams;
    /** The caller's buffers in list mode (duplicates: their position/limit are ours), or null. */
    private final List<DoubleBuffer> callerList;
    /** The native concatenation in list mode, or null. */
    private final DoublePointer ownedParams;
    private final DoubleBuffer paramsView;      // read-only, handed to the closure
    private final DoubleBuffer paramsWritable;  // same memory, for gather / scatter
    private final DoubleBuffer gradView;
    private final DoubleBuffer gradReadOnly;
    private final List<DoubleBuffer> gradientViews;
    private boolean stepping;
    private boolean closed;

    /** An optimizer with torch's default options over one buffer (see {@link #LbfgsOptimizer(DoubleBuffer, Options)}). */
    public LbfgsOptimizer(DoubleBuffer params) {
        this(params, Options.defaults());
    }

    /**
     * An optimizer over the {@code params.remaining()} doubles of {@code params} from its current
     * position, used in place. {@code params} must be direct, writable and in native byte order
     * ({@code ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer()});
     * later changes of its position or limit do not matter. Keep using the buffer as usual: the
     * optimizer reads the parameters there at each step and leaves them there.
     *
     * @throws IllegalArgumentException when an argument is null, {@code params} is not a direct,
     *     writable, native-order buffer, is empty, or holds more than
     *     {@value NativeSession#MAX_SIZE} doubles
     * @throws OutOfMemoryError when the native workspace cannot be allocated
     */
    public LbfgsOptimizer(DoubleBuffer params, Options options) {
        requireNonNull("params", params);
        requireNonNull("options", options);
        if (!params.isDirect() || params.isReadOnly() || params.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("params must be a direct, writable DoubleBuffer in native byte order"
                    + " (direct=" + params.isDirect() + ", readOnly=" + params.isReadOnly() + ", order="
                    + params.order() + ")");
        }
        this.n = checkSize(params.remaining());
        this.options = options;
        this.callerParams = params.slice();
        this.callerList = null;
        this.ownedParams = null;
        this.handle = newOptimizer(n, options, new DoublePointer(callerParams));
        this.paramsWritable = callerParams.duplicate();
        this.paramsView = callerParams.asReadOnlyBuffer();
        this.gradView = view(handle.gradient(), n);
        this.gradReadOnly = gradView.asReadOnlyBuffer();
        this.gradientViews = List.of(gradView);
    }

    /**
     * An optimizer over the concatenation of {@code params} (each buffer's {@code remaining()}
     * doubles from its position at construction), torch's flat vector of a model's parameters.
     * The buffers may be heap or direct, in any byte order, and must be writable; some may be
     * empty, not all. See the class comment for the copies this costs.
     *
     * @throws IllegalArgumentException when an argument or element is null, a buffer is read-only,
     *     or the total size is 0 or more than {@value NativeSession#MAX_SIZE}
     * @throws OutOfMemoryError when the native workspace cannot be allocated
     */
    public LbfgsOptimizer(List<DoubleBuffer> params, Options options) {
        requireNonNull("params", params);
        requireNonNull("options", options);
        List<DoubleBuffer> copies = new ArrayList<>(params.size());
        long total = 0;
        for (int i = 0; i < params.size(); i++) {
            DoubleBuffer b = params.get(i);
            if (b == null) {
                throw new IllegalArgumentException("params.get(" + i + ") is null");
            }
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("params.get(" + i + ") is read-only: the optimizer writes the parameters");
            }
            copies.add(b.slice());
            total += b.remaining();
        }
        this.n = checkSize(total);
        this.options = options;
        this.callerParams = null;
        this.callerList = Collections.unmodifiableList(copies);
        DoublePointer owned = new DoublePointer(n);
        if (owned.isNull()) {
            throw new OutOfMemoryError("cannot allocate " + n + " doubles for the parameter vector");
        }
        this.ownedParams = owned;
        this.paramsWritable = view(owned, n);
        this.paramsView = paramsWritable.asReadOnlyBuffer();
        gather();
        TorchLbfgsNative.Optimizer h;
        try {
            h = newOptimizer(n, options, owned);
        } catch (RuntimeException | Error e) {
            owned.close();
            throw e;
        }
        this.handle = h;
        this.gradView = view(handle.gradient(), n);
        this.gradReadOnly = gradView.asReadOnlyBuffer();
        List<DoubleBuffer> slices = new ArrayList<>(copies.size());
        int offset = 0;
        for (DoubleBuffer b : copies) {
            int len = b.remaining();
            slices.add(gradView.duplicate().position(offset).limit(offset + len).slice());
            offset += len;
        }
        this.gradientViews = Collections.unmodifiableList(slices);
    }

    private static long checkSize(long size) {
        if (size == 0) {
            throw new IllegalArgumentException("params hold 0 doubles: must hold at least 1");
        }
        if (size > NativeSession.MAX_SIZE) {
            throw new IllegalArgumentException("params hold " + size + " doubles: must be <= " + NativeSession.MAX_SIZE
                    + ", the largest size a DoubleBuffer view holds");
        }
        return size;
    }

    private static TorchLbfgsNative.Optimizer newOptimizer(long n, Options options, DoublePointer params) {
        try (TorchLbfgsNative.Options o = new TorchLbfgsNative.Options()) {
            o.learningRate(options.learningRate())
                    .maxIter(options.maxIter())
                    .maxEval(options.maxEval())
                    .toleranceGrad(options.toleranceGrad())
                    .toleranceChange(options.toleranceChange())
                    .historySize(options.historySize())
                    .lineSearch(options.lineSearch() == LineSearch.STRONG_WOLFE
                            ? TorchLbfgsNative.LINE_SEARCH_STRONG_WOLFE : TorchLbfgsNative.LINE_SEARCH_NONE);
            return new TorchLbfgsNative.Optimizer(n, o, params);
        } catch (RuntimeException e) {
            String what = String.valueOf(e.getMessage());
            if (what.contains("bad_alloc")) {
                OutOfMemoryError oom = new OutOfMemoryError("cannot allocate the native L-BFGS workspace for n = " + n);
                oom.initCause(e);
                throw oom;
            }
            // Options were validated in Java: reaching this is a bug.
            throw new IllegalArgumentException(what, e);
        }
    }

    private static DoubleBuffer view(DoublePointer p, long n) {
        return p.capacity(n).asByteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    // ---- step ----

    /**
     * One torch {@code step(closure)}: evaluates the closure at the current parameters, then
     * runs up to {@link Options#maxIter()} L-BFGS iterations, leaving the parameters at the point
     * it ends on. {@link #stopReason()} then says why it ended.
     *
     * @return the loss at the step's first evaluation (torch's {@code orig_loss}), also when that
     *     evaluation already meets the gradient tolerance or is not finite
     * @throws IllegalStateException when called from inside a closure of this optimizer, or after
     *     {@link #close()}
     * @throws RuntimeException or {@link Error}: whatever the closure threw, unchanged (the
     *     optimizer stays usable; see the class comment)
     */
    public double step(Closure closure) {
        requireNonNull("closure", closure);
        ensureOpen();
        if (stepping) {
            throw new IllegalStateException("step() called from inside a closure of the same optimizer");
        }
        stepping = true;
        try {
            gather();
            int task = handle.beginStep();
            try {
                while (task == TorchLbfgsNative.TASK_EVALUATE) {
                    scatter();
                    double loss = closure.evaluate(paramsView.clear(), gradView.clear());
                    task = submit(loss);
                }
            } catch (Throwable t) {
                handle.abortStep();
                throw t;
            } finally {
                scatter();
            }
            return handle.initialLoss();
        } finally {
            stepping = false;
            Reference.reachabilityFence(callerParams);
        }
    }

    private int submit(double loss) {
        try {
            return handle.submit(loss);
        } catch (RuntimeException e) {
            String what = String.valueOf(e.getMessage());
            if (what.contains("bad_alloc")) { // a new history column could not be allocated
                OutOfMemoryError oom = new OutOfMemoryError("cannot allocate a curvature pair of " + n + " doubles");
                oom.initCause(e);
                throw oom;
            }
            throw new IllegalStateException(what, e);
        }
    }

    /** List mode: the caller's buffers into the native concatenation. */
    private void gather() {
        if (callerList == null) {
            return;
        }
        int offset = 0;
        for (DoubleBuffer b : callerList) {
            int len = b.limit();
            paramsWritable.put(offset, b, 0, len);
            offset += len;
        }
    }

    /** List mode: the native concatenation into the caller's buffers. */
    private void scatter() {
        if (callerList == null) {
            return;
        }
        int offset = 0;
        for (DoubleBuffer b : callerList) {
            int len = b.limit();
            b.put(0, paramsWritable, offset, len);
            offset += len;
        }
    }

    // ---- torch's state ----

    /** {@code state['n_iter']}: iterations over the optimizer's life (all steps). */
    public long nIter() {
        ensureOpen();
        return handle.nIter();
    }

    /** {@code state['func_evals']}: closure calls over the optimizer's life that returned a value. */
    public long funcEvals() {
        ensureOpen();
        return handle.funcEvals();
    }

    /** {@code state['H_diag']}: the initial inverse-Hessian scale y·s / y·y of the newest pair (1 before any). */
    public double hDiag() {
        ensureOpen();
        return handle.hDiag();
    }

    /** {@code state['t']}: the last step length (0 before the first iteration and after a rollback). */
    public double stepLength() {
        ensureOpen();
        return handle.t();
    }

    /** {@code state['prev_loss']}: the loss where the last iteration started (NaN before any). */
    public double previousLoss() {
        ensureOpen();
        return handle.prevLoss();
    }

    /** {@code state['d']}: a copy of the last search direction (zeros before the first iteration). */
    public double[] direction() {
        ensureOpen();
        return copy(handle.direction());
    }

    /** {@code state['prev_flat_grad']}: a copy of the gradient where the last iteration started. */
    public double[] previousFlatGrad() {
        ensureOpen();
        return copy(handle.prevFlatGrad());
    }

    /** {@code len(state['old_dirs'])}: the number of stored curvature pairs. */
    public int historyLength() {
        ensureOpen();
        return (int) handle.historyLength();
    }

    /** {@code state['old_stps'][k]}: a copy of step s of pair k (0 = oldest). */
    public double[] historyStep(int k) {
        ensureOpen();
        checkPair(k);
        return copy(handle.historyS(k));
    }

    /** {@code state['old_dirs'][k]}: a copy of gradient change y of pair k (0 = oldest). */
    public double[] historyGradientChange(int k) {
        ensureOpen();
        checkPair(k);
        return copy(handle.historyY(k));
    }

    /** {@code state['ro'][k]}: 1 / y·s of pair k (0 = oldest). */
    public double historyRho(int k) {
        ensureOpen();
        checkPair(k);
        return handle.historyRho(k);
    }

    private void checkPair(int k) {
        int len = (int) handle.historyLength();
        if (k < 0 || k >= len) {
            throw new IndexOutOfBoundsException("pair " + k + ": must be in [0, " + len + ")");
        }
    }

    private double[] copy(DoublePointer p) {
        double[] out = new double[(int) n];
        view(p, n).get(0, out);
        return out;
    }

    // ---- the last step ----

    /** Why the last step ended ({@link StopReason#NONE} before any). */
    public StopReason stopReason() {
        ensureOpen();
        return StopReason.fromNative(handle.stop());
    }

    /** Why the last step ended, with the numbers, e.g. {@code "max|g| = 3.1e-08 <= toleranceGrad = 1.0e-07"}. */
    public String stopMessage() {
        ensureOpen();
        double v = handle.stopValue();
        switch (stopReason()) {
            case NONE: return "no step has ended yet";
            case GRADIENT_TOLERANCE_AT_START:
                return "max|g| = " + fmt(v) + " <= toleranceGrad = " + fmt(options.toleranceGrad())
                        + " at the step's first evaluation: no iteration";
            case MAX_ITER: return "maxIter = " + options.maxIter() + " iterations made";
            case MAX_EVAL: return (long) v + " evaluations >= maxEval = " + options.maxEval();
            case GRADIENT_TOLERANCE:
                return "max|g| = " + fmt(v) + " <= toleranceGrad = " + fmt(options.toleranceGrad());
            case STEP_TOLERANCE:
                return "max|d*t| = " + fmt(v) + " <= toleranceChange = " + fmt(options.toleranceChange());
            case LOSS_CHANGE_TOLERANCE:
                return "|loss - prev_loss| = " + fmt(v) + " < toleranceChange = " + fmt(options.toleranceChange());
            case DIRECTIONAL_DERIVATIVE:
                return "g.d = " + fmt(v) + " > -toleranceChange = " + fmt(-options.toleranceChange())
                        + ": not a descent direction, parameters not moved";
            case NON_FINITE:
                return "the closure returned a non-finite loss or gradient (" + fmt(v)
                        + "); parameters back at the start of the iteration";
            case CLOSURE_THREW: return "the closure threw; parameters back at the start of the iteration";
            default: throw new AssertionError();
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /** Iterations made by the last (or current) step. */
    public long lastStepIterations() {
        ensureOpen();
        return handle.stepIterations();
    }

    /** Closure calls made by the last (or current) step that returned a value. */
    public long lastStepEvaluations() {
        ensureOpen();
        return handle.stepEvaluations();
    }

    // ---- buffers and options ----

    /** The number of parameters n. */
    public long size() {
        return n;
    }

    public Options options() {
        return options;
    }

    /**
     * A read-only view of the gradient of the last closure call (positions 0 to n - 1): torch's
     * {@code p.grad} after a step. Valid until {@link #close()}.
     */
    public DoubleBuffer gradient() {
        ensureOpen();
        return gradReadOnly.duplicate();
    }

    /**
     * Zero-copy slices of the closure's gradient buffer (the memory of the closure's {@code grad}
     * argument), one per parameter buffer, in order (one slice for a single buffer): a closure that
     * computes per-tensor gradients may capture these and write into them instead of into
     * {@code grad}. Writes outside a closure call have no effect (the buffer is zero-filled before
     * each call). Valid until {@link #close()}.
     */
    public List<DoubleBuffer> gradientViews() {
        ensureOpen();
        List<DoubleBuffer> out = new ArrayList<>(gradientViews.size());
        for (DoubleBuffer b : gradientViews) {
            out.add(b.duplicate());
        }
        return Collections.unmodifiableList(out);
    }

    // ---- checkpoints ----

    /**
     * The optimizer's state (torch's {@code state_dict()['state']}): counters, {@code t},
     * {@code H_diag}, {@code prev_loss}, {@code d}, {@code prev_flat_grad} and the curvature
     * pairs. Not the parameters (they are the caller's) nor the options.
     *
     * @throws IllegalStateException inside a closure, after {@link #close()}, or when the state
     *     exceeds a Java array (about 2^31 bytes: (2 + 2·historyLength)·8n + 80)
     */
    public State saveState() {
        ensureOpen();
        if (stepping) {
            throw new IllegalStateException("saveState() called during a step");
        }
        long size = handle.stateSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the state takes " + size + " bytes, more than a Java array holds");
        }
        byte[] bytes = new byte[(int) size];
        handle.saveState(bytes);
        return new State(bytes);
    }

    /**
     * Replaces this optimizer's state with {@code state} (saved by an optimizer with the same n
     * and history size, with any other options); the next {@link #step(Closure)} continues from it
     * bit for bit. {@link #stopReason()} becomes {@link StopReason#NONE}. On failure nothing
     * changes.
     *
     * @throws IllegalArgumentException when n or the history size differ
     * @throws IllegalStateException inside a closure or after {@link #close()}
     */
    public void restoreState(State state) {
        requireNonNull("state", state);
        ensureOpen();
        if (stepping) {
            throw new IllegalStateException("restoreState() called during a step");
        }
        if (state.size() != n) {
            throw new IllegalArgumentException("state.size() = " + state.size() + ": must equal this optimizer's n = " + n);
        }
        if (state.historySize() != options.historySize()) {
            throw new IllegalArgumentException("state.historySize() = " + state.historySize()
                    + ": must equal this optimizer's historySize = " + options.historySize());
        }
        byte[] bytes = state.bytes;
        try {
            handle.loadState(bytes, bytes.length);
        } catch (RuntimeException e) {
            String what = String.valueOf(e.getMessage());
            if (what.contains("bad_alloc")) {
                OutOfMemoryError oom = new OutOfMemoryError("cannot allocate the restored history");
                oom.initCause(e);
                throw oom;
            }
            throw new IllegalArgumentException(what, e);
        }
    }

    /**
     * A saved optimizer state: immutable, plain bytes ({@link #toBytes()}, {@link #fromBytes(byte[])}).
     *
     * <p>Format 1, little-endian: 8-byte magic {@code "TLBFGS\0\1"}, u32 version, u32 reserved, then
     * i64 n, i64 historySize, i64 nIter, i64 funcEvals, f64 t, f64 H_diag, f64 prev_loss,
     * i64 historyLength, f64[n] d, f64[n] prev_flat_grad, and per pair, oldest first, f64 rho,
     * f64[n] y, f64[n] s. It will move onto the common checkpoint format of the bounded solver;
     * {@code fromBytes} will keep reading format 1.
     */
    public static final class State {
        static final int HEADER_BYTES = 80;
        private static final byte[] MAGIC = {'T', 'L', 'B', 'F', 'G', 'S', 0, 1};

        private final byte[] bytes;
        private final long size;
        private final long historySize;
        private final long nIter;
        private final long funcEvals;
        private final double stepLength;
        private final double hDiag;
        private final double previousLoss;
        private final int historyLength;

        private State(byte[] bytes) {
            this.bytes = bytes;
            if (bytes.length < HEADER_BYTES) {
                throw new IllegalArgumentException(bytes.length + " bytes: shorter than the " + HEADER_BYTES + "-byte header");
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (bytes[i] != MAGIC[i]) {
                    throw new IllegalArgumentException("not an LbfgsOptimizer state (bad magic)");
                }
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int version = b.getInt(8);
            if (version != 1) {
                throw new IllegalArgumentException("state format version " + version + ": this version reads format 1");
            }
            this.size = b.getLong(16);
            this.historySize = b.getLong(24);
            this.nIter = b.getLong(32);
            this.funcEvals = b.getLong(40);
            this.stepLength = b.getDouble(48);
            this.hDiag = b.getDouble(56);
            this.previousLoss = b.getDouble(64);
            long len = b.getLong(72);
            if (size < 1 || historySize < 1 || len < 0 || len > historySize || nIter < 0 || funcEvals < 0) {
                throw new IllegalArgumentException("inconsistent state header: n = " + size + ", historySize = "
                        + historySize + ", historyLength = " + len + ", nIter = " + nIter + ", funcEvals = " + funcEvals);
            }
            long expected = HEADER_BYTES + 16 * size + len * (8 + 16 * size);
            if (bytes.length != expected) {
                throw new IllegalArgumentException(bytes.length + " bytes: a state with n = " + size + " and " + len
                        + " pairs has " + expected);
            }
            this.historyLength = (int) len;
        }

        /** Reads a state written by {@link #toBytes()} (the array is copied). */
        public static State fromBytes(byte[] bytes) {
            requireNonNull("bytes", bytes);
            return new State(bytes.clone());
        }

        /** The state as bytes (a fresh copy). */
        public byte[] toBytes() {
            return bytes.clone();
        }

        /** n, the number of parameters. */
        public long size() {
            return size;
        }

        public long historySize() {
            return historySize;
        }

        public long nIter() {
            return nIter;
        }

        public long funcEvals() {
            return funcEvals;
        }

        /** {@code t}. */
        public double stepLength() {
            return stepLength;
        }

        public double hDiag() {
            return hDiag;
        }

        public double previousLoss() {
            return previousLoss;
        }

        public int historyLength() {
            return historyLength;
        }

        @Override
        public String toString() {
            return "LbfgsOptimizer.State[n=" + size + ", historySize=" + historySize + ", nIter=" + nIter
                    + ", funcEvals=" + funcEvals + ", historyLength=" + historyLength + ", bytes=" + bytes.length + "]";
        }
    }

    // ---- life cycle ----

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the optimizer is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the native memory now (idempotent). With a list of buffers, they keep the last
     * parameters.
     *
     * @throws IllegalStateException when called from inside a closure of this optimizer
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (stepping) {
            throw new IllegalStateException("close() called from inside a closure of this optimizer");
        }
        closed = true;
        handle.close();
        if (ownedParams != null) {
            ownedParams.close();
        }
        Reference.reachabilityFence(callerParams);
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    // ---- options ----

    /**
     * torch.optim.LBFGS's constructor arguments, with its defaults. Immutable; build with
     * {@link #builder()}:
     *
     * <pre>{@code
     * LbfgsOptimizer.Options o = LbfgsOptimizer.Options.builder()
     *         .maxIter(50).historySize(10).lineSearch(LbfgsOptimizer.LineSearch.STRONG_WOLFE).build();
     * }</pre>
     *
     * <p>{@link Builder#build()} checks every value; the message names the option, its value and
     * the rule, e.g. {@code "maxIter = 0: must be >= 1"}. torch checks only {@code lr >= 0}; the
     * other rules reject what torch accepts but cannot run or runs to no purpose: an infinite
     * {@code lr} (NaN parameters), {@code max_iter <= 0} (step only evaluates),
     * {@code max_eval <= 0} (torch's strong-Wolfe search fails on an undefined bracket),
     * {@code history_size <= 0} (torch fails on the first curvature pair), and negative or NaN
     * tolerances (which turn torch's tests off or upside down; 0 already turns a test off).
     */
    public static final class Options {
        /** torch's {@code lr}. */
        public static final double DEFAULT_LEARNING_RATE = 1.0;
        /** torch's {@code max_iter}. */
        public static final int DEFAULT_MAX_ITER = 20;
        /** torch's {@code tolerance_grad}. */
        public static final double DEFAULT_TOLERANCE_GRAD = 1e-7;
        /** torch's {@code tolerance_change}. */
        public static final double DEFAULT_TOLERANCE_CHANGE = 1e-9;
        /** torch's {@code history_size}. */
        public static final int DEFAULT_HISTORY_SIZE = 100;

        private static final Options DEFAULTS = builder().build();

        private final double learningRate;
        private final int maxIter;
        private final int maxEval;
        private final boolean maxEvalDefault;
        private final double toleranceGrad;
        private final double toleranceChange;
        private final int historySize;
        private final LineSearch lineSearch;

        private Options(Builder b, int maxEval) {
            this.learningRate = b.learningRate;
            this.maxIter = b.maxIter;
            this.maxEval = maxEval;
            this.maxEvalDefault = b.maxEval == null;
            this.toleranceGrad = b.toleranceGrad;
            this.toleranceChange = b.toleranceChange;
            this.historySize = b.historySize;
            this.lineSearch = b.lineSearch;
        }

        /** torch's defaults: lr 1, max_iter 20, max_eval 25, tolerances 1e-7 and 1e-9, history 100, no line search. */
        public static Options defaults() {
            return DEFAULTS;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** A builder holding these values ({@code maxEval} stays derived if it was). */
        public Builder toBuilder() {
            Builder b = new Builder()
                    .learningRate(learningRate)
                    .maxIter(maxIter)
                    .toleranceGrad(toleranceGrad)
                    .toleranceChange(toleranceChange)
                    .historySize(historySize)
                    .lineSearch(lineSearch);
            if (!maxEvalDefault) {
                b.maxEval(maxEval);
            }
            return b;
        }

        /** {@code lr}: the step length t of every iteration but the first ({@code min(1, 1/|g|_1)·lr}); default 1. */
        public double learningRate() {
            return learningRate;
        }

        /** {@code max_iter}: iterations per {@code step}; default 20. */
        public int maxIter() {
            return maxIter;
        }

        /** {@code max_eval}: closure calls per {@code step}, line search included; default {@code maxIter * 5 / 4}. */
        public int maxEval() {
            return maxEval;
        }

        /** {@code tolerance_grad}: a step stops when {@code max_i |g_i| <= toleranceGrad}; default 1e-7. */
        public double toleranceGrad() {
            return toleranceGrad;
        }

        /**
         * {@code tolerance_change}: a step stops when {@code g·d > -toleranceChange},
         * {@code max|d·t| <= toleranceChange} or {@code |loss - prev_loss| < toleranceChange}; default 1e-9.
         */
        public double toleranceChange() {
            return toleranceChange;
        }

        /** {@code history_size}: curvature pairs kept; default 100. */
        public int historySize() {
            return historySize;
        }

        /** {@code line_search_fn}; default {@link LineSearch#NONE}. */
        public LineSearch lineSearch() {
            return lineSearch;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Options)) {
                return false;
            }
            Options p = (Options) o;
            return Double.compare(learningRate, p.learningRate) == 0 && maxIter == p.maxIter && maxEval == p.maxEval
                    && maxEvalDefault == p.maxEvalDefault
                    && Double.compare(toleranceGrad, p.toleranceGrad) == 0
                    && Double.compare(toleranceChange, p.toleranceChange) == 0 && historySize == p.historySize
                    && lineSearch == p.lineSearch;
        }

        @Override
        public int hashCode() {
            return Objects.hash(learningRate, maxIter, maxEval, maxEvalDefault, toleranceGrad, toleranceChange,
                    historySize, lineSearch);
        }

        @Override
        public String toString() {
            return "LbfgsOptimizer.Options[learningRate=" + learningRate + ", maxIter=" + maxIter + ", maxEval="
                    + maxEval + (maxEvalDefault ? " (maxIter*5/4)" : "") + ", toleranceGrad=" + toleranceGrad
                    + ", toleranceChange=" + toleranceChange + ", historySize=" + historySize + ", lineSearch="
                    + lineSearch + "]";
        }

        /** Builds {@link Options}; starts at torch's defaults. */
        public static final class Builder {
            private double learningRate = DEFAULT_LEARNING_RATE;
            private int maxIter = DEFAULT_MAX_ITER;
            private Integer maxEval; // null: maxIter * 5 / 4
            private double toleranceGrad = DEFAULT_TOLERANCE_GRAD;
            private double toleranceChange = DEFAULT_TOLERANCE_CHANGE;
            private int historySize = DEFAULT_HISTORY_SIZE;
            private LineSearch lineSearch = LineSearch.NONE;

            private Builder() {}

            /** {@code lr}: must be finite and >= 0. */
            public Builder learningRate(double value) {
                this.learningRate = value;
                return this;
            }

            /** {@code max_iter}: must be >= 1. */
            public Builder maxIter(int value) {
                this.maxIter = value;
                return this;
            }

            /** {@code max_eval}: must be >= 1. Unset, it is {@code maxIter * 5 / 4} (integer division). */
            public Builder maxEval(int value) {
                this.maxEval = value;
                return this;
            }

            /** Back to the derived {@code maxEval = maxIter * 5 / 4}. */
            public Builder maxEvalFromMaxIter() {
                this.maxEval = null;
                return this;
            }

            /** {@code tolerance_grad}: must be >= 0 (not NaN). */
            public Builder toleranceGrad(double value) {
                this.toleranceGrad = value;
                return this;
            }

            /** {@code tolerance_change}: must be >= 0 (not NaN). */
            public Builder toleranceChange(double value) {
                this.toleranceChange = value;
                return this;
            }

            /** {@code history_size}: must be >= 1. */
            public Builder historySize(int value) {
                this.historySize = value;
                return this;
            }

            /** {@code line_search_fn}: not null. */
            public Builder lineSearch(LineSearch value) {
                this.lineSearch = value;
                return this;
            }

            /** @throws IllegalArgumentException naming the first invalid option, its value and the rule */
            public Options build() {
                if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
                    throw invalid("learningRate", learningRate, "must be finite and >= 0");
                }
                if (maxIter < 1) {
                    throw invalid("maxIter", maxIter, "must be >= 1");
                }
                if (maxEval != null && maxEval < 1) {
                    throw invalid("maxEval", maxEval, "must be >= 1");
                }
                if (!(toleranceGrad >= 0)) {
                    throw invalid("toleranceGrad", toleranceGrad, "must be >= 0 (0 stops only on a zero gradient)");
                }
                if (!(toleranceChange >= 0)) {
                    throw invalid("toleranceChange", toleranceChange, "must be >= 0 (0 turns its tests off)");
                }
                if (historySize < 1) {
                    throw invalid("historySize", historySize, "must be >= 1");
                }
                if (lineSearch == null) {
                    throw invalid("lineSearch", null, "must be NONE or STRONG_WOLFE");
                }
                int eval = maxEval != null ? maxEval : (int) Math.min(Integer.MAX_VALUE, (long) maxIter * 5 / 4);
                return new Options(this, eval);
            }

            private static IllegalArgumentException invalid(String name, Object value, String rule) {
                return new IllegalArgumentException(name + " = " + value + ": " + rule);
            }
        }
    }
}
