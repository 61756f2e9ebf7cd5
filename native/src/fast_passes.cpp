// Arithmetic::Fast: the iteration's passes over the correction history W = [Y, S], fused.
//
// Reference order reads the n x 2col history about five times per iteration (matupd's inner
// products, cauchy's W'd, formk's products of the newest pair, cmprlb + subsm's W'Zr, subsm's
// Z'W v) and walks the free rows through an index. Here:
//   - the accepted pair is written straight into Y and S; its products with the older pairs and
//     formt wait for the next pass (store_pair);
//   - bounded: cauchy's pass computes W'd, those products and formk's products of the newest pair
//     over the previous iteration's free set (cauchy_products; formk corrects them for the rows
//     that entered or left the free set, with the older pairs). cmprlb's W'Zq (q = -theta (z - x)
//     - g on the free rows) is (1 - theta tsum) W'Zd, W'Zd being the p that cauchy's breakpoint
//     walk leaves (the fixed rows taken out) and tsum its step (reduced_gradient_from_cauchy),
//     and W'Zr = W'Zq + (W'ZZ'W) Mc takes the Gram blocks from formk's
//     (complete_reduced_gradient), so r is never formed on its own and no pass computes it.
//     When cauchy could not do it (no breakpoint walk, every variable fixed), one pass sums W'Zq
//     and the newest pair's products over the current free set (reduced_gradient_pass);
//   - unconstrained: one pass computes W'g, formk's products of the newest pair and the deferred
//     products (reduced_gradient_pass);
//   - subsm's update runs over full-length rows, masked by the free set, adds W Mc with its step,
//     and starts the line search on the same rows (bounded: also the 2011 projection, and with
//     one thread the step-to-bound scan).
// So an iteration reads W twice, with unit-stride vector loops. Every long sum uses the order of
// fast.hpp. The decisions (breakpoints, free set, skipped updates, restarts) are the algorithm's;
// only rounding differs from Reference.
#include <atomic>
#include <cmath>
#include <cstring>
#include <system_error>
#include <thread>
#include <vector>

#include "blas.hpp"
#include "fast.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {
namespace fast {

namespace {

// Threads for a pass over `chunks` chunks: Options::threads, but never fewer than
// kMinChunksPerThread chunks (64k rows) each: below that, starting a thread costs more than it saves.
constexpr std::int64_t kMinChunksPerThread = 16;

int threads_for(const Minimizer::State& s, std::int64_t chunks) {
    std::int64_t t = s.opt.threads;
    const std::int64_t most = chunks / kMinChunksPerThread;
    if (t > most) t = most;
    return t < 1 ? 1 : static_cast<int>(t);
}

// work(t, c_begin, c_end) for t < threads over contiguous ranges of [0, chunks); thread 0 is the
// caller. Threads are started per pass (no pool: nothing idles or spins while the objective runs);
// if one cannot be started, the caller does its range.
template <class Work>
void parallel_chunks(std::int64_t chunks, int threads, Work&& work) {
    if (threads <= 1) {
        work(0, 0, chunks);
        return;
    }
    std::vector<std::thread> started;
    started.reserve(threads - 1);
    std::vector<int> inline_ranges;
    for (int t = 1; t < threads; ++t) {
        const std::int64_t c0 = chunks * t / threads;
        const std::int64_t c1 = chunks * (t + 1) / threads;
        try {
            started.emplace_back([&work, t, c0, c1] { work(t, c0, c1); });
        } catch (const std::system_error&) {
            inline_ranges.push_back(t);
        }
    }
    work(0, 0, chunks / threads);
    for (int t : inline_ranges) work(t, chunks * t / threads, chunks * (t + 1) / threads);
    for (std::thread& th : started) th.join();
}

// The sums of one pass over rows [0, n): `count` sums of 8 lanes each. Chunks are shared out to
// up to Options::threads threads in contiguous ranges; each chunk's combined lanes are kept, and
// the totals add them in chunk order afterwards, so the bits do not depend on the thread count.
class Pass {
public:
    Pass(Minimizer::State& s, int count) : s_(s), count_(count) {}

    // Runs block(b0, len, lanes) for the blocks [b0, b0 + len) of [0, n), lanes being the calling
    // thread's 8 * count accumulators (lanes + 8 k for sum k).
    template <class Block>
    void run(std::int64_t n, Block&& block) {
        const std::int64_t chunks = (n + kChunk - 1) / kChunk;
        const int threads = threads_for(s_, chunks);
        s_.fast_lanes.assign(8 * static_cast<std::size_t>(count_) * threads, 0.0);
        s_.fast_chunk_sums.resize(static_cast<std::size_t>(count_) * chunks);
        parallel_chunks(chunks, threads, [&](int t, std::int64_t c_begin, std::int64_t c_end) {
            double* lanes = s_.fast_lanes.data() + 8 * static_cast<std::size_t>(count_) * t;
            for (std::int64_t c = c_begin; c < c_end; ++c) {
                const std::int64_t c0 = c * kChunk;
                const std::int64_t c1 = c0 + kChunk < n ? c0 + kChunk : n;
                for (std::int64_t b0 = c0; b0 < c1; b0 += kBlock) block(b0, (b0 + kBlock < c1 ? b0 + kBlock : c1) - b0, lanes);
                double* sums = s_.fast_chunk_sums.data() + static_cast<std::size_t>(count_) * c;
                for (int k = 0; k < count_; ++k) {
                    double* l = lanes + 8 * k;
                    sums[k] = combine(l);
                    for (int j = 0; j < 8; ++j) l[j] = 0.0;
                }
            }
        });
        s_.fast_totals.assign(static_cast<std::size_t>(count_), 0.0);
        for (std::int64_t c = 0; c < chunks; ++c) {
            const double* sums = s_.fast_chunk_sums.data() + static_cast<std::size_t>(count_) * c;
            for (int k = 0; k < count_; ++k) s_.fast_totals[k] = s_.fast_totals[k] + sums[k];
        }
    }
    const double* totals() const { return s_.fast_totals.data(); }

private:
    Minimizer::State& s_;
    int count_;
};

// The weights every pair of history columns (y_j, s_j), j < col, meets in a block, and the sums
// each product feeds: y_j * weight into sum y_base + j, s_j * weight into sum s_base + j. One
// extra weight may apply to the pairs j < extra_pairs only. Each pair's columns go through one
// loop with all its weights (each weight loaded once for the two columns), and the whole block is
// one call: at small n the per-call cost, not the arithmetic, is what a pass costs.
struct PairsWork {
    int count = 0;  // weights for every pair, then the extra one at index count
    const double* v[4];
    int y_base[4];
    int s_base[4];
    int extra_pairs = 0;
    void add(const double* weight, int y_sum, int s_sum) {
        v[count] = weight;
        y_base[count] = y_sum;
        s_base[count] = s_sum;
        ++count;
    }
    // Must come last.
    void add_for_first(int pairs, const double* weight, int y_sum, int s_sum) {
        if (pairs <= 0) return;
        v[count] = weight;
        y_base[count] = y_sum;
        s_base[count] = s_sum;
        extra_pairs = pairs;
    }
    void run(const double* const* w, int col, std::int64_t b0, double* lanes, std::int64_t len) const {
        accumulate_pairs(col, count, extra_pairs, v, y_base, s_base, w, b0, lanes, len);
    }
};

// matupd's new row of S'Y and column of S'S from the deferred products, then formt.
int finish_update(Minimizer::State& s, const double* sy_new, const double* ss_new) {
    const int m = s.m;
    const int col = s.col;
    for (int j = 0; j < col - 1; ++j) {
        s.sy[(col - 1) + m * j] = sy_new[j];
        s.ss[j + m * (col - 1)] = ss_new[j];
    }
    s.update_pending = false;
    return formt(s) != 0 ? kUpdateFailed : 0;
}

}  // namespace

bool enabled(const Minimizer::State& s) { return s.opt.arithmetic == Arithmetic::Fast; }

#define LBFGSB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

LBFGSB_CLONES
void accumulate_n(int count, const double* w, const double* const* v, double* const* lanes, std::int64_t i0,
                  std::int64_t i1) {
    switch (count) {
        case 1: accumulate<1>(w, v, lanes, i0, i1); break;
        case 2: accumulate<2>(w, v, lanes, i0, i1); break;
        case 3: accumulate<3>(w, v, lanes, i0, i1); break;
        case 4: accumulate<4>(w, v, lanes, i0, i1); break;
        default: break;
    }
}

LBFGSB_CLONES
void accumulate_pairs(int col, int count, int extra_pairs, const double* const* v, const int* y_base,
                      const int* s_base, const double* const* w, std::int64_t b0, double* lanes, std::int64_t len) {
    for (int j = 0; j < col; ++j) {
        const int k_count = j < extra_pairs ? count + 1 : count;
        double* y_lanes[4];
        double* s_lanes[4];
        for (int k = 0; k < k_count; ++k) {
            y_lanes[k] = lanes + 8 * (y_base[k] + j);
            s_lanes[k] = lanes + 8 * (s_base[k] + j);
        }
        const double* y = w[j] + b0;
        const double* sc = w[col + j] + b0;
        switch (k_count) {
            case 1: accumulate_pair<1>(y, sc, v, y_lanes, s_lanes, len); break;
            case 2: accumulate_pair<2>(y, sc, v, y_lanes, s_lanes, len); break;
            case 3: accumulate_pair<3>(y, sc, v, y_lanes, s_lanes, len); break;
            case 4: accumulate_pair<4>(y, sc, v, y_lanes, s_lanes, len); break;
            default: break;
        }
    }
}

LBFGSB_CLONES
void add_column_pair(double* d, const double* y, double a1, const double* s, double a2, std::int64_t len) {
    for (std::int64_t t = 0; t < len; ++t) d[t] = d[t] + y[t] * a1 + s[t] * a2;
}

LBFGSB_CLONES
double dot(std::int64_t n, const double* a, const double* b) {
    double total = 0.0;
    double lanes[8];
    for (std::int64_t c0 = 0; c0 < n; c0 += kChunk) {
        const std::int64_t c1 = c0 + kChunk < n ? c0 + kChunk : n;
        v8d acc = {0, 0, 0, 0, 0, 0, 0, 0};
        std::int64_t i = c0;
        for (; i + 8 <= c1; i += 8) acc = acc + load(a + i) * load(b + i);
        store(lanes, acc);
        for (; i < c1; ++i) lanes[i & 7] = lanes[i & 7] + a[i] * b[i];
        total = total + combine(lanes);
    }
    return total;
}

namespace {

// The start of a line search on rows [b0, b0 + len) (b0 a multiple of 8): d = z - x, d'd into
// dd_lanes and g'd into gd_lanes (added to what they hold, as a Pass's lanes), t = x, and r = g
// unless r is null. line_search_start and both subspace sweeps use it, so their sums agree bit
// for bit.
LBFGSB_CLONES
void start_rows(std::int64_t b0, std::int64_t len, const double* z, const double* x, const double* g, double* d,
                double* t, double* r, double* dd_lanes, double* gd_lanes) {
    v8d dd = load(dd_lanes);
    v8d gd = load(gd_lanes);
    std::int64_t i = b0;
    const std::int64_t end = b0 + len;
    for (; i + 8 <= end; i += 8) {
        const v8d xi = load(x + i);
        const v8d gi = load(g + i);
        const v8d di = load(z + i) - xi;
        store(d + i, di);
        dd = dd + di * di;
        gd = gd + gi * di;
        store(t + i, xi);
        if (r != nullptr) store(r + i, gi);
    }
    store(dd_lanes, dd);
    store(gd_lanes, gd);
    for (; i < end; ++i) {
        d[i] = z[i] - x[i];
        dd_lanes[i & 7] = dd_lanes[i & 7] + d[i] * d[i];
        gd_lanes[i & 7] = gd_lanes[i & 7] + g[i] * d[i];
        t[i] = x[i];
        if (r != nullptr) r[i] = g[i];
    }
}

// lnsrlb's step-to-bound scan over rows [i0, i1) in order, from stpmx.
inline double scan_to_bounds(double stpmx, std::int64_t i0, std::int64_t i1, const double* d, const std::int8_t* nbd,
                             const double* x, const double* l, const double* u) {
    for (std::int64_t i = i0; i < i1; ++i) stpmx = step_to_bound(stpmx, d[i], nbd[i], x[i], l[i], u[i]);
    return stpmx;
}

// z = x + rtheta step on rows [b0, b0 + len) (step indexed from 0).
LBFGSB_CLONES
void subspace_point(std::int64_t b0, std::int64_t len, const double* step, double rtheta, const double* x, double* z) {
    for (std::int64_t t = 0; t < len; ++t) z[b0 + t] = x[b0 + t] + rtheta * step[t];
}

// out = a - b, returning out'out (Fast order).
LBFGSB_CLONES
double difference_and_square(std::int64_t n, const double* a, const double* b, double* out) {
    double total = 0.0;
    double lanes[8];
    for (std::int64_t c0 = 0; c0 < n; c0 += kChunk) {
        const std::int64_t c1 = c0 + kChunk < n ? c0 + kChunk : n;
        v8d acc = {0, 0, 0, 0, 0, 0, 0, 0};
        std::int64_t i = c0;
        for (; i + 8 <= c1; i += 8) {
            const v8d di = load(a + i) - load(b + i);
            store(out + i, di);
            acc = acc + di * di;
        }
        store(lanes, acc);
        for (; i < c1; ++i) {
            out[i] = a[i] - b[i];
            lanes[i & 7] = lanes[i & 7] + out[i] * out[i];
        }
        total = total + combine(lanes);
    }
    return total;
}

}  // namespace

void store_pair(Minimizer::State& s, double dr) {
    const std::int64_t n = s.n;
    const int m = s.m;
    if (s.iupdat <= m) {
        s.col = s.iupdat;
        s.itail = (s.head + s.iupdat - 1) % m;
    } else {
        s.itail = (s.itail + 1) % m;
        s.head = (s.head + 1) % m;
    }
    const std::size_t tail = static_cast<std::size_t>(s.itail) * n;
    double* y = s.wy.data() + tail;
    double* sv = s.ws.data() + tail;
    const double* g = s.g.data();
    const double* g_old = s.r.data();
    const double* d = s.d.data();
    // y = g - g_old and y'y in one pass.
    const double rr = difference_and_square(n, g, g_old, y);
    const double stp = s.stp;
    if (stp == 1.0) {
        std::memcpy(sv, d, sizeof(double) * n);
    } else {
        for (std::int64_t i = 0; i < n; ++i) sv[i] = stp * d[i];
    }
    s.theta = rr / dr;
    const int col = s.col;
    double* sy = s.sy.data();
    double* ss = s.ss.data();
    if (s.iupdat > m) {
        for (int j = 1; j < col; ++j) {
            std::memmove(&ss[m * (j - 1)], &ss[1 + m * j], sizeof(double) * j);
            std::memmove(&sy[(j - 1) + m * (j - 1)], &sy[j + m * j], sizeof(double) * (col - j));
        }
    }
    ss[(col - 1) + m * (col - 1)] = stp == 1.0 ? s.dtd : stp * stp * s.dtd;
    sy[(col - 1) + m * (col - 1)] = dr;
    s.update_pending = true;
}

void sweep_rows(Minimizer::State& s, const std::int64_t* rows, std::int64_t count, int upcl, double* yy, double* ss,
                double* sy) {
    if (count <= 0 || upcl <= 0) return;
    const int col = s.col;
    const double* const* w = s.history_columns();
    const std::size_t sq = static_cast<std::size_t>(upcl) * upcl;
    const std::int64_t chunks = (count + kChunk - 1) / kChunk;
    if (chunks == 1) {  // one chunk: its sums go straight into the totals (0.0 + sum, the same bits)
        s.fast_sweep_sums.resize(2 * static_cast<std::size_t>(upcl));
        double* yv = s.fast_sweep_sums.data();
        kernels::sweep_rows(w, col, upcl, rows, 0, count, yy, ss, sy, yv, yv + upcl);
        return;
    }
    const std::size_t per_chunk = 3 * sq + 2 * static_cast<std::size_t>(upcl);  // sums, then one row's y and s
    s.fast_sweep_sums.assign(per_chunk * static_cast<std::size_t>(chunks), 0.0);
    double* sums = s.fast_sweep_sums.data();
    parallel_chunks(chunks, threads_for(s, chunks), [&](int, std::int64_t c_begin, std::int64_t c_end) {
        for (std::int64_t c = c_begin; c < c_end; ++c) {
            double* cyy = sums + per_chunk * static_cast<std::size_t>(c);
            const std::int64_t t1 = (c + 1) * kChunk < count ? (c + 1) * kChunk : count;
            kernels::sweep_rows(w, col, upcl, rows, c * kChunk, t1, cyy, cyy + sq, cyy + 2 * sq, cyy + 3 * sq,
                                cyy + 3 * sq + upcl);
        }
    });
    for (std::int64_t c = 0; c < chunks; ++c) {
        const double* cyy = sums + per_chunk * static_cast<std::size_t>(c);
        for (std::size_t k = 0; k < sq; ++k) {
            yy[k] = yy[k] + cyy[k];
            ss[k] = ss[k] + cyy[sq + k];
            sy[k] = sy[k] + cyy[2 * sq + k];
        }
    }
}

int finish_update_alone(Minimizer::State& s) {
    const int col = s.col;
    const int k = col - 1;
    const double* const* w = s.history_columns();
    const double* s_new = w[2 * col - 1];
    Pass pass(s, 2 * k);
    if (k > 0) {
        pass.run(s.n, [&](std::int64_t b0, std::int64_t len, double* lanes) {
            PairsWork pw;
            pw.add_for_first(k, s_new + b0, 0, k);  // the older pairs only
            pw.run(w, col, b0, lanes, len);
        });
    }
    return finish_update(s, pass.totals(), pass.totals() + k);
}

int cauchy_products(Minimizer::State& s, const double* d, double* p) {
    const int col = s.col;
    const int col2 = 2 * col;
    const bool pending = s.update_pending;
    const int k = pending ? col - 1 : 0;
    const double* const* w = s.history_columns();
    const double* y_new = w[col - 1];
    const double* s_new = w[col2 - 1];
    // Sums: [0, 2col) W'd; [2col, 2col + 2k) the deferred update's y_j's_new and s_j's_new (all
    // rows); then, with fast_new_column_before, formk's new column over the previous free set F
    // and active set A: y_j'F y_new, s_j'F y_new, s_j'A s_new, y_j'A s_new (col each).
    const bool new_column = s.fast_new_column_before;
    const int nc = col2 + 2 * k;
    Pass pass(s, nc + (new_column ? 4 * col : 0));
    pass.run(s.n, [&](std::int64_t b0, std::int64_t len, double* lanes) {
        double yv[kBlock];  // y_new on the rows free before, else 0
        double sv[kBlock];  // s_new on the others, else 0
        PairsWork pw;
        pw.add(d + b0, 0, col);
        if (new_column) {
            const std::int8_t* before = s.fast_free_before.data() + b0;
            for (std::int64_t t = 0; t < len; ++t) {
                const bool was_free = before[t] != 0;
                yv[t] = was_free ? y_new[b0 + t] : 0.0;
                sv[t] = was_free ? 0.0 : s_new[b0 + t];
            }
            pw.add(yv, nc, nc + col);
            pw.add(sv, nc + 3 * col, nc + 2 * col);
        }
        pw.add_for_first(k, s_new + b0, col2, col2 + k);
        pw.run(w, col, b0, lanes, len);
    });
    const double* tot = pass.totals();
    for (int j = 0; j < col2; ++j) p[j] = tot[j];
    if (new_column) s.fast_new_column.assign(tot + nc, tot + nc + 4 * col);
    if (!pending) return 0;
    return finish_update(s, tot + col2, tot + col2 + k);
}

namespace {

// cmprlb's M c, c = W'(xcp - x) from cauchy; kept in wa[6m, 8m) as the coefficients of
// r = q + Y a + S b (a = (Mc)_Y, b = theta (Mc)_S) for complete_reduced_gradient and subsm.
// Overwrites wa[0, 2m). Returns bmv's info.
int cauchy_mc(Minimizer::State& s) {
    const int m = s.m;
    const int col = s.col;
    double* wa = s.wa.data();
    const int info = bmv(m, s.sy.data(), s.wt.data(), col, wa + 2 * m, wa, true);
    if (info != 0) return info;
    for (int j = 0; j < col; ++j) {
        wa[6 * m + j] = wa[j];
        wa[6 * m + col + j] = s.theta * wa[col + j];
    }
    return 0;
}

}  // namespace

int reduced_gradient_from_cauchy(Minimizer::State& s) {
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    double* wa = s.wa.data();
    // cauchy left p = [Y'Zd; theta S'Zd] in wa[0, 2m) (Z: the free rows at the GCP, where xcp - x
    // = tsum d and d = -g), so on those rows q = -theta (xcp - x) - g = (1 - theta tsum) d.
    const double scale = 1.0 - theta * s.fast_tsum;
    for (int j = 0; j < col; ++j) {
        wa[4 * m + j] = scale * wa[j];
        wa[4 * m + col + j] = scale * (wa[col + j] / theta);
    }
    return cauchy_mc(s) != 0 ? -8 : 0;
}

bool dense_free_set(const Minimizer::State& s) { return !s.cnstnd || s.nfree * 8 >= s.n; }

int reduced_gradient_pass(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    const bool cnstnd = s.cnstnd;
    const double* x = s.x.data();
    const double* g = s.g.data();
    const double* z = s.z.data();
    const std::int8_t* iwhere = s.iwhere.data();
    double* wa = s.wa.data();
    const double* const* w = s.history_columns();
    if (cnstnd && cauchy_mc(s) != 0) return -8;
    const bool new_column = s.wrk && s.updatd;  // formk will want the newest pair's products
    const bool pending = s.update_pending;      // only unconstrained (cauchy resolved it otherwise)
    const int k = pending ? col - 1 : 0;
    const double* y_new = w[col - 1];
    const double* s_new = w[2 * col - 1];
    // Sums: [0, 2col) W'Zq (bounded; q = -theta (z - x) - g on the free rows) or W'g
    // (unconstrained); [2col, 3col) y_j'y_new and [3col, 4col) s_j'y_new over the free rows,
    // [4col, 5col) s_j's_new and [5col, 6col) y_j's_new over the active rows; [6col, 6col + k)
    // y_j's_new and [6col + k, 6col + 2k) s_j's_new over all rows (the deferred update).
    // Bounded, W'Z W (Mc) is added by complete_reduced_gradient from formk's blocks, so the
    // reduced gradient r itself is never formed: subsm's pass adds W Mc with its own step.
    Pass pass(s, 6 * col + 2 * k);
    pass.run(n, [&](std::int64_t b0, std::int64_t len, double* lanes) {
        double qv[kBlock];  // q on free rows, else 0
        double yv[kBlock];  // y_new on free rows, else 0
        double sv[kBlock];  // s_new on active rows, else 0
        // Unconstrained, r = -g: the sums use g and are negated at the end (exactly -sum(w r)).
        const double* rb = cnstnd ? qv : g + b0;
        if (cnstnd) {
            for (std::int64_t t = 0; t < len; ++t) {
                const std::int64_t i = b0 + t;
                qv[t] = iwhere[i] <= 0 ? -theta * (z[i] - x[i]) - g[i] : 0.0;
            }
            if (new_column) {
                for (std::int64_t t = 0; t < len; ++t) {
                    const bool is_free = iwhere[b0 + t] <= 0;
                    yv[t] = is_free ? y_new[b0 + t] : 0.0;
                    sv[t] = is_free ? 0.0 : s_new[b0 + t];
                }
            }
        }
        const double* yw = cnstnd ? yv : y_new + b0;
        PairsWork pw;
        pw.add(rb, 0, col);
        if (new_column) {
            pw.add(yw, 2 * col, 3 * col);
            if (cnstnd) pw.add(sv, 5 * col, 4 * col);
        }
        pw.add_for_first(k, s_new + b0, 6 * col, 6 * col + k);
        pw.run(w, col, b0, lanes, len);
    });
    const double* tot = pass.totals();
    for (int c = 0; c < 2 * col; ++c) wa[4 * m + c] = cnstnd ? tot[c] : -tot[c];
    if (new_column) {
        s.fast_new_column.assign(4 * static_cast<std::size_t>(col), 0.0);
        double* nc = s.fast_new_column.data();
        for (int j = 0; j < col; ++j) {
            nc[j] = tot[2 * col + j];
            nc[col + j] = tot[3 * col + j];
            nc[2 * col + j] = cnstnd ? tot[4 * col + j] : 0.0;
            nc[3 * col + j] = cnstnd ? tot[5 * col + j] : 0.0;
        }
    }
    if (pending && finish_update(s, tot + 6 * col, tot + 6 * col + k) != 0) return kUpdateFailed;
    return 0;
}

void complete_reduced_gradient(Minimizer::State& s) {
    if (!s.cnstnd) return;
    const int m = s.m;
    const int m2 = 2 * m;
    const int col = s.col;
    const double* wn1 = s.snd.data();
    const double* sy = s.sy.data();
    const double* ss = s.ss.data();
    const double* a = s.wa.data() + 6 * m;  // r = q + Y a + S b
    const double* b = a + col;
    double* wzr = s.wa.data() + 4 * m;  // W'Zq on entry, W'Zr on exit
    // The Gram blocks over the free rows: Y'ZZ'Y (lower triangle of wn1's (1,1) block) and the
    // upper part of S'ZZ'Y (R_z) are formk's; the lower part of S'ZZ'Y and S'ZZ'S are S'Y and S'S
    // less formk's active-row blocks (L_a and S'AA'S). Column i of each block is contiguous in
    // wn1, sy and ss for the rows j <= i, row i for j > i.
    for (int i = 0; i < col; ++i) {
        const double* yy_col = wn1 + m2 * i;       // wn1[j + m2 i]: y_j'ZZ'y_i, j >= i
        const double* sy_col = wn1 + m + m2 * i;   // wn1[(m + j) + m2 i]: s_j'ZZ'y_i (j <= i) or s_j'AA'y_i (j > i)
        const double* ss_col = wn1 + m + m2 * (m + i);  // wn1[(m + j) + m2 (m + i)]: s_j'AA's_i, j >= i
        double y_sum = 0.0, s_sum = 0.0;
        for (int j = 0; j < i; ++j) {
            // y_i: G_yy(i, j) = wn1[i + m2 j], G_sy(j, i) = s_j'ZZ'y_i (j < i: R_z)
            y_sum = y_sum + wn1[i + m2 * j] * a[j] + sy_col[j] * b[j];
            // s_i: G_sy(i, j) = s_i'y_j - s_i'AA'y_j (i > j), G_ss(i, j) = s_j's_i - s_i'AA's_j
            s_sum = s_sum + (sy[i + m * j] - wn1[(m + i) + m2 * j]) * a[j] +
                    (ss[j + m * i] - wn1[(m + i) + m2 * (m + j)]) * b[j];
        }
        for (int j = i; j < col; ++j) {
            y_sum = y_sum + yy_col[j] * a[j] + (j == i ? sy_col[j] : sy[j + m * i] - sy_col[j]) * b[j];
            s_sum = s_sum + wn1[(m + i) + m2 * j] * a[j] + (ss[i + m * j] - ss_col[j]) * b[j];
        }
        wzr[i] = wzr[i] + y_sum;
        wzr[col + i] = wzr[col + i] + s_sum;
    }
}

namespace {

// subsm's 2011 projection of row k (free): x[k] = x[k] + dk clipped to the box; whether it met a
// bound.
inline bool project_row(std::int64_t k, double dk, const std::int8_t* nbd, const double* l, const double* u,
                        double* x) {
    const double xk = x[k];
    switch (nbd[k]) {
        case kLowerOnly:
            x[k] = kernels::max_num(l[k], xk + dk);
            return x[k] == l[k];
        case kBoth: {
            const double lo = kernels::max_num(l[k], xk + dk);
            x[k] = kernels::min_num(u[k], lo);
            return x[k] == l[k] || x[k] == u[k];
        }
        case kUpperOnly:
            x[k] = kernels::min_num(u[k], xk + dk);
            return x[k] == u[k];
        default:
            x[k] = xk + dk;
            return false;
    }
}

// Rows [b0, b0 + len) of subsm's fused sweep, after the Newton direction db: xp = z, z projected
// (free rows), then the line search's start from the projected point (start_rows, r left alone)
// and, when scan, the step-to-bound scan. Returns whether a projected row met a bound.
int project_and_start(std::int64_t b0, std::int64_t len, const double* db, const std::int8_t* iwhere,
                      const std::int8_t* nbd, const double* l, const double* u, const double* x, const double* g,
                      double* z, double* xp, double* d, double* t, double* dd_lanes, double* gd_lanes, bool scan,
                      double& stpmx) {
    int hit = 0;
    for (std::int64_t k = 0; k < len; ++k) {
        const std::int64_t i = b0 + k;
        xp[i] = z[i];
        if (iwhere[i] <= 0 && project_row(i, db[k], nbd, l, u, z)) hit = 1;
    }
    start_rows(b0, len, z, x, g, d, t, nullptr, dd_lanes, gd_lanes);
    if (scan) stpmx = scan_to_bounds(stpmx, b0, b0 + len, d, nbd, x, l, u);
    return hit;
}

}  // namespace

int subsm(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    const bool cnstnd = s.cnstnd;
    const double* l = s.l.data();
    const double* u = s.u.data();
    const std::int8_t* nbd = s.nbd.data();
    const std::int8_t* iwhere = s.iwhere.data();
    double* x = s.z.data();  // the Cauchy point on entry, the result on exit
    double* d = s.r.data();  // full-length reduced gradient on entry, the Newton direction on exit
    double* xp = s.xp.data();
    const double* xx = s.x.data();
    const double* gg = s.g.data();
    double* wv = s.wa.data();
    const double* wn = s.wn.data();
    if (s.nfree <= 0) return 0;

    for (int i = 0; i < col; ++i) {
        wv[i] = s.wa[4 * m + i];
        wv[col + i] = theta * s.wa[4 * m + col + i];
    }
    const int m2 = 2 * m;
    const int col2 = 2 * col;
    int info = blas::trtrs_upper(fast::enabled(s), true, col2, 1, wn, m2, wv, m2);
    if (info != 0) return info;
    for (int i = 0; i < col; ++i) wv[i] = -wv[i];
    info = blas::trtrs_upper(fast::enabled(s), false, col2, 1, wn, m2, wv, m2);
    if (info != 0) return info;
    // d = (1/theta) d + (1/theta^2) Z'W wv, on every row, then zero on the active ones.
    const double rtheta = 1.0 / theta;
    const double* const* w = s.history_columns();
    if (!cnstnd) {
        // Unconstrained (r = -g, z = x on entry): the subspace step, z = x + step, and the start
        // of the line search (d = z - x, d'd, t = x, r = g, g'd; see line_search_start) in one
        // pass. The sums are those line_search_start would give, bit for bit.
        double* dl = s.d.data();
        double* tl = s.t.data();
        double* rl = s.r.data();
        Pass pass(s, 2);
        pass.run(n, [&](std::int64_t b0, std::int64_t len, double* lanes) {
            double step[kBlock];
            for (std::int64_t t = 0; t < len; ++t) step[t] = -gg[b0 + t];
            for (int j = 0; j < col; ++j) add_column_pair(step, w[j] + b0, wv[j] / theta, w[col + j] + b0, wv[col + j], len);
            subspace_point(b0, len, step, rtheta, xx, x);
            start_rows(b0, len, x, xx, gg, dl, tl, rl, lanes, lanes + 8);
        });
        s.dtd = pass.totals()[0];
        s.gd = pass.totals()[1];
        s.direction_ready = true;
        s.iword = 0;
        return 0;
    }
    // d = (1/theta) (q + W (Mc + wv')) on the free rows, 0 on the others: the reduced gradient
    // r = q + W Mc (see reduced_gradient_pass) and the subspace step in one sweep. The same sweep
    // projects the Newton point onto the box (2011), keeps the Cauchy point in xp, and starts the
    // line search from the projected point (line_search_start's work but r = g: r holds the
    // Newton direction until the projection is known to stand). With one thread it also runs
    // lnsrlb's step-to-bound scan; with more, the scan follows the pass (it takes the rows in
    // order: each row's test uses the step left by the rows before it). Every result is what
    // the separate loops give, bit for bit, for any number of threads.
    const double* mc = s.wa.data() + 6 * m;
    const std::int64_t chunks = (n + kChunk - 1) / kChunk;
    const bool scan = s.iter != 0;  // begin_line_search's step_to_bounds (bounded here)
    const bool scan_in_pass = scan && threads_for(s, chunks) == 1;
    double stpmx = s.opt.line_search_max_step;
    std::atomic<int> met_bound{0};
    double* dl = s.d.data();
    double* tl = s.t.data();
    Pass pass(s, 2);
    pass.run(n, [&](std::int64_t b0, std::int64_t len, double* lanes) {
        double* db = d + b0;
        for (std::int64_t t = 0; t < len; ++t) {
            const std::int64_t i = b0 + t;
            db[t] = -theta * (x[i] - xx[i]) - gg[i];
        }
        for (int j = 0; j < col; ++j) {
            add_column_pair(db, w[j] + b0, mc[j] + wv[j] / theta, w[col + j] + b0, mc[col + j] + wv[col + j], len);
        }
        for (std::int64_t t = 0; t < len; ++t) db[t] = iwhere[b0 + t] <= 0 ? rtheta * db[t] : 0.0;
        if (project_and_start(b0, len, db, iwhere, nbd, l, u, xx, gg, x, xp, dl, tl, lanes, lanes + 8, scan_in_pass,
                              stpmx)) {
            met_bound.store(1, std::memory_order_relaxed);
        }
    });
    s.iword = met_bound.load(std::memory_order_relaxed);
    const double gd = pass.totals()[1];  // dd_p: (x - xx)'g over the projected point
    if (s.iword == 0 || gd <= 0.0) {
        std::memcpy(s.r.data(), gg, sizeof(double) * n);
        if (scan && !scan_in_pass) stpmx = scan_to_bounds(stpmx, 0, n, dl, nbd, xx, l, u);
        s.dtd = pass.totals()[0];
        s.gd = gd;
        s.fast_ready_stpmx = stpmx;
        s.direction_ready = true;
        return 0;
    }

    // Back to the Cauchy point and the 1995 truncated Newton step.
    std::memcpy(x, xp, sizeof(double) * n);
    double alpha = 1.0;
    double temp1 = 1.0;
    std::int64_t ibd = -1;
    for (std::int64_t k = 0; k < n; ++k) {
        if (iwhere[k] > 0) continue;
        const double dk = d[k];
        const int b = nbd[k];
        if (b == kUnbounded) continue;
        if (dk < 0.0 && b <= kBoth) {
            const double temp2 = l[k] - x[k];
            if (temp2 >= 0.0) {
                temp1 = 0.0;
            } else if (dk * alpha < temp2) {
                temp1 = temp2 / dk;
            }
        } else if (dk > 0.0 && b >= kBoth) {
            const double temp2 = u[k] - x[k];
            if (temp2 <= 0.0) {
                temp1 = 0.0;
            } else if (dk * alpha > temp2) {
                temp1 = temp2 / dk;
            }
        }
        if (temp1 < alpha) {
            alpha = temp1;
            ibd = k;
        }
    }
    if (alpha < 1.0 && ibd >= 0) {
        const double dk = d[ibd];
        if (dk > 0.0) {
            x[ibd] = u[ibd];
            d[ibd] = 0.0;
        } else if (dk < 0.0) {
            x[ibd] = l[ibd];
            d[ibd] = 0.0;
        }
    }
    for (std::int64_t k = 0; k < n; ++k) {
        if (iwhere[k] <= 0) x[k] = x[k] + alpha * d[k];
    }
    return 0;
}


LineSearchStart line_search_start(Minimizer::State& s, bool step_to_bounds, double stpmx) {
    const std::int64_t n = s.n;
    const double* z = s.z.data();
    const double* x = s.x.data();
    const double* g = s.g.data();
    const double* l = s.l.data();
    const double* u = s.u.data();
    const std::int8_t* b = s.nbd.data();
    double* d = s.d.data();
    double* t = s.t.data();
    double* r = s.r.data();
    double dtd = 0.0, gd = 0.0;
    double dd_lanes[8], gd_lanes[8];
    for (std::int64_t c0 = 0; c0 < n; c0 += kChunk) {
        const std::int64_t c1 = c0 + kChunk < n ? c0 + kChunk : n;
        for (int j = 0; j < 8; ++j) dd_lanes[j] = gd_lanes[j] = 0.0;
        start_rows(c0, c1 - c0, z, x, g, d, t, r, dd_lanes, gd_lanes);
        dtd = dtd + combine(dd_lanes);
        gd = gd + combine(gd_lanes);
        // The reference scan, rows in order, on the chunk just written (in cache).
        if (step_to_bounds) stpmx = scan_to_bounds(stpmx, c0, c1, d, b, x, l, u);
    }
    return LineSearchStart{dtd, gd, stpmx};
}

}  // namespace fast
}  // namespace lbfgsb
