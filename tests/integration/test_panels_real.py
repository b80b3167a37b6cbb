"""Panels on the real state-system lists, against peacesciencer's own panels."""

from __future__ import annotations

import polars as pl

from foedus import loaders
from foedus.panels import dyad_years, state_years


def test_cow_directed_dyad_years_equal_peacesciencer_cow_ddy():
    ours = dyad_years(years=(1816, 2024))
    ps = loaders.load("ps-cow-ddy").sort("ccode1", "ccode2", "year")
    assert ours.height == 2_214_930 and ours.equals(ps)


def test_cow_dyad_years_through_2025_count_matches_peacesciencer_1_3():
    assert dyad_years().height == 2_252_760


def test_false_dyads_are_exactly_the_non_coexisting_pairs():
    naive = dyad_years(years=(1816, 2024), coexist=False)
    dropped = naive.join(
        dyad_years(years=(1816, 2024)), on=["ccode1", "ccode2", "year"], how="anti"
    )
    false = loaders.load("ps-false-cow-dyads").select("ccode1", "ccode2", "year")
    assert dropped.sort(dropped.columns).equals(false.sort(false.columns))


def test_gw_dyad_years_equal_peacesciencer_gw_ddy_without_microstates():
    ours = dyad_years("gw", years=(1816, 2024))
    ps = (
        loaders.load("ps-gw-ddy")
        .filter((pl.col("microstate1") == 0) & (pl.col("microstate2") == 0))
        .select("gwcode1", "gwcode2", "year")
        .sort("gwcode1", "gwcode2", "year")
    )
    assert ours.equals(ps)


def test_cow_state_years_equal_the_system_file():
    sys_ = loaders.load("cow-system").select("ccode", "year").sort("ccode", "year")
    assert state_years(years=(1816, 2016)).equals(sys_)
    undirected = dyad_years(years=(1816, 2016), directed=False)
    assert undirected.height * 2 == dyad_years(years=(1816, 2016)).height
