"""Test the fastact that can actually run.

`python -m pytest` puts this directory on sys.path, so `import fastact`
would find the source tree, which has no compiled module unless it was built
in place (python setup.py build_ext --inplace).  In that case the tree is
taken off sys.path before fastact is first imported, so the installed
package (pip install .) is tested; once imported, fastact stays cached.
A session without the compiled module stops with a clear message instead
of silently testing the pure-NumPy fallback (FASTACT_PURE_PYTHON=1 tests
that on purpose).
"""

import importlib.machinery
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_configure(config):
    built = [os.path.join(HERE, "fastact", "_ext" + suffix)
             for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    if not any(os.path.exists(path) for path in built):
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]
    import fastact
    pure = os.environ.get("FASTACT_PURE_PYTHON", "") not in ("", "0")
    if not pure and fastact.config()["backend"] != "compiled":
        pytest.exit(f"fastact imported from {os.path.dirname(fastact.__file__)} has no "
                    f"compiled module ({fastact.config().get('reason')}); run "
                    "`pip install .` or `python setup.py build_ext --inplace` first",
                    returncode=2)


# Hypothesis profiles (tests/test_properties.py), derandomized so that runs
# are repeatable: "quick" is the default (the README's test command), 50
# examples per function; CI's passes over the other kernel variants use
# `--hypothesis-profile=ci`, 200 per function; `--hypothesis-profile=thorough` tries
# >= 10^4 per function.
try:
    from hypothesis import HealthCheck, settings
except ImportError:       # hypothesis is a test extra; its tests skip without it
    settings = None
if settings is not None:
    _slow_is_fine = dict(deadline=None, database=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
    settings.register_profile("quick", max_examples=50, derandomize=True, **_slow_is_fine)
    settings.register_profile("ci", max_examples=200, derandomize=True, **_slow_is_fine)
    settings.register_profile("thorough", max_examples=10_000, **_slow_is_fine)
    settings.load_profile("quick")
