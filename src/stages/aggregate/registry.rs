//! The table registry: every table newsetl writes, once. Run, merge, diff, the schema
//! snapshot test and the README's column list all read [`TABLES`], so adding a table or a
//! column is one entry here plus its builder in [`super::tables`].

use polars::prelude::*;

use super::tables::*;
use super::{Catalog, DocResult, Totals};
use crate::lexicon::Lexicon;

/// A column: its name and its Arrow type as pyarrow reads the Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    /// `large_string`, `int64`, `double`, `bool` or `date32[day]`.
    pub arrow: &'static str,
}

/// Builds the rows that linked surnames add to a per-document table.
pub type LinkedBuilder = fn(&[LinkedOccurrence]) -> PolarsResult<DataFrame>;

/// How a table's rows are built, and so how shard tables merge.
#[derive(Clone, Copy)]
pub enum Rows {
    /// Built group by group from analysed documents and streamed; a merge puts shard rows
    /// back in input order, then orders each document's rows by `within`.
    PerDocument {
        build: fn(&[DocResult], &Lexicon) -> PolarsResult<DataFrame>,
        within: &'static [&'static str],
        /// The rows that surnames linked across the corpus add, which a merge adds to the
        /// shards' rows (a run writes them with `build`); `None` when they add none.
        linked: Option<LinkedBuilder>,
    },
    /// Built once from the corpus totals; a merge folds the shards' totals.
    Corpus(fn(&Totals, &Catalog) -> PolarsResult<DataFrame>),
    /// The co-occurring pairs, which may not fit in memory: written in their order in
    /// chunks ([`super::pairs`]); a merge merges the shards' sorted pairs.
    Pairs,
    /// The rejected records; a merge stacks the shards' and sorts them again.
    Rejects,
}

/// One output table.
#[derive(Clone, Copy)]
pub struct TableSpec {
    pub name: &'static str,
    /// What one row is (README).
    pub row: &'static str,
    pub columns: &'static [ColumnSpec],
    /// The columns that identify a row (`newsetl diff` matches rows on them).
    pub key: &'static [&'static str],
    /// The order of the rows (README).
    pub order: &'static str,
    pub rows: Rows,
}

const fn col(name: &'static str, arrow: &'static str) -> ColumnSpec {
    ColumnSpec { name, arrow }
}

const STR: &str = "large_string";
const INT: &str = "int64";

const ENTITY_COLUMNS: &[ColumnSpec] = &[
    col("entity", STR),
    col("mentions", INT),
    col("documents", INT),
];

const ENTITY_ORDER: &str = "mentions (most first), entity";

/// Every table, in the order the README documents them.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "documents",
        row: "document",
        columns: &[
            col("doc_id", STR),
            col("source", STR),
            col("record", STR),
            col("outlet", STR),
            col("headline", STR),
            col("dateline", STR),
            col("published", "date32[day]"),
            col("encoding", STR),
            col("flags", STR),
            col("text", STR),
            col("n_sentences", INT),
            col("n_tokens", INT),
            col("url", STR),
            col("author", STR),
        ],
        key: &["doc_id"],
        order: "input order (sorted paths, records in file order)",
        rows: Rows::PerDocument {
            build: documents_table,
            within: &[],
            linked: None,
        },
    },
    TableSpec {
        name: "mentions",
        row: "mention",
        columns: &[
            col("doc_id", STR),
            col("sentence", INT),
            col("start", INT),
            col("end", INT),
            col("kind", STR),
            col("entity", STR),
            col("surface", STR),
            col("method", STR),
            col("sense", STR),
            col("sense_evidence", STR),
            col("geonames_id", INT),
        ],
        key: &["doc_id", "start", "end"],
        order: "document, then offset",
        rows: Rows::PerDocument {
            build: mentions_table,
            within: &["start"],
            linked: Some(linked_mentions),
        },
    },
    TableSpec {
        name: "doc_entities",
        row: "entity in a document",
        columns: &[
            col("doc_id", STR),
            col("kind", STR),
            col("entity", STR),
            col("mentions", INT),
        ],
        key: &["doc_id", "kind", "entity"],
        order: "document, kind, entity",
        rows: Rows::PerDocument {
            build: doc_entities_table,
            within: &["kind", "entity"],
            linked: Some(linked_doc_entities),
        },
    },
    TableSpec {
        name: "figures",
        row: "figure",
        columns: ENTITY_COLUMNS,
        key: &["entity"],
        order: ENTITY_ORDER,
        rows: Rows::Corpus(figures_table),
    },
    TableSpec {
        name: "places",
        row: "place",
        columns: &[
            col("entity", STR),
            col("mentions", INT),
            col("documents", INT),
            col("geonames_id", INT),
            col("country_code", STR),
            col("latitude", "double"),
            col("longitude", "double"),
            col("feature", STR),
        ],
        key: &["entity"],
        order: ENTITY_ORDER,
        rows: Rows::Corpus(places_table),
    },
    TableSpec {
        name: "terms",
        row: "policy term and sense",
        columns: &[
            col("entity", STR),
            col("sense", STR),
            col("policy", "bool"),
            col("mentions", INT),
            col("documents", INT),
        ],
        key: &["entity", "sense"],
        order: "policy-sense mentions of the term (most first), entity; the policy sense first, then mentions",
        rows: Rows::Corpus(terms_table),
    },
    TableSpec {
        name: "organizations",
        row: "organisation",
        columns: ENTITY_COLUMNS,
        key: &["entity"],
        order: ENTITY_ORDER,
        rows: Rows::Corpus(organizations_table),
    },
    TableSpec {
        name: "cooccurrence",
        row: "pair of figures/places/terms sharing a sentence",
        columns: &[
            col("kind_a", STR),
            col("entity_a", STR),
            col("kind_b", STR),
            col("entity_b", STR),
            col("sentences", INT),
            col("documents", INT),
        ],
        key: &["kind_a", "entity_a", "kind_b", "entity_b"],
        order: "sentences (most first), pair",
        rows: Rows::Pairs,
    },
    TableSpec {
        name: "candidates",
        row: "capitalised name that discovery neither resolved nor dismissed",
        columns: &[
            col("candidate", STR),
            col("documents", INT),
            col("example", STR),
        ],
        key: &["candidate"],
        order: "documents (most first), candidate",
        rows: Rows::Corpus(candidates_table),
    },
    TableSpec {
        name: "rejects",
        row: "input record that did not become a document",
        columns: &[col("source", STR), col("record", STR), col("reason", STR)],
        key: &["source", "record"],
        order: "source, record",
        rows: Rows::Rejects,
    },
];

/// The entry of a table, by name.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// The names of every table, in order.
pub fn table_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|t| t.name)
}

impl TableSpec {
    /// The polars schema of the table, from its column types.
    pub fn schema(&self) -> Schema {
        self.columns
            .iter()
            .map(|c| {
                let dtype = match c.arrow {
                    "int64" => DataType::Int64,
                    "double" => DataType::Float64,
                    "date32[day]" => DataType::Date,
                    "bool" => DataType::Boolean,
                    _ => DataType::String,
                };
                Field::new(c.name.into(), dtype)
            })
            .collect()
    }

    /// The README's line for this table: `| name | columns | one row per | order |`.
    pub fn readme_row(&self) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        format!(
            "| `{}` | {} | {} | {} |",
            self.name,
            columns.join(", "),
            self.row,
            self.order
        )
    }

    /// The README's line of column types: `` - `name`: `col` type, ... ``.
    pub fn readme_types(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("`{}` {}", c.name, c.arrow))
            .collect();
        format!("- `{}`: {}", self.name, columns.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every builder writes exactly the columns and types its entry declares.
    #[test]
    fn builders_match_their_entries() {
        let lexicon = Lexicon::default();
        for spec in TABLES {
            let frame = match spec.rows {
                Rows::PerDocument { build, linked, .. } => {
                    if let Some(linked) = linked {
                        assert_eq!(
                            **linked(&[]).unwrap().schema(),
                            spec.schema(),
                            "{}",
                            spec.name
                        );
                    }
                    build(&[], &lexicon).unwrap()
                }
                Rows::Corpus(build) => build(&Totals::default(), &Catalog::default()).unwrap(),
                Rows::Pairs => cooccurrence_frame(&[], &Catalog::default()).unwrap(),
                Rows::Rejects => rejects_table(&[]).unwrap(),
            };
            assert_eq!(**frame.schema(), spec.schema(), "{}", spec.name);
        }
    }

    #[test]
    fn keys_and_merge_orders_are_columns() {
        for spec in TABLES {
            let names: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
            for key in spec.key {
                assert!(names.contains(key), "{}: key {key}", spec.name);
            }
            if let Rows::PerDocument { within, .. } = spec.rows {
                assert!(within.iter().all(|w| names.contains(w)), "{}", spec.name);
            }
        }
    }

    /// The pinned schema (`tests/golden/schema.json`, checked with pyarrow in the Python
    /// tests) and the README's table and type lists say what the registry says.
    #[test]
    fn schema_snapshot_and_readme_follow_the_registry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let pinned: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("tests/golden/schema.json")).unwrap(),
        )
        .unwrap();
        let pinned = pinned.as_object().unwrap();
        assert_eq!(pinned.len(), TABLES.len());
        for spec in TABLES {
            let want: Vec<(&str, &str)> = spec.columns.iter().map(|c| (c.name, c.arrow)).collect();
            let got: Vec<(&str, &str)> = pinned[spec.name]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_str().unwrap(), c[1].as_str().unwrap()))
                .collect();
            assert_eq!(got, want, "tests/golden/schema.json: {}", spec.name);
        }
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        for spec in TABLES {
            for line in [spec.readme_row(), spec.readme_types()] {
                assert!(readme.contains(&line), "README.md lacks the line:\n{line}");
            }
        }
    }
}
