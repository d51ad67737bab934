"""pytest-benchmark settings for the fastact benchmark suite.

Run:   python -m pytest bench --benchmark-only
Large: FASTACT_BENCH_LARGE=1 python -m pytest bench --benchmark-only   (adds n = 1e7)

The project's pytest configuration has ``addopts = "--benchmark-skip"`` and
``testpaths = ["tests"]``, so the normal ``python -m pytest`` never collects
this directory and ``python -m pytest bench`` alone skips every benchmark;
``--benchmark-only`` overrides ``--benchmark-skip`` (pytest-benchmark >= 3.1).

The default pytest-benchmark budget (up to 1 s per benchmark) would make this
suite of several hundred benchmarks take many minutes, so unless they are
given on the command line (or in PYTEST_ADDOPTS) the defaults below apply.
"""

import os
import shlex

import pytest

DEFAULTS = {
    # option dest: (command-line flag, value)
    "benchmark_max_time": ("--benchmark-max-time", 0.1),
    "benchmark_min_rounds": ("--benchmark-min-rounds", 5),
    "benchmark_warmup": ("--benchmark-warmup", True),
    "benchmark_warmup_iterations": ("--benchmark-warmup-iterations", 3),
    "benchmark_columns": ("--benchmark-columns", ["median", "iqr", "min", "rounds"]),
}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    given = list(config.invocation_params.args)
    given += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    given += config.getini("addopts")
    for dest, (flag, value) in DEFAULTS.items():
        if hasattr(config.option, dest) and not any(
                arg == flag or arg.startswith(flag + "=") for arg in given):
            setattr(config.option, dest, value)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    """After pytest-benchmark's tables: where fastact is not the fastest."""
    session = getattr(config, "_benchmarksession", None)
    benchmarks = [b for b in getattr(session, "benchmarks", []) if b]
    if not benchmarks:
        return
    groups = {}
    for b in benchmarks:
        groups.setdefault(b.group, {})[b.extra_info.get("competitor")] = b.stats.median
    lose = []
    compared = 0
    for group, medians in groups.items():
        mine = medians.get("fastact")
        others = {k: v for k, v in medians.items() if k not in ("fastact", "fastact-out")}
        if mine is None or not others:
            continue
        compared += 1
        best = min(others, key=others.get)
        if others[best] < mine:
            lose.append((group, best, others[best] / mine))
    write = terminalreporter.write_line
    for b in benchmarks:                 # bench/test_cotenant.py
        if "ratio" in b.extra_info:
            info = b.extra_info
            terminalreporter.section("busy co-tenant (medians, interleaved)")
            write(f"sigmoid 1e5 float32: 1 thread {info['one_thread_us']:.1f} us, "
                  f"2 threads {info['two_threads_us']:.1f} us, ratio {info['ratio']:.2f}")
    terminalreporter.section("fastact vs the fastest other competitor (medians)")
    write(f"fastact is fastest in {compared - len(lose)} of {compared} groups")
    for group, label, ratio in lose:
        write(f"  {group}: {label} takes {ratio:.2f}x fastact's time")
