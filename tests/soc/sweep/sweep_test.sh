#!/usr/bin/env bash
# Usage: sweep_test.sh MINCONV_SIM
# 1. The native sweep runs every point (in parallel), writes results.csv and the plots.
#    Its counts are exact (not rounded to 6 digits).
# 2. The same sweep emitted as jobs (each point on one thread), run through GNU parallel and merged gives the
#    same CSV (host seconds aside).
# 3. A restarted sweep skips the points already in results.csv.
# 4. A failing point is a row with its error; the sweep still exits 0.
# 5. batch is an axis: each point's --batch; its stream figures are columns (a streamed batch has the higher
#    throughput), and a batch above the images is a failed point.
set -u
sim=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
strip() { cut -d, -f1-25 "$1"; }  # point, 2 axes, status .. image_latency_max: all but host_seconds and error

"$sim" sweep "$here/tiny.yaml" -o "$dir/native" -j 2 -q || fail "native sweep exited $?"
[ "$(wc -l < "$dir/native/results.csv")" -eq 5 ] || fail "expected 4 rows: $(cat "$dir/native/results.csv")"
[ "$(grep -c ',ok,' "$dir/native/results.csv")" -eq 4 ] || fail "not every point ok: $(cat "$dir/native/results.csv")"
for p in cycles_vs_pes energy_vs_pes area_vs_cycles roofline accuracy_vs_area; do
  [ -s "$dir/native/plots/$p.png" ] && [ -s "$dir/native/plots/$p.svg" ] || fail "plot $p missing"
done

# Counts are exact in the CSV (the 60 images' cycles end to end: 7 digits), as in the point's report.
field() { awk -F, -v p="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i } $1 == p { print $n }' "$1"; }
report="$dir/native/points/cols=4_pe=min/report.json"
want=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["runs"][0]["stream"]["cycles"])' "$report")
[ "${#want}" -ge 7 ] || fail "the test needs a 7-digit cycle count, got $want"
[ "$(field "$dir/native/results.csv" cols=4_pe=min stream_cycles)" = "$want" ] ||
  fail "CSV stream_cycles $(field "$dir/native/results.csv" cols=4_pe=min stream_cycles), report $want"

"$sim" sweep "$here/tiny.yaml" --emit-jobs "$dir/jobs" -q || fail "emit-jobs exited $?"
grep -q -- "' -q -j 1 --no-compare " "$dir/jobs/commands.txt" || fail "a point does not run on one thread"
[ "$(wc -l < "$dir/jobs/commands.txt")" -eq 4 ] || fail "expected 4 commands"
parallel -j 2 < "$dir/jobs/commands.txt" || fail "GNU parallel failed"
"$sim" sweep "$here/tiny.yaml" --merge "$dir/jobs" -q || fail "merge exited $?"
diff <(strip "$dir/native/results.csv") <(strip "$dir/jobs/results.csv") || fail "parallel CSV differs from native"

before=$(stat -c %Y "$dir/native/points/cols=4_pe=min/report.json")
sleep 1
out=$("$sim" sweep "$here/tiny.yaml" -o "$dir/native" -j 2) || fail "restart exited $?"
echo "$out" | grep -q "0 to run (4 already in results.csv)" || fail "restart did not skip: $out"
[ "$(stat -c %Y "$dir/native/points/cols=4_pe=min/report.json")" = "$before" ] || fail "a done point ran again"

"$sim" sweep "$here/bad_point.yaml" -o "$dir/bad" -q || fail "a failed point stopped the sweep"
grep -q '^rows=65,65,failed,.*accel.rows.*out of range' "$dir/bad/results.csv" || fail "no failed row: $(cat "$dir/bad/results.csv")"
grep -q '^rows=8,8,ok,' "$dir/bad/results.csv" || fail "the good point is missing"
grep -q -- '--batch' "$dir/jobs/commands.txt" && fail "--batch in the commands of a sweep without it"
"$sim" sweep "$here/batch.yaml" -o "$dir/batch" -j 2 -q || fail "batch sweep exited $?"
csv="$dir/batch/results.csv"
head -1 "$csv" | grep -q ',images,batch_size,stream_cycles,images_per_s,image_latency_min,image_latency_mean,image_latency_max,host_seconds,' ||
  fail "batch columns missing: $(head -1 "$csv")"
grep -q -- "--batch '3'" "$dir/batch/commands.txt" || fail "no --batch in the point commands"
grep -q '^batch=4_pe=min,4,min,failed,.*--batch: error: a batch of 4 images' "$csv" || fail "no failed batch row: $(cat "$csv")"
col() { awk -F, -v p="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i } $1 == p { print $n }' "$csv"; }
[ "$(col batch=1_pe=min batch_size)" = 1 ] && [ "$(col batch=3_pe=min batch_size)" = 3 ] || fail "batch column: $(cat "$csv")"
awk -v a="$(col batch=1_pe=min images_per_s)" -v b="$(col batch=3_pe=min images_per_s)" 'BEGIN { exit !(b > a && a > 0) }' ||
  fail "streaming did not raise the throughput: $(cat "$csv")"
awk -v a="$(col batch=1_pe=min stream_cycles)" -v b="$(col batch=3_pe=min stream_cycles)" 'BEGIN { exit !(b < a) }' ||
  fail "streaming did not shorten the run: $(cat "$csv")"
echo "ok: native, GNU parallel + merge, restart, failed points and the batch axis"
