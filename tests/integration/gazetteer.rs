//! The committed gazetteers can be put on a map: what `scripts/build_places.py` checks when
//! it writes them, checked again on the files CI has (the script needs PyPI packages).

use std::collections::HashSet;

fn check(path: &str) {
    let text = std::fs::read_to_string(common_root().join(path)).unwrap();
    let mut names = HashSet::new();
    let mut rows = 0;
    for line in text.lines().skip(1).filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 10, "{path}: {line}");
        let (name, id, country, lat, feature) = (f[1], f[4], f[5], f[6], f[8]);
        assert!(names.insert(name), "{path}: `{name}` twice");
        if matches!(feature, "country" | "region" | "city" | "town") {
            assert!(
                !lat.is_empty(),
                "{path}: `{name}` ({feature}) has no coordinates"
            );
        }
        if !id.is_empty() && feature != "continent" {
            assert!(
                !country.is_empty(),
                "{path}: `{name}` has an id but no country"
            );
        }
        rows += 1;
    }
    assert!(rows > 1000, "{path}: only {rows} rows");
}

fn common_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_country_division_and_city_has_coordinates() {
    check("pipelines/lexicons/places.tsv");
    check("pipelines/generic/gazetteer.tsv");
}

fn generic_gazetteer() -> String {
    std::fs::read_to_string(common_root().join("pipelines/generic/gazetteer.tsv")).unwrap()
}

/// The row of the place called `name`.
fn named<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find(|l| l.split('\t').nth(1) == Some(name))
}

#[test]
fn same_named_places_are_kept_apart() {
    let text = generic_gazetteer();
    let row = |name: &str| named(&text, name).unwrap_or_else(|| panic!("no row `{name}`"));
    // The larger place holds the name; the other carries it as an alias, with its state.
    assert!(row("Rochester").contains("\tUS-NY"));
    assert!(row("Rochester (New Hampshire)").contains("\tRochester\t"));
    assert!(row("Newcastle upon Tyne").contains("\tNewcastle\t"));
    assert!(row("Georgia (United States)").contains("\tGa.|Georgia\t"));
}

#[test]
fn cities_go_by_their_english_names_and_large_ones_by_names_people_have_too() {
    let text = generic_gazetteer();
    let row = |name: &str| named(&text, name).unwrap_or_else(|| panic!("no row `{name}`"));
    // The English name holds the row, the local one is an alias.
    assert!(row("Geneva").contains("\tGenève\t"));
    assert!(row("Antwerp").contains("\tAntwerpen\t"));
    assert!(row("Gothenburg").contains("\tGöteborg\t"));
    // Large cities whose names are rarer names of people; not the very common ones.
    for city in ["Boston", "Denver", "Lyon", "Glasgow"] {
        assert!(row(city).contains("\tcity\t"), "{city}");
    }
    assert!(named(&text, "Charlotte").is_none());
    // A name matched without its accents is a name too: `Būsh` would be every `Bush`.
    assert!(named(&text, "Būsh").is_none());
}
