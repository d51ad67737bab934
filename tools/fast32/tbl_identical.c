/* Checks that the AVX-512 table tanh (TBL_ARRAY, masked tails included) and its scalar
 * statement TBL_SCALAR give the same bits for all 2^32 float32 inputs.
 *   gcc -O2 -fopenmp -march=x86-64-v4 -ffp-contract=off -fno-trapping-math -fno-math-errno \
 *       -I../../fastact/src tanh_identical.c -o build/tanh_identical -lm && ./build/tanh_identical */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include "activations.h"
#ifndef FN
#define FN tanh
#endif
#define CAT3(a, b, c) a##b##c
#define NAME3(a, b, c) CAT3(a, b, c)
#ifndef KIND
#define KIND _tbl                 /* -DFN=sigmoid -DKIND=_rcp: fa_sigmoid_rcp_array / _f32 */
#endif
#define CAT4(a, b, c, d) a##b##c##d
#define NAME4(a, b, c, d) CAT4(a, b, c, d)
#define TBL_ARRAY NAME4(fa_, FN, KIND, _array)
#define TBL_SCALAR NAME4(fa_, FN, KIND, _f32)
int main(void) {
    enum { B = 1 << 16 };
    static float x[B], yv[B], ys[B];
    unsigned long long diff = 0, nandiff = 0;
    #pragma omp parallel for reduction(+:diff,nandiff) private(x, yv, ys)
    for (long blk = 0; blk < (1L << 32) / B; blk++) {
        for (long j = 0; j < B; j++) { uint32_t u = (uint32_t)(blk * B + j); memcpy(&x[j], &u, 4); }
        TBL_ARRAY(B - (blk & 7), x, yv);          /* odd lengths: masked tails too */
        for (long j = 0; j < B - (blk & 7); j++) {
            volatile float xs = x[j];
            ys[j] = TBL_SCALAR(xs);
            uint32_t a, b; memcpy(&a, &yv[j], 4); memcpy(&b, &ys[j], 4);
            if (a != b) { if (isnan(yv[j]) && isnan(ys[j])) nandiff++; else diff++; }
        }
    }
    printf("bit differences: %llu (NaN payload differences %llu)\n", diff, nandiff);
    return diff != 0;
}
