//! `run --incremental`: re-runs reuse unchanged documents and give the same bytes as a full run.

use std::path::Path;

use crate::common::{assert_same_tables, default_pipeline_text, newsetl, root};

fn run(dir: &Path, input: &Path, out: &str, incremental: bool) -> serde_json::Value {
    let mut cmd = newsetl();
    cmd.current_dir(dir)
        .arg("run")
        .arg(root().join("pipelines/default.toml"))
        .args(["-q", "--input"])
        .arg(input)
        .args(["--output", out]);
    if incremental {
        cmd.arg("--incremental");
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(dir.join(out).join("manifest.json")).unwrap())
        .unwrap()
}

#[test]
fn incremental_runs_equal_full_runs_after_add_change_remove() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for seed in ["000_04f977ba10c1aaa3.txt", "004_5147f100b7f180c9.txt"] {
        std::fs::copy(root().join("seeds").join(seed), input.join(seed)).unwrap();
    }
    std::fs::write(
        input.join("extra.txt"),
        "PARIS - Warren Christopher met Qian Qichen.",
    )
    .unwrap();

    let first = run(dir.path(), &input, "inc", true);
    assert_eq!(first["cache"]["reused"], 0);
    assert_eq!(first["cache"]["processed"], 3);
    assert!(dir.path().join(".inc.cache").is_file());

    // Nothing changed: the run says so, exits 0 and leaves the output as it was.
    let out = newsetl()
        .current_dir(dir.path())
        .arg("run")
        .arg(root().join("pipelines/default.toml"))
        .arg("--input")
        .arg(&input)
        .args(["--output", "inc", "--incremental"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new to do"));
    let again: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("inc/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(again["run_id"], first["run_id"]);

    // Add one, change one, remove one.
    std::fs::write(
        input.join("added.txt"),
        "LONDON - Chris Patten spoke of Hong Kong.",
    )
    .unwrap();
    std::fs::write(
        input.join("extra.txt"),
        "PARIS - Warren Christopher met Qian Qichen. Mr Qian left.",
    )
    .unwrap();
    std::fs::remove_file(input.join("000_04f977ba10c1aaa3.txt")).unwrap();
    let changed = run(dir.path(), &input, "inc", true);
    assert_eq!(changed["cache"]["reused"], 1);
    assert_eq!(changed["cache"]["processed"], 2);
    run(dir.path(), &input, "full", false);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));

    // A changed pipeline file (here only a comment) invalidates the cache.
    let pipeline = dir.path().join("p.toml");
    let text = default_pipeline_text();
    std::fs::write(&pipeline, text + "\n# edited\n").unwrap();
    let out = newsetl()
        .current_dir(dir.path())
        .arg("run")
        .arg(&pipeline)
        .args(["-q", "--incremental", "--input"])
        .arg(&input)
        .args(["--output", "inc"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("inc/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m["cache"]["reused"], 0);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));
}
