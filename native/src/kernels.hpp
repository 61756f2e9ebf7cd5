// Internal: the passes over the correction history W = [Y, S] (n x 2col, column-major), written
// so that one pass serves all columns at once. Every sum still runs over the rows in the same order
// as L-BFGS-B's one-column-at-a-time loops, so results are bit for bit those of SciPy's port; only
// the interleaving of independent sums changes (which removes the add-latency chains and the
// column-by-column re-reads that make the original slow).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lbfgsb {
namespace kernels {

// fmax / fmin with C99 semantics (a NaN argument yields the other one; on ties the second), inline:
// libm's are out-of-line calls, which the per-element loops (projections, clipping) cannot afford.
inline double max_num(double x, double y) {
    if (x != x) return y;
    if (y != y) return x;
    return x > y ? x : y;
}
inline double min_num(double x, double y) {
    if (x != x) return y;
    if (y != y) return x;
    return x < y ? x : y;
}

// Rows per block for the row-wise updates (r, d): 4 KiB of doubles, resident in L1.
constexpr std::int64_t kRowBlock = 512;

namespace detail {

template <int G, class Row, class Weight>
inline void accumulate_group(const double* const* cols, double* out, std::int64_t count, Row row, Weight weight) {
    double acc[G];
    const double* p[G];
#pragma GCC unroll 8
    for (int c = 0; c < G; ++c) {
        acc[c] = out[c];
        p[c] = cols[c];
    }
    for (std::int64_t t = 0; t < count; ++t) {
        const std::int64_t i = row(t);
        const double w = weight(t);
#pragma GCC unroll 8
        for (int c = 0; c < G; ++c) acc[c] = acc[c] + p[c][i] * w;
    }
#pragma GCC unroll 8
    for (int c = 0; c < G; ++c) out[c] = acc[c];
}

}  // namespace detail

// out[c] = out[c] + sum_{t = 0}^{count - 1} cols[c][row(t)] * weight(t) for c < ncols, every sum
// accumulated in increasing t (as the reference loops do), eight columns per pass.
template <class Row, class Weight>
inline void accumulate_columns(const double* const* cols, int ncols, double* out, std::int64_t count, Row row,
                               Weight weight) {
    int c = 0;
    for (; c + 8 <= ncols; c += 8) detail::accumulate_group<8>(cols + c, out + c, count, row, weight);
    switch (ncols - c) {
        case 7: detail::accumulate_group<7>(cols + c, out + c, count, row, weight); break;
        case 6: detail::accumulate_group<6>(cols + c, out + c, count, row, weight); break;
        case 5: detail::accumulate_group<5>(cols + c, out + c, count, row, weight); break;
        case 4: detail::accumulate_group<4>(cols + c, out + c, count, row, weight); break;
        case 3: detail::accumulate_group<3>(cols + c, out + c, count, row, weight); break;
        case 2: detail::accumulate_group<2>(cols + c, out + c, count, row, weight); break;
        case 1: detail::accumulate_group<1>(cols + c, out + c, count, row, weight); break;
        default: break;
    }
}

// formk's sweep over rows that entered or left the free set, rows[t] for t in [t0, t1): for the
// pairs j, k < upcl (y_j = w[j], s_j = w[col + j]) adds y_j y_k (k <= j) to yy[j upcl + k], s_j s_k
// (k <= j) to ss[j upcl + k] and s_j y_k (all k) to sy[j upcl + k], each sum in increasing t; one
// gather of the row's y_j and s_j (into yv, sv: upcl doubles each) serves every sum.
inline void sweep_rows(const double* const* w, int col, int upcl, const std::int64_t* rows, std::int64_t t0,
                       std::int64_t t1, double* yy, double* ss, double* sy, double* yv, double* sv) {
    for (std::int64_t t = t0; t < t1; ++t) {
        const std::int64_t r = rows[t];
        for (int j = 0; j < upcl; ++j) {
            yv[j] = w[j][r];
            sv[j] = w[col + j][r];
        }
        for (int iy = 0; iy < upcl; ++iy) {
            const double y_i = yv[iy];
            const double s_i = sv[iy];
            double* yy_row = yy + static_cast<std::size_t>(iy) * upcl;
            double* ss_row = ss + static_cast<std::size_t>(iy) * upcl;
            double* sy_row = sy + static_cast<std::size_t>(iy) * upcl;
            for (int jy = 0; jy <= iy; ++jy) {
                yy_row[jy] = yy_row[jy] + yv[jy] * y_i;
                ss_row[jy] = ss_row[jy] + sv[jy] * s_i;
            }
            for (int jy = 0; jy < upcl; ++jy) sy_row[jy] = sy_row[jy] + yv[jy] * s_i;
        }
    }
}

}  // namespace kernels
}  // namespace lbfgsb
