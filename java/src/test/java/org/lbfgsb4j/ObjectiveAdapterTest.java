package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectiveAdapterTest {

    /** f(x) = sum_i (x_i - i)^2, gradient 2 (x_i - i). */
    private static final ArrayObjective SHIFTED_SQUARES = (x, g) -> {
        double f = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - i;
            f += d * d;
            g[i] = 2 * d;
        }
        return f;
    };

    private static DoubleBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Double.BYTES * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    static Stream<IntFunction<DoubleBuffer>> bufferKinds() {
        return Stream.of(DoubleBuffer::allocate, ObjectiveAdapterTest::direct);
    }

    /** Stands in for {@code Lbfgsb.minimize(Objective, ...)}: only checks that no cast is needed. */
    private static Objective accept(Objective objective) {
        return objective;
    }

    @Test
    void lambdaCompilesWithoutACast() {
        Objective o = accept(Objective.fromArrays((x, g) -> {
            g[0] = 2 * x[0];
            return x[0] * x[0];
        }));
        DoubleBuffer g = DoubleBuffer.allocate(1);
        assertEquals(9.0, o.evaluate(DoubleBuffer.wrap(new double[] {3}), g));
        assertEquals(6.0, g.get(0));
    }

    @ParameterizedTest
    @MethodSource("bufferKinds")
    void roundTripsXInAndTheGradientOut(IntFunction<DoubleBuffer> alloc) {
        int n = 5;
        DoubleBuffer x = alloc.apply(n);
        DoubleBuffer g = alloc.apply(n);
        for (int i = 0; i < n; i++) {
            x.put(i, 2.0 * i + 1);
        }
        double f = Objective.fromArrays(SHIFTED_SQUARES).evaluate(x, g);
        double expectedF = 0;
        for (int i = 0; i < n; i++) {
            double d = i + 1; // x_i - i
            expectedF += d * d;
            assertEquals(2 * d, g.get(i));
            assertEquals(2.0 * i + 1, x.get(i), "x is not changed");
        }
        assertEquals(expectedF, f);
        assertEquals(0, x.position());
        assertEquals(0, g.position());
        assertEquals(n, g.limit());
    }

    @ParameterizedTest
    @MethodSource("bufferKinds")
    void readsAReadOnlyX(IntFunction<DoubleBuffer> alloc) {
        DoubleBuffer x = alloc.apply(2).put(0, 1.0).put(1, 4.0).asReadOnlyBuffer();
        DoubleBuffer g = alloc.apply(2);
        assertEquals(1.0 + 9.0, Objective.fromArrays(SHIFTED_SQUARES).evaluate(x, g));
        assertArrayEquals(new double[] {2, 6}, new double[] {g.get(0), g.get(1)});
    }

    @Test
    void writingToTheXArrayDoesNotReachTheSolversX() {
        Objective o = Objective.fromArrays((x, g) -> {
            x[0] = 100;
            g[0] = 1;
            return 0;
        });
        DoubleBuffer x = direct(1).put(0, 7.0);
        o.evaluate(x, direct(1));
        assertEquals(7.0, x.get(0));
    }

    @Test
    void arraysAreAllocatedOnceAndReusedForTheSameN() {
        List<double[]> xs = new ArrayList<>();
        List<double[]> gs = new ArrayList<>();
        Objective o = Objective.fromArrays((x, g) -> {
            xs.add(x);
            gs.add(g);
            return SHIFTED_SQUARES.evaluate(x, g);
        });
        DoubleBuffer x = direct(3);
        DoubleBuffer g = direct(3);
        for (int call = 0; call < 3; call++) {
            x.put(0, call);
            o.evaluate(x, g);
            assertEquals(2.0 * call, g.get(0), "each call sees the current x");
        }
        assertSame(xs.get(0), xs.get(1));
        assertSame(xs.get(0), xs.get(2));
        assertSame(gs.get(0), gs.get(2));
        assertEquals(3, xs.get(0).length);

        o.evaluate(direct(4), direct(4));
        assertEquals(4, xs.get(3).length, "a new n gets arrays of the new size");
        assertEquals(4, gs.get(3).length);
    }

    @Test
    void anOverlappingCallGetsItsOwnArraysAndBothResultsAreRight() {
        List<double[]> seen = new ArrayList<>();
        DoubleBuffer innerX = DoubleBuffer.wrap(new double[] {5, 5});
        DoubleBuffer innerG = DoubleBuffer.allocate(2);
        double[] innerF = new double[1];
        Objective[] self = new Objective[1];
        self[0] = Objective.fromArrays((x, g) -> {
            seen.add(x);
            if (seen.size() == 1) {
                // Re-entrant call while the shared arrays are in use, as a concurrent caller would make.
                innerF[0] = self[0].evaluate(innerX, innerG);
            }
            return SHIFTED_SQUARES.evaluate(x, g);
        });
        DoubleBuffer g = DoubleBuffer.allocate(2);
        double f = self[0].evaluate(DoubleBuffer.wrap(new double[] {0, 1}), g);
        assertEquals(0.0, f);
        assertArrayEquals(new double[] {0, 0}, g.array());
        assertEquals(25.0 + 16.0, innerF[0]);
        assertArrayEquals(new double[] {10, 8}, innerG.array());
        assertNotSame(seen.get(0), seen.get(1));
    }

    @Test
    void concurrentUseFromManyThreadsGivesCorrectResults() throws Exception {
        Objective o = Objective.fromArrays(SHIFTED_SQUARES);
        int threads = 8;
        int callsPerThread = 2_000;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            double shift = t;
            Thread w = new Thread(() -> {
                DoubleBuffer x = direct(3);
                DoubleBuffer g = direct(3);
                for (int c = 0; c < callsPerThread; c++) {
                    for (int i = 0; i < 3; i++) {
                        x.put(i, i + shift);
                    }
                    double f = o.evaluate(x, g);
                    if (f != 3 * shift * shift || g.get(2) != 2 * shift) {
                        failures.add(new AssertionError("thread " + shift + ": f = " + f + ", g[2] = " + g.get(2)));
                        return;
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void exceptionsPropagateUnchangedAndLeaveTheGradientAlone() {
        IllegalStateException boom = new IllegalStateException("boom");
        Objective o = Objective.fromArrays((x, g) -> {
            g[0] = 123;
            throw boom;
        });
        DoubleBuffer g = DoubleBuffer.wrap(new double[] {-1});
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> o.evaluate(DoubleBuffer.wrap(new double[] {0}), g));
        assertSame(boom, thrown);
        assertEquals(-1.0, g.get(0));
    }

    @Test
    void theAdapterIsNotBlockedByAnEarlierException() {
        int[] calls = {0};
        Objective o = Objective.fromArrays((x, g) -> {
            if (calls[0]++ == 0) {
                throw new ArithmeticException();
            }
            g[0] = 1;
            return x[0];
        });
        assertThrows(ArithmeticException.class, () -> o.evaluate(DoubleBuffer.allocate(1), DoubleBuffer.allocate(1)));
        assertEquals(2.0, o.evaluate(DoubleBuffer.wrap(new double[] {2}), DoubleBuffer.allocate(1)));
    }

    @Test
    void nullIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Objective.fromArrays(null));
        assertEquals("f = null: must not be null", e.getMessage());
    }

    @Test
    void toStringNamesTheAdaptedFunction() {
        assertTrue(Objective.fromArrays(SHIFTED_SQUARES).toString().startsWith("Objective.fromArrays("));
    }
}
