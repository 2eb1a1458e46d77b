//! `newsetl merge SHARD_DIR... --output DIR`: combine the outputs of `run --shard K/N` into the
//! tables a single run over everything would have written, byte for byte.
//!
//! Nothing here aggregates on its own: corpus tables come from the shards' corpus counts
//! folded with [`Totals::merge`] and built by the registry's builders, as a run builds them;
//! per-document tables are put back in input order (sorted paths, then records in file order),
//! each document's rows in the registry's order, and cut into groups of the run's size.
//! The merge streams: each shard's table is read a slice of a row group at a time and one
//! output row group is held at once, so memory follows the row group size, not the corpus.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::Reject;
use crate::pipeline::groups::{id_hash, GroupBounds, GroupCutter};
use crate::pipeline::{write_corpus_tables, CorpusPairs};
use crate::sinks::manifest::{InputInfo, Manifest, WrittenManifest};
use crate::sinks::staging::Staging;
use crate::sinks::{Format, TableWriter};
use crate::stages::aggregate::pairs::{PairEntry, PairRuns, DEFAULT_MAX_PAIRS, PAIRS_FILE};
use crate::stages::aggregate::registry::{Rows, TABLES};
use crate::stages::aggregate::surnames::{link_pairs, OpenRow, OpenRowsReader, SurnameLinks};
use crate::stages::aggregate::{Catalog, CorpusCounts, LinkedOccurrence, Totals};

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
    let manifests: Vec<WrittenManifest> = shards
        .iter()
        .map(|d| WrittenManifest::read(d))
        .collect::<Result<_>>()?;
    check_shards(shards, &manifests)?;
    let batch_size = manifests[0].manifest.pipeline.batch_size.max(1) as usize;

    let staging = Staging::create(output)?;
    let dir = staging.path();
    let (mut totals, mut catalog) = (Totals::default(), Catalog::default());
    // Each shard's pairs, sorted: merged as a run's spilled pairs are.
    let mut pair_runs = PairRuns::new(dir, DEFAULT_MAX_PAIRS);
    for shard in shards {
        let counts = CorpusCounts::read(shard)?;
        totals.merge(&counts.totals);
        catalog.merge(counts.catalog);
        let pairs = shard.join(PAIRS_FILE);
        if pairs.is_file() {
            pair_runs.add_sorted_file(pairs);
        }
    }
    // Surnames are linked over all shards, as one run links them over everything.
    let links = SurnameLinks::of(&totals, &catalog);
    let mut rows = BTreeMap::new();
    let n_docs = merge_document_tables(shards, dir, (batch_size, format), &links, &mut rows)?;
    let had_open = !totals.open.is_empty();
    totals.link_surnames(&links);
    let rejects = read_rejects(shards)?;
    let bound = pair_runs.bound;
    let merged = pair_runs.merged(std::mem::take(&mut totals.pairs))?;
    let pairs: Box<dyn Iterator<Item = Result<PairEntry>>> = if had_open {
        Box::new(link_pairs(merged, &links, (dir, bound))?)
    } else {
        Box::new(merged)
    };
    let pairs = CorpusPairs { pairs, bound };
    write_corpus_tables(dir, format, (&totals, &catalog), pairs, &rejects, &mut rows)?;

    let (manifest, inputs) = merged_manifest(&manifests, &rows, dir, format);
    let inputs_file = dir.join(".inputs.jsonl");
    let lines: Vec<String> = inputs
        .iter()
        .map(|i| serde_json::to_string(i).unwrap_or_default())
        .collect();
    std::fs::write(&inputs_file, lines.join("\n") + "\n")
        .map_err(|e| Error::io(format!("writing {}", inputs_file.display()), e))?;
    manifest.write(&dir.join("manifest.json"), &inputs_file)?;
    std::fs::remove_file(&inputs_file)
        .map_err(|e| Error::io(format!("removing {}", inputs_file.display()), e))?;
    staging.commit()?;
    Ok(MergeSummary {
        documents: n_docs,
        shards: shards.len(),
    })
}

/// Checks that the shards are one complete run's shards.
fn check_shards(dirs: &[PathBuf], manifests: &[WrittenManifest]) -> Result<()> {
    let first = &manifests[0].manifest;
    let count = first.shard.as_ref().map_or(1, |s| s.count);
    let mut seen = BTreeSet::new();
    for (dir, m) in dirs.iter().zip(manifests) {
        let m = &m.manifest;
        let name = dir.display();
        if m.pipeline.hash != first.pipeline.hash {
            return Err(usage(format!(
                "{name}: written by another pipeline than {}",
                dirs[0].display()
            )));
        }
        if m.tool.version != first.tool.version {
            return Err(usage(format!("{name}: written by another newsetl version")));
        }
        if m.shard.as_ref().map_or(1, |s| s.count) != count {
            return Err(usage(format!(
                "{name}: shard of another split than {}",
                dirs[0].display()
            )));
        }
        let index = m.shard.as_ref().map_or(0, |s| s.index);
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
    Ok(())
}

/// Writes every per-document table of the registry: shard rows in input order, cut into the
/// groups of documents a run cuts ([`crate::pipeline::groups`]), one row group each. Streams: each
/// shard's table is read a slice at a time, and only one output row group's rows are held, so
/// memory does not grow with the corpus.
/// Returns the number of documents.
fn merge_document_tables(
    shards: &[PathBuf],
    dir: &Path,
    (batch_size, format): (usize, Format),
    links: &SurnameLinks,
    rows: &mut BTreeMap<String, u64>,
) -> Result<usize> {
    let order = DocumentOrder::read(shards)?;
    for spec in TABLES {
        let Rows::PerDocument { within, linked, .. } = spec.rows else {
            continue;
        };
        let mut open_names: Vec<OpenRowsReader> = shards
            .iter()
            .map(|shard| OpenRowsReader::open(shard))
            .collect::<Result<_>>()?;
        // 2,048 rows a read at the default batch size: a slice of a row group.
        let piece_rows = 4 * batch_size.max(1);
        let mut cursors: Vec<TableCursor> = shards
            .iter()
            .map(|shard| {
                let path = shard.join(format!("{}.parquet", spec.name));
                TableCursor::open(&path, &spec.schema(), piece_rows)
            })
            .collect::<Result<_>>()?;
        let mut writer = TableWriter::create(dir, spec.name, &spec.schema(), format)?;
        for group in order.groups(GroupBounds::for_batch(batch_size)) {
            let mut frame: Option<DataFrame> = None;
            for (shard, cursor) in cursors.iter_mut().enumerate() {
                let ids: HashSet<u128> = group
                    .iter()
                    .filter(|d| d.shard as usize == shard)
                    .map(|d| d.id)
                    .collect();
                let rows = cursor.take_rows_of(&ids)?;
                match &mut frame {
                    None => frame = Some(rows),
                    Some(f) => {
                        f.vstack_mut_owned(rows)?;
                    }
                }
            }
            let position: HashMap<u128, u32> = group
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id, i as u32))
                .collect();
            let mut frame = frame.unwrap_or_default();
            if let Some(linked) = linked {
                let open = group_open_names(group, &mut open_names)?;
                let extra = linked(&linked_occurrences(&open, links))?;
                frame.vstack_mut_owned(extra)?;
            }
            frame.rechunk_mut();
            let mut frame = in_document_order(&frame, &position, within)?;
            writer.write(&mut frame)?;
        }
        for cursor in &mut cursors {
            cursor.expect_end()?;
        }
        if linked.is_some() {
            for reader in &open_names {
                reader.expect_end()?;
            }
        }
        rows.insert(spec.name.to_string(), writer.finish()?);
    }
    Ok(order.docs.len())
}

/// The open words of a group's documents, each document's taken from its shard in order:
/// `(doc_id, rows)`.
fn group_open_names(
    group: &[ShardDocument],
    readers: &mut [OpenRowsReader],
) -> Result<Vec<(String, Vec<OpenRow>)>> {
    let mut open = Vec::new();
    for doc in group {
        let reader = &mut readers[doc.shard as usize];
        if reader.next_doc_id().is_some_and(|id| id_hash(id) == doc.id) {
            open.extend(reader.take()?);
        }
    }
    Ok(open)
}

/// The occurrences among `open` of words that the corpus links to a person.
fn linked_occurrences<'a>(
    open: &'a [(String, Vec<OpenRow>)],
    links: &'a SurnameLinks,
) -> Vec<LinkedOccurrence<'a>> {
    open.iter()
        .flat_map(|(doc_id, rows)| rows.iter().map(move |row| (doc_id, row)))
        .filter_map(|(doc_id, row)| {
            let (_, person) = links.get(&row.word)?;
            Some(LinkedOccurrence {
                doc_id,
                row,
                person,
            })
        })
        .collect()
}

/// Every document of the shards, in input order.
struct DocumentOrder {
    docs: Vec<ShardDocument>,
}

/// A document (its id's hash: 16 bytes, not the id), the shard that holds it and its
/// tokens (where groups end depends on them).
struct ShardDocument {
    shard: u32,
    id: u128,
    tokens: u32,
}

impl DocumentOrder {
    /// Reads the documents' ids and places (not their text) from every shard and puts them
    /// in input order: the source path compared by components (the order of a sorted
    /// directory walk), then the record's place in the file (its line, or its WARC record
    /// number).
    fn read(shards: &[PathBuf]) -> Result<Self> {
        // (source, record number, document); sources are few, so each is kept once.
        let mut paths: BTreeMap<Vec<String>, u32> = BTreeMap::new();
        let mut source_of: HashMap<String, u32> = HashMap::new();
        let mut keyed: Vec<(u32, u64, ShardDocument)> = Vec::new();
        for (shard, dir) in shards.iter().enumerate() {
            let path = dir.join("documents.parquet");
            let file = File::open(&path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let frame = ParquetReader::new(file)
                .with_columns(Some(vec![
                    "doc_id".into(),
                    "source".into(),
                    "record".into(),
                    "n_tokens".into(),
                ]))
                .finish()
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let ids = frame.column("doc_id")?.str()?;
            let sources = frame.column("source")?.str()?;
            let records = frame.column("record")?.str()?;
            let tokens = frame.column("n_tokens")?.cast(&DataType::UInt32)?;
            let tokens = tokens.u32()?;
            let rows = ids.iter().zip(sources.iter()).zip(records.iter());
            for (((id, source), record), tokens) in rows.zip(tokens.iter()) {
                // `line 12` (JSONL, CSV, TREC) or `record 3` (WARC): the number orders records.
                let number = record
                    .and_then(|r| r.rsplit(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let source = source.unwrap_or("");
                let next = source_of.len() as u32;
                let source = *source_of.entry(source.to_string()).or_insert_with(|| {
                    paths.insert(source.split('/').map(String::from).collect(), next);
                    next
                });
                let doc = ShardDocument {
                    shard: shard as u32,
                    id: id_hash(id.unwrap_or("")),
                    tokens: tokens.unwrap_or(0),
                };
                keyed.push((source, number, doc));
            }
        }
        // Each source's rank among the sources sorted by path components.
        let mut rank = vec![0u32; paths.len()];
        for (r, &s) in paths.values().enumerate() {
            rank[s as usize] = r as u32;
        }
        keyed.sort_by_key(|(source, number, _)| (rank[*source as usize], *number));
        Ok(DocumentOrder {
            docs: keyed.into_iter().map(|(_, _, doc)| doc).collect(),
        })
    }

    /// The documents cut into the groups a single run writes.
    fn groups(&self, bounds: GroupBounds) -> Vec<&[ShardDocument]> {
        let mut cutter = GroupCutter::new(bounds);
        let mut groups = Vec::new();
        let mut start = 0;
        for (i, doc) in self.docs.iter().enumerate() {
            if cutter.push(doc.id, doc.tokens) {
                groups.push(&self.docs[start..=i]);
                start = i + 1;
            }
        }
        if start < self.docs.len() {
            groups.push(&self.docs[start..]);
        }
        groups
    }
}

/// One shard's table, read a slice at a time, in the shard's document order.
struct TableCursor {
    path: PathBuf,
    /// Slices not read yet: (first row, rows).
    groups: std::collections::VecDeque<(usize, usize)>,
    /// Rows read and not yet taken.
    loaded: DataFrame,
}

impl TableCursor {
    /// Opens a shard's table, which must have the columns this version writes, to be read
    /// `piece_rows` rows at a time: a slice of a row group, so that merging many shards holds
    /// a few thousand rows of each, not a row group of each.
    fn open(path: &Path, schema: &Schema, piece_rows: usize) -> Result<Self> {
        let bad = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", path.display()));
        let file = File::open(path).map_err(|e| bad(&e))?;
        let mut reader = ParquetReader::new(file);
        let metadata = reader.get_metadata().map_err(|e| bad(&e))?;
        let mut first = 0;
        let mut groups = std::collections::VecDeque::new();
        for group in &metadata.row_groups {
            let end = first + group.num_rows();
            while first < end {
                let rows = piece_rows.max(1).min(end - first);
                groups.push_back((first, rows));
                first += rows;
            }
        }
        // No rows, but the table's columns.
        let loaded = reader
            .with_slice(Some((0, 0)))
            .finish()
            .map_err(|e| bad(&e))?;
        if loaded.schema().as_ref() != schema {
            let names = |s: &Schema| s.iter_names().map(|n| n.to_string()).collect::<Vec<_>>();
            return Err(usage(format!(
                "{}: columns {:?}, but this newsetl writes {:?}: run the shard again with this version",
                path.display(),
                names(loaded.schema()),
                names(schema)
            )));
        }
        Ok(TableCursor {
            path: path.to_path_buf(),
            groups,
            loaded,
        })
    }

    /// Reads the next row group; `false` at the end of the table.
    fn load_next(&mut self) -> Result<bool> {
        let Some((first, rows)) = self.groups.pop_front() else {
            return Ok(false);
        };
        let bad = |e: &dyn std::fmt::Display| usage(format!("{}: {e}", self.path.display()));
        let file = File::open(&self.path).map_err(|e| bad(&e))?;
        let group = ParquetReader::new(file)
            .with_slice(Some((first, rows)))
            .finish()
            .map_err(|e| bad(&e))?;
        self.loaded.vstack_mut_owned(group).map_err(|e| bad(&e))?;
        Ok(true)
    }

    /// Takes the leading rows whose document is one of `ids` (the shard's next documents, in
    /// order; a document may have no rows in this table).
    fn take_rows_of(&mut self, ids: &HashSet<u128>) -> Result<DataFrame> {
        loop {
            let taken = self
                .loaded
                .column("doc_id")?
                .str()?
                .iter()
                .take_while(|id| ids.contains(&id_hash(id.unwrap_or(""))))
                .count();
            if taken < self.loaded.height() || !self.load_next()? {
                let rest = self.loaded.height() - taken;
                let rows = self.loaded.slice(0, taken);
                self.loaded = self.loaded.slice(taken as i64, rest);
                return Ok(rows);
            }
        }
    }

    /// Fails when rows are left that no document of the shards claimed.
    fn expect_end(&mut self) -> Result<()> {
        while self.load_next()? {}
        if self.loaded.height() == 0 {
            return Ok(());
        }
        let id = self.loaded.column("doc_id")?.str()?.get(0).unwrap_or("");
        Err(usage(format!(
            "shards disagree: {id} has rows in {} but no document",
            self.path.display()
        )))
    }
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

/// A column that orders rows within a document.
enum OrderColumn {
    Int(Int64Chunked),
    Str(StringChunked),
}

impl OrderColumn {
    fn cmp(&self, a: usize, b: usize) -> std::cmp::Ordering {
        match self {
            OrderColumn::Int(c) => c.get(a).cmp(&c.get(b)),
            OrderColumn::Str(c) => c.get(a).cmp(&c.get(b)),
        }
    }
}

/// The rows of `frame` sorted by their document's position (by doc_id hash), then by the
/// `within` columns.
fn in_document_order(
    frame: &DataFrame,
    position: &HashMap<u128, u32>,
    within: &[&str],
) -> Result<DataFrame> {
    let docs: Vec<u32> = frame
        .column("doc_id")?
        .str()?
        .iter()
        .map(|id| {
            let id = id.unwrap_or("");
            position
                .get(&id_hash(id))
                .copied()
                .ok_or_else(|| usage(format!("shards disagree: {id} has rows but no document")))
        })
        .collect::<Result<_>>()?;
    let order: Vec<OrderColumn> = within
        .iter()
        .map(|name| {
            let column = frame.column(name)?;
            Ok(match column.dtype() {
                DataType::Int64 => OrderColumn::Int(column.i64()?.clone()),
                _ => OrderColumn::Str(column.str()?.clone()),
            })
        })
        .collect::<Result<_>>()?;
    let mut idx: Vec<u32> = (0..frame.height() as u32).collect();
    idx.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        docs[a].cmp(&docs[b]).then_with(|| {
            order.iter().fold(std::cmp::Ordering::Equal, |o, c| {
                o.then_with(|| c.cmp(a, b))
            })
        })
    });
    Ok(frame.take(&IdxCa::from_vec("".into(), idx))?)
}

/// Every shard's rejects.
fn read_rejects(shards: &[PathBuf]) -> Result<Vec<Reject>> {
    let frame = read_all(shards, "rejects")?;
    let col = |name: &str| -> Result<StringChunked> { Ok(frame.column(name)?.str()?.clone()) };
    let (source, record, reason) = (col("source")?, col("record")?, col("reason")?);
    Ok((0..frame.height())
        .map(|i| Reject {
            source: source.get(i).unwrap_or("").to_string(),
            record: record.get(i).unwrap_or("").to_string(),
            reason: reason.get(i).unwrap_or("").to_string(),
        })
        .collect())
}

/// The manifest of the merged output: inputs, counts and stage times summed over shards;
/// and its inputs, in input order.
fn merged_manifest(
    manifests: &[WrittenManifest],
    rows: &BTreeMap<String, u64>,
    dir: &Path,
    format: Format,
) -> (Manifest, Vec<InputInfo>) {
    let mut merged = manifests[0].manifest.clone();
    merged.shard = None;
    merged.cache = None;
    let all = || manifests.iter().map(|m| &m.manifest);
    merged.started_at = all()
        .map(|m| m.started_at.clone())
        .min()
        .unwrap_or_default();
    merged.finished_at = all()
        .map(|m| m.finished_at.clone())
        .max()
        .unwrap_or_default();
    let mut inputs: BTreeMap<Vec<String>, InputInfo> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if i > 0 {
            merged.input.absorb(&m.manifest.input);
            for (stage, other) in merged.stages.iter_mut().zip(&m.manifest.stages) {
                stage.absorb(other);
            }
        }
        for input in &m.inputs {
            let key: Vec<String> = input.source.split('/').map(String::from).collect();
            inputs
                .entry(key)
                .and_modify(|known| known.absorb(input))
                .or_insert_with(|| input.clone());
        }
    }
    merged.input.files = inputs.len() as u64;
    merged.tables = crate::sinks::manifest::tables_info(dir, rows, format);
    (merged, inputs.into_values().collect())
}
