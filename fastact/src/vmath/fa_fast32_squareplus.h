/* fa_fast32_squareplus.h -- float-lane float32 squareplus and its derivative
 * (FMA builds).
 *
 * squareplus(x) = (x + r)/2, r = sqrt(x^2 + b), in float lanes instead of
 * double ones (fa_fast32.h conventions: include after fa_vmath.h; static
 * inline and branch-free).  It covers b in [2^-30, 2^30], where nothing
 * over- or underflows before the final result; formulas.h keeps the
 * double-lane method for other b (a loop-invariant test: GCC unswitches).
 *   a = |x| clamped at 2^40 (above it the result is x or (b/4)/a: r = a
 *   and the low parts vanish; 2a could overflow);
 *   x^2 + b = zh + zl exactly (FMA product, Fast2Sum of the larger first);
 *   r = r0 + rl: r0 = sqrt(zh) rounded, rl = (zh - r0^2 + zl)/(2 r0) from
 *   the exact FMA residual;
 *   x >= 0: (x + r0 + rl)/2, x + r0 as an exact Fast2Sum pair (r0 >= x),
 *           so the result is rounded once;
 *   x <  0: b / (2 (r + a)), no cancellation: d = r0 + a = dh + dl (Fast2Sum,
 *           rl added to dl), q = (b/2)/dh rounded, then q + (b/2 - q dh -
 *           q dl)/dh with the FMA residual; 1/dh ~ q (2/b) suffices there.
 * Two divisions and a square root per element.  Exhaustive max ULP over all
 * 2^32 inputs: docs/accuracy.md (tools/exhaustive). */
#ifndef FA_FAST32_SQUAREPLUS_H
#define FA_FAST32_SQUAREPLUS_H

#include "vmath/fa_fast32.h"

#if defined(__FMA__)
#define FA_HAVE_SQUAREPLUS_F32 1
FA_INLINE int fa_squareplus_fast_covers_f32(float b) { return b >= 0x1p-30f && b <= 0x1p30f; }

FA_INLINE float fa_squareplus_fast_f32(float x, float b)
{
    float a = fa_abs_f32(x);
    int huge = a > 0x1p40f;                              /* false for NaN */
    float ac = fa_blend_f32(huge, 0x1p40f, a);
    float w = ac * ac, wl = __builtin_fmaf(ac, ac, -w);
    int wbig = w > b;
    float hi = fa_blend_f32(wbig, w, b), lo = fa_blend_f32(wbig, b, w);
    float zh = hi + lo, zl = ((hi - zh) + lo) + wl;
    float r0 = __builtin_sqrtf(zh);                      /* >= 2^-15 */
    float rl = (__builtin_fmaf(-r0, r0, zh) + zl) * (0.5f / r0);
    float r = fa_blend_f32(huge, 0.0f, r0);                 /* huge: x or b/(4a) */
    rl = fa_blend_f32(huge, 0.0f, rl);
    float s = r + x, e = (r - s) + x;                    /* for x >= 0 */
    float pos = 0.5f * (s + (e + rl));
    float dh = r + a, dl = ((r - dh) + a) + rl;          /* for x < 0 */
    float hb = fa_blend_f32(huge, 0.25f * b, 0.5f * b), q = hb / dh;
    float t = __builtin_fmaf(-q, dl, __builtin_fmaf(-q, dh, hb));
    float neg = fa_blend_f32(huge, q, __builtin_fmaf(t, q * (2.0f / b), q));
    pos = fa_blend_f32(huge, x, pos);
    return fa_blend_f32(x >= 0.0f, pos, neg);               /* NaN: neg is NaN */
}

/* squareplus'(x) = (1 + x/r)/2, the same r = r0 + rl (h = 1/(2 r0) from
 * the division the root's correction takes anyway):
 *   x >= 0: x/r = g + (x - g r0 - g rl)/r0, g = x/r0 ~ 2 x h, FMA residual;
 *           then 1/2 + g/2 as an exact Fast2Sum pair plus the correction:
 *           one rounding; |x| > 2^40 gives 1.
 *   x <  0: b / (2 r (r + a)), no cancellation: the denominator r (r + a) =
 *           ph + pl (FMA product; the low parts of r and r + a in pl),
 *           q = (b/2)/ph, then q + (b/2 - q ph - q pl)/ph as in the forward
 *           kernel.  |x| > 2^40 (r = a): the same with a scaled by 2^-64
 *           (capped at 2^32: beyond, the result is below the least
 *           subnormal) and the quotient scaled back by 2^-128; a subnormal
 *           result is rounded once, on its own grid, before the scaling. */
FA_INLINE float fa_squareplus_grad_fast_f32(float x, float b)
{
    float a = fa_abs_f32(x);
    int huge = a > 0x1p40f;                              /* false for NaN */
    float ac = fa_blend_f32(huge, 0x1p40f, a);
    float w = ac * ac, wl = __builtin_fmaf(ac, ac, -w);
    int wbig = w > b;
    float hi = fa_blend_f32(wbig, w, b), lo = fa_blend_f32(wbig, b, w);
    float zh = hi + lo, zl = ((hi - zh) + lo) + wl;
    float r0 = __builtin_sqrtf(zh);
    float h = 0.5f / r0;
    float rl = (__builtin_fmaf(-r0, r0, zh) + zl) * h;
    /* x >= 0 */
    float g = x * (2.0f * h);
    float gc = (__builtin_fmaf(-g, r0, x) - g * rl) * (2.0f * h);
    float hg = 0.5f * g, s = 0.5f + hg, e = (0.5f - s) + hg;
    float pos = fa_blend_f32(huge, 1.0f, s + (e + 0.5f * gc));
    /* x < 0 */
    float as = fa_blend_f32(a * 0x1p-64f > 0x1p32f, 0x1p32f, a * 0x1p-64f);
    float re = fa_blend_f32(huge, as, r0), ae = fa_blend_f32(huge, as, a);
    rl = fa_blend_f32(huge, 0.0f, rl);
    float dh = re + ae, dl = ((re - dh) + ae) + rl;      /* r + a */
    float ph = re * dh;
    float pl = __builtin_fmaf(re, dh, -ph) + (re * dl + rl * dh);
    float hb = 0.5f * b, q = hb / ph;
    float t = __builtin_fmaf(-q, pl, __builtin_fmaf(-q, ph, hb));
    float c = t * (q * (2.0f / b)), neg = q + c;
    /* huge and q 2^-128 subnormal (q < 4): 4 + q + c rounded once puts
     * the rounding on the subnormal grid (ulp(4) = 2^-21 = 2^128 2^-149) */
    float s4 = 4.0f + q, e4 = (4.0f - s4) + q, sub = (s4 + (e4 + c)) - 4.0f;
    neg = fa_blend_f32(huge, (fa_blend_f32(q < 4.0f, sub, neg) * 0x1p-64f) * 0x1p-64f, neg);
    return fa_blend_f32(x >= 0.0f, pos, neg);               /* NaN: neg is NaN */
}
#endif

#endif
