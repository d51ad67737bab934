/* The math core used by the element formulas.
 *
 * Stage 1 (this file): thin wrappers over libm, so the formulas are written
 * against stable names.  Loops that call these do not vectorise; the
 * vectorised core (fa_vmath.h, issue 3) replaces them name for name.
 */
#ifndef FA_MATH_H
#define FA_MATH_H

#include <math.h>
#include "fa_common.h"

static inline double fa_exp_f64(double x) { return exp(x); }
static inline double fa_expm1_f64(double x) { return expm1(x); }
static inline double fa_log1p_f64(double x) { return log1p(x); }
static inline double fa_log_f64(double x) { return log(x); }
static inline double fa_tanh_f64(double x) { return tanh(x); }
static inline double fa_atan_f64(double x) { return atan(x); }

#endif
