/* fa_fast32_gelu.h -- float-lane float32 gelu and gelu' without tables.
 *
 * Uses fa_fast32.h (FA_FMA_F32, fa_horner_f32, fa_pow2i_f32, fa_c_exp_f32 and
 * the Cody-Waite constants).  FMA builds only (exact products below).
 * fastact uses these on AVX2 (the variant table, fastact/_build/variants.py): a
 * per-lane table lookup (vpermps, gathers) costs more than the polynomial
 * work of fa_fast32.h's table kernels saves (measured on Zen: 10 vpermps
 * per 8 lanes cost more than a division and 9 FMAs).
 *
 * a = |x|, E = exp(-a^2/2) = 2^k (h + l) from the exact split a^2 = sh + sl
 * (fa_exp_half_sq_f32), H(a) = erfcx(a/sqrt2)/2, so that Phi(-a) = E H(a):
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
 * Coefficients: fa_fast32_gelu_coeffs.h (tools/derive/derive_gelu_lanes.py).
 * NaN stays NaN (the clamps keep it), gelu(+-inf) = +inf / -0,
 * gelu'(+-inf) = 1 / 0.
 */
#ifndef FA_FAST32_GELU_H
#define FA_FAST32_GELU_H

#include "vmath/fa_fast32.h"

#if defined(__FMA__)
#include "generated/fa_fast32_gelu_coeffs.h"

/* exp(-a^2/2) = 2^k (h + *l), a in [0, 14.75]: a^2 = sh + sl exactly, so
 * the result keeps its relative accuracy where a^2 has many digits. */
FA_INLINE float fa_exp_half_sq_f32(float a, int32_t *k, float *l)
{
    float sh = a * a, sl = FA_FMA_F32(a, a, -sh);
    float wh = -0.5f * sh, wl = -0.5f * sl;
    float t = FA_FMA_F32(wh, FA_INVLN2_F32, FA_SHIFT_F32);
    *k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FA_SHIFT_F32));
    float kf = t - FA_SHIFT_F32;
    float r1 = FA_FMA_F32(kf, -FA_LN2HI_F32, wh);                /* exact: |k| <= 157 */
    float c = FA_FMA_F32(kf, -FA_LN2LO_F32, wl);
    float r = r1 + c;
    float p = FA_FMA_F32(r * r, fa_horner_f32(fa_c_exp_f32, FA_N_EXP_F32, r), c);
    float h = 1.0f + r1;
    *l = ((1.0f - h) + r1) + p;
    return h;
}

/* 2^k v for k in [-157, 0], rounded once (k + 64 keeps 2^(k+64) normal) */
FA_INLINE float fa_scale_k_f32(float v, int32_t k)
{
    return (v * fa_pow2i_f32(k + 64)) * 0x1p-64f;
}

FA_INLINE float fa_gelu_lanes_f32(float x)
{
    float a = fa_abs_f32(x);
    a = fa_blend_f32(a > FA_GELU_L_AMAX_F32, FA_GELU_L_AMAX_F32, a);     /* NaN stays NaN */
    int32_t k;
    float l, h = fa_exp_half_sq_f32(a, &k, &l);
    float qm = fa_horner_f32(fa_gelu_mid_f32, 11, a - FA_GELU_L_X0_F32);
    float t = fa_horner_f32(fa_gelu_tail_p_f32, 4, a) / fa_horner_f32(fa_gelu_tail_q_f32, 5, a);
    float qt = FA_FMA_F32(-FA_GELU_L_C_HI_F32, t, FA_GELU_L_C_LO_F32);
    int tail = a >= FA_GELU_L_A1_F32;
    float m = fa_blend_f32(tail, 1.0f, a);
    float c0 = fa_blend_f32(tail, FA_GELU_L_C_HI_F32, FA_GELU_L_C0_F32);
    float q = fa_blend_f32(tail, qt, qm);
    /* m (h + l)(c0 + q), rounded once */
    float uh = m * h, ul = FA_FMA_F32(m, h, -uh) + m * l;
    float yh = uh * c0, yl = FA_FMA_F32(uh, c0, -yh);
    float v = yh + (yl + FA_FMA_F32(uh, q, ul * (c0 + q)));
    float aq = fa_scale_k_f32(v, k);
    return fa_blend_f32(x < 0.0f, -aq, x - aq);
}

FA_INLINE float fa_gelu_grad_lanes_f32(float x)
{
    float a = fa_abs_f32(x);
    a = fa_blend_f32(a > FA_GELU_L_AMAX_GRAD_F32, FA_GELU_L_AMAX_GRAD_F32, a);
    int32_t k;
    float l, h = fa_exp_half_sq_f32(a, &k, &l);
    float H = fa_horner_f32(fa_gelu_grad_p_f32, 5, a) / fa_horner_f32(fa_gelu_grad_q_f32, 6, a);
    float s = FA_FMA_F32(-a, FA_GELU_L_C_HI_F32, H);
    float es = fa_scale_k_f32(FA_FMA_F32(h, s, l * s), k);
    return fa_blend_f32(x < 0.0f, es, 1.0f - es);
}
#endif  /* __FMA__ */
#endif
