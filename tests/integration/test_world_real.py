"""The world as an input, on the real data: the default world reproduces every measure, and a
pact added to the world shows up in similarity, the network, expected utility, the ATOP
enricher and the formation features."""

from __future__ import annotations

import importlib

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import foedus as fd
from foedus.errors import WorldError
from foedus.prospects.data import formation_panel
from foedus.world import SOURCE_ATOP, World, current_world

similarity = importlib.import_module("foedus.measures.similarity")
network = importlib.import_module("foedus.measures.network")
eu = importlib.import_module("foedus.measures.expected_utility")
power = importlib.import_module("foedus.measures.power")

pytestmark = pytest.mark.integration

RUS, CHN, FIN, TUR, USA = 365, 710, 375, 640, 2


@pytest.fixture(scope="module")
def split_world() -> World:
    """Today's pledges split over two sources: the multi-source path must give the same
    values as the single-source one."""
    base = current_world()
    p = base.pledges.with_columns(
        pl.when(pl.col("year") % 2 == 0)
        .then(pl.lit(SOURCE_ATOP))
        .otherwise(pl.lit("copy"))
        .alias("source")
    )
    return World(pledges_=p, first_year=base.first_year, last_year=base.last_year)


@pytest.fixture(scope="module")
def pact() -> World:
    """Russia and China sign a defence pact in 2010 (ATOP has them on consultation and
    non-aggression only)."""
    return current_world().with_pledge([(RUS, CHN)], "defense", 2010)


def _pair(frame: pl.DataFrame, a: int, b: int, year: int) -> dict:
    row = frame.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year))
    assert row.height == 1
    return row.row(0, named=True)


def test_the_default_world_is_atop_through_its_last_year():
    w = current_world()
    assert w.years == (1815, 2018) and w.is_baseline and w.sources == ["atop"]
    raw = fd.loaders.load("ps-atop-alliance")
    assert_frame_equal(w.directed(), raw.select(w.directed().columns))


def test_a_split_world_gives_the_same_measures(split_world):
    assert_frame_equal(
        similarity.similarity(years=(2000, 2001), world=split_world),
        similarity.similarity(years=(2000, 2001)),
    )
    assert_frame_equal(
        network.network_stats((2000, 2000), world=split_world), network.network_stats((2000, 2000))
    )
    d = fd.dyad_years(years=(2000, 2001))
    assert_frame_equal(fd.add_atop_alliance(d, world=split_world), fd.add_atop_alliance(d))
    assert_frame_equal(
        network.alliance_ties("atop", "any", world=split_world),
        network.alliance_ties("atop", "any"),
    )


def test_a_pact_changes_the_alliance_enricher(pact):
    d = fd.dyad_years(directed=False, years=(2009, 2011))
    base, scen = fd.add_atop_alliance(d), fd.add_atop_alliance(d, world=pact)
    assert _pair(base, RUS, CHN, 2010)["atop_defense"] == 0
    assert _pair(scen, RUS, CHN, 2010)["atop_defense"] == 1
    assert _pair(scen, RUS, CHN, 2009)["atop_defense"] == 0
    # nothing else moves
    others = ~(pl.col("ccode1").is_in([RUS, CHN]) & pl.col("ccode2").is_in([RUS, CHN]))
    assert_frame_equal(base.filter(others), scen.filter(others))
    sy = fd.state_years(years=(2010, 2010))
    b, s = fd.add_atop_alliance(sy), fd.add_atop_alliance(sy, world=pact)
    rb = b.filter(pl.col("ccode") == CHN).row(0, named=True)
    rs = s.filter(pl.col("ccode") == CHN).row(0, named=True)
    assert rs["atop_number"] == rb["atop_number"] + 1 and rs["atop_defense"] == 1
    untouched = ~pl.col("ccode").is_in([RUS, CHN])
    assert_frame_equal(b.filter(untouched), s.filter(untouched))


def test_a_pact_changes_similarity_network_and_expected_utility(pact):
    sb = similarity.similarity(years=(2010, 2010), measures=["taub", "s_un"])
    ss = similarity.similarity(years=(2010, 2010), measures=["taub", "s_un"], world=pact)
    assert _pair(ss, RUS, CHN, 2010)["s_un"] > _pair(sb, RUS, CHN, 2010)["s_un"]
    assert _pair(ss, RUS, CHN, 2010)["taub"] > _pair(sb, RUS, CHN, 2010)["taub"]
    nb = network.network_stats((2010, 2010)).filter(pl.col("ccode") == RUS)
    ns = network.network_stats((2010, 2010), world=pact).filter(pl.col("ccode") == RUS)
    assert ns["degree"].item() == nb["degree"].item() + 1
    g = network.alliance_graph(2010, world=pact)
    assert g.has_edge(RUS, CHN) and not network.alliance_graph(2010).has_edge(RUS, CHN)
    eb = eu.war_trap((2010, 2010))
    es = eu.war_trap((2010, 2010), world=pact)
    # the pact makes Russia and China each less worth attacking for the other
    assert _pair(es, RUS, CHN, 2010)["eu_war_trap"] != _pair(eb, RUS, CHN, 2010)["eu_war_trap"]
    assert _pair(es, USA, CHN, 2010)["eu_war_trap"] != _pair(eb, USA, CHN, 2010)["eu_war_trap"]


def test_a_pact_changes_the_formation_features(pact):
    b = formation_panel(years=(2011, 2011))
    s = formation_panel(years=(2011, 2011), world=pact)
    rb, rs = _pair(b, RUS, CHN, 2011), _pair(s, RUS, CHN, 2011)
    assert rb["at_risk"] and not rs["at_risk"]  # allied in 2010: no longer at risk
    assert rs["allies1"] == rb["allies1"] + 1 and rs["allies2"] == rb["allies2"] + 1
    # China now shares Russia's allies (e.g. Armenia, 371)
    assert (
        _pair(s, 371, CHN, 2011)["shared_allies"] == _pair(b, 371, CHN, 2011)["shared_allies"] + 1
    )
    assert b.height == s.height


def test_capability_changes_reach_power_and_similarity():
    w = current_world().with_capabilities(CHN, (2010, 2010), cinc=0.3)
    bloc = power.bloc_capabilities([CHN], (2009, 2010), world=w)
    assert bloc.filter(pl.col("year") == 2010)["cinc"].item() == pytest.approx(0.3)
    base = power.bloc_capabilities([CHN], (2009, 2010))
    assert (
        bloc.filter(pl.col("year") == 2009)["cinc"].item()
        == base.filter(pl.col("year") == 2009)["cinc"].item()
    )
    s = similarity.similarity(years=(2010, 2010), measures=["s_wt"], world=w)
    sb = similarity.similarity(years=(2010, 2010), measures=["s_wt"])
    assert _pair(s, USA, RUS, 2010)["s_wt"] != _pair(sb, USA, RUS, 2010)["s_wt"]


def test_nuclear_changes_reach_the_balance():
    w = current_world().with_warheads(CHN, (2018, 2018), 1000)
    nb = power.nuclear_balance([RUS, CHN], [USA], 2018, world=w)
    base = power.nuclear_balance([RUS, CHN], [USA], 2018)
    china = power.bloc_warheads([CHN], 2018)["warheads"].item()
    assert nb["bloc_warheads"].item() == base["bloc_warheads"].item() - china + 1000


def test_joining_and_leaving_nato():
    w = current_world()
    nato = w.alliance_members(3180, 2018)
    assert USA in nato and TUR in nato and FIN not in nato and len(nato) == 29
    j = w.with_member(FIN, 3180, 2018)
    t = j.ties("defense").filter(pl.col("year") == 2018)
    fin = t.filter((pl.col("ccode1") == FIN) | (pl.col("ccode2") == FIN))
    partners = set(fin["ccode1"].to_list() + fin["ccode2"].to_list()) - {FIN}
    assert set(nato) <= partners
    assert FIN in j.alliance_members(3180, 2018)
    with pytest.raises(WorldError, match="already a member"):
        j.with_member(FIN, 3180, 2018)
    left = w.without_member(TUR, 3180, 2018)
    lt = left.ties("defense").filter(pl.col("year") == 2018)
    tur = lt.filter((pl.col("ccode1") == TUR) | (pl.col("ccode2") == TUR))
    keeps = set(tur["ccode1"].to_list() + tur["ccode2"].to_list()) - {TUR}
    # the US keeps its defence pledge through their 1959 bilateral agreement (ATOP 3360);
    # the other NATO members lose theirs
    assert 3360 in set(
        w.memberships().filter((pl.col("ccode") == TUR) & (pl.col("year") == 2018))["atopid"]
    )
    assert USA in keeps and not (set(nato) - {USA, TUR}) & keeps
    assert TUR not in left.alliance_members(3180, 2018)
    with pytest.raises(WorldError, match="is not a member"):
        w.without_member(FIN, 3180, 2018)


def test_a_world_past_atop_carries_2018_and_adds_the_treaty_file():
    from pathlib import Path

    from foedus.prospects.treaties import read_treaties

    tr = read_treaties(Path(__file__).parents[2] / "examples" / "treaties.csv")
    w = current_world(through=2024, treaties=tr)
    assert w.years == (1815, 2024) and set(w.sources) == {"atop", "atop-carried", "treaties"}
    # Finland's accession (April 2023) ties it to the United States in 2023
    t = w.ties("defense")
    assert t.filter((pl.col("ccode1") == USA) & (pl.col("ccode2") == FIN))["year"].to_list() == [
        2023,
        2024,
    ]
    sy = fd.add_atop_alliance(fd.state_years(years=(2018, 2020)), world=w)
    r = sy.filter(pl.col("ccode") == USA).sort("year")
    assert r["atop_number"].to_list()[0] == r["atop_number"].to_list()[2]  # carried forward


def test_an_existing_tie_is_refused():
    with pytest.raises(WorldError, match="already have a defense pledge"):
        current_world().with_pledge([(USA, 200)], "defense", 2000)
