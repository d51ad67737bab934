"""Accuracy against the truth: every catalog function, forward and
derivative, float32 and float64, within the ULP bound written in the
catalog.  The truth is tests/oracle.py (mpmath at 60+ digits), an
implementation independent of both fastact and its reference twin:
float64 results against its exact values, float32 results against them
rounded to float64 (fastact/_cli/accuracy.py `truth`)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact._cli import accuracy
from helpers import AXIS, DTYPES, ELEMENTWISE, bound, case_id, cases

POINTS = int(os.environ.get("FASTACT_ACCURACY_POINTS", 1000))


@pytest.mark.parametrize("which", ["forward", "grad"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(cases(ELEMENTWISE)), ids=case_id)
def test_elementwise_within_catalog_bound(case, dtype, which):
    row, params = case
    err, x = accuracy.measure(row, params, dtype, which, POINTS)
    limit = bound(row.ulp if which == "forward" else row.ulp_grad, dtype)
    worst = int(np.argmax(err))
    assert err.max() <= limit, (f"{row.name} {which} {np.dtype(dtype).name}: "
                                f"{err.max():.3g} ULP > {limit} at x={x[worst]!r}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(cases(AXIS)), ids=case_id)
def test_axis_within_catalog_bound(case, dtype):
    """Forward against the oracle; backward given a correctly rounded output
    y against the oracle's backward at that y, in ULPs of the magnitude of
    the terms it sums (fastact/_cli/accuracy.py `measure_axis`)."""
    row, params = case
    forward, backward = accuracy.measure_axis(row, params, dtype)
    assert forward.max() <= bound(row.ulp, dtype), f"forward {forward.max():.3g} ULP"
    assert backward.max() <= bound(row.ulp_grad_y, dtype), f"backward {backward.max():.3g} ULP"


@pytest.mark.parametrize("points", [500, pytest.param(2000, marks=pytest.mark.slow)])
def test_float64_random_inputs_within_catalog_bound(points):
    """The float64 forward pass of every case on random inputs (normal,
    uniform and log-uniform; `python -m fastact accuracy --random N`),
    against the exact mpmath values."""
    rows = accuracy.random_check(points, progress=False)
    assert len(rows) == len(list(cases()))
    over = [(label, worst, at) for label, worst, at, limit in rows if not worst <= limit]
    assert not over, over


def test_cli_random_check_prints_the_table():
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fa.__file__)))
    result = subprocess.run([sys.executable, "-m", "fastact", "accuracy", "--random", "2000",
                             "--functions", "relu", "--processes", "1"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2000 random inputs" in result.stdout
    labels = [accuracy.case_label(*case) for case in cases([fa.relu.row])]
    table = result.stdout.splitlines()[2:]
    assert [line.split()[0] for line in table] == labels
    assert all(float(line.split()[1]) <= fa.relu.row.ulp.float64 for line in table)


def test_gelu_tanh_float64_left_tail_keeps_relative_accuracy():
    """x sigmoid(v) where e^v leaves the float64 range: v = x (C1 + C3 x^2)
    runs from about -960 to -520 here, the results from normal to
    subnormal.  Within the bound, and a normal result never 0 (the AVX-512
    kernel carries v as a pair: its rounding alone would move e^v by
    hundreds of ULPs at |v| ~ 700)."""
    from fastact._verify import oracle
    x = np.linspace(-23.5, -19.0, 300)
    got = fa.gelu(x, approximate="tanh")
    want = oracle.oracle_mpf_array("gelu_tanh", "forward", x)
    err = oracle.ulp_error(got, want, np.float64)
    assert err.max() <= bound(fa.gelu.row.ulp, np.float64), f"{err.max():.3g} ULP"
    normal = np.array([abs(float(w)) >= np.finfo(np.float64).tiny for w in want])
    assert normal.any() and not normal.all()
    assert (got[normal] != 0).all()
