package org.lbfgsb4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeSession;

/**
 * The complete state of an L-BFGS-B run: x, f, the gradient, the bounds, the correction pairs in
 * their order, θ, the compact-representation matrices and their factorizations, every counter,
 * and the line-search state when the run stands inside a line search. Resuming from it
 * ({@link Lbfgsb#resume}, {@link Minimization#resume}) continues bit for bit as if the run had
 * never stopped, with cumulative counters.
 *
 * <p>Immutable; held off-heap in direct buffers (as large as the solver's own workspace, about
 * (2m + 9) n doubles), released by the garbage collector.
 *
 * <h2>File format, version 1</h2>
 * All integers little-endian.
 * <pre>
 *   "LBFGSB4J"                 8 bytes, magic
 *   u32 format version         1
 *   u32 segment count          k
 *   u64 header length          h
 *   header                     h bytes: the native state header (magic "LBFGSB4S", its own
 *                              version, then every scalar of the run as 8-byte fields, in the
 *                              order of native/src/checkpoint.cpp)
 *   k times:                   u16 name length, name (UTF-8), u64 size s, s bytes of the array
 *   u32 CRC-32C                of every byte before it
 *   "LBFGSEND"                 8 bytes
 * </pre>
 * {@link #writeTo(Path)} is atomic: it writes a temporary file in the same directory, forces it
 * to disk and renames it over the target, so a kill at any moment leaves the previous file
 * intact. {@link #readFrom(Path)} refuses truncated, corrupt, foreign and other-version files
 * with a {@link CheckpointFormatException} saying what is wrong.
 */
public final class Checkpoint {
    /** The file format version this library writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC = "LBFGSB4J".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "LBFGSEND".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 1 << 30;

    // Positions of scalars in the native header: 3 preamble fields, then visit_scalars()'s order.
    private static final int PREAMBLE = 3;
    static final int FIELD_N = 0;
    static final int FIELD_HISTORY_SIZE = 1;
    static final int FIELD_HEAD = 31;
    static final int FIELD_COL = 32;
    static final int FIELD_IUPDAT = 34;
    static final int FIELD_THETA = 37;
    static final int FIELD_F = 48;
    static final int FIELD_PHASE = 69;
    static final int FIELD_STATUS = 71;
    static final int FIELD_EVALUATIONS = 72;
    static final int FIELD_ITERATIONS = 73;
    private static final int PHASE_NEW_ITERATE = 3;
    private static final int PHASE_FINISHED = 4;

    private final byte[] header;
    private final List<Segment> segments;

    /** One array of the state, in chunks of at most 1 GiB (read-only; on the heap for small states, else direct). */
    static final class Segment {
        final String name;
        final long size;
        final ByteBuffer[] chunks;

        Segment(String name, long size, ByteBuffer[] chunks) {
            this.name = name;
            this.size = size;
            this.chunks = chunks;
        }
    }

    private Checkpoint(byte[] header, List<Segment> segments) {
        this.header = header;
        this.segments = Collections.unmodifiableList(segments);
    }

    // ---- capture and restore (package-private: the drivers use them) ----

    /** Copies the complete state of a session. */
    static Checkpoint capture(NativeSession session) {
        return capture(session, session.stateBytes());
    }

    /** As {@link #capture(NativeSession)}, when the caller already has {@code session.stateBytes()}. */
    static Checkpoint capture(NativeSession session, long total) {
        if (total <= HEAP_STATE_LIMIT) {
            return captureOnHeap(session, total);
        }
        byte[] header = session.stateHeader();
        int count = session.stateSegmentCount();
        List<Segment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long size = session.stateSegmentSize(i);
            ByteBuffer[] chunks = allocate(size);
            long offset = 0;
            for (ByteBuffer chunk : chunks) {
                session.copySegmentOut(i, offset, chunk);
                offset += chunk.capacity();
                chunk.flip();
            }
            segments.add(new Segment(session.stateSegmentName(i), size, readOnly(chunks)));
        }
        return new Checkpoint(header, segments);
    }

    /**
     * States up to this size (the default retention limit) are captured on the Java heap: the
     * collector sees them, so dead results' states do not pile up off-heap between collections
     * (direct buffers are freed only after one, and a loop of solves allocates little heap).
     */
    static final long HEAP_STATE_LIMIT = LbfgsbOptions.DEFAULT_RETAIN_FINAL_STATE_LIMIT;

    /**
     * A state on the Java heap, copied by one native call into one array; the segments are
     * read-only slices of it. (A solve at small n retains its final state by default: this keeps
     * that to a few microseconds.)
     */
    private static Checkpoint captureOnHeap(NativeSession session, long total) {
        byte[] all = new byte[(int) total];
        long[] sizes = new long[LbfgsbNative.MAX_STATE_SEGMENTS];
        int count = session.copyStateOut(all, sizes);
        long segmentBytes = 0;
        for (int i = 0; i < count; i++) {
            segmentBytes += sizes[i];
        }
        int headerSize = (int) (total - segmentBytes);
        byte[] header = java.util.Arrays.copyOf(all, headerSize);
        List<Segment> segments = new ArrayList<>(count);
        int offset = headerSize;
        ByteBuffer readOnly = ByteBuffer.wrap(all).asReadOnlyBuffer();
        for (int i = 0; i < count; i++) {
            int size = (int) sizes[i];
            ByteBuffer chunk = readOnly.slice(offset, size).order(ByteOrder.nativeOrder());
            segments.add(new Segment(segmentName(session, i), size, new ByteBuffer[] {chunk}));
            offset += size;
        }
        return new Checkpoint(header, segments);
    }

    /** Segment names by index (the core guarantees a name depends only on its index). */
    private static final String[] SEGMENT_NAMES = new String[LbfgsbNative.MAX_STATE_SEGMENTS];

    private static String segmentName(NativeSession session, int i) {
        String name = SEGMENT_NAMES[i];
        if (name == null) {
            name = session.stateSegmentName(i);
            SEGMENT_NAMES[i] = name; // a benign race: every thread stores the same value
        }
        return name;
    }

    /**
     * A new session holding this state, ready to continue; the caller owns (and closes) it. The
     * options recorded in the checkpoint are replaced by {@code options}, whose history size must
     * equal the checkpoint's.
     *
     * @param x where x lives (a caller's direct buffer of n doubles), or null for the session's own
     */
    NativeSession restore(LbfgsbOptions options, java.nio.DoubleBuffer x) {
        if (options.historySize() != historySize()) {
            throw new IllegalArgumentException("options.historySize() = " + options.historySize()
                    + ": must equal the checkpoint's history size, " + historySize());
        }
        NativeSession session = x == null
                ? new NativeSession(size(), o -> Run.configure(o, options))
                : new NativeSession(x, o -> Run.configure(o, options));
        try {
            session.restoreStateHeader(header);
            int count = session.stateSegmentCount();
            if (count != segments.size()) {
                throw new IllegalArgumentException("the checkpoint has " + segments.size()
                        + " segments; its header calls for " + count);
            }
            for (int i = 0; i < count; i++) {
                Segment s = segments.get(i);
                if (!s.name.equals(session.stateSegmentName(i)) || s.size != session.stateSegmentSize(i)) {
                    throw new IllegalArgumentException("segment " + i + " is '" + s.name + "' of " + s.size
                            + " bytes; the header calls for '" + session.stateSegmentName(i) + "' of "
                            + session.stateSegmentSize(i) + " bytes");
                }
                long offset = 0;
                for (ByteBuffer chunk : s.chunks) {
                    ByteBuffer view = chunk.duplicate();
                    view.clear();
                    session.copySegmentIn(i, offset, view);
                    offset += chunk.capacity();
                }
            }
            session.updateOptions(o -> Run.configure(o, options));
            return session;
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    // ---- what it holds ----

    /** The number of variables n. */
    public int size() {
        return (int) field(FIELD_N);
    }

    /** The history size m the run was made with. */
    public int historySize() {
        return (int) field(FIELD_HISTORY_SIZE);
    }

    /** Iterations made so far (cumulative over resumptions). */
    public long iterations() {
        return field(FIELD_ITERATIONS);
    }

    /** Evaluations of f and g made so far (cumulative over resumptions). */
    public long evaluations() {
        return field(FIELD_EVALUATIONS);
    }

    /** f at the current x (NaN while a line-search evaluation is pending, see {@link #atIterationBoundary()}). */
    public double value() {
        return atIterationBoundary() ? Double.longBitsToDouble(field(FIELD_F)) : Double.NaN;
    }

    /** Whether the state was taken between iterations (else inside a line search). */
    public boolean atIterationBoundary() {
        long phase = field(FIELD_PHASE);
        return phase == PHASE_NEW_ITERATE || phase == PHASE_FINISHED;
    }

    /** Whether the run had already ended; {@link #termination()} then says why. */
    public boolean isFinished() {
        return field(FIELD_PHASE) == PHASE_FINISHED;
    }

    /** Why the run ended, or null while it was still running. */
    public Termination termination() {
        return isFinished() ? Termination.fromNativeStatus((int) field(FIELD_STATUS)) : null;
    }

    /** A copy of x (the current iterate, or the pending trial point inside a line search). */
    public double[] x() {
        return doubles("x");
    }

    /** A copy of the gradient at {@link #x()} (at an iteration boundary). */
    public double[] gradient() {
        return doubles("gradient");
    }

    /** The size of the state in bytes (header and arrays; the file adds a few hundred bytes). */
    public long byteSize() {
        long total = header.length;
        for (Segment s : segments) {
            total += s.size;
        }
        return total;
    }

    long field(int index) {
        return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * (PREAMBLE + index));
    }

    /** Whether every segment is held on the Java heap (states up to {@link #HEAP_STATE_LIMIT}). */
    boolean isOnHeap() {
        for (Segment s : segments) {
            for (ByteBuffer chunk : s.chunks) {
                if (chunk.isDirect()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Segment {@code name} as doubles (for the inverse-Hessian operator and accessors). */
    double[] doubles(String name) {
        Segment s = segment(name);
        double[] out = new double[(int) (s.size / Double.BYTES)];
        int at = 0;
        for (ByteBuffer chunk : s.chunks) {
            java.nio.DoubleBuffer d = chunk.duplicate().order(ByteOrder.nativeOrder()).clear().asDoubleBuffer();
            int len = d.remaining();
            d.get(out, at, len);
            at += len;
        }
        return out;
    }

    /** Column {@code slot} (n doubles) of the S or Y segment. */
    double[] column(String name, int slot) {
        Segment s = segment(name);
        int n = size();
        double[] out = new double[n];
        long start = (long) slot * n * Double.BYTES;
        for (int i = 0; i < n; i++) {
            long at = start + (long) i * Double.BYTES;
            ByteBuffer chunk = s.chunks[(int) (at / CHUNK)];
            out[i] = chunk.duplicate().order(ByteOrder.nativeOrder()).getDouble((int) (at % CHUNK));
        }
        return out;
    }

    private Segment segment(String name) {
        for (Segment s : segments) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        throw new IllegalStateException("the checkpoint has no segment '" + name + "'");
    }

    // ---- files ----

    /**
     * Writes this checkpoint to {@code file}, atomically: the previous file, if any, stays intact
     * until the new one is complete on disk.
     */
    public void writeTo(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file = null: must not be null");
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, target.getFileName().toString() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                CRC32C crc = new CRC32C();
                ByteBuffer head = ByteBuffer.allocate(24 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.put(MAGIC).putInt(FORMAT_VERSION).putInt(segments.size()).putLong(header.length).put(header).flip();
                write(ch, head, crc);
                for (Segment s : segments) {
                    byte[] name = s.name.getBytes(StandardCharsets.UTF_8);
                    ByteBuffer meta = ByteBuffer.allocate(2 + name.length + 8).order(ByteOrder.LITTLE_ENDIAN);
                    meta.putShort((short) name.length).put(name).putLong(s.size).flip();
                    write(ch, meta, crc);
                    for (ByteBuffer chunk : s.chunks) {
                        write(ch, chunk.duplicate().clear(), crc);
                    }
                }
                ByteBuffer tail = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
                tail.putInt((int) crc.getValue()).put(END).flip();
                while (tail.hasRemaining()) {
                    ch.write(tail);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Reads a checkpoint written by {@link #writeTo(Path)}.
     *
     * @throws CheckpointFormatException when the file is truncated, corrupt (checksum), not a
     *     checkpoint, or of another format version
     */
    public static Checkpoint readFrom(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file = null: must not be null");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            CRC32C crc = new CRC32C();
            ByteBuffer head = read(ch, 24, crc, file, "the preamble");
            byte[] magic = new byte[8];
            head.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new CheckpointFormatException(file + " is not an lbfgsb4j checkpoint (no LBFGSB4J magic)");
            }
            int version = head.getInt();
            if (version != FORMAT_VERSION) {
                throw new CheckpointFormatException(file + " has checkpoint format version " + version
                        + "; this lbfgsb4j reads version " + FORMAT_VERSION);
            }
            int count = head.getInt();
            long headerLength = head.getLong();
            if (count < 0 || count > 64 || headerLength < 0 || headerLength > 1 << 20) {
                throw new CheckpointFormatException(file + " is corrupt (" + count + " segments, header of "
                        + headerLength + " bytes)");
            }
            byte[] header = new byte[(int) headerLength];
            read(ch, (int) headerLength, crc, file, "the state header").get(header);
            List<Segment> segments = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int nameLength = Short.toUnsignedInt(read(ch, 2, crc, file, "segment " + i).getShort());
                byte[] name = new byte[nameLength];
                read(ch, nameLength, crc, file, "segment " + i).get(name);
                long size = read(ch, 8, crc, file, "segment " + i).getLong();
                if (size < 0 || ch.position() + size > length) {
                    throw truncated(file, length, ch.position() + Math.max(0, size));
                }
                ByteBuffer[] chunks = allocate(size);
                for (ByteBuffer chunk : chunks) {
                    while (chunk.hasRemaining()) {
                        if (ch.read(chunk) < 0) {
                            throw truncated(file, length, ch.position() + chunk.remaining());
                        }
                    }
                    chunk.flip();
                    crc.update(chunk.duplicate());
                }
                segments.add(new Segment(new String(name, StandardCharsets.UTF_8), size, readOnly(chunks)));
            }
            int expectedCrc = (int) crc.getValue();
            ByteBuffer tail = read(ch, 12, null, file, "the checksum");
            int storedCrc = tail.getInt();
            byte[] end = new byte[8];
            tail.get(end);
            if (storedCrc != expectedCrc) {
                throw new CheckpointFormatException(file + " is corrupt: CRC-32C " + Integer.toHexString(storedCrc)
                        + " stored, " + Integer.toHexString(expectedCrc) + " computed");
            }
            if (!java.util.Arrays.equals(end, END) || ch.position() != length) {
                throw new CheckpointFormatException(file + " is corrupt: bad end marker or trailing bytes");
            }
            if (NativeSession.stateHeaderSize(header) < 0) {
                throw new CheckpointFormatException(file + " holds a state header this lbfgsb4j cannot read"
                        + " (foreign or other native state version)");
            }
            return new Checkpoint(header, segments);
        }
    }

    private static void write(FileChannel ch, ByteBuffer b, CRC32C crc) throws IOException {
        crc.update(b.duplicate());
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static ByteBuffer read(FileChannel ch, int count, CRC32C crc, Path file, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new CheckpointFormatException(file + " is truncated: it ends inside " + what
                        + " (" + ch.size() + " bytes)");
            }
        }
        b.flip();
        if (crc != null) {
            crc.update(b.duplicate());
        }
        return b;
    }

    private static CheckpointFormatException truncated(Path file, long length, long needed) {
        return new CheckpointFormatException(file + " is truncated: " + length + " bytes, at least " + needed + " needed");
    }

    private static ByteBuffer[] allocate(long size) {
        int count = (int) ((size + CHUNK - 1) / CHUNK);
        ByteBuffer[] chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long left = size - (long) i * CHUNK;
            chunks[i] = ByteBuffer.allocateDirect((int) Math.min(CHUNK, left)).order(ByteOrder.nativeOrder());
        }
        return chunks;
    }

    private static ByteBuffer[] readOnly(ByteBuffer[] chunks) {
        ByteBuffer[] out = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            out[i] = chunks[i].asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        }
        return out;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[n=" + size() + ", m=" + historySize() + ", iterations=" + iterations() + ", evaluations="
                + evaluations() + (isFinished() ? ", " + termination() : atIterationBoundary() ? ", between iterations"
                : ", inside a line search") + ", " + byteSize() + " bytes]";
    }
}
