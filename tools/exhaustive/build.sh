#!/bin/sh
# Builds the harness for the three targets into ./build/ (h_v4, h_v3, h_sse2);
# FA_VARIANT picks the variant table's functions (fastact/src/kernels/variant_table.h,
# rendered by setup.py) that each target's fastact build runs.
set -e
cd "$(dirname "$0")"
mkdir -p build
SRC=../../fastact/src
FLAGS="-O3 -fopenmp -ffp-contract=off -fno-math-errno -fno-trapping-math -Werror=implicit-function-declaration -I$SRC -I."
gcc $FLAGS -march=x86-64-v4 -mprefer-vector-width=512 -DFA_VARIANT=avx512 harness.c -o build/h_v4 -lm & v4=$!
gcc $FLAGS -march=x86-64-v3 -DFA_VARIANT=avx2 harness.c -o build/h_v3 -lm & v3=$!
gcc $FLAGS -DFA_VARIANT=baseline harness.c -o build/h_sse2 -lm & sse2=$!
wait $v4 && wait $v3 && wait $sse2
