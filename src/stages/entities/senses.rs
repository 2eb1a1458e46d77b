//! Senses of policy terms: `release` from custody or of an album, `rights` human or broadcast.
//!
//! The evidence is data: a sense file under `pipelines/` (`term, sense, where, cue, weight`)
//! lists words and phrases before the term, after it, or anywhere in its sentence, with
//! weights. A mention takes the sense whose cues weigh most (a tie decides nothing); a
//! mention that no cue decides takes the sense that decided most of the document's other
//! mentions of the same term (a term keeps one sense through an article), or `unknown`.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::lexicon::{EntityId, Kind, Lexicon, SenseId, SenseNames, UNKNOWN_SENSE};
use crate::model::{Mention, SenseEvidence, Token, TokenizedDocument};

/// How many words before or after the term a `before`/`after` cue may stand.
const WINDOW: usize = 3;

/// The cue word that stands for the first word of a figure's name (`release of {figure}`).
const FIGURE: &str = "{figure}";

/// Where a cue must stand relative to the term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Before,
    After,
    Sentence,
}

/// One cue: words (lowercase) that, where they stand, add `weight` to `sense`.
#[derive(Debug, Clone)]
struct Cue {
    sense: SenseId,
    place: Place,
    words: Vec<String>,
    weight: f64,
    /// Index in [`SenseNames::cues`].
    index: u32,
}

/// The compiled sense file: cues per term.
#[derive(Debug, Clone, Default)]
pub struct SenseRules {
    /// A few terms: a small ordered map is cheaper to look up per mention than a hash.
    cues: BTreeMap<EntityId, TermCues>,
}

/// The cues of one term, indexed by their anchor (their longest word: `calls for the` by
/// `calls`, not by `the`), so that deciding a mention looks at each word of its sentence
/// once, and seldom further.
#[derive(Debug, Clone, Default)]
struct TermCues {
    cues: Vec<Cue>,
    /// Anchor word → (cue, index of the anchor in the cue).
    by_anchor: foldhash::HashMap<String, Vec<(usize, usize)>>,
    /// Which ASCII words may be an anchor: most words of a sentence are ruled out by this
    /// without lowercasing or hashing them.
    anchors: WordFilter,
}

/// A bit set over a word's length and its first and last letters (in any case): no
/// false negatives, and few false positives for a few hundred cue words.
#[derive(Debug, Clone)]
struct WordFilter([u64; WordFilter::WORDS]);

impl Default for WordFilter {
    fn default() -> Self {
        WordFilter([0; WordFilter::WORDS])
    }
}

impl WordFilter {
    const WORDS: usize = 128;

    /// The bit of `word`, or `None` for a word that is not ASCII (always looked up).
    fn bit(word: &[u8]) -> Option<usize> {
        let (&first, &last) = (word.first()?, word.last()?);
        if !word.is_ascii() {
            return None;
        }
        // Upper and lower case of a letter share their five low bits.
        let letter = |b: u8| usize::from(b & 0x1f);
        let key = (word.len().min(15) << 10) | (letter(first) << 5) | letter(last);
        Some(key % (Self::WORDS * 64))
    }

    fn insert(&mut self, word: &str) {
        if let Some(bit) = Self::bit(word.as_bytes()) {
            self.0[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// Whether `word` (any case) may be one of the inserted words.
    fn may_contain(&self, word: &[u8]) -> bool {
        Self::bit(word).is_none_or(|bit| self.0[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

impl TermCues {
    fn push(&mut self, cue: Cue) {
        // The first of the longest words (a cue has one besides `{figure}`).
        let (at, anchor) = cue
            .words
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, w)| *w != FIGURE)
            .max_by_key(|(_, w)| w.len())
            .expect("a cue has a word");
        self.anchors.insert(anchor);
        self.by_anchor
            .entry(anchor.clone())
            .or_default()
            .push((self.cues.len(), at));
        self.cues.push(cue);
    }
}

impl SenseRules {
    /// Reads the sense file at `path` for the terms of `lexicon`, with `policy` naming each
    /// term's policy sense, and records the sense names in `lexicon.senses`. Errors name the
    /// file and line: an unknown term, a bad place or weight, a term without a policy sense.
    pub fn load(
        path: &Path,
        policy: &BTreeMap<String, String>,
        lexicon: &mut Lexicon,
    ) -> Result<SenseRules> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config(path, format!("cannot read sense file: {e}")))?;
        let terms: HashMap<&str, EntityId> = lexicon
            .entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Term)
            .map(|(id, e)| (e.name.as_str(), id as EntityId))
            .collect();
        let mut names = SenseNames::default();
        let mut rules = SenseRules::default();
        parse(&text, &terms, &mut names, &mut rules)
            .map_err(|message| Error::config(path, message))?;
        set_policy(policy, &terms, &rules, &mut names)
            .map_err(|message| Error::config(path, message))?;
        lexicon.senses = names;
        Ok(rules)
    }

    /// Gives every mention of a term with senses its sense and the evidence for it;
    /// `is_figure` tells which entities are figures, for `{figure}` in cues.
    pub fn assign(
        &self,
        doc: &TokenizedDocument,
        mentions: &mut [Mention],
        is_figure: &dyn Fn(EntityId) -> bool,
    ) {
        if !mentions.iter().any(|m| self.cues.contains_key(&m.entity)) {
            return;
        }
        let mut figures: Vec<usize> = mentions
            .iter()
            .filter(|m| is_figure(m.entity))
            .map(|m| m.start)
            .collect();
        figures.sort_unstable();
        let mut lowercase = String::new();
        for m in mentions.iter_mut() {
            if let Some(cues) = self.cues.get(&m.entity) {
                let window = window(doc, m, &figures);
                m.sense = Some(decide(cues, &window, &mut lowercase));
            }
        }
        one_sense_per_document(mentions);
        for m in mentions.iter_mut() {
            if let (Some(cues), Some((_, SenseEvidence::Nothing))) =
                (self.cues.get(&m.entity), m.sense)
            {
                // The sentences around it, then the whole article.
                let around = neighbours(doc, m, &figures);
                let article = whole(doc, &figures);
                let decided = [around, article]
                    .iter()
                    .map(|window| decide(cues, window, &mut lowercase))
                    .find(|(_, why)| matches!(why, SenseEvidence::Cue(_)));
                if let Some((sense, SenseEvidence::Cue(cue))) = decided {
                    m.sense = Some((sense, SenseEvidence::Context(cue)));
                }
            }
        }
    }
}

/// A mention's sentence, and where the term stands in it.
struct Window<'d> {
    /// The tokens of the sentence.
    tokens: &'d [Token],
    /// The document's text, which the tokens index.
    text: &'d str,
    /// Where the document's figure mentions start, in order.
    figures: &'d [usize],
    /// Index of the term's first word in the sentence.
    first: usize,
    /// Index of the first word after the term.
    after: usize,
}

impl<'d> Window<'d> {
    /// The words of the sentence, as written, as bytes (cheaper to slice than `str`).
    fn word_bytes(&self) -> impl Iterator<Item = &'d [u8]> + '_ {
        let bytes = self.text.as_bytes();
        self.tokens.iter().map(move |t| &bytes[t.start..t.end])
    }

    /// Whether word `at` of the sentence begins a figure's name.
    fn begins_figure(&self, at: usize) -> bool {
        self.figures.binary_search(&self.tokens[at].start).is_ok()
    }

    /// Word `at` of the sentence.
    fn word(&self, at: usize) -> &'d str {
        let t = &self.tokens[at];
        &self.text[t.start..t.end]
    }

    /// The words `at..end` of the sentence, if it has them.
    fn words_at(&self, at: usize, end: usize) -> Option<impl Iterator<Item = &'d str> + '_> {
        let tokens = self.tokens.get(at..end)?;
        Some(tokens.iter().map(|t| &self.text[t.start..t.end]))
    }
}

/// The window of mention `m`.
fn window<'d>(doc: &'d TokenizedDocument, m: &Mention, figures: &'d [usize]) -> Window<'d> {
    let tokens = &doc.tokens;
    let text = doc.doc.text.as_str();
    let range = &doc.sentences[m.sentence as usize];
    let start = tokens.partition_point(|t| t.start < range.start);
    let end = tokens.partition_point(|t| t.start < range.end).max(start);
    let first = tokens
        .partition_point(|t| t.start < m.start)
        .clamp(start, end);
    let after = tokens
        .partition_point(|t| t.start < m.end)
        .clamp(start, end);
    Window {
        tokens: &tokens[start..end],
        text,
        figures,
        first: first - start,
        after: after - start,
    }
}

/// The sentences around mention `m` (the one before, its own, the one after), for the
/// mentions that neither their sentence nor the document's other mentions decide: only
/// `sentence` cues count there (`they will be charged. If not they will be released`).
fn neighbours<'d>(doc: &'d TokenizedDocument, m: &Mention, figures: &'d [usize]) -> Window<'d> {
    let tokens = &doc.tokens;
    let sentence = m.sentence as usize;
    let from = &doc.sentences[sentence.saturating_sub(1)];
    let to = &doc.sentences[(sentence + 1).min(doc.sentences.len() - 1)];
    let start = tokens.partition_point(|t| t.start < from.start);
    let end = tokens.partition_point(|t| t.start < to.end).max(start);
    Window {
        tokens: &tokens[start..end],
        text: doc.doc.text.as_str(),
        figures,
        // No word is before or after the term here.
        first: usize::MAX / 2,
        after: usize::MAX / 2,
    }
}

/// The whole document as one window without a term in it, for the mentions that nothing
/// nearer decides: the article's topic (arrests and trials, or albums and films) decides.
fn whole<'d>(doc: &'d TokenizedDocument, figures: &'d [usize]) -> Window<'d> {
    Window {
        tokens: &doc.tokens,
        text: doc.doc.text.as_str(),
        figures,
        first: usize::MAX / 2,
        after: usize::MAX / 2,
    }
}

/// Whether `word` as written is `cue_word` (a cue's word, in lowercase).
fn same_word(word: &str, cue_word: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(cue_word)
    } else {
        word.to_lowercase() == cue_word
    }
}

/// `word` in lowercase, in `buffer` (reused, so that looking up a word allocates nothing).
fn lowercase_into<'b>(word: &str, buffer: &'b mut String) -> &'b str {
    buffer.clear();
    if word.is_ascii() {
        buffer.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        buffer.extend(word.chars().flat_map(char::to_lowercase));
    }
    buffer
}

/// Whether `cue` stands at word `at` of the window's sentence where it must (within
/// [`WINDOW`] words before or after the term, or anywhere), and whether right next to it.
fn placed(cue: &Cue, at: usize, w: &Window) -> Option<bool> {
    let end = at + cue.words.len();
    let mut words = w.words_at(at, end)?;
    let matches = words
        .by_ref()
        .zip(&cue.words)
        .enumerate()
        .all(|(i, (a, b))| {
            if b == FIGURE {
                w.begins_figure(at + i)
            } else {
                same_word(a, b)
            }
        });
    if !matches {
        return None;
    }
    match cue.place {
        Place::Before => (end <= w.first && at + WINDOW >= w.first).then_some(end == w.first),
        Place::After => (at >= w.after && end <= w.after + WINDOW).then_some(at == w.after),
        Place::Sentence => Some(false),
    }
}

/// The sense whose cues in the window weigh most, with its heaviest cue; ties decide nothing.
/// A cue counts once; the word right next to the term (`human rights`, `wide release`)
/// counts double.
fn decide(term: &TermCues, window: &Window, buffer: &mut String) -> (SenseId, SenseEvidence) {
    // (cue, right next to the term), in the order found.
    let mut matched: Vec<(usize, bool)> = Vec::new();
    for (at, bytes) in window.word_bytes().enumerate() {
        if !term.anchors.may_contain(bytes) {
            continue;
        }
        let word = window.word(at);
        let Some(cues) = term.by_anchor.get(lowercase_into(word, buffer)) else {
            continue;
        };
        for &(c, anchor) in cues {
            let Some(start) = at.checked_sub(anchor) else {
                continue;
            };
            if let Some(adjacent) = placed(&term.cues[c], start, window) {
                match matched.iter_mut().find(|(m, _)| *m == c) {
                    Some((_, a)) => *a |= adjacent,
                    None => matched.push((c, adjacent)),
                }
            }
        }
    }
    // (sense, score, heaviest cue), in order of sense.
    let mut scores: Vec<(SenseId, f64, &Cue)> = Vec::new();
    matched.sort_unstable();
    for (c, adjacent) in matched {
        let cue = &term.cues[c];
        let weight = if adjacent {
            2.0 * cue.weight
        } else {
            cue.weight
        };
        match scores.iter_mut().find(|(s, _, _)| *s == cue.sense) {
            Some(entry) => {
                entry.1 += weight;
                if cue.weight > entry.2.weight {
                    entry.2 = cue;
                }
            }
            None => scores.push((cue.sense, weight, cue)),
        }
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    match scores.as_slice() {
        [(sense, best, cue), rest @ ..]
            if *best > 0.0 && rest.first().is_none_or(|r| r.1 < *best) =>
        {
            (*sense, SenseEvidence::Cue(cue.index))
        }
        _ => (UNKNOWN_SENSE, SenseEvidence::Nothing),
    }
}

/// Mentions that no cue of their sentence decided take the sense most of the document's decided mentions of
/// the same term have (a tie leaves them `unknown`).
fn one_sense_per_document(mentions: &mut [Mention]) {
    if !mentions
        .iter()
        .any(|m| matches!(m.sense, Some((_, SenseEvidence::Nothing))))
    {
        return;
    }
    // (term, sense) of every mention a cue decided, sorted: a document has few.
    let mut decided: Vec<(EntityId, SenseId)> = mentions
        .iter()
        .filter_map(|m| match m.sense {
            Some((sense, SenseEvidence::Cue(_))) => Some((m.entity, sense)),
            _ => None,
        })
        .collect();
    decided.sort_unstable();
    for m in mentions.iter_mut() {
        if matches!(m.sense, Some((_, SenseEvidence::Nothing))) {
            if let Some(sense) = majority(&decided, m.entity) {
                m.sense = Some((sense, SenseEvidence::Document));
            }
        }
    }
}

/// The sense most of `term`'s entries in `decided` (sorted) have; a tie decides nothing.
fn majority(decided: &[(EntityId, SenseId)], term: EntityId) -> Option<SenseId> {
    let start = decided.partition_point(|&(t, _)| t < term);
    let end = decided.partition_point(|&(t, _)| t <= term);
    let mut best: Option<(SenseId, usize)> = None;
    let mut tie = false;
    for run in decided[start..end].chunk_by(|a, b| a.1 == b.1) {
        match best {
            Some((_, n)) if run.len() < n => {}
            Some((_, n)) if run.len() == n => tie = true,
            _ => {
                best = Some((run[0].1, run.len()));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(sense, _)| sense)
}

/// Reads the rows of a sense file into `names` and `rules`.
fn parse(
    text: &str,
    terms: &HashMap<&str, EntityId>,
    names: &mut SenseNames,
    rules: &mut SenseRules,
) -> std::result::Result<(), String> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let header = lines
        .by_ref()
        .find(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let expected = "term\tsense\twhere\tcue\tweight";
    match header {
        Some((_, h)) if h.trim_end() == expected => {}
        Some((n, h)) => {
            return Err(format!(
                "line {n}: expected the header `{}`, found `{h}`",
                expected.replace('\t', "\\t")
            ))
        }
        None => return Err("empty sense file".into()),
    }
    for (n, line) in lines {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cue = parse_row(line, terms, names).map_err(|why| format!("line {n}: {why}"))?;
        let (term, mut cue) = cue;
        cue.index = names.cues.len() as u32;
        let place = match cue.place {
            Place::Before => "before",
            Place::After => "after",
            Place::Sentence => "sentence",
        };
        names.cues.push(format!("{place}: {}", cue.words.join(" ")));
        names
            .context
            .push(format!("context: {}", cue.words.join(" ")));
        rules.cues.entry(term).or_default().push(cue);
    }
    Ok(())
}

fn parse_row(
    line: &str,
    terms: &HashMap<&str, EntityId>,
    names: &mut SenseNames,
) -> std::result::Result<(EntityId, Cue), String> {
    let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
    let [term, sense, place, cue, weight] = fields[..] else {
        return Err(format!("{} fields, expected 5", fields.len()));
    };
    let term = *terms
        .get(term)
        .ok_or_else(|| format!("`{term}` is not a term of the pipeline's lexicons"))?;
    if sense.is_empty() || sense == "unknown" {
        return Err(format!("`{sense}` cannot be a sense name"));
    }
    let place = match place {
        "before" => Place::Before,
        "after" => Place::After,
        "sentence" => Place::Sentence,
        other => return Err(format!("`{other}`: where is before, after or sentence")),
    };
    let words = cue_words(cue);
    if words.iter().all(|w| w == FIGURE) {
        return Err("a cue needs a word besides {figure}".into());
    }
    let weight: f64 = weight
        .parse()
        .ok()
        .filter(|w: &f64| w.is_finite() && *w > 0.0)
        .ok_or_else(|| format!("`{weight}` is not a positive weight"))?;
    let sense = match names.names.iter().position(|n| n == sense) {
        Some(i) => i as SenseId,
        None => {
            names.names.push(sense.to_string());
            (names.names.len() - 1) as SenseId
        }
    };
    Ok((
        term,
        Cue {
            sense,
            place,
            words,
            weight,
            index: 0,
        },
    ))
}

/// The words of a cue as the tokenizer cuts text (`workers'` is `workers`, `women's` is
/// `women` and `'s`), in lowercase, so that cues compare with the text's words; `{figure}`
/// stays as it is.
fn cue_words(cue: &str) -> Vec<String> {
    let mut words = Vec::new();
    for (i, part) in cue.split(FIGURE).enumerate() {
        if i > 0 {
            words.push(FIGURE.to_string());
        }
        let doc = crate::model::CleanDocument::from_text(crate::model::DocMeta::new("", ""), part);
        let doc = crate::stages::tokenize::tokenize(doc);
        words.extend(
            doc.tokens
                .iter()
                .map(|t| doc.doc.text[t.start..t.end].to_lowercase()),
        );
    }
    words
}

/// Records each term's policy sense; every term with cues needs one, among its senses.
fn set_policy(
    policy: &BTreeMap<String, String>,
    terms: &HashMap<&str, EntityId>,
    rules: &SenseRules,
    names: &mut SenseNames,
) -> std::result::Result<(), String> {
    for (term, sense) in policy {
        let id = *terms
            .get(term.as_str())
            .ok_or_else(|| format!("[senses] policy: `{term}` is not a term"))?;
        let cues = rules
            .cues
            .get(&id)
            .map(|t| t.cues.as_slice())
            .unwrap_or_default();
        let sense_id = cues
            .iter()
            .map(|c| c.sense)
            .find(|&s| names.names[s as usize] == *sense)
            .ok_or_else(|| format!("[senses] policy: `{term}` has no cue for sense `{sense}`"))?;
        names.policy.insert(id, sense_id);
    }
    for term in rules.cues.keys() {
        if !names.policy.contains_key(term) {
            let name = terms
                .iter()
                .find(|(_, id)| *id == term)
                .map_or("?", |(n, _)| n);
            return Err(format!(
                "term `{name}` has cues but no policy sense in [senses] policy"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Entity, Method, Pattern};
    use crate::model::{CleanDocument, DocMeta};
    use crate::stages::entities::EntityMatcher;
    use crate::stages::tokenize::tokenize;

    /// A lexicon of the three policy terms and one figure, with the shipped sense file.
    fn lexicon_and_rules() -> (Lexicon, SenseRules) {
        let mut lexicon = Lexicon::default();
        for (id, (name, forms)) in [
            (
                "release",
                &["release", "released", "releases", "releasing"][..],
            ),
            ("rights", &["rights"][..]),
            ("MFN", &["MFN", "most favoured nation"][..]),
        ]
        .into_iter()
        .enumerate()
        {
            lexicon.entities.push(Entity {
                kind: Kind::Term,
                name: name.into(),
            });
            for form in forms {
                lexicon.patterns.push(Pattern {
                    text: form.to_string(),
                    entity: id as EntityId,
                    method: Method::Lexicon,
                    case_sensitive: false,
                    choices: None,
                });
            }
        }
        lexicon.entities.push(Entity {
            kind: Kind::Figure,
            name: "Nelson Mandela".into(),
        });
        lexicon.patterns.push(Pattern {
            text: "Nelson Mandela".into(),
            entity: 3,
            method: Method::Lexicon,
            case_sensitive: true,
            choices: None,
        });
        let policy = [
            ("release", "custody"),
            ("rights", "human"),
            ("MFN", "trade"),
        ]
        .map(|(t, s)| (t.to_string(), s.to_string()))
        .into();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/lexicons/senses.tsv");
        let rules = SenseRules::load(&path, &policy, &mut lexicon).unwrap();
        (lexicon, rules)
    }

    /// The sense and evidence of every term mention in `text`.
    fn senses(text: &str) -> Vec<(String, String)> {
        let (lexicon, rules) = lexicon_and_rules();
        let matcher = EntityMatcher::new(&lexicon, &Default::default())
            .unwrap()
            .with_senses(rules);
        let doc = tokenize(CleanDocument::from_text(DocMeta::new("d", "d"), text));
        matcher
            .analyze(doc, &lexicon)
            .mentions
            .iter()
            .filter(|m| m.entity != 3)
            .map(|m| {
                let (sense, why) = m.sense.expect("every term mention has a sense");
                let why = lexicon.senses.evidence(why).unwrap_or("-").to_string();
                (lexicon.senses.name(sense).to_string(), why)
            })
            .collect()
    }

    fn sense(text: &str) -> String {
        senses(text)[0].0.clone()
    }

    #[test]
    fn release_senses() {
        assert_eq!(
            sense("The dissident was released from prison on Monday."),
            "custody"
        );
        assert_eq!(
            sense("Rebels demanded the release of the hostages."),
            "custody"
        );
        assert_eq!(
            sense("The band will release their new album in May."),
            "product"
        );
        assert_eq!(
            sense("The film opens in wide release on Friday."),
            "product"
        );
        assert_eq!(
            sense("Figures released on Tuesday showed inflation fell."),
            "publication"
        );
        assert_eq!(sense("The ministry issued a press release."), "publication");
        assert_eq!(
            sense("The striker was released from his contract by the club."),
            "other"
        );
    }

    #[test]
    fn rights_senses() {
        assert_eq!(sense("Human rights groups condemned the arrests."), "human");
        assert_eq!(sense("She fought for civil rights all her life."), "human");
        assert_eq!(
            sense("Sky bought the TV rights to the league."),
            "commercial"
        );
        assert_eq!(
            sense("The firm announced a rights issue to raise cash."),
            "commercial"
        );
        assert_eq!(
            sense("Airline passengers win new rights to compensation."),
            "other"
        );
    }

    #[test]
    fn mfn_senses() {
        assert_eq!(sense("Congress renewed China's MFN trade status."), "trade");
        assert_eq!(
            sense("The treaty has an MFN clause for investment services."),
            "other"
        );
    }

    #[test]
    fn undecided_mentions_follow_the_document_or_stay_unknown() {
        let got = senses("Jailed dissidents were released. The release came late at night.");
        assert_eq!(got[0].0, "custody");
        assert_eq!(got[1], ("custody".into(), "document".into()));
        assert_eq!(
            senses("It was about the release.")[0],
            ("unknown".into(), "-".into())
        );
    }

    #[test]
    fn undecided_mentions_follow_the_sentences_around_then_the_article() {
        let got = senses("They may be charged. If not, they will be released soon. Nothing else.");
        assert_eq!(got[0], ("custody".into(), "context: charged".into()));
        let got = senses(
            "The album tops the chart. Fans queued all day. \
             Shops opened early. The release was a success.",
        );
        assert_eq!(got[0].0, "product");
        assert!(got[0].1.starts_with("context: "), "{got:?}");
    }

    #[test]
    fn a_figure_after_release_of_means_custody() {
        let got = senses("Crowds cheered the release of Nelson Mandela.");
        assert_eq!(got[0], ("custody".into(), "after: of {figure}".into()));
        assert_eq!(
            senses("Crowds cheered the release of Nelson.")[0].0,
            "unknown",
            "only a figure's name counts"
        );
    }

    #[test]
    fn a_policy_sense_counts_as_the_term_and_others_do_not() {
        let (lexicon, _) = lexicon_and_rules();
        let custody = lexicon.senses.policy[&0];
        let product = (0..lexicon.senses.names.len() as SenseId)
            .find(|&s| lexicon.senses.name(s) == "product")
            .unwrap();
        assert!(lexicon.senses.counts(0, Some(custody)));
        assert!(!lexicon.senses.counts(0, Some(product)));
        assert!(
            lexicon.senses.counts(99, None),
            "entities without senses count"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let terms: HashMap<&str, EntityId> = [("release", 0)].into_iter().collect();
        let header = "term\tsense\twhere\tcue\tweight\n";
        let parse_text = |body: &str| {
            parse(
                &format!("{header}{body}"),
                &terms,
                &mut SenseNames::default(),
                &mut SenseRules::default(),
            )
        };
        assert_eq!(
            parse_text("release\tcustody\tsentence\tjail\t1\ntax\tx\tsentence\ty\t1\n")
                .unwrap_err(),
            "line 3: `tax` is not a term of the pipeline's lexicons"
        );
        assert!(parse_text("release\tcustody\tnear\tjail\t1\n")
            .unwrap_err()
            .starts_with("line 2: `near`"));
        assert!(parse_text("release\tcustody\tsentence\tjail\t-1\n")
            .unwrap_err()
            .contains("not a positive weight"));
        assert!(parse_text("release\tcustody\tafter\t{figure}\t1\n")
            .unwrap_err()
            .contains("needs a word besides {figure}"));
        let mut names = SenseNames::default();
        let mut rules = SenseRules::default();
        parse(
            &format!("{header}release\tcustody\tsentence\tjail\t1\n"),
            &terms,
            &mut names,
            &mut rules,
        )
        .unwrap();
        let no_policy = set_policy(&BTreeMap::new(), &terms, &rules, &mut names).unwrap_err();
        assert!(no_policy.contains("no policy sense"), "{no_policy}");
    }
}
