#!/usr/bin/env bash
# Data races: ThreadSanitizer on fastact's thread pool (fastact/src/runtime/runtime.c).
#
#   tools/tsan.sh             # both parts below (about a minute and a half)
#   tools/tsan.sh --c-only    # the C harness only (half a minute)
#   TSAN_SCALE=50 TSAN_SECONDS=120 tools/tsan.sh     # longer runs
#   KEEP=1 tools/tsan.sh      # keep the build directory (path printed)
#
# 1. tools/tsan_pool.c, compiled with runtime.c alone (no kernels, no
#    Python): C threads call fa_parallel_loop with small strided loops and
#    check every call against a serial run: concurrent callers, the thread
#    limit (and min-parallel override) changed mid-flight, in-place and
#    overlapping outputs, co-tenants (spinning threads, a thread of tiny
#    jobs contending for the pool), fork() while another thread uses the pool.
# 2. The extension built with -fsanitize=thread in a temporary copy of the
#    checkout (as tools/sanitize.sh does; baseline kernels only: the pool
#    and the glue are the same for every variant), then
#    tools/tsan_threads.py: Python threads calling kernels the same ways.
#    The interpreter and NumPy are not instrumented, so TSan sees only
#    fastact's own memory accesses plus the pthread calls it intercepts;
#    the GIL is a pthread mutex and condition variable, so TSan sees the
#    hand-over between Python threads, and our runs show no false report
#    on fastact's side.  Threads that synchronise by spinning in
#    uninstrumented code are another matter: OpenBLAS's gave false reports
#    (in its memset), so its pool is off (OPENBLAS_NUM_THREADS=1) and the
#    Python co-tenant does no BLAS work.
#
# Options and why:
#   halt_on_error=1 exitcode=66   the first report stops the run, status 66
#   die_after_fork=0              the fork scenario's child starts helper
#                                 threads (TSan refuses that by default)
#   setarch -R                    without address randomisation: newer
#                                 kernels' wider mmap randomness can clash
#                                 with TSan's fixed memory layout
# Any "WARNING: ThreadSanitizer" in the output also counts as a race.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
cc="${CC:-gcc}"
scale="${TSAN_SCALE:-10}"
seconds="${TSAN_SECONDS:-10}"
c_only=""
if [ "${1:-}" = "--c-only" ]; then
    c_only=1
elif [ $# -gt 0 ]; then
    sed -n '2,8p' "$0" >&2
    exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fastact-tsan.XXXXXX")"
if [ -z "${KEEP:-}" ]; then
    trap 'rm -rf "$work"' EXIT
else
    echo "== build directory: $work"
fi
start=$SECONDS
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:die_after_fork=0:second_deadlock_stack=1${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
norandom=()
if setarch "$(uname -m)" -R true 2> /dev/null; then
    norandom=(setarch "$(uname -m)" -R)
fi
races=0

# Runs "$@", its output shown and kept; counts the TSan reports; stops the
# script on a failure or a report.
run() {
    local log="$work/run.log" status=0
    ${norandom[@]+"${norandom[@]}"} "$@" > "$log" 2>&1 || status=$?
    cat "$log"
    local found
    found="$(grep -c "WARNING: ThreadSanitizer" "$log" || true)"
    races=$((races + found))
    if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
        echo "== tsan: $races race(s) or failure (exit status $status)" >&2
        exit $(( status ? status : 66 ))
    fi
}

echo "== tools/tsan_pool.c + fastact/src/runtime/runtime.c, $cc -fsanitize=thread -O1"
"$cc" -fsanitize=thread -g -O1 -pthread -fopenmp-simd -Wall -I"$here/fastact/src" \
    "$here/tools/tsan_pool.c" "$here/fastact/src/runtime/runtime.c" -o "$work/tsan_pool" \
    2> "$work/cc.log" || { cat "$work/cc.log"; exit 1; }
run "$work/tsan_pool" "$scale"

if [ -z "$c_only" ]; then
    echo "== the extension with -fsanitize=thread (baseline kernels) in a copy of the checkout"
    mkdir "$work/src"
    (cd "$here" && git ls-files -z --cached --others --exclude-standard) \
        | (cd "$here" && xargs -0 cp --parents -t "$work/src")
    (
        cd "$work/src"
        FASTACT_VARIANTS="" FASTACT_EXTRA_CFLAGS="-fsanitize=thread -g" \
            FASTACT_EXTRA_LDFLAGS="-fsanitize=thread" \
            "$python" setup.py -q build_ext --inplace --force > build.log 2>&1
    ) || { tail -40 "$work/src/build.log"; exit 1; }
    so="$(ls "$work"/src/fastact/_ext*.so)"
    symbols="$(nm -D "$so")"
    if ! grep -q __tsan_ <<< "$symbols"; then
        echo "the module is not instrumented ($so)" >&2
        exit 1
    fi
    tsan="$("$cc" -print-file-name=libtsan.so)"
    echo "== python tools/tsan_threads.py --seconds $seconds (libtsan preloaded)"
    cd "$work/src"          # (not a checkout's fastact from the current directory)
    run env LD_PRELOAD="$tsan${LD_PRELOAD:+:$LD_PRELOAD}" PYTHONPATH="$work/src" \
        OPENBLAS_NUM_THREADS=1 \
        "$python" -c "import fastact, runpy, sys
assert fastact.__file__.startswith('$work/src'), fastact.__file__
sys.argv = ['tsan_threads.py', '--seconds', '$seconds']
runpy.run_path('$here/tools/tsan_threads.py', run_name='__main__')"
fi
echo "== tsan: $races races, $((SECONDS - start)) s"
