"""The world as an input: edits on a small synthetic world (no data files)."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import InvalidArgumentError, WorldError, YearOutOfRangeError
from foedus.world import (
    PLEDGE_COLUMNS,
    World,
    alliance_id,
    check_pledge,
    resolve_world,
)


def _rows(rows: list[tuple[int, int, int, dict[str, int]]], source: str = "atop") -> pl.DataFrame:
    data = {
        "ccode1": [r[0] for r in rows],
        "ccode2": [r[1] for r in rows],
        "year": [r[2] for r in rows],
    }
    for c in PLEDGE_COLUMNS:
        data[c] = [float(r[3].get(c.removeprefix("atop_"), 0)) for r in rows]
    frame = pl.DataFrame(data).with_columns(pl.col("ccode1", "ccode2", "year").cast(pl.Int32))
    return frame.with_columns(pl.lit(source).alias("source"))


def world() -> World:
    """2 and 20 defence allies 2000-2005 (both ways); 2 -> 200 consultation only one way."""
    rows = []
    for y in range(2000, 2006):
        rows += [
            (2, 20, y, {"defense": 1, "consul": 1}),
            (20, 2, y, {"defense": 1, "consul": 1}),
            (2, 200, y, {"consul": 1}),
            (200, 2, y, {}),  # ATOP's one-way rows: an alliance, no pledge this way
        ]
    return World(pledges_=_rows(rows), first_year=2000, last_year=2005)


def test_ties_are_undirected_and_by_pledge():
    w = world()
    d = w.ties("defense")
    assert d.height == 6 and set(d.select("ccode1", "ccode2").unique().rows()) == {(2, 20)}
    assert set(w.ties("consul").select("ccode1", "ccode2").unique().rows()) == {(2, 20), (2, 200)}
    assert w.ties("any").height == 12
    assert w.is_baseline and w.sources == ["atop"]


def test_adding_a_pact_adds_both_directions_from_the_year_on():
    w = world().with_pledge([(20, 200)], "defence", 2003)
    t = w.ties("defense")
    assert set(t.filter(pl.col("year") == 2003).select("ccode1", "ccode2").rows()) == {
        (2, 20),
        (20, 200),
    }
    assert t.filter((pl.col("ccode1") == 20) & (pl.col("ccode2") == 200))["year"].to_list() == [
        2003,
        2004,
        2005,
    ]
    d = w.directed().filter((pl.col("ccode1") == 200) & (pl.col("ccode2") == 20))
    assert d["atop_defense"].to_list() == [1.0, 1.0, 1.0]
    assert not w.is_baseline and "scenario" in w.sources
    assert w.changes and "add defense" in w.changes[0]
    # the alliance count of both members rises by one in each year of the pact
    delta = w.number_delta.group_by("ccode").agg(pl.col("delta").sum()).sort("ccode")
    assert delta.rows() == [(20, 3), (200, 3)]
    # the baseline world is unchanged (edits return new worlds)
    assert world().ties("defense").height == 6


def test_an_existing_tie_is_refused():
    with pytest.raises(WorldError, match="already have a defense pledge in 2001"):
        world().with_pledge([(20, 2)], "defense", 2001)
    with pytest.raises(WorldError, match="cannot ally with itself"):
        world().with_pledge([(20, 20)], "defense", 2001)


def test_removing_a_pledge_keeps_the_others():
    w = world().without_pledge([(2, 20)], "defense", 2002)
    t = w.ties("defense")
    assert t["year"].to_list() == [2000, 2001]
    # the consultation pledge of the same treaty stays
    assert w.ties("consul").filter(pl.col("ccode2") == 20).height == 6
    # removing every pledge drops the rows, but ATOP's one-way rows that never had one stay
    w2 = world().without_pledge([(2, 200)], "any", 2000)
    assert w2.ties("any").filter(pl.col("ccode2") == 200).is_empty()
    with pytest.raises(WorldError, match="no defense pledge in 2002 to remove"):
        w.without_pledge([(2, 20)], "defense", 2002)


def test_upgrade_replaces_one_pledge_by_another():
    w = world().with_upgrade([(2, 200)], "consultation", "defense", 2004)
    assert set(
        w.ties("defense").filter(pl.col("year") == 2004).select("ccode1", "ccode2").rows()
    ) == {
        (2, 20),
        (2, 200),
    }
    assert w.ties("consul").filter((pl.col("ccode2") == 200) & (pl.col("year") >= 2004)).is_empty()
    assert w.number_delta.is_empty()  # an upgrade is the same alliance
    with pytest.raises(WorldError, match="changes nothing"):
        world().with_upgrade([(2, 200)], "consul", "consul", 2004)
    with pytest.raises(WorldError, match="already have a defense pledge"):
        world().with_upgrade([(2, 20)], "consul", "defense", 2004)


def test_years_outside_the_world_are_refused():
    with pytest.raises(YearOutOfRangeError, match="cover 2000-2005"):
        world().with_pledge([(20, 200)], "defense", 2006)
    with pytest.raises(YearOutOfRangeError):
        world().check_years((1999, 2003))


def test_pledge_names_and_alliances():
    assert check_pledge("Non-Aggression") == "nonagg"
    assert check_pledge("neutrality") == "neutral"
    with pytest.raises(InvalidArgumentError, match="did you mean 'defense'"):
        check_pledge("defens")
    assert alliance_id("NATO") == 3180 and alliance_id("3180") == 3180 and alliance_id(42) == 42
    with pytest.raises(InvalidArgumentError, match="unknown alliance"):
        alliance_id("Warsaw pact of the sea")
    with pytest.raises(InvalidArgumentError, match="must be a foedus World"):
        resolve_world("today")


def _nmc() -> pl.DataFrame:
    # two years, three states, two components; cinc = mean of the component shares
    rows = {
        "ccode": [2, 365, 710, 2, 365, 710],
        "year": [2000, 2000, 2000, 2001, 2001, 2001],
        "milex": [50.0, 30.0, 20.0, 50.0, 30.0, 20.0],
        "tpop": [20.0, 30.0, 50.0, 20.0, 30.0, 50.0],
    }
    f = pl.DataFrame(rows).with_columns(pl.col("ccode", "year").cast(pl.Int32))
    shares = [pl.col(c) / pl.col(c).sum().over("year") for c in ("milex", "tpop")]
    return f.with_columns(pl.mean_horizontal(shares).alias("cinc"))


def test_capabilities_set_a_share_and_rescale_the_others():
    w = world().with_capabilities(710, (2001, 2001), cinc=0.5)
    out = w.apply_capabilities(_nmc()).sort("year", "ccode")
    y0, y1 = out.filter(pl.col("year") == 2000), out.filter(pl.col("year") == 2001)
    assert y0["cinc"].to_list() == pytest.approx([0.35, 0.3, 0.35])  # other years untouched
    assert y1["cinc"].to_list() == pytest.approx([0.5 * 0.35 / 0.65, 0.5 * 0.3 / 0.65, 0.5])
    assert y1["cinc"].sum() == pytest.approx(1.0)


def test_capabilities_scaled_recompute_every_share():
    w = world().with_capabilities(710, (2000, 2000), scale=2.0)
    out = w.apply_capabilities(_nmc()).filter(pl.col("year") == 2000).sort("ccode")
    # milex 50/120, 30/120, 40/120; tpop 20/150, 30/150, 100/150
    want = [(50 / 120 + 20 / 150) / 2, (30 / 120 + 30 / 150) / 2, (40 / 120 + 100 / 150) / 2]
    assert out["cinc"].to_list() == pytest.approx(want)
    assert out["milex"].to_list() == [50.0, 30.0, 40.0]
    with pytest.raises(InvalidArgumentError, match="exactly one"):
        world().with_capabilities(710, (2000, 2000))
    with pytest.raises(WorldError, match="no capabilities of COW 999"):
        world().with_capabilities(999, (2000, 2000), cinc=0.1).apply_capabilities(_nmc())


def test_warheads_are_set_and_added():
    wh = pl.DataFrame({"ccode": [2, 2], "year": [2000, 2001], "warheads": [100, 90]})
    w = world().with_warheads(365, (2000, 2001), 50).with_warheads(2, (2001, 2001), 10)
    out = w.apply_warheads(wh.with_columns(pl.col("ccode", "year").cast(pl.Int32)))
    assert out.sort("ccode", "year").rows() == [
        (2, 2000, 100),
        (2, 2001, 10),
        (365, 2000, 50),
        (365, 2001, 50),
    ]


def test_digest_tells_worlds_apart():
    a, b = world(), world().with_pledge([(20, 200)], "defense", 2003)
    assert a.digest() == world().digest() and a.digest() != b.digest()
    assert b.summary()["changes"] == list(b.changes)
