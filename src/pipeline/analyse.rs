//! Analysing: the per-document stages (decode → clean → tokenize → entities → counts) in
//! parallel over a batch, with results taken from and added to the incremental cache.

use std::ops::AddAssign;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tracing::info;

use super::cache::{self, DocFacts};
use super::config::Settings;
use super::known_files;
use super::reuse::{self, OldGroups};
use crate::error::Result;
use crate::model::Reject;
use crate::stages::aggregate::{self, DocResult};
use crate::stages::entities::EntityMatcher;
use crate::stages::ingest::{self, RawRecord};
use crate::stages::{clean, tokenize};

/// Time spent in each per-document stage, summed over threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub ingest: Duration,
    pub clean: Duration,
    pub tokenize: Duration,
    pub entities: Duration,
    pub count: Duration,
}

impl AddAssign for StageTimes {
    fn add_assign(&mut self, o: Self) {
        self.ingest += o.ingest;
        self.clean += o.clean;
        self.tokenize += o.tokenize;
        self.entities += o.entities;
        self.count += o.count;
    }
}

/// What one record became.
pub type Outcome = std::result::Result<Analysed, Reject>;

/// A document analysed now, or found in the incremental cache (and not decoded until a
/// group of documents needs it: [`super::reuse`]).
pub enum Analysed {
    Fresh { key: u128, doc: Box<DocResult> },
    Cached(CachedDoc),
}

/// A document the cache holds: what grouping and the ledger need of it.
pub struct CachedDoc {
    pub key: u128,
    pub doc_id: String,
    pub source: String,
    /// Where in its file (`line 3`), empty for a file of one record.
    pub record: String,
    pub facts: DocFacts,
}

impl Analysed {
    /// The document's cache key.
    pub fn key(&self) -> u128 {
        match self {
            Analysed::Fresh { key, .. } => *key,
            Analysed::Cached(c) => c.key,
        }
    }

    pub fn doc_id(&self) -> &str {
        match self {
            Analysed::Fresh { doc, .. } => &doc.0.doc.meta.doc_id,
            Analysed::Cached(c) => &c.doc_id,
        }
    }

    pub fn source(&self) -> &str {
        match self {
            Analysed::Fresh { doc, .. } => &doc.0.doc.meta.source,
            Analysed::Cached(c) => &c.source,
        }
    }

    /// The document's doc_id, record and cache key, which a later run remembers of its file.
    pub fn known_record(&self) -> (String, String, u128) {
        match self {
            Analysed::Fresh { key, doc } => {
                let meta = &doc.0.doc.meta;
                (meta.doc_id.clone(), meta.record.clone(), *key)
            }
            Analysed::Cached(c) => (c.doc_id.clone(), c.record.clone(), c.key),
        }
    }

    pub fn facts(&self) -> DocFacts {
        match self {
            Analysed::Fresh { doc, .. } => DocFacts::of(doc),
            Analysed::Cached(c) => c.facts,
        }
    }
}

/// One record after all per-document stages (or found in the cache).
pub struct Processed {
    outcome: Outcome,
    times: StageTimes,
    /// The encoded entry of a document analysed in an incremental run.
    encoded: Option<Vec<u8>>,
}

/// Runs the per-document stages; owns the incremental cache of this run.
pub struct Analyser<'s> {
    settings: &'s Settings,
    matcher: EntityMatcher,
    old_cache: Option<Arc<cache::OldCache>>,
    new_cache: Option<cache::NewCache>,
    /// What the caches are valid for.
    stamp: String,
    /// Documents taken from the cache.
    pub reused: u64,
    pub times: StageTimes,
}

impl<'s> Analyser<'s> {
    /// Compiles the matcher and opens the cache of an incremental run.
    pub fn new(settings: &'s Settings) -> Result<Self> {
        let matcher = settings.matcher()?;
        let cache_file = cache::cache_path(&settings.output);
        // What the cache is valid for: the pipeline and everything that shapes the output.
        // (The input format, which `--input-format` may set, decides how files unchanged
        // since the last run were read.)
        let stamp = format!(
            "{} format={:?} report={} shard={:?} input={:?}",
            settings.pipeline_hash,
            settings.format,
            settings.report,
            settings.shard,
            settings.input.format
        );
        let (old_cache, new_cache) = if settings.incremental {
            let old = match cache::OldCache::open(&cache_file, &stamp) {
                Ok(c) => {
                    info!(documents = c.len(), cache = %cache_file.display(), "incremental: using the cache");
                    Some(Arc::new(c))
                }
                Err(why) => {
                    info!(%why, "incremental: processing everything");
                    None
                }
            };
            let new = cache::NewCache::create(&cache_file, &stamp, old.as_deref())?;
            (old, Some(new))
        } else {
            (None, None)
        };
        Ok(Analyser {
            settings,
            matcher,
            old_cache,
            new_cache,
            stamp,
            reused: 0,
            times: StageTimes::default(),
        })
    }

    /// The previous run's cache, when this run is incremental and it could be used.
    pub fn old_cache(&self) -> Option<&Arc<cache::OldCache>> {
        self.old_cache.as_ref()
    }

    /// Whether groups are copied and recorded: not in shard runs that link surnames, which
    /// keep every document's open words for their merge.
    fn groups_kept(&self) -> bool {
        self.settings.incremental
            && !(self.settings.links_surnames() && self.settings.shard.is_some())
    }

    /// The previous run's groups and output, when this run may copy from them; `linked` for
    /// the tables of the second pass of a run that links surnames.
    pub fn old_groups(&self, linked: bool) -> Option<Arc<OldGroups>> {
        self.old_cache.as_ref()?;
        if !self.groups_kept() || (linked && !self.settings.links_surnames()) {
            return None;
        }
        let path = reuse::groups_path(&self.settings.output, linked);
        let output = &self.settings.output;
        match OldGroups::open(&path, &self.stamp, output, self.settings.format) {
            Ok(groups) => Some(Arc::new(groups)),
            Err(why) => {
                info!(%why, "incremental: no group of the previous output is copied");
                None
            }
        }
    }

    /// The input files the previous run read whole, when this run may take their records
    /// from the cache without reading them.
    pub fn known_files(&self) -> Option<Arc<dyn crate::stages::ingest::KnownFiles>> {
        let cache = self.old_cache.clone()?;
        let path = known_files::files_path(&self.settings.output);
        match known_files::OldFiles::open(&path, &self.stamp, cache) {
            Ok(files) => Some(Arc::new(files)),
            Err(why) => {
                info!(%why, "incremental: every input file is read");
                None
            }
        }
    }

    /// The list of input files this run writes: incremental runs.
    pub fn new_files(&self) -> Result<Option<known_files::NewFiles>> {
        if !self.settings.incremental {
            return Ok(None);
        }
        let path = known_files::files_path(&self.settings.output);
        known_files::NewFiles::create(&path, &self.stamp).map(Some)
    }

    /// The groups file this run writes (`linked`: of its second pass).
    pub fn group_log(&self, linked: bool) -> Result<Option<reuse::GroupLog>> {
        if !self.groups_kept() || (linked && !self.settings.links_surnames()) {
            return Ok(None);
        }
        let path = reuse::groups_path(&self.settings.output, linked);
        reuse::GroupLog::create(&path, &self.stamp).map(Some)
    }

    /// Runs the per-document stages on a batch in parallel (only reads the analyser, so
    /// that the previous batch can be settled and written meanwhile).
    pub fn process(&self, batch: Vec<(RawRecord, u128)>) -> Vec<Processed> {
        batch
            .into_par_iter()
            .map(|(record, key)| self.process_or_reuse(record, key))
            .collect()
    }

    /// Adds up a processed batch's stage times and keeps its cache entries, in input
    /// order; returns its outcomes.
    pub fn settle(&mut self, processed: Vec<Processed>) -> Result<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(processed.len());
        for item in processed {
            self.times += item.times;
            if let Some(cache) = self.new_cache.as_mut() {
                match (&item.outcome, &item.encoded, &self.old_cache) {
                    (Ok(Analysed::Cached(c)), _, Some(old)) => {
                        self.reused += 1;
                        cache.keep(old, c.key)?;
                    }
                    (Ok(fresh), Some(bytes), _) => cache.add(fresh.key(), fresh.facts(), bytes)?,
                    _ => {}
                }
            }
            outcomes.push(item.outcome);
        }
        Ok(outcomes)
    }

    fn process_or_reuse(&self, record: RawRecord, key: u128) -> Processed {
        if let Some(facts) = self.old_cache.as_ref().and_then(|c| c.facts(key)) {
            let cached = CachedDoc {
                key,
                doc_id: record.doc_id,
                source: record.source,
                record: record.record,
                facts,
            };
            return Processed {
                outcome: Ok(Analysed::Cached(cached)),
                times: StageTimes::default(),
                encoded: None,
            };
        }
        let (outcome, times) = process(record, self.settings, &self.matcher);
        let encoded = match &outcome {
            Ok(entry) if self.settings.incremental => Some(cache::encode(entry)),
            _ => None,
        };
        Processed {
            outcome: outcome.map(|doc| Analysed::Fresh {
                key,
                doc: Box::new(doc),
            }),
            times,
            encoded,
        }
    }

    /// Keeps the cache this run wrote (after the output was committed).
    pub fn commit_cache(self) -> Result<()> {
        match self.new_cache {
            Some(cache) => cache.commit(),
            None => Ok(()),
        }
    }
}

/// Runs decode → clean → tokenize → entities → counting on one record.
fn process(
    record: RawRecord,
    settings: &Settings,
    matcher: &EntityMatcher,
) -> (std::result::Result<DocResult, Reject>, StageTimes) {
    let mut times = StageTimes::default();
    let t = Instant::now();
    let decoded = ingest::decode_record(record, &settings.input.html);
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
