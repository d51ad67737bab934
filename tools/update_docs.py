"""Rewrite the generated parts of README.md, docs/accuracy.md and
docs/functions.md, and the type stubs fastact/__init__.pyi and
fastact/reference.pyi, from the catalog.  Run after editing
fastact/catalog.py."""

import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from fastact import _docs, _stubs  # noqa: E402

TARGETS = [("README.md", _docs.README_MARKERS, _docs.function_table),
           (os.path.join("docs", "accuracy.md"), _docs.ACCURACY_MARKERS, _docs.bounds_table),
           (os.path.join("docs", "functions.md"), _docs.REFERENCE_MARKERS,
            _docs.function_reference)]


def write_if_changed(path, text):
    full = os.path.join(ROOT, path)
    old = None
    if os.path.exists(full):
        with open(full) as f:
            old = f.read()
    if text != old:
        with open(full, "w") as f:
            f.write(text)
        print(f"updated {path}")


def main():
    for path, markers, make in TARGETS:
        with open(os.path.join(ROOT, path)) as f:
            text = f.read()
        write_if_changed(path, _docs.replace_between(text, markers, make()))
    for name, make in _stubs.STUBS:
        write_if_changed(os.path.join("fastact", name), make())


if __name__ == "__main__":
    main()
