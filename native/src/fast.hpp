// Internal: Arithmetic::Fast, the solver's own order for long sums, and its fused history passes.
//
// The order of a sum over rows [0, n): rows are taken in chunks of kChunk (the last may be short);
// inside a chunk, row i goes to lane i mod 8 (chunks start at multiples of 8) and each lane adds
// its rows in increasing order; at the end of the chunk the 8 lanes are combined as
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) and added to the running total, chunks in row
// order. Every product is a multiplication followed by an addition, never fused (the core is
// built with -ffp-contract=off), so the bits are the same for SSE, AVX2 and AVX-512 code and for
// any number of threads that splits the rows at chunk boundaries. The order does not depend on
// which other sums share a pass, so a sum computed inside a fused pass equals the same sum
// computed alone.
#pragma once

#include <cstdint>

// The 64-byte vector type below is lowered to whatever the compiled-for instruction set has;
// GCC's note that its ABI differs without AVX-512 does not matter for inline helpers.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace lbfgsb {
namespace fast {

constexpr std::int64_t kChunk = 4096;  // rows whose lanes are combined together
constexpr std::int64_t kBlock = 4096;  // rows kept in L2 while the history columns stream past (32 KiB runs per column)

typedef double v8d __attribute__((vector_size(64)));

// The helpers below are always inlined: called from a target_clones function they are then
// compiled for that clone's instruction set. Out of line, a template instance is one weak symbol
// compiled for the baseline (SSE), and every clone would call that one.
#define LBFGSB_INLINE inline __attribute__((always_inline))

LBFGSB_INLINE v8d load(const double* p) {
    v8d v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
LBFGSB_INLINE void store(double* p, v8d v) { __builtin_memcpy(p, &v, sizeof v); }

LBFGSB_INLINE double combine(const double* lanes) {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

// lanes[k][i mod 8] += w[i] * v[k][i] for i in [i0, i1), k < K, each lane in increasing i;
// i0 must be a multiple of 8.
template <int K>
LBFGSB_INLINE void accumulate(const double* w, const double* const* v, double* const* lanes, std::int64_t i0,
                       std::int64_t i1) {
    v8d acc[K];
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) acc[k] = load(lanes[k]);
    std::int64_t i = i0;
    for (; i + 8 <= i1; i += 8) {
        const v8d wv = load(w + i);
#pragma GCC unroll 4
        for (int k = 0; k < K; ++k) acc[k] = acc[k] + wv * load(v[k] + i);
    }
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) store(lanes[k], acc[k]);
    for (; i < i1; ++i) {
#pragma GCC unroll 4
        for (int k = 0; k < K; ++k) lanes[k][i & 7] = lanes[k][i & 7] + w[i] * v[k][i];
    }
}

// accumulate for two columns y and s over the same K weights, rows [0, len) of a block that starts
// at a multiple of 8 (y_lanes[k] gets y * v[k], s_lanes[k] gets s * v[k]); each weight is loaded
// once for both columns. The sums are those of two separate accumulate calls, bit for bit.
template <int K>
LBFGSB_INLINE void accumulate_pair(const double* y, const double* s, const double* const* v, double* const* y_lanes,
                            double* const* s_lanes, std::int64_t len) {
    v8d ay[K], as[K];
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
        ay[k] = load(y_lanes[k]);
        as[k] = load(s_lanes[k]);
    }
    std::int64_t i = 0;
    for (; i + 8 <= len; i += 8) {
        const v8d yv = load(y + i);
        const v8d sv = load(s + i);
#pragma GCC unroll 4
        for (int k = 0; k < K; ++k) {
            const v8d wv = load(v[k] + i);
            ay[k] = ay[k] + yv * wv;
            as[k] = as[k] + sv * wv;
        }
    }
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
        store(y_lanes[k], ay[k]);
        store(s_lanes[k], as[k]);
    }
    for (; i < len; ++i) {
#pragma GCC unroll 4
        for (int k = 0; k < K; ++k) {
            y_lanes[k][i & 7] = y_lanes[k][i & 7] + y[i] * v[k][i];
            s_lanes[k][i & 7] = s_lanes[k][i & 7] + s[i] * v[k][i];
        }
    }
}

// accumulate_pair for the pairs j < col of W (y_j = w[j] + b0, s_j = w[col + j] + b0), all with
// the weights v[0, count), and those with j < extra_pairs also with v[count]; weight k's sums for
// pair j are the lanes at lanes + 8 (y_base[k] + j) and lanes + 8 (s_base[k] + j). count +
// (extra_pairs > 0) <= 4. The bits of one accumulate_pair call per pair.
void accumulate_pairs(int col, int count, int extra_pairs, const double* const* v, const int* y_base,
                      const int* s_base, const double* const* w, std::int64_t b0, double* lanes, std::int64_t len);

// As accumulate, for 0 < count <= 4 weights; compiled for AVX-512, AVX2 and the baseline, chosen
// at load time (the same bits on each: no fused multiply-add, same lanes).
void accumulate_n(int count, const double* w, const double* const* v, double* const* lanes, std::int64_t i0,
                  std::int64_t i1);

// d[i] = (d[i] + y[i] a1) + s[i] a2 for i < len (subsm's and cmprlb's row update, one column pair).
void add_column_pair(double* d, const double* y, double a1, const double* s, double a2, std::int64_t len);

// a'b in the Fast order.
double dot(std::int64_t n, const double* a, const double* b);

}  // namespace fast
}  // namespace lbfgsb
