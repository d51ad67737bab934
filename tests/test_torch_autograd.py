"""fastact with PyTorch CPU tensors.

* The NumPy API on tensors (fastact/_api/duck.py): tensors in, tensors out;
  ``out=`` a tensor writes into the tensor's own memory (same data_ptr, also
  for shared memory and non-contiguous views) and bumps its autograd version;
  tensors that require grad are refused with a clear error; DLPack and
  buffer-protocol objects are read and written zero-copy.
* ``fastact.torch``: for every catalog row and parameter set,
  ``torch.autograd.gradcheck`` passes (float64, inputs away from kinks:
  the catalog's kink hints plus 0); forward equals fastact on NumPy; a
  small model using fastact modules trains one step exactly as the same
  model with PyTorch's own activations (rows with a ``torch`` equivalent).
Skipped when torch is not installed.
"""

import array
import os
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from helpers import case_id, cases, from_y_allowed

torch = pytest.importorskip("torch")
fat = pytest.importorskip("fastact.torch")

CASES = list(cases())
TORCH_CASES = [(row, params) for row, params in CASES if row.torch is not None]


def test_import_fastact_does_not_import_torch():
    root = os.path.dirname(os.path.dirname(fa.__file__))
    code = "import sys, fastact; fastact.sigmoid(1.0); assert 'torch' not in sys.modules"
    env = dict(os.environ, PYTHONPATH=root)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root, timeout=120)


# ---- the NumPy API on tensors ---------------------------------------------

def test_tensor_in_tensor_out():
    t = torch.linspace(-4, 4, 9)
    y = fa.sigmoid(t)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
    np.testing.assert_array_equal(y.numpy(), fa.sigmoid(t.numpy()))
    assert t[0] == -4                          # the input is not modified
    p = fa.softmax(t.double().reshape(3, 3), axis=0)
    assert p.dtype == torch.float64
    np.testing.assert_array_equal(p.numpy(), fa.softmax(t.double().numpy().reshape(3, 3), axis=0))
    assert isinstance(fa.tanh(torch.tensor(0.5)), torch.Tensor)      # 0-d
    assert fa.sigmoid(torch.arange(3)).dtype == torch.float64        # integers: float64
    gx, gw = fa.prelu.backward(torch.ones(2, 3), -torch.ones(2, 3), weight=torch.ones(3))
    assert isinstance(gx, torch.Tensor) and isinstance(gw, torch.Tensor) and gw.shape == (3,)


def test_out_writes_into_the_tensor_memory():
    t = torch.linspace(-4, 4, 9, dtype=torch.float64)
    x = t.numpy().copy()
    ptr = t.data_ptr()
    assert fa.sigmoid(t, out=t) is t
    assert t.data_ptr() == ptr
    np.testing.assert_array_equal(t.numpy(), fa.sigmoid(x))
    g = torch.ones(9, dtype=torch.float64)
    gptr = g.data_ptr()
    assert fa.sigmoid.backward(g, y=t, out=g) is g and g.data_ptr() == gptr
    np.testing.assert_array_equal(g.numpy(), fa.sigmoid.backward(np.ones(9), y=fa.sigmoid(x)))
    xt = torch.from_numpy(x.copy())
    g = torch.ones(9, dtype=torch.float64)
    fa.gelu.backward(g, xt, out=g)
    np.testing.assert_array_equal(g.numpy(), fa.gelu.backward(np.ones(9), x))


def test_out_into_shared_memory_and_strided_views():
    t = torch.randn(4, 6).share_memory_()
    assert t.is_shared()
    x = t.numpy().copy()
    ptr = t.data_ptr()
    view = t.t()[::2]                         # non-contiguous, into the shared block
    fa.tanh(view, out=view)
    assert t.is_shared() and t.data_ptr() == ptr
    expected = x.copy()
    expected.T[::2] = fa.tanh(x.T[::2])
    np.testing.assert_array_equal(t.numpy(), expected)


def test_in_place_write_is_seen_by_autograd():
    """out= bumps the tensor's version: a graph that saved it refuses the
    changed value instead of computing a wrong gradient."""
    w = torch.randn(3, requires_grad=True)
    x = torch.randn(3)
    loss = (w * x).sum()                      # saves x for dloss/dw
    version = x._version
    fa.sigmoid(x, out=x)
    assert x._version > version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_tensors_that_require_grad_are_refused():
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(TypeError, match=r"fastact.sigmoid: a tensor requires grad.*"
                                        r"fastact.torch.sigmoid.*detach\(\)"):
        fa.sigmoid(t)
    with pytest.raises(TypeError, match="fastact.sigmoid: out requires grad"):
        fa.sigmoid(np.ones(3, dtype=np.float32), out=t)
    assert isinstance(fa.sigmoid(t.detach()), torch.Tensor)


def test_unsupported_tensors():
    with pytest.raises(TypeError, match="fastact.tanh: a tensor cannot be viewed"):
        fa.tanh(torch.ones(3, dtype=torch.bfloat16))
    with pytest.raises(TypeError, match="fastact.tanh: unsupported dtype complex64"):
        fa.tanh(torch.ones(3, dtype=torch.complex64))
    with pytest.raises(TypeError, match="fastact.tanh: out has dtype float32"):
        fa.tanh(np.ones(3), out=torch.ones(3))


def test_dlpack_is_zero_copy_both_ways():
    t = torch.linspace(-2, 2, 5, dtype=torch.float64)
    view = np.from_dlpack(t)
    assert view.ctypes.data == t.data_ptr() and view.flags.writeable

    class OnlyDLPack:                         # an object with nothing but __dlpack__
        def __init__(self, tensor):
            self.tensor = tensor

        def __dlpack__(self, **kwargs):
            return self.tensor.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.tensor.__dlpack_device__()

    np.testing.assert_array_equal(fa.elu(OnlyDLPack(t)), fa.elu(t.numpy()))
    target = torch.zeros(5, dtype=torch.float64)
    box = OnlyDLPack(target)
    assert fa.elu(t.numpy(), out=box) is box
    np.testing.assert_array_equal(target.numpy(), fa.elu(t.numpy()))


def test_buffer_protocol_out():
    buf = array.array("d", [-1.0, 0.0, 2.0])
    assert fa.softplus(np.array([-1.0, 0.0, 2.0]), out=buf) is buf
    np.testing.assert_array_equal(np.asarray(buf), fa.softplus(np.array([-1.0, 0.0, 2.0])))
    readonly = memoryview(bytes(24)).cast("d")
    with pytest.raises(ValueError, match="fastact.softplus: out is read-only"):
        fa.softplus(np.zeros(3), out=readonly)
    with pytest.raises(TypeError, match="fastact.softplus: out must be"):
        fa.softplus(np.zeros(3), out=object())


# ---- fastact.torch ----------------------------------------------------------

def kink_free(row, params, n, seed=0, spread=6.0):
    """n float64 points spread over [-spread, spread], each at least 0.02
    from the row's kinks (catalog hints) and from 0, where PyTorch's
    one-sided derivatives make finite differences meaningless."""
    full = dict(row.defaults, **params)
    kinks = np.array(row.hints("kinks", full) + [0.0])
    x = np.random.default_rng(seed).uniform(-spread, spread, n)
    for _ in range(3):
        near = np.abs(x[:, None] - kinks[None, :]) < 0.02
        x = np.where(near.any(axis=1), x + 0.05, x)
    return x


def call(row, x, params, **extra):
    return getattr(fat, row.name)(x, **params, **extra)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradcheck(case):
    row, params = case
    x = torch.tensor(kink_free(row, params, 12).reshape(3, 4), requires_grad=True)
    if row.array_params:                      # prelu: the weight is an input too
        scale = dict(row.defaults, **params)["weight"]
        w = torch.tensor(scale * np.array([1.2, -0.4, 0.6, 1.0]), requires_grad=True)
        others = {k: v for k, v in params.items() if k != "weight"}
        assert torch.autograd.gradcheck(lambda x, w: call(row, x, others, weight=w), (x, w))
        return
    assert torch.autograd.gradcheck(lambda x: call(row, x, params), (x,))
    if row.kind == "axis":
        assert torch.autograd.gradcheck(lambda x: call(row, x, params, dim=0), (x[:2],))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_forward_and_backward_equal_fastact(case, dtype):
    """Bitwise the NumPy results, also for a non-contiguous input; the
    saved tensor is y where the catalog allows backward from y."""
    row, params = case
    x = torch.tensor(kink_free(row, params, 24, seed=1).reshape(6, 4).T, dtype=dtype)
    assert not x.is_contiguous()
    xr = x.clone().requires_grad_(True)
    y = call(row, xr, params)
    xn = x.numpy()
    np.testing.assert_array_equal(y.detach().numpy(), fa.get(row.name)(xn, **params))
    g = torch.randn(y.shape, dtype=dtype, generator=torch.Generator().manual_seed(2))
    y.backward(g)
    want = fa.get(row.name).backward(g.numpy(), xn, **params)
    want = want[0] if isinstance(want, tuple) else want
    if from_y_allowed(row, params):
        want = fa.get(row.name).backward(g.numpy(), y=y.detach().numpy(), **params)
    np.testing.assert_array_equal(xr.grad.numpy(), want)


def test_saves_the_output_when_backward_can_use_it():
    x = torch.randn(5, requires_grad=True)
    y = fat.sigmoid(x)
    assert y.grad_fn.saved_tensors[0].data_ptr() == y.data_ptr()
    y = fat.gelu(x)
    assert torch.equal(y.grad_fn.saved_tensors[0], x.detach())


def test_inplace():
    x = torch.randn(4, 5, dtype=torch.float64)
    for name in ("relu", "sigmoid", "softmax"):
        a = x.clone().requires_grad_(True)
        b = x.clone().requires_grad_(True)
        h = a * 1.0
        ptr = h.data_ptr()
        y = fat.Activation(name, inplace=True)(h)
        assert y.data_ptr() == ptr
        y.pow(2).sum().backward()
        fat.Activation(name)(b * 1.0).pow(2).sum().backward()
        assert torch.equal(a.grad, b.grad)
    with pytest.raises(ValueError, match="fastact.torch.gelu: inplace=True needs backward"):
        fat.Activation("gelu", inplace=True)
    with pytest.raises(ValueError, match="fastact.torch.elu: inplace=True"):
        fat.elu(x, alpha=-1.0, inplace=True)


def test_module_errors_and_repr():
    assert (repr(fat.Activation("gelu", approximate="tanh"))
            == "Activation('gelu', approximate='tanh')")
    assert "axis=1" in repr(fat.Activation("softmax", dim=1))
    with pytest.raises(ValueError, match="fastact.elu: alpha must be finite"):
        fat.Activation("elu", alpha=float("inf"))
    with pytest.raises(KeyError, match="no activation named 'nope'"):
        fat.Activation("nope")
    with pytest.raises(TypeError, match="fastact.torch.tanh: unsupported dtype torch.bfloat16"):
        fat.tanh(torch.ones(2, dtype=torch.bfloat16))
    assert fat.swish is fat.silu


def test_prelu_module_is_per_channel_like_torch():
    m = fat.Activation("prelu", weight=[0.1, 0.2, 0.3])
    ref = torch.nn.PReLU(3)
    with torch.no_grad():
        ref.weight.copy_(m.weight)
    x = torch.randn(2, 3, 4, 5)
    torch.testing.assert_close(m(x), ref(x), rtol=0, atol=0)
    m(x).sum().backward()
    ref(x).sum().backward()
    torch.testing.assert_close(m.weight.grad, ref.weight.grad, rtol=1e-6, atol=1e-6)


# PyTorch 2.13's float64 backward of these multiplies by a float32 constant
# (see tests/test_torch.py): agreement to ~1e-6 relative only.
TORCH_FLOAT32_CONSTANT = {"hard_sigmoid", "celu"}


class TorchActivation(torch.nn.Module):
    """The row's PyTorch equivalent as a module (prelu with its own weight)."""

    def __init__(self, row, params, width):
        super().__init__()
        self.row, self.params = row, dict(row.defaults, **params)
        if row.array_params:
            self.weight = torch.nn.Parameter(torch.full((width,), float(self.params["weight"])))

    def forward(self, x):
        params = dict(self.params)
        if self.row.array_params:
            params["weight"] = self.weight
        return self.row.torch(torch, x, params)


def model(act, width, out_width):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5, width), act, torch.nn.Linear(out_width, 3))


@pytest.mark.parametrize("case", TORCH_CASES, ids=case_id)
def test_a_training_step_equals_pytorch(case):
    row, params = case
    probe = dict(row.defaults, **params)
    probe.update({p.name: torch.ones(1, dtype=torch.float64) for p in row.array_params})
    if row.torch(torch, torch.zeros(2, 2, dtype=torch.float64), probe) is None:
        pytest.skip(f"PyTorch has no {row.name} with {params}")
    width, out_width = 8, 4 if row.halves else 8
    kw = dict(params)
    if row.array_params:
        kw["weight"] = [float(dict(row.defaults, **params)["weight"])] * width
    with torch.random.fork_rng():
        ours = model(fat.Activation(row.name, **kw), width, out_width).double()
        theirs = model(TorchActivation(row, params, width), width, out_width).double()
    data = torch.randn(16, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    target = torch.randn(16, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    for net in (ours, theirs):
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(net(data), target).backward()
        optimizer.step()
    rtol = 1e-6 if row.name in TORCH_FLOAT32_CONSTANT else 1e-12
    ours_p, theirs_p = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert ours_p.keys() == theirs_p.keys()
    for name in ours_p:
        torch.testing.assert_close(ours_p[name], theirs_p[name], rtol=rtol, atol=1e-14,
                                   msg=lambda m, name=name: f"{name}: {m}")
