"""Enrichers on the real data: row preservation (property test), values against the sources."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foedus import loaders
from foedus.errors import PanelError
from foedus.panels import (
    ENRICHERS,
    add_atop_alliance,
    add_cow_alliance,
    add_cow_majors,
    add_nmc,
    add_strategic_rivalries,
    dyad_years,
    state_years,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(ENRICHERS)),
    kind=st.sampled_from(["state", "dyad"]),
    directed=st.booleans(),
    lo=st.integers(1800, 2030),
    span=st.integers(0, 6),
    frac=st.floats(0.05, 1.0),
    seed=st.integers(0, 10),
    shuffle=st.booleans(),
)
def test_every_enricher_keeps_rows_and_keys(name, kind, directed, lo, span, frac, seed, shuffle):
    e = ENRICHERS[name]
    years = (max(lo, 1816), max(lo, 1816) + span)
    base = (
        state_years(years=years) if kind == "state" else dyad_years(directed=directed, years=years)
    )
    panel = base.sample(fraction=frac, seed=seed, shuffle=shuffle) if base.height else base
    if kind not in e.kinds:
        with pytest.raises(PanelError):
            e.func(panel)
        return
    out = e.func(panel)
    assert out.height == panel.height
    assert out.select(panel.columns).equals(panel)


def test_enrichers_refuse_gw_panels_they_cannot_code():
    gw = dyad_years("gw", years=(2000, 2000))
    for f in (add_atop_alliance, add_nmc, add_cow_majors):
        with pytest.raises(PanelError):
            f(gw)


def test_atop_directed_sums_equal_the_source_within_the_system():
    src = loaders.load("ps-atop-alliance")
    panel = dyad_years(years=(1816, 2018)).pipe(add_atop_alliance)  # the system's years
    inside = src.join(panel.select("ccode1", "ccode2", "year"), on=["ccode1", "ccode2", "year"])
    for c in ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"):
        assert panel[c].sum() == int(inside[c].sum()), c
    assert panel["atop_alliance"].sum() == inside.height
    assert panel.filter(pl.col("year") <= 2018)["atop_defense"].null_count() == 0


def test_atop_asymmetric_example_and_undirected_rule():
    d = dyad_years(years=1832).pipe(add_atop_alliance)
    fr_be = d.filter((pl.col("ccode1") == 220) & (pl.col("ccode2") == 211))["atop_defense"]
    be_fr = d.filter((pl.col("ccode1") == 211) & (pl.col("ccode2") == 220))["atop_defense"]
    assert (fr_be.item(), be_fr.item()) == (1, 0)
    u = dyad_years(years=1832, directed=False).pipe(add_atop_alliance)
    assert (
        u.filter((pl.col("ccode1") == 211) & (pl.col("ccode2") == 220))["atop_defense"].item() == 1
    )


def test_nothing_is_zero_past_a_source_end():
    d = dyad_years(years=(2019, 2025)).pipe(add_atop_alliance).pipe(add_cow_alliance)
    d = d.pipe(add_cow_majors).pipe(add_strategic_rivalries)
    assert (
        d.filter(pl.col("year") >= 2019)["atop_defense"].null_count()
        == d.filter(pl.col("year") >= 2019).height
    )
    assert d["cow_defense"].null_count() == d.height
    assert (
        d.filter(pl.col("year") >= 2017)["cowmaj1"].null_count()
        == d.filter(pl.col("year") >= 2017).height
    )
    assert d.filter(pl.col("year") == 2020)["ongoingrivalry"].null_count() == 0
    assert (
        d.filter(pl.col("year") == 2021)["ongoingrivalry"].null_count()
        == d.filter(pl.col("year") == 2021).height
    )


def test_nmc_values_are_the_sources():
    nmc = loaders.load("ps-cow-nmc")
    s = state_years(years=(1816, 2022)).pipe(add_nmc)
    j = s.join(nmc, on=["ccode", "year"], suffix="_src")
    assert j.height == nmc.join(s, on=["ccode", "year"]).height
    assert j.filter(pl.col("cinc").ne_missing(pl.col("cinc_src"))).height == 0
    us_ru = (
        dyad_years(years=1950)
        .pipe(add_nmc)
        .filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 365))
    )
    assert us_ru["cinc1"].item() > us_ru["cinc2"].item() > 0


def test_majors_in_2016_and_carry_forward():
    s = state_years(years=(2016, 2021)).pipe(add_cow_majors, carry_forward=True)
    majors_2021 = set(s.filter((pl.col("year") == 2021) & (pl.col("cowmaj") == 1))["ccode"])
    assert majors_2021 == {2, 200, 220, 255, 365, 710, 740}
