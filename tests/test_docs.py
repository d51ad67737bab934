"""The generated parts of README.md and docs/*.md match the catalog
(python tools/update_docs.py rewrites them)."""

import os

import pytest

from helpers import tool

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
docgen = tool("docgen")
if docgen is None:
    pytest.skip("tools/docgen.py is not part of this installation", allow_module_level=True)


@pytest.mark.parametrize("path, markers, make", [
    ("README.md", docgen.README_MARKERS, docgen.function_table),
    (os.path.join("docs", "accuracy.md"), docgen.ACCURACY_MARKERS, docgen.bounds_table),
    (os.path.join("docs", "functions.md"), docgen.REFERENCE_MARKERS, docgen.function_reference),
])
def test_generated_section_is_current(path, markers, make):
    full = os.path.join(ROOT, path)
    if not os.path.exists(full):
        pytest.skip(f"{path} is not part of this installation")
    with open(full) as f:
        text = f.read()
    assert docgen.replace_between(text, markers, make()) == text, (
        f"{path} is out of date: run python tools/update_docs.py")


def test_readme_usage_example_runs():
    """The README's "Use" block runs as written."""
    import re
    if not os.path.exists(os.path.join(ROOT, "README.md")):
        pytest.skip("README.md is not part of this installation")
    with open(os.path.join(ROOT, "README.md")) as f:
        match = re.search(r"## Use\n\n```python\n(.*?)```", f.read(), re.S)
    assert match, "README.md has no Use example"
    exec(compile(match.group(1), "README.md", "exec"), {})
