package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.lbfgsb4j.LbfgsbTest.assertBitIdentical;
import static org.lbfgsb4j.LbfgsbTest.assertMatchesScipyCounts;
import static org.lbfgsb4j.LbfgsbTest.boundsOf;
import static org.lbfgsb4j.LbfgsbTest.optionsOf;
import static org.lbfgsb4j.LbfgsbTest.referenceCase;
import static org.lbfgsb4j.LbfgsbTest.sneakyThrow;
import static org.lbfgsb4j.LbfgsbTest.throwingAtEvaluation;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lbfgsb4j.LbfgsbTest.Seen;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeGlue;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/**
 * {@link NativeObjective}: objectives evaluated from the native loop ({@code lbfgsb::run}), both a
 * Java objective called back through JavaCPP ({@link NativeObjective#callback}) and a raw C
 * function pointer ({@link NativeObjective#functionPointer}). The contract is "the same run as the
 * Java loop, bit for bit": every result field and every listener state are compared with
 * {@code assertEquals} on doubles, which compares bit patterns. No tolerance is needed or allowed:
 * both drivers step the same deterministic state machine with the same objective.
 *
 * <p>Real C function addresses come from two places: the example objectives compiled into the
 * JNI library ({@link NativeExampleObjectives}), and subclasses of
 * {@link LbfgsbNative.ObjectiveFunction}, whose JavaCPP trampoline is a C function of exactly the
 * objective's signature: {@link RawObjective#functionAddress()} is its address, what C code would
 * pass ({@code address()}, the JavaCPP struct's, is not a function).
 */
class NativeObjectiveTest {

    /** The L-BFGS-B driver problem at n = 1000 from (3, 3, ...), driver1's bounds, SciPy defaults. */
    static final String DRIVER_N1000 = "driver_n1000_defaults";
    /** driver3: the driver problem at n = 1000 stopped by the Fortran driver's rule in a listener. */
    static final String DRIVER_N1000_LISTENER_STOP = "driver3";

    /** The objective's user data handed to the function pointer, checked at every call. */
    static final long USER_DATA = 0x5EED_CAFEL;

    /** One run: its result and what its listener saw at every iteration. */
    record Run(LbfgsbResult result, List<Seen> trace) {}

    /** A listener recording every state and applying the case's stop rule, if any (as SciPy's callback did). */
    static IterationListener recording(ReferenceCase c, List<Seen> trace) {
        return s -> {
            trace.add(Seen.of(s));
            boolean stop = c.stopRule() != null
                    && c.stopRule().shouldStop((int) s.evaluations(), s.projectedGradientNorm(), s.value());
            return stop ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE;
        };
    }

    static Run javaLoop(ReferenceCase c, Objective objective) {
        List<Seen> trace = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(objective, c.x0(), boundsOf(c), optionsOf(c, recording(c, trace)));
        return new Run(r, trace);
    }

    static Run nativeCallback(ReferenceCase c, Objective objective) {
        List<Seen> trace = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(NativeObjective.callback(objective), c.x0(), boundsOf(c),
                optionsOf(c, recording(c, trace)));
        return new Run(r, trace);
    }

    static Run functionPointer(ReferenceCase c, Objective objective) {
        List<Seen> trace = new ArrayList<>();
        try (RawObjective raw = new RawObjective(objective, USER_DATA, 0)) {
            LbfgsbResult r = Lbfgsb.minimize(NativeObjective.functionPointer(raw.functionAddress(), USER_DATA), c.x0(),
                    boundsOf(c), optionsOf(c, recording(c, trace)));
            assertNull(raw.failure, () -> "inside the C function: " + raw.failure);
            assertEquals(r.evaluations(), raw.calls, "one C call per evaluation");
            return new Run(r, trace);
        }
    }

    static void assertSameRun(Run expected, Run actual) {
        assertBitIdentical(expected.result(), actual.result());
        assertEquals(expected.trace().size(), actual.trace().size(), "listener calls");
        for (int k = 0; k < expected.trace().size(); k++) {
            Seen e = expected.trace().get(k);
            Seen a = actual.trace().get(k);
            String at = "listener call " + (k + 1) + ": ";
            assertAll(
                    () -> assertEquals(e.iteration(), a.iteration(), at + "iteration"),
                    () -> assertEquals(e.evaluations(), a.evaluations(), at + "evaluations"),
                    () -> assertEquals(e.value(), a.value(), at + "value"),
                    () -> assertArrayEquals(e.x(), a.x(), at + "x"),
                    () -> assertArrayEquals(e.gradient(), a.gradient(), at + "gradient"),
                    () -> assertEquals(e.projectedGradientNorm(), a.projectedGradientNorm(), at + "projected gradient norm"),
                    () -> assertEquals(e.stepLength(), a.stepLength(), at + "step length"),
                    () -> assertEquals(e.freeVariables(), a.freeVariables(), at + "free variables"));
        }
    }

    /** A {@link DoublePointer} over raw memory at an address: how C code's pointers are read here. */
    static final class RawDoubles extends DoublePointer {
        RawDoubles(long address, long n) {
            super((Pointer) null);
            this.address = address;
            this.position = 0;
            this.limit = n;
            this.capacity = n;
        }

        DoubleBuffer buffer() {
            return asByteBuffer().order(ByteOrder.nativeOrder()).asDoubleBuffer();
        }
    }

    /**
     * A C function {@code int (int64_t n, const double* x, double* f, double* g, void* user)}: the
     * JavaCPP trampoline of this subclass. It reads x and writes f and g through raw addresses, like
     * C code would, and computes them with a Java twin. Returns nonzero at call {@code abortAt}
     * (never when 0). Anything unexpected is recorded in {@link #failure} and aborts the run.
     */
    static class RawObjective extends LbfgsbNative.ObjectiveFunction {
        private final Objective twin;
        private final long expectedUser;
        private final int abortAt;
        int calls;
        Throwable failure;

        RawObjective(Objective twin, long expectedUser, int abortAt) {
            this.twin = twin;
            this.expectedUser = expectedUser;
            this.abortAt = abortAt;
        }

        /** The C address of this trampoline: a function, unlike {@link #address()}. */
        long functionAddress() {
            long address = NativeGlue.objectiveFunctionAddress(this);
            assertTrue(address != 0 && address != address(), "a C function, not JavaCPP's struct");
            return address;
        }

        @Override
        public int call(long n, long x, long f, long g, long user) {
            try {
                calls++;
                if (user != expectedUser) {
                    throw new AssertionError("user = " + user + ", expected " + expectedUser);
                }
                if (calls == abortAt) {
                    return 7;
                }
                double value = twin.evaluate(new RawDoubles(x, n).buffer().asReadOnlyBuffer(),
                        new RawDoubles(g, n).buffer());
                new RawDoubles(f, 1).put(0, value);
                return 0;
            } catch (Throwable t) {
                failure = t;
                return 1;
            }
        }
    }

    // ---- the same run as the Java loop, bit for bit ----

    static Stream<ReferenceCase> allReferenceCases() {
        return ReferenceData.load().cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allReferenceCases")
    void callbackGivesBitIdenticalResultsToTheJavaLoop(ReferenceCase c) {
        // Every SciPy case: limits, ABNORMAL, projection, fixed variables, listener stops (driver2/3).
        double[] x0 = c.x0().clone();
        Run expected = javaLoop(c, c.objective());
        Run actual = nativeCallback(c, c.objective());
        assertSameRun(expected, actual);
        assertArrayEquals(x0, c.x0(), "x0 not modified");
    }

    @ParameterizedTest
    @ValueSource(strings = {DRIVER_N1000, DRIVER_N1000_LISTENER_STOP, LbfgsbTest.ROSENBROCK_N1000_BOX,
            LbfgsbTest.ROSENBROCK_X0_OUTSIDE, LbfgsbTest.ROSENBROCK_MAXFUN_5})
    void functionPointerGivesBitIdenticalResultsToTheJavaLoop(String name) {
        ReferenceCase c = referenceCase(name);
        Run expected = javaLoop(c, c.objective());
        Run actual = functionPointer(c, c.objective());
        assertSameRun(expected, actual);
        if (c.stopRule() == null) {
            assertMatchesScipyCounts(c, actual.result());
        }
    }

    static Stream<ReferenceCase> casesWithACompiledObjective() {
        return allReferenceCases().filter(c -> compiledTwin(c) != null);
    }

    /** The example C function computing the case's objective, or null when there is none. */
    static NativeObjective compiledTwin(ReferenceCase c) {
        switch (c.problem()) {
            case "driver":
                return NativeExampleObjectives.driver1();
            case "rosenbrock":
                return NativeExampleObjectives.rosenbrock();
            default:
                return null;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithACompiledObjective")
    void compiledCFunctionsGiveBitIdenticalResultsToTheJavaLoop(ReferenceCase c) {
        // The regression of the function-pointer crash: a genuine C function (compiled C++, not a
        // JavaCPP trampoline) run through NativeObjective.functionPointer(long, long). Before the
        // fix the binding dereferenced the function's code as a JavaCPP struct and the JVM died.
        List<Seen> trace = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(compiledTwin(c), c.x0(), boundsOf(c), optionsOf(c, recording(c, trace)));
        assertSameRun(javaLoop(c, c.objective()), new Run(r, trace));
        if (c.stopRule() == null) {
            assertMatchesScipyCounts(c, r);
        }
    }

    @Test
    void compiledDriverProblemConvergesAtN1000LikeTheJavaObjectiveBitForBit() {
        ReferenceCase c = referenceCase(DRIVER_N1000);
        long address = NativeExampleObjectives.driver1Address();
        LbfgsbResult r = Lbfgsb.minimize(NativeObjective.functionPointer(address, USER_DATA), c.x0(), boundsOf(c),
                optionsOf(c, null));
        assertTrue(r.converged(), r.toString());
        assertBitIdentical(Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, null)), r);
        assertMatchesScipyCounts(c, r);
    }

    @Test
    void compiledDriverProblemRefusesOneVariableByReturningNonzero() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Lbfgsb.minimize(
                NativeExampleObjectives.driver1(), new double[] {3}, Bounds.unbounded(1), LbfgsbOptions.defaults()));
        assertTrue(e.getMessage().contains("returned nonzero at evaluation 1"), e.getMessage());
    }

    @Test
    void aJavaCppFunctionPointerIsTakenAsItsCFunction() {
        ReferenceCase c = referenceCase(DRIVER_N1000);
        Run loop = javaLoop(c, c.objective());
        try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, 0)) {
            // The struct's first member is the function: the generic read agrees with JavaCPP's own.
            assertEquals(NativeGlue.objectiveFunctionAddress(raw), NativeGlue.functionPointerTarget(raw.address()));
            List<Seen> trace = new ArrayList<>();
            NativeObjective objective = NativeObjective.functionPointer(raw, USER_DATA);
            LbfgsbResult r = Lbfgsb.minimize(objective, c.x0(), boundsOf(c), optionsOf(c, recording(c, trace)));
            assertNull(raw.failure);
            assertEquals(r.evaluations(), raw.calls);
            assertSameRun(loop, new Run(r, trace));
            assertTrue(objective.toString().contains(raw.toString()), objective.toString());
        }
    }

    @Test
    void aFunctionPointersOwnAddressIsRefusedInsteadOfCrashingTheJvm() {
        // The mistake the old tests made, and the bug hid: address() is JavaCPP's heap struct.
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, 0);
                DoublePointer data = new DoublePointer(4)) {
            for (long notCode : new long[] {raw.address(), data.address()}) {
                assertFalse(NativeGlue.isExecutableAddress(notCode), Long.toHexString(notCode));
                assertRejected(() -> Lbfgsb.minimize(NativeObjective.functionPointer(notCode, USER_DATA), c.x0(),
                        boundsOf(c), optionsOf(c, null)),
                        "functionAddress = 0x" + Long.toHexString(notCode), "not in executable memory",
                        "pass the FunctionPointer to NativeObjective.functionPointer(FunctionPointer, long)");
            }
            assertEquals(0, raw.calls);
        }
    }

    @Test
    void aClosedFunctionPointerIsRefused() {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        RawObjective raw = new RawObjective(c.objective(), USER_DATA, 0);
        NativeObjective objective = NativeObjective.functionPointer(raw, USER_DATA);
        raw.close();
        assertRejected(() -> Lbfgsb.minimize(objective, c.x0(), boundsOf(c), optionsOf(c, null)),
                "function = " + raw, "native pointer is null", "must hold a C function");
        assertEquals(0, raw.calls);
    }

    @Test
    void codeAddressesAreExecutableAndDataAddressesAreNot() {
        assertTrue(NativeGlue.isExecutableAddress(NativeExampleObjectives.rosenbrockAddress()));
        assertTrue(NativeGlue.isExecutableAddress(NativeExampleObjectives.driver1Address()));
        assertTrue(NativeGlue.isExecutableAddress(org.bytedeco.javacpp.Loader.addressof("malloc").address()),
                "a libc function, found by dlsym as a user would");
        assertFalse(NativeGlue.isExecutableAddress(0L));
        assertFalse(NativeGlue.isExecutableAddress(8L), "unmapped");
        try (RawObjective raw = new RawObjective(referenceCase(LbfgsbTest.ROSENBROCK_2D).objective(), 0, 0)) {
            assertTrue(NativeGlue.isExecutableAddress(raw.functionAddress()), "a trampoline");
            assertFalse(NativeGlue.isExecutableAddress(raw.address()), "JavaCPP's struct");
        }
    }

    @Test
    void generatedCodeOutsideAnyLibraryCountsAsExecutable() throws Exception {
        // The JIT's code cache is an anonymous executable mapping: no ELF object holds it, so the
        // check finds it in /proc/self/maps (where an FFM upcall stub would live too).
        long anonymousCode = 0;
        long anonymousData = 0;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 5) {
                continue; // a file or a named region
            }
            long start = Long.parseUnsignedLong(fields[0].substring(0, fields[0].indexOf('-')), 16);
            if (fields[1].charAt(2) == 'x' && anonymousCode == 0) {
                anonymousCode = start;
            } else if (fields[1].startsWith("rw-") && anonymousData == 0) {
                anonymousData = start;
            }
        }
        assertTrue(anonymousCode != 0, "the JVM has an anonymous executable mapping (its code cache)");
        assertTrue(NativeGlue.isExecutableAddress(anonymousCode + 16));
        assertTrue(anonymousData != 0);
        assertFalse(NativeGlue.isExecutableAddress(anonymousData + 16));
    }

    @Test
    void driverProblemAtN1000MatchesScipyThroughEveryDriver() {
        ReferenceCase c = referenceCase(DRIVER_N1000);
        Run loop = javaLoop(c, c.objective());
        assertMatchesScipyCounts(c, loop.result());
        assertTrue(loop.result().converged());
        assertSameRun(loop, nativeCallback(c, c.objective()));
        assertSameRun(loop, functionPointer(c, c.objective()));
    }

    @ParameterizedTest
    @ValueSource(strings = {LbfgsbTest.ROSENBROCK_X0_OUTSIDE, "rosen2d_at_minimum"})
    void zeroIterationsAreTheSameInTheNativeLoop(String name) {
        ReferenceCase c = referenceCase(name);
        LbfgsbOptions options = optionsOf(c, s -> fail("no iteration, so no listener call")).toBuilder()
                .maxIterations(0).build();
        LbfgsbResult loop = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), options);
        assertEquals(1, loop.evaluations());
        assertBitIdentical(loop, Lbfgsb.minimize(NativeObjective.callback(c.objective()), c.x0(), boundsOf(c), options));
        try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, 0)) {
            assertBitIdentical(loop, Lbfgsb.minimize(NativeObjective.functionPointer(raw.functionAddress(), USER_DATA),
                    c.x0(), boundsOf(c), options));
            assertEquals(1, raw.calls);
        }
    }

    static Stream<Arguments> poisonedRuns() {
        return Stream.of(LbfgsbTest.Poison.values())
                .flatMap(p -> Stream.of(1, 2, 10, 20).map(k -> Arguments.of(p, k)));
    }

    @ParameterizedTest(name = "{0} from evaluation {1} on")
    @MethodSource("poisonedRuns")
    void callbackHandlesANonFiniteObjectiveExactlyAsTheJavaLoop(LbfgsbTest.Poison poison, int k) {
        ReferenceCase c = referenceCase(LbfgsbTest.DRIVER_25);
        Supplier<Objective> poisoned = () -> {
            Objective inner = c.objective();
            AtomicInteger calls = new AtomicInteger();
            return (x, g) -> {
                double f = inner.evaluate(x, g);
                return calls.incrementAndGet() >= k ? poison.apply(f, g) : f;
            };
        };
        Run expected = javaLoop(c, poisoned.get());
        assertFalse(expected.result().converged());
        assertSameRun(expected, nativeCallback(c, poisoned.get()));
        assertSameRun(expected, functionPointer(c, poisoned.get()));
    }

    // ---- the function pointer's return code ----

    @Test
    void nonzeroReturnFromTheFunctionAbortsWithIllegalStateException() {
        ReferenceCase c = referenceCase(DRIVER_N1000);
        int abortAt = 4;
        try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, abortAt)) {
            NativeObjective objective = NativeObjective.functionPointer(raw.functionAddress(), USER_DATA);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Lbfgsb.minimize(objective, c.x0(), boundsOf(c), optionsOf(c, null)));
            assertTrue(e.getMessage().contains("returned nonzero at evaluation " + abortAt), e.getMessage());
            assertTrue(e.getMessage().contains(objective.toString()), e.getMessage());
            assertEquals(abortAt, raw.calls, "no call after the aborting one");
            assertNull(raw.failure);
        }
        // Still usable afterwards.
        assertMatchesScipyCounts(c, functionPointer(c, c.objective()).result());
    }

    @Test
    void nonzeroReturnAtTheStartingPointAbortsToo() {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Lbfgsb.minimize(
                    NativeObjective.functionPointer(raw.functionAddress(), USER_DATA), c.x0(), boundsOf(c), optionsOf(c, null)));
            assertTrue(e.getMessage().contains("returned nonzero at evaluation 1"), e.getMessage());
            assertEquals(1, raw.calls);
        }
    }

    // ---- invalid arguments ----

    /** The rejection is an IllegalArgumentException whose message contains every fragment. */
    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message \"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
        }
    }

    @Test
    void invalidNativeObjectivesAreRejected() {
        assertRejected(() -> NativeObjective.callback(null), "objective = null", "must not be null");
        assertRejected(() -> NativeObjective.functionPointer(0L, USER_DATA), "functionAddress = 0",
                "must be the address of a native function");
        assertRejected(() -> NativeObjective.functionPointer((org.bytedeco.javacpp.FunctionPointer) null, USER_DATA),
                "function = null", "must be a JavaCPP FunctionPointer");
    }

    @Test
    void invalidArgumentsOfTheNativeOverloadAreRejectedByNameBeforeAnyCall() {
        NativeObjective never = NativeObjective.callback((x, g) -> fail("the objective must not be called"));
        double[] x0 = {1, 2};
        Bounds bounds = Bounds.unbounded(2);
        LbfgsbOptions options = LbfgsbOptions.defaults();
        assertAll(
                () -> assertRejected(() -> Lbfgsb.minimize((NativeObjective) null, x0, bounds, options), "objective = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, null, bounds, options), "x0 = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, x0, null, options), "bounds = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, x0, bounds, null), "options = null"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, new double[0], Bounds.unbounded(1), options),
                        "x0.length = 0", "must be > 0"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, new double[] {1, Double.NaN}, bounds, options),
                        "x0[1] = NaN", "must be finite"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, new double[] {Double.NEGATIVE_INFINITY, 1}, bounds, options),
                        "x0[0] = -Infinity", "must be finite"),
                () -> assertRejected(() -> Lbfgsb.minimize(never, x0, Bounds.unbounded(3), options),
                        "bounds.size() = 3", "must equal the length of x0, 2"));
    }

    // ---- exceptions through the native loop ----

    static Stream<Arguments> throwablesAtEvaluations() {
        return LbfgsbTest.throwablesAtEvaluations();
    }

    @ParameterizedTest(name = "{0} at evaluation {2}")
    @MethodSource("throwablesAtEvaluations")
    void exceptionFromCallbackObjectiveReachesCallerUnchanged(String kind, Supplier<Throwable> make, int k) {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        Throwable thrown = make.get();
        AtomicInteger calls = new AtomicInteger();
        Objective throwing = throwingAtEvaluation(c.objective(), k, thrown);
        Throwable caught = assertThrows(Throwable.class, () -> Lbfgsb.minimize(NativeObjective.callback((x, g) -> {
            calls.incrementAndGet();
            return throwing.evaluate(x, g);
        }), c.x0(), boundsOf(c), optionsOf(c, null)));
        assertSame(thrown, caught);
        assertEquals(k, calls.get(), "no evaluation after the one that threw");
        assertSameRun(javaLoop(c, c.objective()), nativeCallback(c, c.objective()));
    }

    static Stream<Arguments> throwables() {
        return LbfgsbTest.throwables();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("throwables")
    void exceptionFromListenerReachesCallerUnchangedThroughTheNativeLoop(String kind, Supplier<Throwable> make) {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        for (boolean viaFunctionPointer : new boolean[] {false, true}) {
            Throwable thrown = make.get();
            AtomicInteger calls = new AtomicInteger();
            IterationListener listener = s -> {
                if (calls.incrementAndGet() == 3) {
                    throw sneakyThrow(thrown);
                }
                return IterationListener.Action.CONTINUE;
            };
            try (RawObjective raw = new RawObjective(c.objective(), USER_DATA, 0)) {
                NativeObjective objective = viaFunctionPointer
                        ? NativeObjective.functionPointer(raw.functionAddress(), USER_DATA)
                        : NativeObjective.callback(c.objective());
                Throwable caught = assertThrows(Throwable.class,
                        () -> Lbfgsb.minimize(objective, c.x0(), boundsOf(c), optionsOf(c, listener)));
                assertSame(thrown, caught, viaFunctionPointer ? "function pointer" : "callback");
                assertEquals(3, calls.get(), "no iteration after the one whose listener threw");
            }
        }
        assertSameRun(javaLoop(c, c.objective()), nativeCallback(c, c.objective()));
    }

    // ---- the listener and the buffers in the native loop ----

    @Test
    void listenerStopAndLimitPrecedenceAreTheSameInTheNativeLoop() {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_MAXITER_5);
        for (int stopAt : new int[] {3, 5}) {
            IterationListener stop = s -> s.iteration() == stopAt
                    ? IterationListener.Action.STOP : IterationListener.Action.CONTINUE;
            LbfgsbResult loop = Lbfgsb.minimize(c.objective(), c.x0(), boundsOf(c), optionsOf(c, stop));
            LbfgsbResult callback = Lbfgsb.minimize(NativeObjective.callback(c.objective()), c.x0(), boundsOf(c),
                    optionsOf(c, stop));
            assertBitIdentical(loop, callback);
            // maxiter = 5: at iteration 5 the limit wins, as in SciPy.
            assertEquals(stopAt == 5 ? Termination.MAX_ITERATIONS : Termination.STOPPED_BY_LISTENER,
                    callback.termination());
            assertEquals(stopAt, callback.iterations());
        }
    }

    @Test
    void listenerViewsAreReadOnlyInTheNativeLoop() {
        ReferenceCase c = referenceCase(LbfgsbTest.DRIVER_25);
        AtomicInteger checked = new AtomicInteger();
        LbfgsbResult r = Lbfgsb.minimize(NativeObjective.callback(c.objective()), c.x0(), boundsOf(c),
                optionsOf(c, s -> {
                    assertThrows(ReadOnlyBufferException.class, () -> s.x().put(0, 42.0));
                    assertThrows(ReadOnlyBufferException.class, () -> s.gradient().put(0, 42.0));
                    checked.incrementAndGet();
                    return IterationListener.Action.CONTINUE;
                }));
        assertEquals(r.iterations(), checked.get());
        assertMatchesScipyCounts(c, r);
    }

    @Test
    void callbackObjectiveGetsTheSameReadOnlyXAndDirectGradientAtEveryEvaluation() {
        ReferenceCase c = referenceCase(LbfgsbTest.ROSENBROCK_N1000_BOX);
        int n = c.n();
        Objective inner = c.objective();
        Set<DoubleBuffer> xs = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<DoubleBuffer> gs = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Double> firstComponents = new ArrayList<>();
        LbfgsbResult r = Lbfgsb.minimize(NativeObjective.callback((x, g) -> {
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
            x.get(); // moves the position: the driver must reset it before the next call
            g.position(n);
            return inner.evaluate(x, g);
        }), c.x0(), boundsOf(c), optionsOf(c, null));
        assertMatchesScipyCounts(c, r);
        assertEquals(1, xs.size(), "one x buffer object for the whole run");
        assertEquals(1, gs.size(), "one gradient buffer object for the whole run");
        assertTrue(firstComponents.stream().distinct().count() > 1, "x moved under the same buffer object");
    }

    @Test
    void functionPointerSeesTheSameNativeMemoryAtEveryEvaluation() {
        // Zero copy on the C side: the core hands the function the same x and g addresses every time.
        ReferenceCase c = referenceCase(DRIVER_N1000);
        Set<Long> xAddresses = new HashSet<>();
        Set<Long> gAddresses = new HashSet<>();
        Objective inner = c.objective();
        try (RawObjective raw = new RawObjective(inner, USER_DATA, 0) {
            @Override
            public int call(long n, long x, long f, long g, long user) {
                xAddresses.add(x);
                gAddresses.add(g);
                return super.call(n, x, f, g, user);
            }
        }) {
            LbfgsbResult r = Lbfgsb.minimize(NativeObjective.functionPointer(raw.functionAddress(), USER_DATA), c.x0(),
                    boundsOf(c), optionsOf(c, null));
            assertNull(raw.failure);
            assertMatchesScipyCounts(c, r);
        }
        assertEquals(1, xAddresses.size(), "x address");
        assertEquals(1, gAddresses.size(), "gradient address");
    }

    @Test
    void minimizationsNestInsideAnObjectiveOfTheNativeLoop() {
        // A bilevel use: every evaluation of the outer objective runs a whole inner minimization,
        // through each driver. Neither level disturbs the other.
        ReferenceCase outer = referenceCase(LbfgsbTest.ROSENBROCK_2D);
        ReferenceCase inner = referenceCase(LbfgsbTest.DRIVER_25);
        Run innerExpected = javaLoop(inner, inner.objective());
        Run outerExpected = javaLoop(outer, outer.objective());
        AtomicInteger innerRuns = new AtomicInteger();
        Objective outerObjective = outer.objective();
        Objective nesting = (x, g) -> {
            int k = innerRuns.getAndIncrement();
            Run r = k % 3 == 0 ? javaLoop(inner, inner.objective())
                    : k % 3 == 1 ? nativeCallback(inner, inner.objective())
                    : functionPointer(inner, inner.objective());
            assertSameRun(innerExpected, r);
            return outerObjective.evaluate(x, g);
        };
        assertSameRun(outerExpected, nativeCallback(outer, nesting));
        assertSameRun(outerExpected, javaLoop(outer, nesting));
        assertEquals(2 * outerExpected.result().evaluations(), innerRuns.get());
    }

    @Test
    void nativeObjectivesAreValuesAndSayWhatTheyWrap() {
        Objective o = (x, g) -> 0;
        assertEquals(NativeObjective.callback(o), NativeObjective.callback(o));
        assertEquals(NativeObjective.callback(o).hashCode(), NativeObjective.callback(o).hashCode());
        assertFalse(NativeObjective.callback(o).equals(NativeObjective.callback((x, g) -> 0)));
        assertEquals(NativeObjective.functionPointer(0x1234, 5), NativeObjective.functionPointer(0x1234, 5));
        assertFalse(NativeObjective.functionPointer(0x1234, 5).equals(NativeObjective.functionPointer(0x1234, 6)));
        assertTrue(NativeObjective.functionPointer(0xabcL, 0).toString().contains("0xabc"));
        try (RawObjective raw = new RawObjective(o, 0, 0); RawObjective other = new RawObjective(o, 0, 0)) {
            assertEquals(NativeObjective.functionPointer(raw, 5), NativeObjective.functionPointer(raw, 5));
            assertEquals(NativeObjective.functionPointer(raw, 5).hashCode(), NativeObjective.functionPointer(raw, 5).hashCode());
            assertFalse(NativeObjective.functionPointer(raw, 5).equals(NativeObjective.functionPointer(other, 5)));
            assertFalse(NativeObjective.functionPointer(raw, 5).equals(NativeObjective.functionPointer(raw, 6)));
            assertFalse(NativeObjective.functionPointer(raw, 5).equals(
                    NativeObjective.functionPointer(raw.functionAddress(), 5)), "a FunctionPointer is not its address");
        }
    }
}
