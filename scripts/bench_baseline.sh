#!/usr/bin/env bash
# Builds and runs bench/baseline/kernels_before.cpp against the sw/golden sources of an older revision (default
# f391a70, before issue 9's speed work), with the project's flags of that revision (-O2; -O3 for int8_ops.cpp).
# Usage: scripts/bench_baseline.sh [REV] [google benchmark flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-f391a70}
shift || true
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
git -C "$root" archive "$rev" sw/golden | tar -x -C "$dir"
flags=(-std=c++17 -g -DNDEBUG -I"$dir")
g++ "${flags[@]}" -O2 -c "$dir/sw/golden/float_ops.cpp" -o "$dir/float_ops.o"
g++ "${flags[@]}" -O3 -c "$dir/sw/golden/int8_ops.cpp" -o "$dir/int8_ops.o"
g++ "${flags[@]}" -O2 "$root/bench/baseline/kernels_before.cpp" "$dir/float_ops.o" "$dir/int8_ops.o" \
  -lbenchmark -lpthread -o "$dir/kernels_before"
"$dir/kernels_before" "$@"
