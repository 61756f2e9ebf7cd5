// ns per call of small_linalg.hpp's potrf_upper / trtrs_upper against OpenBLAS's dpotrf / dtrtrs
// (via blas.hpp), at the orders the compact L-BFGS matrices have (a timing harness, not a test):
//   small_linalg_bench [order ...]        (default 3 5 10 20 40 100 200)
// For each order n (lda = n + 3, an SPD matrix of condition 1e4 and its factor):
//   potrf          copy A into the work buffer, factor it
//   trtrs N / T    copy b (n doubles), solve U x = b / U'x = b (nrhs = 1: bmv, subsm)
//   trtrs T nrhs=n copy B (n x n), solve U'X = B (formk's nrhs = col)
//   copy           the copies alone (included in the columns above, the same for both)
// Ours and OpenBLAS alternate over 7 rounds; each figure is the best round (the least disturbed
// by other load on the machine). OpenBLAS runs on one thread, as the JVM side sets it by default
// (LbfgsbNative: blas_set_num_threads(1)); with more, dtrtrs with nrhs > 1 wakes its thread pool.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "blas.hpp"
#include "small_linalg.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

inline void clobber(void* p) { asm volatile("" : : "r"(p) : "memory"); }

// Repetitions so that one batch of f takes >= 2 ms.
template <class F>
long calibrate(F&& f) {
    using clock = std::chrono::steady_clock;
    for (long reps = 16;; reps *= 2) {
        const auto t0 = clock::now();
        for (long r = 0; r < reps; ++r) f();
        if (std::chrono::duration<double>(clock::now() - t0).count() >= 2e-3) return reps;
    }
}

template <class F>
double batch_ns(long reps, F&& f) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    for (long r = 0; r < reps; ++r) f();
    return std::chrono::duration<double>(clock::now() - t0).count() * 1e9 / reps;
}

// Best-of-rounds ns/call for ours and OpenBLAS, measured alternately.
template <class A, class B>
void compare(const char* what, A&& ours, B&& ref, double copy_ns) {
    const long ra = calibrate(ours), rb = calibrate(ref);
    double a = INFINITY, b = INFINITY;
    for (int round = 0; round < 7; ++round) {
        a = std::min(a, batch_ns(ra, ours));
        b = std::min(b, batch_ns(rb, ref));
    }
    std::printf("  %-16s ours %9.1f  OpenBLAS %9.1f  ratio %5.2f  (copy %6.1f)\n", what, a, b, b / a, copy_ns);
}

}  // namespace

int main(int argc, char** argv) {
    openblas_set_num_threads(1);
    std::vector<int> orders;
    for (int i = 1; i < argc; ++i) orders.push_back(std::atoi(argv[i]));
    if (orders.empty()) orders = {3, 5, 10, 20, 40, 100, 200};
    namespace sm = lbfgsb::small;
    namespace bl = lbfgsb::blas;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> uni(-1.0, 1.0);
    std::printf("ns/call, best of 7 alternating rounds; ratio = OpenBLAS / ours\n");
    for (int n : orders) {
        const int lda = n + 3;
        // SPD A = G'G / n + 1e-4 I-ish: condition ~1e4 is not needed exactly for timing.
        std::vector<double> g(std::size_t(n) * n), a(std::size_t(lda) * n, 0.0);
        for (double& v : g) v = uni(rng);
        for (int j = 0; j < n; ++j)
            for (int i = 0; i <= j; ++i) {
                double s = 0.0;
                for (int k = 0; k < n; ++k) s += g[k + std::size_t(n) * i] * g[k + std::size_t(n) * j];
                a[i + std::size_t(lda) * j] = s / n + (i == j ? 1e-4 : 0.0);
            }
        std::vector<double> u = a, w = a;
        if (bl::potrf_upper(n, u.data(), lda) != 0) { std::printf("n=%d: not PD\n", n); return 1; }
        std::vector<double> b0(n), x(n), bb0(std::size_t(n) * n), xx(std::size_t(n) * n);
        for (double& v : b0) v = uni(rng);
        for (double& v : bb0) v = uni(rng);
        const std::size_t abytes = a.size() * sizeof(double), bbytes = n * sizeof(double),
                          bbbytes = bb0.size() * sizeof(double);
        std::printf("n = %d\n", n);

        auto copy_a = [&] { std::memcpy(w.data(), a.data(), abytes); clobber(w.data()); };
        const double ca = batch_ns(calibrate(copy_a), copy_a);
        compare("potrf",
                [&] { std::memcpy(w.data(), a.data(), abytes); sm::potrf_upper(n, w.data(), lda); clobber(w.data()); },
                [&] { std::memcpy(w.data(), a.data(), abytes); bl::potrf_upper(n, w.data(), lda); clobber(w.data()); },
                ca);

        auto copy_b = [&] { std::memcpy(x.data(), b0.data(), bbytes); clobber(x.data()); };
        const double cb = batch_ns(calibrate(copy_b), copy_b);
        for (int tr = 0; tr < 2; ++tr) {
            compare(tr ? "trtrs T" : "trtrs N",
                    [&] { std::memcpy(x.data(), b0.data(), bbytes); sm::trtrs_upper(tr, n, 1, u.data(), lda, x.data(), n); clobber(x.data()); },
                    [&] { std::memcpy(x.data(), b0.data(), bbytes); bl::trtrs_upper(tr, n, 1, u.data(), lda, x.data(), n); clobber(x.data()); },
                    cb);
        }
        auto copy_bb = [&] { std::memcpy(xx.data(), bb0.data(), bbbytes); clobber(xx.data()); };
        const double cbb = batch_ns(calibrate(copy_bb), copy_bb);
        compare("trtrs T nrhs=n",
                [&] { std::memcpy(xx.data(), bb0.data(), bbbytes); sm::trtrs_upper(true, n, n, u.data(), lda, xx.data(), n); clobber(xx.data()); },
                [&] { std::memcpy(xx.data(), bb0.data(), bbbytes); bl::trtrs_upper(true, n, n, u.data(), lda, xx.data(), n); clobber(xx.data()); },
                cbb);
    }
    return 0;
}
