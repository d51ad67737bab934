/* Small helpers shared by the math core and the element formulas.
 *
 * Every helper is branch-free.  GCC 12 will not vectorise a floating-point
 * `c ? a : b` whose arms hold arithmetic unless -fno-trapping-math is given
 * (docs/design.md, "Numerics"); setup.py passes it: it changes no value, only
 * lets the compiler evaluate both arms, and the loops clear the
 * floating-point flags anyway.
 */
#ifndef FA_COMMON_H
#define FA_COMMON_H

#include <stdint.h>
#include <string.h>

/* Everything a kernel loop calls must be inlined into it, or the loop
 * cannot vectorise; the generated file is large enough for GCC's inlining
 * budget to give up, so force it. */
#ifndef FA_INLINE
#if defined(__GNUC__) || defined(__clang__)
#define FA_INLINE static inline __attribute__((always_inline))
#else
#define FA_INLINE static inline
#endif
#endif

/* Same size and meaning as npy_intp (NumPy defines it as Py_intptr_t). */
typedef intptr_t fa_intp;

FA_INLINE uint32_t fa_bits_f32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
FA_INLINE float fa_from_bits_f32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* cond ? a : b, both arms already evaluated.  Built with
 * -fno-trapping-math, GCC turns this into a vector blend for both dtypes
 * (a 64-bit integer bit-mask blend does not vectorise on the SSE2
 * baseline, which lacks 64-bit integer compares). */
FA_INLINE float fa_select_f32(int cond, float a, float b) { return cond ? a : b; }
FA_INLINE double fa_select_f64(int cond, double a, double b) { return cond ? a : b; }

/* Compiler builtins: always inline (andps/orps), never a libm call. */
FA_INLINE float fa_abs_f32(float x) { return __builtin_fabsf(x); }
FA_INLINE double fa_abs_f64(double x) { return __builtin_fabs(x); }
FA_INLINE float fa_copysign_f32(float x, float s) { return __builtin_copysignf(x, s); }
FA_INLINE double fa_copysign_f64(double x, double s) { return __builtin_copysign(x, s); }

/* min/max that return x when x is NaN (so NaN propagates through clamps). */
FA_INLINE float fa_clamp_f32(float x, float lo, float hi)
{
    float t = x < lo ? lo : x;
    return t > hi ? hi : t;
}
FA_INLINE double fa_clamp_f64(double x, double lo, double hi)
{
    double t = x < lo ? lo : x;
    return t > hi ? hi : t;
}

#endif
