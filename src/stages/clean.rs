//! Clean: remove site boilerplate, find the outlet, headline and dateline, and normalise the
//! text (Unicode NFC, straight quotes, one space between words, a blank line between
//! paragraphs). All site-specific knowledge comes from the pipeline file's `[clean]` rules.

use unicode_normalization::UnicodeNormalization;

use regex::Regex;
use serde::Deserialize;

use crate::model::{CleanDocument, SourceDocument};

/// The cleaning rules, compiled from the pipeline file's `[clean]` section.
#[derive(Debug, Clone)]
pub struct CleanRules {
    pub drop_lines: Vec<String>,
    pub outlets: Vec<OutletRule>,
    pub dateline: Option<Regex>,
    pub headline_first_paragraph: bool,
}

/// An outlet and the lines that identify it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutletRule {
    pub name: String,
    pub markers: Vec<String>,
}

/// A first paragraph longer than this is body text, not a headline.
const MAX_HEADLINE_CHARS: usize = 300;

/// Cleans one document.
pub fn clean(mut doc: SourceDocument, rules: &CleanRules) -> CleanDocument {
    // Most news is already NFC (all ASCII text is): skip the normalisation pass then, and
    // the character pass too when no character would change.
    let normalized: String = if is_printable_ascii(&doc.text) {
        std::mem::take(&mut doc.text)
    } else {
        match unicode_normalization::is_nfc_quick(doc.text.chars()) {
            unicode_normalization::IsNormalized::Yes => {
                doc.text.chars().map(normalize_char).collect()
            }
            _ => doc.text.nfc().map(normalize_char).collect(),
        }
    };

    let mut outlet = None;
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in normalized.lines() {
        let trimmed = line.trim();
        if outlet.is_none() {
            outlet = rules
                .outlets
                .iter()
                .find(|o| o.markers.iter().any(|m| m == trimmed))
                .map(|o| o.name.clone());
        }
        if rules.drop_lines.iter().any(|d| d == trimmed) {
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut current, &mut paragraphs);
            continue;
        }
        // Spaces and line feeds are the only whitespace left: a line without two spaces in
        // a row is already one space between words.
        if !trimmed.contains("  ") {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(trimmed);
            continue;
        }
        for word in trimmed.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    flush(&mut current, &mut paragraphs);

    fn is_dateline<'t>(rules: &CleanRules, p: &'t str) -> Option<regex::Captures<'t>> {
        rules.dateline.as_ref().and_then(|re| re.captures(p))
    }
    let headline = match paragraphs.first() {
        Some(first)
            if rules.headline_first_paragraph
                && paragraphs.len() > 1
                && first.chars().count() <= MAX_HEADLINE_CHARS
                && is_dateline(rules, first).is_none() =>
        {
            Some(first.clone())
        }
        _ => None,
    };
    let dateline = paragraphs.iter().find_map(|p| {
        let caps = is_dateline(rules, p)?;
        let place = caps.name("place").or_else(|| caps.get(0))?;
        Some(place.as_str().trim().to_string())
    });

    // A headline that the input gave separately opens the text, so that its mentions count.
    let headline = match doc.title {
        Some(title) => {
            let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
            if paragraphs.first() != Some(&title) {
                paragraphs.insert(0, title.clone());
            }
            Some(title)
        }
        None => headline,
    };

    CleanDocument {
        meta: doc.meta,
        outlet: doc.outlet.or(outlet).or(doc.site_name),
        headline,
        dateline,
        text: paragraphs.join("\n\n"),
    }
}

fn flush(current: &mut String, paragraphs: &mut Vec<String>) {
    if !current.is_empty() {
        paragraphs.push(std::mem::take(current));
    }
}

/// Straightens typographic quotes and turns every kind of space and control character into a
/// plain space (newlines stay, they separate paragraphs).
/// Whether `normalize_char` leaves every character of `text` as it is: printable ASCII and
/// line feeds.
fn is_printable_ascii(text: &str) -> bool {
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n')
}

fn normalize_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\n' => '\n',
        '\r' => '\n',
        c if c.is_whitespace() || c.is_control() => ' ',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast path takes only text that the character pass would leave as it is.
        #[test]
        fn printable_ascii_is_left_as_it_is(text in "[\\x00-\\x7f\\u{a0}\\u{2019}]{0,40}") {
            if is_printable_ascii(&text) {
                proptest::prop_assert_eq!(text.chars().map(normalize_char).collect::<String>(), text);
            }
        }
    }
    use crate::model::DocMeta;
    use regex::Regex;

    fn rules() -> CleanRules {
        CleanRules {
            drop_lines: vec!["Click to follow".into()],
            outlets: vec![OutletRule {
                name: "The Independent".into(),
                markers: vec!["Click to follow".into()],
            }],
            dateline: Some(Regex::new(r"^(?P<place>[A-Z][A-Z .'-]+?) [-—] ").unwrap()),
            headline_first_paragraph: true,
        }
    }

    fn doc(text: &str) -> SourceDocument {
        SourceDocument {
            meta: DocMeta::new("d", "d.txt"),
            text: text.into(),
            title: None,
            outlet: None,
            site_name: None,
        }
    }

    #[test]
    fn a_separate_title_opens_the_text_once() {
        let mut d = doc("Body about Paris.");
        d.title = Some("Big  news".into());
        let out = clean(d, &rules());
        assert_eq!(out.headline.as_deref(), Some("Big news"));
        assert_eq!(out.text, "Big news\n\nBody about Paris.");
        let mut d = doc("Big news\n\nBody.");
        d.title = Some("Big news".into());
        assert_eq!(clean(d, &rules()).text, "Big news\n\nBody.");
    }

    #[test]
    fn removes_boilerplate_and_finds_headline_dateline_outlet() {
        let out = clean(
            doc("Head line\r\n\r\nClick to follow\nPARIS - China \u{2018}took\u{2019}\n  steps.\n"),
            &rules(),
        );
        assert_eq!(out.text, "Head line\n\nPARIS - China 'took' steps.");
        assert_eq!(out.headline.as_deref(), Some("Head line"));
        assert_eq!(out.dateline.as_deref(), Some("PARIS"));
        assert_eq!(out.outlet.as_deref(), Some("The Independent"));
    }

    #[test]
    fn dateline_paragraph_is_not_a_headline() {
        let out = clean(doc("WASHINGTON \u{2014} The news."), &rules());
        assert_eq!(out.headline, None);
        assert_eq!(out.dateline.as_deref(), Some("WASHINGTON"));
        assert_eq!(out.outlet, None);
    }

    #[test]
    fn normalises_to_nfc() {
        let out = clean(doc("Cafe\u{301} au lait"), &rules());
        assert_eq!(out.text, "Caf\u{e9} au lait");
    }
}
