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

/// Writes `n` short articles, each naming people and places, as `d000.txt`...
fn articles(input: &Path, n: usize) {
    let people = [
        "Warren Christopher",
        "Qian Qichen",
        "Chris Patten",
        "Bill Clinton",
    ];
    let places = ["PARIS", "BEIJING", "LONDON", "HONG KONG", "WASHINGTON"];
    std::fs::create_dir_all(input).unwrap();
    for i in 0..n {
        let text = format!(
            "{} - {} met {} on day {i}. {} said talks went well.",
            places[i % places.len()],
            people[i % people.len()],
            people[(i + 1) % people.len()],
            people[(i + 2) % people.len()],
        );
        std::fs::write(input.join(format!("d{i:03}.txt")), text).unwrap();
    }
}

#[test]
fn a_rerun_copies_unchanged_groups_and_does_not_read_unchanged_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    articles(&input, 80);
    let pipeline = dir.path().join("p.toml");
    // Groups of 4 documents on average: about 20 groups.
    let text = default_pipeline_text().replace("batch_size = 512", "batch_size = 2");
    std::fs::write(&pipeline, text).unwrap();
    let run = |out: &str, extra: &[&str]| -> serde_json::Value {
        crate::common::run_pipeline(&pipeline, &input, &dir.path().join(out), extra);
        let manifest = std::fs::read_to_string(dir.path().join(out).join("manifest.json"));
        serde_json::from_str(&manifest.unwrap()).unwrap()
    };
    // Files changed within two seconds of a run are read again by the next one.
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let first = run("inc", &["--incremental"]);
    assert_eq!(first["cache"]["groups_copied"], 0);
    let groups = first["cache"]["groups_written"].as_u64().unwrap();
    assert!(groups >= 8, "{groups} groups");

    // One article inserted in the middle of the input order, one changed at the end.
    std::fs::write(
        input.join("d040a.txt"),
        "ROME - Lamberto Dini met Chris Patten.",
    )
    .unwrap();
    std::fs::write(
        input.join("d079.txt"),
        "TOKYO - Tomiichi Murayama met Bill Clinton.",
    )
    .unwrap();
    let second = run("inc", &["--incremental"]);
    let cache = &second["cache"];
    assert_eq!(cache["processed"], 2, "{cache}");
    assert_eq!(cache["files_unread"], 79, "{cache}");
    let (copied, written) = (
        cache["groups_copied"].as_u64().unwrap(),
        cache["groups_written"].as_u64().unwrap(),
    );
    assert!(written <= 4 && copied + 4 >= groups, "{cache}");
    run("full", &[]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));

    // The previous output removed (the cache kept): documents come from the cache, groups
    // are written anew.
    std::fs::remove_dir_all(dir.path().join("inc")).unwrap();
    let rebuilt = run("inc", &["--incremental"]);
    assert_eq!(rebuilt["cache"]["groups_copied"], 0, "{}", rebuilt["cache"]);
    assert_eq!(rebuilt["cache"]["processed"], 0, "{}", rebuilt["cache"]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));

    // The previous output edited by hand: nothing is copied from it, the tables are right.
    std::fs::write(
        input.join("d080.txt"),
        "OSLO - Gro Harlem Brundtland spoke.",
    )
    .unwrap();
    let edited = dir.path().join("inc/mentions.csv");
    let mut csv = std::fs::read(&edited).unwrap();
    csv.extend_from_slice(b"junk\n");
    std::fs::write(&edited, csv).unwrap();
    let third = run("inc", &["--incremental"]);
    assert_eq!(third["cache"]["groups_copied"], 0, "{}", third["cache"]);
    run("full", &[]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));
}

#[test]
fn another_input_format_reads_unchanged_files_again() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let lines = "{\"id\": \"a\", \"text\": \"PARIS - Warren Christopher met Qian Qichen.\"}\n\
                 {\"id\": \"b\", \"text\": \"LONDON - Chris Patten spoke of Hong Kong.\"}\n";
    std::fs::write(input.join("news.jsonl"), lines).unwrap();
    // Old enough to be remembered by the first run.
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let pipeline = root().join("pipelines/default.toml");
    let run = |out: &str, extra: &[&str]| {
        crate::common::run_pipeline(&pipeline, &input, &dir.path().join(out), extra);
        let manifest = std::fs::read_to_string(dir.path().join(out).join("manifest.json"));
        serde_json::from_str::<serde_json::Value>(&manifest.unwrap()).unwrap()
    };
    let first = run("inc", &["--incremental"]);
    assert_eq!(first["input"]["documents"], 2);
    let again = run("inc", &["--incremental", "--input-format", "text"]);
    assert_eq!(again["input"]["documents"], 1, "the file is one text now");
    assert_eq!(again["cache"]["files_unread"], 0);
    run("full", &["--input-format", "text"]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));
}

#[test]
fn an_incremental_run_from_standard_input_reads_every_record_once() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let from_stdin = |text: &str| -> serde_json::Value {
        let mut child = newsetl()
            .current_dir(dir.path())
            .arg("run")
            .arg(root().join("pipelines/default.toml"))
            .args(["-q", "--incremental", "--input", "-", "--output", "inc"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        let manifest = std::fs::read_to_string(dir.path().join("inc/manifest.json")).unwrap();
        serde_json::from_str(&manifest).unwrap()
    };
    from_stdin("PARIS - Warren Christopher met Qian Qichen.");
    let second = from_stdin("LONDON - Chris Patten spoke of Hong Kong.");
    assert_eq!(second["input"]["documents"], 1, "{}", second["input"]);
    let places = std::fs::read_to_string(dir.path().join("inc/places.csv")).unwrap();
    assert!(places.contains("London"), "{places}");
}

#[test]
fn a_jsonl_file_that_grew_is_read_from_where_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let news = input.join("news.jsonl");
    let line = |id: &str, text: &str| format!("{{\"id\": \"{id}\", \"text\": \"{text}\"}}\n");
    let first = line("a", "PARIS - Warren Christopher met Qian Qichen.")
        + "\n"
        + &line("b", "LONDON - Chris Patten spoke of Hong Kong.");
    let pipeline = root().join("pipelines/default.toml");
    let run = |out: &str, extra: &[&str]| {
        crate::common::run_pipeline(&pipeline, &input, &dir.path().join(out), extra);
        let manifest = std::fs::read_to_string(dir.path().join(out).join("manifest.json"));
        serde_json::from_str::<serde_json::Value>(&manifest.unwrap()).unwrap()
    };
    // Files changed within 2 s of a run are not remembered by it.
    let settle = || std::thread::sleep(std::time::Duration::from_millis(2_100));
    std::fs::write(&news, &first).unwrap();
    settle();
    run("inc", &["--incremental"]);

    // A line changed in the old part (same length) and one appended: read again whole.
    let changed =
        first.replace("Chris Patten", "Chris Pattem") + &line("c", "ROME - Lamberto Dini spoke.");
    std::fs::write(&news, &changed).unwrap();
    settle();
    let m = run("inc", &["--incremental"]);
    assert_eq!(m["cache"]["files_resumed"], 0, "{}", m["cache"]);
    assert_eq!(m["cache"]["processed"], 2, "{}", m["cache"]);
    run("full", &[]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));

    // Two lines appended, one of them broken: only they are read, numbered after the others.
    let grown =
        changed + &line("d", "BEIJING - Li Peng received Warren Christopher.") + "{not json\n";
    std::fs::write(&news, &grown).unwrap();
    let m = run("inc", &["--incremental"]);
    assert_eq!(m["cache"]["files_resumed"], 1, "{}", m["cache"]);
    assert_eq!(m["cache"]["processed"], 1, "{}", m["cache"]);
    assert_eq!(m["cache"]["reused"], 3, "{}", m["cache"]);
    let rejects = std::fs::read_to_string(dir.path().join("inc/rejects.csv")).unwrap();
    assert!(rejects.contains("line 6"), "{rejects}");
    run("full", &[]);
    assert_same_tables(&dir.path().join("inc"), &dir.path().join("full"));
    let manifest = |out: &str| {
        let text = std::fs::read_to_string(dir.path().join(out).join("manifest.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["inputs"].clone()
    };
    assert_eq!(
        manifest("inc"),
        manifest("full"),
        "same sizes and hashes of the inputs"
    );
}
