#!/usr/bin/env bash
# Benchmark on web pages: the whole newsetl pipeline (extraction, entities, tables) against
# Python trafilatura's extraction alone, on the same pages, one core each, in one script.
#
# usage: benches/web.sh PAGES_DIR [COPIES] [GOLD.json]
#   PAGES_DIR  a folder of .html pages (e.g. the article-extraction benchmark's pages)
#   COPIES     how many times the pages are repeated so that timings are long enough (default 10)
#   GOLD.json  optional ground truth ({id: {"articleBody": ...}}) and its score.py beside it:
#              then both extractions are scored as well
#
# Needs python3 and bc; installs trafilatura 2.3.1 (with lxml_html_clean, which lxml 6 splits off) into a venv of its own ($HOME/.cache/newsetl/bench-venv).
# Each system runs three times and the fastest run counts.
# Prints seconds, MB/s of HTML per core, and newsetl's speed as a multiple of trafilatura's.
set -euo pipefail
cd "$(dirname "$0")/.."
pages="$1"
copies="${2:-10}"
gold="${3:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newsetl/target}"
bin="$CARGO_TARGET_DIR/release/newsetl"
venv="$HOME/.cache/newsetl/bench-venv"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet trafilatura==2.3.1 lxml_html_clean
fi

mkdir -p "$work/pages"
for i in $(seq 1 "$copies"); do
  for f in "$pages"/*.html; do cp "$f" "$work/pages/$i-$(basename "$f")"; done
done
mb=$(du -sm --apparent-size "$work/pages" | cut -f1)

# The fastest of three runs for each system: these machines are shared and noisy.
newsetl_s=""
for run in 1 2 3; do
  rm -rf "$work/out"
  start=$(date +%s.%N)
  "$bin" run pipelines/generic.toml --threads 1 -q --input "$work/pages" --output "$work/out"
  took=$(echo "$(date +%s.%N) - $start" | bc)
  if [ -z "$newsetl_s" ] || [ "$(echo "$took < $newsetl_s" | bc)" = 1 ]; then newsetl_s=$took; fi
done

"$venv/bin/python" - "$work/pages" "$work/trafilatura" > "$work/traf_time" <<'PY'
import os, sys, time
import trafilatura
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
names = sorted(os.listdir(src))
pages = [open(os.path.join(src, n), encoding="utf-8", errors="replace").read() for n in names]
best = None
for _ in range(3):
    start = time.perf_counter()
    texts = [trafilatura.extract(p) or "" for p in pages]
    took = time.perf_counter() - start
    best = took if best is None else min(best, took)
print(best)
for n, t in zip(names, texts):
    open(os.path.join(out, n[:-5] + ".txt"), "w", encoding="utf-8").write(t)
PY
traf_s=$(cat "$work/traf_time")

printf '%-34s %8s %10s\n' system seconds "MB/s/core"
printf '%-34s %8.2f %10.1f\n' "newsetl run (whole pipeline)" "$newsetl_s" "$(echo "$mb / $newsetl_s" | bc -l)"
printf '%-34s %8.2f %10.1f\n' "trafilatura.extract (alone)" "$traf_s" "$(echo "$mb / $traf_s" | bc -l)"
printf 'newsetl is %.1f times as fast (%s MB of HTML, %s pages)\n' \
  "$(echo "$traf_s / $newsetl_s" | bc -l)" "$mb" "$(ls "$work/pages" | wc -l)"

if [ -n "$gold" ]; then
  python3 benches/html_texts.py "$work/out" "$work/newsetl_texts"
  # One copy of each page is enough for the score: keep copy 1, named as the gold names them.
  for d in newsetl_texts trafilatura; do
    mkdir -p "$work/score/$d"
    for f in "$work/$d"/1-*.txt; do cp "$f" "$work/score/$d/$(basename "$f" | sed 's/^1-//')"; done
  done
  python3 "$(dirname "$gold")/score.py" --gold "$gold" "$work/score/newsetl_texts" "$work/score/trafilatura"
fi
