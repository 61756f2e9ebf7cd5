package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BoundsTest {

    private static final double INF = Double.POSITIVE_INFINITY;
    /** A size whose n-length double arrays (16 GiB) cannot be allocated by a test JVM. */
    private static final int HUGE_N = Integer.MAX_VALUE - 8;
    /** Longer than the 4096-value fill block of writeTo, and not a multiple of it. */
    private static final int MULTI_BLOCK_N = 10_007;
    /** Upper limit on the length of a summarizing toString. */
    private static final int SHORT_STRING = 200;

    private static void assertRejected(Executable call, String expectedMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expectedMessage, e.getMessage());
    }

    private static void assertRejectedStartingWith(Executable call, String expectedPrefix) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expectedPrefix), () -> "message was: " + e.getMessage());
    }

    // ---- factories and accessors ----

    @Test
    void unboundedHasInfiniteBoundsEverywhere() {
        Bounds b = Bounds.unbounded(3);
        assertEquals(3, b.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(-INF, b.lower(i));
            assertEquals(INF, b.upper(i));
            assertFalse(b.isFixed(i));
        }
        assertTrue(b.isUnbounded());
        assertFalse(b.hasFixedVariables());
    }

    @Test
    void boxGivesTheSameIntervalToEveryVariable() {
        Bounds b = Bounds.box(4, -1.0, 2.0);
        assertEquals(4, b.size());
        assertArrayEquals(new double[] {-1, -1, -1, -1}, b.toLowerArray());
        assertArrayEquals(new double[] {2, 2, 2, 2}, b.toUpperArray());
        assertFalse(b.isUnbounded());
        assertFalse(b.hasFixedVariables());
        assertTrue(Bounds.box(2, 3.0, 3.0).hasFixedVariables());
        assertTrue(Bounds.box(2, -INF, INF).isUnbounded());
    }

    @Test
    void ofKeepsPerVariableBounds() {
        Bounds b = Bounds.of(new double[] {0, -INF, 1}, new double[] {1, 5, 1});
        assertEquals(3, b.size());
        assertEquals(0.0, b.lower(0));
        assertEquals(-INF, b.lower(1));
        assertEquals(5.0, b.upper(1));
        assertTrue(b.isFixed(2));
        assertFalse(b.isFixed(0));
        assertTrue(b.hasFixedVariables());
        assertFalse(b.isUnbounded());
        assertTrue(Bounds.of(new double[] {-INF, -INF}, new double[] {INF, INF}).isUnbounded());
    }

    @Test
    void lowerOnlyAndUpperOnlyLeaveTheOtherSideInfinite() {
        Bounds lo = Bounds.lowerOnly(new double[] {0, 1});
        assertArrayEquals(new double[] {0, 1}, lo.toLowerArray());
        assertArrayEquals(new double[] {INF, INF}, lo.toUpperArray());
        Bounds hi = Bounds.upperOnly(new double[] {0, 1});
        assertArrayEquals(new double[] {-INF, -INF}, hi.toLowerArray());
        assertArrayEquals(new double[] {0, 1}, hi.toUpperArray());
        assertFalse(lo.hasFixedVariables());
        assertTrue(Bounds.lowerOnly(new double[] {-INF}).isUnbounded());
    }

    @Test
    void indexOutOfRangeIsRejected() {
        Bounds b = Bounds.box(3, 0, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> b.lower(3));
        assertThrows(IndexOutOfBoundsException.class, () -> b.upper(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> Bounds.of(new double[2], new double[2]).lower(2));
    }

    @Test
    void containsTellsWhetherAPointIsInsideTheBox() {
        Bounds b = Bounds.of(new double[] {0, -INF}, new double[] {1, 0});
        assertTrue(b.contains(new double[] {0, -1e300}));
        assertTrue(b.contains(new double[] {1, 0}));
        assertFalse(b.contains(new double[] {1.5, 0}));
        assertFalse(b.contains(new double[] {Double.NaN, 0}));
        assertRejected(() -> b.contains(new double[3]), "x.length = 3: must equal size() = 2");
        assertRejected(() -> b.contains(null), "x = null: must not be null");
    }

    // ---- validation: every rule, with name, value and rule in the message ----

    @Test
    void sizeMustBePositive() {
        assertRejected(() -> Bounds.unbounded(0), "n = 0: must be > 0");
        assertRejected(() -> Bounds.unbounded(-3), "n = -3: must be > 0");
        assertRejected(() -> Bounds.box(0, 0, 1), "n = 0: must be > 0");
        assertRejected(() -> Bounds.of(new double[0], new double[0]), "lower.length = 0: must be > 0");
        assertRejected(() -> Bounds.lowerOnly(new double[0]), "lower.length = 0: must be > 0");
        assertRejected(() -> Bounds.upperOnly(new double[0]), "upper.length = 0: must be > 0");
    }

    @Test
    void arraysMustNotBeNull() {
        assertRejected(() -> Bounds.of(null, new double[1]), "lower = null: must not be null");
        assertRejected(() -> Bounds.of(new double[1], null), "upper = null: must not be null");
        assertRejected(() -> Bounds.lowerOnly(null), "lower = null: must not be null");
        assertRejected(() -> Bounds.upperOnly(null), "upper = null: must not be null");
    }

    @Test
    void arrayLengthsMustBeEqual() {
        assertRejected(() -> Bounds.of(new double[3], new double[4]),
                "lower.length = 3 != upper.length = 4: lengths must be equal");
    }

    @Test
    void nanIsRejectedWithItsIndex() {
        double[] lower = {0, 0, 0, Double.NaN};
        double[] upper = {1, 1, 1, 1};
        assertRejected(() -> Bounds.of(lower, upper), "lower[3] = NaN: must not be NaN");
        assertRejected(() -> Bounds.of(upper.clone(), new double[] {1, Double.NaN, 1, 1}),
                "upper[1] = NaN: must not be NaN");
        assertRejected(() -> Bounds.lowerOnly(new double[] {Double.NaN}), "lower[0] = NaN: must not be NaN");
        assertRejected(() -> Bounds.upperOnly(new double[] {0, Double.NaN}), "upper[1] = NaN: must not be NaN");
        assertRejected(() -> Bounds.box(2, Double.NaN, 1), "lo = NaN: must not be NaN");
        assertRejected(() -> Bounds.box(2, 0, Double.NaN), "hi = NaN: must not be NaN");
    }

    @Test
    void lowerAboveUpperIsRejectedWithBothValues() {
        assertRejected(() -> Bounds.of(new double[] {0, 0, 5}, new double[] {1, 1, 1}),
                "lower[2] = 5.0 > upper[2] = 1.0: lower bound must be <= upper bound");
        assertRejected(() -> Bounds.box(2, 5, 1), "lo = 5.0 > hi = 1.0: lower bound must be <= upper bound");
    }

    @Test
    void infeasibleInfiniteBoundsAreRejected() {
        assertRejectedStartingWith(() -> Bounds.of(new double[] {0, INF}, new double[] {1, INF}),
                "lower[1] = Infinity: a lower bound of +Infinity is infeasible");
        assertRejectedStartingWith(() -> Bounds.of(new double[] {-INF}, new double[] {-INF}),
                "upper[0] = -Infinity: an upper bound of -Infinity is infeasible");
        assertRejectedStartingWith(() -> Bounds.lowerOnly(new double[] {INF}),
                "lower[0] = Infinity: a lower bound of +Infinity is infeasible");
        assertRejectedStartingWith(() -> Bounds.upperOnly(new double[] {-INF}),
                "upper[0] = -Infinity: an upper bound of -Infinity is infeasible");
        assertRejectedStartingWith(() -> Bounds.box(1, INF, INF),
                "lo = Infinity: a lower bound of +Infinity is infeasible");
        assertRejectedStartingWith(() -> Bounds.box(1, -INF, -INF),
                "hi = -Infinity: an upper bound of -Infinity is infeasible");
    }

    // ---- defensive copies ----

    @Test
    void changingTheCallersArraysAfterConstructionChangesNothing() {
        double[] lower = {0, 1};
        double[] upper = {2, 3};
        Bounds b = Bounds.of(lower, upper);
        Bounds lo = Bounds.lowerOnly(lower);
        Bounds hi = Bounds.upperOnly(upper);
        lower[0] = -7;
        upper[1] = 99;
        assertEquals(0.0, b.lower(0));
        assertEquals(3.0, b.upper(1));
        assertEquals(0.0, lo.lower(0));
        assertEquals(3.0, hi.upper(1));
    }

    @Test
    void changingReturnedArraysChangesNothing() {
        Bounds b = Bounds.of(new double[] {0, 1}, new double[] {2, 3});
        b.toLowerArray()[0] = 42;
        b.toUpperArray()[0] = 42;
        Bounds box = Bounds.box(2, 0, 1);
        box.toLowerArray()[0] = 42;
        assertEquals(0.0, b.lower(0));
        assertEquals(2.0, b.upper(0));
        assertEquals(0.0, box.lower(0));
    }

    // ---- equality ----

    @Test
    void equalityIgnoresHowTheBoundsWereMade() {
        Bounds box = Bounds.box(3, 0, 1);
        Bounds arrays = Bounds.of(new double[3], new double[] {1, 1, 1});
        assertEquals(box, arrays);
        assertEquals(arrays, box);
        assertEquals(box.hashCode(), arrays.hashCode());
        assertEquals(Bounds.unbounded(2), Bounds.of(new double[] {-INF, -INF}, new double[] {INF, INF}));
        assertEquals(Bounds.unbounded(2).hashCode(),
                Bounds.lowerOnly(new double[] {-INF, -INF}).hashCode());
        assertEquals(Bounds.lowerOnly(new double[] {0, 0}), Bounds.box(2, 0, INF));
        assertEquals(Bounds.upperOnly(new double[] {0, 0}), Bounds.box(2, -INF, 0));
    }

    @Test
    void negativeZeroBoundEqualsZeroBound() {
        Bounds neg = Bounds.of(new double[] {-0.0}, new double[] {1});
        Bounds pos = Bounds.box(1, 0.0, 1);
        assertEquals(neg, pos);
        assertEquals(neg.hashCode(), pos.hashCode());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(neg.lower(0)),
                "the stored value is the one the caller passed");
    }

    @Test
    void differentBoundsAreNotEqual() {
        assertNotEquals(Bounds.box(3, 0, 1), Bounds.box(4, 0, 1));
        assertNotEquals(Bounds.box(3, 0, 1), Bounds.box(3, 0, 2));
        assertNotEquals(Bounds.box(3, 0, 1), Bounds.of(new double[] {0, 0, 0}, new double[] {1, 2, 1}));
        assertNotEquals(Bounds.lowerOnly(new double[] {0, 1}), Bounds.upperOnly(new double[] {0, 1}));
        assertNotEquals(Bounds.box(1, 0, 1), "Bounds{n=1}");
    }

    // ---- huge n: no n-length allocation, short toString ----

    @Test
    void hugeBoxAndUnboundedAllocateNoArrays() {
        // 2 x 16 GiB if arrays were allocated: this would throw OutOfMemoryError.
        Bounds box = Bounds.box(HUGE_N, 0, 1);
        Bounds free = Bounds.unbounded(HUGE_N);
        assertEquals(HUGE_N, box.size());
        assertEquals(1.0, box.upper(HUGE_N - 1));
        assertEquals(-INF, free.lower(HUGE_N / 2));
        assertTrue(free.isUnbounded());
        assertFalse(box.hasFixedVariables());
        assertEquals(box, Bounds.box(HUGE_N, 0, 1));
        assertEquals(box.hashCode(), Bounds.box(HUGE_N, 0, 1).hashCode());
    }

    @Test
    void toStringOfAHugeBoxIsAShortSummary() {
        String s = Bounds.box(HUGE_N, 0, 1).toString();
        assertEquals("Bounds{n=" + HUGE_N + ", lower=all 0.0, upper=all 1.0}", s);
        assertEquals("Bounds{n=" + HUGE_N + ", unbounded}", Bounds.unbounded(HUGE_N).toString());
    }

    @Test
    void toStringOfLargeArraysShowsOnlyAFewValues() {
        int n = 1_000_000;
        double[] lower = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = i;
        }
        String s = Bounds.lowerOnly(lower).toString();
        assertTrue(s.length() < SHORT_STRING, s);
        assertEquals("Bounds{n=1000000, lower=[0.0, 1.0, 2.0, 3.0, ..., 999998.0, 999999.0], upper=all Infinity}", s);
    }

    @Test
    void toStringOfSmallArraysShowsAllValues() {
        assertEquals("Bounds{n=2, lower=[0.0, -Infinity], upper=[0.0, 1.0], has fixed variables}",
                Bounds.of(new double[] {0, -INF}, new double[] {0, 1}).toString());
    }

    // ---- writeTo ----

    private static DoubleBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Double.BYTES * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    static Stream<Arguments> boundsOfEveryKind() {
        int n = MULTI_BLOCK_N;
        double[] lower = new double[n];
        double[] upper = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = -i;
            upper[i] = i % 3 == 0 ? INF : i;
        }
        IntFunction<DoubleBuffer> heap = DoubleBuffer::allocate;
        IntFunction<DoubleBuffer> dir = BoundsTest::direct;
        return Stream.of(heap, dir).flatMap(alloc -> Stream.of(
                Arguments.of(Bounds.unbounded(n), alloc),
                Arguments.of(Bounds.box(n, -2.5, 7), alloc),
                Arguments.of(Bounds.of(lower, upper), alloc),
                Arguments.of(Bounds.lowerOnly(lower), alloc),
                Arguments.of(Bounds.upperOnly(upper), alloc),
                Arguments.of(Bounds.box(3, 0, 1), alloc)));
    }

    @ParameterizedTest
    @MethodSource("boundsOfEveryKind")
    void writeToFillsNEntriesOfEachBufferWithAbsolutePuts(Bounds b, IntFunction<DoubleBuffer> alloc) {
        int n = b.size();
        DoubleBuffer lower = alloc.apply(n + 2);
        DoubleBuffer upper = alloc.apply(n + 2);
        lower.put(n, 123.0).put(n + 1, 123.0);
        upper.put(n, 456.0).put(n + 1, 456.0);
        lower.position(1);
        b.writeTo(lower, upper);
        assertEquals(1, lower.position(), "positions are not changed");
        assertEquals(0, upper.position());
        double[] lo = new double[n];
        double[] hi = new double[n];
        lower.get(0, lo);
        upper.get(0, hi);
        assertArrayEquals(b.toLowerArray(), lo);
        assertArrayEquals(b.toUpperArray(), hi);
        assertEquals(123.0, lower.get(n), "nothing written past n");
        assertEquals(456.0, upper.get(n + 1));
    }

    @Test
    void writeToRejectsBuffersShorterThanN() {
        Bounds b = Bounds.box(5, 0, 1);
        assertRejected(() -> b.writeTo(DoubleBuffer.allocate(4), DoubleBuffer.allocate(5)),
                "lower.limit() = 4: must be >= size() = 5");
        assertRejected(() -> b.writeTo(DoubleBuffer.allocate(5), DoubleBuffer.allocate(5).limit(3)),
                "upper.limit() = 3: must be >= size() = 5");
        assertRejected(() -> b.writeTo(null, DoubleBuffer.allocate(5)), "lower = null: must not be null");
    }
}
