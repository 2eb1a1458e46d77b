//! Entity count: find the lexicon's figures, places, terms and organisations in a document.
//!
//! All surface forms are compiled once into Aho-Corasick automata (one exact-case, one that
//! ignores ASCII case). For each document every match that starts and ends on a word boundary
//! is a candidate; candidates are chosen leftmost-longest so that no text is counted twice
//! (`Tian An Men Square` is one place, not a square plus nothing); then short forms are
//! resolved to a full name seen earlier in the document, or dropped when none or several fit.

mod clubs;
pub mod discovery;
mod places;
pub mod senses;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::error::{Error, Result};
use crate::lexicon::{Discovered, EntityId, Kind, Lexicon, Method};
use crate::model::{AnalyzedDocument, Mention, OpenName, TokenizedDocument};
use crate::wordlist::WordList;

/// Finds entities that no lexicon lists, from evidence in a document. One discoverer per
/// kind of entity (figures today), run in order after lexicon matching; each sees the
/// mentions found so far and adds its own.
pub trait Discoverer: std::fmt::Debug + Send + Sync {
    /// Adds what it finds in `doc` to `findings`.
    fn discover(&self, doc: &TokenizedDocument, lexicon: &Lexicon, findings: &mut Findings);
}

/// What the entities stage found in one document so far.
#[derive(Debug, Default)]
pub struct Findings {
    /// Mentions sorted by offset; no two overlap.
    pub mentions: Vec<Mention>,
    /// The discovered entities that `mentions` may refer to.
    pub discovered: Discovered,
    /// Names neither resolved nor dismissed, with their first sentence.
    pub candidates: Vec<(String, String)>,
    /// Places that name a team or an organisation here (`St. Louis` of `St. Louis
    /// Cardinals`): no discoverer takes a person's name across them.
    pub team_places: Vec<TeamPlace>,
    /// Names left undecided: each `(name, start, end, first name)`.
    pub undecided: Vec<(String, usize, usize, bool)>,
    /// People named in full with evidence beyond a reporting verb.
    pub evidenced: Vec<EntityId>,
}

/// A place's name used for something else in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamPlace {
    /// Its bytes in the text.
    pub span: std::ops::Range<usize>,
    /// Whether it names a team on its own: in a results or standings line (`CHICAGO 8
    /// Florida 3`), or where words of sport mark the town's club in the document
    /// (`Liverpool manager`; see `clubs`).
    pub team: bool,
    /// Whether it is in a results or standings line.
    pub in_results: bool,
    /// The place whose name it is.
    pub place: EntityId,
}

/// What a pattern of an automaton stands for.
#[derive(Debug, Clone, Copy)]
struct PatternInfo {
    entity: EntityId,
    method: Method,
    /// Places that share the form, when several do.
    choices: Option<u32>,
}

/// The compiled lexicon, built once per run and shared by all threads.
#[derive(Debug)]
pub struct EntityMatcher {
    exact: Automaton,
    folded: Automaton,
    discoverers: Vec<Box<dyn Discoverer>>,
    /// The senses of policy terms, when the pipeline has a sense file.
    senses: Option<senses::SenseRules>,
    /// Words before a small town that make it a place (`in`, `near`).
    place_prepositions: WordList,
    /// Last words of organisation names: a place right before one names the organisation
    /// (`Manchester United`, `London Newsroom`).
    organization_words: WordList,
    /// Organisation words that end events, venues and states (`Cup`, `House`, `Republic`).
    event_words: WordList,
    /// Places that count only with evidence (small towns of the gazetteer, feature `town`,
    /// and airports, feature `airport`: many bear a person's name).
    weak: foldhash::HashSet<EntityId>,
    /// The airports among them: `at Heathrow` says place, `at Monsanto` (a town too) may not.
    airports: foldhash::HashSet<EntityId>,
    /// All places, for the rules that apply to places only.
    places: foldhash::HashSet<EntityId>,
    /// Countries and continents: a national side keeps its country's name (`Italy 2
    /// England 1`, `Europe were`), as news annotation counts it.
    countries: foldhash::HashSet<EntityId>,
    /// Words of sport that make a town's name its club's.
    clubs: clubs::ClubCues,
}

#[derive(Debug)]
struct Automaton {
    ac: Option<AhoCorasick>,
    info: Vec<PatternInfo>,
}

impl Automaton {
    fn build(patterns: Vec<(String, PatternInfo)>, ignore_case: bool) -> Result<Self> {
        if patterns.is_empty() {
            return Ok(Automaton {
                ac: None,
                info: Vec::new(),
            });
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(ignore_case)
            .build(patterns.iter().map(|(text, _)| text.as_str()))
            .map_err(|e| Error::Run(format!("cannot compile the lexicon: {e}")))?;
        Ok(Automaton {
            ac: Some(ac),
            info: patterns.into_iter().map(|(_, info)| info).collect(),
        })
    }

    fn candidates(&self, text: &str, out: &mut Vec<Candidate>) {
        let Some(ac) = &self.ac else { return };
        for m in ac.find_overlapping_iter(text) {
            if on_word_boundaries(text, m.start(), m.end()) {
                let info = self.info[m.pattern().as_usize()];
                out.push(Candidate {
                    start: m.start(),
                    end: m.end(),
                    entity: info.entity,
                    method: info.method,
                    choices: info.choices,
                });
            }
        }
    }
}

/// A match on word boundaries, before overlaps are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    start: usize,
    end: usize,
    entity: EntityId,
    method: Method,
    choices: Option<u32>,
}

impl EntityMatcher {
    /// Compiles the lexicon. Exact-case forms also match in ALL CAPS, so that headlines and
    /// datelines (`PARIS -`) count. `words` gives the place prepositions.
    pub fn new(lexicon: &Lexicon, words: &crate::wordlist::WordLists) -> Result<Self> {
        let mut exact = Vec::new();
        let mut folded = Vec::new();
        for p in &lexicon.patterns {
            let info = PatternInfo {
                entity: p.entity,
                method: p.method,
                choices: p.choices,
            };
            if p.case_sensitive {
                let upper = p.text.to_uppercase();
                if upper != p.text {
                    exact.push((upper, info));
                }
                exact.push((p.text.clone(), info));
            } else {
                folded.push((p.text.clone(), info));
            }
        }
        Ok(EntityMatcher {
            exact: Automaton::build(exact, false)?,
            folded: Automaton::build(folded, true)?,
            discoverers: Vec::new(),
            senses: None,
            place_prepositions: words.place_prepositions.clone(),
            organization_words: words.organization_words.clone(),
            event_words: words.event_words.clone(),
            weak: with_feature(lexicon, "town")
                .into_iter()
                .chain(with_feature(lexicon, "airport"))
                .collect(),
            airports: with_feature(lexicon, "airport"),
            countries: with_feature(lexicon, "country")
                .into_iter()
                .chain(with_feature(lexicon, "continent"))
                .collect(),
            clubs: clubs::ClubCues::new(
                words.club_followers.clone(),
                words.club_preceders.clone(),
                words.place_prepositions.clone(),
            ),
            places: (0..lexicon.entities.len() as EntityId)
                .filter(|&id| lexicon.entity(id).kind == crate::lexicon::Kind::Place)
                .collect(),
        })
    }

    /// Adds a discoverer, run after lexicon matching and the discoverers added before it.
    pub fn with_discoverer(mut self, discoverer: Box<dyn Discoverer>) -> Self {
        self.discoverers.push(discoverer);
        self
    }

    /// Gives policy terms' mentions their senses, after matching and discovery.
    pub fn with_senses(mut self, rules: senses::SenseRules) -> Self {
        self.senses = Some(rules);
        self
    }

    /// Finds the mentions of one document. The lexicon is only read: discovered entities
    /// come back with the document.
    pub fn analyze(&self, doc: TokenizedDocument, lexicon: &Lexicon) -> AnalyzedDocument {
        let (mentions, team_places) = self.mentions(&doc, lexicon);
        let mut findings = Findings {
            mentions,
            team_places,
            ..Findings::default()
        };
        for discoverer in &self.discoverers {
            discoverer.discover(&doc, lexicon, &mut findings);
        }
        if let Some(senses) = &self.senses {
            let names = crate::lexicon::Names::new(lexicon, &findings.discovered);
            let is_figure = |id| names.entity(id).kind == crate::lexicon::Kind::Figure;
            senses.assign(&doc, &mut findings.mentions, &is_figure);
        }
        // Keep only the discovered entities that a mention still refers to.
        let used: foldhash::HashSet<EntityId> =
            findings.mentions.iter().map(|m| m.entity).collect();
        findings.discovered.retain(|id| used.contains(&id));
        let open_names = open_names(&doc, &findings, lexicon);
        let mut evidenced = std::mem::take(&mut findings.evidenced);
        evidenced.retain(|id| used.contains(id));
        evidenced.sort_unstable();
        evidenced.dedup();
        AnalyzedDocument {
            open_names,
            evidenced,
            n_sentences: doc.sentences.len() as u32,
            n_tokens: doc.tokens.len() as u32,
            doc: doc.doc,
            mentions: findings.mentions,
            discovered: findings.discovered,
            candidates: findings.candidates,
        }
    }

    /// The lexicon's mentions of a document, and the places that name a team or an
    /// organisation there.
    fn mentions(
        &self,
        doc: &TokenizedDocument,
        lexicon: &Lexicon,
    ) -> (Vec<Mention>, Vec<TeamPlace>) {
        let text = doc.doc.text.as_str();
        let mut candidates = Vec::new();
        self.exact.candidates(text, &mut candidates);
        self.folded.candidates(text, &mut candidates);
        // Leftmost first, longest first; among equal spans full names before short forms.
        candidates.sort_unstable_by_key(|c| {
            (
                c.start,
                std::cmp::Reverse(c.end),
                c.method == Method::Coreference,
                c.entity,
            )
        });

        let mut mentions = Vec::new();
        let mut ambiguous = Vec::new();
        let mut team_places = Vec::new();
        let clubs = self.clubs_named(text, &candidates);
        let evidenced = self.towns_placed(text, &candidates);
        // Entities named in full so far in this document, for resolving short forms.
        let mut named: Vec<EntityId> = Vec::new();
        let mut taken_until = 0;
        let mut i = 0;
        while i < candidates.len() {
            let first = candidates[i];
            // All candidates with exactly this span (a short form may fit several entities).
            let same_span = candidates[i..]
                .iter()
                .take_while(|c| c.start == first.start && c.end == first.end)
                .count();
            let group = &candidates[i..i + same_span];
            i += same_span;
            if first.start < taken_until {
                continue;
            }
            let is_place = self.places.contains(&first.entity);
            // A currency's prefix names no place (`US$995 million`, `HK$100,000`).
            if is_place && text[first.end..].starts_with('$') {
                taken_until = first.end;
                continue;
            }
            // A small town counts only where the text says it is a place; a city followed by a
            // score in a results line (`Chicago 4 HOUSTON 3`) is a team.
            if self.weak.contains(&first.entity)
                && !self.town_placed(text, &first, &candidates, &evidenced)
            {
                continue;
            }
            let club_town = is_place && !self.countries.contains(&first.entity);
            let in_results = (club_town && in_results_line(text, &first))
                || (is_place && after_a_nationality(text, first.start, first.end));
            let names_organization = is_place && self.in_organization_name(text, &first);
            // A club's town, unless a longer name takes it (`Sheffield United`).
            let club = club_town
                && !names_organization
                && clubs.contains(&first.entity)
                && !self.clubs.says_place(text, first.start, first.end);
            let team = in_results || club;
            if team || names_organization {
                // The whole name is the team's: `SAN DIEGO 70 59` counts no `SAN` either.
                taken_until = first.end;
                team_places.push(TeamPlace {
                    span: first.start..first.end,
                    team,
                    in_results,
                    place: first.entity,
                });
                continue;
            }
            let chosen = if first.method == Method::Coreference {
                let mut fits = group
                    .iter()
                    .filter(|c| named.contains(&c.entity))
                    .map(|c| c.entity);
                match (fits.next(), fits.next()) {
                    (Some(entity), None) => Some((entity, Method::Coreference)),
                    _ => None,
                }
            } else {
                Some((first.entity, first.method))
            };
            // The span is taken even when a short form stays unresolved: it names someone,
            // and no shorter form inside it may be counted instead.
            taken_until = first.end;
            if let Some((entity, method)) = chosen {
                if method != Method::Coreference && !named.contains(&entity) {
                    named.push(entity);
                }
                if let (Some(choices), false) = (first.choices, method == Method::Coreference) {
                    ambiguous.push(places::Ambiguous {
                        mention: mentions.len(),
                        choices,
                    });
                }
                mentions.push(Mention {
                    sentence: doc.sentence_of(first.start) as u32,
                    start: first.start,
                    end: first.end,
                    entity,
                    method,
                    sense: None,
                });
            }
        }
        let url = doc.doc.meta.url.as_deref();
        places::resolve(text, url, &mut mentions, &ambiguous, lexicon);
        (mentions, team_places)
    }
}

/// The names that discovery left undecided (one word, or a run of name words) and that
/// nothing found later took, grouped by name in order of first occurrence; a name that is,
/// or whose word ends, the name of a person mentioned in the document is left out, as are
/// ALL-CAPS words (results lines, acronyms). So a person that the corpus links such a name
/// to is never already counted in the document.
fn open_names(doc: &TokenizedDocument, findings: &Findings, lexicon: &Lexicon) -> Vec<OpenName> {
    if findings.undecided.is_empty() {
        return Vec::new();
    }
    let names = crate::lexicon::Names::new(lexicon, &findings.discovered);
    let people: foldhash::HashSet<&str> = findings
        .mentions
        .iter()
        .map(|m| names.entity(m.entity))
        .filter(|e| e.kind == Kind::Figure)
        .map(|e| e.name.as_str())
        .collect();
    let surnames: foldhash::HashSet<&str> = people
        .iter()
        .filter_map(|name| name.rsplit(' ').next())
        .collect();
    let mut open: Vec<OpenName> = Vec::new();
    let mut index: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    for (word, start, end, first_name) in &findings.undecided {
        let taken = findings
            .mentions
            .binary_search_by(|m| {
                if m.end <= *start {
                    std::cmp::Ordering::Less
                } else if m.start >= *end {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok();
        let all_caps = !word.chars().any(char::is_lowercase);
        let named_here = surnames.contains(word.as_str()) || people.contains(word.as_str());
        if taken || all_caps || named_here {
            continue;
        }
        let span = (doc.sentence_of(*start) as u32, *start, *end);
        match index.get(word.as_str()) {
            Some(&k) => open[k].spans.push(span),
            None => {
                index.insert(word, open.len());
                open.push(OpenName {
                    word: word.clone(),
                    spans: vec![span],
                    first_name: *first_name,
                });
            }
        }
    }
    for o in &mut open {
        o.spans.sort_unstable();
        o.spans.dedup();
    }
    open
}

/// Whether the words around `text[start..end]` make it a place: a preposition of place
/// before it (`in Longyearbyen`), a dateline (`MAHALA, Bosnia 1996-08-31`, `PARIS -`), or a
/// region or country after a comma (`Arbil, Iraq`).
fn place_evidence(text: &str, start: usize, end: usize, prepositions: &WordList) -> bool {
    let before = text[..start]
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric());
    let line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
    let after = &text[end..];
    prepositions.contains(&before.to_lowercase())
        || (line_start && (after.starts_with(',') || after.starts_with(" -")))
        || after.starts_with(" airport")
        || after
            .strip_prefix(", ")
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_uppercase)
}

impl EntityMatcher {
    /// The towns and regions whose names some mention of `candidates` marks as a sports
    /// club's in this document (see [`clubs`]).
    fn clubs_named(&self, text: &str, candidates: &[Candidate]) -> Vec<EntityId> {
        let mut clubs: Vec<EntityId> = candidates
            .iter()
            .filter(|c| self.places.contains(&c.entity) && !self.countries.contains(&c.entity))
            .filter(|c| self.clubs.marks_club(text, c.start, c.end))
            .map(|c| c.entity)
            .collect();
        clubs.sort_unstable();
        clubs.dedup();
        clubs
    }

    /// Whether the small town of candidate `c` is a place here: the text says so there, or,
    /// in lowercase, at another of its mentions (`evidenced`, one sense per document).
    fn town_placed(
        &self,
        text: &str,
        c: &Candidate,
        candidates: &[Candidate],
        evidenced: &[EntityId],
    ) -> bool {
        let spread =
            evidenced.contains(&c.entity) && text[c.start..c.end].contains(char::is_lowercase);
        spread || self.town_evidence(text, c, candidates)
    }

    /// Whether the place of candidate `c` is part of an organisation's name (`Paris
    /// Newsroom`, `Bank of France`, `BBC Radio Scotland`, `Texas-based`).
    fn in_organization_name(&self, text: &str, c: &Candidate) -> bool {
        in_compound_adjective(text, c.end)
            || self.names_an_organization(text, c.end)
            || self.ends_an_organization(text, c.start)
            || self.follows_an_organization_word(text, c.start)
    }

    /// Whether the words around candidate `c` call it a place ([`place_evidence`]); a
    /// capitalised word after a comma counts only when it is a place (`Arbil, Iraq`), not any
    /// name of a list (`Nokia, Motorola and Sony`).
    fn town_evidence(&self, text: &str, c: &Candidate, candidates: &[Candidate]) -> bool {
        let comma_then_name = text[c.end..]
            .strip_prefix(", ")
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_uppercase);
        if comma_then_name {
            let at = c.end + 2;
            candidates
                .iter()
                .any(|p| p.start == at && self.places.contains(&p.entity))
        } else {
            place_evidence(text, c.start, c.end, &self.place_prepositions)
        }
    }

    /// The small towns that the text calls a place at one mention at least (`in Dewsbury`,
    /// `Stansted airport`): one sense per document, they are that place at every mention.
    fn towns_placed(&self, text: &str, candidates: &[Candidate]) -> Vec<EntityId> {
        // Not `at`, `from` or `to`: people work at and come from firms (`an analyst at
        // Monsanto`), which then would be places throughout.
        let employer = |c: &Candidate| {
            let before = text[..c.start].split_whitespace().next_back().unwrap_or("");
            !self.airports.contains(&c.entity)
                && matches!(before.to_lowercase().as_str(), "at" | "from" | "to")
        };
        let mut towns: Vec<EntityId> = candidates
            .iter()
            .filter(|c| self.weak.contains(&c.entity))
            .filter(|c| !employer(c) && self.town_evidence(text, c, candidates))
            .map(|c| c.entity)
            .collect();
        towns.sort_unstable();
        towns.dedup();
        towns
    }

    /// Whether a place ends an organisation's name right after an organisation word or its
    /// plural (`BBC Radio Scotland`, `Universities Scotland`).
    fn follows_an_organization_word(&self, text: &str, start: usize) -> bool {
        let Some(before) = text[..start].strip_suffix(' ') else {
            return false;
        };
        let word = before.rsplit([' ', '\n']).next().unwrap_or("");
        let singular = word
            .strip_suffix("ies")
            .map(|stem| format!("{stem}y"))
            .or_else(|| word.strip_suffix('s').map(str::to_string));
        word.starts_with(char::is_uppercase)
            && !self.event_words.contains(word)
            && (self.organization_words.contains(word)
                || singular.is_some_and(|w| self.organization_words.contains(&w)))
    }

    /// Whether a place ends an organisation's name after `of` (`Bank of France`, `Press
    /// Trust of India`, `University of Pennsylvania`): the organisation word right before
    /// `of`, unless it names a state or a site (`Republic of Ireland`, `House of`).
    fn ends_an_organization(&self, text: &str, start: usize) -> bool {
        let Some(before) = text[..start].strip_suffix(" of ") else {
            return false;
        };
        let word = before.rsplit([' ', '\n']).next().unwrap_or("");
        self.organization_words.contains(word)
            && !self.event_words.contains(word)
            && word.starts_with(char::is_uppercase)
    }

    /// Whether the capitalised words right after a place (up to three; one in capitals)
    /// end in an organisation, venue or event word: `Paris Newsroom`, `New York Stock
    /// Exchange`, `U.S. OPEN`; the place names the organisation there.
    fn names_an_organization(&self, text: &str, end: usize) -> bool {
        let mut rest = &text[end..];
        let mut last = "";
        for _ in 0..3 {
            let Some(after_space) = rest.strip_prefix(' ') else {
                break;
            };
            let word = after_space
                .split(|c: char| !(c.is_alphanumeric() || c == '.'))
                .next()
                .unwrap_or("");
            if word.is_empty() || !word.starts_with(char::is_uppercase) {
                break;
            }
            last = word;
            rest = &after_space[word.len()..];
            // In a headline in capitals every word is capitalised: only the next one counts
            // (`U.S. OPEN`, but not `SCOTLAND IN WORLD CUP QUALIFIER`).
            if word.chars().all(|c| !c.is_lowercase()) {
                break;
            }
        }
        // `Exchange.` ends a sentence, `Co.` is an abbreviation, `OPEN` a headline's `Open`.
        let bare = last.trim_end_matches('.');
        let titled = title_case(bare);
        !bare.is_empty()
            && ([last, bare, titled.as_str()]
                .iter()
                .any(|w| self.organization_words.contains(w))
                || team_nickname(bare))
    }
}

/// A team's nickname after its city: a capitalised plural (`White Sox`, `Cubs`, `Braves`),
/// not in capitals (a headline's words are all capitalised).
pub(crate) fn team_nickname(word: &str) -> bool {
    word.len() >= 4
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("'s")
        && word.chars().skip(1).all(|c| c.is_lowercase())
}

/// The places of the lexicon with this gazetteer feature (`town`, `country`).
fn with_feature(lexicon: &Lexicon, feature: &str) -> foldhash::HashSet<EntityId> {
    lexicon
        .geo
        .iter()
        .filter(|(_, g)| g.feature.as_deref() == Some(feature))
        .map(|(id, _)| *id)
        .collect()
}

/// `OPEN` as `Open`; other words as they are.
pub(super) fn title_case(word: &str) -> String {
    if !word.chars().all(|c| !c.is_lowercase()) {
        return word.to_string();
    }
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_string() + &chars.as_str().to_lowercase()
    })
}

/// Whether the place is the first half of a compound adjective (`U.S.-led`, `Paris-based`):
/// news treats those as descriptions, not as mentions of the place.
fn in_compound_adjective(text: &str, end: usize) -> bool {
    let mut rest = text[end..].chars();
    rest.next() == Some('-') && rest.next().is_some_and(char::is_lowercase)
}

/// Whether a score follows: a number of one to three digits, then the end of the line or
/// another capitalised name (`CALIFORNIA 14 New York 3`). Dates (`1996-08-30`) are not scores.
fn followed_by_score(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return false;
    }
    let after = &rest[digits..];
    // A full stop may end a result (`Strasbourg 1 (Zitelli 80th) Le Havre 0.`).
    let after = after
        .strip_prefix('.')
        .filter(|a| a.is_empty() || a.starts_with(['\n', ' ']))
        .map_or(after, |_| "");
    // The end of the line, another team (`CALIFORNIA 14 New York 3`), a note on the game
    // (`CHICAGO 0 (in 6 1/2)`), or a standings row (`CINCINNATI 62 62 .500`).
    after.is_empty()
        || after.starts_with('\n')
        || after.starts_with(" (")
        || after
            .strip_prefix(' ')
            .and_then(|a| a.chars().next())
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Whether the place of candidate `c` is a side of a results, schedule or score line
/// (`Chicago 4 HOUSTON 3`, `ST LOUIS AT COLORADO`, `Bristol City 2-1 Milton Keynes`), not of a
/// cricket scorecard's line.
fn in_results_line(text: &str, c: &Candidate) -> bool {
    (followed_by_score(text, c.end) && !discovery::in_scorecard(text, c.start))
        || in_schedule_line(text, c.start, c.end)
        || side_of_score_line(text, c.start, c.end)
}

/// Whether `text[start..end]` follows a competitor's nationality in brackets on a results
/// line and ends it, or comes before a time, a distance or a model (`Martin Brundle (Britain)
/// Jordan 1:55.385`, `Sebastien Tortelli (France) Kawasaki`, `Juha Kankkunen (Finland)
/// Toyota Celica`): the competitor's team or make, not a place. A date after it (`Maria
/// Mutola (Mozambique) Brussels 25.8.95`) is where a record was set: a place.
fn after_a_nationality(text: &str, start: usize, end: usize) -> bool {
    use std::sync::OnceLock;
    static PATTERNS: OnceLock<[regex::Regex; 2]> = OnceLock::new();
    let [before, after] = PATTERNS.get_or_init(|| {
        [
            regex::Regex::new(r"\p{Lu}[\p{L}.'-]* \(\p{Lu}[\p{L}. ]*\) $").unwrap(),
            regex::Regex::new(r"^(\s*$| \d+:\d| \d+(\.\d+)? (sec|min|lap|pts|points)| \p{Lu})")
                .unwrap(),
        ]
    });
    if !text[..start].ends_with(") ") {
        return false;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    before.is_match(&text[line_start..start]) && after.is_match(&text[end..line_end])
}

/// Whether `text[start..end]` is a whole side of a score line (`Bristol City 2-1 Milton
/// Keynes`, `London Irish 19-33 Wasps`: a headline or a result alone on its line): a team.
pub(crate) fn side_of_score_line(text: &str, start: usize, end: usize) -> bool {
    use std::sync::OnceLock;
    static SCORE_LINE: OnceLock<regex::Regex> = OnceLock::new();
    let pattern = SCORE_LINE.get_or_init(|| {
        regex::Regex::new(r"^(\p{Lu}[\p{L}'.]*(?: \p{Lu}[\p{L}'.]*){0,3}) \d{1,3}-\d{1,3} (\p{Lu}[\p{L}'.]*(?: \p{Lu}[\p{L}'.]*){0,3})$").unwrap()
    });
    // A side is next to the score: a digit after it and a space, or before it.
    let digit_after = text.as_bytes()[end..]
        .get(1)
        .is_some_and(u8::is_ascii_digit);
    let digit_before = text.as_bytes()[..start]
        .iter()
        .rev()
        .nth(1)
        .is_some_and(u8::is_ascii_digit);
    if !digit_after && !digit_before {
        return false;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = &text[line_start..line_end];
    let Some(sides) = pattern.captures(line.trim_end()) else {
        return false;
    };
    let span = (start - line_start, end - line_start);
    [1, 2]
        .iter()
        .any(|&i| sides.get(i).is_some_and(|m| (m.start(), m.end()) == span))
}

/// Whether `text[start..end]` is the visiting side of a schedule line (`ST LOUIS AT
/// COLORADO`): two names in capitals around `AT`, alone on their line. The side after `AT`
/// says where the game is played: a place.
fn in_schedule_line(text: &str, start: usize, end: usize) -> bool {
    if !text[end..].starts_with(" AT ") {
        return false;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = &text[line_start..line_end];
    let Some((home, away)) = line.trim().split_once(" AT ") else {
        return false;
    };
    let visiting = text[line_start..start].trim().is_empty() && text[end..].starts_with(" AT ");
    if !visiting {
        return false;
    }
    let in_capitals = |side: &str| {
        side.chars().any(char::is_uppercase)
            && side
                .chars()
                .all(|c| c.is_uppercase() || matches!(c, ' ' | '.' | '-' | '\''))
    };
    in_capitals(home) && in_capitals(away)
}

/// Whether `text[start..end]` neither starts nor ends inside a word.
fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Entity, Kind, Pattern};
    use crate::model::{CleanDocument, DocMeta};
    use crate::stages::tokenize::tokenize;

    fn lexicon() -> Lexicon {
        let mut lex = Lexicon::default();
        let mut add = |kind, name: &str, aliases: &[&str], short: &[&str], cs: bool| {
            let id = lex.entities.len() as EntityId;
            lex.entities.push(Entity {
                kind,
                name: name.into(),
            });
            let forms = std::iter::once((name, Method::Lexicon))
                .chain(aliases.iter().map(|a| (*a, Method::Alias)))
                .chain(short.iter().map(|s| (*s, Method::Coreference)));
            for (text, method) in forms {
                lex.patterns.push(Pattern {
                    text: text.into(),
                    entity: id,
                    method,
                    case_sensitive: cs,
                    choices: None,
                });
            }
        };
        add(
            Kind::Figure,
            "Warren Christopher",
            &[],
            &["Christopher"],
            true,
        );
        add(Kind::Figure, "Chen Ziming", &[], &["Chen"], true);
        add(Kind::Figure, "Chen Other", &[], &["Chen"], true);
        add(Kind::Place, "Beijing", &["Peking"], &[], true);
        add(Kind::Place, "Paris", &[], &[], true);
        add(Kind::Place, "San Diego", &[], &[], true);
        add(Kind::Place, "San", &[], &[], true);
        add(Kind::Place, "Arbil", &[], &[], true);
        add(Kind::Place, "Heathrow", &[], &[], true);
        add(Kind::Term, "rights", &[], &[], false);
        add(Kind::Organization, "Clinton Administration", &[], &[], true);
        add(Kind::Figure, "Bill Clinton", &["Clinton"], &[], true);
        for (name, feature) in [("Arbil", "town"), ("Heathrow", "airport")] {
            let id = lex.entities.iter().position(|e| e.name == name).unwrap() as EntityId;
            let geo = crate::lexicon::Geo {
                geonames_id: None,
                country_code: None,
                latitude: None,
                longitude: None,
                feature: Some(feature.into()),
                admin1: None,
            };
            lex.geo.insert(id, geo);
        }
        lex
    }

    fn found(text: &str) -> Vec<(String, String, &'static str)> {
        let lex = lexicon();
        let matcher = EntityMatcher::new(&lex, &Default::default()).unwrap();
        let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
        matcher
            .analyze(doc, &lex)
            .mentions
            .iter()
            .map(|m| {
                (
                    lex.entity(m.entity).name.clone(),
                    text[m.start..m.end].to_string(),
                    m.method.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn a_place_after_a_nationality_in_brackets_is_a_team_unless_a_date_follows() {
        let at = |text: &str, word: &str| {
            let start = text.find(word).unwrap();
            after_a_nationality(text, start, start + word.len())
        };
        assert!(at("9. Martin Brundle (Britain) Jordan 1:55.385", "Jordan"));
        assert!(at("1. Sebastien Tortelli (France) Kawasaki", "Kawasaki"));
        assert!(at(
            "2. Juha Kankkunen (Finland) Toyota Celica 12 seconds",
            "Toyota"
        ));
        assert!(!at(
            "Maria Mutola (Mozambique) Brussels 25.8.95",
            "Brussels"
        ));
        assert!(!at("a scramble in the (US) Gulf Coast.", "Gulf"));
        assert!(!at(
            "Martin Brundle (Britain) said Jordan 1:55.385",
            "Jordan"
        ));
        let paris = |text: &str| found(text).iter().filter(|f| f.1 == "Paris").count();
        assert_eq!(paris("9. Martin Brundle (Britain) Paris 1:55.385"), 0);
        assert_eq!(paris("Maria Mutola (Mozambique) Paris 25.8.95"), 1);
    }

    #[test]
    fn short_forms_resolve_only_after_the_full_name() {
        let got = found("Christopher left. Warren Christopher came. Mr Christopher's view.");
        assert_eq!(
            got,
            vec![
                (
                    "Warren Christopher".into(),
                    "Warren Christopher".into(),
                    "lexicon"
                ),
                (
                    "Warren Christopher".into(),
                    "Christopher".into(),
                    "coreference"
                ),
            ]
        );
    }

    #[test]
    fn ambiguous_short_forms_stay_unresolved() {
        let got = found("Chen Ziming and Chen Other met. Chen spoke.");
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn aliases_all_caps_and_word_boundaries() {
        let got = found("PARIS - Peking's view on Rights; Parisian rightsholders.");
        assert_eq!(
            got,
            vec![
                ("Paris".into(), "PARIS".into(), "lexicon"),
                ("Beijing".into(), "Peking".into(), "alias"),
                ("rights".into(), "Rights".into(), "lexicon"),
            ]
        );
    }

    #[test]
    fn cities_with_scores_are_teams() {
        let text = "CALIFORNIA 14 New York 3\nNEW YORK 1996-08-30\nIn New York 3 people met.";
        assert!(followed_by_score(text, "CALIFORNIA".len()));
        let ny = text.find("New York").unwrap() + "New York".len();
        assert!(followed_by_score(text, ny));
        let dateline = text.find("NEW YORK").unwrap() + "NEW YORK".len();
        assert!(!followed_by_score(text, dateline));
        let prose = text.rfind("New York").unwrap() + "New York".len();
        assert!(!followed_by_score(text, prose), "`3 people` is no score");
        assert!(followed_by_score(
            "Auxerre 0 Marseille 0.",
            "Auxerre 0 Marseille".len()
        ));
        assert!(!followed_by_score("in Lille 3.5 km away", "in Lille".len()));
        let standings = "CINCINNATI 62 62 .500 4 1/2";
        assert!(followed_by_score(standings, "CINCINNATI".len()));
    }

    #[test]
    fn the_sides_of_a_score_line_are_teams() {
        let text = "Bristol City 2-1 Milton Keynes\n\nLeroy Lita scored 2-1 in Bristol.";
        let side = |name: &str| {
            let start = text.find(name).unwrap();
            side_of_score_line(text, start, start + name.len())
        };
        assert!(side("Bristol City"));
        assert!(side("Milton Keynes"));
        assert!(!side("Bristol"), "a side is the whole name");
        assert!(!side("Leroy Lita"), "prose is no score line");
    }

    #[test]
    fn the_visiting_side_of_a_schedule_line_is_a_team() {
        let text = "FRIDAY SCHEDULE\n\nST LOUIS AT COLORADO\n\nHe lives AT HOME in Boston.";
        let side = |name: &str| {
            let start = text.find(name).unwrap();
            in_schedule_line(text, start, start + name.len())
        };
        assert!(side("ST LOUIS"));
        assert!(!side("COLORADO"), "where the game is played is a place");
        assert!(!side("Boston"));
        assert!(!side("FRIDAY"));
    }

    #[test]
    fn a_place_that_names_an_organisation_or_a_team_is_no_place() {
        let lex = lexicon();
        let words = crate::wordlist::WordLists {
            organization_words: WordList::of(&["United", "Newsroom", "Exchange", "War"]),
            ..Default::default()
        };
        let matcher = EntityMatcher::new(&lex, &words).unwrap();
        let places = |text: &str| {
            let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
            matcher.analyze(doc, &lex).mentions.len()
        };
        assert_eq!(places("-- Paris Newsroom +33 1 42 21 53 81"), 0);
        assert_eq!(places("Paris United won the cup."), 0);
        // In a fixtures line the cities stay places, as news annotation counts them.
        assert_eq!(places("PARIS AT BEIJING (doubleheader)"), 2);
        assert_eq!(places("PARIS 62 62 .500 4"), 0);
        assert_eq!(
            places("SAN DIEGO 70 59 .543 -"),
            0,
            "no shorter place inside a team's name"
        );
        assert_eq!(places("They met in San Diego."), 1);
        assert_eq!(places("Shares rose on the Paris Stock Exchange."), 0);
        assert_eq!(places("After the Paris War ended."), 0);
        // After an organisation word or its plural: part of the name.
        assert_eq!(places("He told BBC United Paris so."), 0);
        assert_eq!(places("The Exchanges Paris said."), 0);
        assert_eq!(
            places("He joined the Paris Rangers in May."),
            0,
            "a team's nickname"
        );
        assert_eq!(places("Prices in Paris Tuesday were higher."), 1);
        assert_eq!(places("PARIS WAR ENDS"), 0);
        assert_eq!(
            places("ROMA BEAT PARIS IN WAR GAMES"),
            1,
            "a headline in capitals"
        );
        assert_eq!(
            places("In Paris Tuesday Morning Light Exchange rates fell."),
            1,
            "three words at most"
        );
        assert_eq!(places("He flew from Paris to Peking."), 2);
    }

    #[test]
    fn a_currency_prefix_is_no_place() {
        let got = found("Sales of Paris$995 million; the Paris office.");
        assert_eq!(got, vec![("Paris".into(), "Paris".into(), "lexicon")]);
    }

    #[test]
    fn small_towns_need_evidence() {
        let text =
            "Reading the news in Arbil. Arbil, Iraq. ARBIL, Iraq 1996 - fine. Arbil was calm.";
        let towns: Vec<usize> = (0..text.len())
            .filter(|&i| text[i..].to_lowercase().starts_with("arbil"))
            .filter(|&i| place_evidence(text, i, i + 5, &WordList::of(&["in"])))
            .collect();
        // `in Arbil`, `Arbil, Iraq`, the `ARBIL, Iraq` dateline; not the bare `Arbil was`.
        assert_eq!(towns.len(), 3, "{towns:?}");
        // Once the text calls it a place, a town is that place at every mention.
        assert!(found("Arbil was calm. Nothing moved.").is_empty());
        assert_eq!(found("Arbil was calm. Arbil airport shut.").len(), 2);
        // Airports count the same way.
        assert!(found("Heathrow said.").is_empty());
        assert_eq!(found("Heathrow said. Heathrow airport shut.").len(), 2);
    }

    #[test]
    fn longest_match_wins_so_organisations_block_figures() {
        let got = found("The Clinton Administration said Clinton agreed.");
        assert_eq!(got[0].0, "Clinton Administration");
        assert_eq!(got[1], ("Bill Clinton".into(), "Clinton".into(), "alias"));
        assert_eq!(got.len(), 2);
    }
}
