package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lbfgsb4j.LbfgsOptimizer.LineSearch;
import org.lbfgsb4j.LbfgsOptimizer.Options;
import org.lbfgsb4j.LbfgsOptimizer.StopReason;
import org.lbfgsb4j.reference.TorchReferenceProblems;

/**
 * The behaviour of {@link LbfgsOptimizer} that the torch reference traces
 * ({@link LbfgsOptimizerReferenceTest}) do not cover: options and their validation, buffers, the
 * deliberate differences from torch (non-finite values, exceptions), checkpoints, state getters and
 * misuse.
 */
class LbfgsOptimizerTest {

    static DoubleBuffer direct(double... values) {
        DoubleBuffer b = ByteBuffer.allocateDirect(8 * values.length).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        b.put(0, values);
        return b;
    }

    static double[] toArray(DoubleBuffer b) {
        double[] out = new double[b.capacity()];
        b.get(0, out);
        return out;
    }

    /** f = sum (i + 1) (x_i - 1)^2. */
    static double quadratic(DoubleBuffer x, DoubleBuffer g) {
        double f = 0;
        for (int i = 0; i < x.limit(); i++) {
            double r = x.get(i) - 1.0;
            f += (i + 1) * r * r;
            g.put(i, 2.0 * (i + 1) * r);
        }
        return f;
    }

    static Options wolfe(int maxIter) {
        return Options.builder().maxIter(maxIter).lineSearch(LineSearch.STRONG_WOLFE).build();
    }

    /** Every closure call of a step: the point and the loss. */
    record Call(double[] x, double loss) {}

    static List<Call> recordStep(LbfgsOptimizer opt, LbfgsOptimizer.Closure fn) {
        List<Call> calls = new ArrayList<>();
        opt.step((p, g) -> {
            double f = fn.evaluate(p, g);
            double[] x = new double[p.limit()];
            p.get(0, x);
            calls.add(new Call(x, f));
            return f;
        });
        return calls;
    }

    static void assertSameCalls(List<Call> expected, List<Call> actual) {
        assertEquals(expected.size(), actual.size(), "closure calls");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).x(), actual.get(i).x(), "call " + i + ": point");
            assertEquals(Double.doubleToRawLongBits(expected.get(i).loss()), Double.doubleToRawLongBits(actual.get(i).loss()),
                    "call " + i + ": loss");
        }
    }

    // ---- options ----

    @Test
    void defaultOptionsAreTorchs() {
        Options o = Options.defaults();
        assertEquals(1.0, o.learningRate());
        assertEquals(20, o.maxIter());
        assertEquals(25, o.maxEval());
        assertEquals(1e-7, o.toleranceGrad());
        assertEquals(1e-9, o.toleranceChange());
        assertEquals(100, o.historySize());
        assertEquals(LineSearch.NONE, o.lineSearch());
    }

    @Test
    void maxEvalDefaultsToMaxIterTimesFiveQuarters() {
        int[][] cases = {{1, 1}, {2, 2}, {3, 3}, {4, 5}, {7, 8}, {100, 125}, {Integer.MAX_VALUE, Integer.MAX_VALUE}};
        for (int[] c : cases) {
            assertEquals(c[1], Options.builder().maxIter(c[0]).build().maxEval(), "maxIter " + c[0]);
        }
        Options explicit = Options.builder().maxIter(10).maxEval(3).build();
        assertEquals(3, explicit.maxEval());
        assertEquals(explicit, explicit.toBuilder().build());
        Options derived = Options.builder().maxIter(8).build();
        assertEquals(20, derived.toBuilder().maxIter(16).build().maxEval(), "a derived maxEval stays derived");
        assertEquals(12, explicit.toBuilder().maxEvalFromMaxIter().build().maxEval());
    }

    @Test
    void invalidOptionsNameTheOptionItsValueAndTheRule() {
        assertMessage("learningRate = -0.5: must be finite and >= 0", () -> Options.builder().learningRate(-0.5).build());
        assertMessage("learningRate = NaN: must be finite and >= 0", () -> Options.builder().learningRate(Double.NaN).build());
        assertMessage("learningRate = Infinity: must be finite and >= 0",
                () -> Options.builder().learningRate(Double.POSITIVE_INFINITY).build());
        assertMessage("maxIter = 0: must be >= 1", () -> Options.builder().maxIter(0).build());
        assertMessage("maxEval = 0: must be >= 1", () -> Options.builder().maxEval(0).build());
        assertMessage("toleranceGrad = -1.0E-7: must be >= 0", () -> Options.builder().toleranceGrad(-1e-7).build());
        assertMessage("toleranceChange = NaN: must be >= 0", () -> Options.builder().toleranceChange(Double.NaN).build());
        assertMessage("historySize = 0: must be >= 1", () -> Options.builder().historySize(0).build());
        assertMessage("lineSearch = null: must be NONE or STRONG_WOLFE", () -> Options.builder().lineSearch(null).build());
        // What torch accepts and we accept too.
        Options.builder().learningRate(0).toleranceGrad(0).toleranceChange(0).historySize(1).maxIter(1).build();
    }

    static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expectedStart), "message: " + e.getMessage());
    }

    // ---- buffers ----

    @Test
    void rejectsBuffersItCannotWorkIn() {
        assertMessage("params is null", () -> new LbfgsOptimizer((DoubleBuffer) null));
        assertMessage("options is null", () -> new LbfgsOptimizer(direct(1, 2), null));
        assertMessage("params must be a direct, writable DoubleBuffer in native byte order",
                () -> new LbfgsOptimizer(DoubleBuffer.allocate(2)));
        assertMessage("params must be a direct", () -> new LbfgsOptimizer(direct(1, 2).asReadOnlyBuffer()));
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        assertMessage("params must be a direct",
                () -> new LbfgsOptimizer(ByteBuffer.allocateDirect(16).order(other).asDoubleBuffer()));
        assertMessage("params hold 0 doubles: must hold at least 1", () -> new LbfgsOptimizer(direct(1, 2).position(2)));
        assertMessage("params.get(1) is null",
                () -> new LbfgsOptimizer(Arrays.asList(DoubleBuffer.allocate(1), null), Options.defaults()));
        assertMessage("params.get(0) is read-only",
                () -> new LbfgsOptimizer(List.of(DoubleBuffer.allocate(1).asReadOnlyBuffer()), Options.defaults()));
        assertMessage("params hold 0 doubles",
                () -> new LbfgsOptimizer(List.of(DoubleBuffer.allocate(0)), Options.defaults()));
    }

    @Test
    void worksInPlaceFromTheBuffersPosition() {
        DoubleBuffer whole = direct(7, 0, 0, 7);
        DoubleBuffer window = whole.position(1).limit(3);
        try (LbfgsOptimizer opt = new LbfgsOptimizer(window, wolfe(50))) {
            whole.clear(); // later position changes do not matter
            assertEquals(2, opt.size());
            opt.step(TorchReferenceProblems::rosenbrock);
            assertEquals(1.0, whole.get(1), 1e-4);
            assertEquals(1.0, whole.get(2), 1e-4);
            assertEquals(7.0, whole.get(0));
            assertEquals(7.0, whole.get(3));
        }
    }

    @Test
    void aListOfBuffersIsTheirConcatenationAndChangesBetweenStepsCount() {
        DoubleBuffer a = DoubleBuffer.wrap(new double[] {0.0});
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        DoubleBuffer b = ByteBuffer.allocate(16).order(other).asDoubleBuffer(); // any buffer will do
        DoubleBuffer empty = DoubleBuffer.allocate(0);
        try (LbfgsOptimizer opt = new LbfgsOptimizer(List.of(a, empty, b), Options.builder().maxIter(3).build())) {
            assertEquals(3, opt.size());
            List<DoubleBuffer> views = opt.gradientViews();
            assertEquals(List.of(1, 0, 2), List.of(views.get(0).capacity(), views.get(1).capacity(), views.get(2).capacity()));
            LbfgsOptimizer.Closure fn = (p, g) -> {
                // The caller's buffers hold the point being evaluated.
                assertEquals(p.get(0), a.get(0));
                assertEquals(p.get(1), b.get(0));
                assertEquals(p.get(2), b.get(1));
                return quadratic(p, g);
            };
            opt.step(fn);
            assertNotEquals(0.0, a.get(0), "the buffers hold the new point");
            // A change between steps is seen by the next step, as in torch.
            a.put(0, 1.0);
            b.put(0, 1.0);
            b.put(1, 1.0);
            double returned = opt.step(fn);
            assertEquals(0.0, returned);
            assertEquals(StopReason.GRADIENT_TOLERANCE_AT_START, opt.stopReason());
        }
    }

    @Test
    void gradientIsZeroFilledBeforeEachCallAndKeepsTheLastOne() {
        try (LbfgsOptimizer opt = new LbfgsOptimizer(direct(0, 0, 0), wolfe(5))) {
            double[] last = new double[3];
            opt.step((p, g) -> {
                for (int i = 0; i < 3; i++) {
                    assertEquals(0.0, g.get(i), "zero-filled");
                    g.put(i, g.get(i) + 0.0); // accumulating works
                }
                assertThrows(ReadOnlyBufferException.class, () -> p.put(0, 1.0));
                double f = quadratic(p, g);
                g.get(0, last);
                return f;
            });
            assertArrayEquals(last, toArray(opt.gradient()), "the gradient of the last closure call");
            assertThrows(ReadOnlyBufferException.class, () -> opt.gradient().put(0, 1.0));
        }
    }

    // ---- torch's semantics ----

    @Test
    void stepReturnsTheLossAtItsStart() {
        try (LbfgsOptimizer opt = new LbfgsOptimizer(direct(-1.5, 2.0), wolfe(5))) {
            assertEquals(12.5, opt.step(TorchReferenceProblems::rosenbrock));
            assertTrue(opt.step(TorchReferenceProblems::rosenbrock) < 12.5);
        }
    }

    @Test
    void aFirstEvaluationMeetingTheGradientToleranceChangesNothing() {
        DoubleBuffer x = direct(1, 1, 1);
        try (LbfgsOptimizer opt = new LbfgsOptimizer(x, wolfe(20))) {
            byte[] before = opt.saveState().toBytes();
            assertEquals(0.0, opt.step(LbfgsOptimizerTest::quadratic));
            assertEquals(StopReason.GRADIENT_TOLERANCE_AT_START, opt.stopReason());
            assertEquals(0, opt.nIter());
            assertEquals(1, opt.funcEvals());
            assertEquals(0, opt.lastStepIterations());
            assertEquals(1, opt.lastStepEvaluations());
            assertArrayEquals(new double[] {1, 1, 1}, toArray(x));
            byte[] after = opt.saveState().toBytes();
            after[40] = before[40]; // func_evals counts the call
            assertArrayEquals(before, after);
            assertTrue(opt.stopMessage().startsWith("max|g| = 0.00000 <= toleranceGrad = 1.00000e-07"), opt.stopMessage());
        }
    }

    /** Line search NONE: t = min(1, 1/|g|_1) lr for the very first iteration, then lr. */
    @Test
    void fixedStepMovesByTheLearningRateAlongTheDirection() {
        DoubleBuffer x = direct(0, 0);
        Options o = Options.builder().learningRate(0.05).maxIter(1).build();
        try (LbfgsOptimizer opt = new LbfgsOptimizer(x, o)) {
            opt.step(LbfgsOptimizerTest::quadratic); // g = (-2, -4), |g|_1 = 6
            assertEquals(1, opt.lastStepEvaluations(), "the last move of a call is not evaluated");
            double t = Math.min(1.0, 1.0 / 6.0) * 0.05;
            assertEquals(t, opt.stepLength());
            assertArrayEquals(new double[] {2, 4}, opt.direction());
            assertArrayEquals(new double[] {t * 2, t * 4}, toArray(x));
            opt.step(LbfgsOptimizerTest::quadratic);
            assertEquals(0.05, opt.stepLength(), "t = lr after the first iteration");
            assertEquals(1, opt.historyLength(), "the pair spans the two calls");
        }
    }

    /** While no stop test fires, k calls of m iterations are one call of k m iterations. */
    @ParameterizedTest
    @EnumSource(LineSearch.class)
    void curvaturePairsSpanStepCalls(LineSearch lineSearch) {
        Options.Builder b = Options.builder().lineSearch(lineSearch).toleranceChange(0).toleranceGrad(0).maxEval(1000)
                .learningRate(lineSearch == LineSearch.NONE ? 0.1 : 1.0);
        List<Call> whole;
        DoubleBuffer xa = direct(0, 0, 0, 0, 0);
        try (LbfgsOptimizer one = new LbfgsOptimizer(xa, b.maxIter(12).build())) {
            whole = recordStep(one, LbfgsOptimizerTest::quadratic);
        }
        List<Call> parts = new ArrayList<>();
        DoubleBuffer xb = direct(0, 0, 0, 0, 0);
        try (LbfgsOptimizer three = new LbfgsOptimizer(xb, b.maxIter(4).build())) {
            for (int c = 0; c < 3; c++) {
                List<Call> part = recordStep(three, LbfgsOptimizerTest::quadratic);
                assertEquals(StopReason.MAX_ITER, three.stopReason());
                // With a line search, a later call's first evaluation repeats the accepted point.
                parts.addAll(c > 0 && lineSearch == LineSearch.STRONG_WOLFE ? part.subList(1, part.size()) : part);
            }
        }
        assertSameCalls(whole, parts);
        assertArrayEquals(toArray(xa), toArray(xb));
    }

    // ---- deliberate differences from torch ----

    @Test
    void aNonFiniteLossAtTheStartChangesNothing() {
        DoubleBuffer x = direct(-1.2, 1.0);
        try (LbfgsOptimizer opt = new LbfgsOptimizer(x, wolfe(3))) {
            opt.step(TorchReferenceProblems::rosenbrock);
            byte[] before = opt.saveState().toBytes();
            double[] x0 = toArray(x);
            double returned = opt.step((p, g) -> Double.NaN);
            assertTrue(Double.isNaN(returned), "step returns the loss at its start, NaN");
            assertEquals(StopReason.NON_FINITE, opt.stopReason());
            assertArrayEquals(x0, toArray(x));
            byte[] after = opt.saveState().toBytes();
            after[40] = before[40]; // func_evals counts the call
            assertArrayEquals(before, after);
            opt.step((p, g) -> {
                g.put(0, Double.POSITIVE_INFINITY);
                return 1.0;
            });
            assertEquals(StopReason.NON_FINITE, opt.stopReason());
            assertTrue(opt.stopMessage().contains("non-finite"), opt.stopMessage());
        }
    }

    /** torch would put NaN into its history and its parameters; here the step stops and rolls back. */
    @ParameterizedTest
    @EnumSource(LineSearch.class)
    void aNonFiniteLossInsideAnIterationStopsWithoutCorruptingTheHistory(LineSearch lineSearch) {
        DoubleBuffer x = direct(-1.2, 1.0);
        Options o = Options.builder().lineSearch(lineSearch).maxIter(4)
                .learningRate(lineSearch == LineSearch.NONE ? 0.1 : 1.0).build();
        try (LbfgsOptimizer opt = new LbfgsOptimizer(x, o)) {
            opt.step(TorchReferenceProblems::rosenbrock);
            double[] start = new double[2];
            int[] calls = {0};
            opt.step((p, g) -> {
                double f = TorchReferenceProblems.rosenbrock(p, g);
                if (calls[0]++ == 0) {
                    p.get(0, start);
                    return f;
                }
                return Double.NaN;
            });
            assertEquals(StopReason.NON_FINITE, opt.stopReason());
            assertEquals(2, opt.lastStepEvaluations());
            assertArrayEquals(start, toArray(x), "parameters back at the iteration's start");
            assertEquals(0.0, opt.stepLength(), "t = 0: no pair from the interrupted iteration");
            for (int k = 0; k < opt.historyLength(); k++) {
                for (double v : opt.historyStep(k)) {
                    assertTrue(Double.isFinite(v));
                }
                for (double v : opt.historyGradientChange(k)) {
                    assertTrue(Double.isFinite(v));
                }
            }
            int pairs = opt.historyLength();
            // The next step goes on from there.
            opt.step(TorchReferenceProblems::rosenbrock);
            assertEquals(StopReason.MAX_ITER, opt.stopReason());
            assertTrue(opt.historyLength() >= pairs);
            assertTrue(Double.isFinite(x.get(0)) && Double.isFinite(x.get(1)));
        }
    }

    static final class ClosureFailure extends RuntimeException {
        ClosureFailure(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @EnumSource(LineSearch.class)
    void anExceptionFromTheClosureReachesTheCallerUnchangedAndTheOptimizerStaysUsable(LineSearch lineSearch) {
        DoubleBuffer x = direct(-1.2, 1.0);
        Options o = Options.builder().lineSearch(lineSearch).maxIter(4)
                .learningRate(lineSearch == LineSearch.NONE ? 0.1 : 1.0).build();
        try (LbfgsOptimizer opt = new LbfgsOptimizer(x, o)) {
            opt.step(TorchReferenceProblems::rosenbrock);
            // Thrown at the step's first call: nothing changes, not even funcEvals.
            byte[] before = opt.saveState().toBytes();
            double[] x0 = toArray(x);
            ClosureFailure first = new ClosureFailure("first");
            assertSame(first, assertThrows(ClosureFailure.class, () -> opt.step((p, g) -> {
                throw first;
            })));
            assertEquals(StopReason.CLOSURE_THREW, opt.stopReason());
            assertArrayEquals(before, opt.saveState().toBytes());
            assertArrayEquals(x0, toArray(x));
            // Thrown at the second call (inside the first iteration): parameters back where that
            // iteration started, t = 0, and funcEvals counts the call that returned.
            long evals = opt.funcEvals();
            ClosureFailure second = new ClosureFailure("second");
            double[] start = new double[2];
            int[] calls = {0};
            assertSame(second, assertThrows(ClosureFailure.class, () -> opt.step((p, g) -> {
                if (++calls[0] == 2) {
                    throw second;
                }
                p.get(0, start);
                return TorchReferenceProblems.rosenbrock(p, g);
            })));
            assertEquals(evals + 1, opt.funcEvals(), "the calls that returned");
            assertEquals(StopReason.CLOSURE_THREW, opt.stopReason());
            assertEquals(0.0, opt.stepLength());
            assertArrayEquals(start, toArray(x));
            // An Error too, unchanged.
            AssertionError error = new AssertionError("boom");
            assertSame(error, assertThrows(AssertionError.class, () -> opt.step((p, g) -> {
                throw error;
            })));
            // And it goes on, downhill.
            double previous = opt.step(TorchReferenceProblems::rosenbrock);
            for (int i = 0; i < 5; i++) {
                double loss = opt.step(TorchReferenceProblems::rosenbrock);
                assertTrue(opt.stopReason() == StopReason.MAX_ITER || opt.stopReason() == StopReason.MAX_EVAL);
                assertTrue(loss < previous, "loss " + loss + " after " + previous);
                previous = loss;
            }
        }
    }

    // ---- checkpoints ----

    @ParameterizedTest
    @EnumSource(LineSearch.class)
    void aRestoredStateContinuesBitForBit(LineSearch lineSearch) {
        Options o = Options.builder().lineSearch(lineSearch).maxIter(3).historySize(4).toleranceChange(0)
                .learningRate(lineSearch == LineSearch.NONE ? 0.02 : 1.0).build();
        DoubleBuffer xa = direct(0, 0, 0, 0, 0, 0);
        DoubleBuffer xb = direct(new double[6]);
        try (LbfgsOptimizer a = new LbfgsOptimizer(xa, o)) {
            for (int c = 0; c < 3; c++) {
                a.step(LbfgsOptimizerTest::quadratic);
            }
            LbfgsOptimizer.State saved = LbfgsOptimizer.State.fromBytes(a.saveState().toBytes());
            assertEquals(a.nIter(), saved.nIter());
            assertEquals(a.funcEvals(), saved.funcEvals());
            assertEquals(a.historyLength(), saved.historyLength());
            assertEquals(6, saved.size());
            assertEquals(4, saved.historySize());
            xb.put(0, toArray(xa));
            double[] resumeAt = toArray(xa);
            try (LbfgsOptimizer other = new LbfgsOptimizer(direct(new double[6]), o.toBuilder().maxIter(7).build())) {
                other.restoreState(saved); // other options are fine
                assertEquals(StopReason.NONE, other.stopReason());
                assertArrayEquals(a.direction(), other.direction());
            }
            List<Call> fromA = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                fromA.addAll(recordStep(a, LbfgsOptimizerTest::quadratic));
            }
            try (LbfgsOptimizer b = new LbfgsOptimizer(xb, o)) {
                b.restoreState(saved);
                List<Call> fromB = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    fromB.addAll(recordStep(b, LbfgsOptimizerTest::quadratic));
                }
                assertSameCalls(fromA, fromB);
                assertArrayEquals(toArray(xa), toArray(xb));
                assertArrayEquals(a.saveState().toBytes(), b.saveState().toBytes());
            }
            // Rewinding the same optimizer works too.
            xa.put(0, resumeAt);
            a.restoreState(saved);
            List<Call> again = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                again.addAll(recordStep(a, LbfgsOptimizerTest::quadratic));
            }
            assertSameCalls(fromA, again);
        }
    }

    @Test
    void restoreRejectsAStateOfAnotherShape() {
        try (LbfgsOptimizer a = new LbfgsOptimizer(direct(0, 0, 0), wolfe(3));
                LbfgsOptimizer twoParams = new LbfgsOptimizer(direct(0, 0), wolfe(3));
                LbfgsOptimizer otherHistory = new LbfgsOptimizer(direct(0, 0, 0), wolfe(3).toBuilder().historySize(5).build())) {
            a.step(LbfgsOptimizerTest::quadratic);
            LbfgsOptimizer.State s = a.saveState();
            assertMessage("state.size() = 3: must equal this optimizer's n = 2", () -> twoParams.restoreState(s));
            assertMessage("state.historySize() = 100: must equal this optimizer's historySize = 5",
                    () -> otherHistory.restoreState(s));
            byte[] bytes = s.toBytes();
            byte[] badMagic = bytes.clone();
            badMagic[0] = 'X';
            assertMessage("not an LbfgsOptimizer state (bad magic)", () -> LbfgsOptimizer.State.fromBytes(badMagic));
            byte[] version = bytes.clone();
            version[8] = 9;
            assertMessage("state format version 9", () -> LbfgsOptimizer.State.fromBytes(version));
            assertMessage(bytes.length - 1 + " bytes: a state with n = 3",
                    () -> LbfgsOptimizer.State.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
            assertMessage("12 bytes: shorter than the 80-byte header", () -> LbfgsOptimizer.State.fromBytes(new byte[12]));
            bytes[0] = 'X';
            assertEquals('T', s.toBytes()[0], "a State is immutable");
        }
    }

    // ---- state getters ----

    @Test
    void stateGettersMirrorTorchsState() {
        try (LbfgsOptimizer opt = new LbfgsOptimizer(direct(0, 0, 0, 0), wolfe(6))) {
            assertEquals(0, opt.nIter());
            assertEquals(1.0, opt.hDiag());
            assertTrue(Double.isNaN(opt.previousLoss()));
            assertArrayEquals(new double[4], opt.direction());
            assertEquals(StopReason.NONE, opt.stopReason());
            opt.step(LbfgsOptimizerTest::quadratic);
            int len = opt.historyLength();
            assertTrue(len >= 1 && len <= opt.nIter() - 1);
            for (int k = 0; k < len; k++) {
                double[] s = opt.historyStep(k);
                double[] y = opt.historyGradientChange(k);
                double ys = 0;
                double yy = 0;
                for (int i = 0; i < 4; i++) {
                    ys += y[i] * s[i];
                    yy += y[i] * y[i];
                }
                assertTrue(ys > 1e-10, "only pairs with y.s > 1e-10 are kept");
                assertEquals(1.0 / ys, opt.historyRho(k), 1e-12 / ys);
                if (k == len - 1) {
                    assertEquals(ys / yy, opt.hDiag(), 1e-12, "H_diag from the newest pair");
                }
            }
            assertThrows(IndexOutOfBoundsException.class, () -> opt.historyStep(len));
            assertThrows(IndexOutOfBoundsException.class, () -> opt.historyRho(-1));
            assertEquals(4, opt.previousFlatGrad().length);
        }
    }

    // ---- misuse ----

    @Test
    void callsFromInsideTheClosureAreRejected() {
        try (LbfgsOptimizer opt = new LbfgsOptimizer(direct(0, 0), wolfe(3))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step((p, g) -> {
                opt.step(LbfgsOptimizerTest::quadratic);
                return 0;
            }));
            assertTrue(e.getMessage().contains("inside a closure"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> opt.step((p, g) -> {
                opt.saveState();
                return 0;
            }));
            assertThrows(IllegalStateException.class, () -> opt.step((p, g) -> {
                opt.close();
                return 0;
            }));
            assertFalse(opt.isClosed());
            // Reading the state from inside is fine.
            opt.step((p, g) -> {
                opt.nIter();
                opt.direction();
                return quadratic(p, g);
            });
        }
    }

    @Test
    void aClosedOptimizerRejectsCalls() {
        LbfgsOptimizer opt = new LbfgsOptimizer(direct(0, 0));
        opt.close();
        opt.close(); // idempotent
        assertTrue(opt.isClosed());
        assertThrows(IllegalStateException.class, () -> opt.step(LbfgsOptimizerTest::quadratic));
        assertThrows(IllegalStateException.class, opt::nIter);
        assertThrows(IllegalStateException.class, opt::saveState);
        try (LbfgsOptimizer open = new LbfgsOptimizer(direct(0))) {
            assertMessage("closure is null", () -> open.step(null));
        }
    }

    @Test
    void stopMessagesGiveTheNumbers() {
        try (LbfgsOptimizer opt = new LbfgsOptimizer(direct(-1.2, 1.0), wolfe(2).toBuilder().maxEval(10).build())) {
            assertEquals("no step has ended yet", opt.stopMessage());
            opt.step(TorchReferenceProblems::rosenbrock);
            assertEquals(StopReason.MAX_ITER, opt.stopReason());
            assertEquals("maxIter = 2 iterations made", opt.stopMessage());
        }
    }
}
