#!/usr/bin/env python3
"""Fuzz fastact's public API for a fixed budget.

Each input becomes one call (tests/test_properties.py builds it: any row,
direction, dtype, shape, strides, memory sharing between x, grad and out,
parameters) run on fastact and on fastact.reference; the properties are
those of the hypothesis tests: equal within the catalog bound, or the same
exception naming the function, nothing written outside `out`, no warnings.
A crash, a hang or a broken property ends the run with the case printed
(and, with atheris, the input saved under --artifacts).

    python tools/fuzz.py --seconds 300            # atheris, coverage-guided
    python tools/fuzz.py --runs 100000 --engine random --seed 1
    tools/sanitize.sh -- python tools/fuzz.py --seconds 300   # under ASan/UBSan

Engines: "atheris" (libFuzzer through atheris; the Python code of fastact
and of the case builder is instrumented, so inputs that reach new branches
are kept and mutated), or "random" (seeded, no coverage feedback; for
machines without atheris).  The last lines give the budget and figures.
"""

import argparse
import os
import sys
import tempfile
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests"), ROOT]


class Stats:
    def __init__(self, seconds, runs):
        self.start = time.monotonic()
        self.seconds, self.runs = seconds, runs
        self.done = self.ok = self.errors = 0
        self.per_row = {}

    def count(self, case, outcome):
        self.done += 1
        self.ok += outcome == "ok"
        self.errors += outcome == "error"
        self.per_row[case.row.name] = self.per_row.get(case.row.name, 0) + 1

    def over(self):
        return ((self.runs and self.done >= self.runs)
                or (self.seconds and time.monotonic() - self.start >= self.seconds))

    def report(self, engine):
        elapsed = time.monotonic() - self.start
        rows = sorted(self.per_row.values())
        print(f"fuzz ({engine}): {self.done} cases in {elapsed:.0f} s "
              f"({self.done / max(elapsed, 1e-9):.0f}/s), {self.ok} computed, "
              f"{self.errors} raised the same error in both twins; "
              f"{len(rows)} functions, {rows[0] if rows else 0}-{rows[-1] if rows else 0} "
              "cases each; findings: 0", flush=True)


def run_random(props, stats, seed):
    import random
    rng = random.Random(seed)
    while not stats.over():
        case_seed = rng.getrandbits(64)
        case = props.draw_case(props.RandomChooser(case_seed))
        try:
            stats.count(case, props.check_case(case))
        except AssertionError:
            print(f"finding: random case seed {case_seed} "
                  f"(props.draw_case(props.RandomChooser({case_seed})))", flush=True)
            raise
    stats.report("random")


def run_atheris(stats, args):
    import atheris
    with atheris.instrument_imports(include=["fastact", "test_properties"]):
        import fastact  # noqa: F401
        import test_properties as props

    class FuzzChooser(props.Chooser):
        def __init__(self, data):
            self.data = data

        def int(self, lo, hi):
            return self.data.ConsumeIntInRange(lo, hi)

    def one_input(data):
        if stats.over():
            stats.report("atheris")
            os._exit(0)            # libFuzzer would not return to Python
        case = props.draw_case(FuzzChooser(atheris.FuzzedDataProvider(data)))
        stats.count(case, props.check_case(case))

    artifacts = args.artifacts or tempfile.mkdtemp(prefix="fastact-fuzz-")
    os.makedirs(artifacts, exist_ok=True)
    print(f"fuzz: inputs that fail are saved under {artifacts}", flush=True)
    flags = [sys.argv[0], f"-artifact_prefix={os.path.join(artifacts, '')}",
             "-max_len=4096", "-len_control=0", f"-seed={args.seed}", "-rss_limit_mb=8192",
             "-timeout=120"]            # a call taking 2 minutes counts as a hang
    if args.seconds:
        flags.append(f"-max_total_time={int(args.seconds) + 60}")   # backstop
    atheris.Setup(flags + args.corpus, one_input)
    atheris.Fuzz()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=0, help="time budget")
    parser.add_argument("--runs", type=int, default=0, help="number of cases")
    parser.add_argument("--engine", choices=["atheris", "random"], default="atheris")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--artifacts", help="directory for failing inputs (atheris)")
    parser.add_argument("corpus", nargs="*", help="corpus directories (atheris)")
    args = parser.parse_args()
    if not args.seconds and not args.runs:
        parser.error("give a budget: --seconds and/or --runs")
    warnings.simplefilter("ignore")        # the harness's own arithmetic on infinities
    stats = Stats(args.seconds, args.runs)
    print(f"fuzz: budget {args.seconds or '-'} s, {args.runs or '-'} cases, "
          f"engine {args.engine}", flush=True)
    if args.engine == "random":
        import test_properties as props
        run_random(props, stats, args.seed)
    else:
        run_atheris(stats, args)


if __name__ == "__main__":
    main()
