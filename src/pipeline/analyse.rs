//! Analysing: the per-document stages (decode → clean → tokenize → entities → counts) in
//! parallel over a batch, with results taken from and added to the incremental cache.

use std::ops::AddAssign;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tracing::info;

use super::cache;
use super::config::Settings;
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
pub type Outcome = std::result::Result<DocResult, Reject>;

/// One record after all per-document stages (or taken from the cache).
pub struct Processed {
    outcome: Outcome,
    times: StageTimes,
    /// The cache key and the encoded entry, in incremental runs.
    cached: Option<(u128, Vec<u8>)>,
    reused: bool,
}

/// Runs the per-document stages; owns the incremental cache of this run.
pub struct Analyser<'s> {
    settings: &'s Settings,
    matcher: EntityMatcher,
    old_cache: Option<cache::OldCache>,
    new_cache: Option<cache::NewCache>,
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
        let stamp = format!(
            "{} format={:?} report={} shard={:?}",
            settings.pipeline_hash, settings.format, settings.report, settings.shard
        );
        let (old_cache, new_cache) = if settings.incremental {
            let old = match cache::OldCache::open(&cache_file, &stamp) {
                Ok(c) => {
                    info!(documents = c.len(), cache = %cache_file.display(), "incremental: using the cache");
                    Some(c)
                }
                Err(why) => {
                    info!(%why, "incremental: processing everything");
                    None
                }
            };
            (old, Some(cache::NewCache::create(&cache_file, &stamp)?))
        } else {
            (None, None)
        };
        Ok(Analyser {
            settings,
            matcher,
            old_cache,
            new_cache,
            reused: 0,
            times: StageTimes::default(),
        })
    }

    /// The previous run's cache, when this run is incremental and it could be used.
    pub fn old_cache(&self) -> Option<&cache::OldCache> {
        self.old_cache.as_ref()
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
            self.reused += u64::from(item.reused);
            if let (Some(cache), Some((key, bytes))) = (self.new_cache.as_mut(), &item.cached) {
                cache.add(*key, bytes)?;
            }
            outcomes.push(item.outcome);
        }
        Ok(outcomes)
    }

    fn process_or_reuse(&self, record: RawRecord, key: u128) -> Processed {
        if let Some(bytes) = self.old_cache.as_ref().and_then(|c| c.get(key)) {
            if let Some(entry) = cache::decode(&bytes) {
                return Processed {
                    outcome: Ok(entry),
                    times: StageTimes::default(),
                    cached: Some((key, bytes)),
                    reused: true,
                };
            }
        }
        let (outcome, times) = process(record, self.settings, &self.matcher);
        let cached = match &outcome {
            Ok(entry) if self.settings.incremental => Some((key, cache::encode(entry))),
            _ => None,
        };
        Processed {
            outcome,
            times,
            cached,
            reused: false,
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
) -> (Outcome, StageTimes) {
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
