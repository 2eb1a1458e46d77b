//! `newsetl report OUTPUT_DIR`: one self-contained HTML page per run (no network access when
//! opened): the run summary, top figures, places and terms as inline-SVG bar charts, terms by
//! document, places, figures with terms, and example sentences for each top entity.
//!
//! The page is rendered with a minijinja template (`report.html`, auto-escaped); this module
//! only gathers top-N data from the tables, so it stays fast on large runs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::sinks::read::{for_each_row, read_table};

const TEMPLATE: &str = include_str!("report.html");
/// Entities per chart.
const TOP: usize = 15;
/// Example sentences per entity.
const EXAMPLES: usize = 3;

/// The parts of `manifest.json` that the report shows (serde skips the rest unparsed).
#[derive(Debug, Serialize, serde::Deserialize)]
struct ManifestSummary {
    tool: Value,
    run_id: Value,
    started_at: Value,
    finished_at: Value,
    pipeline: Value,
    input: Value,
    tables: Value,
    stages: Value,
}

#[derive(Debug, Serialize)]
struct Bar {
    entity: String,
    mentions: i64,
    documents: i64,
    /// Bar length in pixels.
    width: i64,
    anchor: String,
}

#[derive(Debug, Serialize)]
struct Chart {
    title: String,
    table: String,
    bars: Vec<Bar>,
    height: usize,
    /// Terms: `(term, sense, mentions)` of the senses that are not counted as the term.
    other_senses: Vec<(String, String, i64)>,
}

#[derive(Debug, Serialize)]
struct Snippet {
    doc_id: String,
    before: String,
    surface: String,
    after: String,
}

#[derive(Debug, Serialize)]
struct Examples {
    anchor: String,
    kind: String,
    entity: String,
    snippets: Vec<Snippet>,
}

#[derive(Debug, Serialize)]
struct Stage {
    name: String,
    seconds: f64,
    items_in: i64,
    items_out: i64,
    width: i64,
}

#[derive(Debug, Serialize)]
struct Page {
    manifest: Value,
    stages: Vec<Stage>,
    rejects_by_reason: Vec<(String, i64)>,
    charts: Vec<Chart>,
    term_names: Vec<String>,
    terms_by_document: Vec<(String, Vec<i64>)>,
    places: Vec<BTreeMap<String, String>>,
    figure_terms: Vec<(String, String, i64)>,
    examples: Vec<Examples>,
}

/// Writes `report.html` into `dir`, from the tables and manifest there.
pub fn write_report(dir: &Path) -> Result<()> {
    let html = render(dir)?;
    let path = dir.join("report.html");
    std::fs::write(&path, html).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn anchor(kind: &str, entity: &str) -> String {
    let slug: String = entity
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{kind}-{slug}")
}

/// Renders the report of the output in `dir`.
pub fn render(dir: &Path) -> Result<String> {
    let manifest_path = dir.join("manifest.json");
    // Only the summary: the list of every input can be millions of entries long.
    let manifest: Value = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| serde_json::from_str::<ManifestSummary>(&t).ok())
        .and_then(|m| serde_json::to_value(m).ok())
        .ok_or_else(|| Error::Usage(format!("{}: not a newsetl output", dir.display())))?;

    let (charts, top_entities) = top_charts(dir)?;
    // Terms by document: the documents with most term mentions.
    let term_names: Vec<String> = charts[2].bars.iter().map(|b| b.entity.clone()).collect();
    let mut per_doc: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for_each_row(dir, "doc_entities", |r| {
        if r["kind"] == "term" {
            if let Some(i) = term_names.iter().position(|t| *t == r["entity"]) {
                let counts = per_doc
                    .entry(r["doc_id"].clone())
                    .or_insert_with(|| vec![0; term_names.len()]);
                counts[i] = int(r, "mentions");
            }
        }
        true
    })?;
    let mut terms_by_document: Vec<(String, Vec<i64>)> = per_doc.into_iter().collect();
    terms_by_document.sort_by_key(|(id, c)| (-c.iter().sum::<i64>(), id.clone()));
    terms_by_document.truncate(20);

    let places = read_table(dir, "places")?
        .map(|t| t.records())
        .unwrap_or_default()
        .into_iter()
        .take(50)
        .map(|r| r.into_iter().collect())
        .collect();

    let figure_terms = figure_terms(dir)?;
    let examples = examples(dir, &top_entities)?;

    let stages = stages(&manifest);
    let rejects_by_reason = manifest["input"]["rejects_by_reason"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();

    let page = Page {
        manifest,
        stages,
        rejects_by_reason,
        charts,
        term_names,
        terms_by_document,
        places,
        figure_terms,
        examples,
    };
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::Run(format!("report template: {e}")))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| Error::Run(format!("report template: {e}")))?;
    template
        .render(minijinja::context! { page => page })
        .map_err(|e| Error::Run(format!("rendering the report: {e}")))
}

/// `(kind, entity)` of the entities a chart shows.
type Shown = Vec<(String, String)>;

/// The bar charts of the top figures, places and terms, and the entities they show.
fn top_charts(dir: &Path) -> Result<(Vec<Chart>, Shown)> {
    let mut charts = Vec::new();
    let mut top_entities: Vec<(String, String)> = Vec::new();
    for (table, kind, title) in [
        ("figures", "figure", "Top figures"),
        ("places", "place", "Top places"),
        ("terms", "term", "Top terms (policy sense)"),
    ] {
        let all = read_table(dir, table)?
            .map(|t| t.records())
            .unwrap_or_default();
        // Terms: the policy sense is the bar; the other senses are listed beside, greyed.
        let (rows, others): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|r| r.get("policy").is_none_or(|p| p == "true"));
        let other_senses = others
            .iter()
            .take(TOP)
            .map(|r| {
                let sense = r.get("sense").cloned().unwrap_or_default();
                (r["entity"].clone(), sense, int(r, "mentions"))
            })
            .collect();
        let max = rows
            .iter()
            .map(|r| int(r, "mentions"))
            .max()
            .unwrap_or(1)
            .max(1);
        let bars: Vec<Bar> = rows
            .iter()
            .take(TOP)
            .map(|r| {
                let entity = r["entity"].clone();
                top_entities.push((kind.to_string(), entity.clone()));
                Bar {
                    anchor: anchor(kind, &entity),
                    mentions: int(r, "mentions"),
                    documents: int(r, "documents"),
                    width: 1 + int(r, "mentions") * 360 / max,
                    entity,
                }
            })
            .collect();
        charts.push(Chart {
            title: title.into(),
            table: table.into(),
            height: bars.len() * 22 + 4,
            bars,
            other_senses,
        });
    }

    Ok((charts, top_entities))
}

/// The figure–term pairs that share most sentences.
fn figure_terms(dir: &Path) -> Result<Vec<(String, String, i64)>> {
    let mut figure_terms: Vec<(String, String, i64)> = Vec::new();
    for_each_row(dir, "cooccurrence", |r| {
        let pair = match (r["kind_a"].as_str(), r["kind_b"].as_str()) {
            ("figure", "term") => Some((r["entity_a"].clone(), r["entity_b"].clone())),
            ("term", "figure") => Some((r["entity_b"].clone(), r["entity_a"].clone())),
            _ => None,
        };
        if let Some((figure, term)) = pair {
            figure_terms.push((figure, term, int(r, "sentences")));
        }
        true
    })?;
    figure_terms.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    figure_terms.truncate(20);

    Ok(figure_terms)
}

/// Time per stage, with bar widths relative to the slowest.
fn stages(manifest: &Value) -> Vec<Stage> {
    let stages_json = manifest["stages"].as_array().cloned().unwrap_or_default();
    let slowest = stages_json
        .iter()
        .filter_map(|s| s["seconds"].as_f64())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    stages_json
        .iter()
        .map(|s| Stage {
            name: s["name"].as_str().unwrap_or("").into(),
            seconds: s["seconds"].as_f64().unwrap_or(0.0),
            items_in: s["items_in"].as_i64().unwrap_or(0),
            items_out: s["items_out"].as_i64().unwrap_or(0),
            width: 1 + (s["seconds"].as_f64().unwrap_or(0.0) / slowest * 200.0) as i64,
        })
        .collect()
}

/// Up to [`EXAMPLES`] sentences for each top entity, from `mentions` and `documents`.
fn examples(dir: &Path, top: &[(String, String)]) -> Result<Vec<Examples>> {
    let wanted: HashSet<(&str, &str)> = top.iter().map(|(k, e)| (k.as_str(), e.as_str())).collect();
    // (kind, entity) -> [(doc_id, start, end)]
    type Found = HashMap<(String, String), Vec<(String, i64, i64)>>;
    let mut found: Found = HashMap::new();
    let mut complete = 0;
    // Stops as soon as every top entity has its examples (usually early in the table).
    for_each_row(dir, "mentions", |r| {
        let key = (r["kind"].clone(), r["entity"].clone());
        if wanted.contains(&(key.0.as_str(), key.1.as_str())) {
            let list = found.entry(key).or_default();
            if list.len() < EXAMPLES {
                list.push((r["doc_id"].clone(), int(r, "start"), int(r, "end")));
                if list.len() == EXAMPLES {
                    complete += 1;
                }
            }
        }
        complete < wanted.len()
    })?;
    let needed: HashSet<String> = found
        .values()
        .flatten()
        .map(|(d, _, _)| d.clone())
        .collect();
    let mut texts: HashMap<String, Vec<char>> = HashMap::new();
    for_each_row(dir, "documents", |r| {
        if needed.contains(&r["doc_id"]) {
            texts.insert(r["doc_id"].clone(), r["text"].chars().collect());
        }
        texts.len() < needed.len()
    })?;
    let mut out = Vec::new();
    for (kind, entity) in top {
        let Some(list) = found.get(&(kind.clone(), entity.clone())) else {
            continue;
        };
        let snippets = list
            .iter()
            .filter_map(|(doc, start, end)| {
                let text = texts.get(doc)?;
                let (s, e) = (*start as usize, (*end as usize).min(text.len()));
                let from = sentence_start(text, s);
                let to = sentence_end(text, e);
                Some(Snippet {
                    doc_id: doc.clone(),
                    before: text[from..s].iter().collect(),
                    surface: text[s..e].iter().collect(),
                    after: text[e..to].iter().collect(),
                })
            })
            .collect();
        out.push(Examples {
            anchor: anchor(kind, entity),
            kind: kind.clone(),
            entity: entity.clone(),
            snippets,
        });
    }
    Ok(out)
}

/// The start of the line or sentence around `at`, at most 200 characters before it.
fn sentence_start(text: &[char], at: usize) -> usize {
    let floor = at.saturating_sub(200);
    (floor..at)
        .rev()
        .find(|&i| {
            text[i] == '\n' || (i > 0 && matches!(text[i - 1], '.' | '!' | '?') && text[i] == ' ')
        })
        .map_or(floor, |i| i + 1)
}

/// The end of the sentence after `at`, at most 200 characters after it.
fn sentence_end(text: &[char], at: usize) -> usize {
    let ceiling = (at + 200).min(text.len());
    (at..ceiling)
        .find(|&i| text[i] == '\n' || matches!(text[i], '.' | '!' | '?'))
        .map_or(ceiling, |i| if text[i] == '\n' { i } else { i + 1 })
}

fn int(row: &HashMap<String, String>, column: &str) -> i64 {
    row.get(column).and_then(|v| v.parse().ok()).unwrap_or(0)
}
