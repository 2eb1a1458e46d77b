//! Bad input becomes rejects rows with a reason; the run goes on and the counts balance.

use crate::common::{read_csv, run};

#[test]
fn unreadable_records_are_rejected_with_reasons_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(input.join("good.txt"), "PARIS - China and Peking.").unwrap();
    std::fs::write(input.join("empty.txt"), "  \n").unwrap();
    std::fs::write(input.join("binary.txt"), b"\x00\x01\x02PNG").unwrap();
    std::fs::write(input.join("sub/latin1.txt"), b"caf\xe9 in Paris").unwrap();
    std::fs::write(input.join("ignored.json"), "{}").unwrap();
    let out = dir.path().join("out");
    let result = run(&[
        "run",
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );

    let rejects = read_csv(&out.join("rejects.csv"));
    let reasons: Vec<(&str, &str)> = rejects
        .iter()
        .map(|r| (r["source"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].0 == "binary.txt" && reasons[0].1.contains("NUL byte"));
    assert!(reasons[1].0 == "empty.txt" && reasons[1].1.contains("empty"));
    assert!(reasons[2].0 == "sub/latin1.txt" && reasons[2].1.contains("UTF-8"));

    let docs = read_csv(&out.join("documents.csv"));
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["doc_id"], "good");

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let input = &manifest["input"];
    assert_eq!(input["records"], 4);
    assert_eq!(input["documents"], 1);
    assert_eq!(input["rejects"], 3);
}
