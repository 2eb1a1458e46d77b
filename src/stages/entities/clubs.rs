//! Sports clubs named after their town (`Liverpool manager Rafael Benitez`, `Newcastle were
//! held`, `Portuguese champions Porto`, `Tottenham v Brighton`). Sports news names a club by
//! its town, so a town's name is the club where a word of sport stands next to it; and, one
//! sense per document, at its other mentions there too, except where the words around a
//! mention say place (`in Liverpool`, a dateline `MILAN 1996-08-25`).

use crate::wordlist::WordList;

/// The words that mark a club next to a town's name (pipeline word lists).
#[derive(Debug, Clone, Default)]
pub struct ClubCues {
    /// Right after the name: `manager`, `striker`, `fans`, `were`, `v`.
    followers: WordList,
    /// Right before the name: `champions`, `hopefuls`, `beat`, `v`.
    preceders: WordList,
    /// Words of place before a name (`in`, `at`, `near`, compared in lowercase): they keep a
    /// mention a place.
    locative: WordList,
}

/// Words before a name that make it one of several subjects or the object of a preposition
/// (`Arsenal and Liverpool were`, `the streets of Liverpool were`, `sales across
/// Massachusetts were`): a word after it then says nothing of a club.
const NOT_SUBJECT: &[&str] = &[
    "and",
    "or",
    "nor",
    "&",
    "of",
    "across",
    "throughout",
    "within",
    "over",
];

/// Plural verbs after a town's name: British usage for its team (`Newcastle were held`,
/// `Yorkshire are 250 for six`). Followers too when the list has them.
const PLURAL_VERBS: &[&str] = &["were", "are", "have"];

impl ClubCues {
    /// Cues from the word lists `club_followers`, `club_preceders` and `place_prepositions`.
    pub fn new(followers: WordList, preceders: WordList, locative: WordList) -> Self {
        ClubCues {
            followers,
            preceders,
            locative,
        }
    }

    /// Whether the words right around `text[start..end]` make the name there a club's.
    pub fn marks_club(&self, text: &str, start: usize, end: usize) -> bool {
        let before = word_before(text, start);
        let after = word_after(text, end);
        // Not where the name goes on (`beat Virginia Ruano-Pascual`, `champions Manchester
        // United`).
        let name_goes_on = text[end..]
            .strip_prefix(' ')
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_uppercase);
        let preceded =
            !name_goes_on && before.is_some_and(|w| self.preceders.contains(w) || ranked(w));
        // A follower counts for the subject of a sentence or a name on its own, not for one
        // of a list or a place after a preposition (`in London are`).
        let subject = !before.is_some_and(|w| NOT_SUBJECT.contains(&w) || self.is_locative(w));
        let followed = after.is_some_and(|w| {
            // A plural verb only after a name that opens its clause: not the object of a
            // verb (`troops besieging Turin were defeated`).
            let opens_clause = !before.is_some_and(|b| b.starts_with(char::is_lowercase));
            self.followers.contains(w) && (!PLURAL_VERBS.contains(&w) || opens_clause)
        });
        preceded || (subject && followed)
    }

    /// Whether a mention of a club's town still names the place: after a word of place
    /// (`in Madrid`) or opening a dateline (`MILAN 1996-08-25`, `LONDON -`, `Leeds, England`).
    pub fn says_place(&self, text: &str, start: usize, end: usize) -> bool {
        let line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
        let after = &text[end..];
        let dateline = line_start
            && (after.starts_with(',')
                || after.starts_with(" -")
                || after.starts_with(" (")
                || is_date(after.trim_start_matches(' ')));
        dateline || word_before(text, start).is_some_and(|w| self.is_locative(w))
    }

    fn is_locative(&self, word: &str) -> bool {
        self.locative.contains(&word.to_lowercase())
    }
}

/// `fifth-placed`, `bottom-placed`: a rank in a league table.
fn ranked(word: &str) -> bool {
    word.ends_with("-placed")
}

/// `1996-08-25`: a date in ISO form opens the rest.
fn is_date(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
}

/// The word right before `start`, one space away on the same line (letters, digits and
/// hyphens; `v.` as `v`).
fn word_before(text: &str, start: usize) -> Option<&str> {
    let before = text[..start].strip_suffix(' ')?;
    let before = before.strip_suffix('.').unwrap_or(before);
    let from = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '-' || c == '&')
        .last()?
        .0;
    Some(&before[from..])
}

/// The word right after `end`, one space away (letters and hyphens: `team-mate`).
fn word_after(text: &str, end: usize) -> Option<&str> {
    let after = text[end..].strip_prefix(' ')?;
    let len = after
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || c == '-'))
        .map_or(after.len(), |(i, _)| i);
    (len > 0).then(|| &after[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cues() -> ClubCues {
        ClubCues::new(
            WordList::of(&["manager", "were", "v", "prop"]),
            WordList::of(&["champions", "beat", "v"]),
            WordList::of(&["in", "at"]),
        )
    }

    fn marks(text: &str, name: &str) -> bool {
        let start = text.find(name).unwrap();
        cues().marks_club(text, start, start + name.len())
    }

    #[test]
    fn words_of_sport_around_a_town_mark_its_club() {
        assert!(marks("Liverpool manager Rafael Benitez said", "Liverpool"));
        assert!(marks("Elsewhere, Liverpool were held 0-0", "Liverpool"));
        assert!(marks("Dutch champions Ajax signed him", "Ajax"));
        assert!(marks("three points clear of fifth-placed Ajax.", "Ajax"));
        assert!(marks("Tottenham v Brighton", "Tottenham"));
        assert!(marks("Tottenham v. Brighton", "Brighton"));
        assert!(marks("Newcastle prop Ed Kalman joined", "Newcastle"));
    }

    #[test]
    fn a_town_in_a_list_or_after_a_preposition_is_no_club() {
        assert!(!marks("London and Paris were bombed", "Paris"));
        assert!(!marks(
            "sales across Massachusetts were down",
            "Massachusetts"
        ));
        assert!(!marks("troops besieging Turin were defeated", "Turin"));
        assert!(marks("the former Liverpool manager", "Liverpool"));
        assert!(!marks(
            "Natasha Zvereva beat Virginia Ruano-Pascual",
            "Virginia"
        ));
        assert!(!marks("the streets of Liverpool were empty", "Liverpool"));
        assert!(!marks("prices in London were up", "London"));
        assert!(!marks("Liverpool council said", "Liverpool"));
        assert!(!marks("Liverpool\nmanager", "Liverpool"));
    }

    #[test]
    fn a_dateline_or_a_word_of_place_keeps_a_town_a_place() {
        let c = cues();
        let says = |text: &str, name: &str| {
            let start = text.rfind(name).unwrap();
            c.says_place(text, start, start + name.len())
        };
        assert!(says("SOCCER - MILAN WIN.\nMILAN 1996-08-25\nText", "MILAN"));
        assert!(says("Text.\nLONDON - Text", "LONDON"));
        assert!(says("he lives in Madrid", "Madrid"));
        assert!(says("he played At Madrid", "Madrid"));
        assert!(!says("Text.\nMadrid have won", "Madrid"));
        assert!(!says("they beat Madrid", "Madrid"));
    }
}
