"""The country resolver on a small synthetic state system (the packaged crosswalk supplies
names and ISO3 codes; spells come from frames built here)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from foedus.countries import CountryIndex, normalize
from foedus.errors import AmbiguousCountryError, NotASystemMemberError, UnknownCountryError

COW = [  # stateabb, ccode, statenme, start, end
    ("USA", 2, "United States of America", (1816, 1, 1), (2016, 12, 31)),
    ("GMY", 255, "Germany", (1816, 1, 1), (1945, 5, 8)),
    ("GMY", 255, "Germany", (1990, 10, 3), (2016, 12, 31)),
    ("GFR", 260, "German Federal Republic", (1955, 5, 5), (1990, 10, 2)),
    ("GDR", 265, "German Democratic Republic", (1954, 3, 25), (1990, 10, 2)),
    ("AUH", 300, "Austria-Hungary", (1816, 1, 1), (1918, 11, 12)),
    ("AUS", 305, "Austria", (1918, 11, 12), (1938, 3, 13)),
    ("AUS", 305, "Austria", (1955, 7, 27), (2016, 12, 31)),
    ("YUG", 345, "Yugoslavia", (1878, 7, 13), (1915, 11, 30)),
    ("YUG", 345, "Yugoslavia", (1918, 12, 1), (2016, 12, 31)),
    ("RUS", 365, "Russia", (1816, 1, 1), (2016, 12, 31)),
    ("YAR", 678, "Yemen Arab Republic", (1926, 9, 2), (1990, 5, 21)),
    ("YEM", 679, "Yemen", (1990, 5, 22), (2016, 12, 31)),
    ("YPR", 680, "Yemen People's Republic", (1967, 11, 30), (1990, 5, 21)),
    ("KOR", 730, "Korea", (1887, 1, 1), (1905, 11, 17)),
    ("PRK", 731, "North Korea", (1948, 9, 9), (2016, 12, 31)),
    ("ROK", 732, "South Korea", (1949, 1, 1), (2016, 12, 31)),
    ("AUL", 900, "Australia", (1920, 1, 10), (2016, 12, 31)),
    ("MNC", 221, "Monaco", (1993, 5, 28), (2016, 12, 31)),
]
MAJORS = [("RUS", 365, (1816, 1, 1), (1917, 12, 5)), ("RUS", 365, (1922, 1, 1), (2016, 12, 31))]
GW = [
    (2, "USA", "United States of America", (1816, 1, 1), (2017, 12, 31)),
    (255, "GMY", "Germany (Prussia)", (1816, 1, 1), (1945, 5, 7)),
    (260, "GFR", "German Federal Republic", (1949, 9, 21), (2017, 12, 31)),
    (265, "GDR", "German Democratic Republic", (1949, 10, 5), (1990, 10, 2)),
    (340, "SRB", "Serbia", (1878, 7, 13), (1915, 10, 1)),
    (345, "YUG", "Yugoslavia", (1918, 12, 1), (2006, 6, 4)),
    (340, "SRB", "Serbia", (2006, 6, 5), (2017, 12, 31)),
    (365, "RUS", "Russia (Soviet Union)", (1816, 1, 1), (2017, 12, 31)),
    (678, "YEM", "Yemen (Arab Republic of Yemen)", (1918, 10, 30), (2017, 12, 31)),
    (680, "YPR", "Yemen, People's Republic of", (1967, 11, 30), (1990, 5, 21)),
    (563, "TRA", "Transvaal", (1852, 1, 1), (1910, 5, 30)),
]


def cow_states_frame(rows) -> pl.DataFrame:
    """A COW state list (states2016.csv's columns) from (abb, code, name, start, end) rows."""
    return pl.DataFrame(
        [(a, c, n, *s, *e, 2016) for a, c, n, s, e in rows],
        schema=[
            "stateabb",
            "ccode",
            "statenme",
            "styear",
            "stmonth",
            "stday",
            "endyear",
            "endmonth",
            "endday",
            "version",
        ],
        orient="row",
    )


def _frames():
    cow = cow_states_frame(COW)
    majors = pl.DataFrame(
        [(a, c, *s, *e, 2016) for a, c, s, e in MAJORS],
        schema=[
            "stateabb",
            "ccode",
            "styear",
            "stmonth",
            "stday",
            "endyear",
            "endmonth",
            "endday",
            "version",
        ],
        orient="row",
    )
    gw = pl.DataFrame(
        [(g, a, n, date(*s), date(*e)) for g, a, n, s, e in GW],
        schema=["gwcode", "stateabb", "statename", "startdate", "enddate"],
        orient="row",
    )
    return cow, majors, gw


@pytest.fixture(scope="module")
def idx() -> CountryIndex:
    return CountryIndex(*_frames())


@pytest.mark.parametrize(
    "q", ["Russia", "RUS", "365", "Soviet Union", "USSR", "russian federation"]
)
def test_russia_in_every_form(idx, q):
    assert idx.resolve(q).ccode == 365


def test_normalize_ignores_case_accents_punctuation():
    assert normalize("Côte d’Ivoire") == normalize("cote d'ivoire") == "cote divoire"
    assert normalize("The Gambia") == "gambia"
    assert normalize("Saint Lucia") == normalize("St. Lucia")


def test_korea_is_ambiguous_and_lists_candidates(idx):
    with pytest.raises(AmbiguousCountryError) as e:
        idx.resolve("Korea")
    text = str(e.value)
    assert "731" in text and "732" in text and "730" in text
    with pytest.raises(AmbiguousCountryError) as e:
        idx.resolve("Korea", year=1990)
    assert "730" not in str(e.value)
    assert idx.resolve("Korea", year=1900).ccode == 730


def test_spacing_of_apostrophes_does_not_matter(idx):
    assert idx.resolve("North Korea").ccode == idx.resolve("northkorea").ccode == 731


def test_unknown_name_suggests(idx):
    with pytest.raises(UnknownCountryError) as e:
        idx.resolve("Rusia")
    assert e.value.suggestions[0] == "Russia (365)"


def test_abbreviation_and_iso_collision_is_ambiguous(idx):
    with pytest.raises(AmbiguousCountryError) as e:
        idx.resolve("AUS")
    assert "Austria (305" in str(e.value) and "Australia (900" in str(e.value)
    assert idx.resolve("AUL").ccode == 900
    assert idx.resolve("DEU").ccode == 255  # ISO3 only


def test_year_aware_identity(idx):
    r = idx.resolve("Germany", year=1970)
    assert r.ccode == 260 and "West Germany" in r.note
    assert idx.resolve("Germany", year=1995).ccode == 255
    assert idx.resolve("Yemen", year=1980).ccode == 678
    assert idx.resolve("Yemen", year=1995).ccode == 679
    assert idx.resolve("Austria", year=1900).ccode == 300
    assert idx.resolve("Yugoslavia").ccode == idx.resolve("Serbia").ccode == 345


def test_not_a_member_lists_spells_and_successors(idx):
    with pytest.raises(NotASystemMemberError) as e:
        idx.resolve("255", year=1970)  # an explicit code is not substituted
    assert "1816-1945" in str(e.value) and "West Germany (260)" in str(e.value)


def test_membership_after_the_list_ends_is_flagged(idx):
    r = idx.resolve("RUS", year=2021)
    assert r.ccode == 365 and "assumed" in r.note
    assert idx.get(365).major_in(2021) and not idx.get(365).major_in(1920)
    assert idx.get(365).assumed_in(2021) and not idx.get(365).assumed_in(2016)


def test_several_spells(idx):
    aus = idx.get(305)
    assert len(aus.spells) == 2
    assert aus.member_in(1930) and not aus.member_in(1945) and aus.member_in(1955)


def test_cow_gw_mapping_where_codes_differ(idx):
    assert idx.cow_to_gw(255, 1995) == 260 and idx.gw_to_cow(260, 1995) == 255
    assert idx.cow_to_gw(260, 1970) == 260 and idx.gw_to_cow(260, 1970) == 260
    assert idx.gw_to_cow(260, 1990) == 255  # member of COW at the end of 1990
    assert idx.cow_to_gw(255, 1950) is None  # not a COW member then
    assert idx.cow_to_gw(679, 1995) == 678 and idx.gw_to_cow(678, 1995) == 679
    assert idx.gw_to_cow(678, 1980) == 678
    assert idx.cow_to_gw(345, 1900) == 340 and idx.cow_to_gw(345, 1950) == 345
    assert idx.cow_to_gw(345, 2010) == 340 and idx.cow_to_gw(345, 2006) == 340
    assert idx.gw_to_cow(563, 1900) is None  # Transvaal: not in COW
    assert idx.cow_to_gw(221, 2000) is None  # Monaco: not in G-W


def test_gw_only_code_resolves_by_year(idx):
    r = idx.resolve("340", year=2010)
    assert r.ccode == 345 and r.matched == "G-W code"
    with pytest.raises(UnknownCountryError):
        idx.resolve("563")
    with pytest.raises(UnknownCountryError):
        idx.resolve("9999")
