//! Analysed documents parked in the staging directory while the rest of the corpus is read:
//! with `[discovery] link_surnames` the rows of `mentions` and `doc_entities` depend on the
//! whole corpus (a surname that another article gives in full,
//! [`crate::stages::aggregate::surnames`]), so those tables are written in a second pass over
//! this file. Memory stays at one document: the file is written and read in input order, one
//! length-prefixed bincode entry after another.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lexicon::EntityId;
use crate::model::AnalyzedDocument;
use crate::sinks::framed;
use crate::stages::aggregate::{DocCounts, DocResult};

/// A group of documents that an incremental run copied from the previous output: its key,
/// its documents' cache keys and its open words, which decide whether its linked rows can be
/// copied too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParkedGroup {
    pub key: u128,
    pub keys: Vec<u128>,
    pub words: Vec<String>,
}

/// What the second pass reads back, in input order.
pub enum ParkedItem {
    /// A document (with its cache key) and its counts.
    Doc(u128, Box<DocResult>),
    Group(ParkedGroup),
}

#[derive(Serialize)]
enum EntryRef<'a> {
    Doc(u128, &'a AnalyzedDocument, &'a [(EntityId, u64)]),
    Group(&'a ParkedGroup),
}

#[derive(Deserialize)]
enum Entry {
    Doc(u128, Box<AnalyzedDocument>, Vec<(EntityId, u64)>),
    Group(ParkedGroup),
}

/// The file documents are parked in, being written.
pub struct Spill {
    path: PathBuf,
    writer: BufWriter<File>,
    /// The entry being encoded (kept to reuse its allocation).
    entry: Vec<u8>,
    /// Entries written so far.
    entries: u64,
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
            entries: 0,
        })
    }

    /// Parks one document with what its linked tables need: its corpus counts are folded
    /// already, so of its counts only the entities' are kept.
    pub fn push(&mut self, key: u128, (doc, counts): &DocResult) -> Result<()> {
        self.write(&EntryRef::Doc(key, doc, &counts.entities))
    }

    /// Parks a group copied from the previous output.
    pub fn push_group(&mut self, group: &ParkedGroup) -> Result<()> {
        self.write(&EntryRef::Group(group))
    }

    fn write(&mut self, entry: &EntryRef) -> Result<()> {
        framed::write_entry(&mut self.writer, entry, &mut self.entry, &self.path)?;
        self.entries += 1;
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
            left: self.entries,
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
    type Item = Result<ParkedItem>;

    fn next(&mut self) -> Option<Result<ParkedItem>> {
        if self.left == 0 {
            let _ = std::fs::remove_file(&self.path);
            return None;
        }
        self.left -= 1;
        Some(self.read_entry())
    }
}

impl Parked {
    /// Reads the next entry: a document and its entities' counts, or a group.
    fn read_entry(&mut self) -> Result<ParkedItem> {
        let parked = framed::read_entry(&mut self.reader, &mut self.entry, &self.path)?;
        let entry = parked.ok_or_else(|| {
            Error::Run(format!(
                "{}: fewer documents than parked",
                self.path.display()
            ))
        })?;
        Ok(match entry {
            Entry::Doc(key, doc, entities) => {
                let counts = DocCounts {
                    entities,
                    ..DocCounts::default()
                };
                ParkedItem::Doc(key, Box::new((*doc, counts)))
            }
            Entry::Group(group) => ParkedItem::Group(group),
        })
    }
}
