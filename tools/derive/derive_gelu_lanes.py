"""Derive the table-free float32 gelu coefficients (writes
fastact/src/generated/fa_fast32_gelu_coeffs.h).

Used by fa_fast32_gelu.h (float lanes, FMA builds without AVX-512, where a
per-lane table lookup costs more than the polynomial work it saves).  With
a = |x|, E = exp(-a^2/2), c = 1/sqrt(2 pi) and H(a) = erfcx(a/sqrt2)/2, so
that Q(a) = erfc(a/sqrt2)/2 = E H(a) and gelu(x) = x - x Q(a) (x >= 0),
-a Q(a) (x < 0):

  * mid   (a < 2):  H(a) = C0 + q(d), d = a - 1, q a polynomial of degree
                    MID_DEG (q(0) != 0: it absorbs the rounding of C0);
                    C0 is kept exact in the final product, so only q's
                    rounding (|q| <= 0.7 H) reaches the result.
  * tail  (a >= 2): a H(a) = c (1 - t(a)), t = T(a)/U(a) a rational of
                    degrees (TAIL_M, TAIL_N); t <= 0.21, so t's float
                    evaluation error reaches the result damped by t/(1-t).
  * derivative:     gelu'(x) = E S (x < 0), 1 - E S (x >= 0), S = H - a c,
                    H = P(a)/R(a) one rational of degrees (4, 5) on
                    [0, AMAX_GRAD]: H's error reaches gelu' damped by
                    H/(H + a c) except near 0, where the terms are ~1/2.

Fits: Lawson IRLS of the relative error on dense grids (numpy, double);
rationals by the linearised (Loeb) iteration; float32 rounding of the
coefficients one at a time with the remaining ones refitted.  Errors are
re-measured with mpmath.  Nothing is copied from other libraries.

Usage: python derive_gelu_lanes.py [--check]
"""
import argparse
import os

import mpmath as mp
import numpy as np

mp.mp.dps = 40
F32 = np.float32
AMAX = 14.5            # gelu(x < -14.5) rounds to -0, gelu(x > 14.5) = x
AMAX_GRAD = 14.75      # gelu'(x < -14.75) rounds to -0, gelu'(x > 14.75) = 1
A1 = 2.0               # mid / tail boundary
X0 = 1.0               # centre of the mid polynomial
MID_DEG = 10
TAIL_M, TAIL_N = 3, 4
GRAD_M, GRAD_N = 4, 5
C = 1 / mp.sqrt(2 * mp.pi)


def H(a):
    a = mp.mpf(a)
    return mp.erfc(a / mp.sqrt(2)) * mp.exp(a * a / 2) / 2


def grid(lo, hi, n):
    t = (1 - np.cos(np.linspace(0, np.pi, n))) / 2
    return lo + (hi - lo) * t


def lawson(V, y, w, iters=80):
    lw = np.ones(len(y))
    best = None
    for _ in range(iters):
        sc = np.sqrt(lw) * w
        cf, *_ = np.linalg.lstsq(V * sc[:, None], y * sc, rcond=None)
        err = np.abs((V @ cf - y) * w)
        if best is None or err.max() < best[0]:
            best = (err.max(), cf)
        lw = lw * err
        lw /= lw.sum()
    return best[1]


def fit_poly_rounded(x, y, w, deg):
    """y ~ sum c_k x^k, c_k rounded to float32 lowest first, the rest refitted."""
    V = np.stack([x ** k for k in range(deg + 1)], 1)
    fixed = []
    for i in range(deg + 1):
        r = y - (V[:, :i] @ np.array(fixed) if i else 0)
        fixed.append(float(F32(lawson(V[:, i:], r, w)[0])))
    return fixed


def fit_rational_rounded(x, y, m, n, iters=40):
    """y ~ P(x)/Q(x), Q(0) = 1, relative error; coefficients rounded to float32
    in the order p0, q1, p1, q2, ... with the rest refitted."""
    cols = [x ** k for k in range(m + 1)] + [-y * x ** k for k in range(1, n + 1)]
    scale = np.array([np.abs(c).max() for c in cols])
    order = []
    for k in range(max(m + 1, n + 1)):
        if k <= m:
            order.append(k)
        if 1 <= k + 1 <= n:
            order.append(m + 1 + k)
    fixed = {}

    def solve():
        free = [i for i in range(len(cols)) if i not in fixed]
        w = np.ones(len(x))
        Qp = np.ones(len(x))
        best = None
        for it in range(iters):
            rhs = y - sum(cols[i] * v for i, v in fixed.items()) if fixed else y.copy()
            A = np.stack([cols[i] / scale[i] for i in free], 1)
            sc = w / (y * Qp)
            cf, *_ = np.linalg.lstsq(A * sc[:, None], rhs * sc, rcond=None)
            coef = dict(fixed)
            coef.update({i: v / scale[i] for i, v in zip(free, cf)})
            p = [coef[i] for i in range(m + 1)]
            q = [1.0] + [coef[i] for i in range(m + 1, m + 1 + n)]
            Qv = np.polyval(q[::-1], x)
            err = (np.polyval(p[::-1], x) / Qv - y) / y
            if best is None or np.abs(err).max() < best[0]:
                best = (np.abs(err).max(), coef)
            Qp = Qv
            if it > 3:
                w = w * np.abs(err) ** 0.5
                w /= w.max()
        return best[1]

    for i in order:
        fixed[i] = float(F32(solve()[i]))
    p = [fixed[i] for i in range(m + 1)]
    q = [1.0] + [fixed[i] for i in range(m + 1, m + 1 + n)]
    return p, q


def horner(c, x):
    p = mp.mpf(c[-1])
    for ci in reversed(c[:-1]):
        p = p * x + mp.mpf(ci)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    c = float(C)
    c_hi = float(F32(c))
    c_lo = float(F32(C - c_hi))

    # mid: H(a) = C0 + q(a - X0)
    a = grid(0.0, A1, 1500)
    h = np.array([float(H(v)) for v in a])
    c0 = float(F32(H(X0)))
    mid = fit_poly_rounded(a - X0, h - c0, 1 / h, MID_DEG)
    e_mid = max(abs((c0 + horner(mid, mp.mpf(v) - X0)) / H(v) - 1) for v in grid(0, A1, 3000))

    # tail: t = 1 - a H / c
    a = grid(A1, AMAX, 1500)
    t = np.array([float(1 - mp.mpf(v) * H(v) / C) for v in a])
    tp, tq = fit_rational_rounded(a, t, TAIL_M, TAIL_N)
    e_tail = 0
    for v in grid(A1, AMAX, 3000):
        tv = 1 - mp.mpf(v) * H(v) / C
        e_tail = max(e_tail, abs(horner(tp, v) / horner(tq, v) / tv - 1))

    # derivative: H = P/R on [0, AMAX_GRAD]
    a = grid(0.0, AMAX_GRAD, 2500)
    h = np.array([float(H(v)) for v in a])
    gp, gq = fit_rational_rounded(a, h, GRAD_M, GRAD_N)
    e_grad = max(abs(horner(gp, v) / horner(gq, v) / H(v) - 1) for v in grid(0, AMAX_GRAD, 3000))
    if args.check:
        print(f"mid  rel. error 2^{float(mp.log(e_mid, 2)):.1f}")
        print(f"tail rel. error of t 2^{float(mp.log(e_tail, 2)):.1f}")
        print(f"grad rel. error of H 2^{float(mp.log(e_grad, 2)):.1f}")

    def arr(name, v, what):
        body = ", ".join(f"{float(x).hex()}f" for x in v)
        return f"/* {what} */\nstatic const float {name}[{len(v)}] = {{{body}}};\n"

    out = os.path.join(os.path.dirname(__file__), "..", "..", "fastact", "src", "generated",
                       "fa_fast32_gelu_coeffs.h")
    with open(out, "w") as f:
        f.write("/* Generated by tools/derive/derive_gelu_lanes.py -- do not edit: "
                "fa_fast32_gelu_coeffs.h.\n"
                " * Float-lane gelu and gelu' without tables (fa_fast32_gelu.h). */\n"
                "#ifndef FA_FAST32_GELU_COEFFS_H\n#define FA_FAST32_GELU_COEFFS_H\n\n")
        f.write(f"#define FA_GELU_L_AMAX_F32 {AMAX!r}f\n"
                f"#define FA_GELU_L_AMAX_GRAD_F32 {AMAX_GRAD!r}f\n"
                f"#define FA_GELU_L_A1_F32 {A1!r}f            /* mid below, tail from here */\n"
                f"#define FA_GELU_L_X0_F32 {X0!r}f            /* centre of the mid polynomial */\n"
                f"#define FA_GELU_L_C0_F32 {c0.hex()}f  /* H(X0) rounded */\n"
                f"#define FA_GELU_L_C_HI_F32 {c_hi.hex()}f  /* 1/sqrt(2 pi) = C_HI + C_LO */\n"
                f"#define FA_GELU_L_C_LO_F32 {c_lo.hex()}f\n\n")
        f.write(arr("fa_gelu_mid_f32", mid, "H(a) - C0 = q(a - X0), a in [0, A1]; "
                    f"rel. error of H 2^{float(mp.log(e_mid, 2)):.1f}"))
        f.write(arr("fa_gelu_tail_p_f32", tp,
                    "t(a) = 1 - a H(a) sqrt(2 pi) = P(a)/Q(a), a in [A1, AMAX]"))
        f.write(arr("fa_gelu_tail_q_f32", tq, f"rel. error of t 2^{float(mp.log(e_tail, 2)):.1f}"))
        f.write(arr("fa_gelu_grad_p_f32", gp, "H(a) = P(a)/Q(a), a in [0, AMAX_GRAD]"))
        f.write(arr("fa_gelu_grad_q_f32", gq, f"rel. error of H 2^{float(mp.log(e_grad, 2)):.1f}"))
        f.write("\n#endif\n")


if __name__ == "__main__":
    main()
