package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lbfgsb4j.reference.ReferenceCase;

/**
 * {@link Arithmetic#FAST} against SciPy's reference results: the same algorithm in another
 * summation order, so the same termination and message on every case, the same iteration and
 * evaluation counts wherever the path is not chaotic, results within {@link #AGREEMENT}, and in
 * total no more evaluations than SciPy (the condition on any faster arithmetic).
 */
class FastArithmeticReferenceTest {

    /**
     * Relative agreement with SciPy on f, x and the f trace where the counts are equal (absolute
     * below 1). The largest difference measured over the suite is 1e-12 relative (the n = 10,000
     * driver case, whose x has 10,000 components built from sums of 10,000 terms); 1e-9 is three
     * orders above that, and still six below the solver's own stopping tolerances (pgtol 1e-5,
     * factr * eps ~ 2e-9 relative in f), so a different decision anywhere would show.
     */
    static final double AGREEMENT = 1e-9;

    /**
     * Cases whose path depends on rounding: chained Rosenbrock with n = 20 and only m = 3
     * correction pairs (SciPy: 157 iterations, f = 3.4e-10; Fast: about 150, f of order 1e-9, the
     * exact numbers moving with any change of rounding). Both stop on the same relative-reduction
     * test near the minimum f* = 0 in the problem's flat valley.
     */
    static final Set<String> ROUNDING_SENSITIVE = Set.of("rosen_n20_maxcor3");

    /**
     * f agreement (absolute, f* = 0) for the rounding-sensitive cases: where the relative-reduction
     * test stops, an iteration gains less than 2.2e-9, so the stopping f is known to a few times
     * that, times the handful of slow iterations it may take; 1e-7 is that with room, and still
     * far below f(x0) = 4.0e3.
     */
    static final double SENSITIVE_F_AGREEMENT = 1e-7;

    static Stream<ReferenceCase> cases() {
        return ScipyReferenceTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithScipy(ReferenceCase c) {
        List<Double> trace = new ArrayList<>();
        LbfgsbResult r = ScipyReferenceTest.run(c, trace, Arithmetic.FAST);
        ReferenceCase.Expected e = c.expected();
        String message = e.solverMessage() != null ? e.solverMessage() : e.message();
        assertEquals(message, r.message(), c.name() + " message");
        assertEquals(ScipyReferenceTest.terminationFor(message), r.termination(), c.name() + " termination");
        if (ROUNDING_SENSITIVE.contains(c.name())) {
            assertClose(e.funAtX(), r.value(), SENSITIVE_F_AGREEMENT, "f");
            return;
        }
        assertAll(c.name(),
                () -> assertEquals(e.nit(), r.iterations(), "iterations"),
                () -> assertEquals(e.nfev(), r.evaluations(), "evaluations"),
                () -> assertClose(e.funAtX(), r.value(), AGREEMENT, "f"),
                () -> assertClose(e.x(), r.x(), "x"),
                () -> assertClose(e.fTrace(), trace.stream().mapToDouble(Double::doubleValue).toArray(), "f trace"));
    }

    @Test
    void noMoreEvaluationsThanScipyOverTheSuite() {
        long scipy = 0;
        long fast = 0;
        for (ReferenceCase c : cases().toList()) {
            scipy += c.expected().nfev();
            fast += ScipyReferenceTest.run(c, new ArrayList<>(), Arithmetic.FAST).evaluations();
        }
        // Reported (surefire's FastArithmeticReferenceTest-output.txt): the README quotes it.
        System.out.println("evaluations over the " + cases().count() + " reference cases: FAST " + fast
                + ", SciPy " + scipy);
        assertTrue(fast <= scipy, "Fast made " + fast + " evaluations over the suite, SciPy " + scipy);
    }

    @Test
    void isChosenExplicitlyAndNullIsRefused() {
        assertEquals(Arithmetic.FAST, LbfgsbOptions.defaults().arithmetic());
        LbfgsbOptions fast = LbfgsbOptions.builder().arithmetic(Arithmetic.FAST).build();
        assertEquals(Arithmetic.FAST, fast.arithmetic());
        assertEquals(fast, fast.toBuilder().build());
        assertTrue(fast.toString().contains("arithmetic=FAST"), fast.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LbfgsbOptions.builder().arithmetic(null).build());
        assertEquals("arithmetic = null: must not be null", e.getMessage());
    }

    @Test
    void threadsGiveTheSameBits() {
        int n = 200_000; // 3 threads of 65,536 variables at least
        Objective driver = Objective.fromArrays((x, g) -> {
            double f = 0.25 * (x[0] - 1) * (x[0] - 1);
            for (int i = 1; i < x.length; i++) {
                double t = x[i] - x[i - 1] * x[i - 1];
                f += t * t;
            }
            double t1 = x[1] - x[0] * x[0];
            g[0] = 2 * (x[0] - 1) - 16 * x[0] * t1;
            for (int i = 1; i < x.length - 1; i++) {
                double t2 = t1;
                t1 = x[i + 1] - x[i] * x[i];
                g[i] = 8 * t2 - 16 * x[i] * t1;
            }
            g[x.length - 1] = 8 * t1;
            return 4 * f;
        });
        double[] lower = new double[n];
        double[] upper = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = i % 2 == 0 ? 1 : -100;
            upper[i] = 100;
        }
        double[] x0 = new double[n];
        java.util.Arrays.fill(x0, 3.0);
        LbfgsbResult one = Lbfgsb.minimize(driver, x0, Bounds.of(lower, upper),
                LbfgsbOptions.builder().maxIterations(8).build());
        LbfgsbResult three = Lbfgsb.minimize(driver, x0, Bounds.of(lower, upper),
                LbfgsbOptions.builder().maxIterations(8).threads(3).build());
        assertEquals(8, one.iterations());
        assertEquals(one.evaluations(), three.evaluations());
        assertEquals(Double.doubleToRawLongBits(one.value()), Double.doubleToRawLongBits(three.value()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(one.x(), three.x());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LbfgsbOptions.builder().threads(0).build());
        assertEquals("threads = 0: must be in [1, 256]", e.getMessage());
    }

    private static void assertClose(double expected, double actual, double tolerance, String what) {
        double scale = Math.max(Math.abs(expected), 1.0);
        assertTrue(Math.abs(expected - actual) <= tolerance * scale,
                what + ": expected " + expected + ", got " + actual + " (tolerance " + tolerance + " x " + scale + ")");
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], AGREEMENT, what + "[" + i + "]");
        }
    }
}
