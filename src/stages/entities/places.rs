//! Which place a name means, when the gazetteer has several of that name (`Newcastle`,
//! `Rochester`, `Georgia`): resolved per document, with the evidence a reader uses.
//!
//! In order: a qualifier next to a mention (`ROCHESTER, N.H.`, `Hanover, Germany`, `Atlanta,
//! Georgia`), then a dateline (`LONDON 1996-08-30`: the name as the gazetteer's first place,
//! the most populous), then the other places of the document: a name whose first place lies
//! in a country the document never names otherwise goes to another place of the name whose
//! country the document names at least twice. Otherwise the first place wins. The decision
//! of a qualifier or a dateline holds for every mention of the name in the document.

use std::collections::{HashMap, HashSet};

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
    mentions: &mut [Mention],
    ambiguous: &[Ambiguous],
    lexicon: &Lexicon,
) {
    if ambiguous.is_empty() {
        return;
    }
    let pending: HashSet<usize> = ambiguous.iter().map(|a| a.mention).collect();
    let support = country_support(text, mentions, &pending, lexicon);
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
    let mut seen = HashSet::new();
    let mut support: HashMap<&str, usize> = HashMap::new();
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

/// The place a qualifier right next to mention `i` picks: a place after `, ` (`Rochester,
/// N.H.`) or before it (`Atlanta, Georgia`), in whose country (and division, where both
/// give one) exactly one of `places` lies first.
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
    [after, before]
        .into_iter()
        .flatten()
        .find_map(|q| within(geo(lexicon, q.entity)?, places, lexicon))
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
