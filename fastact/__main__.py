"""python -m fastact [info | bench ... | accuracy [NAME ...] | plot NAME ... | demo ...]

info (the default)  the build configuration, then a quick speed table:
                    every function at n = 1e6 float32, forward and backward,
                    fastact vs the plain-NumPy recipe (a few seconds).
bench               the full report (same as bench/report.py): fastact against
                    PyTorch at 1 and 2 threads (or NumPy/SciPy recipes), each
                    in its own process; --per-core, --functions, --sizes,
                    --dtypes, --competitors, --json FILE, ...
accuracy [NAME...]  the max ULP error of every function (or of those named)
                    against mpmath (needs mpmath: pip install mpmath);
                    --exhaustive NAME... sweeps all 2^32 float32 inputs.
plot NAME           f and f' side by side, saved as NAME.png (needs matplotlib:
                    pip install "fastact[plot]").
demo                trains a small network per activation on two spirals with
                    fastact.nn: accuracy, time per epoch, gradient norm per layer.

A command that needs a missing optional package says which and how to
install it ("fastact: plot needs matplotlib: pip install ...") and exits with
status 2.
"""

import argparse
import sys
import time

import fastact
from fastact._cli import accuracy, bench, demo, plot


def info(args):
    fastact.show_config()
    print()
    threads = args.threads or fastact.get_num_threads()
    start = time.perf_counter()
    with fastact.num_threads(threads):
        results = bench.quick(rounds=args.rounds)
    elapsed = time.perf_counter() - start
    print(f"Speed at n = 1e6 float32, {threads} fastact thread(s), medians of "
          f"{args.rounds} interleaved runs in this process; x<name> = time of the NumPy/SciPy "
          "recipe / fastact time (> 1: fastact is faster).")
    print(bench.format_table(results))
    print("NumPy recipes:")
    print(bench.describe_competitors(results))
    bench.print_problems(results)
    print(bench.format_summary(results))
    print(f"({elapsed:.1f} s; full report: python -m fastact bench --help)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m fastact",
        description="fastact: configuration, speed, accuracy and plots of the activation "
                    "functions, and a demo network.")
    sub = parser.add_subparsers(dest="command", metavar="{info,bench,accuracy,plot,demo}")
    p_info = sub.add_parser("info", help="configuration and a quick speed table (default)")
    p_info.add_argument("--rounds", type=int, default=5, help="interleaved runs (default: 5)")
    p_info.add_argument("--threads", type=int, help="fastact threads (default: fastact's)")
    p_bench = sub.add_parser("bench", help="full report vs PyTorch (or NumPy/SciPy), each "
                             "competitor in its own process")
    bench.add_arguments(p_bench)
    p_accuracy = sub.add_parser("accuracy", help="measured max ULP errors against mpmath, "
                                "or --exhaustive over every float32 input")
    accuracy.add_arguments(p_accuracy)
    p_plot = sub.add_parser("plot", help="f and f' side by side as a PNG (needs matplotlib)",
                            description=plot.__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    plot.add_arguments(p_plot)
    p_demo = sub.add_parser("demo", help="train a small NumPy network per activation "
                            "on two spirals (fastact.nn)", description=demo.__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_arguments(p_demo)
    args = parser.parse_args(argv)
    if args.command == "plot":
        return plot.run(args)
    if args.command == "demo":
        return demo.run(args)
    if args.command == "bench":
        return bench.report(args)
    if args.command == "accuracy":
        return accuracy.run(args)
    if args.command is None:
        args = p_info.parse_args([])
    return info(args)


if __name__ == "__main__":
    sys.exit(main())
