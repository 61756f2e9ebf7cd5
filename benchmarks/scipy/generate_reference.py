#!/usr/bin/env python3
"""Generate the SciPy L-BFGS-B reference data used by the Java tests.

    python3 benchmarks/scipy/generate_reference.py [--output PATH]

Runs scipy.optimize.minimize(method='L-BFGS-B') with analytic gradients on the
cases defined in CASES below and writes
java/src/test/resources/reference/scipy-lbfgsb-reference.json (format:
benchmarks/scipy/README.md).  The objectives live in reference_problems.py and
are written so that the Java twins (ReferenceProblems.java) are bit-identical.
The script is deterministic: the only randomness comes from fixed seeds.
"""

import argparse
import json
import math
import os
import platform
import random
import sys

import numpy as np
import scipy
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_problems as rp  # noqa: E402

EPS = float(np.finfo(float).eps)  # 2.220446049250313e-16
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUTPUT = os.path.join(
    REPO_ROOT, "java", "src", "test", "resources", "reference", "scipy-lbfgsb-reference.json"
)

# SciPy's minimize(method='L-BFGS-B') defaults (SciPy 1.17.1).
DEFAULT_OPTIONS = {
    "maxcor": 10,
    "ftol": 2.2204460492503131e-09,
    "gtol": 1e-05,
    "maxiter": 15000,
    "maxfun": 15000,
    "maxls": 20,
}

N_FIRST_ITERATES = 3
INF = float("inf")


# ---------------------------------------------------------------------------
# Case definitions
# ---------------------------------------------------------------------------


def alternating(n, a, b):
    return [a if i % 2 == 0 else b for i in range(n)]


def driver_bounds(n):
    """Bounds of the Fortran drivers: odd (1-based) i in [1,100], even in [-100,100]."""
    lower = [1.0 if i % 2 == 0 else -100.0 for i in range(n)]  # 0-based even = 1-based odd
    upper = [100.0] * n
    return lower, upper


def case(name, description, problem, x0, lower=None, upper=None, params=None,
         options=None, stop_rule=None):
    opts = dict(DEFAULT_OPTIONS)
    if options:
        unknown = set(options) - set(opts)
        assert not unknown, unknown
        opts.update(options)
    x0 = [float(v) for v in x0]
    n = len(x0)
    for side in (lower, upper):
        assert side is None or len(side) == n
    return {
        "name": name,
        "description": description,
        "problem": problem,
        "params": params if params is not None else {},
        "n": n,
        "x0": x0,
        "lower": json_bounds(lower),
        "upper": json_bounds(upper),
        "options": opts,
        "stop_rule": stop_rule,
    }


def json_bounds(side):
    """Bounds for JSON: null for an unbounded side, null entries for infinite bounds."""
    if side is None:
        return None
    return [None if math.isinf(v) else float(v) for v in side]


def numeric_bounds(c):
    """(lower, upper) of a case as lists of floats with -inf/+inf for missing bounds."""
    n = c["n"]
    lower = [-INF if v is None else v for v in (c["lower"] or [None] * n)]
    upper = [INF if v is None else v for v in (c["upper"] or [None] * n)]
    return lower, upper


def driver_stop_rule(max_nfev):
    return {"type": "driver", "max_nfev": max_nfev, "pg_relative": 1e-10}


MAXENT_PARAMS = {"F": rp.MAXENT_F, "K": rp.MAXENT_K}


def build_cases():
    cases = []
    add = cases.append

    lo25, up25 = driver_bounds(25)
    add(case("driver1",
             "L-BFGS-B 3.0 driver1: driver problem n=25, m=5, factr=1e7 (ftol=1e7*eps), pgtol=1e-5.",
             "driver", [3.0] * 25, lo25, up25,
             options={"maxcor": 5, "ftol": 1e7 * EPS, "gtol": 1e-5}))
    add(case("driver2",
             "L-BFGS-B 3.0 driver2: n=25, m=5, factr=0, pgtol=0 and the driver's own stop test at "
             "every new iterate (see stop_rule).",
             "driver", [3.0] * 25, lo25, up25,
             options={"maxcor": 5, "ftol": 0.0, "gtol": 0.0},
             stop_rule=driver_stop_rule(99)))
    lo1k, up1k = driver_bounds(1000)
    add(case("driver3",
             "L-BFGS-B 3.0 driver3 without its CPU-time limit: n=1000, m=10, factr=0, pgtol=0, "
             "driver stop test with nfev >= 900 (see stop_rule).",
             "driver", [3.0] * 1000, lo1k, up1k,
             options={"maxcor": 10, "ftol": 0.0, "gtol": 0.0},
             stop_rule=driver_stop_rule(900)))
    add(case("driver_n1000_defaults",
             "Driver problem n=1000 with the driver bounds, minimize() defaults.",
             "driver", [3.0] * 1000, lo1k, up1k))
    lo10k, up10k = driver_bounds(10000)
    add(case("driver_n10000_defaults",
             "Driver problem n=10000 with the driver bounds, minimize() defaults.",
             "driver", [3.0] * 10000, lo10k, up10k))

    add(case("rosen2d_standard",
             "2-D Rosenbrock from [-1.2, 1], no bounds, defaults.",
             "rosenbrock", [-1.2, 1.0]))
    add(case("rosen2d_maxiter5",
             "2-D Rosenbrock from [0, 0] with maxiter=5 (SciPy test_l_bfgs_b_maxiter, gh-7854).",
             "rosenbrock", [0.0, 0.0], options={"maxiter": 5}))
    add(case("rosen2d_maxfun5",
             "2-D Rosenbrock from [0, 0] with maxfun=5; the limit is only checked at the end of "
             "an iteration, so nfev exceeds it.",
             "rosenbrock", [0.0, 0.0], options={"maxfun": 5}))
    add(case("rosen2d_at_minimum",
             "2-D Rosenbrock from its minimiser [1, 1]: the projected gradient test passes at x0 "
             "(nit=0, nfev=1).",
             "rosenbrock", [1.0, 1.0]))
    add(case("rosen2d_maxls1",
             "2-D Rosenbrock from [-1.2, 1] with maxls=1 (SciPy test_minimize_l_bfgs_maxls): "
             "line-search failures, memory resets and ABNORMAL; res.fun is the last trial value, "
             "not f(res.x).",
             "rosenbrock", [-1.2, 1.0], options={"maxls": 1}))
    add(case("rosen2d_maxls2",
             "2-D Rosenbrock from [-1.2, 1] with maxls=2: one line search fails at iteration 14 "
             "with a full memory (col=10), the memory is discarded and the run restarts from "
             "the previous iterate with a steepest-descent step, then converges.",
             "rosenbrock", [-1.2, 1.0], options={"maxls": 2}))
    add(case("rosen_n20_maxls2",
             "Chained Rosenbrock n=20 from (-1.2, 1, ...) with maxls=2: after 13 iterations a "
             "line search fails, the memory is reset, the steepest-descent retry fails too -> "
             "ABNORMAL with nit > 0 (res.fun is the last trial value, not f(res.x)).",
             "rosenbrock", alternating(20, -1.2, 1.0), options={"maxls": 2}))
    add(case("rosen10_maxiter4",
             "Chained Rosenbrock n=10 from zeros with maxiter=4 (SciPy test_respect_maxiter).",
             "rosenbrock", [0.0] * 10, options={"maxiter": 4}))
    add(case("rosen10_zeros",
             "Chained Rosenbrock n=10 from zeros, no bounds, defaults.",
             "rosenbrock", [0.0] * 10))
    add(case("rosen_n1000_box",
             "Chained Rosenbrock n=1000 in the box [-2, 0.5]^n from (-1.2, 1, -1.2, 1, ...); "
             "SciPy clips x0 to the box (every 1 becomes 0.5).",
             "rosenbrock", alternating(1000, -1.2, 1.0), [-2.0] * 1000, [0.5] * 1000))
    add(case("rosen_n10000_lower0",
             "Chained Rosenbrock n=10000 from (-1.2, 1, -1.2, 1, ...) with the one-sided bounds "
             "x >= 0 (upper is null); x0 is clipped to (0, 1, 0, 1, ...).  Defaults.",
             "rosenbrock", alternating(10000, -1.2, 1.0), [0.0] * 10000, None))
    add(case("rosen_n10000_unbounded",
             "Chained Rosenbrock n=10000 from x0 = 1.2 everywhere, no bounds, defaults "
             "(from (-1.2, 1, ...) it does not converge within maxfun).",
             "rosenbrock", [1.2] * 10000))
    add(case("rosen_n20_maxcor3",
             "Chained Rosenbrock n=20 from (-1.2, 1, ...), no bounds, maxcor=3: the circular "
             "correction history wraps many times.",
             "rosenbrock", alternating(20, -1.2, 1.0), options={"maxcor": 3}))
    add(case("rosen_x0_outside_bounds",
             "Chained Rosenbrock n=5, bounds [-1.5, 1.5] on every variable, x0 = [-3, 0.5, 4, "
             "-2, 1.6] lies outside the box and is clipped by SciPy to [-1.5, 0.5, 1.5, -1.5, 1.5] "
             "before the first evaluation.",
             "rosenbrock", [-3.0, 0.5, 4.0, -2.0, 1.6], [-1.5] * 5, [1.5] * 5))
    add(case("rosen_fixed_variables",
             "Chained Rosenbrock n=6 from zeros with x2 fixed at 0.5 and x5 fixed at 1.5 "
             "(lower == upper; 1-based indices), x1, x3, x4 in [-2, 2], x6 unbounded (null "
             "entries).  With an analytic gradient SciPy does not remove the fixed variables; "
             "x0 is clipped onto them.",
             "rosenbrock", [0.0] * 6,
             [-2.0, 0.5, -2.0, -2.0, 1.5, -INF], [2.0, 0.5, 2.0, 2.0, 1.5, INF]))
    add(case("rosen_lower_only",
             "Chained Rosenbrock n=6 from (-1.2, 1, ...) with lower bounds only (upper is null): "
             "lower = [-1.5, 1.2, null, 0.5, -1, null]; x0 is clipped onto x2 >= 1.2.",
             "rosenbrock", alternating(6, -1.2, 1.0),
             [-1.5, 1.2, -INF, 0.5, -1.0, -INF], None))
    add(case("rosen_upper_only",
             "Chained Rosenbrock n=6 from (-1.2, 1, ...) with upper bounds only (lower is null): "
             "upper = [0.5, 0.8, null, 0.9, 2, null]; x0 is clipped onto x2 <= 0.8.",
             "rosenbrock", alternating(6, -1.2, 1.0),
             None, [0.5, 0.8, INF, 0.9, 2.0, INF]))
    add(case("beale_tight",
             "Beale from [2.5, -1.3] in [-4.5, 4.5]^2 with a tight ftol=1e-12 and gtol=1e-10 "
             "(after the lbfgsb package's test_minimize_beale).",
             "beale", [2.5, -1.3], [-4.5, -4.5], [4.5, 4.5],
             options={"ftol": 1e-12, "gtol": 1e-10}))
    add(case("x_plus_exp_maxls5_x0_10",
             "f = x + exp(-10x) from x0 = 10 with maxls=5 (unbounded below): ABNORMAL with "
             "res.fun the last trial value, not f(res.x).",
             "x_plus_exp", [10.0], options={"maxls": 5}))
    add(case("x_plus_exp_maxls5_x0_m50",
             "f = sum(x + exp(-10x)) from x0 = [-50] with maxls=5 (lbfgsb package "
             "test_abnormal_termination_linesearch, which expects an abnormal end).",
             "x_plus_exp", [-50.0], options={"maxls": 5}))
    add(case("x_plus_exp_maxls5_x0_2p5",
             "f = sum(x + exp(-10x)) from x0 = [2.5] with maxls=5 (the lbfgsb package test's "
             "converging counterpart).",
             "x_plus_exp", [2.5], options={"maxls": 5}))
    add(case("maxent_checkoptimize",
             "SciPy test_optimize CheckOptimize maximum-entropy problem (Berger et al. 1996), "
             "x0 = 0, defaults with maxiter=1000 as in test_l_bfgs_b; solution about "
             "[0, -0.524869316, 0.487525860].",
             "maxent", [0.0, 0.0, 0.0], params=MAXENT_PARAMS, options={"maxiter": 1000}))
    add(case("half_sphere_lower_bound",
             "SciPy TestLBFGSBBounds: f = 0.5(x0^2 + x1^2), bounds ((1, None), (None, None)), "
             "x0 = [0, -1] (clipped to [1, -1]); solution (1, 0).",
             "sphere", [0.0, -1.0], [1.0, -INF], [INF, INF], params={"scale": 0.5}))
    add(case("step_scaling_1",
             "SciPy test_initial_step_scaling, scale=1: f = scale(x-1)^2 with gradient "
             "scale(x-1) (deliberately half the true one), x0 = [-1].",
             "step_scaling", [-1.0], params={"scale": 1.0}))
    add(case("step_scaling_1e50",
             "SciPy test_initial_step_scaling, scale=1e50: f = scale(x-1)^2 with gradient "
             "scale(x-1), x0 = [-1].",
             "step_scaling", [-1.0], params={"scale": 1e50}))
    add(case("scalar_square_17",
             "SciPy test_minimize_with_scalar: f = x^2 from 17 with bounds [(-100, 100)], "
             "analytic gradient 2x.",
             "sphere", [17.0], [-100.0], [100.0], params={"scale": 1.0}))
    return cases


# ---------------------------------------------------------------------------
# Running SciPy
# ---------------------------------------------------------------------------


class CountingObjective:
    """fun/jac pair for SciPy.  fun(x) evaluates f and g together (one counted
    evaluation per call, like ScalarFunction's nfev); jac(x) returns the g
    computed by the preceding fun call at the same x."""

    def __init__(self, problem, params):
        self.problem = problem
        self.params = params
        self.calls = 0
        self.last_x = None
        self.last_f = None
        self.last_g = None

    def fun(self, x):
        xl = [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]
        f, g = rp.evaluate(self.problem, self.params, xl)
        self.calls += 1
        self.last_x, self.last_f, self.last_g = xl, f, g
        return f

    def jac(self, x):
        xl = [float(v) for v in np.asarray(x, dtype=np.float64).ravel()]
        if self.last_x is None or not bits_equal(xl, self.last_x):
            raise AssertionError("jac called without a preceding fun call at the same x")
        return np.array(self.last_g, dtype=np.float64)


def bits_equal(a, b):
    return len(a) == len(b) and all(
        (u == v and math.copysign(1.0, u) == math.copysign(1.0, v)) or (u != u and v != v)
        for u, v in zip(a, b))


def projgr(x, g, lower, upper):
    """Infinity norm of the projected gradient, SciPy/L-BFGS-B projgr rule."""
    norm = 0.0
    for xi, gi, li, ui in zip(x, g, lower, upper):
        if gi < 0.0:
            if ui != INF:
                gi = max(xi - ui, gi)
        else:
            if li != -INF:
                gi = min(xi - li, gi)
        norm = max(norm, abs(gi))
    return norm


class StopRule:
    """The stop test of the Fortran driver2/driver3, applied at every new iterate."""

    def __init__(self, rule, objective, lower, upper):
        self.rule = rule
        self.objective = objective
        self.lower = lower
        self.upper = upper
        self.fired = None

    def check(self, x, f):
        obj = self.objective
        assert obj.last_x is not None and bits_equal(obj.last_x, x), \
            "stop rule: last evaluation is not at the new iterate"
        assert obj.last_f == f
        nfev_hit = obj.calls >= self.rule["max_nfev"]
        pg = projgr(x, obj.last_g, self.lower, self.upper)
        pg_hit = pg <= self.rule["pg_relative"] * (1.0 + abs(f))
        if nfev_hit or pg_hit:
            self.fired = {"max_nfev": nfev_hit, "projected_gradient": pg_hit,
                          "nfev": obj.calls, "projected_gradient_norm": pg}
            return True
        return False


def run_case(c):
    lower, upper = numeric_bounds(c)
    bounded = c["lower"] is not None or c["upper"] is not None
    bounds = list(zip(lower, upper)) if bounded else None
    obj = CountingObjective(c["problem"], c["params"])
    stop = StopRule(c["stop_rule"], obj, lower, upper) if c["stop_rule"] else None
    f_trace = []
    x_first = []

    def callback(intermediate_result):
        x = [float(v) for v in intermediate_result.x]  # copy: SciPy reuses the array
        f = float(intermediate_result.fun)
        f_trace.append(f)
        if len(x_first) < N_FIRST_ITERATES:
            x_first.append(x)
        if stop is not None and stop.check(x, f):
            raise StopIteration

    res = minimize(obj.fun, np.array(c["x0"], dtype=np.float64), method="L-BFGS-B",
                   jac=obj.jac, bounds=bounds, callback=callback, options=dict(c["options"]))

    x = [float(v) for v in res.x]
    jac = [float(v) for v in res.jac]
    f_at_x, g_at_x = rp.evaluate(c["problem"], c["params"], x)
    if not bits_equal(g_at_x, jac):
        raise AssertionError(f"{c['name']}: res.jac differs from g(res.x)")
    assert len(f_trace) == res.nit, (c["name"], len(f_trace), res.nit)
    assert obj.calls == res.nfev, (c["name"], obj.calls, res.nfev)
    expected = {
        "nit": int(res.nit),
        "nfev": int(res.nfev),
        "njev": int(res.njev),
        "fun": float(res.fun),
        "fun_at_x": f_at_x,
        "x": x,
        "jac": jac,
        "status": int(res.status),
        "success": bool(res.success),
        "message": str(res.message),
        "projected_gradient_norm": projgr(x, g_at_x, lower, upper),
        "f_trace": f_trace,
        "x_first_iterates": x_first,
    }
    if c["stop_rule"] is not None:
        expected["stop_rule_fired"] = stop.fired
        expected["solver_status"], expected["solver_message"] = solver_level_result(
            c, bounds, expected)
    return expected


def solver_level_result(c, bounds, expected):
    """minimize() rewrites a callback StopIteration to status 99 and the message
    "`callback` raised `StopIteration`."; SciPy's L-BFGS-B layer itself
    (_minimize_lbfgsb) reports task (5, 505).  Re-run the case through that
    layer to record its status and message; nit, nfev and x must not change."""
    from scipy.optimize._lbfgsb_py import _minimize_lbfgsb
    from scipy.optimize._optimize import _wrap_callback

    lower, upper = numeric_bounds(c)
    obj = CountingObjective(c["problem"], c["params"])
    stop = StopRule(c["stop_rule"], obj, lower, upper)

    def callback(intermediate_result):
        if stop.check([float(v) for v in intermediate_result.x],
                      float(intermediate_result.fun)):
            raise StopIteration

    res = _minimize_lbfgsb(obj.fun, np.array(c["x0"], dtype=np.float64), jac=obj.jac,
                           bounds=bounds, callback=_wrap_callback(callback), **c["options"])
    assert res.nit == expected["nit"] and res.nfev == expected["nfev"], c["name"]
    assert bits_equal([float(v) for v in res.x], expected["x"]), c["name"]
    return int(res.status), str(res.message)


def crosscheck_raw_setulb(c, expected):
    """Re-run the case with SciPy's raw reverse-communication routine
    (scipy.optimize._lbfgsb.setulb), evaluating f and g on *every* FG request
    (no ScalarFunction memoisation) and applying the stop rule with the
    solver's own counters (isave[33] = number of f,g evaluations, dsave[12] =
    projected-gradient norm at the new iterate), as the Fortran drivers do.
    Asserts that nit, nfev, x and f agree bit for bit with the minimize() run."""
    from scipy.optimize import _lbfgsb

    n = c["n"]
    o = c["options"]
    m = o["maxcor"]
    lower, upper = numeric_bounds(c)
    nbd = np.zeros(n, np.int32)
    lo = np.zeros(n, np.float64)
    up = np.zeros(n, np.float64)
    for i in range(n):
        has_lo = lower[i] != -INF
        has_up = upper[i] != INF
        if has_lo:
            lo[i] = lower[i]
        if has_up:
            up[i] = upper[i]
        nbd[i] = {(False, False): 0, (True, False): 1, (True, True): 2, (False, True): 3}[
            (has_lo, has_up)]
    x = np.array([min(max(v, lower[i]), upper[i]) for i, v in enumerate(c["x0"])], np.float64)
    f = np.array(0.0, np.float64)
    g = np.zeros(n, np.float64)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m, np.float64)
    iwa = np.zeros(3 * n, np.int32)
    task = np.zeros(2, np.int32)
    ln_task = np.zeros(2, np.int32)
    lsave = np.zeros(4, np.int32)
    isave = np.zeros(44, np.int32)
    dsave = np.zeros(29, np.float64)
    factr = o["ftol"] / EPS
    nit = 0
    evals = 0
    rule = c["stop_rule"]
    while True:
        _lbfgsb.setulb(m, x, lo, up, nbd, f, g, factr, o["gtol"], wa, iwa, task, lsave,
                       isave, dsave, o["maxls"], ln_task)
        if task[0] == 3:
            fv, gv = rp.evaluate(c["problem"], c["params"], x.tolist())
            evals += 1
            f = np.array(fv, np.float64)
            g = np.array(gv, np.float64)
        elif task[0] == 1:
            nit += 1
            if rule is not None and (
                    isave[33] >= rule["max_nfev"]
                    or dsave[12] <= rule["pg_relative"] * (1.0 + abs(float(f)))):
                break
            if nit >= o["maxiter"] or evals > o["maxfun"]:
                break
        else:
            break
    assert evals == int(isave[33]) or task[0] == 4 and nit == 0, (evals, isave[33])
    problems = []
    if nit != expected["nit"]:
        problems.append(f"nit {nit} != {expected['nit']}")
    if evals != expected["nfev"]:
        problems.append(f"nfev {evals} != {expected['nfev']}")
    if not bits_equal(x.tolist(), expected["x"]):
        problems.append("x differs")
    if not bits_equal([float(f)], [expected["fun"]]):
        problems.append(f"f {float(f)!r} != {expected['fun']!r}")
    if problems:
        raise AssertionError(f"{c['name']}: raw setulb run disagrees: " + "; ".join(problems))


# ---------------------------------------------------------------------------
# Objective checks: f and g at fixed points, for the bit-identity test in Java
# ---------------------------------------------------------------------------


def objective_checks(cases):
    rng = random.Random(20240611)
    checks = []

    def add(problem, params, x):
        x = [float(v) for v in x]
        f, g = rp.evaluate(problem, params, x)
        checks.append({"problem": problem, "params": params, "x": x, "f": f, "g": g})

    def randvec(n, lo, hi):
        return [rng.uniform(lo, hi) for _ in range(n)]

    add("driver", {}, [3.0] * 25)
    add("driver", {}, randvec(25, -100.0, 100.0))
    add("driver", {}, randvec(25, -2.0, 3.0))
    add("driver", {}, randvec(1000, -3.0, 3.0))
    add("driver", {}, [1.0] * 4)
    add("driver", {}, randvec(2, -5.0, 5.0))

    add("rosenbrock", {}, [-1.2, 1.0])
    add("rosenbrock", {}, [1.0, 1.0])
    add("rosenbrock", {}, [0.0] * 10)
    add("rosenbrock", {}, alternating(20, -1.2, 1.0))
    add("rosenbrock", {}, randvec(2, -2.0, 2.0))
    add("rosenbrock", {}, randvec(10, -2.0, 2.0))
    add("rosenbrock", {}, randvec(1000, -2.0, 2.0))
    add("rosenbrock", {}, [rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 3) for _ in range(7)])

    for scale in (0.5, 1.0):
        add("sphere", {"scale": scale}, [17.0])
        add("sphere", {"scale": scale}, randvec(5, -10.0, 10.0))
    add("sphere", {"scale": 0.5}, [0.0, -1.0])

    for scale in (1.0, 1e50):
        add("step_scaling", {"scale": scale}, [-1.0])
        add("step_scaling", {"scale": scale}, randvec(1, -3.0, 3.0))
        add("step_scaling", {"scale": scale}, randvec(3, -3.0, 3.0))

    add("x_plus_exp", {}, [10.0])
    add("x_plus_exp", {}, [-50.0])
    add("x_plus_exp", {}, [2.5])
    add("x_plus_exp", {}, randvec(40, -70.0, 70.0))
    add("x_plus_exp", {}, randvec(40, -0.2, 0.2))
    add("x_plus_exp", {}, [1e-30, -1e-9, 0.0346, -0.1039, 0.2, -72.0, 75.0])

    add("maxent", MAXENT_PARAMS, [0.0, 0.0, 0.0])
    add("maxent", MAXENT_PARAMS, [0.0, -0.524869316, 0.487525860])
    for _ in range(6):
        add("maxent", MAXENT_PARAMS, randvec(3, -5.0, 5.0))
    add("maxent", MAXENT_PARAMS, randvec(3, -300.0, 300.0))

    add("beale", {}, [2.5, -1.3])
    add("beale", {}, [3.0, 0.5])
    for _ in range(4):
        add("beale", {}, randvec(2, -4.5, 4.5))
    return checks


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def encode_non_finite(obj):
    """JSON has no NaN/Infinity: non-finite doubles in results become the strings
    "NaN", "Infinity", "-Infinity" (bounds use null instead, see json_bounds)."""
    if isinstance(obj, float):
        if math.isnan(obj):
            return "NaN"
        if math.isinf(obj):
            return "Infinity" if obj > 0 else "-Infinity"
        return obj
    if isinstance(obj, list):
        return [encode_non_finite(v) for v in obj]
    if isinstance(obj, dict):
        return {k: encode_non_finite(v) for k, v in obj.items()}
    return obj


def status_word(e):
    msg = e["message"]
    if msg.startswith("`callback`"):
        return "CALLBACK_STOP"
    return msg.split(":")[0] + ({
        "NORM OF PROJECTED GRADIENT <= PGTOL": " (pg)",
        "RELATIVE REDUCTION OF F <= FACTR*EPSMCH": " (f)",
        "TOTAL NO. OF ITERATIONS REACHED LIMIT": " (maxiter)",
        "TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT": " (maxfun)",
    }.get(msg.split(": ", 1)[-1], ""))


def summary_table(cases):
    rows = ["| case | n | end | status | nit | nfev | fun |",
            "|---|---:|---|---:|---:|---:|---|"]
    for c in cases:
        e = c["expected"]
        end = status_word(e)
        if c["stop_rule"] is not None:
            fired = e["stop_rule_fired"]
            which = [k for k in ("max_nfev", "projected_gradient") if fired[k]]
            end += " (" + "+".join(which) + ")"
        rows.append(f"| {c['name']} | {c['n']} | {end} | {e['status']} | {e['nit']} | "
                    f"{e['nfev']} | {e['fun']!r} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()

    cases = build_cases()
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for c in cases:
        c["expected"] = run_case(c)
        crosscheck_raw_setulb(c, c["expected"])
        print(f"  ran {c['name']}: nit={c['expected']['nit']} nfev={c['expected']['nfev']}",
              file=sys.stderr, flush=True)

    data = {
        "generator": "benchmarks/scipy/generate_reference.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "cases": cases,
        "objective_checks": objective_checks(cases),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    text = json.dumps(encode_non_finite(data), indent=None, separators=(",", ":"), allow_nan=False)
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.write("\n")
    print(summary_table(cases))
    print(f"\nwrote {len(cases)} cases, {len(data['objective_checks'])} objective checks, "
          f"{len(text)} bytes to {os.path.relpath(args.output)}")


if __name__ == "__main__":
    main()
