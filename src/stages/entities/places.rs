//! Which place a name means, when the gazetteer has several of that name (`Newcastle`,
//! `Rochester`, `Georgia`): resolved per document, with the evidence a reader uses.
//!
//! In order: a qualifier next to a mention (`ROCHESTER, N.H.`, `Hanover, Germany`, `Atlanta,
//! Georgia`), then a dateline (`LONDON 1996-08-30`: the name as the gazetteer's first place,
//! the most populous), then the other places of the document: a name whose first place lies
//! in a country the document never names otherwise goes to another place of the name whose
//! country the document names at least twice. Otherwise the first place wins. The decision
//! of a qualifier or a dateline holds for every mention of the name in the document.

use foldhash::{HashMap, HashSet};

use crate::lexicon::{EntityId, Geo, Lexicon};
use crate::model::Mention;

/// A mention whose form several places share: `choices` indexes [`Lexicon::choices`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Ambiguous {
    pub mention: usize,
    pub choices: u32,
}

/// How many distinct other places of a country make the document's context for it.
const CONTEXT_PLACES: usize = 2;

/// Gives each ambiguous mention the place it means.
pub(super) fn resolve(
    text: &str,
    url: Option<&str>,
    mentions: &mut [Mention],
    ambiguous: &[Ambiguous],
    lexicon: &Lexicon,
) {
    if ambiguous.is_empty() {
        return;
    }
    let pending: HashSet<usize> = ambiguous.iter().map(|a| a.mention).collect();
    // The outlet's country, where the page's address says it (`.co.uk`, `.de`), counts as
    // a dateline does.
    let home = url.and_then(url_country);
    let mut support: HashMap<&str, usize> = country_support(text, mentions, &pending, lexicon);
    if let Some(home) = home.as_deref() {
        *support.entry(home).or_default() += 2;
    }
    let mut by_name: Vec<(u32, Vec<usize>)> = Vec::new();
    for a in ambiguous {
        match by_name.iter_mut().find(|(c, _)| *c == a.choices) {
            Some((_, list)) => list.push(a.mention),
            None => by_name.push((a.choices, vec![a.mention])),
        }
    }
    for (choices, list) in by_name {
        let places = &lexicon.choices[choices as usize];
        let qualified: Vec<Option<EntityId>> = list
            .iter()
            .map(|&i| qualifier_choice(text, mentions, i, places, lexicon))
            .collect();
        let document_wide = qualified.iter().flatten().next().copied().or_else(|| {
            list.iter()
                .any(|&i| is_dateline(text, &mentions[i]))
                .then_some(places[0])
        });
        let choice = document_wide.unwrap_or_else(|| context_choice(places, &support, lexicon));
        for (&i, own) in list.iter().zip(qualified) {
            mentions[i].entity = own.unwrap_or(choice);
        }
    }
}

fn geo(lexicon: &Lexicon, id: EntityId) -> Option<&Geo> {
    lexicon.geo.get(&id)
}

fn country(lexicon: &Lexicon, id: EntityId) -> Option<&str> {
    geo(lexicon, id)?.country_code.as_deref()
}

/// The number of distinct unambiguous places the document names in each country (a dateline
/// counts twice: it says where the story is).
fn country_support<'a>(
    text: &str,
    mentions: &[Mention],
    pending: &HashSet<usize>,
    lexicon: &'a Lexicon,
) -> HashMap<&'a str, usize> {
    let mut seen = HashSet::default();
    let mut support: HashMap<&str, usize> = HashMap::default();
    for (i, m) in mentions.iter().enumerate() {
        if pending.contains(&i) || !seen.insert(m.entity) {
            continue;
        }
        if let Some(cc) = country(lexicon, m.entity) {
            *support.entry(cc).or_default() += if is_dateline(text, m) { 2 } else { 1 };
        }
    }
    support
}

/// The place a qualifier right next to mention `i` picks: a country or division after `, `
/// (`Rochester, N.H.`), or a place before it (`Atlanta, Georgia`) for names of divisions;
/// the first of `places` in its country (and division, where both give one).
fn qualifier_choice(
    text: &str,
    mentions: &[Mention],
    i: usize,
    places: &[EntityId],
    lexicon: &Lexicon,
) -> Option<EntityId> {
    let m = &mentions[i];
    let after = mentions
        .get(i + 1)
        .filter(|n| text.get(m.end..n.start) == Some(", "));
    let before = i
        .checked_sub(1)
        .map(|p| &mentions[p])
        .filter(|p| text.get(p.end..m.start) == Some(", "));
    // What follows qualifies when it contains places (`Rochester, N.H.`, not the list
    // `Newcastle, London`); what precedes, when the name is one of the containing kind.
    let containing = |g: &Geo| matches!(g.feature.as_deref(), Some("country" | "region"));
    let by_after = after
        .and_then(|q| geo(lexicon, q.entity))
        .filter(|g| containing(g))
        .and_then(|g| within(g, places, lexicon));
    by_after.or_else(|| {
        let g = geo(lexicon, before?.entity)?;
        let regions: Vec<EntityId> = places
            .iter()
            .copied()
            .filter(|&p| geo(lexicon, p).is_some_and(containing))
            .collect();
        within(g, &regions, lexicon)
    })
}

/// The first of `places` inside the qualifying place `q`.
fn within(q: &Geo, places: &[EntityId], lexicon: &Lexicon) -> Option<EntityId> {
    let cc = q.country_code.as_deref()?;
    let division = q
        .admin1
        .as_deref()
        .filter(|_| q.feature.as_deref() == Some("region"));
    places.iter().copied().find(|&p| {
        let Some(g) = geo(lexicon, p) else {
            return false;
        };
        g.country_code.as_deref() == Some(cc)
            && match (division, g.admin1.as_deref()) {
                (Some(d), Some(own)) => d == own,
                _ => true,
            }
    })
}

/// Without a qualifier or dateline: the first place, unless the document names no other place
/// of its country and names at least [`CONTEXT_PLACES`] places of another candidate's
/// (a country or a town never changes this way: `Georgia` and `Paris` keep their first place).
fn context_choice(
    places: &[EntityId],
    support: &HashMap<&str, usize>,
    lexicon: &Lexicon,
) -> EntityId {
    let first = places[0];
    let feature = |id| geo(lexicon, id).and_then(|g| g.feature.as_deref());
    let backing = |id| {
        country(lexicon, id)
            .and_then(|cc| support.get(cc))
            .copied()
            .unwrap_or(0)
    };
    if feature(first) == Some("country") || backing(first) > 0 {
        return first;
    }
    places[1..]
        .iter()
        .copied()
        .filter(|&p| feature(p) != Some("town") && backing(p) >= CONTEXT_PLACES)
        .max_by_key(|&p| {
            (
                backing(p),
                std::cmp::Reverse(places.iter().position(|&x| x == p)),
            )
        })
        .unwrap_or(first)
}

/// The country of a web address's country-code domain (`www.bbc.co.uk` -> `GB`), or `None`
/// for generic domains (`.com`, `.org`).
fn url_country(url: &str) -> Option<String> {
    let host = url.split("://").nth(1).unwrap_or(url);
    let host = host.split(['/', ':', '?', '#']).next()?;
    let tld = host.rsplit('.').next()?;
    if tld.len() != 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let code = tld.to_ascii_uppercase();
    Some(if code == "UK" { "GB".into() } else { code })
}

/// Whether the mention opens a line as its dateline (`LONDON 1996-08-30`, `PARIS -`,
/// `ROCHESTER, N.H.`).
fn is_dateline(text: &str, m: &Mention) -> bool {
    let line_start = m.start == 0 || text[..m.start].ends_with('\n');
    let after = &text[m.end..];
    line_start
        && (after.starts_with(',')
            || after.starts_with(" -")
            || after
                .strip_prefix(' ')
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use crate::lexicon::Lexicon;
    use crate::model::{CleanDocument, DocMeta};
    use crate::stages::entities::EntityMatcher;
    use crate::stages::tokenize::tokenize;

    /// A gazetteer in the generated format: two Newcastles, three Rochesters, Georgia the
    /// country and the state, and the qualifiers that tell them apart.
    const GAZETTEER: &str = "kind\tname\taliases\tshort\tgeonames_id\tcountry_code\tlatitude\tlongitude\tfeature\tadmin1
place\tGeorgia\t\t\t614540\tGE\t41.69\t44.83\tcountry\t
place\tUnited Kingdom\tBritain\t\t2635167\tGB\t51.5\t-0.12\tcountry\t
place\tGermany\t\t\t2921044\tDE\t52.52\t13.41\tcountry\t
place\tLondon\t\t\t2643743\tGB\t51.51\t-0.13\tcity\t
place\tManchester\t\t\t2643123\tGB\t53.48\t-2.24\tcity\t
place\tSydney\t\t\t2147714\tAU\t-33.87\t151.21\tcity\t
place\tAtlanta\t\t\t4180439\tUS\t33.75\t-84.39\tcity\tUS-GA
place\tNewcastle\t\t\t2155472\tAU\t-32.93\t151.78\tcity\t
place\tRochester\t\t\t5134086\tUS\t43.15\t-77.62\tcity\tUS-NY
place\tGeorgia (United States)\tGa.|Georgia\t\t4197000\tUS\t32.33\t-83.11\tregion\tUS-GA
place\tNew Hampshire\tN.H.\t\t5090174\tUS\t43.67\t-71.58\tregion\tUS-NH
place\tNewcastle upon Tyne\tNewcastle\t\t2641673\tGB\t54.97\t-1.61\tcity\t
place\tRochester (Minnesota)\tRochester\t\t5043473\tUS\t44.02\t-92.47\tcity\tUS-MN
place\tRochester (New Hampshire)\tRochester\t\t5091872\tUS\t43.30\t-70.98\ttown\tUS-NH
place\tHanover\t\t\t2910831\tDE\t52.37\t9.73\tcity\t
place\tHanover (Maryland)\tHanover\t\t4357340\tUS\t39.19\t-76.72\ttown\tUS-MD
";

    /// The GeoNames id of each place mention of `text`, with its surface.
    fn resolved(text: &str) -> Vec<(String, i64)> {
        resolved_at(text, None)
    }

    /// The same for a page at `url`.
    fn resolved_at(text: &str, url: Option<&str>) -> Vec<(String, i64)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gazetteer.tsv");
        std::fs::write(&path, GAZETTEER).unwrap();
        let lex = Lexicon::load(&[(path, true)]).unwrap();
        let matcher = EntityMatcher::new(&lex, &Default::default()).unwrap();
        let mut meta = DocMeta::new("d", "d");
        meta.url = url.map(String::from);
        let doc = tokenize(CleanDocument::from_text(meta, text));
        matcher
            .analyze(doc, &lex)
            .mentions
            .iter()
            .map(|m| {
                let id = lex.geo[&m.entity].geonames_id.unwrap();
                (text[m.start..m.end].to_string(), id)
            })
            .collect()
    }

    fn id_of(found: &[(String, i64)], surface: &str) -> Vec<i64> {
        found
            .iter()
            .filter(|(s, _)| s == surface)
            .map(|(_, id)| *id)
            .collect()
    }

    #[test]
    fn a_qualifier_after_or_before_the_name_decides() {
        let got =
            resolved("ROCHESTER, N.H. 1996-08-30\nRochester police said. Hanover, Germany is far.");
        assert_eq!(id_of(&got, "ROCHESTER"), [5091872]);
        // The qualified dateline decides the other mentions of the name in the document.
        assert_eq!(id_of(&got, "Rochester"), [5091872]);
        assert_eq!(id_of(&got, "Hanover"), [2910831]);
        let got = resolved("He flew from Atlanta, Georgia, to Hanover, Maryland.");
        assert_eq!(id_of(&got, "Georgia"), [4197000]);
    }

    #[test]
    fn without_evidence_the_first_place_of_the_name_wins() {
        let got = resolved("Rochester and Newcastle were quiet.");
        assert_eq!(id_of(&got, "Rochester"), [5134086]);
        assert_eq!(id_of(&got, "Newcastle"), [2155472]);
        // A country keeps its name without a qualifier, whatever the context.
        let got = resolved("In Georgia, as in Atlanta and Rochester, voters went out.");
        assert_eq!(id_of(&got, "Georgia"), [614540]);
    }

    #[test]
    fn the_documents_other_places_decide_between_cities() {
        let got = resolved("Newcastle beat a side from London before a trip to Manchester.");
        assert_eq!(id_of(&got, "Newcastle"), [2641673]);
        // One place of that country is not enough, nor is context when the first place's
        // country is named.
        assert_eq!(
            id_of(&resolved("Newcastle and London."), "Newcastle"),
            [2155472]
        );
        let got = resolved("Newcastle, London, Manchester and Sydney.");
        assert_eq!(id_of(&got, "Newcastle"), [2155472]);
    }

    #[test]
    fn a_national_side_in_a_results_line_stays_its_country() {
        let got = resolved("Results:\n\nGermany 2 Britain 1\n\nLondon 3 Manchester 1\n");
        let surfaces: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(surfaces, ["Germany", "Britain"]);
    }

    #[test]
    fn the_outlets_country_counts_as_context() {
        let text = "Newcastle won at home.";
        assert_eq!(id_of(&resolved(text), "Newcastle"), [2155472]);
        let british = resolved_at(text, Some("https://www.example.co.uk/sport/1"));
        assert_eq!(id_of(&british, "Newcastle"), [2641673]);
        assert_eq!(
            super::url_country("http://news.example.de:80/a"),
            Some("DE".into())
        );
        assert_eq!(super::url_country("https://example.com/x.uk"), None);
    }

    #[test]
    fn a_dateline_keeps_the_first_place() {
        let got = resolved("NEWCASTLE 1996-08-30\nOfficials in London and Manchester said.");
        assert_eq!(id_of(&got, "NEWCASTLE"), [2155472]);
    }
}
