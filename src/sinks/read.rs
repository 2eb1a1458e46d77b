//! Reading newsetl tables back (for `diff`, `merge` checks and `report`): from `NAME.csv` when
//! present, else from `NAME.parquet`, as text cells.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};

/// A table read as text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The rows as maps from column name to cell.
    pub fn records(&self) -> Vec<HashMap<String, String>> {
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .cloned()
                    .zip(row.iter().cloned())
                    .collect()
            })
            .collect()
    }
}

/// Reads `NAME.csv`, or else `NAME.parquet`; `None` when neither exists.
pub fn read_table(dir: &Path, name: &str) -> Result<Option<Table>> {
    let csv_path = dir.join(format!("{name}.csv"));
    if csv_path.is_file() {
        let mut table = Table::default();
        let mut first = true;
        for_each_csv_row(&csv_path, |columns, row| {
            if first {
                table.columns = columns.to_vec();
                first = false;
            }
            table.rows.push(row.to_vec());
            true
        })?;
        if first {
            table.columns = csv_headers(&csv_path)?;
        }
        return Ok(Some(table));
    }
    let parquet_path = dir.join(format!("{name}.parquet"));
    if !parquet_path.is_file() {
        return Ok(None);
    }
    let bad = |e: PolarsError| Error::Usage(format!("{}: {e}", parquet_path.display()));
    let file = File::open(&parquet_path)
        .map_err(|e| Error::io(format!("reading {}", parquet_path.display()), e))?;
    let frame = ParquetReader::new(file).finish().map_err(bad)?;
    let columns: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut cells: Vec<Vec<String>> = Vec::new();
    for column in frame.columns() {
        let as_text = column.cast(&DataType::String).map_err(bad)?;
        let values = as_text.str().map_err(bad)?;
        cells.push(values.iter().map(|v| v.unwrap_or("").to_string()).collect());
    }
    let rows = (0..frame.height())
        .map(|i| cells.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok(Some(Table { columns, rows }))
}

/// Calls `f` with each row of a table as a map, streaming when the table has a CSV file,
/// until `f` returns `false`.
pub fn for_each_row(
    dir: &Path,
    name: &str,
    mut f: impl FnMut(&HashMap<String, String>) -> bool,
) -> Result<()> {
    let csv_path = dir.join(format!("{name}.csv"));
    if csv_path.is_file() {
        let mut record = HashMap::new();
        return for_each_csv_row(&csv_path, |columns, row| {
            record.clear();
            record.extend(columns.iter().cloned().zip(row.iter().cloned()));
            f(&record)
        });
    }
    if let Some(table) = read_table(dir, name)? {
        for record in table.records() {
            if !f(&record) {
                break;
            }
        }
    }
    Ok(())
}

fn csv_headers(path: &Path) -> Result<Vec<String>> {
    let bad = |e: csv::Error| Error::Usage(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    Ok(reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect())
}

fn for_each_csv_row(path: &Path, mut f: impl FnMut(&[String], &[String]) -> bool) -> Result<()> {
    let bad = |e: csv::Error| Error::Usage(format!("{}: {e}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(bad)?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect();
    let mut row: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        row.clear();
        row.extend(record.iter().map(String::from));
        if !f(&columns, &row) {
            break;
        }
    }
    Ok(())
}
