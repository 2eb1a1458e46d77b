//! UAX #29 sentence and word segments, fast on the common case.
//!
//! `unicode-segmentation` looks every character's break category up in a Unicode table,
//! which is most of the pipeline's time on news text. Its word iterator has a path for pure
//! ASCII strings, but a document with one curly quote does not take it, and its sentence
//! iterator has none. Here a text is cut where a break is certain whatever comes before it
//! (after a line feed for sentences; after a space or line feed followed by an ASCII
//! character for words), and each piece that is ASCII takes a fast path: for words, the
//! runs of the crate's own ASCII path without the punctuation between them; for sentences,
//! a port of the crate's sentence state machine over an ASCII category table, which skips
//! from one terminator to the next where no rule can break. Other pieces take the crate's
//! Unicode rules. The segments are exactly those of the crate on the whole text, which
//! property tests and a fuzz target check.

use unicode_segmentation::UnicodeSegmentation;

/// Sentence segments `(start, segment)` of `text`, as `split_sentence_bound_indices` gives
/// them on the whole text.
pub fn sentence_segments(text: &str) -> impl Iterator<Item = (usize, &str)> {
    // UAX #29 SB4: there is always a break after a line feed, and what follows it does not
    // depend on anything before it.
    text.split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .flat_map(|(start, line)| {
            let (ascii, unicode) = if line.is_ascii() {
                (Some(ascii_sentences::segments(line)), None)
            } else {
                (None, Some(line.split_sentence_bound_indices()))
            };
            ascii
                .into_iter()
                .flatten()
                .chain(unicode.into_iter().flatten())
                .map(move |(at, segment)| (start + at, segment))
        })
}

/// Word segments `(start, word)` of `text` that hold a letter or a digit
/// (`char::is_alphanumeric`), as `split_word_bound_indices` gives them on the whole text.
pub fn word_segments(text: &str) -> impl Iterator<Item = (usize, &str)> {
    word_pieces(text).flat_map(|(start, piece)| {
        let (ascii, unicode) = if piece.is_ascii() {
            (Some(ascii_words(piece)), None)
        } else {
            (
                None,
                Some(piece.split_word_bound_indices().filter(has_alphanumeric)),
            )
        };
        ascii
            .into_iter()
            .flatten()
            .chain(unicode.into_iter().flatten())
            .map(move |(at, word)| (start + at, word))
    })
}

/// The word segments of ASCII `text` that hold a letter or a digit: the runs of letters,
/// digits and `_` that the crate's ASCII word iterator gives (`unicode_word_indices`, a
/// port of rules WB5 to WB13b: a `.`, `,`, `;` or `'` between digits and a `.`, `:` or `'`
/// between letters join them), without the one-byte segments of spaces and punctuation
/// between them, which hold neither.
fn ascii_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let core = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let infix = |at: usize| {
        let (prev, next) = (bytes[at - 1], bytes[at + 1]);
        match bytes[at] {
            b'.' | b',' | b';' | b'\'' if prev.is_ascii_digit() && next.is_ascii_digit() => true,
            b'\'' | b'.' | b':' => prev.is_ascii_alphabetic() && next.is_ascii_alphabetic(),
            _ => false,
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || loop {
        while i < bytes.len() && !core(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && (core(bytes[i]) || (i + 1 < bytes.len() && infix(i))) {
            i += 1;
        }
        let word = &text[start..i];
        if word.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Some((start, word));
        }
    })
}

/// Whether a segment holds a letter or a digit.
pub fn has_alphanumeric((_, segment): &(usize, &str)) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// `text` cut into pieces at certain word breaks, so that the ASCII stretches of a text
/// with a few other characters are pieces of their own.
fn word_pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let from = start;
        let end = match bytes[from..].iter().position(|b| !b.is_ascii()) {
            // All ASCII to the end.
            None => bytes.len(),
            // The ASCII stretch before the first other character, if it has a certain break.
            Some(n) => match (from + 1..=from + n)
                .rev()
                .find(|&i| certain_word_break(bytes, i))
            {
                Some(cut) => cut,
                // Otherwise the piece with that character runs to the next certain break.
                None => (from + n + 1..bytes.len())
                    .find(|&i| certain_word_break(bytes, i))
                    .unwrap_or(bytes.len()),
            },
        };
        start = end;
        Some((from, &text[from..end]))
    })
}

/// Whether UAX #29 has a word break before byte `at` whatever precedes it: after a line
/// feed (WB3a), or after a space and before an ASCII character that is not a space (no
/// rule but WB999 applies: a space joins only spaces, WB3d, and marks, WB4).
fn certain_word_break(bytes: &[u8], at: usize) -> bool {
    match (bytes.get(at.wrapping_sub(1)), bytes.get(at)) {
        (Some(b'\n'), Some(_)) => true,
        (Some(b' '), Some(&next)) => next.is_ascii() && next != b' ',
        _ => false,
    }
}

/// The sentence rules of UAX #29 over ASCII text: a port of `unicode-segmentation`'s
/// state machine (MIT or Apache-2.0, 1.13), with its category lookup replaced by a table of
/// the 128 ASCII characters' categories (from the crate's tables).
mod ascii_sentences {
    /// Sentence break categories that occur in ASCII.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Cat {
        Cr,
        Lf,
        Sp,
        Lower,
        Upper,
        Numeric,
        ATerm,
        STerm,
        Close,
        SContinue,
        Other,
    }

    fn category(b: u8) -> Cat {
        match b {
            b'\r' => Cat::Cr,
            b'\n' => Cat::Lf,
            b'\t' | 0x0b | 0x0c | b' ' => Cat::Sp,
            b'a'..=b'z' => Cat::Lower,
            b'A'..=b'Z' => Cat::Upper,
            b'0'..=b'9' => Cat::Numeric,
            b'.' => Cat::ATerm,
            b'!' | b'?' => Cat::STerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
            b',' | b'-' | b':' | b';' => Cat::SContinue,
            _ => Cat::Other,
        }
    }

    /// The crate's state: the last four parts of the text, runs of closers and spaces
    /// collapsed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Part {
        Sot,
        Eot,
        Other,
        Cr,
        Lf,
        ATerm,
        UpperLower,
        ClosePlus,
        SpPlus,
        STerm,
    }

    #[derive(Debug, Clone, Copy)]
    struct State([Part; 4]);

    impl State {
        fn next(self, cat: Cat) -> State {
            let p = self.0;
            match (p[3], cat) {
                (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => self,
                _ => State([p[1], p[2], p[3], part(cat)]),
            }
        }

        fn end(self) -> State {
            let p = self.0;
            State([p[1], p[2], p[3], Part::Eot])
        }

        fn last(self, part: Part) -> bool {
            self.0[3] == part
        }

        fn last_two(self, first: Part, second: Part) -> bool {
            self.0[2] == first && self.0[3] == second
        }

        /// Index of the part before `SATerm Close* Sp*`'s trailing closers and spaces.
        fn before_close_sp(self) -> usize {
            let mut idx = if self.0[3] == Part::SpPlus { 2 } else { 3 };
            if self.0[idx] == Part::ClosePlus {
                idx -= 1;
            }
            idx
        }

        fn is_sa_term(self, idx: usize) -> bool {
            matches!(self.0[idx], Part::STerm | Part::ATerm)
        }

        /// Whether no rule can break before the next character unless it is a terminator or
        /// a line break: no terminator waits behind closers and spaces, no line ended. Any
        /// other character keeps the state so.
        fn inert(self) -> bool {
            !matches!(self.0[3], Part::Sot | Part::Eot | Part::Cr | Part::Lf)
                && !self.is_sa_term(self.before_close_sp())
        }

        /// The state after `stretch`, which holds no terminator and no line break: its last
        /// four parts, read backwards (a run of spaces or of closers is one part), after
        /// those of `self`.
        fn after(self, stretch: &[u8]) -> State {
            // The stretch's parts, last first.
            let mut parts = [Part::Other; 4];
            let mut n = 0;
            for &b in stretch.iter().rev() {
                let p = part(category(b));
                let same_run = n > 0 && parts[n - 1] == p;
                if same_run && matches!(p, Part::SpPlus | Part::ClosePlus) {
                    continue;
                }
                if n == 4 {
                    break;
                }
                parts[n] = p;
                n += 1;
            }
            let mut state = self;
            for &p in parts[..n].iter().rev() {
                let same_run = state.0[3] == p && matches!(p, Part::SpPlus | Part::ClosePlus);
                if !same_run {
                    state = State([state.0[1], state.0[2], state.0[3], p]);
                }
            }
            state
        }
    }

    fn part(cat: Cat) -> Part {
        match cat {
            Cat::Cr => Part::Cr,
            Cat::Lf => Part::Lf,
            Cat::ATerm => Part::ATerm,
            Cat::Upper | Cat::Lower => Part::UpperLower,
            Cat::Close => Part::ClosePlus,
            Cat::Sp => Part::SpPlus,
            Cat::STerm => Part::STerm,
            _ => Part::Other,
        }
    }

    /// SB8: `ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower`.
    fn sb8(state: State, ahead: &[u8]) -> bool {
        if state.0[state.before_close_sp()] != Part::ATerm {
            return false;
        }
        for &b in ahead {
            match category(b) {
                Cat::Lower => return true,
                Cat::Upper | Cat::Cr | Cat::Lf | Cat::STerm | Cat::ATerm => return false,
                _ => continue,
            }
        }
        false
    }

    /// SB8a and SB10: `SATerm Close* Sp*` before.
    fn sb8a(state: State) -> bool {
        state.is_sa_term(state.before_close_sp())
    }

    /// SB9: `SATerm Close*` before.
    fn sb9(state: State) -> bool {
        let idx = if state.0[3] == Part::ClosePlus { 2 } else { 3 };
        state.is_sa_term(idx)
    }

    /// SB11: `SATerm Close* Sp* ParaSep?` before.
    fn sb11(state: State) -> bool {
        let mut idx = match state.0[3] {
            Part::Cr | Part::Lf => 2,
            _ => 3,
        };
        if state.0[idx] == Part::SpPlus {
            idx -= 1;
        }
        if state.0[idx] == Part::ClosePlus {
            idx -= 1;
        }
        state.is_sa_term(idx)
    }

    /// Byte offsets of the sentence breaks of `text` (ASCII), as the crate's `SentenceBreaks`.
    struct Breaks<'a> {
        bytes: &'a [u8],
        pos: usize,
        state: State,
    }

    impl Iterator for Breaks<'_> {
        type Item = usize;

        fn next(&mut self) -> Option<usize> {
            while self.pos < self.bytes.len() {
                if self.state.inert() {
                    // No break before the next terminator or line break: skip to it.
                    let rest = &self.bytes[self.pos..];
                    let plain = rest
                        .iter()
                        .position(|b| matches!(b, b'.' | b'!' | b'?' | b'\r' | b'\n'))
                        .unwrap_or(rest.len());
                    if plain > 0 {
                        self.state = self.state.after(&rest[..plain]);
                        self.pos += plain;
                        continue;
                    }
                }
                let before_pos = self.pos;
                let before = self.state;
                let cat = category(self.bytes[before_pos]);
                self.pos += 1;
                self.state = before.next(cat);
                if breaks_before(before, cat, &self.bytes[before_pos..]) {
                    return Some(before_pos);
                }
            }
            // SB2
            if self.state.last(Part::Sot) || self.state.last(Part::Eot) {
                None
            } else {
                self.state = self.state.end();
                Some(self.pos)
            }
        }
    }

    /// Whether there is a break before a character of category `cat` (the text from it on
    /// is `ahead`), in state `before`: rules SB1 to SB998, in order.
    fn breaks_before(before: State, cat: Cat, ahead: &[u8]) -> bool {
        if before.last(Part::Sot) {
            return true; // SB1
        }
        if cat == Cat::Lf && before.last(Part::Cr) {
            return false; // SB3
        }
        if before.last(Part::Cr) || before.last(Part::Lf) {
            return true; // SB4
        }
        // SB5 (Extend, Format) has no ASCII character.
        if cat == Cat::Numeric && before.last(Part::ATerm) {
            return false; // SB6
        }
        if cat == Cat::Upper && before.last_two(Part::UpperLower, Part::ATerm) {
            return false; // SB7
        }
        if sb8(before, ahead) {
            return false;
        }
        if matches!(cat, Cat::SContinue | Cat::STerm | Cat::ATerm) && sb8a(before) {
            return false;
        }
        if matches!(cat, Cat::Close | Cat::Sp | Cat::Cr | Cat::Lf) && sb9(before) {
            return false;
        }
        if matches!(cat, Cat::Sp | Cat::Cr | Cat::Lf) && sb8a(before) {
            return false; // SB10
        }
        sb11(before) // SB11, else SB998
    }

    /// Sentence segments `(start, segment)` of `text`, which must be ASCII.
    pub(super) fn segments(text: &str) -> impl Iterator<Item = (usize, &str)> {
        debug_assert!(text.is_ascii());
        let mut breaks = Breaks {
            bytes: text.as_bytes(),
            pos: 0,
            state: State([Part::Sot; 4]),
        }
        .peekable();
        // The first break is at 0 (SB1); each segment runs to the next.
        std::iter::from_fn(move || {
            let start = breaks.next()?;
            let end = *breaks.peek()?;
            Some((start, &text[start..end]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference_sentences(text: &str) -> Vec<(usize, &str)> {
        text.split_sentence_bound_indices().collect()
    }

    fn reference_words(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(has_alphanumeric)
            .collect()
    }

    /// Text made of the characters where the rules are subtle: every ASCII category,
    /// sentence and word punctuation, newlines, and non-ASCII letters, marks, spaces,
    /// closers, formats, joiners and flags.
    fn tricky() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9]{1,6}",
            3 => Just(" ".to_string()),
            2 => prop::sample::select(vec![
                ".", "!", "?", ",", "-", ":", ";", "'", "\"", "(", ")", "[", "]", "{", "}",
                "\n", "\r", "\r\n", "\t", "\u{b}", "\u{c}", "_", "@", "  ", ". ", "... ",
            ])
            .prop_map(str::to_string),
            1 => prop::sample::select(vec![
                "é", "É", "ß", "中", "\u{301}", "\u{a0}", "\u{2029}", "\u{85}", "«", "»",
                "\u{2019}", "\u{201c}", "\u{201d}", "\u{ad}", "\u{200d}", "\u{200b}", "\u{2060}",
                "🇫🇷", "👍🏽", "\u{bbe}", "\u{dd8}", "\u{3000}", "\u{2028}", "\u{ff0e}", "\u{3002}", "٣", "ª",
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn sentences_equal_the_unicode_rules(text in tricky()) {
            let fast: Vec<_> = sentence_segments(&text).collect();
            prop_assert_eq!(fast, reference_sentences(&text));
        }

        #[test]
        fn words_equal_the_unicode_rules(text in tricky()) {
            let fast: Vec<_> = word_segments(&text).collect();
            prop_assert_eq!(fast, reference_words(&text));
        }

        #[test]
        fn any_text_segments_as_the_unicode_rules(text in any::<String>()) {
            let sentences: Vec<_> = sentence_segments(&text).collect();
            prop_assert_eq!(sentences, reference_sentences(&text));
            let words: Vec<_> = word_segments(&text).collect();
            prop_assert_eq!(words, reference_words(&text));
        }
    }

    #[test]
    fn news_text_segments_as_the_unicode_rules() {
        let text = "WASHINGTON (Reuters) - Mr. Clinton said on Tuesday: \"We're ready.\" \
                    He met U.S. officials at 3.30 p.m.\n\nPrices rose 2.5 pct. The \
                    café’s owner — M. Lévy — agreed! Did he? (Yes.) e.g. this.\r\nEnd";
        assert_eq!(
            sentence_segments(text).collect::<Vec<_>>(),
            reference_sentences(text)
        );
        assert_eq!(
            word_segments(text).collect::<Vec<_>>(),
            reference_words(text)
        );
        assert!(
            word_pieces(text).count() > 1,
            "the ASCII stretches are pieces of their own"
        );
    }
}
