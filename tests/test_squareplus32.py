"""float32 squareplus and its derivative across b: the float-lane kernels
(fastact/src/vmath/fa_fast32_squareplus.h) cover b in [2^-30, 2^30] on FMA builds,
other b take the double-lane kernel.  Both must stay within the catalog bound
against the float64 kernel over every binade of x, subnormal results
included (the float64 kernel's own error is invisible at float32 scale)."""

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from helpers import special_values, ulp_diff

ROW = catalog.lookup("squareplus")
B_VALUES = (4.0, 0.5, 1.0, 2.0 ** -30, 2.0 ** 30, 1e-5, 3e7,   # covered
            2.0 ** -31, 2.0 ** 31, 1e-12, 0.0)                # double-lane


def inputs():
    rng = np.random.default_rng(7)
    mags = np.exp2(rng.uniform(-149, 128, 20000))
    x = np.concatenate([mags, -mags, special_values(np.float32).astype(np.float64)])
    return x.astype(np.float32)


@pytest.mark.parametrize("b", B_VALUES)
def test_forward_float32_within_bound(b):
    x = inputs()
    got = fa.squareplus(x, b=b)
    want = fa.squareplus(x.astype(np.float64), b=float(np.float32(b)))
    err = ulp_diff(got, want, np.float32)
    assert got.dtype == np.float32
    assert err.max() <= ROW.ulp.float32, (b, x[np.argmax(err)], err.max())


@pytest.mark.parametrize("b", B_VALUES)
def test_derivative_float32_within_bound(b):
    x = inputs()
    got = fa.squareplus.derivative(x, b=b)
    want = fa.squareplus.derivative(x.astype(np.float64), b=float(np.float32(b)))
    err = ulp_diff(got, want, np.float32)
    assert err.max() <= ROW.ulp_grad.float32, (b, x[np.argmax(err)], err.max())
