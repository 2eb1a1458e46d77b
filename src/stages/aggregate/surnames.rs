//! Surnames linked across the corpus: a one-word name that its article leaves undecided
//! (`Yeltsin`, in an article that never gives the full name) is the person whom the run's
//! other articles name in full (`Boris Yeltsin`), when that person is the only one of the
//! corpus with that surname, or by far the best known, and no organisation or place of the
//! corpus bears the name.
//!
//! Each document keeps its undecided words ([`crate::model::OpenName`]) and counts them
//! ([`OpenCount`]); in co-occurring pairs a word stands in as an id of its own
//! ([`open_id`]). The totals fold those counts like any other ([`OpenTotal`]). When every
//! document is counted, [`SurnameLinks::of`] decides from the totals alone which words link
//! to whom, so a run, shards and their merge, and an incremental run decide alike; then the
//! links are folded into the totals ([`Totals::link_surnames`]) and the pairs
//! ([`link_pairs`]), and written into each document's rows ([`link_document`]). A document
//! never counts the linked person already: its open words leave out every surname of its own
//! people.

use std::collections::BTreeMap;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use super::pairs::{PairEntry, PairRuns, RunWriter};
use super::{Catalog, DocCounts, PairTotal, Totals};
use crate::error::{Error, Result};
use crate::lexicon::{Entity, EntityId, Kind, Method, DISCOVERED};
use crate::model::{AnalyzedDocument, Mention};
use crate::sinks::framed;

/// Open words stand in pairs as ids of their own until the corpus links them: bit 62 set and
/// bit 63 clear, which neither lexicon ids (small) nor discovered ids (bit 63) have.
const OPEN: EntityId = 1 << 62;

/// The stand-in id of an open word in co-occurring pairs.
pub fn open_id(word: &str) -> EntityId {
    OPEN | (xxhash_rust::xxh3::xxh3_64(word.as_bytes()) >> 2)
}

/// Whether an id is an open word's stand-in.
pub fn is_open_id(id: EntityId) -> bool {
    id & (DISCOVERED | OPEN) == OPEN
}

/// The counts of one open word in one document (its sentences shared are counted as pairs
/// of its [`open_id`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCount {
    pub word: String,
    /// Whether the word is also a first name.
    pub first_name: bool,
    pub mentions: u64,
}

/// The corpus totals of one open word.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenTotal {
    /// Whether the word is also a first name.
    pub first_name: bool,
    pub mentions: u64,
    pub documents: u64,
}

impl OpenTotal {
    /// Adds another part's totals of the same word.
    pub fn add(&mut self, other: &OpenTotal) {
        self.first_name |= other.first_name;
        self.mentions += other.mentions;
        self.documents += other.documents;
    }
}

impl OpenCount {
    /// This document's part of the word's totals.
    pub fn total(&self) -> OpenTotal {
        OpenTotal {
            first_name: self.first_name,
            mentions: self.mentions,
            documents: 1,
        }
    }
}

/// Counts the open words of a document, by word.
pub fn count_open(doc: &AnalyzedDocument) -> Vec<OpenCount> {
    let mut counts: Vec<OpenCount> = doc
        .open_names
        .iter()
        .map(|open| OpenCount {
            word: open.word.clone(),
            first_name: open.first_name,
            mentions: open.spans.len() as u64,
        })
        .collect();
    counts.sort_unstable_by(|a, b| a.word.cmp(&b.word));
    counts
}

/// The open words that the corpus links to a person: word → that person's id and entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurnameLinks(BTreeMap<String, (EntityId, Entity)>);

/// Last words that are no surname (`Jr.`, `III`).
const NOT_SURNAMES: &[&str] = &["Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"];

/// How many times the documents of all other people of a surname its best-known bearer
/// must have to take the surname alone (`Boris Yeltsin` over `Naina Yeltsin`).
const DOMINANCE: u64 = 3;

impl SurnameLinks {
    /// Decides the links from the totals: an open word is linked to the person counted in the
    /// corpus whose name of two words or more ends in it, when that person is the only one or
    /// is named in three times as many documents as all others of that surname
    /// together, and no counted organisation or place is named by it or opens with it (`Ford`
    /// of `Ford Motor Co`). A word that is also a first name (`Clinton`, `David`) is linked
    /// only to a person named in at least as many documents as the word stands alone in. A
    /// name of several words left open is linked to the person of exactly that name whom an
    /// article names with evidence beyond a reporting verb (`actor Zorblat Quimby`; `told
    /// Associated Press` is no such evidence).
    pub fn of(totals: &Totals, catalog: &Catalog) -> SurnameLinks {
        if totals.open.is_empty() {
            return SurnameLinks::default();
        }
        let mut people: HashMap<&str, Vec<(u64, EntityId)>> = HashMap::default();
        let mut full_names: HashMap<&str, EntityId> = HashMap::default();
        let mut taken: foldhash::HashSet<&str> = foldhash::HashSet::default();
        for (&id, total) in &totals.entities {
            let Some(entity) = catalog.entity(id) else {
                continue;
            };
            let name = entity.name.as_str();
            match entity.kind {
                Kind::Figure => {
                    let Some((_, surname)) = name.rsplit_once(' ') else {
                        continue;
                    };
                    if totals.evidenced.contains(&id) {
                        full_names.insert(name, id);
                    }
                    if !NOT_SURNAMES.contains(&surname) {
                        people
                            .entry(surname)
                            .or_default()
                            .push((total.documents, id));
                    }
                }
                Kind::Organization | Kind::Place => {
                    taken.insert(name.split(' ').next().unwrap_or(name));
                }
                Kind::Term => {}
            }
        }
        for bearers in people.values_mut() {
            drop_initialled(bearers, catalog);
        }
        let links = totals
            .open
            .iter()
            .filter_map(|(word, open)| {
                if word.contains(' ') {
                    let id = *full_names.get(word.as_str())?;
                    return Some((word.clone(), (id, catalog.entity(id)?.clone())));
                }
                if taken.contains(word.as_str()) {
                    return None;
                }
                let (documents, id) = best_known(people.get_mut(word.as_str())?)?;
                if open.first_name && documents < open.documents {
                    return None;
                }
                let entity = catalog.entity(id)?.clone();
                Some((word.clone(), (id, entity)))
            })
            .collect();
        SurnameLinks(links)
    }

    /// Number of words linked.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no word is linked.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The person a word is linked to.
    pub fn get(&self, word: &str) -> Option<(EntityId, &Entity)> {
        self.0.get(word).map(|(id, e)| (*id, e))
    }

    /// Every link, by word.
    pub fn iter(&self) -> impl Iterator<Item = (&str, EntityId, &Entity)> {
        self.0.iter().map(|(w, (id, e))| (w.as_str(), *id, e))
    }
}

/// Leaves out of a surname's bearers the names given with initials only (`A Hazell` of a
/// team sheet) when a bearer's first name starts with that initial (`Andy Hazell`): the same
/// person, not a second one who would make the surname ambiguous.
fn drop_initialled(bearers: &mut Vec<(u64, EntityId)>, catalog: &Catalog) {
    if bearers.len() < 2 {
        return;
    }
    let given = |id: EntityId| {
        let name = catalog.entity(id).map_or("", |e| e.name.as_str());
        name.rsplit_once(' ').map_or("", |(given, _)| given)
    };
    let initialled = |given: &str| {
        !given.is_empty()
            && given.split(' ').all(|part| {
                let letters = part.trim_end_matches('.');
                (1..=2).contains(&letters.len()) && letters.chars().all(|c| c.is_uppercase())
            })
    };
    let first_letters: Vec<char> = bearers
        .iter()
        .map(|&(_, id)| given(id))
        .filter(|g| !initialled(g))
        .filter_map(|g| g.chars().next())
        .collect();
    bearers.retain(|&(_, id)| {
        let g = given(id);
        !(initialled(g) && g.chars().next().is_some_and(|c| first_letters.contains(&c)))
    });
}

/// The bearer of a surname that the word alone stands for, with their documents: the only
/// one, or one named in [`DOMINANCE`] times as many documents as the others together (ties
/// broken by id, so that any order of folding decides alike).
fn best_known(bearers: &mut [(u64, EntityId)]) -> Option<(u64, EntityId)> {
    bearers.sort_unstable_by(|a, b| b.cmp(a));
    let (&best, others) = bearers.split_first()?;
    let others: u64 = others.iter().map(|o| o.0).sum();
    (best.0 >= DOMINANCE * others && (others == 0 || best.0 > others)).then_some(best)
}

impl Totals {
    /// Folds the open words into the totals: a linked word's mentions, documents and
    /// sentences shared count for its person (who is never counted in those documents
    /// already), and it is no longer a candidate; the others stay as they are. Leaves no open
    /// words.
    pub fn link_surnames(&mut self, links: &SurnameLinks) {
        let open = std::mem::take(&mut self.open);
        for (word, total) in &open {
            let Some((person, _)) = links.get(word) else {
                continue;
            };
            self.candidates.remove(word);
            let t = self.entities.entry(person).or_default();
            t.mentions += total.mentions;
            t.documents += total.documents;
        }
    }
}

/// The co-occurring pairs with the links written in: a pair with an open word's stand-in
/// counts for its person when the word is linked, and not at all otherwise. `pairs` come
/// by pair; the pairs that change are gathered (spilled past `bound`, into `dir`) and merged
/// back with the others, so the result comes by pair too, totals of a pair summed (a person
/// is never counted where its word stood in, so nothing is counted twice).
pub fn link_pairs(
    pairs: impl Iterator<Item = Result<PairEntry>>,
    links: &SurnameLinks,
    (dir, bound): (&std::path::Path, usize),
) -> Result<impl Iterator<Item = Result<PairEntry>>> {
    let people: HashMap<EntityId, EntityId> = links
        .iter()
        .map(|(word, id, _)| (open_id(word), id))
        .collect();
    let kept_path = super::pairs::run_path(dir);
    let mut kept = RunWriter::create(&kept_path)?;
    let mut moved = PairRuns::new(dir, bound);
    let mut moved_pairs: HashMap<(EntityId, EntityId), PairTotal> = HashMap::default();
    for entry in pairs {
        let ((a, b), total) = entry?;
        if !is_open_id(a) && !is_open_id(b) {
            kept.push(((a, b), total))?;
            continue;
        }
        let person = |id: EntityId| {
            if is_open_id(id) {
                people.get(&id).copied()
            } else {
                Some(id)
            }
        };
        let (Some(a), Some(b)) = (person(a), person(b)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let t = moved_pairs.entry((a.min(b), a.max(b))).or_default();
        t.sentences += total.sentences;
        t.documents += total.documents;
        moved.spill_if_full(&mut moved_pairs)?;
    }
    kept.finish()?;
    moved.add_owned_file(kept_path);
    moved.merged(moved_pairs)
}

/// Writes the links into one document's rows: each occurrence of a linked open word becomes
/// a mention of its person (method `corpus`), counted in the document's entities.
pub fn link_document(doc: &mut AnalyzedDocument, counts: &mut DocCounts, links: &SurnameLinks) {
    if links.is_empty() || doc.open_names.is_empty() {
        return;
    }
    let mut added = false;
    for open in &doc.open_names {
        let Some((person, entity)) = links.get(&open.word) else {
            continue;
        };
        added = true;
        for &(sentence, start, end) in &open.spans {
            doc.mentions.push(Mention {
                sentence,
                start,
                end,
                entity: person,
                method: Method::Corpus,
                sense: None,
            });
        }
        if person & DISCOVERED != 0 {
            doc.discovered.add(entity.kind, &entity.name);
            counts.discovered.add(entity.kind, &entity.name);
        }
        let n = open.spans.len() as u64;
        match counts.entities.binary_search_by_key(&person, |e| e.0) {
            Ok(k) => counts.entities[k].1 += n,
            Err(k) => counts.entities.insert(k, (person, n)),
        }
    }
    if added {
        doc.mentions.sort_by_key(|m| m.start);
    }
}

/// An occurrence of an open word as a row of `mentions` would give it: code-point offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRow {
    pub word: String,
    pub sentence: u32,
    pub start: u64,
    pub end: u64,
}

/// The file in a shard's output that keeps each document's open words for the merge, which
/// links them over all shards: [`OPEN_NAMES_FILE`], one bincode entry `(doc_id, rows)` per
/// document that has open words, in the shard's input order, each after its length (`u64`,
/// little-endian).
pub const OPEN_NAMES_FILE: &str = "open_names.bin";

/// Writes a shard's [`OPEN_NAMES_FILE`].
pub struct OpenRowsWriter {
    path: std::path::PathBuf,
    writer: std::io::BufWriter<std::fs::File>,
}

impl OpenRowsWriter {
    /// Creates the file in `dir`.
    pub fn create(dir: &std::path::Path) -> Result<Self> {
        let path = dir.join(OPEN_NAMES_FILE);
        let file = std::fs::File::create(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(OpenRowsWriter {
            path,
            writer: std::io::BufWriter::new(file),
        })
    }

    /// Records a document's open words, if it has any.
    pub fn push(&mut self, doc: &AnalyzedDocument) -> Result<()> {
        if doc.open_names.is_empty() {
            return Ok(());
        }
        let mut offsets = super::CodePoints::new(&doc.doc.text);
        let mut spans: Vec<(u32, usize, usize, &str)> = doc
            .open_names
            .iter()
            .flat_map(|o| o.spans.iter().map(|&(s, a, b)| (s, a, b, o.word.as_str())))
            .collect();
        spans.sort_unstable_by_key(|s| s.1);
        let rows: Vec<OpenRow> = spans
            .into_iter()
            .map(|(sentence, start, end, word)| OpenRow {
                word: word.to_string(),
                sentence,
                start: offsets.at(start) as u64,
                end: offsets.at(end) as u64,
            })
            .collect();
        let entry = (&doc.doc.meta.doc_id, &rows);
        framed::write_entry(&mut self.writer, &entry, &mut Vec::new(), &self.path)
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        use std::io::Write;
        self.writer
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }
}

/// Reads a shard's [`OPEN_NAMES_FILE`] in order, one document's rows at a time; a shard
/// without the file (a pipeline without figure discovery) has none.
pub struct OpenRowsReader {
    path: std::path::PathBuf,
    reader: Option<std::io::BufReader<std::fs::File>>,
    /// The next entry, read ahead.
    next: Option<(String, Vec<OpenRow>)>,
}

impl OpenRowsReader {
    /// Opens the file of the shard output `dir`.
    pub fn open(dir: &std::path::Path) -> Result<Self> {
        let path = dir.join(OPEN_NAMES_FILE);
        let reader = match std::fs::File::open(&path) {
            Ok(file) => Some(std::io::BufReader::new(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        let mut rows = OpenRowsReader {
            path,
            reader,
            next: None,
        };
        rows.advance()?;
        Ok(rows)
    }

    fn advance(&mut self) -> Result<()> {
        let Some(reader) = self.reader.as_mut() else {
            self.next = None;
            return Ok(());
        };
        self.next = framed::read_entry(reader, &mut Vec::new(), &self.path)?;
        Ok(())
    }

    /// The id of the next document with open words (documents come in the shard's order;
    /// most have none).
    pub fn next_doc_id(&self) -> Option<&str> {
        self.next.as_ref().map(|(id, _)| id.as_str())
    }

    /// Takes the next document's id and rows.
    pub fn take(&mut self) -> Result<Option<(String, Vec<OpenRow>)>> {
        let entry = self.next.take();
        self.advance()?;
        Ok(entry)
    }

    /// Fails when entries are left that no document claimed.
    pub fn expect_end(&self) -> Result<()> {
        match &self.next {
            None => Ok(()),
            Some((id, _)) => Err(Error::Usage(format!(
                "{}: open names of {id}, which the shard's tables do not hold in that place",
                self.path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{Discovered, Lexicon};
    use crate::model::{CleanDocument, DocMeta, OpenName};

    /// A document whose sentences are the given mentions (`(sentence, entity)`, offsets
    /// made up) and open words.
    fn document(
        id: &str,
        mentions: &[(u32, EntityId)],
        open: &[(&str, &[u32])],
        discovered: &Discovered,
    ) -> AnalyzedDocument {
        // Offsets grow with the sentence, as in a text.
        let mut offset = 0;
        let mut at = |sentence: u32| {
            offset += 10;
            let start = sentence as usize * 1000 + offset;
            (start, start + 5)
        };
        let mentions = mentions
            .iter()
            .map(|&(sentence, entity)| {
                let (start, end) = at(sentence);
                let method = Method::Discovery;
                Mention {
                    sentence,
                    start,
                    end,
                    entity,
                    method,
                    sense: None,
                }
            })
            .collect();
        let open_names = open
            .iter()
            .map(|(word, sentences)| OpenName {
                word: word.to_string(),
                spans: sentences
                    .iter()
                    .map(|&s| {
                        let (a, b) = at(s);
                        (s, a, b)
                    })
                    .collect(),
                first_name: false,
            })
            .collect();
        AnalyzedDocument {
            doc: CleanDocument::from_text(DocMeta::new(id, id), "x".repeat(4000)),
            n_sentences: 3,
            n_tokens: 30,
            mentions,
            discovered: discovered.clone(),
            candidates: open
                .iter()
                .map(|(w, _)| (w.to_string(), "example".into()))
                .collect(),
            open_names,
            evidenced: Vec::new(),
        }
    }

    fn lexicon() -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (kind, name) in [(Kind::Place, "Paris"), (Kind::Organization, "Santer Group")] {
            lexicon.entities.push(Entity {
                kind,
                name: name.into(),
            });
        }
        lexicon
    }

    #[test]
    fn linked_totals_equal_the_counts_of_the_linked_documents() {
        let lexicon = lexicon();
        let (paris, santer_group) = (0, 1);
        let mut people = Discovered::default();
        let fischler = people.add(Kind::Figure, "Franz Fischler");
        let brown = people.add(Kind::Figure, "Gordon Brown");
        let jones = people.add(Kind::Figure, "Ann Jones");
        let other_jones = people.add(Kind::Figure, "Bob Jones");
        let docs = vec![
            document("a", &[(0, fischler), (0, paris), (1, brown)], &[], &people),
            document(
                "b",
                &[(0, paris), (1, jones)],
                &[("Fischler", &[0, 0, 2]), ("Brown", &[0])],
                &people,
            ),
            document(
                "c",
                &[(0, other_jones)],
                &[("Jones", &[0]), ("Fischler", &[1])],
                &people,
            ),
            document(
                "d",
                &[(0, santer_group)],
                &[("Santer", &[0]), ("Fischler", &[0])],
                &people,
            ),
        ];
        let mut totals = Totals::default();
        for doc in &docs {
            totals.add(&crate::stages::aggregate::count(doc, &lexicon));
        }
        let links = SurnameLinks::of(&totals, &Catalog::of(&totals, &lexicon));
        // Two Joneses: none linked; `Santer` opens an organisation's name.
        let linked: Vec<&str> = links.iter().map(|(w, _, _)| w).collect();
        assert_eq!(linked, ["Brown", "Fischler"]);
        totals.link_surnames(&links);
        // The pairs, stand-ins included, by pair, as a run merges them; linked through a
        // spill of two pairs.
        let dir = tempfile::tempdir().unwrap();
        let mut stream: Vec<_> = std::mem::take(&mut totals.pairs).into_iter().collect();
        assert!(stream
            .iter()
            .any(|(p, _)| is_open_id(p.0) || is_open_id(p.1)));
        stream.sort_unstable_by_key(|e| e.0);
        let linked_pairs = link_pairs(stream.into_iter().map(Ok), &links, (dir.path(), 2)).unwrap();
        let linked_pairs: Vec<PairEntry> = linked_pairs.map(Result::unwrap).collect();
        assert!(linked_pairs.windows(2).all(|w| w[0].0 < w[1].0));
        totals.pairs = linked_pairs.into_iter().collect();

        let mut recounted = Totals::default();
        for mut doc in docs {
            let mut counts = crate::stages::aggregate::count(&doc, &lexicon);
            link_document(&mut doc, &mut counts, &links);
            // Words left open share no sentence with anyone once the corpus is counted.
            doc.open_names.clear();
            doc.candidates.retain(|(w, _)| links.get(w).is_none());
            // The tables' counts of the document are those of its linked mentions.
            let mut fresh = crate::stages::aggregate::count(&doc, &lexicon);
            fresh.open.clear();
            assert_eq!(fresh.entities, counts.entities, "{}", doc.doc.meta.doc_id);
            recounted.add(&fresh);
        }
        let sorted = |t: &Totals| {
            let mut e: Vec<_> = t.entities.iter().map(|(k, v)| (*k, *v)).collect();
            let mut p: Vec<_> = t.pairs.iter().map(|(k, v)| (*k, *v)).collect();
            let mut c: Vec<_> = t.candidates.keys().cloned().collect();
            e.sort_unstable_by_key(|x| x.0);
            p.sort_unstable_by_key(|x| x.0);
            c.sort_unstable();
            (e, p, c)
        };
        assert_eq!(sorted(&totals), sorted(&recounted));
        assert!(totals.open.is_empty());
        assert_eq!(totals.entities[&fischler].documents, 4);
    }

    /// The links that totals with these people (name, documents) and open words (word,
    /// documents, first name) give.
    fn links_of(people: &[(&str, u64)], open: &[(&str, u64, bool)]) -> Vec<(String, String)> {
        let mut totals = Totals::default();
        for &(name, documents) in people {
            let id = totals.discovered.add(Kind::Figure, name);
            let t = crate::stages::aggregate::EntityTotal {
                mentions: documents,
                documents,
            };
            totals.entities.insert(id, t);
        }
        for &(word, documents, first_name) in open {
            let t = OpenTotal {
                first_name,
                mentions: documents,
                documents,
            };
            totals.open.insert(word.into(), t);
        }
        let links = SurnameLinks::of(&totals, &Catalog::of(&totals, &Lexicon::default()));
        links
            .iter()
            .map(|(w, _, e)| (w.to_string(), e.name.clone()))
            .collect()
    }

    #[test]
    fn the_best_known_bearer_takes_the_surname_and_a_first_name_needs_fame() {
        let people = [
            ("Boris Yeltsin", 13),
            ("Naina Yeltsin", 2),
            ("B. Yeltsin", 1),
            ("Ann Jones", 4),
            ("Bob Jones", 2),
            ("Bill Clinton", 19),
            ("Craig David", 3),
        ];
        let open = [
            ("Yeltsin", 5, false),
            ("Jones", 1, false),
            ("Clinton", 4, true),
            ("David", 11, true),
        ];
        let pair = |w: &str, p: &str| (w.to_string(), p.to_string());
        // 13 documents against 3: Boris; 4 against 2: no one; `David` alone in more
        // documents than Craig David is named in: a first name.
        assert_eq!(
            links_of(&people, &open),
            [
                pair("Clinton", "Bill Clinton"),
                pair("Yeltsin", "Boris Yeltsin")
            ]
        );
    }

    #[test]
    fn a_name_with_the_initial_of_a_bearers_first_name_is_that_bearer() {
        let open = [("Hazell", 2, false)];
        let pair = |w: &str, p: &str| (w.to_string(), p.to_string());
        // `A Hazell` of team sheets is Andy Hazell, not a second bearer.
        let people = [("Andy Hazell", 2), ("A Hazell", 3)];
        assert_eq!(links_of(&people, &open), [pair("Hazell", "Andy Hazell")]);
        // Another initial is another person: the surname stays open.
        let people = [("Andy Hazell", 2), ("B Hazell", 3)];
        assert!(links_of(&people, &open).is_empty());
    }
}
