//! Analysed documents parked in the staging directory while the rest of the corpus is read:
//! with `[discovery] link_surnames` the rows of `mentions` and `doc_entities` depend on the
//! whole corpus (a surname that another article gives in full,
//! [`crate::stages::aggregate::surnames`]), so those tables are written in a second pass over
//! this file. Memory stays at one document: the file is written and read in input order, one
//! length-prefixed bincode entry after another.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::sinks::framed;
use crate::stages::aggregate::{DocCounts, DocResult};

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
        let entry = (doc, &counts.entities);
        framed::write_entry(&mut self.writer, &entry, &mut self.entry, &self.path)?;
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
    /// Reads the next entry: the document and its entities' counts.
    fn read_entry(&mut self) -> Result<DocResult> {
        let parked = framed::read_entry(&mut self.reader, &mut self.entry, &self.path)?;
        let (doc, entities) = parked.ok_or_else(|| {
            Error::Run(format!(
                "{}: fewer documents than parked",
                self.path.display()
            ))
        })?;
        let counts = DocCounts {
            entities,
            ..DocCounts::default()
        };
        Ok((doc, counts))
    }
}
