/* float64 forms of the element formulas whose body differs by dtype (the
 * float32 forms: formulas_f32.h).  Why: nothing wider than double hides its
 * roundings, so these carry pairs (fa_precise64.h) to round about once.
 *
 * activations.h includes this in its float64 block (T = double, F(name) ->
 * fa_act_name_f64; conventions: formulas.h), before formulas.h, which calls
 * celu_q, squareplus_root, glu_gate and sparse_sigmoid.
 */

/* z = b * x rounded, and in *err the exact rounding error b * x - z.
 * Formulas that take exp of a product need it: a product rounded to double
 * moves exp(z) by |z| 2^-53 relative, ~450 ULP at |z| = 700; multiplying
 * exp(z) by (1 + err) restores it.  Dekker's two-product with Veltkamp's
 * split (T. J. Dekker, "A floating-point technique for extending the
 * available precision", 1971) needs no FMA.  b = 0 gives z = 0, also for
 * infinite x. */
FA_INLINE W F(product)(W b, W x, W *err)
{
    W z = WSEL(b == 0, 0, b * x);          /* not 0 * inf = NaN */
    const W split = 134217729.0;                   /* 2^27 + 1 */
    W cb = split * b, bh = cb - (cb - b), bl = b - bh;
    W cx = split * x, xh = cx - (cx - x), xl = x - xh;
    W e = ((bh * xh - z) + bh * xl + bl * xh) + bl * xl;
    *err = WSEL((WABS(b) < 0x1p995) & (WABS(x) < 0x1p995), e, 0);
    return z;
}

/* log_sigmoid = min(x, 0) - log1p(e), e = exp(-|x|): e = 2^k (eh + el)
 * and log1p(e) = l + ll as pairs, summed with min(x, 0) by two-sum: one
 * rounding (exp, log1p and the sum rounded separately: 1.4 ULP); beyond
 * x = 700, -log1p(e) = -e with 2^k applied last (a subnormal result rounds
 * once).  +inf and underflowing results give -0. */
FA_INLINE T F(log_sigmoid)(T x)
{
    W xw = x;
    W nx = WSEL(-WABS(xw) > -800, -WABS(xw), -800), el;
    uint64_t kb;
    W eh = fa_exp_pair_f64(nx, 0, &el, &kb), sc = fa_pow2_pair_f64(kb);
    W ll, l = fa_log1p_unit2_pair_f64(eh * sc, el * sc, &ll);
    W se, s = fa_two_sum_f64(WSEL(xw < 0, xw, 0), -l, &se);
    W r = WSEL(xw > 700, -fa_ldexp_big_f64(eh + el, kb), s + (se - ll));    /* -0 past the range */
    return (T)WSEL(xw > -INFINITY, r, xw);           /* -inf and NaN */
}

/* tanh_shrink = x - tanh(x).  Near 0 the difference cancels (x^3/3 is
 * left), so below |x| = 1 this evaluates x^3 P(x^2 - 1/2), P the Taylor
 * series of (x - tanh x)/x^3 re-expanded about x^2 = 1/2 (22 terms,
 * fa_constants.h); from 1 on, (|x| - 1) + 2e/(1+e), e = exp(-2|x|): two
 * positive terms, |x| - 1 exact (<= 3 ULP, the float64 floor). */
FA_INLINE T F(tanh_shrink)(T x)
{
    W xw = x, a = WABS(xw);
    W as = WSEL(a < 1, a, 0), z = as * as;
    /* P = c0 + t R(t), R in two Horner halves (t^10 times the second):
     * two chains of ~10 (latency); the halves' extra rounding is damped
     * by t (|t| <= 1/2) next to c0 */
    const double *c = fa_tanh_shrink_centred;
    W t = z - 0.5, t2 = t * t, t10 = (t2 * t2) * ((t2 * t2) * t2);
    W r_low = fa_horner_f64(c + 1, 10, t);
    W r_high = fa_horner_f64(c + 11, FA_TANH_SHRINK_CENTRED_TERMS - 11, t);
    W small = (as * z) * FA_FMA_F64(FA_FMA_F64(r_high, t10, r_low), t, c[0]);
    W e = EXP(-2 * a);
    W big = WSEL(a < INFINITY, (a - 1) + 2 * e / (1 + e), a);
    W r = WSEL(a < 1, small, big);
    return (T)KEEP_NAN(xw, COPYSIGNW(r, xw));
}

/* atan' = 1/(1+x^2): 1 + x^2 as a pair (two-product, two-sum) and its
 * reciprocal rounded once (1.9 ULP before); from |x| = 2^480 on, 1/x^2
 * (fa_recip_sq2_pair_f64, scaled: x^2 would overflow from 2^512). */
FA_INLINE T F(arctan_grad)(T x)
{
    W xw = x;
    W a = WABS(xw), sl, sq = fa_two_prod_f64(a, a, &sl), dl, dh = fa_two_sum_f64(1, sq, &dl);
    W r = WSEL(a < 0x1p480, fa_recip2_pair_f64(dh, dl + sl), fa_recip_sq2_pair_f64(a, 0));
    return (T)KEEP_NAN(xw, r);
}

/* softsign' = 1/(1+|x|)^2: 1 + |x| as a pair (two-sum), its square and the
 * reciprocal rounded once (fa_recip_sq2_pair_f64), not four times (3.1 ULP). */
FA_INLINE T F(softsign_grad)(T x)
{
    W dl, dh = fa_two_sum_f64(1, WABS((W)x), &dl);
    return (T)KEEP_NAN(x, fa_recip_sq2_pair_f64(dh, dl));
}

/* q = x / alpha for celu, with its exact residual ql (Dekker's product):
 * expm1(q + ql) = expm1(q) + (1 + expm1(q)) ql.  alpha < 0 puts q on exp's
 * steep side, where q's rounding alone is hundreds of ULP. */
FA_INLINE W F(celu_q)(W x, W alpha, W *ql)
{
    W q = x / alpha;
    W pe, p = fa_two_prod_f64(q, alpha, &pe);
    W r = ((x - p) - pe) / alpha;
    *ql = WSEL(WABS(q) < 709, r, 0);     /* not inf - inf where exp overflows */
    return q;
}

/* softplus = max(x, 0) + log1p(exp(-|beta x|)) / beta, every step a pair,
 * rounded once at the end (exp, log1p, the division by beta and the sum
 * each rounded: 2.5 ULP).  e = exp(-|beta x|) = 2^k (eh + el), the
 * product's rounding error in the argument; log1p(e) = l + ll
 * (fa_log1p_unit2_pair_f64), or (eh + el) itself when e < 2^-1009 (log1p(e) =
 * e), whose 2^k is applied last so a subnormal result rounds once; the
 * quotient by beta corrected by its exact residual; max(x, 0) added by
 * two-sum.  threshold = +inf unless the user asked for PyTorch's linear
 * cut-over. */
FA_INLINE T F(softplus)(T x, T beta, T threshold)
{
    W xw = x, err, z = F(product)(beta, xw, &err);
    W nz = -WABS(z), nzl = WSEL(z < 0, err, -err), el;
    /* z < -700 (beta > 3.9e-306, normal): log1p(e^z) = e^z and the
     * result e^z / beta is exp(z - j ln2) / m with beta = m 2^j, m in
     * [1, 2): j ln2 exact as j LN2HI (42 bits) plus a small rounded
     * part, so exp takes z itself, not z clamped at -800 (which gave
     * e^-800 / beta for tiny beta); w < -800 gives 0 (below 2^-1075) */
    uint64_t bbits = fa_bits_f64((W)beta);
    W bm = fa_from_bits_f64((bbits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
    W bj = (W)((int64_t)((bbits >> 52) & 0x7ff) - 1023);
    W wl, wh = fa_two_sum_f64(z, -bj * FA_LN2HI_F64, &wl);
    wl += err - bj * FA_LN2LO_F64;
    int tail = z < -700, gone = tail & (wh < -800);
    nzl = WSEL(tail, WSEL(gone, 0, wl), WSEL(nz > -800, nzl, 0));
    nz = WSEL(tail, WSEL(gone, -800, wh), WSEL(nz > -800, nz, -800));  /* NaN: selected below */
    uint64_t kb;
    W eh = fa_exp_pair_f64(nz, nzl, &el, &kb), sc = fa_pow2_pair_f64(kb);
    W ll, l = fa_log1p_unit2_pair_f64(eh * sc, el * sc, &ll);
    W nh = WSEL(z < -700, eh, l), nl = WSEL(z < -700, el, ll);
    W div = WSEL(tail, bm, (W)beta);                 /* the tail divides by m */
    W q = nh / div, pe, p = fa_two_prod_f64(q, div, &pe);
    W ql = (((nh - p) - pe) + nl) * (1 / div);
    ql = WSEL((WABS(q) < 0x1p990) & (div < 0x1p990), ql, 0);   /* Dekker's split */
    W se, s = fa_two_sum_f64(WSEL(xw > 0, xw, 0), q, &se);
    se = WSEL(WABS(s) < INFINITY, se, 0);           /* ln2/beta overflows: tiny beta */
    W r = WSEL(tail, WSEL(gone, 0, fa_ldexp_big_f64(q + ql, kb)), s + (se + ql));
    r = WSEL(xw == INFINITY, xw, WSEL(xw == xw, r, xw));
    return (T)WSEL(z > threshold, xw, r);
}
/* f' = sigmoid(beta x) (1 past the threshold), through fa_sigmoid2_pair_f64
 * with the product's rounding error in the argument. */
FA_INLINE T F(softplus_grad)(T x, T beta, T threshold)
{
    W err, ql, z = F(product)(beta, x, &err);
    uint64_t kb;
    W q = fa_sigmoid2_pair_f64(z, err, &ql, &kb);
    W r = WSEL(z == z, fa_ldexp_big_f64(q + ql, kb), z);
    return (T)WSEL(z > threshold, 1, r);
}

/* silu = x sigmoid(z + err), z + err = beta x (F(product)), with exp,
 * 1 + e, the quotient and the product all carried as pairs and 2^k
 * applied last: one rounding, also where sigmoid is subnormal
 * (fa_mul_sigmoid_pair_f64; the plain double formula with a corrected quotient
 * left exp's own error: 2.1 ULP).  beta = 0 gives x / 2 everywhere,
 * infinities included (z = 0, not 0 * inf); at the infinity where s -> 0
 * the limit is +-0. */
FA_INLINE T F(silu)(T x, T beta)
{
    /* Conditions are compared where used, not kept in an int: an int mask
     * from a double compare does not vectorise on SSE2. */
    W xw = x, err, z = F(product)(beta, xw, &err);
    W y = fa_mul_sigmoid_pair_f64(xw, z, err);
    W limit = WSEL(z < 0, COPYSIGNW(0, xw), y);          /* x = +-inf */
    return (T)KEEP_NAN(x, WSEL(WABS(xw) == INFINITY, limit, y));
}
/* f' = s (1 + z (1 - s)) = N / (1 + e)^2, N = 1 + e (1 + z) (z >= 0) or
 * e n (z < 0), n = 1 + z + e^z, everything a pair (fa_logistic_parts_pair_f64:
 * e = 2^k (eh + el), 1 + e = dh + dl), err (the product's rounding) in
 * z + err, the 2^k of z < 0 applied last: one rounding (3.7 ULP as
 * doubles).  n vanishes at z0 = -1.2785: near it n = C + d + e^z0 expm1(d)
 * with d = z - z0 exact (Sterbenz), C = 1 + z0 + e^z0 a constant and
 * expm1 and e^z0 as pairs, so no term cancels (constants: fa_constants.h).
 * Below z = -1400 (e clamped there) f' is 0; infinite z gives the limit 0
 * or 1. */
FA_INLINE T F(silu_grad)(T x, T beta)
{
    W xw = x, err, z = F(product)(beta, xw, &err);
    W el, es, esl, dh, dl;
    uint64_t kb;
    W eh = fa_logistic_parts_pair_f64(z, err, &el, &kb, &es, &esl, &dh, &dl);
    W wl, wh = fa_two_sum_f64(1, z, &wl);               /* 1 + z */
    wl += err;
    W tl, th = fa_mul2_pair_f64(es, esl, WSEL(z < 800, wh, 0), wl, &tl);
    W Nl, Nh = fa_two_sum_f64(1, th, &Nl);               /* z >= 0 */
    Nl += tl;
    W nl, nh = fa_two_sum_f64(wh, es, &nl);              /* z < 0: 1 + z + e */
    nl += wl + esl;
    W d = z - FA_SILU_ROOT, near = WSEL(z > -2.5, WSEL(z < -0.65, 1, 0), 0);
    W ml, mh = fa_expm1_pair_f64(WSEL(near != 0, d, 0), &ml);
    ml += (1 + mh) * err;
    W cl, ch = fa_mul2_pair_f64(FA_SILU_EXP_ROOT, FA_SILU_EXP_ROOT_LO_F64, mh, ml, &cl);
    W rl, rh = fa_two_sum_f64(d, ch, &rl);
    rl += (cl + err) + FA_SILU_ROOT_RESIDUAL;
    nh = WSEL(near != 0, rh, nh);
    nl = WSEL(near != 0, rl, nl);
    W ml2, mh2 = fa_mul2_pair_f64(eh, el, WSEL(z > -1400, nh, 0), nl, &ml2);
    W ddl, dd = fa_mul2_pair_f64(dh, dl, dh, dl, &ddl), ql;
    W q = fa_div2_pair_f64(WSEL(z >= 0, Nh, mh2), WSEL(z >= 0, Nl, ml2), dd, ddl, &ql);
    uint64_t neg = fa_mask_lt_f64(z, 0.0);
    W r = fa_ldexp_big_f64(q + ql, (kb & neg) | (FA_SHIFT_BITS_F64 & ~neg));
    r = WSEL(z > -1400, r, 0);
    r = WSEL(WABS(z) == INFINITY, WSEL(z > 0, 1, 0), r);
    return (T)KEEP_NAN(x, r);
}

/* sqrt(x^2 + b) for squareplus, a = |x|, as r + *rl: x^2 + b as a
 * double-double (two-product, two-sum), its square root corrected by one
 * Newton step on the exact residual, so r + rl is good to ~2^-100 and the
 * squareplus formulas round about once.  Scaled where x^2 would overflow
 * or underflow: |x| > 2^500 gives |x| (b/x^2 < 2^-900); |x| < 2^-500
 * computes in units of 2^-600, or takes sqrt(b) when b >= 2^-200 dwarfs
 * x^2 (no low part needed in either). */
FA_INLINE W F(squareplus_root)(W a, W b, W *rl)
{
    W zl, zh = fa_two_prod_f64(a, a, &zl), se, sh = fa_two_sum_f64(zh, b, &se);
    W rh = __builtin_sqrt(sh), pl, ph = fa_two_prod_f64(rh, rh, &pl);
    W residual = (((sh - ph) - pl) + se) + zl;
    W normal = WSEL(a < 0x1p500, WSEL(a > 0x1p-500, 1, 0), 0);
    *rl = WSEL(normal != 0, WSEL(rh > 0, residual / (2 * rh), 0), 0);
    W scaled = __builtin_sqrt((a * 0x1p600) * (a * 0x1p600) + WSEL(b < 0x1p-200, b, 0) * 0x1p600 * 0x1p600) * 0x1p-600;
    W tiny = WSEL(b < 0x1p-200, scaled, __builtin_sqrt(b));
    return WSEL(a > 0x1p500, a, WSEL(a < 0x1p-500, tiny, rh));
}

/* sparse_plus (JAX): 0, (x + 1)^2/4, x; x + 1 = s + e exactly and s^2
 * exact (two-product): one rounding. */
FA_INLINE T F(sparse_plus)(T x)
{
    W xw = x, e, s = fa_two_sum_f64(xw, 1, &e);
    W ssl, ss = fa_two_prod_f64(s, s, &ssl);
    W mid = (ss + (ssl + 2 * s * e)) * 0.25;
    return (T)KEEP_NAN(xw, WSEL(xw <= -1, 0, WSEL(xw >= 1, xw, mid)));
}
/* sparse_sigmoid (JAX): 0, (x + 1)/2, 1, from x + 1 = s + e exactly:
 * one rounding. */
FA_INLINE T F(sparse_sigmoid)(T x)
{
    W xw = x, e, s = fa_two_sum_f64(xw, 1, &e);
    W mid = s * 0.5 + e * 0.5;
    return (T)KEEP_NAN(xw, WSEL(xw <= -1, 0, WSEL(xw >= 1, 1, mid)));
}

/* e = exp(-|b|) for glu (formulas.h).  Past |b| = 600 e is taken as
 * exp(-|b| + 512) and *scale = exp(-512) applied last, so a huge a times
 * a subnormal e still rounds once (both signs: the backward's
 * g a e/(1 + e)^2 is symmetric in b). */
FA_INLINE W F(glu_gate)(W a, W b, W *scale)
{
    W shift = WSEL(WABS(b) > 600, 512, 0);
    *scale = WSEL(shift != 0, FA_EXP_M512, 1);
    return EXP(-WABS(b) + shift);
}
