"""The shortcuts of common calls give what the full argument handling gives.

f(x), f(x, out=), f(x, **params), f.backward(g, x | y=, out=, **params) and
f.derivative(x, out=, **params) on plain float32/float64 arrays skip the
argument handling of fastact/_api/activation.py (the compiled backend's FastCall does
f(x), f(x, out=), softmax's axis=-1 and backward with the defaults in C;
_with_params remembers checked parameters).  Here
each is compared, bit for bit, with a twin that has every shortcut turned
off, and the shortcuts must not accept what the full handling rejects.
"""

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from fastact._api.activation import Activation
from helpers import DTYPES

ROWS = [row for row in catalog.CATALOG if not row.array_params]


def slow_twin(f):
    """f with every shortcut off: each call goes through _call / the
    argument checks."""
    twin = Activation(f.row, f._backend, "fastact")
    twin._fast = twin._plain_params = False
    twin._bwd_x = twin._bwd_y = twin._grad = twin._axis_fwd = twin._axis_bwd_y = None
    twin._halves_bwd = None
    return twin


def inputs(row, dtype, shape=(3, 8)):
    rng = np.random.default_rng(7)
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    return x


def same(a, b):
    assert type(a) is type(b)
    if isinstance(a, tuple):
        for u, v in zip(a, b):
            same(u, v)
        return
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_shortcuts_give_the_full_handlings_results(row, dtype):
    f, twin = fa.get(row.name), slow_twin(fa.get(row.name))
    x = inputs(row, dtype)
    for params in row.param_sets():
        y = f(x, **params)
        same(y, twin(x, **params))
        out, twin_out = np.empty_like(y), np.empty_like(y)
        assert f(x, out=out, **params) is out
        twin(x, out=twin_out, **params)
        same(out, twin_out)
        if row.kind == catalog.AXIS and not params:     # axis naming the last axis
            for axis in (-1, x.ndim - 1):
                same(f(x, axis=axis), twin(x, axis=axis))
                assert f(x, axis=axis, out=out) is out
                same(out, twin_out)
        g = np.linspace(-2, 2, y.size).astype(dtype).reshape(y.shape)
        same(f.backward(g, x, **params), twin.backward(g, x, **params))
        if twin._from_y_allowed(twin._resolve(params)[3]):
            same(f.backward(g, y=y, **params), twin.backward(g, y=y, **params))
            if row.kind == catalog.AXIS:
                out, twin_out = np.empty_like(y), np.empty_like(y)
                assert f.backward(g, y=y, out=out, **params) is out
                twin.backward(g, y=y, out=twin_out, **params)
                same(out, twin_out)
        if row.halves:
            out, twin_out = np.empty_like(x), np.empty_like(x)
            assert f.backward(g, x, out=out, **params) is out
            twin.backward(g, x, out=twin_out, **params)
            same(out, twin_out)
        if row.kind == catalog.ELEMENTWISE:
            out, twin_out = np.empty_like(x), np.empty_like(x)
            f.backward(g, x, out=out, **params)
            twin.backward(g, x, out=twin_out, **params)
            same(out, twin_out)
            same(f.derivative(x, **params), twin.derivative(x, **params))
            f.derivative(x, out=out, **params)
            twin.derivative(x, out=twin_out, **params)
            same(out, twin_out)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_shortcuts_reject_what_the_full_handling_rejects(row):
    f = fa.get(row.name)
    params = row.param_sets()[0]
    x = inputs(row, np.float64, (4, 6))
    if row.halves:
        return
    bad_outs = {
        "float32 out": np.empty(x.shape, np.float32),
        "byte-swapped out": np.empty(x.shape, ">f8"),
        "read-only out": np.empty(x.shape),
        "wrong shape out": np.empty((4, 5)),
    }
    bad_outs["read-only out"].flags.writeable = False
    swapped = x.astype(">f8")       # results are native: a swapped out is refused
    for out in bad_outs.values():
        for x_in in (x, swapped):
            with pytest.raises((TypeError, ValueError), match=f"fastact.{row.name}: out"):
                f(x_in, out=out, **params)
            if row.kind == catalog.ELEMENTWISE:
                with pytest.raises((TypeError, ValueError), match=f"fastact.{row.name}: out"):
                    f.derivative(x_in, out=out, **params)
                with pytest.raises((TypeError, ValueError), match=f"fastact.{row.name}: out"):
                    f.backward(x_in, x_in, out=out, **params)


@pytest.mark.parametrize("row", [r for r in ROWS if r.numeric_params], ids=lambda r: r.name)
def test_remembered_parameters_are_checked_again_for_each_type(row):
    """True == 1 == 1.0 as dict keys: a value a check rejects must not be
    taken for an accepted one remembered before."""
    f = fa.get(row.name)
    params = dict(row.param_sets()[0])
    name = row.numeric_params[0].name
    if params.get(name) is None:
        params[name] = 1.0
    x = inputs(row, np.float32)
    f(x, **params)
    bad = dict(params, **{name: "1"})
    with pytest.raises((TypeError, ValueError), match=f"fastact.{row.name}"):
        f(x, **bad)
    with pytest.raises((TypeError, ValueError), match=f"fastact.{row.name}"):
        f(x, **dict(params, **{name: float("nan")}))


def test_remembered_parameters_follow_the_dtype():
    """beta = 1e-300 is fine in float64 but 0 in float32: the float32 call
    must still raise after a float64 call with the same value."""
    x64 = np.linspace(-3, 3, 7)
    fa.softplus(x64, beta=1e-300)
    with pytest.raises(ValueError, match="fastact.softplus"):
        fa.softplus(x64.astype(np.float32), beta=1e-300)


def test_out_aliasing_the_input_is_in_place():
    x = np.linspace(-4, 4, 101)
    want = fa.sigmoid(x)
    assert fa.sigmoid(x, out=x) is x
    np.testing.assert_array_equal(x, want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_weight_shortcuts_give_the_full_handlings_results(dtype):
    """prelu's common calls (default weight in C, numbers and same-dtype
    weight arrays that broadcast to x's shape in _plain_weights) against the
    full handling; every other weight still takes the full handling, which
    converts it to x's dtype or names the function in its error."""
    f = fa.prelu
    twin = Activation(f.row, f._backend, "fastact")     # no C fast path
    twin._ufunc_weights = False
    x = inputs(f.row, dtype)
    g = np.linspace(-2, 2, x.size).astype(dtype).reshape(x.shape)
    weights = [{}, {"weight": -0.5}, {"weight": 2}, {"weight": np.full(8, 0.1, dtype)},
               {"weight": np.linspace(0, 1, 3).astype(dtype)[:, None]},
               {"weight": np.full(8, 0.1, np.float64 if dtype == np.float32 else np.float32)},
               {"weight": 1e300}, {"weight": np.array(0.3, dtype)}]
    for params in weights:
        same(f(x, **params), twin(x, **params))
        out, twin_out = np.empty_like(x), np.empty_like(x)
        assert f(x, out=out, **params) is out
        twin(x, out=twin_out, **params)
        same(out, twin_out)
        same(f.backward(g, x, **params), twin.backward(g, x, **params))
        grads = f.backward(g, x, out=out, **params)
        assert grads[0] is out
        same(grads, twin.backward(g, x, out=twin_out, **params))
    for bad in (np.ones(5, dtype), np.ones((2, 8), dtype), "0.25"):
        with pytest.raises((TypeError, ValueError), match="fastact.prelu"):
            f(x, weight=bad)
        with pytest.raises((TypeError, ValueError), match="fastact.prelu"):
            f.backward(g, x, weight=bad)
