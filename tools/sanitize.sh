#!/usr/bin/env bash
# Memory and UB safety: build fastact with -fsanitize=address,undefined in a
# temporary copy of this checkout (the checkout's own build is never
# touched), then run the test suite there with the sanitizer runtime
# preloaded.  Any sanitizer report stops the run with a stack trace.
#
#   tools/sanitize.sh                      # the test suite but the slow tests
#   tools/sanitize.sh tests/test_api.py    # pytest arguments instead
#   tools/sanitize.sh -m slow              # the slow ones (hours under ASan)
#   tools/sanitize.sh -- python tools/fuzz.py --seconds 300   # any command
#   KEEP=1 tools/sanitize.sh ...           # keep the copy (path printed)
#
# Options and why:
#   PYTHONMALLOC=malloc      Python's objects come from malloc, so ASan sees
#                            overruns into them too (not only NumPy buffers)
#   detect_leaks=0           CPython does not free everything at exit, which
#                            LeakSanitizer would report; leaks are tested by
#                            tests/test_reliability.py (tracemalloc and RSS)
#   halt_on_error=1          the first UBSan report stops the run (a failure)
#   libasan preloaded        ASan must come first when python is not
#                            built with it
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"

work="$(mktemp -d "${TMPDIR:-/tmp}/fastact-sanitize.XXXXXX")"
if [ -z "${KEEP:-}" ]; then
    trap 'rm -rf "$work"' EXIT
fi
echo "== copy of the checkout: $work"
# the sources (tracked and new files), not build products
(cd "$here" && git ls-files -z --cached --others --exclude-standard) \
    | (cd "$here" && xargs -0 cp --parents -t "$work")

echo "== build with -fsanitize=address,undefined"
cd "$work"
export FASTACT_EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
export FASTACT_EXTRA_LDFLAGS="-fsanitize=address,undefined"
"$python" setup.py -q build_ext --inplace --force > build.log 2>&1 || { tail -40 build.log; exit 1; }
unset FASTACT_EXTRA_CFLAGS FASTACT_EXTRA_LDFLAGS

so="$(ls "$work"/fastact/_ext*.so)"
# (nm's output in a variable: `nm | grep -q` can fail under pipefail when
# grep exits at the first match and nm gets SIGPIPE)
symbols="$(nm -D "$so")"
if ! grep -q __asan_ <<< "$symbols" || ! grep -q __ubsan_handle_ <<< "$symbols"; then
    echo "the module is not instrumented ($so)" >&2
    exit 1
fi

asan="$(gcc -print-file-name=libasan.so)"
export LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:check_initialization_order=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export PYTHONMALLOC=malloc
export PYTHONPATH="$work"

"$python" -c "import fastact, sys; assert fastact.__file__.startswith('$work'), fastact.__file__; \
print('== fastact from', fastact.__file__, '(' + fastact._variant + ' kernels)')"

if [ "${1:-}" = "--" ]; then
    shift
    echo "== $*"
    "$@"
else
    # tests/test_vectorized.py checks the machine code of the loops, which
    # the instrumentation changes by design.  matplotlib (tests/
    # test_cli_tools.py, while importing) and torch's autograd engine
    # (tests/test_torch_autograd.py, in backward()) abort under the preloaded
    # ASan runtime without a sanitizer report, in their own code: those two
    # files are left out (fastact's kernels they call run in the other tests).
    [ $# -gt 0 ] || set -- -m "not slow" --ignore=tests/test_vectorized.py \
        --ignore=tests/test_cli_tools.py --ignore=tests/test_torch_autograd.py
    echo "== python -m pytest $*"
    "$python" -m pytest -p no:cacheprovider -q "$@"
fi
echo "== sanitizers: clean"
