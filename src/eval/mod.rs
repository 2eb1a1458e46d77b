//! `newsetl eval --gold FILE OUTPUT_DIR`: score the `mentions` table against gold mentions,
//! exactly as `score.py` of the development set does: per document and kind, predicted and
//! gold mentions are matched as multisets of surface strings, and true positives, false
//! positives and misses are summed over the documents of the gold file.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sinks::read::for_each_row;

/// One gold mention (`start`/`end` may be present; scoring uses the surface).
#[derive(Debug, Deserialize)]
struct Gold {
    doc_id: String,
    kind: String,
    surface: String,
}

/// Precision, recall and F1 of one kind.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// The most frequent false positives and misses, `(surface, count)`.
    pub top_false_positives: Vec<(String, u64)>,
    pub top_misses: Vec<(String, u64)>,
}

/// `doc_id` as the scorer keys it: the file name without `.txt`.
pub(crate) fn doc_key(doc_id: &str) -> &str {
    let base = doc_id.rsplit('/').next().unwrap_or(doc_id);
    base.strip_suffix(".txt").unwrap_or(base)
}

type Bag = HashMap<String, u64>;

/// Reads a gold file of JSON lines (blank lines skipped); errors name the file and line.
pub(crate) fn read_gold<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| Error::Usage(format!("{}: line {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// Scores the mentions in `output` against the gold files (JSON lines), for figures and
/// places, and for organisations when the gold has some.
pub fn evaluate(
    gold: &[std::path::PathBuf],
    output: &Path,
    errors: usize,
) -> Result<BTreeMap<String, Score>> {
    let mut gold_bags: HashMap<(String, String), Bag> = HashMap::new();
    let mut kinds = vec!["figure", "place"];
    for file in gold {
        for g in read_gold::<Gold>(file)? {
            if g.kind == "organization" && !kinds.contains(&"organization") {
                kinds.push("organization");
            }
            *gold_bags
                .entry((doc_key(&g.doc_id).to_string(), g.kind))
                .or_default()
                .entry(g.surface)
                .or_default() += 1;
        }
    }
    if !output.join("mentions.csv").is_file() && !output.join("mentions.parquet").is_file() {
        return Err(Error::Usage(format!(
            "{}: no mentions table",
            output.display()
        )));
    }
    let mut pred_bags: HashMap<(String, String), Bag> = HashMap::new();
    for_each_row(output, "mentions", |r| {
        if kinds.contains(&r["kind"].as_str()) {
            *pred_bags
                .entry((doc_key(&r["doc_id"]).to_string(), r["kind"].clone()))
                .or_default()
                .entry(r["surface"].clone())
                .or_default() += 1;
        }
        true
    })?;
    let mut docs: Vec<&str> = gold_bags.keys().map(|(d, _)| d.as_str()).collect();
    docs.sort_unstable();
    docs.dedup();
    let empty = Bag::new();
    let mut out = BTreeMap::new();
    for kind in kinds {
        let (mut tp, mut fps, mut fns): (u64, Bag, Bag) = (0, Bag::new(), Bag::new());
        for doc in &docs {
            let key = (doc.to_string(), kind.to_string());
            let g = gold_bags.get(&key).unwrap_or(&empty);
            let p = pred_bags.get(&key).unwrap_or(&empty);
            for (surface, &n) in g {
                let m = p.get(surface).copied().unwrap_or(0);
                tp += n.min(m);
                if n > m {
                    *fns.entry(surface.clone()).or_default() += n - m;
                }
            }
            for (surface, &m) in p {
                let n = g.get(surface).copied().unwrap_or(0);
                if m > n {
                    *fps.entry(surface.clone()).or_default() += m - n;
                }
            }
        }
        let (fp, fn_) = (fps.values().sum::<u64>(), fns.values().sum::<u64>());
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        // Rounded to four places first, as score.py does, so that both print the same.
        let round4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let (precision, recall) = (round4(ratio(tp, tp + fp)), round4(ratio(tp, tp + fn_)));
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            round4(2.0 * precision * recall / (precision + recall))
        };
        let top = |bag: Bag| {
            let mut v: Vec<(String, u64)> = bag.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v.truncate(errors);
            v
        };
        out.insert(
            kind.to_string(),
            Score {
                precision,
                recall,
                f1,
                tp,
                fp,
                fn_,
                top_false_positives: top(fps),
                top_misses: top(fns),
            },
        );
    }
    Ok(out)
}

/// The scores as `score.py` prints them.
pub fn render(scores: &BTreeMap<String, Score>, errors: usize) -> String {
    let mut out = String::new();
    for (kind, s) in scores {
        out.push_str(&format!(
            "{kind}: P={:.3} R={:.3} F1={:.3} (tp={} fp={} fn={})\n",
            s.precision, s.recall, s.f1, s.tp, s.fp, s.fn_
        ));
        if errors > 0 {
            let list = |v: &[(String, u64)]| {
                v.iter()
                    .map(|(s, n)| format!("{s} x{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "  false positives: {}\n",
                list(&s.top_false_positives)
            ));
            out.push_str(&format!("  misses:          {}\n", list(&s.top_misses)));
        }
    }
    out
}
pub mod places;
pub mod senses;
