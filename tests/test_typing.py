"""Typing: fastact ships py.typed and stubs generated from the catalog
(tools/stubgen.py); mypy accepts correct calls and rejects wrong ones."""

import ast
import os
import re
import runpy
import subprocess
import sys

import pytest

import fastact as fa
from fastact import catalog
from helpers import tool

PACKAGE = os.path.dirname(os.path.abspath(fa.__file__))
SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "typing_samples")
stubgen = tool("stubgen")
needs_stubgen = pytest.mark.skipif(stubgen is None,
                                   reason="tools/stubgen.py is not part of this installation")


def test_package_is_marked_typed():
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed"))


@needs_stubgen
@pytest.mark.parametrize("name", ["__init__.pyi", "reference.pyi"])
def test_stub_is_current(name):
    make = dict(stubgen.STUBS)[name]
    with open(os.path.join(PACKAGE, name)) as f:
        assert f.read() == make(), f"fastact/{name} is out of date: run python tools/update_docs.py"


def stub_classes():
    with open(os.path.join(PACKAGE, "__init__.pyi")) as f:
        tree = ast.parse(f.read())
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}, tree


@needs_stubgen
def test_stub_declares_every_public_name():
    classes, tree = stub_classes()
    declared = {node.target.id: node.annotation.id for node in tree.body
                if isinstance(node, ast.AnnAssign) and isinstance(node.annotation, ast.Name)}
    for name in fa.names() + list(catalog.ALIASES):
        row = catalog.lookup(name)
        assert declared[name] == stubgen.class_name(row)
    stub_all = next(ast.literal_eval(node.value) for node in tree.body
                    if isinstance(node, ast.Assign) and node.targets[0].id == "__all__")
    assert sorted(stub_all) == sorted(fa.__all__)
    defined = set(classes) | set(declared) | {node.name for node in tree.body
                                              if isinstance(node, ast.FunctionDef)}
    defined |= {alias.asname for node in tree.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert set(fa.__all__) <= defined


@needs_stubgen
@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda row: row.name)
def test_stub_keywords_are_the_catalogs(row):
    classes, _ = stub_classes()
    methods = [node for node in classes[stubgen.class_name(row)].body
               if isinstance(node, ast.FunctionDef)]
    for method in methods:
        if method.name == "derivative" and row.kind == catalog.AXIS:
            continue
        keywords = [a.arg for a in method.args.kwonlyargs if a.arg not in ("y", "out")]
        assert keywords == [p.name for p in row.params], method.name
        takes_y = any(a.arg == "y" for a in method.args.kwonlyargs)
        if method.name == "backward":
            assert takes_y == (row.backward_from_y is not False)


def test_good_sample_runs():
    runpy.run_path(os.path.join(SAMPLES, "good.py"))


@pytest.mark.slow        # mypy takes ~10 s
def test_mypy_accepts_good_and_rejects_bad_calls(tmp_path):
    pytest.importorskip("mypy")
    # mypy finds the fastact under test (installed or a checkout) through a
    # link in its working directory; errors inside fastact's own .py files
    # are not the point (--follow-imports=silent), the stubs' are checked.
    os.symlink(PACKAGE, tmp_path / "fastact")
    for name in ("good.py", "bad.py"):
        (tmp_path / name).write_text(open(os.path.join(SAMPLES, name)).read())
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-incremental", "--cache-dir", str(tmp_path / "cache"), "--no-color-output",
         "--hide-error-context", "fastact/__init__.pyi", "fastact/reference.pyi",
         "good.py", "bad.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    errors = re.findall(r"^(\S+?):(\d+): error:", result.stdout, re.M)
    assert errors, report
    with open(os.path.join(SAMPLES, "bad.py")) as f:
        expected = {i for i, line in enumerate(f.read().splitlines(), 1) if "# error" in line}
    assert {file for file, _ in errors} == {"bad.py"}, report
    assert {int(line) for _, line in errors} == expected, report
