/* Element formulas of every activation, written once for both dtypes.
 *
 * activations.h includes this file twice: with T = float and with
 * T = double.  In it:
 *   T        the storage dtype of x and y;
 *   W        the working type of transcendental formulas (double for both:
 *            float32 results are one rounding of a double computation);
 *   F(name)  names the dtype variant: F(sigmoid) -> act_sigmoid_f32;
 *   SEL/WSEL branch-free selects on T / W values; EXP, EXPM1, LOG1P the
 *   math core at working precision (W); TANH_T, ATAN_T at T precision.
 *
 * For each kernel K (see fastact/catalog.py): F(K)(x, args) is f(x),
 * F(K_grad)(x, args) is f'(x) and F(K_grad_y)(y, args) is f' expressed
 * through the output y = f(x).  Each must be branch-free so the generated
 * loops vectorise, give NaN for NaN and the mathematical limit at +-inf.
 * Formulas follow PyTorch where it defines the function (DESIGN.md).
 * These are the generic forms: where an instruction set or dtype has a
 * specialised function, the variant table (fastact/_variants.py) names it
 * and the kernels call that instead.
 */

/* NaN in, NaN out, for formulas whose selects would otherwise drop it. */
#define KEEP_NAN(x, r) SEL((x) == (x), (r), (x))

/* z = b * x rounded, and in *err the exact rounding error b * x - z.
 * Formulas that take exp of a product need it: a product rounded to double
 * moves exp(z) by |z| 2^-53 relative, ~450 ULP at |z| = 700; multiplying
 * exp(z) by (1 + err) restores it.  Dekker's two-product with Veltkamp's
 * split (T. J. Dekker, "A floating-point technique for extending the
 * available precision", 1971) needs no FMA.  A float32 product is exact in
 * double, so float32 skips the work (err = 0).  b = 0 gives z = 0, also
 * for infinite x. */
FA_INLINE W F(product)(W b, W x, W *err)
{
    W z = WSEL(b == 0, 0, b * x);          /* not 0 * inf = NaN */
    *err = 0;
    if (sizeof(T) == sizeof(double)) {
        const W split = 134217729.0;                   /* 2^27 + 1 */
        W cb = split * b, bh = cb - (cb - b), bl = b - bh;
        W cx = split * x, xh = cx - (cx - x), xl = x - xh;
        W e = ((bh * xh - z) + bh * xl + bl * xh) + bl * xl;
        *err = WSEL((WABS(b) < 0x1p995) & (WABS(x) < 0x1p995), e, 0);
    }
    return z;
}

/* exp(-|b x|), accurate to the exp itself (see F(product)). */
FA_INLINE W F(exp_neg_abs_product)(W b, W x, W *z_out)
{
    W err, z = F(product)(b, x, &err), e = EXP(-WABS(z));
    *z_out = z;
    return e - e * WSEL(z < 0, -err, err);
}

/* log1p(e) for e in [0, 1] as e P(e) (fa_constants.h, relative error
 * ~1e-10): no division and no reduction, enough for a float32 result. */
FA_INLINE W F(log1p_unit)(W e)
{
    return e * fa__horner(fa_log1p_unit_poly, FA_LOG1P_UNIT_DEGREE + 1, e);
}

/* ---- logistic family ------------------------------------------------ */

/* sigmoid: every variant and dtype has its own (the variant table). */
/* s(1-s) = e/(1+e)^2 with e = exp(-|x|): no cancellation in either tail.
 * float64: as pairs, rounded once (fa_p64_sigmoid_grad; 3.8 ULP as here). */
FA_INLINE T F(sigmoid_grad)(T x)
{
    W e = EXP(-WABS((W)x)), d = 1 + e;
    return (T)(e / (d * d));
}
/* y (1 - y) (y = inf gives -inf, as the reference; y - y^2 as one FMA
 * would give inf - inf = NaN there). */
FA_INLINE T F(sigmoid_grad_y)(T y) { return y * ((T)1 - y); }

/* log_sigmoid = -(max(-x, 0) + log1p(exp(-|x|))): two terms of one sign;
 * below every result, so +inf and underflowing results give -0. */
FA_INLINE T F(log_sigmoid)(T x)
{
    W xw = x;
    if (sizeof(T) == sizeof(double)) {
        /* e = 2^k (eh + el) and log1p(e) = l + ll as pairs, summed with
         * min(x, 0) by two-sum: one rounding (exp, log1p and the sum
         * rounded separately: 1.4 ULP); beyond x = 700, -log1p(e) = -e
         * with 2^k applied last (a subnormal result rounds once). */
        W nx = WSEL(-WABS(xw) > -800, -WABS(xw), -800), el;
        uint64_t kb;
        W eh = fa_p64_exp(nx, 0, &el, &kb), sc = fa_p64_pow2(kb);
        W ll, l = fa_p64_log1p_unit2(eh * sc, el * sc, &ll);
        W se, s = fa__two_sum(WSEL(xw < 0, xw, 0), -l, &se);
        W r = WSEL(xw > 700, -fa__ldexp_big(eh + el, kb), s + (se - ll));    /* -0 past the range */
        return (T)WSEL(xw > -INFINITY, r, xw);           /* -inf and NaN */
    }
    W e = EXP(-WABS(xw));
    return (T)-(WSEL(xw < 0, -xw, 0) + F(log1p_unit)(e));   /* -0 where it underflows */
}
/* f' = sigmoid(-x), through e = exp(-|x|) and symmetry. */
FA_INLINE T F(log_sigmoid_grad)(T x)
{
    W xw = x, e = EXP(-WABS(xw)), d = 1 + e;
    return (T)WSEL(xw >= 0, e / d, 1 / d);
}
/* 1 - sigmoid(x) = 1 - exp(y) */
FA_INLINE T F(log_sigmoid_grad_y)(T y) { return (T)-EXPM1((W)y); }

/* (n + nl) / 6 for the hard functions' numerators, no division: 1/6 as
 * the pair SIXTH_HI + SIXTH_LO (fa_constants.h), the small terms summed
 * first, so the result rounds about once (with FMA).  n times 1/6 rounded
 * to T errs by up to 2.5 ULP in float32 hard_swish (exhaustive). */
FA_INLINE T F(sixth)(T n, T nl)
{
    const T hi = (T)FA_SIXTH_HI, lo = (T)((FA_SIXTH_HI - (double)hi) + FA_SIXTH_LO);
    return FMA(n, hi, FMA(n, lo, nl * hi));
}

/* x + 3 = s + *e exactly for |x| <= 3 (Fast2Sum: |3| >= |x|); the hard
 * functions use it only there. */
FA_INLINE T F(plus3)(T x, T *e)
{
    T s = x + 3;
    *e = x - (s - 3);
    return s;
}

/* hard_sigmoid = relu6(x + 3) / 6.  NaN fails both compares and keeps
 * its value through the sum. */
FA_INLINE T F(hard_sigmoid)(T x)
{
    T e, s = F(plus3)(x, &e);
    T upper = SEL(x >= 3, (T)1, F(sixth)(s, e));     /* one select a statement: see hard_tanh */
    return SEL(x <= -3, (T)0, upper);
}
FA_INLINE T F(hard_sigmoid_grad)(T x)
{
    return KEEP_NAN(x, SEL((x > -3) & (x < 3), (T)(1.0 / 6.0), (T)0));
}

/* tanh' = 1 - tanh^2 = 4e/(1+e)^2 with e = exp(-2|x|): no cancellation
 * when |tanh| is close to 1.  float64: 4 sigmoid'(2x) as pairs, rounded
 * once (fa_p64_tanh_grad; 3.5 ULP as here). */
FA_INLINE T F(tanh)(T x) { return TANH_T(x); }
FA_INLINE T F(tanh_grad)(T x)
{
    W e = EXP(-2 * WABS((W)x)), d = 1 + e;
    return (T)(4 * e / (d * d));
}
/* 1 - y^2 as (1 - y)(1 + y); the FMA variants round it once. */
FA_INLINE T F(tanh_grad_y)(T y) { return ((T)1 - y) * ((T)1 + y); }
FA_INLINE T F(tanh_grad_y_fma)(T y) { return FMA(-y, y, (T)1); }

/* hard_tanh = clip(x, min_val, max_val); f' = 1 strictly inside. */
FA_INLINE T F(hard_tanh)(T x, T lo, T hi)
{
    /* NaN fails both compares and comes out as itself.  (One select per
     * statement: GCC vectorises this shape to two compares and two
     * blends; the nested form costs three more instructions.) */
    T upper = SEL(x > hi, hi, x);
    return SEL(x < lo, lo, upper);
}
FA_INLINE T F(hard_tanh_grad)(T x, T lo, T hi)
{
    return KEEP_NAN(x, SEL((x > lo) & (x < hi), (T)1, (T)0));
}
/* The clip bounds are the saturated outputs, so the same test on y. */
FA_INLINE T F(hard_tanh_grad_y)(T y, T lo, T hi) { return F(hard_tanh_grad)(y, lo, hi); }

/* tanh_shrink = x - tanh(x).  Near 0 the difference cancels (x^3/3 is
 * left), so below |x| = 1 float64 evaluates x^3 P(x^2 - 1/2), P the
 * Taylor series of (x - tanh x)/x^3 re-expanded about x^2 = 1/2 (22 terms,
 * fa_constants.h); from 1 on, (|x| - 1) + 2e/(1+e), e = exp(-2|x|): two
 * positive terms (<= 3 ULP, the float64 floor).  float32 (in double):
 * 7 Taylor terms below 0.2 (each term 60x smaller than the last), else
 * |x| - tanh|x| with tanh from the lite expm1 (relative error ~2^-33; the
 * cancellation multiplies it by at most 3/x^2 = 75). */
FA_INLINE T F(tanh_shrink)(T x)
{
    W xw = x, a = WABS(xw), r;
    if (sizeof(T) == sizeof(double)) {
        /* plain double: x^3 P(x^2 - 1/2) below 1, (a - 1) + 2e/(1 + e)
         * from 1 on (a - 1 exact, both terms positive) */
        W as = WSEL(a < 1, a, 0), z = as * as;
        /* P = c0 + t R(t), R in two Horner halves (t^10 times the
         * second): two chains of ~10 (latency); the halves' extra
         * rounding is damped by t (|t| <= 1/2) next to c0 */
        const double *c = fa_tanh_shrink_centred;
        W t = z - 0.5, t2 = t * t, t10 = (t2 * t2) * ((t2 * t2) * t2);
        W r_low = fa__horner(c + 1, 10, t);
        W r_high = fa__horner(c + 11, FA_TANH_SHRINK_CENTRED_TERMS - 11, t);
        W small = (as * z) * FA__FMA(FA__FMA(r_high, t10, r_low), t, c[0]);
        W e = EXP(-2 * a);
        W big = WSEL(a < INFINITY, (a - 1) + 2 * e / (1 + e), a);
        r = WSEL(a < 1, small, big);
    } else {
        W z = a * a, series = (a * z) * fa__horner(fa_tanh_shrink_series, 7, z);
        W em = EXPM1(-2 * a);                       /* tanh a = -em / (2 + em) */
        r = WSEL(a < 0.2, series, a + em / (2 + em));
    }
    return (T)KEEP_NAN(xw, COPYSIGNW(r, xw));
}
/* f' = tanh(x)^2: float64 squares tanh as a pair (fa_p64_tanh_sq; 2.8
 * ULP from a rounded tanh), float32 tanh from the lite expm1. */
FA_INLINE T F(tanh_shrink_grad)(T x)
{
    W em = EXPM1(-2 * WABS((W)x)), t = em / (2 + em);
    return (T)(t * t);
}

/* atan' = 1/(1+x^2); float32 squares in double, so no overflow.
 * float64: 1 + x^2 as a pair (two-product, two-sum) and its reciprocal
 * rounded once (1.9 ULP before); from |x| = 2^480 on, 1/x^2
 * (fa_p64_recip_sq2, scaled: x^2 would overflow from 2^512). */
FA_INLINE T F(arctan)(T x) { return ATAN_T(x); }
FA_INLINE T F(arctan_grad)(T x)
{
    W xw = x;
    if (sizeof(T) == sizeof(double)) {
        W a = WABS(xw), sl, sq = fa__two_prod(a, a, &sl), dl, dh = fa__two_sum(1, sq, &dl);
        W r = WSEL(a < 0x1p480, fa_p64_recip2(dh, dl + sl), fa_p64_recip_sq2(a, 0));
        return (T)KEEP_NAN(xw, r);
    }
    return (T)(1 / (1 + xw * xw));
}

/* softsign: x/(1+|x|) in T's own lanes, with the limit +-1 at +-inf
 * (inf/inf is NaN): two roundings, <= 1.5 ULP (1.499 over all floats). */
FA_INLINE T F(softsign)(T x)
{
    T a = ABS(x);
    return SEL(a == (T)INFINITY, COPYSIGN((T)1, x), x / (1 + a));
}
FA_INLINE T F(softsign_grad)(T x)
{
    W d = 1 + WABS((W)x);
    if (sizeof(T) == sizeof(double)) {
        /* 1 + |x| as a pair (two-sum), its square and the reciprocal
         * rounded once (fa_p64_recip_sq2), not four times (3.1 ULP) */
        W dl, dh = fa__two_sum(1, WABS((W)x), &dl);
        return (T)KEEP_NAN(x, fa_p64_recip_sq2(dh, dl));
    }
    return (T)(1 / (d * d));
}
FA_INLINE T F(softsign_grad_y)(T y)
{
    T d = 1 - ABS(y);
    return d * d;
}

/* ---- ReLU family ---------------------------------------------------- */

/* Keras relu: min(x, max_value) above the threshold, negative_slope *
 * (x - threshold) at or below it.  max_value = +inf when not given. */
FA_INLINE T F(relu)(T x, T slope, T max_value, T threshold)
{
    /* NaN fails both compares and comes out as itself; slope (x -
     * threshold) rounds twice (x - threshold is exact at threshold 0);
     * + 0 turns -0 into +0; slope 0 gives 0, not 0 * -inf. */
    T lin = SEL(x > max_value, max_value, x);
    T neg = SEL(slope == 0, (T)0, slope * (x - threshold)) + (T)0;
    return SEL(x <= threshold, neg, lin);
}
/* Without saturation (max_value = +inf), f'(+inf) is 1. */
FA_INLINE T F(relu_grad)(T x, T slope, T max_value, T threshold)
{
    T lin = SEL((x < max_value) | (max_value == (T)INFINITY), (T)1, (T)0);
    return KEEP_NAN(x, SEL(x > threshold, lin, slope));
}
/* Valid when slope >= 0, threshold >= 0, max_value > 0 (catalog): then
 * y > 0 exactly on the linear branch. */
FA_INLINE T F(relu_grad_y)(T y, T slope, T max_value, T threshold)
{
    (void)threshold;
    T lin = SEL((y < max_value) | (max_value == (T)INFINITY), (T)1, (T)0);
    return KEEP_NAN(y, SEL(y > 0, lin, slope));
}
/* The same with the defaults (slope 0, no max_value), which the variant
 * table picks for them: half the operations (GCC does not take the
 * parameters' tests out of the loop). */
FA_INLINE T F(relu_grad_y_plain)(T y)
{
    return KEEP_NAN(y, SEL(y > 0, (T)1, (T)0));
}

/* relu6(-0) = +0: the +0 turns -0 into +0 and keeps NaN. */
FA_INLINE T F(relu6)(T x)
{
    T upper = SEL(x > 6, (T)6, x);          /* NaN: x (see hard_tanh) */
    return SEL(x <= 0, (T)0, upper);
}
FA_INLINE T F(relu6_grad)(T x)
{
    return KEEP_NAN(x, SEL((x > 0) & (x < 6), (T)1, (T)0));
}
FA_INLINE T F(relu6_grad_y)(T y) { return F(relu6_grad)(y); }

/* leaky_relu(-0) = -0 (x * slope), as PyTorch. */
FA_INLINE T F(leaky_relu)(T x, T slope)
{
    return SEL(x <= 0, SEL(slope == 0, (T)0, slope * x), x);    /* NaN: x */
}
FA_INLINE T F(leaky_relu_grad)(T x, T slope)
{
    return KEEP_NAN(x, SEL(x > 0, (T)1, slope));
}
FA_INLINE T F(leaky_relu_grad_y)(T y, T slope) { return F(leaky_relu_grad)(y, slope); }

/* prelu: leaky_relu with the slope an array operand (weight). */
FA_INLINE T F(prelu)(T x, T weight) { return F(leaky_relu)(x, weight); }
FA_INLINE T F(prelu_grad)(T x, T weight) { return F(leaky_relu_grad)(x, weight); }
/* d/dweight = x on the negative side, 0 above. */
FA_INLINE T F(prelu_grad_weight)(T x, T weight)
{
    (void)weight;
    return KEEP_NAN(x, SEL(x > 0, (T)0, x));
}

/* threshold (PyTorch): x <= threshold ? value : x, so NaN stays NaN. */
FA_INLINE T F(threshold)(T x, T threshold, T value)
{
    return SEL(x <= threshold, value, x);
}
FA_INLINE T F(threshold_grad)(T x, T threshold, T value)
{
    (void)value;
    return KEEP_NAN(x, SEL(x > threshold, (T)1, (T)0));
}

/* ---- exponential linear units --------------------------------------- */

/* The negative branch through expm1 keeps relative accuracy near 0. */
FA_INLINE T F(elu)(T x, T alpha)
{
    W xw = x;
    return (T)WSEL(xw > 0, xw, (W)alpha * EXPM1(xw));
}
FA_INLINE T F(elu_grad)(T x, T alpha)
{
    W xw = x;
    return (T)KEEP_NAN(x, WSEL(xw > 0, 1, (W)alpha * EXP(xw)));
}
/* y = alpha (e^x - 1) below 0, so f' = alpha e^x = y + alpha. */
FA_INLINE T F(elu_grad_y)(T y, T alpha)
{
    return SEL(y > 0, (T)1, y + alpha);          /* NaN: y + alpha */
}

/* SELU constants from Klambauer et al. 2017, "Self-Normalizing Neural
 * Networks", as PyTorch spells them (fa_constants.h).  Their product scale *
 * alpha is a double plus the double nearest the remainder: f'(y) = y + scale
 * alpha cancels when y saturates, and then the low part is the answer. */
FA_INLINE T F(selu)(T x)
{
    W xw = x;
    return (T)WSEL(xw > 0, FA_SELU_SCALE * xw, FA_SELU_SA * EXPM1(xw));
}
FA_INLINE T F(selu_grad)(T x)
{
    W xw = x;
    return (T)KEEP_NAN(x, WSEL(xw > 0, FA_SELU_SCALE, FA_SELU_SA * EXP(xw)));
}
FA_INLINE T F(selu_grad_y)(T y)
{
    /* scale alpha as a pair in T: (y + hi) is exact where y saturates */
    const T sa_hi = (T)FA_SELU_SA, sa_lo = (T)(FA_SELU_SA - (double)sa_hi + FA_SELU_SA_LO);
    return SEL(y > 0, (T)FA_SELU_SCALE, (y + sa_hi) + sa_lo);    /* NaN: y + ... */
}

/* celu = alpha expm1(x / alpha) below 0.  float64: q = x / alpha with its
 * exact residual ql (Dekker's product), expm1(q + ql) = expm1(q) +
 * (1 + expm1(q)) ql: alpha < 0 puts q on exp's steep side, where q's
 * rounding alone is hundreds of ULP; for |q| < 1e-10, x (1 + q/2) (x /
 * alpha may be subnormal or 0 there).  float32: x / alpha in double is
 * accurate enough. */
FA_INLINE W F(celu_q)(W x, W alpha, W *ql)
{
    W q = x / alpha;
    *ql = 0;
    if (sizeof(T) == sizeof(double)) {
        W pe, p = fa__two_prod(q, alpha, &pe);
        W r = ((x - p) - pe) / alpha;
        *ql = WSEL(WABS(q) < 709, r, 0);     /* not inf - inf where exp overflows */
    }
    return q;
}
FA_INLINE T F(celu)(T x, T alpha)
{
    W xw = x, ql, q = F(celu_q)(xw, alpha, &ql), em = EXPM1(q);
    em = WSEL(ql == 0, em, em + (em + 1) * ql);          /* ql = 0 keeps -0 */
    W neg = WSEL(WABS(q) < 1e-10, xw * (1 + 0.5 * q), (W)alpha * em);   /* -0 stays -0 */
    return (T)WSEL(xw > 0, xw, neg);
}
FA_INLINE T F(celu_grad)(T x, T alpha)
{
    W xw = x, ql, q = F(celu_q)(xw, alpha, &ql), e = EXP(q);
    return (T)KEEP_NAN(xw, WSEL(xw > 0, 1, WSEL(ql == 0, e, e + e * ql)));
}
/* exp(x / alpha) = y / alpha + 1 = (y + alpha) / alpha: the sum is exact
 * near y = -alpha (Sterbenz), where y / alpha + 1 would cancel; in T's own
 * lanes, two roundings. */
FA_INLINE T F(celu_grad_y)(T y, T alpha)
{
    return KEEP_NAN(y, SEL(y > 0, (T)1, (y + alpha) / alpha));
}

/* ---- smooth rectifiers ---------------------------------------------- */

/* softplus = max(x, 0) + log1p(exp(-|beta x|)) / beta: exp never
 * overflows and max(x, 0) is exact, so large |x| keep full accuracy.
 * threshold = +inf unless the user asked for PyTorch's linear cut-over. */
FA_INLINE T F(softplus)(T x, T beta, T threshold)
{
    W xw = x, r, z;
    if (sizeof(T) == sizeof(double)) {
        /* float64: every step a pair, rounded once at the end (exp, log1p,
         * the division by beta and the sum each rounded: 2.5 ULP).
         * e = exp(-|beta x|) = 2^k (eh + el), the product's rounding error
         * in the argument; log1p(e) = l + ll (fa_p64_log1p_unit2), or
         * (eh + el) itself when e < 2^-1009 (log1p(e) = e), whose 2^k is
         * applied last so a subnormal result rounds once; the quotient by
         * beta corrected by its exact residual; max(x, 0) added by
         * two-sum. */
        W err;
        z = F(product)(beta, xw, &err);
        W nz = -WABS(z), nzl = WSEL(z < 0, err, -err), el;
        /* z < -700 (beta > 3.9e-306, normal): log1p(e^z) = e^z and the
         * result e^z / beta is exp(z - j ln2) / m with beta = m 2^j, m in
         * [1, 2): j ln2 exact as j LN2HI (42 bits) plus a small rounded
         * part, so exp takes z itself, not z clamped at -800 (which gave
         * e^-800 / beta for tiny beta); w < -800 gives 0 (below 2^-1075) */
        uint64_t bbits = fa__u64((W)beta);
        W bm = fa__d64((bbits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
        W bj = (W)((int64_t)((bbits >> 52) & 0x7ff) - 1023);
        W wl, wh = fa__two_sum(z, -bj * FA__LN2HI, &wl);
        wl += err - bj * FA__LN2LO;
        int tail = z < -700, gone = tail & (wh < -800);
        nzl = WSEL(tail, WSEL(gone, 0, wl), WSEL(nz > -800, nzl, 0));
        nz = WSEL(tail, WSEL(gone, -800, wh), WSEL(nz > -800, nz, -800));  /* NaN: selected below */
        uint64_t kb;
        W eh = fa_p64_exp(nz, nzl, &el, &kb), sc = fa_p64_pow2(kb);
        W ll, l = fa_p64_log1p_unit2(eh * sc, el * sc, &ll);
        W nh = WSEL(z < -700, eh, l), nl = WSEL(z < -700, el, ll);
        W div = WSEL(tail, bm, (W)beta);                 /* the tail divides by m */
        W q = nh / div, pe, p = fa__two_prod(q, div, &pe);
        W ql = (((nh - p) - pe) + nl) * (1 / div);
        ql = WSEL((WABS(q) < 0x1p990) & (div < 0x1p990), ql, 0);   /* Dekker's split */
        W se, s = fa__two_sum(WSEL(xw > 0, xw, 0), q, &se);
        se = WSEL(WABS(s) < INFINITY, se, 0);           /* ln2/beta overflows: tiny beta */
        r = WSEL(tail, WSEL(gone, 0, fa__ldexp_big(q + ql, kb)), s + (se + ql));
        r = WSEL(xw == INFINITY, xw, WSEL(xw == xw, r, xw));
    } else {
        W e = F(exp_neg_abs_product)(beta, xw, &z);
        /* float32: multiply by 1/beta (hoisted out of the loop; one more
         * rounding of a double is invisible in a float result) */
        W tail = F(log1p_unit)(e) * (1 / (W)beta);
        r = WSEL(xw > 0, xw, 0) + tail;
    }
    return (T)WSEL(z > threshold, xw, r);
}
/* f' = sigmoid(beta x) (1 past the threshold); float64 through
 * fa_p64_sigmoid2 with the product's rounding error in the argument. */
FA_INLINE T F(softplus_grad)(T x, T beta, T threshold)
{
    W z, r;
    if (sizeof(T) == sizeof(double)) {
        W err, ql;
        uint64_t kb;
        z = F(product)(beta, x, &err);
        W q = fa_p64_sigmoid2(z, err, &ql, &kb);
        r = WSEL(z == z, fa__ldexp_big(q + ql, kb), z);
    } else {
        W e = F(exp_neg_abs_product)(beta, x, &z), d = 1 / (1 + e);
        r = WSEL(z >= 0, d, e * d);
    }
    return (T)WSEL(z > threshold, 1, r);
}
/* sigmoid(beta x) = 1 - exp(-beta y) since y = log1p(exp(beta x))/beta. */
FA_INLINE T F(softplus_grad_y)(T y, T beta, T threshold)
{
    W z = (W)beta * (W)y;
    return (T)WSEL(z > threshold, 1, -EXPM1(-z));
}

/* silu = x * sigmoid(beta x), from e = exp(-|beta x|) and symmetry.  In
 * the far left tail (beta x < -600) x e would go through a subnormal e:
 * there e is computed as exp(-|z| + 512) (an exact shift for |z| in
 * [512, 1024)) and the product scaled by exp(-512) last, so the result is
 * rounded once.  beta = 0 gives x / 2 everywhere, infinities included
 * (z = 0, not 0 * inf); at the infinity where s -> 0 the limit is +-0. */
FA_INLINE T F(silu)(T x, T beta)
{
    /* Conditions are compared where used, not kept in an int: an int mask
     * from a double compare does not vectorise on SSE2. */
    W xw = x, err, z = F(product)(beta, xw, &err), y;
    if (sizeof(T) == sizeof(double)) {
        /* x sigmoid(z + err) with exp, 1 + e, the quotient and the
         * product all carried as pairs and 2^k applied last: one rounding
         * (fa_p64_mul_sigmoid; the plain double formula with a corrected
         * quotient left exp's own error: 2.1 ULP). */
        y = fa_p64_mul_sigmoid(xw, z, err);
    } else {            /* float32: no tail to rescue, the product is exact */
        W e = EXP(-WABS(z)), r = 1 / (1 + e);
        y = WSEL(z >= 0, xw, xw * e) * r;
    }
    W limit = WSEL(z < 0, COPYSIGNW(0, xw), y);          /* x = +-inf */
    return (T)KEEP_NAN(x, WSEL(WABS(xw) == INFINITY, limit, y));
}
/* f' = s + beta x s (1 - s) = s (1 + z (1 - s)).  For z >= 0 that sum has
 * no cancellation (1 - s = e r).  For z < 0, 1 + z r = N r with
 * N = 1 + z + e^z, which vanishes at z0 = -1.2785.  Near z0 (float64 only:
 * float32 is computed in double and does not need it) N is expanded around
 * the root, N = C + d + e^z0 expm1(d) with d = z - z0 exact (Sterbenz) and
 * C = 1 + z0 + e^z0 a constant: no term cancels, so f' keeps its relative
 * accuracy through the root.  Constants: fa_constants.h. */
FA_INLINE T F(silu_grad)(T x, T beta)
{
    W xw = x, err, z = F(product)(beta, xw, &err);
    if (sizeof(T) == sizeof(double)) {
        /* f' = N / (1 + e)^2, N = 1 + e (1 + z) (z >= 0) or e n (z < 0),
         * everything a pair (fa_p64_logistic_parts: e = 2^k (eh + el),
         * 1 + e = dh + dl), err (the product's rounding) in z + err, the
         * 2^k of z < 0 applied last: one rounding (3.7 ULP as doubles).
         * Near the root, n = C + d + e^z0 expm1(d) with expm1 and e^z0 as
         * pairs.  Below z = -1400 (e clamped there) f' is 0; infinite z
         * gives the limit 0 or 1. */
        W el, es, esl, dh, dl;
        uint64_t kb;
        W eh = fa_p64_logistic_parts(z, err, &el, &kb, &es, &esl, &dh, &dl);
        W wl, wh = fa__two_sum(1, z, &wl);               /* 1 + z */
        wl += err;
        W tl, th = fa_p64_mul2(es, esl, WSEL(z < 800, wh, 0), wl, &tl);
        W Nl, Nh = fa__two_sum(1, th, &Nl);               /* z >= 0 */
        Nl += tl;
        W nl, nh = fa__two_sum(wh, es, &nl);              /* z < 0: 1 + z + e */
        nl += wl + esl;
        W d = z - FA_SILU_ROOT, near = WSEL(z > -2.5, WSEL(z < -0.65, 1, 0), 0);
        W ml, mh = fa__expm1_pair_f64(WSEL(near != 0, d, 0), &ml);
        ml += (1 + mh) * err;
        W cl, ch = fa_p64_mul2(FA_SILU_EXP_ROOT, FA_P64_SILU_EXP_ROOT_LO, mh, ml, &cl);
        W rl, rh = fa__two_sum(d, ch, &rl);
        rl += (cl + err) + FA_SILU_ROOT_RESIDUAL;
        nh = WSEL(near != 0, rh, nh);
        nl = WSEL(near != 0, rl, nl);
        W ml2, mh2 = fa_p64_mul2(eh, el, WSEL(z > -1400, nh, 0), nl, &ml2);
        W ddl, dd = fa_p64_mul2(dh, dl, dh, dl, &ddl), ql;
        W q = fa_p64_div2(WSEL(z >= 0, Nh, mh2), WSEL(z >= 0, Nl, ml2), dd, ddl, &ql);
        uint64_t neg = fa__lt64(z, 0.0);
        W r = fa__ldexp_big(q + ql, (kb & neg) | (FA__SHIFT_BITS & ~neg));
        r = WSEL(z > -1400, r, 0);
        r = WSEL(WABS(z) == INFINITY, WSEL(z > 0, 1, 0), r);
        return (T)KEEP_NAN(x, r);
    }
    /* float32: near the root n = 1 + z + e cancels to ~1e-6, so e takes
     * the full double exp (the lite core's ~2^-33 gave 11.5 ULP there) */
    W e = fa_exp_f64(-WABS(z)), r;
    e = e - e * WSEL(z < 0, -err, err);
    r = 1 / (1 + e);
    W s = WSEL(z >= 0, r, e * r);
    W n = ((1 + z) + err) + e;
    W g = WSEL(z >= 0, s * (1 + z * (e * r)), s * (n * r));
    return (T)KEEP_NAN(x, WSEL(WABS(z) == INFINITY, s, g));   /* limit s: 0 or 1 */
}

/* ---- GELU, mish, hard_swish ----------------------------------------- */

/* gelu = x Phi(x) = x erfc(-x/sqrt2)/2: for x < 0 through erfc (never
 * 1 + erf, which cancels in the left tail), for x >= 0 as x - x erfc/2.
 * float64 needs more care than this double evaluation (the rounding of
 * x/sqrt2 moves erfc in the tail): fa_precise64.h, by the variant table. */
FA_INLINE T F(gelu)(T x)
{
    W xw = x, a = WABS(xw), half = 0.5 * fa_erfc_f64(a * FA_RSQRT2);
    W r = WSEL(xw >= 0, xw * (1 - half), -(a * half));      /* -0 stays -0 */
    return (T)WSEL(a == INFINITY, WSEL(xw > 0, xw, -0.0), r);
}
/* f' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2)/sqrt(2 pi). */
FA_INLINE T F(gelu_grad)(T x)
{
    /* float32 baseline: the full double exp, as the lite one's 2^-33 would
     * show near the zero of f' */
    W xw = x, a = WABS(xw), half = 0.5 * fa_erfc_f64(a * FA_RSQRT2);
    W pdf = fa_exp_f64(-0.5 * (xw * xw)) * FA_RSQRT2PI;
    W r = WSEL(xw >= 0, (1 - half) + a * pdf, half - a * pdf);
    return (T)KEEP_NAN(xw, WSEL(a == INFINITY, WSEL(xw > 0, 1, -0.0), r));
}

/* gelu tanh approximation: x (1 + tanh(u))/2 = x sigmoid(v), v = 2u =
 * x (C1 + C3 x^2): no 1 + tanh cancellation; e = exp(-|v|). */
FA_INLINE T F(gelu_tanh)(T x)
{
    W xw = x, v = xw * (FA_GELU_TANH_C1 + FA_GELU_TANH_C3 * (xw * xw));
    W e = EXP(-WABS(v)), r = WSEL(v >= 0, xw, xw * e) / (1 + e);
    return (T)WSEL(v < -1e4, -0.0, r);                 /* x -> -inf: -0 */
}
/* f' = s + x v' s (1 - s), s = sigmoid(v), v' = C1 + 3 C3 x^2. */
FA_INLINE T F(gelu_tanh_grad)(T x)
{
    /* one division: r = 1/(1 + e) */
    W xw = x, z = xw * xw, v = xw * (FA_GELU_TANH_C1 + FA_GELU_TANH_C3 * z);
    W dv = FA_GELU_TANH_C1 + 3 * FA_GELU_TANH_C3 * z, xdv = xw * dv;
    W e = EXP(-WABS(v)), rd = 1 / (1 + e);
    W pos = (1 + WSEL(e == 0, 0, (xdv * e) * rd)) * rd;
    W neg = (e * rd) * (1 + xdv * rd);
    W r = WSEL(v >= 0, pos, neg);
    return (T)KEEP_NAN(xw, WSEL(v < -1e4, -0.0, r));
}

/* mish = x tanh(softplus(x)) = x n/(n + 2), n = e^x (e^x + 2).
 * x < 0 (e = e^x <= 1): x e (e + 2)/(n + 2); x >= 0 (f = e^-x <= 1):
 * x (1 + 2f)/(1 + 2f + 2f^2).  Both from one exp(-|x|), which never
 * overflows; nothing cancels. */
FA_INLINE T F(mish)(T x)
{
    W xw = x, e = EXP(-WABS(xw)), f = e;        /* e^x below 0, e^-x above */
    W neg = xw * e * ((e + 2) / (e * (e + 2) + 2));
    W p = 1 + 2 * f, pos = xw * (p / (p + 2 * f * f));
    W r = WSEL(xw >= 0, pos, neg);
    return (T)WSEL(xw == -INFINITY, -0.0, r);
}
/* f' = t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x)):
 * x < 0: e w/d^2, w = 4(x+1) + e(4x+6) + e^2 (4 + e), d = e^2 + 2e + 2;
 * x >= 0: (1 + 2f)/D + 4x f^2 (1 + f)/D^2, D = 1 + 2f + 2f^2. */
FA_INLINE T F(mish_grad)(T x)
{
    /* float32 (float64: fa_mish_grad_f64): w cancels near the root of
     * f' (x = -1.1924), so e takes the full double exp, not the lite core
     * (16.3 ULP there with it) */
    W xw = x, e = fa_exp_f64(-WABS(xw)), f = e; /* e^x below 0, e^-x above */
    W w = (4 * (xw + 1) + e * (4 * xw + 6)) + (e * e) * (4 + e);
    W d = e * (e + 2) + 2;
    W neg = e * (w / (d * d));
    W D = (1 + 2 * f) + 2 * f * f;
    W second = WSEL(f == 0, 0, (4 * xw) * (f * f) * (1 + f) / (D * D));
    W pos = (1 + 2 * f) / D + second;
    W r = WSEL(xw >= 0, pos, neg);
    return (T)KEEP_NAN(xw, WSEL(xw == -INFINITY, -0.0, r));
}

/* hard_swish = x relu6(x + 3)/6, from x (x + 3) as a pair: one rounding
 * and a little.  NaN fails both compares and propagates through the
 * product. */
FA_INLINE T F(hard_swish)(T x)
{
    /* x (s + e) = p + pl, the product's error exact with an FMA */
    T e, s = F(plus3)(x, &e), p = x * s, pl = FMA(x, s, -p) + x * e;
    T upper = SEL(x >= 3, x, COPYSIGN(F(sixth)(p, pl), x));   /* -0 stays -0 */
    return SEL(x <= -3, (T)0, upper);
}
/* FMA builds (the variant table): x + 3 rounded, x s = p + pl exact by
 * one FMA: 1.42 ULP over all floats (bound 2), four operations fewer.
 * Without FMA pl is 0 and this reaches 2.25 ULP: the baseline keeps the
 * form above. */
FA_INLINE T F(hard_swish_fma)(T x)
{
    T s = x + 3, p = x * s, pl = FMA(x, s, -p);
    T upper = SEL(x >= 3, x, COPYSIGN(F(sixth)(p, pl), x));   /* -0 stays -0 */
    return SEL(x <= -3, (T)0, upper);
}
/* PyTorch's hardswish_backward: 0 below -3, (2x + 3)/6 on [-3, 3], 1
 * above; 2x + 3 cancels at -1.5, measured against (2|x| + 3)/6 (catalog
 * grad_terms). */
FA_INLINE T F(hard_swish_grad)(T x)
{
    T upper = SEL(x > 3, (T)1, F(sixth)(2 * x + 3, (T)0));
    return SEL(x < -3, (T)0, upper);
}

/* ---- squareplus, sparse functions, shrinkage, exponential ------------ */

/* sqrt(x^2 + b) for squareplus, a = |x|, as r + *rl.  float32 data in
 * double cannot overflow or underflow, and needs no low part.  float64:
 * x^2 + b as a double-double (two-product, two-sum), its square root
 * corrected by one Newton step on the exact residual, so r + rl is good
 * to ~2^-100 and the formulas below round about once.  Scaled where x^2
 * would overflow or underflow: |x| > 2^500 gives |x| (b/x^2 < 2^-900);
 * |x| < 2^-500 computes in units of 2^-600, or takes sqrt(b) when
 * b >= 2^-200 dwarfs x^2 (no low part needed in either). */
FA_INLINE W F(squareplus_root)(W a, W b, W *rl)
{
    *rl = 0;
    if (sizeof(T) != sizeof(double))
        return __builtin_sqrt(a * a + b);
    W zl, zh = fa__two_prod(a, a, &zl), se, sh = fa__two_sum(zh, b, &se);
    W rh = __builtin_sqrt(sh), pl, ph = fa__two_prod(rh, rh, &pl);
    W residual = (((sh - ph) - pl) + se) + zl;
    W normal = WSEL(a < 0x1p500, WSEL(a > 0x1p-500, 1, 0), 0);
    *rl = WSEL(normal != 0, WSEL(rh > 0, residual / (2 * rh), 0), 0);
    W scaled = __builtin_sqrt((a * 0x1p600) * (a * 0x1p600) + WSEL(b < 0x1p-200, b, 0) * 0x1p600 * 0x1p600) * 0x1p-600;
    W tiny = WSEL(b < 0x1p-200, scaled, __builtin_sqrt(b));
    return WSEL(a > 0x1p500, a, WSEL(a < 0x1p-500, tiny, rh));
}
/* (x + r)/2 for x >= 0; b/(2 (r + |x|)) for x < 0 (no cancellation), the
 * low parts applied as first-order corrections; above 2^500, x/2 + r/2
 * and b/(4|x|) (r + |x| could overflow). */
FA_INLINE T F(squareplus)(T x, T b)
{
    W xw = x, bw = b, a = WABS(xw), rl, r = F(squareplus_root)(a, bw, &rl);
    W e, s = fa__two_sum(xw, r, &e);
    W pos = WSEL(a > 0x1p500, xw * 0.5 + r * 0.5, (s + (e + rl)) * 0.5);
    W de, dh = fa__two_sum(r, a, &de), dl = de + rl, q = bw / (2 * dh);
    W neg = WSEL(a > 0x1p500, (0.25 * bw) / a, q - q * (dl / dh));
    return (T)KEEP_NAN(xw, WSEL(xw >= 0, pos, neg));
}
/* (1 + x/r)/2 for x >= 0 (1/2 at r = 0); for x < 0, 1 + x/r =
 * b/(r (r + |x|)), written (b/(2r))/(r + |x|): no cancellation. */
FA_INLINE T F(squareplus_grad)(T x, T b)
{
    W xw = x, bw = b, a = WABS(xw), rl, r = F(squareplus_root)(a, bw, &rl);
    W q = xw / r, ratio = q - q * (rl / r);
    W pos = WSEL(r == 0, 0.5, WSEL(a == INFINITY, 1, (1 + ratio) * 0.5));
    W de, dh = fa__two_sum(r, a, &de), dl = de + rl, u = (bw / (2 * r)) / dh;
    W neg = WSEL(a > 0x1p500, u, u - u * (rl / r + dl / dh));   /* no low parts there */
    return (T)KEEP_NAN(xw, WSEL(xw >= 0, pos, neg));
}

/* sparse_plus (JAX): 0, (x + 1)^2/4, x; x + 1 = s + e exactly. */
FA_INLINE T F(sparse_plus)(T x)
{
    W xw = x, e, s = fa__two_sum(xw, 1, &e);
    W mid = (s * s + 2 * s * e) * 0.25;
    if (sizeof(T) == sizeof(double)) {         /* s^2 exact (two-product): one rounding */
        W ssl, ss = fa__two_prod(s, s, &ssl);
        mid = (ss + (ssl + 2 * s * e)) * 0.25;
    }
    return (T)KEEP_NAN(xw, WSEL(xw <= -1, 0, WSEL(xw >= 1, xw, mid)));
}
/* sparse_sigmoid (JAX): 0, (x + 1)/2, 1; sparse_plus' is sparse_sigmoid. */
FA_INLINE T F(sparse_sigmoid)(T x)
{
    if (sizeof(T) != sizeof(double)) {
        /* float32 in float lanes: x + 1 = s + e exactly (Fast2Sum, |x| < 1)
         * and 0.5 s + 0.5 e is (x + 1)/2 rounded once (0.5 e can lose a
         * subnormal bit only where the result is 0.5 anyway) */
        T s = x + 1, e = (1 - s) + x;
        return KEEP_NAN(x, SEL(x <= -1, (T)0, SEL(x >= 1, (T)1, (T)0.5 * s + (T)0.5 * e)));
    }
    W xw = x, e, s = fa__two_sum(xw, 1, &e);
    W mid = s * 0.5 + e * 0.5;
    return (T)KEEP_NAN(xw, WSEL(xw <= -1, 0, WSEL(xw >= 1, 1, mid)));
}
FA_INLINE T F(sparse_plus_grad)(T x) { return F(sparse_sigmoid)(x); }
FA_INLINE T F(sparse_sigmoid_grad)(T x)
{
    return KEEP_NAN(x, SEL((x > -1) & (x < 1), (T)0.5, (T)0));
}

/* soft_shrink: x -+ lambd outside [-lambd, lambd], +0 inside. */
FA_INLINE T F(soft_shrink)(T x, T lambd)
{
    return KEEP_NAN(x, SEL(x > lambd, x - lambd, SEL(x < -lambd, x + lambd, (T)0)));
}
FA_INLINE T F(soft_shrink_grad)(T x, T lambd)
{
    return KEEP_NAN(x, SEL((x > lambd) | (x < -lambd), (T)1, (T)0));
}
/* hard_shrink: x outside [-lambd, lambd], +0 inside. */
FA_INLINE T F(hard_shrink)(T x, T lambd)
{
    return KEEP_NAN(x, SEL(ABS(x) > lambd, x, (T)0));
}
FA_INLINE T F(hard_shrink_grad)(T x, T lambd)
{
    return KEEP_NAN(x, SEL(ABS(x) > lambd, (T)1, (T)0));
}

/* exponential = exp(x) (Keras); its derivative is itself, and y. */
FA_INLINE T F(exponential)(T x) { return (T)EXP((W)x); }
FA_INLINE T F(exponential_grad)(T x) { return F(exponential)(x); }
FA_INLINE T F(exponential_grad_y)(T y) { return y; }

/* ---- identity ------------------------------------------------------- */

/* The identity passes the gradient through unchanged, NaN x included (as
 * PyTorch): backward never reads x or y, so it costs one stream less. */
FA_INLINE T F(linear)(T x) { return x; }
FA_INLINE T F(linear_grad)(T x) { (void)x; return 1; }
FA_INLINE T F(linear_grad_y)(T y) { (void)y; return 1; }

/* ---- functions along an axis: fa_rows.h (softmax, log_softmax, softmin);
 * glu here (an element formula per pair a_i, b_i). */

/* glu: the row is [a, b] (n = 2m); y_i = a_i sigmoid(b_i), from
 * e = exp(-|b|) and symmetry.  Below b = -600 (float64) e is taken as
 * exp(-|b| + 512) and the product scaled by exp(-512) last, so a huge a
 * times a subnormal e still rounds once (as silu). */
FA_INLINE W F(glu_gate)(W a, W b, W *scale)
{
    W shift = sizeof(T) == sizeof(double) ? WSEL(b < -600, 512, 0) : 0;
    *scale = WSEL(shift != 0, FA_EXP_M512, 1);
    return EXP(-WABS(b) + shift);
}
/* a r for b >= 0, ((a e) r) scale below, r = 1/(1 + e): float64 rounds
 * about five times (<= 3 ULP, the float64 forward floor). */
FA_INLINE void F(glu_row)(fa_intp n, const T *x, fa_intp sx, T *y, fa_intp sy)
{
    fa_intp m = n / 2;
    #pragma omp simd
    for (fa_intp i = 0; i < m; i++) {
        W a = x[i * sx], b = x[(i + m) * sx];
        /* a = +-inf, b finite: +-inf, also where sigmoid(b) underflows to 0 */
        int inf_a = (WABS(a) == INFINITY) & (WABS(b) < INFINITY);
        W scale, e = F(glu_gate)(a, b, &scale);
        W r = 1 / (1 + e * scale);
        W tail = WSEL(inf_a, a, ((a * e) * r) * scale);
        y[i * sy] = (T)WSEL(b >= 0, a * r, tail);
    }
}
/* dx = [g sigmoid(b), g a sigmoid(b) (1 - sigmoid(b))], the second as
 * g a e/(1 + e)^2: the pair (da, db) of one element. */
FA_INLINE void F(glu_backward_pair)(T g, T a, T b, T *da, T *db)
{
    W gi = g, aw = a, bw = b, scale;
    W e = F(glu_gate)(aw, bw, &scale), r = 1 / (1 + e * scale), ga = gi * aw;
    /* an infinite factor times a positive one that underflows to 0:
     * still +-inf (b finite) */
    int finite_b = WABS(bw) < INFINITY;
    *da = (T)WSEL((WABS(gi) == INFINITY) & finite_b, gi, gi * WSEL(bw >= 0, r, (e * r) * scale));
    *db = (T)WSEL((WABS(ga) == INFINITY) & finite_b, ga, (((ga * e) * (r * r)) * scale));
}
FA_INLINE void F(glu_backward_row)(fa_intp n, const T *g, fa_intp sg,
                                       const T *x, fa_intp sx, T *out, fa_intp so)
{
    fa_intp m = n / 2;
    #pragma omp simd
    for (fa_intp i = 0; i < m; i++) {
        T da, db;
        F(glu_backward_pair)(g[i * sg], x[i * sx], x[(i + m) * sx], &da, &db);
        out[i * so] = da;
        out[(i + m) * so] = db;
    }
}
