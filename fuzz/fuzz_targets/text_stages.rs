#![no_main]
//! Fuzzes clean -> tokenize -> entities with the default pipeline's rules and lexicons (or
//! those of the pipeline file that `NEWSETL_FUZZ_PIPELINE` names, such as
//! `pipelines/generic.toml`), and checks that every mention's offsets slice the text.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsetl::model::{DocMeta, SourceDocument};
use newsetl::pipeline::config::{Overrides, Settings};
use newsetl::stages::aggregate::CodePoints;
use newsetl::stages::entities::EntityMatcher;
use newsetl::stages::{clean, tokenize};

fn setup() -> &'static (Settings, EntityMatcher) {
    static SETUP: OnceLock<(Settings, EntityMatcher)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../pipelines/default.toml");
        let path = std::env::var("NEWSETL_FUZZ_PIPELINE").unwrap_or_else(|_| default.into());
        let settings = Settings::load(path.as_ref(), Overrides::default()).unwrap();
        let matcher = settings.matcher().unwrap();
        (settings, matcher)
    })
}

fuzz_target!(|data: &str| {
    let (settings, matcher) = setup();
    let doc = SourceDocument {
        meta: DocMeta::new("d", "d"),
        text: data.to_string(),
        title: None,
        outlet: None,
        site_name: None,
    };
    let tokenized = tokenize::tokenize(clean::clean(doc, &settings.clean));
    let analyzed = matcher.analyze(tokenized, &settings.lexicon);
    let text = &analyzed.doc.text;
    let chars: Vec<char> = text.chars().collect();
    let mut offsets = CodePoints::new(text);
    for m in &analyzed.mentions {
        let (start, end) = (offsets.at(m.start), offsets.at(m.end));
        assert_eq!(chars[start..end].iter().collect::<String>(), text[m.start..m.end]);
    }
});
