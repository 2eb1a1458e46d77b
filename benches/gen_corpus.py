#!/usr/bin/env python3
"""Generate a benchmark corpus of real-looking news from the seed articles, deterministically.

usage: gen_corpus.py OUT_DIR SIZE_MB [--seed N] [--only txt|jsonl]

Articles are built from the seeds' paragraphs with figures and places swapped for others from
the pipeline's own lexicons, and a headline; about 4-6 KB each. The same corpus is written
twice: as plain files (OUT_DIR/txt/NNNN/ID.txt, 1,000 per folder) and as JSONL
(OUT_DIR/jsonl/part-NNNN.jsonl, 10,000 per file). Same arguments, same bytes.
"""
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lexicon(name):
    rows = []
    with open(os.path.join(ROOT, "pipelines", "lexicons", name), encoding="utf-8") as f:
        for line in f:
            if line.startswith(("#", "kind\t")):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                rows.append(parts[1])
    return rows


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1994
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    write_txt, write_jsonl = only in (None, "txt"), only in (None, "jsonl")
    rng = random.Random(seed)
    paragraphs = []
    for name in sorted(os.listdir(os.path.join(ROOT, "seeds"))):
        text = open(os.path.join(ROOT, "seeds", name), encoding="utf-8").read()
        paragraphs += [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 80]
    figures = lexicon("figures.tsv")
    places = [p for p in lexicon("places.tsv") if " " not in p or len(p) < 20]
    first = ["Anna", "David", "Maria", "John", "Li", "Ahmed", "Sofia", "Peter", "Yuki", "Carlos"]
    last = ["Keller", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Reyes"]
    people = figures + [f"{a} {b}" for a in first for b in last]
    seed_places = ["China", "Beijing", "Peking", "Paris", "Washington", "Hong Kong", "London"]
    name_re = re.compile("|".join(re.escape(n) for n in sorted(figures, key=len, reverse=True)))
    place_re = re.compile(r"\b(" + "|".join(re.escape(p) for p in seed_places) + r")\b")

    def article():
        k = rng.randint(8, 14)
        body = [rng.choice(paragraphs) for _ in range(k)]
        swap_people = {f: rng.choice(people) for f in figures}
        swap_places = {p: rng.choice(places) for p in seed_places}
        text = "\n\n".join(body)
        text = name_re.sub(lambda m: swap_people[m.group(0)], text)
        text = place_re.sub(lambda m: swap_places[m.group(0)], text)
        city = rng.choice(places).upper()
        headline = f"{rng.choice(people)} in {rng.choice(places)}: talks on trade and human rights"
        return headline, f"{city} - {text}"

    target = int(size_mb * 1024 * 1024)
    written = 0
    n = 0
    jsonl = None
    os.makedirs(os.path.join(out, "txt"), exist_ok=True)
    os.makedirs(os.path.join(out, "jsonl"), exist_ok=True)
    while written < target:
        headline, text = article()
        doc_id = f"{n:08d}"
        body = f"{headline}\n\n{text}\n"
        if write_txt:
            folder = os.path.join(out, "txt", f"{n // 1000:04d}")
            if n % 1000 == 0:
                os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, doc_id + ".txt"), "w", encoding="utf-8") as f:
                f.write(body)
        if write_jsonl:
            if n % 10000 == 0:
                if jsonl:
                    jsonl.close()
                path = os.path.join(out, "jsonl", f"part-{n // 10000:04d}.jsonl")
                jsonl = open(path, "w", encoding="utf-8")
            record = {"id": doc_id, "title": headline, "text": text}
            jsonl.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += len(body.encode("utf-8"))
        n += 1
    if jsonl:
        jsonl.close()
    print(f"{n} articles, {written / 1e6:.1f} MB per copy, in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
