/* fa_fast64_gelu.h -- float64 gelu (erf) and gelu' for AVX-512 builds: no
 * pairs, no gathers.
 *
 * Include after fa_fast64_sigmoid.h (FA_ARRAY_V8_F64, FA_BACKWARD_V8_F64) and
 * fa_vmath.h (FA_INVLN2_F64, FA_LN2HI_F64/LO, the 16-entry exp table
 * fa_exp16_hi_f64/lo and Q's fa_c_exp16_q_f64).
 * With b = |x| clamped at 40:  Phi(-b) = e N(b),  phi(b) = e C,
 *   e = exp(-b^2/2), C = 1/sqrt(2 pi), N(b) = exp(b^2/2) Phi(-b).
 *   e: b^2 as the exact pair s + se (a rounded b^2 would move e by up to
 *   |b^2| 2^-53, hundreds of ULP at b ~ 30); -s/2 = kf ln2 + r', kf a
 *   multiple of 1/16, r = r' - se/2; e = 2^kf m with m = 2^(j/16) e^r from
 *   the table, as fa_fast64_sigmoid.h, kept unrounded as mh + ml where it
 *   multiplies the x < 0 results; 2^kf applied by vscalefpd last.
 *   N: degree 12 in t on 16 pieces, the coefficients one vpermt2pd each,
 *   c0 as hi + lo (tools/derive/derive_gelu64.py: b-pieces of width 1/2 up to 4,
 *   above them halves of the binades of u = 1/b); t is exact, u = 1/b is
 *   rounded once (vdivpd) and N corrected to first order for it.
 * gelu:  x < 0:  -(b N) m 2^kf, b N an exact pair, one rounding (into the
 *                subnormal range the scaling rounds once more, < 1 ULP);
 *        x >= 0: x (1 - e N), e N <= 1/2.
 * gelu': x < 0:  m (N - b C) 2^kf;  x >= 0: 1 + e (b C - N): measured in
 *        ULPs of the terms Phi + |x| phi = e (N + b C) (catalog grad_terms);
 *        the sum b C - N does not round more than they allow.
 * +-inf: the clamp gives e = 0 (gelu: x or -0; gelu': 1 or -0); -0 gives
 * -0; NaN stays NaN.  Random sweeps against quad precision: docs/accuracy.md. */
#ifndef FA_FAST64_GELU_H
#define FA_FAST64_GELU_H

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include <immintrin.h>
#include "generated/fa_fast64_gelu_coeffs.h"

#define FA_GELU_BMAX_F64 40.0      /* gelu(-40) < 2^-1100, erfc term of gelu(40) < 2^-1100 */
#define FA_GELU_C_F64 0x1.9884533d43651p-2      /* 1/sqrt(2 pi) */

/* b = min(|x|, 40), e = 2^kf (mh + ml) unrounded, and N(b) */
FA_INLINE __m512d fa_gelu_parts_f64(__m512d x, __m512d *bp, __m512d *mhp, __m512d *mlp,
                                 __m512d *kfp)
{
    const __m512d shift = _mm512_set1_pd(0x1.8p48);
    __m512d b = _mm512_range_pd(x, _mm512_set1_pd(FA_GELU_BMAX_F64), 0x0A);  /* min(|x|, 40) */
    /* e = exp(-(s + se)/2) */
    __m512d s = _mm512_mul_pd(b, b);
    __m512d se = _mm512_fmsub_pd(b, b, s);
    __m512d h = _mm512_mul_pd(s, _mm512_set1_pd(-0.5));
    __m512d z = _mm512_fmadd_pd(h, _mm512_set1_pd(FA_INVLN2_F64), shift);
    __m512d kf = _mm512_sub_pd(z, shift);
    __m512d r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(FA_LN2HI_F64), h);
    r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(FA_LN2LO_F64), r);
    r = _mm512_fnmadd_pd(se, _mm512_set1_pd(0.5), r);
    __m512i je = _mm512_castpd_si512(z);
    __m512d hi = _mm512_permutex2var_pd(_mm512_load_pd(fa_exp16_hi_f64), je,
                                        _mm512_load_pd(fa_exp16_hi_f64 + 8));
    __m512d lo = _mm512_permutex2var_pd(_mm512_load_pd(fa_exp16_lo_f64), je,
                                        _mm512_load_pd(fa_exp16_lo_f64 + 8));
    const double *q = fa_c_exp16_q_f64;
    __m512d r2 = _mm512_mul_pd(r, r);
    __m512d q01 = _mm512_fmadd_pd(_mm512_set1_pd(q[1]), r, _mm512_set1_pd(q[0]));
    __m512d q23 = _mm512_fmadd_pd(_mm512_set1_pd(q[3]), r, _mm512_set1_pd(q[2]));
    __m512d q45 = _mm512_fmadd_pd(_mm512_set1_pd(q[5]), r, _mm512_set1_pd(q[4]));
    __m512d qq = _mm512_fmadd_pd(_mm512_fmadd_pd(q45, r2, q23), r2, q01);
    __m512d em1 = _mm512_fmadd_pd(r2, qq, r);
    *mhp = hi;
    *mlp = _mm512_fmadd_pd(hi, em1, lo);
    *kfp = kf;
    *bp = b;
    /* the piece and t: b <= 4 (b-pieces), else u = 1/b */
    __mmask8 tail = _mm512_cmp_pd_mask(b, _mm512_set1_pd(4.0), _CMP_GT_OQ);
    __m512d jb = _mm512_roundscale_pd(_mm512_min_pd(_mm512_add_pd(b, b), _mm512_set1_pd(7.0)),
                                      _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512d tb = _mm512_fmsub_pd(b, _mm512_set1_pd(4.0),
                                 _mm512_fmadd_pd(jb, _mm512_set1_pd(2.0), _mm512_set1_pd(1.0)));
    __m512d bt = _mm512_max_pd(b, _mm512_set1_pd(4.0));
    __m512d u = _mm512_div_pd(_mm512_set1_pd(1.0), bt);
    __m512d mu = _mm512_getmant_pd(u, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
    __mmask8 upper = _mm512_cmp_pd_mask(mu, _mm512_set1_pd(1.5), _CMP_GE_OQ);
    __m512d tu = _mm512_fmsub_pd(mu, _mm512_set1_pd(4.0),
                                 _mm512_mask_blend_pd(upper, _mm512_set1_pd(5.0),
                                                      _mm512_set1_pd(7.0)));
    __m512i ju = _mm512_sub_epi64(_mm512_set1_epi64(2049),
                                  _mm512_srli_epi64(_mm512_castpd_si512(u), 51));
    __m512i j = _mm512_mask_blend_epi64(tail, _mm512_castpd_si512(        /* jb's bits */
        _mm512_add_pd(jb, _mm512_set1_pd(0x1.8p52))), ju);
    __m512d t = _mm512_mask_blend_pd(tail, tb, tu);
    const double (*c)[16] = fa_gelu_n_f64;
    __m512d n = _mm512_permutex2var_pd(_mm512_load_pd(c[FA_GELU_COEFFS_F64 - 1]), j,
                                       _mm512_load_pd(c[FA_GELU_COEFFS_F64 - 1] + 8));
#pragma GCC unroll 16
    for (int i = FA_GELU_COEFFS_F64 - 2; i >= 1; --i)
        n = _mm512_fmadd_pd(n, t, _mm512_permutex2var_pd(_mm512_load_pd(c[i]), j,
                                                         _mm512_load_pd(c[i] + 8)));
    __m512d c0lo = _mm512_permutex2var_pd(_mm512_load_pd(fa_gelu_n0lo_f64), j,
                                          _mm512_load_pd(fa_gelu_n0lo_f64 + 8));
    n = _mm512_add_pd(_mm512_permutex2var_pd(_mm512_load_pd(c[0]), j, _mm512_load_pd(c[0] + 8)),
                      _mm512_fmadd_pd(n, t, c0lo));
    /* u's rounding: 1/b = u + u eps, eps = 1 - b u exact (0 for b <= 4), and
     * dN/du = b^2 (C - b N), so N gains b (C - b N) eps */
    __m512d eps = _mm512_fnmadd_pd(bt, u, _mm512_set1_pd(1.0));
    __m512d slope = _mm512_mul_pd(b, _mm512_fnmadd_pd(b, n, _mm512_set1_pd(FA_GELU_C_F64)));
    return _mm512_fmadd_pd(slope, eps, n);
}

FA_INLINE __m512d fa_gelu_v8(__m512d x)
{
    __m512d b, mh, ml, kf;
    __m512d n = fa_gelu_parts_f64(x, &b, &mh, &ml, &kf);
    __mmask8 neg = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_LT_OQ);
    __m512d e = _mm512_scalef_pd(_mm512_add_pd(mh, ml), kf);
    __m512d pos = _mm512_mul_pd(x, _mm512_fnmadd_pd(e, n, _mm512_set1_pd(1.0)));
    /* (bn + bn_err)(mh + ml) rounded once: b N exactly, m unrounded */
    __m512d bn = _mm512_mul_pd(b, n), bn_err = _mm512_fmsub_pd(b, n, bn);
    __m512d small = _mm512_fmadd_pd(bn, ml, _mm512_mul_pd(bn_err, mh));
    __m512d left = _mm512_scalef_pd(_mm512_fmadd_pd(bn, mh, small), kf);
    left = _mm512_xor_pd(left, _mm512_set1_pd(-0.0));               /* -0 when it underflows */
    return _mm512_mask_blend_pd(neg, pos, left);
}

FA_INLINE __m512d fa_gelu_grad_v8(__m512d x)
{
    const __m512d C = _mm512_set1_pd(FA_GELU_C_F64);
    __m512d b, mh, ml, kf;
    __m512d n = fa_gelu_parts_f64(x, &b, &mh, &ml, &kf);
    __mmask8 neg = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_LT_OQ);
    __m512d e = _mm512_scalef_pd(_mm512_add_pd(mh, ml), kf);
    __m512d pos = _mm512_fmadd_pd(e, _mm512_fmsub_pd(b, C, n), _mm512_set1_pd(1.0));
    __m512d d = _mm512_fnmadd_pd(b, C, n);
    __m512d left = _mm512_scalef_pd(_mm512_fmadd_pd(d, mh, _mm512_mul_pd(d, ml)), kf);
    __m512d y = _mm512_mask_blend_pd(neg, pos, left);
    return _mm512_mask_mov_pd(y, _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q), x);
}

/* the scalar statements: lane 0 of the zmm versions */
FA_INLINE double fa_gelu_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_gelu_v8(_mm512_set1_pd(x)));
}
FA_INLINE double fa_gelu_grad_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_gelu_grad_v8(_mm512_set1_pd(x)));
}
FA_ARRAY_V8_F64(fa_gelu_v8_array, fa_gelu_v8)
FA_ARRAY_V8_F64(fa_gelu_grad_v8_array, fa_gelu_grad_v8)
FA_BACKWARD_V8_F64(fa_gelu_backward_v8_array, fa_gelu_grad_v8)
#endif

#endif
