"""The API contract of docs/design.md, for every catalog row: fastact equals its
reference twin within the documented bounds on every layout, dtype and
direction; out= and in place; inputs untouched; no warnings."""

import numpy as np
import pytest

import fastact as fa
from fastact._cli import accuracy
from helpers import (
    AXIS,
    DTYPES,
    ELEMENTWISE,
    GRAD_FLOOR,
    REFERENCE_ULP,
    bound,
    case_id,
    cases,
    from_y_allowed,
    get,
    grad_x,
    halves_pairs,
    ones_like_output,
    sample,
    special_values,
    ulp_diff,
)

ALL_CASES = list(cases())
ELEMENTWISE_CASES = list(cases(ELEMENTWISE))


def assert_close(result, expected, dtype, ulp, floor=0.0, what=""):
    assert np.shape(result) == np.shape(expected), what
    assert np.asarray(result).dtype == np.asarray(expected).dtype, what
    err = ulp_diff(result, expected, dtype, floor)
    worst = int(np.argmax(err)) if err.size else 0
    assert err.size == 0 or err.max() <= ulp, (
        f"{what}: {err.max()} ULP > {ulp} at input index {worst}")


def forward_tolerance(row, dtype):
    return bound(row.ulp, dtype) + REFERENCE_ULP[dtype]


def grad_tolerance(row, dtype):
    return bound(row.ulp_grad, dtype) + REFERENCE_ULP[dtype]


def layouts(x):
    """name -> array holding the values of x in another memory layout."""
    n = x.size - x.size % 6
    return {
        "contiguous": x,
        "strided": np.repeat(x, 3)[::3],
        "reversed": x[::-1].copy()[::-1],
        "fortran_2d": np.asfortranarray(x[:n].reshape(6, -1)),
        "c_2d_transposed": x[:n].reshape(-1, 6).T,
        "zero_d": x[7].reshape(()),
        "empty": x[:0],
        "offset_by_one": x[1:],
    }


# ---- forward -------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_forward_matches_reference_on_every_layout(case, dtype):
    row, params = case
    x = sample(dtype)
    if row.kind == "axis":
        x = x[: x.size - x.size % 6]
    for layout, arr in layouts(x).items():
        before = arr.copy()
        if row.halves and (arr.ndim == 0 or arr.shape[-1] % 2):
            for f in (get(row), get(row, reference=True)):      # glu: no halves
                with pytest.raises(ValueError, match="needs an array|must be even"):
                    f(arr, **params)
            continue
        got = get(row)(arr, **params)
        want = get(row, reference=True)(arr, **params)
        assert_close(got, want, dtype, forward_tolerance(row, dtype), what=layout)
        np.testing.assert_array_equal(arr, before, err_msg="input modified")


@pytest.mark.parametrize("case", list(cases(ELEMENTWISE)), ids=case_id)
def test_python_scalar_gives_numpy_scalar(case):
    row, params = case
    got = get(row)(0.75, **params)
    assert isinstance(got, np.float64)
    assert_close(got, get(row, reference=True)(0.75, **params), np.float64,
                 forward_tolerance(row, np.float64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_out_and_in_place(case, dtype):
    row, params = case
    f = get(row)
    x = sample(dtype)[:600].reshape(20, 30)
    want = f(x, **params)
    out = np.full_like(want, 7.0)
    assert f(x, out=out, **params) is out
    np.testing.assert_array_equal(out, want)
    if row.halves:          # glu: the output is half as long; backward in place
        g = np.ones_like(want)
        want = f.backward(g, x, **params)
        inplace = x.copy()
        assert f.backward(g, inplace, out=inplace, **params) is inplace
        np.testing.assert_array_equal(inplace, want)
        return
    inplace = x.copy()
    assert f(inplace, out=inplace, **params) is inplace
    np.testing.assert_array_equal(inplace, want)


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_partial_overlap_same_as_no_overlap(case):
    row, params = case
    f = get(row)
    buf = sample(np.float64)[:1001].copy()
    x = buf[:-1]
    want = f(x.copy(), **params)
    out = buf[1:1 + want.size]
    f(x, out=out, **params)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_float16_computed_in_float32(case):
    row, params = case
    f = get(row)
    x = np.linspace(-8, 8, 400).astype(np.float16)
    got = f(x, **params)
    assert got.dtype == np.float16
    want = f(x.astype(np.float32), **params).astype(np.float16)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(get(row, reference=True)(x, **params), want)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint16, np.int64, np.bool_])
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_integers_and_bool_compute_in_float64(case, dtype):
    row, params = case
    x = (np.arange(-6, 6) % 2 == 0) if dtype == np.bool_ else np.arange(-6, 6) % 100
    x = x.astype(dtype)
    got = get(row)(x, **params)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, get(row)(x.astype(np.float64), **params))


@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_byteswapped_input(case):
    row, params = case
    x = sample(np.float64)[:300]
    swapped = x.astype(x.dtype.newbyteorder())
    np.testing.assert_array_equal(get(row)(swapped, **params), get(row)(x, **params))


# ---- backward and derivative --------------------------------------------

def grad_inputs(dtype):
    x = sample(dtype)
    g = np.random.default_rng(1).normal(size=x.size).astype(dtype)
    return x, g


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=case_id)
def test_backward_and_derivative_match_reference(case, dtype):
    row, params = case
    x, g = grad_inputs(dtype)
    f, ref = get(row), get(row, reference=True)
    tol = grad_tolerance(row, dtype)
    floor = accuracy.grad_floor(row, params, x)      # GRAD_FLOOR or f''s terms
    assert_close(f.derivative(x, **params), ref.derivative(x, **params), dtype, tol,
                 floor, "derivative")
    # backward = g * f'(x): one more rounding
    got, want = f.backward(g, x, **params), ref.backward(g, x, **params)
    assert_close(grad_x(got), grad_x(want), dtype, tol + 1, floor * np.abs(g), "backward")
    if isinstance(want, tuple):     # prelu: dL/dweight, a sum of g * min(x, 0)
        assert isinstance(got, tuple) and len(got) == len(want)
        for a, b in zip(got[1:], want[1:]):
            assert np.shape(a) == np.shape(b)
            np.testing.assert_allclose(a, b, rtol=1e-5 if dtype == np.float32 else 1e-12)
    for layout, arr in layouts(x).items():
        garr = np.ones_like(arr)
        assert_close(grad_x(f.backward(garr, arr, **params)),
                     grad_x(ref.backward(garr, arr, **params)),
                     dtype, tol + 1, accuracy.grad_floor(row, params, arr), layout)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_backward_from_y_equals_backward_from_x(case, dtype):
    """From y, the result carries the error of y itself (up to the forward
    bound, in ULPs of y): allowed is that many times the change one ULP of y
    makes (measured with nextafter), plus the backward bound."""
    row, params = case
    if not from_y_allowed(row, params):
        pytest.skip("the derivative is not a function of the output")
    f, ref = get(row), get(row, reference=True)
    x, g = grad_inputs(dtype)
    if row.kind == "axis":
        x, g = x[:3000].reshape(30, 100), g[:3000].reshape(30, 100)
    y = f(x, **params)
    from_y = f.backward(g, y=y, **params)
    floor = (row.grad_scale(g.astype(np.float64), y.astype(np.float64), -1)
             if row.grad_scale else GRAD_FLOOR * np.abs(g))
    assert_close(from_y, ref.backward(g, y=y, **params), dtype,
                 bound(row.ulp_grad_y, dtype) + REFERENCE_ULP[dtype] + 1,
                 floor, "fastact vs reference from y")
    from_x = f.backward(g, x, **params)
    with np.errstate(all="ignore"):
        up = f.backward(g, y=np.nextafter(y, dtype(np.inf)), **params)
        down = f.backward(g, y=np.nextafter(y, dtype(-np.inf)), **params)
        inherent = np.maximum(np.abs(up - from_y), np.abs(down - from_y))
        inherent = np.where(np.isfinite(inherent), inherent, 0)
    y_error = bound(row.ulp, dtype) + 1
    allowed = (y_error * inherent + (bound(row.ulp_grad_y, dtype) + REFERENCE_ULP[dtype] + 1)
               * np.spacing(np.maximum(np.abs(from_x), GRAD_FLOOR * np.abs(g)).astype(dtype)))
    with np.errstate(invalid="ignore"):      # inf - inf where both overflow
        close = np.abs(from_y.astype(np.float64) - from_x) <= allowed
    # where y overflowed and f' did not (squared_relu beyond sqrt(max)), y no
    # longer tells x: backward from y gives f'(+inf) there
    lost = np.isinf(y) & np.isfinite(from_x)
    bad = ~(close | lost | (from_y == from_x) | (np.isnan(from_y) & np.isnan(from_x)))
    assert not bad.any(), (f"{bad.sum()} values differ, first at x={x[bad][0]!r}: "
                           f"{from_y[bad][0]!r} vs {from_x[bad][0]!r}")


def central_difference(f, x, h):
    """4th-order central difference of f at x with step h."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=case_id)
def test_derivative_against_central_differences(case):
    row, params = case
    f = get(row)
    x = np.linspace(-7.3, 7.3, 997) + np.sqrt(2) / 100   # no grid point on a kink
    h = 1e-3
    fd = central_difference(lambda v: f(v, **params), x, h)
    fd_half = central_difference(lambda v: f(v, **params), x, h / 2)
    smooth = np.abs(fd - fd_half) <= 1e-7 * (1 + np.abs(fd))   # no kink within 2h
    assert smooth.mean() > 0.9
    got = f.derivative(x, **params)
    np.testing.assert_allclose(got[smooth], fd[smooth], rtol=1e-7, atol=1e-9)
    g = np.cos(x)
    np.testing.assert_allclose(grad_x(f.backward(g, x, **params))[smooth], (g * fd)[smooth],
                               rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("case", list(cases(AXIS)), ids=case_id)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_axis_backward_against_central_differences(case, axis):
    row, params = case
    f = get(row)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6, 8)) * 3
    g = rng.normal(size=f(x, axis=axis).shape)

    def loss(v):
        return np.sum(g * f(v, axis=axis))

    numeric = np.zeros_like(x)
    h = 1e-3
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1
        numeric[idx] = central_difference(lambda t, e=e: loss(x + t * e), 0.0, h)
    np.testing.assert_allclose(f.backward(g, x, axis=axis), numeric, rtol=1e-6, atol=1e-9)
    if from_y_allowed(row, params):
        np.testing.assert_allclose(f.backward(g, y=f(x, axis=axis), axis=axis), numeric,
                                   rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("case", [c for c in cases(AXIS) if not c[0].halves], ids=case_id)
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_axis_backward_with_a_broadcast_grad(case, axis):
    """grad with fewer dimensions than x (it broadcasts, not along the axis)
    gives what its explicit broadcast gives, in fastact and its reference:
    a positive axis once meant a different dimension of such a grad (found
    by the thorough hypothesis run)."""
    row, params = case
    x = np.random.default_rng(4).normal(size=(3, 4, 5))
    for f in (get(row), get(row, reference=True)):
        y = f(x, axis=axis)
        for ndim in (1, 2):
            if axis % 3 < 3 - ndim:
                continue                  # would broadcast along the axis: an error
            g = np.random.default_rng(ndim).normal(size=x.shape[-ndim:])
            full = np.broadcast_to(g, x.shape)
            np.testing.assert_allclose(f.backward(g, x, axis=axis), f.backward(full, x, axis=axis),
                                       rtol=1e-13, atol=1e-15)
            if from_y_allowed(row, params):
                np.testing.assert_allclose(f.backward(g, y=y, axis=axis),
                                           f.backward(full, y=y, axis=axis),
                                           rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("case", list(cases(AXIS)), ids=case_id)
def test_axis_any_axis_and_layout(case):
    row, params = case
    f, ref = get(row), get(row, reference=True)
    x = np.random.default_rng(3).normal(size=(6, 8, 10)) * 5
    for arr in (x, np.asfortranarray(x), x[:, ::-2, :], x.transpose(2, 0, 1)):
        for axis in range(-arr.ndim, arr.ndim):
            assert_close(f(arr, axis=axis), ref(arr, axis=axis), np.float64,
                         forward_tolerance(row, np.float64), what=f"axis {axis}")


# ---- special values and warnings ------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_special_values_without_warnings(case, dtype):
    row, params = case
    f, ref = get(row), get(row, reference=True)
    x = special_values(dtype)
    if row.halves:
        x = halves_pairs(x)    # glu: every pair (a, b) of special values
    elif row.kind == "axis":
        x = x.reshape(-1, 1)   # each value its own row
    g = ones_like_output(row, x, params)
    with np.errstate(all="raise"):
        got = f(x, **params)
        gx = grad_x(f.backward(g, x, **params))
        if row.kind != "axis":
            d = f.derivative(x, **params)
    assert_close(got, ref(x, **params), dtype, forward_tolerance(row, dtype), what="forward")
    assert_close(gx, grad_x(ref.backward(g, x, **params)), dtype,
                 grad_tolerance(row, dtype) + 1, GRAD_FLOOR, "backward")
    if row.kind != "axis":
        np.testing.assert_array_equal(d, gx)
    # NaN in -> NaN out (backward: wherever the reference says so, checked above)
    assert np.isnan(got[0]).all()
    # zeros carry the reference's sign (gelu(-inf) = -0, log_sigmoid(inf) = -0,
    # relu(-1) = +0, log_softmax([-0.0]) = log 1 = +0)
    want = ref(x, **params)
    zero = (got == 0) & (want == 0)
    np.testing.assert_array_equal(np.signbit(got[zero]), np.signbit(want[zero]),
                                  err_msg="the signs of zero results")


def test_headline_limits():
    with np.errstate(all="raise"):
        assert fa.sigmoid(-1000.0) == 0.0
        assert fa.softplus(np.float32(1000)) == 1000.0
        assert fa.softplus(1000.0) == 1000.0
        assert fa.sigmoid(np.float32(1000)) == 1.0
        assert fa.tanh(np.inf) == 1.0
        assert fa.softsign(-np.inf) == -1.0
        assert fa.elu(-np.inf) == -1.0
        assert fa.relu(-np.inf) == 0.0 and not np.signbit(fa.relu(-1.0))
        assert fa.silu(-np.inf) == 0.0 and fa.silu(np.inf) == np.inf
        for dtype in (np.float32, np.float64):     # gelu's left tail underflows to -0
            left = fa.gelu(np.array([-np.inf, -1e30, -60.0, -40.0], dtype))
            assert (left == 0).all() and np.signbit(left).all(), left


def test_softmax_rows_with_infinities():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf], [1.0, np.inf]])
    with np.errstate(all="raise"):
        y = fa.softmax(x)
        ly = fa.log_softmax(x)
    assert np.isnan(y[0]).all() and np.isnan(ly[0]).all()     # all -inf row: NaN (PyTorch)
    np.testing.assert_array_equal(y[1], [1.0, 0.0])
    np.testing.assert_array_equal(ly[1], [0.0, -np.inf])
    assert np.isnan(y[2]).all()                                 # +inf entry: NaN (PyTorch)


def test_zero_d_axis_function():
    assert fa.softmax(np.float64(3.0)) == 1.0
    assert fa.log_softmax(2.0) == 0.0


# ---- threads --------------------------------------------------------------

@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_results_do_not_depend_on_thread_count(case):
    row, params = case
    f = get(row)
    x = np.random.default_rng(4).normal(size=(2 * row.min_parallel + 17)) * 10
    if row.kind == "axis":
        x = x[: x.size - x.size % 16].reshape(-1, 16)
    g = ones_like_output(row, x, params)
    with fa.num_threads(1):
        one = f(x, **params)
        gone = grad_x(f.backward(g, x, **params))
    with fa.num_threads(2):
        two = f(x, **params)
        gtwo = grad_x(f.backward(g, x, **params))
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(gone, gtwo)


@pytest.mark.parametrize("beta, overflows", [(5e-324, True), (1e-310, True), (1e-308, False)])
def test_softplus_with_a_beta_so_small_that_ln2_over_beta_overflows(beta, overflows):
    """log(2)/beta beyond float64 gives +inf, as the reference does (a NaN
    from the two-sum of max(x, 0) and an infinite quotient before; found by
    the thorough hypothesis run)."""
    x = np.array([0.377, -0.396, 1.92, 0.0])
    want = fa.reference.softplus(x, beta=beta)
    got = fa.softplus(x, beta=beta)
    assert np.isposinf(want).all() == overflows
    if overflows:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-15)


def test_axis_backward_edge_cases_found_by_the_thorough_run():
    """Regression tests (thorough hypothesis run): an infinite row sum g.y
    with a subnormal factor stays infinite when the sum is redone scaled
    (it was NaN); float32 log_softmax backward multiplies exp(y) by the row
    sum in double, where exp(y) alone is below the float range."""
    y = np.array([0.0, 2.134765625, np.inf, 0.0, 0.0])
    g = np.array([3.0517578125e-05, 25972.859375, 3.76197245742766e-310, 0.3147, -1.607])
    with np.errstate(all="ignore"):
        got = fa.softmax.backward(g, y=y)
    np.testing.assert_array_equal(got[1:3], [-np.inf, -np.inf])
    x = np.array([0.0, 3.078125, 126.4375, -1673.0], np.float32)
    g = np.array([1.4441782e-41, 1.4441782e-41, -1.0180076e+24, 1.5370500e-35], np.float32)
    want = fa.reference.log_softmax.backward(g, x)
    np.testing.assert_allclose(fa.log_softmax.backward(g, x), want, rtol=1e-6)
    assert fa.log_softmax.backward(g, x)[1] > 1e-31     # exp(-123.4) * 1e24, not 1.4e-41


@pytest.mark.parametrize("beta", [1e-296, 1e-200, 1e-30, 0.5, 1.0, 3.0])
def test_softplus_far_left_tail_with_any_beta(beta):
    """beta x < -700: softplus = exp(beta x) / beta, which for a tiny beta
    is far above exp(-800) / beta, what clamping beta x at -800 gave (found
    by the fuzzer: beta = 1e-300, x = -1e308 gave 3.7e-48, not 0)."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    z = -np.concatenate([np.linspace(690, 1500, 200), [700.0, 745.0, 800.0, 1e5]])
    x = z / beta
    x = x[np.abs(x) < 2.0 ** 995]           # beyond, beta * x is rounded (no exact product)
    got = fa.softplus(x, beta=beta)
    want = np.array([float(mpmath.log1p(mpmath.exp(mpmath.mpf(beta) * mpmath.mpf(v)))
                           / mpmath.mpf(beta)) for v in x])
    spacing = np.spacing(np.abs(want))
    ulps = np.abs(got - want) / np.maximum(spacing, 5e-324)
    assert ulps.max() <= 1, (x[np.argmax(ulps)], got[np.argmax(ulps)], want[np.argmax(ulps)])
    assert fa.softplus(-1e308, beta=1e-300) == 0.0      # the fuzzer's case
