package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/**
 * {@link GradientCheck}: right gradients pass (also at bounds, where the differences are
 * one-sided), wrong ones fail and are located, the differences never leave the box, and the
 * abnormal ending it is meant to diagnose points to it.
 */
class GradientCheckTest {

    static ReferenceCase referenceCase(String name) {
        return ReferenceData.load().caseNamed(name);
    }

    @Test
    void aCorrectGradientPasses() {
        ReferenceCase c = referenceCase("rosen10_zeros");
        GradientCheck check = GradientCheck.of(c.objective(), new double[] {-1.2, 1, 0.3, -0.7, 2, 1.5, 0, 1e-3, 5, -3});
        assertTrue(check.passes(), check::toString);
        assertTrue(check.maxRelativeError() < 1e-6, check::toString);
        assertEquals(10, check.size());
    }

    @Test
    void aCorrectGradientPassesAtTheBoundsWithOneSidedDifferences() {
        ReferenceCase c = referenceCase("driver1");
        Bounds bounds = Bounds.of(c.lower(), c.upper());
        double[] x = c.x0Clipped();
        for (int i = 0; i < x.length; i += 2) {
            x[i] = c.lower()[i]; // every odd (1-based) variable at its lower bound 1
        }
        AtomicInteger outside = new AtomicInteger();
        GradientCheck check = GradientCheck.of((xb, g) -> {
            double[] xs = new double[xb.limit()];
            xb.get(0, xs);
            if (!bounds.contains(xs)) {
                outside.incrementAndGet();
            }
            return c.objective().evaluate(xb, g);
        }, x, bounds);
        assertEquals(0, outside.get(), "f never evaluated outside the box");
        assertTrue(check.passes(), check::toString);
    }

    @Test
    void aWrongGradientFailsAndTheWorstComponentIsNamed() {
        ReferenceCase c = referenceCase("rosen10_zeros");
        double[] x = {-1.2, 1, 0.3, -0.7, 2, 1.5, 0.2, 1e-3, 5, -3};
        GradientCheck check = GradientCheck.of((xb, g) -> {
            double f = c.objective().evaluate(xb, g);
            g.put(6, g.get(6) * 1.5); // a 50% error in component 6
            return f;
        }, x);
        assertFalse(check.passes(), check::toString);
        List<GradientCheck.Component> worst = check.worst(3);
        assertEquals(6, worst.get(0).index());
        assertEquals(1.0 / 3, worst.get(0).relativeError(), 1e-6, "|1.5g - g| / |1.5g|");
        assertTrue(worst.get(1).relativeError() < 1e-6);
        assertEquals(1, check.failures(GradientCheck.DEFAULT_TOLERANCE));
        assertTrue(check.toString().contains("g[6] = "), check::toString);
        assertTrue(check.toString().contains("1 of 10 components above 1.0e-04"), check::toString);
    }

    @Test
    void scipysDeliberatelyHalvedGradientIsCaught() {
        // test_initial_step_scaling's gradient is half the true one: relative error 1/2.
        ReferenceCase c = referenceCase("step_scaling_1");
        GradientCheck check = GradientCheck.of(c.objective(), new double[] {-1.0});
        assertEquals(0.5, check.maxRelativeError(), 1e-8);
        assertFalse(check.passes());
    }

    @Test
    void aNonFiniteGradientHasAnInfiniteError() {
        GradientCheck check = GradientCheck.of((x, g) -> {
            g.put(0, Double.NaN);
            g.put(1, 2 * x.get(1));
            return x.get(0) * x.get(0) + x.get(1) * x.get(1);
        }, new double[] {1, 1});
        assertEquals(Double.POSITIVE_INFINITY, check.maxRelativeError());
        assertEquals(0, check.worst(1).get(0).index());
    }

    @Test
    void nearlyZeroComponentsDoNotReportRoundingNoise() {
        // At the minimum the true gradient is 0 and the differences are rounding noise.
        ReferenceCase c = referenceCase("rosen10_zeros");
        double[] ones = new double[10];
        java.util.Arrays.fill(ones, 1.0);
        assertTrue(GradientCheck.of(c.objective(), ones).passes());
    }

    @Test
    void fixedVariablesAreNotChecked() {
        GradientCheck check = GradientCheck.of((x, g) -> {
            g.put(0, 123.0); // wrong, but the variable is fixed
            g.put(1, 2 * x.get(1));
            return x.get(0) + x.get(1) * x.get(1);
        }, new double[] {0.5, 1}, Bounds.of(new double[] {0.5, -5}, new double[] {0.5, 5}));
        assertTrue(check.passes(), check::toString);
        assertTrue(Double.isNaN(check.component(0).numeric()));
    }

    @Test
    void anyGradientSchemeCanBeTheReference() {
        ReferenceCase c = referenceCase("rosen2d_standard");
        GradientCheck forward = GradientCheck.of(c.objective(), new double[] {-1.2, 1}, Bounds.unbounded(2),
                GradientScheme.forward());
        assertTrue(forward.passes(1e-5), forward::toString);
        assertTrue(forward.maxRelativeError() > GradientCheck.of(c.objective(), new double[] {-1.2, 1})
                .maxRelativeError(), "central differences are more accurate than forward ones");
    }

    @Test
    void argumentsAreChecked() {
        Objective f = (x, g) -> 0;
        assertEquals("objective = null: must not be null",
                assertThrows(IllegalArgumentException.class, () -> GradientCheck.of(null, new double[1])).getMessage());
        assertEquals("x.length = 0: must be > 0",
                assertThrows(IllegalArgumentException.class,
                        () -> GradientCheck.of(f, new double[0], Bounds.unbounded(1))).getMessage());
        assertEquals("x[0] = 2.0: must lie within the bounds [0.0, 1.0]",
                assertThrows(IllegalArgumentException.class,
                        () -> GradientCheck.of(f, new double[] {2}, Bounds.box(1, 0, 1))).getMessage());
        assertEquals("x[0] = NaN: must be finite",
                assertThrows(IllegalArgumentException.class, () -> GradientCheck.of(f, new double[] {Double.NaN}))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradientCheck.of(f, new double[] {1}).worst(-1));
    }

    @Test
    void theAbnormalEndingOfAWrongGradientPointsToTheCheck() {
        // A gradient with the wrong sign in one component sends the line search uphill.
        ReferenceCase c = referenceCase("rosen2d_standard");
        Objective wrong = (x, g) -> {
            double f = c.objective().evaluate(x, g);
            g.put(1, -g.get(1));
            return f;
        };
        LbfgsbResult r = Lbfgsb.minimize(wrong, c.x0(), Bounds.unbounded(2), LbfgsbOptions.defaults());
        assertEquals(Termination.ABNORMAL_LINE_SEARCH, r.termination(), r::explanation);
        assertTrue(r.explanation().contains("GradientCheck.of("), r::explanation);
        GradientCheck check = GradientCheck.of(wrong, r.x());
        assertFalse(check.passes());
        assertEquals(1, check.worst(1).get(0).index(), check::toString);
        DoubleBuffer unused = DoubleBuffer.allocate(2);
        assertEquals(c.objective().evaluate(DoubleBuffer.wrap(r.x()), unused), check.value());
    }
}
