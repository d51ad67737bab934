"""fastact against PyTorch, for every catalog row PyTorch has (the row's
``torch`` entry): forward and backward (autograd) on random float64 inputs,
default parameters and every example.  Skipped only when torch is not
installed (CI installs torch==2.13.0).

Tolerances are absolute as well as relative: where PyTorch's float64 loses
relative accuracy in a tail (gelu via 1 + erf, gelu tanh via 1 + tanh) the
values are tiny, so a difference in definition still shows while PyTorch's
rounding does not.
"""

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from helpers import case_id, cases

torch = pytest.importorskip("torch")

TORCH_CASES = [(row, params) for row, params in cases() if row.torch is not None]

# PyTorch 2.13's float64 backward of these multiplies by a constant rounded
# to float32 (hardsigmoid: 1/6; celu: 1/alpha, inside exp, so the
# difference grows with |x/alpha|): ~3e-8 relative, up to ~1e-6 here
# (checked by hand: float32(1/6) * 6 - 1 = 2.98e-8).
TORCH_FLOAT32_CONSTANT_IN_BACKWARD = {"hard_sigmoid", "celu"}


def inputs(row):
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 3.0, size=(6, 40))
    x[0, :8] = [-0.0, 0.0, 1e-300, -1e-300, 0.5, -0.5, 6.5, -6.5]
    return x


def torch_call(row, x, params):
    """PyTorch's forward, and the tensors whose gradients we compare."""
    full = dict(row.defaults, **params)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    leaves = [xt]
    for p in row.array_params:
        w = torch.tensor(np.atleast_1d(full[p.name]), dtype=torch.float64, requires_grad=True)
        full[p.name] = w
        leaves.append(w)
    return row.torch(torch, xt, full), leaves


@pytest.mark.parametrize("case", TORCH_CASES, ids=case_id)
def test_forward_and_backward_match_pytorch(case):
    row, params = case
    f = fa.get(row.name)
    x = inputs(row)
    yt, leaves = torch_call(row, x, params)
    if yt is None:
        pytest.skip(f"PyTorch has no {row.name} with {params}")
    y = f(x, **params)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-14,
                               err_msg="forward")
    g = np.random.default_rng(8).normal(size=y.shape)
    yt.backward(torch.tensor(g))
    got = f.backward(g, x, **params)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(leaves)
    rtol = 1e-5 if row.name in TORCH_FLOAT32_CONSTANT_IN_BACKWARD else 1e-11
    for ours, leaf in zip(got, leaves):
        np.testing.assert_allclose(np.ravel(ours), np.ravel(leaf.grad.numpy()),
                                   rtol=rtol, atol=1e-13, err_msg="backward")


def test_every_function_pytorch_has_is_compared():
    """The rows without a torch entry are exactly those PyTorch lacks."""
    missing = {row.name for row in catalog.CATALOG if row.torch is None}
    assert missing == {"squareplus", "sparse_plus", "sparse_sigmoid"}
    for name in missing:
        assert not hasattr(torch.nn.functional, name.replace("_", ""))
