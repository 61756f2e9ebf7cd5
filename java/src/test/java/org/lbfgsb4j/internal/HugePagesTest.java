package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;

/**
 * Transparent huge pages for the large arrays: on by default, off with the environment variable
 * {@code LBFGSB4J_HUGE_PAGES} or the system property {@value LbfgsbNative#HUGE_PAGES_PROPERTY}
 * (which wins), switchable at run time; never a change in the results. The setting is
 * process-wide and decided when the library loads, so those cases run in fresh JVMs.
 */
class HugePagesTest {

    /** Large enough for the n-vectors to be mapped on their own (2 MiB and more), not only the history. */
    static final int N = 300_000;

    /** The child JVM: the setting after loading, then a solve that allocates large arrays. */
    public static void main(String[] args) {
        LbfgsbNative.load();
        System.out.println("hugePages=" + LbfgsbNative.hugePages());
        System.out.println("converged=" + solve(N, 200).converged());
    }

    private static LbfgsbResult solve(int n, int maxIterations) {
        double[] x0 = new double[n];
        Arrays.fill(x0, 3.0);
        return Lbfgsb.minimize((x, g) -> {
            double f = 0;
            for (int i = 0; i < n; i++) {
                double d = x.get(i) - (i % 7);
                f += d * d * (1 + (i % 3));
                g.put(i, 2 * d * (1 + (i % 3)));
            }
            return f;
        }, x0, Bounds.box(n, -1.0, 5.0),
                LbfgsbOptions.builder().arithmetic(Arithmetic.FAST).maxIterations(maxIterations).build());
    }

    private static String child(Map<String, String> environment, String... jvmOptions)
            throws IOException, InterruptedException {
        String out = ChildJvm.run(HugePagesTest.class, List.of("LBFGSB4J_HUGE_PAGES"), environment,
                List.of(jvmOptions), List.of(), 120);
        assertTrue(out.contains("converged=true"), out);
        return out;
    }

    @Test
    void onByDefault() throws Exception {
        assertTrue(child(Map.of()).contains("hugePages=true"));
    }

    @Test
    void theEnvironmentVariableTurnsThemOff() throws Exception {
        String out = child(Map.of("LBFGSB4J_HUGE_PAGES", "off"));
        assertTrue(out.contains("hugePages=false"), out);
    }

    @Test
    void theSystemPropertyTurnsThemOffAndWinsOverTheEnvironment() throws Exception {
        String off = child(Map.of(), "-D" + LbfgsbNative.HUGE_PAGES_PROPERTY + "=false");
        assertTrue(off.contains("hugePages=false"), off);
        String on = child(Map.of("LBFGSB4J_HUGE_PAGES", "0"), "-D" + LbfgsbNative.HUGE_PAGES_PROPERTY + "=true");
        assertTrue(on.contains("hugePages=true"), on);
    }

    @Test
    void anUnreadablePropertyIsReportedAndIgnored() throws Exception {
        String out = child(Map.of(), "-D" + LbfgsbNative.HUGE_PAGES_PROPERTY + "=sometimes");
        assertTrue(out.contains("hugePages=true"), out);
        assertTrue(out.contains("-Dlbfgsb4j.hugePages=sometimes ignored: must be true or false"), out);
    }

    @Test
    void switchingThemChangesNoBit() {
        boolean before = LbfgsbNative.hugePages();
        try {
            LbfgsbNative.setHugePages(false);
            assertEquals(false, LbfgsbNative.hugePages());
            LbfgsbResult small = solve(N, 12);
            LbfgsbNative.setHugePages(true);
            assertEquals(true, LbfgsbNative.hugePages());
            LbfgsbResult huge = solve(N, 12);
            assertEquals(small.evaluations(), huge.evaluations());
            assertEquals(Double.doubleToRawLongBits(small.value()), Double.doubleToRawLongBits(huge.value()));
            assertArrayEquals(small.x(), huge.x());
        } finally {
            LbfgsbNative.setHugePages(before);
        }
    }
}
