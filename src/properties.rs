//! Property tests over the text stages: for any input string, clean, tokenize and entity
//! counting (with discovery) do not panic, and every offset they produce is in bounds, on a character boundary
//! and in order, so that `text[start:end] == surface` holds on code points.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::lexicon::Lexicon;
use crate::model::DocMeta;
use crate::model::SourceDocument;
use crate::pipeline::config::{Overrides, Settings};
use crate::stages::aggregate::CodePoints;
use crate::stages::entities::EntityMatcher;
use crate::stages::{clean, tokenize};

fn settings() -> &'static (Settings, EntityMatcher) {
    static SETTINGS: OnceLock<(Settings, EntityMatcher)> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pipelines/default.toml");
        let settings = Settings::load(&path, Overrides::default()).expect("default pipeline loads");
        let matcher = settings.matcher().unwrap();
        (settings, matcher)
    })
}

/// News-like text: lexicon names, titles, abbreviations, quotes, odd spacing and Unicode.
fn newsy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Mr Christopher".to_string()),
        Just("Warren Christopher's".to_string()),
        Just("Chen".to_string()),
        Just("Chen Ziming".to_string()),
        Just("Peking".to_string()),
        Just("PARIS - ".to_string()),
        Just("U.S.".to_string()),
        Just("most-favoured-nation".to_string()),
        Just("Tian An Men Square".to_string()),
        Just("Mr.".to_string()),
        Just("S.".to_string()),
        Just("'".to_string()),
        Just("\u{201c}".to_string()),
        Just("e\u{301}".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just(". ".to_string()),
        Just("\u{a0}".to_string()),
        Just("Click to follow\n".to_string()),
        "[a-zA-Z]{1,8}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

fn check(text: String, lexicon: &Lexicon, matcher: &EntityMatcher, settings: &Settings) {
    let doc = SourceDocument {
        meta: DocMeta::new("d", "d"),
        text,
        title: None,
        outlet: None,
        site_name: None,
    };
    let cleaned = clean::clean(doc, &settings.clean);
    let tokenized = tokenize::tokenize(cleaned);
    let text = tokenized.doc.text.clone();
    let mut last = 0;
    for t in &tokenized.tokens {
        assert!(t.start >= last && t.start < t.end && t.end <= text.len());
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        last = t.end;
    }
    let mut last = 0;
    for s in &tokenized.sentences {
        assert!(s.start >= last && s.start < s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        last = s.end;
    }
    let n_sentences = tokenized.sentences.len();
    let analyzed = matcher.analyze(tokenized, lexicon);
    let chars: Vec<char> = text.chars().collect();
    let mut offsets = CodePoints::new(&text);
    let mut last = 0;
    for m in &analyzed.mentions {
        assert!(m.start >= last && m.start < m.end && m.end <= text.len());
        assert!((m.sentence as usize) < n_sentences.max(1));
        let surface = &text[m.start..m.end];
        let (start, end) = (offsets.at(m.start), offsets.at(m.end));
        assert_eq!(chars[start..end].iter().collect::<String>(), surface);
        let names = crate::lexicon::Names::new(lexicon, &analyzed.discovered);
        assert!(!names.entity(m.entity).name.is_empty());
        assert!(names.entity(m.entity).name.len() <= 200);
        last = m.end;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_string_is_safe(text in any::<String>()) {
        let (settings, matcher) = settings();
        check(text, &settings.lexicon, matcher, settings);
    }

    #[test]
    fn news_like_text_is_safe(text in newsy()) {
        let (settings, matcher) = settings();
        check(text, &settings.lexicon, matcher, settings);
    }
}
