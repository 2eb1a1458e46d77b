//! Reading: input records in input order, the shard filter, duplicate ids, and the ledger
//! that says where every record went.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tracing::warn;
use xxhash_rust::xxh3::xxh3_128;

use super::cache;
use super::config::Settings;
use crate::error::{Error, Result};
use crate::model::Reject;
use crate::sinks::manifest::InputInfo;
use crate::stages::ingest::{self, RawRecord};

/// A batch closes at this many bytes of input even when it has fewer records.
const MAX_BATCH_BYTES: usize = 64 << 20;

/// Reads bounded batches of records in input order, keeping the records of this run's shard
/// and rejecting duplicate ids; every record read is accounted for in the [`Ledger`].
pub struct Reader<'s> {
    settings: &'s Settings,
    records: ingest::Records,
    /// Hashes of the doc_ids seen so far: 16 bytes a document, for rejecting duplicates.
    seen_ids: HashSet<u128>,
    pub ledger: Ledger,
    exhausted: bool,
}

impl<'s> Reader<'s> {
    /// Starts reading `walk`; the ledger's scratch file goes to `dir`.
    pub fn new(settings: &'s Settings, walk: ingest::Walk, dir: &Path) -> Result<Self> {
        Ok(Reader {
            settings,
            records: ingest::Records::new(walk, settings.input.clone()),
            seen_ids: HashSet::new(),
            ledger: Ledger::new(dir)?,
            exhausted: false,
        })
    }

    /// Whether every record has been read.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// Bytes of the input files opened so far (for the progress bar).
    pub fn bytes_opened(&self) -> u64 {
        self.records.bytes_opened
    }

    /// The next batch of records of this shard, each with its cache key (0 when the run is
    /// not incremental). Rejects go to the ledger.
    pub fn next_batch(&mut self) -> Vec<(RawRecord, u128)> {
        let settings = self.settings;
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        while batch.len() < settings.batch_size && batch_bytes < MAX_BATCH_BYTES {
            let outcome = self.records.next();
            for file in self.records.opened.drain(..) {
                self.ledger.opened(file);
            }
            let Some(outcome) = outcome else {
                self.exhausted = true;
                break;
            };
            let record = match outcome {
                Ok(record) if self.in_shard(&record.doc_id) => record,
                Err(r) if self.in_shard(&format!("{} {}", r.source, r.record)) => {
                    self.ledger.reject(r);
                    continue;
                }
                _ => continue,
            };
            if !self.seen_ids.insert(xxh3_128(record.doc_id.as_bytes())) {
                let reason = format!(
                    "duplicate doc_id: `{}` was used by an earlier record",
                    record.doc_id
                );
                self.ledger.reject(Reject {
                    source: record.source,
                    record: record.record,
                    reason,
                });
                continue;
            }
            batch_bytes += record.len();
            let key = if settings.incremental {
                cache::record_key(&record)
            } else {
                0
            };
            batch.push((record, key));
        }
        batch
    }

    /// Files no reader took, by extension, and records that were not articles, by kind.
    pub fn skipped(
        &self,
    ) -> (
        std::collections::BTreeMap<String, u64>,
        std::collections::BTreeMap<String, u64>,
    ) {
        (
            self.records.skipped_files().clone(),
            self.records.skipped_records(),
        )
    }

    fn in_shard(&self, key: &str) -> bool {
        self.settings.shard.is_none_or(|s| s.contains(key))
    }
}

/// Per-input counts for the manifest; `records == documents + rejects`.
#[derive(Debug, Clone, Default)]
struct InputCounts {
    bytes: u64,
    hash: Option<String>,
    records: u64,
    documents: u64,
    rejects: u64,
}

/// Where every record went: per-input counts and the rejects.
///
/// Inputs are kept only while records of theirs may still be in flight, then written to a
/// JSON-lines file in the staging directory (spliced into `manifest.json` at the end), so
/// memory does not grow with the number of input files.
pub struct Ledger {
    /// Inputs not yet written, in input order.
    open: VecDeque<String>,
    counts: HashMap<String, InputCounts>,
    pub rejects: Vec<Reject>,
    done: BufWriter<fs::File>,
    done_path: PathBuf,
    /// Input files written out so far.
    pub files: u64,
}

impl Ledger {
    /// A ledger whose finished inputs go to `dir/.inputs.jsonl`.
    pub fn new(dir: &Path) -> Result<Ledger> {
        let done_path = dir.join(".inputs.jsonl");
        let file = fs::File::create(&done_path)
            .map_err(|e| Error::io(format!("creating {}", done_path.display()), e))?;
        Ok(Ledger {
            open: VecDeque::new(),
            counts: HashMap::new(),
            rejects: Vec::new(),
            done: BufWriter::new(file),
            done_path,
            files: 0,
        })
    }

    fn entry(&mut self, source: &str) -> &mut InputCounts {
        if !self.counts.contains_key(source) {
            self.open.push_back(source.to_string());
            self.counts
                .insert(source.to_string(), InputCounts::default());
        }
        self.counts.get_mut(source).expect("inserted above")
    }

    /// A file that was opened.
    fn opened(&mut self, file: ingest::OpenedFile) {
        let counts = self.entry(&file.source);
        counts.bytes = file.bytes;
        counts.hash = file.hash;
    }

    /// A record that could not become a document.
    pub fn reject(&mut self, r: Reject) {
        warn!(source = %r.source, record = %r.record, reason = %r.reason, "rejected");
        let counts = self.entry(&r.source);
        counts.records += 1;
        counts.rejects += 1;
        self.rejects.push(r);
    }

    /// A record that became a document.
    pub fn document(&mut self, source: &str) {
        let counts = self.entry(source);
        counts.records += 1;
        counts.documents += 1;
    }

    /// Writes out every input but the last `keep` (whose records may still come).
    pub fn flush(&mut self, keep: usize) -> Result<()> {
        while self.open.len() > keep {
            let Some(source) = self.open.pop_front() else {
                break;
            };
            let c = self.counts.remove(&source).unwrap_or_default();
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

    /// Writes out every input; returns the file of JSON lines.
    pub fn finish(&mut self) -> Result<PathBuf> {
        self.flush(0)?;
        self.done
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.done_path.display()), e))?;
        Ok(self.done_path.clone())
    }
}
