package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/**
 * Robustness SciPy lacks and the knobs it hard-codes: non-finite values at line-search trials
 * (bounded step halving), NaN injected at every single evaluation, the explanation of every kind of
 * ending, the line-search constants and the curvature-pair threshold (each changes the run, so a
 * test fails if it is ignored), and parallel finite differences (bit-identical to serial).
 */
class RobustnessTest {

    static ReferenceCase referenceCase(String name) {
        return ReferenceData.load().caseNamed(name);
    }

    static LbfgsbResult run(ReferenceCase c, Objective objective, UnaryOperator<LbfgsbOptions.Builder> extra) {
        return Lbfgsb.minimize(objective, c.x0(), Bounds.of(c.lower(), c.upper()),
                extra.apply(StoppingTest.optionsOf(c)).build());
    }

    static double valueAt(ReferenceCase c, double[] x, double[] gradient) {
        return StoppingTest.valueAt(c, x, gradient);
    }

    // ---- non-finite values ----

    enum Poison {
        NAN_VALUE, POSITIVE_INFINITE_VALUE, NEGATIVE_INFINITE_VALUE, NAN_GRADIENT_COMPONENT,
        INFINITE_GRADIENT_COMPONENT;

        double apply(double f, DoubleBuffer g) {
            switch (this) {
                case NAN_VALUE:
                    return Double.NaN;
                case POSITIVE_INFINITE_VALUE:
                    return Double.POSITIVE_INFINITY;
                case NEGATIVE_INFINITE_VALUE:
                    return Double.NEGATIVE_INFINITY;
                case NAN_GRADIENT_COMPONENT:
                    g.put(0, Double.NaN);
                    return f;
                default:
                    g.put(g.limit() - 1, Double.NEGATIVE_INFINITY);
                    return f;
            }
        }
    }

    static Stream<Arguments> singleInjections() {
        return Stream.of("rosen2d_standard", "driver1").flatMap(name -> Stream.of(Poison.values())
                .flatMap(p -> IntStream.rangeClosed(1, 30).mapToObj(k -> Arguments.of(name, p, k))));
    }

    @ParameterizedTest(name = "{0}, {1} at evaluation {2} only")
    @MethodSource("singleInjections")
    void aNonFiniteEvaluationNeverYieldsAConvergedNonFiniteResult(String name, Poison poison, int k) {
        ReferenceCase c = referenceCase(name);
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = run(c, (x, g) -> {
            double f = c.objective().evaluate(x, g);
            return calls.incrementAndGet() == k ? poison.apply(f, g) : f;
        }, b -> b);
        if (k == 1) {
            assertEquals(Termination.NON_FINITE, r.termination(), "a non-finite x0 is an immediate failure");
            assertEquals(1, r.evaluations());
            assertFalse(r.converged());
            assertTrue(r.explanation().contains("at the starting point"), r::explanation);
            return;
        }
        // The poisoned trial is rejected (the step is halved): the run goes on from finite values.
        assertTrue(Double.isFinite(r.value()), r::toString);
        for (double v : r.gradient()) {
            assertTrue(Double.isFinite(v), r::toString);
        }
        double[] g = new double[c.n()];
        assertEquals(valueAt(c, r.x(), g), r.value(), "f of the returned x, never the poisoned value");
        assertArrayEquals(g, r.gradient());
        if (r.converged()) {
            assertTrue(r.termination().isConvergence());
            assertTrue(r.projectedGradientNorm() <= c.options().gtol() || r.termination()
                    == Termination.CONVERGED_RELATIVE_REDUCTION);
        }
        assertTrue(r.converged(), () -> "one bad trial is survived: " + r.explanation());
    }

    @ParameterizedTest(name = "{0} at evaluation {1} of f")
    @MethodSource("differenceInjections")
    void aNonFiniteValueInsideDifferencesIsSurvivedToo(Poison poison, int k) {
        ReferenceCase c = referenceCase("rosen2d_standard");
        AtomicInteger calls = new AtomicInteger();
        ValueObjective f = x -> {
            DoubleBuffer g = DoubleBuffer.allocate(2);
            double v = c.objective().evaluate(x, g);
            return calls.incrementAndGet() == k ? poison.apply(v, g) : v;
        };
        LbfgsbResult r = Lbfgsb.minimize(f, GradientScheme.threePoint(), c.x0(), Bounds.unbounded(2),
                StoppingTest.optionsOf(c).build());
        if (k <= 5) {
            assertEquals(Termination.NON_FINITE, r.termination(), "f or a quotient at x0");
            return;
        }
        assertTrue(r.converged(), r::explanation);
        assertTrue(Double.isFinite(r.value()));
    }

    static Stream<Arguments> differenceInjections() {
        return Stream.of(Poison.NAN_VALUE, Poison.POSITIVE_INFINITE_VALUE, Poison.NEGATIVE_INFINITE_VALUE)
                .flatMap(p -> IntStream.of(1, 2, 5, 6, 7, 9, 11, 20, 33).mapToObj(k -> Arguments.of(p, k)));
    }

    @Test
    void aNonFiniteTrialHalvesTheStepInsteadOfEndingTheLineSearch() {
        ReferenceCase c = referenceCase("rosen2d_standard");
        // Evaluation 2 is the first trial of the first line search, whose memory is empty.
        Objective poisoned = new Objective() {
            int calls;

            @Override
            public double evaluate(DoubleBuffer x, DoubleBuffer g) {
                double f = c.objective().evaluate(x, g);
                return ++calls == 2 ? Double.NaN : f;
            }
        };
        LbfgsbResult halved = run(c, poisoned, b -> b);
        assertTrue(halved.converged(), halved::explanation);
        LbfgsbResult noRetreat = run(c, new Objective() {
            int calls;

            @Override
            public double evaluate(DoubleBuffer x, DoubleBuffer g) {
                double f = c.objective().evaluate(x, g);
                return ++calls == 2 ? Double.NaN : f;
            }
        }, b -> b.maxNonFiniteBacktracks(0));
        assertEquals(Termination.ABNORMAL_LINE_SEARCH, noRetreat.termination(), "maxNonFiniteBacktracks(0) fails at once");
        assertEquals(2, noRetreat.evaluations());
        assertTrue(noRetreat.explanation().contains("1 line-search trial returned a non-finite f"),
                noRetreat::explanation);
    }

    @Test
    void theStepIsHalvedAtMostMaxNonFiniteBacktracksTimes() {
        ReferenceCase c = referenceCase("rosen2d_standard");
        for (int backtracks : new int[] {0, 1, 3, 7}) {
            AtomicInteger calls = new AtomicInteger();
            // Every trial is NaN: the first line search retreats `backtracks` times, then fails.
            LbfgsbResult r = run(c, (x, g) -> {
                double f = c.objective().evaluate(x, g);
                return calls.incrementAndGet() == 1 ? f : Double.NaN;
            }, b -> b.maxNonFiniteBacktracks(backtracks));
            assertEquals(Termination.ABNORMAL_LINE_SEARCH, r.termination());
            assertEquals(1 + 1 + backtracks, r.evaluations(), "x0, the first trial, one more per halving");
            assertArrayEquals(c.x0(), r.x());
            assertEquals(24.2, r.value(), 1e-12, "f of x0, not NaN");
        }
    }

    // ---- every ending explained with its numbers ----

    @Test
    void everyTerminationIsExplainedWithItsNumbers() {
        ReferenceCase rosen = referenceCase("rosen2d_standard");
        LbfgsbResult relative = run(rosen, rosen.objective(), b -> b);
        assertTrue(relative.explanation().startsWith("relative reduction of f (f_prev - f) / max(|f_prev|, |f|, 1) = ("
                + rosen.expected().fTrace()[34] + " - " + rosen.expected().fTrace()[35] + ") / "), relative::explanation);
        assertTrue(relative.explanation().contains("<= 2.2e-09 (relativeReductionTolerance) after 36 iterations and 44"
                + " evaluations"), relative::explanation);

        LbfgsbResult gradient = run(rosen, rosen.objective(), b -> b.projectedGradientTolerance(1e-3));
        assertEquals(Termination.CONVERGED_PROJECTED_GRADIENT, gradient.termination());
        assertTrue(gradient.explanation().startsWith("projected gradient "
                + Explanation.compare(gradient.projectedGradientNorm(), "<=", 1e-3)
                + " (projectedGradientTolerance) after "), gradient::explanation);

        ReferenceCase atMin = referenceCase("rosen2d_at_minimum");
        assertTrue(run(atMin, atMin.objective(), b -> b).explanation()
                .startsWith("projected gradient 0.0e+00 <= 1.0e-05 (projectedGradientTolerance) at the starting point"));

        ReferenceCase maxiter = referenceCase("rosen2d_maxiter5");
        assertTrue(run(maxiter, maxiter.objective(), b -> b).explanation()
                .startsWith("iteration limit: 5 iterations >= maxIterations = 5; not converged"));

        ReferenceCase maxfun = referenceCase("rosen2d_maxfun5");
        assertTrue(run(maxfun, maxfun.objective(), b -> b).explanation()
                .startsWith("evaluation limit: 7 evaluations > maxEvaluations = 5 (checked at the end of each iteration)"));

        ReferenceCase abnormal = referenceCase("rosen2d_maxls1");
        String a = run(abnormal, abnormal.objective(), b -> b).explanation();
        assertTrue(a.startsWith("the line search found no acceptable step within maxLineSearchSteps = 1 evaluations"), a);
        assertTrue(a.contains("gradient inconsistent with f: check it with GradientCheck.of(objective, x, bounds)"), a);

        LbfgsbResult nonFinite = run(rosen, (x, g) -> {
            rosen.objective().evaluate(x, g);
            g.put(1, Double.NaN);
            return 1.0;
        }, b -> b);
        assertEquals("gradient component 1 = NaN at the starting point (f = 1.0): no step can be computed; fix the"
                + " objective or start where it is finite", nonFinite.explanation());
        assertTrue(Double.isNaN(nonFinite.projectedGradientNorm()));
    }

    @Test
    void theExplanationShowsEnoughDigitsToTellTheNumbersApart() {
        assertEquals("8.1e-06 <= 1.0e-05", Explanation.compare(8.1e-6, "<=", 1e-5));
        assertEquals("9.9996e-06 <= 1.0000e-05", Explanation.compare(9.9996e-6, "<=", 1e-5));
        assertEquals("1.0e-05 <= 1.0e-05", Explanation.compare(1e-5, "<=", 1e-5));
    }

    // ---- the knobs SciPy hard-codes: each changes the run ----

    static Stream<Arguments> lineSearchKnobs() {
        return Stream.of(
                Arguments.of("lineSearchSufficientDecrease 0.3",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.lineSearchSufficientDecrease(0.3)),
                Arguments.of("lineSearchCurvature 0.1",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.lineSearchCurvature(0.1)),
                Arguments.of("lineSearchStepTolerance 0.9 with curvature 0.01",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.lineSearchCurvature(0.01)
                                .lineSearchStepTolerance(0.9)),
                Arguments.of("lineSearchMaxStep 0.05",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.lineSearchMaxStep(0.05)),
                Arguments.of("curvaturePairThreshold 1e3",
                        (UnaryOperator<LbfgsbOptions.Builder>) b -> b.curvaturePairThreshold(1e3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lineSearchKnobs")
    void everyLineSearchKnobChangesTheRun(String name, UnaryOperator<LbfgsbOptions.Builder> knob) {
        ReferenceCase c = referenceCase("rosen2d_standard");
        LbfgsbResult defaults = run(c, c.objective(), b -> b);
        assertEquals(c.expected().nfev(), defaults.evaluations());
        LbfgsbResult changed = run(c, c.objective(), knob);
        assertNotEquals(defaults, changed, name + " must change the iterates");
    }

    @Test
    void aStepToleranceOnlyMattersWhenTheSearchIntervalShrinks() {
        // xtol ends a search whose interval of uncertainty became small: with the curvature test
        // made strict, a loose xtol accepts earlier, so the runs differ in their counts.
        ReferenceCase c = referenceCase("rosen2d_standard");
        LbfgsbResult tight = run(c, c.objective(), b -> b.lineSearchCurvature(0.01).lineSearchStepTolerance(1e-6));
        LbfgsbResult loose = run(c, c.objective(), b -> b.lineSearchCurvature(0.01).lineSearchStepTolerance(0.9));
        assertNotEquals(tight.evaluations(), loose.evaluations());
    }

    @Test
    void theMaxStepCapsTheFirstStepOfAnUnboundedSearch() {
        // Iteration 1's first trial is min(1/||d||, maxStep); ||g(x0)|| = 232 for this start, so
        // a cap of 1e-3 shortens it (and its successors differ).
        ReferenceCase c = referenceCase("rosen2d_standard");
        List<Double> steps = new ArrayList<>();
        run(c, c.objective(), b -> b.lineSearchMaxStep(1e-3).maxIterations(1).iterationListener(s -> {
            steps.add(s.stepLength());
            return IterationListener.Action.CONTINUE;
        }));
        assertEquals(1, steps.size());
        assertTrue(steps.get(0) <= 1e-3, "stp " + steps.get(0));
    }

    @Test
    void aHugeCurvaturePairThresholdSkipsEveryUpdate() {
        // With every pair rejected the memory stays empty: each iteration is a steepest-descent
        // step, so the run needs many more iterations than SciPy's 36.
        ReferenceCase c = referenceCase("rosen2d_standard");
        LbfgsbResult r = run(c, c.objective(), b -> b.curvaturePairThreshold(1e300).maxIterations(200));
        assertTrue(r.iterations() > 100, r::toString);
    }

    // ---- parallel finite differences ----

    @Test
    void parallelDifferencesAreBitIdenticalToSerialOnes() throws Exception {
        ReferenceCase c = referenceCase("rosen10_zeros");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            ValueObjective f = x -> {
                threads.add(Thread.currentThread().getName());
                return c.objective().evaluate(x, DoubleBuffer.allocate(x.limit()));
            };
            for (GradientScheme scheme : new GradientScheme[] {GradientScheme.forward(), GradientScheme.twoPoint(),
                    GradientScheme.threePoint()}) {
                LbfgsbResult serial = Lbfgsb.minimize(f, scheme, c.x0(), Bounds.box(10, -0.5, 0.9),
                        StoppingTest.optionsOf(c).build());
                threads.clear();
                LbfgsbResult parallel = Lbfgsb.minimize(f, scheme.parallel(pool, 3), c.x0(), Bounds.box(10, -0.5, 0.9),
                        StoppingTest.optionsOf(c).build());
                assertEquals(serial, parallel, scheme.toString());
                assertEquals(serial.functionEvaluations(), parallel.functionEvaluations());
                assertTrue(threads.stream().anyMatch(t -> t.startsWith("pool-")), "evaluated on the executor");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExceptionInAParallelDifferenceReachesTheCaller() {
        ReferenceCase c = referenceCase("rosen10_zeros");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicInteger calls = new AtomicInteger();
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Lbfgsb.minimize((ValueObjective) x -> {
                        if (calls.incrementAndGet() == 7) {
                            throw boom;
                        }
                        return c.objective().evaluate(x, DoubleBuffer.allocate(x.limit()));
                    }, GradientScheme.forward().parallel(pool, 2), c.x0(), Bounds.unbounded(10),
                            LbfgsbOptions.defaults()));
            assertEquals(boom, e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDifferencesNeverLeaveTheBox() {
        ReferenceCase c = referenceCase("rosen_x0_outside_bounds"); // x0 projected onto 4 bounds
        Bounds box = Bounds.of(c.lower(), c.upper());
        for (GradientScheme scheme : new GradientScheme[] {GradientScheme.forward(), GradientScheme.twoPoint(),
                GradientScheme.threePoint(), GradientScheme.threePoint(0.4)}) {
            AtomicInteger outside = new AtomicInteger();
            LbfgsbResult r = Lbfgsb.minimize((ValueObjective) x -> {
                double[] xs = new double[x.limit()];
                x.get(0, xs);
                if (!box.contains(xs)) {
                    outside.incrementAndGet();
                }
                return c.objective().evaluate(x, DoubleBuffer.allocate(xs.length));
            }, scheme, c.x0(), box, StoppingTest.optionsOf(c).build());
            assertEquals(0, outside.get(), scheme.toString());
            assertTrue(r.converged(), r::explanation);
        }
    }

    @Test
    void aRepeatedRequestReusesTheLastGradientAsScipyDoes() {
        // The memo: evaluating the same x twice in a row costs nothing the second time.
        AtomicInteger calls = new AtomicInteger();
        FiniteDifferenceGradient fd = new FiniteDifferenceGradient(x -> {
            calls.incrementAndGet();
            return x.get(0) * x.get(0);
        }, GradientScheme.forward(), Bounds.unbounded(1), null);
        DoubleBuffer g = DoubleBuffer.allocate(1);
        double f1 = fd.evaluate(DoubleBuffer.wrap(new double[] {3}), g);
        double g1 = g.get(0);
        g.put(0, 42);
        double f2 = fd.evaluate(DoubleBuffer.wrap(new double[] {3}), g);
        assertEquals(f1, f2);
        assertEquals(g1, g.get(0));
        assertEquals(2, calls.get());
        assertEquals(1, fd.gradientEvaluations());
        fd.evaluate(DoubleBuffer.wrap(new double[] {4}), g);
        assertEquals(4, calls.get());
        assertEquals(2, fd.gradientEvaluations());
    }
}
