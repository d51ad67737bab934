"""Results do not depend on where an element sits (docs/design.md): the same
input value gives bit-identical output whatever the array length, offset,
alignment, stride, layout or thread count -- the vector body and the
remainder of a loop evaluate the same formula."""

import numpy as np
import pytest

import fastact as fa
from helpers import AXIS, DTYPES, ELEMENTWISE, case_id, cases, grad_x, sample


def bits(a):
    """The bytes of an array, for bit-exact comparison (-0.0 != 0.0, NaN == NaN)."""
    return np.ascontiguousarray(a).view(np.uint8)


def placements(x):
    """The values of x, each placed in arrays of other lengths and offsets."""
    yield ("one by one", np.array([x[i:i + 1].copy() for i in range(0, x.size, 97)]),
           slice(0, None, 97))
    for offset in (1, 3, 7, 13):
        buf = np.empty(x.size + offset, x.dtype)
        buf[offset:] = x
        yield f"offset {offset}", buf[offset:], slice(None)
    for length in (1, 5, 15, 17, 31, 33, 63, 65, 1023):
        yield f"length {length}", x[:length].copy(), slice(0, length)
    yield "strided", np.repeat(x, 2)[::2], slice(None)
    yield "reversed", x[::-1].copy()[::-1], slice(None)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(cases(ELEMENTWISE)), ids=case_id)
def test_elementwise_bits_do_not_depend_on_position(case, dtype):
    row, params = case
    f = fa.get(row.name)
    x = sample(dtype)
    g = np.cos(x.astype(np.float64)).astype(dtype)
    whole = {"forward": f(x, **params), "derivative": f.derivative(x, **params),
             "backward": grad_x(f.backward(g, x, **params))}
    for label, arr, where in placements(x):
        arr = arr.reshape(-1)
        got = {"forward": f(arr, **params), "derivative": f.derivative(arr, **params),
               "backward": grad_x(f.backward(g[where].reshape(-1) if label != "one by one"
                                             else g[where], arr, **params))}
        for key, value in got.items():
            np.testing.assert_array_equal(bits(value), bits(whole[key][where]),
                                          err_msg=f"{key}, {label}")
    with fa.num_threads(2):
        big = np.tile(x, 2 * row.min_parallel // x.size + 1)
        np.testing.assert_array_equal(bits(f(big, **params).reshape(-1, x.size)[0]),
                                      bits(whole["forward"]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(cases(AXIS)), ids=case_id)
def test_axis_rows_do_not_depend_on_position(case, dtype):
    row, params = case
    f = fa.get(row.name)
    rows = np.random.default_rng(3).normal(size=(9, 38)).astype(dtype) * 10
    alone = np.array([f(r) for r in rows])
    for arr in (rows, np.asfortranarray(rows), rows[::-1].copy()[::-1],
                np.concatenate([rows[:, :0], rows], axis=1)):
        np.testing.assert_array_equal(bits(f(arr)), bits(alone))
    np.testing.assert_array_equal(bits(f(rows.T, axis=0).T), bits(alone))
