#!/usr/bin/env python3
"""Generate the SciPy finite-difference L-BFGS-B reference data used by the Java tests.

    python3 benchmarks/scipy/generate_fd_reference.py [--output PATH]

Runs scipy.optimize.minimize(method='L-BFGS-B') WITHOUT an analytic gradient
(jac=None: forward differences with the absolute step eps; jac='2-point' and
jac='3-point': relative steps, finite_diff_rel_step) on the cases of CASES
below, and evaluates scipy.optimize._numdiff.approx_derivative directly at
points chosen to exercise every branch of its bound handling
(_adjust_scheme_to_bounds).  Writes
java/src/test/resources/reference/scipy-fd-reference.json, read by the Java
loader org.lbfgsb4j.reference.FdReferenceData.

The objectives are those of reference_problems.py (bit-identical twins of the
Java ReferenceProblems); only their f is used here.  Deterministic: no
randomness.

JSON format (non-finite numbers as the strings "NaN"/"Infinity"/"-Infinity",
bounds as in scipy-lbfgsb-reference.json: a null side is unbounded, a null
entry is an infinite bound):

  {"generator", "scipy_version", "numpy_version", "python_version",
   "eps_for_2point": EPS**0.5, "eps_for_3point": EPS**(1/3),
   "cases": [{"name", "description", "problem", "params", "n", "x0", "lower",
              "upper", "jac": "none" | "2-point" | "3-point",
              "eps": the absolute step of jac=None,
              "finite_diff_rel_step": null or the relative step,
              "options": {"maxcor", "ftol", "gtol", "maxiter", "maxfun", "maxls"},
              "expected": {"nit", "nfev" (f evaluations, differences included),
                           "njev" (gradients), "fun", "fun_at_x", "x",
                           "jac" (NaN where minimize() removed a fixed variable),
                           "status", "success", "message",
                           "projected_gradient_norm_of_jac", "f_trace"}}],
   "gradient_checks": [{"problem", "params", "x", "lower", "upper", "jac",
                        "step" (abs_step for "none", rel_step otherwise; null:
                        default), "f0", "gradient", "nfev" (f0 excluded)}]}

SciPy 1.17.1 prints the callback object once per run with fixed variables (a
stray print(callback) in its fixed-variable path): harmless noise on stdout.
"""

import argparse
import json
import math
import os
import platform
import sys

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.optimize._numdiff import approx_derivative

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_problems as rp  # noqa: E402
from generate_reference import (  # noqa: E402
    DEFAULT_OPTIONS, EPS, INF, REPO_ROOT, alternating, bits_equal, driver_bounds,
    encode_non_finite, json_bounds, projgr)

DEFAULT_OUTPUT = os.path.join(
    REPO_ROOT, "java", "src", "test", "resources", "reference", "scipy-fd-reference.json")

# minimize(method='L-BFGS-B') defaults for the finite-difference options.
DEFAULT_EPS = 1e-8
SCHEMES = ("none", "2-point", "3-point")  # "none" is jac=None


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def case(name, description, problem, x0, lower=None, upper=None, params=None, jac="none",
         options=None, eps=DEFAULT_EPS, rel_step=None):
    assert jac in SCHEMES, jac
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
        "jac": jac,
        "eps": float(eps),
        "finite_diff_rel_step": None if rel_step is None else float(rel_step),
        "options": opts,
    }


def all_schemes(name, description, problem, x0, lower=None, upper=None, params=None,
                options=None):
    """The same problem with jac=None, '2-point' and '3-point'."""
    suffix = {"none": "fd_abs", "2-point": "fd_2point", "3-point": "fd_3point"}
    return [case(f"{name}_{suffix[j]}", f"{description} jac={j if j != 'none' else 'None'}.",
                 problem, x0, lower, upper, params, jac=j, options=options) for j in SCHEMES]


def build_cases():
    cases = []
    cases += all_schemes("rosen2d", "2-D Rosenbrock from [-1.2, 1], no bounds, defaults;",
                         "rosenbrock", [-1.2, 1.0])
    cases += all_schemes("rosen10_zeros", "Chained Rosenbrock n=10 from zeros, no bounds;",
                         "rosenbrock", [0.0] * 10)
    lo25, up25 = driver_bounds(25)
    cases += all_schemes("driver1", "The L-BFGS-B 3.0 driver1 problem (n=25, m=5, driver "
                         "bounds, x0=3);", "driver", [3.0] * 25, lo25, up25,
                         options={"maxcor": 5, "ftol": 1e7 * EPS, "gtol": 1e-5})
    cases += all_schemes("half_sphere_lower_bound",
                         "f = 0.5(x0^2 + x1^2), x0 >= 1, from [0, -1] (clipped onto the bound, "
                         "so x0 sits at its lower bound: one-sided differences);",
                         "sphere", [0.0, -1.0], [1.0, -INF], [INF, INF], params={"scale": 0.5})
    cases += all_schemes("rosen_x0_outside_bounds",
                         "Chained Rosenbrock n=5 in [-1.5, 1.5]^5 from a point clipped onto "
                         "four bounds;", "rosenbrock", [-3.0, 0.5, 4.0, -2.0, 1.6],
                         [-1.5] * 5, [1.5] * 5)
    # Bounds within a difference step of x0: the upper bound of x1 is 3e-9 above x0 (the
    # absolute step 1e-8 does not fit: it flips to a backward step), x3 is 2e-6 below its
    # upper bound (the 3-point step 6e-6 does not fit: one-sided), x4 lives in a box of width
    # 5e-9 (no full step fits either way: the step shrinks to the larger distance).
    near_lo = [-2.0, -2.0, -2.0, 0.3]
    near_up = [1.2 + 3e-9, 2.0, 0.5 + 2e-6, 0.3 + 5e-9]
    near_x0 = [1.2, 1.0, 0.5, 0.3 + 2e-9]
    cases += all_schemes("rosen_near_bounds",
                         "Chained Rosenbrock n=4 with x0 closer to some bounds than a "
                         "difference step (lower " + repr(near_lo) + ", upper " + repr(near_up)
                         + ");", "rosenbrock", near_x0, near_lo, near_up)
    cases += all_schemes("rosen_fixed_variables",
                         "Chained Rosenbrock n=6 from zeros with x2 = 0.5 and x5 = 1.5 fixed "
                         "(SciPy's minimize removes fixed variables when it differences; "
                         "res.jac is NaN there);", "rosenbrock", [0.0] * 6,
                         [-2.0, 0.5, -2.0, -2.0, 1.5, -INF], [2.0, 0.5, 2.0, 2.0, 1.5, INF])
    cases += all_schemes("maxent", "SciPy's CheckOptimize maximum-entropy problem "
                         "(test_l_bfgs_b_numjac), x0 = 0, maxiter=1000;", "maxent",
                         [0.0, 0.0, 0.0],
                         params={"F": rp.MAXENT_F, "K": rp.MAXENT_K}, options={"maxiter": 1000})
    cases.append(case("rosen2d_fd_abs_maxfun20",
                      "2-D Rosenbrock from [-1.2, 1], jac=None, maxfun=20: SciPy compares "
                      "maxfun with nfev, which counts the difference evaluations, at the end "
                      "of each iteration.", "rosenbrock", [-1.2, 1.0], options={"maxfun": 20}))
    cases.append(case("rosen2d_fd_abs_eps1e-6",
                      "2-D Rosenbrock from [-1.2, 1], jac=None with eps=1e-6.",
                      "rosenbrock", [-1.2, 1.0], eps=1e-6))
    cases.append(case("rosen2d_fd_2point_relstep1e-7",
                      "2-D Rosenbrock from [-1.2, 1], jac='2-point' with finite_diff_rel_step"
                      "=1e-7 (x0 has no zero component).",
                      "rosenbrock", [-1.2, 1.0], jac="2-point", rel_step=1e-7))
    cases.append(case("rosen10_fd_3point_relstep1e-4",
                      "Chained Rosenbrock n=10 from zeros, jac='3-point' with finite_diff_rel_step"
                      "=1e-4 (a zero component falls back to the default step).",
                      "rosenbrock", [0.0] * 10, jac="3-point", rel_step=1e-4))
    return cases


# ---------------------------------------------------------------------------
# Running SciPy
# ---------------------------------------------------------------------------


class CountingValue:
    """f only (the gradient of the reference problem is dropped), counting calls."""

    def __init__(self, problem, params):
        self.problem = problem
        self.params = params
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        f, _ = rp.evaluate(self.problem, self.params, [float(v) for v in np.asarray(x).ravel()])
        return f


def numeric_bounds(c):
    n = c["n"]
    lower = [-INF if v is None else v for v in (c["lower"] or [None] * n)]
    upper = [INF if v is None else v for v in (c["upper"] or [None] * n)]
    return lower, upper


def run_case(c):
    lower, upper = numeric_bounds(c)
    bounded = c["lower"] is not None or c["upper"] is not None
    bounds = list(zip(lower, upper)) if bounded else None
    fun = CountingValue(c["problem"], c["params"])
    f_trace = []

    def callback(intermediate_result):
        f_trace.append(float(intermediate_result.fun))

    options = dict(c["options"])
    if c["jac"] == "none":
        jac = None
        options["eps"] = c["eps"]
    else:
        jac = c["jac"]
        if c["finite_diff_rel_step"] is not None:
            options["finite_diff_rel_step"] = c["finite_diff_rel_step"]
    res = minimize(fun, np.array(c["x0"], dtype=np.float64), method="L-BFGS-B", jac=jac,
                   bounds=bounds, callback=callback, options=options)
    assert fun.calls == res.nfev, (c["name"], fun.calls, res.nfev)
    assert len(f_trace) == res.nit, (c["name"], len(f_trace), res.nit)
    x = [float(v) for v in res.x]
    f_at_x, _ = rp.evaluate(c["problem"], c["params"], x)
    jac_out = [float(v) for v in res.jac]
    return {
        "nit": int(res.nit),
        "nfev": int(res.nfev),
        "njev": int(res.njev),
        "fun": float(res.fun),
        "fun_at_x": f_at_x,
        "x": x,
        "jac": jac_out,
        "status": int(res.status),
        "success": bool(res.success),
        "message": str(res.message),
        "projected_gradient_norm_of_jac": projgr(
            x, [0.0 if math.isnan(v) else v for v in jac_out], lower, upper),
        "f_trace": f_trace,
    }


# ---------------------------------------------------------------------------
# approx_derivative at chosen points
# ---------------------------------------------------------------------------


def gradient_check(problem, params, x, lower, upper, jac, step=None):
    """approx_derivative as L-BFGS-B's ScalarFunction calls it: jac=None means
    method='2-point' with abs_step=eps; '2-point'/'3-point' use rel_step."""
    fun = CountingValue(problem, params)
    x = [float(v) for v in x]
    f0 = fun(np.array(x))
    fun.calls = 0
    kwargs = {"f0": f0, "bounds": (np.array(lower, float), np.array(upper, float)),
              "full_output": True}
    if jac == "none":
        kwargs.update(method="2-point", abs_step=DEFAULT_EPS if step is None else step)
    else:
        kwargs.update(method=jac, rel_step=step)
    g, info = approx_derivative(fun, np.array(x, dtype=np.float64), **kwargs)
    assert info["nfev"] == fun.calls
    return {
        "problem": problem,
        "params": params,
        "x": x,
        "lower": json_bounds(lower),
        "upper": json_bounds(upper),
        "jac": jac,
        "step": step,
        "f0": f0,
        "gradient": [float(v) for v in np.atleast_1d(g)],
        "nfev": int(info["nfev"]),
    }


def gradient_checks():
    checks = []
    n = 4
    free = ([-INF] * n, [INF] * n)
    points = [[-1.2, 1.0, 0.0, 3.5], [1e-12, -1e-3, 1e9, -7.25], [0.0, 0.0, 0.0, 0.0]]
    # Bounds that put components exactly at, or closer than a step to, a bound (both sides),
    # inside a box narrower than a step, and far from any bound.
    lo = [-1.2, 1.0 - 2e-9, -1.0, 3.5 - 1e-5]
    up = [-1.2 + 4e-6, 1.0, 1e-9, 3.5 + 3e-6]
    narrow_lo = [-1.2 - 1e-9, 1.0 - 3e-9, -1e-7, 3.5 - 2e-6]
    narrow_up = [-1.2 + 2e-9, 1.0 + 1e-9, 1e-7, 3.5 + 1e-6]
    for jac in SCHEMES:
        for step in ((None,) if jac == "none" else (None, 1e-3)):
            for x in points:
                checks.append(gradient_check("rosenbrock", {}, x, *free, jac, step))
            checks.append(gradient_check("rosenbrock", {}, points[0], lo, up, jac, step))
            checks.append(gradient_check("rosenbrock", {}, points[0], narrow_lo, narrow_up,
                                         jac, step))
            checks.append(gradient_check("x_plus_exp", {}, [0.5, -0.25, 2.0, 1e-4],
                                         [0.5, -1.0, -INF, 0.0], [INF, -0.25, 2.0 + 1e-9, INF],
                                         jac, step))
    checks.append(gradient_check("rosenbrock", {}, [1e10, -3.0], [-INF] * 2, [INF] * 2, "none"))
    checks.append(gradient_check("rosenbrock", {}, [-1.2, 1.0], [-INF] * 2, [INF] * 2, "none",
                                 1e-6))
    return checks


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def summary_table(cases):
    rows = ["| case | jac | n | message | nit | nfev | njev | fun |",
            "|---|---|---:|---|---:|---:|---:|---|"]
    for c in cases:
        e = c["expected"]
        rows.append(f"| {c['name']} | {c['jac']} | {c['n']} | {e['message']} | {e['nit']} | "
                    f"{e['nfev']} | {e['njev']} | {e['fun']!r} |")
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
        print(f"  ran {c['name']}: nit={c['expected']['nit']} nfev={c['expected']['nfev']} "
              f"njev={c['expected']['njev']}", file=sys.stderr, flush=True)
    data = {
        "generator": "benchmarks/scipy/generate_fd_reference.py",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "eps_for_2point": float(EPS ** 0.5),
        "eps_for_3point": float(EPS ** (1 / 3)),
        "cases": cases,
        "gradient_checks": gradient_checks(),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    text = json.dumps(encode_non_finite(data), indent=None, separators=(",", ":"), allow_nan=False)
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.write("\n")
    print(summary_table(cases))
    print(f"\nwrote {len(cases)} cases, {len(data['gradient_checks'])} gradient checks, "
          f"{len(text)} bytes to {os.path.relpath(args.output)}")


if __name__ == "__main__":
    main()
