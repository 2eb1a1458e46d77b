//! Parquet output with plain string columns.
//!
//! polars' own `ParquetWriter` (0.55) writes strings as Arrow `string_view`, which pyarrow
//! cannot filter with its compute kernels (polars issue #26435). So we convert each batch at
//! polars' *oldest* compatibility level (strings become `large_string`) and hand it to
//! polars-parquet's lower-level [`FileWriter`].
//!
//! Each batch written is one row group: the callers write groups of documents
//! ([`crate::pipeline::groups`]) or frames of 65,536 rows, large enough that the row groups'
//! metadata, which the writer keeps until the footer, stays small.

use std::fs::File;
use std::io::{Cursor, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::parquet::metadata::FileMetadata;
use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read::{read_metadata, PageReader};
use polars_parquet::write::{
    get_dtype_encoding, row_group_iter, CompressionOptions, DynIter, DynStreamingIterator,
    Encoding, FallibleStreamingIterator, FileWriter, StatisticsOptions, Version, WriteOptions,
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
            // String statistics cut to 64 bytes, whatever POLARS_* variables say, so that the
            // bytes of a file do not depend on the environment.
            statistics: StatisticsOptions {
                binary_statistics_truncate_length: Some(64),
                ..StatisticsOptions::default()
            },
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

    /// Writes `frame` as one row group.
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        let mut group = frame.clone();
        group.rechunk_mut();
        for batch in group.iter_chunks(CompatLevel::oldest(), false) {
            let rows = batch.len() as u64;
            let fields = self.writer.parquet_schema().fields().to_vec();
            let row_group = row_group_iter(batch, self.encodings.clone(), fields, self.options);
            self.writer.write(rows, row_group)?;
        }
        Ok(())
    }

    /// Copies row group `index` of `source` as the next row group, page by page without
    /// decoding: the pages, their headers and so the file's bytes are those that writing the
    /// same rows again would give.
    pub fn copy_row_group(&mut self, source: &ParquetSource, index: usize) -> PolarsResult<()> {
        let group = source.metadata.row_groups.get(index).ok_or_else(
            || polars_err!(ComputeError: "{}: no row group {index}", source.path.display()),
        )?;
        let mut columns = Vec::new();
        for chunk in group.parquet_columns() {
            let range = chunk.byte_range();
            let mut bytes = vec![0u8; (range.end - range.start) as usize];
            source.file.read_exact_at(&mut bytes, range.start)?;
            let pages = OwnedPages {
                pages: PageReader::new(Cursor::new(Buffer::from(bytes)), chunk, vec![], usize::MAX),
                current: None,
            };
            columns.push(Ok(DynStreamingIterator::new(pages)));
        }
        let rows = group.num_rows() as u64;
        self.writer.write(rows, DynIter::new(columns.into_iter()))
    }

    /// Writes the last row group and the footer.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.writer.end(None)?;
        Ok(())
    }
}

/// The pages of a column chunk read back, handed to the writer one at a time.
struct OwnedPages {
    pages: PageReader,
    current: Option<CompressedPage>,
}

impl FallibleStreamingIterator for OwnedPages {
    type Item = CompressedPage;
    type Error = PolarsError;

    fn advance(&mut self) -> PolarsResult<()> {
        self.current = self.pages.next().transpose()?;
        // Pages read back do not say their rows; a flat column has one value a row.
        if let Some(CompressedPage::Data(page)) = &mut self.current {
            page.num_rows = Some(page.num_values());
        }
        Ok(())
    }

    fn get(&self) -> Option<&CompressedPage> {
        self.current.as_ref()
    }
}

/// A Parquet file written before, whose row groups [`ParquetTableWriter::copy_row_group`]
/// copies.
pub struct ParquetSource {
    path: std::path::PathBuf,
    file: File,
    metadata: FileMetadata,
}

impl ParquetSource {
    /// Opens `path` and reads its footer.
    pub fn open(path: &Path) -> PolarsResult<Self> {
        let mut file = File::open(path)?;
        let metadata = read_metadata(&mut file)?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            file,
            metadata,
        })
    }

    /// The rows of each row group.
    pub fn row_group_rows(&self) -> Vec<usize> {
        self.metadata
            .row_groups
            .iter()
            .map(|g| g.num_rows())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Writes `batches` and returns the file's bytes.
    fn written(batches: &[DataFrame]) -> Vec<u8> {
        let mut sink = Vec::new();
        let mut writer = ParquetTableWriter::new(&mut sink, batches[0].schema()).unwrap();
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
            "text" => vec![Some(text); rows],
            "maybe" => (0..rows).map(|i| (i % 3 == 0).then_some("x")).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn read(bytes: Vec<u8>) -> DataFrame {
        ParquetReader::new(Cursor::new(bytes)).finish().unwrap()
    }

    #[test]
    fn each_batch_is_a_row_group() {
        let batches: Vec<_> = (0..3).map(|i| batch(1_000 + i, "a")).collect();
        let bytes = written(&batches);
        assert_eq!(row_groups(&bytes), 3);
        let mut all = batches[0].clone();
        for b in &batches[1..] {
            all.vstack_mut(b).unwrap();
        }
        assert!(read(bytes).equals_missing(&all));
    }

    #[test]
    fn copied_row_groups_give_the_bytes_of_writing_the_rows_again() {
        // Several pages a column chunk (long texts), a dictionary and nulls.
        let long = "word ".repeat(2_000);
        let batches = [batch(700, &long), batch(5, "b"), batch(3_000, "c")];
        let bytes = written(&batches);
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.parquet");
        std::fs::write(&old, &bytes).unwrap();
        let source = ParquetSource::open(&old).unwrap();
        assert_eq!(source.row_group_rows(), vec![700, 5, 3_000]);
        // A new file: a new batch first, then the old groups 2 and 0 copied, then 1 written.
        let first = batch(11, "new");
        let mut sink = Vec::new();
        let mut writer = ParquetTableWriter::new(&mut sink, first.schema()).unwrap();
        writer.write(&first).unwrap();
        writer.copy_row_group(&source, 2).unwrap();
        writer.copy_row_group(&source, 0).unwrap();
        writer.write(&batches[1]).unwrap();
        writer.finish().unwrap();
        let expected = written(&[
            first,
            batches[2].clone(),
            batches[0].clone(),
            batches[1].clone(),
        ]);
        assert!(sink == expected, "copied file differs from the written one");
        assert!(writer_error_names_missing_group(&source));
    }

    fn writer_error_names_missing_group(source: &ParquetSource) -> bool {
        let b = batch(1, "x");
        let mut sink = Vec::new();
        let mut writer = ParquetTableWriter::new(&mut sink, b.schema()).unwrap();
        let error = writer.copy_row_group(source, 9).unwrap_err().to_string();
        error.contains("no row group 9") && error.contains("old.parquet")
    }
}
