"""Benchmark support: competitor recipes, cases, timing in separate processes.

Used by ``python -m fastact bench`` (and ``bench/report.py``, the same
report), ``python -m fastact`` (a quick in-process NumPy table) and the
pytest-benchmark suite in ``bench/``.

What is measured is generated from the catalog: every row x direction
(forward; backward from ``y=`` where the row allows it with its default
parameters, else from ``x``) x dtype x size, plus the rows of ``VARIANTS``
(gelu with approximate='tanh').  Competitors:

* ``fastact``      ``f(x)`` / ``f.backward(g, y=y)``, a new array per call;
* ``fastact-out``  the same into a preallocated ``out=``;
* ``reference``    ``fastact.reference``, the pure-NumPy twin;
* the entries of ``RECIPES``: what people write today without fastact --
  plain NumPy expressions, ``scipy.special``, and PyTorch's ATen operators
  into a preallocated output (their ``.out`` / ``grad_input=`` overloads)
  where one exists.

``RECIPES`` is competitor data keyed by catalog name (or a variant's key,
``gelu[approximate=tanh]``), not a list of our functions: a row without a
recipe simply has no such competitor.  Each recipe is an expression in
``x`` (forward input), ``y`` (forward output), ``g`` (gradient w.r.t.
``y``) and ``o`` (the preallocated output); the label's prefix says what it
needs: ``numpy...`` (``np``), ``scipy...`` (``np``, ``special`` =
scipy.special), ``torch...`` (``torch``, ``F`` = torch.nn.functional,
``aten`` = torch.ops.aten; every input and ``o`` is a zero-copy
``torch.from_numpy`` tensor).  scipy and torch are imported only when such
a competitor is built.

Axis functions (softmax, ...) are timed on ``(n // AXIS_LEN, AXIS_LEN)``
arrays along the last axis.  Every competitor is checked against
``fastact.reference`` on a slice of the inputs before it is timed, so a
wrong recipe cannot produce a flattering ratio.

``python -m fastact bench`` (``report``) times each competitor in its own
worker process (``python -m fastact._cli.bench worker FAMILY THREADS``, one
JSON request and one JSON reply per line): fastact with its threads, PyTorch
with 1 and with 2 threads, NumPy, SciPy.  In one process PyTorch's OpenMP
workers spin ~10 ms after each call and take the core fastact's helper
needs (and the reverse); PyTorch is never imported into fastact's worker.
For each case the workers take turns (fastact, torch-1t, torch-2t,
fastact, ...; ``--alternations``, default 3) and each competitor's best
median is kept (on this shared machine whole runs at 2 turns found 9 to 23
of 306 rows below PyTorch from one run to the next, at 3 turns 11 and 11).
Every worker builds the same inputs from the same seed.
"""

import argparse
import functools
import gc
import importlib
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .. import catalog
from . import optional

FORWARD = "forward"
BACKWARD = "backward"
DIRECTIONS = (FORWARD, BACKWARD)
AXIS_LEN = 1000          # row length of the axis functions' inputs
SEED = 20240607
MIN_SAMPLE = 1.5e-3      # seconds one timing sample lasts, at least
TORCH_THREADS = (1, 2)   # PyTorch's thread counts; the ratio takes its faster
QUIET = 0.02             # seconds a worker idles before replying: PyTorch's
                         # OpenMP workers spin ~10 ms after a call

# Rows timed beside a catalog row's defaults: name -> parameter sets.
VARIANTS = {"gelu": ({"approximate": "tanh"},)}

# 1/(1+exp(-x)) and friends, as users write them.  name -> label ->
# (forward expression, backward expression); None: no recipe.
_SELU = "1.0507009873554805"           # scale
_SELU_A = "1.6732632423543772"         # alpha
_SELU_SA = "1.7580993408473766"        # scale * alpha
_SOFTMAX = "(e := np.exp(x - x.max(-1, keepdims=True))) / e.sum(-1, keepdims=True)"
_LOG_SOFTMAX = ("(s := x - x.max(-1, keepdims=True)) "
                "- np.log(np.exp(s).sum(-1, keepdims=True))")

RECIPES = {
    "sigmoid": {
        "numpy": ("1 / (1 + np.exp(-x))", "g * y * (1 - y)"),
        "scipy": ("special.expit(x)", None),
        "torch": ("aten.sigmoid.out(x, out=o)",
                  "aten.sigmoid_backward.grad_input(g, y, grad_input=o)"),
    },
    "log_sigmoid": {
        "numpy": ("-np.logaddexp(0, -x)", "g * (1 - np.exp(y))"),
        "scipy": ("special.log_expit(x)", None),
        "torch": ("aten.log_sigmoid.out(x, out=o)", None),
    },
    "hard_sigmoid": {
        "numpy": ("np.clip(x / 6 + 0.5, 0, 1)", "g * ((x > -3) & (x < 3)) / 6"),
        "torch": ("aten.hardsigmoid.out(x, out=o)",
                  "aten.hardsigmoid_backward.grad_input(g, x, grad_input=o)"),
    },
    "tanh": {
        "numpy": ("np.tanh(x)", "g * (1 - y * y)"),
        "torch": ("aten.tanh.out(x, out=o)", "aten.tanh_backward.grad_input(g, y, grad_input=o)"),
    },
    "hard_tanh": {
        "numpy": ("np.clip(x, -1, 1)", "g * ((y > -1) & (y < 1))"),
        "torch": ("aten.hardtanh.out(x, -1, 1, out=o)",
                  "aten.hardtanh_backward.grad_input(g, x, -1, 1, grad_input=o)"),
    },
    "tanh_shrink": {
        "numpy": ("x - np.tanh(x)", "g * np.tanh(x) ** 2"),
        "torch": ("F.tanhshrink(x)", None),
    },
    "arctan": {
        "numpy": ("np.arctan(x)", "g / (1 + x * x)"),
        "torch": ("aten.atan.out(x, out=o)", None),
    },
    "softsign": {
        "numpy": ("x / (1 + np.abs(x))", "g * (1 - np.abs(y)) ** 2"),
        "torch": ("F.softsign(x)", None),
    },
    "relu": {
        "numpy": ("np.maximum(x, 0)", "g * (y > 0)"),
        "torch": ("aten.relu.out(x, out=o)",
                  "aten.threshold_backward.grad_input(g, y, 0, grad_input=o)"),
    },
    "relu6": {
        "numpy": ("np.clip(x, 0, 6)", "g * ((y > 0) & (y < 6))"),
        "numpy-minmax": ("np.minimum(np.maximum(x, 0), 6)", None),
        "torch": ("aten.hardtanh.out(x, 0, 6, out=o)",
                  "aten.hardtanh_backward.grad_input(g, x, 0, 6, grad_input=o)"),
    },
    "leaky_relu": {
        "numpy": ("np.where(x > 0, x, 0.01 * x)", "np.where(y > 0, g, 0.01 * g)"),
        "torch": ("aten.leaky_relu.out(x, 0.01, out=o)",
                  "aten.leaky_relu_backward.grad_input(g, y, 0.01, True, grad_input=o)"),
    },
    "prelu": {
        "numpy": ("np.where(x > 0, x, 0.25 * x)", "np.where(x > 0, g, 0.25 * g)"),
    },
    "threshold": {     # timed with threshold=0.5, value=-2.0 (catalog example)
        "numpy": ("np.where(x > 0.5, x, -2.0)", "g * (x > 0.5)"),
        "torch": ("aten.threshold.out(x, 0.5, -2.0, out=o)",
                  "aten.threshold_backward.grad_input(g, x, 0.5, grad_input=o)"),
    },
    "elu": {
        "numpy": ("np.where(x > 0, x, np.exp(x) - 1)", "np.where(y > 0, g, g * (y + 1))"),
        "torch": ("aten.elu.out(x, 1.0, 1.0, 1.0, out=o)",
                  "aten.elu_backward.grad_input(g, 1.0, 1.0, 1.0, True, y, grad_input=o)"),
    },
    "selu": {
        "numpy": (f"{_SELU} * np.where(x > 0, x, {_SELU_A} * (np.exp(x) - 1))",
                  f"g * np.where(y > 0, {_SELU}, y + {_SELU_SA})"),
        "torch": (f"aten.elu.out(x, {_SELU_A}, {_SELU}, 1.0, out=o)",      # = torch.selu
                  f"aten.elu_backward.grad_input(g, {_SELU_A}, {_SELU}, 1.0, True, y, "
                  "grad_input=o)"),
    },
    "celu": {
        "numpy": ("np.where(x > 0, x, np.expm1(x))", None),
        "torch": ("aten.celu.out(x, 1.0, out=o)",
                  "aten.elu_backward.grad_input(g, 1.0, 1.0, 1.0, True, y, grad_input=o)"),
    },
    "gelu": {
        "scipy": ("0.5 * x * (1 + special.erf(x * 0.7071067811865476))", None),
        "torch": ("aten.gelu.out(x, out=o)", "aten.gelu_backward.grad_input(g, x, grad_input=o)"),
    },
    "gelu[approximate=tanh]": {
        "numpy": ("0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))",
                  None),
        "torch": ("aten.gelu.out(x, approximate='tanh', out=o)",
                  "aten.gelu_backward.grad_input(g, x, approximate='tanh', grad_input=o)"),
    },
    "silu": {
        "numpy": ("x / (1 + np.exp(-x))",
                  "g * (s := 1 / (1 + np.exp(-x))) * (1 + x * (1 - s))"),
        "torch": ("aten.silu.out(x, out=o)", "aten.silu_backward.grad_input(g, x, grad_input=o)"),
    },
    "hard_swish": {
        "numpy": ("x * np.clip(x + 3, 0, 6) / 6", None),
        "torch": ("aten.hardswish.out(x, out=o)", "aten.hardswish_backward.out(g, x, out=o)"),
    },
    "mish": {
        "numpy": ("x * np.tanh(np.log1p(np.exp(x)))", None),
        "torch": ("aten.mish.out(x, out=o)", "aten.mish_backward(g, x)"),
    },
    "softplus": {
        "numpy": ("np.log(1 + np.exp(x))", "g / (1 + np.exp(-x))"),
        "numpy-logaddexp": ("np.logaddexp(0, x)", None),
        "scipy": ("special.softplus(x)", None),
        "torch": ("aten.softplus.out(x, 1.0, 20.0, out=o)",
                  "aten.softplus_backward.grad_input(g, x, 1.0, 20.0, grad_input=o)"),
    },
    "squareplus": {
        "numpy": ("(x + np.sqrt(x * x + 4)) / 2", None),
    },
    "sparse_plus": {
        "numpy": ("np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4))",
                  "g * np.clip((x + 1) / 2, 0, 1)"),
    },
    "sparse_sigmoid": {
        "numpy": ("np.clip((x + 1) / 2, 0, 1)", "g * ((x > -1) & (x < 1)) / 2"),
    },
    "soft_shrink": {
        "numpy": ("np.sign(x) * np.maximum(np.abs(x) - 0.5, 0)", None),
        "torch": ("aten.softshrink.out(x, 0.5, out=o)",
                  "aten.softshrink_backward.grad_input(g, x, 0.5, grad_input=o)"),
    },
    "hard_shrink": {
        "numpy": ("np.where(np.abs(x) > 0.5, x, 0)", None),
        "torch": ("aten.hardshrink.out(x, 0.5, out=o)",
                  "aten.hardshrink_backward.grad_input(g, x, 0.5, grad_input=o)"),
    },
    "exponential": {
        "numpy": ("np.exp(x)", "g * y"),
        "torch": ("aten.exp.out(x, out=o)", "aten.mul.out(g, y, out=o)"),
    },
    "linear": {
        "numpy": ("x.copy()", "g.copy()"),
    },
    "softmax": {
        "numpy": (_SOFTMAX, "y * (g - (g * y).sum(-1, keepdims=True))"),
        "scipy": ("special.softmax(x, axis=-1)", None),
        "torch": ("aten._softmax.out(x, -1, False, out=o)",
                  "aten._softmax_backward_data.out(g, y, -1, y.dtype, grad_input=o)"),
    },
    "log_softmax": {
        "numpy": (_LOG_SOFTMAX, "g - np.exp(y) * g.sum(-1, keepdims=True)"),
        "scipy": ("special.log_softmax(x, axis=-1)", None),
        "torch": ("aten._log_softmax.out(x, -1, False, out=o)",
                  "aten._log_softmax_backward_data.out(g, y, -1, y.dtype, out=o)"),
    },
    "softmin": {
        "numpy": ("(e := np.exp(x.min(-1, keepdims=True) - x)) / e.sum(-1, keepdims=True)",
                  None),
        "torch": ("F.softmin(x, -1)", None),
    },
    "glu": {
        "numpy": ("(h := np.split(x, 2, axis=-1))[0] / (1 + np.exp(-h[1]))", None),
        "torch": ("aten.glu.out(x, -1, out=o)",
                  "aten.glu_backward.grad_input(g, x, -1, grad_input=o)"),
    },
}

LIBRARIES = {"numpy": "numpy", "scipy": "scipy.special", "torch": "torch"}
PIP_INSTALL = {"numpy": "numpy", "scipy": "scipy",
               "torch": "torch --index-url https://download.pytorch.org/whl/cpu"}


# ---- cases ----------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One timing: a catalog row (with `options`, parameters that differ
    from its defaults), a direction, a dtype and a size."""

    name: str
    direction: str
    dtype: str
    n: int
    options: tuple = ()     # ((parameter, value), ...)

    @property
    def row(self):
        return catalog.BY_NAME[self.name]

    @property
    def key(self):
        """The row as shown in tables and keyed in RECIPES: "gelu",
        "gelu[approximate=tanh]"."""
        if not self.options:
            return self.name
        return f"{self.name}[{','.join(f'{k}={v}' for k, v in self.options)}]"

    @property
    def source(self):
        """What backward reads: "y" (the forward output) or "x"."""
        if self.direction == FORWARD:
            return None
        return "y" if self.row.from_y_allowed(self.params) else "x"

    @property
    def params(self):
        """The parameters timed: the defaults (or the first example where a
        parameter has none: threshold), updated with `options`."""
        return {**self.row.param_sets()[0], **dict(self.options)}

    @property
    def label(self):
        """direction as shown in tables: forward, backward(y), backward(x)."""
        return FORWARD if self.direction == FORWARD else f"backward({self.source})"

    @property
    def group(self):
        """pytest-benchmark group: competitors of one case are compared."""
        return f"{self.key}-{self.direction}-{self.dtype}-{short_n(self.n)}"

    @property
    def shape(self):
        if self.row.kind == catalog.AXIS:
            width = min(self.n, AXIS_LEN)
            return (self.n // width, width)
        return (self.n,)

    def to_json(self):
        return [self.name, self.direction, self.dtype, self.n, [list(o) for o in self.options]]

    @classmethod
    def from_json(cls, data):
        name, direction, dtype, n, options = data
        return cls(name, direction, dtype, n, tuple(tuple(o) for o in options))


def short_n(n):
    """1000000 -> "1e6"; sizes that are not powers of ten stay as they are."""
    k = round(math.log10(n)) if n > 0 else 0
    return f"1e{k}" if 10 ** k == n else str(n)


def parse_size(text):
    return int(float(text))


def cases(functions=None, directions=DIRECTIONS, dtypes=("float32", "float64"),
          sizes=(10 ** 3, 10 ** 5, 10 ** 6)):
    """Every case, catalog order (function and its VARIANTS, direction,
    dtype, size)."""
    names = [row.name for row in catalog.CATALOG]
    if functions:
        names = list(dict.fromkeys(catalog.lookup(f).name for f in functions))
    rows = [(name, opts) for name in names
            for opts in [()] + [tuple(v.items()) for v in VARIANTS.get(name, ())]]
    return [Case(name, d, np.dtype(t).name, int(n), opts)
            for name, opts in rows for d in directions for t in dtypes for n in sizes]


def make_inputs(case, seed=SEED):
    """x (input), g (gradient), y (forward output), out (empty result)."""
    import fastact
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal(case.shape)).astype(case.dtype)
    y = fastact.get(case.name)(x, **case.params)
    g = rng.standard_normal(y.shape).astype(case.dtype)     # glu: y is half of x
    out = np.empty_like(y if case.direction == FORWARD else x)
    return {name: _page_aligned(a) for name, a in (("x", x), ("g", g), ("y", y), ("out", out))}


def _page_aligned(a):
    """A copy of `a` starting on a 4096-byte boundary.  Each worker makes its
    own inputs, and where malloc puts them depends on the process's
    allocation history: buffers 16 bytes off a cache line, or an output a
    few lines after its input modulo 4096 (4K aliasing), slowed one
    competitor's process by up to 20-40 % and not the other's.  Every
    worker now times the same layout."""
    raw = np.empty(a.nbytes + 4096, np.uint8)
    start = -raw.ctypes.data % 4096
    aligned = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    aligned[...] = a
    return aligned


def _slice(inputs, count=4096):
    """The first rows/elements of the inputs, for checking competitors."""
    rows = max(1, count // inputs["x"].shape[1]) if inputs["x"].ndim == 2 else count
    return {k: v[:rows] for k, v in inputs.items()}


# ---- competitors ----------------------------------------------------

def family(label):
    """"torch-1t" -> "torch", "numpy-minmax" -> "numpy", "fastact-out" -> "fastact"."""
    return label.split("-")[0]


@dataclass(frozen=True)
class Competitor:
    label: str
    code: str              # what is timed, for display
    bind: object           # inputs dict -> zero-argument callable
    skip: str = None       # why it cannot run here
    checked: bool = True   # False: not the same function (the memory floor)


def _fastact_competitor(case, label, module):
    f = getattr(module, case.name)
    if case.direction == FORWARD:
        fn, positional, keywords = f, ["x"], {}
    elif case.source == "y":
        fn, positional, keywords = f.backward, ["g"], {"y": "y"}
    else:
        fn, positional, keywords = f.backward, ["g", "x"], {}
    if label == "fastact-out":
        keywords["out"] = "out"
    code = (f"{module.__name__}.{case.name}{'' if case.direction == FORWARD else '.backward'}("
            + ", ".join(positional + [f"{k}={v}" for k, v in keywords.items()]
                        + [f"{k}={v!r}" for k, v in case.params.items()]) + ")")

    def bind(a):
        return functools.partial(fn, *[a[k] for k in positional],
                                 **{k: a[v] for k, v in keywords.items()}, **case.params)
    return Competitor(label, code, bind)


def library_available(label):
    """Is the library a recipe label needs installed?  (Does not import it.)"""
    top = LIBRARIES[family(label)].split(".")[0]
    return importlib.util.find_spec(top) is not None


@functools.cache
def _namespace(family):
    if family == "numpy":
        return {"np": np}
    if family == "scipy":
        return {"np": np, "special": importlib.import_module("scipy.special")}
    torch = importlib.import_module("torch")
    return {"np": np, "torch": torch, "F": torch.nn.functional, "aten": torch.ops.aten}


def _recipe_competitor(case, label, expr):
    fam = family(label)
    if not library_available(label):
        return Competitor(label, expr, None, skip=f"{LIBRARIES[fam]} is not installed")
    fn = eval(f"lambda x, g, y, o: {expr}", _namespace(fam))  # noqa: S307 (table above)
    if fam == "torch":
        from_numpy = _namespace("torch")["torch"].from_numpy

        def bind(a):       # zero-copy views of the same buffers fastact reads
            return functools.partial(fn, *(from_numpy(a[k]) for k in ("x", "g", "y", "out")))
    else:
        def bind(a):
            return functools.partial(fn, a["x"], a["g"], a["y"], a["out"])
    return Competitor(label, expr, bind)


def recipe_labels(key, direction):
    """Labels of the recipes of `key` (a catalog name or a Case.key) for
    `direction`."""
    index = DIRECTIONS.index(direction)
    return [label for label, exprs in RECIPES.get(key, {}).items()
            if exprs[index] is not None]


def _floor_competitor():
    """The memory floor: read and write one buffer of the input's size in
    place (x = x * 1 through fastact's identity kernel, so with fastact's
    threads) -- what a memory-bound kernel cannot beat."""
    import fastact
    return Competitor("floor", "fastact.linear(x, out=x)  (x *= 1, same threads)",
                      lambda a: functools.partial(fastact.linear, a["x"], out=a["x"]),
                      checked=False)


def competitors(case, fastact_out=False, reference=False, floor=False):
    """The competitors of a case in one process (the pytest suite, the
    quick table): fastact first, then the others."""
    import fastact
    result = [_fastact_competitor(case, "fastact", fastact)]
    if fastact_out:
        result.append(_fastact_competitor(case, "fastact-out", fastact))
    if reference:
        result.append(_fastact_competitor(case, "reference", fastact.reference))
    index = DIRECTIONS.index(case.direction)
    for label in recipe_labels(case.key, case.direction):
        result.append(_recipe_competitor(case, label, RECIPES[case.key][label][index]))
    if floor:
        result.append(_floor_competitor())
    return result


def expected(case, inputs):
    """fastact.reference's result on `inputs`."""
    import fastact
    return _fastact_competitor(case, "reference", fastact.reference).bind(inputs)()


def check(case, competitor, inputs, want=None):
    """None if `competitor` agrees with fastact.reference on a slice of the
    inputs, else a message saying by how much it does not."""
    small = _slice(inputs)
    if want is None:
        want = expected(case, small)
    got = competitor.bind(small)()
    # prelu's backward also returns dL/dweight; recipes give dL/dx only
    got = np.asarray(got[0] if isinstance(got, tuple) else got, dtype=np.float64)
    want = np.asarray(want[0] if isinstance(want, tuple) else want, dtype=np.float64)
    rtol, atol = (2e-3, 1e-5) if case.dtype == "float32" else (1e-7, 1e-10)
    if got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if got.shape != want.shape:
        return f"{competitor.label} ({competitor.code}): shape {got.shape}, expected {want.shape}"
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    i = np.flatnonzero(bad)[0]
    return (f"{competitor.label} ({competitor.code}) disagrees with fastact.reference "
            f"in {bad.sum()} of {bad.size} elements, e.g. {got.flat[i]!r} vs {want.flat[i]!r} "
            f"at x={np.asarray(small['x'], dtype=np.float64).flat[i]!r}")


# ---- timing ---------------------------------------------------------

def _calls_per_sample(fn, min_sample):
    """Calls that make one sample last about `min_sample` seconds."""
    fn()                                        # warm up (and fault pages in)
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_sample / 4:
            return max(1, math.ceil(min_sample / (elapsed / calls)))


def time_interleaved(thunks, rounds=7, min_sample=MIN_SAMPLE):
    """Median seconds per call of each zero-argument callable in `thunks`
    (a dict label -> callable), garbage collection off.  Each round takes
    one sample of every callable, in an order rotated from round to round;
    a sample repeats a call enough times to last about `min_sample`
    seconds."""
    labels = list(thunks)
    numbers = {label: _calls_per_sample(thunks[label], min_sample) for label in labels}
    samples = {label: [] for label in labels}
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            k = r % len(labels)
            for label in labels[k:] + labels[:k]:
                fn, number = thunks[label], numbers[label]
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                samples[label].append((time.perf_counter() - t0) / number)
    finally:
        if gc_enabled:
            gc.enable()
    return {label: statistics.median(s) for label, s in samples.items()}


def _check_and_bind(case, comps, inputs):
    """(thunks, codes, problems): each competitor checked against
    fastact.reference; one that fails is reported, not timed (fastact is
    timed regardless)."""
    want = expected(case, _slice(inputs))
    thunks, codes, problems = {}, {}, []
    for comp in comps:
        try:
            problem = check(case, comp, inputs, want) if comp.checked else None
        except Exception as error:    # a recipe that cannot run on this version
            problem = f"{comp.label} ({comp.code}) raised {type(error).__name__}: {error}"
        if problem:
            problems.append(problem)
            if family(comp.label) != "fastact":
                continue
        thunks[comp.label] = comp.bind(inputs)
        codes[comp.label] = comp.code
    return thunks, codes, problems


@dataclass
class Result:
    case: Case
    times: dict            # label -> median seconds ("fastact" first)
    codes: dict            # label -> code timed
    problems: list         # competitors skipped or failing the check
    turns: dict = field(default_factory=dict)   # label -> median of each turn, in order

    def best(self, fam):
        """The fastest time of a family's labels (torch-1t, torch-2t:
        PyTorch at its faster thread count), or None."""
        times = [t for label, t in self.times.items() if family(label) == fam]
        return min(times) if times else None

    def ratio(self, fam):
        """best(fam) / fastact's time: > 1, fastact is faster."""
        best = self.best(fam)
        return None if best is None else best / self.times["fastact"]

    def paired_wins(self, fam):
        """(alternations in which fastact's turn was faster than the
        family's fastest turn of the same alternation, alternations), or
        None without turns.  An alternation's turns run back to back, so
        each pair saw about the same machine: where the best medians differ
        by less than the noise, this says which way the row leans."""
        mine = self.turns.get("fastact", [])
        theirs = [t for label, t in self.turns.items() if family(label) == fam]
        if not mine or not theirs:
            return None
        pairs = [(m, min(ts)) for m, *ts in zip(mine, *theirs)]
        return sum(m < t for m, t in pairs), len(pairs)


def run_case(case, rounds=7, min_sample=MIN_SAMPLE, only=None):
    """Check, then time in this process the competitors of `case` (those
    labelled in `only` if given).  For the quick NumPy table of ``python -m
    fastact``; ``bench`` uses worker processes."""
    comps = [c for c in competitors(case) if not c.skip and (only is None or c.label in only)]
    thunks, codes, problems = _check_and_bind(case, comps, make_inputs(case))
    return Result(case, time_interleaved(thunks, rounds, min_sample), codes, problems)


# ---- worker processes -------------------------------------------------

FAMILIES = ("fastact", "torch", "numpy", "scipy", "reference")


def _worker_competitors(fam, case, floor):
    """What a worker of family `fam` times for `case`, labelled by family:
    fastact into a preallocated out= (and the memory floor), the recipes of
    that library, or the reference twin."""
    import fastact
    if fam == "fastact":
        comps = [_fastact_competitor(case, "fastact-out", fastact)]
        return comps + ([_floor_competitor()] if floor else [])
    if fam == "reference":
        return [_fastact_competitor(case, "reference", fastact.reference)]
    index = DIRECTIONS.index(case.direction)
    return [_recipe_competitor(case, label, RECIPES[case.key][label][index])
            for label in recipe_labels(case.key, case.direction) if family(label) == fam]


def _worker_state(fam, threads):
    """Set the worker's threads; what it reports about itself."""
    import fastact
    if fam == "fastact":
        if threads:
            fastact.set_num_threads(threads)
        used = fastact.get_num_threads()
    else:
        fastact.set_num_threads(1)       # fastact only makes inputs here
        used = 1
        if fam == "torch":
            torch = _namespace("torch")["torch"]
            torch.set_num_threads(threads or 1)
            used = torch.get_num_threads()
    return {"family": fam, "threads": used, "pid": os.getpid(), "fastact": fastact.__file__,
            "torch_imported": _imported("torch"),
            "versions": {name: getattr(sys.modules[name], "__version__", None)
                         for name in ("fastact", "numpy", "scipy", "torch") if _imported(name)}}


def _imported(name):
    return sys.modules.get(name) is not None


def worker(fam, threads):
    """A worker process's loop: one JSON request per line on stdin ({"case",
    "rounds", "min_sample", "floor"}), one JSON reply per line on stdout
    ({"times", "codes", "problems"} and the worker's state)."""
    reply_to = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr              # nothing else may reach the pipe
    state = _worker_state(fam, threads)
    reply_to.write(json.dumps(state) + "\n")
    reply_to.flush()
    rename = {"fastact-out": "fastact"}     # fastact is timed with out=
    last = None
    for line in iter(sys.stdin.readline, ""):
        request = json.loads(line)
        case = Case.from_json(request["case"])
        if last is None or last[0] != (case, request["floor"]):
            comps = _worker_competitors(fam, case, request["floor"])
            inputs = make_inputs(case)     # the same seed in every worker
            last = ((case, request["floor"]), _check_and_bind(case, comps, inputs))
        thunks, codes, problems = last[1]
        times = time_interleaved(thunks, request["rounds"], request["min_sample"]) \
            if thunks else {}
        time.sleep(QUIET)
        reply_to.write(json.dumps(dict(
            state, torch_imported=_imported("torch"),
            times={rename.get(k, k): v for k, v in times.items()},
            codes={rename.get(k, k): v for k, v in codes.items()},
            problems=problems)) + "\n")
        reply_to.flush()


@dataclass(frozen=True)
class WorkerSpec:
    label: str             # fastact, torch-1t, torch-2t, numpy, scipy, reference
    family: str
    threads: int = None    # None: the library's default


def plan(families, per_core=False, threads=None):
    """The worker processes for the competitor `families` (fastact is
    always first): PyTorch at 1 and at 2 threads; --per-core, fastact and
    PyTorch with 1 thread each."""
    specs = [WorkerSpec("fastact", "fastact", 1 if per_core else threads)]
    for fam in families:
        if fam == "torch":
            specs += [WorkerSpec(f"torch-{k}t", "torch", k)
                      for k in ((1,) if per_core else TORCH_THREADS)]
        elif fam != "fastact":
            specs.append(WorkerSpec(fam, fam))
    return specs


class Worker:
    """A worker process (python -m fastact._cli.bench worker FAMILY THREADS) of
    the fastact this module belongs to."""

    def __init__(self, spec):
        self.spec = spec
        # run from the directory holding this fastact (this file is
        # fastact/_cli/bench.py): `-m` puts it first on sys.path
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fastact._cli.bench", "worker", spec.family,
             str(spec.threads or 0)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, cwd=root)
        self.state = None

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker {self.spec.label} exited "
                               f"(status {self.proc.wait()}); see its messages above")
        return json.loads(line)

    def start(self):
        self.state = self._read()
        return self.state

    def ask(self, case, rounds=7, min_sample=MIN_SAMPLE, floor=False):
        self.proc.stdin.write(json.dumps({"case": case.to_json(), "rounds": rounds,
                                          "min_sample": min_sample, "floor": floor}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def measure(case_list, specs, alternations=2, rounds=7, min_sample=MIN_SAMPLE, floor=False,
            progress=None, states=None):
    """Time each case in every worker of `specs`, taking turns
    `alternations` times, each label's best median kept.  Times of a torch
    worker are labelled by the worker (torch-1t, torch-2t).  `states`, if a
    dict, receives each worker's reply to its start."""
    workers = [Worker(spec) for spec in specs]
    try:
        for w in workers:
            state = w.start()
            if states is not None:
                states[w.spec.label] = state
        results = []
        for case in case_list:
            times, codes, problems, turns = {}, {}, [], {}
            for _ in range(alternations):
                for w in workers:
                    reply = w.ask(case, rounds, min_sample, floor)
                    if states is not None and reply["torch_imported"]:
                        states[w.spec.label]["torch_imported"] = True
                    for label, t in reply["times"].items():
                        mine = w.spec.label if family(label) == "torch" else label
                        times[mine] = min(t, times.get(mine, math.inf))
                        turns.setdefault(mine, []).append(t)
                        codes[mine] = reply["codes"][label]
                    problems += [p for p in reply["problems"] if p not in problems]
            order = ["fastact"] + [label for label in times if label != "fastact"]
            results.append(Result(case, {k: times[k] for k in order if k in times},
                                  codes, problems, turns))
            if progress:
                progress(results[-1])
        return results
    finally:
        for w in workers:
            w.close()


# ---- tables ---------------------------------------------------------

def geometric_mean(values):
    values = [v for v in values if v is not None and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def _columns(results):
    """(time columns, ratio families): the labels of torch's workers one by
    one (torch-1t, torch-2t), the other families by their fastest recipe."""
    order = {"torch": 0, "numpy": 1, "scipy": 2, "reference": 3, "floor": 4}
    times, ratios = [], []
    for r in results:
        for label in r.times:
            fam = family(label)
            if fam == "fastact":
                continue
            column = label if fam == "torch" else fam
            if column not in times:
                times.append(column)
            if fam not in ratios:
                ratios.append(fam)
    times.sort(key=lambda c: (order.get(family(c), 9), c))
    ratios.sort(key=lambda f: order.get(f, 9))
    return times, ratios


def _time(result, column):
    return result.times.get(column) if "-" in column else result.best(column)


def format_table(results, per_core=False):
    """A text table per case: medians (µs, or ns per element with
    `per_core`) of fastact and each competitor, then competitor time /
    fastact time per competitor family (its fastest: PyTorch at its faster
    thread count); a ratio below 1.0 (fastact slower) is starred."""
    time_columns, families = _columns(results)
    unit = "ns/el" if per_core else "µs"
    head = (["function", "direction", "dtype", "n", f"fastact {unit}"]
            + [f"{c} {unit}" for c in time_columns] + [f"x{f}" for f in families])
    scale = (lambda r: 1e9 / r.case.n) if per_core else (lambda r: 1e6)
    digits = 3 if per_core else 1
    rows = []
    for r in results:
        c = r.case
        cells = [c.key, c.label, c.dtype, short_n(c.n),
                 f"{r.times['fastact'] * scale(r):.{digits}f}"]
        for column in time_columns:
            t = _time(r, column)
            cells.append("-" if t is None else f"{t * scale(r):.{digits}f}")
        for fam in families:
            ratio = r.ratio(fam)
            star = "*" if ratio is not None and ratio < 1 and fam != "floor" else " "
            cells.append("-  " if ratio is None else f"{ratio:.2f}{star}")
        rows.append(cells)
    widths = [max(len(str(row[i])) for row in [head] + rows) for i in range(len(head))]

    def line(cells):
        return "  ".join(str(cell).ljust(w) if i < 4 else str(cell).rjust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(row) for row in rows])


def format_summary(results):
    """Per competitor family (not the floor): rows below 1.0 and the
    geometric mean of the ratios, overall and per dtype and size."""
    out = []
    for fam in _columns(results)[1]:
        if fam == "floor":
            continue
        ratios = [(r.case, r.ratio(fam)) for r in results if r.ratio(fam) is not None]
        below = sum(ratio < 1 for _, ratio in ratios)
        out.append(f"{fam}: fastact slower in {below} of {len(ratios)} rows; "
                   f"geometric mean {geometric_mean([x for _, x in ratios]):.2f}x")
        groups = {}
        for case, ratio in ratios:
            groups.setdefault((case.dtype, case.n), []).append(ratio)
        for (dtype, n), values in sorted(groups.items()):
            out.append(f"  {dtype} {short_n(n):>4}: geometric mean "
                       f"{geometric_mean(values):.2f}x, {sum(v < 1 for v in values)} of "
                       f"{len(values)} rows below 1.0")
        for r in results:
            wins = r.paired_wins(fam)
            if r.ratio(fam) is not None and r.ratio(fam) < 1 and wins is not None:
                c = r.case
                out.append(f"  below 1.0: {c.key} {c.label} {c.dtype} {short_n(c.n)} "
                           f"{r.ratio(fam):.2f}; fastact faster in {wins[0]} of {wins[1]} "
                           "alternations")
    return "\n".join(out)


def _allocates(label, code):
    return family(label) == "torch" and "out=o" not in code and "grad_input=o" not in code


def describe_competitors(results):
    """What each competitor times, one line per function, direction and label."""
    seen = {}
    for r in results:
        for label, code in r.codes.items():
            if family(label) not in ("fastact", "reference"):
                note = "   [no out= overload: allocates]" if _allocates(label, code) else ""
                seen.setdefault((r.case.key, r.case.label, family(label) if
                                 family(label) == "torch" else label), code + note)
    width = max([len(f"{n} {d}") for n, d, _ in seen] + [0])
    return "\n".join(f"  {f'{n} {d}':<{width}}  {label + ':':<16} {code}"
                     for (n, d, label), code in seen.items())


def print_problems(results):
    problems = [p for r in results for p in r.problems]
    if problems:
        print("not timed (raised, or disagreed with fastact.reference):")
        for p in dict.fromkeys(problems):
            print(f"  {p}")


def to_json(results, **meta):
    return {
        "meta": meta,
        "results": [{"function": r.case.name, "params": dict(r.case.options),
                     "direction": r.case.direction, "source": r.case.source,
                     "dtype": r.case.dtype, "n": r.case.n, "seconds": r.times,
                     "turns": r.turns,
                     "ratios": {f: r.ratio(f) for f in _columns([r])[1]},
                     "code": r.codes, "problems": r.problems} for r in results],
    }


# ---- command line (python -m fastact bench, bench/report.py) ---------

def add_arguments(parser):
    names = [row.name for row in catalog.CATALOG]
    parser.add_argument("--functions", nargs="+", metavar="NAME",
                        help=f"catalog names or aliases (default: all: {' '.join(names)})")
    parser.add_argument("--directions", nargs="+", choices=DIRECTIONS, default=list(DIRECTIONS))
    parser.add_argument("--dtypes", nargs="+", choices=("float32", "float64"),
                        default=["float32", "float64"])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[10 ** 3, 10 ** 5, 10 ** 6],
                        metavar="N", help="array sizes, e.g. 1e3 1e6 (default: 1e3 1e5 1e6)")
    parser.add_argument("--competitors", nargs="+", metavar="NAME",
                        help="torch, numpy, scipy, reference, space- or comma-separated "
                             "(default: torch when installed, else numpy and scipy)")
    parser.add_argument("--per-core", action="store_true",
                        help="fastact and PyTorch with 1 thread each; times in ns per element")
    parser.add_argument("--threads", type=int,
                        help="fastact threads (default: fastact's; --per-core: 1)")
    parser.add_argument("--alternations", type=int, default=3,
                        help="turns each competitor's process takes per case; the best "
                             "median is kept (default: 3)")
    parser.add_argument("--rounds", type=int, default=7,
                        help="timing samples per turn, ~1.5 ms each; their median is "
                             "the turn's time (default: 7)")
    parser.add_argument("--floor", action="store_true",
                        help="also time the memory floor: x *= 1 in place, fastact's threads")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def choose_families(requested):
    """(families to run, messages about the ones that cannot run)."""
    if requested:
        wanted = list(dict.fromkeys(w for text in requested for w in text.split(",") if w))
    elif library_available("torch"):
        wanted = ["torch"]
    else:
        wanted = ["numpy"] + (["scipy"] if library_available("scipy") else [])
        return wanted, ["PyTorch is not installed: comparing with NumPy/SciPy recipes"]
    if not wanted:
        raise KeyError("--competitors names no competitor")
    families, messages = [], []
    for fam in wanted:
        if fam not in FAMILIES or fam == "fastact":
            raise KeyError(f"unknown competitor {fam!r}: choose from torch, numpy, scipy, "
                           "reference")
        if fam in LIBRARIES and not library_available(fam):
            messages.append(f"{LIBRARIES[fam]} is not installed: no {fam} competitor")
        else:
            families.append(fam)
    return families, messages


def with_recipes(case_list, families):
    """The cases some competitor of `families` has a recipe for (rows
    PyTorch lacks are left out of a PyTorch comparison); the reference twin
    has every case."""
    if "reference" in families:
        return list(case_list)
    return [c for c in case_list
            if any(family(label) in families for label in recipe_labels(c.key, c.direction))]


def report(args):
    """Run the cases selected by parsed `args`, print the tables; exit code."""
    import fastact
    try:
        case_list = cases(args.functions, args.directions, args.dtypes, args.sizes)
        families, messages = choose_families(args.competitors)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    if not families:          # every competitor asked for is missing
        for fam in dict.fromkeys(w for text in args.competitors for w in text.split(",")):
            if fam in LIBRARIES:
                optional.missing("bench", LIBRARIES[fam].split(".")[0], PIP_INSTALL[fam])
        return optional.MISSING_PACKAGE
    case_list = with_recipes(case_list, families)
    if not case_list:
        print(f"no recipe of {', '.join(families)} for these functions", file=sys.stderr)
        return 2

    def progress(result):
        if not args.quiet:
            c = result.case
            print(f"  {c.key} {c.label} {c.dtype} {short_n(c.n)}", file=sys.stderr)

    specs = plan(families, args.per_core, args.threads)
    states = {}
    start = time.perf_counter()
    results = measure(case_list, specs, args.alternations, args.rounds, floor=args.floor,
                      progress=progress, states=states)
    elapsed = time.perf_counter() - start
    versions = {}
    for state in states.values():
        versions.update(state["versions"])
    print(f"fastact {fastact.__version__} ({fastact.config()['backend']} backend), "
          + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "fastact"))
    print("Each competitor in its own process: "
          + ", ".join(f"{s.label} ({states[s.label]['threads']} thread"
                      f"{'s' if states[s.label]['threads'] != 1 else ''})"
                      for s in specs)
          + f"; turns per case: {args.alternations}, the best median kept; samples "
          f"per turn: {args.rounds}.")
    print("Same N(0, 3^2) inputs for all; fastact and PyTorch write into preallocated "
          "outputs (NumPy/SciPy recipes allocate).  x<name> = competitor time / fastact "
          "time, the competitor at its fastest"
          + (" (PyTorch: the faster thread count)" if not args.per_core else "")
          + "; * below 1.0: fastact slower." + (" Times in ns per element, 1 thread each."
                                                if args.per_core else ""))
    for message in messages:
        print(message)
    print(format_table(results, per_core=args.per_core))
    print("competitors:")
    print(describe_competitors(results))
    print_problems(results)
    print(format_summary(results))
    print(f"({len(results)} cases in {elapsed:.1f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json(results, fastact=fastact.__version__, versions=versions,
                              workers={s.label: states[s.label] for s in specs},
                              per_core=args.per_core, alternations=args.alternations,
                              rounds=args.rounds, config=fastact.config()),
                      f, indent=1, default=str)
        print(f"wrote {args.json}")
    return 0


def quick(rounds=5, n=10 ** 6, dtype="float32"):
    """The table of ``python -m fastact``: every function with a NumPy
    recipe (else a scipy one, when scipy is installed: gelu needs erf), both
    directions, fastact vs that recipe, one size and dtype, in this process
    (no PyTorch, so nothing to keep apart)."""
    results = []
    for case in cases(sizes=(n,), dtypes=(dtype,)):
        labels = recipe_labels(case.key, case.direction)
        for label in ("numpy", "scipy"):
            if label in labels and library_available(label):
                results.append(run_case(case, rounds, only=("fastact", label)))
                break
    return results


def main(argv=None):
    """bench/report.py's entry point."""
    parser = add_arguments(argparse.ArgumentParser(
        prog="bench/report.py",
        description="Time fastact against PyTorch (or NumPy/SciPy recipes), each "
                    "competitor in its own process."))
    return report(parser.parse_args(argv))


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:          # python -m fastact._cli.bench worker FAMILY THREADS
        worker(sys.argv[2], int(sys.argv[3]) or None)
    else:
        sys.exit(main())
