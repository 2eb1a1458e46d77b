//! Orchestration: stream documents through the stages in bounded batches and write the tables.
//!
//! A batch of input files is read and analysed in parallel (rayon keeps the order of the
//! results), then its `documents`, `mentions` and `doc_entities` rows are appended to the
//! sinks and its counts folded into the corpus totals. Only the totals live until the end, so
//! memory is bounded by one batch plus the number of distinct entities and pairs.
//!
//! Tables are written to a staging directory beside the output and swapped in only when the
//! whole run succeeded, so a failed or killed run leaves the previous output intact.

pub mod config;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tracing::{info, warn};

use crate::error::{Error, Result};
use crate::lexicon::Kind;
use crate::model::{AnalyzedDocument, Reject};
use crate::sinks::manifest::{
    InputSummary, Manifest, PipelineInfo, StageInfo, TableInfo, Tool, MANIFEST_SCHEMA_VERSION,
};
use crate::sinks::{table_files, write_table, TableWriter};
use crate::stages::aggregate::{self, DocCounts, Totals};
use crate::stages::entities::EntityMatcher;
use crate::stages::{clean, ingest, tokenize};
use config::Settings;

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
    "rejects",
];

/// What a finished run reports to its caller.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub output: PathBuf,
    pub documents: u64,
    pub rejects: u64,
    pub manifest: Manifest,
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

/// One input file after all per-document stages.
type Processed = (
    std::result::Result<(AnalyzedDocument, DocCounts), Reject>,
    StageTimes,
    u64,
);

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

fn run_in_pool(settings: &Settings) -> Result<RunSummary> {
    let started_at = chrono::Utc::now();
    let wall = Instant::now();
    let matcher = EntityMatcher::new(&settings.lexicon)?;

    let discovery = ingest::discover(&settings.input, &settings.extensions)?;
    info!(
        input = %settings.input.display(),
        files = discovery.files.len(),
        "found input files"
    );
    let output = &settings.output;
    let staging = Staging::create(output)?;
    let dir = staging.path.as_path();
    let format = settings.format;

    let mut documents = TableWriter::create(
        dir,
        "documents",
        aggregate::documents_table(&[])?.schema(),
        format,
    )?;
    let mut mentions = TableWriter::create(
        dir,
        "mentions",
        aggregate::mentions_table(&[], &settings.lexicon)?.schema(),
        format,
    )?;
    let mut doc_entities = TableWriter::create(
        dir,
        "doc_entities",
        aggregate::doc_entities_table(&[], &[], &settings.lexicon)?.schema(),
        format,
    )?;

    let mut rejects: Vec<Reject> = discovery.rejects;
    let listing_rejects = rejects.len() as u64;
    let mut totals = Totals::default();
    let mut times = StageTimes::default();
    let mut aggregate_time = Duration::ZERO;
    let (mut n_docs, mut n_bytes, mut n_mentions) = (0u64, 0u64, 0u64);

    for batch in discovery.files.chunks(settings.batch_size) {
        let processed: Vec<Processed> = batch
            .par_iter()
            .map(|file| process_file(file, settings, &matcher))
            .collect();
        let t = Instant::now();
        let mut docs = Vec::with_capacity(processed.len());
        let mut counts = Vec::with_capacity(processed.len());
        for (outcome, stage_times, bytes) in processed {
            times += stage_times;
            n_bytes += bytes;
            match outcome {
                Ok((doc, c)) => {
                    totals.add(&c);
                    docs.push(doc);
                    counts.push(c);
                }
                Err(reject) => {
                    warn!(source = %reject.source, reason = %reject.reason, "rejected");
                    rejects.push(reject);
                }
            }
        }
        n_docs += docs.len() as u64;
        n_mentions += docs.iter().map(|d| d.mentions.len() as u64).sum::<u64>();
        documents.write(&mut aggregate::documents_table(&docs)?)?;
        mentions.write(&mut aggregate::mentions_table(&docs, &settings.lexicon)?)?;
        doc_entities.write(&mut aggregate::doc_entities_table(
            &docs,
            &counts,
            &settings.lexicon,
        )?)?;
        aggregate_time += t.elapsed();
    }

    let t = Instant::now();
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    rows.insert("documents".into(), documents.finish()?);
    rows.insert("mentions".into(), mentions.finish()?);
    rows.insert("doc_entities".into(), doc_entities.finish()?);
    let lexicon = &settings.lexicon;
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
        write_table(dir, "rejects", aggregate::rejects_table(&rejects)?, format)?,
    );
    aggregate_time += t.elapsed();

    let n_files = discovery.files.len() as u64;
    let stages = vec![
        stage(
            "ingest",
            times.ingest,
            n_files + listing_rejects,
            n_docs + (rejects.len() as u64 - listing_rejects),
        ),
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
    for r in &rejects {
        let reason = r
            .reason
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        *rejects_by_reason.entry(reason).or_default() += 1;
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
        },
        input: InputSummary {
            path: settings.input.display().to_string(),
            files: n_files,
            bytes: n_bytes,
            records: n_docs + rejects.len() as u64,
            documents: n_docs,
            rejects: rejects.len() as u64,
            rejects_by_reason,
        },
        tables: rows
            .iter()
            .map(|(name, &rows)| {
                let files = table_files(Path::new(""), name, format)
                    .into_iter()
                    .map(|p| p.display().to_string())
                    .collect();
                (name.clone(), TableInfo { rows, files })
            })
            .collect(),
        stages,
    };
    manifest.write(&dir.join("manifest.json"))?;
    staging.commit()?;
    info!(
        output = %output.display(),
        documents = n_docs,
        rejects = rejects.len(),
        seconds = wall.elapsed().as_secs_f64(),
        "run finished"
    );
    Ok(RunSummary {
        output: output.clone(),
        documents: n_docs,
        rejects: rejects.len() as u64,
        manifest,
    })
}

fn stage(name: &str, time: Duration, items_in: u64, items_out: u64) -> StageInfo {
    StageInfo {
        name: name.into(),
        seconds: time.as_secs_f64(),
        items_in,
        items_out,
    }
}

/// Runs ingest → clean → tokenize → entities → counting on one file.
fn process_file(
    file: &ingest::InputFile,
    settings: &Settings,
    matcher: &EntityMatcher,
) -> Processed {
    let mut times = StageTimes::default();
    let t = Instant::now();
    let read = ingest::read_text_file(file);
    times.ingest = t.elapsed();
    let source = match read {
        Ok(doc) => doc,
        Err(reject) => return (Err(reject), times, 0),
    };
    let bytes = source.text.len() as u64;
    let t = Instant::now();
    let cleaned = clean::clean(source, &settings.clean);
    times.clean = t.elapsed();
    let t = Instant::now();
    let tokenized = tokenize::tokenize(cleaned);
    times.tokenize = t.elapsed();
    let t = Instant::now();
    let analyzed = matcher.analyze(tokenized);
    times.entities = t.elapsed();
    let t = Instant::now();
    let counts = aggregate::count(&analyzed, &settings.lexicon);
    times.count = t.elapsed();
    (Ok((analyzed, counts)), times, bytes)
}

/// A directory beside the output where a run writes, renamed over the output on success.
struct Staging {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    fn create(target: &Path) -> Result<Staging> {
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
        let path = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if path.exists() {
            fs::remove_dir_all(&path)
                .map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
        }
        fs::create_dir(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Staging {
            path,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Swaps the staging directory in for the output.
    fn commit(mut self) -> Result<()> {
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
