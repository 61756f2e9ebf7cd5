package org.lbfgsb4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;

/**
 * A {@link ValueObjective} with the gradient of a {@link GradientScheme}, as an {@link Objective}
 * for the driver: ports SciPy's {@code approx_derivative} ({@code _compute_absolute_step},
 * {@code _adjust_scheme_to_bounds}, {@code _dense_difference}) as {@code ScalarFunction} uses it for
 * L-BFGS-B, with the same arithmetic in the same order, so gradients are bit-identical to SciPy's.
 * Deliberate deviations: fixed variables get 0 without evaluations (SciPy's minimize removes them),
 * and no difference is taken when f(x) is not finite.
 *
 * <p>One instance per run (it keeps counters and the last point); not thread-safe itself, but with a
 * parallel scheme it calls the objective from the executor's threads.
 */
final class FiniteDifferenceGradient implements Objective {
    private final ValueObjective f;
    private final GradientScheme scheme;
    private final int n;
    private final double[] lower;
    private final double[] upper;
    private final boolean unbounded;
    /**
     * Returns nonzero when the run must stop; called before each difference evaluation, which then
     * throws {@link RunInterrupted}. May be null.
     */
    private final IntSupplier stopCheck;
    /** One scratch copy of x per task, and its read-only view for the objective. */
    private final DoubleBuffer[] work;
    private final DoubleBuffer[] workView;
    private final double[] h;
    private final boolean[] oneSided;
    private final double[] xs;
    private final double[] gs;
    /** Evaluations made by each task during the current gradient (read after the tasks joined). */
    private final long[] taskEvaluations;

    /** With the 3-point scheme, h_i times the second difference of f along e_i (for GradientCheck), or null. */
    private double[] curvatureTimesStep;

    private long valueEvaluations;
    private long gradientEvaluations;
    private boolean haveLast;
    private final double[] lastX;
    private final double[] lastG;
    private double lastF;

    FiniteDifferenceGradient(ValueObjective f, GradientScheme scheme, Bounds bounds, IntSupplier stopCheck) {
        this.f = f;
        this.scheme = scheme;
        this.n = bounds.size();
        this.lower = bounds.toLowerArray();
        this.upper = bounds.toUpperArray();
        this.unbounded = bounds.isUnbounded();
        this.stopCheck = stopCheck;
        int tasks = scheme.executor() == null ? 1 : Math.max(1, Math.min(scheme.tasks(), n));
        this.work = new DoubleBuffer[tasks];
        this.workView = new DoubleBuffer[tasks];
        for (int t = 0; t < tasks; t++) {
            work[t] = ByteBuffer.allocateDirect(Double.BYTES * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
            workView[t] = work[t].asReadOnlyBuffer();
        }
        this.h = new double[n];
        this.oneSided = new boolean[n];
        this.xs = new double[n];
        this.gs = new double[n];
        this.taskEvaluations = new long[tasks];
        this.lastX = new double[n];
        this.lastG = new double[n];
    }

    /**
     * Makes every later gradient also record {@code |h_i * f''_ii|}, the change of the gradient over
     * one difference step, from the 3-point scheme's second differences (0 for other schemes and
     * fixed variables).
     *
     * @return the array filled by each evaluation
     */
    double[] recordCurvatureTimesStep() {
        curvatureTimesStep = new double[n];
        return curvatureTimesStep;
    }

    /** Evaluations of f so far, difference quotients included (SciPy's {@code nfev}). */
    long valueEvaluations() {
        return valueEvaluations;
    }

    /** Gradients computed so far (SciPy's {@code njev}). */
    long gradientEvaluations() {
        return gradientEvaluations;
    }

    @Override
    public double evaluate(DoubleBuffer x, DoubleBuffer gradient) {
        x.get(0, xs);
        if (haveLast && sameAsLast()) {
            gradient.put(0, lastG); // ScalarFunction's memoisation: no evaluation
            return lastF;
        }
        double f0 = f.value(x);
        valueEvaluations++;
        if (!Double.isFinite(f0)) {
            java.util.Arrays.fill(gs, Double.NaN);
        } else {
            steps();
            java.util.Arrays.fill(taskEvaluations, 0);
            try {
                if (scheme.executor() == null) {
                    differences(0, 0, n, f0);
                } else {
                    parallelDifferences(f0);
                }
            } finally {
                for (long e : taskEvaluations) {
                    valueEvaluations += e;
                }
            }
        }
        gradientEvaluations++;
        gradient.put(0, gs);
        System.arraycopy(xs, 0, lastX, 0, n);
        System.arraycopy(gs, 0, lastG, 0, n);
        lastF = f0;
        haveLast = true;
        return f0;
    }

    private boolean sameAsLast() {
        for (int i = 0; i < n; i++) {
            if (!(xs[i] == lastX[i])) { // numpy.array_equal: == per component
                return false;
            }
        }
        return true;
    }

    /** _compute_absolute_step (or the absolute step with its fallback), then _adjust_scheme_to_bounds. */
    private void steps() {
        GradientScheme.Kind kind = scheme.kind();
        double rstep = kind == GradientScheme.Kind.THREE_POINT
                ? GradientScheme.THREE_POINT_RELATIVE_STEP : GradientScheme.TWO_POINT_RELATIVE_STEP;
        double given = scheme.step();
        for (int i = 0; i < n; i++) {
            double x0 = xs[i];
            double sign = x0 >= 0 ? 1.0 : -1.0;
            double hi;
            if (kind == GradientScheme.Kind.FORWARD) {
                hi = given;
            } else if (Double.isNaN(given)) {
                hi = rstep * sign * Math.max(1.0, Math.abs(x0));
            } else {
                hi = given * sign * Math.abs(x0);
            }
            if ((kind == GradientScheme.Kind.FORWARD || !Double.isNaN(given)) && (x0 + hi) - x0 == 0) {
                hi = rstep * sign * Math.max(1.0, Math.abs(x0));
            }
            boolean one;
            if (kind == GradientScheme.Kind.THREE_POINT) {
                hi = Math.abs(hi);
                one = false;
                if (!unbounded) {
                    double lowerDist = x0 - lower[i];
                    double upperDist = upper[i] - x0;
                    boolean central = lowerDist >= hi && upperDist >= hi;
                    if (!central) {
                        one = true;
                        if (upperDist >= lowerDist) {
                            hi = Math.min(hi, 0.5 * upperDist);
                        } else {
                            hi = -Math.min(hi, 0.5 * lowerDist);
                        }
                        double minDist = Math.min(upperDist, lowerDist);
                        if (Math.abs(hi) <= minDist) {
                            hi = minDist;
                            one = false;
                        }
                    }
                }
            } else {
                one = true;
                if (!unbounded) {
                    double lowerDist = x0 - lower[i];
                    double upperDist = upper[i] - x0;
                    double xt = x0 + hi;
                    boolean violated = xt < lower[i] || xt > upper[i];
                    boolean fitting = Math.abs(hi) <= Math.max(lowerDist, upperDist);
                    if (violated && fitting) {
                        hi = -hi;
                    } else if (!fitting) {
                        hi = upperDist >= lowerDist ? upperDist : -lowerDist;
                    }
                }
            }
            h[i] = hi;
            oneSided[i] = one;
        }
    }

    /**
     * The difference quotients of components [from, to) with the scratch copy of task {@code t}
     * (_dense_difference); writes gs and counts the evaluations in taskEvaluations[t].
     */
    private void differences(int t, int from, int to, double f0) {
        DoubleBuffer w = work[t];
        DoubleBuffer view = workView[t];
        w.put(0, xs);
        boolean three = scheme.kind() == GradientScheme.Kind.THREE_POINT;
        for (int i = from; i < to; i++) {
            double x0 = xs[i];
            if (lower[i] == upper[i]) {
                gs[i] = 0.0; // fixed: never moves
                continue;
            }
            double hi = h[i];
            if (!three) {
                double x1 = x0 + hi;
                double f1 = valueAt(w, view, i, x1);
                taskEvaluations[t]++;
                double dx = x1 - x0;
                gs[i] = (f1 - f0) / dx;
            } else if (oneSided[i]) {
                double x1 = x0 + hi;
                double x2 = x0 + 2 * hi;
                double f1 = valueAt(w, view, i, x1);
                taskEvaluations[t]++;
                double f2 = valueAt(w, view, i, x2);
                taskEvaluations[t]++;
                double dx = x2 - x0;
                gs[i] = (-3.0 * f0 + 4 * f1 - f2) / dx;
                if (curvatureTimesStep != null) {
                    curvatureTimesStep[i] = Math.abs((f0 - 2 * f1 + f2) / hi);
                }
            } else {
                double x1 = x0 - hi;
                double x2 = x0 + hi;
                double f1 = valueAt(w, view, i, x1);
                taskEvaluations[t]++;
                double f2 = valueAt(w, view, i, x2);
                taskEvaluations[t]++;
                double dx = x2 - x1;
                gs[i] = (f2 - f1) / dx;
                if (curvatureTimesStep != null) {
                    curvatureTimesStep[i] = Math.abs((f1 - 2 * f0 + f2) / hi);
                }
            }
            w.put(i, x0);
        }
    }

    /** f at the scratch point with component i set to xi (left there; the caller restores it). */
    private double valueAt(DoubleBuffer w, DoubleBuffer view, int i, double xi) {
        if (stopCheck != null && stopCheck.getAsInt() != 0) {
            throw new RunInterrupted();
        }
        w.put(i, xi);
        view.clear();
        return f.value(view);
    }

    private void parallelDifferences(double f0) {
        int tasks = work.length;
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] futures = new CompletableFuture[tasks];
        for (int t = 0; t < tasks; t++) {
            int task = t;
            int from = (int) ((long) n * t / tasks);
            int to = (int) ((long) n * (t + 1) / tasks);
            futures[t] = CompletableFuture.runAsync(() -> differences(task, from, to, f0), scheme.executor());
        }
        Throwable failure = null;
        for (CompletableFuture<Void> future : futures) {
            try {
                future.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                // An objective's exception wins over an interruption seen by another task.
                if (failure == null || failure instanceof RunInterrupted) {
                    failure = cause;
                }
            }
        }
        if (failure != null) {
            if (failure instanceof RuntimeException) {
                throw (RuntimeException) failure;
            }
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            throw new IllegalStateException("the objective threw " + failure, failure);
        }
    }
}
