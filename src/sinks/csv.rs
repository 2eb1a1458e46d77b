//! CSV output through polars' CSV writer: a header, then rows appended batch by batch, each
//! batch's bytes counted so that an incremental run can copy them from this file later.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use polars::prelude::*;

/// One CSV file being written.
pub struct CsvTableWriter<W: Write> {
    sink: W,
    /// Bytes written so far.
    position: u64,
    /// One batch serialised, reused.
    buffer: Vec<u8>,
}

impl<W: Write> CsvTableWriter<W> {
    /// Starts a CSV file for `schema` and writes its header.
    pub fn new(mut sink: W, schema: &Schema) -> PolarsResult<Self> {
        let mut header = Vec::new();
        CsvWriter::new(&mut header)
            .include_header(true)
            .n_threads(1)
            .finish(&mut DataFrame::empty_with_schema(schema))?;
        sink.write_all(&header)?;
        Ok(CsvTableWriter {
            sink,
            position: header.len() as u64,
            buffer: Vec::new(),
        })
    }

    /// Appends rows; returns where their bytes are in the file: `(offset, length)`.
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<(u64, u64)> {
        self.buffer.clear();
        CsvWriter::new(&mut self.buffer)
            .include_header(false)
            .n_threads(1)
            .finish(&mut frame.clone())?;
        self.sink.write_all(&self.buffer)?;
        Ok(self.advance(self.buffer.len() as u64))
    }

    /// Appends `length` bytes of rows that `source` holds at `offset` (a CSV file of the
    /// same table, written before); returns where they are in this file.
    pub fn copy(
        &mut self,
        source: &Path,
        (offset, length): (u64, u64),
    ) -> PolarsResult<(u64, u64)> {
        let mut file = File::open(source)?;
        file.seek(SeekFrom::Start(offset))?;
        let copied = std::io::copy(&mut file.take(length), &mut self.sink)?;
        if copied != length {
            polars_bail!(ComputeError: "{}: {length} bytes expected at {offset}, {copied} there", source.display());
        }
        Ok(self.advance(length))
    }

    fn advance(&mut self, length: u64) -> (u64, u64) {
        let start = self.position;
        self.position += length;
        (start, length)
    }

    /// Flushes the file.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.sink.flush()?;
        Ok(())
    }
}
