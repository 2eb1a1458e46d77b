#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each, seeded from the fixture corpus.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
# Crashes land in fuzz/artifacts/TARGET/; keep each as a regression test (tests/fixtures/fuzz).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
fixtures=../tests/fixtures/corpus
declare -A seeds=(
  [read_text]="$fixtures/*.txt $fixtures/*.gz $fixtures/*.zst $fixtures/no_extension"
  [read_jsonl]="$fixtures/*.jsonl"
  [read_csv]="$fixtures/*.csv"
  [read_trec]="$fixtures/*.sgml"
  [read_html]="../tests/fixtures/web/*.html"
  [read_warc]="../tests/fixtures/web/*.warc ../tests/fixtures/web/*.warc.gz"
  [text_stages]="../seeds/*.txt"
  [segment]="../seeds/*.txt ../tests/fixtures/corpus/*.txt"
)
for target in read_text read_jsonl read_csv read_trec read_html read_warc text_stages segment; do
  mkdir -p "corpus/$target"
  for f in ${seeds[$target]}; do cp -f "$f" "corpus/$target/" 2>/dev/null || true; done
  echo "== $target ($seconds s)"
  cargo fuzz run -O --sanitizer none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|SUMMARY|panicked|Done" || true
done
