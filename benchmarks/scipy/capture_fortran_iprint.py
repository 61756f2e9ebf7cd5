#!/usr/bin/env python3
"""Capture what SciPy's Fortran L-BFGS-B printed with iprint, for the Java log tests.

    python3 benchmarks/scipy/capture_fortran_iprint.py [--output DIR]

Needs SciPy <= 1.14 (the last versions built on the Fortran lbfgsb.f; 1.15+ dropped
iprint), e.g. in a virtual environment:

    python3 -m venv /tmp/scipy113 && /tmp/scipy113/bin/pip install scipy==1.13.1 "numpy<2"
    /tmp/scipy113/bin/python benchmarks/scipy/capture_fortran_iprint.py

The Fortran code writes to the process's file descriptors 1 (unit 6) and 2 (unit 0),
bypassing Python's sys.stdout, so each case runs in a child process whose two streams are
saved as java/src/test/resources/reference/fortran-iprint/<case>_iprint<k>.stdout and
.stderr.  The runs use the analytic-gradient cases of generate_reference.py (same objectives,
bounds and options), which the Java test LbfgsbLogTest replays with the matching LogLevel.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "reference",
                              "fortran-iprint")

# (reference case of generate_reference.py, iprint)
RUNS = [
    ("rosen2d_standard", 0),
    ("rosen2d_standard", 1),
    ("rosen2d_standard", 5),
    ("rosen2d_standard", 99),
    ("rosen2d_standard", 101),
    ("rosen2d_maxiter5", 1),
    ("rosen2d_maxls1", 1),
    ("driver1", 1),
    ("rosen_x0_outside_bounds", 0),
    ("rosen_x0_outside_bounds", 101),
]

CHILD = r"""
import sys
import numpy as np
sys.path.insert(0, HERE)
import generate_reference as gr
import reference_problems as rp
from scipy.optimize import minimize

name, iprint = sys.argv[1], int(sys.argv[2])
c = next(c for c in gr.build_cases() if c["name"] == name)
lower, upper = gr.numeric_bounds(c)
bounded = c["lower"] is not None or c["upper"] is not None

def fg(x):
    f, g = rp.evaluate(c["problem"], c["params"], list(x))
    return f, np.array(g)

options = dict(c["options"])
options["iprint"] = iprint
minimize(fg, np.array(c["x0"]), jac=True, method="L-BFGS-B",
         bounds=list(zip(lower, upper)) if bounded else None, options=options)
sys.stdout.flush()
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    args = ap.parse_args()
    import scipy
    major, minor = (int(v) for v in scipy.__version__.split(".")[:2])
    if (major, minor) > (1, 14):
        sys.exit(f"SciPy {scipy.__version__} has no Fortran iprint output: use SciPy <= 1.14")
    os.makedirs(args.output, exist_ok=True)
    code = f"HERE = {HERE!r}\n" + CHILD
    for name, iprint in RUNS:
        p = subprocess.run([sys.executable, "-W", "ignore", "-c", code, name, str(iprint)],
                           capture_output=True, check=True)
        base = os.path.join(args.output, f"{name}_iprint{iprint}")
        with open(base + ".stdout", "wb") as fh:
            fh.write(p.stdout)
        with open(base + ".stderr", "wb") as fh:
            fh.write(p.stderr)
        print(f"  {name} iprint={iprint}: {len(p.stdout)} + {len(p.stderr)} bytes")
    with open(os.path.join(args.output, "VERSION"), "w") as fh:
        fh.write(f"scipy {scipy.__version__}\n")


if __name__ == "__main__":
    main()
