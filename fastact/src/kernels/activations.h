/* Element formulas for float32 and float64, included in each dtype's block:
 *   formulas_f32.h  float32 where the dtypes differ: no pairs (exact in double);
 *   formulas_f64.h  float64 where they differ: pairs, to round about once;
 *   formulas.h      the formulas the same for both (after the above).
 * See formulas.h for the conventions; kernels.c (generated from the catalog)
 * builds the loops on top of these. */
#ifndef FA_ACTIVATIONS_H
#define FA_ACTIVATIONS_H

#include <math.h>
#include "vmath/fa_math.h"
#include "generated/fa_constants.h"
#include "vmath/fa_fast32.h"
#include "vmath/fa_fast32_sigmoid.h"
#include "vmath/fa_fast32_gelu_grad.h"
#include "vmath/fa_fast32_gelu.h"
#include "vmath/fa_fast32_squareplus.h"
#include "vmath/fa_precise64.h"

/* The working type is double for both dtypes. */
#define W double
#define WSEL fa_select_f64
#define WABS fa_abs_f64
#define COPYSIGNW fa_copysign_f64

/* NaN in, NaN out, for formulas whose selects would otherwise drop it
 * (SEL: the dtype block's). */
#define KEEP_NAN(x, r) SEL((x) == (x), (r), (x))

/* float32: double working precision with the lite cores (fa_math.h);
 * tanh and atan are single calls, so the float32 functions themselves.
 * Specialised versions per instruction set (fa_fast32*.h): the variant
 * table, fastact/_build/variants.py. */
#define T float
#define F(name) fa_act_##name##_f32
#define FMA FA_FMA_F32
#define SEL fa_select_f32
#define ABS fa_abs_f32
#define COPYSIGN fa_copysign_f32
#define CLAMP fa_clamp_f32
#define EXP fa_exp_w_f32
#define EXPM1 fa_expm1_w_f32
#define LOG1P fa_log1p_w_f32
#define TANH_T fa_tanh_fast_f32
#define ATAN_T fa_atan_fast_f32
#include "kernels/formulas_f32.h"
#include "kernels/formulas.h"
#undef T
#undef F
#undef FMA
#undef SEL
#undef ABS
#undef COPYSIGN
#undef CLAMP
#undef EXP
#undef EXPM1
#undef LOG1P
#undef TANH_T
#undef ATAN_T

/* float64: the full-precision cores; the careful versions of sigmoid,
 * gelu, gelu_tanh, mish (fa_precise64.h) come from the variant table. */
#define T double
#define F(name) fa_act_##name##_f64
#define FMA FA_FMA_F64
#define SEL fa_select_f64
#define ABS fa_abs_f64
#define COPYSIGN fa_copysign_f64
#define CLAMP fa_clamp_f64
#define EXP fa_exp_f64
#define EXPM1 fa_expm1_f64
#define LOG1P fa_log1p_f64
#define TANH_T fa_tanh_expm1_f64   /* fa_precise64.h: expm1 form, one division */
#define ATAN_T fa_atan_pair_f64
#include "kernels/formulas_f64.h"
#include "kernels/formulas.h"
#undef T
#undef F
#undef FMA
#undef SEL
#undef ABS
#undef COPYSIGN
#undef CLAMP
#undef EXP
#undef EXPM1
#undef LOG1P
#undef TANH_T
#undef ATAN_T

#include "vmath/fa_fast64_sigmoid.h"   /* AVX-512 float64 sigmoid, silu, glu (after glu's row formula) */
#include "vmath/fa_fast64_gelu.h"      /* AVX-512 float64 gelu, gelu' */
#include "kernels/fa_rows.h"   /* softmax, log_softmax, softmin rows, one kernel per dtype */

#endif
