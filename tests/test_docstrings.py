"""The generated numpydoc docstrings: every Examples section runs (doctest)
for fastact and fastact.reference, every function documents its parameters,
and help() shows each function's own docs and signature."""

import doctest
import inspect
import pydoc
import re

import pytest

import fastact as fa
from fastact import catalog

NAMES = [row.name for row in catalog.CATALOG]
SECTIONS = ["Parameters", "Returns", "Raises", "See Also", "Notes", "Examples"]


def run_doctests(obj, name):
    """(failures, tries) of the examples in obj.__doc__; a failure report on
    stdout-like text in the assertion."""
    finder = doctest.DocTestFinder(recurse=False)
    tests = finder.find(obj, name, globs={})
    assert tests and tests[0].examples, f"{name} has no examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    return runner.summarize(verbose=False), "".join(report)


@pytest.mark.parametrize("module", ["fastact", "fastact.reference"])
@pytest.mark.parametrize("name", NAMES)
def test_examples_run(name, module):
    f = fa.get(name) if module == "fastact" else getattr(fa.reference, name)
    for suffix, obj in [("", f), (".backward", f.backward), (".derivative", f.derivative)]:
        (failed, tried), report = run_doctests(obj, f"{module}.{name}{suffix}")
        assert failed == 0 and tried > 0, report


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda row: row.name)
def test_every_row_has_a_known_value_example(row):
    assert row.doc_examples, f"catalog row {row.name} needs a DocExample (doc_examples=)"
    for example in row.doc_examples:
        assert example.why, "say why the expected value is known"


def test_a_wrong_example_fails():
    """The runner does catch a wrong expected output."""
    class Fake:
        __doc__ = ">>> import fastact as fa\n>>> float(fa.sigmoid(0.0))\n0.25\n"
    (failed, tried), report = run_doctests(Fake(), "fake")
    assert (failed, tried) == (1, 2) and "0.5" in report


def sections(doc):
    return re.findall(r"^(\w[\w ]*)\n-+$", doc, re.M)


@pytest.mark.parametrize("name", NAMES)
def test_numpydoc_layout(name):
    f = fa.get(name)
    row = f.row
    doc = f.__doc__
    assert doc.splitlines()[0].endswith(".") and doc.splitlines()[1] == ""
    assert row.formula.split()[0] in doc
    assert sections(doc) == SECTIONS
    params = doc.split("\nParameters\n")[1].split("\nReturns\n")[0]
    assert re.search(r"^x : array_like$", params, re.M)
    assert re.search(r"^out : ndarray, optional$", params, re.M)
    for p in row.params:
        default = ("required" if p.default is catalog.REQUIRED else f"default {p.default!r}")
        assert re.search(rf"^{p.name} : .*, {re.escape(default)}", params, re.M), p.name
    notes = doc.split("\nNotes\n")[1]
    assert f"{row.ulp.float32:g} ULP for float32" in notes
    assert f"{row.ulp.float64:g} ULP for float64" in notes
    assert ("accepts the forward output ``y=``" in notes) == (row.backward_from_y is not False)
    for line in doc.splitlines():       # the formula and examples stay whole
        assert len(line) <= 79 or line.startswith((">>>", f"    {name}(x) = ")), line
    back = f.backward.__doc__
    assert sections(back) == SECTIONS
    assert ("\ny : array_like" in back) == (row.backward_from_y is not False)
    if row.kind == catalog.ELEMENTWISE:
        assert sections(f.derivative.__doc__) == SECTIONS
    else:       # raises: no Notes
        assert sections(f.derivative.__doc__) == [s for s in SECTIONS if s != "Notes"]
    for text in (doc, back, f.derivative.__doc__):
        assert text.endswith("\n")      # closing quotes on their own line


def test_numpydoc_validation():
    """numpydoc's own checks pass (where numpydoc is installed)."""
    validate = pytest.importorskip("numpydoc.validate")
    problems = []
    for name in NAMES:
        for suffix in ("", ".backward", ".derivative"):
            result = validate.validate(f"fastact.{name}{suffix}")
            problems += [(name + suffix, code, message) for code, message in result["errors"]]
    assert not problems, problems[:10]


@pytest.mark.parametrize("name", ["sigmoid", "elu", "threshold", "prelu", "softmax", "glu"])
def test_help_shows_the_functions_docs(name):
    f = fa.get(name)
    text = pydoc.render_doc(f, renderer=pydoc.plaintext)
    assert f.row.formula.split()[0] in text and "Examples" in text
    back = pydoc.render_doc(f.backward, renderer=pydoc.plaintext)
    assert f"Gradient of ``{name}``" in back
    # the signature line lists the function's own parameters
    header = back.splitlines()[2]
    for p in f.row.params:
        assert p.name in header
    assert ("y=None" in header) == (f.row.backward_from_y is not False)


def test_signatures():
    sig = inspect.signature(fa.elu)
    assert list(sig.parameters) == ["x", "out", "alpha"]
    assert sig.parameters["alpha"].default == 1.0
    assert sig.parameters["alpha"].kind is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(fa.threshold).parameters["value"].default is inspect.Parameter.empty
    assert list(inspect.signature(fa.gelu.backward).parameters) == [
        "grad", "x", "out", "approximate"]
    assert list(inspect.signature(fa.sigmoid.backward).parameters) == ["grad", "x", "y", "out"]
    # the signature binds the calls that work
    inspect.signature(fa.relu).bind([1.0], max_value=6.0)
    with pytest.raises(TypeError):
        inspect.signature(fa.relu).bind([1.0], max_val=6.0)


def test_methods_stay_bound_and_equal():
    """The documented copies of backward/derivative compute as the class's."""
    import numpy as np
    x = np.linspace(-3, 3, 7)
    g = np.ones_like(x)
    assert fa.elu.backward.__self__ is fa.elu
    np.testing.assert_array_equal(fa.elu.backward(g, x),
                                  fa.Activation.backward(fa.elu, g, x))
    np.testing.assert_array_equal(fa.elu.derivative(x, alpha=2.0),
                                  fa.Activation.derivative(fa.elu, x, alpha=2.0))
    assert fa.sigmoid.backward.__doc__ != fa.tanh.backward.__doc__
