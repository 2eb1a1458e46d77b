//! Ingest: find the input files, read each into records, and decode every record into a
//! [`SourceDocument`] or a [`Reject`] that says why it could not be one.
//!
//! Reading is a sequential iterator ([`Records`]) over files in sorted path order and over
//! records in file order, so document order (and every table) is the same whatever the thread
//! count; the pipeline pulls bounded batches from it and decodes them in parallel. Readers:
//! plain text (one article per file), JSONL, CSV, TREC SGML, web pages ([`html`]) and WARC
//! archives ([`warc`]), each also gzip- or zstd-compressed; see [`formats::InputFormat`].

pub mod compress;
pub mod decode;
pub mod delimited;
pub mod formats;
pub mod html;
pub mod jsonl;
pub mod trec;
pub mod warc;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::model::{DocMeta, Reject, SourceDocument};
use decode::{Decoded, FLAG_UNPARSED_DATE};
use formats::{FieldMap, InputFormat};

/// What ingest needs from the pipeline file.
#[derive(Debug, Clone)]
pub struct InputSettings {
    /// A file, a directory, or `-` for standard input.
    pub path: PathBuf,
    /// Extensions read (compared after removing `.gz`/`.zst`; `""` is no extension).
    pub extensions: Vec<String>,
    /// The format, or [`InputFormat::Auto`] to detect it per file.
    pub format: InputFormat,
    pub fields: FieldMap,
    /// Larger records are rejected.
    pub max_document_bytes: u64,
    /// Boilerplate rules for web pages.
    pub html: html::HtmlRules,
}

/// An input file found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Full path, for reading (`-` is standard input).
    pub path: PathBuf,
    /// Path relative to the input root, with `/` separators: the `source` column.
    pub relative: String,
}

/// The input files in sorted path order, found lazily: memory does not grow with the number
/// of files (a sorted walk holds only the entries of the folders it is in).
pub struct Walk {
    inner: WalkInner,
    extensions: Vec<String>,
    root: PathBuf,
    /// Files that no reader takes (their extension is not an input's), by extension.
    pub skipped: std::collections::BTreeMap<String, u64>,
}

/// A directory walk that skips hidden entries.
type DirWalk = walkdir::FilterEntry<walkdir::IntoIter, fn(&walkdir::DirEntry) -> bool>;

enum WalkInner {
    One(Option<InputFile>),
    Dir(Box<DirWalk>),
}

fn not_hidden(e: &walkdir::DirEntry) -> bool {
    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
}

/// Starts walking `settings.path` (a file, a directory walked recursively in sorted order with
/// hidden entries skipped, or `-` for standard input), yielding the files whose extension is
/// one of `settings.extensions`.
///
/// A missing input is a usage error; an unreadable directory, a broken link or a symbolic-link
/// loop inside it becomes a reject and the walk goes on.
pub fn walk(settings: &InputSettings) -> Result<Walk> {
    let input = settings.path.as_path();
    let one = |relative: String| Walk {
        inner: WalkInner::One(Some(InputFile {
            path: input.to_path_buf(),
            relative,
        })),
        extensions: settings.extensions.clone(),
        root: input.to_path_buf(),
        skipped: Default::default(),
    };
    if input == Path::new("-") {
        return Ok(one("-".into()));
    }
    let metadata = fs::metadata(input).map_err(|e| {
        Error::Usage(format!(
            "input path {} cannot be read: {e}",
            input.display()
        ))
    })?;
    if !metadata.is_dir() {
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(one(name));
    }
    // In file name order; the entries sorted together share their folder, so comparing whole
    // paths gives that order without parsing each path's last component at every comparison.
    let walker = WalkDir::new(input)
        .follow_links(true)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(not_hidden as fn(&walkdir::DirEntry) -> bool);
    Ok(Walk {
        inner: WalkInner::Dir(Box::new(walker)),
        extensions: settings.extensions.clone(),
        root: input.to_path_buf(),
        skipped: Default::default(),
    })
}

impl Iterator for Walk {
    type Item = std::result::Result<InputFile, Reject>;

    fn next(&mut self) -> Option<Self::Item> {
        let walker = match &mut self.inner {
            WalkInner::One(file) => return file.take().map(Ok),
            WalkInner::Dir(walker) => walker,
        };
        loop {
            match walker.next()? {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    if has_extension(entry.path(), &self.extensions) {
                        return Some(Ok(InputFile {
                            relative: relative_path(&self.root, entry.path()),
                            path: entry.into_path(),
                        }));
                    }
                    *self.skipped.entry(extension_of(entry.path())).or_default() += 1;
                }
                Err(e) => {
                    let path = e
                        .path()
                        .map(|p| relative_path(&self.root, p))
                        .unwrap_or_default();
                    let reason = if e.loop_ancestor().is_some() {
                        format!("symbolic link loop: {path} leads back to a folder above it")
                    } else {
                        match e.io_error() {
                            Some(io) => format!("cannot be read: {io}"),
                            None => e.to_string(),
                        }
                    };
                    return Some(Err(Reject {
                        source: path,
                        record: String::new(),
                        reason,
                    }));
                }
            }
        }
    }
}

/// Counts the input files and their bytes (for a progress bar) with a walk of its own.
pub fn measure(settings: &InputSettings) -> (u64, u64) {
    let Ok(walk) = walk(settings) else {
        return (0, 0);
    };
    walk.flatten().fold((0, 0), |(n, bytes), f| {
        (
            n + 1,
            bytes + fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0),
        )
    })
}

/// A file's extension as the skipped-files count names it: `.pdf`, `.tar.gz`, `(none)`.
fn extension_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let inner = compress::strip_extension(&name);
    let compressed = &name[inner.len()..];
    match Path::new(inner).extension() {
        Some(ext) => format!(".{}{compressed}", ext.to_string_lossy()),
        None if compressed.is_empty() => "(none)".into(),
        None => compressed.to_string(),
    }
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let inner = compress::strip_extension(&name);
    let ext = Path::new(inner)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    extensions
        .iter()
        .any(|want| want.eq_ignore_ascii_case(&ext))
}

/// `path` relative to `root` with `/` separators (the path itself when it is outside `root`).
fn relative_path(root: &Path, path: &Path) -> String {
    match plain_relative_path(root, path) {
        Some(plain) => plain.to_string(),
        None => relative_by_components(root, path),
    }
}

fn relative_by_components(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` below `root` as it is spelled, when that is already what [`relative_path`] makes
/// of it (UTF-8, no empty or `.` component): the common case, without splitting the path
/// into components for every input file.
fn plain_relative_path<'a>(root: &Path, path: &'a Path) -> Option<&'a str> {
    let (root, path) = (root.as_os_str().as_encoded_bytes(), path.to_str()?);
    let rest = path.as_bytes().strip_prefix(root)?;
    let rest = match root.last() {
        Some(b'/') => rest,
        _ => rest.strip_prefix(b"/")?,
    };
    let rest = &path[path.len() - rest.len()..];
    let plain = !rest.is_empty() && rest.split('/').all(|part| !part.is_empty() && part != ".");
    plain.then_some(rest)
}

/// The document id of a one-article file: its relative path without its extensions
/// (`.txt`, and `.gz` or `.zst` before it).
pub fn doc_id_for(relative: &str) -> String {
    let relative = compress::strip_extension(relative);
    let (dir, name) = match relative.rfind('/') {
        Some(i) => (&relative[..=i], &relative[i + 1..]),
        None => ("", relative),
    };
    let stem = match name.rfind('.') {
        Some(0) | None => name,
        Some(i) => &name[..i],
    };
    format!("{dir}{stem}")
}

/// The body of a record as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Bytes of unknown encoding (a plain-text article), decoded in parallel later.
    Bytes(Vec<u8>),
    /// Text that a reader already decoded (JSON, CSV and TREC fields).
    Decoded(Decoded),
    /// A web page's bytes, its article extracted in parallel later.
    Html(HtmlBody),
    /// A record of a file unchanged since the last incremental run, not read again: only its
    /// cache key ([`KnownFiles`]).
    Cached(u128),
}

/// A web page as read: its bytes, the charset of its HTTP header and the URL it was fetched
/// from (both known in a WARC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlBody {
    pub bytes: Vec<u8>,
    pub charset: Option<String>,
    pub url: Option<String>,
}

/// One record as read, before decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub doc_id: String,
    pub source: String,
    /// Where in the file (`line 3`); empty for a one-article file.
    pub record: String,
    pub body: Body,
    pub title: Option<String>,
    /// The date as written in the input.
    pub date: Option<String>,
    /// The outlet named by the input (`source` field of JSONL/CSV).
    pub outlet: Option<String>,
}

impl RawRecord {
    /// Size of the body in bytes, for bounding batches.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Bytes(b) => b.len(),
            Body::Decoded(d) => d.text.len(),
            Body::Html(h) => h.bytes.len(),
            Body::Cached(_) => 0,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a reader yields: a record, or a reject for a record (or a whole file).
pub type ReadOutcome = std::result::Result<RawRecord, Reject>;

/// Counts of records that a reader read but that are not articles (a WARC's `request`
/// records, images), by kind: reported in the manifest, neither documents nor rejects.
pub type Tally = std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>;

/// Reads files one after the other, yielding records in order.
pub struct Records {
    files: Walk,
    current: Option<Box<dyn Iterator<Item = ReadOutcome> + Send>>,
    /// The file being read, hashed as it is read, with its stamp and what the tally held
    /// when it was opened.
    hashing: Option<Hashing>,
    /// Files unchanged since an earlier run, whose records need not be read.
    known: Option<std::sync::Arc<dyn KnownFiles>>,
    settings: InputSettings,
    /// Bytes (on disk) of the files read to their end, for progress.
    bytes_done: u64,
    /// Files opened since the caller last drained this, in order.
    pub opened: Vec<OpenedFile>,
    /// Records that readers skipped as not articles, by kind.
    tally: Tally,
}

/// The file [`Records`] is reading: its source and path, the running hash of its bytes, its
/// stamp, what the tally held when it was opened, and whether it was resumed.
struct Hashing {
    source: String,
    path: PathBuf,
    digest: Digest,
    stamp: Option<FileStamp>,
    tallied: u64,
    resumed: bool,
}

/// A file that [`Records`] opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedFile {
    pub source: String,
    pub bytes: u64,
    /// `xxh3-128:…` of its bytes; `None` for standard input.
    pub hash: Option<String>,
    /// Its stamp, when it is a file whose records a later run may take from the cache: read
    /// to its end, with no record skipped as not an article.
    pub stamp: Option<FileStamp>,
    /// Whether its records were taken from an earlier run instead of read.
    pub unread: bool,
    /// Whether it grew at its end since an earlier run, which read what it held then: only
    /// the new lines were read.
    pub resumed: bool,
}

/// What says that a file is unchanged: its size, times and inode, as `git` and `make` check
/// (the change time cannot be set back by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStamp {
    pub length: u64,
    pub modified_ns: i128,
    pub changed_ns: i128,
    pub inode: u64,
}

impl FileStamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        FileStamp {
            length: meta.len(),
            modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
            changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
        }
    }
}

/// A file an earlier run read: its size, hash and records (doc_id, record, cache key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KnownFile {
    pub bytes: u64,
    pub hash: String,
    pub records: Vec<(String, String, u128)>,
}

/// Files an earlier incremental run read, by path and stamp: a file of the same stamp is
/// taken as read again ([`Body::Cached`] records) without opening it.
pub trait KnownFiles: Send + Sync {
    /// What the earlier run read of `source`, if its stamp is `stamp`.
    fn known(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile>;

    /// What the earlier run read of `source`, if the file may have grown since: same inode,
    /// longer now (the caller checks that the old bytes are still there).
    fn known_before_growing(&self, source: &str, stamp: &FileStamp) -> Option<KnownFile>;
}

impl Records {
    /// Reads the files of `walk`, in order.
    pub fn new(files: Walk, settings: InputSettings) -> Self {
        Records {
            files,
            current: None,
            hashing: None,
            known: None,
            settings,
            bytes_done: 0,
            opened: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// Takes the records of files that `known` knows from it instead of reading them.
    pub fn with_known(mut self, known: Option<std::sync::Arc<dyn KnownFiles>>) -> Self {
        self.known = known;
        self
    }

    /// Bytes of the input read so far (on disk), for progress.
    pub fn bytes_read(&self) -> u64 {
        let current = self.hashing.as_ref().map_or(0, |h| h.digest.bytes());
        self.bytes_done + current
    }

    /// The file just read to its end: its hash covers every byte, also those a reader did
    /// not need (it stopped early); then it is reported as opened.
    fn finish_file(&mut self) {
        let Some(Hashing {
            source,
            path,
            digest,
            stamp,
            tallied,
            resumed,
        }) = self.hashing.take()
        else {
            return;
        };
        let (bytes, hash) = match digest.finish(&path) {
            Ok((bytes, hash)) => (bytes, Some(hash)),
            Err(_) => (digest.bytes(), None),
        };
        self.bytes_done += bytes;
        // A file whose reading skipped records is read again next time, so they are counted.
        let stamp = stamp.filter(|_| self.tallied() == tallied && hash.is_some());
        self.opened.push(OpenedFile {
            source,
            bytes,
            hash,
            stamp,
            unread: false,
            resumed,
        });
    }

    /// Records skipped as not articles so far.
    fn tallied(&self) -> u64 {
        self.tally.lock().map_or(0, |t| t.values().sum())
    }

    /// Takes `file`'s records from the known files, if it is unchanged; returns whether.
    fn take_known(&mut self, file: &InputFile) -> bool {
        let Some(known) = &self.known else {
            return false;
        };
        let Ok(meta) = std::fs::metadata(&file.path) else {
            return false;
        };
        let stamp = FileStamp::of(&meta);
        let Some(found) = known.known(&file.relative, &stamp) else {
            return self.resume_grown(file, stamp);
        };
        self.bytes_done += found.bytes;
        self.opened.push(OpenedFile {
            source: file.relative.clone(),
            bytes: found.bytes,
            hash: Some(found.hash),
            stamp: Some(stamp),
            unread: true,
            resumed: false,
        });
        self.current = Some(Box::new(cached_records(&file.relative, found.records)));
        true
    }

    /// Takes the records of a JSONL file that grew at its end since the last run from the
    /// cache, when its old bytes are still there (same hash), and reads only the new lines;
    /// returns whether.
    fn resume_grown(&mut self, file: &InputFile, stamp: FileStamp) -> bool {
        let name = file.relative.to_ascii_lowercase();
        let jsonl = matches!(self.settings.format, InputFormat::Auto | InputFormat::Jsonl)
            && (name.ends_with(".jsonl") || name.ends_with(".ndjson"));
        let Some(known) = self.known.as_ref().filter(|_| jsonl) else {
            return false;
        };
        let Some(found) = known.known_before_growing(&file.relative, &stamp) else {
            return false;
        };
        let digest = Digest::default();
        let Some((rest, lines)) = unchanged_prefix(&file.path, &found, &digest) else {
            return false;
        };
        let tallied = self.tallied();
        let cached = cached_records(&file.relative, found.records);
        let reader = Box::new(BufReader::with_capacity(1 << 16, rest));
        let new_lines = jsonl::JsonlRecords::new(file.clone(), reader, &self.settings);
        self.current = Some(Box::new(cached.chain(new_lines.after_lines(lines))));
        self.hashing = Some(Hashing {
            source: file.relative.clone(),
            path: file.path.clone(),
            digest,
            stamp: Some(stamp),
            tallied,
            resumed: true,
        });
        true
    }

    /// Records read but skipped as not articles, by kind (`warc request`, ...).
    pub fn skipped_records(&self) -> std::collections::BTreeMap<String, u64> {
        self.tally.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Files of the input that no reader takes, by extension (`.pdf`).
    pub fn skipped_files(&self) -> &std::collections::BTreeMap<String, u64> {
        &self.files.skipped
    }
}

/// The running content hash of a file being read: the reader's bytes pass through it, so a
/// file is read once.
#[derive(Clone, Default)]
struct Digest(std::sync::Arc<std::sync::Mutex<(xxhash_rust::xxh3::Xxh3, u64, bool)>>);

impl Digest {
    /// Notes that the reader met the end of the file, so nothing is left to hash.
    fn ended(&self) {
        if let Ok(mut state) = self.0.lock() {
            state.2 = true;
        }
    }

    fn update(&self, bytes: &[u8]) {
        if let Ok(mut state) = self.0.lock() {
            state.0.update(bytes);
            state.1 += bytes.len() as u64;
        }
    }

    fn bytes(&self) -> u64 {
        self.0.lock().map_or(0, |s| s.1)
    }

    /// Hashes what the reader left of `path` (nothing, usually) and returns the size and hash
    /// of the whole file (`xxh3-128:` and 32 hex digits).
    fn finish(&self, path: &Path) -> std::io::Result<(u64, String)> {
        if !self.0.lock().is_ok_and(|s| s.2) {
            self.hash_the_rest(path)?;
        }
        let state = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("hash state poisoned"))?;
        Ok((state.1, format!("xxh3-128:{:032x}", state.0.digest128())))
    }

    /// Hashes the bytes of `path` past those the reader read.
    fn hash_the_rest(&self, path: &Path) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let read = self.bytes();
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(read))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.update(&buf[..n]);
        }
        Ok(())
    }
}

/// The records an earlier run read from `source`, as their cache keys.
fn cached_records(
    source: &str,
    records: Vec<(String, String, u128)>,
) -> impl Iterator<Item = ReadOutcome> + Send {
    let source = source.to_string();
    records.into_iter().map(move |(doc_id, record, key)| {
        Ok(RawRecord {
            doc_id,
            source: source.clone(),
            record,
            body: Body::Cached(key),
            title: None,
            date: None,
            outlet: None,
        })
    })
}

/// Opens `path` and checks that it begins with the bytes `known` describes (their hash, and a
/// newline last), hashing them into `digest`; returns the file positioned after them, hashing
/// what follows, and how many lines they held.
fn unchanged_prefix(path: &Path, known: &KnownFile, digest: &Digest) -> Option<(HashingRead, u64)> {
    let mut file = File::open(path).ok()?;
    let mut left = known.bytes;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    while left > 0 {
        let want = buffer.len().min(left as usize);
        let n = file.read(&mut buffer[..want]).ok()?;
        if n == 0 {
            return None;
        }
        digest.update(&buffer[..n]);
        lines += memchr::memchr_iter(b'\n', &buffer[..n]).count() as u64;
        last = buffer[n - 1];
        left -= n as u64;
    }
    let hash = digest.0.lock().ok()?.0.digest128();
    if last != b'\n' || format!("xxh3-128:{hash:032x}") != known.hash {
        return None;
    }
    let rest = HashingRead {
        inner: file,
        digest: digest.clone(),
    };
    Some((rest, lines))
}

/// A file's bytes on their way to a reader, through its [`Digest`].
struct HashingRead {
    inner: File,
    digest: Digest,
}

impl Read for HashingRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            self.digest.ended();
        }
        Ok(n)
    }
}

/// The content hash of a file (`xxh3-128:` and 32 hex digits), read in a pass of its own (for
/// a file no reader could open, and for manifests).
pub fn content_hash(path: &Path) -> std::io::Result<(u64, String)> {
    Digest::default().finish(path)
}

impl Iterator for Records {
    type Item = ReadOutcome;

    fn next(&mut self) -> Option<ReadOutcome> {
        loop {
            if let Some(current) = &mut self.current {
                if let Some(outcome) = current.next() {
                    return Some(outcome);
                }
                self.current = None;
                self.finish_file();
            }
            let file = match self.files.next()? {
                Ok(file) => file,
                Err(reject) => return Some(Err(reject)),
            };
            if file.path != Path::new("-") && self.take_known(&file) {
                continue;
            }
            let digest = Digest::default();
            let tallied = self.tallied();
            match open(&file, &self.settings, &self.tally, &digest) {
                Ok((records, stamp)) => {
                    self.current = Some(records);
                    if file.path == Path::new("-") {
                        self.opened.push(OpenedFile {
                            source: file.relative.clone(),
                            bytes: 0,
                            hash: None,
                            stamp: None,
                            unread: false,
                            resumed: false,
                        });
                    } else {
                        self.hashing = Some(Hashing {
                            source: file.relative.clone(),
                            path: file.path.clone(),
                            digest,
                            stamp,
                            tallied,
                            resumed: false,
                        });
                    }
                }
                Err(reject) => {
                    // A file no reader takes is still counted, with its own hash.
                    let (bytes, hash) = match content_hash(&file.path) {
                        Ok((bytes, hash)) => (bytes, Some(hash)),
                        Err(_) => (0, None),
                    };
                    self.bytes_done += bytes;
                    self.opened.push(OpenedFile {
                        source: file.relative.clone(),
                        bytes,
                        hash,
                        stamp: None,
                        unread: false,
                        resumed: false,
                    });
                    return Some(Err(reject));
                }
            }
        }
    }
}

/// A reject of a whole file.
pub fn file_reject(file: &InputFile, reason: impl Into<String>) -> Reject {
    Reject {
        source: file.relative.clone(),
        record: String::new(),
        reason: reason.into(),
    }
}

/// The records of a file being read.
type FileRecords = Box<dyn Iterator<Item = ReadOutcome> + Send>;

/// Opens a file and returns its records and its stamp (none for standard input).
fn open(
    file: &InputFile,
    settings: &InputSettings,
    tally: &Tally,
    digest: &Digest,
) -> std::result::Result<(FileRecords, Option<FileStamp>), Reject> {
    if file.path == Path::new("-") {
        let records = read_stream(file, Box::new(std::io::stdin()), settings, tally)?;
        return Ok((records, None));
    }
    let f =
        File::open(&file.path).map_err(|e| file_reject(file, format!("cannot be read: {e}")))?;
    let meta = f
        .metadata()
        .map_err(|e| file_reject(file, format!("cannot be read: {e}")))?;
    if meta.is_dir() {
        return Err(file_reject(file, "cannot be read: is a directory"));
    }
    let raw = Box::new(HashingRead {
        inner: f,
        digest: digest.clone(),
    });
    Ok((
        read_stream(file, raw, settings, tally)?,
        Some(FileStamp::of(&meta)),
    ))
}

/// The records of one input stream: undoes compression, picks the reader by format (from the
/// settings, or detected from `file`'s name and the first bytes), and returns its records.
pub fn read_stream(
    file: &InputFile,
    raw: Box<dyn Read + Send>,
    settings: &InputSettings,
    tally: &Tally,
) -> std::result::Result<Box<dyn Iterator<Item = ReadOutcome> + Send>, Reject> {
    let mut raw = BufReader::with_capacity(1 << 16, raw);
    // A `.warc.gz` is read member by member, so that a corrupt record costs only itself.
    let by_name = matches!(settings.format, InputFormat::Auto | InputFormat::Warc);
    let gzip = raw.fill_buf().is_ok_and(|h| h.starts_with(&[0x1f, 0x8b]));
    if by_name && gzip && file.relative.to_ascii_lowercase().ends_with(".warc.gz") {
        let records =
            warc::WarcRecords::members(file.clone(), Box::new(raw), settings, tally.clone());
        return Ok(Box::new(records));
    }
    let mut reader = compress::decompress(raw, file)?;
    let head = reader
        .fill_buf()
        .map_err(|e| file_reject(file, compress::read_error(file, &e)))?
        .to_vec();
    let format = match settings.format {
        InputFormat::Auto => formats::detect(&file.relative, &head),
        format => format,
    };
    Ok(match format {
        InputFormat::Auto | InputFormat::Text => {
            Box::new(std::iter::once(read_plain(file, reader, settings)))
        }
        InputFormat::Jsonl => Box::new(jsonl::JsonlRecords::new(file.clone(), reader, settings)),
        InputFormat::Csv => delimited::records(file.clone(), reader, settings),
        InputFormat::Trec => trec::records(file, reader, settings),
        InputFormat::Html => Box::new(std::iter::once(read_html(file, reader, settings))),
        InputFormat::Warc => Box::new(warc::WarcRecords::plain(
            file.clone(),
            reader,
            settings,
            tally.clone(),
        )),
    })
}

/// Reads a one-article file.
fn read_plain(
    file: &InputFile,
    reader: Box<dyn BufRead + Send>,
    settings: &InputSettings,
) -> ReadOutcome {
    let limit = settings.max_document_bytes;
    let bytes = compress::read_limited(reader, limit)
        .map_err(|e| file_reject(file, compress::read_error(file, &e)))?;
    if bytes.len() as u64 > limit {
        return Err(file_reject(file, too_large(limit)));
    }
    Ok(RawRecord {
        doc_id: doc_id_for(&file.relative),
        source: file.relative.clone(),
        record: String::new(),
        body: Body::Bytes(bytes),
        title: None,
        date: None,
        outlet: None,
    })
}

/// Reads a web page file.
fn read_html(
    file: &InputFile,
    reader: Box<dyn BufRead + Send>,
    settings: &InputSettings,
) -> ReadOutcome {
    let mut record = read_plain(file, reader, settings)?;
    if let Body::Bytes(bytes) = record.body {
        record.body = Body::Html(HtmlBody {
            bytes,
            charset: None,
            url: None,
        });
    }
    Ok(record)
}

/// The reason for a record over the size limit.
pub fn too_large(limit: u64) -> String {
    format!("document too large: over the limit of {limit} bytes (input.max_document_bytes)")
}

/// Decodes a record into a document (run in parallel), or rejects it; web pages are
/// extracted with `html`.
pub fn decode_record(
    record: RawRecord,
    html: &html::HtmlRules,
) -> std::result::Result<SourceDocument, Reject> {
    let RawRecord {
        doc_id,
        source,
        record,
        body,
        title,
        date,
        outlet,
    } = record;
    let reject = |reason: String| Reject {
        source: source.clone(),
        record: record.clone(),
        reason,
    };
    let mut page = None;
    let decoded = match body {
        Body::Bytes(bytes) => decode::decode(&bytes),
        Body::Decoded(d) => Ok(d),
        Body::Html(h) => decode_web_page(h, html).map(|(d, p)| {
            page = Some(p);
            d
        }),
        Body::Cached(_) => Err(
            "the file was not read again and its cache lacks this record: \
             remove the cache and run again"
                .to_string(),
        ),
    };
    let Decoded {
        text,
        encoding,
        mut flags,
    } = decoded.map_err(reject)?;
    let page = page.unwrap_or_default();
    let date = date.or(page.published);
    let published = date.as_deref().and_then(|d| {
        let parsed = parse_date(d);
        if parsed.is_none() && !d.trim().is_empty() {
            flags.push(FLAG_UNPARSED_DATE);
        }
        parsed
    });
    let mut meta = DocMeta::new(doc_id, source);
    meta.record = record;
    meta.published = published;
    meta.encoding = encoding.into();
    meta.flags = flags.join(";");
    meta.url = page.url;
    meta.author = page.author;
    let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    Ok(SourceDocument {
        meta,
        text,
        title: nonempty(title.or(page.title)),
        outlet: nonempty(outlet),
        site_name: nonempty(page.site_name),
    })
}

/// Decodes and extracts a web page: its article as the text, with the page's metadata; a
/// page without article text is rejected.
fn decode_web_page(
    h: HtmlBody,
    rules: &html::HtmlRules,
) -> std::result::Result<(Decoded, html::WebPage), String> {
    let decoded = html::decode_page(h.bytes, h.charset.as_deref())?;
    let mut page = html::extract(decoded, h.url.as_deref(), rules);
    if page.text.trim().is_empty() {
        return Err("no article: the page has no article text (an index page, or empty)".into());
    }
    let decoded = Decoded {
        text: std::mem::take(&mut page.text),
        encoding: page.encoding,
        flags: std::mem::take(&mut page.flags),
    };
    Ok((decoded, page))
}

/// Parses the dates that news inputs carry: ISO 8601 (`1994-05-27`, with or without a time),
/// `19940527`, RFC 2822, and English forms (`May 27, 1994`, `27 May 1994`), also when more
/// text follows (`January 1, 1989, Sunday, Home Edition`).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.date_naive());
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(dt.date_naive());
    }
    const FORMATS: &[&str] = &[
        "%Y-%m-%d",
        "%Y%m%d",
        "%Y/%m/%d",
        "%B %d, %Y",
        "%b %d, %Y",
        "%b. %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%B %d %Y",
    ];
    FORMATS.iter().find_map(|f| {
        NaiveDate::parse_and_remainder(s, f)
            .ok()
            .filter(|(_, rest)| rest.is_empty() || rest.starts_with([',', ' ', 'T', ';']))
            .map(|(d, _)| d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_are_what_their_components_make() {
        let cases = [
            ("in", "in/0000/a.txt"),
            ("in/", "in/0000/a.txt"),
            ("./in", "./in/0000/a.txt"),
            ("/data/news", "/data/news/2024/01/a.json"),
            ("in", "in//0000/a.txt"),
            ("in", "in/./a.txt"),
            ("in", "in/../b/a.txt"),
            ("in", "input/a.txt"),
            ("in", "other/a.txt"),
            ("in", "in"),
            ("in", "in/"),
            ("in/", "in/a b/é.txt"),
        ];
        for (root, path) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            assert_eq!(
                relative_path(root, path),
                relative_by_components(root, path),
                "{root:?} {path:?}"
            );
        }
        assert_eq!(
            plain_relative_path(Path::new("in"), Path::new("in/0000/a.txt")),
            Some("0000/a.txt")
        );
        assert_eq!(
            plain_relative_path(Path::new("in"), Path::new("in/./a.txt")),
            None
        );
    }

    /// Input settings for the files of `path` with these extensions.
    fn input_settings(path: PathBuf, extensions: &[&str]) -> InputSettings {
        InputSettings {
            path,
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
            format: Default::default(),
            fields: FieldMap {
                id: "id".into(),
                text: "text".into(),
                title: "title".into(),
                date: "date".into(),
                source: "source".into(),
            },
            max_document_bytes: 1 << 20,
            html: Default::default(),
        }
    }

    #[test]
    fn files_are_hashed_as_they_are_read() {
        // Every fixture, the broken ones included (a fake `.gz`, binary, empty): the hash
        // and size reported for a file are those of a pass of its own over it.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        let settings = input_settings(
            dir.clone(),
            &["txt", "", "jsonl", "csv", "sgml", "html", "warc"],
        );
        let mut records = Records::new(walk(&settings).unwrap(), settings);
        let mut opened = Vec::new();
        while records.next().is_some() {
            opened.append(&mut records.opened);
        }
        opened.append(&mut records.opened);
        assert!(opened.len() >= 8, "{opened:?}");
        for file in &opened {
            // A pass of its own, independent of the code under test.
            let content = fs::read(dir.join(&file.source)).unwrap();
            let bytes = content.len() as u64;
            let hash = format!("xxh3-128:{:032x}", xxhash_rust::xxh3::xxh3_128(&content));
            assert_eq!(
                (file.bytes, file.hash.as_deref()),
                (bytes, Some(hash.as_str())),
                "{}",
                file.source
            );
        }
        assert_eq!(
            records.bytes_read(),
            opened.iter().map(|f| f.bytes).sum::<u64>()
        );
    }

    #[test]
    fn files_are_walked_in_file_name_order_in_every_folder() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "b.txt",
            "B.txt",
            "a b.txt",
            "a.txt",
            "ab.txt",
            "a-b.txt",
            "\u{e9}.txt",
        ];
        for sub in ["", "x", "x/y", "a"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            for name in names {
                std::fs::write(dir.path().join(sub).join(name), "t").unwrap();
            }
        }
        let settings = input_settings(dir.path().to_path_buf(), &["txt"]);
        let walked: Vec<String> = walk(&settings)
            .unwrap()
            .map(|f| f.unwrap().relative)
            .collect();
        // Depth first, each folder's entries (files and folders alike) by their name's bytes.
        fn expected(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            entries.sort();
            for name in entries {
                let path = dir.join(&name);
                let relative = format!("{prefix}{name}");
                if path.is_dir() {
                    expected(&path, &format!("{relative}/"), out);
                } else {
                    out.push(relative);
                }
            }
        }
        let mut want = Vec::new();
        expected(dir.path(), "", &mut want);
        assert_eq!(walked, want);
    }

    #[test]
    fn doc_id_drops_only_the_extensions() {
        assert_eq!(
            doc_id_for("000_04f977ba10c1aaa3.txt"),
            "000_04f977ba10c1aaa3"
        );
        assert_eq!(doc_id_for("a/b.c/d.txt"), "a/b.c/d");
        assert_eq!(doc_id_for("a/d.txt.gz"), "a/d");
        assert_eq!(doc_id_for("noext"), "noext");
    }

    #[test]
    fn dates_in_the_forms_news_uses() {
        let d = NaiveDate::from_ymd_opt(1994, 5, 27);
        assert_eq!(parse_date("1994-05-27"), d);
        assert_eq!(parse_date("1994-05-27T10:00:00Z"), d);
        assert_eq!(parse_date("19940527"), d);
        assert_eq!(parse_date("May 27, 1994"), d);
        assert_eq!(parse_date("27 May 1994"), d);
        assert_eq!(parse_date("Fri, 27 May 1994 10:00:00 +0000"), d);
        assert_eq!(
            parse_date("January 1, 1989, Sunday, Home Edition"),
            NaiveDate::from_ymd_opt(1989, 1, 1)
        );
        assert_eq!(parse_date("last Tuesday"), None);
    }
}
