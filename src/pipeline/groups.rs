//! Where the groups of documents end: the unit in which per-document tables are written (one
//! Parquet row group each) and in which an incremental run re-uses what it wrote before.
//!
//! A group ends after a document whose id hashes to a multiple of the mean group size, like
//! the chunk boundaries of content-defined chunking: inserting, changing or removing one
//! document moves at most the boundaries of its own group, so every other group of a re-run
//! holds the same documents as before and its encoded rows can be copied. Caps on documents
//! and tokens bound a group's memory; they depend only on the documents, so a run, a merge of
//! shards and an incremental run cut the same groups.

use xxhash_rust::xxh3::xxh3_128;

/// The boundary rule for groups, from the pipeline's batch size.
#[derive(Debug, Clone, Copy)]
pub struct GroupBounds {
    /// Documents in a group on average (before the caps): four batches.
    mean: u64,
    max_documents: usize,
    max_tokens: u64,
}

/// Tokens a document is taken to hold on average, for the token cap.
const TOKENS_PER_DOCUMENT: u64 = 2_048;

impl GroupBounds {
    /// Groups of four batches on average (2,048 documents at the default 512), at most twice
    /// that many documents, or the mean times 2,048 tokens. Each group is a Parquet row
    /// group, whose metadata the writer keeps until the footer: smaller groups would make
    /// re-runs cheaper but memory grow faster with the corpus (1,024 documents: 620 MiB on the
    /// 8 GB corpus).
    pub fn for_batch(batch_size: usize) -> Self {
        let mean = 4 * batch_size.max(1) as u64;
        GroupBounds {
            mean,
            max_documents: 2 * mean as usize,
            max_tokens: mean * TOKENS_PER_DOCUMENT,
        }
    }

    /// Whether a group ends after the document with id hash `id`, once the group holds
    /// `documents` documents of `tokens` tokens (that document included).
    pub fn ends_after(&self, id: u128, documents: usize, tokens: u64) -> bool {
        (id as u64).is_multiple_of(self.mean)
            || documents >= self.max_documents
            || tokens >= self.max_tokens
    }
}

/// The hash that stands for a document id in groups and merges.
pub fn id_hash(doc_id: &str) -> u128 {
    xxh3_128(doc_id.as_bytes())
}

/// Cuts a stream of documents into groups: feed each document's id hash and tokens, in
/// order; says after which one a group ends.
#[derive(Debug, Clone)]
pub struct GroupCutter {
    bounds: GroupBounds,
    documents: usize,
    tokens: u64,
}

impl GroupCutter {
    /// A cutter with nothing pending.
    pub fn new(bounds: GroupBounds) -> Self {
        GroupCutter {
            bounds,
            documents: 0,
            tokens: 0,
        }
    }

    /// Adds a document; returns whether the group ends after it.
    pub fn push(&mut self, id: u128, tokens: u32) -> bool {
        self.documents += 1;
        self.tokens += u64::from(tokens);
        let ends = self.bounds.ends_after(id, self.documents, self.tokens);
        if ends {
            (self.documents, self.tokens) = (0, 0);
        }
        ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The groups that `ids` are cut into, each document of `tokens` tokens.
    fn cut(bounds: GroupBounds, ids: &[String], tokens: u32) -> Vec<Vec<String>> {
        let mut cutter = GroupCutter::new(bounds);
        let mut groups = vec![vec![]];
        for id in ids {
            groups.last_mut().unwrap().push(id.clone());
            if cutter.push(id_hash(id), tokens) {
                groups.push(vec![]);
            }
        }
        groups.retain(|g| !g.is_empty());
        groups
    }

    fn ids(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("doc-{i}")).collect()
    }

    #[test]
    fn an_inserted_document_changes_only_the_groups_up_to_the_next_boundary() {
        let bounds = GroupBounds::for_batch(4);
        let before = ids(0..2_000);
        let a = cut(bounds, &before, 10);
        assert!(a.len() > 60, "mean 16 documents: {} groups", a.len());
        let a: HashSet<_> = a.into_iter().collect();
        let mut changed = Vec::new();
        for at in (0..2_000).step_by(50) {
            let mut after = before.clone();
            after.insert(at, format!("new-{at}"));
            let b: HashSet<_> = cut(bounds, &after, 10).into_iter().collect();
            // Groups cut by the cap shift until the next boundary of an id's hash.
            changed.push(a.difference(&b).count());
        }
        let total: usize = changed.iter().sum();
        assert!(changed.iter().all(|&n| (1..=4).contains(&n)), "{changed:?}");
        assert!(total <= changed.len() * 3 / 2, "{changed:?}");
    }

    #[test]
    fn caps_end_groups_of_many_documents_or_tokens() {
        let bounds = GroupBounds::for_batch(4);
        let groups = cut(bounds, &ids(0..5_000), 1);
        assert!(groups.iter().all(|g| g.len() <= 32));
        assert!(groups.iter().any(|g| g.len() == 32), "the cap is met");
        let heavy = cut(bounds, &ids(0..100), 40_000);
        assert!(heavy.iter().all(|g| g.len() == 1));
    }
}
