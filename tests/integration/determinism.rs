//! The same input and pipeline give byte-identical tables whatever the thread count.

use crate::common::{assert_same_tables, run_seeds};

#[test]
fn one_and_two_threads_write_identical_tables() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_seeds(&one, &["--threads", "1"]);
    run_seeds(&two, &["--threads", "2"]);
    assert_same_tables(&one, &two);
}

/// The generic pipeline links surnames across the corpus: its second pass encodes a group's
/// tables side by side on the workers.
#[test]
fn one_and_two_threads_write_identical_tables_when_surnames_are_linked() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    let generic = ["pipelines/generic.toml"];
    run_seeds(&one, &[&generic[..], &["--threads", "1"]].concat());
    run_seeds(&two, &[&generic[..], &["--threads", "2"]].concat());
    assert_same_tables(&one, &two);
}
