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
import warnings

from . import _threads, catalog
from ._api import activation as _activation
from ._threads import get_num_threads, num_threads, set_num_threads

__version__ = "0.1.0"

_PURE_ENV = os.environ.get("FASTACT_PURE_PYTHON", "") not in ("", "0")
_compiled = None     # the extension module fastact._ext, when it imports
_compiled_error = None
_variant = None

if not _PURE_ENV:
    try:
        from . import _ext as _compiled
    except ImportError as error:  # pragma: no cover - depends on the install
        _compiled_error = error
        warnings.warn(
            "fastact: the compiled module could not be imported "
            f"({error}); using the pure-NumPy reference implementations, "
            "which are much slower. Reinstall with a C compiler available "
            "(pip install --force-reinstall --no-binary fastact fastact), or "
            "set FASTACT_PURE_PYTHON=1 to silence this warning.",
            RuntimeWarning, stacklevel=2)

from . import reference  # noqa: E402  (needs the modules above)

CPU_VARIANTS = ("baseline", "avx2", "avx512")


def _select_variant(built):
    """The kernel variant to use: FASTACT_CPU if set (never above what this
    CPU supports), else the best one the CPU supports."""
    usable = [name for name, supported in built if supported]
    wanted = os.environ.get("FASTACT_CPU", "").strip().lower()
    if not wanted:
        return usable[-1]
    if wanted not in CPU_VARIANTS:
        warnings.warn(f"fastact: FASTACT_CPU={wanted!r} is not one of "
                      f"{', '.join(CPU_VARIANTS)}; using {usable[-1]}",
                      RuntimeWarning, stacklevel=3)
        return usable[-1]
    if wanted not in usable:
        below = [n for n in usable if CPU_VARIANTS.index(n) < CPU_VARIANTS.index(wanted)]
        warnings.warn(f"fastact: FASTACT_CPU={wanted} is not available on this "
                      f"{'CPU' if wanted in dict(built) else 'build'}; using {below[-1]}",
                      RuntimeWarning, stacklevel=3)
        return below[-1]
    return wanted


if _compiled is not None:
    _variant = _select_variant(_compiled.variants())
    _backend = _compiled.make_ufuncs(_variant)
    _threads.init(_compiled)
    from . import _ufuncs  # noqa: E402,F401  (the ufuncs pickle by name)
else:
    _backend = reference.BACKEND
    _threads.init(None)

_activations = _activation.build(_backend, "fastact", getattr(_compiled, "FastCall", None))
globals().update(_activations)
globals().update({alias: _activations[name] for alias, name in catalog.ALIASES.items()})

Activation = _activation.Activation

from . import nn  # noqa: E402  (layers for NumPy networks; uses the functions above)


def names():
    """Canonical names of all activations, catalog order."""
    return [row.name for row in catalog.CATALOG]


def get(name):
    """The activation called `name` (canonical name or alias)."""
    return _activations[catalog.lookup(name).name]


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
    elif _PURE_ENV:
        info["reason"] = "FASTACT_PURE_PYTHON is set"
    else:
        info["reason"] = f"compiled module unavailable: {_compiled_error}"
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
