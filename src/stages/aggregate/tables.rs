//! Building the polars tables: per-document rows from analysed documents, corpus rows from
//! [`Totals`] and a [`Catalog`]. Which builder makes which table is listed in
//! [`super::registry`].

use polars::prelude::*;

use super::pairs::PairEntry;
use super::{CandidateTotal, Catalog, CodePoints, DocResult, EntityTotal, Totals};
use crate::lexicon::{Entity, EntityId, Kind, Lexicon, Names};
use crate::model::Reject;

/// A column of strings.
fn strings<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> Column {
    Column::new(name.into(), values.collect::<Vec<_>>())
}

/// A column of 64-bit integers.
fn ints(name: &str, values: impl Iterator<Item = u64>) -> Column {
    Column::new(name.into(), values.map(|v| v as i64).collect::<Vec<i64>>())
}

/// A catalog entry, or an empty entity for an id the catalog lacks (never expected).
fn entity_of(catalog: &Catalog, id: EntityId) -> &Entity {
    catalog.entity(id).unwrap_or(&crate::lexicon::UNKNOWN)
}

/// The entity table of one kind: `entity, mentions, documents`, most mentioned first, ties
/// by name; places add their gazetteer columns.
pub fn entity_table(totals: &Totals, catalog: &Catalog, kind: Kind) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(EntityId, &str, EntityTotal)> = totals
        .entities
        .iter()
        .map(|(&id, &t)| (id, entity_of(catalog, id), t))
        .filter(|(_, e, _)| e.kind == kind)
        .map(|(id, e, t)| (id, e.name.as_str(), t))
        .collect();
    rows.sort_unstable_by(|a, b| b.2.mentions.cmp(&a.2.mentions).then(a.1.cmp(b.1)));
    let mut columns = vec![
        strings("entity", rows.iter().map(|r| r.1)),
        ints("mentions", rows.iter().map(|r| r.2.mentions)),
        ints("documents", rows.iter().map(|r| r.2.documents)),
    ];
    if kind == Kind::Place {
        // Gazetteer columns (null for places that a lexicon lists without them).
        let geo: Vec<_> = rows.iter().map(|r| catalog.geo(r.0)).collect();
        columns.extend([
            Column::new(
                "geonames_id".into(),
                geo.iter()
                    .map(|g| g.and_then(|g| g.geonames_id))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "country_code".into(),
                geo.iter()
                    .map(|g| g.and_then(|g| g.country_code.as_deref()))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "latitude".into(),
                geo.iter()
                    .map(|g| g.and_then(|g| g.latitude))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "longitude".into(),
                geo.iter()
                    .map(|g| g.and_then(|g| g.longitude))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "feature".into(),
                geo.iter()
                    .map(|g| g.and_then(|g| g.feature.as_deref()))
                    .collect::<Vec<_>>(),
            ),
        ]);
    }
    DataFrame::new(rows.len(), columns)
}

/// The `figures` table.
pub fn figures_table(totals: &Totals, catalog: &Catalog) -> PolarsResult<DataFrame> {
    entity_table(totals, catalog, Kind::Figure)
}

/// The `places` table.
pub fn places_table(totals: &Totals, catalog: &Catalog) -> PolarsResult<DataFrame> {
    entity_table(totals, catalog, Kind::Place)
}

/// The `terms` table: one row per term and sense (`sense` null for a term without senses),
/// `policy` true for the rows counted as the term. Terms come as in the other entity tables
/// (their counted mentions, most first, then name); within a term, the policy sense first,
/// then the other senses by mentions, most first, then name.
pub fn terms_table(totals: &Totals, catalog: &Catalog) -> PolarsResult<DataFrame> {
    let senses = &catalog.senses;
    let counted = |id: EntityId| totals.entities.get(&id).map_or(0, |t| t.mentions);
    type Row<'a> = (u64, &'a str, bool, Option<&'a str>, EntityTotal);
    let mut rows: Vec<Row> = Vec::new();
    for (&id, &t) in &totals.entities {
        let e = entity_of(catalog, id);
        if e.kind == Kind::Term && !senses.policy.contains_key(&id) {
            rows.push((t.mentions, e.name.as_str(), true, None, t));
        }
    }
    for (&(id, sense), &t) in &totals.term_senses {
        let e = entity_of(catalog, id);
        let policy = senses.policy.get(&id) == Some(&sense);
        rows.push((
            counted(id),
            e.name.as_str(),
            policy,
            Some(senses.name(sense)),
            t,
        ));
    }
    rows.sort_unstable_by(|a, b| {
        (b.0, a.1, !a.2, b.4.mentions, a.3).cmp(&(a.0, b.1, !b.2, a.4.mentions, b.3))
    });
    DataFrame::new(
        rows.len(),
        vec![
            strings("entity", rows.iter().map(|r| r.1)),
            Column::new("sense".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new(
                "policy".into(),
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
            ints("mentions", rows.iter().map(|r| r.4.mentions)),
            ints("documents", rows.iter().map(|r| r.4.documents)),
        ],
    )
}

/// The `organizations` table.
pub fn organizations_table(totals: &Totals, catalog: &Catalog) -> PolarsResult<DataFrame> {
    entity_table(totals, catalog, Kind::Organization)
}

/// The `candidates` table: `candidate, documents, example`, most documents first.
pub fn candidates_table(totals: &Totals, _catalog: &Catalog) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&String, &CandidateTotal)> = totals.candidates.iter().collect();
    rows.sort_unstable_by(|a, b| b.1.documents.cmp(&a.1.documents).then(a.0.cmp(b.0)));
    DataFrame::new(
        rows.len(),
        vec![
            strings("candidate", rows.iter().map(|r| r.0.as_str())),
            ints("documents", rows.iter().map(|r| r.1.documents)),
            strings("example", rows.iter().map(|r| r.1.example.as_str())),
        ],
    )
}

/// A pair's two sides as the `cooccurrence` table orders them: by (kind, entity).
fn sides(catalog: &Catalog, (a, b): (EntityId, EntityId)) -> [(Kind, &str); 2] {
    let key = |id: EntityId| {
        let e = entity_of(catalog, id);
        (e.kind, e.name.as_str())
    };
    let (a, b) = (key(a), key(b));
    if a <= b {
        [a, b]
    } else {
        [b, a]
    }
}

/// Every entity's place in the order of `cooccurrence` sides, (kind, name), as a number:
/// sorting the pairs then compares numbers, not names. Entities of equal kind and name share
/// a rank, so the order is the one of the names.
pub struct SideRanks {
    ranks: foldhash::HashMap<EntityId, u32>,
    /// The rank of an id the catalog lacks (named as [`crate::lexicon::UNKNOWN`]).
    unknown: u32,
}

impl SideRanks {
    /// Ranks the entities of `catalog`.
    pub fn of(catalog: &Catalog) -> SideRanks {
        let unknown = &crate::lexicon::UNKNOWN;
        let mut sides: Vec<(Kind, &str, Option<EntityId>)> = catalog
            .entities()
            .map(|(id, e)| (e.kind, e.name.as_str(), Some(id)))
            .chain([(unknown.kind, unknown.name.as_str(), None)])
            .collect();
        sides.sort_unstable();
        let mut ranks = foldhash::HashMap::default();
        let (mut rank, mut unknown_rank, mut previous) = (0, 0, None);
        for (kind, name, id) in sides {
            if previous != Some((kind, name)) {
                rank += 1;
                previous = Some((kind, name));
            }
            match id {
                Some(id) => {
                    ranks.insert(id, rank);
                }
                None => unknown_rank = rank,
            }
        }
        SideRanks {
            ranks,
            unknown: unknown_rank,
        }
    }

    fn rank(&self, id: EntityId) -> u32 {
        self.ranks.get(&id).copied().unwrap_or(self.unknown)
    }
}

/// The sort key of `cooccurrence` rows: sentences shared, most first, then the pair's sides
/// in (kind, name) order, by their ranks.
pub fn cooccurrence_key(
    ranks: &SideRanks,
) -> impl Fn(&PairEntry) -> (std::cmp::Reverse<u64>, [u32; 2]) + Copy + '_ {
    move |e: &PairEntry| {
        let (a, b) = (ranks.rank(e.0 .0), ranks.rank(e.0 .1));
        (std::cmp::Reverse(e.1.sentences), [a.min(b), a.max(b)])
    }
}

/// `cooccurrence` rows of pairs already in the table's order ([`cooccurrence_key`]),
/// each pair's sides ordered by (kind, entity).
pub fn cooccurrence_frame(rows: &[PairEntry], catalog: &Catalog) -> PolarsResult<DataFrame> {
    let sided: Vec<[(Kind, &str); 2]> = rows.iter().map(|r| sides(catalog, r.0)).collect();
    DataFrame::new(
        rows.len(),
        vec![
            strings("kind_a", sided.iter().map(|s| s[0].0.as_str())),
            strings("entity_a", sided.iter().map(|s| s[0].1)),
            strings("kind_b", sided.iter().map(|s| s[1].0.as_str())),
            strings("entity_b", sided.iter().map(|s| s[1].1)),
            ints("sentences", rows.iter().map(|r| r.1.sentences)),
            ints("documents", rows.iter().map(|r| r.1.documents)),
        ],
    )
}

/// The `documents` rows of a group of documents.
pub fn documents_table(group: &[DocResult], _lexicon: &Lexicon) -> PolarsResult<DataFrame> {
    let docs = || group.iter().map(|(d, _)| d);
    let optional = |name: &str, f: &dyn Fn(&crate::model::CleanDocument) -> Option<&str>| {
        Column::new(name.into(), docs().map(|d| f(&d.doc)).collect::<Vec<_>>())
    };
    let epoch = chrono::NaiveDate::default();
    let published = Column::new(
        "published".into(),
        docs()
            .map(|d| d.doc.meta.published.map(|p| (p - epoch).num_days() as i32))
            .collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)?;
    DataFrame::new(
        group.len(),
        vec![
            strings("doc_id", docs().map(|d| d.doc.meta.doc_id.as_str())),
            strings("source", docs().map(|d| d.doc.meta.source.as_str())),
            strings("record", docs().map(|d| d.doc.meta.record.as_str())),
            optional("outlet", &|d| d.outlet.as_deref()),
            optional("headline", &|d| d.headline.as_deref()),
            optional("dateline", &|d| d.dateline.as_deref()),
            published,
            strings("encoding", docs().map(|d| d.doc.meta.encoding.as_ref())),
            strings("flags", docs().map(|d| d.doc.meta.flags.as_str())),
            strings("text", docs().map(|d| d.doc.text.as_str())),
            ints("n_sentences", docs().map(|d| u64::from(d.n_sentences))),
            ints("n_tokens", docs().map(|d| u64::from(d.n_tokens))),
            optional("url", &|d| d.meta.url.as_deref()),
            optional("author", &|d| d.meta.author.as_deref()),
        ],
    )
}

/// The `mentions` rows of a group of documents: figures, places and terms (organisations have
/// their own table), with Unicode code-point offsets into `documents.text`.
pub fn mentions_table(group: &[DocResult], lexicon: &Lexicon) -> PolarsResult<DataFrame> {
    let mut doc_id = Vec::new();
    let mut sentence = Vec::new();
    let mut start = Vec::new();
    let mut end = Vec::new();
    let mut kind = Vec::new();
    let mut entity = Vec::new();
    let mut surface = Vec::new();
    let mut method = Vec::new();
    let mut sense = Vec::new();
    let mut evidence = Vec::new();
    let mut geonames_id = Vec::new();
    let senses = &lexicon.senses;
    for (doc, _) in group {
        let names = Names::new(lexicon, &doc.discovered);
        let text = doc.doc.text.as_str();
        let mut offsets = CodePoints::new(text);
        for m in &doc.mentions {
            let e = names.entity(m.entity);
            doc_id.push(doc.doc.meta.doc_id.as_str());
            sentence.push(i64::from(m.sentence));
            start.push(offsets.at(m.start) as i64);
            end.push(offsets.at(m.end) as i64);
            kind.push(e.kind.as_str());
            entity.push(e.name.as_str());
            surface.push(&text[m.start..m.end]);
            method.push(m.method.as_str());
            sense.push(m.sense.map(|(s, _)| senses.name(s)));
            evidence.push(m.sense.and_then(|(_, why)| senses.evidence(why)));
            geonames_id.push(names.geo(m.entity).and_then(|g| g.geonames_id));
        }
    }
    DataFrame::new(
        doc_id.len(),
        vec![
            Column::new("doc_id".into(), doc_id),
            Column::new("sentence".into(), sentence),
            Column::new("start".into(), start),
            Column::new("end".into(), end),
            Column::new("kind".into(), kind),
            Column::new("entity".into(), entity),
            Column::new("surface".into(), surface),
            Column::new("method".into(), method),
            Column::new("sense".into(), sense),
            Column::new("sense_evidence".into(), evidence),
            Column::new("geonames_id".into(), geonames_id),
        ],
    )
}

/// The `doc_entities` rows of a group of documents: mentions per entity per document, by
/// kind and name.
pub fn doc_entities_table(group: &[DocResult], lexicon: &Lexicon) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, Kind, &str, u64)> = Vec::new();
    for (doc, counts) in group {
        let names = Names::new(lexicon, &doc.discovered);
        let first = rows.len();
        for &(id, n) in &counts.entities {
            let e = names.entity(id);
            if e.kind != Kind::Organization {
                rows.push((doc.doc.meta.doc_id.as_str(), e.kind, e.name.as_str(), n));
            }
        }
        rows[first..].sort_unstable_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    }
    DataFrame::new(
        rows.len(),
        vec![
            strings("doc_id", rows.iter().map(|r| r.0)),
            strings("kind", rows.iter().map(|r| r.1.as_str())),
            strings("entity", rows.iter().map(|r| r.2)),
            ints("mentions", rows.iter().map(|r| r.3)),
        ],
    )
}

/// An occurrence of an open word that the corpus links to a person, as a merge adds it to
/// a shard's rows.
pub struct LinkedOccurrence<'a> {
    pub doc_id: &'a str,
    pub row: &'a super::surnames::OpenRow,
    pub person: &'a crate::lexicon::Entity,
}

/// The `mentions` rows of linked occurrences: what [`mentions_table`] writes for a mention
/// with method `corpus`.
pub fn linked_mentions(occurrences: &[LinkedOccurrence]) -> PolarsResult<DataFrame> {
    let n = occurrences.len();
    let method = crate::lexicon::Method::Corpus.as_str();
    DataFrame::new(
        n,
        vec![
            strings("doc_id", occurrences.iter().map(|o| o.doc_id)),
            ints(
                "sentence",
                occurrences.iter().map(|o| u64::from(o.row.sentence)),
            ),
            ints("start", occurrences.iter().map(|o| o.row.start)),
            ints("end", occurrences.iter().map(|o| o.row.end)),
            strings("kind", occurrences.iter().map(|o| o.person.kind.as_str())),
            strings("entity", occurrences.iter().map(|o| o.person.name.as_str())),
            strings("surface", occurrences.iter().map(|o| o.row.word.as_str())),
            strings("method", std::iter::repeat_n(method, n)),
            Column::new("sense".into(), vec![None::<&str>; n]),
            Column::new("sense_evidence".into(), vec![None::<&str>; n]),
            Column::new("geonames_id".into(), vec![None::<i64>; n]),
        ],
    )
}

/// The `doc_entities` rows of linked occurrences: mentions per linked person per document
/// (a document never counts the person otherwise).
pub fn linked_doc_entities(occurrences: &[LinkedOccurrence]) -> PolarsResult<DataFrame> {
    // Occurrences come document by document; a document's rows are its last ones.
    let mut rows: Vec<(&str, &crate::lexicon::Entity, u64)> = Vec::new();
    for o in occurrences {
        let same = rows
            .iter_mut()
            .rev()
            .take_while(|r| r.0 == o.doc_id)
            .find(|r| r.1 == o.person);
        match same {
            Some(row) => row.2 += 1,
            None => rows.push((o.doc_id, o.person, 1)),
        }
    }
    DataFrame::new(
        rows.len(),
        vec![
            strings("doc_id", rows.iter().map(|r| r.0)),
            strings("kind", rows.iter().map(|r| r.1.kind.as_str())),
            strings("entity", rows.iter().map(|r| r.1.name.as_str())),
            ints("mentions", rows.iter().map(|r| r.2)),
        ],
    )
}

/// The `rejects` table, sorted by source, record and reason.
pub fn rejects_table(rejects: &[Reject]) -> PolarsResult<DataFrame> {
    let mut rows: Vec<&Reject> = rejects.iter().collect();
    rows.sort();
    DataFrame::new(
        rows.len(),
        vec![
            strings("source", rows.iter().map(|r| r.source.as_str())),
            strings("record", rows.iter().map(|r| r.record.as_str())),
            strings("reason", rows.iter().map(|r| r.reason.as_str())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::aggregate::{EntityTotal, PairTotal};

    #[test]
    fn pairs_sort_by_ranks_as_by_names() {
        let mut totals = Totals::default();
        let names = [
            (Kind::Place, "Beijing"),
            (Kind::Figure, "Zhu Rongji"),
            (Kind::Figure, "Bill Clinton"),
            (Kind::Place, "Atlanta"),
        ];
        let ids: Vec<EntityId> = names
            .iter()
            .map(|&(kind, name)| {
                let id = totals.discovered.add(kind, name);
                totals.entities.insert(id, EntityTotal::default());
                id
            })
            .collect();
        let catalog = Catalog::of(&totals, &Lexicon::default());
        let pair = |a: usize, b: usize, sentences: u64| {
            let total = PairTotal {
                sentences,
                documents: 1,
            };
            ((ids[a], ids[b]), total)
        };
        // An id the catalog lacks sorts as the unknown entity does.
        let missing = ((ids[0], EntityId::MAX - 1), PairTotal::default());
        let mut entries = vec![
            pair(0, 1, 2),
            pair(3, 2, 2),
            pair(1, 2, 5),
            pair(0, 3, 2),
            missing,
        ];
        let by_names = |e: &PairEntry| (std::cmp::Reverse(e.1.sentences), sides(&catalog, e.0));
        let mut expected = entries.clone();
        expected.sort_by_cached_key(by_names);
        let ranks = SideRanks::of(&catalog);
        entries.sort_by_cached_key(cooccurrence_key(&ranks));
        assert_eq!(entries, expected);
    }
}
