"""Thread count of the kernels.

Default: OMP_NUM_THREADS if set, else the CPUs this process may run on
(its affinity mask, capped by a cgroup CPU quota).  Kernels use threads only
above a per-kernel size (``catalog.MIN_PARALLEL``, measured), so small calls
stay on the calling thread.  Each call also uses at most OpenMP's
omp_get_max_threads() of the calling thread, so threadpoolctl's
threadpool_limits and omp_set_num_threads limit fastact too (docs/threads.md).
"""

import contextlib
import math
import operator
import os

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
    """Use at most `n` threads per kernel call (n >= 1)."""
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
    """The most threads one kernel call may use."""
    return _limit


@contextlib.contextmanager
def num_threads(n):
    """``with fastact.num_threads(1): ...`` limits threads inside the block."""
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


def init(ext):
    global _ext
    _ext = ext
    set_num_threads(default_threads())
