//! `manifest.json`: what a run read, what it wrote and how long each stage took. Wall-clock
//! times and the run id live here, never inside the tables, so tables stay byte-identical.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Version of the manifest layout; bumped when a field changes meaning or goes away.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// The run manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool: Tool,
    pub run_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub pipeline: PipelineInfo,
    pub input: InputSummary,
    /// Tables by name.
    pub tables: BTreeMap<String, TableInfo>,
    /// Stages in pipeline order.
    pub stages: Vec<StageInfo>,
    /// The shard of a `--shard K/N` run (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// Cache use in an incremental run (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheInfo>,
}

/// Which shard a run wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardInfo {
    /// From 0.
    pub index: u32,
    pub count: u32,
}

/// How an incremental run used its cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CacheInfo {
    /// Documents taken from the cache.
    pub reused: u64,
    /// Documents processed anew.
    pub processed: u64,
    /// Groups of documents whose rows were copied from the previous output, and groups
    /// written anew.
    #[serde(default)]
    pub groups_copied: u64,
    #[serde(default)]
    pub groups_written: u64,
    /// The same for `mentions` and `doc_entities` in a run that links surnames (written in a
    /// second pass, and copied only when the group's open words are linked as before).
    #[serde(default)]
    pub linked_groups_copied: u64,
    #[serde(default)]
    pub linked_groups_written: u64,
    /// Input files unchanged since the previous run (by size, times and inode), not read.
    #[serde(default)]
    pub files_unread: u64,
    /// JSONL files that grew at their end since the previous run: only the new lines read.
    #[serde(default)]
    pub files_resumed: u64,
}

/// The tool that wrote the output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The pipeline file that was run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipelineInfo {
    pub path: String,
    /// SHA-256 of the pipeline file and every lexicon it loads.
    pub hash: String,
    /// Documents per Parquet row group (`[run] batch_size`).
    pub batch_size: u64,
}

/// What was read. `records == documents + rejects` always holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputSummary {
    pub path: String,
    pub files: u64,
    /// Bytes of decoded text in the documents.
    pub bytes: u64,
    pub records: u64,
    pub documents: u64,
    pub rejects: u64,
    /// Reject counts by reason (the reason up to its first colon).
    pub rejects_by_reason: BTreeMap<String, u64>,
    /// Files of the input that no reader takes, by extension (`.pdf`, `(none)`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped_files: BTreeMap<String, u64>,
    /// Records read that are not articles, by kind (`warc request`); neither documents nor
    /// rejects.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped_records: BTreeMap<String, u64>,
}

/// One input file. `records == documents + rejects`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputInfo {
    /// Path relative to the input root.
    pub source: String,
    /// Size on disk.
    pub bytes: u64,
    /// Hash of the file's bytes (`xxh3-128:…`); absent for standard input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    pub records: u64,
    pub documents: u64,
    pub rejects: u64,
}

/// One written table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableInfo {
    pub rows: u64,
    /// File name → hash of its bytes (`xxh3-128:…`).
    pub files: BTreeMap<String, String>,
}

/// Time and counts of one stage. `seconds` is the time spent in the stage summed over all
/// worker threads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageInfo {
    pub name: String,
    pub seconds: f64,
    pub items_in: u64,
    pub items_out: u64,
}

impl Manifest {
    /// Writes the manifest as pretty JSON, with `inputs` (every input file, in input order)
    /// streamed from a file of JSON lines, so that a corpus of millions of files is never held
    /// in memory.
    pub fn write(&self, path: &Path, inputs_jsonl: &Path) -> Result<()> {
        use std::io::{BufRead, BufWriter, Write};
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Run(format!("serialising the manifest: {e}")))?;
        let head = json
            .trim_end()
            .strip_suffix('}')
            .unwrap_or(&json)
            .trim_end();
        let io = |e| Error::io(format!("writing {}", path.display()), e);
        let mut out = BufWriter::new(std::fs::File::create(path).map_err(io)?);
        write!(out, "{head},\n  \"inputs\": [").map_err(io)?;
        let lines = std::fs::File::open(inputs_jsonl).map_err(io)?;
        for (i, line) in std::io::BufReader::new(lines).lines().enumerate() {
            let line = line.map_err(io)?;
            write!(out, "{}\n    {line}", if i == 0 { "" } else { "," }).map_err(io)?;
        }
        writeln!(out, "\n  ]\n}}").map_err(io)?;
        out.flush().map_err(io)
    }
}

impl Tool {
    /// This build of newsetl.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The id of a run: its start time and process id.
pub fn run_id(started_at: &chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{}-{}",
        started_at.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

/// Rejects counted by category (the reason up to its first colon).
pub fn rejects_by_reason(rejects: &[crate::model::Reject]) -> BTreeMap<String, u64> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in rejects {
        let category = r.reason.split(':').next().unwrap_or_default().trim();
        *counts.entry(category.to_string()).or_default() += 1;
    }
    counts
}

/// Each written table's rows and the hashes of its files in `dir`.
pub fn tables_info(
    dir: &Path,
    rows: &BTreeMap<String, u64>,
    format: super::Format,
) -> BTreeMap<String, TableInfo> {
    use rayon::prelude::*;
    let wanted = |ext: &str| match ext {
        "csv" => format.csv(),
        _ => format.parquet(),
    };
    let files: Vec<(&String, String)> = rows
        .keys()
        .flat_map(|name| ["parquet", "csv"].map(|ext| (name, ext)))
        .filter(|(_, ext)| wanted(ext))
        .map(|(name, ext)| (name, format!("{name}.{ext}")))
        .collect();
    // Files are hashed on the workers: the output is read back whole.
    let hashes: Vec<String> = files
        .par_iter()
        .map(|(_, file)| {
            crate::stages::ingest::content_hash(&dir.join(file))
                .map(|(_, h)| h)
                .unwrap_or_default()
        })
        .collect();
    let mut tables: BTreeMap<String, TableInfo> = rows
        .iter()
        .map(|(name, &rows)| {
            let files = BTreeMap::new();
            (name.clone(), TableInfo { rows, files })
        })
        .collect();
    for ((name, file), hash) in files.into_iter().zip(hashes) {
        if let Some(table) = tables.get_mut(name) {
            table.files.insert(file, hash);
        }
    }
    tables
}

impl InputSummary {
    /// Adds the counts of another part of the same input (a shard).
    pub fn absorb(&mut self, other: &InputSummary) {
        self.bytes += other.bytes;
        self.records += other.records;
        self.documents += other.documents;
        self.rejects += other.rejects;
        for (reason, n) in &other.rejects_by_reason {
            *self.rejects_by_reason.entry(reason.clone()).or_default() += n;
        }
        // Skipped files and records are not added up: every shard walks every file and reads
        // every record (the shard filter comes after), so each counts all of them.
    }
}

impl InputInfo {
    /// Adds the counts that another shard took from the same file.
    pub fn absorb(&mut self, other: &InputInfo) {
        self.records += other.records;
        self.documents += other.documents;
        self.rejects += other.rejects;
    }
}

impl StageInfo {
    /// Adds another shard's time and counts of the same stage.
    pub fn absorb(&mut self, other: &StageInfo) {
        self.seconds += other.seconds;
        self.items_in += other.items_in;
        self.items_out += other.items_out;
    }
}

/// A manifest as read back, with its `inputs`.
#[derive(Debug, Clone, Deserialize)]
pub struct WrittenManifest {
    #[serde(flatten)]
    pub manifest: Manifest,
    pub inputs: Vec<InputInfo>,
}

impl WrittenManifest {
    /// Reads `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<WrittenManifest> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Usage(format!("{}: not a newsetl output ({e})", path.display())))?;
        serde_json::from_str(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
    }
}
