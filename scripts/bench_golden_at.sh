#!/usr/bin/env bash
# Builds this tree's bench/golden_bench.cpp against the golden model and engine fold kernel sources of another
# revision (default 532720f, the float kernels before the MinConv rewrite), with the project's flags for them
# (-O3 for the integer kernels and the fold kernel, -O3 -ffp-contract=off for the float kernels, -O2 otherwise),
# and runs it: "before" figures on the same shapes and inputs as build/bench/golden_bench. The float_avx2
# family is left out (MINCONV_GOLDEN_BENCH_BASELINE: older kernels have no Isa::kAvx2).
# Usage: scripts/bench_golden_at.sh [REV] [google benchmark flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-532720f}
shift || true
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git -C "$root" archive "$rev" sw/golden accel/engine/fold_kernel.cpp accel/engine/fold_kernel.h | tar -x -C "$dir"
flags=(-std=c++17 -g -DNDEBUG -I"$dir")
objs=()
for src in "$dir"/sw/golden/*.cpp "$dir"/accel/engine/fold_kernel.cpp; do
  case $(basename "$src") in
    int8_*.cpp | fold_kernel.cpp) opt=(-O3) ;;
    float_conv.cpp | float_minconv.cpp) opt=(-O3 -ffp-contract=off) ;;
    *) opt=(-O2) ;;
  esac
  g++ "${flags[@]}" "${opt[@]}" -c "$src" -o "$src.o"
  objs+=("$src.o")
done
g++ "${flags[@]}" -O2 -DMINCONV_GOLDEN_BENCH_BASELINE -c "$root/bench/golden_bench.cpp" -o "$dir/golden_bench.o"
g++ "$dir/golden_bench.o" "${objs[@]}" -lbenchmark -lpthread -o "$dir/golden_bench"
"$dir/golden_bench" "$@"
