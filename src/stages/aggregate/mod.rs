//! Aggregate: turn analysed documents into tables.
//!
//! Per-document tables (`documents`, `mentions`, `doc_entities`) are built batch by batch and
//! streamed to the sinks. Corpus-wide counts are computed per document ([`DocCounts`], in
//! parallel), folded into [`Totals`] in document order, and turned into the `figures`,
//! `places`, `terms`, `organizations` and `cooccurrence` tables once at the end. [`Totals`]
//! merge, so batches, threads and shards all use the same counting code. The polars tables
//! are built in [`tables`].

#[cfg(feature = "tables")]
pub mod tables;
#[cfg(feature = "tables")]
pub use tables::*;

use std::collections::HashMap;

use crate::lexicon::{EntityId, Kind, Lexicon};
use crate::model::AnalyzedDocument;

/// Counts of one document: mentions per entity and sentences per co-occurring pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocCounts {
    /// `(entity, mentions)`, sorted by entity id.
    pub entities: Vec<(EntityId, u64)>,
    /// `((a, b), sentences)` with `a < b`, sorted; organisations are left out.
    pub pairs: Vec<((EntityId, EntityId), u64)>,
    /// `(candidate, occurrences, example sentence)` of names discovery left unresolved.
    #[serde(default)]
    pub candidates: Vec<(String, u64, String)>,
}

/// Counts one document.
pub fn count(doc: &AnalyzedDocument, lexicon: &Lexicon) -> DocCounts {
    let mut entities: Vec<(EntityId, u64)> = Vec::new();
    let mut ids: Vec<EntityId> = doc.mentions.iter().map(|m| m.entity).collect();
    ids.sort_unstable();
    for id in ids {
        match entities.last_mut() {
            Some((last, n)) if *last == id => *n += 1,
            _ => entities.push((id, 1)),
        }
    }

    let mut pairs: Vec<(EntityId, EntityId)> = Vec::new();
    let mut sentence_entities: Vec<EntityId> = Vec::new();
    for sentence in doc.mentions.chunk_by(|a, b| a.sentence == b.sentence) {
        sentence_entities.clear();
        sentence_entities.extend(
            sentence
                .iter()
                .map(|m| m.entity)
                .filter(|&e| lexicon.entity(e).kind != Kind::Organization),
        );
        sentence_entities.sort_unstable();
        sentence_entities.dedup();
        for (i, &a) in sentence_entities.iter().enumerate() {
            for &b in &sentence_entities[i + 1..] {
                pairs.push((a, b));
            }
        }
    }
    pairs.sort_unstable();
    let mut counted: Vec<((EntityId, EntityId), u64)> = Vec::new();
    for pair in pairs {
        match counted.last_mut() {
            Some((last, n)) if *last == pair => *n += 1,
            _ => counted.push((pair, 1)),
        }
    }
    // Occurrences of each candidate: every free occurrence of the name in the text is
    // counted once per document here (the first example is kept).
    let candidates = doc
        .candidates
        .iter()
        .map(|(name, example)| (name.clone(), 1, example.clone()))
        .collect();
    DocCounts {
        entities,
        pairs: counted,
        candidates,
    }
}

/// Mentions and documents of one entity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntityTotal {
    pub mentions: u64,
    pub documents: u64,
}

/// Sentences and documents shared by a pair of entities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairTotal {
    pub sentences: u64,
    pub documents: u64,
}

/// A name left unresolved: in how many documents, and the smallest example sentence (the
/// smallest, not the first, so that shards merge to the same table).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateTotal {
    pub documents: u64,
    pub example: String,
}

/// Corpus-wide counts, folded from [`DocCounts`].
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub entities: HashMap<EntityId, EntityTotal>,
    pub pairs: HashMap<(EntityId, EntityId), PairTotal>,
    pub candidates: HashMap<String, CandidateTotal>,
}

impl Totals {
    /// Adds one document's counts.
    pub fn add(&mut self, counts: &DocCounts) {
        for &(id, n) in &counts.entities {
            let total = self.entities.entry(id).or_default();
            total.mentions += n;
            total.documents += 1;
        }
        for &(pair, n) in &counts.pairs {
            let total = self.pairs.entry(pair).or_default();
            total.sentences += n;
            total.documents += 1;
        }
        for (name, n, example) in &counts.candidates {
            let total = self.candidates.entry(name.clone()).or_default();
            total.documents += n;
            if total.example.is_empty() || *example < total.example {
                total.example = example.clone();
            }
        }
    }

    /// Adds another set of totals (from another batch or shard).
    pub fn merge(&mut self, other: Totals) {
        for (id, t) in other.entities {
            let total = self.entities.entry(id).or_default();
            total.mentions += t.mentions;
            total.documents += t.documents;
        }
        for (pair, t) in other.pairs {
            let total = self.pairs.entry(pair).or_default();
            total.sentences += t.sentences;
            total.documents += t.documents;
        }
        for (name, t) in other.candidates {
            let total = self.candidates.entry(name).or_default();
            total.documents += t.documents;
            if total.example.is_empty() || t.example < total.example {
                total.example = t.example;
            }
        }
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
