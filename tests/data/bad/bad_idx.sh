#!/usr/bin/env bash
# Usage: bad_idx.sh MINCONV_SIM EXPECT_EXIT
# IDX data sets that are well formed but unusable: zero images, images of the wrong shape. Each must be a
# clear error naming the file (exit 2), never a crash.
set -u
sim=$1 expect=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
idx() {  # idx FILE MAGIC COUNT [ROWS COLS]: an IDX header and COUNT*ROWS*COLS zero bytes (plain, not gzip)
  local file=$1 magic=$2 count=$3 rows=${4:-} cols=${5:-}
  printf "\\x00\\x00\\x08\\x$magic" > "$file"
  printf "\\x00\\x00\\x00\\x$(printf %02x "$count")" >> "$file"
  if [ -n "$rows" ]; then
    printf "\\x00\\x00\\x00\\x$(printf %02x "$rows")\\x00\\x00\\x00\\x$(printf %02x "$cols")" >> "$file"
    head -c $((count * rows * cols)) /dev/zero >> "$file"
  else
    head -c "$count" /dev/zero >> "$file"
  fi
}
workload() {  # workload FOLDER: LeNet-like input on the Fashion-MNIST files in FOLDER
  printf 'name: t\ninput: {h: 28, w: 28, c: 1}\nimages: {source: fashion-mnist, dir: %s}\nlayers:\n  - {name: fc1, type: fc, out_c: 10}\n' "$1" > "$1/w.yaml"
}
fail=0
mkdir "$dir/empty" "$dir/shape"
for split in train t10k; do
  idx "$dir/empty/$split-images-idx3-ubyte.gz" 03 0 28 28
  idx "$dir/empty/$split-labels-idx1-ubyte.gz" 01 0
  idx "$dir/shape/$split-images-idx3-ubyte.gz" 03 2 32 32
  idx "$dir/shape/$split-labels-idx1-ubyte.gz" 01 2
done
workload "$dir/empty"
workload "$dir/shape"
"$expect" 2 "empty/t10k-images-idx3-ubyte.gz.*(no images|holds no|zero|empty)" "$sim" --workload "$dir/empty/w.yaml" -q || fail=1
"$expect" 2 "key 'images.dir':.*shape/t10k-images-idx3-ubyte.gz: images are 32x32, expected 28x28" "$sim" --workload "$dir/shape/w.yaml" -q || fail=1
exit $fail
