#!/bin/sh
# Builds build/oldnew_<tgt> (v4, v3, sse2): the float32 kernels of oldnew_list.h
# from git revision ${OLD:-main} (old) and from the working tree (new).
set -e
cd "$(dirname "$0")"
mkdir -p build/old_src
git -C ../.. archive "${OLD:-main}" fastact/src | tar -x -C build/old_src
FLAGS="-O3 -fopenmp -ffp-contract=off -fno-math-errno -fno-trapping-math"
for t in v4 v3 sse2; do
  case $t in v4) M="-march=x86-64-v4 -mprefer-vector-width=512";; v3) M="-march=x86-64-v3";; *) M="";; esac
  gcc $FLAGS $M -DSIDE=old -Ibuild/old_src/fastact/src -I. -c oldnew.c -o build/oldnew_old_$t.o
  gcc $FLAGS $M -DSIDE=new -I../../fastact/src -I. -c oldnew.c -o build/oldnew_new_$t.o
  gcc $FLAGS $M -I. oldnew_main.c build/oldnew_old_$t.o build/oldnew_new_$t.o -o build/oldnew_$t -lm
done
