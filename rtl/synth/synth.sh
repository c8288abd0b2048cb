#!/bin/sh
# Synthesizes the PEs and 8x8 arrays of both kinds to generic gates with Yosys and writes
#   rtl/synth/area.json   (machine-readable: cells per type, NAND2-equivalent area, logic depth)
#   rtl/synth/out/*.log   (full Yosys logs)
# and prints a Markdown table (the one in docs/rtl.md). Usage: rtl/synth/synth.sh [yosys]
#
# Accumulator widths: the default SoC's largest reduction is K = 7*7*64 = 3136.
#   min PE: |term| <= 128   -> |acc| <= 3136*128   = 401,408    < 2^19 -> 20 bits (signed)
#   mul PE: |term| <= 16384 -> |acc| <= 3136*16384 = 51,380,224 < 2^26 -> 27 bits (signed)
# The PEs are also synthesized at 32 bits (the width of the Verilated co-simulation models).
set -eu
YOSYS=${1:-yosys}
HERE=$(cd "$(dirname "$0")" && pwd)
RTL=$(dirname "$HERE")
OUT="$HERE/out"
mkdir -p "$OUT"
GATES=AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX

# job name | top | chparam arguments | sources. Each job reads only the sources its top needs: ABC's result
# depends on the order in which Yosys hashes names, so reading an unrelated file (pe_array.sv for a PE) moves
# a PE's figures by about 1 % whenever that file is edited (docs/rtl.md, "Synthesis").
ARRAY_SOURCES="$RTL/pe_min.sv $RTL/pe_mul.sv $RTL/pe_array.sv"
JOBS="pe_min_a20|pe_min|-set ACC_W 20|$RTL/pe_min.sv
pe_mul_a27|pe_mul|-set ACC_W 27|$RTL/pe_mul.sv
pe_min_a32|pe_min|-set ACC_W 32|$RTL/pe_min.sv
pe_mul_a32|pe_mul|-set ACC_W 32|$RTL/pe_mul.sv
array8x8_min_a20|pe_array|-set R 8 -set C 8 -set ACC_W 20 -set PE_KIND 0|$ARRAY_SOURCES
array8x8_mul_a27|pe_array|-set R 8 -set C 8 -set ACC_W 27 -set PE_KIND 1|$ARRAY_SOURCES"

# SYNTH_REPORT_ONLY=1: only re-derive area.json and the table from the existing logs.
[ "${SYNTH_REPORT_ONLY:-0}" = 1 ] || echo "$JOBS" | while IFS='|' read -r name top params sources; do
  cat > "$OUT/$name.ys" <<YS
read_verilog -sv $sources
chparam $params $top
synth -top $top -flatten
abc -g $GATES
opt_clean -purge
tee -o $OUT/$name.stat stat
tee -o $OUT/$name.ltp ltp -noff
YS
  start=$(date +%s)
  "$YOSYS" -q -l "$OUT/$name.log" -s "$OUT/$name.ys" > /dev/null
  echo "$name: $(( $(date +%s) - start )) s" >&2
done

python3 - "$OUT" "$HERE/area.json" <<'PY'
import json, re, sys
out, dst = sys.argv[1], sys.argv[2]
# NAND2-equivalent weights: X1 cell areas of the Nangate 45 nm open cell library divided by NAND2_X1
# (0.798 um^2). ANDNOT/ORNOT (no single Nangate cell) are costed like AND2/OR2; a flip-flop with enable is a
# flip-flop plus a MUX2.
W = {"$_NAND_": 1.0, "$_NOR_": 1.0, "$_AND_": 1.33, "$_OR_": 1.33, "$_ANDNOT_": 1.33, "$_ORNOT_": 1.33,
     "$_XOR_": 2.0, "$_XNOR_": 2.0, "$_MUX_": 2.33, "$_NOT_": 0.67, "$_BUF_": 1.0}
DFF, DFF_R, MUX = 5.67, 6.67, 2.33   # DFF_X1, DFFR_X1 (async reset), MUX2_X1
def weight(cell):
    if cell in W: return W[cell]
    m = re.fullmatch(r"\$_(S?DFFE?|DFFSRE?|ALDFFE?)_([A-Z0-9]+)_", cell)
    if not m: raise SystemExit(f"no area weight for cell {cell}")
    kind, pol = m.groups()
    w = DFF_R if (kind.startswith("DFF") and len(pol) >= 3) or kind.startswith("S") else DFF
    return w + (MUX if kind.endswith("E") else 0.0)
designs = {}
for name in ["pe_min_a20", "pe_mul_a27", "pe_min_a32", "pe_mul_a32", "array8x8_min_a20", "array8x8_mul_a27"]:
    stat = open(f"{out}/{name}.stat").read()
    cells = {c: int(n) for c, n in re.findall(r"^\s+(\$_\S+)\s+(\d+)\s*$", stat, re.M)}
    depth = int(re.search(r"length=(\d+)", open(f"{out}/{name}.ltp").read()).group(1))
    ffs = sum(n for c, n in cells.items() if "DFF" in c)
    area = sum(n * weight(c) for c, n in cells.items())
    ff_area = sum(n * weight(c) for c, n in cells.items() if "DFF" in c)
    d = {"cells": dict(sorted(cells.items())), "cell_count": sum(cells.values()), "flip_flops": ffs,
         "nand2_eq": round(area, 1), "nand2_eq_flip_flops": round(ff_area, 1),
         "nand2_eq_logic": round(area - ff_area, 1), "logic_depth": depth}
    if name.startswith("array8x8"):
        d["nand2_eq_per_pe"] = round(area / 64, 1)
    designs[name] = d
doc = {"tool": "yosys 0.23, synth -flatten; abc -g AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX",
       "weights_nand2_eq": {**W, "DFF": DFF, "DFF_async_reset": DFF_R, "enable_mux": MUX},
       "weights_source": "Nangate 45nm open cell library X1 areas / NAND2_X1 area",
       "logic_depth": "ltp -noff: gates on the longest combinational path",
       "accumulator_width": {"min": 20, "mul": 27, "why": "K = 3136: 3136*128 < 2^19, 3136*16384 < 2^26"},
       "designs": designs}
doc["ratios"] = {
    "pe_min_a20 / pe_mul_a27": round(designs["pe_min_a20"]["nand2_eq"] / designs["pe_mul_a27"]["nand2_eq"], 3),
    "pe_min_a32 / pe_mul_a32": round(designs["pe_min_a32"]["nand2_eq"] / designs["pe_mul_a32"]["nand2_eq"], 3),
    "array8x8_min / array8x8_mul": round(designs["array8x8_min_a20"]["nand2_eq"] / designs["array8x8_mul_a27"]["nand2_eq"], 3)}
json.dump(doc, open(dst, "w"), indent=2)
open(dst, "a").write("\n")
print("| design | cells | flip-flops | NAND2 eq. (total) | of which flip-flops | logic | per PE | logic depth |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n, d in designs.items():
    print(f"| {n} | {d['cell_count']} | {d['flip_flops']} | {d['nand2_eq']} | {d['nand2_eq_flip_flops']} | "
          f"{d['nand2_eq_logic']} | {d.get('nand2_eq_per_pe', d['nand2_eq'])} | {d['logic_depth']} |")
for k, v in doc["ratios"].items():
    print(f"\n{k}: {v}", end="")
print()
PY
