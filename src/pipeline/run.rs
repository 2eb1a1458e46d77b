//! Orchestration: stream documents through the stages in bounded batches and write the tables.
//!
//! A run is a few named parts: [`Reader`] (input order, shard filter, duplicate ids; on a
//! thread of its own, one batch ahead), [`Analyser`] (the per-document stages in parallel,
//! the incremental cache), the [`Ledger`] (where every record went), the [`Folder`] (groups
//! of documents into the totals and the tables, copied when unchanged), [`with_group_writer`]
//! (row groups, the writer thread), the second pass of a run that links surnames
//! ([`write_linked`]), the corpus tables from the folded [`Totals`], the manifest, and the
//! commit of the staging directory. While one batch is analysed, the one before it is
//! folded; with one thread, everything runs inline, so one thread is one core. Only the
//! totals live until the end, so memory is bounded by a group plus the distinct entities and
//! pairs.
//!
//! Tables are written to a staging directory beside the output and swapped in only when the
//! whole run succeeded, so a failed or killed run leaves the previous output intact.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use super::analyse::{Analyser, Outcome, StageTimes};
use super::cache;
use super::config::Settings;
use super::fold::{Folder, Grouper, Reuse, Sink};
use super::linked::{write_linked, SecondPass};
use super::progress::Progress;
use super::reader::{Ledger, ReadBatch, Reader, Skipped};
use super::reuse::FinishedGroups;
use super::spill::Spill;
use super::writer::{
    with_group_writer, write_corpus_tables, CorpusPairs, DocumentTables, TableSet,
};
use crate::error::{Error, Result};
use crate::sinks::manifest::{
    self, CacheInfo, InputSummary, Manifest, PipelineInfo, ShardInfo, StageInfo,
};
use crate::sinks::staging::Staging;
use crate::stages::aggregate::pairs::{write_run, PairEntry, PairRuns, RunReader, PAIRS_FILE};
use crate::stages::aggregate::surnames::{link_pairs, OpenRowsWriter, SurnameLinks};
use crate::stages::aggregate::{Catalog, CorpusCounts, Totals};
use crate::stages::ingest::{self, KnownFiles};

/// What a finished run reports to its caller.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub output: PathBuf,
    pub documents: u64,
    pub rejects: u64,
    /// An incremental run found nothing new and left the output as it was.
    pub unchanged: bool,
    /// The input held files or records, but no document came of them.
    pub nothing_read: bool,
}

/// Runs the pipeline described by `settings`.
pub fn run(settings: &Settings) -> Result<RunSummary> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = settings.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Run(format!("cannot start worker threads: {e}")))?;
    pool.install(|| run_in_pool(settings))
}

/// What reading and analysing every document produced.
struct Analysis {
    totals: Totals,
    /// The co-occurring pairs spilled from `totals`.
    pair_runs: PairRuns,
    /// The open words that the corpus links to a person (none in a shard run).
    links: SurnameLinks,
    /// Files no reader takes, by extension; records read that are not articles, by kind.
    skipped_files: BTreeMap<String, u64>,
    skipped_records: BTreeMap<String, u64>,
    ledger: Ledger,
    /// Rows written per table so far.
    rows: BTreeMap<String, u64>,
    /// Whether the corpus tables are written already (while the last groups were).
    corpus_written: bool,
    documents: u64,
    mentions: u64,
    /// Bytes of decoded text in the documents.
    bytes: u64,
    times: StageTimes,
    aggregate_time: Duration,
    reused: u64,
    /// Groups copied from the previous output and written anew; the same for the tables a
    /// run that links surnames writes in its second pass.
    groups: (u64, u64),
    linked_groups: (u64, u64),
    /// The groups files written, kept once the output is.
    groups_files: Vec<FinishedGroups>,
}

fn run_in_pool(settings: &Settings) -> Result<RunSummary> {
    let started_at = chrono::Utc::now();
    let wall = Instant::now();
    let walk = ingest::walk(&settings.input)?;
    info!(input = %settings.input.path.display(), "reading input");
    let staging = Staging::create(&settings.output)?;
    let mut analyser = Analyser::new(settings)?;
    let known = analyser.known_files();
    if let Some(documents) = nothing_new(settings, &analyser, known.clone())? {
        info!(
            documents,
            "incremental: nothing new to do, every document is unchanged; output left as it was"
        );
        return Ok(RunSummary {
            output: settings.output.clone(),
            documents,
            rejects: 0,
            unchanged: true,
            nothing_read: false,
        });
    }
    let dir = staging.path();
    let mut analysed = read_and_analyse(settings, (walk, known), dir, &mut analyser)?;
    let inputs_file = analysed.ledger.finish()?;
    debug!(
        seconds = wall.elapsed().as_secs_f64(),
        "documents read and written"
    );

    if !analysed.corpus_written {
        let t = Instant::now();
        let inputs = CorpusInputs {
            totals: &mut analysed.totals,
            pairs_spilled: &mut analysed.pair_runs,
            links: Some(&analysed.links),
            rejects: &analysed.ledger.rejects,
        };
        let rows = write_run_corpus_tables(settings, dir, inputs)?;
        analysed.rows.extend(rows);
        analysed.aggregate_time += t.elapsed();
    }
    debug!(
        seconds = wall.elapsed().as_secs_f64(),
        "corpus tables written"
    );

    let manifest = run_manifest(settings, &analysed, started_at, dir);
    manifest.write(&dir.join("manifest.json"), &inputs_file)?;
    debug!(seconds = wall.elapsed().as_secs_f64(), "manifest written");
    std::fs::remove_file(&inputs_file)
        .map_err(|e| Error::io(format!("removing {}", inputs_file.display()), e))?;
    if settings.report {
        crate::report::write_report(dir)?;
    }
    staging.commit()?;
    log_cache_use(settings, &analyser, &analysed);
    for groups in std::mem::take(&mut analysed.groups_files) {
        groups.commit()?;
    }
    analysed.ledger.commit_files()?;
    analyser.commit_cache()?;
    let rejects = analysed.ledger.rejects.len() as u64;
    info!(
        output = %settings.output.display(),
        documents = analysed.documents,
        rejects,
        seconds = wall.elapsed().as_secs_f64(),
        "run finished"
    );
    let input_is_empty = analysed.ledger.files == 0
        && analysed.skipped_files.is_empty()
        && analysed.skipped_records.is_empty();
    if analysed.documents == 0 && !input_is_empty {
        warn!(
            input = %settings.input.path.display(),
            "no document was read from a non-empty input: see the rejects and skipped counts in manifest.json"
        );
    }
    Ok(RunSummary {
        output: settings.output.clone(),
        documents: analysed.documents,
        rejects,
        unchanged: false,
        nothing_read: analysed.documents == 0 && !input_is_empty,
    })
}

/// Reads every record, analyses the documents batch by batch, writes the per-document
/// tables and folds the corpus totals, in input order. While one batch is analysed, the one
/// before it is folded and handed to the table writer.
fn read_and_analyse(
    settings: &Settings,
    (walk, known): (ingest::Walk, Option<Arc<dyn KnownFiles>>),
    dir: &Path,
    analyser: &mut Analyser,
) -> Result<Analysis> {
    let progress = Progress::new(settings);
    let log = analyser.group_log(false)?;
    let mut ledger = Ledger::new(dir)?;
    ledger.remember_files(analyser.new_files()?);
    let mut folder = Folder {
        ledger,
        totals: Totals::default(),
        pair_runs: PairRuns::new(dir, settings.max_pairs_in_memory),
        bytes: 0,
        time: Duration::ZERO,
        grouper: Grouper::new(settings),
        reuse: Reuse {
            cache: analyser.old_cache().cloned(),
            groups: analyser.old_groups(false),
            logged: log.is_some(),
        },
        groups_copied: 0,
        groups_written: 0,
    };
    let mut linking = Linking::start(settings, dir)?;
    let set = linking.tables_as_documents_come();
    let tables = DocumentTables::create(dir, settings.format, set)?
        .with_groups(folder.reuse.groups.clone(), log);
    let (written, skipped) = with_reader(settings, (walk, dir, known), |batches| {
        with_group_writer(tables, &settings.lexicon, |writer| {
            let mut sink = Sink {
                writer,
                open_rows: linking.open_rows.as_mut(),
                spill: linking.spill.as_mut(),
            };
            analyse_batches(batches, analyser, &mut folder, &mut sink, &progress)?;
            folder.finish(&mut sink)?;
            // Without links across the corpus the totals are complete now: when groups were
            // copied, the corpus tables are written while the writer finishes the last groups
            // (a full run does not, to keep its peak memory: a large group being encoded and
            // the corpus tables at once).
            let early = !settings.links_surnames() && folder.groups_copied > 0;
            let corpus_rows = early
                .then(|| write_run_corpus_tables(settings, dir, folder.corpus_inputs(None)))
                .transpose()?;
            Ok((sink.writer.documents, corpus_rows))
        })
    })?;
    let (mut tables, (documents, corpus_rows)) = written;
    let second = SecondPass {
        previous: analyser.old_groups(true),
        log: analyser.group_log(true)?,
        cache: analyser.old_cache().cloned(),
    };
    let (links, linked_groups) =
        linking.finish((settings, dir, second), &mut tables, &folder.totals)?;
    progress.finish();
    let mentions = tables.mentions_written;
    debug_assert_eq!(documents, tables.documents_written);
    let Folder {
        ledger,
        totals,
        pair_runs,
        bytes,
        time: mut aggregate_time,
        groups_copied,
        groups_written,
        ..
    } = folder;
    debug!(
        writing = tables.time.as_secs_f64(),
        folding = aggregate_time.as_secs_f64(),
        "per-document tables written"
    );
    aggregate_time += tables.time;
    let (rows, groups_files) = tables.finish()?;
    let corpus_written = corpus_rows.is_some();
    let rows = rows
        .into_iter()
        .map(|(name, n)| (name.to_string(), n))
        .chain(corpus_rows.into_iter().flatten())
        .collect();
    let (skipped_files, skipped_records) = skipped;
    log_skipped(&skipped_files, &skipped_records);
    Ok(Analysis {
        totals,
        pair_runs,
        links,
        skipped_files,
        skipped_records,
        ledger,
        rows,
        corpus_written,
        documents,
        mentions,
        bytes,
        times: analyser.times,
        aggregate_time,
        reused: analyser.reused,
        groups: (groups_copied, groups_written),
        linked_groups,
        groups_files,
    })
}

/// What linking surnames across the corpus needs of a run: when surnames are linked, the
/// rows of `mentions` and `doc_entities` wait for the whole corpus, so the documents are
/// parked and those tables written in a second pass (the others are written as documents
/// come); a shard leaves the linking to its merge and records each document's open words.
struct Linking {
    open_rows: Option<OpenRowsWriter>,
    spill: Option<Spill>,
}

impl Linking {
    fn start(settings: &Settings, dir: &Path) -> Result<Linking> {
        let links = settings.links_surnames();
        let shard = settings.shard.is_some();
        Ok(Linking {
            open_rows: (links && shard)
                .then(|| OpenRowsWriter::create(dir))
                .transpose()?,
            spill: (links && !shard).then(|| Spill::create(dir)).transpose()?,
        })
    }

    /// The per-document tables written in the first pass.
    fn tables_as_documents_come(&self) -> TableSet {
        match self.spill {
            Some(_) => TableSet::Unlinked,
            None => TableSet::All,
        }
    }

    /// Ends the first pass: writes the second pass's tables into `tables`; returns the links.
    fn finish(
        self,
        (settings, dir, second): (&Settings, &Path, SecondPass),
        tables: &mut DocumentTables,
        totals: &Totals,
    ) -> Result<(SurnameLinks, (u64, u64))> {
        if let Some(rows) = self.open_rows {
            rows.finish()?;
        }
        let Some(spill) = self.spill else {
            return Ok((SurnameLinks::default(), (0, 0)));
        };
        let parked = spill.finish()?;
        let (linked, links, counts) = write_linked((settings, dir), parked, totals, second)?;
        tables.absorb(linked);
        Ok((links, counts))
    }
}

/// Analyses the batches in parallel and folds them in input order: while one batch is
/// analysed, the one before it is folded and handed to `sink`.
fn analyse_batches(
    batches: &mut dyn Iterator<Item = ReadBatch>,
    analyser: &mut Analyser,
    folder: &mut Folder,
    sink: &mut Sink,
    progress: &Progress,
) -> Result<()> {
    // The previous batch's outcomes, and how far reading had got with it.
    let mut pending: Option<(Vec<Outcome>, u64)> = None;
    for batch in batches {
        analyser.times.ingest += batch.took;
        let work = &*analyser;
        let (processed, folded) = rayon::join(
            || work.process(batch.records),
            || -> Result<()> {
                if let Some((outcomes, opened)) = pending.take() {
                    folder.fold(outcomes, sink, progress, opened)?;
                }
                folder.ledger.record(batch.events)
            },
        );
        folded?;
        pending = Some((analyser.settle(processed)?, batch.bytes_opened));
    }
    if let Some((outcomes, opened)) = pending {
        folder.fold(outcomes, sink, progress, opened)?;
    }
    Ok(())
}

/// Writes the corpus tables of a run, with the surnames it linked; a shard links none and
/// keeps its corpus counts and its sorted pairs (`pairs.bin`, open words' stand-ins
/// included) for the merge, which links them.
/// What the corpus tables are made of.
pub(super) struct CorpusInputs<'a> {
    pub totals: &'a mut Totals,
    /// The co-occurring pairs spilled from `totals`.
    pub pairs_spilled: &'a mut PairRuns,
    /// The open words that the corpus links to a person (`None`: the run links none).
    pub links: Option<&'a SurnameLinks>,
    pub rejects: &'a [crate::model::Reject],
}

fn write_run_corpus_tables(
    settings: &Settings,
    dir: &Path,
    inputs: CorpusInputs,
) -> Result<BTreeMap<String, u64>> {
    let CorpusInputs {
        totals,
        pairs_spilled,
        links,
        rejects,
    } = inputs;
    let no_links = SurnameLinks::default();
    let links = links.unwrap_or(&no_links);
    let had_open = !totals.open.is_empty();
    if settings.shard.is_none() {
        totals.link_surnames(links);
    }
    let catalog = Catalog::of(totals, &settings.lexicon);
    let runs = std::mem::replace(pairs_spilled, PairRuns::new(dir, 1));
    let merged = runs.merged(std::mem::take(&mut totals.pairs))?;
    let bound = settings.max_pairs_in_memory;
    let mut pairs: Box<dyn Iterator<Item = Result<PairEntry>>> = Box::new(merged);
    if settings.shard.is_some() {
        let path = dir.join(PAIRS_FILE);
        write_run(&path, pairs)?;
        pairs = Box::new(RunReader::open(&path)?);
    }
    if had_open {
        pairs = Box::new(link_pairs(pairs, links, (dir, bound))?);
    }
    let tables = (&*totals, &catalog);
    let pairs = CorpusPairs { pairs, bound };
    let mut rows = BTreeMap::new();
    write_corpus_tables(dir, settings.format, tables, pairs, rejects, &mut rows)?;
    if settings.shard.is_some() {
        let counts = CorpusCounts {
            totals: std::mem::take(totals),
            catalog,
        };
        counts.write(dir)?;
    }
    Ok(rows)
}

/// Runs `consume` over the batches of the input: read on a thread of its own, one batch
/// ahead, when there are several workers, and inline with one, so that one thread means one
/// core. Returns what `consume` returned and what no reader took.
fn with_reader<R>(
    settings: &Settings,
    (walk, dir, known): (ingest::Walk, &Path, Option<Arc<dyn KnownFiles>>),
    consume: impl FnOnce(&mut dyn Iterator<Item = ReadBatch>) -> Result<R>,
) -> Result<(R, Skipped)> {
    if rayon::current_num_threads() == 1 {
        let mut reader = Reader::new(settings, walk, dir, known);
        let mut batches = std::iter::from_fn(|| reader.next_batch());
        let result = consume(&mut batches)?;
        return Ok((result, reader.skipped()));
    }
    let (sender, batches) = std::sync::mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("newsetl-read".into())
            .spawn_scoped(scope, || {
                Reader::new(settings, walk, dir, known).send_batches(sender)
            })
            .map_err(|e| Error::io("starting the reader thread".to_string(), e))?;
        let result = consume(&mut batches.iter());
        // On an error the receiver goes first, so the reader stops at its next batch.
        drop(batches);
        let skipped = reading
            .join()
            .map_err(|_| Error::Run("the reader thread panicked".into()))?;
        Ok((result?, skipped))
    })
}

/// The manifest of a finished run.
fn run_manifest(
    settings: &Settings,
    a: &Analysis,
    started_at: chrono::DateTime<chrono::Utc>,
    dir: &Path,
) -> Manifest {
    let rejects = a.ledger.rejects.len() as u64;
    let records = a.documents + rejects;
    let stages = vec![
        stage("ingest", a.times.ingest, records, a.documents),
        stage("clean", a.times.clean, a.documents, a.documents),
        stage("tokenize", a.times.tokenize, a.documents, a.documents),
        stage(
            "entities",
            a.times.entities + a.times.count,
            a.documents,
            a.mentions,
        ),
        stage(
            "aggregate",
            a.aggregate_time,
            a.documents,
            a.rows.values().sum(),
        ),
    ];
    for s in &stages {
        info!(
            stage = %s.name,
            seconds = s.seconds,
            items_in = s.items_in,
            items_out = s.items_out,
            "stage finished"
        );
    }
    Manifest {
        schema_version: manifest::MANIFEST_SCHEMA_VERSION,
        tool: manifest::Tool::this(),
        run_id: manifest::run_id(&started_at),
        started_at: started_at.to_rfc3339(),
        finished_at: chrono::Utc::now().to_rfc3339(),
        pipeline: PipelineInfo {
            path: settings.pipeline_path.display().to_string(),
            hash: settings.pipeline_hash.clone(),
            batch_size: settings.batch_size as u64,
        },
        input: InputSummary {
            path: settings.input.path.display().to_string(),
            files: a.ledger.files,
            bytes: a.bytes,
            records,
            documents: a.documents,
            rejects,
            rejects_by_reason: manifest::rejects_by_reason(&a.ledger.rejects),
            skipped_files: a.skipped_files.clone(),
            skipped_records: a.skipped_records.clone(),
        },
        tables: manifest::tables_info(dir, &a.rows, settings.format),
        stages,
        shard: settings.shard.map(|s| ShardInfo {
            index: s.index,
            count: s.count,
        }),
        cache: settings.incremental.then_some(CacheInfo {
            reused: a.reused,
            processed: a.documents - a.reused,
            groups_copied: a.groups.0,
            groups_written: a.groups.1,
            linked_groups_copied: a.linked_groups.0,
            linked_groups_written: a.linked_groups.1,
            files_unread: a.ledger.unread,
            files_resumed: a.ledger.resumed,
        }),
    }
}

/// Says once per extension how many files no reader took, and once per kind how many records
/// were not articles, so that nothing is skipped without a word.
fn log_skipped(files: &BTreeMap<String, u64>, records: &BTreeMap<String, u64>) {
    for (extension, count) in files {
        warn!(
            extension = %extension,
            files = count,
            "skipped files that no reader takes (add the extension to [input] extensions to read them)"
        );
    }
    for (kind, count) in records {
        info!(kind = %kind, records = count, "skipped records that are not articles");
    }
}

fn log_cache_use(settings: &Settings, analyser: &Analyser, a: &Analysis) {
    if !settings.incremental {
        return;
    }
    let unchanged = analyser
        .old_cache()
        .is_some_and(|c| c.len() as u64 == a.documents);
    if a.reused == a.documents && unchanged {
        info!(
            documents = a.documents,
            "incremental: nothing new to do, every document is unchanged"
        );
    } else {
        info!(
            reused = a.reused,
            processed = a.documents - a.reused,
            groups_copied = a.groups.0,
            groups_written = a.groups.1,
            files_unread = a.ledger.unread,
            "incremental: reused cached documents"
        );
    }
}

/// In an incremental run whose previous output exists: whether the input is exactly what the
/// cache holds (same records, none rejected, none removed), in which case the previous output
/// is already right. Returns the number of documents then.
fn nothing_new(
    settings: &Settings,
    analyser: &Analyser,
    known: Option<Arc<dyn KnownFiles>>,
) -> Result<Option<u64>> {
    let Some(cache) = analyser.old_cache() else {
        return Ok(None);
    };
    // Standard input can be read once only: the run itself reads it.
    let from_stdin = settings.input.path == Path::new("-");
    if from_stdin || !settings.output.join("manifest.json").is_file() {
        return Ok(None);
    }
    let walk = ingest::walk(&settings.input)?;
    let mut seen: HashSet<u128> = HashSet::new();
    let records = ingest::Records::new(walk, settings.input.clone());
    for outcome in records.with_known(known) {
        let Ok(record) = outcome else {
            return Ok(None);
        };
        if settings.shard.is_some_and(|s| !s.contains(&record.doc_id)) {
            continue;
        }
        let key = cache::record_key(&record);
        if !cache.contains(key) || !seen.insert(key) {
            return Ok(None);
        }
    }
    Ok((seen.len() == cache.len()).then_some(seen.len() as u64))
}

fn stage(name: &str, time: Duration, items_in: u64, items_out: u64) -> StageInfo {
    StageInfo {
        name: name.into(),
        seconds: time.as_secs_f64(),
        items_in,
        items_out,
    }
}
