"""Wrong calls: mypy reports an error on each line with an error comment
(tests/test_typing.py) and nowhere else."""
from typing import Any

import numpy as np
from numpy.typing import NDArray

import fastact as fa

x = np.linspace(-3.0, 3.0, 7)
fa.elu(x, alpah=2.0)  # error: misspelt keyword
fa.elu(x, 2.0)  # error: parameters are keyword-only
fa.gelu(x, approximate="fast")  # error: not one of the choices
fa.threshold(x)  # error: required parameters missing
fa.hard_shrink.backward(x, y=x)  # error: no backward from y
fa.sigmoid.backward(x, x, x)  # error: y is keyword-only
g: NDArray[np.floating[Any]] = fa.prelu.backward(x, x)  # error: returns a tuple
fa.get("relu")(x, alpha=1.0)  # error: relu has no alpha
fa.reference.softmax(x, axis="last")  # error: axis is an integer
fa.set_num_threads("2")  # error: not an integer
fa.no_such_function(x)  # error: no such attribute
