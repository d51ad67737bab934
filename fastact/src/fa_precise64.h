/* float64 gelu (exact, erf-based), gelu with approximate='tanh' and mish,
 * forward and derivative, accurate to about 1 ULP (forward) and 2 ULP
 * (derivative, counted in ULPs of max(|f'|, 2^-20)).
 *
 * activations.h uses them for the float64 kernels (PRECISE_* in
 * formulas.h); the float32 kernels keep the plain double evaluation, which
 * is far more accurate than a float32 result needs.  What a plain double
 * evaluation gets wrong in float64, and what is done here instead:
 *
 *  - Left tails.  exp(-x^2/2), exp(v) (v = 2u of gelu_tanh) move by
 *    |argument| * 2^-53 relative when the argument is rounded: hundreds of
 *    ULP at |x| ~ 20..38.  Arguments are kept as exact pairs hi + lo
 *    (fa__two_prod: FMA or Dekker's product) and exp takes the low part
 *    (fa_p64_exp returns exp as 2^k (hi + lo)).  Results may be normal
 *    while exp(...) is subnormal: the factor 2^k is applied last
 *    (fa__ldexp_big), so the result is rounded once.
 *  - erfc (gelu).  erfc(|x|/sqrt2) = exp(-x^2/2) H(|x|/sqrt2) with
 *    H(a) = exp(a^2) erfc(a) from a piecewise polynomial (16 pieces on
 *    [0, 32), tools/derive_precise64.py) evaluated as a pair Hh + Hl.  The
 *    exp factor uses the exact square of x (never of the rounded
 *    a = |x|/sqrt2); the rounding of a (and of 1/a, the variable of the
 *    pieces beyond 2) moves H only weakly and is corrected to first order
 *    with H'(a) = 2 a H - 2/sqrt(pi).
 *  - The zeros of f' (gelu' at x = -0.7518, gelu_tanh' at -0.7525, mish'
 *    at -1.1924), where two terms of size ~1/2 cancel: within 0.3 of the
 *    zero a, f'(a + d) = C0 + d Q(d), d = x - a exact (Sterbenz), with Q
 *    a polynomial fitted with mpmath (fa_precise64_constants.h).
 *  - Quotients and products that decide the last bits are done on pairs
 *    (fa_p64_div2: one division and an exact residual), so that a result
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
#include "fa_vmath.h"
#include "fa_precise64_constants.h"

#define FA_P64_SEL fa_select_f64

/* ---- double-length helpers ------------------------------------------ */

/* (ah + al) / (bh + bl) = q + *ql, to ~2^-100 relative: one division (the
 * reciprocal of bh), q = ah / bh to ~1 ulp, the residual ah - q bh exact
 * (fa__two_prod) and corrected with the reciprocal.  bh > 0 normal. */
FA_INLINE double fa_p64_div2(double ah, double al, double bh, double bl, double *ql)
{
    double rb = 1.0 / bh;
    double q = ah * rb;
    double pe, p = fa__two_prod(q, bh, &pe);
    *ql = (((ah - p) - pe) + (al - q * bl)) * rb;
    return q;
}

/* (ah + al) * (bh + bl) = p + *pl (dropping al * bl) */
FA_INLINE double fa_p64_mul2(double ah, double al, double bh, double bl, double *pl)
{
    double pe, p = fa__two_prod(ah, bh, &pe);
    *pl = pe + (ah * bl + al * bh);
    return p;
}

/* exp(xh + xl) = 2^k (hi + *lo), for xh in [-800, 709] and |xl| <= 2^-40
 * |xh|; k comes back in *kb as fa__exp_reduce2 gives it (fa__ldexp_big
 * applies it).  Unlike fa__exp_poly_pair this keeps the second-order term
 * r * rl of the reduction (up to 2^-56 relative) and returns a normalised
 * pair (hi = hi + lo rounded, |lo| <= ulp(hi)/2). */
FA_INLINE double fa_p64_exp(double xh, double xl, double *lo, uint64_t *kb)
{
    double kd, rl;
    double r = fa__exp_reduce2(xh, xl, &kd, kb, &rl);
    double q = fa__horner(fa__c_exp_q_f64, FA__N_EXP_Q_F64, r);
    double h1 = 1.0 + r;
    double l1 = FA__FMA(r * r, q, ((1.0 - h1) + r) + FA__FMA(r, rl, rl));
    double hi = h1 + l1;
    *lo = (h1 - hi) + l1;                   /* Fast2Sum: |l1| < |h1| */
    return hi;
}

/* 2^k for the k of kb (as fa__exp_reduce2 gives it, k <= 1023), flushed
 * to 0 for k < -1022: for factors that only matter next to terms ~1. */
FA_INLINE double fa_p64_pow2(uint64_t kb)
{
    uint64_t k1 = kb - FA__SHIFT_BITS + 1022;             /* k + 1022 */
    uint64_t ok = (k1 >> 63) - 1;                         /* all ones if k >= -1022 */
    return fa__d64(((k1 + 1) << 52) & ok);
}

/* f'(a + d) = C0 + d (Q(d) + Q0LO) about the zero a of a derivative */
#define FA_P64_NEAR_ROOT(NAME, name, d)                                               \
    (FA_P64_##NAME##_C0 + ((d) * fa__horner(fa_p64_##name##_q, FA_P64_##NAME##_NQ, (d)) \
                           + (d) * FA_P64_##NAME##_Q0LO))

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
FA_INLINE double fa_p64_gelu_parts(double ax, double *el, uint64_t *kb, double *Hh, double *Hl)
{
    double sqe, sq = fa__two_prod(ax, ax, &sqe);        /* x^2, exact */
    double eh = fa_p64_exp(-0.5 * sq, -0.5 * sqe, el, kb);

    double ae, a = fa__two_prod(ax, FA_P64_RSQRT2_HI, &ae);
    double al = ae + ax * FA_P64_RSQRT2_LO;              /* |x|/sqrt2 = a + al */
    double u = 1.0 / FA_P64_SEL(a > 2.0, a, 2.0);
    /* piece index: i = round(4a - 1/2) in [0, 7] for a <= 2 (a tie gives a
     * neighbour with t = +-1: fine), 2051 - (bits(u) >> 51) in [8, 15] */
    double ia = a * 4.0 - 0.5;
    ia = FA_P64_SEL(ia < 7.0, ia, 7.0);
    uint64_t ja = fa__u64(ia + FA__SHIFT) - FA__SHIFT_BITS;
    uint64_t ju = 2051 - (fa__u64(u) >> 51);
    uint64_t mu = fa__gt64(a, 2.0);
    int64_t j = (int64_t)((ju & mu) | (ja & ~mu));
    double w = FA_P64_SEL(a > 2.0, u, a);
    double mid = fa_p64_h_mid[j];
    double s = w - mid;
    double res = w - (s + mid);          /* Fast2Sum: a - mid - s, 0 unless piece 0 */
    double t = s * fa_p64_h_scale[j];    /* exact: the scale is a power of 2 */
    double H1 = fa_p64_h[FA_P64_H_COEFFS - 1][j];
#pragma GCC unroll 16
    for (int i = FA_P64_H_COEFFS - 2; i >= 1; --i)
        H1 = FA__FMA(H1, t, fa_p64_h[i][j]);
    double pe, p = fa__two_prod(t, H1, &pe);
    double c0 = fa_p64_h[0][j];
    double hh = c0 + p;                  /* |c0| > |t H1| on every piece */
    double hl = ((c0 - hh) + p) + (pe + (fa_p64_h_c0lo[j] + t * fa_p64_h_c1lo[j]));
    double ue = 0.0, pu = fa__two_prod(a, u, &ue);
    ue = (1.0 - pu) - ue;                /* 1 - a u, exact */
    double da = al + FA_P64_SEL(a > 2.0, -a * ue, res);
    hl = hl + (2.0 * a * hh - FA_P64_2RSQRTPI) * da;
    *Hh = hh;
    *Hl = hl;
    return eh;
}

/* gelu = x Phi(x) = x erfc(-x/sqrt2)/2.
 * x < 0:  -|x| erfc(|x|/sqrt2)/2 = -2^k (|x|/2) (eh + el)(Hh + Hl), one rounding
 *         (and the last one onto the subnormal grid);
 * x >= 0: x - x erfc(x/sqrt2)/2 (the erfc term is at most x/2).
 * |x| > 40: x or -0 (erfc(40/sqrt2) < 1e-349). */
FA_INLINE double fa_gelu_f64(double x)
{
    double ax = __builtin_fabs(x);
    double axc = FA_P64_SEL(ax < 40.0, ax, 40.0);        /* NaN -> 40 */
    double el, Hh, Hl;
    uint64_t kb;
    double eh = fa_p64_gelu_parts(axc, &el, &kb, &Hh, &Hl);
    double ml, m = fa_p64_mul2(eh, el, Hh, Hl, &ml);     /* erfc / 2^k */
    double z = 0.5 * axc;
    double ql, q = fa_p64_mul2(z, 0.0, m, ml, &ql);
    double neg = -fa__ldexp_big(q + ql, kb);
    double half = 0.5 * (m + ml) * fa_p64_pow2(kb);      /* erfc/2 */
    double pos = axc - axc * half;
    double y = FA_P64_SEL(x < 0.0, neg, pos);
    y = FA_P64_SEL(ax <= 40.0, y, FA_P64_SEL(x > 0.0, x, -0.0));
    y = FA_P64_SEL(x == 0.0, x, y);                       /* keeps -0 */
    return FA_P64_SEL(x != x, x, y);
}

/* gelu' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi).
 * x >= 0: (1 - erfc/2) + |x| phi (all terms positive);
 * x < 0:  2^k (eh + el) (H/2 - |x|/sqrt(2 pi)), the bracket as a pair;
 * |x - zero| < 0.3: the polynomial about the zero of gelu'. */
FA_INLINE double fa_gelu_grad_f64(double x)
{
    double ax = __builtin_fabs(x);
    double axc = FA_P64_SEL(ax < 40.0, ax, 40.0);
    double el, Hh, Hl;
    uint64_t kb;
    double eh = fa_p64_gelu_parts(axc, &el, &kb, &Hh, &Hl);
    /* x < 0 */
    double cl, c = fa__two_prod(axc, FA_P64_RSQRT2PI_HI, &cl);
    cl = cl + axc * FA_P64_RSQRT2PI_LO;                    /* |x|/sqrt(2 pi) */
    double il, ih = fa__two_sum(0.5 * Hh, -c, &il);
    il = il + (0.5 * Hl - cl);
    double nl, n = fa_p64_mul2(eh, el, ih, il, &nl);
    double neg = fa__ldexp_big(n + nl, kb);
    /* x >= 0 */
    double ml, m = fa_p64_mul2(eh, el, Hh, Hl, &ml);
    double sc = fa_p64_pow2(kb);
    double half = 0.5 * (m + ml) * sc;                    /* erfc/2 */
    double e = (eh + el) * sc;                            /* exp(-x^2/2) */
    double pdf = e * FA_P64_RSQRT2PI_HI + e * FA_P64_RSQRT2PI_LO;
    double pos = (1.0 - half) + axc * pdf;
    double y = FA_P64_SEL(x < 0.0, neg, pos);
    double d = -axc - FA_P64_GELU_ROOT;                   /* exact in the window */
    double near = FA_P64_NEAR_ROOT(GELU, gelu, d);
    y = FA_P64_SEL(x > FA_P64_GELU_ROOT - FA_P64_GELU_WINDOW,
                   FA_P64_SEL(x < FA_P64_GELU_ROOT + FA_P64_GELU_WINDOW, near, y), y);
    y = FA_P64_SEL(ax <= 40.0, y, FA_P64_SEL(x > 0.0, 1.0, -0.0));
    return FA_P64_SEL(x != x, x, y);
}

/* ---- GELU, tanh approximation -------------------------------------------- */

/* For xc in [-30, 30]: v = 2u = x (C1 + C3 x^2) = *vh + *vl (relative
 * error ~2^-100: x^2 exact, C3 x^2 and C1 + C3 x^2 as pairs, times x
 * exact); e = exp(-|v|) = 2^k (eh + *el) (k in *kb; the argument clamped at
 * -800, where the results are 0 anyway), *e1 = e as a double and
 * 1 + e = *dh + *dl exactly.  *s, *se: x^2 = s + se. */
FA_INLINE double fa_p64_gelu_tanh_parts(double xc, double *vh, double *s, double *se,
                                        double *el, uint64_t *kb, double *e1,
                                        double *dh, double *dl)
{
    double sqe, sq = fa__two_prod(xc, xc, &sqe);
    double pe, p = fa__two_prod(FA_P64_C3_HI, sq, &pe);
    pe = pe + (FA_P64_C3_HI * sqe + FA_P64_C3_LO * sq);
    double we, w = fa__two_sum(FA_P64_C1_HI, p, &we);
    we = we + (pe + FA_P64_C1_LO);
    double ve, v = fa__two_prod(w, xc, &ve);
    double vl = ve + we * xc;
    double nv = -__builtin_fabs(v);
    double nvl = FA_P64_SEL(v < 0.0, vl, -vl);
    nvl = FA_P64_SEL(nv > -800.0, nvl, 0.0);
    nv = FA_P64_SEL(nv > -800.0, nv, -800.0);
    double eh = fa_p64_exp(nv, nvl, el, kb);
    double e = (eh + *el) * fa_p64_pow2(*kb);
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
FA_INLINE double fa_gelu_tanh_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = FA_P64_SEL(ax < 30.0, x, 0.0);           /* NaN, |x| >= 30: 0 */
    double v, s, se, el, e, dh, dl;
    uint64_t kb;
    double eh = fa_p64_gelu_tanh_parts(xc, &v, &s, &se, &el, &kb, &e, &dh, &dl);
    double nl, n = fa_p64_mul2(xc, 0.0, eh, el, &nl);     /* x e / 2^k */
    n = FA_P64_SEL(v < 0.0, n, xc);
    nl = FA_P64_SEL(v < 0.0, nl, 0.0);
    double ql, q = fa_p64_div2(n, nl, dh, dl, &ql);
    double r = q + ql;
    double y = FA_P64_SEL(v < 0.0, fa__ldexp_big(r, kb), r);
    y = FA_P64_SEL(ax < 30.0, y, FA_P64_SEL(x > 0.0, x, -0.0));
    y = FA_P64_SEL(x == 0.0, x, y);                       /* keeps -0 */
    return FA_P64_SEL(x != x, x, y);
}

/* gelu_tanh' = s + x v' s (1 - s), s = sigmoid(v); with e = exp(-|v|),
 * D = 1 + e:
 * v >= 0: s = 1/D, 1 - s = e/D: f' = (D + x v' e)/D^2;
 * v < 0:  s = e/D, 1 - s = 1/D: f' = 2^k (eh + el) (D + x v')/D^2.
 * Left of the zero of f' the numerator D + x v' cancels, by ~3x at 0.3
 * from the zero, more closer in: it is a pair (v' = C1 + 3 C3 x^2 and
 * x v' as pairs; relative error ~2^-60, from exp), which leaves only
 * |x - zero| < 0.05 to the polynomial. */
FA_INLINE double fa_gelu_tanh_grad_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = FA_P64_SEL(ax < 30.0, x, 0.0);
    double v, s, se, el, e, dh, dl;
    uint64_t kb;
    double eh = fa_p64_gelu_tanh_parts(xc, &v, &s, &se, &el, &kb, &e, &dh, &dl);
    double pe, p = fa__two_prod(FA_P64_3C3_HI, s, &pe);
    pe = pe + (FA_P64_3C3_HI * se + FA_P64_3C3_LO * s);
    double dve, dv = fa__two_sum(FA_P64_C1_HI, p, &dve);  /* v' */
    dve = dve + (pe + FA_P64_C1_LO);
    double xdl, xdv = fa_p64_mul2(xc, 0.0, dv, dve, &xdl);
    double nh = FA_P64_SEL(v < 0.0, xdv, xdv * e);          /* x v' (e) */
    double nl = FA_P64_SEL(v < 0.0, xdl, 0.0);
    double Nl, N = fa__two_sum(dh, nh, &Nl);
    Nl = Nl + (dl + nl);
    double ddl, dd = fa_p64_mul2(dh, dl, dh, dl, &ddl);     /* D^2 */
    double ql, q = fa_p64_div2(N, Nl, dd, ddl, &ql);
    double sh = FA_P64_SEL(v < 0.0, eh, 1.0), sl = FA_P64_SEL(v < 0.0, el, 0.0);
    double fl, f = fa_p64_mul2(sh, sl, q, ql, &fl);
    uint64_t mneg = fa__lt64(v, 0.0);
    f = fa__ldexp_big(f + fl, (kb & mneg) | (FA__SHIFT_BITS & ~mneg));
    double d = xc - FA_P64_GELU_TANH_ROOT;
    double near = FA_P64_NEAR_ROOT(GELU_TANH, gelu_tanh, d);
    f = FA_P64_SEL(x > FA_P64_GELU_TANH_ROOT - FA_P64_GELU_TANH_WINDOW,
                   FA_P64_SEL(x < FA_P64_GELU_TANH_ROOT + FA_P64_GELU_TANH_WINDOW, near, f), f);
    f = FA_P64_SEL(ax < 30.0, f, FA_P64_SEL(x > 0.0, 1.0, -0.0));
    return FA_P64_SEL(x != x, x, f);
}

/* ---- mish ---------------------------------------------------------------- */

/* For xc in [-800, 800]: e = exp(-|x|) = 2^k (eh + *el) (k in *kb), and as
 * pairs of doubles (*sh, *sl) = e (exact scaling while e is normal; where
 * it is not, e only enters next to terms ~1);
 * x < 0 (e = e^x):   *A = e + 2, *B = e A + 2;
 * x >= 0 (f = e^-x): *P = 1 + 2f, *D = P + 2f^2; all as pairs. */
FA_INLINE double fa_p64_mish_parts(double xc, double *el, uint64_t *kb, double *sh, double *sl,
                                   double *Ah, double *Al, double *Bh, double *Bl,
                                   double *Ph, double *Pl, double *Dh, double *Dl)
{
    double eh = fa_p64_exp(-__builtin_fabs(xc), 0.0, el, kb);
    double sc = fa_p64_pow2(*kb);
    double f = eh * sc, fl = *el * sc;
    double ah = 2.0 + f;
    double al = ((2.0 - ah) + f) + fl;                    /* Fast2Sum: e <= 1 */
    double bl, b = fa_p64_mul2(f, fl, ah, al, &bl);
    double bh = 2.0 + b;
    bl = ((2.0 - bh) + b) + bl;                           /* Fast2Sum: e A <= 3 < 4 */
    double pl, ph = fa__two_sum(1.0, 2.0 * f, &pl);
    pl = pl + 2.0 * fl;
    double ffl, ff = fa_p64_mul2(f, fl, f, fl, &ffl);
    double dl, dh = fa__two_sum(ph, 2.0 * ff, &dl);
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
FA_INLINE double fa_mish_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = FA_P64_SEL(ax < 800.0, x, 0.0);
    double el, sh, sl, Ah, Al, Bh, Bl, Ph, Pl, Dh, Dl;
    uint64_t kb;
    double eh = fa_p64_mish_parts(xc, &el, &kb, &sh, &sl, &Ah, &Al, &Bh, &Bl, &Ph, &Pl, &Dh, &Dl);
    double Rl, R = fa_p64_div2(Ah, Al, Bh, Bl, &Rl);
    double Ml, M = fa_p64_mul2(eh, el, R, Rl, &Ml);
    double Nl, N = fa_p64_mul2(xc, 0.0, M, Ml, &Nl);
    double neg = fa__ldexp_big(N + Nl, kb);
    double Tl, T = fa_p64_div2(Ph, Pl, Dh, Dl, &Tl);
    double Ul, U = fa_p64_mul2(xc, 0.0, T, Tl, &Ul);
    double pos = U + Ul;
    double y = FA_P64_SEL(x < 0.0, neg, pos);
    y = FA_P64_SEL(ax < 800.0, y, FA_P64_SEL(x > 0.0, x, -0.0));
    y = FA_P64_SEL(x == 0.0, x, y);
    return FA_P64_SEL(x != x, x, y);
}

/* mish' = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x)):
 * x < 0 (e = e^x):   2^k (eh + el) w / B^2, w = 4(x+1) + e(4x+6) + e^2(4+e)
 *                    (B = e^2 + 2e + 2 as above), w and the quotient as pairs;
 * x >= 0 (f = e^-x): P/D + 4x f^2 (1 + f)/D^2, P/D as a pair;
 * near the zero of f' (x = -1.19, where w cancels): the polynomial. */
FA_INLINE double fa_mish_grad_f64(double x)
{
    double ax = __builtin_fabs(x);
    double xc = FA_P64_SEL(ax < 800.0, x, 0.0);
    double el, e, sl, Ah, Al, Bh, Bl, Ph, Pl, Dh, Dl;
    uint64_t kb;
    double eh = fa_p64_mish_parts(xc, &el, &kb, &e, &sl, &Ah, &Al, &Bh, &Bl, &Ph, &Pl, &Dh, &Dl);
    /* x < 0 */
    double c1l, c1 = fa__two_sum(xc, 1.0, &c1l);         /* x + 1 */
    double c2l, c2 = fa__two_sum(4.0 * xc, 6.0, &c2l);   /* 4x + 6 */
    double ebl, eb = fa_p64_mul2(e, sl, c2, c2l, &ebl);
    double wl, w = fa__two_sum(4.0 * c1, eb, &wl);
    double e4 = 4.0 + e;
    double e4l = ((4.0 - e4) + e) + sl;                      /* Fast2Sum: e <= 1 */
    double eel, ee = fa_p64_mul2(e, sl, e, sl, &eel);
    double w3l, w3 = fa_p64_mul2(ee, eel, e4, e4l, &w3l);   /* e^2 (4 + e) */
    double wl2, w2 = fa__two_sum(w, w3, &wl2);
    wl = (wl + wl2) + ((4.0 * c1l + ebl) + w3l);
    double bbl, bb = fa_p64_mul2(Bh, Bl, Bh, Bl, &bbl);
    double ql, q = fa_p64_div2(w2, wl, bb, bbl, &ql);
    double nl, n = fa_p64_mul2(eh, el, q, ql, &nl);
    double neg = fa__ldexp_big(n + nl, kb);
    /* x >= 0 */
    double Tl, T = fa_p64_div2(Ph, Pl, Dh, Dl, &Tl);
    double rD = 1.0 / Dh;
    double sec = (4.0 * xc) * (e * e) * (1.0 + e) * (rD * rD);
    double pos = T + (Tl + sec);
    double y = FA_P64_SEL(x < 0.0, neg, pos);
    double dr = xc - FA_P64_MISH_ROOT;
    double near = FA_P64_NEAR_ROOT(MISH, mish, dr);
    y = FA_P64_SEL(x > FA_P64_MISH_ROOT - FA_P64_MISH_WINDOW,
                   FA_P64_SEL(x < FA_P64_MISH_ROOT + FA_P64_MISH_WINDOW, near, y), y);
    y = FA_P64_SEL(ax < 800.0, y, FA_P64_SEL(x > 0.0, 1.0, -0.0));
    return FA_P64_SEL(x != x, x, y);
}

#endif /* FA_PRECISE64_H */
