/* fa_exp32.h -- cheap exp cores: float lanes for float32, plus the double
 * one of the same shape, and 1/(1 + e) with its residual.
 *
 * exp(x) = 2^k (1 + u): Cody-Waite reduction x = k ln2 + r1 + c, r1 exact
 * (ln2_hi short enough that k ln2_hi is exact without FMA), c = -k ln2_lo;
 * exp(r) = 1 + r + r^2 P(r) with r = r1 + c rounded only inside the small
 * r^2 P(r) term, so u = r1 + (c + r^2 P(r)) rounds once.  Keeping 1 + u
 * unrounded (u carries ~2^-26 absolute, against 2^-24 for a rounded
 * 1 + u) is what lets sigmoid and silu stay within 2 ULP at one division.
 * float: P of degree 4 (fa_c_exp_f32, tools/derive/derive_fast32.py, 2^-28.2);
 * double: Q of degree 10 (fa_c_exp_q_f64, tools/derive/derive_coefficients.py,
 * 2^-60).  Also the float-lane helpers fa_fast32.h builds on: the
 * shift constant, Horner's scheme and 2^k.
 * Used by the logistic family (sigmoid, silu, silu', softplus'); any
 * kernel that needs exp of an argument in range may use them.
 */
#ifndef FA_EXP32_H
#define FA_EXP32_H

#include <stdint.h>
#include "fa_common.h"
#include "generated/fa_fast32_coeffs.h"
#include "vmath/fa_vmath.h"

#define FA_SHIFT_F32 0x1.8p23f                /* x + SHIFT rounds |x| < 2^22 to an integer */

FA_INLINE float fa_horner_f32(const float *c, int n, float x)
{
    float p = c[n - 1];
#pragma GCC unroll 16
    for (int i = n - 2; i >= 0; --i)
        p = FA_FMA_F32(p, x, c[i]);
    return p;
}

/* 2^k as a float, k in [-126, 127] */
FA_INLINE float fa_pow2i_f32(int32_t k) { return fa_from_bits_f32((uint32_t)(k + 127) << 23); }

/* exp(x) = 2^k (1 + u) for x in [-150 ln2, 127 ln2] (the caller clamps);
 * |u| <= 0.415, error ~2^-25.5 absolute (0.86 ULP as exp, all floats). */
FA_INLINE float fa_exp_u_f32(float x, int32_t *k)
{
    float t = FA_FMA_F32(x, FA_INVLN2_F32, FA_SHIFT_F32);
    *k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FA_SHIFT_F32));
    float kf = t - FA_SHIFT_F32;
    float r1 = FA_FMA_F32(kf, -FA_LN2HI_F32, x);                 /* exact */
    float c = kf * -FA_LN2LO_F32;
    float r = r1 + c;
    return r1 + FA_FMA_F32(r * r, fa_horner_f32(fa_c_exp_f32, FA_N_EXP_F32, r), c);
}

/* e = exp(z) for z in [-110, 0] (the caller clamps), returned as e 2^64,
 * always a normal float; *e = e itself (0 or subnormal in the far tail,
 * where 1 + e = 1 anyway).  exp(r) = 1 + r (1 + r P(r)) in Horner form,
 * rounded once: ~0.6 ULP.  The lean core of sigmoid and silu' (FMA builds). */
FA_INLINE float fa_exp_scaled_f32(float z, float *e)
{
    float t = FA_FMA_F32(z, FA_INVLN2_F32, FA_SHIFT_F32);
    int32_t k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FA_SHIFT_F32));
    float kf = t - FA_SHIFT_F32;
    float r = FA_FMA_F32(kf, -FA_LN2HI_F32, z);
    r = FA_FMA_F32(kf, -FA_LN2LO_F32, r);
    float p = FA_FMA_F32(fa_horner_f32(fa_c_exp_f32, FA_N_EXP_F32, r), r, 1.0f);
    float eh = FA_FMA_F32(p, r, 1.0f) * fa_pow2i_f32(k + 64);
    *e = eh * 0x1p-64f;
    return eh;
}

/* 1/(1 + e) = r0 (1 + *res) for e = E (1 + u) <= ~1 (E a power of 2):
 * 1 + e = d + dl exactly (Fast2Sum), r0 = 1/d, and the residual
 * 1 - r0 (d + dl) from exact FMA products (FMA builds). */
FA_INLINE float fa_recip1p_f32(float u, float E, float *res)
{
    float e = FA_FMA_F32(u, E, E);
    float d = 1.0f + e, dl = (1.0f - d) + e;
    float r0 = 1.0f / d;
    *res = FA_FMA_F32(-r0, dl, FA_FMA_F32(-r0, d, 1.0f));
    return r0;
}

/* double: exp(x) = 2^k (1 + u) for x in [-1100, 700]; beyond, k and u are
 * garbage (NaN: u is NaN) that the caller replaces. */
FA_INLINE double fa_exp_u_f64(double x, int64_t *k)
{
    double t = FA_FMA_F64(x, FA_INVLN2_F64, FA_SHIFT_F64);
    *k = (int64_t)(fa_bits_f64(t) - FA_SHIFT_BITS_F64);
    double kd = t - FA_SHIFT_F64;
    double r1 = FA_FMA_F64(kd, -FA_LN2HI_F64, x);               /* exact: 42-bit ln2_hi */
    double c = kd * -FA_LN2LO_F64;
    double r = r1 + c;
    return r1 + FA_FMA_F64(r * r, fa_exp_q_estrin_f64(r), c);
}

/* 1 - exp(-y) for y >= 0 (softplus' = sigmoid from softplus's output y,
 * beta = 1): exp(-y) = 2^k (1 + u), 1 - 2^k exact, so one rounding:
 * fma(-2^k, u, 1 - 2^k); for y < 0.35 (k = 0) that is -u itself, so small
 * y keep their relative accuracy without an expm1.  Beyond y = 18 (float)
 * or 40 (double) the result rounds to 1.  NaN stays NaN; y = 0 gives +0. */
FA_INLINE float fa_one_minus_exp_neg_f32(float y)
{
    int32_t k;
    float u = fa_exp_u_f32(-fa_blend_f32(y > 18.0f, 18.0f, y), &k);
    float E = fa_pow2i_f32(k);
    return FA_FMA_F32(-E, u, 1.0f - E);
}
FA_INLINE double fa_one_minus_exp_neg_f64(double y)
{
    int64_t k;
    double u = fa_exp_u_f64(-(y > 40.0 ? 40.0 : y), &k);
    double E = fa_pow2i_f64(k);
    return FA_FMA_F64(-E, u, 1.0 - E);
}

/* softplus' from its output y at beta = 1, 1 past the threshold */
FA_INLINE float fa_softplus_grad_y_unit_f32(float y, float threshold)
{
    return fa_select_f32(y > threshold, 1, fa_one_minus_exp_neg_f32(y));
}
FA_INLINE double fa_softplus_grad_y_unit_f64(double y, double threshold)
{
    return fa_select_f64(y > threshold, 1, fa_one_minus_exp_neg_f64(y));
}

/* log1p(e) for e in [0, 1], double, no table: 1 + e = d + dl exactly;
 * below sqrt2 f = e itself, above f = d/2 - 1 (exact) with dl/(2m)
 * (m = d/2 in [0.7, 1]; 1/m ~ 2 - m is plenty for a 2^-54 term) as the
 * correction; then fdlibm's log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))),
 * s = f/(2 + f) (fa_log_core_f64, R degree 7).  Subnormal e: returns e. */
FA_INLINE double fa_log1p_unit_f64(double e)
{
    double d = 1.0 + e, dl = (1.0 - d) + e;
    int big = d > 1.4142135623730951;
    double m = 0.5 * d;
    double f = big ? m - 1.0 : e;
    double c = big ? (0.5 * dl) * (2.0 - m) : 0.0;
    return fa_log_core_f64(f, big ? 1.0 : 0.0, c);
}

#endif
