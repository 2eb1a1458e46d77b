//! The doc_ids read so far, for rejecting duplicates, in bounded memory: the 128-bit hashes
//! of the latest ids are held in a set; past `[run] max_ids_in_memory` they are sorted and
//! written to a run file in the staging directory, with a Bloom filter of them kept in
//! memory (10 bits an id), so that an id is looked up on disk (a binary search) only when the
//! filter says it may be there (about 1 in 100 new ids). Memory is then the set's bound plus
//! 10 bits an id seen.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use foldhash::HashSet;

use crate::error::{Error, Result};

/// The ids seen so far.
pub struct SeenIds {
    recent: HashSet<u128>,
    bound: usize,
    dir: PathBuf,
    runs: Vec<Run>,
}

/// Sorted ids in a file, and a Bloom filter of them.
struct Run {
    path: PathBuf,
    file: File,
    len: u64,
    bloom: Bloom,
}

impl SeenIds {
    /// No id seen yet; runs go into `dir` (the staging directory).
    pub fn new(dir: &Path, bound: usize) -> SeenIds {
        SeenIds {
            recent: HashSet::default(),
            bound: bound.max(1),
            dir: dir.to_path_buf(),
            runs: Vec::new(),
        }
    }

    /// Records `id`; returns whether it was new.
    pub fn insert(&mut self, id: u128) -> Result<bool> {
        if self.recent.contains(&id) {
            return Ok(false);
        }
        for run in &self.runs {
            if run.contains(id)? {
                return Ok(false);
            }
        }
        self.recent.insert(id);
        if self.recent.len() > self.bound {
            self.spill()?;
        }
        Ok(true)
    }

    /// Writes the ids in memory to a new run.
    fn spill(&mut self) -> Result<()> {
        let mut ids: Vec<u128> = self.recent.drain().collect();
        ids.sort_unstable();
        let path = self.dir.join(format!(".ids-{}.run", self.runs.len()));
        self.runs.push(Run::write(path, &ids)?);
        self.recent.shrink_to(self.bound);
        Ok(())
    }
}

impl Drop for SeenIds {
    fn drop(&mut self) {
        for run in &self.runs {
            let _ = std::fs::remove_file(&run.path);
        }
    }
}

impl Run {
    fn write(path: PathBuf, ids: &[u128]) -> Result<Run> {
        let failed = |e: std::io::Error| Error::io(format!("writing {}", path.display()), e);
        let file = File::create(&path).map_err(failed)?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let mut bloom = Bloom::new(ids.len());
        for &id in ids {
            writer.write_all(&id.to_le_bytes()).map_err(failed)?;
            bloom.add(id);
        }
        writer.flush().map_err(failed)?;
        let file = File::open(&path).map_err(failed)?;
        Ok(Run {
            path,
            file,
            len: ids.len() as u64,
            bloom,
        })
    }

    fn id_at(&self, k: u64) -> Result<u128> {
        let mut bytes = [0u8; 16];
        self.file
            .read_exact_at(&mut bytes, k * 16)
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?;
        Ok(u128::from_le_bytes(bytes))
    }

    fn contains(&self, id: u128) -> Result<bool> {
        if !self.bloom.may_contain(id) {
            return Ok(false);
        }
        let (mut low, mut high) = (0, self.len);
        while low < high {
            let mid = low + (high - low) / 2;
            match self.id_at(mid)?.cmp(&id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Ok(true),
            }
        }
        Ok(false)
    }
}

/// A Bloom filter of 128-bit hashes: 10 bits an id and 7 probes (about 1% false positives),
/// the probes taken from the hash's own bits.
struct Bloom {
    bits: Vec<u64>,
}

impl Bloom {
    fn new(ids: usize) -> Bloom {
        Bloom {
            bits: vec![0; (ids * 10).div_ceil(64).max(1)],
        }
    }

    fn probes(&self, id: u128) -> impl Iterator<Item = usize> {
        let n = (self.bits.len() * 64) as u64;
        let (h1, h2) = (id as u64, (id >> 64) as u64 | 1);
        (0..7u64).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) % n) as usize)
    }

    fn add(&mut self, id: u128) {
        for bit in self.probes(id).collect::<Vec<_>>() {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
    }

    fn may_contain(&self, id: u128) -> bool {
        self.probes(id)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found_in_memory_and_in_spilled_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = SeenIds::new(dir.path(), 5);
        let ids: Vec<u128> = (0..200u128)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
            .collect();
        for &id in &ids {
            assert!(seen.insert(id).unwrap());
        }
        assert!(seen.runs.len() > 30, "{} runs", seen.runs.len());
        for &id in &ids {
            assert!(!seen.insert(id).unwrap(), "{id} seen again");
        }
        for i in 0..200u128 {
            assert!(seen.insert(i * 7 + 3_000_000).unwrap());
        }
        let runs: Vec<PathBuf> = seen.runs.iter().map(|r| r.path.clone()).collect();
        drop(seen);
        assert!(runs.iter().all(|p| !p.exists()));
    }
}
