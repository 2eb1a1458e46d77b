//! newsetl: a batch ETL that turns a corpus of news articles into analysis-ready tables of the
//! people ("figures"), places and policy terms that the articles mention.
//!
//! The pipeline is a chain of typed stages, each in its own module under [`stages`]:
//!
//! ```text
//! ingest ─▶ RawRecord ─▶ clean ─▶ CleanDocument ─▶ tokenize ─▶ TokenizedDocument
//!        ─▶ entities ─▶ AnalyzedDocument ─▶ aggregate ─▶ tables ─▶ sinks (Parquet, CSV, manifest)
//! ```
//!
//! [`pipeline`] holds the typed pipeline file and the orchestration that streams documents
//! through the stages in bounded batches (rayon inside a batch), and [`sinks`] writes tables.

#[cfg(feature = "tables")]
pub mod diff;
pub mod error;
#[cfg(feature = "tables")]
pub mod eval;
pub mod lexicon;
#[cfg(feature = "tables")]
pub mod merge;
pub mod model;
pub mod pipeline;
#[cfg(all(test, feature = "tables"))]
mod properties;
#[cfg(feature = "tables")]
pub mod report;
pub mod sinks;
pub mod stages;
pub mod wordlist;

pub use error::{Error, Result};
