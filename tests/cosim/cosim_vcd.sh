#!/usr/bin/env bash
# Usage: cosim_vcd.sh MINCONV_SIM
# minconv-sim --cosim --vcd FILE (FILE without the .vcd suffix) must exit 0 and write one non-empty VCD with
# both SoCs' lines and the PE arrays' ports, hierarchically named.
set -u
sim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$("$sim" --cosim --quiet --vcd "$dir/trace" 2>&1) || { printf 'exit %s:\n%s\n' "$?" "$out"; exit 1; }
[ -s "$dir/trace" ] || { echo "no VCD at $dir/trace"; ls -l "$dir"; exit 1; }
# SystemC writes hierarchical names as nested $scope sections: one soc_min and one soc_mul, each with its
# accelerator's lines and the PE array's ports.
count() { grep -cE "$1" "$dir/trace"; }
[ "$(count '^.scope module soc_min ')" -eq 1 ] && [ "$(count '^.scope module soc_mul ')" -eq 1 ] &&
  [ "$(count '^.scope module pe_array ')" -eq 2 ] && [ "$(count '^.var wire +1 +[a-z]+ +accel_busy ')" -eq 2 ] &&
  [ "$(count '^.var wire +1 +[a-z]+ +done ')" -eq 2 ] && [ "$(count '^.var wire +256 +[a-z]+ +out_acc ')" -eq 2 ] ||
  { echo "VCD header lacks the expected scopes/signals:"; grep -E '^.(scope|var)' "$dir/trace"; exit 1; }
changes=$(grep -c '^#' "$dir/trace")
[ "$changes" -gt 100 ] || { echo "only $changes time steps in the VCD"; exit 1; }
echo "ok: $(wc -c < "$dir/trace") bytes, $changes time steps"
