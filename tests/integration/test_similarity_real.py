"""Portfolio similarity on the real ATOP and COW data, against an independent slow build."""

from __future__ import annotations

import math

import polars as pl
import pytest

from foedus import loaders
from foedus.measures import similarity
from foedus.panels import state_years

from ..unit.test_similarity import slow  # the textbook definitions


@pytest.fixture(scope="module")
def atop_sim() -> pl.DataFrame:
    return similarity("atop", years=(1990, 1995))


def portfolio(year: int, state: int, members: list[int]) -> list[int]:
    """State's ATOP valued portfolio over ``members`` built row by row from the source."""
    a = loaders.load("ps-atop-alliance").filter(
        (pl.col("year") == year) & (pl.col("ccode1") == state)
    )
    ties = {}
    for r in a.iter_rows(named=True):
        v = (
            3
            if r["atop_defense"] or r["atop_offense"]
            else 2
            if r["atop_neutral"] or r["atop_consul"]
            else 1
            if r["atop_nonagg"]
            else 0
        )
        ties[r["ccode2"]] = max(ties.get(r["ccode2"], 0), v)
    return [3 if k == state else ties.get(k, 0) for k in members]


def test_random_dyad_years_equal_the_slow_build(atop_sim):
    sample = atop_sim.sample(25, seed=7)
    nmc = loaders.load("ps-cow-nmc")
    for r in sample.iter_rows(named=True):
        y = r["year"]
        members = sorted(state_years(years=y)["ccode"].to_list())
        cinc = dict(nmc.filter(pl.col("year") == y).select("ccode", "cinc").iter_rows())
        w = [cinc.get(k) or 0.0 for k in members]
        ref = slow(portfolio(y, r["ccode1"], members), portfolio(y, r["ccode2"], members), 4, w)
        for k, v in ref.items():
            got = r[k]
            assert (got is None and math.isnan(v)) or got == pytest.approx(v, abs=1e-9), (k, r)


def test_one_row_per_pair_and_symmetric_directed():
    und = similarity("atop", years=(2000, 2000))
    n = state_years(years=2000).height
    assert und.height == n * (n - 1) // 2
    d = similarity("atop", years=(2000, 2000), directed=True)
    assert d.height == 2 * und.height
    us_uk = d.filter(
        ((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200))
        | ((pl.col("ccode1") == 200) & (pl.col("ccode2") == 2))
    )
    assert us_uk["taub"].n_unique() == 1
    us_ru = d.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365))
    assert us_uk["taub"][0] > us_ru["taub"].item()  # NATO allies are more alike


def test_cow_coding_and_binary():
    c = similarity("cow", years=(1950, 1950), measures=["s_un"])
    b = similarity("atop", "binary", years=(1950, 1950), measures=["s_un", "kappa"])
    assert c.columns == ["ccode1", "ccode2", "year", "s_un"] and c.height > 0
    assert b["s_un"].min() >= -1 and b["s_un"].max() <= 1


def test_regional_variant_uses_each_members_home_region():
    r = similarity(
        "cow", years=(1950, 1950), scope="regional", directed=True, measures=["taub", "s_un"]
    )
    same = r.filter((pl.col("ccode1") == 200) & (pl.col("ccode2") == 220))  # UK-France
    assert same["taub_reg1"].item() == pytest.approx(same["taub_reg2"].item())
    us_uk = r.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200))
    uk_us = r.filter((pl.col("ccode1") == 200) & (pl.col("ccode2") == 2))
    assert us_uk["s_un_reg1"].item() == pytest.approx(uk_us["s_un_reg2"].item())
    assert us_uk["s_un_reg1"].item() != pytest.approx(us_uk["s_un_reg2"].item())
    with pytest.raises(Exception, match="scope"):
        similarity("cow", years=(1950, 1950), scope="local")
