// Small dense kernels that replace OpenBLAS's dpotrf("U") and dtrtrs("U", "N"/"T", "N") for the
// tiny matrices of the compact L-BFGS representation (order col <= m or 2col <= 2m, m usually
// 3..20). At these orders OpenBLAS's per-call cost (argument checks, dispatch, thread checks,
// packing) dominates the arithmetic; these are plain, inlinable loops.
//
// Storage is column-major with a leading dimension: A(i, j) is a[i + lda * j].
//
// Arithmetic: only +, -, *, / and sqrt, each rounded once (the core is ISO C++17 without FMA
// contraction), in the fixed order written in each comment, so results are deterministic for a
// given input. They are not bit-identical to OpenBLAS (whose kernels block, vectorise and use
// reciprocals differently) but agree with it to rounding: both are backward stable with the
// usual bounds (Higham, Accuracy and Stability of Numerical Algorithms, Thm 8.5 and 10.3).
//
// Preconditions (not checked, unlike LAPACK, which reports them as info < 0): n >= 0,
// nrhs >= 0, lda >= max(1, n), ldb >= max(1, n).
#pragma once

#include <cmath>
#include <cstddef>

namespace lbfgsb {
namespace small {

// Upper Cholesky factorisation A = U'U of the leading n x n block, in place in its upper
// triangle; the strictly lower triangle is neither read nor written.
//
// Returns LAPACK's dpotrf info: 0, or k > 0 when the leading minor of order k is not positive
// definite, i.e. the k-th pivot d below is <= 0 or NaN. Then U's rows 1..k-1 are complete, A(k,k)
// holds d (as in LAPACK's unblocked dpotf2) and the rest of the upper triangle is still A.
//
// Order of operations (that of LAPACK's dpotf2, row by row of U): for j = 0, 1, ..., n-1
//   s    = sum_{k<j} U(k,j) * U(k,j)            accumulated k = 0, 1, ..., j-1, from 0.0
//   d    = A(j,j) - s
//   U(j,j) = sqrt(d),  r = 1.0 / U(j,j)
//   for i > j: t_i = sum_{k<j} U(k,j) * U(k,i)  accumulated k = 0, 1, ..., j-1, from 0.0
//              U(j,i) = (A(j,i) - t_i) * r
// Columns of U are contiguous, so every sum is a unit-stride dot product. The dot products of row
// j are independent: they are computed four columns at a time, four separate accumulators in one
// k loop, so four addition chains run side by side (each t_i still sums k = 0, 1, ..., j-1 in
// order, so the result does not depend on the blocking).
inline int potrf_upper(int n, double* a, int lda) {
    const std::ptrdiff_t ld = lda;
    for (int j = 0; j < n; ++j) {
        double* cj = a + ld * j;  // column j: U(0..j-1, j), then A(j, j)
        double s = 0.0;
        for (int k = 0; k < j; ++k) s = s + cj[k] * cj[k];
        const double d = cj[j] - s;
        if (!(d > 0.0)) {  // also true for NaN
            cj[j] = d;
            return j + 1;
        }
        const double ujj = std::sqrt(d);
        cj[j] = ujj;
        const double r = 1.0 / ujj;
        int i = j + 1;
        for (; i + 3 < n; i += 4) {
            double* c0 = a + ld * i;
            double* c1 = c0 + ld;
            double* c2 = c1 + ld;
            double* c3 = c2 + ld;
            double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
            for (int k = 0; k < j; ++k) {
                const double u = cj[k];
                t0 = t0 + u * c0[k];
                t1 = t1 + u * c1[k];
                t2 = t2 + u * c2[k];
                t3 = t3 + u * c3[k];
            }
            c0[j] = (c0[j] - t0) * r;
            c1[j] = (c1[j] - t1) * r;
            c2[j] = (c2[j] - t2) * r;
            c3[j] = (c3[j] - t3) * r;
        }
        for (; i < n; ++i) {
            double* ci = a + ld * i;
            double t = 0.0;
            for (int k = 0; k < j; ++k) t = t + cj[k] * ci[k];
            ci[j] = (ci[j] - t) * r;
        }
    }
    return 0;
}

// Index (1-based) of the first zero on the diagonal of the leading n x n block, or 0: the
// singularity check of LAPACK's dtrtrs (exact zero only; a NaN or tiny diagonal passes).
inline int first_zero_diagonal(int n, const double* a, int lda) {
    for (int i = 0; i < n; ++i)
        if (a[i + static_cast<std::ptrdiff_t>(lda) * i] == 0.0) return i + 1;
    return 0;
}

// U' x = b in place (forward substitution, one right-hand side), no singularity check.
// Order: for i = 0, 1, ..., n-1:
//   t    = sum_{k<i} U(k,i) * x(k)   accumulated k = 0, 1, ..., i-1, from 0.0 (column i of U
//                                    is contiguous: a unit-stride dot product)
//   x(i) = (b(i) - t) / U(i,i)
// Rows are taken four at a time: the four sums over k < i (i the first of the four) run as four
// accumulators in one loop, then the 4 x 4 triangle finishes them in the same k order, so the
// result is that of the plain loop above.
inline void solve_upper_trans(int n, const double* a, int lda, double* x) {
    const std::ptrdiff_t ld = lda;
    int i = 0;
    for (; i + 3 < n; i += 4) {
        const double* c0 = a + ld * i;
        const double* c1 = c0 + ld;
        const double* c2 = c1 + ld;
        const double* c3 = c2 + ld;
        double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
        for (int k = 0; k < i; ++k) {
            const double xk = x[k];
            t0 = t0 + c0[k] * xk;
            t1 = t1 + c1[k] * xk;
            t2 = t2 + c2[k] * xk;
            t3 = t3 + c3[k] * xk;
        }
        const double x0 = (x[i] - t0) / c0[i];
        t1 = t1 + c1[i] * x0;
        const double x1 = (x[i + 1] - t1) / c1[i + 1];
        t2 = t2 + c2[i] * x0;
        t2 = t2 + c2[i + 1] * x1;
        const double x2 = (x[i + 2] - t2) / c2[i + 2];
        t3 = t3 + c3[i] * x0;
        t3 = t3 + c3[i + 1] * x1;
        t3 = t3 + c3[i + 2] * x2;
        const double x3 = (x[i + 3] - t3) / c3[i + 3];
        x[i] = x0;
        x[i + 1] = x1;
        x[i + 2] = x2;
        x[i + 3] = x3;
    }
    for (; i < n; ++i) {
        const double* ci = a + ld * i;
        double t = 0.0;
        for (int k = 0; k < i; ++k) t = t + ci[k] * x[k];
        x[i] = (x[i] - t) / ci[i];
    }
}

// U x = b in place (back substitution by columns, one right-hand side), no singularity check.
// Order: for j = n-1, n-2, ..., 0:
//   x(j) = b'(j) / U(j,j)            b' is b after the updates of columns j+1..n-1
//   for k < j: b'(k) = b'(k) - x(j) * U(k,j)    (a unit-stride axpy on column j)
// So x(k) = (((b(k) - x(n-1) U(k,n-1)) - x(n-2) U(k,n-2)) - ... - x(k+1) U(k,k+1)) / U(k,k).
// Every product is formed and subtracted even when x(j) == 0 (reference BLAS skips those; the
// difference shows only with Inf/NaN in U).
inline void solve_upper_notrans(int n, const double* a, int lda, double* x) {
    for (int j = n - 1; j >= 0; --j) {
        const double* cj = a + static_cast<std::ptrdiff_t>(lda) * j;
        const double xj = x[j] / cj[j];
        x[j] = xj;
        for (int k = 0; k < j; ++k) x[k] = x[k] - xj * cj[k];
    }
}

// U' X = B for four right-hand sides at once, each column in exactly the order of
// solve_upper_trans (sums over k < i in increasing k, from 0.0; then one subtraction and one
// division), so the bits are those of four separate calls. The four columns' chains of dependent
// divisions run side by side instead of one after another.
inline void solve_upper_trans_4(int n, const double* a, int lda, double* x0, double* x1, double* x2,
                                double* x3) {
    const std::ptrdiff_t ld = lda;
    for (int i = 0; i < n; ++i) {
        const double* ci = a + ld * i;
        double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0;
        for (int k = 0; k < i; ++k) {
            const double u = ci[k];
            t0 = t0 + u * x0[k];
            t1 = t1 + u * x1[k];
            t2 = t2 + u * x2[k];
            t3 = t3 + u * x3[k];
        }
        const double d = ci[i];
        x0[i] = (x0[i] - t0) / d;
        x1[i] = (x1[i] - t1) / d;
        x2[i] = (x2[i] - t2) / d;
        x3[i] = (x3[i] - t3) / d;
    }
}

// Solves op(U) X = B for the upper-triangular, non-unit U in the leading n x n block of a, with
// nrhs right-hand sides (columns of b, leading dimension ldb), X overwriting B; op(U) = U' if
// trans, else U. The strictly lower triangle of a is not read.
//
// Returns LAPACK's dtrtrs info: 0, or k > 0 when U(k,k) == 0 (the first such k), checked before
// anything is solved, B then untouched. Each column of B is solved independently, in the order
// given at solve_upper_trans / solve_upper_notrans.
inline int trtrs_upper(bool trans, int n, int nrhs, const double* a, int lda, double* b, int ldb) {
    const int info = first_zero_diagonal(n, a, lda);
    if (info != 0) return info;
    int c = 0;
    if (trans) {  // formk's col right-hand sides: four at a time (same bits as one at a time)
        const std::ptrdiff_t lb = ldb;
        for (; c + 3 < nrhs; c += 4)
            solve_upper_trans_4(n, a, lda, b + lb * c, b + lb * (c + 1), b + lb * (c + 2), b + lb * (c + 3));
    }
    for (; c < nrhs; ++c) {
        double* x = b + static_cast<std::ptrdiff_t>(ldb) * c;
        if (trans) solve_upper_trans(n, a, lda, x);
        else solve_upper_notrans(n, a, lda, x);
    }
    return 0;
}

}  // namespace small
}  // namespace lbfgsb
