// Subspace minimisation: ports cmprlb and subsm of L-BFGS-B 3.0, including the 2011
// Morales-Nocedal projection of the subspace Newton point onto the box.
#include <cmath>
#include <cstring>

#include "blas.hpp"
#include "fast.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

namespace {

// wz += W'Z r over the free rows [i0, i1) (compact r, rows index[i] or i when dense): each sum in
// increasing row order, as subsm's reference loop.
void accumulate_wzr(const double* const* w, int col2, double* wz, const double* r, const std::int64_t* index,
                    bool dense, std::int64_t i0, std::int64_t i1) {
    if (dense) {
        kernels::accumulate_columns(w, col2, wz, i1 - i0, [i0](std::int64_t t) { return i0 + t; },
                                    [r, i0](std::int64_t t) { return r[i0 + t]; });
    } else {
        kernels::accumulate_columns(w, col2, wz, i1 - i0, [index, i0](std::int64_t t) { return index[i0 + t]; },
                                    [r, i0](std::int64_t t) { return r[i0 + t]; });
    }
}

}  // namespace

// Port of cmprlb: the reduced gradient r = -Z'(B(xcp - x) + g) on the free variables, using
// c = W'(xcp - x) from cauchy (wa[2m, 4m)). Returns -8 when bmv fails.
// Fused with the first pass of subsm: while each block of r is in cache it also accumulates
// W'Z r into wa[4m, 4m + 2col), so the history is read once for both.
int cmprlb(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    const double* x = s.x.data();
    const double* g = s.g.data();
    const double* z = s.z.data();
    double* r = s.r.data();
    double* wa = s.wa.data();
    double* wz = wa + 4 * m;
    const double* const* w = s.history_columns();
    for (int c = 0; c < 2 * col; ++c) wz[c] = 0.0;
    if (!s.cnstnd && col > 0) {
        for (std::int64_t i0 = 0; i0 < n; i0 += kernels::kRowBlock) {
            const std::int64_t i1 = i0 + kernels::kRowBlock < n ? i0 + kernels::kRowBlock : n;
            for (std::int64_t i = i0; i < i1; ++i) r[i] = -g[i];
            accumulate_wzr(w, 2 * col, wz, r, nullptr, true, i0, i1);
        }
        return 0;
    }
    const std::int64_t nfree = s.nfree;
    const std::int64_t* index = s.index.data();
    for (std::int64_t i = 0; i < nfree; ++i) {
        const std::int64_t k = index[i];
        r[i] = -theta * (z[k] - x[k]) - g[k];
    }
    if (bmv(m, s.sy.data(), s.wt.data(), col, wa + 2 * m, wa, fast::enabled(s)) != 0) return -8;
    // r += W (M c): each r[i] adds the columns in the reference's order. Blocks of rows stay in
    // cache while the columns stream past; within a block the update vectorises across rows.
    const bool dense = nfree == n;  // then index[i] == i
    for (std::int64_t i0 = 0; i0 < nfree; i0 += kernels::kRowBlock) {
        const std::int64_t i1 = i0 + kernels::kRowBlock < nfree ? i0 + kernels::kRowBlock : nfree;
        for (int j = 0; j < col; ++j) {
            const double a1 = wa[j];
            const double a2 = theta * wa[col + j];
            const double* yj = w[j];
            const double* sj = w[col + j];
            if (dense) {
                for (std::int64_t i = i0; i < i1; ++i) r[i] = r[i] + yj[i] * a1 + sj[i] * a2;
            } else {
                for (std::int64_t i = i0; i < i1; ++i) {
                    const std::int64_t k = index[i];
                    r[i] = r[i] + yj[k] * a1 + sj[k] * a2;
                }
            }
        }
        accumulate_wzr(w, 2 * col, wz, r, index, dense, i0, i1);
    }
    return 0;
}

// Port of subsm (3.0): the subspace Newton direction
//   d = (1/theta) r + (1/theta^2) Z'W K^-1 W'Z r
// from the Cauchy point z, projected onto the box; if the projection activated a bound and the
// projected point is not a descent direction from x, falls back to the 1995 truncated step.
// On entry s.r holds the reduced gradient, on exit s.z holds the subspace minimizer and
// s.iword = 1 if a bound was met. Returns LAPACK's info of the triangular solves.
int subsm(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    const std::int64_t nsub = s.nfree;
    const std::int64_t* ind = s.index.data();
    const double* l = s.l.data();
    const double* u = s.u.data();
    const std::int8_t* nbd = s.nbd.data();
    double* x = s.z.data();        // the Cauchy point on entry, the result on exit
    double* d = s.r.data();        // the reduced gradient on entry, the Newton direction on exit
    double* xp = s.xp.data();
    const double* xx = s.x.data();  // current iterate
    const double* gg = s.g.data();  // its gradient
    double* wv = s.wa.data();
    const double* wn = s.wn.data();
    if (nsub <= 0) return 0;

    // wv = W'Z d: accumulated by cmprlb's pass (wa[4m, 4m + 2col)).
    const double* const* w = s.history_columns();
    for (int i = 0; i < col; ++i) {
        wv[i] = s.wa[4 * m + i];
        wv[col + i] = theta * s.wa[4 * m + col + i];
    }
    // wv = K^-1 wv
    const int m2 = 2 * m;
    const int col2 = 2 * col;
    int info = blas::trtrs_upper(fast::enabled(s), true, col2, 1, wn, m2, wv, m2);
    if (info != 0) return info;
    for (int i = 0; i < col; ++i) wv[i] = -wv[i];
    info = blas::trtrs_upper(fast::enabled(s), false, col2, 1, wn, m2, wv, m2);
    if (info != 0) return info;
    // d = (1/theta) d + (1/theta^2) Z'W wv: each d[i] adds the columns in the reference's
    // order, then is scaled; blocked as in cmprlb.
    const double rtheta = 1.0 / theta;
    const bool dense = nsub == n;  // then ind[i] == i
    for (std::int64_t i0 = 0; i0 < nsub; i0 += kernels::kRowBlock) {
        const std::int64_t i1 = i0 + kernels::kRowBlock < nsub ? i0 + kernels::kRowBlock : nsub;
        for (int jy = 0; jy < col; ++jy) {
            const double a1 = wv[jy];
            const double a2 = wv[col + jy];
            const double* yj = w[jy];
            const double* sj = w[col + jy];
            if (dense) {
                for (std::int64_t i = i0; i < i1; ++i) d[i] = d[i] + (yj[i] * a1 / theta) + (sj[i] * a2);
            } else {
                for (std::int64_t i = i0; i < i1; ++i) {
                    const std::int64_t k = ind[i];
                    d[i] = d[i] + (yj[k] * a1 / theta) + (sj[k] * a2);
                }
            }
        }
        for (std::int64_t i = i0; i < i1; ++i) d[i] = rtheta * d[i];
    }

    // 2011: project the Newton point onto the box.
    s.iword = 0;
    std::memcpy(xp, x, sizeof(double) * n);
    for (std::int64_t i = 0; i < nsub; ++i) {
        const std::int64_t k = ind[i];
        const double dk = d[i];
        const double xk = x[k];
        switch (nbd[k]) {
            case kLowerOnly:
                x[k] = kernels::max_num(l[k], xk + dk);
                if (x[k] == l[k]) s.iword = 1;
                break;
            case kBoth: {
                const double lo = kernels::max_num(l[k], xk + dk);
                x[k] = kernels::min_num(u[k], lo);
                if (x[k] == l[k] || x[k] == u[k]) s.iword = 1;
                break;
            }
            case kUpperOnly:
                x[k] = kernels::min_num(u[k], xk + dk);
                if (x[k] == u[k]) s.iword = 1;
                break;
            default:
                x[k] = xk + dk;
        }
    }
    if (s.iword == 0) return 0;

    // A bound became active: keep the projected point if it is a descent direction from x.
    double dd_p = 0.0;
    for (std::int64_t i = 0; i < n; ++i) dd_p = dd_p + (x[i] - xx[i]) * gg[i];
    if (dd_p <= 0.0) return 0;

    // Otherwise back to the Cauchy point and the 1995 truncated Newton step.
    std::memcpy(x, xp, sizeof(double) * n);
    double alpha = 1.0;
    double temp1 = 1.0;
    std::int64_t ibd = 0;
    for (std::int64_t i = 0; i < nsub; ++i) {
        const std::int64_t k = ind[i];
        const double dk = d[i];
        const int b = nbd[k];
        if (b != kUnbounded) {
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
                ibd = i;
            }
        }
    }
    if (alpha < 1.0) {
        const double dk = d[ibd];
        const std::int64_t k = ind[ibd];
        if (dk > 0.0) {
            x[k] = u[k];
            d[ibd] = 0.0;
        } else if (dk < 0.0) {
            x[k] = l[k];
            d[ibd] = 0.0;
        }
    }
    for (std::int64_t i = 0; i < nsub; ++i) {
        const std::int64_t k = ind[i];
        x[k] = x[k] + alpha * d[i];
    }
    return 0;
}

}  // namespace lbfgsb
