#!/usr/bin/env python3
"""Accuracy + vectorisation + speed harness for fastact/src/vmath/fa_vmath.h.

    python tools/vmath_check/run.py                  # all targets, 1e8 spread float32 inputs
    python tools/vmath_check/run.py --exhaustive     # all 2^32 float32 inputs (v3 target only)
    python tools/vmath_check/run.py --targets v3 --funcs exp,expm1 --stride 97

For each target (sse2 = default x86-64, v3 = -march=x86-64-v3, v4 = -march=x86-64-v4)
it builds kernels.c (gcc -O3 -fopenmp-simd -ffp-contract=off) + check.c into a
shared library, then:
  * vectorisation: objdump -d of every arr_<f>_<dtype> loop must contain packed
    arithmetic on xmm/ymm/zmm registers and no call;
  * float32 accuracy: every `stride`-th bit pattern (stride 1 = exhaustive) against
    glibc double; also array loop vs out-of-line scalar call, bit for bit;
  * float64 accuracy: 10^6 inputs (random bit patterns, log-uniform magnitudes,
    the hard regions of each function) against glibc long double, and a
    subsample (+ the worst inputs) against mpmath at 40 digits;
  * special values (NaN, +-inf, +-0, thresholds), bit-exact;
  * floating-point flags (overflow/invalid/divbyzero) on finite in-domain inputs;
  * speed: ns/element of the omp-simd loop vs the glibc scalar loop.
"""
import argparse
import ctypes as C
import os
import re
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "fastact", "src")     # includes name paths from there
BUILD = os.path.join("/tmp", "vmath_check_build")
# funcs.h order; each has one dtype in fastact/src/vmath/fa_vmath.h (lib.has_f32/has_f64)
FUNCS = ["exp", "expm1", "log1p", "tanh", "sigmoid", "erfc", "atan"]
TARGETS = {"sse2": [], "v3": ["-march=x86-64-v3"], "v4": ["-march=x86-64-v4"]}
LIBM_NAMES = (r"\b(exp|expf|expm1|expm1f|log|logf|log1p|log1pf|tanh|tanhf|erf|erff|erfc|erfcf"
              r"|atan|atanf|fma|fmaf|rint|rintf|floor|floorf|nearbyint|fmin|fmax|fminf|fmaxf)\b")


class Stats(C.Structure):
    _fields_ = [(n, C.c_double)
                for n in ("maxulp", "worst_x", "n", "n_gt_half", "n_gt_1", "n_mismatch")]


def build(tag):
    os.makedirs(BUILD, exist_ok=True)
    so = os.path.join(BUILD, f"vmath_{tag}.so")
    ko = os.path.join(BUILD, f"kernels_{tag}.o")
    co = os.path.join(BUILD, "check.o")
    flags = (["-O3", "-fopenmp-simd", "-ffp-contract=off", "-fno-trapping-math", "-fPIC",
              "-I" + SRC] + TARGETS[tag])
    subprocess.check_call(["gcc"] + flags + ["-c", os.path.join(HERE, "kernels.c"), "-o", ko])
    subprocess.check_call(["gcc", "-O2", "-fopenmp", "-fPIC", "-c", os.path.join(HERE, "check.c"),
                           "-o", co])
    subprocess.check_call(["gcc", "-shared", "-fopenmp", ko, co, "-o", so, "-lm"])
    lib = C.CDLL(so)
    for name in ("scan_f32",):
        getattr(lib, name).argtypes = [C.c_int, C.c_uint64, C.c_uint64, C.c_uint64,
                                       C.POINTER(Stats)]
    lib.check_f64.argtypes = [C.c_int, C.c_void_p, C.c_long, C.c_void_p, C.POINTER(Stats)]
    for name in ("eval_f32", "eval_f64", "eval1_f32", "eval1_f64"):
        getattr(lib, name).argtypes = [C.c_int, C.c_void_p, C.c_void_p, C.c_long]
    for name in ("flags_f32", "flags_f64"):
        getattr(lib, name).argtypes = [C.c_int, C.c_void_p, C.c_void_p, C.c_long]
    for name in ("time_f32", "time_f64"):
        getattr(lib, name).argtypes = [C.c_int, C.c_int, C.c_void_p, C.c_void_p, C.c_long, C.c_int]
        getattr(lib, name).restype = C.c_double
    return so, ko, lib


def ptr(a):
    return a.ctypes.data_as(C.c_void_p)


# ----------------------------------------------------------------- objdump
def vec_check(ko, tag):
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", ko],
                         capture_output=True, text=True).stdout
    blocks = re.split(r"\n(?=[0-9a-f]+ <)", dis)
    res = {}
    want = {"sse2": "xmm", "v3": "ymm", "v4": "zmm"}[tag]
    for b in blocks:
        m = re.match(r"[0-9a-f]+ <(arr_\w+)>:", b)
        if not m:
            continue
        name = m.group(1)
        packed = re.findall(r"\b(v?(?:mul|add|sub|div|fmadd\w*|fnmadd\w*|fmsub\w*)p[sd])"
                            r"\s+[^\n]*%(xmm|ymm|zmm)", b)
        regs = {r for _, r in packed}
        calls = re.findall(r"call\s+[^\n]*", b)
        libm = [c for c in calls if re.search(LIBM_NAMES, c)]
        res[name] = dict(n_packed=len(packed), regs=sorted(regs), calls=calls, libm=libm,
                         ok=len(packed) > 10 and not calls
                         and (want in regs or (tag == "v4" and "ymm" in regs)))
    return res


# ----------------------------------------------------------- float64 inputs
def inputs_f64(f, n, rng):
    def logu(lo, hi, k):
        return np.exp(rng.uniform(np.log(lo), np.log(hi), k))
    k = n // 6
    bits = rng.integers(0, 2 ** 64, size=k, dtype=np.uint64).view(np.float64)
    bits = bits[np.isfinite(bits)]
    mag = logu(1e-320, 1e308, k) * rng.choice([-1.0, 1.0], k)
    reg = {
        "exp": [rng.uniform(-746, 710, 2 * k), rng.uniform(-1, 1, k), rng.uniform(-745.2, -707, k)],
        "expm1": [rng.uniform(-40, 710, k), rng.uniform(-2, 2, 2 * k),
                  logu(1e-20, 1, k) * rng.choice([-1, 1], k)],
        "log1p": [rng.uniform(-1, 3, 2 * k), logu(1e-20, 1, k) * rng.choice([-1, 1], k),
                  rng.uniform(-0.3, 0.42, k)],
        "tanh": [rng.uniform(-22, 22, 2 * k), logu(1e-10, 2, 2 * k) * rng.choice([-1, 1], 2 * k)],
        "sigmoid": [rng.uniform(-750, 40, 2 * k), rng.uniform(-5, 5, 2 * k)],
        "erfc": [rng.uniform(-7, 28, 2 * k), rng.uniform(-1.5, 1.5, k), rng.uniform(20, 27.3, k)],
        "atan": [rng.uniform(-4, 4, 2 * k), logu(1e-10, 1e10, 2 * k) * rng.choice([-1, 1], 2 * k)],
    }[f]
    x = np.concatenate([bits, mag] + [np.asarray(r, dtype=np.float64) for r in reg])
    return np.ascontiguousarray(x)


def mp_ref(f, x):
    import mpmath as mp
    x = mp.mpf(x)
    if f == "exp":
        return mp.exp(x)
    if f == "expm1":
        return mp.expm1(x)
    if f == "log1p":
        return mp.log1p(x) if x > -1 else (mp.ninf if x == -1 else mp.nan)
    if f == "tanh":
        return mp.tanh(x)
    if f == "sigmoid":
        return 1 / (1 + mp.exp(-x))
    if f == "erfc":
        return mp.erfc(x) if abs(x) < 40 else (mp.mpf(0) if x > 0 else mp.mpf(2))
    if f == "atan":
        return mp.atan(x)


def mp_ulp(got, ref):
    import mpmath as mp
    if ref != ref:
        return 0.0 if got != got else 1e9
    rd = float(ref) if mp.isfinite(ref) else float(ref)
    if rd in (float("inf"), float("-inf")) or got in (float("inf"), float("-inf")) or got != got:
        return 0.0 if got == rd else 1e9
    a = abs(ref)
    if a < mp.mpf(2) ** -1022:
        u = mp.mpf(2) ** -1074
    else:
        e = int(mp.floor(mp.log(a, 2)))
        if mp.mpf(2) ** e > a:          # guard log2 rounding
            e -= 1
        u = mp.mpf(2) ** (e - 52)
    return float(abs(mp.mpf(got) - ref) / u)


# --------------------------------------------------------- special values
INF, NAN = float("inf"), float("nan")
SPECIAL = {
    "exp": [(NAN, NAN), (INF, INF), (-INF, 0.0), (0.0, 1.0), (-0.0, 1.0),
            (1000.0, INF), (-1000.0, 0.0)],
    "expm1": [(NAN, NAN), (INF, INF), (-INF, -1.0), (0.0, 0.0), (-0.0, -0.0),
              (1000.0, INF), (-1000.0, -1.0)],
    "log1p": [(NAN, NAN), (INF, INF), (-INF, NAN), (-1.0, -INF), (-2.0, NAN),
              (0.0, 0.0), (-0.0, -0.0)],
    "tanh": [(NAN, NAN), (INF, 1.0), (-INF, -1.0), (0.0, 0.0), (-0.0, -0.0),
             (50.0, 1.0), (-50.0, -1.0)],
    "sigmoid": [(NAN, NAN), (INF, 1.0), (-INF, 0.0), (0.0, 0.5), (-0.0, 0.5),
                (-1000.0, 0.0), (1000.0, 1.0)],
    "erfc": [(NAN, NAN), (INF, 0.0), (-INF, 2.0), (0.0, 1.0), (-0.0, 1.0),
             (30.0, 0.0), (-30.0, 2.0)],
    "atan": [(NAN, NAN), (INF, "pi/2"), (-INF, "-pi/2"), (0.0, 0.0), (-0.0, -0.0)],
}


def dtypes(lib, fi, f32, f64):
    """[(dtype, its function)] for the dtypes under test of function fi."""
    return [(dt, fn)
            for dt, fn, has in ((np.float32, f32, lib.has_f32), (np.float64, f64, lib.has_f64))
            if has(fi)]


def special_check(lib, fi, f):
    bad = []
    for dt, ev in dtypes(lib, fi, lib.eval_f32, lib.eval_f64):
        for xin, want in SPECIAL[f]:
            if isinstance(want, str):
                want = (1 if want[0] != "-" else -1) * np.pi / 2
            x = np.array([xin] * 37, dtype=dt)   # 37: vector body + scalar remainder
            y = np.empty_like(x)
            ev(fi, ptr(x), ptr(y), len(x))
            w = dt(want)
            if np.isnan(w):
                ok = np.all(np.isnan(y))
            else:
                ok = np.all((y == w) & (np.signbit(y) == np.signbit(w)))
            if not ok:
                bad.append(f"{f}({xin!r}) {dt.__name__} -> {y[0]!r} want {w!r}")
    return bad


# ---------------------------------------------------------------- flags
DOMAIN = {"log1p": (-0.999, 1e300)}


def flags_check(lib, fi, f, rng):
    out = []
    for dt, fl in dtypes(lib, fi, lib.flags_f32, lib.flags_f64):
        big = 3e38 if dt == np.float32 else 1.7e308
        lo, hi = DOMAIN.get(f, (-big, big))
        mags = np.exp(rng.uniform(np.log(1e-30), np.log(hi), 100000))
        x = np.concatenate([mags, -mags] if lo < 0 and f not in DOMAIN
                           else [mags, lo + 0 * mags[:10]])
        x = x[(x >= lo) & (x <= min(hi, big))].astype(dt)
        x = np.concatenate([x, np.array([lo, min(hi, big), 0.0, -0.0], dtype=dt)])
        x = x[np.isfinite(x)]
        y = np.empty_like(x)
        r = fl(fi, ptr(x), ptr(y), len(x))
        if r:
            names = [n for n, v in (("overflow", lib.fe_overflow()), ("invalid", lib.fe_invalid()),
                                    ("divbyzero", lib.fe_divbyzero())) if r & v]
            out.append(f"{dt.__name__}: {'+'.join(names)}")
    return out


# ---------------------------------------------------------------- timing
TIME_RANGE = {"exp": (-20, 20), "expm1": (-5, 5), "log1p": (-0.9, 10), "tanh": (-5, 5),
              "sigmoid": (-20, 20), "erfc": (-4, 8), "atan": (-10, 10)}


def timing(lib, fi, f, reps=31, n=1 << 15):
    rng = np.random.default_rng(1)
    res = {}
    for dt, tf in dtypes(lib, fi, lib.time_f32, lib.time_f64):
        x = rng.uniform(*TIME_RANGE[f], n).astype(dt)
        y = np.empty_like(x)
        for w in (0, 1):
            tf(fi, w, ptr(x), ptr(y), n, 3)   # warm up
        ours = tf(fi, 0, ptr(x), ptr(y), n, reps)
        libm = tf(fi, 1, ptr(x), ptr(y), n, reps)
        res[dt.__name__] = (ours, libm)
    return res


def stats_columns(f, dtype, st, tt):
    """A function's row of the table: its Stats, then (ns/el ours, glibc)."""
    # Stats' counts are doubles: printed as %d printed them (truncated)
    return (f"{f:<9} {dtype:<7} {st.maxulp:10.3f} {st.worst_x:10.4g} {int(st.n):12d} "
            f"{int(st.n_gt_half):9d} {int(st.n_gt_1):9d} {int(st.n_mismatch):7d} | "
            f"{tt[0]:8.3f} {tt[1]:8.3f} {tt[1] / tt[0]:6.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", default="sse2,v3,v4")
    ap.add_argument("--funcs", default=",".join(FUNCS))
    ap.add_argument("--stride", type=int, default=41,
                    help="float32 bit-pattern stride (41 -> 1.05e8 inputs)")
    ap.add_argument("--exhaustive", action="store_true",
                    help="stride 1 (all 2^32 float32) on the v3 target")
    ap.add_argument("--n64", type=int, default=1000000)
    ap.add_argument("--mp", type=int, default=1500, help="float64 inputs re-checked with mpmath")
    ap.add_argument("--no-time", action="store_true")
    args = ap.parse_args()
    funcs = args.funcs.split(",")
    cpu = open("/proc/cpuinfo").read()
    for tag in args.targets.split(","):
        if tag == "v4" and "avx512f" not in cpu or tag == "v3" and "avx2" not in cpu:
            print(f"== {tag}: CPU lacks the ISA, skipped")
            continue
        so, ko, lib = build(tag)
        print(f"\n==================== target {tag} {' '.join(TARGETS[tag])}")
        vc = vec_check(ko, tag)
        bad = [k for k, v in vc.items() if not v["ok"]]
        registers = ",".join(sorted({r for v in vc.values() for r in v["regs"]}))
        failures = ("  BAD: " + str({k: vc[k] for k in bad})) if bad else ""
        print(f"vectorisation: {len(vc) - len(bad)}/{len(vc)} loops packed, no calls; "
              f"registers: {registers}{failures}")
        stride = 1 if (args.exhaustive and tag == "v3") else args.stride
        print("{:<9} {:<7} {:>10} {:>10} {:>12} {:>9} {:>9} {:>7} | {:>8} {:>8} {:>6}".format(
            "func", "dtype", "max ulp", "at x", "inputs", ">0.5ulp", ">1ulp", "vec!=sc",
            "ns/el", "glibc", "ratio"))
        for f in funcs:
            fi = FUNCS.index(f)
            t = None if args.no_time else timing(lib, fi, f)
            if lib.has_f32(fi):
                st = Stats()
                t0 = time.time()
                lib.scan_f32(fi, 0, 1 << 32, stride, C.byref(st))
                tt = t["float32"] if t else (float("nan"), float("nan"))
                print(f"{stats_columns(f, 'f32', st, tt)}   ({time.time() - t0:.0f}s)", flush=True)
            rng = np.random.default_rng(12345 + fi)
            if lib.has_f64(fi):
                x = inputs_f64(f, args.n64, rng)
                ulp = np.empty_like(x)
                st = Stats()
                lib.check_f64(fi, ptr(x), len(x), ptr(ulp), C.byref(st))
                # mpmath cross-check: worst 200 + random subsample
                worst = np.argsort(ulp)[-200:]
                sub = np.concatenate([worst, rng.integers(0, len(x), max(args.mp - 200, 0))])
                xs = np.ascontiguousarray(x[sub])
                ys = np.empty_like(xs)
                lib.eval_f64(fi, ptr(xs), ptr(ys), len(xs))
                import mpmath as mp
                mp.mp.dps = 40
                mpmax, mpat = 0.0, 0.0
                for xv, yv in zip(xs, ys):
                    e = mp_ulp(float(yv), mp_ref(f, float(xv)))
                    if e > mpmax:
                        mpmax, mpat = e, xv
                tt = t["float64"] if t else (float("nan"), float("nan"))
                print(f"{stats_columns(f, 'f64', st, tt)}   "
                      f"mpmath({len(xs)}): {mpmax:.3f} at {mpat:.6g}", flush=True)
            sp = special_check(lib, fi, f)
            fl = flags_check(lib, fi, f, rng)
            if sp:
                print("   SPECIAL VALUE FAILURES:", "; ".join(sp))
            if fl:
                print("   flags raised on finite in-domain inputs:", "; ".join(fl))


if __name__ == "__main__":
    main()
