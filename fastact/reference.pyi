# Generated from fastact/catalog.py by tools/update_docs.py (tools/stubgen.py); do not edit.

from typing import Any

from . import (
    _Arctan,
    _Celu,
    _Elu,
    _Exponential,
    _Gelu,
    _Glu,
    _HardShrink,
    _HardSigmoid,
    _HardSwish,
    _HardTanh,
    _LeakyRelu,
    _Linear,
    _LogSigmoid,
    _LogSoftmax,
    _Mish,
    _Prelu,
    _Relu,
    _Relu6,
    _Selu,
    _Sigmoid,
    _Silu,
    _Softmax,
    _Softmin,
    _Softplus,
    _SoftShrink,
    _Softsign,
    _SparsePlus,
    _SparseSigmoid,
    _Squareplus,
    _Tanh,
    _TanhShrink,
    _Threshold,
)

BACKEND: dict[str, Any]

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
