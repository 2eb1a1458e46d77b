#!/usr/bin/env python3
"""Write each document's article text (documents.text without the headline that opens it) of a
newsetl output as OUT_DIR/ID.txt, the layout the article-extraction benchmark's score.py reads.

usage: html_texts.py NEWSETL_OUTPUT_DIR OUT_DIR
"""
import csv
import os
import sys


def main():
    output, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    csv.field_size_limit(1 << 30)
    with open(os.path.join(output, "documents.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text, headline = row["text"], row["headline"]
            if headline and text.startswith(headline):
                text = text[len(headline):].lstrip("\n")
            name = os.path.basename(row["doc_id"])
            with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as t:
                t.write(text)


if __name__ == "__main__":
    main()
