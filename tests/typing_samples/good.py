"""Correct calls: mypy --strict reports nothing (tests/test_typing.py), and
the file runs."""
import sys
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    from typing import assert_type
elif TYPE_CHECKING:      # mypy's bundled stubs have it for every Python
    from typing_extensions import assert_type
else:                    # at run time assert_type only returns its value
    def assert_type(value: object, _type: object) -> object:
        return value

import numpy as np
from numpy.typing import NDArray

import fastact as fa

x = np.linspace(-3.0, 3.0, 7)
y: NDArray[np.floating[Any]] = fa.sigmoid(x)
fa.sigmoid(x, out=x)
assert_type(fa.sigmoid(0.5), np.floating[Any])
assert_type(fa.elu(x, alpha=2.0), NDArray[np.floating[Any]])
g = fa.sigmoid.backward(np.ones_like(x), y=x)
g = fa.silu.backward(np.ones(3), [-1.0, 0.0, 2.0], beta=1.5)
fa.relu(x, negative_slope=0.1, max_value=6.0, threshold=0.0)
fa.relu(x, max_value=None)
fa.gelu(x, approximate="tanh")
fa.gelu(x, approximate=True)
fa.threshold(x, threshold=0.5, value=0.0)
d = fa.tanh.derivative(x)
gx, gw = fa.prelu.backward(np.ones((2, 3)), np.ones((2, 3)), weight=np.array([0.1, 0.2, 0.3]))
assert_type(gw, NDArray[np.floating[Any]])
p = fa.softmax(np.random.rand(4, 10), axis=-1)
fa.softmax.backward(p, y=p, axis=1)
a = fa.glu(np.random.rand(4, 10), axis=0)
if TYPE_CHECKING:      # the per-function classes exist in the stub only
    assert_type(fa.get("swish"), fa._Silu)
f: fa.Activation = fa.get("Swish")
f(x)
names: list[str] = fa.names()
r = fa.reference.sigmoid(x)
u: np.ufunc = fa.sigmoid.ufunc
fa.set_num_threads(fa.get_num_threads())
with fa.num_threads(1):
    fa.tanh(x)
row: fa.catalog.Row = fa.get("elu").row
assert fa.logistic is fa.sigmoid
