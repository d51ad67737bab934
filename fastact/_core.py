"""The runtime core: picks the backend and builds the public functions.

The backend is the compiled module's ufuncs, of the instruction-set variant
this CPU supports (or FASTACT_CPU names), or, when the compiled module is
missing or FASTACT_PURE_PYTHON is set, the pure-NumPy twin's
(``fastact.reference``).  ``activations`` holds one ``Activation`` per
catalog row on that backend.  fastact/__init__.py publishes them;
``fastact.nn`` and ``fastact._ufuncs`` take them from here, so that nothing
imports the package's __init__ back.
"""

import os
import warnings

from . import _threads, reference
from ._api.activation import build

PURE_ENV = os.environ.get("FASTACT_PURE_PYTHON", "") not in ("", "0")
compiled = None     # the extension module fastact._ext, when it imports
compiled_error = None
variant = None

if not PURE_ENV:
    try:
        from . import _ext as compiled
    except ImportError as error:  # pragma: no cover - depends on the install
        compiled_error = error
        # stacklevel: this module, fastact/__init__.py, then who imports fastact
        warnings.warn(
            "fastact: the compiled module could not be imported "
            f"({error}); using the pure-NumPy reference implementations, "
            "which are much slower. Reinstall with a C compiler available "
            "(pip install --force-reinstall --no-binary fastact fastact), or "
            "set FASTACT_PURE_PYTHON=1 to silence this warning.",
            RuntimeWarning, stacklevel=3)

CPU_VARIANTS = ("baseline", "avx2", "avx512")


def select_variant(built):
    """The kernel variant to use: FASTACT_CPU if set (never above what this
    CPU supports), else the best one the CPU supports."""
    usable = [name for name, supported in built if supported]
    wanted = os.environ.get("FASTACT_CPU", "").strip().lower()
    if not wanted:
        return usable[-1]
    # stacklevel 4: this function, this module, fastact/__init__.py, then
    # who imports fastact
    if wanted not in CPU_VARIANTS:
        warnings.warn(f"fastact: FASTACT_CPU={wanted!r} is not one of "
                      f"{', '.join(CPU_VARIANTS)}; using {usable[-1]}",
                      RuntimeWarning, stacklevel=4)
        return usable[-1]
    if wanted not in usable:
        below = [n for n in usable if CPU_VARIANTS.index(n) < CPU_VARIANTS.index(wanted)]
        warnings.warn(f"fastact: FASTACT_CPU={wanted} is not available on this "
                      f"{'CPU' if wanted in dict(built) else 'build'}; using {below[-1]}",
                      RuntimeWarning, stacklevel=4)
        return below[-1]
    return wanted


if compiled is not None:
    variant = select_variant(compiled.variants())
    backend = compiled.make_ufuncs(variant)
    _threads.init(compiled)
else:
    backend = reference.BACKEND
    _threads.init(None)

activations = build(backend, "fastact", getattr(compiled, "FastCall", None))
