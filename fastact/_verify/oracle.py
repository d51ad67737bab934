"""High-precision oracle: the ground truth for the accuracy tests.

A third, independent implementation of every fastact kernel, written with
mpmath as the plain textbook formula (no reformulation tricks), evaluated with
enough decimal digits that its value is correct far beyond float64:

* ``DPS`` (60) significant digits by default;
* more where the textbook formula cancels: x - tanh(x) for small |x|,
  1 + tanh(u) for u << 0 (gelu_tanh), x + sqrt(x^2 + b) for x << 0
  (squareplus).  ``_extra_digits`` says how many, per kernel;
* mpmath's exponent range is unbounded, so tails need no care.

The conventions (kernel names, numeric arguments in catalog order with None as
+inf, one-sided derivatives at kinks) are those of ``fastact/catalog.py`` and
``fastact/_verify/reference_kernels.py``.

API
---
``oracle_forward(K, x, args)``, ``oracle_grad(K, x, args)``,
``oracle_grad_y(K, y, args)``  -> mpmath mpf (x a finite float or NaN).
``oracle_array(K, which, x, args)`` -> float64 array, correctly rounded
(``which`` is "forward", "grad" or "grad_y"); ``oracle_mpf_array`` gives the
unrounded mpf values (object array).
``ulp_error(result, truth, dtype)`` -> errors in ULPs of ``dtype``.
Axis kernels: ``oracle_axis(K, x, axis)``, ``oracle_backward_y(K, g, y,
axis)``, ``oracle_glu_backward(g, x, axis)``.
"""

import math

import mpmath
import numpy as np
from mpmath import mp, mpf

DPS = 60

# Constants are kept as strings and converted at the working precision.
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


GELU_TANH_A = "0.044715"


def _sigmoid(v):
    return 1 / (1 + mp.exp(-v))


def _sigmoid_prime(v):
    # s*(1-s) written as e^-v / (1 + e^-v)^2 (same value, no 1 - s)
    e = mp.exp(-v)
    return e / (1 + e) ** 2


def _gelu_tanh_u(x):
    return mp.sqrt(2 / mp.pi) * (x + mpf(GELU_TANH_A) * x ** 3)


def _gelu_tanh_du(x):
    return mp.sqrt(2 / mp.pi) * (1 + 3 * mpf(GELU_TANH_A) * x ** 2)


def _softplus(x, beta):
    return mp.log1p(mp.exp(beta * x)) / beta


# --- forward -----------------------------------------------------------------
# Each entry: f(x, *args) with mpf x and mpf args (inf for None).

FORWARD = {
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)),
    "log_sigmoid": lambda x: -mp.log1p(mp.exp(-x)),
    "hard_sigmoid": lambda x: min(max(x + 3, 0), 6) / 6,
    "tanh": lambda x: mp.tanh(x),
    "hard_tanh": lambda x, lo, hi: min(max(x, lo), hi),
    "tanh_shrink": lambda x: x - mp.tanh(x),
    "arctan": lambda x: mp.atan(x),
    "softsign": lambda x: x / (1 + abs(x)),
    "relu": lambda x, ns, mv, th: min(x, mv) if x > th else ns * (x - th),
    "relu6": lambda x: min(max(x, 0), 6),
    "leaky_relu": lambda x, ns: x if x > 0 else ns * x,
    "prelu": lambda x, w: x if x > 0 else w * x,
    "threshold": lambda x, th, val: x if x > th else val,
    "elu": lambda x, a: x if x > 0 else a * mp.expm1(x),
    "selu": lambda x: (mpf(SELU_SCALE) * (x if x > 0 else
                                          mpf(SELU_ALPHA) * mp.expm1(x))),
    "celu": lambda x, a: max(0, x) + min(0, a * mp.expm1(x / a)),
    # x * Phi(x); for x < -1e30 the value is below 1e-(10**59): 0.
    "gelu": lambda x: x * mp.ncdf(x) if x > -1e30 else mpf(0),
    "gelu_tanh": lambda x: x / 2 * (1 + mp.tanh(_gelu_tanh_u(x))),
    "silu": lambda x, beta: x * _sigmoid(beta * x),
    "hard_swish": lambda x: x * min(max(x + 3, 0), 6) / 6,
    "mish": lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
    "softplus": lambda x, beta, th: x if beta * x > th else _softplus(x, beta),
    "squareplus": lambda x, b: (x + mp.sqrt(x * x + b)) / 2,
    "sparse_plus": lambda x: (0 if x <= -1 else x if x >= 1
                              else (x + 1) ** 2 / 4),
    "sparse_sigmoid": lambda x: 0 if x <= -1 else 1 if x >= 1 else (x + 1) / 2,
    "soft_shrink": lambda x, lambd: x - lambd if x > lambd else x + lambd if x < -lambd else 0,
    "hard_shrink": lambda x, lambd: x if abs(x) > lambd else 0,
    "exponential": lambda x: mp.exp(x),
    "linear": lambda x: x,
}

# --- derivative f'(x) --------------------------------------------------------

GRAD = {
    "sigmoid": lambda x: _sigmoid_prime(x),
    "log_sigmoid": lambda x: 1 / (1 + mp.exp(x)),
    "hard_sigmoid": lambda x: mpf(1) / 6 if -3 < x < 3 else 0,
    "tanh": lambda x: 1 / mp.cosh(x) ** 2,
    "hard_tanh": lambda x, lo, hi: 1 if lo < x < hi else 0,
    "tanh_shrink": lambda x: mp.tanh(x) ** 2,
    "arctan": lambda x: 1 / (1 + x * x),
    "softsign": lambda x: 1 / (1 + abs(x)) ** 2,
    "relu": lambda x, ns, mv, th: (ns if x <= th else 1 if x < mv else 0),
    "relu6": lambda x: 1 if 0 < x < 6 else 0,
    "leaky_relu": lambda x, ns: 1 if x > 0 else ns,
    "prelu": lambda x, w: 1 if x > 0 else w,
    "threshold": lambda x, th, val: 1 if x > th else 0,
    "elu": lambda x, a: 1 if x > 0 else a * mp.exp(x),
    "selu": lambda x: (mpf(SELU_SCALE) * (1 if x > 0 else
                                          mpf(SELU_ALPHA) * mp.exp(x))),
    "celu": lambda x, a: 1 if x > 0 else mp.exp(x / a),
    "gelu": lambda x: (mp.ncdf(x) + x * mp.npdf(x)) if x > -1e30 else mpf(0),
    "gelu_tanh": lambda x: ((1 + mp.tanh(_gelu_tanh_u(x))) / 2
                            + x / 2 / mp.cosh(_gelu_tanh_u(x)) ** 2
                            * _gelu_tanh_du(x)),
    "silu": lambda x, beta: (_sigmoid(beta * x)
                             + beta * x * _sigmoid_prime(beta * x)),
    "hard_swish": lambda x: (0 if x < -3 else 1 if x > 3 else (2 * x + 3) / 6),
    "mish": lambda x: (mp.tanh(mp.log1p(mp.exp(x)))
                       + x / mp.cosh(mp.log1p(mp.exp(x))) ** 2 * _sigmoid(x)),
    "softplus": lambda x, beta, th: 1 if beta * x > th else _sigmoid(beta * x),
    # b = 0, x = 0: 1/2 by convention (mean of the one-sided 0 and 1)
    "squareplus": lambda x, b: ((1 + x / mp.sqrt(x * x + b)) / 2
                                if x * x + b > 0 else mpf(1) / 2),
    "sparse_plus": lambda x: 0 if x <= -1 else 1 if x >= 1 else (x + 1) / 2,
    "sparse_sigmoid": lambda x: mpf(1) / 2 if -1 < x < 1 else 0,
    "soft_shrink": lambda x, lambd: 1 if (x > lambd or x < -lambd) else 0,
    "hard_shrink": lambda x, lambd: 1 if abs(x) > lambd else 0,
    "exponential": lambda x: mp.exp(x),
    "linear": lambda x: 1,
}

# --- derivative written through the output y ----------------------------------

GRAD_Y = {
    "sigmoid": lambda y: y * (1 - y),
    "log_sigmoid": lambda y: -mp.expm1(y),          # 1 - exp(y)
    "tanh": lambda y: 1 - y * y,
    "hard_tanh": lambda y, lo, hi: 1 if lo < y < hi else 0,
    "softsign": lambda y: (1 - abs(y)) ** 2,
    "relu": lambda y, ns, mv, th: ns if y <= 0 else 1 if y < mv else 0,
    "relu6": lambda y: 1 if 0 < y < 6 else 0,
    "leaky_relu": lambda y, ns: 1 if y > 0 else ns,
    "elu": lambda y, a: 1 if y > 0 else y + a,
    "selu": lambda y: (mpf(SELU_SCALE) if y > 0
                       else y + mpf(SELU_SCALE) * mpf(SELU_ALPHA)),
    "celu": lambda y, a: 1 if y > 0 else y / a + 1,
    "softplus": lambda y, beta, th: (1 if beta * y > th
                                     else -mp.expm1(-beta * y)),
    "exponential": lambda y: y,
    "linear": lambda y: 1,
}

TABLES = {"forward": FORWARD, "grad": GRAD, "grad_y": GRAD_Y}


def _extra_digits(K, which, x, args):
    """Digits the textbook formula loses to cancellation at x."""
    ax = abs(x)
    if K == "tanh_shrink" and which == "forward" and 0 < ax < 1:
        return int(-2 * mp.log10(ax)) + 5          # x - tanh x ~ x^3/3
    if K == "gelu_tanh" and which in ("forward", "grad"):
        u = _gelu_tanh_u(x)
        if u < 0:                                   # 1 + tanh(u) ~ 2 e^(2u)
            # capped: beyond, the true value is < 1e-1100 (rounds to 0)
            return int(min(-u * 0.8686 + 10, 1300))
    if K == "squareplus" and which in ("forward", "grad") and x < 0:
        b = args[0]
        if b > 0 and ax * ax > b:                   # x + sqrt(x^2+b) ~ b/2|x|
            return int(mp.log10(ax * ax / b)) + 5
    return 0


def _evaluate(K, which, x, args, extra=0):
    table = TABLES[which]
    if K not in table:
        raise KeyError(f"oracle: no {which} formula for {K!r}")
    x = mpf(float(x))
    if mp.isnan(x):
        return mpf("nan")
    if mp.isinf(x):
        raise ValueError("oracle: defined for finite x only (test limits "
                         "explicitly)")
    args = tuple(mpf(float(a)) for a in args)
    with mp.workdps(DPS + 10):
        digits = DPS + _extra_digits(K, which, x, args) + extra
    with mp.workdps(digits):
        r = table[K](x, *args)
        return mpf(r)


def oracle_forward(K, x, args=()):
    """f(x) for kernel K as an mpf (textbook formula, high precision)."""
    return _evaluate(K, "forward", x, args)


def oracle_grad(K, x, args=()):
    """f'(x) for kernel K as an mpf."""
    return _evaluate(K, "grad", x, args)


def oracle_grad_y(K, y, args=()):
    """f' written through the output y (the kernel's grad_y formula), as mpf."""
    return _evaluate(K, "grad_y", y, args)


# --- rounding -------------------------------------------------------------------

_FORMATS = {
    np.dtype(np.float64): (53, -1022, 1024),   # precision, emin, emax
    np.dtype(np.float32): (24, -126, 128),
}


def round_to(v, dtype=np.float64):
    """Correctly rounded (nearest, ties to even) value of mpf v in dtype."""
    dtype = np.dtype(dtype)
    p, emin, emax = _FORMATS[dtype]
    v = mpf(v)
    if mp.isnan(v):
        return dtype.type(np.nan)
    if mp.isinf(v):
        return dtype.type(float(v))
    if v == 0:
        return dtype.type(0.0)
    # exponent e with 2^e <= |v| < 2^(e+1)
    e = v.exp + int(v.man).bit_length() - 1
    q = max(e, emin) - p + 1                     # spacing at v
    with mp.workprec(max(int(v.man).bit_length(), p) + 8):
        n = mpmath.nint(mpmath.ldexp(v, -q))      # exact shift; ties to even
    if abs(n) >= 2 ** p and e >= emax - 1 or e >= emax:
        return dtype.type(math.copysign(math.inf, float(mpmath.sign(v))))
    return dtype.type(math.ldexp(float(int(n)), q))


def _ulp(v, dtype):
    """Spacing of dtype at the binade of |v| (subnormal spacing below)."""
    p, emin, _ = _FORMATS[np.dtype(dtype)]
    if v == 0:
        return mpmath.ldexp(1, emin - p + 1)
    e = v.exp + int(v.man).bit_length() - 1
    return mpmath.ldexp(1, max(e, emin) - p + 1)


def oracle_mpf_array(K, which, x, args=()):
    """Unrounded oracle values (object array of mpf), same shape as x."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(x.shape, dtype=object)
    for idx, xi in np.ndenumerate(x):
        out[idx] = _evaluate(K, which, xi, args)
    return out


def oracle_array(K, which, x, args=()):
    """Correctly rounded float64 oracle values, same shape as x."""
    vals = oracle_mpf_array(K, which, x, args)
    out = np.empty(vals.shape, dtype=np.float64)
    for idx, v in np.ndenumerate(vals):
        out[idx] = round_to(v, np.float64)
    return out


def ulp_error(result, truth, dtype):
    """|result - truth| in ULPs of dtype, at the truth's binade.

    ``truth`` is an object array of mpf (exact) or a float array (e.g. a
    correctly rounded float64 oracle).  Both NaN, or the same infinity: 0.
    Exactly one NaN, or different infinities: inf.  An infinite result where
    the (finite) truth rounds to that infinity in dtype: 0.
    """
    dtype = np.dtype(dtype)
    result = np.asarray(result)
    truth = np.asarray(truth)
    result, truth = np.broadcast_arrays(result, truth)
    err = np.empty(result.shape, dtype=np.float64)
    with mp.workdps(DPS):
        for idx in np.ndindex(result.shape):
            r = float(result[idx])
            t = truth[idx]
            t = mpf(t) if not isinstance(t, mpf) else t
            rn, tn = math.isnan(r), bool(mp.isnan(t))
            if rn or tn:
                err[idx] = 0.0 if (rn and tn) else math.inf
                continue
            if math.isinf(r) or mp.isinf(t):
                same = (float(round_to(t, dtype)) == r)
                err[idx] = 0.0 if same else math.inf
                continue
            err[idx] = float(abs(mpf(r) - t) / _ulp(t, dtype))
    return err


# --- axis kernels ---------------------------------------------------------------

def _row_softmax(row):
    # softmax_i = 1 / sum_j exp(x_j - x_i)   (textbook, exact differences)
    x = [mpf(float(v)) for v in row]
    return [1 / mp.fsum(mp.exp(xj - xi) for xj in x) for xi in x]


def _row_log_softmax(row):
    # log_softmax_i = -log(sum_j exp(x_j - x_i)) = -log1p(sum_{j != i} ...)
    x = [mpf(float(v)) for v in row]
    out = []
    for i, xi in enumerate(x):
        rest = mp.fsum(mp.exp(xj - xi) for j, xj in enumerate(x) if j != i)
        out.append(-mp.log1p(rest))
    return out


def _row_softmin(row):
    return _row_softmax([-float(v) for v in row])


_ROWS = {"softmax": _row_softmax, "log_softmax": _row_log_softmax,
         "softmin": _row_softmin}


def _apply_rows(fn, arrays, axis, rounded=True):
    """Apply fn(row1, row2, ...) -> list of mpf along axis of finite arrays."""
    arrays = [np.moveaxis(np.asarray(a, dtype=np.float64), axis, -1)
              for a in arrays]
    shape = arrays[0].shape
    rows = {}
    with mp.workdps(DPS):
        for idx in np.ndindex(shape[:-1]):
            rows[idx] = fn(*[a[idx] for a in arrays])
    length = len(next(iter(rows.values()))) if rows else shape[-1]
    out = np.empty(shape[:-1] + (length,),
                   dtype=np.float64 if rounded else object)
    for idx, vals in rows.items():
        for k, v in enumerate(vals):
            out[idx + (k,)] = round_to(v) if rounded else v
    return np.moveaxis(out, -1, axis)


def oracle_axis(K, x, axis=-1, rounded=True):
    """softmax / log_softmax / softmin / glu of a finite array."""
    if K == "glu":
        def row(r):
            n = len(r) // 2
            return [mpf(float(a)) * _sigmoid(mpf(float(b)))
                    for a, b in zip(r[:n], r[n:])]
        return _apply_rows(row, [x], axis, rounded)
    return _apply_rows(_ROWS[K], [x], axis, rounded)


def oracle_backward_y(K, g, y, axis=-1, rounded=True):
    """Exact value of the backward-from-output formula at the given g, y."""
    def row(gr, yr):
        g_ = [mpf(float(v)) for v in gr]
        y_ = [mpf(float(v)) for v in yr]
        if K == "softmax":
            s = mp.fsum(a * b for a, b in zip(g_, y_))
            return [b * (a - s) for a, b in zip(g_, y_)]
        if K == "softmin":
            s = mp.fsum(a * b for a, b in zip(g_, y_))
            return [b * (s - a) for a, b in zip(g_, y_)]
        if K == "log_softmax":
            s = mp.fsum(g_)
            return [a - mp.exp(b) * s for a, b in zip(g_, y_)]
        raise KeyError(K)
    return _apply_rows(row, [g, y], axis, rounded)


def oracle_glu_backward(g, x, axis=-1, rounded=True):
    """dL/dx of glu: [g*s(b), g*a*s(b)*(1-s(b))] along axis."""
    x = np.asarray(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    n = x.shape[axis] // 2
    gx = np.concatenate([g, g], axis=axis)

    def row(gr, xr):
        out = []
        for k in range(n):
            gk, a, b = (mpf(float(gr[k])), mpf(float(xr[k])),
                        mpf(float(xr[n + k])))
            out.append(gk * _sigmoid(b))
        for k in range(n):
            gk, a, b = (mpf(float(gr[k])), mpf(float(xr[k])),
                        mpf(float(xr[n + k])))
            out.append(gk * a * _sigmoid_prime(b))
        return out
    return _apply_rows(row, [gx, x], axis, rounded)
