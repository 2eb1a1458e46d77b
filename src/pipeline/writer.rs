//! Writing the per-document tables: groups of a fixed number of documents, encoded on a
//! thread of their own when there are several workers.

use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::sinks::parquet::RowGroupLimits;
use crate::sinks::{Format, TableWriter};
use crate::stages::aggregate::pairs::PairEntry;
use crate::stages::aggregate::registry::{Rows, TableSpec, TABLES};
use crate::stages::aggregate::DocResult;

/// A per-document table and its builder.
type DocumentTable = (
    &'static TableSpec,
    fn(&[DocResult], &Lexicon) -> polars::prelude::PolarsResult<polars::prelude::DataFrame>,
    TableWriter,
);

/// Which per-document tables a writer writes: a run that links surnames writes those that
/// links leave unchanged (`documents`) in its first pass, and the others in its second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableSet {
    All,
    /// Tables that linked surnames never change.
    Unlinked,
    /// Tables that linked surnames add rows to.
    Linked,
}

impl TableSet {
    fn contains(self, linked: bool) -> bool {
        match self {
            TableSet::All => true,
            TableSet::Unlinked => !linked,
            TableSet::Linked => linked,
        }
    }
}

/// The per-document tables of the registry, written group by group (Parquet row groups
/// gather groups: [`crate::sinks::parquet`]).
pub struct DocumentTables {
    tables: Vec<DocumentTable>,
    /// Whether `mentions` is one of them.
    counts_mentions: bool,
    pub documents_written: u64,
    pub mentions_written: u64,
    /// Time spent building and writing them (on the writer thread).
    pub time: Duration,
}

impl DocumentTables {
    /// Creates the files of the per-document tables of `set` in `dir`, written in groups of
    /// `group_size` documents.
    pub fn create(dir: &Path, format: Format, group_size: usize, set: TableSet) -> Result<Self> {
        let mut tables = Vec::new();
        let limits = RowGroupLimits::for_batch(group_size);
        for spec in TABLES {
            if let Rows::PerDocument { build, linked, .. } = spec.rows {
                if set.contains(linked.is_some()) {
                    let schema = spec.schema();
                    let writer = TableWriter::create(dir, spec.name, &schema, format, limits)?;
                    tables.push((spec, build, writer));
                }
            }
        }
        Ok(DocumentTables {
            counts_mentions: tables.iter().any(|t| t.0.name == "mentions"),
            tables,
            documents_written: 0,
            mentions_written: 0,
            time: Duration::ZERO,
        })
    }

    /// Writes one group of documents to every table.
    pub fn write(&mut self, group: &[DocResult], lexicon: &Lexicon) -> Result<()> {
        let t = Instant::now();
        self.documents_written += group.len() as u64;
        if self.counts_mentions {
            self.mentions_written += group
                .iter()
                .map(|(d, _)| d.mentions.len() as u64)
                .sum::<u64>();
        }
        for (spec, build, writer) in &mut self.tables {
            let mut frame = build(group, lexicon).map_err(|e| Error::Table {
                table: spec.name.to_string(),
                message: e.to_string(),
            })?;
            writer.write(&mut frame)?;
        }
        self.time += t.elapsed();
        Ok(())
    }

    /// Takes over the tables of a second pass over the same documents (those of the other
    /// [`TableSet`]).
    pub fn absorb(&mut self, second: DocumentTables) {
        self.tables.extend(second.tables);
        self.counts_mentions |= second.counts_mentions;
        self.mentions_written += second.mentions_written;
        self.time += second.time;
    }

    /// Finishes the files; returns each table's name and row count.
    pub fn finish(self) -> Result<Vec<(&'static str, u64)>> {
        self.tables
            .into_iter()
            .map(|(spec, _, writer)| Ok((spec.name, writer.finish()?)))
            .collect()
    }
}

/// Collects analysed documents into groups of `group_size` documents, so that the files
/// depend only on the documents (not on how reading was batched) and shards merge into the
/// same bytes, and hands each group to the tables, inline or on the writer thread.
pub struct GroupWriter<'a> {
    group_size: usize,
    pending: Vec<DocResult>,
    inline: Option<&'a mut DocumentTables>,
    to_writer: Option<SyncSender<Vec<DocResult>>>,
    lexicon: &'a Lexicon,
    /// Documents handed to the tables so far.
    pub documents: u64,
}

impl GroupWriter<'_> {
    /// Adds one document; writes a group when one is full.
    pub fn push(&mut self, doc: DocResult) -> Result<()> {
        self.pending.push(doc);
        if self.pending.len() >= self.group_size {
            self.write_group()?;
        }
        Ok(())
    }

    /// Writes what is left as a last, smaller group.
    pub fn finish(&mut self) -> Result<()> {
        while !self.pending.is_empty() {
            self.write_group()?;
        }
        Ok(())
    }

    fn write_group(&mut self) -> Result<()> {
        let take = self.pending.len().min(self.group_size);
        let group: Vec<DocResult> = self.pending.drain(..take).collect();
        self.documents += group.len() as u64;
        if let Some(tables) = self.inline.as_mut() {
            tables.write(&group, self.lexicon)
        } else if let Some(sender) = &self.to_writer {
            // A closed channel means the writer stopped on an error, which joining it reports.
            sender
                .send(group)
                .map_err(|_| Error::Run("the table writer stopped".into()))
        } else {
            Ok(())
        }
    }
}

/// Runs `produce` with a [`GroupWriter`] that feeds `tables`: on a thread of its own when
/// there are several workers, so that encoding overlaps analysis, and inline with one, so
/// that one thread means one core. Returns the tables and what `produce` returned.
pub fn with_group_writer<R>(
    mut tables: DocumentTables,
    lexicon: &Lexicon,
    group_size: usize,
    produce: impl FnOnce(&mut GroupWriter) -> Result<R>,
) -> Result<(DocumentTables, R)> {
    let single_thread = rayon::current_num_threads() == 1;
    if single_thread {
        let mut writer = group_writer(Some(&mut tables), None, lexicon, group_size);
        let result = produce(&mut writer);
        writer.finish()?;
        drop(writer);
        return Ok((tables, result?));
    }
    std::thread::scope(|scope| {
        let (sender, groups) = sync_channel::<Vec<DocResult>>(2);
        let handle = scope.spawn(move || -> Result<DocumentTables> {
            for group in groups {
                tables.write(&group, lexicon)?;
            }
            Ok(tables)
        });
        let mut writer = group_writer(None, Some(sender), lexicon, group_size);
        let result = produce(&mut writer).and_then(|r| writer.finish().map(|()| r));
        drop(writer);
        let tables = handle
            .join()
            .map_err(|_| Error::Run("the table writer stopped unexpectedly".into()))??;
        Ok((tables, result?))
    })
}

fn group_writer<'a>(
    inline: Option<&'a mut DocumentTables>,
    to_writer: Option<SyncSender<Vec<DocResult>>>,
    lexicon: &'a Lexicon,
    group_size: usize,
) -> GroupWriter<'a> {
    GroupWriter {
        group_size,
        pending: Vec::new(),
        inline,
        to_writer,
        lexicon,
        documents: 0,
    }
}

/// The co-occurring pairs of a corpus, in pair order, and how many may be held at once.
pub struct CorpusPairs<I> {
    pub pairs: I,
    pub bound: usize,
}

/// Rows a frame of a corpus table holds, and so a Parquet row group: a table is written in
/// frames of this many rows whether it was built at once or in chunks, so both give the
/// same bytes.
const CORPUS_FRAME_ROWS: usize = 65_536;

/// Writes every corpus table of the registry (and `rejects`) into `dir`, recording the rows
/// of each in `rows`. A run and a merge both end here.
pub fn write_corpus_tables(
    dir: &Path,
    format: Format,
    (totals, catalog): (
        &crate::stages::aggregate::Totals,
        &crate::stages::aggregate::Catalog,
    ),
    pairs: CorpusPairs<impl Iterator<Item = Result<PairEntry>>>,
    rejects: &[crate::model::Reject],
    rows: &mut std::collections::BTreeMap<String, u64>,
) -> Result<()> {
    use crate::stages::aggregate::rejects_table;
    let table_error = |name: &str| {
        let name = name.to_string();
        move |e: polars::prelude::PolarsError| Error::Table {
            table: name.clone(),
            message: e.to_string(),
        }
    };
    let mut pairs = Some(pairs);
    for spec in TABLES {
        let frame = match spec.rows {
            Rows::PerDocument { .. } => continue,
            Rows::Corpus(build) => build(totals, catalog),
            Rows::Rejects => rejects_table(rejects),
            Rows::Pairs => {
                if let Some(pairs) = pairs.take() {
                    let n = write_pairs_table(dir, format, spec, pairs, catalog)?;
                    rows.insert(spec.name.to_string(), n);
                }
                continue;
            }
        };
        let frame = frame.map_err(table_error(spec.name))?;
        let mut writer = corpus_table_writer(dir, spec, format)?;
        for offset in (0..frame.height()).step_by(CORPUS_FRAME_ROWS) {
            writer.write(&mut frame.slice(offset as i64, CORPUS_FRAME_ROWS))?;
        }
        rows.insert(spec.name.to_string(), writer.finish()?);
    }
    Ok(())
}

fn corpus_table_writer(dir: &Path, spec: &TableSpec, format: Format) -> Result<TableWriter> {
    let limits = RowGroupLimits::for_batch(1);
    TableWriter::create(dir, spec.name, &spec.schema(), format, limits)
}

/// Writes the `cooccurrence` table from pairs in pair order: sorted in the table's order
/// holding at most `bound` pairs ([`crate::stages::aggregate::pairs::sort_externally`]), and
/// written in frames of [`CORPUS_FRAME_ROWS`]. Returns the rows written.
fn write_pairs_table(
    dir: &Path,
    format: Format,
    spec: &TableSpec,
    pairs: CorpusPairs<impl Iterator<Item = Result<PairEntry>>>,
    catalog: &crate::stages::aggregate::Catalog,
) -> Result<u64> {
    use crate::stages::aggregate::{cooccurrence_frame, cooccurrence_key, pairs::sort_externally};
    let mut writer = corpus_table_writer(dir, spec, format)?;
    let mut frame_rows: Vec<PairEntry> = Vec::new();
    let flush = |frame_rows: &mut Vec<PairEntry>, writer: &mut TableWriter| -> Result<()> {
        let mut frame = cooccurrence_frame(frame_rows, catalog).map_err(|e| Error::Table {
            table: spec.name.to_string(),
            message: e.to_string(),
        })?;
        frame_rows.clear();
        writer.write(&mut frame)
    };
    let key = cooccurrence_key(catalog);
    sort_externally(pairs.pairs, key, (dir, pairs.bound), |entry| {
        frame_rows.push(entry);
        if frame_rows.len() == CORPUS_FRAME_ROWS {
            flush(&mut frame_rows, &mut writer)?;
        }
        Ok(())
    })?;
    if !frame_rows.is_empty() {
        flush(&mut frame_rows, &mut writer)?;
    }
    writer.finish()
}
