//! Figure discovery: people that no lexicon lists, found from evidence in the text.
//!
//! A run of capitalised words (with initials and particles such as `de` or `van`) is a person
//! when there is evidence: a title or role before or inside it (`Mr`, `President`,
//! `spokesman`), a known first name followed by more name (`Andy Caddick`), or a reporting
//! verb next to a two- or three-word name (`..., Tom Ross said`). A single word is a person
//! only as the surname of a person named earlier in the document (coreference, as GATE's
//! OrthoMatcher does); a surname shared by two people is neither of them, unless a title
//! names one of them the same way (`President Clinton`). Runs ending in an
//! organisation word (`Council`, `Party`, `Bank`, ...) are not people. The words of each kind
//! of evidence are the pipeline's word lists ([`WordLists`]).

use foldhash::{HashMap, HashSet};
use std::path::Path;

use super::{Discoverer, Findings};
use crate::error::{Error, Result};
use crate::lexicon::{Discovered, EntityId, Kind, Lexicon, Method, Names};
use crate::model::{Mention, Token, TokenizedDocument};
use crate::wordlist::WordLists;

/// The compiled discovery rules: first names, common words and the word lists.
#[derive(Debug, Default, Clone)]
pub struct FigureDiscovery {
    first_names: HashSet<String>,
    /// Common lowercase words (shared by the clones that threads hold).
    common_words: std::sync::Arc<crate::wordlist::WordHashes>,
    words: WordLists,
    /// Whether to keep the one-word names left undecided, for linking across the corpus.
    link_surnames: bool,
}

/// Surnames of people named so far: surname -> entity (None when two people share it).
type Surnames = HashMap<String, Option<EntityId>>;

/// The lines of a list file (one entry a line, `#` comments).
fn read_list(path: &Path, what: &str) -> Result<HashSet<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config(path, format!("cannot read {what}: {e}")))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

impl FigureDiscovery {
    /// Loads the first-name list and the common-word list (one entry a line, `#` comments)
    /// beside the word lists.
    pub fn load(
        first_names: Option<&Path>,
        common_words: Option<&Path>,
        words: WordLists,
    ) -> Result<Self> {
        let first_names = match first_names {
            Some(path) => read_list(path, "first names")?,
            None => HashSet::default(),
        };
        let common_words = match common_words {
            Some(path) => crate::wordlist::WordHashes::load(path)?,
            None => Default::default(),
        };
        Ok(FigureDiscovery {
            first_names,
            common_words: std::sync::Arc::new(common_words),
            words,
            link_surnames: false,
        })
    }

    /// Keeps each document's one-word names left undecided ([`crate::model::OpenName`]), so
    /// that the run can link them across the corpus.
    pub fn linking_surnames(self, link_surnames: bool) -> Self {
        FigureDiscovery {
            link_surnames,
            ..self
        }
    }

    /// Whether documents keep their open names for linking across the corpus.
    pub fn links_surnames(&self) -> bool {
        self.link_surnames
    }

    /// Whether a capitalised word is a common word or its plural (`Windows`, `Bonds`).
    fn common_word(&self, w: &str) -> bool {
        let lower = lowercase_first(w);
        let known = |s: &str| self.common_words.contains(s);
        known(&lower)
            || lower.strip_suffix('s').is_some_and(known)
            || lower.strip_suffix("es").is_some_and(known)
            || lower
                .strip_suffix("ies")
                .is_some_and(|stem| known(&format!("{stem}y")))
    }

    /// Whether a one-word name word left undecided (`common`: a common word) may be a
    /// surname that another article gives in full: neither a common word nor an organisation
    /// word (`Plc`).
    fn may_be_surname(&self, w: &str, common: bool) -> bool {
        let organization_word = |w: &str| self.words.organization_words.contains(w);
        !common && !organization_word(w) && !organization_word(&w.to_lowercase())
    }

    /// A capitalised word that can be part of a name.
    fn name_like(&self, w: &str) -> bool {
        let mut chars = w.chars();
        let Some(c) = chars.next() else { return false };
        if !c.is_uppercase() || self.words.not_names.contains(w) || self.is_title(w) {
            return false;
        }
        // A contraction (`I'm`, `We've`) or a demonym (`British`) is no name.
        if is_contraction(w) || self.words.demonyms.contains(w) {
            return false;
        }
        // An initial (`S.`) or a word with lowercase letters; ALL-CAPS words are headlines
        // or acronyms.
        let rest = chars.as_str();
        rest == "." || rest.chars().any(char::is_lowercase)
    }

    fn is_title(&self, w: &str) -> bool {
        self.words.titles.contains(w)
    }
}

impl Discoverer for FigureDiscovery {
    /// Adds the figures found to `findings.mentions` (sorted by offset, not overlapping) and
    /// their entities to `findings.discovered`. Single-word places right after a first name
    /// (`Michael Jordan`, `George Washington`) become part of the person.
    ///
    /// Candidates are runs of two or more capitalised words (or one, not opening a sentence)
    /// that were neither resolved nor dismissed, each with its first sentence.
    fn discover(&self, doc: &TokenizedDocument, lexicon: &Lexicon, findings: &mut Findings) {
        let known = findings.discovered.clone();
        let mut scan = Scan::new(self, doc, Names::new(lexicon, &known), &findings.mentions);
        scan.mark_team_places(&findings.team_places);
        let mut state = ScanState {
            surnames: scan.named_surnames(),
            ..ScanState::default()
        };
        let known_people = scan.people_with_an_age();
        let companies = scan.companies_named();
        // A work's title is no person either (`film Vera Drake`): a candidate, like a
        // company's name that nothing else decides.
        let works = scan.works_named();
        let mut i = 0;
        while i < scan.tokens.len() {
            if !scan.opens_run(i) {
                i += 1;
                continue;
            }
            let end = scan.extend_run(i);
            let name = &doc.doc.text[scan.tokens[i].start..scan.tokens[end - 1].end];
            if works.contains(name) {
                scan.candidate(i, end - 1, &mut state);
            } else {
                scan.classify_run(i, end, (&known_people, &companies), &mut state);
            }
            i = end;
            // A club's name takes the town after its run (`Betar Jerusalem`).
            while i < scan.tokens.len()
                && state
                    .found
                    .last()
                    .is_some_and(|m| m.end > scan.tokens[i].start)
            {
                i += 1;
            }
        }
        scan.dateline_places(&mut state);
        scan.lineups(&mut state);
        state.resolve_named_in_full();
        scan.surnames_named_later(&mut state);
        scan.teams_in_results(&findings.team_places, &mut state);
        scan.runs_named_later(&mut state);
        scan.people_in_lists(&mut state);
        // Surnames of the people the lists named (`Blanchett` after `Cate Blanchett, ...`).
        scan.surnames_named_later(&mut state);
        scan.pairs_of_people(&mut state);
        let claimed: HashSet<&str> = state
            .claimed
            .iter()
            .map(|r| &doc.doc.text[r.clone()])
            .collect();
        state
            .candidates
            .retain(|(name, _)| !claimed.contains(name.trim()));
        scan.acronyms(&mut state);
        scan.places_that_are_surnames(&mut state);
        scan.surnames_in_capitals(&mut state);
        findings.candidates.append(&mut state.candidates);
        if self.link_surnames {
            scan.keep_undecided(&state, &mut findings.undecided);
            findings.evidenced.append(&mut state.evidenced);
        }
        findings.discovered.extend(&state.discovered);
        if state.found.is_empty() {
            return;
        }
        let mut absorbed = state.absorbed;
        absorbed.sort_unstable();
        absorbed.dedup();
        for k in absorbed.into_iter().rev() {
            findings.mentions.remove(k);
        }
        findings.mentions.extend(state.found);
        findings.mentions.sort_by_key(|m| m.start);
    }
}

impl ScanState {
    /// Records the surname of a person named in full; a one-word person of that name found
    /// before (`Stars pay tribute to actor Davis`) was this person.
    fn note_full_name(&mut self, name: &str, id: EntityId) {
        let surname = name.rsplit(' ').next().unwrap_or(name);
        if let Some(&Some(earlier)) = self.surnames.get(surname) {
            let one_word = self
                .discovered
                .get(earlier)
                .is_some_and(|e| e.name == surname);
            if one_word && earlier != id {
                self.surnames.insert(surname.to_string(), Some(id));
                self.named_in_full.push((earlier, id));
                return;
            }
        }
        note_surname(&mut self.surnames, name, id);
    }

    /// Points the mentions of one-word people named in full later to the full name.
    fn resolve_named_in_full(&mut self) {
        for &(one_word, full) in &self.named_in_full {
            for m in self.found.iter_mut().filter(|m| m.entity == one_word) {
                m.entity = full;
                m.method = Method::Coreference;
            }
        }
    }
}

/// One document as discovery sees it: tokens, and which lexicon mention covers each.
struct Scan<'a> {
    rules: &'a FigureDiscovery,
    doc: &'a TokenizedDocument,
    text: &'a str,
    tokens: &'a [Token],
    names: Names<'a>,
    mentions: &'a [Mention],
    /// The mention (if any) that covers each token.
    covered: Vec<Option<usize>>,
    /// Tokens of places that name a team or an organisation here (`San Diego Padres`), and
    /// whether each is a team on its own (in a results line).
    team_place: Vec<Option<bool>>,
    /// Tokens of places that are a team in a results or standings line.
    in_results: Vec<bool>,
}

/// What discovery has found so far in a document.
#[derive(Default)]
struct ScanState {
    surnames: Surnames,
    found: Vec<Mention>,
    discovered: Discovered,
    /// Indices of lexicon mentions that a person's name took over.
    absorbed: Vec<usize>,
    candidates: Vec<(String, String)>,
    /// Spans that a team's name took over from words discovery had left undecided.
    claimed: Vec<std::ops::Range<usize>>,
    /// Places that are a club's name in a team here (`Ajax` of `Ajax Amsterdam`), with the team.
    club_places: Vec<(EntityId, EntityId)>,
    /// One-word people later named in full (`actor Davis`, then `Ossie Davis`): the one-word
    /// entity and the full one.
    named_in_full: Vec<(EntityId, EntityId)>,
    /// One-word people of a team sheet (`Drogba` of `Chelsea: Cech, ..., Drogba`): the
    /// surname alone elsewhere in the document is that player.
    listed: HashSet<EntityId>,
    seen_candidates: HashSet<String>,
    /// The first word of each organisation discovered so far in the document (`Barrick` of
    /// `Barrick Gold Corp`): alone later, it is that organisation, not a person.
    organization_short_forms: HashMap<String, EntityId>,
    /// One-word runs that nothing decided, by token: a person named in full later in the
    /// document may claim them (`Yeltsin shown on TV` in a headline, `Boris Yeltsin` below).
    undecided: Vec<usize>,
    /// Longer runs that nothing decided, by first and last token: another article may name
    /// the person with evidence (`actress Cate Blanchett`).
    undecided_runs: Vec<(usize, usize)>,
    /// People named in full with evidence beyond a reporting verb.
    evidenced: Vec<EntityId>,
    /// People named in full after a title (`President Bill Clinton`): the title (without
    /// its full stop), the name and the person.
    titled: Vec<(String, String, EntityId)>,
}

/// The evidence around a run of name words `first..end` (`start` includes leading titles).
struct Evidence {
    titled: bool,
    said: bool,
    named: bool,
    reported: bool,
    of_country: bool,
    parenthesised: bool,
    initial: bool,
    /// Followed by `who` and a verb in the singular (`Joss Stone, who was voted`).
    who: bool,
    /// A role in apposition after it (`G Money, a presenter on 1Xtra`).
    apposed: bool,
    /// The speaker of a quotation, named after its verb (`your work," said Cowell.`).
    speaker: bool,
}

impl<'a> Scan<'a> {
    fn new(
        rules: &'a FigureDiscovery,
        doc: &'a TokenizedDocument,
        names: Names<'a>,
        mentions: &'a [Mention],
    ) -> Self {
        let tokens = doc.tokens.as_slice();
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
        Scan {
            rules,
            doc,
            text: doc.doc.text.as_str(),
            tokens,
            names,
            mentions,
            covered,
            team_place: vec![None; tokens.len()],
            in_results: vec![false; tokens.len()],
        }
    }

    /// Marks the tokens of `spans`, the places that the lexicon stage found naming a team.
    fn mark_team_places(&mut self, places: &[super::TeamPlace]) {
        for place in places {
            let from = self.tokens.partition_point(|t| t.start < place.span.start);
            for t in from..self.tokens.len() {
                if self.tokens[t].start >= place.span.end {
                    break;
                }
                self.team_place[t] = Some(place.team);
                self.in_results[t] = place.in_results;
            }
        }
    }

    fn word(&self, i: usize) -> &'a str {
        &self.text[self.tokens[i].start..self.tokens[i].end]
    }

    fn free(&self, i: usize) -> bool {
        self.covered[i].is_none()
    }

    /// A token that is exactly a place mention (which a person's name may take over).
    fn soft_place(&self, i: usize) -> bool {
        self.covered[i].is_some_and(|k| {
            let m = &self.mentions[k];
            self.names.entity(m.entity).kind == Kind::Place
                && m.start == self.tokens[i].start
                && m.end == self.tokens[i].end
        })
    }

    /// Tokens a and b are adjacent in one name: only a space or a hyphen between them.
    fn joined(&self, a: usize, b: usize) -> bool {
        let gap = &self.text[self.tokens[a].end..self.tokens[b].start];
        gap == " " || gap == "-"
    }

    /// Surnames of the lexicon's people named in the document.
    fn named_surnames(&self) -> Surnames {
        let mut surnames = Surnames::default();
        for mention in self.mentions {
            let e = self.names.entity(mention.entity);
            if e.kind == Kind::Figure && e.name.contains(' ') {
                note_surname(&mut surnames, &e.name, mention.entity);
            }
        }
        surnames
    }

    /// Whether tokens `first..=last` name a side in a results line of two sides (`Fortuna
    /// Sittard 1 Ajax Amsterdam 2`, with scorers or a country in brackets: `Bayer Leverkusen
    /// 0 Fortuna Duesseldorf 1 (Seeliger 47th)`, `Brann (Norway) 2 Shelbourne (Ireland) 1`),
    /// open a standings row (`Gloria Bistrita 4 3 1 0 9 2 10`) or a line of its scorers
    /// (`Brann - Mons Ivar Mjelde (10th)`): a team, whatever its words (a person's results
    /// come one name a line).
    fn in_results_line(&self, first: usize, last: usize) -> bool {
        use std::sync::OnceLock;
        static PATTERNS: OnceLock<[regex::Regex; 4]> = OnceLock::new();
        let [home, away, standings, scorers] = PATTERNS.get_or_init(|| {
            [
                regex::Regex::new(
                    r"^ \d{1,3}( \([^)\n]*\))? (\d+ )?\p{Lu}[^\n]* \d{1,3}( \([^)\n]*\))?\.?\s*$",
                )
                .unwrap(),
                regex::Regex::new(r"\p{Lu}[^\n]* \d{1,3}( \([^)\n]*\))? $").unwrap(),
                regex::Regex::new(r"^( \d{1,3}){5,}\s*$").unwrap(),
                regex::Regex::new(r"^ - \p{Lu}[^\n]*\(\d{1,3}(st|nd|rd|th)?\)").unwrap(),
            ]
        });
        let (start, end) = (self.tokens[first].start, self.tokens[last].end);
        if super::side_of_score_line(self.text, start, end) {
            return true;
        }
        // Every other kind of line goes on with a number, brackets or a scorer's dash: most
        // names in prose are followed by none, and need no look at their line.
        let next = &self.text.as_bytes()[end..];
        let opens_line = start == 0 || self.text.as_bytes()[start - 1] == b'\n';
        let may_be = next.first() == Some(&b' ')
            && (next.get(1).is_some_and(u8::is_ascii_digit)
                || next.get(1) == Some(&b'(')
                || (opens_line && next.get(1) == Some(&b'-')));
        if !may_be {
            return false;
        }
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[end..]
            .find('\n')
            .map_or(self.text.len(), |i| end + i);
        let (before, after) = (&self.text[line_start..start], &self.text[end..line_end]);
        if before.is_empty() && scorers.is_match(after) {
            return true;
        }
        // A country in brackets after a side (`Brann (Norway) 2`); not in a standings row
        // (`Greg Norman (Australia) 68 70 69 71 278` is a player's).
        let bracketed = bracket_after(after);
        let after = bracketed.unwrap_or(after);
        // Every other kind of line has a number right after the name: most names have none.
        let mut rest = after.bytes();
        if rest.next() != Some(b' ') || !rest.next().is_some_and(|b| b.is_ascii_digit()) {
            return false;
        }
        // A cricket scorecard's line has people's names before its numbers.
        if !scorecard_names(&self.text[line_start..line_end]).is_empty() {
            return false;
        }
        let score_after = after.strip_prefix(' ').is_some_and(|a| {
            let digits = a.bytes().take_while(u8::is_ascii_digit).count();
            let tail = &a[digits..];
            let tail = bracket_after(tail).unwrap_or(tail);
            (1..=3).contains(&digits) && tail.trim_end().trim_end_matches('.').is_empty()
        });
        home.is_match(after)
            || (score_after && away.is_match(before))
            || (before.is_empty() && bracketed.is_none() && standings.is_match(after))
    }

    /// Names that a company noun introduces somewhere in the document (`oil firm Yukos`,
    /// `software giant Microsoft`): organisations wherever they appear there.
    fn companies_named(&self) -> HashSet<&'a str> {
        let words = &self.rules.words;
        // A role at a name: its employer (`a security manager at Microsoft`, `an analyst at
        // Capital Economics`); not `for` or `with` (`a lawyer for Khodorkovsky`, `a co-star
        // with Walliams`).
        let employer =
            |i: usize| self.word(i) == "at" && i > 0 && words.roles.contains(self.word(i - 1));
        let mut companies = HashSet::default();
        for i in 0..self.tokens.len().saturating_sub(1) {
            let introduces = words.company_nouns.contains(self.word(i)) || employer(i);
            if !introduces || !self.joined(i, i + 1) || !self.opens_run(i + 1) {
                continue;
            }
            let mut end = i + 2;
            while end < self.tokens.len()
                && end - i <= 3
                && self.joined(end - 1, end)
                && self.free(end)
                && self.rules.name_like(self.word(end))
            {
                end += 1;
            }
            // A first name and a surname make a person, whatever comes before.
            if end - i > 2 && self.rules.first_names.contains(self.word(i + 1)) {
                continue;
            }
            companies.insert(&self.text[self.tokens[i + 1].start..self.tokens[end - 1].end]);
        }
        for i in 1..self.tokens.len() {
            if words.company_followers.contains(self.word(i)) {
                companies.extend(self.name_before(i));
            }
            // A name before `& Co` is a company's, a first name and all (`Eli Lilly & Co`).
            if matches!(self.word(i), "Co" | "Co." | "Cos" | "Company") && self.gap(i - 1, i) == "&"
            {
                companies.extend(self.name_ending_at(i - 1));
            }
        }
        companies
    }

    /// The name of up to three name words ending at token `last` (`Robert W. Baird`).
    fn name_ending_at(&self, last: usize) -> Option<&'a str> {
        let name_word = |t: usize| self.free(t) && self.rules.name_like(self.word(t));
        if !name_word(last) {
            return None;
        }
        let mut first = last;
        while first > 0 && last - first < 2 && name_word(first - 1) && self.joined(first - 1, first)
        {
            first -= 1;
        }
        Some(&self.text[self.tokens[first].start..self.tokens[last].end])
    }

    /// Titles of works named in the document (`British film Vera Drake`, `the pantomime
    /// Dick Whittington`): the run of name words right after a word of `work_nouns.txt`.
    fn works_named(&self) -> HashSet<&'a str> {
        let mut works = HashSet::default();
        for i in 0..self.tokens.len().saturating_sub(1) {
            // A capital letter next first: most words are followed by none.
            let capital_next = self.word(i + 1).starts_with(|c: char| c.is_uppercase());
            if !capital_next || !self.rules.words.work_nouns.contains(self.word(i)) {
                continue;
            }
            if self.joined(i, i + 1) && self.opens_run(i + 1) {
                let end = self.extend_run(i + 1);
                works.insert(&self.text[self.tokens[i + 1].start..self.tokens[end - 1].end]);
            }
        }
        works
    }

    /// The name of up to three capitalised words right before token `i` (`Shell` in `Shell
    /// boss`), unless a first name opens it (a person's).
    fn name_before(&self, i: usize) -> Option<&'a str> {
        let name_word =
            |t: usize| self.free(t) && self.rules.name_like(self.word(t)) && self.joined(t, t + 1);
        let last = i - 1;
        if !name_word(last) {
            return None;
        }
        let mut first = last;
        while first > 0 && last - first < 2 && name_word(first - 1) {
            first -= 1;
        }
        if first < last && self.rules.first_names.contains(self.word(first)) {
            return None;
        }
        Some(&self.text[self.tokens[first].start..self.tokens[last].end])
    }

    /// Apposition with an age (`Chen, 41,`) marks a name as a person's, also where it
    /// appeared earlier in a longer run (`Chen Ziming`).
    fn people_with_an_age(&self) -> HashSet<&'a str> {
        let mut people = HashSet::default();
        let gap = |a: usize, b: usize| self.text[self.tokens[a].end..self.tokens[b].start].trim();
        for i in 0..self.tokens.len().saturating_sub(1) {
            if self.free(i)
                && self.rules.name_like(self.word(i))
                && self.word(i + 1).chars().all(|c| c.is_ascii_digit())
                && gap(i, i + 1) == ","
                && self.text[self.tokens[i + 1].end..].starts_with(',')
            {
                people.insert(self.word(i));
            }
        }
        people
    }

    /// Whether a run of name words can start at token `i`.
    fn opens_run(&self, i: usize) -> bool {
        let word = self.word(i);
        // Most tokens: a free word without a capital letter first, outside a team's name,
        // opens a run only as a title (the other rules all want a capital or a place).
        let first = word.as_bytes()[0];
        let plain = first.is_ascii() && !first.is_ascii_uppercase();
        if plain && self.free(i) && self.team_place[i].is_none() {
            let opens = self.rules.is_title(word);
            // Every test and fuzz target (debug assertions on) checks the shortcut.
            debug_assert_eq!(opens, self.opens_run_slowly(i, word), "token {i}: {word}");
            return opens;
        }
        self.opens_run_slowly(i, word)
    }

    /// [`Scan::opens_run`] by every rule.
    fn opens_run_slowly(&self, i: usize, word: &str) -> bool {
        // A team named by its city opens with the city's first word (`New York Yankees`).
        // A bare initial before a name opens it (`G Money`), not `I` or `A`.
        let bare_initial = word.len() == 1
            && word.bytes().all(|b| b.is_ascii_uppercase())
            && !matches!(word, "I" | "A")
            && i + 1 < self.tokens.len()
            && self.joined(i, i + 1)
            && self.rules.name_like(self.word(i + 1));
        let opens = self.rules.name_like(word)
            || bare_initial
            || self.rules.is_title(word)
            || (self.team_place[i].is_some() && word.contains(char::is_lowercase));
        // A club's letters before its town (`AC Milan`), a town before a foreign town
        // (`Ajax Amsterdam`).
        let club_letters = || is_acronym(word) && self.names_a_club(i, i + 1);
        let club_town = || {
            i + 1 < self.tokens.len()
                && self.word(i + 1).starts_with(|c: char| c.is_uppercase())
                && self.soft_place(i)
                && self.foreign_towns(i, i + 1)
                && self.names_a_club(i, i + 1)
        };
        (self.free(i) && (opens || club_letters()))
            || (!self.free(i) && club_town())
            || self.first_name_over_place(i)
            || self.names_a_site(i)
    }

    /// Whether the name words `first..end` (one or two) and the town right after them on the
    /// line name a club or a company (`Betar Jerusalem`, `Levski Sofia`, `Reuters Chicago`):
    /// words that are neither common English words nor first names, or one word of capital
    /// letters, before a city or town (not a region: `Lebed Chechnya` in a headline).
    fn names_a_club(&self, first: usize, end: usize) -> bool {
        let next_to = end < self.tokens.len()
            && &self.text[self.tokens[end - 1].end..self.tokens[end].start] == " ";
        // A company's branch in a country or a continent is a company too (`AOL Europe`, `BBC
        // Wales`): one word of capital letters before it (not a rare word: `Lebed Chechnya`,
        // `Hijacked Sudan` in headlines).
        let branch = || {
            end - first == 1
                && is_acronym(self.word(first))
                && self.feature_at(end, &["country", "continent"])
        };
        let town = next_to && (self.town_at(end) || branch());
        // A town before a town of another country (`Ajax Amsterdam`, `Sparta Prague`).
        let pair = || end - first == 1 && self.soft_place(first) && self.foreign_towns(first, end);
        if town && pair() {
            return true;
        }
        // A place is no rare word (`Chen Peking PARIS`).
        if self.soft_place(first) {
            return false;
        }
        let rules = self.rules;
        // Not a person's name: no role before it (`finalist MaliVai Washington`), no more
        // name after the town (`Aung San Suu Kyi`).
        let role_before = first > 0 && rules.words.roles.contains(self.word(first - 1));
        let name_goes_on = end + 1 < self.tokens.len()
            && self.joined(end, end + 1)
            && rules.name_like(self.word(end + 1));
        town && !role_before
            && !name_goes_on
            && end - first <= 2
            && (first..end).all(|t| {
                let word = self.word(t);
                // A club's letters (`AC Milan`, `PSV Eindhoven`, `CSKA Moscow`), not a word
                // of a headline in capitals (`AT DETROIT`, `FANS IN Milan`).
                let letters = end - first == 1
                    && is_acronym(word)
                    && !word.contains('.')
                    && !rules.common_word(&word.to_lowercase())
                    && self.word(end).contains(char::is_lowercase);
                letters
                    || (word.chars().any(char::is_lowercase)
                        && !rules.common_word(word)
                        && !rules.first_names.contains(word)
                        && !initial(word))
            })
    }

    /// Whether tokens `a` and `b` are places of different countries, both written in
    /// lowercase too (not a headline's `WASHINGTON MOSCOW`).
    fn foreign_towns(&self, a: usize, b: usize) -> bool {
        let country = |t: usize| {
            let k = self.covered[t]?;
            let geo = self.names.lexicon.geo.get(&self.mentions[k].entity)?;
            geo.country_code.as_deref()
        };
        let lowercase = |t: usize| self.word(t).contains(char::is_lowercase);
        lowercase(a)
            && lowercase(b)
            && matches!((country(a), country(b)), (Some(x), Some(y)) if x != y)
    }

    /// A one-word place right before a word of site or feature names the site (`Atlantic
    /// Ocean`, `Taiwan Strait`, `Sydney Harbour`): the run takes the place in.
    fn names_a_site(&self, i: usize) -> bool {
        self.soft_place(i)
            && i + 1 < self.tokens.len()
            && &self.text[self.tokens[i].end..self.tokens[i + 1].start] == " "
            && self.free(i + 1)
            && self.rules.words.place_words.contains(self.word(i + 1))
    }

    /// A place that is a first name opens a person's name when a free name word follows it
    /// (`Vladimir Zhirinovsky`, `Douglas Hurd`), unless a word of place precedes it (`in
    /// Vladimir`).
    fn first_name_over_place(&self, i: usize) -> bool {
        let rules = self.rules;
        self.soft_place(i)
            && rules.first_names.contains(self.word(i))
            && i + 1 < self.tokens.len()
            && self.joined(i, i + 1)
            && self.free(i + 1)
            && rules.name_like(self.word(i + 1))
            && !i
                .checked_sub(1)
                .is_some_and(|p| rules.words.locative.contains(self.word(p)))
    }

    /// The end (exclusive) of the run of name words that starts at `start`.
    fn extend_run(&self, start: usize) -> usize {
        let rules = self.rules;
        let mut j = start + 1;
        while j < self.tokens.len() && self.joined(j - 1, j) {
            let w = self.word(j);
            let name_at = |k: usize| {
                k < self.tokens.len() && self.joined(k - 1, k) && rules.name_like(self.word(k))
            };
            let next_is_name = name_at(j + 1);
            // `van der Westhuizen`, `de la Hoya`: particles in a row before the surname.
            let particles_then_name = j + 1 < self.tokens.len()
                && self.joined(j, j + 1)
                && rules.words.particles.contains(self.word(j + 1))
                && name_at(j + 2);
            let inside_title = rules.is_title(w)
                && !rules.is_title(self.word(j - 1))
                && w.ends_with(|c: char| c.is_lowercase());
            // A middle initial without its full stop, as British news writes it (`George W
            // Bush`, `Michael J Fox`); not the words `I` and `A` (`Have I Got News`).
            let bare_initial = w.len() == 1
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && !matches!(w, "I" | "A");
            // The second syllable of an East Asian given name (`Chung Mong-koo`, `Kim
            // Jong-il`), not a word (`Paris-based`, `Inc-owned`).
            let syllable = &self.text[self.tokens[j - 1].end..self.tokens[j].start] == "-"
                && (2..=5).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_lowercase())
                && !rules.common_word(w)
                && !(w.ends_with("ed") || w.ends_with("ing"))
                && rules.name_like(self.word(j - 1));
            // A month after a first name is a surname unless a day follows (`Theresa May`,
            // `Brian May`; not `Monday May 5`).
            let month_surname = MONTHS.contains(&w)
                && j == start + 1
                && rules.first_names.contains(self.word(j - 1))
                && !(j + 1 < self.tokens.len()
                    && self.word(j + 1).starts_with(|c: char| c.is_ascii_digit()));
            let part_of_name = self.free(j)
                && (rules.name_like(w)
                    || syllable
                    || month_surname
                    || inside_title
                    || (rules.words.particles.contains(w)
                        && (next_is_name || particles_then_name))
                    || (bare_initial && next_is_name));
            let before = self.word(j - 1);
            // A first name, an initial or a title takes a place after it as a surname
            // (`Douglas Hurd`, `D. Cork`, `Mr Maran`).
            // So does a rare word after a role (`seed MaliVai Washington`).
            let after_role = j == start + 1
                && start > 0
                && rules.words.roles.contains(self.word(start - 1))
                && !rules.common_word(before);
            let person_over_place = self.soft_place(j)
                && (rules.first_names.contains(before)
                    || initial(before)
                    || rules.is_title(before)
                    || after_role);
            if part_of_name || person_over_place {
                j += 1;
            } else {
                break;
            }
        }
        j
    }

    /// Where the name of the run `start..end` begins once titles are left out (titles are
    /// evidence, not name: `Russian President Boris Yeltsin` is `Boris Yeltsin`), and whether
    /// a title was seen.
    fn name_start(&self, start: usize, end: usize) -> (usize, bool) {
        let rules = self.rules;
        let mut first = start;
        let mut titled = false;
        if let Some(t) = (start..end.saturating_sub(1))
            .rev()
            .find(|&t| rules.is_title(self.word(t)))
        {
            first = t + 1;
            titled = true;
        }
        while first < end && rules.is_title(self.word(first)) {
            first += 1;
            titled = true;
        }
        // A role opening a sentence is capitalised too (`Actress Cate Blanchett`), as is one
        // in a title before a first name (`Chief Executive Daniel Levy`; not `while Star Wars
        // Battlefront`).
        if end.saturating_sub(first) >= 3
            && (self.opens_sentence(first)
                || (first + 1..end).any(|t| rules.first_names.contains(self.word(t))))
            && rules
                .words
                .roles
                .contains(&lowercase_first(self.word(first)))
        {
            first += 1;
            titled = true;
        }
        // So is one opening a sentence before a surname that the document gives in full
        // later (`Actor Reeve highlights ...` above `actor Christopher Reeve`).
        if end.saturating_sub(first) == 2
            && self.opens_sentence(first)
            && rules
                .words
                .roles
                .contains(&lowercase_first(self.word(first)))
            && self.named_in_full_later(first + 1)
        {
            first += 1;
            titled = true;
        }
        // A capitalised word before a first name is a role (`Fullback Andre Joubert`), unless
        // a hyphen makes them one first name (`Heinz-Harald Frentzen`).
        if end.saturating_sub(first) >= 3
            && !rules.first_names.contains(self.word(first))
            && rules.first_names.contains(self.word(first + 1))
            && &self.text[self.tokens[first].end..self.tokens[first + 1].start] != "-"
        {
            first += 1;
            titled = true;
        }
        (first, titled)
    }

    /// Whether the word at token `t` is the last of a longer name later in the document
    /// (`Reeve` of `Christopher Reeve`), not after a title or a role (`Mother Teresa`).
    fn named_in_full_later(&self, t: usize) -> bool {
        let word = self.word(t);
        (t + 2..self.tokens.len()).any(|k| {
            let before = self.word(k - 1);
            self.word(k) == word
                && self.joined(k - 1, k)
                && self.rules.name_like(before)
                && !self.rules.is_title(before)
                && !self.rules.words.roles.contains(&lowercase_first(before))
        })
    }

    /// The evidence that the name `first..end` (its run starting at `start`) is a person's.
    fn evidence(
        &self,
        start: usize,
        (first, end): (usize, usize),
        titled: bool,
        known_people: &HashSet<&str>,
    ) -> Evidence {
        let words = &self.rules.words;
        let last = end - 1;
        // A quotation mark between a name and a verb puts them in different voices (`the
        // Grand Slam," said Dominici`; `said: "Newcastle have`): the verb is no evidence.
        let quoted = |a: usize, b: usize| {
            self.text[self.tokens[a].end..self.tokens[b].start]
                .contains(['"', '\u{201c}', '\u{201d}'])
        };
        let before = start
            .checked_sub(1)
            .filter(|&t| !quoted(t, start))
            .map(|t| self.word(t))
            .unwrap_or("");
        let after = if end < self.tokens.len() && !quoted(last, end) {
            self.word(end)
        } else {
            ""
        };
        let n = end - first;
        let initial = self.word(first).len() == 2 && self.word(first).ends_with('.');
        // `Jesper Parnevik of Sweden`, `Parnevik (Sweden)`: a name, then a country.
        let place_at = |t: usize| t < self.tokens.len() && self.soft_place(t);
        let name = &self.text[self.tokens[first].start..self.tokens[last].end];
        // A role counts right before the name (`flanker Andre Venter`), in apposition (`his
        // colleague, Chen Longde`) or a list (`actor - Don Cheadle`), not across a sentence or
        // a paragraph (`chief
        // financial officer.\n\n"Unfortunately`).
        let role_before = start > 0
            && words.roles.contains(before)
            && matches!(
                &self.text[self.tokens[start - 1].end..self.tokens[start].start],
                " " | ", " | " - "
            );
        Evidence {
            titled: titled || role_before || self.rules.is_title(before),
            said: words.reporting_verbs.contains(after)
                && !words.organization_words.contains(name)
                && !self.said_of_a_thing(end + 1),
            named: n >= 2
                && (self.rules.first_names.contains(self.word(first))
                    || initial
                    || known_people.contains(self.word(first))
                    || known_people.contains(self.word(last))),
            reported: (2..=3).contains(&n)
                && (words.reporting_verbs.contains(after)
                    || words.reporting_verbs.contains(before)),
            of_country: n >= 2 && after == "of" && place_at(end + 1),
            parenthesised: end < self.tokens.len()
                && self.text[self.tokens[last].end..self.tokens[end].start].trim() == "("
                && place_at(end),
            initial,
            who: n >= 2 && after == "who" && self.who_of_a_person(start, end),
            apposed: self.role_in_apposition(end),
            speaker: self.speaker(start, end),
        }
    }

    /// Whether a role follows the name ending before token `end` in apposition: a comma, `a`,
    /// `an` or `the`, up to two more words, the role (`G Money, a presenter on 1Xtra`).
    fn role_in_apposition(&self, end: usize) -> bool {
        if end + 1 >= self.tokens.len()
            || self.gap(end - 1, end) != ","
            || !matches!(self.word(end), "a" | "an" | "the")
        {
            return false;
        }
        (end + 1..(end + 4).min(self.tokens.len()))
            .take_while(|&t| t == end + 1 || self.gap(t - 1, t).is_empty())
            .any(|t| self.rules.words.roles.contains(self.word(t)))
    }

    /// Whether the run `start..end` names the speaker of a quotation that ends right before
    /// its reporting verb, and ends the clause (`your work," said Cowell.`; `," said Hewitt,
    /// who`): a company or a body speaks through a spokesman, in news style.
    fn speaker(&self, start: usize, end: usize) -> bool {
        if start < 2
            || !self
                .rules
                .words
                .reporting_verbs
                .contains(self.word(start - 1))
        {
            return false;
        }
        let quote_before = self.text[self.tokens[start - 2].end..self.tokens[start - 1].start]
            .contains(['"', '\u{201d}', '\'']);
        let clause_ends = self.text[self.tokens[end - 1].end..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, '.' | ',' | ';'));
        quote_before && clause_ends && !(start..end).any(|t| self.soft_place(t))
    }

    /// Whether `who` after the name `..end` (its run starting at `start`) speaks of one
    /// person: not of a group named with `the` or a plural (`The Bravery, who`; `Scissor
    /// Sisters, who`), nor with a verb in the plural (`Franz Ferdinand, who were`), nor of a
    /// run that opens a sentence with a common word (`Although Christie, who`) or follows a
    /// place (`Paris St Germain, who`).
    fn who_of_a_person(&self, start: usize, end: usize) -> bool {
        let first = self.word(start);
        let sentence = &self.doc.sentences[self.doc.sentence_of(self.tokens[start].start)];
        if sentence.start == self.tokens[start].start
            && self.rules.common_word(first)
            && !self.rules.first_names.contains(first)
        {
            return false;
        }
        if start > 0 && self.soft_place(start - 1) && self.joined(start - 1, start) {
            return false;
        }
        if (start..end).any(|t| self.rules.is_title(self.word(t))) {
            return false;
        }
        let last = self.word(end - 1);
        let plural = last.len() > 3
            && last.ends_with('s')
            && !last.ends_with("ss")
            && self.rules.common_word(&last[..last.len() - 1]);
        let the_before = start > 0 && self.word(start - 1).eq_ignore_ascii_case("the");
        let verb = if end + 1 < self.tokens.len() {
            self.word(end + 1)
        } else {
            ""
        };
        !plural && !the_before && !matches!(verb, "were" | "are" | "have")
    }

    /// Whether the word after a reporting verb at `t` speaks of a thing or a group (`Merck said
    /// it would`, `Lufthansa said that it`, `MPs said they were`): a company or a body said
    /// it, not a person.
    fn said_of_a_thing(&self, t: usize) -> bool {
        let thing = |t: usize| {
            t < self.tokens.len() && matches!(self.word(t), "it" | "its" | "they" | "their")
        };
        thing(t) || (t < self.tokens.len() && self.word(t) == "that" && thing(t + 1))
    }

    /// Decides what the run `start..end` is: a person (recorded in `state.found`), or a
    /// candidate for curation.
    fn classify_run(
        &self,
        start: usize,
        end: usize,
        (known_people, companies): (&HashSet<&str>, &HashSet<&str>),
        state: &mut ScanState,
    ) {
        let (first, titled) = self.name_start(start, end);
        if first == end {
            return;
        }
        let last = end - 1;
        if !titled && self.names_a_club(first, end) {
            // The town is the club's: `Betar Jerusalem`, `Levski Sofia`.
            self.organization(first, end, state, true);
            // A place named in it is the club alone too (`Ajax` of `Ajax Amsterdam`).
            if let Some(team) = state.found.last().map(|m| m.entity) {
                self.absorb_club_places(first..end, team, state);
            }
            return;
        }
        // A team named by its city (`San Diego Padres`) is no person, whatever its words
        // (at the price of a person whose first name is a city and whose surname looks
        // plural: `Milan Baros`).
        if (start..end).any(|t| self.team_place[t].is_some()) {
            self.team_run(start, end, state);
            return;
        }
        if last > first && !titled && self.rules.words.place_words.contains(self.word(last)) {
            self.site(first, last, state);
            return;
        }
        if self
            .rules
            .words
            .organization_words
            .contains(self.word(last))
        {
            self.organization(self.organization_start(first), last, state, false);
            return;
        }
        if self.legal_suffix_after(last) {
            let start = self.organization_start(first);
            self.organization(start, last + 1, state, false);
            return;
        }
        let e = self.evidence(start, (first, end), titled, known_people);
        let name = &self.text[self.tokens[first].start..self.tokens[last].end];
        if companies.contains(name) || self.in_results_line(first, last) {
            self.organization(first, last, state, true);
            return;
        }
        if end - first == 1 && !titled && self.organization_short_form(first, name, state) {
            return;
        }
        // A surname of several words joined by hyphens (`Saint-Andre` of `Philippe
        // Saint-Andre`) is one word of a name, as a one-word surname is.
        let hyphenated = end - first > 1 && !name.contains(char::is_whitespace);
        let chosen = if end - first == 1 && (plural_acronym(name) || self.people_of(name)) {
            None
        } else if let (true, Some(&Some(id))) = (hyphenated, state.surnames.get(name)) {
            Some((id, Method::Coreference))
        } else if end - first == 1 {
            let person = e.titled || e.said || e.parenthesised || e.speaker || e.apposed;
            match state.surnames.get(name) {
                Some(Some(id)) => Some((*id, Method::Coreference)),
                // A surname that two people of the document share, with evidence of a person
                // (`President Clinton` beside `Bill` and `Hillary Rodham Clinton`).
                Some(None) if person => Some(self.shared_surname(start, first, name, state)),
                Some(None) => None,
                None if person || known_people.contains(name) => {
                    let id = self.entity_named(state, Kind::Figure, name);
                    note_surname(&mut state.surnames, name, id);
                    Some((id, Method::Discovery))
                }
                None => {
                    state.undecided.push(first);
                    None
                }
            }
        } else if e.titled
            || e.named
            || e.reported
            || e.of_country
            || e.parenthesised
            || e.who
            || e.apposed
        {
            let id = self.full_name(first, name, !e.initial && !hyphenated, state);
            Some((id, Method::Discovery))
        } else {
            None
        };
        let Some((entity, method)) = chosen else {
            if last > first {
                state.undecided_runs.push((first, last));
            }
            self.candidate(first, last, state);
            return;
        };
        if last > first && (e.titled || e.named || e.of_country || e.parenthesised || e.who) {
            state.evidenced.push(entity);
        }
        if last > first && first > start {
            let title = self.word(first - 1).trim_end_matches('.');
            state
                .titled
                .push((title.to_string(), name.to_string(), entity));
        }
        self.take_run(first, last, (entity, method), state);
    }

    /// A one-word person whose surname two people of the document share: the one of them
    /// named in full after the same title (`President Clinton` after `President Bill
    /// Clinton`, not `first lady Hillary Rodham Clinton`), else a person of that one word,
    /// which leaves the surname shared.
    fn shared_surname(
        &self,
        start: usize,
        first: usize,
        name: &str,
        state: &mut ScanState,
    ) -> (EntityId, Method) {
        let title = (first > start).then(|| self.word(first - 1).trim_end_matches('.'));
        let mut same_title = state.titled.iter().filter(|(t, full, _)| {
            Some(t.as_str()) == title && full.rsplit(' ').next() == Some(name)
        });
        match (same_title.next(), same_title.next()) {
            (Some(&(_, _, id)), None) => (id, Method::Coreference),
            _ => (
                self.entity_named(state, Kind::Figure, name),
                Method::Discovery,
            ),
        }
    }

    /// A one-word run that is the first word of an organisation of the document (`Barrick`
    /// after `Barrick Gold Corp`): that organisation.
    fn organization_short_form(&self, first: usize, name: &str, state: &mut ScanState) -> bool {
        let Some(&organization) = state.organization_short_forms.get(name) else {
            return false;
        };
        let (start, end) = (self.tokens[first].start, self.tokens[first].end);
        state.found.push(Mention {
            sentence: self.doc.sentence_of(start) as u32,
            start,
            end,
            entity: organization,
            method: Method::Coreference,
            sense: None,
        });
        true
    }

    /// The person a run of several words with evidence names in full. A longer form of a
    /// person named before (`Bill Clinton` after `Clinton`) is a new name; the surname then
    /// points to the full one. A two-word name also answers to its first word (`first_word`:
    /// not after an initial or in a hyphenated name): a family name first (`Qian Qichen`,
    /// later `Mr Qian`), or a first name alone in a quotation (`Arsene Wenger`, then
    /// `delighted that Arsene has signed`); two people who share it leave it unresolved. Its
    /// second word may be hyphenated (`Banharn Silpa-archa`, later `Banharn`); a hyphenated
    /// name is not (`Blair-Brown` in a headline is no `Blair`).
    fn full_name(
        &self,
        first: usize,
        name: &str,
        first_word: bool,
        state: &mut ScanState,
    ) -> EntityId {
        let id = self.entity_named(state, Kind::Figure, name);
        state.note_full_name(name, id);
        let two_words = name.matches(' ').count() == 1
            && &self.text[self.tokens[first].end..self.tokens[first + 1].start] == " ";
        if two_words && first_word {
            note_name(&mut state.surnames, self.word(first), id);
        }
        id
    }

    /// A run over a place that names a team here: the team (with a club's name before its
    /// city), a team by its nickname (`Chicago Cubs`), or a candidate.
    fn team_run(&self, start: usize, end: usize, state: &mut ScanState) {
        let last = end - 1;
        let team_alone = (start..end).all(|t| self.team_place[t] == Some(true));
        if team_alone {
            let club = self.club_start(start, self.in_results[start], state);
            self.organization(club, last, state, true);
            let team = state
                .found
                .last()
                .filter(|m| m.start == self.tokens[club].start);
            if let Some(team) = team.map(|m| m.entity) {
                self.absorb_club_places(club..start, team, state);
                if club < start {
                    let span = self.tokens[club].start..self.tokens[start - 1].end;
                    state.claimed.push(span);
                }
            }
        } else if last > start && super::team_nickname(self.word(last)) {
            self.organization(start, last, state, team_alone);
        } else {
            self.candidate(start, last, state);
        }
    }

    /// The entity of this kind and name: the lexicon's when it lists one (a town it requires
    /// evidence for, found here as a site), else a discovered one.
    fn entity_named(&self, state: &mut ScanState, kind: Kind, name: &str) -> EntityId {
        self.names
            .lexicon
            .entity_named(kind, name)
            .unwrap_or_else(|| state.discovered.add(kind, name))
    }

    /// Records tokens `first..=last` as a mention of `entity`; the places inside it are part
    /// of it (`Michael Jordan`, `Wembley Stadium`).
    fn take_run(
        &self,
        first: usize,
        last: usize,
        (entity, method): (EntityId, Method),
        state: &mut ScanState,
    ) {
        state.absorbed.extend(
            (first..=last)
                .filter(|&t| self.soft_place(t))
                .filter_map(|t| self.covered[t]),
        );
        let (start, end) = (self.tokens[first].start, self.tokens[last].end);
        state.found.push(self.mention(start, end, entity, method));
    }

    /// A run that ends in an organisation word (`Barrick Gold Corp`, `Crystal Palace United`)
    /// names an organisation when a name comes before that word; the organisation word
    /// alone (`Council`) and events and venues (`Gulf War`, `Wembley Stadium`) are only
    /// candidates.
    /// A team in a results line (`team`) is an organisation even as one word (`CHICAGO`).
    fn organization(&self, first: usize, last: usize, state: &mut ScanState, team: bool) {
        if (last == first && !team) || self.rules.words.event_words.contains(self.word(last)) {
            self.candidate(first, last, state);
            return;
        }
        let name = &self.text[self.tokens[first].start..self.tokens[last].end];
        let entity = self.entity_named(state, Kind::Organization, name);
        state
            .organization_short_forms
            .entry(self.word(first).to_string())
            .or_insert(entity);
        self.take_run(first, last, (entity, Method::Discovery), state);
    }

    /// Where an organisation's name ending in an organisation word starts, before the run's
    /// first word: over words that open such names though they never open a person's
    /// (`International Business Machines Corp.`, `National`, `New`), and over `X and` (`Food
    /// and Agriculture Organisation`, `Securities and Exchange Commission`).
    fn organization_start(&self, first: usize) -> usize {
        let words = &self.rules.words;
        let spaced = |a: usize| &self.text[self.tokens[a].end..self.tokens[a + 1].start] == " ";
        let capitalised_free =
            |t: usize| self.free(t) && self.word(t).starts_with(|c: char| c.is_uppercase());
        let mut start = first;
        for _ in 0..3 {
            let Some(t) = start.checked_sub(1) else { break };
            let word = self.word(t);
            let opener = (words.organization_words.contains(word)
                || words.title_words.contains(word)
                || word == "New")
                && !word.contains('.');
            if spaced(t) && capitalised_free(t) && opener {
                start = t;
            } else if word == "and"
                && t > 0
                && spaced(t)
                && spaced(t - 1)
                && capitalised_free(t - 1)
                && self.rules.name_like(self.word(t - 1))
                && !words.organization_words.contains(self.word(t - 1))
            {
                start = t - 1;
            } else {
                break;
            }
        }
        start
    }

    /// A run ending in a word of `place_words.txt` (`Downing Street`, `Heathrow Airport`) is a
    /// discovered place, with the places inside it.
    fn site(&self, first: usize, last: usize, state: &mut ScanState) {
        let (start, end) = (self.tokens[first].start, self.tokens[last].end);
        let entity = self.entity_named(state, Kind::Place, &self.text[start..end]);
        self.take_run(first, last, (entity, Method::Discovery), state);
    }

    /// Records the run `first..=last` as a candidate (once per name), with its sentence; a
    /// single word that opens its sentence or a quotation (`asked: "What`), that ends a longer
    /// capitalised name (`West End`, `World At One`), a demonym, a section
    /// word or an organisation word alone (`News`, `Party`) or a plural acronym (`MPs`) is not
    /// worth curating.
    fn candidate(&self, first: usize, last: usize, state: &mut ScanState) {
        let sentence = &self.doc.sentences[self.doc.sentence_of(self.tokens[first].start)];
        let first_of_sentence = self.tokens.partition_point(|t| t.start < sentence.start);
        let opens_sentence = first == first_of_sentence || self.opens_quotation(first);
        let name = &self.text[self.tokens[first].start..self.tokens[last].end];
        let words = &self.rules.words;
        let single = last == first;
        // Titles alone (`Prime Minister`, `Foreign Secretary`) name an office, not an entity.
        let only_titles = name
            .split(' ')
            .all(|w| self.rules.is_title(w) || words.roles.contains(&lowercase_first(w)));
        let noise = words.demonyms.contains(name)
            || self.people_of(name)
            || only_titles
            || (single
                && (opens_sentence
                    || (first > first_of_sentence && self.after_capitalised_word(first))
                    || words.title_words.contains(name)
                    || words.organization_words.contains(name)
                    || plural_acronym(name)));
        if !noise && state.seen_candidates.insert(name.to_string()) {
            state
                .candidates
                .push((name.to_string(), self.text[sentence.clone()].to_string()));
        }
    }

    /// Whether a legal suffix that is no name word follows token `last` (`Siemens AG`,
    /// `Barclays plc`, `Volvo AB`): the run before it is a company.
    fn legal_suffix_after(&self, last: usize) -> bool {
        let next = last + 1;
        next < self.tokens.len()
            && &self.text[self.tokens[last].end..self.tokens[next].start] == " "
            && self
                .rules
                .words
                .organization_words
                .contains(self.word(next))
            && !self.rules.name_like(self.word(next))
            && self.free(next)
    }

    /// Whether `name` is a nationality's people (`Arabs`, `Palestinians`, `Europeans`): a
    /// group, never one person nor a name to curate.
    fn people_of(&self, name: &str) -> bool {
        name.strip_suffix('s')
            .is_some_and(|one| self.rules.words.demonyms.contains(one))
    }

    /// Whether token `t` is the first of its sentence or of a quotation.
    fn opens_sentence(&self, t: usize) -> bool {
        let sentence = &self.doc.sentences[self.doc.sentence_of(self.tokens[t].start)];
        sentence.start == self.tokens[t].start || self.opens_quotation(t)
    }

    /// Whether token `t` opens a quotation (a quote mark right before it, after a space, a
    /// colon or the start of the text).
    fn opens_quotation(&self, t: usize) -> bool {
        let before = &self.text[..self.tokens[t].start];
        let Some(quote) = before.chars().next_back() else {
            return false;
        };
        let ahead = before[..before.len() - quote.len_utf8()]
            .chars()
            .next_back();
        matches!(quote, '"' | '\u{201c}' | '\'' | '\u{2018}')
            && ahead.is_none_or(|c| c.is_whitespace() || c == ':')
    }

    /// Whether token `t` follows a capitalised word that is never part of a name (`West End`,
    /// `World At One`, `The Aviator`) with only a space between: it ends a longer name that the
    /// run could not take whole.
    fn after_capitalised_word(&self, t: usize) -> bool {
        let previous = &self.tokens[t - 1];
        let word = self.word(t - 1);
        self.text[previous.end..self.tokens[t].start] == *" "
            && word.starts_with(|c: char| c.is_uppercase())
            && self.rules.words.not_names.contains(word)
    }

    /// An acronym in brackets after the name it abbreviates (`Patriotic Union of Kurdistan
    /// (PUK)`) makes that name an organisation, and the acronym names it there and wherever
    /// else it stands alone in the document.
    fn acronyms(&self, state: &mut ScanState) {
        let mut known: HashMap<&str, EntityId> = HashMap::default();
        for t in 1..self.tokens.len() {
            let word = self.word(t);
            if is_acronym(word) && self.bracketed(t) {
                if let Some(entity) = self.spelled_out(t, word, state) {
                    known.insert(word, entity);
                }
            }
        }
        // An acronym that says something or owns something is a body (`NATO said`, `the
        // PKK's leader`), not a word in capitals (`IT said`) or a common abbreviation
        // (`the TV's`, `an MP's`: `not_names.txt`).
        for t in 0..self.tokens.len().saturating_sub(1) {
            let word = self.word(t);
            if !is_acronym(word) {
                continue;
            }
            let next = self.word(t + 1);
            let says = self.rules.words.reporting_verbs.contains(next);
            // A news agency says things (`IRNA said`) though never a name (`not_names.txt`).
            let owns =
                matches!(next, "'s" | "\u{2019}s") && !self.rules.words.not_names.contains(word);
            if (says || owns)
                && self.gap(t, t + 1).is_empty()
                && self.free(t)
                && !known.contains_key(word)
                && !self.rules.common_word(&word.to_lowercase())
            {
                known.insert(word, self.entity_named(state, Kind::Organization, word));
            }
        }
        if known.is_empty() {
            return;
        }
        for t in 0..self.tokens.len() {
            let Some(&entity) = known.get(self.word(t)) else {
                continue;
            };
            let (start, end) = (self.tokens[t].start, self.tokens[t].end);
            let taken = |m: &Mention| m.start < end && start < m.end;
            if self.free(t) && !state.found.iter().any(taken) {
                state
                    .found
                    .push(self.mention(start, end, entity, Method::Coreference));
            }
        }
    }

    /// The organisation that `(ACRONYM)` at token `t` spells out before it, recorded with its
    /// mention; `None` when the words before do not spell it or name something else.
    fn spelled_out(&self, t: usize, word: &str, state: &mut ScanState) -> Option<EntityId> {
        let first = self.spelled_by(t, word)?;
        let (start, end) = (self.tokens[first].start, self.tokens[t - 1].end);
        let overlaps = |m: &Mention| m.start < end && start < m.end;
        // Places inside the name are part of it (`Kurdistan`); a person is not, nor a
        // lexicon name running past it.
        let inside: Vec<usize> = (0..self.mentions.len())
            .filter(|&k| overlaps(&self.mentions[k]))
            .collect();
        let fits = inside.iter().all(|&k| {
            let m = &self.mentions[k];
            self.names.entity(m.entity).kind == Kind::Place && m.start >= start && m.end <= end
        });
        let kind_of = |m: &Mention| {
            state
                .discovered
                .get(m.entity)
                .map_or(Kind::Figure, |e| e.kind)
        };
        if !fits
            || state
                .found
                .iter()
                .any(|m| overlaps(m) && kind_of(m) != Kind::Organization)
        {
            return None;
        }
        // A shorter organisation inside (`Patriotic Union`) gives way to the whole name.
        state.found.retain(|m| !overlaps(m));
        state.absorbed.extend(inside);
        let entity = state
            .discovered
            .add(Kind::Organization, &self.text[start..end]);
        state
            .found
            .push(self.mention(start, end, entity, Method::Discovery));
        Some(entity)
    }

    /// A mention of `entity` over bytes `start..end`.
    fn mention(&self, start: usize, end: usize, entity: EntityId, method: Method) -> Mention {
        Mention {
            sentence: self.doc.sentence_of(start) as u32,
            start,
            end,
            entity,
            method,
            sense: None,
        }
    }

    /// Whether token `t` stands alone in brackets: `(PUK)`.
    fn bracketed(&self, t: usize) -> bool {
        let (start, end) = (self.tokens[t].start, self.tokens[t].end);
        self.text[..start].ends_with('(') && self.text[end..].starts_with(')')
    }

    /// The first token of the capitalised words before `(ACRONYM)` whose initials spell it,
    /// small words between them skipped (`Patriotic Union of Kurdistan`).
    fn spelled_by(&self, t: usize, acronym: &str) -> Option<usize> {
        let letters: Vec<char> = acronym.chars().filter(char::is_ascii_uppercase).collect();
        let mut need = letters.len();
        let mut k = t;
        while need > 0 {
            k = k.checked_sub(1)?;
            let word = self.word(k);
            let initial = word.chars().next()?;
            if initial.is_uppercase() {
                if initial != letters[need - 1] {
                    return None;
                }
                need -= 1;
            } else if !self.rules.words.particles.contains(word)
                && !matches!(word, "of" | "for" | "and" | "the" | "on" | "in")
            {
                return None;
            }
        }
        Some(k)
    }

    /// A team in a results line that no run took (`CHICAGO 8 Florida 3`: words in capitals
    /// open no run) is an organisation named as its city is.
    fn teams_in_results(&self, places: &[super::TeamPlace], state: &mut ScanState) {
        for place in places.iter().filter(|p| p.team) {
            let taken = state
                .found
                .iter()
                .any(|m| m.start < place.span.end && place.span.start < m.end);
            if taken {
                continue;
            }
            let first = self.tokens.partition_point(|t| t.start < place.span.start);
            let start_token = self.club_start(first, place.in_results, state);
            let start = self.tokens[start_token].start.min(place.span.start);
            let name = if start < place.span.start {
                state.claimed.push(start..place.span.start);
                &self.text[start..place.span.end]
            } else {
                self.names.entity(place.place).name.as_str()
            };
            let entity = self.entity_named(state, Kind::Organization, name);
            self.absorb_club_places(start_token..first, entity, state);
            state
                .found
                .push(self.mention(start, place.span.end, entity, Method::Discovery));
        }
        self.clubs_alone(state);
    }

    /// Where a team's name starts when its city starts at token `first`: a club's name before
    /// the city belongs to it (`PSV Eindhoven`, `Bayern Munich`, `Ajax Amsterdam`), up to two
    /// capitalised words on the same line that nothing else took. A common word that opens
    /// its sentence or stands in capitals is no club's name (`Wealthy Parma`, `CHAMPIONS
    /// PORTO`), except in a results line, where every line opens with a team.
    fn club_start(&self, first: usize, in_results: bool, state: &ScanState) -> usize {
        let mut start = first;
        while start > 0 && first - start < 2 {
            let t = start - 1;
            let word = self.word(t);
            let sentence = &self.doc.sentences[self.doc.sentence_of(self.tokens[t].start)];
            let prominent =
                sentence.start == self.tokens[t].start || !word.chars().any(char::is_lowercase);
            let club_word = word.starts_with(|c: char| c.is_uppercase())
                && (self.free(t) || self.soft_place(t))
                && !self.rules.words.not_names.contains(word)
                && (in_results || !prominent || !self.rules.common_word(&super::title_case(word)))
                && &self.text[self.tokens[t].end..self.tokens[t + 1].start] == " ";
            let (a, b) = (self.tokens[t].start, self.tokens[t].end);
            let taken = state.found.iter().any(|m| m.start < b && a < m.end);
            if !club_word || taken {
                break;
            }
            start = t;
        }
        start
    }

    /// Places among `tokens` (a club's name) are part of `team`, here and alone later.
    fn absorb_club_places(
        &self,
        tokens: std::ops::Range<usize>,
        team: EntityId,
        state: &mut ScanState,
    ) {
        for t in tokens.filter(|&t| self.soft_place(t)) {
            if let Some(k) = self.covered[t] {
                state.absorbed.push(k);
                state.club_places.push((self.mentions[k].entity, team));
            }
        }
    }

    /// A place that is a club's name in a team of this document (`Ajax` of `Ajax Amsterdam`)
    /// is that team alone too (`Ajax were missing six players`), unless a word of place
    /// precedes it.
    fn clubs_alone(&self, state: &mut ScanState) {
        if state.club_places.is_empty() {
            return;
        }
        for (k, m) in self.mentions.iter().enumerate() {
            let Some(&(_, team)) = state.club_places.iter().find(|(p, _)| *p == m.entity) else {
                continue;
            };
            let t = self.tokens.partition_point(|t| t.start < m.start);
            let locative = t > 0 && self.rules.words.locative.contains(self.word(t - 1));
            let taken = state
                .found
                .iter()
                .any(|f| f.start < m.end && m.start < f.end);
            if !locative && !taken && !state.absorbed.contains(&k) {
                state.absorbed.push(k);
                state
                    .found
                    .push(self.mention(m.start, m.end, team, Method::Coreference));
            }
        }
    }

    /// A dateline names its place even when no gazetteer lists it: the capitalised words
    /// opening a line before a comma, a place that the gazetteer knows and a date or a dash
    /// (`MAHALA, Bosnia 1996-08-31`, `Doboj, Bosnia -`) are a place.
    fn dateline_places(&self, state: &mut ScanState) {
        let mut t = 0;
        while t < self.tokens.len() {
            let start = self.tokens[t].start;
            let line_start = start == 0 || self.text[..start].ends_with('\n');
            if !line_start {
                t += 1;
                continue;
            }
            let mut end = t;
            while end < self.tokens.len()
                && end - t < 3
                && self.free(end)
                && self.word(end).starts_with(|c: char| c.is_uppercase())
                && (end == t || self.joined(end - 1, end))
            {
                end += 1;
            }
            let qualifier = end > t
                && end < self.tokens.len()
                && self.gap(end - 1, end) == ","
                && self.covered[end].is_some_and(|k| {
                    let m = &self.mentions[k];
                    let after = &self.text[m.end..];
                    self.names.entity(m.entity).kind == Kind::Place
                        && (after.starts_with(" -")
                            || after
                                .strip_prefix(' ')
                                .is_some_and(|a| a.starts_with(|c: char| c.is_ascii_digit())))
                });
            let taken = state
                .found
                .iter()
                .any(|m| m.start < self.tokens[end.max(t + 1) - 1].end && start < m.end);
            if qualifier && !taken {
                let end_byte = self.tokens[end - 1].end;
                // `MAHALA` in a dateline is the place `Mahala`.
                let name: Vec<String> = self.text[start..end_byte]
                    .split(' ')
                    .map(super::title_case)
                    .collect();
                let entity = self.entity_named(state, Kind::Place, &name.join(" "));
                state
                    .found
                    .push(self.mention(start, end_byte, entity, Method::Discovery));
            }
            t = end.max(t + 1);
        }
    }

    /// Team sheets: after a label and a colon (`Subs Not Used: Butt, Harper.`, `Newcastle:
    /// Given, Carr, Boumsong, ...`), the names listed with commas are people, with minutes and
    /// substitutes in brackets (`Robert (Jenas 77), Ameobi`). A label word of
    /// `lineup_labels.txt` needs two names; any other label, [`LINEUP_NAMES`] names of which
    /// fewer than half are places or organisations (a list of cities is no team).
    fn lineups(&self, state: &mut ScanState) {
        let before = state.found.len();
        for t in 0..self.tokens.len().saturating_sub(1) {
            let labelled_list = self.gap(t, t + 1) == ":";
            let line_start = self.text[self.tokens[t].end..self.tokens[t + 1].start].contains('\n');
            if !labelled_list && !line_start {
                continue;
            }
            let items = self.listed_names(t + 1);
            let labelled = labelled_list && self.rules.words.lineup_labels.contains(self.word(t));
            let known = items
                .iter()
                .filter(|&&(a, b)| (a..b).any(|i| !self.free(i)))
                .count();
            let clubs: Vec<Option<usize>> =
                items.iter().map(|&(_, b)| self.club_after(b)).collect();
            let bracketed = items
                .iter()
                .filter(|&&(_, b)| self.bracket_after(b))
                .count();
            let people = items
                .iter()
                .filter(|&&(a, b)| self.person_found_in(a, b, state))
                .count();
            let whole_line = items.last().is_some_and(|&(_, b)| self.ends_line(b));
            // A squad without a label, on a line of its own: each name with its club in
            // brackets (`C Stoica (Montpellier), A Masi (Viadana), ...`), or names of which
            // half are people already (`G Murphy; G Dempsey, S Horgan, K Maggs, ...`).
            let squad = !labelled_list && items.len() >= LINEUP_NAMES && known * 2 < items.len();
            let with_clubs = squad && bracketed * 4 >= items.len() * 3;
            let of_people = squad && whole_line && people * 2 >= items.len();
            let enough = if labelled {
                items.len() >= 2
            } else if labelled_list {
                items.len() >= LINEUP_NAMES && known * 2 < items.len()
            } else {
                with_clubs || of_people
            };
            if enough {
                for (&(a, b), club) in items.iter().zip(&clubs) {
                    self.listed_person(a, b, state);
                    if let Some(club) = club {
                        self.organization(*club, *club, state, true);
                    }
                }
            }
        }
        self.scorecards(state);
        // What the sheets claimed is no longer undecided or a candidate.
        let listed = &state.found[before..];
        let claimed = |t: usize| {
            let (start, end) = (self.tokens[t].start, self.tokens[t].end);
            listed.iter().any(|m| m.start < end && start < m.end)
        };
        let undecided: Vec<usize> = state
            .undecided
            .iter()
            .copied()
            .filter(|&t| !claimed(t))
            .collect();
        let names: HashSet<&str> = listed.iter().map(|m| &self.text[m.start..m.end]).collect();
        state.undecided = undecided;
        state
            .candidates
            .retain(|(name, _)| !names.contains(name.as_str()));
    }

    /// Whether a person found so far takes a token of `a..b`.
    fn person_found_in(&self, a: usize, b: usize, state: &ScanState) -> bool {
        let (start, end) = (self.tokens[a].start, self.tokens[b - 1].end);
        state.found.iter().any(|m| {
            m.start < end
                && start < m.end
                && state
                    .discovered
                    .get(m.entity)
                    .or_else(|| self.names.lexicon.entities.get(m.entity as usize))
                    .is_some_and(|e| e.kind == Kind::Figure)
        })
    }

    /// Cricket scorecards: the batsman, fielder and bowler of a batting line (`Saeed Anwar c
    /// Croft b Cork 176`, `Salim Malik not out 2`) and the bowlers of a bowling line (`Croft
    /// 29-6-64-1, Cork 14.3-4-45-1`) are people, a town's name too (`Cork`).
    fn scorecards(&self, state: &mut ScanState) {
        let mut line_start = 0;
        for line in self.text.split('\n') {
            for range in scorecard_names(line) {
                let (start, end) = (line_start + range.start, line_start + range.end);
                let a = self.tokens.partition_point(|t| t.start < start);
                let b = self.tokens.partition_point(|t| t.start < end);
                if a < b {
                    self.listed_person(a, b, state);
                }
            }
            line_start += line.len() + 1;
        }
    }

    /// Whether the line ends after a listed name ending before token `b` (a full stop or
    /// a bracket may close it).
    fn ends_line(&self, b: usize) -> bool {
        b >= self.tokens.len()
            || self.text[self.tokens[b - 1].end..self.tokens[b].start].contains('\n')
    }

    /// Whether a bracket opens right after a listed name ending before token `b`.
    fn bracket_after(&self, b: usize) -> bool {
        b < self.tokens.len() && self.gap(b - 1, b).ends_with('(')
    }

    /// The town in brackets right after a listed name ending before token `b` (`C Stoica
    /// (Montpellier)`): the player's club, counted as an organisation; counted once by
    /// [`Scan::lineups`] with the brackets that hold no town.
    fn club_after(&self, b: usize) -> Option<usize> {
        let closes = b + 1 >= self.tokens.len() || self.gap(b, b + 1).starts_with(')');
        (self.bracket_after(b) && closes && self.town_at(b)).then_some(b)
    }

    /// Whether token `t` is a city or town of the gazetteer, exactly (not a country or a
    /// region: `Jesper Parnevik (Sweden)` gives a nationality).
    fn town_at(&self, t: usize) -> bool {
        self.feature_at(t, &["city", "town"])
    }

    /// Whether token `t` is exactly a place of the gazetteer with one of these features.
    fn feature_at(&self, t: usize, features: &[&str]) -> bool {
        self.soft_place(t)
            && self.covered[t].is_some_and(|k| {
                let geo = self.names.lexicon.geo.get(&self.mentions[k].entity);
                let feature = geo.and_then(|g| g.feature.as_deref());
                feature.is_some_and(|f| features.contains(&f))
            })
    }

    /// The text between tokens `a` and `b`, trimmed.
    fn gap(&self, a: usize, b: usize) -> &'a str {
        self.text[self.tokens[a].end..self.tokens[b].start].trim()
    }

    /// The names (token ranges of one to three capitalised words) listed from token `i`,
    /// separated by commas, each maybe followed by minutes and a substitute in brackets.
    fn listed_names(&self, mut i: usize) -> Vec<(usize, usize)> {
        let capital = |i: usize| self.word(i).starts_with(|c: char| c.is_uppercase());
        let mut items = Vec::new();
        let mut bracketed = false;
        // A shirt number before a name (`15 - G Thomas, 14 - K Morgan`).
        let numbered = |i: usize| {
            i + 1 < self.tokens.len()
                && self.word(i).bytes().all(|b| b.is_ascii_digit())
                && self.gap(i, i + 1) == "-"
        };
        if i < self.tokens.len() && numbered(i) {
            i += 1;
        }
        while i < self.tokens.len() && capital(i) {
            let a = i;
            i += 1;
            // Particles inside a name (`R de Marigny`, `D dal Maso`).
            let particle = |i: usize| {
                self.rules.words.particles.contains(self.word(i))
                    && i + 1 < self.tokens.len()
                    && self.joined(i, i + 1)
                    && capital(i + 1)
            };
            while i < self.tokens.len()
                && i - a < 3
                && self.joined(i - 1, i)
                && (capital(i) || particle(i))
            {
                i += 1;
            }
            let name_end = i;
            let mut minutes = false;
            while i < self.tokens.len()
                && self.word(i).bytes().all(|b| b.is_ascii_digit())
                && self.gap(i - 1, i).is_empty()
            {
                i += 1;
                minutes = true;
            }
            // In brackets, a substitute comes with the minute (`(Jenas 77)`); a club or a
            // role does not (`Calvin Howarth (Glasgow Rugby)`).
            if !bracketed || minutes {
                items.push((a, name_end));
            }
            if i >= self.tokens.len() {
                break;
            }
            let mut gap = self.gap(i - 1, i);
            bracketed = gap.ends_with('(');
            // A note in brackets after a name (`Palmer (capt), Morgan`, `Read (wk),`).
            if bracketed && i + 1 < self.tokens.len() && !capital(i) {
                gap = self.gap(i, i + 1);
                if !gap.starts_with(')') {
                    break;
                }
                i += 1;
                bracketed = false;
            }
            if !(gap.ends_with(',') || gap.ends_with(';') || bracketed) {
                break;
            }
            if numbered(i) {
                i += 1;
            }
        }
        items
    }

    /// Records tokens `a..b` of a team sheet as a person, unless something else took them.
    fn listed_person(&self, a: usize, b: usize, state: &mut ScanState) {
        let (start, end) = (self.tokens[a].start, self.tokens[b - 1].end);
        let words = &self.rules.words;
        let word = self.word(a);
        // A person found inside the listed name (`Stoica` of `C Stoica`) is named by all of it.
        let overlapping: Vec<usize> = (0..state.found.len())
            .filter(|&k| state.found[k].start < end && start < state.found[k].end)
            .collect();
        if let [k] = overlapping[..] {
            let m = &state.found[k];
            let person = state
                .discovered
                .get(m.entity)
                .or_else(|| self.names.lexicon.entities.get(m.entity as usize))
                .is_some_and(|e| e.kind == Kind::Figure);
            if person && start <= m.start && m.end <= end && (a..b).all(|i| self.free(i)) {
                state.found[k].start = start;
                state.found[k].end = end;
            }
            return;
        }
        // A player named like a town is the player (`Replacements: Cairns, Lloyd`).
        let town = b - a == 1 && self.town_at(a);
        if (a..b).any(|i| !self.free(i)) && !town
            || !overlapping.is_empty()
            || (b - a == 1
                && (words.not_names.contains(word)
                    || words.demonyms.contains(word)
                    || words.title_words.contains(word)))
        {
            return;
        }
        if town {
            state.absorbed.extend(self.covered[a]);
        }
        let name = &self.text[start..end];
        let (entity, method) = match state.surnames.get(name) {
            Some(Some(id)) if b - a == 1 => (*id, Method::Coreference),
            _ => {
                let id = self.entity_named(state, Kind::Figure, name);
                if b - a == 1 {
                    note_surname(&mut state.surnames, name, id);
                    state.listed.insert(id);
                } else {
                    state.note_full_name(name, id);
                }
                (id, Method::Discovery)
            }
        };
        state.found.push(self.mention(start, end, entity, method));
    }

    /// Adds the runs that nothing decided to `undecided` as `(name, start, end, first
    /// name)`, for linking across the corpus: one-word runs that may be a surname, and
    /// longer runs of name words.
    fn keep_undecided(&self, state: &ScanState, undecided: &mut Vec<(String, usize, usize, bool)>) {
        let rules = self.rules;
        // Each word is looked up once: pages repeat their capitalised words.
        let mut common: HashMap<&str, bool> = HashMap::default();
        let mut is_common = |w: &'a str| *common.entry(w).or_insert_with(|| rules.common_word(w));
        for &t in &state.undecided {
            let word = self.word(t);
            if rules.name_like(word) && rules.may_be_surname(word, is_common(word)) {
                let first_name = rules.first_names.contains(word);
                let token = self.tokens[t];
                undecided.push((word.to_string(), token.start, token.end, first_name));
            }
        }
        // A run of common words only is more often a thing (`Associated Press`, `Radio Five
        // Live`) than a person.
        for &(first, last) in &state.undecided_runs {
            let words = || (first..=last).map(|t| self.word(t));
            if words().all(|w| rules.name_like(w)) && !words().all(&mut is_common) {
                let (start, end) = (self.tokens[first].start, self.tokens[last].end);
                undecided.push((self.text[start..end].to_string(), start, end, false));
            }
        }
    }

    /// A run of several words that nothing decided is the person the document names so
    /// elsewhere with evidence beyond a reporting verb (`nominees Clive Owen, Imelda
    /// Staunton`, then `Clive Owen, who has scooped`): `Goldman Sachs said` is no such
    /// evidence.
    fn runs_named_later(&self, state: &mut ScanState) {
        let mut still_undecided = Vec::new();
        let mut claimed = HashSet::default();
        for (first, last) in std::mem::take(&mut state.undecided_runs) {
            let (start, end) = (self.tokens[first].start, self.tokens[last].end);
            let name = &self.text[start..end];
            let taken = |r: &std::ops::Range<usize>| r.start < end && start < r.end;
            if state.found.iter().any(|m| taken(&(m.start..m.end)))
                || state.claimed.iter().any(taken)
            {
                still_undecided.push((first, last));
                continue;
            }
            let discovered = crate::lexicon::discovered_id(Kind::Figure, name);
            let person = self
                .names
                .lexicon
                .entity_named(Kind::Figure, name)
                .or_else(|| state.discovered.get(discovered).map(|_| discovered))
                .filter(|id| state.evidenced.contains(id));
            let Some(entity) = person else {
                still_undecided.push((first, last));
                continue;
            };
            self.take_run(first, last, (entity, Method::Coreference), state);
            claimed.insert(name);
        }
        state.undecided_runs = still_undecided;
        state
            .candidates
            .retain(|(name, _)| !claimed.contains(name.as_str()));
    }

    /// Names listed beside people are people (`including Cate Blanchett, Leonardo DiCaprio`,
    /// `Luis Figo, Dani and Patrick Kluivert`): a run of two or more name words next to a
    /// person, one word between two people, with a comma or `and` between them.
    fn people_in_lists(&self, state: &mut ScanState) {
        let mut claimed = HashSet::default();
        let mut still = Vec::new();
        for (first, last) in std::mem::take(&mut state.undecided_runs) {
            // A surname last (not `United Nations` beside a person).
            if self.rules.common_word(self.word(last))
                || self.people_beside(state, first, last) == 0
            {
                still.push((first, last));
                continue;
            }
            let name = &self.text[self.tokens[first].start..self.tokens[last].end];
            let id = self.entity_named(state, Kind::Figure, name);
            state.note_full_name(name, id);
            self.take_run(first, last, (id, Method::Discovery), state);
            claimed.insert(name);
        }
        state.undecided_runs = still;
        let mut still = Vec::new();
        for t in std::mem::take(&mut state.undecided) {
            if self.people_beside(state, t, t) < 2 {
                still.push(t);
                continue;
            }
            let name = self.word(t);
            let id = self.entity_named(state, Kind::Figure, name);
            note_surname(&mut state.surnames, name, id);
            self.take_run(t, t, (id, Method::Discovery), state);
            claimed.insert(name);
        }
        state.undecided = still;
        state
            .candidates
            .retain(|(name, _)| !claimed.contains(name.as_str()));
    }

    /// How many of the names listed right before and after tokens `first..=last` (with a
    /// comma or `and` between) are people found so far: 0, 1 or 2; 0 when something took
    /// the tokens since (a team sheet).
    fn people_beside(&self, state: &ScanState, first: usize, last: usize) -> usize {
        let gap = |a: usize, b: usize| &self.text[self.tokens[a].end..self.tokens[b].start];
        let and = |t: usize| self.word(t) == "and";
        // The token that ends the name listed before `first`, and that opens the one after
        // `last` (`X, Y`, `X and Y`, `X, and Y`).
        let previous = match first {
            0 => None,
            1 => (gap(0, 1) == ", ").then_some(0),
            _ if gap(first - 1, first) == ", " && !and(first - 1) => Some(first - 1),
            _ if and(first - 1) && matches!(gap(first - 2, first - 1), " " | ", ") => {
                Some(first - 2)
            }
            _ => None,
        };
        let n = self.tokens.len();
        let next = if last + 2 < n && and(last + 1) && matches!(gap(last, last + 1), " " | ", ") {
            Some(last + 2)
        } else if last + 1 < n && gap(last, last + 1) == ", " && !and(last + 1) {
            Some(last + 1)
        } else {
            None
        };
        // Most names are in no list: the mentions found are searched only for those that are.
        let (start, end) = (self.tokens[first].start, self.tokens[last].end);
        if previous.is_none() && next.is_none()
            || state.found.iter().any(|m| m.start < end && start < m.end)
        {
            return 0;
        }
        let person = |m: &Mention| {
            state
                .discovered
                .get(m.entity)
                .or_else(|| self.names.lexicon.entities.get(m.entity as usize))
                .is_some_and(|e| e.kind == Kind::Figure)
        };
        let before = previous.is_some_and(|p| {
            state
                .found
                .iter()
                .any(|m| m.end == self.tokens[p].end && person(m))
        });
        let after = next.is_some_and(|q| {
            state
                .found
                .iter()
                .any(|m| m.start == self.tokens[q].start && person(m))
        });
        usize::from(before) + usize::from(after)
    }

    /// A surname in a headline in capitals is the person the story names in full
    /// (`CHRISTIE WINS` above `Linford Christie`), when one person has that surname.
    fn surnames_in_capitals(&self, state: &mut ScanState) {
        for t in 0..self.tokens.len() {
            let word = self.word(t);
            let capitals = word.len() >= 3 && word.bytes().all(|b| b.is_ascii_uppercase());
            if !capitals || !self.free(t) {
                continue;
            }
            let (start, end) = (self.tokens[t].start, self.tokens[t].end);
            if state.found.iter().any(|m| m.start < end && start < m.end) {
                continue;
            }
            let Some(&Some(entity)) = state.surnames.get(super::title_case(word).as_str()) else {
                continue;
            };
            let full = state
                .discovered
                .get(entity)
                .or_else(|| self.names.lexicon.entities.get(entity as usize))
                .is_some_and(|e| e.kind == Kind::Figure && e.name.contains(' '));
            if full {
                state
                    .found
                    .push(self.mention(start, end, entity, Method::Coreference));
            }
        }
    }

    /// Surnames joined by a hyphen, each of another person of the document, name both
    /// (`the Blair-Brown rift` after `Tony Blair` and `Gordon Brown`), not one person.
    fn pairs_of_people(&self, state: &mut ScanState) {
        let person_of = |part: &str| match state.surnames.get(part) {
            Some(Some(id)) => Some(*id),
            _ => None,
        };
        let mut split = Vec::new();
        state.found.retain(|m| {
            let name = &self.text[m.start..m.end];
            if !name.contains('-') || name.contains(char::is_whitespace) {
                return true;
            }
            let mut parts = Vec::new();
            let mut at = m.start;
            for part in name.split('-') {
                parts.push((at, at + part.len(), person_of(part)));
                at += part.len() + 1;
            }
            let people: Vec<EntityId> = parts.iter().filter_map(|p| p.2).collect();
            let distinct = people.iter().collect::<HashSet<_>>().len() == parts.len();
            if parts.len() < 2 || people.len() < parts.len() || !distinct {
                return true;
            }
            for (start, end, id) in parts {
                let id = id.unwrap_or(m.entity);
                split.push(self.mention(start, end, id, Method::Coreference));
            }
            false
        });
        state.found.extend(split);
    }

    /// A one-word run that nothing decided is the person whose surname it is, when the
    /// document names that person in full after it (and no one else with that surname):
    /// headlines give the surname before the story gives the name.
    fn surnames_named_later(&self, state: &mut ScanState) {
        let mut claimed = HashSet::default();
        let mut still_undecided = Vec::new();
        for t in std::mem::take(&mut state.undecided) {
            let name = self.word(t);
            let Some(Some(entity)) = state.surnames.get(name) else {
                still_undecided.push(t);
                continue;
            };
            // Only a full name or a player of a team sheet: a one-word "person" (`Zenith
            // said`) may be a company.
            let full = state.listed.contains(entity)
                || state
                    .discovered
                    .get(*entity)
                    .or_else(|| self.names.lexicon.entities.get(*entity as usize))
                    .is_some_and(|e| e.name.contains(' '));
            if !full {
                still_undecided.push(t);
                continue;
            }
            state.found.push(Mention {
                sentence: self.doc.sentence_of(self.tokens[t].start) as u32,
                start: self.tokens[t].start,
                end: self.tokens[t].end,
                entity: *entity,
                method: Method::Coreference,
                sense: None,
            });
            state
                .absorbed
                .extend(self.covered[t].filter(|_| self.soft_place(t)));
            claimed.insert(name);
        }
        state.undecided = still_undecided;
        state
            .candidates
            .retain(|(name, _)| !claimed.contains(name.as_str()));
        state
            .seen_candidates
            .retain(|name| !claimed.contains(name.as_str()));
    }

    /// A one-word place that is the surname of a person named before it in this document is
    /// that person (`Jordan` after `Michael Jordan`), unless a locative word precedes it.
    fn places_that_are_surnames(&self, state: &mut ScanState) {
        for (k, mention) in self.mentions.iter().enumerate() {
            let e = self.names.entity(mention.entity);
            if e.kind != Kind::Place || state.absorbed.contains(&k) {
                continue;
            }
            let surface = &self.text[mention.start..mention.end];
            let before = self.text[..mention.start]
                .split_whitespace()
                .next_back()
                .unwrap_or("");
            if self.rules.words.locative.contains(before) {
                continue;
            }
            if let Some(Some(id)) = state.surnames.get(surface) {
                let first_use = state
                    .found
                    .iter()
                    .filter(|f| f.entity == *id)
                    .map(|f| f.start)
                    .min();
                if first_use.is_some_and(|s| s < mention.start) {
                    state.absorbed.push(k);
                    state.found.push(Mention {
                        entity: *id,
                        method: Method::Coreference,
                        ..*mention
                    });
                }
            }
        }
    }
}

/// Whether the line around byte `at` of `text` is a cricket scorecard's (its numbers are
/// runs and bowling figures, not a team's score).
pub(super) fn in_scorecard(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    !scorecard_names(&text[start..end]).is_empty()
}

/// The byte ranges of the people a cricket scorecard's line names (see [`Scan::scorecards`]).
fn scorecard_names(line: &str) -> Vec<std::ops::Range<usize>> {
    use std::sync::OnceLock;
    static PATTERNS: OnceLock<[regex::Regex; 2]> = OnceLock::new();
    let [batting, bowling] = PATTERNS.get_or_init(|| {
        let name = r"\p{Lu}[\p{L}'.\-]*(?: (?:de |van |der )?\p{Lu}[\p{L}'.\-]*){0,2}";
        [
            regex::Regex::new(&format!(
                r"^({name}) (?:(?:c|st) ({name}) b ({name})|c and b ({name})|lbw b ({name})|b ({name})|run out(?: \([^)]*\))?|not out|retired hurt) \d{{1,3}}\*?\s*$"
            ))
            .unwrap(),
            regex::Regex::new(&format!(
                r"(?:^|, )({name}) \d{{1,2}}(?:\.\d)?-\d{{1,2}}-\d{{1,3}}-\d{{1,2}}\b"
            ))
            .unwrap(),
        ]
    });
    let mut names = Vec::new();
    // Cheap tests first: most lines are prose.
    let runs_last = line
        .trim_end()
        .ends_with(|c: char| c.is_ascii_digit() || c == '*');
    let out = [" b ", " not out ", " run out", " retired hurt "];
    if runs_last && out.iter().any(|w| line.contains(w)) {
        if let Some(caps) = batting.captures(line) {
            names.extend(caps.iter().skip(1).flatten().map(|m| m.range()));
        }
    }
    // Overs-maidens-runs-wickets: three hyphens between digits at least (not a date's two).
    let figures = line.contains('-')
        && line
            .as_bytes()
            .windows(3)
            .filter(|w| w[0].is_ascii_digit() && w[1] == b'-' && w[2].is_ascii_digit())
            .nth(2)
            .is_some();
    if figures {
        names.extend(
            bowling
                .captures_iter(line)
                .filter_map(|caps| caps.get(1).map(|m| m.range())),
        );
    }
    names
}

/// The rest of `text` after a group in brackets that opens it after a space (` (Norway) 2`
/// -> ` 2`).
fn bracket_after(text: &str) -> Option<&str> {
    let inner = text.strip_prefix(" (")?;
    let close = inner.find(')')?;
    (!inner[..close].contains('\n')).then(|| &inner[close + 1..])
}

/// The months, never a name alone but a surname after a first name (`Theresa May`).
const MONTHS: &[&str] = &[
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
];

/// A first name's initial with its full stop (`D.` of `D. Cork`); not the compass points'
/// (`S. Korea`, `N. Ireland`).
fn initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(c), Some('.'), None) if c.is_ascii_uppercase() && !matches!(c, 'N' | 'S' | 'E' | 'W')
    )
}

/// An acronym: two to six capital letters, maybe with full stops (`PUK`, `U.N.`).
/// `word` with its first letter in lower case (`Actress` -> `actress`).
fn lowercase_first(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// How many names a list after a colon needs, without a label word, to be a team sheet.
const LINEUP_NAMES: usize = 5;

#[inline]
fn is_acronym(word: &str) -> bool {
    let b = word.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_uppercase() || !(b[1].is_ascii_uppercase() || b[1] == b'.') {
        return false;
    }
    let letters = word.chars().filter(char::is_ascii_uppercase).count();
    (2..=6).contains(&letters) && word.chars().all(|c| c.is_ascii_uppercase() || c == '.')
}

/// `I'm`, `We've`, `Don't`: an apostrophe followed by lowercase letters only (unlike
/// `O'Neill`).
fn is_contraction(w: &str) -> bool {
    w.split_once(['\'', '\u{2019}'])
        .is_some_and(|(_, rest)| !rest.is_empty() && rest.chars().all(|c| c.is_lowercase()))
}

/// `MPs`, `PCs`: capitals and a plural `s`.
fn plural_acronym(w: &str) -> bool {
    w.strip_suffix('s')
        .is_some_and(|stem| stem.chars().count() >= 2 && stem.chars().all(|c| c.is_uppercase()))
}

fn note_surname(surnames: &mut Surnames, name: &str, id: EntityId) {
    if let Some(surname) = name.rsplit(' ').next() {
        note_name(surnames, surname, id);
        // `Abdul-Karim al-Kabariti` is `Kabariti` later: a lowercase particle joined by a
        // hyphen is left out of the short form.
        if let Some((particle, rest)) = surname.split_once('-') {
            if !particle.is_empty()
                && particle.chars().all(char::is_lowercase)
                && rest.starts_with(char::is_uppercase)
            {
                note_name(surnames, rest, id);
            }
        }
    }
}

/// Records that `short` names `id`; a short name of two people names neither.
fn note_name(surnames: &mut Surnames, short: &str, id: EntityId) {
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
        // Kind, name, and for some places the country and gazetteer feature.
        type Entry<'a> = (Kind, &'a str, Option<(&'a str, &'a str)>);
        let entries: [Entry; 6] = [
            (Kind::Place, "Washington", Some(("US", "city"))),
            (Kind::Place, "Sweden", None),
            (Kind::Place, "Jordan", None),
            (Kind::Organization, "National Security Council", None),
            (Kind::Place, "Norway", Some(("NO", "country"))),
            (Kind::Place, "Prague", Some(("CZ", "city"))),
        ];
        for (id, (kind, name, geo)) in entries.into_iter().enumerate() {
            let id = id as EntityId;
            lex.entities.push(Entity {
                kind,
                name: name.into(),
            });
            lex.patterns.push(Pattern {
                text: name.into(),
                entity: id,
                method: Method::Lexicon,
                case_sensitive: true,
                choices: None,
            });
            if let Some((country, feature)) = geo {
                let geo = crate::lexicon::Geo {
                    geonames_id: None,
                    country_code: Some(country.into()),
                    latitude: None,
                    longitude: None,
                    feature: Some(feature.into()),
                    admin1: None,
                };
                lex.geo.insert(id, geo);
            }
        }
        lex
    }

    /// (surface, method) of every organisation found in `text`.
    fn organizations(text: &str) -> Vec<(String, &'static str)> {
        found(text, Kind::Organization)
            .into_iter()
            .map(|(surface, _, method)| (surface, method))
            .collect()
    }

    /// The surface of every organisation found in `text`.
    fn organization_names(text: &str) -> Vec<String> {
        organizations(text)
            .into_iter()
            .map(|(surface, _)| surface)
            .collect()
    }

    #[test]
    fn a_surname_before_the_full_name_is_that_person() {
        let found = figures("Parnevik leads.\n\nJesper Parnevik of Sweden shot 65.");
        assert_eq!(found[0].0, "Parnevik");
        assert_eq!(found[0].1, "Jesper Parnevik");
        assert_eq!(found[0].2, "coreference");
        assert!(
            figures("Zenith leads.\n\nZenith said sales rose.")
                .iter()
                .all(|f| f.0 != "Zenith" || f.2 != "coreference"),
            "a one-word person claims nothing"
        );
    }

    #[test]
    fn a_role_opening_a_headline_before_a_surname_named_later_is_no_name() {
        let found = figures("Actor Zorbel wins.\n\nThe actor Greg Zorbel won a prize.");
        assert_eq!(found[0].0, "Zorbel", "{found:?}");
        assert_eq!(found[0].1, "Greg Zorbel");
        let found = figures("Mother Zorbel spoke.\n\nLater Mother Zorbel left.");
        assert!(found.iter().all(|f| f.0 != "Zorbel"), "{found:?}");
    }

    #[test]
    fn a_titled_surname_of_two_people_is_the_one_with_that_title() {
        let text = "President George Walker spoke. His brother Nick Walker said no. \
                    Later President Walker left and Mr Walker stayed.";
        let found = figures(text);
        let at = |surface: &str| {
            found
                .iter()
                .filter(|f| f.0 == surface)
                .map(|f| (f.1.as_str(), f.2))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at("Walker"),
            [("George Walker", "coreference"), ("Walker", "discovery")],
            "{found:?}"
        );
    }

    #[test]
    fn an_acronym_that_speaks_is_an_organisation_throughout() {
        let text = "Talks began. ZQXW said it would wait. Later ZQXW troops left.";
        assert_eq!(organization_names(text), ["ZQXW", "ZQXW"]);
        assert_eq!(organization_names("The ZQXW's troops left."), ["ZQXW"]);
        assert!(organization_names("The ZQXW troops left.").is_empty());
    }

    #[test]
    fn an_acronym_in_brackets_names_an_organisation() {
        let text = "The Patriotic Union of Kurdistan (PUK) denied it. Later the PUK said no.";
        assert_eq!(
            organizations(text),
            [
                ("Patriotic Union of Kurdistan".to_string(), "discovery"),
                ("PUK".to_string(), "coreference"),
                ("PUK".to_string(), "coreference")
            ]
        );
        assert!(
            organizations("He met Andy Parnevik (AP) there.").is_empty(),
            "a person"
        );
        assert!(
            organizations("The Blue Sky (XYZ) fund.").is_empty(),
            "initials differ"
        );
    }

    #[test]
    fn a_team_named_by_its_city_is_an_organisation() {
        let text = "The Washington Rangers beat Michael Jordan's side.";
        assert_eq!(
            organizations(text),
            [("Washington Rangers".to_string(), "discovery")]
        );
        assert_eq!(figures(text)[0].0, "Michael Jordan");
        assert_eq!(
            organizations("Results:\nWASHINGTON 8 Sweden 3\n"),
            [
                ("WASHINGTON".to_string(), "discovery"),
                ("Sweden".to_string(), "discovery")
            ],
            "teams in a results line"
        );
        // A club's name before its city is the team's too, and a place that is a club's name
        // is the team alone as well, but after a word of place.
        assert_eq!(
            organizations("Results:\nDinamo Washington 2 Jordan 1\n")[0].0,
            "Dinamo Washington"
        );
        let text =
            "Results:\nSweden Washington 2 Jordan 1\n\nSweden lost again. He lives in Sweden.";
        let teams = organizations(text);
        assert_eq!(teams[0], ("Sweden Washington".to_string(), "discovery"));
        assert!(
            teams.contains(&("Sweden".to_string(), "coreference")),
            "{teams:?}"
        );
        assert_eq!(found(text, Kind::Place).len(), 1);
    }

    #[test]
    fn a_rare_word_before_a_town_names_a_club() {
        let text = "He joined Zorblat Washington on Monday.";
        assert_eq!(organization_names(text), ["Zorblat Washington"]);
        assert!(found(text, Kind::Place).is_empty());
        // A first name or a role makes a person's name of it; a common word, no name.
        assert!(organization_names("He met Michael Washington.").is_empty());
        assert!(organization_names("He met actor Zorblat Washington.").is_empty());
        let people = figures("He met actor Zorblat Washington.");
        assert_eq!(people[0].0, "Zorblat Washington");
        assert!(organization_names("He saw Central Washington.").is_empty());
        // So does a word of capital letters; not an initial.
        assert_eq!(
            organization_names("He came from AC Washington in 1998."),
            ["AC Washington"]
        );
        assert!(organization_names("He saw J. Washington.").is_empty());
        // A company's letters before a country name its branch there; a rare word does not.
        assert_eq!(
            organization_names("He runs AOL Norway now."),
            ["AOL Norway"]
        );
        assert!(organization_names("He met Zorblat Norway.").is_empty());
        // A town before a town of another country names a club, and alone later too.
        let text = "He joined Washington Prague in 1998. Washington won, in Washington.";
        assert_eq!(
            organization_names(text),
            ["Washington Prague", "Washington"]
        );
        assert_eq!(found(text, Kind::Place).len(), 1);
    }

    #[test]
    fn a_town_that_words_of_sport_mark_is_its_club_in_the_whole_document() {
        let text = "Washington manager Tom Ross was sacked.\n\nWashington were beaten again. \
                    He lives in Washington.\nWASHINGTON 1996-08-30\nThe fans of Washington left.";
        let teams = organizations(text);
        assert_eq!(teams.len(), 3, "{teams:?}");
        assert!(
            teams.iter().all(|(name, _)| name == "Washington"),
            "{teams:?}"
        );
        // After a word of place and in a dateline the town stays a place.
        let places: Vec<String> = found(text, Kind::Place).into_iter().map(|p| p.0).collect();
        assert_eq!(places, ["Washington", "WASHINGTON"]);
        // Without a word of sport next to it, the town is a place throughout.
        let text = "Prices in Washington were up. Washington is large.";
        assert!(organizations(text).is_empty());
        assert_eq!(found(text, Kind::Place).len(), 2);
    }

    #[test]
    fn a_first_name_alone_is_the_one_person_of_the_document_with_it() {
        let text = "Arsenal manager Arsene Wenger said hello. \
                    \"We are delighted that Arsene has signed,\" the chairman said.";
        let found = figures(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[1],
            ("Arsene".into(), "Arsene Wenger".into(), "coreference")
        );
        // Two people who share the first name: it names neither.
        let text = "Judge Arsene Wenger met Arsene Dupont. Later Arsene has signed.";
        let found = figures(text);
        assert!(!found.iter().any(|f| f.0 == "Arsene"), "{found:?}");
    }

    #[test]
    fn a_verb_across_a_quotation_mark_is_no_evidence() {
        let said = figures("The vote went well, Zorblat Quimby said on Monday.");
        assert!(said.iter().any(|f| f.0 == "Zorblat Quimby"), "{said:?}");
        let quoted = figures("\"We are in the race for the Zorblat Quimby,\" said the coach.");
        assert!(quoted.is_empty(), "{quoted:?}");
        let opening = figures("He said: \"Zorblat Quimby have won.\"");
        assert!(opening.is_empty(), "{opening:?}");
    }

    #[test]
    fn a_hyphenated_surname_alone_is_the_person() {
        let found = figures("Director Philippe Saint-Andre spoke. Saint-Andre believes it.");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[1],
            (
                "Saint-Andre".into(),
                "Philippe Saint-Andre".into(),
                "coreference"
            )
        );
    }

    #[test]
    fn a_hyphenated_first_name_is_not_a_role() {
        let found = figures("Swedish golfer Hans-Jesper Parnevik said he was tired.");
        assert_eq!(found[0].0, "Hans-Jesper Parnevik");
        let found = figures("Fullback Andy Joubert said he was tired.");
        assert_eq!(found[0].0, "Andy Joubert");
        // An East Asian given name's second syllable is part of the name; a word is not.
        let found = figures("Chairman Chung Mong-koo said he was tired.");
        assert_eq!(found[0].0, "Chung Mong-koo");
        let found = figures("Fullback Andy Joubert-led teams said so.");
        assert_eq!(found[0].0, "Andy Joubert");
    }

    #[test]
    fn runs_ending_in_an_organisation_word_are_organisations() {
        assert_eq!(
            organizations("Shares of Barrick Gold Corp rose, the company said."),
            [("Barrick Gold Corp".to_string(), "discovery")]
        );
        assert_eq!(
            organizations("The National Security Council met."),
            [("National Security Council".to_string(), "lexicon")]
        );
        assert!(organizations("He recalled the Gulf War and Wembley Stadium.").is_empty());
        assert_eq!(
            organizations("Barrick Gold Corp rose. Barrick said output grew."),
            [
                ("Barrick Gold Corp".to_string(), "discovery"),
                ("Barrick".to_string(), "coreference")
            ]
        );
        assert!(figures("Barrick Gold Corp rose. Barrick said output grew.").is_empty());
        assert!(organizations("The Council met on Monday.").is_empty());
    }

    /// (surface, canonical name, method) of every figure found in `text`.
    fn figures(text: &str) -> Vec<(String, String, &'static str)> {
        found(text, Kind::Figure)
    }

    /// The surfaces of the people found in `text`.
    fn surfaces(text: &str) -> Vec<String> {
        figures(text).into_iter().map(|(s, _, _)| s).collect()
    }

    /// (surface, canonical name, method) of every entity of `kind` found in `text`, with the
    /// shipped word lists and a few first names.
    fn found(text: &str, kind: Kind) -> Vec<(String, String, &'static str)> {
        let (analyzed, lex) = analyzed(text);
        let names = Names::new(&lex, &analyzed.discovered);
        analyzed
            .mentions
            .iter()
            .filter(|m| names.entity(m.entity).kind == kind)
            .map(|m| {
                (
                    text[m.start..m.end].to_string(),
                    names.entity(m.entity).name.clone(),
                    m.method.as_str(),
                )
            })
            .collect()
    }

    /// The candidates for curation found in `text`.
    fn candidates(text: &str) -> Vec<String> {
        let (analyzed, _) = analyzed(text);
        analyzed.candidates.into_iter().map(|(c, _)| c).collect()
    }

    /// Discovery with the shipped word lists and these first names, and the word lists.
    fn discovery_with(first_names: &[&str]) -> (FigureDiscovery, WordLists) {
        let words = WordLists::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/words"),
        )
        .unwrap();
        let discovery = FigureDiscovery {
            first_names: first_names.iter().map(|n| n.to_string()).collect(),
            words: words.clone(),
            common_words: Default::default(),
            link_surnames: false,
        };
        (discovery, words)
    }

    /// `text` analysed with the shipped word lists and a few first names.
    fn analyzed(text: &str) -> (crate::model::AnalyzedDocument, Lexicon) {
        analyzed_by(text, |d| d)
    }

    /// The people found in `text` when the generic pipeline's common words are known too.
    fn figures_knowing_common_words(text: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("pipelines/generic/common_words.txt");
        let common = std::sync::Arc::new(crate::wordlist::WordHashes::load(&path).unwrap());
        let (analyzed, lex) = analyzed_by(text, |d| FigureDiscovery {
            common_words: common.clone(),
            ..d
        });
        let names = Names::new(&lex, &analyzed.discovered);
        analyzed
            .mentions
            .iter()
            .filter(|m| names.entity(m.entity).kind == Kind::Figure)
            .map(|m| names.entity(m.entity).name.clone())
            .collect()
    }

    fn analyzed_by(
        text: &str,
        adapt: impl FnOnce(FigureDiscovery) -> FigureDiscovery,
    ) -> (crate::model::AnalyzedDocument, Lexicon) {
        let lex = lexicon();
        let (discovery, words) = discovery_with(&[
            "Andy", "George", "Michael", "Jesper", "Jordan", "Greg", "Nick", "Gloria", "Arsene",
        ]);
        let discovery = adapt(discovery);
        let matcher = EntityMatcher::new(&lex, &words)
            .unwrap()
            .with_discoverer(Box::new(discovery));
        let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
        (matcher.analyze(doc, &lex), lex)
    }

    #[test]
    fn an_organisation_takes_its_opening_words_and_x_and_y_names_whole() {
        let names = organization_names(
            "Shares of International Business Machines Corp. rose. The Securities and \
             Exchange Commission and the Food and Agriculture Organisation met Barrick Gold \
             Corp. and Placer Dome Inc.",
        );
        assert!(
            names
                .iter()
                .any(|n| n == "International Business Machines Corp."),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n == "Securities and Exchange Commission"),
            "{names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n == "Food and Agriculture Organisation"),
            "{names:?}"
        );
        // `and` after an organisation word joins two organisations, not one name.
        assert!(names.iter().any(|n| n == "Placer Dome Inc."), "{names:?}");
    }

    #[test]
    fn a_role_at_a_name_makes_it_an_employer_throughout() {
        let text = "Stephen Toulouse, a security manager at Microsoft, said it spread. \
                    Microsoft said a fix was ready. A lawyer for Khodorkovsky said no.";
        let names = organization_names(text);
        assert_eq!(names, ["Microsoft", "Microsoft"], "{names:?}");
        let people: Vec<String> = figures(text).into_iter().map(|g| g.0).collect();
        assert!(people.contains(&"Khodorkovsky".to_string()), "{people:?}");
        assert!(!people.contains(&"Microsoft".to_string()), "{people:?}");
    }

    #[test]
    fn a_legal_suffix_makes_a_company() {
        let text = "Siemens AG said it would buy Volvo AB. Barclays plc rose.";
        let names = organization_names(text);
        assert_eq!(
            names,
            ["Siemens AG", "Volvo AB", "Barclays plc"],
            "{names:?}"
        );
        assert!(figures(text).is_empty());
        // `& Co` makes a company of a person's name, throughout.
        let text = "Michael Lynch & Co said so. Michael Lynch said more.";
        assert!(figures(text).is_empty());
        assert_eq!(organization_names(text), ["Michael Lynch", "Michael Lynch"]);
    }

    #[test]
    fn a_name_before_boss_or_shares_is_a_company_throughout() {
        let text = "The former Shell boss left. Shell said it would pay. Turkcell shares fell. \
                    Turkcell said no. Michael Jordan employees cheered.";
        let names = organization_names(text);
        assert_eq!(
            names,
            ["Shell", "Shell", "Turkcell", "Turkcell"],
            "{names:?}"
        );
        // A first name opening the name makes it a person's.
        assert!(figures(text).iter().any(|g| g.0 == "Michael Jordan"));
    }

    #[test]
    fn jan_is_a_first_name_and_creeds_are_no_names() {
        let got = figures("Jan Siemerink said that the Nazi Hermann Goering said little.");
        let names: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(names, ["Jan Siemerink", "Hermann Goering"], "{got:?}");
    }

    #[test]
    fn a_middle_initial_without_a_full_stop_is_part_of_the_name() {
        let got = figures("President George W Bush met Michael J Fox. Bush said so.");
        let names: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(
            names,
            ["George W Bush", "Michael J Fox", "George W Bush"],
            "{got:?}"
        );
    }

    #[test]
    fn particles_in_a_row_and_roles_right_before_a_name() {
        let got = figures("Springbok flanker Joost van der Westhuizen scored twice.");
        assert_eq!(got[0].0, "Joost van der Westhuizen", "{got:?}");
        // A role ending a sentence is no evidence for the next paragraph's first word.
        let got = figures("said the chief financial officer.\n\n\"Unfortunately, sales fell.");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_nationalitys_people_are_no_person() {
        let got = figures("Palestinians said the talks failed. Arabs said so too.");
        assert!(got.is_empty(), "{got:?}");
        assert!(!candidates("Talks with Palestinians failed.").contains(&"Palestinians".into()));
    }

    #[test]
    fn words_opening_a_quotation_and_tails_of_longer_names_are_no_candidates() {
        let got = candidates(
            "She asked: \"What is the benefit?\" He spoke on World At One in the West End \
             near the Oval. Officials met Zorbax officials.",
        );
        assert!(
            !got.iter().any(|c| c == "What" || c == "One" || c == "End"),
            "{got:?}"
        );
        // A word alone mid-sentence after lowercase words stays a candidate.
        assert!(got.iter().any(|c| c == "Zorbax"), "{got:?}");
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
    fn a_one_word_person_named_in_full_later_is_that_person() {
        let got =
            figures("Tribute to actor Davis\n\nStars mourned actor Ossie Davis. Davis was 87.");
        let names: Vec<(&str, &str)> = got
            .iter()
            .map(|(surface, entity, _)| (entity.as_str(), surface.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Ossie Davis", "Davis"),
                ("Ossie Davis", "Ossie Davis"),
                ("Ossie Davis", "Davis")
            ]
        );
        // A capitalised role opening a sentence is a role too.
        let got = figures("Actress Cate Blanchett smiled.");
        assert_eq!(got[0].1, "Cate Blanchett");
    }

    #[test]
    fn a_place_after_an_organisation_word_and_of_is_in_its_name() {
        let got = found(
            "The Bank of Sweden met in Sweden. The Republic of Sweden is old.",
            Kind::Place,
        );
        let names: Vec<&str> = got.iter().map(|(surface, _, _)| surface.as_str()).collect();
        assert_eq!(names, ["Sweden", "Sweden"]);
    }

    #[test]
    fn a_place_that_is_a_first_name_opens_a_persons_name() {
        // `Jordan` is a place of the test lexicon, and a first name here.
        let text = "Jordan Henderson scored. He flew to Jordan.";
        let got = found(text, Kind::Figure);
        assert_eq!(got[0].1, "Jordan Henderson");
        assert_eq!(found(text, Kind::Place).len(), 1);
    }

    #[test]
    fn an_initial_takes_a_place_after_it_as_surname_but_a_compass_point_does_not() {
        // `Sweden` is a place of the test lexicon.
        let text = "The catch was taken by K. Sweden on Monday.";
        let figures: Vec<String> = found(text, Kind::Figure).into_iter().map(|f| f.1).collect();
        assert_eq!(figures, ["K. Sweden"]);
        let text = "Exports to S. Sweden rose on Monday.";
        assert!(found(text, Kind::Figure).is_empty());
        assert_eq!(found(text, Kind::Place).len(), 1);
    }

    #[test]
    fn a_name_that_a_company_noun_introduces_is_an_organisation() {
        let text =
            "Yukos said it would appeal. The oil firm Yukos is in debt. Jesper Parnevik said so.";
        assert_eq!(
            organizations(text),
            [("Yukos".into(), "discovery"), ("Yukos".into(), "discovery")]
        );
        let people: Vec<String> = figures(text).into_iter().map(|(_, e, _)| e).collect();
        assert_eq!(people, ["Jesper Parnevik"]);
        // A first name and a surname stay a person.
        assert_eq!(
            figures("The games firm Jesper Parnevik founded grew.")[0].1,
            "Jesper Parnevik"
        );
    }

    #[test]
    fn sides_in_results_lines_are_teams() {
        let text = "Results:\nFortuna Sittard 1 Gloria Bistrita 2\nStandings:\nGloria Bistrita 4 3 1 0 9 2 10\nLeaders:\nGreg Norman 68\n";
        let teams: Vec<String> = organizations(text).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            teams,
            ["Fortuna Sittard", "Gloria Bistrita", "Gloria Bistrita"]
        );
        // One name a line with a score is a player.
        let people: Vec<String> =
            surfaces("Greg Norman 68\nNick Faldo 70\nErnie Els (Sweden) 68 70 69 71 278\n");
        assert_eq!(people, ["Greg Norman", "Nick Faldo", "Ernie Els"]);
        // Scorers and countries in brackets; a line of scorers.
        let text = "Bayer Leverkusen 0 Fortuna Duesseldorf 1 (Seeliger 47th).\n\
                    In Bergen: Gloria Bistrita (Romania) 2 Fortuna Sittard (Netherlands) 1\n\
                    Scorers:\n\nGloria Bistrita - Ilie Lazar (32nd), Eugen Voica (84th)\n";
        let teams: Vec<String> = organizations(text).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            teams,
            [
                "Bayer Leverkusen",
                "Fortuna Duesseldorf",
                "Gloria Bistrita",
                "Fortuna Sittard",
                "Gloria Bistrita"
            ]
        );
    }

    #[test]
    fn a_surname_after_a_particle_and_hyphen_is_the_short_form() {
        let got = figures("Prime Minister Abdul-Karim al-Kabariti spoke. Kabariti said so.");
        let names: Vec<(&str, &str)> = got
            .iter()
            .map(|(s, e, _)| (s.as_str(), e.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Abdul-Karim al-Kabariti", "Abdul-Karim al-Kabariti"),
                ("Kabariti", "Abdul-Karim al-Kabariti")
            ]
        );
    }

    #[test]
    fn a_dateline_names_its_place() {
        let text = "MAHALA, Sweden 1996-08-31\nShots were fired.\n\nKARDZHALI, Sweden - Quiet.\n\nTell me, Sweden is big.";
        let got = found(text, Kind::Place);
        let places: Vec<(&str, &str)> = got
            .iter()
            .map(|(s, e, _)| (s.as_str(), e.as_str()))
            .collect();
        assert_eq!(
            places,
            [
                ("MAHALA", "Mahala"),
                ("Sweden", "Sweden"),
                ("KARDZHALI", "Kardzhali"),
                ("Sweden", "Sweden"),
                ("Sweden", "Sweden")
            ]
        );
    }

    #[test]
    fn a_listed_town_found_as_a_site_is_the_listed_town() {
        // A town counts only with evidence; without it, discovery finds it as a site. Both
        // mentions must be the one entity, or two `places` rows share a name.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gazetteer.tsv");
        std::fs::write(
            &path,
            "kind\tname\taliases\tshort\tgeonames_id\tcountry_code\tlatitude\tlongitude\tfeature\n\
             place\tChester-le-Street\t\t\t2653224\tGB\t54.86\t-1.57\ttown\n",
        )
        .unwrap();
        let lex = Lexicon::load(&[(path, true)]).unwrap();
        let (discovery, words) = discovery_with(&[]);
        let matcher = EntityMatcher::new(&lex, &words)
            .unwrap()
            .with_discoverer(Box::new(discovery));
        let text = "Chester-le-Street was sunny. He lives in Chester-le-Street.";
        let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
        let analyzed = matcher.analyze(doc, &lex);
        let ids: Vec<EntityId> = analyzed.mentions.iter().map(|m| m.entity).collect();
        assert_eq!(ids, [0, 0], "{:?}", analyzed.mentions);
    }

    #[test]
    fn sites_are_places() {
        let got = found("He left Downing Street for Heathrow Airport.", Kind::Place);
        let names: Vec<&str> = got.iter().map(|(surface, _, _)| surface.as_str()).collect();
        assert_eq!(names, ["Downing Street", "Heathrow Airport"]);
        // A place of the lexicon before a word of site is part of the site's name.
        let got = found("It sank in the Jordan River near Washington.", Kind::Place);
        let names: Vec<&str> = got.iter().map(|(surface, _, _)| surface.as_str()).collect();
        assert_eq!(names, ["Jordan River", "Washington"]);
        assert!(figures("He left Downing Street.").is_empty());
        // A title before a town makes it a surname.
        assert_eq!(figures("Mr Washington said no.")[0].0, "Washington");
    }

    #[test]
    fn a_squad_on_a_line_of_its_own_lists_people_with_their_clubs() {
        let text = "Italy named their side.\n\nR de Marigny (Washington); C Stoica (Agen), \
                    A Masi (Viadana), L Nitoglia (Calvisano), L Orquera (Padova).";
        let got = figures(text);
        let names: Vec<&str> = got.iter().map(|(surface, _, _)| surface.as_str()).collect();
        assert_eq!(
            names,
            [
                "R de Marigny",
                "C Stoica",
                "A Masi",
                "L Nitoglia",
                "L Orquera"
            ]
        );
        // The club in brackets is an organisation, not its town.
        assert_eq!(organization_names(text), ["Washington"]);
        assert!(found(text, Kind::Place).is_empty());
        // Without the brackets a line of names is no squad.
        let text = "Italy named their side.\n\nMarigny, Stoica, Masi, Nitoglia, Orquera.";
        assert!(figures(text).is_empty(), "{:?}", figures(text));
    }

    #[test]
    fn team_sheets_list_people() {
        let text = "Newcastle: Given, Carr, Robert (Jenas 77), Ameobi, Shearer. Subs Not Used: Butt, S Harper.\n\n\
                    Squad: Ben Hinshelwood (Worcester Warriors), Dan Parks (Glasgow Rugby).";
        let got = figures(text);
        let names: Vec<&str> = got.iter().map(|(surface, _, _)| surface.as_str()).collect();
        assert_eq!(
            names,
            [
                "Given",
                "Carr",
                "Robert",
                "Jenas",
                "Ameobi",
                "Shearer",
                "Butt",
                "S Harper",
                "Ben Hinshelwood",
                "Dan Parks"
            ]
        );
        // Shirt numbers and initials without a full stop.
        let text =
            "Wales: 15 - G Thomas, 14 - K Morgan, 13 - T Shanklin, 12 - G Henson, 11 - S Williams.";
        let names: Vec<String> = surfaces(text);
        assert_eq!(
            names,
            [
                "G Thomas",
                "K Morgan",
                "T Shanklin",
                "G Henson",
                "S Williams"
            ]
        );
        // Fewer than five names after a colon, without a label word, are no team sheet.
        assert!(figures("Results: Carr, Given.").is_empty());
        // A note in brackets does not end the sheet; a player named like a town is a player.
        let text =
            "Leeds: Murphy, Palmer (capt), Morgan, Parks, Popham. Replacements: Washington, Lloyd.";
        let names: Vec<String> = surfaces(text);
        assert_eq!(
            names,
            [
                "Murphy",
                "Palmer",
                "Morgan",
                "Parks",
                "Popham",
                "Washington",
                "Lloyd"
            ]
        );
        assert!(found(text, Kind::Place).is_empty());
    }

    #[test]
    fn a_surname_in_a_headline_in_capitals_is_the_person() {
        let text = "ATHLETICS - SMITH WINS IN WASHINGTON.\n\nMichael Smith won the 100 metres.";
        let people: Vec<(String, String, &str)> = figures(text);
        assert_eq!(
            people[0],
            ("SMITH".into(), "Michael Smith".into(), "coreference")
        );
        assert_eq!(people.len(), 2);
        // Not when nobody in the story has that surname.
        assert!(figures("ATHLETICS - SMITH WINS.\n\nThe race was run.").is_empty());
    }

    #[test]
    fn a_role_in_apposition_makes_a_person() {
        let people: Vec<String> = surfaces("Zorblat Quux, a senior analyst at the bank, agreed.");
        assert_eq!(people, ["Zorblat Quux"]);
        assert!(figures("Zorblat Quux, a bank, agreed.").is_empty());
    }

    #[test]
    fn a_bare_initial_opens_a_name() {
        let people: Vec<String> = surfaces("G Quux, a presenter on the station, agreed.");
        assert_eq!(people, ["G Quux"]);
    }

    #[test]
    fn a_month_after_a_first_name_is_a_surname() {
        let people: Vec<String> = surfaces("Andy May said so on Monday, not Greg May 5.");
        assert_eq!(people, ["Andy May"]);
    }

    #[test]
    fn a_works_title_is_no_person() {
        // `Gloria Smith` reads like a person: a film's title is none, anywhere.
        let text = "Michael Leigh's film Gloria Smith won. It starred Andy Jones as Gloria Smith.";
        let people: Vec<String> = surfaces(text);
        assert_eq!(people, ["Michael Leigh", "Andy Jones"]);
        assert!(candidates(text).contains(&"Gloria Smith".to_string()));
    }

    #[test]
    fn names_listed_beside_people_are_people() {
        let text =
            "Stars including Zorblat Quux, Michael Smith and Michael Jones came. Quux smiled.";
        let people: Vec<String> = surfaces(text);
        assert_eq!(
            people,
            ["Zorblat Quux", "Michael Smith", "Michael Jones", "Quux"]
        );
        // One word needs a person on each side.
        let text = "Goals from Michael Smith, Quux and Michael Jones. Quux, Michael Jones.";
        let people: Vec<String> = surfaces(text);
        assert_eq!(
            people,
            ["Michael Smith", "Quux", "Michael Jones", "Michael Jones"]
        );
    }

    #[test]
    fn a_cricket_scorecard_names_people() {
        fn names(line: &str) -> Vec<&str> {
            scorecard_names(line)
                .into_iter()
                .map(|r| &line[r])
                .collect()
        }
        assert_eq!(
            names("Saeed Anwar c Croft b Cork 176"),
            ["Saeed Anwar", "Croft", "Cork"]
        );
        assert_eq!(
            names("Inzamam-ul-Haq lbw b Mullally 35"),
            ["Inzamam-ul-Haq", "Mullally"]
        );
        assert_eq!(names("Salim Malik not out 2"), ["Salim Malik"]);
        assert_eq!(
            names("Croft 29-6-64-1, Cork 14.3-4-45-1"),
            ["Croft", "Cork"]
        );
        assert!(names("Fortuna Sittard 1 Ajax 2").is_empty());
        // A town's name on the card is a player's.
        let text = "Pakistan first innings\n\nSaeed Anwar c Croft b Washington 176\n";
        let people: Vec<String> = surfaces(text);
        assert_eq!(people, ["Saeed Anwar", "Croft", "Washington"]);
    }

    #[test]
    fn what_says_it_is_no_person() {
        let got = figures(
            "Merck said it would sell. Lufthansa said that it may lose. Dole said he would.",
        );
        let names: Vec<&str> = got.iter().map(|(e, _, _)| e.as_str()).collect();
        assert_eq!(names, ["Dole"]);
        assert!(figures("He told MPs. MPs said the law was bad.").is_empty());
    }

    #[test]
    fn contractions_and_plural_acronyms_are_not_names() {
        assert!(is_contraction("I'm") && is_contraction("We\u{2019}ve") && is_contraction("Don't"));
        assert!(!is_contraction("O'Neill") && !is_contraction("Smith"));
        assert!(plural_acronym("MPs") && plural_acronym("PCs"));
        assert!(!plural_acronym("Chris") && !plural_acronym("Ps"));
    }

    #[test]
    fn who_after_a_name_speaks_of_a_person_unless_of_a_group() {
        let names = figures_knowing_common_words;
        assert_eq!(
            names("Awards went to Keane and Joss Stone, who was voted best act."),
            ["Joss Stone"]
        );
        assert_eq!(
            names("Yiannis Papadoyiannakis, who was head of the team, left."),
            ["Yiannis Papadoyiannakis"]
        );
        assert!(names("Scissor Sisters, who had the best album, won.").is_empty());
        assert!(names("Later Franz Ferdinand, who were shortlisted, won.").is_empty());
        assert!(names("Fans of The Bravery, who toured, came.").is_empty());
        assert!(names("We have a Prime Minister who spends too much.").is_empty());
    }

    #[test]
    fn a_name_given_before_its_evidence_is_that_person() {
        let got = figures(
            "Nominees include Rabah Yusuf and others.\n\nThe hopes rest on Rabah Yusuf, who won.",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].2, "coreference");
        // A name that only `said` something is no evidence for its other mentions.
        assert!(
            figures("Shares of Vantro Halsey rose.\n\nVantro Halsey said no.")
                .iter()
                .all(|f| f.0 != "Vantro Halsey" || f.2 != "coreference")
        );
    }

    #[test]
    fn a_band_or_a_label_named_so_is_an_organisation() {
        assert_eq!(
            organization_names("The rock band Kelvara Dunes toured. Kelvara Dunes said yes."),
            ["Kelvara Dunes", "Kelvara Dunes"]
        );
        assert!(figures("She lost the best actress Academy Award to Swank.")
            .iter()
            .all(|f| !f.0.contains("Award")));
    }

    #[test]
    fn surnames_joined_by_a_hyphen_name_two_people() {
        let got = figures(
            "George-Blair feud\n\nThe feud between Nick George and Andy Blair grew. \
             The squabbles between Mr George and Mr Blair go on.",
        );
        let names: Vec<(&str, &str)> = got.iter().map(|f| (f.0.as_str(), f.1.as_str())).collect();
        assert_eq!(
            names,
            [
                ("George", "Nick George"),
                ("Blair", "Andy Blair"),
                ("Nick George", "Nick George"),
                ("Andy Blair", "Andy Blair"),
                ("George", "Nick George"),
                ("Blair", "Andy Blair"),
            ]
        );
    }

    #[test]
    fn stars_and_frontmen_are_people_and_a_capitalised_role_needs_a_reason() {
        let names =
            |text: &str| -> Vec<String> { figures(text).into_iter().map(|f| f.1).collect() };
        assert_eq!(
            names("The awards went to R&B star Jamelia on Sunday."),
            ["Jamelia"]
        );
        assert_eq!(
            names("Fans cheered U2 frontman Bono at the show."),
            ["Bono"]
        );
        assert_eq!(
            names("Its Chairman and Chief Executive Andy Levy expects a sale."),
            ["Andy Levy"]
        );
        assert!(names("Sales rose while Star Wars Battlefront fell.").is_empty());
    }

    #[test]
    fn a_line_of_names_half_of_them_people_is_a_squad() {
        let names =
            |text: &str| -> Vec<String> { figures(text).into_iter().map(|f| f.0).collect() };
        let squad =
            "Ireland won.\n\nAndy Blake, Nick Horgan, George Maggs, K Tolland, P Vantrel.\n";
        assert_eq!(
            names(squad),
            [
                "Andy Blake",
                "Nick Horgan",
                "George Maggs",
                "K Tolland",
                "P Vantrel"
            ]
        );
        // Not mid-line, and not when most names are no one's.
        let prose = "Ireland won.\n\nAndy Blake, Nick Horgan, Tolland, Vantrel and Sorn came.\n";
        assert_eq!(names(prose), ["Andy Blake", "Nick Horgan"]);
    }

    #[test]
    fn the_speaker_named_after_a_quotation_is_a_person() {
        let names =
            |text: &str| -> Vec<String> { figures(text).into_iter().map(|f| f.0).collect() };
        assert_eq!(names("\"I had no clue,\" said Idowu. \"None.\""), ["Idowu"]);
        assert_eq!(names("\"We won,\" said Vantrel, who scored."), ["Vantrel"]);
        // Not without the quotation, and not a place.
        assert!(names("Sales rose, said Vantrel on Monday.").is_empty());
        assert!(names("\"Less power,\" said Sweden. \"Good.\"").is_empty());
    }

    #[test]
    fn a_united_abbreviated_ends_a_club() {
        assert_eq!(
            organization_names("Fans of Vantrel Utd cheered."),
            ["Vantrel Utd"]
        );
    }

    #[test]
    fn a_reinsurer_named_after_its_town_is_no_place() {
        assert_eq!(
            organization_names("Shares in Vantrel Re and Hollis Re fell."),
            ["Vantrel Re", "Hollis Re"]
        );
    }

    #[test]
    fn a_player_of_the_team_sheet_is_that_surname_in_the_report() {
        let got = figures(
            "Vantrel scored twice as the home side won.\n\n\
             Chelsea: Cech, Ferreira, Terry, Gallas, Lampard, Duff, Vantrel.\n",
        );
        assert_eq!(got[0].0, "Vantrel");
        assert_eq!(got[0].2, "coreference");
        assert_eq!(got.len(), 8, "{got:?}");
        // A one-word "person" that only said something stays undecided.
        assert!(figures("Zenith leads.\n\nZenith said sales rose.")
            .iter()
            .all(|f| f.2 != "coreference"));
    }

    #[test]
    fn titles_and_roles_alone_are_no_candidates() {
        let got = candidates("Reporters met the Attorney General and the Chief Secretary. Superstar Vantrel Hollis sang.");
        assert!(
            got.iter()
                .all(|c| c != "Attorney General" && c != "Chief Secretary" && c != "Superstar"),
            "{got:?}"
        );
    }

    #[test]
    fn an_ambiguous_surname_is_neither_person() {
        // A person (a reporting verb says so), but neither of the two Smiths.
        let got = figures("Mr Andy Smith met Dr George Smith. Smith said no.");
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[2], ("Smith".into(), "Smith".into(), "discovery"));
        // Without evidence it is no one.
        let got = figures("Mr Andy Smith met Dr George Smith. Then Smith left.");
        assert_eq!(got.len(), 2, "{got:?}");
    }
}
