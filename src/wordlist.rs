//! Word lists: the titles, roles, reporting verbs, organisation words and stop words that
//! discovery and place matching take as evidence. They are data, not code: plain text files
//! under `pipelines/` (one word a line, `#` comments), named by the pipeline file and checked
//! when it loads, so that curating them means editing text.

use foldhash::HashSet;
use std::path::Path;

use crate::error::{Error, Result};

/// A set of words read from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordList {
    words: HashSet<String>,
    /// The shapes of the listed words ([`Shapes`]): most words asked about are not listed,
    /// and their shape says so without hashing them.
    shapes: Shapes,
}

/// A one-hash Bloom filter over a word's length, first and last byte: 4,096 bits, so that a
/// list of a few hundred words answers most lookups of words it lacks with one bit, no
/// false negative. Discovery asks several lists about every token of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shapes {
    bits: Box<[u64; 64]>,
}

impl Default for Shapes {
    fn default() -> Self {
        Shapes {
            bits: Box::new([0; 64]),
        }
    }
}

impl Shapes {
    fn slot(word: &str) -> usize {
        let bytes = word.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return 0;
        };
        let mixed = (first as usize).wrapping_mul(0x9E37)
            ^ (last as usize).wrapping_mul(0x85EB)
            ^ bytes.len().wrapping_mul(0xC2B3);
        (mixed ^ (mixed >> 12)) & 4095
    }

    fn insert(&mut self, word: &str) {
        let slot = Self::slot(word);
        self.bits[slot / 64] |= 1 << (slot % 64);
    }

    /// Whether a word of `word`'s shape may be listed (false: it is not).
    fn may_contain(&self, word: &str) -> bool {
        let slot = Self::slot(word);
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
}

impl WordList {
    /// Reads a list: one word a line, blank lines and `#` comments skipped. A line with a
    /// space inside or a word listed twice is an error naming the file and line.
    pub fn load(path: &Path) -> Result<WordList> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(path, format!("cannot read word list: {e}")))?;
        Self::parse(&text).map_err(|message| Error::config(path, message))
    }

    /// Parses the text of a list (see [`WordList::load`]).
    pub fn parse(text: &str) -> std::result::Result<WordList, String> {
        let mut first_line = foldhash::HashMap::default();
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            if word.contains(char::is_whitespace) {
                return Err(format!(
                    "line {number}: `{word}` has a space inside; one word a line"
                ));
            }
            if let Some(first) = first_line.insert(word.to_string(), number) {
                return Err(format!(
                    "line {number}: `{word}` is already listed at line {first}"
                ));
            }
        }
        Ok(WordList::from_words(first_line.into_keys().collect()))
    }

    /// A list of the given words (for tests and built-in defaults).
    pub fn of(words: &[&str]) -> WordList {
        WordList::from_words(words.iter().map(|w| w.to_string()).collect())
    }

    /// A list of `words`, with their shapes.
    pub fn from_words(words: HashSet<String>) -> WordList {
        let mut shapes = Shapes::default();
        for word in &words {
            shapes.insert(word);
        }
        WordList { words, shapes }
    }

    /// Whether `word` is listed (exact case).
    pub fn contains(&self, word: &str) -> bool {
        self.shapes.may_contain(word) && self.words.contains(word)
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The word lists of a pipeline, read from one folder (`[discovery] words`), one file each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordLists {
    /// `titles.txt`: titles before a name (`Mr`, `President`); evidence, not part of the name.
    pub titles: WordList,
    /// `roles.txt`: lowercase roles before a name (`spokesman`).
    pub roles: WordList,
    /// `reporting_verbs.txt`: `said`, `told`, ... next to a name.
    pub reporting_verbs: WordList,
    /// `organization_words.txt`: last words of organisation names (`Council`, `Bank`).
    pub organization_words: WordList,
    /// `not_names.txt`: capitalised words that are never part of a name (`The`, `Monday`).
    pub not_names: WordList,
    /// `locative.txt`: words before a place that keep it a place (`in`, `near`).
    pub locative: WordList,
    /// `particles.txt`: lowercase particles inside names (`de`, `van`).
    pub particles: WordList,
    /// `place_prepositions.txt`: words before a small town that make it a place.
    pub place_prepositions: WordList,
    /// `demonyms.txt`: nationality adjectives (`British`): never a name or a candidate.
    pub demonyms: WordList,
    /// `title_words.txt`: section and masthead words (`News`, `Radio`): never a candidate alone.
    pub title_words: WordList,
    /// `event_words.txt`: organisation words that end an event's or a venue's name (`War`,
    /// `Stadium`): such a run is no discovered organisation.
    pub event_words: WordList,
    /// `lineup_labels.txt`: words before the colon of a team sheet (`Squad:`, `Booked:`).
    pub lineup_labels: WordList,
    /// `place_words.txt`: last words of sites' and features' names (`Street`, `Stadium`).
    pub place_words: WordList,
    /// `company_nouns.txt`: lowercase nouns before a company's name (`firm`, `giant`).
    pub company_nouns: WordList,
    /// `company_followers.txt`: lowercase nouns right after a company's name (`boss`,
    /// `shares`: `Shell boss`, `Turkcell shares`).
    pub company_followers: WordList,
    /// `club_followers.txt`: words right after a town's name that make it a sports club's
    /// (`Liverpool manager`, `Newcastle were`, `Tottenham v`).
    pub club_followers: WordList,
    /// `club_preceders.txt`: words right before a town's name that make it a sports club's
    /// (`champions Porto`, `beat Parma`).
    pub club_preceders: WordList,
    /// `work_nouns.txt`: lowercase nouns before a work's title (`film Vera Drake`): no person.
    pub work_nouns: WordList,
}

/// The files of a word-list folder, in the order of [`WordLists`]' fields.
pub const WORD_LIST_FILES: &[&str] = &[
    "titles.txt",
    "roles.txt",
    "reporting_verbs.txt",
    "organization_words.txt",
    "not_names.txt",
    "locative.txt",
    "particles.txt",
    "place_prepositions.txt",
    "demonyms.txt",
    "title_words.txt",
    "event_words.txt",
    "lineup_labels.txt",
    "place_words.txt",
    "company_nouns.txt",
    "company_followers.txt",
    "club_followers.txt",
    "club_preceders.txt",
    "work_nouns.txt",
];

impl WordLists {
    /// Reads every list of [`WORD_LIST_FILES`] from `dir`; a missing file is an error.
    pub fn load(dir: &Path) -> Result<WordLists> {
        let read = |name: &str| WordList::load(&dir.join(name));
        Ok(WordLists {
            titles: read("titles.txt")?,
            roles: read("roles.txt")?,
            reporting_verbs: read("reporting_verbs.txt")?,
            organization_words: read("organization_words.txt")?,
            not_names: read("not_names.txt")?,
            locative: read("locative.txt")?,
            particles: read("particles.txt")?,
            place_prepositions: read("place_prepositions.txt")?,
            demonyms: read("demonyms.txt")?,
            title_words: read("title_words.txt")?,
            event_words: read("event_words.txt")?,
            lineup_labels: read("lineup_labels.txt")?,
            place_words: read("place_words.txt")?,
            company_nouns: read("company_nouns.txt")?,
            company_followers: read("company_followers.txt")?,
            club_followers: read("club_followers.txt")?,
            club_preceders: read("club_preceders.txt")?,
            work_nouns: read("work_nouns.txt")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shape filter never turns a listed word away, whatever the words.
        #[test]
        fn a_list_answers_as_its_set(
            listed in proptest::collection::vec(".{0,12}", 0..40),
            asked in proptest::collection::vec(".{0,12}", 0..40),
        ) {
            let refs: Vec<&str> = listed.iter().map(String::as_str).collect();
            let list = WordList::of(&refs);
            for word in listed.iter().chain(&asked) {
                proptest::prop_assert_eq!(list.contains(word), listed.contains(word));
            }
        }
    }

    #[test]
    fn shapes_never_hide_a_listed_word_and_turn_most_others_away() {
        let listed: Vec<String> = (0..300).map(|i| format!("w{i}x{}", i % 7)).collect();
        let refs: Vec<&str> = listed.iter().map(String::as_str).collect();
        let list = WordList::of(&refs);
        assert!(refs.iter().all(|w| list.contains(w)));
        let others: Vec<String> = (0..2000).map(|i| format!("Other{i}")).collect();
        assert!(others.iter().all(|w| !list.contains(w)));
        let let_through = others.iter().filter(|w| list.shapes.may_contain(w)).count();
        assert!(let_through < 400, "{let_through} of 2000 hashed");
        assert!(!list.contains("") && WordList::of(&[""]).contains(""));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let list = WordList::parse("# titles\nMr\n\n  Dr \n").unwrap();
        assert!(list.contains("Mr") && list.contains("Dr"));
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let err = WordList::parse("Mr\nDr\nMr\n").unwrap_err();
        assert_eq!(err, "line 3: `Mr` is already listed at line 1");
        let err = WordList::parse("# x\nVice President\n").unwrap_err();
        assert!(
            err.starts_with("line 2: `Vice President` has a space"),
            "{err}"
        );
    }

    #[test]
    fn the_shipped_lists_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/words");
        let lists = WordLists::load(&dir).unwrap();
        assert!(lists.titles.contains("President"));
        assert!(lists.roles.contains("spokesman"));
        assert!(lists.place_prepositions.contains("near"));
    }
}

/// A long list of words (hundreds of thousands) read at every start: kept as a set of the
/// 64-bit hashes of its words, which loads about three times as fast as a set of the words
/// (no string is kept) and answers a lookup with one probe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordHashes {
    hashes: HashSet<u64>,
}

impl WordHashes {
    /// Reads a list: one word a line, blank lines and `#` comments skipped.
    pub fn load(path: &Path) -> Result<WordHashes> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(path, format!("cannot read word list: {e}")))?;
        Ok(WordHashes::parse(&text))
    }

    /// The words of `text` (see [`WordHashes::load`]).
    pub fn parse(text: &str) -> WordHashes {
        let hashes = text
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes()))
            .collect();
        WordHashes { hashes }
    }

    /// Whether `word` is listed (a 64-bit hash collision aside: about one in 10^13 for a
    /// list of this size).
    pub fn contains(&self, word: &str) -> bool {
        self.hashes
            .contains(&xxhash_rust::xxh3::xxh3_64(word.as_bytes()))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

#[cfg(test)]
mod word_hashes_tests {
    use super::WordHashes;

    #[test]
    fn finds_listed_words_only() {
        let list = WordHashes::parse("# header\ncharlie\nable\n\n  baker  \nable\n");
        assert_eq!(list.len(), 3);
        for word in ["able", "baker", "charlie"] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["abl", "bakers", "", "# header", "Able"] {
            assert!(!list.contains(word), "{word}");
        }
    }
}
