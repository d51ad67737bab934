/* Old vs new float32 kernels (built by oldnew.sh from oldnew.c twice):
 *   ./build/oldnew_v4 same <name>          bit differences over all 2^32 inputs
 *                                          (odd lengths, so remainders run too)
 *   ./build/oldnew_v4 bench [n] [reps] [name]   median ns/element, single thread,
 *                                          n floats uniform in [-10, 10] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <omp.h>
typedef void (*arr_t)(const float *restrict, float *restrict, long);
#define LOOP(f, expr) void old_##f(const float *restrict, float *restrict, long); \
                      void new_##f(const float *restrict, float *restrict, long);
#include "oldnew_list.h"
#undef LOOP
struct fn { const char *name; arr_t old, new_; };
#define LOOP(f, expr) {#f, old_##f, new_##f},
static const struct fn FN[] = {
#include "oldnew_list.h"
};
#undef LOOP
#define NFN ((int)(sizeof FN / sizeof FN[0]))

static int same(const struct fn *F)
{
    enum { B = 1 << 16 };
    unsigned long long diff = 0, nandiff = 0;
    uint32_t first = 0;
    int have_first = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel reduction(+:diff, nandiff)
    {
        float *x = malloc(B * 4), *yo = malloc(B * 4), *yn = malloc(B * 4);
#pragma omp for schedule(dynamic, 16)
        for (long blk = 0; blk < (1L << 32) / B; blk++) {
            long m = B - (blk & 7);
            for (long j = 0; j < B; j++) { uint32_t u = (uint32_t)(blk * B + j); memcpy(&x[j], &u, 4); }
            F->old(x, yo, m);
            F->new_(x, yn, m);
            for (long j = 0; j < m; j++) {
                uint32_t a, b;
                memcpy(&a, &yo[j], 4); memcpy(&b, &yn[j], 4);
                if (a == b) continue;
                if (isnan(yo[j]) && isnan(yn[j])) { nandiff++; continue; }
                diff++;
#pragma omp critical
                if (!have_first) {
                    have_first = 1; memcpy(&first, &x[j], 4);
                    printf("  first difference: x=%.9g old=%.9g new=%.9g\n", x[j], yo[j], yn[j]);
                }
            }
        }
        free(x); free(yo); free(yn);
    }
    printf("%-20s bit differences: %llu (NaN payload only: %llu)  (%.0fs)\n",
           F->name, diff, nandiff, omp_get_wtime() - t0);
    return diff != 0;
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

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "same")) {
        for (int i = 0; i < NFN; i++)
            if (!strcmp(FN[i].name, argv[2])) return same(&FN[i]);
        fprintf(stderr, "no function %s\n", argv[2]);
        return 2;
    }
    if (argc >= 2 && !strcmp(argv[1], "bench")) {
        long n = argc >= 3 ? atol(argv[2]) : 1000000;
        int reps = argc >= 4 ? atoi(argv[3]) : 201;
        float *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4);
        srand(1);
        for (long i = 0; i < n; i++) x[i] = -10.0f + 20.0f * (float)rand() / (float)RAND_MAX;
        printf("%-20s %8s %8s  (ns/element, median of %d, n=%ld, one thread)\n", "function", "old", "new", reps, n);
        for (int i = 0; i < NFN; i++) {
            if (argc >= 5 && strcmp(argv[4], FN[i].name)) continue;
            double to = timeit(FN[i].old, x, y, n, reps), tn = timeit(FN[i].new_, x, y, n, reps);
            printf("%-20s %8.3f %8.3f  %.2fx\n", FN[i].name, to, tn, to / tn);
        }
        return 0;
    }
    fprintf(stderr, "usage: %s same <name> | bench [n] [reps] [name]\n", argv[0]);
    return 2;
}
