// Reference objectives for the native tests, written as plain C function pointers.
#pragma once

#include <cmath>
#include <cstdint>

namespace problems {

// The Fortran driver problem of L-BFGS-B 3.0 (driver1.f):
// f = 4 [ (x1 - 1)^2 / 4 + sum_{i>=2} (x_i - x_{i-1}^2)^2 ].
inline int driver(std::int64_t n, const double* x, double* f, double* g, void*) {
    double fv = 0.25 * (x[0] - 1.0) * (x[0] - 1.0);
    for (std::int64_t i = 1; i < n; ++i) {
        const double t = x[i] - x[i - 1] * x[i - 1];
        fv += t * t;
    }
    *f = 4.0 * fv;
    double t1 = x[1] - x[0] * x[0];
    g[0] = 2.0 * (x[0] - 1.0) - 16.0 * x[0] * t1;
    for (std::int64_t i = 1; i < n - 1; ++i) {
        const double t2 = t1;
        t1 = x[i + 1] - x[i] * x[i];
        g[i] = 8.0 * t2 - 16.0 * x[i] * t1;
    }
    g[n - 1] = 8.0 * t1;
    return 0;
}

// The driver's box: odd (1-based) variables in [1, 100], even ones in [-100, 100].
inline void driver_bounds(std::int64_t n, double* l, double* u) {
    for (std::int64_t i = 0; i < n; ++i) {
        l[i] = (i % 2 == 0) ? 1.0 : -100.0;
        u[i] = 100.0;
    }
}

// Rosenbrock's function, SciPy's rosen: sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
inline int rosen(std::int64_t n, const double* x, double* f, double* g, void*) {
    double fv = 0.0;
    for (std::int64_t i = 0; i + 1 < n; ++i) {
        const double a = x[i + 1] - x[i] * x[i];
        const double b = 1.0 - x[i];
        fv += 100.0 * a * a + b * b;
    }
    *f = fv;
    for (std::int64_t i = 0; i < n; ++i) g[i] = 0.0;
    for (std::int64_t i = 0; i + 1 < n; ++i) {
        const double a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    return 0;
}

// f = sum x_i + exp(-10 x_i): the lbfgsb package's abnormal line-search case with maxls = 5.
inline int exp_linear(std::int64_t n, const double* x, double* f, double* g, void*) {
    double fv = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const double e = std::exp(-10.0 * x[i]);
        fv += x[i] + e;
        g[i] = 1.0 - 10.0 * e;
    }
    *f = fv;
    return 0;
}

}  // namespace problems
