#!/usr/bin/env python3
"""Regenerate every generated file of fastact from its source of truth.

    python tools/regenerate.py            rewrite what is out of date
    python tools/regenerate.py --check    change nothing; exit 1 naming each
                                          committed file that is out of date

What it runs (each step is a script of its own, runnable alone):
* tools/derive/*.py: the coefficients and tables in fastact/src/generated/
  (mpmath and NumPy; about 3 minutes, nearly all derive_coefficients.py);
* tools/update_docs.py: the README and docs tables and the type stubs, from
  the catalog;
* fastact/_build/codegen.py's render(): the C kernels and the variant table
  from the catalog and the templates.  These are build outputs (setup.py
  renders them at every build, they are not committed); rendering them here
  shows a template error without a build.

--check runs everything in a temporary copy of the tree and compares.

Some derive scripts fit polynomials with NumPy's least squares, whose last
bits depend on the BLAS kernels that run: the committed tables come from
OpenBLAS (as NumPy's wheels ship it) with its Haswell kernels on one thread,
pinned below, so that every run computes the same bits.  With another BLAS a
last bit may differ, and --check names the file.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PINNED = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
          "FASTACT_PURE_PYTHON": "1"}    # the docs and stubs need the catalog, not the kernels
RENDER = ("import sys; from fastact._build import codegen; "
          "codegen.render(sys.argv[1])")
# Committed files the steps write (relative to the root).
COMMITTED = (["README.md", "docs/accuracy.md", "docs/functions.md",
              "fastact/__init__.pyi", "fastact/reference.pyi"]
             + sorted(os.path.relpath(p, ROOT).replace(os.sep, "/") for p in
                      glob.glob(os.path.join(ROOT, "fastact", "src", "generated", "*.h"))))
# Left out of the temporary copy: version control, build products, caches.
NOT_COPIED = shutil.ignore_patterns(".git", "build", "dist", "*.so", "*.pyd", "*.o",
                                    "__pycache__", "*.egg-info", ".venv", "venv")


def steps(root):
    """(name, argv) of every generator, the slowest first."""
    derive = sorted(glob.glob(os.path.join(root, "tools", "derive", "derive_*.py")),
                    key=lambda p: not p.endswith("derive_coefficients.py"))
    return ([(os.path.relpath(p, root), [sys.executable, p]) for p in derive]
            + [("tools/update_docs.py", [sys.executable, os.path.join(root, "tools",
                                                                   "update_docs.py")]),
               ("codegen.render", [sys.executable, "-c", RENDER,
                                   os.path.join(root, "fastact", "src")])])


def run_all(root):
    """Run every step in `root`; the names of those that failed."""
    env = dict(os.environ, **PINNED)

    def run(step):
        name, argv = step
        done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
        if done.returncode:
            print(f"{name} failed:\n{done.stdout}{done.stderr}", file=sys.stderr)
        return name, done.returncode

    todo = steps(root)
    with ThreadPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
        return [name for name, code in pool.map(run, todo) if code]


def read(root, path):
    with open(os.path.join(root, path), "rb") as f:
        return f.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a committed generated file is stale")
    args = parser.parse_args(argv)

    before = {path: read(ROOT, path) for path in COMMITTED}
    with tempfile.TemporaryDirectory() as tmp:
        root = ROOT
        if args.check:
            root = os.path.join(tmp, "fastact")
            shutil.copytree(ROOT, root, ignore=NOT_COPIED)
        failed = run_all(root)
        changed = [path for path in COMMITTED if read(root, path) != before[path]]
    for path in changed:
        print(f"{'stale' if args.check else 'rewritten'}: {path}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 2
    if args.check and changed:
        print("python tools/regenerate.py rewrites them; commit the result", file=sys.stderr)
        return 1
    if not changed:
        print(f"all {len(COMMITTED)} committed generated files are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
