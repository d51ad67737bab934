"""Constants used by fastact/src/formulas.h, computed with mpmath.

    python tools/derive_constants.py

prints each as a C literal (17 significant digits round-trip a double).
Polynomial coefficients of the math core come from
tools/derive_coefficients.py; this script covers the scalar constants.
"""

import mpmath

mpmath.mp.dps = 60


def c_double(v):
    return repr(float(v))


def split(v):
    """v as hi + lo, both doubles: hi = round(v), lo = round(v - hi)."""
    hi = mpmath.mpf(float(v))
    return float(hi), float(v - hi)


def main():
    # SELU, Klambauer et al. 2017: the decimal constants PyTorch uses.
    alpha = mpmath.mpf("1.6732632423543772848170429916717")
    scale = mpmath.mpf("1.0507009873554804934193349852946")
    sa_hi, sa_lo = split(alpha * scale)
    print(f"#define FA_SELU_SA {sa_hi!r}")
    print(f"#define FA_SELU_SA_LO {sa_lo!r}")
    print(f"#define FA_EXP_M512 {c_double(mpmath.exp(-512))}")
    # silu' vanishes where 1 + z + exp(z) = 0 (z = beta x < 0).
    root = mpmath.findroot(lambda z: 1 + z + mpmath.exp(z), -1.28)
    z0 = mpmath.mpf(float(root))
    print(f"#define FA_SILU_ROOT {float(z0)!r}")
    print(f"#define FA_SILU_EXP_ROOT {c_double(mpmath.exp(z0))}")
    print(f"#define FA_SILU_ROOT_RESIDUAL {c_double(1 + z0 + mpmath.exp(z0))}")


if __name__ == "__main__":
    main()
