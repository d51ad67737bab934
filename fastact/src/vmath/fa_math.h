/* The math core as the element formulas see it.
 *
 * fa_vmath.h holds the vectorisable functions (coefficients derived by
 * tools/derive/derive_coefficients.py).  The formulas compute float32 results in
 * double (one final rounding), where the float cores' double-precision
 * "lite" polynomials (relative error ~2^-33) are accurate enough and twice
 * as cheap; the wrappers below give them the full double range.  float64
 * formulas use the full-precision functions.
 */
#ifndef FA_MATH_H
#define FA_MATH_H

#include <math.h>
#include "fa_common.h"
#include "vmath/fa_vmath.h"

/* exp for float32 formulas: exact limits outside [-708, 709] (a result
 * below 2^-1021 is 0 as far as a float32 result can tell); NaN stays NaN. */
FA_INLINE double fa_exp_w_f32(double x)
{
    double clamped = fa_clamp_f64(x, -708.0, 709.0);
    double y = fa_exp_lite_f64(clamped);
    y = fa_select_f64(x < -708.0, 0.0, y);
    y = fa_select_f64(x > 709.0, (double)INFINITY, y);
    return fa_select_f64(x != x, x, y);
}

/* expm1 for float32 formulas: -1 below -30 (e^-30 is below 2^-34 of 1),
 * and the sign of zero kept (elu(-0) = -0). */
FA_INLINE double fa_expm1_w_f32(double x)
{
    double clamped = fa_clamp_f64(x, -30.0, 709.0);
    double y = fa_expm1_lite_f64(clamped);
    y = fa_select_f64(x < -30.0, -1.0, y);
    y = fa_select_f64(x > 709.0, (double)INFINITY, y);
    y = fa_select_f64(x != x, x, y);
    return fa_select_f64(x == 0, x, y);
}

/* log1p for float32 formulas (arguments > -1); NaN stays NaN. */
FA_INLINE double fa_log1p_w_f32(double x)
{
    return fa_select_f64(x != x, x, fa_log1p_lite_f64(x));
}

#endif
