//! TREC SGML, as in the TREC news collections (the Los Angeles Times one among them):
//!
//! ```text
//! <DOC>
//! <DOCNO> LA010189-0001 </DOCNO>
//! <DATE><P>January 1, 1989, Sunday, Home Edition</P></DATE>
//! <HEADLINE><P>LIFE IN THE FAST LANE</P></HEADLINE>
//! <TEXT><P>First paragraph.</P><P>Second.</P></TEXT>
//! </DOC>
//! ```
//!
//! It is not well-formed XML, so it is read tolerantly: tags in any case, unknown tags
//! ignored, `<P>` as paragraph breaks, entities decoded. A file is decoded as a whole (with
//! encoding detection), then split into documents.

use std::io::BufRead;

use super::compress::{read_error, read_limited};
use super::decode::{check_text, decode};
use super::{file_reject, too_large, Body, InputFile, InputSettings, RawRecord, ReadOutcome};
use crate::model::Reject;

/// The records of one TREC file.
pub fn records(
    file: &InputFile,
    reader: Box<dyn BufRead + Send>,
    settings: &InputSettings,
) -> Box<dyn Iterator<Item = ReadOutcome> + Send> {
    // A TREC file holds many documents: allow a generous multiple of the per-document limit.
    let file_limit = settings.max_document_bytes.saturating_mul(64);
    let one = |r: ReadOutcome| -> Box<dyn Iterator<Item = ReadOutcome> + Send> {
        Box::new(std::iter::once(r))
    };
    let bytes = match read_limited(reader, file_limit) {
        Ok(b) if b.len() as u64 > file_limit => {
            return one(Err(file_reject(file, too_large(file_limit))))
        }
        Ok(b) => b,
        Err(e) => return one(Err(file_reject(file, read_error(file, &e)))),
    };
    let decoded = match decode(&bytes) {
        Ok(d) => d,
        Err(reason) => return one(Err(file_reject(file, reason))),
    };
    let out = parse(file, &decoded.text, settings.max_document_bytes)
        .into_iter()
        .map(|r| {
            r.map(|mut rec| {
                if let Body::Decoded(d) = &mut rec.body {
                    d.encoding = decoded.encoding;
                    d.flags.extend(decoded.flags.iter().copied());
                }
                rec
            })
        })
        .collect::<Vec<_>>();
    Box::new(out.into_iter())
}

/// Splits decoded TREC text into records.
pub fn parse(file: &InputFile, text: &str, limit: u64) -> Vec<ReadOutcome> {
    let upper = text.to_ascii_uppercase();
    let line_of = |byte: usize| text[..byte].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = upper[at..].find("<DOC>") {
        let start = at + found;
        let body_start = start + "<DOC>".len();
        let next_doc = upper[body_start..].find("<DOC>").map(|i| body_start + i);
        let end = upper[body_start..].find("</DOC>").map(|i| body_start + i);
        let reject = |reason: String| Reject {
            source: file.relative.clone(),
            record: format!("line {}", line_of(start)),
            reason,
        };
        match end {
            Some(end) if next_doc.is_none_or(|n| end < n) => {
                let doc = &text[body_start..end];
                let record = document(file, doc, &upper[body_start..end], limit).map(|mut r| {
                    r.record = format!("line {}", line_of(start));
                    r
                });
                out.push(record.map_err(reject));
                at = end + "</DOC>".len();
            }
            _ => {
                out.push(Err(reject(
                    "unterminated <DOC>: no </DOC> before the next <DOC> or the end of the file"
                        .into(),
                )));
                match next_doc {
                    Some(n) => at = n,
                    None => break,
                }
            }
        }
    }
    if out.is_empty() {
        out.push(Err(file_reject(file, "not TREC: no <DOC> element found")));
    }
    out
}

/// One `<DOC>` body.
fn document(file: &InputFile, doc: &str, upper: &str, limit: u64) -> Result<RawRecord, String> {
    if doc.len() as u64 > limit {
        return Err(too_large(limit));
    }
    let docno = element(doc, upper, "DOCNO")
        .map(|s| plain(&s))
        .filter(|s| !s.is_empty())
        .ok_or("missing DOCNO: document has no <DOCNO>")?;
    let mut text = String::new();
    for part in elements(doc, upper, "TEXT") {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&paragraphs(&part));
    }
    if text.trim().is_empty() {
        return Err(format!("missing text: document {docno} has no <TEXT>"));
    }
    let title = element(doc, upper, "HEADLINE").map(|h| plain(&h));
    let date = element(doc, upper, "DATE").map(|d| plain(&d));
    Ok(RawRecord {
        doc_id: docno,
        source: file.relative.clone(),
        record: String::new(),
        body: Body::Decoded(check_text(text)?),
        title,
        date,
        outlet: None,
    })
}

/// The content of the first `<NAME>…</NAME>`.
fn element(doc: &str, upper: &str, name: &str) -> Option<String> {
    elements(doc, upper, name).into_iter().next()
}

/// The contents of every `<NAME>…</NAME>` (an unclosed one runs to the end).
fn elements(doc: &str, upper: &str, name: &str) -> Vec<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = upper[at..].find(&open) {
        let start = at + i + open.len();
        let end = upper[start..].find(&close).map_or(doc.len(), |j| start + j);
        out.push(doc[start..end].to_string());
        at = (end + close.len()).min(doc.len());
    }
    out
}

/// Text with `<P>` turned into paragraph breaks, other tags dropped and entities decoded.
fn paragraphs(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => {
                let tag = rest[i + 1..i + j]
                    .trim()
                    .trim_start_matches('/')
                    .to_ascii_uppercase();
                if tag == "P" {
                    out.push_str("\n\n");
                } else {
                    out.push(' ');
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// Text on one line: tags dropped, whitespace collapsed.
fn plain(s: &str) -> String {
    paragraphs(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> InputFile {
        InputFile {
            path: "la.sgml".into(),
            relative: "la.sgml".into(),
        }
    }

    #[test]
    fn parses_documents_and_rejects_unterminated_ones() {
        let text = "<DOC>\n<DOCNO> LA010189-0001 </DOCNO>\n<DATE><P>January 1, 1989, Sunday</P></DATE>\n\
            <HEADLINE><P>LIFE &amp; TIMES</P></HEADLINE>\n<TEXT><P>First in Paris.</P><P>Second.</P></TEXT>\n</DOC>\n\
            <doc><docno>B</docno><text>Broken\n<DOC><DOCNO>C</DOCNO><TEXT>Third.</TEXT></DOC>";
        let out = parse(&file(), text, 1 << 20);
        assert_eq!(out.len(), 3);
        let a = out[0].as_ref().unwrap();
        assert_eq!(a.doc_id, "LA010189-0001");
        assert_eq!(a.title.as_deref(), Some("LIFE & TIMES"));
        assert_eq!(a.date.as_deref(), Some("January 1, 1989, Sunday"));
        let Body::Decoded(d) = &a.body else { panic!() };
        assert!(
            d.text.contains("First in Paris.\n\n\n\nSecond."),
            "{:?}",
            d.text
        );
        let b = out[1].as_ref().unwrap_err();
        assert!(b.reason.contains("unterminated"), "{b:?}");
        assert_eq!(b.record, "line 7");
        assert_eq!(out[2].as_ref().unwrap().doc_id, "C");
    }
}
