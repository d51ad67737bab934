"""Measured accuracy: `python -m fastact accuracy [NAME ...]`.

* The table: for every catalog row (and each example parameter set), the
  max error in ULPs of the forward pass and of the derivative, float32 and
  float64, over inputs spread across the whole domain (``sample``), against
  the mpmath oracle (fastact/_verify/oracle.py).  tests/test_accuracy.py enforces
  the catalog bounds with the same functions.
* ``--exhaustive NAME...``: every one of the 2^32 float32 inputs against
  fastact.reference evaluated in float64 (an implementation independent of
  the kernels), in chunks spread over processes, with progress.
* ``--random N``: the float64 forward pass of every case on N random inputs
  (``random_inputs``) against the exact mpmath values, in chunks spread over
  processes, with progress.

Derivative errors count in ULPs of max(|f'(x)|, grad_floor): where f'
passes through zero there is no relative accuracy to speak of.  The floor
is GRAD_FLOOR, or the magnitude of the terms f' is made of where the
catalog gives them (``Row.grad_terms``: silu' = s + x s (1 - s) against
|s| + |x s (1 - s)|), as the numerics policy measures derivatives.
"""

import multiprocessing
import os
import sys
import time

import numpy as np

from .. import catalog
from . import optional

GRAD_FLOOR = 2.0 ** -20


def sample(dtype, seed=0, n=3000):
    """Finite inputs across the whole domain of a dtype: dense near 0, the
    transition regions of exp/tanh, log-spaced magnitudes up to 1e30, the
    overflow/underflow edges of exp and subnormals."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    ln_max = float(np.log(info.max))
    ln_tiny = float(np.log(info.smallest_subnormal))
    parts = [
        np.linspace(-12, 12, 1201),
        rng.normal(0, 4, n),
        rng.uniform(-1, 1, 200) * 1e-6,
        np.sign(rng.uniform(-1, 1, 400)) * 10.0 ** rng.uniform(-30, 30, 400),
        np.outer([ln_max, -ln_max, ln_tiny, ln_max / 2, -ln_max / 2], [0.999, 1.0, 1.001]),
        np.linspace(ln_tiny * 1.05, ln_max * 1.05, 300),
        np.array([0.0, -0.0, info.smallest_subnormal, -info.smallest_subnormal,
                  info.tiny, -info.tiny, 1.0, -1.0, 6.0, 3.0, -3.0, 0.5, -0.5]),
    ]
    x = np.concatenate([np.ravel(p) for p in parts])
    with np.errstate(over="ignore"):
        x = x.astype(dtype)
    return x[np.isfinite(x)]


def grad_floor(row, params, x):
    """The floor of the ULP scale of derivative errors at x (float64):
    GRAD_FLOOR, or the magnitude of f''s terms (Row.grad_terms)."""
    if row.grad_terms is None:
        return GRAD_FLOOR
    full = dict(row.defaults)
    full.update(params)
    with np.errstate(all="ignore"):
        terms = np.asarray(row.grad_terms(np.asarray(x, dtype=np.float64), full), dtype=np.float64)
    return np.maximum(np.where(np.isfinite(terms), terms, 0.0), GRAD_FLOOR)


def cases(rows=catalog.CATALOG):
    """(row, params): every row with its defaults (when it has them),
    then its examples."""
    for row in rows:
        for params in row.param_sets():
            yield row, params


def case_label(row, params):
    if not params:
        return row.name
    return row.name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"


def inputs(dtype, points):
    x = sample(dtype, seed=11)
    pick = np.random.default_rng(5).choice(x.size, min(points, x.size), replace=False)
    return np.sort(x[pick])


def truth(kernel, which, x, args, dtype):
    """The oracle's values for a result of `dtype`: float64 results are
    compared with the exact (unrounded, mpf) values -- rounding the truth
    to float64 first would hide up to half an ULP -- float32 results with
    the float64-rounded ones (2^-29 of a float32 ULP)."""
    from .._verify import oracle
    if np.dtype(dtype) == np.float64:
        return oracle.oracle_mpf_array(kernel, which, x, args)
    return oracle.oracle_array(kernel, which, x, args)


def abs_error(got, want):
    """|got - want| as float64, want float or exact (object array of mpf);
    NaN where either is not finite."""
    import mpmath
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want)
    if want.dtype != object:
        with np.errstate(invalid="ignore"):
            return np.abs(got - want)
    out = np.empty(got.shape)
    for idx in np.ndindex(got.shape):
        g, w = got[idx], want[idx]
        finite = np.isfinite(g) and mpmath.isfinite(w)
        out[idx] = float(abs(mpmath.mpf(float(g)) - w)) if finite else np.nan
    return out


def measure(row, params, dtype, which, points=1500):
    """(errors in ULPs, inputs) of fastact against the oracle (see
    `truth`) for one elementwise case; which is "forward" or "grad"."""
    import fastact

    from .._verify import oracle
    f = fastact.get(row.name)
    kernel, args, _, full = f._resolve(params)
    # as the kernel sees them: array parameters (scalars here) come first
    args = tuple(float(np.dtype(dtype).type(a)) for a in f._array_args(full) + args)
    x = inputs(dtype, points)
    got = f(x, **params) if which == "forward" else f.derivative(x, **params)
    want = truth(kernel, which, x.astype(np.float64), args, dtype)
    err = oracle.ulp_error(got, want, dtype)
    if which == "grad":
        floor = grad_floor(row, params, x)
        with np.errstate(over="ignore"):     # exact values beyond float64: inf
            small = np.abs(want.astype(np.float64)) < floor
            floor_err = abs_error(got, want) / np.spacing(
                np.asarray(floor).astype(dtype)).astype(np.float64)
        err = np.where(small & ~np.isnan(floor_err), np.minimum(err, floor_err), err)
    return err, x


def measure_axis(row, params, dtype, rows=40, length=18, seed=6):
    """(forward errors, backward errors) in ULPs of an axis function on
    `rows` rows of `length` (normal, scaled by 0.01-100 per row), along
    the last axis.  Forward against the oracle; backward given a correctly
    rounded output y (from x for glu) against the oracle's backward at
    that y -- the error of the backward computation itself; the rounding
    of y is the caller's -- in ULPs of the magnitude of the terms it sums
    (catalog grad_scale)."""
    import fastact

    from .._verify import oracle
    f = fastact.get(row.name)
    exact = np.dtype(dtype) == np.float64     # float64 against the unrounded truth
    rng = np.random.default_rng(seed)
    scales = rng.choice([0.01, 1, 10, 100], size=(rows, 1))
    x = (rng.normal(size=(rows, length)) * scales).astype(dtype)
    truth = oracle.oracle_axis(row.name, x.astype(np.float64), axis=-1, rounded=not exact)
    along = {**params, "axis": -1}
    forward = oracle.ulp_error(f(x, **along), truth, dtype)
    y = truth.astype(np.float64).astype(dtype)
    g = rng.normal(size=y.shape).astype(dtype)
    if row.halves:        # glu: backward from x, terms scaled by |g| and |a|
        got = f.backward(g, x, **along)
        want = oracle.oracle_glu_backward(g.astype(np.float64), x.astype(np.float64), axis=-1,
                                          rounded=not exact)
        scale = row.grad_scale(g.astype(np.float64), x.astype(np.float64), -1)
    else:
        got = f.backward(g, y=y, **along)
        want = oracle.oracle_backward_y(row.name, g.astype(np.float64), y.astype(np.float64),
                                        axis=-1, rounded=not exact)
        scale = row.grad_scale(g.astype(np.float64), y.astype(np.float64), -1)
    magnitude = np.maximum(np.abs(want.astype(np.float64)), scale).astype(dtype)
    return forward, abs_error(got, want) / np.spacing(magnitude)


def table(points=1500, names=None):
    """Rows of (case, direction, float32 max ULP, float64 max ULP, bounds):
    elementwise functions forward and f', axis functions forward and
    backward (`measure_axis`, rows of 18)."""
    rows = [r for r in catalog.CATALOG if not names or r.name in names]
    result = []
    for row, params in cases(rows):
        label = case_label(row, params)
        if row.kind == catalog.ELEMENTWISE:
            for which, ulp in (("forward", row.ulp), ("grad", row.ulp_grad)):
                worst = [measure(row, params, dt, which, points)[0].max()
                         for dt in (np.float32, np.float64)]
                result.append((label, which, worst[0], worst[1], ulp))
        else:
            errs = [measure_axis(row, params, dt, rows=max(points // 18, 1))
                    for dt in (np.float32, np.float64)]
            result.append((label, "forward", errs[0][0].max(), errs[1][0].max(), row.ulp))
            result.append((label, "backward", errs[0][1].max(), errs[1][1].max(),
                           row.ulp_grad_y))
    return result


def print_table(rows, points):
    print(f"Max error in ULPs against mpmath (60+ digits), {points} inputs per case "
          "across the domain (axis functions: rows of 18; backward in ULPs of the terms "
          "it sums); bound = the catalog's documented maximum.")
    print(f"{'function':44} {'direction':10} {'float32':>8} {'bound':>6} "
          f"{'float64':>8} {'bound':>6}")
    for label, which, e32, e64, ulp in rows:
        flag = "" if e32 <= ulp.float32 and e64 <= ulp.float64 else "  <-- over the bound"
        print(f"{label:44} {which:10} {e32:8.3g} {ulp.float32:6g} {e64:8.3g} "
              f"{ulp.float64:6g}{flag}")


# ---- exhaustive float32 sweep ---------------------------------------------

CHUNK = 1 << 22


REFERENCES = {
    "reference": "fastact.reference in float64",
    "float64": "fastact's own float64 kernels",
}


def _sweep_chunk(task):
    """Max ULP error and worst input bits over one chunk of float32 bit
    patterns: fastact (float32) against a float64 evaluation, by default
    fastact.reference (independent formulas); ``float64`` uses fastact's
    float64 kernels instead (checked against mpmath to their bounds by the
    test suite, and separate code from the float32 paths; ~20x faster for
    gelu/mish, whose NumPy reference is slow)."""
    name, start, against = task
    import fastact
    fastact.set_num_threads(1)
    bits = np.arange(start, start + CHUNK, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    f = fastact.get(name)
    params = f.row.param_sets()[0]        # the defaults (threshold: its first example)
    got = f(x, **params).astype(np.float64)
    source = fastact.reference if against == "reference" else fastact
    with np.errstate(all="ignore"):
        want = getattr(source, name)(x.astype(np.float64), **params)
        spacing = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
        err = np.abs(got - want) / spacing
        rounded = want.astype(np.float32).astype(np.float64)   # overflow -> inf
    same = (got == want) | (np.isinf(rounded) & (got == rounded)) | (np.isnan(got) & np.isnan(want))
    err = np.where(same, 0.0, err)
    err = np.where(~same & (np.isnan(got) | np.isnan(want) | np.isinf(got) | np.isinf(rounded)),
                   np.inf, err)
    i = int(np.argmax(err))
    return float(err[i]), int(bits[i])


def exhaustive(name, processes=None, progress=True, against="reference"):
    """(max ULP, worst input) of float32 `name` over all 2^32 inputs."""
    processes = processes or len(os.sched_getaffinity(0))
    tasks = [(name, start, against) for start in range(0, 1 << 32, CHUNK)]
    worst, worst_bits = -1.0, 0
    started = time.time()
    # spawn: GNU OpenMP's thread pool does not survive fork
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for done, (err, bits) in enumerate(pool.imap_unordered(_sweep_chunk, tasks), 1):
            if err > worst:
                worst, worst_bits = err, bits
            if progress and (done % 64 == 0 or done == len(tasks)):
                print(f"\r  {name}: {done}/{len(tasks)} chunks, max so far {worst:.3g} ULP, "
                      f"{time.time() - started:.0f} s", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    x = np.array([worst_bits], dtype=np.uint32).view(np.float32)[0]
    return worst, x


# ---- float64 on many random inputs ----------------------------------------

RANDOM_CHUNK = 20000
AXIS_ROW = 8            # axis functions: rows of 8 along the last axis


def random_inputs(n, seed):
    """n float64 inputs: half normal(0, 4) (where activations bend), a
    quarter uniform on [-40, 40] (tails, saturation), a quarter of random
    sign and log-uniform magnitude in [1e-12, 10^2.5] (small and large)."""
    rng = np.random.default_rng(seed)
    k = n // 4
    return np.concatenate([
        rng.normal(0.0, 4.0, n - 2 * k),
        rng.uniform(-40.0, 40.0, k),
        rng.choice([-1.0, 1.0], k) * 10.0 ** rng.uniform(-12.0, 2.5, k),
    ])


def _random_chunk(task):
    """(max ULP, worst input) of float64 fastact over one chunk of random
    inputs, against the exact (unrounded) mpmath values."""
    name, params, seed, n = task
    import fastact

    from .._verify import oracle
    fastact.set_num_threads(1)
    f = fastact.get(name)
    x = random_inputs(n, seed)
    if f.row.kind == catalog.ELEMENTWISE:
        kernel, args, _, full = f._resolve(params)
        args = tuple(float(a) for a in f._array_args(full) + args)
        got = f(x, **params)
        truth = oracle.oracle_mpf_array(kernel, "forward", x, args)
        where = x
    else:
        x = x[: n - n % AXIS_ROW].reshape(-1, AXIS_ROW)
        got = f(x, axis=-1)
        truth = oracle.oracle_axis(f.row.kernel_call(params)[0], x, -1, rounded=False)
        where = np.repeat(x[:, :1], got.shape[1], axis=1)
    err = oracle.ulp_error(got, truth, np.float64)
    i = int(np.argmax(err))
    return float(err.flat[i]), float(where.flat[i])


def random_check(n, names=None, processes=None, progress=True, seed=2026):
    """Rows of (case, max ULP, worst input, float64 bound) for the float64
    forward pass of every case (or those of `names`) on n random inputs."""
    rows = [r for r in catalog.CATALOG if not names or r.name in names]
    processes = processes or len(os.sched_getaffinity(0))
    result = []
    started = time.time()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for number, (row, params) in enumerate(cases(rows)):
            sizes = ([RANDOM_CHUNK] * (n // RANDOM_CHUNK)
                     + ([n % RANDOM_CHUNK] if n % RANDOM_CHUNK else []))
            tasks = [(row.name, params, seed + 1000 * number + k, m) for k, m in enumerate(sizes)]
            worst, at = -1.0, 0.0
            for err, x in pool.imap_unordered(_random_chunk, tasks):
                if err > worst:
                    worst, at = err, x
            result.append((case_label(row, params), worst, at, row.ulp.float64))
            if progress:
                print(f"  {case_label(row, params)}: max {worst:.3g} ULP "
                      f"({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    return result


def add_arguments(parser):
    parser.add_argument("--points", type=int, default=1500,
                        help="inputs per case for the table (default: 1500)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these functions in the table (default: all)")
    parser.add_argument("--functions", nargs="+", metavar="NAME",
                        help="the same as NAME ... (kept for older scripts)")
    parser.add_argument("--exhaustive", nargs="+", metavar="NAME",
                        help="sweep every float32 input of these functions instead")
    parser.add_argument("--random", type=int, metavar="N",
                        help="float64 forward pass of every case on N random inputs "
                             "against mpmath instead (e.g. 1000000)")
    parser.add_argument("--processes", type=int, help="processes for --exhaustive and --random")
    parser.add_argument("--against", choices=sorted(REFERENCES), default="reference",
                        help="what --exhaustive compares with: " + "; ".join(
                            f"{k}: {v}" for k, v in REFERENCES.items())
                        + " (default: reference)")


def run(args):
    try:
        exhaustive_names = [catalog.lookup(n).name for n in args.exhaustive or []]
        names = [catalog.lookup(n).name for n in args.names + (args.functions or [])] or None
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    if exhaustive_names:
        for name in exhaustive_names:
            worst, x = exhaustive(name, args.processes, against=args.against)
            print(f"{name:12} float32, all 2^32 inputs: max {worst:.4g} ULP at x = {x!r} "
                  f"(reference: {REFERENCES[args.against]})")
        return 0
    if optional.missing("accuracy", "mpmath", "mpmath"):
        return optional.MISSING_PACKAGE
    if args.random:
        rows = random_check(args.random, names, args.processes)
        print(f"float64 forward, max error in ULPs against exact mpmath values, "
              f"{args.random} random inputs per case (normal, uniform and log-uniform; "
              "axis functions: rows of 8)")
        print(f"{'function':44} {'max ULP':>8} {'bound':>6}  worst input")
        for label, worst, at, bound in rows:
            flag = "" if worst <= bound else "  <-- over the bound"
            print(f"{label:44} {worst:8.3g} {bound:6g}  {at!r}{flag}")
        return 1 if any(worst > bound for _, worst, _, bound in rows) else 0
    rows = table(args.points, names)
    print_table(rows, args.points)
    over = [r for r in rows if r[2] > r[4].float32 or r[3] > r[4].float64]
    return 1 if over else 0
