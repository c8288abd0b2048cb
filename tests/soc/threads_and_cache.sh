#!/usr/bin/env bash
# minconv-sim THREADS_AND_CACHE: the report (JSON, without its host times) is the same with one thread and with
# several, and with a cold, a warm and a corrupt calibration cache; the warm run says it used the cache.
# Usage: threads_and_cache.sh MINCONV_SIM
set -euo pipefail
sim=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {  # run NAME ARGS...: the report in $dir/NAME.json, stdout in $dir/NAME.txt
  local name=$1
  shift
  "$sim" -q --images 40 --report "$dir/$name.json" "$@" > "$dir/$name.txt"
  grep -v -E '"(host_seconds|host_seconds_calibration|calibration_cached)"' "$dir/$name.json" > "$dir/$name.cmp"
}
run one -j 1 --no-cache
run cold -j 3 --cache-dir "$dir/cache"
run warm -j 2 --cache-dir "$dir/cache"
grep -q 'calibration min [0-9.]* s (cached) mul [0-9.]* s (cached)' "$dir/warm.txt" ||
  { echo "the warm run did not use the cache"; cat "$dir/warm.txt"; exit 1; }
for f in "$dir"/cache/*.bin; do  # flip one byte in the middle of every entry
  printf '\x55' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
done
run corrupt -j 2 --cache-dir "$dir/cache"
if grep -q '(cached)' "$dir/corrupt.txt"; then echo "a corrupt entry was used"; exit 1; fi
for name in cold warm corrupt; do
  diff "$dir/one.cmp" "$dir/$name.cmp" > /dev/null || { echo "$name differs from the one-thread run"; exit 1; }
done
echo "threads and cache: identical reports"
