"""Turns the catalog into the ufunc specs that the C template renders,
and the variant table (variants.py) into the functions the kernels call.

setup.py loads this module by path (before fastact is built) and calls
``render``: ``fastact/src/kernels/kernels.c.tp`` with ``ufunc_specs()`` and
``fastact/src/kernels/variant_table.h.tp`` with ``chosen_functions()``
(tools/regenerate.py too).  The
compiled module then creates one ``np.ufunc`` per spec, in this order, so
the Python side can find them by name.
"""

import os
import re
from dataclasses import dataclass

try:
    from .. import catalog
    from . import variants
except ImportError:  # loaded by path (setup.py, tools/check_vectorized.py)
    import catalog  # noqa: F401  (they put fastact/ and fastact/_build/ on sys.path)
    import variants  # noqa: F401

CTYPES = {"f32": "float", "f64": "double"}


@dataclass(frozen=True)
class UfuncSpec:
    name: str            # ufunc name, e.g. "elu_backward_y"
    kernel: str          # C kernel name, e.g. "elu"
    family: str          # forward | grad | backward | backward_y
    arrays: tuple        # element names of the array inputs, e.g. ("g", "x")
    nargs: int           # scalar (broadcast) kernel arguments after the arrays
    expr: str            # C expression of one element, F() gives the dtype
    min_parallel: tuple  # (float32, float64) elements per thread
    axis: bool           # row kernel: gufunc "(n)->(n)" / "(n),(n)->(n)"
    doc: str
    halves: bool = False  # row kernel on halves: "(n)->(m)" / "(m),(n)->(n)"
    params: tuple = ()    # catalog names of the scalar arguments a0, a1, ...

    @property
    def nin(self):
        return len(self.arrays) + self.nargs

    # ---- C snippets for the template (fastact/src/kernels/kernels.c.tp) ----

    @property
    def out_index(self):
        """Position of the output among the ufunc operands."""
        return len(self.arrays) + self.nargs

    def contig_params(self, T):
        """Parameter list of the contiguous kernel."""
        arrays = "".join(f"const {T} *p{v}, " for v in self.arrays)
        scalars = "".join(f", {T} a{i}" for i in range(self.nargs))
        return f"fa_intp n, {arrays}{T} *out{scalars}"

    def contig_test(self, T):
        """True when every array is contiguous and every scalar broadcast."""
        tests = [f"steps[{k}] == sizeof({T})" for k in range(len(self.arrays))]
        tests.append(f"steps[{self.out_index}] == sizeof({T})")
        tests += [f"steps[{len(self.arrays) + i}] == 0" for i in range(self.nargs)]
        return " && ".join(tests)

    def contig_args(self, T):
        """Arguments passing the ufunc operands to the contiguous kernel."""
        arrays = "".join(f"(const {T} *)args[{k}], " for k in range(len(self.arrays)))
        scalars = "".join(f", *(const {T} *)args[{len(self.arrays) + i}]"
                          for i in range(self.nargs))
        return f"n, {arrays}({T} *)args[{self.out_index}]{scalars}"

    def block_args(self, T, count, start, out):
        """The contiguous kernel's arguments for elements [start, start +
        count) written to `out`; the scalars are the locals a0, a1, ..."""
        arrays = "".join(f"(const {T} *)args[{k}] + {start}, " for k in range(len(self.arrays)))
        scalars = "".join(f", a{i}" for i in range(self.nargs))
        return f"{count}, {arrays}{out}{scalars}"

    @property
    def row_length(self):
        """The full row length among the gufunc core dimensions."""
        return "dims[2]" if self.halves and self.family != "forward" else "dims[1]"

    def threshold(self, sfx):
        """min_parallel of the float32 ("f32") or float64 ("f64") loop."""
        return self.min_parallel[0 if sfx == "f32" else 1]

    def c_expr(self, sfx):
        return re.sub(r"F\((\w+)\)", lambda m: element_function(m.group(1), sfx), self.expr)

    def row_call(self, sfx):
        """The C row kernel of an axis spec at dtype `sfx`."""
        middle = "" if self.family == "forward" else "_" + self.family
        return element_function(f"{self.kernel}{middle}_row", sfx)

    def array_kernels(self, sfx):
        """(variant, condition, call) for each variant with an array kernel
        for this ufunc's contiguous loop; the condition on the scalar
        arguments a0, a1, ... is "" when it always applies."""
        found = []
        for entry in variants.TABLE:
            if entry.dtype != sfx:
                continue
            for variant in variants.VARIANTS:
                impl = entry.impl(variant)
                if impl is None or self.name not in impl.arrays:
                    continue
                when = impl.when
                for q, param in enumerate(self.params):
                    when = re.sub(rf"\b{param}\b", f"a{q}", when)
                inputs = "".join(f"p{v}, " for v in self.arrays)
                found.append((variant, when, f"{impl.arrays[self.name]}(n, {inputs}out)"))
        return found

    def type_rows(self):
        """Operand type characters per loop: float16 (scalar arguments in
        float32), float32, float64; row kernels only float32/float64."""
        k = len(self.arrays)
        rows = [] if self.axis else [["e"] * k + ["f"] * self.nargs + ["e"]]
        rows += [[c] * (k + self.nargs + 1) for c in "fd"]
        return [", ".join(f"'{c}'" for c in row) for row in rows]

    @property
    def gufunc_signature(self):
        if not self.axis:
            return None
        if self.halves:
            return "(n)->(m)" if self.family == "forward" else "(m),(n)->(n)"
        return ",".join(["(n)"] * len(self.arrays)) + "->(n)"


def element_function(element, sfx):
    """The C function a kernel calls for F(element) at dtype `sfx`: the
    generic formula (formulas*.h), or the variant table's choice."""
    prefix = "fa_chosen" if variants.lookup(element, sfx) else "fa_act"
    return f"{prefix}_{element}_{sfx}"


def _signature(element, T, rows):
    """(return type, [(C type, name)]) of F(element) in formulas*.h."""
    for row in rows:
        for kernel in row.kernels:
            if row.kind == catalog.AXIS:
                if element == kernel + "_row":
                    return "void", [("fa_intp", "n"), (f"const {T} *", "x"), ("fa_intp", "sx"),
                                    (f"{T} *", "y"), ("fa_intp", "sy")]
                for source in ("x", "y"):
                    middle = "_backward" if source == "x" else "_backward_y"
                    if element == kernel + middle + "_row":
                        return "void", [("fa_intp", "n"), (f"const {T} *", "g"), ("fa_intp", "sg"),
                                        (f"const {T} *", source), ("fa_intp", "s" + source),
                                        (f"{T} *", "out"), ("fa_intp", "so")]
                continue
            params = [(T, p.name) for p in row.array_params + row.numeric_params]
            if element in (kernel, kernel + "_grad"):
                return T, [(T, "x")] + params
            if element == kernel + "_grad_y":
                return T, [(T, "y")] + params
    raise ValueError(f"fastact/_build/variants.py: no formula {element!r} in the catalog")


@dataclass(frozen=True)
class ChosenFunction:
    """A `fa_chosen_<element>_<dtype>` function of variant_table.h: per
    variant, the table's function (under its condition) or the generic
    formula."""
    name: str
    ret: str
    params: str          # C parameter list
    bodies: tuple        # (variants, C statements), variants sharing a body together

    @property
    def branches(self):
        """(preprocessor line, statements) per body: #if, #elif, ..."""
        return [(("#if " if k == 0 else "#elif ")
                 + " || ".join(f"FA_VARIANT_IS({v})" for v in names), body)
                for k, (names, body) in enumerate(self.bodies)]


def _body(entry, impl, ret, names):
    generic = f"fa_act_{entry.element}_{entry.dtype}({', '.join(names)})"
    if impl is None:
        call, when = generic, ""
    else:
        call = f"{impl.function}({impl.args or names[0]})"
        when = impl.when
    if ret == "void":
        if when:
            raise ValueError(f"{entry.element}: a condition on a row kernel")
        return f"    {call};"
    if not when:
        return f"    return {call};"
    return f"    if ({when})\n        return {call};\n    return {generic};"


def chosen_functions(rows=None):
    rows = catalog.CATALOG if rows is None else rows
    seen = set()
    chosen = []
    for entry in variants.TABLE:
        key = (entry.element, entry.dtype)
        if key in seen:
            raise ValueError(f"fastact/_build/variants.py: {key} twice")
        seen.add(key)
        ret, params = _signature(entry.element, CTYPES[entry.dtype], rows)
        names = [name for _, name in params]
        bodies = {}
        for variant in variants.VARIANTS:
            body = _body(entry, entry.impl(variant), ret, names)
            bodies.setdefault(body, []).append(variant)
        chosen.append(ChosenFunction(
            f"fa_chosen_{entry.element}_{entry.dtype}", ret,
            ", ".join(f"{ctype}{'' if ctype.endswith('*') else ' '}{name}" for ctype, name in params),
            tuple((tuple(variants), body) for body, variants in bodies.items())))
    return chosen


def _args(n):
    return "".join(f", a{i}" for i in range(n))


def ufunc_specs(rows=None):
    rows = catalog.CATALOG if rows is None else rows
    specs = []
    seen = set()
    for row in rows:
        for kernel in row.kernels:
            if kernel in seen:
                continue
            seen.add(kernel)
            n = len(row.numeric_params)
            # array parameters (prelu's weight) follow x as array operands
            w = tuple(p.name for p in row.array_params)
            a = "".join(f", {v}" for v in w) + _args(n)
            mp = row.min_parallel_pair
            if row.kind == catalog.AXIS:
                specs.append(UfuncSpec(kernel, kernel, "forward", ("x",), 0, "",
                                       mp, True, f"{row.name} along the last axis: {row.formula}",
                                       row.halves))
                if row.halves:     # backward from x: (g, x) -> dL/dx
                    specs.append(UfuncSpec(kernel + "_backward", kernel, "backward",
                                           ("g", "x"), 0, "", mp, True,
                                           f"dL/dx of {row.name} from dL/dy and the input x",
                                           True))
                else:
                    specs.append(UfuncSpec(kernel + "_backward_y", kernel, "backward_y",
                                           ("g", "y"), 0, "", mp, True,
                                           f"dL/dx of {row.name} from dL/dy and the output y"))
                continue
            params = tuple(p.name for p in row.numeric_params)
            specs.append(UfuncSpec(kernel, kernel, "forward", ("x",) + w, n,
                                   f"F({kernel})(x{a})", mp, False,
                                   f"{row.name}(x): {row.formula}", params=params))
            specs.append(UfuncSpec(kernel + "_grad", kernel, "grad", ("x",) + w, n,
                                   f"F({kernel}_grad)(x{a})", mp, False,
                                   f"derivative of {row.name} at x", params=params))
            specs.append(UfuncSpec(kernel + "_backward", kernel, "backward", ("g", "x") + w, n,
                                   f"g * F({kernel}_grad)(x{a})", mp, False,
                                   f"dL/dx of {row.name} from dL/dy and the input x",
                                   params=params))
            for v in w:       # dL/d(weight) per element, before the reduction
                specs.append(UfuncSpec(f"{kernel}_backward_{v}", kernel, "backward_" + v,
                                       ("g", "x") + w, n, f"g * F({kernel}_grad_{v})(x{a})",
                                       mp, False,
                                       f"dL/d{v} of {row.name} per element (not reduced)",
                                       params=params))
            if row.has_grad_y:
                specs.append(UfuncSpec(kernel + "_backward_y", kernel, "backward_y",
                                       ("g", "y"), n, f"g * F({kernel}_grad_y)(y{a})",
                                       mp, False,
                                       f"dL/dx of {row.name} from dL/dy and the output y",
                                       params=params))
    return specs


def render(src):
    """Write ``kernels/kernels.c`` and ``kernels/variant_table.h`` under the C
    source folder `src` from their templates, each only if its text changed
    (an unchanged file keeps its time stamp: no rebuild).  Tempita ships
    with Cython, a build requirement (imported here: fastact.reference uses
    this module at run time, where Cython need not be installed)."""
    from Cython.Tempita import sub

    folder = os.path.join(src, "kernels")
    for name, values in (("kernels.c", dict(specs=ufunc_specs())),
                         ("variant_table.h", dict(variants=variants.VARIANTS,
                                                  chosen=chosen_functions()))):
        with open(os.path.join(folder, name + ".tp")) as f:
            text = sub(f.read(), **values)
        target = os.path.join(folder, name)
        if os.path.exists(target):
            with open(target) as f:
                if f.read() == text:
                    continue
        with open(target, "w") as f:
            f.write(text)
