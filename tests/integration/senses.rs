//! Policy terms by sense: the `terms` rows per sense, and `newsetl eval --senses`.

use crate::common::{newsetl, read_csv, succeed};

#[test]
fn terms_by_sense_and_their_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "Police released the dissidents from jail on Monday.\n\nFans queued for the new album's release.",
    )
    .unwrap();
    std::fs::write(
        input.join("b.txt"),
        "Human rights groups welcomed the news.\n\nThe club sold the TV rights.",
    )
    .unwrap();
    let out = dir.path().join("out");
    succeed(
        newsetl()
            .args(["run", "-q", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(&out),
    );
    let terms: Vec<(String, String, String, String)> = read_csv(&out.join("terms.csv"))
        .into_iter()
        .map(|r| {
            (
                r["entity"].clone(),
                r["sense"].clone(),
                r["policy"].clone(),
                r["mentions"].clone(),
            )
        })
        .collect();
    let row =
        |e: &str, s: &str, p: &str| (e.to_string(), s.to_string(), p.to_string(), "1".to_string());
    assert_eq!(
        terms,
        vec![
            row("release", "custody", "true"),
            row("release", "product", "false"),
            row("rights", "human", "true"),
            row("rights", "commercial", "false"),
        ]
    );
    // Only the policy sense counts as the term in the per-document counts.
    let doc_entities = read_csv(&out.join("doc_entities.csv"));
    let release: Vec<_> = doc_entities
        .iter()
        .filter(|r| r["entity"] == "release")
        .collect();
    assert_eq!(release.len(), 1);
    assert_eq!(release[0]["mentions"], "1");

    // Gold: the first release is custody, the second (wrongly predicted here) publication.
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        concat!(
            r#"{"doc_id": "a", "term": "release", "surface": "released", "start": 7, "end": 15, "sense": "custody"}"#,
            "\n",
            r#"{"doc_id": "a", "term": "release", "surface": "release", "start": 90, "end": 97, "sense": "publication"}"#,
            "\n",
        ),
    )
    .unwrap();
    let report = succeed(
        newsetl()
            .args(["eval", "--json", "--senses"])
            .arg(&gold)
            .arg(&out),
    );
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let score = |term: &str, sense: &str| {
        report["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["term"] == term && s["sense"] == sense)
            .cloned()
            .unwrap_or_else(|| panic!("no score for {term}/{sense}: {report}"))
    };
    assert_eq!(score("release", "custody")["f1"], 1.0);
    assert_eq!(score("release", "publication")["recall"], 0.0);
    assert_eq!(score("release", "product")["precision"], 0.0);
}
