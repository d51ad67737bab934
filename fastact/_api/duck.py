"""Operands that are not NumPy arrays: Dask arrays, xarray objects, PyTorch
CPU tensors and other DLPack / buffer-protocol objects.

``Activation.__call__``, ``.backward`` and ``.derivative`` come here only
after seeing an operand that is not a plain ``np.ndarray`` (a type check,
so the NumPy path pays nothing more).  ``dispatch`` returns NotImplemented
for anything it does not know (Python scalars, lists), which then takes the
NumPy path.  Nothing here imports dask, xarray or torch: an object can only
be one of theirs if its package is already in ``sys.modules``.

* Dask: the result is lazy.  Every block runs the same fastact call on
  NumPy blocks, so a computed result equals fastact on the computed input.
  Elementwise functions go through dask's ``elemwise`` (operands broadcast,
  chunks are unified); axis-wise functions first gather ``axis`` into one
  chunk.  The arguments are checked at once (not at compute time) by the
  same call on zero-size NumPy stand-ins, which also gives the result dtype.
  Tasks hold the Activation itself, which pickles by name: they run in any
  worker process.
* xarray: ``xr.apply_ufunc`` on the underlying data (NumPy or Dask, which
  stays lazy); ``axis=`` may be a dimension name.
* torch tensors / DLPack / buffer-protocol objects: zero-copy NumPy views of
  their memory (``out=`` too: the result is written into the tensor), the
  NumPy call, and tensors back when a tensor came in.
"""

import functools
import numbers
import operator
import sys

import numpy as np

from .broadcast import sum_to_shape

_PLAIN = (np.ndarray, int, float, bool, complex, np.generic, list, tuple)


def _kind(value):
    """'xarray', 'dask', 'torch', 'dlpack' or None (handled by NumPy)."""
    if value is None or isinstance(value, _PLAIN):
        return None
    modules = sys.modules
    xr = modules.get("xarray")
    if xr is not None and isinstance(value, (xr.DataArray, xr.Dataset, xr.Variable)):
        return "xarray"
    dask_array = modules.get("dask.array")
    if dask_array is not None and isinstance(value, dask_array.Array):
        return "dask"
    torch = modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return "torch"
    if hasattr(value, "__dlpack__"):
        return "dlpack"
    return None


def _roles(f, method, operands, params):
    """(names, values) of the array operands, in call order: grad, x, y,
    then array parameters (prelu's weight) that are not scalars."""
    names = ("grad", "x", "y") if method == "backward" else ("x",)
    pairs = [(n, v) for n, v in zip(names, operands) if v is not None]
    pairs += [(p.name, params[p.name]) for p in f.row.array_params if p.name in params
              and (np.ndim(params[p.name]) > 0 or _kind(params[p.name]) is not None)]
    return [n for n, _ in pairs], [v for _, v in pairs]


def dispatch(f, method, operands, out, params):
    """f's `method` ("forward", "backward" or "derivative") on operands
    (x,) or (grad, x, y) that include a non-NumPy array; NotImplemented when
    none is one this module handles."""
    _, values = _roles(f, method, operands, params)
    kinds = {_kind(v) for v in values}
    if out is not None and not isinstance(out, np.ndarray):
        kinds.add(_kind(out) or "buffer")
    if "xarray" in kinds:
        return _xarray(f, method, operands, out, params)
    if "dask" in kinds:
        return _dask(f, method, operands, out, params)
    if kinds & {"torch", "dlpack", "buffer"}:
        return _views(f, method, operands, out, params)
    return NotImplemented


def _invoke(f, method, operands, out, params):
    if method == "backward":
        grad, x, y = operands
        return f.backward(grad, x, y=y, out=out, **params)
    if method == "derivative":
        return f.derivative(operands[0], out=out, **params)
    return f(operands[0], out=out, **params)


def _apply(f, method, names, static, part, *arrays):
    """The call with array operands `arrays` named by `names`, other
    parameters `static`.  part: None (the whole result), "grad_x" or
    ("weight", i): dL/d(array parameter i) per element of the broadcast
    shape (prelu's backward, before it is summed to the weight's shape)."""
    named = dict(zip(names, arrays))
    params = dict(static)
    for p in f.row.array_params:
        if p.name in named:
            params[p.name] = named.pop(p.name)
    if isinstance(part, tuple):
        p = f.row.array_params[part[1]]
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        params[p.name] = np.broadcast_to(params.get(p.name, p.default), shape)
    operands = ((named["grad"], named.get("x"), named.get("y"))
                if method == "backward" else (named["x"],))
    result = _invoke(f, method, operands, None, params)
    if part is None:
        return result
    return result[0] if part == "grad_x" else result[1 + part[1]]


def _parts(f, method, operands):
    """None for a single result, else the parts of prelu's backward."""
    if method == "backward" and f.row.array_params:
        return ["grad_x"] + [("weight", i) for i in range(len(f.row.array_params))]
    return [None]


# ---- PyTorch tensors, DLPack and buffer-protocol objects -------------------

def _view(f, value, out=False):
    """A NumPy array on the memory of `value` (no copy)."""
    kind = _kind(value)
    if kind == "torch":
        where = f"{f._qualname}: " + ("out" if out else "a tensor")
        if value.requires_grad:
            raise TypeError(
                f"{where} requires grad; fastact's NumPy functions do not record "
                f"autograd: use fastact.torch.{f.name} (differentiable), or pass "
                "tensor.detach()")
        if value.device.type != "cpu":
            raise TypeError(f"{where} is on {value.device}; only CPU tensors are supported")
        try:
            return value.numpy()
        except (TypeError, RuntimeError) as error:     # bfloat16, conjugate views
            raise TypeError(f"{where} cannot be viewed as a NumPy array "
                            f"({value.dtype}): {error}") from None
    if kind == "dlpack":
        return np.from_dlpack(value)
    if out and not isinstance(value, np.ndarray):
        try:
            return np.asarray(memoryview(value))     # buffer protocol: a view
        except TypeError:
            raise TypeError(f"{f._qualname}: out must be a NumPy array, a tensor, or "
                            "an object with __dlpack__ or the buffer protocol, got "
                            f"{type(value).__name__}") from None
    return value


def _views(f, method, operands, out, params):
    torch = sys.modules.get("torch")
    as_tensors = any(_kind(v) == "torch" for v in _roles(f, method, operands, params)[1])
    operands = tuple(_view(f, v) for v in operands)
    arrays = {p.name for p in f.row.array_params}
    params = {k: _view(f, v) if k in arrays else v for k, v in params.items()}
    out_view = None if out is None else _view(f, out, out=True)
    result = _invoke(f, method, operands, out_view, params)
    if out is not None and _kind(out) == "torch":
        # Tell autograd the tensor changed (a graph that saved it then
        # refuses to use the stale value instead of computing garbage).
        torch.autograd.graph.increment_version(out)

    def wrap(r, is_out):
        if is_out:
            return out
        return torch.from_numpy(np.asarray(r)) if as_tensors else r
    if isinstance(result, tuple):
        return tuple(wrap(r, i == 0 and out is not None) for i, r in enumerate(result))
    return wrap(result, out is not None)


# ---- Dask -----------------------------------------------------------------

def _block(f, method, names, static, part, *blocks):
    """One task of a dask graph: the fastact call on NumPy blocks."""
    return np.asarray(_apply(f, method, names, static, part, *blocks))


def _stand_in(value, axis):
    """A zero-size NumPy array like `value` (its ndim and dtype; axis-wise
    functions keep the length of `axis`), to check a call without data."""
    if not hasattr(value, "dtype") or not hasattr(value, "ndim"):
        return value                                   # a Python scalar
    shape = [0] * value.ndim
    if axis is not None and -value.ndim <= axis < value.ndim:
        shape[axis] = value.shape[axis]
    return np.zeros(shape, value.dtype)


def _dask(f, method, operands, out, params):
    import dask.array as da
    from dask.array.core import elemwise
    from dask.base import tokenize

    q = f._qualname + (".backward" if method == "backward" else "")
    if out is not None:
        raise TypeError(f"{q}: out= is not supported with dask arrays (they are "
                        "immutable); use the returned array")
    names, values = _roles(f, method, operands, params)
    static = {k: v for k, v in params.items() if k not in names}
    axis = params.get("axis", -1) if f._axis else None
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        axis = None                        # a bad axis: the check below says so
    # Every argument check runs now, on zero-size stand-ins; the result
    # gives the dtype(s).
    meta = _apply(f, method, names, static, None, *[_stand_in(v, axis) for v in values])
    metas = meta if isinstance(meta, tuple) else (meta,)
    dtypes = [np.asarray(m).dtype for m in metas]
    parts = _parts(f, method, operands)
    label = "fastact-" + f.name + ("" if method == "forward" else "-" + method)

    if not f._axis:
        results = []
        for part, dtype in zip(parts, dtypes):
            task = functools.partial(_block, f, method, names, static, part)
            name = f"{label}-{tokenize(task, dtype, *values)}"
            result = elemwise(task, *values, dtype=dtype, name=name)
            if isinstance(part, tuple):                # prelu: dL/dweight
                p = f.row.array_params[part[1]]
                weight = params.get(p.name, p.default)
                result = sum_to_shape(result, np.shape(weight))
            results.append(result)
        return tuple(results) if len(results) > 1 else results[0]

    axis = operator.index(params.get("axis", -1))
    arrays = [da.asarray(v) for v in values]
    primary = arrays[-1]                               # x or y
    dtype = dtypes[0]
    if primary.ndim == 0:                              # a row of length 1
        task = functools.partial(_block, f, method, names, dict(static, axis=axis), None)
        return da.map_blocks(task, *arrays, dtype=dtype, meta=np.empty((), dtype), token=label)
    axis = axis % primary.ndim - primary.ndim          # negative: same after broadcasting
    if f.row.halves:
        x = primary.rechunk({axis: -1})
        half = x.shape[:axis % x.ndim] + (x.shape[axis] // 2,) + x.shape[axis % x.ndim + 1:]
        half_chunks = list(x.chunks)
        half_chunks[axis] = (x.shape[axis] // 2,)
        if method == "backward":
            grad = arrays[0]
            if grad.shape != half:
                raise ValueError(f"{q}: grad has shape {grad.shape}, the output has "
                                 f"shape {half}")
            arrays, chunks = [grad.rechunk(tuple(half_chunks)), x], x.chunks
        else:
            arrays, chunks = [x], tuple(half_chunks)
    else:
        arrays = da.broadcast_arrays(*arrays)
        chunks = arrays[-1].rechunk({axis: -1}).chunks
        arrays = [a.rechunk(chunks) for a in arrays]
    task = functools.partial(_block, f, method, names, dict(static, axis=axis), None)
    return da.map_blocks(task, *arrays, chunks=chunks, dtype=dtype,
                         meta=np.empty((0,) * len(chunks), dtype), token=label)


# ---- xarray ---------------------------------------------------------------

def _keep_attrs(xr):
    """Attributes are kept or dropped as for a NumPy ufunc on xarray
    objects: xarray's keep_attrs option, default True."""
    keep = xr.get_options()["keep_attrs"]
    return True if keep == "default" else bool(keep)


def _xarray(f, method, operands, out, params):
    import xarray as xr

    q = f._qualname + (".backward" if method == "backward" else "")
    if out is not None:
        raise TypeError(f"{q}: out= is not supported with xarray objects; use the "
                        "returned object")
    keep_attrs = _keep_attrs(xr)
    if any(isinstance(v, xr.Dataset) for v in operands):
        if method == "backward":
            raise TypeError(f"{q}: pass DataArrays, not a Dataset (apply it to each "
                            "data variable)")
        return operands[0].map(lambda v: _invoke(f, method, (v,), None, params),
                               keep_attrs=keep_attrs)
    names, values = _roles(f, method, operands, params)
    main = _main(names, values)
    static = {k: v for k, v in params.items() if k not in names}
    dim = None
    if f._axis:
        dim = _dimension(q, main, static.pop("axis", -1))
        static["axis"] = -1                  # apply_ufunc moves `dim` last
    # NumPy operands (and weights) are labelled with x's trailing dimensions,
    # which is how NumPy would broadcast them.
    args = [v if _kind(v) == "xarray" else _labelled_like(q, n, v, main, xr)
            for n, v in zip(names, values)]
    weights = {p.name: params.get(p.name, p.default) for p in f.row.array_params}
    core = [[dim] if dim is not None and n not in weights and _kind(a) == "xarray" else []
            for n, a in zip(names, args)]
    results = []
    for part in _parts(f, method, operands):
        task = functools.partial(_apply, f, method, names, static, part)
        result = xr.apply_ufunc(
            task, *args, input_core_dims=core, output_core_dims=[[dim] if dim else []],
            exclude_dims={dim} if f.row.halves else set(), dask="allowed",
            keep_attrs=keep_attrs)
        result = result.transpose(*[d for d in result.dims if d not in main.dims],
                                  *main.dims)
        if isinstance(part, tuple):          # prelu: dL/dweight, weight's shape
            p = f.row.array_params[part[1]].name
            result = _sum_to_weight(result, weights[p], dict(zip(names, args)).get(p),
                                    keep_attrs)
        else:
            if f.row.halves and method == "backward" and hasattr(main, "coords"):
                # the gradient lies along x: x's coordinates along `dim` again
                result = result.assign_coords({k: c for k, c in main.coords.items()
                                               if dim in c.dims})
            if isinstance(result, xr.DataArray):
                result.name = getattr(main, "name", None)
        results.append(result)
    return tuple(results) if len(results) > 1 else results[0]


def _main(names, values):
    """The operand whose dimensions the result has: x (or y), else grad,
    else a weight."""
    rank = {"x": 0, "y": 0, "grad": 1}
    ranked = sorted(zip(names, values), key=lambda nv: rank.get(nv[0], 2))
    return next(v for _, v in ranked if _kind(v) == "xarray")


def _dimension(q, main, axis):
    """The dimension an axis-wise function runs along: a name or a position."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        try:
            if axis in main.dims:
                return axis
        except TypeError:                    # unhashable
            pass
        raise ValueError(f"{q}: axis {axis!r} is not a dimension of the input "
                         f"(dims: {', '.join(map(str, main.dims))})")
    if not -main.ndim <= axis < main.ndim:
        raise np.exceptions.AxisError(f"{q}: axis {axis} is out of bounds for an "
                                      f"array of dimension {main.ndim}")
    return main.dims[axis]


def _labelled_like(q, name, value, main, xr):
    """A NumPy (or Dask) operand as a DataArray on main's trailing
    dimensions; size-1 axes are dropped (xarray broadcasts by name, not by
    size 1).  Scalars stay scalars."""
    ndim = np.ndim(value)
    if ndim == 0:
        return value
    if ndim > main.ndim:
        raise ValueError(f"{q}: {name} has {ndim} dimensions, the input {main.ndim}; "
                         "pass it as a DataArray")
    dims = main.dims[main.ndim - ndim:]
    keep = [i for i, n in enumerate(np.shape(value)) if n != 1]
    data = np.reshape(value, [np.shape(value)[i] for i in keep])
    return xr.DataArray(data, dims=[dims[i] for i in keep])


def _sum_to_weight(per_element, weight, labelled, keep_attrs):
    """prelu's dL/dweight per element summed over the dimensions the
    weight does not have: a DataArray for a DataArray weight, else an array
    of the weight's shape (as the NumPy path gives)."""
    dims = () if labelled is None or np.ndim(labelled) == 0 else labelled.dims
    total = per_element.sum([d for d in per_element.dims if d not in dims], skipna=False)
    total = total.transpose(*dims)
    if labelled is weight:                   # a DataArray weight: its name, attrs
        total.name = getattr(weight, "name", None)
        total.attrs = dict(weight.attrs) if keep_attrs else {}
        return total
    return np.reshape(total.data, np.shape(weight))
