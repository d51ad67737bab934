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

/* ---- logistic family ------------------------------------------------ */

/* sigmoid via e = exp(-|x|) and symmetry: 1/(1+e) for x >= 0, e/(1+e)
 * below, so neither side cancels and exp never overflows. */
FA_INLINE T F(sigmoid)(T x)
{
#ifdef FAST_SIGMOID
    return FAST_SIGMOID(x);
#else
    W xw = x, e = EXP(-WABS(xw)), r = 1 / (1 + e);
    return (T)WSEL(xw >= 0, r, e * r);
#endif
}
/* s(1-s) = e/(1+e)^2 with e = exp(-|x|): no cancellation in either tail. */
FA_INLINE T F(sigmoid_grad)(T x)
{
    W e = EXP(-WABS((W)x)), d = 1 + e;
    return (T)(e / (d * d));
}
FA_INLINE T F(sigmoid_grad_y)(T y)
{
    W yw = y;
    return (T)(yw * (1 - yw));
}

/* tanh' = 1 - tanh^2 = 4e/(1+e)^2 with e = exp(-2|x|): no cancellation
 * when |tanh| is close to 1. */
FA_INLINE T F(tanh)(T x) { return TANH_T(x); }
FA_INLINE T F(tanh_grad)(T x)
{
    W e = EXP(-2 * WABS((W)x)), d = 1 + e;
    return (T)(4 * e / (d * d));
}
FA_INLINE T F(tanh_grad_y)(T y)
{
    W yw = y;
    return (T)((1 - yw) * (1 + yw));
}

/* atan' = 1/(1+x^2); float32 squares in double, so no overflow. */
FA_INLINE T F(arctan)(T x) { return ATAN_T(x); }
FA_INLINE T F(arctan_grad)(T x)
{
    W xw = x;
    return (T)(1 / (1 + xw * xw));
}

/* softsign: x/(1+|x|), with the limit +-1 at +-inf (inf/inf is NaN). */
FA_INLINE T F(softsign)(T x)
{
    W xw = x, a = WABS(xw);
    return (T)WSEL(a == INFINITY, COPYSIGNW(1, xw), xw / (1 + a));
}
FA_INLINE T F(softsign_grad)(T x)
{
    W d = 1 + WABS((W)x);
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
    T lin = SEL(x > max_value, max_value, x);
    /* one rounding for float32 (exact in double); +0 turns -0 into +0 */
    W d = (W)x - (W)threshold;
    T neg = (T)WSEL(slope == 0, 0, (W)slope * d) + (T)0;
    return KEEP_NAN(x, SEL(x > threshold, lin, neg));
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

/* relu6(-0) = +0: the +0 turns -0 into +0 and keeps NaN. */
FA_INLINE T F(relu6)(T x) { return CLAMP(x, (T)0, (T)6) + (T)0; }
FA_INLINE T F(relu6_grad)(T x)
{
    return KEEP_NAN(x, SEL((x > 0) & (x < 6), (T)1, (T)0));
}
FA_INLINE T F(relu6_grad_y)(T y) { return F(relu6_grad)(y); }

/* leaky_relu(-0) = -0 (x * slope), as PyTorch. */
FA_INLINE T F(leaky_relu)(T x, T slope)
{
    return KEEP_NAN(x, SEL(x > 0, x, SEL(slope == 0, (T)0, slope * x)));
}
FA_INLINE T F(leaky_relu_grad)(T x, T slope)
{
    return KEEP_NAN(x, SEL(x > 0, (T)1, slope));
}
FA_INLINE T F(leaky_relu_grad_y)(T y, T slope) { return F(leaky_relu_grad)(y, slope); }

/* ---- exponential linear units --------------------------------------- */

/* The negative branch through expm1 keeps relative accuracy near 0. */
FA_INLINE T F(elu)(T x, T alpha)
{
#ifdef FAST_ELU
    if (alpha == 1)                 /* loop-invariant: unswitched, see silu */
        return FAST_ELU(x);
#endif
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
    W yw = y;
    return (T)KEEP_NAN(y, WSEL(yw > 0, 1, yw + (W)alpha));
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
    W yw = y;
    return (T)KEEP_NAN(y, WSEL(yw > 0, FA_SELU_SCALE, (yw + FA_SELU_SA) + FA_SELU_SA_LO));
}

/* ---- smooth rectifiers ---------------------------------------------- */

/* log1p(e) for e in [0, 1] as e P(e) (fa_constants.h, relative error
 * ~1e-10): no division and no reduction, enough for a float32 result. */
FA_INLINE W F(log1p_unit)(W e)
{
    return e * fa__horner(fa_log1p_unit_poly, FA_LOG1P_UNIT_DEGREE + 1, e);
}

/* softplus = max(x, 0) + log1p(exp(-|beta x|)) / beta: exp never
 * overflows and max(x, 0) is exact, so large |x| keep full accuracy.
 * threshold = +inf unless the user asked for PyTorch's linear cut-over. */
FA_INLINE T F(softplus)(T x, T beta, T threshold)
{
#ifdef FAST_SOFTPLUS
    if (beta == 1 && threshold == INFINITY)   /* loop-invariant: unswitched, see silu */
        return FAST_SOFTPLUS(x);
#endif
    W xw = x, z, e = F(exp_neg_abs_product)(beta, xw, &z);
    /* float32: multiply by 1/beta (hoisted out of the loop; one more
     * rounding of a double is invisible in a float result) */
    W tail = sizeof(T) == sizeof(double) ? LOG1P(e) / beta : F(log1p_unit)(e) * (1 / (W)beta);
    W r = WSEL(xw > 0, xw, 0) + tail;
    return (T)WSEL(z > threshold, xw, r);
}
/* f' = sigmoid(beta x) (1 past the threshold). */
FA_INLINE T F(softplus_grad)(T x, T beta, T threshold)
{
    W z, e = F(exp_neg_abs_product)(beta, x, &z), r = 1 / (1 + e);
    return (T)WSEL(z > threshold, 1, WSEL(z >= 0, r, e * r));
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
#ifdef FAST_SILU
    /* beta is the same for the whole loop: GCC unswitches it into two
     * vectorised loops, the float-lane one for the common beta = 1. */
    if (beta == 1)
        return FAST_SILU(x);
#endif
    /* Conditions are compared where used, not kept in an int: an int mask
     * from a double compare does not vectorise on SSE2. */
    W xw = x, err, z = F(product)(beta, xw, &err), y;
    if (sizeof(T) == sizeof(double)) {
        W scale = WSEL(z < -600, FA_EXP_M512, 1);
        W e = EXP(-WABS(z) + WSEL(z < -600, 512, 0));   /* exp(-|z|) / scale */
        e = e - e * WSEL(z < 0, -err, err);
        W r = 1 / (1 + e * scale);
        y = WSEL(z >= 0, xw * r, ((xw * e) * r) * scale);
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
    W e = EXP(-WABS(z)), r;
    e = e - e * WSEL(z < 0, -err, err);
    r = 1 / (1 + e);
    W s = WSEL(z >= 0, r, e * r);
    W n = ((1 + z) + err) + e;
    if (sizeof(T) == sizeof(double)) {
        W d = (z - FA_SILU_ROOT) + err;
        W near = FA_SILU_ROOT_RESIDUAL + (d + FA_SILU_EXP_ROOT * EXPM1(d));
        n = WSEL(z > -2.5, WSEL(z < -0.65, near, n), n);
    }
    W g = WSEL(z >= 0, s * (1 + z * (e * r)), s * (n * r));
    return (T)KEEP_NAN(x, WSEL(WABS(z) == INFINITY, s, g));   /* limit s: 0 or 1 */
}

/* ---- identity ------------------------------------------------------- */

/* The identity passes the gradient through unchanged, NaN x included (as
 * PyTorch): backward never reads x or y, so it costs one stream less. */
FA_INLINE T F(linear)(T x) { return x; }
FA_INLINE T F(linear_grad)(T x) { (void)x; return 1; }
FA_INLINE T F(linear_grad_y)(T y) { (void)y; return 1; }

/* ---- functions along an axis ---------------------------------------
 * Row kernels take n elements at x[0], x[sx], ... (strides in elements).
 * Sums use FA_LANES fixed partial sums, so a row's result does not depend
 * on its alignment or on the vector width chosen by the compiler. */

#ifndef FA_LANES
#define FA_LANES 8
#endif

/* exp(v - m) with the rounding of the difference corrected (float64: a
 * rounded difference of size 300 moves exp by ~200 ULP; float32 data
 * computed in double needs no correction).  Knuth's two-sum gives the
 * exact error of v - m. */
FA_INLINE W F(exp_diff)(W v, W m)
{
    W d = v - m;
    if (sizeof(T) == sizeof(double)) {
        W mm = v - d, err = (v - (d + mm)) + (mm - m);
        err = WSEL((WABS(d) < INFINITY) & (err == err), err, 0);
        W e = EXP(d);
        return e + e * err;
    }
    return EXP(d);
}

/* max with NaN propagation (any NaN makes the row NaN), in FA_LANES
 * lanes so the loop vectorises (a running max across iterations does not). */
FA_INLINE W F(row_max)(fa_intp n, const T *x, fa_intp sx)
{
    W lane[FA_LANES], nans[FA_LANES] = {0};
    for (int j = 0; j < FA_LANES; j++)
        lane[j] = -INFINITY;
    fa_intp i = 0;
    for (; i + FA_LANES <= n; i += FA_LANES) {
        #pragma omp simd
        for (int j = 0; j < FA_LANES; j++) {
            W v = x[(i + j) * sx];
            lane[j] = WSEL(v > lane[j], v, lane[j]);
            nans[j] += WSEL(v != v, 1, 0);
        }
    }
    for (int j = 0; i < n; i++, j++) {
        W v = x[i * sx];
        lane[j] = WSEL(v > lane[j], v, lane[j]);
        nans[j] += WSEL(v != v, 1, 0);
    }
    W m = lane[0], nan_count = nans[0];
    for (int j = 1; j < FA_LANES; j++) {
        m = WSEL(lane[j] > m, lane[j], m);
        nan_count += nans[j];
    }
    return WSEL(nan_count != 0, NAN, m);
}

/* sum_i exp(x_i - m) - 1, accurate when it is tiny: the elements equal to
 * the max contribute exactly 1 each and are counted, not summed, so
 * log(sum) = log1p(rest) keeps full relative accuracy for a dominant max.
 * With y != NULL each exp(x_i - m) is also stored in y (softmax scales
 * them in a last pass; computing them once halves its cost).  Lane partial
 * sums are added in a fixed order.  A +inf max gives NaN, as PyTorch's
 * softmax does. */
FA_INLINE W F(row_rest_exp)(fa_intp n, const T *x, fa_intp sx, W m, T *y, fa_intp sy)
{
    W lane[FA_LANES] = {0}, ties[FA_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_LANES <= n; i += FA_LANES) {
        #pragma omp simd
        for (int j = 0; j < FA_LANES; j++) {
            W v = x[(i + j) * sx], e = F(exp_diff)(v, m);
            lane[j] += WSEL(v == m, 0, e);
            ties[j] += WSEL(v == m, 1, 0);
            if (y)
                y[(i + j) * sy] = (T)e;
        }
    }
    for (int j = 0; i < n; i++, j++) {
        W v = x[i * sx], e = F(exp_diff)(v, m);
        lane[j] += WSEL(v == m, 0, e);
        ties[j] += WSEL(v == m, 1, 0);
        if (y)
            y[i * sy] = (T)e;
    }
    W rest = 0, count = 0;
    for (int j = 0; j < FA_LANES; j++) {
        rest += lane[j];
        count += ties[j];
    }
    return WSEL(m == INFINITY, NAN, rest + (count - 1));
}

/* sum_i a_i * b_i (b may be NULL: sum of a), fixed lane order. */
FA_INLINE W F(row_dot)(fa_intp n, const T *a, fa_intp sa, const T *b, fa_intp sb)
{
    W lane[FA_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_LANES <= n; i += FA_LANES) {
        #pragma omp simd
        for (int j = 0; j < FA_LANES; j++)
            lane[j] += (W)a[(i + j) * sa] * (b ? (W)b[(i + j) * sb] : 1);
    }
    for (int j = 0; i < n; i++, j++)
        lane[j] += (W)a[i * sa] * (b ? (W)b[i * sb] : 1);
    W sum = 0;
    for (int j = 0; j < FA_LANES; j++)
        sum += lane[j];
    return sum;
}

/* softmax: exp(x - max) / sum.  The exponentials are stored in y by the
 * summing pass and scaled in place (float32: by the reciprocal of the sum,
 * one more rounding of a double; float64: divided).  An all -inf row or a
 * +inf entry gives NaN (PyTorch).  y may be x (in place): each x_i is read
 * before y_i is written. */
FA_INLINE void F(softmax_row)(fa_intp n, const T *x, fa_intp sx, T *y, fa_intp sy)
{
    W m = F(row_max)(n, x, sx);
    W sum = 1 + F(row_rest_exp)(n, x, sx, m, y, sy), inverse = 1 / sum;
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = (T)(sizeof(T) == sizeof(double) ? (W)y[i * sy] / sum : (W)y[i * sy] * inverse);
}
/* dx = y * (g - sum(g * y)). */
FA_INLINE void F(softmax_backward_y_row)(fa_intp n, const T *g, fa_intp sg,
                                             const T *y, fa_intp sy, T *out, fa_intp so)
{
    W dot = F(row_dot)(n, g, sg, y, sy);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = (T)((W)y[i * sy] * ((W)g[i * sg] - dot));
}

/* log_softmax: (x - max) - log1p(sum exp(x - max) - 1). */
FA_INLINE void F(log_softmax_row)(fa_intp n, const T *x, fa_intp sx, T *y, fa_intp sy)
{
    W m = F(row_max)(n, x, sx);
    W lse = LOG1P(F(row_rest_exp)(n, x, sx, m, NULL, 0));
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = (T)(((W)x[i * sx] - m) - lse);
}
/* dx = g - exp(y) * sum(g). */
FA_INLINE void F(log_softmax_backward_y_row)(fa_intp n, const T *g, fa_intp sg,
                                                 const T *y, fa_intp sy, T *out, fa_intp so)
{
    W total = F(row_dot)(n, g, sg, NULL, 0);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = (T)((W)g[i * sg] - EXP((W)y[i * sy]) * total);
}
