//! Exact counts on the seed articles, checked by hand against the text.

use std::collections::HashMap;

use crate::common::{read_csv, run_seeds};

const IND: &str = "000_04f977ba10c1aaa3";
const LAT: &str = "004_5147f100b7f180c9";

struct Seeds {
    docs: HashMap<String, HashMap<String, String>>,
    mentions: Vec<HashMap<String, String>>,
    doc_entities: Vec<HashMap<String, String>>,
}

fn seeds() -> Seeds {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_seeds(&out, &["--format", "csv"]);
    Seeds {
        docs: read_csv(&out.join("documents.csv"))
            .into_iter()
            .map(|r| (r["doc_id"].clone(), r))
            .collect(),
        mentions: read_csv(&out.join("mentions.csv")),
        doc_entities: read_csv(&out.join("doc_entities.csv")),
    }
}

impl Seeds {
    fn count(&self, doc: &str, entity: &str) -> usize {
        self.doc_entities
            .iter()
            .find(|r| r["doc_id"] == doc && r["entity"] == entity)
            .map_or(0, |r| r["mentions"].parse().unwrap())
    }

    fn surfaces(&self, doc: &str, entity: &str, method: &str) -> Vec<String> {
        self.mentions
            .iter()
            .filter(|m| m["doc_id"] == doc && m["entity"] == entity && m["method"] == method)
            .map(|m| m["surface"].clone())
            .collect()
    }
}

#[test]
fn documents_have_outlet_headline_dateline_and_clean_text() {
    let s = seeds();
    let ind = &s.docs[IND];
    assert_eq!(ind["outlet"], "The Independent");
    assert_eq!(ind["headline"], "China resists US demand on civil rights");
    assert_eq!(ind["dateline"], "PARIS");
    assert_eq!(ind["source"], format!("{IND}.txt"));
    assert!(!ind["text"].contains("Click to follow"));
    let lat = &s.docs[LAT];
    assert_eq!(lat["outlet"], "Los Angeles Times");
    assert_eq!(lat["dateline"], "WASHINGTON");
    assert!(lat["headline"].starts_with("U.S. Secretly Pushing Human Rights in China"));
    assert!(!lat["text"].contains("LAT HomeCollections"));
    assert!(!lat["text"].contains("Los Angeles Times Articles"));
}

#[test]
fn aliases_and_terms_count_exactly() {
    let s = seeds();
    // Peking is Beijing: four times in the Independent article, all as aliases.
    assert_eq!(s.count(IND, "Beijing"), 4);
    assert_eq!(s.surfaces(IND, "Beijing", "alias"), vec!["Peking"; 4]);
    // `most favoured nation (MFN)` is two mentions; `"most favored nation"` one.
    assert_eq!(s.count(IND, "MFN"), 2);
    assert_eq!(s.count(LAT, "MFN"), 1);
    assert_eq!(s.count(LAT, "Tiananmen Square"), 3);
    assert_eq!(s.count(IND, "United States"), 4);
    assert_eq!(s.count(IND, "rights"), 7);
    assert_eq!(s.count(LAT, "release"), 7);
    // Datelines count, in capitals.
    assert_eq!(s.count(IND, "Paris"), 3);
    assert_eq!(s.count(IND, "London"), 1);
}

#[test]
fn surnames_resolve_to_the_full_name_seen_earlier() {
    let s = seeds();
    assert_eq!(s.count(IND, "Warren Christopher"), 5);
    assert_eq!(
        s.surfaces(IND, "Warren Christopher", "coreference"),
        vec!["Christopher"; 4]
    );
    assert_eq!(s.count(LAT, "Chen Ziming"), 9);
    assert_eq!(s.surfaces(LAT, "Chen Ziming", "coreference").len(), 8);
    assert_eq!(s.count(IND, "Qian Qichen"), 4);
    assert_eq!(s.count(LAT, "Wang Juntao"), 4);
}

#[test]
fn organisations_and_demonyms_are_not_figures_or_places() {
    let s = seeds();
    for m in &s.mentions {
        assert!(
            !["Chinese", "American", "French", "British"].contains(&m["surface"].as_str()),
            "demonym counted: {m:?}"
        );
        assert!(["figure", "place", "term", "organization"].contains(&m["kind"].as_str()));
    }
    // `Clinton Administration` (twice) is an organisation, not the figure Clinton.
    assert_eq!(s.count(LAT, "Bill Clinton"), 5);
    let administration = s
        .mentions
        .iter()
        .filter(|m| m["entity"] == "Clinton Administration")
        .inspect(|m| assert_eq!(m["kind"], "organization"))
        .count();
    assert_eq!(administration, 2, "organisations are rows of `mentions`");
}

#[test]
fn offsets_slice_the_text_in_code_points() {
    let s = seeds();
    assert!(!s.mentions.is_empty());
    for m in &s.mentions {
        let text: Vec<char> = s.docs[&m["doc_id"]]["text"].chars().collect();
        let start: usize = m["start"].parse().unwrap();
        let end: usize = m["end"].parse().unwrap();
        let slice: String = text[start..end].iter().collect();
        assert_eq!(slice, m["surface"], "{m:?}");
    }
}
