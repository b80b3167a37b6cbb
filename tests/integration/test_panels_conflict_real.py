"""Conflict enrichers on the real data, against peacesciencer's shipped frames and rules."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import polars as pl
import pytest

from foedus import loaders
from foedus.panels import conflict as C
from foedus.panels import dyad_years, state_years

KEYS = ["ccode1", "ccode2", "year"]


@pytest.fixture(scope="module")
def cow_steps():
    dd, disps = loaders.load("ps-cow-mid-dirdisps"), loaders.load("ps-cow-mid-disps")
    return dict(C.whittle_steps(dd, disps, "cow"))


@pytest.fixture(scope="module")
def panel():
    return dyad_years()


# --- whittling ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["cow", "gml"])
def test_whittle_equals_peacesciencer_shipped_ddydisps(source):
    if source == "cow":
        args = (loaders.load("ps-cow-mid-dirdisps"), loaders.load("ps-cow-mid-disps"))
    else:
        args = (loaders.load("ps-gml-dirdisp"), None)
    ours = C.whittle_disputes(*args, source=source)
    shipped = loaders.load(f"ps-{source}-mid-ddydisps")
    assert sorted(ours.columns) == sorted(shipped.columns)  # the same 24 columns
    assert ours.height == {"cow": 10_234, "gml": 9_284}[source]
    assert ours.equals(shipped.select(ours.columns).sort(KEYS))


def _dups(frame: pl.DataFrame, *, directed: bool) -> tuple[int, int]:
    """(duplicated dyad-years, rows in them)."""
    f = frame if directed else frame.filter(pl.col("ccode1") < pl.col("ccode2"))
    g = f.group_by(KEYS).len().filter(pl.col("len") > 1)
    return g.height, int(g["len"].sum() or 0)


def test_vignette_counts(cow_steps):
    # "498 duplicate dyad-years": the vignette counts them non-directed (996 directed)
    assert _dups(cow_steps["input"], directed=False)[0] == 498
    assert _dups(cow_steps["input"], directed=True)[0] == 996
    # "24 directed (12 non-directed)" rows left after the duration rules
    assert _dups(cow_steps["maxdur"], directed=True)[1] == 24
    assert _dups(cow_steps["maxdur"], directed=False)[1] == 12
    assert _dups(cow_steps["recip"], directed=False)[0] == 3
    assert _dups(cow_steps["stmon"], directed=True) == (0, 0)
    assert cow_steps["first"].height == cow_steps["stmon"].height  # rule 7 removes nothing


@pytest.mark.parametrize(
    ("dyad", "year", "kept"),
    [
        ((2, 200), 1903, 3301),  # USA-UK: the onset
        ((365, 640), 1853, 57),  # Russia-Ottoman Empire: the Crimean War (fatality)
        # India-Pakistan: hostility level. The vignette's text names MID#2630 (a threat,
        # hostlev 2), but the rule keeps MID#1317 (an occupation, hostlev 4), and so does
        # peacesciencer's shipped cow_mid_ddydisps: the vignette's prose is wrong.
        ((750, 770), 1963, 1317),
        ((100, 135), 1852, 1523),  # Colombia-Peru: minimum duration
    ],
)
def test_vignette_examples(cow_steps, dyad, year, kept):
    last = cow_steps["first"]
    for a, b in (dyad, dyad[::-1]):
        got = last.filter(pl.col("ccode1") == a, pl.col("ccode2") == b, pl.col("year") == year)
        assert got["dispnum"].to_list() == [kept]


def test_italy_france_1860_has_three_onsets(cow_steps):
    onsets = cow_steps["onsets"].filter(
        pl.col("ccode1") == 220, pl.col("ccode2") == 325, pl.col("year") == 1860
    )
    assert sorted(onsets["dispnum"]) == [112, 113, 306]


@pytest.mark.parametrize("source", ["cow", "gml"])
def test_shipped_frames_used_by_the_enrichers_equal_the_whittle(source):
    if source == "cow":
        args = (loaders.load("ps-cow-mid-dirdisps"), loaders.load("ps-cow-mid-disps"))
    else:
        args = (loaders.load("ps-gml-dirdisp"), None)
    ours = C.whittle_disputes(*args, source=source)
    used = C.mid_dyad_years(source)
    assert used.columns == ours.columns
    assert used.sort(KEYS).equals(ours.cast(used.schema))  # integer typing loses nothing
    assert ours.equals(used.sort(KEYS).cast(ours.schema))


# --- add_cow_mids / add_gml_mids -----------------------------------------------------------------


def _join_reference(df, table, cols, coverage, flags):
    """What a plain left join gives (the slow path the enrichers avoid)."""
    out = df.join(table.select(*KEYS, *cols), on=KEYS, how="left", maintain_order="left")
    lo, hi = coverage
    inside = pl.col("year").is_between(lo, hi)
    return out.with_columns(
        pl.when(inside).then(pl.col(c).fill_null(0)).cast(pl.Int8).alias(c) for c in flags
    )


@pytest.mark.parametrize("directed", [True, False])
def test_add_cow_mids_equals_a_left_join(panel, directed):
    df = panel if directed else dyad_years(directed=False)
    out = C.add_cow_mids(df)
    assert out.select(KEYS).equals(df)
    table = C.mid_dyad_years("cow")
    cols = [c for c in table.columns if c not in KEYS]
    want = _join_reference(df, table, cols, (1816, 2014), ["cowmidonset", "cowmidongoing"])
    assert out.equals(want.select(out.columns))
    assert out.filter(pl.col("year") > 2014)["cowmidonset"].null_count() == (
        out.filter(pl.col("year") > 2014).height
    )
    if directed:
        # 4 of the 10,234 dispute dyad-years are not COW dyad-years (a state not a member)
        assert out["cowmidongoing"].sum() == 10_230
    short = C.add_cow_mids(df, keep=[])
    assert short.columns == [*KEYS, "cowmidonset", "cowmidongoing"]


def test_add_gml_mids_directed_init_and_undirected(panel):
    out = C.add_gml_mids(panel)
    assert out.select(KEYS).equals(panel)
    d = out.filter(pl.col("gmlmidongoing") == 1)
    assert d["init1"].equals(((d["sidea1"] == 1) | (d["orig1"] == 0)).cast(pl.Int8).alias("init1"))
    assert out.filter(pl.col("year") > 2010)["gmlmidongoing"].null_count() == (
        out.filter(pl.col("year") > 2010).height
    )
    orig = C.add_gml_mids(panel, keep=["dispnum"], init="sidea-orig")
    assert orig.columns[3:] == [
        "gmlmidonset",
        "gmlmidongoing",
        "init1",
        "init2",
        "sidea1",
        "sidea2",
        "orig1",
        "orig2",
        "dispnum",
    ]
    assert orig["init1"].sum() < out["init1"].sum()
    u = C.add_gml_mids(dyad_years(directed=False), keep=[])
    assert u.columns == [*KEYS, "gmlmidonset", "gmlmidongoing"]


def test_add_gml_mids_state_years():
    s = state_years()
    out = C.add_gml_mids(s)
    assert out.select("ccode", "year").equals(s)
    usa = out.filter(pl.col("ccode") == 2, pl.col("year") == 1950)
    assert usa["gmlmidongoing"].item() == 1  # Korea
    assert out.filter(pl.col("year") > 2010)["gmlmidongoing"].null_count() == (
        out.filter(pl.col("year") > 2010).height
    )
    assert out.filter(pl.col("year") <= 2010)["gmlmidongoing"].null_count() == 0
    assert (out["gmlmidonset_init"] <= out["gmlmidonset"]).all()


# --- wars ----------------------------------------------------------------------------------------


def reference_war_whittle(wars: pl.DataFrame) -> dict:
    """peacesciencer's add_cow_wars whittle, written plainly, one dyad-year at a time."""
    groups = defaultdict(list)
    for r in wars.iter_rows(named=True):
        groups[(r["ccode1"], r["ccode2"], r["year"])].append(r)
    out = {}
    for key, g in groups.items():
        if len(g) > 1 and len({r["cowinteronset"] for r in g}) > 1:
            g = [r for r in g if r["cowinteronset"] != 0]

        def deaths(r):
            b = [
                r[c] if r[c] is not None and r[c] >= 0 else None for c in ("batdeath1", "batdeath2")
            ]
            known = [x for x in b if x is not None]
            return sum(known) if known else None

        known = [deaths(r) for r in g if deaths(r) is not None]
        best = next((r for r in g if deaths(r) == max(known)), None) if known else g[0]
        out[key] = (best["warnum"], best["cowinteronset"])
    return out


def test_whittle_wars_equals_plain_reference():
    raw = loaders.load("ps-cow-war-inter")
    ours = C.whittle_wars(raw.with_columns(pl.col("warnum").cast(pl.Float64).alias("resume")))
    assert ours.select(KEYS).is_unique().all()
    got = {
        (a, b, y): (int(w), o)
        for a, b, y, w, o in ours.select(*KEYS, "resume", "cowinteronset").rows()
    }
    assert got == reference_war_whittle(raw)
    assert C.whittle_wars(raw).height == len(got)


def test_add_cow_wars(panel):
    out = C.add_cow_wars(panel)
    assert out.select(KEYS).equals(panel)
    assert out.filter(pl.col("year") > 2007)["cowinteronset"].null_count() == (
        out.filter(pl.col("year") > 2007).height
    )
    assert out.filter(pl.col("year") <= 2007)["cowinteronset"].null_count() == 0
    ww2 = out.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 740, pl.col("year") == 1941)
    assert ww2["cowinteronset"].item() == 1  # USA-Japan 1941
    assert (out["batdeath1"].drop_nulls() >= 0).all()


# --- peace years ---------------------------------------------------------------------------------


def peacesciencer_spells(df: pl.DataFrame, event: str) -> list[int]:
    """peacesciencer's btscs applied directly to the rows given (a plain loop per dyad)."""
    d = df.with_row_index("_i").sort("ccode1", "ccode2", "year")
    out = np.zeros(d.height, dtype=np.int64)
    prev_key, run, prev_x = None, 0, 0
    rows = zip(d["_i"], d["ccode1"], d["ccode2"], d[event], strict=True)
    for i, a, b, x in rows:
        if (a, b) != prev_key:
            spell, run = 0, 0
        elif x == 0 and prev_x == 0:
            run += 1
            spell = run
        elif x != 0 and prev_x == 0:
            spell, run = run + 1, 0
        elif x == 0:
            spell, run = 0, 0
        else:
            spell = 0
        out[i] = spell
        prev_key, prev_x = (a, b), x
    return out.tolist()


@pytest.mark.parametrize(("source", "last"), [("cow", 2014), ("gml", 2010), ("cowinter", 2007)])
def test_spells_on_the_full_panel_equal_peacesciencer_rule(source, last):
    directed = source == "cow"  # the directed panel for COW, non-directed for the others
    df = dyad_years(directed=directed, years=(1816, last))
    add = {"cow": C.add_cow_mids, "gml": C.add_gml_mids, "cowinter": C.add_cow_wars}[source]
    prefix = C.SPELL_SOURCES[source]
    events = add(df, keep=[]) if source != "cowinter" else add(df)
    out = C.add_peace_years(events, source=source)
    assert out[f"{prefix}spell"].to_list() == peacesciencer_spells(events, f"{prefix}ongoing")
    assert out[f"{prefix}spell"].null_count() == 0


def test_spells_keep_history_when_the_panel_starts_late(panel):
    full = C.add_peace_years(panel)
    late = panel.filter(pl.col("year") >= 1946)
    ours = C.add_peace_years(late)
    assert ours.equals(full.filter(pl.col("year") >= 1946))
    # peacesciencer would restart every count at 0 in 1946; foedus keeps the history
    first_1946 = ours.filter(pl.col("year") == 1946)
    older = first_1946.join(
        panel.filter(pl.col("year") == 1945).select("ccode1", "ccode2"), on=["ccode1", "ccode2"]
    )
    assert older.height > 3000 and (older["cowmidspell"] > 0).mean() > 0.9
    usa_uk = ours.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 200, pl.col("year") == 1946)
    assert usa_uk["cowmidspell_leftcens"].item() == 0


def test_left_censoring_and_polynomials(panel):
    out = C.add_peace_years(panel)
    y1816 = out.filter(pl.col("year") == 1816)
    assert (y1816["cowmidspell"] == 0).all() and (y1816["cowmidspell_leftcens"] == 1).all()
    late = out.filter(pl.col("ccode1") == 2, pl.col("ccode2") == 700)  # Afghanistan: 1920
    assert late["cowmidspell_leftcens"].max() == 0
    s = out["cowmidspell"].cast(pl.Int64)
    assert out["cowmidspell3"].cast(pl.Int64).equals((s * s * s).alias("cowmidspell3"))
    assert out.filter(pl.col("year") > 2014)["cowmidspell"].null_count() == (
        out.filter(pl.col("year") > 2014).height
    )
