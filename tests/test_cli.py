"""python -m fastact: the main job, the accuracy table, the exhaustive sweep."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import _accuracy, catalog


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
    result = run("accuracy", "--functions", "sigmoid", "softplus", "--points", "300")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "softplus[beta=2.5]" in result.stdout and "over the bound" not in result.stdout


@pytest.mark.parametrize("row", [r for r in catalog.CATALOG if r.kind == catalog.ELEMENTWISE],
                         ids=lambda r: r.name)
def test_one_chunk_of_the_exhaustive_sweep(row):
    """The chunk of float32 bit patterns holding 1.0 (inputs 0.25 ... 4)."""
    start = (0x3F800000 // _accuracy.CHUNK) * _accuracy.CHUNK
    worst, bits = _accuracy._sweep_chunk((row.name, start, "reference"))
    # the float64 reference is good to ~1e-15: its error is invisible here
    assert worst <= row.ulp.float32 + 1e-6, (worst, np.uint32(bits).view(np.float32))


def test_bench_report_with_floor_and_torch_columns():
    """python -m fastact bench: the ratio table, the memory floor and (with
    torch installed) PyTorch at fastact's thread count and at 1 thread."""
    from fastact import _bench
    result = run("bench", "--functions", "relu", "tanh", "--sizes", "1e3", "--dtypes", "float32",
                 "--rounds", "1", "--floor", "--torch-1t", "-q")
    assert result.returncode == 0, result.stderr
    head = result.stdout.splitlines()[1].split()
    assert head[:2] == ["function", "direction"] and "numpy" in head and "floor" in head
    if _bench.library_available("torch"):
        assert "torch" in head and "torch-1t" in head
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(("relu ", "tanh "))]
    assert len(rows) == 4                     # 2 functions x forward/backward
    for cells in rows:
        ratios = [float(c) for c in cells[5:] if c != "-"]
        assert ratios and all(r > 0 for r in ratios)


def test_interleaved_timer_runs_setups_before_and_settles_after_each_sample():
    """The benchmark gives each competitor its own conditions: setups
    (PyTorch's thread count, fastact's restored) run before each of its
    samples, and the pause after a PyTorch sample (its OpenMP workers spin)
    is not counted in anyone's time."""
    from fastact import _bench
    events = []
    thunks = {"fastact": lambda: events.append("fastact"),
              "torch": lambda: events.append("torch")}
    setups = {"fastact": lambda: events.append("setup fastact"),
              "torch": lambda: events.append("setup torch")}
    times = _bench.time_interleaved(thunks, rounds=3, min_sample=1e-4, setups=setups,
                                    settle={"torch": 0.05})
    assert max(times.values()) < 0.01          # the 50 ms pauses are untimed
    samples = [e for e in events if not e.startswith("setup")]
    for i, event in enumerate(events):
        if event.startswith("setup"):
            label = event.split()[1]
            assert events[i + 1] == label        # a setup directly precedes its calls
    assert samples.count("fastact") > 3 and samples.count("torch") > 3


def test_benchmark_gives_fastact_its_threads_back_after_pytorch():
    """torch.set_num_threads(1) (the torch-1t competitor) sets OpenMP's
    thread count, which caps fastact's: run_case restores it before the
    other competitors' samples."""
    torch = pytest.importorskip("torch")
    from fastact import _bench, _compiled
    if fa.get_num_threads() < 2:
        pytest.skip("fastact uses 1 thread here")
    seen = []
    case = _bench.Case("relu", "forward", "float32", 1000)
    original = _bench.competitors

    def recording(bind):
        def bound(inputs):
            call = bind(inputs)

            def thunk():
                seen.append(_compiled.thread_cap())   # fastact's threads now
                return call()
            return thunk
        return bound

    def spying(*args, **kwargs):
        return [dataclasses.replace(c, bind=recording(c.bind)) if c.label == "fastact" else c
                for c in original(*args, **kwargs)]

    try:
        _bench.competitors = spying
        _bench.run_case(case, rounds=3, min_sample=1e-4, torch_1t=True)
    finally:
        _bench.competitors = original
        torch.set_num_threads(fa.get_num_threads())
    assert seen and min(seen) == fa.get_num_threads()
