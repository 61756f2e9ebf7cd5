// What transparent huge pages do for the solver's large arrays (a measuring harness, not a test).
// Uses the core's own allocation (memory::map_large), so LBFGSB4J_HUGE_PAGES=off in the
// environment measures 4 KiB pages and anything else 2 MiB ones:
//   memory_bench [n = 1000000] [m = 10] [pause_s = 3] [repeats = 3]
// 1. A history pass as Arithmetic::Fast runs it: 2m columns of n doubles (m y's, m s's) against
//    one weight (as the subspace step reads W) and three (the reduced-gradient pass), in blocks
//    of fast::kBlock rows; best of 5.
// 2. Faulting in fresh memory: map (2m + 9) n doubles (the workspace) and write one byte per
//    4 KiB, after pause_s seconds of sleep (on a VM that hands freed memory back to its host, the
//    pause lets the last run's memory go back first); each repeat reports its time.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "fast.hpp"
#include "state.hpp"

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    using lbfgsb::fast::kBlock;
    const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
    const int m = argc > 2 ? std::atoi(argv[2]) : 10;
    const int pause_s = argc > 3 ? std::atoi(argv[3]) : 3;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 3;
    const char* pages = lbfgsb::memory::huge_pages_enabled() ? "2MiB" : "4KiB";

    {
        lbfgsb::Buffer<double> wy(n * m), ws(n * m), weights(3 * n);
        for (std::int64_t i = 0; i < n * m; ++i) {
            wy[i] = 1.0 / static_cast<double>(i % 1000 + 1);
            ws[i] = 0.5 / static_cast<double>(i % 997 + 1);
        }
        for (std::int64_t i = 0; i < 3 * n; ++i) weights[i] = static_cast<double>(i % 13) - 6.0;
        std::vector<double> lanes(static_cast<std::size_t>(8 * 6 * m), 0.0);
        std::vector<const double*> columns(static_cast<std::size_t>(2 * m));  // y_0..y_{m-1}, s_0..s_{m-1}
        for (int j = 0; j < m; ++j) {
            columns[j] = wy.data() + j * n;
            columns[m + j] = ws.data() + j * n;
        }
        const int y_base[3] = {0, m, 2 * m};  // weight k's sums for pair j: y at y_base[k] + j
        const int s_base[3] = {3 * m, 4 * m, 5 * m};
        for (int count : {1, 3}) {
        double best = 1e300, check = 0.0;
        for (int r = 0; r < 5; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            for (std::int64_t b0 = 0; b0 < n; b0 += kBlock) {
                const std::int64_t len = b0 + kBlock < n ? kBlock : n - b0;
                const double* v[3] = {weights.data() + b0, weights.data() + n + b0, weights.data() + 2 * n + b0};
                lbfgsb::fast::accumulate_pairs(m, count, 0, v, y_base, s_base, columns.data(), b0, lanes.data(), len);
            }
            const double t = ms_since(t0);
            if (t < best) best = t;
            check += lanes[3];
        }
        std::printf("pages=%s history_pass n=%lld m=%d weights=%d best_ms=%.2f (check %g)\n", pages,
                    static_cast<long long>(n), m, count, best, check);
        }
    }
    const std::size_t bytes = static_cast<std::size_t>(2 * m + 9) * static_cast<std::size_t>(n) * sizeof(double);
    for (int r = 0; r < repeats; ++r) {
        std::this_thread::sleep_for(std::chrono::seconds(pause_s));
        const auto t0 = std::chrono::steady_clock::now();
        auto* p = static_cast<volatile char*>(lbfgsb::memory::map_large(bytes));
        for (std::size_t i = 0; i < bytes; i += 4096) p[i] = 1;
        const double t = ms_since(t0);
        lbfgsb::memory::unmap_large(const_cast<char*>(p), bytes);
        std::printf("pages=%s fault_in MB=%.0f after_pause_s=%d ms=%.1f ms_per_MB=%.3f\n", pages,
                    static_cast<double>(bytes) / 1048576.0, pause_s, t, t / (static_cast<double>(bytes) / 1048576.0));
    }
    return 0;
}
