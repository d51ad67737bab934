"""Test cases drawn from the catalog, and ULP arithmetic.

Every test is parametrised from ``fastact.catalog``: a new row is tested
without touching this directory.
"""

import numpy as np

import fastact as fa
from fastact import catalog

DTYPES = (np.float32, np.float64)
ELEMENTWISE = [row for row in catalog.CATALOG if row.kind == catalog.ELEMENTWISE]
AXIS = [row for row in catalog.CATALOG if row.kind == catalog.AXIS]

# fastact and its reference each carry their own error; two results may
# differ by both.  The reference's own error is tested in
# test_reference_kernels.py.
REFERENCE_ULP = {np.float32: 1.0, np.float64: 2.0}

# Derivative bounds apply where |f'| is above this; below it, errors are
# measured in ULPs of this floor (a derivative crossing zero has no
# relative accuracy to speak of).
GRAD_FLOOR = 2.0 ** -20


def cases(rows=catalog.CATALOG):
    """(row, params): every row with its defaults, then its examples."""
    for row in rows:
        yield row, {}
        for example in row.examples:
            yield row, dict(example)


def case_id(case):
    row, params = case
    if not params:
        return row.name
    return row.name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"


def from_y_allowed(row, params):
    full = {p.name: p.default for p in row.params}
    full.update(params)
    rule = row.backward_from_y
    return rule(full) if callable(rule) else bool(rule)


def grad_y_bound(row, dtype):
    """fastact's bound for backward from y (ULP)."""
    return getattr(row.ulp_grad_y, np.dtype(dtype).name)


def bound(ulp, dtype):
    return getattr(ulp, np.dtype(dtype).name)


def sample(dtype, seed=0, n=3000):
    """Finite inputs across the whole domain of a dtype: dense near 0,
    the transition regions of exp/tanh, log-spaced magnitudes up to 1e30,
    the overflow/underflow edges of exp and subnormals."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    ln_max = float(np.log(info.max))
    ln_tiny = float(np.log(info.smallest_subnormal))
    parts = [
        np.linspace(-12, 12, 1201),
        rng.normal(0, 4, n),
        rng.uniform(-1, 1, 200) * 1e-6,
        np.sign(rng.uniform(-1, 1, 400)) * 10.0 ** rng.uniform(-30, 30, 400),
        np.outer([ln_max, -ln_max, ln_tiny, ln_max / 2, -ln_max / 2], [0.999, 1.0, 1.001]),
        np.linspace(ln_tiny * 1.05, ln_max * 1.05, 300),
        np.array([0.0, -0.0, info.smallest_subnormal, -info.smallest_subnormal,
                  info.tiny, -info.tiny, 1.0, -1.0, 6.0, 3.0, -3.0, 0.5, -0.5]),
    ]
    x = np.concatenate([np.ravel(p) for p in parts])
    with np.errstate(over="ignore"):
        x = x.astype(dtype)
    return x[np.isfinite(x)]


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


def get(row, reference=False):
    return getattr(fa.reference if reference else fa, row.name)
