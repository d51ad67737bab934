"""Undoing a broadcast: prelu's weight gradient, summed to the weight's
shape, on the NumPy path (activation.py) and on Dask arrays (duck.py)."""

import numpy as np


def sum_to_shape(values, shape):
    """Sum `values` over the axes along which an array of `shape` was
    broadcast to values.shape (prelu's weight gradient)."""
    lead = values.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and values.shape[lead + i] != 1)
    with np.errstate(over="ignore", invalid="ignore"):    # inf, or inf - inf = NaN
        total = np.sum(values, axis=axes, keepdims=True) if axes else values
    return total.reshape(shape) if lead else total
