"""Constants and polynomials of the float64 gelu / gelu_tanh / mish kernels
(fastact/src/vmath/fa_precise64.h), computed with mpmath; writes
fastact/src/generated/fa_precise64_constants.h.

    python tools/derive/derive_precise64.py        (about 20 s)

What it derives:

* split constants hi + lo (hi = the double nearest, lo = the double nearest
  the remainder): 1/sqrt(2), 1/sqrt(2 pi), and gelu_tanh's
  C1 = 2 sqrt(2/pi), C3 = C1 * 0.044715 (v = 2u = x (C1 + C3 x^2));
* H(a) = exp(a^2) erfc(a) for 0 <= a < 32 in 16 pieces, 13 coefficients
  each (gelu: erfc(|x|/sqrt2) = exp(-x^2/2) H(|x|/sqrt2)).  Pieces 0..7
  are polynomials in t = (a - mid) * scale on a in [i/4, (i+1)/4); pieces
  8..15 polynomials in t = (1/a - mid) * scale on the halves (in 1/a) of
  the binades [2, 4) .. [16, 32).  mid and scale are dyadic, so t is exact
  (except for a < 1/16 in piece 0, where the C code corrects for it).  Fit:
  Chebyshev interpolation (mpmath.chebyfit); the error printed and written
  is that of the polynomial with its coefficients rounded to double (c0 and
  c1 kept as hi + lo), relative to H, on a dense grid;
* the zeros r of gelu' and mish' (mpmath.findroot) and, about
  the double a = r rounded, f'(a + d) = c0 + d Q(d) for |d| <= w:
  c0 = f'(a) (tiny: f' vanishes within half an ulp of a), Q a Chebyshev
  interpolant of (f'(a + d) - c0)/d of the smallest degree whose rounded
  coefficients (Q(0) kept as hi + lo) reach a relative error below 2^-55,
  counted against max(|f'|, 2^-20) (the rounding of the coefficients sets
  that floor).  Inside the window the usual formulas cancel (two
  terms of size ~1/2 sum to f' ~ 0); the polynomial has no cancellation
  (c0 + d Q(d) is dominated by d Q(d), d = x - a exact).

Nothing is copied from another library: every value comes from mpmath's
erfc, exp, log1p, ncdf/npdf here.
"""

import os

import mpmath as mp

mp.mp.dps = 50
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fastact", "src",
                      "generated", "fa_precise64_constants.h")

H_COEFFS = 13
WINDOW_TARGET = mp.mpf(2) ** -55
GRAD_FLOOR = mp.mpf(2) ** -20


def split(v):
    hi = float(v)
    return hi, float(v - mp.mpf(hi))


def hexd(v):
    return float(v).hex()


# ---- H(a) = exp(a^2) erfc(a) -------------------------------------------------

def erfcx(a):
    return mp.exp(a * a) * mp.erfc(a)


def h_pieces():
    """(variable, lo, hi, mid, scale) of every piece; variable 'a' or 'u' (= 1/a)."""
    pieces = [("a", i / 4, (i + 1) / 4) for i in range(8)]
    for e in range(1, 5):           # a in [2^e, 2^(e+1)): u in (2^-(e+1), 2^-e]
        top = 2.0 ** -e             # u in (3/4 top, top] then (top/2, 3/4 top]
        pieces += [("u", 0.75 * top, top), ("u", 0.5 * top, 0.75 * top)]
    out = []
    for var, lo, hi in pieces:
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        out.append((var, lo, hi, mid, 1 / half))      # dyadic: exact doubles
    return out


def fit_piece(var, mid, scale):
    mid, scale = mp.mpf(mid), mp.mpf(scale)

    def g(t):
        w = mid + t / scale
        return erfcx(w if var == "a" else 1 / w)
    poly, _ = mp.chebyfit(g, [-1, 1], H_COEFFS, error=True)
    coef = list(reversed(poly))                       # c0, c1, ...
    cd = [float(c) for c in coef]
    c0lo = float(coef[0] - mp.mpf(cd[0]))
    c1lo = float(coef[1] - mp.mpf(cd[1]))
    worst = mp.mpf(0)
    for i in range(801):
        t = mp.mpf(-1) + mp.mpf(i) / 400
        q = mp.mpf(0)
        for c in reversed(cd[1:]):
            q = q * t + c
        p = mp.mpf(cd[0]) + c0lo + (q + c1lo) * t
        worst = max(worst, abs(p / g(t) - 1))
    return cd, c0lo, c1lo, worst


# ---- zeros of the derivatives ------------------------------------------------

C1 = 2 * mp.sqrt(2 / mp.pi)
C3 = C1 * mp.mpf("0.044715")


def gelu_grad(x):
    return mp.ncdf(x) + x * mp.npdf(x)


def mish_grad(x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x / mp.cosh(sp) ** 2 / (1 + mp.exp(-x))


ROOTS = [  # name, f', starting point, window half-width
    ("GELU", gelu_grad, "-0.7517915246935644574579049", 0.3),
    ("MISH", mish_grad, "-1.192431214515495212137588", 0.05),
]


def root_window(fp, start, w):
    r = mp.findroot(fp, mp.mpf(start))
    a = float(r)
    am = mp.mpf(a)
    c0 = fp(am)
    w = mp.mpf(w)

    def q(d):
        return (fp(am + d) - c0) / d if d != 0 else mp.diff(fp, am)
    grid = [w * (mp.mpf(i) / 600 - 1) for i in range(1201) if i != 600]
    truth = [fp(am + d) for d in grid]
    for n in range(4, 45):
        poly, _ = mp.chebyfit(q, [-w, w], n, error=True)
        coef = list(reversed(poly))
        cd = [float(c) for c in coef]
        q0lo = float(coef[0] - mp.mpf(cd[0]))
        worst = mp.mpf(0)
        for d, f in zip(grid, truth):
            p = mp.mpf(0)
            for c in reversed(cd):
                p = p * d + c
            p = mp.mpf(float(c0)) + d * (p + q0lo)
            worst = max(worst, abs(p - f) / max(abs(f), GRAD_FLOOR))
        if worst < WINDOW_TARGET:
            return r, a, float(c0), cd, q0lo, worst
    raise RuntimeError("no degree reached the target")


def main():
    lines = ["/* Generated by tools/derive/derive_precise64.py (mpmath) -- do not edit. */",
             "#ifndef FA_PRECISE64_CONSTANTS_H", "#define FA_PRECISE64_CONSTANTS_H", ""]

    def pair(name, v, comment):
        hi, lo = split(v)
        lines.extend([f"#define FA_{name}_HI_F64 {hexd(hi)}   /* {comment} */",
                      f"#define FA_{name}_LO_F64 {hexd(lo)}"])
    pair("RSQRT2", 1 / mp.sqrt(2), "1/sqrt(2)")
    pair("RSQRT2PI", 1 / mp.sqrt(2 * mp.pi), "1/sqrt(2 pi)")
    pair("C1", C1, "gelu_tanh: 2 sqrt(2/pi)")
    pair("C3", C3, "gelu_tanh: 2 sqrt(2/pi) * 0.044715")
    pair("3C3", 3 * C3, "3 C3")
    lines += [
              f"#define FA_2RSQRTPI_F64 {hexd(2 / mp.sqrt(mp.pi))}   /* 2/sqrt(pi) */", ""]

    pieces = h_pieces()
    rows, worst = [], mp.mpf(0)
    for var, lo, hi, mid, scale in pieces:
        cd, c0lo, c1lo, err = fit_piece(var, mid, scale)
        worst = max(worst, err)
        rng = f"a in [{lo:g}, {hi:g})" if var == "a" else f"1/a in ({lo:g}, {hi:g}]"
        print(f"H piece {len(rows):2d}: {rng:28s} max rel err 2^{float(mp.log(err, 2)):.1f}")
        rows.append((mid, scale, cd, c0lo, c1lo))
    n = len(rows)
    lines += [f"/* H(a) = exp(a^2) erfc(a), 0 <= a < 32: {n} pieces (see the generator),",
              f" * H = (c0 + c0lo) + (c1 + c1lo) t + sum_(j>=2) c_j t^j, max relative error "
              f"2^{float(mp.log(worst, 2)):.1f}.",
              " * Stored transposed: coefficient j of every piece contiguous (gathers). */",
              f"#define FA_H_COEFFS_F64 {H_COEFFS}",
              f"#define FA_H_PIECES_F64 {n}",
              f"static const double fa_h_mid_pair_f64[{n}] = {{ "
              + ", ".join(hexd(r[0]) for r in rows) + " };",
              f"static const double fa_h_scale_pair_f64[{n}] = {{ "
              + ", ".join(hexd(r[1]) for r in rows) + " };",
              f"static const double fa_h_c0lo_pair_f64[{n}] = {{ "
              + ", ".join(hexd(r[3]) for r in rows) + " };",
              f"static const double fa_h_c1lo_pair_f64[{n}] = {{ "
              + ", ".join(hexd(r[4]) for r in rows) + " };",
              f"static const double fa_h_pair_f64[{H_COEFFS}][{n}] = {{"]
    for j in range(H_COEFFS):
        lines.append("    { " + ", ".join(hexd(r[2][j]) for r in rows) + " },")
    lines += ["};", ""]

    for name, fp, start, w in ROOTS:
        r, a, c0, cd, q0lo, err = root_window(fp, start, w)
        assert abs(r - mp.mpf(start)) < mp.mpf(10) ** -22, (name, r)
        print(f"{name.lower()}' zero {mp.nstr(r, 25)}: window {w}, {len(cd)} coefficients, "
              f"max error 2^{float(mp.log(err, 2)):.1f}")
        lines += [f"/* {name.lower()}'(x) = 0 at x = {mp.nstr(r, 25)}; "
                  "about a = that zero rounded,",
                  f" * f'(a + d) = C0 + d (Q(d) + Q0LO) for |d| <= {w}, Q of degree {len(cd) - 1};",
                  f" * max error 2^{float(mp.log(err, 2)):.1f} relative to max(|f'|, 2^-20). */",
                  f"#define FA_{name}_ROOT_F64 {hexd(a)}",
                  f"#define FA_{name}_WINDOW_F64 {w!r}",
                  f"#define FA_{name}_C0_F64 {hexd(c0)}",
                  f"#define FA_{name}_Q0LO_F64 {hexd(q0lo)}   /* Q(0) - (double)Q(0) */",
                  f"#define FA_{name}_NQ_F64 {len(cd)}",
                  f"static const double fa_{name.lower()}_q_pair_f64[{len(cd)}] = {{"]
        lines += [f"    {hexd(c)}," for c in cd]
        lines += ["};", ""]
    lines += ["#endif", ""]
    with open(TARGET, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {os.path.normpath(TARGET)}")


if __name__ == "__main__":
    main()
