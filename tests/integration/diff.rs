//! `newsetl diff`: real differences from a changed lexicon, an added and a removed article.

use std::path::{Path, PathBuf};

use crate::common::{newsetl, root};

/// A copy of the pipelines and seeds in a temporary directory, to change freely.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root().join("pipelines"), &dir.path().join("pipelines"));
        copy_dir(&root().join("seeds"), &dir.path().join("seeds"));
        Workspace { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn run(&self, out: &str) {
        let status = newsetl()
            .current_dir(self.dir.path())
            .args(["run", "-q", "--output", out])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn diff(&self, args: &[&str]) -> (i32, String) {
        let out = newsetl()
            .current_dir(self.dir.path())
            .arg("diff")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn equal_outputs_exit_0() {
    let ws = Workspace::new();
    ws.run("a");
    ws.run("b");
    let (code, text) = ws.diff(&["a", "b"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("figures: equal (15 rows)"), "{text}");
}

#[test]
fn a_changed_lexicon_shows_changed_counts() {
    let ws = Workspace::new();
    ws.run("old");
    // Without the alias, `Clinton` is no longer the lexicon's Bill Clinton; discovery still
    // finds the person (`President Clinton`, `Mr Clinton`) under the name in the text.
    let figures = ws.path("pipelines/lexicons/figures.tsv");
    let text = std::fs::read_to_string(&figures).unwrap();
    std::fs::write(
        &figures,
        text.replace("figure\tBill Clinton\tClinton|", "figure\tBill Clinton\t"),
    )
    .unwrap();
    ws.run("new");
    let (code, text) = ws.diff(&["old", "new", "--tables", "figures"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("- entity=\"Bill Clinton\" mentions=8 documents=2"),
        "{text}"
    );
    assert!(
        text.contains("+ entity=Clinton mentions=8 documents=2"),
        "{text}"
    );
    assert!(
        text.contains("figures: 1 added, 1 removed, 0 changed (15 -> 15 rows)"),
        "{text}"
    );
}

#[test]
fn added_and_removed_articles_show_as_rows() {
    let ws = Workspace::new();
    ws.run("old");
    std::fs::remove_file(ws.path("seeds/000_04f977ba10c1aaa3.txt")).unwrap();
    std::fs::write(
        ws.path("seeds/new.txt"),
        "PARIS - Warren Christopher met Mr Qian. Christopher left.",
    )
    .unwrap();
    ws.run("new");
    let (code, text) = ws.diff(&[
        "old",
        "new",
        "--format",
        "json",
        "--tables",
        "documents,places",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["equal"], false);
    let documents = &json["tables"][0];
    assert_eq!(documents["table"], "documents");
    assert_eq!(
        (documents["added"].as_u64(), documents["removed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        documents["examples"][0]["key"]["doc_id"],
        "000_04f977ba10c1aaa3"
    );
    assert_eq!(documents["examples"][0]["change"], "removed");
    assert_eq!(documents["examples"][1]["key"]["doc_id"], "new");
    let places = &json["tables"][1];
    let paris = places["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"]["entity"] == "Paris")
        .unwrap();
    assert_eq!(paris["change"], "changed");
    assert_eq!(paris["columns"]["mentions"], serde_json::json!(["3", "1"]));
    // The terms' counts changed; ignoring the count columns makes the table equal.
    let (code, _) = ws.diff(&["old", "new", "--tables", "terms"]);
    assert_eq!(code, 1);
    let (code, text) = ws.diff(&[
        "old",
        "new",
        "--tables",
        "terms",
        "--ignore-columns",
        "mentions,documents",
    ]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn errors_exit_2() {
    let ws = Workspace::new();
    ws.run("a");
    let (code, _) = ws.diff(&["a", "missing"]);
    assert_eq!(code, 2);
    ws.run("b");
    let path = ws.path("b/figures.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("entity,mentions,documents", "entity,count,documents", 1),
    )
    .unwrap();
    let out = newsetl()
        .current_dir(ws.path(""))
        .args(["diff", "a", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("table figures has another schema"));
}
