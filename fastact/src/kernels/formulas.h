/* Element formulas that are the same for both dtypes, written once.
 * Where a body differs by dtype it is two plain definitions instead, in
 * formulas_f32.h and formulas_f64.h; those come first, as formulas here
 * call F(celu_q), F(squareplus_root), F(glu_gate) and F(sparse_sigmoid).
 *
 * activations.h includes this file twice, each time after its dtype's
 * file: with T = float and with T = double.  In all three files:
 *   T        the storage dtype of x and y;
 *   W        the working type of transcendental formulas (double for both:
 *            float32 results are one rounding of a double computation);
 *   F(name)  names the dtype variant: F(sigmoid) -> fa_act_sigmoid_f32;
 *   SEL/WSEL branch-free selects on T / W values; EXP, EXPM1, LOG1P the
 *   math core at working precision (W); TANH_T, ATAN_T at T precision.
 *
 * For each kernel K (see fastact/catalog.py): F(K)(x, args) is f(x),
 * F(K_grad)(x, args) is f'(x) and F(K_grad_y)(y, args) is f' expressed
 * through the output y = f(x).  Each must be branch-free so the generated
 * loops vectorise, give NaN for NaN and the mathematical limit at +-inf.
 * Formulas follow PyTorch where it defines the function (docs/design.md).
 * These are the generic forms: where an instruction set or dtype has a
 * specialised function, the variant table (fastact/_build/variants.py) names it
 * and the kernels call that instead.
 */

/* ---- logistic family ------------------------------------------------ */

/* sigmoid: every variant and dtype has its own (the variant table). */
/* s(1-s) = e/(1+e)^2 with e = exp(-|x|): no cancellation in either tail.
 * float64: as pairs, rounded once (fa_sigmoid_grad_pair_f64; 3.8 ULP as here). */
FA_INLINE T F(sigmoid_grad)(T x)
{
    W e = EXP(-WABS((W)x)), d = 1 + e;
    return (T)(e / (d * d));
}
/* y (1 - y) (y = inf gives -inf, as the reference; y - y^2 as one FMA
 * would give inf - inf = NaN there). */
FA_INLINE T F(sigmoid_grad_y)(T y) { return y * ((T)1 - y); }

/* log_sigmoid' = sigmoid(-x), through e = exp(-|x|) and symmetry. */
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
 * once (fa_tanh_grad_pair_f64; 3.5 ULP as here). */
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

/* tanh_shrink' = tanh(x)^2: float64 squares tanh as a pair
 * (fa_tanh_sq_pair_f64; 2.8 ULP from a rounded tanh), float32 tanh from the
 * lite expm1. */
FA_INLINE T F(tanh_shrink_grad)(T x)
{
    W em = EXPM1(-2 * WABS((W)x)), t = em / (2 + em);
    return (T)(t * t);
}

FA_INLINE T F(arctan)(T x) { return ATAN_T(x); }

/* softsign: x/(1+|x|) in T's own lanes, with the limit +-1 at +-inf
 * (inf/inf is NaN): two roundings, <= 1.5 ULP (1.499 over all floats). */
FA_INLINE T F(softsign)(T x)
{
    T a = ABS(x);
    return SEL(a == (T)INFINITY, COPYSIGN((T)1, x), x / (1 + a));
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

/* celu = alpha expm1(q) below 0, q + ql = x / alpha (F(celu_q)); for
 * |q| < 1e-10, x (1 + q/2) (x / alpha may be subnormal or 0 there). */
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

/* softplus' from y: sigmoid(beta x) = 1 - exp(-beta y) since
 * y = log1p(exp(beta x))/beta. */
FA_INLINE T F(softplus_grad_y)(T y, T beta, T threshold)
{
    W z = (W)beta * (W)y;
    return (T)WSEL(z > threshold, 1, -EXPM1(-z));
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
    /* float32 (float64: fa_mish_grad_pair_f64): w cancels near the root of
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

/* squareplus = (x + r)/2, r + rl = sqrt(x^2 + b) (F(squareplus_root)):
 * (x + r)/2 for x >= 0; b/(2 (r + |x|)) for x < 0 (no cancellation), the
 * low parts applied as first-order corrections; above 2^500, x/2 + r/2
 * and b/(4|x|) (r + |x| could overflow). */
FA_INLINE T F(squareplus)(T x, T b)
{
    W xw = x, bw = b, a = WABS(xw), rl, r = F(squareplus_root)(a, bw, &rl);
    W e, s = fa_two_sum_f64(xw, r, &e);
    W pos = WSEL(a > 0x1p500, xw * 0.5 + r * 0.5, (s + (e + rl)) * 0.5);
    W de, dh = fa_two_sum_f64(r, a, &de), dl = de + rl, q = bw / (2 * dh);
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
    W de, dh = fa_two_sum_f64(r, a, &de), dl = de + rl, u = (bw / (2 * r)) / dh;
    W neg = WSEL(a > 0x1p500, u, u - u * (rl / r + dl / dh));   /* no low parts there */
    return (T)KEEP_NAN(xw, WSEL(xw >= 0, pos, neg));
}

/* sparse_plus' is sparse_sigmoid. */
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
 * e = exp(-|b|) (F(glu_gate)) and symmetry. */
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
    *da = (T)WSEL((WABS(gi) == INFINITY) & finite_b, gi,
                  WSEL(bw >= 0, gi * r, ((gi * e) * r) * scale));      /* the scale last */
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
