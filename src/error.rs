//! Errors that end a run, each mapped to one documented exit code.
//!
//! Bad *records* never end up here: they become rows of the `rejects` table and the run goes on
//! (see [`crate::model::Reject`]). This type is for what stops the whole run.

use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can stop a run. [`Error::exit_code`] maps each variant to the documented exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pipeline file or a lexicon is malformed; the message names the file and line.
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    /// The command line names something that does not exist or cannot be used.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing failed in a way that stops the run (output directory, disk full, ...).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Building or writing a table failed.
    #[error("writing table {table}: {message}")]
    Table { table: String, message: String },
    /// Building a table in memory failed.
    #[cfg(feature = "tables")]
    #[error("building a table: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    /// `--strict` and some records were rejected (the output was still written).
    #[error("{0} record(s) rejected and --strict is set (see the rejects table)")]
    Strict(u64),
    /// `--strict` and a non-empty input gave no document (the output was still written).
    #[error("no document was read from the input and --strict is set (see skipped_files, skipped_records and rejects in manifest.json)")]
    NothingRead,
    /// Any other failure of the run.
    #[error("{0}")]
    Run(String),
}

impl Error {
    /// Exit code for this error: 2 for usage or configuration errors, 3 for rejects under
    /// `--strict`, 1 for a failed run.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Strict(_) | Error::NothingRead => 3,
            Error::Config { .. } | Error::Usage(_) => 2,
            Error::Io { .. } | Error::Table { .. } | Error::Run(_) => 1,
            #[cfg(feature = "tables")]
            Error::Polars(_) => 1,
        }
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A configuration error in `path`.
    pub fn config(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.into(),
            message: message.into(),
        }
    }
}
