"""float32 results do not depend on the memory layout: the contiguous loop
(hand-vectorised array kernels where activations.h defines them, e.g. the
AVX-512 sigmoid, silu, tanh, gelu) and the strided loop (their scalar twins)
must give the same bits for every input, as kernels.c.tp promises.
Compared bit for bit (NaN with NaN) on a sample with special values, for
f, f' and the backward of every elementwise row and its catalog examples."""

import numpy as np
import pytest

import fastact as fa
from helpers import ELEMENTWISE, case_id, cases, sample, special_values


def inputs():
    x = np.concatenate([sample(np.float32), special_values(np.float32)]).astype(np.float32)
    return x[: 4099]                # odd length: the vector kernels' masked tails run too


def same_bits(a, b):
    a, b = np.asarray(a, np.float32).ravel(), np.asarray(b, np.float32).ravel()
    both_nan = np.isnan(a) & np.isnan(b)
    return np.flatnonzero((a.view(np.uint32) != b.view(np.uint32)) & ~both_nan)


@pytest.mark.parametrize("case", list(cases(ELEMENTWISE)), ids=case_id)
def test_float32_contiguous_and_strided_give_the_same_bits(case):
    row, params = case
    if row.array_params:
        pytest.skip("array parameters (prelu's weight) need matching operands")
    f = fa.get(row.name)
    x = inputs()
    strided = np.repeat(x, 2)[::2]
    g = np.linspace(-2, 2, x.size).astype(np.float32)
    for what, call in (("f", lambda v: f(v, **params)),
                       ("f'", lambda v: f.derivative(v, **params)),
                       ("backward", lambda v: f.backward(g, v, **params))):
        bad = same_bits(call(x), call(strided))
        assert bad.size == 0, (f"{row.name} {what}: contiguous and strided differ at "
                               f"x={x[bad[0]]!r} ({bad.size} inputs)")
