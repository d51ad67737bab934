"""Test cases drawn from the catalog, and ULP arithmetic.

Every test is parametrised from ``fastact.catalog``: a new row is tested
without touching this directory.
"""

import functools
import importlib.util
import os

import numpy as np

import fastact as fa
from fastact import catalog
from fastact._cli import accuracy

DTYPES = (np.float32, np.float64)
ELEMENTWISE = [row for row in catalog.CATALOG if row.kind == catalog.ELEMENTWISE]
AXIS = [row for row in catalog.CATALOG if row.kind == catalog.AXIS]

# fastact and its reference each carry their own error; two results may
# differ by both.  The reference's own error is tested in
# test_reference_kernels.py.
REFERENCE_ULP = {np.float32: 1.0, np.float64: 2.0}

# Derivative errors count in ULPs of max(|f'|, GRAD_FLOOR) (fastact/_cli/accuracy.py).
GRAD_FLOOR = accuracy.GRAD_FLOOR
cases = accuracy.cases
sample = accuracy.sample


def case_id(case):
    return accuracy.case_label(*case)


def from_y_allowed(row, params):
    f = fa.get(row.name)
    return f._from_y_allowed(f._resolve(params)[3])


def bound(ulp, dtype):
    return getattr(ulp, np.dtype(dtype).name)


def special_values(dtype):
    """NaN, infinities, signed zeros, subnormals, the largest values and the
    overflow/underflow edges of exp in `dtype`."""
    info = np.finfo(dtype)
    ln_max = float(np.log(info.max))
    ln_tiny = float(np.log(info.smallest_subnormal))
    values = [np.nan, np.inf, -np.inf, 0.0, -0.0, info.smallest_subnormal,
              -info.smallest_subnormal, info.tiny, -info.tiny, info.max, -info.max,
              1e30, -1e30, ln_max, ln_max * 1.0001, -ln_max, -ln_max * 1.0001,
              ln_tiny, ln_tiny * 1.0001, -ln_tiny]
    return np.array(values, dtype=np.float64).astype(dtype)


def ulp_diff(result, expected, dtype, floor=0.0):
    """|result - expected| in ULPs of `dtype` at |expected| (at least at
    `floor`).  Equal infinities and NaN at the same place count 0; NaN
    against a number, or different infinities, count inf."""
    dtype = np.dtype(dtype)
    r = np.asarray(result, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    r, e = np.broadcast_arrays(r, e)
    scale = np.maximum(np.abs(e), floor).astype(dtype)
    with np.errstate(all="ignore"):
        spacing = np.spacing(scale).astype(np.float64)
        err = np.abs(r - e) / spacing
    nan_r, nan_e = np.isnan(r), np.isnan(e)
    same = (r == e) | (nan_r & nan_e)
    err = np.where(same, 0.0, err)
    err = np.where((nan_r != nan_e) | (np.isinf(r) | np.isinf(e)) & ~same, np.inf, err)
    return err


@functools.cache
def tool(name):
    """The checkout's tools/<name>.py as a module, or None where tools/ is
    absent (the tests run from a copy against an installed wheel)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", name + ".py")
    if not os.path.exists(path):
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def get(row, reference=False):
    return getattr(fa.reference if reference else fa, row.name)


def grad_x(result):
    """dL/dx from a backward result (prelu also returns dL/dweight)."""
    return result[0] if isinstance(result, tuple) else result


def ones_like_output(row, x, params):
    """A gradient of ones shaped like f(x) (glu halves its axis)."""
    return np.ones_like(getattr(fa, row.name)(x, **params))


def halves_pairs(values):
    """Every (a, b) pair of `values` as rows [a, b] of a glu input."""
    a, b = np.meshgrid(values, values)
    return np.stack([a.ravel(), b.ravel()], axis=1)
