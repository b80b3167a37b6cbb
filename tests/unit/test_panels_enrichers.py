"""Enrichers on synthetic sources (``loaders.load`` is replaced by small frames built here)."""

from __future__ import annotations

import polars as pl
import pytest

from foedus import loaders
from foedus.errors import EnricherOptionError, PanelError
from foedus.panels import (
    add_atop_alliance,
    add_cow_alliance,
    add_cow_majors,
    add_igos,
    add_maoz_powers,
    add_nmc,
    add_strategic_rivalries,
)

I32 = pl.Int32


def frame(rows, schema):
    return pl.DataFrame(rows, schema=schema, orient="row")


ATOP = frame(
    [
        (220, 211, 1832, 1, 0, 0, 0, 0),
        (211, 220, 1832, 0, 0, 0, 0, 1),
        (2, 20, 2018, 1, 0, 0, 0, 1),
        (20, 2, 2018, 1, 0, 0, 0, 1),
    ],
    {
        "ccode1": I32,
        "ccode2": I32,
        "year": I32,
        "atop_defense": pl.Float64,
        "atop_offense": pl.Float64,
        "atop_neutral": pl.Float64,
        "atop_nonagg": pl.Float64,
        "atop_consul": pl.Float64,
    },
)
COW_DYAD = frame(
    [
        (200, 235, 1816, None, 1, 0, 1, 0),
        (200, 235, 1900, 1905, 0, 0, 0, 1),
        (2, 20, 1940, 1950, 0, 0, 0, 1),
    ],
    {
        "ccode1": I32,
        "ccode2": I32,
        "dyad_st_year": I32,
        "dyad_end_year": I32,
        "defense": pl.Int64,
        "neutrality": pl.Int64,
        "nonaggression": pl.Int64,
        "entente": pl.Int64,
    },
)
NMC = frame(
    [
        (2, 2000, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.15),
        (20, 2000, None, 1, 1, 1, 1, 1, 0.05),
        (365, 2000, 1, 1, 1, 1, 1, 1, 0.0),
    ],
    {
        "ccode": I32,
        "year": I32,
        **{c: pl.Float64 for c in ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")},
    },
)
MAJORS = frame(
    [
        (2, 1898, 8, 13, 2016, 12, 31),
        (220, 1816, 1, 1, 1940, 6, 22),
        (220, 1945, 8, 15, 2016, 12, 31),
    ],
    {
        "ccode": I32,
        "styear": I32,
        "stmonth": I32,
        "stday": I32,
        "endyear": I32,
        "endmonth": I32,
        "endday": I32,
    },
)
TSS = frame(
    [(1, 300, 220, 1900, 1925, 1, 1, 0, 0), (2, 2, 365, 1946, 2020, 1, 0, 1, 1)],
    {
        "tssr_id": I32,
        "ccode1": I32,
        "ccode2": I32,
        "start": pl.Float64,
        "end": pl.Float64,
        "positional": pl.Float64,
        "spatial": pl.Float64,
        "ideological": pl.Float64,
        "interventionary": pl.Float64,
    },
)
IGO_NDY = frame(
    [(2, 20, 2000, 50.0), (2, 365, 2014, 30.0)],
    {"ccode1": I32, "ccode2": I32, "year": I32, "dyadigos": pl.Float64},
)
MAOZ = frame(
    [(2, "1824-01-01", "1898-12-31", "1899-01-01", "2019-12-31")],
    {
        "ccode": I32,
        "regstdate": pl.String,
        "regenddate": pl.String,
        "globstdate": pl.String,
        "globenddate": pl.String,
    },
).with_columns(pl.exclude("ccode").str.to_date())

SOURCES = {
    "ps-atop-alliance": ATOP,
    "cow-alliance-dyad": COW_DYAD,
    "ps-cow-nmc": NMC,
    "cow-majors": MAJORS,
    "ps-tss-rivalries": TSS,
    "ps-cow-igo-ndy": IGO_NDY,
    "ps-maoz-powers": MAOZ,
}


@pytest.fixture(autouse=True)
def fake_sources(monkeypatch):
    monkeypatch.setattr(loaders, "load", lambda name, **kw: SOURCES[name])


def dyads(rows):
    return frame(rows, {"ccode1": I32, "ccode2": I32, "year": I32})


def states(rows):
    return frame(rows, {"ccode": I32, "year": I32})


def test_atop_directed_keeps_asymmetric_pledges_and_coverage():
    d = dyads(
        [
            (220, 211, 1832),
            (211, 220, 1832),
            (220, 211, 1833),
            (2, 20, 2018),
            (2, 20, 2019),
            (2, 20, 1814),
        ]
    ).pipe(add_atop_alliance)
    assert d["atop_defense"].to_list() == [1, 0, 0, 1, None, None]
    assert d["atop_alliance"].to_list() == [1, 1, 0, 1, None, None]
    assert d["atop_consul"].to_list() == [0, 1, 0, 1, None, None]


def test_atop_undirected_ndir_takes_either_direction():
    u = dyads([(211, 220, 1832), (211, 220, 1833)])
    assert u.pipe(add_atop_alliance)["atop_defense"].to_list() == [1, 0]
    assert u.pipe(add_atop_alliance, ndir=False)["atop_defense"].to_list() == [0, 0]
    assert u.pipe(add_atop_alliance)["atop_alliance"].to_list() == [1, 0]  # 0, not null


def test_cow_alliance_spells_combine_and_stop_at_2012():
    d = dyads(
        [(200, 235, 1816), (235, 200, 1902), (200, 235, 2012), (200, 235, 2013), (2, 20, 1939)]
    ).pipe(add_cow_alliance)
    assert d["cow_defense"].to_list() == [1, 1, 1, None, 0]
    assert d["cow_entente"].to_list() == [0, 1, 0, None, 0]
    s = states([(200, 1902), (2, 1945), (2, 2013)]).pipe(add_cow_alliance)
    assert s["cow_n_defense"].to_list() == [1, 0, None]
    assert s["cow_n_entente"].to_list() == [1, 1, None]


def test_nmc_suffixes_share_and_ratio():
    d = dyads([(2, 20, 2000), (20, 2, 2000), (2, 365, 2000), (2, 20, 2023)]).pipe(add_nmc)
    assert d["cinc1"].to_list() == [0.15, 0.05, 0.15, None]
    assert d["milex2"].to_list() == [None, 1.0, 1.0, None]
    assert d["cinc_prop1"].to_list()[:2] == pytest.approx([0.75, 0.25])
    assert d["cinc_ratio"].to_list() == pytest.approx([3.0, 3.0, None, None], nan_ok=True)
    assert d["cinc_ratio"][2] is None  # ratio undefined when one side has CINC 0
    with pytest.raises(EnricherOptionError, match="gdp"):
        add_nmc(d.select("ccode1", "ccode2", "year"), keep=["gdp"])


def test_majors_null_after_2016_unless_carried_forward():
    s = states([(2, 1897), (2, 1898), (220, 1942), (220, 2016), (220, 2017)])
    assert s.pipe(add_cow_majors)["cowmaj"].to_list() == [0, 1, 0, 1, None]
    assert s.pipe(add_cow_majors, carry_forward=True)["cowmaj"].to_list() == [0, 1, 0, 1, 1]
    d = dyads([(2, 220, 1942)]).pipe(add_cow_majors)
    assert (d["cowmaj1"][0], d["cowmaj2"][0]) == (1, 0)


def test_maoz_powers():
    s = states([(2, 1823), (2, 1824), (2, 1899), (2, 2020), (20, 1950)]).pipe(add_maoz_powers)
    assert s["maoz_reg"].to_list() == [0, 1, 0, None, 0]
    assert s["maoz_glob"].to_list() == [0, 0, 1, None, 0]


def test_rivalries_symmetric_austria_fix_and_coverage():
    d = dyads(
        [
            (220, 300, 1910),
            (300, 220, 1910),
            (220, 305, 1920),
            (220, 300, 1920),
            (365, 2, 2020),
            (365, 2, 2021),
            (2, 20, 2000),
        ]
    ).pipe(add_strategic_rivalries)
    assert d["ongoingrivalry"].to_list() == [1, 1, 1, 0, 1, None, 0]
    assert d["tssr_id"].to_list() == [1, 1, 1, None, 2, None, None]
    s = states([(2, 2000), (305, 1920), (20, 2000)]).pipe(add_strategic_rivalries)
    assert s["n_rivalries"].to_list() == [1, 1, 0]
    assert s["n_ideological"].to_list() == [1, 0, 0]


def test_igos_match_either_direction():
    d = dyads([(20, 2, 2000), (2, 20, 2000), (365, 2, 2014), (2, 365, 2015)]).pipe(add_igos)
    assert d["dyadigos"].to_list() == [50, 50, 30, None]


@pytest.mark.parametrize("func", [add_atop_alliance, add_nmc, add_cow_majors, add_igos])
def test_wrong_frames_are_refused(func):
    with pytest.raises(PanelError):
        func(pl.DataFrame({"x": [1]}))
    with pytest.raises(PanelError):
        func(pl.DataFrame({"gwcode1": [2], "gwcode2": [20], "year": [2000]}))


def test_nmc_keep_accepts_one_name():
    d = dyads([(2, 20, 2000)]).pipe(add_nmc, keep="cinc")
    assert d.columns == ["ccode1", "ccode2", "year", "cinc1", "cinc2", "cinc_prop1", "cinc_ratio"]
