"""The seeds' tables load in pyarrow, polars, pandas and DuckDB without fixes, with the
documented column names and types (tests/golden/schema.json), and answer a user's queries."""
import json
import pathlib

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "golden" / "schema.json").read_text())
TABLES = sorted(SCHEMA)


@pytest.mark.parametrize("table", TABLES)
def test_parquet_schema_is_the_documented_one(output, table):
    schema = pq.read_schema(output / f"{table}.parquet")
    got = [[f.name, str(f.type)] for f in schema]
    assert got == SCHEMA[table]
    for f in schema:
        assert not pa.types.is_string_view(f.type), f"{table}.{f.name} is a view type"


@pytest.mark.parametrize("table", TABLES)
def test_every_library_reads_the_same_rows(output, table):
    arrow = pq.read_table(output / f"{table}.parquet")
    pl_parquet = pl.read_parquet(output / f"{table}.parquet")
    pd_parquet = pd.read_parquet(output / f"{table}.parquet")
    pd_csv = pd.read_csv(output / f"{table}.csv", keep_default_na=False)
    pl_csv = pl.read_csv(output / f"{table}.csv")
    [(n,)] = duckdb.sql(f"select count(*) from '{output / table}.parquet'").fetchall()
    [(n_csv,)] = duckdb.sql(f"select count(*) from read_csv_auto('{output / table}.csv')").fetchall()
    rows = arrow.num_rows
    assert rows == pl_parquet.height == len(pd_parquet) == len(pd_csv) == pl_csv.height == n == n_csv
    assert list(pd_csv.columns) == arrow.column_names == pl_parquet.columns


def test_pyarrow_filters_plain_strings(output):
    mentions = pq.read_table(output / "mentions.parquet")
    terms = mentions.filter(pc.equal(mentions["kind"], "term"))
    assert terms.num_rows > 0
    assert set(terms["entity"].to_pylist()) == {"MFN", "release", "rights"}


def test_offsets_slice_the_text_in_python(output):
    docs = pd.read_parquet(output / "documents.parquet").set_index("doc_id")["text"]
    mentions = pd.read_parquet(output / "mentions.parquet")
    assert len(mentions) > 100
    for m in mentions.itertuples():
        assert docs[m.doc_id][m.start : m.end] == m.surface, m


def test_csv_and_parquet_hold_the_same_mentions(output):
    a = pl.read_parquet(output / "mentions.parquet")
    b = pl.read_csv(output / "mentions.csv", schema=a.schema)
    assert a.equals(b)


def test_user_queries(output):
    top = pl.read_parquet(output / "figures.parquet").head(3)["entity"].to_list()
    assert top[0] == "Chen Ziming"
    by_outlet = duckdb.sql(
        f"""select d.outlet, m.entity, count(*) as n
            from '{output}/mentions.parquet' m join '{output}/documents.parquet' d using (doc_id)
            where m.kind = 'term' group by all order by d.outlet, m.entity"""
    ).fetchall()
    assert ("The Independent", "MFN", 2) in by_outlet
    assert ("Los Angeles Times", "MFN", 1) in by_outlet
    co = pd.read_parquet(output / "cooccurrence.parquet")
    with_mfn = co[(co.entity_a == "MFN") | (co.entity_b == "MFN")]
    figures = set(with_mfn.loc[with_mfn.kind_a == "figure", "entity_a"]) | set(
        with_mfn.loc[with_mfn.kind_b == "figure", "entity_b"]
    )
    assert "Bill Clinton" in figures
    places = pl.read_parquet(output / "places.parquet")
    paris = places.filter(pl.col("entity") == "Paris").row(0, named=True)
    assert (round(paris["latitude"], 1), round(paris["longitude"], 1)) == (48.9, 2.3)
    assert paris["country_code"] == "FR" and paris["feature"] == "city"
