//! The pipeline: its typed configuration ([`config`]) and the orchestration that runs it.

#[cfg(feature = "tables")]
pub mod cache;
pub mod config;
#[cfg(feature = "tables")]
mod run;
#[cfg(feature = "tables")]
pub use run::*;
