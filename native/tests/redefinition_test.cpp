// Redefining the objective at an iteration boundary: the reconstructed history is right after the
// history wrapped around (the Python package's is not beyond one pair), an identity redefinition
// keeps the run on course, and a reweighted objective is minimized from where the run stood.
#include <cmath>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

using lbfgsb::Minimizer;
using lbfgsb::Options;
using lbfgsb::Status;
using lbfgsb::Task;

namespace {

// Rosenbrock plus lambda |x|^2 / 2.
struct Reweighted {
    double lambda;
    double operator()(std::int64_t n, const double* x, double* g) const {
        double f = 0;
        problems::rosen(n, x, &f, g, nullptr);
        for (std::int64_t i = 0; i < n; ++i) {
            f += 0.5 * lambda * x[i] * x[i];
            g[i] += lambda * x[i];
        }
        return f;
    }
};

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::fmax(worst, std::fabs(a[i] - b[i]) / std::fmax(1.0, std::fabs(b[i])));
    return worst;
}

void history_is_reconstructed_after_wrapping() {
    const std::int64_t n = 6;
    Options o;
    o.history_size = 3;
    Minimizer m(n, o);
    for (int i = 0; i < n; ++i) m.x()[i] = -1.0;
    std::vector<std::vector<double>> xs, gs;  // iterates and gradients, x0 first
    Task t = m.start();
    bool checked = false;
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0;
            problems::rosen(n, m.x(), &f, m.gradient(), nullptr);
            if (m.evaluations() == 0) {
                xs.emplace_back(m.x(), m.x() + n);
                gs.emplace_back(m.gradient(), m.gradient() + n);
            }
            t = m.submit(f);
        } else {
            xs.emplace_back(m.x(), m.x() + n);
            gs.emplace_back(m.gradient(), m.gradient() + n);
            if (m.iterations() == 10) {
                const int count = m.history_count();
                CHECK_EQ(count, 5);  // 3 stored pairs + the pending one: 5 points
                std::vector<double> p(n), g(n);
                for (int i = 0; i < count; ++i) {
                    m.history_point(i, p.data());
                    m.history_gradient(i, g.data());
                    const auto& xe = xs[xs.size() - count + i];
                    const auto& ge = gs[gs.size() - count + i];
                    CHECK(max_relative_difference(p, xe) < 1e-12);
                    CHECK(max_relative_difference(g, ge) < 1e-10);
                }
                checked = true;
            }
            t = m.proceed();
        }
    }
    CHECK(checked);
}

// Runs Rosenbrock + lambda0 |x|^2/2; at iteration k redefines it to lambda1 (or keeps lambda0 when
// lambda1 == lambda0), giving the exact gradients of the new objective at the history points.
struct RedefinedRun {
    Status status;
    std::int64_t nit, nfev;
    double f;
    std::vector<double> x;
    int kept;
};

RedefinedRun run_with_redefinition(double lambda0, double lambda1, std::int64_t at) {
    const std::int64_t n = 10;
    Options o;
    o.history_size = 5;
    o.relative_reduction_tolerance = 1e-14;
    o.projected_gradient_tolerance = 1e-9;
    Minimizer m(n, o);
    for (int i = 0; i < n; ++i) m.x()[i] = (i % 2 == 0) ? -1.2 : 1.0;
    Reweighted obj{lambda0};
    RedefinedRun r{};
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            t = m.submit(obj(n, m.x(), m.gradient()));
        } else {
            if (m.iterations() == at) {
                Reweighted next{lambda1};
                const int count = m.history_count();
                std::vector<double> p(n), g(n);
                // f at the point the line search started from: the new "previous f".
                m.history_point(count - 2, p.data());
                const double f_previous = next(n, p.data(), g.data());
                m.begin_redefinition();
                double f = 0;
                for (int i = 0; i < count; ++i) {
                    m.history_point(i, p.data());
                    f = next(n, p.data(), g.data());
                    m.redefine_gradient(i, g.data());
                }
                r.kept = m.end_redefinition(f, f_previous);
                obj = next;
            }
            t = m.proceed();
        }
    }
    r.status = m.status();
    r.nit = m.iterations();
    r.nfev = m.evaluations();
    r.f = m.f();
    r.x.assign(m.x(), m.x() + n);
    return r;
}

void identity_redefinition_keeps_the_run_on_course() {
    RedefinedRun plain = run_with_redefinition(0.1, 0.1, -1);
    RedefinedRun same = run_with_redefinition(0.1, 0.1, 8);
    CHECK(same.kept == 5);
    CHECK(plain.status == Status::ConvergedProjectedGradient || plain.status == Status::ConvergedRelativeReduction);
    CHECK(same.status == Status::ConvergedProjectedGradient || same.status == Status::ConvergedRelativeReduction);
    CHECK(max_relative_difference(same.x, plain.x) < 1e-6);
    CHECK(std::llabs(same.nit - plain.nit) <= 3);  // rounding-level history changes
}

void a_reweighted_objective_is_minimized() {
    RedefinedRun switched = run_with_redefinition(0.0, 1.0, 6);
    RedefinedRun direct = run_with_redefinition(1.0, 1.0, -1);
    CHECK(switched.status == Status::ConvergedProjectedGradient || switched.status == Status::ConvergedRelativeReduction);
    CHECK(max_relative_difference(switched.x, direct.x) < 1e-6);
    CHECK(std::fabs(switched.f - direct.f) < 1e-9 * std::fmax(1.0, std::fabs(direct.f)));
}

void out_of_order_calls_are_refused() {
    Minimizer m(2, Options{});
    m.x()[0] = -1.2;
    m.x()[1] = 1.0;
    Task t = m.start();
    bool threw = false;
    try {
        m.history_count();
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
    double f = 0;
    while (t != Task::NewIterate) {
        problems::rosen(2, m.x(), &f, m.gradient(), nullptr);
        t = m.submit(f);
    }
    std::vector<double> g(2);
    threw = false;
    try {
        m.redefine_gradient(0, g.data());  // no begin_redefinition()
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
    m.begin_redefinition();
    threw = false;
    try {
        m.end_redefinition(0.0, 0.0);  // gradients missing
    } catch (const std::logic_error&) {
        threw = true;
    }
    CHECK(threw);
}

}  // namespace

int main() {
    history_is_reconstructed_after_wrapping();
    identity_redefinition_keeps_the_run_on_course();
    a_reweighted_objective_is_minimized();
    out_of_order_calls_are_refused();
    return check::report("redefinition_test");
}
