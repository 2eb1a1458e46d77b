//! The staging directory: a run writes beside its output and swaps the result in only when
//! everything was written, under a lock that keeps a second run out.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A directory beside the output where a run writes, renamed over the output on success.
///
/// It holds an exclusive lock on `.NAME.lock` beside the output for the whole run, so that a
/// second run on the same output refuses instead of interleaving; the lock goes with the
/// process, also when it is killed.
pub struct Staging {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
    _lock: fs::File,
}

impl Staging {
    /// Locks the output and creates the staging directory beside it.
    pub fn create(target: &Path) -> Result<Staging> {
        if target.exists() {
            if !target.is_dir() {
                return Err(Error::Usage(format!(
                    "output {} exists and is not a directory",
                    target.display()
                )));
            }
            let is_ours = target.join("manifest.json").is_file();
            let is_empty = fs::read_dir(target)
                .map_err(|e| Error::io(format!("reading {}", target.display()), e))?
                .next()
                .is_none();
            if !is_ours && !is_empty {
                return Err(Error::Usage(format!(
                    "output directory {} is not empty and holds no manifest.json: \
                     refusing to replace what is not a newsetl output",
                    target.display()
                )));
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());

        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(format!("creating {}", lock_path.display()), e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Run(format!(
                    "another newsetl run is writing {} (lock {} is held)",
                    target.display(),
                    lock_path.display()
                )))
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("locking {}", lock_path.display()), e))
            }
        }

        // Staging directories and new cache files left by killed runs: nobody else holds the
        // lock, so remove them.
        let prefix = format!(".{name}.staging-");
        let cache = format!(".{name}.cache");
        if let Ok(entries) = fs::read_dir(&parent) {
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if file_name.starts_with(&prefix) {
                    let _ = fs::remove_dir_all(entry.path());
                } else if file_name.starts_with(&cache) && file_name.contains("-new-") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        let path = parent.join(format!("{prefix}{}", std::process::id()));
        fs::create_dir(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Staging {
            path,
            target: target.to_path_buf(),
            committed: false,
            _lock: lock,
        })
    }

    /// Where tables are written until [`Staging::commit`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Swaps the staging directory in for the output.
    pub fn commit(mut self) -> Result<()> {
        let old = self.path.with_extension("old");
        if self.target.exists() {
            fs::rename(&self.target, &old)
                .map_err(|e| Error::io(format!("moving {} aside", self.target.display()), e))?;
        }
        fs::rename(&self.path, &self.target)
            .map_err(|e| Error::io(format!("moving output into {}", self.target.display()), e))?;
        self.committed = true;
        if old.exists() {
            remove_dir_side_by_side(&old)
                .map_err(|e| Error::io(format!("removing {}", old.display()), e))?;
        }
        Ok(())
    }
}

/// Removes a directory, its entries on the workers side by side: freeing a large table's
/// blocks takes the file system a while, and an output holds several.
fn remove_dir_side_by_side(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|path| {
        if fs::symlink_metadata(path)?.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        }
    })?;
    fs::remove_dir(dir)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}
