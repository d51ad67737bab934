"""What every `python -m fastact` command does when an optional package is
missing: one message, one exit code."""

import importlib.util
import sys

MISSING_PACKAGE = 2      # exit code


def missing(command, module, install):
    """True, after printing ``fastact: <command> needs <module>: pip install
    <install>``, when `module` is not installed."""
    if importlib.util.find_spec(module) is not None:
        return False
    print(f"fastact: {command} needs {module}: pip install {install}", file=sys.stderr)
    return True
