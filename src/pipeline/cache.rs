//! The incremental cache: per-document results keyed by the record's content, valid for one
//! pipeline (the pipeline file and every lexicon, by hash), one tool version and one output
//! shape (formats, report, shard).
//!
//! It lives beside the output as `.NAME.cache`: a header, then one entry per document
//! (`key: u128`, `length: u32`, the document's [`DocFacts`], the bincode of the analysed
//! document and its counts). Only an index (key → offset and facts) is held in memory; entries
//! are read on demand, so memory does not grow with the corpus. Each incremental run writes a
//! new cache with exactly its documents (so removed documents are dropped; unchanged ones are
//! copied without decoding) and swaps it in after the output.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};
use crate::model::AnalyzedDocument;
use crate::stages::aggregate::DocCounts;
use crate::stages::ingest::{Body, RawRecord};

const MAGIC: &[u8; 8] = b"NEWSETLC";
const FORMAT_VERSION: u32 = 5;
/// Bytes before an entry's document: key, length, facts.
const ENTRY_HEAD: u64 = 16 + 4 + 4 + 8;

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

/// Where a cached entry is: its document's offset and length, and its facts.
#[derive(Debug, Clone, Copy)]
struct Place {
    offset: u64,
    length: u32,
    facts: DocFacts,
}

/// The key of a record: a 128-bit hash of everything that ingest read for it.
pub fn record_key(record: &RawRecord) -> u128 {
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
    }
    for optional in [&record.title, &record.date, &record.outlet] {
        field(optional.as_deref().unwrap_or("\u{0}none").as_bytes());
    }
    h.digest128()
}

/// What a cache is valid for.
fn stamp(pipeline_hash: &str) -> String {
    format!("{pipeline_hash} {}", env!("CARGO_PKG_VERSION"))
}

/// The path of the cache for an output directory.
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

/// The cache of the previous run, for reading.
pub struct OldCache {
    file: File,
    path: PathBuf,
    index: HashMap<u128, Place>,
}

impl OldCache {
    /// Opens the cache at `path` if it exists and was written for this pipeline and tool;
    /// otherwise says why it cannot be used.
    pub fn open(path: &Path, pipeline_hash: &str) -> std::result::Result<OldCache, String> {
        let file = File::open(path).map_err(|e| format!("no cache at {}: {e}", path.display()))?;
        let mut reader = BufReader::new(file.try_clone().map_err(|e| e.to_string())?);
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic).map_err(|e| e.to_string())?;
        if &magic != MAGIC || read_u32(&mut reader)? != FORMAT_VERSION {
            return Err("the cache has another format".into());
        }
        let len = read_u32(&mut reader)? as usize;
        let mut written_for = vec![0u8; len];
        reader
            .read_exact(&mut written_for)
            .map_err(|e| e.to_string())?;
        if written_for != stamp(pipeline_hash).as_bytes() {
            return Err(
                "the pipeline, a lexicon or the tool changed since the cache was written".into(),
            );
        }
        let mut offset = (8 + 4 + 4 + len) as u64;
        let mut index = HashMap::new();
        loop {
            let mut key = [0u8; 16];
            match reader.read_exact(&mut key) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e.to_string()),
            }
            let length = read_u32(&mut reader)?;
            let n_tokens = read_u32(&mut reader)?;
            let mut text_bytes = [0u8; 8];
            reader
                .read_exact(&mut text_bytes)
                .map_err(|e| e.to_string())?;
            let facts = DocFacts {
                n_tokens,
                text_bytes: u64::from_le_bytes(text_bytes),
            };
            let place = Place {
                offset: offset + ENTRY_HEAD,
                length,
                facts,
            };
            index.insert(u128::from_le_bytes(key), place);
            reader
                .seek(SeekFrom::Current(length as i64))
                .map_err(|e| e.to_string())?;
            offset += ENTRY_HEAD + length as u64;
        }
        Ok(OldCache {
            file,
            path: path.to_path_buf(),
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
        self.get(key).and_then(|bytes| decode(&bytes)).ok_or_else(|| {
            Error::Run(format!(
                "{}: the cached document {key:032x} cannot be read: remove the cache and run again",
                self.path.display()
            ))
        })
    }
}

fn read_u32(reader: &mut impl Read) -> std::result::Result<u32, String> {
    let mut b = [0u8; 4];
    reader.read_exact(&mut b).map_err(|e| e.to_string())?;
    Ok(u32::from_le_bytes(b))
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

/// The cache this run writes, swapped in by [`NewCache::commit`].
pub struct NewCache {
    writer: Option<BufWriter<File>>,
    temporary: PathBuf,
    path: PathBuf,
    /// Entries of the old cache to copy next, as one byte range of it, and that cache.
    copying: Option<std::ops::Range<u64>>,
    source: Option<File>,
}

impl NewCache {
    /// Starts a cache for `path`, written beside it until committed.
    pub fn create(path: &Path, pipeline_hash: &str) -> Result<NewCache> {
        let temporary = path.with_extension(format!("cache-new-{}", std::process::id()));
        let file = File::create(&temporary)
            .map_err(|e| Error::io(format!("creating {}", temporary.display()), e))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let stamp = stamp(pipeline_hash);
        let header = [
            MAGIC.as_slice(),
            &FORMAT_VERSION.to_le_bytes(),
            &(stamp.len() as u32).to_le_bytes(),
            stamp.as_bytes(),
        ]
        .concat();
        writer
            .write_all(&header)
            .map_err(|e| Error::io(format!("writing {}", temporary.display()), e))?;
        Ok(NewCache {
            writer: Some(writer),
            temporary,
            path: path.to_path_buf(),
            copying: None,
            source: None,
        })
    }

    /// Appends one encoded entry.
    pub fn add(&mut self, key: u128, facts: DocFacts, encoded: &[u8]) -> Result<()> {
        self.flush_copy()?;
        let io = |e| Error::io(format!("writing {}", self.temporary.display()), e);
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let head = [
            key.to_le_bytes().as_slice(),
            &(encoded.len() as u32).to_le_bytes(),
            &facts.n_tokens.to_le_bytes(),
            &facts.text_bytes.to_le_bytes(),
        ]
        .concat();
        writer.write_all(&head).map_err(io)?;
        writer.write_all(encoded).map_err(io)
    }

    /// Appends the entry that `old` holds for `key`, copied as bytes (entries next to each
    /// other in the old cache are copied in one go).
    pub fn copy(&mut self, old: &OldCache, key: u128) -> Result<()> {
        let Some(place) = old.index.get(&key) else {
            return Err(Error::Run(format!("{key:032x} is not cached")));
        };
        let range = place.offset - ENTRY_HEAD..place.offset + u64::from(place.length);
        match &mut self.copying {
            Some(pending) if pending.end == range.start => pending.end = range.end,
            _ => {
                self.flush_copy()?;
                if self.source.is_none() {
                    let clone = old.file.try_clone();
                    let io = |e| Error::io(format!("reading {}", old.path.display()), e);
                    self.source = Some(clone.map_err(io)?);
                }
                self.copying = Some(range);
            }
        }
        Ok(())
    }

    /// Copies the pending range of the old cache.
    fn flush_copy(&mut self) -> Result<()> {
        let (Some(range), Some(source), Some(writer)) = (
            self.copying.take(),
            self.source.as_mut(),
            self.writer.as_mut(),
        ) else {
            return Ok(());
        };
        let length = range.end - range.start;
        let copied = source
            .seek(SeekFrom::Start(range.start))
            .and_then(|_| std::io::copy(&mut source.take(length), writer));
        match copied {
            Ok(n) if n == length => Ok(()),
            Ok(n) => Err(Error::Run(format!(
                "{}: the old cache ended after {n} of {length} bytes",
                self.temporary.display()
            ))),
            Err(e) => Err(Error::io(format!("writing {}", self.temporary.display()), e)),
        }
    }

    /// Replaces the previous cache with this one.
    pub fn commit(mut self) -> Result<()> {
        self.flush_copy()?;
        let (temporary, path) = (self.temporary.clone(), self.path.clone());
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        writer
            .into_inner()
            .map_err(|e| Error::io(format!("writing {}", temporary.display()), e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io(format!("writing {}", temporary.display()), e))?;
        std::fs::rename(&temporary, &path)
            .map_err(|e| Error::io(format!("replacing {}", path.display()), e))
    }
}

impl Drop for NewCache {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temporary);
    }
}
