#!/usr/bin/env python3
"""Writes examples/seeds.ipynb (unexecuted); `execute` runs it on an output directory.

usage: python3 examples/make_notebook.py            # write the notebook
       python3 examples/make_notebook.py execute OUT # run it on OUT, save the executed copy
"""
import os
import pathlib
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = pathlib.Path(__file__).resolve().parent
NOTEBOOK = HERE / "seeds.ipynb"

CELLS = [
    new_markdown_cell(
        "# The seeds' figures, places and terms\n\n"
        "Loads the tables that `newsetl run` wrote for the bundled seed articles and plots the "
        "most mentioned figures, places and policy terms. Set `NEWSETL_OUTPUT` to read another "
        "output directory."
    ),
    new_code_cell(
        "import os, pathlib\n"
        "import duckdb\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "import polars as pl\n"
        "%matplotlib inline\n\n"
        "out = pathlib.Path(os.environ.get('NEWSETL_OUTPUT', '../output'))\n"
        "documents = pl.read_parquet(out / 'documents.parquet')\n"
        "mentions = pl.read_parquet(out / 'mentions.parquet')\n"
        "documents.select('doc_id', 'outlet', 'headline', 'n_sentences', 'n_tokens')"
    ),
    new_code_cell(
        "fig, axes = plt.subplots(1, 3, figsize=(15, 5))\n"
        "for ax, table, colour in zip(axes, ['figures', 'places', 'terms'], ['#4c78a8', '#59a14f', '#e15759']):\n"
        "    top = pl.read_parquet(out / f'{table}.parquet').head(10).reverse()\n"
        "    ax.barh(top['entity'].to_list(), top['mentions'].to_list(), color=colour)\n"
        "    ax.set_title(f'Top {table}')\n"
        "    ax.set_xlabel('mentions')\n"
        "fig.tight_layout()"
    ),
    new_code_cell(
        "# Offsets are code points into documents.text: Python slicing gives the surface back.\n"
        "texts = dict(documents.select('doc_id', 'text').iter_rows())\n"
        "assert all(texts[d][s:e] == surface for d, s, e, surface in\n"
        "           mentions.select('doc_id', 'start', 'end', 'surface').iter_rows())\n"
        "duckdb.sql(f\"\"\"\n"
        "    select d.outlet, m.entity as term, count(*) as mentions\n"
        "    from '{out}/mentions.parquet' m join '{out}/documents.parquet' d using (doc_id)\n"
        "    where m.kind = 'term' group by all order by d.outlet, mentions desc\n"
        "\"\"\").pl()"
    ),
]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "execute":
        from nbclient import NotebookClient

        os.environ["NEWSETL_OUTPUT"] = str(pathlib.Path(sys.argv[2]).resolve())
        nb = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        target = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else NOTEBOOK
        nbformat.write(nb, target)
        return
    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, NOTEBOOK)


if __name__ == "__main__":
    main()
