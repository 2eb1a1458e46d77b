//! Analysed documents parked in the staging directory while the rest of the corpus is read:
//! with `[discovery] link_surnames` the rows of `mentions` and `doc_entities` depend on the
//! whole corpus (a surname that another article gives in full,
//! [`crate::stages::aggregate::surnames`]), so those tables are written in a second pass over
//! this file. Memory stays at one document: the file is written and read in input order, one
//! length-prefixed bincode entry after another.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::stages::aggregate::{DocCounts, DocResult};

const CONFIG: bincode::config::Configuration = bincode::config::standard();

/// The file documents are parked in, being written.
pub struct Spill {
    path: PathBuf,
    writer: BufWriter<File>,
    /// The entry being encoded (kept to reuse its allocation).
    entry: Vec<u8>,
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
            entry: Vec::new(),
            documents: 0,
        })
    }

    /// Parks one document with what its linked tables need: its corpus counts are folded
    /// already, so of its counts only the entities' are kept.
    pub fn push(&mut self, (doc, counts): &DocResult) -> Result<()> {
        self.entry.clear();
        bincode::serde::encode_into_std_write((doc, &counts.entities), &mut self.entry, CONFIG)
            .map_err(|e| {
                Error::Run(format!(
                    "encoding a document for {}: {e}",
                    self.path.display()
                ))
            })?;
        let length = self.entry.len() as u64;
        self.writer
            .write_all(&length.to_le_bytes())
            .and_then(|()| self.writer.write_all(&self.entry))
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
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
            entry: Vec::new(),
            left: self.documents,
        })
    }
}

/// The parked documents, read back in order; the file is removed after the last.
pub struct Parked {
    path: PathBuf,
    reader: BufReader<File>,
    entry: Vec<u8>,
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
        Some(self.read_entry())
    }
}

impl Parked {
    /// Reads the next entry: its length, then its bytes, decoded from memory.
    fn read_entry(&mut self) -> Result<DocResult> {
        let damaged =
            |e: &dyn std::fmt::Display| Error::Run(format!("reading {}: {e}", self.path.display()));
        let mut length = [0u8; 8];
        self.reader
            .read_exact(&mut length)
            .map_err(|e| damaged(&e))?;
        self.entry.resize(u64::from_le_bytes(length) as usize, 0);
        self.reader
            .read_exact(&mut self.entry)
            .map_err(|e| damaged(&e))?;
        let parked: std::result::Result<((_, _), usize), _> =
            bincode::serde::decode_from_slice(&self.entry, CONFIG);
        parked
            .map(|((doc, entities), _)| {
                let counts = DocCounts {
                    entities,
                    ..DocCounts::default()
                };
                (doc, counts)
            })
            .map_err(|e| damaged(&e))
    }
}
