//! The incremental cache: per-document results keyed by the record's content, valid for one
//! pipeline (the pipeline file and every lexicon, by hash), one tool version and one output
//! shape (formats, report, shard).
//!
//! Two files beside the output: the data, `.NAME.cache-data-G` (the bincode of each analysed
//! document and its counts, appended run after run), and the index, `.NAME.cache` (the
//! pipeline it is valid for, which data file, how much of it is valid, and for each document
//! of the last run its key, place and [`DocFacts`]). A run appends the documents it analysed
//! to the data file and writes a new index of exactly its documents (removed ones are
//! dropped), swapped in after the output, so a re-run writes in proportion to what changed.
//! When the last run's documents use less than half the data file, the next run writes a
//! fresh one (generation `G + 1`) with only its documents, and removes the old one once
//! committed. Only the index is
//! held in memory (about 40 bytes a document); entries are read on demand.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};
use crate::model::AnalyzedDocument;
use crate::stages::aggregate::DocCounts;
use crate::stages::ingest::{Body, RawRecord};

const INDEX_MAGIC: &[u8; 8] = b"NEWSETLI";
const DATA_MAGIC: &[u8; 8] = b"NEWSETLD";
const FORMAT_VERSION: u32 = 5;
/// Bytes of a data file's header: magic and version.
const DATA_HEAD: u64 = 8 + 4;
/// Bytes of an index entry: key, offset, length, tokens, text bytes.
const INDEX_ENTRY: usize = 16 + 8 + 4 + 4 + 8;

/// A cached result: the analysed document and its counts.
pub type Entry = (AnalyzedDocument, DocCounts);

/// What a run needs to know of a cached document without decoding it: where groups end and
/// how many bytes of text it adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocFacts {
    pub n_tokens: u32,
    pub text_bytes: u64,
}

impl DocFacts {
    /// The facts of an analysed document.
    pub fn of(entry: &Entry) -> Self {
        DocFacts {
            n_tokens: entry.0.n_tokens,
            text_bytes: entry.0.doc.text.len() as u64,
        }
    }
}

/// Where a cached entry is: its offset and length in the data file, and its facts.
#[derive(Debug, Clone, Copy)]
struct Place {
    offset: u64,
    length: u32,
    facts: DocFacts,
}

/// The key of a record: a 128-bit hash of everything that ingest read for it.
pub fn record_key(record: &RawRecord) -> u128 {
    if let Body::Cached(key) = record.body {
        return key;
    }
    let mut h = Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(record.doc_id.as_bytes());
    field(record.source.as_bytes());
    field(record.record.as_bytes());
    match &record.body {
        Body::Bytes(b) => field(b),
        Body::Decoded(d) => {
            field(d.text.as_bytes());
            field(d.encoding.as_bytes());
            field(d.flags.join(";").as_bytes());
        }
        Body::Html(h) => {
            field(&h.bytes);
            field(h.charset.as_deref().unwrap_or("\u{0}none").as_bytes());
            field(h.url.as_deref().unwrap_or("\u{0}none").as_bytes());
        }
        // Returned above: the key of a record not read again is the one cached.
        Body::Cached(key) => field(&key.to_le_bytes()),
    }
    for optional in [&record.title, &record.date, &record.outlet] {
        field(optional.as_deref().unwrap_or("\u{0}none").as_bytes());
    }
    h.digest128()
}

/// What a cache is valid for.
pub(super) fn stamp(pipeline_hash: &str) -> String {
    format!("{pipeline_hash} {}", env!("CARGO_PKG_VERSION"))
}

/// The path of the cache's index for an output directory.
pub fn cache_path(output: &Path) -> PathBuf {
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    parent.join(format!(".{name}.cache"))
}

/// The path beside `path` whose name is `path`'s with `suffix` after it
/// (`.out.cache` -> `.out.cache-files`).
pub(super) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Where a file being written for `path` waits until it is swapped in.
pub(super) fn temporary_for(path: &Path) -> PathBuf {
    suffixed(path, &format!("-new-{}", std::process::id()))
}

/// The data file of generation `generation` of the cache indexed at `index`.
fn data_path(index: &Path, generation: u64) -> PathBuf {
    suffixed(index, &format!("-data-{generation}"))
}

/// The head of an index: what it is valid for and which data it describes.
struct IndexHead {
    stamp: String,
    generation: u64,
    /// Bytes of the data file that entries may point into.
    data_length: u64,
}

impl IndexHead {
    fn encode(&self) -> Vec<u8> {
        [
            INDEX_MAGIC.as_slice(),
            &FORMAT_VERSION.to_le_bytes(),
            &self.generation.to_le_bytes(),
            &self.data_length.to_le_bytes(),
            &(self.stamp.len() as u32).to_le_bytes(),
            self.stamp.as_bytes(),
        ]
        .concat()
    }

    /// Where `data_length` is in an encoded head.
    const DATA_LENGTH_AT: u64 = 8 + 4 + 8;

    fn read(reader: &mut impl Read) -> std::result::Result<IndexHead, String> {
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic).map_err(|e| e.to_string())?;
        if &magic != INDEX_MAGIC || read_u32(reader)? != FORMAT_VERSION {
            return Err("the cache has another format".into());
        }
        let generation = read_u64(reader)?;
        let data_length = read_u64(reader)?;
        let mut stamp = vec![0u8; read_u32(reader)? as usize];
        reader.read_exact(&mut stamp).map_err(|e| e.to_string())?;
        Ok(IndexHead {
            stamp: String::from_utf8_lossy(&stamp).into_owned(),
            generation,
            data_length,
        })
    }
}

/// The cache of the previous run, for reading.
pub struct OldCache {
    file: File,
    path: PathBuf,
    generation: u64,
    data_length: u64,
    /// Bytes of the data file that this index's documents use.
    used: u64,
    index: foldhash::HashMap<u128, Place>,
}

impl OldCache {
    /// Opens the cache indexed at `path` if it exists and was written for this pipeline and
    /// tool; otherwise says why it cannot be used.
    pub fn open(path: &Path, pipeline_hash: &str) -> std::result::Result<OldCache, String> {
        let file = File::open(path).map_err(|e| format!("no cache at {}: {e}", path.display()))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let head = IndexHead::read(&mut reader)?;
        if head.stamp != stamp(pipeline_hash) {
            return Err(
                "the pipeline, a lexicon or the tool changed since the cache was written".into(),
            );
        }
        let data = data_path(path, head.generation);
        let file = File::open(&data).map_err(|e| format!("{}: {e}", data.display()))?;
        let length = file.metadata().map_err(|e| e.to_string())?.len();
        if length < head.data_length {
            return Err(format!("{} is shorter than its index says", data.display()));
        }
        let mut index = foldhash::HashMap::default();
        let mut used = 0;
        let mut entry = [0u8; INDEX_ENTRY];
        loop {
            match reader.read_exact(&mut entry) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e.to_string()),
            }
            let (key, place) = decode_index_entry(&entry);
            if place.offset + u64::from(place.length) > head.data_length {
                return Err(format!("{}: an entry points past the data", path.display()));
            }
            used += u64::from(place.length);
            index.insert(key, place);
        }
        Ok(OldCache {
            file,
            path: data,
            generation: head.generation,
            data_length: head.data_length,
            used,
            index,
        })
    }

    /// Number of cached documents.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the cache holds no document.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Whether `key` is cached.
    pub fn contains(&self, key: u128) -> bool {
        self.index.contains_key(&key)
    }

    /// The facts of the document cached under `key`.
    pub fn facts(&self, key: u128) -> Option<DocFacts> {
        self.index.get(&key).map(|p| p.facts)
    }

    /// The encoded entry for `key`, if cached and readable.
    pub fn get(&self, key: u128) -> Option<Vec<u8>> {
        let place = self.index.get(&key)?;
        let mut bytes = vec![0u8; place.length as usize];
        self.file.read_exact_at(&mut bytes, place.offset).ok()?;
        Some(bytes)
    }

    /// The entry cached under `key`, decoded; an error names the cache when it cannot be
    /// read (it was there when the run started).
    pub fn entry(&self, key: u128) -> Result<Entry> {
        self.get(key)
            .and_then(|bytes| decode(&bytes))
            .ok_or_else(|| {
                Error::Run(format!(
                "{}: the cached document {key:032x} cannot be read: remove the cache and run again",
                self.path.display()
            ))
            })
    }
}

fn encode_index_entry(key: u128, place: &Place) -> [u8; INDEX_ENTRY] {
    let mut entry = [0u8; INDEX_ENTRY];
    entry[..16].copy_from_slice(&key.to_le_bytes());
    entry[16..24].copy_from_slice(&place.offset.to_le_bytes());
    entry[24..28].copy_from_slice(&place.length.to_le_bytes());
    entry[28..32].copy_from_slice(&place.facts.n_tokens.to_le_bytes());
    entry[32..40].copy_from_slice(&place.facts.text_bytes.to_le_bytes());
    entry
}

fn decode_index_entry(entry: &[u8; INDEX_ENTRY]) -> (u128, Place) {
    let bytes = |range: std::ops::Range<usize>| &entry[range];
    let u32_at = |at: usize| u32::from_le_bytes(bytes(at..at + 4).try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(bytes(at..at + 8).try_into().unwrap());
    let key = u128::from_le_bytes(bytes(0..16).try_into().unwrap());
    let place = Place {
        offset: u64_at(16),
        length: u32_at(24),
        facts: DocFacts {
            n_tokens: u32_at(28),
            text_bytes: u64_at(32),
        },
    };
    (key, place)
}

pub(super) fn read_u32(reader: &mut impl Read) -> std::result::Result<u32, String> {
    let mut b = [0u8; 4];
    reader.read_exact(&mut b).map_err(|e| e.to_string())?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(reader: &mut impl Read) -> std::result::Result<u64, String> {
    let mut b = [0u8; 8];
    reader.read_exact(&mut b).map_err(|e| e.to_string())?;
    Ok(u64::from_le_bytes(b))
}

pub(super) fn encode_value(value: &impl serde::Serialize) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard())
        .expect("in-memory values always encode")
}

/// Encodes an entry.
pub fn encode(entry: &Entry) -> Vec<u8> {
    bincode::serde::encode_to_vec(entry, bincode::config::standard())
        .expect("in-memory documents always encode")
}

/// Decodes an entry; `None` when the bytes are damaged.
pub fn decode(bytes: &[u8]) -> Option<Entry> {
    bincode::serde::decode_from_slice(bytes, bincode::config::standard())
        .ok()
        .map(|(entry, _)| entry)
}

/// The cache this run writes: documents appended to a data file, an index of this run's
/// documents written beside the old one and swapped in by [`NewCache::commit`].
pub struct NewCache {
    data: BufWriter<File>,
    data_path: PathBuf,
    /// Bytes of the data file so far.
    data_length: u64,
    /// The old data file, when this run writes a fresh one (to copy unchanged entries from,
    /// and remove once committed).
    replaced: Option<(File, PathBuf)>,
    /// The old data file, when this run appends to it.
    appending_to_old: bool,
    index: BufWriter<File>,
    index_temporary: PathBuf,
    index_path: PathBuf,
}

impl NewCache {
    /// Starts the cache indexed at `path`: appending to the data of `old` when most of it is
    /// still used, or in a fresh data file.
    pub fn create(path: &Path, pipeline_hash: &str, old: Option<&OldCache>) -> Result<NewCache> {
        let io = |what: &Path| {
            let what = what.display().to_string();
            move |e| Error::io(format!("writing {what}"), e)
        };
        let append = old.filter(|o| o.used * 2 >= o.data_length - DATA_HEAD);
        let (data, data_path, data_length, generation, replaced) = match (append, old) {
            (Some(o), _) => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(&o.path)
                    .map_err(io(&o.path))?;
                // Bytes past the index's data were written by a run that did not finish.
                file.set_len(o.data_length).map_err(io(&o.path))?;
                let mut data = BufWriter::with_capacity(1 << 20, file);
                data.seek(SeekFrom::Start(o.data_length))
                    .map_err(io(&o.path))?;
                (data, o.path.clone(), o.data_length, o.generation, None)
            }
            (None, old) => {
                let generation = old.map_or(0, |o| o.generation + 1);
                let data_path = data_path(path, generation);
                let file = File::create(&data_path).map_err(io(&data_path))?;
                let mut data = BufWriter::with_capacity(1 << 20, file);
                let header = [DATA_MAGIC.as_slice(), &FORMAT_VERSION.to_le_bytes()].concat();
                debug_assert_eq!(header.len() as u64, DATA_HEAD);
                data.write_all(&header).map_err(io(&data_path))?;
                let replaced = match old {
                    Some(o) => Some((o.file.try_clone().map_err(io(&o.path))?, o.path.clone())),
                    None => None,
                };
                (data, data_path, header.len() as u64, generation, replaced)
            }
        };
        let index_temporary = temporary_for(path);
        let file = File::create(&index_temporary).map_err(io(&index_temporary))?;
        let mut index = BufWriter::with_capacity(1 << 20, file);
        let head = IndexHead {
            stamp: stamp(pipeline_hash),
            generation,
            data_length: 0,
        };
        index
            .write_all(&head.encode())
            .map_err(io(&index_temporary))?;
        Ok(NewCache {
            data,
            data_path,
            data_length,
            appending_to_old: append.is_some(),
            replaced,
            index,
            index_temporary,
            index_path: path.to_path_buf(),
        })
    }

    /// Appends one encoded entry.
    pub fn add(&mut self, key: u128, facts: DocFacts, encoded: &[u8]) -> Result<()> {
        let place = Place {
            offset: self.data_length,
            length: encoded.len() as u32,
            facts,
        };
        self.data
            .write_all(encoded)
            .map_err(|e| Error::io(format!("writing {}", self.data_path.display()), e))?;
        self.data_length += encoded.len() as u64;
        self.index_entry(key, &place)
    }

    /// Keeps the entry that `old` holds for `key`: where it is when this run appends to the
    /// old data, copied when it writes a fresh file.
    pub fn keep(&mut self, old: &OldCache, key: u128) -> Result<()> {
        let Some(place) = old.index.get(&key) else {
            return Err(Error::Run(format!("{key:032x} is not cached")));
        };
        if self.appending_to_old {
            return self.index_entry(key, place);
        }
        let bytes = old.get(key).ok_or_else(|| {
            Error::Run(format!(
                "{}: a cached document cannot be read",
                old.path.display()
            ))
        })?;
        self.add(key, place.facts, &bytes)
    }

    fn index_entry(&mut self, key: u128, place: &Place) -> Result<()> {
        self.index
            .write_all(&encode_index_entry(key, place))
            .map_err(|e| Error::io(format!("writing {}", self.index_temporary.display()), e))
    }

    /// Replaces the previous cache with this one: the data is synced, then the index (which
    /// says how much of the data is valid) swapped in, then a replaced data file removed.
    pub fn commit(mut self) -> Result<()> {
        let data_io = |e| Error::io(format!("writing {}", self.data_path.display()), e);
        self.data.flush().map_err(data_io)?;
        self.data.get_ref().sync_data().map_err(data_io)?;
        let index_io = |e| Error::io(format!("writing {}", self.index_temporary.display()), e);
        self.index.flush().map_err(index_io)?;
        let file = self.index.get_mut();
        file.seek(SeekFrom::Start(IndexHead::DATA_LENGTH_AT))
            .and_then(|_| file.write_all(&self.data_length.to_le_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(index_io)?;
        std::fs::rename(&self.index_temporary, &self.index_path)
            .map_err(|e| Error::io(format!("replacing {}", self.index_path.display()), e))?;
        if let Some((_, old)) = self.replaced.take() {
            let _ = std::fs::remove_file(old);
        }
        Ok(())
    }
}

impl Drop for NewCache {
    fn drop(&mut self) {
        // Not committed (or committed: then the temporary is gone already).
        let _ = std::fs::remove_file(&self.index_temporary);
        if !self.appending_to_old && self.replaced.is_some() {
            let _ = std::fs::remove_file(&self.data_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(n: u32) -> DocFacts {
        DocFacts {
            n_tokens: n,
            text_bytes: u64::from(n) * 5,
        }
    }

    /// Writes a cache of `docs` (key → bytes), keeping what `old` has.
    fn write(path: &Path, docs: &[(u128, &[u8])]) -> OldCache {
        let old = OldCache::open(path, "p").ok();
        let mut new = NewCache::create(path, "p", old.as_ref()).unwrap();
        for &(key, bytes) in docs {
            match old.as_ref().filter(|o| o.contains(key)) {
                Some(o) => new.keep(o, key).unwrap(),
                None => new.add(key, facts(bytes.len() as u32), bytes).unwrap(),
            }
        }
        new.commit().unwrap();
        OldCache::open(path, "p").unwrap()
    }

    #[test]
    fn a_rerun_appends_what_is_new_and_compacts_when_most_is_unused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.cache");
        let first = write(&path, &[(1, b"one"), (2, b"two"), (3, b"three")]);
        let data = data_path(&path, 0);
        let length = std::fs::metadata(&data).unwrap().len();
        assert_eq!(first.get(2).unwrap(), b"two");
        // One document more: appended, the others kept in place.
        let second = write(
            &path,
            &[(1, b"one"), (2, b"two"), (3, b"three"), (4, b"four")],
        );
        assert_eq!(second.generation, 0);
        assert_eq!(std::fs::metadata(&data).unwrap().len(), length + 4);
        assert_eq!(second.get(4).unwrap(), b"four");
        assert_eq!(second.facts(4), Some(facts(4)));
        assert_eq!(second.len(), 4);
        // Most documents gone: still appended to, since the last run used all of it...
        let third = write(&path, &[(4, b"four"), (5, b"five")]);
        assert_eq!(third.generation, 0);
        assert!(!third.contains(1));
        // ...then, the last run using less than half of it, a fresh file of the documents
        // kept, the old one removed.
        let fourth = write(&path, &[(4, b"four"), (6, b"six")]);
        assert_eq!(fourth.generation, 1);
        assert!(!data.exists());
        assert_eq!(fourth.get(4).unwrap(), b"four");
        assert_eq!(fourth.get(6).unwrap(), b"six");
        assert_eq!(fourth.data_length, DATA_HEAD + 7);
    }

    #[test]
    fn an_unfinished_run_leaves_the_cache_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.cache");
        write(&path, &[(1, b"one"), (2, b"two")]);
        {
            let old = OldCache::open(&path, "p").unwrap();
            let mut new = NewCache::create(&path, "p", Some(&old)).unwrap();
            new.add(9, facts(3), b"junk written before a failure")
                .unwrap();
            new.keep(&old, 1).unwrap();
            // Dropped without commit.
        }
        let old = OldCache::open(&path, "p").unwrap();
        assert_eq!((old.len(), old.get(2).unwrap()), (2, b"two".to_vec()));
        // The next run cuts the junk off before appending.
        let next = write(&path, &[(1, b"one"), (2, b"two"), (5, b"five")]);
        assert_eq!(next.get(5).unwrap(), b"five");
        assert_eq!(next.data_length, old.data_length + 4);
        assert!(OldCache::open(&path, "other pipeline").is_err());
    }
}
