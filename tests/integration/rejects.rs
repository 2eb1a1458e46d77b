//! Every real input and every broken input: the fixture corpus in `tests/fixtures/corpus` has
//! one file per case; each record must land in `documents` or in `rejects` with its reason,
//! and the counts must balance for every input.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{read_csv, root, run};

fn run_corpus(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn fixture_corpus_lands_where_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let result = run_corpus(&root().join("tests/fixtures/corpus"), &out, &[]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let rejects: HashMap<(String, String), String> = read_csv(&out.join("rejects.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["source"].clone(), r["record"].clone()),
                r["reason"].clone(),
            )
        })
        .collect();
    let reason = |source: &str, record: &str| -> &str {
        rejects
            .get(&(source.to_string(), record.to_string()))
            .unwrap_or_else(|| panic!("no reject for {source} {record}: {rejects:#?}"))
    };
    assert!(reason("binary.txt", "").starts_with("binary content"));
    assert!(reason("empty.txt", "").starts_with("empty document"));
    assert!(reason("whitespace.txt", "").starts_with("empty document"));
    assert!(reason("fake.txt.gz", "").starts_with("not gzip data"));
    assert!(reason("truncated.txt.gz", "").starts_with("truncated or corrupt compressed stream"));
    assert!(reason("articles.jsonl", "line 2").starts_with("not valid JSON"));
    assert!(reason("articles.jsonl", "line 3").starts_with("missing text field"));
    assert!(reason("articles.jsonl", "line 4").starts_with("text of the wrong type"));
    assert!(reason("articles.jsonl", "line 5").starts_with("duplicate doc_id: `j1`"));
    assert!(reason("articles.jsonl", "line 8").starts_with("not a JSON object"));
    assert!(reason("articles.csv", "line 4").starts_with("missing fields"));
    assert!(reason("la.sgml", "line 10").starts_with("unterminated <DOC>"));
    assert_eq!(rejects.len(), 12, "{rejects:#?}");

    let docs: HashMap<String, HashMap<String, String>> = read_csv(&out.join("documents.csv"))
        .into_iter()
        .map(|r| (r["doc_id"].clone(), r))
        .collect();
    let doc = |id: &str| {
        docs.get(id)
            .unwrap_or_else(|| panic!("no document {id}: {:?}", docs.keys()))
    };
    assert_eq!(doc("latin1")["encoding"], "windows-1252");
    assert!(doc("latin1")["text"].contains("café"));
    assert_eq!(doc("utf16")["encoding"], "UTF-16LE");
    assert_eq!(doc("bom_utf8")["text"], "Beijing and Peking are one city.");
    assert_eq!(doc("damaged_utf8")["flags"], "invalid_utf8_replaced");
    assert_eq!(doc("nul_byte")["flags"], "control_chars_removed");
    assert_eq!(doc("no_extension")["source"], "no_extension");
    assert_eq!(doc("zstd_article")["source"], "zstd_article.txt.zst");
    assert_eq!(doc("gz1")["source"], "compressed.jsonl.gz");
    // JSONL: id, title, date and outlet fields; a record without id is `path#line`.
    assert_eq!(doc("j1")["headline"], "Talks in Paris");
    assert_eq!(doc("j1")["published"], "1994-05-27");
    assert_eq!(doc("j1")["outlet"], "Reuters");
    assert_eq!(doc("articles.jsonl#6")["flags"], "unparsed_date");
    // CSV: quoted text over two lines, id or `path#line`.
    assert!(doc("c1")["text"].contains("China and Beijing, on two lines."));
    assert_eq!(doc("c1")["published"], "1994-05-27");
    assert_eq!(doc("articles.csv#5")["headline"], "Third");
    // TREC: DOCNO is the id, HEADLINE and DATE are read, entities decoded.
    assert_eq!(doc("LA052794-0001")["headline"], "CHINA FREES DISSIDENT");
    assert_eq!(doc("LA052794-0001")["published"], "1994-05-27");
    assert_eq!(doc("LA052794-0003")["text"], "Washington & Beijing.");
    assert_eq!(docs.len(), 15);

    // Nothing lost: records = documents + rejects, for the run and for every input.
    let m = manifest(&out);
    assert_eq!(m["input"]["records"], 27);
    assert_eq!(m["input"]["documents"], 15);
    assert_eq!(m["input"]["rejects"], 12);
    for input in m["inputs"].as_array().unwrap() {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(n("records"), n("documents") + n("rejects"), "{input}");
    }
    assert_eq!(m["input"]["rejects_by_reason"]["empty document"], 2);
}

#[test]
fn oversized_lines_links_and_loops_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    // A single JSONL line of several megabytes, over the configured limit, between good ones.
    let big = format!(
        "{{\"id\":\"big\",\"text\":\"{}\"}}",
        "Paris ".repeat(600_000)
    );
    std::fs::write(
        input.join("big.jsonl"),
        format!(
            "{{\"id\":\"a\",\"text\":\"Beijing\"}}\n{big}\n{{\"id\":\"b\",\"text\":\"Peking\"}}\n"
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(&input, input.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(input.join("missing.txt"), input.join("dangling.txt")).unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[input]\npath = \"in\"\nmax_document_bytes = 1000000\n[output]\ndir = \"out\"\n",
    )
    .unwrap();
    let result = run(&["run", pipeline.to_str().unwrap()]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let out = dir.path().join("out");
    let rejects = read_csv(&out.join("rejects.csv"));
    let reasons: Vec<String> = rejects
        .iter()
        .map(|r| format!("{} {}: {}", r["source"], r["record"], r["reason"]))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("big.jsonl line 2: document too large")),
        "{reasons:#?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("dangling.txt : cannot be read")),
        "{reasons:#?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("sub/loop : symbolic link loop")),
        "{reasons:#?}"
    );
    let docs = read_csv(&out.join("documents.csv"));
    let ids: Vec<&str> = docs.iter().map(|d| d["doc_id"].as_str()).collect();
    assert_eq!(ids, vec!["a", "b"]);
}

#[test]
fn strict_turns_rejects_into_exit_code_3_but_still_writes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("good.txt"), "Paris.").unwrap();
    std::fs::write(input.join("empty.txt"), "").unwrap();
    let out = dir.path().join("out");
    let lenient = run_corpus(&input, &out, &[]);
    assert_eq!(lenient.status.code(), Some(0));
    let strict = run_corpus(&input, &out, &["--strict"]);
    assert_eq!(strict.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("1 record(s) rejected"));
    assert_eq!(read_csv(&out.join("rejects.csv")).len(), 1);
    std::fs::remove_file(input.join("empty.txt")).unwrap();
    assert_eq!(
        run_corpus(&input, &out, &["--strict"]).status.code(),
        Some(0)
    );
}
