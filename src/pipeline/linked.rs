//! The second pass of a run that links surnames across the corpus: the parked documents'
//! `mentions` and `doc_entities`, written once the links are known; in an incremental run,
//! the groups whose documents and links are the last run's are copied from its output.

use std::path::Path;
use std::sync::Arc;

use tracing::info;

use super::cache::OldCache;
use super::config::Settings;
use super::fold::{cached_entry, open_words};
use super::groups::{id_hash, GroupBounds, GroupCutter};
use super::reuse::{self, GroupLog, Logged, OldGroups};
use super::spill::{Parked, ParkedGroup, ParkedItem};
use super::writer::{with_inline_writer, DocumentTables, GroupJob, GroupWriter, TableSet};
use crate::error::Result;
use crate::stages::aggregate::surnames::{link_document, SurnameLinks};
use crate::stages::aggregate::{Catalog, DocResult, Totals};

/// What the second pass of an incremental run that links surnames re-uses: the previous
/// run's groups of linked rows, its cache (for the documents of a group whose links
/// changed), and the groups file it writes.
pub(super) struct SecondPass {
    pub previous: Option<Arc<OldGroups>>,
    pub log: Option<GroupLog>,
    pub cache: Option<Arc<OldCache>>,
}

/// The second pass of a run that links surnames: decides which open words the corpus links
/// to a person, writes the parked documents' `mentions` and `doc_entities` with those links,
/// and folds the links into the totals. In an incremental run, a group whose documents and
/// links are those of a group of the previous run is copied from its output.
pub(super) fn write_linked(
    (settings, dir): (&Settings, &Path),
    parked: Parked,
    totals: &Totals,
    second: SecondPass,
) -> Result<(DocumentTables, SurnameLinks, (u64, u64))> {
    let links = SurnameLinks::of(totals, &Catalog::of(totals, &settings.lexicon));
    info!(words = links.len(), "surnames linked across the corpus");
    let SecondPass {
        previous,
        log,
        cache,
    } = second;
    let logging = log.is_some();
    let tables = DocumentTables::create(dir, settings.format, TableSet::Linked)?
        .with_groups(previous.clone(), log);
    let (tables, counts) = with_inline_writer(tables, &settings.lexicon, |writer| {
        let mut pass = LinkedGroups {
            writer,
            links: &links,
            previous,
            cache,
            logging,
            counts: (0, 0),
        };
        let bounds = GroupBounds::for_batch(settings.batch_size);
        let mut cutter = GroupCutter::new(bounds);
        let mut group = Vec::new();
        for item in parked {
            match item? {
                ParkedItem::Doc(key, doc) => {
                    let ends = cutter.push(id_hash(&doc.0.doc.meta.doc_id), doc.0.n_tokens);
                    group.push((key, *doc));
                    if ends {
                        pass.write(std::mem::take(&mut group))?;
                    }
                }
                ParkedItem::Group(parked_group) => {
                    // A group of the first pass, so one of this pass too.
                    if !group.is_empty() {
                        pass.write(std::mem::take(&mut group))?;
                    }
                    cutter = GroupCutter::new(bounds);
                    pass.copy_or_write(parked_group)?;
                }
            }
        }
        if !group.is_empty() {
            pass.write(group)?;
        }
        Ok(pass.counts)
    })?;
    Ok((tables, links, counts))
}

/// The groups of the second pass, linked and handed to the tables.
struct LinkedGroups<'p, 'w> {
    writer: &'p mut GroupWriter<'w>,
    links: &'p SurnameLinks,
    previous: Option<Arc<OldGroups>>,
    cache: Option<Arc<OldCache>>,
    logging: bool,
    /// Groups copied and written.
    counts: (u64, u64),
}

impl LinkedGroups<'_, '_> {
    /// Links a group's documents and writes them.
    fn write(&mut self, docs: Vec<(u128, DocResult)>) -> Result<()> {
        let logged = self.logging.then(|| {
            let key = reuse::group_key(docs.iter().map(|(key, _)| *key));
            let words = open_words(docs.iter().map(|(_, doc)| doc));
            Logged {
                key: linked_key(key, &words, self.links),
                totals: Vec::new(),
                open_words: words,
            }
        });
        let docs = docs
            .into_iter()
            .map(|(_, (mut doc, mut counts))| {
                link_document(&mut doc, &mut counts, self.links);
                (doc, counts)
            })
            .collect();
        self.counts.1 += 1;
        self.writer.send(GroupJob::Encode { docs, logged })
    }

    /// A group copied in the first pass: its linked rows are copied too when its open words
    /// are linked as in the previous run; otherwise its documents are read from the cache.
    fn copy_or_write(&mut self, group: ParkedGroup) -> Result<()> {
        let key = linked_key(group.key, &group.words, self.links);
        if let Some(head) = self.previous.as_ref().and_then(|p| p.get(key)) {
            let head = head.clone();
            self.counts.0 += 1;
            return self.writer.send(GroupJob::Copy {
                head,
                totals: Vec::new(),
            });
        }
        let docs = group
            .keys
            .iter()
            .map(|&k| Ok((k, cached_entry(self.cache.as_ref(), k)?)))
            .collect::<Result<Vec<_>>>()?;
        self.write(docs)
    }
}

/// The key of a group's linked rows: its documents, and how the corpus links its open words.
fn linked_key(group: u128, words: &[String], links: &SurnameLinks) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&group.to_le_bytes());
    for word in words {
        h.update(&(word.len() as u64).to_le_bytes());
        h.update(word.as_bytes());
        match links.get(word) {
            Some((id, entity)) => {
                h.update(&[1]);
                h.update(&id.to_le_bytes());
                h.update(&[entity.kind as u8]);
                h.update(&(entity.name.len() as u64).to_le_bytes());
                h.update(entity.name.as_bytes());
            }
            None => h.update(&[0]),
        }
    }
    h.digest128()
}
