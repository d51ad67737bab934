"""fastact for PyTorch: differentiable functions and ``nn.Module`` layers whose
forward and backward run fastact's kernels on the tensors' own memory (CPU).

    import fastact.torch as fat

    y = fat.gelu(x, approximate="tanh")            # autograd records it
    y = fat.softmax(x, dim=1)                      # axis functions: dim= or axis=
    layer = fat.Activation("silu", beta=1.702)     # an nn.Module
    layer = fat.Activation("relu", inplace=True)   # in place, backward from y
    prelu = fat.Activation("prelu", weight=[0.25] * 16)   # learnable weight

One ``torch.autograd.Function`` (``FastactFunction``) serves every catalog
row.  Forward reads the input zero-copy (a NumPy view of the tensor) and
wraps fastact's result as a tensor without a copy; it saves the *output* for
backward when the catalog allows backward from y for these parameters (one
tensor less to keep: it is the output anyway), otherwise the input.
Non-contiguous tensors are made contiguous first; float16, float32 and
float64 are accepted (float16 is computed in float32, as fastact does).
Backward is not itself differentiable (no double backward).

This module imports torch; ``import fastact`` never does.
"""

import numpy as np
import torch

import fastact
from fastact import catalog

__all__ = ["Activation", "FastactFunction", "function"] + fastact.names() \
    + list(catalog.ALIASES)

_DTYPES = (torch.float16, torch.float32, torch.float64)


def _numpy(f, t, what="x"):
    """A NumPy view of a tensor's memory (detached)."""
    if t.device.type != "cpu":
        raise TypeError(f"fastact.torch.{f.name}: {what} is on {t.device}; only CPU "
                        "tensors are supported")
    if t.dtype not in _DTYPES:
        raise TypeError(f"fastact.torch.{f.name}: unsupported dtype {t.dtype} of {what} "
                        "(accepted: float16, float32, float64)")
    return t.detach().numpy()


class FastactFunction(torch.autograd.Function):
    """``FastactFunction.apply(f, params, inplace, x, *weights)``: the
    activation ``f`` (a fastact Activation) with keyword parameters
    ``params`` on tensor ``x``; ``weights`` are the tensors of its array
    parameters (prelu's weight), in catalog order."""

    @staticmethod
    def forward(ctx, f, params, inplace, x, *weights):
        names = [p.name for p in f.row.array_params][:len(weights)]
        kw = dict(params, **{n: _numpy(f, w.contiguous(), n) for n, w in zip(names, weights)})
        from_y = f._from_y_allowed(f._resolve(params)[3])
        if inplace:
            f(_numpy(f, x), out=_numpy(f, x), **kw)        # into x's own memory
            ctx.mark_dirty(x)
            y = x
        else:
            y = torch.from_numpy(np.asarray(f(_numpy(f, x.contiguous()), **kw)))
        ctx.f, ctx.params, ctx.names, ctx.from_y = f, params, names, from_y
        ctx.save_for_backward(y if from_y else x, *weights)
        return y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        f = ctx.f
        saved, *weights = ctx.saved_tensors
        kw = dict(ctx.params, **{n: _numpy(f, w.contiguous(), n)
                                 for n, w in zip(ctx.names, weights)})
        g = _numpy(f, grad.contiguous(), "grad")
        source = _numpy(f, saved.contiguous())
        if ctx.from_y:
            result = f.backward(g, y=source, **kw)
        else:
            result = f.backward(g, source, **kw)
        result = result if isinstance(result, tuple) else (result,)
        grads = [torch.from_numpy(np.asarray(r)) for r in result]
        grads[1:] = [gw.to(w.dtype).reshape(w.shape) for gw, w in zip(grads[1:], weights)]
        return (None, None, None, *grads)


def _split(f, params):
    """(scalar params, array-param tensors or None) with dim= as axis=."""
    params = dict(params)
    if "dim" in params and f._axis:
        if "axis" in params:
            raise TypeError(f"fastact.torch.{f.name}: pass dim= or axis=, not both")
        params["axis"] = params.pop("dim")
    arrays = {p.name: params.pop(p.name) for p in f.row.array_params if p.name in params}
    f._resolve(params)                         # checks the parameters now
    return params, arrays


def _check_inplace(f, params):
    if f.row.halves or not f._from_y_allowed(f._resolve(params)[3]):
        raise ValueError(f"fastact.torch.{f.name}: inplace=True needs backward from the "
                         "output, which this function (with these parameters) does not have")


def function(name, x, inplace=False, **params):
    """Activation `name` (canonical name or alias) applied to tensor `x`,
    recorded by autograd.  Array parameters (prelu's weight) may be tensors
    that require grad; they broadcast against x as in fastact (trailing
    dimensions).  ``inplace=True`` writes into x (only where backward can
    use the output)."""
    f = fastact.get(name)
    params, arrays = _split(f, params)
    if inplace:
        _check_inplace(f, params)
    weights = []
    for p in f.row.array_params:
        if p.name in arrays:
            w = arrays[p.name]
            weights.append(w if isinstance(w, torch.Tensor)
                           else torch.as_tensor(np.asarray(w), dtype=x.dtype))
    if weights:
        # the dtype fastact computes in: the weight never promotes x
        weights = [w if w.dtype == x.dtype else w.to(x.dtype) for w in weights]
    return FastactFunction.apply(f, params, inplace, x, *weights)


def _make_function(row):
    def activation(x, inplace=False, **params):
        return function(row.name, x, inplace=inplace, **params)
    activation.__name__ = activation.__qualname__ = row.name
    activation.__doc__ = (f"fastact.{row.name} for tensors, differentiable; "
                          "axis functions take dim= or axis=.\n\n" + fastact.get(row.name).__doc__)
    return activation


for _row in catalog.CATALOG:
    globals()[_row.name] = _make_function(_row)
for _alias, _name in catalog.ALIASES.items():
    globals()[_alias] = globals()[_name]
del _row, _alias, _name


class Activation(torch.nn.Module):
    """An ``nn.Module`` for the activation `name` with fixed keyword
    parameters (``dim=`` or ``axis=`` for softmax, log_softmax, softmin and
    glu; ``inplace=True`` where backward can use the output).

    prelu: ``weight`` (a number or a 1-d list of per-channel values,
    default 0.25) becomes a learnable ``nn.Parameter`` of shape (channels,),
    applied along dim 1 of inputs with 2 or more dimensions, as
    ``torch.nn.PReLU`` does."""

    def __init__(self, name, inplace=False, **params):
        super().__init__()
        self.function = fastact.get(name)
        self.inplace = inplace
        f = self.function
        for p in f.row.array_params:
            value = np.atleast_1d(np.asarray(params.pop(p.name, p.default), dtype=np.float64))
            if value.ndim != 1:
                raise ValueError(f"fastact.torch.Activation({f.name!r}): {p.name} must be "
                                 "a number or a 1-d sequence (one value per channel)")
            self.register_parameter(p.name, torch.nn.Parameter(
                torch.tensor(value, dtype=torch.get_default_dtype())))
        self.params, _ = _split(f, params)
        if inplace:
            _check_inplace(f, self.params)

    def forward(self, x):
        f = self.function
        weights = {}
        for p in f.row.array_params:
            w = getattr(self, p.name)
            if x.ndim >= 2 and w.numel() > 1:
                w = w.reshape((-1,) + (1,) * (x.ndim - 2))      # channels on dim 1
            weights[p.name] = w
        return function(f.name, x, inplace=self.inplace, **self.params, **weights)

    def extra_repr(self):
        items = [repr(self.function.name)] + [f"{k}={v!r}" for k, v in self.params.items()]
        return ", ".join(items + (["inplace=True"] if self.inplace else []))
