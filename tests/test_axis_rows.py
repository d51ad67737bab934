"""Row kernels of the axis functions (fa_rows.h, glu in formulas.h): the end of a row that is
not a whole block of FA_LANES (16) elements, strided rows, and float32
log_softmax backward (each element its own formula, exp(y) in double, at
the bound's scale where the terms cancel or exp(y) is below float range)."""

import numpy as np
import pytest

import fastact as fa
from helpers import AXIS, DTYPES, bound

# 1025 and 3000: float32 softmax sums segments of 1024 elements (fa_rows.h)
LENGTHS = (1, 2, 15, 16, 17, 31, 33, 100, 1000, 1025, 3000)


def bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


def row_calls(f, row, x, g):
    """forward and backward of one axis function on rows of x (last axis)."""
    if row.halves:
        gh = g[..., : x.shape[-1] // 2]
        return {"forward": f(x), "backward": f.backward(gh, x)}
    y = f(x)
    return {"forward": y, "backward": f.backward(g, y=y)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", AXIS, ids=lambda r: r.name)
def test_strided_rows_match_contiguous_at_every_row_end(row, dtype):
    # the last partial block of a row is summed from a padded copy: a
    # strided row must give the same bits
    rng = np.random.default_rng(11)
    for n in LENGTHS:
        if row.halves and n % 2:
            continue
        x = (rng.normal(size=(3, n)) * 4).astype(dtype)
        g = rng.normal(size=(3, n)).astype(dtype)
        want = row_calls(fa.get(row.name), row, x, g)
        xs = np.repeat(x, 2, axis=1)[:, ::2]           # stride 2 along the row
        gs = np.repeat(g, 2, axis=1)[:, ::2]
        got = row_calls(fa.get(row.name), row, xs, gs)
        for key in want:
            np.testing.assert_array_equal(bits(got[key]), bits(want[key]),
                                          err_msg=f"{row.name} {key}, n = {n}")
        # rows along axis 0 (Fortran order): strides of a whole row
        f = fa.get(row.name)
        np.testing.assert_array_equal(bits(f(x.T, axis=0).T), bits(want["forward"]),
                                      err_msg=f"{row.name} axis 0, n = {n}")


@pytest.mark.parametrize("n", LENGTHS)
def test_float32_row_sums_against_float64_numpy(n):
    # softmax and its backward against a float64 NumPy formula, every row end
    # (float64 results need the mpmath oracle: test_accuracy.py)
    dtype = np.float32
    rng = np.random.default_rng(n)
    x = (rng.normal(size=(4, n)) * 3).astype(dtype)
    g = rng.normal(size=(4, n)).astype(dtype)
    x64, g64 = x.astype(np.float64), g.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=-1, keepdims=True))
    y64 = e / e.sum(axis=-1, keepdims=True)
    y = fa.softmax(x)
    tol = np.finfo(dtype).eps * 4
    np.testing.assert_allclose(y, y64, rtol=tol, atol=0)
    grad = fa.softmax.backward(g, y=y)
    yy = y.astype(np.float64)                           # backward of the y given
    want = yy * (g64 - (g64 * yy).sum(axis=-1, keepdims=True))
    scale = np.abs(yy) * (np.abs(g64) + np.abs(g64 * yy).sum(axis=-1, keepdims=True))
    assert np.all(np.abs(grad - want) <= tol * scale + np.finfo(dtype).tiny)


def test_log_softmax_backward_value_does_not_depend_on_far_neighbours():
    # one y far below the others: the other elements (same g, y and row
    # sum of g) keep their bits
    rng = np.random.default_rng(5)
    for n in (5, 16, 40, 1000):
        y = -rng.uniform(0.1, 10, size=n).astype(np.float32)
        g = rng.normal(size=n).astype(np.float32)
        far = y.copy()
        far[n // 2] = -200.0
        near_out = fa.log_softmax.backward(g, y=y)
        far_out = fa.log_softmax.backward(g, y=far)
        keep = np.arange(n) != n // 2
        np.testing.assert_array_equal(bits(far_out[keep]), bits(near_out[keep]))
        # and each is right to the bound's scale (terms |g| + exp(y) |sum g|)
        for yy, out in ((y, near_out), (far, far_out)):
            y64, g64 = yy.astype(np.float64), g.astype(np.float64)
            want = g64 - np.exp(y64) * g64.sum()
            scale = np.abs(g64) + np.exp(y64) * np.abs(g64).sum()
            assert np.all(np.abs(out - want) <= 4 * np.finfo(np.float32).eps * scale)


def test_log_softmax_backward_float32_far_tail_exact_limits():
    # y below the float exp range still meets a large sum(g): exp(y) sum(g)
    # is a normal float although exp(y) alone is not
    y = np.array([-95.0, -1.0, -0.5], np.float32)
    g = np.array([0.0, 3e30, 3e30], np.float32)
    out = fa.log_softmax.backward(g, y=y)
    total = g.astype(np.float64).sum()
    want = g.astype(np.float64) - np.exp(y.astype(np.float64)) * total
    np.testing.assert_allclose(out, want, rtol=4 * np.finfo(np.float32).eps)
    assert out[0] != 0


def test_log_softmax_backward_keeps_its_accuracy_where_the_terms_cancel():
    """g - exp(y) sum(g) cancelling to ~1e-6 of its terms (found by the
    property test): the float16 result, computed in float32, is within the
    bound in ULPs of the terms |g| + exp(y) |sum g| (docs/design.md, Numerics),
    not of the cancelled result (9 of those)."""
    x = np.array([21.671875, 19.125, -13.9765625, 21.390625, -35.71875, 9.375,
                  14.4453125, 3.431640625], np.float16)
    got = fa.log_softmax.backward(x, x).astype(np.float64)
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max()) / np.exp(x64 - x64.max()).sum()       # exp(y)
    want = x64 - e * x64.sum()
    terms = np.abs(x64) + e * np.abs(x64).sum()
    err = np.abs(got - want) / np.spacing(terms.astype(np.float16)).astype(np.float64)
    assert err.max() <= fa.log_softmax.row.ulp_grad_y.float32


def test_log_softmax_backward_float32_sum_of_g_whose_float_pairs_overflow():
    """sum(g) adds g_j + g_(j+16) in float first: 3e38 + 3e38 overflows
    where the row's sum does not, and the sum is then taken again with
    each term in double.  The result is finite and within the bound of the
    terms |g| + exp(y) sum|g|."""
    g = np.zeros(40, np.float32)
    g[[0, 16]], g[[1, 17]], g[2] = 3e38, -3e38, 1.0
    y = np.full(40, np.log(1 / 40), np.float32)
    got = fa.log_softmax.backward(g, y=y).astype(np.float64)
    g64, e = g.astype(np.float64), np.exp(y.astype(np.float64))
    want = g64 - e * g64.sum()
    terms = np.abs(g64) + e * np.abs(g64).sum()
    assert np.isfinite(got).all()
    err = np.abs(got - want) / np.spacing(terms.astype(np.float32)).astype(np.float64)
    assert err.max() <= fa.log_softmax.row.ulp_grad_y.float32


def test_glu_backward_float64_keeps_normal_results_in_the_tails():
    """g sigmoid(b) and g a sigmoid(b) (1 - sigmoid(b)) are normal numbers
    here (but the second of the second pair, which underflows) although
    exp(-|b|) is below the float64 range (|b| > 745, either sign for the
    second): never 0, and within the bound of the result itself, not only
    of the terms.  (The formula of the baseline and AVX2 builds returned 0
    for all of them before session 14.)"""
    import oracle
    g = np.array([[5.286e103, 5.779e116, 6.932e132, 9.892e75, -3.812e78]])
    a = np.array([1.194e124, -1.548e-83, -1.429e60, -3.988e78, 1.794e78])
    b = np.array([-770.527, -856.694, 1143.11, 798.221, 802.664])
    x = np.concatenate([a, b])[None, :]
    got = fa.glu.backward(g, x)
    want = oracle.oracle_glu_backward(g, x, axis=-1, rounded=False)
    tiny = np.finfo(np.float64).tiny
    nonzero = np.array([[1, 1, 0, 0, 0, 1, 0, 1, 1, 1]], bool)    # da of b > 0 is g
    assert (np.abs(got[nonzero]) >= tiny).all()
    assert oracle.ulp_error(got, want, np.float64).max() <= fa.glu.row.ulp_grad_y.float64


HALVES = [row for row in AXIS if row.halves]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", HALVES, ids=lambda r: r.name)
def test_halves_value_does_not_depend_on_far_pairs(row, dtype):
    """float32 glu runs a row in float lanes only when every pair is in
    their range, else pair by pair: a pair's result (forward, and backward
    from x) must not change when another pair of its row leaves that range
    (a huge b, a tiny or huge a, an infinite gradient)."""
    f = fa.get(row.name)
    rng = np.random.default_rng(11)
    m = 64
    a, b = rng.normal(size=m) * 3, rng.normal(size=m) * 3
    g = rng.normal(size=m)
    x = np.concatenate([a, b]).astype(dtype)
    grad = g.astype(dtype)
    y0, d0 = f(x), f.backward(grad, x)
    for k, (ak, bk, gk) in enumerate([(1.0, 100.0, 1.0), (1e-30, 1.0, 1.0),
                                      (1e30, -5.0, 1.0), (1.0, 1.0, 1e30)]):
        x1, g1 = x.copy(), grad.copy()
        j = 7 + k
        x1[j], x1[m + j], g1[j] = ak, bk, gk
        with np.errstate(all="ignore"):
            y1, d1 = f(x1), f.backward(g1, x1)
        keep = np.arange(m) != j
        np.testing.assert_array_equal(y1[keep], y0[keep])
        np.testing.assert_array_equal(d1[:m][keep], d0[:m][keep])
        np.testing.assert_array_equal(d1[m:][keep], d0[m:][keep])


@pytest.mark.skipif(np.finfo(np.longdouble).nmant < 60, reason="needs an 80-bit long double")
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_float32_rows_with_a_dominant_pair_within_the_catalog_bound(name):
    # Rows where two elements 16 apart (one lane's pair of a block) dominate
    # the sum, and rows with ties at the max: the sum's own rounding then
    # reaches every result (a float pair sum put softmax at 2.4 ULP).
    limit = bound(next(r for r in AXIS if r.name == name).ulp, np.float32)
    rng = np.random.default_rng(12)
    worst = 0.0
    for n in (33, 1000, 3000):
        x = (rng.normal(size=(300, n)) * 3).astype(np.float32)
        x[:150, 0] += 30
        x[:150, 16] += 30
        x[150:, 5] = x[150:, 7] = x[150:].max(axis=-1) + 1       # ties at the max
        got = getattr(fa, name)(x, axis=-1)
        xl = -x.astype(np.longdouble) if name == "softmin" else x.astype(np.longdouble)
        m = xl.max(axis=-1, keepdims=True)
        e = np.exp(xl - m)
        tie = xl == m
        rest = np.where(tie, 0, e).sum(axis=-1, keepdims=True) + (tie.sum(-1, keepdims=True) - 1)
        want = xl - m - np.log1p(rest) if name == "log_softmax" else e / (1 + rest)
        spacing = np.spacing(np.abs(want.astype(np.float32))).astype(np.longdouble)
        worst = max(worst, float((np.abs(got - want) / spacing).max()))
    assert worst <= limit, f"{name}: {worst:.3f} ULP > {limit}"
