/* float32 forms of the element formulas whose body differs by dtype (the
 * float64 forms: formulas_f64.h).  Why: float32 data is exact in double,
 * and one rounding to float hides double's errors, so plain double (or
 * float lanes) suffices.
 *
 * activations.h includes this in its float32 block (T = float, F(name) ->
 * fa_act_name_f32; conventions: formulas.h), before formulas.h, which calls
 * celu_q, squareplus_root, glu_gate and sparse_sigmoid.
 */

/* log1p(e) for e in [0, 1] as e P(e) (fa_constants.h, relative error
 * ~1e-10): no division and no reduction, enough for a float32 result. */
FA_INLINE W F(log1p_unit)(W e)
{
    return e * fa_horner_f64(fa_log1p_unit_poly, FA_LOG1P_UNIT_DEGREE + 1, e);
}

/* z = b * x, exact in double for float32 data (float64 also needs its
 * rounding error: formulas_f64.h).  b = 0 gives z = 0, also for infinite
 * x. */
FA_INLINE W F(product)(W b, W x)
{
    return WSEL(b == 0, 0, b * x);          /* not 0 * inf = NaN */
}

/* exp(-|b x|), and z = b x in *z_out. */
FA_INLINE W F(exp_neg_abs_product)(W b, W x, W *z_out)
{
    W z = F(product)(b, x);
    *z_out = z;
    return EXP(-WABS(z));
}

/* log_sigmoid = -(max(-x, 0) + log1p(exp(-|x|))): two terms of one sign;
 * below every result, so +inf and underflowing results give -0. */
FA_INLINE T F(log_sigmoid)(T x)
{
    W xw = x, e = EXP(-WABS(xw));
    return (T)-(WSEL(xw < 0, -xw, 0) + F(log1p_unit)(e));   /* -0 where it underflows */
}

/* tanh_shrink = x - tanh(x), in double: near 0 the difference cancels
 * (x^3/3 is left), so 7 Taylor terms below 0.2 (each term 60x smaller
 * than the last), else |x| - tanh|x| with tanh from the lite expm1
 * (relative error ~2^-33; the cancellation multiplies it by at most
 * 3/x^2 = 75). */
FA_INLINE T F(tanh_shrink)(T x)
{
    W xw = x, a = WABS(xw);
    W z = a * a, series = (a * z) * fa_horner_f64(fa_tanh_shrink_series, 7, z);
    W em = EXPM1(-2 * a);                       /* tanh a = -em / (2 + em) */
    W r = WSEL(a < 0.2, series, a + em / (2 + em));
    return (T)KEEP_NAN(xw, COPYSIGNW(r, xw));
}

/* atan' = 1/(1+x^2), squared in double, so no overflow. */
FA_INLINE T F(arctan_grad)(T x)
{
    W xw = x;
    return (T)(1 / (1 + xw * xw));
}

/* softsign' = 1/(1+|x|)^2 in double. */
FA_INLINE T F(softsign_grad)(T x)
{
    W d = 1 + WABS((W)x);
    return (T)(1 / (d * d));
}

/* q = x / alpha for celu: in double accurate enough, so no residual
 * (*ql = 0). */
FA_INLINE W F(celu_q)(W x, W alpha, W *ql)
{
    *ql = 0;
    return x / alpha;
}

/* softplus = max(x, 0) + log1p(exp(-|beta x|)) / beta: exp never
 * overflows and max(x, 0) is exact, so large |x| keep full accuracy.
 * threshold = +inf unless the user asked for PyTorch's linear cut-over. */
FA_INLINE T F(softplus)(T x, T beta, T threshold)
{
    W xw = x, z, e = F(exp_neg_abs_product)(beta, xw, &z);
    /* multiply by 1/beta (hoisted out of the loop; one more rounding of a
     * double is invisible in a float result) */
    W tail = F(log1p_unit)(e) * (1 / (W)beta);
    W r = WSEL(xw > 0, xw, 0) + tail;
    return (T)WSEL(z > threshold, xw, r);
}
/* f' = sigmoid(beta x) (1 past the threshold), from e = exp(-|beta x|)
 * and symmetry. */
FA_INLINE T F(softplus_grad)(T x, T beta, T threshold)
{
    W z, e = F(exp_neg_abs_product)(beta, x, &z), d = 1 / (1 + e);
    W r = WSEL(z >= 0, d, e * d);
    return (T)WSEL(z > threshold, 1, r);
}

/* silu = x * sigmoid(beta x), from e = exp(-|beta x|) and symmetry, in
 * double (the product is exact; no tail to rescue).  beta = 0 gives x / 2
 * everywhere, infinities included (z = 0, not 0 * inf); at the infinity
 * where s -> 0 the limit is +-0. */
FA_INLINE T F(silu)(T x, T beta)
{
    /* Conditions are compared where used, not kept in an int: an int mask
     * from a double compare does not vectorise on SSE2. */
    W xw = x, z = F(product)(beta, xw);
    W e = EXP(-WABS(z)), r = 1 / (1 + e);
    W y = WSEL(z >= 0, xw, xw * e) * r;
    W limit = WSEL(z < 0, COPYSIGNW(0, xw), y);          /* x = +-inf */
    return (T)KEEP_NAN(x, WSEL(WABS(xw) == INFINITY, limit, y));
}
/* f' = s + beta x s (1 - s) = s (1 + z (1 - s)).  For z >= 0 that sum has
 * no cancellation (1 - s = e r); for z < 0, 1 + z r = n r with
 * n = 1 + z + e^z.  Near the root of n (z0 = -1.2785) n cancels to ~1e-6,
 * so e takes the full double exp (the lite core's ~2^-33 gave 11.5 ULP
 * there). */
FA_INLINE T F(silu_grad)(T x, T beta)
{
    W xw = x, z = F(product)(beta, xw);
    W e = fa_exp_f64(-WABS(z)), r = 1 / (1 + e);
    W s = WSEL(z >= 0, r, e * r);
    W n = (1 + z) + e;
    W g = WSEL(z >= 0, s * (1 + z * (e * r)), s * (n * r));
    return (T)KEEP_NAN(x, WSEL(WABS(z) == INFINITY, s, g));   /* limit s: 0 or 1 */
}

/* sqrt(x^2 + b) for squareplus, a = |x|: float32 data in double cannot
 * overflow or underflow, and needs no low part (*rl = 0). */
FA_INLINE W F(squareplus_root)(W a, W b, W *rl)
{
    *rl = 0;
    return __builtin_sqrt(a * a + b);
}

/* sparse_plus (JAX): 0, (x + 1)^2/4, x; x + 1 = s + e exactly. */
FA_INLINE T F(sparse_plus)(T x)
{
    W xw = x, e, s = fa_two_sum_f64(xw, 1, &e);
    W mid = (s * s + 2 * s * e) * 0.25;
    return (T)KEEP_NAN(xw, WSEL(xw <= -1, 0, WSEL(xw >= 1, xw, mid)));
}
/* sparse_sigmoid (JAX): 0, (x + 1)/2, 1, in float lanes: x + 1 = s + e
 * exactly (Fast2Sum, |x| < 1) and 0.5 s + 0.5 e is (x + 1)/2 rounded once
 * (0.5 e can lose a subnormal bit only where the result is 0.5 anyway). */
FA_INLINE T F(sparse_sigmoid)(T x)
{
    T s = x + 1, e = (1 - s) + x;
    return KEEP_NAN(x, SEL(x <= -1, (T)0, SEL(x >= 1, (T)1, (T)0.5 * s + (T)0.5 * e)));
}

/* e = exp(-|b|) for glu (formulas.h); no rescaling (*scale = 1): where e
 * is subnormal in double, a e is far below float32's range.  0 - |b|, as
 * float64's -|b| + shift compiles: a NaN b gives float64's NaN (-|b|
 * flips its sign). */
FA_INLINE W F(glu_gate)(W a, W b, W *scale)
{
    *scale = 1;
    return EXP(0 - WABS(b));
}
