"""Every catalog row has its three implementations (docs/adding-an-activation.md):

* the C element formulas the build calls for it (fastact/_build/codegen.py):
  ``F(K)``, ``F(K_grad)``, ``F(K_grad_y)`` where backward may take y, and
  ``F(K_grad_<array parameter>)`` for each kernel K of an elementwise row, in
  fastact/src/kernels/formulas.h (both dtypes) or formulas_f32.h /
  formulas_f64.h, unless the variant table (fastact/_build/variants.py)
  supplies that element for every instruction set; the row kernels
  ``fa_act_K_row_<dtype>`` and ``fa_act_K_backward_y_row_<dtype>`` (halves
  rows: ``_backward_row``) of an axis row;
* the NumPy reference kernels of the same names (fastact/_verify/reference_kernels.py;
  axis rows without ``_row``);
* the mpmath oracle (fastact/_verify/oracle.py): FORWARD, GRAD and, where
  backward may take y, GRAD_Y entries; for axis rows ``oracle_axis`` and
  ``oracle_backward_y`` (halves rows: ``oracle_glu_backward``).

The reference kernels and the oracle entries are called once with the row's
default arguments, so a wrong signature fails here too.  A missing piece is
reported with the row's name, instead of as a compile error or a KeyError
deep inside another test.  The C half needs fastact/src (a source
checkout); it skips where the tests run against an installed wheel.
"""

import glob
import os
import re

import numpy as np
import pytest

from fastact import catalog
from fastact._build import codegen, variants
from fastact._verify import oracle
from fastact._verify import reference_kernels as ref

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fastact", "src")
DTYPES = ("f32", "f64")
# The files whose F(name) forms are compiled for these dtypes (activations.h).
FORMULA_FILES = {"kernels/formulas.h": DTYPES, "kernels/formulas_f32.h": ("f32",),
                 "kernels/formulas_f64.h": ("f64",)}
X = np.array([-1.5, 0.0, 0.5, 2.0])          # a few ordinary inputs
ROW = np.array([[0.5, -1.0, 2.0, 0.25]])     # one row for the axis kernels


def elements(row):
    """[(kernel, element)]: every element formula the generated loops of
    `row` call (F(element) in the ufunc expressions; for axis rows the row
    kernels <kernel>_row and <kernel>_<family>_row), in codegen's order."""
    found = []
    for spec in codegen.ufunc_specs([row]):
        if spec.axis:
            middle = "" if spec.family == "forward" else "_" + spec.family
            names = [f"{spec.kernel}{middle}_row"]
        else:
            names = re.findall(r"F\((\w+)\)", spec.expr)
        found += [(spec.kernel, name) for name in names if (spec.kernel, name) not in found]
    return found


def c_definitions(src=SRC):
    """The fa_act_<element>_<dtype> functions fastact/src defines, comments
    stripped: F(element) forms of the formula files, spelled-out names
    elsewhere (fa_rows.h)."""
    paths = glob.glob(os.path.join(src, "**", "*.h"), recursive=True)
    if not paths:
        pytest.skip("fastact/src is not part of this installation")
    defined = set()
    for path in paths:
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/|//[^\n]*", "", f.read(), flags=re.S)
        rel = os.path.relpath(path, src).replace(os.sep, "/")
        for name in re.findall(r"FA_INLINE\s+[\w\s*]+?\bF\((\w+)\)\s*\(", text):
            defined.update(f"fa_act_{name}_{sfx}" for sfx in FORMULA_FILES.get(rel, ()))
        defined.update(re.findall(r"FA_INLINE\s+[\w\s*]+?\b(fa_act_\w+_f(?:32|64))\s*\(", text))
    return defined


def table_supplies(element, sfx):
    """True when the variant table names a function for `element` at `sfx`
    in every instruction-set variant, unconditionally: no generic formula
    is compiled for it then (sigmoid's forward)."""
    entry = variants.lookup(element, sfx)
    return entry is not None and all(
        entry.impl(v) is not None and not entry.impl(v).when for v in variants.VARIANTS)


def missing_c(row, defined):
    """What `row` lacks in C, one message per element and dtype."""
    problems = []
    for _, element in elements(row):
        for sfx in DTYPES:
            name = f"fa_act_{element}_{sfx}"
            if name in defined or table_supplies(element, sfx):
                continue
            where = ("fastact/src/kernels/fa_rows.h (or F(...) in formulas.h)"
                     if row.kind == catalog.AXIS else
                     f"F({element}) in fastact/src/kernels/formulas.h "
                     f"(or formulas_{sfx}.h)")
            problems.append(f"{row.name}: no C formula {name}: write {where}")
    return problems


def kernel_args(row):
    """{kernel: arguments after x}, as the kernels take them: array
    parameters first (prelu's weight), then the numeric ones (None as
    +inf), for the row's first parameter set that picks each kernel."""
    found = {}
    for params in row.param_sets():
        kernel, args = row.kernel_call(params)
        full = dict(row.defaults, **params)
        found.setdefault(kernel, tuple(full[p.name] for p in row.array_params) + args)
    return found


def _call(label, fn, *args):
    """None if fn(*args) runs, else a message naming `label`."""
    try:
        fn(*args)
    except Exception as error:       # a missing name or a wrong signature
        return f"{label} raised {type(error).__name__}: {error}"
    return None


def missing_reference(row):
    """What `row` lacks in fastact/_verify/reference_kernels.py."""
    problems = []
    args = kernel_args(row)
    for kernel, element in elements(row):
        name = element[:-len("_row")] if row.kind == catalog.AXIS else element
        fn = getattr(ref, name, None)
        if not callable(fn):
            problems.append(f"{row.name}: no reference kernel {name} in "
                            "fastact/_verify/reference_kernels.py")
            continue
        if row.kind == catalog.AXIS:
            g = np.ones((1, ROW.shape[1] // 2)) if row.halves else np.ones_like(ROW)
            inputs = (ROW,) if name == kernel else (g, ROW)
            call = (*inputs, -1)
        else:
            call = (X, *args.get(kernel, ()))
        problem = _call(f"{row.name}: reference kernel {name} with {len(call)} arguments",
                        fn, *call)
        if problem:
            problems.append(problem)
    return problems


def missing_oracle(row):
    """What `row` lacks in fastact/_verify/oracle.py."""
    problems = []
    if row.kind == catalog.AXIS:
        for kernel in row.kernels:
            problems.append(_call(f"{row.name}: oracle_axis({kernel!r}, ...)",
                                  oracle.oracle_axis, kernel, ROW))
            if row.halves:     # backward from x; oracle_glu_backward computes glu's
                problems.append(_call(f"{row.name}: oracle_glu_backward(...)",
                                      oracle.oracle_glu_backward, np.ones((1, 2)), ROW)
                                if kernel == "glu" else
                                f"{row.name}: no oracle for the backward of halves kernel "
                                f"{kernel!r} (oracle_glu_backward is glu's)")
            elif row.has_grad_y:
                problems.append(_call(f"{row.name}: oracle_backward_y({kernel!r}, ...)",
                                      oracle.oracle_backward_y, kernel, np.ones_like(ROW),
                                      np.full_like(ROW, 0.25)))
        return [p for p in problems if p]
    for kernel, args in kernel_args(row).items():
        tables = [("forward", oracle.FORWARD), ("grad", oracle.GRAD)]
        if row.has_grad_y:
            tables.append(("grad_y", oracle.GRAD_Y))
        for which, table in tables:
            if kernel not in table:
                problems.append(f"{row.name}: no oracle {which} formula for {kernel!r}: add "
                                f"{kernel!r} to {which.upper()} in fastact/_verify/oracle.py")
                continue
            point = 0.5 if which != "grad_y" else float(oracle.oracle_forward(kernel, 0.5, args))
            problem = _call(f"{row.name}: oracle {which.upper()}[{kernel!r}] at {point} with "
                            f"arguments {args}", oracle._evaluate, kernel, which, point, args)
            if problem:
                problems.append(problem)
    return problems


@pytest.fixture(scope="module")
def defined():
    return c_definitions()


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda row: row.name)
def test_c_formulas(row, defined):
    problems = missing_c(row, defined)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda row: row.name)
def test_reference_kernels(row):
    problems = missing_reference(row)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("row", catalog.CATALOG, ids=lambda row: row.name)
def test_oracle(row):
    problems = missing_oracle(row)
    assert not problems, "\n".join(problems)


def test_elements_follow_codegen():
    """The element lists above are those the build compiles."""
    assert elements(catalog.BY_NAME["relu"]) == [
        ("relu", "relu"), ("relu", "relu_grad"), ("relu", "relu_grad_y")]
    assert elements(catalog.BY_NAME["prelu"]) == [
        ("prelu", "prelu"), ("prelu", "prelu_grad"), ("prelu", "prelu_grad_weight")]
    assert [k for k, _ in elements(catalog.BY_NAME["gelu"])] == ["gelu"] * 2 + ["gelu_tanh"] * 2
    assert elements(catalog.BY_NAME["softmax"]) == [
        ("softmax", "softmax_row"), ("softmax", "softmax_backward_y_row")]
    assert elements(catalog.BY_NAME["glu"]) == [("glu", "glu_row"), ("glu", "glu_backward_row")]
    assert table_supplies("sigmoid", "f32") and not table_supplies("elu", "f32")


def test_a_row_without_its_pieces_is_reported(defined):
    """A row added to the catalog alone fails all three checks, each
    message naming the row and the missing piece."""
    row = catalog.Row("made_up", "x", "R", backward_from_y=True)
    assert missing_c(row, defined) == [
        f"made_up: no C formula fa_act_made_up{part}_{sfx}: write F(made_up{part}) in "
        f"fastact/src/kernels/formulas.h (or formulas_{sfx}.h)"
        for part in ("", "_grad", "_grad_y") for sfx in DTYPES]
    assert missing_reference(row) == [
        f"made_up: no reference kernel made_up{part} in fastact/_verify/reference_kernels.py"
        for part in ("", "_grad", "_grad_y")]
    assert missing_oracle(row) == [
        f"made_up: no oracle {which} formula for 'made_up': add 'made_up' to {which.upper()} "
        "in fastact/_verify/oracle.py" for which in ("forward", "grad", "grad_y")]
    axis = catalog.Row("made_up_max", "x", "R", params=(catalog.Param("axis", -1, "int", ""),),
                       kind=catalog.AXIS, backward_from_y=True)
    assert [p.split(":")[1] for p in missing_c(axis, defined)] == [
        f" no C formula fa_act_made_up_max{part}_row_{sfx}"
        for part in ("", "_backward_y") for sfx in DTYPES]
    assert len(missing_reference(axis)) == 2
    assert [p.split(" raised")[0] for p in missing_oracle(axis)] == [
        "made_up_max: oracle_axis('made_up_max', ...)",
        "made_up_max: oracle_backward_y('made_up_max', ...)"]
