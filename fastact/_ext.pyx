# cython: language_level=3
"""The compiled core: turns the generated C loop table into np.ufunc objects.

The loops themselves are C (fastact/src/kernels/kernels.c, generated from the catalog
by setup.py): Cython cannot emit ``#pragma omp simd``, and the loops are
compiled once per instruction-set variant.  This module picks the variant,
builds one genuine ``np.ufunc`` per table entry and owns the thread limit.
NumPy releases the GIL around every loop call (no object dtypes).
"""

cimport cython
from cpython.mem cimport PyMem_Malloc
cimport numpy as cnp
import numpy as np

cnp.import_array()
cnp.import_ufunc()

cdef extern from "runtime/fa_runtime.h":
    ctypedef struct fa_ufunc_def:
        const char *name
        const char *doc
        int nin
        int nout
        const char *signature
        int ntypes
        const char *types
        cnp.PyUFuncGenericFunction loops[3]
    ctypedef struct fa_variant:
        const char *name
        const fa_ufunc_def *table
        int supported
    int fa_variants(const fa_variant **out)
    void fa_set_thread_limit(int n)
    void fa_set_min_parallel_override(cnp.npy_intp n)
    int fa_get_thread_limit()
    int fa_have_pool()
    long long fa_pool_jobs()


cdef object _make_ufunc(const fa_ufunc_def *d):
    """One np.ufunc from a table entry.  NumPy keeps the pointers it is
    given, so the arrays are allocated once and live as long as the process."""
    cdef int nop = d.nin + d.nout
    cdef char *types = <char *>PyMem_Malloc(d.ntypes * nop)
    cdef void **data = <void **>PyMem_Malloc(d.ntypes * sizeof(void *))
    if types == NULL or data == NULL:
        raise MemoryError("fastact: cannot allocate ufunc tables")
    cdef int i
    for i in range(d.ntypes * nop):
        types[i] = <char>np.dtype(chr(d.types[i])).num
    for i in range(d.ntypes):
        data[i] = NULL
    return cnp.PyUFunc_FromFuncAndDataAndSignature(
        <cnp.PyUFuncGenericFunction *>d.loops, data, types, d.ntypes,
        d.nin, d.nout, cnp.PyUFunc_None, d.name, d.doc, 0, d.signature)


def variants():
    """[(name, supported_by_this_cpu)] for every variant compiled in."""
    cdef const fa_variant *v
    cdef int n = fa_variants(&v)
    return [(v[i].name.decode(), bool(v[i].supported)) for i in range(n)]


def make_ufuncs(str variant):
    """{name: np.ufunc} for the named variant's table."""
    cdef const fa_variant *v
    cdef int n = fa_variants(&v)
    cdef const fa_ufunc_def *d
    for i in range(n):
        if v[i].name.decode() == variant:
            d = v[i].table
            break
    else:
        raise ValueError(f"fastact: no kernel variant {variant!r} in this build")
    ufuncs = {}
    while d.name != NULL:
        ufuncs[d.name.decode()] = _make_ufunc(d)
        d += 1
    return ufuncs


def set_thread_limit(int n):
    """The process-wide thread limit every kernel call reads (n >= 1)."""
    fa_set_thread_limit(n)


def get_thread_limit():
    return fa_get_thread_limit()


def has_pool():
    """Whether this build has the thread pool (POSIX); else calls run serially."""
    return bool(fa_have_pool())


def pool_jobs():
    """How many calls the pool has split over more than one thread so far
    (for tests: a limit of 1 must leave it unchanged)."""
    return fa_pool_jobs()


def set_min_parallel_override(cnp.npy_intp n):
    """n > 0: every kernel uses threads from n elements per thread on,
    whatever its catalog threshold (for tools/measure_thresholds.py);
    0 restores the catalog thresholds."""
    fa_set_min_parallel_override(n)


@cython.auto_pickle(False)
cdef class FastCall:
    """Base of the compiled backend's Activation objects.

    ``f(x)`` and ``f(x, out=out)`` with default parameters, a float32/float64
    ndarray and (if given) a writeable ``out`` ndarray of the same dtype and
    shape in native byte order call the ufunc from C: the Python method
    call, keyword parsing and checks would otherwise cost more than the
    1-element kernel call itself (5 us against 1 for out=).  So do keyword
    parameters that ``_call`` has checked before (``_remember_params``).
    Every other call goes to the Python method ``_call``, which applies the
    same rules (tests/test_fast_paths.py compares both paths).
    """
    cdef object _fast_ufunc
    cdef tuple _fast_args32, _fast_args64
    cdef bint _fast_0d
    cdef bint _fast_axis
    cdef object _bwd_x_ufunc
    cdef object _bwd_y_ufunc
    cdef tuple _bwd_args32, _bwd_args64
    cdef bint _bwd_0d
    cdef dict _kw_cache

    def _set_fast_path(self, ufunc, tuple args32, tuple args64, bint zero_d=True,
                       bint axis=False):
        """ufunc(x, *args) is f(x) with the defaults, args32/args64 the
        parameters for float32/float64 x; ufunc None: no fast path; zero_d
        False: not for 0-d x (NumPy 1.x, fastact/_api/activation.py _WEAK_SCALARS);
        axis: a gufunc along the last axis, which axis=-1 (or ndim - 1)
        also names."""
        self._fast_ufunc = ufunc
        self._fast_args32 = args32
        self._fast_args64 = args64
        self._fast_0d = zero_d
        self._fast_axis = axis

    def _set_fast_backward(self, x_ufunc, y_ufunc, tuple args32, tuple args64,
                           bint zero_d=True):
        """x_ufunc(grad, x, *args) and y_ufunc(grad, y, *args) are
        backward(grad, x) and backward(grad, y=y) with the defaults (None:
        no fast path); zero_d False: not for 0-d operands."""
        self._bwd_x_ufunc = x_ufunc
        self._bwd_y_ufunc = y_ufunc
        self._bwd_args32 = args32
        self._bwd_args64 = args64
        self._bwd_0d = zero_d

    def _remember_params(self, int direction, str char, dict params, ufunc, tuple args):
        """Remember ufunc(v, *args) (forward, direction 0) or ufunc(grad, v,
        *args) (backward from x, 1; from y, 2) for keyword ``params`` whose
        values are all Python floats or str (gelu's approximate='tanh'; not
        ints or bools: True == 1 == 1.0 would share a key), on float32 ('f')
        or float64 ('d') arrays: fastact/_api/activation.py's _with_params checks them
        once and calls this; __call__ and _param_backward then skip the
        Python path."""
        for v in params.values():
            if type(v) is not float and type(v) is not str:
                return
        if self._kw_cache is None or len(self._kw_cache) >= 64:
            self._kw_cache = {}
        self._kw_cache[(direction, char, *params.items())] = (ufunc, args)

    cdef object _remembered(self, int direction, cnp.ndarray v, dict params):
        """(ufunc, args) remembered for these float or str params on v's
        dtype, or None."""
        cdef int t = cnp.PyArray_TYPE(v)
        if self._kw_cache is None or not cnp.PyArray_ISNOTSWAPPED(v) \
                or (t != cnp.NPY_FLOAT and t != cnp.NPY_DOUBLE):
            return None
        for value in params.values():
            if type(value) is not float and type(value) is not str:
                return None
        return self._kw_cache.get((direction, "f" if t == cnp.NPY_FLOAT else "d",
                                   *params.items()))

    def _param_backward(self, grad, x, y, out, dict params):
        """backward(grad, x | y=, out=, **params) for remembered params
        (_remember_params) on same-dtype, same-shape ndarrays; None for every
        other call."""
        cdef int direction = 1
        if type(grad) is not cnp.ndarray:
            return None
        if y is None:
            v = x
        elif x is None:
            v, direction = y, 2
        else:
            return None
        if type(v) is not cnp.ndarray or cnp.PyArray_NDIM(<cnp.ndarray>v) == 0 \
                or cnp.PyArray_TYPE(<cnp.ndarray>grad) != cnp.PyArray_TYPE(<cnp.ndarray>v) \
                or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>grad) \
                or not _same_shape(<cnp.ndarray>grad, <cnp.ndarray>v):
            return None
        entry = self._remembered(direction, <cnp.ndarray>v, params)
        if entry is None:
            return None
        if out is None:
            return entry[0](grad, v, *entry[1])
        if _plain_out(<cnp.ndarray>v, out):
            return entry[0](grad, v, *entry[1], out=out)
        return None

    def _fast_backward(self, grad, x, y, out):
        """backward(grad, x | y=, out=) with the defaults on same-dtype,
        same-shape float32/float64 ndarrays in native byte order: the result
        straight from the ufunc; None for every other call (the Python
        method's general path).  Activation.backward calls this first: the
        checks in Python would cost more than a 1000-element kernel."""
        cdef int t
        if type(grad) is not cnp.ndarray:
            return None
        if y is None:
            fn, v = self._bwd_x_ufunc, x
        elif x is None:
            fn, v = self._bwd_y_ufunc, y
        else:
            return None
        if fn is None or type(v) is not cnp.ndarray:
            return None
        t = cnp.PyArray_TYPE(<cnp.ndarray>v)
        if (t != cnp.NPY_FLOAT and t != cnp.NPY_DOUBLE) \
                or cnp.PyArray_TYPE(<cnp.ndarray>grad) != t \
                or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>v) \
                or not cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>grad) \
                or not (self._bwd_0d or cnp.PyArray_NDIM(<cnp.ndarray>v) > 0) \
                or not _same_shape(<cnp.ndarray>grad, <cnp.ndarray>v):
            return None
        args = self._bwd_args32 if t == cnp.NPY_FLOAT else self._bwd_args64
        if out is None:
            return fn(grad, v, *args)
        if _plain_out(<cnp.ndarray>grad, out):
            return fn(grad, v, *args, out=out)
        return None

    def __reduce__(self):
        return self._reduce()       # by name (fastact/_api/activation.py)

    def __call__(self, x, out=None, **params):
        cdef int t
        if params and self._fast_axis and len(params) == 1 and type(x) is cnp.ndarray:
            axis = params.get("axis")          # an int naming the last axis: the default
            if type(axis) is int and (axis == -1 or axis == cnp.PyArray_NDIM(<cnp.ndarray>x) - 1):
                params = None
        if not params and self._fast_ufunc is not None and type(x) is cnp.ndarray \
                and (self._fast_0d or cnp.PyArray_NDIM(<cnp.ndarray>x) > 0):
            t = cnp.PyArray_TYPE(<cnp.ndarray>x)
            if t == cnp.NPY_FLOAT or t == cnp.NPY_DOUBLE:
                args = self._fast_args32 if t == cnp.NPY_FLOAT else self._fast_args64
                if out is None:
                    if not args:
                        return self._fast_ufunc(x)
                    return self._fast_ufunc(x, *args)
                if _plain_out(<cnp.ndarray>x, out):
                    return self._fast_ufunc(x, *args, out=out)
        if params and type(x) is cnp.ndarray and cnp.PyArray_NDIM(<cnp.ndarray>x) > 0:
            entry = self._remembered(0, <cnp.ndarray>x, params)
            if entry is not None:
                if out is None:
                    return entry[0](x, *entry[1])
                if _plain_out(<cnp.ndarray>x, out):
                    return entry[0](x, *entry[1], out=out)
        return self._call(x, out, **(params or {}))


cdef inline bint _plain_out(cnp.ndarray like, out):
    """out: a writeable native ndarray of like's dtype and shape"""
    return type(out) is cnp.ndarray \
        and cnp.PyArray_TYPE(<cnp.ndarray>out) == cnp.PyArray_TYPE(like) \
        and cnp.PyArray_ISWRITEABLE(<cnp.ndarray>out) \
        and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>out) \
        and _same_shape(like, <cnp.ndarray>out)


cdef inline bint _same_shape(cnp.ndarray a, cnp.ndarray b):
    cdef int ndim = cnp.PyArray_NDIM(a), i
    if cnp.PyArray_NDIM(b) != ndim:
        return False
    for i in range(ndim):
        if cnp.PyArray_DIMS(a)[i] != cnp.PyArray_DIMS(b)[i]:
            return False
    return True
