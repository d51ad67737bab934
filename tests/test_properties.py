"""Property-based tests: on any input NumPy allows, fastact equals its
reference twin within the catalog's bound, or both raise the same
exception type (naming the function), leaving every buffer untouched.

One *case* is a call of one catalog row in one direction (forward,
derivative, backward from x, backward from y) on operands drawn at random:
dtypes (float16/32/64 in either byte order, integers, bool, sometimes an
unsupported one), shapes (0-d, empty, up to 4-D), strides (negative, zero,
not a multiple of the itemsize, unaligned offsets), Python scalars and
lists, parameters (NaN, infinities, 0, huge, wrong types), and `out`, x,
grad placed in shared memory: identical, partially overlapping or disjoint.

The case runs twice from the same initial memory, once on fastact and once
on fastact.reference; besides the values, every byte outside `out` must be
unchanged (inputs are never modified, nothing is written out of bounds),
and all of memory when the call raises.

The same generator drives tools/fuzz.py (atheris): a case is built from a
`Chooser`, which hypothesis, atheris or a seeded random source implement.
Examples per function: the hypothesis profile (conftest.py: "quick", 50,
by default; --hypothesis-profile=ci for 200, as CI's kernel-variant passes run it;
--hypothesis-profile=thorough for >= 10^4).
"""

import itertools
import math
import random
import warnings

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from fastact._cli import accuracy
from helpers import GRAD_FLOOR, REFERENCE_ULP, bound, ulp_diff

# ---- sources of choices -------------------------------------------------------


class Chooser:
    """Integers in [lo, hi] from some source; everything else derives."""

    def int(self, lo, hi):
        raise NotImplementedError

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]

    def chance(self, one_in):
        """True once in `one_in` draws (for a uniform source).  The first
        options and the low draws are the common cases: hypothesis shrinks
        towards them, and a fuzzer's exhausted input gives them."""
        return self.int(0, one_in - 1) == one_in - 1


class RandomChooser(Chooser):
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def int(self, lo, hi):
        return self.rng.randint(lo, hi)


class HypothesisChooser(Chooser):
    def __init__(self, data):
        from hypothesis import strategies as st
        self.data, self.st = data, st

    def int(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))


# ---- what a case is made of ------------------------------------------------------

FLOATS = ["<f8", "<f4", "<f2", ">f8", ">f4", ">f2"]
OTHERS = ["i1", "<i2", "<i4", ">i8", "u1", "<u2", ">u4", "<u8", "?"]
UNSUPPORTED = ["<c16", "O", "<M8[s]", "<U2"]

# Parameter values worth trying: edges, non-finite, huge (beyond float32 and
# float16), tiny, other numeric types, and values of the wrong type.
NUMBERS = [0.0, -0.0, 0.5, 1.0, -1.0, 2.0, -2.5, 6.0, 20.0, 1e-3, 1e-300, 5e-324,
           1e300, -1e300, 3.5e38, -3.5e38, 7e4, float("nan"), float("inf"), float("-inf"),
           0, 1, -3, np.float32(0.25), np.float16(1.5), np.int64(2), np.float64(-0.75)]
WRONG = [None, True, "1", [1.0], 1j, 10 ** 400, np.array(1.0)]


def param_value(ch, p):
    if p.check == "choice":
        options = list(p.choices) + [k for k, _ in p.value_aliases] + ["nonsense", None, 1]
        return ch.pick(options)
    if p.check == "int":
        if ch.chance(8):
            return ch.pick([1.5, "0", True, None, np.int64(0), np.int32(-1), 10 ** 20, -5, 4])
        return ch.pick([-1, -1, -1, 0, 0, 1, 2, -2, 3, -3])
    if p.check == "array":
        return None      # an operand: drawn with the arrays
    if ch.chance(10):
        return ch.pick(WRONG)
    return ch.pick(NUMBERS)


def draw_params(ch, row):
    params = {}
    for p in row.params:
        if p.check == "array":
            continue
        if p.default is catalog.REQUIRED:
            if not ch.chance(12):
                params[p.name] = param_value(ch, p)
        elif ch.chance(2):
            params[p.name] = param_value(ch, p)
    if ch.chance(40):
        params["no_such_parameter"] = 1.0
    return params


def draw_values(ch, shape):
    """float64 values of `shape`: ordinary, wide-ranging or special."""
    rng = np.random.default_rng(ch.int(0, 2 ** 32 - 1))
    n = int(np.prod(shape, dtype=np.int64))
    kind = ch.int(0, 3)
    if kind == 0:
        v = rng.normal(0, 3, n)
    elif kind == 1:
        v = np.sign(rng.uniform(-1, 1, n)) * 10.0 ** rng.uniform(-40, 40, n)
    elif kind == 2:
        special = np.array([0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 0.5, -0.5, 20.0, 1e-310,
                            np.nan, np.inf, -np.inf, 1e308, -1e308, 709.8, -745.2, 88.8,
                            -103.9, 6.6e4, 3.5e38, -7e4])
        v = special[rng.integers(0, special.size, n)]
    else:
        v = np.round(rng.normal(0, 4, n) * 4) / 4      # grid: ties and kinks
    return v.reshape(shape)


def cast(values, dtype):
    dtype = np.dtype(dtype)
    with np.errstate(all="ignore"):
        if dtype.kind == "b":
            return values > 0
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            clean = np.nan_to_num(values, nan=0.0, posinf=info.max, neginf=info.min)
            return np.clip(np.round(clean), info.min, info.max).astype(dtype)
        if dtype.kind == "M":
            return np.nan_to_num(values).astype(np.int64).astype(dtype)
        if dtype.kind == "U":
            return values.astype(dtype)
        if dtype.kind == "O":
            return values.astype(object)
        return values.astype(dtype)


def printable(a):
    try:
        return f"{a.tolist()!r:.400}"
    except (SystemError, UnicodeError, ValueError):      # strings of random bytes
        return "<not printable>"


def has_signalling_nan(a):
    """Does the float array `a` hold a signalling NaN (quiet bit clear)?"""
    bits = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    mantissa = {2: 10, 4: 23, 8: 52}[a.dtype.itemsize]
    b = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("="), copy=True)
                             if not a.dtype.isnative else a).view(bits)
    one = bits(1)
    quiet = one << bits(mantissa - 1)
    fraction = (one << bits(mantissa)) - one
    exponent = ~(fraction | (one << bits(8 * a.dtype.itemsize - 1)))
    nan = ((b & exponent) == exponent) & ((b & fraction) != 0)
    return bool((nan & ((b & quiet) == 0)).any())


class Operand:
    """An array placed in one of the case's byte buffers: shape, dtype,
    byte strides and offset, and its initial values."""

    def __init__(self, name, shape, dtype, strides, buffer, offset, values, readonly=False):
        self.name, self.shape, self.dtype = name, tuple(shape), np.dtype(dtype)
        self.strides, self.buffer, self.offset = tuple(strides), buffer, offset
        self.values, self.readonly = values, readonly

    def view(self, buffers):
        a = np.ndarray(self.shape, self.dtype, buffer=buffers[self.buffer],
                       offset=self.offset, strides=self.strides)
        if self.readonly:
            a.flags.writeable = False
        return a

    def extent(self):
        """(lowest, highest + 1) byte touched, relative to the offset."""
        if 0 in self.shape:
            return 0, 0
        low = sum(min(0, s * (n - 1)) for s, n in zip(self.strides, self.shape))
        high = sum(max(0, s * (n - 1)) for s, n in zip(self.strides, self.shape))
        return low, high + self.dtype.itemsize

    def describe(self, buffers):
        return (f"{self.name}: {self.dtype.str} shape {self.shape} strides {self.strides} "
                f"buffer {self.buffer} offset {self.offset}"
                + (" read-only" if self.readonly else "")
                + f" = {printable(self.view(buffers))}")


# (step in elements, sign) of one axis; 0: a zero stride (inputs only)
STEPS = [(step, sign) for step in (1, 1, 1, 1, 2, 3) for sign in (1, 1, 1, -1)] + [0] * 3
ORDERS = {n: list(itertools.permutations(range(n))) for n in range(8)}


def draw_strides(ch, shape, itemsize, zero_ok=True):
    """Byte strides for `shape`: any axis order, steps of +-1..3 elements,
    sometimes an element spacing that is not a multiple of the itemsize,
    sometimes a zero stride (inputs only).  (Few draws per array: each
    costs hypothesis time.)"""
    order = ch.pick(ORDERS[len(shape)])
    unit = itemsize
    if itemsize > 1 and ch.chance(8):
        unit = itemsize + ch.int(1, itemsize - 1)
    strides = [0] * len(shape)
    span = unit
    for axis in reversed(order):
        choice = ch.pick(STEPS)
        step, sign = (1, 1) if choice == 0 else choice
        strides[axis] = 0 if choice == 0 and zero_ok else sign * step * span
        span *= step * max(shape[axis], 1)
    return strides


def draw_shape(ch, ndim=None):
    if ndim is None:
        ndim = ch.pick([1, 1, 1, 2, 2, 0, 3, 4])
    dims = [ch.pick([3, 1, 1, 2, 2, 0, 4, 5, 6, 8]) for _ in range(ndim)]
    if ch.chance(30):
        dims = [0] + dims
    return tuple(dims)


def related_shape(ch, shape):
    """The same shape mostly; else one that broadcasts, or one that does not."""
    k = ch.int(0, 9)
    if k <= 6 or not shape or np.prod(shape) > 512:    # (big ones would broadcast big)
        return tuple(shape)
    if k == 7:      # drop leading axes / set some to 1: broadcasts
        cut = ch.int(0, len(shape))
        return tuple(1 if ch.chance(2) else n for n in shape[cut:])
    if k == 8:
        return tuple(shape) + (1,) if ch.chance(2) else (2,) + tuple(shape)
    return tuple(n + 1 for n in shape)          # does not broadcast


class Case:
    """One call of one row: `direction`, keyword `params`, and the
    positional/keyword operands, arrays placed in `buffers`."""

    def __init__(self, row, direction, params):
        self.row, self.direction, self.params = row, direction, params
        self.operands = {}        # name -> Operand, or a Python object
        self.sizes = [0, 0, 0]    # bytes needed per buffer
        self.initial = None

    # -- building --

    def place(self, ch, name, shape, dtype, values, zero_ok=True, like=None, readonly=False):
        dtype = np.dtype(dtype)
        if like is not None:          # identical memory: the same view
            op = Operand(name, like.shape, like.dtype, like.strides, like.buffer,
                         like.offset, values, readonly)
        else:
            strides = draw_strides(ch, shape, dtype.itemsize, zero_ok)
            probe = Operand(name, shape, dtype, strides, 0, 0, values)
            low, high = probe.extent()
            buffer = ch.pick([0, 0, 1, 2])           # buffer 0 is shared by default
            shift = int(ch.pick([0, 0, 1, 2, 3, 4, 0.5]) * dtype.itemsize)   # 0.5: unaligned
            op = Operand(name, shape, dtype, strides, buffer, shift - low, values, readonly)
        low, high = op.extent()
        self.sizes[op.buffer] = max(self.sizes[op.buffer], op.offset + high)
        self.operands[name] = op
        return op

    def finish(self, ch):
        """Allocate the buffers and write every operand's values in order
        (later ones overwrite what they share with earlier ones)."""
        rng = np.random.default_rng(ch.int(0, 2 ** 16))
        self.initial = [rng.integers(0, 256, size + 16, dtype=np.uint8) for size in self.sizes]
        buffers = [b.copy() for b in self.initial]
        for op in self.operands.values():
            if isinstance(op, Operand) and op.values is not None:
                view = np.ndarray(op.shape, op.dtype, buffer=buffers[op.buffer],
                                  offset=op.offset, strides=op.strides)
                view[...] = cast(op.values, op.dtype)
        # Signalling NaNs (bytes shared by operands of different dtypes make
        # them): NumPy's own casts of them warn "invalid value encountered in
        # cast" (x.astype(np.float64) does too); fastact's kernels do not.
        self.signalling_nan = any(
            isinstance(op, Operand) and op.dtype.kind == "f" and has_signalling_nan(
                op.view(buffers)) for op in self.operands.values())
        self.initial = buffers

    # -- running --

    def materialize(self):
        buffers = [b.copy() for b in self.initial]
        objects = {name: op.view(buffers) if isinstance(op, Operand) else op
                   for name, op in self.operands.items()}
        return buffers, objects

    def call(self, module):
        """(buffers after, outcome): outcome is ("ok", result, returned_out)
        or ("error", exception)."""
        buffers, ops = self.materialize()
        f = getattr(module, self.row.name)
        params = dict(self.params)
        for name in ("weight",):
            if name in ops:
                params[name] = ops[name]
        out = ops.get("out")
        kw = {} if "out" not in ops else {"out": out}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                if self.signalling_nan:
                    warnings.filterwarnings("ignore", "invalid value encountered in cast")
                if self.direction == "forward":
                    result = f(ops["x"], **kw, **params)
                elif self.direction == "derivative":
                    result = f.derivative(ops["x"], **kw, **params)
                elif self.direction == "backward_x":
                    result = f.backward(ops["grad"], ops["x"], **kw, **params)
                else:
                    result = f.backward(ops["grad"], y=ops["y"], **kw, **params)
        except Exception as error:        # noqa: BLE001  (compared between the twins)
            return buffers, ("error", error)
        first = result[0] if isinstance(result, tuple) else result
        returned_out = "out" in ops and first is out
        if isinstance(result, tuple):
            result = tuple(np.array(r, copy=True) if isinstance(r, np.ndarray) else r
                           for r in result)
        elif isinstance(result, np.ndarray):
            result = result.copy()
        return buffers, ("ok", result, returned_out)

    def __repr__(self):
        lines = [f"{self.row.name}.{self.direction}({self.params!r})"]
        buffers = self.initial or [np.zeros(n + 16, np.uint8) for n in self.sizes]
        lines += [f"  {op.describe(buffers)}" if isinstance(op, Operand)
                  else f"  {name} = {op!r:.400}" for name, op in self.operands.items()]
        lines.append(f"  buffers: {[len(b) for b in self.initial]} bytes")
        return "\n".join(lines)


def draw_input(ch, case, name, shape=None, like=None):
    """x, y or grad: an array in the buffers (any dtype and layout, maybe the
    same memory as `like`), or a Python scalar, list or NumPy scalar."""
    kind = 19 - ch.int(0, 19)          # mostly an array (kind > 2)
    shape = draw_shape(ch) if shape is None else shape
    values = draw_values(ch, shape)
    if kind == 0:
        scalar = float(values.ravel()[0]) if values.size else 0.5
        case.operands[name] = ch.pick([scalar, int(np.clip(np.nan_to_num(scalar), -1e6, 1e6)),
                                       scalar > 0])
        return None
    if kind == 1:
        case.operands[name] = cast(values, ch.pick(["<f8", "<f4", "<i8", "?"])).tolist()
        return None
    if kind == 2:
        case.operands[name] = cast(values.ravel()[:1].reshape(()) if values.size
                                   else np.zeros(()), ch.pick(["<f4", "<f8", "<f2"]))[()]
        return None
    if like is not None and tuple(shape) == like.shape and ch.chance(4):
        return case.place(ch, name, shape, like.dtype, values, like=like)
    if ch.chance(40):
        dtype = ch.pick(UNSUPPORTED)
        if dtype == "O":       # holds pointers: never a view of raw bytes
            case.operands[name] = values.astype(object)
            return None
    elif ch.chance(5):
        dtype = ch.pick(OTHERS)
    else:
        dtype = ch.pick(FLOATS)
    return case.place(ch, name, shape, dtype, values, readonly=ch.chance(6))


def result_signature(case):
    """(shape, dtype) of the result, from the reference on plain copies of
    the operands (layout and memory sharing do not change them), or None
    when the call raises."""
    plain = {k: cast(op.values, op.dtype) if isinstance(op, Operand) else op
             for k, op in case.operands.items() if k != "out"}
    f = getattr(fa.reference, case.row.name)
    params = dict(case.params)
    if "weight" in plain:
        params["weight"] = plain["weight"]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if case.direction == "forward":
                r = f(plain["x"], **params)
            elif case.direction == "derivative":
                r = f.derivative(plain["x"], **params)
            elif case.direction == "backward_x":
                r = f.backward(plain["grad"], plain["x"], **params)
            else:
                r = f.backward(plain["grad"], y=plain["y"], **params)
    except Exception:          # noqa: BLE001
        return None
    r = r[0] if isinstance(r, tuple) else r
    return np.shape(r), np.asarray(r).dtype


def draw_case(ch, row=None, big_ok=True):
    """A random call of `row` (or of a random row)."""
    if row is None:
        row = ch.pick(catalog.CATALOG)
    directions = ["forward", "forward", "backward_x", "backward_x"]
    if row.has_grad_y:
        directions += ["backward_y", "backward_y"]
    elif ch.chance(12):
        directions = ["backward_y"]       # always a TypeError: seldom
    if row.kind == catalog.ELEMENTWISE:
        directions.append("derivative")
    direction = ch.pick(directions)
    case = Case(row, direction, draw_params(ch, row))

    # the main input (x, or y for backward from y)
    main = "y" if direction == "backward_y" else "x"
    shape = None
    if big_ok and ch.chance(24):
        # above the row's parallel threshold: the thread pool's chunks
        n = 2 * row.min_parallel + ch.int(0, 200)
        shape = (n,) if ch.chance(2) or row.kind == catalog.ELEMENTWISE else (n // 8, 8)
    if row.halves and shape is None and not ch.chance(4):
        shape = draw_shape(ch, ch.pick([1, 1, 2, 3]))    # glu: mostly an even axis
        axis = case.params.get("axis", -1)
        if isinstance(axis, int) and -len(shape) <= axis < len(shape):
            shape = list(shape)
            shape[axis] *= 2
            shape = tuple(shape)
    x = draw_input(ch, case, main, shape)
    xshape = x.shape if x is not None else np.shape(case.operands[main])

    if direction.startswith("backward"):
        gshape = related_shape(ch, xshape)
        if row.halves and len(gshape) and gshape == tuple(xshape) and not ch.chance(6):
            axis = case.params.get("axis", -1)
            if isinstance(axis, int) and -len(gshape) <= axis < len(gshape):
                gshape = list(gshape)
                gshape[axis] //= 2
                gshape = tuple(gshape)
        draw_input(ch, case, "grad", gshape, like=x)

    for p in row.array_params:      # prelu's weight: an operand too
        if ch.chance(3):
            continue
        wshape = () if ch.chance(4) else related_shape(ch, xshape[ch.int(0, len(xshape)):])
        draw_input(ch, case, p.name, wshape)

    # `out`: mostly right for the result; sometimes the input itself,
    # overlapping it, or wrong (read-only, shape, dtype, not an array)
    if not ch.chance(3):
        signature = result_signature(case)
        if signature is not None:
            place_out(ch, case, signature)
        elif ch.chance(2):
            case.place(ch, "out", xshape, "<f8", draw_values(ch, xshape), zero_ok=False)
    case.finish(ch)
    return case


def place_out(ch, case, signature):
    shape, dtype = signature
    k = ch.int(0, 19)           # 0-10: a right `out`; 11-15: sharing an input's memory
    if k == 19:
        case.operands["out"] = np.full(shape, 42.0).tolist()     # not an array
        return
    if k == 18:
        shape = related_shape(ch, shape) if shape else (1,)
    values = np.full(shape, 42.0)
    if k == 17:
        dtype = ch.pick(FLOATS + OTHERS[:2])
    readonly = k == 16
    inputs = [op for op in case.operands.values() if isinstance(op, Operand)]
    if inputs and 11 <= k <= 15:
        like = ch.pick(inputs)
        if like.shape == tuple(shape) and like.dtype == dtype:
            if ch.chance(2) and not any(s == 0 for s in like.strides):
                # the same memory as an input: in place
                case.place(ch, "out", shape, dtype, None, like=like)
                return
        # close to an input in the same buffer: partial overlap
        strides = draw_strides(ch, shape, np.dtype(dtype).itemsize, zero_ok=False)
        probe = Operand("out", shape, dtype, strides, like.buffer, 0, None)
        low, high = probe.extent()
        delta = ch.int(-3, 3) * np.dtype(dtype).itemsize + (ch.int(1, 3) if ch.chance(8) else 0)
        offset = max(like.offset + delta, -low)
        op = Operand("out", shape, dtype, strides, like.buffer, offset, values)
        case.sizes[op.buffer] = max(case.sizes[op.buffer], offset + high)
        case.operands["out"] = op
        return
    case.place(ch, "out", shape, dtype, values, zero_ok=False, readonly=readonly)


# ---- comparing the twins ------------------------------------------------------

def tolerance(case, want, ops):
    """(max ULPs, floor) for comparing fastact's result with the
    reference's (REFERENCE_ULP: the reference's own error)."""
    row, dtype = case.row, np.asarray(want).dtype
    if dtype == np.float16:
        return 1.0, 0.0          # both round a float32 result within its bound
    ref = REFERENCE_ULP[dtype.type]
    grad = np.abs(np.asarray(ops["grad"], dtype=np.float64)) if "grad" in ops else None
    if case.direction == "forward":
        return bound(row.ulp, dtype) + ref, 0.0
    terms = GRAD_FLOOR          # or the magnitude of f''s terms (catalog grad_terms)
    if row.kind == catalog.ELEMENTWISE and not row.array_params and "x" in ops:
        terms = accuracy.grad_floor(row, case.params, np.asarray(ops["x"], dtype=np.float64))
    if case.direction == "derivative":
        return bound(row.ulp_grad, dtype) + ref, terms
    if row.kind == catalog.ELEMENTWISE:
        ulp = row.ulp_grad if case.direction == "backward_x" else row.ulp_grad_y
        return bound(ulp, dtype) + ref + 1, (terms if case.direction == "backward_x"
                                             else GRAD_FLOOR) * grad
    # axis rows: in ULPs of the terms backward sums (catalog grad_scale)
    axis = ops.get("axis", case.params.get("axis", -1))
    g = np.asarray(ops["grad"], dtype=np.float64)
    if 0 < g.ndim < np.ndim(want):      # a grad that broadcasts: its row sums along axis
        g = g.reshape((1,) * (np.ndim(want) - g.ndim) + g.shape)
    if g.ndim == 0:          # 0-d: a row of one value
        one = {k: np.reshape(v, 1) if k in ("grad", "x", "y") else v for k, v in ops.items()}
        ulps, floor = tolerance(case, np.reshape(want, 1), dict(one, axis=-1))
        return ulps, np.reshape(floor, ())
    if row.halves:
        x = np.asarray(ops["x"], dtype=np.float64)
        return bound(row.ulp_grad_y, dtype) + ref + 1, row.grad_scale(g, x, axis)
    if case.direction == "backward_y":
        y = np.asarray(ops["y"], dtype=np.float64)
        return bound(row.ulp_grad_y, dtype) + ref + 1, row.grad_scale(g, y, axis)
    # from x: each twin computes y first (in the result's dtype), so y's
    # error comes on top
    x = np.asarray(ops["x"]).astype(dtype)
    y = np.asarray(getattr(fa.reference, row.name)(x, axis=axis), dtype=np.float64)
    ulps = bound(row.ulp_grad_y, dtype) + bound(row.ulp, dtype) + 2 * ref + 2
    y_error = 2 * (bound(row.ulp, dtype) + ref)          # both twins' y, in ULPs
    floor = row.grad_scale(g, y, axis)
    if row.name == "log_softmax":
        # backward uses exp(y): an error of k ULP in y is an error of about
        # k |y| ULP in exp(y)
        ulps = ulps + y_error * np.nan_to_num(np.abs(y))
    else:
        # y = softmax(x) below the normal range has only absolute precision
        # (a subnormal's spacing), which y (g - sum(g y)) multiplies by up
        # to |g_i| + sum |g|: a floor that allows that absolute error
        info = np.finfo(dtype)
        absolute = y_error * float(info.smallest_subnormal) * (
            np.abs(g) + np.sum(np.abs(g), axis=axis, keepdims=True))
        floor = np.maximum(floor, absolute / (ulps * float(info.eps)))
    return ulps, floor


def changed_outside_out(case, buffers):
    """True if a byte outside `out` differs from the initial memory."""
    expected = [b.copy() for b in case.initial]
    out = case.operands.get("out")
    if isinstance(out, Operand):
        out.view(expected)[...] = out.view(buffers)
    return any(not np.array_equal(a, b) for a, b in zip(expected, buffers))


class Described:
    """Formats as the case's description, only when a message needs it."""

    def __init__(self, case):
        self.case = case

    def __format__(self, spec):
        return f"\n{self.case!r}"


def check_case(case):
    """Run `case` on both twins and assert the properties (the message
    describes the case, for a reproducible failure report); "ok" or
    "error"."""
    fast_buffers, fast = case.call(fa)
    ref_buffers, ref = case.call(fa.reference)
    with np.errstate(all="ignore"):          # the comparisons' own arithmetic
        return compare(case, fast_buffers, fast, ref_buffers, ref)


def compare(case, fast_buffers, fast, ref_buffers, ref):
    where = Described(case)
    if fast[0] == "error" or ref[0] == "error":
        assert fast[0] == ref[0] == "error", f"only one raised: {fast} vs {ref}{where}"
        assert type(fast[1]) is type(ref[1]), f"{fast[1]!r} vs {ref[1]!r}{where}"
        assert f"fastact.{case.row.name}" in str(fast[1]), \
            f"message does not name the function: {fast[1]!r}{where}"
        for buffers in (fast_buffers, ref_buffers):
            assert all(np.array_equal(a, b) for a, b in zip(buffers, case.initial)), \
                f"memory changed by a call that raised {fast[1]!r}{where}"
        return "error"
    _, got, got_out = fast
    _, want, want_out = ref
    assert got_out == want_out, f"returns out: {got_out} vs {want_out}{where}"
    assert "out" not in case.operands or got_out, f"out not returned{where}"
    assert type(got) is type(want), f"{type(got)} vs {type(want)}{where}"
    assert not changed_outside_out(case, fast_buffers), f"fastact wrote outside out{where}"
    assert not changed_outside_out(case, ref_buffers), f"reference wrote outside out{where}"
    got_parts = got if isinstance(got, tuple) else (got,)
    want_parts = want if isinstance(want, tuple) else (want,)
    assert len(got_parts) == len(want_parts)
    _, ops = case.materialize()
    for i, (a, b) in enumerate(zip(got_parts, want_parts)):
        assert np.shape(a) == np.shape(b), f"shape {np.shape(a)} vs {np.shape(b)}{where}"
        assert np.asarray(a).dtype == np.asarray(b).dtype, \
            f"dtype {np.asarray(a).dtype} vs {np.asarray(b).dtype}{where}"
        if i == 0:
            ulps, floor = tolerance(case, b, ops)
            err = ulp_diff(a, b, np.asarray(b).dtype, floor)
            if case.direction.startswith("backward"):
                err = np.where(infinite_grad(case, ops, err.shape) & ~np.isfinite(a)
                               & ~np.isfinite(b), 0.0, err)
            over = err - ulps                    # ulps: a number or per element
            if over.size and over.max() > 0 and oracle_allows(case, a, ops, over > 0):
                over = np.zeros_like(over)
            if over.size and over.max() > 0:
                k = np.unravel_index(int(np.argmax(over)), over.shape) if over.ndim else ()
                raise AssertionError(
                    f"{err[k]} ULP > {np.broadcast_to(ulps, err.shape)[k]} at {k}: "
                    f"fastact {np.asarray(a)[k]!r}, reference {np.asarray(b)[k]!r}{where}")
        else:        # prelu's dL/dweight: sums of per-element terms
            check_sum(a, b, case, where)
    return "ok"


def oracle_allows(case, got, ops, bad):
    """Where the twins disagree beyond the bound, is fastact within its
    catalog bound of the mpmath oracle (fastact/_verify/oracle.py)?  Then the
    reference was off: its float64 error is not always within
    REFERENCE_ULP (gelu in the left tail: up to 5 ULP).  Elementwise rows
    with scalar parameters, float32/float64, forward, derivative and
    backward from x."""
    row, got = case.row, np.asarray(got)
    if (row.kind != catalog.ELEMENTWISE or row.array_params or case.direction == "backward_y"
            or got.dtype not in (np.float32, np.float64) or not 0 < bad.sum() <= 100):
        return False
    from fastact._verify import oracle
    dtype = got.dtype
    kernel, args, _, _ = fa.get(row.name)._resolve(case.params)
    args = tuple(float(dtype.type(a)) for a in args)        # as the loop sees them
    x = np.broadcast_to(np.asarray(ops["x"]).astype(dtype), got.shape)[bad]
    want = oracle.oracle_array(kernel, "forward" if case.direction == "forward" else "grad",
                               x.astype(np.float64), args)
    ulps, floor = bound(row.ulp, dtype), 0.0
    terms = accuracy.grad_floor(row, case.params, x.astype(np.float64))
    if case.direction == "derivative":
        ulps, floor = bound(row.ulp_grad, dtype), terms
    elif case.direction == "backward_x":
        g = np.broadcast_to(np.asarray(ops["grad"]).astype(dtype), got.shape)[bad]
        want = g.astype(np.float64) * want
        ulps, floor = bound(row.ulp_grad, dtype) + 1, terms * np.abs(g.astype(np.float64))
    return bool((ulp_diff(got[bad], want, dtype, floor) <= ulps).all())


def infinite_grad(case, ops, shape):
    """Where an infinite grad enters the result: an infinite grad times a
    factor that is 0 in one twin and tiny in the other (exp underflowing a
    little earlier or later; f' near 0 is only accurate to the floor) is
    NaN in one and +-inf in the other; both are accepted."""
    g = np.isinf(np.asarray(ops["grad"], np.float64))
    if case.row.kind == catalog.AXIS and g.ndim:
        g = g.reshape((1,) * (len(shape) - g.ndim) + g.shape)   # a grad that broadcasts
        axis = case.params.get("axis", -1)
        if case.row.halves:                   # both halves of dL/dx take g
            g = np.concatenate([g, g], axis=axis)
        else:
            g = g.any(axis=axis, keepdims=True)       # the row's sums are infinite
    return np.broadcast_to(g, shape)


def check_sum(got_sum, want_sum, case, where):
    got, want = np.asarray(got_sum, np.float64), np.asarray(want_sum, np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    _, ops = case.materialize()
    terms = np.abs(np.asarray(ops["grad"], np.float64) * np.asarray(ops["x"], np.float64))
    with np.errstate(all="ignore"):
        scale = np.nansum(np.where(np.isfinite(terms), terms, 0)) + 1e-300
    eps = np.finfo(np.asarray(want_sum).dtype).eps     # per-element terms round in it
    with np.errstate(all="ignore"):
        close = np.abs(got - want) <= 16 * eps * scale
    assert (same | close).all(), f"weight gradient {got!r} vs {want!r}{where}"


# ---- the property test --------------------------------------------------------------

try:
    from hypothesis import event, given
    from hypothesis import strategies as st
except ImportError:          # a test extra: the property test skips without it
    given = None

if given is not None:
    @pytest.mark.parametrize("name", fa.names())
    @given(data=st.data())
    def test_fastact_equals_reference_on_any_input(name, data):
        case = draw_case(HypothesisChooser(data), catalog.BY_NAME[name])
        event(f"{case.direction}: {check_case(case)}")    # --hypothesis-show-statistics
else:
    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_fastact_equals_reference_on_any_input():
        pass


def test_random_cases_without_hypothesis():
    """The same property on seeded random cases (what tools/fuzz.py
    --engine random runs): a few hundred, whatever is installed."""
    outcomes = [check_case(draw_case(RandomChooser(seed))) for seed in range(300)]
    assert outcomes.count("ok") > 100


# ---- regressions: what these tests and tools/fuzz.py found ---------------------------

@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_long_row_backward_sums_stay_within_the_bound(name):
    """Row sums in backward from y: fastact's float64 sums were plain lane
    sums (log_softmax' of a 10^6 row of equal gradients was 10^4 ULP off,
    bound 4); the reference summed a strided axis naively (np.sum only sums
    pairwise along a contiguous axis: ~70 ULP off on a column of 2056, found
    by tools/fuzz.py).  Both now compensate.  The first 40 elements of a
    2^17 row, contiguous and as a column, against exact sums."""
    from fractions import Fraction
    n = 2 ** 17
    row = catalog.BY_NAME[name]
    x = np.random.default_rng(3).normal(size=n)
    g = np.full(n, 0.1)
    for module in (fa, fa.reference):
        f = getattr(module, name)
        y = f(x)
        if name == "log_softmax":
            total = Fraction(math.fsum(g))
            want = np.array([float(Fraction(g[i]) - Fraction(math.exp(y[i])) * total)
                             for i in range(40)])
        else:
            dot = Fraction(math.fsum(g * y))     # products round: within the floor
            sign = -1 if name == "softmin" else 1
            want = np.array([float(sign * Fraction(y[i]) * (Fraction(g[i]) - dot))
                             for i in range(40)])
        floor = row.grad_scale(g, y, -1)[:40]
        column = np.stack([y, y], axis=1), np.stack([g, g], axis=1)     # axis 0 strided
        for got in (f.backward(g, y=y)[:40],
                    f.backward(column[1], y=column[0], axis=0)[:40, 1]):
            err = ulp_diff(got, want, np.float64, floor)
            assert err.max() <= bound(row.ulp_grad_y, np.float64) + 1, (module, err.max())


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_row_sums_that_overflow_only_part_way(name):
    """sum(g) = 0 for g = [1e308, -1e308, 0...] repeated: a lane (fastact:
    elements 0 and 8 share one) or a pairwise partial sum (the reference)
    overflowed to inf, and dL/dx came out NaN or inf instead of g; found
    by the thorough hypothesis run.  Both now sum again, scaled down."""
    g = np.zeros(16)
    g[[0, 8]], g[[1, 9]] = 1e308, -1e308
    y = np.zeros(16) if name == "log_softmax" else np.ones(16)   # exp(y) = y = 1
    for module in (fa, fa.reference):
        with np.errstate(all="raise"):
            got = getattr(module, name).backward(g, y=y)
        np.testing.assert_array_equal(got, -g if name == "softmin" else g)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_axis_backward_of_empty_arrays(name):
    """The reference's compensated row sum indexed the first element of an
    empty row (IndexError; found by tools/fuzz.py)."""
    for shape, axis in (((0, 0, 3), 1), ((3, 0), 1), ((0, 4), 0), ((0,), 0), ((2, 0), 0)):
        x = np.ones(shape)
        for module in (fa, fa.reference):
            f = getattr(module, name)
            assert f.backward(x, x, axis=axis).shape == shape
            assert f.backward(x, y=x, axis=axis).shape == shape


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_glu_infinite_half_gives_the_limit(dtype):
    """glu(a = +-inf, b) for finite b is +-inf; it was NaN where exp(b)
    underflows to 0 (b < -745 in float32, b < -1257 in float64).  Also in
    backward: an infinite g or g*a times sigmoid(b) or its derivative."""
    with np.errstate(over="ignore"):            # -1e30 is -inf in float16
        b = np.array([-800.0, -2000.0, -1e30, 5.0, -3.0]).astype(dtype)
    for module in (fa, fa.reference):
        for a in (-np.inf, np.inf):
            x = np.stack([np.full_like(b, a), b], axis=1)        # rows [a, b]
            finite = np.isfinite(b)
            with np.errstate(all="raise"):
                y = module.glu(x)
                gx = module.glu.backward(np.ones_like(y), x)
                gi = module.glu.backward(np.full_like(y, np.inf), np.stack([np.ones_like(b), b], 1))
            np.testing.assert_array_equal(y[finite, 0], a)
            np.testing.assert_array_equal(gx[finite, 1], a)          # g a s'(b): +-inf
            np.testing.assert_array_equal(gi[finite, 0], np.inf)     # inf s(b): inf


def test_axis_backward_from_x_in_the_result_precision():
    """softmax.backward(float64 grad, float32 x) computed y in float32
    (float32 accuracy in a float64 result); now y is float64."""
    x = np.random.default_rng(4).normal(size=(4, 9)).astype(np.float32)
    g = np.random.default_rng(5).normal(size=(4, 9))
    for name in ("softmax", "log_softmax", "softmin"):
        f = getattr(fa, name)
        got = f.backward(g, x)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, f.backward(g, y=f(x.astype(np.float64))))


def test_prelu_backward_in_place_keeps_the_weight_gradient():
    """prelu.backward(g, x, out=x) wrote dL/dx over x, then computed
    dL/dweight from the overwritten x (0 instead of -4 here); found by
    tools/fuzz.py (a random case with out overlapping x)."""
    x, g = np.array([-1.0, 2.0, -3.0]), np.array([1.0, 1.0, 2.0])
    for module in (fa, fa.reference):
        want_x, want_w = module.prelu.backward(g, x, weight=0.25)
        for target in ("x", "grad"):
            xx, gg = x.copy(), g.copy()
            out = xx if target == "x" else gg
            got_x, got_w = module.prelu.backward(gg, xx, weight=0.25, out=out)
            assert got_x is out
            np.testing.assert_array_equal(got_x, want_x)
            np.testing.assert_array_equal(got_w, want_w)


def test_no_warnings_where_the_contract_promises_none():
    """Each of these warned (float16 rounding in the reference and the axis
    paths, casting a parameter or weight beyond float32, summing prelu's
    weight gradient through inf - inf)."""
    x16 = np.array([-20.0, 0.0, 20.0], np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for module in (fa, fa.reference):
            module.exponential(x16)                                   # exp(20) > 65504
            module.softmax.backward(np.full(3, 6e4, np.float16), y=x16)
            module.glu.backward(np.full(3, 6e4, np.float16), np.full(6, 100, np.float16))
            module.threshold(x16.astype(np.float32), threshold=0.0, value=1e300)
            module.prelu(x16.astype(np.float32), weight=np.array(1e300))
            module.prelu.backward(np.array([[np.inf], [-np.inf]]), -np.ones((2, 1)),
                                  weight=np.ones(1))
