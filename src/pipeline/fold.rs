//! Folding analysed documents in input order, group by group: each group is added to the
//! corpus totals and handed to the tables, copied from the previous output when an
//! incremental run finds it unchanged ([`super::reuse`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::debug;

use super::analyse::{Analysed, Outcome};
use super::cache::OldCache;
use super::config::Settings;
use super::groups::{id_hash, GroupBounds, GroupCutter};
use super::progress::Progress;
use super::reader::Ledger;
use super::reuse::{self, Logged, OldGroups};
use super::spill::{ParkedGroup, Spill};
use super::writer::{GroupJob, GroupWriter};
use crate::error::{Error, Result};
use crate::stages::aggregate::pairs::PairRuns;
use crate::stages::aggregate::surnames::OpenRowsWriter;
use crate::stages::aggregate::{DocResult, Totals};

/// Where the fold hands each analysed document: the table writer, a shard's record of open
/// words for its merge, and the spill of a run that links surnames.
pub(super) struct Sink<'s, 'w> {
    pub writer: &'s mut GroupWriter<'w>,
    pub open_rows: Option<&'s mut OpenRowsWriter>,
    pub spill: Option<&'s mut Spill>,
}

impl Sink<'_, '_> {
    /// Hands over a group of documents with their cache keys; `logged` as in
    /// [`GroupJob::Encode`].
    fn push(&mut self, docs: Vec<(u128, DocResult)>, logged: Option<Logged>) -> Result<()> {
        for (key, doc) in &docs {
            if let Some(rows) = self.open_rows.as_mut() {
                rows.push(&doc.0)?;
            }
            if let Some(spill) = self.spill.as_mut() {
                spill.push(*key, doc)?;
            }
        }
        let docs = docs.into_iter().map(|(_, doc)| doc).collect();
        self.writer.send(GroupJob::Encode { docs, logged })
    }
}

/// The document cached under `key`.
pub(super) fn cached_entry(cache: Option<&Arc<OldCache>>, key: u128) -> Result<DocResult> {
    match cache {
        Some(cache) => cache.entry(key),
        None => Err(Error::Run("a cached document without a cache".into())),
    }
}

/// The open words of documents, sorted and each once: which links across the corpus can
/// change their rows.
pub(super) fn open_words<'a>(docs: impl Iterator<Item = &'a DocResult>) -> Vec<String> {
    let words: std::collections::BTreeSet<&str> = docs
        .flat_map(|(doc, _)| doc.open_names.iter().map(|o| o.word.as_str()))
        .collect();
    words.into_iter().map(String::from).collect()
}

/// What the analysed documents add up to, folded in input order, group by group.
pub(super) struct Folder {
    pub ledger: Ledger,
    pub totals: Totals,
    /// Pairs spilled from `totals` when it holds too many.
    pub pair_runs: PairRuns,
    /// Bytes of document text.
    pub bytes: u64,
    /// Time spent folding.
    pub time: Duration,
    pub grouper: Grouper,
    pub reuse: Reuse,
    pub groups_copied: u64,
    pub groups_written: u64,
}

/// What an incremental run takes from the previous one.
pub(super) struct Reuse {
    /// The documents cached, decoded when a group that holds one is written again.
    pub cache: Option<Arc<OldCache>>,
    /// The groups written, copied when a group holds the same documents.
    pub groups: Option<Arc<OldGroups>>,
    /// Whether each group's totals are recorded for the next run.
    pub logged: bool,
}

/// Collects documents until a group ends ([`super::groups`]).
pub(super) struct Grouper {
    cutter: GroupCutter,
    pending: Vec<Analysed>,
}

impl Grouper {
    pub(super) fn new(settings: &Settings) -> Self {
        Grouper {
            cutter: GroupCutter::new(GroupBounds::for_batch(settings.batch_size)),
            pending: Vec::new(),
        }
    }

    /// Adds a document; returns the group it ends.
    fn push(&mut self, item: Analysed) -> Option<Vec<Analysed>> {
        let ends = self
            .cutter
            .push(id_hash(item.doc_id()), item.facts().n_tokens);
        self.pending.push(item);
        ends.then(|| std::mem::take(&mut self.pending))
    }
}

impl Folder {
    /// Records a batch's outcomes in the ledger and folds every group they end; `opened`
    /// is how many input bytes were read by then.
    pub(super) fn fold(
        &mut self,
        outcomes: Vec<Outcome>,
        sink: &mut Sink,
        progress: &Progress,
        opened: u64,
    ) -> Result<()> {
        let t = Instant::now();
        for outcome in outcomes {
            match outcome {
                Ok(item) => {
                    self.bytes += item.facts().text_bytes;
                    self.ledger.document(item.source(), || item.known_record());
                    if let Some(group) = self.grouper.push(item) {
                        self.fold_group(group, sink)?;
                    }
                }
                Err(r) => self.ledger.reject(r),
            }
        }
        self.time += t.elapsed();
        let rejects = self.ledger.rejects.len();
        debug!(documents = sink.writer.documents, rejects, "batch written");
        progress.update(opened, sink.writer.documents, rejects);
        // Every input but the one being read is complete.
        self.ledger.flush(1)
    }

    /// Folds the last, unfinished group.
    pub(super) fn finish(&mut self, sink: &mut Sink) -> Result<()> {
        let group = std::mem::take(&mut self.grouper.pending);
        if !group.is_empty() {
            self.fold_group(group, sink)?;
        }
        Ok(())
    }

    /// Adds a group to the totals and hands it to the tables: copied from the previous
    /// output when it wrote the same documents as a group, written otherwise.
    fn fold_group(&mut self, group: Vec<Analysed>, sink: &mut Sink) -> Result<()> {
        let key = reuse::group_key(group.iter().map(Analysed::key));
        let all_cached = group.iter().all(|i| matches!(i, Analysed::Cached(_)));
        let previous = self.reuse.groups.as_ref().filter(|_| all_cached);
        if let Some((groups, head)) = previous.and_then(|g| Some((g, g.get(key)?))) {
            let (part, totals) = groups.totals(key)?;
            self.totals.merge(&part);
            if let Some(spill) = sink.spill.as_mut() {
                let keys = group.iter().map(Analysed::key).collect();
                let words = head.open_words.clone();
                spill.push_group(&ParkedGroup { key, keys, words })?;
            }
            let head = head.clone();
            sink.writer.send(GroupJob::Copy { head, totals })?;
            self.groups_copied += 1;
        } else {
            let docs = self.documents_of(group)?;
            let logged = if self.reuse.logged {
                let mut part = Totals::default();
                docs.iter().for_each(|(_, (_, counts))| part.add(counts));
                self.totals.merge(&part);
                let totals = reuse::encode_totals(&part);
                let open_words = open_words(docs.iter().map(|(_, doc)| doc));
                Some(Logged {
                    key,
                    totals,
                    open_words,
                })
            } else {
                docs.iter()
                    .for_each(|(_, (_, counts))| self.totals.add(counts));
                None
            };
            sink.push(docs, logged)?;
            self.groups_written += 1;
        }
        self.pair_runs.spill_if_full(&mut self.totals.pairs)
    }

    /// What the corpus tables are made of, once every group is folded; `links` as in
    /// [`super::run::CorpusInputs`].
    pub(super) fn corpus_inputs<'a>(
        &'a mut self,
        links: Option<&'a crate::stages::aggregate::surnames::SurnameLinks>,
    ) -> super::run::CorpusInputs<'a> {
        super::run::CorpusInputs {
            totals: &mut self.totals,
            pairs_spilled: &mut self.pair_runs,
            links,
            rejects: &self.ledger.rejects,
        }
    }

    /// The analysed documents of a group with their cache keys, the cached ones decoded.
    fn documents_of(&self, group: Vec<Analysed>) -> Result<Vec<(u128, DocResult)>> {
        group
            .into_iter()
            .map(|item| match item {
                Analysed::Fresh { key, doc } => Ok((key, *doc)),
                Analysed::Cached(c) => Ok((c.key, cached_entry(self.reuse.cache.as_ref(), c.key)?)),
            })
            .collect()
    }
}
