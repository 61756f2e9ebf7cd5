// lbfgsb4j native core: L-BFGS with torch.optim.LBFGS semantics, as a reverse-communication
// state machine (no bounds; the caller owns the parameters, as torch's users do).
//
// Usage, one torch `optimizer.step(closure)`:
//
//   lbfgsb::TorchLbfgs opt(n, options, params);          // params: the caller's n doubles
//   for (TorchTask t = opt.begin_step(); t == TorchTask::Evaluate; ) {
//       double loss = closure(opt.params(), opt.gradient());   // write the gradient at params()
//       t = opt.submit(loss);
//   }
//   opt.initial_loss() is what torch's step() returns; opt.stop() says why the step ended.
//
// The state machine follows torch/optim/lbfgs.py (pytorch c22f1f2) operation by operation: the
// same stop tests in the same order, max_eval counted across the line search (the line search gets
// max_ls = max_eval - evaluations so far), curvature pairs that span two steps, and torch's
// strong-Wolfe search (_strong_wolfe with _cubic_interpolate and zoom, c1 = 1e-4, c2 = 0.9, its own
// bracket tolerance 1e-9). Vector arithmetic goes through the core's BLAS wrappers (blas.hpp).
//
// Deliberate deviations from torch (torch is wrong here):
// - a non-finite loss, or a gradient with a non-finite entry, ends the step with
//   TorchStop::NonFinite instead of entering the arithmetic; at the step's first evaluation nothing
//   changes, later the parameters go back to the start of the current iteration, t becomes 0 and
//   no curvature pair is ever formed from the non-finite point;
// - abort_step() (the caller's closure failed) leaves a consistent state the same way (torch leaves
//   the history, d and t out of step with each other after an exception).
//
// All state lives in the object (no statics); any number of optimizers run on any threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace lbfgsb {

// torch's line_search_fn.
enum class TorchLineSearch : int {
    None = 0,         // line_search_fn=None: fixed step t = lr (the first step of all scaled)
    StrongWolfe = 1,  // line_search_fn='strong_wolfe'
};

// torch.optim.LBFGS's constructor arguments, with its defaults.
struct TorchLbfgsOptions {
    double learning_rate = 1.0;        // lr; must be finite and >= 0
    std::int64_t max_iter = 20;        // iterations per step(); must be >= 1
    std::int64_t max_eval = -1;        // evaluations per step(); < 0 means max_iter * 5 / 4 (None)
    double tolerance_grad = 1e-7;      // stop when max_i |g_i| <= this; must be >= 0
    double tolerance_change = 1e-9;    // stop on tiny g.d, |d t| or loss change; must be >= 0
    std::int64_t history_size = 100;   // curvature pairs kept; must be >= 1
    TorchLineSearch line_search = TorchLineSearch::None;
};

// What the optimizer asks of the caller next.
enum class TorchTask : int {
    Evaluate = 1,  // write the gradient at params() into gradient() (zero-filled), then submit(loss)
    Done = 3,      // the step ended; see stop()
};

// Why the last step() ended (torch's `break`s, in the order torch tests them, and ours).
enum class TorchStop : int {
    None = 0,                      // no step has ended since construction or load_state
    GradientToleranceAtStart = 1,  // max|g| <= tolerance_grad at the step's first evaluation: no iteration
    MaxIter = 2,                   // this step made max_iter iterations
    MaxEval = 3,                   // this step made >= max_eval evaluations
    GradientTolerance = 4,         // max|g| <= tolerance_grad after an iteration
    StepTolerance = 5,             // max|d t| <= tolerance_change
    LossChangeTolerance = 6,       // |loss - prev_loss| < tolerance_change
    DirectionalDerivative = 7,     // g.d > -tolerance_change: the iteration stopped before moving
    NonFinite = 8,                 // the closure returned a non-finite loss or gradient (ours)
    Aborted = 9,                   // abort_step(): the caller's closure failed (ours)
};

class TorchLbfgs {
public:
    // n parameters in the caller's memory `params` (kept alive and in place while this object
    // exists; read at each step's start and written in place). Allocates 7n doubles (9n with the
    // strong-Wolfe search), + 2n per curvature pair as the history fills, as torch's lists grow. Throws std::invalid_argument when n <= 0,
    // params is null or an option is invalid (the message names it, its value and the rule),
    // std::bad_alloc when memory runs out.
    TorchLbfgs(std::int64_t n, const TorchLbfgsOptions& options, double* params);
    ~TorchLbfgs();
    TorchLbfgs(const TorchLbfgs&) = delete;
    TorchLbfgs& operator=(const TorchLbfgs&) = delete;

    std::int64_t size() const;
    // The options, max_eval resolved.
    const TorchLbfgsOptions& options() const;

    double* params();    // the caller's memory
    double* gradient();  // n doubles owned here: the closure's gradient (torch's p.grad)

    // Starts a step: asks for the loss and gradient at params(). Throws std::logic_error while a
    // step is in progress.
    TorchTask begin_step();
    // The caller has written the gradient at params() into gradient(); `loss` is the loss there.
    TorchTask submit(double loss);
    // The caller's closure failed: ends the step in progress (no-op when none is) with
    // TorchStop::Aborted. Params go back to where they were when the current iteration started
    // (unchanged if the step's first evaluation failed), t = 0, and the history, d, prev_flat_grad
    // and prev_loss are consistent, so the next step() continues from there.
    void abort_step();

    TorchTask task() const;
    TorchStop stop() const;
    // The number behind stop(): max|g| (GradientTolerance*), max|d t| (StepTolerance),
    // |loss - prev_loss| (LossChangeTolerance), g.d (DirectionalDerivative), the iterations
    // (MaxIter), the evaluations (MaxEval), the offending loss or g.d (NonFinite); NaN otherwise.
    double stop_value() const;
    // The loss at the last step's first evaluation: what torch's step() returns.
    double initial_loss() const;
    // Iterations and evaluations of the last (or current) step.
    std::int64_t step_iterations() const;
    std::int64_t step_evaluations() const;

    // torch's state (state[params[0]]); d, t and prev_* exist once n_iter() > 0.
    std::int64_t n_iter() const;       // iterations over the optimizer's lifetime
    std::int64_t func_evals() const;   // closure evaluations over the lifetime (those that returned)
    double t() const;                  // the last step length
    double h_diag() const;             // H_diag = y.s / y.y of the newest pair (1 initially)
    double prev_loss() const;          // NaN before the first iteration
    const double* direction() const;   // d (zeros before the first iteration)
    const double* prev_flat_grad() const;
    std::int64_t history_length() const;
    // Curvature pair k (0 = oldest): s = old_stps[k], y = old_dirs[k], rho = ro[k] = 1 / y.s.
    const double* history_s(std::int64_t k) const;
    const double* history_y(std::int64_t k) const;
    double history_rho(std::int64_t k) const;

    // The state above as plain bytes (format 1, little-endian; layout in torch_lbfgs.cpp), for
    // checkpoints. It will move onto the common checkpoint format of checkpoint.hpp.
    // load_state throws std::logic_error during a step, std::invalid_argument when the bytes are
    // not a state of this format or their n or history_size differ from this optimizer's; on
    // failure nothing changes. After load_state the next step continues bit for bit.
    std::size_t state_size() const;
    void save_state(std::uint8_t* out) const;
    void load_state(const std::uint8_t* in, std::size_t length);

    struct Impl;

private:
    std::unique_ptr<Impl> s_;
};

}  // namespace lbfgsb
