"""Pure-NumPy reference kernels: the element formulas of every C kernel.

This module is the second, independent implementation of each kernel named in
``fastact/catalog.py`` (the first being the C element formulas); the tests
compare the two, and both against an mpmath oracle (``fastact/_verify/oracle.py``).
It imports NumPy only (plus the standard library) and no compiled fastact
code, so it works before anything is built.

Conventions
-----------
* For each elementwise C kernel ``K`` with numeric arguments ``a, b, ...``
  (the row's numeric parameters in catalog order; a parameter that may be
  ``None`` arrives as ``+inf``):

  - ``K(x, a, b)``         forward f(x);
  - ``K_grad(x, a, b)``    derivative f'(x);
  - ``K_grad_y(y, a, b)``  f' written through the output y = f(x), for the
    kernels that have it.

  Axis kernels provide ``K(x, axis)`` and ``K_backward_y(g, y, axis)``
  (dL/dx from dL/dy = g and the forward output y); ``glu`` provides
  ``glu(x, axis)`` and ``glu_backward(g, x, axis)``.  ``prelu(x, w)`` takes
  the weight array (broadcast against x) and has ``prelu_grad`` (d/dx) and
  ``prelu_grad_weight`` (d/dw, not reduced).
* Inputs are float32 or float64 arrays (0-d allowed).  Every kernel computes
  in float64 and rounds once to the input dtype, so float32 results are within
  ~0.5 ULP (plus the tiny float64 error) of the truth; float64 results are
  within a few ULP (measured by ``tests/test_reference_kernels.py``).  The
  result is always a new array of the input dtype (float64 for other dtypes).
* Numeric arguments are used as the float64 values given (for float32 inputs
  they are *not* rounded to float32 first), and comparisons with them
  (thresholds, clip bounds) are done in float64.
* No floating-point warnings are raised: work is done under
  ``np.errstate(all="ignore")`` and every branch is written so that the value
  selected is the mathematical value or limit (sigmoid(-1000) = 0,
  softplus(1000) = 1000, exp(1000) = inf, ±inf -> the limit).
* NaN in -> NaN out, for forward functions and for derivatives alike.
* At a kink the derivative is the one-sided value PyTorch uses (relu'(0) = 0);
  the exact convention is written next to each function.
* Signed zeros: a saturated ("flat") branch returns +0.0 (relu(-5), relu6,
  hard_sigmoid, hard_swish for x <= -3, sparse_plus, shrinks, threshold with
  value 0, leaky/prelu with slope 0); functions that are odd near 0 or whose
  formula is ``c * x`` near 0 keep the sign of -0.0 (tanh, arctan, softsign,
  tanh_shrink, hard_tanh, elu, selu, celu, gelu, silu, mish, leaky_relu with
  slope > 0, linear).  The tails of gelu/silu/mish/gelu_tanh at x = -inf give
  -0.0 (the limit from below).

Numerical techniques used throughout
------------------------------------
* ``exp(x) - 1`` is always ``np.expm1``; ``log(1 + t)`` is ``np.log1p``;
  softplus-like terms are ``max(v, 0) + log1p(exp(-|v|))``.
* Logistic terms use ``e = exp(-|v|)`` and symmetry, so exp never overflows.
* A product ``beta * x`` (or ``x / alpha``, ``x * x``) that feeds an
  exponential is carried as an unevaluated sum hi + lo (Dekker's exact
  product, Veltkamp splitting); exp(hi + lo) = exp(hi) * (1 + lo).  Without
  this the rounding of the argument alone costs |v| * 2**-53 relative error,
  i.e. hundreds of ULP when |v| ~ 700.
* ``m * exp(v)`` where exp(v) underflows to a subnormal but the product is a
  normal number (e.g. x * sigmoid(x) near x = -710) is evaluated as
  ``(m * exp(v + 128)) * 2**-128`` (see ``_exp_mul``).
* erf/erfc are implemented here in NumPy from two classical expansions, with
  no fitted coefficients: the Maclaurin series of erf (A&S 7.1.5, DLMF
  7.6.1) for |x| < 0.5, and Laplace's continued fraction for
  erfc(x) * exp(x^2) (DLMF 7.9.2, A&S 7.1.14) for x >= 0.5.  The
  ``exp(-x*x)`` factor is computed from the exact square x*x = hi + lo, so
  erfc keeps its relative accuracy in the right tail down to the subnormals
  (measured errors: see the erf section below).
* Derivatives that cross zero inside their domain (silu, gelu, gelu_tanh,
  mish) are evaluated near the zero from their Taylor series about it, with
  the coefficients computed exactly at import (see "Derivatives through a
  zero"), so they stay relatively accurate right through the zero.
* Sums along an axis (softmax and friends) are done with an exact two-sum
  cascade, not np.sum, whose accuracy depends on the memory layout.
"""

import functools
import math
from decimal import Context, Decimal, getcontext, localcontext
from fractions import Fraction

import numpy as np

__all__ = []  # module-level kernel functions; see the docstring for names

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


# ---------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------

def _out_dtype(*arrays):
    dt = np.result_type(*arrays)
    return dt if dt in _FLOATS else np.dtype(np.float64)


def _elementwise(fn):
    """Compute ``fn`` in float64 without warnings; return the input dtype."""

    @functools.wraps(fn)
    def wrapper(x, *args):
        x = np.asarray(x)
        dt = _out_dtype(x)
        with np.errstate(all="ignore"):
            r = fn(x.astype(np.float64), *[float(a) for a in args])
            return np.array(r, dtype=dt)

    __all__.append(fn.__name__)
    return wrapper


def _public(fn):
    __all__.append(fn.__name__)
    return fn


def _keep_nan(x, r):
    """NaN where x is NaN (every kernel maps NaN to NaN)."""
    return np.where(np.isnan(x), x, r)


def _dd_const(text):
    """A decimal constant as an unevaluated float64 sum hi + lo."""
    getcontext().prec = 60
    d = Decimal(text)
    hi = float(d)
    lo = float(d - Decimal(hi))
    return hi, lo


# --- exact arithmetic helpers (Dekker / Knuth) ------------------------------

_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's splitting constant


def _split(a):
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _finite_or_zero(e):
    return np.where(np.isfinite(e), e, 0.0)


def _two_prod(a, b):
    """p + e == a * b exactly (p = fl(a*b)); e is 0 where a split overflows."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, _finite_or_zero(e)


def _two_sum(a, b):
    """s + e == a + b exactly (s = fl(a+b))."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, _finite_or_zero(e)


def _dd_mul(ah, al, bh, bl):
    p, e = _two_prod(ah, bh)
    e = e + _finite_or_zero(ah * bl + al * bh)
    s = p + e
    return s, _finite_or_zero(e - (s - p))


def _dd_add(ah, al, bh, bl):
    s, e = _two_sum(ah, bh)
    e = e + (al + bl)
    t = s + e
    return t, _finite_or_zero(e - (t - s))


# ln 2 = _LN2_HI + _LN2_LO, _LN2_HI = ln 2 rounded down to a multiple of
# 2**-32 (32 significant bits), so 128*_LN2_HI added to any v in
# (-1024, -512] is exact.
_LN2 = Decimal(2).ln(Context(prec=60))
_LN2_HI = math.floor(_LN2 * 2 ** 32) / 2.0 ** 32
_LN2_LO = float(_LN2 - Decimal(_LN2_HI))
_EXP_SHIFT = 128.0 * _LN2_HI          # exp(v + _EXP_SHIFT) = exp(v) * 2**128
_EXP_SHIFT_FIX = float(np.exp(128.0 * _LN2_LO))   # ... / exp(128 * _LN2_LO)


def _exp_mul(v, m):
    """m * exp(v), also where exp(v) is subnormal but the product is not.

    For v < -600 the exponential is taken at v + 128*ln2_hi (an exact sum),
    i.e. exp(v) * 2**128 / exp(128*ln2_lo), and the product is scaled back by
    2**-128, so the only rounding onto the subnormal grid is the final one.
    """
    low = v < -600.0
    e = np.exp(np.where(low, v + _EXP_SHIFT, v))
    r = m * np.where(low, e * _EXP_SHIFT_FIX, e)
    return np.where(low, r * 2.0 ** -128, r)


# --- logistic helpers -------------------------------------------------------

def _sigmoid64(x):
    # 1/(1+e) for x >= 0, e/(1+e) for x < 0, e = exp(-|x|): never overflows.
    e = np.exp(-np.abs(x))
    d = 1.0 + e
    return np.where(x >= 0, 1.0 / d, e / d)


def _prod_for_exp(a, b):
    """a*b = vh + vl for use as an exponent: vl is zeroed where |vh| > 2**40
    (exp(vh) is then 0 or inf anyway, and vl need not be small)."""
    vh, vl = _two_prod(a, b)
    return vh, np.where(np.abs(vh) < 2.0 ** 40, vl, 0.0)


def _exp_neg_abs_dd(vh, vl):
    """exp(-|v|) for v = vh + vl (vl applied as a first-order correction)."""
    a_lo = np.where(vh < 0, vl, -vl)
    e = np.exp(-np.abs(vh))
    return e + e * a_lo


# ---------------------------------------------------------------------------
# erf / erfc, from two classical expansions (no fitted coefficients):
#
#   (S)  erf(x) = 2/sqrt(pi) * sum_{n>=0} (-1)^n x^(2n+1) / (n! (2n+1))
#        (Maclaurin series, A&S 7.1.5 / DLMF 7.6.1), used for |x| < 0.5 only:
#        there x^2 < 1/4, so 14 terms suffice and the alternating sum cannot
#        cancel (it stays within [0.92, 1] of its first term).
#   (CF) erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
#        (Laplace's continued fraction, A&S 7.1.14 / DLMF 7.9.2),
#        x > 0.  It converges for every x > 0 but slowly near 0 (about
#        200/x^2 terms), hence x >= 0.5.  Evaluated from the innermost term
#        outwards: all partial denominators are positive, so rounding errors
#        are damped, not amplified.
#
# Both functions switch at |x| = 0.5.  erfc = 1 - erf by (S) below it (the
# series is kept as a double-float sum, so 1 - erf rounds once; erf < 0.53);
# erf = 1 - erfc by (CF) above it (erfc < 0.48 < erf: erfc's error, counted
# in ULPs of erf, is at least halved).  The factor exp(-x^2) uses the exact square
# x*x = hi + lo.  Measured against mpmath (40 digits, ~80000 points over
# [-30, 30], dense near the switch, tiny |x| down to 5e-324): erf <= 1.6 ULP,
# erfc <= 2.3 ULP (< 3e-16 relative) while erfc(x) is a normal number
# (x < 26.55), and within 1 ULP of the subnormal grid beyond.
# ---------------------------------------------------------------------------

_TWO_RSQRT_PI_HI, _TWO_RSQRT_PI_LO = _dd_const(   # 2/sqrt(pi)
    "1.128379167095512573896158903121545171688101258658")
_RSQRT_PI_HI, _RSQRT_PI_LO = _dd_const(           # 1/sqrt(pi)
    "0.564189583547756286948079451560772585844050629329")

# (S) coefficients (-1)^n / (n! (2n+1)), n = 1..13: for x^2 < 1/4 the first
# omitted term is < 0.25**14 / (14! * 29) < 1e-20.
_ERF_SERIES = tuple(float(Fraction((-1) ** n, math.factorial(n) * (2 * n + 1)))
                    for n in range(1, 14))

# (CF) terms needed for a truncation error < 2**-60 at the left end of each
# band of x (counted against mpmath; the error shrinks as x grows), rounded up.
_CF_BANDS = ((0.5, 930), (0.75, 425), (1.0, 245), (1.5, 115), (2.0, 70),
             (3.0, 40), (4.0, 25), (6.0, 16), (10.0, 12))


def _poly(z, coeffs):
    """Horner: coeffs[0] + coeffs[1]*z + ..."""
    r = np.full_like(z, coeffs[-1])
    for c in coeffs[-2::-1]:
        r = r * z + c
    return r


def _erf_series(a):
    """erf(a) = hi + lo (unevaluated) for 0 <= a < 0.5, by (S)."""
    y = a * a
    q = _poly(y, _ERF_SERIES)
    hi, lo = _two_prod(_TWO_RSQRT_PI_HI, a)            # 2a/sqrt(pi) ...
    return hi, lo + _TWO_RSQRT_PI_LO * a + hi * (y * q)  # ... * (1 + y*q)


def _erfc_g_dd(t):
    """G(t) = erfc(t) * exp(t*t) = hi + lo for t >= 0.5 (NaN elsewhere), by (CF).

    Each band of t gets the number of terms its left end needs.  The last
    step, G = (1/sqrt(pi)) / (t + q), is done with an exact sum and a
    corrected quotient, so G is off by little more than the error of q.
    """
    t = np.asarray(t, dtype=np.float64)
    g_hi = np.full(t.shape, np.nan)
    g_lo = np.zeros(t.shape)
    for i, (lo, nterms) in enumerate(_CF_BANDS):
        m = t >= lo
        if i + 1 < len(_CF_BANDS):
            m &= t < _CF_BANDS[i + 1][0]
        tb = t[m]
        d = tb.copy()
        for k in range(nterms, 1, -1):
            d = tb + (0.5 * k) / d
        dh, dl = _two_sum(tb, 0.5 / d)                 # t + q exactly
        r = _RSQRT_PI_HI / dh
        p, pe = _two_prod(r, dh)
        rem = ((_RSQRT_PI_HI - p) - pe + _RSQRT_PI_LO - r * dl) / dh
        g_hi[m] = r                                    # t = inf: G = 0
        g_lo[m] = _finite_or_zero(rem)
    return g_hi, g_lo


def _erfc_g(t):
    """G(t) = erfc(t) * exp(t*t) for t >= 0.5 (NaN elsewhere)."""
    hi, lo = _erfc_g_dd(t)
    return hi + lo


def _erfc_cf(t):
    """erfc(t) for t >= 0.5 (NaN elsewhere): exp(-t*t) * G(t).

    With t*t = s + sl exactly, exp(-t*t) = exp(-s) * (1 - sl); the factor
    (1 - sl) and, where exp(-s) would be subnormal, the factor
    exp(128 * _LN2_LO) of the 2**128 rescaling (as in ``_exp_mul``) are
    folded into G with a single rounding; erfc keeps its relative accuracy
    until the result itself is subnormal (t > 26.55).
    """
    s, sl = _prod_for_exp(t, t)
    low = s > 600.0
    f = np.where(low, _EXP_SHIFT_FIX, 1.0)
    g_hi, g_lo = _erfc_g_dd(t)
    p, pe = _two_prod(g_hi, f)
    m = p + (pe + g_lo * f - p * sl)
    e = np.exp(np.where(low, _EXP_SHIFT - s, -s))
    return np.where(low, (e * m) * 2.0 ** -128, e * m)


def _erfc_small(t):
    """erfc(t) for t >= 0 (used for 0 <= t < 1.25 by gelu); NaN -> NaN."""
    hi, lo = _erf_series(np.where(t < 0.5, t, 0.0))
    s, se = _two_sum(1.0, -hi)
    return np.where(t < 0.5, s + (se - lo), _erfc_cf(t))


def _erf(x):
    """erf(x) in float64: (S) for |x| < 0.5, 1 - erfc(|x|) by (CF) beyond."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        a = np.abs(x)
        hi, lo = _erf_series(np.where(a < 0.5, a, 0.0))
        big = 1.0 - _erfc_cf(a)             # NaN for a < 0.5; a = inf -> 1
        r = np.where(a < 0.5, hi + lo, big)
        return np.copysign(r, x)            # odd; keeps -0.0, NaN stays NaN


def _erfc(x):
    """erfc(x) in float64, with relative accuracy also in the right tail.

    x < 0 uses erfc(x) = 2 - erfc(-x) (DLMF 7.4.2), = 1 + erf(-x) by (S).
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        a = np.abs(x)
        hi, lo = _erf_series(np.where(a < 0.5, a, 0.0))
        s, se = _two_sum(1.0, np.where(x < 0, hi, -hi))
        small = s + (se + np.where(x < 0, lo, -lo))     # 1 -+ erf(|x|)
        cf = _erfc_cf(a)                    # NaN for a < 0.5 and for NaN
        big = np.where(x < 0, 2.0 - cf, cf)
        return np.where(a < 0.5, small, big)


# ---------------------------------------------------------------------------
# Sigmoid family
# ---------------------------------------------------------------------------

@_elementwise
def sigmoid(x):
    # 1/(1+e) or e/(1+e) with e = exp(-|x|): no overflow, relative accuracy.
    return _sigmoid64(x)


@_elementwise
def sigmoid_grad(x):
    # s*(1-s) = e/(1+e)^2, e = exp(-|x|): no cancellation in 1 - s.
    e = np.exp(-np.abs(x))
    return e / ((1.0 + e) * (1.0 + e))


@_elementwise
def sigmoid_grad_y(y):
    # y*(1-y): 1-y is exact for y >= 1/2 (Sterbenz).
    return y * (1.0 - y)


@_elementwise
def log_sigmoid(x):
    # -(max(-x,0) + log1p(exp(-|x|))): the two terms never cancel, and a
    # result that underflows is -0 (log_sigmoid < 0 everywhere).
    return -(np.maximum(-x, 0.0) + np.log1p(np.exp(-np.abs(x))))


@_elementwise
def log_sigmoid_grad(x):
    # sigmoid(-x) via exp(-|x|) and symmetry.
    e = np.exp(-np.abs(x))
    d = 1.0 + e
    return np.where(x >= 0, e / d, 1.0 / d)


@_elementwise
def log_sigmoid_grad_y(y):
    # 1 - sigmoid(x) = 1 - exp(y) = -expm1(y).
    return -np.expm1(y)


@_elementwise
def hard_sigmoid(x):
    # relu6(x+3)/6; x+3 carried exactly as s+e (two-sum), so one rounding.
    s, e = _two_sum(x, 3.0)
    mid = s / 6.0 + e / 6.0
    r = np.where(x <= -3.0, 0.0, np.where(x >= 3.0, 1.0, mid))
    return _keep_nan(x, r)


@_elementwise
def hard_sigmoid_grad(x):
    # 1/6 on the open interval (-3, 3), 0 elsewhere (kinks take 0).
    return _keep_nan(x, np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0))


# ---------------------------------------------------------------------------
# tanh family
# ---------------------------------------------------------------------------

@_elementwise
def tanh(x):
    # NumPy's tanh (<= ~1 ULP measured).
    return np.tanh(x)


@_elementwise
def tanh_grad(x):
    # 1 - tanh^2 = 4e/(1+e)^2, e = exp(-2|x|): no cancellation for large |x|.
    e = np.exp(-2.0 * np.abs(x))
    return (4.0 * e) / ((1.0 + e) * (1.0 + e))


@_elementwise
def tanh_grad_y(y):
    # (1-y)(1+y) rather than 1 - y*y: each factor exact or nearly so.
    return (1.0 - y) * (1.0 + y)


@_elementwise
def hard_tanh(x, min_val, max_val):
    # clip(x, min_val, max_val), NaN kept.
    r = np.where(x < min_val, min_val, np.where(x > max_val, max_val, x))
    return _keep_nan(x, r)


@_elementwise
def hard_tanh_grad(x, min_val, max_val):
    # 1 on the open interval (min_val, max_val), 0 elsewhere.
    return _keep_nan(x, np.where((x > min_val) & (x < max_val), 1.0, 0.0))


@_elementwise
def hard_tanh_grad_y(y, min_val, max_val):
    # Same test on the output (the clip bounds are the saturated values).
    return _keep_nan(y, np.where((y > min_val) & (y < max_val), 1.0, 0.0))


def _tanh_taylor(nterms):
    """Exact Taylor coefficients c_1, c_3, ... of tanh (tanh' = 1 - tanh^2)."""
    c = [Fraction(0)] * (2 * nterms + 2)
    c[1] = Fraction(1)
    for k in range(1, 2 * nterms + 1):
        # (k+1) c_{k+1} = [k == 0] - sum_{i+j=k} c_i c_j
        acc = sum((c[i] * c[k - i] for i in range(k + 1)), Fraction(0))
        c[k + 1] = -acc / (k + 1)
    return [c[k] for k in range(1, 2 * nterms + 2, 2)]


# x - tanh(x) = x^3 * sum_j A_j x^(2j), A_j = -c_{2j+3}; the series converges
# for |x| < pi/2 with ratio (2|x|/pi)^2 <= 0.41 on |x| < 1: 48 terms reach
# 2**-60 relative there.
_TANHSHRINK_SERIES = tuple(float(-c) for c in _tanh_taylor(49)[1:])


@_elementwise
def tanh_shrink(x):
    # |x| < 1: Taylor series of x - tanh(x) (the subtraction would cancel);
    # |x| >= 1: (|x| - 1) + 2e/(1+e), e = exp(-2|x|), two positive terms.
    a = np.abs(x)
    z = a * a
    series = (a * z) * _poly(z, _TANHSHRINK_SERIES)
    e = np.exp(-2.0 * a)
    direct = (a - 1.0) + (2.0 * e) / (1.0 + e)
    r = np.where(a < 1.0, series, direct)
    return _keep_nan(x, np.copysign(r, x))


@_elementwise
def tanh_shrink_grad(x):
    # d/dx (x - tanh x) = tanh(x)^2.
    t = np.tanh(x)
    return t * t


@_elementwise
def arctan(x):
    # NumPy's arctan (libm).
    return np.arctan(x)


@_elementwise
def arctan_grad(x):
    # 1/(1+x^2); for |x| > 1e100, (1/x)/x so that x^2 cannot overflow.
    small = 1.0 / (1.0 + x * x)
    big = (1.0 / x) / x
    return np.where(np.abs(x) > 1e100, big, small)


@_elementwise
def softsign(x):
    # x/(1+|x|); the infinite limit is sign(x) (inf/inf would be NaN).
    r = x / (1.0 + np.abs(x))
    return np.where(np.isinf(x), np.sign(x), r)


@_elementwise
def softsign_grad(x):
    # 1/(1+|x|)^2 as (1/d)/d: no overflow of d*d for huge |x|.
    d = 1.0 + np.abs(x)
    return (1.0 / d) / d


@_elementwise
def softsign_grad_y(y):
    # (1-|y|)^2 since 1 - |y| = 1/(1+|x|).
    t = 1.0 - np.abs(y)
    return t * t


# ---------------------------------------------------------------------------
# ReLU family
# ---------------------------------------------------------------------------

def _slope_times(slope, s, e):
    """slope * (s + e) rounded once (nearly); slope 0 gives +0 (no 0*inf)."""
    if slope == 0.0:
        return np.zeros_like(s)
    return slope * s + slope * e


@_elementwise
def relu(x, negative_slope, max_value, threshold):
    # Keras 3: min(x, max_value) if x > threshold else
    # negative_slope*(x - threshold); x - threshold carried exactly.
    s, e = _two_sum(x, -threshold)
    neg = _slope_times(negative_slope, s, e)
    r = np.where(x > threshold, np.minimum(x, max_value), neg)
    return _keep_nan(x, r)


@_elementwise
def relu_grad(x, negative_slope, max_value, threshold):
    # 1 on threshold < x < max_value, 0 for x >= max_value (> threshold),
    # negative_slope for x <= threshold.  max_value = +inf never saturates
    # (so relu'(+inf) = 1 in that case).
    sat = (x >= max_value) & (max_value != np.inf)
    r = np.where(x > threshold, np.where(sat, 0.0, 1.0), negative_slope)
    return _keep_nan(x, r)


@_elementwise
def relu_grad_y(y, negative_slope, max_value, threshold):
    # negative_slope for y <= 0, 1 for 0 < y < max_value, 0 for y >= max_value
    # (valid when slope >= 0, threshold >= 0 and max_value > 0).
    sat = (y >= max_value) & (max_value != np.inf)
    r = np.where(y > 0, np.where(sat, 0.0, 1.0), negative_slope)
    return _keep_nan(y, r)


@_elementwise
def relu6(x):
    # min(max(x, 0), 6); exact.
    return _keep_nan(x, np.where(x > 0, np.minimum(x, 6.0), 0.0))


@_elementwise
def relu6_grad(x):
    # 1 on the open interval (0, 6), else 0.
    return _keep_nan(x, np.where((x > 0) & (x < 6.0), 1.0, 0.0))


@_elementwise
def relu6_grad_y(y):
    # Same test on the output.
    return _keep_nan(y, np.where((y > 0) & (y < 6.0), 1.0, 0.0))


@_elementwise
def leaky_relu(x, negative_slope):
    # x if x > 0 else slope*x (one rounding; slope 0 gives +0, also at -inf).
    neg = np.zeros_like(x) if negative_slope == 0.0 else negative_slope * x
    return _keep_nan(x, np.where(x > 0, x, neg))


@_elementwise
def leaky_relu_grad(x, negative_slope):
    # 1 if x > 0 else slope (leaky_relu'(0) = slope).
    return _keep_nan(x, np.where(x > 0, 1.0, negative_slope))


@_elementwise
def leaky_relu_grad_y(y, negative_slope):
    # 1 if y > 0 else slope (valid for slope >= 0).
    return _keep_nan(y, np.where(y > 0, 1.0, negative_slope))


def _prelu_args(x, w):
    x = np.asarray(x)
    w = np.asarray(w)
    dt = _out_dtype(x)
    return (x.astype(np.float64), w.astype(np.float64), dt)


def _prelu_full(r, x, w, dt):
    """r at the broadcast shape of x and w, in the output dtype."""
    return np.array(np.broadcast_to(r, np.broadcast_shapes(x.shape, w.shape)), dtype=dt)


@_public
def prelu(x, w):
    """x if x > 0 else w*x, w broadcast against x (w = 0 gives +0)."""
    x, w, dt = _prelu_args(x, w)
    with np.errstate(all="ignore"):
        neg = np.where(w == 0.0, 0.0, w * x)
        r = _keep_nan(x, np.where(x > 0, x, neg))
        return np.array(r, dtype=dt)


@_public
def prelu_grad(x, w):
    """d/dx: 1 if x > 0 else w (broadcast shape)."""
    x, w, dt = _prelu_args(x, w)
    with np.errstate(all="ignore"):
        return _prelu_full(_keep_nan(x, np.where(x > 0, 1.0, w)), x, w, dt)


@_public
def prelu_grad_weight(x, w):
    """d/dw elementwise (not reduced over broadcast axes): 0 if x > 0 else x."""
    x, w, dt = _prelu_args(x, w)
    with np.errstate(all="ignore"):
        return _prelu_full(_keep_nan(x, np.where(x > 0, 0.0, x)), x, w, dt)


@_elementwise
def threshold(x, threshold, value):
    # PyTorch: x if x > threshold else value; written as "x <= threshold ?
    # value : x" so that NaN gives NaN as in PyTorch.
    return np.where(x <= threshold, value, x)


@_elementwise
def threshold_grad(x, threshold, value):
    # 1 if x > threshold else 0.
    return _keep_nan(x, np.where(x > threshold, 1.0, 0.0))


# ---------------------------------------------------------------------------
# Exponential linear units
# ---------------------------------------------------------------------------

@_elementwise
def elu(x, alpha):
    # x if x > 0 else alpha*expm1(x) (expm1: no cancellation near 0).
    return np.where(x > 0, x, alpha * np.expm1(x))


@_elementwise
def elu_grad(x, alpha):
    # 1 if x > 0 else alpha*exp(x) (elu'(0) = alpha).
    return np.where(x > 0, 1.0, alpha * np.exp(x))


@_elementwise
def elu_grad_y(y, alpha):
    # 1 if y > 0 else y + alpha (= alpha*exp(x)); valid for alpha > 0.
    return np.where(y > 0, 1.0, y + alpha)


_SELU_ALPHA = "1.6732632423543772848170429916717"
_SELU_SCALE = "1.0507009873554804934193349852946"
_SCALE_HI, _SCALE_LO = _dd_const(_SELU_SCALE)
getcontext().prec = 60
_SA_HI, _SA_LO = _dd_const(str(Decimal(_SELU_ALPHA) * Decimal(_SELU_SCALE)))


@_elementwise
def selu(x):
    # scale*x or (scale*alpha)*expm1(x), constants carried as hi + lo.
    pos = _SCALE_HI * x + _SCALE_LO * x
    em = np.expm1(x)
    neg = _SA_HI * em + _SA_LO * em
    return np.where(x > 0, pos, neg)


@_elementwise
def selu_grad(x):
    # scale if x > 0 else scale*alpha*exp(x).
    e = np.exp(x)
    return np.where(x > 0, _SCALE_HI + _SCALE_LO, _SA_HI * e + _SA_LO * e)


@_elementwise
def selu_grad_y(y):
    # scale if y > 0 else y + scale*alpha.
    return np.where(y > 0, _SCALE_HI + _SCALE_LO, (y + _SA_HI) + _SA_LO)


def _div_dd(x, a):
    """q + ql ~= x / a to ~double-double accuracy (residual via exact product)."""
    q = x / a
    p, pe = _two_prod(q, a)
    ql = ((x - p) - pe) / a
    return q, _finite_or_zero(ql)


@_elementwise
def celu(x, alpha):
    # max(0,x) + min(0, alpha*expm1(x/alpha)); x/alpha = q + ql (exact
    # residual) and expm1(q + ql) = expm1(q) + exp(q)*ql.
    # For |q| < 1e-10: alpha*expm1(q) = x*(1 + q/2 + O(q^2)) with x exact
    # (x/alpha may be subnormal or even round to 0 when x is).
    q, ql = _div_dd(x, alpha)
    em = np.expm1(q)
    # ql = 0 keeps -0.0 at -0.0; where exp overflows the correction is moot
    em = np.where((ql == 0) | np.isinf(em), em, em + np.exp(q) * ql)
    tiny = np.where(x == 0, x, x + x * (0.5 * q))
    neg = np.where(np.abs(q) < 1e-10, tiny, alpha * em)
    return np.where(x > 0, x, neg)


@_elementwise
def celu_grad(x, alpha):
    # 1 if x > 0 else exp(x/alpha), with x/alpha = q + ql.
    q, ql = _div_dd(x, alpha)
    e = np.exp(q)
    return np.where(x > 0, 1.0, np.where(np.isinf(e), e, e + e * ql))


@_elementwise
def celu_grad_y(y, alpha):
    # 1 if y > 0 else y/alpha + 1 (= exp(x/alpha)), as (y + alpha)/alpha:
    # y + alpha is exact near y = -alpha (Sterbenz), y/alpha + 1 would cancel.
    return np.where(y > 0, 1.0, (y + alpha) / alpha)


# ---------------------------------------------------------------------------
# Derivatives through a zero: Taylor expansion about the zero
#
# silu', gelu', gelu_tanh' and mish' cross zero at an interior point r (two
# terms of size ~1/2 cancel there), so no rearrangement of the usual formula
# keeps relative accuracy next to r: rounding the terms costs ~eps/|f'|.
# Within a window |u - a| <= w around a double a ~= r they are evaluated
# instead as f'(a + d) = sum_k c_k d^k, with
#   * c_k = f^(k+1)(a)/k! computed at import by truncated power-series
#     arithmetic in Decimal (50 digits), so c_0 = f'(a) -- a tiny number,
#     the result of the cancellation -- is known to full precision;
#   * d = u - a carried exactly as hi + lo (two-sum), plus the low part of
#     u if u = beta*x is itself carried as hi + lo;
#   * c_0 + c_1*d summed with an exact product and an exact sum, so the
#     result stays relatively accurate however close u is to r; the higher
#     terms d^2 * (c_2 + c_3 d + ...) are small near r and plain Horner.
# The window (|u - a| <= 0.7 .. 0.9) covers the stretch where the direct
# formula cancels by more than a factor ~2; the nearest complex singularity
# of f' is >= 2.1 away (gelu' has none), so 40 terms leave < 1e-19 relative
# (measured: <= 1 ULP over the whole window, 0.5 ULP next to the zero).
# ---------------------------------------------------------------------------

_NTAYLOR = 40
_PI_TEXT = "3.14159265358979323846264338327950288419716939937510582"


def _s_const(c, n):
    return [Decimal(c)] + [Decimal(0)] * (n - 1)


def _s_add(a, b):
    return [u + v for u, v in zip(a, b)]


def _s_scale(a, c):
    return [u * c for u in a]


def _s_mul(a, b):
    return [sum(a[i] * b[k - i] for i in range(k + 1)) for k in range(len(a))]


def _s_exp(a):
    # b = exp(a): b' = a' b, i.e. k b_k = sum_j j a_j b_(k-j)
    b = [a[0].exp()]
    for k in range(1, len(a)):
        b.append(sum(j * a[j] * b[k - j] for j in range(1, k + 1)) / k)
    return b


def _s_recip(a):
    # b = 1/a: sum_j a_j b_(k-j) = [k == 0]
    b = [1 / a[0]]
    for k in range(1, len(a)):
        b.append(-sum(a[j] * b[k - j] for j in range(1, k + 1)) / a[0])
    return b


def _s_sigmoid(v):
    n = len(v)
    return _s_recip(_s_add(_s_const(1, n), _s_exp(_s_scale(v, -1))))


def _silu_grad_series(z):
    # s + z s (1 - s), s = sigmoid(z)  (silu' as a function of z = beta*x)
    n = len(z)
    s = _s_sigmoid(z)
    one = _s_const(1, n)
    return _s_mul(s, _s_add(one, _s_mul(z, _s_add(one, _s_scale(s, -1)))))


def _gelu_grad_series(x):
    # Phi(x) + x phi(x); Phi(a) = 1/2 + a phi(a) sum_n a^(2n)/(2n+1)!!
    # (DLMF 7.6.2, all terms positive), Phi' = phi.
    n = len(x)
    rsqrt2pi = 1 / (2 * Decimal(_PI_TEXT)).sqrt()
    phi = _s_scale(_s_exp(_s_scale(_s_mul(x, x), Decimal(-0.5))), rsqrt2pi)
    a, y = x[0], x[0] * x[0]
    total, term, k = Decimal(0), Decimal(1), 1
    while abs(term) > Decimal("1e-60"):
        total += term
        term = term * y / (2 * k + 1)
        k += 1
    Phi = [Decimal("0.5") + a * phi[0] * total]
    Phi += [phi[k] / (k + 1) for k in range(n - 1)]
    return _s_add(Phi, _s_mul(x, phi))


def _gelu_tanh_grad_series(x):
    # s + x v' s (1 - s), s = sigmoid(v), v = 2 sqrt(2/pi) (x + A x^3)
    n = len(x)
    k2 = 2 * _K
    A = Decimal("0.044715")
    x2 = _s_mul(x, x)
    v = _s_scale(_s_add(x, _s_scale(_s_mul(x2, x), A)), k2)
    dv = _s_scale(_s_add(_s_const(1, n), _s_scale(x2, 3 * A)), k2)
    s = _s_sigmoid(v)
    s1 = _s_mul(s, _s_add(_s_const(1, n), _s_scale(s, -1)))
    return _s_add(s, _s_mul(_s_mul(x, dv), s1))


def _mish_grad_series(x):
    # t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x)) = m/(m+2),
    # m = e^x (e^x + 2)
    n = len(x)
    e = _s_exp(x)
    m = _s_mul(e, _s_add(e, _s_const(2, n)))
    t = _s_mul(m, _s_recip(_s_add(m, _s_const(2, n))))
    sech2 = _s_add(_s_const(1, n), _s_scale(_s_mul(t, t), -1))
    return _s_add(t, _s_mul(_s_mul(x, sech2), _s_sigmoid(x)))


def _root_series(build, root, window):
    """Taylor data of f' about a = float(root): (a, w, c0, c0_lo, c1, c1_lo,
    (c2, c3, ...)), the c_k from ``build`` applied to the series a + t."""
    a = float(root)
    with localcontext(Context(prec=50)):
        c = build([Decimal(a), Decimal(1)] + [Decimal(0)] * (_NTAYLOR - 2))
        c0_lo = float(c[0] - Decimal(float(c[0])))
        c1_lo = float(c[1] - Decimal(float(c[1])))
    return (a, window, float(c[0]), c0_lo, float(c[1]), c1_lo,
            tuple(float(v) for v in c[2:]))


def _near_root(u, u_lo, series):
    """(mask, f') for u within the window of ``series`` (u = u + u_lo)."""
    a, w, c0, c0_lo, c1, c1_lo, rest = series
    m = np.abs(u - a) <= w                         # False for NaN
    d, d_lo = _two_sum(np.where(m, u, a), -a)      # u - a = d + d_lo exactly
    d_lo = d_lo + np.where(m, u_lo, 0.0)
    p, pe = _two_prod(c1, d)
    s, se = _two_sum(c0, p)
    small = (se + pe) + (c0_lo + c1 * d_lo + c1_lo * d)
    return m, s + (small + (d * d) * _poly(d, rest))


# ---------------------------------------------------------------------------
# GELU, SiLU, hard swish, mish
# ---------------------------------------------------------------------------

_C_HI, _C_LO = _dd_const("0.398942280401432677939946059934381868475858631")
_RSQRT2 = 0.7071067811865476  # 1/sqrt(2) rounded; only used where harmless
_SQRT2_HI, _SQRT2_LO = _dd_const("1.41421356237309504880168872420969807856967")


def _gelu_common(x):
    a = np.abs(x)
    t = a * _RSQRT2                      # t rounding is harmless: see below
    sq_hi, sq_lo = _two_prod(x, x)
    h_hi = 0.5 * sq_hi                   # x^2/2 = h_hi + h_lo exactly
    h_lo = np.where(h_hi < 2.0 ** 40, 0.5 * sq_lo, 0.0)
    tail = t >= 1.25
    # erfc(t) for t < 1.25, with the rounding of t = |x|/sqrt2 corrected to
    # first order: erfc(t + dt) = erfc(t) - 2/sqrt(pi)*exp(-t^2)*dt; dt is
    # recovered from the exact product t*sqrt2 = |x|.
    ts = np.where(tail, 0.0, t)
    p, pe = _two_prod(ts, _SQRT2_HI)
    # |x| = sqrt2*(t + dt) with sqrt2 = _SQRT2_HI + _SQRT2_LO
    dt = ((np.where(tail, 0.0, a) - p) - pe - ts * _SQRT2_LO) * _RSQRT2
    small = _erfc_small(ts) - 1.1283791670955126 * np.exp(-ts * ts) * dt
    # t >= 1.25: erfc(t) = exp(-x^2/2) * G(t); G depends weakly on t, so
    # the rounding of t costs < 1 ULP; exp(-x^2/2) uses the exact square.
    g = _erfc_g(np.where(tail, t, 2.0))
    return a, tail, small, g, h_hi, h_lo


@_elementwise
def gelu(x):
    # x*Phi(x).  x >= 0: x*(1 - erfc(t)/2).  x < 0: |x|*erfc(t)/2 through
    # erfc (never 1 + erf), the exp(-x^2/2) factor from the exact square and
    # applied by _exp_mul (result may be normal while exp(-x^2/2) is not).
    a, tail, small, g, h_hi, h_lo = _gelu_common(x)
    m = 0.5 * g * (1.0 - h_lo)                      # erfc(t)/2 = exp(-h) * m
    half_erfc = np.where(tail, _exp_mul(-h_hi, m), 0.5 * small)
    neg = -_exp_mul(-h_hi, a * m)
    neg = np.where(tail, neg, -(a * (0.5 * small)))
    pos = x * (1.0 - half_erfc)
    r = np.where(x >= 0, pos, neg)
    r = np.where(np.isinf(x), np.where(x > 0, x, -0.0), r)
    return _keep_nan(x, r)


_GELU_GRAD_ROOT = _root_series(_gelu_grad_series,
                               "-0.7517915246935644574579049", 0.7)


@_elementwise
def gelu_grad(x):
    # Phi(x) + x*phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi) with the exact
    # square; for x < 0 in the tail both terms share exp(-x^2/2), which is
    # factored out and applied last by _exp_mul.
    a, tail, small, g, h_hi, h_lo = _gelu_common(x)
    corr = 1.0 - h_lo
    # tail, x < 0: exp(-h) * (0.5*G - |x|/sqrt(2 pi)) * (1 - h_lo)
    inner = (0.5 * g - (a * _C_HI + a * _C_LO)) * corr
    neg_tail = _exp_mul(-h_hi, inner)
    e = np.exp(-h_hi)
    pdf = (e * _C_HI + e * _C_LO) * corr
    neg_small = 0.5 * small - a * pdf
    half_erfc = np.where(tail, _exp_mul(-h_hi, 0.5 * g * corr), 0.5 * small)
    pos = (1.0 - half_erfc) + a * pdf
    r = np.where(x >= 0, pos, np.where(tail, neg_tail, neg_small))
    # around the zero of f' the terms above cancel: Taylor series instead
    near, taylor = _near_root(x, 0.0, _GELU_GRAD_ROOT)
    r = np.where(near, taylor, r)
    r = np.where(np.isinf(x), np.where(x > 0, 1.0, -0.0), r)
    return _keep_nan(x, r)


# sqrt(2/pi) and the cubic coefficient, doubled: v = 2u = x*(C1 + C3*x^2)
_K = Decimal("0.797884560802865355879892119868763736951717262")
_C1_HI, _C1_LO = _dd_const(str(2 * _K))
_C3_HI, _C3_LO = _dd_const(str(2 * _K * Decimal("0.044715")))


def _gelu_tanh_v(x):
    """v = 2u = 2*sqrt(2/pi)*(x + 0.044715 x^3) as hi + lo, and v'."""
    s, se = _two_prod(x, x)
    wh, wl = _dd_mul(_C3_HI, _C3_LO, s, se)
    wh, wl = _dd_add(wh, wl, _C1_HI, _C1_LO)
    vh, vl = _dd_mul(wh, wl, x, 0.0)
    vl = np.where(np.abs(vh) < 2.0 ** 40, vl, 0.0)
    dv = _C1_HI + 3.0 * _C3_HI * s      # dv/dx (no cancellation: all >= 0)
    return vh, vl, dv


@_elementwise
def gelu_tanh(x):
    # 0.5*x*(1 + tanh(u)) = x*sigmoid(2u): no 1 + tanh cancellation; 2u is
    # evaluated in double-double (its rounding would otherwise cost up to
    # |2u|*2**-53 relative in the left tail); tail via _exp_mul.
    vh, vl, _ = _gelu_tanh_v(x)
    e = _exp_neg_abs_dd(vh, vl)
    pos = x / (1.0 + e)
    neg = _exp_mul(vh, x * (1.0 + vl) / (1.0 + e))
    r = np.where(vh >= 0, pos, neg)
    r = np.where(np.isinf(x) | (vh < -1e4), np.where(x > 0, x, -0.0), r)
    return _keep_nan(x, r)


_GELU_TANH_GRAD_ROOT = _root_series(_gelu_tanh_grad_series,
                                    "-0.7524614220710162584879544", 0.7)


@_elementwise
def gelu_tanh_grad(x):
    # s + x*v'*s*(1-s), s = sigmoid(v), written with e = exp(-|v|):
    # v >= 0: (1 + x v' e/(1+e)) / (1+e); v < 0: e/(1+e) * (1 + x v'/(1+e)).
    vh, vl, dv = _gelu_tanh_v(x)
    e = _exp_neg_abs_dd(vh, vl)
    d = 1.0 + e
    xdv = x * dv
    pos = (1.0 + np.where(e == 0, 0.0, xdv * e / d)) / d
    neg = _exp_mul(vh, (1.0 + vl) / d * (1.0 + xdv / d))
    r = np.where(vh >= 0, pos, neg)
    # around the zero of f' the terms above cancel: Taylor series instead
    near, taylor = _near_root(x, 0.0, _GELU_TANH_GRAD_ROOT)
    r = np.where(near, taylor, r)
    r = np.where(np.isinf(x) | (vh < -1e4), np.where(x > 0, 1.0, -0.0), r)
    return _keep_nan(x, r)


@_elementwise
def silu(x, beta):
    # x*sigmoid(beta*x): beta*x = vh + vl exactly; v >= 0: x/(1+e),
    # v < 0: x*e/(1+e) with e = exp(-|v|) applied via _exp_mul.
    if beta == 0.0:
        return 0.5 * x
    vh, vl = _prod_for_exp(x, beta)
    e = _exp_neg_abs_dd(vh, vl)
    pos = x / (1.0 + e)
    neg = _exp_mul(vh, x * (1.0 + vl) / (1.0 + e))
    r = np.where(vh >= 0, pos, neg)
    # v -> -inf: x*sigmoid(v) -> 0 with the sign of x
    r = np.where(np.isinf(vh) & (vh < 0), np.copysign(0.0, x), r)
    return _keep_nan(x, r)


# silu' = 0 at beta*x = -1 - W(1/e)
_SILU_GRAD_ROOT = _root_series(_silu_grad_series,
                               "-1.278464542761073795109359", 0.9)


@_elementwise
def silu_grad(x, beta):
    # s + v*s*(1-s), v = beta*x, e = exp(-|v|):
    # v >= 0: (1 + e*(1+v)) / (1+e)^2; v < 0: e*(1 + e + v)/(1+e)^2.
    if beta == 0.0:
        return _keep_nan(x, np.full_like(x, 0.5))
    vh, vl = _prod_for_exp(x, beta)
    e = _exp_neg_abs_dd(vh, vl)
    d = 1.0 + e
    pos = (1.0 + np.where(e == 0, 0.0, e * (1.0 + vh))) / (d * d)
    neg = _exp_mul(vh, (1.0 + vl) * (((1.0 + vh) + e) / (d * d)))
    r = np.where(vh >= 0, pos, neg)
    # around the zero of f' the terms above cancel: Taylor series instead
    near, taylor = _near_root(vh, vl, _SILU_GRAD_ROOT)
    r = np.where(near, taylor, r)
    r = np.where(np.isinf(vh), np.where(vh > 0, 1.0, -0.0), r)
    return _keep_nan(x, r)


@_elementwise
def hard_swish(x):
    # x*relu6(x+3)/6, x+3 carried exactly (two-sum); +0 for x <= -3.
    s, e = _two_sum(x, 3.0)
    mid = (x * s + x * e) / 6.0
    r = np.where(x <= -3.0, 0.0, np.where(x >= 3.0, x, mid))
    return _keep_nan(x, r)


@_elementwise
def hard_swish_grad(x):
    # PyTorch hardswish_backward: 0 for x < -3, (2x+3)/6 on [-3, 3],
    # 1 for x > 3.
    s, e = _two_sum(2.0 * x, 3.0)
    mid = s / 6.0 + e / 6.0
    r = np.where(x < -3.0, 0.0, np.where(x > 3.0, 1.0, mid))
    return _keep_nan(x, r)


@_elementwise
def mish(x):
    # x*tanh(softplus(x)); tanh(log1p(e^x)) = n/(n+2), n = e^x (e^x + 2).
    # x < 0 (e = e^x <= 1): x * e * (e+2)/(n+2), the e factor via _exp_mul;
    # x >= 0 (f = e^-x <= 1): x * (1+2f)/(1+2f+2f^2) -- no overflow.
    e = np.exp(np.minimum(x, 0.0))
    n = e * (e + 2.0)
    neg = _exp_mul(x, x * ((e + 2.0) / (n + 2.0)))
    f = np.exp(-np.maximum(x, 0.0))
    t = (1.0 + 2.0 * f) / ((1.0 + 2.0 * f) + 2.0 * f * f)
    pos = x * t
    r = np.where(x >= 0, pos, neg)
    r = np.where(x < -1e300, -0.0, r)
    return _keep_nan(x, r)


_MISH_GRAD_ROOT = _root_series(_mish_grad_series,
                               "-1.192431214515495212137588", 0.8)


@_elementwise
def mish_grad(x):
    # f' = t + x*(1 - t^2)*sigmoid(x), t = tanh(softplus(x)).
    # x < 0: e^x * w / d^2 with w = 4(x+1) + e^x(4x+6) + e^2x(4 + e^x) and
    #   d = e^2x + 2e^x + 2 (the terms of w cancel near the zero of f' at
    #   x ~ -1.19: Taylor series there); the e^x factor is applied last by
    #   _exp_mul.
    # x >= 0: (1+2f)/D + 4x f^2 (1+f)/D^2, f = e^-x, D = 1+2f+2f^2.
    e = np.exp(np.minimum(x, 0.0))
    w = (4.0 * (x + 1.0) + e * (4.0 * x + 6.0)) + (e * e) * (4.0 + e)
    d = e * (e + 2.0) + 2.0
    neg = _exp_mul(x, w / (d * d))
    f = np.exp(-np.maximum(x, 0.0))
    D = (1.0 + 2.0 * f) + 2.0 * f * f
    second = np.where(f == 0, 0.0, (4.0 * x) * (f * f) * (1.0 + f) / (D * D))
    pos = (1.0 + 2.0 * f) / D + second
    r = np.where(x >= 0, pos, neg)
    # around the zero of f' the terms above cancel: Taylor series instead
    near, taylor = _near_root(x, 0.0, _MISH_GRAD_ROOT)
    r = np.where(near, taylor, r)
    r = np.where(x < -1e300, -0.0, r)
    return _keep_nan(x, r)


# ---------------------------------------------------------------------------
# Softplus family and other smooth/piecewise functions
# ---------------------------------------------------------------------------

@_elementwise
def softplus(x, beta, threshold):
    # PyTorch: x where beta*x > threshold (threshold = +inf: never), else
    # log1p(exp(beta*x))/beta evaluated as
    #   v > 0:  x + log1p(exp(-v))/beta          (two positive terms)
    #   v <= 0: log1p(exp(v))/beta,  v = beta*x carried as vh + vl;
    # deep left tail (v < -600): exp(v)/beta via _exp_mul.
    vh, vl = _prod_for_exp(x, beta)
    e = _exp_neg_abs_dd(vh, vl)
    pos = x + np.log1p(e) / beta
    neg = np.where(vh < -600.0, _exp_mul(vh, (1.0 + vl) / beta),
                   np.log1p(e) / beta)
    r = np.where(vh > 0, pos, neg)
    r = np.where(vh > threshold, x, r)
    r = np.where(np.isinf(x), np.where(x > 0, x, 0.0), r)
    return _keep_nan(x, r)


@_elementwise
def softplus_grad(x, beta, threshold):
    # sigmoid(beta*x) (with vh + vl), 1 where beta*x > threshold.
    vh, vl = _prod_for_exp(x, beta)
    e = _exp_neg_abs_dd(vh, vl)
    d = 1.0 + e
    r = np.where(vh >= 0, 1.0 / d, e / d)
    r = np.where(vh > threshold, 1.0, r)
    return _keep_nan(x, r)


@_elementwise
def softplus_grad_y(y, beta, threshold):
    # sigmoid(beta*x) = 1 - exp(-beta*y) = -expm1(-beta*y); 1 where
    # beta*y > threshold (the linear branch).
    r = -np.expm1(-beta * y)
    return _keep_nan(y, np.where(beta * y > threshold, 1.0, r))


def _squareplus_root(x, b):
    """(|x|, r = sqrt(x^2 + b)) via hypot: no overflow or underflow of x^2."""
    return np.abs(x), np.hypot(x, np.sqrt(b))


@_elementwise
def squareplus(x, b):
    # (x + sqrt(x^2+b))/2 for x >= 0; b / (2*(sqrt(x^2+b) - x)) for x < 0
    # (no cancellation); sqrt(x^2+b) = hypot(x, sqrt(b)) never overflows;
    # for |x| > 1e300, r + |x| = 2|x| would overflow: b/(4|x|) instead.
    a, r = _squareplus_root(x, b)
    pos = np.where(a > 1e300, x * 0.5 + r * 0.5, (x + r) * 0.5)
    neg = np.where(a > 1e300, (0.25 * b) / a, b / (2.0 * (r + a)))
    out = np.where(x >= 0, pos, neg)
    out = np.where(np.isinf(x), np.where(x > 0, x, 0.0), out)
    return _keep_nan(x, out)


@_elementwise
def squareplus_grad(x, b):
    # (1 + x/r)/2 for x >= 0; for x < 0, 1 + x/r = b/(r (r + |x|)), written
    # as (b/(2r))/(r + |x|) to avoid both cancellation and overflow.
    # At x = 0 with b = 0 (r = 0) the value is 1/2 (mean of the one-sided
    # derivatives 0 and 1).
    a, r = _squareplus_root(x, b)
    pos = np.where(r == 0, 0.5, (1.0 + x / r) * 0.5)
    neg = (b / (2.0 * r)) / (r + a)
    out = np.where(x >= 0, pos, neg)
    out = np.where(np.isinf(x), np.where(x > 0, 1.0, 0.0), out)
    return _keep_nan(x, out)


@_elementwise
def sparse_plus(x):
    # JAX: 0 (x <= -1), (x+1)^2/4, x (x >= 1); x+1 = s+e exactly.
    s, e = _two_sum(x, 1.0)
    mid = (s * s + 2.0 * s * e) * 0.25
    r = np.where(x <= -1.0, 0.0, np.where(x >= 1.0, x, mid))
    return _keep_nan(x, r)


@_elementwise
def sparse_sigmoid(x):
    # JAX: 0 (x <= -1), (x+1)/2, 1 (x >= 1); x+1 = s+e exactly.
    s, e = _two_sum(x, 1.0)
    mid = s * 0.5 + e * 0.5
    r = np.where(x <= -1.0, 0.0, np.where(x >= 1.0, 1.0, mid))
    return _keep_nan(x, r)


@_public
def sparse_plus_grad(x):
    # 0 (x <= -1), (x+1)/2, 1 (x >= 1): sparse_plus' is sparse_sigmoid.
    return sparse_sigmoid(x)


@_elementwise
def sparse_sigmoid_grad(x):
    # 1/2 on the open interval (-1, 1), else 0.
    return _keep_nan(x, np.where((x > -1.0) & (x < 1.0), 0.5, 0.0))


@_elementwise
def soft_shrink(x, lambd):
    # x - l (x > l), x + l (x < -l), else +0; one rounding.
    r = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))
    return _keep_nan(x, r)


@_elementwise
def soft_shrink_grad(x, lambd):
    # 1 outside [-l, l], 0 inside (kinks take 0).
    return _keep_nan(x, np.where((x > lambd) | (x < -lambd), 1.0, 0.0))


@_elementwise
def hard_shrink(x, lambd):
    # x if |x| > l else +0.
    return _keep_nan(x, np.where(np.abs(x) > lambd, x, 0.0))


@_elementwise
def hard_shrink_grad(x, lambd):
    # 1 if |x| > l else 0.
    return _keep_nan(x, np.where(np.abs(x) > lambd, 1.0, 0.0))


@_elementwise
def exponential(x):
    # exp(x) (overflow to inf is the correctly rounded result).
    return np.exp(x)


@_elementwise
def exponential_grad(x):
    # exp(x).
    return np.exp(x)


@_elementwise
def exponential_grad_y(y):
    # f' = exp(x) = y.
    return y


@_elementwise
def linear(x):
    # x (a copy).
    return x


@_elementwise
def linear_grad(x):
    # 1 everywhere: the identity passes the gradient through unchanged, even
    # where x is NaN (PyTorch's identity backward).
    return np.ones_like(x)


@_elementwise
def linear_grad_y(y):
    # 1 everywhere (see linear_grad).
    return np.ones_like(y)


# ---------------------------------------------------------------------------
# Axis kernels
# ---------------------------------------------------------------------------
#
# Special values follow PyTorch: a NaN anywhere in a slice makes the whole
# slice NaN; a slice that is all -inf gives NaN (x - max = -inf - -inf);
# a slice holding +inf gives NaN everywhere (x - max = inf - inf is NaN for
# the +inf entries, and the NaN reaches the sum).  -inf entries in an
# otherwise finite slice give softmax 0 and log_softmax -inf.

def _axis_in(x):
    x = np.asarray(x)
    return x.astype(np.float64), _out_dtype(x)


def _shifted(x, axis):
    """x - max(x) along axis as hi + lo (exact two-sum: the rounding of the
    difference would be amplified by exp), and exp(hi + lo)."""
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    dh, dl = _two_sum(x, -m)
    e = np.exp(dh)
    e = e + e * dl
    return dh, dl, e


def _accurate_sum(e, axis):
    """sum(e) along axis (keepdims), nearly as if in double-double (see
    _compensated_sum).  Partial sums can overflow where the sum does not
    (1e308 + 1e308 - 1e308): such rows are summed again scaled by 2^-64
    (exact) and scaled back."""
    total = _compensated_sum(e, axis)
    redo = ~np.isfinite(total)
    if redo.any():
        scaled = np.ldexp(_compensated_sum(np.ldexp(e, -64), axis), 64)
        total = np.where(redo & ~np.isnan(scaled), scaled, total)   # as fastact's row_dot
    return total


def _compensated_sum(e, axis):
    """sum(e) along axis (keepdims), nearly as if in double-double.

    np.sum only sums pairwise along a contiguous axis; along a strided axis
    (Fortran order, transposed views) it accumulates naively, and for rows
    of ~1000 terms that alone cost ~10 ULP.  Here the axis is folded in
    halves with an exact two-sum, the rounding errors collected in a second
    array: log2(n) vectorised steps, error ~eps + n*eps**2 relative.
    """
    if e.shape[axis] == 0:
        return np.sum(e, axis=axis, keepdims=True)        # empty rows: 0
    hi = np.moveaxis(e, axis, 0)
    lo = np.zeros_like(hi)
    while hi.shape[0] > 1:
        if hi.shape[0] % 2:
            pad = np.zeros_like(hi[:1])
            hi = np.concatenate([hi, pad])
            lo = np.concatenate([lo, pad])
        hi, err = _two_sum(hi[0::2], hi[1::2])
        lo = (lo[0::2] + lo[1::2]) + err
    # an infinite or NaN sum has no meaningful (or a NaN) error term
    total = np.where(np.isfinite(hi[0]), hi[0] + lo[0], hi[0])
    return np.expand_dims(total, axis)


def _sum_minus_one(e, x, axis):
    """sum(e) - 1 along axis, computed without forming 1 + small.

    The first maximal element has e == 1 exactly; it is left out of the sum.
    """
    idx = np.expand_dims(np.argmax(x, axis=axis), axis)
    rest = e.copy()
    np.put_along_axis(rest, idx, 0.0, axis=axis)
    return _accurate_sum(rest, axis)


@_public
def softmax(x, axis):
    """exp(x - max) / sum(exp(x - max)); x - max carried as hi + lo."""
    x, dt = _axis_in(x)
    with np.errstate(all="ignore"):
        if x.size == 0:
            return np.array(x, dtype=dt)
        _, _, e = _shifted(x, axis)
        s = _accurate_sum(e, axis)
        return np.array(e / s, dtype=dt)


@_public
def log_softmax(x, axis):
    """(x - max) - log(sum(exp(x - max))), the log as log1p(sum - 1)."""
    x, dt = _axis_in(x)
    with np.errstate(all="ignore"):
        if x.size == 0:
            return np.array(x, dtype=dt)
        dh, dl, e = _shifted(x, axis)
        lse = np.log1p(_sum_minus_one(e, x, axis))
        # a NaN anywhere in the slice (NaN or +inf input) poisons it all
        lse = np.where(np.isnan(np.sum(e, axis=axis, keepdims=True)),
                       np.nan, lse)
        return np.array((dh - lse) + dl, dtype=dt)


@_public
def softmin(x, axis):
    """softmax(-x)."""
    return softmax(-np.asarray(x), axis)


def _backward_in(g, y):
    g = np.asarray(g)
    y = np.asarray(y)
    dt = _out_dtype(g, y)
    # g broadcasts to y's shape first: the row sums run along y's axis
    g = np.broadcast_to(g, np.broadcast_shapes(g.shape, y.shape))
    return g.astype(np.float64), y.astype(np.float64), dt


@_public
def softmax_backward_y(g, y, axis):
    """dL/dx = y * (g - sum(g*y))."""
    g, y, dt = _backward_in(g, y)
    with np.errstate(all="ignore"):
        s = _accurate_sum(g * y, axis)
        return np.array(y * (g - s), dtype=dt)


@_public
def log_softmax_backward_y(g, y, axis):
    """dL/dx = g - exp(y) * sum(g)."""
    g, y, dt = _backward_in(g, y)
    with np.errstate(all="ignore"):
        s = _accurate_sum(g, axis)
        return np.array(g - np.exp(y) * s, dtype=dt)


@_public
def softmin_backward_y(g, y, axis):
    """y = softmax(-x), so dy/dx = -J_softmax: dL/dx = y * (sum(g*y) - g)."""
    g, y, dt = _backward_in(g, y)
    with np.errstate(all="ignore"):
        s = _accurate_sum(g * y, axis)
        return np.array(y * (s - g), dtype=dt)


def _glu_halves(x, axis):
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu: the length of axis {axis} must be even, "
                         f"got {n}")
    return np.split(x, 2, axis=axis)


@_public
def glu(x, axis):
    """a * sigmoid(b), (a, b) the two halves of x along axis."""
    x, dt = _axis_in(x)
    if x.ndim == 0:
        raise ValueError("glu: needs at least one dimension")
    a, b = _glu_halves(x, axis)
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(b))
        pos = a / (1.0 + e)
        neg = _exp_mul(b, a / (1.0 + e))      # a*e/(1+e), e applied last
        r = np.where(b >= 0, pos, neg)
        # a = +-inf, b finite: the limit +-inf, also where exp(b) underflows
        r = np.where(np.isinf(a) & np.isfinite(b), a, r)
        return np.array(r, dtype=dt)


@_public
def glu_backward(g, x, axis):
    """dL/dx (full length): [g*sigmoid(b), g*a*sigmoid(b)*(1 - sigmoid(b))]."""
    x, dt = _axis_in(x)
    g = np.asarray(g).astype(np.float64)
    dt = _out_dtype(np.empty(0, dt), g)
    if x.ndim == 0:
        raise ValueError("glu: needs at least one dimension")
    a, b = _glu_halves(x, axis)
    if g.shape != a.shape:
        raise ValueError(f"glu: gradient shape {g.shape} does not match the "
                         f"output shape {a.shape}")
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(b))
        d = 1.0 + e
        sig = np.where(b >= 0, 1.0 / d, e / d)
        ga = g * sig
        gb = _exp_mul(-np.abs(b), (g * a) / (d * d))
        # an infinite factor times a positive one that underflows: +-inf
        finite_b = np.isfinite(b)
        ga = np.where(np.isinf(g) & finite_b, g, ga)
        gb = np.where(np.isinf(g * a) & finite_b, g * a, gb)
        return np.array(np.concatenate([ga, gb], axis=axis), dtype=dt)

