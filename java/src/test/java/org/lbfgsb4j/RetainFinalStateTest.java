package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The result keeps the final state by size: small states by default, large ones on request only. */
class RetainFinalStateTest {

    /** sum (x_i - 1/(i+1))^2. */
    private static final Objective QUADRATIC = Objective.fromArrays((x, g) -> {
        double f = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - 1.0 / (i + 1);
            f += d * d;
            g[i] = 2 * d;
        }
        return f;
    });

    private static LbfgsbResult solve(int n, LbfgsbOptions options) {
        double[] x0 = new double[n];
        Arrays.fill(x0, 3.0);
        return Lbfgsb.minimize(QUADRATIC, x0, Bounds.unbounded(n), options);
    }

    @Test
    void smallStatesAreKeptByDefault() {
        LbfgsbResult r = solve(1000, LbfgsbOptions.defaults());
        assertEquals(LbfgsbOptions.DEFAULT_RETAIN_FINAL_STATE_LIMIT, LbfgsbOptions.defaults().retainFinalStateLimit());
        assertEquals(1000, r.checkpoint().size());
        assertEquals(r.value(), r.checkpoint().value());
    }

    /**
     * A kept state up to the default limit lives on the Java heap (the collector accounts for it,
     * so dead results' states do not pile up off-heap), and resuming from it continues bit for
     * bit: a run stopped after 3 iterations and resumed to the end equals the uninterrupted run.
     */
    @Test
    void smallStatesAreKeptOnTheHeapAndResumeBitForBit() {
        LbfgsbResult stopped = solve(300, LbfgsbOptions.builder().maxIterations(3).build());
        assertTrue(stopped.checkpoint().isOnHeap());
        LbfgsbResult resumed = Lbfgsb.resume(QUADRATIC, stopped.checkpoint(), LbfgsbOptions.defaults());
        LbfgsbResult whole = solve(300, LbfgsbOptions.defaults());
        assertEquals(whole, resumed);
        assertTrue(resumed.converged());
    }

    @Test
    void statesAboveTheLimitAreNotKept() {
        // n = 1000, m = 10: the state is about (2m + 9) n doubles, over 200 kB.
        LbfgsbResult r = solve(1000, LbfgsbOptions.builder().retainFinalStateUpTo(100_000).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, r::checkpoint);
        assertTrue(e.getMessage().contains("retainFinalState(true)"), e.getMessage());
        assertThrows(IllegalStateException.class, r::inverseHessian);
        assertTrue(r.converged());
    }

    @Test
    void alwaysAndNeverOverrideTheSize() {
        LbfgsbOptions always = LbfgsbOptions.builder().retainFinalStateUpTo(1).retainFinalState(true).build();
        assertEquals(Long.MAX_VALUE, always.retainFinalStateLimit());
        assertEquals(10, solve(10, always).checkpoint().size());
        LbfgsbOptions never = LbfgsbOptions.builder().retainFinalState(false).build();
        assertFalse(never.retainsFinalStateOf(1));
        assertThrows(IllegalStateException.class, solve(10, never)::checkpoint);
    }

    @Test
    void aNegativeLimitIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LbfgsbOptions.builder().retainFinalStateUpTo(-1).build());
        assertEquals("retainFinalStateLimit = -1: must be >= 0", e.getMessage());
    }
}
