//! The pipeline: its typed configuration ([`config`]) and the orchestration that runs it.

#[cfg(feature = "tables")]
mod analyse;
#[cfg(feature = "tables")]
pub mod cache;
pub mod config;
#[cfg(feature = "tables")]
mod fold;
#[cfg(feature = "tables")]
pub mod groups;
#[cfg(feature = "tables")]
mod known_files;
#[cfg(feature = "tables")]
mod linked;
#[cfg(feature = "tables")]
mod progress;
#[cfg(feature = "tables")]
mod reader;
#[cfg(feature = "tables")]
mod reuse;
#[cfg(feature = "tables")]
mod run;
#[cfg(feature = "tables")]
mod seen_ids;
#[cfg(feature = "tables")]
mod spill;
#[cfg(feature = "tables")]
mod writer;
#[cfg(feature = "tables")]
pub use run::*;
#[cfg(feature = "tables")]
pub use writer::{write_corpus_tables, CorpusPairs};
