"""Every error path of the contract: the right exception, a message naming
the function and the problem, raised before any work (out untouched)."""

import datetime

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from helpers import ELEMENTWISE, case_id, cases, from_y_allowed

ALL = list(catalog.CATALOG)

BAD_DTYPES = {
    "complex": np.array([1 + 2j, 3j]),
    "object": np.array([1.0, None], dtype=object),
    "string": np.array(["a", "b"]),
    "datetime": np.array([np.datetime64("2024-01-01")] * 2),
    "timedelta": np.array([np.timedelta64(1, "s")] * 2),
    "longdouble": np.array([1.0, 2.0], dtype=np.longdouble),
}


@pytest.mark.parametrize("kind", BAD_DTYPES)
@pytest.mark.parametrize("row", ALL, ids=lambda r: r.name)
def test_unsupported_dtype_names_function_and_dtype(row, kind):
    if kind == "longdouble" and np.dtype(np.longdouble) == np.float64:
        pytest.skip("longdouble is float64 on this platform")
    f = getattr(fa, row.name)
    x = BAD_DTYPES[kind]
    with pytest.raises(TypeError, match=rf"fastact\.{row.name}: unsupported dtype"):
        f(x)
    g = np.ones(2)
    with pytest.raises(TypeError, match=rf"fastact\.{row.name}"):
        f.backward(g, x)


def test_python_objects_that_are_not_numbers():
    with pytest.raises(TypeError, match="fastact.sigmoid"):
        fa.sigmoid("1.0")
    with pytest.raises(TypeError, match="fastact.relu"):
        fa.relu(datetime.date(2024, 1, 1))


def out_cases():
    x = np.linspace(-2, 2, 12)
    readonly = np.zeros(12)
    readonly.flags.writeable = False
    return {
        "read-only": (readonly, ValueError, "read-only"),
        "wrong shape": (np.zeros(11), ValueError, "shape"),
        "wrong dtype": (np.zeros(12, np.float32), TypeError, "dtype"),
        "not an array": ([0.0] * 12, TypeError, "NumPy array"),
    }, x


@pytest.mark.parametrize("problem", list(out_cases()[0]))
@pytest.mark.parametrize("row", ALL, ids=lambda r: r.name)
def test_bad_out_raises_and_is_untouched(row, problem):
    bad, exc, words = out_cases()[0][problem]
    x = out_cases()[1]
    f = getattr(fa, row.name)
    before = np.array(bad, copy=True)
    with pytest.raises(exc, match=rf"fastact\.{row.name}: out .*{words}|{words}"):
        f(x, out=bad)
    with pytest.raises(exc, match=rf"fastact\.{row.name}"):
        f.backward(np.ones_like(x), x, out=bad)
    np.testing.assert_array_equal(np.asarray(bad), before)


def bad_params(row):
    """(params, exception, words) that every check of the row must reject."""
    for p in row.params:
        if p.check == "int":
            yield {p.name: 1.5}, TypeError, p.name
            yield {p.name: "0"}, TypeError, p.name
            continue
        if p.check == "choice":
            yield {p.name: "nonsense"}, ValueError, p.name
            continue
        yield {p.name: "1"}, TypeError, p.name
        yield {p.name: [1.0]}, TypeError, p.name
        for value in (np.nan, np.inf, -np.inf):
            yield {p.name: value}, ValueError, p.name
        if p.check == "positive":
            yield {p.name: 0.0}, ValueError, p.name
            yield {p.name: -1.0}, ValueError, p.name
        if p.check == "finite":
            yield {p.name: None}, TypeError, p.name
    yield {"no_such_parameter": 1.0}, TypeError, "no_such_parameter"


@pytest.mark.parametrize("row", ALL, ids=lambda r: r.name)
def test_bad_parameters_raise_before_any_work(row):
    f = getattr(fa, row.name)
    x = np.linspace(-3, 3, 12)
    for params, exc, words in bad_params(row):
        out = np.full_like(x, 42.0)
        with pytest.raises(exc, match=rf"fastact\.{row.name}.*{words}"):
            f(x, out=out, **params)
        with pytest.raises(exc, match=words):
            f.backward(np.ones_like(x), x, out=out, **params)
        np.testing.assert_array_equal(out, 42.0)


def test_relu_max_value_below_threshold():
    out = np.zeros(3)
    with pytest.raises(ValueError, match=r"fastact\.relu: max_value .* threshold"):
        fa.relu(np.ones(3), max_value=0.5, threshold=1.0, out=out)
    np.testing.assert_array_equal(out, 0)


@pytest.mark.parametrize("case", list(cases()), ids=case_id)
def test_backward_argument_rules(case):
    row, params = case
    f = getattr(fa, row.name)
    g = x = np.ones((2, 3))
    with pytest.raises(TypeError, match=rf"fastact\.{row.name}\.backward: pass exactly one"):
        f.backward(g, **params)
    with pytest.raises(TypeError, match="exactly one"):
        f.backward(g, x, y=x, **params)
    if not from_y_allowed(row, params):
        with pytest.raises(TypeError, match=rf"fastact\.{row.name}\.backward: y= is not supported"):
            f.backward(g, y=x, **params)


def test_axis_errors():
    x = np.ones((2, 3))
    for row in catalog.CATALOG:
        if row.kind != catalog.AXIS:
            continue
        f = getattr(fa, row.name)
        with pytest.raises(np.exceptions.AxisError, match=rf"fastact\.{row.name}: axis 2"):
            f(x, axis=2)
        with pytest.raises(TypeError, match="axis must be an integer"):
            f(x, axis=1.0)
        with pytest.raises(TypeError, match="not elementwise"):
            f.derivative(x)


@pytest.mark.parametrize("row", ELEMENTWISE, ids=lambda r: r.name)
def test_incompatible_shapes(row):
    f = getattr(fa, row.name)
    with pytest.raises(ValueError):
        f.backward(np.ones(3), np.ones(4))


def test_unknown_name():
    with pytest.raises(KeyError, match="no activation named 'relu7'"):
        fa.get("relu7")
