#!/usr/bin/env bash
# Usage: cifar_synthetic.sh MINCONV_SIM EXPECT_EXIT WORKLOAD
# No CIFAR-10 data exists on these machines: this writes a tiny data set in the CIFAR-10 binary format
# (5 training batches of 2 records, a test batch of 3; random pixels) and runs the CIFAR workload on it
# through the whole SoC, every image checked against the golden int8 model.
set -u
sim=$1 expect=$2 workload=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
record() { printf "\\x0$1"; head -c 3072 /dev/urandom; }
for b in 1 2 3 4 5; do { record 1; record 2; } > "$dir/data_batch_$b.bin"; done
{ record 3; record 4; record 5; } > "$dir/test_batch.bin"
sed -e "s#^  source: cifar10.*#  source: cifar10\n  dir: $dir#" -e 's#^  calibration: .*#  calibration: 10#' \
    -e 's#^  count: .*#  count: 3#' "$workload" > "$dir/w.yaml"
"$expect" 0 "mul accuracy: [0-9.]+% top-1 on the SoC, 3 cifar10 test images" \
  "$sim" -q --workload "$dir/w.yaml"
