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
    /// Groups of four batches on average, at most four times that many documents or that
    /// many times 2,048 tokens.
    pub fn for_batch(batch_size: usize) -> Self {
        let mean = 4 * batch_size.max(1) as u64;
        GroupBounds {
            mean,
            max_documents: 4 * mean as usize,
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

    /// The groups (as lengths) that `ids` are cut into, each document of `tokens` tokens.
    fn cut(bounds: GroupBounds, ids: &[String], tokens: u32) -> Vec<usize> {
        let mut cutter = GroupCutter::new(bounds);
        let mut lengths = vec![0];
        for id in ids {
            *lengths.last_mut().unwrap() += 1;
            if cutter.push(id_hash(id), tokens) {
                lengths.push(0);
            }
        }
        lengths
    }

    fn ids(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("doc-{i}")).collect()
    }

    #[test]
    fn an_inserted_document_changes_only_its_own_group() {
        let bounds = GroupBounds::for_batch(4);
        let before = ids(0..2_000);
        let mut after = before.clone();
        after.insert(1_000, "new".into());
        let (a, b) = (cut(bounds, &before, 10), cut(bounds, &after, 10));
        assert!(a.len() > 50, "mean 16 documents: {} groups", a.len());
        let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert_eq!(differ, 1, "{a:?}\n{b:?}");
        assert_eq!(a.len(), b.len());
    }

    #[test]
    fn caps_end_groups_of_many_documents_or_tokens() {
        let bounds = GroupBounds::for_batch(4);
        let lengths = cut(bounds, &ids(0..5_000), 1);
        assert!(lengths.iter().all(|&n| n <= 64), "{lengths:?}");
        let heavy = cut(bounds, &ids(0..100), 20_000);
        assert!(heavy.iter().all(|&n| n <= 2), "{heavy:?}");
    }
}
