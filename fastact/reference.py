"""fastact.reference: the pure-NumPy twin of fastact.

Same names, same signatures, same argument rules (it shares
``fastact._api.activation.Activation``); only the values come from
independent NumPy formulas (``fastact/_verify/reference_kernels.py``).  Use
it to check fastact, or as a fallback where the compiled module is
unavailable.  Importable without the compiled module.
"""

import numpy as np

from . import catalog
from ._api.activation import build
from ._build import codegen
from ._verify import reference_kernels as kernels


def _compute_dtype(result_dtype):
    # float16 is computed in float32, as the compiled loops do.
    return np.dtype(np.float32) if result_dtype == np.float16 else np.dtype(result_dtype)


def _finish(result, result_dtype, out, scalar):
    with np.errstate(over="ignore"):      # float32 -> float16 overflows to inf, silently
        result = np.asarray(result).astype(result_dtype, copy=False)
    if out is not None:
        np.copyto(out, result)
        return out
    return result[()] if scalar else result


def _elementwise(function, n_arrays):
    """A callable with the ufunc convention around a kernel formula."""
    def call(*inputs, out=None, dtype=None):
        arrays = [np.asarray(a) for a in inputs[:n_arrays]]
        result_dtype = np.dtype(dtype) if dtype is not None else np.result_type(*arrays)
        compute = _compute_dtype(result_dtype)
        arrays = np.broadcast_arrays(*[a.astype(compute) for a in arrays])
        args = [float(compute.type(a)) for a in inputs[n_arrays:]]
        with np.errstate(all="ignore"):
            result = function(*arrays, *args)
        return _finish(result, result_dtype, out, all(a.ndim == 0 for a in arrays))
    return call


def _axis(function):
    def call(*inputs, out=None, dtype=None, axes=None):
        arrays = [np.asarray(a) for a in inputs]
        result_dtype = np.dtype(dtype) if dtype is not None else np.result_type(*arrays)
        compute = _compute_dtype(result_dtype)
        with np.errstate(all="ignore"):
            result = function(*[a.astype(compute) for a in arrays], axes[0][0])
        return _finish(result, result_dtype, out, False)
    return call


def _backend():
    table = {}
    for spec in codegen.ufunc_specs():
        k = spec.kernel
        n = len(spec.arrays)
        if spec.axis:
            table[spec.name] = _axis(getattr(kernels, spec.name))
        elif spec.family == "forward":
            table[spec.name] = _elementwise(getattr(kernels, k), n)
        elif spec.family == "grad":
            table[spec.name] = _elementwise(getattr(kernels, k + "_grad"), n)
        elif spec.family == "backward_y":
            grad_y = getattr(kernels, k + "_grad_y")
            table[spec.name] = _elementwise(lambda g, y, *a, grad_y=grad_y: g * grad_y(y, *a), n)
        else:     # backward (dL/dx) or backward_<weight> (per-element dL/dweight)
            what = "_grad" + spec.family[len("backward"):]
            grad = getattr(kernels, k + what)
            table[spec.name] = _elementwise(lambda g, x, *a, grad=grad: g * grad(x, *a), n)
    return table


BACKEND = _backend()
_activations = build(BACKEND, "fastact.reference")
globals().update(_activations)
globals().update({alias: _activations[name] for alias, name in catalog.ALIASES.items()})

__all__ = list(_activations) + list(catalog.ALIASES)
