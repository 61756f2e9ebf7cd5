package org.lbfgsb4j;

import java.nio.DoubleBuffer;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import org.lbfgsb4j.internal.LbfgsbNative;
import org.lbfgsb4j.internal.NativeCallbacks;
import org.lbfgsb4j.internal.NativeSession;

/**
 * One run of the driver around a {@link NativeSession}: the Java loop and the native-driven loop,
 * with what they share — the time limit and the cancellation hook (checked before every
 * evaluation), the suppliers of the target and the tolerance (called once after the first
 * evaluation), the iteration listener, SciPy's evaluation limit for finite differences, the log and
 * the result with its explanation.
 */
final class Run {
    private final NativeSession session;
    private final LbfgsbOptions options;
    private final Bounds bounds;
    private final int n;
    private final long startedNanos;
    /** The time limit in nanoseconds; Long.MAX_VALUE: none. */
    private final long limitNanos;
    private final BooleanSupplier cancellation;
    private final IterationListener listener;
    private final RunLog log;
    /** The finite-difference objective, or null for an analytic gradient. */
    private FiniteDifferenceGradient differences;

    /** 0, or LbfgsbNative.STATUS_TIME_LIMIT / STATUS_CANCELLED once either fired (sticky). */
    private volatile int stopReason;
    /** The target and tolerance in effect (after the suppliers). */
    private double targetValue;
    private double projectedGradientTolerance;
    private boolean evaluationLimitReached;

    private boolean firstEvaluated;
    private boolean firstPendingLog;
    private double previousValue = Double.NaN;
    private double currentValue = Double.NaN;
    private long nonFiniteTrials;
    private boolean insideIteration;
    /** A stop the native iteration hook asked for because of the time limit or cancellation. */
    private int hookStopReason;
    /**
     * With a time limit or a cancellation hook: the evaluated point with the lowest finite f and a
     * finite gradient, which an interrupted run returns (the core only knows the last iterate and
     * the trials of the current line search).
     */
    private final boolean trackBest;
    private double bestValue = Double.POSITIVE_INFINITY;
    private double[] bestX;
    private double[] bestGradient;

    Run(NativeSession session, LbfgsbOptions options, Bounds bounds, long startedNanos) {
        this.session = session;
        this.options = options;
        this.bounds = bounds;
        this.n = (int) session.size();
        this.startedNanos = startedNanos;
        this.limitNanos = options.timeLimit().map(Run::saturatedNanos).orElse(Long.MAX_VALUE);
        this.cancellation = options.cancellation().orElse(null);
        this.listener = options.iterationListener().orElse(null);
        this.log = RunLog.of(options);
        this.targetValue = initialTarget(options);
        this.projectedGradientTolerance = options.projectedGradientTolerance();
        this.trackBest = limitNanos != Long.MAX_VALUE || cancellation != null;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static double initialTarget(LbfgsbOptions options) {
        return options.targetValueSupplier().isPresent() ? Double.NEGATIVE_INFINITY : options.targetValue();
    }

    /** The native options at the start of a run. */
    static void configure(LbfgsbNative.Options o, LbfgsbOptions options) {
        configure(o, options, initialTarget(options), options.projectedGradientTolerance(), options.maxEvaluations());
    }

    private void configure(LbfgsbNative.Options o) {
        configure(o, options, targetValue, projectedGradientTolerance,
                evaluationLimitReached ? 1 : options.maxEvaluations());
    }

    private static void configure(LbfgsbNative.Options o, LbfgsbOptions options, double target, double pgtol,
            long maxEvaluations) {
        o.historySize(options.historySize())
                .relativeReductionTolerance(options.relativeReductionTolerance())
                .maxIterations(options.maxIterations())
                .maxLineSearchSteps(options.maxLineSearchSteps())
                .lineSearchSufficientDecrease(options.lineSearchSufficientDecrease())
                .lineSearchCurvature(options.lineSearchCurvature())
                .lineSearchStepTolerance(options.lineSearchStepTolerance())
                .lineSearchMaxStep(options.lineSearchMaxStep())
                .projectedGradientTolerance(pgtol)
                .maxEvaluations(maxEvaluations)
                .curvaturePairThreshold(options.curvaturePairThreshold())
                .targetValue(target)
                .maxNonFiniteBacktracks(options.maxNonFiniteBacktracks())
                .trackBestPoint(options.timeLimit().isPresent() || options.cancellation().isPresent())
                .arithmetic(options.arithmetic().nativeValue())
                .threads(options.threads());
    }

    /** Makes the run compute gradients by finite differences of {@code f}. */
    Objective useFiniteDifferences(ValueObjective f, GradientScheme scheme) {
        differences = new FiniteDifferenceGradient(f, scheme, bounds,
                limitNanos == Long.MAX_VALUE && cancellation == null ? null : this::checkStop);
        return differences;
    }

    // ---- stopping ----

    /** The time limit, then the cancellation hook: 0, or the status to interrupt with (sticky). */
    private int checkStop() {
        int r = stopReason;
        if (r != 0) {
            return r;
        }
        if (limitNanos != Long.MAX_VALUE && System.nanoTime() - startedNanos >= limitNanos) {
            r = LbfgsbNative.STATUS_TIME_LIMIT;
        } else if (cancellation != null && cancellation.getAsBoolean()) {
            r = LbfgsbNative.STATUS_CANCELLED;
        }
        if (r != 0) {
            stopReason = r;
        }
        return r;
    }

    /** The suppliers of the target and the tolerance, once, after the first evaluation. */
    private void applySuppliers() {
        DoubleSupplier target = options.targetValueSupplier().orElse(null);
        DoubleSupplier tolerance = options.projectedGradientToleranceSupplier().orElse(null);
        if (target == null && tolerance == null) {
            return;
        }
        if (target != null) {
            double t = target.getAsDouble();
            if (Double.isNaN(t)) {
                throw new IllegalArgumentException("targetValue supplier " + target + " returned NaN: must not be NaN");
            }
            targetValue = t;
        }
        if (tolerance != null) {
            double t = tolerance.getAsDouble();
            if (!(t >= 0) || !Double.isFinite(t)) {
                throw new IllegalArgumentException("projectedGradientTolerance supplier " + tolerance + " returned "
                        + t + ": must be finite and >= 0");
            }
            projectedGradientTolerance = t;
        }
        session.updateOptions(this::configure);
    }

    // ---- the Java loop ----

    LbfgsbResult javaLoop(Objective objective) {
        int task = session.start();
        if (log.enabled()) {
            log.start(n, options.historySize(), bounds, session.xReadOnly());
        }
        return loop(objective, task);
    }

    /**
     * The Java loop from a restored state ({@link Lbfgsb#resume}): x0 was evaluated long ago, so
     * the suppliers are called now, once.
     */
    LbfgsbResult resumeLoop(Objective objective) {
        int task = session.task();
        firstEvaluated = true;
        currentValue = session.f();
        insideIteration = task == LbfgsbNative.TASK_EVALUATE;
        if (task != LbfgsbNative.TASK_DONE) {
            applySuppliers();
        }
        return loop(objective, task);
    }

    private LbfgsbResult loop(Objective objective, int startTask) {
        DoubleBuffer x = session.xReadOnly();
        DoubleBuffer g = session.gradient();
        int task = startTask;
        while (task != LbfgsbNative.TASK_DONE) {
            if (task == LbfgsbNative.TASK_EVALUATE) {
                int reason = checkStop();
                if (reason != 0) {
                    task = session.interrupt(reason);
                    break;
                }
                x.clear();
                g.clear();
                double f;
                try {
                    f = objective.evaluate(x, g);
                } catch (RunInterrupted e) {
                    task = session.interrupt(stopReason);
                    break;
                }
                boolean first = !firstEvaluated;
                evaluated(f);
                if (trackBest) {
                    recordBest(x, g, f);
                }
                task = session.submit(f);
                if (first) {
                    firstSubmitted(f, task);
                }
            } else {
                if (newIterate()) {
                    session.requestStop();
                }
                task = session.proceed();
                insideIteration = task != LbfgsbNative.TASK_DONE;
            }
        }
        return result(null);
    }

    /** After every evaluation, before it is submitted. */
    private void evaluated(double f) {
        if (!firstEvaluated) {
            firstEvaluated = true;
            currentValue = f;
            applySuppliers();
        } else if (!Double.isFinite(f)) {
            nonFiniteTrials++;
        }
    }

    /** After x0's evaluation was submitted (the tests at x0 are done). */
    private void firstSubmitted(double f, int task) {
        if (session.status() != LbfgsbNative.STATUS_NON_FINITE) {
            log.iterateZero(f, session.projectedGradientNorm());
        }
        insideIteration = task != LbfgsbNative.TASK_DONE;
    }

    /** At every accepted iterate: log, SciPy's limit on f evaluations, listener. Returns whether to stop. */
    private boolean newIterate() {
        insideIteration = false;
        previousValue = currentValue;
        currentValue = session.f();
        if (log.enabled()) {
            log.iterate(session.iterations(), currentValue, session.projectedGradientNorm(),
                    session.lineSearchEvaluations(), session.xReadOnly(), session.gradient());
        }
        if (differences != null && !evaluationLimitReached
                && differences.valueEvaluations() > options.maxEvaluations()) {
            // SciPy stops when nfev (difference quotients included) exceeds maxfun; the core
            // counts its own requests, so make its limit fire now (after maxiter, as in SciPy).
            evaluationLimitReached = true;
            session.updateOptions(this::configure);
        }
        int every = options.checkpointEvery();
        if (every > 0 && session.iterations() % every == 0) {
            try {
                options.checkpointSink().orElseThrow().accept(Checkpoint.capture(session));
            } catch (java.io.IOException e) {
                throw Run.<RuntimeException>sneaky(e);  // the sink's exception, unchanged
            }
        }
        return listener != null && listener.onIteration(state()) == IterationListener.Action.STOP;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private IterationState state() {
        long evaluations = session.evaluations();
        return new IterationState(session.iterations(), evaluations,
                differences != null ? differences.valueEvaluations() : evaluations,
                differences != null ? differences.gradientEvaluations() : evaluations,
                session.f(), session.xReadOnly(), session.gradient(), session.projectedGradientNorm(),
                session.stepLength(), (int) session.freeVariables(), System.nanoTime() - startedNanos);
    }

    // ---- the native-driven loop ----

    LbfgsbResult nativeLoop(NativeObjective objective) {
        Objective javaObjective = objective.javaObjective();
        if (log.enabled()) {
            double[] x0 = new double[n];
            session.x().get(0, x0);
            for (int i = 0; i < n; i++) { // start() projects x0 inside lbfgsb::run: do it here for the log
                x0[i] = Math.min(Math.max(x0[i], bounds.lower(i)), bounds.upper(i));
            }
            log.start(n, options.historySize(), bounds, DoubleBuffer.wrap(x0));
        }
        boolean interruptsInHook = javaObjective == null && (limitNanos != Long.MAX_VALUE || cancellation != null);
        NativeCallbacks.IterationHook hook = listener != null || log.enabled() || interruptsInHook
                ? () -> hook(interruptsInHook) : null;
        int status;
        try {
            status = javaObjective != null
                    ? NativeCallbacks.run(session, watched(javaObjective), hook)
                    : NativeCallbacks.runFunctionPointer(session, objective.functionAddress(), objective.userData(),
                            hook);
        } catch (RunInterrupted e) {
            session.interrupt(stopReason);
            status = session.status();
        }
        if (status == LbfgsbNative.STATUS_ABORTED_BY_OBJECTIVE) {
            throw new IllegalStateException("the native objective " + objective
                    + " returned nonzero at evaluation " + (session.evaluations() + 1) + ": run aborted");
        }
        flushFirstLog();
        Termination override = null;
        if (status == LbfgsbNative.STATUS_STOPPED_BY_USER && hookStopReason != 0) {
            override = Termination.fromNativeStatus(hookStopReason);
        }
        return result(override);
    }

    /** The Java objective of a native-callback run, with the stop checks and the suppliers. */
    private Objective watched(Objective objective) {
        return (x, g) -> {
            flushFirstLog();
            if (checkStop() != 0) {
                throw new RunInterrupted(); // returns nonzero to the core; then interrupt()
            }
            if (firstEvaluated) {
                insideIteration = true; // a line-search trial
            }
            double f = objective.evaluate(x, g);
            if (!firstEvaluated) {
                firstPendingLog = true;
            }
            evaluated(f);
            if (trackBest) {
                recordBest(x, g, f);
            }
            return f;
        };
    }

    /** Logs x0's line once its tests are done (sbgnrm still x0's until the first iterate). */
    private void flushFirstLog() {
        if (firstPendingLog) {
            firstPendingLog = false;
            firstSubmitted(currentValue, session.task());
        }
    }

    private boolean hook(boolean interruptsInHook) {
        flushFirstLog();
        if (newIterate()) {
            return true;
        }
        if (interruptsInHook) {
            int r = checkStop();
            if (r != 0) {
                hookStopReason = r;
                return true;
            }
        }
        return false;
    }

    /** Keeps (x, g, f) if f is the lowest finite value so far and g is finite. */
    private void recordBest(DoubleBuffer x, DoubleBuffer g, double f) {
        if (!(f < bestValue)) {
            return;
        }
        x.clear(); // the objective may have moved them
        g.clear();
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(g.get(i))) {
                return;
            }
        }
        if (bestX == null) {
            bestX = new double[n];
            bestGradient = new double[n];
        }
        x.get(0, bestX);
        g.get(0, bestGradient);
        bestValue = f;
    }

    /** An interrupted run ends at the best point evaluated: put it in the session's x and gradient. */
    private void restoreBest() {
        session.x().put(0, bestX); // also the caller's buffer, for an in-place run
        session.gradient().put(0, bestGradient);
    }

    // ---- the result ----

    private LbfgsbResult result(Termination override) {
        // The native state as it stands (before any best-point substitution below).
        long stateBytes = session.stateBytes();
        Checkpoint finalState = options.retainsFinalStateOf(stateBytes) ? Checkpoint.capture(session, stateBytes) : null;
        int status = session.status();
        if (status == LbfgsbNative.STATUS_INVALID_INPUT) {
            // Bounds and options are validated in Java first: reaching this is a bug.
            throw new IllegalStateException("the native core refused the input: " + session.message());
        }
        Termination termination = override != null ? override : Termination.fromNativeStatus(status);
        double f = session.f();
        double pg = session.projectedGradientNorm();
        if ((termination == Termination.TIME_LIMIT || termination == Termination.CANCELLED) && bestX != null
                && (bestValue < f || Double.isNaN(f))) {
            restoreBest();
            f = bestValue;
            pg = projectedGradientNorm(bestX, bestGradient);
        }
        double[] x = new double[n];
        double[] g = new double[n];
        session.x().get(0, x);
        session.gradient().get(0, g);
        long evaluations = session.evaluations();
        if (evaluations == 0 || termination == Termination.NON_FINITE) {
            if (evaluations == 0) {
                java.util.Arrays.fill(g, Double.NaN); // interrupted before x0 was evaluated
            }
            pg = Double.NaN;
        }
        if (termination.isConvergence() && !allFinite(f, g)) {
            termination = Termination.NON_FINITE; // safety net: never converged at a non-finite point
        }
        long functionEvaluations = differences != null ? differences.valueEvaluations() : evaluations;
        long gradientEvaluations = differences != null ? differences.gradientEvaluations() : evaluations;
        Explanation.Facts facts = new Explanation.Facts(termination, f, g, pg, session.iterations(),
                evaluations, functionEvaluations, gradientEvaluations, differences != null,
                projectedGradientTolerance, options.relativeReductionTolerance(), targetValue, options,
                previousValue, nonFiniteTrials, System.nanoTime() - startedNanos, insideIteration);
        String explanation = null; // formatted on request, unless the log needs it now
        if (log.enabled()) {
            explanation = Explanation.of(facts);
            if (insideIteration && (termination == Termination.ABNORMAL_LINE_SEARCH
                    || termination == Termination.TIME_LIMIT || termination == Termination.CANCELLED)) {
                log.iterationStarted(session.iterations() + 1);
            }
            log.finish(termination, n, session.iterations(), evaluations, n - session.freeVariables(), pg, f,
                    DoubleBuffer.wrap(x), explanation);
        }
        return new LbfgsbResult(x, f, g, session.iterations(), evaluations, functionEvaluations,
                gradientEvaluations, pg, termination, session.x0Projected(), explanation).withExplanation(facts)
                .withFinalState(finalState);
    }

    /** L-BFGS-B's projgr: max_i |P(x - g) - x|_i with the run's bounds. */
    private double projectedGradientNorm(double[] x, double[] g) {
        double norm = 0.0;
        for (int i = 0; i < n; i++) {
            double gi = g[i];
            if (gi < 0.0) {
                double u = bounds.upper(i);
                if (u != Double.POSITIVE_INFINITY) {
                    gi = Math.max(x[i] - u, gi);
                }
            } else {
                double l = bounds.lower(i);
                if (l != Double.NEGATIVE_INFINITY) {
                    gi = Math.min(x[i] - l, gi);
                }
            }
            norm = Math.max(norm, Math.abs(gi));
        }
        return norm;
    }

    private static boolean allFinite(double f, double[] g) {
        if (!Double.isFinite(f)) {
            return false;
        }
        for (double v : g) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
