"""Objectives for the torch.optim.LBFGS reference traces.

Each objective is a function ``evaluate(x, data) -> (f, g)`` over a list of
Python floats, written with plain sequential loops in exactly the operation
order of its Java twin in
``java/src/test/java/org/lbfgsb4j/reference/TorchReferenceProblems.java``, so
that both produce the same bits for the same x (the rules of
``benchmarks/scipy/reference_problems.py``: no numpy inside an objective,
squares as ``t * t``, left-to-right association, ``acc = acc + term``).

``exp`` and ``log`` are the fdlibm re-implementations ``fd_exp``/``fd_log`` of
``benchmarks/scipy/reference_problems.py`` (bit-identical to Java's
``StrictMath``).  tanh is not taken from a library either (Python's
``math.tanh`` and Java's ``StrictMath.tanh`` are different algorithms): both
sides define ``tanh(a) = 1 - 2 / (exp(2 a) + 1)`` on top of fd_exp /
StrictMath.exp.
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scipy"))
from reference_problems import fd_exp, fd_log  # noqa: E402


def rosenbrock(x, data):
    """f = (1 - x0)^2 + 100 (x1 - x0^2)^2 (n = 2)."""
    x0 = x[0]
    x1 = x[1]
    a = 1.0 - x0
    b = x1 - x0 * x0
    f = a * a + 100.0 * (b * b)
    g0 = -2.0 * a - 400.0 * x0 * b
    g1 = 200.0 * b
    return f, [g0, g1]


def quadratic(x, data):
    """f = sum_i a_i (x_i - c_i)^2, g_i = 2 a_i (x_i - c_i)."""
    a = data["a"]
    c = data["c"]
    f = 0.0
    g = [0.0] * len(x)
    for i in range(len(x)):
        r = x[i] - c[i]
        f = f + a[i] * (r * r)
        g[i] = 2.0 * a[i] * r
    return f, g


def pseudo_huber(x, data):
    """f = sum_i sqrt(1 + k (x_i - c_i)^2): nearly |x - c| for large k (a kink the line search
    has to bracket)."""
    k = data["k"]
    c = data["c"]
    f = 0.0
    g = [0.0] * len(x)
    for i in range(len(x)):
        r = x[i] - c[i]
        s = math.sqrt(1.0 + k * (r * r))
        f = f + s
        g[i] = k * r / s
    return f, g


def cliff(x, data):
    """One variable: f = -z (slope -1) up to z = edge, a wall of height `wall` beyond it; the
    gradient is -1 everywhere. The line search keeps shrinking its bracket towards 0."""
    z = x[0]
    if z <= data["edge"]:
        return -z, [-1.0]
    return data["wall"], [-1.0]


def _softplus(m):
    """log(1 + exp(m)), evaluated without overflow."""
    if m > 0.0:
        return m + fd_log(1.0 + fd_exp(-m))
    return fd_log(1.0 + fd_exp(m))


def _sigmoid(m):
    """1 / (1 + exp(-m))."""
    if m > 0.0:
        return 1.0 / (1.0 + fd_exp(-m))
    e = fd_exp(m)
    return e / (1.0 + e)


def logistic(x, data):
    """L2-regularised logistic regression, x = (w_1..w_p, b), labels in {-1, 1}:
    f = (1/N) sum_i log(1 + exp(-y_i (w.x_i + b))) + (lambda/2) |w|^2."""
    X = data["X"]
    y = data["y"]
    lam = data["lambda"]
    rows = len(X)
    p = len(X[0])
    inv_n = 1.0 / rows
    f = 0.0
    g = [0.0] * (p + 1)
    for i in range(rows):
        row = X[i]
        z = x[p]
        for j in range(p):
            z = z + x[j] * row[j]
        m = -y[i] * z
        f = f + _softplus(m)
        c = -y[i] * _sigmoid(m) * inv_n
        for j in range(p):
            g[j] = g[j] + c * row[j]
        g[p] = g[p] + c
    f = f * inv_n
    reg = 0.0
    for j in range(p):
        reg = reg + x[j] * x[j]
        g[j] = g[j] + lam * x[j]
    f = f + 0.5 * lam * reg
    return f, g


def tanh(a):
    """1 - 2 / (exp(2a) + 1) (the definition shared with the Java twin)."""
    return 1.0 - 2.0 / (fd_exp(2.0 * a) + 1.0)


def mlp(x, data):
    """Two-layer tanh network, one output, mean squared error.
    x = (W1 row-major [hidden x inputs], b1 [hidden], W2 [hidden], b2):
    out_i = W2 . tanh(W1 u_i + b1) + b2, f = (1/N) sum_i (out_i - target_i)^2."""
    U = data["inputs"]
    T = data["targets"]
    hidden = data["hidden"]
    rows = len(U)
    p = len(U[0])
    o_b1 = hidden * p
    o_w2 = o_b1 + hidden
    o_b2 = o_w2 + hidden
    inv_n = 1.0 / rows
    f = 0.0
    g = [0.0] * len(x)
    h = [0.0] * hidden
    for i in range(rows):
        u = U[i]
        out = x[o_b2]
        for j in range(hidden):
            a = x[o_b1 + j]
            for k in range(p):
                a = a + x[j * p + k] * u[k]
            h[j] = tanh(a)
            out = out + x[o_w2 + j] * h[j]
        r = out - T[i]
        f = f + r * r
        dout = 2.0 * r * inv_n
        g[o_b2] = g[o_b2] + dout
        for j in range(hidden):
            g[o_w2 + j] = g[o_w2 + j] + dout * h[j]
            da = dout * x[o_w2 + j] * (1.0 - h[j] * h[j])
            g[o_b1 + j] = g[o_b1 + j] + da
            for k in range(p):
                g[j * p + k] = g[j * p + k] + da * u[k]
    f = f * inv_n
    return f, g


PROBLEMS = {
    "rosenbrock": rosenbrock,
    "quadratic": quadratic,
    "logistic": logistic,
    "mlp": mlp,
    "pseudo_huber": pseudo_huber,
    "cliff": cliff,
}


def evaluate(problem, data, x):
    return PROBLEMS[problem]([float(v) for v in x], data)
