// The compact L-BFGS matrix B = theta I - W M W': ports bmv, matupd, formt and formk of
// L-BFGS-B 3.0 (LINPACK's dpofa/dtrsl replaced by LAPACK's dpotrf/dtrtrs, as SciPy does).
#include <cmath>
#include <cstring>

#include "blas.hpp"
#include "state.hpp"

namespace lbfgsb {

// Port of bmv: p = M v for the 2col x 2col middle matrix, using D, L (from S'Y) and the
// Cholesky factor J' of theta S'S + L D^-1 L' held in wt. Returns LAPACK's info.
int bmv(int m, const double* sy, const double* wt, int col, const double* v, double* p) {
    if (col == 0) return 0;
    // Solve [ D^(1/2) 0 ; -L D^(-1/2) J ] [p1; p2] = [v1; v2]: first J p2 = v2 + L D^-1 v1.
    p[col] = v[col];
    for (int i = 1; i < col; ++i) {
        double sum = 0.0;
        for (int k = 0; k < i; ++k) sum = sum + sy[i + m * k] * v[k] / sy[k + m * k];
        p[col + i] = v[col + i] + sum;
    }
    int info = blas::trtrs_upper(true, col, 1, wt, m, p + col, col);
    if (info != 0) return info;
    for (int i = 0; i < col; ++i) p[i] = v[i] / std::sqrt(sy[i + m * i]);
    // Solve [ -D^(1/2) D^(-1/2) L' ; 0 J' ] [p1; p2] = [p1; p2].
    info = blas::trtrs_upper(false, col, 1, wt, m, p + col, col);
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
    return blas::potrf_upper(col, wt, m) != 0 ? -3 : 0;
}

// Port of formk: forms and factorises (LEL') the indefinite matrix
//   K = [ -D - Y'ZZ'Y/theta   L_a' - R_z' ; L_a - R_z   theta S'AA'S ]
// keeping the unfactorised inner products in snd (wn1) and updating them incrementally for the
// newest pair and the variables that entered or left the free set. Returns -1 / -2 when the
// first / second Cholesky factorisation fails.
int formk(Minimizer::State& s) {
    const std::int64_t n = s.n;
    const int m = s.m;
    const int col = s.col;
    const int head = s.head;
    const double theta = s.theta;
    const std::int64_t nsub = s.nfree;
    const std::int64_t* ind = s.index.data();
    const std::int64_t* indx2 = s.indx2.data();
    const std::int64_t nenter = s.nenter;
    const std::int64_t ileave = s.ileave;
    const double* ws = s.ws.data();
    const double* wy = s.wy.data();
    const double* sy = s.sy.data();
    double* wn = s.wn.data();
    double* wn1 = s.snd.data();
    const int m2 = 2 * m;
    auto WS = [&](std::int64_t k, int j) { return ws[k + n * static_cast<std::int64_t>(j)]; };
    auto WY = [&](std::int64_t k, int j) { return wy[k + n * static_cast<std::int64_t>(j)]; };

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
        // New rows of blocks (1,1), (2,1) and (2,2).
        const int iy = col - 1;
        const int is = m + col - 1;
        int ipntr = head + col - 1;
        if (ipntr >= m) ipntr -= m;
        int jpntr = head;
        for (int jy = 0; jy < col; ++jy) {
            const int js = m + jy;
            double temp1 = 0.0, temp2 = 0.0, temp3 = 0.0;
            for (std::int64_t k = 0; k < nsub; ++k) {
                const std::int64_t k1 = ind[k];
                temp1 = temp1 + WY(k1, ipntr) * WY(k1, jpntr);
            }
            for (std::int64_t k = nsub; k < n; ++k) {
                const std::int64_t k1 = ind[k];
                temp2 = temp2 + WS(k1, ipntr) * WS(k1, jpntr);
                temp3 = temp3 + WS(k1, ipntr) * WY(k1, jpntr);
            }
            wn1[iy + m2 * jy] = temp1;
            wn1[is + m2 * js] = temp2;
            wn1[is + m2 * jy] = temp3;
            jpntr = (jpntr + 1) % m;
        }
        // New column of block (2,1).
        const int jy = col - 1;
        jpntr = head + col - 1;
        if (jpntr >= m) jpntr -= m;
        ipntr = head;
        for (int i = 0; i < col; ++i) {
            const int is2 = m + i;
            double temp3 = 0.0;
            for (std::int64_t k = 0; k < nsub; ++k) {
                const std::int64_t k1 = ind[k];
                temp3 = temp3 + WS(k1, ipntr) * WY(k1, jpntr);
            }
            ipntr = (ipntr + 1) % m;
            wn1[is2 + m2 * jy] = temp3;
        }
        upcl = col - 1;
    } else {
        upcl = col;
    }

    // Old parts of blocks (1,1) and (2,2), corrected for the changed free set.
    int ipntr = head;
    for (int iy = 0; iy < upcl; ++iy) {
        const int is = m + iy;
        int jpntr = head;
        for (int jy = 0; jy <= iy; ++jy) {
            const int js = m + jy;
            double temp1 = 0.0, temp2 = 0.0, temp3 = 0.0, temp4 = 0.0;
            for (std::int64_t k = 0; k < nenter; ++k) {
                const std::int64_t k1 = indx2[k];
                temp1 = temp1 + WY(k1, ipntr) * WY(k1, jpntr);
                temp2 = temp2 + WS(k1, ipntr) * WS(k1, jpntr);
            }
            for (std::int64_t k = ileave; k < n; ++k) {
                const std::int64_t k1 = indx2[k];
                temp3 = temp3 + WY(k1, ipntr) * WY(k1, jpntr);
                temp4 = temp4 + WS(k1, ipntr) * WS(k1, jpntr);
            }
            wn1[iy + m2 * jy] = wn1[iy + m2 * jy] + temp1 - temp3;
            wn1[is + m2 * js] = wn1[is + m2 * js] - temp2 + temp4;
            jpntr = (jpntr + 1) % m;
        }
        ipntr = (ipntr + 1) % m;
    }
    // Old part of block (2,1).
    ipntr = head;
    for (int is = m; is < m + upcl; ++is) {
        int jpntr = head;
        for (int jy = 0; jy < upcl; ++jy) {
            double temp1 = 0.0, temp3 = 0.0;
            for (std::int64_t k = 0; k < nenter; ++k) {
                const std::int64_t k1 = indx2[k];
                temp1 = temp1 + WS(k1, ipntr) * WY(k1, jpntr);
            }
            for (std::int64_t k = ileave; k < n; ++k) {
                const std::int64_t k1 = indx2[k];
                temp3 = temp3 + WS(k1, ipntr) * WY(k1, jpntr);
            }
            if (is <= jy + m) {
                wn1[is + m2 * jy] = wn1[is + m2 * jy] + temp1 - temp3;
            } else {
                wn1[is + m2 * jy] = wn1[is + m2 * jy] - temp1 + temp3;
            }
            jpntr = (jpntr + 1) % m;
        }
        ipntr = (ipntr + 1) % m;
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
    if (blas::potrf_upper(col, wn, m2) != 0) return -1;
    const int col2 = 2 * col;
    blas::trtrs_upper(true, col, col, wn, m2, &wn[m2 * col], m2);
    for (int is = col; is < col2; ++is) {
        for (int js = is; js < col2; ++js) {
            wn[is + m2 * js] = wn[is + m2 * js] + cblas_ddot(col, &wn[m2 * is], 1, &wn[m2 * js], 1);
        }
    }
    if (blas::potrf_upper(col, &wn[col + m2 * col], m2) != 0) return -2;
    return 0;
}

}  // namespace lbfgsb
