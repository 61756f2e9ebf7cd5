// Arithmetic::Fast: its sums follow the documented order bit for bit; it takes the same decisions
// as Reference on well-conditioned problems (same counts, same status, results within rounding),
// on every path (bounded and dense, bounded with few free variables, unconstrained, sizes around
// the block and chunk boundaries); and it is deterministic.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "fast.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

using lbfgsb::Arithmetic;
using lbfgsb::Minimizer;
using lbfgsb::Options;
using lbfgsb::Status;
using lbfgsb::Task;

namespace {

// The order of fast.hpp written out plainly: chunks of 4096 rows, lane = row mod 8, lanes
// combined pairwise, chunk sums added in order.
double documented_order_dot(std::int64_t n, const double* a, const double* b) {
    double total = 0.0;
    for (std::int64_t c0 = 0; c0 < n; c0 += 4096) {
        double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (std::int64_t i = c0; i < n && i < c0 + 4096; ++i) lane[i % 8] = lane[i % 8] + a[i] * b[i];
        total = total + (((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7])));
    }
    return total;
}

void sums_follow_the_documented_order() {
    std::uint64_t state = 12345;
    auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(static_cast<std::int64_t>(state >> 11)) / 9007199254740992.0 - 0.5;
    };
    for (std::int64_t n : {1, 3, 7, 8, 9, 15, 511, 512, 513, 2047, 2048, 2049, 4095, 4096, 4097, 10000, 20001}) {
        std::vector<double> a(n), b(n);
        for (std::int64_t i = 0; i < n; ++i) {
            a[i] = next() * std::pow(10.0, 6 * next());  // spread magnitudes: the order matters
            b[i] = next();
        }
        CHECK(check::bits_equal(lbfgsb::fast::dot(n, a.data(), b.data()), documented_order_dot(n, a.data(), b.data())));
        // The multi-sum kernel: four sums of one column against four weights, over blocks.
        std::vector<double> lanes(32, 0.0);
        double* l[4] = {&lanes[0], &lanes[8], &lanes[16], &lanes[24]};
        const double* v[4] = {b.data(), a.data(), b.data(), a.data()};
        double totals[4] = {0, 0, 0, 0};
        for (std::int64_t c0 = 0; c0 < n; c0 += lbfgsb::fast::kChunk) {
            const std::int64_t c1 = std::min(n, c0 + lbfgsb::fast::kChunk);
            for (std::int64_t b0 = c0; b0 < c1; b0 += lbfgsb::fast::kBlock) {
                lbfgsb::fast::accumulate_n(4, a.data(), v, l, b0, std::min(c1, b0 + lbfgsb::fast::kBlock));
            }
            for (int k = 0; k < 4; ++k) {
                totals[k] = totals[k] + lbfgsb::fast::combine(l[k]);
                for (int j = 0; j < 8; ++j) l[k][j] = 0.0;
            }
        }
        CHECK(check::bits_equal(totals[0], documented_order_dot(n, a.data(), b.data())));
        CHECK(check::bits_equal(totals[1], documented_order_dot(n, a.data(), a.data())));
        CHECK(check::bits_equal(totals[2], totals[0]) && check::bits_equal(totals[3], totals[1]));
        // The two-column kernel: columns a and b against weights b, a, c (c = b - a), blocks
        // starting at multiples of 8 as in the passes.
        std::vector<double> c(n);
        for (std::int64_t i = 0; i < n; ++i) c[i] = b[i] - a[i];
        std::vector<double> pl(48, 0.0);  // sums 0-2: a against the weights, 3-5: b
        const int y_base[3] = {0, 1, 2};
        const int s_base[3] = {3, 4, 5};
        const double* columns[2] = {a.data(), b.data()};  // one pair: y = a, s = b
        const double* pv[3] = {b.data(), a.data(), c.data()};
        double pt[6] = {0, 0, 0, 0, 0, 0};
        for (std::int64_t c0 = 0; c0 < n; c0 += lbfgsb::fast::kChunk) {
            const std::int64_t c1 = std::min(n, c0 + lbfgsb::fast::kChunk);
            for (std::int64_t b0 = c0; b0 < c1; b0 += 1024) {
                const std::int64_t len = std::min(c1, b0 + 1024) - b0;
                const double* shifted[3] = {pv[0] + b0, pv[1] + b0, pv[2] + b0};
                lbfgsb::fast::accumulate_pairs(1, 3, 0, shifted, y_base, s_base, columns, b0, pl.data(), len);
            }
            for (int k = 0; k < 6; ++k) {
                double* l = &pl[8 * k];
                pt[k] = pt[k] + lbfgsb::fast::combine(l);
                for (int j = 0; j < 8; ++j) l[j] = 0.0;
            }
        }
        CHECK(check::bits_equal(pt[0], documented_order_dot(n, a.data(), b.data())));
        CHECK(check::bits_equal(pt[1], documented_order_dot(n, a.data(), a.data())));
        CHECK(check::bits_equal(pt[2], documented_order_dot(n, a.data(), c.data())));
        CHECK(check::bits_equal(pt[3], documented_order_dot(n, b.data(), b.data())));
        CHECK(check::bits_equal(pt[4], documented_order_dot(n, b.data(), a.data())));
        CHECK(check::bits_equal(pt[5], documented_order_dot(n, b.data(), c.data())));
    }
}

struct Outcome {
    Status status;
    std::int64_t nit, nfev;
    double f;
    std::vector<double> x;
};

using Objective = int (*)(std::int64_t, const double*, double*, double*, void*);

Outcome solve(std::int64_t n, Objective fg, Arithmetic arithmetic, const std::vector<double>& x0,
              const std::vector<double>& lower, const std::vector<double>& upper, std::int64_t m = 10) {
    Options o;
    o.arithmetic = arithmetic;
    o.history_size = m;
    Minimizer mz(n, o);
    for (std::int64_t i = 0; i < n; ++i) {
        mz.x()[i] = x0[i];
        mz.lower()[i] = lower[i];
        mz.upper()[i] = upper[i];
    }
    lbfgsb::run(mz, fg, nullptr);
    return Outcome{mz.status(), mz.iterations(), mz.evaluations(), mz.f(), std::vector<double>(mz.x(), mz.x() + n)};
}

// Rounding-level agreement of two runs that took the same decisions: the solvers stop on
// tolerances of 1e-5 (pgtol) and ~2e-9 (factr), so the iterates of two summation orders agree to
// far better than that unless a decision differs; 1e-8 relative (absolute below 1) catches any
// lost or extra iteration while leaving room for the orders' rounding.
constexpr double kAgreement = 1e-8;

void check_agreement(const char* what, const Outcome& fast, const Outcome& ref) {
    const bool same_counts = fast.status == ref.status && fast.nit == ref.nit && fast.nfev == ref.nfev;
    CHECK(same_counts);
    double dx = 0.0;
    for (std::size_t i = 0; i < fast.x.size(); ++i) dx = std::fmax(dx, std::fabs(fast.x[i] - ref.x[i]) / std::fmax(1.0, std::fabs(ref.x[i])));
    const double df = std::fabs(fast.f - ref.f) / std::fmax(1.0, std::fabs(ref.f));
    CHECK(dx <= kAgreement);
    CHECK(df <= kAgreement);
    if (!same_counts || dx > kAgreement || df > kAgreement)
        std::printf("  %s: fast nit %lld nfev %lld, reference nit %lld nfev %lld, dx %.3g, df %.3g\n", what,
                    (long long)fast.nit, (long long)fast.nfev, (long long)ref.nit, (long long)ref.nfev, dx, df);
}

void same_decisions_as_reference_on_every_path() {
    const double inf = INFINITY;
    for (std::int64_t n : {2, 3, 7, 25, 513, 2049, 4097, 9001}) {  // the driver function needs n >= 2
        // Bounded, about half the variables free at the solution (the dense masked path).
        std::vector<double> x0(n, 3.0), l(n), u(n);
        problems::driver_bounds(n, l.data(), u.data());
        Outcome a = solve(n, problems::driver, Arithmetic::Fast, x0, l, u);
        Outcome b = solve(n, problems::driver, Arithmetic::Reference, x0, l, u);
        check_agreement("driver", a, b);
        Outcome again = solve(n, problems::driver, Arithmetic::Fast, x0, l, u);
        CHECK(check::bits_equal(again.f, a.f) && again.x == a.x);  // deterministic

        // Unconstrained (the fused unconstrained passes): the driver function without its box
        // (chained Rosenbrock from (-1.2, 1, ...) is chaotic over thousands of iterations: any
        // rounding change leads elsewhere, so it is no test of decisions).
        std::vector<double> no_l(n, -inf), no_u(n, inf);
        check_agreement("driver unbounded", solve(n, problems::driver, Arithmetic::Fast, x0, no_l, no_u, 5),
                        solve(n, problems::driver, Arithmetic::Reference, x0, no_l, no_u, 5));

        // Bounded with few free variables (Fast falls back to the index walk): most variables
        // of f = sum x_i + exp(-10 x_i) sit on a lower bound above the minimiser.
        std::vector<double> e0(n, 1.0), el(n), eu(n, inf);
        for (std::int64_t i = 0; i < n; ++i) el[i] = (i % 16 == 0) ? -inf : 0.5;
        check_agreement("exp sparse free set", solve(n, problems::exp_linear, Arithmetic::Fast, e0, el, eu),
                        solve(n, problems::exp_linear, Arithmetic::Reference, e0, el, eu));
    }
    // Chained Rosenbrock in [-2, 0.5]^n from (-1.2, 0.5, ...): the projected Newton point is at
    // times no descent direction, so subsm falls back to the 1995 truncated step (Fast forms the
    // Newton direction a second time for it). It converges in a few dozen iterations here.
    for (std::int64_t n : {10, 100, 1000}) {
        std::vector<double> x0(n), l(n, -2.0), u(n, 0.5);
        for (std::int64_t i = 0; i < n; ++i) x0[i] = (i % 2 == 0) ? -1.2 : 0.5;
        check_agreement("rosenbrock in a box", solve(n, problems::rosen, Arithmetic::Fast, x0, l, u),
                        solve(n, problems::rosen, Arithmetic::Reference, x0, l, u));
    }
}

// Any number of threads gives the same bits (each thread takes whole chunks; chunk sums are added
// in chunk order). n large enough for 2 and 3 threads (64k rows each) in the passes and, bounded,
// in formk's sweep (about half the variables leave the free set at once), a few iterations.
void threads_do_not_change_the_bits() {
    const std::int64_t n = 2 * 3 * 16 * 4096 + 1234;
    const double inf = INFINITY;
    std::vector<double> x0(n, 3.0), l(n), u(n), no_l(n, -inf), no_u(n, inf);
    problems::driver_bounds(n, l.data(), u.data());
    for (int bounded = 0; bounded < 2; ++bounded) {
        std::vector<Outcome> runs;
        for (std::int64_t threads : {1, 2, 3}) {
            Options o;
            o.arithmetic = Arithmetic::Fast;
            o.threads = threads;
            o.max_iterations = 12;
            Minimizer mz(n, o);
            for (std::int64_t i = 0; i < n; ++i) {
                mz.x()[i] = x0[i];
                mz.lower()[i] = bounded ? l[i] : no_l[i];
                mz.upper()[i] = bounded ? u[i] : no_u[i];
            }
            lbfgsb::run(mz, problems::driver, nullptr);
            runs.push_back(Outcome{mz.status(), mz.iterations(), mz.evaluations(), mz.f(),
                                   std::vector<double>(mz.x(), mz.x() + n)});
        }
        CHECK_EQ(runs[0].nit, 12);
        for (std::size_t k = 1; k < runs.size(); ++k) {
            CHECK(runs[k].nfev == runs[0].nfev && check::bits_equal(runs[k].f, runs[0].f));
            CHECK(runs[k].x == runs[0].x);
        }
    }
    Options bad;
    bad.threads = 0;
    bool refused = false;
    try {
        Minimizer m(10, bad);
    } catch (const std::invalid_argument&) {
        refused = true;
    }
    CHECK(refused);
}

}  // namespace

int main() {
    sums_follow_the_documented_order();
    same_decisions_as_reference_on_every_path();
    threads_do_not_change_the_bits();
    return check::report("fast_arithmetic_test");
}
