"""fastact/_verify/reference_kernels.py against the mpmath oracle
(fastact/_verify/oracle.py).

The kernels, their parameter sets and the hard regions of each (kinks,
zeros of f', tails, limits at +-inf) come from the catalog; nothing here is
keyed by function, so a new catalog row is tested without editing this file.

What is checked, for every elementwise kernel and a few parameter sets:
* forward and derivative on ~300 float64 points spread over the regions that
  matter for that kernel: within 4 ULP of the oracle (float64), 1 ULP for
  float32 inputs (the reference computes in float64 and rounds once);
* derivatives with an interior zero (silu, gelu, gelu_tanh, mish): in ULPs
  of f' itself right through the zero, within 2 ULP at points crowding it
  (down to the doubles next to it, |f'| ~ 1e-17);
* ``grad_y`` twice: against the exact value of its own formula at the given
  (rounded) y, within 4 ULP; and against the oracle f'(x) at y = f(x), with
  the tolerance widened by the sensitivity of the formula to the rounding of
  y (a few ULP of y can move y*(1-y) a lot when y ~ 1);
* special values (NaN, ±inf, ±0, subnormals, huge): limits, NaN propagation,
  no floating-point warning (``np.errstate(all="raise")``), dtype and shape.
Axis kernels (softmax, log_softmax, softmin, glu) and prelu have their own
tests, and the oracle is itself checked (numerical derivative, precision
self-consistency, rounding and ULP helpers).
"""

import functools
import math

import mpmath
import numpy as np
import pytest
from mpmath import mp, mpf

from fastact import catalog
from fastact._verify import oracle
from fastact._verify import reference_kernels as ref

INF = math.inf
EPS = 2.0 ** -52
F64 = np.float64
F32 = np.float32

# ---------------------------------------------------------------------------
# The kernels, their argument sets and their regions of interest: all from
# the catalog (fastact/catalog.py), so a new row is tested here untouched.
# Each elementwise row contributes (kernel, numeric args) for its default
# parameters and each example; its hints say where the kernel is hard:
#   kinks       points where the formula switches branch (tested at +-1 ulp);
#   grad_zeros  interior zeros of f' (two terms of size ~1/2 cancel there):
#               points are added around each, down to the doubles next to
#               it, and f' is tested in ULPs (relative) right through it;
#   hard_points tails, cut-overs and other extra inputs.
# prelu (an array parameter) has its own tests below.
# ---------------------------------------------------------------------------

with mp.workdps(60):
    SELU_SA = float(oracle.round_to(mpf(oracle.SELU_ALPHA)
                                    * mpf(oracle.SELU_SCALE)))


def _catalog_cases():
    """{(kernel, args): (row, full params)} in catalog order."""
    found = {}
    for row in catalog.CATALOG:
        if row.kind != catalog.ELEMENTWISE or row.array_params:
            continue
        for params in row.param_sets():
            full = dict(row.defaults, **params)
            found.setdefault(row.kernel_call(full), (row, full))
    return found


CASE_INFO = _catalog_cases()
CASES = list(CASE_INFO)


def _row(K, args):
    return CASE_INFO[(K, args)]


def _has_y(K, args):
    row, full = _row(K, args)
    return row.from_y_allowed(full)


def _roots(K, args):
    row, full = _row(K, args)
    return row.hints("grad_zeros", full)


def _kinks(K, args):
    row, full = _row(K, args)
    return row.hints("kinks", full)


Y_CASES = [(K, args) for K, args in CASES if _has_y(K, args)]


def _near(r):
    """Points around r: the 4 doubles either side, then relative offsets
    up to 1e-2, then a coarse grid over r +- |r|/2."""
    pts = [r]
    lo = hi = r
    for _ in range(4):
        lo, hi = float(np.nextafter(lo, -INF)), float(np.nextafter(hi, INF))
        pts += [lo, hi]
    for rel in (1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2):
        pts += [r * (1 - rel), r * (1 + rel)]
    pts += (r * (1 + np.linspace(-0.5, 0.5, 11))).tolist()
    return pts


def _case_id(case):
    K, args = case
    return K + ("" if not args else "-" + ",".join(f"{a:g}" for a in args))


_BASE = [0.0, 5e-324, 1e-320, 2.2250738585072014e-308, 1e-300, 1e-200,
         1e-100, 1e-30, 1e-16, 3e-9, 1e-8, 1e-6, 1e-4, 0.001, 0.01, 0.05,
         0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.99, 1.0, 1.01,
         1.1, 1.2, 1.25, 1.3, 1.5, 1.7, 1.8, 2.0, 2.5, 2.9, 3.0, 3.5, 4.0,
         5.0, 6.0, 7.0, 8.5, 10.0, 12.0, 15.0, 17.5, 18.0, 19.0, 20.0, 22.0,
         25.0, 27.0, 30.0, 35.0, 36.0, 40.0, 45.0, 50.0, 60.0, 100.0, 300.0,
         700.0, 708.5, 709.7, 710.0, 720.0, 745.0, 746.0, 750.0, 1000.0, 1e4,
         1e5, 1e10, 1e20, 1e30, 1e100, 1e154, 1e155, 1e200, 1e300,
         1.7976931348623157e308]


def _points(K, args, n_random=110, seed=12345):
    """~300 float64 test points relevant to kernel K with arguments args."""
    rng = np.random.default_rng(seed)
    pts = set()
    for v in _BASE:
        pts.add(v)
        pts.add(-v)
    for v in _row(K, args)[0].hard_points:
        pts.add(v)
    for k in _kinks(K, args):
        for v in (k, np.nextafter(k, INF), np.nextafter(k, -INF)):
            pts.add(float(v))
    for r in _roots(K, args):
        pts.update(_near(r))
    mags = 10.0 ** rng.uniform(-12, 3, n_random // 2)
    pts.update((mags * rng.choice([-1.0, 1.0], mags.size)).tolist())
    pts.update(rng.uniform(-8, 8, n_random // 2).tolist())
    pts.discard(-0.0)
    pts.add(0.0)
    return np.array(sorted(pts), dtype=F64)


def _fn(K, which):
    return getattr(ref, {"forward": K, "grad": K + "_grad",
                         "grad_y": K + "_grad_y"}[which])


@functools.cache
def _truth(K, which, args, xs):
    """mpf oracle values (object array) for the tuple of floats xs."""
    return oracle.oracle_mpf_array(K, which, np.array(xs, dtype=F64), args)


def _errors(K, which, args, x, dtype):
    """(x, result, truth, ulp errors) for finite x in dtype."""
    with np.errstate(all="ignore"):
        x = np.asarray(x, dtype=dtype)
    x = x[np.isfinite(x)]
    with np.errstate(all="raise"):
        r = _fn(K, which)(x, *args)
    assert r.dtype == dtype and r.shape == x.shape
    truth = _truth(K, which, args, tuple(x.astype(F64).tolist()))
    return x, r, truth, oracle.ulp_error(r, truth, dtype)


def _report(K, which, x, r, truth, err, bad):
    lines = [f"{K} {which}: max {np.max(err):.3g} ULP"]
    for i in np.nonzero(bad)[0][:8]:
        lines.append(f"  x={float(x[i])!r} got {float(r[i])!r} want "
                     f"{mpmath.nstr(truth[i], 20)} ({err[i]:.3g} ULP)")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# float64 accuracy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=_case_id)
@pytest.mark.parametrize("which", ["forward", "grad"])
def test_float64_accuracy(case, which):
    K, args = case
    x, r, truth, err = _errors(K, which, args, _points(K, args), F64)
    assert x.size >= 250
    bad = err > 4.0
    assert not bad.any(), _report(K, which, x, r, truth, err, bad)


ROOT_CASES = [(K, args) for K, args in CASES if _roots(K, args)]


@pytest.mark.parametrize("case", ROOT_CASES, ids=_case_id)
def test_grad_through_its_zero(case):
    """f' keeps its relative accuracy right through an interior zero.

    Around each zero the derivative is a small difference of two terms of
    size ~1/2; the reference evaluates it from a Taylor expansion about the
    zero, so it stays within a couple of ULP of f' itself, also at the
    doubles next to the zero where |f'| ~ 1e-17.
    """
    K, args = case
    for r in _roots(K, args):
        x = np.array(sorted(set(_near(r))), dtype=F64)
        x, res, truth, err = _errors(K, "grad", args, x, F64)
        assert min(abs(t) for t in truth) < 1e-14    # the zero is bracketed
        bad = err > 2.0
        assert not bad.any(), _report(K, "grad near 0", x, res, truth, err,
                                      bad)


# float32: computing in float64 and rounding once leaves <= 0.5 ULP + tiny.
F32_EXTRA = [1e-45, 1.4e-45, 1e-40, 1.1754944e-38, 1e-38, 3e-8, 0.5, 3.0,
             9.0, 15.0, 16.5, 17.0, 80.0, 87.0, 88.7, 89.0, 100.0, 103.0,
             104.0, 3.4e38]


def _points32(K, args):
    with np.errstate(over="ignore"):
        base = _points(K, args, n_random=60, seed=777).astype(F32)
    extra = np.array(F32_EXTRA + [-v for v in F32_EXTRA], dtype=F32)
    pts = np.unique(np.concatenate([base, extra]))
    return pts[np.isfinite(pts)]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
@pytest.mark.parametrize("which", ["forward", "grad"])
def test_float32_accuracy(case, which):
    K, args = case
    x, r, truth, err = _errors(K, which, args, _points32(K, args), F32)
    bad = err > 1.0
    assert not bad.any(), _report(K, which + " f32", x, r, truth, err, bad)


# ---------------------------------------------------------------------------
# grad_y
# ---------------------------------------------------------------------------

def _grad_y_points(K, args):
    # Away from kinks: where f' jumps (softplus at its threshold), y does
    # not see the jump at the same place (softplus(x) > x).
    x = _points(K, args)
    for k in _kinks(K, args):
        x = x[np.abs(x - k) > 1e-6 * max(1.0, abs(k))]
    return x


@pytest.mark.parametrize("case", Y_CASES, ids=_case_id)
@pytest.mark.parametrize("dtype,tol", [(F64, 4.0), (F32, 1.0)])
def test_grad_y_formula(case, dtype, tol):
    """K_grad_y(y) against the exact value of the same formula at y."""
    K, args = case
    with np.errstate(over="ignore"):
        x = _grad_y_points(K, args).astype(dtype)
    y = _fn(K, "forward")(x[np.isfinite(x)], *args)
    y = y[np.isfinite(y)]
    yy, r, truth, err = _errors(K, "grad_y", args, y, dtype)
    bad = err > tol
    assert not bad.any(), _report(K, "grad_y(y)", yy, r, truth, err, bad)


@pytest.mark.parametrize("case", Y_CASES, ids=_case_id)
def test_grad_y_matches_grad(case):
    """K_grad_y(f(x)) against the oracle f'(x).

    Allowed: 4 ULP, plus how much the exact grad_y formula moves when y moves
    by 4 ULP (the forward result is within 4 ULP of f(x)).
    """
    K, args = case
    x = _grad_y_points(K, args)
    with np.errstate(all="raise"):
        y = _fn(K, "forward")(x, *args)
        gy = _fn(K, "grad_y")(y, *args)
    keep = np.isfinite(y)
    x, y, gy = x[keep], y[keep], gy[keep]
    truth = _truth(K, "grad", args, tuple(x.tolist()))
    err = oracle.ulp_error(gy, truth, F64)
    bad = []
    for i in np.nonzero(err > 4.0)[0]:
        lo, hi = y[i], y[i]
        for _ in range(4):
            lo, hi = np.nextafter(lo, -INF), np.nextafter(hi, INF)
        g0 = oracle.oracle_grad_y(K, y[i], args)
        sens = max(abs(oracle.oracle_grad_y(K, v, args) - g0)
                   for v in (lo, hi) if np.isfinite(v))
        tol = 4 * oracle._ulp(mpf(truth[i]), F64) + sens
        if abs(mpf(float(gy[i])) - truth[i]) > tol:
            bad.append(i)
    mask = np.zeros(x.shape, bool)
    mask[bad] = True
    assert not bad, _report(K, "grad_y(f(x))", x, gy, truth, err, mask)


# ---------------------------------------------------------------------------
# Special values, warnings, dtype/shape
# ---------------------------------------------------------------------------

def _limits(K, args):
    row, full = _row(K, args)
    return row.limits(full)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
@pytest.mark.parametrize("dtype", [F64, F32])
def test_special_values(case, dtype):
    K, args = case
    fp, fm, gp, gm = _limits(K, args)
    x = np.array([np.nan, INF, -INF], dtype=dtype)
    with np.errstate(all="raise"):
        f = _fn(K, "forward")(x, *args)
        g = _fn(K, "grad")(x, *args)
    assert np.isnan(f[0])
    assert np.isnan(g[0]) or K == "linear"      # the identity's derivative is 1 everywhere
    np.testing.assert_array_equal(f[1:], np.array([fp, fm], dtype=dtype))
    np.testing.assert_array_equal(g[1:], np.array([gp, gm], dtype=dtype))
    # +-0 and the smallest subnormals: the oracle's value.
    tol = 4.0 if dtype == F64 else 1.0
    for which in ("forward", "grad"):
        z = np.array([0.0, -0.0, 5e-324, -5e-324], dtype=F64).astype(dtype)
        with np.errstate(all="raise"):
            r = _fn(K, which)(z, *args)
        want = np.array([oracle._evaluate(K, which, v, args)
                         for v in z.astype(F64)], dtype=object)
        err = oracle.ulp_error(r, want, dtype)
        assert err.max() <= tol, (K, which, z, r, want)


NASTY = [np.nan, INF, -INF, 0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310,
         1e-45, -1e-45, 1.0, -1.0, 88.7, -88.7, 89.0, -104.0, 709.8, -709.8,
         710.0, -745.2, -750.0, 1e30, -1e30, 3.5e38, -3.5e38, 1e155, -1e155,
         1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
@pytest.mark.parametrize("dtype", [F64, F32])
def test_no_warnings_and_shapes(case, dtype):
    K, args = case
    with np.errstate(all="ignore"):
        x = np.array(NASTY, dtype=F64).astype(dtype)
    before = x.copy()
    names = ["forward", "grad"] + (["grad_y"] if hasattr(
        ref, K + "_grad_y") else [])
    with np.errstate(all="raise"):
        for which in names:
            r = _fn(K, which)(x, *args)
            assert r.dtype == dtype and r.shape == x.shape
            assert r is not x
            # NaN in -> NaN out (the identity's derivative is 1 everywhere,
            # as PyTorch passes its gradient through unchanged)
            if not (K == "linear" and which != "forward"):
                assert np.isnan(r[0]), f"{K} {which}(nan)"
            # 0-d in -> 0-d out of the same dtype
            r0 = _fn(K, which)(np.asarray(x[3]), *args)
            assert r0.shape == () and r0.dtype == dtype
            r2 = _fn(K, which)(x.reshape(4, 8)[:, ::2], *args)
            np.testing.assert_array_equal(r2, r.reshape(4, 8)[:, ::2])
    np.testing.assert_array_equal(x, before)


def test_every_kernel_is_tested():
    names = {n[:-len("_grad")] for n in ref.__all__ if n.endswith("_grad")}
    kernels = {K for K, _ in CASES}
    assert names - {"prelu"} == kernels
    for K in kernels:
        assert hasattr(ref, K + "_grad_y") == any(
            _has_y(K, a) for k, a in CASES if k == K), K


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_signed_zero(case):
    """Where f(0) = 0, f(-0.0) carries the sign f has just left of 0:
    -0.0 for tanh, elu, gelu, ... (f(-tiny) < 0), +0.0 for relu,
    soft_shrink, ... (f(-tiny) = 0)."""
    K, args = case
    if oracle._evaluate(K, "forward", 0.0, args) != 0:
        pytest.skip("f(0) is not 0: no sign to keep")
    left = oracle._evaluate(K, "forward", -1e-300, args)
    r = _fn(K, "forward")(np.array([-0.0]), *args)
    assert r[0] == 0 and bool(np.signbit(r[0])) == bool(left < 0)


def test_saturation_examples():
    with np.errstate(all="raise"):
        assert ref.sigmoid(np.array(-1000.0)) == 0.0
        assert ref.sigmoid(np.array(1000.0)) == 1.0
        assert ref.softplus(np.array(1000.0), 1.0, INF) == 1000.0
        assert ref.softplus(np.array(-1000.0), 1.0, INF) == 0.0
        assert ref.log_sigmoid(np.array(-1000.0)) == -1000.0
        assert ref.exponential(np.array(1000.0)) == INF
        assert ref.exponential(np.array(100.0, F32)) == INF
        assert ref.silu(np.array(-1000.0), 1.0) == 0.0
        assert ref.tanh_grad(np.array(400.0)) == 0.0


# ---------------------------------------------------------------------------
# erf / erfc helpers
# ---------------------------------------------------------------------------

def test_erf_erfc():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-6, 6, 300), rng.uniform(0, 27.2, 200),
                        10.0 ** rng.uniform(-310, 0, 100),
                        [0.25, 0.84375, 1.25, 1 / 0.35, 6.0, 26.5, 27.0,
                         27.2, 27.3, 28.0, 30.0, 1e30, 5e-324]])
    x = np.concatenate([x, -x])
    with np.errstate(all="raise"):
        e1 = ref._erf(x)
        e2 = ref._erfc(x)
    with mp.workdps(50):
        t1 = np.array([mp.erf(mpf(float(v))) for v in x], dtype=object)
        t2 = np.array([mp.erfc(mpf(float(v))) for v in x], dtype=object)
    err1 = oracle.ulp_error(e1, t1, F64)
    err2 = oracle.ulp_error(e2, t2, F64)
    assert err1.max() <= 2.0, (err1.max(), x[np.argmax(err1)])
    # relative accuracy of erfc in the right tail, down to subnormals:
    # exp(-t*t) (from the exact square) times Laplace's continued fraction,
    # or 1 - erf by the Maclaurin series below |x| = 0.5; measured max
    # ~2.3 ULP (< 3e-16 relative)
    assert err2.max() <= 3.0, (err2.max(), x[np.argmax(err2)])
    special = ref._erfc(np.array([np.nan, INF, -INF]))
    assert np.isnan(special[0]) and special[1] == 0 and special[2] == 2


# ---------------------------------------------------------------------------
# prelu
# ---------------------------------------------------------------------------

def test_prelu():
    rng = np.random.default_rng(5)
    x = np.concatenate([_points("linear", ()), rng.normal(size=40)])
    w = rng.uniform(-1, 1, x.size)
    w[::7] = 0.0
    with np.errstate(all="raise"):
        f = ref.prelu(x, w)
        g = ref.prelu_grad(x, w)
        gw = ref.prelu_grad_weight(x, w)
    tf = np.array([oracle.oracle_forward("prelu", a, (b,))
                   for a, b in zip(x, w)], dtype=object)
    tg = np.array([oracle.oracle_grad("prelu", a, (b,))
                   for a, b in zip(x, w)], dtype=object)
    assert oracle.ulp_error(f, tf, F64).max() <= 0.5
    assert oracle.ulp_error(g, tg, F64).max() == 0
    np.testing.assert_array_equal(gw, np.where(x > 0, 0.0, x))
    # broadcasting, dtype, special values
    x2 = np.array([-2.0, -0.0, 3.0, -INF, np.nan], F32)
    w2 = np.array([[0.25], [0.0]])
    with np.errstate(all="raise"):
        f2 = ref.prelu(x2, w2)
        g2 = ref.prelu_grad(x2, w2)
        gw2 = ref.prelu_grad_weight(x2, w2)
    assert f2.shape == g2.shape == gw2.shape == (2, 5)
    assert f2.dtype == g2.dtype == gw2.dtype == F32
    np.testing.assert_array_equal(f2[0], [-0.5, -0.0, 3.0, -INF, np.nan])
    np.testing.assert_array_equal(f2[1], [0.0, 0.0, 3.0, 0.0, np.nan])
    np.testing.assert_array_equal(g2[1], [0.0, 0.0, 1.0, 0.0, np.nan])
    np.testing.assert_array_equal(gw2[0], [-2.0, -0.0, 0.0, -INF, np.nan])


# ---------------------------------------------------------------------------
# Axis kernels
# ---------------------------------------------------------------------------

def _axis_inputs():
    rng = np.random.default_rng(11)
    return [
        rng.normal(size=(6, 7)),
        rng.normal(scale=30.0, size=(5, 9)),
        rng.normal(scale=400.0, size=(4, 6)),
        np.array([[1000.0, 0.0, -30.0], [0.0, -40.0, -745.0],
                  [1e-300, -1e-300, 0.0], [3.0, 3.0, 3.0],
                  [700.0, 699.9, -700.0], [1e30, 1.0, -1e30]]),
        rng.normal(size=(3, 1)),
        # long rows in Fortran order: np.sum along a strided axis adds
        # naively (~10 ULP for rows this long), not pairwise
        np.asfortranarray(rng.normal(scale=3.0, size=(2, 200))),
    ]


@pytest.mark.parametrize("K", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dtype,tol", [(F64, 3.0), (F32, 1.0)])
def test_axis_forward(K, dtype, tol):
    fn = getattr(ref, K)
    for x in _axis_inputs():
        x = x.astype(dtype)
        for axis in (-1, 0):
            with np.errstate(all="raise"):
                r = fn(x, axis)
            assert r.dtype == dtype and r.shape == x.shape
            truth = oracle.oracle_axis(K, x.astype(F64), axis, rounded=False)
            err = oracle.ulp_error(r, truth, dtype)
            assert err.max() <= tol, (K, axis, x, r, err)


@pytest.mark.parametrize("K", ["softmax", "log_softmax", "softmin"])
def test_axis_special(K):
    fn = getattr(ref, K)
    x = np.array([[-INF, -INF, -INF], [INF, 0.0, 1.0], [np.nan, 0.0, 1.0],
                  [-INF, 0.0, 0.0]])
    with np.errstate(all="raise"):
        r = fn(x if K != "softmin" else -x, -1)
    assert np.isnan(r[:3]).all()          # PyTorch: NaN rows
    if K == "log_softmax":
        np.testing.assert_allclose(r[3], [-INF, -math.log(2), -math.log(2)])
    else:
        np.testing.assert_allclose(r[3], [0.0, 0.5, 0.5])
    empty = fn(np.zeros((2, 0)), -1)
    assert empty.shape == (2, 0)


@pytest.mark.parametrize("K", ["softmax", "log_softmax", "softmin"])
def test_axis_backward_y(K):
    fwd = getattr(ref, K)
    bwd = getattr(ref, K + "_backward_y")
    rng = np.random.default_rng(21)
    for x in _axis_inputs()[:3]:
        g = rng.normal(size=x.shape)
        for axis in (-1, 0):
            y = fwd(x, axis)
            with np.errstate(all="raise"):
                r = bwd(g, y, axis)
            assert r.dtype == F64 and r.shape == x.shape
            # (1) the formula evaluated exactly at the given g, y; the
            # tolerance is the standard bound for a dot product followed by
            # a difference: a few eps times the magnitudes involved.
            exact = oracle.oracle_backward_y(K, g, y, axis, rounded=True)
            if K == "log_softmax":
                scale = np.abs(g) + np.exp(y) * np.sum(np.abs(g), axis=axis,
                                                       keepdims=True)
            else:
                scale = np.abs(y) * (np.abs(g) + np.sum(
                    np.abs(g * y), axis=axis, keepdims=True))
            n = x.shape[axis]
            assert np.all(np.abs(r - exact) <= (n + 4) * EPS * scale)
            # (2) it is the true gradient: J^T g with J from the exact f(x)
            y_true = oracle.oracle_axis(K, x, axis)
            want = oracle.oracle_backward_y(K, g, y_true, axis)
            if K == "softmin":       # y = softmax(-x): dL/dx = -J_softmax^T g
                alt = oracle.oracle_backward_y("softmax", g, y_true, axis)
                np.testing.assert_allclose(want, -alt, rtol=0, atol=1e-300)
            assert np.all(np.abs(r - want) <= 1e-12 * (scale + 1e-300))
    # the true gradient of a sum of outputs weighted by g, by finite
    # differences on one small case (guards the formulas themselves)
    x = np.array([0.3, -1.2, 2.0, 0.1])
    g = np.array([0.5, -1.0, 2.0, 0.25])
    y = fwd(x, -1)
    r = bwd(g, y, -1)
    h = 1e-6
    for i in range(4):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fd = (np.dot(g, fwd(xp, -1)) - np.dot(g, fwd(xm, -1))) / (2 * h)
        assert abs(fd - r[i]) < 1e-8


def test_softmax_float32_backward():
    x = np.random.default_rng(2).normal(size=(3, 5)).astype(F32)
    y = ref.softmax(x, -1)
    g = np.ones_like(x)
    r = ref.softmax_backward_y(g, y, -1)
    assert r.dtype == F32
    assert np.abs(r).max() < 1e-6        # sum of softmax is constant


def test_glu():
    rng = np.random.default_rng(8)
    x = rng.normal(scale=5.0, size=(6, 8))
    x[0, 4:] = [-710.0, -712.0, 800.0, -1e30]
    x[0, :4] = [1000.0, -3.0, 1e-300, 2.0]
    for axis in (-1, 0, 1):
        with np.errstate(all="raise"):
            r = ref.glu(x, axis)
        truth = oracle.oracle_axis("glu", x, axis, rounded=False)
        assert oracle.ulp_error(r, truth, F64).max() <= 4.0
        r32 = ref.glu(x.astype(F32), axis)
        assert r32.dtype == F32
        truth32 = oracle.oracle_axis("glu", x.astype(F32).astype(F64), axis,
                                     rounded=False)
        assert oracle.ulp_error(r32, truth32, F32).max() <= 1.0
        g = rng.normal(size=r.shape)
        with np.errstate(all="raise"):
            gb = ref.glu_backward(g, x, axis)
        assert gb.shape == x.shape
        tb = oracle.oracle_glu_backward(g, x, axis, rounded=False)
        assert oracle.ulp_error(gb, tb, F64).max() <= 4.0
    with pytest.raises(ValueError, match="glu"):
        ref.glu(np.zeros((3, 5)), -1)
    with pytest.raises(ValueError, match="glu"):
        ref.glu_backward(np.zeros((3, 2)), np.zeros((3, 5)), -1)


# ---------------------------------------------------------------------------
# The oracle itself
# ---------------------------------------------------------------------------

SMOOTH_POINTS = [-7.3, -2.2, -0.9, -0.31, 0.17, 0.8, 1.9, 4.4, 9.5]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_oracle_grad_is_derivative(case):
    """oracle_grad agrees with mpmath's numerical derivative of the oracle."""
    K, args = case
    kinks = _kinks(K, args)
    for x in SMOOTH_POINTS:
        if any(abs(x - k) < 0.05 for k in kinks):
            continue
        with mp.workdps(40):
            g = oracle.oracle_grad(K, x, args)
            d = mpmath.diff(lambda t: oracle.FORWARD[K](
                t, *[mpf(a) for a in args]), mpf(x))
            assert abs(g - d) <= mpf(10) ** -30 * (1 + abs(g)), (K, x, g, d)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_oracle_precision_is_enough(case):
    """The oracle's value does not move when 40 more digits are used."""
    K, args = case
    xs = [-700.0, -38.0, -21.9, -1e-8, 1e-150, 3e-5, 0.7, 1e-300, -1e30]
    todo = [(which, x) for x in xs for which in ("forward", "grad")]
    # f' next to its zero (|f'| ~ 1e-17: 17 of the digits cancel)
    todo += [("grad", x) for r in _roots(K, args) for x in _near(r)[:9]]
    if _has_y(K, args):
        y = _fn(K, "forward")(np.array(xs), *args)
        todo += [("grad_y", v) for v in y[np.isfinite(y)]]
    for which, x in todo:
        a = oracle._evaluate(K, which, x, args)
        b = oracle._evaluate(K, which, x, args, extra=40)
        with mp.workdps(80):
            # only values that can matter in float64 are checked
            if abs(b) > mpf("1e-330"):
                assert abs(a - b) <= mpf(10) ** -30 * abs(b), (K, which, x)


def test_ulp_error_helper():
    one = np.array([1.0, np.nextafter(1.0, 2.0), np.nextafter(1.0, 0.0)])
    err = oracle.ulp_error(one, np.ones(3), F64)
    np.testing.assert_array_equal(err, [0.0, 1.0, 0.5])  # binade of truth
    tiny = np.array([5e-324, 1e-323, 0.0])
    np.testing.assert_array_equal(oracle.ulp_error(tiny, np.zeros(3), F64),
                                  [1.0, 2.0, 0.0])
    specials = np.array([np.nan, np.nan, INF, INF, -INF, 1.0])
    truth = np.array([np.nan, 1.0, INF, -INF, -INF, np.nan])
    np.testing.assert_array_equal(oracle.ulp_error(specials, truth, F64),
                                  [0.0, INF, 0.0, INF, 0.0, INF])
    r32 = np.array([1.0, np.nextafter(F32(1.0), F32(2.0))], F32)
    np.testing.assert_allclose(oracle.ulp_error(r32, np.ones(2), F32),
                               [0.0, 1.0])
    with mp.workdps(60):
        t = mpf(1) + mpf(2) ** -60
        assert abs(oracle.ulp_error(np.array([1.0]), np.array([t], object),
                                    F64)[0] - 2.0 ** -8) < 1e-12
        # float32 overflow: 3.5e38 rounds to inf in float32
        assert oracle.ulp_error(np.array([INF], F32),
                                np.array([mpf("3.5e38")], object), F32)[0] == 0
        assert oracle.round_to(mpf("1e-46"), F32) == 0
        assert oracle.round_to(mpf(2) ** -149 * mpf("0.5000001"), F32) > 0
