/* IEEE binary16 <-> binary32 conversion (round to nearest even), for the
 * float16 loops, which compute in float32 (docs/design.md, dtypes). */
#ifndef FA_HALF_H
#define FA_HALF_H

#include "fa_common.h"

static inline float fa_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    if (exponent == 0) {                 /* zero or subnormal: mantissa * 2^-24 */
        float v = (float)mantissa * 0x1p-24f;
        return fa_from_bits_f32(fa_bits_f32(v) | sign);
    }
    if (exponent == 31)                  /* inf or NaN, payload kept */
        return fa_from_bits_f32(sign | 0x7f800000u | (mantissa << 13));
    return fa_from_bits_f32(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

static inline uint16_t fa_float_to_half(float f)
{
    uint32_t u = fa_bits_f32(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a >= 0x7f800000u)                /* inf stays inf, NaN stays (quiet) NaN */
        return sign | 0x7c00u | (a > 0x7f800000u ? 0x200u | ((a >> 13) & 0x3ffu) : 0);
    if (a >= 0x477ff000u)                /* >= 65520 rounds to inf */
        return sign | 0x7c00u;
    if (a < 0x38800000u) {               /* below 2^-14: subnormal half */
        /* |f| * 2^24 is exact; the 1.5 * 2^23 shift rounds it to an
         * integer, nearest even; 1024 encodes the smallest normal. */
        float scaled = fa_from_bits_f32(a) * 0x1p24f + 0x1.8p23f;
        return sign | (uint16_t)(fa_bits_f32(scaled) - 0x4b400000u);
    }
    uint32_t rebiased = a - (112u << 23);           /* exponent bias 127 -> 15 */
    rebiased += 0xfffu + ((rebiased >> 13) & 1u);  /* round to nearest even */
    return sign | (uint16_t)(rebiased >> 13);
}

#endif
