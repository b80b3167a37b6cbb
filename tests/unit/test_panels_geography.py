"""Geography enrichers on synthetic sources (``loaders.load`` is replaced by small frames)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus import loaders
from foedus.errors import EnricherOptionError, PanelError
from foedus.panels.geography import (
    PairYearTable,
    add_capital_distance,
    add_contiguity,
    add_minimum_distance,
    add_rugged_terrain,
    capital_years,
    contiguity_counts,
    contiguity_years,
    min_over_partners,
    vincenty_sphere_km,
)
from foedus.panels.registry import ENRICHERS

I32 = pl.Int32
D = pl.Date
R_KM = 6378.137


def frame(rows, schema):
    return pl.DataFrame(rows, schema=schema, orient="row")


def d(y, m=1, day=1):
    return date(y, m, day)


CONTDIR_SCHEMA = {"ccode1": I32, "ccode2": I32, "conttype": I32, "stdate": D, "enddate": D}


def contdir(rows):
    """Directed spells: each (a, b, type, start, end) is filed for a-b and for b-a, sorted
    by ccode1, ccode2, stdate (as peacesciencer files them)."""
    both = [(a, b, t, s, e) for a, b, t, s, e in rows] + [(b, a, t, s, e) for a, b, t, s, e in rows]
    return frame(both, CONTDIR_SCHEMA).sort("ccode1", "ccode2", "stdate", maintain_order=True)


CONTDIR = contdir(
    [
        (2, 20, 1, d(1920), d(2016, 12)),  # US-Canada, land
        (2, 40, 4, d(1902, 5), d(1906, 9)),  # US-Cuba, water, with a gap
        (2, 40, 4, d(1909), d(2016, 12)),
        (315, 365, 0, d(1918, 10), d(1992, 12)),  # the 0-spell spans the land spell
        (315, 365, 1, d(1945, 6), d(1991, 12)),
        (350, 640, 2, d(1913, 8), d(1919, 11)),  # changes type in Nov 1919
        (350, 640, 1, d(1919, 11), d(1941, 4)),
    ]
)
MINDIST = frame(
    [(2, 20, 1900, 0.0), (2, 40, 1900, 150.5), (20, 40, 1900, 1800.0), (2, 20, 2019, 0.0)],
    {"ccode1": I32, "ccode2": I32, "year": I32, "mindist": pl.Float64},
)
GW_MINDIST = MINDIST.rename({"ccode1": "gwcode1", "ccode2": "gwcode2"})
WASHINGTON = (38.895037, -77.036543)
MOSCOW = (55.625578, 37.606392)
CAP_SCHEMA = {
    "ccode": I32,
    "statenme": pl.String,
    "capital": pl.String,
    "stdate": D,
    "enddate": D,
    "lat": pl.Float64,
    "lng": pl.Float64,
}
CAPITALS = frame(
    [
        (2, "USA", "Washington", d(1816), d(2024, 12, 31), *WASHINGTON),
        (20, "Canada", "Ottawa", d(1867), d(2024, 12, 31), 45.420878, -75.690111),
        (365, "Russia", "St Petersburg", d(1816), d(1918, 3, 11), 59.960674, 30.158655),
        (365, "Russia", "Moscow", d(1918, 3, 12), d(2024, 12, 31), *MOSCOW),
        (678, "YAR", "Sanaa", d(1926), d(1990, 5, 21), 15.35, 44.2),
        (679, "Yemen", "Sanaa", d(1990, 5, 22), d(2024, 12, 31), 15.35, 44.2),
    ],
    CAP_SCHEMA,
)
GW_CAPITALS = CAPITALS.rename({"ccode": "gwcode"})
RUGGED = frame(
    [(2, 2, 0.9, 2.5), (255, 260, 0.6, 2.4), (232, None, 5.7, None)],
    {"ccode": I32, "gwcode": I32, "rugged": pl.Float64, "newlmtnest": pl.Float64},
)
STATES_SCHEMA = {
    "ccode": I32,
    "styear": I32,
    "stmonth": I32,
    "stday": I32,
    "endyear": I32,
    "endmonth": I32,
    "endday": I32,
}
COW_STATES = frame(
    [
        (2, 1816, 1, 1, 2016, 12, 31),
        (20, 1920, 1, 10, 2016, 12, 31),
        (365, 1816, 1, 1, 2016, 12, 31),
        (678, 1926, 1, 1, 1990, 5, 21),  # Yemen Arab Republic, succeeded by Yemen
        (679, 1990, 5, 22, 2016, 12, 31),
    ],
    STATES_SCHEMA,
)
GW_STATES = COW_STATES.select(
    pl.col("ccode").alias("gwcode"),
    pl.date("styear", "stmonth", "stday").alias("startdate"),
    pl.date("endyear", "endmonth", "endday").alias("enddate"),
)

SOURCES = {
    "ps-cow-contdir": CONTDIR,
    "ps-cow-mindist": MINDIST,
    "ps-gw-mindist": GW_MINDIST,
    "ps-cow-capitals": CAPITALS,
    "ps-gw-capitals": GW_CAPITALS,
    "ps-rugged": RUGGED,
    "cow-states": COW_STATES,
    "gw-states": GW_STATES,
}


@pytest.fixture(autouse=True)
def fake_sources(monkeypatch):
    monkeypatch.setattr(loaders, "load", lambda name, **kw: SOURCES[name])


def dyads(rows, code="ccode"):
    return frame(rows, {f"{code}1": I32, f"{code}2": I32, "year": I32})


def states(rows, code="ccode"):
    return frame(rows, {code: I32, "year": I32})


def value(df, col, *key):
    keys = [c for c in df.columns if c.endswith(("code1", "code2")) or c in ("ccode", "gwcode")]
    cond = [pl.col(k) == v for k, v in zip([*keys, "year"], key, strict=True)]
    return df.filter(*cond)[col].item()


# --- "first in year" equals the month / day expansion --------------------------------------------


def brute_first(records, step_days: bool, zeros_last: bool):
    """peacesciencer's rule, literally: expand every record to months (or days), sort stably
    by date, keep each (dyad, year)'s first row."""
    rows = []
    for pos, (a, b, t, s, e) in enumerate(records):
        cur = s
        while cur <= e:
            rows.append(((a, b, cur.year), cur, (t == 0) if zeros_last else False, pos, t))
            if step_days:
                cur += timedelta(days=1)
            else:
                cur = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
    best = {}
    for key, when, z, pos, t in rows:
        if key not in best or (when, z, pos) < best[key][0]:
            best[key] = ((when, z, pos), t)
    return {(*k, v[1]) for k, v in best.items()}


month = st.builds(date, st.integers(1990, 1996), st.integers(1, 12), st.just(1))
spell = st.tuples(
    st.sampled_from([(2, 20), (20, 2), (2, 40)]), st.integers(0, 5), month, st.integers(0, 40)
)


@settings(max_examples=150, deadline=None)
@given(spells=st.lists(spell, max_size=8), zeros_last=st.booleans())
def test_contiguity_slice_first_equals_month_expansion(spells, zeros_last):
    records = []
    for (a, b), t, s, n in spells:
        m = s.month - 1 + n
        records.append((a, b, t, s, date(s.year + m // 12, m % 12 + 1, 1)))
    src = frame(records, CONTDIR_SCHEMA)
    got = contiguity_years(src, "gaps" if zeros_last else "as_filed")
    assert set(got.rows()) == brute_first(records, step_days=False, zeros_last=zeros_last)
    assert got.height == len(set(got.rows()))


day = st.builds(date, st.integers(2000, 2002), st.integers(1, 12), st.integers(1, 28))


@settings(max_examples=80, deadline=None)
@given(spells=st.lists(st.tuples(st.sampled_from([2, 20]), day, st.integers(0, 800)), max_size=6))
def test_capital_first_day_equals_day_expansion(spells):
    records = [(c, 0, i, s, s + timedelta(days=n)) for i, (c, s, n) in enumerate(spells)]
    src = frame(
        [(c, s, e, float(i), 0.0) for c, _, i, s, e in records],
        {"ccode": I32, "stdate": D, "enddate": D, "lat": pl.Float64, "lng": pl.Float64},
    )
    got = {(c, y, int(lat)) for c, y, lat, _ in capital_years(src, "ccode").rows()}
    brute = brute_first(records, step_days=True, zeros_last=False)
    assert got == {(c, y, i) for c, _, y, i in brute}


def test_capital_years_old_capital_in_transition_year_and_ties_in_file_order():
    cy = capital_years(CAPITALS, "ccode").filter(pl.col("ccode") == 365)
    moscow_from = cy.filter(pl.col("lat") == MOSCOW[0])["year"].min()
    assert moscow_from == 1919  # moved on 12 March 1918: St Petersburg counts for 1918
    # two spells covering 1 January: the one filed first wins (G-W Central America 1834)
    overlap = frame(
        [
            (89, "UPCA", "Guatemala", d(1823), d(1834, 12, 31), 14.6, -90.5),
            (89, "UPCA", "Sonsonate", d(1833, 11, 14), d(1834, 5, 31), 13.7, -89.7),
            (89, "UPCA", "San Salvador", d(1834, 6, 1), d(2024, 12, 31), 13.7, -89.2),
        ],
        CAP_SCHEMA,
    )
    lat = dict(capital_years(overlap, "ccode").select("year", "lat").rows())
    assert (lat[1833], lat[1834], lat[1835]) == (14.6, 14.6, 13.7)


# --- contiguity ---------------------------------------------------------------------------------


def test_contiguity_types_fill_and_landcontig():
    df = dyads(
        [
            (2, 20, 2000),
            (20, 2, 2000),
            (2, 40, 1905),
            (2, 40, 1907),  # between two water spells: 0
            (2, 40, 2016),
            (2, 40, 2017),  # after the data: null, not 0
            (2, 365, 1816),  # never contiguous: 0
            (350, 640, 1919),  # type 2 at the start of 1919, land from November
            (350, 640, 1920),
        ]
    ).pipe(add_contiguity)
    assert df["conttype"].to_list() == [1, 1, 4, 0, 4, None, 0, 2, 1]
    assert df["landcontig"].to_list() == [1, 1, 0, 0, 0, None, 0, 0, 1]
    assert df.schema["conttype"] == pl.Int8 and df.schema["landcontig"] == pl.Int8


def test_zero_spell_fills_gaps_or_competes_as_filed():
    df = dyads([(315, 365, 1945), (315, 365, 1946), (365, 315, 1991), (315, 365, 1992)])
    assert df.pipe(add_contiguity)["conttype"].to_list() == [0, 1, 1, 0]
    # peacesciencer 1.2: the 0-spell is filed first and wins every January it covers
    assert df.pipe(add_contiguity, zero_spells="as_filed")["conttype"].to_list() == [0, 0, 0, 0]
    with pytest.raises(EnricherOptionError, match="gaps"):
        add_contiguity(df, zero_spells="min")


def test_contiguity_state_years_count_partners():
    sy = states([(2, 1901), (2, 1920), (20, 1920), (365, 1946), (640, 1919), (99, 1950)])
    out = sy.pipe(add_contiguity)
    assert out["land"].to_list() == [0, 1, 1, 1, 0, 0]
    assert out["sea"].to_list() == [0, 1, 0, 0, 1, 0]  # Cuba from 1902
    assert out.schema["land"] == pl.Int16
    late = states([(2, 2017)]).pipe(add_contiguity)
    assert late["land"].to_list() == [None] and late["sea"].to_list() == [None]
    counts = contiguity_counts(contiguity_years(CONTDIR)).filter(pl.col("year") == 1920)
    assert dict(counts.select("ccode", "land").rows())[2] == 1


def test_contiguity_is_cow_only():
    with pytest.raises(PanelError, match="COW"):
        add_contiguity(dyads([(2, 20, 2000)], code="gwcode"))


# --- minimum distance ---------------------------------------------------------------------------


def test_minimum_distance_directed_from_non_directed_source():
    df = dyads([(2, 20, 1900), (20, 2, 1900), (40, 2, 1900), (2, 40, 1901), (2, 20, 2020)])
    out = df.pipe(add_minimum_distance)
    assert out["mindist"].to_list() == [0.0, 0.0, 150.5, None, None]
    gw = dyads([(40, 20, 1900), (20, 2, 2019)], code="gwcode").pipe(add_minimum_distance)
    assert gw["mindist"].to_list() == [1800.0, 0.0]


def test_minmindist_takes_partners_on_both_sides():
    out = states([(2, 1900), (20, 1900), (40, 1900), (40, 1901), (20, 2019)]).pipe(
        add_minimum_distance
    )
    assert out["minmindist"].to_list() == [0.0, 0.0, 150.5, None, 0.0]
    mins = min_over_partners(MINDIST, "ccode", "mindist", "m")
    assert mins.filter(pl.col("ccode") == 40, pl.col("year") == 1900)["m"].item() == 150.5


def test_pair_year_table_orders_nulls_and_duplicates():
    undirected = PairYearTable(MINDIST, "ccode1", "ccode2", "mindist")
    directed = PairYearTable(MINDIST, "ccode1", "ccode2", "mindist", directed=True)
    a = pl.Series([40, 2, None, 2, 1500], dtype=I32)
    b = pl.Series([2, 40, 40, 40, 2], dtype=I32)
    y = pl.Series([1900, 1900, 1900, None, 1900], dtype=I32)
    assert undirected.gather(a, b, y).to_list() == [150.5, 150.5, None, None, None]
    assert directed.gather(a, b, y).to_list() == [None, 150.5, None, None, None]
    with pytest.raises(ValueError, match="more than one row"):
        PairYearTable(pl.concat([MINDIST, MINDIST.head(1)]), "ccode1", "ccode2", "mindist")
    swapped = MINDIST.head(1).rename({"ccode1": "ccode2", "ccode2": "ccode1"})
    with pytest.raises(ValueError, match="more than one row"):  # (a, b) and (b, a) as pairs
        PairYearTable(
            pl.concat([MINDIST, swapped.select(MINDIST.columns)]), "ccode1", "ccode2", "mindist"
        )


# --- capital distance ---------------------------------------------------------------------------


def haversine_km(lat1, lng1, lat2, lng2):
    """An independent formula for the same great circle (pure math module)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_KM * math.asin(math.sqrt(h))


def test_vincenty_sphere_hand_checks():
    got = vincenty_sphere_km(*(np.array([v]) for v in (*WASHINGTON, *MOSCOW)))[0]
    assert got == pytest.approx(haversine_km(*WASHINGTON, *MOSCOW), abs=1e-6)
    assert got == pytest.approx(7839.816, abs=0.001)  # radius 6,378,137 m, not 6,371 km
    quarter, half, zero = vincenty_sphere_km(
        np.array([0.0, 0.0, 10.0]),
        np.array([0.0, 0.0, 20.0]),
        np.array([0.0, 0.0, 10.0]),
        np.array([90.0, 180.0, 20.0]),
    )
    assert quarter == pytest.approx(math.pi * R_KM / 2) and half == pytest.approx(math.pi * R_KM)
    assert zero == 0.0


def test_capital_distance_dyads():
    df = dyads(
        [
            (2, 365, 2000),
            (365, 2, 2000),
            (2, 365, 1900),
            (2, 20, 1850),
            (2, 20, 2025),
            (2, 99, 2000),
        ]
    )
    cd = df.pipe(add_capital_distance)["capdist"].to_list()
    assert cd[0] == cd[1] == pytest.approx(haversine_km(*WASHINGTON, *MOSCOW), abs=1e-6)
    assert cd[2] == pytest.approx(haversine_km(*WASHINGTON, 59.960674, 30.158655), abs=1e-6)
    assert cd[3] is None  # no Canadian capital before 1867
    assert cd[4:] == [None, None]  # capitals end in 2024; 99 has none
    gw = dyads([(365, 2, 2000)], code="gwcode").pipe(add_capital_distance)
    assert gw["capdist"][0] == pytest.approx(cd[0])


def test_mincapdist_nearest_coexisting_partner():
    sy = states([(2, 2000), (20, 2000), (365, 1900), (678, 1990), (679, 1990), (2, 2025)])
    out = sy.pipe(add_capital_distance)["mincapdist"].to_list()
    assert out[0] == pytest.approx(haversine_km(*WASHINGTON, 45.420878, -75.690111), abs=1e-6)
    assert out[1] == out[0]
    assert out[2] == pytest.approx(haversine_km(59.960674, 30.158655, *WASHINGTON), abs=1e-6)
    # the two Yemens share a capital but never a day of membership: not 0 km apart
    assert out[3] > 1000 and out[4] > 1000
    assert out[5] is None
    gw = states([(678, 1990)], code="gwcode").pipe(add_capital_distance)
    assert gw["mincapdist"][0] == pytest.approx(out[3])
    assert states([(2, 2030)]).pipe(add_capital_distance)["mincapdist"].to_list() == [None]


# --- rugged terrain -----------------------------------------------------------------------------


def test_rugged_terrain_by_system():
    cow = dyads([(2, 255, 1900), (232, 2, 2000), (2, 260, 2000)]).pipe(add_rugged_terrain)
    assert cow["rugged1"].to_list() == [0.9, 5.7, 0.9]
    assert cow["rugged2"].to_list() == [0.6, 0.9, None]
    assert cow["newlmtnest1"].to_list() == [2.5, None, 2.5]
    gw = states([(260, 1950), (255, 1950), (2, 1816)], code="gwcode").pipe(add_rugged_terrain)
    assert gw["rugged"].to_list() == [0.6, None, 0.9]


# --- every enricher -----------------------------------------------------------------------------

ENRICH = [add_contiguity, add_minimum_distance, add_capital_distance, add_rugged_terrain]


@pytest.mark.parametrize("func", ENRICH)
@pytest.mark.parametrize("kind", ["dyad", "state", "empty"])
def test_rows_and_keys_are_kept(func, kind):
    if kind == "dyad":
        df = dyads([(365, 2, 1900), (2, 20, 2000), (2, 20, 2000), (999, 2, 1700), (2, 40, 2040)])
    elif kind == "state":
        df = states([(20, 2000), (2, 1900), (2, 1900), (999, 1700), (365, 2040)])
    else:
        df = dyads([])
    df = df.with_columns(extra=pl.lit("x"))
    out = func(df)
    assert out.height == df.height
    assert out.select(df.columns).equals(df)


@pytest.mark.parametrize("func", ENRICH)
def test_wrong_frames_are_refused(func):
    with pytest.raises(PanelError):
        func(pl.DataFrame({"x": [1]}))
    with pytest.raises(PanelError):
        func({"ccode": [2], "year": [2000]})
    with pytest.raises(PanelError):
        func(pl.DataFrame({"ccode": [2.0], "year": [2000]}))


def test_registered():
    for name in ("contiguity", "mindist", "capdist", "rugged"):
        e = ENRICHERS[name]
        assert e.summary and e.sources and set(e.kinds) == {"dyad", "state"}
    assert ENRICHERS["contiguity"].systems == ("cow",)
    assert ENRICHERS["capdist"].coverage == (1816, 2024)
    assert ENRICHERS["rugged"].func is add_rugged_terrain
