"""Geography enrichers on the real data: contiguity, minimum and capital distance, terrain."""

from __future__ import annotations

import math

import polars as pl
import pytest

from foedus import loaders
from foedus.panels import dyad_years, state_years
from foedus.panels.geography import (
    add_capital_distance,
    add_contiguity,
    add_minimum_distance,
    add_rugged_terrain,
    capital_years,
    contiguity_years,
)

K = ["ccode1", "ccode2", "year"]


@pytest.fixture(scope="module")
def ddy():
    return dyad_years()


@pytest.fixture(scope="module")
def contig(ddy):
    return add_contiguity(ddy)


def at(df, col, a, b, y, code="ccode"):
    row = df.filter(pl.col(f"{code}1") == a, pl.col(f"{code}2") == b, pl.col("year") == y)
    return row[col].item()


def reversed_equal(df, col, code="ccode"):
    c1, c2 = f"{code}1", f"{code}2"
    rev = df.select(pl.col(c2).alias(c1), pl.col(c1).alias(c2), "year", pl.col(col).alias("r"))
    j = df.join(rev, on=[c1, c2, "year"])
    return j.height == df.height and j.filter(pl.col(col).ne_missing(pl.col("r"))).is_empty()


def test_contiguity_known_dyads(contig):
    assert at(contig, "conttype", 2, 20, 2000) == 1 and at(contig, "landcontig", 2, 20, 2000) == 1
    assert at(contig, "conttype", 2, 40, 2000) == 4 and at(contig, "landcontig", 2, 40, 2000) == 0
    assert at(contig, "conttype", 2, 365, 2000) == 2  # Alaska and Chukotka
    assert at(contig, "conttype", 2, 200, 2000) == 0
    assert (
        at(contig, "conttype", 2, 20, 2017) is None
        and at(contig, "landcontig", 2, 20, 2017) is None
    )
    # the conttype-0 record does not override COW's land border (peacesciencer 1.2 gives 0)
    assert (
        at(contig, "conttype", 315, 365, 1946) == 1 and at(contig, "conttype", 365, 700, 1950) == 1
    )


def test_contiguity_coverage_and_symmetry(contig):
    late = contig.filter(pl.col("year") > 2016)
    assert late["conttype"].null_count() == late.height
    early = contig.filter(pl.col("year") <= 2016)
    assert early["conttype"].null_count() == 0 and early["landcontig"].null_count() == 0
    assert reversed_equal(contig, "conttype")


def test_as_filed_reproduces_the_month_expansion_and_differs_in_636_dyad_years(ddy, contig):
    src = loaders.load("ps-cow-contdir")
    months = (
        src.with_row_index("pos")
        .with_columns(date=pl.date_ranges("stdate", "enddate", "1mo"))
        .explode("date")
        .sort("ccode1", "ccode2", "date", "pos")
        .with_columns(year=pl.col("date").dt.year().cast(pl.Int32))
        .unique(K, keep="first", maintain_order=True)
        .select(*K, pl.col("conttype").cast(pl.Int8))
    )
    assert contiguity_years(src, "as_filed").equals(months)
    ps = add_contiguity(ddy, zero_spells="as_filed")
    diff = contig.filter(pl.col("conttype") != ps["conttype"])
    assert diff.height == 2 * 636
    assert (ps.filter(pl.col("conttype") != contig["conttype"])["conttype"] == 0).all()


def test_contiguity_state_years_equal_counts_over_the_dyad_panel(contig):
    sy = add_contiguity(state_years())
    assert sy.filter(pl.col("ccode") == 2, pl.col("year") == 2000).select("land", "sea").row(0) == (
        2,
        3,
    )
    from_dyads = (
        contig.filter(pl.col("year") <= 2016)
        .group_by(pl.col("ccode1").alias("ccode"), "year")
        .agg(
            (pl.col("conttype") == 1).sum().cast(pl.Int16).alias("l"),
            (pl.col("conttype") > 1).sum().cast(pl.Int16).alias("s"),
        )
    )
    j = sy.filter(pl.col("year") <= 2016).join(from_dyads, on=["ccode", "year"], how="left")
    j = j.with_columns(pl.col("l", "s").fill_null(0))
    assert j.filter((pl.col("land") != pl.col("l")) | (pl.col("sea") != pl.col("s"))).is_empty()
    assert (
        sy.filter(pl.col("year") > 2016)["land"].null_count()
        == sy.filter(pl.col("year") > 2016).height
    )


@pytest.mark.parametrize("system", ["cow", "gw"])
def test_minimum_distance(system):
    code = "ccode" if system == "cow" else "gwcode"
    d = add_minimum_distance(dyad_years(system))
    src = loaders.load(f"ps-{system}-mindist")
    undirected = d.filter(pl.col(f"{code}1") < pl.col(f"{code}2"))
    assert undirected["mindist"].is_not_null().sum() == src.height  # every source row lands
    assert reversed_equal(d, "mindist", code)
    assert d.filter(~pl.col("year").is_between(1886, 2019))["mindist"].is_not_null().sum() == 0
    assert at(d, "mindist", 2, 20, 2000, code) == 0.0
    assert at(d, "mindist", 2, 365, 2000, code) < 100  # the Bering Strait
    s = add_minimum_distance(state_years(system))
    mins = d.group_by(pl.col(f"{code}1").alias(code), "year").agg(pl.col("mindist").min())
    j = s.join(mins, on=[code, "year"], how="left")
    assert j.filter(pl.col("minmindist").ne_missing(pl.col("mindist"))).is_empty()


def haversine_km(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6378.137 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("system", ["cow", "gw"])
def test_capital_distance(system):
    code = "ccode" if system == "cow" else "gwcode"
    d = add_capital_distance(dyad_years(system))
    assert reversed_equal(d, "capdist", code)
    assert d.filter(pl.col("year") <= 2024)["capdist"].null_count() == 0
    assert d.filter(pl.col("year") > 2024)["capdist"].is_not_null().sum() == 0
    caps = loaders.load(f"ps-{system}-capitals")
    w = caps.filter(pl.col(code) == 2).select("lat", "lng").row(0)
    m = caps.filter(pl.col("capital") == "Moscow").select("lat", "lng").row(0)
    assert at(d, "capdist", 2, 365, 2000, code) == pytest.approx(haversine_km(*w, *m), abs=1e-6)
    assert at(d, "capdist", 2, 20, 2000, code) == pytest.approx(735, abs=1)  # Washington-Ottawa
    s = add_capital_distance(state_years(system))
    assert s.filter(pl.col("year") <= 2024)["mincapdist"].null_count() == 0
    mins = d.group_by(pl.col(f"{code}1").alias(code), "year").agg(pl.col("capdist").min())
    s = s.filter(pl.col("year") <= 2024)
    j = s.join(mins, on=[code, "year"], how="inner")
    assert j.height == s.height
    assert ((j["mincapdist"] - j["capdist"]).abs() < 1e-9).all()
    assert 5 < s["mincapdist"].min() < 10  # Brazzaville-Kinshasa, across the Congo


def test_capital_transitions():
    cy = capital_years(loaders.load("ps-cow-capitals"), "ccode")
    brazil = dict(cy.filter(pl.col("ccode") == 140).select("year", "lat").rows())
    assert brazil[1960] == pytest.approx(-22.911014) and brazil[1961] == pytest.approx(-10.333333)
    assert cy.select(pl.struct("ccode", "year").is_unique().all()).item()


@pytest.mark.parametrize("system", ["cow", "gw"])
def test_rugged_terrain(system):
    code = "ccode" if system == "cow" else "gwcode"
    s = add_rugged_terrain(state_years(system))
    us = s.filter(pl.col(code) == 2)
    assert us["rugged"].n_unique() == 1 and us["rugged"].null_count() == 0
    germany = s.filter(pl.col(code) == 260)["rugged"]
    assert germany.null_count() == (germany.len() if system == "cow" else 0)
    d = add_rugged_terrain(dyad_years(system, years=2000))
    assert set(d.columns) >= {"rugged1", "rugged2", "newlmtnest1", "newlmtnest2"}
    assert d["rugged1"].null_count() < d.height // 10


@pytest.mark.parametrize(
    "func", [add_contiguity, add_minimum_distance, add_capital_distance, add_rugged_terrain]
)
def test_full_panel_rows_and_keys_kept(func, ddy):
    out = func(ddy)
    assert out.height == ddy.height == 2_252_760
    assert out.select(K).equals(ddy)
