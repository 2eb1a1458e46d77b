//! Input formats and how a file's format is chosen.

use serde::Deserialize;

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// By extension (after `.gz`/`.zst`), else by content.
    #[default]
    Auto,
    /// One article per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// TREC SGML: `<DOC><DOCNO>…</DOCNO><TEXT>…</TEXT></DOC>`.
    Trec,
    /// A web page: its article is extracted.
    Html,
    /// A WARC archive of a crawl: its HTML responses.
    Warc,
}

/// Field names of JSONL and CSV records.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// The document id; when absent a record's id is `path#line`.
    pub id: String,
    /// The article text (required).
    pub text: String,
    /// The headline.
    pub title: String,
    /// The publication date.
    pub date: String,
    /// The outlet's name.
    pub source: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            date: "published".into(),
            source: "source".into(),
        }
    }
}

/// Picks the format of `name` (compression extension already irrelevant) from its extension,
/// then from the first bytes of its (decompressed) content.
pub fn detect(name: &str, head: &[u8]) -> InputFormat {
    let inner = super::compress::strip_extension(name).to_ascii_lowercase();
    let ext = inner.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "jsonl" | "ndjson" => return InputFormat::Jsonl,
        "csv" => return InputFormat::Csv,
        "sgml" | "sgm" | "trec" => return InputFormat::Trec,
        "html" | "htm" | "xhtml" => return InputFormat::Html,
        "warc" => return InputFormat::Warc,
        _ => {}
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |i| &head[i..]);
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    if start.len() >= 5 && start[..5].eq_ignore_ascii_case(b"<DOC>") {
        InputFormat::Trec
    } else if start.starts_with(b"WARC/") {
        InputFormat::Warc
    } else if super::html::looks_like_html(start) {
        InputFormat::Html
    } else {
        InputFormat::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_extension_then_content() {
        assert_eq!(detect("a.jsonl.gz", b""), InputFormat::Jsonl);
        assert_eq!(detect("a.CSV", b""), InputFormat::Csv);
        assert_eq!(detect("la010189", b"\n<DOC>\n<DOCNO>"), InputFormat::Trec);
        assert_eq!(detect("a.txt", b"China resists"), InputFormat::Text);
    }
}
