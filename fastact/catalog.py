"""The catalog: one row per activation.

Everything else is generated from this table: the C loops and ufuncs
(setup.py renders ``fastact/src/kernels/kernels.c.tp``), the public ``Activation``
objects, the reference twin, the README/docs function table, the parametrised
tests and the benchmarks.  Adding an activation means adding one row here, its
element formulas in ``fastact/src/kernels/formulas.h`` (``formulas_f32.h`` and
``formulas_f64.h`` where the dtypes differ), its NumPy reference in
``fastact/_verify/reference_kernels.py`` and its mpmath formulas in
``fastact/_verify/oracle.py``: docs/adding-an-activation.md walks through it.

This module is pure Python (no NumPy, no compiled code) so that ``setup.py``
can read it before anything is built.

Conventions shared by every row
-------------------------------
* A row names one or more C *kernels*.  A kernel ``K`` with numeric arguments
  ``a, b`` provides, per dtype, ``fa_act_K_f32(x, a, b)`` (forward),
  ``fa_act_K_grad_f32(x, a, b)`` (f'(x)) and, when ``grad_y`` is set,
  ``fa_act_K_grad_y_f32(y, a, b)`` (f' written as a function of the output).
  ``backward(g, x)`` is ``g * f'(x)`` elementwise.
* Numeric kernel arguments are the row's numeric parameters in order; a
  parameter whose value may be ``None`` is passed as +inf.  A ``choice``
  parameter is not passed: it picks the kernel (``kernel_for``).
* An "array" parameter (prelu's weight) is an array operand of the ufuncs,
  broadcast against x like x itself; backward also returns its gradient.
* Axis rows apply the kernel to each 1-d row along ``axis`` (gufuncs);
  ``halves`` rows (glu) split the row in two halves a, b.
* At a kink the derivative is the one-sided value PyTorch uses (relu'(0) = 0).
* Test hints (``kinks``, ``grad_zeros``, ``hard_points``) say where a
  kernel is hard: the tests sample densely there.
"""

from dataclasses import dataclass

ELEMENTWISE = "elementwise"
AXIS = "axis"


class _Required:
    def __repr__(self):
        return "required"


REQUIRED = _Required()     # a Param default: no default, must be given


@dataclass(frozen=True)
class Param:
    """A keyword parameter of an activation.

    check: "finite" (any finite float), "positive" (finite, > 0),
    "nonnegative" (finite, >= 0), "finite_or_none" (None means +inf),
    "choice" (one of ``choices``; ``value_aliases`` maps accepted synonyms),
    "int" (an axis), "array" (an array broadcast against x),
    "real" (any real number, NaN and infinities included).
    ``default=REQUIRED``: the caller must pass it.
    """

    name: str
    default: object
    check: str
    doc: str
    choices: tuple = ()
    value_aliases: tuple = ()  # ((synonym, canonical), ...)


@dataclass(frozen=True)
class Ulp:
    """Documented max error in ULPs for float32 and float64 results."""

    float32: float
    float64: float


@dataclass(frozen=True)
class DocExample:
    """A docstring example, run as a doctest: the function of ``np.array(x)``
    with keyword arguments ``params``, rounded to 4 decimals, is ``result``,
    a value known without fastact (``why`` says how)."""

    x: str
    result: str
    why: str
    params: str = ""


@dataclass(frozen=True)
class Row:
    name: str
    formula: str
    output_range: str
    params: tuple = ()
    aliases: tuple = ()
    kind: str = ELEMENTWISE
    # True, False, or a function(params dict) -> bool: may backward take y=?
    # A function comes with from_y_when, the condition in words (docs).
    backward_from_y: object = False
    from_y_when: str = ""
    # Kernel chosen by a "choice" parameter: (param name, {value: kernel}).
    kernel_for: tuple = None
    # Max ULP error of forward, derivative from x and derivative from y,
    # measured by tests/test_accuracy.py and enforced there.
    ulp: Ulp = Ulp(1, 1)
    ulp_grad: Ulp = Ulp(1, 1)
    ulp_grad_y: Ulp = None
    # Extra cross-parameter check: function(params) -> error message or None.
    check: object = None
    # Axis functions: function(g, y, axis) -> the magnitude of the terms
    # that backward sums for each element (glu, backward from x: (g, x,
    # axis)).  A dominant softmax entry makes the exact gradient arbitrarily
    # small next to its terms, so backward errors are measured in ULPs of
    # this (docs/accuracy.md).
    grad_scale: object = None
    # Elementwise rows whose derivative is a sum of terms that cancel near
    # a zero of f' (silu' = s + x s (1 - s)): function(x, params) -> the
    # magnitude of those terms (NumPy, float64).  Derivative errors are
    # measured in ULPs of it (docs/design.md, Numerics: condition-aware); None:
    # in ULPs of |f'| (with GRAD_FLOOR, fastact/_cli/accuracy.py).
    grad_terms: object = None
    # Non-default parameter sets that tests and benchmarks also exercise.
    examples: tuple = ()
    # DocExample(s) for the docstring (at least one per row).
    doc_examples: tuple = ()
    notes: str = ""
    # Axis rows: the row is split into halves a, b (output half as long).
    halves: bool = False
    # Where the kernel is hard (tests sample densely there), each a
    # function(params) -> list of x: kinks (branch switches, tested at
    # +-1 ulp) and zeros of f' (tested in ULPs of f' right through them);
    # hard_points: a tuple of extra x values (tails, cut-overs).
    kinks: object = None
    grad_zeros: object = None
    hard_points: tuple = ()
    # Elementwise rows: function(params) -> (f(+inf), f(-inf), f'(+inf),
    # f'(-inf)), the limits the kernels must return (tested).
    limits: object = None
    # PyTorch's version for the comparison test: function(torch, x, params)
    # -> tensor, or None where PyTorch has no equivalent for these params
    # (array parameters arrive as 1-d tensors).
    torch: object = None
    # Where our definition or default differs from PyTorch, Keras or JAX.
    differences: str = ""

    @property
    def min_parallel(self):
        """Elements each thread gets at least, the larger of the float32 and
        float64 thresholds: from 2 * min_parallel elements on, every dtype
        of this row uses 2 threads."""
        return max(self.min_parallel_pair)

    @property
    def min_parallel_pair(self):
        """(float32, float64) thresholds from MIN_PARALLEL (measured)."""
        return MIN_PARALLEL.get(self.name, (DEFAULT_MIN_PARALLEL,) * 2)

    @property
    def kernels(self):
        """The C kernel names this row uses."""
        if self.kernel_for is None:
            return (self.name,)
        return tuple(dict.fromkeys(self.kernel_for[1].values()))

    @property
    def numeric_params(self):
        """Parameters passed to the kernel as broadcast scalars."""
        return tuple(p for p in self.params if p.check not in ("choice", "int", "array"))

    @property
    def array_params(self):
        """Parameters passed to the kernel as array operands (prelu)."""
        return tuple(p for p in self.params if p.check == "array")

    @property
    def defaults(self):
        return {p.name: p.default for p in self.params}

    @property
    def has_required(self):
        return any(p.default is REQUIRED for p in self.params)

    def param_sets(self):
        """The parameter sets tests and benchmarks exercise: the defaults
        (when every parameter has one), then the examples."""
        return ([{}] if not self.has_required else []) + [dict(e) for e in self.examples]

    def kernel_call(self, params):
        """(kernel name, numeric kernel arguments) for already checked
        params (missing ones take their defaults)."""
        full = dict(self.defaults)
        full.update(params)
        kernel = self.name
        if self.kernel_for is not None:
            kernel = self.kernel_for[1][full[self.kernel_for[0]]]
        args = tuple(float("inf") if full[p.name] is None else full[p.name]
                     for p in self.numeric_params)
        return kernel, args

    def from_y_allowed(self, params):
        full = dict(self.defaults)
        full.update(params)
        rule = self.backward_from_y
        return rule(full) if callable(rule) else bool(rule)

    def hints(self, key, params):
        """kinks or grad_zeros (a list of x) for a parameter set."""
        fn = getattr(self, key)
        if fn is None:
            return []
        full = dict(self.defaults)
        full.update(params)
        return list(fn(full))

    @property
    def has_grad_y(self):
        return self.backward_from_y is not False


# Parameter checks that involve two parameters.
def _relu_check(p):
    if p["max_value"] is not None and p["max_value"] < p["threshold"]:
        return (f"max_value ({p['max_value']!r}) must not be below "
                f"threshold ({p['threshold']!r})")
    return None


def _relu_from_y(p):
    # The output identifies the branch only if the negative branch is <= 0
    # and the linear branch is > 0.
    return (p["negative_slope"] >= 0 and p["threshold"] >= 0
            and (p["max_value"] is None or p["max_value"] > 0))


_AXIS = Param("axis", -1, "int", "axis along which the function is applied")


def _softmax_terms(g, y, axis):
    import numpy as np
    dot = np.sum(np.abs(g * y), axis=axis, keepdims=True)   # y (g - sum(g y))
    return np.abs(y) * (np.abs(g) + dot)


def _log_softmax_terms(g, y, axis):
    import numpy as np
    g = np.broadcast_to(g, np.broadcast_shapes(np.shape(g), np.shape(y)))  # row sums of the full g
    total = np.sum(np.abs(g), axis=axis, keepdims=True)     # g - exp(y) sum(g)
    return np.abs(g) + np.exp(y) * total

def _silu_terms(x, p):
    import numpy as np  # f' = s + z s (1 - s), z = beta x
    z = p["beta"] * x
    s = 0.5 * (1 + np.tanh(0.5 * z))
    return s + np.abs(z) * s * (1 - s)


def _gelu_terms(x, p):
    import math

    import numpy as np
    if p["approximate"] == "none":      # f' = Phi(x) + x phi(x)
        erfc = np.vectorize(math.erfc, otypes=[float])
        return (0.5 * erfc(-x / math.sqrt(2))
                + np.abs(x) * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))
    c, a = math.sqrt(2 / math.pi), 0.044715     # f' = (1 + t)/2 + x/2 (1 - t^2) u'
    t = np.tanh(c * (x + a * x ** 3))
    return 0.5 * (1 + t) + 0.5 * np.abs(x) * (1 - t * t) * c * (1 + 3 * a * x * x)


def _mish_terms(x, p):
    import numpy as np  # f' = tanh(sp) + x sech^2(sp) sigmoid(x)
    t = np.tanh(np.logaddexp(0, x))
    return np.abs(t) + np.abs(x) * (1 - t * t) * 0.5 * (1 + np.tanh(0.5 * x))


def _hard_swish_terms(x, p):
    import numpy as np  # f' = (2x + 3) / 6 on (-3, 3)
    return np.where(np.abs(x) < 3, (2 * np.abs(x) + 3) / 6, 0.0)


def _glu_terms(g, x, axis):
    import numpy as np  # backward from x: [g s(b), g a s(b) (1 - s(b))]
    a, _ = np.split(np.abs(x), 2, axis=axis)
    return np.concatenate([np.abs(g), np.abs(g) * a], axis=axis)


# ---- Thread thresholds ----------------------------------------------------
# MIN_PARALLEL[row] = (float32, float64): each thread gets at least this many
# elements (fa_threads_for), so a call uses 2 threads from 2 * min_parallel
# elements on and stays on the calling thread below.  Measured, not guessed:
# the smallest size at which 2 threads beat 1 thread (medians of interleaved
# timings) on the project's machine, a shared 2-core AMD EPYC (Zen 4), by
#     python tools/measure_thresholds.py --write
# which rewrites the block between the BEGIN/END lines; rerun it on other
# hardware.  Rows missing here use DEFAULT_MIN_PARALLEL: the machine was not
# quiet while they were measured (the script flags that); measure them next.
DEFAULT_MIN_PARALLEL = 1 << 16
# Last measured on 2026-11-22 (load average 1.0, no other job of ours running),
# after the kernels of that day; a noisy first pass (arctan 46336, float64
# threshold and linear 524288) was measured again.
# BEGIN MIN_PARALLEL
MIN_PARALLEL = {
    'sigmoid': (2048, 1024),
    'log_sigmoid': (1440, 1024),
    'hard_sigmoid': (5792, 2048),
    'tanh': (5792, 1024),
    'hard_tanh': (23168, 8192),
    'tanh_shrink': (2880, 1024),
    'arctan': (2880, 1024),
    'softsign': (4096, 2880),
    'relu': (32768, 16384),
    'relu6': (11584, 5792),
    'leaky_relu': (23168, 11584),
    'prelu': (2048, 2880),
    'threshold': (32768, 16384),
    'elu': (2880, 1024),
    'selu': (1024, 1024),
    'celu': (1024, 1024),
    'gelu': (1440, 1024),
    'silu': (1440, 1024),
    'hard_swish': (4096, 2880),
    'mish': (1024, 1024),
    'softplus': (1440, 1024),
    'squareplus': (1440, 1024),
    'sparse_plus': (2880, 4096),
    'sparse_sigmoid': (11584, 4096),
    'soft_shrink': (16384, 8192),
    'hard_shrink': (32768, 11584),
    'exponential': (2048, 1024),
    'linear': (16384, 8192),
    'softmax': (1024, 1024),
    'log_softmax': (1024, 1024),
    'softmin': (1024, 1024),
    'glu': (2048, 1024),
}
# END MIN_PARALLEL

# Zeros of f' inside the domain (25 digits; mpmath.findroot on the oracle).
SILU_GRAD_ZERO = -1.278464542761073795109359        # in z = beta*x
GELU_GRAD_ZERO = -0.7517915246935644574579049
GELU_TANH_GRAD_ZERO = -0.7524614220710162584879544
MISH_GRAD_ZERO = -1.192431214515495212137588


INF = float("inf")
PI_2 = 1.5707963267948966              # pi/2 rounded to double
SELU_SCALE = 1.0507009873554805        # PyTorch's constants rounded to double
SELU_SCALE_ALPHA = 1.7580993408473768  # scale * alpha rounded to double


def _times_minus_inf(slope):
    return 0.0 if slope == 0 else -slope * INF


ZERO_TAILS = lambda p: (INF, 0, 1, 0)          # noqa: E731  f -> x, 0; f' -> 1, 0
ODD_LINEAR = lambda p: (INF, -INF, 1, 1)       # noqa: E731  f -> +-inf, f' -> 1
SATURATING = lambda p: (1, 0, 0, 0)            # noqa: E731  f -> 1, 0; f' -> 0


def _interval_check(low, high):
    def check(p):
        if p[low] > p[high]:
            return f"{low} ({p[low]!r}) must not be above {high} ({p[high]!r})"
        return None
    return check


def _celu_check(p):
    return "alpha must not be 0" if p["alpha"] == 0 else None


def _torch_relu(torch, x, p):
    if p["negative_slope"] == 0 and p["threshold"] == 0:
        if p["max_value"] is None:
            return torch.relu(x)
        return torch.nn.functional.relu6(x) if p["max_value"] == 6.0 else None
    return None


CATALOG = (
    Row("sigmoid", "1 / (1 + exp(-x))", "(0, 1)",
        limits=SATURATING,
        aliases=("logistic", "expit"), backward_from_y=True,
        ulp=Ulp(2, 2.5), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-np.inf, 0.0, np.log(3.0), np.inf]", "[0.0, 0.5, 0.75, 1.0]",
                                 "0, 1/2, 3/(3 + 1), 1"),),
        torch=lambda torch, x, p: torch.sigmoid(x)),
    Row("log_sigmoid", "min(x, 0) - log1p(exp(-|x|))", "(-inf, 0)",
        limits=lambda p: (0, -INF, 0, 1),
        aliases=("logsigmoid", "log_expit"), backward_from_y=True,
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 4), ulp_grad_y=Ulp(2, 2),
        hard_points=(-705.0, -740.0, -745.0, 36.0, 37.0, 40.0),
        doc_examples=(DocExample("[0.0, np.log(3.0)]", "[-0.6931, -0.2877]",
                                 "log(1/2), log(3/4)"),),
        torch=lambda torch, x, p: torch.nn.functional.logsigmoid(x)),
    Row("hard_sigmoid", "min(max(x + 3, 0), 6) / 6", "[0, 1]",
        limits=SATURATING,
        aliases=("hardsigmoid",),
        ulp=Ulp(1, 1), ulp_grad=Ulp(0.5, 0.5),
        doc_examples=(DocExample("[-4.0, -3.0, 0.0, 1.5, 3.0]", "[0.0, 0.0, 0.5, 0.75, 1.0]",
                                 "(x + 3) / 6, clipped to [0, 1]"),),
        kinks=lambda p: [-3.0, 3.0],
        torch=lambda torch, x, p: torch.nn.functional.hardsigmoid(x),
        differences="Keras 2 used 0.2 x + 0.5; PyTorch, Keras 3 and JAX use relu6(x + 3) / 6."),
    Row("tanh", "(exp(x) - exp(-x)) / (exp(x) + exp(-x))", "(-1, 1)",
        limits=lambda p: (1, -1, 0, 0),
        backward_from_y=True,
        # float64: m/(m + 2), m = expm1(2|x|) (fa_tanh_expm1_f64), 2.5 ULP sampled
        ulp=Ulp(1, 3), ulp_grad=Ulp(1, 1), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-np.log(3.0), 0.0, np.log(2.0)]", "[-0.8, 0.0, 0.6]",
                                 "(3 - 1/3) / (3 + 1/3) = 0.8, (2 - 1/2) / (2 + 1/2) = 0.6"),),
        torch=lambda torch, x, p: torch.tanh(x)),
    Row("hard_tanh", "min(max(x, min_val), max_val)", "[min_val, max_val]",
        limits=lambda p: (p["max_val"], p["min_val"], 0, 0),
        aliases=("hardtanh",),
        params=(Param("min_val", -1.0, "finite", "lower saturation value"),
                Param("max_val", 1.0, "finite", "upper saturation value")),
        check=_interval_check("min_val", "max_val"), backward_from_y=True,
        examples=({"min_val": -2.0, "max_val": 0.5},),
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, -0.5, 0.5, 2.0]", "[-1.0, -0.5, 0.5, 1.0]",
                                 "clipped to [-1, 1]"),
                    DocExample("[-2.0, 0.5, 8.0]", "[0.0, 0.5, 6.0]",
                               "relu6", "min_val=0.0, max_val=6.0"),),
        kinks=lambda p: [p["min_val"], p["max_val"]],
        torch=lambda torch, x, p: torch.nn.functional.hardtanh(x, p["min_val"], p["max_val"])),
    Row("tanh_shrink", "x - tanh(x)", "R", aliases=("tanhshrink",),
        limits=ODD_LINEAR,
        ulp=Ulp(1, 3), ulp_grad=Ulp(2, 2),
        doc_examples=(DocExample("[0.0, np.log(2.0)]", "[0.0, 0.0931]",
                                 "log(2) - tanh(log(2)) = 0.6931 - 0.6"),),
        hard_points=(1e-3, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.5, 2.0),
        torch=lambda torch, x, p: torch.nn.functional.tanhshrink(x)),
    Row("arctan", "atan(x)", "(-pi/2, pi/2)", aliases=("atan",),
        limits=lambda p: (PI_2, -PI_2, 0, 0),
        ulp=Ulp(1, 1), ulp_grad=Ulp(1, 1),
        doc_examples=(DocExample("[0.0, 1.0, np.sqrt(3.0)]", "[0.0, 0.7854, 1.0472]",
                                 "0, pi/4, pi/3"),),
        torch=lambda torch, x, p: torch.atan(x)),
    Row("softsign", "x / (1 + |x|)", "(-1, 1)", aliases=("soft_sign",),
        limits=lambda p: (1, -1, 0, 0),
        backward_from_y=True,
        # x / (1 + |x|) in the dtype's own lanes: two roundings
        ulp=Ulp(2, 2), ulp_grad=Ulp(1, 1), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-3.0, 0.0, 1.0]", "[-0.75, 0.0, 0.5]", "-3/4, 0, 1/2"),),
        torch=lambda torch, x, p: torch.nn.functional.softsign(x)),
    Row("relu", "x if x > threshold (clipped at max_value), "
        "else negative_slope * (x - threshold)", "[min, max_value]",
        limits=lambda p: (INF if p["max_value"] is None else p["max_value"],
                          _times_minus_inf(p["negative_slope"]),
                          1 if p["max_value"] is None else 0, p["negative_slope"]),
        params=(Param("negative_slope", 0.0, "finite",
                      "slope below the threshold"),
                Param("max_value", None, "finite_or_none",
                      "saturation value (None: no saturation)"),
                Param("threshold", 0.0, "finite",
                      "values at or below it take the negative branch")),
        backward_from_y=_relu_from_y, check=_relu_check,
        from_y_when="negative_slope >= 0, threshold >= 0 and max_value > 0",
        examples=({"max_value": 6.0}, {"negative_slope": 0.1, "threshold": 0.5},
                  {"negative_slope": -0.2, "max_value": 2.0, "threshold": -1.0}),
        ulp=Ulp(1.5, 1.5), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 0.5, 3.0, 8.0]", "[0.0, 0.5, 3.0, 8.0]", "max(x, 0)"),
                    DocExample("[-2.0, 0.5, 3.0, 8.0]", "[0.0, 0.5, 3.0, 6.0]",
                               "min(max(x, 0), 6)", "max_value=6.0"),
                    DocExample("[-2.0, 0.5, 3.0]", "[-0.3, -0.05, 3.0]",
                               "x > 1 stays; 0.1 * (x - 1) below",
                               "negative_slope=0.1, threshold=1.0"),),
        kinks=lambda p: [p["threshold"]] + ([] if p["max_value"] is None else [p["max_value"]]),
        torch=_torch_relu,
        notes="Keras semantics; defaults give max(x, 0).",
        differences="PyTorch's relu has no parameters; the negative_slope, max_value "
                    "and threshold parameters follow Keras 3."),
    Row("relu6", "min(max(x, 0), 6)", "[0, 6]", backward_from_y=True,
        limits=lambda p: (6, 0, 0, 0),
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0), kinks=lambda p: [0.0, 6.0],
        doc_examples=(DocExample("[-1.0, 3.0, 8.0]", "[0.0, 3.0, 6.0]", "clipped to [0, 6]"),),
        torch=lambda torch, x, p: torch.nn.functional.relu6(x)),
    Row("leaky_relu", "x if x > 0 else negative_slope * x", "R",
        limits=lambda p: (INF, _times_minus_inf(p["negative_slope"]), 1, p["negative_slope"]),
        params=(Param("negative_slope", 0.01, "finite",
                      "slope for x < 0 (PyTorch 0.01; Keras uses 0.2)"),),
        backward_from_y=lambda p: p["negative_slope"] >= 0,
        from_y_when="negative_slope >= 0",
        examples=({"negative_slope": 0.2}, {"negative_slope": -0.5}, {"negative_slope": 0.0}),
        ulp=Ulp(0.5, 0.5), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 0.0, 3.0]", "[-0.02, 0.0, 3.0]", "0.01 * x below 0"),
                    DocExample("[-2.0, 3.0]", "[-0.4, 3.0]",
                               "0.2 * x below 0", "negative_slope=0.2"),),
        torch=lambda torch, x, p: torch.nn.functional.leaky_relu(x, p["negative_slope"]),
        differences="Default slope 0.01 as PyTorch and JAX; Keras 3's default is 0.2."),
    Row("prelu", "x if x > 0 else weight * x", "R",
        params=(Param("weight", 0.25, "array",
                      "slope for x < 0: a number or an array broadcast against x "
                      "(PyTorch initialises it to 0.25)"),),
        examples=({"weight": -0.5},),
        ulp=Ulp(0.5, 0.5), ulp_grad=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 3.0]", "[-0.5, 3.0]", "0.25 * x below 0"),
                    DocExample("[[-1.0, -1.0], [2.0, -4.0]]", "[[-0.1, -0.5], [2.0, -2.0]]",
                               "one slope per column", "weight=np.array([0.1, 0.5])"),),
        torch=lambda torch, x, p: torch.nn.functional.prelu(x, p["weight"]),
        notes="backward returns (grad_x, grad_weight); grad_weight is summed "
              "over the axes weight was broadcast along, so it has weight's shape.",
        differences="PyTorch's weight is a learnable tensor of one value or one per "
                    "channel (axis 1); here any array that broadcasts against x."),
    Row("threshold", "x if x > threshold else value", "R",
        limits=lambda p: (INF, p["value"], 1, 0),
        params=(Param("threshold", REQUIRED, "finite", "values at or below it are replaced"),
                Param("value", REQUIRED, "real", "the replacement")),
        examples=({"threshold": 0.5, "value": -2.0}, {"threshold": 0.0, "value": 0.0},
                  {"threshold": -1.0, "value": 20.0}),
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0),
        doc_examples=(DocExample("[-1.0, 0.5, 2.0]", "[-2.0, -2.0, 2.0]",
                                 "x > 0.5 stays, else -2", "threshold=0.5, value=-2.0"),),
        kinks=lambda p: [p["threshold"]],
        torch=lambda torch, x, p: torch.nn.functional.threshold(x, p["threshold"], p["value"]),
        differences="PyTorch only; both parameters are required, as in PyTorch."),
    Row("elu", "x if x > 0 else alpha * (exp(x) - 1)", "(-alpha, inf)",
        limits=lambda p: (INF, -p["alpha"], 1, 0),
        params=(Param("alpha", 1.0, "finite", "scale of the negative part"),),
        backward_from_y=lambda p: p["alpha"] > 0, from_y_when="alpha > 0",
        examples=({"alpha": 0.5}, {"alpha": -1.5}),
        ulp=Ulp(1, 3), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-np.log(2.0), 0.0, 2.0]", "[-0.5, 0.0, 2.0]",
                                 "exp(-log 2) - 1 = -1/2"),
                    DocExample("[-np.log(2.0), 2.0]", "[-1.0, 2.0]",
                               "2 * (1/2 - 1)", "alpha=2.0"),),
        torch=lambda torch, x, p: torch.nn.functional.elu(x, p["alpha"])),
    Row("selu", "scale * (x if x > 0 else alpha * (exp(x) - 1)), "
        "alpha = 1.6732632423543772, scale = 1.0507009873554805",
        "(-scale*alpha, inf)", backward_from_y=True,
        limits=lambda p: (INF, -SELU_SCALE_ALPHA, SELU_SCALE, 0),
        ulp=Ulp(2, 3), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-np.inf, 0.0, 1.0]", "[-1.7581, 0.0, 1.0507]",
                                 "-scale * alpha, 0, scale"),),
        torch=lambda torch, x, p: torch.nn.functional.selu(x)),
    Row("celu", "x if x > 0 else alpha * (exp(x / alpha) - 1)", "(-alpha, inf)",
        limits=lambda p: ((INF, -p["alpha"], 1, 0) if p["alpha"] > 0 else (INF, -INF, 1, INF)),
        params=(Param("alpha", 1.0, "finite", "scale of the negative part (not 0)"),),
        check=_celu_check, backward_from_y=lambda p: p["alpha"] > 0, from_y_when="alpha > 0",
        examples=({"alpha": 0.3}, {"alpha": 2.0}, {"alpha": -1.5}),
        ulp=Ulp(1, 3), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[-np.log(2.0), 0.0, 2.0]", "[-0.5, 0.0, 2.0]",
                                 "exp(-log 2) - 1 = -1/2"),
                    DocExample("[-np.log(4.0), 2.0]", "[-1.0, 2.0]",
                               "2 * (exp(-log(4) / 2) - 1) = 2 * (1/2 - 1)", "alpha=2.0"),),
        torch=lambda torch, x, p: torch.nn.functional.celu(x, p["alpha"])),
    Row("gelu", "x * Phi(x) = x/2 * erfc(-x/sqrt(2)); approximate='tanh': "
        "x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))", "[-0.17, inf)",
        limits=ZERO_TAILS,
        params=(Param("approximate", "none", "choice",
                      "'none' (exact, erf) or 'tanh'; True and False are accepted",
                      choices=("none", "tanh"),
                      value_aliases=((True, "tanh"), (False, "none"))),),
        kernel_for=("approximate", {"none": "gelu", "tanh": "gelu_tanh"}),
        examples=({"approximate": "tanh"},),
        # float32 exhaustive: AVX-512 table kernels forward 1.482, derivative 0.877;
        # AVX2 table-free float lanes (fa_fast32_gelu.h) forward 1.98, derivative 3.41 (exhaustive,
        # tools/exhaustive-style sweep against glibc double erfc)
        # (in ULPs of Phi + |x| phi, grad_terms); float64 AVX-512 (fa_fast64_gelu.h), 1.2e7
        # random inputs against quad precision: forward 2.38, derivative 2.00; the
        # other variants' pair-arithmetic kernels (fa_precise64.h) about 1
        ulp=Ulp(2, 3), ulp_grad=Ulp(4, 4),
        doc_examples=(DocExample("[-1.0, 0.0, 1.0]", "[-0.1587, 0.0, 0.8413]",
                                 "x * Phi(x), Phi(1) = 0.8413 (normal CDF)"),
                    DocExample("[-1.0, 0.0, 1.0]", "[-0.1588, 0.0, 0.8412]",
                               "the tanh formula evaluated with math.tanh", "approximate='tanh'"),),
        grad_terms=_gelu_terms,
        grad_zeros=lambda p: [GELU_GRAD_ZERO if p["approximate"] == "none"
                              else GELU_TANH_GRAD_ZERO],
        hard_points=(-37.0, -37.5, -38.0, -38.5, -27.0, -21.0, -21.7, -22.0, -1.7677,
                     -1.76, -1.2, -1.25, -10.0, -13.0, -14.0),
        torch=lambda torch, x, p: torch.nn.functional.gelu(x, approximate=p["approximate"]),
        differences="Default exact (erf) as PyTorch and Keras 3; JAX's default is "
                    "approximate=True (tanh)."),
    Row("silu", "x * sigmoid(beta * x)", "[-0.2785/beta, inf)",
        limits=lambda p: ((INF, 0, 1, 0) if p["beta"] > 0 else (0, -INF, 0, 1)
                          if p["beta"] < 0 else (INF, -INF, 0.5, 0.5)),
        aliases=("swish",),
        params=(Param("beta", 1.0, "finite", "steepness"),),
        examples=({"beta": 1.702}, {"beta": -0.5}, {"beta": 0.0}),
        ulp=Ulp(2, 3), ulp_grad=Ulp(4, 4),
        doc_examples=(DocExample("[0.0, np.log(3.0)]", "[0.0, 0.824]",
                                 "log(3) * sigmoid(log 3) = log(3) * 3/4"),),
        grad_terms=_silu_terms,
        grad_zeros=lambda p: [SILU_GRAD_ZERO / p["beta"]] if p["beta"] else [],
        hard_points=(-705.0, -708.0, -709.0, -710.0, -712.0, -715.0, -740.0),
        torch=lambda torch, x, p: (torch.nn.functional.silu(x) if p["beta"] == 1
                                   else x * torch.sigmoid(p["beta"] * x)),
        differences="PyTorch's silu has no beta (beta = 1); Keras 3 and JAX swish "
                    "have none either; beta follows the original swish paper."),
    Row("hard_swish", "x * min(max(x + 3, 0), 6) / 6", "[-0.375, inf)",
        limits=ZERO_TAILS,
        aliases=("hardswish", "hard_silu"),
        ulp=Ulp(2, 2), ulp_grad=Ulp(1.5, 1.5),
        doc_examples=(DocExample("[-1.5, 0.0, 1.5, 3.0]", "[-0.375, 0.0, 1.125, 3.0]",
                                 "x * (x + 3) / 6 on [-3, 3]"),),
        kinks=lambda p: [-3.0, 3.0, -1.5], grad_terms=_hard_swish_terms,
        torch=lambda torch, x, p: torch.nn.functional.hardswish(x)),
    Row("mish", "x * tanh(softplus(x))", "[-0.3089, inf)",
        limits=ZERO_TAILS,
        ulp=Ulp(1, 2), ulp_grad=Ulp(2, 4),
        doc_examples=(DocExample("[0.0, np.log(2.0)]", "[0.0, 0.5545]",
                                 "log(2) * tanh(log(1 + 2)) = 0.8 * log(2)"),),
        grad_terms=_mish_terms,
        grad_zeros=lambda p: [MISH_GRAD_ZERO],
        hard_points=(-705.0, -709.0, -710.0, -712.0, -714.0, -20.0, -40.0),
        torch=lambda torch, x, p: torch.nn.functional.mish(x)),
    Row("softplus", "log(1 + exp(beta * x)) / beta "
        "(x where beta * x > threshold)", "(0, inf)",
        limits=ZERO_TAILS,
        params=(Param("beta", 1.0, "positive", "sharpness"),
                Param("threshold", None, "finite_or_none",
                      "beta * x above it returns x (PyTorch uses 20); "
                      "None: always exact")),
        # With a finite threshold f jumps at the cut-over, so y no longer
        # identifies x near it.
        backward_from_y=lambda p: p["threshold"] is None, from_y_when="threshold=None",
        examples=({"beta": 2.5}, {"beta": 1.0, "threshold": 20.0},
                  {"beta": 0.5, "threshold": 3.0}, {"beta": 0.3}),
        ulp=Ulp(1, 2), ulp_grad=Ulp(2, 2.5), ulp_grad_y=Ulp(2, 2),
        doc_examples=(DocExample("[0.0, np.log(3.0)]", "[0.6931, 1.3863]",
                                 "log(1 + 1), log(1 + 3)"),
                    DocExample("[0.0, 30.0]", "[0.6931, 30.0]",
                               "x where x > threshold", "threshold=20.0"),),
        hard_points=(-705.0, -740.0, -744.0, 19.9, 20.1),
        kinks=lambda p: [] if p["threshold"] is None else [p["threshold"] / p["beta"]],
        torch=lambda torch, x, p: torch.nn.functional.softplus(
            x, p["beta"], 1e300 if p["threshold"] is None else p["threshold"]),
        differences="Default threshold None (exact everywhere); PyTorch switches to "
                    "the identity above beta*x > 20 (pass threshold=20 for its values)."),
    Row("squareplus", "(x + sqrt(x^2 + b)) / 2", "(0, inf)",
        limits=ZERO_TAILS,
        params=(Param("b", 4.0, "nonnegative", "smoothness near 0"),),
        examples=({"b": 0.5}, {"b": 0.0}),
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 2),
        doc_examples=(DocExample("[0.0, 1.5]", "[1.0, 2.0]",
                                 "sqrt(4) / 2, (1.5 + sqrt(2.25 + 4)) / 2"),
                    DocExample("[-1.0, 2.0]", "[0.0, 2.0]", "b = 0 is relu", "b=0.0"),),
        differences="JAX only (jax.nn.squareplus, Keras 3 ops.squareplus); not in PyTorch."),
    Row("sparse_plus", "0 (x <= -1), (x + 1)^2 / 4 (|x| < 1), x (x >= 1)", "[0, inf)",
        limits=ZERO_TAILS,
        ulp=Ulp(1, 1), ulp_grad=Ulp(1, 1),
        doc_examples=(DocExample("[-2.0, 0.0, 0.5, 2.0]", "[0.0, 0.25, 0.5625, 2.0]",
                                 "(x + 1)^2 / 4 on (-1, 1)"),),
        kinks=lambda p: [-1.0, 1.0],
        differences="JAX / Keras 3 only; not in PyTorch."),
    Row("sparse_sigmoid", "0 (x <= -1), (x + 1) / 2 (|x| < 1), 1 (x >= 1)", "[0, 1]",
        limits=SATURATING,
        ulp=Ulp(0.5, 0.5), ulp_grad=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 0.0, 0.5, 2.0]", "[0.0, 0.5, 0.75, 1.0]",
                                 "(x + 1) / 2 on (-1, 1)"),),
        kinks=lambda p: [-1.0, 1.0],
        differences="JAX / Keras 3 only; not in PyTorch."),
    Row("soft_shrink", "x - lambd (x > lambd), x + lambd (x < -lambd), else 0", "R",
        limits=ODD_LINEAR,
        aliases=("softshrink",),
        params=(Param("lambd", 0.5, "nonnegative", "half-width of the zero band"),),
        examples=({"lambd": 1.5},),
        ulp=Ulp(0.5, 0.5), ulp_grad=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 0.25, 1.0]", "[-1.5, 0.0, 0.5]",
                                 "moved 0.5 towards 0, 0 inside [-0.5, 0.5]"),),
        kinks=lambda p: [p["lambd"], -p["lambd"]],
        torch=lambda torch, x, p: torch.nn.functional.softshrink(x, p["lambd"])),
    Row("hard_shrink", "x if |x| > lambd else 0", "R", aliases=("hardshrink",),
        limits=ODD_LINEAR,
        params=(Param("lambd", 0.5, "nonnegative", "half-width of the zero band"),),
        examples=({"lambd": 1.5},),
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0),
        doc_examples=(DocExample("[-2.0, 0.25, 1.0]", "[-2.0, 0.0, 1.0]", "0 inside [-0.5, 0.5]"),),
        kinks=lambda p: [p["lambd"], -p["lambd"]],
        torch=lambda torch, x, p: torch.nn.functional.hardshrink(x, p["lambd"])),
    Row("exponential", "exp(x)", "(0, inf)", aliases=("exp",), backward_from_y=True,
        limits=lambda p: (INF, 0, INF, 0),
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(0, 0),
        doc_examples=(DocExample("[0.0, np.log(2.0)]", "[1.0, 2.0]", "exp(0), exp(log 2)"),),
        torch=lambda torch, x, p: torch.exp(x),
        differences="Keras 3 only as an activation (keras.activations.exponential)."),
    Row("linear", "x", "R", aliases=("identity",), backward_from_y=True,
        limits=ODD_LINEAR,
        notes="backward returns grad unchanged, also where x is NaN (PyTorch).",
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        doc_examples=(DocExample("[-1.5, 2.0]", "[-1.5, 2.0]", "the identity"),),
        torch=lambda torch, x, p: x * 1),
    Row("softmax", "exp(x - max) / sum(exp(x - max)) along axis", "[0, 1]",
        params=(_AXIS,), kind=AXIS, backward_from_y=True, grad_scale=_softmax_terms,
        ulp=Ulp(2, 3), ulp_grad_y=Ulp(4, 4),
        doc_examples=(DocExample("np.log([[1.0, 3.0], [2.0, 2.0]])", "[[0.25, 0.75], [0.5, 0.5]]",
                                 "1/(1 + 3), 3/(1 + 3); equal entries"),
                    DocExample("np.log([[1.0, 1.0], [3.0, 1.0]])", "[[0.25, 0.5], [0.75, 0.5]]",
                               "along the columns", "axis=0"),),
        torch=lambda torch, x, p: torch.softmax(x, p["axis"])),
    Row("log_softmax", "x - max - log(sum(exp(x - max))) along axis",
        "(-inf, 0]", params=(_AXIS,), kind=AXIS, backward_from_y=True,
        grad_scale=_log_softmax_terms,
        ulp=Ulp(2, 2), ulp_grad_y=Ulp(4, 4),
        doc_examples=(DocExample("np.log([1.0, 3.0])", "[-1.3863, -0.2877]",
                                 "log(1/4), log(3/4)"),),
        torch=lambda torch, x, p: torch.log_softmax(x, p["axis"])),
    Row("softmin", "softmax(-x) along axis", "[0, 1]",
        params=(_AXIS,), kind=AXIS, backward_from_y=True, grad_scale=_softmax_terms,
        ulp=Ulp(2, 3), ulp_grad_y=Ulp(4, 4),
        doc_examples=(DocExample("np.log([3.0, 1.0])", "[0.25, 0.75]",
                                 "softmax(log(1/3), log(1)) = (1/3, 1) / (4/3)"),),
        torch=lambda torch, x, p: torch.nn.functional.softmin(x, p["axis"]),
        differences="PyTorch only."),
    Row("glu", "a * sigmoid(b), a and b the halves of x along axis", "R",
        params=(_AXIS,), kind=AXIS, halves=True, grad_scale=_glu_terms,
        ulp=Ulp(2, 3), ulp_grad_y=Ulp(4, 4),
        doc_examples=(DocExample("[1.0, 2.0, 0.0, np.log(3.0)]", "[0.5, 1.5]",
                                 "a = [1, 2], b = [0, log 3]: [1 * 1/2, 2 * 3/4]"),),
        torch=lambda torch, x, p: torch.nn.functional.glu(x, p["axis"]),
        notes="The output is half as long as x along axis; backward takes the "
              "forward input x (not y=).",
        differences="Keras 3 and JAX also default to axis=-1; PyTorch's glu too."),
)

BY_NAME = {row.name: row for row in CATALOG}
ALIASES = {alias: row.name for row in CATALOG for alias in row.aliases}


def lookup(name):
    """The row for a canonical name or alias (case-insensitive, '-' == '_')."""
    key = str(name).lower().replace("-", "_")
    key = ALIASES.get(key, key)
    try:
        return BY_NAME[key]
    except KeyError:
        raise KeyError(f"fastact: no activation named {name!r}; known: "
                       f"{', '.join(BY_NAME)}") from None


def kernel_rows():
    """(kernel name, row) for every C kernel, catalog order, no duplicates."""
    seen = {}
    for row in CATALOG:
        for kernel in row.kernels:
            seen.setdefault(kernel, row)
    return list(seen.items())
