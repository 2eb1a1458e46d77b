//! What an incremental run re-uses of the previous output besides documents: whole groups
//! ([`super::groups`]). For each group of documents a run writes, it records in
//! `.NAME.groups` the group's key (a hash of its documents' cache keys, in order), where its
//! rows went in each per-document table ([`Placed`]) and its folded totals. A later run that
//! meets a group of the same key copies those rows (Parquet pages and CSV bytes, not encoded
//! again) and adds the totals, without reading the documents from the cache.
//!
//! The file ends with the length and modification time of every table file the run wrote;
//! when the output is not exactly what the file describes (edited, removed, written by
//! another run), nothing is copied from it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};
use crate::sinks::{Format, Placed, PreviousTable};
use crate::stages::aggregate::Totals;

const MAGIC: &[u8; 8] = b"NEWSETLG";
const CONFIG: bincode::config::Configuration = bincode::config::standard();

/// The key of a group: its documents' cache keys in order.
pub fn group_key(keys: impl Iterator<Item = u128>) -> u128 {
    let mut h = Xxh3::new();
    for key in keys {
        h.update(&key.to_le_bytes());
    }
    h.digest128()
}

/// One group as a run wrote it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupHead {
    pub key: u128,
    pub documents: u64,
    /// Rows of `mentions` among them.
    pub mentions: u64,
    /// Where its rows went, per table.
    pub places: Vec<(String, Placed)>,
    /// The open words of its documents (one-word names they leave undecided), sorted: which
    /// links across the corpus can change its rows.
    pub open_words: Vec<String>,
    /// Bytes of its encoded totals, which follow the head.
    totals_length: u64,
}

impl GroupHead {
    /// The head of a group just written, with its open words.
    pub fn new(
        key: u128,
        documents: u64,
        places: Vec<(String, Placed)>,
        open_words: Vec<String>,
    ) -> Self {
        let mentions = places
            .iter()
            .find(|(name, _)| name == "mentions")
            .map_or(0, |(_, p)| p.rows);
        GroupHead {
            key,
            documents,
            mentions,
            places,
            open_words,
            totals_length: 0,
        }
    }
}

/// A table file as a run left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    name: String,
    length: u64,
    modified_ns: i128,
}

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<Self> {
        let meta = std::fs::metadata(path)?;
        let modified = meta.modified()?;
        let modified_ns = match modified.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        Ok(FileStamp {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            length: meta.len(),
            modified_ns,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
enum Entry {
    Group(GroupHead),
    Files(Vec<FileStamp>),
}

/// Encodes totals for the groups file.
pub fn encode_totals(totals: &Totals) -> Vec<u8> {
    bincode::serde::encode_to_vec(totals, CONFIG).expect("totals always encode")
}

/// The path of the groups file for an output directory (beside its cache); `linked` for the
/// file of the tables a run that links surnames writes in its second pass.
pub fn groups_path(output: &Path, linked: bool) -> PathBuf {
    let suffix = if linked { "-groups-linked" } else { "-groups" };
    super::cache::suffixed(&super::cache::cache_path(output), suffix)
}

/// What the groups file records of a group written anew: its key, encoded totals (none for
/// the second pass) and open words.
pub struct Logged {
    pub key: u128,
    pub totals: Vec<u8>,
    pub open_words: Vec<String>,
}

/// The groups of the previous run and the tables they were written to.
pub struct OldGroups {
    file: File,
    path: PathBuf,
    heads: HashMap<u128, (GroupHead, u64)>,
    tables: HashMap<String, PreviousTable>,
}

impl OldGroups {
    /// Opens the groups file at `path` if it was written for `stamp` and the output in
    /// `output` is still what that run wrote; otherwise says why not.
    pub fn open(
        path: &Path,
        stamp: &str,
        output: &Path,
        format: Format,
    ) -> std::result::Result<OldGroups, String> {
        let file = File::open(path).map_err(|e| format!("no groups file: {e}"))?;
        let mut reader = BufReader::new(file.try_clone().map_err(|e| e.to_string())?);
        read_header(&mut reader, stamp)?;
        let mut offset = (8 + 8 + stamp.len()) as u64;
        let mut heads = HashMap::new();
        let files = loop {
            let (entry, length) = read_entry(&mut reader)?;
            offset += 8 + length;
            match entry {
                Entry::Group(head) => {
                    let skip = head.totals_length;
                    heads.insert(head.key, (head, offset));
                    reader
                        .seek_relative(skip as i64)
                        .map_err(|e| e.to_string())?;
                    offset += skip;
                }
                Entry::Files(files) => break files,
            }
        };
        let mut tables = HashMap::new();
        for stamp in &files {
            let now = FileStamp::of(&output.join(&stamp.name)).map_err(|e| e.to_string())?;
            if &now != stamp {
                return Err(format!("{} changed since the last run", stamp.name));
            }
            let table = stamp.name.rsplit_once('.').map_or("", |(t, _)| t);
            if !tables.contains_key(table) {
                let previous = PreviousTable::open(output, table, format);
                tables.insert(table.to_string(), previous.map_err(|e| e.to_string())?);
            }
        }
        Ok(OldGroups {
            file,
            path: path.to_path_buf(),
            heads,
            tables,
        })
    }

    /// The group of `key`, if the previous run wrote one.
    pub fn get(&self, key: u128) -> Option<&GroupHead> {
        self.heads.get(&key).map(|(head, _)| head)
    }

    /// The encoded totals of the group of `key`.
    fn totals_bytes(&self, key: u128) -> Result<Vec<u8>> {
        let (head, offset) = self
            .heads
            .get(&key)
            .ok_or_else(|| Error::Run(format!("no group {key:032x}")))?;
        let mut bytes = vec![0u8; head.totals_length as usize];
        self.file
            .read_exact_at(&mut bytes, *offset)
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?;
        Ok(bytes)
    }

    /// The totals of the group of `key`, decoded, and as encoded.
    pub fn totals(&self, key: u128) -> Result<(Totals, Vec<u8>)> {
        let bytes = self.totals_bytes(key)?;
        let (totals, _) = bincode::serde::decode_from_slice(&bytes, CONFIG).map_err(|e| {
            let path = self.path.display();
            Error::Run(format!("{path}: damaged totals of group {key:032x}: {e}"))
        })?;
        Ok((totals, bytes))
    }

    /// The table `name` as the previous run wrote it.
    pub fn table(&self, name: &str) -> Result<&PreviousTable> {
        self.tables
            .get(name)
            .ok_or_else(|| Error::Run(format!("the previous output has no table {name}")))
    }
}

fn read_header(reader: &mut impl Read, stamp: &str) -> std::result::Result<(), String> {
    let mut magic = [0u8; 8];
    reader.read_exact(&mut magic).map_err(|e| e.to_string())?;
    let mut length = [0u8; 8];
    reader.read_exact(&mut length).map_err(|e| e.to_string())?;
    let mut written_for = vec![0u8; u64::from_le_bytes(length) as usize];
    reader
        .read_exact(&mut written_for)
        .map_err(|e| e.to_string())?;
    if &magic != MAGIC || written_for != stamp.as_bytes() {
        return Err("the groups file was written for another pipeline or tool".into());
    }
    Ok(())
}

/// Reads one entry and its encoded length.
fn read_entry(reader: &mut impl Read) -> std::result::Result<(Entry, u64), String> {
    let mut length = [0u8; 8];
    reader
        .read_exact(&mut length)
        .map_err(|e| format!("the groups file is incomplete: {e}"))?;
    let length = u64::from_le_bytes(length);
    let mut bytes = vec![0u8; length as usize];
    reader.read_exact(&mut bytes).map_err(|e| e.to_string())?;
    let (entry, _) =
        bincode::serde::decode_from_slice(&bytes, CONFIG).map_err(|e| e.to_string())?;
    Ok((entry, length))
}

/// The groups file this run writes, beside the output; kept by [`FinishedGroups::commit`]
/// after the output is.
pub struct GroupLog {
    writer: BufWriter<File>,
    temporary: PathBuf,
    path: PathBuf,
}

impl GroupLog {
    /// Starts the groups file for `path`, valid for `stamp`.
    pub fn create(path: &Path, stamp: &str) -> Result<Self> {
        let temporary = super::cache::temporary_for(path);
        let io = |e| Error::io(format!("writing {}", temporary.display()), e);
        let file = File::create(&temporary).map_err(io)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let header = [
            MAGIC.as_slice(),
            &(stamp.len() as u64).to_le_bytes(),
            stamp.as_bytes(),
        ]
        .concat();
        writer.write_all(&header).map_err(io)?;
        Ok(GroupLog {
            writer,
            temporary,
            path: path.to_path_buf(),
        })
    }

    /// Records a group written, with its encoded totals.
    pub fn add(&mut self, mut head: GroupHead, totals: &[u8]) -> Result<()> {
        head.totals_length = totals.len() as u64;
        self.entry(&Entry::Group(head))?;
        let io = |e| Error::io(format!("writing {}", self.temporary.display()), e);
        self.writer.write_all(totals).map_err(io)
    }

    fn entry(&mut self, entry: &Entry) -> Result<()> {
        let bytes = bincode::serde::encode_to_vec(entry, CONFIG).expect("entries always encode");
        let io = |e| Error::io(format!("writing {}", self.temporary.display()), e);
        self.writer
            .write_all(&(bytes.len() as u64).to_le_bytes())
            .and_then(|()| self.writer.write_all(&bytes))
            .map_err(io)
    }

    /// Ends the file with the stamps of the table files the groups were written to.
    pub fn finish(mut self, files: &[PathBuf]) -> Result<FinishedGroups> {
        let stamps = files
            .iter()
            .map(|f| FileStamp::of(f).map_err(|e| Error::io(format!("reading {}", f.display()), e)))
            .collect::<Result<Vec<_>>>()?;
        self.entry(&Entry::Files(stamps))?;
        self.writer
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.temporary.display()), e))?;
        Ok(FinishedGroups {
            // Taken, so that dropping the log does not remove the file.
            temporary: std::mem::take(&mut self.temporary),
            path: self.path.clone(),
        })
    }
}

/// A groups file written, waiting for the output to be committed.
pub struct FinishedGroups {
    temporary: PathBuf,
    path: PathBuf,
}

impl FinishedGroups {
    /// Replaces the previous groups file with this one.
    pub fn commit(self) -> Result<()> {
        std::fs::rename(&self.temporary, &self.path)
            .map_err(|e| Error::io(format!("replacing {}", self.path.display()), e))
    }
}

impl Drop for FinishedGroups {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}

impl Drop for GroupLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}
