// More-Thuente line search: ports dcsrch and dcstep of MINPACK-2 as used by L-BFGS-B 3.0
// (xtrapl = 1.1, xtrapu = 4, bisection when the interval shrinks by less than 0.66).
#include <cmath>

#include "state.hpp"

namespace lbfgsb {

namespace {

// Port of dcstep: a safeguarded step from the cubic/quadratic/secant models of the interval
// [stx, sty] and the trial stp; updates the interval and brackt.
void dcstep(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy, double& stp,
            double fp, double dp, bool& brackt, double stpmin, double stpmax) {
    const double sgnd = dp * (dx / std::fabs(dx));
    double stpf;
    if (fp > fx) {
        // Higher function value: the minimum is bracketed. Take the cubic step if it is closer to
        // stx than the quadratic step, else their average.
        const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        const double s = std::fmax(std::fabs(theta), std::fmax(std::fabs(dx), std::fabs(dp)));
        double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if (stp < stx) gamma = -gamma;
        const double p = (gamma - dx) + theta;
        const double q = ((gamma - dx) + gamma) + dp;
        const double r = p / q;
        const double stpc = stx + r * (stp - stx);
        const double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        if (std::fabs(stpc - stx) < std::fabs(stpq - stx)) {
            stpf = stpc;
        } else {
            stpf = stpc + (stpq - stpc) / 2.0;
        }
        brackt = true;
    } else if (sgnd < 0.0) {
        // Lower value, derivatives of opposite sign: bracketed. Cubic if farther from stp than
        // the secant step, else secant.
        const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        const double s = std::fmax(std::fabs(theta), std::fmax(std::fabs(dx), std::fabs(dp)));
        double gamma = s * std::sqrt((theta / s) * (theta / s) - (dx / s) * (dp / s));
        if (stp > stx) gamma = -gamma;
        const double p = (gamma - dp) + theta;
        const double q = ((gamma - dp) + gamma) + dx;
        const double r = p / q;
        const double stpc = stp + r * (stx - stp);
        const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
        brackt = true;
    } else if (std::fabs(dp) < std::fabs(dx)) {
        // Lower value, same sign, derivative magnitude decreases.
        const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        const double s = std::fmax(std::fabs(theta), std::fmax(std::fabs(dx), std::fabs(dp)));
        double gamma = s * std::sqrt(std::fmax(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
        if (stp > stx) gamma = -gamma;
        const double p = (gamma - dp) + theta;
        const double q = (gamma + (dx - dp)) + gamma;
        const double r = p / q;
        double stpc;
        if (r < 0.0 && gamma != 0.0) {
            stpc = stp + r * (stx - stp);
        } else if (stp > stx) {
            stpc = stpmax;
        } else {
            stpc = stpmin;
        }
        const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if (brackt) {
            stpf = std::fabs(stpc - stp) < std::fabs(stpq - stp) ? stpc : stpq;
            if (stp > stx) {
                stpf = std::fmin(stp + 0.66 * (sty - stp), stpf);
            } else {
                stpf = std::fmax(stp + 0.66 * (sty - stp), stpf);
            }
        } else {
            stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
            stpf = std::fmin(stpmax, stpf);
            stpf = std::fmax(stpmin, stpf);
        }
    } else {
        // Lower value, same sign, derivative magnitude does not decrease.
        if (brackt) {
            const double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
            const double s = std::fmax(std::fabs(theta), std::fmax(std::fabs(dy), std::fabs(dp)));
            double gamma = s * std::sqrt((theta / s) * (theta / s) - (dy / s) * (dp / s));
            if (stp > sty) gamma = -gamma;
            const double p = (gamma - dp) + theta;
            const double q = ((gamma - dp) + gamma) + dy;
            const double r = p / q;
            stpf = stp + r * (sty - stp);
        } else if (stp > stx) {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
    }
    // Update the interval that contains a minimizer.
    if (fp > fx) {
        sty = stp;
        fy = fp;
        dy = dp;
    } else {
        if (sgnd < 0.0) {
            sty = stx;
            fy = fx;
            dy = dx;
        }
        stx = stp;
        fx = fp;
        dx = dp;
    }
    stp = stpf;
}

}  // namespace

// Port of dcsrch: one step of the More-Thuente search for a step satisfying
//   f(stp) <= f(0) + ftol stp f'(0)  and  |f'(stp)| <= gtol |f'(0)|.
// ls.task is kLsStart on the first call; on return it is kLsFg (evaluate at stp),
// kLsConvergence, kLsWarning (stp is the best step found) or kLsError (bad input).
void dcsrch(LineSearchState& ls, double f, double g, double& stp, double ftol, double gtol,
            double xtol, double stpmin, double stpmax) {
    constexpr double xtrapl = 1.1;
    constexpr double xtrapu = 4.0;
    if (ls.task == kLsStart) {
        bool error = stp < stpmin || stp > stpmax || g >= 0.0 || ftol < 0.0 || gtol < 0.0 ||
                     xtol < 0.0 || stpmin < 0.0 || stpmax < stpmin;
        if (error) {
            // As MINPACK-2: return without saving anything.
            ls.task = kLsError;
            return;
        }
        ls.brackt = false;
        ls.stage = 1;
        ls.finit = f;
        ls.ginit = g;
        ls.gtest = ftol * ls.ginit;
        ls.width = stpmax - stpmin;
        ls.width1 = ls.width / 0.5;
        ls.stx = 0.0;
        ls.fx = ls.finit;
        ls.gx = ls.ginit;
        ls.sty = 0.0;
        ls.fy = ls.finit;
        ls.gy = ls.ginit;
        ls.stmin = 0.0;
        ls.stmax = stp + xtrapu * stp;
        ls.task = kLsFg;
        return;
    }

    const double ftest = ls.finit + stp * ls.gtest;
    if (ls.stage == 1 && f <= ftest && g >= 0.0) ls.stage = 2;

    int task = ls.task;
    // Warnings (the later test wins, as in MINPACK-2), then convergence.
    if (ls.brackt && (stp <= ls.stmin || stp >= ls.stmax)) task = kLsWarning;       // rounding
    if (ls.brackt && ls.stmax - ls.stmin <= xtol * ls.stmax) task = kLsWarning;    // xtol
    if (stp == stpmax && f <= ftest && g <= ls.gtest) task = kLsWarning;            // stpmax
    if (stp == stpmin && (f > ftest || g >= ls.gtest)) task = kLsWarning;           // stpmin
    if (f <= ftest && std::fabs(g) <= gtol * (-ls.ginit)) task = kLsConvergence;
    if (task == kLsWarning || task == kLsConvergence) {
        ls.task = task;
        return;
    }

    if (ls.stage == 1 && f <= ls.fx && f > ftest) {
        // First stage with a lower but insufficient decrease: use the modified function
        // psi(stp) = f(stp) - f(0) - ftol stp f'(0) to predict the step.
        const double fm = f - stp * ls.gtest;
        double fxm = ls.fx - ls.stx * ls.gtest;
        double fym = ls.fy - ls.sty * ls.gtest;
        const double gm = g - ls.gtest;
        double gxm = ls.gx - ls.gtest;
        double gym = ls.gy - ls.gtest;
        dcstep(ls.stx, fxm, gxm, ls.sty, fym, gym, stp, fm, gm, ls.brackt, ls.stmin, ls.stmax);
        ls.fx = fxm + ls.stx * ls.gtest;
        ls.fy = fym + ls.sty * ls.gtest;
        ls.gx = gxm + ls.gtest;
        ls.gy = gym + ls.gtest;
    } else {
        dcstep(ls.stx, ls.fx, ls.gx, ls.sty, ls.fy, ls.gy, stp, f, g, ls.brackt, ls.stmin, ls.stmax);
    }

    // Bisect when the interval did not shrink enough.
    if (ls.brackt) {
        if (std::fabs(ls.sty - ls.stx) >= 0.66 * ls.width1) stp = ls.stx + 0.5 * (ls.sty - ls.stx);
        ls.width1 = ls.width;
        ls.width = std::fabs(ls.sty - ls.stx);
    }
    if (ls.brackt) {
        ls.stmin = std::fmin(ls.stx, ls.sty);
        ls.stmax = std::fmax(ls.stx, ls.sty);
    } else {
        ls.stmin = stp + xtrapl * (stp - ls.stx);
        ls.stmax = stp + xtrapu * (stp - ls.stx);
    }
    stp = std::fmax(stp, stpmin);
    stp = std::fmin(stp, stpmax);
    // No further progress possible: fall back to the best step.
    if ((ls.brackt && (stp <= ls.stmin || stp >= ls.stmax)) ||
        (ls.brackt && ls.stmax - ls.stmin <= xtol * ls.stmax)) {
        stp = ls.stx;
    }
    ls.task = kLsFg;
}

}  // namespace lbfgsb
