//! Orchestration: stream documents through the stages in bounded batches and write the tables.
//!
//! A run is a few named parts: [`Reader`] (input order, shard filter, duplicate ids, the
//! ledger), [`Analyser`] (the per-document stages in parallel, the incremental cache),
//! [`with_group_writer`] (row groups, the writer thread), the corpus tables from the folded
//! [`Totals`], the manifest, and the commit of the staging directory. Only the totals live
//! until the end, so memory is bounded by a batch plus the distinct entities and pairs.
//!
//! Tables are written to a staging directory beside the output and swapped in only when the
//! whole run succeeded, so a failed or killed run leaves the previous output intact.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use super::analyse::{Analyser, StageTimes};
use super::cache;
use super::config::Settings;
use super::progress::Progress;
use super::reader::{Ledger, Reader};
use super::writer::{with_group_writer, write_corpus_tables, DocumentTables};
use crate::error::{Error, Result};
use crate::sinks::manifest::{
    self, CacheInfo, InputSummary, Manifest, PipelineInfo, ShardInfo, StageInfo,
};
use crate::sinks::staging::Staging;
use crate::stages::aggregate::{Catalog, CorpusCounts, Totals};
use crate::stages::ingest;

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
struct Analysed {
    totals: Totals,
    /// Files no reader takes, by extension; records read that are not articles, by kind.
    skipped_files: BTreeMap<String, u64>,
    skipped_records: BTreeMap<String, u64>,
    ledger: Ledger,
    /// Rows written per table so far.
    rows: BTreeMap<String, u64>,
    documents: u64,
    mentions: u64,
    /// Bytes of decoded text in the documents.
    bytes: u64,
    times: StageTimes,
    aggregate_time: Duration,
    reused: u64,
}

fn run_in_pool(settings: &Settings) -> Result<RunSummary> {
    let started_at = chrono::Utc::now();
    let wall = Instant::now();
    let walk = ingest::walk(&settings.input)?;
    info!(input = %settings.input.path.display(), "reading input");
    let staging = Staging::create(&settings.output)?;
    let mut analyser = Analyser::new(settings)?;
    if let Some(documents) = nothing_new(settings, &analyser)? {
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
    let mut analysed = read_and_analyse(settings, walk, dir, &mut analyser)?;
    let inputs_file = analysed.ledger.finish()?;

    let t = Instant::now();
    let catalog = Catalog::of(&analysed.totals, &settings.lexicon);
    write_corpus_tables(
        dir,
        settings.format,
        &analysed.totals,
        &catalog,
        &analysed.ledger.rejects,
        &mut analysed.rows,
    )?;
    if settings.shard.is_some() {
        let counts = CorpusCounts {
            totals: std::mem::take(&mut analysed.totals),
            catalog,
        };
        counts.write(dir)?;
    }
    analysed.aggregate_time += t.elapsed();

    let manifest = run_manifest(settings, &analysed, started_at, dir);
    manifest.write(&dir.join("manifest.json"), &inputs_file)?;
    std::fs::remove_file(&inputs_file)
        .map_err(|e| Error::io(format!("removing {}", inputs_file.display()), e))?;
    if settings.report {
        crate::report::write_report(dir)?;
    }
    staging.commit()?;
    log_cache_use(settings, &analyser, &analysed);
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
/// tables and folds the corpus totals, in input order.
fn read_and_analyse(
    settings: &Settings,
    walk: ingest::Walk,
    dir: &Path,
    analyser: &mut Analyser,
) -> Result<Analysed> {
    let progress = Progress::new(settings);
    let mut ledger = Ledger::new(dir)?;
    let mut totals = Totals::default();
    let tables = DocumentTables::create(dir, settings.format)?;
    let (mut bytes, mut aggregate_time) = (0u64, Duration::ZERO);
    // Reading runs on a thread of its own, one batch ahead of the analysis.
    let (sender, batches) = std::sync::mpsc::sync_channel(1);
    let (written, skipped) = std::thread::scope(|scope| {
        let reading = std::thread::Builder::new()
            .name("newsetl-read".into())
            .spawn_scoped(scope, || Reader::new(settings, walk).send_batches(sender))
            .map_err(|e| Error::io("starting the reader thread".to_string(), e))?;
        let written = with_group_writer(tables, &settings.lexicon, settings.batch_size, |writer| {
            for batch in &batches {
                analyser.times.ingest += batch.took;
                ledger.record(batch.events);
                let outcomes = analyser.analyse(batch.records)?;
                let t = Instant::now();
                for outcome in outcomes {
                    match outcome {
                        Ok((doc, counts)) => {
                            bytes += doc.doc.text.len() as u64;
                            ledger.document(&doc.doc.meta.source);
                            totals.add(&counts);
                            writer.push((doc, counts))?;
                        }
                        Err(r) => ledger.reject(r),
                    }
                }
                aggregate_time += t.elapsed();
                let rejects = ledger.rejects.len();
                debug!(documents = writer.documents, rejects, "batch written");
                progress.update(batch.bytes_opened, writer.documents, rejects);
                // Every input but the one being read is complete.
                ledger.flush(1)?;
            }
            writer.finish()?;
            Ok(writer.documents)
        });
        // On an error the receiver goes first, so the reader stops at its next batch.
        drop(batches);
        let skipped = reading
            .join()
            .map_err(|_| Error::Run("the reader thread panicked".into()))?;
        Ok::<_, Error>((written?, skipped))
    })?;
    let (tables, documents) = written;
    progress.finish();
    let mentions = tables.mentions_written;
    debug_assert_eq!(documents, tables.documents_written);
    aggregate_time += tables.time;
    let rows = tables
        .finish()?
        .into_iter()
        .map(|(name, n)| (name.to_string(), n))
        .collect();
    let (skipped_files, skipped_records) = skipped;
    log_skipped(&skipped_files, &skipped_records);
    Ok(Analysed {
        totals,
        skipped_files,
        skipped_records,
        ledger,
        rows,
        documents,
        mentions,
        bytes,
        times: analyser.times,
        aggregate_time,
        reused: analyser.reused,
    })
}

/// The manifest of a finished run.
fn run_manifest(
    settings: &Settings,
    a: &Analysed,
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

fn log_cache_use(settings: &Settings, analyser: &Analyser, a: &Analysed) {
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
            "incremental: reused cached documents"
        );
    }
}

/// In an incremental run whose previous output exists: whether the input is exactly what the
/// cache holds (same records, none rejected, none removed), in which case the previous output
/// is already right. Returns the number of documents then.
fn nothing_new(settings: &Settings, analyser: &Analyser) -> Result<Option<u64>> {
    let Some(cache) = analyser.old_cache() else {
        return Ok(None);
    };
    if !settings.output.join("manifest.json").is_file() {
        return Ok(None);
    }
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

fn stage(name: &str, time: Duration, items_in: u64, items_out: u64) -> StageInfo {
    StageInfo {
        name: name.into(),
        seconds: time.as_secs_f64(),
        items_in,
        items_out,
    }
}
