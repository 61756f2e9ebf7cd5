// Objective redefinition at an iteration boundary (not in L-BFGS-B; the Python lbfgsb package's
// update_fun_def, which rebuilds the history incorrectly once it holds more than one pair): the
// gradients of the stored points are replaced, and every quantity derived from Y is rebuilt.
#include <cstring>
#include <stdexcept>
#include <string>

#include "blas.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

namespace {

void require_new_iterate(const Minimizer::State& s, const char* what) {
    if (s.phase != Phase::NewIterate) throw std::logic_error(std::string(what) + ": only at a new iterate");
}

double* slot(Buffer<double>& w, const Minimizer::State& s, int j) {
    return w.data() + static_cast<std::size_t>((s.head + j) % s.m) * s.n;
}

const double* slot(const Buffer<double>& w, const Minimizer::State& s, int j) {
    return w.data() + static_cast<std::size_t>((s.head + j) % s.m) * s.n;
}

}  // namespace

// formk's wn1 (snd) from scratch: Y'ZZ'Y, S'AA'S, L_a (strictly lower S'AA'Y) and R_z (upper
// S'ZZ'Y) over the free set index[0, nfree) and the active set index[nfree, n).
void rebuild_snd(Minimizer::State& s) {
    const int m = s.m;
    const int m2 = 2 * m;
    const int col = s.col;
    const std::int64_t n = s.n;
    const std::int64_t nfree = s.nfree;
    const std::int64_t* ind = s.index.data();
    double* wn1 = s.snd.data();
    std::memset(wn1, 0, sizeof(double) * 4 * m * m);
    const double* const* w = s.history_columns();
    std::vector<double> acc(2 * static_cast<std::size_t>(col) + 2);
    const auto free_row = [ind](std::int64_t t) { return ind[t]; };
    const auto active_row = [ind, nfree](std::int64_t t) { return ind[nfree + t]; };
    for (int iy = 0; iy < col; ++iy) {
        const double* y_iy = w[iy];
        const double* s_iy = w[col + iy];
        // Y'ZZ'Y row iy (jy <= iy) and R_z: s_iy'y_jy over the free rows (iy <= jy).
        std::fill(acc.begin(), acc.end(), 0.0);
        kernels::accumulate_columns(w, iy + 1, acc.data(), nfree, free_row,
                                    [y_iy, ind](std::int64_t t) { return y_iy[ind[t]]; });
        for (int jy = 0; jy <= iy; ++jy) wn1[iy + m2 * jy] = acc[jy];
        std::fill(acc.begin(), acc.end(), 0.0);
        kernels::accumulate_columns(w + iy, col - iy, acc.data(), nfree, free_row,
                                    [s_iy, ind](std::int64_t t) { return s_iy[ind[t]]; });
        for (int jy = iy; jy < col; ++jy) wn1[(m + iy) + m2 * jy] = acc[jy - iy];
        // S'AA'S row iy (jy <= iy) and L_a: s_iy'y_jy over the active rows (jy < iy).
        std::fill(acc.begin(), acc.end(), 0.0);
        kernels::accumulate_columns(w + col, iy + 1, acc.data(), n - nfree, active_row,
                                    [s_iy, ind, nfree](std::int64_t t) { return s_iy[ind[nfree + t]]; });
        for (int jy = 0; jy <= iy; ++jy) wn1[(m + iy) + m2 * (m + jy)] = acc[jy];
        std::fill(acc.begin(), acc.end(), 0.0);
        kernels::accumulate_columns(w, iy, acc.data(), n - nfree, active_row,
                                    [s_iy, ind, nfree](std::int64_t t) { return s_iy[ind[nfree + t]]; });
        for (int jy = 0; jy < iy; ++jy) wn1[(m + iy) + m2 * jy] = acc[jy];
    }
}

int Minimizer::history_count() const {
    require_new_iterate(*s_, "history_count()");
    return s_->col + 2;
}

// Points: the last is x, the one before the iterate the line search started from (t), older
// ones step back through the stored s vectors.
void Minimizer::history_point(int i, double* out) const {
    const State& s = *s_;
    require_new_iterate(s, "history_point()");
    if (i < 0 || i > s.col + 1) throw std::invalid_argument("history_point(" + std::to_string(i) + "): out of range");
    if (i == s.col + 1) {
        std::memcpy(out, s.x.data(), sizeof(double) * s.n);
        return;
    }
    std::memcpy(out, s.t.data(), sizeof(double) * s.n);
    for (int j = s.col - 1; j >= i; --j) {
        const double* sj = slot(s.ws, s, j);
        for (std::int64_t k = 0; k < s.n; ++k) out[k] -= sj[k];
    }
}

void Minimizer::history_gradient(int i, double* out) const {
    const State& s = *s_;
    require_new_iterate(s, "history_gradient()");
    if (i < 0 || i > s.col + 1) throw std::invalid_argument("history_gradient(" + std::to_string(i) + "): out of range");
    if (i == s.col + 1) {
        std::memcpy(out, s.g.data(), sizeof(double) * s.n);
        return;
    }
    std::memcpy(out, s.r.data(), sizeof(double) * s.n);
    for (int j = s.col - 1; j >= i; --j) {
        const double* yj = slot(s.wy, s, j);
        for (std::int64_t k = 0; k < s.n; ++k) out[k] -= yj[k];
    }
}

void Minimizer::begin_redefinition() {
    State& s = *s_;
    require_new_iterate(s, "begin_redefinition()");
    s.redefining = 0;
}

// Gradient i replaces y_{i-1} = g_i - g_{i-1} (the previous gradient waits in z), then r and g.
void Minimizer::redefine_gradient(int i, const double* gradient) {
    State& s = *s_;
    require_new_iterate(s, "redefine_gradient()");
    if (s.redefining != i)
        throw std::logic_error("redefine_gradient(" + std::to_string(i) + "): expected gradient " +
                               std::to_string(s.redefining) + " (call begin_redefinition() first, then in order)");
    const std::int64_t n = s.n;
    if (i >= 1 && i <= s.col) {
        double* y = slot(s.wy, s, i - 1);
        const double* previous = s.z.data();
        for (std::int64_t k = 0; k < n; ++k) y[k] = gradient[k] - previous[k];
    }
    if (i == s.col) std::memcpy(s.r.data(), gradient, sizeof(double) * n);
    if (i == s.col + 1) {
        std::memcpy(s.g.data(), gradient, sizeof(double) * n);
    } else {
        std::memcpy(s.z.data(), gradient, sizeof(double) * n);
    }
    ++s.redefining;
}

int Minimizer::end_redefinition(double f, double f_previous) {
    State& s = *s_;
    require_new_iterate(s, "end_redefinition()");
    if (s.redefining != s.col + 2)
        throw std::logic_error("end_redefinition(): " + std::to_string(s.redefining) + " of " +
                               std::to_string(s.col + 2) + " gradients were given");
    s.redefining = -1;
    const std::int64_t n = s.n;
    const int m = s.m;
    s.f = f;
    s.fold = f_previous;
    s.sbgnrm = projgr(s);
    // The pending pair's slopes along d, which the next update turns into s'y.
    s.gd = blas::dot(n, s.g.data(), s.d.data());
    s.gdold = blas::dot(n, s.r.data(), s.d.data());
    // S'Y (lower triangle with the diagonal) from the new Y.
    double* sy = s.sy.data();
    for (int i = 0; i < s.col; ++i)
        for (int j = 0; j <= i; ++j) sy[i + m * j] = blas::dot(n, slot(s.ws, s, i), slot(s.wy, s, j));
    // Keep the newest pairs with positive curvature: drop the newest failing pair and all older.
    int drop = 0;
    for (int j = s.col - 1; j >= 0; --j) {
        const double* yj = slot(s.wy, s, j);
        const double yy = blas::dot(n, yj, yj);
        if (!(sy[j + m * j] > s.opt.curvature_pair_threshold * yy)) {
            drop = j + 1;
            break;
        }
    }
    if (drop > 0) {
        const int keep = s.col - drop;
        double* ss = s.ss.data();
        for (int j = 0; j < keep; ++j)
            for (int i = 0; i < keep; ++i) {
                sy[i + m * j] = sy[(i + drop) + m * (j + drop)];
                ss[i + m * j] = ss[(i + drop) + m * (j + drop)];
            }
        s.head = (s.head + drop) % m;
        s.col = keep;
    }
    s.iupdat = s.col;
    s.itail = (s.head + s.col + m - 1) % m;
    if (s.col == 0) {
        s.reset_memory();
        return 0;
    }
    const double* y_last = slot(s.wy, s, s.col - 1);
    s.theta = blas::dot(n, y_last, y_last) / sy[(s.col - 1) + m * (s.col - 1)];
    if (formt(s) != 0) {
        s.reset_memory();
        return 0;
    }
    rebuild_snd(s);
    return s.col;
}

}  // namespace lbfgsb
