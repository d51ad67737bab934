/* Element formulas of every activation, written once for both dtypes.
 *
 * activations.h includes this file twice: with T = float and with
 * T = double.  In it:
 *   T        the storage dtype of x and y;
 *   W        the working type of transcendental formulas (double for both:
 *            float32 results are one rounding of a double computation);
 *   F(name)  names the dtype variant: F(sigmoid) -> act_sigmoid_f32;
 *   SEL/WSEL branch-free selects on T / W values; EXP, EXPM1, LOG, LOG1P,
 *   TANH, ATAN the math core at working precision.
 *
 * For each kernel K (see fastact/catalog.py): F(K)(x, args) is f(x),
 * F(K_grad)(x, args) is f'(x) and F(K_grad_y)(y, args) is f' expressed
 * through the output y = f(x).  Each must be branch-free so the generated
 * loops vectorise, give NaN for NaN and the mathematical limit at +-inf.
 * Formulas follow PyTorch where it defines the function (DESIGN.md).
 */

/* NaN in, NaN out, for formulas whose selects would otherwise drop it. */
#define KEEP_NAN(x, r) SEL((x) == (x), (r), (x))

/* s * d, except exactly +0 when s == 0 (0 * -inf would be NaN, and
 * 0 * negative would be -0; relu(-inf) = relu(-1) = +0). */
static inline T F(scaled_or_zero)(T s, T d)
{
    return SEL(s == 0, (T)0, s * d);
}

/* ---- logistic family ------------------------------------------------ */

/* sigmoid via e = exp(-|x|) and symmetry: 1/(1+e) for x >= 0, e/(1+e)
 * below, so neither side cancels and exp never overflows. */
static inline T F(sigmoid)(T x)
{
    W xw = x, e = EXP(-WABS(xw)), r = 1 / (1 + e);
    return (T)WSEL(xw >= 0, r, e * r);
}
/* s(1-s) = e/(1+e)^2 with e = exp(-|x|): exact in both tails. */
static inline T F(sigmoid_grad)(T x)
{
    W e = EXP(-WABS((W)x)), d = 1 + e;
    return (T)(e / (d * d));
}
static inline T F(sigmoid_grad_y)(T y)
{
    W yw = y;
    return (T)(yw * (1 - yw));
}

/* tanh' = 1 - tanh^2 = 4e/(1+e)^2 with e = exp(-2|x|): no cancellation
 * when |tanh| is close to 1. */
static inline T F(tanh)(T x) { return (T)TANH((W)x); }
static inline T F(tanh_grad)(T x)
{
    W e = EXP(-2 * WABS((W)x)), d = 1 + e;
    return (T)(4 * e / (d * d));
}
static inline T F(tanh_grad_y)(T y)
{
    W yw = y;
    return (T)((1 - yw) * (1 + yw));
}

/* atan' = 1/(1+x^2); float32 squares in double, so no overflow. */
static inline T F(arctan)(T x) { return (T)ATAN((W)x); }
static inline T F(arctan_grad)(T x)
{
    W xw = x;
    return (T)(1 / (1 + xw * xw));
}

/* softsign: x/(1+|x|), with the limit +-1 at +-inf (inf/inf is NaN). */
static inline T F(softsign)(T x)
{
    T a = ABS(x);
    return SEL(a == (T)INFINITY, COPYSIGN((T)1, x), x / (1 + a));
}
static inline T F(softsign_grad)(T x)
{
    T d = 1 + ABS(x);
    return 1 / (d * d);
}
static inline T F(softsign_grad_y)(T y)
{
    T d = 1 - ABS(y);
    return d * d;
}

/* ---- ReLU family ---------------------------------------------------- */

/* Keras relu: min(x, max_value) above the threshold, negative_slope *
 * (x - threshold) at or below it.  max_value = +inf when not given. */
static inline T F(relu)(T x, T slope, T max_value, T threshold)
{
    T lin = SEL(x > max_value, max_value, x);
    T neg = F(scaled_or_zero)(slope, x - threshold) + (T)0;
    return KEEP_NAN(x, SEL(x > threshold, lin, neg));
}
static inline T F(relu_grad)(T x, T slope, T max_value, T threshold)
{
    T lin = SEL(x < max_value, (T)1, (T)0);
    return KEEP_NAN(x, SEL(x > threshold, lin, slope));
}
/* Valid when slope >= 0, threshold >= 0, max_value > 0 (catalog): then
 * y > 0 exactly on the linear branch. */
static inline T F(relu_grad_y)(T y, T slope, T max_value, T threshold)
{
    (void)threshold;
    T lin = SEL(y < max_value, (T)1, (T)0);
    return KEEP_NAN(y, SEL(y > 0, lin, slope));
}

/* relu6(-0) = +0: the +0 turns -0 into +0 and keeps NaN. */
static inline T F(relu6)(T x) { return CLAMP(x, (T)0, (T)6) + (T)0; }
static inline T F(relu6_grad)(T x)
{
    return KEEP_NAN(x, SEL((x > 0) & (x < 6), (T)1, (T)0));
}
static inline T F(relu6_grad_y)(T y) { return F(relu6_grad)(y); }

/* leaky_relu(-0) = -0 (x * slope), as PyTorch. */
static inline T F(leaky_relu)(T x, T slope)
{
    return KEEP_NAN(x, SEL(x > 0, x, SEL(slope == 0, (T)0, slope * x)));
}
static inline T F(leaky_relu_grad)(T x, T slope)
{
    return KEEP_NAN(x, SEL(x > 0, (T)1, slope));
}
static inline T F(leaky_relu_grad_y)(T y, T slope) { return F(leaky_relu_grad)(y, slope); }

/* ---- exponential linear units --------------------------------------- */

/* The negative branch through expm1 keeps relative accuracy near 0. */
static inline T F(elu)(T x, T alpha)
{
    W xw = x;
    return (T)WSEL(xw > 0, xw, (W)alpha * EXPM1(xw));
}
static inline T F(elu_grad)(T x, T alpha)
{
    W xw = x;
    return (T)KEEP_NAN(x, WSEL(xw > 0, 1, (W)alpha * EXP(xw)));
}
/* y = alpha (e^x - 1) below 0, so f' = alpha e^x = y + alpha. */
static inline T F(elu_grad_y)(T y, T alpha)
{
    W yw = y;
    return (T)KEEP_NAN(y, WSEL(yw > 0, 1, yw + (W)alpha));
}

/* SELU constants from Klambauer et al. 2017, "Self-Normalizing Neural
 * Networks", as PyTorch spells them; FA_SELU_SA is their product
 * (computed with mpmath, correctly rounded). */
#ifndef FA_SELU_ALPHA
#define FA_SELU_ALPHA 1.6732632423543772848170429916717
#define FA_SELU_SCALE 1.0507009873554804934193349852946
#define FA_SELU_SA 1.7580993408473768599402175208123
#endif
static inline T F(selu)(T x)
{
    W xw = x;
    return (T)WSEL(xw > 0, FA_SELU_SCALE * xw, FA_SELU_SA * EXPM1(xw));
}
static inline T F(selu_grad)(T x)
{
    W xw = x;
    return (T)KEEP_NAN(x, WSEL(xw > 0, FA_SELU_SCALE, FA_SELU_SA * EXP(xw)));
}
static inline T F(selu_grad_y)(T y)
{
    W yw = y;
    return (T)KEEP_NAN(y, WSEL(yw > 0, FA_SELU_SCALE, yw + FA_SELU_SA));
}

/* ---- smooth rectifiers ---------------------------------------------- */

/* softplus = max(x, 0) + log1p(exp(-|beta x|)) / beta: exp never
 * overflows and max(x, 0) is exact, so large |x| keep full accuracy.
 * threshold = +inf unless the user asked for PyTorch's linear cut-over. */
static inline T F(softplus)(T x, T beta, T threshold)
{
    W xw = x, z = (W)beta * xw;
    W r = WSEL(xw > 0, xw, 0) + LOG1P(EXP(-WABS(z))) / beta;
    return (T)WSEL(z > threshold, xw, r);
}
/* f' = sigmoid(beta x) (1 past the threshold). */
static inline T F(softplus_grad)(T x, T beta, T threshold)
{
    W z = (W)beta * (W)x, e = EXP(-WABS(z)), r = 1 / (1 + e);
    return (T)WSEL(z > threshold, 1, WSEL(z >= 0, r, e * r));
}
/* sigmoid(beta x) = 1 - exp(-beta y) since y = log1p(exp(beta x))/beta. */
static inline T F(softplus_grad_y)(T y, T beta, T threshold)
{
    W z = (W)beta * (W)y;
    return (T)WSEL(z > threshold, 1, -EXPM1(-z));
}

/* silu = x * sigmoid(beta x); s is 0 only when |beta x| is huge, where
 * the limit is +-0 (x * s would be inf * 0 at x = +-inf). */
static inline T F(silu)(T x, T beta)
{
    W xw = x, z = (W)beta * xw, e = EXP(-WABS(z)), r = 1 / (1 + e);
    W s = WSEL(z >= 0, r, e * r);
    W y = WSEL(z >= 0, xw * r, (xw * e) * r);
    return (T)KEEP_NAN(x, WSEL(s == 0, COPYSIGNW(0, xw), y));
}
/* f' = s + beta x s (1 - s) = s (1 + z (1 - s)), with 1 - s taken from
 * the other branch of the symmetric sigmoid (no cancellation). */
static inline T F(silu_grad)(T x, T beta)
{
    W xw = x, z = (W)beta * xw, e = EXP(-WABS(z)), r = 1 / (1 + e);
    W s = WSEL(z >= 0, r, e * r), c = WSEL(z >= 0, e * r, r);
    W g = s + z * (s * c);
    return (T)KEEP_NAN(x, WSEL(WABS(xw) == INFINITY, s, g));
}

/* ---- identity ------------------------------------------------------- */

static inline T F(linear)(T x) { return x; }
static inline T F(linear_grad)(T x) { return KEEP_NAN(x, (T)1); }
static inline T F(linear_grad_y)(T y) { return KEEP_NAN(y, (T)1); }

/* ---- functions along an axis ---------------------------------------
 * Row kernels take n elements at x[0], x[sx], ... (strides in elements).
 * Sums use FA_LANES fixed partial sums, so a row's result does not depend
 * on its alignment or on the vector width chosen by the compiler. */

#ifndef FA_LANES
#define FA_LANES 8
#endif

/* max with NaN propagation (any NaN makes the row NaN). */
static inline W F(row_max)(fa_intp n, const T *x, fa_intp sx)
{
    W m = -INFINITY, nan_seen = 0;
    for (fa_intp i = 0; i < n; i++) {
        W v = x[i * sx];
        m = v > m ? v : m;
        nan_seen += (v != v);
    }
    return nan_seen != 0 ? (W)NAN : m;
}

/* sum_i exp(x_i - m), lane partial sums added in a fixed order. */
static inline W F(row_sum_exp)(fa_intp n, const T *x, fa_intp sx, W m)
{
    W lane[FA_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_LANES <= n; i += FA_LANES) {
        #pragma omp simd
        for (int j = 0; j < FA_LANES; j++)
            lane[j] += EXP((W)x[(i + j) * sx] - m);
    }
    for (int j = 0; i < n; i++, j++)
        lane[j] += EXP((W)x[i * sx] - m);
    W sum = 0;
    for (int j = 0; j < FA_LANES; j++)
        sum += lane[j];
    return sum;
}

/* sum_i a_i * b_i (b may be NULL: sum of a), fixed lane order. */
static inline W F(row_dot)(fa_intp n, const T *a, fa_intp sa, const T *b, fa_intp sb)
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

/* softmax: exp(x - max) / sum.  The exponentials are recomputed in the
 * last pass instead of stored in y, so float32 rows keep double
 * intermediates.  An all -inf row or a +inf entry gives NaN (PyTorch). */
static inline void F(softmax_row)(fa_intp n, const T *x, fa_intp sx, T *y, fa_intp sy)
{
    W m = F(row_max)(n, x, sx);
    W sum = F(row_sum_exp)(n, x, sx, m);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = (T)(EXP((W)x[i * sx] - m) / sum);
}
/* dx = y * (g - sum(g * y)). */
static inline void F(softmax_backward_y_row)(fa_intp n, const T *g, fa_intp sg,
                                             const T *y, fa_intp sy, T *out, fa_intp so)
{
    W dot = F(row_dot)(n, g, sg, y, sy);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = (T)((W)y[i * sy] * ((W)g[i * sg] - dot));
}

/* log_softmax: (x - max) - log(sum exp(x - max)). */
static inline void F(log_softmax_row)(fa_intp n, const T *x, fa_intp sx, T *y, fa_intp sy)
{
    W m = F(row_max)(n, x, sx);
    W lse = LOG(F(row_sum_exp)(n, x, sx, m));
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = (T)(((W)x[i * sx] - m) - lse);
}
/* dx = g - exp(y) * sum(g). */
static inline void F(log_softmax_backward_y_row)(fa_intp n, const T *g, fa_intp sg,
                                                 const T *y, fa_intp sy, T *out, fa_intp so)
{
    W total = F(row_dot)(n, g, sg, NULL, 0);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = (T)((W)g[i * sg] - EXP((W)y[i * sy]) * total);
}
