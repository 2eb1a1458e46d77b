//! `newsetl diff OLD NEW`: compare two output directories table by table, on each table's
//! key, so that users can pin outputs in their regression tests and see what changed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sinks::read::{read_table, Table};

/// The key columns of a table newsetl writes (from the table registry); rows are matched on
/// these.
pub fn table_key(table: &str) -> Option<&'static [&'static str]> {
    crate::stages::aggregate::registry::table(table).map(|spec| spec.key)
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Only these tables (default: every table in either directory).
    pub tables: Vec<String>,
    /// Columns left out of the comparison (in any table).
    pub ignore_columns: Vec<String>,
    /// How many differences to show per table.
    pub max_examples: usize,
}

/// Cells by column name, in the table's column order.
pub type Cells = Vec<(String, String)>;

/// One difference between two rows with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum Difference {
    Added {
        #[serde(serialize_with = "as_map")]
        key: Cells,
        #[serde(serialize_with = "as_map")]
        row: Cells,
    },
    Removed {
        #[serde(serialize_with = "as_map")]
        key: Cells,
        #[serde(serialize_with = "as_map")]
        row: Cells,
    },
    Changed {
        #[serde(serialize_with = "as_map")]
        key: Cells,
        /// `column -> [old, new]`.
        #[serde(serialize_with = "as_map")]
        columns: Vec<(String, [String; 2])>,
    },
}

/// Serialises pairs as a JSON object, keeping their order.
fn as_map<S: serde::Serializer, V: Serialize>(
    pairs: &[(String, V)],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// A key cell that sorts numbers as numbers (`8` before `50`), other text as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyCell {
    Number(i64),
    Text(String),
}

impl KeyCell {
    fn new(cell: &str) -> Self {
        cell.parse()
            .map(KeyCell::Number)
            .unwrap_or_else(|_| KeyCell::Text(cell.to_string()))
    }
}

/// The comparison of one table.
#[derive(Debug, Clone, Serialize)]
pub struct TableDiff {
    pub table: String,
    pub old_rows: usize,
    pub new_rows: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// The first differences, in key order.
    pub examples: Vec<Difference>,
}

impl TableDiff {
    /// Whether the table is the same in both directories.
    pub fn is_equal(&self) -> bool {
        self.added == 0 && self.removed == 0 && self.changed == 0
    }
}

/// Compares the tables of two output directories.
pub fn diff_dirs(old: &Path, new: &Path, options: &DiffOptions) -> Result<Vec<TableDiff>> {
    for dir in [old, new] {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
    }
    let names = if options.tables.is_empty() {
        let mut names: Vec<String> = table_names(old)?;
        names.extend(table_names(new)?);
        names.sort();
        names.dedup();
        names
    } else {
        options.tables.clone()
    };
    let mut out = Vec::new();
    for name in names {
        let old_table = read_table(old, &name)?;
        let new_table = read_table(new, &name)?;
        let (old_table, new_table) = match (old_table, new_table) {
            (Some(a), Some(b)) => (a, b),
            (None, None) => {
                return Err(Error::Usage(format!(
                    "table {name} is in neither {} nor {}",
                    old.display(),
                    new.display()
                )))
            }
            (None, Some(_)) => {
                return Err(Error::Usage(format!(
                    "table {name} is only in {}",
                    new.display()
                )))
            }
            (Some(_), None) => {
                return Err(Error::Usage(format!(
                    "table {name} is only in {}",
                    old.display()
                )))
            }
        };
        if old_table.columns != new_table.columns {
            return Err(Error::Usage(format!(
                "table {name} has another schema: [{}] in {}, [{}] in {}",
                old_table.columns.join(", "),
                old.display(),
                new_table.columns.join(", "),
                new.display()
            )));
        }
        out.push(diff_table(&name, old_table, new_table, options));
    }
    Ok(out)
}

/// The tables present in a directory (by their `.csv` or `.parquet` files).
fn table_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if matches!(ext, Some("csv") | Some("parquet")) {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                names.push(stem.to_string());
            }
        }
    }
    Ok(names)
}

fn diff_table(name: &str, old: Table, new: Table, options: &DiffOptions) -> TableDiff {
    let columns = &old.columns;
    let compared: Vec<usize> = (0..columns.len())
        .filter(|&i| !options.ignore_columns.contains(&columns[i]))
        .collect();
    let key_cols: Vec<usize> = match table_key(name) {
        Some(key) => key
            .iter()
            .filter_map(|k| columns.iter().position(|c| c == k))
            .collect(),
        None => compared.clone(),
    };
    let keyed = |table: &Table| -> BTreeMap<Vec<KeyCell>, Vec<String>> {
        table
            .rows
            .iter()
            .map(|row| {
                let key = key_cols.iter().map(|&i| KeyCell::new(&row[i])).collect();
                (key, row.clone())
            })
            .collect()
    };
    let (old_rows, new_rows) = (keyed(&old), keyed(&new));
    let named = |row: &[String]| -> Cells {
        key_cols
            .iter()
            .map(|&i| (columns[i].clone(), row[i].clone()))
            .collect()
    };
    let whole = |row: &[String]| -> Cells {
        compared
            .iter()
            .filter(|i| !key_cols.contains(i))
            .map(|&i| (columns[i].clone(), row[i].clone()))
            .collect()
    };
    let mut diff = TableDiff {
        table: name.to_string(),
        old_rows: old.rows.len(),
        new_rows: new.rows.len(),
        added: 0,
        removed: 0,
        changed: 0,
        examples: Vec::new(),
    };
    let mut keys: Vec<&Vec<KeyCell>> = old_rows.keys().chain(new_rows.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let difference = match (old_rows.get(key), new_rows.get(key)) {
            (Some(a), Some(b)) => {
                let columns: Vec<(String, [String; 2])> = compared
                    .iter()
                    .filter(|&&i| a[i] != b[i])
                    .map(|&i| (columns[i].clone(), [a[i].clone(), b[i].clone()]))
                    .collect();
                if columns.is_empty() {
                    continue;
                }
                diff.changed += 1;
                Difference::Changed {
                    key: named(a),
                    columns,
                }
            }
            (None, Some(b)) => {
                diff.added += 1;
                Difference::Added {
                    key: named(b),
                    row: whole(b),
                }
            }
            (Some(a), None) => {
                diff.removed += 1;
                Difference::Removed {
                    key: named(a),
                    row: whole(a),
                }
            }
            (None, None) => continue,
        };
        if diff.examples.len() < options.max_examples {
            diff.examples.push(difference);
        }
    }
    diff
}

/// Renders differences for people: the first differences of each table, then one summary
/// line per table.
pub fn render_text(diffs: &[TableDiff]) -> String {
    let mut out = String::new();
    for d in diffs.iter().filter(|d| !d.is_equal()) {
        out.push_str(&format!("{}:\n", d.table));
        for e in &d.examples {
            let line = match e {
                Difference::Added { key, row } => format!("  + {} {}", pairs(key), pairs(row)),
                Difference::Removed { key, row } => format!("  - {} {}", pairs(key), pairs(row)),
                Difference::Changed { key, columns } => {
                    let changes: Vec<String> = columns
                        .iter()
                        .map(|(c, [a, b])| format!("{c} {} -> {}", short(a), short(b)))
                        .collect();
                    format!("  ~ {}: {}", pairs(key), changes.join(", "))
                }
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
        let shown = d.examples.len();
        let total = d.added + d.removed + d.changed;
        if total > shown {
            out.push_str(&format!("  … and {} more\n", total - shown));
        }
    }
    for d in diffs {
        if d.is_equal() {
            out.push_str(&format!("{}: equal ({} rows)\n", d.table, d.old_rows));
        } else {
            out.push_str(&format!(
                "{}: {} added, {} removed, {} changed ({} -> {} rows)\n",
                d.table, d.added, d.removed, d.changed, d.old_rows, d.new_rows
            ));
        }
    }
    out
}

fn pairs(cells: &[(String, String)]) -> String {
    cells
        .iter()
        .map(|(k, v)| format!("{k}={}", short(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cell as shown: quoted when it has spaces, cut after 60 characters.
fn short(value: &str) -> String {
    let flat: String = value
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let cut: String = flat.chars().take(60).collect();
    let cut = if flat.chars().count() > 60 {
        format!("{cut}…")
    } else {
        cut
    };
    if cut.contains(' ') || cut.is_empty() {
        format!("{cut:?}")
    } else {
        cut
    }
}
