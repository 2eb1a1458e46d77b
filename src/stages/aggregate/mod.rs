//! Aggregate: turn analysed documents into tables.
//!
//! Per-document tables (`documents`, `mentions`, `doc_entities`) are built group by group and
//! streamed to the sinks. Corpus-wide counts are computed per document ([`DocCounts`], in
//! parallel) and folded into [`Totals`] by one function, [`Totals::fold`], whether the part
//! is a document, a cached document or a whole shard; the corpus tables are built from the
//! totals once at the end, with a [`Catalog`] of the entities they name. Every table, its
//! columns, key and order are listed once, in [`registry`].

pub mod pairs;
#[cfg(feature = "tables")]
pub mod registry;
pub mod surnames;
#[cfg(feature = "tables")]
pub mod tables;
#[cfg(feature = "tables")]
pub use tables::*;

use foldhash::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lexicon::{
    Discovered, Entity, EntityId, Geo, Kind, Lexicon, Names, SenseId, SenseNames,
};
use crate::model::AnalyzedDocument;

/// An analysed document with its counts: what the per-document stages produce for one
/// record, and what the incremental cache keeps.
pub type DocResult = (AnalyzedDocument, DocCounts);

/// Counts of one document: mentions per entity and sentences per co-occurring pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocCounts {
    /// `(entity, mentions)`, sorted by entity id.
    pub entities: Vec<(EntityId, u64)>,
    /// `((a, b), sentences)` with `a < b`, sorted; organisations are left out.
    pub pairs: Vec<((EntityId, EntityId), u64)>,
    /// `(candidate, occurrences, example sentence)` of names discovery left unresolved.
    #[serde(default)]
    pub candidates: Vec<(String, u64, String)>,
    /// The discovered entities that `entities` refers to.
    #[serde(default)]
    pub discovered: Discovered,
    /// `((term, sense), mentions)` of terms with senses, every sense; sorted. (`entities` and
    /// `pairs` count a term's mentions in its policy sense only.)
    #[serde(default)]
    pub term_senses: Vec<((EntityId, SenseId), u64)>,
    /// The document's open words (one-word names left undecided), by word.
    #[serde(default)]
    pub open: Vec<surnames::OpenCount>,
    /// People named in full with evidence beyond a reporting verb, sorted.
    #[serde(default)]
    pub evidenced: Vec<EntityId>,
}

/// Counts one document.
pub fn count(doc: &AnalyzedDocument, lexicon: &Lexicon) -> DocCounts {
    let names = Names::new(lexicon, &doc.discovered);
    let senses = &lexicon.senses;
    // Mentions that count as their entity: all but a term's mentions in another sense.
    let counted = |m: &&crate::model::Mention| senses.counts(m.entity, m.sense.map(|s| s.0));
    let mut ids: Vec<EntityId> = doc
        .mentions
        .iter()
        .filter(counted)
        .map(|m| m.entity)
        .collect();
    ids.sort_unstable();
    let entities = run_lengths(ids);
    let mut sensed: Vec<(EntityId, SenseId)> = doc
        .mentions
        .iter()
        .filter_map(|m| m.sense.map(|(sense, _)| (m.entity, sense)))
        .collect();
    sensed.sort_unstable();

    let mut pairs: Vec<(EntityId, EntityId)> = Vec::new();
    let mut sentence_entities: Vec<EntityId> = Vec::new();
    // The sentences that open words occur in: their entities and open words.
    let mut open_sentences: std::collections::BTreeMap<u32, (Vec<EntityId>, Vec<EntityId>)> =
        std::collections::BTreeMap::new();
    for open in &doc.open_names {
        for span in &open.spans {
            let members = &mut open_sentences.entry(span.0).or_default().1;
            members.push(surnames::open_id(&open.word));
        }
    }
    for sentence in doc.mentions.chunk_by(|a, b| a.sentence == b.sentence) {
        sentence_entities.clear();
        sentence_entities.extend(
            sentence
                .iter()
                .filter(counted)
                .map(|m| m.entity)
                .filter(|&e| names.entity(e).kind != Kind::Organization),
        );
        sentence_entities.sort_unstable();
        sentence_entities.dedup();
        for (i, &a) in sentence_entities.iter().enumerate() {
            for &b in &sentence_entities[i + 1..] {
                pairs.push((a, b));
            }
        }
        if let Some(members) = open_sentences.get_mut(&sentence[0].sentence) {
            members.0.extend_from_slice(&sentence_entities);
        }
    }
    // Open words share their sentences as stand-ins until the corpus links them.
    for (entities, mut members) in open_sentences.into_values() {
        members.extend(entities);
        members.sort_unstable();
        members.dedup();
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                if surnames::is_open_id(a) || surnames::is_open_id(b) {
                    pairs.push((a, b));
                }
            }
        }
    }
    pairs.sort_unstable();
    // Each candidate counts once per document (the first example is kept).
    let candidates = doc
        .candidates
        .iter()
        .map(|(name, example)| (name.clone(), 1, example.clone()))
        .collect();
    DocCounts {
        entities,
        pairs: run_lengths(pairs),
        candidates,
        discovered: doc.discovered.clone(),
        term_senses: run_lengths(sensed),
        open: surnames::count_open(doc),
        evidenced: doc.evidenced.clone(),
    }
}

/// Sorted items with how often each occurs.
fn run_lengths<T: PartialEq>(sorted: Vec<T>) -> Vec<(T, u64)> {
    let mut counted: Vec<(T, u64)> = Vec::new();
    for item in sorted {
        match counted.last_mut() {
            Some((last, n)) if *last == item => *n += 1,
            _ => counted.push((item, 1)),
        }
    }
    counted
}

/// Mentions and documents of one entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityTotal {
    pub mentions: u64,
    pub documents: u64,
}

/// Sentences and documents shared by a pair of entities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PairTotal {
    pub sentences: u64,
    pub documents: u64,
}

/// A name left unresolved: in how many documents, and the smallest example sentence (the
/// smallest, not the first, so that any split of the corpus folds to the same table).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateTotal {
    pub documents: u64,
    pub example: String,
}

/// Corpus-wide counts: a fold of [`DocCounts`] or of other totals.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    pub entities: HashMap<EntityId, EntityTotal>,
    pub pairs: HashMap<(EntityId, EntityId), PairTotal>,
    pub candidates: HashMap<String, CandidateTotal>,
    /// The discovered entities that the counts refer to.
    pub discovered: Discovered,
    /// Mentions and documents of terms with senses, per sense.
    #[serde(default)]
    pub term_senses: HashMap<(EntityId, SenseId), EntityTotal>,
    /// One-word names left undecided in their documents, until
    /// [`Totals::link_surnames`] links them or leaves them.
    #[serde(default)]
    pub open: HashMap<String, surnames::OpenTotal>,
    /// People named in full somewhere with evidence beyond a reporting verb.
    #[serde(default)]
    pub evidenced: foldhash::HashSet<EntityId>,
}

/// One part of the corpus in the shape [`Totals::fold`] takes.
pub struct Part<'a, E, S, P, C, O>
where
    E: Iterator<Item = (EntityId, EntityTotal)>,
    S: Iterator<Item = ((EntityId, SenseId), EntityTotal)>,
    P: Iterator<Item = ((EntityId, EntityId), PairTotal)>,
    C: Iterator<Item = (&'a str, u64, &'a str)>,
    O: Iterator<Item = (&'a str, std::borrow::Cow<'a, surnames::OpenTotal>)>,
{
    /// People named with evidence beyond a reporting verb.
    pub evidenced: &'a mut dyn Iterator<Item = EntityId>,
    pub entities: E,
    pub term_senses: S,
    pub pairs: P,
    /// `(name, documents, example)`.
    pub candidates: C,
    pub discovered: &'a Discovered,
    /// `(word, totals)` of open words.
    pub open: O,
}

impl Totals {
    /// Folds one part of the corpus into the totals: the one place where counts add up and
    /// the smallest example wins, used for documents, cached documents and shards alike.
    pub fn fold<'a, E, S, P, C, O>(&mut self, part: Part<'a, E, S, P, C, O>)
    where
        E: Iterator<Item = (EntityId, EntityTotal)>,
        S: Iterator<Item = ((EntityId, SenseId), EntityTotal)>,
        P: Iterator<Item = ((EntityId, EntityId), PairTotal)>,
        C: Iterator<Item = (&'a str, u64, &'a str)>,
        O: Iterator<Item = (&'a str, std::borrow::Cow<'a, surnames::OpenTotal>)>,
    {
        for (id, t) in part.entities {
            let total = self.entities.entry(id).or_default();
            total.mentions += t.mentions;
            total.documents += t.documents;
        }
        for (key, t) in part.term_senses {
            let total = self.term_senses.entry(key).or_default();
            total.mentions += t.mentions;
            total.documents += t.documents;
        }
        for (pair, t) in part.pairs {
            let total = self.pairs.entry(pair).or_default();
            total.sentences += t.sentences;
            total.documents += t.documents;
        }
        for (name, documents, example) in part.candidates {
            let total = match self.candidates.get_mut(name) {
                Some(total) => total,
                None => self.candidates.entry(name.to_string()).or_default(),
            };
            total.documents += documents;
            if total.example.is_empty() || example < total.example.as_str() {
                total.example = example.to_string();
            }
        }
        self.discovered.extend(part.discovered);
        self.evidenced.extend(part.evidenced);
        for (word, t) in part.open {
            match self.open.get_mut(word) {
                Some(total) => total.add(&t),
                None => {
                    self.open.insert(word.to_string(), t.into_owned());
                }
            }
        }
    }

    /// Adds one document's counts (each entity, sense and pair in one document).
    pub fn add(&mut self, counts: &DocCounts) {
        let once = |mentions| EntityTotal {
            mentions,
            documents: 1,
        };
        self.fold(Part {
            evidenced: &mut counts.evidenced.iter().copied(),
            entities: counts.entities.iter().map(|&(id, n)| (id, once(n))),
            term_senses: counts.term_senses.iter().map(|&(key, n)| (key, once(n))),
            pairs: counts.pairs.iter().map(|&(pair, sentences)| {
                let documents = 1;
                (
                    pair,
                    PairTotal {
                        sentences,
                        documents,
                    },
                )
            }),
            candidates: counts
                .candidates
                .iter()
                .map(|(name, n, example)| (name.as_str(), *n, example.as_str())),
            discovered: &counts.discovered,
            open: counts
                .open
                .iter()
                .map(|o| (o.word.as_str(), std::borrow::Cow::Owned(o.total()))),
        });
    }

    /// Adds another set of totals (from another shard).
    pub fn merge(&mut self, other: &Totals) {
        self.fold(Part {
            evidenced: &mut other.evidenced.iter().copied(),
            entities: other.entities.iter().map(|(&id, &t)| (id, t)),
            term_senses: other.term_senses.iter().map(|(&key, &t)| (key, t)),
            pairs: other.pairs.iter().map(|(&pair, &t)| (pair, t)),
            candidates: other
                .candidates
                .iter()
                .map(|(name, t)| (name.as_str(), t.documents, t.example.as_str())),
            discovered: &other.discovered,
            open: other
                .open
                .iter()
                .map(|(word, t)| (word.as_str(), std::borrow::Cow::Borrowed(t))),
        });
    }
}

/// The entities that totals name, with their gazetteer data: what the corpus tables need
/// besides the counts. A run takes it from its lexicon; a shard writes it beside its totals
/// so that `merge` needs no pipeline file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    entities: HashMap<EntityId, (Entity, Option<Geo>)>,
    /// The sense names, and each sensed term's policy sense.
    pub senses: SenseNames,
}

impl Catalog {
    /// The entities that `totals` count, looked up in `lexicon` and the discovered ones.
    pub fn of(totals: &Totals, lexicon: &Lexicon) -> Catalog {
        let names = Names::new(lexicon, &totals.discovered);
        let entities = totals
            .entities
            .keys()
            .chain(totals.term_senses.keys().map(|(id, _)| id))
            .map(|&id| (id, (names.entity(id).clone(), names.geo(id).cloned())))
            .collect();
        Catalog {
            entities,
            senses: lexicon.senses.clone(),
        }
    }

    /// Adds the entities of another catalog.
    pub fn merge(&mut self, other: Catalog) {
        for (id, entry) in other.entities {
            self.entities.entry(id).or_insert(entry);
        }
        // Shards of one pipeline share their senses.
        if self.senses.policy.is_empty() {
            self.senses = other.senses;
        }
    }

    /// Every entity with its id.
    pub fn entities(&self) -> impl Iterator<Item = (EntityId, &Entity)> {
        self.entities.iter().map(|(&id, (e, _))| (id, e))
    }

    /// The entity behind an id.
    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities.get(&id).map(|(e, _)| e)
    }

    /// Gazetteer data of a place.
    pub fn geo(&self, id: EntityId) -> Option<&Geo> {
        self.entities.get(&id).and_then(|(_, g)| g.as_ref())
    }
}

/// The corpus counts of a shard, written beside its tables (as [`CORPUS_COUNTS_FILE`]) so
/// that `newsetl merge` folds counts instead of re-adding tables.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CorpusCounts {
    pub totals: Totals,
    pub catalog: Catalog,
}

/// The file of a shard's [`CorpusCounts`].
pub const CORPUS_COUNTS_FILE: &str = "corpus_counts.bin";

impl CorpusCounts {
    /// Writes the counts into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(CORPUS_COUNTS_FILE);
        let bytes = bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| Error::Run(format!("encoding {}: {e}", path.display())))?;
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))
    }

    /// Reads the counts a shard wrote into `dir`.
    pub fn read(dir: &Path) -> Result<CorpusCounts> {
        let path = dir.join(CORPUS_COUNTS_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            Error::Usage(format!(
                "{}: {e} (is it the output of `newsetl run --shard`?)",
                path.display()
            ))
        })?;
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard())
            .map(|(counts, _)| counts)
            .map_err(|e| Error::Usage(format!("{}: damaged corpus counts: {e}", path.display())))
    }
}

/// Converts increasing byte offsets of a text into Unicode code-point offsets (what Python's
/// `str` indexes), walking the text once.
pub struct CodePoints<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl<'t> CodePoints<'t> {
    /// Starts at the beginning of `text`.
    pub fn new(text: &'t str) -> Self {
        CodePoints {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code-point offset of byte offset `byte` (a char boundary). Offsets must not
    /// decrease between calls, except to restart from an earlier one.
    pub fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            *self = CodePoints::new(self.text);
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}
