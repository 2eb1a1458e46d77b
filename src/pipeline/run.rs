//! Orchestration: stream documents through the stages in bounded batches and write the tables.
//!
//! A batch of input files is read and analysed in parallel (rayon keeps the order of the
//! results), then its `documents`, `mentions` and `doc_entities` rows are appended to the
//! sinks and its counts folded into the corpus totals. Only the totals live until the end, so
//! memory is bounded by one batch plus the number of distinct entities and pairs.
//!
//! Tables are written to a staging directory beside the output and swapped in only when the
//! whole run succeeded, so a failed or killed run leaves the previous output intact.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tracing::{debug, info, warn};
use xxhash_rust::xxh3::xxh3_128;

use super::cache;
use super::config::Settings;
use crate::error::{Error, Result};
use crate::lexicon::{Kind, Lexicon};
use crate::model::{AnalyzedDocument, Reject};
use crate::sinks::manifest::{
    CacheInfo, InputInfo, InputSummary, Manifest, PipelineInfo, ShardInfo, StageInfo, TableInfo,
    Tool, MANIFEST_SCHEMA_VERSION,
};
use crate::sinks::{table_files, write_table, TableWriter};
use crate::stages::aggregate::{self, DocCounts, Totals};
use crate::stages::entities::EntityMatcher;
use crate::stages::ingest::{self, RawRecord};
use crate::stages::{clean, tokenize};

/// The tables every run writes, in the order the README documents them.
pub const TABLES: &[&str] = &[
    "documents",
    "mentions",
    "doc_entities",
    "figures",
    "places",
    "terms",
    "organizations",
    "cooccurrence",
    "candidates",
    "rejects",
];

/// What a finished run reports to its caller.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub output: PathBuf,
    pub documents: u64,
    pub rejects: u64,
    /// An incremental run found nothing new and left the output as it was.
    pub unchanged: bool,
}

/// Time spent in each per-document stage, summed over threads.
#[derive(Debug, Clone, Copy, Default)]
struct StageTimes {
    ingest: Duration,
    clean: Duration,
    tokenize: Duration,
    entities: Duration,
    count: Duration,
}

impl std::ops::AddAssign for StageTimes {
    fn add_assign(&mut self, o: Self) {
        self.ingest += o.ingest;
        self.clean += o.clean;
        self.tokenize += o.tokenize;
        self.entities += o.entities;
        self.count += o.count;
    }
}

/// One record after all per-document stages (or taken from the cache).
struct Processed {
    outcome: std::result::Result<(AnalyzedDocument, DocCounts), Reject>,
    times: StageTimes,
    /// The cache key and the encoded entry, in incremental runs.
    cached: Option<(u128, Vec<u8>)>,
    reused: bool,
}

/// A batch closes at this many bytes of input even when it has fewer records.
const MAX_BATCH_BYTES: usize = 64 << 20;

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

/// Per-input counts for the manifest; `records == documents + rejects`.
#[derive(Debug, Clone, Default)]
struct InputCounts {
    bytes: u64,
    hash: Option<String>,
    records: u64,
    documents: u64,
    rejects: u64,
}

/// The per-document tables, written group by group (one Parquet row group per group).
struct DocumentTables {
    documents: TableWriter,
    mentions: TableWriter,
    doc_entities: TableWriter,
    documents_written: u64,
    mentions_written: u64,
    /// Time spent building and writing them (on the writer thread).
    time: Duration,
}

impl DocumentTables {
    fn write(
        &mut self,
        group: Vec<(AnalyzedDocument, DocCounts)>,
        lexicon: &Lexicon,
    ) -> Result<()> {
        let t = Instant::now();
        let (docs, counts): (Vec<_>, Vec<_>) = group.into_iter().unzip();
        self.documents_written += docs.len() as u64;
        self.mentions_written += docs.iter().map(|d| d.mentions.len() as u64).sum::<u64>();
        self.documents
            .write(&mut aggregate::documents_table(&docs)?)?;
        self.mentions
            .write(&mut aggregate::mentions_table(&docs, lexicon)?)?;
        self.doc_entities
            .write(&mut aggregate::doc_entities_table(&docs, &counts, lexicon)?)?;
        self.time += t.elapsed();
        Ok(())
    }
}

/// Where every record went: per-input counts and the rejects.
///
/// Inputs are kept only while records of theirs may still be in flight, then written to a
/// JSON-lines file in the staging directory (spliced into `manifest.json` at the end), so
/// memory does not grow with the number of input files.
struct Ledger {
    /// Inputs not yet written, in input order.
    open: VecDeque<String>,
    counts: HashMap<String, InputCounts>,
    rejects: Vec<Reject>,
    done: BufWriter<fs::File>,
    done_path: PathBuf,
    files: u64,
}

impl Ledger {
    fn new(dir: &Path) -> Result<Ledger> {
        let done_path = dir.join(".inputs.jsonl");
        let file = fs::File::create(&done_path)
            .map_err(|e| Error::io(format!("creating {}", done_path.display()), e))?;
        Ok(Ledger {
            open: VecDeque::new(),
            counts: HashMap::new(),
            rejects: Vec::new(),
            done: BufWriter::new(file),
            done_path,
            files: 0,
        })
    }

    fn entry(&mut self, source: &str) -> &mut InputCounts {
        if !self.counts.contains_key(source) {
            self.open.push_back(source.to_string());
            self.counts
                .insert(source.to_string(), InputCounts::default());
        }
        self.counts.get_mut(source).expect("inserted above")
    }

    /// A file that was opened.
    fn opened(&mut self, file: ingest::OpenedFile) {
        let counts = self.entry(&file.source);
        counts.bytes = file.bytes;
        counts.hash = file.hash;
    }

    /// A record that could not become a document.
    fn reject(&mut self, r: Reject) {
        warn!(source = %r.source, record = %r.record, reason = %r.reason, "rejected");
        let counts = self.entry(&r.source);
        counts.records += 1;
        counts.rejects += 1;
        self.rejects.push(r);
    }

    /// A record that became a document.
    fn document(&mut self, source: &str) {
        let counts = self.entry(source);
        counts.records += 1;
        counts.documents += 1;
    }

    /// Writes out every input but the last `keep` (whose records may still come).
    fn flush(&mut self, keep: usize) -> Result<()> {
        while self.open.len() > keep {
            let Some(source) = self.open.pop_front() else {
                break;
            };
            let c = self.counts.remove(&source).unwrap_or_default();
            let info = InputInfo {
                source,
                bytes: c.bytes,
                content_hash: c.hash,
                records: c.records,
                documents: c.documents,
                rejects: c.rejects,
            };
            let line = serde_json::to_string(&info).unwrap_or_default();
            writeln!(self.done, "{line}")
                .map_err(|e| Error::io(format!("writing {}", self.done_path.display()), e))?;
            self.files += 1;
        }
        Ok(())
    }

    /// Writes out every input; returns the file of JSON lines.
    fn finish(&mut self) -> Result<PathBuf> {
        self.flush(0)?;
        self.done
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.done_path.display()), e))?;
        Ok(self.done_path.clone())
    }
}

fn run_in_pool(settings: &Settings) -> Result<RunSummary> {
    let started_at = chrono::Utc::now();
    let wall = Instant::now();
    let mut matcher = EntityMatcher::new(&settings.lexicon)?;
    if let Some(discovery) = &settings.discovery {
        matcher = matcher.with_discovery(discovery.clone());
    }
    let lexicon = &settings.lexicon;

    let walk = ingest::walk(&settings.input)?;
    info!(input = %settings.input.path.display(), "reading input");
    let output = &settings.output;
    let staging = Staging::create(output)?;
    let dir = staging.path.as_path();
    let format = settings.format;

    let tables = DocumentTables {
        documents: TableWriter::create(
            dir,
            "documents",
            aggregate::documents_table(&[])?.schema(),
            format,
        )?,
        mentions: TableWriter::create(
            dir,
            "mentions",
            aggregate::mentions_table(&[], lexicon)?.schema(),
            format,
        )?,
        doc_entities: TableWriter::create(
            dir,
            "doc_entities",
            aggregate::doc_entities_table(&[], &[], lexicon)?.schema(),
            format,
        )?,
        documents_written: 0,
        mentions_written: 0,
        time: Duration::ZERO,
    };

    let mut ledger = Ledger::new(dir)?;
    let in_shard = |key: &str| settings.shard.is_none_or(|s| s.contains(key));
    let reject_key = |r: &Reject| format!("{} {}", r.source, r.record);

    let cache_file = cache::cache_path(output);
    // What the cache is valid for: the pipeline and everything that shapes the output.
    let cache_stamp = format!(
        "{} format={:?} report={} shard={:?}",
        settings.pipeline_hash, settings.format, settings.report, settings.shard
    );
    let old_cache = if settings.incremental {
        match cache::OldCache::open(&cache_file, &cache_stamp) {
            Ok(c) => {
                info!(documents = c.len(), cache = %cache_file.display(), "incremental: using the cache");
                Some(c)
            }
            Err(why) => {
                info!(%why, "incremental: processing everything");
                None
            }
        }
    } else {
        None
    };
    let mut new_cache = if settings.incremental {
        Some(cache::NewCache::create(&cache_file, &cache_stamp)?)
    } else {
        None
    };
    let mut reused = 0u64;
    if let Some(cache) = &old_cache {
        if output.join("manifest.json").is_file() {
            if let Some(n) = unchanged_input(settings, cache)? {
                info!(
                    documents = n,
                    "incremental: nothing new to do, every document is unchanged; output left as it was"
                );
                return Ok(RunSummary {
                    output: output.clone(),
                    documents: n,
                    rejects: 0,
                    unchanged: true,
                });
            }
        }
    }

    let progress = Progress::new(settings);
    let mut records = ingest::Records::new(walk, settings.input.clone());
    // Hashes of the doc_ids seen so far: 16 bytes a document, for rejecting duplicates.
    let mut seen_ids: HashSet<u128> = HashSet::new();
    let mut totals = Totals::default();
    let mut times = StageTimes::default();
    let mut aggregate_time = Duration::ZERO;
    let (mut n_docs, mut n_bytes) = (0u64, 0u64);
    let mut exhausted = false;
    let mut pending: Vec<(AnalyzedDocument, DocCounts)> = Vec::new();

    // With several threads, the per-document tables are written on a thread of their own, so
    // that encoding them overlaps with analysing the next batch instead of leaving a core
    // idle; with `--threads 1` they are written inline, so that one thread means one core.
    let single_thread = rayon::current_num_threads() == 1;
    let tables = std::thread::scope(|scope| -> Result<DocumentTables> {
        let (to_writer, groups) =
            std::sync::mpsc::sync_channel::<Vec<(AnalyzedDocument, DocCounts)>>(2);
        let mut inline = None;
        let writer = if single_thread {
            inline = Some(tables);
            None
        } else {
            Some(scope.spawn(move || -> Result<DocumentTables> {
                let mut tables = tables;
                for group in groups {
                    tables.write(group, lexicon)?;
                }
                Ok(tables)
            }))
        };
        'read: while !exhausted {
            // Read a bounded batch, in input order.
            let t = Instant::now();
            let mut batch: Vec<(RawRecord, u128)> = Vec::new();
            let mut batch_bytes = 0;
            while batch.len() < settings.batch_size && batch_bytes < MAX_BATCH_BYTES {
                let outcome = records.next();
                for file in records.opened.drain(..) {
                    ledger.opened(file);
                }
                let Some(outcome) = outcome else {
                    exhausted = true;
                    break;
                };
                match outcome {
                    Ok(record) if !in_shard(&record.doc_id) => {}
                    Err(r) if !in_shard(&reject_key(&r)) => {}
                    Ok(record) => {
                        if !seen_ids.insert(xxh3_128(record.doc_id.as_bytes())) {
                            let reason = format!(
                                "duplicate doc_id: `{}` was used by an earlier record",
                                record.doc_id
                            );
                            ledger.reject(Reject {
                                source: record.source,
                                record: record.record,
                                reason,
                            });
                            continue;
                        }
                        batch_bytes += record.len();
                        let key = if settings.incremental {
                            cache::record_key(&record)
                        } else {
                            0
                        };
                        batch.push((record, key));
                    }
                    Err(r) => ledger.reject(r),
                }
            }
            times.ingest += t.elapsed();

            let processed: Vec<Processed> = batch
                .into_par_iter()
                .map(|(record, key)| {
                    if let Some(bytes) = old_cache.as_ref().and_then(|c| c.get(key)) {
                        if let Some(entry) = cache::decode(&bytes) {
                            for (kind, name) in &entry.0.discovered {
                                settings.lexicon.discover(*kind, name);
                            }
                            return Processed {
                                outcome: Ok(entry),
                                times: StageTimes::default(),
                                cached: Some((key, bytes)),
                                reused: true,
                            };
                        }
                    }
                    let (outcome, times) = process(record, settings, &matcher);
                    let cached = match &outcome {
                        Ok(entry) if settings.incremental => Some((key, cache::encode(entry))),
                        _ => None,
                    };
                    Processed {
                        outcome,
                        times,
                        cached,
                        reused: false,
                    }
                })
                .collect();

            let t = Instant::now();
            for item in processed {
                times += item.times;
                reused += u64::from(item.reused);
                if let (Some(cache), Some((key, bytes))) = (new_cache.as_mut(), &item.cached) {
                    cache.add(*key, bytes)?;
                }
                match item.outcome {
                    Ok((doc, c)) => {
                        n_bytes += doc.doc.text.len() as u64;
                        ledger.document(&doc.doc.meta.source);
                        totals.add(&c);
                        pending.push((doc, c));
                    }
                    Err(r) => ledger.reject(r),
                }
            }
            // Row groups hold a fixed number of documents, so that the files depend only on the
            // documents (not on how reading was batched) and shards merge into the same bytes.
            while pending.len() >= settings.batch_size || (exhausted && !pending.is_empty()) {
                let take = pending.len().min(settings.batch_size);
                let group: Vec<(AnalyzedDocument, DocCounts)> = pending.drain(..take).collect();
                n_docs += group.len() as u64;
                if let Some(tables) = inline.as_mut() {
                    tables.write(group, lexicon)?;
                } else if to_writer.send(group).is_err() {
                    // The writer stopped on an error; joining it below reports the error.
                    break 'read;
                }
            }
            aggregate_time += t.elapsed();
            debug!(
                documents = n_docs,
                rejects = ledger.rejects.len(),
                "batch written"
            );
            progress.update(records.bytes_opened, n_docs, ledger.rejects.len());
            // Every input but the one being read is complete.
            ledger.flush(1)?;
        }
        drop(to_writer);
        match (writer, inline) {
            (Some(writer), _) => writer
                .join()
                .map_err(|_| Error::Run("the table writer stopped unexpectedly".into()))?,
            (None, Some(tables)) => Ok(tables),
            (None, None) => Err(Error::Run("no table writer".into())),
        }
    })?;
    let n_mentions = tables.mentions_written;
    aggregate_time += tables.time;
    debug_assert_eq!(n_docs, tables.documents_written);
    let inputs_file = ledger.finish()?;

    progress.finish();
    let t = Instant::now();
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    rows.insert("documents".into(), tables.documents.finish()?);
    rows.insert("mentions".into(), tables.mentions.finish()?);
    rows.insert("doc_entities".into(), tables.doc_entities.finish()?);
    for (name, kind) in [
        ("figures", Kind::Figure),
        ("places", Kind::Place),
        ("terms", Kind::Term),
        ("organizations", Kind::Organization),
    ] {
        let table = totals.entity_table(lexicon, kind)?;
        rows.insert(name.into(), write_table(dir, name, table, format)?);
    }
    rows.insert(
        "candidates".into(),
        write_table(dir, "candidates", totals.candidates_table()?, format)?,
    );
    rows.insert(
        "cooccurrence".into(),
        write_table(
            dir,
            "cooccurrence",
            totals.cooccurrence_table(lexicon)?,
            format,
        )?,
    );
    rows.insert(
        "rejects".into(),
        write_table(
            dir,
            "rejects",
            aggregate::rejects_table(&ledger.rejects)?,
            format,
        )?,
    );
    aggregate_time += t.elapsed();

    let n_rejects = ledger.rejects.len() as u64;
    let n_records = n_docs + n_rejects;
    let stages = vec![
        stage("ingest", times.ingest, n_records, n_docs),
        stage("clean", times.clean, n_docs, n_docs),
        stage("tokenize", times.tokenize, n_docs, n_docs),
        stage("entities", times.entities + times.count, n_docs, n_mentions),
        stage("aggregate", aggregate_time, n_docs, rows.values().sum()),
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
    let mut rejects_by_reason: BTreeMap<String, u64> = BTreeMap::new();
    for r in &ledger.rejects {
        *rejects_by_reason
            .entry(reason_category(&r.reason))
            .or_default() += 1;
    }
    let manifest = Manifest {
        schema_version: MANIFEST_SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        run_id: format!(
            "{}-{}",
            started_at.format("%Y%m%dT%H%M%S%.3fZ"),
            std::process::id()
        ),
        started_at: started_at.to_rfc3339(),
        finished_at: chrono::Utc::now().to_rfc3339(),
        pipeline: PipelineInfo {
            path: settings.pipeline_path.display().to_string(),
            hash: settings.pipeline_hash.clone(),
            batch_size: settings.batch_size as u64,
        },
        input: InputSummary {
            path: settings.input.path.display().to_string(),
            files: ledger.files,
            bytes: n_bytes,
            records: n_records,
            documents: n_docs,
            rejects: n_rejects,
            rejects_by_reason,
        },
        tables: rows
            .iter()
            .map(|(name, &rows)| {
                let files = table_files(dir, name, format)
                    .into_iter()
                    .map(|p| {
                        let file = p
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .into_owned();
                        let hash = ingest::content_hash(&p).map(|(_, h)| h).unwrap_or_default();
                        (file, hash)
                    })
                    .collect();
                (name.clone(), TableInfo { rows, files })
            })
            .collect(),
        stages,
        shard: settings.shard.map(|s| ShardInfo {
            index: s.index,
            count: s.count,
        }),
        cache: settings.incremental.then_some(CacheInfo {
            reused,
            processed: n_docs - reused,
        }),
    };
    if settings.incremental {
        let unchanged = old_cache.as_ref().is_some_and(|c| c.len() as u64 == n_docs);
        if reused == n_docs && unchanged {
            info!(
                documents = n_docs,
                "incremental: nothing new to do, every document is unchanged"
            );
        } else {
            info!(
                reused,
                processed = n_docs - reused,
                "incremental: reused cached documents"
            );
        }
    }
    manifest.write(&dir.join("manifest.json"), &inputs_file)?;
    fs::remove_file(&inputs_file)
        .map_err(|e| Error::io(format!("removing {}", inputs_file.display()), e))?;
    if settings.report {
        crate::report::write_report(dir)?;
    }
    staging.commit()?;
    if let Some(cache) = new_cache {
        cache.commit()?;
    }
    info!(
        output = %output.display(),
        documents = n_docs,
        rejects = n_rejects,
        seconds = wall.elapsed().as_secs_f64(),
        "run finished"
    );
    Ok(RunSummary {
        output: output.clone(),
        documents: n_docs,
        rejects: n_rejects,
        unchanged: false,
    })
}

/// A progress bar on stderr, drawn only when stderr is a terminal (so cron mail and log
/// collectors stay clean) and the run is not quiet.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(settings: &Settings) -> Self {
        use std::io::IsTerminal;
        if settings.quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let (_, total_bytes) = ingest::measure(&settings.input);
        let bar = indicatif::ProgressBar::new(total_bytes);
        let style = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    fn update(&self, bytes: u64, documents: u64, rejects: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(bytes);
            bar.set_message(format!("{documents} documents, {rejects} rejects"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Whether the input is exactly what the cache holds (same records, none rejected, none
/// removed), in which case the previous output is already right: the number of documents.
fn unchanged_input(settings: &Settings, cache: &cache::OldCache) -> Result<Option<u64>> {
    let walk = ingest::walk(&settings.input)?;
    let mut seen: HashSet<u128> = HashSet::new();
    for outcome in ingest::Records::new(walk, settings.input.clone()) {
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

/// The reason without its details (up to the first colon), for counting rejects by reason.
fn reason_category(reason: &str) -> String {
    reason
        .split(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn stage(name: &str, time: Duration, items_in: u64, items_out: u64) -> StageInfo {
    StageInfo {
        name: name.into(),
        seconds: time.as_secs_f64(),
        items_in,
        items_out,
    }
}

/// Runs decode → clean → tokenize → entities → counting on one record.
fn process(
    record: RawRecord,
    settings: &Settings,
    matcher: &EntityMatcher,
) -> (
    std::result::Result<(AnalyzedDocument, DocCounts), Reject>,
    StageTimes,
) {
    let mut times = StageTimes::default();
    let t = Instant::now();
    let decoded = ingest::decode_record(record);
    times.ingest = t.elapsed();
    let source = match decoded {
        Ok(doc) => doc,
        Err(reject) => return (Err(reject), times),
    };
    let t = Instant::now();
    let cleaned = clean::clean(source, &settings.clean);
    times.clean = t.elapsed();
    let t = Instant::now();
    let tokenized = tokenize::tokenize(cleaned);
    times.tokenize = t.elapsed();
    let t = Instant::now();
    let analyzed = matcher.analyze(tokenized, &settings.lexicon);
    times.entities = t.elapsed();
    let t = Instant::now();
    let counts = aggregate::count(&analyzed, &settings.lexicon);
    times.count = t.elapsed();
    (Ok((analyzed, counts)), times)
}

/// A directory beside the output where a run writes, renamed over the output on success.
///
/// It holds an exclusive lock on `.NAME.lock` beside the output for the whole run, so that a
/// second run on the same output refuses instead of interleaving; the lock goes with the
/// process, also when it is killed.
pub struct Staging {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
    _lock: fs::File,
}

impl Staging {
    /// Locks the output and creates the staging directory beside it.
    pub fn create(target: &Path) -> Result<Staging> {
        if target.exists() {
            if !target.is_dir() {
                return Err(Error::Usage(format!(
                    "output {} exists and is not a directory",
                    target.display()
                )));
            }
            let is_ours = target.join("manifest.json").is_file();
            let is_empty = fs::read_dir(target)
                .map_err(|e| Error::io(format!("reading {}", target.display()), e))?
                .next()
                .is_none();
            if !is_ours && !is_empty {
                return Err(Error::Usage(format!(
                    "output directory {} is not empty and holds no manifest.json: \
                     refusing to replace what is not a newsetl output",
                    target.display()
                )));
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());

        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(format!("creating {}", lock_path.display()), e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Run(format!(
                    "another newsetl run is writing {} (lock {} is held)",
                    target.display(),
                    lock_path.display()
                )))
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("locking {}", lock_path.display()), e))
            }
        }

        // Staging directories left by killed runs: nobody else holds the lock, so remove them.
        let prefix = format!(".{name}.staging-");
        if let Ok(entries) = fs::read_dir(&parent) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let path = parent.join(format!("{prefix}{}", std::process::id()));
        fs::create_dir(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Staging {
            path,
            target: target.to_path_buf(),
            committed: false,
            _lock: lock,
        })
    }

    /// Where tables are written until [`Staging::commit`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Swaps the staging directory in for the output.
    pub fn commit(mut self) -> Result<()> {
        let old = self.path.with_extension("old");
        if self.target.exists() {
            fs::rename(&self.target, &old)
                .map_err(|e| Error::io(format!("moving {} aside", self.target.display()), e))?;
        }
        fs::rename(&self.path, &self.target)
            .map_err(|e| Error::io(format!("moving output into {}", self.target.display()), e))?;
        self.committed = true;
        if old.exists() {
            fs::remove_dir_all(&old)
                .map_err(|e| Error::io(format!("removing {}", old.display()), e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}
