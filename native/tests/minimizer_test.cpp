// The reverse-communication Minimizer against SciPy 1.17.1 reference results
// (shared/design/reference-behaviour.md, section 5), plus its contract.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

using lbfgsb::Minimizer;
using lbfgsb::Options;
using lbfgsb::Status;
using lbfgsb::Task;

namespace {

constexpr double kEps = 2.220446049250313e-16;
// f values near 0 that went through different summation orders than SciPy's numpy objective.
constexpr double kTrajectoryTolerance = 1e-6;

struct Run {
    Status status;
    std::int64_t nit, nfev;
    double f;
    std::vector<double> x, trace_f, trace_pg;
};

Run drive(Minimizer& m, lbfgsb::ObjectiveFunction fn, std::int64_t stop_at_iteration = -1) {
    Run r{};
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0;
            fn(m.size(), m.x(), &f, m.gradient(), nullptr);
            t = m.submit(f);
        } else {
            r.trace_f.push_back(m.f());
            r.trace_pg.push_back(m.projected_gradient_norm());
            if (m.iterations() == stop_at_iteration) m.request_stop();
            t = m.proceed();
        }
    }
    r.status = m.status();
    r.nit = m.iterations();
    r.nfev = m.evaluations();
    r.f = m.f();
    r.x.assign(m.x(), m.x() + m.size());
    return r;
}

Options driver_options(int m, double factr, double pgtol) {
    Options o;
    o.history_size = m;
    o.relative_reduction_tolerance = factr * kEps;
    o.projected_gradient_tolerance = pgtol;
    return o;
}

void driver1_matches_scipy_bit_for_bit() {
    Minimizer m(25, driver_options(5, 1e7, 1e-5));
    problems::driver_bounds(25, m.lower(), m.upper());
    for (int i = 0; i < 25; ++i) m.x()[i] = 3.0;
    Run r = drive(m, problems::driver);
    CHECK(r.status == Status::ConvergedRelativeReduction);
    CHECK_EQ(r.nit, 23);
    CHECK_EQ(r.nfev, 28);
    CHECK(check::bits_equal(r.f, 1.0834900834199544e-09));
    // First iterates as printed by the Fortran driver (5 significant digits).
    CHECK(check::close(r.trace_f[0], 2.39769e3, 5e-6) && check::close(r.trace_pg[0], 6.50700e1, 5e-6));
    CHECK(check::close(r.trace_f[1], 1.43806e2, 5e-6) && check::close(r.trace_pg[1], 3.64039e1, 5e-6));
    CHECK(check::close(r.trace_f[2], 7.28161e1, 5e-6) && check::close(r.trace_pg[2], 2.29042e1, 5e-6));
    CHECK(std::string(m.message()) == "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH");
}

void driver_problem_n1000_matches_scipy_defaults() {
    Minimizer m(1000, Options{});
    problems::driver_bounds(1000, m.lower(), m.upper());
    for (int i = 0; i < 1000; ++i) m.x()[i] = 3.0;
    Run r = drive(m, problems::driver);
    CHECK(r.status == Status::ConvergedRelativeReduction);
    CHECK_EQ(r.nit, 24);
    CHECK_EQ(r.nfev, 29);
    CHECK(check::bits_equal(r.f, 9.395134249395691e-10));
}

void rosenbrock_unbounded_matches_scipy() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    Run r = drive(m, problems::rosen);
    CHECK(r.status == Status::ConvergedRelativeReduction);
    CHECK_EQ(r.nit, 36);
    CHECK_EQ(r.nfev, 44);
    CHECK(std::fabs(r.f - 2.8076498487712216e-12) <= kTrajectoryTolerance * 1e-11);
    CHECK(std::fabs(r.x[0] - 1.0) < 1e-5 && std::fabs(r.x[1] - 1.0) < 1e-5);
}

void iteration_and_evaluation_limits_follow_scipy() {
    Options o;
    o.max_iterations = 5;
    Minimizer a(2, o);
    a.x()[0] = 0.0;
    a.x()[1] = 0.0;
    Run r = drive(a, problems::rosen);
    CHECK(r.status == Status::MaxIterations);
    CHECK_EQ(r.nit, 5);
    CHECK_EQ(r.nfev, 8);
    CHECK(check::close(r.f, 0.3264491878580732, 1e-12));
    CHECK(std::string(a.message()) == "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT");

    Options p;
    p.max_evaluations = 5;
    Minimizer b(2, p);
    b.x()[0] = 0.0;
    b.x()[1] = 0.0;
    r = drive(b, problems::rosen);
    CHECK(r.status == Status::MaxEvaluations);
    CHECK_EQ(r.nit, 4);
    CHECK_EQ(r.nfev, 7);  // limits are checked at iteration ends: a line search may overshoot
    CHECK(check::close(r.f, 0.35297034585308823, 1e-12));
    CHECK(std::string(b.message()) == "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT");

    Options z;
    z.max_iterations = 0;  // deliberate deviation: x0 only
    Minimizer c(2, z);
    r = drive(c, problems::rosen);
    CHECK(r.status == Status::MaxIterations);
    CHECK_EQ(r.nit, 0);
    CHECK_EQ(r.nfev, 1);
}

void stops_at_x0_when_projected_gradient_is_small() {
    Minimizer m(2, Options{});
    m.x()[0] = 1.0;
    m.x()[1] = 1.0;
    Run r = drive(m, problems::rosen);
    CHECK(r.status == Status::ConvergedProjectedGradient);
    CHECK_EQ(r.nit, 0);
    CHECK_EQ(r.nfev, 1);
    CHECK_EQ(r.f, 0.0);
}

void abnormal_line_search_returns_f_at_x() {
    Options o;
    o.max_line_search_steps = 5;
    Minimizer m(1, o);
    m.x()[0] = 10.0;
    Run r = drive(m, problems::exp_linear);
    CHECK(r.status == Status::AbnormalLineSearch);
    CHECK_EQ(r.nit, 0);
    CHECK_EQ(r.nfev, 6);
    CHECK(std::string(m.message()) == "ABNORMAL: ");
    double f = 0, g = 0;
    problems::exp_linear(1, r.x.data(), &f, &g, nullptr);
    CHECK_EQ(r.f, f);  // SciPy would report the last trial value instead
    CHECK_EQ(r.x[0], 10.0);
}

void user_stop_and_limit_precedence() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    Run r = drive(m, problems::rosen, 3);
    CHECK(r.status == Status::StoppedByUser);
    CHECK_EQ(r.nit, 3);
    CHECK(std::string(m.message()) == "STOP: CALLBACK REQUESTED HALT");

    Options o;
    o.max_iterations = 3;
    Minimizer k(2, o);
    k.x()[0] = -1.2;
    k.x()[1] = 1.0;
    r = drive(k, problems::rosen, 3);
    CHECK(r.status == Status::MaxIterations);  // as SciPy: maxiter overrides the callback
}

void x0_outside_the_box_is_projected() {
    Minimizer m(2, Options{});
    m.lower()[0] = 1.0;
    m.upper()[1] = -0.5;
    m.x()[0] = 0.0;
    m.x()[1] = 0.0;
    CHECK(m.start() == Task::Evaluate);
    CHECK(m.x0_projected());
    CHECK_EQ(m.x()[0], 1.0);
    CHECK_EQ(m.x()[1], -0.5);
}

void bad_input_is_refused() {
    bool threw = false;
    try {
        Minimizer m(0, Options{});
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    CHECK(threw);
    threw = false;
    try {
        Options o;
        o.history_size = 0;
        Minimizer m(3, o);
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    CHECK(threw);
    Minimizer m(2, Options{});
    m.lower()[1] = 2.0;
    m.upper()[1] = 1.0;
    CHECK(m.start() == Task::Done);
    CHECK(m.status() == Status::InvalidInput);
    CHECK(std::string(m.message()) == "ERROR: NO FEASIBLE SOLUTION");
}

void non_finite_start_stops_immediately() {
    Minimizer m(2, Options{});
    Task t = m.start();
    CHECK(t == Task::Evaluate);
    m.gradient()[0] = 1.0;
    m.gradient()[1] = 1.0;
    CHECK(m.submit(std::numeric_limits<double>::quiet_NaN()) == Task::Done);
    CHECK(m.status() == Status::NonFinite);
}

int nan_after_three(std::int64_t n, const double* x, double* f, double* g, void* user) {
    int& calls = *static_cast<int*>(user);
    problems::rosen(n, x, f, g, nullptr);
    if (++calls > 3) *f = std::numeric_limits<double>::quiet_NaN();
    return 0;
}

void nan_during_the_run_never_converges() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    int calls = 0;
    Status s = lbfgsb::run(m, nan_after_three, &calls);
    CHECK(s == Status::AbnormalLineSearch);
    CHECK(std::isfinite(m.f()));
    double f = 0, g[2];
    problems::rosen(2, m.x(), &f, g, nullptr);
    CHECK_EQ(m.f(), f);
}

int abort_at_second(std::int64_t n, const double* x, double* f, double* g, void* user) {
    int& calls = *static_cast<int*>(user);
    problems::rosen(n, x, f, g, nullptr);
    return ++calls >= 2 ? 1 : 0;
}

void c_driver_matches_the_manual_loop_and_can_abort() {
    Minimizer a(25, driver_options(5, 1e7, 1e-5));
    problems::driver_bounds(25, a.lower(), a.upper());
    for (int i = 0; i < 25; ++i) a.x()[i] = 3.0;
    CHECK(lbfgsb::run(a, problems::driver, nullptr) == Status::ConvergedRelativeReduction);
    CHECK(check::bits_equal(a.f(), 1.0834900834199544e-09));
    CHECK_EQ(a.evaluations(), 28);

    Minimizer b(2, Options{});
    int calls = 0;
    CHECK(lbfgsb::run(b, abort_at_second, &calls) == Status::AbortedByObjective);
}

void external_x_is_used_in_place() {
    std::vector<double> x(25, 3.0);
    Minimizer m(25, driver_options(5, 1e7, 1e-5), x.data());
    CHECK(m.x() == x.data());
    problems::driver_bounds(25, m.lower(), m.upper());
    CHECK(lbfgsb::run(m, problems::driver, nullptr) == Status::ConvergedRelativeReduction);
    CHECK(check::bits_equal(m.f(), 1.0834900834199544e-09));
    double f = 0;
    std::vector<double> g(25);
    problems::driver(25, x.data(), &f, g.data(), nullptr);
    CHECK(check::bits_equal(f, m.f()));
}

void concurrent_minimizers_do_not_interfere() {
    Minimizer ref(1000, Options{});
    problems::driver_bounds(1000, ref.lower(), ref.upper());
    for (int i = 0; i < 1000; ++i) ref.x()[i] = 3.0;
    Run expected = drive(ref, problems::driver);
    std::vector<Run> results(4);
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k) {
        threads.emplace_back([&results, k] {
            for (int rep = 0; rep < 5; ++rep) {
                Minimizer m(1000, Options{});
                problems::driver_bounds(1000, m.lower(), m.upper());
                for (int i = 0; i < 1000; ++i) m.x()[i] = 3.0;
                results[k] = drive(m, problems::driver);
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const Run& r : results) {
        CHECK_EQ(r.nfev, expected.nfev);
        CHECK(check::bits_equal(r.f, expected.f));
        CHECK(r.x == expected.x);
    }
}

}  // namespace

int main() {
    driver1_matches_scipy_bit_for_bit();
    driver_problem_n1000_matches_scipy_defaults();
    rosenbrock_unbounded_matches_scipy();
    iteration_and_evaluation_limits_follow_scipy();
    stops_at_x0_when_projected_gradient_is_small();
    abnormal_line_search_returns_f_at_x();
    user_stop_and_limit_precedence();
    x0_outside_the_box_is_projected();
    bad_input_is_refused();
    non_finite_start_stops_immediately();
    nan_during_the_run_never_converges();
    c_driver_matches_the_manual_loop_and_can_abort();
    external_x_is_used_in_place();
    concurrent_minimizers_do_not_interfere();
    return check::report("minimizer_test");
}
