// The reverse-communication driver: ports mainlb, lnsrlb and errclb of L-BFGS-B 3.0 as SciPy
// (>= 1.15) runs them, with SciPy's Python-loop limits (maxiter, maxfun) and messages.
// Deliberate deviations: the result's f is f(x) after ABNORMAL (SciPy returns the last trial f);
// a non-finite f or gradient at x0 stops with NonFinite, and a non-finite trial in the line search
// counts as a line-search failure, so a run never converges on NaN; max_iterations = 0 evaluates
// x0 only (SciPy still iterates once).
#include "lbfgsb/minimizer.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "blas.hpp"
#include "fast.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

namespace {

constexpr double kEpsMach = 2.220446049250313e-16;

const char* const kMsgConvergedGradient = "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL";
const char* const kMsgConvergedReduction = "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH";
const char* const kMsgMaxEvaluations = "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT";
const char* const kMsgMaxIterations = "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT";
const char* const kMsgStopped = "STOP: CALLBACK REQUESTED HALT";
const char* const kMsgAbnormal = "ABNORMAL: ";
const char* const kMsgNonFinite = "ABNORMAL: F OR GRADIENT IS NOT FINITE AT THE STARTING POINT";
const char* const kMsgNoFeasible = "ERROR: NO FEASIBLE SOLUTION";
const char* const kMsgInvalidBounds = "ERROR: INVALID NBD";
const char* const kMsgTarget = "CONVERGENCE: F <= TARGET";
const char* const kMsgTimeLimit = "STOP: TIME LIMIT REACHED";
const char* const kMsgCancelled = "STOP: CANCELLED";
const char* const kMsgRunning = "";

// Largest history the 32-bit LAPACK interface can address (2m x 2m matrices).
constexpr std::int64_t kMaxHistory = 23170;

void validate(std::int64_t n, const Options& o) {
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (n <= 0) fail("n = " + std::to_string(n) + ": must be > 0");
    if (o.history_size <= 0 || o.history_size > kMaxHistory)
        fail("history_size = " + std::to_string(o.history_size) + ": must be in [1, 23170]");
    if (!(o.relative_reduction_tolerance >= 0.0) || !std::isfinite(o.relative_reduction_tolerance))
        fail("relative_reduction_tolerance = " + std::to_string(o.relative_reduction_tolerance) +
             ": must be finite and >= 0");
    if (!(o.projected_gradient_tolerance >= 0.0) || !std::isfinite(o.projected_gradient_tolerance))
        fail("projected_gradient_tolerance = " + std::to_string(o.projected_gradient_tolerance) +
             ": must be finite and >= 0");
    if (o.max_iterations < 0) fail("max_iterations = " + std::to_string(o.max_iterations) + ": must be >= 0");
    if (o.max_evaluations < 1) fail("max_evaluations = " + std::to_string(o.max_evaluations) + ": must be >= 1");
    if (o.max_line_search_steps <= 0)
        fail("max_line_search_steps = " + std::to_string(o.max_line_search_steps) + ": must be > 0");
    const double c1 = o.line_search_sufficient_decrease, c2 = o.line_search_curvature;
    if (!(c1 > 0.0 && c1 < c2 && c2 < 1.0))
        fail("line_search_sufficient_decrease = " + std::to_string(c1) + ", line_search_curvature = " +
             std::to_string(c2) + ": must satisfy 0 < c1 < c2 < 1");
    if (!(o.line_search_step_tolerance >= 0.0) || !std::isfinite(o.line_search_step_tolerance))
        fail("line_search_step_tolerance = " + std::to_string(o.line_search_step_tolerance) + ": must be finite and >= 0");
    if (!(o.line_search_max_step > 0.0))
        fail("line_search_max_step = " + std::to_string(o.line_search_max_step) + ": must be > 0");
    if (!(o.curvature_pair_threshold >= 0.0) || !std::isfinite(o.curvature_pair_threshold))
        fail("curvature_pair_threshold = " + std::to_string(o.curvature_pair_threshold) + ": must be finite and >= 0");
    if (std::isnan(o.target_value)) fail("target_value = NaN: must not be NaN");
    if (o.max_non_finite_backtracks < 0)
        fail("max_non_finite_backtracks = " + std::to_string(o.max_non_finite_backtracks) + ": must be >= 0");
    const int a = static_cast<int>(o.arithmetic);
    if (a != static_cast<int>(Arithmetic::Reference) && a != static_cast<int>(Arithmetic::Fast))
        fail("arithmetic = " + std::to_string(a) + ": must be 0 (Reference) or 1 (Fast)");
    if (o.threads < 1 || o.threads > 256) fail("threads = " + std::to_string(o.threads) + ": must be in [1, 256]");
}

}  // namespace

Minimizer::State::State(std::int64_t n_, const Options& o, double* external_x)
    : n(n_), m(static_cast<int>(o.history_size)), opt(o) {
    const std::int64_t mm = static_cast<std::int64_t>(m) * m;
    if (external_x != nullptr) {
        x.adopt(external_x, n);
    } else {
        x.reset(n);
        for (std::int64_t i = 0; i < n; ++i) x[i] = 0.0;
    }
    g.reset(n);
    l.reset(n);
    u.reset(n);
    nbd.reset(n);
    iwhere.reset(n);
    ws.reset(n * m);
    wy.reset(n * m);
    sy.reset(mm);
    ss.reset(mm);
    wt.reset(mm);
    wn.reset(4 * mm);
    snd.reset(4 * mm);
    z.reset(n);
    r.reset(n);
    d.reset(n);
    t.reset(n);
    xp.reset(n);
    wa.reset(8 * m);
    index.reset(n);
    indx2.reset(n);
    const double inf = std::numeric_limits<double>::infinity();
    for (std::int64_t i = 0; i < n; ++i) {
        g[i] = 0.0;
        l[i] = -inf;
        u[i] = inf;
    }
    std::memset(sy.data(), 0, sizeof(double) * mm);
    std::memset(ss.data(), 0, sizeof(double) * mm);
    std::memset(wt.data(), 0, sizeof(double) * mm);
    std::memset(wn.data(), 0, sizeof(double) * 4 * mm);
    std::memset(snd.data(), 0, sizeof(double) * 4 * mm);
    std::memset(wa.data(), 0, sizeof(double) * 8 * m);
    message = kMsgRunning;
}

const double* const* Minimizer::State::history_columns() {
    if (wcols_head == head && wcols_col == col && !wcols.empty()) return wcols.data();
    wcols.resize(2 * static_cast<std::size_t>(m));
    wcols_head = head;
    wcols_col = col;
    int pointr = head;
    for (int j = 0; j < col; ++j) {
        wcols[j] = wy.data() + static_cast<std::size_t>(pointr) * n;
        wcols[col + j] = ws.data() + static_cast<std::size_t>(pointr) * n;
        pointr = (pointr + 1) % m;
    }
    return wcols.data();
}

const char* status_message(Status status) {
    switch (status) {
        case Status::Running: return kMsgRunning;
        case Status::ConvergedProjectedGradient: return kMsgConvergedGradient;
        case Status::ConvergedRelativeReduction: return kMsgConvergedReduction;
        case Status::MaxIterations: return kMsgMaxIterations;
        case Status::MaxEvaluations: return kMsgMaxEvaluations;
        case Status::StoppedByUser: return kMsgStopped;
        case Status::AbnormalLineSearch: return kMsgAbnormal;
        case Status::NonFinite: return kMsgNonFinite;
        case Status::InvalidInput: return kMsgNoFeasible;
        case Status::AbortedByObjective: return kMsgRunning;
        case Status::TargetReached: return kMsgTarget;
        case Status::TimeLimit: return kMsgTimeLimit;
        case Status::Cancelled: return kMsgCancelled;
    }
    return kMsgRunning;
}

Task Minimizer::State::finish(Status st, const char* msg) {
    status = st;
    message = msg;
    phase = Phase::Finished;
    task = Task::Done;
    return task;
}

void Minimizer::State::reset_memory() {
    update_pending = false;
    direction_ready = false;
    info = 0;
    col = 0;
    head = 0;
    theta = 1.0;
    iupdat = 0;
    updatd = false;
}

// Label 222 of mainlb: generalized Cauchy point, subspace minimisation, then the line search.
// A singular or indefinite factorisation discards the memory and starts the iteration again.
Task Minimizer::State::begin_iteration() {
    const bool fast_mode = fast::enabled(*this);
    for (;;) {
        iword = -1;
        // Fast: the last update's products and formt ride on this iteration's first pass over
        // the history (cauchy's when bounded, the reduced gradient's when not); alone otherwise.
        if (update_pending && !(cnstnd ? sbgnrm > 0.0 : col > 0) && fast::finish_update_alone(*this) != 0) {
            reset_memory();
            continue;
        }
        if (!cnstnd && col > 0) {
            // Unconstrained with memory: the subspace step starts from x itself (Fast: the
            // subspace pass writes z = x + step directly).
            if (!fast_mode) std::memcpy(z.data(), x.data(), sizeof(double) * n);
            wrk = updatd;
            nseg = 0;
        } else {
            if (cauchy(*this) != 0) {
                reset_memory();
                continue;
            }
            nintol += nseg;
            freev(*this);
            nact = n - nfree;
        }
        if (nfree != 0 && col != 0) {
            if (fast_mode && fast::dense_free_set(*this)) {
                // Bounded, cauchy's pass has usually done this pass's work (W'Zq from its p, the
                // new pair's products over the previous free set, corrected by formk).
                const bool from_cauchy = cnstnd && fast_from_cauchy;
                info = from_cauchy ? fast::reduced_gradient_from_cauchy(*this) : fast::reduced_gradient_pass(*this);
                if (info == 0 && wrk) info = formk(*this, updatd ? fast_new_column.data() : nullptr, from_cauchy);
                if (info == 0) fast::complete_reduced_gradient(*this);
                if (info == 0) info = fast::subsm(*this);
                if (info != 0) {
                    reset_memory();
                    continue;
                }
                return begin_line_search();
            }
            if (update_pending && fast::finish_update_alone(*this) != 0) {
                reset_memory();
                continue;
            }
            if (wrk) info = formk(*this);
            if (info != 0) {
                reset_memory();
                continue;
            }
            info = cmprlb(*this);
            if (info == 0) info = subsm(*this);
            if (info != 0) {
                reset_memory();
                continue;
            }
        }
        if (update_pending && fast::finish_update_alone(*this) != 0) {
            reset_memory();
            continue;
        }
        return begin_line_search();
    }
}

// Label 555 and the first half of lnsrlb: d = z - x, the largest feasible step and the first trial.
Task Minimizer::State::begin_line_search() {
    const bool step_to_bounds = cnstnd && iter != 0;
    stpmx = opt.line_search_max_step;
    if (fast::enabled(*this)) {  // one pass: direction, step to the bounds, t = x, r = g, g'd
        if (direction_ready) {
            // The subspace pass did it all (d, dtd, t, r, gd, and bounded the step to the box).
            direction_ready = false;
            if (cnstnd) stpmx = fast_ready_stpmx;
        } else {
            const fast::LineSearchStart start = fast::line_search_start(*this, step_to_bounds, stpmx);
            dtd = start.dtd;
            stpmx = start.stpmx;
            gd = start.gd;
        }
        dnorm = std::sqrt(dtd);
    } else {
        double* dd = d.data();
        const double* xx = x.data();
        const double* zz = z.data();
        for (std::int64_t i = 0; i < n; ++i) dd[i] = zz[i] - xx[i];
        dnorm = blas::nrm2(n, dd);
        dtd = dnorm * dnorm;
        if (step_to_bounds) {
            const double* ll = l.data();
            const double* uu = u.data();
            const std::int8_t* b = nbd.data();
            for (std::int64_t i = 0; i < n; ++i) stpmx = step_to_bound(stpmx, dd[i], b[i], xx[i], ll[i], uu[i]);
        }
        std::memcpy(t.data(), x.data(), sizeof(double) * n);
        std::memcpy(r.data(), g.data(), sizeof(double) * n);
        gd = blas::dot(n, g.data(), d.data());
    }
    if (cnstnd && iter == 0) stpmx = 1.0;
    stp = (iter == 0 && !boxed) ? kernels::min_num(1.0 / dnorm, stpmx) : 1.0;
    fold = f;
    ifun = 0;
    iback = 0;
    ls.task = kLsStart;
    nonfinite_backtracks = 0;
    have_best = false;
    best_f = fold;
    return line_search_step();
}

// Label 556 of lnsrlb and label 666 of mainlb: feed f and g'd at the trial to dcsrch; ask for
// the next trial, accept the iterate, or fail.
Task Minimizer::State::continue_line_search() {
    gd = fast::enabled(*this) ? fast::dot(n, g.data(), d.data()) : blas::dot(n, g.data(), d.data());
    return line_search_step();
}

// The rest of label 556, with g'd at the current trial in gd.
Task Minimizer::State::line_search_step() {
    if (ifun == 0) {
        gdold = gd;
        if (gd >= 0.0) {
            info = -4;  // not a descent direction
            return line_search_failed();
        }
        if (!std::isfinite(gd)) {
            info = -11;  // overflow in the direction: SciPy would go on and evaluate f at NaN
            return line_search_failed();
        }
    } else if (!std::isfinite(f) || !std::isfinite(gd)) {
        // A non-finite trial (SciPy has no such test): halve the step and search again from the
        // last iterate, a bounded number of times.
        if (nonfinite_backtracks >= opt.max_non_finite_backtracks) {
            info = -10;
            return line_search_failed();
        }
        ++nonfinite_backtracks;
        stp = 0.5 * stp;
        ls.task = kLsStart;
        dcsrch(ls, fold, gdold, stp, opt.line_search_sufficient_decrease, opt.line_search_curvature,
               opt.line_search_step_tolerance, 0.0, stpmx);
        return request_trial();
    } else if (opt.track_best_point && f < best_f) {
        best_f = f;
        best_stp = stp;
        have_best = true;
        std::memcpy(xp.data(), g.data(), sizeof(double) * n);
    }
    dcsrch(ls, f, gd, stp, opt.line_search_sufficient_decrease, opt.line_search_curvature,
           opt.line_search_step_tolerance, 0.0, stpmx);
    xstep = stp * dnorm;
    if (ls.task != kLsConvergence && ls.task != kLsWarning) return request_trial();
    // The line search accepted stp: a new iterate.
    ++iter;
    ++iterations;
    sbgnrm = projgr(*this);
    phase = Phase::NewIterate;
    task = Task::NewIterate;
    return task;
}

// lnsrlb's request for f and g at the step dcsrch chose (failure once maxls is used up).
Task Minimizer::State::request_trial() {
    ++ifun;
    ++nfgv;
    iback = ifun - 1;
    if (iback >= opt.max_line_search_steps) return line_search_failed();
    set_trial_point();
    phase = Phase::LineSearchEvaluation;
    task = Task::Evaluate;
    return task;
}

// x = z when stp = 1, else t + stp d clipped to the box (lnsrlb).
void Minimizer::State::set_trial_point() {
    double* xx = x.data();
    if (stp == 1.0) {
        std::memcpy(xx, z.data(), sizeof(double) * n);
        return;
    }
    const double* dd = d.data();
    const double* tt = t.data();
    const double* ll = l.data();
    const double* uu = u.data();
    const std::int8_t* b = nbd.data();
    const double st = stp;
    for (std::int64_t i = 0; i < n; ++i) {
        double xi = st * dd[i] + tt[i];
        // Keep rounding from stepping over a bound (SciPy gh-10919).
        if (b[i] == kLowerOnly || b[i] == kBoth) xi = kernels::max_num(xi, ll[i]);
        if (b[i] == kBoth || b[i] == kUpperOnly) xi = kernels::min_num(xi, uu[i]);
        xx[i] = xi;
    }
}

// mainlb after a failed line search: restore the previous iterate; stop ABNORMAL if the memory
// was already empty, otherwise discard it and restart from the steepest-descent Cauchy step.
Task Minimizer::State::line_search_failed() {
    std::memcpy(x.data(), t.data(), sizeof(double) * n);
    std::memcpy(g.data(), r.data(), sizeof(double) * n);
    f = fold;
    if (col == 0) {
        if (info == 0) {
            info = -9;
            --nfgv;
            --ifun;
            --iback;
        }
        ++iter;
        return finish(Status::AbnormalLineSearch, kMsgAbnormal);
    }
    if (info == 0) --nfgv;
    reset_memory();
    return begin_iteration();
}

// Label 777 of mainlb after the termination tests: form s and y, update the compact matrices
// unless the curvature s'y is too small, and go on to the next iteration.
Task Minimizer::State::update_and_continue() {
    if (fast::enabled(*this)) {
        // The same test on s'y (it needs no vectors); y and s are formed only for a stored pair.
        const double dr = stp == 1.0 ? gd - gdold : (gd - gdold) * stp;
        const double ddum = stp == 1.0 ? -gdold : -gdold * stp;
        if (dr <= opt.curvature_pair_threshold * ddum) {
            ++nskip;
            updatd = false;
            return begin_iteration();
        }
        updatd = true;
        ++iupdat;
        fast::store_pair(*this, dr);
        return begin_iteration();
    }
    double* rr_ = r.data();
    const double* gg = g.data();
    for (std::int64_t i = 0; i < n; ++i) rr_[i] = gg[i] - rr_[i];
    const double rnorm = blas::nrm2(n, rr_);
    const double rr = rnorm * rnorm;
    double dr, ddum;
    if (stp == 1.0) {
        dr = gd - gdold;
        ddum = -gdold;
    } else {
        dr = (gd - gdold) * stp;
        blas::scal(n, stp, d.data());
        ddum = -gdold * stp;
    }
    if (dr <= opt.curvature_pair_threshold * ddum) {
        // Skip the L-BFGS update.
        ++nskip;
        updatd = false;
        return begin_iteration();
    }
    updatd = true;
    ++iupdat;
    matupd(*this, rr, dr);
    if (formt(*this) != 0) reset_memory();
    return begin_iteration();
}

// ---- public API ----

Minimizer::Minimizer(std::int64_t n, const Options& options) : Minimizer(n, options, nullptr) {}

Minimizer::Minimizer(std::int64_t n, const Options& options, double* x) {
    validate(n, options);
    s_.reset(new State(n, options, x));
}

Minimizer::~Minimizer() = default;

std::int64_t Minimizer::size() const { return s_->n; }
const Options& Minimizer::options() const { return s_->opt; }
double* Minimizer::x() { return s_->x.data(); }
double* Minimizer::gradient() { return s_->g.data(); }
double* Minimizer::lower() { return s_->l.data(); }
double* Minimizer::upper() { return s_->u.data(); }

// errclb, nbd from the bounds, active (projection of x0), then the first evaluation.
Task Minimizer::start() {
    State& s = *s_;
    if (s.phase != Phase::NotStarted) throw std::logic_error("start() called twice");
    const std::int64_t n = s.n;
    const double* l = s.l.data();
    const double* u = s.u.data();
    std::int8_t* nbd = s.nbd.data();
    for (std::int64_t i = 0; i < n; ++i) {
        if (std::isnan(l[i]) || std::isnan(u[i]) || l[i] == std::numeric_limits<double>::infinity() ||
            u[i] == -std::numeric_limits<double>::infinity()) {
            return s.finish(Status::InvalidInput, kMsgInvalidBounds);
        }
        const bool has_l = std::isfinite(l[i]);
        const bool has_u = std::isfinite(u[i]);
        nbd[i] = has_l ? (has_u ? kBoth : kLowerOnly) : (has_u ? kUpperOnly : kUnbounded);
        if (has_l && has_u && l[i] > u[i]) return s.finish(Status::InvalidInput, kMsgNoFeasible);
    }
    // SciPy: factr = ftol / eps, tol = factr * epsmch.
    s.tol = (s.opt.relative_reduction_tolerance / kEpsMach) * kEpsMach;
    s.reset_memory();
    s.iback = s.itail = 0;
    s.iword = 0;
    s.nact = s.ileave = s.nenter = 0;
    s.fold = s.dnorm = s.gd = s.sbgnrm = s.stp = s.gdold = s.dtd = 0.0;
    s.iter = s.nfgv = s.nseg = s.nintol = s.nskip = s.ifun = 0;
    s.nfree = n;
    active(s);
    s.phase = Phase::FirstEvaluation;
    s.task = Task::Evaluate;
    return s.task;
}

Task Minimizer::submit(double f) {
    State& s = *s_;
    s.f = f;
    if (s.phase == Phase::FirstEvaluation) {
        ++s.evaluations;
        s.nfgv = 1;
        bool finite = std::isfinite(f);
        const double* g = s.g.data();
        for (std::int64_t i = 0; finite && i < s.n; ++i) finite = std::isfinite(g[i]);
        if (!finite) return s.finish(Status::NonFinite, kMsgNonFinite);
        s.sbgnrm = projgr(s);
        if (s.sbgnrm <= s.opt.projected_gradient_tolerance)
            return s.finish(Status::ConvergedProjectedGradient, kMsgConvergedGradient);
        if (f <= s.opt.target_value) return s.finish(Status::TargetReached, kMsgTarget);
        if (s.opt.max_iterations == 0) return s.finish(Status::MaxIterations, kMsgMaxIterations);
        return s.begin_iteration();
    }
    if (s.phase == Phase::LineSearchEvaluation) {
        ++s.evaluations;
        return s.continue_line_search();
    }
    throw std::logic_error("submit() called when no evaluation was requested");
}

Task Minimizer::proceed() {
    State& s = *s_;
    if (s.phase != Phase::NewIterate) throw std::logic_error("proceed() called without a new iterate");
    // SciPy's loop: the callback's stop, overridden by maxiter, then by maxfun.
    if (s.iterations >= s.opt.max_iterations) return s.finish(Status::MaxIterations, kMsgMaxIterations);
    if (s.evaluations > s.opt.max_evaluations) return s.finish(Status::MaxEvaluations, kMsgMaxEvaluations);
    if (s.stop_requested) return s.finish(Status::StoppedByUser, kMsgStopped);
    // mainlb's termination tests.
    if (s.sbgnrm <= s.opt.projected_gradient_tolerance)
        return s.finish(Status::ConvergedProjectedGradient, kMsgConvergedGradient);
    const double ddum = kernels::max_num(kernels::max_num(std::fabs(s.fold), std::fabs(s.f)), 1.0);
    if (s.fold - s.f <= s.tol * ddum) return s.finish(Status::ConvergedRelativeReduction, kMsgConvergedReduction);
    if (s.f <= s.opt.target_value) return s.finish(Status::TargetReached, kMsgTarget);
    return s.update_and_continue();
}

void Minimizer::request_stop() { s_->stop_requested = true; }

Task Minimizer::interrupt(Status reason) {
    State& s = *s_;
    const char* msg = reason == Status::TimeLimit ? kMsgTimeLimit
                      : reason == Status::Cancelled ? kMsgCancelled
                                                    : nullptr;
    if (msg == nullptr) throw std::invalid_argument("interrupt(): the reason must be TimeLimit or Cancelled");
    switch (s.phase) {
        case Phase::NotStarted:
            throw std::logic_error("interrupt() called before start()");
        case Phase::Finished:
            return s.task;
        case Phase::FirstEvaluation:
            s.f = std::numeric_limits<double>::quiet_NaN();
            return s.finish(reason, msg);
        case Phase::LineSearchEvaluation:
            if (s.have_best && s.best_f < s.fold) {
                // The best trial beats the last iterate: rebuild its x (same bits as evaluated).
                s.stp = s.best_stp;
                s.set_trial_point();
                std::memcpy(s.g.data(), s.xp.data(), sizeof(double) * s.n);
                s.f = s.best_f;
            } else {
                std::memcpy(s.x.data(), s.t.data(), sizeof(double) * s.n);
                std::memcpy(s.g.data(), s.r.data(), sizeof(double) * s.n);
                s.f = s.fold;
            }
            s.sbgnrm = projgr(s);
            return s.finish(reason, msg);
        case Phase::NewIterate:
            return s.finish(reason, msg);
    }
    return s.task;
}

void Minimizer::update_options(const Options& options) {
    State& s = *s_;
    if (options.history_size != s.opt.history_size)
        throw std::invalid_argument("history_size = " + std::to_string(options.history_size) +
                                    ": must stay " + std::to_string(s.opt.history_size));
    validate(s.n, options);
    s.opt = options;
    if (s.phase != Phase::NotStarted) s.tol = (options.relative_reduction_tolerance / kEpsMach) * kEpsMach;
}
Task Minimizer::task() const { return s_->task; }
Status Minimizer::status() const { return s_->status; }
const char* Minimizer::message() const { return s_->message; }
double Minimizer::f() const { return s_->f; }
std::int64_t Minimizer::iterations() const { return s_->iterations; }
std::int64_t Minimizer::evaluations() const { return s_->evaluations; }
double Minimizer::projected_gradient_norm() const { return s_->sbgnrm; }
double Minimizer::step_length() const { return s_->stp; }
std::int64_t Minimizer::free_variables() const { return s_->nfree; }
std::int64_t Minimizer::line_search_evaluations() const { return s_->ifun; }
bool Minimizer::x0_projected() const { return s_->prjctd; }

Status run(Minimizer& m, ObjectiveFunction objective, void* user, IterationFunction on_iteration,
           void* iteration_user) {
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0.0;
            if (objective(m.size(), m.x(), &f, m.gradient(), user) != 0) return Status::AbortedByObjective;
            t = m.submit(f);
        } else {
            if (on_iteration != nullptr && on_iteration(iteration_user) != 0) m.request_stop();
            t = m.proceed();
        }
    }
    return m.status();
}

}  // namespace lbfgsb
