"""Threading behaviour: the GIL is released while a kernel runs, and
concurrent calls from Python threads give correct results."""

import threading
import time

import numpy as np
import pytest

import fastact as fa


def test_gil_is_released_during_a_kernel():
    """While one thread runs long kernels, another Python thread keeps
    running: the longest pause it sees is far shorter than one kernel call
    (with the GIL held it would be at least one whole call)."""
    x = np.linspace(-5, 5, 40_000_000)    # one call takes tens of milliseconds
    out = np.empty_like(x)
    with fa.num_threads(1):                       # leave a core to the other thread
        start = time.perf_counter()
        fa.softplus(x, out=out)
        one_call = time.perf_counter() - start
        done = threading.Event()

        def work():
            for _ in range(5):
                fa.softplus(x, out=out)
            done.set()

        worker = threading.Thread(target=work)
        worker.start()
        longest, last = 0.0, time.perf_counter()
        while not done.is_set():
            now = time.perf_counter()
            longest, last = max(longest, now - last), now
        worker.join()
    assert longest < one_call / 2, (longest, one_call)


def test_concurrent_calls_from_python_threads():
    rng = np.random.default_rng(0)
    x = rng.normal(size=300_000) * 5
    names = fa.names()
    params = {name: fa.get(name).row.param_sets()[0] for name in names}
    expected = {name: fa.get(name)(x, **params[name]) for name in names}
    errors = []

    def work(name):
        try:
            for _ in range(3):
                np.testing.assert_array_equal(fa.get(name)(x, **params[name]), expected[name])
        except AssertionError as error:
            errors.append((name, error))

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# ---- the thread pool and its limits (issue 5) ------------------------------

needs_threads = pytest.mark.skipif(
    fa._compiled is None or not fa._compiled.openmp_version(),
    reason="serial build: no threads")


@needs_threads
def test_pool_caller_shares_the_work_and_results_match():
    """A 2-thread call (the pool of fastact/src/runtime.c) gives the bits of
    a 1-thread call, for contiguous, strided and row inputs, many times in a
    row (helpers arriving late must not touch a later call's arrays)."""
    x = np.random.default_rng(5).normal(size=1_000_003) * 6
    for dtype in (np.float32, np.float64):
        xs = x.astype(dtype)
        rows = xs[: 1000 * 1000].reshape(1000, 1000)
        with fa.num_threads(1):
            want = [fa.sigmoid(xs), fa.softplus(xs[::3]), fa.softmax(rows)]
        with fa.num_threads(2):
            for _ in range(20):
                got = [fa.sigmoid(xs), fa.softplus(xs[::3]), fa.softmax(rows)]
                for a, b in zip(want, got):
                    np.testing.assert_array_equal(a, b)


@needs_threads
def test_thread_cap_follows_omp_set_num_threads_limit():
    """The compiled cap is min(fastact's limit, omp_get_max_threads())."""
    with fa.num_threads(1):
        assert fa._compiled.thread_cap() == 1
    with fa.num_threads(2):
        assert 1 <= fa._compiled.thread_cap() <= 2


@needs_threads
def test_threadpoolctl_limits_fastact():
    """threadpoolctl.threadpool_limits(1) caps fastact at 1 thread (it sets
    OpenMP's limit, which fastact reads at every call), and lifts it after."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    x = np.random.default_rng(6).normal(size=600_000)
    with fa.num_threads(2):
        before = fa._compiled.thread_cap()
        want = fa.tanh(x)
        with threadpoolctl.threadpool_limits(limits=1):
            assert fa._compiled.thread_cap() == 1
            np.testing.assert_array_equal(fa.tanh(x), want)
        with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
            assert fa._compiled.thread_cap() == 1
        assert fa._compiled.thread_cap() == before
    apis = {info["internal_api"] for info in threadpoolctl.threadpool_info()}
    assert "openmp" in apis
