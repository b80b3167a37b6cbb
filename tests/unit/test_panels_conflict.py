"""Conflict enrichers on small synthetic frames: whittling, MIDs, wars and peace years."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus import loaders
from foedus.errors import EnricherOptionError, PanelError
from foedus.panels import conflict as C
from foedus.panels import dyad_years, state_years
from foedus.panels.base import PanelInfo
from foedus.panels.registry import ENRICHERS

KEYS = ["ccode1", "ccode2", "year"]
PART = C.PARTICIPANT_COLS
DIRECTED = PanelInfo("dyad", "cow", True)
UNDIRECTED = PanelInfo("dyad", "cow", False)

# --- synthetic sources --------------------------------------------------------------------------

# a small state system (COW states file layout): 255 leaves in 1945 and returns in 1990
STATES = pl.DataFrame(
    [
        (2, 1816, 1, 1, 2016, 12, 31),
        (200, 1816, 1, 1, 2016, 12, 31),
        (255, 1816, 1, 1, 1945, 5, 8),
        (255, 1990, 10, 3, 2016, 12, 31),
        (365, 1816, 1, 1, 2016, 12, 31),
        (710, 1950, 1, 1, 2016, 12, 31),
    ],
    schema=["ccode", "styear", "stmonth", "stday", "endyear", "endmonth", "endday"],
    orient="row",
).cast(pl.Int32)


def dirdisp_rows(rows, *, with_level=False):
    """Directed dispute-years from ``(dispnum, c1, c2, year, onset[, fatality, hostlev, mindur,
    maxdur, recip, stmon])``; participant columns get distinct filler values."""
    out = []
    for i, r in enumerate(rows):
        d = dict(zip(["dispnum", "ccode1", "ccode2", "year", "onset"], r[:5], strict=True))
        d |= {c: float(i) for c in PART}
        if with_level:
            d |= dict(zip(C.DISPUTE_COLS, r[5:], strict=True))
        out.append(d)
    df = pl.DataFrame(out).with_columns(
        pl.col("dispnum", "ccode1", "ccode2", "year").cast(pl.Int32),
        pl.col("onset").cast(pl.Float64),
        pl.lit(1.0).alias("ongoing"),
    )
    return df


def cow_dirdisps(rows):
    return dirdisp_rows(rows).rename({"onset": "disponset", "ongoing": "dispongoing"})


def disps_frame(rows):
    """Dispute-level rows ``(dispnum, fatality, hostlev, mindur, maxdur, recip, stmon)``."""
    return pl.DataFrame(rows, schema=["dispnum", *C.DISPUTE_COLS], orient="row").with_columns(
        pl.col("dispnum", "stmon").cast(pl.Int32),
        pl.col("fatality", "hostlev", "mindur", "maxdur", "recip").cast(pl.Float64),
    )


def ddy(rows, source="cow"):
    """Whittled MID dyad-years from ``(dispnum, c1, c2, year, onset, sidea1, sidea2, orig1,
    orig2)``; both orders must be given explicitly."""
    p = f"{source}mid"
    recs = []
    for dispnum, a, b, year, onset, sa1, sa2, o1, o2 in rows:
        d = {"dispnum": dispnum, "ccode1": a, "ccode2": b, "year": year}
        d |= {f"{p}ongoing": 1, f"{p}onset": onset}
        d |= {c: 0 for c in PART} | {"sidea1": sa1, "sidea2": sa2, "orig1": o1, "orig2": o2}
        d |= {c: 1 for c in C.DISPUTE_COLS}
        recs.append(d)
    df = pl.DataFrame(recs).with_columns(pl.all().cast(pl.Int32))
    return df.with_columns(pl.col(f"{p}ongoing", f"{p}onset").cast(pl.Int8))


MIDS = ddy(
    [
        (10, 2, 200, 1900, 1, 1, 0, 1, 1),
        (10, 200, 2, 1900, 1, 0, 1, 1, 1),
        (10, 2, 200, 1901, 0, 1, 0, 1, 1),
        (10, 200, 2, 1901, 0, 0, 1, 1, 1),
        (11, 365, 2, 1950, 1, 1, 0, 0, 1),  # 365 joined side A
        (11, 2, 365, 1950, 1, 0, 1, 1, 0),
        (12, 255, 365, 1816, 1, 1, 0, 1, 1),
        (12, 365, 255, 1816, 1, 0, 1, 1, 1),
    ]
)


def war_rows(rows):
    """``(warnum, c1, c2, year, onset, batdeath1, batdeath2)``."""
    recs = []
    for warnum, a, b, year, onset, b1, b2 in rows:
        recs.append(
            {"warnum": warnum, "ccode1": a, "ccode2": b, "year": year}
            | {"cowinterongoing": 1.0, "cowinteronset": float(onset)}
            | {"sidea1": 1.0, "sidea2": 2.0, "initiator1": 1.0, "initiator2": 0.0}
            | {"outcome1": 1.0, "outcome2": 2.0, "batdeath1": b1, "batdeath2": b2}
            | {"resume": 0.0}
        )
    return pl.DataFrame(
        recs, schema_overrides={"batdeath1": pl.Float64, "batdeath2": pl.Float64}
    ).with_columns(pl.col("warnum", "ccode1", "ccode2", "year").cast(pl.Int32))


WARS = war_rows(
    [
        (1, 2, 200, 1900, 1, 100.0, 50.0),
        (1, 200, 2, 1900, 1, 50.0, 100.0),
        (2, 2, 200, 1900, 1, 1000.0, -9.0),  # more deaths: kept
        (2, 200, 2, 1900, 1, -9.0, 1000.0),
    ]
)

PARTS = pl.DataFrame(
    {
        "dispnum": [1, 1, 2, 3],
        "ccode": [2, 200, 2, 365],
        "styear": [1900, 1900, 1901, 1950],
        "endyear": [1901, 1900, 1901, 1951],
        "sidea": [1.0, 0.0, 0.0, 0.0],
        "orig": [1.0, 1.0, 0.0, 1.0],
        "allmiss_leader_start": [0.0, 0.0, 0.0, 1.0],  # dispute 3 has no known leader
        "allmiss_leader_end": [0.0, 0.0, 0.0, 0.0],
    }
).with_columns(pl.col("dispnum", "ccode", "styear", "endyear").cast(pl.Int32))


@pytest.fixture
def fake_data(monkeypatch):
    """loaders.load answers from the synthetic frames above (and nothing else)."""
    frames = {
        "cow-states": STATES,
        "ps-cow-mid-ddydisps": MIDS,
        "ps-gml-mid-ddydisps": MIDS.rename(
            {"cowmidongoing": "gmlmidongoing", "cowmidonset": "gmlmidonset"}
        ),
        "ps-cow-war-inter": WARS,
        "ps-gml-part": PARTS,
    }
    monkeypatch.setattr(loaders, "load", lambda name, **_: frames[name])
    return frames


# --- whittling ---------------------------------------------------------------------------------

LEVEL = disps_frame(
    [
        # dispnum, fatality, hostlev, mindur, maxdur, recip, stmon
        (1, 0, 3, 10, 10, 0, 5),
        (2, -9, 3, 10, 10, 0, 5),  # unknown fatality beats none
        (3, 1, 2, 10, 10, 0, 5),  # 1-25 deaths beats unknown
        (4, 0, 4, 10, 10, 0, 5),  # higher hostlev
        (5, 0, 4, 20, 20, 0, 5),  # longer mindur
        (6, 0, 4, 20, 30, 0, 5),  # then longer maxdur
        (7, 0, 4, 20, 30, 1, 5),  # then reciprocated
        (8, 0, 4, 20, 30, 1, 3),  # then earlier start month
        (9, 0, 4, 20, 30, 1, 3),  # exact tie with 8
    ]
)


@pytest.mark.parametrize(
    ("disputes", "onsets", "kept"),
    [
        ([1, 2], [0, 1], 2),  # rule 1: the onset beats the continuing dispute
        ([2, 1], [1, 1], 2),  # rule 2: -9 counts as 0.5 > 0
        ([2, 3], [1, 1], 3),  # rule 2: 1 > 0.5
        ([1, 4], [1, 1], 4),  # rule 3
        ([4, 5], [1, 1], 5),  # rule 4: mindur
        ([5, 6], [1, 1], 6),  # rule 4: then maxdur
        ([6, 7], [1, 1], 7),  # rule 5
        ([7, 8], [1, 1], 8),  # rule 6: the lowest start month
        ([9, 8], [1, 1], 9),  # rule 7: the first row
        ([3, 1], [0, 0], 3),  # all continuing: the later rules decide
    ],
)
def test_each_whittling_rule(disputes, onsets, kept):
    rows = [(d, 2, 200, 1900, o) for d, o in zip(disputes, onsets, strict=True)]
    out = C.whittle_disputes(cow_dirdisps(rows), LEVEL)
    assert out["dispnum"].to_list() == [kept]


def test_whittle_keeps_fatality_code_and_single_rows():
    rows = [(2, 2, 200, 1900, 1), (1, 2, 200, 1900, 1), (1, 200, 2, 1901, 0)]
    out = C.whittle_disputes(cow_dirdisps(rows), LEVEL)
    assert out.select(KEYS).rows() == [(2, 200, 1900), (200, 2, 1901)]
    assert out["fatality"].to_list() == [-9.0, 0.0]  # -9 is restored after the comparison
    assert out.columns[:6] == ["dispnum", *KEYS, "cowmidongoing", "cowmidonset"]
    assert out["cowmidonset"].to_list() == [1.0, 0.0]


def test_gml_uses_its_own_dispute_columns_and_steps_are_traced():
    rows = [(1, 2, 200, 1900, 1, 0, 3, 1, 1, 0, 5), (2, 2, 200, 1900, 1, 1, 3, 1, 1, 0, 5)]
    g = dirdisp_rows(rows, with_level=True).rename({"onset": "midonset", "ongoing": "midongoing"})
    assert C.whittle_disputes(g, source="gml")["dispnum"].to_list() == [2]
    names = [n for n, _ in C.whittle_steps(g, source="gml")]
    rules = ["onsets", "fatality", "hostlev", "mindur", "maxdur", "recip", "stmon", "first"]
    assert names == ["input", *rules]
    with pytest.raises(PanelError):
        C.whittle_disputes(cow_dirdisps(rows[:1]))  # COW needs the dispute-level frame
    with pytest.raises(PanelError):
        C.whittle_disputes(g.drop("hiact1"), source="gml")
    with pytest.raises(PanelError):
        C.whittle_disputes(g, source="ucdp")  # type: ignore[arg-type]
    with pytest.raises(PanelError, match="several rows"):
        C.whittle_disputes(cow_dirdisps(rows[:1]), pl.concat([LEVEL, LEVEL]))


def reference_whittle(rows, level):
    """peacesciencer's rules written plainly: one dyad-year at a time, in input order."""
    groups = defaultdict(list)
    for r in rows:
        groups[r[1:4]].append(r)
    fat = {d: (0.5 if f == -9 else f) for d, (f, *_) in level.items()}
    kept = {}
    for key, g in groups.items():
        onsets = {r[4] for r in g}
        if len(g) > 1 and len(onsets) > 1:
            g = [r for r in g if r[4] != 0]
        for pick in (
            lambda r: fat[r[0]],
            lambda r: level[r[0]][1],
            lambda r: level[r[0]][2],
            lambda r: level[r[0]][3],
            lambda r: level[r[0]][4],
            lambda r: -level[r[0]][5],
        ):
            best = max(pick(r) for r in g)
            g = [r for r in g if pick(r) == best]
        kept[key] = g[0][0]
    return kept


@settings(max_examples=150, deadline=None)
@given(
    level=st.lists(
        st.tuples(
            st.sampled_from([-9, 0, 1]),
            st.integers(1, 3),
            st.integers(1, 3),
            st.integers(3, 4),
            st.integers(0, 1),
            st.integers(1, 2),
        ),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.sampled_from([(2, 200), (200, 2), (2, 365)]),
            st.integers(1900, 1902),
            st.integers(0, 1),
        ),
        max_size=25,
        unique_by=lambda r: (r[0], r[1], r[2]),
    ),
)
def test_whittle_equals_plain_reference(level, rows):
    level_map = {i: t for i, t in enumerate(level)}
    rows = [(d % len(level), a, b, y, o) for d, (a, b), y, o in rows]
    rows = list({(r[0], r[1], r[2], r[3]): r for r in rows}.values())
    disps = disps_frame([(i, *t) for i, t in level_map.items()])
    if not rows:
        return
    out = C.whittle_disputes(cow_dirdisps(rows), disps)
    got = {(a, b, y): d for d, a, b, y in out.select("dispnum", *KEYS).rows()}
    assert got == reference_whittle(rows, level_map)
    assert out.select(KEYS).is_unique().all()


def test_whittle_wars_rules():
    w = war_rows(
        [
            (1, 2, 200, 1900, 0, 900.0, 900.0),  # continuing: dropped for the onset
            (2, 2, 200, 1900, 1, 10.0, None),  # one side unknown: 10
            (3, 2, 200, 1900, 1, -9.0, 20.0),  # -9 is unknown: 20, kept
            (4, 2, 365, 1900, 1, -9.0, -8.0),  # all unknown ...
            (5, 2, 365, 1900, 1, None, None),  # ... the first row wins
            (6, 2, 710, 1960, 1, 5.0, 5.0),  # tie: the first row wins
            (7, 2, 710, 1960, 1, 5.0, 5.0),
        ]
    ).with_columns(pl.col("warnum").cast(pl.Float64).alias("resume"))
    out = C.whittle_wars(w)
    assert out.columns == [*KEYS, *C.WAR_COLS]
    assert out.select(*KEYS, "resume").rows() == [
        (2, 200, 1900, 3.0),
        (2, 365, 1900, 4.0),
        (2, 710, 1960, 6.0),
    ]
    assert out["batdeath1"].to_list() == [None, None, 5.0]  # negative codes become null


# --- MIDs ----------------------------------------------------------------------------------------


def synthetic_panel(directed=True, years=(1899, 2016)):
    """Dyad-years of the synthetic system without 710, built from explicit spells."""
    end = date(2016, 12, 31)
    sys_ = pl.DataFrame(
        [
            (c, date(*s), date(*e), date(*e) == end)
            for c, s, e in [
                (2, (1816, 1, 1), (2016, 12, 31)),
                (200, (1816, 1, 1), (2016, 12, 31)),
                (255, (1816, 1, 1), (1945, 5, 8)),
                (255, (1990, 10, 3), (2016, 12, 31)),
                (365, (1816, 1, 1), (2016, 12, 31)),
            ]
        ],
        schema={"code": pl.Int32, "start": pl.Date, "end": pl.Date, "open_ended": pl.Boolean},
        orient="row",
    )
    return dyad_years(directed=directed, years=years, spells=sys_)


def test_add_mid_columns_directed():
    df = synthetic_panel(years=(1816, 2016))
    out = C.add_mid_columns(df, DIRECTED, MIDS, "cow")
    assert out.select(KEYS).equals(df)
    row = out.filter((pl.col("ccode1") == 200) & (pl.col("ccode2") == 2) & (pl.col("year") == 1900))
    assert row["cowmidonset"].item() == 1 and row["sidea2"].item() == 1
    zero = out.filter(pl.col("year") == 1950, pl.col("ccode1") == 2, pl.col("ccode2") == 200)
    assert zero["cowmidongoing"].item() == 0 and zero["dispnum"].item() is None
    after = out.filter(pl.col("year") > 2014)
    assert after["cowmidonset"].null_count() == after.height
    assert out["cowmidongoing"].sum() == 8
    assert out.schema["cowmidonset"] == pl.Int8
    assert out.columns[3:6] == ["dispnum", "cowmidongoing", "cowmidonset"]


def test_add_mid_columns_undirected_and_keep():
    df = synthetic_panel(directed=False)
    out = C.add_mid_columns(df, UNDIRECTED, MIDS, "cow", keep=[])
    assert out.columns == [*KEYS, "cowmidonset", "cowmidongoing"]
    assert out["cowmidongoing"].sum() == 3  # (2, 200) 1900-1901 and (2, 365) 1950
    some = C.add_mid_columns(df, UNDIRECTED, MIDS, "cow", keep=["dispnum", "sidea1"])
    assert some.columns == [*KEYS, "cowmidonset", "cowmidongoing", "dispnum", "sidea1"]
    # the ccode1 < ccode2 row carries the (ccode1, ccode2) record: 2 was on side B in 1950
    r = some.filter(pl.col("year") == 1950, pl.col("ccode1") == 2, pl.col("ccode2") == 365)
    assert r["sidea1"].item() == 0
    with pytest.raises(PanelError, match="unknown columns"):
        C.add_mid_columns(df, UNDIRECTED, MIDS, "cow", keep=["nope"])
    with pytest.raises(PanelError, match="overwrite"):
        C.add_mid_columns(out, UNDIRECTED, MIDS, "cow", keep=[])


@pytest.mark.parametrize(
    ("init", "want"),
    [
        # 365 joined side A (orig 0); 2 was an originator on side B
        ("sidea-all-joiners", (1, 0)),
        ("sidea-with-joiners", (1, 0)),
        ("sidea-orig", (0, 0)),
    ],
)
def test_gml_init_rules(init, want):
    df = synthetic_panel()
    gml = MIDS.rename({"cowmidongoing": "gmlmidongoing", "cowmidonset": "gmlmidonset"})
    out = C.add_mid_columns(df, DIRECTED, gml, "gml", keep=[], init=init)
    always = ["init1", "init2", "sidea1", "sidea2", "orig1", "orig2"]
    assert out.columns[3:] == ["gmlmidonset", "gmlmidongoing", *always]
    r = out.filter(pl.col("ccode1") == 365, pl.col("ccode2") == 2, pl.col("year") == 1950)
    assert (r["init1"].item(), r["init2"].item()) == want
    assert out.filter(pl.col("year") > 2010)["gmlmidonset"].null_count() > 0
    assert out.filter(pl.col("year") == 2010)["gmlmidonset"].null_count() == 0


def test_add_gml_mids_public(fake_data):
    d = dyad_years(years=(1899, 2016))
    out = C.add_gml_mids(d)
    assert out.select(KEYS).equals(d) and "init1" in out.columns
    u = C.add_gml_mids(dyad_years(directed=False, years=(1899, 2016)))
    assert "init1" not in u.columns
    with pytest.raises(EnricherOptionError, match="init"):
        C.add_gml_mids(d, init="everyone")


def test_gml_state_years():
    sy = C.gml_state_years(PARTS)
    assert sy.rows() == [
        (2, 1900, 1, 1, 1, 1),
        (2, 1901, 1, 1, 1, 1),  # dispute 1 continues; 2 joins dispute 2 (a joiner: initiates)
        (200, 1900, 1, 1, 0, 0),
    ]
    orig = C.gml_state_years(PARTS, "sidea-orig")
    assert orig.filter(pl.col("year") == 1901)["gmlmidongoing_init"].item() == 1
    assert orig.filter(pl.col("year") == 1901)["gmlmidonset_init"].item() == 0


def test_add_gml_mids_state_years(fake_data):
    s = state_years(years=(1899, 2016))
    out = C.add_gml_mids(s)
    assert out.select("ccode", "year").equals(s)
    assert out.filter(pl.col("ccode") == 365, pl.col("year") == 1950)["gmlmidongoing"].item() == 0
    assert out.filter(pl.col("year") > 2010)["gmlmidongoing"].null_count() > 0
    assert out.filter(pl.col("ccode") == 2)["gmlmidonset"].sum() == 2


def test_add_cow_mids_public(fake_data):
    d = dyad_years(years=(1816, 2020))
    out = C.add_cow_mids(d)
    assert out.select(KEYS).equals(d)
    assert out.filter(pl.col("year") == 2014)["cowmidonset"].null_count() == 0
    assert out.filter(pl.col("year") == 2015)["cowmidonset"].null_count() > 0
    with pytest.raises(PanelError, match="not supported yet"):
        C.add_cow_mids(state_years(years=(1900, 1901)))


# --- wars ----------------------------------------------------------------------------------------


def test_add_cow_wars(fake_data):
    d = dyad_years(years=(1899, 2010))
    out = C.add_cow_wars(d)
    assert out.select(KEYS).equals(d)
    r = out.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 200, pl.col("year") == 1900)
    assert r["batdeath1"].item() == 1000 and r["batdeath2"].item() is None
    assert out.filter(pl.col("year") <= 2007)["cowinteronset"].null_count() == 0
    assert out.filter(pl.col("year") > 2007)["cowinteronset"].null_count() > 0
    assert out["cowinterongoing"].sum() == 2
    assert "warnum" not in out.columns
    with pytest.raises(PanelError, match="dyad-years only"):
        C.add_cow_wars(state_years(years=1900))


# --- peace years ---------------------------------------------------------------------------------


def btscs(events):
    """peacesciencer's (DAMisc's) btscs loop, literally, for one unit's events in year order."""
    spell, run = [0], 0
    for j in range(1, len(events)):
        x, prev = events[j], events[j - 1]
        if x == 0 and prev == 0:
            run += 1
            spell.append(run)
        elif x != 0 and prev == 0:
            spell.append(run + 1)
            run = 0
        elif x == 0 and prev != 0:
            spell.append(0)
            run = 0
        else:
            spell.append(0)
    return spell


def test_btscs_examples():
    assert btscs([0, 0, 1, 0, 0]) == [0, 1, 2, 0, 1]
    assert btscs([0, 1, 1, 0, 0]) == [0, 1, 0, 0, 1]
    for ev, want in [([0, 0, 1, 0, 0], [0, 1, 2, 0, 1]), ([0, 1, 1, 0, 0], [0, 1, 0, 0, 1])]:
        spell, start = C.spell_counter(np.array([True, False, False, False, False]), np.array(ev))
        assert spell.tolist() == want and start.tolist() == [0] * 5


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=1, max_size=12), max_size=8))
def test_spell_counter_equals_btscs_loop(units):
    events = np.array([x for u in units for x in u], dtype=bool)
    new = np.array([i == 0 for u in units for i in range(len(u))], dtype=bool)
    spell, start = C.spell_counter(new, events)
    assert spell.tolist() == [s for u in units for s in btscs(u)]
    firsts = np.cumsum([0] + [len(u) for u in units])[:-1]
    assert start.tolist() == [f for f, u in zip(firsts, units, strict=True) for _ in u]


@settings(max_examples=100, deadline=None)
@given(
    first=st.integers(1816, 1820),
    dyads=st.lists(
        st.tuples(st.integers(1816, 1826), st.lists(st.integers(0, 1), min_size=1, max_size=8)),
        min_size=1,
        max_size=5,
    ),
)
def test_history_spells_and_left_censoring(first, dyads):
    rows, ev_rows, want = [], [], []
    for i, (start, evs) in enumerate(dyads):
        start = max(start, first)
        years = [start + k for k in range(len(evs))]
        rows += [(2, 100 + i, y) for y in years]
        ev_rows += [(2, 100 + i, y, 1) for y, e in zip(years, evs, strict=True) if e]
        seen = False
        for s, e in zip(btscs(evs), evs, strict=True):
            want.append((s, int(start == first and not seen)))
            seen = seen or bool(e)
    hist = pl.DataFrame(rows, schema=KEYS, orient="row").cast(pl.Int32)
    events = pl.DataFrame(ev_rows, schema=[*KEYS, "ev"], orient="row").cast(pl.Int32)
    last = max(r[2] for r in rows)
    out = C.history_spells(hist, events, "ev", (first, last))
    assert list(zip(out["spell"], out["leftcens"], strict=True)) == want


def full_history():
    return synthetic_panel(years=(1816, 2014))


EVENTS = MIDS.select(*KEYS, "cowmidongoing", "cowmidonset")


def test_spells_use_the_complete_history_not_the_rows_passed():
    hist = full_history()
    full = C.add_spell_columns(hist, hist, EVENTS, "cowmidongoing", "cowmid", (1816, 2014))
    part = hist.filter(pl.col("year") >= 1946)
    cut = C.add_spell_columns(part, hist, EVENTS, "cowmidongoing", "cowmid", (1816, 2014))
    assert cut.equals(full.filter(pl.col("year") >= 1946))
    r = cut.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 200, pl.col("year") == 1946)
    assert r["cowmidspell"].item() == 1946 - 1902  # last dispute year 1901, not restarted
    assert r["cowmidspell_leftcens"].item() == 0
    r = cut.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 365, pl.col("year") == 1949)
    assert r["cowmidspell"].item() == 1949 - 1816 and r["cowmidspell_leftcens"].item() == 1
    e = full.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 365, pl.col("year") == 1950)
    assert e["cowmidspell"].item() == 1950 - 1816  # an event year carries the count
    assert e["cowmidspell_leftcens"].item() == 1
    a = full.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 365, pl.col("year") == 1952)
    assert a["cowmidspell"].item() == 1 and a["cowmidspell_leftcens"].item() == 0
    s = full["cowmidspell"]
    assert full["cowmidspell2"].equals((s * s).alias("cowmidspell2"))
    assert full["cowmidspell3"].equals((s * s * s).alias("cowmidspell3"))


def test_spells_count_rows_across_gaps_and_nulls_outside():
    hist = full_history()
    df = pl.concat(
        [
            hist.filter(pl.col("ccode1") == 255, pl.col("ccode2") == 2),
            pl.DataFrame(
                {"ccode1": [255, 2, None], "ccode2": [2, 999, 2], "year": [2015, 1950, 1950]}
            ).cast(pl.Int32),
        ]
    )
    out = C.add_spell_columns(df, hist, EVENTS, "cowmidongoing", "cowmid", (1816, 2014))
    assert out.select(KEYS).equals(df)
    s = out.filter(pl.col("ccode1") == 255, pl.col("year") <= 2014)["cowmidspell"].to_list()
    assert s == list(range(len(s)))  # 1816-1945 then 1990-2014: the count runs on by row
    assert out.tail(3)["cowmidspell"].null_count() == 3
    assert out.tail(3)["cowmidspell_leftcens"].null_count() == 3


def test_add_peace_years_public(fake_data):
    d = dyad_years(years=(1900, 2025))
    out = C.add_peace_years(d)
    assert out.select(KEYS).equals(d)
    spells = ["cowmidspell", "cowmidspell2", "cowmidspell3", "cowmidspell_leftcens"]
    assert out.columns[3:] == spells
    assert (
        out.filter(pl.col("year") > 2014)["cowmidspell"].null_count()
        == out.filter(pl.col("year") > 2014).height
    )
    r = out.filter(pl.col("ccode1") == 200, pl.col("ccode2") == 2, pl.col("year") == 1900)
    assert r["cowmidspell"].item() == 1900 - 1816
    onset = C.add_peace_years(d, event="onset")
    r = onset.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 200, pl.col("year") == 1902)
    assert r["cowmidspell"].item() == 1  # 1901 was ongoing but not an onset
    wars = C.add_peace_years(d, source="cowinter")
    assert wars.filter(pl.col("year") > 2007)["cowinterspell"].null_count() > 0
    gml = C.add_peace_years(dyad_years(directed=False, years=(1900, 2012)), source="gml")
    assert "gmlmidspell_leftcens" in gml.columns
    with pytest.raises(PanelError, match="overwrite"):
        C.add_peace_years(out)
    with pytest.raises(EnricherOptionError, match="source"):
        C.add_peace_years(d, source="ucdp")
    with pytest.raises(EnricherOptionError, match="event"):
        C.add_peace_years(d, event="war")


# --- every enricher: wrong frames, rows preserved, registry -------------------------------------

PUBLIC = [C.add_cow_mids, C.add_gml_mids, C.add_cow_wars, C.add_peace_years]


@pytest.mark.parametrize("func", PUBLIC)
def test_wrong_frames_raise_panel_errors(func, fake_data):
    with pytest.raises(PanelError):
        func(pl.DataFrame({"a": [1]}))
    with pytest.raises(PanelError):
        func(_gw_panel())
    with pytest.raises(PanelError):
        func({"ccode1": [2], "ccode2": [200], "year": [1900]})  # not a Polars frame
    if func is not C.add_gml_mids:
        with pytest.raises(PanelError):
            func(state_years(years=1900))


def _gw_panel():
    return pl.DataFrame({"gwcode1": [2], "gwcode2": [200], "year": [1900]}).cast(pl.Int32)


@pytest.mark.parametrize("func", PUBLIC)
@pytest.mark.parametrize("directed", [True, False])
def test_enrichers_preserve_rows_and_keys(func, directed, fake_data):
    d = dyad_years(directed=directed, years=(1890, 2020))
    d = d.with_columns(pl.lit("x").alias("note")).sample(fraction=1.0, shuffle=True, seed=1)
    out = func(d)
    assert out.height == d.height
    assert out.select(d.columns).equals(d)


def test_registered():
    for name in ("cow_mids", "gml_mids", "cow_wars", "peace_years"):
        e = ENRICHERS[name]
        assert e.summary and e.sources and e.func.__module__ == "foedus.panels.conflict"
    assert ENRICHERS["gml_mids"].kinds == ("dyad", "state")


def test_peace_years_counted_on_rows_is_peacesciencers_rule(fake_data):
    """counted_on="rows": per dyad in year order over the rows passed, the counter restarts in
    the first row kept and skips the rows left out (peacesciencer's add_spells); the default
    stays the complete history."""
    d = dyad_years(years=(1816, 2014))
    kept = d.filter((pl.col("year") >= 1895) & ~pl.col("year").is_between(1930, 1939))
    full = C.add_peace_years(d)
    hist = C.add_peace_years(kept)
    rows = C.add_peace_years(kept, counted_on="rows")
    assert rows.select(KEYS).equals(kept)  # rows and order kept
    # the default does not depend on the rows passed
    assert hist.equals(full.join(kept, on=KEYS, how="semi", maintain_order="left"))
    # a brute-force count of the rule over the kept rows, from the events the enricher reads
    events = {
        (a, b, y)
        for a, b, y, o in C.mid_dyad_years("cow")
        .select("ccode1", "ccode2", "year", "cowmidongoing")
        .iter_rows()
        if o
    }
    want, last, run = [], None, 0
    for a, b, y in kept.sort(KEYS).iter_rows():
        if (a, b) != last:
            last, run = (a, b), 0
            want.append(0)
        else:
            want.append(run)
        run = 0 if (a, b, y) in events else run + 1
    got = rows.sort(KEYS)["cowmidspell"].to_list()
    assert got == want
    # some rows differ from the history count (the count restarted at 1895 and skips 1930s)
    assert (rows["cowmidspell"] != hist["cowmidspell"]).any()
    with pytest.raises(EnricherOptionError, match="counted_on"):
        C.add_peace_years(kept, counted_on="panel")
