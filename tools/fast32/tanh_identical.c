/* Checks that the AVX-512 table tanh (fa_tanh_tbl_array, masked tails included) and its scalar
 * statement fa_tanh_tbl_f32 give the same bits for all 2^32 float32 inputs.
 *   gcc -O2 -fopenmp -march=x86-64-v4 -ffp-contract=off -fno-trapping-math -fno-math-errno \
 *       -I../../fastact/src tanh_identical.c -o build/tanh_identical -lm && ./build/tanh_identical */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include "activations.h"
int main(void) {
    enum { B = 1 << 16 };
    static float x[B], yv[B], ys[B];
    unsigned long long diff = 0, nandiff = 0;
    #pragma omp parallel for reduction(+:diff,nandiff) private(x, yv, ys)
    for (long blk = 0; blk < (1L << 32) / B; blk++) {
        for (long j = 0; j < B; j++) { uint32_t u = (uint32_t)(blk * B + j); memcpy(&x[j], &u, 4); }
        fa_tanh_tbl_array(B - (blk & 7), x, yv);          /* odd lengths: masked tails too */
        for (long j = 0; j < B - (blk & 7); j++) {
            volatile float xs = x[j];
            ys[j] = fa_tanh_tbl_f32(xs);
            uint32_t a, b; memcpy(&a, &yv[j], 4); memcpy(&b, &ys[j], 4);
            if (a != b) { if (isnan(yv[j]) && isnan(ys[j])) nandiff++; else diff++; }
        }
    }
    printf("bit differences: %llu (NaN payload differences %llu)\n", diff, nandiff);
    return diff != 0;
}
