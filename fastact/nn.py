"""Layers for neural networks written in NumPy, on fastact's kernels.

    from fastact import nn
    act = nn.get("leaky_relu", negative_slope=0.2)   # name or alias, checked now
    y = act.forward(x)             # keeps only what backward needs
    gx = act.backward(gy)          # dL/dx

    model = nn.Sequential(nn.Dense(2, 32), "relu", nn.Dense(32, 2))

What an ``Activation`` layer keeps between forward and backward: its
OUTPUT when the function's derivative is a function of the output for these
parameters (``catalog.Row.from_y_allowed``: sigmoid, tanh, relu with
negative_slope >= 0, elu with alpha > 0, softmax, ...), else its INPUT.
With ``inplace=True`` forward writes the output into the input array, so the
layer's input, output and saved array are one buffer: the activation costs
no memory beyond what the previous layer already allocated.  ``inplace=True``
is refused (ValueError) for functions whose backward needs the input (gelu,
silu, prelu, ...): it would have to copy x and would save nothing.  Whatever
a layer saved is released by backward.

docs/nn.md has a worked example.
"""

import math

import numpy as np

from . import _core, catalog
from ._api import activation

__all__ = ["Activation", "get", "Dense", "Sequential", "softmax_cross_entropy",
           "SGD", "Adam"]


def _row(name):
    """The catalog row for a name or alias; ValueError listing the valid ones."""
    try:
        return catalog.lookup(name)
    except KeyError:
        aliases = ", ".join(f"{a} ({n})" for a, n in catalog.ALIASES.items())
        raise ValueError(f"fastact.nn: unknown activation {name!r}; valid names: "
                         f"{', '.join(catalog.BY_NAME)}; aliases: {aliases}") from None


class Activation:
    """An activation layer: ``forward(x)``, ``backward(grad)``.

    ``Activation(name_or_alias, inplace=False, **params)``; parameters are
    those of ``fastact.<name>`` (``axis`` for softmax, log_softmax, softmin
    and glu) and are checked here.  prelu's ``weight`` is owned by the
    layer (``layer.weight``, a float64 array, trainable: ``params()``), and
    backward adds dL/dweight to ``layer.grad_weight``.

    ``layer.saves`` is "y" (the output is kept) or "x" (the input is kept);
    ``layer.saved`` is that array between forward and backward, else None.
    """

    def __init__(self, name, inplace=False, **params):
        if isinstance(name, activation.Activation):
            name = name.name
        row = _row(name)
        self.row = row
        self.name = row.name
        self.fn = _core.activations[row.name]
        self.inplace = bool(inplace)
        # Array parameters (prelu's weight) become trainable arrays of the layer.
        self._array_names = [p.name for p in row.array_params]
        for p in row.array_params:
            value = np.array(params.pop(p.name, p.default), dtype=np.float64)
            setattr(self, p.name, value)
            setattr(self, "grad_" + p.name, np.zeros_like(value))
        self.fn_params = params
        full = self.fn._resolve(self._call_params())[3]     # checks every parameter
        self.saves = "y" if row.from_y_allowed(full) else "x"
        self.saved = None
        if self.inplace and row.halves:
            raise ValueError(f"fastact.nn.Activation({self.name!r}, inplace=True): the "
                             f"output of {self.name} is half as long as its input, so it "
                             "cannot be written into the input; use inplace=False")
        if self.inplace and self.saves == "x":
            raise ValueError(
                f"fastact.nn.Activation({self.name!r}, inplace=True): the backward of "
                f"{self.name} needs the forward input x (its derivative is not a function "
                "of the output" + (" with these parameters" if row.has_grad_y else "")
                + "), so an in-place forward would have to copy x and would save no "
                "memory; use inplace=False")

    def _call_params(self):
        params = dict(self.fn_params)
        for name in self._array_names:
            params[name] = getattr(self, name)
        return params

    def __repr__(self):
        shown = [repr(self.name)] + [f"{k}={v!r}" for k, v in self.fn_params.items()]
        shown += [f"{k}={getattr(self, k).tolist()!r}" for k in self._array_names]
        if self.inplace:
            shown.append("inplace=True")
        return f"fastact.nn.Activation({', '.join(shown)})"

    def forward(self, x):
        """f(x); with inplace=True, written into x (and x is returned)."""
        params = self._call_params()
        if self.inplace:
            x = np.asarray(x)
            y = self.fn(x, out=x, **params)
        else:
            y = self.fn(x, **params)
        self.saved = y if self.saves == "y" else x
        return y

    __call__ = forward

    def backward(self, grad, inplace=None):
        """dL/dx from dL/dy = grad; ``inplace`` (default: the layer's
        setting) writes it into grad.  prelu: dL/dweight is added to
        ``grad_weight``.  Releases the array forward saved."""
        if self.saved is None:
            raise RuntimeError(f"{self!r}.backward: call forward first (each forward "
                               "allows one backward)")
        inplace = self.inplace if inplace is None else inplace
        if inplace and self.row.halves:
            raise ValueError(f"{self!r}.backward: grad is half as long as x along "
                             "axis, it cannot hold dL/dx; use inplace=False")
        out = np.asarray(grad) if inplace else None
        params = self._call_params()
        if self.saves == "y":
            result = self.fn.backward(grad, y=self.saved, out=out, **params)
        else:
            result = self.fn.backward(grad, self.saved, out=out, **params)
        self.saved = None
        if not self._array_names:
            return result
        grad_x, *grad_arrays = result
        for name, g in zip(self._array_names, grad_arrays):
            getattr(self, "grad_" + name)[...] += g
        return grad_x

    def params(self):
        """[(array, its gradient)] of trainable parameters (prelu's weight)."""
        return [(getattr(self, n), getattr(self, "grad_" + n)) for n in self._array_names]

    def zero_grad(self):
        for _, g in self.params():
            g[...] = 0


def get(identifier, **params):
    """Keras-style lookup: an ``Activation`` layer from a name or alias
    (``get("leaky_relu", negative_slope=0.2)``, ``get("swish", inplace=True)``)
    or a ``fastact`` function (``get(fastact.tanh)``); a layer is returned
    as it is.  Unknown names raise ValueError listing the valid names."""
    if isinstance(identifier, (Activation, Dense, Sequential)):
        if params:
            raise TypeError("fastact.nn.get: parameters cannot be applied to an "
                            f"existing layer {identifier!r}")
        return identifier
    if not isinstance(identifier, (str, activation.Activation)):
        raise TypeError("fastact.nn.get: expected an activation name or a layer, got "
                        f"{type(identifier).__name__}")
    return Activation(identifier, **params)


class Dense:
    """y = x @ weight + bias, weights drawn Glorot-uniform (Keras' default)
    from ``rng`` (a seed or np.random.Generator)."""

    def __init__(self, n_in, n_out, *, rng=None, dtype=np.float64):
        rng = np.random.default_rng(rng)
        limit = np.sqrt(6.0 / (n_in + n_out))
        self.weight = rng.uniform(-limit, limit, (n_in, n_out)).astype(dtype)
        self.bias = np.zeros(n_out, dtype)
        self.grad_weight = np.zeros_like(self.weight)
        self.grad_bias = np.zeros_like(self.bias)
        self.saved = None

    def __repr__(self):
        return f"fastact.nn.Dense({self.weight.shape[0]}, {self.weight.shape[1]})"

    def forward(self, x):
        self.saved = x
        return x @ self.weight + self.bias

    __call__ = forward

    def backward(self, grad):
        """dL/dx; adds dL/dweight and dL/dbias to grad_weight, grad_bias."""
        if self.saved is None:
            raise RuntimeError(f"{self!r}.backward: call forward first")
        x = self.saved.reshape(-1, self.weight.shape[0])
        g = grad.reshape(-1, self.weight.shape[1])
        self.grad_weight += x.T @ g
        self.grad_bias += g.sum(axis=0)
        self.saved = None
        return grad @ self.weight.T

    def params(self):
        return [(self.weight, self.grad_weight), (self.bias, self.grad_bias)]

    def zero_grad(self):
        for _, g in self.params():
            g[...] = 0


class Sequential:
    """Layers applied in order; strings become ``get(name)`` layers:
    ``Sequential(Dense(2, 16), "tanh", Dense(16, 2))``."""

    def __init__(self, *layers):
        self.layers = [layer if isinstance(layer, (Dense, Sequential)) else get(layer)
                       for layer in layers]
        for before, after in zip(self.layers, self.layers[1:]):
            # an in-place layer would overwrite the output `before` keeps
            if getattr(after, "inplace", False) and getattr(before, "saves", "") == "y":
                raise ValueError(f"fastact.nn.Sequential: {after!r} would overwrite the "
                                 f"output that {before!r} keeps for its backward; make "
                                 "it inplace=False or put a Dense layer between them")

    def __repr__(self):
        return "fastact.nn.Sequential(" + ", ".join(map(repr, self.layers)) + ")"

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, grad):
        """dL/dx of the whole stack; each layer adds its parameter gradients."""
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def params(self):
        return [pair for layer in self.layers for pair in layer.params()]

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()


def softmax_cross_entropy(logits, labels):
    """(mean cross-entropy loss, dL/dlogits) for integer class labels; the
    classes run along the last axis of 2-d logits."""
    log_p = _core.activations["log_softmax"](logits, axis=-1)
    rows = np.arange(len(labels))
    loss = -float(np.mean(log_p[rows, labels]))
    grad = np.exp(log_p)                 # softmax(logits)
    grad[rows, labels] -= 1
    grad /= len(labels)
    return loss, grad


class SGD:
    """Stochastic gradient descent with momentum on [(param, grad)] pairs;
    ``step()`` updates the parameters in place."""

    def __init__(self, params, lr=0.1, momentum=0.9):
        self.params = list(params)
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p, _ in self.params]

    def step(self):
        for (p, g), v in zip(self.params, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba, 2015) on [(param, grad)] pairs; ``step()``
    updates the parameters in place."""

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p, _ in self.params]
        self.v = [np.zeros_like(p) for p, _ in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        # bias corrections of the running means, folded into the step size
        lr = self.lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for (p, g), m, v in zip(self.params, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= lr * m / (np.sqrt(v) + self.eps)
