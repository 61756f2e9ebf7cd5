// Generalized Cauchy point: ports cauchy and hpsolb of L-BFGS-B 3.0 (with the 3.0 floor
// f2 = max(epsmch * f2_org, f2)). Deviation: the "all n variables hit a bound" exit is tested as
// the Fortran intends; SciPy's C port can never take it and falls through to the same xcp and c.
#include <cmath>
#include <vector>

#include "blas.hpp"
#include "fast.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

namespace {

constexpr double kEpsMach = 2.220446049250313e-16;

// Port of hpsolb on t[0..last], iorder[0..last]: if !heapified, first arranges t[0..last] as a
// min-heap; then moves the least element to t[last] and re-heaps t[0..last-1].
void hpsolb(std::int64_t last, double* t, std::int64_t* iorder, bool heapified) {
    // 1-based views of the arrays, as in Williams' heapsort.
    double* t1 = t - 1;
    std::int64_t* o1 = iorder - 1;
    if (!heapified) {
        for (std::int64_t k = 2; k <= last + 1; ++k) {
            const double ddum = t1[k];
            const std::int64_t indxin = o1[k];
            std::int64_t i = k;
            while (i > 1) {
                const std::int64_t j = i / 2;
                if (ddum < t1[j]) {
                    t1[i] = t1[j];
                    o1[i] = o1[j];
                    i = j;
                } else {
                    break;
                }
            }
            t1[i] = ddum;
            o1[i] = indxin;
        }
    }
    if (last > 0) {
        std::int64_t i = 1;
        const double out = t1[1];
        const std::int64_t indxout = o1[1];
        const double ddum = t1[last + 1];
        const std::int64_t indxin = o1[last + 1];
        for (;;) {
            std::int64_t j = i + i;
            if (j > last) break;
            if (t1[j + 1] < t1[j]) ++j;
            if (t1[j] < ddum) {
                t1[i] = t1[j];
                o1[i] = o1[j];
                i = j;
            } else {
                break;
            }
        }
        t1[i] = ddum;
        o1[i] = indxin;
        t1[last + 1] = out;
        o1[last + 1] = indxout;
    }
}

// Fast: after this many segments, cauchy forms M (2col x 2col) once and multiplies by it instead
// of solving with bmv per segment (two triangular solves, latency-bound; the driver problem at
// n = 1e6 once walks half a million breakpoints in one iteration).
constexpr int kDenseAfterSegments = 40;

// M = bmv applied to the unit vectors, column by column, into out (col2 x col2, column-major).
int form_dense_m(Minimizer::State& s, std::vector<double>& out) {
    const int col2 = 2 * s.col;
    out.assign(static_cast<std::size_t>(col2) * col2 + col2, 0.0);
    double* unit = out.data() + static_cast<std::size_t>(col2) * col2;
    for (int k = 0; k < col2; ++k) {
        unit[k] = 1.0;
        const int info = bmv(s.m, s.sy.data(), s.wt.data(), s.col, unit, out.data() + static_cast<std::size_t>(k) * col2, true);
        unit[k] = 0.0;
        if (info != 0) return info;
    }
    return 0;
}

}  // namespace

// Port of cauchy. Writes the GCP into s.z, the Cauchy direction into s.d, breakpoints into s.t
// (order in s.indx2), p = W'd into wa[0, 2m) and c = W'(xcp - x) into wa[2m, 4m).
// Returns nonzero when bmv meets a singular triangular system.
int cauchy(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const double* x = s.x.data();
    const double* l = s.l.data();
    const double* u = s.u.data();
    const double* g = s.g.data();
    const std::int8_t* nbd = s.nbd.data();
    std::int8_t* iwhere = s.iwhere.data();
    std::int64_t* iorder = s.indx2.data();
    double* t = s.t.data();
    double* d = s.d.data();
    double* xcp = s.z.data();
    const double theta = s.theta;
    const int col = s.col;
    const bool own = fast::enabled(s);  // plain loops for the 2m-vectors
    double* p = s.wa.data();
    double* c = p + 2 * m;
    double* wbp = p + 4 * m;
    double* v = p + 6 * m;

    s.fast_from_cauchy = false;
    s.fast_new_column_before = false;
    if (s.sbgnrm <= 0.0) {
        blas::copy(n, x, xcp);
        return 0;
    }
    if (own && s.cnstnd && s.updatd && s.iter > 0 && col > 0) {
        // Fast: the W'd pass also takes formk's products of the newest pair, over the free set of
        // the previous iteration (as freev knows it), recorded before the loop below changes iwhere.
        s.fast_new_column_before = true;
        if (s.fast_free_before.size() != n) s.fast_free_before.reset(n);
        std::int8_t* before = s.fast_free_before.data();
        for (std::int64_t i = 0; i < n; ++i) before[i] = iwhere[i] <= 0 ? 1 : 0;
    }
    bool bnded = true;
    std::int64_t nfree = n;
    std::int64_t nbreak = -1;
    std::int64_t ibkmin = 0;
    double bkmin = 0.0;
    const int col2 = 2 * col;
    double f1 = 0.0, tl = 0.0, tu = 0.0;

    for (int i = 0; i < col2; ++i) p[i] = 0.0;

    // Bound status and breakpoint of each variable; p accumulates -W'g over the moving ones.
    for (std::int64_t i = 0; i < n; ++i) {
        const double neggi = -g[i];
        const int b = nbd[i];
        if (iwhere[i] != 3 && iwhere[i] != -1) {
            if (b <= kBoth) tl = x[i] - l[i];
            if (b >= kBoth) tu = u[i] - x[i];
            const bool xlower = b <= kBoth && tl <= 0.0;
            const bool xupper = b >= kBoth && tu <= 0.0;
            iwhere[i] = 0;
            if (xlower) {
                if (neggi <= 0.0) iwhere[i] = 1;
            } else if (xupper) {
                if (neggi >= 0.0) iwhere[i] = 2;
            } else {
                if (std::fabs(neggi) <= 0.0) iwhere[i] = -3;
            }
        }
        if (iwhere[i] != 0 && iwhere[i] != -1) {
            d[i] = 0.0;
        } else {
            d[i] = neggi;
            f1 = f1 - neggi * neggi;
            if (b <= kBoth && b != kUnbounded && neggi < 0.0) {
                ++nbreak;
                iorder[nbreak] = i;
                t[nbreak] = tl / (-neggi);
                if (nbreak == 0 || t[nbreak] < bkmin) {
                    bkmin = t[nbreak];
                    ibkmin = nbreak;
                }
            } else if (b >= kBoth && neggi > 0.0) {
                ++nbreak;
                iorder[nbreak] = i;
                t[nbreak] = tu / neggi;
                if (nbreak == 0 || t[nbreak] < bkmin) {
                    bkmin = t[nbreak];
                    ibkmin = nbreak;
                }
            } else {
                --nfree;
                iorder[nfree] = i;
                if (std::fabs(neggi) > 0.0) bnded = false;
            }
        }
    }

    // p = W'd (the reference accumulates it inside the loop above; d is 0 where it adds nothing).
    const double* const* wcols = s.history_columns();
    if (fast::enabled(s)) {
        // One pass for W'd and the previous update's deferred products (then formt).
        const int rc = fast::cauchy_products(s, d, p);
        if (rc != 0) return rc;
    } else {
        kernels::accumulate_columns(wcols, col2, p, n, [](std::int64_t t) { return t; },
                                    [d](std::int64_t t) { return d[t]; });
    }
    if (theta != 1.0) blas::short_scal(own, col, theta, p + col);
    blas::copy(n, x, xcp);
    if (nbreak == -1 && nfree == n) {  // d is zero: the GCP is x
        s.fast_tsum = 0.0;
        s.fast_from_cauchy = own && (!s.updatd || s.fast_new_column_before);
        return 0;
    }

    for (int j = 0; j < col2; ++j) c[j] = 0.0;

    double f2 = -theta * f1;
    const double f2_org = f2;
    if (col > 0) {
        int info = bmv(m, s.sy.data(), s.wt.data(), col, p, v, fast::enabled(s));
        if (info != 0) return info;
        f2 = f2 - blas::short_dot(own, col2, v, p);
    }
    double dtm = -f1 / f2;
    double tsum = 0.0;
    s.nseg = 1;

    bool all_fixed = false;
    // Fast: M as a dense matrix once kDenseAfterSegments segments have used bmv.
    int bmv_segments = 0;
    const double* dense_m = nullptr;
    std::vector<double>& dense_storage = s.fast_dense_m;
    if (nbreak != -1) {
        std::int64_t nleft = nbreak;
        std::int64_t iter = 0;
        double tj = 0.0;
        for (;;) {
            const double tj0 = tj;
            std::int64_t ibp;
            if (iter == 0) {
                // The least breakpoint is known: no heap yet (often only one is used).
                tj = bkmin;
                ibp = iorder[ibkmin];
            } else {
                if (iter == 1 && ibkmin != nbreak) {
                    t[ibkmin] = t[nbreak];
                    iorder[ibkmin] = iorder[nbreak];
                }
                hpsolb(nleft, t, iorder, iter - 1 != 0);
                tj = t[nleft];
                ibp = iorder[nleft];
                if (nleft > 0 && col > 0) {
                    // The heap's root is the next breakpoint: fetch its row of W while this
                    // segment is worked out (a row of W is 2col cache lines far apart).
                    const std::int64_t next = iorder[0];
                    for (int j = 0; j < col2; ++j) __builtin_prefetch(wcols[j] + next);
                    __builtin_prefetch(d + next);
                    __builtin_prefetch(x + next);
                }
            }
            const double dt = tj - tj0;
            if (dtm < dt) break;  // the minimizer lies in this interval

            tsum = tsum + dt;
            --nleft;
            ++iter;
            double dibp = d[ibp];
            d[ibp] = 0.0;
            double zibp;
            if (dibp > 0.0) {
                zibp = u[ibp] - x[ibp];
                xcp[ibp] = u[ibp];
                iwhere[ibp] = 2;
            } else {
                zibp = l[ibp] - x[ibp];
                xcp[ibp] = l[ibp];
                iwhere[ibp] = 1;
            }
            if (nleft == -1 && nbreak == n - 1) {
                // Every variable reached a bound: xcp is the GCP.
                dtm = dt;
                all_fixed = true;
                break;
            }
            ++s.nseg;
            const double dibp2 = dibp * dibp;
            f1 = f1 + dt * f2 + dibp2 - theta * dibp * zibp;
            f2 = f2 - theta * dibp2;
            if (col > 0) {
                blas::short_axpy(own, col2, dt, p, c);
                for (int j = 0; j < col; ++j) {
                    wbp[j] = wcols[j][ibp];
                    wbp[col + j] = theta * wcols[col + j][ibp];
                }
                if (dense_m != nullptr) {
                    // Fast, after many segments: v = M wbp with M formed once (below).
                    for (int i = 0; i < col2; ++i) v[i] = 0.0;
                    for (int j = 0; j < col2; ++j) {
                        const double* mj = dense_m + static_cast<std::size_t>(j) * col2;
                        const double wj = wbp[j];
                        for (int i = 0; i < col2; ++i) v[i] = v[i] + mj[i] * wj;
                    }
                } else {
                    int info = bmv(m, s.sy.data(), s.wt.data(), col, wbp, v, fast::enabled(s));
                    if (info != 0) return info;
                    if (own && ++bmv_segments == kDenseAfterSegments) {
                        const int info2 = form_dense_m(s, dense_storage);
                        if (info2 != 0) return info2;
                        dense_m = dense_storage.data();
                    }
                }
                const double wmc = blas::short_dot(own, col2, c, v);
                const double wmp = blas::short_dot(own, col2, p, v);
                const double wmw = blas::short_dot(own, col2, wbp, v);
                blas::short_axpy(own, col2, -dibp, wbp, p);
                f1 = f1 + dibp * wmc;
                f2 = f2 + dibp * 2.0 * wmp - dibp2 * wmw;
            }
            f2 = std::fmax(kEpsMach * f2_org, f2);
            if (nleft >= 0) {
                dtm = -f1 / f2;
            } else if (bnded) {
                f1 = 0.0;
                f2 = 0.0;
                dtm = 0.0;
                break;
            } else {
                dtm = -f1 / f2;
                break;
            }
        }
    }

    if (!all_fixed) {
        if (dtm <= 0.0) dtm = 0.0;
        tsum = tsum + dtm;
        // Move the free variables and those whose breakpoints were not reached.
        blas::axpy(n, tsum, d, xcp);
    }
    // c = c + dtm * p = W'(xcp - x), used by cmprlb.
    if (col > 0) blas::short_axpy(own, col2, dtm, p, c);
    // Fast: p = W'Zd now (the rows fixed on the way were taken out of it), and the variables
    // still free moved by tsum d: cmprlb's W'Zq follows from them (reduced_gradient_from_cauchy).
    // Not when every variable was fixed (the last one's row is still in p), nor without the new
    // pair's products when there is a new pair.
    s.fast_tsum = tsum;
    s.fast_from_cauchy = own && !all_fixed && (!s.updatd || s.fast_new_column_before);
    return 0;
}

}  // namespace lbfgsb
