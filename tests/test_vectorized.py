"""Every kernel loop of the built module vectorises (objdump; see
docs/vectorization.md).  Loops that still call scalar libm are allowed only
until the vectorised math core lands; memory-bound kernels must vectorise."""

import importlib.util
import os
import shutil

import pytest

from fastact import catalog

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                    "check_vectorized.py")


@pytest.fixture(scope="module")
def verdicts():
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not installed")
    spec = importlib.util.spec_from_file_location("check_vectorized", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return {(name, dtype): verdict for name, dtype, verdict in tool.check(tool.default_path())}


def test_every_loop_is_vectorised_or_calls_libm(verdicts):
    bad = {k: v for k, v in verdicts.items() if v != "vectorised" and not v.startswith("calls")}
    assert not bad, bad


@pytest.mark.parametrize("row", [r for r in catalog.CATALOG
                                 if r.min_parallel == catalog.CHEAP], ids=lambda r: r.name)
def test_memory_bound_kernels_vectorise(row, verdicts):
    mine = {k: v for k, v in verdicts.items() if k[0].startswith(row.name)}
    assert mine and all(v == "vectorised" for v in mine.values()), mine
