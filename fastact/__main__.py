"""python -m fastact [info | bench ... | accuracy ...]

info (the default)  the build configuration, then a quick speed table:
                    every function at n = 1e6 float32, forward and backward,
                    fastact vs the plain-NumPy recipe (a few seconds).
bench               the full interleaved report (same as bench/report.py):
                    --functions, --sizes, --dtypes, --json FILE, ...
accuracy            the max ULP error of every function against mpmath;
                    --exhaustive NAME... sweeps all 2^32 float32 inputs.
"""

import argparse
import sys
import time

import fastact
from fastact import _accuracy, _bench


def info(args):
    fastact.show_config()
    print()
    threads = args.threads or fastact.get_num_threads()
    start = time.perf_counter()
    with fastact.num_threads(threads):
        results = _bench.quick(rounds=args.rounds)
    elapsed = time.perf_counter() - start
    print(f"Speed at n = 1e6 float32, {threads} fastact thread(s), medians of "
          f"{args.rounds} interleaved runs; numpy = time of the NumPy recipe / fastact "
          "time (> 1: fastact is faster).")
    print(_bench.format_table(results))
    print("NumPy recipes:")
    print(_bench.describe_competitors(results))
    _bench.print_problems(results)
    print(f"({elapsed:.1f} s; full report: python -m fastact bench --help)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m fastact",
        description="fastact: configuration and speed of the activation functions.")
    sub = parser.add_subparsers(dest="command", metavar="{info,bench,accuracy}")
    p_info = sub.add_parser("info", help="configuration and a quick speed table (default)")
    p_info.add_argument("--rounds", type=int, default=5, help="interleaved runs (default: 5)")
    p_info.add_argument("--threads", type=int, help="fastact threads (default: fastact's)")
    p_bench = sub.add_parser("bench", help="full interleaved report vs NumPy/scipy/torch")
    _bench.add_arguments(p_bench)
    p_accuracy = sub.add_parser("accuracy", help="measured max ULP errors against mpmath, "
                                "or --exhaustive over every float32 input")
    _accuracy.add_arguments(p_accuracy)
    args = parser.parse_args(argv)
    if args.command == "bench":
        return _bench.report(args)
    if args.command == "accuracy":
        return _accuracy.run(args)
    if args.command is None:
        args = p_info.parse_args([])
    return info(args)


if __name__ == "__main__":
    sys.exit(main())
