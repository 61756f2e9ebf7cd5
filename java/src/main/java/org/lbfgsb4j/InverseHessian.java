package org.lbfgsb4j;

import java.nio.DoubleBuffer;

/**
 * The limited-memory inverse-Hessian approximation H of a run, as an operator: {@link #apply},
 * {@link #diagonal()}, {@link #toDense()}. For uncertainty quantification and Laplace
 * approximations in inverse problems, or to precondition a follow-up solve.
 *
 * <p>{@link #of(Checkpoint)} is the solver's own H = B⁻¹: the correction pairs (s_i, y_i) in
 * chronological order, starting from H₀ = (1/θ) I with the solver's θ = y'y / s'y of the newest
 * pair, applied by the two-loop recursion. {@link #scipyCompatible(Checkpoint)} reproduces
 * SciPy's {@code res.hess_inv} ({@code LbfgsInvHessProduct}) instead: H₀ = I and the pairs in the
 * order of the solver's circular buffer, which stops being chronological once the history has
 * wrapped (a SciPy defect this library documents rather than copies).
 *
 * <p>After the solver discarded its memory (a failed line search or factorization), H is built
 * from the pairs stored since. With no pairs, H = H₀.
 *
 * <p>Immutable and thread-safe; holds copies of the 2·pairs n-vectors.
 */
public final class InverseHessian {
    private final int n;
    private final double[][] s;   // s[i]: the i-th pair in application order (oldest first)
    private final double[][] y;
    private final double[] rho;  // 1 / (s_i' y_i)
    private final double gamma;  // H0 = gamma I

    private InverseHessian(int n, double[][] s, double[][] y, double gamma) {
        this.n = n;
        this.s = s;
        this.y = y;
        this.gamma = gamma;
        this.rho = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            rho[i] = 1.0 / dot(s[i], y[i]);
        }
    }

    /** The solver's own inverse Hessian at the checkpoint: chronological pairs, H₀ = (1/θ) I. */
    public static InverseHessian of(Checkpoint checkpoint) {
        requireCheckpoint(checkpoint);
        int m = checkpoint.historySize();
        int head = (int) checkpoint.field(Checkpoint.FIELD_HEAD);
        int col = (int) checkpoint.field(Checkpoint.FIELD_COL);
        double theta = Double.longBitsToDouble(checkpoint.field(Checkpoint.FIELD_THETA));
        double[][] s = new double[col][];
        double[][] y = new double[col][];
        for (int j = 0; j < col; j++) {
            int slot = (head + j) % m;
            s[j] = checkpoint.column("S", slot);
            y[j] = checkpoint.column("Y", slot);
        }
        return new InverseHessian(checkpoint.size(), s, y, col == 0 ? 1.0 : 1.0 / theta);
    }

    /**
     * SciPy's {@code hess_inv}: the first min(updates, m) slots of the circular buffer in slot order
     * (row k-1 taken as the newest), H₀ = I.
     */
    public static InverseHessian scipyCompatible(Checkpoint checkpoint) {
        requireCheckpoint(checkpoint);
        int m = checkpoint.historySize();
        int count = (int) Math.min(checkpoint.field(Checkpoint.FIELD_IUPDAT), m);
        double[][] s = new double[count][];
        double[][] y = new double[count][];
        for (int j = 0; j < count; j++) {
            s[j] = checkpoint.column("S", j);
            y[j] = checkpoint.column("Y", j);
        }
        return new InverseHessian(checkpoint.size(), s, y, 1.0);
    }

    private static void requireCheckpoint(Checkpoint checkpoint) {
        if (checkpoint == null) {
            throw new IllegalArgumentException("checkpoint = null: must not be null");
        }
    }

    /** The dimension n. */
    public int size() {
        return n;
    }

    /** The number of correction pairs H is built from. */
    public int pairs() {
        return s.length;
    }

    /** The scale of H₀ = γ I. */
    public double initialScale() {
        return gamma;
    }

    /** H v (two-loop recursion, O(pairs · n)); v is not modified. */
    public double[] apply(double[] v) {
        if (v == null) {
            throw new IllegalArgumentException("v = null: must not be null");
        }
        if (v.length != n) {
            throw new IllegalArgumentException("v.length = " + v.length + ": must be n = " + n);
        }
        double[] q = v.clone();
        int k = s.length;
        double[] alpha = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            alpha[i] = rho[i] * dot(s[i], q);
            axpy(-alpha[i], y[i], q);
        }
        for (int j = 0; j < n; j++) {
            q[j] *= gamma;
        }
        for (int i = 0; i < k; i++) {
            double beta = rho[i] * dot(y[i], q);
            axpy(alpha[i] - beta, s[i], q);
        }
        return q;
    }

    /** H v into {@code out} (n values each, absolute indexing from 0). */
    public void apply(DoubleBuffer v, DoubleBuffer out) {
        if (v == null || out == null) {
            throw new IllegalArgumentException((v == null ? "v" : "out") + " = null: must not be null");
        }
        if (v.limit() < n || out.limit() < n) {
            throw new IllegalArgumentException("v.limit() = " + v.limit() + ", out.limit() = " + out.limit()
                    + ": both must be >= n = " + n);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = v.get(i);
        }
        double[] r = apply(a);
        for (int i = 0; i < n; i++) {
            out.put(i, r[i]);
        }
    }

    /**
     * The diagonal of H in O(pairs² · n), from the compact form
     * H = γI + [S γY] [[R⁻ᵀ(D + γY'Y)R⁻¹, −R⁻ᵀ], [−R⁻¹, 0]] [S γY]' (Byrd, Nocedal and
     * Schnabel 1994), R the upper triangle of S'Y and D its diagonal.
     */
    public double[] diagonal() {
        int k = s.length;
        double[] diag = new double[n];
        java.util.Arrays.fill(diag, gamma);
        if (k == 0) {
            return diag;
        }
        // R (upper triangular, R_ij = s_i' y_j for i <= j) and its inverse.
        double[][] r = new double[k][k];
        double[][] yy = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                if (i <= j) {
                    r[i][j] = dot(s[i], y[j]);
                }
                yy[i][j] = j < i ? yy[j][i] : dot(y[i], y[j]);
            }
        }
        double[][] rinv = invertUpper(r);
        // A = R^-T (D + gamma Y'Y) R^-1
        double[][] inner = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                inner[i][j] = gamma * yy[i][j] + (i == j ? r[i][i] : 0.0);
            }
        }
        double[][] a = multiply(transpose(rinv), multiply(inner, rinv));
        // diag_l = gamma + s_l' A s_l - 2 gamma y_l' R^-1 s_l  (row l of S and Y as vectors of length k)
        double[] sl = new double[k];
        double[] yl = new double[k];
        for (int l = 0; l < n; l++) {
            for (int i = 0; i < k; i++) {
                sl[i] = s[i][l];
                yl[i] = y[i][l];
            }
            double quad = 0.0;
            double cross = 0.0;
            for (int i = 0; i < k; i++) {
                double ai = 0.0;
                double ri = 0.0;
                for (int j = 0; j < k; j++) {
                    ai += a[i][j] * sl[j];
                    ri += rinv[i][j] * sl[j];
                }
                quad += sl[i] * ai;
                cross += yl[i] * ri;
            }
            diag[l] = gamma + quad - 2.0 * gamma * cross;
        }
        return diag;
    }

    /**
     * H as a dense n × n matrix (n applications of the operator).
     *
     * @throws IllegalStateException when n² doubles cannot fit in a Java array or in half the
     *     heap
     */
    public double[][] toDense() {
        long bytes = (long) n * n * Double.BYTES;
        if (n > 46_340 || bytes > Runtime.getRuntime().maxMemory() / 2) {
            throw new IllegalStateException("toDense() for n = " + n + " needs " + bytes
                    + " bytes: more than half the heap; use apply() or diagonal()");
        }
        double[][] dense = new double[n][];
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = 1.0;
            double[] column = apply(e);
            e[j] = 0.0;
            for (int i = 0; i < n; i++) {
                if (dense[i] == null) {
                    dense[i] = new double[n];
                }
                dense[i][j] = column[i];
            }
        }
        return dense;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    private static double[][] invertUpper(double[][] r) {
        int k = r.length;
        double[][] inv = new double[k][k];
        for (int j = 0; j < k; j++) {
            inv[j][j] = 1.0 / r[j][j];
            for (int i = j - 1; i >= 0; i--) {
                double sum = 0.0;
                for (int l = i + 1; l <= j; l++) {
                    sum += r[i][l] * inv[l][j];
                }
                inv[i][j] = -sum / r[i][i];
            }
        }
        return inv;
    }

    private static double[][] transpose(double[][] a) {
        int k = a.length;
        double[][] t = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int k = a.length;
        double[][] c = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int l = 0; l < k; l++) {
                double ail = a[i][l];
                for (int j = 0; j < k; j++) {
                    c[i][j] += ail * b[l][j];
                }
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "InverseHessian[n=" + n + ", pairs=" + s.length + ", H0=" + gamma + " I]";
    }
}
