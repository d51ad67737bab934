/* fa_fast32_gelu_grad.h -- float32 gelu derivative by table, AVX-512 builds.
 *
 * Uses fa_fast32.h (uses fa_exp16_half_sq_v16_f32).
 *
 * gelu'(x) = Phi(x) + x phi(x).  With a = |x| (clamped at 14.75, where
 * gelu' is -0 on the left and 1 on the right in float), E = exp(-a^2/2) and
 * S(a) = erfcx(a/sqrt2)/2 - a/sqrt(2 pi):
 *     gelu'(x) = E S(a) for x < 0,   1 - E S(a) for x >= 0.
 * S = F T: T from the quarter-binade tables of fa_gelu_grad_table.h
 * (T = c0 + q, q = d p(d), d = a - x0 exact; tools/derive/
 * derive_gelu_grad_table.py); F = 1, except in the slots around the root
 * R = 0.75179 of gelu' where F = (a - R_HI) - R_LO (a - R_HI exact), so that
 * the result keeps its relative accuracy right through the zero.
 * E = 2^kf (hi + ml) from the exact split a^2 = sh + sl and the 16-entry
 * table of sigmoid's exp (fa_exp16_half_sq_v16_f32, as gelu's kernel; ml = hi m);
 * F (hi + ml)(c0 + q) is formed with exact FMA products and rounded about
 * once, then scaled by 2^kf with vscalefps (one rounding, subnormal results
 * too).  The scalar statement fa_gelu_grad_tbl_f32 is lane 0 of the zmm
 * code.  The AVX2 build takes the table-free fa_fast32_gelu.h (the variant
 * table, fastact/_build/variants.py).
 */
#ifndef FA_FAST32_GELU_GRAD_H
#define FA_FAST32_GELU_GRAD_H

#include "vmath/fa_fast32.h"

#if defined(__AVX512F__)
#include "generated/fa_gelu_grad_table.h"
#define FA_HAVE_GELU_GRAD_F32 1

FA_INLINE __m512 fa_gelu_grad_lookup_f32(int row, __m512i t)
{
    return _mm512_permutex2var_ps(_mm512_load_ps(fa_gelu_grad_table_f32[row]), t,
                                  _mm512_load_ps(fa_gelu_grad_table_f32[row] + 16));
}

FA_INLINE __m512 fa_gelu_grad_tbl_v16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 a = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x),
                                                    _mm512_set1_epi32(0x7fffffff)));
    a = _mm512_min_ps(_mm512_set1_ps(FA_GELU_GRAD_AMAX_F32), a);  /* min returns a if a is NaN */
    __m512i t = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(a), 21),
                                 _mm512_set1_epi32((int)FA_GELU_GRAD_BASE_F32));
    t = _mm512_min_epu32(t, _mm512_set1_epi32(31));
    __m512 d = _mm512_sub_ps(a, fa_gelu_grad_lookup_f32(0, t));
    __m512 p = fa_gelu_grad_lookup_f32(FA_GELU_GRAD_NCOEF_F32, t);
    for (int i = FA_GELU_GRAD_NCOEF_F32 - 1; i >= 2; --i)
        p = _mm512_fmadd_ps(p, d, fa_gelu_grad_lookup_f32(i, t));
    __m512 q = _mm512_mul_ps(d, p), c0 = fa_gelu_grad_lookup_f32(1, t);
    __mmask16 root = _mm512_cmplt_epu32_mask(
        _mm512_sub_epi32(t, _mm512_set1_epi32((int)FA_GELU_GRAD_ROOT_T0_F32)),
        _mm512_set1_epi32((int)FA_GELU_GRAD_NROOT_F32));
    __m512 fh = _mm512_mask_blend_ps(root, one, _mm512_sub_ps(a, _mm512_set1_ps(FA_GELU_GRAD_R_HI_F32)));
    __m512 fl = _mm512_maskz_mov_ps(root, _mm512_set1_ps(-FA_GELU_GRAD_R_LO_F32));
    __m512 kf, m, hi = fa_exp16_half_sq_v16_f32(a, &kf, &m);
    __m512 ml = _mm512_mul_ps(hi, m);
    /* F (hi + ml)(c0 + q) = uh c0 + (uh q + ul (c0 + q)), F (hi + ml) = uh + ul
     * (the product F hi exactly), uh c0 exact inside the last FMA */
    __m512 uh = _mm512_mul_ps(fh, hi);
    __m512 ul = _mm512_add_ps(_mm512_fmsub_ps(fh, hi, uh),
                              _mm512_fmadd_ps(fh, ml, _mm512_mul_ps(fl, _mm512_add_ps(hi, ml))));
    __m512 v = _mm512_fmadd_ps(uh, c0, _mm512_fmadd_ps(ul, _mm512_add_ps(c0, q),
                                                       _mm512_mul_ps(uh, q)));
    __m512 es = _mm512_scalef_ps(v, kf);
    __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(neg, _mm512_sub_ps(one, es), es);
}

/* The derivative ufunc's contiguous kernel: out = gelu'(x). */
FA_ARRAY_V16_F32(fa_gelu_grad_tbl_array, fa_gelu_grad_tbl_v16)

FA_BACKWARD_V16_F32(fa_gelu_backward_tbl_array, fa_gelu_grad_tbl_v16)

/* the scalar statement: lane 0 of the zmm version */
FA_INLINE float fa_gelu_grad_tbl_f32(float x)
{
    return _mm512_cvtss_f32(fa_gelu_grad_tbl_v16(_mm512_set1_ps(x)));
}
#endif  /* __AVX512F__ */
#endif
