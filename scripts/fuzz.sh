#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DMINCONV_FUZZ=ON, ASan + UBSan) in build-fuzz/ and runs each one
# over its seed corpus, one after the other. Exits non-zero on the first finding (crash, sanitizer report,
# leak, uncaught exception, timeout, out of memory); its input is kept in build-fuzz/findings/<target>/.
# Usage: scripts/fuzz.sh [RUNS | --seconds N]   (default: 2000 runs per target; docs/fuzzing.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${MINCONV_FUZZ_BUILD:-"$root/build-fuzz"}  # the build directory (default build-fuzz/)
budget=(-runs=2000)
case "${1:-}" in
  "") ;;
  --seconds) budget=(-max_total_time="${2:?--seconds needs a number}") ;;
  *[!0-9]* ) echo "usage: scripts/fuzz.sh [RUNS | --seconds N]" >&2; exit 2 ;;
  *) budget=(-runs="$1") ;;
esac
CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -G Ninja -DMINCONV_FUZZ=ON -DMINCONV_WITH_RTL=OFF >/dev/null
cmake --build "$dir" -j "$(nproc)" --target minconv_fuzzers
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
for target in soc_config workload weights idx; do
  mkdir -p "$dir/findings/$target"
  echo "== fuzz_$target ${budget[*]}"
  start=$(date +%s)
  if ! "$dir/fuzz/fuzz_$target" "${budget[@]}" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$dir/findings/$target/" "$dir/tests/fuzz/corpus/$target" >"$dir/findings/$target.log" 2>&1; then
    tail -n 60 "$dir/findings/$target.log"
    echo "fuzz.sh: fuzz_$target found a problem: log $dir/findings/$target.log, input in $dir/findings/$target/" >&2
    exit 1
  fi
  grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/findings/$target.log" | tail -n 1
  echo "   $(( $(date +%s) - start )) s"
done
echo "fuzz.sh: no findings"
