#!/bin/sh
# verilator --lint-only -Wall on every RTL module, the array in several shapes. No waivers are needed.
# Usage: rtl/lint.sh [verilator]   (run from rtl/, as ctest rtl_lint does)
set -eu
V=${1:-verilator}
cd "$(dirname "$0")"
"$V" --lint-only -Wall --top-module pe_min pe_min.sv
"$V" --lint-only -Wall --top-module pe_min -GACC_W=20 pe_min.sv
"$V" --lint-only -Wall --top-module pe_mul pe_mul.sv
"$V" --lint-only -Wall --top-module pe_mul -GACC_W=27 pe_mul.sv
for p in "-GR=1 -GC=1" "-GR=1 -GC=4" "-GR=4 -GC=1" "-GR=3 -GC=5" "-GR=4 -GC=4" "-GR=8 -GC=8" "-GR=16 -GC=16"; do
  for k in 0 1; do
    # shellcheck disable=SC2086
    "$V" --lint-only -Wall --top-module pe_array $p -GPE_KIND=$k pe_array.sv pe_min.sv pe_mul.sv
    # shellcheck disable=SC2086
    "$V" --lint-only -Wall --top-module pe_array $p -GPE_KIND=$k -GKW=32 -GACC_W=20 pe_array.sv pe_min.sv pe_mul.sv
  done
done
echo "rtl lint: clean"
