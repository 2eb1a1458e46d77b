//! The generic pipeline (no person listed) and `newsetl eval`.

use std::path::Path;

use crate::common::{newsetl, read_csv, root, succeed};

fn run_generic(input: &Path, out: &Path) {
    let status = newsetl()
        .args([
            "run",
            "pipelines/generic.toml",
            "-q",
            "--no-report",
            "--input",
        ])
        .arg(input)
        .arg("--output")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

fn eval(gold: &Path, out: &Path) -> serde_json::Value {
    let output = succeed(
        newsetl()
            .args(["eval", "--json", "--errors", "5", "--gold"])
            .arg(gold)
            .arg(out),
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn generic_pipeline_finds_every_figure_and_place_of_the_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_generic(&root().join("seeds"), &out);
    // tests/gold/seeds.jsonl: the seeds' figures and places, checked by hand.
    let scores = eval(&root().join("tests/gold/seeds.jsonl"), &out);
    for kind in ["figure", "place"] {
        assert_eq!(scores[kind]["f1"], 1.0, "{kind}: {}", scores[kind]);
    }
    let figures = read_csv(&out.join("figures.csv"));
    let chen = figures
        .iter()
        .find(|f| f["entity"] == "Chen Ziming")
        .unwrap();
    assert_eq!(chen["mentions"], "9");
    let places = read_csv(&out.join("places.csv"));
    let beijing = places.iter().find(|p| p["entity"] == "Beijing").unwrap();
    assert_eq!(
        (
            beijing["mentions"].as_str(),
            beijing["country_code"].as_str()
        ),
        ("16", "CN")
    );
    // Unresolved capitalised names are offered for curation; demonyms, contractions and
    // single words that open a sentence are not.
    let candidates = read_csv(&out.join("candidates.csv"));
    let names: Vec<&str> = candidates.iter().map(|c| c["candidate"].as_str()).collect();
    assert!(names.contains(&"Foreign Minister"), "{names:?}");
    for noise in ["Chinese", "British", "American", "We're", "Two"] {
        assert!(!names.contains(&noise), "{noise} in {names:?}");
    }
}

#[test]
fn all_caps_headlines_demonyms_and_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("soccer.txt"),
        "SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.\n\n\
         AL-AIN, United Arab Emirates 1996-12-06\n\n\
         Japan began the defence of their Asian Cup title with a lucky 2-1 win against Syria. \
         Chinese fans were quiet. Coach Shu Kamo said the National Security Council was not told.",
    )
    .unwrap();
    let out = dir.path().join("out");
    run_generic(&input, &out);
    let mentions = read_csv(&out.join("mentions.csv"));
    let found = |kind: &str| -> Vec<String> {
        mentions
            .iter()
            .filter(|m| m["kind"] == kind)
            .map(|m| m["surface"].clone())
            .collect()
    };
    let places = found("place");
    assert!(
        places.contains(&"JAPAN".to_string()) && places.contains(&"CHINA".to_string()),
        "{places:?}"
    );
    assert!(places.contains(&"Syria".to_string()));
    assert!(
        !places.iter().any(|p| p == "Chinese"),
        "a demonym is not a place"
    );
    let figures = found("figure");
    assert_eq!(figures, vec!["Shu Kamo"], "{figures:?}");
}

#[test]
fn a_team_named_by_a_city_of_two_words_is_named_whole() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("baseball.txt"),
        "Jay Buhner singled as the Seattle Mariners edged the New York Yankees 2-1 in the \
         opener of a three-game series.",
    )
    .unwrap();
    let out = dir.path().join("out");
    run_generic(&input, &out);
    let organisations: Vec<String> = read_csv(&out.join("mentions.csv"))
        .iter()
        .filter(|m| m["kind"] == "organization")
        .map(|m| m["surface"].clone())
        .collect();
    assert_eq!(
        organisations,
        vec!["Seattle Mariners", "New York Yankees"],
        "{organisations:?}"
    );
}

#[test]
fn eval_counts_true_and_false_positives_by_surface() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "PARIS - Mr Jean Dupont met Mr Pierre Martin in Lyon.",
    )
    .unwrap();
    let out = dir.path().join("out");
    run_generic(&input, &out);
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        "{\"doc_id\": \"a\", \"kind\": \"figure\", \"surface\": \"Jean Dupont\", \"start\": 0, \"end\": 0}\n\
         {\"doc_id\": \"a\", \"kind\": \"figure\", \"surface\": \"Marie Curie\", \"start\": 0, \"end\": 0}\n\
         {\"doc_id\": \"a\", \"kind\": \"place\", \"surface\": \"PARIS\", \"start\": 0, \"end\": 0}\n",
    )
    .unwrap();
    let s = eval(&gold, &out);
    // Figures: Jean Dupont right, Pierre Martin extra, Marie Curie missed.
    assert_eq!(
        (
            s["figure"]["tp"].as_u64(),
            s["figure"]["fp"].as_u64(),
            s["figure"]["fn"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(s["figure"]["precision"], 0.5);
    assert_eq!(s["figure"]["top_misses"][0][0], "Marie Curie");
}

#[test]
fn eval_scores_organisations_from_a_second_gold_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_generic(&root().join("seeds"), &out);
    let organisations = dir.path().join("gold_organizations.jsonl");
    std::fs::write(
        &organisations,
        r#"{"doc_id": "000_04f977ba10c1aaa3", "kind": "organization", "surface": "Reuter", "start": 0, "end": 6}"#,
    )
    .unwrap();
    let output = succeed(
        newsetl()
            .args(["eval", "--json", "--gold"])
            .arg(root().join("tests/gold/seeds.jsonl"))
            .arg("--gold")
            .arg(&organisations)
            .arg(&out),
    );
    let scores: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(scores["figure"]["f1"], 1.0);
    assert_eq!(
        scores["organization"]["recall"], 1.0,
        "{}",
        scores["organization"]
    );
}
