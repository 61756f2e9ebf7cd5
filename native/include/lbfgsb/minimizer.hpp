// lbfgsb4j native core: the reverse-communication L-BFGS-B 3.0 minimizer.
//
// Usage (the caller owns the loop; the minimizer owns every byte of state):
//
//   lbfgsb::Minimizer m(n, options);
//   copy x0 into m.x(); write bounds into m.lower()/m.upper() (+-infinity = no bound);
//   for (Task t = m.start(); t != Task::Done; ) {
//       if (t == Task::Evaluate) { double f = fg(m.x(), m.gradient()); t = m.submit(f); }
//       else /* NewIterate */    { inspect, maybe m.request_stop(); t = m.proceed(); }
//   }
//   m.status(), m.message(), m.f(), m.x(), m.gradient() describe the result.
//
// No statics: any number of minimizers may run on any threads at once.
#pragma once

#include <cstdint>
#include <memory>

#include "lbfgsb/options.hpp"

namespace lbfgsb {

// What the minimizer asks of the caller next.
enum class Task : int {
    Evaluate = 1,    // write f and the gradient at x(), then call submit(f)
    NewIterate = 2,  // an iteration finished; x(), f(), gradient() are the new iterate; call proceed()
    Done = 3,        // terminal; see status()
};

// Why a run ended (Running while it has not).
enum class Status : int {
    Running = 0,
    ConvergedProjectedGradient = 1,  // SciPy 401
    ConvergedRelativeReduction = 2,  // SciPy 402
    MaxIterations = 3,               // SciPy 504
    MaxEvaluations = 4,              // SciPy 502
    StoppedByUser = 5,               // SciPy 505
    AbnormalLineSearch = 6,          // SciPy ABNORMAL
    NonFinite = 7,                   // f or gradient not finite at the start point (SciPy has none)
    InvalidInput = 8,                // SciPy's ERROR: messages (n, m, tolerance, bounds)
    AbortedByObjective = 9,          // the C driver's objective returned nonzero
    TargetReached = 10,              // f <= Options::target_value
    TimeLimit = 11,                  // interrupt(TimeLimit): the caller's clock ran out
    Cancelled = 12,                  // interrupt(Cancelled): the caller cancelled the run
};

class Minimizer {
public:
    // Allocates the whole workspace: (2m + 7) n doubles + 3n indices + O(m^2).
    // Throws std::invalid_argument when n <= 0 or the options are invalid, std::bad_alloc when
    // the workspace cannot be allocated.
    Minimizer(std::int64_t n, const Options& options);
    // As above, but x lives in the caller's memory (n doubles, kept alive and not moved while the
    // minimizer exists): the solver reads x0 from it and leaves the solution in it.
    Minimizer(std::int64_t n, const Options& options, double* x);
    ~Minimizer();
    Minimizer(const Minimizer&) = delete;
    Minimizer& operator=(const Minimizer&) = delete;

    std::int64_t size() const;
    const Options& options() const;

    // The problem's vectors, n doubles each, owned by the minimizer, 64-byte aligned.
    double* x();
    double* gradient();
    double* lower();  // -infinity (the initial value) means no lower bound
    double* upper();  // +infinity (the initial value) means no upper bound

    // Checks the bounds, projects x onto them and asks for the first evaluation.
    Task start();
    // The caller has written f at x() into `f` and the gradient into gradient().
    Task submit(double f);
    // Called after Task::NewIterate: tests the limits and convergence, then goes on.
    Task proceed();
    // Makes the next proceed() stop with StoppedByUser (unless a limit stops it first, as SciPy).
    void request_stop();
    // Ends the run now, also in the middle of a line search, with `reason` (TimeLimit or
    // Cancelled): x(), gradient() and f() become the best point evaluated so far (the last
    // iterate, or with Options::track_best_point a better line-search trial). Before x0 was
    // evaluated f() is NaN. Returns Task::Done; does nothing once the run is done.
    Task interrupt(Status reason);
    // Replaces the options between calls (limits, tolerances, line-search constants, target);
    // history_size must stay the same. Throws std::invalid_argument like the constructor.
    void update_options(const Options& options);

    Task task() const;
    Status status() const;
    // SciPy's message for the status, e.g. "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL".
    const char* message() const;

    double f() const;
    std::int64_t iterations() const;
    std::int64_t evaluations() const;
    double projected_gradient_norm() const;
    // Step length of the last accepted line search, the number of free variables at the
    // last subspace minimization, and evaluations made by the current line search.
    double step_length() const;
    std::int64_t free_variables() const;
    std::int64_t line_search_evaluations() const;
    // Whether start() moved x0 onto the box.
    bool x0_projected() const;

    // ---- Saving and restoring the complete state (checkpoint.cpp) ----
    // The state is a header of scalars (every counter, flag, option and line-search variable;
    // little-endian, versioned) plus named segments (the arrays: x, g, bounds, S, Y, the small
    // matrices, work vectors). Writing header and segments and reading them back into a
    // minimizer of the same n and history size continues bit for bit. Pure scratch arrays are
    // left out at iteration boundaries (phase NewIterate or done). Segments may be large (the
    // S and Y blocks are 8 n m bytes each): stream them, do not concatenate them.
    std::size_t state_header_size() const;
    void write_state_header(std::uint8_t* out) const;
    int state_segment_count() const;
    const char* state_segment_name(int i) const;
    std::uint64_t state_segment_size(int i) const;  // bytes
    const void* state_segment(int i) const;
    // Segment i's name depends only on i (the scratch segments come last), so callers may cache
    // names by index. At most kMaxStateSegments segments.
    static constexpr int kMaxStateSegments = 24;
    // The size of the complete state: the header and every segment.
    std::uint64_t state_size() const;
    // Writes the complete state in one call, for small states: the header, then every segment
    // in order, back to back, state_size() bytes at `out`; segment i's size into sizes[i]
    // (room for kMaxStateSegments). Returns the segment count.
    int write_state(std::uint8_t* out, std::uint64_t* sizes) const;
    // n and history size recorded in a header, or -1 when `in` is not a valid header.
    static std::int64_t state_header_size_n(const std::uint8_t* in, std::size_t len);
    static std::int64_t state_header_history_size(const std::uint8_t* in, std::size_t len);
    // Restores the header into a minimizer constructed with the header's n and history size and
    // not started; then every state_segment_target(i) (as listed after this call) must be
    // filled with the saved segment i. Throws std::invalid_argument on a foreign, corrupt or
    // mismatching header.
    void read_state_header(const std::uint8_t* in, std::size_t len);
    void* state_segment_target(int i);

    // ---- Redefining the objective at an iteration boundary (redefinition.cpp) ----
    // (the Python lbfgsb package's update_fun_def, with the history rebuilt exactly)
    // At Task::NewIterate the history holds history_count() points, oldest first; the last is
    // the current x. Points are reconstructed from x and the stored steps, gradients from the
    // gradient and the stored differences (rounding-level differences from the originals).
    int history_count() const;
    void history_point(int i, double* out) const;
    void history_gradient(int i, double* out) const;
    // Replace the gradients of all history points, in order i = 0 .. history_count() - 1
    // (the last one is the new gradient at x), then finish with the new f and the previous f
    // (the one the relative-reduction test compares with). The correction pairs get
    // y_i = g_{i+1} - g_i, S'Y, theta and the factorisations are rebuilt; pairs whose curvature
    // s'y <= curvature_pair_threshold * y'y are dropped together with all older ones. Returns
    // the number of stored pairs kept. Throws std::logic_error when called out of order.
    void begin_redefinition();
    void redefine_gradient(int i, const double* gradient);
    int end_redefinition(double f, double f_previous);

    struct State;  // every number of the run, plain data (see minimizer.cpp)

private:
    std::unique_ptr<State> s_;
};

// Objective for the C/C++ driver: writes f and the gradient at x; a nonzero return aborts.
using ObjectiveFunction = int (*)(std::int64_t n, const double* x, double* f, double* g, void* user);
// Optional per-iteration hook for the C/C++ driver; a nonzero return stops (StoppedByUser).
using IterationFunction = int (*)(void* user);

// Drives the minimizer to the end with a plain C function pointer objective.
Status run(Minimizer& minimizer, ObjectiveFunction objective, void* objective_user,
           IterationFunction on_iteration = nullptr, void* iteration_user = nullptr);

}  // namespace lbfgsb
