//! `newsetl eval --places GOLD OUTPUT_DIR`: which place each labelled mention of an ambiguous
//! place name was resolved to, scored as the geo development set's README says. A labelled
//! mention is found when `mentions` has a place with its document, start and end; its
//! predicted place is the mention's `geonames_id`, and its country that place's
//! `country_code` in `places`. A mention not found counts as wrong.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::doc_key;
use crate::error::Result;
use crate::sinks::read::for_each_row;

/// One labelled mention: the place meant (the id is null when it is not in GeoNames' list).
#[derive(Debug, Deserialize)]
struct GoldPlace {
    doc_id: String,
    start: i64,
    end: i64,
    surface: String,
    geonames_id: Option<i64>,
    country_code: String,
}

/// Country and place accuracy over the labelled mentions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlaceReport {
    pub labelled: u64,
    pub found: u64,
    /// Labelled mentions whose predicted country is right.
    pub country_correct: u64,
    /// Labelled mentions with a GeoNames id, and those whose predicted id is right.
    pub with_id: u64,
    pub place_correct: u64,
    pub country_accuracy: f64,
    pub place_accuracy: f64,
    /// The same over the mentions found as places (those with an id, for places).
    pub found_country_accuracy: f64,
    pub found_place_accuracy: f64,
    /// Wrong or missing resolutions: `doc_id start surface: expected -> predicted`.
    pub errors: Vec<String>,
}

/// Scores the resolved places of `output` against the labelled mentions of `gold`.
pub fn evaluate_places(gold: &Path, output: &Path) -> Result<PlaceReport> {
    // The places table gives each place's country, and its id for outputs whose `mentions`
    // has no `geonames_id` column (before per-mention resolution).
    let mut places: HashMap<String, (String, String)> = HashMap::new();
    for_each_row(output, "places", |r| {
        let field = |name: &str| r.get(name).cloned().unwrap_or_default();
        places.insert(
            field("entity"),
            (field("geonames_id"), field("country_code")),
        );
        true
    })?;
    let mut predicted: HashMap<(String, i64, i64), (String, String)> = HashMap::new();
    for_each_row(output, "mentions", |r| {
        if r["kind"] == "place" {
            let key = (
                doc_key(&r["doc_id"]).to_string(),
                r["start"].parse().unwrap_or(-1),
                r["end"].parse().unwrap_or(-1),
            );
            let (place_id, country) = places.get(&r["entity"]).cloned().unwrap_or_default();
            let id = r.get("geonames_id").cloned().unwrap_or(place_id);
            predicted.insert(key, (id, country));
        }
        true
    })?;
    let mut report = PlaceReport {
        labelled: 0,
        found: 0,
        country_correct: 0,
        with_id: 0,
        place_correct: 0,
        country_accuracy: 0.0,
        place_accuracy: 0.0,
        found_country_accuracy: 0.0,
        found_place_accuracy: 0.0,
        errors: Vec::new(),
    };
    let mut found_with_id = 0;
    for g in super::read_gold::<GoldPlace>(gold)? {
        report.labelled += 1;
        report.with_id += u64::from(g.geonames_id.is_some());
        let key = (doc_key(&g.doc_id).to_string(), g.start, g.end);
        let expected = g.geonames_id.map_or("-".to_string(), |id| id.to_string());
        let Some((id, country)) = predicted.get(&key) else {
            let at = format!("{} {} {}", key.0, g.start, g.surface);
            report
                .errors
                .push(format!("{at}: {expected} {} -> not found", g.country_code));
            continue;
        };
        report.found += 1;
        found_with_id += u64::from(g.geonames_id.is_some());
        let country_right = *country == g.country_code;
        let place_right = g.geonames_id.is_some() && *id == expected;
        report.country_correct += u64::from(country_right);
        report.place_correct += u64::from(place_right);
        if !country_right || (g.geonames_id.is_some() && !place_right) {
            report.errors.push(format!(
                "{} {} {}: {expected} {} -> {id} {country}",
                key.0, g.start, g.surface, g.country_code
            ));
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    report.country_accuracy = ratio(report.country_correct, report.labelled);
    report.place_accuracy = ratio(report.place_correct, report.with_id);
    report.found_country_accuracy = ratio(report.country_correct, report.found);
    report.found_place_accuracy = ratio(report.place_correct, found_with_id);
    Ok(report)
}

/// The report as text; with `errors`, each wrong or missing resolution on a line.
pub fn render_places(report: &PlaceReport, errors: bool) -> String {
    let mut out = format!(
        "places: {} labelled, {} found, country accuracy {:.3} ({}), place accuracy {:.3} ({} of {}); of those found: country {:.3}, place {:.3}\n",
        report.labelled,
        report.found,
        report.country_accuracy,
        report.country_correct,
        report.place_accuracy,
        report.place_correct,
        report.with_id,
        report.found_country_accuracy,
        report.found_place_accuracy,
    );
    if errors {
        for e in &report.errors {
            out.push_str(&format!("  {e}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_right_wrong_and_missing_mentions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("places.csv"),
            "entity,mentions,documents,geonames_id,country_code,latitude,longitude,feature\n\
             Rochester,1,1,5134086,US,,,city\nLondon,1,1,2643743,GB,,,city\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("mentions.csv"),
            "doc_id,sentence,start,end,kind,entity,surface,method,sense,sense_evidence,geonames_id\n\
             0205,0,0,9,place,Rochester,ROCHESTER,lexicon,,,5134086\n\
             0001,0,5,11,place,London,LONDON,lexicon,,,2643743\n",
        )
        .unwrap();
        let gold = dir.path().join("gold.jsonl");
        std::fs::write(
            &gold,
            [
                r#"{"doc_id": "0205", "start": 0, "end": 9, "surface": "ROCHESTER", "geonames_id": 5091872, "country_code": "US"}"#,
                r#"{"doc_id": "0001", "start": 5, "end": 11, "surface": "LONDON", "geonames_id": 2643743, "country_code": "GB"}"#,
                r#"{"doc_id": "0002", "start": 1, "end": 5, "surface": "Troy", "geonames_id": null, "country_code": "US"}"#,
            ]
            .join("\n"),
        )
        .unwrap();
        let r = evaluate_places(&gold, dir.path()).unwrap();
        assert_eq!((r.labelled, r.found, r.with_id), (3, 2, 2));
        // Rochester, N.Y. for Rochester, N.H.: the right country, the wrong place.
        assert_eq!((r.country_correct, r.place_correct), (2, 1));
        assert_eq!(r.found_place_accuracy, 0.5);
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
    }
}
