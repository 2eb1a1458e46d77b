//! Web pages and WARC archives: the article and its metadata, rejects with reasons, and
//! counts of what no reader takes (tests/fixtures/web, made by its make.py).

use std::collections::HashMap;

use crate::common::{newsetl, read_csv, root, succeed};

fn run_fixtures(extra: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let out = newsetl()
        .args([
            "run",
            "-q",
            "--no-report",
            "--input",
            "tests/fixtures/web",
            "--output",
        ])
        .arg(dir.path().join("out"))
        .args(extra)
        .output()
        .unwrap();
    (dir, out)
}

/// A temporary input folder holding `files` (name, bytes).
fn input_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for (name, bytes) in files {
        std::fs::write(input.join(name), bytes).unwrap();
    }
    (dir, input)
}

/// Runs the default pipeline on `input` into `dir/out`, asserting success.
fn run_quietly(input: &std::path::Path, dir: &tempfile::TempDir) {
    succeed(
        newsetl()
            .args(["run", "-q", "--no-report", "--input"])
            .arg(input)
            .arg("--output")
            .arg(dir.path().join("out")),
    );
}

fn documents(dir: &tempfile::TempDir) -> HashMap<String, HashMap<String, String>> {
    read_csv(&dir.path().join("out/documents.csv"))
        .into_iter()
        .map(|r| (r["doc_id"].clone(), r))
        .collect()
}

#[test]
fn a_page_gives_its_article_title_date_url_author_and_site() {
    let (dir, out) = run_fixtures(&[]);
    assert!(out.status.success());
    let docs = documents(&dir);
    let cafe = &docs["cafe_windows1252"];
    assert_eq!(cafe["encoding"], "windows-1252", "declared by <meta>");
    assert_eq!(cafe["headline"], "Cafe owners freed");
    assert!(cafe["text"]
        .starts_with("Cafe owners freed\n\nPolice in Lyon released the two café owners"));
    assert!(
        cafe["text"].contains("\n\nThe owners of the café"),
        "paragraphs survive"
    );
    for boilerplate in [
        "Home",
        "Photo:",
        "Advertisement",
        "Read more",
        "Copyright",
        "tracker",
    ] {
        assert!(!cafe["text"].contains(boilerplate), "{boilerplate}");
    }
    assert_eq!(cafe["published"], "2019-11-19");
    assert_eq!(cafe["url"], "https://courier.example/cafe-owners-freed");
    assert_eq!(cafe["author"], "Jane Reporter");
    assert_eq!(cafe["outlet"], "The Example Courier");
    // The article's people, places and terms are found like any text's.
    let mentions = read_csv(&dir.path().join("out/mentions.csv"));
    assert!(mentions
        .iter()
        .any(|m| m["doc_id"] == "cafe_windows1252" && m["entity"] == "release"));
}

#[test]
fn warc_responses_are_documents_and_damage_is_a_reject() {
    let (dir, _) = run_fixtures(&[]);
    let docs = documents(&dir);
    let crawled = &docs["urn:uuid:00000000-0000-4000-8000-000000000003"];
    assert_eq!(crawled["source"], "crawl.warc");
    assert_eq!(crawled["record"], "record 3");
    assert_eq!(crawled["url"], "https://courier.example/dissidents-freed");
    assert!(crawled["text"].contains("Beijing released two jailed dissidents"));
    // The member before the cut is kept.
    assert!(docs.contains_key("urn:uuid:00000000-0000-4000-8000-000000000005"));
    let rejects = read_csv(&dir.path().join("out/rejects.csv"));
    let reasons: Vec<(String, String)> = rejects
        .iter()
        .map(|r| (r["source"].clone(), r["reason"].clone()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].0 == "no_article.html" && reasons[0].1.starts_with("no article:"));
    assert!(reasons[1].0 == "truncated.warc.gz" && reasons[1].1.starts_with("truncated record"));

    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    let input = &manifest["input"];
    assert_eq!(input["skipped_records"]["warc request"], 1);
    assert_eq!(input["skipped_records"]["warc metadata"], 1);
    assert_eq!(input["skipped_records"]["warc warcinfo"], 1);
    assert_eq!(input["skipped_files"][".pdf"], 1);
    assert_eq!(
        input["records"].as_u64(),
        Some(input["documents"].as_u64().unwrap() + input["rejects"].as_u64().unwrap())
    );
}

#[test]
fn files_no_reader_takes_are_reported_and_an_empty_result_fails_under_strict() {
    let pdf = std::fs::read(root().join("tests/fixtures/web/notes.pdf")).unwrap();
    let (dir, input) = input_with(&[("notes.pdf", &pdf)]);
    let run = |strict: bool| {
        let mut cmd = newsetl();
        cmd.args(["run", "--no-report", "--color", "never", "--input"])
            .arg(&input)
            .arg("--output")
            .arg(dir.path().join("out"));
        if strict {
            cmd.arg("--strict");
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("skipped files that no reader takes") && log.contains(".pdf"),
        "{log}"
    );
    assert!(log.contains("no document was read"), "{log}");
    assert_eq!(run(true).status.code(), Some(3));
}

#[test]
fn a_page_by_content_and_a_compressed_page_are_read() {
    let page = std::fs::read(root().join("tests/fixtures/web/cafe_windows1252.html")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &page).unwrap();
    let zipped = gz.finish().unwrap();
    let (dir, input) = input_with(&[("no_extension", &page), ("page.html.gz", &zipped)]);
    run_quietly(&input, &dir);
    let docs = read_csv(&dir.path().join("out/documents.csv"));
    assert_eq!(docs.len(), 2);
    for d in docs {
        assert_eq!(d["headline"], "Cafe owners freed", "{}", d["doc_id"]);
    }
}

/// A corrupt compressed WARC that the fuzzer found once made the reader reject without end.
#[test]
fn a_corrupt_compressed_warc_ends_with_a_reject() {
    let crawl =
        std::fs::read(root().join("tests/fixtures/fuzz/read_warc_endless_rejects.bin")).unwrap();
    let (dir, input) = input_with(&[("crawl.warc", &crawl)]);
    run_quietly(&input, &dir);
    let rejects = read_csv(&dir.path().join("out/rejects.csv"));
    assert!(!rejects.is_empty() && rejects.len() < 10, "{rejects:?}");
}
