"""python -m fastact: the main job, the accuracy table, the exhaustive sweep."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from fastact._cli import accuracy


def run(*args):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fa.__file__)))
    return subprocess.run([sys.executable, "-m", "fastact", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_main_job_prints_config_and_speed_table():
    result = run("info", "--rounds", "1")
    assert result.returncode == 0, result.stderr
    assert "backend: compiled" in result.stdout
    for row in catalog.CATALOG:
        assert f"\n{row.name} " in result.stdout
    assert "geometric mean" in result.stdout


def test_accuracy_table_within_bounds():
    result = run("accuracy", "sigmoid", "softplus", "--points", "300")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "softplus[beta=2.5]" in result.stdout and "over the bound" not in result.stdout


def test_accuracy_table_has_the_axis_functions():
    result = run("accuracy", "softmax", "glu", "--points", "300")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    rows = [(cells[0], cells[1]) for cells in lines if cells and cells[0] in ("softmax", "glu")]
    assert rows == [("softmax", "forward"), ("softmax", "backward"), ("glu", "forward"),
                    ("glu", "backward")]
    assert "over the bound" not in result.stdout


# gelu's NumPy reference (erf) takes ~10 s over a chunk: opt-in.
SWEEP_ROWS = [pytest.param(r, marks=[pytest.mark.slow] if r.name == "gelu" else [])
              for r in catalog.CATALOG if r.kind == catalog.ELEMENTWISE]


@pytest.mark.parametrize("row", SWEEP_ROWS, ids=lambda r: r.name)
def test_one_chunk_of_the_exhaustive_sweep(row):
    """The chunk of float32 bit patterns holding 1.0 (inputs 0.25 ... 4)."""
    start = (0x3F800000 // accuracy.CHUNK) * accuracy.CHUNK
    worst, bits = accuracy._sweep_chunk((row.name, start, "reference"))
    # the float64 reference is good to ~1e-15: its error is invisible here
    assert worst <= row.ulp.float32 + 1e-6, (worst, np.uint32(bits).view(np.float32))


def test_bench_report_with_floor_and_numpy_columns():
    """python -m fastact bench: the per-case table (times and ratios), the
    memory floor and the summary, competitors in their own processes."""
    result = run("bench", "--functions", "relu", "tanh", "--sizes", "1e3", "--dtypes", "float32",
                 "--rounds", "1", "--alternations", "1", "--floor", "--competitors", "numpy", "-q")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    head = next(line for line in lines if line.startswith("function")).split()
    assert head[:2] == ["function", "direction"]
    assert "xnumpy" in head and "xfloor" in head
    rows = [line.split() for line in lines if line.startswith(("relu ", "tanh "))]
    assert len(rows) == 4                     # 2 functions x forward/backward
    for cells in rows:
        ratios = [float(c.rstrip("*")) for c in cells[-2:]]
        assert all(r > 0 for r in ratios)
    assert "numpy: fastact slower in" in result.stdout and "geometric mean" in result.stdout
