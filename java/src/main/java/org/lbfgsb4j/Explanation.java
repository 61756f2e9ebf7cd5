package org.lbfgsb4j;

import java.time.Duration;
import java.util.Locale;

/**
 * Builds {@link LbfgsbResult#explanation()}: why a run ended, with the numbers that triggered it
 * ("projected gradient 8.1e-06 <= 1.0e-05 (projectedGradientTolerance) ...").
 */
final class Explanation {
    private Explanation() {}

    /**
     * What the driver knows about a finished run.
     *
     * @param previousValue f at the iterate before the last one, NaN if unknown
     * @param nonFiniteTrials line-search trials whose f was not finite
     * @param insideLineSearch whether an interruption came in the middle of a line search
     */
    record Facts(Termination termination, double value, double[] gradient, double projectedGradientNorm,
            long iterations, long evaluations, long functionEvaluations, long gradientEvaluations,
            boolean finiteDifferences, double projectedGradientTolerance, double relativeReductionTolerance,
            double targetValue, LbfgsbOptions options, double previousValue, long nonFiniteTrials,
            long elapsedNanos, boolean insideLineSearch) {}

    static String of(Facts r) {
        LbfgsbOptions o = r.options();
        String f = "f = " + r.value();
        String pg = "projected gradient " + num(r.projectedGradientNorm());
        String after = r.iterations() == 0 ? "at the starting point"
                : "after " + r.iterations() + plural(" iteration", r.iterations()) + " and "
                        + r.evaluations() + plural(" evaluation", r.evaluations());
        switch (r.termination()) {
            case CONVERGED_PROJECTED_GRADIENT:
                return "projected gradient " + compare(r.projectedGradientNorm(), "<=",
                        r.projectedGradientTolerance()) + " (projectedGradientTolerance) " + after + "; " + f;
            case CONVERGED_RELATIVE_REDUCTION: {
                String head;
                if (Double.isNaN(r.previousValue())) {
                    head = "relative reduction of f <= " + num(r.relativeReductionTolerance())
                            + " (relativeReductionTolerance)";
                } else {
                    double fp = r.previousValue();
                    double scale = Math.max(Math.max(Math.abs(fp), Math.abs(r.value())), 1.0);
                    head = "relative reduction of f (f_prev - f) / max(|f_prev|, |f|, 1) = ("
                            + fp + " - " + r.value() + ") / " + num(scale) + " = "
                            + compare((fp - r.value()) / scale, "<=", r.relativeReductionTolerance())
                            + " (relativeReductionTolerance)";
                }
                return head + " " + after + "; " + f + "; " + pg + " (tolerance "
                        + num(r.projectedGradientTolerance())
                        + "): progress stalled; lower relativeReductionTolerance for a smaller gradient";
            }
            case MAX_ITERATIONS:
                if (o.maxIterations() == 0) {
                    return "maxIterations = 0: only the starting point was evaluated; " + f + ", " + pg;
                }
                return "iteration limit: " + r.iterations() + " iterations >= maxIterations = " + o.maxIterations()
                        + "; not converged: " + f + ", " + pg + " > " + num(r.projectedGradientTolerance());
            case MAX_EVALUATIONS:
                return "evaluation limit: " + (r.finiteDifferences()
                        ? r.functionEvaluations() + " evaluations of f (finite differences included, "
                                + r.gradientEvaluations() + " gradients)"
                        : r.evaluations() + " evaluations")
                        + " > maxEvaluations = " + o.maxEvaluations()
                        + " (checked at the end of each iteration) after " + r.iterations()
                        + plural(" iteration", r.iterations()) + "; not converged: " + f + ", " + pg;
            case STOPPED_BY_LISTENER:
                return "the iteration listener returned STOP at iteration " + r.iterations() + "; " + f + ", " + pg;
            case ABNORMAL_LINE_SEARCH:
                return abnormal(r, f, pg);
            case NON_FINITE:
                return nonFinite(r);
            case TARGET_REACHED:
                return f + " <= " + r.targetValue() + " (targetValue) " + after + "; " + pg;
            case TIME_LIMIT:
            case CANCELLED:
                return interrupted(r, f);
            default:
                throw new IllegalStateException("unknown termination " + r.termination());
        }
    }

    private static String abnormal(Facts r, String f, String pg) {
        StringBuilder b = new StringBuilder();
        b.append("the line search found no acceptable step within maxLineSearchSteps = ")
                .append(r.options().maxLineSearchSteps())
                .append(" evaluations (or the direction was not a descent direction), with an empty memory, ")
                .append(r.iterations() == 0 ? "from the starting point"
                        : "after " + r.iterations() + plural(" iteration", r.iterations()))
                .append("; x is the last accepted iterate: ").append(f).append(", ").append(pg);
        if (r.nonFiniteTrials() > 0) {
            b.append("; ").append(r.nonFiniteTrials()).append(" line-search")
                    .append(plural(" trial", r.nonFiniteTrials())).append(" returned a non-finite f (each halves the")
                    .append(" step, at most maxNonFiniteBacktracks = ").append(r.options().maxNonFiniteBacktracks())
                    .append(" times per line search)");
        }
        b.append(". The usual cause is a gradient inconsistent with f: check it with GradientCheck.of(objective,")
                .append(" x, bounds), which compares it with central differences and names the worst components");
        if (r.finiteDifferences()) {
            b.append(" (here the gradient is a finite-difference approximation: a scheme with a more accurate")
                    .append(" step, e.g. GradientScheme.threePoint(), may help)");
        }
        b.append(". If the gradient is right, f cannot decrease measurably any more at double precision")
                .append(" (rounding near a minimum) and x may be as good as it gets.");
        return b.toString();
    }

    private static String nonFinite(Facts r) {
        String where = r.iterations() == 0 ? "at the starting point" : "at the returned point";
        if (!Double.isFinite(r.value())) {
            return "f = " + r.value() + " " + where + ": no step can be computed; fix the objective or start"
                    + " where it is finite";
        }
        double[] g = r.gradient();
        for (int i = 0; i < g.length; i++) {
            if (!Double.isFinite(g[i])) {
                return "gradient component " + i + " = " + g[i] + " " + where + " (f = " + r.value()
                        + "): no step can be computed; fix the objective or start where it is finite";
            }
        }
        return "f or the gradient is not finite " + where;
    }

    private static String interrupted(Facts r, String f) {
        StringBuilder b = new StringBuilder();
        if (r.termination() == Termination.TIME_LIMIT) {
            Duration limit = r.options().timeLimit().orElse(Duration.ZERO);
            b.append("time limit ").append(seconds(limit.toNanos())).append(" reached after ")
                    .append(seconds(r.elapsedNanos()));
        } else {
            b.append("cancelled (the cancellation hook returned true) after ").append(seconds(r.elapsedNanos()));
        }
        b.append(", ").append(r.iterations()).append(plural(" iteration", r.iterations())).append(", ")
                .append(r.finiteDifferences() ? r.functionEvaluations() + " evaluations of f"
                        : r.evaluations() + plural(" evaluation", r.evaluations()));
        if (r.evaluations() == 0) {
            return b.append(", before the starting point was evaluated: f is NaN").toString();
        }
        if (r.insideLineSearch()) {
            b.append(", inside a line search");
        }
        return b.append("; x is the best point evaluated: ").append(f).append(", ")
                .append("projected gradient ").append(num(r.projectedGradientNorm())).toString();
    }

    private static String plural(String word, long count) {
        return count == 1 ? word : word + "s";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** A number in the style {@code 8.1e-06}. */
    static String num(double v) {
        return format(v, 1);
    }

    /**
     * {@code a op b} with as many digits as it takes for the two numbers to read differently
     * (unless they are equal), e.g. {@code 8.1e-06 <= 1.0e-05} or {@code 9.9996e-06 <= 1.0000e-05}.
     */
    static String compare(double a, String op, double b) {
        int digits = 1;
        while (digits < 16 && a != b && format(a, digits).equals(format(b, digits))) {
            digits++;
        }
        return format(a, digits) + " " + op + " " + format(b, digits);
    }

    private static String format(double v, int digits) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        return String.format(Locale.ROOT, "%." + digits + "e", v);
    }
}
