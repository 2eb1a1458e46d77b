//! Figure discovery: people that no lexicon lists, found from evidence in the text.
//!
//! A run of capitalised words (with initials and particles such as `de` or `van`) is a person
//! when there is evidence: a title or role before or inside it (`Mr`, `President`,
//! `spokesman`), a known first name followed by more name (`Andy Caddick`), or a reporting
//! verb next to a two- or three-word name (`..., Tom Ross said`). A single word is a person
//! only as the surname of a person named earlier in the document (coreference, as GATE's
//! OrthoMatcher does); a surname shared by two people stays unresolved. Runs ending in an
//! organisation word (`Council`, `Party`, `Bank`, ...) are not people.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use crate::error::{Error, Result};
use crate::lexicon::{EntityId, Kind, Lexicon, Method};
use crate::model::{Mention, TokenizedDocument};

/// Titles and roles that announce a person's name.
const TITLES: &[&str] = &[
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "Prof",
    "Prof.",
    "Sir",
    "Dame",
    "Lord",
    "Lady",
    "President",
    "Vice",
    "Premier",
    "Chancellor",
    "Minister",
    "Secretary",
    "Senator",
    "Sen.",
    "Rep.",
    "Governor",
    "Gov.",
    "Mayor",
    "General",
    "Gen.",
    "Colonel",
    "Col.",
    "Captain",
    "Capt.",
    "Judge",
    "Justice",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Pope",
    "Ambassador",
    "Chairman",
    "Commissioner",
    "Deputy",
    "Director",
    "Father",
    "Rabbi",
    "Sheikh",
    "Ayatollah",
    "Cardinal",
    "Bishop",
    "Archbishop",
    "Coach",
    "Manager",
    "Leader",
    "Speaker",
    "Envoy",
    "Marshal",
    "Admiral",
    "Sergeant",
    "Lieutenant",
    "Detective",
    "Inspector",
    "Officer",
    "Adviser",
    "Advisor",
    "Spokesman",
    "Spokeswoman",
];

/// Lowercase roles that announce a person's name (`spokesman Tom Ross`).
const ROLES: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "president",
    "minister",
    "secretary",
    "leader",
    "chairman",
    "chief",
    "director",
    "coach",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "captain",
    "manager",
    "player",
    "champion",
    "winner",
    "driver",
    "rider",
    "batsman",
    "bowler",
    "opener",
    "seed",
    "compatriot",
    "teammate",
    "rival",
    "dissident",
    "activist",
    "lawyer",
    "senator",
    "governor",
    "mayor",
    "ambassador",
    "envoy",
    "analyst",
    "economist",
    "official",
    "colleague",
    "wife",
    "husband",
    "son",
    "daughter",
    "brother",
    "sister",
    "mother",
    "father",
    "told",
    "adviser",
    "advisor",
    "intellectual",
    "expert",
    "emissary",
    "aide",
    "negotiator",
    // Cricket scorecards: `c Chandana b Jayasuriya`, `st Kaluwitharana`, `lbw b Mushtaq Ahmed`.
    "b",
    "c",
    "st",
    "lbw",
];

/// Verbs of reporting next to a name.
const REPORTING: &[&str] = &["said", "says", "told", "added", "asked", "replied", "wrote"];

/// Last words of organisation names.
const ORGANIZATION_WORDS: &[&str] = &[
    "Council",
    "Party",
    "Ministry",
    "Bank",
    "Corp",
    "Corp.",
    "Inc",
    "Inc.",
    "Ltd",
    "Ltd.",
    "Co",
    "Co.",
    "Group",
    "Association",
    "Union",
    "Committee",
    "Administration",
    "University",
    "Agency",
    "Institute",
    "Club",
    "FC",
    "United",
    "City",
    "Rovers",
    "Commission",
    "Court",
    "Department",
    "Office",
    "Times",
    "News",
    "Post",
    "Exchange",
    "Airlines",
    "Motors",
    "Fund",
    "Board",
    "Service",
    "Services",
    "Army",
    "Navy",
    "Police",
    "Federation",
    "League",
    "Cup",
    "Championship",
    "Championships",
    "Open",
    "Games",
    "Parliament",
    "Congress",
    "Senate",
    "Assembly",
    "Front",
    "Movement",
    "Organisation",
    "Organization",
    "Foundation",
    "Trust",
    "Holdings",
    "Industries",
    "International",
    "Airways",
    "Bureau",
    "Force",
    "Forces",
    "Government",
    "Republic",
    "Kingdom",
    "Street",
    "Square",
    "Road",
    "House",
    "Hospital",
    "School",
    "College",
    "Church",
    "Stadium",
    "Airport",
    "Centre",
    "Center",
    "Station",
];

/// Capitalised words that are not names (sentence openers, days, months, ...).
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "Of",
    "For",
    "And",
    "But",
    "Or",
    "If",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Their",
    "Its",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "When",
    "While",
    "After",
    "Before",
    "As",
    "With",
    "By",
    "From",
    "To",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "Reuters",
    "Reuter",
    "AP",
    "AFP",
    "New",
    "North",
    "South",
    "East",
    "West",
    "Western",
    "Eastern",
    "Northern",
    "Southern",
    "Central",
    "Ltd",
    "Inc",
    "Co",
    "Christian",
    "Muslim",
    "Islamic",
    "Catholic",
    "Democrat",
    "Democrats",
    "Republican",
    "Republicans",
    "Communist",
    "Socialist",
    "Conservative",
    "Labour",
    "Liberal",
    "Olympic",
    "World",
    "National",
    "International",
    "Federal",
    "State",
    "City",
    "Cup",
    "League",
    "Division",
    "Group",
    "Round",
    "Results",
    "Result",
    "Standings",
    "Total",
    "Soccer",
    "Tennis",
    "Golf",
    "Cricket",
    "Rugby",
    "Baseball",
    "Basketball",
    "Hockey",
    "Athletics",
    "Cycling",
    "Boxing",
    "Motor",
    "Racing",
    "Summary",
    "Scores",
    "Score",
    "Table",
    "Update",
    "Note",
];

/// Words before a place that make it a place, even when it is also someone's surname.
const LOCATIVE: &[&str] = &[
    "in", "at", "from", "to", "near", "into", "across", "outside", "inside", "around", "through",
];

/// Lowercase particles inside names (`Charles de Gaulle`, `Ludwig van Beethoven`).
const PARTICLES: &[&str] = &[
    "de", "van", "von", "der", "den", "bin", "ibn", "al", "da", "di", "du", "le", "la", "dos",
    "del",
];

/// Word lists as hash sets, built once: discovery looks words up several times per token.
fn set(words: &'static [&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

static TITLE_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| set(TITLES));
static ROLE_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| set(ROLES));
static REPORTING_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| set(REPORTING));
static ORGANIZATION_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| set(ORGANIZATION_WORDS));
static NOT_NAME_SET: LazyLock<HashSet<&str>> = LazyLock::new(|| set(NOT_NAMES));

/// The compiled discovery rules.
#[derive(Debug, Default, Clone)]
pub struct FigureDiscovery {
    first_names: HashSet<String>,
}

impl FigureDiscovery {
    /// Loads the first-name list (one name a line, `#` comments).
    pub fn load(first_names: Option<&Path>) -> Result<Self> {
        let mut names = HashSet::new();
        if let Some(path) = first_names {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::config(path, format!("cannot read first names: {e}")))?;
            names.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from),
            );
        }
        Ok(FigureDiscovery { first_names: names })
    }

    /// Adds the figures found by discovery to `mentions` (sorted by offset, not overlapping),
    /// registering new entities in `lexicon`. Single-word places right after a first name
    /// (`Michael Jordan`, `George Washington`) become part of the person.
    ///
    /// Returns the candidates: runs of two or more capitalised words (or one, not opening a
    /// sentence) that were neither resolved nor dismissed, each with its first sentence.
    pub fn discover(
        &self,
        doc: &TokenizedDocument,
        mentions: &mut Vec<Mention>,
        lexicon: &Lexicon,
    ) -> Vec<(String, String)> {
        let text = doc.doc.text.as_str();
        let tokens = &doc.tokens;
        // Which mention (if any) covers each token.
        let mut covered: Vec<Option<usize>> = vec![None; tokens.len()];
        let mut m = 0;
        for (i, t) in tokens.iter().enumerate() {
            while m < mentions.len() && mentions[m].end <= t.start {
                m += 1;
            }
            if m < mentions.len() && mentions[m].start < t.end {
                covered[i] = Some(m);
            }
        }
        let word = |i: usize| &text[tokens[i].start..tokens[i].end];
        let soft_place = |i: usize| {
            covered[i].is_some_and(|k| {
                let e = lexicon.entity(mentions[k].entity);
                e.kind == Kind::Place
                    && mentions[k].start == tokens[i].start
                    && mentions[k].end == tokens[i].end
            })
        };
        let free = |i: usize| covered[i].is_none();
        let joined = |a: usize, b: usize| {
            // Tokens a and b are adjacent in one name: only a space or a hyphen between them.
            let gap = &text[tokens[a].end..tokens[b].start];
            gap == " " || gap == "-"
        };

        // Surnames of people named so far: surname -> entity (None when two people share it).
        let mut surnames: HashMap<String, Option<EntityId>> = HashMap::new();
        for mention in mentions.iter() {
            let e = lexicon.entity(mention.entity);
            if e.kind == Kind::Figure && e.name.contains(' ') {
                note_surname(&mut surnames, &e.name, mention.entity);
            }
        }

        // Apposition with an age (`Chen, 41,`) marks a name as a person's, also where it
        // appeared earlier in a longer run (`Chen Ziming`).
        let mut known_people: HashSet<&str> = HashSet::new();
        for i in 0..tokens.len().saturating_sub(1) {
            let gap = |a: usize, b: usize| text[tokens[a].end..tokens[b].start].trim();
            if free(i)
                && self.name_like(word(i))
                && word(i + 1).chars().all(|c| c.is_ascii_digit())
                && gap(i, i + 1) == ","
                && text[tokens[i + 1].end..].starts_with(',')
            {
                known_people.insert(word(i));
            }
        }

        let mut found: Vec<Mention> = Vec::new();
        let mut absorbed: Vec<usize> = Vec::new();
        let mut candidates: Vec<(String, String)> = Vec::new();
        let mut seen_candidates: HashSet<&str> = HashSet::new();
        let mut candidate = |first: usize, last: usize| {
            let sentence = &doc.sentences[doc.sentence_of(tokens[first].start)];
            let opens_sentence = sentence.start == tokens[first].start;
            let name = &text[tokens[first].start..tokens[last].end];
            if (last > first || !opens_sentence) && seen_candidates.insert(name) {
                candidates.push((name.to_string(), text[sentence.clone()].to_string()));
            }
        };
        let mut i = 0;
        while i < tokens.len() {
            if !(free(i) && (self.name_like(word(i)) || is_title(word(i)))) {
                i += 1;
                continue;
            }
            // Extend the run.
            let start = i;
            let mut j = i + 1;
            while j < tokens.len() && joined(j - 1, j) {
                let w = word(j);
                let next_is_name =
                    j + 1 < tokens.len() && joined(j, j + 1) && self.name_like(word(j + 1));
                let inside_title = is_title(w)
                    && !is_title(word(j - 1))
                    && w.ends_with(|c: char| c.is_lowercase());
                let part_of_name = free(j)
                    && (self.name_like(w)
                        || inside_title
                        || (PARTICLES.contains(&w) && next_is_name));
                let person_over_place = soft_place(j) && self.first_names.contains(word(j - 1));
                if part_of_name || person_over_place {
                    j += 1;
                } else {
                    break;
                }
            }
            i = j;
            // Titles are evidence, not part of the name: the name starts after the last title
            // that has words after it (`Russian President Boris Yeltsin` -> `Boris Yeltsin`).
            let mut first = start;
            let mut titled = false;
            if let Some(t) = (start..j.saturating_sub(1))
                .rev()
                .find(|&t| is_title(word(t)))
            {
                first = t + 1;
                titled = true;
            }
            while first < j && is_title(word(first)) {
                first += 1;
                titled = true;
            }
            if first == j {
                continue;
            }
            // A capitalised word before a first name is a role (`Fullback Andre Joubert`).
            if j - first >= 3
                && !self.first_names.contains(word(first))
                && self.first_names.contains(word(first + 1))
            {
                first += 1;
                titled = true;
            }
            let last = j - 1;
            if ORGANIZATION_SET.contains(word(last)) {
                candidate(first, last);
                continue;
            }
            let before = start.checked_sub(1).map(word).unwrap_or("");
            let after = if j < tokens.len() { word(j) } else { "" };
            titled |= ROLE_SET.contains(before) || is_title(before);
            let n = j - first;
            let reported = (2..=3).contains(&n)
                && (REPORTING_SET.contains(after) || REPORTING_SET.contains(before));
            let initial = word(first).len() == 2 && word(first).ends_with('.');
            let named = n >= 2
                && (self.first_names.contains(word(first))
                    || initial
                    || known_people.contains(word(first))
                    || known_people.contains(word(last)));
            // `Jesper Parnevik of Sweden`, `Parnevik (Sweden)`: a name, then a country.
            let place_at = |t: usize| t < tokens.len() && soft_place(t);
            let of_country = n >= 2 && after == "of" && place_at(j + 1);
            let parenthesised = j < tokens.len()
                && text[tokens[last].end..tokens[j].start].trim() == "("
                && place_at(j);
            let name = &text[tokens[first].start..tokens[last].end];
            let said = REPORTING_SET.contains(after) && !ORGANIZATION_SET.contains(name);
            let (entity, method) = if n == 1 {
                match surnames.get(name) {
                    Some(Some(id)) => (*id, Method::Coreference),
                    Some(None) => {
                        candidate(first, last);
                        continue;
                    }
                    None if titled || said || parenthesised || known_people.contains(name) => {
                        let id = lexicon.discover(Kind::Figure, name);
                        note_surname(&mut surnames, name, id);
                        (id, Method::Discovery)
                    }
                    None => {
                        candidate(first, last);
                        continue;
                    }
                }
            } else if titled || named || reported || of_country || parenthesised {
                // A longer form of a person named before (`Bill Clinton` after `Clinton`) is
                // a new name; the surname then points to the full one.
                let id = lexicon.discover(Kind::Figure, name);
                note_surname(&mut surnames, name, id);
                // A family name first (`Qian Qichen`, later `Mr Qian`): a two-word name whose
                // first word is no known first name also answers to that word.
                if n == 2 && !self.first_names.contains(word(first)) && !initial {
                    note_name(&mut surnames, word(first), id);
                }
                (id, Method::Discovery)
            } else {
                candidate(first, last);
                continue;
            };
            absorbed.extend(
                (first..j)
                    .filter(|&t| soft_place(t))
                    .filter_map(|t| covered[t]),
            );
            found.push(Mention {
                sentence: doc.sentence_of(tokens[first].start) as u32,
                start: tokens[first].start,
                end: tokens[last].end,
                entity,
                method,
            });
        }
        // A one-word place that is the surname of a person named in this document is that
        // person (`Jordan` after `Michael Jordan`).
        for (k, mention) in mentions.iter().enumerate() {
            let e = lexicon.entity(mention.entity);
            if e.kind != Kind::Place || absorbed.contains(&k) {
                continue;
            }
            let surface = &text[mention.start..mention.end];
            let before = text[..mention.start]
                .split_whitespace()
                .next_back()
                .unwrap_or("");
            if LOCATIVE.contains(&before) {
                continue;
            }
            if let Some(Some(id)) = surnames.get(surface) {
                let first_use = found
                    .iter()
                    .filter(|f| f.entity == *id)
                    .map(|f| f.start)
                    .min();
                if first_use.is_some_and(|s| s < mention.start) {
                    absorbed.push(k);
                    found.push(Mention {
                        entity: *id,
                        method: Method::Coreference,
                        ..*mention
                    });
                }
            }
        }
        if found.is_empty() {
            return candidates;
        }
        absorbed.sort_unstable();
        absorbed.dedup();
        for k in absorbed.into_iter().rev() {
            mentions.remove(k);
        }
        mentions.extend(found);
        mentions.sort_by_key(|m| m.start);
        candidates
    }

    /// A capitalised word that can be part of a name.
    fn name_like(&self, w: &str) -> bool {
        let mut chars = w.chars();
        let Some(c) = chars.next() else { return false };
        if !c.is_uppercase() || NOT_NAME_SET.contains(w) || is_title(w) {
            return false;
        }
        // An initial (`S.`) or a word with lowercase letters; ALL-CAPS words are headlines
        // or acronyms.
        let rest = chars.as_str();
        rest == "." || rest.chars().any(char::is_lowercase)
    }
}

fn is_title(w: &str) -> bool {
    TITLE_SET.contains(w)
}

fn note_surname(surnames: &mut HashMap<String, Option<EntityId>>, name: &str, id: EntityId) {
    if let Some(surname) = name.rsplit(' ').next() {
        note_name(surnames, surname, id);
    }
}

/// Records that `short` names `id`; a short name of two people names neither.
fn note_name(surnames: &mut HashMap<String, Option<EntityId>>, short: &str, id: EntityId) {
    let entry = surnames.entry(short.to_string()).or_insert(Some(id));
    if *entry != Some(id) {
        *entry = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Entity, Pattern};
    use crate::model::{CleanDocument, DocMeta};
    use crate::stages::entities::EntityMatcher;
    use crate::stages::tokenize::tokenize;

    fn lexicon() -> Lexicon {
        let mut lex = Lexicon::default();
        for (i, name) in ["Washington", "Sweden", "Jordan"].iter().enumerate() {
            lex.entities.push(Entity {
                kind: Kind::Place,
                name: name.to_string(),
            });
            lex.patterns.push(Pattern {
                text: name.to_string(),
                entity: i as EntityId,
                method: Method::Lexicon,
                case_sensitive: true,
            });
        }
        lex.entities.push(Entity {
            kind: Kind::Organization,
            name: "National Security Council".into(),
        });
        lex.patterns.push(Pattern {
            text: "National Security Council".into(),
            entity: 3,
            method: Method::Lexicon,
            case_sensitive: true,
        });
        lex
    }

    /// (surface, canonical name, method) of every figure found in `text`.
    fn figures(text: &str) -> Vec<(String, String, &'static str)> {
        let lex = lexicon();
        let discovery = FigureDiscovery {
            first_names: ["Andy", "George", "Michael", "Jesper"]
                .map(String::from)
                .into(),
        };
        let matcher = EntityMatcher::new(&lex).unwrap().with_discovery(discovery);
        let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
        let analyzed = matcher.analyze(doc, &lex);
        analyzed
            .mentions
            .iter()
            .filter(|m| lex.entity(m.entity).kind == Kind::Figure)
            .map(|m| {
                (
                    text[m.start..m.end].to_string(),
                    lex.entity(m.entity).name.clone(),
                    m.method.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn titles_resolve_and_are_not_part_of_the_name() {
        let got = figures("Russian President Boris Yeltsin spoke. Later Mr Yeltsin left.");
        assert_eq!(
            got[0],
            ("Boris Yeltsin".into(), "Boris Yeltsin".into(), "discovery")
        );
        assert_eq!(
            got[1],
            ("Yeltsin".into(), "Boris Yeltsin".into(), "coreference")
        );
    }

    #[test]
    fn first_names_initials_reporting_verbs_and_countries_are_evidence() {
        assert_eq!(
            figures("Andy Caddick took four wickets.")[0].0,
            "Andy Caddick"
        );
        assert_eq!(figures("D. Fleming c Healy b Warne 3")[0].0, "D. Fleming");
        assert_eq!(figures("The talks failed, Tom Ross said.")[0].0, "Tom Ross");
        assert_eq!(
            figures("Jesper Parnevik of Sweden led.")[0].0,
            "Jesper Parnevik"
        );
        // No evidence: a capitalised pair alone is not a person.
        assert!(figures("Grace Road was wet.").is_empty());
    }

    #[test]
    fn a_place_that_is_a_surname_is_the_person() {
        // `George Washington` is a person, `in Washington` a place.
        let got = figures("George Washington slept in Washington.");
        assert_eq!(
            got,
            vec![(
                "George Washington".into(),
                "George Washington".into(),
                "discovery"
            )]
        );
        let got = figures("Michael Jordan scored. Jordan smiled.");
        assert_eq!(
            got[1],
            ("Jordan".into(), "Michael Jordan".into(), "coreference")
        );
    }

    #[test]
    fn organisations_are_not_figures() {
        assert!(
            figures("Mr Brown of the National Security Council said no.")
                .iter()
                .all(|(s, _, _)| s == "Brown")
        );
        assert!(figures("The Clinton Administration said.").is_empty());
    }

    #[test]
    fn an_apposition_with_an_age_marks_a_person_also_earlier() {
        let got = figures("Beijing freed Chen Ziming on Monday. Chen, 41, is ill. Chen left.");
        let names: Vec<&str> = got.iter().map(|(_, n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["Chen Ziming"; 3], "{got:?}");
    }

    #[test]
    fn an_ambiguous_surname_stays_unresolved() {
        let got = figures("Mr Andy Smith met Dr George Smith. Smith said no.");
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
