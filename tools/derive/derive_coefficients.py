#!/usr/bin/env python3
"""Derive the polynomial coefficients of fastact's vectorised math core.

Writes ``fastact/src/generated/fa_vmath_coeffs.h`` (hex-float constants, one array per
polynomial) and prints the approximation error each polynomial reaches with
its coefficients *rounded to double* (the error of the rounded polynomial
against the exact function, measured with mpmath on a dense grid).

Method: near-minimax fits by Lawson's algorithm (iteratively re-weighted least
squares on a dense set of Chebyshev nodes, solved with mpmath at 50 digits).
Lawson's iteration converges to the discrete minimax (Chebyshev) solution; 60
iterations bring it within a few percent of the true minimax error, which is
all we need.  Every target function is evaluated with mpmath, nothing is
copied from another library.

Usage:  python tools/derive/derive_coefficients.py            (about a minute)
"""
import os
import sys
import time

import mpmath as mp

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "fastact", "src", "generated", "fa_vmath_coeffs.h")


def cheb_nodes(a, b, n):
    return [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]


def lawson_fit(target, powers, a, b, weight=None, n_nodes=400, iters=60):
    """Coefficients c_k (for v**powers[k]) minimising max |w(v) (sum c_k v^p_k - target(v))|.

    target, weight: callables on mpf.  Returns list of mpf coefficients.
    """
    a, b = mp.mpf(a), mp.mpf(b)
    nodes = cheb_nodes(a, b, n_nodes)
    # add the end points: the extrema of the error often sit there
    nodes += [a, b]
    nodes = [v for v in nodes if v != 0] if any(p < 0 for p in powers) else nodes
    T = [target(v) for v in nodes]
    W = [weight(v) if weight else mp.mpf(1) for v in nodes]
    lam = [mp.mpf(1) / len(nodes)] * len(nodes)
    A = [[v ** p for p in powers] for v in nodes]
    coef = None
    for _ in range(iters):
        # weighted least squares: rows scaled by sqrt(lam) * w
        M = mp.matrix(len(nodes), len(powers))
        rhs = mp.matrix(len(nodes), 1)
        for i in range(len(nodes)):
            s = mp.sqrt(lam[i]) * W[i]
            for j in range(len(powers)):
                M[i, j] = s * A[i][j]
            rhs[i] = s * T[i]
        sol, _ = mp.qr_solve(M, rhs)
        coef = [sol[j] for j in range(len(powers))]
        err = [abs(W[i] * (mp.fsum(c * x for c, x in zip(coef, A[i])) - T[i]))
               for i in range(len(nodes))]
        tot = mp.fsum(lam[i] * err[i] for i in range(len(nodes)))
        lam = [lam[i] * err[i] / tot for i in range(len(nodes))]
    return coef


def to_double(c):
    return float(c)


def max_error(target, powers, coef_d, a, b, weight=None, n=4000):
    """Max weighted error of the polynomial with double coefficients (exact evaluation)."""
    a, b = mp.mpf(a), mp.mpf(b)
    worst, where = mp.mpf(0), None
    pts = [a + (b - a) * k / (n - 1) for k in range(n)] + cheb_nodes(a, b, 1000)
    for v in pts:
        if v == 0 and any(p < 0 for p in powers):
            continue
        p = mp.fsum(mp.mpf(c) * v ** q for c, q in zip(coef_d, powers))
        e = abs((p - target(v)) * (weight(v) if weight else 1))
        if e > worst:
            worst, where = e, v
    return worst, where


# --------------------------------------------------------------------------
# Target functions.  Each is written so that mpmath evaluates it accurately
# (cancellation is harmless at 50 digits for the arguments we use).
# --------------------------------------------------------------------------

def exp_q(r):          # exp(r) = 1 + r + r^2 Q(r)
    if abs(r) < mp.mpf("1e-12"):
        return mp.mpf(1) / 2 + r / 6
    return (mp.exp(r) - 1 - r) / r ** 2


def exp_q_weight(r):   # error of exp(r) relative to exp(r)
    return r ** 2 / mp.exp(r)


def log_r(z):          # log(1+f) = 2s + s R(s^2), s = f/(2+f)   (R(0) = 0)
    s = mp.sqrt(z)
    if s == 0:
        return mp.mpf(0)
    return 2 * mp.atanh(s) / s - 2


def erf_p(w):          # erf(x) = x + x P(x^2)
    x = mp.sqrt(w)
    if x == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    return mp.erf(x) / x - 1


def erf_p_weight(w):   # relative error of erf(x): x dP / erf(x)
    return 1 / (1 + erf_p(w))


def atan_p(w):         # atan(y) = y + y^3 P(y^2)
    y = mp.sqrt(w)
    if y == 0:
        return mp.mpf(-1) / 3
    return (mp.atan(y) - y) / y ** 3


def atan_p_weight(w):  # relative error of atan(y): y^3 dP / atan(y)
    y = mp.sqrt(w)
    if y == 0:
        return mp.mpf(0)
    return y ** 3 / mp.atan(y)


def tanh_p(w):         # tanh(x) = x + x^3 P(x^2)
    x = mp.sqrt(w)
    if x == 0:
        return mp.mpf(-1) / 3
    return (mp.tanh(x) - x) / x ** 3


def tanh_p_weight(w):
    x = mp.sqrt(w)
    if x == 0:
        return mp.mpf(0)
    return x ** 3 / mp.tanh(x)


def erfcx(x):          # H(x) = exp(x^2) erfc(x)  (~ 1/(x sqrt(pi)) for large x)
    return mp.exp(x * x) * mp.erfc(x)


LN2_HALF = mp.log(2) / 2 * mp.mpf("1.002")   # |r| bound of the exp reduction, with margin
# |f/(2+f)| bound, f in [sqrt2/2-1, sqrt2-1]
S_MAX = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1) * mp.mpf("1.0001")
TAN_PI_8 = mp.tan(mp.pi / 8)

# --------------------------------------------------------------------------
# The polynomial catalog: name -> (target, powers, a, b, weight, comment)
#   *_f64 arrays are for the double functions, *_f32 for the float functions
#   (which evaluate in double and round once at the end).
# --------------------------------------------------------------------------
POLYS = []


LN2_32 = mp.log(2) / 32 * mp.mpf("1.003")


def poly(name, target, powers, a, b, weight, comment):
    POLYS.append((name, target, powers, a, b, weight, comment))


poly("exp_q_f64", exp_q, list(range(0, 11)), -LN2_HALF, LN2_HALF, exp_q_weight,
     "exp(r) = 1 + r + r^2 Q(r), |r| <= ln2/2; error relative to exp(r)")
poly("exp16_q_f64", exp_q, list(range(0, 6)), -LN2_32, LN2_32, exp_q_weight,
     "exp(r) = 1 + r + r^2 Q(r), |r| <= ln2/32 (+0.3 %): the 16-entry table reduction "
     "of the AVX-512 kernels; error relative to exp(r)")
poly("exp_q_f32", exp_q, list(range(0, 6)), -LN2_HALF, LN2_HALF, exp_q_weight,
     "exp(r) = 1 + r + r^2 Q(r), |r| <= ln2/2 (float functions, evaluated in double)")
poly("log_r_f64", log_r, list(range(1, 8)), 0, S_MAX ** 2, lambda z: mp.mpf(1) / 2,
     "log(1+f) = 2s + s R(z), s = f/(2+f), z = s^2 <= 0.0295; error relative to log(1+f)")
poly("log_r_f32", log_r, list(range(1, 4)), 0, S_MAX ** 2, lambda z: mp.mpf(1) / 2,
     "log(1+f) = 2s + s R(z) (float functions, evaluated in double)")
poly("atan_p_f64", atan_p, list(range(0, 12)), 0, mp.mpf(1) / 4 * mp.mpf("1.0001"), atan_p_weight,
     "atan(y) = y + y^3 P(y^2), |y| <= 1/2; error relative to atan(y)")
poly("atan_p_f32", atan_p, list(range(0, 7)), 0, mp.mpf(1) / 4 * mp.mpf("1.0001"), atan_p_weight,
     "atan(y) = y + y^3 P(y^2), |y| <= 1/2 (float functions, evaluated in double)")
poly("tanh_p_f64", tanh_p, list(range(0, 14)), 0, mp.mpf("0.5501") ** 2, tanh_p_weight,
     "tanh(x) = x + x^3 P(x^2), |x| <= 0.55; error relative to tanh(x)")
poly("erf_p_f64", erf_p, list(range(0, 13)), 0, 1, erf_p_weight,
     "erf(x) = x + x P(x^2), |x| <= 1; error relative to erf(x)")

# erfc for x >= 1: erfc(x) = exp(-x^2) G(x) / x with G(x) = x exp(x^2) erfc(x).
# G is approximated piecewise; piece k covers [2^(k-?)...] -- see ERFC_PIECES.
ERFC_PIECES_F64 = [(1, 2), (2, 4), (4, 8), (8, 16), (16, 32)]
ERFC_DEG_F64 = 17


def erfc_piece_target(lo, hi):
    # variable t in [-1, 1] mapped from 1/x in [1/hi, 1/lo]
    a, b = 1 / mp.mpf(hi), 1 / mp.mpf(lo)

    def g(t):
        u = (a + b) / 2 + (b - a) / 2 * t
        return erfcx(1 / u)
    return g


def erfc_weight(t):
    return mp.sqrt(mp.pi)  # relative to G ~ 1/sqrt(pi)


def f32_round(v):
    import numpy as np
    return float(np.float32(float(v)))


def last_below(pred, lo, hi, dtype):
    """Largest (dtype) x in [lo, hi] with pred(x) True, pred monotone True->False
    (bisection on bits)."""
    import numpy as np
    it = np.int64 if dtype == np.float64 else np.int32
    def key(x):   # order-preserving integer key of a float
        b = int(np.array(x, dtype=dtype).view(it))
        return b if b >= 0 else -(b & ~(1 << (8 * np.dtype(dtype).itemsize - 1)))
    def unkey(k):
        if k < 0:
            k = (-k) | (1 << (8 * np.dtype(dtype).itemsize - 1))
        return float(np.array(k, dtype=it).view(dtype))
    a, b = key(lo), key(hi)
    assert pred(unkey(a)) and not pred(unkey(b))
    while b - a > 1:
        m = (a + b) // 2
        if pred(unkey(m)):
            a = m
        else:
            b = m
    return unkey(a)


def constants():
    """Split constants and overflow/underflow thresholds (derived, with mpmath)."""
    import numpy as np
    ln2 = mp.log(2)
    # Cody-Waite split: LN2HI has 42 significant bits, so k*LN2HI is exact for |k| < 2^11.
    ln2hi = mp.ldexp(mp.nint(mp.ldexp(ln2, 41)), -41)
    ln2lo = ln2 - ln2hi
    pi2 = mp.pi / 2
    pi2hi = mp.mpf(float(pi2))
    pi4 = mp.pi / 4
    pi4hi = mp.mpf(float(pi4))
    # exp overflow: largest x with RN(exp(x)) finite (exp(x) < DBL_MAX + ulp/2)
    big_d = mp.ldexp(1, 1024) - mp.ldexp(1, 970)
    xmax_d = last_below(lambda x: mp.exp(x) < big_d, 709.0, 710.0, np.float64)
    # erfc underflow to zero
    erfc_d = last_below(lambda x: mp.erfc(x) > mp.ldexp(1, -1075), 26.0, 28.0, np.float64)
    rows = [
        ("FA_INVLN2_F64", 1 / ln2, "1/ln2"),
        ("FA_LN2HI_F64", ln2hi, "ln2 rounded to 42 bits (Cody-Waite)"),
        ("FA_LN2LO_F64", ln2lo, "ln2 - FA_LN2HI_F64"),
        ("FA_LN2_F64", ln2, "ln2"),
        ("FA_PI_2HI_F64", pi2hi, "pi/2 rounded"),
        ("FA_PI_2LO_F64", pi2 - pi2hi, "pi/2 - FA_PI_2HI_F64"),
        ("FA_PI_4HI_F64", pi4hi, "pi/4 rounded"),
        ("FA_PI_4LO_F64", pi4 - pi4hi, "pi/4 - FA_PI_4HI_F64"),
        ("FA_EXP_XMAX_F64", xmax_d, "largest double x with exp(x) finite"),
        ("FA_ERFC_XMAX_F64", erfc_d, "largest double x with erfc(x) rounding to nonzero"),
    ]
    out = ["/* Constants */\n"]
    for name, v, com in rows:
        out.append(f"#define {name:<18} {'(' + hexd(v) + ')':<24} /* {com} */\n")
        print(f"{name:<18} {hexd(v)}")
    return "".join(out) + "\n"


def hexd(c):
    return float(c).hex()


def main():
    t0 = time.time()
    only = sys.argv[1:]
    out = []
    out.append("/* Generated by tools/derive/derive_coefficients.py -- do not edit.\n"
               " * Coefficients of the polynomials of fa_vmath.h, lowest degree first.\n"
               " * Each array: the fitted function, its interval and the max error reached\n"
               " * with the double-rounded coefficients (relative, as measured by the script).\n"
               " */\n#ifndef FA_VMATH_COEFFS_H\n#define FA_VMATH_COEFFS_H\n")
    report = []
    for name, target, powers, a, b, weight, comment in POLYS:
        if only and name not in only:
            continue
        coef = lawson_fit(target, powers, a, b, weight)
        cd = [to_double(c) for c in coef]
        err, where = max_error(target, powers, cd, a, b, weight)
        log2_err = float(mp.log(err, 2)) if err else -999
        line = (f"{name:<14} deg {max(powers):2d}  [{float(a):.5g}, {float(b):.5g}]  "
                f"max err {float(err):.3e} (2^{log2_err:.2f})")
        print(line, flush=True)
        report.append(line)
        assert powers == list(range(powers[0], powers[0] + len(powers)))
        out.append(f"/* {comment}\n"
                   f" * powers {powers[0]}..{powers[-1]}, max error 2^{log2_err:.2f} */\n")
        out.append(f"#define FA_N_{name.upper()} {len(cd)}\n")
        coeffs = ",\n    ".join(hexd(c) for c in cd)
        out.append(f"static const double fa_c_{name}[{len(cd)}] = {{\n    {coeffs}\n}};\n\n")

    if only:
        return
    # 2^(j/16) = hi + lo, j = 0..15 (the AVX-512 kernels' exp table)
    exact = [mp.power(2, mp.mpf(j) / 16) for j in range(16)]
    hi = [to_double(v) for v in exact]
    lo = [to_double(v - mp.mpf(h)) for v, h in zip(exact, hi)]
    out.append("/* 2^(j/16) = hi + lo, j = 0..15 */\n")
    for tag, col in (("hi", hi), ("lo", lo)):
        values = ",\n    ".join(hexd(c) for c in col)
        out.append(f"static const double fa_exp16_{tag}_f64[16] __attribute__((aligned(64))) = "
                   f"{{\n    {values}\n}};\n")
    out.append("\n")
    for tag, pieces, deg in (("f64", ERFC_PIECES_F64, ERFC_DEG_F64),):
        rows, worst = [], mp.mpf(0)
        for lo, hi in pieces:
            g = erfc_piece_target(lo, hi)

            def relw(t, g=g):
                return 1 / g(t)

            coef = lawson_fit(g, list(range(deg + 1)), -1, 1, relw, n_nodes=200, iters=40)
            cd = [to_double(c) for c in coef]
            err, where = max_error(g, list(range(deg + 1)), cd, -1, 1, relw, n=1500)
            worst = max(worst, err)
            line = (f"erfc_h_{tag} piece [{lo:g},{hi:g}] deg {deg}  "
                    f"max rel err {float(err):.3e} (2^{float(mp.log(err, 2)):.2f})")
            print(line, flush=True)
            report.append(line)
            a, b = 1 / mp.mpf(hi), 1 / mp.mpf(lo)
            # t = (1/x - mid) * scale
            rows.append((float((a + b) / 2), float(2 / (b - a)), cd,
                         float(coef[0] - mp.mpf(cd[0]))))
        n = len(pieces)
        out.append("/* erfc(x) = exp(-x^2) H(x) for x >= 1, H(x) = exp(x^2) erfc(x).\n"
                   " * Piece k covers x in [2^k, 2^(k+1)); "
                   "with u = 1/x, t = (u - mid_k) * scale_k\n"
                   " * in [-1, 1], H = sum c_kj t^j.  "
                   f"max relative error 2^{float(mp.log(worst, 2)):.2f} */\n")
        out.append(f"#define FA_N_ERFC_H_{tag.upper()} {deg + 1}\n"
                   f"#define FA_NPIECE_ERFC_H_{tag.upper()} {n}\n")
        # stored transposed: coefficient j of all pieces contiguous -> cheap selects/gathers
        mids = ", ".join(hexd(r[0]) for r in rows)
        scales = ", ".join(hexd(r[1]) for r in rows)
        c0los = ", ".join(hexd(r[3]) for r in rows)
        out.append(f"static const double fa_erfc_mid_{tag}[{n}] = {{ {mids} }};\n")
        out.append(f"static const double fa_erfc_scale_{tag}[{n}] = {{ {scales} }};\n")
        out.append(f"static const double fa_erfc_c0lo_{tag}[{n}] = {{ {c0los} }};"
                   "  /* c_k0 - (double)c_k0 */\n")
        out.append(f"static const double fa_c_erfc_h_{tag}[{deg + 1}][{n}] = {{\n")
        for j in range(deg + 1):
            column = ", ".join(hexd(r[2][j]) for r in rows)
            out.append(f"    {{ {column} }},\n")
        out.append("};\n\n")

    out.append(constants())
    out.append("#endif\n")
    if not only:
        with open(OUT, "w") as f:
            f.write("".join(out))
        print("wrote", os.path.normpath(OUT), f"in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
