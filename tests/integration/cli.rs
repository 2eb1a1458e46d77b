//! The command-line contract: exit codes and messages for bad configuration and input.

use crate::common::{run, stderr};

#[test]
fn unknown_key_in_pipeline_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("bad.toml");
    std::fs::write(
        &pipeline,
        "[input]\npath = \"x\"\n\n[output]\ndir = \"out\"\ncolour = \"blue\"\n",
    )
    .unwrap();
    let out = run(&["run", pipeline.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("line 6"), "{err}");
    assert!(err.contains("unknown field `colour`"), "{err}");
}

#[test]
fn malformed_lexicon_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lex.tsv"),
        "kind\tname\taliases\tshort\nplace\tParis\t\t\nplanet\tMars\t\t\n",
    )
    .unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[input]\npath = \"in\"\n[output]\ndir = \"out\"\n[[lexicons]]\npath = \"lex.tsv\"\n",
    )
    .unwrap();
    let out = run(&["run", pipeline.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("lex.tsv: line 3: unknown kind `planet`"),
        "{err}"
    );
}

#[test]
fn missing_pipeline_and_missing_input_exit_2() {
    let out = run(&["run", "pipelines/nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml"));

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let out = run(&[
        "run",
        "--input",
        missing.to_str().unwrap(),
        "--output",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn refuses_to_replace_a_directory_that_is_not_an_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let out = run(&["run", "--output", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(dir.path().join("precious.txt").exists());
}
