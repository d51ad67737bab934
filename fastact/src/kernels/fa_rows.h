/* fa_rows.h -- row kernels of the axis functions: softmax, log_softmax,
 * softmin (forward, and backward from y) and glu (forward, backward from x),
 * one explicit kernel per dtype: fa_act_<name>[_backward[_y]]_row_f32/_f64,
 * the names kernels.c (generated from the catalog) calls.
 *
 * A row is n elements at x[0], x[sx], ... (strides in elements; kernels.c
 * passes a literal 1 for contiguous rows, so that case is its own inlined,
 * vectorised copy).  Sums run in FA_ROW_LANES fixed partial sums, lane j
 * taking elements j, j + LANES, ..., added as a fixed tree at the end;
 * the last partial block reads only the row's elements and gives the other
 * lanes a neutral value (no padded copy: it cost a scalar loop a row): a
 * row's bits depend neither on its alignment nor on its stride nor on the
 * vector width.  The max is exact, so its order does not matter.
 *
 * Passes (issue 14): softmax = max, one pass storing e_i = exp(x_i - max)
 * while summing them, one multiply by 1/sum (one reciprocal per row);
 * log_softmax = max, a sum of exp pass, x_i - (max + log(sum));
 * backward: one dot product per row and one fused pass.
 * Rows whose max is not finite (a NaN, +inf, or all -inf) are NaN
 * (PyTorch), which keeps NaN handling out of the element loops.
 *
 * Include after fa_vmath.h, fa_fast32.h and fa_math.h. */
#ifndef FA_ROWS_H
#define FA_ROWS_H

#define FA_ROW_LANES 16         /* a zmm of floats, two of doubles, per block */
#define FA_ROW_PAIR (2 * FA_ROW_LANES)

/* ---- exp(v - m), v <= m, m finite ----------------------------------------
 * The difference is carried exactly as dh + dl (two-sum: a rounded v - m of
 * size 100 moves exp by ~100 ULP).  float32: float lanes, Cody-Waite
 * with dl folded into the reduced argument, exp(r) = 1 + r (1 + r P(r))
 * rounded once (~0.65 ULP), subnormal results scaled in two steps (one
 * rounding); below -104 the result is +0 (under half the smallest float).  float64: Cody-Waite reduction with the low
 * part folded in, 1 + (r + r^2 Q(r)) with fa_vmath's Q (degree 10, 2^-60),
 * rounded about twice (~0.8 ULP), scaled by 2^(k+64) 2^-64 (subnormal
 * results round once); below -746, +0.
 * v = -inf gives +0 (dh = -inf fails the range test). */
FA_INLINE float fa_row_exp_diff_f32(float v, float m)
{
    float dh = v - m, vv = dh + m, mm = dh - vv;
    float dl = (v - vv) + (-m - mm);
    int keep = dh > -104.0f;            /* below, garbage that the select replaces */
#if !defined(__FMA__)
    /* without FMA the float-lane steps round twice each (softmax 2.06 ULP
     * on SSE2): exp of the pair in double, rounded once to float */
    return keep ? (float)fa_exp_w_f32((double)dh + (double)dl) : 0.0f;
#else
    float t = FA_FMA_F32(dh, FA_INVLN2_F32, FA_SHIFT_F32);
    int32_t k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FA_SHIFT_F32));
    float kf = t - FA_SHIFT_F32;
    float r = FA_FMA_F32(kf, -FA_LN2HI_F32, dh) + FA_FMA_F32(kf, -FA_LN2LO_F32, dl);   /* first term exact */
    float p = FA_FMA_F32(FA_FMA_F32(fa_horner_f32(fa_c_exp_f32, FA_N_EXP_F32, r), r, 1.0f), r, 1.0f);
    float e = (p * fa_pow2i_f32(k + 64)) * 0x1p-64f;       /* k in [-151, 0] */
    return keep ? e : 0.0f;
#endif
}
FA_INLINE double fa_row_exp_diff_f64(double v, double m)
{
    double dh = v - m, vv = dh + m, mm = dh - vv;
    double dl = (v - vv) + (-m - mm);
    int keep = dh > -746.0;             /* below, garbage that the select replaces */
    double kd;
    uint64_t kb;
    double r = fa_exp_reduce_f64(dh, dl, &kd, &kb);
    double q = fa_exp_q_estrin_f64(r);
    int64_t k = (int64_t)(kb - FA_SHIFT_BITS_F64);         /* in [-1077, 0] */
    double e = ((1.0 + FA_FMA_F64(r * r, q, r)) * fa_pow2i_f64(k + 64)) * 0x1p-64;
    return keep ? e : 0.0;
}

/* exact a + b = s + *e for any magnitudes (Knuth's two-sum) */
FA_INLINE double fa_row_two_sum(double a, double b, double *e)
{
    double s = a + b, bb = s - a;
    *e = (a - (s - bb)) + (b - bb);
    return s;
}

/* ---- max ------------------------------------------------------------------
 * max of sign * x_i (sign = +-1: softmin works on -x); NaN if any is NaN. */
#define FA_ROW_MAX(T, NAME)                                                        \
FA_INLINE T NAME(fa_intp n, const T *x, fa_intp sx, T sign)                       \
{                                                                                 \
    T lane[FA_ROW_LANES];                                                         \
    int nans[FA_ROW_LANES] = {0};                                                 \
    for (int j = 0; j < FA_ROW_LANES; j++)                                        \
        lane[j] = -(T)INFINITY;                                                   \
    fa_intp i = 0;                                                                \
    for (; i + FA_ROW_LANES <= n; i += FA_ROW_LANES) {                            \
        _Pragma("omp simd")                                                       \
        for (int j = 0; j < FA_ROW_LANES; j++) {                                  \
            T v = sign * x[(i + j) * sx];                                         \
            lane[j] = v > lane[j] ? v : lane[j];                                  \
            nans[j] |= v != v;                                                    \
        }                                                                         \
    }                                                                             \
    T m = -(T)INFINITY;                                                           \
    int any_nan = 0;                                                              \
    for (; i < n; i++) {                                                          \
        T v = sign * x[i * sx];                                                   \
        m = v > m ? v : m;                                                        \
        any_nan |= v != v;                                                        \
    }                                                                             \
    for (int j = 0; j < FA_ROW_LANES; j++) {                                      \
        m = lane[j] > m ? lane[j] : m;                                            \
        any_nan |= nans[j];                                                       \
    }                                                                             \
    return any_nan ? (T)NAN : m;                                                  \
}
FA_ROW_MAX(float, fa_row_max_f32)
FA_ROW_MAX(double, fa_row_max_f64)

/* Is every x_i in [lo, hi]?  By the row's min and max (exact, in any
 * order; a NaN x_i fails every compare and is skipped, as the element
 * formulas' range tests skip it): half the time of testing each element. */
#define FA_ROW_WITHIN(T, NAME)                                                     \
FA_INLINE int NAME(fa_intp n, const T *x, fa_intp sx, T lo, T hi)                 \
{                                                                                 \
    T least = (T)INFINITY, most = -(T)INFINITY;                                   \
    _Pragma("omp simd reduction(min:least) reduction(max:most)")                  \
    for (fa_intp i = 0; i < n; i++) {                                             \
        T v = x[i * sx];                                                          \
        least = v < least ? v : least;                                            \
        most = v > most ? v : most;                                               \
    }                                                                             \
    return !(least < lo) && !(most > hi);                                         \
}
FA_ROW_WITHIN(float, fa_row_within_f32)
FA_ROW_WITHIN(double, fa_row_within_f64)

/* A row whose max is NaN, +inf or -inf (all -inf): NaN throughout. */
#define FA_ROW_FILL_NAN(n, y, sy)                                                 \
    do {                                                                          \
        for (fa_intp i_ = 0; i_ < (n); i_++)                                      \
            (y)[i_ * (sy)] = NAN;                                                 \
    } while (0)

/* ---- lane sums ---------------------------------------------------------------
 * The FA_ROW_LANES partial sums added as a tree, halves onto halves (a
 * fixed order; a chain of 16 dependent adds cost ~50 cycles a row).
 * float64 with its low parts: each addition a two-sum, the errors kept. */
FA_INLINE double fa_row_sum_lanes(double *lane)
{
    for (int w = FA_ROW_LANES / 2; w >= 1; w /= 2) {
        #pragma omp simd
        for (int j = 0; j < w; j++)
            lane[j] += lane[j + w];
    }
    return lane[0];
}
FA_INLINE double fa_row_sum_lanes2(double *lane, double *low, double *sum_low)
{
    for (int w = FA_ROW_LANES / 2; w >= 1; w /= 2) {
        #pragma omp simd
        for (int j = 0; j < w; j++) {
            double err;
            lane[j] = fa_row_two_sum(lane[j], lane[j + w], &err);
            low[j] += low[j + w] + err;
        }
    }
    *sum_low = low[0];
    return lane[0];
}

/* ---- softmax's sum of exp ---------------------------------------------------
 * sum_i exp(v_i - m), v_i = sign x_i, each term stored in y (softmax scales
 * them in a last pass).  Every term is <= 1 (v_i <= m), so partial sums
 * that start at 1 are never smaller than the term they take: Fast2Sum
 * (Dekker: s' = s + e, err = e - (s' - s), 3 operations) gives each
 * addition's error exactly, and a low lane keeps the errors.  The sum is
 * sum_j (s_j - 1) + low_j, each s_j - 1 exact: fewer operations than
 * converting every term to double (float32: 0.52 -> 0.43 ns per element
 * of a softmax row in a C loop on Zen 4) or a two-sum (float64), and no
 * less accurate.
 * float32 keeps FA_ROW_PAIR lanes of one element a block, over segments of
 * FA_ROW_SEGMENT elements whose lanes then go to double partial sums: a
 * float low lane of k errors, each at most u s_j, rounds by up to
 * k^2 u^2 s_j in all, ~2^-33 of the sum for the 32 terms a lane takes in a
 * segment (a 10^6 row in one go: 2^-13).  float64: ~2^-70 for a 10^6 row,
 * no segments. */
#define FA_ROW_SEGMENT (32 * FA_ROW_PAIR)
/* one block of LANES elements (lanes past the row: v = -inf, exp 0,
 * nothing stored) */
#define FA_ROW_SUM_EXP_BLOCK(T, NAME, LANES, EXP_DIFF)                             \
FA_INLINE void NAME(fa_intp left, const T *x, fa_intp sx, T sign, T m, T *y,      \
                    fa_intp sy, T *s, T *low)                                     \
{                                                                                 \
    _Pragma("omp simd")                                                           \
    for (int j = 0; j < (LANES); j++) {                                           \
        T v = j < left ? sign * x[j * sx] : -(T)INFINITY, e = EXP_DIFF(v, m);     \
        if (j < left)                                                             \
            y[j * sy] = e;                                                        \
        T t = s[j] + e;                                                           \
        low[j] += e - (t - s[j]);                                                 \
        s[j] = t;                                                                 \
    }                                                                             \
}
FA_ROW_SUM_EXP_BLOCK(float, fa_row_sum_exp_block_f32, FA_ROW_PAIR, fa_row_exp_diff_f32)
FA_ROW_SUM_EXP_BLOCK(double, fa_row_sum_exp_block_f64, FA_ROW_LANES, fa_row_exp_diff_f64)

FA_INLINE double fa_row_sum_exp_f32(fa_intp n, const float *x, fa_intp sx, float sign, float m,
                                    float *y, fa_intp sy)
{
    double lane[FA_ROW_LANES] = {0};
    for (fa_intp start = 0; start < n; start += FA_ROW_SEGMENT) {
        fa_intp end = n - start < FA_ROW_SEGMENT ? n : start + FA_ROW_SEGMENT, i = start;
        float s[FA_ROW_PAIR], low[FA_ROW_PAIR];
        for (int j = 0; j < FA_ROW_PAIR; j++) {
            s[j] = 1;
            low[j] = 0;
        }
        for (; i + FA_ROW_PAIR <= end; i += FA_ROW_PAIR)
            fa_row_sum_exp_block_f32(FA_ROW_PAIR, x + i * sx, sx, sign, m, y + i * sy, sy, s, low);
        if (i < end)
            fa_row_sum_exp_block_f32(end - i, x + i * sx, sx, sign, m, y + i * sy, sy, s, low);
        for (int j = 0; j < FA_ROW_LANES; j++) {
            int k = j + FA_ROW_LANES;
            lane[j] += ((double)(s[j] - 1) + low[j]) + ((double)(s[k] - 1) + low[k]);
        }
    }
    return fa_row_sum_lanes(lane);
}
/* float64: the sum is the return value + *sum_low */
FA_INLINE double fa_row_sum_exp_f64(fa_intp n, const double *x, fa_intp sx, double sign,
                                    double m, double *y, fa_intp sy, double *sum_low)
{
    double s[FA_ROW_LANES], low[FA_ROW_LANES];
    for (int j = 0; j < FA_ROW_LANES; j++) {
        s[j] = 1;
        low[j] = 0;
    }
    fa_intp i = 0;
    for (; i + FA_ROW_LANES <= n; i += FA_ROW_LANES)
        fa_row_sum_exp_block_f64(FA_ROW_LANES, x + i * sx, sx, sign, m, y + i * sy, sy, s, low);
    if (i < n)
        fa_row_sum_exp_block_f64(n - i, x + i * sx, sx, sign, m, y + i * sy, sy, s, low);
    for (int j = 0; j < FA_ROW_LANES; j++)
        s[j] -= 1;
    return fa_row_sum_lanes2(s, low, sum_low);
}

/* ---- log_softmax's sum of exp -------------------------------------------------
 * rest = sum_i exp(x_i - m) - 1: the elements equal to the max contribute
 * exactly 1 each and are counted, not summed, so log1p(rest) keeps full
 * relative accuracy for a dominant max (where rest is far below 1 and the
 * partial sums above would hold it in their plain-summed low lanes).
 * float32: float-lane exps, double partial sums (a float sum of 60 terms
 * per lane would cost ~2 ULP), FA_ROW_PAIR elements a block, lane j taking
 * v_j and v_(j+16) summed in float first: one rounding, <= u of the pair,
 * for half the double conversions (log1p damps it: <= 1.35 ULP measured);
 * float64: two-sum partial sums (exact to ~2^-100: the row's sum adds
 * nothing to the exps' own error). */
FA_INLINE void fa_row_rest_exp_block_f32(fa_intp left, const float *x, fa_intp sx, float m,
                                         double *lane, int *ties)
{
    const fa_intp h = FA_ROW_LANES;
    #pragma omp simd
    for (int j = 0; j < FA_ROW_LANES; j++) {
        /* lanes past the row: v = -inf, exp 0 and no tie */
        float v0 = j < left ? x[j * sx] : -INFINITY;
        float v1 = j + h < left ? x[(j + h) * sx] : -INFINITY;
        float e0 = fa_row_exp_diff_f32(v0, m), e1 = fa_row_exp_diff_f32(v1, m);
        int tie0 = v0 == m, tie1 = v1 == m;
        /* float selects: a mixed one stops vectorisation */
        lane[j] += (double)((tie0 ? 0.0f : e0) + (tie1 ? 0.0f : e1));
        ties[j] += tie0 + tie1;
    }
}
FA_INLINE double fa_row_rest_exp_f32(fa_intp n, const float *x, fa_intp sx, float m)
{
    double lane[FA_ROW_LANES] = {0};
    int ties[FA_ROW_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_ROW_PAIR <= n; i += FA_ROW_PAIR)
        fa_row_rest_exp_block_f32(FA_ROW_PAIR, x + i * sx, sx, m, lane, ties);
    if (i < n)
        fa_row_rest_exp_block_f32(n - i, x + i * sx, sx, m, lane, ties);
    double count = 0;
    for (int j = 0; j < FA_ROW_LANES; j++)
        count += (double)ties[j];
    return fa_row_sum_lanes(lane) + (count - 1);
}
FA_INLINE void fa_row_rest_exp_block_f64(fa_intp left, const double *x, fa_intp sx, double m,
                                         double *lane, double *low, int *ties)
{
    #pragma omp simd
    for (int j = 0; j < FA_ROW_LANES; j++) {
        double v = j < left ? x[j * sx] : -INFINITY, e = fa_row_exp_diff_f64(v, m), err;
        int tie = v == m;
        lane[j] = fa_row_two_sum(lane[j], tie ? 0.0 : e, &err);
        ties[j] += tie;
        low[j] += err;
    }
}
/* the result is *rest_hi + the return value */
FA_INLINE double fa_row_rest_exp_f64(fa_intp n, const double *x, fa_intp sx, double m,
                                     double *rest_hi)
{
    double lane[FA_ROW_LANES] = {0}, low[FA_ROW_LANES] = {0};
    int ties[FA_ROW_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_ROW_LANES <= n; i += FA_ROW_LANES)
        fa_row_rest_exp_block_f64(FA_ROW_LANES, x + i * sx, sx, m, lane, low, ties);
    if (i < n)
        fa_row_rest_exp_block_f64(n - i, x + i * sx, sx, m, lane, low, ties);
    double count = 0, err;
    for (int j = 0; j < FA_ROW_LANES; j++)
        count += (double)ties[j];
    double rest_low, sum = fa_row_sum_lanes2(lane, low, &rest_low);
    double rest = fa_row_two_sum(sum, count - 1, &err);
    *rest_hi = rest;
    return err + rest_low;
}

/* ---- softmax, softmin ------------------------------------------------------
 * y_i = e_i * (1 / sum), 1/sum carried as a pair ih + il and the product
 * e_i ih + e_i il rounded once (FMA): float32 e_i rounds once (0.5 ULP),
 * <= 1.5 ULP in all; float64 e_i is within 0.76 ULP, <= ~2 ULP in all.  y may be x (in place): each
 * x_i is read before y_i is written. */
FA_INLINE void fa_softmax_signed_row_f32(fa_intp n, const float *x, fa_intp sx, float *y,
                                         fa_intp sy, float sign)
{
    float m = fa_row_max_f32(n, x, sx, sign);
    if (!(fa_abs_f32(m) < INFINITY)) {
        FA_ROW_FILL_NAN(n, y, sy);
        return;
    }
    double inverse = 1 / fa_row_sum_exp_f32(n, x, sx, sign, m, y, sy);
#if defined(__FMA__)
    float ih = (float)inverse, il = (float)(inverse - (double)ih);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++) {
        float e = y[i * sy];
        y[i * sy] = FA_FMA_F32(e, ih, e * il);
    }
#else   /* without FMA e ih + e il rounds twice (1.9 ULP): the product in double */
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = (float)((double)y[i * sy] * inverse);
#endif
}
FA_INLINE void fa_softmax_signed_row_f64(fa_intp n, const double *x, fa_intp sx, double *y,
                                         fa_intp sy, double sign)
{
    double m = fa_row_max_f64(n, x, sx, sign), sl;
    if (!(fa_abs_f64(m) < INFINITY)) {
        FA_ROW_FILL_NAN(n, y, sy);
        return;
    }
    double sh = fa_row_sum_exp_f64(n, x, sx, sign, m, y, sy, &sl);
    double ih = 1 / sh, il = (FA_FMA_F64(-ih, sh, 1) - ih * sl) * ih;
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++) {
        double e = y[i * sy];
        y[i * sy] = FA_FMA_F64(e, ih, e * il);
    }
}
FA_INLINE void fa_act_softmax_row_f32(fa_intp n, const float *x, fa_intp sx, float *y, fa_intp sy)
{
    fa_softmax_signed_row_f32(n, x, sx, y, sy, 1);
}
FA_INLINE void fa_act_softmax_row_f64(fa_intp n, const double *x, fa_intp sx, double *y, fa_intp sy)
{
    fa_softmax_signed_row_f64(n, x, sx, y, sy, 1);
}
FA_INLINE void fa_act_softmin_row_f32(fa_intp n, const float *x, fa_intp sx, float *y, fa_intp sy)
{
    fa_softmax_signed_row_f32(n, x, sx, y, sy, -1);
}
FA_INLINE void fa_act_softmin_row_f64(fa_intp n, const double *x, fa_intp sx, double *y, fa_intp sy)
{
    fa_softmax_signed_row_f64(n, x, sx, y, sy, -1);
}

/* ---- log_softmax -------------------------------------------------------------
 * y_i = x_i - c, c = max + log1p(rest) carried as ch + cl (float32: c in
 * double split into two floats; float64: an exact two-sum), y_i = (x_i -
 * ch) - cl: x_i - ch is exact where x_i is near c (Sterbenz) and cl is
 * below an ULP of ch elsewhere, so y_i rounds about once (no cancellation:
 * both terms are <= 0).  x_i = -inf gives -inf; a zero result is +0 (log 1),
 * whatever the sign of x_i. */
FA_INLINE void fa_act_log_softmax_row_f32(fa_intp n, const float *x, fa_intp sx, float *y,
                                       fa_intp sy)
{
    float m = fa_row_max_f32(n, x, sx, 1);
    if (!(fa_abs_f32(m) < INFINITY)) {
        FA_ROW_FILL_NAN(n, y, sy);
        return;
    }
    double lse = fa_log1p_f64(fa_row_rest_exp_f32(n, x, sx, m));
    float ch = (float)((double)m + lse), cl = (float)(((double)m - (double)ch) + lse);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = ((x[i * sx] - ch) - cl) + 0;      /* log 1 = +0, also for x = -0 */
}
FA_INLINE void fa_act_log_softmax_row_f64(fa_intp n, const double *x, fa_intp sx, double *y,
                                       fa_intp sy)
{
    double m = fa_row_max_f64(n, x, sx, 1), rest, err;
    if (!(fa_abs_f64(m) < INFINITY)) {
        FA_ROW_FILL_NAN(n, y, sy);
        return;
    }
    double rest_low = fa_row_rest_exp_f64(n, x, sx, m, &rest);
    double ch = fa_row_two_sum(m, fa_log1p_f64(rest + rest_low), &err), cl = err;
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        y[i * sy] = ((x[i * sx] - ch) - cl) + 0;      /* log 1 = +0, also for x = -0 */
}

/* ---- dot products ------------------------------------------------------------
 * products (a constant at each call): FA_DOT_PRODUCTS sum_i a_i b_i,
 * FA_DOT_SUM sum_i a_i, FA_DOT_SUM_WIDE the same with each term in double.
 * float32: each lane sums a pair of products in float (a_i b_i + a_(i+16)
 * b_(i+16), two roundings: <= 2u of the pair's magnitude; softmax's b = y
 * <= 1, so no overflow) and adds it to a double partial sum: the dot is
 * within 2u of sum |a_i b_i|, the scale of the backward kernels' terms
 * (catalog grad_scale), at half the double conversions of summing every
 * term in double.  FA_DOT_SUM pairs terms likewise (<= u of sum |a_i|,
 * log_softmax's scale), but a pair can overflow where the sum does not:
 * an infinite or NaN result is to be summed again with FA_DOT_SUM_WIDE
 * (two floats sum in double without overflow).  float64: pairs of terms
 * likewise (<= 2u) into two-sum partial sums (a plain sum of a 10^6 row of
 * equal terms is ~10^4 ULP off), half the two-sums of one per term; where
 * the partial sums overflow but the sum need not (1e308 + 1e308 - 1e308),
 * once more on terms scaled by 2^-64, scaled back. */
#define FA_DOT_SUM 0
#define FA_DOT_PRODUCTS 1
#define FA_DOT_SUM_WIDE 2
FA_INLINE void fa_row_dot_block_f32(fa_intp left, const float *a, fa_intp sa, const float *b,
                                    fa_intp sb, int products, double *lane)
{
    #pragma omp simd
    for (int j = 0; j < FA_ROW_LANES; j++) {
        /* terms past the row: 0 * 0 and 0 + 0, +0 leaves a lane unchanged */
        int in0 = j < left, in1 = j + FA_ROW_LANES < left;
        float a0 = in0 ? a[j * sa] : 0.0f, a1 = in1 ? a[(j + FA_ROW_LANES) * sa] : 0.0f;
        if (products == FA_DOT_PRODUCTS) {
            float b0 = in0 ? b[j * sb] : 0.0f, b1 = in1 ? b[(j + FA_ROW_LANES) * sb] : 0.0f;
            lane[j] += (double)FA_FMA_F32(a1, b1, a0 * b0);
        } else if (products == FA_DOT_SUM) {
            lane[j] += (double)(a0 + a1);
        } else {
            lane[j] += (double)a0 + (double)a1;
        }
    }
}
FA_INLINE double fa_row_dot_f32(fa_intp n, const float *a, fa_intp sa, const float *b, fa_intp sb,
                                int products)
{
    double lane[FA_ROW_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_ROW_PAIR <= n; i += FA_ROW_PAIR)
        fa_row_dot_block_f32(FA_ROW_PAIR, a + i * sa, sa, b + i * sb, sb, products, lane);
    if (i < n)
        fa_row_dot_block_f32(n - i, a + i * sa, sa, b + i * sb, sb, products, lane);
    return fa_row_sum_lanes(lane);
}
FA_INLINE void fa_row_dot_block_f64(fa_intp left, const double *a, fa_intp sa, const double *b,
                                    fa_intp sb, int products, double scale, double *lane,
                                    double *low)
{
    #pragma omp simd
    for (int j = 0; j < FA_ROW_LANES; j++) {
        int in0 = j < left, in1 = j + FA_ROW_LANES < left;
        double a0 = in0 ? a[j * sa] * scale : 0.0;
        double a1 = in1 ? a[(j + FA_ROW_LANES) * sa] * scale : 0.0;
        double err, pair = a0 + a1;
        if (products) {
            double b0 = in0 ? b[j * sb] : 0.0, b1 = in1 ? b[(j + FA_ROW_LANES) * sb] : 0.0;
            pair = FA_FMA_F64(a1, b1, a0 * b0);
        }
        lane[j] = fa_row_two_sum(lane[j], pair, &err);
        low[j] += err;
    }
}
FA_INLINE double fa_row_dot_scaled_f64(fa_intp n, const double *a, fa_intp sa, const double *b,
                                       fa_intp sb, int products, double scale)
{
    double lane[FA_ROW_LANES] = {0}, low[FA_ROW_LANES] = {0};
    fa_intp i = 0;
    for (; i + FA_ROW_PAIR <= n; i += FA_ROW_PAIR)
        fa_row_dot_block_f64(FA_ROW_PAIR, a + i * sa, sa, b + i * sb, sb, products, scale,
                             lane, low);
    if (i < n)
        fa_row_dot_block_f64(n - i, a + i * sa, sa, b + i * sb, sb, products, scale, lane, low);
    double sum_low, sum = fa_row_sum_lanes2(lane, low, &sum_low);
    /* an infinite or NaN sum has no meaningful (or a NaN) error term */
    return fa_abs_f64(sum) < INFINITY ? sum + sum_low : sum;
}
FA_INLINE double fa_row_dot_f64(fa_intp n, const double *a, fa_intp sa, const double *b, fa_intp sb,
                                int products)
{
    double sum = fa_row_dot_scaled_f64(n, a, sa, b, sb, products, 1);
    if (!(fa_abs_f64(sum) < INFINITY)) {
        /* the product is scaled, not a factor: a subnormal factor times an
         * infinite one stays infinite; a NaN rescaled sum keeps the first */
        double rescaled = fa_row_dot_scaled_f64(n, a, sa, b, sb, products, 0x1p-64) * 0x1p64;
        sum = rescaled == rescaled ? rescaled : sum;
    }
    return sum;
}

/* ---- softmax, softmin backward from y: dx = +-y (g - sum(g y)) -------------
 * float32: the dot in double, rounded to a float pair dh + dl, and
 * (g - dh) - dl in float lanes: where g cancels against the sum (y near 1)
 * g - dh is exact (Sterbenz) and dl carries the rest, so the difference
 * rounds about once, as the double difference did (a float16 row computed
 * through float32 and a float dot was 9 ULP off: CI's property test). */
FA_INLINE void fa_act_softmax_backward_y_row_f32(fa_intp n, const float *g, fa_intp sg,
                                              const float *y, fa_intp sy, float *out, fa_intp so)
{
    double dot = fa_row_dot_f32(n, g, sg, y, sy, FA_DOT_PRODUCTS);
    float dh = (float)dot, dl = (float)(dot - (double)dh);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = y[i * sy] * ((g[i * sg] - dh) - dl);
}
FA_INLINE void fa_act_softmax_backward_y_row_f64(fa_intp n, const double *g, fa_intp sg,
                                              const double *y, fa_intp sy, double *out, fa_intp so)
{
    double dot = fa_row_dot_f64(n, g, sg, y, sy, FA_DOT_PRODUCTS);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = y[i * sy] * (g[i * sg] - dot);
}
FA_INLINE void fa_act_softmin_backward_y_row_f32(fa_intp n, const float *g, fa_intp sg,
                                              const float *y, fa_intp sy, float *out, fa_intp so)
{
    double dot = fa_row_dot_f32(n, g, sg, y, sy, FA_DOT_PRODUCTS);  /* as a pair: see softmax */
    float dh = (float)dot, dl = (float)(dot - (double)dh);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = y[i * sy] * ((dh - g[i * sg]) + dl);
}
FA_INLINE void fa_act_softmin_backward_y_row_f64(fa_intp n, const double *g, fa_intp sg,
                                              const double *y, fa_intp sy, double *out, fa_intp so)
{
    double dot = fa_row_dot_f64(n, g, sg, y, sy, FA_DOT_PRODUCTS);
    #pragma omp simd
    for (fa_intp i = 0; i < n; i++)
        out[i * so] = y[i * sy] * (dot - g[i * sg]);
}

/* exp(x) in double to ~2^-34 (fa_vmath's lite polynomial) with the double
 * range's limits, NaN kept: float32 log_softmax backward.  Double compares
 * and selects only, so it vectorises without mask conversions. */
FA_INLINE double fa_row_exp_core(double x)     /* x in [-708, 709] */
{
    double kd;
    uint64_t kb;
    double r = fa_exp_reduce_f64(x, 0.0, &kd, &kb);
    double q = fa_horner_f64(fa_c_exp_q_f32, FA_N_EXP_Q_F32, r);
    return (1.0 + FA_FMA_F64(r * r, q, r)) * fa_pow2i_f64((int64_t)(kb - FA_SHIFT_BITS_F64));
}
FA_INLINE double fa_row_exp_lite(double x)
{
    double xc = x < -708.0 ? -708.0 : x;
    double e = fa_row_exp_core(xc > 709.0 ? 709.0 : xc);
    e = x < -708.0 ? 0.0 : e;
    return x > 709.0 ? (double)INFINITY : e;
}

/* exp(x) = p 2^k for float64 x in [-746, 709]: Cody-Waite, fa_vmath's Q
 * (degree 10), not carried as a pair (~0.8 ULP) */
FA_INLINE double fa_row_exp_poly_f64(double x, uint64_t *kb)
{
    double kd;
    double r = fa_exp_reduce_f64(x, 0.0, &kd, kb);
    double q = fa_exp_q_estrin_f64(r);
    return 1.0 + FA_FMA_F64(r * r, q, r);
}

/* ---- log_softmax backward from y: dx = g - exp(y) sum(g) -------------------
 * float32, rows whose sum is below 2^60: float lanes for y in [-80, 88]
 * (exp(y) a normal float): exp(y) = p 2^k rounded once (~0.65 ULP), the
 * sum as a float pair th + tl and g - e th one FMA: about one rounding of
 * the terms |g| + |e sum|, in which the accuracy is measured.  y outside
 * (exp(y) sum(g) can be a normal float where exp(y) is not) takes the
 * double-lane exp, as every element of the other rows: each element's
 * bits depend on its g, its y and the row's sum only.  out may be g or y
 * (in place): each element is read before it is written.
 * The lanes form has no clamps: outside [-80, 88] its value is garbage
 * that the caller does not take (a NaN y gives NaN). */
FA_INLINE float fa_row_log_softmax_grad_lanes_f32(float g, float v, float th, float tl)
{
    float t = FA_FMA_F32(v, FA_INVLN2_F32, FA_SHIFT_F32);
    int32_t k = (int32_t)(fa_bits_f32(t) - fa_bits_f32(FA_SHIFT_F32));
    float kf = t - FA_SHIFT_F32;
    float r = FA_FMA_F32(kf, -FA_LN2LO_F32, FA_FMA_F32(kf, -FA_LN2HI_F32, v));
    float p = FA_FMA_F32(FA_FMA_F32(fa_horner_f32(fa_c_exp_f32, FA_N_EXP_F32, r), r, 1.0f), r, 1.0f);
    float e = p * fa_pow2i_f32(k);                          /* k in [-116, 127] */
    return FA_FMA_F32(-e, th, g) - e * tl;
}
FA_INLINE void fa_act_log_softmax_backward_y_row_f32(fa_intp n, const float *g, fa_intp sg,
                                                  const float *y, fa_intp sy, float *out,
                                                  fa_intp so)
{
    double total = fa_row_dot_f32(n, g, sg, g, sg, FA_DOT_SUM);
    if (!(fa_abs_f64(total) < INFINITY))
        total = fa_row_dot_f32(n, g, sg, g, sg, FA_DOT_SUM_WIDE);
    if (fa_abs_f64(total) < 0x1p60) {
        float th = (float)total, tl = (float)(total - (double)th);
        if (fa_row_within_f32(n, y, sy, -80.0f, 88.0f)) {
            #pragma omp simd
            for (fa_intp i = 0; i < n; i++)
                out[i * so] = fa_row_log_softmax_grad_lanes_f32(g[i * sg], y[i * sy], th, tl);
        } else {
            #pragma omp simd
            for (fa_intp i = 0; i < n; i++) {
                float v = y[i * sy], gi = g[i * sg];
                float wide = (float)((double)gi - fa_row_exp_lite((double)v) * total);
                float lanes = fa_row_log_softmax_grad_lanes_f32(gi, v, th, tl);
                out[i * so] = (v < -80.0f) | (v > 88.0f) ? wide : lanes;
            }
        }
        return;
    }
    /* y in [-708, 709] (every log_softmax output of a row whose terms are
     * not below 2^-1021 of the max): no limits to select */
    if (fa_row_within_f32(n, y, sy, -708.0f, 709.0f)) {
        #pragma omp simd
        for (fa_intp i = 0; i < n; i++)
            out[i * so] = (float)((double)g[i * sg] - fa_row_exp_core((double)y[i * sy]) * total);
    } else {
        #pragma omp simd
        for (fa_intp i = 0; i < n; i++)
            out[i * so] = (float)((double)g[i * sg] - fa_row_exp_lite((double)y[i * sy]) * total);
    }
}
FA_INLINE void fa_act_log_softmax_backward_y_row_f64(fa_intp n, const double *g, fa_intp sg,
                                                  const double *y, fa_intp sy, double *out,
                                                  fa_intp so)
{
    double total = fa_row_dot_f64(n, g, sg, g, sg, FA_DOT_SUM);
    if (fa_row_within_f64(n, y, sy, -708.0, 709.0)) {   /* no limits to select; the same bits as below */
        #pragma omp simd
        for (fa_intp i = 0; i < n; i++) {
            uint64_t kb;
            double p = fa_row_exp_poly_f64(y[i * sy], &kb);
            out[i * so] = g[i * sg] - (p * fa_pow2i_f64((int64_t)(kb - FA_SHIFT_BITS_F64))) * total;
        }
    } else {
        #pragma omp simd
        for (fa_intp i = 0; i < n; i++) {
            double v = y[i * sy], vc = v < -746.0 ? -746.0 : v;
            uint64_t kb;
            double p = fa_row_exp_poly_f64(vc > 709.0 ? 709.0 : vc, &kb);
            double e = fa_ldexp_big_f64(p, kb);    /* = p 2^k, subnormal results rounded once */
            e = v < -746.0 ? 0.0 : e;
            e = v > 709.0 ? (double)INFINITY : e;
            out[i * so] = g[i * sg] - e * total;
        }
    }
}

/* ---- glu backward, float32 (FMA builds) ---------------------------------- */
#if defined(__FMA__)
/* glu's backward row from x, as fa_glu_row_fast_f32 (fa_fast32.h): float lanes
 * when they cover the row, else each element by its own range */
FA_INLINE void fa_glu_backward_row_fast_f32(intptr_t n, const float *g, intptr_t sg,
                                            const float *x, intptr_t sx, float *out,
                                            intptr_t so)
{
    intptr_t m = n / 2;
    int covered = 1;
    #pragma omp simd reduction(&:covered)
    for (intptr_t i = 0; i < m; i++)
        covered &= fa_glu_backward_lanes_cover(g[i * sg], x[i * sx], x[(i + m) * sx]);
    if (covered) {
        #pragma omp simd
        for (intptr_t i = 0; i < m; i++) {
            float da, db;
            fa_glu_backward_lanes_f32(g[i * sg], x[i * sx], x[(i + m) * sx], &da, &db);
            out[i * so] = da;
            out[(i + m) * so] = db;
        }
        return;
    }
    #pragma omp simd
    for (intptr_t i = 0; i < m; i++) {
        float gi = g[i * sg], a = x[i * sx], b = x[(i + m) * sx], da, db, wa, wb;
        fa_glu_backward_lanes_f32(gi, a, b, &da, &db);
        fa_act_glu_backward_pair_f32(gi, a, b, &wa, &wb);
        int lanes = fa_glu_backward_lanes_cover(gi, a, b);
        out[i * so] = lanes ? da : wa;
        out[(i + m) * so] = lanes ? db : wb;
    }
}
#endif

#endif
