"""Derive the piecewise-polynomial float32 tanh_shrink tables (writes
fastact/src/generated/fa_tanh_shrink_table.h).

f(a) = a - tanh(a) for a = |x| >= 0 (f is odd, so the sign is copied from x).
Three regions (fa_fast32.h, fa_tanh_shrink_tbl_f32 and its AVX-512 twin):

* 2^-4 <= a < 8: slot t = (bits(a) >> 21) - (bits(2^-4) >> 21), one per
  quarter binade (28 slots, as for tanh), and

      f(a) = c0 + d p(d),  p(d) = c1 + d (c2 + ... + d cN),  d = a - x0 exact,

  with x0 a float near the middle of the slot whose f(x0) is within a few
  thousandths of an ULP of the float c0 (searched below), so the last FMA
  rounds an almost exact value once.  c1..cN: near-minimax (Lawson) fits of
  the relative error, rounded to float one at a time, higher ones refitted.
* a < 2^-4 (f ~ a^3/3, subnormal results from a < 2^-41.4): f = a^3 (1/3 +
  w R(w)), w = a^2; a^3 = ch + cl from exact products (FMA residuals), 1/3 =
  T + Tl (float pair), so that f = ch T + [ch (Tl + w R(w)) + cl T] is
  rounded once in one FMA (the bracket is < 0.2 % of the result).
* a >= 8: f = a - 1 + 2e/(1 + e), e = exp(-2a) < 2^-23: the correction is
  below half an ULP of a - 1 (exact for a < 2^24), so the result is
  a - (1 - 2^-24), which also rounds correctly above 2^24 where a - 1 is a
  tie; inf gives inf.

Usage: python derive_tanh_shrink_table.py [--degree 6] [--check]
"""
import argparse

import mpmath as mp
import numpy as np

from derive_fast32 import cheb_grid, lawson, write_slot_table

mp.mp.dps = 50
F32 = np.float32
LOW = 2.0 ** -4           # below: the a^3 (1/3 + w R(w)) series
HIGH = 8.0                # from here on: a - 1
NSLOT = 32


def f(a):
    """tanh_shrink(a) for a >= 0, mpmath (the cancellation needs the digits)."""
    a = mp.mpf(a)
    return a - mp.tanh(a)


def slots():
    """(lo, hi) of the quarter binades from LOW up to HIGH."""
    out = []
    lo = LOW
    while lo < HIGH:
        step = 2.0 ** np.floor(np.log2(lo)) / 4
        out.append((lo, lo + step))
        lo += step
    return out


def near_float_center(lo, hi, tries=4000):
    """A float x0 in the middle half of [lo, hi) whose f(x0) is closest to a float."""
    w = hi - lo
    best = None
    for x0 in np.unique(np.linspace(lo + w / 4, lo + 3 * w / 4, tries).astype(F32)):
        t = f(float(x0))
        c0 = F32(float(t))
        err = abs(t - mp.mpf(float(c0))) / mp.mpf(float(np.spacing(c0)))
        if best is None or err < best[0]:
            best = (err, x0, c0)
    return float(best[1]), float(best[2]), float(best[0])


def fit_slot(lo, hi, degree):
    """x0, c0, [c1..c_degree] and the c0 error (ULPs) of one slot."""
    x0, c0, c0err = near_float_center(lo, hi)
    a = cheb_grid(lo, hi, 3000)
    d = a - x0
    y = np.array([float(f(v)) for v in a])
    h = max(abs(d[0]), abs(d[-1]))
    T = d / h
    powers = np.stack([T ** k for k in range(1, degree + 1)], axis=1)
    weight = 1.0 / np.abs(y)
    target = y - c0
    fixed = []               # round b_k / h^k to float lowest first, refitting the rest
    for i in range(degree):
        done = powers[:, :i] @ (np.array(fixed) * h ** np.arange(1, i + 1)) if i else 0
        b = lawson(powers[:, i:], target - done, weight)
        fixed.append(float(F32(b[0] / h ** (i + 1))))
    return x0, c0, fixed, c0err


def fit_small(degree):
    """R (degree + 1 float coefficients): f(a) = a^3 (1/3 + w R(w)), w = a^2,
    a in [0, LOW]; minimax of the error relative to f (~ a^3/3)."""
    a = cheb_grid(1e-6, LOW, 3000)
    w = a * a
    g = np.array([float((f(v) / mp.mpf(v) ** 3 - mp.mpf(1) / 3) / mp.mpf(v) ** 2) for v in a])
    weight = 3 * w                       # error in R times w a^3 relative to f
    basis = np.stack([w ** k for k in range(degree + 1)], axis=1)
    fixed = []
    for i in range(degree + 1):
        done = basis[:, :i] @ np.array(fixed) if i else 0
        fixed.append(float(F32(lawson(basis[:, i:], g - done, weight)[0])))
    test = [mp.mpf(LOW) * (i + 1) / 4001 for i in range(4001)]
    err = max(abs(v**3 * (mp.mpf(1) / 3 + v * v * sum(c * v**(2 * k) for k, c in enumerate(fixed)))
                  / f(v) - 1) for v in test)
    return fixed, float(err)


def fma(x, y, z):
    return F32(mp.mpf(float(x)) * mp.mpf(float(y)) + mp.mpf(float(z)))


def evaluate(xa, x0, c0, coeffs):
    """The float32 evaluation of a table slot for a >= 0, as in C."""
    d = F32(F32(xa) - F32(x0))
    p = F32(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        p = fma(p, d, c)
    return fma(p, d, c0)


def max_ulp(lo, hi, slot, n=2000):
    """Max ULP against mpmath over n evenly spread floats of [lo, hi)."""
    x0, c0, coeffs = slot[:3]
    xs = np.unique(np.linspace(F32(lo), np.nextafter(F32(hi), F32(0)), n).astype(F32))
    worst = 0.0
    for xa in xs:
        ref = f(float(xa))
        err = abs(mp.mpf(float(evaluate(xa, x0, c0, coeffs))) - ref)
        worst = max(worst, float(err / mp.mpf(float(np.spacing(F32(float(ref)))))))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--degree", type=int, default=6, help="coefficients of p (c1..)")
    ap.add_argument("--small-degree", type=int, default=1, help="degree of R")
    ap.add_argument("--check", action="store_true", help="sampled ULP check per slot")
    args = ap.parse_args()
    deg = args.degree
    bounds = slots()
    assert len(bounds) < NSLOT, len(bounds)
    table = [fit_slot(lo, hi, deg) for lo, hi in bounds]
    # unused slots (a < 8 never reaches them) and slot 31 (a < 2^-4, or NaN:
    # the series result replaces it): zeros, so that NaN stays NaN
    table += [(0.0, 0.0, [0.0] * deg, 0.0)] * (NSLOT - len(bounds))
    small, small_err = fit_small(args.small_degree)
    print(f"small series R degree {args.small_degree}: relative error {small_err:.3g} "
          f"(2^{np.log2(small_err):.1f})")
    if args.check:
        for (lo, hi), slot in zip(bounds, table):
            print(f"[{lo:.6g}, {hi:.6g}) x0={slot[0]:.9g} c0 err {slot[3]:.4f} ulp  "
                  f"max {max_ulp(lo, hi, slot):.4f} ulp", flush=True)
    third = F32(1.0 / 3)
    third_lo = F32(float(mp.mpf(1) / 3 - mp.mpf(float(third))))
    names = ["x0", "c0"] + [f"c{k}" for k in range(1, deg + 1)]
    cols = [[s[0] for s in table], [s[1] for s in table]] + \
           [[s[2][k] for s in table] for k in range(deg)]
    write_slot_table(
        "fa_tanh_shrink_table.h",
        "Piecewise polynomial tables of the float32 tanh_shrink (see fa_fast32.h):\n"
        " * slot t is the quarter binade t above 2^-4 (t < 28); a < 2^-4 uses the\n"
        " * series a^3 (1/3 + w R(w)), a >= 8 gives a - 1.",
        [f"FA_TANH_SHRINK_NCOEF_F32 {deg}",
         f"FA_TANH_SHRINK_BASE_F32 {int(np.float32(LOW).view(np.uint32)) >> 21}u"
         "  /* bits(2^-4) >> 21 */",
         f"FA_TANH_SHRINK_LOW_F32 {float(LOW).hex()}f",
         f"FA_TANH_SHRINK_HIGH_F32 {float(HIGH).hex()}f",
         f"FA_TANH_SHRINK_THIRD_F32 {float(third).hex()}f     /* 1/3 = THIRD + THIRD_LO */",
         f"FA_TANH_SHRINK_THIRD_LO_F32 {float(third_lo).hex()}f",
         f"FA_TANH_SHRINK_NSMALL_F32 {len(small)}",
         "FA_TANH_SHRINK_R_F32 { " + ", ".join(f"{float(F32(c)).hex()}f" for c in small)
         + " }  /* R(w), w^0 first */"],
        "fa_tanh_shrink_table_f32", names, cols)


if __name__ == "__main__":
    main()
