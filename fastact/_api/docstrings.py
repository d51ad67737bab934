"""numpydoc docstrings and call signatures of the public functions, generated
from the catalog: ``f.__doc__``, ``f.backward.__doc__``,
``f.derivative.__doc__`` and the ``inspect.signature`` of each (which
``help()`` shows).  The type stubs (``tools/stubgen.py``) use the same
parameter lists.  tests/test_docstrings.py runs every Examples section.
"""

import inspect
import textwrap

from .. import catalog

_P = inspect.Parameter

# check -> (numpydoc type, sentence on the accepted values)
_CHECK_DOC = {
    "finite": ("float", "Must be finite."),
    "positive": ("float", "Must be finite and > 0."),
    "nonnegative": ("float", "Must be finite and >= 0."),
    "finite_or_none": ("float or None", "Must be finite, or None."),
    "real": ("float", "Any real number (NaN and infinities included)."),
    "int": ("int", "An integer; negative values count from the last axis."),
    "array": ("float or array_like",
              "Real numbers; cast to the result dtype (never promoting it)."),
}


def from_y(row):
    """"always", "never", or the condition (words) under which backward
    accepts ``y=``."""
    if row.backward_from_y is True:
        return "always"
    if callable(row.backward_from_y):
        return row.from_y_when
    return "never"


# ---- signatures --------------------------------------------------------

def _keyword_params(row):
    return [_P(p.name, _P.KEYWORD_ONLY,
               default=_P.empty if p.default is catalog.REQUIRED else p.default)
            for p in row.params]


def parameters(row, method):
    """The inspect.Parameters (without self) of ``method``: "__call__",
    "backward" or "derivative".  backward has ``y=`` only where the row can
    take it, and ``x`` is then optional."""
    if method == "backward":
        takes_y = from_y(row) != "never"
        x = _P("x", _P.POSITIONAL_OR_KEYWORD, default=None if takes_y else _P.empty)
        head = [_P("grad", _P.POSITIONAL_OR_KEYWORD), x]
        if takes_y:
            head.append(_P("y", _P.KEYWORD_ONLY, default=None))
        head.append(_P("out", _P.KEYWORD_ONLY, default=None))
    else:
        head = [_P("x", _P.POSITIONAL_OR_KEYWORD),
                _P("out", _P.POSITIONAL_OR_KEYWORD, default=None)]
    return head + _keyword_params(row)


def signature(row, method, bound=True):
    """inspect.Signature of ``method``; ``bound=False`` adds ``self`` (for
    the function behind a bound method)."""
    params = parameters(row, method)
    if not bound:
        params.insert(0, _P("self", _P.POSITIONAL_OR_KEYWORD))
    return inspect.Signature(params)


# ---- docstrings ---------------------------------------------------------

def _ulp(u):
    return f"{u.float32:g} ULP for float32, {u.float64:g} ULP for float64"


def _param_entries(row):
    lines = []
    for p in row.params:
        if p.check == "choice":
            kind = "{" + ", ".join(map(repr, p.choices)) + "}"
            if p.value_aliases:
                kind += " or bool"
            accepted = "; ".join(f"{synonym!r} means {value!r}"
                                 for synonym, value in p.value_aliases)
            check = f"One of {', '.join(map(repr, p.choices))}" + (
                f" ({accepted})." if accepted else ".")
        else:
            kind, check = _CHECK_DOC[p.check]
        default = ("required, keyword-only" if p.default is catalog.REQUIRED
                   else f"default {p.default!r}")
        lines += [f"{p.name} : {kind}, {default}",
                  f"    {p.doc[0].upper()}{p.doc[1:]}. {check}"]
    return lines


def _x_entry(row):
    if row.halves:
        what = "Input values; the length of ``axis`` must be even (halves a, b)."
    elif row.kind == catalog.AXIS:
        what = "Input values; the function is applied to each 1-d slice along ``axis``."
    else:
        what = "Input values."
    return ["x : array_like",
            f"    {what} float32 and float64 are computed natively, float16",
            "    in float32, bool and integers in float64."]


_OUT_ENTRY = ["out : ndarray, optional",
              "    Array to write the result into, of the result's shape and dtype",
              "    (checked before any work); it may be ``x`` itself (in place)."]

_TYPE_ERROR = ("    An unsupported dtype (complex, object, strings, datetimes), an "
               "unknown keyword, or a parameter of the wrong type.")
_VALUE_ERROR = ["ValueError",
                "    A parameter outside its range, or an ``out`` of the wrong shape "
                "or read-only."]
_RAISES = ["TypeError", _TYPE_ERROR] + _VALUE_ERROR

WIDTH = 79


def _wrap(lines):
    """Lines longer than WIDTH wrapped, keeping their indentation."""
    wrapped = []
    for line in lines:
        if len(line) <= WIDTH:
            wrapped.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        wrapped += textwrap.wrap(line.strip(), WIDTH, initial_indent=indent,
                                 subsequent_indent=indent, break_on_hyphens=False) or [""]
    return wrapped


def _section(title, body):
    return ["", title, "-" * len(title)] + (body if title == "Examples" else _wrap(body))


def _call(row, params=""):
    return f"{row.name}(x{', ' + params if params else ''})"


def _imports(module):
    if module not in ("fastact", "fastact.reference"):
        module = "fastact"
    alias = "fa" if module == "fastact" else "ref"
    return alias, [">>> import numpy as np", f">>> import {module} as {alias}"]


def _needed_params(row):
    """Keyword arguments for a call in a generic example: the first test
    parameter set of a row whose parameters are required (threshold)."""
    if not row.has_required:
        return ""
    return ", ".join(f"{k}={v!r}" for k, v in row.examples[0].items())


def _notes(row):
    lines = [f"Output range: {row.output_range}."]
    accuracy = [f"Maximum error of the result: {_ulp(row.ulp)}"]
    if row.kind == catalog.ELEMENTWISE:
        accuracy.append(f"of the derivative (and backward from x): {_ulp(row.ulp_grad)}")
    if row.ulp_grad_y is not None:
        accuracy.append(("of backward" if row.halves else "of backward from y")
                        + f": {_ulp(row.ulp_grad_y)}")
    lines += ["", "; ".join(accuracy) + " (tested against mpmath)."]
    rule = from_y(row)
    lines.append("")
    if rule == "always":
        lines.append(f"``{row.name}.backward`` accepts the forward output ``y=`` instead "
                     "of ``x``: the derivative is a function of the output, so the "
                     "forward pass may run in place.")
    elif rule == "never":
        lines.append(f"``{row.name}.backward`` needs the forward input ``x``: the "
                     "derivative is not a function of the output.")
    else:
        lines.append(f"``{row.name}.backward`` accepts the forward output ``y=`` "
                     f"instead of ``x`` when {rule}.")
    if row.aliases:
        lines += ["", "Also available as " + ", ".join(f"``{a}``" for a in row.aliases) + "."]
    if row.notes:
        lines += ["", row.notes]
    if row.differences:
        lines += ["", row.differences]
    return lines


def function_doc(row, module="fastact"):
    """The numpydoc docstring of the forward function."""
    where = "along ``axis``" if row.kind == catalog.AXIS else "elementwise"
    lines = [f"The ``{row.name}`` activation, {where}.", "",
             f"    {row.name}(x) = {row.formula}"]   # one line: the formula verbatim
    if row.params:
        lines += ["", "Parameters after ``out`` are keyword-only and checked before any work."]
    lines += _section("Parameters", _x_entry(row) + _OUT_ENTRY + _param_entries(row))
    shape = ("x's shape with ``axis`` halved" if row.halves else "x's shape")
    lines += _section("Returns", [
        "ndarray or scalar",
        f"    {row.name}(x), of {shape} and x's dtype (float64 for bool and",
        "    integers); a NumPy scalar for a scalar x; ``out`` when given."])
    lines += _section("Raises", _RAISES)
    lines += _section("See Also", [
        f"{row.name}.backward : The gradient dL/dx from dL/dy.",
        f"{row.name}.derivative : The derivative f'(x)" + (
            " (elementwise functions only)." if row.kind == catalog.AXIS else "."),
        f"fastact.reference.{row.name} : The pure-NumPy twin."])
    lines += _section("Notes", _notes(row))
    alias, examples = _imports(module)
    for ex in row.doc_examples:
        params = f", {ex.params}" if ex.params else ""
        examples += [f">>> x = np.array({ex.x})",
                     f">>> {alias}.{row.name}(x{params}).round(4).tolist()  # {ex.why}",
                     ex.result]
    if row.doc_examples:
        params = f", {row.doc_examples[0].params}" if row.doc_examples[0].params else ""
    else:   # a new row without its DocExample yet (tests/test_docstrings.py asks for one)
        params = _needed_params(row) and ", " + _needed_params(row)
        examples.append(">>> x = np.array([-1.0, 0.5, 2.0])")
    examples += [f">>> {alias}.{row.name}(x.astype(np.float32){params}).dtype"
                 "  # float32 stays float32",
                 "dtype('float32')"]
    lines += _section("Examples", examples)
    return "\n".join(lines) + "\n"


def _gradient_example(row, module):
    """A doctest checking backward against central differences of
    L(x) = sum(grad * f(x)), plus backward from y where allowed."""
    alias, lines = _imports(module)
    f = f"{alias}.{row.name}"
    params = _needed_params(row)
    kw = f", {params}" if params else ""
    grad = "[1.0, -2.0]" if row.halves else "[1.0, -2.0, 0.5, 3.0]"
    lines += [">>> x = np.array([-1.7, -0.3, 0.6, 2.3])",
              f">>> grad = np.array({grad})  # dL/dy",
              f">>> loss = lambda x: np.sum(grad * {f}(x{kw}))"]
    if row.array_params:
        lines.append(f">>> grad_x, grad_{row.array_params[0].name} = {f}.backward(grad, x{kw})")
    else:
        lines.append(f">>> grad_x = {f}.backward(grad, x{kw})")
    lines += [">>> h = 1e-6",
              ">>> numeric = [(loss(x + h * e) - loss(x - h * e)) / (2 * h) for e in np.eye(4)]",
              ">>> bool(np.allclose(grad_x, numeric, rtol=1e-5, atol=1e-6))",
              "True"]
    for p in row.array_params:
        # dL/dweight for a scalar weight: the derivative of L in weight
        lines += [f">>> loss_{p.name} = lambda w: np.sum(grad * {f}(x, {p.name}=w))",
                  f">>> numeric = (loss_{p.name}({p.default} + h)"
                  f" - loss_{p.name}({p.default} - h)) / (2 * h)",
                  f">>> bool(np.allclose(grad_{p.name}, numeric, rtol=1e-5, atol=1e-6))",
                  "True"]
    if from_y(row) != "never" and row.from_y_allowed(dict(row.examples[0]) if params else {}):
        lines += [f">>> y = {f}(x{kw})",
                  f">>> bool(np.allclose({f}.backward(grad, y=y{kw}), grad_x))  # from the output",
                  "True"]
    return lines


def backward_doc(row, module="fastact"):
    """The numpydoc docstring of ``backward``."""
    rule = from_y(row)
    if row.kind == catalog.AXIS:
        what = ("the vector-Jacobian product of the forward pass along ``axis``"
                + (" (grad has x's shape with ``axis`` halved)" if row.halves else ""))
    else:
        what = f"``grad * {row.name}'(x)``, elementwise"
    lines = [f"Gradient of ``{row.name}``: dL/dx from dL/dy.", ""] + _wrap([f"Computes {what}."])
    entries = ["grad : array_like", "    The gradient dL/dy with respect to the output."]
    if rule == "never":
        entries += ["x : array_like", "    The forward input."]
    else:
        entries += ["x : array_like, optional",
                    "    The forward input. Pass exactly one of ``x`` and ``y``.",
                    "y : array_like, optional, keyword-only",
                    "    The forward output "
                    + ("" if rule == "always" else f"(accepted when {rule})")
                    + ("," if rule == "always" else ";") + " lets the forward pass run in place."]
    entries += ["out : ndarray, optional, keyword-only",
                "    Array to write dL/dx into; it may be ``grad`` or "
                + ("``x``." if rule == "never" else "``x`` or ``y``.")]
    entries += _param_entries(row)
    lines += _section("Parameters", entries)
    if row.array_params:
        name = row.array_params[0].name
        returns = ["grad_x : ndarray or scalar", "    dL/dx, of the broadcast shape of grad and x.",
                   f"grad_{name} : ndarray or scalar",
                   f"    dL/d{name}, summed over the axes {name} was broadcast along, so it "
                   f"has {name}'s shape."]
    else:
        returns = ["ndarray or scalar", "    dL/dx, of x's shape and the inputs' result dtype; "
                   "``out`` when given."]
    lines += _section("Returns", returns)
    raises = ["TypeError", ("    ``x`` missing" if rule == "never" else
                            "    Neither or both of ``x`` and ``y`` given; ``y`` where it "
                            "cannot be used")
              + "; " + _TYPE_ERROR.strip()[0].lower() + _TYPE_ERROR.strip()[1:]]
    lines += _section("Raises", raises + _VALUE_ERROR)
    see = [f"{row.name} : The forward function."]
    if row.kind == catalog.ELEMENTWISE:
        see.append(f"{row.name}.derivative : The derivative f'(x).")
    lines += _section("See Also", see)
    notes = []
    if row.kind == catalog.ELEMENTWISE:
        notes.append(f"Maximum error from x: {_ulp(row.ulp_grad)}.")
    if row.ulp_grad_y is not None:
        notes.append(("Maximum error" if row.halves else "Maximum error from y")
                     + f": {_ulp(row.ulp_grad_y)}.")
    lines += _section("Notes", [" ".join(notes)])
    lines += _section("Examples", _gradient_example(row, module))
    return "\n".join(lines) + "\n"


def derivative_doc(row, module="fastact"):
    """The numpydoc docstring of ``derivative``."""
    if row.kind == catalog.AXIS:
        alias, examples = _imports(module)
        lines = [f"Not available: ``{row.name}`` is not elementwise.", "",
                 f"Its Jacobian is a matrix; use ``{row.name}.backward`` for dL/dx."]
        lines += _section("Parameters", ["x : array_like", "    Input values (not used).",
                                         "out : ndarray, optional", "    Not used."]
                          + [f"{p.name} : {_CHECK_DOC[p.check][0]}, default {p.default!r}"
                             + "\n    Not used." for p in row.params])
        lines += _section("Returns", ["NoReturn", "    The call always raises."])
        lines += _section("Raises", ["TypeError", "    Always."])
        lines += _section("See Also", [f"{row.name}.backward : The gradient dL/dx from dL/dy."])
        examples += [f">>> {alias}.{row.name}.derivative(np.zeros(4))  # doctest: +ELLIPSIS",
                     "Traceback (most recent call last):",
                     "    ...",
                     f"TypeError: ...{row.name} is not elementwise (its Jacobian is a matrix)...",
                     ]
        lines += _section("Examples", examples)
        return "\n".join(lines) + "\n"
    alias, examples = _imports(module)
    f = f"{alias}.{row.name}"
    params = _needed_params(row)
    kw = f", {params}" if params else ""
    examples += [">>> x = np.array([-1.7, -0.3, 0.6, 2.3])",
                 ">>> h = 1e-6",
                 f">>> numeric = ({f}(x + h{kw}) - {f}(x - h{kw})) / (2 * h)",
                 f">>> bool(np.allclose({f}.derivative(x{kw}), numeric, rtol=1e-5, atol=1e-6))",
                 "True"]
    lines = [f"The derivative of ``{row.name}``, elementwise.", "",
             f"``{row.name}.backward(grad, x)`` is ``grad * {row.name}.derivative(x)``."]
    lines += _section("Parameters", ["x : array_like", "    Input values (the forward input)."]
                      + _OUT_ENTRY + _param_entries(row))
    lines += _section("Returns",
                      ["ndarray or scalar",
                       f"    {row.name}'(x) of x's shape and dtype; ``out`` when given."])
    lines += _section("Raises", _RAISES)
    lines += _section("See Also", [f"{row.name} : The forward function.",
                                   f"{row.name}.backward : The gradient dL/dx from dL/dy."])
    lines += _section("Notes", [f"Maximum error: {_ulp(row.ulp_grad)}. At a kink the "
                                "one-sided value PyTorch uses is returned."])
    lines += _section("Examples", examples)
    return "\n".join(lines) + "\n"
