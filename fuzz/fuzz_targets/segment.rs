#![no_main]
//! Fuzzes the fast sentence and word segmentation against the Unicode rules on the whole
//! text: both must give the same segments for any input.
use libfuzzer_sys::fuzz_target;
use newsetl::stages::tokenize::segment::{has_alphanumeric, sentence_segments, word_segments};
use unicode_segmentation::UnicodeSegmentation;

fuzz_target!(|text: &str| {
    let fast: Vec<_> = sentence_segments(text).collect();
    let unicode: Vec<_> = text.split_sentence_bound_indices().collect();
    assert_eq!(fast, unicode, "sentences of {text:?}");
    let fast: Vec<_> = word_segments(text).collect();
    let unicode: Vec<_> = text
        .split_word_bound_indices()
        .filter(has_alphanumeric)
        .collect();
    assert_eq!(fast, unicode, "words of {text:?}");
});
