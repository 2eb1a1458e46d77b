//! JSONL: one JSON object per line, with configurable field names.

use std::io::BufRead;

use serde_json::Value;

use super::decode::check_text;
use super::formats::FieldMap;
use super::{compress, too_large, Body, InputFile, InputSettings, RawRecord, ReadOutcome};
use crate::model::Reject;

/// The records of one JSONL stream, read line by line (a line over the size limit is skipped
/// without being held in memory).
pub struct JsonlRecords {
    file: InputFile,
    reader: Box<dyn BufRead + Send>,
    fields: FieldMap,
    limit: u64,
    line_no: u64,
    line: Vec<u8>,
    done: bool,
}

impl JsonlRecords {
    /// Reads `reader`, which holds the (decompressed) content of `file`.
    pub fn new(file: InputFile, reader: Box<dyn BufRead + Send>, settings: &InputSettings) -> Self {
        JsonlRecords {
            file,
            reader,
            fields: settings.fields.clone(),
            limit: settings.max_document_bytes,
            line_no: 0,
            line: Vec::new(),
            done: false,
        }
    }

    /// Numbers the lines read from `lines + 1` on: `reader` starts after the first `lines`
    /// lines of the file.
    pub fn after_lines(mut self, lines: u64) -> Self {
        self.line_no = lines;
        self
    }

    fn reject(&self, reason: impl Into<String>) -> Reject {
        Reject {
            source: self.file.relative.clone(),
            record: format!("line {}", self.line_no),
            reason: reason.into(),
        }
    }

    /// Reads the next line into `self.line`; `Ok(false)` at the end, `Ok(true)` with
    /// `too_long` set when the line passed the limit.
    fn read_line(&mut self, too_long: &mut bool) -> std::io::Result<bool> {
        self.line.clear();
        *too_long = false;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(any);
            }
            any = true;
            let (chunk, found) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], Some(i)),
                None => (buf, None),
            };
            if !*too_long {
                if (self.line.len() + chunk.len()) as u64 > self.limit {
                    *too_long = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            let used = found.map_or(chunk.len(), |i| i + 1);
            self.reader.consume(used);
            if found.is_some() {
                return Ok(true);
            }
        }
    }

    fn parse(&self) -> ReadOutcome {
        let mut line = self.line.as_slice();
        if self.line_no == 1 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        let value: Value = serde_json::from_slice(line)
            .map_err(|e| self.reject(format!("not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(self.reject(format!("not a JSON object: found {}", kind(&value))));
        };
        let f = &self.fields;
        let text = match map.get(&f.text) {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => {
                return Err(self.reject(format!(
                    "missing text field: record has no `{}` field",
                    f.text
                )))
            }
            Some(other) => {
                return Err(self.reject(format!(
                    "text of the wrong type: field `{}` is {}, expected a string",
                    f.text,
                    kind(other)
                )))
            }
        };
        let doc_id = match map.get(&f.id) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("{}#{}", self.file.relative, self.line_no),
        };
        let string = |name: &str| match map.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let decoded = check_text(text).map_err(|reason| self.reject(reason))?;
        Ok(RawRecord {
            doc_id,
            source: self.file.relative.clone(),
            record: format!("line {}", self.line_no),
            body: Body::Decoded(decoded),
            title: string(&f.title),
            date: string(&f.date),
            outlet: string(&f.source),
        })
    }
}

/// A JSON value's kind in words.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Iterator for JsonlRecords {
    type Item = ReadOutcome;

    fn next(&mut self) -> Option<ReadOutcome> {
        while !self.done {
            let mut too_long = false;
            match self.read_line(&mut too_long) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    self.line_no += 1;
                    if too_long {
                        return Some(Err(self.reject(too_large(self.limit))));
                    }
                    if self.line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse());
                }
                Err(e) => {
                    self.done = true;
                    let mut reject = self.reject(compress::read_error(&self.file, &e));
                    reject.record = format!("after line {}", self.line_no);
                    return Some(Err(reject));
                }
            }
        }
        None
    }
}
