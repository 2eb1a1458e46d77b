//! WARC archives (`.warc`, `.warc.gz` with one gzip member per record, `.warc.zst`): every
//! `response` record whose payload is an HTML page becomes a web-page record, with its
//! `WARC-Record-ID` as `doc_id` and its `WARC-Target-URI` as URL. Other record types and
//! non-HTML payloads are counted (the manifest's `skipped_records`), not rejected.
//!
//! Crawls are large and sometimes damaged, so the reader recovers: a truncated record, a bad
//! length, an oversize payload or a corrupt gzip member is a reject with its reason, and
//! reading goes on at the next record (the next gzip member, or the next `WARC/1.` line), so
//! the records before and after it are kept. The HTTP headers inside a response are parsed
//! with `httparse`; chunked transfer and gzip, deflate or zstd content encodings are undone.

use std::io::{BufRead, Read};

use super::{
    file_reject, too_large, Body, HtmlBody, InputFile, InputSettings, RawRecord, ReadOutcome, Tally,
};
use crate::model::Reject;

/// Headers of one record above this size are damage, not headers.
const MAX_HEADER_BYTES: usize = 64 << 10;

/// The records of one WARC file.
pub struct WarcRecords {
    file: InputFile,
    input: Input,
    limit: u64,
    tally: Tally,
    /// Records read so far (the `record` column: `record N`, from 1).
    index: u64,
    /// Records of the current gzip member still to hand out.
    pending: std::vec::IntoIter<ReadOutcome>,
    done: bool,
}

/// Where records come from.
enum Input {
    /// The raw bytes of a `.warc.gz`: one gzip member per record, decoded one at a time.
    Members(Box<dyn BufRead + Send>),
    /// An uncompressed (or already decompressed) stream of records.
    Plain(Box<dyn BufRead + Send>),
}

impl WarcRecords {
    /// Reads a `.warc.gz` member by member from its raw (still compressed) bytes.
    pub fn members(
        file: InputFile,
        raw: Box<dyn BufRead + Send>,
        settings: &InputSettings,
        tally: Tally,
    ) -> Self {
        Self::new(file, Input::Members(raw), settings, tally)
    }

    /// Reads an uncompressed stream of records.
    pub fn plain(
        file: InputFile,
        reader: Box<dyn BufRead + Send>,
        settings: &InputSettings,
        tally: Tally,
    ) -> Self {
        Self::new(file, Input::Plain(reader), settings, tally)
    }

    fn new(file: InputFile, input: Input, settings: &InputSettings, tally: Tally) -> Self {
        WarcRecords {
            file,
            input,
            limit: settings.max_document_bytes,
            tally,
            index: 0,
            pending: Vec::new().into_iter(),
            done: false,
        }
    }

    fn reject(&self, reason: impl Into<String>) -> Reject {
        Reject {
            source: self.file.relative.clone(),
            record: format!("record {}", self.index),
            reason: reason.into(),
        }
    }

    /// The records of the next gzip member.
    fn next_member(&mut self) -> Option<Vec<ReadOutcome>> {
        let Input::Members(raw) = &mut self.input else {
            return None;
        };
        match raw.fill_buf() {
            Ok([]) => return None,
            Ok(_) => {}
            Err(e) => {
                self.done = true;
                return Some(vec![Err(file_reject(
                    &self.file,
                    format!("cannot be read: {e}"),
                ))]);
            }
        }
        // Room for the headers of a record whose payload is at the size limit.
        let cap = self.limit.saturating_add(MAX_HEADER_BYTES as u64 + 1);
        let mut bytes = Vec::new();
        let read = flate2::bufread::GzDecoder::new(&mut *raw)
            .take(cap)
            .read_to_end(&mut bytes);
        if let Err(e) = read {
            self.index += 1;
            let truncated = e.kind() == std::io::ErrorKind::UnexpectedEof;
            skip_to_next_member(raw);
            let reason = if truncated {
                format!("truncated record: the gzip member ends early ({e})")
            } else {
                format!("corrupt gzip member: {e}")
            };
            return Some(vec![Err(self.reject(reason))]);
        }
        if bytes.len() as u64 >= cap {
            self.index += 1;
            skip_to_next_member(raw);
            return Some(vec![Err(self.reject(too_large(self.limit)))]);
        }
        let mut member: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes));
        let mut out = Vec::new();
        while let Some(outcome) = self.read_record(&mut member) {
            out.extend(outcome);
        }
        Some(out)
    }

    /// Reads one record from `reader`: `None` at its end, else the record (or its reject),
    /// or nothing for a record that is counted as skipped.
    fn read_record(&mut self, reader: &mut Box<dyn BufRead + Send>) -> Option<Option<ReadOutcome>> {
        let version = match next_version_line(reader) {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => {
                // A stream that cannot be read (a corrupt compressed stream) ends the file
                // here: the records before the damage are kept.
                self.done = true;
                self.index += 1;
                let reason = super::compress::read_error(&self.file, &e);
                return Some(Some(Err(self.reject(reason))));
            }
        };
        self.index += 1;
        if !version.starts_with("WARC/") {
            resync(reader);
            return Some(Some(Err(self.reject(format!(
                "not a WARC record: starts with `{}`",
                version.chars().take(40).collect::<String>()
            )))));
        }
        let headers = match read_headers(reader) {
            Ok(h) => h,
            Err(why) => {
                if why.starts_with("cannot be read") {
                    self.done = true;
                } else {
                    resync(reader);
                }
                return Some(Some(Err(self.reject(why))));
            }
        };
        Some(self.record_body(reader, &headers))
    }

    /// Reads the block of a record whose headers were read.
    fn record_body(
        &mut self,
        reader: &mut Box<dyn BufRead + Send>,
        headers: &Headers,
    ) -> Option<ReadOutcome> {
        let Some(length) = headers
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
        else {
            resync(reader);
            return Some(Err(
                self.reject("bad length: no valid Content-Length header")
            ));
        };
        let warc_type = headers
            .get("warc-type")
            .unwrap_or("unknown")
            .to_ascii_lowercase();
        if length > self.limit.saturating_add(MAX_HEADER_BYTES as u64) {
            let skipped = std::io::copy(&mut reader.take(length), &mut std::io::sink());
            if skipped.map_or(true, |n| n < length) {
                self.done = matches!(self.input, Input::Plain(_));
            }
            return Some(Err(self.reject(too_large(self.limit))));
        }
        let mut block = Vec::with_capacity(length as usize);
        if reader.take(length).read_to_end(&mut block).is_err() || (block.len() as u64) < length {
            self.done = matches!(self.input, Input::Plain(_));
            return Some(Err(self.reject(format!(
                "truncated record: {} of {length} bytes",
                block.len()
            ))));
        }
        if warc_type != "response" {
            self.tally_skipped(format!("warc {warc_type}"));
            return None;
        }
        match http_payload(&block) {
            Ok(Payload::Html { body, charset }) => {
                if body.len() as u64 > self.limit {
                    return Some(Err(self.reject(too_large(self.limit))));
                }
                Some(Ok(self.html_record(headers, body, charset)))
            }
            Ok(Payload::Other(kind)) => {
                self.tally_skipped(format!("warc response ({kind})"));
                None
            }
            Err(why) => Some(Err(self.reject(why))),
        }
    }

    fn html_record(&self, headers: &Headers, body: Vec<u8>, charset: Option<String>) -> RawRecord {
        let id = headers
            .get("warc-record-id")
            .map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| format!("{}#{}", self.file.relative, self.index));
        RawRecord {
            doc_id: id,
            source: self.file.relative.clone(),
            record: format!("record {}", self.index),
            body: Body::Html(HtmlBody {
                bytes: body,
                charset,
                url: headers.get("warc-target-uri").map(|u| u.trim().to_string()),
            }),
            title: None,
            date: None,
            outlet: None,
        }
    }

    fn tally_skipped(&self, key: String) {
        if let Ok(mut tally) = self.tally.lock() {
            *tally.entry(key).or_default() += 1;
        }
    }
}

impl Iterator for WarcRecords {
    type Item = ReadOutcome;

    fn next(&mut self) -> Option<ReadOutcome> {
        loop {
            if let Some(outcome) = self.pending.next() {
                return Some(outcome);
            }
            if self.done {
                return None;
            }
            match &mut self.input {
                Input::Members(_) => {
                    let records = self.next_member()?;
                    self.pending = records.into_iter();
                }
                Input::Plain(_) => {
                    let Input::Plain(mut reader) = std::mem::replace(
                        &mut self.input,
                        Input::Plain(Box::new(std::io::empty())),
                    ) else {
                        return None;
                    };
                    let outcome = self.read_record(&mut reader);
                    self.input = Input::Plain(reader);
                    match outcome {
                        None => return None,
                        Some(Some(outcome)) => return Some(outcome),
                        Some(None) => {}
                    }
                }
            }
        }
    }
}

/// Record headers, names in lowercase.
struct Headers(Vec<(String, String)>);

impl Headers {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The next non-blank line (the `WARC/1.1` line of a record), or `None` at the end.
fn next_version_line(reader: &mut Box<dyn BufRead + Send>) -> std::io::Result<Option<String>> {
    loop {
        let mut line = Vec::new();
        if reader
            .by_ref()
            .take(MAX_HEADER_BYTES as u64)
            .read_until(b'\n', &mut line)?
            == 0
        {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line).trim().to_string();
        if !text.is_empty() {
            return Ok(Some(text));
        }
    }
}

/// The named fields up to the blank line that ends a record's headers.
fn read_headers(reader: &mut Box<dyn BufRead + Send>) -> Result<Headers, String> {
    let mut headers = Vec::new();
    let mut size = 0;
    loop {
        let mut line = Vec::new();
        let n = reader
            .by_ref()
            .take(MAX_HEADER_BYTES as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("cannot be read: {e}"))?;
        size += n;
        if n == 0 {
            return Err("truncated record: the headers do not end".into());
        }
        if size > MAX_HEADER_BYTES {
            return Err("bad record: headers over 64 KiB".into());
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return Ok(Headers(headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
}

/// Skips to the line before the next `WARC/1.` line, so that reading goes on there.
fn resync(reader: &mut Box<dyn BufRead + Send>) {
    loop {
        let Ok(buf) = reader.fill_buf() else { return };
        if buf.is_empty() {
            return;
        }
        if buf.starts_with(b"WARC/1.") {
            return;
        }
        let skip = match memchr::memmem::find(&buf[1..], b"\nWARC/1.") {
            Some(i) => i + 2,
            None => buf.len().saturating_sub(8).max(1),
        };
        reader.consume(skip);
    }
}

/// Skips the rest of a damaged gzip member: to the next gzip header.
fn skip_to_next_member(raw: &mut Box<dyn BufRead + Send>) {
    loop {
        let Ok(buf) = raw.fill_buf() else { return };
        if buf.len() < 3 {
            let n = buf.len();
            raw.consume(n);
            return;
        }
        match memchr::memmem::find(&buf[1..], &[0x1f, 0x8b, 0x08]) {
            Some(i) => {
                raw.consume(i + 1);
                return;
            }
            None => {
                let n = buf.len() - 2;
                raw.consume(n);
            }
        }
    }
}

/// What a response record carries.
enum Payload {
    Html {
        body: Vec<u8>,
        charset: Option<String>,
    },
    /// Not a web page: the media type.
    Other(String),
}

/// Parses the HTTP response in a record's block, and undoes its transfer and content
/// encodings when the payload is HTML.
fn http_payload(block: &[u8]) -> Result<Payload, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut response = httparse::Response::new(&mut headers);
    let start = match response.parse(block) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return Err("bad HTTP response: the headers do not end".into())
        }
        Err(e) => return Err(format!("bad HTTP response: {e}")),
    };
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let content_type = header("content-type").unwrap_or_default();
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let body = &block[start..];
    let is_html = media == "text/html"
        || media == "application/xhtml+xml"
        || (media.is_empty() && super::html::looks_like_html(body));
    if !is_html {
        let media = if media.is_empty() {
            "no type".to_string()
        } else {
            media
        };
        return Ok(Payload::Other(media));
    }
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches(['"', '\'']).to_string())
        .next();
    let mut body = body.to_vec();
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body)?;
    }
    if let Some(encoding) = header("content-encoding") {
        body = decode_content(body, &encoding)?;
    }
    Ok(Payload::Html { body, charset })
}

/// Undoes chunked transfer encoding.
fn dechunk(mut input: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = memchr::memmem::find(input, b"\r\n")
            .ok_or("bad chunked encoding: a chunk size line does not end")?;
        let size_text = String::from_utf8_lossy(&input[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunked encoding: `{size_text}` is not a chunk size"))?;
        input = &input[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = input
            .get(..size)
            .ok_or("truncated record: a chunk ends early")?;
        out.extend_from_slice(chunk);
        input = input.get(size + 2..).unwrap_or_default();
    }
}

/// Undoes a content encoding (gzip, deflate, zstd; `identity` is none).
fn decode_content(body: Vec<u8>, encoding: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let result = match encoding.trim() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => {
            flate2::read::MultiGzDecoder::new(body.as_slice()).read_to_end(&mut out)
        }
        "deflate" => flate2::read::ZlibDecoder::new(body.as_slice()).read_to_end(&mut out),
        "zstd" => zstd::stream::read::Decoder::new(body.as_slice())
            .and_then(|mut d| d.read_to_end(&mut out)),
        other => return Err(format!("unsupported content encoding: {other}")),
    };
    result
        .map(|_| out)
        .map_err(|e| format!("corrupt {encoding} content: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(warc_type: &str, id: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Target-URI: https://news.example/{id}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn page(text: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{text}</p></body></html>").into_bytes()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn settings() -> InputSettings {
        InputSettings {
            path: "a.warc".into(),
            extensions: vec![],
            format: Default::default(),
            fields: Default::default(),
            max_document_bytes: 1 << 20,
            html: Default::default(),
        }
    }

    fn file() -> InputFile {
        InputFile {
            path: "a.warc".into(),
            relative: "a.warc".into(),
        }
    }

    fn read(bytes: Vec<u8>, members: bool) -> (Vec<ReadOutcome>, Tally) {
        let file = file();
        let settings = settings();
        let tally = Tally::default();
        let reader: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes));
        let records = if members {
            WarcRecords::members(file, reader, &settings, tally.clone())
        } else {
            WarcRecords::plain(file, reader, &settings, tally.clone())
        };
        (records.collect(), tally)
    }

    #[test]
    fn responses_become_pages_and_other_records_are_counted() {
        let mut warc = record("warcinfo", "0", b"software: test\r\n");
        warc.extend(record("request", "1", b"GET / HTTP/1.1\r\n\r\n"));
        warc.extend(record("response", "2", &page("first")));
        warc.extend(record("metadata", "3", b"via: x\r\n"));
        warc.extend(record(
            "response",
            "4",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        let (out, tally) = read(warc, false);
        assert_eq!(out.len(), 1);
        let r = out[0].as_ref().unwrap();
        assert_eq!(r.doc_id, "urn:uuid:2");
        let Body::Html(h) = &r.body else {
            panic!("not HTML")
        };
        assert_eq!(h.url.as_deref(), Some("https://news.example/2"));
        assert_eq!(h.charset.as_deref(), Some("utf-8"));
        let tally = tally.lock().unwrap();
        assert_eq!(tally["warc request"], 1);
        assert_eq!(tally["warc metadata"], 1);
        assert_eq!(tally["warc warcinfo"], 1);
        assert_eq!(tally["warc response (image/png)"], 1);
    }

    #[test]
    fn a_corrupt_member_is_rejected_and_the_next_is_read() {
        let mut bad = gzip(&record("response", "2", &page("second")));
        let middle = bad.len() / 2;
        bad[middle] ^= 0xff;
        bad[middle + 1] ^= 0xff;
        let mut bytes = gzip(&record("response", "1", &page("first")));
        bytes.extend(bad);
        bytes.extend(gzip(&record("response", "3", &page("third"))));
        let (out, _) = read(bytes, true);
        let ids: Vec<String> = out
            .iter()
            .map(|o| match o {
                Ok(r) => r.doc_id.clone(),
                Err(r) => format!("reject {}: {}", r.record, r.reason),
            })
            .collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert_eq!(ids[0], "urn:uuid:1");
        assert!(ids[1].starts_with("reject record 2: "), "{ids:?}");
        assert_eq!(ids[2], "urn:uuid:3");
    }

    #[test]
    fn a_truncated_record_and_a_bad_length_are_rejects() {
        let mut bytes = record("response", "1", &page("first"));
        bytes.extend(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\nxx\r\n\r\n");
        bytes.extend(record("response", "3", &page("third")));
        let mut cut = record("response", "4", &page("fourth"));
        cut.truncate(cut.len() - 30);
        bytes.extend(cut);
        let (out, _) = read(bytes, false);
        assert_eq!(out.len(), 4, "{out:?}");
        assert!(out[0].is_ok() && out[2].is_ok());
        assert!(out[1]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("bad length"));
        assert!(out[3]
            .as_ref()
            .unwrap_err()
            .reason
            .starts_with("truncated record"));
    }

    /// Found by the fuzzer: a stream that keeps failing (a corrupt compressed stream) gave
    /// rejects without end.
    #[test]
    fn a_stream_that_cannot_be_read_ends_the_file() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("corrupt deflate stream"))
            }
        }
        let file = file();
        let settings = settings();
        let reader: Box<dyn BufRead + Send> = Box::new(std::io::BufReader::new(Broken));
        let out: Vec<ReadOutcome> = WarcRecords::plain(file, reader, &settings, Tally::default())
            .take(5)
            .collect();
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].as_ref().unwrap_err().reason.contains("corrupt"));
    }

    #[test]
    fn chunked_and_gzip_payloads_are_decoded() {
        let html = b"<html><body><p>chunked</p></body></html>";
        let zipped = gzip(html);
        let mut body = format!("{:x}\r\n", zipped.len()).into_bytes();
        body.extend(&zipped);
        body.extend(b"\r\n0\r\n\r\n");
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend(body);
        let Ok(Payload::Html { body, .. }) = http_payload(&block) else {
            panic!("no page")
        };
        assert_eq!(body, html);
    }
}
