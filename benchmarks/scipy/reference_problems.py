"""Objective functions for the SciPy L-BFGS-B reference data.

Every objective is written with plain sequential scalar loops over Python
``float`` values, in exactly the operation order used by the Java twin in
``java/src/test/java/org/lbfgsb4j/reference/ReferenceProblems.java``, so the
two produce bit-identical f and g for the same x.  Rules followed here:

* no numpy inside an objective (numpy sums pairwise; Java sums sequentially);
* squares are written ``t * t`` (never ``t ** 2``, which goes through pow());
* binary operators associate left to right exactly as Java parses the same
  expression, and every accumulation is ``acc = acc + term``;
* ``exp`` and ``log`` are the fdlibm 5.3 algorithms re-implemented below
  (``fd_exp``, ``fd_log``).  Java's ``StrictMath.exp``/``StrictMath.log`` are
  specified to return exactly the fdlibm results, while the C library behind
  Python's ``math.exp`` is free to differ in the last bit.

Each problem is a function ``evaluate(x, params) -> (f, g)`` taking a list of
floats and returning a float and a new list of floats.
"""

import struct

# ---------------------------------------------------------------------------
# fdlibm exp and log (the algorithms of e_exp.c / e_log.c, fdlibm 5.3)
# ---------------------------------------------------------------------------


def _bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def _with_high_word(x, hi):
    """x with its most significant 32 bits replaced by hi (low word kept)."""
    return _from_bits(((hi & 0xFFFFFFFF) << 32) | (_bits(x) & 0xFFFFFFFF))


def _high_word_signed(x):
    hi = _bits(x) >> 32
    return hi - (1 << 32) if hi & 0x80000000 else hi


_HUGE = 1.0e300
_TWOM1000 = 9.33263618503218878990e-302  # 2**-1000
_O_THRESHOLD = 7.09782712893383973096e02
_U_THRESHOLD = -7.45133219101941108420e02
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_EXP_P1 = 1.66666666666666019037e-01
_EXP_P2 = -2.77777777770155933842e-03
_EXP_P3 = 6.61375632143793436117e-05
_EXP_P4 = -1.65339022054652515390e-06
_EXP_P5 = 4.13813679705723846039e-08

_TWO54 = 1.80143985094819840000e16
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01


def fd_exp(x):
    """exp(x), bit-identical to Java's StrictMath.exp (fdlibm)."""
    x = float(x)
    b = _bits(x)
    hx = b >> 32
    xsb = (hx >> 31) & 1
    hx &= 0x7FFFFFFF
    if hx >= 0x40862E42:  # |x| >= 709.78...
        if hx >= 0x7FF00000:
            if ((hx & 0xFFFFF) | (b & 0xFFFFFFFF)) != 0:
                return x + x  # NaN
            return x if xsb == 0 else 0.0
        if x > _O_THRESHOLD:
            return float("inf")
        if x < _U_THRESHOLD:
            return 0.0
    k = 0
    hi = 0.0
    lo = 0.0
    if hx > 0x3FD62E42:  # |x| > 0.5 ln2
        if hx < 0x3FF0A2B2:  # and |x| < 1.5 ln2
            if xsb == 0:
                hi = x - _LN2_HI
                lo = _LN2_LO
                k = 1
            else:
                hi = x - (-_LN2_HI)
                lo = -_LN2_LO
                k = -1
        else:
            # C's (int) conversion truncates toward zero, as does int()
            k = int(_INV_LN2 * x + (0.5 if xsb == 0 else -0.5))
            t = float(k)
            hi = x - t * _LN2_HI
            lo = t * _LN2_LO
        x = hi - lo
    elif hx < 0x3E300000:  # |x| < 2**-28
        return 1.0 + x
    t = x * x
    c = x - t * (_EXP_P1 + t * (_EXP_P2 + t * (_EXP_P3 + t * (_EXP_P4 + t * _EXP_P5))))
    if k == 0:
        return 1.0 - ((x * c) / (c - 2.0) - x)
    y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi)
    if k >= -1021:
        return _with_high_word(y, (_bits(y) >> 32) + (k << 20))
    y = _with_high_word(y, (_bits(y) >> 32) + ((k + 1000) << 20))
    return y * _TWOM1000


def fd_log(x):
    """log(x), bit-identical to Java's StrictMath.log (fdlibm)."""
    x = float(x)
    hx = _high_word_signed(x)
    lx = _bits(x) & 0xFFFFFFFF
    k = 0
    if hx < 0x00100000:  # x < 2**-1022
        if ((hx & 0x7FFFFFFF) | lx) == 0:
            return float("-inf")
        if hx < 0:
            return float("nan")
        k -= 54
        x *= _TWO54  # subnormal: scale up
        hx = _high_word_signed(x)
    if hx >= 0x7FF00000:
        return x + x
    k += (hx >> 20) - 1023
    hx &= 0x000FFFFF
    i = (hx + 0x95F64) & 0x100000
    x = _with_high_word(x, hx | (i ^ 0x3FF00000))  # normalize x or x/2
    k += i >> 20
    f = x - 1.0
    if (0x000FFFFF & (2 + hx)) < 3:  # |f| < 2**-20
        if f == 0.0:
            if k == 0:
                return 0.0
            dk = float(k)
            return dk * _LN2_HI + dk * _LN2_LO
        r = f * f * (0.5 - 0.33333333333333333 * f)
        if k == 0:
            return f - r
        dk = float(k)
        return dk * _LN2_HI - ((r - dk * _LN2_LO) - f)
    s = f / (2.0 + f)
    dk = float(k)
    z = s * s
    i = hx - 0x6147A
    w = z * z
    j = 0x6B851 - hx
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    i |= j
    r = t2 + t1
    if i > 0:
        hfsq = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + r))
        return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
    if k == 0:
        return f - s * (f - r)
    return dk * _LN2_HI - ((s * (f - r) - dk * _LN2_LO) - f)


# ---------------------------------------------------------------------------
# Objectives.  Each returns (f, g).  Keep in step with ReferenceProblems.java.
# ---------------------------------------------------------------------------


def driver(x, params):
    """Problem of the L-BFGS-B 3.0 drivers (driver1.f, driver2.f, driver3.f):
    f = 4*[0.25(x1-1)^2 + sum_{i=2..n} (x_i - x_{i-1}^2)^2], n >= 2."""
    n = len(x)
    d = x[0] - 1.0
    f = 0.25 * (d * d)
    for i in range(1, n):
        t = x[i] - x[i - 1] * x[i - 1]
        f = f + t * t
    f = 4.0 * f
    g = [0.0] * n
    t1 = x[1] - x[0] * x[0]
    g[0] = 2.0 * (x[0] - 1.0) - 16.0 * x[0] * t1
    for i in range(1, n - 1):
        t2 = t1
        t1 = x[i + 1] - x[i] * x[i]
        g[i] = 8.0 * t2 - 16.0 * x[i] * t1
    g[n - 1] = 8.0 * t1
    return f, g


def rosenbrock(x, params):
    """Chained Rosenbrock as scipy.optimize.rosen:
    f = sum_{i=0..n-2} 100(x_{i+1} - x_i^2)^2 + (1 - x_i)^2, n >= 2."""
    n = len(x)
    f = 0.0
    g = [0.0] * n
    for i in range(n - 1):
        xi = x[i]
        a = x[i + 1] - xi * xi
        b = 1.0 - xi
        f = f + (100.0 * (a * a) + b * b)
        g[i] = g[i] - 400.0 * xi * a - 2.0 * b
        g[i + 1] = 200.0 * a
    return f, g


def sphere(x, params):
    """f = scale * sum x_i^2, g_i = (2*scale) * x_i."""
    scale = float(params["scale"])
    s = 0.0
    for xi in x:
        s = s + xi * xi
    f = scale * s
    c = 2.0 * scale
    g = [c * xi for xi in x]
    return f, g


def step_scaling(x, params):
    """SciPy test_initial_step_scaling: f = sum scale*(x_i-1)^2 with the test's
    deliberately inconsistent gradient g_i = scale*(x_i-1) (half the true one)."""
    scale = float(params["scale"])
    f = 0.0
    g = [0.0] * len(x)
    for i, xi in enumerate(x):
        d = xi - 1.0
        f = f + scale * (d * d)
        g[i] = scale * d
    return f, g


def x_plus_exp(x, params):
    """f = sum x_i + exp(-10 x_i), g_i = 1 - 10 exp(-10 x_i)."""
    f = 0.0
    g = [0.0] * len(x)
    for i, xi in enumerate(x):
        e = fd_exp(-10.0 * xi)
        f = f + (xi + e)
        g[i] = 1.0 - 10.0 * e
    return f, g


MAXENT_F = [
    [1.0, 1.0, 1.0],
    [1.0, 1.0, 0.0],
    [1.0, 0.0, 1.0],
    [1.0, 0.0, 0.0],
    [1.0, 0.0, 0.0],
]
MAXENT_K = [1.0, 0.3, 0.5]


def maxent(x, params):
    """SciPy test_optimize CheckOptimize maximum-entropy problem (n = 3):
    f = log(sum_r exp((F x)_r)) - K.x, g = F^T p - K with
    p_r = exp((F x)_r - logZ)."""
    F = params["F"]
    K = params["K"]
    rows = len(F)
    n = len(x)
    lp = [0.0] * rows
    for r in range(rows):
        s = 0.0
        for j in range(n):
            s = s + F[r][j] * x[j]
        lp[r] = s
    z = 0.0
    for r in range(rows):
        z = z + fd_exp(lp[r])
    log_z = fd_log(z)
    kx = 0.0
    for j in range(n):
        kx = kx + K[j] * x[j]
    f = log_z - kx
    p = [0.0] * rows
    for r in range(rows):
        p[r] = fd_exp(lp[r] - log_z)
    g = [0.0] * n
    for j in range(n):
        s = 0.0
        for r in range(rows):
            s = s + F[r][j] * p[r]
        g[j] = s - K[j]
    return f, g


def beale(x, params):
    """Beale: (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2."""
    x0 = x[0]
    y = x[1]
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x0 + x0 * y
    t2 = 2.25 - x0 + x0 * y2
    t3 = 2.625 - x0 + x0 * y3
    f = t1 * t1 + t2 * t2 + t3 * t3
    g0 = 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y2 - 1.0) + 2.0 * t3 * (y3 - 1.0)
    g1 = 2.0 * t1 * x0 + 4.0 * t2 * x0 * y + 6.0 * t3 * x0 * y2
    return f, [g0, g1]


PROBLEMS = {
    "driver": driver,
    "rosenbrock": rosenbrock,
    "sphere": sphere,
    "step_scaling": step_scaling,
    "x_plus_exp": x_plus_exp,
    "maxent": maxent,
    "beale": beale,
}


def evaluate(problem, params, x):
    """f and g of problem `problem` at x (any sequence of numbers)."""
    return PROBLEMS[problem]([float(v) for v in x], params)
