#!/usr/bin/env bash
# What a run costs, side by side, in one script: one and two threads from text files and from
# JSONL, beside an `rg` scan of the same files when `rg` is installed; the peak memory of a
# shard run and of merging 3 shards; incremental re-runs after one new article (a text file
# in the middle of the input order; a line appended to the last JSONL file). Every
# timing is the minimum of 3 runs (these machines are shared: check `top` first).
#
# usage: benches/cost.sh [CORPUS_DIR]   (default: a 50 MB corpus generated once with
#                                        benches/gen_corpus.py, as text files and JSONL)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${TMPDIR:-/tmp}/newsetl-bench-50}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newsetl/target}"
bin="$CARGO_TARGET_DIR/release/newsetl"
cargo build --release --quiet
[ -d "$corpus/jsonl" ] || python3 benches/gen_corpus.py "$corpus" 50
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Minimum wall time of 3 runs of a command, in seconds.
best() {
  local min="" s e t
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$min" ] || (( $(echo "$t < $min" | bc) )); then min=$t; fi
  done
  echo "$min"
}
# Peak resident memory of a command, in MiB.
peak() { /usr/bin/time -f "%M" "$@" 2>&1 > /dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }
mb() { du -sm --apparent-size "$1" | cut -f1; }

echo "== speed (default pipeline, Parquet + CSV, no report)"
printf '%-7s %5s %9s %9s %8s %9s %10s\n' input MB 1-thread 2-threads second MB/s/core "vs rg"
for input in txt jsonl; do
  dir="$corpus/$input"
  one=$(best "$bin" run -q --threads 1 --no-report --input "$dir" --output "$work/out")
  two=$(best "$bin" run -q --threads 2 --no-report --input "$dir" --output "$work/out")
  size=$(mb "$dir")
  if command -v rg > /dev/null; then
    # A plain scan: every surface form of the lexicons, counted.
    cut -f2,3,4 pipelines/lexicons/*.tsv | tr '\t|' '\n\n' | grep -v '^$' | sort -u > "$work/forms"
    scan=$(best rg --count-matches -F -f "$work/forms" "$dir")
    ratio=$(printf '%.1fx' "$(echo "$one / $scan" | bc -l)")
  else
    ratio="(no rg)"
  fi
  printf '%-7s %5s %8.2fs %8.2fs %7.2fx %9.1f %10s\n' "$input" "$size" "$one" "$two" \
    "$(echo "$one / $two" | bc -l)" "$(echo "$size / $one" | bc -l)" "$ratio"
done

echo "== merge (3 shards of the JSONL corpus)"
shard_peak=0
for k in 0 1 2; do
  p=$(peak "$bin" run -q --threads 2 --no-report --shard "$k/3" --input "$corpus/jsonl" --output "$work/shard$k")
  (( p > shard_peak )) && shard_peak=$p
done
merge_peak=$(peak "$bin" merge -q "$work/shard0" "$work/shard1" "$work/shard2" --output "$work/merged")
"$bin" run -q --threads 2 --no-report --input "$corpus/jsonl" --output "$work/single"
"$bin" diff -q "$work/single" "$work/merged" > /dev/null && same=yes || same=NO
printf 'largest shard run %s MiB, merge %s MiB (%.2fx), tables equal to one run: %s\n' \
  "$shard_peak" "$merge_peak" "$(echo "$merge_peak / $shard_peak" | bc -l)" "$same"

echo "== incremental (text files, one new article)"
cp -r "$corpus/txt" "$work/in"
full=$(best "$bin" run -q --no-report --input "$work/in" --output "$work/full")
"$bin" run -q --no-report --incremental --input "$work/in" --output "$work/inc"
first_dir=$(ls "$work/in" | head -1)
echo "PARIS - Warren Christopher met Qian Qichen again." > "$work/in/$first_dir/zz-new.txt"
s=$(date +%s.%N)
"$bin" run -q --no-report --incremental --input "$work/in" --output "$work/inc"
inc=$(echo "$(date +%s.%N) - $s" | bc)
"$bin" run -q --no-report --input "$work/in" --output "$work/full2"
"$bin" diff -q "$work/full2" "$work/inc" > /dev/null && same=yes || same=NO
printf 'full run %.2f s, incremental after one new article %.2f s (%.0f%%), tables equal: %s\n' \
  "$full" "$inc" "$(echo "100 * $inc / $full" | bc -l)" "$same"
cache_line() {
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["cache"]; print("  cache:", ", ".join(f"{k} {v}" for k, v in c.items()))' "$1"
}
cache_line "$work/inc/manifest.json"

echo "== incremental (JSONL, one article appended to the last file)"
cp -r "$corpus/jsonl" "$work/jin"
full=$(best "$bin" run -q --no-report --input "$work/jin" --output "$work/jfull")
"$bin" run -q --no-report --incremental --input "$work/jin" --output "$work/jinc"
last=$(ls "$work/jin"/* | tail -1)
echo '{"id": "zz-new", "text": "PARIS - Warren Christopher met Qian Qichen again."}' >> "$last"
s=$(date +%s.%N)
"$bin" run -q --no-report --incremental --input "$work/jin" --output "$work/jinc"
inc=$(echo "$(date +%s.%N) - $s" | bc)
"$bin" run -q --no-report --input "$work/jin" --output "$work/jfull2"
"$bin" diff -q "$work/jfull2" "$work/jinc" > /dev/null && same=yes || same=NO
printf 'full run %.2f s, incremental after one appended article %.2f s (%.0f%%), tables equal: %s\n' \
  "$full" "$inc" "$(echo "100 * $inc / $full" | bc -l)" "$same"
cache_line "$work/jinc/manifest.json"
