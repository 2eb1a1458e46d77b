//! [`TableWriter`]: one table as Parquet and/or CSV, written batch by batch.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{csv, parquet, Format};
use crate::error::{Error, Result};

/// Writes one table in the requested formats, one batch at a time.
pub struct TableWriter {
    name: String,
    parquet: Option<parquet::ParquetTableWriter<BufWriter<File>>>,
    csv: Option<csv::CsvTableWriter<BufWriter<File>>>,
    rows: u64,
}

impl TableWriter {
    /// Creates `NAME.parquet` and/or `NAME.csv` in `dir` for a table with `schema`, whose
    /// Parquet row groups gather batches up to `row_groups`.
    pub fn create(
        dir: &Path,
        name: &str,
        schema: &Schema,
        format: Format,
        row_groups: parquet::RowGroupLimits,
    ) -> Result<Self> {
        let open = |ext: &str| -> Result<BufWriter<File>> {
            let path = dir.join(format!("{name}.{ext}"));
            let file = File::create(&path)
                .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
            Ok(BufWriter::with_capacity(1 << 20, file))
        };
        let table_error = |e: PolarsError| Error::Table {
            table: name.to_string(),
            message: e.to_string(),
        };
        let parquet = if format.parquet() {
            let sink = open("parquet")?;
            Some(parquet::ParquetTableWriter::new(sink, schema, row_groups).map_err(table_error)?)
        } else {
            None
        };
        let csv = if format.csv() {
            Some(csv::CsvTableWriter::new(open("csv")?, schema).map_err(table_error)?)
        } else {
            None
        };
        Ok(TableWriter {
            name: name.to_string(),
            parquet,
            csv,
            rows: 0,
        })
    }

    /// Appends a batch of rows.
    pub fn write(&mut self, frame: &mut DataFrame) -> Result<()> {
        if frame.height() == 0 {
            return Ok(());
        }
        frame.rechunk_mut();
        self.rows += frame.height() as u64;
        if let Some(w) = &mut self.parquet {
            w.write(frame).map_err(|e| self.error(e))?;
        }
        if let Some(w) = &mut self.csv {
            w.write(frame).map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// Finishes the files and returns the number of rows written.
    pub fn finish(self) -> Result<u64> {
        let name = self.name;
        let err = |e: PolarsError| Error::Table {
            table: name.clone(),
            message: e.to_string(),
        };
        if let Some(w) = self.parquet {
            w.finish().map_err(err)?;
        }
        if let Some(w) = self.csv {
            w.finish().map_err(err)?;
        }
        Ok(self.rows)
    }

    fn error(&self, e: PolarsError) -> Error {
        Error::Table {
            table: self.name.clone(),
            message: e.to_string(),
        }
    }
}

/// Writes a whole table at once (as one row group).
pub fn write_table(dir: &Path, name: &str, mut frame: DataFrame, format: Format) -> Result<u64> {
    let limits = parquet::RowGroupLimits::for_batch(1);
    let mut writer = TableWriter::create(dir, name, frame.schema(), format, limits)?;
    writer.write(&mut frame)?;
    writer.finish()
}

/// The files a table is written to, for the manifest.
pub fn table_files(dir: &Path, name: &str, format: Format) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if format.parquet() {
        files.push(dir.join(format!("{name}.parquet")));
    }
    if format.csv() {
        files.push(dir.join(format!("{name}.csv")));
    }
    files
}
