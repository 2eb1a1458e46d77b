//! Building the polars tables from analysed documents and totals.

use polars::prelude::*;

use super::{CodePoints, DocCounts, EntityTotal, PairTotal, Totals};
use crate::lexicon::{EntityId, Kind, Lexicon};
use crate::model::{AnalyzedDocument, Reject};

impl Totals {
    /// The entity table of one kind: `entity, mentions, documents`, most mentioned first, ties
    /// by name.
    pub fn entity_table(&self, lexicon: &Lexicon, kind: Kind) -> PolarsResult<DataFrame> {
        let mut rows: Vec<(EntityId, &str, EntityTotal)> = self
            .entities
            .iter()
            .filter(|(id, _)| lexicon.entity(**id).kind == kind)
            .map(|(id, t)| (*id, lexicon.entity(*id).name.as_str(), *t))
            .collect();
        rows.sort_unstable_by(|a, b| b.2.mentions.cmp(&a.2.mentions).then(a.1.cmp(b.1)));
        let mut columns = vec![
            Column::new(
                "entity".into(),
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
            Column::new(
                "mentions".into(),
                rows.iter().map(|r| r.2.mentions as i64).collect::<Vec<_>>(),
            ),
            Column::new(
                "documents".into(),
                rows.iter()
                    .map(|r| r.2.documents as i64)
                    .collect::<Vec<_>>(),
            ),
        ];
        if kind == Kind::Place {
            // Gazetteer columns (null for places that a lexicon lists without them).
            let geo = |r: &(EntityId, &str, EntityTotal)| lexicon.geo.get(&r.0);
            columns.push(Column::new(
                "geonames_id".into(),
                rows.iter()
                    .map(|r| geo(r).and_then(|g| g.geonames_id))
                    .collect::<Vec<_>>(),
            ));
            columns.push(Column::new(
                "country_code".into(),
                rows.iter()
                    .map(|r| geo(r).and_then(|g| g.country_code.clone()))
                    .collect::<Vec<_>>(),
            ));
            columns.push(Column::new(
                "latitude".into(),
                rows.iter()
                    .map(|r| geo(r).and_then(|g| g.latitude))
                    .collect::<Vec<_>>(),
            ));
            columns.push(Column::new(
                "longitude".into(),
                rows.iter()
                    .map(|r| geo(r).and_then(|g| g.longitude))
                    .collect::<Vec<_>>(),
            ));
            columns.push(Column::new(
                "feature".into(),
                rows.iter()
                    .map(|r| geo(r).and_then(|g| g.feature.clone()))
                    .collect::<Vec<_>>(),
            ));
        }
        DataFrame::new(rows.len(), columns)
    }

    /// The `candidates` table: `candidate, documents, example`, most documents first.
    pub fn candidates_table(&self) -> PolarsResult<DataFrame> {
        let mut rows: Vec<(&String, &super::CandidateTotal)> = self.candidates.iter().collect();
        rows.sort_unstable_by(|a, b| b.1.documents.cmp(&a.1.documents).then(a.0.cmp(b.0)));
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "candidate".into(),
                    rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "documents".into(),
                    rows.iter()
                        .map(|r| r.1.documents as i64)
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "example".into(),
                    rows.iter()
                        .map(|r| r.1.example.as_str())
                        .collect::<Vec<_>>(),
                ),
            ],
        )
    }

    /// The `cooccurrence` table: pairs ordered within by (kind, entity); rows by sentences
    /// shared, most first, then by the pair.
    pub fn cooccurrence_table(&self, lexicon: &Lexicon) -> PolarsResult<DataFrame> {
        let key = |id: EntityId| {
            let e = lexicon.entity(id);
            (e.kind, e.name.as_str())
        };
        type Side<'a> = (Kind, &'a str);
        let mut rows: Vec<(Side, Side, PairTotal)> = self
            .pairs
            .iter()
            .map(|(&(a, b), t)| {
                let (a, b) = if key(a) <= key(b) { (a, b) } else { (b, a) };
                (key(a), key(b), *t)
            })
            .collect();
        rows.sort_unstable_by(|x, y| {
            y.2.sentences
                .cmp(&x.2.sentences)
                .then_with(|| (x.0, x.1).cmp(&(y.0, y.1)))
        });
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "kind_a".into(),
                    rows.iter().map(|r| r.0 .0.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "entity_a".into(),
                    rows.iter().map(|r| r.0 .1).collect::<Vec<_>>(),
                ),
                Column::new(
                    "kind_b".into(),
                    rows.iter().map(|r| r.1 .0.as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "entity_b".into(),
                    rows.iter().map(|r| r.1 .1).collect::<Vec<_>>(),
                ),
                Column::new(
                    "sentences".into(),
                    rows.iter()
                        .map(|r| r.2.sentences as i64)
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "documents".into(),
                    rows.iter()
                        .map(|r| r.2.documents as i64)
                        .collect::<Vec<_>>(),
                ),
            ],
        )
    }
}

/// The `documents` rows of a batch.
pub fn documents_table(docs: &[AnalyzedDocument]) -> PolarsResult<DataFrame> {
    let col_str = |name: &str, f: &dyn Fn(&AnalyzedDocument) -> &str| {
        Column::new(name.into(), docs.iter().map(f).collect::<Vec<_>>())
    };
    let col_opt = |name: &str, f: &dyn Fn(&AnalyzedDocument) -> Option<&str>| {
        Column::new(name.into(), docs.iter().map(f).collect::<Vec<_>>())
    };
    let epoch = chrono::NaiveDate::default();
    let published = Column::new(
        "published".into(),
        docs.iter()
            .map(|d| d.doc.meta.published.map(|p| (p - epoch).num_days() as i32))
            .collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)?;
    DataFrame::new(
        docs.len(),
        vec![
            col_str("doc_id", &|d| &d.doc.meta.doc_id),
            col_str("source", &|d| &d.doc.meta.source),
            col_str("record", &|d| &d.doc.meta.record),
            col_opt("outlet", &|d| d.doc.outlet.as_deref()),
            col_opt("headline", &|d| d.doc.headline.as_deref()),
            col_opt("dateline", &|d| d.doc.dateline.as_deref()),
            published,
            col_str("encoding", &|d| &d.doc.meta.encoding),
            col_str("flags", &|d| &d.doc.meta.flags),
            col_str("text", &|d| &d.doc.text),
            Column::new(
                "n_sentences".into(),
                docs.iter()
                    .map(|d| d.n_sentences as i64)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "n_tokens".into(),
                docs.iter().map(|d| d.n_tokens as i64).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// The `mentions` rows of a batch: figures, places and terms (organisations have their own
/// table), with Unicode code-point offsets into `documents.text`.
pub fn mentions_table(docs: &[AnalyzedDocument], lexicon: &Lexicon) -> PolarsResult<DataFrame> {
    let mut doc_id = Vec::new();
    let mut sentence = Vec::new();
    let mut start = Vec::new();
    let mut end = Vec::new();
    let mut kind = Vec::new();
    let mut entity = Vec::new();
    let mut surface = Vec::new();
    let mut method = Vec::new();
    for doc in docs {
        let text = doc.doc.text.as_str();
        let mut offsets = CodePoints::new(text);
        for m in &doc.mentions {
            let e = lexicon.entity(m.entity);
            if e.kind == Kind::Organization {
                continue;
            }
            doc_id.push(doc.doc.meta.doc_id.as_str());
            sentence.push(m.sentence as i64);
            start.push(offsets.at(m.start) as i64);
            end.push(offsets.at(m.end) as i64);
            kind.push(e.kind.as_str());
            entity.push(e.name.as_str());
            surface.push(&text[m.start..m.end]);
            method.push(m.method.as_str());
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
        ],
    )
}

/// The `doc_entities` rows of a batch: mentions per entity per document, by kind and name.
pub fn doc_entities_table(
    docs: &[AnalyzedDocument],
    counts: &[DocCounts],
    lexicon: &Lexicon,
) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, Kind, &str, i64)> = Vec::new();
    for (doc, counts) in docs.iter().zip(counts) {
        let first = rows.len();
        for &(id, n) in &counts.entities {
            let e = lexicon.entity(id);
            if e.kind != Kind::Organization {
                rows.push((
                    doc.doc.meta.doc_id.as_str(),
                    e.kind,
                    e.name.as_str(),
                    n as i64,
                ));
            }
        }
        rows[first..].sort_unstable_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    }
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "doc_id".into(),
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "kind".into(),
                rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "entity".into(),
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
            Column::new(
                "mentions".into(),
                rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// The `rejects` table, sorted by source and record.
pub fn rejects_table(rejects: &[Reject]) -> PolarsResult<DataFrame> {
    let mut rows: Vec<&Reject> = rejects.iter().collect();
    rows.sort();
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "source".into(),
                rows.iter().map(|r| r.source.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "record".into(),
                rows.iter().map(|r| r.record.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "reason".into(),
                rows.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(),
            ),
        ],
    )
}
