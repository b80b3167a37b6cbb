"""Threat measures on the real data."""

from __future__ import annotations

import polars as pl

import foedus as fd
from foedus.measures.threat import add_threat, shared_rivals


def test_russia_china_share_the_united_states_as_rival():
    s = shared_rivals().filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 710))
    years = set(s["year"].to_list())
    assert set(range(2007, 2021)) <= years and 2001 not in years  # TSS: US-Russia from 2007


def test_add_threat_keeps_rows_and_codes_coverage():
    d = fd.dyad_years(directed=True, years=(2013, 2022)).sample(20_000, seed=3)
    out = add_threat(d)
    assert out.height == d.height and out.select(d.columns).equals(d)
    by_year = (
        out.group_by("year")
        .agg(pl.col("shared_rivals").null_count().alias("n"), pl.len().alias("all"))
        .sort("year")
    )
    nulls = dict(by_year.select("year", "n").iter_rows())
    alls = dict(by_year.select("year", "all").iter_rows())
    assert nulls[2020] == 0 and nulls[2021] == alls[2021]  # TSS ends in 2020
    assert out.filter(pl.col("year") == 2015)["common_mid_opponents"].null_count() == (
        out.filter(pl.col("year") == 2015).height
    )  # MIDs end in 2014
    # symmetric: both orders of a pair get the same values
    a = add_threat(
        pl.DataFrame(
            {"ccode1": [365, 710], "ccode2": [710, 365], "year": [2015] * 2},
            schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
        )
    )
    assert a["shared_rivals"].to_list() == [1, 1]
