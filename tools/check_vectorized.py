"""Does every kernel loop of the built extension really vectorise?

Disassembles the compiled module (objdump -d) and, for every ufunc of the
catalog (an axis function's row loop too), each dtype and each
instruction-set variant built
(baseline, avx2, avx512), looks at the function that holds its loop:
``<ufunc>_loop_<dtype>_<variant>`` with ``<ufunc>_serial_<dtype>_<variant>``,
the serial loop it runs on each thread's chunks (fa_parallel_loop), which
inlines the contiguous kernel's `omp simd` loop.  A loop counts as vectorised when that code holds
packed floating-point arithmetic (``mulps``, ``vaddpd``, ``vcmpltps``,
``vfmadd...ps`` ...) of its element type on the variant's widest registers
(xmm for baseline, ymm for avx2, zmm for avx512); a kernel that only moves
data (``linear``) counts when it has packed loads/stores.  Calls to libm
(exp, tanh, ...) are reported: they keep a loop scalar.

    python tools/check_vectorized.py [path/to/_ext.so] [--allow-libm]

Exit status 1 when a loop is not vectorised (kernels that call libm are
reported, and only tolerated with --allow-libm).
"""

import argparse
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBM = ("exp", "expf", "expm1", "expm1f", "log", "logf", "log1p", "log1pf",
        "tanh", "tanhf", "erf", "erff", "erfc", "erfcf", "atan", "atanf")
PACKED_MATH = re.compile(r"^v?(add|sub|mul|div|max|min|sqrt|cmp[a-z]*|fn?m(add|sub)[0-9]*|"
                         r"blendv|round|cvt[a-z0-9]*2)p([sd])$")
PACKED_MOVE = re.compile(r"^v?mov(u|a)p([sd])$|^v?movdq[au](8|16|32|64)?$")


def load_codegen():
    paths = [os.path.join(HERE, "..", "fastact"), os.path.join(HERE, "..", "fastact", "_build")]
    sys.path[:0] = paths
    try:
        spec = importlib.util.spec_from_file_location(
            "fastact_codegen", os.path.join(HERE, "..", "fastact", "_build", "codegen.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        del sys.path[:len(paths)]


def functions(path):
    """{symbol: [(mnemonic, operands)]} from objdump -d."""
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path],
                          capture_output=True, text=True, check=True).stdout
    result, current = {}, None
    for line in text.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if header:
            current = result.setdefault(header.group(1), [])
            continue
        parts = line.split("\t")
        if current is not None and len(parts) >= 2 and parts[-1].strip():
            words = parts[-1].split(None, 1)
            current.append((words[0], words[1] if len(words) > 1 else ""))
    return result


REGISTER = {"baseline": "%xmm", "avx2": "%ymm", "avx512": "%zmm"}


def classify(instructions, element, register="%xmm"):
    """'vectorised', 'scalar' or 'calls <libm>' for one loop's code."""
    suffix = "s" if element == "f32" else "d"
    calls = sorted({m.group(1) for op, args in instructions if op.startswith("call")
                    for m in [re.search(r"<([a-z0-9]+)(@plt)?>", args)]
                    if m and m.group(1) in LIBM})
    if calls:
        return "calls " + ",".join(calls)
    for op, args in instructions:
        m = PACKED_MATH.match(op)
        if m and m.group(3) == suffix and register in args:
            return "vectorised"
    return "scalar"


def moves_packed(instructions, register="%xmm"):
    return any(PACKED_MOVE.match(op) and "(" in args and register in args
               for op, args in instructions)


def jump_targets(instructions):
    """Functions that `instructions` jump to (tail calls)."""
    return {m.group(1) for op, args in instructions if op.startswith("jmp")
            for m in [re.search(r"<([A-Za-z0-9_.]+)>", args)] if m}


def check(path):
    """[(ufunc, dtype, variant, verdict)] for every loop (axis functions:
    the row loop)."""
    codegen = load_codegen()
    code = functions(path)
    variants = [v for v in REGISTER if any(n.endswith("_" + v) for n in code)]
    rows = []
    for spec in codegen.ufunc_specs():
        for variant in variants:
            for element in ("f32", "f64"):
                name = f"{spec.name}_loop_{element}_{variant}"
                if name not in code:
                    rows.append((spec.name, element, variant, "missing"))
                    continue
                # the loop function, the serial loop it hands to the thread
                # pool (when not inlined) and any OpenMP-outlined body
                serial = f"{spec.name}_serial_{element}_{variant}"
                body = (code[name] + code.get(serial, [])
                        + code.get(name + "._omp_fn.0", []))
                # identical kernels (exponential_grad is exponential) are
                # folded by the compiler into a jump to the other's code
                for target in sorted(jump_targets(code.get(serial, []))):
                    body += code.get(target, [])
                verdict = classify(body, element, REGISTER[variant])
                if verdict == "scalar" and spec.kernel == "linear" and \
                        moves_packed(body, REGISTER[variant]):
                    verdict = "vectorised"
                rows.append((spec.name, element, variant, verdict))
    return rows


def default_path():
    """The compiled module of this checkout, else of the installed fastact."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(HERE, "..", "fastact", "_ext" + suffix)
        if os.path.exists(path):
            return path
    spec = importlib.util.find_spec("fastact._ext")
    if spec is None or spec.origin is None:
        sys.exit("fastact._ext is neither built in place nor installed; pass the path")
    return spec.origin


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="the compiled fastact/_ext*.so")
    parser.add_argument("--allow-libm", action="store_true",
                        help="do not fail on loops that call libm")
    args = parser.parse_args(argv)
    rows = check(args.path or default_path())
    bad = 0
    for name, element, variant, verdict in rows:
        ok = verdict == "vectorised" or (args.allow_libm and verdict.startswith("calls"))
        bad += not ok
        print(f"{name:24} {element} {variant:8} {verdict}{'' if ok else '   <-- FAIL'}")
    print(f"{len(rows) - bad} of {len(rows)} loops pass")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
