"""Power measures on the real NMC 7.0, COW major-power and FAS nuclear data."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from foedus import catalog, loaders
from foedus.measures import power as P
from foedus.panels import state_years
from foedus.panels.capabilities import nmc

TEN = [2, 200, 220, 365, 560, 666, 710, 731, 750, 770]


@pytest.fixture(scope="module")
def shares() -> pl.DataFrame:
    return P.system_shares()


def test_shares_cover_the_system_and_renormalise(shares):
    assert shares.height == state_years(years=(1816, 2022)).height
    per_year = shares.group_by("year").agg(
        pl.col("cinc").sum(), pl.col("cinc_share").sum(), pl.col("milex_share").sum()
    )
    assert per_year.height == 2022 - 1816 + 1
    assert np.allclose(per_year["cinc_share"], 1.0) and np.allclose(per_year["milex_share"], 1.0)
    # NMC's CINC total is at least 1 and exceeds it only where components are missing
    assert per_year["cinc"].min() >= 1 - 1e-6 and per_year["cinc"].max() > 1.07
    full = shares.group_by("year").agg(
        (pl.col("n_components") == 6).all().alias("full"), pl.col("cinc").sum()
    )
    assert np.allclose(full.filter("full")["cinc"], 1.0, atol=1e-5)
    assert full.filter(~pl.col("full"))["cinc"].min() > 1.0


def test_cinc_is_the_mean_of_the_reported_component_shares(shares):
    mean = shares.select(pl.mean_horizontal([f"{c}_share" for c in P.COMPONENTS])).to_series()
    assert float((mean - shares["cinc"]).abs().max()) < 1e-6


def test_concentration_among_majors_1950():
    r = P.concentration(1950).row(0, named=True)
    assert r["n_states"] == 5  # US, UK, France, USSR, China
    assert 0 < r["con"] < 1 and r["con"] == pytest.approx(0.3317, abs=1e-4)
    assert r["leader"] == 2 and r["n_poles"] == 3
    assert r["hhi"] == pytest.approx((r["con"] ** 2) * (1 - 1 / 5) + 1 / 5)


def test_concentration_series_bounds_and_coverage():
    m = P.concentration()
    assert m["year"].to_list() == list(range(1816, 2017))
    assert m["n_states"].min() >= 4 and m["con"].is_between(0, 1).all()
    a = P.concentration(among="all")
    assert a.height == 2022 - 1816 + 1 and a["con"].is_between(0, 1).all()
    n = state_years(years=(1816, 2022)).group_by("year").len().sort("year")
    assert a["n_states"].to_list() == n["len"].cast(pl.Int32).to_list()
    late = P.concentration((2016, 2022))
    assert late["n_states"].to_list() == [7, 0, 0, 0, 0, 0, 0]
    assert P.concentration((2016, 2022), carry_forward=True)["n_states"].min() == 7
    comp = P.concentration(basis="components")
    assert float((comp["con"] - m["con"]).abs().max()) < 0.1


def test_us_uk_france_bloc_1950(shares):
    b = P.bloc_capabilities(["United States", "United Kingdom", "France"], 1950)
    r = b.row(0, named=True)
    assert r["complete"] and r["missing"] == [] and r["n_present"] == 3
    s = shares.filter(pl.col("year") == 1950, pl.col("ccode").is_in([2, 200, 220]))
    assert r["cinc"] == pytest.approx(s["cinc"].sum())
    assert r["cinc_share"] == pytest.approx(s["cinc_share"].sum())
    assert r["cinc_share"] == pytest.approx(0.3782, abs=1e-4)  # raw CINC sum 0.3790
    assert b.equals(P.bloc_capabilities([2, 200, 220], 1950))


def test_bloc_reports_members_outside_the_system():
    b = P.bloc_capabilities(["United States", 260], (1954, 1956))
    assert b["missing"].to_list() == [[260], [], []]  # West Germany enters in 1955
    assert b["complete"].to_list() == [False, True, True]


def test_capability_ratio_us_russia_2016():
    r = P.capability_ratio("United States", "Russia", 2016).row(0, named=True)
    raw = nmc().filter(pl.col("year") == 2016)
    us = raw.filter(pl.col("ccode") == 2)["cinc"].item()
    ru = raw.filter(pl.col("ccode") == 365)["cinc"].item()
    assert r["ratio"] == pytest.approx(us / ru) and r["ratio"] == pytest.approx(3.654, abs=1e-3)
    assert r["share_a"] == pytest.approx(us / (us + ru))
    assert r["stronger"] == 2 and r["asymmetric"] is True


def test_discounted_capability_on_real_cinc(shares):
    c = shares.filter(pl.col("year") == 1950)["cinc"]
    adj = P.discounted_capability(c, np.full(len(c), 1000.0), 1950)
    assert adj.shape == (len(c),) and np.all(adj >= c.to_numpy())  # under e * 500 miles


def test_world_row_is_not_a_state():
    w = P.nuclear_forces()
    assert w["ccode"].null_count() == 0 and "OWID_WRL" not in w["iso3"].to_list()
    assert sorted(w["ccode"].unique().to_list()) == TEN
    # the raw file's World row is the FAS total inventory, not the sum of the states
    raw = loaders.read_nuclear_csv(
        catalog.path(catalog.get("nuclear-warheads")), include_world=True
    )
    world = raw.filter(pl.col("iso3") == "OWID_WRL", pl.col("year") == 2023)["warheads"].item()
    assert world == 12512 != w.filter(pl.col("year") == 2023)["warheads"].sum()
    za = w.filter(pl.col("ccode") == 560, pl.col("nuclear"))["year"].to_list()
    assert za == list(range(1982, 1990))


def test_total_warheads_2023():
    assert P.nuclear_forces(2023)["warheads"].sum() == 9576
    b = P.bloc_warheads(TEN, 2023).row(0, named=True)
    assert b["warheads"] == 9576 and b["complete"] and b["n_nuclear"] == 9  # not South Africa


def test_russia_china_2021_and_balance():
    b = P.bloc_warheads(["Russia", "China"], 2021).row(0, named=True)
    assert b["warheads"] == 4495 + 370 == 4865
    nb = P.nuclear_balance(["United States", "United Kingdom", "France"], ["Russia", "China"], 2021)
    r = nb.row(0, named=True)
    assert r["bloc_warheads"] == 3708 + 225 + 290 and r["opponent_warheads"] == 4865
    assert r["ratio"] == pytest.approx(4223 / 4865)
    assert math.isclose(r["bloc_share"], 4223 / (4223 + 4865))


def test_non_nuclear_member_is_named_and_counted_zero():
    b = P.bloc_warheads(["United States", "Germany"], 2023).row(0, named=True)
    assert b["warheads"] == 3708 and b["unlisted"] == [255] and b["complete"]
