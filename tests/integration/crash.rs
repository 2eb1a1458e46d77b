//! Outputs that survive a crash, and one writer at a time.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{newsetl, run, run_seeds};

/// Starts a run that reads standard input, so it blocks after creating its staging directory
/// and taking the lock, until we kill it or close its input.
fn blocked_run(out: &Path, extra: &[&str]) -> Child {
    newsetl()
        .args(["run", "--input", "-", "--output", out.to_str().unwrap()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for_staging(parent: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let staged = std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".out.staging-"));
        if staged {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the run never created its staging directory"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_run_leaves_the_previous_output_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_seeds(&out, &[]);
    let before = std::fs::read(out.join("mentions.csv")).unwrap();
    let manifest_before = std::fs::read(out.join("manifest.json")).unwrap();

    let mut child = blocked_run(&out, &[]);
    wait_for_staging(dir.path());
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(std::fs::read(out.join("mentions.csv")).unwrap(), before);
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        manifest_before
    );
    assert!(out.join("documents.parquet").is_file());

    // The next run cleans up what the killed one left and replaces the output.
    run_seeds(&out, &["--format", "csv"]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!out.join("documents.parquet").exists());
}

#[test]
fn a_second_run_on_the_same_output_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut first = blocked_run(&out, &[]);
    wait_for_staging(dir.path());
    let second = run(&["run", "--output", out.to_str().unwrap()]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another newsetl run is writing"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
}

#[test]
fn a_killed_incremental_run_leaves_no_cache_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_seeds(&out, &["--incremental"]);
    let new_files = || -> Vec<String> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("-new-"))
            .collect()
    };
    let mut child = blocked_run(&out, &["--incremental"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while new_files().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no new cache files: {:?}",
            new_files()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    run_seeds(&out, &["--incremental"]);
    assert!(new_files().is_empty(), "{:?}", new_files());
    assert!(dir.path().join(".out.cache").is_file());
}
