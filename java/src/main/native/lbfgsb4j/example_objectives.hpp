// lbfgsb4j example objectives written in C++, compiled into libjniLbfgsbNative.so, with the
// lbfgsb::ObjectiveFunction signature: for NativeObjective.functionPointer without writing C
// (org.lbfgsb4j.NativeExampleObjectives), for demos, and for benchmarks of the solver alone.
//
// Each performs exactly the floating-point operations of its twin in
// benchmarks/scipy/reference_problems.py (and of the Java twins in the tests' ReferenceProblems),
// in the same order: sums are sequential left-to-right loops and squares are t * t. The JNI library
// is compiled as ISO C++17 for baseline x86-64, so no multiply-add is fused: the results are those
// of the Java twins, bit for bit. The user pointer is ignored.
#pragma once

#include <cstdint>

namespace lbfgsb4j {
namespace examples {

// Chained Rosenbrock as scipy.optimize.rosen:
// f = sum_{i=0..n-2} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, any n >= 1.
inline int rosenbrock(std::int64_t n, const double* x, double* f, double* g, void* /*user*/) {
    if (n < 1) return 1;
    double sum = 0.0;
    double carry = 0.0;  // 200 (x_i - x_{i-1}^2): the part of g_i owed by the previous term
    for (std::int64_t i = 0; i < n - 1; ++i) {
        const double xi = x[i];
        const double a = x[i + 1] - xi * xi;
        const double b = 1.0 - xi;
        sum = sum + (100.0 * (a * a) + b * b);
        g[i] = carry - 400.0 * xi * a - 2.0 * b;
        carry = 200.0 * a;
    }
    g[n - 1] = carry;
    *f = sum;
    return 0;
}

// The problem of L-BFGS-B 3.0's driver1.f: f = 4 [0.25 (x_1 - 1)^2 + sum_{i=2..n} (x_i - x_{i-1}^2)^2],
// n >= 2 (returns nonzero otherwise).
inline int driver1(std::int64_t n, const double* x, double* f, double* g, void* /*user*/) {
    if (n < 2) return 1;
    const double d = x[0] - 1.0;
    double sum = 0.25 * (d * d);
    for (std::int64_t i = 1; i < n; ++i) {
        const double xm = x[i - 1];
        const double t = x[i] - xm * xm;
        sum = sum + t * t;
    }
    *f = 4.0 * sum;
    const double x0 = x[0];
    double t1 = x[1] - x0 * x0;
    g[0] = 2.0 * (x0 - 1.0) - 16.0 * x0 * t1;
    for (std::int64_t i = 1; i < n - 1; ++i) {
        const double t2 = t1;
        const double xi = x[i];
        t1 = x[i + 1] - xi * xi;
        g[i] = 8.0 * t2 - 16.0 * xi * t1;
    }
    g[n - 1] = 8.0 * t1;
    return 0;
}

// Their addresses, as Java sees them (intptr_t).
inline std::intptr_t rosenbrock_address() { return reinterpret_cast<std::intptr_t>(&rosenbrock); }
inline std::intptr_t driver1_address() { return reinterpret_cast<std::intptr_t>(&driver1); }

}  // namespace examples
}  // namespace lbfgsb4j
