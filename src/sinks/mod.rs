//! Sinks: where tables go. A [`TableWriter`] writes one table as Parquet and/or CSV, batch by
//! batch, so that documents and mentions stream to disk while the run goes on; the
//! [`manifest`] describes a finished run, and [`staging`] makes the output appear whole or
//! not at all.

#[cfg(feature = "tables")]
pub mod csv;
pub mod framed;
pub mod manifest;
#[cfg(feature = "tables")]
pub mod parquet;
#[cfg(feature = "tables")]
pub mod read;
pub mod staging;
#[cfg(feature = "tables")]
mod table;
#[cfg(feature = "tables")]
pub use table::*;

use serde::Deserialize;

/// Which table formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Parquet,
    Csv,
    #[default]
    Both,
}

impl Format {
    /// Whether Parquet files are written.
    pub fn parquet(self) -> bool {
        matches!(self, Format::Parquet | Format::Both)
    }
    /// Whether CSV files are written.
    pub fn csv(self) -> bool {
        matches!(self, Format::Csv | Format::Both)
    }
}
