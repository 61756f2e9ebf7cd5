package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/** Ask/tell: the caller drives the solver and gets Lbfgsb.minimize's results bit for bit. */
class MinimizationTest {
    static Stream<ReferenceCase> cases() {
        return ReferenceData.load().cases().stream().filter(c -> c.stopRule() == null);
    }

    static LbfgsbOptions optionsOf(ReferenceCase c) {
        return c.options().builder().build();
    }

    /** Drives m to the end with objective f. */
    static LbfgsbResult drive(Minimization m, Objective f) {
        while (m.phase() != Minimization.Phase.DONE) {
            if (m.phase() == Minimization.Phase.EVALUATE) {
                m.tell(f.evaluate(m.x(), m.gradient()));
            } else {
                m.proceed();
            }
        }
        return m.result();
    }

    static void assertSameRun(LbfgsbResult expected, LbfgsbResult actual) {
        assertEquals(expected.termination(), actual.termination());
        assertEquals(expected.iterations(), actual.iterations());
        assertEquals(expected.evaluations(), actual.evaluations());
        assertEquals(Double.doubleToLongBits(expected.value()), Double.doubleToLongBits(actual.value()));
        assertArrayEquals(expected.x(), actual.x());
        assertArrayEquals(expected.gradient(), actual.gradient());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void askTellGivesTheSameRunAsMinimize(ReferenceCase c) {
        LbfgsbOptions options = optionsOf(c);
        Bounds bounds = Bounds.of(c.lower(), c.upper());
        LbfgsbResult expected = Lbfgsb.minimize(c.objective(), c.x0(), bounds, options);
        try (Minimization m = Minimization.start(c.x0(), bounds, options)) {
            assertSameRun(expected, drive(m, c.objective()));
        }
    }

    @Test
    void callsOutOfPhaseAreRefused() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_standard");
        try (Minimization m = Minimization.start(c.x0(), Bounds.unbounded(2), LbfgsbOptions.defaults())) {
            assertEquals(Minimization.Phase.EVALUATE, m.phase());
            IllegalStateException e = assertThrows(IllegalStateException.class, m::proceed);
            assertTrue(e.getMessage().contains("ITERATE") && e.getMessage().contains("EVALUATE"), e.getMessage());
            assertThrows(IllegalStateException.class, m::result);
            m.tell(c.objective().evaluate(m.x(), m.gradient()));
            assertEquals(Minimization.Phase.EVALUATE, m.phase());  // first line-search trial
            assertThrows(IllegalArgumentException.class, () -> m.redefineObjective(null));
        }
    }

    @Test
    void theListenerStopsAnAskTellRun() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_standard");
        LbfgsbOptions options = LbfgsbOptions.builder()
                .iterationListener(s -> s.iteration() == 4 ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE)
                .build();
        try (Minimization m = Minimization.start(c.x0(), Bounds.unbounded(2), options)) {
            LbfgsbResult r = drive(m, c.objective());
            assertEquals(Termination.STOPPED_BY_LISTENER, r.termination());
            assertEquals(4, r.iterations());
        }
    }

    /** Rosenbrock n = 10 plus lambda |x|^2 / 2. */
    static double reweighted(double lambda, DoubleBuffer x, DoubleBuffer g) {
        int n = x.limit();
        double f = 0;
        for (int i = 0; i < n; i++) {
            g.put(i, 0.0);
        }
        for (int i = 0; i + 1 < n; i++) {
            double a = x.get(i + 1) - x.get(i) * x.get(i);
            double b = 1 - x.get(i);
            f += 100 * a * a + b * b;
            g.put(i, g.get(i) - 400 * x.get(i) * a - 2 * b);
            g.put(i + 1, g.get(i + 1) + 200 * a);
        }
        for (int i = 0; i < n; i++) {
            f += 0.5 * lambda * x.get(i) * x.get(i);
            g.put(i, g.get(i) + lambda * x.get(i));
        }
        return f;
    }

    @Test
    void aRedefinedObjectiveIsMinimizedFromWhereTheRunStood() {
        int n = 10;
        double[] x0 = new double[n];
        for (int i = 0; i < n; i++) {
            x0[i] = i % 2 == 0 ? -1.2 : 1.0;
        }
        LbfgsbOptions options = LbfgsbOptions.builder().historySize(5).relativeReductionTolerance(1e-14)
                .projectedGradientTolerance(1e-9).build();
        LbfgsbResult direct = Lbfgsb.minimize((x, g) -> reweighted(1.0, x, g), x0, Bounds.unbounded(n), options);
        try (Minimization m = Minimization.start(x0, Bounds.unbounded(n), options)) {
            double[] lambda = {0.0};
            int[] kept = {-1};
            while (m.phase() != Minimization.Phase.DONE) {
                if (m.phase() == Minimization.Phase.EVALUATE) {
                    m.tell(reweighted(lambda[0], m.x(), m.gradient()));
                } else {
                    if (m.state().iteration() == 6) {
                        lambda[0] = 1.0;  // reweight the regularizer
                        kept[0] = m.redefineObjective((i, point, gradient) -> reweighted(1.0, point, gradient));
                    }
                    m.proceed();
                }
            }
            LbfgsbResult r = m.result();
            assertEquals(5, kept[0]);
            assertTrue(r.converged(), r.toString());
            double[] x = r.x();
            double[] expected = direct.x();
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], x[i], 1e-6, "x[" + i + "]");
            }
            assertEquals(direct.value(), r.value(), 1e-9);
        }
    }
}
