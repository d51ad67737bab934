"""Build fastact: render the C loops from the catalog, compile them.

* fastact/src/kernels/kernels.c is generated from fastact/catalog.py through
  the Tempita template fastact/src/kernels/kernels.c.tp (Cython ships
  Tempita), and fastact/src/kernels/variant_table.h from
  fastact/_build/variants.py through fastact/src/kernels/variant_table.h.tp
  (fastact/src/README.md).
* No OpenMP runtime: the loops use `#pragma omp simd` only, which
  -fopenmp-simd compiles without linking libgomp; threads come from
  fastact's own pool (fastact/src/runtime/runtime.c).
* -O3, never -ffast-math (it breaks NaN/inf handling); see COMPILE_FLAGS.
"""

import importlib.util
import os
import platform
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join("fastact", "src")


def load_codegen():
    """fastact/_build/codegen.py (and the catalog and variant table it
    reads), without importing fastact."""
    paths = [os.path.join(HERE, "fastact"), os.path.join(HERE, "fastact", "_build")]
    sys.path[:0] = paths
    try:
        spec = importlib.util.spec_from_file_location(
            "fastact_codegen", os.path.join(HERE, "fastact", "_build", "codegen.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        del sys.path[:len(paths)]


def compiler_accepts(flags):
    """Does the C compiler compile and link an empty program with `flags`?"""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.c")
        with open(path, "w") as f:
            f.write("int main(void){return 0;}\n")
        cmd = cc.split() + [path, "-o", os.path.join(tmp, "t")] + flags
        try:
            return subprocess.run(cmd, capture_output=True).returncode == 0
        except OSError:
            return False


# -O3 and IEEE semantics kept (no -ffast-math):
#   -ffp-contract=off   no FMA contraction, so a vectorised body and its scalar
#                       remainder round identically (position independence);
#   -fno-math-errno     sqrt and friends inline, no errno bookkeeping;
#   -fno-trapping-math  selects vectorise (both arms may be evaluated); values
#                       are unchanged and the loops clear the FP flags anyway.
#   -Werror=implicit-function-declaration   a function the variant table
#                       (fastact/_build/variants.py) misspells fails the build.
COMPILE_FLAGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
                 "-Werror=implicit-function-declaration"]
# GCC: formulas branch on a loop-invariant parameter (silu's beta == 1 takes
# a float-lane path); the loop must be unswitched into two loops for both to
# vectorise, and the default size limit is too small for that.
UNSWITCH_FLAGS = ["--param=max-unswitch-insns=1000"]
# `omp simd` without the OpenMP runtime (GCC >= 4.9, Clang >= 3.9).
SIMD_FLAGS = ["-fopenmp-simd"]
# Python's own CFLAGS carry -g: three copies of the kernels' debug info
# made the module 29.6 MB instead of 7 (issue 15).
NO_DEBUG_INFO = ["-g0"]


# Instruction-set variants of the kernels, x86-64 only: kernels.c is compiled
# once more per variant, FA_VARIANT naming the table it exports, and
# runtime.c picks the best one the CPU supports at import.  The baseline
# runs on any x86-64 and on every other CPU.  The compiles run in parallel
# (compile_kernels): each takes minutes.
KERNELS = os.path.join(SRC, "kernels", "kernels.c")
VARIANTS = [("avx2", ["-march=x86-64-v3"]),
            ("avx512", ["-march=x86-64-v4", "-mprefer-vector-width=512"])]


def selected_variants():
    """VARIANTS, or only those named in FASTACT_VARIANTS (comma-separated,
    "" for none): a development build for one machine compiles kernels.c
    once or twice instead of three times.  Wheels build them all."""
    names = os.environ.get("FASTACT_VARIANTS")
    if names is None:
        return VARIANTS
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    unknown = wanted - {name for name, _ in VARIANTS}
    if unknown:
        raise SystemExit(f"fastact: FASTACT_VARIANTS names unknown variants {sorted(unknown)}; "
                         f"known: {[name for name, _ in VARIANTS]}")
    return [(name, flags) for name, flags in VARIANTS if name in wanted]


def is_x86_64():
    return platform.machine().lower() in ("x86_64", "amd64")


def extra_flags(name):
    """FASTACT_EXTRA_CFLAGS / FASTACT_EXTRA_LDFLAGS: flags added to every
    compile and link, for instrumented builds (tools/sanitize.sh builds with
    -fsanitize=address,undefined)."""
    return os.environ.get(name, "").split()


class BuildExt(build_ext):
    def build_extensions(self):
        is_gcc_like = self.compiler.compiler_type == "unix"
        for ext in self.extensions:
            if is_gcc_like:
                ext.extra_compile_args += COMPILE_FLAGS + NO_DEBUG_INFO + ["-pthread"]
                ext.extra_link_args.append("-pthread")      # the pool (runtime/runtime.c)
                for flags in (UNSWITCH_FLAGS, SIMD_FLAGS):
                    if compiler_accepts(flags):
                        ext.extra_compile_args += flags
            # last, so that they win (FASTACT_EXTRA_CFLAGS=-g brings debug info back)
            ext.extra_compile_args += extra_flags("FASTACT_EXTRA_CFLAGS")
            ext.extra_link_args += extra_flags("FASTACT_EXTRA_LDFLAGS")
            self.compile_kernels(ext, is_gcc_like and is_x86_64())
        super().build_extensions()

    def compile_kernels(self, ext, with_variants):
        """kernels.c as the baseline and once per variant the compiler
        accepts, in parallel; the objects join the extension's link."""
        jobs = [("baseline", [])]
        for name, flags in selected_variants() if with_variants else []:
            if compiler_accepts(flags):
                jobs.append((name, flags))
            else:
                warnings.warn(f"fastact: the compiler does not accept {flags}; "
                              f"no {name} kernels", stacklevel=1)

        def compile_one(job):
            name, flags = job
            return self.compiler.compile(
                [KERNELS], output_dir=os.path.join(self.build_temp, name),
                macros=ext.define_macros + [("FA_VARIANT", name)],
                include_dirs=ext.include_dirs, depends=ext.depends,
                extra_postargs=ext.extra_compile_args + flags)

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for objects in pool.map(compile_one, jobs):
                ext.extra_objects += objects
        ext.define_macros += [(f"FA_HAVE_{name.upper()}", "1") for name, _ in jobs[1:]]

    def run(self):
        super().run()
        # The flat layout (fastact/ at the top, docs/design.md) puts a checkout
        # first on sys.path for `python -m fastact` or `python -m pytest` run
        # from it; leave the compiled module there too, as --inplace would,
        # so those commands use it rather than the pure-NumPy fallback.
        if not self.inplace and os.path.isfile(os.path.join(HERE, "fastact", "_ext.pyx")):
            for ext in self.extensions:
                built = self.get_ext_fullpath(ext.name)
                self.inplace = True
                try:
                    target = self.get_ext_fullpath(ext.name)
                finally:
                    self.inplace = False
                if os.path.abspath(built) != os.path.abspath(target):
                    self.copy_file(built, target)


load_codegen().render(os.path.join(HERE, SRC))

extensions = [
    Extension(
        "fastact._ext",
        sources=["fastact/_ext.pyx", "fastact/src/runtime/runtime.c"],  # + kernels.c per variant
        include_dirs=[numpy.get_include(), SRC],     # includes name paths from fastact/src
        depends=[os.path.relpath(os.path.join(folder, name), HERE)
                 for folder, _, names in os.walk(os.path.join(HERE, SRC))
                 for name in names if name.endswith(".h")],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
]

setup(
    ext_modules=cythonize(extensions, language_level=3),
    cmdclass={"build_ext": BuildExt},
)
