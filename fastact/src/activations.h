/* Element formulas for float32 and float64: formulas.h, instantiated twice.
 * See formulas.h for the conventions; kernels.c (generated from the catalog)
 * builds the loops on top of these. */
#ifndef FA_ACTIVATIONS_H
#define FA_ACTIVATIONS_H

#include <math.h>
#include "fa_math.h"
#include "fa_fast32.h"
#include "fa_fast32_sigmoid.h"
#include "fa_fast32_gelu_grad.h"
#include "fa_fast32_gelu.h"
#include "fa_fast32_squareplus.h"
#include "fa_constants.h"
#include "fa_precise64.h"

/* The working type is double for both dtypes. */
#define W double
#define WSEL fa_select_f64
#define WABS fa_abs_f64
#define COPYSIGNW fa_copysign_f64

/* float32: double working precision with the lite cores (fa_math.h);
 * tanh and atan are single calls, so the float32 functions themselves;
 * FAST_* name float-lane versions (fa_fast32.h, twice the lanes, within
 * the same bounds over all 2^32 inputs) that formulas.h uses where defined. */
#define T float
#define F(name) act_##name##_f32
#define FMA FF_FMA
#define SEL fa_select_f32
#define ABS fa_abs_f32
#define COPYSIGN fa_copysign_f32
#define CLAMP fa_clamp_f32
#define EXP fa_exp_w32
#define EXPM1 fa_expm1_w32
#define LOG1P fa_log1p_w32
#if defined(FA_HAVE_TANH_V16)   /* AVX-512: table tanh, its array kernel for tanh's contiguous loop */
#define TANH_T fa_tanh_tbl_f32
#define FA_ARRAY_tanh_f32 fa_tanh_tbl_array
#else
#define TANH_T fa_fast_tanh_f32
#endif
#if defined(FA_HAVE_GELU_V16)   /* AVX-512: table gelu (exact erf form), and its array kernel */
#define FAST_GELU fa_gelu_tbl_f32
#define FA_ARRAY_gelu_f32 fa_gelu_tbl_array
#elif defined(FF_HAVE_GELU_LANES)  /* other FMA builds: table-free float lanes (fa_fast32_gelu.h) */
#define FAST_GELU fa_gelu_lanes_f32
#endif
#if defined(FA_HAVE_TANH_SHRINK_V16)   /* AVX-512: table tanh_shrink, and its array kernel */
#define FAST_TANH_SHRINK fa_tanh_shrink_tbl_f32
#define FA_ARRAY_tanh_shrink_f32 fa_tanh_shrink_tbl_array
#endif
#if defined(FA_HAVE_GELU_GRAD_V16)  /* AVX-512: table gelu', its array kernels for derivative and backward */
#define FAST_GELU_GRAD fa_gelu_grad_tbl_f32
#define FA_ARRAY_gelu_grad_f32 fa_gelu_grad_tbl_array
#define FA_ARRAY_gelu_backward_f32 fa_gelu_backward_tbl_array
#elif defined(FF_HAVE_GELU_LANES)
#define FAST_GELU_GRAD fa_gelu_grad_lanes_f32
#endif
#define ATAN_T fa_fast_atan_f32
#if defined(FA_HAVE_SIGMOID_V16)   /* AVX-512: division-free sigmoid, its array kernel */
#define FAST_SIGMOID fa_sigmoid_rcp_f32
#define FA_ARRAY_sigmoid_f32 fa_sigmoid_rcp_array
#else
#define FAST_SIGMOID fa_fast_sigmoid_f32
#endif
#define FAST_SOFTPLUS_GRAD fa_fast_sigmoid_f32   /* beta = 1: sigmoid(x), float lanes in omp simd loops */
#define FAST_SOFTPLUS_GRAD_Y fa_one_minus_exp_neg32   /* beta = 1: 1 - exp(-y) */
#if defined(FA_HAVE_SIGMOID_V16)   /* AVX-512: division-free silu (beta = 1), its array kernel */
#define FAST_SILU fa_silu_rcp_f32
#define FA_ARRAY_IF_silu_f32 fa_silu_rcp_array_if
#else
#define FAST_SILU fa_fast_silu_f32
#endif
#if defined(FF_HAVE_SILU_GRAD)
#define FAST_SILU_GRAD fa_fast_silu_grad_f32   /* beta = 1 */
#endif
#define FAST_ELU fa_fast_elu_f32
#define FAST_EXP fa_fast_exp_f32
#if defined(__FMA__)
#define FAST_SOFTPLUS fa_fast_softplus_f32   /* beta = 1, no threshold */
#endif
#if defined(FF_HAVE_GLU)
#define FAST_GLU fa_fast_glu_f32
#endif
#if defined(FF_HAVE_SQUAREPLUS)  /* FMA builds, b in [2^-30, 2^30] */
#define FAST_SQUAREPLUS fa_fast_squareplus_f32
#define FAST_SQUAREPLUS_GRAD fa_fast_squareplus_grad_f32
#endif
#include "formulas.h"
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
#undef FAST_SIGMOID
#undef FAST_SOFTPLUS_GRAD
#undef FAST_SOFTPLUS_GRAD_Y
#undef FAST_SILU
#undef FAST_SILU_GRAD
#undef FAST_ELU
#undef FAST_EXP
#undef FAST_SOFTPLUS
#undef FAST_GLU
#undef FAST_SQUAREPLUS
#undef FAST_SQUAREPLUS_GRAD
#undef FAST_GELU
#undef FAST_TANH_SHRINK
#undef FAST_GELU_GRAD
#undef KEEP_NAN

/* float64: the full-precision cores. */
#define T double
#define F(name) act_##name##_f64
#define FMA FA__FMA
#define SEL fa_select_f64
#define ABS fa_abs_f64
#define COPYSIGN fa_copysign_f64
#define CLAMP fa_clamp_f64
#define EXP fa_exp_f64
#define EXPM1 fa_expm1_f64
#define LOG1P fa_log1p_f64
#define TANH_T fa_tanh_expm1_f64   /* fa_precise64.h: expm1 form, one division */
#define ATAN_T fa_p64_atan
/* sigmoid, gelu, gelu_tanh, mish: the careful float64 versions (fa_precise64.h) */
#if defined(__FMA__)   /* sigmoid, and silu, silu', softplus, softplus' with beta = 1: the plain forms */
#define PRECISE_SIGMOID fa_p64_sigmoid_fast
#define FAST_SILU fa_p64_silu_fast
#define FAST_SILU_GRAD fa_p64_silu_grad_fast
#define FAST_SOFTPLUS fa_p64_softplus_fast     /* no threshold; log_sigmoid too */
#define FAST_SOFTPLUS_GRAD fa_p64_sigmoid_fast
#else
#define PRECISE_SIGMOID fa_p64_sigmoid
#endif
#define FAST_SOFTPLUS_GRAD_Y fa_one_minus_exp_neg64   /* beta = 1: 1 - exp(-y) */
#define PRECISE_GELU fa_gelu_f64
#define PRECISE_GELU_GRAD fa_gelu_grad_f64
#define PRECISE_GELU_TANH fa_gelu_tanh_f64
#define PRECISE_GELU_TANH_GRAD fa_gelu_tanh_grad_f64
#define PRECISE_MISH fa_mish_f64
#define PRECISE_MISH_GRAD fa_mish_grad_f64
#include "formulas.h"
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
#undef PRECISE_SIGMOID
#undef FAST_SILU
#undef FAST_SILU_GRAD
#undef FAST_SOFTPLUS
#undef FAST_SOFTPLUS_GRAD
#undef FAST_SOFTPLUS_GRAD_Y
#undef PRECISE_GELU
#undef PRECISE_GELU_GRAD
#undef PRECISE_GELU_TANH
#undef PRECISE_GELU_TANH_GRAD
#undef PRECISE_MISH
#undef PRECISE_MISH_GRAD
#undef KEEP_NAN

#include "fa_rows.h"   /* softmax, log_softmax, softmin rows, one kernel per dtype */

#endif
