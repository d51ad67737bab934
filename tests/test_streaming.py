"""Outputs of 16 MB and more are written with non-temporal stores, through
an L1 buffer, in blocks (fa_runtime.h, kernels.c.tp "stream").  Their values
must be the bits the ordinary loops give (computed here on pieces below the
size limit), whatever the output's alignment, with scalar parameters, two
input arrays, in place and with 1 or 2 threads."""

import numpy as np
import pytest

import fastact as fa
from helpers import DTYPES, ELEMENTWISE

STREAM_BYTES = 16 << 20          # FA_STREAM_MIN_BYTES
PIECE = 1 << 18                  # elements per piece: far below the limit


def big_input(dtype, extra=37):
    n = STREAM_BYTES // np.dtype(dtype).itemsize + extra
    x = np.random.default_rng(11).standard_normal(n) * 4
    x[::1001] = np.nan
    x[5::1003] = -np.inf
    return x.astype(dtype)


def piecewise(fn, *arrays):
    return np.concatenate([fn(*(a[i:i + PIECE] for a in arrays))
                           for i in range(0, arrays[0].size, PIECE)])


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", [r for r in ELEMENTWISE if not r.array_params],
                         ids=lambda r: r.name)
def test_large_outputs_give_the_bits_of_small_ones(row, dtype):
    f = fa.get(row.name)
    params = row.param_sets()[0]
    x = big_input(dtype)
    want = piecewise(lambda a: f(a, **params), x)
    np.testing.assert_array_equal(f(x, **params), want)
    g = np.linspace(-3, 3, x.size).astype(dtype)
    np.testing.assert_array_equal(f.backward(g, x, **params),
                                  piecewise(lambda u, v: f.backward(u, v, **params), g, x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("threads", [1, 2])
def test_any_alignment_in_place_and_overlap(dtype, threads):
    x = big_input(dtype)
    want = piecewise(fa.leaky_relu, x)
    item = np.dtype(dtype).itemsize
    with fa.num_threads(threads):
        for shift in (0, 1, 3, 7):                # output starts 0..7 elements off a line
            out = np.empty(x.size + shift, dtype)[shift:]
            assert fa.leaky_relu(x, out=out) is out
            np.testing.assert_array_equal(out, want)
        # not aligned to its own element size: the ordinary loop
        raw = np.empty(x.size * item + 1, np.uint8)
        odd = raw[1:].view(dtype)
        fa.leaky_relu(x, out=odd)
        np.testing.assert_array_equal(odd, want)
        # in place, and an output overlapping the input one element on
        y = x.copy()
        fa.leaky_relu(y, out=y)
        np.testing.assert_array_equal(y, want)
        buf = np.concatenate([x, x[:1]])
        fa.leaky_relu(buf[1:], out=buf[:-1])
        np.testing.assert_array_equal(buf[:-1],
                                      piecewise(fa.leaky_relu, np.concatenate([x[1:], x[:1]])))

