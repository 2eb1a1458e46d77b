//! Web pages: the article of an HTML page, with its title, date, canonical URL, author and
//! site name.
//!
//! Main-content extraction is `dom_smoothie` (Mozilla's Readability); around it, boilerplate
//! that the pipeline lists as data is removed: elements by CSS selector before extraction
//! (captions, related links, share bars) and whole lines by pattern after it (`Advertisement`,
//! `Photo: ...`). Parsing never fetches anything and never runs the page's scripts: the page
//! is only a tree of elements here.

use std::path::Path;

use dom_query::Document;
use encoding_rs::Encoding;
use regex::RegexSet;

use super::decode::{self, Decoded};
use crate::error::{Error, Result};

/// An extracted text of fewer words is no article (the links of an index page, a form).
const MIN_ARTICLE_WORDS: usize = 20;

/// The boilerplate rules of a pipeline's `[html]` section.
#[derive(Debug, Clone, Default)]
pub struct HtmlRules {
    /// The selectors of the common simple kinds (`figcaption`, `[class*="related"]`,
    /// `[id*="advert"]`), tested in one walk over the page's elements: matching the same
    /// elements as the CSS engine, at a tenth of its cost.
    drop_simple: Option<SimpleSelectors>,
    /// The other CSS selectors of elements removed before extraction, compiled once as one
    /// selector group (so that one pass over a page removes them all); `None` when there
    /// are none.
    drop_selectors: Option<dom_query::Matcher>,
    /// Lines (trimmed, any case) removed from the extracted text.
    drop_lines: Option<RegexSet>,
}

impl HtmlRules {
    /// Reads the selector file and the line-pattern file (one a line, `#` comments); errors
    /// name the file and line of a selector or pattern that does not parse.
    pub fn load(selectors: Option<&Path>, lines: Option<&Path>) -> Result<HtmlRules> {
        let mut rules = HtmlRules::default();
        if let Some(path) = selectors {
            let selectors = entries(path)?;
            for (n, selector) in &selectors {
                if dom_query::Matcher::new(selector).is_err() {
                    return Err(Error::config(
                        path,
                        format!("line {n}: `{selector}` is not a CSS selector"),
                    ));
                }
            }
            let group: Vec<&str> = selectors.iter().map(|(_, s)| s.as_str()).collect();
            (rules.drop_simple, rules.drop_selectors) = split_selectors(&group);
        }
        if let Some(path) = lines {
            let patterns = entries(path)?;
            for (n, pattern) in &patterns {
                if let Err(e) = regex::Regex::new(pattern) {
                    return Err(Error::config(path, format!("line {n}: {e}")));
                }
            }
            let anchored = patterns.iter().map(|(_, p)| format!("(?i)^(?:{p})$"));
            rules.drop_lines =
                Some(RegexSet::new(anchored).map_err(|e| Error::config(path, e.to_string()))?);
        }
        Ok(rules)
    }

    /// Rules from lists in memory (tests).
    pub fn of(selectors: &[&str], lines: &[&str]) -> HtmlRules {
        let (drop_simple, drop_selectors) = split_selectors(selectors);
        HtmlRules {
            drop_simple,
            drop_selectors,
            drop_lines: RegexSet::new(lines.iter().map(|p| format!("(?i)^(?:{p})$"))).ok(),
        }
    }
}

/// Element names and substrings of `class` and `id` values whose elements are dropped.
#[derive(Debug, Clone)]
struct SimpleSelectors {
    names: Vec<String>,
    class_parts: Option<aho_corasick::AhoCorasick>,
    id_parts: Option<aho_corasick::AhoCorasick>,
}

impl SimpleSelectors {
    /// Removes every element that one of the selectors matches.
    fn remove_from(&self, document: &Document) {
        let contains = |parts: &Option<aho_corasick::AhoCorasick>, value: Option<&str>| {
            parts
                .as_ref()
                .zip(value)
                .is_some_and(|(ac, v)| ac.is_match(v))
        };
        let matched: Vec<_> = document
            .root()
            .descendants_it()
            .filter(|node| {
                let Some(name) = node.node_name() else {
                    return false;
                };
                self.names.iter().any(|n| n.as_str() == &*name)
                    || contains(&self.class_parts, node.class().as_deref())
                    || contains(&self.id_parts, node.id_attr().as_deref())
            })
            .collect();
        for node in matched {
            node.remove_from_parent();
        }
    }
}

/// The simple selectors (an element name, `[class*="…"]`, `[id*="…"]`) apart from the
/// others, which the CSS engine matches.
fn split_selectors(selectors: &[&str]) -> (Option<SimpleSelectors>, Option<dom_query::Matcher>) {
    let (mut names, mut classes, mut ids, mut rest) = (vec![], vec![], vec![], vec![]);
    for &selector in selectors {
        let substring = |attribute: &str| {
            selector
                .strip_prefix(&format!("[{attribute}*=\""))
                .and_then(|s| s.strip_suffix("\"]"))
                .filter(|s| !s.is_empty() && !s.contains(['"', '\\']))
        };
        if !selector.is_empty()
            && selector
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            names.push(selector.to_string());
        } else if let Some(part) = substring("class") {
            classes.push(part.to_string());
        } else if let Some(part) = substring("id") {
            ids.push(part.to_string());
        } else {
            rest.push(selector);
        }
    }
    let automaton = |parts: Vec<String>| {
        (!parts.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(parts).ok())
            .flatten()
    };
    let simple =
        (!(names.is_empty() && classes.is_empty() && ids.is_empty())).then(|| SimpleSelectors {
            names,
            class_parts: automaton(classes),
            id_parts: automaton(ids),
        });
    (simple, selector_group(&rest))
}

/// One matcher for a group of selectors that each parse (`None` for none).
fn selector_group(selectors: &[&str]) -> Option<dom_query::Matcher> {
    if selectors.is_empty() {
        return None;
    }
    dom_query::Matcher::new(&selectors.join(", ")).ok()
}

/// The non-empty, non-comment lines of a file, with their line numbers.
fn entries(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config(path, format!("cannot be read: {e}")))?;
    Ok(text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i, l.to_string()))
        .collect())
}

/// What a page gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebPage {
    /// The article: paragraphs separated by a blank line.
    pub text: String,
    pub title: Option<String>,
    /// The publication date as the page writes it.
    pub published: Option<String>,
    /// The canonical URL (`<link rel=canonical>`, `og:url`), else the URL it was fetched from.
    pub url: Option<String>,
    pub author: Option<String>,
    pub site_name: Option<String>,
    /// The encoding the page was decoded from.
    pub encoding: &'static str,
    /// Repairs made while decoding.
    pub flags: Vec<decode::Flag>,
}

/// Decodes a page's bytes: a byte-order mark, then the HTTP header's charset (in a WARC), then
/// the page's `<meta charset>`, then detection as for any text.
pub fn decode_page(
    bytes: Vec<u8>,
    http_charset: Option<&str>,
) -> std::result::Result<Decoded, String> {
    if Encoding::for_bom(&bytes).is_some() {
        return decode::decode(&bytes);
    }
    let declared = http_charset
        .and_then(|c| Encoding::for_label(c.trim().as_bytes()))
        .or_else(|| meta_charset(&bytes));
    match declared {
        // A page that declares UTF-8 but is not goes through detection and repair.
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let (text, _, had_errors) = encoding.decode(&bytes);
            let mut decoded = decode::check_text(text.into_owned())?;
            decoded.encoding = encoding.name();
            if had_errors {
                decoded.flags.push(decode::FLAG_INVALID_UTF8);
            }
            Ok(decoded)
        }
        _ => decode::decode_owned(bytes),
    }
}

/// The encoding a page declares in its first 1024 bytes (`<meta charset="…">` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(i) = rest.find("charset") {
        rest = &rest[i + "charset".len()..];
        let value = rest.trim_start().strip_prefix('=')?.trim_start();
        let value = value.trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| c == '"' || c == '\'' || c == ';' || c == '>' || c.is_whitespace())
            .unwrap_or(value.len());
        if let Some(encoding) = Encoding::for_label(&value.as_bytes()[..end]) {
            return Some(encoding);
        }
    }
    None
}

/// Extracts the article and metadata of a decoded page; `url` is where it was fetched from.
pub fn extract(decoded: Decoded, url: Option<&str>, rules: &HtmlRules) -> WebPage {
    let document = Document::from(decoded.text.as_str());
    let (canonical, time) = url_and_time(&document);
    let canonical = canonical.or_else(|| url.map(String::from));
    if let Some(simple) = &rules.drop_simple {
        simple.remove_from(&document);
    }
    if let Some(matcher) = &rules.drop_selectors {
        document.select_matcher(matcher).remove();
    }
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let article = dom_smoothie::Readability::with_document(document, None, Some(config))
        .ok()
        .and_then(|mut r| r.parse().ok());
    let Some(article) = article else {
        return WebPage {
            url: canonical,
            encoding: decoded.encoding,
            flags: decoded.flags,
            ..WebPage::default()
        };
    };
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut text = drop_boilerplate_lines(&article.text_content, rules);
    // What is left of an index page or a form is a few links, not an article.
    if text.split_whitespace().count() < MIN_ARTICLE_WORDS {
        text.clear();
    }
    WebPage {
        text,
        title: nonempty(Some(article.title)),
        published: nonempty(article.published_time).or(time),
        url: canonical,
        author: nonempty(article.byline),
        site_name: nonempty(article.site_name),
        encoding: decoded.encoding,
        flags: decoded.flags,
    }
}

/// The canonical URL (`<link rel="canonical">`, else `og:url`, when absolute) and the first
/// `<time datetime>`, in one pass over the page.
fn url_and_time(document: &Document) -> (Option<String>, Option<String>) {
    let (mut link, mut og, mut time) = (None, None, None);
    static METADATA: std::sync::OnceLock<dom_query::Matcher> = std::sync::OnceLock::new();
    let metadata = METADATA.get_or_init(|| {
        dom_query::Matcher::new(r#"link[rel="canonical"], meta[property="og:url"], time[datetime]"#)
            .expect("a valid selector")
    });
    let found = document.select_matcher(metadata);
    for node in found.nodes() {
        let name = node.node_name().unwrap_or_default();
        let (slot, attribute) = match name.as_ref() {
            "link" => (&mut link, "href"),
            "meta" => (&mut og, "content"),
            _ => (&mut time, "datetime"),
        };
        if slot.is_none() {
            *slot = node.attr(attribute).map(|v| v.trim().to_string());
        }
    }
    let absolute = |u: &String| u.starts_with("http://") || u.starts_with("https://");
    let canonical = link.filter(absolute).or(og.filter(absolute));
    (canonical, time)
}

/// The text without the lines the rules call boilerplate, paragraphs a blank line apart.
fn drop_boilerplate_lines(text: &str, rules: &HtmlRules) -> String {
    let keep = |line: &&str| {
        let line = line.trim();
        !line.is_empty()
            && !rules
                .drop_lines
                .as_ref()
                .is_some_and(|set| set.is_match(line))
    };
    text.lines()
        .filter(keep)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Whether the first bytes of a file look like an HTML page.
pub fn looks_like_html(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |i| &head[i..]);
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let lower: Vec<u8> = start.iter().take(14).map(u8::to_ascii_lowercase).collect();
    lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Dissidents freed | The Daily</title>
<meta property="og:title" content="Dissidents freed">
<meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2019-11-19T06:51:00Z">
<meta name="author" content="Jane Reporter">
<link rel="canonical" href="https://daily.example/world/dissidents-freed">
<script>document.write("never run")</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Dissidents freed</h1>
<p>Beijing released two jailed dissidents on Monday, a week before the trade talks began in
Washington, officials said.</p>
<figure><img src="x.jpg"><figcaption>Photo: the prison gate at dawn.</figcaption></figure>
<p>Advertisement</p>
<p>The release of Chen Ziming and Wang Juntao came after years of pressure from human rights
groups, who had called for it since the crackdown of 1989.</p>
<p>Both men are expected to leave for the United States, their families said on Tuesday.</p>
</article>
<aside class="related-stories"><a href="/a">Read more: other news</a></aside>
<footer>Copyright The Daily</footer>
</body></html>"#;

    fn decoded(text: &str) -> Decoded {
        decode::decode(text.as_bytes()).unwrap()
    }

    #[test]
    fn article_and_metadata() {
        let rules = HtmlRules::of(&["figcaption"], &["advertisement"]);
        let page = extract(decoded(PAGE), None, &rules);
        assert!(
            page.text
                .starts_with("Beijing released two jailed dissidents"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains("\n\nThe release of Chen Ziming"),
            "{}",
            page.text
        );
        for boilerplate in [
            "Home",
            "Photo:",
            "Advertisement",
            "Read more",
            "Copyright",
            "never run",
        ] {
            assert!(
                !page.text.contains(boilerplate),
                "{boilerplate}: {}",
                page.text
            );
        }
        assert_eq!(page.title.as_deref(), Some("Dissidents freed"));
        assert_eq!(page.published.as_deref(), Some("2019-11-19T06:51:00Z"));
        assert_eq!(
            page.url.as_deref(),
            Some("https://daily.example/world/dissidents-freed")
        );
        assert_eq!(page.author.as_deref(), Some("Jane Reporter"));
        assert_eq!(page.site_name.as_deref(), Some("The Daily"));
    }

    #[test]
    fn charset_from_the_meta_tag_or_the_http_header() {
        let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>Caf\u{e9}</p></body></html>";
        let bytes = encoding_rs::WINDOWS_1252.encode(page).0.into_owned();
        let d = decode_page(bytes.clone(), None).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("Café"));
        let d = decode_page(bytes, Some("iso-8859-1")).unwrap();
        assert!(d.text.contains("Café"));
    }

    #[test]
    fn simple_selectors_remove_what_the_css_engine_would() {
        let page = r#"<html><body><div class="a related-links"><p>x</p><figcaption>c</figcaption></div>
            <p id="advert-1">ad</p><p class="story">keep <span class="Related">r</span><em>e</em></p>
            <figcaption>f</figcaption><p class="relatedness">gone</p></body></html>"#;
        let selectors = [
            "figcaption",
            r#"[class*="related"]"#,
            r#"[class*="Related"]"#,
            r#"[id*="advert"]"#,
            "p.story > em",
        ];
        let (simple, rest) = split_selectors(&selectors);
        let simple = simple.expect("four simple selectors");
        assert_eq!(simple.names, ["figcaption"]);
        let fast = Document::from(page);
        simple.remove_from(&fast);
        fast.select_matcher(&rest.expect("one for the CSS engine"))
            .remove();
        let css = Document::from(page);
        css.select_matcher(&selector_group(&selectors).unwrap())
            .remove();
        assert_eq!(fast.html(), css.html());
        let html = fast.html();
        assert!(html.contains("keep") && !html.contains("advert") && !html.contains("<em>"));
        assert!(!html.contains("gone") && !html.contains("figcaption"));
    }

    #[test]
    fn html_is_recognised_by_its_start() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"\xEF\xBB\xBF<HTML lang=en>"));
        assert!(!looks_like_html(b"PARIS - <html> in text"));
    }
}
