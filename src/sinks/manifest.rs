//! `manifest.json`: what a run read, what it wrote and how long each stage took. Wall-clock
//! times and the run id live here, never inside the tables, so tables stay byte-identical.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Version of the manifest layout; bumped when a field changes meaning or goes away.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// The run manifest.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct ShardInfo {
    /// From 0.
    pub index: u32,
    pub count: u32,
}

/// How an incremental run used its cache.
#[derive(Debug, Clone, Serialize)]
pub struct CacheInfo {
    /// Documents taken from the cache.
    pub reused: u64,
    /// Documents processed anew.
    pub processed: u64,
}

/// The tool that wrote the output.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The pipeline file that was run.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineInfo {
    pub path: String,
    /// SHA-256 of the pipeline file and every lexicon it loads.
    pub hash: String,
    /// Documents per Parquet row group (`[run] batch_size`).
    pub batch_size: u64,
}

/// What was read. `records == documents + rejects` always holds.
#[derive(Debug, Clone, Serialize)]
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
}

/// One input file. `records == documents + rejects`.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
pub struct TableInfo {
    pub rows: u64,
    /// File name → hash of its bytes (`xxh3-128:…`).
    pub files: BTreeMap<String, String>,
}

/// Time and counts of one stage. `seconds` is the time spent in the stage summed over all
/// worker threads.
#[derive(Debug, Clone, Serialize)]
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
