/* fa_fast32_sigmoid.h -- float32 sigmoid, silu, glu and gelu(tanh)' for AVX-512 builds.
 *
 * Uses fa_fast32.h (uses its exp constants and fa_fast32_coeffs.h).
 * sigmoid(x) = N / (1 + t), t = e^-|x| = 2^kf m, with N = 1 for x >= 0 and
 * N = m for x < 0, where the quotient is scaled by 2^kf at the end
 * (vscalefps: one rounding, into the subnormal range too).
 *   Reduction: -|x| = kf ln2 + r, kf a multiple of 1/16 (the magic-number
 *   rounding of FA_EXP16_SHIFT_F32), |r| <= ln2/32, r by a two-part ln2 (the
 *   first product exact).  m = 2^(kf - floor kf) e^r: 2^(j/16) = hi + lo
 *   from two 16-entry tables (vpermps takes the low 4 bits of the rounded
 *   value as j), e^r - 1 = r + r^2 P(r), P of degree 1 (2^-29.2), and
 *   m = hi + (hi (e^r - 1) + lo) rounded once.
 *   Quotient: r0 = rcp14(1 + t) (relative error < 2^-14), y0 = N r0, the
 *   residual n = (N - y0) - y0 t (N - y0 exact, the FMA rounds once: the
 *   rounding of 1 + t does not enter) and y = y0 + r0 n rounded once.
 * |x| is clamped at amax (e^-amax below half the least subnormal) by
 * vrangeps, which gives amax for a NaN too: in sigmoid vfixupimmps puts x's
 * NaN into N for those lanes.  +inf gives 1, -inf +0, -0 1/2.
 * Exhaustive over the 2^32 floats: sigmoid 1.496 ULP (x = -0x1.62bfdep+2),
 * silu 1.486 ULP (x = -0x1.e64b16p+2).  The double-word form before took
 * 37 vector operations for sigmoid, this one 24; in a C loop on Zen 4,
 * sigmoid 0.456 -> 0.285 ns per element, silu 0.345.
 * The scalar statement (strided and float16 loops) is lane 0 of the same
 * zmm code: the same bits for every x whatever the layout. */
#ifndef FA_FAST32_SIGMOID_H
#define FA_FAST32_SIGMOID_H

#include "vmath/fa_fast32.h"

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define FA_HAVE_SIGMOID_V16 1

/* t = e^-|x| = 2^kf m (|x| clamped at amax) and the x < 0 lanes (neg);
 * FA_EXP16_PARTS_LO_F32 takes x as the pair x + xl. */
#define FA_EXP16_PARTS_F32(x, amax, m, t, kf, neg)                                    \
        FA_EXP16_PARTS_LO_F32(x, _mm512_setzero_ps(), amax, m, t, kf, neg, 0)
#define FA_EXP16_PARTS_LO_F32(x, xl, amax, m, t, kf, neg, with_lo)                    \
        const __m512 shift = _mm512_set1_ps(FA_EXP16_SHIFT_F32);                       \
        __m512 b = _mm512_range_ps((x), _mm512_set1_ps(amax), 0x0E); /* -min(|x|, amax) */ \
        __m512 z = _mm512_fmadd_ps(b, _mm512_set1_ps(FA_INVLN2_F32), shift);           \
        __m512 kf = _mm512_sub_ps(z, shift);                                       \
        __m512 r = _mm512_fnmadd_ps(kf, _mm512_set1_ps(FA_LN2HI_F32), b);              \
        r = _mm512_fnmadd_ps(kf, _mm512_set1_ps(FA_LN2LO_F32), r);                     \
        if (with_lo)        /* -|x + xl| = b - sign(x) xl */                       \
            r = _mm512_sub_ps(r, _mm512_xor_ps((xl), _mm512_and_ps((x),            \
                                                   _mm512_set1_ps(-0.0f))));       \
        __m512i j = _mm512_castps_si512(z);                                        \
        __m512 hi = _mm512_permutexvar_ps(j, _mm512_load_ps(fa_exp16_hi_f32));         \
        __m512 lo = _mm512_permutexvar_ps(j, _mm512_load_ps(fa_exp16_lo_f32));         \
        __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(fa_c_exp16_f32[1]), r,               \
                                   _mm512_set1_ps(fa_c_exp16_f32[0]));                 \
        __m512 em1 = _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r);                   \
        __m512 m = _mm512_add_ps(hi, _mm512_fmadd_ps(hi, em1, lo));                \
        __m512 t = _mm512_scalef_ps(m, kf);                                        \
        __mmask16 neg = _mm512_cmp_ps_mask((x), _mm512_setzero_ps(), _CMP_LT_OQ)

FA_INLINE __m512 fa_sigmoid_rcp_v16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    FA_EXP16_PARTS_F32(x, 104.0f, m, t, kf, neg);
    __m512 one_or_nan = _mm512_fixupimm_ps(one, x, _mm512_set1_epi32(0x22), 0);
    __m512 N = _mm512_mask_blend_ps(neg, one_or_nan, m);
    __m512 r0 = _mm512_rcp14_ps(_mm512_add_ps(one, t));
    __m512 y0 = _mm512_mul_ps(N, r0);
    __m512 n = _mm512_fnmadd_ps(y0, t, _mm512_sub_ps(N, y0));
    __m512 y = _mm512_fmadd_ps(r0, n, y0);
    return _mm512_mask_scalef_ps(y, neg, y, kf);
}

/* the scalar statement: lane 0 of the zmm version */
FA_INLINE float fa_sigmoid_rcp_f32(float x)
{
    return _mm512_cvtss_f32(fa_sigmoid_rcp_v16(_mm512_set1_ps(x)));
}

FA_ARRAY_V16_F32(fa_sigmoid_rcp_array, fa_sigmoid_rcp_v16)

/* f sigmoid(v) = f N / (1 + t) (silu, glu): the numerator f N as the exact
 * pair Nh + Nl, the residual n = (Nh - y0) + Nl - y0 t, then as sigmoid;
 * |v| clamped at amax. */
FA_INLINE __m512 fa_times_sigmoid_v16_f32(__m512 f, __m512 v, float amax)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    FA_EXP16_PARTS_F32(v, amax, m, t, kf, neg);
    __m512 N = _mm512_mask_blend_ps(neg, one, m);
    __m512 Nh = _mm512_mul_ps(f, N);
    __m512 Nl = _mm512_fmsub_ps(f, N, Nh);
    __m512 r0 = _mm512_rcp14_ps(_mm512_add_ps(one, t));
    __m512 y0 = _mm512_mul_ps(Nh, r0);
    __m512 n = _mm512_fnmadd_ps(y0, t, _mm512_add_ps(_mm512_sub_ps(Nh, y0), Nl));
    __m512 y = _mm512_fmadd_ps(r0, n, y0);
    return _mm512_mask_scalef_ps(y, neg, y, kf);
}

/* silu = x sigmoid(x): x is clamped at -110 for the factor (|silu(-110)| <
 * 2^-150; also a NaN propagates); vfixupimmps returns x itself for +-0 and
 * +inf. */
FA_INLINE __m512 fa_silu_rcp_v16(__m512 x)
{
    __m512 xc = _mm512_max_ps(_mm512_set1_ps(-110.0f), x);       /* x if x is NaN */
    return _mm512_fixupimm_ps(fa_times_sigmoid_v16_f32(xc, x, 110.0f), x,
                              _mm512_set1_epi32(0x00100100), 0);
}

FA_INLINE float fa_silu_rcp_f32(float x)
{
    return _mm512_cvtss_f32(fa_silu_rcp_v16(_mm512_set1_ps(x)));
}

FA_ARRAY_V16_F32(fa_silu_rcp_array, fa_silu_rcp_v16)

#define FA_GELU_TANH_C1_F32 ((float)FA_GELU_TANH_C1)
#define FA_GELU_TANH_C1_LO_F32 ((float)(FA_GELU_TANH_C1 - (double)FA_GELU_TANH_C1_F32))
#define FA_GELU_TANH_C3_F32 ((float)FA_GELU_TANH_C3)
#define FA_GELU_TANH_C3_LO_F32 ((float)(FA_GELU_TANH_C3 - (double)FA_GELU_TANH_C3_F32))
#define FA_GELU_TANH_3C3_F32 ((float)(3 * FA_GELU_TANH_C3))
#define FA_GELU_TANH_3C3_LO_F32 ((float)(3 * FA_GELU_TANH_C3 - (double)FA_GELU_TANH_3C3_F32))

/* C1 + c x^2 as hi + *lo (c = ch + cl, x^2 = x2 + x2l exactly): both terms
 * are >= 0, so a Fast2Sum with the larger first */
FA_INLINE __m512 fa_c1_plus_cx2_f32(float ch, float cl, __m512 x2, __m512 x2l, __m512 *lo)
{
    const __m512 c1 = _mm512_set1_ps(FA_GELU_TANH_C1_F32), c = _mm512_set1_ps(ch);
    __m512 ph = _mm512_mul_ps(c, x2), pl = _mm512_fmsub_ps(c, x2, ph);
    __m512 hi = _mm512_add_ps(c1, ph);
    __m512 err = _mm512_add_ps(_mm512_sub_ps(_mm512_max_ps(c1, ph), hi), _mm512_min_ps(c1, ph));
    *lo = _mm512_add_ps(err, _mm512_add_ps(pl, _mm512_fmadd_ps(c, x2l, _mm512_fmadd_ps(
              _mm512_set1_ps(cl), x2, _mm512_set1_ps(FA_GELU_TANH_C1_LO_F32)))));
    return hi;
}

/* gelu (approximate='tanh')' = s + x v' s (1 - s), s = sigmoid(v), v = x (C1
 * + C3 x^2), v' = C1 + 3 C3 x^2 (formulas.h), from t = e^-|v| = 2^kf m:
 * A = 1/(1 + t) to 2^-28 (rcp14 and one residual step) and B = t A, so
 * s (1 - s) = A B whatever the sign:
 *   v >= 0:  s = A:  f' = A + (x v' A) B;
 *   v <  0:  s = B:  f' = 2^kf (m A)(1 + x v' A), scaled last (the left
 *            tail keeps its relative accuracy down to the subnormals).
 * v and x v' are carried as pairs: e^-|v| moves by |v| ULPs of v's
 * rounding (the left tail reaches |v| ~ 90), and f' ~ x v' s there.
 * x is clamped to [-16, 16] by vrangeps (f' is 1 above, -0 below; a NaN
 * comes back through vfixupimmps).  Errors count in ULPs of the terms
 * |s| + |x v' s (1 - s)| (catalog grad_terms): exhaustive 3.476 at
 * x = -0x1.e490b4p+1, 0.772 ns per element in a C loop on Zen 4 (the
 * double-lane formula before: ~1.9). */
FA_INLINE __m512 fa_gelu_tanh_grad_v16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 xc = _mm512_range_ps(x, _mm512_set1_ps(16.0f), 0x02);  /* sign(x) min(|x|, 16) */
    __m512 x2 = _mm512_mul_ps(xc, xc), x2l = _mm512_fmsub_ps(xc, xc, x2);
    __m512 gl, g = fa_c1_plus_cx2_f32(FA_GELU_TANH_C3_F32, FA_GELU_TANH_C3_LO_F32, x2, x2l, &gl);
    __m512 v = _mm512_mul_ps(xc, g);
    __m512 vl = _mm512_fmadd_ps(xc, gl, _mm512_fmsub_ps(xc, g, v));
    __m512 dvl, dv = fa_c1_plus_cx2_f32(FA_GELU_TANH_3C3_F32, FA_GELU_TANH_3C3_LO_F32, x2, x2l, &dvl);
    __m512 xdv = _mm512_mul_ps(xc, dv);
    __m512 xdvl = _mm512_fmadd_ps(xc, dvl, _mm512_fmsub_ps(xc, dv, xdv));
    FA_EXP16_PARTS_LO_F32(v, vl, 320.0f, m, t, kf, neg, 1);
    __m512 r0 = _mm512_rcp14_ps(_mm512_add_ps(one, t));
    __m512 A = _mm512_fmadd_ps(r0, _mm512_fnmadd_ps(r0, t, _mm512_sub_ps(one, r0)), r0);
    __m512 pos = _mm512_fmadd_ps(_mm512_mul_ps(xdv, A), _mm512_mul_ps(t, A), A);
    __m512 af = _mm512_mul_ps(A, _mm512_fmadd_ps(xdvl, A, _mm512_fmadd_ps(xdv, A, one)));
    __m512 left = _mm512_fmadd_ps(hi, af, _mm512_mul_ps(_mm512_fmadd_ps(hi, em1, lo), af));
    __m512 y = _mm512_mask_blend_ps(neg, pos, _mm512_scalef_ps(left, kf));
    return _mm512_fixupimm_ps(y, x, _mm512_set1_epi32(0x22), 0);   /* NaN x: NaN */
}

FA_INLINE float fa_gelu_tanh_grad_v16_f32(float x)
{
    return _mm512_cvtss_f32(fa_gelu_tanh_grad_v16(_mm512_set1_ps(x)));
}

FA_ARRAY_V16_F32(fa_gelu_tanh_grad_v16_array, fa_gelu_tanh_grad_v16)

FA_BACKWARD_V16_F32(fa_gelu_tanh_backward_v16_array, fa_gelu_tanh_grad_v16)

/* silu' = s (1 + x (1 - s)), s = sigmoid(x), from t = e^-|x| = 2^kf m and
 * A = 1/(1 + t) (as gelu(tanh)' above):
 *   x >= 0:  s = A, 1 - s = t A:          f' = A (1 + x (t A));
 *   x <  0:  s = 2^kf (m A), 1 - s = A:    f' = 2^kf ((m A)(1 + x A)),
 * one product and one FMA either way, the left tail scaled last (it keeps
 * its relative accuracy down to the subnormals).  The factor x is clamped
 * at -110 (as silu: below, f' is below 2^-150); +inf gives 1, -inf +0 and
 * NaN NaN (vfixupimmps).  Exhaustive, in ULPs of the terms |s| +
 * |x s (1 - s)|: 3.146 at x = -0x1.a1480ep+3, 0.366 ns per element of the
 * backward in a C loop on Zen 4.  (With m unrounded, as hi A + (hi em1 +
 * lo) A, and a blend: 2.636 ULP, 0.403 ns; the session-10 form, A + (x A)
 * (t A) and 2^kf (hi af + (hi em1 + lo) af), af = A (1 + x A): 2.817 ULP,
 * 0.436 ns.) */
FA_INLINE __m512 fa_silu_grad_v16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    FA_EXP16_PARTS_F32(x, 110.0f, m, t, kf, neg);
    __m512 xc = _mm512_max_ps(_mm512_set1_ps(-110.0f), x);
    __m512 r0 = _mm512_rcp14_ps(_mm512_add_ps(one, t));
    __m512 A = _mm512_fmadd_ps(r0, _mm512_fnmadd_ps(r0, t, _mm512_sub_ps(one, r0)), r0);
    __m512 one_minus_s = _mm512_mask_mul_ps(A, (__mmask16)~neg, t, A);
    __m512 s_unscaled = _mm512_mask_mul_ps(A, neg, m, A);
    __m512 y = _mm512_mul_ps(s_unscaled, _mm512_fmadd_ps(xc, one_minus_s, one));
    y = _mm512_mask_scalef_ps(y, neg, y, kf);
    return _mm512_fixupimm_ps(y, x, _mm512_set1_epi32(0x00A80022), 0);
}

FA_INLINE float fa_silu_grad_v16_f32(float x)
{
    return _mm512_cvtss_f32(fa_silu_grad_v16(_mm512_set1_ps(x)));
}

FA_ARRAY_V16_F32(fa_silu_grad_v16_array, fa_silu_grad_v16)
FA_BACKWARD_V16_F32(fa_silu_backward_v16_array, fa_silu_grad_v16)

/* glu = a sigmoid(b) (b: gate): silu's kernel with a for the factor, where
 * fa_glu_lanes_cover(a, b) (fa_fast32.h: |b| <= 40, a = 0 or 2^-60 <=
 * |a| < inf, so a N does not overflow and the result is normal); a = +-0
 * gives a (vfixupimmps). */
FA_INLINE __m512 fa_glu_lanes_v16(__m512 a, __m512 gate)
{
    return _mm512_fixupimm_ps(fa_times_sigmoid_v16_f32(a, gate, 40.0f), a,
                              _mm512_set1_epi32(0x100), 0);
}

/* glu's row [a, b] (n = 2m): 16 pairs at a time, each pair by the lanes
 * form where it covers it, else by fa_glu_fast_f32 (the same bits for a
 * pair whatever its row holds); a contiguous row that the lanes cover
 * whole (a check pass first) stores the vectors directly. */
FA_INLINE void fa_glu_row_v16(intptr_t n, const float *x, intptr_t sx, float *y, intptr_t sy)
{
    intptr_t m = n / 2, i = 0;
    if (sx == 1 && sy == 1) {
        int covered = 1;
        #pragma omp simd reduction(&:covered)
        for (intptr_t j = 0; j < m; j++)
            covered &= fa_glu_lanes_cover(x[j], x[j + m]);
        if (covered) {
            for (; i + 16 <= m; i += 16)
                _mm512_storeu_ps(y + i, fa_glu_lanes_v16(_mm512_loadu_ps(x + i),
                                                         _mm512_loadu_ps(x + m + i)));
            if (i < m) {
                __mmask16 k = (__mmask16)((1u << (m - i)) - 1u);
                _mm512_mask_storeu_ps(y + i, k, fa_glu_lanes_v16(
                    _mm512_maskz_loadu_ps(k, x + i), _mm512_maskz_loadu_ps(k, x + m + i)));
            }
            return;
        }
    }
    for (; i < m; i += 16) {
        float ta[16] = {0}, tb[16] = {0}, ty[16];
        intptr_t c = m - i < 16 ? m - i : 16;
        for (intptr_t j = 0; j < c; j++) {
            ta[j] = x[(i + j) * sx];
            tb[j] = x[(i + j + m) * sx];
        }
        _mm512_storeu_ps(ty, fa_glu_lanes_v16(_mm512_loadu_ps(ta), _mm512_loadu_ps(tb)));
        for (intptr_t j = 0; j < c; j++)
            y[(i + j) * sy] = fa_glu_lanes_cover(ta[j], tb[j]) ? ty[j]
                                                                : fa_glu_fast_f32(ta[j], tb[j]);
    }
}
#endif

#endif
