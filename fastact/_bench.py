"""Benchmark support: competitor recipes, cases and an interleaved timer.

Used by ``python -m fastact`` (quick table, ``bench`` subcommand),
``bench/report.py`` and the pytest-benchmark suite in ``bench/``.

What is measured is generated from the catalog: every row x direction
(forward; backward from ``y=`` where the row allows it with its default
parameters, else from ``x``) x dtype x size.  The competitors are

* ``fastact``      ``f(x)`` / ``f.backward(g, y=y)``, a new array per call;
* ``fastact-out``  the same into a preallocated ``out=`` (pytest suite only);
* ``reference``    ``fastact.reference``, the pure-NumPy twin;
* the entries of ``RECIPES``: what people write today without fastact --
  plain NumPy expressions, ``scipy.special`` and PyTorch where an obvious
  equivalent exists.

``RECIPES`` is competitor data keyed by catalog name, not a list of our
functions: a row without a recipe simply has no such competitor, and a
recipe for a name that is not (yet) in the catalog is never used.  Each
recipe is an expression in ``x`` (forward input), ``y`` (forward output) and
``g`` (gradient w.r.t. ``y``); the label's prefix says what it needs:
``numpy...`` (``np``), ``scipy...`` (``np``, ``special`` = scipy.special),
``torch...`` (``torch``, ``F`` = torch.nn.functional, ``aten`` =
torch.ops.aten; inputs are zero-copy ``torch.from_numpy`` tensors of the same
dtype).  scipy and torch are imported only when such a competitor is built.

Axis functions (softmax, ...) are timed on ``(n // AXIS_LEN, AXIS_LEN)``
arrays along the last axis.  Every competitor is checked against
``fastact.reference`` on a slice of the inputs before it is timed, so a
wrong recipe cannot produce a flattering ratio.

Timing is interleaved in one process: each round calls every competitor
once (the order rotates between rounds), and the per-competitor median over
the rounds is reported.  The machine may be shared and noisy; interleaving
makes the ratios comparable even when absolute times drift.
"""

import argparse
import dataclasses
import functools
import gc
import importlib
import importlib.util
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

from . import catalog

FORWARD = "forward"
BACKWARD = "backward"
DIRECTIONS = (FORWARD, BACKWARD)
AXIS_LEN = 1000          # row length of the axis functions' inputs
SEED = 20240607

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
        "torch": ("torch.sigmoid(x)", "aten.sigmoid_backward(g, y)"),
    },
    "log_sigmoid": {
        "numpy": ("-np.logaddexp(0, -x)", "g * (1 - np.exp(y))"),
        "scipy": ("special.log_expit(x)", None),
        "torch": ("F.logsigmoid(x)", None),
    },
    "hard_sigmoid": {
        "numpy": ("np.clip(x / 6 + 0.5, 0, 1)", "g * ((x > -3) & (x < 3)) / 6"),
        "torch": ("F.hardsigmoid(x)", "aten.hardsigmoid_backward(g, x)"),
    },
    "tanh": {
        "numpy": ("np.tanh(x)", "g * (1 - y * y)"),
        "torch": ("torch.tanh(x)", "aten.tanh_backward(g, y)"),
    },
    "hard_tanh": {
        "numpy": ("np.clip(x, -1, 1)", "g * ((y > -1) & (y < 1))"),
        "torch": ("F.hardtanh(x)", "aten.hardtanh_backward(g, x, -1, 1)"),
    },
    "tanh_shrink": {
        "numpy": ("x - np.tanh(x)", "g * np.tanh(x) ** 2"),
        "torch": ("F.tanhshrink(x)", None),
    },
    "arctan": {
        "numpy": ("np.arctan(x)", "g / (1 + x * x)"),
        "torch": ("torch.atan(x)", None),
    },
    "softsign": {
        "numpy": ("x / (1 + np.abs(x))", "g * (1 - np.abs(y)) ** 2"),
        "torch": ("F.softsign(x)", None),
    },
    "relu": {
        "numpy": ("np.maximum(x, 0)", "g * (y > 0)"),
        "torch": ("torch.relu(x)", "aten.threshold_backward(g, y, 0)"),
    },
    "relu6": {
        "numpy": ("np.clip(x, 0, 6)", "g * ((y > 0) & (y < 6))"),
        "numpy-minmax": ("np.minimum(np.maximum(x, 0), 6)", None),
        "torch": ("F.relu6(x)", "aten.hardtanh_backward(g, x, 0, 6)"),
    },
    "leaky_relu": {
        "numpy": ("np.where(x > 0, x, 0.01 * x)", "np.where(y > 0, g, 0.01 * g)"),
        "torch": ("F.leaky_relu(x, 0.01)",
                  "aten.leaky_relu_backward(g, y, 0.01, True)"),
    },
    "prelu": {
        "numpy": ("np.where(x > 0, x, 0.25 * x)", "np.where(x > 0, g, 0.25 * g)"),
    },
    "threshold": {     # timed with threshold=0.5, value=-2.0 (catalog example)
        "numpy": ("np.where(x > 0.5, x, -2.0)", "g * (x > 0.5)"),
        "torch": ("F.threshold(x, 0.5, -2.0)", None),
    },
    "elu": {
        "numpy": ("np.where(x > 0, x, np.exp(x) - 1)", "np.where(y > 0, g, g * (y + 1))"),
        "torch": ("F.elu(x)", "aten.elu_backward(g, 1.0, 1.0, 1.0, True, y)"),
    },
    "selu": {
        "numpy": (f"{_SELU} * np.where(x > 0, x, {_SELU_A} * (np.exp(x) - 1))",
                  f"g * np.where(y > 0, {_SELU}, y + {_SELU_SA})"),
        "torch": ("F.selu(x)",
                  f"aten.elu_backward(g, {_SELU_A}, {_SELU}, 1.0, True, y)"),
    },
    "celu": {
        "numpy": ("np.where(x > 0, x, np.expm1(x))", None),
        "torch": ("F.celu(x)", None),
    },
    "gelu": {
        "scipy": ("0.5 * x * (1 + special.erf(x * 0.7071067811865476))", None),
        "torch": ("F.gelu(x)", "aten.gelu_backward(g, x)"),
    },
    "silu": {
        "numpy": ("x / (1 + np.exp(-x))",
                  "g * (s := 1 / (1 + np.exp(-x))) * (1 + x * (1 - s))"),
        "torch": ("F.silu(x)", "aten.silu_backward(g, x)"),
    },
    "hard_swish": {
        "numpy": ("x * np.clip(x + 3, 0, 6) / 6", None),
        "torch": ("F.hardswish(x)", "aten.hardswish_backward(g, x)"),
    },
    "mish": {
        "numpy": ("x * np.tanh(np.log1p(np.exp(x)))", None),
        "torch": ("F.mish(x)", "aten.mish_backward(g, x)"),
    },
    "softplus": {
        "numpy": ("np.log(1 + np.exp(x))", "g / (1 + np.exp(-x))"),
        "numpy-logaddexp": ("np.logaddexp(0, x)", None),
        "scipy": ("special.softplus(x)", None),
        "torch": ("F.softplus(x)", "aten.softplus_backward(g, x, 1.0, 20.0)"),
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
        "torch": ("F.softshrink(x, 0.5)", None),
    },
    "hard_shrink": {
        "numpy": ("np.where(np.abs(x) > 0.5, x, 0)", None),
        "torch": ("F.hardshrink(x, 0.5)", None),
    },
    "exponential": {
        "numpy": ("np.exp(x)", "g * y"),
        "torch": ("torch.exp(x)", None),
    },
    "linear": {
        "numpy": ("x.copy()", "g.copy()"),
    },
    "softmax": {
        "numpy": (_SOFTMAX, "y * (g - (g * y).sum(-1, keepdims=True))"),
        "scipy": ("special.softmax(x, axis=-1)", None),
        "torch": ("torch.softmax(x, -1)",
                  "aten._softmax_backward_data(g, y, -1, y.dtype)"),
    },
    "log_softmax": {
        "numpy": (_LOG_SOFTMAX, "g - np.exp(y) * g.sum(-1, keepdims=True)"),
        "scipy": ("special.log_softmax(x, axis=-1)", None),
        "torch": ("torch.log_softmax(x, -1)",
                  "aten._log_softmax_backward_data(g, y, -1, y.dtype)"),
    },
    "softmin": {
        "numpy": ("(e := np.exp(x.min(-1, keepdims=True) - x)) / e.sum(-1, keepdims=True)",
                  None),
        "torch": ("F.softmin(x, -1)", None),
    },
    "glu": {
        "numpy": ("(h := np.split(x, 2, axis=-1))[0] / (1 + np.exp(-h[1]))", None),
        "torch": ("F.glu(x, -1)", None),
    },
}

LIBRARIES = {"numpy": "numpy", "scipy": "scipy.special", "torch": "torch"}


# ---- cases ----------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One timing: a catalog row, a direction, a dtype and a size."""

    name: str
    direction: str
    dtype: str
    n: int

    @property
    def row(self):
        return catalog.BY_NAME[self.name]

    @property
    def source(self):
        """What backward reads: "y" (the forward output) or "x"."""
        if self.direction == FORWARD:
            return None
        return "y" if self.row.from_y_allowed(self.params) else "x"

    @property
    def params(self):
        """The parameters timed: the defaults, or the first example where
        a parameter has none (threshold)."""
        return self.row.param_sets()[0]

    @property
    def label(self):
        """direction as shown in tables: forward, backward(y), backward(x)."""
        return FORWARD if self.direction == FORWARD else f"backward({self.source})"

    @property
    def group(self):
        """pytest-benchmark group: competitors of one case are compared."""
        return f"{self.name}-{self.direction}-{self.dtype}-{short_n(self.n)}"

    @property
    def shape(self):
        if self.row.kind == catalog.AXIS:
            width = min(self.n, AXIS_LEN)
            return (self.n // width, width)
        return (self.n,)


def short_n(n):
    """1000000 -> "1e6"; sizes that are not powers of ten stay as they are."""
    k = round(math.log10(n)) if n > 0 else 0
    return f"1e{k}" if 10 ** k == n else str(n)


def parse_size(text):
    return int(float(text))


def cases(functions=None, directions=DIRECTIONS, dtypes=("float32", "float64"),
          sizes=(10 ** 3, 10 ** 5, 10 ** 6)):
    """Every case, catalog order (function, direction, dtype, size)."""
    names = [row.name for row in catalog.CATALOG]
    if functions:
        names = list(dict.fromkeys(catalog.lookup(f).name for f in functions))
    return [Case(name, d, np.dtype(t).name, int(n))
            for name in names for d in directions for t in dtypes for n in sizes]


def make_inputs(case, seed=SEED):
    """x (input), g (gradient), y (forward output), out (empty result)."""
    import fastact
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal(case.shape)).astype(case.dtype)
    y = fastact.get(case.name)(x, **case.params)
    g = rng.standard_normal(y.shape).astype(case.dtype)     # glu: y is half of x
    out = np.empty_like(y if case.direction == FORWARD else x)
    return {"x": x, "g": g, "y": y, "out": out}


def _slice(inputs, count=4096):
    """The first rows/elements of the inputs, for checking competitors."""
    rows = max(1, count // inputs["x"].shape[1]) if inputs["x"].ndim == 2 else count
    return {k: v[:rows] for k, v in inputs.items()}


# ---- competitors ----------------------------------------------------

@dataclass(frozen=True)
class Competitor:
    label: str
    code: str              # what is timed, for display
    bind: object           # inputs dict -> zero-argument callable
    skip: str = None       # why it cannot run here
    checked: bool = True   # False: not the same function (the memory floor)
    threads: int = None    # torch: run with this many torch threads


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
    family = label.split("-")[0]
    top = LIBRARIES[family].split(".")[0]
    return importlib.util.find_spec(top) is not None


@functools.lru_cache(maxsize=None)
def _namespace(family):
    if family == "numpy":
        return {"np": np}
    if family == "scipy":
        return {"np": np, "special": importlib.import_module("scipy.special")}
    torch = importlib.import_module("torch")
    return {"np": np, "torch": torch, "F": torch.nn.functional, "aten": torch.ops.aten}


def _recipe_competitor(case, label, expr):
    family = label.split("-")[0]
    if not library_available(label):
        return Competitor(label, expr, None, skip=f"{LIBRARIES[family]} is not installed")
    args = "x" if case.direction == FORWARD else "g, x, y"
    fn = eval(f"lambda {args}: {expr}", _namespace(family))  # noqa: S307 (table above)
    if family == "torch":
        torch = _namespace("torch")["torch"]

        def bind(a):
            # zero-copy views of the same buffers fastact reads
            t = {k: torch.from_numpy(v) for k, v in a.items() if k != "out"}
            return functools.partial(fn, t["x"]) if case.direction == FORWARD \
                else functools.partial(fn, t["g"], t["x"], t["y"])
    else:
        def bind(a):
            return functools.partial(fn, a["x"]) if case.direction == FORWARD \
                else functools.partial(fn, a["g"], a["x"], a["y"])
    return Competitor(label, expr, bind)


def recipe_labels(name, direction):
    """Labels of the recipes of catalog row `name` for `direction`."""
    index = DIRECTIONS.index(direction)
    return [label for label, exprs in RECIPES.get(name, {}).items()
            if exprs[index] is not None]


def _floor_competitor():
    """The memory floor: read and write one buffer of the input's size in
    place (x = x * 1 through fastact's identity kernel, so with fastact's
    threads) -- what a memory-bound kernel cannot beat."""
    import fastact
    return Competitor("floor", "fastact.linear(x, out=x)  (x *= 1, same threads)",
                      lambda a: functools.partial(fastact.linear, a["x"], out=a["x"]),
                      checked=False)


def competitors(case, fastact_out=False, reference=False, floor=False, torch_1t=False):
    """The competitors of a case: fastact first, then the others.  With
    `torch_1t`, each torch recipe is also timed with 1 torch thread
    ("torch-1t"; "torch" uses fastact's thread count)."""
    import fastact
    result = [_fastact_competitor(case, "fastact", fastact)]
    if fastact_out:
        result.append(_fastact_competitor(case, "fastact-out", fastact))
    if reference:
        result.append(_fastact_competitor(case, "reference", fastact.reference))
    index = DIRECTIONS.index(case.direction)
    for label in recipe_labels(case.name, case.direction):
        comp = _recipe_competitor(case, label, RECIPES[case.name][label][index])
        result.append(comp)
        if torch_1t and label.startswith("torch"):
            result.append(dataclasses.replace(comp, label=label + "-1t", threads=1))
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

def time_interleaved(thunks, rounds=7, min_sample=1e-3, setups=None, settle=None):
    """Median seconds per call of each zero-argument callable in `thunks`
    (a dict label -> callable).  Each round times every callable once, in
    an order rotated from round to round; a sample repeats a call enough
    times to last about `min_sample` seconds.  `setups` (label -> callable)
    run, untimed, before each sample of that label (torch's thread count);
    after a sample of a label in `settle` (label -> seconds) the timer
    sleeps that long, untimed."""
    labels = list(thunks)
    setups = setups or {}
    settle = settle or {}
    numbers = {}
    for label in labels:
        fn = thunks[label]
        setups.get(label, _nothing)()
        fn()                                    # warm up (and fault pages in)
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        numbers[label] = max(1, int(min_sample / max(elapsed, 1e-9)))
    samples = {label: [] for label in labels}
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            k = r % len(labels)
            for label in labels[k:] + labels[:k]:
                fn, number = thunks[label], numbers[label]
                setups.get(label, _nothing)()
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                samples[label].append((time.perf_counter() - t0) / number)
                if label in settle:
                    time.sleep(settle[label])
    finally:
        if gc_enabled:
            gc.enable()
    return {label: statistics.median(s) for label, s in samples.items()}


@dataclass
class Result:
    case: Case
    times: dict            # label -> median seconds (fastact first)
    codes: dict            # label -> code timed
    problems: list         # competitors skipped or failing the check

    def ratio(self, label):
        return self.times[label] / self.times["fastact"]


def _nothing():
    pass


def _torch_threads(n):
    torch = importlib.import_module("torch")
    return functools.partial(torch.set_num_threads, n)


TORCH_SETTLE = 0.02     # seconds after each PyTorch sample (its OpenMP workers spin)


def run_case(case, rounds=7, min_sample=1e-3, reference=False, fastact_out=False,
             only=None, floor=False, torch_1t=False, threads=None):
    """Check, then time the competitors of `case` (those labelled in `only`
    if given); a competitor failing the check is reported, not timed.
    torch recipes run with `threads` torch threads (fastact's count by
    default), "-1t" ones with 1."""
    import fastact
    threads = threads or fastact.get_num_threads()
    inputs = make_inputs(case)
    small_want = expected(case, _slice(inputs))
    thunks, codes, problems, setups = {}, {}, [], {}
    for comp in competitors(case, fastact_out, reference, floor, torch_1t):
        if comp.skip or (only is not None and comp.label not in only):
            continue               # a missing optional library is not a problem
        if comp.label.startswith("torch"):
            setups[comp.label] = _torch_threads(comp.threads or threads)
            setups[comp.label]()
        try:
            problem = check(case, comp, inputs, small_want) if comp.checked else None
        except Exception as error:    # a recipe that cannot run on this version
            problem = f"{comp.label} ({comp.code}) raised {type(error).__name__}: {error}"
        if problem:
            problems.append(problem)
            setups.pop(comp.label, None)
            if comp.label != "fastact":     # fastact is timed regardless
                continue
        thunks[comp.label] = comp.bind(inputs)
        codes[comp.label] = comp.code
    settle = {}
    if any(label.startswith("torch") for label in thunks):
        # torch.set_num_threads sets OpenMP's thread count of this thread,
        # which caps fastact's too (so that threadpoolctl works on it): the
        # other competitors get fastact's count back before each sample.
        # PyTorch's OpenMP workers spin ~10 ms after its calls, taking the
        # core fastact's helper would run on: let them settle first.
        restore = _torch_threads(threads)
        for label in thunks:
            if label.startswith("torch"):
                settle[label] = TORCH_SETTLE
            else:
                setups.setdefault(label, restore)
    times = time_interleaved(thunks, rounds=rounds, min_sample=min_sample, setups=setups,
                             settle=settle)
    return Result(case, times, codes, problems)


# ---- tables ---------------------------------------------------------

def geometric_mean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else float("nan")


def format_table(results):
    """A text table: fastact median (µs) and competitor_time / fastact_time."""
    labels = []
    for r in results:
        labels += [label for label in r.times if label != "fastact" and label not in labels]
    order = ["numpy", "scipy", "torch", "reference", "fastact-out", "floor"]
    labels.sort(key=lambda label: order.index(label) if label in ("fastact-out", "floor")
                else order.index(label.split("-")[0]))
    head = ["function", "direction", "dtype", "n", "fastact µs"] + labels
    rows = []
    for r in results:
        c = r.case
        rows.append([c.name, c.label, c.dtype, short_n(c.n), f"{r.times['fastact'] * 1e6:.1f}"]
                    + [f"{r.ratio(label):.2f}" if label in r.times else "-" for label in labels])
    geo = ["geometric mean", "", "", "", ""]
    for label in labels:
        ratios = [r.ratio(label) for r in results if label in r.times]
        geo.append(f"{geometric_mean(ratios):.2f}" if ratios else "-")
    widths = [max(len(str(row[i])) for row in [head] + rows + [geo]) for i in range(len(head))]

    def line(cells):
        return "  ".join(str(cell).ljust(w) if i < 4 else str(cell).rjust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out += [line(["-" * w for w in widths]), line(geo)]
    return "\n".join(out)


def describe_competitors(results):
    """What each competitor times, one line per function, direction and label."""
    seen = {}
    for r in results:
        for label, code in r.codes.items():
            if label not in ("fastact", "fastact-out", "reference"):
                seen.setdefault((r.case.name, r.case.label, label), code)
    width = max([len(f"{n} {d}") for n, d, _ in seen] + [0])
    return "\n".join(f"  {f'{n} {d}':<{width}}  {label + ':':<16} {code}"
                     for (n, d, label), code in seen.items())


def to_json(results, **meta):
    return {
        "meta": meta,
        "results": [{"function": r.case.name, "direction": r.case.direction,
                     "source": r.case.source, "dtype": r.case.dtype, "n": r.case.n,
                     "seconds": r.times, "ratios": {k: r.ratio(k) for k in r.times},
                     "code": r.codes, "problems": r.problems} for r in results],
    }


def run(case_list, rounds=7, min_sample=1e-3, reference=False, fastact_out=False,
        progress=None, floor=False, torch_1t=False):
    results = []
    for case in case_list:
        results.append(run_case(case, rounds, min_sample, reference, fastact_out,
                                floor=floor, torch_1t=torch_1t))
        if progress:
            progress(results[-1])
    return results


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
    parser.add_argument("--rounds", type=int, default=7,
                        help="interleaved rounds per case; medians are reported (default: 7)")
    parser.add_argument("--threads", type=int, help="fastact threads (default: fastact's)")
    parser.add_argument("--reference", action="store_true",
                        help="also time fastact.reference (the pure-NumPy twin)")
    parser.add_argument("--out", action="store_true",
                        help="also time fastact with a preallocated out=")
    parser.add_argument("--floor", action="store_true",
                        help="also time the memory floor: x *= 1 in place, same threads")
    parser.add_argument("--torch-1t", action="store_true",
                        help="also time each PyTorch recipe with 1 thread (torch-1t)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def report(args):
    """Run the cases selected by parsed `args`, print the table; exit code."""
    import fastact
    try:
        case_list = cases(args.functions, args.directions, args.dtypes, args.sizes)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    threads = args.threads or fastact.get_num_threads()

    def progress(result):
        if not args.quiet:
            c = result.case
            print(f"  {c.name} {c.label} {c.dtype} {short_n(c.n)}", file=sys.stderr)

    start = time.perf_counter()
    with fastact.num_threads(threads):
        results = run(case_list, rounds=args.rounds, reference=args.reference,
                      fastact_out=args.out, progress=progress, floor=args.floor,
                      torch_1t=args.torch_1t)
    elapsed = time.perf_counter() - start
    print(f"fastact {fastact.__version__} ({fastact.config()['backend']} backend), "
          f"numpy {np.__version__}, {threads} fastact "
          f"thread(s); medians of {args.rounds} interleaved rounds; "
          "ratio = competitor time / fastact time (> 1: fastact is faster); "
          "torch with the same thread count (torch-1t: 1 thread)")
    print(format_table(results))
    print("competitors:")
    print(describe_competitors(results))
    print_problems(results)
    print(f"({len(results)} cases in {elapsed:.1f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json(results, fastact=fastact.__version__, numpy=np.__version__,
                              threads=threads, rounds=args.rounds,
                              config=fastact.config()), f, indent=1, default=str)
        print(f"wrote {args.json}")
    return 0


def print_problems(results):
    problems = [p for r in results for p in r.problems]
    if problems:
        print("not timed (raised, or disagreed with fastact.reference):")
        for p in dict.fromkeys(problems):
            print(f"  {p}")


def quick(rounds=5, n=10 ** 6, dtype="float32"):
    """The table of ``python -m fastact``: every function with a NumPy
    recipe (else a scipy one, when scipy is installed: gelu needs erf), both
    directions, fastact vs that recipe, one size and dtype."""
    results = []
    for case in cases(sizes=(n,), dtypes=(dtype,)):
        labels = recipe_labels(case.name, case.direction)
        for label in ("numpy", "scipy"):
            if label in labels and library_available(label):
                results.append(run_case(case, rounds, only=("fastact", label)))
                break
    return results


def main(argv=None):
    """bench/report.py's entry point."""
    parser = add_arguments(argparse.ArgumentParser(
        prog="bench/report.py",
        description="Time fastact against NumPy recipes (and scipy/torch when "
                    "installed), interleaved in one process."))
    return report(parser.parse_args(argv))
