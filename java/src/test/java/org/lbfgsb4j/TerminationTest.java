package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TerminationTest {

    @Test
    void messagesAreScipy115sExactTexts() {
        assertEquals("CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL",
                Termination.CONVERGED_PROJECTED_GRADIENT.scipyMessage());
        assertEquals("CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH",
                Termination.CONVERGED_RELATIVE_REDUCTION.scipyMessage());
        assertEquals("STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT", Termination.MAX_ITERATIONS.scipyMessage());
        assertEquals("STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT", Termination.MAX_EVALUATIONS.scipyMessage());
        assertEquals("STOP: CALLBACK REQUESTED HALT", Termination.STOPPED_BY_LISTENER.scipyMessage());
        assertEquals("ABNORMAL: ", Termination.ABNORMAL_LINE_SEARCH.scipyMessage(), "with SciPy's trailing space");
        assertEquals("ABNORMAL: F OR GRADIENT IS NOT FINITE AT THE STARTING POINT",
                Termination.NON_FINITE.scipyMessage());
    }

    @Test
    void onlyTheTwoConvergenceTestsAreConvergence() {
        assertTrue(Termination.CONVERGED_PROJECTED_GRADIENT.isConvergence());
        assertTrue(Termination.CONVERGED_RELATIVE_REDUCTION.isConvergence());
        assertFalse(Termination.MAX_ITERATIONS.isConvergence());
        assertFalse(Termination.MAX_EVALUATIONS.isConvergence());
        assertFalse(Termination.STOPPED_BY_LISTENER.isConvergence());
        assertFalse(Termination.ABNORMAL_LINE_SEARCH.isConvergence());
        assertFalse(Termination.NON_FINITE.isConvergence());
        assertTrue(Termination.TARGET_REACHED.isConvergence());
        assertFalse(Termination.TIME_LIMIT.isConvergence());
        assertFalse(Termination.CANCELLED.isConvergence());
    }

    @Test
    void nativeStatusesOneToSevenMapAsInMinimizerHpp() {
        assertSame(Termination.CONVERGED_PROJECTED_GRADIENT, Termination.fromNativeStatus(1));
        assertSame(Termination.CONVERGED_RELATIVE_REDUCTION, Termination.fromNativeStatus(2));
        assertSame(Termination.MAX_ITERATIONS, Termination.fromNativeStatus(3));
        assertSame(Termination.MAX_EVALUATIONS, Termination.fromNativeStatus(4));
        assertSame(Termination.STOPPED_BY_LISTENER, Termination.fromNativeStatus(5));
        assertSame(Termination.ABNORMAL_LINE_SEARCH, Termination.fromNativeStatus(6));
        assertSame(Termination.NON_FINITE, Termination.fromNativeStatus(7));
        assertSame(Termination.TARGET_REACHED, Termination.fromNativeStatus(10));
        assertSame(Termination.TIME_LIMIT, Termination.fromNativeStatus(11));
        assertSame(Termination.CANCELLED, Termination.fromNativeStatus(12));
    }

    @Test
    void everyTerminationRoundTripsThroughItsNativeStatus() {
        for (Termination t : Termination.values()) {
            assertSame(t, Termination.fromNativeStatus(t.nativeStatus()));
        }
    }

    @Test
    void thereAreExactlyTheTenSpecifiedTerminations() {
        assertArrayEquals(new String[] {"CONVERGED_PROJECTED_GRADIENT", "CONVERGED_RELATIVE_REDUCTION",
                "MAX_ITERATIONS", "MAX_EVALUATIONS", "STOPPED_BY_LISTENER", "ABNORMAL_LINE_SEARCH", "NON_FINITE",
                "TARGET_REACHED", "TIME_LIMIT", "CANCELLED"},
                java.util.Arrays.stream(Termination.values()).map(Enum::name).toArray(String[]::new));
    }

    @Test
    void runningInvalidInputAndAbortedAreNotTerminations() {
        assertEquals("native status 0 (Running): not a termination, the run has not ended",
                assertThrows(IllegalStateException.class, () -> Termination.fromNativeStatus(0)).getMessage());
        assertEquals("native status 8 (InvalidInput): not a termination, the input was rejected",
                assertThrows(IllegalStateException.class, () -> Termination.fromNativeStatus(8)).getMessage());
        assertEquals("native status 9 (AbortedByObjective): not a termination, the objective aborted the run",
                assertThrows(IllegalStateException.class, () -> Termination.fromNativeStatus(9)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 13, 401, Integer.MIN_VALUE})
    void unknownNativeStatusesAreRejectedNamingTheCode(int code) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Termination.fromNativeStatus(code));
        assertTrue(e.getMessage().startsWith("native status " + code + ": unknown"), e.getMessage());
    }
}
