"""Thread count of the kernels: one process-wide limit.

Default: OMP_NUM_THREADS if set, else the CPUs this process may run on
(its affinity mask, capped by a cgroup CPU quota).  set_num_threads,
num_threads() and threadpoolctl's threadpool_limits change it for calls from
every thread; get_num_threads() is the limit the kernels read at every call.
Kernels use threads only above a per-kernel size (``catalog.MIN_PARALLEL``,
measured), so small calls stay on the calling thread.  No OpenMP runtime is
involved (docs/threads.md), so what limits OpenMP (omp_set_num_threads,
torch.set_num_threads) does not limit fastact, except through threadpoolctl.
"""

import contextlib
import importlib.abc
import math
import operator
import os
import sys

_limit = 1
_ext = None      # the compiled module, when there is one


def available_cpus():
    """CPUs this process may use: affinity mask, then cgroup v2/v1 quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return cpus


def _cgroup_cpu_quota():
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:           # cgroup v2
            quota, period = f.read().split()[:2]
            if quota != "max":
                return int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:                                                     # cgroup v1
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        if quota > 0 and period > 0:
            return quota / period
    except (OSError, ValueError):
        pass
    return None


def default_threads():
    env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if env:
        try:
            n = int(env)
            if n >= 1:
                return n
        except ValueError:
            pass
    return available_cpus()


def set_num_threads(n):
    """Use at most `n` threads per kernel call (n >= 1), for calls from every
    thread of the process."""
    global _limit
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"fastact.set_num_threads: n must be an integer, got {n!r}") from None
    if n < 1:
        raise ValueError(f"fastact.set_num_threads: n must be >= 1, got {n}")
    _limit = n
    if _ext is not None:
        _ext.set_thread_limit(n)


def get_num_threads():
    """The most threads one kernel call may use (the limit the kernels read)."""
    return _ext.get_thread_limit() if _ext is not None else _limit


@contextlib.contextmanager
def num_threads(n):
    """``with fastact.num_threads(1): ...`` limits threads inside the block.
    The limit is process-wide: calls from other threads see it too."""
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


# ---- threadpoolctl ------------------------------------------------------------
# fastact's pool declares user_api "openmp" (internal_api "fastact"): it
# stands where an OpenMP runtime would and honours OMP_NUM_THREADS, so
# threadpool_limits(n) and threadpool_limits(n, user_api="openmp") both
# limit it; user_api="blas" does not.  threadpoolctl finds the compiled
# module among the loaded libraries by its file name (_ext...) and an
# exported symbol of the pool.  Registered when threadpoolctl is imported,
# before or after fastact; fastact never imports it.

def _register(threadpoolctl):
    try:
        base, register = threadpoolctl.LibController, threadpoolctl.register
    except AttributeError:            # threadpoolctl < 3.2
        return

    class FastactController(base):
        user_api = "openmp"
        internal_api = "fastact"
        filename_prefixes = ("_ext",)
        check_symbols = ("fa_pool_jobs",)

        def get_num_threads(self):
            return get_num_threads()

        def set_num_threads(self, num_threads):
            set_num_threads(max(1, int(num_threads)))

        def get_version(self):
            return sys.modules["fastact"].__version__

    register(FastactController)


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Finds threadpoolctl through the other finders, with a loader that
    registers fastact's controller once the module has run (a spec that is
    only looked at, importlib.util.find_spec, registers nothing)."""

    def find_spec(self, name, path=None, target=None):
        if name != "threadpoolctl":
            return None
        for finder in sys.meta_path:
            find = None if finder is self else getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if hasattr(spec.loader, "exec_module"):
            exec_module = spec.loader.exec_module

            def exec_and_register(module):
                exec_module(module)
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                _register(module)
            spec.loader.exec_module = exec_and_register
        return spec


def _register_with_threadpoolctl():
    module = sys.modules.get("threadpoolctl")
    if module is not None:
        _register(module)
    elif "threadpoolctl" not in sys.modules:          # None there: import blocked
        sys.meta_path.insert(0, _RegisterOnImport())


def init(ext):
    global _ext
    _ext = ext
    set_num_threads(default_threads())
    if ext is not None:
        _register_with_threadpoolctl()
