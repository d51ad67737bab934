"""Every kernel loop of the built module vectorises and calls no libm
function (objdump; see docs/vectorization.md)."""

import importlib.util
import os
import shutil

import pytest

import fastact as fa
from fastact import catalog

# objdump over the whole module takes ~20 s: opt-in (CI runs it).
pytestmark = pytest.mark.slow

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools",
                    "check_vectorized.py")


@pytest.fixture(scope="module")
def verdicts():
    if not os.path.exists(TOOL):
        pytest.skip("tools/check_vectorized.py is not part of this installation")
    if shutil.which("objdump") is None:
        pytest.skip("objdump (binutils) is not installed")
    spec = importlib.util.spec_from_file_location("check_vectorized", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return {(name, dtype, variant): verdict
            for name, dtype, variant, verdict in tool.check(tool.default_path())}


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda r: r.name)
def test_every_loop_vectorises_without_libm(row, verdicts):
    mine = {k: v for k, v in verdicts.items() if k[0].split("_backward")[0].split("_grad")[0]
            in row.kernels}
    assert mine and all(v == "vectorised" for v in mine.values()), mine


def test_every_variant_built_is_checked(verdicts):
    built = {name for name, _ in fa._compiled.variants()}
    assert {variant for _, _, variant in verdicts} == built
