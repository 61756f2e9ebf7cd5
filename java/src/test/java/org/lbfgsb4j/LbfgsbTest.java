package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/**
 * The public driver {@link Lbfgsb#minimize} with its Java loop: input validation, what it leaves
 * untouched, projection of x0, exceptions, the iteration listener, the buffers the objective gets,
 * the in-place {@link DoubleBuffer} overload, NaN robustness and the iteration and evaluation
 * limits.
 *
 * <p>Problems and expectations come from the SciPy reference data ({@link ReferenceData}): the
 * objectives are bit-identical twins of SciPy's, so iteration and evaluation counts are compared
 * exactly with SciPy's. Comparisons between two runs of this library are bit for bit
 * ({@code assertEquals} on doubles compares bit patterns): the core is deterministic, so any
 * difference is a bug, not rounding.
 */
class LbfgsbTest {

    /** Chained Rosenbrock n = 2 from (-1.2, 1), unbounded: converges after 36 iterations, 44 evaluations. */
    static final String ROSENBROCK_2D = "rosen2d_standard";
    /** Chained Rosenbrock n = 5 in [-1.5, 1.5]^5 from x0 = (-3, 0.5, 4, -2, 1.6), outside the box. */
    static final String ROSENBROCK_X0_OUTSIDE = "rosen_x0_outside_bounds";
    /** Chained Rosenbrock n = 1000 in [-2, 0.5]^n; x0 = (-1.2, 1, ...) is partly outside the box. */
    static final String ROSENBROCK_N1000_BOX = "rosen_n1000_box";
    /** The L-BFGS-B 3.0 driver problem at n = 25 with driver1's bounds (mixed lower/upper/both). */
    static final String DRIVER_25 = "driver1";
    /** Rosenbrock n = 2 with maxiter = 5: SciPy stops after 5 iterations, 8 evaluations. */
    static final String ROSENBROCK_MAXITER_5 = "rosen2d_maxiter5";
    /** Rosenbrock n = 2 with maxfun = 5: SciPy stops after 4 iterations with 7 evaluations (> 5). */
    static final String ROSENBROCK_MAXFUN_5 = "rosen2d_maxfun5";
    /** Rosenbrock n = 2 with maxls = 1: ABNORMAL after 2 evaluations, 0 iterations. */
    static final String ROSENBROCK_MAXLS_1 = "rosen2d_maxls1";

    static ReferenceCase referenceCase(String name) {
        return ReferenceData.load().caseNamed(name);
    }

    /** The options SciPy ran the case with, plus a listener (may be null). */
    static LbfgsbOptions optionsOf(ReferenceCase c, IterationListener listener) {
        return c.options().builder().iterationListener(listener).build();
    }

    static Bounds boundsOf(ReferenceCase c) {
        return Bounds.of(c.lower(), c.upper());
    }

    static LbfgsbResult run(ReferenceCase c) {
        return Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, null));
    }

    /** Counts, termination and message equal to SciPy's for a case without a stop rule. */
    static void assertMatchesScipyCounts(ReferenceCase c, LbfgsbResult r) {
        ReferenceCase.Expected e = c.expected();
        assertAll(c.name(),
                () -> assertEquals(e.message(), r.message(), "message"),
                () -> assertEquals(e.nit(), r.iterations(), "iterations"),
                () -> assertEquals(e.nfev(), r.evaluations(), "evaluations"));
    }

    /** Every field of two results, bit for bit, each with its own message. */
    static void assertBitIdentical(LbfgsbResult expected, LbfgsbResult actual) {
        assertAll(
                () -> assertEquals(expected.termination(), actual.termination(), "termination"),
                () -> assertEquals(expected.iterations(), actual.iterations(), "iterations"),
                () -> assertEquals(expected.evaluations(), actual.evaluations(), "evaluations"),
                () -> assertEquals(expected.value(), actual.value(), "value"),
                () -> assertEquals(expected.projectedGradientNorm(), actual.projectedGradientNorm(),
                        "projected gradient norm"),
                () -> assertEquals(expected.x0Projected(), actual.x0Projected(), "x0Projected"),
                () -> assertArrayEquals(expected.x(), actual.x(), "x"),
                () -> assertArrayEquals(expected.gradient(), actual.gradient(), "gradient"),
                () -> assertEquals(expected, actual, "equals()"));
    }

    /** Throws any throwable, checked or not, without declaring it. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    /** {@code inner}, except that evaluation number {@code k} (1-based) throws {@code t}. */
    static Objective throwingAtEvaluation(Objective inner, int k, Throwable t) {
        AtomicInteger calls = new AtomicInteger();
        return (x, g) -> {
            if (calls.incrementAndGet() == k) {
                throw sneakyThrow(t);
            }
            return inner.evaluate(x, g);
        };
    }

    static DoubleBuffer directBuffer(int capacity) {
        return ByteBuffer.allocateDirect(Double.BYTES * capacity).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    static double[] copyOf(DoubleBuffer b) {
        double[] a = new double[b.limit()];
        b.get(0, a);
        return a;
    }

    /** An objective that must never be called: for inputs that are rejected before any evaluation. */
    private static final Objective NEVER_CALLED = (x, g) -> fail("the objective must not be called");

    /** The rejection is an IllegalArgumentException whose message contains every fragment. */
    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message \"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
        }
    }

    // ---- bad input ----

    @Test
    void nullArgumentsAreRejectedByName() {
        double[] x0 = {1, 2};
        Bounds bounds = Bounds.unbounded(2);
        LbfgsbOptions options = LbfgsbOptions.defaults();
        assertAll(
                () -> assertRejected(() -> Lbfgsb.minimize((Objective) null, x0, bounds, options), "objective = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, (double[]) null, bounds, options), "x0 = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x0, null, options), "bounds = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x0, bounds, null), "options = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(null, x0), "objective = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, (double[]) null), "x0 = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(null, x0, bounds), "objective = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x0, (Bounds) null), "bounds = null"));
    }

    @Test
    void nullArgumentsOfTheBufferOverloadAreRejectedByName() {
        DoubleBuffer x = directBuffer(2);
        Bounds bounds = Bounds.unbounded(2);
        LbfgsbOptions options = LbfgsbOptions.defaults();
        assertAll(
                () -> assertRejected(() -> Lbfgsb.minimize(null, x, bounds, options), "objective = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, (DoubleBuffer) null, bounds, options), "x = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x, null, options), "bounds = null", "must not be null"),
                () -> assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x, bounds, null), "options = null", "must not be null"));
    }

    @Test
    void emptyStartingPointIsRejected() {
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, new double[0], Bounds.unbounded(1), LbfgsbOptions.defaults()),
                "x0.length = 0", "must be > 0");
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, new double[0]), "x0.length = 0", "must be > 0");
        DoubleBuffer empty = directBuffer(4).position(4);
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, empty, Bounds.unbounded(1), LbfgsbOptions.defaults()),
                "x.remaining() = 0", "must be > 0");
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteStartingPointIsRejectedWithItsIndexAndValue(double bad) {
        double[] x0 = {0.5, -1, bad, 3};
        double[] before = x0.clone();
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x0, Bounds.unbounded(4), LbfgsbOptions.defaults()),
                "x0[2] = " + bad, "must be finite");
        assertArrayEquals(before, x0);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteStartInABufferIsRejectedWithItsIndexFromThePosition(double bad) {
        // The Javadoc calls the remaining() doubles from the position x0: x0[1] is x.get(position + 1).
        DoubleBuffer x = directBuffer(6).put(0, new double[] {bad, 0, 1, bad, 2, bad}).position(2).limit(5);
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x, Bounds.unbounded(3), LbfgsbOptions.defaults()),
                "x0[1] = " + bad, "must be finite");
        assertEquals(2, x.position());
        assertEquals(5, x.limit());
    }

    @Test
    void boundsOfAnotherSizeAreRejected() {
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, new double[] {1, 2, 3}, Bounds.unbounded(2),
                LbfgsbOptions.defaults()), "bounds.size() = 2", "must equal the length of x0, 3");
        DoubleBuffer x = directBuffer(5).position(1);
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x, Bounds.box(5, -1, 1), LbfgsbOptions.defaults()),
                "bounds.size() = 5", "must equal the length of x0, 4");
    }

    static Stream<Arguments> unusableBuffers() {
        ByteOrder foreign = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return Stream.of(
                Arguments.of("heap (not direct)", DoubleBuffer.wrap(new double[] {1, 2}), "direct=false"),
                Arguments.of("read-only", directBuffer(2).asReadOnlyBuffer(), "readOnly=true"),
                Arguments.of("foreign byte order",
                        ByteBuffer.allocateDirect(16).order(foreign).asDoubleBuffer(), "order=" + foreign));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableBuffers")
    void bufferThatCannotBeUsedInPlaceIsRejectedWithTheReason(String kind, DoubleBuffer x, String reason) {
        assertRejected(() -> Lbfgsb.minimize(NEVER_CALLED, x, Bounds.unbounded(2), LbfgsbOptions.defaults()),
                "x = ", reason, "must be a direct, writable DoubleBuffer in native byte order");
    }

    // ---- what the caller passed stays as it was ----

    @ParameterizedTest
    @ValueSource(strings = {ROSENBROCK_X0_OUTSIDE, ROSENBROCK_N1000_BOX, DRIVER_25})
    void startingPointAndBoundArraysAreNotModified(String name) {
        ReferenceCase c = referenceCase(name);
        double[] x0 = c.x0().clone();
        double[] lower = c.lower().clone();
        double[] upper = c.upper().clone();
        Bounds bounds = Bounds.of(lower, upper);
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), x0, bounds, optionsOf(c, null));
        assertMatchesScipyCounts(c, r);
        assertArrayEquals(c.x0(), x0, "x0");
        assertArrayEquals(c.lower(), lower, "lower");
        assertArrayEquals(c.upper(), upper, "upper");
        for (int i = 0; i < c.n(); i++) {
            assertEquals(c.lower()[i], bounds.lower(i), "bounds.lower(" + i + ")");
            assertEquals(c.upper()[i], bounds.upper(i), "bounds.upper(" + i + ")");
        }
    }

    @Test
    void startingPointIsNotModifiedWhenTheObjectiveThrows() {
        ReferenceCase c = referenceCase(ROSENBROCK_X0_OUTSIDE);
        double[] x0 = c.x0().clone();
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> Lbfgsb.minimize(
                throwingAtEvaluation(c.objective(), 5, boom), x0, boundsOf(c), optionsOf(c, null))));
        assertArrayEquals(c.x0(), x0);
    }

    // ---- projection of x0 ----

    @Test
    void startingPointOutsideTheBoundsIsProjectedBeforeTheFirstEvaluation() {
        ReferenceCase c = referenceCase(ROSENBROCK_X0_OUTSIDE);
        List<double[]> evaluated = new ArrayList<>();
        Objective inner = c.objective();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            evaluated.add(copyOf(x));
            return inner.evaluate(x, g);
        }, c.x0(), boundsOf(c), optionsOf(c, null));
        assertTrue(r.x0Projected());
        assertArrayEquals(c.x0Clipped(), evaluated.get(0), "first evaluation at the projected x0");
        assertArrayEquals(new double[] {-1.5, 0.5, 1.5, -1.5, 1.5}, evaluated.get(0), "SciPy's clipped x0");
        assertMatchesScipyCounts(c, r);
        assertTrue(r.converged());
        for (double[] x : evaluated) {
            for (int i = 0; i < x.length; i++) {
                assertTrue(x[i] >= c.lower()[i] && x[i] <= c.upper()[i], "every evaluation inside the box");
            }
        }
    }

    @Test
    void startingPointInsideOrOnTheBoundsIsNotReportedAsProjected() {
        ReferenceCase c = referenceCase(ROSENBROCK_X0_OUTSIDE);
        double[] onTheBounds = c.x0Clipped(); // four of five components lie exactly on a bound
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), onTheBounds, boundsOf(c), optionsOf(c, null));
        assertFalse(r.x0Projected());
        LbfgsbResult projected = run(c);
        assertTrue(projected.x0Projected());
        // Same first point, so the same run, except for the flag.
        assertArrayEquals(projected.x(), r.x());
        assertEquals(projected.evaluations(), r.evaluations());
    }

    // ---- exceptions ----

    static Stream<Arguments> throwables() {
        return Stream.of(
                Arguments.of("RuntimeException", (Supplier<Throwable>) () -> new IllegalStateException("from the objective")),
                Arguments.of("Error", (Supplier<Throwable>) () -> new StackOverflowError("from the objective")),
                Arguments.of("checked exception, thrown sneakily", (Supplier<Throwable>) () -> new IOException("from the objective")));
    }

    static Stream<Arguments> throwablesAtEvaluations() {
        // Evaluation 1 is x0; 2 is the first line-search trial; 30 is deep inside the run (44 in all).
        return throwables().flatMap(a -> Stream.of(1, 2, 30).map(k -> Arguments.of(a.get()[0], a.get()[1], k)));
    }

    @ParameterizedTest(name = "{0} at evaluation {2}")
    @MethodSource("throwablesAtEvaluations")
    void exceptionFromObjectiveReachesCallerUnchanged(String kind, Supplier<Throwable> make, int k) {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        Throwable thrown = make.get();
        AtomicInteger calls = new AtomicInteger();
        Objective counting = throwingAtEvaluation(c.objective(), k, thrown);
        Throwable caught = assertThrows(Throwable.class, () -> Lbfgsb.minimize((x, g) -> {
            calls.incrementAndGet();
            return counting.evaluate(x, g);
        }, c.x0(), boundsOf(c), optionsOf(c, null)));
        assertSame(thrown, caught);
        assertEquals(k, calls.get(), "no evaluation after the one that threw");
        // The library is still usable, and unaffected.
        assertMatchesScipyCounts(c, run(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("throwables")
    void exceptionFromListenerReachesCallerUnchanged(String kind, Supplier<Throwable> make) {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        Throwable thrown = make.get();
        AtomicInteger calls = new AtomicInteger();
        Throwable caught = assertThrows(Throwable.class, () -> Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c),
                optionsOf(c, s -> {
                    if (calls.incrementAndGet() == 3) {
                        throw sneakyThrow(thrown);
                    }
                    return IterationListener.Action.CONTINUE;
                })));
        assertSame(thrown, caught);
        assertEquals(3, calls.get(), "no iteration after the one whose listener threw");
        assertMatchesScipyCounts(c, run(c));
    }

    // ---- the iteration listener ----

    /** What a listener saw at one iteration (copies: the state is valid only during the call). */
    record Seen(long iteration, long evaluations, double value, double[] x, double[] gradient,
            double projectedGradientNorm, double stepLength, int freeVariables) {
        static Seen of(IterationState s) {
            return new Seen(s.iteration(), s.evaluations(), s.value(), copyOf(s.x()), copyOf(s.gradient()),
                    s.projectedGradientNorm(), s.stepLength(), s.freeVariables());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ROSENBROCK_2D, ROSENBROCK_X0_OUTSIDE, DRIVER_25})
    void listenerIsCalledOncePerIterationAndItsLastStateIsTheResult(String name) {
        ReferenceCase c = referenceCase(name);
        List<Seen> seen = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, s -> {
            seen.add(Seen.of(s));
            return IterationListener.Action.CONTINUE;
        }));
        assertMatchesScipyCounts(c, r);
        assertEquals(r.iterations(), seen.size(), "one call per iteration");
        for (int k = 0; k < seen.size(); k++) {
            assertEquals(k + 1, seen.get(k).iteration(), "iteration numbers 1, 2, 3, ...");
            if (k > 0) {
                assertTrue(seen.get(k).evaluations() > seen.get(k - 1).evaluations(), "evaluations increase");
                assertTrue(seen.get(k).value() <= seen.get(k - 1).value(), "f never increases between iterates");
            }
            // SciPy's callback saw f_k; the tolerance is ScipyReferenceTest's (kernel rounding only).
            ScipyReferenceTest.assertClose(c.expected().fTrace()[k], seen.get(k).value(), "f at iteration " + (k + 1));
        }
        // These runs converge by the relative-reduction test, applied after the listener's call:
        // the last state the listener saw is the result.
        assertEquals(Termination.CONVERGED_RELATIVE_REDUCTION, r.termination());
        Seen last = seen.get(seen.size() - 1);
        assertAll(
                () -> assertEquals(r.iterations(), last.iteration()),
                () -> assertEquals(r.evaluations(), last.evaluations()),
                () -> assertEquals(r.value(), last.value()),
                () -> assertArrayEquals(r.x(), last.x()),
                () -> assertArrayEquals(r.gradient(), last.gradient()),
                () -> assertEquals(r.projectedGradientNorm(), last.projectedGradientNorm()));
    }

    @Test
    void listenerSeesTheIterateTheObjectiveWasLastEvaluatedAt() {
        // L-BFGS-B accepts the last trial point of each line search, so the state handed to the
        // listener is exactly the last (x, f, g) the objective produced.
        ReferenceCase c = referenceCase(DRIVER_25);
        Objective inner = c.objective();
        double[][] lastX = new double[1][];
        double[][] lastG = new double[1][];
        double[] lastF = new double[1];
        AtomicInteger checked = new AtomicInteger();
        Lbfgsb.minimize((x, g) -> {
            double f = inner.evaluate(x, g);
            lastX[0] = copyOf(x);
            lastG[0] = copyOf(g);
            lastF[0] = f;
            return f;
        }, c.x0(), boundsOf(c), optionsOf(c, s -> {
            assertArrayEquals(lastX[0], copyOf(s.x()), "x");
            assertArrayEquals(lastG[0], copyOf(s.gradient()), "gradient");
            assertEquals(lastF[0], s.value(), "f");
            assertEquals(c.n(), s.size());
            checked.incrementAndGet();
            return IterationListener.Action.CONTINUE;
        }));
        assertEquals(c.expected().nit(), checked.get());
    }

    @Test
    void listenerViewsAreReadOnly() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        AtomicInteger checked = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, s -> {
            DoubleBuffer x = s.x();
            DoubleBuffer g = s.gradient();
            assertTrue(x.isReadOnly());
            assertTrue(g.isReadOnly());
            assertThrows(ReadOnlyBufferException.class, () -> x.put(0, 42.0));
            assertThrows(ReadOnlyBufferException.class, () -> g.put(0, 42.0));
            checked.incrementAndGet();
            return IterationListener.Action.CONTINUE;
        }));
        assertEquals(r.iterations(), checked.get());
        assertMatchesScipyCounts(c, r); // the attempted writes changed nothing
    }

    @Test
    void listenerStopEndsTheRunAtThatIterate() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        int stopAt = 3;
        List<Seen> seen = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, s -> {
            seen.add(Seen.of(s));
            return s.iteration() == stopAt ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE;
        }));
        assertEquals(Termination.STOPPED_BY_LISTENER, r.termination());
        assertEquals("STOP: CALLBACK REQUESTED HALT", r.message());
        assertFalse(r.converged());
        assertEquals(stopAt, r.iterations());
        assertEquals(stopAt, seen.size());
        Seen last = seen.get(stopAt - 1);
        assertArrayEquals(last.x(), r.x());
        assertEquals(last.value(), r.value());
        assertEquals(last.evaluations(), r.evaluations());
    }

    @Test
    void listenerStopAtTheConvergingIterationSkipsTheConvergenceTest() {
        // As in SciPy, a stopping callback is honoured before the convergence tests of its iteration.
        ReferenceCase c = referenceCase(ROSENBROCK_2D);
        int last = c.expected().nit();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c,
                s -> s.iteration() == last ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE));
        assertEquals(Termination.STOPPED_BY_LISTENER, r.termination());
        assertEquals(last, r.iterations());
        assertEquals(c.expected().nfev(), r.evaluations());
        assertArrayEquals(run(c).x(), r.x(), "the same iterate as the converged run");
    }

    @Test
    void iterationLimitReachedAtTheSameIterationWinsOverListenerStop() {
        ReferenceCase c = referenceCase(ROSENBROCK_MAXITER_5);
        assertEquals(5, c.options().maxiter());
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c,
                s -> s.iteration() == 5 ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE));
        assertEquals(Termination.MAX_ITERATIONS, r.termination());
        assertMatchesScipyCounts(c, r);
        // One iteration earlier the listener wins.
        LbfgsbResult earlier = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c,
                s -> s.iteration() == 4 ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE));
        assertEquals(Termination.STOPPED_BY_LISTENER, earlier.termination());
        assertEquals(4, earlier.iterations());
    }

    @Test
    void evaluationLimitReachedAtTheSameIterationWinsOverListenerStop() {
        ReferenceCase c = referenceCase(ROSENBROCK_MAXFUN_5);
        int lastIteration = c.expected().nit();
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c,
                s -> s.iteration() == lastIteration ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE));
        assertEquals(Termination.MAX_EVALUATIONS, r.termination());
        assertMatchesScipyCounts(c, r);
    }

    // ---- the buffers the objective gets ----

    @ParameterizedTest
    @ValueSource(strings = {ROSENBROCK_2D, ROSENBROCK_N1000_BOX})
    void objectiveGetsTheSameReadOnlyXAndDirectGradientAtEveryEvaluation(String name) {
        ReferenceCase c = referenceCase(name);
        int n = c.n();
        Objective inner = c.objective();
        Set<DoubleBuffer> xs = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<DoubleBuffer> gs = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Double> firstComponents = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            xs.add(x);
            gs.add(g);
            assertAll(
                    () -> assertTrue(x.isReadOnly(), "x read-only"),
                    () -> assertTrue(x.isDirect(), "x direct"),
                    () -> assertEquals(ByteOrder.nativeOrder(), x.order(), "x native order"),
                    () -> assertEquals(n, x.capacity(), "x capacity"),
                    () -> assertEquals(0, x.position(), "x position"),
                    () -> assertEquals(n, x.limit(), "x limit"),
                    () -> assertFalse(g.isReadOnly(), "gradient writable"),
                    () -> assertTrue(g.isDirect(), "gradient direct"),
                    () -> assertEquals(ByteOrder.nativeOrder(), g.order(), "gradient native order"),
                    () -> assertEquals(n, g.capacity(), "gradient capacity"),
                    () -> assertEquals(0, g.position(), "gradient position"),
                    () -> assertEquals(n, g.limit(), "gradient limit"));
            assertThrows(ReadOnlyBufferException.class, () -> x.put(0, 1.0));
            firstComponents.add(x.get(0));
            // Relative access moves the position: the driver must hand the buffer back reset.
            x.get();
            g.position(n);
            return inner.evaluate(x, g);
        }, c.x0(), boundsOf(c), optionsOf(c, null));
        assertMatchesScipyCounts(c, r);
        assertEquals(1, xs.size(), "one x buffer object for the whole run");
        assertEquals(1, gs.size(), "one gradient buffer object for the whole run");
        assertTrue(firstComponents.stream().distinct().count() > 1, "x moved under the same buffer object");
    }

    @Test
    void arrayObjectiveGivesBitIdenticalResultsToTheBufferObjective() {
        for (String name : List.of(ROSENBROCK_2D, ROSENBROCK_N1000_BOX)) {
            ReferenceCase c = referenceCase(name);
            Objective twin = c.objective();
            // The same twin, run on heap buffers over the adapter's arrays: the same operations.
            ArrayObjective onArrays = (x, g) -> twin.evaluate(DoubleBuffer.wrap(x), DoubleBuffer.wrap(g));
            LbfgsbResult fromArrays = Lbfgsb.minimize(Objective.fromArrays(onArrays), c.x0(), boundsOf(c),
                    optionsOf(c, null));
            LbfgsbResult direct = run(c);
            assertMatchesScipyCounts(c, direct);
            assertBitIdentical(direct, fromArrays);
        }
    }

    // ---- in place on the caller's DoubleBuffer ----

    @ParameterizedTest
    @ValueSource(strings = {ROSENBROCK_2D, ROSENBROCK_N1000_BOX, DRIVER_25})
    void bufferOverloadLeavesTheSolutionInTheCallersBuffer(String name) {
        ReferenceCase c = referenceCase(name);
        int n = c.n();
        int offset = 3;
        double sentinel = -7.25;
        DoubleBuffer x = directBuffer(n + offset + 2);
        for (int i = 0; i < x.capacity(); i++) {
            x.put(i, sentinel);
        }
        x.put(offset, c.x0()).position(offset).limit(offset + n);
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), x, boundsOf(c), optionsOf(c, null));
        assertEquals(offset, x.position(), "position unchanged");
        assertEquals(offset + n, x.limit(), "limit unchanged");
        double[] inBuffer = new double[n];
        x.get(offset, inBuffer);
        assertArrayEquals(r.x(), inBuffer, "the buffer holds result.x()");
        DoubleBuffer whole = x.duplicate().clear();
        for (int i : new int[] {0, 1, 2, offset + n, offset + n + 1}) {
            assertEquals(sentinel, whole.get(i), "untouched outside the window, index " + i);
        }
        assertBitIdentical(run(c), r);
    }

    @ParameterizedTest
    @ValueSource(strings = {ROSENBROCK_N1000_BOX, "driver_n1000_defaults"})
    void bufferOverloadWorksAtEveryByteAlignment(String name) {
        // Any direct, native-order DoubleBuffer is accepted, including views of a ByteBuffer at an
        // odd byte offset: the native core must not assume its caller's x is aligned (a vector
        // kernel with aligned loads would crash the JVM here).
        ReferenceCase c = referenceCase(name);
        LbfgsbResult expected = run(c);
        for (int byteOffset = 0; byteOffset < Double.BYTES; byteOffset++) {
            ByteBuffer bytes = ByteBuffer.allocateDirect(Double.BYTES * (c.n() + 1));
            DoubleBuffer x = bytes.position(byteOffset).slice().order(ByteOrder.nativeOrder()).asDoubleBuffer();
            x.limit(c.n()).put(0, c.x0());
            LbfgsbResult r = Lbfgsb.minimize(c.objective(), x, boundsOf(c), optionsOf(c, null));
            assertBitIdentical(expected, r);
            assertArrayEquals(r.x(), copyOf(x), "byte offset " + byteOffset);
        }
    }

    @Test
    void objectiveWorksDirectlyOnTheCallersBuffer() {
        ReferenceCase c = referenceCase(ROSENBROCK_N1000_BOX);
        int n = c.n();
        DoubleBuffer x = directBuffer(n + 1).position(1);
        x.put(1, c.x0());
        DoubleBuffer window = x.duplicate();
        Objective inner = c.objective();
        AtomicInteger checked = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize((xv, g) -> {
            for (int i = 0; i < n; i++) {
                if (Double.doubleToRawLongBits(xv.get(i)) != Double.doubleToRawLongBits(window.get(1 + i))) {
                    fail("x[" + i + "] = " + xv.get(i) + " but the caller's buffer holds " + window.get(1 + i));
                }
            }
            checked.incrementAndGet();
            return inner.evaluate(xv, g);
        }, x, boundsOf(c), optionsOf(c, null));
        assertEquals(r.evaluations(), checked.get());
        assertTrue(r.x0Projected());
        assertMatchesScipyCounts(c, r);
    }

    @Test
    void bufferHoldsThePointTheSolverHeldWhenTheObjectiveThrew() {
        ReferenceCase c = referenceCase(DRIVER_25);
        int k = 7;
        RuntimeException boom = new RuntimeException("boom at evaluation " + k);
        Objective inner = c.objective();
        AtomicInteger calls = new AtomicInteger();
        double[][] atThrow = new double[1][];
        DoubleBuffer x = directBuffer(c.n() + 2).position(2);
        x.put(2, c.x0());
        assertSame(boom, assertThrows(RuntimeException.class, () -> Lbfgsb.minimize((xv, g) -> {
            if (calls.incrementAndGet() == k) {
                atThrow[0] = copyOf(xv);
                throw boom;
            }
            return inner.evaluate(xv, g);
        }, x, boundsOf(c), optionsOf(c, null))));
        assertEquals(2, x.position());
        assertEquals(c.n() + 2, x.limit());
        double[] inBuffer = new double[c.n()];
        x.get(2, inBuffer);
        assertArrayEquals(atThrow[0], inBuffer);
    }

    // ---- NaN robustness ----

    enum Poison {
        NAN_VALUE, INFINITE_VALUE, NAN_GRADIENT_COMPONENT;

        double apply(double f, DoubleBuffer g) {
            switch (this) {
                case NAN_VALUE:
                    return Double.NaN;
                case INFINITE_VALUE:
                    return Double.POSITIVE_INFINITY;
                default:
                    g.put(g.limit() - 1, Double.NaN);
                    return f;
            }
        }
    }

    static Stream<Arguments> poisonedRuns() {
        // Rosenbrock 2-D takes 44 evaluations and the driver problem 28: these k cover x0, the
        // first line search, a restart-prone early phase and the end of the run.
        return Stream.of(ROSENBROCK_2D, DRIVER_25).flatMap(name -> Stream.of(Poison.values())
                .flatMap(p -> Stream.of(1, 2, 3, 5, 10, 20, 27).map(k -> Arguments.of(name, p, k))));
    }

    @ParameterizedTest(name = "{0}, {1} from evaluation {2} on")
    @MethodSource("poisonedRuns")
    void nonFiniteObjectiveNeverConvergesNorReturnsANonFiniteIterate(String name, Poison poison, int k) {
        ReferenceCase c = referenceCase(name);
        Objective inner = c.objective();
        AtomicInteger calls = new AtomicInteger();
        List<Double> finiteValues = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            double f = inner.evaluate(x, g);
            if (calls.incrementAndGet() >= k) {
                return poison.apply(f, g);
            }
            finiteValues.add(f);
            return f;
        }, c.x0(), boundsOf(c), optionsOf(c, null));
        assertFalse(r.converged(), r::toString);
        assertFalse(r.termination().isConvergence(), r::toString);
        assertEquals(calls.get(), r.evaluations(), "every call counted");
        if (k == 1) {
            assertEquals(Termination.NON_FINITE, r.termination());
            assertEquals(0, r.iterations());
            assertEquals(1, r.evaluations());
            return;
        }
        assertTrue(Double.isFinite(r.value()), r::toString);
        assertTrue(finiteValues.contains(r.value()), "f of an evaluated point");
        for (double v : r.x()) {
            assertTrue(Double.isFinite(v), "x finite");
        }
        for (double v : r.gradient()) {
            assertTrue(Double.isFinite(v), "gradient finite");
        }
        assertTrue(Double.isFinite(r.projectedGradientNorm()));
    }

    // ---- limits ----

    @Test
    void zeroIterationsEvaluatesOnlyTheStartingPoint() {
        ReferenceCase c = referenceCase(ROSENBROCK_X0_OUTSIDE);
        Objective inner = c.objective();
        AtomicInteger calls = new AtomicInteger();
        LbfgsbOptions options = optionsOf(c, s -> fail("no iteration, so no listener call")).toBuilder()
                .maxIterations(0).build();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            calls.incrementAndGet();
            return inner.evaluate(x, g);
        }, c.x0(), boundsOf(c), options);
        assertEquals(1, calls.get());
        assertEquals(1, r.evaluations());
        assertEquals(0, r.iterations());
        assertEquals(Termination.MAX_ITERATIONS, r.termination());
        assertEquals("STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT", r.message());
        assertTrue(r.x0Projected());
        double[] x0 = c.x0Clipped();
        assertArrayEquals(x0, r.x());
        DoubleBuffer g = directBuffer(c.n());
        double f = inner.evaluate(DoubleBuffer.wrap(x0), g);
        assertEquals(f, r.value());
        assertArrayEquals(copyOf(g), r.gradient());
    }

    @Test
    void zeroIterationsStillReportsAStationaryStartingPointAsConverged() {
        ReferenceCase c = referenceCase("rosen2d_at_minimum");
        LbfgsbResult r = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c),
                optionsOf(c, null).toBuilder().maxIterations(0).build());
        assertEquals(Termination.CONVERGED_PROJECTED_GRADIENT, r.termination());
        assertMatchesScipyCounts(c, r);
    }

    @Test
    void evaluationLimitIsCheckedAtTheEndOfAnIterationLikeScipy() {
        ReferenceCase c = referenceCase(ROSENBROCK_MAXFUN_5);
        Objective inner = c.objective();
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            calls.incrementAndGet();
            return inner.evaluate(x, g);
        }, c.x0(), boundsOf(c), optionsOf(c, null));
        assertEquals(Termination.MAX_EVALUATIONS, r.termination());
        assertMatchesScipyCounts(c, r);
        assertTrue(r.evaluations() > c.options().maxfun(), "the last line search may overshoot, as in SciPy");
        assertEquals(r.evaluations(), calls.get());
    }

    @Test
    void iterationLimitStopsLikeScipy() {
        ReferenceCase c = referenceCase(ROSENBROCK_MAXITER_5);
        LbfgsbResult r = run(c);
        assertEquals(Termination.MAX_ITERATIONS, r.termination());
        assertFalse(r.converged());
        assertMatchesScipyCounts(c, r);
    }

    @Test
    void evaluationCountIsTheNumberOfObjectiveCallsAlsoAfterAnAbnormalLineSearch() {
        ReferenceCase c = referenceCase(ROSENBROCK_MAXLS_1);
        Objective inner = c.objective();
        AtomicInteger calls = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize((x, g) -> {
            calls.incrementAndGet();
            return inner.evaluate(x, g);
        }, c.x0(), boundsOf(c), optionsOf(c, null));
        assertEquals(Termination.ABNORMAL_LINE_SEARCH, r.termination());
        assertMatchesScipyCounts(c, r);
        assertEquals(r.evaluations(), calls.get());
        assertArrayEquals(c.x0(), r.x(), "ABNORMAL returns the last accepted iterate, here x0");
    }

    @Test
    void defaultOverloadsBehaveAsTheExplicitDefaults() {
        ReferenceCase c = referenceCase(ROSENBROCK_2D); // unbounded, SciPy's default options
        LbfgsbResult explicit = Lbfgsb.minimize(c.objective(), c.x0(), Bounds.unbounded(2), LbfgsbOptions.defaults());
        assertMatchesScipyCounts(c, explicit);
        assertBitIdentical(explicit, Lbfgsb.minimize(c.objective(), c.x0()));
        assertBitIdentical(explicit, Lbfgsb.minimize(c.objective(), c.x0(), Bounds.unbounded(2)));
    }
}
