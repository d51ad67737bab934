/* fa_fast32_gelu.h -- float-lane float32 gelu and gelu' without tables.
 *
 * Include after fa_fast32.h (FF_FMA, ff__horner, ff__pow2i, ff_c_exp and
 * the Cody-Waite constants).  FMA builds only (exact products below).
 * fastact uses these on AVX2 (the variant table, fastact/_variants.py): a
 * per-lane table lookup (vpermps, gathers) costs more than the polynomial
 * work of fa_fast32.h's table kernels saves (measured on Zen: 10 vpermps
 * per 8 lanes cost more than a division and 9 FMAs).
 *
 * a = |x|, E = exp(-a^2/2) = 2^k (h + l) from the exact split a^2 = sh + sl
 * (ff__exp_half_sq), H(a) = erfcx(a/sqrt2)/2, so that Phi(-a) = E H(a):
 *   gelu(x)  = -a E H (x < 0),  x - a E H (x >= 0): for x < 0 never 1 - Phi
 *              (no cancellation in the left tail, results to the smallest
 *              subnormal); a E H is formed as M (h + l)(C0 + q) with exact
 *              FMA products around the constant C0, rounded once, then scaled
 *              by 2^k in two steps (a subnormal result rounds once):
 *              a < 2:  M = a, H = C0 + q(a - 1), q a polynomial;
 *              a >= 2: M = 1, a H = c (1 - t), t = T(a)/U(a) <= 0.21 (so
 *                      its rounding is damped), c = C_HI + C_LO.
 *   gelu'(x) = E S (x < 0),  1 - E S (x >= 0),  S = H - a c (one rational
 *              H = P/R on [0, 14.75]); errors are measured against the
 *              terms Phi + |x| phi (catalog grad_terms), so S may cancel
 *              near the zero of gelu' at x = -0.7518.
 * Coefficients: fa_fast32_gelu_coeffs.h (tools/fast32/derive_gelu_lanes.py).
 * NaN stays NaN (the clamps keep it), gelu(+-inf) = +inf / -0,
 * gelu'(+-inf) = 1 / 0.
 */
#ifndef FA_FAST32_GELU_H
#define FA_FAST32_GELU_H

#if defined(__FMA__)
#include "fa_fast32_gelu_coeffs.h"

/* exp(-a^2/2) = 2^k (h + *l), a in [0, 14.75]: a^2 = sh + sl exactly, so
 * the result keeps its relative accuracy where a^2 has many digits. */
FA_INLINE float ff__exp_half_sq(float a, int32_t *k, float *l)
{
    float sh = a * a, sl = FF_FMA(a, a, -sh);
    float wh = -0.5f * sh, wl = -0.5f * sl;
    float t = FF_FMA(wh, FF_INVLN2, FF_SHIFT);
    *k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FF_SHIFT));
    float kf = t - FF_SHIFT;
    float r1 = FF_FMA(kf, -FF_LN2HI, wh);                /* exact: |k| <= 157 */
    float c = FF_FMA(kf, -FF_LN2LO, wl);
    float r = r1 + c;
    float p = FF_FMA(r * r, ff__horner(ff_c_exp, FF_N_EXP, r), c);
    float h = 1.0f + r1;
    *l = ((1.0f - h) + r1) + p;
    return h;
}

/* 2^k v for k in [-157, 0], rounded once (k + 64 keeps 2^(k+64) normal) */
FA_INLINE float ff__scale_k(float v, int32_t k)
{
    return (v * ff__pow2i(k + 64)) * 0x1p-64f;
}

FA_INLINE float fa_gelu_lanes_f32(float x)
{
    float a = fa_abs_f32(x);
    a = fa__sel32(a > FF_GELU_L_AMAX, FF_GELU_L_AMAX, a);     /* NaN stays NaN */
    int32_t k;
    float l, h = ff__exp_half_sq(a, &k, &l);
    float qm = ff__horner(ff_gelu_mid, 11, a - FF_GELU_L_X0);
    float t = ff__horner(ff_gelu_tail_p, 4, a) / ff__horner(ff_gelu_tail_q, 5, a);
    float qt = FF_FMA(-FF_GELU_L_C_HI, t, FF_GELU_L_C_LO);
    int tail = a >= FF_GELU_L_A1;
    float m = fa__sel32(tail, 1.0f, a);
    float c0 = fa__sel32(tail, FF_GELU_L_C_HI, FF_GELU_L_C0);
    float q = fa__sel32(tail, qt, qm);
    /* m (h + l)(c0 + q), rounded once */
    float uh = m * h, ul = FF_FMA(m, h, -uh) + m * l;
    float yh = uh * c0, yl = FF_FMA(uh, c0, -yh);
    float v = yh + (yl + FF_FMA(uh, q, ul * (c0 + q)));
    float aq = ff__scale_k(v, k);
    return fa__sel32(x < 0.0f, -aq, x - aq);
}

FA_INLINE float fa_gelu_grad_lanes_f32(float x)
{
    float a = fa_abs_f32(x);
    a = fa__sel32(a > FF_GELU_L_AMAX_GRAD, FF_GELU_L_AMAX_GRAD, a);
    int32_t k;
    float l, h = ff__exp_half_sq(a, &k, &l);
    float H = ff__horner(ff_gelu_grad_p, 5, a) / ff__horner(ff_gelu_grad_q, 6, a);
    float s = FF_FMA(-a, FF_GELU_L_C_HI, H);
    float es = ff__scale_k(FF_FMA(h, s, l * s), k);
    return fa__sel32(x < 0.0f, es, 1.0f - es);
}
#endif  /* __FMA__ */
#endif
