//! CSV output through polars' batched CSV writer: a header, then rows appended batch by batch.

use std::io::Write;

use polars::io::csv::write::BatchedWriter;
use polars::prelude::*;

/// One CSV file being written.
pub struct CsvTableWriter<W: Write> {
    writer: BatchedWriter<W>,
}

impl<W: Write> CsvTableWriter<W> {
    /// Starts a CSV file for `schema` (the header is written even when no row follows).
    pub fn new(sink: W, schema: &Schema) -> PolarsResult<Self> {
        let writer = CsvWriter::new(sink)
            .include_header(true)
            .n_threads(1)
            .batched(schema)?;
        Ok(CsvTableWriter { writer })
    }

    /// Appends rows.
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        self.writer.write_batch(frame)
    }

    /// Writes the header if no batch did, and flushes.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.writer.finish()
    }
}
