"""The variant table (fastact/_build/variants.py) names only functions that
fastact/src defines, and only ufuncs and formulas that exist.  The build
fails on a misspelt name in the variants it compiles; this checks them all,
avx512 included, on any machine."""

import glob
import os
import re

import pytest

from fastact._build import codegen, variants

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fastact", "src")


def _headers():
    paths = glob.glob(os.path.join(SRC, "**", "*.h"), recursive=True)
    if not paths:
        pytest.skip("fastact/src is not part of this installation")
    return "\n".join(open(p).read() for p in paths)


def undefined(names, headers):
    """The names no header defines: an inline function, an array kernel
    (FA_ARRAY_V16_F32, FA_BACKWARD_V16_F32, FA_ARRAY_V8_F64, FA_BACKWARD_V8_F64) or, for
    fa_act_<element>_<dtype>, an F(element) form of formulas*.h."""
    missing = []
    for name in names:
        generic = re.fullmatch(r"fa_act_(\w+)_f(32|64)", name)
        patterns = [rf"FA_INLINE\s+[\w\s\*]+?\b{name}\s*\(",
                    rf"(FA_ARRAY_V16_F32|FA_BACKWARD_V16_F32|FA_ARRAY_V8_F64|FA_BACKWARD_V8_F64)\(\s*{name}\s*,"]
        if generic:
            patterns.append(rf"FA_INLINE\s+[\w\s\*]+?\bF\({generic.group(1)}\)\s*\(")
        if not any(re.search(p, headers) for p in patterns):
            missing.append(name)
    return missing


def test_every_named_function_is_defined():
    assert undefined(variants.names(), _headers()) == []


def test_a_misspelt_name_is_caught():
    headers = _headers()
    assert undefined(["fa_sigmoid_fast_f32", "fa_act_tanh_grad_y_fma_f64"], headers) == []
    assert undefined(["fa_sigmoud_fast_f32", "fa_act_tanh_grad_y_fmaa_f64",
                      "fa_gelu_tbl_arary"], headers) == ["fa_sigmoud_fast_f32",
                                                         "fa_act_tanh_grad_y_fmaa_f64",
                                                         "fa_gelu_tbl_arary"]


def test_fallbacks_are_formulas():
    """Where a variant keeps the generic formula (no entry for it, or a
    condition), formulas*.h define it."""
    headers = _headers()
    for entry in variants.TABLE:
        impls = [entry.impl(v) for v in variants.VARIANTS]
        if any(impl is None or impl.when for impl in impls):
            generic = f"fa_act_{entry.element}_{entry.dtype}"
            assert undefined([generic], headers) == [], entry


def test_array_kernels_name_ufuncs():
    ufuncs = {spec.name for spec in codegen.ufunc_specs()}
    for entry in variants.TABLE:
        for variant in variants.VARIANTS:
            impl = entry.impl(variant)
            if impl is not None:
                assert set(impl.arrays) <= ufuncs, (entry, variant)


def test_rendering_checks_the_table():
    functions = codegen.chosen_functions()
    assert len(functions) == len(variants.TABLE)
    with pytest.raises(ValueError, match="no formula"):
        _variants_with(variants.Entry("sigmod", "f32", None, None, variants.Impl("f")))
    with pytest.raises(ValueError, match="twice"):
        _variants_with(variants.TABLE[0])


def _variants_with(entry):
    saved = variants.TABLE
    variants.TABLE = saved + (entry,)
    try:
        codegen.chosen_functions()
    finally:
        variants.TABLE = saved
