package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;
import org.lbfgsb4j.reference.ReferenceProblems;

/**
 * Stopping and monitoring: the target value (constant and supplier, also at x0), the tolerance
 * supplier, the iteration listener's view of the state, the wall-clock limit and the cancellation
 * hook (honoured before every evaluation, inside line searches and between difference quotients;
 * the result is the best point evaluated with its f), in the Java loop and the native-driven one.
 * Each test fails if its option is ignored.
 */
class StoppingTest {

    /** 2-D Rosenbrock from (-1.2, 1): SciPy needs 36 iterations and 44 evaluations. */
    static final String ROSENBROCK_2D = "rosen2d_standard";
    /** The L-BFGS-B driver problem, n = 25, with bounds: 23 iterations, 28 evaluations. */
    static final String DRIVER_25 = "driver1";

    static ReferenceCase referenceCase(String name) {
        return ReferenceData.load().caseNamed(name);
    }

    static LbfgsbOptions.Builder optionsOf(ReferenceCase c) {
        return c.options().builder();
    }

    static Bounds boundsOf(ReferenceCase c) {
        return Bounds.of(c.lower(), c.upper());
    }

    static LbfgsbResult run(ReferenceCase c, Objective objective, LbfgsbOptions options) {
        return Lbfgsb.minimize(objective, c.x0(), boundsOf(c), options);
    }

    /** f and g of the case's objective at x. */
    static double valueAt(ReferenceCase c, double[] x, double[] gradient) {
        DoubleBuffer g = DoubleBuffer.allocate(x.length);
        double f = c.objective().evaluate(DoubleBuffer.wrap(x.clone()), g);
        g.get(0, gradient);
        return f;
    }

    /** One evaluation the solver asked for: x, f, and whether it became an iterate. */
    record Evaluation(double[] x, double f) {}

    /** Records every evaluation. */
    static final class Recorder implements Objective {
        final Objective inner;
        final List<Evaluation> evaluations = Collections.synchronizedList(new ArrayList<>());

        Recorder(Objective inner) {
            this.inner = inner;
        }

        @Override
        public double evaluate(DoubleBuffer x, DoubleBuffer g) {
            double[] xs = new double[x.limit()];
            x.get(0, xs);
            double f = inner.evaluate(x, g);
            evaluations.add(new Evaluation(xs, f));
            return f;
        }
    }

    @BeforeAll
    static void warmUp() {
        // Load the native library and JIT the driver before the timing tests.
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        for (int i = 0; i < 3; i++) {
            run(c, c.objective(), optionsOf(c).build());
        }
    }

    // ---- target value ----

    @Test
    void targetValueStopsAtTheFirstIterateReachingIt() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        double target = 1e-3;
        double[] trace = c.expected().fTrace();
        int k = 0;
        while (trace[k] > target) {
            k++;
        }
        LbfgsbResult r = run(c, c.objective(), optionsOf(c).targetValue(target).build());
        assertEquals(Termination.TARGET_REACHED, r.termination(), r::explanation);
        assertEquals("CONVERGENCE: F <= TARGET", r.message());
        assertTrue(r.converged());
        assertEquals(k + 1, r.iterations(), "the first iterate with f <= target, as SciPy's trace says");
        assertEquals(trace[k], r.value());
        assertTrue(r.explanation().startsWith("f = " + trace[k] + " <= 0.001 (targetValue) after " + (k + 1)
                + " iterations"), r::explanation);
    }

    @Test
    void targetValueIsCheckedAtTheStartingPoint() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D); // f(x0) = 24.2
        LbfgsbResult r = run(c, c.objective(), optionsOf(c).targetValue(24.2).build());
        assertEquals(Termination.TARGET_REACHED, r.termination());
        assertEquals(0, r.iterations());
        assertEquals(1, r.evaluations());
        assertEquals(24.2, r.value(), 1e-12);
        assertTrue(r.explanation().contains("at the starting point"), r::explanation);
        LbfgsbResult below = run(c, c.objective(), optionsOf(c).targetValue(24.0).build());
        assertNotEquals(0, below.iterations(), "24.0 < f(x0): not reached at x0");
    }

    @Test
    void theProjectedGradientTestAtX0ComesBeforeTheTarget() {
        ReferenceCase c = referenceCase("rosen2d_at_minimum");
        LbfgsbResult r = run(c, c.objective(), optionsOf(c).targetValue(1.0).build());
        assertEquals(Termination.CONVERGED_PROJECTED_GRADIENT, r.termination());
    }

    @Test
    void targetSupplierIsCalledOnceAfterTheFirstEvaluation() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        AtomicInteger evaluations = new AtomicInteger();
        AtomicLong f0Bits = new AtomicLong();
        Objective counting = (x, g) -> {
            double f = c.objective().evaluate(x, g);
            if (evaluations.incrementAndGet() == 1) {
                f0Bits.set(Double.doubleToRawLongBits(f));
            }
            return f;
        };
        List<Integer> callsSeen = new ArrayList<>();
        LbfgsbResult r = run(c, counting, optionsOf(c).targetValue(() -> {
            callsSeen.add(evaluations.get());
            return 0.01 * Double.longBitsToDouble(f0Bits.get()); // relative to f(x0)
        }).build());
        assertEquals(List.of(1), callsSeen, "once, right after the first evaluation");
        assertEquals(Termination.TARGET_REACHED, r.termination());
        LbfgsbResult constant = run(c, c.objective(), optionsOf(c).targetValue(0.01 * 24.2).build());
        assertEquals(constant.iterations(), r.iterations());
        assertEquals(constant.value(), r.value());
    }

    @Test
    void projectedGradientToleranceSupplierReplacesTheConstant() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D); // |pg(x0)| = 215.6
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult atX0 = run(c, c.objective(), optionsOf(c).projectedGradientTolerance(() -> {
            calls.incrementAndGet();
            return 300.0;
        }).build());
        assertEquals(1, calls.get());
        assertEquals(Termination.CONVERGED_PROJECTED_GRADIENT, atX0.termination());
        assertEquals(0, atX0.iterations());
        LbfgsbResult supplied = run(c, c.objective(), optionsOf(c).projectedGradientTolerance(() -> 1.0).build());
        LbfgsbResult constant = run(c, c.objective(), optionsOf(c).projectedGradientTolerance(1.0).build());
        assertEquals(constant, supplied);
        assertTrue(supplied.iterations() < c.expected().nit());
    }

    @Test
    void invalidSuppliedValuesAreRejectedNamingTheSupplier() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
                () -> run(c, c.objective(), optionsOf(c).targetValue(() -> Double.NaN).build()));
        assertTrue(target.getMessage().startsWith("targetValue supplier"), target.getMessage());
        assertTrue(target.getMessage().endsWith("returned NaN: must not be NaN"), target.getMessage());
        IllegalArgumentException tolerance = assertThrows(IllegalArgumentException.class,
                () -> run(c, c.objective(), optionsOf(c).projectedGradientTolerance(() -> -1.0).build()));
        assertTrue(tolerance.getMessage().endsWith("returned -1.0: must be finite and >= 0"), tolerance.getMessage());
    }

    @Test
    void suppliersWorkInTheNativeCallbackLoopAndAreRefusedForACFunction() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        LbfgsbOptions options = optionsOf(c).targetValue(() -> 0.5).build();
        LbfgsbResult loop = run(c, c.objective(), options);
        LbfgsbResult callback = Lbfgsb.minimize(NativeObjective.callback(c.objective()), c.x0(), boundsOf(c), options);
        assertEquals(Termination.TARGET_REACHED, callback.termination());
        assertEquals(loop, callback);
        try (NativeObjectiveTest.RawObjective raw = new NativeObjectiveTest.RawObjective(c.objective(), 0, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Lbfgsb.minimize(NativeObjective.functionPointer(raw.functionAddress(), 0), c.x0(), boundsOf(c),
                            options));
            assertTrue(e.getMessage().startsWith("targetValueSupplier = "), e.getMessage());
            assertEquals(0, raw.calls);
        }
    }

    // ---- the listener's view ----

    @Test
    void theListenerSeesTheFullReadOnlyStateOfEveryIterate() {
        ReferenceCase c = referenceCase(DRIVER_25);
        Recorder recorder = new Recorder(c.objective());
        List<IterationState> seen = new ArrayList<>();
        List<Long> elapsed = new ArrayList<>();
        LbfgsbResult r = run(c, recorder, optionsOf(c).iterationListener(s -> {
            int n = s.size();
            double[] x = new double[n];
            double[] g = new double[n];
            s.x().get(0, x);
            s.gradient().get(0, g);
            assertThrows(ReadOnlyBufferException.class, () -> s.x().put(0, 1.0));
            assertThrows(ReadOnlyBufferException.class, () -> s.gradient().put(0, 1.0));
            Evaluation last = recorder.evaluations.get(recorder.evaluations.size() - 1);
            assertEquals(recorder.evaluations.size(), s.evaluations());
            assertEquals(s.evaluations(), s.functionEvaluations());
            assertEquals(s.evaluations(), s.gradientEvaluations());
            assertArrayEquals(last.x(), x, "the iterate is the last point evaluated");
            assertEquals(last.f(), s.value());
            double[] expectedGradient = new double[n];
            assertEquals(valueAt(c, x, expectedGradient), s.value());
            assertArrayEquals(expectedGradient, g);
            assertEquals(ReferenceProblems.projectedGradientNorm(x, g, c.lower(), c.upper()),
                    s.projectedGradientNorm());
            assertTrue(s.stepLength() > 0);
            assertTrue(s.freeVariables() >= 0 && s.freeVariables() <= n);
            elapsed.add(s.elapsed().toNanos());
            // Nothing changes the views while the listener runs.
            double[] again = new double[n];
            s.x().get(0, again);
            assertArrayEquals(x, again);
            seen.add(s);
            return IterationListener.Action.CONTINUE;
        }).build());
        assertEquals(r.iterations(), seen.size());
        for (int k = 0; k < seen.size(); k++) {
            assertEquals(k + 1, seen.get(k).iteration());
            assertEquals(c.expected().fTrace()[k], seen.get(k).value());
        }
        for (int k = 1; k < elapsed.size(); k++) {
            assertTrue(elapsed.get(k) >= elapsed.get(k - 1), "elapsed time never decreases");
        }
    }

    @Test
    void theListenerStopsTheRun() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        LbfgsbResult r = run(c, c.objective(), optionsOf(c)
                .iterationListener(s -> s.iteration() == 4 ? IterationListener.Action.STOP
                        : IterationListener.Action.CONTINUE).build());
        assertEquals(Termination.STOPPED_BY_LISTENER, r.termination());
        assertEquals(4, r.iterations());
        assertFalse(r.converged());
        assertEquals("the iteration listener returned STOP at iteration 4; f = " + c.expected().fTrace()[3]
                + ", projected gradient " + Explanation.num(r.projectedGradientNorm()), r.explanation());
    }

    // ---- cancellation: deterministic, at every evaluation ----

    static Stream<Arguments> cancellations() {
        return Stream.of(ROSENBROCK_2D, DRIVER_25)
                .flatMap(name -> IntStream.rangeClosed(1, 27).mapToObj(k -> Arguments.of(name, k)));
    }

    @ParameterizedTest(name = "{0}, cancelled during evaluation {1}")
    @MethodSource("cancellations")
    void cancellationEndsTheRunBeforeTheNextEvaluationWithTheBestPointEvaluated(String name, int k) {
        ReferenceCase c = referenceCase(name);
        AtomicBoolean cancelled = new AtomicBoolean();
        Recorder recorder = new Recorder((x, g) -> {
            double f = c.objective().evaluate(x, g);
            return f;
        });
        List<Integer> iterateAt = new ArrayList<>(); // evaluation count at each iterate
        Objective objective = (x, g) -> {
            double f = recorder.evaluate(x, g);
            if (recorder.evaluations.size() == k) {
                cancelled.set(true);
            }
            return f;
        };
        LbfgsbResult r = run(c, objective, optionsOf(c).cancellation(cancelled::get).iterationListener(s -> {
            iterateAt.add((int) s.evaluations());
            return IterationListener.Action.CONTINUE;
        }).build());
        assertEquals(Termination.CANCELLED, r.termination(), r::explanation);
        assertEquals("STOP: CANCELLED", r.message());
        assertEquals(k, recorder.evaluations.size(), "no evaluation after the one that cancelled");
        assertEquals(k, r.evaluations());
        assertFalse(r.converged());
        // The result is f and g at its x, an evaluated point within the bounds ...
        double[] x = r.x();
        double[] g = new double[c.n()];
        assertEquals(valueAt(c, x, g), r.value(), "f(x)");
        assertArrayEquals(g, r.gradient(), "g(x)");
        assertTrue(Bounds.of(c.lower(), c.upper()).contains(x));
        // ... the best of all the points evaluated.
        Evaluation best = recorder.evaluations.get(0);
        for (Evaluation e : recorder.evaluations) {
            if (e.f() < best.f()) {
                best = e;
            }
        }
        assertEquals(best.f(), r.value(), "the lowest f evaluated");
        assertArrayEquals(best.x(), x, "at the point where it was evaluated");
        int lastIterate = iterateAt.isEmpty() ? 1 : iterateAt.get(iterateAt.size() - 1);
        assertTrue(r.value() <= recorder.evaluations.get(lastIterate - 1).f(), "never worse than the last iterate");
        assertTrue(r.explanation().startsWith("cancelled (the cancellation hook returned true) after "),
                r::explanation);
    }

    @Test
    void anInPlaceRunLeavesTheBestPointInTheCallersBuffer() {
        ReferenceCase c = referenceCase(DRIVER_25);
        DoubleBuffer x = java.nio.ByteBuffer.allocateDirect(8 * c.n()).order(java.nio.ByteOrder.nativeOrder())
                .asDoubleBuffer();
        x.put(0, c.x0());
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize((xv, g) -> {
            double f = c.objective().evaluate(xv, g);
            return f;
        }, x, boundsOf(c), optionsOf(c).cancellation(() -> calls.incrementAndGet() > 12).build());
        assertEquals(Termination.CANCELLED, r.termination());
        double[] inBuffer = new double[c.n()];
        x.get(0, inBuffer);
        assertArrayEquals(r.x(), inBuffer);
        double[] g = new double[c.n()];
        assertEquals(valueAt(c, inBuffer, g), r.value());
    }

    @Test
    void cancellationBeforeTheFirstEvaluationReturnsX0WithNaN() {
        ReferenceCase c = referenceCase(DRIVER_25);
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = run(c, (x, g) -> {
            calls.incrementAndGet();
            return c.objective().evaluate(x, g);
        }, optionsOf(c).cancellation(() -> true).build());
        assertEquals(0, calls.get());
        assertEquals(Termination.CANCELLED, r.termination());
        assertEquals(0, r.evaluations());
        assertTrue(Double.isNaN(r.value()));
        for (double v : r.gradient()) {
            assertTrue(Double.isNaN(v));
        }
        assertArrayEquals(c.x0Clipped(), r.x());
        assertTrue(r.explanation().endsWith("before the starting point was evaluated: f is NaN"), r::explanation);
    }

    @ParameterizedTest(name = "cancelled during value evaluation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 10, 11, 12, 20, 31, 50})
    void cancellationIsCheckedBetweenDifferenceQuotients(int k) {
        ReferenceCase c = referenceCase(ROSENBROCK_2D); // n = 2: 3 evaluations of f per gradient
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean cancelled = new AtomicBoolean();
        ValueObjective f = x -> {
            if (calls.incrementAndGet() == k) {
                cancelled.set(true);
            }
            return c.objective().evaluate(x, DoubleBuffer.allocate(2));
        };
        LbfgsbResult r = Lbfgsb.minimize(f, GradientScheme.forward(), c.x0(), boundsOf(c),
                optionsOf(c).cancellation(cancelled::get).build());
        assertEquals(Termination.CANCELLED, r.termination());
        assertEquals(k, calls.get(), "not one evaluation of f after the cancellation");
        assertEquals(k, r.functionEvaluations());
        assertEquals(k / 3, r.gradientEvaluations(), "complete gradients only");
        assertEquals(k / 3, r.evaluations(), "the solver saw complete evaluations only");
        if (k < 3) {
            assertTrue(Double.isNaN(r.value()), "interrupted before x0's gradient was complete");
        } else {
            assertEquals(c.objective().evaluate(DoubleBuffer.wrap(r.x()), DoubleBuffer.allocate(2)), r.value());
        }
    }

    @ParameterizedTest(name = "cancelled during evaluation {0}")
    @ValueSource(ints = {1, 2, 5, 9, 17})
    void theNativeCallbackLoopIsCancelledBeforeEveryEvaluationToo(int k) {
        ReferenceCase c = referenceCase(DRIVER_25);
        AtomicBoolean cancelledJava = new AtomicBoolean();
        AtomicInteger javaCalls = new AtomicInteger();
        LbfgsbResult loop = run(c, (x, g) -> {
            if (javaCalls.incrementAndGet() == k) {
                cancelledJava.set(true);
            }
            return c.objective().evaluate(x, g);
        }, optionsOf(c).cancellation(cancelledJava::get).build());
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult callback = Lbfgsb.minimize(NativeObjective.callback((x, g) -> {
            if (calls.incrementAndGet() == k) {
                cancelled.set(true);
            }
            return c.objective().evaluate(x, g);
        }), c.x0(), boundsOf(c), optionsOf(c).cancellation(cancelled::get).build());
        assertEquals(Termination.CANCELLED, callback.termination());
        assertEquals(k, calls.get());
        assertEquals(loop, callback, "the same result as the Java loop, bit for bit");
    }

    @Test
    void aCFunctionIsCancelledAfterAnIteration() {
        ReferenceCase c = referenceCase(DRIVER_25);
        AtomicBoolean cancelled = new AtomicBoolean();
        try (NativeObjectiveTest.RawObjective raw = new NativeObjectiveTest.RawObjective(c.objective(), 0, 0) {
            @Override
            public int call(long n, long x, long f, long g, long user) {
                if (calls == 6) {
                    cancelled.set(true); // in the middle of iteration 2's line search or so
                }
                return super.call(n, x, f, g, user);
            }
        }) {
            List<Long> iterates = new ArrayList<>();
            LbfgsbResult r = Lbfgsb.minimize(NativeObjective.functionPointer(raw.functionAddress(), 0), c.x0(), boundsOf(c),
                    optionsOf(c).cancellation(cancelled::get).iterationListener(s -> {
                        iterates.add(s.evaluations());
                        return IterationListener.Action.CONTINUE;
                    }).build());
            assertEquals(Termination.CANCELLED, r.termination());
            assertEquals(raw.calls, r.evaluations());
            assertEquals(iterates.get(iterates.size() - 1).longValue(), r.evaluations(),
                    "ends at the first iterate after the cancellation");
            assertTrue(r.evaluations() >= 7);
            assertEquals(c.expected().fTrace()[(int) r.iterations() - 1], r.value());
        }
    }

    // ---- the time limit ----

    /**
     * At most one evaluation starts after the limit: the one whose check came just before it. The
     * library's clock starts when {@code minimize} is entered, before the first evaluation, so the
     * first evaluation's start plus the limit is a deadline no earlier than the library's.
     */
    static void assertAtMostOneStartAfterTheLimit(List<Long> starts, Duration limit) {
        long deadline = starts.get(0) + limit.toNanos();
        long late = starts.stream().filter(s -> s > deadline).count();
        assertTrue(late <= 1, () -> late + " evaluations started after the limit; starts (ms from the first) "
                + starts.stream().map(s -> String.format("%.3f", (s - starts.get(0)) / 1e6)).toList());
    }

    @Test
    void theTimeLimitStopsWithinOneEvaluation() {
        ReferenceCase c = referenceCase("rosen_n20_maxcor3"); // 178 evaluations unlimited
        Duration limit = Duration.ofMillis(120);
        LbfgsbOptions options = optionsOf(c).timeLimit(limit).build();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        LbfgsbResult r = run(c, (x, g) -> {
            starts.add(System.nanoTime());
            sleep(4);
            return c.objective().evaluate(x, g);
        }, options);
        assertEquals(Termination.TIME_LIMIT, r.termination(), r::explanation);
        assertEquals("STOP: TIME LIMIT REACHED", r.message());
        assertAtMostOneStartAfterTheLimit(starts, limit);
        assertTrue(starts.size() < c.expected().nfev());
        assertEquals(starts.size(), r.evaluations());
        double[] g = new double[c.n()];
        assertEquals(valueAt(c, r.x(), g), r.value());
        assertTrue(r.explanation().startsWith("time limit 0.120 s reached after "), r::explanation);
    }

    @Test
    void theTimeLimitIsHonouredInsideALineSearch() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        // Find an evaluation that is a rejected trial of a line search (not an iterate).
        List<Long> iterates = new ArrayList<>();
        run(c, c.objective(), optionsOf(c).iterationListener(s -> {
            iterates.add(s.evaluations());
            return IterationListener.Action.CONTINUE;
        }).build());
        int k = 2;
        while (iterates.contains((long) k)) {
            k++;
        }
        int slow = k;
        long iterationsBefore = iterates.stream().filter(e -> e < slow).count();
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = run(c, (x, g) -> {
            if (calls.incrementAndGet() == slow) {
                sleep(600);
            }
            return c.objective().evaluate(x, g);
        }, optionsOf(c).timeLimit(Duration.ofMillis(300)).build());
        assertEquals(Termination.TIME_LIMIT, r.termination());
        assertEquals(slow, calls.get(), "stopped right after the slow trial, inside its line search");
        assertEquals(iterationsBefore, r.iterations());
        assertTrue(r.explanation().contains("inside a line search"), r::explanation);
    }

    @Test
    void theTimeLimitIsCheckedBetweenDifferenceQuotients() {
        ReferenceCase c = referenceCase("rosen10_zeros"); // 11 evaluations of f per forward gradient
        Duration limit = Duration.ofMillis(100);
        LbfgsbOptions options = optionsOf(c).timeLimit(limit).build();
        GradientScheme scheme = GradientScheme.forward();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        LbfgsbResult r = Lbfgsb.minimize((ValueObjective) x -> {
            starts.add(System.nanoTime());
            sleep(3);
            return c.objective().evaluate(x, DoubleBuffer.allocate(10));
        }, scheme, c.x0(), boundsOf(c), options);
        assertEquals(Termination.TIME_LIMIT, r.termination());
        assertAtMostOneStartAfterTheLimit(starts, limit);
        assertEquals(starts.size(), r.functionEvaluations());
    }

    @Test
    void theNativeCallbackLoopHonoursTheTimeLimitBeforeEveryEvaluation() {
        ReferenceCase c = referenceCase("rosen_n20_maxcor3");
        Duration limit = Duration.ofMillis(80);
        LbfgsbOptions options = optionsOf(c).timeLimit(limit).build();
        List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        NativeObjective objective = NativeObjective.callback((x, g) -> {
            starts.add(System.nanoTime());
            sleep(4);
            return c.objective().evaluate(x, g);
        });
        LbfgsbResult r = Lbfgsb.minimize(objective, c.x0(), boundsOf(c), options);
        assertEquals(Termination.TIME_LIMIT, r.termination());
        assertAtMostOneStartAfterTheLimit(starts, limit);
        assertEquals(starts.size(), r.evaluations());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
