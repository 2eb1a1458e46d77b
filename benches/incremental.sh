#!/usr/bin/env bash
# Incremental re-runs: 10,000 articles, then one changed. Prints the time of a full run and of
# incremental re-runs (nothing changed; one article changed), in one script.
#
# usage: benches/incremental.sh [CORPUS_DIR]   (default: a 64 MB corpus generated once)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${TMPDIR:-/tmp}/newsetl-bench-64}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newsetl/target}"
bin="$CARGO_TARGET_DIR/release/newsetl"
cargo build --release --quiet
[ -d "$corpus/txt" ] || python3 benches/gen_corpus.py "$corpus" 64 --only txt
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
for d in $(ls "$corpus/txt" | head -10); do cp -r "$corpus/txt/$d" "$work/in/"; done
n=$(find "$work/in" -name '*.txt' | wc -l)

timed() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
full=$(timed "$bin" run -q --input "$work/in" --output "$work/full")
first=$(timed "$bin" run -q --incremental --input "$work/in" --output "$work/inc")
same=$(timed "$bin" run -q --incremental --input "$work/in" --output "$work/inc")
one=$(find "$work/in" -name '*.txt' | sort | sed -n 5000p)
echo "PARIS - Warren Christopher met Qian Qichen again." >> "$one"
changed=$(timed "$bin" run -q --incremental --input "$work/in" --output "$work/inc")
reused=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['cache'])" "$work/inc/manifest.json")
"$bin" run -q --input "$work/in" --output "$work/full2"
"$bin" diff "$work/full2" "$work/inc" > /dev/null && same_tables=yes || same_tables=NO
printf '%s articles\n' "$n"
printf 'full run (no cache):            %6.2f s\n' "$full"
printf 'incremental, first (cold):      %6.2f s\n' "$first"
printf 'incremental, nothing changed:   %6.2f s  (%.0f%% of full)\n' "$same" "$(echo "100 * $same / $full" | bc -l)"
printf 'incremental, one changed:       %6.2f s  (%.0f%% of full)  cache %s\n' "$changed" "$(echo "100 * $changed / $full" | bc -l)" "$reused"
printf 'tables equal to a full run:     %s\n' "$same_tables"
