"""Markdown generated from the catalog: the README function table, the
accuracy table of docs/accuracy.md and the function reference
docs/functions.md.  `python tools/update_docs.py` writes them;
tests/test_docs.py fails when a file is out of date."""

from fastact import catalog

README_MARKERS = ("<!-- functions:start -->", "<!-- functions:end -->")
ACCURACY_MARKERS = ("<!-- bounds:start -->", "<!-- bounds:end -->")
REFERENCE_MARKERS = ("<!-- reference:start -->", "<!-- reference:end -->")


def _params(row):
    return ", ".join(f"{p.name}={p.default!r}" for p in row.params) or "—"


def _from_y(row):
    if row.backward_from_y is True:
        return "yes"
    if callable(row.backward_from_y):
        return "yes*"
    return "no"


def _ulp(u):
    return "—" if u is None else f"{u.float32:g} / {u.float64:g}"


def function_table():
    lines = ["| function | aliases | parameters (defaults) | formula | backward from y |",
             "|---|---|---|---|---|"]
    for row in catalog.CATALOG:
        lines.append(f"| `{row.name}` | {', '.join(row.aliases) or '—'} | {_params(row)} | "
                     f"{row.formula} | {_from_y(row)} |")
    lines.append("")
    lines.append("yes*: depends on the parameters (" + "; ".join(
        f"{row.name}: {row.from_y_when}" for row in catalog.CATALOG if row.from_y_when) + ").")
    return "\n".join(lines)


def bounds_table():
    lines = ["| function | forward | derivative from x | backward from y |",
             "|---|---|---|---|"]
    for row in catalog.CATALOG:
        lines.append(f"| `{row.name}` | {_ulp(row.ulp)} | "
                     f"{'—' if row.kind == catalog.AXIS else _ulp(row.ulp_grad)} | "
                     f"{_ulp(row.ulp_grad_y)} |")
    return "\n".join(lines)


def _ulp_line(row):
    parts = [f"forward {_ulp(row.ulp)}"]
    if row.kind == catalog.ELEMENTWISE:
        parts.append(f"derivative {_ulp(row.ulp_grad)}")
    if row.ulp_grad_y is not None:
        parts.append(("backward" if row.halves else "backward from y")
                     + f" {_ulp(row.ulp_grad_y)}")
    return "; ".join(parts) + " (float32 / float64)"


def function_reference():
    """One section per function, then the differences from other libraries."""
    lines = []
    for row in catalog.CATALOG:
        lines += [f"### `{row.name}`", "", f"`{row.formula}`", ""]
        if row.aliases:
            lines.append(f"- aliases: {', '.join(f'`{a}`' for a in row.aliases)}")
        for p in row.params:
            lines.append(f"- `{p.name}` = `{p.default!r}`: {p.doc}")
        lines.append(f"- output range: {row.output_range}")
        from_y = _from_y(row)
        lines.append("- backward from the output (`y=`): "
                     + (f"yes when {row.from_y_when}" if from_y == "yes*" else from_y))
        lines.append(f"- max error in ULP: {_ulp_line(row)}")
        if row.notes:
            lines.append(f"- {row.notes}")
        lines.append("")
    lines += ["## Where definitions or defaults differ from PyTorch, Keras 3 and JAX", "",
              "| function | difference |", "|---|---|"]
    for row in catalog.CATALOG:
        if row.differences:
            lines.append(f"| `{row.name}` | {row.differences} |")
    return "\n".join(lines)


def replace_between(text, markers, body):
    start, end = markers
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"
