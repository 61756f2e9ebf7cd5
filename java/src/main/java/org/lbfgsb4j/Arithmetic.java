package org.lbfgsb4j;

/**
 * How the solver evaluates its long sums (the inner products over the n variables) and how it
 * walks the correction history. Both run the same algorithm and take the same decisions; they
 * differ in the order in which floating-point additions are made, and FAST forms three quantities
 * another way (see {@link #FAST}), so their iterates agree to rounding, not bit for bit. On SciPy's reference suite (31 cases) FAST has the same termination
 * and message everywhere and the same iteration and evaluation counts on all but one case, where
 * the path depends on rounding (chained Rosenbrock with only 3 correction pairs; it ends with
 * fewer evaluations); f and x agree with SciPy to 1e-9 relative elsewhere
 * ({@code FastArithmeticReferenceTest}). A problem whose path is that sensitive to rounding (an
 * ill-conditioned valley over hundreds of iterations) gives different iterates in the two
 * arithmetics, as it would in SciPy on another CPU's BLAS.
 */
public enum Arithmetic {
    /**
     * SciPy's order, sum for sum (including the BLAS calls SciPy makes): iterates, function values
     * and gradients are bit for bit those of {@code scipy.optimize.minimize(method='L-BFGS-B')}
     * with the same options. Use it to validate against SciPy or to reproduce a SciPy run exactly.
     */
    REFERENCE(0),
    /**
     * lbfgsb4j's own order: every long sum is split into 8 interleaved partial sums per chunk of
     * 4096 variables, chunks added in order; the passes over the correction history are fused (with
     * bounds, one pass computes the Cauchy point's products, the previous update's inner products
     * and the newest pair's products over the previous free set, and one the subspace step; without
     * bounds, one the reduced gradient's products and the new row of the middle matrix, and one the
     * step) and run as dense vectorised loops. Three quantities are formed another way, with bounds:
     * the reduced gradient's products W'Zr come from the Cauchy search's own W'Zd and step length
     * and from the products over the free variables that the middle matrix already keeps (so the
     * reduced gradient is never formed on its own, and no pass computes it); the newest pair's
     * products over the free set are those over the previous free set, corrected for the
     * variables that entered or left it (as the reference does for the older pairs); and a Cauchy
     * search that crosses more than 40 breakpoints multiplies by the middle matrix M, formed once,
     * instead of solving with its factors at every breakpoint. Deterministic: the same bits on
     * every run, thread count and instruction set. Several times less memory traffic per
     * iteration at large n; rounding-level differences from {@link #REFERENCE}.
     */
    FAST(1);

    private final int nativeValue;

    Arithmetic(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    int nativeValue() {
        return nativeValue;
    }
}
