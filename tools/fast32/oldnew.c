/* One side of an old-vs-new comparison of fastact's float32 kernels
 * (oldnew_main.c): compiled once against the old fastact/src (SIDE=old)
 * and once against the new one (SIDE=new), each exporting SIDE_<name>,
 * a contiguous omp-simd loop over act_<name>_f32, as kernels.c runs it. */
#include <math.h>
#include "activations.h"
#define CAT(a, b) a##_##b
#define NAME(side, f) CAT(side, f)
#define LOOP(f, expr)                                                          \
    void NAME(SIDE, f)(const float *restrict x, float *restrict y, long n)    \
    {                                                                          \
        _Pragma("omp simd")                                                    \
        for (long i = 0; i < n; i++) y[i] = expr;                              \
    }
#include "oldnew_list.h"
