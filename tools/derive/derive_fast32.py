"""Derive the float32 polynomial coefficients of fast32.h (writes
fastact/src/generated/fa_fast32_coeffs.h).

Method: near-minimax fit of the RELATIVE error of the final function, by
Lawson's iteratively re-weighted least squares on a dense grid (numpy, double),
then coefficients rounded to float32 one at a time, lowest first, refitting the
remaining higher ones after each rounding (so the rounding of the low, large
coefficients is compensated).  Errors are re-measured with mpmath (50 digits).
Nothing is copied from other libraries.

Usage: python derive.py [--print]
"""
import os
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50
F32 = np.float32


def lawson(basis, target, weight, iters=60):
    """min_c max |weight * (basis @ c - target)| approx (Lawson IRLS)."""
    lw = np.ones(len(target)) / len(target)
    c = None
    for _ in range(iters):
        sw = np.sqrt(lw)
        A = basis * (sw * weight)[:, None]
        b = target * sw * weight
        c, *_ = np.linalg.lstsq(A, b, rcond=None)
        err = np.abs(weight * (basis @ c - target))
        lw = lw * err
        lw /= lw.sum()
    return c


def fit_rounded(x, powers_x, target, weight):
    """fit sum c_i * powers_x[:, i] ~ target; round c_i to float32 lowest first."""
    n = powers_x.shape[1]
    fixed = []
    for i in range(n):
        resid = target - (powers_x[:, :i] @ np.array(fixed, dtype=float) if i else 0)
        c = lawson(powers_x[:, i:], resid, weight)
        fixed.append(float(F32(c[0])))
    return fixed


def cheb_grid(a, b, n=6000):
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    return np.sort(0.5 * (a + b) + 0.5 * (b - a) * t)


def horner(c, x):
    p = mp.mpf(c[-1])
    for ci in reversed(c[:-1]):
        p = p * x + mp.mpf(ci)
    return p


# ---- exp(r) = 1 + r + r^2 P(r), |r| <= ln2/2 (+ margin for the non-FMA k rounding)
def derive_exp(deg, rel_expm1=False):
    """rel_expm1: minimise the error relative to expm1(r) (elu) instead of exp(r)."""
    R = 0.3466 * 1.003
    r = cheb_grid(-R, R)
    rr = [mp.mpf(v) for v in r]
    g = np.array([float((mp.exp(v) - 1 - v) / v**2) if v != 0 else 0.5 for v in rr])
    w = np.array([float(v**2 / (mp.expm1(v) if rel_expm1 else mp.exp(v))) for v in rr])
    B = np.stack([r**i for i in range(deg + 1)], 1)
    c = fit_rounded(r, B, g, w)
    test = [mp.mpf(-R) + 2 * R * mp.mpf(i) / 4001 for i in range(4002)]
    if rel_expm1:
        e = max(abs((v + v * v * horner(c, v)) / mp.expm1(v) - 1) for v in test if v != 0)
    else:
        e = max(abs((1 + v + v * v * horner(c, v)) / mp.exp(v) - 1) for v in test)
    return c, float(e)


# ---- exp(r) = 1 + r + r^2 P(r), |r| <= ln2/32: the 16-entry table
# reduction of the AVX-512 sigmoid (x = (k + j/16) ln2 + r; 2^(j/16) from
# fa_exp16_hi_f32/lo), P of degree 1
EXP16_DEG = 1


def derive_exp16():
    R = float(mp.log(2) / 32) * 1.003
    r = cheb_grid(-R, R)
    rr = [mp.mpf(v) for v in r]
    g = np.array([float((mp.exp(v) - 1 - v) / v**2) if v != 0 else 0.5 for v in rr])
    w = np.array([float(v**2 / mp.exp(v)) for v in rr])
    B = np.stack([r**i for i in range(EXP16_DEG + 1)], 1)
    c = fit_rounded(r, B, g, w)
    test = [mp.mpf(-R) + 2 * R * mp.mpf(i) / 4001 for i in range(4002)]
    e = max(abs((1 + v + v * v * horner(c, v)) / mp.exp(v) - 1) for v in test)
    return c, float(e)


def exp16_table():
    """2^(j/16), j = 0..15, as hi + lo floats (hi rounded, lo = the rest), and
    lo_rel = lo / hi (2^(j/16) = hi (1 + lo_rel), for gelu's kernel)."""
    exact = [mp.power(2, mp.mpf(j) / 16) for j in range(16)]
    hi = [float(F32(float(v))) for v in exact]
    lo = [float(F32(float(v - mp.mpf(h)))) for v, h in zip(exact, hi)]
    lo_rel = [float(F32(float((v - mp.mpf(h)) / mp.mpf(h)))) for v, h in zip(exact, hi)]
    return hi, lo, lo_rel


# ---- exp(2r) - 1 = r (2 + r P(r)), |r| <= ln2/4 (tanh's big branch: the
# factor 2 of exp(2|x|) folded into the coefficients)
def derive_exp2(deg):
    R = 0.3466 / 2 * 1.003
    r = cheb_grid(-R, R)
    rr = [mp.mpf(v) for v in r]
    g = np.array([float((mp.exp(2 * v) - 1 - 2 * v) / v**2) if v != 0 else 2.0 for v in rr])
    w = np.array([float(v**2 / mp.exp(2 * v)) for v in rr])
    B = np.stack([r**i for i in range(deg + 1)], 1)
    c = fit_rounded(r, B, g, w)
    test = [mp.mpf(-R) + 2 * R * mp.mpf(i) / 4001 for i in range(4002)]
    e = max(abs((1 + v * (2 + v * horner(c, v))) / mp.exp(2 * v) - 1) for v in test)
    return c, float(e)


# ---- tanh(x) = x + x^3 P(x^2), 0 <= x <= T
def derive_odd(fn, T, deg, center=0.0):
    """P in the variable v = x^2 - center (center > 0: better-conditioned
    float Horner when x^2 reaches ~1)."""
    x = cheb_grid(1e-4, T)
    w2 = x * x - center
    xx = [mp.mpf(v) for v in x]
    g = np.array([float((fn(v) / v - 1) / (v * v)) for v in xx])
    wt = np.array([float(v**3 / fn(v)) for v in xx])
    B = np.stack([w2**i for i in range(deg + 1)], 1)
    c = fit_rounded(x, B, g, wt)
    test = [mp.mpf(T) * mp.mpf(i + 1) / 4001 for i in range(4001)]
    e = max(abs((v + v**3 * horner(c, v * v - center)) / fn(v) - 1) for v in test)
    return c, float(e)


ATAN_T1 = 0.5464          # > tan(0.5) = 0.546302...
ATAN_DEG = int(os.environ.get("ATAN_DEG", "5"))
TANH_EDEG = int(os.environ.get("TANH_EDEG", "4"))


# ---- softplus, |x| < 1: softplus(x) = ln2 + x/2 + log(cosh(x/2)), the last
# term = w S(w), w = x^2 (even); fitted for absolute error (result >= 0.31)
def derive_logcosh(T, deg):
    x = cheb_grid(1e-4, T)
    w = x * x
    xx = [mp.mpf(v) for v in x]
    g = np.array([float(mp.log(mp.cosh(v / 2)) / (v * v)) for v in xx])
    wt = w / np.array([float(mp.log(1 + mp.exp(-v))) for v in xx])     # the smaller side, x < 0
    B = np.stack([w**i for i in range(deg + 1)], 1)
    c = fit_rounded(x, B, g, wt)
    test = [mp.mpf(T) * mp.mpf(i + 1) / 4001 for i in range(4001)]
    e = max(abs((mp.log(2) - v / 2 + v * v * horner(c, v * v)) / mp.log(1 + mp.exp(-v)) - 1)
            for v in test)
    return c, float(e)


# ---- log1p(t) = t - t^2/2 + t^3 H(t), 0 <= t <= T (softplus, |x| >= 1)
def derive_log1p3(deg, T):
    t = cheb_grid(1e-5, T)
    tt = [mp.mpf(v) for v in t]
    g = np.array([float((mp.log1p(v) - v + v * v / 2) / v**3) for v in tt])
    wt = np.array([float(v**3 / mp.log1p(v)) for v in tt])
    B = np.stack([t**i for i in range(deg + 1)], 1)
    c = fit_rounded(t, B, g, wt)
    test = [mp.mpf(T) * (i + 1) / 4001 for i in range(4001)]
    e = max(abs((v - v * v / 2 + v**3 * horner(c, v)) / mp.log1p(v) - 1) for v in test)
    return c, float(e)


SOFTPLUS_T = 1.0
SOFTPLUS_SDEG = int(os.environ.get("SOFTPLUS_SDEG", "4"))
SOFTPLUS_LDEG = int(os.environ.get("SOFTPLUS_LDEG", "5"))


def emit(name, c, err, comment, out):
    out.append(f"/* {comment}; max rel. error {err:.3g} (2^{np.log2(err):.1f}) */")
    out.append(f"#define FA_N_{name.upper()}_F32 {len(c)}")
    body = ", ".join(float.hex(float(v)).replace("0x", "0x") + "f" for v in c)
    out.append(f"static const float fa_c_{name}_f32[{len(c)}] = {{{body}}};")
    out.append("")



def write_slot_table(header, comment, defines, array, names, cols):
    """Write fastact/src/<header>: the C tables of a by-slot kernel, one row
    of 32 floats per name (two zmm registers: vpermt2ps lookups)."""
    guard = header.upper().replace(".", "_")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "fastact", "src", "generated", header)
    with open(path, "w") as f:
        f.write(f"/* Generated by tools/derive/{os.path.basename(sys.argv[0])}"
                f" -- do not edit: {header}.\n"
                f" * {comment} */\n")
        f.write(f"#ifndef {guard}\n#define {guard}\n\n")
        for line in defines:
            f.write(f"#define {line}\n")
        f.write(f"\n/* rows: {', '.join(names)} */\n")
        f.write(f"static const float {array}[{len(names)}][32] __attribute__((aligned(64))) = {{\n")
        for name, col in zip(names, cols):
            f.write(f"    {{ /* {name} */\n")
            for i in range(0, 32, 4):
                f.write("        " + ", ".join(f"{float(F32(v)).hex()}f" for v in col[i:i + 4])
                        + ",\n")
            f.write("    },\n")
        f.write("};\n\n#endif\n")
    print("wrote", os.path.normpath(path))

def main():
    out = ["/* Generated by tools/derive/derive_fast32.py -- do not edit. */",
           "#ifndef FA_FAST32_COEFFS_H", "#define FA_FAST32_COEFFS_H", ""]
    # Cody-Waite split of ln2 for float: LN2HI has 16 significant bits (k*LN2HI
    # exact for |k| < 256), LN2LO = ln2 - LN2HI rounded.
    ln2 = mp.log(2)
    hi = float(mp.nint(ln2 * 2**16) / 2**16)
    lo = float(F32(float(ln2 - hi)))
    out.append(f"#define FA_LN2HI_F32 {float.hex(hi)}f")
    out.append(f"#define FA_LN2LO_F32 {float.hex(lo)}f")
    out.append(f"#define FA_INVLN2_F32 {float.hex(float(F32(float(1 / ln2))))}f")
    out.append(f"#define FA_PI_2HI_F32 {float.hex(float(F32(float(mp.pi / 2))))}f")
    pi2 = mp.pi / 2
    pi2lo = float(F32(float(pi2 - mp.mpf(float(F32(float(pi2)))))))
    out.append(f"#define FA_PI_2LO_F32 {float.hex(pi2lo)}f")
    pi4 = mp.pi / 4
    pi4hi = float(F32(float(pi4)))
    out.append(f"#define FA_PI_4HI_F32 {float.hex(pi4hi)}f")
    out.append(f"#define FA_PI_4LO_F32 {float.hex(float(F32(float(pi4 - mp.mpf(pi4hi)))))}f")
    out.append(f"#define FA_ATAN_T1_F32 {ATAN_T1}f")
    out.append("")
    c, e = derive_exp(4)
    emit("exp", c, e, "exp(r) = 1 + r + r^2 P(r), |r| <= 0.3477, P degree 4", out)
    c, e = derive_exp(5, rel_expm1=True)
    emit("expm1", c, e,
         "expm1(r) = r + r^2 P(r), |r| <= 0.3477, P degree 5 (error relative to expm1)", out)
    c, e = derive_exp16()
    emit("exp16", c, e, "exp(r) = 1 + r + r^2 P(r), |r| <= ln2/32, P degree 1", out)
    for name, col in zip(("hi", "lo", "lo_rel"), exp16_table()):
        body = ", ".join(float.hex(v) + "f" for v in col)
        out.append(f"static const float fa_exp16_{name}_f32[16] __attribute__((aligned(64))) = "
                   f"{{{body}}};")
    out.append("#define FA_EXP16_SHIFT_F32 0x1.8p19f     /* x + it rounds to a multiple of 1/16 */")
    out.append("")
    c, e = derive_exp2(TANH_EDEG)
    emit("exp2", c, e, f"exp(2r) = 1 + r (2 + r P(r)), |r| <= 0.1738, P degree {TANH_EDEG}", out)
    out.append(f"#define FA_LN2HI_2_F32 {float.hex(hi / 2)}f")
    out.append(f"#define FA_LN2LO_2_F32 {float.hex(lo / 2)}f")
    out.append(f"#define FA_2_LN2_F32 {float.hex(float(F32(float(2 / ln2))))}f")
    out.append("")
    for T, deg, cen, nm in [(0.625, 5, 0.0, "tanh"), (1.0, 7, 0.5, "tanh1"),
                            (1.25, 8, 0.75, "tanh2"), (1.0, 7, 0.0, "tanh1u")]:
        c, e = derive_odd(mp.tanh, T, deg, cen)
        emit(nm, c, e, f"tanh(x) = x + x^3 P(x^2 - {cen}), |x| <= {T}, P degree {deg}", out)
        out.insert(len(out) - 1, f"#define FA_CEN_{nm.upper()}_F32 {cen}f")
    # atan: three-interval reduction, |y| <= ATAN_T1 (atan(ATAN_T1) > 0.5)
    c, e = derive_odd(mp.atan, ATAN_T1, ATAN_DEG, 0.0)
    emit("atan", c, e, f"atan(y) = y + y^3 P(y^2), |y| <= {ATAN_T1}, P degree {ATAN_DEG}", out)
    c, e = derive_logcosh(SOFTPLUS_T, SOFTPLUS_SDEG)
    emit("logcosh", c, e,
         f"softplus(x) = ln2 + x/2 + w S(w), w = x^2, |x| <= {SOFTPLUS_T}, "
         f"S degree {SOFTPLUS_SDEG} (error relative to softplus(-|x|))", out)
    c, e = derive_log1p3(SOFTPLUS_LDEG, float(mp.exp(-SOFTPLUS_T)) * 1.0001)
    emit("log1pe", c, e,
         f"log1p(t) = t - t^2/2 + t^3 H(t), 0 <= t <= exp(-{SOFTPLUS_T}), H degree {SOFTPLUS_LDEG}",
         out)
    ln2 = mp.log(2)
    out.append(f"#define FA_LN2F_HI_F32 {float.hex(float(F32(float(ln2))))}f")
    ln2lo = float(F32(float(ln2 - mp.mpf(float(F32(float(ln2)))))))
    out.append(f"#define FA_LN2F_LO_F32 {float.hex(ln2lo)}f")
    out.append("")
    out.append("#endif")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fastact", "src",
                        "generated", "fa_fast32_coeffs.h")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    if "--print" in sys.argv:
        print("\n".join(out))


if __name__ == "__main__":
    main()
