/* X-macro list of the functions under test: X(name, libm double, libm float) */
#define FA_CHECK_FUNCS(X) \
    X(exp)                \
    X(expm1)              \
    X(log1p)              \
    X(log)                \
    X(tanh)               \
    X(sigmoid)            \
    X(log1pexp)           \
    X(erf)                \
    X(erfc)               \
    X(atan)
