//! Co-occurring pairs beyond memory: when the corpus totals hold more pairs than a bound
//! (`[run] max_pairs_in_memory`), they are sorted by pair and written to a run file in the
//! staging directory, and the map starts again; at the end the runs and what is left are
//! merged, totals of the same pair summed. The `cooccurrence` table is ordered by sentences
//! shared, so its rows are sorted again, in chunks of the bound that are written as runs and
//! merged while the table is written. Memory then holds the bound's pairs, never the corpus's.
//!
//! A run is a file of fixed records: the pair's two ids, its sentences and documents, four
//! little-endian `u64`s.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use foldhash::HashMap;
use rayon::prelude::*;

use super::PairTotal;
use crate::error::{Error, Result};
use crate::lexicon::EntityId;
use crate::sinks::framed::read_record;

/// A pair and its totals.
pub type PairEntry = ((EntityId, EntityId), PairTotal);

const RECORD: usize = 32;

/// A path for a new run file in `dir`, never the same twice in a process (runs of several
/// sorts can be open at once).
pub fn run_path(dir: &Path) -> PathBuf {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!(".pairs-{n}.run"))
}

/// The sorted runs that pairs were spilled to.
#[derive(Debug)]
pub struct PairRuns {
    dir: PathBuf,
    /// How many pairs memory holds before a spill.
    pub bound: usize,
    /// Each run, and whether it was written here (and so is removed after use).
    runs: Vec<(PathBuf, bool)>,
}

/// The file of a shard's pairs, sorted by pair, for the merge.
pub const PAIRS_FILE: &str = "pairs.bin";

/// How many pairs memory holds by default (about 40 bytes each in the map).
pub const DEFAULT_MAX_PAIRS: usize = 1_000_000;

impl PairRuns {
    /// No runs yet; they will be written into `dir` (the staging directory).
    pub fn new(dir: &Path, bound: usize) -> PairRuns {
        PairRuns {
            dir: dir.to_path_buf(),
            bound: bound.max(1),
            runs: Vec::new(),
        }
    }

    /// Spills `pairs` to a new run when it holds more than the bound.
    pub fn spill_if_full(
        &mut self,
        pairs: &mut HashMap<(EntityId, EntityId), PairTotal>,
    ) -> Result<()> {
        if pairs.len() <= self.bound {
            return Ok(());
        }
        let mut sorted: Vec<PairEntry> = pairs.drain().collect();
        sorted.sort_unstable_by_key(|e| e.0);
        let path = run_path(&self.dir);
        write_run(&path, sorted.into_iter().map(Ok))?;
        self.runs.push((path, true));
        Ok(())
    }

    /// Adds a run written elsewhere (a shard's pairs), sorted by pair.
    pub fn add_sorted_file(&mut self, path: PathBuf) {
        self.runs.push((path, false));
    }

    /// Adds a run sorted by pair that is removed after use, like a spilled one.
    pub fn add_owned_file(&mut self, path: PathBuf) {
        self.runs.push((path, true));
    }

    /// Every pair, from the runs and `rest`, by pair, totals of a pair summed.
    pub fn merged(
        self,
        rest: HashMap<(EntityId, EntityId), PairTotal>,
    ) -> Result<impl Iterator<Item = Result<PairEntry>>> {
        let mut in_memory: Vec<PairEntry> = rest.into_iter().collect();
        // Each pair once: an unstable sort on the workers gives the one order.
        in_memory.par_sort_unstable_by_key(|e| e.0);
        let mut sources: Vec<Box<dyn Iterator<Item = Result<PairEntry>>>> =
            vec![Box::new(in_memory.into_iter().map(Ok))];
        for (path, _) in &self.runs {
            sources.push(Box::new(RunReader::open(path)?));
        }
        let merged = KWay::new(sources, |e: &PairEntry| e.0)?;
        let written_here = self.runs.into_iter().filter(|r| r.1).map(|r| r.0);
        Ok(Merged {
            pairs: SumEqual {
                inner: merged,
                next: None,
            },
            files: written_here.collect(),
        })
    }
}

/// Every pair, merged from the runs; removes the runs it wrote when dropped.
struct Merged<I> {
    pairs: I,
    files: Vec<PathBuf>,
}

impl<I: Iterator<Item = Result<PairEntry>>> Iterator for Merged<I> {
    type Item = Result<PairEntry>;

    fn next(&mut self) -> Option<Result<PairEntry>> {
        self.pairs.next()
    }
}

impl<I> Drop for Merged<I> {
    fn drop(&mut self) {
        for path in &self.files {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes the pairs of `entries` (in the order given) to a run file.
pub fn write_run(path: &Path, entries: impl Iterator<Item = Result<PairEntry>>) -> Result<()> {
    let mut writer = RunWriter::create(path)?;
    for entry in entries {
        writer.push(entry?)?;
    }
    writer.finish()
}

/// A run file being written, pair by pair.
pub struct RunWriter {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl RunWriter {
    /// Creates the file.
    pub fn create(path: &Path) -> Result<RunWriter> {
        let file =
            File::create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(RunWriter {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Writes one pair.
    pub fn push(&mut self, ((a, b), t): PairEntry) -> Result<()> {
        let mut record = [0u8; RECORD];
        for (k, v) in [a, b, t.sentences, t.documents].into_iter().enumerate() {
            record[k * 8..k * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        self.writer
            .write_all(&record)
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }
}

/// Reads a run file back, record by record.
pub struct RunReader {
    path: PathBuf,
    reader: BufReader<File>,
}

impl RunReader {
    /// Opens a run file.
    pub fn open(path: &Path) -> Result<RunReader> {
        let file =
            File::open(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Ok(RunReader {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(1 << 16, file),
        })
    }
}

impl Iterator for RunReader {
    type Item = Result<PairEntry>;

    fn next(&mut self) -> Option<Result<PairEntry>> {
        let mut record = [0u8; RECORD];
        match read_record(&mut self.reader, &mut record, &self.path) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(e)),
        }
        let v =
            |k: usize| u64::from_le_bytes(record[k * 8..k * 8 + 8].try_into().unwrap_or_default());
        let total = PairTotal {
            sentences: v(2),
            documents: v(3),
        };
        Some(Ok(((v(0), v(1)), total)))
    }
}

/// A merge of sources sorted by `key` into one sorted stream (ties by source, so stable);
/// each source's next entry is keyed once.
struct KWay<K, F> {
    sources: Vec<Box<dyn Iterator<Item = Result<PairEntry>>>>,
    heap: BinaryHeap<std::cmp::Reverse<(K, usize, PairEntry)>>,
    key: F,
}

impl<K: Ord, F: Fn(&PairEntry) -> K> KWay<K, F> {
    fn new(mut sources: Vec<Box<dyn Iterator<Item = Result<PairEntry>>>>, key: F) -> Result<Self> {
        let mut heap = BinaryHeap::new();
        for (source, iter) in sources.iter_mut().enumerate() {
            if let Some(entry) = iter.next().transpose()? {
                heap.push(std::cmp::Reverse((key(&entry), source, entry)));
            }
        }
        Ok(KWay { sources, heap, key })
    }
}

impl<K: Ord, F: Fn(&PairEntry) -> K> Iterator for KWay<K, F> {
    type Item = Result<PairEntry>;

    fn next(&mut self) -> Option<Result<PairEntry>> {
        let std::cmp::Reverse((_, source, entry)) = self.heap.pop()?;
        match self.sources[source].next().transpose() {
            Ok(Some(next)) => {
                let key = (self.key)(&next);
                self.heap.push(std::cmp::Reverse((key, source, next)));
            }
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
        Some(Ok(entry))
    }
}

/// Sums the totals of equal pairs that come one after another.
struct SumEqual<I> {
    inner: I,
    next: Option<PairEntry>,
}

impl<I: Iterator<Item = Result<PairEntry>>> Iterator for SumEqual<I> {
    type Item = Result<PairEntry>;

    fn next(&mut self) -> Option<Result<PairEntry>> {
        let mut current = match self.next.take() {
            Some(entry) => entry,
            None => match self.inner.next()? {
                Ok(entry) => entry,
                Err(e) => return Some(Err(e)),
            },
        };
        loop {
            match self.inner.next() {
                Some(Ok(entry)) if entry.0 == current.0 => {
                    current.1.sentences += entry.1.sentences;
                    current.1.documents += entry.1.documents;
                }
                Some(Ok(entry)) => {
                    self.next = Some(entry);
                    break;
                }
                Some(Err(e)) => return Some(Err(e)),
                None => break,
            }
        }
        Some(Ok(current))
    }
}

/// Puts `pairs` in the order of `key`, holding at most `bound` of them at once: each chunk
/// is sorted (each key computed once) and, when there is more than one, written as a run
/// into `dir`; the runs are then merged. Calls `emit` with the pairs in order.
pub fn sort_externally<K: Ord + Send>(
    pairs: impl Iterator<Item = Result<PairEntry>>,
    key: impl Fn(&PairEntry) -> K + Copy + Sync,
    (dir, bound): (&Path, usize),
    mut emit: impl FnMut(PairEntry) -> Result<()>,
) -> Result<()> {
    let bound = bound.max(1);
    let mut chunk: Vec<PairEntry> = Vec::new();
    let mut runs: Vec<PathBuf> = Vec::new();
    for entry in pairs {
        chunk.push(entry?);
        if chunk.len() >= bound {
            sort_stably(&mut chunk, key);
            let path = run_path(dir);
            write_run(&path, chunk.drain(..).map(Ok))?;
            runs.push(path);
        }
    }
    sort_stably(&mut chunk, key);
    if runs.is_empty() {
        return chunk.into_iter().try_for_each(emit);
    }
    let mut sources: Vec<Box<dyn Iterator<Item = Result<PairEntry>>>> =
        vec![Box::new(chunk.into_iter().map(Ok))];
    for path in &runs {
        sources.push(Box::new(RunReader::open(path)?));
    }
    for entry in KWay::new(sources, key)? {
        emit(entry?)?;
    }
    for path in runs {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Sorts `entries` by `key`, equal keys in their order, as `sort_by_cached_key` does, on the
/// workers (each key computed once, the entries permuted in place: no second copy).
fn sort_stably<K: Ord + Send>(entries: &mut [PairEntry], key: impl Fn(&PairEntry) -> K + Sync) {
    entries.par_sort_by_cached_key(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(sentences: u64) -> PairTotal {
        PairTotal {
            sentences,
            documents: 1,
        }
    }

    #[test]
    fn sorting_on_the_workers_keeps_equal_keys_in_their_order() {
        // Keys with many ties: the order among equal keys is the entries' order, as in
        // `sort_by_cached_key`.
        let entries: Vec<PairEntry> = (0..5_000u64)
            .map(|i| ((i * 7919 % 4_999, i), total(i * 31 % 13)))
            .collect();
        let key = |e: &PairEntry| (std::cmp::Reverse(e.1.sentences), e.0 .0 % 17);
        let mut expected = entries.clone();
        expected.sort_by_cached_key(key);
        let mut sorted = entries;
        sort_stably(&mut sorted, key);
        assert_eq!(sorted, expected);
    }

    #[test]
    fn spilled_runs_merge_to_the_sums_of_one_map() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = PairRuns::new(dir.path(), 3);
        let mut map: HashMap<(EntityId, EntityId), PairTotal> = HashMap::default();
        let mut whole: std::collections::BTreeMap<(EntityId, EntityId), PairTotal> =
            Default::default();
        for i in 0..40u64 {
            let key = (i % 7, 10 + i % 5);
            let t = map.entry(key).or_default();
            t.sentences += i;
            t.documents += 1;
            let t = whole.entry(key).or_default();
            t.sentences += i;
            t.documents += 1;
            runs.spill_if_full(&mut map).unwrap();
        }
        assert!(runs.runs.len() > 3, "{} runs", runs.runs.len());
        let merged: Vec<PairEntry> = runs.merged(map).unwrap().map(Result::unwrap).collect();
        assert_eq!(merged, whole.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn sorting_in_chunks_gives_the_order_of_one_sort() {
        let dir = tempfile::tempdir().unwrap();
        let pairs: Vec<PairEntry> = (0..50u64)
            .map(|i| ((i, i + 1), total(i * 7 % 11)))
            .collect();
        let key = |e: &PairEntry| (std::cmp::Reverse(e.1.sentences), e.0);
        let mut expected = pairs.clone();
        expected.sort_by_key(key);
        for bound in [1, 4, 50, 100] {
            let mut got = Vec::new();
            let source = pairs.clone().into_iter().map(Ok);
            sort_externally(source, key, (dir.path(), bound), |e| {
                got.push(e);
                Ok(())
            })
            .unwrap();
            assert_eq!(got, expected, "bound {bound}");
        }
    }
}
