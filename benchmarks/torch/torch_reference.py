#!/usr/bin/env python3
"""Reference traces of torch.optim.LBFGS for lbfgsb4j's LbfgsOptimizer.

    python3 benchmarks/torch/torch_reference.py [--output PATH]

torch cannot be installed here, so this script carries its own plain-Python
transcription of the algorithm in torch/optim/lbfgs.py (pytorch commit
c22f1f2): ``LBFGS.step`` with its state that persists between calls, the
two-loop recursion, and ``_strong_wolfe`` with ``_cubic_interpolate`` and the
zoom phase.  It runs on lists of floats with sequential loops, one float64
operation per tensor operation of torch, and it is written independently of
the C++ implementation (native/src/torch_lbfgs.cpp); the Java tests compare the
two.  Differences from the tensor code that do not change the numbers: a
single flat parameter list stands for the parameter tensors, and the closure
returns (loss, gradient) instead of filling p.grad.

The output, java/src/test/resources/reference/torch-lbfgs-reference.json,
records for every case and every step() call: each closure evaluation (the
point, the loss, the lifetime iteration counter when it was made), each
iteration (accepted point, loss, t, and which evaluation produced it), the
value step() returned, why it stopped, the parameters afterwards and the whole
optimizer state (n_iter, func_evals, t, H_diag, prev_loss, d, prev_flat_grad and
the history).  It also records f and g of each objective at fixed points, to
prove the Java objective twins bit-identical, and which branches of the
algorithm the cases went through.  Deterministic: fixed seeds only.
"""

import argparse
import json
import math
import os
import platform
import sys
from fractions import Fraction

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_problems as tp  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUTPUT = os.path.join(
    REPO_ROOT, "java", "src", "test", "resources", "reference", "torch-lbfgs-reference.json"
)

# ---------------------------------------------------------------------------
# Vector helpers: sums in index order. Two kernel sets for the operations that
# combine a product with a sum (dot products and a + alpha*b):
#   plain  - every product and every sum rounded (one rounding per operation);
#   fused  - each multiply-add rounded once (a fused multiply-add, emulated
#            exactly with rationals), as x86-64 BLAS kernels with FMA3 do.
# The reference is the plain run; the fused run measures how much the case's
# numbers move when only the rounding of these kernels changes (the case's
# "rounding sensitivity", from which the Java tests derive their tolerances).
# ---------------------------------------------------------------------------

FUSED = False


def fma(a, b, c):
    """a * b + c with one rounding."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def vdot(a, b):
    s = 0.0
    if FUSED:
        for i in range(len(a)):
            s = fma(a[i], b[i], s)
        return s
    for i in range(len(a)):
        s = s + a[i] * b[i]
    return s


def vmax_abs(a):
    m = 0.0
    for v in a:
        if abs(v) > m:
            m = abs(v)
    return m


def vsum_abs(a):
    s = 0.0
    for v in a:
        s = s + abs(v)
    return s


def vadd_scaled(a, alpha, b):
    """a + alpha * b (torch: a.add(b, alpha=alpha))."""
    if FUSED:
        return [fma(alpha, b[i], a[i]) for i in range(len(a))]
    return [a[i] + alpha * b[i] for i in range(len(a))]


def vscale(a, c):
    return [v * c for v in a]


# ---------------------------------------------------------------------------
# torch's _cubic_interpolate and _strong_wolfe
# ---------------------------------------------------------------------------


class Branches:
    """Counts how often each branch of the algorithm ran (coverage of the cases)."""

    NAMES = [
        "first_iteration", "pair_accepted", "pair_rejected", "history_full_pop",
        "gtd_break", "ls_armijo_bracket", "ls_wolfe_at_bracketing", "ls_positive_slope_bracket",
        "ls_extrapolate", "ls_budget_exhausted", "zoom_trial", "zoom_tiny_bracket",
        "zoom_moved_from_end", "zoom_insufficient_progress_marked", "zoom_high_end_replaced",
        "zoom_wolfe", "zoom_low_becomes_high", "cubic_no_real_minimum", "fixed_step_no_reevaluation",
    ]

    def __init__(self):
        self.counts = {name: 0 for name in self.NAMES}

    def hit(self, name):
        self.counts[name] += 1


def cubic_interpolate(x1, f1, g1, x2, f2, g2, branches, bounds=None):
    """Minimizer of the cubic interpolating (x1, f1, g1), (x2, f2, g2), clamped to
    the bounds (default: the interval between x1 and x2)."""
    if bounds is not None:
        lo, hi = bounds
    elif x1 <= x2:
        lo, hi = x1, x2
    else:
        lo, hi = x2, x1
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc >= 0:
        d2 = math.sqrt(disc)
        if x1 <= x2:
            m = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            m = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(m, lo), hi)
    branches.hit("cubic_no_real_minimum")
    return (lo + hi) / 2.0


def strong_wolfe(obj, x, t, d, f, g, gtd, max_ls, branches, c1=1e-4, c2=0.9, tol=1e-9):
    """torch's _strong_wolfe: returns (f, g, t, evaluations)."""
    d_norm = vmax_abs(d)
    g = list(g)
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = vdot(g_new, d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            branches.hit("ls_armijo_bracket")
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, list(g_new)]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            branches.hit("ls_wolfe_at_bracketing")
            bracket = [t]
            bracket_f = [f_new]
            bracket_g = [g_new]
            done = True
            break
        if gtd_new >= 0:
            branches.hit("ls_positive_slope_bracket")
            bracket = [t_prev, t]
            bracket_f = [f_prev, f_new]
            bracket_g = [g_prev, list(g_new)]
            bracket_gtd = [gtd_prev, gtd_new]
            break
        branches.hit("ls_extrapolate")
        lo_step = t + 0.01 * (t - t_prev)
        hi_step = t * 10
        old_t = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, branches, bounds=(lo_step, hi_step))
        t_prev = old_t
        f_prev = f_new
        g_prev = list(g_new)
        gtd_prev = gtd_new
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = vdot(g_new, d)
        ls_iter += 1

    if ls_iter == max_ls:
        branches.hit("ls_budget_exhausted")
        bracket = [0, t]
        bracket_f = [f, f_new]
        bracket_g = [g, g_new]

    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tol:
            branches.hit("zoom_tiny_bracket")
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1], branches)
        width = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < width:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                branches.hit("zoom_moved_from_end")
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - width
                else:
                    t = min(bracket) + width
                insuf_progress = False
            else:
                branches.hit("zoom_insufficient_progress_marked")
                insuf_progress = True
        else:
            insuf_progress = False

        branches.hit("zoom_trial")
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = vdot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            branches.hit("zoom_high_end_replaced")
            bracket[high] = t
            bracket_f[high] = f_new
            bracket_g[high] = list(g_new)
            bracket_gtd[high] = gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                branches.hit("zoom_wolfe")
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                branches.hit("zoom_low_becomes_high")
                bracket[high] = bracket[low]
                bracket_f[high] = bracket_f[low]
                bracket_g[high] = bracket_g[low]
                bracket_gtd[high] = bracket_gtd[low]
            bracket[low] = t
            bracket_f[low] = f_new
            bracket_g[low] = list(g_new)
            bracket_gtd[low] = gtd_new

    return bracket_f[low], bracket_g[low], bracket[low], evals


# ---------------------------------------------------------------------------
# torch's LBFGS.step, with a record of everything it does
# ---------------------------------------------------------------------------


class ReferenceLBFGS:
    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if not 0.0 <= lr:
            raise ValueError("Invalid learning rate: %r" % lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        self.params = [float(v) for v in params]
        self.lr = lr
        self.max_iter = max_iter
        self.max_eval = max_eval
        self.tolerance_grad = tolerance_grad
        self.tolerance_change = tolerance_change
        self.history_size = history_size
        self.line_search_fn = line_search_fn
        self.state = {"func_evals": 0, "n_iter": 0}
        self.branches = Branches()

    def step(self, closure):
        """closure(params) -> (loss, grad). Returns (orig_loss, record)."""
        state = self.state
        rec = {"evaluations": [], "iterations": []}

        def call_closure():
            loss, grad = closure(list(self.params))
            rec["evaluations"].append({"n_iter": state["n_iter"], "x": list(self.params), "loss": loss})
            return float(loss), list(grad)

        orig_loss, flat_grad = call_closure()
        loss = orig_loss
        current_evals = 1
        state["func_evals"] += 1
        opt_cond = vmax_abs(flat_grad) <= self.tolerance_grad
        if opt_cond:
            rec["stop"] = "GRADIENT_TOLERANCE_AT_START"
            rec["step_iterations"] = 0
            return orig_loss, rec

        d = state.get("d")
        t = state.get("t")
        old_dirs = state.get("old_dirs")
        old_stps = state.get("old_stps")
        ro = state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad = state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        stop = None
        n_iter = 0
        while n_iter < self.max_iter:
            n_iter += 1
            state["n_iter"] += 1

            if state["n_iter"] == 1:
                self.branches.hit("first_iteration")
                d = [-v for v in flat_grad]
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = [flat_grad[i] - prev_flat_grad[i] for i in range(len(flat_grad))]
                s = vscale(d, t)
                ys = vdot(y, s)
                if ys > 1e-10:
                    self.branches.hit("pair_accepted")
                    if len(old_dirs) == self.history_size:
                        self.branches.hit("history_full_pop")
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / vdot(y, y)
                else:
                    self.branches.hit("pair_rejected")
                num_old = len(old_dirs)
                al = [None] * self.history_size
                q = [-v for v in flat_grad]
                for i in range(num_old - 1, -1, -1):
                    al[i] = vdot(old_stps[i], q) * ro[i]
                    q = vadd_scaled(q, -al[i], old_dirs[i])
                r = vscale(q, H_diag)
                for i in range(num_old):
                    be_i = vdot(old_dirs[i], r) * ro[i]
                    r = vadd_scaled(r, al[i] - be_i, old_stps[i])
                d = r

            prev_flat_grad = list(flat_grad)
            prev_loss = loss

            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / vsum_abs(flat_grad)) * self.lr
            else:
                t = self.lr

            gtd = vdot(flat_grad, d)
            if gtd > -self.tolerance_change:
                self.branches.hit("gtd_break")
                stop = "DIRECTIONAL_DERIVATIVE"
                break

            ls_func_evals = 0
            accepted_eval = None
            if self.line_search_fn is not None:
                if self.line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = list(self.params)
                first_ls_eval = len(rec["evaluations"])
                trial_points = []

                def obj_func(x, step, direction):
                    self.params = vadd_scaled(self.params, step, direction)
                    f, g = call_closure()
                    trial_points.append(step)
                    self.params = list(x)
                    return f, g

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=self.max_eval - current_evals, branches=self.branches)
                self.params = vadd_scaled(self.params, t, d)
                opt_cond = vmax_abs(flat_grad) <= self.tolerance_grad
                # Which trial produced the accepted point (none when t = 0 came back).
                for k in range(len(trial_points) - 1, -1, -1):
                    if trial_points[k] == t:
                        accepted_eval = first_ls_eval + k
                        break
            else:
                self.params = vadd_scaled(self.params, t, d)
                if n_iter != self.max_iter:
                    loss, flat_grad = call_closure()
                    opt_cond = vmax_abs(flat_grad) <= self.tolerance_grad
                    ls_func_evals = 1
                    accepted_eval = len(rec["evaluations"]) - 1
                else:
                    self.branches.hit("fixed_step_no_reevaluation")

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            rec["iterations"].append({
                "n_iter": state["n_iter"], "x": list(self.params), "loss": loss, "t": t,
                "evaluation": accepted_eval,
            })

            if n_iter == self.max_iter:
                stop = "MAX_ITER"
                break
            if current_evals >= self.max_eval:
                stop = "MAX_EVAL"
                break
            if opt_cond:
                stop = "GRADIENT_TOLERANCE"
                break
            if vmax_abs(vscale(d, t)) <= self.tolerance_change:
                stop = "STEP_TOLERANCE"
                break
            if abs(loss - prev_loss) < self.tolerance_change:
                stop = "LOSS_CHANGE_TOLERANCE"
                break

        state["d"] = d
        state["t"] = t
        state["old_dirs"] = old_dirs
        state["old_stps"] = old_stps
        state["ro"] = ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"] = prev_flat_grad
        state["prev_loss"] = prev_loss
        rec["stop"] = stop
        rec["step_iterations"] = n_iter  # includes an iteration ended by the g.d test before moving
        return orig_loss, rec

    def state_record(self):
        s = self.state
        n = len(self.params)
        return {
            "n_iter": s["n_iter"],
            "func_evals": s["func_evals"],
            "t": float(s["t"]) if "t" in s else 0.0,
            "h_diag": float(s["H_diag"]) if "H_diag" in s else 1.0,
            "prev_loss": float(s["prev_loss"]) if "prev_loss" in s else float("nan"),
            "d": list(s["d"]) if "d" in s else [0.0] * n,
            "prev_flat_grad": list(s["prev_flat_grad"]) if "prev_flat_grad" in s else [0.0] * n,
            "history_length": len(s["old_dirs"]) if "old_dirs" in s else 0,
            "rho": list(s["ro"]) if "ro" in s else [],
            "y": [list(v) for v in s["old_dirs"]] if "old_dirs" in s else [],
            "s": [list(v) for v in s["old_stps"]] if "old_stps" in s else [],
        }


# ---------------------------------------------------------------------------
# Problem data (seeded) and cases
# ---------------------------------------------------------------------------


def logistic_data():
    """60 points in R^4, labels from a noisy linear rule (seed 20240611)."""
    rng = np.random.RandomState(20240611)
    X = rng.normal(size=(60, 4))
    w_true = np.array([1.5, -2.0, 0.5, 0.0])
    z = X @ w_true + 0.3 + 0.8 * rng.normal(size=60)
    y = np.where(z > 0, 1.0, -1.0)
    return {"X": [[float(v) for v in row] for row in X], "y": [float(v) for v in y], "lambda": 0.05}


def mlp_data():
    """24 samples of a smooth function of 3 inputs; 5 tanh units; initial weights
    ~ N(0, 1/fan_in) (seed 7)."""
    rng = np.random.RandomState(7)
    U = rng.uniform(-1.0, 1.0, size=(24, 3))
    T = np.sin(1.5 * U[:, 0]) + 0.5 * U[:, 1] * U[:, 2] - 0.25 * U[:, 2] + 0.05 * rng.normal(size=24)
    hidden = 5
    W1 = rng.normal(scale=1.0 / math.sqrt(3), size=(hidden, 3))
    b1 = np.zeros(hidden)
    W2 = rng.normal(scale=1.0 / math.sqrt(hidden), size=hidden)
    b2 = np.zeros(1)
    x0 = [float(v) for v in np.concatenate([W1.ravel(), b1, W2, b2])]
    data = {"inputs": [[float(v) for v in row] for row in U], "targets": [float(v) for v in T], "hidden": hidden}
    return data, x0


def torch_options(**kw):
    o = {"lr": 1, "max_iter": 20, "max_eval": None, "tolerance_grad": 1e-7, "tolerance_change": 1e-9,
         "history_size": 100, "line_search_fn": None}
    o.update(kw)
    return o


def build_cases():
    logistic = logistic_data()
    mlp, mlp_x0 = mlp_data()
    quad_slow = {"a": [0.01, 0.01], "c": [0.0, 0.0]}
    quad_aniso = {"a": [1.0, 10.0, 0.1], "c": [1.0, -2.0, 0.5]}
    data = {"logistic": logistic, "mlp": mlp, "quadratic_slow": quad_slow, "quadratic_aniso": quad_aniso,
            "huber_sharp": {"k": 1e4, "c": [0.5, -1.0]}, "huber_soft": {"k": 100.0, "c": [0.5, -1.0]},
            "cliff": {"edge": 5e-10, "wall": 1e6}, "quadratic_1d": {"a": [1.0], "c": [3.0]}}
    cases = [
        # Rosenbrock, strong Wolfe, 5 iterations per call: pairs span calls.
        ("rosenbrock_strong_wolfe", "rosenbrock", None, [-1.5, 2.0],
         torch_options(max_iter=5, max_eval=10, line_search_fn="strong_wolfe"), 12),
        # Rosenbrock, strong Wolfe, history of 3: the ring drops its oldest pair.
        ("rosenbrock_strong_wolfe_history3", "rosenbrock", None, [-1.2, 1.0],
         torch_options(max_iter=8, history_size=3, line_search_fn="strong_wolfe"), 8),
        # Rosenbrock, fixed step lr = 0.1 (no line search), 4 iterations per call: each call's last
        # move is evaluated only by the next call.
        ("rosenbrock_fixed_lr", "rosenbrock", None, [-1.2, 1.0],
         torch_options(lr=0.1, max_iter=4), 10),
        # Rosenbrock to convergence and beyond, strong Wolfe, tolerance_grad 1e-12: the later calls
        # hit the loss-change test, then g.d > -tolerance_change and y.s <= 1e-10.
        ("rosenbrock_past_convergence", "rosenbrock", None, [-1.5, 2.0],
         torch_options(max_iter=100, tolerance_grad=1e-12, line_search_fn="strong_wolfe"), 4),
        # Logistic regression on a seeded synthetic data set, strong Wolfe, default options.
        ("logistic_strong_wolfe", "logistic", "logistic", [0.0] * 5,
         torch_options(line_search_fn="strong_wolfe"), 3),
        # Logistic regression, fixed step lr = 1, 10 iterations per call.
        ("logistic_fixed_lr", "logistic", "logistic", [0.0] * 5, torch_options(max_iter=10), 4),
        # Two-layer tanh network (26 parameters), strong Wolfe, history 10.
        ("mlp_strong_wolfe", "mlp", "mlp", mlp_x0,
         torch_options(max_iter=25, history_size=10, line_search_fn="strong_wolfe"), 4),
        # Two-layer tanh network, fixed step lr = 0.5.
        ("mlp_fixed_lr", "mlp", "mlp", mlp_x0, torch_options(lr=0.5, max_iter=15, history_size=10), 3),
        # Pseudo-Huber (nearly |x - c|, k = 1e4) with lr = 10: the zoom lands near a bracket end
        # twice and moves 0.1 of the width inside.
        ("pseudo_huber_strong_wolfe", "pseudo_huber", "huber_sharp", [2.0, -0.3],
         torch_options(lr=10, line_search_fn="strong_wolfe"), 2),
        # Softer pseudo-Huber (k = 100): a cubic without a real minimizer (midpoint fallback).
        ("pseudo_huber_soft_strong_wolfe", "pseudo_huber", "huber_soft", [0.2, 1.7],
         torch_options(line_search_fn="strong_wolfe"), 2),
        # Edge: a slope ending in a wall 5e-10 away; the zoom shrinks its bracket until
        # |b1 - b0| max|d| < 1e-9 and returns (one variable, so every operation is exact).
        ("edge_tiny_bracket", "cliff", "cliff", [0.0],
         torch_options(max_iter=2, max_eval=30, line_search_fn="strong_wolfe"), 2),
        # Edge: the first evaluation already meets tolerance_grad: no iteration, state untouched.
        ("edge_converged_at_start", "quadratic", "quadratic_aniso", [1.0, -2.0, 0.5],
         torch_options(line_search_fn="strong_wolfe"), 2),
        # Edge: a one-variable quadratic; the second iteration's quasi-Newton step lands on the
        # minimizer exactly, so the step stops on max|g| <= tolerance_grad after an iteration.
        ("edge_gradient_tolerance", "quadratic", "quadratic_1d", [0.0],
         torch_options(line_search_fn="strong_wolfe"), 2),
        # Edge: max_eval exhausted inside the line search (max_eval = 2: the first search may make one
        # evaluation after its first, then stops on the budget with the bracket [0, t]).
        ("edge_max_eval_in_line_search", "quadratic", "quadratic_slow", [1.0, 2.0],
         torch_options(max_iter=10, max_eval=2, line_search_fn="strong_wolfe"), 3),
        # Edge: max_iter = 1, so max_eval = 1 and each search gets max_ls = 0 (one evaluation).
        ("edge_max_iter_1", "rosenbrock", None, [-1.2, 1.0],
         torch_options(max_iter=1, line_search_fn="strong_wolfe"), 6),
        # Edge: a tight max_eval on Rosenbrock stops mid-run with MAX_EVAL.
        ("edge_max_eval_rosenbrock", "rosenbrock", None, [-1.2, 1.0],
         torch_options(max_iter=50, max_eval=9, line_search_fn="strong_wolfe"), 3),
        # Edge: no line search with a fixed learning rate on a quadratic.
        ("edge_fixed_lr_quadratic", "quadratic", "quadratic_aniso", [0.0, 0.0, 0.0],
         torch_options(lr=0.05, max_iter=6), 3),
    ]
    return data, cases


def run_case(name, problem, data_key, x0, options, calls, data):
    pdata = data[data_key] if data_key else None
    fn = tp.PROBLEMS[problem]
    opt = ReferenceLBFGS(x0, **options)

    def closure(x):
        return fn(x, pdata)

    records = []
    for _ in range(calls):
        ret, rec = opt.step(closure)
        rec["returned"] = ret
        rec["params"] = list(opt.params)
        rec["state"] = opt.state_record()
        records.append(rec)
    resolved = dict(options)
    if resolved["max_eval"] is None:
        resolved["max_eval"] = resolved["max_iter"] * 5 // 4
    return {
        "name": name,
        "problem": problem,
        "data": data_key,
        "n": len(x0),
        "x0": list(x0),
        "options": {
            "lr": float(resolved["lr"]),
            "max_iter": resolved["max_iter"],
            "max_eval": resolved["max_eval"],
            "max_eval_default": options["max_eval"] is None,
            "tolerance_grad": resolved["tolerance_grad"],
            "tolerance_change": resolved["tolerance_change"],
            "history_size": resolved["history_size"],
            "line_search": "STRONG_WOLFE" if resolved["line_search_fn"] == "strong_wolfe" else "NONE",
        },
        "calls": records,
        "branches": opt.branches.counts,
    }


def deviation(a, b):
    """|a - b| / max(1, |a|, |b|): relative above 1, absolute below (0 for two NaNs). The Java
    tests use the same measure."""
    if a != a and b != b:
        return 0.0
    return abs(a - b) / max(1.0, abs(a), abs(b))


def compare_runs(a, b):
    """(same discrete structure?, {"iterates": largest deviation of an evaluated point, loss,
    returned loss, t or parameters after a call, "state": largest deviation of d, prev_flat_grad,
    H_diag, prev_loss or a curvature pair (y, s, rho)}) between two runs of a case."""
    same = len(a["calls"]) == len(b["calls"])
    worst = {"iterates": 0.0, "state": 0.0}

    def vec(kind, u, v):
        nonlocal same
        if len(u) != len(v):
            same = False
            return
        for p, q in zip(u, v):
            worst[kind] = max(worst[kind], deviation(p, q))

    for ca, cb in zip(a["calls"], b["calls"]):
        if ca["stop"] != cb["stop"] or ca["step_iterations"] != cb["step_iterations"] \
                or len(ca["evaluations"]) != len(cb["evaluations"]) \
                or len(ca["iterations"]) != len(cb["iterations"]):
            same = False
            continue
        for ea, eb in zip(ca["evaluations"], cb["evaluations"]):
            same = same and ea["n_iter"] == eb["n_iter"]
            vec("iterates", ea["x"], eb["x"])
            vec("iterates", [ea["loss"]], [eb["loss"]])
        for ia, ib in zip(ca["iterations"], cb["iterations"]):
            same = same and ia["evaluation"] == ib["evaluation"]
            vec("iterates", [ia["t"]], [ib["t"]])
        vec("iterates", [ca["returned"]], [cb["returned"]])
        vec("iterates", ca["params"], cb["params"])
        sa, sb = ca["state"], cb["state"]
        for k in ("n_iter", "func_evals", "history_length"):
            same = same and sa[k] == sb[k]
        vec("iterates", [sa["t"]], [sb["t"]])
        vec("state", [sa["h_diag"], sa["prev_loss"]], [sb["h_diag"], sb["prev_loss"]])
        vec("state", sa["d"], sb["d"])
        vec("state", sa["prev_flat_grad"], sb["prev_flat_grad"])
        vec("state", sa["rho"], sb["rho"])
        for ya, yb in zip(sa["y"], sb["y"]):
            vec("state", ya, yb)
        for za, zb in zip(sa["s"], sb["s"]):
            vec("state", za, zb)
    return same, worst


def objective_checks(data):
    """f and g at fixed points, for the Java bit-identity test of the objective twins."""
    checks = []
    rng = np.random.RandomState(99)
    points = {
        "rosenbrock": (None, [[-1.2, 1.0], [0.3, -0.7], [1.0, 1.0], [2.5, 6.1]]),
        "quadratic": ("quadratic_aniso", [[0.0, 0.0, 0.0], [1.5, -0.25, 3.0]]),
        "logistic": ("logistic", [[0.0] * 5, [float(v) for v in rng.normal(size=5)],
                                  [float(v) for v in 30.0 * rng.normal(size=5)]]),
        "mlp": ("mlp", [[float(v) for v in rng.normal(size=26)], [float(v) for v in 4.0 * rng.normal(size=26)]]),
        "pseudo_huber": ("huber_sharp", [[2.0, -0.3], [0.5000001, -1.2]]),
        "cliff": ("cliff", [[0.0], [4e-10], [6e-10]]),
    }
    for problem, (key, xs) in points.items():
        for x in xs:
            f, g = tp.PROBLEMS[problem](x, data[key] if key else None)
            checks.append({"problem": problem, "data": key, "x": x, "f": f, "g": g})
    return checks


def encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--fused-kernels", action="store_true",
                    help="record the fused-multiply-add run instead of the plain one (for the bit-identity "
                         "check described in README.md)")
    args = ap.parse_args()
    global FUSED
    data, cases = build_cases()
    results = []
    for c in cases:
        FUSED = args.fused_kernels
        primary = run_case(*c, data=data)
        FUSED = not args.fused_kernels
        other = run_case(*c, data=data)
        FUSED = False
        same, worst = compare_runs(primary, other)
        if not same:
            raise SystemExit("case %s: plain and fused kernels take different paths; its discrete "
                             "structure depends on rounding, so it cannot be a reference" % c[0])
        primary["rounding_sensitivity"] = worst
        results.append(primary)
    totals = {name: sum(r["branches"][name] for r in results) for name in Branches.NAMES}
    out = {
        "generator": "benchmarks/torch/torch_reference.py",
        "kernels": "fused" if args.fused_kernels else "plain",
        "algorithm": "torch/optim/lbfgs.py at pytorch c22f1f2 (LBFGS.step, _strong_wolfe, _cubic_interpolate)",
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "data": data,
        "objective_checks": objective_checks(data),
        "cases": results,
        "branch_totals": totals,
    }
    text = json.dumps(encode(out), indent=None, separators=(",", ":"), allow_nan=False)
    with open(args.output, "w") as fh:
        fh.write(text)
        fh.write("\n")
    print("%-34s %6s %6s %6s %9s %9s  %s" % ("case", "calls", "iters", "evals", "sens.it", "sens.st", "stops"))
    for r in results:
        st = r["calls"][-1]["state"]
        stops = ",".join(c["stop"] for c in r["calls"])
        print("%-34s %6d %6d %6d %9.2g %9.2g  %s" % (
            r["name"], len(r["calls"]), st["n_iter"], st["func_evals"], r["rounding_sensitivity"]["iterates"],
            r["rounding_sensitivity"]["state"], stops))
    print("branches:", ", ".join("%s=%d" % (k, v) for k, v in totals.items()))
    stops = sorted({c["stop"] for r in results for c in r["calls"]})
    print("stops:", ", ".join(stops))
    missing = [k for k, v in totals.items() if v == 0]
    if missing:
        print("NOT COVERED:", ", ".join(missing))
    print("wrote", os.path.relpath(args.output, REPO_ROOT), "(%d bytes)" % len(text))


if __name__ == "__main__":
    main()
