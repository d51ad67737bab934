/* Harness: exhaustive float32 ULP scan and timing, one build per target.
 *   ./h_<tgt> check <func> [stride]    max ULP over every stride-th bit pattern (default all 2^32)
 *   ./h_<tgt> bench [n] [reps]         median ns/element, fast vs current fastact, n contiguous floats
 * Build: ./build.sh (tools/exhaustive/README.md).  Reference: glibc double functions (error < 2^-52,
 * invisible at float ULP scale). */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>
#include "kernels/activations.h"
#include "kernels/variant_table.h"
#include "vmath/fa_fast32.h"

static float SQP_B = 4.0f;    /* squareplus's b: environment FA_B */
static double MIN_REF = 0;    /* check: results below this in magnitude are skipped (FA_MIN_REF) */

typedef void (*arr_t)(const float *restrict, float *restrict, long);

#define LOOP(name, expr)                                                      \
    __attribute__((noinline)) void name(const float *restrict x, float *restrict y, long n) \
    {                                                                         \
        _Pragma("omp simd")                                                   \
        for (long i = 0; i < n; i++) y[i] = expr;                             \
    }

/* fast (this directory) */
LOOP(fast_exp, fa_exp_fast_f32(x[i]))
LOOP(fast_tanh, fa_tanh_fast_f32(x[i]))
LOOP(tbl_tanh_scalar, fa_tanh_tbl_f32(x[i]))
#ifdef FA_HAVE_TANH_V16
__attribute__((noinline)) void tbl_tanh(const float *restrict x, float *restrict y, long n)
{
    fa_tanh_tbl_array(n, x, y);
}
#else
#define tbl_tanh tbl_tanh_scalar
#endif
LOOP(cur_gelu, fa_chosen_gelu_f32(x[i]))
LOOP(cur_gelu_grad, fa_chosen_gelu_grad_f32(x[i]))
#ifdef FA_HAVE_GELU_V16             /* the gelu and gelu' tables: AVX-512 builds */
LOOP(tbl_gelu_scalar, fa_gelu_tbl_f32(x[i]))
__attribute__((noinline)) void tbl_gelu(const float *restrict x, float *restrict y, long n)
{
    fa_gelu_tbl_array(n, x, y);
}
#endif
LOOP(tbl_tanh_shrink_scalar, fa_tanh_shrink_tbl_f32(x[i]))
LOOP(cur_tanh_shrink, fa_chosen_tanh_shrink_f32(x[i]))
#ifdef FA_HAVE_TANH_SHRINK_V16
__attribute__((noinline)) void tbl_tanh_shrink(const float *restrict x, float *restrict y, long n)
{
    fa_tanh_shrink_tbl_array(n, x, y);
}
#else
#define tbl_tanh_shrink tbl_tanh_shrink_scalar
#endif
LOOP(cur_tanh_shrink_grad, fa_act_tanh_shrink_grad_f32(x[i]))
/* tanh_shrink' = tanh^2 from the table tanh, squared in float */
__attribute__((noinline)) void tbl_tanh_shrink_grad(const float *restrict x, float *restrict y, long n)
{
    tbl_tanh(x, y, n);
    for (long i = 0; i < n; i++) y[i] = y[i] * y[i];
}
/* gelu': the double-lane formula fastact used before the table (formulas.h fallback) */
static inline float old_gelu_grad_f32(float x)
{
    double xw = x, a = fabs(xw), half = 0.5 * fa_erfc_f64(a * FA_RSQRT2);
    double pdf = fa_exp_w_f32(-0.5 * (xw * xw)) * FA_RSQRT2PI;
    double r = xw >= 0 ? (1 - half) + a * pdf : half - a * pdf;
    return isnan(x) ? x : (float)(a == INFINITY ? (xw > 0 ? 1 : -0.0) : r);
}
LOOP(old_gelu_grad, old_gelu_grad_f32(x[i]))
#ifdef FA_HAVE_GELU_GRAD_F32
LOOP(tbl_gelu_grad_scalar, fa_gelu_grad_tbl_f32(x[i]))
__attribute__((noinline)) void tbl_gelu_grad(const float *restrict x, float *restrict y, long n)
{
    fa_gelu_grad_tbl_array(n, x, y);
}
#endif
LOOP(fast_sigmoid, fa_sigmoid_fast_f32(x[i]))
#ifdef FA_HAVE_SIGMOID_V16
LOOP(rcp_sigmoid_scalar, fa_sigmoid_rcp_f32(x[i]))
__attribute__((noinline)) void rcp_sigmoid(const float *restrict x, float *restrict y, long n)
{
    fa_sigmoid_rcp_array(n, x, y);
}
LOOP(rcp_silu_scalar, fa_silu_rcp_f32(x[i]))
__attribute__((noinline)) void rcp_silu(const float *restrict x, float *restrict y, long n)
{
    fa_silu_rcp_array(n, x, y);
}
#else
#define rcp_sigmoid fast_sigmoid
#define rcp_sigmoid_scalar fast_sigmoid
#define rcp_silu fast_silu
#define rcp_silu_scalar fast_silu
#endif
/* silu' and softplus' (beta = 1): the double-lane float32 formulas fastact used before */
static inline float old_silu_grad_f32(float x)
{
    double xw = x, e = fa_exp_f64(-fabs(xw)), r = 1 / (1 + e);
    double s = xw >= 0 ? r : e * r, n = (1 + xw) + e;
    double g = xw >= 0 ? s * (1 + xw * (e * r)) : s * (n * r);
    return isnan(x) ? x : (float)(isinf(xw) ? s : g);
}
static inline float old_softplus_grad_f32(float x)
{
    double e = fa_exp_w_f32(-fabs((double)x)), d = 1 / (1 + e);
    return (float)(x >= 0 ? d : e * d);
}
LOOP(old_silu_grad, old_silu_grad_f32(x[i]))
LOOP(old_softplus_grad, old_softplus_grad_f32(x[i]))
LOOP(cur_silu_grad, fa_chosen_silu_grad_f32(x[i], 1.0f))
LOOP(cur_softplus_grad, fa_chosen_softplus_grad_f32(x[i], 1.0f, INFINITY))
LOOP(fast_silu, fa_silu_fast_f32(x[i]))
#ifdef FA_HAVE_SOFTPLUS_F32
LOOP(fast_softplus, fa_softplus_fast_f32(x[i]))
#endif
#ifdef FA_HAVE_ATAN_F32
LOOP(fast_atan, fa_atan_fast_f32(x[i]))
#endif
#ifdef FA_HAVE_ELU_F32
LOOP(fast_elu, fa_elu_fast_f32(x[i]))
#endif
#ifdef FA_HAVE_SQUAREPLUS_F32
LOOP(fast_squareplus, fa_squareplus_fast_f32(x[i], SQP_B))
LOOP(fast_squareplus_grad, fa_squareplus_grad_fast_f32(x[i], SQP_B))
#endif
/* fastact's float32 kernels as built from ../../fastact/src */
LOOP(cur_squareplus, fa_chosen_squareplus_f32(x[i], SQP_B))
LOOP(cur_squareplus_grad, fa_chosen_squareplus_grad_f32(x[i], SQP_B))
LOOP(cur_hard_sigmoid, fa_act_hard_sigmoid_f32(x[i]))
LOOP(cur_hard_swish, fa_act_hard_swish_f32(x[i]))
LOOP(cur_sparse_sigmoid, fa_act_sparse_sigmoid_f32(x[i]))
/* what fastact runs for float32 in this variant */
LOOP(cur_exp, fa_chosen_exponential_f32(x[i]))
LOOP(cur_tanh, fa_chosen_tanh_f32(x[i]))
LOOP(cur_sigmoid, fa_chosen_sigmoid_f32(x[i]))
LOOP(cur_silu, fa_chosen_silu_f32(x[i], 1.0f))
LOOP(cur_softplus, fa_chosen_softplus_f32(x[i], 1.0f, INFINITY))
LOOP(cur_atan, fa_act_arctan_f32(x[i]))
LOOP(cur_elu, fa_chosen_elu_f32(x[i], 1.0f))

/* x - tanh(x) in long double: the Taylor series below 1/2 (x - tanh x
 * cancels there), coefficients of tanh from tanh' = 1 - tanh^2. */
static double ref_tanh_shrink(double x)
{
    enum { N = 64 };
    static long double a[N];             /* tanh x = sum a[n] x^n, n odd */
    if (a[1] == 0) {
        long double c[N] = {0};
        c[1] = 1;
        for (int m = 2; m + 1 < N; m += 2) {           /* (m+1) a[m+1] = -sum_{i+j=m} a[i] a[j] */
            long double s = 0;
            for (int i = 1; i < m; i += 2) s += c[i] * c[m - i];
            c[m + 1] = -s / (m + 1);
        }
        memcpy(a, c, sizeof a);
    }
    long double xl = x;
    if (fabsl(xl) >= 0.5L || isnan(x)) return (double)(xl - tanhl(xl));
    long double z = xl * xl, s = 0;
    for (int n = N - 1; n >= 3; n -= 2)                 /* -(a3 x^3 + a5 x^5 + ...) */
        s = s * z - a[n];
    s = s * z * xl;
    return (double)s;
}

static double ref(const char *f, double x)
{
    if (!strcmp(f, "exp")) return exp(x);
    if (!strcmp(f, "tshrgrad")) return tanh(x) * tanh(x);
    if (!strncmp(f, "tshr", 4)) return ref_tanh_shrink(x);
    if (!strncmp(f, "tanh", 4)) return tanh(x);
    if (!strncmp(f, "gelugrad", 8)) {           /* Phi(x) + x phi(x) */
        if (isinf(x)) return x > 0 ? 1.0 : -0.0;
        double a = fabs(x), s = 0.5 * erfc(a / sqrt(2.0)) - a * exp(-0.5 * a * a) / sqrt(2.0 * M_PI);
        return x < 0 ? s : 1.0 - s;
    }
    if (!strncmp(f, "gelu", 4)) return isinf(x) ? (x > 0 ? x : -0.0) : x * 0.5 * erfc(-x / sqrt(2.0));
    if (!strncmp(f, "sigmoid", 7) || !strcmp(f, "softplusgrad")) return 1.0 / (1.0 + exp(-x));
    if (!strcmp(f, "silugrad")) {   /* s (1 + x (1 - s)): near the zero 1 + x (1 - s) is ~2^-52 absolute */
        if (isinf(x)) return x > 0 ? 1.0 : 0.0;
        double e = exp(-fabs(x)), s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        return s * (1 + x * (x >= 0 ? e / (1 + e) : 1 / (1 + e)));
    }
    if (!strncmp(f, "silu", 4) && strcmp(f, "silugrad")) return isinf(x) ? (x > 0 ? x : -0.0) : x / (1.0 + exp(-x));
    if (!strcmp(f, "softplus")) return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
    if (!strcmp(f, "atan")) return atan(x);
    if (!strcmp(f, "elu")) return x > 0 ? x : expm1(x);
    if (!strcmp(f, "squareplus")) {    /* x < 0: b / (2 (r + |x|)), no cancellation */
        double b = SQP_B, r = sqrt(x * x + b);
        return isinf(x) ? (x > 0 ? x : 0.0) : x >= 0 ? (x + r) / 2 : b / (2 * (r - x));
    }
    if (!strcmp(f, "squareplus_grad")) {    /* x < 0: b / (2 r (r + |x|)) */
        double b = SQP_B, r = sqrt(x * x + b);
        return isinf(x) ? (x > 0 ? 1.0 : 0.0) : x >= 0 ? 0.5 * (1 + x / r) : b / (2 * r * (r - x));
    }
    if (!strcmp(f, "hard_sigmoid")) return x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6;
    if (!strcmp(f, "hard_swish")) return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;
    if (!strcmp(f, "sparse_sigmoid")) return x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
    return NAN;
}

/* FA_TERMS=1: the magnitude of the terms a derivative sums (catalog
 * grad_terms), whose ULPs the bound counts; NAN where not given */
static double ref_terms(const char *f, double x)
{
    if (isinf(x)) return 1.0;
    if (!strcmp(f, "silugrad")) {    /* |s| + |x s (1 - s)| */
        double e = exp(-fabs(x)), s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        return s + fabs(x) * s * (x >= 0 ? e / (1 + e) : 1 / (1 + e));
    }
    if (!strncmp(f, "gelugrad", 8))  /* Phi(x) + |x| phi(x) */
        return 0.5 * erfc(-x / sqrt(2.0)) + fabs(x) * exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
    return NAN;
}

struct fn { const char *name; arr_t fast, cur; };
static const struct fn FN[] = {
    {"exp", fast_exp, cur_exp}, {"tanh", fast_tanh, cur_tanh},
    {"tanhtbl", tbl_tanh, fast_tanh}, {"tanhtbls", tbl_tanh_scalar, tbl_tanh},
    {"tshrtbl", tbl_tanh_shrink, cur_tanh_shrink}, {"tshrtbls", tbl_tanh_shrink_scalar, tbl_tanh_shrink},
    {"tshrgrad", tbl_tanh_shrink_grad, cur_tanh_shrink_grad},
#ifdef FA_HAVE_GELU_V16
    {"gelutbl", tbl_gelu, cur_gelu}, {"gelutbls", tbl_gelu_scalar, tbl_gelu},
#endif
#ifdef FA_HAVE_GELU_GRAD_F32
    {"gelugrad", tbl_gelu_grad, old_gelu_grad}, {"gelugrads", tbl_gelu_grad_scalar, tbl_gelu_grad},
#else
    {"gelugrad", 0, old_gelu_grad},
#endif
    {"sigmoid", fast_sigmoid, cur_sigmoid}, {"silu", fast_silu, cur_silu},
    {"sigmoidrcp", rcp_sigmoid, fast_sigmoid}, {"sigmoidrcps", rcp_sigmoid_scalar, rcp_sigmoid},
    {"silurcp", rcp_silu, fast_silu}, {"silurcps", rcp_silu_scalar, rcp_silu},
    /* fast: fastact's kernel as built now; cur: the double-lane formula before */
    {"silugrad", cur_silu_grad, old_silu_grad}, {"softplusgrad", cur_softplus_grad, old_softplus_grad},
#ifdef FA_HAVE_SOFTPLUS_F32
    {"softplus", fast_softplus, cur_softplus},
#else
    {"softplus", 0, cur_softplus},
#endif
#ifdef FA_HAVE_ATAN_F32
    {"atan", fast_atan, cur_atan},
#else
    {"atan", 0, cur_atan},
#endif
#ifdef FA_HAVE_ELU_F32
    {"elu", fast_elu, cur_elu},
#else
    {"elu", 0, cur_elu},
#endif
#ifdef FA_HAVE_SQUAREPLUS_F32
    {"squareplus", fast_squareplus, cur_squareplus},
    {"squareplus_grad", fast_squareplus_grad, cur_squareplus_grad},
#else
    {"squareplus", 0, cur_squareplus},
    {"squareplus_grad", 0, cur_squareplus_grad},
#endif
    /* fastact's own kernels (no separate fast version): check with "cur" */
    {"gelu", 0, cur_gelu}, {"gelugradv", 0, cur_gelu_grad},     /* the variant's choice */
    {"hard_sigmoid", 0, cur_hard_sigmoid}, {"hard_swish", 0, cur_hard_swish},
    {"sparse_sigmoid", 0, cur_sparse_sigmoid},
};
#define NFN ((int)(sizeof FN / sizeof FN[0]))

static float f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t u32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* the spacing of the floats in a's binade (subnormal spacing below) */
static double float_spacing(double a)
{
    int e;
    frexp(fabs(a), &e);
    return ldexp(1.0, (e - 1 < -126 ? -126 : e - 1) - 23);
}

/* ULP of y against double reference r: |y - r| / spacing of r's float binade */
static double ulp_err(float y, double r)
{
    if (isnan(r)) return isnan(y) ? 0 : INFINITY;
    if (isnan(y)) return INFINITY;
    if (isinf(r) || fabs(r) >= 0x1p128) {
        if (isinf(y) && !signbit(y) == !signbit(r)) return 0;
        /* r finite but rounds to inf: float overflow threshold */
        if (!isinf(r)) { double u = 0x1p104; return fabs((double)y - r) / u; }
        return INFINITY;
    }
    if (isinf(y)) return INFINITY;
    int e;
    double ar = fabs(r);
    frexp(ar, &e);                      /* ar in [2^(e-1), 2^e) */
    int ex = e - 1;
    if (ex < -126) ex = -126;
    double u = ldexp(1.0, ex - 23);
    double d = fabs((double)y - r) / u;
    if (r == 0 && y == 0 && !signbit(r) != !signbit(y)) return 1e9;  /* sign of zero */
    return d;
}

static int check(const char *f, const char *which, long stride)
{
    const struct fn *F = 0;
    for (int i = 0; i < NFN; i++) if (!strcmp(FN[i].name, f)) F = &FN[i];
    if (!F) { fprintf(stderr, "no function %s\n", f); return 1; }
    arr_t fun = !strcmp(which, "cur") ? F->cur : F->fast;
    /* derivatives: errors in ULPs of max(|f'|, 2^-20), as tests/ count them */
    int grad = strstr(f, "grad") != NULL && !getenv("FA_NO_FLOOR");   /* FA_NO_FLOOR=1: relative everywhere */
    int terms = getenv("FA_TERMS") != NULL;     /* FA_TERMS=1: ULPs of the terms (ref_terms) */
    if (!fun) { fprintf(stderr, "no %s %s\n", which, f); return 1; }
    const long B = 1 << 16;
    const uint64_t N = 1ull << 32;
    long nblk = (long)(N / (uint64_t)B);
    double gmax = 0; float gworst = 0; float gy = 0; double gref = 0;
    uint64_t cnt1 = 0, cnt05 = 0;
    double t0 = omp_get_wtime();
    ref(f, 0.25);                       /* builds ref_tanh_shrink's table before the threads */
#pragma omp parallel
    {
        float *xi = malloc(B * 4), *yo = malloc(B * 4);
        double lmax = 0; float lw = 0, ly = 0; double lr = 0;
        uint64_t l1 = 0, l05 = 0;
#pragma omp for schedule(dynamic, 16)
        for (long b = 0; b < nblk; b++) {
            long m = 0;
            for (long j = 0; j < B; j++) {
                uint64_t u = (uint64_t)b * B + j;
                if (stride > 1 && u % stride) continue;
                xi[m++] = f32((uint32_t)u);
            }
            fun(xi, yo, m);
            for (long j = 0; j < m; j++) {
                double r = ref(f, (double)xi[j]);
                if (fabs(r) < MIN_REF) continue;    /* FA_MIN_REF: e.g. skip subnormal results */
                double e = ulp_err(yo[j], r), tm = terms ? ref_terms(f, xi[j]) : NAN;
                if (!isnan(tm) && !isnan(yo[j]) && !isinf(r)) {   /* ULPs of the terms */
                    e = fmin(e, fabs((double)yo[j] - r) / float_spacing(tm));
                    if (fabs(r) >= 0x1p-126 && yo[j] == 0) e = 1e9;   /* a normal result as 0 */
                } else if (grad && fabs(r) < 0x1p-20 && !isnan(yo[j]))   /* ULPs of 2^-20 */
                    e = fmin(e, fabs((double)yo[j] - r) / 0x1p-43);
                if (e > 1.0) l1++;
                if (e > 0.5) l05++;
                if (e > lmax || (e != e)) { lmax = e; lw = xi[j]; ly = yo[j]; lr = r; }
            }
        }
#pragma omp critical
        {
            if (lmax > gmax) { gmax = lmax; gworst = lw; gy = ly; gref = lr; }
            cnt1 += l1; cnt05 += l05;
        }
        free(xi); free(yo);
    }
    printf("%-9s %-4s max %.4f ULP at x=%.9g (0x%08x) y=%.9g ref=%.12g  n>1ULP=%llu n>0.5ULP=%llu  stride=%ld (%.0fs)\n",
           f, which, gmax, gworst, u32(gworst), gy, gref, (unsigned long long)cnt1,
           (unsigned long long)cnt05, stride, omp_get_wtime() - t0);
    return 0;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
static double timeit(arr_t f, const float *x, float *y, long n, int reps)
{
    double *t = malloc(reps * sizeof(double));
    f(x, y, n);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        f(x, y, n);
        t[r] = now() - t0;
    }
    qsort(t, reps, sizeof(double), cmpd);
    double m = t[reps / 2] / n * 1e9;
    free(t);
    return m;
}

static int bench(long n, int reps, const char *only)
{
    float *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4);
    srand(1);
    for (long i = 0; i < n; i++) x[i] = -10.0f + 20.0f * (float)rand() / (float)RAND_MAX;
    printf("%-9s %10s %10s %8s   (ns/element, median of %d, n=%ld, uniform[-10,10])\n",
           "function", "fast", "current", "speedup", reps, n);
    for (int i = 0; i < NFN; i++) {
        if (only && strcmp(only, FN[i].name)) continue;
        double tc = timeit(FN[i].cur, x, y, n, reps);
        double tf = FN[i].fast ? timeit(FN[i].fast, x, y, n, reps) : NAN;
        printf("%-9s %10.3f %10.3f %8.2fx\n", FN[i].name, tf, tc, tc / tf);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (getenv("FA_B")) SQP_B = (float)atof(getenv("FA_B"));
    if (getenv("FA_MIN_REF")) MIN_REF = atof(getenv("FA_MIN_REF"));
    if (argc >= 3 && !strcmp(argv[1], "check"))
        return check(argv[2], argc >= 4 ? argv[3] : "fast", argc >= 5 ? atol(argv[4]) : 1);
    if (argc >= 2 && !strcmp(argv[1], "bench"))
        return bench(argc >= 3 ? atol(argv[2]) : 1000000, argc >= 4 ? atoi(argv[3]) : 301,
                     argc >= 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: %s check <func> [fast|cur] [stride] | bench [n] [reps] [func]\n", argv[0]);
    return 2;
}
