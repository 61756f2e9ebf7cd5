package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Many small independent problems on an executor, each bit for bit its serial result. */
class LbfgsbBatchTest {
    /** Member k: a shifted, scaled Rosenbrock in 2 + k % 9 dimensions, in a box. */
    static double member(int k, DoubleBuffer x, DoubleBuffer g) {
        int n = x.limit();
        double shift = 0.1 * (k % 7);
        double f = 0;
        for (int i = 0; i < n; i++) {
            g.put(i, 0);
        }
        for (int i = 0; i + 1 < n; i++) {
            double xi = x.get(i) - shift;
            double a = x.get(i + 1) - shift - xi * xi;
            double b = 1 - xi;
            f += 100 * a * a + b * b;
            g.put(i, g.get(i) - 400 * xi * a - 2 * b);
            g.put(i + 1, g.get(i + 1) + 200 * a);
        }
        return f;
    }

    static double[] start(int k) {
        double[] x0 = new double[2 + k % 9];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = -1.0 + 0.01 * k;
        }
        return x0;
    }

    static Bounds box(int k) {
        return Bounds.box(2 + k % 9, -2, 2);
    }

    @Test
    void aStressBatchMatchesTheSerialResults() {
        int count = 400;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<LbfgsbResult> results = LbfgsbBatch.minimize(count, LbfgsbBatchTest::member, LbfgsbBatchTest::start,
                    LbfgsbBatchTest::box, LbfgsbOptions.defaults(), pool);
            assertEquals(count, results.size());
            for (int k = 0; k < count; k += 1) {
                final int member = k;
                LbfgsbResult serial = Lbfgsb.minimize((x, g) -> member(member, x, g), start(k), box(k), LbfgsbOptions.defaults());
                LbfgsbResult r = results.get(k);
                assertEquals(serial.evaluations(), r.evaluations(), "member " + k);
                assertEquals(Double.doubleToLongBits(serial.value()), Double.doubleToLongBits(r.value()), "member " + k);
                assertArrayEquals(serial.x(), r.x(), "member " + k);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMembersExceptionReachesTheCallerUnchanged() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            IllegalStateException boom = new IllegalStateException("member 7 diverged");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> LbfgsbBatch.minimize(20,
                    (k, x, g) -> {
                        if (k == 7) {
                            throw boom;
                        }
                        return member(k, x, g);
                    }, LbfgsbBatchTest::start, LbfgsbBatchTest::box, LbfgsbOptions.defaults(), pool));
            assertSame(boom, thrown);
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> LbfgsbBatch.minimize(5,
                    LbfgsbBatchTest::member, k -> k == 3 ? new double[] {Double.NaN, 0} : start(k), LbfgsbBatchTest::box,
                    LbfgsbOptions.defaults(), pool));
            assertTrue(bad.getMessage().startsWith("member 3: "), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LbfgsbBatch.minimize(-1, LbfgsbBatchTest::member,
                    LbfgsbBatchTest::start, LbfgsbBatchTest::box, LbfgsbOptions.defaults(), pool));
        } finally {
            pool.shutdownNow();
        }
    }
}
