// Projection and free-set bookkeeping: ports active, projgr and freev of L-BFGS-B 3.0.
#include <cmath>

#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

// Port of active: projects x0 onto the box and initialises iwhere, cnstnd and boxed.
void active(Minimizer::State& s) {
    const std::int64_t n = s.n;
    double* x = s.x.data();
    const double* l = s.l.data();
    const double* u = s.u.data();
    const std::int8_t* nbd = s.nbd.data();
    std::int8_t* iwhere = s.iwhere.data();
    s.prjctd = false;
    s.cnstnd = false;
    s.boxed = true;
    for (std::int64_t i = 0; i < n; ++i) {
        const int b = nbd[i];
        if (b == kUnbounded) continue;
        if (b <= kBoth && x[i] <= l[i]) {
            if (x[i] < l[i]) {
                s.prjctd = true;
                x[i] = l[i];
            }
        } else if (b >= kBoth && x[i] >= u[i]) {
            if (x[i] > u[i]) {
                s.prjctd = true;
                x[i] = u[i];
            }
        }
    }
    for (std::int64_t i = 0; i < n; ++i) {
        const int b = nbd[i];
        if (b != kBoth) s.boxed = false;
        if (b == kUnbounded) {
            iwhere[i] = -1;  // always free
        } else {
            s.cnstnd = true;
            iwhere[i] = (b == kBoth && u[i] - l[i] <= 0.0) ? 3 : 0;  // 3: permanently fixed
        }
    }
}

// Port of projgr: infinity norm of the projected gradient P(x - g) - x; NaN in g propagates
// (as SciPy does since gh-10756).
double projgr(const Minimizer::State& s) {
    const std::int64_t n = s.n;
    const double* x = s.x.data();
    const double* g = s.g.data();
    const double* l = s.l.data();
    const double* u = s.u.data();
    const std::int8_t* nbd = s.nbd.data();
    double norm = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        double gi = g[i];
        if (gi != gi) return gi;
        const int b = nbd[i];
        if (b != kUnbounded) {
            if (gi < 0.0) {
                if (b >= kBoth) gi = kernels::max_num(x[i] - u[i], gi);
            } else {
                if (b <= kBoth) gi = kernels::min_num(x[i] - l[i], gi);
            }
        }
        norm = kernels::max_num(norm, std::fabs(gi));
    }
    return norm;
}

// Port of freev: entering/leaving variables since the last iteration (iter > 0 and constrained),
// then the free set index[0, nfree) and the active set index[nfree, n) at the Cauchy point.
// indx2[0, nenter) entered the free set, indx2[ileave, n) left it.
void freev(Minimizer::State& s) {
    const std::int64_t n = s.n;
    std::int64_t* index = s.index.data();
    std::int64_t* indx2 = s.indx2.data();
    const std::int8_t* iwhere = s.iwhere.data();
    s.nenter = 0;
    s.ileave = n;
    if (s.iter > 0 && s.cnstnd) {
        for (std::int64_t i = 0; i < s.nfree; ++i) {
            const std::int64_t k = index[i];
            if (iwhere[k] > 0) indx2[--s.ileave] = k;
        }
        for (std::int64_t i = s.nfree; i < n; ++i) {
            const std::int64_t k = index[i];
            if (iwhere[k] <= 0) indx2[s.nenter++] = k;
        }
    }
    s.wrk = (s.ileave < n) || (s.nenter > 0) || s.updatd;
    std::int64_t nfree = 0;
    std::int64_t iact = n;
    for (std::int64_t i = 0; i < n; ++i) {
        if (iwhere[i] <= 0) {
            index[nfree++] = i;
        } else {
            index[--iact] = i;
        }
    }
    s.nfree = nfree;
}

}  // namespace lbfgsb
