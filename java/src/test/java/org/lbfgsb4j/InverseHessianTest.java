package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/** The inverse-Hessian operator from a checkpoint. */
class InverseHessianTest {
    /** Rounding of O(pairs n) sums of products, relative to the entries' scale. */
    static final double TOLERANCE = 1e-10;

    static Checkpoint finalCheckpoint(String name) {
        ReferenceCase c = ReferenceData.load().caseNamed(name);
        try (Minimization m = Minimization.start(c.x0(), Bounds.of(c.lower(), c.upper()), MinimizationTest.optionsOf(c))) {
            MinimizationTest.drive(m, c.objective());
            return m.checkpoint();
        }
    }

    @Test
    void onAQuadraticTheSolversHIsTheInverseHessian() {
        // f = 1/2 x'Ax with A = diag(1, 2, ..., 5): after enough exact-line-search-like steps
        // the L-BFGS matrix satisfies the secant equations H y_i = s_i for every stored pair.
        double[] diag = {1, 2, 3, 4, 5};
        Objective quadratic = (x, g) -> {
            double f = 0;
            for (int i = 0; i < 5; i++) {
                g.put(i, diag[i] * x.get(i));
                f += 0.5 * diag[i] * x.get(i) * x.get(i);
            }
            return f;
        };
        LbfgsbOptions options = LbfgsbOptions.builder().projectedGradientTolerance(1e-12).relativeReductionTolerance(0)
                .maxIterations(4).build();
        try (Minimization m = Minimization.start(new double[] {1, 1, 1, 1, 1}, Bounds.unbounded(5), options)) {
            MinimizationTest.drive(m, quadratic);
            Checkpoint c = m.checkpoint();
            InverseHessian h = InverseHessian.of(c);
            assertTrue(h.pairs() >= 2);
            // Secant equation on the newest pair: H y = s, y = A s.
            int head = (int) c.field(Checkpoint.FIELD_HEAD);
            int col = (int) c.field(Checkpoint.FIELD_COL);
            int newest = (head + col - 1) % c.historySize();
            double[] s = c.column("S", newest);
            double[] y = c.column("Y", newest);
            double[] hy = h.apply(y);
            for (int i = 0; i < 5; i++) {
                assertEquals(s[i], hy[i], TOLERANCE * (1 + Math.abs(s[i])));
            }
        }
    }

    @Test
    void diagonalAndDenseAgreeWithApply() {
        Checkpoint c = finalCheckpoint("rosen_n20_maxcor3");
        for (InverseHessian h : new InverseHessian[] {InverseHessian.of(c), InverseHessian.scipyCompatible(c)}) {
            double[][] dense = h.toDense();
            double[] diagonal = h.diagonal();
            int n = h.size();
            double scale = 0;
            for (int i = 0; i < n; i++) {
                scale = Math.max(scale, Math.abs(dense[i][i]));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(dense[i][i], diagonal[i], TOLERANCE * scale, "diagonal " + i);
                for (int j = 0; j < n; j++) {
                    assertEquals(dense[i][j], dense[j][i], TOLERANCE * scale, "symmetry " + i + "," + j);
                }
            }
        }
    }

    @Test
    void theScipyVariantDiffersOnceTheHistoryWrapped() {
        Checkpoint c = finalCheckpoint("rosen_n20_maxcor3");
        InverseHessian own = InverseHessian.of(c);
        InverseHessian scipy = InverseHessian.scipyCompatible(c);
        assertEquals(3, own.pairs());
        assertEquals(1.0, scipy.initialScale());
        double[] v = new double[20];
        v[0] = 1;
        double[] a = own.apply(v);
        double[] b = scipy.apply(v);
        double difference = 0;
        for (int i = 0; i < 20; i++) {
            difference = Math.max(difference, Math.abs(a[i] - b[i]));
        }
        assertTrue(difference > 1e-6, "H0 = I and unordered pairs give another operator");
    }

    @Test
    void badArgumentsAreRefused() {
        Checkpoint c = finalCheckpoint("rosen2d_standard");
        InverseHessian h = InverseHessian.of(c);
        assertThrows(IllegalArgumentException.class, () -> InverseHessian.of(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.apply(new double[3]));
        assertTrue(e.getMessage().contains("v.length = 3"), e.getMessage());
    }
}
