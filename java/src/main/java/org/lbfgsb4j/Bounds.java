package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * Box constraints {@code lower[i] <= x[i] <= upper[i]} for the n variables of a problem.
 *
 * <p>An infinite entry means "no bound": {@code -Infinity} as a lower bound, {@code +Infinity} as an
 * upper bound. A variable with {@code lower[i] == upper[i]} is fixed at that value. This is
 * SciPy's {@code bounds} argument ({@code (lo, hi)} pairs or {@code scipy.optimize.Bounds}, where
 * {@code None} is an infinite entry here); L-BFGS-B's {@code nbd} codes are derived from it.
 *
 * <p>Instances are immutable. Factories that take arrays copy them, so changing an array after the
 * call changes nothing. {@link #box} and {@link #unbounded} store two scalars, not n-length arrays,
 * so they cost O(1) memory even for n = 10<sup>8</sup>.
 *
 * <p>Every factory rejects, with an {@link IllegalArgumentException} naming the argument, its value
 * and the rule: n &lt;= 0, a {@code null} array, arrays of different lengths, a NaN entry, a lower
 * bound of {@code +Infinity} or an upper bound of {@code -Infinity} (no point satisfies them), and
 * {@code lower[i] > upper[i]}.
 *
 * <p>A starting point outside the box is projected onto it before the first evaluation, as SciPy
 * does; {@link LbfgsbResult#x0Projected()} reports whether that happened.
 */
public final class Bounds {

    /** Arrays longer than this are summarized, not printed in full, by {@link #toString()}. */
    private static final int PRINT_LIMIT = 8;
    /** Length of the block used to fill buffers for scalar bounds. */
    private static final int FILL_BLOCK = 4096;

    private final int n;
    /** The lower bounds, or {@code null} when every lower bound equals {@link #lowerValue}. */
    private final double[] lowerArray;
    private final double lowerValue;
    /** The upper bounds, or {@code null} when every upper bound equals {@link #upperValue}. */
    private final double[] upperArray;
    private final double upperValue;
    private final boolean unbounded;
    private final boolean hasFixed;

    private Bounds(int n, double[] lowerArray, double lowerValue, double[] upperArray, double upperValue,
            boolean unbounded, boolean hasFixed) {
        this.n = n;
        this.lowerArray = lowerArray;
        this.lowerValue = lowerValue;
        this.upperArray = upperArray;
        this.upperValue = upperValue;
        this.unbounded = unbounded;
        this.hasFixed = hasFixed;
    }

    /** Bounds with a scalar on each side; checks nothing. */
    private static Bounds scalars(int n, double lo, double hi) {
        return new Bounds(n, null, lo, null, hi,
                lo == Double.NEGATIVE_INFINITY && hi == Double.POSITIVE_INFINITY, lo == hi);
    }

    /**
     * No bounds on any of the n variables (every lower bound {@code -Infinity}, every upper bound
     * {@code +Infinity}): SciPy's {@code bounds=None}. O(1) memory.
     *
     * @param n the number of variables, {@code > 0}
     * @return unbounded bounds of size n
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public static Bounds unbounded(int n) {
        requirePositiveSize("n", n);
        return scalars(n, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * The same interval {@code [lo, hi]} for each of the n variables. O(1) memory: no n-length array
     * is allocated.
     *
     * @param n the number of variables, {@code > 0}
     * @param lo the lower bound of every variable; {@code -Infinity} for none; not NaN, not
     *     {@code +Infinity}
     * @param hi the upper bound of every variable; {@code +Infinity} for none; not NaN, not
     *     {@code -Infinity}; {@code >= lo}
     * @return the box {@code [lo, hi]^n}
     * @throws IllegalArgumentException if a rule above is broken
     */
    public static Bounds box(int n, double lo, double hi) {
        requirePositiveSize("n", n);
        checkLower("lo", lo);
        checkUpper("hi", hi);
        if (lo > hi) {
            throw new IllegalArgumentException(
                    "lo = " + lo + " > hi = " + hi + ": lower bound must be <= upper bound");
        }
        return scalars(n, lo, hi);
    }

    /**
     * Per-variable bounds {@code lower[i] <= x[i] <= upper[i]}. Both arrays are copied.
     *
     * @param lower the lower bounds; {@code -Infinity} for none; not NaN, not {@code +Infinity}
     * @param upper the upper bounds; {@code +Infinity} for none; not NaN, not {@code -Infinity}
     * @return the bounds, of size {@code lower.length}
     * @throws IllegalArgumentException if an array is null or empty, the lengths differ, or an entry
     *     breaks a rule above or {@code lower[i] <= upper[i]}
     */
    public static Bounds of(double[] lower, double[] upper) {
        requireNonNull("lower", lower);
        requireNonNull("upper", upper);
        if (lower.length != upper.length) {
            throw new IllegalArgumentException("lower.length = " + lower.length + " != upper.length = "
                    + upper.length + ": lengths must be equal");
        }
        requirePositiveSize("lower.length", lower.length);
        // Validate the copies: the caller cannot change them between the check and the use.
        double[] lo = lower.clone();
        double[] hi = upper.clone();
        boolean unbounded = true;
        boolean fixed = false;
        for (int i = 0; i < lo.length; i++) { // one pass: checks and flags
            checkLower(lo, i);
            checkUpper(hi, i);
            if (lo[i] > hi[i]) {
                throw new IllegalArgumentException("lower[" + i + "] = " + lo[i] + " > upper[" + i + "] = "
                        + hi[i] + ": lower bound must be <= upper bound");
            }
            unbounded &= lo[i] == Double.NEGATIVE_INFINITY & hi[i] == Double.POSITIVE_INFINITY;
            fixed |= lo[i] == hi[i];
        }
        return new Bounds(lo.length, lo, 0.0, hi, 0.0, unbounded, fixed);
    }

    /**
     * Lower bounds only: {@code lower[i] <= x[i]}, every upper bound {@code +Infinity}. The array is
     * copied; the upper side costs O(1) memory.
     *
     * @param lower the lower bounds; {@code -Infinity} for none; not NaN, not {@code +Infinity}
     * @return the bounds, of size {@code lower.length}
     * @throws IllegalArgumentException if the array is null or empty or an entry breaks a rule
     */
    public static Bounds lowerOnly(double[] lower) {
        requireNonNull("lower", lower);
        requirePositiveSize("lower.length", lower.length);
        double[] lo = lower.clone();
        boolean unbounded = true;
        for (int i = 0; i < lo.length; i++) {
            checkLower(lo, i);
            unbounded &= lo[i] == Double.NEGATIVE_INFINITY;
        }
        // No lower bound is +Infinity, so none equals its upper bound: no variable is fixed.
        return new Bounds(lo.length, lo, 0.0, null, Double.POSITIVE_INFINITY, unbounded, false);
    }

    /**
     * Upper bounds only: {@code x[i] <= upper[i]}, every lower bound {@code -Infinity}. The array is
     * copied; the lower side costs O(1) memory.
     *
     * @param upper the upper bounds; {@code +Infinity} for none; not NaN, not {@code -Infinity}
     * @return the bounds, of size {@code upper.length}
     * @throws IllegalArgumentException if the array is null or empty or an entry breaks a rule
     */
    public static Bounds upperOnly(double[] upper) {
        requireNonNull("upper", upper);
        requirePositiveSize("upper.length", upper.length);
        double[] hi = upper.clone();
        boolean unbounded = true;
        for (int i = 0; i < hi.length; i++) {
            checkUpper(hi, i);
            unbounded &= hi[i] == Double.POSITIVE_INFINITY;
        }
        return new Bounds(hi.length, null, Double.NEGATIVE_INFINITY, hi, 0.0, unbounded, false);
    }

    /**
     * The number of variables n.
     *
     * @return n, {@code > 0}
     */
    public int size() {
        return n;
    }

    /**
     * The lower bound of variable i; {@code -Infinity} means none.
     *
     * @param i the index, {@code 0 <= i < size()}
     * @return the lower bound of x[i]
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public double lower(int i) {
        checkIndex(i);
        return lowerArray == null ? lowerValue : lowerArray[i];
    }

    /**
     * The upper bound of variable i; {@code +Infinity} means none.
     *
     * @param i the index, {@code 0 <= i < size()}
     * @return the upper bound of x[i]
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public double upper(int i) {
        checkIndex(i);
        return upperArray == null ? upperValue : upperArray[i];
    }

    /**
     * Whether variable i is fixed: {@code lower(i) == upper(i)}. L-BFGS-B never moves a fixed
     * variable from its bound.
     *
     * @param i the index, {@code 0 <= i < size()}
     * @return whether x[i] is fixed
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public boolean isFixed(int i) {
        return lower(i) == upper(i);
    }

    /**
     * Whether no variable has a bound: every lower bound is {@code -Infinity} and every upper bound
     * {@code +Infinity}. O(1) (computed once at construction).
     *
     * @return whether these bounds constrain nothing
     */
    public boolean isUnbounded() {
        return unbounded;
    }

    /**
     * Whether some variable is fixed ({@code lower(i) == upper(i)}). O(1) (computed at construction).
     *
     * @return whether at least one variable is fixed
     */
    public boolean hasFixedVariables() {
        return hasFixed;
    }

    /**
     * Whether x satisfies every bound. A point outside is projected onto the box before the first
     * evaluation, so this is only needed to know whether that will happen.
     *
     * @param x a point of length {@link #size()}; NaN entries are outside
     * @return whether {@code lower(i) <= x[i] <= upper(i)} for every i
     * @throws IllegalArgumentException if x is null or its length is not {@link #size()}
     */
    public boolean contains(double[] x) {
        requireNonNull("x", x);
        if (x.length != n) {
            throw new IllegalArgumentException("x.length = " + x.length + ": must equal size() = " + n);
        }
        for (int i = 0; i < n; i++) {
            double lo = lowerArray == null ? lowerValue : lowerArray[i];
            double hi = upperArray == null ? upperValue : upperArray[i];
            if (!(lo <= x[i] && x[i] <= hi)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A new array holding the n lower bounds. Allocates n doubles on every call.
     *
     * @return a copy of the lower bounds
     */
    public double[] toLowerArray() {
        if (lowerArray != null) {
            return lowerArray.clone();
        }
        double[] a = new double[n];
        Arrays.fill(a, lowerValue);
        return a;
    }

    /**
     * A new array holding the n upper bounds. Allocates n doubles on every call.
     *
     * @return a copy of the upper bounds
     */
    public double[] toUpperArray() {
        if (upperArray != null) {
            return upperArray.clone();
        }
        double[] a = new double[n];
        Arrays.fill(a, upperValue);
        return a;
    }

    /**
     * Writes the n lower and the n upper bounds at indices 0..n-1 of the given buffers (absolute
     * puts: positions and limits are not changed). Bulk copies for arrays, block fills for scalars,
     * so it is fast for n = 10<sup>8</sup>.
     *
     * @param lower receives the lower bounds; limit {@code >= size()}
     * @param upper receives the upper bounds; limit {@code >= size()}
     * @throws IllegalArgumentException if a buffer is null or its limit is {@code < size()}
     * @throws java.nio.ReadOnlyBufferException if a buffer is read-only
     */
    void writeTo(DoubleBuffer lower, DoubleBuffer upper) {
        requireNonNull("lower", lower);
        requireNonNull("upper", upper);
        requireRoom("lower", lower);
        requireRoom("upper", upper);
        write(lower, lowerArray, lowerValue);
        write(upper, upperArray, upperValue);
    }

    private void write(DoubleBuffer out, double[] array, double value) {
        if (array != null) {
            out.put(0, array);
            return;
        }
        double[] block = new double[Math.min(n, FILL_BLOCK)];
        Arrays.fill(block, value);
        for (int i = 0; i < n; i += block.length) {
            out.put(i, block, 0, Math.min(block.length, n - i));
        }
    }

    private void requireRoom(String name, DoubleBuffer buffer) {
        if (buffer.limit() < n) {
            throw new IllegalArgumentException(
                    name + ".limit() = " + buffer.limit() + ": must be >= size() = " + n);
        }
    }

    /**
     * Equal when both have the same size and the same bounds, whatever the factory
     * ({@code box(3, 0, 1)} equals {@code of(new double[3], new double[] {1, 1, 1})}). Bounds are
     * compared with {@code ==}, so {@code -0.0} equals {@code 0.0}. O(n) at worst; O(1) for two
     * scalar sides.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Bounds)) {
            return false;
        }
        Bounds b = (Bounds) o;
        if (n != b.n || unbounded != b.unbounded || hasFixed != b.hasFixed) {
            return false;
        }
        return sameSide(lowerArray, lowerValue, b.lowerArray, b.lowerValue)
                && sameSide(upperArray, upperValue, b.upperArray, b.upperValue);
    }

    private boolean sameSide(double[] a, double av, double[] b, double bv) {
        if (a == null && b == null) {
            return av == bv;
        }
        for (int i = 0; i < n; i++) {
            if ((a == null ? av : a[i]) != (b == null ? bv : b[i])) {
                return false;
            }
        }
        return true;
    }

    /** O(1): hashes n and the bounds at the first, middle and last index (consistent with equals). */
    @Override
    public int hashCode() {
        int h = n;
        for (int i : new int[] {0, n / 2, n - 1}) {
            h = 31 * h + Double.hashCode(lower(i) + 0.0); // + 0.0 maps -0.0 to 0.0, as == does
            h = 31 * h + Double.hashCode(upper(i) + 0.0);
        }
        return h;
    }

    /**
     * A summary that never prints more than a few values, e.g.
     * {@code Bounds{n=100000000, lower=all 0.0, upper=all 1.0}} or
     * {@code Bounds{n=1000, lower=[0.0, 0.0, 0.0, 0.0, ..., 0.0, 0.0], upper=all Infinity}}.
     */
    @Override
    public String toString() {
        if (unbounded) {
            return "Bounds{n=" + n + ", unbounded}";
        }
        return "Bounds{n=" + n + ", lower=" + side(lowerArray, lowerValue) + ", upper="
                + side(upperArray, upperValue) + (hasFixed ? ", has fixed variables" : "") + "}";
    }

    private String side(double[] array, double value) {
        if (array == null) {
            return "all " + value;
        }
        return summarize(array.length, i -> array[i]);
    }

    /**
     * {@code [a0, a1, ...]} for at most {@value #PRINT_LIMIT} values, else the first four, "...",
     * and the last two. Shared by the toString methods of this package.
     *
     * @param length the number of values
     * @param at the value at an index
     * @return the summary
     */
    static String summarize(int length, java.util.function.IntToDoubleFunction at) {
        StringBuilder s = new StringBuilder("[");
        boolean shorten = length > PRINT_LIMIT;
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                s.append(", ");
            }
            if (shorten && i == 4) {
                s.append("..., ");
                i = length - 2; // skip to the last two values
            }
            s.append(at.applyAsDouble(i));
        }
        return s.append(']').toString();
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("i = " + i + ": must be in [0, " + n + ")");
        }
    }

    private static void requireNonNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " = null: must not be null");
        }
    }

    private static void requirePositiveSize(String name, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException(name + " = " + n + ": must be > 0");
        }
    }

    private static void checkLower(String name, double lo) {
        if (Double.isNaN(lo)) {
            throw new IllegalArgumentException(name + " = NaN: must not be NaN");
        }
        if (lo == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(name + " = Infinity: a lower bound of +Infinity is infeasible"
                    + " (use -Infinity for no lower bound)");
        }
    }

    private static void checkUpper(String name, double hi) {
        if (Double.isNaN(hi)) {
            throw new IllegalArgumentException(name + " = NaN: must not be NaN");
        }
        if (hi == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(name + " = -Infinity: an upper bound of -Infinity is infeasible"
                    + " (use +Infinity for no upper bound)");
        }
    }

    private static void checkLower(double[] lower, int i) {
        double v = lower[i];
        if (Double.isNaN(v) || v == Double.POSITIVE_INFINITY) {
            checkLower("lower[" + i + "]", v); // builds the name only on failure
        }
    }

    private static void checkUpper(double[] upper, int i) {
        double v = upper[i];
        if (Double.isNaN(v) || v == Double.NEGATIVE_INFINITY) {
            checkUpper("upper[" + i + "]", v);
        }
    }
}
