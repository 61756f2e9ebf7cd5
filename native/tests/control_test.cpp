// Control beyond SciPy: non-finite back-tracking in the line search, interrupt() with the best
// point evaluated, the target value, update_options() and the curvature-pair threshold.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

using lbfgsb::Minimizer;
using lbfgsb::Options;
using lbfgsb::Status;
using lbfgsb::Task;

namespace {

// Rosenbrock, but NaN wherever x_0 > 1.5 (a domain wall the first long steps run into).
int walled_rosen(std::int64_t n, const double* x, double* f, double* g, void*) {
    problems::rosen(n, x, f, g, nullptr);
    if (x[0] > 1.5) *f = std::numeric_limits<double>::quiet_NaN();
    return 0;
}

void non_finite_trials_shrink_the_step_and_the_run_converges() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    int walls = 0;
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0;
            walled_rosen(2, m.x(), &f, m.gradient(), nullptr);
            if (std::isnan(f)) ++walls;
            t = m.submit(f);
        } else {
            t = m.proceed();
        }
    }
    CHECK(walls > 0);  // the wall was hit, and the search backed off
    CHECK(m.status() == Status::ConvergedRelativeReduction || m.status() == Status::ConvergedProjectedGradient);
    CHECK(std::fabs(m.x()[0] - 1.0) < 1e-4);

    Options o;
    o.max_non_finite_backtracks = 0;  // SciPy-like: no back-tracking, the search fails instead
    Minimizer k(2, o);
    k.x()[0] = -1.2;
    k.x()[1] = 1.0;
    lbfgsb::run(k, walled_rosen, nullptr);
    // Each NaN trial now fails the line search (memory reset, steepest-descent restart): the run
    // still ends at a finite point, never at the NaN.
    CHECK(std::isfinite(k.f()));
    double f = 0, g[2];
    walled_rosen(2, k.x(), &f, g, nullptr);
    CHECK(check::bits_equal(f, k.f()));
}

void interrupt_in_a_line_search_returns_the_best_point_evaluated() {
    for (bool track : {false, true}) {
        Options o;
        o.track_best_point = track;
        Minimizer m(2, o);
        m.x()[0] = -1.2;
        m.x()[1] = 1.0;
        Task t = m.start();
        double best = std::numeric_limits<double>::infinity();
        std::vector<double> best_x;
        int evaluations = 0;
        double last_iterate_f = 0;
        std::vector<double> last_iterate_x;
        while (t != Task::Done) {
            if (t == Task::Evaluate) {
                if (++evaluations == 12) {
                    t = m.interrupt(Status::TimeLimit);
                    break;
                }
                double f = 0;
                problems::rosen(2, m.x(), &f, m.gradient(), nullptr);
                if (f < best) {
                    best = f;
                    best_x.assign(m.x(), m.x() + 2);
                }
                t = m.submit(f);
            } else {
                last_iterate_f = m.f();
                last_iterate_x.assign(m.x(), m.x() + 2);
                t = m.proceed();
            }
        }
        CHECK(t == Task::Done);
        CHECK(m.status() == Status::TimeLimit);
        CHECK(std::string(m.message()) == "STOP: TIME LIMIT REACHED");
        CHECK_EQ(m.evaluations(), 11);
        double f = 0, g[2];
        problems::rosen(2, m.x(), &f, g, nullptr);
        CHECK(check::bits_equal(f, m.f()));  // f, x and g belong together
        CHECK(check::bits_equal(g[0], m.gradient()[0]) && check::bits_equal(g[1], m.gradient()[1]));
        if (track) {
            CHECK(check::bits_equal(m.f(), best));
            CHECK(m.x()[0] == best_x[0] && m.x()[1] == best_x[1]);
        } else {
            CHECK(m.f() <= last_iterate_f);
        }
        CHECK(m.interrupt(Status::Cancelled) == Task::Done);  // no-op once done
        CHECK(m.status() == Status::TimeLimit);
    }
}

void target_value_stops_at_x0_and_later() {
    Options o;
    o.target_value = 30.0;  // f(-1.2, 1) = 24.2
    Minimizer a(2, o);
    a.x()[0] = -1.2;
    a.x()[1] = 1.0;
    CHECK(lbfgsb::run(a, problems::rosen, nullptr) == Status::TargetReached);
    CHECK_EQ(a.evaluations(), 1);
    CHECK_EQ(a.iterations(), 0);
    CHECK(std::string(a.message()) == "CONVERGENCE: F <= TARGET");

    o.target_value = 1.0;
    Minimizer b(2, o);
    b.x()[0] = -1.2;
    b.x()[1] = 1.0;
    CHECK(lbfgsb::run(b, problems::rosen, nullptr) == Status::TargetReached);
    CHECK(b.f() <= 1.0);
    CHECK(b.iterations() > 0 && b.iterations() < 36);
}

void update_options_changes_limits_and_refuses_a_new_history_size() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0;
            problems::rosen(2, m.x(), &f, m.gradient(), nullptr);
            t = m.submit(f);
        } else {
            if (m.iterations() == 3) {
                Options o;
                o.max_iterations = 5;
                m.update_options(o);
            }
            t = m.proceed();
        }
    }
    CHECK(m.status() == Status::MaxIterations);
    CHECK_EQ(m.iterations(), 5);
    bool threw = false;
    try {
        Options o;
        o.history_size = 3;
        m.update_options(o);
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    CHECK(threw);
    threw = false;
    try {
        Options o;
        o.target_value = std::numeric_limits<double>::quiet_NaN();
        m.update_options(o);
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    CHECK(threw);
}

void curvature_threshold_is_honoured() {
    // A huge threshold rejects every pair: the run is steepest descent with the Cauchy step, which
    // needs many more iterations than with the default.
    Options o;
    o.curvature_pair_threshold = 1e300;
    o.max_iterations = 200;
    Minimizer m(2, o);
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    lbfgsb::run(m, problems::rosen, nullptr);
    CHECK(m.iterations() > 36);
}

}  // namespace

int main() {
    non_finite_trials_shrink_the_step_and_the_run_converges();
    interrupt_in_a_line_search_returns_the_best_point_evaluated();
    target_value_stops_at_x0_and_later();
    update_options_changes_limits_and_refuses_a_new_history_size();
    curvature_threshold_is_honoured();
    return check::report("control_test");
}
