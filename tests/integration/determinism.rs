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
