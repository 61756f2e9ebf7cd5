// Whole small solves in the native core (a profiling harness, not a test): bounded chained
// Rosenbrock in [-2, 0.5]^n from (-1.2, 1, ...) clipped onto the box (the benchmarks' rosenbrock_box,
// SciPy's defaults, m = 10), repeated; prints microseconds per solve for each arithmetic.
//   small_solve_bench [repeats] [n ...] [reference] [fast]   (default: 10 30 100, both)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lbfgsb/blas_threads.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

namespace {

struct Result {
    double us_per_solve;
    std::int64_t nit, nfev;
};

Result time_solves(std::int64_t n, int repeats, lbfgsb::Arithmetic arithmetic) {
    lbfgsb::Options o;
    o.arithmetic = arithmetic;
    Result r{0, 0, 0};
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < repeats; ++k) {
        lbfgsb::Minimizer mz(n, o);
        for (std::int64_t i = 0; i < n; ++i) {
            mz.lower()[i] = -2.0;
            mz.upper()[i] = 0.5;
            mz.x()[i] = (i % 2 == 0) ? -1.2 : 0.5;
        }
        lbfgsb::run(mz, problems::rosen, nullptr);
        r.nit = mz.iterations();
        r.nfev = mz.evaluations();
    }
    r.us_per_solve = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / repeats;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    lbfgsb::set_blas_threads(1);  // as the JVM binding does
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 2000;
    std::vector<std::int64_t> sizes;
    std::vector<lbfgsb::Arithmetic> arithmetics;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "reference") == 0) {
            arithmetics.push_back(lbfgsb::Arithmetic::Reference);
        } else if (std::strcmp(argv[i], "fast") == 0) {
            arithmetics.push_back(lbfgsb::Arithmetic::Fast);
        } else {
            sizes.push_back(std::atoll(argv[i]));
        }
    }
    if (sizes.empty()) sizes = {10, 30, 100};
    if (arithmetics.empty()) arithmetics = {lbfgsb::Arithmetic::Reference, lbfgsb::Arithmetic::Fast};
    for (std::int64_t n : sizes) {
        for (auto a : arithmetics) {
            time_solves(n, repeats / 10 + 1, a);  // warm-up
            const Result r = time_solves(n, repeats, a);
            std::printf("n=%lld %s: %.1f us/solve (nit %lld, nfev %lld)\n", (long long)n,
                        a == lbfgsb::Arithmetic::Fast ? "fast" : "reference", r.us_per_solve, (long long)r.nit,
                        (long long)r.nfev);
        }
    }
    return 0;
}
