"""The type stubs fastact/__init__.pyi and fastact/reference.pyi, generated
from the catalog: each function is an instance of its own class (``_Elu``)
whose ``__call__``, ``backward`` and ``derivative`` list its parameters, so
editors complete them and mypy checks them.  ``python tools/update_docs.py``
writes the files; tests/test_typing.py fails when they are out of date.
The parameter lists are those of the runtime signatures
(fastact/_api/docstrings.py)."""

import inspect
import textwrap

from fastact import catalog
from fastact._api import docstrings

# The stubs keep to ruff's line length (pyproject.toml [tool.ruff]).
LINE_LENGTH = 100

HEADER = ("# Generated from fastact/catalog.py by tools/update_docs.py "
          "(tools/stubgen.py); do not edit.\n")

# Parameter check -> annotation.
_TYPES = {"finite": "float", "positive": "float", "nonnegative": "float",
          "real": "float", "finite_or_none": "float | None",
          "int": "SupportsIndex", "array": "ArrayLike"}
_RESULT = "NDArray[np.floating[Any]]"
_SCALAR = "np.floating[Any]"

# The module-level API besides the functions (fastact/__init__.py).
MODULE_API = '''\
__version__: str
CPU_VARIANTS: tuple[str, ...]

def names() -> list[str]:
    """Canonical names of all activations, catalog order."""
def config() -> dict[str, Any]:
    """The build and runtime configuration as a dict (see show_config)."""
def show_config() -> None:
    """Print version, backend, SIMD variants and threads."""
def set_num_threads(n: SupportsIndex) -> None:
    """Use at most `n` threads per kernel call (n >= 1), for calls from every thread."""
def get_num_threads() -> int:
    """The most threads one kernel call may use (the limit the kernels read)."""
def num_threads(n: SupportsIndex) -> AbstractContextManager[None]:
    """``with fastact.num_threads(1): ...`` limits threads inside the block."""

class Activation:
    """An activation function: ``f(x)``, ``f.backward(grad, x | y=)``,
    ``f.derivative(x)`` and ``f.ufunc``."""
    name: str
    row: catalog.Row
    def __init__(self, row: catalog.Row, backend: Mapping[str, Any],
                 prefix: str = "fastact") -> None: ...
    @property
    def ufunc(self) -> np.ufunc: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def backward(self, *args: Any, **kwargs: Any) -> Any: ...
    def derivative(self, *args: Any, **kwargs: Any) -> Any: ...
'''

IMPORTS = '''\
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Literal, NoReturn, SupportsIndex, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import catalog as catalog
from . import reference as reference
'''


def class_name(row):
    return "_" + "".join(part.capitalize() for part in row.name.split("_"))


def _annotation(row, param):
    if param.name in ("x", "y", "grad"):
        return "ArrayLike" + (" | None" if param.default is None else "")
    if param.name == "out":
        return "NDArray[Any] | None"
    p = next(p for p in row.params if p.name == param.name)
    if p.check == "choice":
        return (f"Literal[{', '.join(map(repr, p.choices))}]"
                + (" | bool" if p.value_aliases else ""))
    return _TYPES[p.check]


def _arguments(row, method, scalar=False):
    """The stub's arguments (self first) for `method`, a list of texts;
    `scalar`: the overload taking a Python float and no out."""
    parts = ["self"]
    star = False
    for param in docstrings.parameters(row, method):
        if param.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if scalar and param.name in ("x", "out"):
            text = "x: float" if param.name == "x" else "out: None = None"
        else:
            text = f"{param.name}: {_annotation(row, param)}"
            if param.default is not inspect.Parameter.empty:
                text += f" = {param.default!r}"
        parts.append(text)
    return parts


def _fill(first, indent, pieces):
    """`pieces` joined by spaces in lines of at most LINE_LENGTH, the
    first line starting with `first`, the others with `indent`."""
    lines = [first + pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) <= LINE_LENGTH:
            lines[-1] += " " + piece
        else:
            lines.append(indent + piece)
    return lines


def _def(name, arguments, result, end):
    """The lines of a method's `def` (`end` ":" or ": ..."): one line where
    it fits in LINE_LENGTH, else the arguments filled in under the opening
    parenthesis, else (a long result type) in an indented block closed by
    the result's line."""
    head = f"    def {name}("
    tail = f") -> {result}{end}"
    if len(head + ", ".join(arguments) + tail) <= LINE_LENGTH:
        return [head + ", ".join(arguments) + tail]
    commas = [a + "," for a in arguments[:-1]]
    lines = _fill(head, " " * len(head), commas + [arguments[-1] + tail])
    if max(map(len, lines)) <= LINE_LENGTH:
        return lines
    return [head] + _fill(" " * 8, " " * 8, commas + [arguments[-1] + ","]) + ["    " + tail]


def _docstring(indent, text):
    """A one-paragraph docstring at `indent`, wrapped at LINE_LENGTH: after
    the commas and semicolons outside parentheses where that is enough,
    else at any space."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char in ",;" and depth == 0 and text[i + 1:i + 2] == " ":
            pieces.append(text[start:i + 1])
            start = i + 2
    pieces.append(text[start:])
    pieces[0] = '"""' + pieces[0]
    pieces[-1] += '"""'
    lines = _fill(indent, indent, pieces)
    if max(map(len, lines)) <= LINE_LENGTH:
        return lines
    return textwrap.wrap(f'"""{text}"""', LINE_LENGTH, initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def _method(name, arguments, result, doc_line):
    return _def(name, arguments, result, ":") + _docstring("        ", doc_line)


def _overloaded(row, name, doc_line):
    """A method taking a single input: a Python float gives a NumPy scalar,
    an array an array."""
    return (["    @overload"] + _def(name, _arguments(row, name, scalar=True), _SCALAR, ": ...")
            + ["    @overload"] + _method(name, _arguments(row, name), _RESULT, doc_line))


def function_class(row):
    """The class whose instance the function of `row` is."""
    lines = ([f"class {class_name(row)}(Activation):"]
             + _docstring("    ", f"{row.name}(x) = {row.formula}"))
    elementwise = row.kind == catalog.ELEMENTWISE
    call_doc = f"{row.name}(x), {'elementwise' if elementwise else 'along axis'}."
    if elementwise:
        lines += _overloaded(row, "__call__", call_doc)
    else:
        lines += _method("__call__", _arguments(row, "__call__"), _RESULT, call_doc)
    result = f"tuple[{_RESULT}, {_RESULT}]" if row.array_params else _RESULT
    lines += _method("backward", _arguments(row, "backward"), result,
                     "dL/dx from dL/dy = grad"
                     + (" and x." if docstrings.from_y(row) == "never" else
                        " and x, or y= (the forward output).")
                     + (" Returns (grad_x, grad_weight)." if row.array_params else ""))
    if elementwise:
        lines += _overloaded(row, "derivative", f"{row.name}'(x), elementwise.")
    else:
        lines += _method("derivative", ["self", "*args: Any", "**kwargs: Any"], "NoReturn",
                         f"Raises TypeError: {row.name} is not elementwise; use backward.")
    return lines


def _public_names():
    return [row.name for row in catalog.CATALOG] + list(catalog.ALIASES)


def _variables():
    lines = []
    for row in catalog.CATALOG:
        lines.append(f"{row.name}: {class_name(row)}")
        lines += [f"{alias}: {class_name(row)}" for alias in row.aliases]
    return lines


def _all(names):
    body = ",\n".join(f"    {name!r}" for name in names)
    return [f"__all__ = [\n{body},\n]"]


def init_stub():
    """The text of fastact/__init__.pyi."""
    lines = [HEADER, IMPORTS, MODULE_API]
    for row in catalog.CATALOG:
        lines += function_class(row) + [""]
    lines.append("")
    # get() with a literal canonical name or alias gives that function's type
    for row in catalog.CATALOG:
        literals = ", ".join(repr(n) for n in (row.name,) + row.aliases)
        lines += ["@overload", f"def get(name: Literal[{literals}]) -> {class_name(row)}: ..."]
    lines += ["@overload", "def get(name: str) -> Activation:",
              '    """The activation called `name` (canonical name or alias)."""', ""]
    lines += _variables() + [""]
    lines += _all(["names", "get", "show_config", "config", "set_num_threads",
                   "get_num_threads", "num_threads", "reference", "catalog",
                   "Activation"] + _public_names())
    return "\n".join(lines) + "\n"


def reference_stub():
    """The text of fastact/reference.pyi."""
    # in isort's order (case-insensitive), which ruff checks
    classes = sorted({class_name(row) for row in catalog.CATALOG}, key=str.lower)
    lines = [HEADER, "from typing import Any", "",
             "from . import (", *[f"    {c}," for c in classes], ")", "",
             "BACKEND: dict[str, Any]", ""]
    lines += _variables() + [""] + _all(_public_names())
    return "\n".join(lines) + "\n"


# (path inside the package, generator)
STUBS = (("__init__.pyi", init_stub), ("reference.pyi", reference_stub))
