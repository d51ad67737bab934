/* float64 by pair arithmetic (the _pair_f64 functions): gelu (exact,
 * erf-based), gelu with approximate='tanh' and mish, forward and
 * derivative, accurate to about 1 ULP (forward) and 2 ULP (derivative,
 * counted in ULPs of max(|f'|, 2^-20)); the logistic family (sigmoid,
 * sigmoid', log_sigmoid, silu, silu', softplus, softplus'), tanh' and
 * tanh^2, atan, and tanh by expm1 (fa_tanh_expm1_f64); and the pair
 * helpers that kernels/formulas_f64.h uses (products, quotients, exp as a
 * pair, log1p).
 *
 * The variant table (fastact/_build/variants.py) and formulas_f64.h name them for
 * the float64 kernels; the float32 kernels keep the plain double
 * evaluation, which is far more accurate than a float32 result needs.  What a plain double
 * evaluation gets wrong in float64, and what is done here instead:
 *
 *  - Left tails.  exp(-x^2/2), exp(v) (v = 2u of gelu_tanh) move by
 *    |argument| * 2^-53 relative when the argument is rounded: hundreds of
 *    ULP at |x| ~ 20..38.  Arguments are kept as exact pairs hi + lo
 *    (fa_two_prod_f64: FMA or Dekker's product) and exp takes the low part
 *    (fa_exp_pair_f64 returns exp as 2^k (hi + lo)).  Results may be normal
 *    while exp(...) is subnormal: the factor 2^k is applied last
 *    (fa_ldexp_big_f64), so the result is rounded once.
 *  - erfc (gelu).  erfc(|x|/sqrt2) = exp(-x^2/2) H(|x|/sqrt2) with
 *    H(a) = exp(a^2) erfc(a) from a piecewise polynomial (16 pieces on
 *    [0, 32), tools/derive/derive_precise64.py) evaluated as a pair Hh + Hl.  The
 *    exp factor uses the exact square of x (never of the rounded
 *    a = |x|/sqrt2); the rounding of a (and of 1/a, the variable of the
 *    pieces beyond 2) moves H only weakly and is corrected to first order
 *    with H'(a) = 2 a H - 2/sqrt(pi).
 *  - The zeros of f' (gelu' at x = -0.7518, mish' at -1.1924), where two
 *    terms of size ~1/2 cancel: within 0.3 of the zero a, f'(a + d) =
 *    C0 + d Q(d), d = x - a exact (Sterbenz), with Q a polynomial fitted
 *    with mpmath (fa_precise64_constants.h).  gelu_tanh' no longer does:
 *    its error is measured against the terms of f' (catalog grad_terms).
 *  - Quotients and products that decide the last bits are done on pairs
 *    (fa_div2_pair_f64: one division and an exact residual), so that a result
 *    is rounded about once.
 *
 * Everything is branch-free and inlined (vectorises under omp simd with the
 * SSE2 baseline, x86-64-v3 and v4): selects are fa_select_f64 with the
 * comparison written inline, integer lane masks (piece index of H) use
 * fa_vmath.h's 64-bit mask helpers.  NaN gives NaN, +-inf the limits
 * (gelu(-inf) = -0, gelu'(-inf) = -0, ...), and x = -0 gives -0 for the
 * forward functions.
 */
#ifndef FA_PRECISE64_H
#define FA_PRECISE64_H

#include "fa_common.h"
#include "vmath/fa_vmath.h"
#include "generated/fa_precise64_constants.h"

/* ---- double-length helpers ------------------------------------------ */

/* (ah + al) / (bh + bl) = q + *ql, to ~2^-100 relative: one division (the
 * reciprocal of bh), q = ah / bh to ~1 ulp, the residual ah - q bh exact
 * (fa_two_prod_f64) and corrected with the reciprocal.  bh > 0 normal. */
FA_INLINE double fa_div2_pair_f64(double ah, double al, double bh, double bl, double *ql)
{
    double rb = 1.0 / bh;
    double q = ah * rb;
    double pe, p = fa_two_prod_f64(q, bh, &pe);
    *ql = (((ah - p) - pe) + (al - q * bl)) * rb;
    return q;
}

/* (ah + al) * (bh + bl) = p + *pl (dropping al * bl) */
FA_INLINE double fa_mul2_pair_f64(double ah, double al, double bh, double bl, double *pl)
{
    double pe, p = fa_two_prod_f64(ah, bh, &pe);
    *pl = pe + (ah * bl + al * bh);
    return p;
}

/* exp(xh + xl) = 2^k (hi + *lo), for xh in [-800, 709] and |xl| <= 2^-40
 * |xh|; k comes back in *kb as fa_exp_reduce2_f64 gives it (fa_ldexp_big_f64
 * applies it).  Unlike fa_exp_poly_pair_f64 this keeps the second-order term
 * r * rl of the reduction (up to 2^-56 relative) and returns a normalised
 * pair (hi = hi + lo rounded, |lo| <= ulp(hi)/2). */
FA_INLINE double fa_exp_pair_f64(double xh, double xl, double *lo, uint64_t *kb)
{
    double kd, rl;
    double r = fa_exp_reduce2_f64(xh, xl, &kd, kb, &rl);
    double q = fa_exp_q_estrin_f64(r);
    double h1 = 1.0 + r;
    double l1 = FA_FMA_F64(r * r, q, ((1.0 - h1) + r) + FA_FMA_F64(r, rl, rl));
    double hi = h1 + l1;
    *lo = (h1 - hi) + l1;                   /* Fast2Sum: |l1| < |h1| */
    return hi;
}

/* 2^k for the k of kb (as fa_exp_reduce2_f64 gives it, k <= 1023), flushed
 * to 0 for k < -1022: for factors that only matter next to terms ~1. */
FA_INLINE double fa_pow2_pair_f64(uint64_t kb)
{
    uint64_t k1 = kb - FA_SHIFT_BITS_F64 + 1022;             /* k + 1022 */
    uint64_t ok = (k1 >> 63) - 1;                         /* all ones if k >= -1022 */
    return fa_from_bits_f64(((k1 + 1) << 52) & ok);
}

/* silu': exp(z0) - (double)exp(z0) at the double z0 = FA_SILU_ROOT
 * (fa_constants.h), from mpmath. */
#define FA_SILU_EXP_ROOT_LO_F64 -0x1.ea5091e4a4031p-56

/* ---- logistic building blocks (sigmoid, softplus, glu, tanh_shrink) ---- */

/* The common part of the logistic functions of v = vh + vl:
 * e = exp(-|v|) = 2^k (eh + *el) (k in *kb, as fa_exp_reduce2_f64 gives it),
 * e scaled by 2^k as a pair *es + *esl (flushed to 0 below 2^-1022, where
 * it only meets terms ~1), and 1 + e = *dh + *dl (Fast2Sum, e <= 1).
 *
 * sigmoid(vh + vl) = 2^k (q + *ql), relative error ~2^-60, k in *kb as
 * fa_exp_reduce2_f64 gives it (k = 0 for v >= 0; fa_ldexp_big_f64 applies it):
 * e = exp(-|v|) = 2^k (eh + el) (fa_exp_pair_f64), 1 + e as a pair (Fast2Sum,
 * e <= 1, plus the rounding error of eh + el), then 1/(1 + e) or (eh + el)/(1 + e) by
 * fa_div2_pair_f64 -- so a result rounds about once, where exp, 1 + e and the
 * division rounded separately (2.4 ULP).  |vl| <= 2^-40 |vh|.  -|v| is
 * clamped at -1400 (a NaN too: callers select NaN themselves): k >= -2020,
 * which fa_ldexp_big_f64 still applies in two steps. */
FA_INLINE double fa_logistic_parts_pair_f64(double vh, double vl, double *el, uint64_t *kb,
                                       double *es, double *esl, double *dh, double *dl)
{
    double nv = -__builtin_fabs(vh);
    double nvl = fa_select_f64(vh < 0.0, vl, -vl);
    nvl = fa_select_f64(nv > -1400.0, nvl, 0.0);
    nv = fa_select_f64(nv > -1400.0, nv, -1400.0);
    double eh = fa_exp_pair_f64(nv, nvl, el, kb);
    double sc = fa_pow2_pair_f64(*kb), e1 = eh + *el;
    double e = e1 * sc, er = ((eh - e1) + *el) * sc;
    *es = e;
    *esl = er;
    *dh = 1.0 + e;
    *dl = ((1.0 - *dh) + e) + er;
    return eh;
}

FA_INLINE double fa_sigmoid2_pair_f64(double vh, double vl, double *ql, uint64_t *kb)
{
    double el, es, esl, dh, dl;
    uint64_t k;
    double eh = fa_logistic_parts_pair_f64(vh, vl, &el, &k, &es, &esl, &dh, &dl);
    uint64_t neg = fa_mask_lt_f64(vh, 0.0);                /* -0 counts: k = 0 there */
    *kb = (k & neg) | (FA_SHIFT_BITS_F64 & ~neg);
    return fa_div2_pair_f64(fa_select_f64(vh < 0.0, eh, 1.0), fa_select_f64(vh < 0.0, el, 0.0), dh, dl, ql);
}

/* sigmoid(x), one rounding of the pair (the last one onto the subnormal
 * grid below 2^-1022). */
FA_INLINE double fa_sigmoid_pair_f64(double x)
{
    double ql;
    uint64_t kb;
    double q = fa_sigmoid2_pair_f64(x, 0.0, &ql, &kb);
    return fa_select_f64(x != x, x, fa_ldexp_big_f64(q + ql, kb));
}

/* log1p(eh + el) = hi + *lo for eh in [0, 1], |el| <= ulp(eh), relative
 * error ~2^-58.  As fa_log1p_f64 (u = 1 + e = 2^k (1 + f), k = 0 or 1,
 * f = e when k = 0, log(1 + f) = f - f^2/2 + s (f^2/2 + R), s = f/(2 + f)),
 * but the result is kept as a pair: f^2/2 exact (two-product), the leading
 * terms k ln2_hi + f - f^2/2 summed exactly (k ln2_hi + f is exact: ln2_hi
 * has 42 bits), and the small terms (the rounding error of 1 + e and el
 * enter as c = err/(1 + f), 1/(1 + f) = (1 - s)/(1 + s) to 3 terms) added
 * to the low part. */
FA_INLINE double fa_log1p_unit2_pair_f64(double eh, double el, double *lo)
{
    double u = 1.0 + eh;
    double ue = ((1.0 - u) + eh) + el;               /* 1 + e = u + ue */
    double kd;
    double fm = fa_log_split_f64(u, &kd);
    uint64_t k0 = fa_mask_eq_f64(kd, 0.0);
    double f = fa_blend_f64(k0, eh, fm);
    double s = f / (2.0 + f);
    double c = fa_blend_f64(k0, el, 0.5 * ue) * (1.0 - 2.0 * s * (1.0 - s * (1.0 - s)));
    double z = s * s;
    double R = z * fa_horner_f64(fa_c_log_r_f64, FA_N_LOG_R_F64, z);
    double ffl, ff = fa_two_prod_f64(f, f, &ffl);
    double hf = 0.5 * ff, hfl = 0.5 * ffl;           /* f^2/2 = hf + hfl */
    double small = FA_FMA_F64(s, hf + R, kd * FA_LN2LO_F64 + c) - hfl;
    double e1, h1 = fa_two_sum_f64(kd * FA_LN2HI_F64 + f, -hf, &e1);
    double low = e1 + small;
    double hi = h1 + low;
    *lo = (h1 - hi) + low;                           /* Fast2Sum: |low| < |h1| */
    return hi;
}

/* sigmoid'(v) = e/(1 + e)^2 = 2^k (q + *ql), e = exp(-|v|): the square
 * of the pair 1 + e and the quotient of pairs, so it rounds once when the
 * caller applies 2^k (fa_ldexp_big_f64). */
FA_INLINE double fa_logistic_slope2_pair_f64(double vh, double vl, double *ql, uint64_t *kb)
{
    double el, es, esl, dh, dl;
    double eh = fa_logistic_parts_pair_f64(vh, vl, &el, kb, &es, &esl, &dh, &dl);
    double ddl, dd = fa_mul2_pair_f64(dh, dl, dh, dl, &ddl);
    return fa_div2_pair_f64(eh, el, dd, ddl, ql);
}

/* sigmoid'(x) and tanh'(x) = 4 sigmoid'(2x), one rounding each. */
FA_INLINE double fa_sigmoid_grad_pair_f64(double x)
{
    double ql;
    uint64_t kb;
    double q = fa_logistic_slope2_pair_f64(x, 0.0, &ql, &kb);
    return fa_select_f64(x != x, x, fa_ldexp_big_f64(q + ql, kb));
}
FA_INLINE double fa_tanh_grad_pair_f64(double x)
{
    double ql;
    uint64_t kb;
    double q = fa_logistic_slope2_pair_f64(2.0 * x, 0.0, &ql, &kb);
    return fa_select_f64(x != x, x, fa_ldexp_big_f64(q + ql, kb + 2));
}

/* tanh|x| = hi + *lo, relative error ~2^-56, for ax = |x| (NaN: anything):
 * below 0.55 ax + ax^3 P(ax^2) as fa_tanh_f64 (the second term ~1/10 of
 * the first, added by Fast2Sum), above 1 - 2 sigmoid(-2 ax) from the
 * sigmoid pair (two-sum). */
FA_INLINE double fa_tanh_abs2_pair_f64(double ax, double *lo)
{
    double as = fa_select_f64(ax < 0.55, ax, 0.0), w = as * as;
    double t = (as * w) * fa_horner_f64(fa_c_tanh_p_f64, FA_N_TANH_P_F64, w);
    double sh = as + t, sl = (as - sh) + t;
    double ql;
    uint64_t kb;
    double q = fa_sigmoid2_pair_f64(-2.0 * ax, 0.0, &ql, &kb);
    double sc = -2.0 * fa_pow2_pair_f64(kb);
    double bl, bh = fa_two_sum_f64(1.0, q * sc, &bl);
    bl += ql * sc;
    *lo = fa_select_f64(ax < 0.55, sl, bl);
    return fa_select_f64(ax < 0.55, sh, bh);
}

/* tanh(x)^2 (tanh_shrink'), the square of the pair rounded once. */
FA_INLINE double fa_tanh_sq_pair_f64(double x)
{
    double lo, hi = fa_tanh_abs2_pair_f64(__builtin_fabs(x), &lo);
    double pl, p = fa_mul2_pair_f64(hi, lo, hi, lo, &pl);
    return fa_select_f64(x != x, x, p + pl);
}

/* 1/(ah + al) for ah in [1, 2^1000) (a pair), rounded once: the
 * reciprocal corrected by its exact residual.  From ah = 2^500 on the pair
 * is scaled by 2^-512 first (exact), so Dekker's split neither overflows
 * nor meets subnormal parts, and the result by 2^-512 last. */
FA_INLINE double fa_recip2_pair_f64(double ah, double al)
{
    double sc = fa_select_f64(ah < 0x1p500, 1.0, 0x1p-512);
    ah *= sc;
    al *= sc;
    double r = 1.0 / ah, pl, p = fa_two_prod_f64(r, ah, &pl);
    return (r + r * (((1.0 - p) - pl) - r * al)) * sc;
}

/* 1/(h + l)^2 for a pair h + l >= 1 (h >= 1; +inf gives 0), rounded about
 * once: the square as a pair, its reciprocal by fa_recip2_pair_f64.  From
 * h = 2^480 on the pair is scaled by 2^-256 first and the result by 2^-512
 * last (exact down to 2^-1022; below, one more rounding onto the subnormal
 * grid); from 2^538 on the result is below 2^-1075: 0.  NaN: callers. */
FA_INLINE double fa_recip_sq2_pair_f64(double h, double l)
{
    double sc = fa_select_f64(h < 0x1p480, 1.0, 0x1p-256);
    double hs = h * sc, ls = l * sc;
    double ssl, ss = fa_two_prod_f64(hs, hs, &ssl);
    double r = fa_recip2_pair_f64(ss, ssl + 2.0 * hs * ls) * (sc * sc);
    return fa_select_f64(h < 0x1p538, r, 0.0);
}

/* a sigmoid(vh + vl) rounded once (glu, silu): sigmoid = 2^k (q + ql)
 * (fa_sigmoid2_pair_f64), a (q + ql) as a pair and 2^k applied last, so a
 * subnormal sigmoid times a large a loses nothing.  |a| > 2^-900 is first
 * scaled by 2^-40 (exact), which keeps a q clear of overflow and of
 * Dekker's split limit (2^996); +-0 gives a; infinite a gives a sigmoid;
 * v < -1400 gives a * 0 (|a| sigmoid(v) < 2^-2019 |a|: 0 unless |a| >
 * 2^944). */
FA_INLINE double fa_mul_sigmoid_pair_f64(double a, double vh, double vl)
{
    double ql, pl;
    uint64_t kb;
    double q = fa_sigmoid2_pair_f64(vh, vl, &ql, &kb);
    double aa = __builtin_fabs(a);
    uint64_t big = fa_mask_gt_f64(aa, 0x1p-900);
    double p = fa_mul2_pair_f64(a * fa_blend_f64(big, 0x1p-40, 1.0), 0.0, q, ql, &pl);
    double r = fa_ldexp_big_f64(p + pl, kb + (big & 40));
    r = fa_select_f64(aa < FA_INF_F64, r, a * fa_ldexp_big_f64(q + ql, kb));
    r = fa_select_f64(vh < -1400.0, a * 0.0, r);
    r = fa_copysign_f64(r, a);                    /* a zero that rounds keeps a's sign */
    return fa_select_f64(a == 0.0, a, r);
}

/* atan, as fa_atan_f64 (the same reduction and polynomial) with the
 * reduced argument y = num/den as a pair -- |x| + 1 carried with its
 * rounding error (two-sum) and the quotient with its exact residual
 * (fa_div2_pair_f64) -- and the offset pi/4 or pi/2 added to it by two-sum,
 * so only the small term y^3 P(y^2) and the last sum round: 1.8 ULP
 * before, as rounded y and sums added up. */
FA_INLINE double fa_atan_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    uint64_t mid = fa_mask_gt_f64(ax, 0.5), big = fa_mask_gt_f64(ax, 2.0);
    double dl, dh = fa_two_sum_f64(ax, 1.0, &dl);
    double num = fa_blend_f64(big, -1.0, fa_blend_f64(mid, ax - 1.0, ax));   /* ax - 1 exact */
    double den = fa_blend_f64(big, ax, fa_blend_f64(mid, dh, 1.0));
    double denl = fa_blend_f64(big, 0.0, fa_blend_f64(mid, dl, 0.0));
    double yl, y = fa_div2_pair_f64(num, 0.0, den, denl, &yl);
    yl = fa_select_f64(ax < 0x1p990, yl, 0.0);           /* Dekker's split; y is ~0 there */
    double w = y * y;
    double t = y * (w * fa_horner_f64(fa_c_atan_p_f64, FA_N_ATAN_P_F64, w));
    double ohi = fa_blend_f64(big, FA_PI_2HI_F64, fa_blend_f64(mid, FA_PI_4HI_F64, 0.0));
    double olo = fa_blend_f64(big, FA_PI_2LO_F64, fa_blend_f64(mid, FA_PI_4LO_F64, 0.0));
    double se, s = fa_two_sum_f64(ohi, y, &se);
    double r = fa_copysign_f64(s + (se + ((olo + yl) + t)), x);
    return fa_select_f64(x != x, x, r);
}

/* f'(a + d) = C0 + d (Q(d) + Q0LO) about the zero a of a derivative */
#define FA_NEAR_ROOT_F64(NAME, name, d)                                                      \
    (FA_##NAME##_C0_F64 + ((d) * fa_horner_f64(fa_##name##_q_pair_f64, FA_##NAME##_NQ_F64, (d)) \
                           + (d) * FA_##NAME##_Q0LO_F64))

/* ---- tanh ----------------------------------------------------------------- */

/* tanh|x| = m/(m + 2), m = expm1(2|x|) >= 0: one formula for every |x|
 * (nothing cancels: m and m + 2 are sums of positive terms, and for small
 * |x| m = 2|x| + ... keeps its relative accuracy), one division, no
 * separate small-argument polynomial.  m = (2^k - 1) + 2^k (r + r^2 Q(r))
 * with 2^k - 1 exact for k <= 53 (|x| is clamped at 20, where tanh rounds
 * to 1; k <= 58).  About 2 ULP (float64 bound 3); the sign is copied from
 * x (tanh(-0) = -0), NaN stays NaN. */
FA_INLINE double fa_tanh_expm1_f64(double x)
{
    double ax = fa_abs_f64(x);
    double axc = fa_blend_f64(fa_mask_gt_f64(ax, 20.0), 20.0, ax);
    double kd, rl;
    uint64_t kb;
    double r = fa_exp_reduce2_f64(2.0 * axc, 0.0, &kd, &kb, &rl);
    double t = FA_FMA_F64(r * r, fa_exp_q_estrin_f64(r), rl);
    double sk = fa_pow2i_f64((int64_t)(kb - FA_SHIFT_BITS_F64));  /* k in [0, 58] */
    double m = FA_FMA_F64(sk, t, (sk - 1.0) + sk * r);
    double y = m / (m + 2.0);
    y = fa_copysign_f64(y, x);
    return fa_blend_f64(fa_mask_nan_f64(x), x, y);
}

/* ---- GELU (erf) -------------------------------------------------------- */

/* The common part of gelu and gelu', for ax = |x| in [0, 40]:
 * exp(-x^2/2) = 2^k (eh + *el) (k in *kb) and H(|x|/sqrt2) = *Hh + *Hl,
 * so that erfc(|x|/sqrt2) = exp(-x^2/2) H(|x|/sqrt2).
 *
 * H: a = |x|/sqrt2 = a + al (a rounded, al from the exact product with
 * the hi part of 1/sqrt2).  Pieces 0..7 (a < 2) are polynomials in
 * t = (a - mid) * 8, piece i = round(4a - 1/2); pieces 8..15 (a > 2) in
 * t = (u - mid) * scale, u = 1/a, piece from u's exponent and first
 * mantissa bit.  H = c0 + t H1 with the product t H1 exact, c0 and c1
 * carried as hi + lo; then the first-order correction H'(a) da for the
 * distance da between the true a and the point the polynomial saw:
 * al, plus the rounding of a - mid (piece 0 only, a < 1/16) or minus
 * a (1 - a u) (the rounding of u). */
FA_INLINE double fa_gelu_parts_pair_f64(double ax, double *el, uint64_t *kb, double *Hh, double *Hl)
{
    double sqe, sq = fa_two_prod_f64(ax, ax, &sqe);        /* x^2, exact */
    double eh = fa_exp_pair_f64(-0.5 * sq, -0.5 * sqe, el, kb);

    double ae, a = fa_two_prod_f64(ax, FA_RSQRT2_HI_F64, &ae);
    double al = ae + ax * FA_RSQRT2_LO_F64;              /* |x|/sqrt2 = a + al */
    double u = 1.0 / fa_select_f64(a > 2.0, a, 2.0);
    /* piece index: i = round(4a - 1/2) in [0, 7] for a <= 2 (a tie gives a
     * neighbour with t = +-1: fine), 2051 - (bits(u) >> 51) in [8, 15] */
    double ia = a * 4.0 - 0.5;
    ia = fa_select_f64(ia < 7.0, ia, 7.0);
    uint64_t ja = fa_bits_f64(ia + FA_SHIFT_F64) - FA_SHIFT_BITS_F64;
    uint64_t ju = 2051 - (fa_bits_f64(u) >> 51);
    uint64_t mu = fa_mask_gt_f64(a, 2.0);
    int64_t j = (int64_t)((ju & mu) | (ja & ~mu));
    double w = fa_select_f64(a > 2.0, u, a);
    double mid = fa_h_mid_pair_f64[j];
    double s = w - mid;
    double res = w - (s + mid);          /* Fast2Sum: a - mid - s, 0 unless piece 0 */
    double t = s * fa_h_scale_pair_f64[j];    /* exact: the scale is a power of 2 */
    double H1 = fa_h_pair_f64[FA_H_COEFFS_F64 - 1][j];
#pragma GCC unroll 16
    for (int i = FA_H_COEFFS_F64 - 2; i >= 1; --i)
        H1 = FA_FMA_F64(H1, t, fa_h_pair_f64[i][j]);
    double pe, p = fa_two_prod_f64(t, H1, &pe);
    double c0 = fa_h_pair_f64[0][j];
    double hh = c0 + p;                  /* |c0| > |t H1| on every piece */
    double hl = ((c0 - hh) + p) + (pe + (fa_h_c0lo_pair_f64[j] + t * fa_h_c1lo_pair_f64[j]));
    double ue = 0.0, pu = fa_two_prod_f64(a, u, &ue);
    ue = (1.0 - pu) - ue;                /* 1 - a u, exact */
    double da = al + fa_select_f64(a > 2.0, -a * ue, res);
    hl = hl + (2.0 * a * hh - FA_2RSQRTPI_F64) * da;
    *Hh = hh;
    *Hl = hl;
    return eh;
}

/* gelu = x Phi(x) = x erfc(-x/sqrt2)/2.
 * x < 0:  -|x| erfc(|x|/sqrt2)/2 = -2^k (|x|/2) (eh + el)(Hh + Hl), one rounding
 *         (and the last one onto the subnormal grid);
 * x >= 0: x - x erfc(x/sqrt2)/2 (the erfc term is at most x/2).
 * |x| > 40: x or -0 (erfc(40/sqrt2) < 1e-349). */
FA_INLINE double fa_gelu_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double axc = fa_select_f64(ax < 40.0, ax, 40.0);        /* NaN -> 40 */
    double el, Hh, Hl;
    uint64_t kb;
    double eh = fa_gelu_parts_pair_f64(axc, &el, &kb, &Hh, &Hl);
    double ml, m = fa_mul2_pair_f64(eh, el, Hh, Hl, &ml);     /* erfc / 2^k */
    double z = 0.5 * axc;
    double ql, q = fa_mul2_pair_f64(z, 0.0, m, ml, &ql);
    double neg = -fa_ldexp_big_f64(q + ql, kb);
    double half = 0.5 * (m + ml) * fa_pow2_pair_f64(kb);      /* erfc/2 */
    double pos = axc - axc * half;
    double y = fa_select_f64(x < 0.0, neg, pos);
    y = fa_select_f64(ax <= 40.0, y, fa_select_f64(x > 0.0, x, -0.0));
    y = fa_select_f64(x == 0.0, x, y);                       /* keeps -0 */
    return fa_select_f64(x != x, x, y);
}

/* gelu' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi).
 * x >= 0: (1 - erfc/2) + |x| phi (all terms positive);
 * x < 0:  2^k (eh + el) (H/2 - |x|/sqrt(2 pi)), the bracket as a pair;
 * |x - zero| < 0.3: the polynomial about the zero of gelu'. */
FA_INLINE double fa_gelu_grad_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double axc = fa_select_f64(ax < 40.0, ax, 40.0);
    double el, Hh, Hl;
    uint64_t kb;
    double eh = fa_gelu_parts_pair_f64(axc, &el, &kb, &Hh, &Hl);
    /* x < 0 */
    double cl, c = fa_two_prod_f64(axc, FA_RSQRT2PI_HI_F64, &cl);
    cl = cl + axc * FA_RSQRT2PI_LO_F64;                    /* |x|/sqrt(2 pi) */
    double il, ih = fa_two_sum_f64(0.5 * Hh, -c, &il);
    il = il + (0.5 * Hl - cl);
    double nl, n = fa_mul2_pair_f64(eh, el, ih, il, &nl);
    double neg = fa_ldexp_big_f64(n + nl, kb);
    /* x >= 0 */
    double ml, m = fa_mul2_pair_f64(eh, el, Hh, Hl, &ml);
    double sc = fa_pow2_pair_f64(kb);
    double half = 0.5 * (m + ml) * sc;                    /* erfc/2 */
    double e = (eh + el) * sc;                            /* exp(-x^2/2) */
    double pdf = e * FA_RSQRT2PI_HI_F64 + e * FA_RSQRT2PI_LO_F64;
    double pos = (1.0 - half) + axc * pdf;
    double y = fa_select_f64(x < 0.0, neg, pos);
    double d = -axc - FA_GELU_ROOT_F64;                   /* exact in the window */
    double near = FA_NEAR_ROOT_F64(GELU, gelu, d);
    y = fa_select_f64(x > FA_GELU_ROOT_F64 - FA_GELU_WINDOW_F64,
                   fa_select_f64(x < FA_GELU_ROOT_F64 + FA_GELU_WINDOW_F64, near, y), y);
    y = fa_select_f64(ax <= 40.0, y, fa_select_f64(x > 0.0, 1.0, -0.0));
    return fa_select_f64(x != x, x, y);
}

/* ---- GELU, tanh approximation -------------------------------------------- */

/* For xc in [-30, 30]: v = 2u = x (C1 + C3 x^2) = *vh + *vl (relative
 * error ~2^-100: x^2 exact, C3 x^2 and C1 + C3 x^2 as pairs, times x
 * exact); e = exp(-|v|) = 2^k (eh + *el) (k in *kb; the argument clamped at
 * -800, where the results are 0 anyway), *e1 = e as a double and
 * 1 + e = *dh + *dl exactly.  *s, *se: x^2 = s + se. */
FA_INLINE double fa_gelu_tanh_parts_pair_f64(double xc, double *vh, double *s, double *se,
                                        double *el, uint64_t *kb, double *e1,
                                        double *dh, double *dl)
{
    double sqe, sq = fa_two_prod_f64(xc, xc, &sqe);
    double pe, p = fa_two_prod_f64(FA_C3_HI_F64, sq, &pe);
    pe = pe + (FA_C3_HI_F64 * sqe + FA_C3_LO_F64 * sq);
    double we, w = fa_two_sum_f64(FA_C1_HI_F64, p, &we);
    we = we + (pe + FA_C1_LO_F64);
    double ve, v = fa_two_prod_f64(w, xc, &ve);
    double vl = ve + we * xc;
    double nv = -__builtin_fabs(v);
    double nvl = fa_select_f64(v < 0.0, vl, -vl);
    nvl = fa_select_f64(nv > -800.0, nvl, 0.0);
    nv = fa_select_f64(nv > -800.0, nv, -800.0);
    double eh = fa_exp_pair_f64(nv, nvl, el, kb);
    double e = (eh + *el) * fa_pow2_pair_f64(*kb);
    double d = 1.0 + e;
    *dl = (1.0 - d) + e;                                  /* Fast2Sum: e <= 1 */
    *dh = d;
    *e1 = e;
    *vh = v;
    *s = sq;
    *se = sqe;
    return eh;
}

/* gelu_tanh = x (1 + tanh(u))/2 = x sigmoid(v):
 * v >= 0: x / (1 + e); v < 0: 2^k x (eh + el) / (1 + e), e = exp(-|v|);
 * the quotient of pairs, rounded once. */
FA_INLINE double fa_gelu_tanh_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = fa_select_f64(ax < 30.0, x, 0.0);           /* NaN, |x| >= 30: 0 */
    double v, s, se, el, e, dh, dl;
    uint64_t kb;
    double eh = fa_gelu_tanh_parts_pair_f64(xc, &v, &s, &se, &el, &kb, &e, &dh, &dl);
    double nl, n = fa_mul2_pair_f64(xc, 0.0, eh, el, &nl);     /* x e / 2^k */
    n = fa_select_f64(v < 0.0, n, xc);
    nl = fa_select_f64(v < 0.0, nl, 0.0);
    double ql, q = fa_div2_pair_f64(n, nl, dh, dl, &ql);
    double r = q + ql;
    double y = fa_select_f64(v < 0.0, fa_ldexp_big_f64(r, kb), r);
    y = fa_select_f64(ax < 30.0, y, fa_select_f64(x > 0.0, x, -0.0));
    y = fa_select_f64(x == 0.0, x, y);                       /* keeps -0 */
    return fa_select_f64(x != x, x, y);
}

/* gelu_tanh' = s + x v' s (1 - s), s = sigmoid(v); with e = exp(-|v|),
 * D = 1 + e, R = 1/D (the one division):
 * v >= 0: s = 1/D, 1 - s = e/D: f' = (1 + x v' e R) R;
 * v < 0:  s = e/D, 1 - s = 1/D: f' = 2^k (eh + el) (1 + x v' R) R, the
 *         2^k applied last (the result may be normal where e is not).
 * v = 2u stays an exact pair (the left tail); v' = C1 + 3 C3 x^2 and x v'
 * are plain doubles: left of the zero of f' (x = -0.7525) 1 + x v' R
 * cancels, and the error is counted against the terms s + |x v' s (1 - s)|
 * (catalog grad_terms), as the numerics policy measures derivatives. */
FA_INLINE double fa_gelu_tanh_grad_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = fa_select_f64(ax < 30.0, x, 0.0);
    double v, s, se, el, e, dh, dl;
    uint64_t kb;
    double eh = fa_gelu_tanh_parts_pair_f64(xc, &v, &s, &se, &el, &kb, &e, &dh, &dl);
    double dv = FA_FMA_F64(FA_3C3_HI_F64, s, FA_C1_HI_F64);     /* v' */
    double xdv = xc * dv;
    double rd = 1.0 / dh;
    double num = FA_FMA_F64(fa_select_f64(v < 0.0, xdv, xdv * e), rd, 1.0);
    double q = num * rd;
    double sh = fa_select_f64(v < 0.0, eh + el, 1.0);
    uint64_t mneg = fa_mask_lt_f64(v, 0.0);
    double f = fa_ldexp_big_f64(sh * q, (kb & mneg) | (FA_SHIFT_BITS_F64 & ~mneg));
    f = fa_select_f64(ax < 30.0, f, fa_select_f64(x > 0.0, 1.0, -0.0));
    return fa_select_f64(x != x, x, f);
}

/* ---- mish ---------------------------------------------------------------- */

/* For xc in [-800, 800]: e = exp(-|x|) = 2^k (eh + *el) (k in *kb), and as
 * pairs of doubles (*sh, *sl) = e (exact scaling while e is normal; where
 * it is not, e only enters next to terms ~1);
 * x < 0 (e = e^x):   *A = e + 2, *B = e A + 2;
 * x >= 0 (f = e^-x): *P = 1 + 2f, *D = P + 2f^2; all as pairs. */
FA_INLINE double fa_mish_parts_pair_f64(double xc, double *el, uint64_t *kb, double *sh, double *sl,
                                   double *Ah, double *Al, double *Bh, double *Bl,
                                   double *Ph, double *Pl, double *Dh, double *Dl)
{
    double eh = fa_exp_pair_f64(-__builtin_fabs(xc), 0.0, el, kb);
    double sc = fa_pow2_pair_f64(*kb);
    double f = eh * sc, fl = *el * sc;
    double ah = 2.0 + f;
    double al = ((2.0 - ah) + f) + fl;                    /* Fast2Sum: e <= 1 */
    double bl, b = fa_mul2_pair_f64(f, fl, ah, al, &bl);
    double bh = 2.0 + b;
    bl = ((2.0 - bh) + b) + bl;                           /* Fast2Sum: e A <= 3 < 4 */
    double pl, ph = fa_two_sum_f64(1.0, 2.0 * f, &pl);
    pl = pl + 2.0 * fl;
    double ffl, ff = fa_mul2_pair_f64(f, fl, f, fl, &ffl);
    double dl, dh = fa_two_sum_f64(ph, 2.0 * ff, &dl);
    dl = dl + (pl + 2.0 * ffl);
    *sh = f; *sl = fl;
    *Ah = ah; *Al = al; *Bh = bh; *Bl = bl;
    *Ph = ph; *Pl = pl; *Dh = dh; *Dl = dl;
    return eh;
}

/* mish = x tanh(softplus(x)) = x n/(n + 2), n = e^x (e^x + 2):
 * x < 0 (e = e^x):   2^k x (eh + el) A/B;
 * x >= 0 (f = e^-x): x P/D;
 * quotients and products of pairs: one rounding. */
FA_INLINE double fa_mish_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = fa_select_f64(ax < 800.0, x, 0.0);
    double el, sh, sl, Ah, Al, Bh, Bl, Ph, Pl, Dh, Dl;
    uint64_t kb;
    double eh = fa_mish_parts_pair_f64(xc, &el, &kb, &sh, &sl, &Ah, &Al, &Bh, &Bl, &Ph, &Pl, &Dh, &Dl);
    double Rl, R = fa_div2_pair_f64(Ah, Al, Bh, Bl, &Rl);
    double Ml, M = fa_mul2_pair_f64(eh, el, R, Rl, &Ml);
    double Nl, N = fa_mul2_pair_f64(xc, 0.0, M, Ml, &Nl);
    double neg = fa_ldexp_big_f64(N + Nl, kb);
    double Tl, T = fa_div2_pair_f64(Ph, Pl, Dh, Dl, &Tl);
    double Ul, U = fa_mul2_pair_f64(xc, 0.0, T, Tl, &Ul);
    double pos = U + Ul;
    double y = fa_select_f64(x < 0.0, neg, pos);
    y = fa_select_f64(ax < 800.0, y, fa_select_f64(x > 0.0, x, -0.0));
    y = fa_select_f64(x == 0.0, x, y);
    return fa_select_f64(x != x, x, y);
}

/* mish' = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x)):
 * x < 0 (e = e^x):   2^k (eh + el) w / B^2, w = 4(x+1) + e(4x+6) + e^2(4+e)
 *                    (B = e^2 + 2e + 2 as above), w and the quotient as pairs;
 * x >= 0 (f = e^-x): P/D + 4x f^2 (1 + f)/D^2, P/D as a pair;
 * near the zero of f' (x = -1.19, where w cancels): the polynomial. */
FA_INLINE double fa_mish_grad_pair_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = fa_select_f64(ax < 800.0, x, 0.0);
    double el, e, sl, Ah, Al, Bh, Bl, Ph, Pl, Dh, Dl;
    uint64_t kb;
    double eh = fa_mish_parts_pair_f64(xc, &el, &kb, &e, &sl, &Ah, &Al, &Bh, &Bl, &Ph, &Pl, &Dh, &Dl);
    /* x < 0 */
    double c1l, c1 = fa_two_sum_f64(xc, 1.0, &c1l);         /* x + 1 */
    double c2l, c2 = fa_two_sum_f64(4.0 * xc, 6.0, &c2l);   /* 4x + 6 */
    double ebl, eb = fa_mul2_pair_f64(e, sl, c2, c2l, &ebl);
    double wl, w = fa_two_sum_f64(4.0 * c1, eb, &wl);
    double e4 = 4.0 + e;
    double e4l = ((4.0 - e4) + e) + sl;                      /* Fast2Sum: e <= 1 */
    double eel, ee = fa_mul2_pair_f64(e, sl, e, sl, &eel);
    double w3l, w3 = fa_mul2_pair_f64(ee, eel, e4, e4l, &w3l);   /* e^2 (4 + e) */
    double wl2, w2 = fa_two_sum_f64(w, w3, &wl2);
    wl = (wl + wl2) + ((4.0 * c1l + ebl) + w3l);
    double bbl, bb = fa_mul2_pair_f64(Bh, Bl, Bh, Bl, &bbl);
    double ql, q = fa_div2_pair_f64(w2, wl, bb, bbl, &ql);
    double nl, n = fa_mul2_pair_f64(eh, el, q, ql, &nl);
    double neg = fa_ldexp_big_f64(n + nl, kb);
    /* x >= 0 */
    double Tl, T = fa_div2_pair_f64(Ph, Pl, Dh, Dl, &Tl);
    double rD = 1.0 / Dh;
    double sec = (4.0 * xc) * (e * e) * (1.0 + e) * (rD * rD);
    double pos = T + (Tl + sec);
    double y = fa_select_f64(x < 0.0, neg, pos);
    double dr = xc - FA_MISH_ROOT_F64;
    double near = FA_NEAR_ROOT_F64(MISH, mish, dr);
    y = fa_select_f64(x > FA_MISH_ROOT_F64 - FA_MISH_WINDOW_F64,
                   fa_select_f64(x < FA_MISH_ROOT_F64 + FA_MISH_WINDOW_F64, near, y), y);
    y = fa_select_f64(ax < 800.0, y, fa_select_f64(x > 0.0, 1.0, -0.0));
    return fa_select_f64(x != x, x, y);
}

/* ---- sigmoid, silu, silu', softplus (beta = 1): plain float64 forms --
 * Within the float64 bounds (3 ULP forward, 4 ULP of the terms for silu')
 * without pairs: e = exp(-|x|) = 2^k (1 + u) (fa_exp_u_f64, fa_exp32.h),
 * 1 + u never rounded on its own; one division.  x < 0 results carry
 * S = 2^(k+600) and are scaled by 2^-600 last (subnormal results round
 * once); 2^k = S 2^-600 is 0 below 2^-1074, where 1 + e = 1.  FMA builds;
 * the SSE2 baseline keeps the pair forms above. */
#if defined(__FMA__)
FA_INLINE double fa_sigmoid_fast_pair_f64(double x)
{
    double a = __builtin_fabs(x);
    int64_t k;
    double u = fa_exp_u_f64(-a, &k);                       /* garbage past 746 */
    double S = fa_pow2i_f64(k + 600), E = S * 0x1p-600;
    double r = 1.0 / (1.0 + FA_FMA_F64(u, E, E));
    double neg = (FA_FMA_F64(u, r, r) * S) * 0x1p-600;      /* e/(1 + e) */
    double y = fa_select_f64(x < 0.0, neg, r);
    /* sigmoid(-746) < 2^-1075; NaN stays (a > 746 is false) */
    return fa_select_f64(a > 746.0, fa_select_f64(x < 0.0, 0.0, 1.0), y);
}

/* silu = x s, x r = xr + xrl exactly and x e r = xr + (xr u + xrl) for
 * x < 0; past |x| = 760 the limits x and -0 (|silu(-760)| < 2^-1075). */
FA_INLINE double fa_silu_fast_pair_f64(double x)
{
    double a = __builtin_fabs(x);
    int64_t k;
    double u = fa_exp_u_f64(-a, &k);                       /* garbage past 760 */
    double S = fa_pow2i_f64(k + 600), E = S * 0x1p-600;
    double r = 1.0 / (1.0 + FA_FMA_F64(u, E, E));
    double xr = x * r, xrl = FA_FMA_F64(x, r, -xr);
    double neg = ((xr + FA_FMA_F64(xr, u, xrl)) * S) * 0x1p-600;
    double y = fa_copysign_f64(fa_select_f64(x < 0.0, neg, xr), x);   /* a result that rounds to 0 */
    return fa_select_f64(a > 760.0, fa_select_f64(x < 0.0, -0.0, x), y);
}

/* silu' = s (1 + x (1 - s)) with r = 1/(1 + e) from the residual-corrected
 * reciprocal (1 + e = d + dl by Fast2Sum): s = r, 1 - s = e r (x >= 0);
 * s = e r (as (1 + u) r, scaled last), 1 - s = r (x < 0).  Measured against
 * |s| + |x s (1 - s)|; f'(-inf) = +0, f'(+inf) = 1. */
FA_INLINE double fa_silu_grad_fast_pair_f64(double x)
{
    double a = __builtin_fabs(x);
    int64_t k;
    double u = fa_exp_u_f64(-a, &k);                       /* garbage past 760 */
    double S = fa_pow2i_f64(k + 600), E = S * 0x1p-600;
    double e = FA_FMA_F64(u, E, E);
    double d = 1.0 + e, dl = (1.0 - d) + e;
    double r0 = 1.0 / d;
    double r = FA_FMA_F64(-r0, r0 * dl, r0);
    double er = FA_FMA_F64(u, r, r);                        /* e r 2^-k */
    double s = fa_select_f64(x < 0.0, er, r);
    double c = fa_select_f64(x < 0.0, r, er * E);           /* 1 - s */
    double y = s * FA_FMA_F64(x, c, 1.0);
    y = fa_select_f64(x < 0.0, (y * S) * 0x1p-600, y);
    return fa_select_f64(a > 760.0, fa_select_f64(x < 0.0, 0.0, 1.0), y);
}

/* softplus = max(x, 0) + log1p(e) (beta = 1, no threshold), e = exp(-|x|)
 * rounded once (subnormal too), log1p by fa_log1p_unit_f64; -inf -> +0,
 * +inf -> +inf, NaN -> NaN.  log_sigmoid is -softplus(-x). */
FA_INLINE double fa_softplus_fast_pair_f64(double x)
{
    double a = __builtin_fabs(x);
    int64_t k;
    double u = fa_exp_u_f64(-a, &k);                       /* garbage past 746 */
    double S = fa_pow2i_f64(k + 600);
    double e = FA_FMA_F64(u, S, S) * 0x1p-600;
    double y = fa_select_f64(x > 0.0, x, 0.0) + fa_log1p_unit_f64(e);
    return fa_select_f64(a > 746.0, fa_select_f64(x > 0.0, x, 0.0), y);   /* NaN stays */
}

FA_INLINE double fa_log_sigmoid_fast_pair_f64(double x)
{
    return fa_select_f64(x == INFINITY, -0.0, -fa_softplus_fast_pair_f64(-x));   /* the limit from below */
}

/* softplus' at beta = 1: sigmoid(x), 1 past the threshold */
FA_INLINE double fa_softplus_grad_fast_pair_f64(double x, double threshold)
{
    return fa_select_f64(x > threshold, 1, fa_sigmoid_fast_pair_f64(x));
}
#endif /* __FMA__ */

#endif /* FA_PRECISE64_H */
