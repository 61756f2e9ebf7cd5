package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;

/**
 * OpenBLAS runs one thread after any entry into the library, in a fresh JVM (the setting is
 * process-wide, so it can only be checked before anything else touched it): the core's BLAS is
 * the preset's {@code libopenblas.so.0}, whose default is one thread per core; its idle workers
 * spin and take a core from the objective. Two bugs this catches: setting the threads on another
 * copy of OpenBLAS (the {@code openblas_nolapack} preset class acts on
 * {@code libopenblas_nolapack.so.0}), and a first use through a class whose initialisation skips
 * the setting.
 */
class OpenBlasThreadsTest {

    /**
     * The child JVM: one REFERENCE solve (the arithmetic that calls BLAS) through the public API
     * only, then the count; with the argument "more", then two threads and a larger solve (the
     * pool ended at load must come back).
     */
    public static void main(String[] args) {
        System.out.println("converged=" + solve(50).converged());
        System.out.println("blasThreads=" + LbfgsbNative.blasThreads());
        if (args.length > 0 && args[0].equals("more")) {
            LbfgsbNative.setBlasThreads(2);
            LbfgsbResult r = solve(20_000);
            System.out.println("after setBlasThreads(2): converged=" + r.converged() + " blasThreads="
                    + LbfgsbNative.blasThreads());
        }
    }

    private static LbfgsbResult solve(int n) {
        double[] x0 = new double[n];
        java.util.Arrays.fill(x0, 3.0);
        return Lbfgsb.minimize((x, g) -> {
            double f = 0;
            for (int i = 0; i < n; i++) {
                double d = x.get(i) - i;
                f += d * d;
                g.put(i, 2 * d);
            }
            return f;
        }, x0, Bounds.box(n, -1.0, 10.0), LbfgsbOptions.builder().arithmetic(Arithmetic.REFERENCE).build());
    }

    private static String child(Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        String out = ChildJvm.run(OpenBlasThreadsTest.class, List.of("OPENBLAS_NUM_THREADS"), environment, List.of(),
                List.of(args), 60);
        assertTrue(out.contains("converged=true"), out);
        return out;
    }

    @Test
    void oneThreadAfterTheFirstSolve() throws Exception {
        String out = child(Map.of());
        assertTrue(out.contains("blasThreads=1"), out);
    }

    @Test
    void moreThreadsCanStillBeAskedFor() throws Exception {
        String out = child(Map.of(), "more");
        assertTrue(out.contains("after setBlasThreads(2): converged=true blasThreads=2"), out);
    }

    @Test
    void anExplicitOpenblasNumThreadsIsTheUsersChoice() throws Exception {
        String out = child(Map.of("OPENBLAS_NUM_THREADS", "2"));
        assertTrue(out.contains("blasThreads=2"), out);
    }
}
