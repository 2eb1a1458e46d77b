#!/usr/bin/env bash
# Compares binaries on incremental re-runs, interleaved so that a shared machine's noise
# falls on each alike: the text files of CORPUS are copied once; each round adds one new
# article in the first folder (the middle of the input order) and runs every binary
# incrementally on its own output; then two full runs of each. Prints one line a run
# (`inc|full BINARY SECONDS`) and the minimum and median of each.
#
# usage: benches/ab_incremental.sh CORPUS_DIR ROUNDS BINARY...   (CORPUS_DIR/txt as made by
#        benches/gen_corpus.py; default pipeline)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$1"; rounds="$2"; shift 2
pipeline="$PWD/pipelines/default.toml"
work=$(mktemp -d "${TMPDIR:-/tmp}/newsetl-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$corpus/txt" "$work/in"
first_dir=$(ls "$work/in" | head -1)
seconds() { local s; s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc; }
for b in "$@"; do
  "$b" run "$pipeline" -q --no-report --incremental --input "$work/in" --output "$work/inc-$(basename "$b")"
done
{
  for k in $(seq 1 "$rounds"); do
    echo "PARIS - Warren Christopher met Qian Qichen again, round $k." > "$work/in/$first_dir/zz-ab-$k.txt"
    for b in "$@"; do
      echo "inc $(basename "$b") $(seconds "$b" run "$pipeline" -q --no-report --incremental --input "$work/in" --output "$work/inc-$(basename "$b")")"
    done
  done
  for k in 1 2; do
    for b in "$@"; do
      echo "full $(basename "$b") $(seconds "$b" run "$pipeline" -q --no-report --input "$work/in" --output "$work/full-$(basename "$b")")"
    done
  done
} | tee "$work/runs.txt"
for b in "$@"; do
  "$b" diff -q "$work/full-$(basename "$b")" "$work/inc-$(basename "$b")" > /dev/null \
    && echo "$(basename "$b"): incremental tables equal to a full run" \
    || echo "$(basename "$b"): incremental tables DIFFER from a full run"
done
python3 - "$work/runs.txt" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, binary, t = line.split()
    runs[(kind, binary)].append(float(t))
for (kind, binary), ts in sorted(runs.items()):
    print(f"{kind:4} {binary:20} min {min(ts):.3f} s, median {statistics.median(ts):.3f} s ({len(ts)} runs)")
PY
