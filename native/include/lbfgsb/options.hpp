// lbfgsb4j native core: solver options.
// Defaults are SciPy's minimize(method='L-BFGS-B') defaults (SciPy name in brackets).
#pragma once

#include <cstdint>
#include <limits>

namespace lbfgsb {

// How the solver's long sums (inner products over the n variables) are evaluated.
enum class Arithmetic : int {
    // SciPy's order, sum for sum: results bit for bit those of SciPy's L-BFGS-B.
    Reference = 0,
    // lbfgsb4j's own order (8 interleaved partial sums per 4096-row chunk, chunks added in row
    // order), fused passes over the correction history and dense, vectorised loops. Same algorithm,
    // same decisions; results differ from Reference at the level of rounding. Deterministic: the
    // same on every run, thread count and instruction set.
    Fast = 1,
};

struct Options {
    // Number of stored correction pairs m [maxcor]. Must be > 0.
    std::int64_t history_size = 10;
    // Stop when (f_k - f_{k+1}) <= (ftol/eps)*eps * max(|f_k|, |f_{k+1}|, 1) [ftol = factr*eps].
    // Must be >= 0. The factr round trip reproduces SciPy's arithmetic exactly.
    double relative_reduction_tolerance = 2.220446049250313e-09;
    // Stop when max_i |proj g_i| <= pgtol [gtol / pgtol]. Must be >= 0.
    double projected_gradient_tolerance = 1e-5;
    // Stop after this many iterations [maxiter], checked after each iteration as SciPy does;
    // 0 evaluates x0 only (SciPy still performs one iteration).
    std::int64_t max_iterations = 15000;
    // Stop once more than this many evaluations were made [maxfun]; checked after each
    // iteration, so a line search may overshoot it (as in SciPy).
    std::int64_t max_evaluations = 15000;
    // Evaluations per line search before it counts as failed [maxls]. Must be > 0.
    std::int64_t max_line_search_steps = 20;

    // Line-search constants of dcsrch (hard-wired in SciPy): sufficient decrease c1,
    // curvature c2, relative step tolerance and the largest step of an unconstrained search.
    double line_search_sufficient_decrease = 1e-3;
    double line_search_curvature = 0.9;
    double line_search_step_tolerance = 0.1;
    double line_search_max_step = 1e10;

    // The curvature-pair test: the pair (s, y) is stored only if s'y > threshold * (-g'd) * stp,
    // i.e. s'y > eps_SY * (-g's) [SciPy hard-codes epsmch]. Must be >= 0.
    double curvature_pair_threshold = 2.220446049250313e-16;

    // Stop with TargetReached as soon as an iterate (x0 included) has f <= target_value
    // (-infinity: never). Tested after the convergence tests.
    double target_value = -std::numeric_limits<double>::infinity();

    // A line-search trial whose f or g'd is not finite halves the step and starts the search
    // again from the last iterate, at most this many times per line search (each such trial
    // counts towards max_line_search_steps); beyond, the line search has failed. 0: fail at once.
    std::int64_t max_non_finite_backtracks = 10;

    // Keep the gradient of the best line-search trial, so that interrupt() can return the best
    // point evaluated (one extra copy of g per improving trial).
    bool track_best_point = false;

    // Summation order and loop structure (see Arithmetic).
    Arithmetic arithmetic = Arithmetic::Reference;

    // Threads for the passes over the correction history in Arithmetic::Fast (each thread takes
    // at least 64k rows; smaller problems use one). Results are the same bits for any value.
    // Reference arithmetic always uses one. In [1, 256].
    std::int64_t threads = 1;
};

}  // namespace lbfgsb
