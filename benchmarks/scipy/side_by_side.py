#!/usr/bin/env python3
"""SciPy's L-BFGS-B and lbfgsb4j side by side, on identical problems, in one run.

For every problem and size, SciPy (``scipy.optimize.minimize(method='L-BFGS-B', jac=True)``, the
objective in vectorized NumPy) and lbfgsb4j (``org.lbfgsb4j.benchmarks.SideBySide``, the objective
in plain Java loops over the solver's buffers), once per arithmetic of ``--arithmetic``
(``LbfgsbOptions.arithmetic``: REFERENCE, SciPy's summation order bit for bit, and FAST, fused
vectorised passes; both by default), each run once in a fresh process, with m = 10 and the same
iteration limit. Each process reports its total time, the time spent inside the
objective (timed around every call), iterations, evaluations and the final f (each child first
loads its library and solves the same problem at min(n, 1000) variables, untimed); this script takes
each child's peak resident set size from the kernel (``os.wait4``) and writes

    benchmarks/results/side_by_side.md     a markdown table, with the exact command at the top
    benchmarks/results/side_by_side.json   every measurement
    benchmarks/results/side_by_side.png    solver time per iteration against n (needs matplotlib)

Problems (the same mathematical functions as BenchmarkProblems.java):
  driver      L-BFGS-B 3.0's driver1.f: f = 4 [(x1 - 1)^2/4 + sum_{i>=2} (x_i - x_{i-1}^2)^2],
              odd variables (1-based) in [1, 100], even ones in [-100, 100], x0 = 3. Bounded.
  rosenbrock  chained Rosenbrock (scipy.optimize.rosen), no bounds, x0 = (-1.2, 1, -1.2, 1, ...).
  small       (the "small problems" table) chained Rosenbrock in the box [-2, 0.5]^n from
              (-1.2, 1, ...), default options, solved to convergence, n = 10, 30, 100: median time
              of a whole solve after as many warm-up solves, objective included.

"Solver time" is total time minus time inside the objective: for SciPy it includes
``minimize``'s Python layer (ScalarFunction, bound handling, the calls into the C routine); for
lbfgsb4j, the native allocation, the copies in and out and the JNI crossings.

SciPy runs with OPENBLAS_NUM_THREADS=1 (``--blas-threads``); lbfgsb4j sets one OpenBLAS thread
itself. Usage, from the repository root after ``mvn -B -q -DskipTests package``:

    python3 benchmarks/scipy/side_by_side.py                      # n = 1e3 .. 1e6, 30 iterations
    python3 benchmarks/scipy/side_by_side.py --sizes 1e3,1e4,1e5,1e6,1e7
    python3 benchmarks/scipy/side_by_side.py --quick              # n = 1e3 .. 1e5, 10 iterations
    python3 benchmarks/scipy/side_by_side.py --arithmetic fast    # SciPy and lbfgsb4j FAST only
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_JAR = os.path.join("benchmarks", "target", "benchmarks.jar")
DEFAULT_OUT = os.path.join("benchmarks", "results")
PROBLEMS = ("driver", "rosenbrock")
ARITHMETICS = ("REFERENCE", "FAST")  # org.lbfgsb4j.Arithmetic
SMALL_SIZES = (10, 30, 100)
WARM_UP_SIZE = 1000  # each child first solves its problem at min(n, this), untimed


# ---------------------------------------------------------------------------
# The objectives, vectorized NumPy; few temporaries (work arrays are reused), a new gradient array
# per call as SciPy expects. Same functions as BenchmarkProblems.java.
# ---------------------------------------------------------------------------

class Driver:
    """driver1.f's problem: f = 4 [(x1 - 1)^2 / 4 + sum_{i>=2} (x_i - x_{i-1}^2)^2]."""

    def __init__(self, n):
        import numpy as np
        self.np = np
        self.n = n
        self.t = np.empty(n - 1)
        self.u = np.empty(n - 1)

    def __call__(self, x):
        np, t, u = self.np, self.t, self.u
        np.multiply(x[:-1], x[:-1], out=t)
        np.subtract(x[1:], t, out=t)              # t_i = x_{i+1} - x_i^2
        d = x[0] - 1.0
        f = 4.0 * (0.25 * d * d + float(np.dot(t, t)))
        g = np.empty(self.n)
        g[0] = 0.0
        np.multiply(t, 8.0, out=g[1:])            # 8 t_{i-1}
        np.multiply(x[:-1], t, out=u)
        u *= -16.0                                # -16 x_i t_i
        g[:-1] += u
        g[0] += 2.0 * d
        return f, g

    @staticmethod
    def x0(n):
        import numpy as np
        return np.full(n, 3.0)

    @staticmethod
    def bounds(n):
        import numpy as np
        from scipy.optimize import Bounds
        lower = np.where(np.arange(n) % 2 == 0, 1.0, -100.0)
        return Bounds(lower, np.full(n, 100.0))


class Rosenbrock:
    """Chained Rosenbrock: f = sum_{i<n} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""

    def __init__(self, n):
        import numpy as np
        self.np = np
        self.n = n
        self.a = np.empty(n - 1)
        self.b = np.empty(n - 1)
        self.u = np.empty(n - 1)

    def __call__(self, x):
        np, a, b, u = self.np, self.a, self.b, self.u
        np.multiply(x[:-1], x[:-1], out=a)
        np.subtract(x[1:], a, out=a)              # a_i = x_{i+1} - x_i^2
        np.subtract(1.0, x[:-1], out=b)           # b_i = 1 - x_i
        f = 100.0 * float(np.dot(a, a)) + float(np.dot(b, b))
        g = np.empty(self.n)
        g[0] = 0.0
        np.multiply(a, 200.0, out=g[1:])          # 200 a_{i-1}
        np.multiply(x[:-1], a, out=u)
        u *= -400.0                               # -400 x_i a_i
        b *= 2.0
        u -= b                                    # - 2 b_i
        g[:-1] += u
        return f, g

    @staticmethod
    def x0(n):
        import numpy as np
        x = np.ones(n)
        x[0::2] = -1.2
        return x

    @staticmethod
    def bounds(n):
        return None


def box_bounds(n):
    import numpy as np
    from scipy.optimize import Bounds
    return Bounds(np.full(n, -2.0), np.full(n, 0.5))


# ---------------------------------------------------------------------------
# SciPy worker: runs in a fresh process, prints one JSON line.
# ---------------------------------------------------------------------------

def rss_kb(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def scipy_warm_up(cls=None, n=0, bounds=None, maxiter=0, m=10):
    """Imports and a 2-variable solve, and with cls the same problem at min(n, 1000) variables and
    the same options, so no lazy import or first call is timed (as SideBySide does)."""
    import numpy as np
    from scipy.optimize import minimize
    minimize(Rosenbrock(2), np.array([-1.2, 1.0]), jac=True, method="L-BFGS-B")
    if cls is not None:
        k = min(n, WARM_UP_SIZE)
        minimize(cls(k), cls.x0(k), jac=True, method="L-BFGS-B", bounds=cls.bounds(k),
                 options={"maxcor": m, "maxiter": maxiter})


def scipy_large(problem, n, maxiter, m):
    import numpy as np
    import scipy
    from scipy.optimize import minimize
    cls = Driver if problem == "driver" else Rosenbrock
    scipy_warm_up(cls, n, None, maxiter, m)
    baseline = rss_kb("VmRSS")
    fg = cls(n)
    x0 = cls.x0(n)
    bounds = cls.bounds(n)
    in_objective = [0.0]

    def timed(x):
        t = time.perf_counter()
        r = fg(x)
        in_objective[0] += time.perf_counter() - t
        return r

    start = time.perf_counter()
    res = minimize(timed, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxcor": m, "maxiter": maxiter})
    total = time.perf_counter() - start
    solver = total - in_objective[0]
    return {
        "impl": "scipy", "problem": problem, "n": n, "m": m, "maxiter": maxiter,
        "total_s": total, "objective_s": in_objective[0], "solver_s": solver,
        "solver_ms_per_iter": solver * 1e3 / res.nit if res.nit > 0 else None,
        "iterations": int(res.nit), "evaluations": int(res.nfev), "f": float(res.fun),
        "message": str(res.message),
        "baseline_rss_mb": baseline / 1024.0, "self_peak_rss_mb": rss_kb("VmHWM") / 1024.0,
        "runtime": "Python %s, NumPy %s, SciPy %s, OPENBLAS_NUM_THREADS=%s" % (
            platform.python_version(), np.__version__, scipy.__version__,
            os.environ.get("OPENBLAS_NUM_THREADS", "unset")),
    }


def scipy_small(n, solves, m):
    from scipy.optimize import minimize
    scipy_warm_up()
    baseline = rss_kb("VmRSS")
    fg = Rosenbrock(n)
    x0 = Rosenbrock.x0(n)
    bounds = box_bounds(n)

    def solve():
        return minimize(fg, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxcor": m})

    for _ in range(solves):
        res = solve()
    times = []
    start = time.perf_counter()
    for _ in range(solves):
        t = time.perf_counter()
        res = solve()
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    return {
        "impl": "scipy", "problem": "rosenbrock_box", "n": n, "m": m, "solves": solves,
        "median_us": statistics.median(times) * 1e6, "mean_us": total / solves * 1e6,
        "iterations": int(res.nit), "evaluations": int(res.nfev), "f": float(res.fun),
        "message": str(res.message),
        "baseline_rss_mb": baseline / 1024.0, "self_peak_rss_mb": rss_kb("VmHWM") / 1024.0,
    }


# ---------------------------------------------------------------------------
# The parent: fresh child processes, peak RSS from wait4, the table.
# ---------------------------------------------------------------------------

def run_child(cmd, env):
    """Runs cmd; returns (its last stdout line parsed as JSON, its peak RSS in MB from wait4)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, cwd=REPO)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError("%s failed (exit %d):\n%s" % (
                shlex.join(cmd), proc.returncode, err.read().decode(errors="replace")[-3000:]))
    lines = [l for l in out.decode().splitlines() if l.strip().startswith("{")]
    if not lines:
        raise RuntimeError("%s printed no JSON line:\n%s" % (shlex.join(cmd), out.decode()[-3000:]))
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024.0  # Linux: kB
    result["load_average_1min_after"] = os.getloadavg()[0]
    return result


def scipy_cmd(*args):
    return [sys.executable, os.path.abspath(__file__), "--worker"] + [str(a) for a in args]


def java_cmd(args, arithmetic, *rest):
    return [args.java] + shlex.split(args.java_opts) + [
        "-cp", args.jar, "org.lbfgsb4j.benchmarks.SideBySide"] + [str(a) for a in rest] + [
        "--arithmetic", arithmetic]


def impl_key(arithmetic):
    """The key of lbfgsb4j's runs with one arithmetic in a row ("lbfgsb4j_reference", ...)."""
    return "lbfgsb4j_" + arithmetic.lower().replace(":", "_t")


def java_impls(meta):
    """[(key, label)] of the lbfgsb4j columns: one per arithmetic, or the single "lbfgsb4j" of a
    JSON written before --arithmetic existed."""
    arithmetics = meta.get("arithmetics")
    if not arithmetics:
        return [("lbfgsb4j", "lbfgsb4j")]
    return [(impl_key(a), a) for a in arithmetics]


def parse_arithmetics(text):
    """REFERENCE / FAST, each optionally with ":<threads>" (LbfgsbOptions.threads), e.g. FAST:2."""
    names = [a.strip().upper() for a in text.split(",") if a.strip()]
    for a in names:
        base, _, threads = a.partition(":")
        if base not in ARITHMETICS or (threads and not threads.isdigit()):
            raise ValueError("unknown arithmetic %r (choose from %s)" % (a, ", ".join(ARITHMETICS)))
    if not names:
        raise ValueError("--arithmetic: at least one of %s" % ", ".join(ARITHMETICS))
    return list(dict.fromkeys(names))


def median_run(runs):
    """The run with the median solver time (all runs of one configuration are kept in the JSON)."""
    key = "solver_ms_per_iter" if "solver_ms_per_iter" in runs[0] else "median_us"
    ordered = sorted(runs, key=lambda r: r[key] if r[key] is not None else float("inf"))
    return ordered[(len(ordered) - 1) // 2]


def parse_sizes(text):
    return [int(float(s)) for s in text.replace("_", "").split(",") if s.strip()]


def fmt(v, digits=3):
    if v is None:
        return "–"
    if isinstance(v, int):
        return "{:,}".format(v)
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "{:,.0f}".format(v)
    return "{:#.{p}g}".format(v, p=digits)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def source_version():
    """The commit the jar is presumably built from, and whether native/ or java/ had local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "native", "java"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" + uncommitted changes in native/ or java/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def env_value(overrides, inherited, key):
    """The value a child sees for an environment variable: --java-env overrides, else inherited."""
    for kv in overrides:
        k, _, v = kv.partition("=")
        if k == key:
            return v
    return inherited.get(key)


def slash(values, digits=3):
    return " / ".join(fmt(v, digits) if not isinstance(v, str) else v for v in values)


def ratio(a, b):
    return a / b if a and b else None


def write_markdown(path, large, small, meta):
    command = meta["command"]
    jimpls = java_impls(meta)
    keys = ["scipy"] + [k for k, _ in jimpls]
    labels = ["SciPy"] + [l for _, l in jimpls]
    names = " / ".join(labels)
    lines = []
    lines.append("# lbfgsb4j vs SciPy L-BFGS-B, side by side")
    lines.append("")
    lines.append("Command (from the repository root):")
    lines.append("")
    lines.append("```")
    lines.append(command)
    lines.append("```")
    lines.append("")
    java_env = meta.get("java_env", [])
    lines.append("%s; %s, %d cores. SciPy: %s. lbfgsb4j (source %s, jar `%s`): %s%s." % (
        meta["date"], meta["cpu"], meta["cores"], meta["scipy_runtime"], meta["source"],
        meta["jar"], meta["java_runtime"],
        ((", JVM options `%s`" % meta["java_opts"]) if meta["java_opts"] else ", default JVM options")
        + ("".join(", environment `%s`" % kv for kv in java_env))))
    loads = [r.get("load_average_1min_after") for row in large + small
             for impl in keys for r in row["runs"][impl]]
    loads = [x for x in loads if x is not None]
    if loads:
        lines.append("")
        lines.append("Load average (1 min) after each child: %.2f to %.2f, median %.2f (in the JSON per run). "
                     "Other work on the machine inflates times, SciPy's and lbfgsb4j's alike." % (
                         min(loads), max(loads), statistics.median(loads)))
    if meta.get("arithmetics"):
        lines.append("")
        lines.append("lbfgsb4j columns: %s, i.e. `LbfgsbOptions.arithmetic(Arithmetic.X)` (REFERENCE: SciPy's "
                     "summation order, bit for bit; FAST: fused, vectorised passes), each in its own "
                     "fresh JVM on the same problem; a ratio is SciPy's solver time over that column's "
                     "(> 1: lbfgsb4j faster)." % ", ".join("**%s**" % a for a in meta["arithmetics"]))
    lines.append("")
    lines.append("**Threads: SciPy with `OPENBLAS_NUM_THREADS=%s`; lbfgsb4j with one OpenBLAS thread "
                 "(the library's default; %s).** m = %d, at most %d iterations, every run in a fresh "
                 "process%s, after %s. "
                 "Solver time = total time - time inside the objective; peak RSS = the "
                 "child process's maximum resident set size (kernel, `wait4`), runtime included." % (
                     meta["blas_threads_scipy"],
                     ("`OPENBLAS_NUM_THREADS=%s` in its environment" % meta["java_openblas_num_threads"])
                     if meta.get("java_openblas_num_threads") is not None
                     else "`OPENBLAS_NUM_THREADS` not set", meta["m"], meta["maxiter"],
                     (", median of %d runs" % meta["repeats"]) if meta["repeats"] > 1 else "",
                     ("an untimed solve of the same problem at min(n, %d) variables" % meta["warm_up_size"])
                     if meta.get("warm_up_size") else "an untimed 2-variable warm-up solve"))
    lines.append("")
    if large:
        header = ["problem", "n"]
        header += ["solver ms/iter %s" % l for l in labels]
        header += ["SciPy / %s" % l for _, l in jimpls]
        header += ["total s %s" % l for l in labels]
        header += ["peak RSS MB %s" % l for l in labels]
        header += ["objective s %s" % names, "iterations %s" % names, "evaluations %s" % names,
                   "final f %s" % names]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|" + "---:|" * (len(header) - 1))
        for row in large:
            s = row["scipy"]
            runs = [row[k] for k in keys]
            cells = [row["problem"], "{:,}".format(row["n"])]
            cells += [fmt(r["solver_ms_per_iter"]) for r in runs]
            cells += ["**%s×**" % fmt(ratio(s["solver_ms_per_iter"], row[k]["solver_ms_per_iter"]), 2)
                      for k, _ in jimpls]
            cells += [fmt(r["total_s"]) for r in runs]
            cells += [fmt(r["peak_rss_mb"]) for r in runs]
            cells += [slash([r["objective_s"] for r in runs]), slash([r["iterations"] for r in runs]),
                      slash([r["evaluations"] for r in runs]), " / ".join("%.6g" % r["f"] for r in runs)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        lines.append("The two objectives are the same function but round differently (NumPy's `dot` "
                     "sums with BLAS, the Java loop sums sequentially), so at large n the iterates can "
                     "drift apart after some iterations and the counts differ by a few; given "
                     "bit-identical objectives lbfgsb4j%s reproduces SciPy's iterates bit for bit "
                     "(`benchmarks/scipy/README.md`)%s." % (
                         " REFERENCE" if meta.get("arithmetics") else "",
                         "; FAST also sums in its own order, so its counts can differ from REFERENCE's "
                         "by a few at large n" if "FAST" in (meta.get("arithmetics") or []) else ""))
        lines.append("")
        base_s = [r["scipy"]["baseline_rss_mb"] for r in large]
        base_j = [r[k]["baseline_rss_mb"] for r in large for k, _ in jimpls]
        lines.append("Runtime alone (resident set after start-up, imports or library loading and the "
                     "untimed warm-up solves, before the problem is built): SciPy process %s MB, "
                     "JVM %s MB (medians)." % (fmt(statistics.median(base_s)), fmt(statistics.median(base_j))))
        lines.append("")
    if small:
        lines.append("## Small problems: whole solves")
        lines.append("")
        lines.append("Chained Rosenbrock in the box [-2, 0.5]^n from (-1.2, 1, ...), default options%s, "
                     "to convergence; median wall time of one whole solve (objective included) over "
                     "%d solves after %d warm-up solves, in one process per side." % (
                         " (lbfgsb4j: apart from the arithmetic)" if meta.get("arithmetics") else "",
                         meta["small_solves"], meta["small_solves"]))
        lines.append("")
        header = ["n"] + ["%s µs/solve" % l for l in labels] + ["SciPy / %s" % l for _, l in jimpls]
        header += ["iterations %s" % names, "evaluations %s" % names, "final f %s" % names]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---:|" * len(header))
        for row in small:
            s = row["scipy"]
            runs = [row[k] for k in keys]
            cells = ["%d" % row["n"]] + [fmt(r["median_us"]) for r in runs]
            cells += ["**%s×**" % fmt(ratio(s["median_us"], row[k]["median_us"]), 3) for k, _ in jimpls]
            cells += [slash([r["iterations"] for r in runs]), slash([r["evaluations"] for r in runs]),
                      " / ".join("%.6g" % r["f"] for r in runs)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_plot(path, large, meta):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot written (the table and the JSON have every number; "
              "`pip install matplotlib` and rerun for %s)" % path, file=sys.stderr)
        return False
    problems = sorted({r["problem"] for r in large})
    fig, axes = plt.subplots(1, len(problems), figsize=(6 * len(problems), 4.5), squeeze=False)
    for ax, problem in zip(axes[0], problems):
        rows = sorted((r for r in large if r["problem"] == problem), key=lambda r: r["n"])
        ns = [r["n"] for r in rows]
        impls = [("scipy", "SciPy")] + [(k, "lbfgsb4j %s" % l if l != "lbfgsb4j" else l)
                                         for k, l in java_impls(meta)]
        for (impl, label), marker in zip(impls, ("o", "s", "^", "D")):
            ax.loglog(ns, [r[impl]["solver_ms_per_iter"] for r in rows], marker=marker, label=label)
        ax.set_title("%s (%s)" % (problem, "bounded" if problem == "driver" else "unbounded"))
        ax.set_xlabel("n")
        ax.set_ylabel("solver time per iteration (ms)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e3,1e4,1e5,1e6", help="comma-separated n (default 1e3,1e4,1e5,1e6)")
    parser.add_argument("--problems", default=",".join(PROBLEMS), help="driver,rosenbrock")
    parser.add_argument("--maxiter", type=int, default=30, help="iteration limit (default 30)")
    parser.add_argument("--m", type=int, default=10, help="history size (default 10)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per configuration and side; the median is reported")
    parser.add_argument("--small-solves", type=int, default=2000,
                        help="timed whole solves per small n, after as many warm-up solves (default 2000: "
                             "with 200 the JVM is still compiling and runs at about half its warm speed)")
    parser.add_argument("--no-small", action="store_true", help="skip the small-problem table")
    parser.add_argument("--quick", action="store_true", help="n = 1e3,1e4,1e5, 10 iterations, 50 small solves")
    parser.add_argument("--blas-threads", default="1", help="OPENBLAS_NUM_THREADS for SciPy (default 1)")
    parser.add_argument("--jar", default=DEFAULT_JAR, help="the shaded benchmarks jar (default %s)" % DEFAULT_JAR)
    parser.add_argument("--java", default="java", help="the java executable")
    parser.add_argument("--java-opts", default="", help="JVM options for the lbfgsb4j runs, one string")
    parser.add_argument("--java-env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for the lbfgsb4j runs (repeatable), e.g. OPENBLAS_NUM_THREADS=1")
    parser.add_argument("--output-dir", default=DEFAULT_OUT, help="where the .md/.json/.png go (default %s)" % DEFAULT_OUT)
    parser.add_argument("--arithmetic", default="reference,fast",  # FAST:2 = FAST on 2 threads
                        help="lbfgsb4j's LbfgsbOptions.arithmetic, comma-separated, one JVM per value and run "
                             "(default reference,fast)")
    parser.add_argument("--render", metavar="JSON",
                        help="only rewrite the .md (and .png) from a side_by_side.json written earlier")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.render:
        with open(args.render) as f:
            data = json.load(f)
        out_dir = os.path.dirname(os.path.abspath(args.render))
        write_outputs(out_dir, data)
        return

    if args.worker:
        kind = args.worker[0]
        if kind == "small":
            result = scipy_small(int(args.worker[1]), int(args.worker[2]), int(args.worker[3]))
        else:
            result = scipy_large(kind, int(args.worker[1]), int(args.worker[2]), int(args.worker[3]))
        print(json.dumps(result))
        return

    command = shlex.join(["python3", os.path.relpath(os.path.abspath(__file__), REPO)] + sys.argv[1:])
    if args.quick:
        if "--sizes" not in sys.argv:
            args.sizes = "1e3,1e4,1e5"
        if "--maxiter" not in sys.argv:
            args.maxiter = 10
        if "--small-solves" not in sys.argv:
            args.small_solves = 50
    sizes = parse_sizes(args.sizes)
    try:
        arithmetics = parse_arithmetics(args.arithmetic)
    except ValueError as e:
        parser.error(str(e))
    jkeys = [impl_key(a) for a in arithmetics]
    problems = [p for p in args.problems.split(",") if p]
    for p in problems:
        if p not in PROBLEMS:
            parser.error("unknown problem %r (choose from %s)" % (p, ", ".join(PROBLEMS)))
    jar = args.jar if os.path.isabs(args.jar) else os.path.join(REPO, args.jar)
    if not os.path.exists(jar):
        parser.error("%s not found: build it first with `mvn -B -q -DskipTests package`" % jar)
    out_dir = args.output_dir if os.path.isabs(args.output_dir) else os.path.join(REPO, args.output_dir)
    os.makedirs(out_dir, exist_ok=True)

    source = source_version()
    scipy_env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.blas_threads))
    java_env = dict(os.environ)
    for kv in args.java_env:
        key, sep, value = kv.partition("=")
        if not sep:
            parser.error("--java-env %r: must be KEY=VALUE" % kv)
        java_env[key] = value
    load_start = os.getloadavg()[0]
    print("# " + command, flush=True)

    nan = float("nan")
    large = []
    for problem in problems:
        for n in sizes:
            row = {"problem": problem, "n": n, "runs": {k: [] for k in ["scipy"] + jkeys}}
            for _ in range(args.repeats):
                row["runs"]["scipy"].append(run_child(scipy_cmd(problem, n, args.maxiter, args.m), scipy_env))
                for a, k in zip(arithmetics, jkeys):
                    row["runs"][k].append(run_child(java_cmd(args, a, problem, n, args.maxiter, args.m), java_env))
            for impl in row["runs"]:
                row[impl] = median_run(row["runs"][impl])
            s = row["scipy"]
            print("%-10s n=%-10d solver ms/iter SciPy %9.3f%s" % (
                problem, n, s["solver_ms_per_iter"] or nan, "".join(
                    "  %s %9.3f (x%.2f)" % (a, row[k]["solver_ms_per_iter"] or nan,
                                            (s["solver_ms_per_iter"] or nan) / (row[k]["solver_ms_per_iter"] or nan))
                    for a, k in zip(arithmetics, jkeys))), flush=True)
            print("%-10s %-12s iters %s  evals %s  peak RSS MB %s  (SciPy / %s)" % (
                "", "", "/".join(str(row[k]["iterations"]) for k in ["scipy"] + jkeys),
                "/".join(str(row[k]["evaluations"]) for k in ["scipy"] + jkeys),
                "/".join("%.0f" % row[k]["peak_rss_mb"] for k in ["scipy"] + jkeys),
                " / ".join(arithmetics)), flush=True)
            large.append(row)

    small = []
    if not args.no_small:
        for n in SMALL_SIZES:
            row = {"problem": "rosenbrock_box", "n": n, "runs": {k: [] for k in ["scipy"] + jkeys}}
            for _ in range(args.repeats):
                row["runs"]["scipy"].append(run_child(scipy_cmd("small", n, args.small_solves, args.m), scipy_env))
                for a, k in zip(arithmetics, jkeys):
                    row["runs"][k].append(run_child(java_cmd(args, a, "small", n, args.small_solves, args.m), java_env))
            for impl in row["runs"]:
                row[impl] = median_run(row["runs"][impl])
            s = row["scipy"]
            print("small n=%-4d whole solve µs SciPy %9.1f%s  iters %s  evals %s" % (
                n, s["median_us"], "".join("  %s %8.1f (x%.1f)" % (a, row[k]["median_us"],
                                                                  s["median_us"] / row[k]["median_us"])
                                           for a, k in zip(arithmetics, jkeys)),
                "/".join(str(row[k]["iterations"]) for k in ["scipy"] + jkeys),
                "/".join(str(row[k]["evaluations"]) for k in ["scipy"] + jkeys)), flush=True)
            small.append(row)

    meta = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "source": source,
        "scipy_runtime": (large[0]["scipy"]["runtime"] if large else
                          "Python %s, OPENBLAS_NUM_THREADS=%s" % (platform.python_version(), args.blas_threads)),
        "java_runtime": large[0][jkeys[0]].get("runtime", "Java") if large else "Java",
        "arithmetics": arithmetics,
        "maxiter": args.maxiter, "m": args.m, "repeats": args.repeats, "small_solves": args.small_solves,
        "blas_threads_scipy": args.blas_threads, "jar": args.jar, "java_opts": args.java_opts,
        "java_env": args.java_env,
        "java_openblas_num_threads": env_value(args.java_env, os.environ, "OPENBLAS_NUM_THREADS"),
        "load_average": [load_start, os.getloadavg()[0]],
        "warm_up_size": WARM_UP_SIZE,
    }
    write_outputs(out_dir, {"meta": meta, "large": large, "small": small})


def write_outputs(out_dir, data):
    """side_by_side.json, .md and, with matplotlib, .png in out_dir."""
    meta, large, small = data["meta"], data["large"], data["small"]
    for key, default in (("jar", DEFAULT_JAR), ("small_solves", 200), ("java_env", []),
                         ("java_openblas_num_threads", None)):
        meta.setdefault(key, default)
    meta.setdefault("warm_up_size", 0)
    with open(os.path.join(out_dir, "side_by_side.json"), "w") as f:
        json.dump(data, f, indent=1)
    write_markdown(os.path.join(out_dir, "side_by_side.md"), large, small, meta)
    plotted = write_plot(os.path.join(out_dir, "side_by_side.png"), large, meta) if large else False
    print("wrote %s/side_by_side.md, side_by_side.json%s" % (
        out_dir, ", side_by_side.png" if plotted else ""))


if __name__ == "__main__":
    main()
