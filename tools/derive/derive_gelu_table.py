"""Derive the float32 gelu tables (writes fastact/src/generated/fa_gelu_table.h).

gelu(x) = x Phi(x) = x - G(a) E(a) (x >= 0) or -G(a) E(a) (x < 0), a = |x|,
E(a) = exp(-a^2/2), G(a) = a H(a), H(a) = erfcx(a/sqrt2)/2 = exp(a^2/2)
erfc(a/sqrt2)/2, erfcx being the scaled complementary error function
(entire and smooth on [0, inf), H(0) = 1/2, H(a) ~ 1/(a sqrt(2 pi)) for
large a).  Tabulating a H rather than H saves the kernel a product.

fa_fast32.h evaluates E in float lanes (a^2 split exactly) and G from these
tables: a (clamped at AMAX) picks one of the quarter binades
[2^e (1 + j/4), 2^e (1 + (j+1)/4)) from 2^-3 up; a < 2^-3 takes the slot
"small".  In each slot

    G(a) = c0 + d (c1 + d (c2 + ... + d c5)),  d = a - x0 (exact, Sterbenz),

x0 = the slot's middle.  In the small slot x0 = 0 and c0 = 0 (G(0) = 0,
G = d P(d) keeps its relative accuracy as a -> 0; P fits H).  The
coefficients are near-minimax (Lawson) fits of the relative error, rounded
to float one at a time with the higher ones refitted.  Seven rows of 32
floats: two zmm registers each (vpermt2ps, which reads the low 5 bits of the
index): slot position = (bits(a) >> 21) mod 32, the small slot at
(bits(2^-3) >> 21) - 1 = 495, whose position no quarter binade takes.

Usage: python derive_gelu_table.py [--check]
"""
import argparse

import mpmath as mp
import numpy as np

from derive_fast32 import cheb_grid, lawson, write_slot_table

mp.mp.dps = 40
F32 = np.float32
LOW = 2.0 ** -3           # below: slot 31
AMAX = 14.5               # |x| clamp: gelu(x < -14.5) rounds to -0, gelu(x > 14.5) = x
NSLOT = 32
NCOEF = 6                 # c0..c5


def H(a):
    a = mp.mpf(a)
    return mp.erfc(a / mp.sqrt(2)) * mp.exp(a * a / 2) / 2


def G(a):
    return mp.mpf(a) * H(a)


def slots():
    out = []
    lo = LOW
    while lo < AMAX:
        step = 2.0 ** np.floor(np.log2(lo)) / 4
        out.append((lo, lo + step))
        lo += step
    return out


def fit_slot(lo, hi):
    """x0 and [c0..c5] of one slot."""
    small = lo == 0
    x0 = 0.0 if small else float(F32((lo + hi) / 2))
    a = cheb_grid(lo, min(hi, AMAX), 2000)
    d = a - x0
    # the small slot: c0 = 0 and c1..c5 fit G / d = H
    y = np.array([float(H(v) if small else G(v)) for v in a])
    h = max(abs(d[0]), abs(d[-1]))
    T = d / h
    n = NCOEF - 1 if small else NCOEF
    powers = np.stack([T ** k for k in range(n)], axis=1)
    weight = 1.0 / np.abs(y)
    fixed = []
    for i in range(n):
        done = powers[:, :i] @ (np.array(fixed) * h ** np.arange(i)) if i else 0
        b = lawson(powers[:, i:], y - done, weight)
        fixed.append(float(F32(b[0] / h ** i)))
    return x0, [0.0] + fixed if small else fixed


def rel_error(lo, hi, x0, c, n=2000):
    """Max relative error of the float Horner evaluation of G, in units of 2^-24."""
    xs = np.unique(np.linspace(F32(lo), np.nextafter(F32(min(hi, AMAX)), F32(0)), n).astype(F32))
    worst = 0.0
    for xa in xs[xs != 0]:
        d = mp.mpf(float(F32(xa - F32(x0))))
        p = mp.mpf(c[-1])
        for ci in reversed(c[:-1]):
            p = mp.mpf(float(F32(p * d + mp.mpf(ci))))
        ref = G(float(xa))
        worst = max(worst, float(abs(p - ref) / ref) * 2 ** 24)
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="print each slot's relative error")
    args = ap.parse_args()
    bounds = slots()
    assert len(bounds) < NSLOT, len(bounds)
    table = [fit_slot(lo, hi) for lo, hi in bounds]
    small = fit_slot(0.0, LOW)
    unused = (1.0, [0.0] * NCOEF)                   # positions no a <= AMAX reaches
    base = int(np.float32(LOW).view(np.uint32)) >> 21
    position = {(base + k) % NSLOT: slot for k, slot in enumerate(table)}
    position[(base - 1) % NSLOT] = small
    table = [position.get(k, unused) for k in range(NSLOT)]
    if args.check:
        for (lo, hi) in bounds + [(0.0, LOW)]:
            slot = (int(np.float32(lo).view(np.uint32)) >> 21) % NSLOT if lo else (base - 1) % NSLOT
            x0, c = table[slot]
            print(f"[{lo:.6g}, {hi:.6g}) x0={x0:.9g}  G rel. error "
                  f"{rel_error(lo, hi, x0, c):.3f} x 2^-24", flush=True)
    names = ["x0"] + [f"c{k}" for k in range(NCOEF)]
    cols = [[s[0] for s in table]] + [[s[1][k] for s in table] for k in range(NCOEF)]
    write_slot_table(
        "fa_gelu_table.h",
        "G(a) = a erfcx(a/sqrt2)/2 by slot (see fa_fast32.h): position (bits(a) >> 21)\n"
        " * mod 32 holds a's quarter binade from 2^-3 up, position 15 (index 495) a < 2^-3.",
        [f"FA_GELU_NCOEF_F32 {NCOEF}",
         f"FA_GELU_SMALL_F32 {base - 1}u  /* (bits(2^-3) >> 21) - 1: the index of a < 2^-3 */",
         f"FA_GELU_AMAX_F32 {float(AMAX).hex()}f"],
        "fa_gelu_table_f32", names, cols)

if __name__ == "__main__":
    main()
