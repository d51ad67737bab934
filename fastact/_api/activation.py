"""The public callables: one ``Activation`` per catalog row.

An ``Activation`` checks arguments and applies the dtype/``out`` rules of
docs/design.md, then hands plain arrays to a *backend*: the compiled ufuncs, or
the pure-NumPy reference twin.  Both backends see exactly the same calls, so
``fastact.reference`` differs from ``fastact`` only in how values are
computed.

A backend maps ufunc names (see ``fastact/_build/codegen.py``: ``elu``,
``elu_grad``, ``elu_backward``, ``elu_backward_y``, ``softmax``,
``softmax_backward_y``) to callables with the ufunc calling convention
``f(*arrays, *scalar_args, out=None, dtype=None)`` (gufuncs also take
``axes=``).
"""

import math
import numbers
import operator
import types

import numpy as np

from .. import catalog
from . import docstrings, duck
from .broadcast import sum_to_shape

# dtype.char of arrays that take the direct path.
_NATIVE = frozenset("fd")
# FastCall._remember_params: forward 0, backward from x 1, from y 2
_REMEMBERED_DIRECTIONS = {"": 0, "_backward": 1, "_backward_y": 2}
_FLOAT_KINDS = frozenset("efd")
# float32's range, for scalar kernel arguments (_kernel_args)
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).smallest_subnormal)
_INFS = (math.inf, -math.inf)


def _dtype_error(qualname, dtype):
    return TypeError(f"{qualname}: unsupported dtype {dtype} (accepted: "
                     "float16, float32, float64, bool and integers)")


class Activation:
    """An activation function: ``f(x)``, ``f.backward(grad, x | y=)``,
    ``f.derivative(x)`` and ``f.ufunc``."""

    def __init__(self, row, backend, prefix="fastact"):
        self.row = row
        self.name = self.__name__ = row.name
        self._qualname = f"{prefix}.{row.name}"
        self._module = prefix
        self._backend = backend
        self._axis = row.kind == catalog.AXIS
        self._defaults = row.defaults
        # Rows with a required parameter (threshold) have no default call.
        self._default_call = None if row.has_required else self._resolve({})
        self._ufunc_name = row.kernel_call({})[0]
        # f(x) on a float32/float64 array with default parameters goes
        # straight to the ufunc.
        self._fast = not self._axis and not row.has_required and not row.array_params
        self._has_array_params = bool(row.array_params)
        # prelu on the compiled backend: plain weights straight to the ufuncs
        # (_plain_weights; the reference twin's kernels convert them as NumPy does)
        self._ufunc_weights = bool(row.array_params) and isinstance(
            backend[self._ufunc_name], np.ufunc)
        defaults = [row.defaults.get(p.name) for p in row.array_params]
        self._default_weights = (defaults if defaults and self._default_call is not None
                                 and all(type(w) is float for w in defaults) else None)
        # elementwise rows whose parameters are all scalars: calls with
        # keyword parameters on plain arrays use _with_params' cache
        self._plain_params = not self._axis and not row.array_params
        self._param_cache = {}
        self._default_ufunc = backend[self._ufunc_name]
        # backward / derivative with the defaults on same-dtype float32/float64
        # arrays go straight to their ufuncs as well
        fast_y = self._fast and self._from_y_allowed(self._defaults)
        self._bwd_x = backend[self._ufunc_name + "_backward"] if self._fast else None
        self._bwd_y = backend[self._ufunc_name + "_backward_y"] if fast_y else None
        self._grad = backend[self._ufunc_name + "_grad"] if self._fast else None
        # softmax-like rows with the default axis (-1, a gufunc's own core
        # axis): f(x) and backward(grad, y=) on same-dtype arrays skip the
        # argument handling too
        plain_axis = (self._axis and self._default_call is not None
                      and self._default_call[2] == -1 and not row.params[1:]
                      and isinstance(backend[self._ufunc_name], np.ufunc))
        self._axis_fwd = backend[self._ufunc_name] if plain_axis else None
        self._axis_bwd_y = (backend[self._ufunc_name + "_backward_y"]
                            if plain_axis and not row.halves
                            and self._from_y_allowed(self._defaults) else None)
        # glu: backward(grad, x) along the last axis, the gufunc "(m),(n)->(n)"
        self._halves_bwd = (backend[self._ufunc_name + "_backward"]
                            if plain_axis and row.halves else None)
        if hasattr(self, "_set_fast_path"):        # compiled backend: FastCall base
            args = tuple(self._default_call[1]) if self._fast else ()
            args32, args64 = _scalar_operands(args, np.float32), _scalar_operands(args, np.float64)
            if self._fast:
                zero_d = _WEAK_SCALARS or not args
                self._set_fast_path(self._default_ufunc, args32, args64, zero_d)
                self._set_fast_backward(self._bwd_x, self._bwd_y, args32, args64, zero_d)
            elif self._default_weights is not None:
                # prelu with its default weight: the weight is the loop's second
                # operand (backward also returns dL/dweight: not here)
                weights = tuple(self._default_weights)
                self._set_fast_path(self._default_ufunc, _scalar_operands(weights, np.float32),
                                    _scalar_operands(weights, np.float64), False)
                self._set_fast_backward(None, None, (), (), False)
            else:
                # softmax-like rows: the gufunc along the last axis, forward
                # and backward from y, rows of at least one element
                softmax_like = self._axis_fwd is not None and not row.halves
                self._set_fast_path(self._axis_fwd if softmax_like else None, (), (), False,
                                    softmax_like)
                self._set_fast_backward(None, self._axis_bwd_y, (), (), False)
        self.__doc__ = _docstring(row, prefix)
        self.__signature__ = docstrings.signature(row, "__call__")
        # backward and derivative get this function's docstring and
        # signature (help(fa.elu.backward)): bound copies of the methods.
        for method, doc in (("backward", docstrings.backward_doc),
                            ("derivative", docstrings.derivative_doc)):
            setattr(self, method, _documented_method(self, method, doc(row, prefix)))

    def __repr__(self):
        return f"<{self._qualname}>"

    def _reduce(self):
        # by name, so that dask (distributed) and multiprocessing can ship it
        return _lookup, (self._module, self.name)

    def __reduce__(self):
        return self._reduce()

    # ---- parameters -------------------------------------------------

    def _resolve(self, params):
        """(kernel, numeric args, axis, full params) from keyword params,
        checked before any work."""
        row = self.row
        for key in params:
            if key not in self._defaults:
                known = ", ".join(self._defaults) or "none"
                raise TypeError(f"{self._qualname}() got an unexpected keyword "
                                f"argument {key!r} (parameters: {known})")
        full = dict(self._defaults)
        full.update(params)
        axis = None
        for p in row.params:
            if full[p.name] is catalog.REQUIRED:
                raise TypeError(f"{self._qualname}() missing required keyword "
                                f"argument {p.name!r}")
            value = _check_param(self._qualname, p, full[p.name])
            full[p.name] = value
            if p.check == "int":
                axis = value
        kernel, args = row.kernel_call(full)
        if row.check is not None:
            problem = row.check(full)
            if problem:
                raise ValueError(f"{self._qualname}: {problem}")
        return kernel, args, axis, full

    def _with_params(self, suffix, params, char):
        """(ufunc kernel + suffix, its scalar arguments) for keyword params
        on float32/float64 ('f'/'d') arrays: checked once and remembered,
        so that f(x, alpha=0.5) in a loop pays for the checks once (they
        cost 5 us, a 1000-element kernel 1).  None: backward from y is not
        allowed with these params (the caller's slow path says why)."""
        # the types too: True == 1 == 1.0, but a check may accept only some
        key = (suffix, char, tuple(params.items()), tuple(map(type, params.values())))
        try:
            return self._param_cache[key]
        except (KeyError, TypeError):         # TypeError: an unhashable value
            pass
        kernel, args, _, full = self._resolve(params)
        entry = None
        if suffix != "_backward_y" or self._from_y_allowed(full):
            args = self._kernel_args(args, full, [_EMPTY[char]], None)
            # as 0-d arrays of the loop's dtype: Python floats cost the ufunc
            # a conversion each, ~5 us per call for two
            entry = (self._backend[kernel + suffix], _scalar_operands(args, char))
        if all(type(v) in _SCALARS for v in params.values()):
            if len(self._param_cache) >= 64:
                self._param_cache.clear()
            self._param_cache[key] = entry
            direction = _REMEMBERED_DIRECTIONS.get(suffix)
            if entry is not None and direction is not None and hasattr(self, "_remember_params"):
                # the compiled FastCall takes later calls of these params in C
                self._remember_params(direction, char, dict(params), *entry)
        return entry

    def _call_for(self, params):
        if not params and self._default_call is not None:
            return self._default_call
        return self._resolve(params)

    def _plain_weights(self, v, params):
        """prelu's common calls (10 us -> 1.6-4 us on 1000 elements): the
        weights, when every one is a float or an ndarray of v's dtype that
        broadcasts to v's shape without enlarging it, as the ufunc takes
        them (a Python float takes v's dtype); else None (the general path
        converts and checks)."""
        if not params:
            return self._default_weights
        weights = []
        for p in self.row.array_params:
            w = params.pop(p.name, self._defaults[p.name])
            if type(w) is int and -2 ** 53 <= w <= 2 ** 53:
                w = float(w)
            if type(w) is float:
                if not abs(w) < 3e38:       # float32 overflow, NaN: the general path
                    return None
            elif type(w) is not np.ndarray or w.dtype != v.dtype or w.ndim > v.ndim \
                    or any(n != 1 and n != m for n, m in zip(w.shape[::-1], v.shape[::-1])):
                return None
            weights.append(w)
        return None if params else weights       # params left: not weights

    def _array_args(self, full):
        """The array parameters' values, in kernel order (prelu's weight)."""
        return tuple(full[p.name] for p in self.row.array_params)

    # ---- forward ----------------------------------------------------

    def __call__(self, x, out=None, **params):
        return self._call(x, out, **params)

    def _call(self, x, out=None, **params):
        if params and self._axis:
            params = _drop_last_axis(params, x)
        # The common case first: default parameters, a float32/float64 array
        # (the compiled backend's FastCall base does this in C).
        if not params and type(x) is np.ndarray and x.dtype.char in _NATIVE \
                and (_WEAK_SCALARS or x.ndim):
            if self._fast and (out is None or _plain_out(out, x)):
                return self._default_ufunc(x, *self._default_call[1], out=out)
            if self.row.halves:
                if out is None:
                    if x.ndim and self._default_call is not None:
                        return self._default_axis_call(x, None)
                elif self._axis_fwd is not None and x.ndim and x.shape[-1] % 2 == 0 \
                        and _plain_out(out, x, _half_shape(x)):
                    # glu(x, out=) in one gufunc call: the general path's axes=
                    # makes NumPy call the loop once per row (no threads)
                    self._axis_fwd(x, out)
                    return out
            elif self._axis and x.ndim and self._default_call is not None \
                    and (out is None or _plain_out(out, x)):
                return self._default_axis_call(x, out)
        if params and self._plain_params and type(x) is np.ndarray \
                and x.dtype.char in _NATIVE and (out is None or _plain_out(out, x)) \
                and (_WEAK_SCALARS or x.ndim):
            ufunc, args = self._with_params("", params, x.dtype.char)
            return ufunc(x, *args, out=out)
        if self._ufunc_weights and type(x) is np.ndarray and x.dtype.char in _NATIVE \
                and x.ndim and (out is None or _plain_out(out, x)):
            weights = self._plain_weights(x, dict(params))
            if weights is not None:
                kernel, args = self._default_call[:2]
                return self._backend[kernel](x, *weights, *args, out=out)
        # Not all plain ndarrays: maybe Dask, xarray, torch... (duck.py)
        if type(x) is not np.ndarray or out is not None and type(out) is not np.ndarray \
                or self._has_array_params and _odd_params(params):
            result = duck.dispatch(self, "forward", (x,), out, params)
            if result is not NotImplemented:
                return result
        kernel, args, axis, full = self._call_for(params)
        if self._axis:
            return self._axis_call(kernel, (x,), axis, out)
        arrays, dtype = self._prepare((x,), out, self._array_args(full))
        args = self._kernel_args(args, full, arrays, dtype)
        return _run(self._backend[kernel], arrays, args, out, dtype)

    @property
    def ufunc(self):
        """The np.ufunc (a gufunc for axis-wise functions) computing the
        forward pass with the default parameters; scalar parameters are its
        extra inputs."""
        return self._backend[self._ufunc_name]

    # ---- backward ---------------------------------------------------

    def backward(self, grad, x=None, *, y=None, out=None, **params):
        """dL/dx from dL/dy = ``grad`` and either the forward input ``x`` or,
        where the derivative is a function of the output, ``y=``."""
        if not params:
            # the common case, in C on the compiled backend (FastCall)
            result = self._fast_backward(grad, x, y, out)
            if result is not None:
                return result
        elif self._axis:        # axis counts the dimensions of x or y
            params = _drop_last_axis(params, x if y is None else y)
        elif self._plain_params and hasattr(self, "_param_backward"):
            # keyword params met before, in C (FastCall)
            result = self._param_backward(grad, x, y, out, params)
            if result is not None:
                return result
        if not params and type(grad) is np.ndarray and (out is None or _plain_out(out, grad)):
            fn, v = (self._bwd_x, x) if y is None else (self._bwd_y, y if x is None else None)
            if fn is not None and type(v) is np.ndarray and v.dtype.char in _NATIVE \
                    and grad.dtype == v.dtype and grad.shape == v.shape \
                    and (_WEAK_SCALARS or v.ndim):
                return fn(grad, v, *self._default_call[1], out=out)
        if params and self._plain_params and type(grad) is np.ndarray \
                and grad.dtype.char in _NATIVE and (out is None or _plain_out(out, grad)) \
                and (x is None) != (y is None) and type(x if y is None else y) is np.ndarray \
                and (x if y is None else y).dtype == grad.dtype \
                and (x if y is None else y).shape == grad.shape \
                and (_WEAK_SCALARS or grad.ndim):
            fn = self._with_params("_backward" if y is None else "_backward_y", params,
                                   grad.dtype.char)
            if fn is not None:
                return fn[0](grad, x if y is None else y, *fn[1], out=out)
        if self._ufunc_weights and y is None and type(grad) is np.ndarray \
                and type(x) is np.ndarray and x.dtype.char in _NATIVE and x.ndim \
                and grad.dtype == x.dtype and grad.shape == x.shape \
                and (out is None or _plain_out(out, x)):
            weights = self._plain_weights(x, dict(params))
            if weights is not None:
                return self._weights_backward(grad, x, weights, out)
        if not params and self._halves_bwd is not None and y is None \
                and type(grad) is np.ndarray and type(x) is np.ndarray \
                and x.dtype.char in _NATIVE and grad.dtype == x.dtype and x.ndim \
                and x.shape[-1] % 2 == 0 and grad.shape == _half_shape(x) \
                and (out is None or _plain_out(out, x)):
            return self._halves_bwd(grad, x, out=out)
        if not params and type(grad) is np.ndarray and (out is None or _plain_out(out, grad)):
            if self._axis_bwd_y is not None and type(y) is np.ndarray \
                    and x is None and y.dtype.char in _NATIVE and grad.dtype == y.dtype \
                    and grad.shape == y.shape and y.ndim:
                return self._axis_bwd_y(grad, y, out=out)
        if type(grad) is not np.ndarray or type(x if y is None else y) is not np.ndarray \
                or out is not None and type(out) is not np.ndarray \
                or self._has_array_params and _odd_params(params):
            result = duck.dispatch(self, "backward", (grad, x, y), out, params)
            if result is not NotImplemented:
                return result
        kernel, args, axis, full = self._call_for(params)
        if (x is None) == (y is None):
            need = "x (the forward input)"
            if self._from_y_allowed(full):
                need += " or y= (the forward output)"
            raise TypeError(f"{self._qualname}.backward: pass exactly one of {need}")
        if y is not None and not self._from_y_allowed(full):
            raise TypeError(
                f"{self._qualname}.backward: y= is not supported"
                + (" with these parameters" if self.row.has_grad_y else "")
                + "; the derivative is not a function of the output, pass x")
        if self._axis:
            if self.row.halves:
                return self._axis_call(kernel + "_backward", (grad, x), axis, out)
            # grad broadcasts to x's (or y's) shape, but not along `axis`:
            # each row of grad must be a whole row
            if not _rows_match(np.shape(grad), np.shape(x if y is None else y), axis):
                raise ValueError(f"{self._qualname}.backward: grad has shape "
                                 f"{np.shape(grad)}, {'x' if y is None else 'y'} has "
                                 f"shape {np.shape(x if y is None else y)}")
            if y is None:
                # y in the result's precision (float64 for float32 x with float64 grad)
                arrays, compute = self._prepare((grad, x), None)
                dtype = compute or np.result_type(*[a.dtype for a in arrays])
                x = arrays[1] if arrays[1].dtype == dtype else arrays[1].astype(dtype)
                y = self._axis_call(kernel, (x,), axis, None)
            return self._axis_call(kernel + "_backward_y", (grad, y), axis, out)
        name = kernel + ("_backward" if y is None else "_backward_y")
        extra = self._array_args(full) if y is None else ()
        arrays, dtype = self._prepare((grad, x if y is None else y), out, extra)
        args = self._kernel_args(args, full, arrays, dtype)
        if not self.row.array_params:
            return _run(self._backend[name], arrays, args, out, dtype)
        # prelu: also dL/dweight, summed over the axes weight was broadcast
        # on; first, while grad and x are intact (out may be one of them)
        grads = []
        for p, w in zip(self.row.array_params, extra):
            per_element = _run(self._backend[f"{kernel}_backward_{p.name}"], arrays, args,
                               None, dtype)
            grads.append(sum_to_shape(per_element, np.shape(w)))
        grad_x = _run(self._backend[name], arrays, args, out, dtype)
        return (grad_x, *grads)

    def _weights_backward(self, grad, x, weights, out):
        """backward's common prelu calls (_plain_weights): (dL/dx, dL/dweight, ...)."""
        kernel, args = self._default_call[:2]
        arrays = (grad, x, *weights)
        grads = [sum_to_shape(self._backend[f"{kernel}_backward_{p.name}"](*arrays, *args),
                              np.shape(w))
                 for p, w in zip(self.row.array_params, weights)]
        return (self._backend[kernel + "_backward"](*arrays, *args, out=out), *grads)

    def _fast_backward(self, grad, x, y, out):
        """The compiled backend's FastCall does backward's common case in C;
        here (the reference backend): None, the general path."""
        return None

    def _from_y_allowed(self, full):
        return self.row.from_y_allowed(full)

    def derivative(self, x, out=None, **params):
        """f'(x), elementwise."""
        if not params and self._grad is not None and type(x) is np.ndarray \
                and x.dtype.char in _NATIVE and (out is None or _plain_out(out, x)) \
                and (_WEAK_SCALARS or x.ndim):
            return self._grad(x, *self._default_call[1], out=out)
        if params and self._plain_params and type(x) is np.ndarray \
                and x.dtype.char in _NATIVE and (out is None or _plain_out(out, x)) \
                and (_WEAK_SCALARS or x.ndim):
            ufunc, args = self._with_params("_grad", params, x.dtype.char)
            return ufunc(x, *args, out=out)
        if type(x) is not np.ndarray or out is not None and type(out) is not np.ndarray \
                or self._has_array_params and _odd_params(params):
            result = duck.dispatch(self, "derivative", (x,), out, params)
            if result is not NotImplemented:
                return result
        if self._axis:
            raise TypeError(f"{self._qualname}.derivative: {self.name} is not "
                            "elementwise (its Jacobian is a matrix); use "
                            f"{self.name}.backward")
        kernel, args, _, full = self._call_for(params)
        arrays, dtype = self._prepare((x,), out, self._array_args(full))
        args = self._kernel_args(args, full, arrays, dtype)
        return _run(self._backend[kernel + "_grad"], arrays, args, out, dtype)

    # ---- argument rules (docs/design.md, API contract) ----

    def _prepare(self, inputs, out, weights=(), out_shape=None):
        """Arrays for the backend and the dtype to compute in (None: the
        arrays' own); validates dtypes and ``out`` before any work.
        ``weights`` (array parameters) are appended, converted to the
        result dtype of the inputs: they broadcast but never promote."""
        arrays = []
        for value in inputs:
            if isinstance(value, np.ndarray) or (hasattr(value, "__array_ufunc__")
                                                 and not isinstance(value, np.generic)):
                arrays.append(value)     # ndarray, or a duck array (dask, xarray)
            else:
                try:
                    arrays.append(np.asarray(value))
                except ValueError as error:     # ragged nested lists
                    raise ValueError(f"{self._qualname}: {error}") from None
        dtypes = [np.dtype(getattr(a, "dtype", np.float64)) for a in arrays]
        for dt in dtypes:
            if dt.kind not in "biuf" or (dt.kind == "f" and dt.char not in _FLOAT_KINDS):
                raise _dtype_error(self._qualname, dt)
        compute = None
        if any(dt.kind != "f" for dt in dtypes):
            # integers and bool compute in float64 (as np.exp does for int64)
            compute = np.result_type(*[np.float64 if dt.kind != "f" else dt for dt in dtypes])
        result = compute or np.result_type(*dtypes)
        if not _WEAK_SCALARS and all(np.ndim(a) == 0 for a in arrays):
            compute = result        # name the loop: see _WEAK_SCALARS
        for w in weights:
            arrays.append(self._weight_array(w, result))
        if out is not None:
            self._check_out(out, arrays, result, out_shape)
        elif out_shape is None and len(arrays) > 1 and len({np.shape(a) for a in arrays}) > 1:
            self._broadcast_shape(arrays)       # an error naming the function
        return arrays, compute

    def _broadcast_shape(self, arrays):
        try:
            return np.broadcast_shapes(*[np.shape(a) for a in arrays])
        except ValueError:
            raise ValueError(f"{self._qualname}: operands with shapes "
                             f"{', '.join(str(np.shape(a)) for a in arrays)} "
                             "do not broadcast together") from None

    def _kernel_args(self, args, full, arrays, compute):
        """The scalar arguments as the kernel gets them (_float32_args);
        on NumPy 1.x, as float32 scalars for a float32 or float16 loop:
        NumPy 1.x casting a Python float to float32 there reports underflow
        for a subnormal (1e-40), which NumPy 2 accepts silently."""
        args = self._float32_args(args, full, arrays, compute)
        if _WEAK_SCALARS or not args:
            return args
        if (compute or np.result_type(*[a.dtype for a in arrays])) == np.float64:
            return args
        with np.errstate(over="ignore", under="ignore"):
            return tuple(np.float32(a) for a in args)

    def _float32_args(self, args, full, arrays, compute):
        """The scalar arguments for the kernel's dtype.  float32 and
        float16 loops take them in float32: a value that float32 cannot
        hold (beyond its range, or a nonzero value that rounds to 0) is
        rounded here, without the cast's overflow warning, and the
        parameter checks run again on the rounded value (beta=1e-300 is
        0 in float32, not > 0)."""
        if all(a == 0 or _F32_TINY <= abs(a) <= _F32_MAX or a != a or a in _INFS
               for a in args):
            return args
        dtype = compute or np.result_type(*[a.dtype for a in arrays])
        if dtype == np.float64:
            return args
        with np.errstate(over="ignore", under="ignore"):
            narrowed = tuple(float(np.float32(a)) for a in args)
        checked = dict(full)
        for p, before, after in zip(self.row.numeric_params, args, narrowed):
            if before == after or (p.check == "finite_or_none" and after in _INFS):
                continue
            try:
                checked[p.name] = _check_param(self._qualname, p, after)
            except ValueError as error:
                raise ValueError(f"{error} ({p.name}={before!r} in float32, the "
                                 "precision of this call)") from None
        problem = self.row.check(checked) if self.row.check is not None else None
        if problem:
            raise ValueError(f"{self._qualname}: {problem} (in float32, the precision "
                             "of this call)")
        return narrowed

    def _weight_array(self, w, dtype):
        w = np.asarray(w)
        if w.dtype.kind not in "biuf":
            raise TypeError(f"{self._qualname}: weight must be real numbers, "
                            f"got dtype {w.dtype}")
        with np.errstate(over="ignore"):     # beyond float32/16: inf, silently
            return w.astype(dtype, copy=False)

    def _check_out(self, out, arrays, result_dtype, shape=None):
        where = f"{self._qualname}: out"
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{where} must be a NumPy array, got {type(out).__name__}")
        if not out.flags.writeable:
            raise ValueError(f"{where} is read-only")
        if shape is None:
            shape = self._broadcast_shape(arrays)
        if out.shape != shape:
            raise ValueError(f"{where} has shape {out.shape}, the result has shape {shape}")
        if out.dtype != result_dtype:
            raise TypeError(f"{where} has dtype {out.dtype}, the result has dtype "
                            f"{np.dtype(result_dtype)}")

    # ---- axis-wise functions -----------------------------------------

    def _axis_call(self, name, inputs, axis, out):
        if self.row.halves:
            return self._halves_call(name, inputs, axis, out)
        arrays, compute = self._prepare(inputs, out)
        arrays = [np.asarray(a) for a in arrays]
        ndim = max(a.ndim for a in arrays)
        if ndim == 0:        # a single value is a row of length 1
            result = self._axis_call(name, [a.reshape(1) for a in arrays], -1, None)
            result = result.reshape(())
            if out is not None:
                out[...] = result
                return out
            return result[()]
        if not -ndim <= axis < ndim:      # (its type was checked with the parameters)
            raise np.exceptions.AxisError(
                f"{self._qualname}: axis {axis} is out of bounds for an array "
                f"of dimension {ndim}")
        # as a negative index: grad may have fewer dimensions than x or y
        # (it broadcasts), and each operand counts its axes from the end
        axes = [(axis % ndim - ndim,)] * (len(arrays) + 1)
        dtype = compute or np.result_type(*arrays)
        if dtype == np.float16:
            # The row kernels exist for float32/float64: compute float16 in
            # float32 and round once (docs/design.md, dtypes).
            result = self._backend[name](*[a.astype(np.float32) for a in arrays], axes=axes)
            with np.errstate(over="ignore"):      # beyond float16: inf, silently
                result = result.astype(np.float16)
            if out is not None:
                out[...] = result
                return out
            return result
        return self._backend[name](*arrays, axes=axes, out=out, dtype=compute)

    def _default_axis_call(self, x, out):
        """f(x) along the last axis, x a float32/float64 array with ndim >= 1
        (out: None, or of x's dtype and shape)."""
        if self._axis_fwd is None:
            return self._axis_call(self._ufunc_name, (x,), self._default_call[2], out)
        if not self.row.halves:
            return self._axis_fwd(x, out=out)
        n = x.shape[-1]
        if n % 2:
            return self._halves_call(self._ufunc_name, (x,), -1, None)   # the error
        out = np.empty(x.shape[:-1] + (n // 2,), x.dtype.char)    # native byte order
        self._axis_fwd(x, out=out)
        return out

    def _halves_call(self, name, inputs, axis, out):
        """glu: the gufuncs "(n)->(m)" (forward) and "(m),(n)->(n)"
        (backward from x) with m = n/2; the output is allocated here, as
        a gufunc cannot infer m."""
        try:
            x = np.asarray(inputs[-1])
        except ValueError as error:           # ragged nested lists
            raise ValueError(f"{self._qualname}: {error}") from None
        if x.ndim == 0:
            raise ValueError(f"{self._qualname}: needs an array with at least one dimension")
        if not -x.ndim <= axis < x.ndim:
            raise np.exceptions.AxisError(
                f"{self._qualname}: axis {axis} is out of bounds for an array "
                f"of dimension {x.ndim}")
        n = x.shape[axis]
        if n % 2:
            raise ValueError(f"{self._qualname}: the length of axis {axis} must be "
                             f"even (it is split in halves), got {n}")
        half = list(x.shape)
        half[axis] = n // 2
        half = tuple(half)
        backward = len(inputs) == 2
        if backward and np.shape(inputs[0]) != half:
            raise ValueError(f"{self._qualname}.backward: grad has shape "
                             f"{np.shape(inputs[0])}, the output has shape {half}")
        out_shape = x.shape if backward else half
        arrays, compute = self._prepare(inputs, out, out_shape=out_shape)
        arrays = [np.asarray(a) for a in arrays]
        dtype = compute or np.result_type(*arrays)
        work = np.float32 if dtype == np.float16 else dtype
        arrays = [a.astype(work, copy=False) for a in arrays]
        target = out if out is not None and out.dtype == work else np.empty(out_shape, work)
        axes = [(axis,)] * (len(arrays) + 1)
        self._backend[name](*arrays, axes=axes, out=target)
        with np.errstate(over="ignore"):          # float16 results: inf, silently
            if out is not None and target is not out:
                out[...] = target
                return out
            return target if out is not None or dtype == work else target.astype(dtype)


def _drop_last_axis(params, a):
    """params without ``axis`` when it names the last axis of the ndarray
    ``a`` (an int: True is not an axis), so that the call takes the
    default-axis shortcut; params unchanged otherwise."""
    axis = params.get("axis")
    if len(params) == 1 and type(axis) is int and type(a) is np.ndarray \
            and a.ndim and axis in (-1, a.ndim - 1):
        return {}
    return params


def _scalar_operands(args, dtype):
    """Default parameters as read-only 0-d arrays of the loop's dtype, for
    the fast paths: a ufunc takes them ~2 us faster than Python floats (no
    conversion per call), and the loop gets the same values either way
    (it reads its parameters in its own dtype)."""
    with np.errstate(all="ignore"):      # 1e300 -> float32 inf, as the loop would
        operands = tuple(np.array(a, dtype=dtype) for a in args)
    for a in operands:
        a.flags.writeable = False
    return operands


def _plain_out(out, like, shape=None):
    """out is a writeable ndarray of like's dtype and shape (or ``shape``):
    the ufunc can take it as it is."""
    return (type(out) is np.ndarray and out.dtype == like.dtype and out.dtype.isnative
            and out.shape == (like.shape if shape is None else shape) and out.flags.writeable)


def _half_shape(x):
    """glu's output shape: x's with the last axis halved."""
    return x.shape[:-1] + (x.shape[-1] // 2,)


def _odd_params(params):
    """Whether a parameter value may be a Dask/xarray/torch object."""
    return any(type(v) not in _PLAIN_PARAMS for v in params.values())


# NumPy >= 2 (NEP 50): a Python float parameter takes the array's dtype.
# NumPy 1.x promotes by value when every operand is 0-d: f(np.float32
# 0-d array, alpha=0.5) would run the float64 loop.  There, 0-d calls take
# the general path, which passes the loop's dtype (_prepare).
_WEAK_SCALARS = np.lib.NumpyVersion(np.__version__) >= "2.0.0"



def _run(ufunc, arrays, args, out, dtype):
    """ufunc(*arrays, *args, out=out) computing in `dtype` (None: the
    arrays' own).  NumPy 1.x reads dtype= as every operand's type, which
    float16's loops ("efff->e": parameters in float32) do not have: there
    the whole loop is named."""
    if dtype is None or _WEAK_SCALARS or not isinstance(ufunc, np.ufunc):
        return ufunc(*arrays, *args, out=out, dtype=dtype)
    char = np.dtype(dtype).char
    loop = next(t for t in ufunc.types if t[-1] == char)
    return ufunc(*arrays, *args, out=out, signature=loop)


_SCALARS = frozenset((float, int, str, type(None), bool))
_EMPTY = {"f": np.empty(0, np.float32), "d": np.empty(0, np.float64)}
_PLAIN_PARAMS = frozenset((np.ndarray, float, int, str, type(None), bool, list, tuple))


def _rows_match(grad_shape, shape, axis):
    """grad_shape broadcasts to shape and has the full length along axis."""
    if len(grad_shape) == 0 or len(shape) == 0 or len(grad_shape) > len(shape):
        return grad_shape == shape
    try:
        if np.broadcast_shapes(grad_shape, shape) != tuple(shape):
            return False
    except ValueError:
        return False
    a = operator.index(axis) % len(shape)           # the axis in shape
    ga = a - (len(shape) - len(grad_shape))          # the same axis in grad_shape
    return ga >= 0 and grad_shape[ga] == shape[a]


def _lookup(module, name):
    """The Activation `name` of module `module` (fastact, fastact.reference)."""
    import importlib
    return getattr(importlib.import_module(module), name)


def _check_param(qualname, p, value):
    """The checked value of parameter `p`, or a ValueError/TypeError naming it."""
    where = f"{qualname}: {p.name}"
    if p.check == "choice":
        aliases = dict(p.value_aliases)
        try:
            value = aliases.get(value, value)
        except TypeError:        # unhashable
            pass
        if isinstance(value, str) and value in p.choices:
            return value
        raise ValueError(f"{where} must be one of {', '.join(map(repr, p.choices))}, "
                         f"got {value!r}")
    if p.check == "array":
        try:
            array = np.asarray(value)
        except Exception:          # noqa: BLE001  (anything NumPy rejects)
            raise TypeError(f"{where} must be a number or an array of numbers, "
                            f"got {value!r}") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{where} must be real numbers, got dtype {array.dtype}")
        return value
    if p.check == "int":
        if isinstance(value, bool):
            raise TypeError(f"{where} must be an integer, got {value!r}")
        try:
            return operator.index(value)
        except TypeError:
            raise TypeError(f"{where} must be an integer, got {value!r}") from None
    if value is None and p.check == "finite_or_none":
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a real number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:        # an int beyond the float range
        raise ValueError(f"{where} is beyond the floating-point range") from None
    if p.check == "real":
        return value
    if not math.isfinite(value):
        raise ValueError(f"{where} must be finite, got {value!r}")
    if p.check == "positive" and not value > 0:
        raise ValueError(f"{where} must be > 0, got {value!r}")
    if p.check == "nonnegative" and not value >= 0:
        raise ValueError(f"{where} must be >= 0, got {value!r}")
    return value


def _docstring(row, prefix="fastact"):
    """The numpydoc docstring of the function of `row` (docstrings.py)."""
    return docstrings.function_doc(row, prefix)


def _documented_method(activation, name, doc):
    """activation.<name> bound, with its own docstring and signature: a copy
    of the class's function (same code, no wrapper call)."""
    function = getattr(type(activation), name)
    copy = types.FunctionType(function.__code__, function.__globals__, name,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__qualname__ = f"{activation.name}.{name}"
    copy.__module__ = function.__module__
    copy.__doc__ = doc
    copy.__signature__ = docstrings.signature(activation.row, name, bound=False)
    return types.MethodType(copy, activation)


def build(backend, prefix, fast_call=None):
    """{canonical name: Activation} for every catalog row, catalog order.
    ``fast_call``: the compiled module's FastCall, a base class that takes
    f(x) with default parameters straight to the ufunc in C."""
    cls = Activation
    if fast_call is not None:
        cls = type("Activation", (fast_call, Activation),
                   {"__module__": __name__, "__doc__": Activation.__doc__, "__slots__": ()})
    return {row.name: cls(row, backend, prefix) for row in catalog.CATALOG}
