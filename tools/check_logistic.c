/* Accuracy of the logistic-family kernels (fastact/src/vmath/fa_exp32.h and their
 * users), as quoted in docs/accuracy.md:
 *   float32: every float (or every STEP-th) for sigmoid, silu, silu' and
 *            softplus' from y (beta = 1) against double libm formulas;
 *   float64: 4 x 10^6 random inputs for sigmoid, silu, silu', softplus,
 *            log_sigmoid and softplus' from y against long double.
 * silu' is measured in ULPs of its terms |s| + |x s (1 - s)|.
 * The functions are the variant table's (variant_table.h, rendered by
 * setup.py) for FA_VARIANT:
 *   gcc -O3 -march=x86-64-v3 -DFA_VARIANT=avx2 -ffp-contract=off -fno-math-errno \
 *       -fno-trapping-math -fopenmp -Ifastact/src tools/check_logistic.c -lm
 *   OMP_NUM_THREADS=2 ./a.out [STEP] [f32|f64]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels/activations.h"
#include "kernels/variant_table.h"

static double rsig(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }
static double rsilu(double x) { return x * rsig(x); }
static double rsgrad(double x) { return rsig(x) * (1 + x * rsig(-x)); }
static double rterms(double x) { return fabs(rsig(x)) + fabs(x * rsig(x) * rsig(-x)); }
static double rspy(double y) { return -expm1(-y); }

static double ulp32(double v)
{
    int e;
    v = fabs(v);
    if (v < 0x1p-126) return 0x1p-149;
    frexp(v, &e);
    return ldexp(1.0, e - 24);
}
static double ulp64(long double v)
{
    int e;
    v = fabsl(v);
    if (v < 0x1p-1022L) return 0x1p-1074;
    frexpl(v, &e);
    return ldexp(1.0, e - 53);
}

static float k_sig(float x) { return fa_chosen_sigmoid_f32(x); }
static float k_silu(float x) { return fa_chosen_silu_f32(x, 1.0f); }
static float k_sgrad(float x) { return fa_chosen_silu_grad_f32(x, 1.0f); }
static float k_spy(float y) { return fa_chosen_softplus_grad_y_f32(y, 1.0f, INFINITY); }

/* max error over float inputs (NaN skipped; infinities must match) */
static void sweep32(const char *name, float (*f)(float), double (*ref)(double),
                    double (*scale)(double), long step, int nonneg)
{
    double mx = 0;
    uint32_t worst = 0;
    int64_t end = nonneg ? 0x80000000LL : 0x100000000LL;
#pragma omp parallel
    {
        double lmx = 0;
        uint32_t lw = 0;
#pragma omp for schedule(dynamic, 64)
        for (int64_t c = 0; c < end / 65536; c++)
            for (int64_t b = c * 65536; b < (c + 1) * 65536; b += step) {
                float x = fa_from_bits_f32((uint32_t)b);
                if (x != x) continue;
                double y = f(x), want = ref(x), err;
                if (isinf(want) || isinf(y)) err = y == (float)want ? 0 : INFINITY;
                else err = fabs(y - want) / ulp32(scale(x));
                if (err > lmx) { lmx = err; lw = (uint32_t)b; }
            }
#pragma omp critical
        if (lmx > mx) { mx = lmx; worst = lw; }
    }
    printf("float32 %-24s max %.4f ULP at %.9g\n", name, mx, fa_from_bits_f32(worst));
}

static long double lsig(long double x) { return x >= 0 ? 1 / (1 + expl(-x)) : expl(x) / (1 + expl(x)); }
static long double lsp(long double x) { return (x > 0 ? x : 0) + log1pl(expl(-fabsl(x))); }
static double rnd(void) { return (rand() + 0.5) / (RAND_MAX + 1.0); }

static void check64(void)
{
    const char *names[] = {"sigmoid", "silu", "silu'", "softplus", "log_sigmoid"};
    for (int which = 0; which < 5; which++) {
        double mx = 0, at = 0;
        srand(1);
        for (long i = 0; i < 4000000; i++) {
            double x;
            switch (i % 4) {
            case 0: x = (rnd() * 2 - 1) * 8; break;
            case 1: x = (rnd() * 2 - 1) * 800; break;
            case 2: x = (rnd() * 2 - 1) * 0.01; break;
            default: x = -1.2785 + (rnd() * 2 - 1) * 0.3;
            }
            long double X = x, s = lsig(X), want, scale;
            double y;
            switch (which) {
            case 0: y = fa_chosen_sigmoid_f64(x); want = scale = s; break;
            case 1: y = fa_chosen_silu_f64(x, 1.0); want = scale = X * s; break;
            case 2: y = fa_chosen_silu_grad_f64(x, 1.0); want = s * (1 + X * lsig(-X));
                    scale = fabsl(s) + fabsl(X * s * lsig(-X)); break;
            case 3: y = fa_chosen_softplus_f64(x, 1.0, INFINITY); want = scale = lsp(X); break;
            default: y = fa_chosen_log_sigmoid_f64(x); want = scale = -lsp(-X);
            }
            double err = fabsl((long double)y - want) / ulp64(scale);
            if (err > mx) { mx = err; at = x; }
        }
        printf("float64 %-24s max %.3f ULP at %.17g\n", names[which], mx, at);
    }
    double mx = 0, at = 0;
    srand(2);
    for (long i = 0; i < 4000000; i++) {
        double y = exp(rnd() * 60 - 50), got = fa_chosen_softplus_grad_y_f64(y, 1.0, INFINITY);
        double err = fabsl((long double)got + expm1l(-(long double)y)) / ulp64(-expm1l(-(long double)y));
        if (err > mx) { mx = err; at = y; }
    }
    printf("float64 %-24s max %.3f ULP at %.17g\n", "softplus' from y", mx, at);
}

int main(int argc, char **argv)
{
    long step = argc > 1 ? atol(argv[1]) : 1;
    const char *only = argc > 2 ? argv[2] : "";
    if (strcmp(only, "f64")) {
        sweep32("sigmoid", k_sig, rsig, rsig, step, 0);
        sweep32("silu", k_silu, rsilu, rsilu, step, 0);
        sweep32("silu' (terms)", k_sgrad, rsgrad, rterms, step, 0);
        sweep32("softplus' from y", k_spy, rspy, rspy, step, 1);
    }
    if (strcmp(only, "f32"))
        check64();
    return 0;
}
