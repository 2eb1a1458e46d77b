//! `run --shard K/N` + `merge` equals one run over everything, byte for byte.

use std::path::{Path, PathBuf};

use crate::common::{
    assert_same_tables, default_pipeline_text, newsetl, root, run_pipeline as run, shards_merged,
    succeed,
};

/// A corpus with documents, rejects and multi-record files, and a pipeline with small batches
/// (3 documents) so that merging must cut batches and row groups exactly as a run does.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let input = dir.join("in");
    std::fs::create_dir_all(input.join("seeds")).unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures/corpus"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(entry.path(), input.join(entry.file_name())).unwrap();
    }
    for entry in std::fs::read_dir(root().join("seeds")).unwrap().flatten() {
        std::fs::copy(entry.path(), input.join("seeds").join(entry.file_name())).unwrap();
    }
    // A crawl of several pages, whose records merge back in record order.
    let mut warc = String::new();
    for i in 0..7 {
        let page = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><article><p>Page {i}: \
             Beijing released the dissidents Chen Ziming and Wang Juntao on Monday, officials in \
             Paris said, after talks with Warren Christopher about human rights and trade.</p>\
             </article></body></html>"
        );
        warc.push_str(&format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:page-{i}>\r\n\
             WARC-Target-URI: https://example.org/{i}\r\nContent-Length: {}\r\n\r\n{page}\r\n\r\n",
            page.len()
        ));
    }
    std::fs::write(input.join("crawl.warc"), warc).unwrap();
    // Enough mentions for several row groups (384 rows each with batches of 3 documents).
    for i in 0..60 {
        std::fs::write(
            input.join(format!("gen-{i:02}.txt")),
            format!(
                "PARIS - Warren Christopher met Qian Qichen in Paris, day {i}. Mr Qian left for \
                 Peking. Chen Ziming and Wang Juntao were released in Beijing; Paris, London and \
                 Washington welcomed it, Warren Christopher said in Tokyo."
            ),
        )
        .unwrap();
    }
    let pipeline = dir.join("p.toml");
    let text = default_pipeline_text().replace("batch_size = 512", "batch_size = 3");
    std::fs::write(&pipeline, text).unwrap();
    (input, pipeline)
}

fn row_groups(path: &Path) -> usize {
    use polars::prelude::*;
    let mut reader = ParquetReader::new(std::fs::File::open(path).unwrap());
    reader.get_metadata().unwrap().row_groups.len()
}

#[test]
fn merged_shards_equal_a_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let single = dir.path().join("single");
    run(&pipeline, &input, &single, &[]);
    let single_manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(single.join("manifest.json")).unwrap())
            .unwrap();
    // Row groups gather several batches of 3 documents, and more than one group is written,
    // so merging must gather them as the run did.
    for table in ["mentions", "doc_entities"] {
        let groups = row_groups(&single.join(format!("{table}.parquet")));
        assert!(groups >= 2, "{table}: {groups} row group(s)");
        let documents = single_manifest["input"]["documents"].as_u64().unwrap() as usize;
        assert!(
            groups < documents.div_ceil(3),
            "{table}: {groups} row groups"
        );
    }

    for n in [1, 3, 8] {
        let mut shard_dirs = Vec::new();
        let mut documents = 0;
        for k in 0..n {
            let out = dir.path().join(format!("shards-{n}/part-{k}"));
            run(&pipeline, &input, &out, &["--shard", &format!("{k}/{n}")]);
            let m: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap())
                    .unwrap();
            assert_eq!(m["shard"]["count"], n);
            documents += m["input"]["documents"].as_u64().unwrap();
            shard_dirs.push(out);
        }
        assert_eq!(
            documents,
            single_manifest["input"]["documents"].as_u64().unwrap()
        );
        let merged = dir.path().join(format!("merged-{n}"));
        // Any order of shard directories.
        shard_dirs.reverse();
        succeed(
            newsetl()
                .arg("merge")
                .args(&shard_dirs)
                .arg("--output")
                .arg(&merged),
        );
        assert_same_tables(&single, &merged);
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(merged.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(m["input"], single_manifest["input"]);
        assert_eq!(m["inputs"], single_manifest["inputs"]);
    }
}

#[test]
fn merge_refuses_an_incomplete_split() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let a = dir.path().join("a");
    run(&pipeline, &input, &a, &["--shard", "0/2"]);
    let out = newsetl()
        .arg("merge")
        .arg(&a)
        .arg("--output")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing shard(s) 1 of 2"));
    let bad = newsetl().args(["run", "--shard", "2/2"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn merge_refuses_a_shard_with_other_columns() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let shard = dir.path().join("a");
    run(&pipeline, &input, &shard, &["--shard", "0/1"]);
    // A shard written by a version whose mentions had one column fewer.
    let path = shard.join("mentions.parquet");
    let file = std::fs::File::open(&path).unwrap();
    let mut older = ParquetReader::new(file)
        .finish()
        .unwrap()
        .drop("geonames_id")
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut older)
        .unwrap();
    let out = newsetl()
        .arg("merge")
        .arg(&shard)
        .arg("--output")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mentions.parquet: columns"), "{stderr}");
    assert!(stderr.contains("run the shard again"), "{stderr}");
}

#[test]
fn merge_refuses_a_cut_pairs_file() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let shard = dir.path().join("a");
    run(&pipeline, &input, &shard, &["--shard", "0/1"]);
    let path = shard.join("pairs.bin");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 32);
    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    let out = newsetl()
        .arg("merge")
        .arg(&shard)
        .arg("--output")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pairs.bin: the file ends inside a record"),
        "{stderr}"
    );
    assert!(!dir.path().join("m").exists());
}

#[test]
fn pairs_and_ids_spilled_to_disk_give_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (input, pipeline) = setup(dir.path());
    let single = dir.path().join("single");
    run(&pipeline, &input, &single, &[]);
    // At most 2 pairs in memory: the folded pairs are spilled over and over, and the
    // `cooccurrence` table is sorted in runs of 2 and merged; one document id in memory:
    // duplicates are found in the spilled ids.
    let small = dir.path().join("small.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    let text = text.replace(
        "batch_size = 3",
        "batch_size = 3\nmax_pairs_in_memory = 2\nmax_ids_in_memory = 1",
    );
    assert_ne!(text, std::fs::read_to_string(&pipeline).unwrap());
    std::fs::write(&small, text).unwrap();
    let spilled = dir.path().join("spilled");
    run(&small, &input, &spilled, &[]);
    assert_same_tables(&single, &spilled);
    let pairs = crate::common::read_csv(&spilled.join("cooccurrence.csv"));
    assert!(pairs.len() > 20, "{} pairs", pairs.len());
    let rejects = crate::common::read_csv(&spilled.join("rejects.csv"));
    assert!(rejects
        .iter()
        .any(|r| r["reason"].starts_with("duplicate doc_id: `j1`")));
    let leftovers: Vec<String> = std::fs::read_dir(&spilled)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".run") || name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Shards that spill, merged: the same again.
    let merged = shards_merged(&small, &input, dir.path(), 3);
    assert_same_tables(&single, &merged);
}
