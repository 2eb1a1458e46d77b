//! Golden outputs: every CSV table of the seeds' run must equal `tests/golden/NAME.csv`.
//!
//! After an intended change, regenerate them with
//! `NEWSETL_UPDATE_GOLDEN=1 cargo test --test integration golden` and review the diff.

use newsetl::stages::aggregate::registry::table_names;

use crate::common::{root, run_seeds};

#[test]
fn seeds_tables_match_golden_files() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("out");
    run_seeds(&out, &["--format", "csv"]);
    let golden = root().join("tests/golden");
    let update = std::env::var_os("NEWSETL_UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for table in table_names() {
        let got = std::fs::read_to_string(out.join(format!("{table}.csv"))).unwrap();
        let path = golden.join(format!("{table}.csv"));
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (regenerate with NEWSETL_UPDATE_GOLDEN=1)",
                path.display()
            )
        });
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            differ.push(format!("{table}.csv first differs at line {}", line + 1));
        }
    }
    assert!(
        differ.is_empty(),
        "tables differ from tests/golden (regenerate with NEWSETL_UPDATE_GOLDEN=1 after an intended change): {differ:#?}"
    );
}
