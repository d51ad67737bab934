/* Accuracy / identity / flags / timing helpers called from run.py (ctypes).
 * Built with -O2 -fopenmp (threads only parallelise the exhaustive scans).
 * References: glibc double functions for float results (their error,
 * < 2^-52 relative, is invisible at float ULP scale) and glibc long double
 * (64-bit mantissa) for double results; run.py cross-checks both with mpmath. */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "funcs.h"

typedef void (*arr32_t)(const float *, float *, long);
typedef void (*arr64_t)(const double *, double *, long);
typedef float (*one32_t)(float);
typedef double (*one64_t)(double);

/* funcs.h: X(name, f32, f64), 1 where the dtype is under test; the tables
 * below hold NULL for the others (run.py asks has_f32/has_f64 first). */
#define DECL_0(name, T, suf)
#define DECL_1(name, T, suf)                                                \
    void arr_##name##_##suf(const T *, T *, long);                          \
    T one_##name##_##suf(T);
#define DECL(name, h32, h64) DECL_##h32(name, float, f32) DECL_##h64(name, double, f64)
FA_CHECK_FUNCS(DECL)

#define PTR_0(p) NULL,
#define PTR_1(p) p,
#define P32(name, h32, h64) PTR_##h32(arr_##name##_f32)
#define P64(name, h32, h64) PTR_##h64(arr_##name##_f64)
#define O32(name, h32, h64) PTR_##h32(one_##name##_f32)
#define O64(name, h32, h64) PTR_##h64(one_##name##_f64)
static const arr32_t ARR32[] = {FA_CHECK_FUNCS(P32)};
static const arr64_t ARR64[] = {FA_CHECK_FUNCS(P64)};
static const one32_t ONE32[] = {FA_CHECK_FUNCS(O32)};
static const one64_t ONE64[] = {FA_CHECK_FUNCS(O64)};
#define NF ((int)(sizeof ARR32 / sizeof ARR32[0]))

int nfuncs(void) { return NF; }
int has_f32(int f) { return ARR32[f] != NULL; }
int has_f64(int f) { return ARR64[f] != NULL; }

/* ids follow funcs.h order */
enum { F_EXP, F_EXPM1, F_LOG1P, F_TANH, F_SIGMOID, F_ERFC, F_ATAN };

static double ref_d(int f, double x)
{
    switch (f) {
    case F_EXP: return exp(x);
    case F_EXPM1: return expm1(x);
    case F_LOG1P: return log1p(x);
    case F_TANH: return tanh(x);
    case F_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case F_ERFC: return erfc(x);
    case F_ATAN: return atan(x);
    }
    return NAN;
}
static long double ref_l(int f, long double x)
{
    switch (f) {
    case F_EXP: return expl(x);
    case F_EXPM1: return expm1l(x);
    case F_LOG1P: return log1pl(x);
    case F_TANH: return tanhl(x);
    case F_SIGMOID: return 1.0L / (1.0L + expl(-x));
    case F_ERFC: return erfcl(x);
    case F_ATAN: return atanl(x);
    }
    return NAN;
}

/* error of got in ULPs of the reference's binade; 1e9 = wrong special value */
static double ulp32(float got, double ref)
{
    if (isnan(ref)) return isnan(got) ? 0 : 1e9;
    if (isnan(got)) return 1e9;
    float rf = (float)ref;
    if (isinf(rf) || isinf(got)) {
        if (got == rf) return 0;
        if (isinf(got)) return 1e9;
        return fabs((double)got - ref) / 0x1p104;
    }
    double a = fabs(ref);
    int e;
    frexp(a, &e);
    double u = a < FLT_MIN ? 0x1p-149 : ldexp(1.0, e - 24);
    return fabs((double)got - ref) / u;
}
static double ulp64(double got, long double ref)
{
    if (isnan(ref)) return isnan(got) ? 0 : 1e9;
    if (isnan(got)) return 1e9;
    double rd = (double)ref;
    if (isinf(rd) || isinf(got)) {
        if (got == rd) return 0;
        if (isinf(got)) return 1e9;
        return (double)(fabsl((long double)got - ref) / 0x1p971L);
    }
    long double a = fabsl(ref);
    int e;
    frexpl(a, &e);
    long double u = a < DBL_MIN ? 0x1p-1074L : ldexpl(1.0L, e - 53);
    return (double)(fabsl((long double)got - ref) / u);
}

typedef struct {
    double maxulp;
    double worst_x;
    double n;          /* inputs checked */
    double n_gt_half;  /* inputs with error > 0.5 ULP (not correctly rounded) */
    double n_gt_1;     /* inputs with error > 1 ULP */
    double n_mismatch; /* array loop != scalar call (bitwise) */
} stats_t;

static void merge(stats_t *a, const stats_t *b)
{
    if (b->maxulp > a->maxulp) { a->maxulp = b->maxulp; a->worst_x = b->worst_x; }
    a->n += b->n; a->n_gt_half += b->n_gt_half; a->n_gt_1 += b->n_gt_1; a->n_mismatch += b->n_mismatch;
}

/* float32: every stride-th bit pattern in [lo, hi) (stride 1 = exhaustive) */
void scan_f32(int f, uint64_t lo, uint64_t hi, uint64_t stride, stats_t *out)
{
    memset(out, 0, sizeof *out);
    const long CH = 1 << 14;
    uint64_t nblocks = (hi - lo + stride * CH - 1) / (stride * CH);
#pragma omp parallel
    {
        stats_t st = {0};
        float *x = malloc(CH * 4), *y = malloc(CH * 4);
#pragma omp for schedule(dynamic, 16)
        for (uint64_t b = 0; b < nblocks; b++) {
            long n = 0;
            for (uint64_t i = lo + b * stride * CH; i < hi && n < CH; i += stride) {
                uint32_t u = (uint32_t)i;
                memcpy(&x[n++], &u, 4);
            }
            ARR32[f](x, y, n);
            for (long j = 0; j < n; j++) {
                double e = ulp32(y[j], ref_d(f, (double)x[j]));
                if (e > st.maxulp) { st.maxulp = e; st.worst_x = x[j]; }
                st.n_gt_half += e > 0.5;
                st.n_gt_1 += e > 1.0;
                if ((j & 63) == 0) {
                    float s = ONE32[f](x[j]);
                    st.n_mismatch += memcmp(&s, &y[j], 4) != 0;
                }
            }
            st.n += n;
        }
#pragma omp critical
        merge(out, &st);
        free(x);
        free(y);
    }
}

/* float64: the given inputs (ulp[] receives the per-input error) */
void check_f64(int f, const double *x, long n, double *ulp, stats_t *out)
{
    memset(out, 0, sizeof *out);
    double *y = malloc(n * 8);
    ARR64[f](x, y, n);
#pragma omp parallel
    {
        stats_t st = {0};
#pragma omp for
        for (long j = 0; j < n; j++) {
            double e = ulp64(y[j], ref_l(f, (long double)x[j]));
            ulp[j] = e;
            if (e > st.maxulp) { st.maxulp = e; st.worst_x = x[j]; }
            st.n_gt_half += e > 0.5;
            st.n_gt_1 += e > 1.0;
            double s = ONE64[f](x[j]);
            st.n_mismatch += memcmp(&s, &y[j], 8) != 0;
            st.n += 1;
        }
#pragma omp critical
        merge(out, &st);
    }
    free(y);
}

void eval_f32(int f, const float *x, float *y, long n) { ARR32[f](x, y, n); }
void eval_f64(int f, const double *x, double *y, long n) { ARR64[f](x, y, n); }
void eval1_f32(int f, const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = ONE32[f](x[i]); }
void eval1_f64(int f, const double *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = ONE64[f](x[i]); }

/* FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO raised by the array loop */
int flags_f32(int f, const float *x, float *y, long n)
{
    feclearexcept(FE_ALL_EXCEPT);
    ARR32[f](x, y, n);
    return fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO);
}
int flags_f64(int f, const double *x, double *y, long n)
{
    feclearexcept(FE_ALL_EXCEPT);
    ARR64[f](x, y, n);
    return fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO);
}
int fe_overflow(void) { return FE_OVERFLOW; }
int fe_invalid(void) { return FE_INVALID; }
int fe_divbyzero(void) { return FE_DIVBYZERO; }

/* ---- timing: glibc scalar loops (not vectorised: no -ffast-math) ---- */
__attribute__((noinline)) static void libm32(int f, const float *x, float *y, long n)
{
    switch (f) {
    case F_EXP: for (long i = 0; i < n; i++) y[i] = expf(x[i]); break;
    case F_EXPM1: for (long i = 0; i < n; i++) y[i] = expm1f(x[i]); break;
    case F_LOG1P: for (long i = 0; i < n; i++) y[i] = log1pf(x[i]); break;
    case F_TANH: for (long i = 0; i < n; i++) y[i] = tanhf(x[i]); break;
    case F_SIGMOID: for (long i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i])); break;
    case F_ERFC: for (long i = 0; i < n; i++) y[i] = erfcf(x[i]); break;
    case F_ATAN: for (long i = 0; i < n; i++) y[i] = atanf(x[i]); break;
    }
}
__attribute__((noinline)) static void libm64(int f, const double *x, double *y, long n)
{
    switch (f) {
    case F_EXP: for (long i = 0; i < n; i++) y[i] = exp(x[i]); break;
    case F_EXPM1: for (long i = 0; i < n; i++) y[i] = expm1(x[i]); break;
    case F_LOG1P: for (long i = 0; i < n; i++) y[i] = log1p(x[i]); break;
    case F_TANH: for (long i = 0; i < n; i++) y[i] = tanh(x[i]); break;
    case F_SIGMOID: for (long i = 0; i < n; i++) y[i] = 1.0 / (1.0 + exp(-x[i])); break;
    case F_ERFC: for (long i = 0; i < n; i++) y[i] = erfc(x[i]); break;
    case F_ATAN: for (long i = 0; i < n; i++) y[i] = atan(x[i]); break;
    }
}
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
static int cmpd(const void *a, const void *b) { double d = *(double *)a - *(double *)b; return (d > 0) - (d < 0); }

/* median ns/element over reps runs; which: 0 = fastact loop, 1 = glibc loop */
double time_f32(int f, int which, const float *x, float *y, long n, int reps)
{
    double t[64];
    for (int r = 0; r < reps && r < 64; r++) {
        double t0 = now();
        if (which) libm32(f, x, y, n); else ARR32[f](x, y, n);
        t[r] = (now() - t0) / n * 1e9;
    }
    qsort(t, reps, sizeof(double), cmpd);
    return t[reps / 2];
}
double time_f64(int f, int which, const double *x, double *y, long n, int reps)
{
    double t[64];
    for (int r = 0; r < reps && r < 64; r++) {
        double t0 = now();
        if (which) libm64(f, x, y, n); else ARR64[f](x, y, n);
        t[r] = (now() - t0) / n * 1e9;
    }
    qsort(t, reps, sizeof(double), cmpd);
    return t[reps / 2];
}
