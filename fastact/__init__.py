"""fastact: fast, accurate activation functions for NumPy.

    import fastact as fa
    y = fa.sigmoid(x)                      # new array, same float dtype
    fa.sigmoid(x, out=x)                   # in place
    gx = fa.sigmoid.backward(gy, y=y)      # from the forward output
    gx = fa.silu.backward(gy, x)           # from the forward input

Every function is a row of ``fastact.catalog``; ``fa.names()`` lists them
and ``fa.reference`` holds the pure-NumPy twin of each.
"""

import os

from . import _core, _threads, catalog, reference
from ._api.activation import Activation
from ._core import CPU_VARIANTS  # noqa: F401  (public)
from ._threads import get_num_threads, num_threads, set_num_threads

__version__ = "0.1.0"

_compiled = _core.compiled     # the extension module fastact._ext, or None
_variant = _core.variant       # its instruction-set variant in use

globals().update(_core.activations)
globals().update({alias: _core.activations[name] for alias, name in catalog.ALIASES.items()})

if _compiled is not None:
    from . import _ufuncs  # noqa: F401  (the ufuncs pickle by name)

from . import nn  # noqa: E402, F401  (public: fa.nn, the layers for NumPy networks)


def names():
    """Canonical names of all activations, catalog order."""
    return [row.name for row in catalog.CATALOG]


def get(name):
    """The activation called `name` (canonical name or alias)."""
    return _core.activations[catalog.lookup(name).name]


def config():
    """The build and runtime configuration as a dict (see show_config)."""
    import numpy
    info = {
        "fastact": __version__,
        "numpy": numpy.__version__,
        "backend": "compiled" if _compiled is not None else "reference (pure NumPy)",
        "threads": get_num_threads(),
        "available_cpus": _threads.available_cpus(),
    }
    if _compiled is not None:
        info["thread_pool"] = ("fastact's own (no OpenMP runtime; OpenMP: simd only)"
                               if _compiled.has_pool() else "none (serial build)")
        info["simd_variants_built"] = [
            name + ("" if supported else " (not on this CPU)")
            for name, supported in _compiled.variants()]
        info["simd_variant_selected"] = _variant + (
            " (FASTACT_CPU)" if os.environ.get("FASTACT_CPU") else "")
    elif _core.PURE_ENV:
        info["reason"] = "FASTACT_PURE_PYTHON is set"
    else:
        info["reason"] = f"compiled module unavailable: {_core.compiled_error}"
    return info


def show_config():
    """Print version, backend, SIMD variants and threads."""
    for key, value in config().items():
        if isinstance(value, list):
            value = ", ".join(value)
        print(f"{key:>22}: {value}")


__all__ = (["names", "get", "show_config", "config", "set_num_threads",
            "get_num_threads", "num_threads", "reference", "catalog", "Activation"]
           + names() + list(catalog.ALIASES))
