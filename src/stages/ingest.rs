//! Ingest: find the input files and read each into a [`SourceDocument`], or a [`Reject`] that
//! says why it could not be read.
//!
//! Files are visited in sorted path order, so document order (and thus every table) does not
//! depend on the file system or on thread count. The pipeline reads the files of one bounded
//! batch at a time (in parallel), never the whole corpus at once.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::model::{Reject, SourceDocument};

/// An input file found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Full path, for reading.
    pub path: PathBuf,
    /// Path relative to the input root, with `/` separators: the `source` column.
    pub relative: String,
}

/// The files to read, in sorted order, and the paths that could not even be listed.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<InputFile>,
    pub rejects: Vec<Reject>,
}

/// Finds the input files under `input` (a file or a directory, walked recursively and in
/// sorted order) whose extension is one of `extensions` (`""` matches files without one).
///
/// A missing input is a usage error; an unreadable directory or a symbolic-link loop inside it
/// becomes a reject and the walk goes on.
pub fn discover(input: &Path, extensions: &[String]) -> Result<Discovery> {
    let metadata = fs::metadata(input).map_err(|e| {
        Error::Usage(format!(
            "input path {} cannot be read: {e}",
            input.display()
        ))
    })?;
    let mut discovery = Discovery::default();
    if metadata.is_file() {
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        discovery.files.push(InputFile {
            path: input.to_path_buf(),
            relative: name,
        });
        return Ok(discovery);
    }
    let walker = WalkDir::new(input)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                if has_extension(entry.path(), extensions) {
                    discovery.files.push(InputFile {
                        relative: relative_path(input, entry.path()),
                        path: entry.into_path(),
                    });
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative_path(input, p))
                    .unwrap_or_default();
                let reason = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    match e.io_error() {
                        Some(io) => format!("cannot be read: {io}"),
                        None => e.to_string(),
                    }
                };
                discovery.rejects.push(Reject {
                    source: path,
                    record: String::new(),
                    reason,
                });
            }
        }
    }
    Ok(discovery)
}

fn has_extension(path: &Path, extensions: &[String]) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    extensions
        .iter()
        .any(|want| want.eq_ignore_ascii_case(&ext))
}

/// `path` relative to `root` with `/` separators (the path itself when it is outside `root`).
fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The document id of a file: its relative path without the extension.
pub fn doc_id_for(relative: &str) -> String {
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

/// Reads one plain-text article.
pub fn read_text_file(file: &InputFile) -> std::result::Result<SourceDocument, Reject> {
    let reject = |reason: String| Reject {
        source: file.relative.clone(),
        record: String::new(),
        reason,
    };
    let bytes = fs::read(&file.path).map_err(|e| reject(format!("cannot be read: {e}")))?;
    let text = decode(&bytes).map_err(reject)?;
    Ok(SourceDocument {
        doc_id: doc_id_for(&file.relative),
        source: file.relative.clone(),
        text,
    })
}

/// Decodes an article's bytes as UTF-8 (a byte-order mark is dropped), rejecting what is not a
/// readable article: empty or whitespace-only text, binary content, invalid UTF-8.
pub fn decode(bytes: &[u8]) -> std::result::Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(format!("binary content: NUL byte at byte {at}"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8: invalid byte sequence at byte {}",
            e.valid_up_to()
        )
    })?;
    if text.trim().is_empty() {
        return Err("empty document: no text after trimming whitespace".into());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_drops_only_the_extension() {
        assert_eq!(
            doc_id_for("000_04f977ba10c1aaa3.txt"),
            "000_04f977ba10c1aaa3"
        );
        assert_eq!(doc_id_for("a/b.c/d.txt"), "a/b.c/d");
        assert_eq!(doc_id_for("noext"), "noext");
        assert_eq!(doc_id_for(".hidden"), ".hidden");
    }

    #[test]
    fn decode_rejects_with_reasons() {
        assert_eq!(decode(b"\xEF\xBB\xBFhello").unwrap(), "hello");
        assert!(decode(b"   \n\t").unwrap_err().contains("empty"));
        assert!(decode(b"ab\0cd")
            .unwrap_err()
            .contains("NUL byte at byte 2"));
        assert!(decode(b"ok \xff bad").unwrap_err().contains("at byte 3"));
    }
}
