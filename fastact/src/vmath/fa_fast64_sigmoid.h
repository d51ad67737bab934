/* fa_fast64_sigmoid.h -- float64 sigmoid, silu, silu', glu and gelu_tanh for AVX-512 builds: the
 * float32 kernel of fa_fast32_sigmoid.h in 8 double lanes.
 *
 * Include after formulas.h's float64 functions (glu's row formula, for the
 * pairs the lanes do not cover) and fa_vmath.h (FA_INVLN2_F64, FA_LN2HI_F64/LO;
 * from fa_vmath_coeffs.h the table fa_exp16_hi_f64/lo and Q's
 * fa_c_exp16_q_f64).
 * sigmoid(x) = N / (1 + t), t = e^-|x| = 2^kf m, N = 1 for x >= 0 and
 * N = m for x < 0 (the quotient then scaled by 2^kf: vscalefpd, one
 * rounding, into the subnormal range too).
 *   Reduction: -|x| = kf ln2 + r, kf a multiple of 1/16 (0x1.8p48 rounds
 *   to 1/16), |r| <= ln2/32, ln2 in two parts; m = 2^(kf - floor kf) e^r:
 *   2^(j/16) = hi + lo from two 16-entry tables (vpermt2pd on the low 4
 *   bits of the rounded value), e^r - 1 = r + r^2 Q(r), Q of degree 5
 *   (2^-65, tools/derive/derive_coefficients.py), m = hi + (hi (e^r - 1) + lo).
 *   Quotient: r1 = 1/(1 + t) to 2^-28 (vrcp14pd and one Newton step),
 *   y0 = N r1, the residual n = (N - y0) - y0 t (N - y0 exact: the rounding
 *   of 1 + t does not enter) and y = y0 + r1 n rounded once.
 * |x| is clamped at amax by vrangepd (which gives amax for a NaN: in
 * sigmoid vfixupimmpd puts x's NaN into N).  +inf gives 1, -inf +0, -0 1/2.
 * silu = x N / (1 + t) with the numerator x N as an exact pair; vfixupimmpd
 * returns x for +-0 and +inf.  glu = a sigmoid(b) the same way with a for
 * the factor, where the lanes cover the pair (fa_glu_cover_f64), and its
 * backward from the same t (fa_glu_backward_lanes_v8).
 * Random sweeps against mpmath: docs/accuracy.md.  The scalar statements
 * (strided loops) are lane 0 of the same zmm code. */
#ifndef FA_FAST64_SIGMOID_H
#define FA_FAST64_SIGMOID_H

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include <immintrin.h>

/* t = e^-|x| = 2^kf m (|x| clamped at amax) and the x < 0 lanes (neg);
 * FA_EXP16_PARTS_LO_F64 takes x as the pair x + xl. */
#define FA_EXP16_PARTS_F64(x, amax, m, t, kf, neg)                                    \
        FA_EXP16_PARTS_LO_F64(x, _mm512_setzero_pd(), amax, m, t, kf, neg, 0)
#define FA_EXP16_PARTS_LO_F64(x, xl, amax, m, t, kf, neg, with_lo)                    \
        const __m512d shift = _mm512_set1_pd(0x1.8p48);                            \
        __m512d b = _mm512_range_pd((x), _mm512_set1_pd(amax), 0x0E); /* -min(|x|, amax) */ \
        __m512d z = _mm512_fmadd_pd(b, _mm512_set1_pd(FA_INVLN2_F64), shift);        \
        __m512d kf = _mm512_sub_pd(z, shift);                                      \
        __m512d r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(FA_LN2HI_F64), b);            \
        r = _mm512_fnmadd_pd(kf, _mm512_set1_pd(FA_LN2LO_F64), r);                    \
        if (with_lo)        /* -|x + xl| = b - sign(x) xl */                       \
            r = _mm512_sub_pd(r, _mm512_xor_pd((xl), _mm512_and_pd((x),            \
                                                   _mm512_set1_pd(-0.0))));        \
        __m512i j = _mm512_castpd_si512(z);                                        \
        __m512d hi = _mm512_permutex2var_pd(_mm512_load_pd(fa_exp16_hi_f64), j,       \
                                            _mm512_load_pd(fa_exp16_hi_f64 + 8));     \
        __m512d lo = _mm512_permutex2var_pd(_mm512_load_pd(fa_exp16_lo_f64), j,       \
                                            _mm512_load_pd(fa_exp16_lo_f64 + 8));     \
        const double *c_ = fa_c_exp16_q_f64;                                      \
        __m512d r2 = _mm512_mul_pd(r, r);                                          \
        __m512d q01 = _mm512_fmadd_pd(_mm512_set1_pd(c_[1]), r, _mm512_set1_pd(c_[0])); \
        __m512d q23 = _mm512_fmadd_pd(_mm512_set1_pd(c_[3]), r, _mm512_set1_pd(c_[2])); \
        __m512d q45 = _mm512_fmadd_pd(_mm512_set1_pd(c_[5]), r, _mm512_set1_pd(c_[4])); \
        __m512d q = _mm512_fmadd_pd(_mm512_fmadd_pd(q45, r2, q23), r2, q01);       \
        __m512d em1 = _mm512_fmadd_pd(r2, q, r);                                   \
        __m512d m = _mm512_add_pd(hi, _mm512_fmadd_pd(hi, em1, lo));               \
        __m512d t = _mm512_scalef_pd(m, kf);                                       \
        __mmask8 neg = _mm512_cmp_pd_mask((x), _mm512_setzero_pd(), _CMP_LT_OQ)

/* 1/(1 + t) to 2^-28: vrcp14pd and one Newton step */
FA_INLINE __m512d fa_recip1p_f64(__m512d t)
{
    const __m512d one = _mm512_set1_pd(1.0);
    __m512d d = _mm512_add_pd(one, t), r0 = _mm512_rcp14_pd(d);
    return _mm512_fmadd_pd(r0, _mm512_fnmadd_pd(d, r0, one), r0);
}

FA_INLINE __m512d fa_sigmoid_v8(__m512d x)
{
    const __m512d one = _mm512_set1_pd(1.0);
    FA_EXP16_PARTS_F64(x, 746.0, m, t, kf, neg);
    __m512d one_or_nan = _mm512_fixupimm_pd(one, x, _mm512_set1_epi64(0x22), 0);
    __m512d N = _mm512_mask_blend_pd(neg, one_or_nan, m);
    __m512d r1 = fa_recip1p_f64(t);
    __m512d y0 = _mm512_mul_pd(N, r1);
    __m512d n = _mm512_fnmadd_pd(y0, t, _mm512_sub_pd(N, y0));
    __m512d y = _mm512_fmadd_pd(r1, n, y0);
    return _mm512_mask_scalef_pd(y, neg, y, kf);
}

/* f sigmoid(v + vl) = f N / (1 + t) (silu, glu, gelu_tanh): the numerator
 * f N as the exact pair Nh + Nl, then as sigmoid; |v| clamped at amax;
 * vl only where with_lo (a constant at each call). */
FA_INLINE __m512d fa_times_sigmoid_pair_v8_f64(__m512d f, __m512d v, __m512d vl, double amax,
                                               int with_lo)
{
    const __m512d one = _mm512_set1_pd(1.0);
    FA_EXP16_PARTS_LO_F64(v, vl, amax, m, t, kf, neg, with_lo);
    __m512d N = _mm512_mask_blend_pd(neg, one, m);
    __m512d Nh = _mm512_mul_pd(f, N);
    __m512d Nl = _mm512_fmsub_pd(f, N, Nh);
    __m512d r1 = fa_recip1p_f64(t);
    __m512d y0 = _mm512_mul_pd(Nh, r1);
    __m512d n = _mm512_fnmadd_pd(y0, t, _mm512_add_pd(_mm512_sub_pd(Nh, y0), Nl));
    __m512d y = _mm512_fmadd_pd(r1, n, y0);
    return _mm512_mask_scalef_pd(y, neg, y, kf);
}

FA_INLINE __m512d fa_times_sigmoid_v8_f64(__m512d f, __m512d v, double amax)
{
    return fa_times_sigmoid_pair_v8_f64(f, v, _mm512_setzero_pd(), amax, 0);
}

/* silu: x is clamped at -760 for the factor (|silu(-760)| < 2^-1075; a NaN
 * propagates) */
FA_INLINE __m512d fa_silu_v8(__m512d x)
{
    __m512d xc = _mm512_max_pd(_mm512_set1_pd(-760.0), x);       /* x if x is NaN */
    return _mm512_fixupimm_pd(fa_times_sigmoid_v8_f64(xc, x, 760.0), x,
                              _mm512_set1_epi64(0x00100100), 0);
}

/* silu' = s (1 + x (1 - s)) as fa_silu_grad_v16 (fa_fast32_sigmoid.h):
 * A = 1/(1 + t) to 2^-56 (fa_recip1p_f64 and one residual step);
 *   x >= 0:  f' = A (1 + x (t A));   x < 0:  f' = 2^kf ((m A)(1 + x A)).
 * The factor x is clamped at -760; +inf gives 1, -inf +0, NaN NaN.
 * 3.305 ULP of the terms |s| + |x s (1 - s)| over 8.2 x 10^7 inputs against
 * long double, 1.345 -> 1.20 ns per element of the backward in a C loop on
 * Zen 4 (the session-10 form, s (1 - s) = A (t A) and m unrounded: 2.933). */
FA_INLINE __m512d fa_silu_grad_v8(__m512d x)
{
    const __m512d one = _mm512_set1_pd(1.0);
    FA_EXP16_PARTS_F64(x, 760.0, m, t, kf, neg);
    __m512d xc = _mm512_max_pd(_mm512_set1_pd(-760.0), x);
    __m512d r1 = fa_recip1p_f64(t);
    __m512d A = _mm512_fmadd_pd(r1, _mm512_fnmadd_pd(r1, t, _mm512_sub_pd(one, r1)), r1);
    __m512d one_minus_s = _mm512_mask_mul_pd(A, (__mmask8)~neg, t, A);
    __m512d s_unscaled = _mm512_mask_mul_pd(A, neg, m, A);
    __m512d y = _mm512_mul_pd(s_unscaled, _mm512_fmadd_pd(xc, one_minus_s, one));
    y = _mm512_mask_scalef_pd(y, neg, y, kf);
    return _mm512_fixupimm_pd(y, x, _mm512_set1_epi64(0x00A80022), 0);
}

/* glu's lanes cover a pair when b is finite and |a| <= 2^1022 (a N does
 * not overflow).  The gate is clamped at -1460: below, |a| sigmoid(b) <
 * 2^-1075 for every float64 a, and the result is +-0; a result in the
 * subnormal range rounds twice (y, then the scaling), by < 1 ULP there. */
FA_INLINE __mmask8 fa_glu_cover_f64(__m512d a, __m512d b)
{
    return _mm512_cmp_pd_mask(_mm512_abs_pd(a), _mm512_set1_pd(0x1p1022), _CMP_LE_OQ)
         & _mm512_cmp_pd_mask(_mm512_abs_pd(b), _mm512_set1_pd(INFINITY), _CMP_LT_OQ);
}

FA_INLINE __m512d fa_glu_lanes_v8(__m512d a, __m512d gate)
{
    return _mm512_fixupimm_pd(fa_times_sigmoid_v8_f64(a, gate, 1460.0), a,
                              _mm512_set1_epi64(0x100), 0);   /* a = +-0: a */
}

/* glu's row [a, b] (n = 2m), 8 pairs at a time: the lanes form where it
 * covers a pair, else glu's row formula (formulas.h): the same bits for a
 * pair whatever else its row holds. */
FA_INLINE void fa_glu_row_v8(intptr_t n, const double *x, intptr_t sx, double *y, intptr_t sy)
{
    intptr_t m = n / 2;
    for (intptr_t i = 0; i < m; i += 8) {
        intptr_t c = m - i < 8 ? m - i : 8;
        __mmask8 k = (__mmask8)((1u << c) - 1u);
        double pair[16];                   /* [a, b] of these pairs; padding 0, 0 */
        __m512d a, b;
        if (sx == 1) {
            a = _mm512_maskz_loadu_pd(k, x + i);
            b = _mm512_maskz_loadu_pd(k, x + m + i);
        } else {
            for (intptr_t j = 0; j < 8; j++) {
                pair[j] = j < c ? x[(i + j) * sx] : 0.0;
                pair[8 + j] = j < c ? x[(i + j + m) * sx] : 0.0;
            }
            a = _mm512_loadu_pd(pair);
            b = _mm512_loadu_pd(pair + 8);
        }
        __m512d v = fa_glu_lanes_v8(a, b);
        __mmask8 covered = fa_glu_cover_f64(a, b);
        if ((covered & k) != k) {
            double wide[8];
            _mm512_storeu_pd(pair, a);
            _mm512_storeu_pd(pair + 8, b);
            fa_act_glu_row_f64(16, pair, 1, wide, 1);
            v = _mm512_mask_blend_pd(covered, _mm512_loadu_pd(wide), v);
        }
        if (sy == 1) {
            _mm512_mask_storeu_pd(y + i, k, v);
        } else {
            double out[8];
            _mm512_storeu_pd(out, v);
            for (intptr_t j = 0; j < c; j++)
                y[(i + j) * sy] = out[j];
        }
    }
}

/* glu's backward pair (da, db) = (g s, g a s (1 - s)), s = sigmoid(b) =
 * N/(1 + t) as above, and s (1 - s) = t/(1 + t)^2 for either sign of b,
 * t = 2^kf m: A = 1/(1 + t) to 2^-56 (one residual step, as silu'),
 * da = g A (b >= 0) or 2^kf (g (m A)), db = 2^kf ((g a)(m A) A), the
 * scalings last (vscalefpd: one rounding, and a normal result keeps its
 * relative accuracy however small t is).  Lanes cover a pair when b is
 * finite and |g|, |g a| <= 2^1022 (no product overflows before its
 * scaling); the gate is clamped at 1460, where 2^1022 e^-1460 is below
 * the least subnormal.  The others take glu's pair formula (formulas.h). */
FA_INLINE __mmask8 fa_glu_backward_lanes_v8(__m512d g, __m512d a, __m512d gate, __m512d *da,
                                            __m512d *db)
{
    const __m512d one = _mm512_set1_pd(1.0), big = _mm512_set1_pd(0x1p1022);
    FA_EXP16_PARTS_F64(gate, 1460.0, m, t, kf, neg);
    __m512d r1 = fa_recip1p_f64(t);
    __m512d A = _mm512_fmadd_pd(r1, _mm512_fnmadd_pd(r1, t, _mm512_sub_pd(one, r1)), r1);
    __m512d mA = _mm512_mul_pd(m, A), ga = _mm512_mul_pd(g, a);
    *da = _mm512_mask_blend_pd(neg, _mm512_mul_pd(g, A),
                               _mm512_scalef_pd(_mm512_mul_pd(g, mA), kf));
    *db = _mm512_scalef_pd(_mm512_mul_pd(_mm512_mul_pd(ga, mA), A), kf);
    return _mm512_cmp_pd_mask(_mm512_abs_pd(g), big, _CMP_LE_OQ)
         & _mm512_cmp_pd_mask(_mm512_abs_pd(ga), big, _CMP_LE_OQ)
         & _mm512_cmp_pd_mask(_mm512_abs_pd(gate), _mm512_set1_pd(INFINITY), _CMP_LT_OQ);
}

/* glu's backward row (g the gradient of the m = n/2 outputs, x = [a, b],
 * out = [da, db]), 8 pairs at a time as fa_glu_row_v8: a pair's bits do
 * not depend on the rest of its row. */
FA_INLINE void fa_glu_backward_row_v8(intptr_t n, const double *g, intptr_t sg,
                                      const double *x, intptr_t sx, double *out, intptr_t so)
{
    intptr_t m = n / 2;
    for (intptr_t i = 0; i < m; i += 8) {
        intptr_t c = m - i < 8 ? m - i : 8;
        __mmask8 k = (__mmask8)((1u << c) - 1u);
        double gs[8], pair[16];            /* g, [a, b] of these pairs; padding 0 */
        __m512d gv, a, b;
        if (sg == 1 && sx == 1) {
            gv = _mm512_maskz_loadu_pd(k, g + i);
            a = _mm512_maskz_loadu_pd(k, x + i);
            b = _mm512_maskz_loadu_pd(k, x + m + i);
        } else {
            for (intptr_t j = 0; j < 8; j++) {
                gs[j] = j < c ? g[(i + j) * sg] : 0.0;
                pair[j] = j < c ? x[(i + j) * sx] : 0.0;
                pair[8 + j] = j < c ? x[(i + j + m) * sx] : 0.0;
            }
            gv = _mm512_loadu_pd(gs);
            a = _mm512_loadu_pd(pair);
            b = _mm512_loadu_pd(pair + 8);
        }
        __m512d da, db;
        __mmask8 covered = fa_glu_backward_lanes_v8(gv, a, b, &da, &db);
        if ((covered & k) != k) {
            double wide[16];
            _mm512_storeu_pd(gs, gv);
            _mm512_storeu_pd(pair, a);
            _mm512_storeu_pd(pair + 8, b);
            fa_act_glu_backward_row_f64(16, gs, 1, pair, 1, wide, 1);
            da = _mm512_mask_blend_pd(covered, _mm512_loadu_pd(wide), da);
            db = _mm512_mask_blend_pd(covered, _mm512_loadu_pd(wide + 8), db);
        }
        if (so == 1) {
            _mm512_mask_storeu_pd(out + i, k, da);
            _mm512_mask_storeu_pd(out + m + i, k, db);
        } else {
            double d[16];
            _mm512_storeu_pd(d, da);
            _mm512_storeu_pd(d + 8, db);
            for (intptr_t j = 0; j < c; j++) {
                out[(i + j) * so] = d[j];
                out[(i + j + m) * so] = d[8 + j];
            }
        }
    }
}

#define FA_ARRAY_V8_F64(name, V)                                                         \
    FA_INLINE void name(intptr_t n, const double *px, double *out)                  \
    {                                                                                \
        intptr_t i = 0;                                                              \
        for (; i + 8 <= n; i += 8)                                                   \
            _mm512_storeu_pd(out + i, V(_mm512_loadu_pd(px + i)));                   \
        if (i < n) {                                                                 \
            __mmask8 k = (__mmask8)((1u << (n - i)) - 1u);                           \
            _mm512_mask_storeu_pd(out + i, k, V(_mm512_maskz_loadu_pd(k, px + i)));  \
        }                                                                            \
    }

/* A backward ufunc's contiguous kernel: out = g f'(x), one product. */
#define FA_BACKWARD_V8_F64(name, V)                                                      \
    FA_INLINE void name(intptr_t n, const double *pg, const double *px, double *out) \
    {                                                                                \
        intptr_t i = 0;                                                              \
        for (; i + 8 <= n; i += 8)                                                   \
            _mm512_storeu_pd(out + i, _mm512_mul_pd(_mm512_loadu_pd(pg + i),          \
                                                    V(_mm512_loadu_pd(px + i))));    \
        if (i < n) {                                                                 \
            __mmask8 k = (__mmask8)((1u << (n - i)) - 1u);                           \
            _mm512_mask_storeu_pd(out + i, k, _mm512_mul_pd(                         \
                _mm512_maskz_loadu_pd(k, pg + i), V(_mm512_maskz_loadu_pd(k, px + i)))); \
        }                                                                            \
    }

/* the scalar statements: lane 0 of the zmm versions */
FA_INLINE double fa_sigmoid_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_sigmoid_v8(_mm512_set1_pd(x)));
}
FA_INLINE double fa_silu_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_silu_v8(_mm512_set1_pd(x)));
}
FA_ARRAY_V8_F64(fa_sigmoid_v8_array, fa_sigmoid_v8)
FA_INLINE double fa_silu_grad_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_silu_grad_v8(_mm512_set1_pd(x)));
}
FA_ARRAY_V8_F64(fa_silu_v8_array, fa_silu_v8)
FA_ARRAY_V8_F64(fa_silu_grad_v8_array, fa_silu_grad_v8)
FA_BACKWARD_V8_F64(fa_silu_backward_v8_array, fa_silu_grad_v8)

/* gelu_tanh = x (1 + tanh(u))/2 = x sigmoid(v), v = 2u = x (C1 + C3 x^2)
 * (fa_precise64_constants.h) carried as the pair v + vl: e^-|v| moves by
 * |v| ULPs of v's rounding, and the left tail reaches |v| = 760 (below,
 * the result is under 2^-1075).  x^2 exact by FMA, C3 x^2 and the sum with
 * C1 (both >= 0: Fast2Sum, larger first) keep their errors; x is clamped
 * to [-30, 30] for v (beyond, the result is x or -0) and at -30 for the
 * factor; +-0 and +inf give x, -inf -0, NaN NaN (vfixupimmpd).  Per core
 * at 1e5 (`bench --per-core`) 1.54 ns per element against 3.87 for the
 * pair formula the other builds run; against mpmath: docs/accuracy.md. */
FA_INLINE __m512d fa_gelu_tanh_v8(__m512d x)
{
    __m512d xv = _mm512_range_pd(x, _mm512_set1_pd(30.0), 0x02);   /* sign(x) min(|x|, 30) */
    __m512d sq = _mm512_mul_pd(xv, xv), sq_lo = _mm512_fmsub_pd(xv, xv, sq);
    const __m512d c3 = _mm512_set1_pd(FA_C3_HI_F64), c1 = _mm512_set1_pd(FA_C1_HI_F64);
    __m512d p = _mm512_mul_pd(c3, sq);
    __m512d p_lo = _mm512_add_pd(_mm512_fmsub_pd(c3, sq, p),
                                 _mm512_fmadd_pd(c3, sq_lo, _mm512_mul_pd(
                                     _mm512_set1_pd(FA_C3_LO_F64), sq)));
    __m512d w = _mm512_add_pd(c1, p);
    __m512d w_lo = _mm512_add_pd(_mm512_sub_pd(_mm512_max_pd(c1, p), w), _mm512_min_pd(c1, p));
    w_lo = _mm512_add_pd(w_lo, _mm512_add_pd(p_lo, _mm512_set1_pd(FA_C1_LO_F64)));
    __m512d v = _mm512_mul_pd(w, xv);
    __m512d vl = _mm512_fmadd_pd(w_lo, xv, _mm512_fmsub_pd(w, xv, v));
    __m512d f = _mm512_max_pd(_mm512_set1_pd(-30.0), x);              /* x if x is NaN */
    return _mm512_fixupimm_pd(fa_times_sigmoid_pair_v8_f64(f, v, vl, 760.0, 1), x,
                              _mm512_set1_epi64(0x00100100), 0);
}
FA_INLINE double fa_gelu_tanh_v8_f64(double x)
{
    return _mm512_cvtsd_f64(fa_gelu_tanh_v8(_mm512_set1_pd(x)));
}
FA_ARRAY_V8_F64(fa_gelu_tanh_v8_array, fa_gelu_tanh_v8)
#endif

#endif
