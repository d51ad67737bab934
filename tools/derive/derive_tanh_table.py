"""Derive the piecewise-polynomial float32 tanh tables (writes
fastact/src/generated/fa_tanh_table.h).

Scheme (fa_fast32.h, fa_tanh_tbl_f32 and its AVX-512 twin): a = |x| clamped at
9.1.  The slot of a is t = (bits(a) >> 21) - (bits(2^-4) >> 21): one slot per
quarter binade [2^e (1 + j/4), 2^e (1 + (j+1)/4)) from 2^-4 up to [8, 10);
inputs below 2^-4 give a "negative" t, huge as unsigned, clamped to slot 31.
In every slot

    tanh(a) = B + d p(d),  B = c0 + m d,  p(d) = c1 + d (c2 + ... + d c5),
    d = a - x0 (exact: Sterbenz),

with B exact: in the quarter-binade slots m = 0 and x0 is a float near the
middle whose tanh is within a few thousandths of an ULP of the float c0
(searched below), so the last FMA rounds an almost exact value once and
|d p| < 0.12 |tanh| keeps p's own rounding small; in slot 31, x0 = c0 = 0 and
m = 1, so tanh(a) = a + a p(a), p(a) ~ -a^2/3 a tiny correction.  c1..c5 are
near-minimax (Lawson) fits of the relative error, rounded to float one at a
time with the higher ones refitted.  The tables (32 floats each) fit two zmm
registers (vpermt2ps), the in-register lookup NumPy's AVX-512 tanh also
uses (the method; no code or coefficient is taken from it).

Usage: python derive_tanh_table.py [--degree 7]
"""
import argparse

import mpmath as mp
import numpy as np

from derive_fast32 import cheb_grid, lawson, write_slot_table

mp.mp.dps = 40
F32 = np.float32
LOW = 2.0 ** -4           # below: slot 31, the odd series around 0
CLAMP = 9.1               # above: tanh rounds to 1
NSLOT = 32


def slots():
    """(lo, hi) of the quarter binades from LOW up to the one holding CLAMP."""
    out = []
    lo = LOW
    while lo <= CLAMP:
        step = 2.0 ** np.floor(np.log2(lo)) / 4
        out.append((lo, lo + step))
        lo += step
    return out


def near_float_center(lo, hi, tries=4000):
    """A float x0 in the middle half of [lo, hi) whose tanh is closest to a
    float (candidates spread over the whole middle half: near saturation
    tanh changes by less than an ULP across thousands of neighbouring x0)."""
    w = min(hi, CLAMP) - lo
    best = None
    for x0 in np.unique(np.linspace(lo + w / 4, lo + 3 * w / 4, tries).astype(F32)):
        t = mp.tanh(mp.mpf(float(x0)))
        c0 = F32(float(t))
        err = abs(t - mp.mpf(float(c0))) / mp.mpf(float(np.spacing(c0)))
        if best is None or err < best[0]:
            best = (err, x0, c0)
    return float(best[1]), float(best[2]), float(best[0])


def fit_slot(lo, hi, degree, small=False):
    """x0, c0, m, [c1..c_degree] and the c0 error (ULPs) of one slot."""
    if small:
        x0, c0, m, c0err = 0.0, 0.0, 1.0, 0.0
    else:
        (x0, c0, c0err), m = near_float_center(lo, hi), 0.0
    a = cheb_grid(lo, min(hi, CLAMP), 3000)
    d = a - x0
    y = np.array([float(mp.tanh(mp.mpf(v))) for v in a])
    h = max(abs(d[0]), abs(d[-1]))
    T = d / h
    powers = np.stack([T ** k for k in range(1, degree + 1)], axis=1)
    weight = 1.0 / np.abs(y)
    target = y - (c0 + m * d)
    # round b_k / h^k to float lowest first, refitting the rest
    fixed = []
    for i in range(degree):
        done = powers[:, :i] @ (np.array(fixed) * h ** np.arange(1, i + 1)) if i else 0
        b = lawson(powers[:, i:], target - done, weight)
        fixed.append(float(F32(b[0] / h ** (i + 1))))
    return x0, c0, m, fixed, c0err


def evaluate(xa, x0, c0, m, coeffs):
    """The float32 evaluation of fa_tanh_tbl_f32 for a >= 0, exactly as in C."""
    d = F32(xa - F32(x0))
    p = F32(coeffs[-1])
    for c in reversed(coeffs[:-1]):
        p = F32(mp.mpf(float(p)) * mp.mpf(float(d)) + mp.mpf(c))        # FMA
    B = F32(mp.mpf(m) * mp.mpf(float(d)) + mp.mpf(c0))                  # exact
    return F32(mp.mpf(float(p)) * mp.mpf(float(d)) + mp.mpf(float(B)))  # FMA


def max_ulp(lo, hi, slot, n=3000):
    """Max ULP against mpmath over n evenly spread floats of [lo, hi)."""
    x0, c0, m, coeffs = slot[:4]
    xs = np.unique(np.linspace(F32(lo), np.nextafter(F32(min(hi, CLAMP)), F32(0)), n).astype(F32))
    worst = 0.0
    for xa in xs:
        ref = mp.tanh(mp.mpf(float(xa)))
        err = abs(mp.mpf(float(evaluate(xa, x0, c0, m, coeffs))) - ref)
        worst = max(worst, float(err / mp.mpf(float(np.spacing(F32(float(ref)))))))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--degree", type=int, default=5, help="coefficients of p (c1..)")
    ap.add_argument("--check", action="store_true", help="sampled ULP check per slot")
    args = ap.parse_args()
    deg = args.degree
    bounds = slots()
    assert len(bounds) < NSLOT, len(bounds)
    table = [fit_slot(lo, hi, deg) for lo, hi in bounds]
    unused = (0.0, 1.0, 0.0, [0.0] * deg, 0.0)            # a >= 10 never occurs (clamp)
    table += [unused] * (NSLOT - 1 - len(bounds))
    table.append(fit_slot(0.0, LOW, deg, small=True))
    if args.check:
        for (lo, hi), slot in zip(bounds + [(0.0, LOW)], table[:len(bounds)] + [table[-1]]):
            print(f"[{lo:.6g}, {hi:.6g}) x0={slot[0]:.9g} c0 err {slot[4]:.4f} ulp  "
                  f"max {max_ulp(lo, hi, slot):.4f} ulp", flush=True)
    names = ["x0", "c0", "m"] + [f"c{k}" for k in range(1, deg + 1)]
    cols = [[s[0] for s in table], [s[1] for s in table], [s[2] for s in table]] + \
           [[s[3][k] for s in table] for k in range(deg)]
    write_slot_table(
        "fa_tanh_table.h",
        "Piecewise polynomial tables of the float32 tanh (see fa_fast32.h): slot t\n"
        " * is the quarter binade t above 2^-4, slot 31 is a < 2^-4.",
        [f"FA_TANH_NCOEF_F32 {deg}",
         f"FA_TANH_BASE_F32 {int(np.float32(LOW).view(np.uint32)) >> 21}u  /* bits(2^-4) >> 21 */"],
        "fa_tanh_table_f32", names, cols)

if __name__ == "__main__":
    main()
