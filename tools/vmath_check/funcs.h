/* X-macro list of the functions under test: X(name, f32, f64), a 1 for each
 * dtype that fastact/src/vmath/fa_vmath.h defines fa_<name>_<dtype> for (the
 * kernels use only these; the others were removed as unused). */
#define FA_CHECK_FUNCS(X) \
    X(exp, 0, 1)          \
    X(expm1, 0, 1)        \
    X(log1p, 0, 1)        \
    X(tanh, 1, 0)         \
    X(sigmoid, 1, 0)      \
    X(erfc, 0, 1)         \
    X(atan, 1, 0)
