package org.lbfgsb4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.lbfgsb4j.Objective;

/**
 * Proves that the Java objectives in {@link ReferenceProblems} are bit-identical to the Python
 * ones that produced the SciPy reference data, and that every case of the data loads consistently.
 */
class ReferenceProblemsTest {

    private static final ReferenceData DATA = ReferenceData.load();

    @Test
    void metadataAndCaseNames() {
        assertFalse(DATA.scipyVersion().isEmpty());
        assertFalse(DATA.numpyVersion().isEmpty());
        assertFalse(DATA.pythonVersion().isEmpty());
        assertTrue(DATA.cases().size() >= 24, "at least 24 cases");
        assertFalse(DATA.objectiveChecks().isEmpty());
        Set<String> names = new HashSet<>();
        for (ReferenceCase c : DATA.cases()) {
            assertTrue(names.add(c.name()), "duplicate case name " + c.name());
            assertTrue(c.name().matches("[a-z0-9]+(_[a-z0-9]+)*"), "snake_case: " + c.name());
        }
        for (String required : List.of("driver1", "driver2", "driver3")) {
            assertNotNull(DATA.caseNamed(required));
        }
    }

    @TestFactory
    Stream<DynamicTest> objectiveChecksAreBitIdentical() {
        List<DynamicTest> tests = new ArrayList<>();
        List<ReferenceData.ObjectiveCheck> checks = DATA.objectiveChecks();
        for (int k = 0; k < checks.size(); k++) {
            ReferenceData.ObjectiveCheck check = checks.get(k);
            String label = "#" + k + " " + check.problem() + " n=" + check.x().length;
            tests.add(DynamicTest.dynamicTest(label + " heap", () -> assertCheck(check, false)));
            tests.add(DynamicTest.dynamicTest(label + " direct", () -> assertCheck(check, true)));
        }
        return tests.stream();
    }

    private static void assertCheck(ReferenceData.ObjectiveCheck check, boolean direct) {
        int n = check.x().length;
        Objective objective = ReferenceProblems.create(check.problem(), check.params(), n);
        DoubleBuffer x = buffer(n, direct);
        DoubleBuffer g = buffer(n, direct);
        x.put(0, check.x());
        for (int i = 0; i < n; i++) {
            g.put(i, Double.NaN); // every component must be written
        }
        double f = objective.evaluate(x, g);
        assertBits(check.f(), f, "f");
        for (int i = 0; i < n; i++) {
            assertBits(check.g()[i], g.get(i), "g[" + i + "]");
            assertBits(check.x()[i], x.get(i), "x[" + i + "] must not be modified");
        }
        assertEquals(0, x.position());
        assertEquals(0, g.position());
    }

    @TestFactory
    Stream<DynamicTest> casesLoadConsistently() {
        return DATA.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> checkCase(c)));
    }

    private static void checkCase(ReferenceCase c) {
        int n = c.n();
        assertTrue(n > 0);
        assertEquals(n, c.x0().length, "x0 length");
        assertEquals(n, c.lower().length, "lower length");
        assertEquals(n, c.upper().length, "upper length");
        for (int i = 0; i < n; i++) {
            assertFalse(Double.isNaN(c.lower()[i]) || Double.isNaN(c.upper()[i]), "NaN bound");
            assertTrue(c.lower()[i] <= c.upper()[i], "lower <= upper at " + i);
            assertTrue(c.lower()[i] != Double.POSITIVE_INFINITY, "lower +inf at " + i);
            assertTrue(c.upper()[i] != Double.NEGATIVE_INFINITY, "upper -inf at " + i);
            if (!c.lowerGiven()) {
                assertEquals(Double.NEGATIVE_INFINITY, c.lower()[i]);
            }
            if (!c.upperGiven()) {
                assertEquals(Double.POSITIVE_INFINITY, c.upper()[i]);
            }
        }
        ReferenceCase.Options o = c.options();
        assertTrue(o.maxcor() > 0 && o.maxiter() > 0 && o.maxfun() > 0 && o.maxls() > 0);
        assertTrue(o.ftol() >= 0.0 && o.gtol() >= 0.0);

        ReferenceCase.Expected e = c.expected();
        assertEquals(n, e.x().length, "x length");
        assertEquals(n, e.jac().length, "jac length");
        assertEquals(e.nit(), e.fTrace().length, "f_trace has one entry per iteration");
        assertEquals(Math.min(3, e.nit()), e.xFirstIterates().length, "x_first_iterates count");
        for (double[] xk : e.xFirstIterates()) {
            assertEquals(n, xk.length);
        }
        assertEquals(e.nfev(), e.njev(), "analytic gradient: nfev == njev");
        assertEquals(e.status() == 0, e.success());
        assertTrue(e.nfev() >= 1);
        for (int i = 0; i < n; i++) {
            assertTrue(e.x()[i] >= c.lower()[i] && e.x()[i] <= c.upper()[i], "x in bounds at " + i);
        }

        // The Java objective reproduces f and g at SciPy's final point and first iterates.
        Objective objective = c.objective();
        double[] g = new double[n];
        double fx = evaluate(objective, e.x(), g, n >= 1000);
        assertBits(e.funAtX(), fx, "fun_at_x");
        assertArrayBits(e.jac(), g, "jac");
        assertBits(e.projectedGradientNorm(),
                ReferenceProblems.projectedGradientNorm(e.x(), g, c.lower(), c.upper()),
                "projected_gradient_norm");
        for (int k = 0; k < e.xFirstIterates().length; k++) {
            double fk = evaluate(objective, e.xFirstIterates()[k], new double[n], false);
            assertBits(e.fTrace()[k], fk, "f_trace[" + k + "] at x_first_iterates[" + k + "]");
        }
        if (e.nit() > 0) {
            assertBits(e.funAtX(), e.fTrace()[e.nit() - 1], "last f_trace entry is f(x)");
        }
        if (!e.message().startsWith("ABNORMAL")) {
            assertBits(e.fun(), e.funAtX(), "fun == f(x) unless ABNORMAL");
        }
        // f at the (clipped) start point is computable.
        evaluate(objective, c.x0Clipped(), new double[n], false);

        if (c.stopRule() == null) {
            assertNull(e.stopRuleFired());
            assertNull(e.solverStatus());
            assertNull(e.solverMessage());
        } else {
            ReferenceCase.StopRuleFired fired = e.stopRuleFired();
            assertNotNull(fired);
            assertEquals("driver", c.stopRule().type());
            assertEquals(e.nfev(), fired.nfev(), "rule fired at the final evaluation count");
            assertBits(e.projectedGradientNorm(), fired.projectedGradientNorm(), "rule pg");
            assertTrue(c.stopRule().shouldStop(fired.nfev(), fired.projectedGradientNorm(), fx));
            assertEquals(fired.maxNfev(), fired.nfev() >= c.stopRule().maxNfev());
            assertEquals(fired.projectedGradient(),
                    fired.projectedGradientNorm() <= c.stopRule().pgRelative() * (1.0 + Math.abs(fx)));
            assertEquals(99, e.status());
            assertEquals("`callback` raised `StopIteration`.", e.message());
            assertNotNull(e.solverStatus());
            assertEquals("STOP: CALLBACK REQUESTED HALT", e.solverMessage());
        }
    }

    private static double evaluate(Objective objective, double[] xs, double[] gOut, boolean direct) {
        int n = xs.length;
        DoubleBuffer x = buffer(n, direct);
        DoubleBuffer g = buffer(n, direct);
        x.put(0, xs);
        double f = objective.evaluate(x, g);
        g.get(0, gOut);
        return f;
    }

    private static DoubleBuffer buffer(int n, boolean direct) {
        if (direct) {
            return ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        }
        return DoubleBuffer.allocate(n);
    }

    private static void assertBits(double expected, double actual, String what) {
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
                () -> what + ": expected " + expected + " but was " + actual);
    }

    private static void assertArrayBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        long[] eb = new long[expected.length];
        long[] ab = new long[actual.length];
        for (int i = 0; i < eb.length; i++) {
            eb[i] = Double.doubleToLongBits(expected[i]);
            ab[i] = Double.doubleToLongBits(actual[i]);
        }
        assertArrayEquals(eb, ab, what);
    }
}
