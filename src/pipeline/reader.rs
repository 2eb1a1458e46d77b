//! Reading: input records in input order, the shard filter, duplicate ids, and the ledger
//! that says where every record went.

use std::collections::VecDeque;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tracing::warn;
use xxhash_rust::xxh3::xxh3_128;

use super::cache;
use super::config::Settings;
use super::known_files::{NewFiles, MAX_KNOWN_RECORDS};
use super::seen_ids::SeenIds;
use crate::error::{Error, Result};
use crate::model::Reject;
use crate::sinks::manifest::InputInfo;
use crate::stages::ingest::{self, FileStamp, KnownFile, KnownFiles, RawRecord};

/// A batch closes at this many bytes of input even when it has fewer records.
const MAX_BATCH_BYTES: usize = 64 << 20;

/// Reads bounded batches of records in input order, keeping the records of this run's shard
/// and rejecting duplicate ids. It runs on a thread of its own, so it keeps no ledger: each
/// batch carries what happened while it was read, for the [`Ledger`] to record in order.
pub struct Reader<'s> {
    settings: &'s Settings,
    records: ingest::Records,
    /// Hashes of the doc_ids seen so far, for rejecting duplicates.
    seen_ids: SeenIds,
    exhausted: bool,
}

/// One batch of records, with the files opened and the records rejected while reading it.
pub struct ReadBatch {
    /// Records of this shard, each with its cache key (0 when the run is not incremental).
    pub records: Vec<(RawRecord, u128)>,
    /// Files opened and records rejected, in the order they happened.
    pub events: Vec<ReadEvent>,
    /// Bytes of the input read so far (for the progress bar).
    pub bytes_opened: u64,
    /// How long reading the batch took.
    pub took: std::time::Duration,
}

/// What happened while a batch was read, for the ledger.
pub enum ReadEvent {
    Opened(ingest::OpenedFile),
    Rejected(Reject),
    /// Reading cannot go on (the ids spilled to disk cannot be written or read).
    Failed(crate::error::Error),
}

impl<'s> Reader<'s> {
    /// Starts reading `walk`, taking the records of the files `known` knows from it; ids seen
    /// spill into `dir` (the staging directory).
    pub fn new(
        settings: &'s Settings,
        walk: ingest::Walk,
        dir: &Path,
        known: Option<std::sync::Arc<dyn KnownFiles>>,
    ) -> Self {
        Reader {
            settings,
            records: ingest::Records::new(walk, settings.input.clone()).with_known(known),
            seen_ids: SeenIds::new(dir, settings.max_ids_in_memory),
            exhausted: false,
        }
    }

    /// Reads batches until the input ends, sending each to `to` (at most one waits there, so
    /// memory stays bounded); stops early when the receiver is gone. Returns the files no
    /// reader took and the records that were not articles.
    pub fn send_batches(mut self, to: std::sync::mpsc::SyncSender<ReadBatch>) -> Skipped {
        while let Some(batch) = self.next_batch() {
            if to.send(batch).is_err() {
                break;
            }
        }
        self.skipped()
    }

    /// Files no reader took and records that were not articles, so far.
    pub fn skipped(&self) -> Skipped {
        (
            self.records.skipped_files().clone(),
            self.records.skipped_records(),
        )
    }

    /// The next batch of records of this shard; `None` once the input has ended (the batch
    /// that meets the end may be empty, and carries what happened while reading it).
    pub fn next_batch(&mut self) -> Option<ReadBatch> {
        if self.exhausted {
            return None;
        }
        let t = std::time::Instant::now();
        let settings = self.settings;
        let mut records = Vec::new();
        let mut events = Vec::new();
        let mut batch_bytes = 0;
        while records.len() < settings.batch_size && batch_bytes < MAX_BATCH_BYTES {
            let outcome = self.records.next();
            events.extend(self.records.opened.drain(..).map(ReadEvent::Opened));
            let Some(outcome) = outcome else {
                self.exhausted = true;
                break;
            };
            let record = match outcome {
                Ok(record) if self.in_shard(&record.doc_id) => record,
                Err(r) if self.in_shard(&format!("{} {}", r.source, r.record)) => {
                    events.push(ReadEvent::Rejected(r));
                    continue;
                }
                _ => continue,
            };
            let new_id = match self.seen_ids.insert(xxh3_128(record.doc_id.as_bytes())) {
                Ok(new) => new,
                Err(e) => {
                    events.push(ReadEvent::Failed(e));
                    self.exhausted = true;
                    break;
                }
            };
            if !new_id {
                let reason = format!(
                    "duplicate doc_id: `{}` was used by an earlier record",
                    record.doc_id
                );
                events.push(ReadEvent::Rejected(Reject {
                    source: record.source,
                    record: record.record,
                    reason,
                }));
                continue;
            }
            batch_bytes += record.len();
            let key = if settings.incremental {
                cache::record_key(&record)
            } else {
                0
            };
            records.push((record, key));
        }
        Some(ReadBatch {
            records,
            events,
            bytes_opened: self.records.bytes_read(),
            took: t.elapsed(),
        })
    }

    fn in_shard(&self, key: &str) -> bool {
        self.settings.shard.is_none_or(|s| s.contains(key))
    }
}

/// Files no reader took, by extension, and records that were not articles, by kind.
pub type Skipped = (
    std::collections::BTreeMap<String, u64>,
    std::collections::BTreeMap<String, u64>,
);

/// Per-input counts for the manifest; `records == documents + rejects`.
#[derive(Debug, Clone, Default)]
struct InputCounts {
    bytes: u64,
    hash: Option<String>,
    records: u64,
    documents: u64,
    rejects: u64,
    /// For the next incremental run: the file's stamp and its documents' doc_id, record and
    /// cache key (forgotten past [`MAX_KNOWN_RECORDS`]).
    stamp: Option<FileStamp>,
    known: Vec<(String, String, u128)>,
    forget: bool,
}

/// Where every record went: per-input counts and the rejects.
///
/// Inputs are kept only while records of theirs may still be in flight, then written to a
/// JSON-lines file in the staging directory (spliced into `manifest.json` at the end), so
/// memory does not grow with the number of input files.
pub struct Ledger {
    /// Inputs not yet written, in input order.
    open: VecDeque<String>,
    counts: foldhash::HashMap<String, InputCounts>,
    pub rejects: Vec<Reject>,
    done: BufWriter<fs::File>,
    done_path: PathBuf,
    /// Input files written out so far.
    pub files: u64,
    /// Input files whose records were taken from the last run instead of read, and files
    /// that grew at their end, of which only the new lines were read.
    pub unread: u64,
    pub resumed: u64,
    /// The input files read whole, for the next incremental run.
    known_files: Option<NewFiles>,
}

impl Ledger {
    /// A ledger whose finished inputs go to `dir/.inputs.jsonl`.
    pub fn new(dir: &Path) -> Result<Ledger> {
        let done_path = dir.join(".inputs.jsonl");
        let file = fs::File::create(&done_path)
            .map_err(|e| Error::io(format!("creating {}", done_path.display()), e))?;
        Ok(Ledger {
            open: VecDeque::new(),
            counts: foldhash::HashMap::default(),
            rejects: Vec::new(),
            done: BufWriter::new(file),
            done_path,
            files: 0,
            unread: 0,
            resumed: 0,
            known_files: None,
        })
    }

    /// Remembers the files read whole in `files`, for the next incremental run.
    pub fn remember_files(&mut self, files: Option<NewFiles>) {
        self.known_files = files;
    }

    /// Keeps the files remembered (after the output was committed).
    pub fn commit_files(&mut self) -> Result<()> {
        match self.known_files.take() {
            Some(files) => files.commit(),
            None => Ok(()),
        }
    }

    fn entry(&mut self, source: &str) -> &mut InputCounts {
        if !self.counts.contains_key(source) {
            self.open.push_back(source.to_string());
            self.counts
                .insert(source.to_string(), InputCounts::default());
        }
        self.counts.get_mut(source).expect("inserted above")
    }

    /// What happened while a batch was read, in order.
    pub fn record(&mut self, events: Vec<ReadEvent>) -> crate::error::Result<()> {
        for event in events {
            match event {
                ReadEvent::Opened(file) => self.opened(file),
                ReadEvent::Rejected(r) => self.reject(r),
                ReadEvent::Failed(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A file that was opened.
    fn opened(&mut self, file: ingest::OpenedFile) {
        self.unread += u64::from(file.unread);
        self.resumed += u64::from(file.resumed);
        let counts = self.entry(&file.source);
        counts.bytes = file.bytes;
        counts.hash = file.hash;
        counts.stamp = file.stamp;
    }

    /// A record that could not become a document.
    pub fn reject(&mut self, r: Reject) {
        warn!(source = %r.source, record = %r.record, reason = %r.reason, "rejected");
        let counts = self.entry(&r.source);
        counts.records += 1;
        counts.rejects += 1;
        self.rejects.push(r);
    }

    /// A record that became a document; `record` gives its doc_id, record and cache key,
    /// when the run remembers files.
    pub fn document(&mut self, source: &str, record: impl FnOnce() -> (String, String, u128)) {
        let remember = self.known_files.is_some();
        let counts = self.entry(source);
        counts.records += 1;
        counts.documents += 1;
        if remember && !counts.forget {
            counts.known.push(record());
            if counts.known.len() > MAX_KNOWN_RECORDS {
                counts.forget = true;
                counts.known = Vec::new();
            }
        }
    }

    /// Writes out every input but the last `keep` (whose records may still come).
    pub fn flush(&mut self, keep: usize) -> Result<()> {
        while self.open.len() > keep {
            let Some(source) = self.open.pop_front() else {
                break;
            };
            let mut c = self.counts.remove(&source).unwrap_or_default();
            self.remember(&source, &mut c)?;
            let info = InputInfo {
                source,
                bytes: c.bytes,
                content_hash: c.hash,
                records: c.records,
                documents: c.documents,
                rejects: c.rejects,
            };
            let line = serde_json::to_string(&info).unwrap_or_default();
            writeln!(self.done, "{line}")
                .map_err(|e| Error::io(format!("writing {}", self.done_path.display()), e))?;
            self.files += 1;
        }
        Ok(())
    }

    /// Remembers an input read whole whose every record became a document.
    fn remember(&mut self, source: &str, c: &mut InputCounts) -> Result<()> {
        let (Some(files), Some(stamp), Some(hash)) = (&mut self.known_files, c.stamp, &c.hash)
        else {
            return Ok(());
        };
        if c.forget || c.rejects > 0 {
            return Ok(());
        }
        let file = KnownFile {
            bytes: c.bytes,
            hash: hash.clone(),
            records: std::mem::take(&mut c.known),
        };
        files.add(source, &stamp, &file)
    }

    /// Writes out every input; returns the file of JSON lines.
    pub fn finish(&mut self) -> Result<PathBuf> {
        self.flush(0)?;
        self.done
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.done_path.display()), e))?;
        Ok(self.done_path.clone())
    }
}
