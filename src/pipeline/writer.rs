//! Writing the per-document tables: groups of documents ([`super::groups`]), each encoded
//! as one row group, or copied from the previous output in an incremental run, on a thread of
//! their own when there are several workers.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::reuse::{FinishedGroups, GroupHead, GroupLog, Logged, OldGroups};
use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::sinks::{table_files, Format, Placed, TableWriter};
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

/// One group for the tables.
pub enum GroupJob {
    /// Documents to encode; in an incremental run with what the groups file records.
    Encode {
        docs: Vec<DocResult>,
        logged: Option<Logged>,
    },
    /// A group of the previous run to copy, with its encoded totals.
    Copy { head: GroupHead, totals: Vec<u8> },
}

/// The per-document tables of the registry, written group by group, one Parquet row group
/// each.
pub struct DocumentTables {
    tables: Vec<DocumentTable>,
    /// Whether `mentions` is one of them.
    counts_mentions: bool,
    files: Vec<PathBuf>,
    /// The previous run's groups, to copy; the groups file of this run.
    previous: Option<Arc<OldGroups>>,
    log: Option<GroupLog>,
    /// The groups files of passes absorbed, with their tables' files.
    absorbed_logs: Vec<(GroupLog, Vec<PathBuf>)>,
    pub documents_written: u64,
    pub mentions_written: u64,
    /// Time spent building and writing them (on the writer thread).
    pub time: Duration,
    /// Whether a group's tables, and each table's Parquet and CSV, are encoded side by side:
    /// in a run that copies the previous output's groups, where the few groups to encode
    /// are most of the work left.
    parallel: bool,
}

impl DocumentTables {
    /// Creates the files of the per-document tables of `set` in `dir`.
    pub fn create(dir: &Path, format: Format, set: TableSet) -> Result<Self> {
        let mut tables = Vec::new();
        let mut files = Vec::new();
        for spec in TABLES {
            if let Rows::PerDocument { build, linked, .. } = spec.rows {
                if set.contains(linked.is_some()) {
                    let schema = spec.schema();
                    let writer = TableWriter::create(dir, spec.name, &schema, format)?;
                    tables.push((spec, build, writer));
                    files.extend(table_files(dir, spec.name, format));
                }
            }
        }
        Ok(DocumentTables {
            counts_mentions: tables.iter().any(|t| t.0.name == "mentions"),
            tables,
            files,
            previous: None,
            log: None,
            absorbed_logs: Vec::new(),
            documents_written: 0,
            mentions_written: 0,
            time: Duration::ZERO,
            parallel: false,
        })
    }

    /// Copies groups from `previous` when asked to, and records the groups written in `log`.
    pub fn with_groups(mut self, previous: Option<Arc<OldGroups>>, log: Option<GroupLog>) -> Self {
        if previous.is_some() {
            self = self.side_by_side();
        }
        (self.previous, self.log) = (previous, log);
        self
    }

    /// Encodes a group's tables, and each table's Parquet and CSV, side by side on the
    /// worker threads.
    fn side_by_side(mut self) -> Self {
        self.parallel = true;
        self.tables = std::mem::take(&mut self.tables)
            .into_iter()
            .map(|(spec, build, writer)| (spec, build, writer.side_by_side()))
            .collect();
        self
    }

    /// Writes one group to every table.
    pub fn take(&mut self, job: GroupJob, lexicon: &Lexicon) -> Result<()> {
        let t = Instant::now();
        match job {
            GroupJob::Encode { docs, logged } => {
                let places = self.write(&docs, lexicon)?;
                if let (Some(log), Some(logged)) = (self.log.as_mut(), logged) {
                    let documents = docs.len() as u64;
                    let head = GroupHead::new(logged.key, documents, places, logged.open_words);
                    log.add(head, &logged.totals)?;
                }
            }
            GroupJob::Copy { head, totals } => {
                let places = self.copy(&head)?;
                if let Some(log) = self.log.as_mut() {
                    let GroupHead {
                        key,
                        documents,
                        open_words,
                        ..
                    } = head;
                    log.add(GroupHead::new(key, documents, places, open_words), &totals)?;
                }
            }
        }
        self.time += t.elapsed();
        Ok(())
    }

    fn write(&mut self, group: &[DocResult], lexicon: &Lexicon) -> Result<Vec<(String, Placed)>> {
        self.documents_written += group.len() as u64;
        if self.counts_mentions {
            self.mentions_written += group
                .iter()
                .map(|(d, _)| d.mentions.len() as u64)
                .sum::<u64>();
        }
        let encode = |(spec, build, writer): &mut DocumentTable| {
            let mut frame = build(group, lexicon).map_err(|e| Error::Table {
                table: spec.name.to_string(),
                message: e.to_string(),
            })?;
            Ok((spec.name.to_string(), writer.write(&mut frame)?))
        };
        if self.parallel {
            use rayon::prelude::*;
            self.tables.par_iter_mut().map(encode).collect()
        } else {
            self.tables.iter_mut().map(encode).collect()
        }
    }

    /// Copies a group of the previous run into every table.
    fn copy(&mut self, head: &GroupHead) -> Result<Vec<(String, Placed)>> {
        let previous = self
            .previous
            .clone()
            .ok_or_else(|| Error::Run("no previous output to copy from".into()))?;
        self.documents_written += head.documents;
        if self.counts_mentions {
            self.mentions_written += head.mentions;
        }
        let mut places = Vec::with_capacity(self.tables.len());
        for (spec, _, writer) in &mut self.tables {
            let from = head
                .places
                .iter()
                .find(|(name, _)| name == spec.name)
                .map(|(_, placed)| *placed)
                .ok_or_else(|| Error::Run(format!("the group has no rows for {}", spec.name)))?;
            let placed = writer.copy(previous.table(spec.name)?, from)?;
            places.push((spec.name.to_string(), placed));
        }
        Ok(places)
    }

    /// Takes over the tables of a second pass over the same documents (those of the other
    /// [`TableSet`]).
    pub fn absorb(&mut self, second: DocumentTables) {
        if let Some(log) = second.log {
            self.absorbed_logs.push((log, second.files));
        }
        self.absorbed_logs.extend(second.absorbed_logs);
        self.tables.extend(second.tables);
        self.counts_mentions |= second.counts_mentions;
        self.mentions_written += second.mentions_written;
        self.time += second.time;
    }

    /// Finishes the files; returns each table's name and row count, and the groups files
    /// written.
    pub fn finish(self) -> Result<(TableRows, Vec<FinishedGroups>)> {
        let rows = self
            .tables
            .into_iter()
            .map(|(spec, _, writer)| Ok((spec.name, writer.finish()?)))
            .collect::<Result<Vec<_>>>()?;
        let logs = self.log.map(|log| (log, self.files)).into_iter();
        let groups = logs
            .chain(self.absorbed_logs)
            .map(|(log, files)| log.finish(&files))
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, groups))
    }
}

/// Each table's name and the rows written to it.
pub type TableRows = Vec<(&'static str, u64)>;

/// Hands groups to the tables, inline or on the writer thread.
pub struct GroupWriter<'a> {
    inline: Option<&'a mut DocumentTables>,
    to_writer: Option<WriterQueue>,
    lexicon: &'a Lexicon,
    /// Documents handed to the tables so far.
    pub documents: u64,
}

impl GroupWriter<'_> {
    /// Hands over one group.
    pub fn send(&mut self, job: GroupJob) -> Result<()> {
        self.documents += match &job {
            GroupJob::Encode { docs, .. } => docs.len() as u64,
            GroupJob::Copy { head, .. } => head.documents,
        };
        if let Some(tables) = self.inline.as_mut() {
            tables.take(job, self.lexicon)
        } else if let Some(queue) = &self.to_writer {
            queue.send(job)
        } else {
            Ok(())
        }
    }
}

/// Runs `produce` with a [`GroupWriter`] that feeds `tables`: on a thread of its own when
/// there are several workers, so that encoding overlaps analysis (the groups still queued
/// when `produce` returns are encoded by the workers), and inline with one, so that one
/// thread means one core. Returns the tables and what `produce` returned.
pub fn with_group_writer<R>(
    mut tables: DocumentTables,
    lexicon: &Lexicon,
    produce: impl FnOnce(&mut GroupWriter) -> Result<R>,
) -> Result<(DocumentTables, R)> {
    let single_thread = rayon::current_num_threads() == 1;
    if single_thread {
        let mut writer = group_writer(Some(&mut tables), None, lexicon);
        let result = produce(&mut writer);
        drop(writer);
        return Ok((tables, result?));
    }
    // Set once every group is handed over: the writer thread then leaves the groups still
    // queued to the workers, which encode them side by side while nothing else runs.
    let produced = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (queue, groups, encode_tokens) = WriterQueue::new();
        let produced = &produced;
        let handle = scope.spawn(move || -> Result<(DocumentTables, Receiver<GroupJob>)> {
            while !produced.load(std::sync::atomic::Ordering::Acquire) {
                let Ok(group) = groups.recv() else { break };
                if matches!(group, GroupJob::Encode { .. }) {
                    // The group leaves the queue: the next one may come in.
                    let _ = encode_tokens.recv();
                }
                tables.take(group, lexicon)?;
            }
            Ok((tables, groups))
        });
        let mut writer = group_writer(None, Some(queue), lexicon);
        let result = produce(&mut writer);
        drop(writer);
        produced.store(true, std::sync::atomic::Ordering::Release);
        let (tables, rest) = handle
            .join()
            .map_err(|_| Error::Run("the table writer stopped unexpectedly".into()))??;
        let result = result?;
        let mut tables = tables.side_by_side();
        for group in rest {
            tables.take(group, lexicon)?;
        }
        Ok((tables, result))
    })
}

/// Runs `produce` with a [`GroupWriter`] that encodes each group as it comes, inline, its
/// tables side by side on the worker threads: for a pass whose groups are light to produce
/// (the second pass of a run that links surnames reads them back from disk), where a writer
/// thread would leave the workers idle while it encodes.
pub fn with_inline_writer<R>(
    tables: DocumentTables,
    lexicon: &Lexicon,
    produce: impl FnOnce(&mut GroupWriter) -> Result<R>,
) -> Result<(DocumentTables, R)> {
    let mut tables = tables.side_by_side();
    let mut writer = group_writer(Some(&mut tables), None, lexicon);
    let result = produce(&mut writer)?;
    drop(writer);
    Ok((tables, result))
}

/// The queue to the writer thread. Groups to encode hold their documents, so at most one
/// waits while another is encoded; copied groups are light (their place and totals), so up
/// to [`WriterQueue::COPIES`] may wait, and folding goes on while a group is encoded.
struct WriterQueue {
    jobs: SyncSender<GroupJob>,
    /// One token a group to encode that waits in `jobs`, taken back by the writer.
    encode_tokens: SyncSender<()>,
}

impl WriterQueue {
    const COPIES: usize = 32;

    fn new() -> (WriterQueue, Receiver<GroupJob>, Receiver<()>) {
        let (jobs, groups) = sync_channel(Self::COPIES);
        let (encode_tokens, tokens) = sync_channel(1);
        let queue = WriterQueue {
            jobs,
            encode_tokens,
        };
        (queue, groups, tokens)
    }

    fn send(&self, job: GroupJob) -> Result<()> {
        // A closed channel means the writer stopped on an error, which joining it reports.
        let stopped = || Error::Run("the table writer stopped".into());
        if matches!(job, GroupJob::Encode { .. }) {
            self.encode_tokens.send(()).map_err(|_| stopped())?;
        }
        self.jobs.send(job).map_err(|_| stopped())
    }
}

fn group_writer<'a>(
    inline: Option<&'a mut DocumentTables>,
    to_writer: Option<WriterQueue>,
    lexicon: &'a Lexicon,
) -> GroupWriter<'a> {
    GroupWriter {
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
    Ok(TableWriter::create(dir, spec.name, &spec.schema(), format)?.side_by_side())
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
    use crate::stages::aggregate::{
        cooccurrence_frame, cooccurrence_key, pairs::sort_externally, SideRanks,
    };
    let mut writer = corpus_table_writer(dir, spec, format)?;
    let mut frame_rows: Vec<PairEntry> = Vec::new();
    let flush = |frame_rows: &mut Vec<PairEntry>, writer: &mut TableWriter| -> Result<()> {
        let mut frame = cooccurrence_frame(frame_rows, catalog).map_err(|e| Error::Table {
            table: spec.name.to_string(),
            message: e.to_string(),
        })?;
        frame_rows.clear();
        writer.write(&mut frame).map(|_| ())
    };
    let ranks = SideRanks::of(catalog);
    let key = cooccurrence_key(&ranks);
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
