# Generated from fastact/catalog.py by tools/update_docs.py (tools/stubgen.py); do not edit.

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Literal, NoReturn, SupportsIndex, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import catalog as catalog
from . import reference as reference

__version__: str
CPU_VARIANTS: tuple[str, ...]

def names() -> list[str]:
    """Canonical names of all activations, catalog order."""
def config() -> dict[str, Any]:
    """The build and runtime configuration as a dict (see show_config)."""
def show_config() -> None:
    """Print version, backend, SIMD variants and threads."""
def set_num_threads(n: SupportsIndex) -> None:
    """Use at most `n` threads per kernel call (n >= 1), for calls from every thread."""
def get_num_threads() -> int:
    """The most threads one kernel call may use (the limit the kernels read)."""
def num_threads(n: SupportsIndex) -> AbstractContextManager[None]:
    """``with fastact.num_threads(1): ...`` limits threads inside the block."""

class Activation:
    """An activation function: ``f(x)``, ``f.backward(grad, x | y=)``,
    ``f.derivative(x)`` and ``f.ufunc``."""
    name: str
    row: catalog.Row
    def __init__(self, row: catalog.Row, backend: Mapping[str, Any],
                 prefix: str = "fastact") -> None: ...
    @property
    def ufunc(self) -> np.ufunc: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def backward(self, *args: Any, **kwargs: Any) -> Any: ...
    def derivative(self, *args: Any, **kwargs: Any) -> Any: ...

class _Sigmoid(Activation):
    """sigmoid(x) = 1 / (1 + exp(-x))"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sigmoid(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sigmoid'(x), elementwise."""

class _LogSigmoid(Activation):
    """log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """log_sigmoid(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """log_sigmoid'(x), elementwise."""

class _HardSigmoid(Activation):
    """hard_sigmoid(x) = min(max(x + 3, 0), 6) / 6"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """hard_sigmoid(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """hard_sigmoid'(x), elementwise."""

class _Tanh(Activation):
    """tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """tanh(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """tanh'(x), elementwise."""

class _HardTanh(Activation):
    """hard_tanh(x) = min(max(x, min_val), max_val)"""
    @overload
    def __call__(self, x: float, out: None = None, *, min_val: float = -1.0,
                 max_val: float = 1.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *, min_val: float = -1.0,
                 max_val: float = 1.0) -> NDArray[np.floating[Any]]:
        """hard_tanh(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None, min_val: float = -1.0,
                 max_val: float = 1.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *, min_val: float = -1.0,
                   max_val: float = 1.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *, min_val: float = -1.0,
                   max_val: float = 1.0) -> NDArray[np.floating[Any]]:
        """hard_tanh'(x), elementwise."""

class _TanhShrink(Activation):
    """tanh_shrink(x) = x - tanh(x)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """tanh_shrink(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """tanh_shrink'(x), elementwise."""

class _Arctan(Activation):
    """arctan(x) = atan(x)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """arctan(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """arctan'(x), elementwise."""

class _Softsign(Activation):
    """softsign(x) = x / (1 + |x|)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """softsign(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """softsign'(x), elementwise."""

class _Relu(Activation):
    """relu(x) = x if x > threshold (clipped at max_value), else negative_slope * (x - threshold)"""
    @overload
    def __call__(self, x: float, out: None = None, *, negative_slope: float = 0.0,
                 max_value: float | None = None, threshold: float = 0.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 negative_slope: float = 0.0, max_value: float | None = None,
                 threshold: float = 0.0) -> NDArray[np.floating[Any]]:
        """relu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None, negative_slope: float = 0.0,
                 max_value: float | None = None,
                 threshold: float = 0.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *, negative_slope: float = 0.0,
                   max_value: float | None = None, threshold: float = 0.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   negative_slope: float = 0.0, max_value: float | None = None,
                   threshold: float = 0.0) -> NDArray[np.floating[Any]]:
        """relu'(x), elementwise."""

class _Relu6(Activation):
    """relu6(x) = min(max(x, 0), 6)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """relu6(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """relu6'(x), elementwise."""

class _LeakyRelu(Activation):
    """leaky_relu(x) = x if x > 0 else negative_slope * x"""
    @overload
    def __call__(self, x: float, out: None = None, *,
                 negative_slope: float = 0.01) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 negative_slope: float = 0.01) -> NDArray[np.floating[Any]]:
        """leaky_relu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None,
                 negative_slope: float = 0.01) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *,
                   negative_slope: float = 0.01) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   negative_slope: float = 0.01) -> NDArray[np.floating[Any]]:
        """leaky_relu'(x), elementwise."""

class _Prelu(Activation):
    """prelu(x) = x if x > 0 else weight * x"""
    @overload
    def __call__(self, x: float, out: None = None, *,
                 weight: ArrayLike = 0.25) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 weight: ArrayLike = 0.25) -> NDArray[np.floating[Any]]:
        """prelu(x), elementwise."""
    def backward(
        self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
        weight: ArrayLike = 0.25,
    ) -> tuple[NDArray[np.floating[Any]], NDArray[np.floating[Any]]]:
        """dL/dx from dL/dy = grad and x. Returns (grad_x, grad_weight)."""
    @overload
    def derivative(self, x: float, out: None = None, *,
                   weight: ArrayLike = 0.25) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   weight: ArrayLike = 0.25) -> NDArray[np.floating[Any]]:
        """prelu'(x), elementwise."""

class _Threshold(Activation):
    """threshold(x) = x if x > threshold else value"""
    @overload
    def __call__(self, x: float, out: None = None, *, threshold: float,
                 value: float) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *, threshold: float,
                 value: float) -> NDArray[np.floating[Any]]:
        """threshold(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 threshold: float, value: float) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *, threshold: float,
                   value: float) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *, threshold: float,
                   value: float) -> NDArray[np.floating[Any]]:
        """threshold'(x), elementwise."""

class _Elu(Activation):
    """elu(x) = x if x > 0 else alpha * (exp(x) - 1)"""
    @overload
    def __call__(self, x: float, out: None = None, *, alpha: float = 1.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """elu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None, alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *, alpha: float = 1.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """elu'(x), elementwise."""

class _Selu(Activation):
    """selu(x) = scale * (x if x > 0 else alpha * (exp(x) - 1)), alpha = 1.6732632423543772,
    scale = 1.0507009873554805"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """selu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """selu'(x), elementwise."""

class _Celu(Activation):
    """celu(x) = x if x > 0 else alpha * (exp(x / alpha) - 1)"""
    @overload
    def __call__(self, x: float, out: None = None, *, alpha: float = 1.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """celu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None, alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *, alpha: float = 1.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   alpha: float = 1.0) -> NDArray[np.floating[Any]]:
        """celu'(x), elementwise."""

class _Gelu(Activation):
    """gelu(x) = x * Phi(x) = x/2 * erfc(-x/sqrt(2));
    approximate='tanh': x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))"""
    @overload
    def __call__(self, x: float, out: None = None, *,
                 approximate: Literal['none', 'tanh'] | bool = 'none') -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 approximate: Literal['none', 'tanh'] | bool = 'none') -> NDArray[np.floating[Any]]:
        """gelu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 approximate: Literal['none', 'tanh'] | bool = 'none') -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *,
                   approximate: Literal['none', 'tanh'] | bool = 'none') -> np.floating[Any]: ...
    @overload
    def derivative(
        self, x: ArrayLike, out: NDArray[Any] | None = None, *,
        approximate: Literal['none', 'tanh'] | bool = 'none',
    ) -> NDArray[np.floating[Any]]:
        """gelu'(x), elementwise."""

class _Silu(Activation):
    """silu(x) = x * sigmoid(beta * x)"""
    @overload
    def __call__(self, x: float, out: None = None, *, beta: float = 1.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 beta: float = 1.0) -> NDArray[np.floating[Any]]:
        """silu(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 beta: float = 1.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *, beta: float = 1.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   beta: float = 1.0) -> NDArray[np.floating[Any]]:
        """silu'(x), elementwise."""

class _HardSwish(Activation):
    """hard_swish(x) = x * min(max(x + 3, 0), 6) / 6"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """hard_swish(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """hard_swish'(x), elementwise."""

class _Mish(Activation):
    """mish(x) = x * tanh(softplus(x))"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """mish(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """mish'(x), elementwise."""

class _Softplus(Activation):
    """softplus(x) = log(1 + exp(beta * x)) / beta (x where beta * x > threshold)"""
    @overload
    def __call__(self, x: float, out: None = None, *, beta: float = 1.0,
                 threshold: float | None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *, beta: float = 1.0,
                 threshold: float | None = None) -> NDArray[np.floating[Any]]:
        """softplus(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None, beta: float = 1.0,
                 threshold: float | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None, *, beta: float = 1.0,
                   threshold: float | None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *, beta: float = 1.0,
                   threshold: float | None = None) -> NDArray[np.floating[Any]]:
        """softplus'(x), elementwise."""

class _Squareplus(Activation):
    """squareplus(x) = (x + sqrt(x^2 + b)) / 2"""
    @overload
    def __call__(self, x: float, out: None = None, *, b: float = 4.0) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 b: float = 4.0) -> NDArray[np.floating[Any]]:
        """squareplus(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 b: float = 4.0) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *, b: float = 4.0) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   b: float = 4.0) -> NDArray[np.floating[Any]]:
        """squareplus'(x), elementwise."""

class _SparsePlus(Activation):
    """sparse_plus(x) = 0 (x <= -1), (x + 1)^2 / 4 (|x| < 1), x (x >= 1)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sparse_plus(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sparse_plus'(x), elementwise."""

class _SparseSigmoid(Activation):
    """sparse_sigmoid(x) = 0 (x <= -1), (x + 1) / 2 (|x| < 1), 1 (x >= 1)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sparse_sigmoid(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """sparse_sigmoid'(x), elementwise."""

class _SoftShrink(Activation):
    """soft_shrink(x) = x - lambd (x > lambd), x + lambd (x < -lambd), else 0"""
    @overload
    def __call__(self, x: float, out: None = None, *, lambd: float = 0.5) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """soft_shrink(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *, lambd: float = 0.5) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """soft_shrink'(x), elementwise."""

class _HardShrink(Activation):
    """hard_shrink(x) = x if |x| > lambd else 0"""
    @overload
    def __call__(self, x: float, out: None = None, *, lambd: float = 0.5) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """hard_shrink(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    @overload
    def derivative(self, x: float, out: None = None, *, lambd: float = 0.5) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                   lambd: float = 0.5) -> NDArray[np.floating[Any]]:
        """hard_shrink'(x), elementwise."""

class _Exponential(Activation):
    """exponential(x) = exp(x)"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """exponential(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """exponential'(x), elementwise."""

class _Linear(Activation):
    """linear(x) = x"""
    @overload
    def __call__(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """linear(x), elementwise."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    @overload
    def derivative(self, x: float, out: None = None) -> np.floating[Any]: ...
    @overload
    def derivative(self, x: ArrayLike,
                   out: NDArray[Any] | None = None) -> NDArray[np.floating[Any]]:
        """linear'(x), elementwise."""

class _Softmax(Activation):
    """softmax(x) = exp(x - max) / sum(exp(x - max)) along axis"""
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """softmax(x), along axis."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    def derivative(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Raises TypeError: softmax is not elementwise; use backward."""

class _LogSoftmax(Activation):
    """log_softmax(x) = x - max - log(sum(exp(x - max))) along axis"""
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """log_softmax(x), along axis."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    def derivative(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Raises TypeError: log_softmax is not elementwise; use backward."""

class _Softmin(Activation):
    """softmin(x) = softmax(-x) along axis"""
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """softmin(x), along axis."""
    def backward(self, grad: ArrayLike, x: ArrayLike | None = None, *, y: ArrayLike | None = None,
                 out: NDArray[Any] | None = None,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x, or y= (the forward output)."""
    def derivative(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Raises TypeError: softmin is not elementwise; use backward."""

class _Glu(Activation):
    """glu(x) = a * sigmoid(b), a and b the halves of x along axis"""
    def __call__(self, x: ArrayLike, out: NDArray[Any] | None = None, *,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """glu(x), along axis."""
    def backward(self, grad: ArrayLike, x: ArrayLike, *, out: NDArray[Any] | None = None,
                 axis: SupportsIndex = -1) -> NDArray[np.floating[Any]]:
        """dL/dx from dL/dy = grad and x."""
    def derivative(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Raises TypeError: glu is not elementwise; use backward."""


@overload
def get(name: Literal['sigmoid', 'logistic', 'expit']) -> _Sigmoid: ...
@overload
def get(name: Literal['log_sigmoid', 'logsigmoid', 'log_expit']) -> _LogSigmoid: ...
@overload
def get(name: Literal['hard_sigmoid', 'hardsigmoid']) -> _HardSigmoid: ...
@overload
def get(name: Literal['tanh']) -> _Tanh: ...
@overload
def get(name: Literal['hard_tanh', 'hardtanh']) -> _HardTanh: ...
@overload
def get(name: Literal['tanh_shrink', 'tanhshrink']) -> _TanhShrink: ...
@overload
def get(name: Literal['arctan', 'atan']) -> _Arctan: ...
@overload
def get(name: Literal['softsign', 'soft_sign']) -> _Softsign: ...
@overload
def get(name: Literal['relu']) -> _Relu: ...
@overload
def get(name: Literal['relu6']) -> _Relu6: ...
@overload
def get(name: Literal['leaky_relu']) -> _LeakyRelu: ...
@overload
def get(name: Literal['prelu']) -> _Prelu: ...
@overload
def get(name: Literal['threshold']) -> _Threshold: ...
@overload
def get(name: Literal['elu']) -> _Elu: ...
@overload
def get(name: Literal['selu']) -> _Selu: ...
@overload
def get(name: Literal['celu']) -> _Celu: ...
@overload
def get(name: Literal['gelu']) -> _Gelu: ...
@overload
def get(name: Literal['silu', 'swish']) -> _Silu: ...
@overload
def get(name: Literal['hard_swish', 'hardswish', 'hard_silu']) -> _HardSwish: ...
@overload
def get(name: Literal['mish']) -> _Mish: ...
@overload
def get(name: Literal['softplus']) -> _Softplus: ...
@overload
def get(name: Literal['squareplus']) -> _Squareplus: ...
@overload
def get(name: Literal['sparse_plus']) -> _SparsePlus: ...
@overload
def get(name: Literal['sparse_sigmoid']) -> _SparseSigmoid: ...
@overload
def get(name: Literal['soft_shrink', 'softshrink']) -> _SoftShrink: ...
@overload
def get(name: Literal['hard_shrink', 'hardshrink']) -> _HardShrink: ...
@overload
def get(name: Literal['exponential', 'exp']) -> _Exponential: ...
@overload
def get(name: Literal['linear', 'identity']) -> _Linear: ...
@overload
def get(name: Literal['softmax']) -> _Softmax: ...
@overload
def get(name: Literal['log_softmax']) -> _LogSoftmax: ...
@overload
def get(name: Literal['softmin']) -> _Softmin: ...
@overload
def get(name: Literal['glu']) -> _Glu: ...
@overload
def get(name: str) -> Activation:
    """The activation called `name` (canonical name or alias)."""

sigmoid: _Sigmoid
logistic: _Sigmoid
expit: _Sigmoid
log_sigmoid: _LogSigmoid
logsigmoid: _LogSigmoid
log_expit: _LogSigmoid
hard_sigmoid: _HardSigmoid
hardsigmoid: _HardSigmoid
tanh: _Tanh
hard_tanh: _HardTanh
hardtanh: _HardTanh
tanh_shrink: _TanhShrink
tanhshrink: _TanhShrink
arctan: _Arctan
atan: _Arctan
softsign: _Softsign
soft_sign: _Softsign
relu: _Relu
relu6: _Relu6
leaky_relu: _LeakyRelu
prelu: _Prelu
threshold: _Threshold
elu: _Elu
selu: _Selu
celu: _Celu
gelu: _Gelu
silu: _Silu
swish: _Silu
hard_swish: _HardSwish
hardswish: _HardSwish
hard_silu: _HardSwish
mish: _Mish
softplus: _Softplus
squareplus: _Squareplus
sparse_plus: _SparsePlus
sparse_sigmoid: _SparseSigmoid
soft_shrink: _SoftShrink
softshrink: _SoftShrink
hard_shrink: _HardShrink
hardshrink: _HardShrink
exponential: _Exponential
exp: _Exponential
linear: _Linear
identity: _Linear
softmax: _Softmax
log_softmax: _LogSoftmax
softmin: _Softmin
glu: _Glu

__all__ = [
    'names',
    'get',
    'show_config',
    'config',
    'set_num_threads',
    'get_num_threads',
    'num_threads',
    'reference',
    'catalog',
    'Activation',
    'sigmoid',
    'log_sigmoid',
    'hard_sigmoid',
    'tanh',
    'hard_tanh',
    'tanh_shrink',
    'arctan',
    'softsign',
    'relu',
    'relu6',
    'leaky_relu',
    'prelu',
    'threshold',
    'elu',
    'selu',
    'celu',
    'gelu',
    'silu',
    'hard_swish',
    'mish',
    'softplus',
    'squareplus',
    'sparse_plus',
    'sparse_sigmoid',
    'soft_shrink',
    'hard_shrink',
    'exponential',
    'linear',
    'softmax',
    'log_softmax',
    'softmin',
    'glu',
    'logistic',
    'expit',
    'logsigmoid',
    'log_expit',
    'hardsigmoid',
    'hardtanh',
    'tanhshrink',
    'atan',
    'soft_sign',
    'swish',
    'hardswish',
    'hard_silu',
    'softshrink',
    'hardshrink',
    'exp',
    'identity',
]
