//! Parquet output with plain string columns.
//!
//! polars' own `ParquetWriter` (0.55) writes strings as Arrow `string_view`, which pyarrow
//! cannot filter with its compute kernels (polars issue #26435). So we convert each batch at
//! polars' *oldest* compatibility level (strings become `large_string`) and hand it to
//! polars-parquet's lower-level [`FileWriter`].
//!
//! Batches are gathered into row groups ([`RowGroupLimits`]: 128 rows or 16 KiB of strings a
//! document of a batch, so 65,536 rows or 8 MiB for batches of 512): the writer keeps every
//! row group's metadata (statistics, page headers) until the footer, so row groups of one
//! batch each made memory grow with the corpus (about 140 bytes a document). Where groups
//! end depends only on the rows written, so a merge writes the same row groups as a run.

use std::io::Write;

use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::write::{
    get_dtype_encoding, row_group_iter, CompressionOptions, Encoding, FileWriter,
    StatisticsOptions, Version, WriteOptions,
};

/// When a row group is written: once the batches gathered for it hold `rows` rows or
/// `string_bytes` bytes of string values (article texts make a few rows large).
#[derive(Debug, Clone, Copy)]
pub struct RowGroupLimits {
    pub rows: usize,
    pub string_bytes: usize,
}

impl RowGroupLimits {
    /// The limits for batches of `batch_size` documents: 128 rows and 16 KiB of strings a
    /// document (65,536 rows or 8 MiB at the default 512), so that a pipeline with small
    /// batches, as in the tests, has small row groups too.
    pub fn for_batch(batch_size: usize) -> Self {
        let documents = batch_size.max(1);
        RowGroupLimits {
            rows: 128 * documents,
            string_bytes: (16 << 10) * documents,
        }
    }
}

/// One Parquet file being written.
pub struct ParquetTableWriter<W: Write> {
    writer: FileWriter<W>,
    encodings: Buffer<Vec<Encoding>>,
    options: WriteOptions,
    limits: RowGroupLimits,
    /// Batches gathered for the next row group, with their rows and string bytes.
    pending: Vec<DataFrame>,
    pending_rows: usize,
    pending_bytes: usize,
}

impl<W: Write> ParquetTableWriter<W> {
    /// Starts a Parquet file for `schema`.
    pub fn new(sink: W, schema: &Schema, limits: RowGroupLimits) -> PolarsResult<Self> {
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
            limits,
            pending: Vec::new(),
            pending_rows: 0,
            pending_bytes: 0,
        })
    }

    /// Adds `frame` to the next row group, and writes that group once it is large enough.
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        self.pending_rows += frame.height();
        self.pending_bytes += string_bytes(frame)?;
        self.pending.push(frame.clone());
        if self.pending_rows >= self.limits.rows || self.pending_bytes >= self.limits.string_bytes {
            self.write_group()?;
        }
        Ok(())
    }

    /// Writes the gathered batches as one row group.
    fn write_group(&mut self) -> PolarsResult<()> {
        let mut batches = std::mem::take(&mut self.pending).into_iter();
        let Some(mut group) = batches.next() else {
            return Ok(());
        };
        for batch in batches {
            group.vstack_mut_owned(batch)?;
        }
        group.rechunk_mut();
        (self.pending_rows, self.pending_bytes) = (0, 0);
        for batch in group.iter_chunks(CompatLevel::oldest(), false) {
            let rows = batch.len() as u64;
            let fields = self.writer.parquet_schema().fields().to_vec();
            let row_group = row_group_iter(batch, self.encodings.clone(), fields, self.options);
            self.writer.write(rows, row_group)?;
        }
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.write_group()?;
        self.writer.end(None)?;
        Ok(())
    }
}

/// The bytes of the string values of `frame`: what makes a row group large besides its rows.
fn string_bytes(frame: &DataFrame) -> PolarsResult<usize> {
    let mut bytes = 0;
    for column in frame.columns() {
        if column.dtype() == &DataType::String {
            bytes += column
                .str()?
                .downcast_iter()
                .map(|a| a.total_bytes_len())
                .sum::<usize>();
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Writes `batches` and returns the file's bytes.
    fn written(batches: &[DataFrame]) -> Vec<u8> {
        let mut sink = Vec::new();
        let limits = RowGroupLimits::for_batch(512);
        let mut writer = ParquetTableWriter::new(&mut sink, batches[0].schema(), limits).unwrap();
        for batch in batches {
            writer.write(batch).unwrap();
        }
        writer.finish().unwrap();
        sink
    }

    fn row_groups(bytes: &[u8]) -> usize {
        polars_parquet::read::read_metadata(&mut Cursor::new(bytes))
            .unwrap()
            .row_groups
            .len()
    }

    fn batch(rows: usize, text: &str) -> DataFrame {
        df!(
            "n" => (0..rows as i64).collect::<Vec<_>>(),
            "text" => vec![text; rows],
        )
        .unwrap()
    }

    fn read(bytes: Vec<u8>) -> DataFrame {
        ParquetReader::new(Cursor::new(bytes)).finish().unwrap()
    }

    #[test]
    fn batches_are_gathered_into_row_groups_by_rows() {
        // 5 x 30,000 rows: a group once 65,536 rows are gathered (after 3 batches), then
        // the last two at the end.
        let batches: Vec<_> = (0..5).map(|_| batch(30_000, "a")).collect();
        let bytes = written(&batches);
        assert_eq!(row_groups(&bytes), 2);
        let mut all = batches[0].clone();
        for b in &batches[1..] {
            all.vstack_mut(b).unwrap();
        }
        assert!(read(bytes).equals(&all));
    }

    #[test]
    fn batches_are_gathered_into_row_groups_by_string_bytes() {
        // 3 batches of 4 MiB of text in 4 rows each: a group after 2 (8 MiB), then one.
        let text = "x".repeat(1 << 20);
        let batches: Vec<_> = (0..3).map(|_| batch(4, &text)).collect();
        let bytes = written(&batches);
        assert_eq!(row_groups(&bytes), 2);
        assert_eq!(read(bytes).height(), 12);
    }
}
