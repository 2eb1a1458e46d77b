//! `newsetl merge SHARD_DIR... --output DIR`: combine the outputs of `run --shard K/N` into the
//! tables a single run over everything would have written, byte for byte.
//!
//! Per-document tables are put back in input order (sorted paths, then records in file order)
//! and cut into row groups of the same number of documents as a run; corpus tables are summed
//! by key and sorted as a run sorts them. Shards are read from their Parquet files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::pipeline::config::Format;
use crate::pipeline::Staging;
use crate::sinks::{write_table, TableWriter};

/// What a merge wrote.
#[derive(Debug, Clone)]
pub struct MergeSummary {
    pub documents: usize,
    pub shards: usize,
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

/// Merges shard outputs into `output`.
pub fn merge(shards: &[PathBuf], output: &Path, format: Format) -> Result<MergeSummary> {
    if shards.is_empty() {
        return Err(usage("merge needs at least one shard directory".into()));
    }
    let manifests: Vec<Value> = shards
        .iter()
        .map(|d| read_manifest(d))
        .collect::<Result<_>>()?;
    let batch_size = check_shards(shards, &manifests)?;

    let staging = Staging::create(output)?;
    let dir = staging.path();

    let documents = read_all(shards, "documents")?;
    let order = document_order(&documents)?;
    let documents = documents.take(&order)?;
    let doc_ids = documents.column("doc_id")?.str()?.clone();
    let position: HashMap<&str, u32> = doc_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.unwrap_or(""), i as u32))
        .collect();

    let mentions = read_all(shards, "mentions")?;
    let mention_docs = doc_positions(&mentions, &position)?;
    let starts = mentions.column("start")?.i64()?.clone();
    let mut idx: Vec<u32> = (0..mentions.height() as u32).collect();
    idx.sort_by_key(|&i| (mention_docs[i as usize], starts.get(i as usize)));
    let mentions = mentions.take(&IdxCa::from_vec("".into(), idx.clone()))?;
    let mention_docs: Vec<u32> = idx.iter().map(|&i| mention_docs[i as usize]).collect();

    let doc_entities = read_all(shards, "doc_entities")?;
    let de_docs = doc_positions(&doc_entities, &position)?;
    let kinds = doc_entities.column("kind")?.str()?.clone();
    let entities = doc_entities.column("entity")?.str()?.clone();
    let mut idx: Vec<u32> = (0..doc_entities.height() as u32).collect();
    idx.sort_by_key(|&i| {
        let i = i as usize;
        (de_docs[i], kinds.get(i), entities.get(i))
    });
    let doc_entities = doc_entities.take(&IdxCa::from_vec("".into(), idx.clone()))?;
    let de_docs: Vec<u32> = idx.iter().map(|&i| de_docs[i as usize]).collect();

    // Row groups of `batch_size` documents, as `run` writes them.
    let n_docs = documents.height();
    let mut writers = [
        (
            "documents",
            &documents,
            (0..n_docs as u32).collect::<Vec<u32>>(),
        ),
        ("mentions", &mentions, mention_docs),
        ("doc_entities", &doc_entities, de_docs),
    ];
    let mut rows = BTreeMap::new();
    for (name, frame, docs_of_rows) in writers.iter_mut() {
        let mut writer = TableWriter::create(dir, name, frame.schema(), format)?;
        let mut start = 0usize;
        for group_start in (0..n_docs).step_by(batch_size.max(1)) {
            let group_end = (group_start + batch_size) as u32;
            let end = start + docs_of_rows[start..].partition_point(|&d| d < group_end);
            writer.write(&mut frame.slice(start as i64, end - start))?;
            start = end;
        }
        rows.insert(name.to_string(), writer.finish()?);
    }

    for table in ["figures", "places", "terms", "organizations"] {
        let frame = sum_entities(&read_all(shards, table)?)?;
        rows.insert(table.to_string(), write_table(dir, table, frame, format)?);
    }
    let candidates = sum_candidates(&read_all(shards, "candidates")?)?;
    rows.insert(
        "candidates".into(),
        write_table(dir, "candidates", candidates, format)?,
    );
    let co = sum_cooccurrence(&read_all(shards, "cooccurrence")?)?;
    rows.insert(
        "cooccurrence".into(),
        write_table(dir, "cooccurrence", co, format)?,
    );
    let rejects = read_all(shards, "rejects")?;
    let rejects = sort_rejects(&rejects)?;
    rows.insert(
        "rejects".into(),
        write_table(dir, "rejects", rejects, format)?,
    );

    let manifest = merged_manifest(&manifests, &rows, dir, format)?;
    let path = dir.join("manifest.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n",
    )
    .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    staging.commit()?;
    Ok(MergeSummary {
        documents: n_docs,
        shards: shards.len(),
    })
}

fn read_manifest(dir: &Path) -> Result<Value> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| usage(format!("{}: not a newsetl output ({e})", path.display())))?;
    serde_json::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))
}

/// Checks that the shards are one complete run's shards; returns the documents per row group.
fn check_shards(dirs: &[PathBuf], manifests: &[Value]) -> Result<usize> {
    let first = &manifests[0];
    let count = first["shard"]["count"].as_u64().unwrap_or(1);
    let mut seen = BTreeSet::new();
    for (dir, m) in dirs.iter().zip(manifests) {
        let name = dir.display();
        if m["pipeline"]["hash"] != first["pipeline"]["hash"] {
            return Err(usage(format!(
                "{name}: written by another pipeline than {}",
                dirs[0].display()
            )));
        }
        if m["tool"]["version"] != first["tool"]["version"] {
            return Err(usage(format!("{name}: written by another newsetl version")));
        }
        if m["shard"]["count"].as_u64().unwrap_or(1) != count {
            return Err(usage(format!(
                "{name}: shard of another split than {}",
                dirs[0].display()
            )));
        }
        let index = m["shard"]["index"].as_u64().unwrap_or(0);
        if !seen.insert(index) {
            return Err(usage(format!("{name}: shard {index}/{count} given twice")));
        }
        if !dir.join("documents.parquet").is_file() {
            return Err(usage(format!(
                "{name}: merge reads Parquet; run the shards with --format parquet or both"
            )));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(usage(format!(
            "missing shard(s) {} of {count}",
            missing.join(", ")
        )));
    }
    Ok(first["pipeline"]["batch_size"].as_u64().unwrap_or(512) as usize)
}

/// One table of every shard, stacked.
fn read_all(dirs: &[PathBuf], table: &str) -> Result<DataFrame> {
    let mut all: Option<DataFrame> = None;
    for dir in dirs {
        let path = dir.join(format!("{table}.parquet"));
        let file = File::open(&path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let frame = ParquetReader::new(file)
            .finish()
            .map_err(|e| usage(format!("{}: {e}", path.display())))?;
        match &mut all {
            None => all = Some(frame),
            Some(a) => {
                a.vstack_mut_owned(frame)
                    .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            }
        }
    }
    let mut frame = all.unwrap_or_default();
    frame.rechunk_mut();
    Ok(frame)
}

/// Input order of documents: the source path compared by components (the order of a sorted
/// directory walk), then the record's line in the file.
fn document_order(documents: &DataFrame) -> Result<IdxCa> {
    let sources = documents.column("source")?.str()?;
    let records = documents.column("record")?.str()?;
    let keys: Vec<(Vec<&str>, u64)> = sources
        .iter()
        .zip(records.iter())
        .map(|(s, r)| {
            let line = r
                .and_then(|r| r.strip_prefix("line "))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (s.unwrap_or("").split('/').collect(), line)
        })
        .collect();
    let mut idx: Vec<u32> = (0..keys.len() as u32).collect();
    idx.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
    Ok(IdxCa::from_vec("".into(), idx))
}

fn doc_positions(frame: &DataFrame, position: &HashMap<&str, u32>) -> Result<Vec<u32>> {
    frame
        .column("doc_id")?
        .str()?
        .iter()
        .map(|id| {
            let id = id.unwrap_or("");
            position
                .get(id)
                .copied()
                .ok_or_else(|| usage(format!("shards disagree: {id} has rows but no document")))
        })
        .collect()
}

/// Sums `entity, mentions, documents` tables; most mentioned first, ties by name. Other
/// columns (a place's gazetteer data) are the same in every shard and are kept.
fn sum_entities(frame: &DataFrame) -> Result<DataFrame> {
    let entity = frame.column("entity")?.str()?;
    let mentions = frame.column("mentions")?.i64()?;
    let documents = frame.column("documents")?.i64()?;
    let mut sums: HashMap<&str, (i64, i64, u32)> = HashMap::new();
    for i in 0..frame.height() {
        let s = sums
            .entry(entity.get(i).unwrap_or(""))
            .or_insert((0, 0, i as u32));
        s.0 += mentions.get(i).unwrap_or(0);
        s.1 += documents.get(i).unwrap_or(0);
    }
    let mut rows: Vec<(&str, (i64, i64, u32))> = sums.into_iter().collect();
    rows.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let first = IdxCa::from_vec("".into(), rows.iter().map(|r| r.1 .2).collect());
    let mut out = frame.take(&first)?;
    out.with_column(Column::new(
        "mentions".into(),
        rows.iter().map(|r| r.1 .0).collect::<Vec<_>>(),
    ))?;
    out.with_column(Column::new(
        "documents".into(),
        rows.iter().map(|r| r.1 .1).collect::<Vec<_>>(),
    ))?;
    Ok(out)
}

/// Sums co-occurrence tables; most shared sentences first, then by the pair.
fn sum_cooccurrence(frame: &DataFrame) -> Result<DataFrame> {
    let col = |name: &str| -> Result<StringChunked> { Ok(frame.column(name)?.str()?.clone()) };
    let (ka, ea, kb, eb) = (
        col("kind_a")?,
        col("entity_a")?,
        col("kind_b")?,
        col("entity_b")?,
    );
    let sentences = frame.column("sentences")?.i64()?;
    let documents = frame.column("documents")?.i64()?;
    type Pair<'a> = (&'a str, &'a str, &'a str, &'a str);
    let mut sums: HashMap<Pair, (i64, i64)> = HashMap::new();
    for i in 0..frame.height() {
        let key = (
            ka.get(i).unwrap_or(""),
            ea.get(i).unwrap_or(""),
            kb.get(i).unwrap_or(""),
            eb.get(i).unwrap_or(""),
        );
        let s = sums.entry(key).or_default();
        s.0 += sentences.get(i).unwrap_or(0);
        s.1 += documents.get(i).unwrap_or(0);
    }
    let mut rows: Vec<(Pair, (i64, i64))> = sums.into_iter().collect();
    rows.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "kind_a".into(),
                rows.iter().map(|r| r.0 .0).collect::<Vec<_>>(),
            ),
            Column::new(
                "entity_a".into(),
                rows.iter().map(|r| r.0 .1).collect::<Vec<_>>(),
            ),
            Column::new(
                "kind_b".into(),
                rows.iter().map(|r| r.0 .2).collect::<Vec<_>>(),
            ),
            Column::new(
                "entity_b".into(),
                rows.iter().map(|r| r.0 .3).collect::<Vec<_>>(),
            ),
            Column::new(
                "sentences".into(),
                rows.iter().map(|r| r.1 .0).collect::<Vec<_>>(),
            ),
            Column::new(
                "documents".into(),
                rows.iter().map(|r| r.1 .1).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// Sums candidate tables: documents added, the smallest example kept, as a run does.
fn sum_candidates(frame: &DataFrame) -> Result<DataFrame> {
    let names = frame.column("candidate")?.str()?;
    let documents = frame.column("documents")?.i64()?;
    let examples = frame.column("example")?.str()?;
    let mut sums: HashMap<&str, (i64, &str)> = HashMap::new();
    for i in 0..frame.height() {
        let example = examples.get(i).unwrap_or("");
        let s = sums
            .entry(names.get(i).unwrap_or(""))
            .or_insert((0, example));
        s.0 += documents.get(i).unwrap_or(0);
        if example < s.1 {
            s.1 = example;
        }
    }
    let mut rows: Vec<(&str, (i64, &str))> = sums.into_iter().collect();
    rows.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "candidate".into(),
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "documents".into(),
                rows.iter().map(|r| r.1 .0).collect::<Vec<_>>(),
            ),
            Column::new(
                "example".into(),
                rows.iter().map(|r| r.1 .1).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

fn sort_rejects(frame: &DataFrame) -> Result<DataFrame> {
    let col = |name: &str| -> Result<StringChunked> { Ok(frame.column(name)?.str()?.clone()) };
    let (s, r, why) = (col("source")?, col("record")?, col("reason")?);
    let mut idx: Vec<u32> = (0..frame.height() as u32).collect();
    idx.sort_by_key(|&i| {
        let i = i as usize;
        (s.get(i), r.get(i), why.get(i))
    });
    Ok(frame.take(&IdxCa::from_vec("".into(), idx))?)
}

/// The manifest of the merged output: inputs and counts summed over shards.
fn merged_manifest(
    manifests: &[Value],
    rows: &BTreeMap<String, u64>,
    dir: &Path,
    format: Format,
) -> Result<Value> {
    let mut merged = manifests[0].clone();
    let started = manifests
        .iter()
        .filter_map(|m| m["started_at"].as_str())
        .min();
    let finished = manifests
        .iter()
        .filter_map(|m| m["finished_at"].as_str())
        .max();
    merged["started_at"] = started.into();
    merged["finished_at"] = finished.into();
    if let Some(m) = merged.as_object_mut() {
        m.remove("shard");
        m.remove("cache");
    }
    let mut inputs: BTreeMap<Vec<String>, Value> = BTreeMap::new();
    let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
    let sum = |key: &str| -> u64 {
        manifests
            .iter()
            .map(|m| m["input"][key].as_u64().unwrap_or(0))
            .sum()
    };
    for m in manifests {
        for input in m["inputs"].as_array().into_iter().flatten() {
            let source = input["source"].as_str().unwrap_or("");
            let key: Vec<String> = source.split('/').map(String::from).collect();
            let entry = inputs.entry(key).or_insert_with(|| {
                let mut e = input.clone();
                for k in ["records", "documents", "rejects"] {
                    e[k] = 0.into();
                }
                e
            });
            for k in ["records", "documents", "rejects"] {
                let total = entry[k].as_u64().unwrap_or(0) + input[k].as_u64().unwrap_or(0);
                entry[k] = total.into();
            }
        }
        for (reason, n) in m["input"]["rejects_by_reason"]
            .as_object()
            .into_iter()
            .flatten()
        {
            *by_reason.entry(reason.clone()).or_default() += n.as_u64().unwrap_or(0);
        }
    }
    for key in ["bytes", "records", "documents", "rejects"] {
        merged["input"][key] = sum(key).into();
    }
    merged["input"]["rejects_by_reason"] = serde_json::to_value(by_reason).unwrap_or_default();
    merged["input"]["files"] = inputs.len().into();
    merged["inputs"] = Value::Array(inputs.into_values().collect());
    let mut tables = serde_json::Map::new();
    for (name, &n) in rows {
        let mut files = serde_json::Map::new();
        for path in crate::sinks::table_files(dir, name, format) {
            let file = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let hash = crate::stages::ingest::content_hash(&path)
                .map(|(_, h)| h)
                .unwrap_or_default();
            files.insert(file, hash.into());
        }
        tables.insert(
            name.clone(),
            serde_json::json!({ "rows": n, "files": files }),
        );
    }
    merged["tables"] = Value::Object(tables);
    let mut stages: Vec<Value> = manifests[0]["stages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for stage in stages.iter_mut() {
        let name = stage["name"].clone();
        let all = manifests
            .iter()
            .flat_map(|m| m["stages"].as_array().into_iter().flatten())
            .filter(|s| s["name"] == name);
        let (mut seconds, mut items_in, mut items_out) = (0.0, 0u64, 0u64);
        for s in all {
            seconds += s["seconds"].as_f64().unwrap_or(0.0);
            items_in += s["items_in"].as_u64().unwrap_or(0);
            items_out += s["items_out"].as_u64().unwrap_or(0);
        }
        stage["seconds"] = seconds.into();
        stage["items_in"] = items_in.into();
        stage["items_out"] = items_out.into();
    }
    merged["stages"] = Value::Array(stages);
    Ok(merged)
}
