"""Derive the float32 gelu derivative tables (writes fastact/src/generated/fa_gelu_grad_table.h).

gelu'(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi).  With
a = |x|, Q(a) = Phi(-a) = exp(-a^2/2) H(a) (H = erfcx(a/sqrt2)/2, as in
derive_gelu_table.py) and c = 1/sqrt(2 pi):

    gelu'(x) = E S(a)       (x < 0),    gelu'(x) = 1 - E S(a)   (x >= 0),
    E = exp(-a^2/2),        S(a) = H(a) - a c.

S has its zero at the root of gelu', a = R = 0.7517915...  The existing
gelu table gives H to ~2^-24 only, and near R the subtraction H - a c
magnifies that error, so S gets its own table with the same slots as the
gelu table (quarter binades of a from 2^-3, slot 31 for a < 2^-3):

    S(a) = F(a) T(a),   T(a) = c0 + d (c1 + ... + d c5),  d = a - x0,

x0 near the slot's middle, chosen so that T(x0) is within 0.002 ULP of
the float c0, with F(a) = a - R in the "root slots" [0.375, 1.5) (a - R_HI is exact
there, R_LO is carried separately) and F = 1 elsewhere.  T is smooth and
has no zero, so relative fits work; the Lawson fit and the float rounding
of the coefficients are those of derive_gelu_table.py.

Usage: python derive_gelu_grad_table.py [--check]
"""
import argparse

import mpmath as mp
import numpy as np

from derive_fast32 import cheb_grid, lawson, write_slot_table

mp.mp.dps = 40
F32 = np.float32
LOW = 2.0 ** -3           # below: slot 31
AMAX = 14.75              # |x| clamp: |gelu'(-14.75)| < 2^-150 rounds to -0, gelu'(14.75) = 1
NSLOT = 32
NCOEF = 6                 # c0..c5
ROOT_LO, ROOT_HI = 0.375, 1.5
C = 1 / mp.sqrt(2 * mp.pi)
ROOT = mp.findroot(lambda a: mp.erfc(a / mp.sqrt(2)) / 2 - a * C * mp.exp(-a * a / 2), 0.75)
ROOT_HI_F = float(F32(float(ROOT)))
ROOT_LO_F = float(F32(float(ROOT - mp.mpf(ROOT_HI_F))))


def S(a):
    a = mp.mpf(a)
    return mp.erfc(a / mp.sqrt(2)) * mp.exp(a * a / 2) / 2 - a * C


def root_slot(lo):
    return ROOT_LO <= lo < ROOT_HI


def T(a, lo):
    """S(a) / F(a), as the kernel forms F (R_HI + R_LO in the root slots)."""
    if not root_slot(lo):
        return S(a)
    return S(a) / (mp.mpf(a) - mp.mpf(ROOT_HI_F) - mp.mpf(ROOT_LO_F))


def slots():
    out = []
    lo = LOW
    while lo < AMAX:
        step = 2.0 ** np.floor(np.log2(lo)) / 4
        out.append((lo, lo + step))
        lo += step
    return out


def pick_x0(lo, hi, slot_lo, tol=0.002, tries=3000):
    """A float x0 near the slot's middle where T(x0) is within tol ULP of a
    float: c0 = that float, so the rounding of c0 costs (almost) nothing."""
    mid = np.float32((lo + hi) / 2)
    best = (1.0, float(mid))
    for j in range(tries):
        x0 = int(mid.view(np.uint32)) + (j // 2 + 1) * (1 if j % 2 else -1)
        x0 = float(np.uint32(x0).view(np.float32))
        t = T(x0, slot_lo)
        err = abs(float((t - mp.mpf(float(F32(float(t)))))
                        / mp.mpf(float(np.spacing(F32(float(t)))))))
        best = min(best, (err, x0))
        if err < tol:
            break
    return best[1]


def fit_slot(lo, hi, slot_lo):
    """x0 and [c0..c5] of one slot; slot_lo picks the form of F."""
    x0 = 0.0 if lo == 0 else pick_x0(lo, hi, slot_lo)
    a = cheb_grid(lo, min(hi, AMAX), 2000)
    d = a - x0
    y = np.array([float(T(v, slot_lo)) for v in a])
    h = max(abs(d[0]), abs(d[-1]))
    powers = np.stack([(d / h) ** k for k in range(NCOEF)], axis=1)
    weight = 1.0 / np.abs(y)
    fixed = []
    for i in range(NCOEF):
        done = powers[:, :i] @ (np.array(fixed) * h ** np.arange(i)) if i else 0
        b = lawson(powers[:, i:], y - done, weight)
        fixed.append(float(F32(b[0] / h ** i)))
    return x0, fixed


def rel_error(lo, hi, x0, c, slot_lo, n=1500):
    """Max relative error of T as the kernel forms it (c0 + q, q = d p(d)
    rounded, p by float Horner), in units of 2^-24."""
    xs = np.unique(np.linspace(F32(lo), np.nextafter(F32(min(hi, AMAX)), F32(0)), n).astype(F32))
    worst = 0.0
    for xa in xs:
        d = float(F32(xa - F32(x0)))
        p = F32(c[-1])
        for ci in reversed(c[1:-1]):
            p = F32(np.float64(p) * d + ci)          # FMA: one rounding
        q = float(F32(float(p) * d))
        ref = T(float(xa), slot_lo)
        worst = max(worst, float(abs((mp.mpf(c[0]) + q) - ref) / abs(ref)) * 2 ** 24)
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="print each slot's relative error")
    args = ap.parse_args()
    # the clamp must give -0 on the left: |gelu'(-AMAX)| below half the smallest subnormal
    tail = abs(mp.exp(-mp.mpf(AMAX) ** 2 / 2) * S(AMAX))
    assert tail < mp.mpf(2) ** -150, tail
    bounds = slots()
    assert len(bounds) < NSLOT, len(bounds)
    table = [fit_slot(lo, hi, lo) for lo, hi in bounds]
    table += [(1.0, [0.0] * NCOEF)] * (NSLOT - 1 - len(bounds))   # a > AMAX: never (clamp)
    table.append(fit_slot(0.0, LOW, 0.0))
    if args.check:
        for (lo, hi), (x0, c) in zip(bounds + [(0.0, LOW)], table[:len(bounds)] + [table[-1]]):
            print(f"[{lo:.6g}, {hi:.6g}) x0={x0:.9g} root={root_slot(lo)}  T rel. error "
                  f"{rel_error(lo, hi, x0, c, lo):.3f} x 2^-24", flush=True)
    base = int(np.float32(LOW).view(np.uint32)) >> 21
    roots = [t for t, (lo, _) in enumerate(bounds) if root_slot(lo)]
    assert roots == list(range(roots[0], roots[-1] + 1))
    names = ["x0"] + [f"c{k}" for k in range(NCOEF)]
    cols = [[s[0] for s in table]] + [[s[1][k] for s in table] for k in range(NCOEF)]
    write_slot_table(
        "fa_gelu_grad_table.h",
        "S(a) = erfcx(a/sqrt2)/2 - a/sqrt(2 pi) = F(a) T(a) by slot (see fa_fast32_gelu_grad.h):\n"
        " * slot t is the quarter binade t above 2^-3, slot 31 is a < 2^-3; F = a - R in\n"
        " * the root slots, 1 elsewhere; the rows give T.",
        [f"FA_GELU_GRAD_NCOEF_F32 {NCOEF}",
         f"FA_GELU_GRAD_BASE_F32 {base}u  /* bits(2^-3) >> 21 */",
         f"FA_GELU_GRAD_AMAX_F32 {float(AMAX).hex()}f",
         f"FA_GELU_GRAD_ROOT_T0_F32 {roots[0]}u  /* root slots: [T0, T0 + NROOT) */",
         f"FA_GELU_GRAD_NROOT_F32 {len(roots)}u",
         f"FA_GELU_GRAD_R_HI_F32 {ROOT_HI_F.hex()}f  /* R = {mp.nstr(ROOT, 22)} */",
         f"FA_GELU_GRAD_R_LO_F32 {ROOT_LO_F.hex()}f"],
        "fa_gelu_grad_table_f32", names, cols)


if __name__ == "__main__":
    main()
