//! `newsetl eval --senses GOLD OUTPUT_DIR`: score the senses of term mentions against gold
//! labels (`{"doc_id", "term", "surface", "start", "sense", ...}` a line, offsets into the
//! original file). Gold and predicted mentions of a document are paired by term and surface
//! form in text order, so offsets that cleaning shifted do not matter; per term and sense,
//! precision is over the mentions predicted as that sense and recall over the gold ones.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::doc_key;
use crate::error::{Error, Result};
use crate::sinks::read::for_each_row;

/// One gold label.
#[derive(Debug, Deserialize)]
struct GoldSense {
    doc_id: String,
    term: String,
    surface: String,
    start: u64,
    sense: String,
}

/// Precision, recall and F1 of one sense of one term.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SenseScore {
    pub term: String,
    pub sense: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Gold mentions of this sense.
    pub gold: u64,
    /// Mentions predicted as this sense.
    pub predicted: u64,
    pub correct: u64,
}

/// The scores, and how often each gold sense was predicted as each sense.
#[derive(Debug, Clone, Serialize)]
pub struct SenseReport {
    pub scores: Vec<SenseScore>,
    /// `(term, gold sense, predicted sense) -> mentions`; `-` when no mention was paired.
    pub confusion: BTreeMap<String, u64>,
}

/// (document, term, lowercase surface) -> senses in text order.
type Occurrences = HashMap<(String, String, String), Vec<(u64, String)>>;

/// Scores the term senses in `output` against `gold`, over the documents of the output.
pub fn evaluate_senses(gold: &Path, output: &Path) -> Result<SenseReport> {
    let (predicted, documents) = predicted(output)?;
    let mut gold_occurrences = Occurrences::new();
    for g in super::read_gold::<GoldSense>(gold)? {
        let doc = doc_key(&g.doc_id).to_string();
        if documents.contains(&doc) {
            gold_occurrences
                .entry((doc, g.term, g.surface.to_lowercase()))
                .or_default()
                .push((g.start, g.sense));
        }
    }
    let mut pairs: Vec<(String, String, String)> = Vec::new();
    let keys: HashSet<&(String, String, String)> =
        gold_occurrences.keys().chain(predicted.keys()).collect();
    for key in keys {
        let mut gold = gold_occurrences.get(key).cloned().unwrap_or_default();
        let mut ours = predicted.get(key).cloned().unwrap_or_default();
        gold.sort();
        ours.sort();
        let n = gold.len().max(ours.len());
        for k in 0..n {
            let g = gold.get(k).map_or("-", |(_, s)| s.as_str());
            let p = ours.get(k).map_or("-", |(_, s)| s.as_str());
            pairs.push((key.1.clone(), g.to_string(), p.to_string()));
        }
    }
    Ok(report(&pairs))
}

/// Predicted term mentions by document, term and surface, and the documents of the output.
fn predicted(output: &Path) -> Result<(Occurrences, HashSet<String>)> {
    let mut occurrences = Occurrences::new();
    let mut documents = HashSet::new();
    for_each_row(output, "documents", |r| {
        documents.insert(doc_key(&r["doc_id"]).to_string());
        true
    })?;
    let mut missing_sense = false;
    for_each_row(output, "mentions", |r| {
        if r["kind"] == "term" {
            let Some(sense) = r.get("sense") else {
                missing_sense = true;
                return false;
            };
            let sense = if sense.is_empty() { "unknown" } else { sense };
            occurrences
                .entry((
                    doc_key(&r["doc_id"]).to_string(),
                    r["entity"].clone(),
                    r["surface"].to_lowercase(),
                ))
                .or_default()
                .push((r["start"].parse().unwrap_or(0), sense.to_string()));
        }
        true
    })?;
    if missing_sense {
        return Err(Error::Usage(format!(
            "{}: mentions has no sense column (written by an older newsetl?)",
            output.display()
        )));
    }
    Ok((occurrences, documents))
}

/// Scores from `(term, gold, predicted)` pairs.
fn report(pairs: &[(String, String, String)]) -> SenseReport {
    let mut confusion: BTreeMap<String, u64> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
    for (term, gold, predicted) in pairs {
        *confusion
            .entry(format!("{term}\t{gold}\t{predicted}"))
            .or_default() += 1;
        if gold != "-" {
            counts.entry((term.clone(), gold.clone())).or_default().0 += 1;
        }
        if predicted != "-" {
            counts
                .entry((term.clone(), predicted.clone()))
                .or_default()
                .1 += 1;
        }
        if gold == predicted {
            counts.entry((term.clone(), gold.clone())).or_default().2 += 1;
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let scores = counts
        .into_iter()
        .map(|((term, sense), (gold, predicted, correct))| {
            let (precision, recall) = (ratio(correct, predicted), ratio(correct, gold));
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            SenseScore {
                term,
                sense,
                precision,
                recall,
                f1,
                gold,
                predicted,
                correct,
            }
        })
        .collect();
    SenseReport { scores, confusion }
}

/// The report for people: one line per term and sense, then (with `confusion`) how gold
/// senses were predicted.
pub fn render_senses(report: &SenseReport, confusion: bool) -> String {
    let mut out = String::new();
    for s in &report.scores {
        out.push_str(&format!(
            "{:<8} {:<12} P={:.3} R={:.3} F1={:.3}  (gold {}, predicted {}, correct {})\n",
            s.term, s.sense, s.precision, s.recall, s.f1, s.gold, s.predicted, s.correct
        ));
    }
    if confusion {
        out.push_str("\nterm     gold         predicted    mentions\n");
        for (key, n) in &report.confusion {
            let parts: Vec<&str> = key.split('\t').collect();
            out.push_str(&format!(
                "{:<8} {:<12} {:<12} {n}\n",
                parts[0], parts[1], parts[2]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_per_sense_from_pairs() {
        let pair = |g: &str, p: &str| ("release".to_string(), g.to_string(), p.to_string());
        let r = report(&[
            pair("custody", "custody"),
            pair("custody", "product"),
            pair("product", "product"),
            pair("product", "-"),
        ]);
        let custody = r.scores.iter().find(|s| s.sense == "custody").unwrap();
        assert_eq!(
            (custody.gold, custody.predicted, custody.correct),
            (2, 1, 1)
        );
        assert!((custody.precision - 1.0).abs() < 1e-9 && (custody.recall - 0.5).abs() < 1e-9);
        let product = r.scores.iter().find(|s| s.sense == "product").unwrap();
        assert_eq!(
            (product.gold, product.predicted, product.correct),
            (2, 2, 1)
        );
        assert_eq!(r.confusion["release\tproduct\t-"], 1);
    }
}
