package org.lbfgsb4j;

import org.lbfgsb4j.internal.LbfgsbNative;

/** Copies {@link LbfgsbOptions} into the native options (one place for every driver). */
final class NativeOptions {
    private NativeOptions() {}

    static void configure(LbfgsbNative.Options o, LbfgsbOptions options) {
        o.historySize(options.historySize())
                .relativeReductionTolerance(options.relativeReductionTolerance())
                .projectedGradientTolerance(options.projectedGradientTolerance())
                .maxIterations(options.maxIterations())
                .maxEvaluations(options.maxEvaluations())
                .maxLineSearchSteps(options.maxLineSearchSteps())
                .lineSearchSufficientDecrease(options.lineSearchSufficientDecrease())
                .lineSearchCurvature(options.lineSearchCurvature())
                .lineSearchStepTolerance(options.lineSearchStepTolerance())
                .lineSearchMaxStep(options.lineSearchMaxStep());
    }
}
