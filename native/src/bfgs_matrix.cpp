// The compact L-BFGS matrix B = theta I - W M W': ports bmv, matupd, formt and formk of
// L-BFGS-B 3.0 (LINPACK's dpofa/dtrsl replaced by LAPACK's dpotrf/dtrtrs, as SciPy does).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "blas.hpp"
#include "fast.hpp"
#include "kernels.hpp"
#include "state.hpp"

namespace lbfgsb {

// Port of bmv: p = M v for the 2col x 2col middle matrix, using D, L (from S'Y) and the
// Cholesky factor J' of theta S'S + L D^-1 L' held in wt. Returns LAPACK's info.
int bmv(int m, const double* sy, const double* wt, int col, const double* v, double* p, bool own_linalg) {
    if (col == 0) return 0;
    // Solve [ D^(1/2) 0 ; -L D^(-1/2) J ] [p1; p2] = [v1; v2]: first J p2 = v2 + L D^-1 v1.
    p[col] = v[col];
    for (int i = 1; i < col; ++i) {
        double sum = 0.0;
        for (int k = 0; k < i; ++k) sum = sum + sy[i + m * k] * v[k] / sy[k + m * k];
        p[col + i] = v[col + i] + sum;
    }
    int info = blas::trtrs_upper(own_linalg, true, col, 1, wt, m, p + col, col);
    if (info != 0) return info;
    for (int i = 0; i < col; ++i) p[i] = v[i] / std::sqrt(sy[i + m * i]);
    // Solve [ -D^(1/2) D^(-1/2) L' ; 0 J' ] [p1; p2] = [p1; p2].
    info = blas::trtrs_upper(own_linalg, false, col, 1, wt, m, p + col, col);
    if (info != 0) return info;
    for (int i = 0; i < col; ++i) p[i] = -p[i] / std::sqrt(sy[i + m * i]);
    for (int i = 0; i < col; ++i) {
        double sum = 0.0;
        for (int k = i + 1; k < col; ++k) sum = sum + sy[k + m * i] * p[col + k] / sy[i + m * i];
        p[i] = p[i] + sum;
    }
    return 0;
}

// Port of matupd: stores s = d and y = r as the newest pair, theta = y'y / s'y, and the new row of
// S'Y and column of S'S (shifting both when the history is full).
void matupd(Minimizer::State& s, double rr, double dr) {
    const std::int64_t n = s.n;
    const int m = s.m;
    double* ws = s.ws.data();
    double* wy = s.wy.data();
    double* sy = s.sy.data();
    double* ss = s.ss.data();
    const double* d = s.d.data();
    if (s.iupdat <= m) {
        s.col = s.iupdat;
        s.itail = (s.head + s.iupdat - 1) % m;
    } else {
        s.itail = (s.itail + 1) % m;
        s.head = (s.head + 1) % m;
    }
    const std::size_t tail = static_cast<std::size_t>(s.itail) * n;
    std::memcpy(ws + tail, d, sizeof(double) * n);
    std::memcpy(wy + tail, s.r.data(), sizeof(double) * n);
    s.theta = rr / dr;
    const int col = s.col;
    if (s.iupdat > m) {
        // Drop the oldest pair: shift the upper triangle of SS and the lower triangle of SY.
        for (int j = 1; j < col; ++j) {
            std::memmove(&ss[m * (j - 1)], &ss[1 + m * j], sizeof(double) * j);
            std::memmove(&sy[(j - 1) + m * (j - 1)], &sy[j + m * j], sizeof(double) * (col - j));
        }
    }
    int pointr = s.head;
    for (int j = 0; j < col - 1; ++j) {
        const double* wyj = wy + static_cast<std::size_t>(pointr) * n;
        const double* wsj = ws + static_cast<std::size_t>(pointr) * n;
        sy[(col - 1) + m * j] = blas::dot(n, d, wyj);
        ss[j + m * (col - 1)] = blas::dot(n, wsj, d);
        pointr = (pointr + 1) % m;
    }
    ss[(col - 1) + m * (col - 1)] = s.stp == 1.0 ? s.dtd : s.stp * s.stp * s.dtd;
    sy[(col - 1) + m * (col - 1)] = dr;
}

// Port of formt: T = theta S'S + L D^-1 L' (upper triangle) into wt, then its Cholesky factor.
// Returns -3 when T is not positive definite.
int formt(Minimizer::State& s) {
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    double* wt = s.wt.data();
    const double* sy = s.sy.data();
    const double* ss = s.ss.data();
    for (int j = 0; j < col; ++j) wt[m * j] = theta * ss[m * j];
    for (int i = 1; i < col; ++i) {
        for (int j = i; j < col; ++j) {
            const int k1 = i < j ? i : j;
            double ddum = 0.0;
            for (int k = 0; k < k1; ++k) ddum = ddum + ((sy[i + m * k] * sy[j + m * k]) / sy[k + m * k]);
            wt[i + m * j] = ddum + theta * ss[i + m * j];
        }
    }
    return blas::potrf_upper(fast::enabled(s), col, wt, m) != 0 ? -3 : 0;
}

// Port of formk: forms and factorises (LEL') the indefinite matrix
//   K = [ -D - Y'ZZ'Y/theta   L_a' - R_z' ; L_a - R_z   theta S'AA'S ]
// keeping the unfactorised inner products in snd (wn1) and updating them incrementally for the
// newest pair and the variables that entered or left the free set. Returns -1 / -2 when the
// first / second Cholesky factorisation fails.
int formk(Minimizer::State& s, const double* new_column, bool previous_free_set) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const double theta = s.theta;
    const std::int64_t nsub = s.nfree;
    const std::int64_t* ind = s.index.data();
    const std::int64_t* indx2 = s.indx2.data();
    const std::int64_t nenter = s.nenter;
    const std::int64_t ileave = s.ileave;
    const double* sy = s.sy.data();
    double* wn = s.wn.data();
    double* wn1 = s.snd.data();
    const int m2 = 2 * m;

    // W's columns in chronological order: y_j = w[j], s_j = w[col + j].
    const double* const* w = s.history_columns();
    const auto free_row = [ind](std::int64_t t) { return ind[t]; };
    const auto active_row = [ind, nsub](std::int64_t t) { return ind[nsub + t]; };
    s.formk_sums.resize(4 * static_cast<std::size_t>(col) + 4);
    double* acc = s.formk_sums.data();
    s.formk_columns.resize(2 * static_cast<std::size_t>(col) + 2);
    std::vector<const double*>& cols_buf = s.formk_columns;

    int upcl;
    if (s.updatd) {
        if (s.iupdat > m) {
            // Shift the old part of wn1.
            for (int jy = 0; jy < m - 1; ++jy) {
                const int js = m + jy;
                const int len = m - (jy + 1);
                std::memmove(&wn1[jy + m2 * jy], &wn1[(jy + 1) + m2 * (jy + 1)], sizeof(double) * len);
                std::memmove(&wn1[js + m2 * js], &wn1[(js + 1) + m2 * (js + 1)], sizeof(double) * len);
                std::memmove(&wn1[m + m2 * jy], &wn1[(m + 1) + m2 * (jy + 1)], sizeof(double) * (m - 1));
            }
        }
        // The newest pair against all: over the free rows, y_new'y_j (row col of Y'ZZ'Y) and
        // s_i'y_new (column col of R_z); over the active rows, s_new's_j and s_new'y_j (row col
        // of S'AA'S and L_a). One pass each, all columns at once.
        const double* y_new = w[col - 1];
        const double* s_new = w[2 * col - 1];
        if (new_column != nullptr) {
            for (int c = 0; c < 4 * col; ++c) acc[c] = new_column[c];
        } else {
            for (int c = 0; c < 4 * col; ++c) acc[c] = 0.0;
            kernels::accumulate_columns(w, 2 * col, acc, nsub, free_row,
                                        [y_new, ind](std::int64_t t) { return y_new[ind[t]]; });
            const double** active_cols = cols_buf.data();
            for (int j = 0; j < col; ++j) {
                active_cols[j] = w[col + j];
                active_cols[col + j] = w[j];
            }
            kernels::accumulate_columns(active_cols, 2 * col, acc + 2 * col, n - nsub, active_row,
                                        [s_new, ind, nsub](std::int64_t t) { return s_new[ind[nsub + t]]; });
        }
        const int iy = col - 1;
        const int is = m + col - 1;
        for (int jy = 0; jy < col; ++jy) {
            wn1[iy + m2 * jy] = acc[jy];                // y_new'ZZ'y_j
            wn1[is + m2 * (m + jy)] = acc[2 * col + jy];  // s_new'AA's_j
            wn1[is + m2 * jy] = acc[3 * col + jy];      // s_new'AA'y_j
        }
        for (int i = 0; i < col; ++i) wn1[(m + i) + m2 * (col - 1)] = acc[col + i];  // s_i'ZZ'y_new
        // Products taken over the previous free set are corrected below with the older ones.
        upcl = new_column != nullptr && previous_free_set ? col : col - 1;
    } else {
        upcl = col;
    }

    // Old parts of blocks (1,1), (2,2) and (2,1), corrected for the variables that entered
    // (indx2[0, nenter)) or left (indx2[ileave, n)) the free set. One sweep over those rows
    // gathers each row's y_j and s_j (j < upcl) once and adds its products to every sum; each
    // sum still runs over the rows in increasing order from 0.0, as the reference loops do (one
    // (iy, jy) at a time), so the bits are the same. Fast: in chunks of rows, on the threads
    // (fast::sweep_rows).
    const std::int64_t nleave = n - ileave;
    if (upcl > 0 && (nenter > 0 || nleave > 0)) {
        const std::size_t sq = static_cast<std::size_t>(upcl) * upcl;
        s.formk_sums.resize(std::max(s.formk_sums.size(), 6 * sq + 2 * static_cast<std::size_t>(upcl)));
        acc = s.formk_sums.data();
        double* e_yy = acc;  // [iy * upcl + jy]: y_iy'y_jy (jy <= iy) over entering rows
        double* e_ss = acc + sq;  // s_iy's_jy (jy <= iy)
        double* e_sy = acc + 2 * sq;  // s_iy'y_jy (all jy)
        double* l_yy = acc + 3 * sq;  // the same three over leaving rows
        double* l_ss = acc + 4 * sq;
        double* l_sy = acc + 5 * sq;
        double* yv = acc + 6 * sq;  // one row's y_j and s_j, j < upcl
        double* sv = yv + upcl;
        std::fill(acc, acc + 6 * sq, 0.0);
        if (fast::enabled(s)) {  // in chunks, shared out to the threads
            fast::sweep_rows(s, indx2, nenter, upcl, e_yy, e_ss, e_sy);
            fast::sweep_rows(s, indx2 + ileave, nleave, upcl, l_yy, l_ss, l_sy);
        } else {
            kernels::sweep_rows(w, col, upcl, indx2, 0, nenter, e_yy, e_ss, e_sy, yv, sv);
            kernels::sweep_rows(w, col, upcl, indx2 + ileave, 0, nleave, l_yy, l_ss, l_sy, yv, sv);
        }
        for (int iy = 0; iy < upcl; ++iy) {
            const int is = m + iy;
            const std::size_t row = static_cast<std::size_t>(iy) * upcl;
            for (int jy = 0; jy <= iy; ++jy) {
                const int js = m + jy;
                wn1[iy + m2 * jy] = wn1[iy + m2 * jy] + e_yy[row + jy] - l_yy[row + jy];
                wn1[is + m2 * js] = wn1[is + m2 * js] - e_ss[row + jy] + l_ss[row + jy];
            }
            for (int jy = 0; jy < upcl; ++jy) {
                if (is <= jy + m) {
                    wn1[is + m2 * jy] = wn1[is + m2 * jy] + e_sy[row + jy] - l_sy[row + jy];
                } else {
                    wn1[is + m2 * jy] = wn1[is + m2 * jy] - e_sy[row + jy] + l_sy[row + jy];
                }
            }
        }
    }

    // Upper triangle of WN = [ D + Y'ZZ'Y/theta  -L_a' + R_z' ; -L_a + R_z  theta S'AA'S ].
    for (int iy = 0; iy < col; ++iy) {
        const int is = col + iy;
        const int is1 = m + iy;
        for (int jy = 0; jy <= iy; ++jy) {
            const int js = col + jy;
            const int js1 = m + jy;
            wn[jy + m2 * iy] = wn1[iy + m2 * jy] / theta;
            wn[js + m2 * is] = wn1[is1 + m2 * js1] * theta;
        }
        for (int jy = 0; jy < iy; ++jy) wn[jy + m2 * is] = -wn1[is1 + m2 * jy];
        for (int jy = iy; jy < col; ++jy) wn[jy + m2 * is] = wn1[is1 + m2 * jy];
        wn[iy + m2 * iy] = wn[iy + m2 * iy] + sy[iy + m * iy];
    }
    // LL' of the (1,1) block, L^-1 (-L_a' + R_z') in the (1,2) block, then the Schur complement
    // theta S'AA'S + (L^-1(-L_a'+R_z'))' L^-1(-L_a'+R_z') factorised in the (2,2) block.
    const bool own = fast::enabled(s);
    if (blas::potrf_upper(own, col, wn, m2) != 0) return -1;
    const int col2 = 2 * col;
    blas::trtrs_upper(own, true, col, col, wn, m2, &wn[m2 * col], m2);
    for (int is = col; is < col2; ++is) {
        for (int js = is; js < col2; ++js) {
            wn[is + m2 * js] = wn[is + m2 * js] + blas::short_dot(own, col, &wn[m2 * is], &wn[m2 * js]);
        }
    }
    if (blas::potrf_upper(own, col, &wn[col + m2 * col], m2) != 0) return -2;
    return 0;
}

}  // namespace lbfgsb
