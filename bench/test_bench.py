"""Benchmarks generated from the catalog (see fastact/_cli/bench.py).

One benchmark per catalog row x direction (forward; backward from y= where
the row allows it, else from x) x float32/float64 x n x competitor, grouped
as ``{name}-{direction}-{dtype}-{n}`` so pytest-benchmark's tables compare
the competitors of one case:

* fastact      f(x) / f.backward(g, y=y), a new array per call
* fastact-out  the same into a preallocated out=
* reference    fastact.reference (the pure-NumPy twin)
* numpy...     the NumPy recipes of fastact._cli.bench.RECIPES (what users write
               today), scipy... and torch... where installed (skipped if not);
               torch's write into the preallocated out through aten's .out /
               grad_input= overloads

Everything runs in this one process (PyTorch's OpenMP workers, spinning
after its calls, can slow fastact's threads here): for fair ratios use
``python -m fastact bench``, which gives each competitor its own process.
* floor        the memory floor: one buffer of the input's size read and
               written in place with fastact's threads (not the same function,
               so not checked)

Inputs are made once per case, outside the timed call.  Before it is timed,
every competitor is checked against fastact.reference on the same inputs.
n = 1e7 is added when FASTACT_BENCH_LARGE=1.

    python -m pytest bench --benchmark-only
"""

import functools
import os

import pytest

from fastact._cli import bench

SIZES = (10 ** 3, 10 ** 5, 10 ** 6)
if os.environ.get("FASTACT_BENCH_LARGE", "") not in ("", "0"):
    SIZES += (10 ** 7,)


def _params():
    for case in bench.cases(sizes=SIZES):
        for comp in bench.competitors(case, **COMPETITORS):
            marks = [pytest.mark.skip(reason=comp.skip)] if comp.skip else []
            yield pytest.param(case, comp.label, marks=marks,
                               id=f"{case.group}-{comp.label}")


COMPETITORS = dict(fastact_out=True, reference=True, floor=True)


@functools.lru_cache(maxsize=1)      # tests run case by case: keep one case
def _inputs(case):
    return bench.make_inputs(case)


@pytest.mark.parametrize("case, label", list(_params()))
def test_bench(benchmark, case, label):
    benchmark.group = case.group
    comp = {c.label: c for c in bench.competitors(case, **COMPETITORS)}[label]
    benchmark.extra_info.update(competitor=label, code=comp.code, source=case.source)
    inputs = _inputs(case)
    if label == "floor":               # writes x: its own copy of the inputs
        inputs = bench.make_inputs(case)
    try:
        problem = bench.check(case, comp, inputs) if comp.checked else None
    except Exception as error:
        if label.startswith(("scipy", "torch")):    # not in this version
            pytest.skip(f"{comp.code} raised {type(error).__name__}: {error}")
        raise
    assert problem is None, problem
    benchmark(comp.bind(inputs))
