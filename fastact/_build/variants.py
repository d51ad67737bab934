"""The variant table: which C function computes an element formula, per
dtype and instruction-set variant, where it is not the generic formula of
fastact/src/kernels/formulas.h (or formulas_f32.h / formulas_f64.h).

setup.py renders it (codegen.py) into fastact/src/kernels/variant_table.h: one
``fa_chosen_<element>_<dtype>`` function per entry, whose body for each variant
calls exactly the functions named here; kernels.c calls those, and its
contiguous kernels call the named array kernels.  Every name is called directly, so a misspelt one is an
undeclared function: a compile error in the variant that names it
(-Werror=implicit-function-declaration, setup.py).

A variant's compile flags guarantee its CPU features (setup.py VARIANTS):
avx2 is -march=x86-64-v3 (AVX2, FMA), avx512 is -march=x86-64-v4 (AVX-512
F/BW/DQ/VL).  The baseline runs on any CPU, so it names only portable
functions.
"""

import re
from dataclasses import dataclass, field
from typing import Optional

VARIANTS = ("baseline", "avx2", "avx512")


@dataclass(frozen=True)
class Impl:
    function: str       # C function computing the element (a row, for row kernels)
    when: str = ""      # C condition on the parameters (catalog names); the
    #                     generic formula where it fails
    args: str = ""      # the arguments it takes; "" for the element x (or y) alone
    # ufunc name -> its contiguous array kernel (n, inputs..., out), taken
    # under the same condition
    arrays: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    element: str        # generic formula it replaces: F(element), formulas*.h
    dtype: str          # "f32" | "f64"
    baseline: Optional[Impl]
    avx2: Optional[Impl]
    avx512: Optional[Impl]

    def impl(self, variant):
        return getattr(self, variant)


def _fma(element, dtype, impl, avx512=None):
    """An entry for the FMA variants (avx2 and avx512) only."""
    return Entry(element, dtype, None, impl, avx512 or impl)


def _all(element, dtype, impl, avx512=None):
    """An entry for every variant (avx512 may differ)."""
    return Entry(element, dtype, impl, impl, avx512 or impl)


BETA_1 = "beta == 1"

TABLE = (
    # ---- float32: float-lane versions (fa_fast32*.h, fa_exp32.h), within
    # the documented bounds over all 2^32 inputs; avx512: tables and
    # division-free forms, with 16-lane array kernels
    _all("sigmoid", "f32", Impl("fa_sigmoid_fast_f32"),
         avx512=Impl("fa_sigmoid_rcp_f32", arrays={"sigmoid": "fa_sigmoid_rcp_array"})),
    _fma("log_sigmoid", "f32", Impl("fa_log_sigmoid_fast_f32")),
    Entry("tanh", "f32", None, None,
          Impl("fa_tanh_tbl_f32", arrays={"tanh": "fa_tanh_tbl_array"})),
    Entry("tanh_shrink", "f32", None, None,
          Impl("fa_tanh_shrink_tbl_f32", arrays={"tanh_shrink": "fa_tanh_shrink_tbl_array"})),
    _all("elu", "f32", Impl("fa_elu_fast_f32", when="alpha == 1")),
    _all("celu", "f32", Impl("fa_elu_fast_f32", when="alpha == 1")),
    _fma("selu", "f32", Impl("fa_selu_fast_f32")),
    _all("silu", "f32", Impl("fa_silu_fast_f32", when=BETA_1),
         avx512=Impl("fa_silu_rcp_f32", when=BETA_1, arrays={"silu": "fa_silu_rcp_array"})),
    _fma("silu_grad", "f32", Impl("fa_silu_grad_fast_f32", when=BETA_1),
         avx512=Impl("fa_silu_grad_v16_f32", when=BETA_1,
                     arrays={"silu_grad": "fa_silu_grad_v16_array",
                             "silu_backward": "fa_silu_backward_v16_array"})),
    _fma("gelu", "f32", Impl("fa_gelu_lanes_f32"),
         avx512=Impl("fa_gelu_tbl_f32", arrays={"gelu": "fa_gelu_tbl_array"})),
    _fma("gelu_grad", "f32", Impl("fa_gelu_grad_lanes_f32"),
         avx512=Impl("fa_gelu_grad_tbl_f32", arrays={"gelu_grad": "fa_gelu_grad_tbl_array",
                                                     "gelu_backward": "fa_gelu_backward_tbl_array"})),
    Entry("gelu_tanh_grad", "f32", None, None,
          Impl("fa_gelu_tanh_grad_v16_f32",
               arrays={"gelu_tanh_grad": "fa_gelu_tanh_grad_v16_array",
                       "gelu_tanh_backward": "fa_gelu_tanh_backward_v16_array"})),
    _fma("softplus", "f32",
         Impl("fa_softplus_fast_f32", when="beta == 1 && threshold == INFINITY")),
    _all("softplus_grad", "f32",
         Impl("fa_softplus_grad_fast_f32", when=BETA_1, args="x, threshold")),
    _all("softplus_grad_y", "f32",
         Impl("fa_softplus_grad_y_unit_f32", when=BETA_1, args="y, threshold")),
    _fma("squareplus", "f32",
         Impl("fa_squareplus_fast_f32", when="fa_squareplus_fast_covers_f32(b)", args="x, b")),
    _fma("squareplus_grad", "f32",
         Impl("fa_squareplus_grad_fast_f32", when="fa_squareplus_fast_covers_f32(b)", args="x, b")),
    Entry("exponential", "f32", Impl("fa_exp_fast_f32"),
          Impl("fa_lean_exp_f32"), Impl("fa_lean_exp_f32")),
    Entry("exponential_grad", "f32", Impl("fa_exp_fast_f32"),
          Impl("fa_lean_exp_f32"), Impl("fa_lean_exp_f32")),
    _fma("glu_row", "f32", Impl("fa_glu_row_fast_f32", args="n, x, sx, y, sy"),
         avx512=Impl("fa_glu_row_v16", args="n, x, sx, y, sy")),
    _fma("glu_backward_row", "f32",
         Impl("fa_glu_backward_row_fast_f32", args="n, g, sg, x, sx, out, so")),

    # ---- float64: the careful versions (fa_precise64.h); FMA variants:
    # the plain forms where they meet the same bounds; avx512: sigmoid, silu,
    # silu', glu and gelu_tanh in the 16-entry-table kernels (fa_fast64_sigmoid.h), gelu
    # and gelu' with a 16-piece polynomial in registers (fa_fast64_gelu.h)
    Entry("sigmoid", "f64", Impl("fa_sigmoid_pair_f64"), Impl("fa_sigmoid_fast_pair_f64"),
          Impl("fa_sigmoid_v8_f64", arrays={"sigmoid": "fa_sigmoid_v8_array"})),
    _fma("log_sigmoid", "f64", Impl("fa_log_sigmoid_fast_pair_f64")),
    _fma("silu", "f64", Impl("fa_silu_fast_pair_f64", when=BETA_1),
         avx512=Impl("fa_silu_v8_f64", when=BETA_1, arrays={"silu": "fa_silu_v8_array"})),
    Entry("glu_row", "f64", None, None, Impl("fa_glu_row_v8", args="n, x, sx, y, sy")),
    Entry("glu_backward_row", "f64", None, None,
          Impl("fa_glu_backward_row_v8", args="n, g, sg, x, sx, out, so")),
    _fma("silu_grad", "f64", Impl("fa_silu_grad_fast_pair_f64", when=BETA_1),
         avx512=Impl("fa_silu_grad_v8_f64", when=BETA_1,
                     arrays={"silu_grad": "fa_silu_grad_v8_array",
                             "silu_backward": "fa_silu_backward_v8_array"})),
    _fma("softplus", "f64",
         Impl("fa_softplus_fast_pair_f64", when="beta == 1 && threshold == INFINITY")),
    _fma("softplus_grad", "f64",
         Impl("fa_softplus_grad_fast_pair_f64", when=BETA_1, args="x, threshold")),
    _all("softplus_grad_y", "f64",
         Impl("fa_softplus_grad_y_unit_f64", when=BETA_1, args="y, threshold")),
    _all("sigmoid_grad", "f64", Impl("fa_sigmoid_grad_pair_f64")),
    _all("tanh_grad", "f64", Impl("fa_tanh_grad_pair_f64")),
    _all("tanh_shrink_grad", "f64", Impl("fa_tanh_sq_pair_f64")),
    _all("gelu", "f64", Impl("fa_gelu_pair_f64"),
         avx512=Impl("fa_gelu_v8_f64", arrays={"gelu": "fa_gelu_v8_array"})),
    _all("gelu_grad", "f64", Impl("fa_gelu_grad_pair_f64"),
         avx512=Impl("fa_gelu_grad_v8_f64", arrays={"gelu_grad": "fa_gelu_grad_v8_array",
                                                    "gelu_backward": "fa_gelu_backward_v8_array"})),
    _all("gelu_tanh", "f64", Impl("fa_gelu_tanh_pair_f64"),
         avx512=Impl("fa_gelu_tanh_v8_f64", arrays={"gelu_tanh": "fa_gelu_tanh_v8_array"})),
    _all("gelu_tanh_grad", "f64", Impl("fa_gelu_tanh_grad_pair_f64")),
    _all("mish", "f64", Impl("fa_mish_pair_f64")),
    _all("mish_grad", "f64", Impl("fa_mish_grad_pair_f64")),

    # ---- both dtypes: fewer operations where the condition allows
    # (relu from y with the defaults) or FMA keeps the bound (hard_swish)
    _all("relu_grad_y", "f32",
         Impl("fa_act_relu_grad_y_plain_f32", when="negative_slope == 0 && max_value == INFINITY",
              args="y")),
    _all("relu_grad_y", "f64",
         Impl("fa_act_relu_grad_y_plain_f64", when="negative_slope == 0 && max_value == INFINITY",
              args="y")),
    _fma("hard_swish", "f32", Impl("fa_act_hard_swish_fma_f32")),
    _fma("hard_swish", "f64", Impl("fa_act_hard_swish_fma_f64")),
    # ---- both dtypes: 1 - y^2 rounded once where FMA is native
    _fma("tanh_grad_y", "f32", Impl("fa_act_tanh_grad_y_fma_f32")),
    _fma("tanh_grad_y", "f64", Impl("fa_act_tanh_grad_y_fma_f64")),
)


def lookup(element, dtype):
    """The entry for F(element) at `dtype`, or None: the generic formula."""
    for entry in TABLE:
        if entry.element == element and entry.dtype == dtype:
            return entry
    return None


def names():
    """Every C function the table names (elements, array kernels, and
    functions its conditions call)."""
    found = set()
    for entry in TABLE:
        for variant in VARIANTS:
            impl = entry.impl(variant)
            if impl is None:
                continue
            found.add(impl.function)
            found.update(impl.arrays.values())
            found.update(re.findall(r"\b([A-Za-z_]\w*)\s*\(", impl.when))
    return sorted(found)
