"""Threading behaviour: the GIL is released while a kernel runs, and
concurrent calls from Python threads give correct results."""

import threading
import time

import numpy as np

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
