"""Measure the thread thresholds of the catalog (``catalog.MIN_PARALLEL``).

For every catalog row and dtype (float32, float64) this times the forward
call ``f(x, out=out)`` with 1 thread and with 2 threads at sizes from 2^10
to 2^21 elements (steps of sqrt 2), the two side by side: each round times
a batch of 1-thread calls and a batch of 2-thread calls, in alternating
order, and the medians over the rounds are compared.  The threshold is the
smallest size from which on 2 threads beat 1 at every larger size measured
(median ratio below --margin); the row's min_parallel is half of it, since
fa_threads_for gives each thread at least min_parallel elements.  A row
where 2 threads never win up to 2^21 gets 2^21 (2 threads from 2^22 on).

While measuring, the compiled module's min_parallel override forces
threads at every size (``_ext.set_min_parallel_override(1)``); 1 thread is
``fastact.num_threads(1)``.

    python tools/measure_thresholds.py                 # print the table
    python tools/measure_thresholds.py --write         # and rewrite catalog.py
    python tools/measure_thresholds.py sigmoid relu    # some rows only

Run it on a quiet machine (it takes a few minutes), rebuild after --write
(python setup.py build_ext --inplace), and say in the commit where it ran.
The backward and derivative ufuncs of a row use the forward's threshold.
"""

import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import fastact  # noqa: E402
from fastact import catalog  # noqa: E402
from fastact._cli import bench  # noqa: E402

SIZES = sorted({int(round(2 ** (k / 2))) // 64 * 64 for k in range(20, 43)})
LARGEST = SIZES[-1]
CATALOG_PATH = os.path.join(HERE, "..", "fastact", "catalog.py")


def batch_time(call, reps):
    start = time.perf_counter()
    for _ in range(reps):
        call()
    return (time.perf_counter() - start) / reps


def ratio(call, rounds, batch_seconds):
    """median(2-thread time) / median(1-thread time) of one call."""
    with fastact.num_threads(1):
        call()
        one = batch_time(call, 3)
    reps = max(3, int(batch_seconds / max(one, 1e-7)))
    times = {1: [], 2: []}
    for r in range(rounds):
        for k in ((1, 2) if r % 2 == 0 else (2, 1)):
            with fastact.num_threads(k):
                times[k].append(batch_time(call, reps))
    return statistics.median(times[2]) / statistics.median(times[1])


def measure(name, dtype, rounds, batch_seconds, margin, verbose):
    """(threshold size, {size: ratio}) for one row and dtype."""
    ratios = {}
    f = fastact.get(name)
    for n in SIZES:
        case = bench.Case(name, bench.FORWARD, dtype, n)
        inputs = bench.make_inputs(case)
        x, out, params = inputs["x"], inputs["out"], case.params
        ratios[n] = ratio(lambda x=x, out=out, params=params: f(x, out=out, **params),
                          rounds, batch_seconds)
    threshold = LARGEST * 2
    for n in reversed(SIZES):
        if ratios[n] >= margin:
            break
        threshold = n
    if verbose:
        print(f"  {name} {dtype}: " + " ".join(f"{n}:{r:.2f}" for n, r in ratios.items()),
              file=sys.stderr)
    return threshold, ratios


def cpu_seconds_of_others():
    """CPU seconds all other processes have used so far (/proc/stat minus
    this process), to tell whether the machine was quiet; None if unknown."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)
    mine = sum(os.times()[:2])
    return busy / os.sysconf("SC_CLK_TCK") - mine


def min_parallel(threshold):
    """Elements per thread: 2 threads from `threshold` elements on."""
    return max(1024, threshold // 2)


def write_catalog(table):
    with open(CATALOG_PATH) as f:
        text = f.read()
    body = "".join(f"    {name!r}: ({a}, {b}),\n" for name, (a, b) in table.items())
    new, count = re.subn(r"(# BEGIN MIN_PARALLEL\n).*?(# END MIN_PARALLEL\n)",
                         lambda m: m.group(1) + "MIN_PARALLEL = {\n" + body + "}\n" + m.group(2),
                         text, flags=re.S)
    if count != 1:
        sys.exit("fastact/catalog.py: no BEGIN/END MIN_PARALLEL block")
    with open(CATALOG_PATH, "w") as f:
        f.write(new)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("functions", nargs="*", help="rows to measure (default: all)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batch", type=float, default=0.002,
                        help="seconds per timed batch (default 0.002)")
    parser.add_argument("--margin", type=float, default=0.95,
                        help="2 threads win when their median time is below "
                             "margin x the 1-thread median (default 0.95)")
    parser.add_argument("--write", action="store_true",
                        help="rewrite the MIN_PARALLEL block of fastact/catalog.py")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every size's ratio to stderr")
    args = parser.parse_args(argv)
    ext = fastact._compiled
    if ext is None or not ext.has_pool():
        sys.exit("needs the compiled module built with threads")
    if fastact._threads.available_cpus() < 2:
        sys.exit("needs at least 2 CPUs")
    names = ([catalog.lookup(f).name for f in args.functions] if args.functions
             else fastact.names())
    table = dict(catalog.MIN_PARALLEL)
    print(f"{'function':16} {'float32':>9} {'float64':>9}   (min_parallel: elements per thread)")
    ext.set_min_parallel_override(1)
    try:
        with fastact.num_threads(2):
            for name in names:
                others, start = cpu_seconds_of_others(), time.perf_counter()
                pair = tuple(min_parallel(measure(name, dtype, args.rounds, args.batch,
                                                  args.margin, args.verbose)[0])
                             for dtype in ("float32", "float64"))
                table[name] = pair
                load = ""
                if others is not None:
                    share = (cpu_seconds_of_others() - others) / (time.perf_counter() - start)
                    load = f"   other processes used {share:.2f} CPUs" + (
                        "  <-- not quiet: rerun this row" if share > 0.3 else "")
                print(f"{name:16} {pair[0]:9} {pair[1]:9}{load}", flush=True)
    finally:
        ext.set_min_parallel_override(0)
    if args.write:
        write_catalog({name: table[name] for name in fastact.names() if name in table})
        print("wrote fastact/catalog.py; rebuild: python setup.py build_ext --inplace")


if __name__ == "__main__":
    main()
