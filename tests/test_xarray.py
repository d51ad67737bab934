"""fastact on xarray objects (fastact/_api/duck.py): a DataArray in gives a
DataArray out with the same dims, coords and name; attributes follow
xarray's rule for NumPy ufuncs (the keep_attrs option); axis-wise functions
take a dimension name as axis=; glu halves that dimension and drops its
coordinates; Dask-backed DataArrays stay lazy.  Skipped when xarray is not
installed.
"""

import numpy as np
import pytest

import fastact as fa
from helpers import case_id, cases, from_y_allowed

xr = pytest.importorskip("xarray")

CASES = list(cases())


def labelled(x, name="z"):
    """x (batch, feature) with index coords, a non-index coord and attrs."""
    batch, feature = x.shape
    return xr.DataArray(
        x, dims=("batch", "feature"), name=name, attrs={"units": "volt"},
        coords={"batch": np.arange(batch) * 10, "feature": [f"f{i}" for i in range(feature)],
                "weight_of": ("feature", np.linspace(0, 1, feature))})


def inputs():
    return np.random.default_rng(9).normal(0.0, 3.0, size=(4, 6))


def check_like(result, x_like, values, name="z"):
    """A DataArray with x_like's dims and coords, `name`, and `values`."""
    assert isinstance(result, xr.DataArray)
    assert result.dims == x_like.dims
    assert result.name == name
    xr.testing.assert_identical(result.coords.to_dataset(), x_like.coords.to_dataset())
    np.testing.assert_array_equal(result.values, values)


def check_backward(result, x_like, expected):
    """grad_x like x; prelu's grad_weight (a scalar weight here) as NumPy's."""
    if isinstance(expected, tuple):
        assert isinstance(result, tuple) and len(result) == len(expected)
        for got, want in zip(result[1:], expected[1:]):
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-14)
            assert np.shape(got) == np.shape(want)
        result, expected = result[0], expected[0]
    check_like(result, x_like, expected)


def axis_kw(row, params, dim):
    return {**params, "axis": dim} if row.kind == "axis" else params


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_function_keeps_dims_coords_and_name(case):
    row, params = case
    f = fa.get(row.name)
    x = inputs()
    a = labelled(x)
    if row.halves:
        return              # glu: test_glu_halves_the_dimension
    # axis given as a dimension name, or left at its default (-1 = feature)
    for dim, axis in ((None, -1), ("batch", 0), ("feature", 1)):
        kw = axis_kw(row, params, dim) if dim else params
        num = {**params, "axis": axis} if row.kind == "axis" else params
        if dim and row.kind != "axis":
            continue
        check_like(f(a, **kw), a, f(x, **num))
        y = f(x, **num)
        g = np.random.default_rng(1).normal(size=y.shape)
        grad = labelled(g, "g")
        check_backward(f.backward(grad, a, **kw), a, f.backward(g, x, **num))
        if from_y_allowed(row, num):
            check_like(f.backward(grad, y=f(a, **kw), **kw), a, f.backward(g, y=y, **num))
        if row.kind == "elementwise":
            check_like(f.derivative(a, **kw), a, f.derivative(x, **num))


def test_dimension_order_and_position_axis():
    """A transposed DataArray keeps its order; axis may also be a position."""
    x = inputs()
    a = labelled(x).transpose("feature", "batch")
    check_like(fa.softmax(a, axis="batch"), a, fa.softmax(x, axis=0).T)
    check_like(fa.softmax(a, axis=0), a, fa.softmax(x, axis=1).T)
    check_like(fa.log_softmax(a), a, fa.log_softmax(x.T))
    # grad in another dimension order than x: aligned by name
    g = labelled(np.ones_like(x), "g")
    check_like(fa.tanh.backward(g, a), a, fa.tanh.backward(np.ones_like(x), x).T)


def test_glu_halves_the_dimension():
    x = inputs()
    a = labelled(x)
    out = fa.glu(a, axis="feature")
    assert out.dims == ("batch", "feature") and out.shape == (4, 3)
    np.testing.assert_array_equal(out.values, fa.glu(x, axis=1))
    assert "feature" not in out.coords and "weight_of" not in out.coords    # dropped
    xr.testing.assert_identical(out.batch, a.batch)
    g = np.random.default_rng(2).normal(size=(4, 3))
    back = fa.glu.backward(xr.DataArray(g, dims=("batch", "feature")), a, axis="feature")
    check_like(back, a, fa.glu.backward(g, x, axis=1))       # x's coords again
    out = fa.glu(a, axis="batch")
    assert out.shape == (2, 6)
    np.testing.assert_array_equal(out.values, fa.glu(x, axis=0))


@pytest.mark.parametrize("keep", [True, False])
def test_attrs_follow_xarray_keep_attrs_like_numpy_ufuncs(keep):
    a = labelled(inputs())
    with xr.set_options(keep_attrs=keep):
        expected = np.exp(a).attrs
        assert fa.sigmoid(a).attrs == expected
        assert fa.softmax(a, axis="batch").attrs == expected
        assert fa.gelu.derivative(a).attrs == expected
    assert expected == ({"units": "volt"} if keep else {})
    assert fa.sigmoid(a).attrs == np.exp(a).attrs        # the default


def test_dask_backed_stays_lazy():
    dask_array = pytest.importorskip("dask.array")
    x = inputs()
    a = labelled(x).chunk({"batch": 2, "feature": 2})
    for result, expected in (
            (fa.silu(a, beta=2.0), fa.silu(x, beta=2.0)),
            (fa.softmax(a, axis="batch"), fa.softmax(x, axis=0)),
            (fa.glu(a, axis="feature"), fa.glu(x, axis=1)),
            (fa.sigmoid.backward(a, y=a), fa.sigmoid.backward(x, y=x))):
        assert isinstance(result.data, dask_array.Array)
        np.testing.assert_array_equal(result.compute().values, expected)


def test_prelu_weight_by_dimension_name():
    x = inputs()
    a = labelled(x)
    w = xr.DataArray(np.linspace(-0.3, 0.3, 4), dims="batch", name="w")
    check_like(fa.prelu(a, weight=w), a, fa.prelu(x, weight=w.values[:, None]))
    g = np.random.default_rng(3).normal(size=x.shape)
    gx, gw = fa.prelu.backward(labelled(g, "g"), a, weight=w)
    want_gx, want_gw = fa.prelu.backward(g, x, weight=w.values[:, None])
    check_like(gx, a, want_gx)
    assert isinstance(gw, xr.DataArray) and gw.dims == ("batch",) and gw.name == "w"
    np.testing.assert_allclose(gw.values, want_gw.ravel(), rtol=1e-14)
    # a NumPy weight broadcasts as in NumPy (trailing dimensions)
    wn = np.linspace(-0.5, 0.5, 6)
    gx, gw = fa.prelu.backward(labelled(g, "g"), a, weight=wn)
    want_gx, want_gw = fa.prelu.backward(g, x, weight=wn)
    check_like(gx, a, want_gx)
    assert isinstance(gw, np.ndarray) and gw.shape == (6,)
    np.testing.assert_allclose(gw, want_gw, rtol=1e-14)


def test_dataset_applies_to_each_variable():
    a = labelled(inputs())
    ds = xr.Dataset({"p": a, "q": 2 * a})
    out = fa.softmax(ds, axis="batch")
    assert isinstance(out, xr.Dataset) and set(out.data_vars) == {"p", "q"}
    np.testing.assert_array_equal(out.q.values, fa.softmax(2 * a.values, axis=0))
    with pytest.raises(TypeError, match="fastact.sigmoid.backward: pass DataArrays"):
        fa.sigmoid.backward(ds, ds)


def test_errors():
    a = labelled(inputs())
    with pytest.raises(ValueError, match="fastact.softmax: axis 'time' is not a dimension"):
        fa.softmax(a, axis="time")
    with pytest.raises(np.exceptions.AxisError, match="fastact.softmax: axis 2 is out of"):
        fa.softmax(a, axis=2)
    with pytest.raises(TypeError, match="fastact.tanh: out= is not supported with xarray"):
        fa.tanh(a, out=np.empty(a.shape))
    with pytest.raises(ValueError, match="fastact.elu: alpha must be finite"):
        fa.elu(a, alpha=np.inf)
    with pytest.raises(ValueError, match="fastact.glu: the length of axis -1 must be even"):
        fa.glu(a.isel(feature=slice(0, 5)))
    with pytest.raises(ValueError):         # misaligned coordinates: xarray's exact join
        fa.tanh.backward(a, a.assign_coords(batch=a.batch + 1))
