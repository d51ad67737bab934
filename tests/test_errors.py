"""Every error path of the contract: the right exception, a message naming
the function and the problem, raised before any work (out untouched)."""

import datetime

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from helpers import ELEMENTWISE, case_id, cases, from_y_allowed

ALL = list(catalog.CATALOG)


def base(row):
    """Parameters that make a valid call (threshold has required ones)."""
    return row.param_sets()[0]

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
        f(x, **base(row))
    g = np.ones(1 if row.halves else 2)
    with pytest.raises(TypeError, match=rf"fastact\.{row.name}"):
        f.backward(g, x, **base(row))


def test_python_objects_that_are_not_numbers():
    with pytest.raises(TypeError, match="fastact.sigmoid"):
        fa.sigmoid("1.0")
    with pytest.raises(TypeError, match="fastact.relu"):
        fa.relu(datetime.date(2024, 1, 1))


def out_cases(n):
    """Bad `out` arguments for a result of n float64 values."""
    readonly = np.zeros(n)
    readonly.flags.writeable = False
    return {
        "read-only": (readonly, ValueError, "read-only"),
        "wrong shape": (np.zeros(n - 1), ValueError, "shape"),
        "wrong dtype": (np.zeros(n, np.float32), TypeError, "dtype"),
        "not an array": ([0.0] * n, TypeError, "NumPy array"),
    }


@pytest.mark.parametrize("problem", list(out_cases(1)))
@pytest.mark.parametrize("row", ALL, ids=lambda r: r.name)
def test_bad_out_raises_and_is_untouched(row, problem):
    x = np.linspace(-2, 2, 12)
    f = getattr(fa, row.name)
    y = f(x, **base(row))               # glu: half as long as x
    for call, n in ((lambda out: f(x, out=out, **base(row)), y.size),
                    (lambda out: f.backward(np.ones_like(y), x, out=out, **base(row)), x.size)):
        bad, exc, words = out_cases(n)[problem]
        before = np.array(bad, copy=True)
        with pytest.raises(exc, match=rf"fastact\.{row.name}(\.backward)?: .*{words}"):
            call(bad)
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
        if p.check == "array":      # any real array; not text or complex
            yield {p.name: [1j]}, TypeError, p.name
            continue
        yield {p.name: [1.0]}, TypeError, p.name
        if p.check == "real":       # NaN and infinities are values too
            yield {p.name: None}, TypeError, p.name
            continue
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
    for bad, exc, words in bad_params(row):
        params = dict(base(row), **bad)
        out = np.full_like(x[: 6 if row.halves else 12], 42.0)
        with pytest.raises(exc, match=rf"fastact\.{row.name}.*{words}"):
            f(x, out=out, **params)
        out = np.full_like(x, 42.0)
        with pytest.raises(exc, match=words):
            f.backward(np.ones(6 if row.halves else 12), x, out=out, **params)
        np.testing.assert_array_equal(out, 42.0)


@pytest.mark.parametrize("row", [r for r in ALL if r.has_required], ids=lambda r: r.name)
def test_missing_required_parameter(row):
    f = getattr(fa, row.name)
    for p in row.params:
        params = {k: v for k, v in base(row).items() if k != p.name}
        with pytest.raises(TypeError, match=rf"fastact\.{row.name}.*missing.*'{p.name}'"):
            f(np.ones(3), **params)
        with pytest.raises(TypeError, match=rf"missing.*'{p.name}'"):
            f.backward(np.ones(3), np.ones(3), **params)


def test_interval_checks():
    out = np.zeros(3)
    with pytest.raises(ValueError, match=r"fastact\.hard_tanh: min_val .* max_val"):
        fa.hard_tanh(np.ones(3), min_val=2.0, max_val=1.0, out=out)
    with pytest.raises(ValueError, match=r"fastact\.celu: alpha must not be 0"):
        fa.celu(np.ones(3), alpha=0.0, out=out)
    with pytest.raises(ValueError, match=r"fastact\.soft_shrink: lambd must be >= 0"):
        fa.soft_shrink(np.ones(3), lambd=-0.5, out=out)
    np.testing.assert_array_equal(out, 0)


def test_glu_shape_errors():
    with pytest.raises(ValueError, match=r"fastact\.glu: the length of axis -1 must be even"):
        fa.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"fastact\.glu: the length of axis 0 must be even"):
        fa.glu(np.ones((3, 2)), axis=0)
    with pytest.raises(ValueError, match=r"fastact\.glu\.backward: grad has shape"):
        fa.glu.backward(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"fastact\.glu: needs an array"):
        fa.glu(1.0)


def test_prelu_weight_must_broadcast():
    with pytest.raises(ValueError, match="broadcast"):
        fa.prelu(np.ones((2, 3)), weight=np.ones(2), out=np.zeros((2, 3)))
    with pytest.raises(ValueError):
        fa.prelu(np.ones((2, 3)), weight=np.ones(2))


def test_relu_max_value_below_threshold():
    out = np.zeros(3)
    with pytest.raises(ValueError, match=r"fastact\.relu: max_value .* threshold"):
        fa.relu(np.ones(3), max_value=0.5, threshold=1.0, out=out)
    np.testing.assert_array_equal(out, 0)


@pytest.mark.parametrize("case", list(cases()), ids=case_id)
def test_backward_argument_rules(case):
    row, params = case
    f = getattr(fa, row.name)
    g = x = np.ones((2, 4))
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
        f.backward(np.ones(3), np.ones(4), **base(row))


def test_unknown_name():
    with pytest.raises(KeyError, match="no activation named 'relu7'"):
        fa.get("relu7")
