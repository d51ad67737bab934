"""Reliability: concurrent Python threads, fork, leaks, huge index ranges.

* 8 Python threads calling different functions at once, on shared
  read-only inputs and private outputs, above the parallel thresholds (so
  fastact's thread pool is busy), give the single-threaded results bit for
  bit; an output overlapping an input is right with threads too.
* A process that has used fastact's threads forks (multiprocessing's
  "fork" start method); the child calls fastact with threads and neither
  hangs nor computes wrongly (checked with a timeout), also when another
  thread was inside the pool at the fork, and when GNU OpenMP had a team
  of threads at the fork (fastact never starts one: its threads are its
  own pool in fastact/src/runtime/runtime.c, reset in the child by a
  pthread_atfork handler).
* Every function, on every success and error path, called many times,
  leaves tracemalloc's traced memory and the RSS flat.
* Index arithmetic past 2^31 elements: views whose elements sit more than
  2^31 element positions apart (in a sparse file), and (slow) one loop
  over more than 2^31 elements.
"""

import gc
import mmap
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc

import numpy as np
import pytest

import fastact as fa
from fastact import catalog
from helpers import grad_x
from test_errors import bad_params

ROWS = list(catalog.CATALOG)

needs_threads = pytest.mark.skipif(
    fa._compiled is None or not fa._compiled.has_pool(),
    reason="serial build: no threads")


def base(row):
    return row.param_sets()[0]


def parallel_input(row, dtype, seed=0):
    """Read-only input above the row's parallel threshold: 2 threads."""
    n = 2 * row.min_parallel + 17
    x = (np.random.default_rng(seed).normal(size=n) * 4).astype(dtype)
    if row.kind == catalog.AXIS:
        x = x[: n - n % 16].reshape(-1, 16)
    x.flags.writeable = False
    return x


def directions(row):
    """(name, call(f, x, g, out)) for each direction of `row`."""
    p = base(row)
    calls = [("forward", lambda f, x, g, out: f(x, out=out, **p)),
             ("backward", lambda f, x, g, out: grad_x(f.backward(g, x, out=out, **p)))]
    if row.kind == catalog.ELEMENTWISE:
        calls.append(("derivative", lambda f, x, g, out: f.derivative(x, out=out, **p)))
    return calls


# ---- concurrency ------------------------------------------------------------------

@needs_threads
def test_eight_python_threads_calling_different_functions():
    """Every row runs on one of 8 Python threads, all at once; each call
    is large enough for the pool, which serves one call at a time (the
    others run on their own thread).  Results equal those of a quiet
    single-threaded run, bit for bit (they never depend on the thread
    count)."""
    work = []          # (thread index, row, direction, f, x, g, expected)
    with fa.num_threads(1):
        for i, row in enumerate(ROWS):
            f = getattr(fa, row.name)
            for dtype in (np.float32, np.float64):
                x = parallel_input(row, dtype, seed=i)
                g = np.ones_like(f(x, **base(row)))
                g.flags.writeable = False
                for name, call in directions(row):
                    work.append((i % 8, row.name, name, call, f, x, g,
                                 call(f, x, g, None)))
    failures = []
    start = threading.Barrier(8)

    def run(index):
        mine = [w for w in work if w[0] == index]
        start.wait()
        for _ in range(3):
            for _, name, direction, call, f, x, g, expected in mine:
                out = np.empty_like(expected)
                try:
                    call(f, x, g, out)
                    np.testing.assert_array_equal(out, expected)
                except Exception as error:      # noqa: BLE001  (reported below)
                    failures.append((name, direction, error))

    with fa.num_threads(2):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not failures, failures[:5]


@needs_threads
def test_output_overlapping_an_input_with_threads():
    """out = x shifted back by one element: NumPy passes this overlap to
    the loop without a copy (writing in order never overwrites an element
    not yet read), but chunks on two threads ran out of order and read
    overwritten inputs (exp(exp(42)) = inf in ~40% of calls; found by the
    thorough hypothesis run).  Such calls now run serially; in place
    stays parallel."""
    n = 2 * catalog.BY_NAME["exponential"].min_parallel + 7
    base = np.full(n + 1, 42.0)
    base[::7] = -3.0
    want = fa.exponential(base[1:].copy())
    with fa.num_threads(2):
        for _ in range(200):
            b = base.copy()
            fa.exponential(b[1:], out=b[:-1])
            np.testing.assert_array_equal(b[:-1], want)
            b = base.copy()
            fa.gelu.derivative(b[1:], out=b[:-1], approximate="tanh")
            np.testing.assert_array_equal(b[:-1], fa.gelu.derivative(base[1:], approximate="tanh"))
        rows = np.random.default_rng(3).normal(size=(3001, 64))
        b = rows.copy()
        fa.softmax(b[1:], out=b[:-1])
        np.testing.assert_array_equal(b[:-1], fa.softmax(rows[1:]))


# ---- fork ---------------------------------------------------------------------------

FORK_TIMEOUT = 120      # seconds; a working child needs well under one


def big_inputs():
    x = np.random.default_rng(7).normal(size=2_000_003) * 5
    return x, x.astype(np.float32), np.random.default_rng(8).normal(size=(4000, 500))


def fastact_results():
    """Multi-threaded calls of several kinds (elementwise, strided, rows)."""
    x, x32, rows = big_inputs()
    with fa.num_threads(2):
        return [fa.sigmoid(x), fa.tanh(x32), fa.softplus(x[::3]),
                fa.gelu.backward(x, x), fa.softmax(rows), fa.glu(rows)]


def child_check(expected, queue):
    try:
        got = fastact_results()
        ok = all(np.array_equal(a, b) for a, b in zip(got, expected))
        queue.put("ok" if ok else "wrong results")
    except BaseException as error:      # noqa: BLE001  (sent to the parent)
        queue.put(repr(error))


def run_forked_child(expected):
    """The child's verdict, or a failure if it does not finish in time."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=child_check, args=(expected, queue))
    child.start()
    child.join(FORK_TIMEOUT)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"the forked child hung (no result after {FORK_TIMEOUT} s)")
    assert child.exitcode == 0, f"child exit code {child.exitcode}"
    return queue.get(timeout=10)


@needs_threads
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_forked_child_can_use_threads():
    expected = fastact_results()              # the parent's helpers are running
    assert run_forked_child(expected) == "ok"
    # and the parent's pool still works after the fork
    for a, b in zip(fastact_results(), expected):
        np.testing.assert_array_equal(a, b)


@needs_threads
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_while_another_thread_is_inside_the_pool():
    """The fork happens while a Python thread runs multi-threaded calls:
    the child inherits a busy pool state that no thread of its own will
    ever release (the atfork handler resets it)."""
    expected = fastact_results()
    x = np.random.default_rng(9).normal(size=4_000_000)
    stop = threading.Event()

    def busy():
        with fa.num_threads(2):
            while not stop.is_set():
                fa.mish(x)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        time.sleep(0.05)
        verdicts = [run_forked_child(expected) for _ in range(3)]
    finally:
        stop.set()
        worker.join()
    assert verdicts == ["ok"] * 3


def loaded_libgomp():
    """The path of the libgomp the compiled module uses, or None."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "libgomp" in os.path.basename(path) and os.path.exists(path):
                return path
    return None


@needs_threads
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc and libgomp")
def test_fork_after_gnu_openmp_started_its_team():
    """GNU OpenMP's thread pool is not fork-safe: a child that enters a
    parallel region after its parent had one waits for threads that do
    not exist.  fastact never enters one, so a child whose parent ran a
    libgomp team still gets fastact's threads.  (The team is started here
    by calling libgomp's GOMP_parallel directly, with a C callback.)"""
    import ctypes
    path = loaded_libgomp()
    if path is None:
        pytest.skip("libgomp is not loaded")
    gomp = ctypes.CDLL(path)
    gomp.omp_get_thread_num.restype = ctypes.c_int
    seen = set()
    lock = threading.Lock()

    @ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    def body(_):
        with lock:
            seen.add(gomp.omp_get_thread_num())

    gomp.GOMP_parallel(body, None, 2, 0)
    assert seen == {0, 1}             # a team of 2 ran: libgomp's pool exists now
    expected = fastact_results()
    assert run_forked_child(expected) == "ok"


@needs_threads
@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc/self/task")
def test_fastact_starts_only_its_own_helpers():
    """In a fresh process, multi-threaded calls start exactly threads - 1
    helper threads and no OpenMP team (which would add threads of its
    own)."""
    code = """if 1:
        import os, numpy as np, fastact as fa
        fa.set_num_threads(2)
        fa.sigmoid(np.ones(10))                       # everything loaded, no helper yet
        before = len(os.listdir("/proc/self/task"))
        x = np.ones(2_000_000)
        for f in (fa.sigmoid, fa.tanh, fa.softmax):
            f(x)
        fa.gelu.backward(x, x)
        print(len(os.listdir("/proc/self/task")) - before, fa.get_num_threads() - 1)
    """
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(fa.__file__)))
    env.pop("FASTACT_PURE_PYTHON", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    started, helpers = done.stdout.split()
    assert started == helpers          # 1 on a machine with 2 CPUs or more


# ---- leaks ----------------------------------------------------------------------------

def call_paths(row):
    """(success paths, error paths) of `row`: each a list of (label,
    call).  Error paths raise; success paths return."""
    f = getattr(fa, row.name)
    p = base(row)
    x = np.linspace(-3, 3, 12)
    x32, x16 = x.astype(np.float32), x.astype(np.float16)
    y = f(x, **p)
    g = np.ones_like(y)
    out = np.empty_like(y)
    gout = np.empty_like(x)
    ok = [("forward", lambda: f(x, **p)),
          ("forward float32", lambda: f(x32, **p)),
          ("forward float16", lambda: f(x16, **p)),
          ("forward int", lambda: f(np.arange(-6, 6), **p)),
          ("forward list", lambda: f(x.tolist(), **p)),
          ("forward out", lambda: f(x, out=out, **p)),
          ("backward", lambda: f.backward(g, x, **p)),
          ("backward out", lambda: f.backward(g, x, out=gout, **p))]
    if not row.halves:
        ok.append(("forward scalar", lambda: f(0.5, **p)))
    if row.from_y_allowed(p):
        ok.append(("backward y", lambda: f.backward(g, y=y, **p)))
    if row.kind == catalog.ELEMENTWISE:
        ok.append(("derivative", lambda: f.derivative(x, **p)))
    for i, params in enumerate(row.param_sets()[1:]):
        ok.append((f"example {i}", lambda params=params: f(x, **params)))

    readonly = np.empty_like(y)
    readonly.flags.writeable = False
    bad = [("complex x", lambda: f(x.astype(complex), **p)),
           ("object x", lambda: f(x.astype(object), **p)),
           ("string x", lambda: f(np.array(["a", "b"]), **p)),
           ("ragged list", lambda: f([[1.0], [1.0, 2.0]], **p)),
           ("complex grad", lambda: f.backward(g.astype(complex), x, **p)),
           ("read-only out", lambda: f(x, out=readonly, **p)),
           ("out shape", lambda: f(x, out=out[:-1], **p)),
           ("out dtype", lambda: f(x, out=out.astype(np.float32), **p)),
           ("out list", lambda: f(x, out=[0.0] * y.size, **p)),
           ("backward neither", lambda: f.backward(g, **p)),
           ("backward both", lambda: f.backward(g, x, y=y, **p)),
           ("backward shapes", lambda: f.backward(np.ones(5), x, **p))]
    if not row.from_y_allowed(p):
        bad.append(("backward y not allowed", lambda: f.backward(g, y=y, **p)))
    for params, _, _ in bad_params(row):
        merged = dict(p, **params)
        bad.append((f"params {params}", lambda merged=merged: f(x, **merged)))
        bad.append((f"backward params {params}",
                    lambda merged=merged: f.backward(g, x, **merged)))
    for q in row.params:
        if q.default is catalog.REQUIRED:
            rest = {k: v for k, v in p.items() if k != q.name}
            bad.append((f"missing {q.name}", lambda rest=rest: f(x, **rest)))
    if row.kind == catalog.AXIS:
        bad += [("axis out of range", lambda: f(x, axis=3)),
                ("derivative", lambda: f.derivative(x))]
    if row.halves:
        bad += [("odd length", lambda: f(x[:5])), ("0-d", lambda: f(1.0))]
    return ok, bad


def error_paths_count():
    return sum(len(call_paths(row)[1]) for row in ROWS)


def test_every_error_path_raises_and_every_success_path_returns():
    for row in ROWS:
        ok, bad = call_paths(row)
        for _label, call in ok:
            call()
        for _label, call in bad:
            with pytest.raises((TypeError, ValueError), match=rf"fastact\.{row.name}"):
                call()


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def leak_figures(calls_per_function, rows=ROWS):
    """{row: (calls, traced before, traced after, RSS before, RSS after)}
    in bytes: memory after a warm-up of two calls per path, and after
    `calls_per_function` more calls spread over every path."""
    figures = {}
    tracemalloc.start()
    try:
        for row in rows:
            ok, bad = call_paths(row)
            paths = ok + bad
            rounds = max(1, calls_per_function // len(paths))

            def run(times, ok=ok, bad=bad):
                for _ in range(times):
                    for _, call in ok:
                        call()
                    for _, call in bad:
                        try:
                            call()
                        except (TypeError, ValueError):
                            pass

            run(2)
            gc.collect()
            traced, rss = tracemalloc.get_traced_memory()[0], rss_bytes()
            run(rounds)
            gc.collect()
            figures[row.name] = (rounds * len(paths), traced,
                                 tracemalloc.get_traced_memory()[0], rss, rss_bytes())
    finally:
        tracemalloc.stop()
    return figures


# One function per shape of signature: no parameter, scalar parameters,
# a string option, an array parameter, an axis row, a halving row.
QUICK_LEAK_ROWS = [catalog.BY_NAME[name] for name in
                   ("sigmoid", "elu", "threshold", "gelu", "prelu", "softmax", "glu")]

# A leak of one small array per call is >= 100 bytes per call.
TRACED_TOLERANCE = 64 * 1024
RSS_TOLERANCE = 4 * 1024 * 1024
# AddressSanitizer (tools/sanitize.sh) holds freed memory in quarantine:
# the RSS grows there without a leak; traced memory still counts.
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")


def growth(figures):
    """{row: (traced growth, RSS growth)}"""
    return {name: (f[2] - f[1], f[4] - f[3]) for name, f in figures.items()}


def assert_flat(figures):
    grew = {name: g for name, g in growth(figures).items()
            if g[0] > TRACED_TOLERANCE or (g[1] > RSS_TOLERANCE and not UNDER_ASAN)}
    assert not grew, f"(traced bytes, RSS bytes) grew: {grew}"


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_no_leaks_quick():
    """A thousand calls over every path of one function of each shape of
    signature (every function: the slow test below)."""
    assert_flat(leak_figures(1_000, QUICK_LEAK_ROWS))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_no_leaks_10k_calls_per_function():
    """10 000 calls per function: a leak of even 7 bytes per call passes
    the tolerance (64 kB)."""
    figures = leak_figures(10_000)
    for name, (calls, t0, t1, r0, r1) in figures.items():    # shown with pytest -s
        print(f"{name:16} {calls:7d} calls  traced {t0:9d} -> {t1:9d} B"
              f"  RSS {r0 / 2**20:7.2f} -> {r1 / 2**20:7.2f} MiB")
    assert_flat(figures)
    # the total: a leak spread thinly over every function shows here
    assert sum(g[0] for g in growth(figures).values()) < 4 * TRACED_TOLERANCE
    assert UNDER_ASAN or sum(g[1] for g in growth(figures).values()) < 4 * RSS_TOLERANCE


# ---- past 2^31 elements ---------------------------------------------------------

FAR = 2 ** 31 + 5        # element positions between neighbours of the views


@pytest.fixture(scope="module")
def sparse_bytes():
    """A 40 GB sparse file mapped into memory: only the pages touched take
    space (a few)."""
    size = 40 * 2 ** 30
    with tempfile.TemporaryFile() as f:
        try:
            f.truncate(size)
            mapped = mmap.mmap(f.fileno(), size)
        except (OSError, ValueError, OverflowError) as error:
            pytest.skip(f"no 40 GB sparse mapping here: {error}")
        try:
            yield np.frombuffer(mapped, np.uint8)
        finally:
            gc.collect()
            try:
                mapped.close()
            except BufferError:        # a view still alive: the OS unmaps at exit
                pass


def far_view(buffer, dtype, offset, stride, n=2):
    """n elements of `dtype`, `stride` bytes apart, from byte `offset`."""
    return np.ndarray((n,), dtype, buffer=buffer, offset=offset, strides=(stride,))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_views_spanning_more_than_2_31_elements(sparse_bytes, row, dtype):
    """x, grad and out hold 2 elements FAR element positions apart (out
    with a negative stride): the loops get steps of 2^31+ elements (the
    row kernels of axis functions too: the row runs along that stride).
    Forward and backward give what the same values give in a small array."""
    item = np.dtype(dtype).itemsize
    far = FAR * item
    assert far + 4096 < sparse_bytes.size
    x = far_view(sparse_bytes, dtype, 0, far)
    g = far_view(sparse_bytes, dtype, 64, far, 1 if row.halves else 2)
    x[...] = [-1.5, 0.25]
    g[...] = [0.5, -2.0][:g.size]
    small_x, small_g = x.copy(), g.copy()
    f = getattr(fa, row.name)
    params = base(row)
    want = f(small_x, **params)
    out = far_view(sparse_bytes, dtype, far + 256, -far, want.size)
    assert f(x, out=out, **params) is out
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(x, small_x)
    want_back = grad_x(f.backward(small_g, small_x, **params))
    out = far_view(sparse_bytes, dtype, far + 512, -far)
    np.testing.assert_array_equal(grad_x(f.backward(g, x, out=out, **params)), want_back)
    np.testing.assert_array_equal(out, want_back)
    if row.from_y_allowed(params):
        np.testing.assert_array_equal(f.backward(g, y=x, out=out, **params),
                                      f.backward(small_g, y=small_x, **params))


def available_memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_one_loop_over_more_than_2_31_elements(dtype):
    """sigmoid over 2^31 + 4099 elements in one call: float16 (one serial
    loop) and float32 (the thread pool's chunks).  x comes from calloc'd,
    untouched pages (no memory) but for a few marked values; out is real
    memory (4.3 GB / 8.6 GB: skipped without 1.5 times that available)."""
    n = 2 ** 31 + 4099
    need = n * np.dtype(dtype).itemsize
    if available_memory() < 1.5 * need:
        pytest.skip(f"needs {1.5 * need / 2 ** 30:.1f} GB of available memory")
    x = np.zeros(n, dtype)
    marks = np.array([5, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 31 + 2048, n - 1])
    values = np.array([-3.0, 1.5, -0.5, 2.0, -7.0, 4.0], dtype)
    x[marks] = values
    out = np.empty(n, dtype)
    try:
        with fa.num_threads(2):
            fa.sigmoid(x, out=out)
        np.testing.assert_array_equal(out[marks], fa.sigmoid(values))
        zero = fa.sigmoid(np.zeros(1, dtype))[0]
        sample = np.unique(np.concatenate([np.linspace(0, n - 1, 10_001).astype(np.int64),
                                           np.arange(2 ** 31 - 70, 2 ** 31 + 70)]))
        sample = sample[~np.isin(sample, marks)]
        assert (out[sample] == zero).all()
    finally:
        del x, out
