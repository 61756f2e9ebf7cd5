// lbfgsb::TorchLbfgs (torch.optim.LBFGS semantics): its contract, edge cases, deviations and
// checkpoints. The iterate-by-iterate comparison with torch's algorithm lives in the Java tests
// (LbfgsOptimizerReferenceTest, against benchmarks/torch/torch_reference.py).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "lbfgsb/torch_lbfgs.hpp"

using lbfgsb::TorchLbfgs;
using lbfgsb::TorchLbfgsOptions;
using lbfgsb::TorchLineSearch;
using lbfgsb::TorchStop;
using lbfgsb::TorchTask;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Objective = std::function<double(std::int64_t n, const double* x, double* g)>;

double rosenbrock(std::int64_t, const double* x, double* g) {
    const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    g[0] = -2.0 * a - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
    return a * a + 100.0 * (b * b);
}

// f = sum (i + 1) (x_i - 1)^2
double quadratic(std::int64_t n, const double* x, double* g) {
    double f = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double r = x[i] - 1.0;
        f += (i + 1) * r * r;
        g[i] = 2.0 * (i + 1) * r;
    }
    return f;
}

struct StepResult {
    double returned;
    TorchStop stop;
    std::int64_t evaluations;
    std::vector<double> losses;  // every closure value, in order
};

StepResult step(TorchLbfgs& opt, const Objective& fn) {
    StepResult r{};
    for (TorchTask t = opt.begin_step(); t == TorchTask::Evaluate;) {
        const double f = fn(opt.size(), opt.params(), opt.gradient());
        r.losses.push_back(f);
        t = opt.submit(f);
    }
    r.returned = opt.initial_loss();
    r.stop = opt.stop();
    r.evaluations = opt.step_evaluations();
    return r;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

std::vector<double> snapshot(const TorchLbfgs& opt) {
    std::vector<std::uint8_t> bytes(opt.state_size());
    opt.save_state(bytes.data());
    std::vector<double> out(bytes.size() / 8);
    std::memcpy(out.data(), bytes.data(), out.size() * 8);
    return out;
}

TorchLbfgsOptions wolfe(std::int64_t max_iter) {
    TorchLbfgsOptions o;
    o.max_iter = max_iter;
    o.line_search = TorchLineSearch::StrongWolfe;
    return o;
}

void defaults_are_torchs() {
    TorchLbfgsOptions o;
    CHECK_EQ(o.learning_rate, 1.0);
    CHECK_EQ(o.max_iter, 20);
    CHECK_EQ(o.tolerance_grad, 1e-7);
    CHECK_EQ(o.tolerance_change, 1e-9);
    CHECK_EQ(o.history_size, 100);
    CHECK(o.line_search == TorchLineSearch::None);
    double x[2] = {0, 0};
    for (std::int64_t it : {1, 2, 3, 4, 7, 20, 21}) {
        o.max_iter = it;
        TorchLbfgs opt(2, o, x);
        CHECK_EQ(opt.options().max_eval, it * 5 / 4);
    }
}

void invalid_options_are_named() {
    double x[2] = {0, 0};
    auto rejects = [&](TorchLbfgsOptions o, std::int64_t n, double* p, const char* name) {
        try {
            TorchLbfgs opt(n, o, p);
            CHECK(!"constructor accepted invalid input");
        } catch (const std::invalid_argument& e) {
            const bool named = std::string(e.what()).find(name) != std::string::npos;
            CHECK(named);
            if (!named) std::printf("    message: %s\n", e.what());
        }
    };
    TorchLbfgsOptions o;
    rejects(o, 0, x, "n = 0");
    rejects(o, 2, nullptr, "params");
    o.learning_rate = -1.0;
    rejects(o, 2, x, "learning_rate = -1");
    o.learning_rate = kNaN;
    rejects(o, 2, x, "learning_rate = nan");
    o = {};
    o.max_iter = 0;
    rejects(o, 2, x, "max_iter = 0");
    o = {};
    o.max_eval = 0;
    rejects(o, 2, x, "max_eval = 0");
    o = {};
    o.tolerance_grad = -1e-3;
    rejects(o, 2, x, "tolerance_grad");
    o = {};
    o.tolerance_change = kNaN;
    rejects(o, 2, x, "tolerance_change");
    o = {};
    o.history_size = 0;
    rejects(o, 2, x, "history_size = 0");
}

void converges_on_rosenbrock_with_strong_wolfe() {
    double x[2] = {-1.5, 2.0};
    TorchLbfgs opt(2, wolfe(100), x);
    StepResult r = step(opt, rosenbrock);
    // torch stops on g.d > -tolerance_change about 2e-6 from the minimizer (the Python
    // transcription: x = (0.99999799, 0.99999734) after 41 iterations and 51 evaluations).
    std::printf("rosenbrock: x = (%.17g, %.17g), %lld iterations, %lld evaluations, stop %d\n", x[0], x[1],
                (long long)opt.n_iter(), (long long)opt.func_evals(), (int)r.stop);
    CHECK(r.stop == TorchStop::DirectionalDerivative);
    CHECK(std::fabs(x[0] - 1.0) < 1e-5 && std::fabs(x[1] - 1.0) < 1e-5);
    CHECK_EQ(r.returned, 12.5);  // f(x0) = 2.5^2 + 100 (-0.25)^2: step() returns the loss at its start
    CHECK_EQ(opt.func_evals(), r.evaluations);
    CHECK(opt.n_iter() > 10);
    CHECK(opt.history_length() <= opt.n_iter() - 1);
}

// Without stops firing, k calls with max_iter = m make the same iterates as one call with
// max_iter = k m, bit for bit: pairs span calls (the next call's first evaluation supplies the
// gradient a fixed step left unevaluated, or repeats the accepted line-search point).
void pairs_span_calls(TorchLineSearch ls) {
    TorchLbfgsOptions o;
    o.line_search = ls;
    o.learning_rate = ls == TorchLineSearch::None ? 0.1 : 1.0;
    o.tolerance_change = 0.0;
    o.tolerance_grad = 0.0;
    o.max_eval = 1000;
    double a[5] = {0, 0, 0, 0, 0}, b[5] = {0, 0, 0, 0, 0};
    o.max_iter = 12;
    TorchLbfgs one(5, o, a);
    StepResult whole = step(one, quadratic);
    CHECK(whole.stop == TorchStop::MaxIter);
    o.max_iter = 4;
    TorchLbfgs three(5, o, b);
    std::vector<double> losses;
    for (int c = 0; c < 3; ++c) {
        StepResult part = step(three, quadratic);
        CHECK(part.stop == TorchStop::MaxIter);
        // Strong Wolfe: each later call's first evaluation repeats the previous call's accepted point.
        std::size_t skip = (c > 0 && ls == TorchLineSearch::StrongWolfe) ? 1 : 0;
        losses.insert(losses.end(), part.losses.begin() + skip, part.losses.end());
    }
    CHECK(same_bits(losses, whole.losses));
    CHECK(std::memcmp(a, b, sizeof a) == 0);
    CHECK_EQ(one.n_iter(), three.n_iter());
    CHECK_EQ(one.history_length(), three.history_length());
    CHECK(check::bits_equal(one.h_diag(), three.h_diag()));
    CHECK(check::bits_equal(one.t(), three.t()));
}

void first_evaluation_meeting_tolerance_changes_nothing() {
    double x[3] = {1.0, 1.0, 1.0};
    TorchLbfgs opt(3, wolfe(20), x);
    StepResult r = step(opt, quadratic);
    CHECK(r.stop == TorchStop::GradientToleranceAtStart);
    CHECK_EQ(r.returned, 0.0);
    CHECK_EQ(r.evaluations, 1);
    CHECK_EQ(opt.n_iter(), 0);
    CHECK_EQ(opt.func_evals(), 1);
    CHECK_EQ(opt.history_length(), 0);
    CHECK(std::isnan(opt.prev_loss()));
    CHECK(x[0] == 1.0 && x[1] == 1.0 && x[2] == 1.0);
}

void max_iter_one_gives_the_line_search_one_evaluation() {
    double x[2] = {-1.2, 1.0};
    TorchLbfgs opt(2, wolfe(1), x);  // max_eval = 1, so max_ls = 0
    for (int c = 0; c < 3; ++c) {
        StepResult r = step(opt, rosenbrock);
        CHECK(r.stop == TorchStop::MaxIter);
        CHECK_EQ(r.evaluations, 2);
    }
    CHECK_EQ(opt.n_iter(), 3);
    CHECK_EQ(opt.func_evals(), 6);
}

void max_eval_counts_line_search_evaluations() {
    double x[2] = {-1.2, 1.0};
    TorchLbfgsOptions o = wolfe(50);
    o.max_eval = 9;
    TorchLbfgs opt(2, o, x);
    StepResult r = step(opt, rosenbrock);
    CHECK(r.stop == TorchStop::MaxEval);
    // The search gets max_ls = max_eval - evaluations so far and may make one more: torch's count.
    CHECK(r.evaluations >= 9 && r.evaluations <= 10);
}

void fixed_step_moves_by_lr_times_direction() {
    double x[2] = {0.0, 0.0};
    TorchLbfgsOptions o;
    o.learning_rate = 0.05;
    o.max_iter = 1;
    TorchLbfgs opt(2, o, x);
    StepResult r = step(opt, quadratic);
    // First iteration: d = -g = (2, 4), t = min(1, 1/|g|_1) lr = lr / 6; the last move of a call
    // is not evaluated.
    CHECK_EQ(r.evaluations, 1);
    CHECK(r.stop == TorchStop::MaxIter);
    CHECK(check::bits_equal(opt.t(), (1.0 / 6.0) * 0.05));
    CHECK(check::bits_equal(x[0], 0.0 + opt.t() * 2.0));
    CHECK(check::bits_equal(x[1], 0.0 + opt.t() * 4.0));
}

void gradient_is_zero_filled_before_each_evaluation() {
    double x[3] = {0, 0, 0};
    TorchLbfgs opt(3, wolfe(5), x);
    bool all_zero = true;
    Objective accumulate = [&](std::int64_t n, const double* p, double* g) {
        for (std::int64_t i = 0; i < n; ++i) all_zero = all_zero && g[i] == 0.0;
        return quadratic(n, p, g);
    };
    step(opt, accumulate);
    CHECK(all_zero);
}

void non_finite_at_start_changes_nothing() {
    double x[2] = {-1.2, 1.0};
    TorchLbfgs opt(2, wolfe(3), x);
    step(opt, rosenbrock);
    const std::vector<double> before = snapshot(opt);
    const double x0 = x[0], x1 = x[1];
    StepResult r = step(opt, [](std::int64_t, const double*, double* g) {
        g[0] = 1.0;
        g[1] = 1.0;
        return kNaN;
    });
    CHECK(r.stop == TorchStop::NonFinite);
    CHECK(std::isnan(r.returned));
    CHECK(x[0] == x0 && x[1] == x1);
    std::vector<double> after = snapshot(opt);
    after[5] = before[5];  // func_evals (offset 40) counts the evaluation
    CHECK(same_bits(before, after));
    r = step(opt, [](std::int64_t, const double*, double* g) {
        g[0] = std::numeric_limits<double>::infinity();
        g[1] = 0.0;
        return 1.0;
    });
    CHECK(r.stop == TorchStop::NonFinite);
    CHECK(std::isinf(opt.stop_value()));
}

// A NaN trial inside an iteration: params back to the iteration's start, t = 0, no pair from it.
void non_finite_inside_an_iteration_rolls_back(TorchLineSearch ls) {
    double x[2] = {-1.2, 1.0};
    TorchLbfgsOptions o;
    o.line_search = ls;
    o.learning_rate = ls == TorchLineSearch::None ? 0.1 : 1.0;
    o.max_iter = 4;
    TorchLbfgs opt(2, o, x);
    step(opt, rosenbrock);
    const std::int64_t pairs = opt.history_length();
    int calls = 0;
    double start[2] = {0, 0};
    StepResult r = step(opt, [&](std::int64_t n, const double* p, double* g) {
        if (++calls == 1) {
            start[0] = p[0];
            start[1] = p[1];
            return rosenbrock(n, p, g);
        }
        rosenbrock(n, p, g);
        return kNaN;
    });
    CHECK(r.stop == TorchStop::NonFinite);
    CHECK_EQ(r.evaluations, 2);
    CHECK(check::bits_equal(x[0], start[0]) && check::bits_equal(x[1], start[1]));
    CHECK_EQ(opt.t(), 0.0);
    // The pair from the previous call's last move joined; nothing from the NaN point.
    CHECK(opt.history_length() <= pairs + 1);
    const std::int64_t after_nan = opt.history_length();
    // The next step starts cleanly from there: y = 0, so no pair, and the run goes on.
    StepResult next = step(opt, rosenbrock);
    CHECK(next.stop != TorchStop::NonFinite);
    CHECK(opt.history_length() >= after_nan);
    CHECK(std::isfinite(x[0]) && std::isfinite(x[1]));
}

void abort_leaves_a_consistent_state() {
    for (TorchLineSearch ls : {TorchLineSearch::None, TorchLineSearch::StrongWolfe}) {
        double x[2] = {-1.2, 1.0};
        TorchLbfgsOptions o;
        o.line_search = ls;
        o.learning_rate = ls == TorchLineSearch::None ? 0.1 : 1.0;
        o.max_iter = 4;
        TorchLbfgs opt(2, o, x);
        step(opt, rosenbrock);
        // Abort at the first evaluation: nothing changes (not even func_evals).
        const std::vector<double> before = snapshot(opt);
        const double x0 = x[0], x1 = x[1];
        CHECK(opt.begin_step() == TorchTask::Evaluate);
        opt.abort_step();
        CHECK(opt.stop() == TorchStop::Aborted);
        CHECK(opt.task() == TorchTask::Done);
        CHECK(same_bits(before, snapshot(opt)));
        // Abort at the second evaluation: params back where the iteration started.
        opt.begin_step();
        double f = rosenbrock(2, opt.params(), opt.gradient());
        CHECK(opt.submit(f) == TorchTask::Evaluate);
        CHECK(!(x[0] == x0 && x[1] == x1));
        opt.abort_step();
        CHECK(x[0] == x0 && x[1] == x1);
        CHECK_EQ(opt.t(), 0.0);
        opt.abort_step();  // no step in progress: no-op
        CHECK(opt.stop() == TorchStop::Aborted);
        StepResult r = step(opt, rosenbrock);
        CHECK(r.stop == TorchStop::MaxIter);
    }
}

void calls_out_of_order_are_logic_errors() {
    double x[2] = {0, 0};
    TorchLbfgs opt(2, wolfe(3), x);
    bool threw = false;
    try {
        opt.submit(1.0);
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
    opt.begin_step();
    threw = false;
    try {
        opt.begin_step();
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
    threw = false;
    try {
        std::vector<std::uint8_t> b(opt.state_size());
        opt.save_state(b.data());
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
    opt.abort_step();
}

void restored_state_continues_bit_for_bit(TorchLineSearch ls, std::int64_t history) {
    TorchLbfgsOptions o;
    o.line_search = ls;
    o.learning_rate = ls == TorchLineSearch::None ? 0.02 : 1.0;
    o.max_iter = 3;
    o.history_size = history;
    o.tolerance_change = 0.0;
    const std::int64_t n = 6;
    std::vector<double> xa(n, 0.0), xb(n, 0.0);
    TorchLbfgs a(n, o, xa.data());
    for (int c = 0; c < 3; ++c) step(a, quadratic);
    std::vector<std::uint8_t> bytes(a.state_size());
    a.save_state(bytes.data());
    xb = xa;
    TorchLbfgs b(n, o, xb.data());
    b.load_state(bytes.data(), bytes.size());
    CHECK_EQ(b.n_iter(), a.n_iter());
    CHECK_EQ(b.history_length(), a.history_length());
    std::vector<std::uint8_t> again(b.state_size());
    b.save_state(again.data());
    CHECK(again == bytes);
    for (int c = 0; c < 4; ++c) {
        StepResult ra = step(a, quadratic);
        StepResult rb = step(b, quadratic);
        CHECK(same_bits(ra.losses, rb.losses));
        CHECK(ra.stop == rb.stop);
    }
    CHECK(same_bits(xa, xb));
    CHECK(same_bits(snapshot(a), snapshot(b)));
}

void load_state_validates() {
    double x[4] = {0, 0, 0, 0};
    TorchLbfgsOptions o = wolfe(5);
    o.history_size = 4;
    TorchLbfgs a(4, o, x);
    step(a, quadratic);
    std::vector<std::uint8_t> bytes(a.state_size());
    a.save_state(bytes.data());
    auto rejects = [](TorchLbfgs& opt, std::vector<std::uint8_t> b, const char* what) {
        try {
            opt.load_state(b.data(), b.size());
            CHECK(!"load_state accepted bad bytes");
        } catch (const std::invalid_argument& e) {
            const bool named = std::string(e.what()).find(what) != std::string::npos;
            CHECK(named);
            if (!named) std::printf("    message: %s\n", e.what());
        }
    };
    double y[3] = {0, 0, 0};
    TorchLbfgs wrong_n(3, o, y);
    rejects(wrong_n, bytes, "n = 4 in the state, 3 here");
    TorchLbfgsOptions o5 = o;
    o5.history_size = 5;
    double z[4] = {0, 0, 0, 0};
    TorchLbfgs wrong_m(4, o5, z);
    rejects(wrong_m, bytes, "history_size = 4 in the state, 5 here");
    TorchLbfgs same(4, o, z);
    std::vector<std::uint8_t> bad = bytes;
    bad[0] = 'X';
    rejects(same, bad, "bad magic");
    bad = bytes;
    bad[8] = 2;
    rejects(same, bad, "format version 2");
    bad = bytes;
    bad.pop_back();
    rejects(same, bad, "bytes: a state with n = 4");
    rejects(same, std::vector<std::uint8_t>(10), "shorter than");
    // Nothing changed in `same` after the failures; a good load then works.
    CHECK_EQ(same.n_iter(), 0);
    same.load_state(bytes.data(), bytes.size());
    CHECK_EQ(same.n_iter(), a.n_iter());
}

void history_ring_keeps_the_newest_pairs() {
    std::vector<double> x(4, 0.0);
    TorchLbfgsOptions o = wolfe(30);
    o.history_size = 2;
    o.tolerance_change = 0.0;
    o.tolerance_grad = 0.0;
    o.max_eval = 1000;
    TorchLbfgs opt(4, o, x.data());
    Objective fn = [](std::int64_t n, const double* p, double* g) {  // a non-quadratic: many pairs
        double f = 0.0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double r = p[i] - 1.0;
            f += r * r * r * r + (i + 1) * r * r;
            g[i] = 4.0 * r * r * r + 2.0 * (i + 1) * r;
        }
        return f;
    };
    for (int c = 0; c < 2; ++c) step(opt, fn);
    CHECK_EQ(opt.history_length(), 2);
    for (std::int64_t k = 0; k < opt.history_length(); ++k) {
        double ys = 0.0;
        for (int i = 0; i < 4; ++i) ys += opt.history_y(k)[i] * opt.history_s(k)[i];
        CHECK(check::close(opt.history_rho(k), 1.0 / ys, 1e-12));
    }
    bool threw = false;
    try {
        opt.history_s(2);
    } catch (const std::out_of_range&) {
        threw = true;
    }
    CHECK(threw);
}

}  // namespace

int main() {
    defaults_are_torchs();
    invalid_options_are_named();
    converges_on_rosenbrock_with_strong_wolfe();
    pairs_span_calls(TorchLineSearch::None);
    pairs_span_calls(TorchLineSearch::StrongWolfe);
    first_evaluation_meeting_tolerance_changes_nothing();
    max_iter_one_gives_the_line_search_one_evaluation();
    max_eval_counts_line_search_evaluations();
    fixed_step_moves_by_lr_times_direction();
    gradient_is_zero_filled_before_each_evaluation();
    non_finite_at_start_changes_nothing();
    non_finite_inside_an_iteration_rolls_back(TorchLineSearch::None);
    non_finite_inside_an_iteration_rolls_back(TorchLineSearch::StrongWolfe);
    abort_leaves_a_consistent_state();
    calls_out_of_order_are_logic_errors();
    restored_state_continues_bit_for_bit(TorchLineSearch::None, 100);
    restored_state_continues_bit_for_bit(TorchLineSearch::StrongWolfe, 100);
    restored_state_continues_bit_for_bit(TorchLineSearch::StrongWolfe, 2);
    load_state_validates();
    history_ring_keeps_the_newest_pairs();
    return check::report("torch_lbfgs_test");
}
