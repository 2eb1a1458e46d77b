//! The typed pipeline file (`pipelines/*.toml`) and the validated settings built from it.
//!
//! Two layers, as in vector: [`PipelineFile`] is exactly what the TOML says (serde,
//! `deny_unknown_fields`), and [`Settings`] is what a run needs: paths resolved, command-line
//! overrides applied, lexicons loaded and rules compiled. Relative paths in the file are
//! relative to the file's own folder, so a pipeline runs the same from any working directory.

use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
pub use crate::sinks::Format;
use crate::stages::clean::{CleanRules, OutletRule};
use crate::stages::ingest::formats::{FieldMap, InputFormat};
use crate::stages::ingest::InputSettings;
use crate::wordlist::{WordLists, WORD_LIST_FILES};

/// The pipeline file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    pub input: InputSection,
    pub output: OutputSection,
    #[serde(default)]
    pub clean: CleanSection,
    #[serde(default)]
    pub lexicons: Vec<LexiconSection>,
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub discovery: DiscoverySection,
    #[serde(default)]
    pub senses: Option<SensesSection>,
    #[serde(default)]
    pub html: HtmlSection,
}

/// `[html]`: boilerplate of web pages, as data.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct HtmlSection {
    /// A file of CSS selectors (one a line): elements removed before the article is found.
    #[serde(default)]
    pub drop_selectors: Option<PathBuf>,
    /// A file of regular expressions (one a line): whole lines of the article removed.
    #[serde(default)]
    pub drop_lines: Option<PathBuf>,
}

/// `[senses]`: which sense of a policy term a mention has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensesSection {
    /// The sense file: `term, sense, where, cue, weight` (see `stages::entities::senses`).
    pub cues: PathBuf,
    /// Each term's policy sense, counted as the term (`release = "custody"`).
    pub policy: std::collections::BTreeMap<String, String>,
}

/// `[discovery]`: finding what no lexicon lists.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DiscoverySection {
    /// Find people from evidence (titles, first names, reporting verbs, coreference).
    #[serde(default)]
    pub figures: bool,
    /// A list of first names, one a line (evidence for `figures`).
    #[serde(default)]
    pub first_names: Option<PathBuf>,
    /// A list of common lowercase words, one a line: such a word capitalised alone in an
    /// article (`Windows`) is never linked to a person of another article whose surname it is.
    #[serde(default)]
    pub common_words: Option<PathBuf>,
    /// Link a one-word name that an article leaves undecided to the one person of that
    /// surname whom the run's other articles name in full (`Fischler` to `Franz Fischler`).
    /// The per-document tables then wait for the whole corpus: documents are parked in the
    /// staging directory and written in a second pass.
    #[serde(default)]
    pub link_surnames: bool,
    /// The folder of word lists (titles, roles, reporting verbs, organisation words, stop
    /// words, place prepositions; see [`crate::wordlist`]); needed by `figures`.
    #[serde(default)]
    pub words: Option<PathBuf>,
}

/// `[input]`: where the articles are and how to read them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSection {
    /// A file or a directory (walked recursively, in sorted order), or `-` for stdin.
    pub path: PathBuf,
    /// Extensions read, compared after removing `.gz`/`.zst` (`""` for none).
    #[serde(default = "default_extensions")]
    pub extensions: Vec<String>,
    /// `auto` (by extension, then content), `text`, `jsonl`, `csv` or `trec`.
    #[serde(default)]
    pub format: InputFormat,
    /// Field names of JSONL and CSV records.
    #[serde(default)]
    pub fields: FieldMap,
    /// Records larger than this many bytes are rejected.
    #[serde(default = "default_max_document_bytes")]
    pub max_document_bytes: u64,
}

fn default_extensions() -> Vec<String> {
    [
        "txt", "text", "", "jsonl", "ndjson", "csv", "sgml", "sgm", "trec", "html", "htm", "xhtml",
        "warc",
    ]
    .map(String::from)
    .to_vec()
}

fn default_max_document_bytes() -> u64 {
    16 << 20
}

/// `[output]`: where the tables go.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    pub dir: PathBuf,
    #[serde(default)]
    pub format: Format,
}

/// `[clean]`: the boilerplate, outlet, headline and dateline rules.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CleanSection {
    /// Lines removed wherever they stand (compared after trimming whitespace).
    #[serde(default)]
    pub drop_lines: Vec<String>,
    /// Outlets, recognised by marker lines (usually their boilerplate).
    #[serde(default)]
    pub outlets: Vec<OutletRule>,
    /// Regular expression for a dateline at the start of a paragraph; the named group `place`
    /// is the dateline. The whole match stays in the text.
    #[serde(default)]
    pub dateline: Option<String>,
    /// Take the first paragraph as the headline when it is not a dateline paragraph.
    #[serde(default = "yes")]
    pub headline_first_paragraph: bool,
}

fn yes() -> bool {
    true
}

/// `[[lexicons]]`: one lexicon file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconSection {
    pub path: PathBuf,
    /// Match surface forms with exact case (default), or ignoring ASCII case.
    #[serde(default = "yes")]
    pub case_sensitive: bool,
}

/// `[run]`: how the work is split.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Documents per batch: memory is bounded by a batch, rayon works inside one.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Co-occurring pairs held in memory before they are spilled to sorted runs in the
    /// staging directory (about 40 bytes each); outputs do not depend on it.
    #[serde(default = "default_max_pairs")]
    pub max_pairs_in_memory: usize,
    /// Document ids (their 16-byte hashes, for rejecting duplicates) held in memory before
    /// they are spilled to sorted runs; outputs do not depend on it.
    #[serde(default = "default_max_ids")]
    pub max_ids_in_memory: usize,
}

impl Default for RunSection {
    fn default() -> Self {
        RunSection {
            batch_size: default_batch_size(),
            max_pairs_in_memory: default_max_pairs(),
            max_ids_in_memory: default_max_ids(),
        }
    }
}

/// Ids held in memory by default (about 25 bytes each in the set).
fn default_max_ids() -> usize {
    4_000_000
}

fn default_max_pairs() -> usize {
    crate::stages::aggregate::pairs::DEFAULT_MAX_PAIRS
}

fn default_batch_size() -> usize {
    512
}

/// Values from the command line that override the pipeline file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub input: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub format: Option<Format>,
    pub input_format: Option<InputFormat>,
    pub threads: Option<usize>,
    pub strict: bool,
    pub incremental: bool,
    /// No progress bar.
    pub quiet: bool,
    pub shard: Option<Shard>,
    /// Write `report.html` with the tables.
    pub report: bool,
}

/// One shard of a run split over several workers: the documents whose stable hash of
/// `doc_id` modulo `count` is `index` (0-based, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether a record with this key (its `doc_id`, or `source record` for a reject without
    /// one) belongs to the shard. The hash (XXH3-64) is stable across machines and versions.
    pub fn contains(&self, key: &str) -> bool {
        xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % u64::from(self.count) == u64::from(self.index)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with `0 <= K < N`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N (e.g. 0/8)"))?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a shard index"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a shard count"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }
}

/// Everything a run needs, validated.
#[derive(Debug)]
pub struct Settings {
    /// The pipeline file, as given.
    pub pipeline_path: PathBuf,
    /// SHA-256 of the pipeline file and every lexicon it loads, in order.
    pub pipeline_hash: String,
    pub input: InputSettings,
    pub output: PathBuf,
    pub format: Format,
    pub threads: Option<usize>,
    /// Whether any reject fails the run (exit code 3).
    pub strict: bool,
    /// Whether to reuse and keep the per-document cache beside the output.
    pub incremental: bool,
    /// No progress bar.
    pub quiet: bool,
    /// Only this shard of the documents.
    pub shard: Option<Shard>,
    /// Write `report.html` with the tables.
    pub report: bool,
    pub batch_size: usize,
    /// Co-occurring pairs held in memory before a spill (`[run] max_pairs_in_memory`).
    pub max_pairs_in_memory: usize,
    /// Document ids held in memory before a spill (`[run] max_ids_in_memory`).
    pub max_ids_in_memory: usize,
    pub clean: CleanRules,
    pub lexicon: Lexicon,
    /// The word lists of `[discovery] words` (empty lists when not given).
    pub words: WordLists,
    /// Figure discovery, when the pipeline asks for it.
    pub discovery: Option<crate::stages::entities::discovery::FigureDiscovery>,
    /// The senses of policy terms, when the pipeline has a sense file.
    pub senses: Option<crate::stages::entities::senses::SenseRules>,
}

impl Settings {
    /// Reads, validates and resolves a pipeline file, then applies `overrides`.
    pub fn load(pipeline_path: &Path, overrides: Overrides) -> Result<Settings> {
        let source = fs::read_to_string(pipeline_path)
            .map_err(|e| Error::config(pipeline_path, format!("cannot read pipeline file: {e}")))?;
        let file: PipelineFile = toml::from_str(&source)
            .map_err(|e| Error::config(pipeline_path, e.to_string().trim_end().to_string()))?;
        let base = pipeline_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let resolve = |p: &Path| normalize(&base.join(p));

        if overrides.threads == Some(0) {
            return Err(Error::Usage("--threads must be at least 1".into()));
        }
        let lexicon_files: Vec<(PathBuf, bool)> = file
            .lexicons
            .iter()
            .map(|l| (resolve(&l.path), l.case_sensitive))
            .collect();
        let dateline = check(&file, &lexicon_files)
            .map_err(|problems| Error::config(pipeline_path, problems.join("; ")))?;

        let mut lexicon = Lexicon::load(&lexicon_files)?;
        let senses_file = file.senses.as_ref().map(|s| resolve(&s.cues));
        let html_files =
            [&file.html.drop_selectors, &file.html.drop_lines].map(|p| p.as_deref().map(resolve));
        let html = crate::stages::ingest::html::HtmlRules::load(
            html_files[0].as_deref(),
            html_files[1].as_deref(),
        )?;
        let senses = match (&file.senses, &senses_file) {
            (Some(section), Some(path)) => Some(crate::stages::entities::senses::SenseRules::load(
                path,
                &section.policy,
                &mut lexicon,
            )?),
            _ => None,
        };
        let first_names = file.discovery.first_names.as_deref().map(resolve);
        let common_words = file.discovery.common_words.as_deref().map(resolve);
        let words_dir = file.discovery.words.as_deref().map(resolve);
        if file.discovery.figures && words_dir.is_none() {
            return Err(Error::config(
                pipeline_path,
                "[discovery] figures = true needs `words`, the folder of word lists",
            ));
        }
        let words = match &words_dir {
            Some(dir) => WordLists::load(dir)?,
            None => WordLists::default(),
        };
        let discovery = if file.discovery.figures {
            Some(
                crate::stages::entities::discovery::FigureDiscovery::load(
                    first_names.as_deref(),
                    common_words.as_deref(),
                    words.clone(),
                )?
                .linking_surnames(file.discovery.link_surnames),
            )
        } else {
            None
        };
        let word_files = words_dir
            .iter()
            .flat_map(|dir| WORD_LIST_FILES.iter().map(move |f| (dir.join(f), true)));
        let hashed_files = lexicon_files
            .iter()
            .cloned()
            .chain(first_names.iter().map(|p| (p.clone(), true)))
            .chain(common_words.iter().map(|p| (p.clone(), true)))
            .chain(senses_file.iter().map(|p| (p.clone(), true)))
            .chain(html_files.iter().flatten().map(|p| (p.clone(), true)))
            .chain(word_files);
        let pipeline_hash = pipeline_hash(&source, hashed_files)?;

        Ok(Settings {
            pipeline_path: pipeline_path.to_path_buf(),
            pipeline_hash,
            input: InputSettings {
                path: overrides.input.unwrap_or_else(|| {
                    if file.input.path == Path::new("-") {
                        file.input.path.clone()
                    } else {
                        resolve(&file.input.path)
                    }
                }),
                extensions: file.input.extensions,
                format: overrides.input_format.unwrap_or(file.input.format),
                fields: file.input.fields,
                max_document_bytes: file.input.max_document_bytes,
                html,
            },
            strict: overrides.strict,
            incremental: overrides.incremental,
            quiet: overrides.quiet,
            shard: overrides.shard,
            report: overrides.report,
            output: overrides
                .output
                .unwrap_or_else(|| resolve(&file.output.dir)),
            format: overrides.format.unwrap_or(file.output.format),
            threads: overrides.threads,
            batch_size: file.run.batch_size,
            max_pairs_in_memory: file.run.max_pairs_in_memory,
            max_ids_in_memory: file.run.max_ids_in_memory,
            clean: CleanRules {
                drop_lines: file.clean.drop_lines,
                outlets: file.clean.outlets,
                dateline,
                headline_first_paragraph: file.clean.headline_first_paragraph,
            },
            lexicon,
            words,
            discovery,
            senses,
        })
    }
}

impl Settings {
    /// Whether the run links surnames across the corpus (`[discovery] link_surnames`).
    pub fn links_surnames(&self) -> bool {
        self.discovery.as_ref().is_some_and(|d| d.links_surnames())
    }

    /// The entity matcher of this pipeline: its lexicon, then its discoverers.
    pub fn matcher(&self) -> Result<crate::stages::entities::EntityMatcher> {
        let mut matcher = crate::stages::entities::EntityMatcher::new(&self.lexicon, &self.words)?;
        if let Some(discovery) = &self.discovery {
            matcher = matcher.with_discoverer(Box::new(discovery.clone()));
        }
        if let Some(senses) = &self.senses {
            matcher = matcher.with_senses(senses.clone());
        }
        Ok(matcher)
    }
}

/// Checks what the pipeline file says before anything is loaded: every problem at once.
/// Returns the compiled dateline rule.
fn check(
    file: &PipelineFile,
    lexicon_files: &[(PathBuf, bool)],
) -> std::result::Result<Option<Regex>, Vec<String>> {
    let mut problems = Vec::new();
    let dateline = match file.clean.dateline.as_deref().map(Regex::new).transpose() {
        Ok(re) => re,
        Err(e) => {
            problems.push(format!(
                "[clean] dateline is not a valid regular expression: {e}"
            ));
            None
        }
    };
    if file.input.max_document_bytes == 0 {
        problems.push("[input] max_document_bytes must be at least 1".to_string());
    }
    if file.run.max_ids_in_memory == 0 {
        problems.push("[run] max_ids_in_memory must be at least 1".to_string());
    }
    if file.run.max_pairs_in_memory == 0 {
        problems.push("[run] max_pairs_in_memory must be at least 1".to_string());
    }
    if file.run.batch_size == 0 {
        problems.push("[run] batch_size must be at least 1".to_string());
    }
    for (path, _) in lexicon_files {
        if !path.is_file() {
            problems.push(format!("[[lexicons]] {} does not exist", path.display()));
        }
    }
    if problems.is_empty() {
        Ok(dateline)
    } else {
        Err(problems)
    }
}

/// SHA-256 of the pipeline file and every file it loads (with how each is matched), so that
/// the cache and `merge` see any change.
fn pipeline_hash(source: &str, files: impl Iterator<Item = (PathBuf, bool)>) -> Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(source.as_bytes());
    for (path, case_sensitive) in files {
        let bytes = fs::read(&path).map_err(|e| Error::config(&path, e.to_string()))?;
        hasher.update([u8::from(case_sensitive)]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()))
}

/// Removes `.` and `dir/..` from a path without touching the file system (the output may not
/// exist yet), so logs and the manifest show `seeds`, not `pipelines/../seeds`.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Lowercase hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
