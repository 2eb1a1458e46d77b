//! CSV with a header row: the same field mapping as JSONL; quoted fields may span lines.

use std::io::BufRead;

use super::decode::{check_text, decode};
use super::{
    compress, file_reject, too_large, Body, InputFile, InputSettings, RawRecord, ReadOutcome,
};
use crate::model::Reject;

/// The records of one CSV stream.
pub fn records(
    file: InputFile,
    reader: Box<dyn BufRead + Send>,
    settings: &InputSettings,
) -> Box<dyn Iterator<Item = ReadOutcome> + Send> {
    let mut csv = ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Box::new(std::iter::once(Err(file_reject(
                &file,
                format!("CSV header cannot be read: {e}"),
            ))))
        }
    };
    let column = |name: &str| {
        headers.iter().position(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                == name
        })
    };
    let fields = &settings.fields;
    let Some(text_col) = column(&fields.text) else {
        return Box::new(std::iter::once(Err(file_reject(
            &file,
            format!(
                "missing text column: CSV header has no `{}` column (input.fields.text)",
                fields.text
            ),
        ))));
    };
    let id_col = column(&fields.id);
    let title_col = column(&fields.title);
    let date_col = column(&fields.date);
    let source_col = column(&fields.source);
    let limit = settings.max_document_bytes;
    let width = headers.len();
    let mut failed = false;
    Box::new(csv.into_byte_records().map_while(move |row| {
        if failed {
            return None;
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                failed = true;
                let line = e.position().map_or(0, |p| p.line());
                let reason = match e.kind() {
                    ::csv::ErrorKind::Io(io) => compress::read_error(&file, io),
                    _ => format!("CSV cannot be parsed: {e}"),
                };
                return Some(Err(Reject {
                    source: file.relative.clone(),
                    record: format!("line {line}"),
                    reason,
                }));
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let reject = |reason: String| Reject {
            source: file.relative.clone(),
            record: format!("line {line}"),
            reason,
        };
        if row.len() != width {
            return Some(Err(reject(format!(
                "missing fields: row has {} fields, the header has {width}",
                row.len()
            ))));
        }
        let field = |col: Option<usize>| {
            col.and_then(|c| row.get(c))
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let text = row.get(text_col).unwrap_or_default();
        if text.len() as u64 > limit {
            return Some(Err(reject(too_large(limit))));
        }
        let decoded = match std::str::from_utf8(text) {
            Ok(s) => check_text(s.to_string()),
            Err(_) => decode(text),
        };
        let decoded = match decoded {
            Ok(d) => d,
            Err(reason) => return Some(Err(reject(reason))),
        };
        Some(Ok(RawRecord {
            doc_id: field(id_col).unwrap_or_else(|| format!("{}#{line}", file.relative)),
            source: file.relative.clone(),
            record: format!("line {line}"),
            body: Body::Decoded(decoded),
            title: field(title_col),
            date: field(date_col),
            outlet: field(source_col),
        }))
    }))
}
