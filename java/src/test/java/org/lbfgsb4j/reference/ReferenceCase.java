package org.lbfgsb4j.reference;

import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.LbfgsbOptions;

import java.util.Map;
import org.lbfgsb4j.Objective;

/**
 * One SciPy L-BFGS-B run of the reference data ({@code scipy-lbfgsb-reference.json}, format in
 * {@code benchmarks/scipy/README.md}).
 *
 * @param name unique snake_case name
 * @param description what the case exercises
 * @param problem problem id, see {@link ReferenceProblems#create}
 * @param params problem parameters (empty map when none)
 * @param n number of variables
 * @param x0 the starting point exactly as passed to SciPy (SciPy clips it onto the bounds)
 * @param lower lower bounds, {@code -Infinity} where unbounded (JSON null)
 * @param upper upper bounds, {@code +Infinity} where unbounded (JSON null)
 * @param lowerGiven false when the JSON had {@code "lower": null} (no lower bound at all)
 * @param upperGiven false when the JSON had {@code "upper": null} (no upper bound at all)
 * @param options the options passed to SciPy
 * @param stopRule the custom per-iteration stop rule, or null
 * @param expected SciPy's result
 */
public record ReferenceCase(
        String name,
        String description,
        String problem,
        Map<String, Object> params,
        int n,
        double[] x0,
        double[] lower,
        double[] upper,
        boolean lowerGiven,
        boolean upperGiven,
        Options options,
        StopRule stopRule,
        Expected expected) {

    /** True when SciPy received bounds at all ({@code bounds=None} otherwise). */
    public boolean bounded() {
        return lowerGiven || upperGiven;
    }

    /** x0 projected onto the bounds, as SciPy does before the first evaluation. */
    public double[] x0Clipped() {
        double[] x = x0.clone();
        for (int i = 0; i < n; i++) {
            x[i] = Math.min(Math.max(x[i], lower[i]), upper[i]);
        }
        return x;
    }

    /** A fresh Java twin of the case's objective. */
    public Objective objective() {
        return ReferenceProblems.create(problem, params, n);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The options passed to {@code scipy.optimize.minimize(method='L-BFGS-B')}. {@code ftol} is
     * SciPy's ({@code factr = ftol / eps}); {@code gtol} is pgtol.
     */
    public record Options(int maxcor, double ftol, double gtol, int maxiter, int maxfun, int maxls) {
        /**
         * These options on {@code builder}, with SciPy's arithmetic ({@link Arithmetic#REFERENCE}):
         * the configuration whose results are SciPy's bit for bit.
         */
        public LbfgsbOptions.Builder applyTo(LbfgsbOptions.Builder builder) {
            return builder.historySize(maxcor)
                    .relativeReductionTolerance(ftol)
                    .projectedGradientTolerance(gtol)
                    .maxIterations(maxiter)
                    .maxEvaluations(maxfun)
                    .maxLineSearchSteps(maxls)
                    .arithmetic(Arithmetic.REFERENCE);
        }

        /** {@link #applyTo} on a fresh builder. */
        public LbfgsbOptions.Builder builder() {
            return applyTo(LbfgsbOptions.builder());
        }
    }

    /**
     * The stop test of the Fortran driver2/driver3 ({@code type == "driver"}), applied at every
     * new iterate after the solver's own tests: stop when the number of f,g evaluations so far is
     * {@code >= maxNfev}, or when the projected-gradient norm at the new iterate is {@code <=
     * pgRelative * (1 + |f|)} with f the objective value at the new iterate.
     */
    public record StopRule(String type, int maxNfev, double pgRelative) {
        /** Whether the rule stops at an iterate with these values. */
        public boolean shouldStop(int nfev, double projectedGradientNorm, double f) {
            return nfev >= maxNfev || projectedGradientNorm <= pgRelative * (1.0 + Math.abs(f));
        }
    }

    /** Which part of the stop rule fired at the last iterate, with the values it saw. */
    public record StopRuleFired(
            boolean maxNfev, boolean projectedGradient, int nfev, double projectedGradientNorm) {}

    /**
     * SciPy's result.
     *
     * @param nit iterations
     * @param nfev f,g evaluations (analytic gradient, so also njev)
     * @param njev gradient evaluations
     * @param fun {@code res.fun}; after ABNORMAL this is the last trial value, not f(x)
     * @param funAtX f evaluated at {@code res.x}
     * @param x {@code res.x}
     * @param jac {@code res.jac} (bit-identical to g(res.x))
     * @param status {@code res.status}: 0 converged, 1 maxiter/maxfun, 2 other, 99 callback stop
     * @param success {@code res.success}
     * @param message {@code res.message}, exact text
     * @param projectedGradientNorm projgr at res.x
     * @param fTrace f at every iterate (length nit)
     * @param xFirstIterates x after each of the first min(3, nit) iterations
     * @param stopRuleFired non-null only for cases with a stop rule
     * @param solverStatus for stop-rule cases only (else null): the status SciPy's L-BFGS-B layer
     *     ({@code _minimize_lbfgsb}) reports for the callback halt, before {@code minimize()}
     *     rewrites it to 99
     * @param solverMessage for stop-rule cases only (else null): that layer's message, {@code
     *     "STOP: CALLBACK REQUESTED HALT"}
     */
    public record Expected(
            int nit,
            int nfev,
            int njev,
            double fun,
            double funAtX,
            double[] x,
            double[] jac,
            int status,
            boolean success,
            String message,
            double projectedGradientNorm,
            double[] fTrace,
            double[][] xFirstIterates,
            StopRuleFired stopRuleFired,
            Integer solverStatus,
            String solverMessage) {}
}
