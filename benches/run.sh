#!/usr/bin/env bash
# Benchmark: newsetl against a plain scan (ripgrep) of the same corpus, in one script, so that
# the ratio holds on a shared, noisy machine.
#
# usage: benches/run.sh [SIZE_MB] [CORPUS_DIR]
#   SIZE_MB     corpus size to generate (default 512); generated once, then reused
#   CORPUS_DIR  where (default ${TMPDIR:-/tmp}/newsetl-bench-SIZE_MB)
#
# Needs: python3, ripgrep (`rg`), GNU time (`/usr/bin/time`); on Debian:
#   apt-get install -y ripgrep time
# Prints, for plain files and JSONL, with --threads 1 and 2: seconds, MB/s, documents/s, peak
# RSS, and the ratio newsetl time / rg time (rg with as many threads).
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-512}"
corpus="${2:-${TMPDIR:-/tmp}/newsetl-bench-$size}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/newsetl/target}"
bin="$CARGO_TARGET_DIR/release/newsetl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
if [ ! -d "$corpus/txt" ]; then
  python3 benches/gen_corpus.py "$corpus" "$size"
fi
docs=$(find "$corpus/txt" -name '*.txt' | wc -l)

# One alternation of every surface form of the pipeline's lexicons (names, aliases, short
# forms), escaped as a regular expression: the work a scan for the same names must do.
python3 - "$work/pattern" <<'PY'
import glob, sys
forms = set()
for path in glob.glob("pipelines/lexicons/*.tsv"):
    for line in open(path, encoding="utf-8"):
        if line.startswith(("#", "kind\t")):
            continue
        cols = line.rstrip("\n").split("\t")
        for col in cols[1:4]:
            forms.update(f.strip() for f in col.split("|") if f.strip())
meta = set("\\.+*?()|[]{}^$")
escape = lambda f: "".join("\\" + c if c in meta else c for c in f)
open(sys.argv[1], "w").write("|".join(escape(f) for f in sorted(forms)))
PY

measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$work/time"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$work/time")
  echo "$label $wall $rss"
}

mb() { du -sm --apparent-size "$1" | cut -f1; }
printf '%-8s %-7s %8s %8s %10s %9s %10s\n' input threads seconds MB/s docs/s "RSS MiB" "vs rg"
for input in txt jsonl; do
  size_mb=$(mb "$corpus/$input")
  for threads in 1 2; do
    read -r _ rg_s _ < <(measure rg rg -c -i -j "$threads" -f "$work/pattern" "$corpus/$input")
    rm -rf "$work/out"
    read -r _ s rss < <(measure newsetl "$bin" run -q --threads "$threads" --input "$corpus/$input" --output "$work/out")
    awk -v i="$input" -v t="$threads" -v s="$s" -v mb="$size_mb" -v d="$docs" -v r="$rss" -v rg="$rg_s" \
      'BEGIN { printf "%-8s %-7s %8.2f %8.1f %10.0f %9d %9.2fx   (rg %.2f s)\n", i, t, s, mb/s, d/s, r, s/rg, rg }'
  done
done
echo "corpus: $corpus ($docs documents per copy); machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
