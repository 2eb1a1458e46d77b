//! The same input and pipeline give byte-identical tables whatever the thread count or batch.

use crate::common::run_seeds;

#[test]
fn one_and_two_threads_write_identical_tables() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    run_seeds(&one, &["--threads", "1"]);
    run_seeds(&two, &["--threads", "2"]);
    let mut compared = 0;
    for entry in std::fs::read_dir(&one).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        if name == "manifest.json" || name == "report.html" {
            continue;
        }
        let a = std::fs::read(one.join(name)).unwrap();
        let b = std::fs::read(two.join(name)).unwrap();
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
        compared += 1;
    }
    assert_eq!(compared, 20, "10 tables in 2 formats");
}
