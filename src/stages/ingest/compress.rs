//! Compressed inputs: gzip and zstd, recognised by their magic bytes and streamed.

use std::io::{BufRead, BufReader, Read};

use super::{file_reject, InputFile};
use crate::model::Reject;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// `name` without a trailing `.gz` or `.zst`.
pub fn strip_extension(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for ext in [".gz", ".zst"] {
        if lower.ends_with(ext) {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// Wraps `reader` in a decompressor when its first bytes say gzip or zstd. A file named `.gz`
/// or `.zst` whose bytes say otherwise is rejected: it only claims to be compressed.
pub fn decompress<R: BufRead + Send + 'static>(
    mut reader: R,
    file: &InputFile,
) -> Result<Box<dyn BufRead + Send>, Reject> {
    let head = reader
        .fill_buf()
        .map_err(|e| file_reject(file, format!("cannot be read: {e}")))?;
    let lower = file.relative.to_ascii_lowercase();
    if head.starts_with(GZIP_MAGIC) {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        return Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)));
    }
    if head.starts_with(ZSTD_MAGIC) {
        let decoder = zstd::stream::read::Decoder::with_buffer(reader)
            .map_err(|e| file_reject(file, format!("cannot start zstd decoding: {e}")))?;
        return Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)));
    }
    if lower.ends_with(".gz") {
        return Err(file_reject(
            file,
            "not gzip data: named .gz but has no gzip header",
        ));
    }
    if lower.ends_with(".zst") {
        return Err(file_reject(
            file,
            "not zstd data: named .zst but has no zstd header",
        ));
    }
    Ok(Box::new(reader) as Box<dyn BufRead + Send>)
}

/// A reason for a read error, naming truncated compressed streams plainly.
pub fn read_error(file: &InputFile, e: &std::io::Error) -> String {
    let lower = file.relative.to_ascii_lowercase();
    let compressed = lower.ends_with(".gz") || lower.ends_with(".zst");
    if compressed || e.kind() == std::io::ErrorKind::UnexpectedEof {
        format!("truncated or corrupt compressed stream: {e}")
    } else {
        format!("cannot be read: {e}")
    }
}

/// Reads everything, up to `limit` bytes (one more tells the caller the limit was passed).
pub fn read_limited(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
