#!/bin/sh
# Exhaustive (all 2^32 inputs) max-ULP scans, fast versions, v4 and v3 builds.
cd "$(dirname "$0")"
for t in v4 v3; do
  for f in ${FUNCS:-tanh sigmoid silu exp elu softplus atan}; do
    echo "[$t] $(./build/h_$t check $f fast 1)"
  done
done
