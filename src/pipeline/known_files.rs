//! The input files an incremental run read whole, remembered for the next one
//! (`.NAME.cache-files`): each file's stamp (size, times, inode), hash and records (doc_id,
//! record, cache key). A file of the same stamp is not read again: its records are taken as
//! the cache's ([`crate::stages::ingest::KnownFiles`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::cache::{cache_path, encode_value, stamp, suffixed, temporary_for, OldCache};
use crate::error::{Error, Result};
use crate::stages::ingest::{FileStamp, KnownFile, KnownFiles};

/// The path of the known input files for an output directory (beside its cache).
pub fn files_path(output: &Path) -> PathBuf {
    suffixed(&cache_path(output), "-files")
}

const FILES_MAGIC: &[u8; 8] = b"NEWSETLF";
/// Records of one input file beyond which it is not remembered (its records are held until
/// the file is complete).
pub const MAX_KNOWN_RECORDS: usize = 100_000;

/// The input files the last incremental run read whole, with their records' keys: a file of
/// the same stamp is not read again, when the cache still holds every record of it.
pub struct OldFiles {
    /// The whole list, read at once: it is looked up for every input file.
    bytes: Vec<u8>,
    /// Each file's stamp and where its records are in `bytes`.
    index: foldhash::HashMap<String, (FileStamp, std::ops::Range<usize>)>,
    cache: std::sync::Arc<OldCache>,
}

impl OldFiles {
    /// Opens the known files at `path`, written for `pipeline_hash`, for the documents of
    /// `cache`.
    pub fn open(
        path: &Path,
        pipeline_hash: &str,
        cache: std::sync::Arc<OldCache>,
    ) -> std::result::Result<OldFiles, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("no list of input files: {e}"))?;
        let mut parts = Parts {
            bytes: &bytes,
            at: 0,
        };
        let magic = parts.take(8)?;
        let written_for = parts.part()?;
        if magic != FILES_MAGIC || written_for != stamp(pipeline_hash).as_bytes() {
            return Err("the list of input files was written for another pipeline".into());
        }
        let mut index = foldhash::HashMap::default();
        while parts.at < bytes.len() {
            let head = parts.part()?;
            let ((source, stamp), _): ((String, FileStamp), _) =
                bincode::serde::decode_from_slice(head, bincode::config::standard())
                    .map_err(|e| e.to_string())?;
            let start = parts.at + 4;
            let records = start..start + parts.part()?.len();
            index.insert(source, (stamp, records));
        }
        Ok(OldFiles {
            bytes,
            index,
            cache,
        })
    }
}

/// Reads the parts of the list, each its length (4 bytes, little-endian) and its bytes.
struct Parts<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parts<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let taken = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or("the list of input files is cut short")?;
        self.at += n;
        Ok(taken)
    }

    fn part(&mut self) -> std::result::Result<&'a [u8], String> {
        let length = self.take(4)?;
        let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]);
        self.take(length as usize)
    }
}

impl KnownFiles for OldFiles {
    fn known(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile> {
        let (known_stamp, _) = self.index.get(source)?;
        (known_stamp == stamp).then(|| self.read(source)).flatten()
    }

    fn known_before_growing(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile> {
        let (known_stamp, _) = self.index.get(source)?;
        let grown = known_stamp.inode == stamp.inode && known_stamp.length < stamp.length;
        grown.then(|| self.read(source)).flatten()
    }
}

impl OldFiles {
    /// What the last run read of `source`, if the cache still holds each of its records.
    fn read(&self, source: &str) -> Option<KnownFile> {
        let (_, records) = self.index.get(source)?;
        let bytes = self.bytes.get(records.clone())?;
        let (file, _): (KnownFile, _) =
            bincode::serde::decode_from_slice(bytes, bincode::config::standard()).ok()?;
        let all_cached = file
            .records
            .iter()
            .all(|(_, _, key)| self.cache.contains(*key));
        all_cached.then_some(file)
    }
}

/// The input files this run read whole, written as they complete and kept with the cache.
pub struct NewFiles {
    writer: BufWriter<File>,
    temporary: PathBuf,
    path: PathBuf,
    /// Files changed less than this long before the run (in ns since the epoch) are not
    /// remembered: a change within the clock's resolution could go unseen.
    settled_before: i128,
}

impl NewFiles {
    /// Starts the list at `path` for `pipeline_hash`.
    pub fn create(path: &Path, pipeline_hash: &str) -> Result<NewFiles> {
        let temporary = temporary_for(path);
        let io = |e| Error::io(format!("writing {}", temporary.display()), e);
        let mut writer = BufWriter::new(File::create(&temporary).map_err(io)?);
        let stamp = stamp(pipeline_hash);
        let header = [
            FILES_MAGIC.as_slice(),
            &(stamp.len() as u32).to_le_bytes(),
            stamp.as_bytes(),
        ]
        .concat();
        writer.write_all(&header).map_err(io)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        Ok(NewFiles {
            writer,
            temporary,
            path: path.to_path_buf(),
            settled_before: now - 2_000_000_000,
        })
    }

    /// Remembers a file read whole, unless it changed just before the run.
    pub fn add(&mut self, source: &str, stamp: &FileStamp, file: &KnownFile) -> Result<()> {
        if stamp.modified_ns >= self.settled_before || stamp.changed_ns >= self.settled_before {
            return Ok(());
        }
        let head = encode_value(&(source, stamp));
        let records = encode_value(file);
        let io = |e| Error::io(format!("writing {}", self.temporary.display()), e);
        for part in [&head, &records] {
            self.writer
                .write_all(&(part.len() as u32).to_le_bytes())
                .map_err(io)?;
            self.writer.write_all(part).map_err(io)?;
        }
        Ok(())
    }

    /// Replaces the previous list with this one.
    pub fn commit(mut self) -> Result<()> {
        let io = |e| Error::io(format!("writing {}", self.temporary.display()), e);
        self.writer.flush().map_err(io)?;
        self.writer.get_ref().sync_data().map_err(io)?;
        std::fs::rename(&self.temporary, &self.path)
            .map_err(|e| Error::io(format!("replacing {}", self.path.display()), e))
    }
}

impl Drop for NewFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}
