//! What a new user trips on first: colours in log files, errors said twice, run files in the
//! repository, and a container recipe that names what the project builds.

use std::path::Path;

use crate::common::{newsetl, root, stderr};

const ESC: &str = "\u{1b}[";

#[test]
fn a_log_written_to_a_file_has_no_colours_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let run = |color: Option<&str>| {
        let mut cmd = newsetl();
        cmd.env_remove("NO_COLOR")
            .args(["run", "--no-report", "--output"])
            .arg(&out_dir);
        if let Some(color) = color {
            cmd.args(["--color", color]);
        }
        cmd.output().unwrap()
    };
    // stderr is a pipe here, as under cron or `2> run.log`.
    let auto = run(None);
    assert!(auto.status.success());
    assert!(stderr(&auto).contains("run finished"), "{}", stderr(&auto));
    assert!(!stderr(&auto).contains(ESC), "{}", stderr(&auto));
    assert!(!stderr(&run(Some("never"))).contains(ESC));
    assert!(
        stderr(&run(Some("always"))).contains(ESC),
        "--color always colours"
    );
}

/// Runs newsetl with `args` and returns its stderr, asserting exit code 2.
fn usage_error(args: &[&str], json: bool) -> String {
    let mut cmd = newsetl();
    cmd.args(args);
    if json {
        cmd.args(["--log-format", "json"]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn an_error_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let bad_toml = dir.path().join("bad.toml");
    std::fs::write(&bad_toml, "[input]\npath = \n").unwrap();
    let missing = dir.path().join("missing");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", "pipelines/nope.toml"], "nope.toml"),
        (
            vec!["run", "--input", missing.to_str().unwrap()],
            "does not exist",
        ),
        (
            vec!["run", "--threads", "0"],
            "--threads must be at least 1",
        ),
        (vec!["run", bad_toml.to_str().unwrap()], "bad.toml"),
    ];
    for (args, needle) in cases {
        let text = usage_error(&args, false);
        assert_eq!(text.matches(needle).count(), 1, "{args:?}: {text}");
        assert!(text.starts_with("newsetl: error: "), "{args:?}: {text}");
        assert!(!text.contains("ERROR"), "{args:?}: {text}");

        // A JSON log carries it as one record, and nothing else.
        let json = usage_error(&args, true);
        let records: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect();
        assert_eq!(records.len(), 1, "{args:?}: {json}");
        assert_eq!(records[0]["level"], "ERROR");
        assert!(records[0]["fields"]["message"]
            .as_str()
            .unwrap()
            .contains(needle));
    }
}

/// The run files a default run creates beside `output/` in the repository root.
const RUN_FILES: &[&str] = &[
    "output/manifest.json",
    ".output.lock",
    ".output.cache",
    ".output.staging-123",
    ".output.staging-123.old",
    ".output.cache-new-123",
    ".output.cache-data-0",
    ".output.cache-groups",
    ".output.cache-groups-new-123",
];

#[test]
fn run_files_are_ignored_and_none_is_tracked() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(root())
            .args(args)
            .output()
    };
    let Ok(tracked) = git(&["ls-files"]) else {
        eprintln!("git is not installed: skipped");
        return;
    };
    if !tracked.status.success() {
        eprintln!("not a git checkout: skipped");
        return;
    }
    let tracked = String::from_utf8_lossy(&tracked.stdout).into_owned();
    for file in RUN_FILES {
        assert!(
            !tracked.lines().any(|l| l == *file),
            "{file} is tracked by git"
        );
        let ignored = git(&["check-ignore", "-q", "--no-index", file]).unwrap();
        assert!(ignored.status.success(), "{file} is not in .gitignore");
    }
}

/// `COPY` sources of the Dockerfile, each relative to the repository root.
fn copy_sources(dockerfile: &str) -> Vec<String> {
    dockerfile
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from="))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().skip(1).collect();
            let sources = words[..words.len() - 1].to_vec();
            sources.into_iter().map(String::from).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_dockerfile_builds_what_the_recipes_run() {
    let root = root();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    for source in copy_sources(&dockerfile) {
        assert!(
            Path::new(&root).join(&source).exists(),
            "Dockerfile copies {source}, which does not exist"
        );
    }
    // The entrypoint is the binary that Cargo builds.
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let binary = cargo["bin"][0]["name"].as_str().unwrap();
    let entrypoint = dockerfile
        .lines()
        .find(|l| l.starts_with("ENTRYPOINT"))
        .expect("an ENTRYPOINT");
    assert!(
        entrypoint.contains(&format!("\"/usr/local/bin/{binary}\"")),
        "{entrypoint}"
    );
    assert!(dockerfile.contains(&format!("target/release/{binary}")));
    assert!(dockerfile.contains("--locked"));
    // Every recipe runs the image that the README's build command tags.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let build = readme
        .lines()
        .find(|l| l.trim_start().starts_with("docker build"))
        .expect("a docker build command in the README");
    let tag = build
        .split_whitespace()
        .skip_while(|w| *w != "-t")
        .nth(1)
        .expect("docker build -t IMAGE");
    for recipe in ["deploy/cronjob.yaml", "deploy/indexed-job.yaml"] {
        let text = std::fs::read_to_string(root.join(recipe)).unwrap();
        let images: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("image:"))
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .collect();
        assert!(!images.is_empty(), "{recipe} names no image");
        for image in images {
            assert_eq!(image, tag, "{recipe}");
        }
    }
}
