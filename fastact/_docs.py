"""Markdown generated from the catalog: the README function table and the
accuracy table of docs/accuracy.md.  `python tools/update_docs.py` writes
them; tests/test_docs.py fails when a file is out of date."""

from . import catalog

README_MARKERS = ("<!-- functions:start -->", "<!-- functions:end -->")
ACCURACY_MARKERS = ("<!-- bounds:start -->", "<!-- bounds:end -->")


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
    lines.append("yes*: depends on the parameters (relu: negative_slope >= 0, threshold >= 0; "
                 "leaky_relu: negative_slope >= 0; elu: alpha > 0; softplus: threshold=None).")
    return "\n".join(lines)


def bounds_table():
    lines = ["| function | forward | derivative from x | backward from y |",
             "|---|---|---|---|"]
    for row in catalog.CATALOG:
        lines.append(f"| `{row.name}` | {_ulp(row.ulp)} | "
                     f"{'—' if row.kind == catalog.AXIS else _ulp(row.ulp_grad)} | "
                     f"{_ulp(row.ulp_grad_y)} |")
    return "\n".join(lines)


def replace_between(text, markers, body):
    start, end = markers
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"
