/* fa_fast32_gelu_grad.h -- float-lane float32 gelu derivative by table.
 *
 * Include after fa_fast32.h (uses ff__exp_hl2, ff__pow2i, FF_FMA and, with
 * AVX-512, ff__pow2i_v16).  FMA builds only: the exact products below need
 * a fused multiply-add.
 *
 * gelu'(x) = Phi(x) + x phi(x).  With a = |x| (clamped at 14.75, where
 * gelu' is -0 on the left and 1 on the right in float), E = exp(-a^2/2) and
 * S(a) = erfcx(a/sqrt2)/2 - a/sqrt(2 pi):
 *     gelu'(x) = E S(a) for x < 0,   1 - E S(a) for x >= 0.
 * S = F T: T from the quarter-binade tables of fa_gelu_grad_table.h
 * (T = c0 + q, q = d p(d), d = a - x0 exact; tools/fast32/
 * derive_gelu_grad_table.py); F = 1, except in the slots around the root
 * R = 0.75179 of gelu' where F = (a - R_HI) - R_LO (a - R_HI exact), so that
 * the result keeps its relative accuracy right through the zero.
 * E = 2^k (eh + el) from the exact split a^2 = sh + sl (ff__exp_hl2);
 * F (eh + el)(c0 + q) is formed with exact FMA products and rounded once,
 * then scaled by 2^k in two steps (subnormal results round once).
 * The scalar statement fa_gelu_grad_tbl_f32 and the vector one
 * fa_gelu_grad_tbl_v16 do the same operations (bit-identical results,
 * tools/fast32/tbl_identical.c -DFN=gelu_grad).  fastact uses them on
 * AVX-512 builds only (the variant table, fastact/_variants.py): for AVX2,
 * GCC leaves the scalar statement's table lookups scalar, so that build
 * takes the table-free fa_fast32_gelu.h.
 */
#ifndef FA_FAST32_GELU_GRAD_H
#define FA_FAST32_GELU_GRAD_H

#if defined(__FMA__)
#include "fa_gelu_grad_table.h"
#define FF_HAVE_GELU_GRAD 1

FA_INLINE float fa_gelu_grad_tbl_f32(float x)
{
    float a = fa__abs32(x);
    a = fa__sel32(a > FF_GELU_GRAD_AMAX, FF_GELU_GRAD_AMAX, a);   /* NaN stays NaN (slot 31) */
    uint32_t t = (fa__u32(a) >> 21) - FF_GELU_GRAD_BASE;       /* a < 2^-3 wraps round */
    t = t > 31u ? 31u : t;
    float d = a - ff_gelu_grad_tbl[0][t];
    float p = ff_gelu_grad_tbl[FF_GELU_GRAD_NCOEF][t];
    for (int i = FF_GELU_GRAD_NCOEF - 1; i >= 2; --i)
        p = FF_FMA(p, d, ff_gelu_grad_tbl[i][t]);
    float q = d * p, c0 = ff_gelu_grad_tbl[1][t];              /* T = c0 + q */
    int root = t - FF_GELU_GRAD_ROOT_T0 < FF_GELU_GRAD_NROOT;
    float fh = fa__sel32(root, a - FF_GELU_GRAD_R_HI, 1.0f);   /* F = fh + fl */
    float fl = fa__sel32(root, -FF_GELU_GRAD_R_LO, 0.0f);
    float sh = a * a, sl = FF_FMA(a, a, -sh);                  /* a^2 = sh + sl */
    int32_t k;
    float el, eh = ff__exp_hl2(-0.5f * sh, -0.5f * sl, &k, &el);
    float uh = fh * eh, ul = FF_FMA(fh, eh, -uh) + (fh * el + fl * (eh + el));  /* F E 2^-k */
    float yh = uh * c0, yl = FF_FMA(uh, c0, -yh);
    float v = yh + (yl + FF_FMA(uh, q, ul * (c0 + q)));        /* E S 2^-k, rounded once */
    int32_t k1 = k >> 1;
    float es = (v * ff__pow2i(k1)) * ff__pow2i(k - k1);
    return fa__sel32(x < 0.0f, es, 1.0f - es);
}

#if defined(__AVX512F__)
#define FA_HAVE_GELU_GRAD_V16 1
FA_INLINE __m512 ff__gelu_grad_lookup(int row, __m512i t)
{
    return _mm512_permutex2var_ps(_mm512_load_ps(ff_gelu_grad_tbl[row]), t,
                                  _mm512_load_ps(ff_gelu_grad_tbl[row] + 16));
}

FA_INLINE __m512 fa_gelu_grad_tbl_v16(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 a = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x),
                                                    _mm512_set1_epi32(0x7fffffff)));
    a = _mm512_min_ps(_mm512_set1_ps(FF_GELU_GRAD_AMAX), a);  /* min returns a if a is NaN */
    __m512i t = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(a), 21),
                                 _mm512_set1_epi32((int)FF_GELU_GRAD_BASE));
    t = _mm512_min_epu32(t, _mm512_set1_epi32(31));
    __m512 d = _mm512_sub_ps(a, ff__gelu_grad_lookup(0, t));
    __m512 p = ff__gelu_grad_lookup(FF_GELU_GRAD_NCOEF, t);
    for (int i = FF_GELU_GRAD_NCOEF - 1; i >= 2; --i)
        p = _mm512_fmadd_ps(p, d, ff__gelu_grad_lookup(i, t));
    __m512 q = _mm512_mul_ps(d, p), c0 = ff__gelu_grad_lookup(1, t);
    __mmask16 root = _mm512_cmplt_epu32_mask(
        _mm512_sub_epi32(t, _mm512_set1_epi32((int)FF_GELU_GRAD_ROOT_T0)),
        _mm512_set1_epi32((int)FF_GELU_GRAD_NROOT));
    __m512 fh = _mm512_mask_blend_ps(root, one, _mm512_sub_ps(a, _mm512_set1_ps(FF_GELU_GRAD_R_HI)));
    __m512 fl = _mm512_maskz_mov_ps(root, _mm512_set1_ps(-FF_GELU_GRAD_R_LO));
    __m512i k;
    __m512 el, eh = ff__exp_half_sq_v16(a, &k, &el);
    /* F (eh + el)(c0 + q) */
    __m512 uh = _mm512_mul_ps(fh, eh);
    __m512 ul = _mm512_add_ps(_mm512_fmsub_ps(fh, eh, uh),
                              _mm512_add_ps(_mm512_mul_ps(fh, el),
                                            _mm512_mul_ps(fl, _mm512_add_ps(eh, el))));
    __m512 yh = _mm512_mul_ps(uh, c0), yl = _mm512_fmsub_ps(uh, c0, yh);
    __m512 v = _mm512_add_ps(yh, _mm512_add_ps(yl, _mm512_fmadd_ps(uh, q,
                                 _mm512_mul_ps(ul, _mm512_add_ps(c0, q)))));
    __m512i k1 = _mm512_srai_epi32(k, 1);
    __m512 es = _mm512_mul_ps(_mm512_mul_ps(v, ff__pow2i_v16(k1)),
                              ff__pow2i_v16(_mm512_sub_epi32(k, k1)));
    __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(neg, _mm512_sub_ps(one, es), es);
}

/* The derivative ufunc's contiguous kernel: out = gelu'(x). */
FF_ARRAY_V16(fa_gelu_grad_tbl_array, fa_gelu_grad_tbl_v16)

FF_BACKWARD_V16(fa_gelu_backward_tbl_array, fa_gelu_grad_tbl_v16)
#endif  /* __AVX512F__ */
#endif  /* __FMA__ */
#endif
