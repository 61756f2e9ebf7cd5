package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LbfgsbOptionsTest {

    /** SciPy's documented minimize(method='L-BFGS-B') defaults (reference-behaviour.md, section 3). */
    private static final int SCIPY_MAXCOR = 10;
    private static final double SCIPY_FTOL = 2.2204460492503131e-09;
    private static final double SCIPY_GTOL = 1e-5;
    private static final long SCIPY_MAXITER = 15000;
    private static final long SCIPY_MAXFUN = 15000;
    private static final int SCIPY_MAXLS = 20;
    /** SciPy's hard-wired dcsrch arguments and lnsrlb's stpmax. */
    private static final double SCIPY_LS_FTOL = 1e-3;
    private static final double SCIPY_LS_GTOL = 0.9;
    private static final double SCIPY_LS_XTOL = 0.1;
    private static final double SCIPY_STPMAX = 1e10;
    /** fmin_l_bfgs_b's default factr and the machine epsilon: ftol = factr * eps. */
    private static final double SCIPY_FACTR = 1e7;
    private static final double EPS = Math.ulp(1.0);

    private static final IterationListener STOPPER = state -> IterationListener.Action.STOP;

    @Test
    void defaultsAreScipysDefaultsExactly() {
        LbfgsbOptions d = LbfgsbOptions.defaults();
        assertEquals(SCIPY_MAXCOR, d.historySize());
        assertEquals(SCIPY_FTOL, d.relativeReductionTolerance());
        assertEquals(SCIPY_FACTR * EPS, d.relativeReductionTolerance());
        assertEquals(SCIPY_GTOL, d.projectedGradientTolerance());
        assertEquals(SCIPY_MAXITER, d.maxIterations());
        assertEquals(SCIPY_MAXFUN, d.maxEvaluations());
        assertEquals(SCIPY_MAXLS, d.maxLineSearchSteps());
        assertEquals(SCIPY_LS_FTOL, d.lineSearchSufficientDecrease());
        assertEquals(SCIPY_LS_GTOL, d.lineSearchCurvature());
        assertEquals(SCIPY_LS_XTOL, d.lineSearchStepTolerance());
        assertEquals(SCIPY_STPMAX, d.lineSearchMaxStep());
        assertEquals(Optional.empty(), d.iterationListener());
    }

    @Test
    void builderStartsFromTheDefaults() {
        assertEquals(LbfgsbOptions.defaults(), LbfgsbOptions.builder().build());
        assertEquals(LbfgsbOptions.defaults().hashCode(), LbfgsbOptions.builder().build().hashCode());
    }

    private static LbfgsbOptions everythingChanged() {
        return LbfgsbOptions.builder()
                .historySize(3)
                .relativeReductionTolerance(1e-12)
                .projectedGradientTolerance(1e-8)
                .maxIterations(7)
                .maxEvaluations(11)
                .maxLineSearchSteps(5)
                .lineSearchSufficientDecrease(1e-4)
                .lineSearchCurvature(0.5)
                .lineSearchStepTolerance(0.2)
                .lineSearchMaxStep(1e5)
                .iterationListener(STOPPER)
                .build();
    }

    @Test
    void builderSetsEveryOption() {
        LbfgsbOptions o = everythingChanged();
        assertEquals(3, o.historySize());
        assertEquals(1e-12, o.relativeReductionTolerance());
        assertEquals(1e-8, o.projectedGradientTolerance());
        assertEquals(7, o.maxIterations());
        assertEquals(11, o.maxEvaluations());
        assertEquals(5, o.maxLineSearchSteps());
        assertEquals(1e-4, o.lineSearchSufficientDecrease());
        assertEquals(0.5, o.lineSearchCurvature());
        assertEquals(0.2, o.lineSearchStepTolerance());
        assertEquals(1e5, o.lineSearchMaxStep());
        assertSame(STOPPER, o.iterationListener().orElseThrow());
    }

    @Test
    void toBuilderRoundTripsEveryOption() {
        LbfgsbOptions o = everythingChanged();
        LbfgsbOptions copy = o.toBuilder().build();
        assertEquals(o, copy);
        assertEquals(o.hashCode(), copy.hashCode());
        assertEquals(o.toString(), copy.toString());
        assertSame(STOPPER, copy.iterationListener().orElseThrow());
        assertEquals(LbfgsbOptions.defaults(), LbfgsbOptions.defaults().toBuilder().build());
    }

    @Test
    void changingABuilderDoesNotChangeOptionsBuiltFromIt() {
        LbfgsbOptions.Builder b = LbfgsbOptions.builder().historySize(4);
        LbfgsbOptions first = b.build();
        LbfgsbOptions second = b.historySize(6).build();
        assertEquals(4, first.historySize());
        assertEquals(6, second.historySize());
        LbfgsbOptions changed = first.toBuilder().maxIterations(1).build();
        assertEquals(15000, first.maxIterations());
        assertEquals(1, changed.maxIterations());
        assertEquals(4, changed.historySize());
    }

    @Test
    void nullListenerMeansNone() {
        LbfgsbOptions o = everythingChanged().toBuilder().iterationListener(null).build();
        assertEquals(Optional.empty(), o.iterationListener());
        assertTrue(o.toString().contains("iterationListener=none"), o.toString());
    }

    @Test
    void equalityComparesListenersByIdentity() {
        IterationListener other = state -> IterationListener.Action.STOP;
        LbfgsbOptions a = LbfgsbOptions.builder().iterationListener(STOPPER).build();
        assertEquals(a, LbfgsbOptions.builder().iterationListener(STOPPER).build());
        assertNotEquals(a, LbfgsbOptions.builder().iterationListener(other).build());
        assertNotEquals(a, LbfgsbOptions.defaults());
    }

    @Test
    void differentValuesAreNotEqual() {
        LbfgsbOptions d = LbfgsbOptions.defaults();
        assertNotEquals(d, d.toBuilder().historySize(11).build());
        assertNotEquals(d, d.toBuilder().relativeReductionTolerance(0).build());
        assertNotEquals(d, d.toBuilder().projectedGradientTolerance(0).build());
        assertNotEquals(d, d.toBuilder().maxIterations(1).build());
        assertNotEquals(d, d.toBuilder().maxEvaluations(1).build());
        assertNotEquals(d, d.toBuilder().maxLineSearchSteps(1).build());
        assertNotEquals(d, d.toBuilder().lineSearchSufficientDecrease(1e-4).build());
        assertNotEquals(d, d.toBuilder().lineSearchCurvature(0.8).build());
        assertNotEquals(d, d.toBuilder().lineSearchStepTolerance(0).build());
        assertNotEquals(d, d.toBuilder().lineSearchMaxStep(1).build());
        assertNotEquals(d, null);
    }

    @Test
    void toStringNamesEveryOptionWithItsValue() {
        String s = LbfgsbOptions.defaults().toString();
        for (String part : new String[] {"historySize=10", "relativeReductionTolerance=2.220446049250313E-9",
                "projectedGradientTolerance=1.0E-5", "maxIterations=15000", "maxEvaluations=15000",
                "maxLineSearchSteps=20", "lineSearchSufficientDecrease=0.001", "lineSearchCurvature=0.9",
                "lineSearchStepTolerance=0.1", "lineSearchMaxStep=1.0E10", "iterationListener=none"}) {
            assertTrue(s.contains(part), () -> part + " missing from " + s);
        }
    }

    @Test
    void boundaryValuesAreAccepted() {
        LbfgsbOptions o = LbfgsbOptions.builder()
                .historySize(1)
                .relativeReductionTolerance(0)
                .projectedGradientTolerance(0)
                .maxIterations(0)
                .maxEvaluations(1)
                .maxLineSearchSteps(1)
                .lineSearchSufficientDecrease(Double.MIN_VALUE)
                .lineSearchCurvature(Math.nextDown(1.0))
                .lineSearchStepTolerance(0)
                .lineSearchMaxStep(Double.MIN_VALUE)
                .build();
        assertEquals(0, o.maxIterations());
        assertEquals(1, o.maxEvaluations());
        LbfgsbOptions big = LbfgsbOptions.builder()
                .historySize(LbfgsbOptions.MAX_HISTORY_SIZE)
                .maxIterations(Long.MAX_VALUE)
                .maxEvaluations(Long.MAX_VALUE)
                .maxLineSearchSteps(Integer.MAX_VALUE)
                .lineSearchMaxStep(Double.MAX_VALUE)
                .build();
        assertEquals(Long.MAX_VALUE, big.maxEvaluations());
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                rule(b -> b.historySize(0), "historySize = 0: must be > 0"),
                rule(b -> b.historySize(-5), "historySize = -5: must be > 0"),
                rule(b -> b.historySize(23171),
                        "historySize = 23171: must be <= 23170 (the 2m x 2m matrices must fit 32-bit LAPACK indexing)"),
                rule(b -> b.relativeReductionTolerance(-1e-9), "relativeReductionTolerance = -1.0E-9: must be >= 0"),
                rule(b -> b.relativeReductionTolerance(Double.NaN), "relativeReductionTolerance = NaN: must be finite"),
                rule(b -> b.relativeReductionTolerance(Double.POSITIVE_INFINITY),
                        "relativeReductionTolerance = Infinity: must be finite"),
                rule(b -> b.projectedGradientTolerance(-1), "projectedGradientTolerance = -1.0: must be >= 0"),
                rule(b -> b.projectedGradientTolerance(Double.NaN), "projectedGradientTolerance = NaN: must be finite"),
                rule(b -> b.projectedGradientTolerance(Double.POSITIVE_INFINITY),
                        "projectedGradientTolerance = Infinity: must be finite"),
                rule(b -> b.maxIterations(-1), "maxIterations = -1: must be >= 0"),
                rule(b -> b.maxEvaluations(0), "maxEvaluations = 0: must be >= 1"),
                rule(b -> b.maxEvaluations(-2), "maxEvaluations = -2: must be >= 1"),
                rule(b -> b.maxLineSearchSteps(0), "maxLineSearchSteps = 0: must be > 0"),
                rule(b -> b.lineSearchSufficientDecrease(0),
                        "lineSearchSufficientDecrease = 0.0: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchSufficientDecrease(-0.1),
                        "lineSearchSufficientDecrease = -0.1: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchSufficientDecrease(Double.NaN),
                        "lineSearchSufficientDecrease = NaN: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchCurvature(1.0), "lineSearchCurvature = 1.0: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchCurvature(0), "lineSearchCurvature = 0.0: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchCurvature(Double.NaN),
                        "lineSearchCurvature = NaN: must be in (0, 1) (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchSufficientDecrease(0.5).lineSearchCurvature(0.5),
                        "lineSearchSufficientDecrease = 0.5 >= lineSearchCurvature = 0.5: "
                                + "must be < lineSearchCurvature (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchSufficientDecrease(0.95),
                        "lineSearchSufficientDecrease = 0.95 >= lineSearchCurvature = 0.9: "
                                + "must be < lineSearchCurvature (0 < c1 < c2 < 1)"),
                rule(b -> b.lineSearchStepTolerance(-0.1), "lineSearchStepTolerance = -0.1: must be >= 0"),
                rule(b -> b.lineSearchStepTolerance(Double.NaN), "lineSearchStepTolerance = NaN: must be finite"),
                rule(b -> b.lineSearchMaxStep(0), "lineSearchMaxStep = 0.0: must be > 0"),
                rule(b -> b.lineSearchMaxStep(-1), "lineSearchMaxStep = -1.0: must be > 0"),
                rule(b -> b.lineSearchMaxStep(Double.NaN), "lineSearchMaxStep = NaN: must be finite"),
                rule(b -> b.lineSearchMaxStep(Double.POSITIVE_INFINITY),
                        "lineSearchMaxStep = Infinity: must be finite"));
    }

    private static Arguments rule(UnaryOperator<LbfgsbOptions.Builder> change, String message) {
        return Arguments.of(change, message);
    }

    @ParameterizedTest
    @MethodSource("invalidOptions")
    void buildRejectsAnInvalidValueNamingOptionValueAndRule(
            UnaryOperator<LbfgsbOptions.Builder> change, String message) {
        LbfgsbOptions.Builder b = change.apply(LbfgsbOptions.builder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(message, e.getMessage());
    }

    @Test
    void settersDoNotValidateOnlyBuildDoes() {
        LbfgsbOptions.Builder b = LbfgsbOptions.builder().historySize(0);
        assertThrows(IllegalArgumentException.class, b::build);
        assertEquals(2, b.historySize(2).build().historySize(), "the builder stays usable after a rejection");
    }

    @Test
    void eachBuildMakesANewInstanceButDefaultsIsShared() {
        assertSame(LbfgsbOptions.defaults(), LbfgsbOptions.defaults());
        assertNotSame(LbfgsbOptions.builder().build(), LbfgsbOptions.builder().build());
    }
}
