//! Lexicons: the curated lists of figures, places, policy terms and organisations that the
//! entities stage matches. They live under `pipelines/` as tab-separated files, one entity per
//! line, so that users add a figure or a term by editing text, never code:
//!
//! ```text
//! kind    name                aliases                                    short
//! figure  Warren Christopher                                             Christopher
//! place   Beijing             Peking
//! term    MFN                 most favoured nation|most favored nation
//! ```
//! (columns separated by one tab each).
//!
//! * `name` is the canonical name and is itself matched.
//! * `aliases` (separated by `|`) always resolve to the entity.
//! * `short` forms (a surname) resolve only after the entity's full name or an alias has
//!   appeared earlier in the same document: within-document coreference.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Identifies an entity; per-match work carries this, never a string. Lexicon entities have
/// small dense ids; entities found by discovery (not in any lexicon) have [`DISCOVERED`] set
/// and a stable hash of their kind and name, so ids do not depend on thread timing and stay
/// valid in the incremental cache.
pub type EntityId = u64;

/// The bit that marks a discovered entity's id.
pub const DISCOVERED: EntityId = 1 << 63;

/// What an entity is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    // Declared in the alphabetical order of their names, so that sorting by `Kind` and sorting
    // by its string (as a merge of written tables does) agree by construction.
    Figure,
    /// Organisations are matched so that they block overlapping figures and places
    /// (`Clinton Administration` is not the figure Clinton); they are reported in their own table.
    Organization,
    Place,
    Term,
}

impl Kind {
    /// The name used in tables and lexicon files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Figure => "figure",
            Kind::Place => "place",
            Kind::Term => "term",
            Kind::Organization => "organization",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "figure" => Kind::Figure,
            "place" => Kind::Place,
            "term" => Kind::Term,
            "organization" | "organisation" => Kind::Organization,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a mention was found; recorded in the `method` column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
pub enum Method {
    /// The canonical name itself.
    Lexicon,
    /// An alias of the entity.
    Alias,
    /// A short form resolved to a full name seen earlier in the document.
    Coreference,
    /// Found from evidence in the text (titles, first names, reporting verbs), not a lexicon.
    Discovery,
    /// A surname alone in its document, linked to the one person of that surname whom the
    /// corpus's other documents name in full.
    Corpus,
}

impl Method {
    /// The name used in the `method` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Lexicon => "lexicon",
            Method::Alias => "alias",
            Method::Coreference => "coreference",
            Method::Discovery => "discovery",
            Method::Corpus => "corpus",
        }
    }
}

/// One entity of a lexicon.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Entity {
    pub kind: Kind,
    /// Canonical name, used in every table.
    pub name: String,
}

/// A surface form to search for, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub entity: EntityId,
    pub method: Method,
    /// Whether the pattern must match case exactly (figures and places) or ignoring ASCII case
    /// (terms, so that `Release` at the start of a sentence counts).
    pub case_sensitive: bool,
    /// Places that share this form (`Newcastle`): an index into [`Lexicon::choices`].
    pub choices: Option<u32>,
}

/// All entities and patterns of a pipeline, loaded from its lexicon files. It does not change
/// during a run: what discovery finds travels with each document ([`Discovered`]) and is
/// folded into the corpus totals in input order.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub entities: Vec<Entity>,
    pub patterns: Vec<Pattern>,
    /// Gazetteer data of places, from the optional columns of a lexicon.
    pub geo: HashMap<EntityId, Geo>,
    /// Different places that share a form, the one holding the form first (the gazetteer
    /// lists places by population): a mention of the form is resolved among them by context.
    pub choices: Vec<Vec<EntityId>>,
    /// The senses of policy terms, when the pipeline has a sense file.
    pub senses: SenseNames,
    /// Entities by kind and name, so that discovery names a listed entity by its id (a town
    /// the gazetteer lists is that town also where discovery finds it): names stay unique.
    by_name: HashMap<(Kind, String), EntityId>,
}

/// Index of a sense in [`SenseNames::names`].
pub type SenseId = u16;

/// The sense of a term mention that nothing decided.
pub const UNKNOWN_SENSE: SenseId = 0;

/// The senses of the policy terms: their names, which one of each term is the policy sense
/// (counted as the term in the corpus tables), and the cues that decide them, by index.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct SenseNames {
    /// Sense names; index [`UNKNOWN_SENSE`] is `unknown`.
    pub names: Vec<String>,
    /// The policy sense of every term that has senses (a few: an ordered map is cheaper to
    /// look up for every mention than a hash).
    pub policy: BTreeMap<EntityId, SenseId>,
    /// Each cue as shown in `mentions.sense_evidence` (`before: human`).
    pub cues: Vec<String>,
    /// Each cue as shown when it stood in a sentence around the term's or elsewhere in the
    /// article (`context: charged`).
    #[serde(default)]
    pub context: Vec<String>,
}

impl Default for SenseNames {
    fn default() -> Self {
        SenseNames {
            names: vec!["unknown".to_string()],
            policy: BTreeMap::new(),
            cues: Vec::new(),
            context: Vec::new(),
        }
    }
}

impl SenseNames {
    /// The name of a sense.
    pub fn name(&self, id: SenseId) -> &str {
        self.names
            .get(id as usize)
            .map_or("unknown", String::as_str)
    }

    /// What `mentions.sense_evidence` says for `why`: the cue, `document`, or nothing.
    pub fn evidence(&self, why: crate::model::SenseEvidence) -> Option<&str> {
        use crate::model::SenseEvidence;
        match why {
            SenseEvidence::Cue(i) => self.cues.get(i as usize).map(String::as_str),
            SenseEvidence::Context(i) => self.context.get(i as usize).map(String::as_str),
            SenseEvidence::Document => Some("document"),
            SenseEvidence::Nothing => None,
        }
    }

    /// Whether a mention of `entity` with `sense` counts as the entity in the corpus tables:
    /// every mention of an entity without senses, and a term's mentions in its policy sense.
    pub fn counts(&self, entity: EntityId, sense: Option<SenseId>) -> bool {
        match (self.policy.get(&entity), sense) {
            (Some(policy), Some(sense)) => *policy == sense,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

/// Entities that discovery found (not in any lexicon), by id. Each document carries the ones
/// its mentions refer to; the corpus totals fold them, so nothing shared is written while
/// documents are analysed in parallel.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Discovered(BTreeMap<EntityId, Entity>);

impl Discovered {
    /// Records an entity found by discovery and returns its id: a stable hash of its kind and
    /// name, the same in every document, thread, shard and run.
    pub fn add(&mut self, kind: Kind, name: &str) -> EntityId {
        let id = discovered_id(kind, name);
        self.0.entry(id).or_insert_with(|| Entity {
            kind,
            name: name.to_string(),
        });
        id
    }

    /// The entity behind a discovered id.
    pub fn get(&self, id: EntityId) -> Option<&Entity> {
        self.0.get(&id)
    }

    /// Adds every entity of `other`.
    pub fn extend(&mut self, other: &Discovered) {
        for (id, entity) in &other.0 {
            self.0.entry(*id).or_insert_with(|| entity.clone());
        }
    }

    /// Keeps only the entities for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(EntityId) -> bool) {
        self.0.retain(|id, _| keep(*id));
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The id of a discovered entity: [`DISCOVERED`] set, and a hash of kind and name.
pub fn discovered_id(kind: Kind, name: &str) -> EntityId {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(kind.as_str().as_bytes());
    hasher.update(&[0]);
    hasher.update(name.as_bytes());
    DISCOVERED | (hasher.digest() >> 1)
}

/// Resolves ids of the lexicon and of discovered entities to entities.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub lexicon: &'a Lexicon,
    pub discovered: &'a Discovered,
}

/// No discovered entity, for looking up lexicon ids alone.
static NO_DISCOVERIES: Discovered = Discovered(BTreeMap::new());

/// What an unknown id resolves to (never expected: ids come from the lexicon or discovery).
pub static UNKNOWN: Entity = Entity {
    kind: Kind::Figure,
    name: String::new(),
};

impl<'a> Names<'a> {
    /// The lexicon's entities and `discovered`.
    pub fn new(lexicon: &'a Lexicon, discovered: &'a Discovered) -> Self {
        Names {
            lexicon,
            discovered,
        }
    }

    /// The entity behind an id.
    pub fn entity(&self, id: EntityId) -> &'a Entity {
        let found = if id & DISCOVERED == 0 {
            self.lexicon.entities.get(id as usize)
        } else {
            self.discovered.get(id)
        };
        debug_assert!(found.is_some(), "unknown entity id {id}");
        found.unwrap_or(&UNKNOWN)
    }

    /// Gazetteer data of a place, when a lexicon gives it.
    pub fn geo(&self, id: EntityId) -> Option<&'a Geo> {
        self.lexicon.geo.get(&id)
    }
}

/// Where a place is, from the gazetteer (GeoNames).
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct Geo {
    pub geonames_id: Option<i64>,
    pub country_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `country`, `region`, `city`, `town`, `continent` or `landmark`.
    pub feature: Option<String>,
    /// The first-level division (ISO 3166-2, `US-NH`) of a division, or of a city where the
    /// gazetteer gives it.
    pub admin1: Option<String>,
}

/// One row of a lexicon file, as written (missing trailing fields are empty).
#[derive(Debug)]
struct LexiconRow {
    kind: String,
    name: String,
    aliases: String,
    short: String,
}

/// Where an always-resolving surface form was defined, to report duplicates with both places.
struct Definition {
    entity: EntityId,
    file: PathBuf,
    line: u64,
    /// The pattern of the form, for places that share it.
    pattern: usize,
    /// Whether the entity is a place of a gazetteer (with a GeoNames id or coordinates):
    /// then another such place may share the form.
    mapped: bool,
}

impl Lexicon {
    /// Number of entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// Whether the lexicon has no entity.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The id of the lexicon's entity of this kind and name, if it lists one.
    pub fn entity_named(&self, kind: Kind, name: &str) -> Option<EntityId> {
        self.by_name.get(&(kind, name.to_string())).copied()
    }

    /// The entity behind an id of the lexicon (not a discovered one: see [`Names`]).
    pub fn entity(&self, id: EntityId) -> &Entity {
        Names::new(self, &NO_DISCOVERIES).entity(id)
    }

    /// Loads and merges lexicon files. `case_sensitive` comes from the pipeline file, per file.
    ///
    /// Errors name the file and line: an unknown kind, an empty name, an entity defined twice,
    /// or one surface form that would always resolve to two different entities.
    pub fn load(files: &[(PathBuf, bool)]) -> Result<Lexicon> {
        let mut builder = LexiconBuilder::default();
        for (path, case_sensitive) in files {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(b'\t')
                .comment(Some(b'#'))
                .quoting(false)
                .flexible(true)
                .from_path(path)
                .map_err(|e| Error::config(path, format!("cannot read lexicon: {e}")))?;
            let headers = reader
                .headers()
                .map_err(|e| Error::config(path, lexicon_error(&e)))?
                .clone();
            let expected = ["kind", "name", "aliases", "short"];
            let with_geo = [
                "kind",
                "name",
                "aliases",
                "short",
                "geonames_id",
                "country_code",
                "latitude",
                "longitude",
                "feature",
            ];
            // The admin1 column is optional: gazetteers written before it still load.
            let has_admin1 = headers
                .iter()
                .eq(with_geo.iter().copied().chain(["admin1"]));
            let has_geo = has_admin1 || headers.iter().eq(with_geo.iter().copied());
            if headers.iter().ne(expected.iter().copied()) && !has_geo {
                return Err(Error::config(
                    path,
                    format!(
                        "line 1: expected the header `{}`, found `{}`",
                        expected.join("\\t"),
                        headers.iter().collect::<Vec<_>>().join("\\t")
                    ),
                ));
            }
            for record in reader.records() {
                let record = record.map_err(|e| Error::config(path, lexicon_error(&e)))?;
                let line = record.position().map_or(0, |p| p.line());
                let width = if has_admin1 {
                    with_geo.len() + 1
                } else if has_geo {
                    with_geo.len()
                } else {
                    expected.len()
                };
                if record.len() > width {
                    return Err(Error::config(
                        path,
                        format!(
                            "line {line}: {} fields, expected at most {} (kind, name, aliases, short)",
                            record.len(),
                            width
                        ),
                    ));
                }
                let field = |i: usize| record.get(i).unwrap_or("").to_string();
                let row = LexiconRow {
                    kind: field(0),
                    name: field(1),
                    aliases: field(2),
                    short: field(3),
                };
                let geo = if has_geo {
                    Some(parse_geo(&record, path, line)?)
                } else {
                    None
                };
                let mapped = geo
                    .as_ref()
                    .is_some_and(|g| g.geonames_id.is_some() || g.latitude.is_some());
                builder
                    .add_row(row, *case_sensitive, (path, line), mapped)
                    .map_err(|message| Error::config(path, format!("line {line}: {message}")))?;
                if let Some(geo) = geo {
                    let id = (builder.lexicon.entities.len() - 1) as EntityId;
                    builder.lexicon.geo.insert(id, geo);
                }
            }
        }
        builder.add_unaccented_forms();
        Ok(builder.lexicon)
    }
}

/// The gazetteer columns of a row (GeoNames id, country, coordinates, feature, admin1).
fn parse_geo(record: &csv::StringRecord, path: &Path, line: u64) -> Result<Geo> {
    const COLUMNS: [&str; 4] = ["geonames_id", "country_code", "latitude", "longitude"];
    let text = |i: usize| record.get(i).map(str::trim).filter(|v| !v.is_empty());
    let number = |i: usize| -> Result<Option<f64>> {
        text(i)
            .map(|v| {
                v.parse::<f64>().map_err(|_| {
                    Error::config(
                        path,
                        format!("line {line}: `{v}` is not a number ({})", COLUMNS[i - 4]),
                    )
                })
            })
            .transpose()
    };
    Ok(Geo {
        geonames_id: number(4)?.map(|v| v as i64),
        country_code: text(5).map(String::from),
        latitude: number(6)?,
        longitude: number(7)?,
        feature: text(8).map(String::from),
        admin1: text(9).map(String::from),
    })
}

/// Accumulates rows and checks them against what came before.
#[derive(Default)]
struct LexiconBuilder {
    lexicon: Lexicon,
    by_name: HashMap<(Kind, String), (PathBuf, u64)>,
    /// Always-resolving forms (names and aliases), keyed by text and case sensitivity.
    definitions: HashMap<(String, bool), Definition>,
}

impl LexiconBuilder {
    /// Adds one row. `mapped`: the row is a place with a GeoNames id or coordinates, which
    /// may share a form with another such place (the first one holds it).
    fn add_row(
        &mut self,
        row: LexiconRow,
        case_sensitive: bool,
        (path, line): (&Path, u64),
        mapped: bool,
    ) -> std::result::Result<(), String> {
        let kind = Kind::parse(row.kind.trim()).ok_or_else(|| {
            format!(
                "unknown kind `{}`: expected figure, place, term or organization",
                row.kind
            )
        })?;
        let name = row.name.trim().to_string();
        if name.is_empty() {
            return Err("empty name".into());
        }
        if let Some((file, first)) = self.by_name.get(&(kind, name.clone())) {
            return Err(format!(
                "{kind} `{name}` is already defined at {}:{first}",
                file.display()
            ));
        }
        self.by_name
            .insert((kind, name.clone()), (path.to_path_buf(), line));
        let entity = EntityId::try_from(self.lexicon.entities.len())
            .map_err(|_| "too many entities".to_string())?;
        self.lexicon.entities.push(Entity {
            kind,
            name: name.clone(),
        });
        self.lexicon.by_name.insert((kind, name.clone()), entity);

        let mut add = |text: &str, method: Method| -> std::result::Result<(), String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(());
            }
            if method != Method::Coreference {
                let key = (fold(text, case_sensitive), case_sensitive);
                if let Some(def) = self.definitions.get(&key) {
                    if def.entity != entity && mapped && def.mapped {
                        let choices = share_form(&mut self.lexicon, def.pattern, def.entity);
                        self.lexicon.choices[choices as usize].push(entity);
                        return Ok(());
                    }
                    if def.entity != entity {
                        let other = &self.lexicon.entities[def.entity as usize];
                        return Err(format!(
                            "`{text}` already names {} `{}` at {}:{}",
                            other.kind,
                            other.name,
                            def.file.display(),
                            def.line
                        ));
                    }
                    return Ok(());
                }
                self.definitions.insert(
                    key,
                    Definition {
                        entity,
                        file: path.to_path_buf(),
                        line,
                        pattern: self.lexicon.patterns.len(),
                        mapped,
                    },
                );
            }
            self.lexicon.patterns.push(Pattern {
                text: text.to_string(),
                entity,
                method,
                case_sensitive,
                choices: None,
            });
            Ok(())
        };
        add(&name, Method::Lexicon)?;
        for alias in row.aliases.split('|') {
            add(alias, Method::Alias)?;
        }
        for short in row.short.split('|') {
            add(short, Method::Coreference)?;
        }
        Ok(())
    }
}

impl LexiconBuilder {
    /// News often drops accents (`Sao Paulo`, `Bogota`, `Zurich`): every name and alias of a
    /// figure or place written with accents also matches without them, unless that form
    /// already names something (a form a file lists wins over a derived one).
    fn add_unaccented_forms(&mut self) {
        let mut added = Vec::new();
        for p in &self.lexicon.patterns {
            let kind = self.lexicon.entities[p.entity as usize].kind;
            if p.method == Method::Coreference || !matches!(kind, Kind::Figure | Kind::Place) {
                continue;
            }
            let Some(plain) = without_accents(&p.text) else {
                continue;
            };
            let key = (fold(&plain, p.case_sensitive), p.case_sensitive);
            if self.definitions.contains_key(&key) {
                continue;
            }
            self.definitions.insert(
                key,
                Definition {
                    entity: p.entity,
                    file: PathBuf::new(),
                    line: 0,
                    pattern: usize::MAX,
                    mapped: false,
                },
            );
            added.push(Pattern {
                text: plain,
                entity: p.entity,
                method: Method::Alias,
                case_sensitive: p.case_sensitive,
                choices: p.choices,
            });
        }
        self.lexicon.patterns.extend(added);
    }
}

/// The list of places sharing the form of `pattern`, made with its holder when new.
fn share_form(lexicon: &mut Lexicon, pattern: usize, holder: EntityId) -> u32 {
    if let Some(choices) = lexicon.patterns[pattern].choices {
        return choices;
    }
    let index = lexicon.choices.len() as u32;
    lexicon.choices.push(vec![holder]);
    lexicon.patterns[pattern].choices = Some(index);
    index
}

/// `text` without its combining accents (`São Paulo` -> `Sao Paulo`), when it had any.
fn without_accents(text: &str) -> Option<String> {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    if text.is_ascii() {
        return None;
    }
    let plain: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .collect();
    (plain != text && !plain.trim().is_empty()).then_some(plain)
}

/// The key under which a surface form is unique: itself, or its lowercase form when matching
/// ignores case.
fn fold(text: &str, case_sensitive: bool) -> String {
    if case_sensitive {
        text.to_string()
    } else {
        text.to_ascii_lowercase()
    }
}

fn lexicon_error(e: &csv::Error) -> String {
    match e.position() {
        Some(pos) => format!("line {}: {}", pos.line(), e),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(rows: &str) -> Lexicon {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("places.tsv");
        std::fs::write(&path, format!("kind\tname\taliases\tshort\n{rows}")).unwrap();
        Lexicon::load(&[(path, true)]).unwrap()
    }

    fn forms(lexicon: &Lexicon, name: &str) -> Vec<String> {
        let id = lexicon
            .entities
            .iter()
            .position(|e| e.name == name)
            .unwrap();
        lexicon
            .patterns
            .iter()
            .filter(|p| p.entity as usize == id)
            .map(|p| p.text.clone())
            .collect()
    }

    #[test]
    fn accented_names_also_match_without_accents() {
        let lexicon = load("place\tSão Paulo\t\t\nplace\tBogotá\tSanta Fe de Bogotá\t\n");
        assert_eq!(forms(&lexicon, "São Paulo"), ["São Paulo", "Sao Paulo"]);
        assert_eq!(
            forms(&lexicon, "Bogotá"),
            [
                "Bogotá",
                "Santa Fe de Bogotá",
                "Bogota",
                "Santa Fe de Bogota"
            ]
        );
    }

    #[test]
    fn a_listed_form_wins_over_an_unaccented_one() {
        let lexicon = load("place\tCórdoba\t\t\nplace\tCordoba\t\t\n");
        assert_eq!(forms(&lexicon, "Córdoba"), ["Córdoba"]);
        assert_eq!(forms(&lexicon, "Cordoba"), ["Cordoba"]);
    }
}
