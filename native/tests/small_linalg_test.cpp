// small_linalg.hpp (our potrf_upper / trtrs_upper) against LAPACK (OpenBLAS, via blas.hpp):
// random SPD matrices of orders 1..60 with lda > n at several condition numbers, non-PD, NaN and
// singular cases (info as LAPACK's), nrhs > 1, both trans values, and that nothing outside the
// leading upper triangle / the n x nrhs block of B is touched. Ends with an informative timing
// printout (not an assertion); native/bench/small_linalg_bench.cpp measures more thoroughly.
//
// Tolerances (eps = 2^-52, unit roundoff u = eps / 2, gamma_k = k u / (1 - k u) ~ k eps / 2).
// Residuals are computed in long double (64-bit significand) so their own error is negligible.
//  - Cholesky backward error (Higham, ASNA 2nd ed., Thm 10.3): the computed U satisfies
//    U'U = A + dA with |dA| <= gamma_{n+1} |U'||U|, and (|U'||U|)_ij <= sqrt(a_ii a_jj) by
//    Cauchy-Schwarz (columns of U have norms sqrt(a_ii) up to rounding). Checked componentwise:
//        |A - U'U|_ij <= kCholeskyBackward * (n+1) * eps * sqrt(a_ii a_jj),  kCholeskyBackward = 2
//    (gamma_{n+1} ~ (n+1) eps / 2, so a factor-4 margin). Independent of the condition number.
//  - Cholesky factors, ours vs LAPACK: perturbation theory (Higham Thm 10.8, after Sun) gives
//    ||dU||_F / ||U||_2 <~ kappa_2(A) ||dA||_F / ||A||_2 / sqrt(2), and ||dA||_F <= gamma_{n+1}
//    || |U'||U| ||_F <= gamma_{n+1} n ||A||_2; for two backward-stable factors
//        ||U_ours - U_lapack||_F / ||U||_2 <= kCholeskyForward * n (n+1) eps kappa_2(A),  = 1.
//  - Triangular solves, backward (Higham Thm 8.5; holds for any summation order, and with
//    reciprocal multiplication with gamma_{n+1}): (T + dT) x = b with |dT| <= gamma_n |T|, so
//        |b - T x|_i <= kSolveBackward * n * eps * (|T||x|)_i,   kSolveBackward = 2.
//  - Triangular solves, ours vs LAPACK, to first order x - x* = -T^-1 dT x*, so
//        ||x_ours - x_lapack||_inf <= kSolveForward * n * eps * || |T^-1||T||x| ||_inf,  = 2
//    (Skeel's condition; T^-1 from LAPACK, its |.| is accurate enough for a bound).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "blas.hpp"
#include "check.hpp"
#include "small_linalg.hpp"

extern "C" void openblas_set_num_threads(int);

namespace {

using lbfgsb::blas::potrf_upper;
using lbfgsb::blas::trtrs_upper;
namespace sm = lbfgsb::small;

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kCholeskyBackward = 2.0;
constexpr double kCholeskyForward = 1.0;
constexpr double kSolveBackward = 2.0;
constexpr double kSolveForward = 2.0;
// Fills the parts of a buffer a routine must not touch (strictly lower triangle, rows n..ld-1).
constexpr double kSentinel = -777.25;

std::mt19937_64 rng(20240611);
double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

// Column-major matrix with a leading dimension.
struct Mat {
    int rows, cols, ld;
    std::vector<double> v;
    Mat(int r, int c, int l, double fill = 0.0) : rows(r), cols(c), ld(l), v(std::size_t(l) * c, fill) {}
    double& operator()(int i, int j) { return v[i + std::size_t(ld) * j]; }
    double operator()(int i, int j) const { return v[i + std::size_t(ld) * j]; }
    double* data() { return v.data(); }
};

// Dense symmetric A = Q diag(lambda) Q' (ld = n), lambda geometric from 1 down to 1/cond, Q a
// product of n random Householder reflections (so kappa_2(A) = cond, up to rounding).
Mat random_spd(int n, double cond) {
    Mat a(n, n, n);
    for (int i = 0; i < n; ++i) a(i, i) = n == 1 ? 1.0 : std::pow(cond, -double(i) / (n - 1));
    std::vector<double> h(n), w(n);
    for (int r = 0; r < n; ++r) {
        double hh = 0.0;
        for (int i = 0; i < n; ++i) { h[i] = uniform(-1, 1); hh += h[i] * h[i]; }
        // A = (I - 2hh'/h'h) A (I - 2hh'/h'h): rows, then columns.
        for (int j = 0; j < n; ++j) {
            double s = 0.0;
            for (int i = 0; i < n; ++i) s += h[i] * a(i, j);
            for (int i = 0; i < n; ++i) a(i, j) -= 2.0 * s / hh * h[i];
        }
        for (int i = 0; i < n; ++i) {
            double s = 0.0;
            for (int j = 0; j < n; ++j) s += a(i, j) * h[j];
            for (int j = 0; j < n; ++j) a(i, j) -= 2.0 * s / hh * h[j];
        }
    }
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < j; ++i) a(j, i) = a(i, j) = 0.5 * (a(i, j) + a(j, i));
    return a;
}

// The upper triangle of the dense symmetric a in an n x n block with leading dimension lda,
// everything else kSentinel.
Mat upper_with_sentinel(const Mat& a, int lda) {
    Mat b(a.rows, a.cols, lda, kSentinel);
    for (int j = 0; j < a.cols; ++j)
        for (int i = 0; i <= j; ++i) b(i, j) = a(i, j);
    return b;
}

// Everything outside the leading upper triangle still holds kSentinel (bitwise).
bool outside_upper_untouched(const Mat& b) {
    for (int j = 0; j < b.cols; ++j)
        for (int i = j + 1; i < b.ld; ++i)
            if (!check::bits_equal(b(i, j), kSentinel)) return false;
    return true;
}

// max over i<=j of |A - U'U|_ij / ((n+1) eps sqrt(a_ii a_jj)): to be <= kCholeskyBackward.
double cholesky_backward_ratio(const Mat& a, const Mat& u) {
    const int n = a.rows;
    double worst = 0.0;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i <= j; ++i) {
            long double s = 0.0L;
            for (int k = 0; k <= i; ++k) s += (long double)u(k, i) * u(k, j);
            const double r = double(std::fabs((long double)a(i, j) - s));
            worst = std::max(worst, r / ((n + 1) * kEps * std::sqrt(a(i, i) * a(j, j))));
        }
    return worst;
}

// ||U1 - U2||_F / (||U||_2 n (n+1) eps kappa): to be <= kCholeskyForward. ||U||_2 = sqrt(||A||_2)
// = 1 for random_spd (largest eigenvalue 1).
double cholesky_forward_ratio(const Mat& u1, const Mat& u2, double kappa) {
    const int n = u1.rows;
    double d = 0.0;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i <= j; ++i) d += (u1(i, j) - u2(i, j)) * (u1(i, j) - u2(i, j));
    return std::sqrt(d) / (double(n) * (n + 1) * kEps * kappa);
}

void cholesky_agrees_with_lapack_on_random_spd() {
    const double conds[] = {1.0, 1e2, 1e6, 1e10};
    double worst_backward = 0.0, worst_forward = 0.0;
    for (int n = 1; n <= 60; ++n) {
        for (double cond : conds) {
            const Mat a = random_spd(n, cond);
            const int lda = n + 1 + n % 4;  // always > n
            Mat ours = upper_with_sentinel(a, lda);
            Mat ref = ours;
            const int info = sm::potrf_upper(n, ours.data(), lda);
            const int ref_info = potrf_upper(n, ref.data(), lda);
            CHECK_EQ(info, 0);
            CHECK_EQ(ref_info, 0);
            CHECK(outside_upper_untouched(ours));
            const double b = cholesky_backward_ratio(a, ours);
            const double f = cholesky_forward_ratio(ours, ref, cond);
            CHECK(b <= kCholeskyBackward);
            CHECK(f <= kCholeskyForward);
            if (!(b <= kCholeskyBackward) || !(f <= kCholeskyForward))
                std::printf("    n=%d cond=%g backward=%g forward=%g\n", n, cond, b, f);
            worst_backward = std::max(worst_backward, b);
            worst_forward = std::max(worst_forward, f);
            // Deterministic: the same input gives the same bits.
            Mat again = upper_with_sentinel(a, lda);
            sm::potrf_upper(n, again.data(), lda);
            CHECK(again.v == ours.v);
        }
    }
    std::printf("potrf, orders 1..60, cond 1..1e10: worst backward %.3g (bound %g), worst vs LAPACK %.3g (bound %g)\n",
                worst_backward, kCholeskyBackward, worst_forward, kCholeskyForward);
}

// Condition numbers near 1/eps: Cholesky may or may not complete (for either implementation, not
// necessarily both, so info is not compared); when ours completes its backward error bound still
// holds. (No bound on where it fails: the rounding error of the leading block is amplified by its
// condition in the Schur complement.)
void cholesky_near_singular_is_backward_stable_when_it_completes() {
    int completed = 0, failed_both = 0, cases = 0;
    for (int n : {5, 10, 20, 40, 60}) {
        for (double cond : {1e13, 1e15, 1e17}) {
            const Mat a = random_spd(n, cond);
            const int lda = n + 2;
            Mat ours = upper_with_sentinel(a, lda);
            Mat ref = ours;
            const int info = sm::potrf_upper(n, ours.data(), lda);
            const int ref_info = potrf_upper(n, ref.data(), lda);
            ++cases;
            CHECK(info >= 0 && info <= n);
            CHECK(outside_upper_untouched(ours));
            if (info == 0) {
                ++completed;
                CHECK(cholesky_backward_ratio(a, ours) <= kCholeskyBackward);
            } else if (ref_info != 0) {
                ++failed_both;
            }
        }
    }
    std::printf("potrf, cond 1e13..1e17: %d of %d completed (backward bound held), %d failed in both\n",
                completed, cases, failed_both);
}

// A whose leading minors of order < k are PD (well conditioned) and whose Schur complement at
// step k is -1, so LAPACK's info is k; entries after k are arbitrary.
Mat indefinite_at(int n, int k) {
    Mat u(n, n, n);
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < j; ++i) u(i, j) = uniform(-1, 1) / n;
        u(j, j) = uniform(1, 2);
    }
    Mat a(n, n, n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i <= j; ++i) {
            double s = 0.0;
            for (int t = 0; t <= i; ++t) s += u(t, i) * u(t, j);
            a(i, j) = a(j, i) = s;
        }
    a(k - 1, k - 1) -= u(k - 1, k - 1) * u(k - 1, k - 1) + 1.0;
    return a;
}

void cholesky_info_matches_lapack_when_not_positive_definite() {
    for (int n : {1, 2, 3, 5, 10, 17, 33, 40, 60}) {
        for (int k : {1, (n + 1) / 2, n}) {
            const Mat a = indefinite_at(n, k);
            Mat ours = upper_with_sentinel(a, n + 3);
            Mat ref = ours;
            const int info = sm::potrf_upper(n, ours.data(), n + 3);
            const int ref_info = potrf_upper(n, ref.data(), n + 3);
            CHECK_EQ(info, k);
            CHECK_EQ(ref_info, k);
            CHECK(outside_upper_untouched(ours));
            // The failing pivot is stored, as by dpotf2: A(k,k) - sum U(i,k)^2 = -1 up to rounding.
            CHECK(std::fabs(ours(k - 1, k - 1) + 1.0) <= 64 * kEps * (1 + std::fabs(a(k - 1, k - 1))));
        }
    }
    // Exact zero pivots (no rounding involved): info as LAPACK.
    {
        Mat z(3, 3, 5, 0.0);
        int ref_info = potrf_upper(3, Mat(z).data(), 5);
        CHECK_EQ(sm::potrf_upper(3, z.data(), 5), 1);
        CHECK_EQ(ref_info, 1);
    }
    {
        Mat a(2, 2, 3, kSentinel);  // [1 1; 1 1]: second pivot 1 - 1*1 = 0 exactly
        a(0, 0) = a(0, 1) = a(1, 1) = 1.0;
        Mat r = a;
        CHECK_EQ(sm::potrf_upper(2, a.data(), 3), 2);
        CHECK_EQ(potrf_upper(2, r.data(), 3), 2);
        CHECK(check::bits_equal(a(1, 1), 0.0) && check::bits_equal(r(1, 1), 0.0));
    }
    {
        Mat a(1, 1, 2, kSentinel);
        a(0, 0) = -3.0;
        Mat r = a;
        CHECK_EQ(sm::potrf_upper(1, a.data(), 2), 1);
        CHECK_EQ(potrf_upper(1, r.data(), 2), 1);
    }
    // n = 0: nothing to do.
    CHECK_EQ(sm::potrf_upper(0, nullptr, 1), 0);
}

// NaN pivots give info = k as in reference LAPACK's dpotf2 (DISNAN). OpenBLAS's dpotrf (checked
// ajj <= 0 only) returns 0 there and a NaN factor, so its info is printed, not compared.
void cholesky_nan_pivot_gives_info() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    int openblas_zero = 0, cases = 0;
    for (int n : {1, 4, 12, 40}) {
        const Mat a = random_spd(n, 10.0);
        for (int k : {1, (n + 1) / 2, n}) {
            // NaN on the diagonal at k.
            Mat d = upper_with_sentinel(a, n + 1);
            d(k - 1, k - 1) = nan;
            Mat dr = d;
            CHECK_EQ(sm::potrf_upper(n, d.data(), n + 1), k);
            CHECK(outside_upper_untouched(d));
            ++cases;
            openblas_zero += potrf_upper(n, dr.data(), n + 1) == 0;
            // NaN above the diagonal in column k (row 0): U(0,k) is NaN, so pivot k is NaN.
            if (k > 1) {
                Mat o = upper_with_sentinel(a, n + 1);
                o(0, k - 1) = nan;
                CHECK_EQ(sm::potrf_upper(n, o.data(), n + 1), k);
            }
        }
        // NaN in the strictly lower triangle and the padding rows: never read.
        Mat clean = upper_with_sentinel(a, n + 2);
        Mat dirty = clean;
        for (int j = 0; j < n; ++j)
            for (int i = j + 1; i < n + 2; ++i) dirty(i, j) = nan;
        CHECK_EQ(sm::potrf_upper(n, clean.data(), n + 2), 0);
        CHECK_EQ(sm::potrf_upper(n, dirty.data(), n + 2), 0);
        bool same = true;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i <= j; ++i) same = same && check::bits_equal(clean(i, j), dirty(i, j));
        CHECK(same);
    }
    std::printf("potrf NaN pivots: ours info = k in all %d cases; OpenBLAS returned info 0 in %d of them\n",
                cases, openblas_zero);
}

// Upper-triangular test matrices T (n x n, ld = lda, the rest kSentinel).
Mat triangular(int n, int lda, int kind) {
    Mat t(n, n, lda, kSentinel);
    if (kind == 0) {  // Cholesky factor of a moderately ill-conditioned SPD matrix (kappa(T) = 1e4)
        Mat a = random_spd(n, 1e8);
        Mat u = upper_with_sentinel(a, lda);
        potrf_upper(n, u.data(), lda);
        return u;
    }
    // kind 1: random, diagonal +-[1, 2], off-diagonal in [-1, 1].
    // kind 2: row-graded D R (D = diag(10^(-12 i / (n-1))), R as kind 1 with off-diagonal scaled by
    // 1/sqrt(n)): kappa(T) up to ~1e12, yet the solves are componentwise well-behaved.
    for (int j = 0; j < n; ++j) {
        const double off = kind == 1 ? 1.0 : 1.0 / std::sqrt(double(n));
        for (int i = 0; i < j; ++i) t(i, j) = uniform(-1, 1) * off;
        t(j, j) = uniform(0, 1) < 0.5 ? -uniform(1, 2) : uniform(1, 2);
    }
    if (kind == 2)
        for (int j = 0; j < n; ++j)
            for (int i = 0; i <= j; ++i) t(i, j) *= std::pow(10.0, -12.0 * i / std::max(1, n - 1));
    return t;
}

// max_i |b - op(T) x|_i / (n eps (|op(T)||x|)_i): to be <= kSolveBackward.
double solve_backward_ratio(bool trans, const Mat& t, const double* b, const double* x) {
    const int n = t.rows;
    double worst = 0.0;
    for (int i = 0; i < n; ++i) {
        long double r = b[i], s = 0.0L;
        for (int k = 0; k < n; ++k) {
            const double tik = trans ? (k <= i ? t(k, i) : 0.0) : (k >= i ? t(i, k) : 0.0);
            r -= (long double)tik * x[k];
            s += std::fabs((long double)tik * x[k]);
        }
        const double den = double(s) * n * kEps;
        if (den > 0) worst = std::max(worst, double(std::fabs(r)) / den);
        else if (r != 0) worst = INFINITY;
    }
    return worst;
}

// ||x1 - x2||_inf / (n eps || |op(T)^-1||op(T)||x2| ||_inf): to be <= kSolveForward.
double solve_forward_ratio(bool trans, const Mat& t, const Mat& tinv, const double* x1, const double* x2) {
    const int n = t.rows;
    auto op = [&](const Mat& m, int i, int k) { return trans ? m(k, i) : m(i, k); };
    std::vector<long double> tx(n);  // |op(T)||x|
    for (int i = 0; i < n; ++i) {
        tx[i] = 0.0L;
        for (int k = 0; k < n; ++k)
            if (trans ? k <= i : k >= i) tx[i] += std::fabs((long double)op(t, i, k) * x2[k]);
    }
    long double cond = 0.0L, diff = 0.0L;
    for (int i = 0; i < n; ++i) {
        long double s = 0.0L;
        for (int k = 0; k < n; ++k)
            if (trans ? k <= i : k >= i) s += std::fabs((long double)op(tinv, i, k)) * tx[k];
        cond = std::max(cond, s);
        diff = std::max(diff, (long double)std::fabs(x1[i] - x2[i]));
    }
    return cond > 0 ? double(diff / (cond * n * kEps)) : (diff == 0 ? 0.0 : INFINITY);
}

void triangular_solves_agree_with_lapack() {
    double worst_backward = 0.0, worst_forward = 0.0;
    int cases = 0;
    for (int n = 1; n <= 60; ++n) {
        for (int kind = 0; kind < 3; ++kind) {
            const int lda = n + 2;
            const Mat t = triangular(n, lda, kind);
            // T^-1 (for the forward bound), from LAPACK.
            Mat tinv(n, n, n, 0.0);
            for (int i = 0; i < n; ++i) tinv(i, i) = 1.0;
            CHECK_EQ(trtrs_upper(false, n, n, t.v.data(), lda, tinv.data(), n), 0);
            for (bool trans : {false, true}) {
                for (int nrhs : {1, 3, n + 1}) {
                    const int ldb = n + 3;
                    Mat b(n, nrhs, ldb, kSentinel);
                    for (int c = 0; c < nrhs; ++c)
                        for (int i = 0; i < n; ++i) b(i, c) = uniform(-1, 1);
                    Mat x = b, xr = b;
                    const int info = sm::trtrs_upper(trans, n, nrhs, t.v.data(), lda, x.data(), ldb);
                    const int ref_info = trtrs_upper(trans, n, nrhs, t.v.data(), lda, xr.data(), ldb);
                    CHECK_EQ(info, 0);
                    CHECK_EQ(ref_info, 0);
                    bool pad = true;
                    for (int c = 0; c < nrhs; ++c)
                        for (int i = n; i < ldb; ++i) pad = pad && check::bits_equal(x(i, c), kSentinel);
                    CHECK(pad);
                    for (int c = 0; c < nrhs; ++c) {
                        const double bw = solve_backward_ratio(trans, t, &b(0, c), &x(0, c));
                        const double bwr = solve_backward_ratio(trans, t, &b(0, c), &xr(0, c));
                        const double fw = solve_forward_ratio(trans, t, tinv, &x(0, c), &xr(0, c));
                        CHECK(bw <= kSolveBackward);
                        CHECK(bwr <= kSolveBackward);  // the bound is sound (LAPACK meets it too)
                        CHECK(fw <= kSolveForward);
                        if (!(bw <= kSolveBackward) || !(fw <= kSolveForward))
                            std::printf("    n=%d kind=%d trans=%d nrhs=%d: backward %g forward %g\n", n, kind,
                                        int(trans), nrhs, bw, fw);
                        worst_backward = std::max(worst_backward, bw);
                        worst_forward = std::max(worst_forward, fw);
                        ++cases;
                    }
                }
            }
        }
    }
    std::printf("trtrs, orders 1..60 (Cholesky, random, graded T), both trans, nrhs 1/3/n+1: %d columns, worst backward %.3g (bound %g), worst vs LAPACK %.3g (bound %g)\n",
                cases, worst_backward, kSolveBackward, worst_forward, kSolveForward);
}

// The plain loops of the order documented in small_linalg.hpp; the blocked kernels must give the
// same bits (the blocking changes which sums run side by side, not any sum's order).
int plain_potrf(int n, double* a, int lda) {
    for (int j = 0; j < n; ++j) {
        double* cj = a + std::ptrdiff_t(lda) * j;
        double s = 0.0;
        for (int k = 0; k < j; ++k) s = s + cj[k] * cj[k];
        const double d = cj[j] - s;
        if (!(d > 0.0)) { cj[j] = d; return j + 1; }
        cj[j] = std::sqrt(d);
        const double r = 1.0 / cj[j];
        for (int i = j + 1; i < n; ++i) {
            double* ci = a + std::ptrdiff_t(lda) * i;
            double t = 0.0;
            for (int k = 0; k < j; ++k) t = t + cj[k] * ci[k];
            ci[j] = (ci[j] - t) * r;
        }
    }
    return 0;
}

void plain_solve_trans(int n, const double* a, int lda, double* x) {
    for (int i = 0; i < n; ++i) {
        const double* ci = a + std::ptrdiff_t(lda) * i;
        double t = 0.0;
        for (int k = 0; k < i; ++k) t = t + ci[k] * x[k];
        x[i] = (x[i] - t) / ci[i];
    }
}

void blocked_kernels_give_the_documented_order_bits() {
    bool potrf_same = true, trans_same = true;
    for (int n = 1; n <= 60; ++n) {
        const Mat a = upper_with_sentinel(random_spd(n, 1e6), n + 2);
        Mat u = a, p = a;
        const int info = sm::potrf_upper(n, u.data(), n + 2);
        potrf_same = potrf_same && info == plain_potrf(n, p.data(), n + 2) && u.v == p.v;
        const Mat t = triangular(n, n + 1, 1);
        std::vector<double> x(n), y(n);
        for (int i = 0; i < n; ++i) x[i] = y[i] = uniform(-1, 1);
        sm::solve_upper_trans(n, t.v.data(), n + 1, x.data());
        plain_solve_trans(n, t.v.data(), n + 1, y.data());
        trans_same = trans_same && x == y;
    }
    CHECK(potrf_same);
    CHECK(trans_same);
}

// trtrs_upper with several right-hand sides (four at a time for U') gives, column by column, the
// bits of the plain one-column loop, for every nrhs and leading dimension.
void multi_rhs_solves_give_the_one_column_bits() {
    bool same = true;
    int compared = 0;
    for (int n : {1, 2, 3, 5, 10, 20, 41}) {
        const Mat t = triangular(n, n + 1, 1);
        for (int nrhs = 1; nrhs <= 9; ++nrhs) {
            const int ldb = n + 3;
            std::vector<double> b(static_cast<std::size_t>(ldb) * nrhs);
            for (double& v : b) v = uniform(-1, 1);
            std::vector<double> expected = b;
            CHECK_EQ(sm::trtrs_upper(true, n, nrhs, t.v.data(), n + 1, b.data(), ldb), 0);
            for (int c = 0; c < nrhs; ++c) plain_solve_trans(n, t.v.data(), n + 1, expected.data() + ldb * c);
            same = same && b == expected;  // padding rows untouched too
            ++compared;
        }
    }
    CHECK(same);
    CHECK_EQ(compared, 63);
}

void singular_triangular_gives_lapack_info_and_leaves_b() {
    for (int n : {1, 2, 7, 20, 45}) {
        for (int z : {1, (n + 1) / 2, n}) {
            for (bool trans : {false, true}) {
                for (int nrhs : {0, 1, 4}) {
                    Mat t = triangular(n, n + 1, 1);
                    t(z - 1, z - 1) = 0.0;
                    if (z < n) t(n - 1, n - 1) = -0.0;  // a later zero: the first one is reported
                    Mat b(n, std::max(nrhs, 1), n + 2, kSentinel);
                    for (int c = 0; c < nrhs; ++c)
                        for (int i = 0; i < n; ++i) b(i, c) = uniform(-1, 1);
                    Mat x = b, xr = b;
                    CHECK_EQ(sm::trtrs_upper(trans, n, nrhs, t.v.data(), n + 1, x.data(), n + 2), z);
                    CHECK_EQ(trtrs_upper(trans, n, nrhs, t.v.data(), n + 1, xr.data(), n + 2), z);
                    CHECK(std::memcmp(x.v.data(), b.v.data(), b.v.size() * sizeof(double)) == 0);
                }
            }
        }
    }
    // A NaN (not zero) diagonal is not "singular" for dtrtrs: info 0, the solution is NaN.
    Mat t = triangular(3, 3, 1);
    t(1, 1) = std::numeric_limits<double>::quiet_NaN();
    double b[3] = {1, 2, 3}, br[3] = {1, 2, 3};
    CHECK_EQ(sm::trtrs_upper(false, 3, 1, t.v.data(), 3, b, 3), 0);
    CHECK_EQ(trtrs_upper(false, 3, 1, t.v.data(), 3, br, 3), 0);
    CHECK(std::isnan(b[1]) && std::isnan(br[1]));
    CHECK_EQ(sm::trtrs_upper(true, 0, 1, nullptr, 1, b, 1), 0);
}

// ---- timing printout (informative only) -----------------------------------------------------

template <class F>
double ns_per_call(F&& f) {
    using clock = std::chrono::steady_clock;
    long reps = 1000;
    for (;;) {  // grow until one batch takes >= 5 ms
        const auto t0 = clock::now();
        for (long r = 0; r < reps; ++r) f();
        const double s = std::chrono::duration<double>(clock::now() - t0).count();
        if (s >= 5e-3) break;
        reps *= 4;
    }
    double best = INFINITY;
    for (int k = 0; k < 5; ++k) {
        const auto t0 = clock::now();
        for (long r = 0; r < reps; ++r) f();
        best = std::min(best, std::chrono::duration<double>(clock::now() - t0).count() * 1e9 / reps);
    }
    return best;
}

inline void clobber(void* p) { asm volatile("" : : "r"(p) : "memory"); }

void timing_printout() {
    openblas_set_num_threads(1);  // as the JVM side sets it by default
    std::printf("timing (ns/call, best of 5, OpenBLAS on 1 thread; includes an n^2 / n copy of the input, same for both):\n");
    for (int n : {10, 20, 40}) {
        const int lda = n + 3;
        const Mat a = upper_with_sentinel(random_spd(n, 1e4), lda);
        Mat w = a;
        Mat u = a;
        potrf_upper(n, u.data(), lda);
        std::vector<double> b0(n), x(n);
        for (double& v : b0) v = uniform(-1, 1);
        const std::size_t bytes = a.v.size() * sizeof(double);
        const double p_ours = ns_per_call([&] { std::memcpy(w.data(), a.v.data(), bytes); sm::potrf_upper(n, w.data(), lda); clobber(w.data()); });
        const double p_ref = ns_per_call([&] { std::memcpy(w.data(), a.v.data(), bytes); potrf_upper(n, w.data(), lda); clobber(w.data()); });
        double s_ours[2], s_ref[2];
        for (int tr = 0; tr < 2; ++tr) {
            s_ours[tr] = ns_per_call([&] { std::memcpy(x.data(), b0.data(), n * sizeof(double)); sm::trtrs_upper(tr, n, 1, u.data(), lda, x.data(), n); clobber(x.data()); });
            s_ref[tr] = ns_per_call([&] { std::memcpy(x.data(), b0.data(), n * sizeof(double)); trtrs_upper(tr, n, 1, u.data(), lda, x.data(), n); clobber(x.data()); });
        }
        std::printf("  n=%2d  potrf ours %7.1f  OpenBLAS %7.1f | trtrs N ours %6.1f  OpenBLAS %7.1f | trtrs T ours %6.1f  OpenBLAS %7.1f\n",
                    n, p_ours, p_ref, s_ours[0], s_ref[0], s_ours[1], s_ref[1]);
    }
}

}  // namespace

int main() {
    cholesky_agrees_with_lapack_on_random_spd();
    cholesky_near_singular_is_backward_stable_when_it_completes();
    cholesky_info_matches_lapack_when_not_positive_definite();
    cholesky_nan_pivot_gives_info();
    triangular_solves_agree_with_lapack();
    singular_triangular_gives_lapack_info_and_leaves_b();
    blocked_kernels_give_the_documented_order_bits();
    multi_rhs_solves_give_the_one_column_bits();
    timing_printout();
    return check::report("small_linalg_test");
}
