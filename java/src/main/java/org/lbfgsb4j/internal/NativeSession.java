package org.lbfgsb4j.internal;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.function.Consumer;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One native {@code lbfgsb::Minimizer} and zero-copy views of its vectors, freed
 * deterministically by {@link #close()} (idempotent).
 *
 * <p>The views of x, gradient, lower and upper are direct {@link DoubleBuffer}s over the
 * minimizer's own memory, in native byte order, created once per session; each getter returns
 * that same buffer reset to position 0 and limit n, so use absolute indexing. A view must not be
 * used after {@link #close()}: it would read freed memory.
 *
 * <p>Not thread-safe: one thread at a time drives a session. Independent sessions share nothing
 * and may run on different threads at once.
 */
public final class NativeSession implements AutoCloseable {
    /** The largest n whose vectors fit a {@link DoubleBuffer} view (2^31 - 1 bytes). */
    public static final long MAX_SIZE = Integer.MAX_VALUE / Double.BYTES;

    private final LbfgsbNative.Minimizer minimizer;
    private final long n;
    /** The caller's x when it lives in the caller's buffer: kept reachable while native code uses it. */
    private final DoubleBuffer callerX;
    private final long xAddress;
    private final long gradientAddress;
    private final DoubleBuffer x;
    private final DoubleBuffer xReadOnly;
    private final DoubleBuffer gradient;
    private final DoubleBuffer lower;
    private final DoubleBuffer upper;
    private boolean closed;
    /** Frees the native minimizer: at {@link #close()}, or when an unclosed session becomes unreachable. */
    private final Cleaner.Cleanable freeMinimizer;

    private static final Cleaner CLEANER = Cleaner.create();

    /** The native free, holding the address only (never the session, which would stay reachable). */
    private static final class Free implements Runnable {
        private final long address;

        Free(long address) {
            this.address = address;
        }

        @Override
        public void run() {
            LbfgsbNative.deleteMinimizer(address);
        }
    }

    /** A session with the default options; x starts at 0. */
    public NativeSession(long n) {
        this(n, options -> {});
    }

    /**
     * A session whose x is owned by the minimizer (0 initially). Its options start at the native
     * defaults and are then set by {@code configure}; the minimizer copies them, so later
     * changes have no effect.
     *
     * @throws IllegalArgumentException when the native constructor rejects n or the options
     *     (with the C++ message), or n exceeds {@link #MAX_SIZE}
     * @throws OutOfMemoryError when the native workspace cannot be allocated
     */
    public NativeSession(long n, Consumer<? super LbfgsbNative.Options> configure) {
        this(n, null, configure);
    }

    /**
     * A session that works in place on the caller's x: the {@code x.remaining()} doubles from
     * {@code x.position()} hold x0 and, afterwards, the solution. {@code x} must be direct,
     * writable and in native byte order; the session keeps it reachable until {@link #close()}.
     *
     * @throws IllegalArgumentException as {@link #NativeSession(long, Consumer)}, or when x is
     *     not a direct, writable, native-order buffer
     */
    public NativeSession(DoubleBuffer x, Consumer<? super LbfgsbNative.Options> configure) {
        this(x.remaining(), checkCallerX(x), configure);
    }

    private static DoubleBuffer checkCallerX(DoubleBuffer x) {
        if (!x.isDirect() || x.isReadOnly() || x.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("x must be a direct, writable DoubleBuffer in native byte order"
                    + " (direct=" + x.isDirect() + ", readOnly=" + x.isReadOnly() + ", order=" + x.order() + ")");
        }
        return x;
    }

    private NativeSession(long n, DoubleBuffer callerX, Consumer<? super LbfgsbNative.Options> configure) {
        if (n > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "n = " + n + " exceeds " + MAX_SIZE + ", the largest size a DoubleBuffer view holds");
        }
        LbfgsbNative.Minimizer m;
        LbfgsbNative.Options options = LbfgsbNative.newOptions();
        try {
            configure.accept(options);
            m = newMinimizer(n, options, callerX);
        } finally {
            LbfgsbNative.deleteOptions(options);
        }
        this.minimizer = m;
        this.freeMinimizer = CLEANER.register(this, new Free(m.address()));
        this.n = n;
        this.callerX = callerX;
        DoublePointer xp = m.x();
        DoublePointer gp = m.gradient();
        this.xAddress = xp.address();
        this.gradientAddress = gp.address();
        this.x = view(xp, n);
        this.xReadOnly = x.asReadOnlyBuffer();
        this.gradient = view(gp, n);
        this.lower = view(m.lower(), n);
        this.upper = view(m.upper(), n);
    }

    /**
     * The native constructor. JavaCPP turns a C++ exception into a plain RuntimeException
     * carrying what(): this names the two the constructor documents.
     */
    private static LbfgsbNative.Minimizer newMinimizer(
            long n, LbfgsbNative.Options options, DoubleBuffer callerX) {
        try {
            return callerX == null
                    ? LbfgsbNative.newMinimizer(n, options)
                    : LbfgsbNative.newMinimizer(n, options, new DoublePointer(callerX.slice()));
        } catch (RuntimeException e) {
            String what = String.valueOf(e.getMessage());
            if (what.contains("bad_alloc")) { // std::bad_alloc
                OutOfMemoryError oom = new OutOfMemoryError(
                        "cannot allocate the native L-BFGS-B workspace for n = " + n + ": " + what);
                oom.initCause(e);
                throw oom;
            }
            throw new IllegalArgumentException(what, e); // std::invalid_argument
        }
    }

    /** A C++ logic_error (a call out of order, e.g. start() twice) as a Java exception. */
    private static IllegalStateException callOutOfOrder(RuntimeException e) {
        return new IllegalStateException(e.getMessage(), e);
    }

    static DoubleBuffer view(DoublePointer p, long n) {
        return p.capacity(n).asByteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the native session is closed");
        }
    }

    /** The number of variables n. */
    public long size() {
        return n;
    }

    /** The native minimizer, for the binding's free functions ({@link LbfgsbNative#run}). */
    LbfgsbNative.Minimizer minimizer() {
        ensureOpen();
        return minimizer;
    }

    /** Native address of x, the one the core hands to callbacks. */
    long xAddress() {
        return xAddress;
    }

    /** Native address of the gradient, the one the core hands to callbacks. */
    long gradientAddress() {
        return gradientAddress;
    }

    /** The minimizer's copy of the options (a view, valid until {@link #close()}). */
    public LbfgsbNative.Options options() {
        ensureOpen();
        return minimizer.options();
    }

    /** x: write x0 here before {@link #start()}; afterwards the current point. */
    public DoubleBuffer x() {
        ensureOpen();
        return x.clear();
    }

    /** A read-only view of x (the one handed to objectives). */
    public DoubleBuffer xReadOnly() {
        ensureOpen();
        return xReadOnly.clear();
    }

    /** The gradient: after {@link LbfgsbNative#TASK_EVALUATE}, write the gradient at x here. */
    public DoubleBuffer gradient() {
        ensureOpen();
        return gradient.clear();
    }

    /** Lower bounds, -infinity (no bound) initially. */
    public DoubleBuffer lower() {
        ensureOpen();
        return lower.clear();
    }

    /** Upper bounds, +infinity (no bound) initially. */
    public DoubleBuffer upper() {
        ensureOpen();
        return upper.clear();
    }

    /**
     * Checks the bounds, projects x onto them and asks for the first evaluation; returns a
     * {@code TASK_*} value.
     *
     * @throws IllegalStateException when called twice
     */
    public int start() {
        ensureOpen();
        try {
            return minimizer.start();
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Hands over f at x (the gradient is already in {@link #gradient()}); returns the next task. */
    public int submit(double f) {
        ensureOpen();
        try {
            return minimizer.submit(f);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Goes on after {@link LbfgsbNative#TASK_NEW_ITERATE}; returns the next task. */
    public int proceed() {
        ensureOpen();
        try {
            return minimizer.proceed();
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Makes the next {@link #proceed()} stop with {@link LbfgsbNative#STATUS_STOPPED_BY_USER}. */
    public void requestStop() {
        ensureOpen();
        minimizer.requestStop();
    }

    /**
     * Ends the run now, also inside a line search: x, gradient and f become the best point
     * evaluated so far (a better line-search trial only when the options track it).
     *
     * @param reason {@link LbfgsbNative#STATUS_TIME_LIMIT} or {@link LbfgsbNative#STATUS_CANCELLED}
     * @return {@link LbfgsbNative#TASK_DONE}
     */
    public int interrupt(int reason) {
        ensureOpen();
        if (reason != LbfgsbNative.STATUS_TIME_LIMIT && reason != LbfgsbNative.STATUS_CANCELLED) {
            throw new IllegalArgumentException("reason = " + reason + ": must be STATUS_TIME_LIMIT or STATUS_CANCELLED");
        }
        try {
            return minimizer.interrupt(reason);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /**
     * Replaces the options between calls (limits, tolerances, line-search constants, target);
     * the history size must stay the same.
     *
     * @throws IllegalArgumentException with the C++ message when the options are invalid
     */
    public void updateOptions(Consumer<? super LbfgsbNative.Options> configure) {
        ensureOpen();
        LbfgsbNative.Options options = LbfgsbNative.newOptions();
        try {
            configure.accept(options);
            minimizer.updateOptions(options);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(e.getMessage(), e);
        } finally {
            LbfgsbNative.deleteOptions(options);
        }
    }

    /** The current {@code TASK_*} value. */
    public int task() {
        ensureOpen();
        return minimizer.task();
    }

    /** A {@code STATUS_*} value ({@link LbfgsbNative#STATUS_RUNNING} until the run ends). */
    public int status() {
        ensureOpen();
        return minimizer.status();
    }

    /** SciPy's message for the status. */
    public String message() {
        ensureOpen();
        return minimizer.message();
    }

    public double f() {
        ensureOpen();
        return minimizer.f();
    }

    public long iterations() {
        ensureOpen();
        return minimizer.iterations();
    }

    public long evaluations() {
        ensureOpen();
        return minimizer.evaluations();
    }

    public double projectedGradientNorm() {
        ensureOpen();
        return minimizer.projectedGradientNorm();
    }

    /** Step length of the last accepted line search. */
    public double stepLength() {
        ensureOpen();
        return minimizer.stepLength();
    }

    /** Free variables at the last subspace minimization. */
    public long freeVariables() {
        ensureOpen();
        return minimizer.freeVariables();
    }

    /** Evaluations made by the current line search. */
    public long lineSearchEvaluations() {
        ensureOpen();
        return minimizer.lineSearchEvaluations();
    }

    /** Whether {@link #start()} moved x0 onto the box. */
    public boolean x0Projected() {
        ensureOpen();
        return minimizer.x0Projected();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Whether x lives in a caller's buffer rather than in the minimizer's workspace. */
    public boolean usesCallerX() {
        return callerX != null;
    }

    // ---- the complete state, for checkpoints ----

    /** The state header (every scalar of the run; see native/src/checkpoint.cpp). */
    public byte[] stateHeader() {
        ensureOpen();
        long size = minimizer.stateHeaderSize();
        try (BytePointer out = new BytePointer(size)) {
            minimizer.writeStateHeader(out);
            byte[] header = new byte[(int) size];
            out.get(header);
            return header;
        }
    }

    /** The number of array segments of the state (depends on where the run stands). */
    public int stateSegmentCount() {
        ensureOpen();
        return minimizer.stateSegmentCount();
    }

    public String stateSegmentName(int i) {
        ensureOpen();
        return minimizer.stateSegmentName(i);
    }

    /** Segment i's size in bytes. */
    public long stateSegmentSize(int i) {
        ensureOpen();
        return minimizer.stateSegmentSize(i);
    }

    /** The size of the complete state in bytes: the header and every segment. */
    public long stateBytes() {
        ensureOpen();
        return minimizer.stateSize();
    }

    /**
     * The complete state in one native call: the header, then every segment back to back, written
     * into {@code dst} (direct, at least {@link #stateBytes()} bytes remaining) from its position;
     * segment i's size goes into {@code sizes[i]}. For states that fit one buffer.
     *
     * @param sizes room for {@link LbfgsbNative#MAX_STATE_SEGMENTS} sizes
     * @return the number of segments
     */
    public int copyStateOut(ByteBuffer dst, long[] sizes) {
        ensureOpen();
        if (!dst.isDirect() || dst.isReadOnly()) {
            throw new IllegalArgumentException("dst must be a direct, writable ByteBuffer");
        }
        long size = minimizer.stateSize();
        if (dst.remaining() < size) {
            throw new IllegalArgumentException("dst has " + dst.remaining() + " bytes remaining; the state needs " + size);
        }
        checkSizes(sizes);
        int count = minimizer.writeState(dst.slice(), sizes);
        dst.position(dst.position() + (int) size);
        return count;
    }

    private static void checkSizes(long[] sizes) {
        if (sizes.length < LbfgsbNative.MAX_STATE_SEGMENTS) {
            throw new IllegalArgumentException("sizes.length = " + sizes.length + ": must be >= "
                    + LbfgsbNative.MAX_STATE_SEGMENTS);
        }
    }

    /**
     * As {@link #copyStateOut(ByteBuffer, long[])}, into {@code dst} from index 0 (at least
     * {@link #stateBytes()} long): a state on the Java heap, which the collector sees.
     */
    public int copyStateOut(byte[] dst, long[] sizes) {
        ensureOpen();
        long size = minimizer.stateSize();
        if (dst.length < size) {
            throw new IllegalArgumentException("dst.length = " + dst.length + ": the state needs " + size + " bytes");
        }
        checkSizes(sizes);
        return minimizer.writeState(dst, sizes);
    }

    /** Copies {@code dst.remaining()} bytes of segment i from byte {@code offset} into {@code dst} (direct). */
    public void copySegmentOut(int i, long offset, ByteBuffer dst) {
        ensureOpen();
        checkRange(i, offset, dst);
        Pointer segment = minimizer.stateSegment(i);
        try (BytePointer to = new BytePointer(dst.slice()); BytePointer from = new BytePointer(segment)) {
            Pointer.memcpy(to, from.position(offset), dst.remaining());
        }
        dst.position(dst.limit());
    }

    /**
     * Restores a state header into this session, which must have the header's n and history size
     * and not be started; then every segment must be filled with {@link #copySegmentIn}.
     *
     * @throws IllegalArgumentException on a foreign, corrupt or mismatching header
     */
    public void restoreStateHeader(byte[] header) {
        ensureOpen();
        try (BytePointer in = new BytePointer(header)) {
            minimizer.readStateHeader(in, header.length);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("already started")) {
                throw callOutOfOrder(e);
            }
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Copies {@code src.remaining()} bytes from {@code src} into segment i at byte {@code offset}
     * (a heap buffer goes through a temporary direct one).
     */
    public void copySegmentIn(int i, long offset, ByteBuffer src) {
        ensureOpen();
        if (!src.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining());
            direct.put(src.duplicate()).flip();
            copySegmentIn(i, offset, direct);
            src.position(src.limit());
            return;
        }
        checkRange(i, offset, src);
        Pointer segment = minimizer.stateSegmentTarget(i);
        try (BytePointer from = new BytePointer(src.slice()); BytePointer to = new BytePointer(segment)) {
            Pointer.memcpy(to.position(offset), from, src.remaining());
        }
        src.position(src.limit());
    }

    private void checkRange(int i, long offset, ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("buffer must be direct");
        }
        if (i < 0 || i >= minimizer.stateSegmentCount()) {
            throw new IndexOutOfBoundsException("segment " + i + " of " + minimizer.stateSegmentCount());
        }
        long size = minimizer.stateSegmentSize(i);
        if (offset < 0 || offset + buffer.remaining() > size) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + buffer.remaining())
                    + ") of segment " + i + " (" + size + " bytes)");
        }
    }

    /** n recorded in a state header, or -1 when it is not a valid header. */
    public static long stateHeaderSize(byte[] header) {
        try (BytePointer in = new BytePointer(header)) {
            return LbfgsbNative.Minimizer.stateHeaderN(in, header.length);
        }
    }

    /** The history size recorded in a state header, or -1 when it is not a valid header. */
    public static long stateHeaderHistorySize(byte[] header) {
        try (BytePointer in = new BytePointer(header)) {
            return LbfgsbNative.Minimizer.stateHeaderHistorySize(in, header.length);
        }
    }

    // ---- objective redefinition at an iteration boundary ----

    /** Points (and gradients) in the history at a new iterate, the current one last. */
    public int historyCount() {
        ensureOpen();
        try {
            return minimizer.historyCount();
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Writes history point i (n doubles) into {@code out} (direct, native order). */
    public void historyPoint(int i, DoubleBuffer out) {
        ensureOpen();
        try (DoublePointer p = new DoublePointer(out.slice())) {
            minimizer.historyPoint(i, p);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Writes the gradient at history point i into {@code out} (direct, native order). */
    public void historyGradient(int i, DoubleBuffer out) {
        ensureOpen();
        try (DoublePointer p = new DoublePointer(out.slice())) {
            minimizer.historyGradient(i, p);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    public void beginRedefinition() {
        ensureOpen();
        try {
            minimizer.beginRedefinition();
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** The new gradient at history point i (n doubles, direct, native order), in increasing i. */
    public void redefineGradient(int i, DoubleBuffer gradient) {
        ensureOpen();
        try (DoublePointer p = new DoublePointer(gradient.slice())) {
            minimizer.redefineGradient(i, p);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** @return the number of correction pairs kept */
    public int endRedefinition(double f, double fPrevious) {
        ensureOpen();
        try {
            return minimizer.endRedefinition(f, fPrevious);
        } catch (RuntimeException e) {
            throw callOutOfOrder(e);
        }
    }

    /** Frees the native minimizer now; later calls do nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            freeMinimizer.clean();
            minimizer.setNull();
            Reference.reachabilityFence(callerX);
        }
    }
}
