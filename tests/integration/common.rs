//! Helpers shared by the integration tests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `pipelines/` and `seeds/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `newsetl` command run from the repository root.
pub fn newsetl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsetl"));
    cmd.current_dir(root()).env_remove("NEWSETL_LOG");
    cmd
}

/// Runs a prepared `newsetl` command, asserting that it succeeds (showing its stderr if not).
pub fn succeed(cmd: &mut Command) -> Output {
    let output = cmd.output().expect("newsetl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs `newsetl` with `args`, returning its output.
pub fn run(args: &[&str]) -> Output {
    newsetl().args(args).output().expect("newsetl runs")
}

/// Runs the default pipeline on the seeds into `out`, asserting success.
pub fn run_seeds(out: &Path, extra: &[&str]) {
    let out_arg = out.to_str().unwrap();
    let mut args = vec!["run", "--output", out_arg];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert!(
        output.status.success(),
        "newsetl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Reads a CSV table as a list of rows keyed by column name.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Stderr of a command as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The default pipeline's text with its lexicon and name-list paths made absolute, so that a
/// copy written elsewhere loads the repository's files.
pub fn default_pipeline_text() -> String {
    let text = std::fs::read_to_string(root().join("pipelines/default.toml")).unwrap();
    let base = root().join("pipelines");
    text.replace("\"lexicons/", &format!("\"{}/lexicons/", base.display()))
        .replace("\"generic/", &format!("\"{}/generic/", base.display()))
        .replace("\"web/", &format!("\"{}/web/", base.display()))
        .replace("\"words\"", &format!("\"{}/words\"", base.display()))
}

/// Asserts that two output directories hold byte-identical tables (every file but the
/// manifest and the report, which carry the run's id and times): 10 tables in 2 formats.
pub fn assert_same_tables(a: &Path, b: &Path) {
    let mut compared = 0;
    for entry in std::fs::read_dir(a).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "manifest.json" || name == "report.html" {
            continue;
        }
        let same = std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap();
        assert!(
            same,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
        compared += 1;
    }
    assert_eq!(compared, 20, "10 tables in 2 formats");
}

/// Runs `pipeline` on `input` into `out` with `extra` arguments, asserting success.
pub fn run_pipeline(pipeline: &Path, input: &Path, out: &Path, extra: &[&str]) {
    succeed(
        newsetl()
            .arg("run")
            .arg(pipeline)
            .arg("--input")
            .arg(input)
            .arg("--output")
            .arg(out)
            .arg("-q")
            .args(extra),
    );
}

/// Runs `pipeline` on `input` as `n` shards under `base`, merges them and returns the merged
/// output directory.
pub fn shards_merged(pipeline: &Path, input: &Path, base: &Path, n: usize) -> PathBuf {
    let shards: Vec<PathBuf> = (0..n)
        .map(|k| {
            let out = base.join(format!("shards-{n}/{k}"));
            run_pipeline(pipeline, input, &out, &["--shard", &format!("{k}/{n}")]);
            out
        })
        .collect();
    let merged = base.join(format!("merged-{n}"));
    succeed(
        newsetl()
            .arg("merge")
            .args(&shards)
            .arg("--output")
            .arg(&merged),
    );
    merged
}
