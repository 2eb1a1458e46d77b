//! Tokenize: split the cleaned text into sentences and word tokens with byte offsets.
//!
//! Unicode's segmentation rules (UAX #29, from the `unicode-segmentation` crate) do most of the
//! work; on top of them come the rules that news needs: a title (`Mr.`), an initial
//! (`Lawrence S. Eagleburger`) or a dotted acronym (`U.S.`) does not end a sentence and keeps
//! its period, and a possessive `'s` is a token of its own.

use std::ops::Range;

pub mod segment;

use crate::model::{CleanDocument, Token, TokenizedDocument};

/// Abbreviations that take a period and do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Gen", "Lt", "Col", "Capt", "Cmdr", "Adm", "Maj",
    "Sgt", "Sen", "Rep", "Gov", "Pres", "Rev", "Hon", "St", "Mt", "Ft", "Jr", "Sr", "No", "Jan",
    "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "vs", "etc", "Co", "Corp",
    "Inc", "Ltd", "Bros", "Ave", "Blvd",
];

/// Splits one document into sentences and tokens.
pub fn tokenize(doc: CleanDocument) -> TokenizedDocument {
    let sentences = sentences(&doc.text);
    let tokens = tokens(&doc.text);
    TokenizedDocument {
        doc,
        sentences,
        tokens,
    }
}

/// Sentence byte ranges, trimmed of surrounding whitespace.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (start, piece) in segment::sentence_segments(text) {
        let lead = piece.len() - piece.trim_start().len();
        let range = start + lead..start + piece.trim_end().len();
        if range.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(prev) if continues(text, prev.clone(), range.start) => prev.end = range.end,
            _ => out.push(range),
        }
    }
    out
}

/// Whether the sentence `prev` was cut after an abbreviation and goes on at `next_start`.
fn continues(text: &str, prev: Range<usize>, next_start: usize) -> bool {
    if text[prev.end..next_start].contains('\n') {
        return false;
    }
    let sentence = &text[prev];
    let Some(before_period) = sentence.strip_suffix('.') else {
        return false;
    };
    let word = before_period
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '\'')
        .next()
        .unwrap_or("");
    keeps_period(word)
}

/// Whether `word` (without its final period) is an abbreviation, an initial or a dotted
/// acronym, which keep their period and end no sentence.
fn keeps_period(word: &str) -> bool {
    let mut chars = word.chars();
    let single_initial =
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    let dotted_acronym = word.contains('.')
        && word
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    single_initial || dotted_acronym || ABBREVIATIONS.contains(&word)
}

/// Word and number tokens (punctuation is skipped).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for (start, word) in segment::word_segments(text) {
        let mut end = start + word.len();
        // The previous token may have taken this segment's first character (an abbreviation's
        // period, when a combining mark follows it): start after it.
        let (start, word) = match out.last() {
            Some(prev) if prev.end > start => {
                if prev.end >= end {
                    continue;
                }
                (prev.end, &text[prev.end..end])
            }
            _ => (start, word),
        };
        if !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        // A possessive is a token of its own: `Christopher's` -> `Christopher` + `'s`.
        if let Some(stem) = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")) {
            if !stem.is_empty() {
                out.push(Token {
                    start,
                    end: start + stem.len(),
                });
                out.push(Token {
                    start: start + stem.len(),
                    end,
                });
                continue;
            }
        }
        if text[end..].starts_with('.') && keeps_period(word) {
            end += 1;
        }
        out.push(Token { start, end });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence_texts(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    fn token_texts(text: &str) -> Vec<&str> {
        tokens(text)
            .into_iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn titles_initials_and_acronyms_do_not_end_sentences() {
        let text =
            "Mr. Christopher met Lawrence S. Eagleburger. The U.S. deadline passed. Mr Qian left.";
        assert_eq!(
            sentence_texts(text),
            vec![
                "Mr. Christopher met Lawrence S. Eagleburger.",
                "The U.S. deadline passed.",
                "Mr Qian left."
            ]
        );
    }

    #[test]
    fn closing_quotes_end_sentences_and_paragraphs_split() {
        let text =
            "He said: 'We have not.' Asked again, he left.\n\nHeadline without stop\n\nBody.";
        assert_eq!(
            sentence_texts(text),
            vec![
                "He said: 'We have not.'",
                "Asked again, he left.",
                "Headline without stop",
                "Body."
            ]
        );
    }

    #[test]
    fn tokens_never_overlap_when_a_mark_follows_a_kept_period() {
        // Found by the property tests: `.` + U+0BBE is one segment after the initial `A`.
        let text = "A.\u{bbe} ";
        let toks = tokens(text);
        assert!(toks.windows(2).all(|w| w[0].end <= w[1].start), "{toks:?}");
    }

    #[test]
    fn tokens_keep_abbreviation_periods_and_split_possessives() {
        assert_eq!(
            token_texts("Mr. Christopher's U.S. trip, 3,600 prisoners."),
            vec![
                "Mr.",
                "Christopher",
                "'s",
                "U.S.",
                "trip",
                "3,600",
                "prisoners"
            ]
        );
    }
}
