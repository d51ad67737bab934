"""Python threads driving fastact's kernels and thread pool, for
ThreadSanitizer (tools/tsan.sh runs it against a -fsanitize=thread build;
it runs against any build, as a plain stress).

Every result is compared with the same call made on 1 thread before the
threads start: concurrent calls, in place (out=x), an output overlapping
its input one element on (the pool must run that serially), row functions
and a backward pass, while one thread changes the thread limit and the
min-parallel override and another keeps a core busy with NumPy work.

    python tools/tsan_threads.py [--seconds S]      # this checkout's fastact
    PYTHONPATH=DIR python tools/tsan_threads.py     # the fastact in DIR
"""

import argparse
import os
import sys
import threading
import time

import numpy as np

if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import fastact as fa  # noqa: E402

ELEMENTWISE = ["sigmoid", "relu", "softplus", "gelu", "silu", "tanh"]
ROWS = ["softmax", "log_softmax"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=3, help="caller threads")
    args = parser.parse_args()
    if fa._compiled is None:
        sys.exit("tsan_threads: fastact's compiled module is not importable")

    rng = np.random.default_rng(0)
    x = rng.normal(size=100_003) * 4           # above every kernel's 2-thread threshold
    x32 = x.astype(np.float32)
    rows = x[: 300 * 300].reshape(300, 300)
    grad = rng.normal(size=rows.shape)
    with fa.num_threads(1):
        want = {name: (fa.get(name)(x), fa.get(name)(x32)) for name in ELEMENTWISE}
        # out = x[:-1] over input x[1:]: element i is f(x[i + 1]) whatever the order
        shifted = {name: fa.get(name)(x[1:]) for name in ELEMENTWISE}
        want_rows = {name: fa.get(name)(rows) for name in ROWS}
        want_back = fa.softmax.backward(grad, rows)

    stop = threading.Event()
    errors, counts = [], {}

    def check(what, got, expected):
        if not np.array_equal(got, expected):
            errors.append(what)
            stop.set()

    def caller(i):
        r = np.random.default_rng(100 + i)
        n = 0
        while not stop.is_set():
            name = ELEMENTWISE[r.integers(len(ELEMENTWISE))]
            f = fa.get(name)
            check(name, f(x), want[name][0])
            check(name + " float32 strided", f(x32[::3]), want[name][1][::3])
            y = x.copy()
            f(y, out=y)                                  # in place
            check(name + " in place", y, want[name][0])
            y = x.copy()
            f(y[1:], out=y[:-1])                         # partial overlap
            check(name + " overlapping out", y[:-1], shifted[name])
            row = ROWS[r.integers(len(ROWS))]
            y = rows.copy()
            fa.get(row)(y, out=y)
            check(row + " in place", y, want_rows[row])
            check("softmax backward", fa.softmax.backward(grad, rows), want_back)
            n += 1
        counts[f"caller {i}"] = n

    def limits():
        r = np.random.default_rng(7)
        n = 0
        while not stop.is_set():
            fa.set_num_threads(int(r.integers(1, 5)))
            fa._compiled.set_min_parallel_override(int(r.choice([0, 0, 1000, 50_000])))
            time.sleep(0.0005)
            n += 1
        counts["limit changes"] = n

    def cotenant():
        # NumPy work without BLAS: OpenBLAS's own threads synchronise by
        # spinning, which TSan does not see (false reports in its memset)
        a = np.random.default_rng(9).normal(size=200_000)
        n = 0
        while not stop.is_set():
            a = np.sort(np.sin(a) * 3)
            n += 1
        counts["co-tenant sorts"] = n

    jobs_before = fa._compiled.pool_jobs()
    threads = [threading.Thread(target=caller, args=(i,)) for i in range(args.threads)]
    threads += [threading.Thread(target=limits), threading.Thread(target=cotenant)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    fa._compiled.set_min_parallel_override(0)
    elapsed = time.perf_counter() - start
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"  python    {args.threads} caller threads + limits + co-tenant, {elapsed:.1f} s: "
          f"{summary}; {fa._compiled.pool_jobs() - jobs_before} calls on the pool")
    if errors:
        sys.exit(f"tsan_threads: WRONG RESULTS: {sorted(set(errors))}")


if __name__ == "__main__":
    main()
