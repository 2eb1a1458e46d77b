//! Parquet output with plain string columns.
//!
//! polars' own `ParquetWriter` (0.55) writes strings as Arrow `string_view`, which pyarrow
//! cannot filter with its compute kernels (polars issue #26435). So we convert each batch at
//! polars' *oldest* compatibility level (strings become `large_string`) and hand it to
//! polars-parquet's lower-level [`FileWriter`], one row group per batch.

use std::io::Write;

use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::write::{
    get_dtype_encoding, row_group_iter, CompressionOptions, Encoding, FileWriter,
    StatisticsOptions, Version, WriteOptions,
};

/// One Parquet file being written.
pub struct ParquetTableWriter<W: Write> {
    writer: FileWriter<W>,
    encodings: Buffer<Vec<Encoding>>,
    options: WriteOptions,
}

impl<W: Write> ParquetTableWriter<W> {
    /// Starts a Parquet file for `schema`.
    pub fn new(sink: W, schema: &Schema) -> PolarsResult<Self> {
        let schema = schema.to_arrow(CompatLevel::oldest());
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            version: Version::V1,
            compression: CompressionOptions::Zstd(None),
            data_page_size: None,
        };
        let encodings = schema
            .iter_values()
            .map(|f| get_dtype_encoding(&f.dtype))
            .collect();
        let writer = FileWriter::try_new(sink, schema, options)?;
        Ok(ParquetTableWriter {
            writer,
            encodings,
            options,
        })
    }

    /// Writes `frame` (with aligned chunks) as row groups, one per chunk.
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        for batch in frame.iter_chunks(CompatLevel::oldest(), false) {
            let rows = batch.len() as u64;
            let fields = self.writer.parquet_schema().fields().to_vec();
            let group = row_group_iter(batch, self.encodings.clone(), fields, self.options);
            self.writer.write(rows, group)?;
        }
        Ok(())
    }

    /// Writes the footer.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.writer.end(None)?;
        Ok(())
    }
}
