#!/bin/sh
# Builds the harness for the three targets into ./build/ (h_v4, h_v3, h_sse2).
set -e
cd "$(dirname "$0")"
mkdir -p build
SRC=../../fastact/src
FLAGS="-O3 -fopenmp -ffp-contract=off -fno-math-errno -fno-trapping-math -I$SRC -I."
gcc $FLAGS -march=x86-64-v4 -mprefer-vector-width=512 harness.c -o build/h_v4 -lm &
gcc $FLAGS -march=x86-64-v3 harness.c -o build/h_v3 -lm &
gcc $FLAGS harness.c -o build/h_sse2 -lm &
wait
