"""Test the fastact that can actually run.

`python -m pytest` puts this directory first on sys.path, so `import fastact`
would find the source tree, which has no compiled module unless it was built
in place (python setup.py build_ext --inplace).  In that case the tree is
taken off sys.path and the installed package (pip install .) is tested.
Either way, a session without the compiled module stops with a clear message
instead of silently testing the pure-NumPy fallback (set FASTACT_PURE_PYTHON=1
to test that on purpose).
"""

import glob
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

if not glob.glob(os.path.join(HERE, "fastact", "_ext.*")):
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]


def pytest_configure(config):
    import fastact
    pure = os.environ.get("FASTACT_PURE_PYTHON", "") not in ("", "0")
    if not pure and fastact.config()["backend"] != "compiled":
        pytest.exit(f"fastact imported from {os.path.dirname(fastact.__file__)} has no "
                    f"compiled module ({fastact.config().get('reason')}); run "
                    "`pip install .` or `python setup.py build_ext --inplace` first",
                    returncode=2)
