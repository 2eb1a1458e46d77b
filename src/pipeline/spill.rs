//! Analysed documents parked in the staging directory while the rest of the corpus is read:
//! a document's rows may depend on the whole corpus (a surname that another article gives
//! in full, [`crate::stages::aggregate::surnames`]), so with figure discovery the tables are
//! written in a second pass over this file. Memory stays at one document: the file is
//! written and read in input order, one bincode entry after another.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::stages::aggregate::DocResult;

const CONFIG: bincode::config::Configuration = bincode::config::standard();

/// The file documents are parked in, being written.
pub struct Spill {
    path: PathBuf,
    writer: BufWriter<File>,
    /// Documents written so far.
    pub documents: u64,
}

impl Spill {
    /// Creates the file in `dir` (the staging directory, removed with it).
    pub fn create(dir: &Path) -> Result<Spill> {
        let path = dir.join(".documents.spill");
        let file = File::create(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Spill {
            path,
            writer: BufWriter::with_capacity(1 << 20, file),
            documents: 0,
        })
    }

    /// Parks one document.
    pub fn push(&mut self, doc: &DocResult) -> Result<()> {
        bincode::serde::encode_into_std_write(doc, &mut self.writer, CONFIG)
            .map_err(|e| Error::Run(format!("writing {}: {e}", self.path.display())))?;
        self.documents += 1;
        Ok(())
    }

    /// Ends writing; the documents can then be read back in the order they came.
    pub fn finish(mut self) -> Result<Parked> {
        self.writer
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
        let file = File::open(&self.path)
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?;
        Ok(Parked {
            path: self.path,
            reader: BufReader::with_capacity(1 << 20, file),
            left: self.documents,
        })
    }
}

/// The parked documents, read back in order; the file is removed after the last.
pub struct Parked {
    path: PathBuf,
    reader: BufReader<File>,
    left: u64,
}

impl Iterator for Parked {
    type Item = Result<DocResult>;

    fn next(&mut self) -> Option<Result<DocResult>> {
        if self.left == 0 {
            let _ = std::fs::remove_file(&self.path);
            return None;
        }
        self.left -= 1;
        Some(
            bincode::serde::decode_from_std_read(&mut self.reader, CONFIG)
                .map_err(|e| Error::Run(format!("reading {}: {e}", self.path.display()))),
        )
    }
}
