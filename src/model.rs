//! The typed records that flow between stages. Each stage takes one of these and returns the
//! next, so the flow of the pipeline can be read from the types alone:
//!
//! [`SourceDocument`] (ingest) → [`CleanDocument`] (clean) → [`TokenizedDocument`] (tokenize)
//! → [`AnalyzedDocument`] (entities) → tables (aggregate).
//!
//! Offsets inside the pipeline are byte offsets into `CleanDocument::text`, which is what Rust
//! string slicing needs; the sinks convert them to Unicode code points for the tables.

use std::borrow::Cow;
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lexicon::{Discovered, EntityId, Method, SenseId};

/// Where a document came from and how it was read; carried unchanged to the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Stable identifier: a file's path relative to the input root without its extension, a
    /// record's own id field, a TREC DOCNO, or `path#line`.
    pub doc_id: String,
    /// Path of the file that held the record, relative to the input root.
    pub source: String,
    /// Where in the file (`line 3`); empty for a one-article file.
    pub record: String,
    /// Publication date, when the input carries one.
    pub published: Option<NaiveDate>,
    /// The encoding the text was decoded from (`UTF-8`, `windows-1252`, ...).
    pub encoding: Cow<'static, str>,
    /// Repairs made while reading, `;`-separated (`invalid_utf8_replaced`, ...); empty if none.
    pub flags: String,
    /// The page's canonical URL (web pages and WARC records).
    #[serde(default)]
    pub url: Option<String>,
    /// The author, where a web page names one.
    #[serde(default)]
    pub author: Option<String>,
}

impl DocMeta {
    /// The metadata of a UTF-8 document read whole from `source`, with nothing repaired.
    pub fn new(doc_id: impl Into<String>, source: impl Into<String>) -> Self {
        DocMeta {
            doc_id: doc_id.into(),
            source: source.into(),
            record: String::new(),
            published: None,
            encoding: Cow::Borrowed("UTF-8"),
            flags: String::new(),
            url: None,
            author: None,
        }
    }
}

/// One input record that was read and decoded: the output of ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDocument {
    pub meta: DocMeta,
    /// The decoded text, exactly as read.
    pub text: String,
    /// A headline that the input gave separately (JSON/CSV `title`, TREC `<HEADLINE>`).
    pub title: Option<String>,
    /// An outlet that the input named (JSON/CSV `source` field).
    pub outlet: Option<String>,
    /// A web page's site name: the outlet when neither the input nor the pipeline names one.
    pub site_name: Option<String>,
}

/// A record that could not become a document, and why. Every input record ends either as a
/// document or as one of these, so nothing is lost silently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    /// Path of the file, relative to the input root (or as given when it is outside it).
    pub source: String,
    /// Which record of the file: empty for a whole file, `line N` for a line-oriented format.
    pub record: String,
    /// The reason, in plain words.
    pub reason: String,
}

/// A document after boilerplate removal and normalisation: the output of clean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanDocument {
    pub meta: DocMeta,
    /// Outlet recognised by the pipeline's rules (e.g. `Los Angeles Times`).
    pub outlet: Option<String>,
    /// The headline: the first paragraph that is neither boilerplate nor a dateline paragraph.
    pub headline: Option<String>,
    /// The first dateline place as written (`PARIS`, `WASHINGTON`).
    pub dateline: Option<String>,
    /// Cleaned text (NFC, straight quotes, paragraphs separated by a blank line).
    pub text: String,
}

impl CleanDocument {
    /// A cleaned document of `text` alone, without outlet, headline or dateline.
    pub fn from_text(meta: DocMeta, text: impl Into<String>) -> Self {
        CleanDocument {
            meta,
            outlet: None,
            headline: None,
            dateline: None,
            text: text.into(),
        }
    }
}

/// A word or number in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// A document split into sentences and tokens: the output of tokenize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizedDocument {
    pub doc: CleanDocument,
    /// Byte ranges of the sentences, in order, covering every token.
    pub sentences: Vec<Range<usize>>,
    /// Word and number tokens, in order (punctuation is not a token).
    pub tokens: Vec<Token>,
}

impl TokenizedDocument {
    /// Index of the sentence that contains byte offset `at` (the last sentence starting at or
    /// before it).
    pub fn sentence_of(&self, at: usize) -> usize {
        self.sentences
            .partition_point(|s| s.start <= at)
            .saturating_sub(1)
    }
}

/// One occurrence of a lexicon entity in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Index of the sentence, from 0.
    pub sentence: u32,
    /// Byte offset of the surface form in `CleanDocument::text`.
    pub start: usize,
    /// Byte offset one past the surface form.
    pub end: usize,
    pub entity: EntityId,
    pub method: Method,
    /// The sense of a policy term's mention (`None` for other kinds and for terms without
    /// senses), and what decided it.
    #[serde(default)]
    pub sense: Option<(SenseId, SenseEvidence)>,
}

/// What decided a term mention's sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SenseEvidence {
    /// A cue of the sense file (its index in [`crate::lexicon::SenseNames::cues`]).
    Cue(u32),
    /// The document's other mentions of the term (one sense per article).
    Document,
    /// A `sentence` cue of the sentence before or after, or else of the whole article, when
    /// neither the term's sentence nor the document's other mentions of it decided (its
    /// index in [`crate::lexicon::SenseNames::cues`]).
    Context(u32),
    /// Nothing decided: the sense is `unknown`.
    Nothing,
}

/// A document with its mentions: the output of the entities stage, input of aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzedDocument {
    pub doc: CleanDocument,
    pub n_sentences: u32,
    pub n_tokens: u32,
    /// Mentions sorted by offset; no two overlap.
    pub mentions: Vec<Mention>,
    /// The discovered entities that `mentions` refer to: the lexicon stays unchanged, and the
    /// corpus totals fold these in input order.
    #[serde(default)]
    pub discovered: Discovered,
    /// Capitalised names that discovery could neither resolve nor dismiss, with the sentence
    /// of their first occurrence: material for curating lexicons.
    #[serde(default)]
    pub candidates: Vec<(String, String)>,
    /// One-word names that the document leaves undecided and that none of its people has as
    /// surname: the run's other documents may name that person in full
    /// ([`crate::stages::aggregate::surnames`]).
    #[serde(default)]
    pub open_names: Vec<OpenName>,
    /// People named in full here with evidence of a person beyond a reporting verb (a title
    /// or role, a first name, a nationality): another article may link the same name left
    /// undecided there to them.
    #[serde(default)]
    pub evidenced: Vec<EntityId>,
}

/// A one-word name left undecided in its document (`Yeltsin` in an article that never gives
/// the full name), and where it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenName {
    pub word: String,
    /// `(sentence, start, end)` of each occurrence, byte offsets as in [`Mention`], in order.
    pub spans: Vec<(u32, usize, usize)>,
    /// Whether the word is also a first name (`Clinton`, `David`).
    #[serde(default)]
    pub first_name: bool,
}
