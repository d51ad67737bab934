"""The C sources carry no dead code: every static or inline function of
fastact/src is used (tools/check_unused_c.py, issue 16)."""

import importlib.util
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TOOL = os.path.join(ROOT, "tools", "check_unused_c.py")


@pytest.fixture(scope="module")
def check():
    if not os.path.isfile(TOOL) or not os.path.isdir(os.path.join(ROOT, "fastact", "src")):
        pytest.skip("the C sources and tools/ are not part of this installation")
    spec = importlib.util.spec_from_file_location("check_unused_c", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_unused_c_function(check):
    assert check.unused() == []


def test_an_unused_function_is_found(check):
    """A function nothing calls is reported, and so is one that only it calls;
    comments and the function's own body (recursion) do not count as uses."""
    texts = check.sources()
    texts["extra.h"] = check.strip_comments(
        "/* fa_extra_helper_f64 is mentioned in a comment */\n"
        "static inline double fa_extra_helper_f64(double x) { return x * 2.0; }\n"
        "FA_INLINE double fa_extra_unused_f64(double x)\n"
        "{\n    return x > 0 ? fa_extra_unused_f64(x - 1.0) : fa_extra_helper_f64(x);\n}\n")
    assert check.unused(texts) == [("extra.h", "fa_extra_helper_f64"),
                                   ("extra.h", "fa_extra_unused_f64")]
