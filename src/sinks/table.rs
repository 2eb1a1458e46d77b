//! [`TableWriter`]: one table as Parquet and/or CSV, written batch by batch.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{csv, parquet, Format};
use crate::error::{Error, Result};

/// Where one batch's rows went in a table's files: what a later incremental run copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placed {
    pub rows: u64,
    /// The Parquet row group (none for no rows or no Parquet file).
    pub row_group: Option<u32>,
    /// The bytes in the CSV file: `(offset, length)`.
    pub csv: Option<(u64, u64)>,
}

/// A table's files as an earlier run wrote them, to copy batches from.
pub struct PreviousTable {
    parquet: Option<parquet::ParquetSource>,
    csv: Option<PathBuf>,
}

impl PreviousTable {
    /// Opens the files of table `name` in `dir`, in `format`.
    pub fn open(dir: &Path, name: &str, format: Format) -> Result<Self> {
        let parquet = if format.parquet() {
            let path = dir.join(format!("{name}.parquet"));
            let source = parquet::ParquetSource::open(&path).map_err(|e| Error::Table {
                table: name.to_string(),
                message: format!("{}: {e}", path.display()),
            })?;
            Some(source)
        } else {
            None
        };
        let csv = format.csv().then(|| dir.join(format!("{name}.csv")));
        Ok(PreviousTable { parquet, csv })
    }
}

/// Writes one table in the requested formats, one batch at a time.
pub struct TableWriter {
    name: String,
    parquet: Option<parquet::ParquetTableWriter<BufWriter<File>>>,
    csv: Option<csv::CsvTableWriter<BufWriter<File>>>,
    rows: u64,
    row_groups: u32,
    /// Whether Parquet and CSV are encoded side by side on the worker threads.
    side_by_side: bool,
}

impl TableWriter {
    /// Creates `NAME.parquet` and/or `NAME.csv` in `dir` for a table with `schema`; each
    /// batch written is one Parquet row group.
    pub fn create(dir: &Path, name: &str, schema: &Schema, format: Format) -> Result<Self> {
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
            Some(parquet::ParquetTableWriter::new(sink, schema).map_err(table_error)?)
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
            row_groups: 0,
            side_by_side: false,
        })
    }

    /// Encodes Parquet and CSV side by side on the worker threads (for tables written while
    /// nothing else runs: the corpus tables at the end of a run).
    pub fn side_by_side(mut self) -> Self {
        self.side_by_side = true;
        self
    }

    /// Appends a batch of rows (one Parquet row group); returns where they went.
    pub fn write(&mut self, frame: &mut DataFrame) -> Result<Placed> {
        let mut placed = Placed::default();
        if frame.height() == 0 {
            return Ok(placed);
        }
        frame.rechunk_mut();
        placed.rows = frame.height() as u64;
        let frame = &*frame;
        let parquet = |w: Option<&mut parquet::ParquetTableWriter<_>>| match w {
            Some(w) => w.write(frame),
            None => Ok(()),
        };
        let csv = |w: Option<&mut csv::CsvTableWriter<_>>| w.map(|w| w.write(frame)).transpose();
        let (written, csv_range) = if self.side_by_side {
            rayon::join(|| parquet(self.parquet.as_mut()), || csv(self.csv.as_mut()))
        } else {
            (parquet(self.parquet.as_mut()), csv(self.csv.as_mut()))
        };
        written.map_err(|e| self.error(e))?;
        placed.csv = csv_range.map_err(|e| self.error(e))?;
        Ok(self.placed(placed))
    }

    /// Appends the rows that `previous` holds at `from` (written by an earlier run of the same
    /// table), copied without encoding them again; returns where they went.
    pub fn copy(&mut self, previous: &PreviousTable, from: Placed) -> Result<Placed> {
        let mut placed = Placed {
            rows: from.rows,
            ..Placed::default()
        };
        if from.rows == 0 {
            return Ok(placed);
        }
        let missing = || Error::Run(format!("{}: nothing to copy from", self.name));
        if let Some(w) = &mut self.parquet {
            let (source, group) = previous
                .parquet
                .as_ref()
                .zip(from.row_group)
                .ok_or_else(missing)?;
            w.copy_row_group(source, group as usize)
                .map_err(|e| self.error(e))?;
        }
        if let Some(w) = &mut self.csv {
            let (source, range) = previous.csv.as_ref().zip(from.csv).ok_or_else(missing)?;
            placed.csv = Some(w.copy(source, range).map_err(|e| self.error(e))?);
        }
        Ok(self.placed(placed))
    }

    /// Counts the rows and row group of a batch written.
    fn placed(&mut self, mut placed: Placed) -> Placed {
        self.rows += placed.rows;
        if self.parquet.is_some() {
            placed.row_group = Some(self.row_groups);
            self.row_groups += 1;
        }
        placed
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
    let mut writer = TableWriter::create(dir, name, frame.schema(), format)?;
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
