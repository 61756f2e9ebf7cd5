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
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tests of {@link LbfgsbResult} and of {@link IterationState}, the other value a run hands out. */
class LbfgsbResultTest {

    /** Upper limit on the length of a summarizing toString. */
    private static final int SHORT_STRING = 500;

    private static LbfgsbResult result(double value, Termination termination) {
        return new LbfgsbResult(new double[] {1, 2}, value, new double[] {0.1, -0.2}, 12, 15, 2e-6,
                termination, true);
    }

    @Test
    void accessorsReturnWhatTheDriverGave() {
        LbfgsbResult r = result(3.5, Termination.CONVERGED_PROJECTED_GRADIENT);
        assertArrayEquals(new double[] {1, 2}, r.x());
        assertEquals(3.5, r.value());
        assertArrayEquals(new double[] {0.1, -0.2}, r.gradient());
        assertEquals(12, r.iterations());
        assertEquals(15, r.evaluations());
        assertEquals(2e-6, r.projectedGradientNorm());
        assertEquals(Termination.CONVERGED_PROJECTED_GRADIENT, r.termination());
        assertEquals("CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL", r.message());
        assertTrue(r.x0Projected());
        assertEquals(2, r.size());
    }

    @Test
    void messageIsTheTerminationsScipyMessage() {
        for (Termination t : Termination.values()) {
            assertEquals(t.scipyMessage(), result(0, t).message());
        }
    }

    @Test
    void returnedArraysAreCopies() {
        LbfgsbResult r = result(0, Termination.MAX_ITERATIONS);
        r.x()[0] = 99;
        r.gradient()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, r.x());
        assertArrayEquals(new double[] {0.1, -0.2}, r.gradient());
    }

    @Test
    void convergedRequiresAConvergenceTestAndAFiniteValue() {
        assertTrue(result(1, Termination.CONVERGED_PROJECTED_GRADIENT).converged());
        assertTrue(result(-1e300, Termination.CONVERGED_RELATIVE_REDUCTION).converged());
        assertFalse(result(Double.NaN, Termination.CONVERGED_PROJECTED_GRADIENT).converged(),
                "SciPy can report convergence with fun=nan; we do not");
        assertFalse(result(Double.NEGATIVE_INFINITY, Termination.CONVERGED_RELATIVE_REDUCTION).converged());
        for (Termination t : Termination.values()) {
            if (!t.isConvergence()) {
                assertFalse(result(1, t).converged(), t::name);
            }
        }
    }

    @Test
    void constructorRejectsNullsMismatchedLengthsAndNegativeCounts() {
        double[] two = {1, 2};
        Termination t = Termination.MAX_ITERATIONS;
        assertEquals("x = null: must not be null", assertThrows(IllegalArgumentException.class,
                () -> new LbfgsbResult(null, 0, two, 0, 1, 0, t, false)).getMessage());
        assertEquals("gradient = null: must not be null", assertThrows(IllegalArgumentException.class,
                () -> new LbfgsbResult(two, 0, null, 0, 1, 0, t, false)).getMessage());
        assertEquals("termination = null: must not be null", assertThrows(IllegalArgumentException.class,
                () -> new LbfgsbResult(two, 0, two, 0, 1, 0, null, false)).getMessage());
        assertEquals("x.length = 2 != gradient.length = 3: must be equal", assertThrows(
                IllegalArgumentException.class,
                () -> new LbfgsbResult(two, 0, new double[3], 0, 1, 0, t, false)).getMessage());
        assertEquals("iterations = -1: must be >= 0", assertThrows(IllegalArgumentException.class,
                () -> new LbfgsbResult(two, 0, two, -1, 1, 0, t, false)).getMessage());
        assertEquals("evaluations = -1: must be >= 0", assertThrows(IllegalArgumentException.class,
                () -> new LbfgsbResult(two, 0, two, 0, -1, 0, t, false)).getMessage());
    }

    @Test
    void equalResultsAreEqual() {
        LbfgsbResult a = result(3.5, Termination.ABNORMAL_LINE_SEARCH);
        LbfgsbResult b = result(3.5, Termination.ABNORMAL_LINE_SEARCH);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, result(3.5, Termination.NON_FINITE));
        assertNotEquals(a, result(3.6, Termination.ABNORMAL_LINE_SEARCH));
        assertNotEquals(a, new LbfgsbResult(new double[] {1, 2.5}, 3.5, new double[] {0.1, -0.2}, 12, 15, 2e-6,
                Termination.ABNORMAL_LINE_SEARCH, true));
        assertEquals(result(Double.NaN, Termination.NON_FINITE), result(Double.NaN, Termination.NON_FINITE));
    }

    @Test
    void toStringSummarizesWithoutDumpingX() {
        int n = 1_000_000;
        double[] x = new double[n];
        java.util.Arrays.fill(x, 1.0);
        LbfgsbResult r = new LbfgsbResult(x, 0.25, new double[n], 40, 45, 8.1e-6,
                Termination.CONVERGED_PROJECTED_GRADIENT, false);
        String s = r.toString();
        assertTrue(s.length() < SHORT_STRING, s);
        assertTrue(s.contains("termination=CONVERGED_PROJECTED_GRADIENT"), s);
        assertTrue(s.contains("message=\"CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL\""), s);
        assertTrue(s.contains("value=0.25"), s);
        assertTrue(s.contains("iterations=40"), s);
        assertTrue(s.contains("evaluations=45"), s);
        assertTrue(s.contains("projectedGradientNorm=8.1E-6"), s);
        assertTrue(s.contains("n=1000000"), s);
        assertTrue(s.contains("x=[1.0, 1.0, 1.0, 1.0, ..., 1.0, 1.0]"), s);
    }

    // ---- IterationState ----

    private static DoubleBuffer direct(double... values) {
        DoubleBuffer b = ByteBuffer.allocateDirect(Double.BYTES * values.length).order(ByteOrder.nativeOrder())
                .asDoubleBuffer();
        b.put(0, values);
        return b;
    }

    private static IterationState state(DoubleBuffer x, DoubleBuffer g) {
        return new IterationState(3, 5, 0.5, x, g, 1e-3, 0.75, 2, 1_500_000L);
    }

    @Test
    void iterationStateGivesScalarsAndElapsedTime() {
        IterationState s = state(direct(1, 2, 3), direct(4, 5, 6));
        assertEquals(3, s.iteration());
        assertEquals(5, s.evaluations());
        assertEquals(0.5, s.value());
        assertEquals(1e-3, s.projectedGradientNorm());
        assertEquals(0.75, s.stepLength());
        assertEquals(2, s.freeVariables());
        assertEquals(3, s.size());
        assertEquals(Duration.ofNanos(1_500_000), s.elapsed());
        String text = s.toString();
        assertTrue(text.contains("iteration=3") && text.contains("elapsed=PT0.0015S") && text.contains("n=3"), text);
    }

    @Test
    void iterationStateViewsAreReadOnlyZeroCopyAndIndependent() {
        DoubleBuffer x = direct(1, 2, 3);
        DoubleBuffer g = direct(4, 5, 6);
        IterationState s = state(x, g);
        DoubleBuffer xv = s.x();
        DoubleBuffer gv = s.gradient();
        assertTrue(xv.isReadOnly());
        assertTrue(gv.isReadOnly());
        assertTrue(xv.isDirect());
        assertEquals(ByteOrder.nativeOrder(), xv.order());
        assertEquals(0, xv.position());
        assertEquals(3, xv.limit());
        assertThrows(ReadOnlyBufferException.class, () -> xv.put(0, 9.0));
        assertThrows(ReadOnlyBufferException.class, () -> gv.put(0, 9.0));
        x.put(1, 20.0);
        assertEquals(20.0, s.x().get(1), "a view of the solver's memory, not a copy");
        xv.position(2);
        assertEquals(0, s.x().position(), "each call returns an independent view");
        double[] copy = new double[s.size()];
        s.gradient().get(0, copy);
        assertArrayEquals(new double[] {4, 5, 6}, copy);
    }

    @Test
    void iterationStateLeavesTheDriversBuffersAlone() {
        DoubleBuffer x = DoubleBuffer.wrap(new double[] {1, 2});
        x.position(1);
        IterationState s = state(x, DoubleBuffer.allocate(2));
        assertEquals(1, x.position());
        assertEquals(0, s.x().position());
        assertEquals(1.0, s.x().get());
    }

    @Test
    void iterationStateRejectsMismatchedBuffers() {
        assertEquals("x.limit() = 2 != gradient.limit() = 3: must be equal", assertThrows(
                IllegalArgumentException.class, () -> state(direct(1, 2), direct(1, 2, 3))).getMessage());
        assertEquals("gradient = null: must not be null",
                assertThrows(IllegalArgumentException.class, () -> state(direct(1), null)).getMessage());
    }
}
