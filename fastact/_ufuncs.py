"""The compiled ufuncs as attributes of an importable module, so they pickle.

NumPy pickles a ufunc by reference: its ``__module__`` and ``__name__``.
With ``__module__`` pointing here, ``fa.sigmoid.ufunc`` (and graphs that hold
it, e.g. ``fa.sigmoid.ufunc(dask_array)``) can be sent to dask.distributed
workers and multiprocessing pools, which import fastact and find the same
ufunc by name.  fastact/__init__.py imports this when the compiled module
is in use (the ufuncs are fastact._core's backend).
"""

from ._core import backend as _backend

for _ufunc in _backend.values():
    try:
        _ufunc.__module__ = __name__
    except AttributeError:
        # NumPy < 2.1: read-only.  Pickle then finds the ufunc by searching
        # the imported modules for its name, and finds it here.
        pass
globals().update(_backend)
del _ufunc
