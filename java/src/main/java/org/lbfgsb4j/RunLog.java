package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import org.lbfgsb4j.LbfgsbOptions.LogLevel;

/**
 * The log of one run, in the words of the Fortran L-BFGS-B 3.0 print routines as SciPy &le; 1.14
 * built them (prn1lb, active, mainlb's format 1002, prn2lb, prn3lb): same text, same number
 * formats, one {@link System.Logger.Level#INFO} record per printed block. See
 * {@link LbfgsbOptions.LogLevel} for what each level logs and what is left out.
 */
final class RunLog {
    /** The machine epsilon the Fortran code prints: {@code epsmch = 2 * dlamch('e')}. */
    private static final double EPSMCH = 2.220446049250313e-16;

    private static final String SUMMARY_LEGEND = String.join("\n",
            "           * * *",
            "",
            "Tit   = total number of iterations",
            "Tnf   = total number of function evaluations",
            "Tnint = total number of segments explored during Cauchy searches",
            "Skip  = number of BFGS updates skipped",
            "Nact  = number of active bounds at final generalized Cauchy point",
            "Projg = norm of the final projected gradient",
            "F     = final function value",
            "",
            "           * * *",
            "",
            "   N    Tit     Tnf  Tnint  Skip  Nact     Projg        F");

    /** A log that logs nothing. */
    static final RunLog NONE = new RunLog(null, -1, 1);

    private final System.Logger logger;
    /** Fortran's iprint: -1 nothing, 0 summary, 1..98 every k iterations, 99 detailed, 101 full. */
    private final int iprint;
    private final int every;
    /** The previous iterate, for the norm of the step (iprint >= 99 only). */
    private double[] previousX;

    private RunLog(System.Logger logger, int iprint, int every) {
        this.logger = logger;
        this.iprint = iprint;
        this.every = every;
    }

    static RunLog of(LbfgsbOptions options) {
        LogLevel level = options.logging();
        if (level == LogLevel.NONE) {
            return NONE;
        }
        System.Logger logger = options.logger();
        if (!logger.isLoggable(System.Logger.Level.INFO)) {
            return NONE;
        }
        int iprint = level == LogLevel.ITERATIONS ? options.logEvery() : level.iprint();
        return new RunLog(logger, iprint, options.logEvery());
    }

    boolean enabled() {
        return iprint >= 0;
    }

    /** Whether the first-evaluation line ({@code At iterate 0}) is logged. */
    boolean logsIterates() {
        return iprint >= 1;
    }

    private void log(String text) {
        logger.log(System.Logger.Level.INFO, text);
    }

    /**
     * prn1lb and active: the header, x0's projection and the bounds at x0.
     *
     * @param x x0 after the projection onto the bounds
     */
    void start(int n, int m, Bounds bounds, DoubleBuffer x) {
        if (iprint < 0) {
            return;
        }
        log("RUNNING THE L-BFGS-B CODE\n\n           * * *\n\nMachine precision ="
                + FortranFormat.d(EPSMCH, 10, 3) + "\n"
                + new FortranFormat.ListDirected().text("N = ").integer(n).text("    M = ").integer(m));
        if (iprint > 100) {
            // SciPy passes 0 for an infinite bound (its nbd says there is none).
            log(FortranFormat.vector("L =", i -> finiteOrZero(bounds.lower(i)), n));
            log(FortranFormat.vector("X0 =", x::get, n));
            log(FortranFormat.vector("U =", i -> finiteOrZero(bounds.upper(i)), n));
        }
        // SciPy clips x0 before the Fortran code sees it, so "The initial X is infeasible." never
        // appeared in its output; LbfgsbResult.x0Projected() reports the projection instead.
        if (bounds.isUnbounded()) {
            log(new FortranFormat.ListDirected().text("This problem is unconstrained.").toString());
        }
        if (iprint > 0) {
            long atBounds = 0;
            for (int i = 0; i < n; i++) {
                double xi = x.get(i);
                double lo = bounds.lower(i);
                double hi = bounds.upper(i);
                // active's nbdd: x at (or projected onto) a finite bound
                if ((lo != Double.NEGATIVE_INFINITY && xi <= lo) || (hi != Double.POSITIVE_INFINITY && xi >= hi)) {
                    atBounds++;
                }
            }
            log("At X0 " + FortranFormat.i(atBounds, 9) + " variables are exactly at the bounds");
        }
        if (iprint >= 99) {
            previousX = new double[n];
            x.get(0, previousX);
        }
    }

    private static double finiteOrZero(double v) {
        return Double.isInfinite(v) ? 0.0 : v;
    }

    /** mainlb format 1002 after the first evaluation. */
    void iterateZero(double f, double projectedGradientNorm) {
        if (iprint >= 1) {
            log(atIterate(0, f, projectedGradientNorm));
        }
    }

    /** Fortran's {@code ITERATION k} (mainlb format 1001), for a line search that failed or was cut short. */
    void iterationStarted(long k) {
        if (iprint >= 99) {
            log("ITERATION " + FortranFormat.i(k, 5));
        }
    }

    /** prn2lb after the line search accepted iterate k. */
    void iterate(long k, double f, double projectedGradientNorm, long lineSearchEvaluations, DoubleBuffer x,
            DoubleBuffer g) {
        if (iprint >= 99) {
            int n = x.limit();
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double s = x.get(i) - previousX[i];
                sum += s * s;
                previousX[i] = x.get(i);
            }
            StringBuilder b = new StringBuilder();
            b.append("ITERATION ").append(FortranFormat.i(k, 5)).append("\n\n");
            b.append(new FortranFormat.ListDirected().text("LINE SEARCH").integer(lineSearchEvaluations - 1)
                    .text(" times; norm of step = ").real(Math.sqrt(sum)));
            b.append("\n\n").append(atIterate(k, f, projectedGradientNorm));
            log(b.toString());
            if (iprint > 100) {
                log(FortranFormat.vector("X =", x::get, n));
                log(FortranFormat.vector("G =", g::get, n));
            }
        } else if (iprint > 0 && k % every == 0) {
            log(atIterate(k, f, projectedGradientNorm));
        }
    }

    private static String atIterate(long k, double f, double projectedGradientNorm) {
        return "At iterate" + FortranFormat.i(k, 5) + "    f= " + FortranFormat.d(f, 12, 5) + "    |proj g|= "
                + FortranFormat.d(projectedGradientNorm, 12, 5);
    }

    /**
     * prn3lb: the summary block, the final x (full), the final f with 17 digits, the task message and
     * the line-search diagnosis of an abnormal end; then lbfgsb4j's explanation.
     */
    void finish(Termination termination, int n, long iterations, long evaluations, long active,
            double projectedGradientNorm, double f, DoubleBuffer x, String explanation) {
        if (iprint < 0) {
            return;
        }
        // Fortran's iter also counts the iteration whose line search failed.
        long tit = termination == Termination.ABNORMAL_LINE_SEARCH ? iterations + 1 : iterations;
        log(SUMMARY_LEGEND + "\n" + FortranFormat.i(n, 5) + " " + FortranFormat.i(tit, 6) + " "
                + FortranFormat.i(evaluations, 6) + " " + "     -" + "  " + "   -" + " " + FortranFormat.i(active, 5)
                + "  " + FortranFormat.d(projectedGradientNorm, 10, 3) + "  " + FortranFormat.d(f, 10, 3));
        if (iprint >= 100) {
            log(FortranFormat.vector("X =", x::get, n));
        }
        if (iprint >= 1) {
            log(new FortranFormat.ListDirected().text(" F =").real(f).toString());
        }
        StringBuilder b = new StringBuilder(termination.fortranMessage());
        if (termination == Termination.ABNORMAL_LINE_SEARCH) {
            b.append("\n\n Line search cannot locate an adequate point after MAXLS\n")
                    .append("  function and gradient evaluations.\n")
                    .append("  Previous x, f and g restored.\n")
                    .append(" Possible causes: 1 error in function or gradient evaluation;\n")
                    .append("                  2 rounding error dominate computation.");
        }
        log(b.toString());
        log(explanation);
    }
}
