"""fastact.nn: what the activation layers keep, in-place layers, lookup,
gradients of Dense/Sequential against central differences, docs/nn.md."""

import os
import re

import numpy as np
import pytest

import fastact as fa
from fastact import catalog, nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# Every row with each parameter set the catalog exercises.
CASES = [(row, params) for row in catalog.CATALOG for params in row.param_sets()]


def case_id(case):
    row, params = case
    return row.name + ("[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"
                       if params else "")


def saves_output(row, params):
    return row.from_y_allowed(fa.get(row.name)._resolve(params)[3])


def layer_params(row, params):
    """prelu's scalar weight becomes a per-channel array (8 channels)."""
    params = dict(params)
    if row.array_params:
        params["weight"] = np.linspace(-0.5, 0.5, 8) + params.get("weight", 0.25)
    return params


# ---- gradient check ------------------------------------------------------------

def numeric_gradient(loss, array, eps=1e-6):
    """Central differences of loss() with respect to every element of array."""
    grad = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        keep = array[index]
        array[index] = keep + eps
        up = loss()
        array[index] = keep - eps
        down = loss()
        array[index] = keep
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_sequential_gradients_match_central_differences(case):
    row, params = case
    rng = np.random.default_rng(7)
    act = nn.Activation(row.name, **layer_params(row, params))
    width_after = 4 if row.halves else 8
    model = nn.Sequential(nn.Dense(3, 8, rng=rng), act, nn.Dense(width_after, 2, rng=rng))
    for layer in model.layers:                      # nonzero biases
        if isinstance(layer, nn.Dense):
            layer.bias[...] = rng.standard_normal(layer.bias.shape)
    x = rng.standard_normal((5, 3))
    weights = rng.standard_normal((5, 2))            # L = sum(weights * model(x))

    def loss():
        return float(np.sum(weights * model.forward(x)))

    model.zero_grad()
    model.forward(x)
    grad_x = model.backward(weights)
    assert act.saved is None                         # backward released it
    checks = [(x, grad_x)] + [(p, g.copy()) for p, g in model.params()]
    assert len(checks) == 5 + len(row.array_params)
    for array, analytic in checks:
        np.testing.assert_allclose(analytic, numeric_gradient(loss, array),
                                   rtol=1e-6, atol=1e-7)


def test_gradient_check_catches_a_wrong_gradient():
    """The check above fails when backward is wrong."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Dense(3, 4, rng=rng), "tanh", nn.Dense(4, 1, rng=rng))
    x = rng.standard_normal((2, 3))
    model.forward(x)
    wrong = 1.01 * model.backward(np.ones((2, 1)))
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(
            wrong, numeric_gradient(lambda: float(np.sum(model.forward(x))), x),
            rtol=1e-6, atol=1e-7)


# ---- what a layer keeps --------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_layer_keeps_output_where_backward_from_y_is_allowed(case):
    row, params = case
    x = np.random.default_rng(1).standard_normal((3, 8))
    layer = nn.Activation(row.name, **layer_params(row, params))
    y = layer.forward(x)
    assert layer.saves == ("y" if saves_output(row, params) else "x")
    assert layer.saved is (y if layer.saves == "y" else x)
    grad = np.random.default_rng(2).standard_normal(y.shape)
    expected = layer.fn.backward(grad, x, **layer._call_params())
    if isinstance(expected, tuple):
        expected = expected[0]
    np.testing.assert_allclose(layer.backward(grad), expected, rtol=1e-12, atol=1e-14)


INPLACE = [c for c in CASES if saves_output(*c)]
NOT_INPLACE = [c for c in CASES if not saves_output(*c)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", INPLACE, ids=case_id)
def test_inplace_forward_keeps_no_second_array(case, dtype):
    row, params = case
    x = np.random.default_rng(3).standard_normal((16, 64)).astype(dtype)
    expected = getattr(fa, row.name)(x, **params)
    layer = nn.Activation(row.name, inplace=True, **params)
    y = layer.forward(x)
    assert y is x and layer.saved is x
    np.testing.assert_array_equal(x, expected)
    # nothing of x's size is kept besides x itself
    big = [value for value in vars(layer).values()
           if isinstance(value, np.ndarray) and value.size >= x.size]
    assert all(np.shares_memory(value, x) for value in big) and len(big) == 1
    grad = np.ones_like(x)
    assert layer.backward(grad) is grad            # in place too, by default
    np.testing.assert_array_equal(
        grad, getattr(fa, row.name).backward(np.ones_like(x), y=expected, **params))


@pytest.mark.parametrize("case", NOT_INPLACE, ids=case_id)
def test_inplace_is_refused_where_backward_needs_x(case):
    row, params = case
    with pytest.raises(ValueError, match=row.name) as error:
        nn.Activation(row.name, inplace=True, **layer_params(row, params))
    assert ("half as long" if row.halves else "needs the forward input x") in str(error.value)


def test_non_inplace_layer_does_not_modify_its_input():
    x = np.linspace(-3, 3, 20)
    before = x.copy()
    for name in ("sigmoid", "gelu", "softmax"):
        layer = nn.get(name)
        layer.backward(np.ones_like(layer.forward(x)))
        np.testing.assert_array_equal(x, before)


def test_backward_inplace_writes_into_grad():
    x = np.linspace(-3, 3, 20)
    layer = nn.get("gelu")                 # keeps x; backward may still run in place
    layer.forward(x)
    grad = np.full_like(x, 2.0)
    result = layer.backward(grad, inplace=True)
    assert result is grad
    np.testing.assert_allclose(grad, 2 * fa.gelu.derivative(x))
    inplace = nn.get("relu", inplace=True)
    inplace.forward(x.copy())
    grad = np.ones_like(x)
    assert inplace.backward(grad, inplace=False) is not grad
    assert np.all(grad == 1)


def test_glu_backward_cannot_run_in_place():
    layer = nn.get("glu")
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="half as long"):
        layer.backward(np.ones((2, 2)), inplace=True)


def test_backward_needs_a_forward_each_time():
    layer = nn.get("tanh")
    with pytest.raises(RuntimeError, match="forward first"):
        layer.backward(np.ones(3))
    layer.forward(np.zeros(3))
    layer.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="forward first"):
        layer.backward(np.ones(3))


def test_sequential_refuses_inplace_after_a_layer_that_keeps_its_output():
    with pytest.raises(ValueError, match="overwrite"):
        nn.Sequential(nn.Dense(2, 3), "sigmoid", nn.get("relu", inplace=True))
    nn.Sequential(nn.Dense(2, 3), "gelu", nn.get("relu", inplace=True))    # gelu keeps x


# ---- parameters, axis, prelu ------------------------------------------------------

def test_axis_functions_take_axis():
    x = np.random.default_rng(4).standard_normal((6, 4))
    layer = nn.get("softmax", axis=0)
    y = layer.forward(x)
    np.testing.assert_allclose(y.sum(axis=0), 1.0)
    grad = np.random.default_rng(5).standard_normal(x.shape)
    np.testing.assert_allclose(layer.backward(grad), fa.softmax.backward(grad, x, axis=0))
    glu = nn.get("glu", axis=0)
    assert glu.forward(x).shape == (3, 4)
    assert glu.backward(np.ones((3, 4))).shape == (6, 4)


def test_prelu_owns_and_accumulates_its_weight_gradient():
    x = np.random.default_rng(6).standard_normal((10, 3))
    layer = nn.get("prelu", weight=[0.1, 0.2, 0.3])
    assert layer.weight.dtype == np.float64 and layer.weight.shape == (3,)
    grad = np.random.default_rng(7).standard_normal(x.shape)
    layer.forward(x)
    gx = layer.backward(grad)
    expected_x, expected_w = fa.prelu.backward(grad, x, weight=layer.weight)
    np.testing.assert_allclose(gx, expected_x)
    np.testing.assert_allclose(layer.grad_weight, expected_w)
    np.testing.assert_allclose(expected_w, np.sum(grad * np.minimum(x, 0), axis=0))
    layer.forward(x)
    layer.backward(grad)
    np.testing.assert_allclose(layer.grad_weight, 2 * expected_w)
    [(weight, weight_grad)] = layer.params()
    assert weight is layer.weight and weight_grad is layer.grad_weight
    layer.weight[...] = 0.5                 # an optimizer step changes the layer
    np.testing.assert_allclose(layer.forward(-np.ones((1, 3))), -0.5)
    layer.zero_grad()
    assert not layer.grad_weight.any()


def test_parameters_are_checked_at_construction():
    with pytest.raises(ValueError, match="alpha"):
        nn.get("elu", alpha=float("nan"))
    with pytest.raises(ValueError, match="max_value"):
        nn.Activation("relu", max_value=-1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'slope'"):
        nn.get("leaky_relu", slope=0.2)
    with pytest.raises(TypeError, match="missing required keyword argument 'threshold'"):
        nn.get("threshold")


# ---- lookup ------------------------------------------------------------------------

def test_get_by_name_alias_and_function():
    layer = nn.get("leaky_relu", negative_slope=0.2)
    assert isinstance(layer, nn.Activation) and layer.name == "leaky_relu"
    np.testing.assert_allclose(layer.forward(np.array([-1.0, 2.0])), [-0.2, 2.0])
    for alias, name in catalog.ALIASES.items():
        assert nn.get(alias).name == name
        assert nn.get(alias.upper()).name == name
    assert nn.get(fa.tanh).name == "tanh"
    assert nn.get(layer) is layer
    dense = nn.Dense(2, 2)
    assert nn.get(dense) is dense
    with pytest.raises(TypeError, match="existing layer"):
        nn.get(layer, negative_slope=0.3)


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'relu7'") as error:
        nn.get("relu7")
    message = str(error.value)
    assert all(row.name in message for row in catalog.CATALOG)
    assert all(alias in message for alias in catalog.ALIASES)
    with pytest.raises(TypeError, match="expected an activation name"):
        nn.get(3)


# ---- Dense, training ---------------------------------------------------------------

def test_dense_keeps_dtype_and_accumulates_gradients():
    rng = np.random.default_rng(8)
    model = nn.Sequential(nn.Dense(3, 4, rng=rng, dtype=np.float32),
                          nn.get("relu", inplace=True),
                          nn.Dense(4, 2, rng=rng, dtype=np.float32))
    x = rng.standard_normal((5, 3)).astype(np.float32)
    assert model.forward(x).dtype == np.float32
    first = model.backward(np.ones((5, 2), np.float32))
    assert first.dtype == np.float32
    once = [g.copy() for _, g in model.params()]
    model.forward(x)
    model.backward(np.ones((5, 2), np.float32))
    for (_, g), g1 in zip(model.params(), once):
        np.testing.assert_allclose(g, 2 * g1, rtol=1e-6)
    model.zero_grad()
    assert not any(g.any() for _, g in model.params())


def test_softmax_cross_entropy_gradient():
    rng = np.random.default_rng(9)
    logits = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    loss, grad = nn.softmax_cross_entropy(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(4), labels])))
    numeric = numeric_gradient(lambda: nn.softmax_cross_entropy(logits, labels)[0], logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam])
def test_optimizers_minimise_a_quadratic(optimizer):
    target = np.array([1.0, -2.0, 3.0])
    w, g = np.zeros(3), np.zeros(3)
    opt = optimizer([(w, g)], lr=0.05)
    for _ in range(500):
        g[...] = 2 * (w - target)
        opt.step()
    np.testing.assert_allclose(w, target, atol=1e-2)


def test_docs_nn_examples_run_and_the_loss_goes_down():
    """docs/nn.md: every python block runs (in order, one namespace); the
    dense-network example trains."""
    path = os.path.join(ROOT, "docs", "nn.md")
    if not os.path.exists(path):
        pytest.skip("docs/nn.md is not part of this installation")
    with open(path) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 3
    namespace = {}
    for block in blocks:
        exec(compile(block, "docs/nn.md", "exec"), namespace)
    losses = namespace["losses"]
    assert losses[-1] < 0.5 * losses[0]
    assert namespace["accuracy"] > 0.9
