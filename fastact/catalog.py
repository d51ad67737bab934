"""The catalog: one row per activation.

Everything else is generated from this table: the C loops and ufuncs
(setup.py renders ``fastact/src/kernels.c.tp``), the public ``Activation``
objects, the reference twin, the README/docs function table, the parametrised
tests and the benchmarks.  Adding an activation means adding one row here, its
element formulas in ``fastact/src/formulas.h`` and its NumPy reference in
``fastact/_reference_kernels.py``.

This module is pure Python (no NumPy, no compiled code) so that ``setup.py``
can read it before anything is built.

Conventions shared by every row
-------------------------------
* A row names one or more C *kernels*.  A kernel ``K`` with numeric arguments
  ``a, b`` provides, per dtype, ``fa_K_f32(x, a, b)`` (forward),
  ``fa_K_grad_f32(x, a, b)`` (f'(x)) and, when ``grad_y`` is set,
  ``fa_K_grad_y_f32(y, a, b)`` (f' written as a function of the output).
  ``backward(g, x)`` is ``g * f'(x)`` elementwise.
* Numeric kernel arguments are the row's numeric parameters in order; a
  parameter whose value may be ``None`` is passed as +inf.  A ``choice``
  parameter is not passed: it picks the kernel (``kernel_for``).
* At a kink the derivative is the one-sided value PyTorch uses (relu'(0) = 0).
"""

from dataclasses import dataclass

ELEMENTWISE = "elementwise"
AXIS = "axis"


@dataclass(frozen=True)
class Param:
    """A keyword parameter of an activation.

    check: "finite" (any finite float), "positive" (finite, > 0),
    "nonnegative" (finite, >= 0), "finite_or_none" (None means +inf),
    "choice" (one of ``choices``; ``value_aliases`` maps accepted synonyms),
    "int" (an axis).
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
class Row:
    name: str
    formula: str
    output_range: str
    params: tuple = ()
    aliases: tuple = ()
    kind: str = ELEMENTWISE
    # True, False, or a function(params dict) -> bool: may backward take y=?
    backward_from_y: object = False
    # Kernel chosen by a "choice" parameter: (param name, {value: kernel}).
    kernel_for: tuple = None
    # Max ULP error of forward, derivative from x and derivative from y,
    # measured by tests/test_accuracy.py and enforced there.
    ulp: Ulp = Ulp(1, 1)
    ulp_grad: Ulp = Ulp(1, 1)
    ulp_grad_y: Ulp = None
    # Each thread gets at least `min_parallel` elements: smaller calls stay
    # on the calling thread.
    min_parallel: int = 1 << 16
    # Extra cross-parameter check: function(params) -> error message or None.
    check: object = None
    # Axis functions: function(g, y, axis) -> the magnitude of the terms
    # that backward sums for each element.  A dominant softmax entry makes
    # the exact gradient arbitrarily small next to its terms, so backward
    # errors are measured in ULPs of this (docs/accuracy.md).
    grad_scale: object = None
    # Non-default parameter sets that tests and benchmarks also exercise.
    examples: tuple = ()
    notes: str = ""

    @property
    def kernels(self):
        """The C kernel names this row uses."""
        if self.kernel_for is None:
            return (self.name,)
        return tuple(dict.fromkeys(self.kernel_for[1].values()))

    @property
    def numeric_params(self):
        return tuple(p for p in self.params if p.check not in ("choice", "int"))

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
    total = np.sum(np.abs(g), axis=axis, keepdims=True)     # g - exp(y) sum(g)
    return np.abs(g) + np.exp(y) * total

# Cheap (memory-bound) kernels only pay for threads on large arrays;
# transcendental ones earlier.  Refined by bench/ measurements.
CHEAP = 1 << 17
TRANSCENDENTAL = 1 << 14

CATALOG = (
    Row("sigmoid", "1 / (1 + exp(-x))", "(0, 1)",
        aliases=("logistic", "expit"), backward_from_y=True,
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 4), ulp_grad_y=Ulp(2, 2),
        min_parallel=TRANSCENDENTAL),
    Row("tanh", "(exp(x) - exp(-x)) / (exp(x) + exp(-x))", "(-1, 1)",
        backward_from_y=True,
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 4), ulp_grad_y=Ulp(2, 2),
        min_parallel=TRANSCENDENTAL),
    Row("arctan", "atan(x)", "(-pi/2, pi/2)", aliases=("atan",),
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 2), min_parallel=TRANSCENDENTAL),
    Row("softsign", "x / (1 + |x|)", "(-1, 1)", aliases=("soft_sign",),
        backward_from_y=True,
        ulp=Ulp(1, 1), ulp_grad=Ulp(1, 3), ulp_grad_y=Ulp(2, 2),
        min_parallel=CHEAP),
    Row("relu", "x if x > threshold (clipped at max_value), "
        "else negative_slope * (x - threshold)", "[min, max_value]",
        params=(Param("negative_slope", 0.0, "finite",
                      "slope below the threshold"),
                Param("max_value", None, "finite_or_none",
                      "saturation value (None: no saturation)"),
                Param("threshold", 0.0, "finite",
                      "values at or below it take the negative branch")),
        backward_from_y=_relu_from_y, check=_relu_check,
        examples=({"max_value": 6.0}, {"negative_slope": 0.1, "threshold": 0.5},
                  {"negative_slope": -0.2, "max_value": 2.0, "threshold": -1.0}),
        ulp=Ulp(0.5, 1), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        min_parallel=CHEAP,
        notes="Keras semantics; defaults give max(x, 0)."),
    Row("relu6", "min(max(x, 0), 6)", "[0, 6]", backward_from_y=True,
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        min_parallel=CHEAP),
    Row("leaky_relu", "x if x > 0 else negative_slope * x", "R",
        params=(Param("negative_slope", 0.01, "finite",
                      "slope for x < 0 (PyTorch 0.01; Keras uses 0.2)"),),
        backward_from_y=lambda p: p["negative_slope"] >= 0,
        examples=({"negative_slope": 0.2}, {"negative_slope": -0.5}),
        ulp=Ulp(0.5, 0.5), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        min_parallel=CHEAP),
    Row("elu", "x if x > 0 else alpha * (exp(x) - 1)", "(-alpha, inf)",
        params=(Param("alpha", 1.0, "finite", "scale of the negative part"),),
        backward_from_y=lambda p: p["alpha"] > 0,
        examples=({"alpha": 0.5}, {"alpha": -1.5}),
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        min_parallel=TRANSCENDENTAL),
    Row("selu", "scale * (x if x > 0 else alpha * (exp(x) - 1)), "
        "alpha = 1.6732632423543772, scale = 1.0507009873554805",
        "(-scale*alpha, inf)", backward_from_y=True,
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 2), ulp_grad_y=Ulp(2, 2),
        min_parallel=TRANSCENDENTAL),
    Row("softplus", "log(1 + exp(beta * x)) / beta "
        "(x where beta * x > threshold)", "(0, inf)",
        params=(Param("beta", 1.0, "positive", "sharpness"),
                Param("threshold", None, "finite_or_none",
                      "beta * x above it returns x (PyTorch uses 20); "
                      "None: always exact")),
        # With a finite threshold f jumps at the cut-over, so y no longer
        # identifies x near it.
        backward_from_y=lambda p: p["threshold"] is None,
        examples=({"beta": 2.5}, {"beta": 1.0, "threshold": 20.0}, {"beta": 0.5, "threshold": 3.0}),
        ulp=Ulp(1, 2), ulp_grad=Ulp(1, 3), ulp_grad_y=Ulp(2, 2),
        min_parallel=TRANSCENDENTAL),
    Row("silu", "x * sigmoid(beta * x)", "[-0.2785/beta, inf)",
        aliases=("swish",),
        params=(Param("beta", 1.0, "finite", "steepness"),),
        examples=({"beta": 1.702}, {"beta": -0.5}, {"beta": 0.0}),
        ulp=Ulp(2, 3), ulp_grad=Ulp(1, 5), min_parallel=TRANSCENDENTAL),
    Row("linear", "x", "R", aliases=("identity",), backward_from_y=True,
        notes="backward returns grad unchanged, also where x is NaN (PyTorch).",
        ulp=Ulp(0, 0), ulp_grad=Ulp(0, 0), ulp_grad_y=Ulp(0, 0),
        min_parallel=CHEAP),
    Row("softmax", "exp(x - max) / sum(exp(x - max)) along axis", "[0, 1]",
        params=(_AXIS,), kind=AXIS, backward_from_y=True, grad_scale=_softmax_terms,
        ulp=Ulp(3, 3), ulp_grad_y=Ulp(4, 4), min_parallel=TRANSCENDENTAL),
    Row("log_softmax", "x - max - log(sum(exp(x - max))) along axis",
        "(-inf, 0]", params=(_AXIS,), kind=AXIS, backward_from_y=True,
        grad_scale=_log_softmax_terms,
        ulp=Ulp(3, 3), ulp_grad_y=Ulp(4, 4), min_parallel=TRANSCENDENTAL),
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
