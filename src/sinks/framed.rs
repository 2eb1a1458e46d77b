//! Files of records that newsetl writes for itself and reads back in order: the documents a
//! run parks, a shard's open words, sorted pairs. Variable entries are bincode after their
//! length (`u64`, little-endian); a file that ends inside a record is an error naming it,
//! never read as a shorter file.

use std::io::{Read, Write};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

const CONFIG: bincode::config::Configuration = bincode::config::standard();

/// Fills `record` from `reader`: `false` at a clean end of the file (nothing left), an error
/// when the file ends inside the record.
pub fn read_record(reader: &mut impl Read, record: &mut [u8], path: &Path) -> Result<bool> {
    let mut filled = 0;
    while filled < record.len() {
        match reader.read(&mut record[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }
    match filled {
        0 => Ok(false),
        n if n == record.len() => Ok(true),
        n => Err(Error::Usage(format!(
            "{}: the file ends inside a record ({n} of {} bytes): it is damaged",
            path.display(),
            record.len()
        ))),
    }
}

/// Writes `value` as one entry; `buffer` is scratch space kept between calls.
pub fn write_entry(
    writer: &mut impl Write,
    value: &impl Serialize,
    buffer: &mut Vec<u8>,
    path: &Path,
) -> Result<()> {
    buffer.clear();
    bincode::serde::encode_into_std_write(value, buffer, CONFIG)
        .map_err(|e| Error::Run(format!("encoding an entry of {}: {e}", path.display())))?;
    writer
        .write_all(&(buffer.len() as u64).to_le_bytes())
        .and_then(|()| writer.write_all(buffer))
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Reads the next entry; `None` at the end of the file.
pub fn read_entry<T: DeserializeOwned>(
    reader: &mut impl Read,
    buffer: &mut Vec<u8>,
    path: &Path,
) -> Result<Option<T>> {
    let mut length = [0u8; 8];
    if !read_record(reader, &mut length, path)? {
        return Ok(None);
    }
    buffer.resize(u64::from_le_bytes(length) as usize, 0);
    if !read_record(reader, buffer, path)? && !buffer.is_empty() {
        return Err(Error::Usage(format!(
            "{}: the file ends inside a record: it is damaged",
            path.display()
        )));
    }
    bincode::serde::decode_from_slice(buffer, CONFIG)
        .map(|(value, _)| Some(value))
        .map_err(|e| Error::Usage(format!("{}: damaged entry: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_back_and_a_cut_file_is_refused() {
        let path = Path::new("test.bin");
        let (mut bytes, mut buffer) = (Vec::new(), Vec::new());
        for value in ["one", "", "three"] {
            write_entry(&mut bytes, &value.to_string(), &mut buffer, path).unwrap();
        }
        let mut reader = bytes.as_slice();
        let mut read = Vec::new();
        while let Some(value) = read_entry::<String>(&mut reader, &mut buffer, path).unwrap() {
            read.push(value);
        }
        assert_eq!(read, ["one", "", "three"]);
        let mut cut = &bytes[..bytes.len() - 2];
        let first: Option<String> = read_entry(&mut cut, &mut buffer, path).unwrap();
        assert_eq!(first.as_deref(), Some("one"));
        read_entry::<String>(&mut cut, &mut buffer, path).unwrap();
        let error = read_entry::<String>(&mut cut, &mut buffer, path).unwrap_err();
        assert!(
            error.to_string().contains("ends inside a record"),
            "{error}"
        );
    }
}
