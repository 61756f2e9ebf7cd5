// torch.optim.LBFGS (torch/optim/lbfgs.py at pytorch c22f1f2: step, _strong_wolfe,
// _cubic_interpolate) as a reverse-communication state machine on the core's BLAS wrappers.
// Deliberate deviations: a non-finite loss or gradient stops the step (TorchStop::NonFinite) before
// it reaches the history; abort_step() leaves a consistent state (torch's does not after an
// exception); the scalar comparisons copy Python's min/max and operator order, the vector ones
// run through blas.hpp (so results agree with torch to rounding, not bit for bit).
#include "lbfgsb/torch_lbfgs.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "blas.hpp"

namespace lbfgsb {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// torch's hard-wired constants.
constexpr double kCurvatureThreshold = 1e-10;  // a pair is kept when y.s > 1e-10
constexpr double kC1 = 1e-4;                   // _strong_wolfe's c1 (sufficient decrease)
constexpr double kC2 = 0.9;                    // _strong_wolfe's c2 (curvature)
constexpr double kBracketTolerance = 1e-9;     // _strong_wolfe's own tolerance_change default

// A 64-byte aligned array of doubles (empty until allocated).
class Vec {
public:
    Vec() = default;
    explicit Vec(std::int64_t n) { allocate(n); }
    ~Vec() { std::free(p_); }
    Vec(const Vec&) = delete;
    Vec& operator=(const Vec&) = delete;
    Vec(Vec&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Vec& operator=(Vec&& o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    void allocate(std::int64_t n) {
        std::size_t bytes = (static_cast<std::size_t>(n) * sizeof(double) + 63) / 64 * 64;
        double* p = static_cast<double*>(std::aligned_alloc(64, bytes));
        if (p == nullptr) throw std::bad_alloc();
        std::free(p_);
        p_ = p;
    }
    bool empty() const { return p_ == nullptr; }
    double* data() { return p_; }
    const double* data() const { return p_; }

private:
    double* p_ = nullptr;
};

// Python's built-in max(a, b) and min(a, b) for two floats: the first argument unless the second
// compares greater (smaller). Kept exact so that ties and signed zeros go torch's way.
inline double py_max(double a, double b) { return b > a ? b : a; }
inline double py_min(double a, double b) { return b < a ? b : a; }

// max_i |v_i|, propagating NaN as torch's abs().max() does.
double max_abs(std::int64_t n, const double* v) {
    double m = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double a = std::fabs(v[i]);
        if (a != a) return a;
        if (a > m) m = a;
    }
    return m;
}

// max_i |v_i * t| (torch: d.mul(t).abs().max()).
double max_abs_scaled(std::int64_t n, const double* v, double t) {
    double m = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double a = std::fabs(v[i] * t);
        if (a != a) return a;
        if (a > m) m = a;
    }
    return m;
}

// sum_i |v_i|, in index order.
double sum_abs(std::int64_t n, const double* v) {
    double s = 0.0;
    for (std::int64_t i = 0; i < n; ++i) s = s + std::fabs(v[i]);
    return s;
}

// _cubic_interpolate: the minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to
// [lo, hi]; the midpoint of [lo, hi] when the cubic has no real critical point.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
    const double d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    const double d2_square = d1 * d1 - g1 * g2;
    if (d2_square >= 0.0) {
        const double d2 = std::sqrt(d2_square);
        double min_pos;
        if (x1 <= x2) {
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2));
        } else {
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2));
        }
        return py_min(py_max(min_pos, lo), hi);
    }
    return (lo + hi) / 2.0;
}

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

void validate(std::int64_t n, const TorchLbfgsOptions& o, const double* params) {
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (n <= 0) fail("n = " + std::to_string(n) + ": must be > 0");
    if (params == nullptr) fail("params = null: must point to n doubles");
    if (!(o.learning_rate >= 0.0) || !std::isfinite(o.learning_rate))
        fail("learning_rate = " + num(o.learning_rate) + ": must be finite and >= 0");
    if (o.max_iter < 1) fail("max_iter = " + std::to_string(o.max_iter) + ": must be >= 1");
    if (o.max_eval == 0) fail("max_eval = 0: must be >= 1 (or < 0 for max_iter * 5 / 4)");
    if (!(o.tolerance_grad >= 0.0) || std::isnan(o.tolerance_grad))
        fail("tolerance_grad = " + num(o.tolerance_grad) + ": must be >= 0");
    if (!(o.tolerance_change >= 0.0) || std::isnan(o.tolerance_change))
        fail("tolerance_change = " + num(o.tolerance_change) + ": must be >= 0");
    if (o.history_size < 1) fail("history_size = " + std::to_string(o.history_size) + ": must be >= 1");
    if (o.line_search != TorchLineSearch::None && o.line_search != TorchLineSearch::StrongWolfe)
        fail("line_search = " + std::to_string(static_cast<int>(o.line_search)) + ": must be None (0) or StrongWolfe (1)");
}

// ---- state format 1 (little-endian) ----
//   offset  0  8 bytes  magic "TLBFGS\0\1"
//           8  u32      format version (1)
//          12  u32      reserved (0)
//          16  i64      n
//          24  i64      history_size
//          32  i64      n_iter
//          40  i64      func_evals
//          48  f64      t
//          56  f64      H_diag
//          64  f64      prev_loss
//          72  i64      history length L (<= history_size; 0 when n_iter = 0)
//          80  f64[n]   d
//              f64[n]   prev_flat_grad
//              L times, oldest pair first:  f64 rho, f64[n] y (old_dirs), f64[n] s (old_stps)
constexpr std::uint8_t kMagic[8] = {'T', 'L', 'B', 'F', 'G', 'S', 0, 1};
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kHeaderBytes = 80;

class Writer {
public:
    explicit Writer(std::uint8_t* p) : p_(p) {}
    void bytes(const std::uint8_t* b, std::size_t len) {
        std::memcpy(p_, b, len);
        p_ += len;
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) *p_++ = static_cast<std::uint8_t>(v >> (8 * i));
    }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) *p_++ = static_cast<std::uint8_t>(v >> (8 * i));
    }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void f64(double v) {
        std::uint64_t b;
        std::memcpy(&b, &v, 8);
        u64(b);
    }
    void f64s(const double* v, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) f64(v[i]);
    }

private:
    std::uint8_t* p_;
};

class Reader {
public:
    explicit Reader(const std::uint8_t* p) : p_(p) {}
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(*p_++) << (8 * i);
        return v;
    }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(*p_++) << (8 * i);
        return v;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    double f64() {
        std::uint64_t b = u64();
        double v;
        std::memcpy(&v, &b, 8);
        return v;
    }
    void f64s(double* v, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) v[i] = f64();
    }
    const std::uint8_t* at() const { return p_; }

private:
    const std::uint8_t* p_;
};

// Where the machine resumes when the caller submits.
enum class Phase : int {
    Idle,        // no step in progress
    Start,       // the step's first evaluation (orig_loss)
    FixedStep,   // line_search None: the evaluation after x += t d
    Bracket,     // _strong_wolfe, bracketing phase
    Zoom,        // _strong_wolfe, zoom phase
};

constexpr int kEvalSlot = -1;  // a bracket entry that lives in the evaluation buffer (g_new uncloned)

}  // namespace

struct TorchLbfgs::Impl {
    std::int64_t n;
    TorchLbfgsOptions opt;
    double* x;  // the caller's parameters

    // Vectors: the closure's gradient, three gradient slots (flat_grad, g_prev and the bracket
    // ends of the line search; one slot without a line search), prev_flat_grad, d, x at the start
    // of the iteration, and the candidate pair (y, s) before the curvature test.
    Vec eval_grad, prev_grad, d, x_init, y_new, s_new;
    Vec slot[3];
    int g_slot = 0;  // which slot holds flat_grad

    // History ring: pair k (0 = oldest) lives at (head + k) % history_size; columns are allocated
    // the first time they are used (torch's lists grow the same way).
    std::vector<Vec> hist_y, hist_s;
    std::vector<double> rho, al;
    std::int64_t head = 0, len = 0;

    // torch's state[params[0]].
    std::int64_t n_iter = 0, func_evals = 0;
    double t = 0.0, h_diag = 1.0, prev_loss = kNaN;

    // The step in progress (torch's locals of step()).
    TorchTask task = TorchTask::Done;
    Phase phase = Phase::Idle;
    TorchStop stop = TorchStop::None;
    double stop_value = kNaN;
    double orig_loss = kNaN, loss = kNaN;
    std::int64_t step_iter = 0, step_evals = 0;
    bool opt_cond = false;
    double gtd = 0.0;

    // _strong_wolfe's locals.
    double ls_f = 0.0, ls_gtd = 0.0, d_norm = 0.0;
    double t_prev = 0.0, f_prev = 0.0, gtd_prev = 0.0, f_new = 0.0, gtd_new = 0.0;
    int g_prev_slot = 0;
    std::int64_t ls_iter = 0, max_ls = 0;
    bool done = false, insuf_progress = false;
    int bracket_size = 0;
    double br_t[2] = {0, 0}, br_f[2] = {0, 0}, br_gtd[2] = {0, 0};
    int br_slot[2] = {0, 0};
    int low = 0, high = 1;

    Impl(std::int64_t n_, const TorchLbfgsOptions& o, double* params) : n(n_), opt(o), x(params) {
        if (opt.max_eval < 0) opt.max_eval = opt.max_iter / 4 * 5 + (opt.max_iter % 4) * 5 / 4;
        eval_grad.allocate(n);
        prev_grad.allocate(n);
        d.allocate(n);
        x_init.allocate(n);
        y_new.allocate(n);
        s_new.allocate(n);
        const int slots = opt.line_search == TorchLineSearch::StrongWolfe ? 3 : 1;
        for (int i = 0; i < slots; ++i) slot[i].allocate(n);
        const std::size_t m = static_cast<std::size_t>(opt.history_size);
        hist_y.resize(m);
        hist_s.resize(m);
        rho.assign(m, 0.0);
        al.assign(m, 0.0);
        std::memset(eval_grad.data(), 0, sizeof(double) * static_cast<std::size_t>(n));
        std::memset(d.data(), 0, sizeof(double) * static_cast<std::size_t>(n));
        std::memset(prev_grad.data(), 0, sizeof(double) * static_cast<std::size_t>(n));
    }

    std::int64_t ring(std::int64_t k) const { return (head + k) % opt.history_size; }
    double* g() { return slot[g_slot].data(); }
    double* slot_data(int s) { return s == kEvalSlot ? eval_grad.data() : slot[s].data(); }

    TorchTask request_evaluation(Phase p) {
        std::memset(eval_grad.data(), 0, sizeof(double) * static_cast<std::size_t>(n));
        phase = p;
        task = TorchTask::Evaluate;
        return task;
    }

    TorchTask finish(TorchStop why, double value) {
        stop = why;
        stop_value = value;
        phase = Phase::Idle;
        task = TorchTask::Done;
        return task;
    }

    // A non-finite evaluation or a failed closure inside an iteration: back to the iteration's
    // start (x_init, where loss and flat_grad = prev_flat_grad were computed), with t = 0 so the
    // next step forms no pair from this iteration.
    void roll_back_iteration() {
        blas::copy(n, x_init.data(), x);
        t = 0.0;
    }

    // ---- step() ----

    TorchTask begin() {
        if (task == TorchTask::Evaluate)
            throw std::logic_error("begin_step: a step is in progress (submit its evaluation or abort it first)");
        stop = TorchStop::None;
        stop_value = kNaN;
        orig_loss = kNaN;
        step_iter = 0;
        step_evals = 0;
        opt_cond = false;
        return request_evaluation(Phase::Start);
    }

    TorchTask submit(double f) {
        if (task != TorchTask::Evaluate) throw std::logic_error("submit: no evaluation was requested");
        ++func_evals;
        ++step_evals;
        switch (phase) {
            case Phase::Start: return on_start(f);
            case Phase::FixedStep: return on_fixed_step(f);
            case Phase::Bracket: return on_bracket_evaluation(f);
            case Phase::Zoom: return on_zoom_evaluation(f);
            case Phase::Idle: break;
        }
        throw std::logic_error("submit: no evaluation was requested");
    }

    void abort() {
        if (task != TorchTask::Evaluate) return;
        switch (phase) {
            case Phase::FixedStep:
            case Phase::Bracket:
            case Phase::Zoom: roll_back_iteration(); break;
            case Phase::Start:
            case Phase::Idle: break;
        }
        finish(TorchStop::Aborted, kNaN);
    }

    TorchTask on_start(double f) {
        orig_loss = f;
        const double gmax = max_abs(n, eval_grad.data());
        if (!std::isfinite(f)) return finish(TorchStop::NonFinite, f);
        if (!std::isfinite(gmax)) return finish(TorchStop::NonFinite, gmax);
        loss = f;
        blas::copy(n, eval_grad.data(), g());
        if (gmax <= opt.tolerance_grad) return finish(TorchStop::GradientToleranceAtStart, gmax);
        return iterate();
    }

    // One pass of torch's `while n_iter < max_iter` body, up to the first evaluation it needs.
    TorchTask iterate() {
        // Allocate what this iteration may need before changing anything (bad_alloc leaves the
        // state as the last iteration left it).
        if (n_iter >= 1) {
            const std::int64_t pos = len == opt.history_size ? head : ring(len);
            if (hist_y[pos].empty()) hist_y[pos].allocate(n);
            if (hist_s[pos].empty()) hist_s[pos].allocate(n);
        }
        phase = Phase::Idle;
        ++step_iter;
        ++n_iter;
        double* gv = g();
        if (n_iter == 1) {
            for (std::int64_t i = 0; i < n; ++i) d.data()[i] = -gv[i];
            len = 0;
            head = 0;
            h_diag = 1.0;
        } else {
            update_history(gv);
            two_loop(gv);
        }
        blas::copy(n, gv, prev_grad.data());
        prev_loss = loss;
        if (n_iter == 1) {
            const double inv_l1 = 1.0 / sum_abs(n, gv);
            t = py_min(1.0, inv_l1) * opt.learning_rate;
        } else {
            t = opt.learning_rate;
        }
        gtd = blas::dot(n, gv, d.data());
        if (gtd > -opt.tolerance_change) return finish(TorchStop::DirectionalDerivative, gtd);

        blas::copy(n, x, x_init.data());
        if (opt.line_search == TorchLineSearch::StrongWolfe) return line_search_begin();
        blas::axpy(n, t, d.data(), x);
        if (step_iter != opt.max_iter) return request_evaluation(Phase::FixedStep);
        return after_iteration();
    }

    // y = g - prev_flat_grad, s = d t; the pair joins the history when y.s > 1e-10.
    void update_history(const double* gv) {
        double* y = y_new.data();
        double* s = s_new.data();
        blas::copy(n, gv, y);
        blas::axpy(n, -1.0, prev_grad.data(), y);
        blas::copy(n, d.data(), s);
        blas::scal(n, t, s);
        const double ys = blas::dot(n, y, s);
        if (ys > kCurvatureThreshold) {
            std::int64_t pos;
            if (len == opt.history_size) {
                pos = head;  // drop the oldest pair
                head = (head + 1) % opt.history_size;
            } else {
                pos = ring(len);
                ++len;
            }
            std::swap(hist_y[pos], y_new);
            std::swap(hist_s[pos], s_new);
            if (y_new.empty()) y_new.allocate(n);  // never: iterate() allocated the column
            if (s_new.empty()) s_new.allocate(n);
            rho[pos] = 1.0 / ys;
            h_diag = ys / blas::dot(n, hist_y[pos].data(), hist_y[pos].data());
        }
    }

    // d = -H g by the two-loop recursion (torch's "collapsed to one buffer" form).
    void two_loop(const double* gv) {
        double* q = d.data();
        for (std::int64_t i = 0; i < n; ++i) q[i] = -gv[i];
        for (std::int64_t k = len - 1; k >= 0; --k) {
            const std::int64_t p = ring(k);
            al[k] = blas::dot(n, hist_s[p].data(), q) * rho[p];
            blas::axpy(n, -al[k], hist_y[p].data(), q);
        }
        blas::scal(n, h_diag, q);
        for (std::int64_t k = 0; k < len; ++k) {
            const std::int64_t p = ring(k);
            const double be = blas::dot(n, hist_y[p].data(), q) * rho[p];
            blas::axpy(n, al[k] - be, hist_s[p].data(), q);
        }
    }

    TorchTask on_fixed_step(double f) {
        const double gmax = max_abs(n, eval_grad.data());
        if (!std::isfinite(f) || !std::isfinite(gmax)) {
            roll_back_iteration();
            return finish(TorchStop::NonFinite, std::isfinite(f) ? gmax : f);
        }
        loss = f;
        blas::copy(n, eval_grad.data(), g());
        opt_cond = gmax <= opt.tolerance_grad;
        return after_iteration();
    }

    // torch's checks at the end of an iteration, in its order.
    TorchTask after_iteration() {
        phase = Phase::Idle;
        if (step_iter == opt.max_iter) return finish(TorchStop::MaxIter, static_cast<double>(step_iter));
        if (step_evals >= opt.max_eval) return finish(TorchStop::MaxEval, static_cast<double>(step_evals));
        if (opt_cond) return finish(TorchStop::GradientTolerance, max_abs(n, g()));
        const double dt = max_abs_scaled(n, d.data(), t);
        if (dt <= opt.tolerance_change) return finish(TorchStop::StepTolerance, dt);
        const double change = std::fabs(loss - prev_loss);
        if (change < opt.tolerance_change) return finish(TorchStop::LossChangeTolerance, change);
        return iterate();
    }

    // ---- _strong_wolfe ----

    // Trial point x_init + t d (torch: _add_grad on params reset to x).
    void move_to(double step) {
        blas::copy(n, x_init.data(), x);
        blas::axpy(n, step, d.data(), x);
    }

    // A slot other than the given ones (there are three; at most two are ever excluded).
    int free_slot(int a, int b) const {
        for (int s = 0; s < 3; ++s)
            if (s != a && s != b) return s;
        return -2;  // unreachable
    }

    TorchTask line_search_begin() {
        d_norm = max_abs(n, d.data());
        ls_f = loss;
        ls_gtd = gtd;
        max_ls = opt.max_eval - step_evals;
        t_prev = 0.0;
        f_prev = ls_f;
        g_prev_slot = g_slot;
        gtd_prev = ls_gtd;
        done = false;
        ls_iter = 0;
        move_to(t);
        return request_evaluation(Phase::Bracket);
    }

    // Reads f_new and gtd_new; false (after rolling back) when they are not finite.
    bool read_trial(double f) {
        f_new = f;
        gtd_new = blas::dot(n, eval_grad.data(), d.data());
        return std::isfinite(f_new) && std::isfinite(gtd_new);
    }

    TorchTask non_finite_trial() {
        const double value = std::isfinite(f_new) ? gtd_new : f_new;
        roll_back_iteration();
        return finish(TorchStop::NonFinite, value);
    }

    void bracket_with_prev() {
        bracket_size = 2;
        br_t[0] = t_prev;
        br_f[0] = f_prev;
        br_gtd[0] = gtd_prev;
        br_slot[0] = g_prev_slot;
        br_t[1] = t;
        br_f[1] = f_new;
        br_gtd[1] = gtd_new;
        br_slot[1] = free_slot(g_slot, g_prev_slot);
        blas::copy(n, eval_grad.data(), slot[br_slot[1]].data());
    }

    TorchTask on_bracket_evaluation(double f) {
        if (!read_trial(f)) return non_finite_trial();
        if (ls_iter < max_ls) {
            if (f_new > ls_f + kC1 * t * ls_gtd || (ls_iter > 1 && f_new >= f_prev)) {
                bracket_with_prev();
                return zoom_begin();
            }
            if (std::fabs(gtd_new) <= -kC2 * ls_gtd) {
                bracket_size = 1;
                br_t[0] = t;
                br_f[0] = f_new;
                br_slot[0] = kEvalSlot;
                done = true;
                return zoom_begin();
            }
            if (gtd_new >= 0.0) {
                bracket_with_prev();
                return zoom_begin();
            }
            // Extrapolate: the cubic's minimizer within [t + 0.01 (t - t_prev), 10 t].
            const double min_step = t + 0.01 * (t - t_prev);
            const double max_step = t * 10.0;
            const double tmp = t;
            t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step);
            t_prev = tmp;
            f_prev = f_new;
            g_prev_slot = g_prev_slot == g_slot ? free_slot(g_slot, g_slot) : g_prev_slot;
            blas::copy(n, eval_grad.data(), slot[g_prev_slot].data());
            gtd_prev = gtd_new;
            ++ls_iter;
            move_to(t);
            return request_evaluation(Phase::Bracket);
        }
        // The budget ran out while bracketing: torch's bracket [0, t] (no gtd: zoom cannot run).
        bracket_size = 2;
        br_t[0] = 0.0;
        br_f[0] = ls_f;
        br_slot[0] = g_slot;
        br_t[1] = t;
        br_f[1] = f_new;
        br_slot[1] = kEvalSlot;
        return zoom_begin();
    }

    void order_bracket() {
        if (br_f[0] <= br_f[bracket_size - 1]) {
            low = 0;
            high = 1;
        } else {
            low = 1;
            high = 0;
        }
    }

    TorchTask zoom_begin() {
        insuf_progress = false;
        order_bracket();
        return zoom_next();
    }

    TorchTask zoom_next() {
        if (done || ls_iter >= max_ls) return line_search_end();
        if (std::fabs(br_t[1] - br_t[0]) * d_norm < kBracketTolerance) return line_search_end();
        t = cubic_interpolate(br_t[0], br_f[0], br_gtd[0], br_t[1], br_f[1], br_gtd[1],
                              br_t[0] <= br_t[1] ? br_t[0] : br_t[1], br_t[0] <= br_t[1] ? br_t[1] : br_t[0]);
        const double b_max = py_max(br_t[0], br_t[1]);
        const double b_min = py_min(br_t[0], br_t[1]);
        const double eps = 0.1 * (b_max - b_min);
        if (py_min(b_max - t, t - b_min) < eps) {
            // Too close to an end: after an earlier such try, or when on or outside an end, move
            // 0.1 of the width inside.
            if (insuf_progress || t >= b_max || t <= b_min) {
                t = std::fabs(t - b_max) < std::fabs(t - b_min) ? b_max - eps : b_min + eps;
                insuf_progress = false;
            } else {
                insuf_progress = true;
            }
        } else {
            insuf_progress = false;
        }
        ++ls_iter;
        move_to(t);
        return request_evaluation(Phase::Zoom);
    }

    TorchTask on_zoom_evaluation(double f) {
        if (!read_trial(f)) return non_finite_trial();
        if (f_new > ls_f + kC1 * t * ls_gtd || f_new >= br_f[low]) {
            // Not sufficient decrease, or not below the low end: the trial becomes the high end.
            br_t[high] = t;
            br_f[high] = f_new;
            blas::copy(n, eval_grad.data(), slot[br_slot[high]].data());
            br_gtd[high] = gtd_new;
            order_bracket();
        } else {
            if (std::fabs(gtd_new) <= -kC2 * ls_gtd) {
                done = true;
            } else if (gtd_new * (br_t[high] - br_t[low]) >= 0.0) {
                // The old low end becomes the high end (its gradient slot moves with it).
                br_t[high] = br_t[low];
                br_f[high] = br_f[low];
                br_gtd[high] = br_gtd[low];
                std::swap(br_slot[high], br_slot[low]);
            }
            // The trial becomes the low end.
            br_t[low] = t;
            br_f[low] = f_new;
            blas::copy(n, eval_grad.data(), slot[br_slot[low]].data());
            br_gtd[low] = gtd_new;
        }
        return zoom_next();
    }

    TorchTask line_search_end() {
        t = br_t[low];
        loss = br_f[low];
        const int s = br_slot[low];
        if (s == kEvalSlot) {
            blas::copy(n, eval_grad.data(), g());
        } else {
            g_slot = s;
        }
        move_to(t);
        opt_cond = max_abs(n, g()) <= opt.tolerance_grad;
        return after_iteration();
    }

    // ---- state ----

    std::size_t state_bytes() const {
        const std::size_t vec = static_cast<std::size_t>(n) * 8;
        return kHeaderBytes + 2 * vec + static_cast<std::size_t>(len) * (8 + 2 * vec);
    }

    void save(std::uint8_t* out) const {
        Writer w(out);
        w.bytes(kMagic, 8);
        w.u32(kFormatVersion);
        w.u32(0);
        w.i64(n);
        w.i64(opt.history_size);
        w.i64(n_iter);
        w.i64(func_evals);
        w.f64(t);
        w.f64(h_diag);
        w.f64(prev_loss);
        w.i64(len);
        w.f64s(d.data(), n);
        w.f64s(prev_grad.data(), n);
        for (std::int64_t k = 0; k < len; ++k) {
            const std::int64_t p = ring(k);
            w.f64(rho[p]);
            w.f64s(hist_y[p].data(), n);
            w.f64s(hist_s[p].data(), n);
        }
    }

    void load(const std::uint8_t* in, std::size_t length) {
        if (task == TorchTask::Evaluate) throw std::logic_error("load_state: a step is in progress");
        auto fail = [](const std::string& what) { throw std::invalid_argument("load_state: " + what); };
        if (in == nullptr || length < kHeaderBytes)
            fail(std::to_string(length) + " bytes: shorter than the " + std::to_string(kHeaderBytes) + "-byte header");
        if (std::memcmp(in, kMagic, 8) != 0) fail("not a TorchLbfgs state (bad magic)");
        Reader r(in + 8);
        const std::uint32_t version = r.u32();
        if (version != kFormatVersion)
            fail("format version " + std::to_string(version) + ": this build reads version " +
                 std::to_string(kFormatVersion));
        r.u32();
        const std::int64_t sn = r.i64(), sm = r.i64(), s_iter = r.i64(), s_evals = r.i64();
        const double st = r.f64(), sh = r.f64(), sprev = r.f64();
        const std::int64_t slen = r.i64();
        if (sn != n) fail("n = " + std::to_string(sn) + " in the state, " + std::to_string(n) + " here: must be equal");
        if (sm != opt.history_size)
            fail("history_size = " + std::to_string(sm) + " in the state, " + std::to_string(opt.history_size) +
                 " here: must be equal");
        if (s_iter < 0 || s_evals < 0) fail("negative n_iter or func_evals");
        if (slen < 0 || slen > sm) fail("history length " + std::to_string(slen) + ": must be in [0, history_size]");
        if (s_iter == 0 && slen != 0) fail("a history before the first iteration");
        const std::size_t vec = static_cast<std::size_t>(n) * 8;
        const std::size_t expected = kHeaderBytes + 2 * vec + static_cast<std::size_t>(slen) * (8 + 2 * vec);
        if (length != expected)
            fail(std::to_string(length) + " bytes: a state with n = " + std::to_string(n) + " and " +
                 std::to_string(slen) + " pairs has " + std::to_string(expected));
        // Allocate first, then commit: a failure changes nothing.
        std::vector<Vec> ny(static_cast<std::size_t>(sm)), ns(static_cast<std::size_t>(sm));
        std::vector<double> nrho(static_cast<std::size_t>(sm), 0.0);
        for (std::int64_t k = 0; k < slen; ++k) {
            ny[k].allocate(n);
            ns[k].allocate(n);
        }
        Vec nd(n), nprev(n);
        r.f64s(nd.data(), n);
        r.f64s(nprev.data(), n);
        for (std::int64_t k = 0; k < slen; ++k) {
            nrho[k] = r.f64();
            r.f64s(ny[k].data(), n);
            r.f64s(ns[k].data(), n);
        }
        hist_y.swap(ny);
        hist_s.swap(ns);
        rho.swap(nrho);
        std::swap(d, nd);
        std::swap(prev_grad, nprev);
        head = 0;
        len = slen;
        n_iter = s_iter;
        func_evals = s_evals;
        t = st;
        h_diag = sh;
        prev_loss = sprev;
        stop = TorchStop::None;
        stop_value = kNaN;
        phase = Phase::Idle;
        task = TorchTask::Done;
    }
};

TorchLbfgs::TorchLbfgs(std::int64_t n, const TorchLbfgsOptions& options, double* params) {
    validate(n, options, params);
    s_ = std::make_unique<Impl>(n, options, params);
}

TorchLbfgs::~TorchLbfgs() = default;

std::int64_t TorchLbfgs::size() const { return s_->n; }
const TorchLbfgsOptions& TorchLbfgs::options() const { return s_->opt; }
double* TorchLbfgs::params() { return s_->x; }
double* TorchLbfgs::gradient() { return s_->eval_grad.data(); }

TorchTask TorchLbfgs::begin_step() { return s_->begin(); }
TorchTask TorchLbfgs::submit(double loss) { return s_->submit(loss); }
void TorchLbfgs::abort_step() { s_->abort(); }

TorchTask TorchLbfgs::task() const { return s_->task; }
TorchStop TorchLbfgs::stop() const { return s_->stop; }
double TorchLbfgs::stop_value() const { return s_->stop_value; }
double TorchLbfgs::initial_loss() const { return s_->orig_loss; }
std::int64_t TorchLbfgs::step_iterations() const { return s_->step_iter; }
std::int64_t TorchLbfgs::step_evaluations() const { return s_->step_evals; }

std::int64_t TorchLbfgs::n_iter() const { return s_->n_iter; }
std::int64_t TorchLbfgs::func_evals() const { return s_->func_evals; }
double TorchLbfgs::t() const { return s_->t; }
double TorchLbfgs::h_diag() const { return s_->h_diag; }
double TorchLbfgs::prev_loss() const { return s_->prev_loss; }
const double* TorchLbfgs::direction() const { return s_->d.data(); }
const double* TorchLbfgs::prev_flat_grad() const { return s_->prev_grad.data(); }
std::int64_t TorchLbfgs::history_length() const { return s_->len; }

namespace {
void check_pair(std::int64_t k, std::int64_t len) {
    if (k < 0 || k >= len)
        throw std::out_of_range("pair " + std::to_string(k) + ": must be in [0, " + std::to_string(len) + ")");
}
}  // namespace

const double* TorchLbfgs::history_s(std::int64_t k) const {
    check_pair(k, s_->len);
    return s_->hist_s[s_->ring(k)].data();
}
const double* TorchLbfgs::history_y(std::int64_t k) const {
    check_pair(k, s_->len);
    return s_->hist_y[s_->ring(k)].data();
}
double TorchLbfgs::history_rho(std::int64_t k) const {
    check_pair(k, s_->len);
    return s_->rho[s_->ring(k)];
}

std::size_t TorchLbfgs::state_size() const { return s_->state_bytes(); }
void TorchLbfgs::save_state(std::uint8_t* out) const {
    if (s_->task == TorchTask::Evaluate) throw std::logic_error("save_state: a step is in progress");
    s_->save(out);
}
void TorchLbfgs::load_state(const std::uint8_t* in, std::size_t length) { s_->load(in, length); }

}  // namespace lbfgsb
