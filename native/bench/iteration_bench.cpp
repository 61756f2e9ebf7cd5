// Solver time per iteration of the native core, objective excluded (a profiling harness, not a
// test): runs `iterations` iterations of the driver1 problem (bounded) or chained Rosenbrock
// (unbounded) at size n, m = 10, timing the objective separately.
//   iteration_bench driver|rosenbrock n iterations [m [reference|fast [threads [runs]]]]
// Prints one line per run: problem, n, iterations, evaluations, total ms, objective ms, solver
// ms/iteration. With runs > 1 the whole solve is repeated in the same process, each with a new
// Minimizer: the first run faults its memory in (on a VM, possibly memory the host had taken
// back), the later ones reuse memory freed moments before ("warm").
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "lbfgsb/blas_threads.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

int main(int argc, char** argv) {
    lbfgsb::set_blas_threads(1);  // as the JVM binding does
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s driver|rosenbrock n iterations [m [reference|fast [threads [runs]]]]\n", argv[0]);
        return 2;
    }
    const std::string problem = argv[1];
    const std::int64_t n = std::atoll(argv[2]);
    const std::int64_t iterations = std::atoll(argv[3]);
    lbfgsb::Options o;
    o.history_size = argc > 4 ? std::atoll(argv[4]) : 10;
    o.max_iterations = iterations;
    const std::string arithmetic = argc > 5 ? argv[5] : "reference";
    o.arithmetic = arithmetic == "fast" ? lbfgsb::Arithmetic::Fast : lbfgsb::Arithmetic::Reference;
    o.threads = argc > 6 ? std::atoll(argv[6]) : 1;
    const int runs = argc > 7 ? std::atoi(argv[7]) : 1;
    o.projected_gradient_tolerance = 0.0;
    o.relative_reduction_tolerance = 0.0;
    for (int run = 0; run < runs; ++run) {
        lbfgsb::Minimizer mz(n, o);
        double* x = mz.x();
        const bool driver = problem == "driver";
        if (driver) {
            problems::driver_bounds(n, mz.lower(), mz.upper());
            for (std::int64_t i = 0; i < n; ++i) x[i] = 3.0;
        } else {
            for (std::int64_t i = 0; i < n; ++i) x[i] = (i % 2 == 0) ? -1.2 : 1.0;
        }
        using clock = std::chrono::steady_clock;
        // Thread CPU time as well: on a loaded machine it leaves out the time spent waiting for a core.
        auto cpu_now = [] {
            timespec ts;
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            return ts.tv_sec + 1e-9 * ts.tv_nsec;
        };
        double objective_cpu_s = 0.0;
        const double cpu0 = cpu_now();
        double objective_s = 0.0;
        const auto t0 = clock::now();
        for (lbfgsb::Task t = mz.start(); t != lbfgsb::Task::Done;) {
            if (t == lbfgsb::Task::Evaluate) {
                const auto a = clock::now();
                const double ca = cpu_now();
                double f = 0.0;
                if (driver) problems::driver(n, mz.x(), &f, mz.gradient(), nullptr);
                else problems::rosen(n, mz.x(), &f, mz.gradient(), nullptr);
                objective_s += std::chrono::duration<double>(clock::now() - a).count();
                objective_cpu_s += cpu_now() - ca;
                t = mz.submit(f);
            } else {
                t = mz.proceed();
            }
        }
        const double total_s = std::chrono::duration<double>(clock::now() - t0).count();
        const double total_cpu_s = cpu_now() - cpu0;
        const std::int64_t it = mz.iterations();
        std::printf("%s %s threads=%lld n=%lld iterations=%lld evaluations=%lld total_ms=%.1f objective_ms=%.1f solver_ms_per_iteration=%.2f solver_cpu_ms_per_iteration=%.2f f=%.17g status=%s\n",
                    problem.c_str(), arithmetic.c_str(), (long long)o.threads, (long long)n, (long long)it, (long long)mz.evaluations(), total_s * 1e3,
                    objective_s * 1e3, (total_s - objective_s) * 1e3 / (it > 0 ? it : 1),
                    (total_cpu_s - objective_cpu_s) * 1e3 / (it > 0 ? it : 1), mz.f(), mz.message());
    }
    return 0;
}
