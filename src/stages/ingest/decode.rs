//! Turning bytes into text: byte-order marks, UTF-8, UTF-16 and legacy single-byte encodings,
//! and the checks that tell an article from something that is not one.
//!
//! Decisions (documented in the README):
//! * A UTF-8, UTF-16LE or UTF-16BE byte-order mark decides the encoding.
//! * Valid UTF-8 is UTF-8.
//! * Text that is mostly valid UTF-8 (it has more valid multi-byte characters than invalid
//!   bytes) with a few invalid bytes is decoded with U+FFFD replacement characters and flagged
//!   `invalid_utf8_replaced`: a reader still wants the article.
//! * Otherwise the encoding is detected with `chardetng` (Windows-1252 / Latin-1 is common in old
//!   news) and decoded with `encoding_rs`.
//! * NUL and other control bytes in more than 10% of the content (5% once there are more than
//!   eight) mean a binary file, which is rejected; fewer are removed and the document is
//!   flagged `control_chars_removed`.

use encoding_rs::{Encoding, UTF_8};

/// A document flag: something was repaired, and the reader should know.
pub type Flag = &'static str;

/// Invalid UTF-8 sequences were replaced by U+FFFD.
pub const FLAG_INVALID_UTF8: Flag = "invalid_utf8_replaced";
/// NUL or other control characters were removed.
pub const FLAG_CONTROL_CHARS: Flag = "control_chars_removed";
/// The input carried a date that could not be parsed.
pub const FLAG_UNPARSED_DATE: Flag = "unparsed_date";

/// Decoded text with the encoding it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
    pub flags: Vec<Flag>,
}

/// Decodes the bytes of an article, or says why they are not one.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        let mut flags = Vec::new();
        if had_errors {
            flags.push(FLAG_INVALID_UTF8);
        }
        return finish(text.into_owned(), encoding.name(), flags);
    }
    if looks_like_utf16(bytes) {
        return Err("binary content: looks like UTF-16 without a byte-order mark".into());
    }
    check_binary(bytes)?;
    match std::str::from_utf8(bytes) {
        Ok(text) => finish(text.to_string(), UTF_8.name(), Vec::new()),
        Err(_) if mostly_utf8(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            finish(text, UTF_8.name(), vec![FLAG_INVALID_UTF8])
        }
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            let encoding = detector.guess(None, true);
            let (text, _, had_errors) = encoding.decode(bytes);
            let mut flags = Vec::new();
            if had_errors {
                flags.push(FLAG_INVALID_UTF8);
            }
            finish(text.into_owned(), encoding.name(), flags)
        }
    }
}

/// [`decode`] for bytes the caller gives up: valid UTF-8 without a byte-order mark (most
/// pages) becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, String> {
    if Encoding::for_bom(&bytes).is_some() || looks_like_utf16(&bytes) {
        return decode(&bytes);
    }
    check_binary(&bytes)?;
    match String::from_utf8(bytes) {
        Ok(text) => finish(text, UTF_8.name(), Vec::new()),
        Err(e) => decode(e.as_bytes()),
    }
}

/// Checks text that arrived already decoded (a JSON or CSV field).
pub fn check_text(text: String) -> Result<Decoded, String> {
    check_binary(text.as_bytes())?;
    finish(text, UTF_8.name(), Vec::new())
}

/// Removes control characters, and rejects what is empty once they are gone.
fn finish(text: String, encoding: &'static str, mut flags: Vec<Flag>) -> Result<Decoded, String> {
    let text = if has_stray_control(&text) {
        flags.push(FLAG_CONTROL_CHARS);
        text.chars().filter(|&c| !is_stray_control(c)).collect()
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err("empty document: no text after trimming whitespace".into());
    }
    Ok(Decoded {
        text,
        encoding,
        flags,
    })
}

/// Control characters that have no place in an article (tabs, newlines and form feeds do).
/// Whether the text has a stray control character, looking at bytes (C0 controls and DEL are
/// single bytes, C1 controls U+0080..U+009F are `C2 80..C2 9F`), so clean text costs one fast
/// pass.
fn has_stray_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytecount(bytes, is_control_byte) > 0
        || memchr::memchr_iter(0xc2, bytes)
            .any(|i| bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
}

fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')
}

/// Rejects content with too many NUL or control bytes to be text.
fn check_binary(bytes: &[u8]) -> Result<(), String> {
    let controls = bytecount(bytes, is_control_byte);
    if controls == 0 {
        return Ok(());
    }
    let nuls = bytecount(bytes, |b| b == 0);
    let len = bytes.len().max(1);
    if controls * 10 > len || (controls > 8 && controls * 20 > len) {
        let first = memchr::memchr(0, bytes)
            .or_else(|| {
                bytes
                    .iter()
                    .position(|&b| b < 0x20 && !b.is_ascii_whitespace())
            })
            .unwrap_or(0);
        return Err(format!(
            "binary content: {controls} control bytes, {nuls} of them NUL (first at byte {first})"
        ));
    }
    Ok(())
}

/// How many bytes satisfy `pred`, written so that the compiler vectorises it: byte-wide
/// counters over chunks of 255 bytes (a counter per byte lane cannot overflow), added up once
/// per chunk.
fn bytecount(bytes: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + u8::from(pred(b)))))
        .sum()
}

/// A C0 control byte other than tab, line feed, carriage return and form feed, or DEL.
fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f
}

/// UTF-16 text without a byte-order mark has a NUL in every other byte.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 8 {
        return false;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let half = sample.len() / 2;
    even * 10 > half * 9 || odd * 10 > half * 9
}

/// Whether invalid UTF-8 looks like damage in UTF-8 text rather than another encoding: more
/// valid multi-byte characters than invalid sequences.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multibyte > invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_finds_the_same_controls_as_the_char_scan() {
        for text in [
            "plain",
            "tab\there\r\n",
            "nul\0",
            "del\x7f",
            "c1\u{85}x",
            "é\u{a0}ü",
            "\x0cpage",
        ] {
            assert_eq!(
                has_stray_control(text),
                text.chars().any(is_stray_control),
                "{text:?}"
            );
        }
    }

    #[test]
    fn byte_counts_do_not_overflow_across_chunks() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 7 == 0) as u8).collect();
        let naive = bytes.iter().filter(|&&b| b == 1).count();
        assert_eq!(bytecount(&bytes, |b| b == 1), naive);
        assert_eq!(bytecount(&[0u8; 1000], |b| b == 0), 1000);
    }

    #[test]
    fn boms_decide_the_encoding() {
        let d = decode(b"\xEF\xBB\xBFhello").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("hello", "UTF-8"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Café".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let d = decode(&utf16).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("Café", "UTF-16LE"));
    }

    #[test]
    fn legacy_text_is_detected() {
        let d =
            decode(b"Le caf\xe9 de la gare, o\xf9 l'on d\xeene \xe0 midi, est ferm\xe9.").unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("café"), "{}", d.text);
        assert!(d.flags.is_empty());
    }

    #[test]
    fn damaged_utf8_is_repaired_and_flagged() {
        let d = decode(
            "Beijing – Peking – Zürich \u{e9}t\u{e9}"
                .as_bytes()
                .iter()
                .copied()
                .chain(*b" \xff end")
                .collect::<Vec<_>>()
                .as_slice(),
        )
        .unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.flags, vec![FLAG_INVALID_UTF8]);
        assert!(d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn binary_empty_and_stray_nuls() {
        assert!(decode(b"\x00\x01\x02\x03PNG\x00\x00")
            .unwrap_err()
            .contains("binary"));
        assert!(decode(b" \n\t ").unwrap_err().contains("empty"));
        let mut text = b"A long enough article about Paris and Peking. ".repeat(4);
        text.push(0);
        let d = decode(&text).unwrap();
        assert_eq!(d.flags, vec![FLAG_CONTROL_CHARS]);
        assert!(!d.text.contains('\0'));
        let utf16_no_bom: Vec<u8> = "Hello Paris"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(decode(&utf16_no_bom).unwrap_err().contains("UTF-16"));
    }
}
