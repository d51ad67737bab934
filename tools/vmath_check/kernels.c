/* The kernels under test: one `omp simd` array loop and one out-of-line scalar
 * call per function and dtype of funcs.h.  Built with -O3 -fopenmp-simd -ffp-contract=off
 * -fno-trapping-math -Ifastact/src [-march=...]; tools/vmath_check/run.py disassembles arr_* to check that
 * they are vectorised and call no libm function. */
#include "vmath/fa_vmath.h"
#include "funcs.h"

#define DEF1(name, T, suf)                                                    \
    void arr_##name##_##suf(const T *restrict x, T *restrict y, long n)       \
    {                                                                         \
        _Pragma("omp simd")                                                   \
        for (long i = 0; i < n; i++)                                          \
            y[i] = fa_##name##_##suf(x[i]);                                   \
    }                                                                         \
    __attribute__((noinline)) T one_##name##_##suf(T x) { return fa_##name##_##suf(x); }
#define DEF_IF_0(name, T, suf)
#define DEF_IF_1(name, T, suf) DEF1(name, T, suf)
#define DEF(name, h32, h64) DEF_IF_##h32(name, float, f32) DEF_IF_##h64(name, double, f64)
FA_CHECK_FUNCS(DEF)
