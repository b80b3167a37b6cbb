"""The resolver on the real COW and G-W lists."""

from __future__ import annotations

import polars as pl
import pytest

from foedus import countries, loaders
from foedus.errors import AmbiguousCountryError, UnknownCountryError


@pytest.mark.parametrize("q", ["Russia", "RUS", "365", "Soviet Union"])
def test_russia(q):
    assert countries.ccode(q) == 365


def test_korea_lists_north_and_south():
    with pytest.raises(AmbiguousCountryError) as e:
        countries.resolve("Korea")
    assert "731" in str(e.value) and "732" in str(e.value)


def test_congo_is_ambiguous_and_rusia_suggests_russia():
    with pytest.raises(AmbiguousCountryError) as e:
        countries.resolve("Congo")
    assert "484" in str(e.value) and "490" in str(e.value)
    with pytest.raises(UnknownCountryError) as e:
        countries.resolve("Rusia")
    assert e.value.suggestions[0] == "Russia (365)"


def test_every_cow_member_is_known_with_all_its_spells():
    idx = countries.index()
    raw = loaders.load("cow-states")
    assert set(idx.states) == set(raw["ccode"].to_list()) and len(idx.states) == 217
    spells = raw.group_by("ccode").len()
    for c, n in spells.iter_rows():
        assert len(idx.states[c].spells) == n
    assert sum(1 for s in idx.states.values() if s.member_in(2016)) == 195
    multi = [c for c, s in idx.states.items() if len(s.spells) > 1]
    assert 255 in multi and 305 in multi  # Germany, Austria


#: COW abbreviations that are another state's ISO3 code: ambiguous by design.
COLLISIONS = {
    "AUS": (305, 900),
    "SWZ": (225, 572),
    "CZE": (315, 316),
    "MNG": (341, 712),
    "SLV": (349, 92),
    "KOR": (730, 732),
}


def test_abbreviation_iso3_collisions_are_ambiguous():
    idx = countries.index()
    for code, (cow, iso) in COLLISIONS.items():
        with pytest.raises(AmbiguousCountryError) as e:
            idx.resolve(code)
        assert f"({cow};" in str(e.value) and f"({iso};" in str(e.value)


def test_every_state_resolves_by_its_abbreviation_and_name():
    idx = countries.index()
    for c, s in idx.states.items():
        if s.abb not in COLLISIONS:
            assert idx.resolve(s.abb).ccode == c
        assert idx.resolve(s.name).ccode == c or s.ccode in (730, 484)


def test_major_power_spells():
    idx = countries.index()
    majors = loaders.load("cow-majors")
    assert sum(len(s.major_spells) for s in idx.states.values()) == majors.height == 14
    assert {c for c, s in idx.states.items() if s.major_in(2016)} == {
        2,
        200,
        220,
        255,
        365,
        710,
        740,
    }


@pytest.mark.parametrize(
    ("query", "year", "expected"),
    [
        ("Germany", 1970, 260),
        ("Germany", 2000, 255),
        ("West Germany", None, 260),
        ("East Germany", None, 265),
        ("Vietnam", 1965, 816),
        ("South Vietnam", None, 817),
        ("Yemen", 1980, 678),
        ("Yemen", 2000, 679),
        ("South Yemen", None, 680),
        ("Serbia", 2010, 345),
        ("Yugoslavia", 1950, 345),
        ("Czech Republic", None, 316),
        ("Czechoslovakia", None, 315),
        ("Czech Republic", 1970, 315),
        ("Sudan", None, 625),
        ("South Sudan", None, 626),
        ("DEU", None, 255),
        ("GMY", None, 255),
        ("USSR", 1950, 365),
        ("Côte d'Ivoire", None, 437),
        ("cote d ivoire", None, 437),
        ("Ivory Coast", None, 437),
    ],
)
def test_identity_changes(query, year, expected):
    assert countries.ccode(query, year) == expected


@pytest.mark.parametrize(
    ("ccode", "year", "gwcode"),
    [
        (255, 1995, 260),
        (260, 1970, 260),
        (265, 1970, 265),
        (679, 1995, 678),
        (678, 1980, 678),
        (345, 1900, 340),
        (345, 1950, 345),
        (345, 2010, 340),
        (365, 1950, 365),
        (2, 2000, 2),
        (221, 2000, None),
        (54, 2000, None),  # Monaco, Dominica: micro-states not in G-W's main list
    ],
)
def test_cow_to_gw(ccode, year, gwcode):
    assert countries.cow_to_gw(ccode, year) == gwcode


def test_gw_to_cow_round_trip_for_every_state_year_2000():
    idx = countries.index()
    for c, s in idx.states.items():
        if s.member_in(2000):
            g = idx.cow_to_gw(c, 2000)
            if g is not None:
                assert idx.gw_to_cow(g, 2000) == c
    assert idx.gw_to_cow(563, 1900) is None  # Transvaal has no COW code
    gw = loaders.load("gw-states")
    assert gw.filter(pl.col("gwcode") == 271)["statename"].item() == "Württemberg"
