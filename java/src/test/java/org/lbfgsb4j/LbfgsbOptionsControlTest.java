package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The control options beyond SciPy's: defaults (SciPy's hard-coded values where it has them),
 * validation messages naming option, value and rule, and that each takes part in equality.
 */
class LbfgsbOptionsControlTest {

    private static final DoubleSupplier TARGET = () -> 1.0;
    private static final DoubleSupplier TOLERANCE = () -> 1e-3;
    private static final BooleanSupplier CANCEL = () -> false;
    private static final System.Logger LOGGER = System.getLogger("test");

    @Test
    void defaultsAreScipysHardCodedValuesAndNoExtraBehaviour() {
        LbfgsbOptions d = LbfgsbOptions.defaults();
        assertEquals(Math.ulp(1.0), d.curvaturePairThreshold(), "SciPy's epsmch");
        assertEquals(Double.NEGATIVE_INFINITY, d.targetValue());
        assertEquals(Optional.empty(), d.targetValueSupplier());
        assertEquals(Optional.empty(), d.projectedGradientToleranceSupplier());
        assertEquals(10, d.maxNonFiniteBacktracks());
        assertEquals(Optional.empty(), d.timeLimit());
        assertEquals(Optional.empty(), d.cancellation());
        assertEquals(LbfgsbOptions.LogLevel.NONE, d.logging());
        assertEquals(1, d.logEvery());
        assertEquals("org.lbfgsb4j", d.logger().getName());
    }

    private static LbfgsbOptions everything() {
        return LbfgsbOptions.builder()
                .curvaturePairThreshold(1e-10)
                .targetValue(-5)
                .projectedGradientTolerance(TOLERANCE)
                .maxNonFiniteBacktracks(3)
                .timeLimit(Duration.ofSeconds(2))
                .cancellation(CANCEL)
                .logging(LbfgsbOptions.LogLevel.ITERATIONS)
                .logEvery(4)
                .logger(LOGGER)
                .build();
    }

    @Test
    void theBuilderSetsEveryControlOption() {
        LbfgsbOptions o = everything();
        assertEquals(1e-10, o.curvaturePairThreshold());
        assertEquals(-5, o.targetValue());
        assertSame(TOLERANCE, o.projectedGradientToleranceSupplier().orElseThrow());
        assertEquals(3, o.maxNonFiniteBacktracks());
        assertEquals(Duration.ofSeconds(2), o.timeLimit().orElseThrow());
        assertSame(CANCEL, o.cancellation().orElseThrow());
        assertEquals(LbfgsbOptions.LogLevel.ITERATIONS, o.logging());
        assertEquals(4, o.logEvery());
        assertSame(LOGGER, o.logger());
        assertEquals(o, o.toBuilder().build());
        assertEquals(o.hashCode(), o.toBuilder().build().hashCode());
        String s = o.toString();
        for (String part : new String[] {"curvaturePairThreshold=1.0E-10", "targetValue=-5.0", "maxNonFiniteBacktracks=3",
                "timeLimit=PT2S", "logging=ITERATIONS every 4", "logger=test"}) {
            assertTrue(s.contains(part), () -> part + " in " + s);
        }
    }

    @Test
    void aTargetSupplierReplacesTheConstantAndAConstantRemovesTheSupplier() {
        LbfgsbOptions supplied = LbfgsbOptions.builder().targetValue(3).targetValue(TARGET).build();
        assertSame(TARGET, supplied.targetValueSupplier().orElseThrow());
        LbfgsbOptions constant = supplied.toBuilder().targetValue(2).build();
        assertEquals(Optional.empty(), constant.targetValueSupplier());
        assertEquals(2, constant.targetValue());
        assertEquals(Optional.empty(), supplied.toBuilder().targetValue((DoubleSupplier) null).build()
                .targetValueSupplier());
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("curvaturePairThreshold", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.curvaturePairThreshold(1)),
                Arguments.of("targetValue", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.targetValue(0)),
                Arguments.of("targetValueSupplier", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.targetValue(TARGET)),
                Arguments.of("projectedGradientToleranceSupplier",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.projectedGradientTolerance(TOLERANCE)),
                Arguments.of("maxNonFiniteBacktracks", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.maxNonFiniteBacktracks(0)),
                Arguments.of("timeLimit", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.timeLimit(Duration.ofMillis(1))),
                Arguments.of("cancellation", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.cancellation(CANCEL)),
                Arguments.of("logging", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.logging(LbfgsbOptions.LogLevel.FULL)),
                Arguments.of("logEvery", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.logEvery(9)),
                Arguments.of("logger", (UnaryOperator<LbfgsbOptions.Builder>) b -> b.logger(LOGGER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void everyControlOptionTakesPartInEquality(String name, UnaryOperator<LbfgsbOptions.Builder> change) {
        assertNotEquals(LbfgsbOptions.defaults(), change.apply(LbfgsbOptions.builder()).build(), name);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.curvaturePairThreshold(-1e-3),
                        "curvaturePairThreshold = -0.001: must be >= 0"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.curvaturePairThreshold(Double.NaN),
                        "curvaturePairThreshold = NaN: must be finite"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.targetValue(Double.NaN),
                        "targetValue = NaN: must not be NaN"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.maxNonFiniteBacktracks(-1),
                        "maxNonFiniteBacktracks = -1: must be >= 0"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.timeLimit(Duration.ZERO),
                        "timeLimit = PT0S: must be positive"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.timeLimit(Duration.ofSeconds(-1)),
                        "timeLimit = PT-1S: must be positive"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.logging(null),
                        "logging = null: must not be null"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.logEvery(0),
                        "logEvery = 0: must be >= 1"),
                Arguments.of((UnaryOperator<LbfgsbOptions.Builder>) b -> b.lineSearchSufficientDecrease(0.9)
                        .lineSearchCurvature(0.5),
                        "lineSearchSufficientDecrease = 0.9 >= lineSearchCurvature = 0.5: must be < lineSearchCurvature"
                                + " (0 < c1 < c2 < 1)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void invalidValuesAreRejectedNamingOptionValueAndRule(UnaryOperator<LbfgsbOptions.Builder> change, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> change.apply(LbfgsbOptions.builder()).build()).getMessage());
    }

    @Test
    void anEnormousTimeLimitIsNoLimit() {
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            g.put(0, 2 * x.get(0));
            return x.get(0) * x.get(0);
        }, new double[] {3}, Bounds.unbounded(1),
                LbfgsbOptions.builder().timeLimit(Duration.ofSeconds(Long.MAX_VALUE)).build());
        assertTrue(r.converged(), r::explanation);
    }

    @Test
    void gradientSchemesValidateTheirArguments() {
        assertEquals("absoluteStep = NaN: must be finite",
                assertThrows(IllegalArgumentException.class, () -> GradientScheme.forward(Double.NaN)).getMessage());
        assertEquals("relativeStep = Infinity: must be finite",
                assertThrows(IllegalArgumentException.class,
                        () -> GradientScheme.threePoint(Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("executor = null: must not be null",
                assertThrows(IllegalArgumentException.class, () -> GradientScheme.twoPoint().parallel(null))
                        .getMessage());
        assertEquals("tasks = 0: must be >= 1",
                assertThrows(IllegalArgumentException.class,
                        () -> GradientScheme.twoPoint().parallel(Runnable::run, 0)).getMessage());
        assertEquals(GradientScheme.forward(), GradientScheme.forward(1e-8));
        assertEquals(GradientScheme.threePoint(), GradientScheme.threePoint().parallel(Runnable::run).serial());
        assertEquals(4, GradientScheme.threePoint().evaluationsPerGradient(2));
        assertEquals("GradientScheme.forward(absoluteStep=1.0E-8)", GradientScheme.forward().toString());
    }

    @Test
    void minimizeRejectsANullScheme() {
        assertEquals("scheme = null: must not be null", assertThrows(IllegalArgumentException.class,
                () -> Lbfgsb.minimize(x -> 0, null, new double[1], Bounds.unbounded(1), LbfgsbOptions.defaults()))
                .getMessage());
    }
}
