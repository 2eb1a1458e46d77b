//! `[discovery] link_surnames`: a surname alone in one article is the person that other
//! articles of the run name in full, and shards + merge and incremental runs link alike.

use std::path::{Path, PathBuf};

use crate::common::{
    assert_same_tables, default_pipeline_text, read_csv, run_pipeline as run, shards_merged,
};

/// Articles where `Fischler` and `Santer` stand alone in one article and in full in another
/// (one of each twice, to cross shards), `Schmidt` alone while two Schmidts are named in full,
/// and `Windows` alone, a common word, while someone of that surname is named; a pipeline
/// that links surnames, in batches of 2.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let articles = [
        ("a.txt", "BRUSSELS - Farm commissioner Franz Fischler said on Monday that beef exports would stay banned."),
        ("b.txt", "The plan from Fischler and the letter of Santer reached Paris on Tuesday. Later the plan from Fischler was welcomed."),
        ("c.txt", "Commission president Jacques Santer said the ban was needed."),
        ("d.txt", "Finance minister Hans Schmidt said taxes would rise. Sales of Windows grew."),
        ("e.txt", "Former chancellor Helmut Schmidt said little. Analyst Matt Windows said nothing."),
        ("f.txt", "The letter of Schmidt reached Paris. The view of Fischler was heard in Paris too."),
        // A name in full: linked where it stands undecided when another article gives
        // evidence of a person (a role), not when only a reporting verb did.
        ("g.txt", "The film stars actor Zorblat Quimby. Xantho Vellur said the film was long."),
        ("h.txt", "The premiere with Zorblat Quimby and Xantho Vellur opened late."),
    ];
    for (name, text) in articles {
        std::fs::write(input.join(name), text).unwrap();
    }
    let pipeline = dir.join("p.toml");
    let text = default_pipeline_text()
        .replace("batch_size = 512", "batch_size = 2")
        .replace(
            "first_names = ",
            &format!(
                "link_surnames = true\ncommon_words = \"{}\"\nfirst_names = ",
                crate::common::root()
                    .join("pipelines/generic/common_words.txt")
                    .display()
            ),
        );
    std::fs::write(&pipeline, text).unwrap();
    (input, pipeline)
}

fn row<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    column: &str,
    value: &str,
) -> Option<&'a std::collections::HashMap<String, String>> {
    rows.iter().find(|r| r[column] == value)
}

#[test]
fn a_surname_alone_is_the_one_person_of_that_name_in_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let out = dir.path().join("out");
    run(&pipeline, &input, &out, &[]);

    let mentions = read_csv(&out.join("mentions.csv"));
    let linked: Vec<(&str, &str, &str)> = mentions
        .iter()
        .filter(|m| m["method"] == "corpus")
        .map(|m| {
            (
                m["doc_id"].as_str(),
                m["surface"].as_str(),
                m["entity"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        linked,
        [
            ("b", "Fischler", "Franz Fischler"),
            ("b", "Santer", "Jacques Santer"),
            ("b", "Fischler", "Franz Fischler"),
            ("f", "Fischler", "Franz Fischler"),
            ("h", "Zorblat Quimby", "Zorblat Quimby"),
        ]
    );
    // The offsets slice the text.
    let b = std::fs::read_to_string(input.join("b.txt")).unwrap();
    for m in mentions.iter().filter(|m| m["doc_id"] == "b") {
        let (start, end): (usize, usize) = (m["start"].parse().unwrap(), m["end"].parse().unwrap());
        assert_eq!(&b[start..end], m["surface"]);
    }

    let figures = read_csv(&out.join("figures.csv"));
    let fischler = row(&figures, "entity", "Franz Fischler").unwrap();
    assert_eq!(
        (
            fischler["mentions"].as_str(),
            fischler["documents"].as_str()
        ),
        ("4", "3")
    );
    // Two Schmidts: the one alone stays undecided; `Windows` is a common word.
    assert!(row(&figures, "entity", "Schmidt").is_none());
    let candidates = read_csv(&out.join("candidates.csv"));
    assert!(row(&candidates, "candidate", "Schmidt").is_some());
    assert!(row(&candidates, "candidate", "Fischler").is_none());
    assert!(!mentions
        .iter()
        .any(|m| m["surface"] == "Windows" && m["doc_id"] == "d"));

    let doc_entities = read_csv(&out.join("doc_entities.csv"));
    let in_b: Vec<(&str, &str)> = doc_entities
        .iter()
        .filter(|r| r["doc_id"] == "b")
        .map(|r| (r["entity"].as_str(), r["mentions"].as_str()))
        .collect();
    assert_eq!(
        in_b,
        [
            ("Franz Fischler", "2"),
            ("Jacques Santer", "1"),
            ("Paris", "1")
        ]
    );
    // The linked people share their sentences with what is there.
    let pairs = read_csv(&out.join("cooccurrence.csv"));
    let pair = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| p["entity_a"] == a && p["entity_b"] == b)
            .map(|p| (p["sentences"].clone(), p["documents"].clone()))
    };
    assert_eq!(
        pair("Franz Fischler", "Jacques Santer"),
        Some(("1".into(), "1".into()))
    );
    assert_eq!(
        pair("Franz Fischler", "Paris"),
        Some(("2".into(), "2".into()))
    );
}

#[test]
fn shards_and_incremental_runs_link_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let single = dir.path().join("single");
    run(&pipeline, &input, &single, &[]);
    for n in [2, 3] {
        let merged = shards_merged(&pipeline, &input, dir.path(), n);
        assert_same_tables(&single, &merged);
    }

    // One pair in memory: the pairs of open words are spilled, linked and merged back.
    let spilling = dir.path().join("spilling.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &spilling,
        text.replace("batch_size = 2", "batch_size = 2\nmax_pairs_in_memory = 1"),
    )
    .unwrap();
    let spilled = dir.path().join("spilled");
    run(&spilling, &input, &spilled, &[]);
    assert_same_tables(&single, &spilled);

    // An incremental run that first saw only some articles, then all.
    let partial = dir.path().join("partial");
    std::fs::create_dir(&partial).unwrap();
    for name in ["b.txt", "d.txt", "f.txt"] {
        std::fs::copy(input.join(name), partial.join(name)).unwrap();
    }
    let incremental = dir.path().join("inc");
    run(&pipeline, &partial, &incremental, &["--incremental"]);
    // There, one Schmidt was named in full, and no Fischler: links follow the corpus.
    let before = read_csv(&incremental.join("mentions.csv"));
    let linked: Vec<(&str, &str)> = before
        .iter()
        .filter(|m| m["method"] == "corpus")
        .map(|m| (m["doc_id"].as_str(), m["entity"].as_str()))
        .collect();
    assert_eq!(linked, [("f", "Hans Schmidt")]);
    run(&pipeline, &input, &incremental, &["--incremental"]);
    assert_same_tables(&single, &incremental);
}

#[test]
fn incremental_runs_that_link_copy_the_groups_whose_links_did_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    // Enough articles for several groups (8 documents on average).
    for i in 0..60 {
        let text = format!("ROME - Lamberto Dini met Chris Patten on day {i}.");
        std::fs::write(input.join(format!("x{i:03}.txt")), text).unwrap();
    }
    let (inc, full) = (dir.path().join("inc"), dir.path().join("full"));
    let cache = |out: &Path| -> serde_json::Value {
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&manifest).unwrap()["cache"].clone()
    };
    run(&pipeline, &input, &inc, &["--incremental"]);
    let groups = cache(&inc)["linked_groups_written"].as_u64().unwrap();
    assert!(groups >= 4, "{}", cache(&inc));

    // An article that links nothing new: groups copied in both passes.
    std::fs::write(input.join("i.txt"), "OSLO - Gro Harlem Brundtland spoke.").unwrap();
    run(&pipeline, &input, &inc, &["--incremental"]);
    let c = cache(&inc);
    assert!(c["groups_copied"].as_u64().unwrap() + 3 >= groups, "{c}");
    assert!(
        c["linked_groups_copied"].as_u64().unwrap() + 3 >= groups,
        "{c}"
    );
    run(&pipeline, &input, &full, &[]);
    assert_same_tables(&full, &inc);

    // An article that gives evidence for `Xantho Vellur`, left open in `g` and `h`: their
    // group's linked rows are written again, and the tables equal a full run.
    std::fs::write(input.join("j.txt"), "Actor Xantho Vellur smiled.").unwrap();
    run(&pipeline, &input, &inc, &["--incremental"]);
    let linked = read_csv(&inc.join("mentions.csv"));
    assert!(linked
        .iter()
        .any(|m| m["doc_id"] == "h" && m["entity"] == "Xantho Vellur" && m["method"] == "corpus"));
    let c = cache(&inc);
    assert!(c["linked_groups_written"].as_u64().unwrap() >= 1, "{c}");
    run(&pipeline, &input, &full, &[]);
    assert_same_tables(&full, &inc);
}
