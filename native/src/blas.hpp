// The only place that talks to BLAS/LAPACK (OpenBLAS from the JavaCPP preset, LP64 ints).
// Level-1 wrappers take 64-bit lengths and split calls longer than the 32-bit BLAS limit.
#pragma once

#include <cstdint>

#include "small_linalg.hpp"

extern "C" {
double cblas_ddot(int n, const double* x, int incx, const double* y, int incy);
double cblas_dnrm2(int n, const double* x, int incx);
void cblas_daxpy(int n, double alpha, const double* x, int incx, double* y, int incy);
void cblas_dscal(int n, double alpha, double* x, int incx);
void cblas_dcopy(int n, const double* x, int incx, double* y, int incy);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dtrtrs_(const char* uplo, const char* trans, const char* diag, const int* n, const int* nrhs,
             const double* a, const int* lda, double* b, const int* ldb, int* info);
}

namespace lbfgsb {
namespace blas {

constexpr std::int64_t kChunk = std::int64_t(1) << 30;

inline double dot(std::int64_t n, const double* x, const double* y) {
    if (n <= kChunk) return cblas_ddot(static_cast<int>(n), x, 1, y, 1);
    double s = 0.0;
    for (std::int64_t i = 0; i < n; i += kChunk) {
        std::int64_t len = n - i < kChunk ? n - i : kChunk;
        s += cblas_ddot(static_cast<int>(len), x + i, 1, y + i, 1);
    }
    return s;
}

// Euclidean norm; beyond 2^30 elements the chunks are combined as sqrt(sum of squares).
inline double nrm2(std::int64_t n, const double* x) {
    if (n <= kChunk) return cblas_dnrm2(static_cast<int>(n), x, 1);
    double s = 0.0;
    for (std::int64_t i = 0; i < n; i += kChunk) {
        std::int64_t len = n - i < kChunk ? n - i : kChunk;
        double c = cblas_dnrm2(static_cast<int>(len), x + i, 1);
        s += c * c;
    }
    return __builtin_sqrt(s);
}

inline void axpy(std::int64_t n, double a, const double* x, double* y) {
    for (std::int64_t i = 0; i < n; i += kChunk) {
        std::int64_t len = n - i < kChunk ? n - i : kChunk;
        cblas_daxpy(static_cast<int>(len), a, x + i, 1, y + i, 1);
    }
}

inline void scal(std::int64_t n, double a, double* x) {
    for (std::int64_t i = 0; i < n; i += kChunk) {
        std::int64_t len = n - i < kChunk ? n - i : kChunk;
        cblas_dscal(static_cast<int>(len), a, x + i, 1);
    }
}

inline void copy(std::int64_t n, const double* x, double* y) {
    for (std::int64_t i = 0; i < n; i += kChunk) {
        std::int64_t len = n - i < kChunk ? n - i : kChunk;
        cblas_dcopy(static_cast<int>(len), x + i, 1, y + i, 1);
    }
}

// Cholesky factor A = U'U of the leading n x n block (upper triangle); returns LAPACK's info.
inline int potrf_upper(int n, double* a, int lda) {
    int info = 0;
    dpotrf_("U", &n, a, &lda, &info);
    return info;
}

// Solves op(U) X = B for upper-triangular U with nrhs right-hand sides; transpose if trans.
inline int trtrs_upper(bool trans, int n, int nrhs, const double* a, int lda, double* b, int ldb) {
    int info = 0;
    dtrtrs_("U", trans ? "T" : "N", "N", &n, &nrhs, a, &lda, b, &ldb, &info);
    return info;
}

// Level-1 operations on the short vectors of the compact matrices (at most 2m entries): BLAS as
// SciPy calls it, or (own: Arithmetic::Fast) plain loops, sums in index order, without the
// per-call cost of a library call.
inline double short_dot(bool own, int n, const double* x, const double* y) {
    if (!own) return cblas_ddot(n, x, 1, y, 1);
    double s = 0.0;
    for (int i = 0; i < n; ++i) s = s + x[i] * y[i];
    return s;
}
inline void short_axpy(bool own, int n, double a, const double* x, double* y) {
    if (!own) {
        cblas_daxpy(n, a, x, 1, y, 1);
        return;
    }
    for (int i = 0; i < n; ++i) y[i] = y[i] + a * x[i];
}
inline void short_scal(bool own, int n, double a, double* x) {
    if (!own) {
        cblas_dscal(n, a, x, 1);
        return;
    }
    for (int i = 0; i < n; ++i) x[i] = a * x[i];
}

// The same two factorisation routines, either LAPACK's (Arithmetic::Reference: SciPy's calls)
// or small_linalg.hpp's (Arithmetic::Fast: no per-call overhead on the 2m x 2m matrices; a NaN
// pivot counts as not positive definite).
inline int potrf_upper(bool own, int n, double* a, int lda) {
    return own ? small::potrf_upper(n, a, lda) : potrf_upper(n, a, lda);
}
inline int trtrs_upper(bool own, bool trans, int n, int nrhs, const double* a, int lda, double* b, int ldb) {
    return own ? small::trtrs_upper(trans, n, nrhs, a, lda, b, ldb) : trtrs_upper(trans, n, nrhs, a, lda, b, ldb);
}

}  // namespace blas
}  // namespace lbfgsb
