"""Rewrite the generated parts of README.md, docs/accuracy.md and
docs/functions.md from the catalog.  Run after editing fastact/catalog.py."""

import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from fastact import _docs  # noqa: E402

TARGETS = [("README.md", _docs.README_MARKERS, _docs.function_table),
           (os.path.join("docs", "accuracy.md"), _docs.ACCURACY_MARKERS, _docs.bounds_table),
           (os.path.join("docs", "functions.md"), _docs.REFERENCE_MARKERS,
            _docs.function_reference)]


def main():
    for path, markers, make in TARGETS:
        full = os.path.join(ROOT, path)
        with open(full) as f:
            text = f.read()
        new = _docs.replace_between(text, markers, make())
        if new != text:
            with open(full, "w") as f:
                f.write(new)
            print(f"updated {path}")


if __name__ == "__main__":
    main()
