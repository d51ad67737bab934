/* The helpers every layer shares (the math core, the kernels, the runtime):
 * the inline macro, the FMA macros, bit casts, selects, masks, abs,
 * copysign, clamps.  No other header defines these.
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

/* a * b + c: one fused rounding with -mfma (x86-64-v3/v4), otherwise a
 * separate multiply and add.  Builds use -ffp-contract=off, so that the
 * vector body and the scalar remainder of a loop round alike. */
#if defined(__FMA__)
#define FA_FMA_F64(a, b, c) __builtin_fma((a), (b), (c))
#define FA_FMA_F32(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define FA_FMA_F64(a, b, c) ((a) * (b) + (c))
#define FA_FMA_F32(a, b, c) ((a) * (b) + (c))
#endif

/* Bit casts. */
FA_INLINE uint32_t fa_bits_f32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
FA_INLINE float fa_from_bits_f32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
FA_INLINE uint64_t fa_bits_f64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
FA_INLINE double fa_from_bits_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* cond ? a : b, both arms already evaluated.  Built with
 * -fno-trapping-math, GCC turns this into a vector blend for both dtypes
 * (a 64-bit integer bit-mask blend does not vectorise on the SSE2
 * baseline, which lacks 64-bit integer compares). */
FA_INLINE float fa_select_f32(int cond, float a, float b) { return cond ? a : b; }
FA_INLINE double fa_select_f64(int cond, double a, double b) { return cond ? a : b; }

/* cond ? a : b as a bit blend (the float-lane kernels' select; not merged
 * with fa_select_f32: the compiled code differs, and with it the sign of
 * some NaN results). */
FA_INLINE float fa_blend_f32(int c, float a, float b)
{
    uint32_t m = (uint32_t)0 - (uint32_t)(c != 0);
    return fa_from_bits_f32((fa_bits_f32(a) & m) | (fa_bits_f32(b) & ~m));
}

/* float64 selects on a 64-bit mask built WITHOUT a floating-point compare
 * (the math core's): GCC 12 does not vectorise a double compare feeding a
 * 64-bit mask on the SSE2 baseline (no 64-bit vector compare there), but it
 * does vectorise sub/shift/and on 64-bit lanes.  Masks: all ones = true.
 *   fa_mask_lt_f64(a, b): a < b, from the sign of a - b (a, b not NaN, not both
 *                   infinite; NB: -0 < +0 is "true");
 *   fa_mask_eq_f64(a, b): bitwise equality (-0 != +0);
 *   fa_mask_nan_f64(x):  x is NaN. */
FA_INLINE uint64_t fa_mask_lt_f64(double a, double b) { return (uint64_t)0 - (fa_bits_f64(a - b) >> 63); }
FA_INLINE uint64_t fa_mask_gt_f64(double a, double b) { return fa_mask_lt_f64(b, a); }
FA_INLINE uint64_t fa_mask_eq_f64(double a, double b)
{
    uint64_t v = fa_bits_f64(a) ^ fa_bits_f64(b);
    return ((v | ((uint64_t)0 - v)) >> 63) - 1;
}
FA_INLINE uint64_t fa_mask_nan_f64(double x)
{
    return ((((fa_bits_f64(x) & 0x7fffffffffffffffull) - 0x7ff0000000000001ull)) >> 63) - 1;
}
FA_INLINE double fa_blend_f64(uint64_t m, double a, double b)
{
    return fa_from_bits_f64((fa_bits_f64(a) & m) | (fa_bits_f64(b) & ~m));
}

/* abs and copysign (|mag| with the sign of s): compiler builtins, always
 * inline (andps/orps), never a libm call. */
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
