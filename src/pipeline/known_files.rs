//! The input files an incremental run read whole, remembered for the next one
//! (`.NAME.cache-files`): each file's stamp (size, times, inode), hash and records (doc_id,
//! record, cache key). A file of the same stamp is not read again: its records are taken as
//! the cache's ([`crate::stages::ingest::KnownFiles`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::cache::{cache_path, encode_value, read_u32, stamp, suffixed, temporary_for, OldCache};
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
    file: File,
    index: HashMap<String, (FileStamp, u64, u32)>,
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
        let file = File::open(path).map_err(|e| format!("no list of input files: {e}"))?;
        let mut reader =
            BufReader::with_capacity(1 << 20, file.try_clone().map_err(|e| e.to_string())?);
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic).map_err(|e| e.to_string())?;
        let mut written_for = vec![0u8; read_u32(&mut reader)? as usize];
        reader
            .read_exact(&mut written_for)
            .map_err(|e| e.to_string())?;
        if &magic != FILES_MAGIC || written_for != stamp(pipeline_hash).as_bytes() {
            return Err("the list of input files was written for another pipeline".into());
        }
        let mut offset = (8 + 4 + written_for.len()) as u64;
        let mut index = HashMap::new();
        loop {
            let mut length = [0u8; 4];
            match reader.read_exact(&mut length) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e.to_string()),
            }
            let length = u32::from_le_bytes(length);
            let mut head = vec![0u8; length as usize];
            reader.read_exact(&mut head).map_err(|e| e.to_string())?;
            let ((source, stamp), _): ((String, FileStamp), _) =
                bincode::serde::decode_from_slice(&head, bincode::config::standard())
                    .map_err(|e| e.to_string())?;
            let records_length = read_u32(&mut reader)?;
            reader
                .seek_relative(i64::from(records_length))
                .map_err(|e| e.to_string())?;
            let at = offset + 4 + u64::from(length) + 4;
            index.insert(source, (stamp, at, records_length));
            offset = at + u64::from(records_length);
        }
        Ok(OldFiles { file, index, cache })
    }
}

impl KnownFiles for OldFiles {
    fn known(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile> {
        let (known_stamp, _, _) = self.index.get(source)?;
        (known_stamp == stamp).then(|| self.read(source)).flatten()
    }

    fn known_before_growing(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile> {
        let (known_stamp, _, _) = self.index.get(source)?;
        let grown = known_stamp.inode == stamp.inode && known_stamp.length < stamp.length;
        grown.then(|| self.read(source)).flatten()
    }
}

impl OldFiles {
    /// What the last run read of `source`, if the cache still holds each of its records.
    fn read(&self, source: &str) -> Option<KnownFile> {
        let (_, offset, length) = self.index.get(source)?;
        let mut bytes = vec![0u8; *length as usize];
        self.file.read_exact_at(&mut bytes, *offset).ok()?;
        let (file, _): (KnownFile, _) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).ok()?;
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
