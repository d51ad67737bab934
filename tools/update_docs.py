"""Rewrite the generated parts of README.md, docs/accuracy.md and
docs/functions.md, and the type stubs fastact/__init__.pyi and
fastact/reference.pyi, from the catalog.  Run after editing
fastact/catalog.py."""

import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
# docgen and stubgen sit beside this script (its directory is on sys.path)
import docgen  # noqa: E402
import stubgen  # noqa: E402

TARGETS = [("README.md", docgen.README_MARKERS, docgen.function_table),
           (os.path.join("docs", "accuracy.md"), docgen.ACCURACY_MARKERS, docgen.bounds_table),
           (os.path.join("docs", "functions.md"), docgen.REFERENCE_MARKERS,
            docgen.function_reference)]


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
        write_if_changed(path, docgen.replace_between(text, markers, make()))
    for name, make in stubgen.STUBS:
        write_if_changed(os.path.join("fastact", name), make())


if __name__ == "__main__":
    main()
