/* fa_fast32_sigmoid.h -- float32 sigmoid for AVX-512 builds: no division.
 *
 * Include after fa_fast32.h (uses its exp coefficients and constants).
 * sigmoid(x) = N / D with e = exp(-|x|) = 2^k (eh + el), k in [-150, 0]
 * (eh + el: ff__exp_hl's h + l renormalised by a Fast2Sum, |el| <= 2^-24 eh):
 *   D = 1 + 2^k (eh + el) = dh + dl   (dh = 1 + 2^k eh rounded by one FMA,
 *                                      dl = its exact error + 2^k el)
 *   N = 1 (x >= 0) or eh + el (x < 0; the 2^k is applied last).
 * 1/dh comes from vrcp14ps (relative error < 2^-14): q0 = N r0, the
 * residual n = N - q0 (dh + dl) (the FMA makes it ~2^-38 exact) and
 * y = q0 + r0 n is N/D to ~2^-28, rounded once; x < 0 then scales y by 2^k
 * with vscalefps (one rounding, also into the subnormal range).
 * The exp is ff__exp_hl's reduction (r1 = -a - k ln2hi exact, c = -k ln2lo)
 * with its polynomial, the r^2 P(r) + c of l in one FMA.
 * |x| is clamped at 104 (e^-104 is below half the least subnormal): +inf
 * gives 1, -inf +0; a NaN propagates; -0 gives 1/2.
 * The body is written once (FF_SIGMOID_BODY) for zmm (the array kernel) and
 * for xmm (fa_sigmoid_rcp_f32, the scalar statement for the strided and
 * float16 loops): the same instructions, so the same bits for every x
 * whatever the layout (tools/fast32/tbl_identical.c -DFN=sigmoid).
 * Accuracy and speed: tools/fast32/README.md. */
#ifndef FA_FAST32_SIGMOID_H
#define FA_FAST32_SIGMOID_H

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#include <immintrin.h>
#define FA_HAVE_SIGMOID_V16 1

/* sigmoid(x) = (q0 + r0 n) 2^(neg ? k : 0), |x| clamped at amax (<= 110):
 * declares q0, r0, n, neg, kf.  P: intrinsic prefix (_mm512_ / _mm_),
 * V: vector type, M: mask type. */
#define FF_SIGMOID_PARTS(P, V, M, x, amax, q0, r0, n, neg, kf)                    \
        const V one = P##set1_ps(1.0f), shift = P##set1_ps(FF_SHIFT);             \
        V a = P##andnot_ps(P##set1_ps(-0.0f), (x));                              \
        a = P##min_ps(P##set1_ps(amax), a);               /* a if a is NaN */     \
        V t = P##fnmadd_ps(a, P##set1_ps(FF_INVLN2), shift);                      \
        V kf = P##sub_ps(t, shift);                       /* k = round(-a/ln2) */ \
        V r1 = P##fnmsub_ps(kf, P##set1_ps(FF_LN2HI), a); /* -a - k ln2hi, exact */ \
        V c = P##mul_ps(kf, P##set1_ps(-FF_LN2LO));                               \
        V r = P##add_ps(r1, c);                                                   \
        V p = P##set1_ps(ff_c_exp[FF_N_EXP - 1]);                                 \
        for (int i_ = FF_N_EXP - 2; i_ >= 0; --i_)                                \
            p = P##fmadd_ps(p, r, P##set1_ps(ff_c_exp[i_]));                      \
        V cp = P##fmadd_ps(P##mul_ps(r, r), p, c);                                \
        V h = P##add_ps(one, r1);                                                 \
        V l = P##add_ps(P##add_ps(P##sub_ps(one, h), r1), cp);                    \
        V eh = P##add_ps(h, l);                           /* l is up to 0.06: */  \
        V el = P##add_ps(P##sub_ps(h, eh), l);            /* renormalised */      \
        V s = P##scalef_ps(one, kf);                      /* 2^k (0 below 2^-149) */ \
        V dh = P##fmadd_ps(s, eh, one);                                           \
        V dl = P##fmadd_ps(s, el, P##fmadd_ps(s, eh, P##sub_ps(one, dh)));        \
        M neg = P##cmp_ps_mask((x), P##setzero_ps(), _CMP_LT_OQ);                 \
        V nh = P##mask_blend_ps(neg, one, eh);                                    \
        V nl = P##maskz_mov_ps(neg, el);                                          \
        V r0 = P##rcp14_ps(dh);                                                   \
        V q0 = P##mul_ps(nh, r0);                                                 \
        V n = P##fnmadd_ps(q0, dh, nh);                                           \
        n = P##add_ps(P##fnmadd_ps(q0, dl, n), nl)

#define FF_SIGMOID_BODY(P, V, M, x, y_out)                                        \
    do {                                                                          \
        FF_SIGMOID_PARTS(P, V, M, x, 104.0f, q0, r0, n, neg, kf);                 \
        V y_ = P##fmadd_ps(r0, n, q0);                                            \
        (y_out) = P##mask_scalef_ps(y_, neg, y_, kf);                             \
    } while (0)

/* silu = x sigmoid(x): x (q0 + r0 n) with x q0 an exact product, rounded
 * once, then scaled by 2^k for x < 0 (vscalefps).  |x| is clamped at 110
 * (|silu(-110)| < 2^-150) for the sigmoid and at -110 for the factor;
 * x > 110 returns x (+inf too); the sign of x is copied onto the result
 * (silu(-0) = -0, and x q0 + tail could give +0 there). */
#define FF_SILU_BODY(P, V, M, x, y_out)                                           \
    do {                                                                          \
        FF_SIGMOID_PARTS(P, V, M, x, 110.0f, q0, r0, n, neg, kf);                 \
        V xc = P##max_ps(P##set1_ps(-110.0f), (x));       /* x if x is NaN */     \
        V xq = P##mul_ps(xc, q0);                                                 \
        V tail = P##fmadd_ps(P##mul_ps(xc, r0), n, P##fmsub_ps(xc, q0, xq));       \
        V y_ = P##add_ps(xq, tail);                                               \
        y_ = P##mask_scalef_ps(y_, neg, y_, kf);                                  \
        y_ = P##mask_mov_ps(y_, P##cmp_ps_mask((x), P##set1_ps(110.0f), _CMP_GT_OQ), (x)); \
        (y_out) = P##or_ps(y_, P##and_ps((x), P##set1_ps(-0.0f)));                \
    } while (0)

FA_INLINE __m512 fa_sigmoid_rcp_v16(__m512 x)
{
    __m512 y;
    FF_SIGMOID_BODY(_mm512_, __m512, __mmask16, x, y);
    return y;
}

/* the scalar statement: lane 0 of the xmm version */
FA_INLINE float fa_sigmoid_rcp_f32(float x)
{
    __m128 y;
    FF_SIGMOID_BODY(_mm_, __m128, __mmask8, _mm_set_ss(x), y);
    return _mm_cvtss_f32(y);
}

FF_ARRAY_V16(fa_sigmoid_rcp_array, fa_sigmoid_rcp_v16)

FA_INLINE __m512 fa_silu_rcp_v16(__m512 x)
{
    __m512 y;
    FF_SILU_BODY(_mm512_, __m512, __mmask16, x, y);
    return y;
}

FA_INLINE float fa_silu_rcp_f32(float x)
{
    __m128 y;
    FF_SILU_BODY(_mm_, __m128, __mmask8, _mm_set_ss(x), y);
    return _mm_cvtss_f32(y);
}

FF_ARRAY_V16(fa_silu_rcp_array, fa_silu_rcp_v16)
#endif

#endif
