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
    with pytest.raises(ValueError, match=r"fastact\.prelu: .*broadcast"):
        fa.prelu(np.ones((2, 3)), weight=np.ones(2), out=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"fastact\.prelu: .*broadcast"):
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
    with pytest.raises(ValueError, match=rf"fastact\.{row.name}: operands with shapes"):
        f.backward(np.ones(3), np.ones(4), **base(row))


def test_unknown_name():
    with pytest.raises(KeyError, match="no activation named 'relu7'"):
        fa.get("relu7")


# ---- more of the contract's bad inputs (issue 7) ---------------------------------

def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


def contract_errors():
    """(label, call, exception, message pattern) for bad inputs beyond the
    tables above: every one must name the function (or, for parameters,
    the parameter) and leave nothing half done."""
    x, g = np.linspace(-2, 2, 6), np.ones(6)
    x32 = x.astype(np.float32)
    table = [
        # shapes that do not broadcast: NumPy's message, with the function
        ("backward grad/x shapes", lambda: fa.sigmoid.backward(np.ones(3), np.ones(4)),
         ValueError, r"fastact\.sigmoid: operands with shapes \(3,\), \(4,\) do not broadcast"),
        ("backward grad/y shapes", lambda: fa.tanh.backward(np.ones((2, 3)), y=np.ones((3, 2))),
         ValueError, r"fastact\.tanh: operands with shapes"),
        ("prelu weight shape", lambda: fa.prelu(np.ones((2, 3)), weight=np.ones(2)),
         ValueError, r"fastact\.prelu: operands with shapes \(2, 3\), \(2,\)"),
        ("prelu backward weight shape",
         lambda: fa.prelu.backward(np.ones((2, 3)), np.ones((2, 3)), weight=np.ones(2)),
         ValueError, r"fastact\.prelu: operands"),
        ("softmax backward grad/y shapes",
         lambda: fa.softmax.backward(np.ones(3), y=np.ones(4)),
         ValueError, r"fastact\.softmax\.backward: grad has shape \(3,\), y has shape \(4,\)"),
        ("softmax backward 0-d grad", lambda: fa.softmax.backward(2.0, y=np.ones(4)),
         ValueError, r"fastact\.softmax\.backward: grad has shape \(\)"),
        ("log_softmax backward grad broadcast along the axis",
         lambda: fa.log_softmax.backward(np.ones((2, 1)), np.ones((2, 5))),
         ValueError, r"fastact\.log_softmax\.backward: grad has shape \(2, 1\), x has shape"),
        ("softmin backward grad of other rank",
         lambda: fa.softmin.backward(np.ones((3, 5)), np.ones(5), axis=0),
         ValueError, r"fastact\.softmin\.backward: grad has shape"),
        # values NumPy cannot make an array of
        ("ragged list", lambda: fa.relu([[1.0], [1.0, 2.0]]),
         ValueError, r"fastact\.relu: .*inhomogeneous"),
        ("ragged grad", lambda: fa.elu.backward([[1.0], [1.0, 2.0]], np.ones(2)),
         ValueError, r"fastact\.elu: .*inhomogeneous"),
        ("glu ragged list", lambda: fa.glu([[1.0, 2.0], [1.0]]),
         ValueError, r"fastact\.glu: .*inhomogeneous"),
        # unsupported dtypes in every operand
        ("complex y", lambda: fa.sigmoid.backward(g, y=g.astype(complex)),
         TypeError, r"fastact\.sigmoid: unsupported dtype complex128"),
        ("string grad from y", lambda: fa.softmax.backward(np.array(["a"]), y=np.ones(1)),
         TypeError, r"fastact\.softmax: unsupported dtype <U1"),
        ("complex grad of glu", lambda: fa.glu.backward(np.ones(3, complex), np.ones(6)),
         TypeError, r"fastact\.glu: unsupported dtype complex128"),
        ("datetime x of softmax", lambda: fa.softmax(np.array(["2024-01-01"], "M8[D]")),
         TypeError, r"fastact\.softmax: unsupported dtype datetime64"),
        ("structured x", lambda: fa.tanh(np.zeros(2, [("a", "f8")])),
         TypeError, r"fastact\.tanh: unsupported dtype"),
        ("None x", lambda: fa.tanh(None), TypeError, r"fastact\.tanh: unsupported dtype object"),
        ("int too large for int64", lambda: fa.tanh([10 ** 30]),
         TypeError, r"fastact\.tanh: unsupported dtype object"),
        ("prelu text weight", lambda: fa.prelu(x, weight="a"),
         TypeError, r"fastact\.prelu: weight must be real numbers"),
        ("prelu ragged weight", lambda: fa.prelu(x, weight=[[1.0], [1.0, 2.0]]),
         TypeError, r"fastact\.prelu: weight must be a number or an array"),
        ("prelu complex weight", lambda: fa.prelu(x, weight=np.ones(6) * 1j),
         TypeError, r"fastact\.prelu: weight must be real numbers, got dtype complex128"),
        # out, for every direction and the float16 paths
        ("derivative read-only out", lambda: fa.gelu.derivative(x, out=_readonly(np.zeros(6))),
         ValueError, r"fastact\.gelu: out is read-only"),
        ("backward from y out shape", lambda: fa.sigmoid.backward(g, y=x, out=np.zeros(5)),
         ValueError, r"fastact\.sigmoid: out has shape \(5,\)"),
        ("float16 out of float32",
         lambda: fa.mish(x.astype(np.float16), out=np.zeros(6, np.float32)),
         TypeError, r"fastact\.mish: out has dtype float32, the result has dtype float16"),
        ("softmax float16 out dtype", lambda: fa.softmax(x.astype(np.float16), out=np.zeros(6)),
         TypeError, r"fastact\.softmax: out has dtype float64, the result has dtype float16"),
        ("glu float16 out shape", lambda: fa.glu(x.astype(np.float16), out=np.zeros(6, np.float16)),
         ValueError, r"fastact\.glu: out has shape \(6,\), the result has shape \(3,\)"),
        ("byte-swapped out", lambda: fa.silu(x, out=np.zeros(6, ">f8")),
         TypeError, r"fastact\.silu: out has dtype >f8"),
        ("out of a broadcast shape", lambda: fa.silu(x, out=np.zeros((2, 6))),
         ValueError, r"fastact\.silu: out has shape \(2, 6\)"),
        ("softmax 0-d out shape", lambda: fa.softmax(1.0, out=np.zeros(1)),
         ValueError, r"fastact\.softmax: out has shape \(1,\), the result has shape \(\)"),
        # parameters: beyond the float range, or not valid once float32 holds them
        ("int beyond float", lambda: fa.elu(x, alpha=10 ** 400),
         ValueError, r"fastact\.elu: alpha is beyond the floating-point range"),
        ("real parameter beyond float", lambda: fa.threshold(x, threshold=0.0, value=-10 ** 400),
         ValueError, r"fastact\.threshold: value is beyond the floating-point range"),
        ("beta 0 in float32", lambda: fa.softplus(x32, beta=1e-300),
         ValueError, r"fastact\.softplus: beta must be > 0, got 0\.0 \(beta=1e-300 in float32"),
        ("alpha infinite in float32", lambda: fa.elu(x32, alpha=1e300),
         ValueError, r"fastact\.elu: alpha must be finite, got inf \(alpha=1e\+300 in float32"),
        ("alpha 0 in float32", lambda: fa.celu(x32, alpha=1e-50),
         ValueError, r"fastact\.celu: alpha must not be 0 \(in float32"),
        ("float16 computes with float32 parameters",
         lambda: fa.hard_tanh(x.astype(np.float16), min_val=-1e39),
         ValueError, r"fastact\.hard_tanh: min_val must be finite"),
        ("backward checks float32 parameters too",
         lambda: fa.leaky_relu.backward(x32, x32, negative_slope=-1e300),
         ValueError, r"fastact\.leaky_relu: negative_slope must be finite"),
        ("numpy array as a scalar parameter", lambda: fa.elu(x, alpha=np.array(2.0)),
         TypeError, r"fastact\.elu: alpha must be a real number"),
        # threads
        ("set_num_threads(0)", lambda: fa.set_num_threads(0),
         ValueError, r"fastact\.set_num_threads: n must be >= 1"),
        ("set_num_threads(1.5)", lambda: fa.set_num_threads(1.5),
         TypeError, r"fastact\.set_num_threads: n must be an integer"),
        ("num_threads('2')", lambda: fa.num_threads("2").__enter__(),
         TypeError, r"fastact\.set_num_threads: n must be an integer"),
    ]
    return table


@pytest.mark.parametrize("label, call, exc, pattern", contract_errors(),
                         ids=[c[0] for c in contract_errors()])
def test_contract_error(label, call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_out_untouched_by_late_errors():
    """Errors found after `out` was checked (shapes, float32 parameters)
    still come before any write."""
    out = np.full(6, 42.0, np.float32)
    with pytest.raises(ValueError):
        fa.softplus(np.ones(6, np.float32), beta=1e-300, out=out)
    with pytest.raises(ValueError):
        fa.sigmoid.backward(np.ones(3, np.float32), np.ones(6, np.float32), out=out)
    np.testing.assert_array_equal(out, 42.0)


def test_parameters_float32_can_hold_are_not_rejected():
    """Rounding to float32 only rejects what the checks reject: a huge
    max_value is "no saturation" (as None), a huge replacement value is
    inf, a subnormal slope stays nonzero; float64 calls keep the value."""
    x = np.array([-2.0, 0.5, 3.0], np.float32)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(fa.relu(x, max_value=1e300), fa.relu(x))
        assert fa.threshold(x, threshold=0.0, value=1e300)[0] == np.inf
        assert fa.leaky_relu(x, negative_slope=1e-40)[0] < 0
        np.testing.assert_array_equal(fa.elu(x.astype(np.float64), alpha=1e300)[1:],
                                      x[1:].astype(np.float64))
        assert fa.softplus(np.float64(1.0), beta=1e-300) > 0
