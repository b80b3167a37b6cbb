"""Regime, wealth, the politically-relevant filter and the Bremer (1992) pipeline on the real
data: values against the isard tables, the crosswalks against foedus's own COW/G-W mapping,
peacesciencer's published figures."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.formula.api as smf

from foedus import countries, loaders, panels
from foedus.panels.build import build_panel
from foedus.panels.regime import DEMOCRACY_COLS
from foedus.panels.registry import parse_spec
from foedus.panels.relevance import politically_relevant
from foedus.panels.wealth import GDP_COLS

#: The command of docs/panels.md ("The Bremer (1992) dangerous-dyads panel").
BREMER_ADD = (
    "gml_mids,peace_years:source=gml;counted_on=rows,nmc:version=6.0,majors,"
    "contiguity:zero_spells=as_filed,democracy,atop,gdp"
)
#: peacesciencer 1.2.0's vignette "Dyad-Year Example: A Basic Replication/Extension of Bremer
#: (1992)" (rendered 2025-07-11): estimates and standard errors as printed, and Num.Obs.
VIGNETTE = {
    "landcontig": (1.057, 0.058),
    "cincprop": (1.055, 0.082),
    "cowmajdyad": (0.113, 0.059),
    "atop_defense": (-0.132, 0.058),
    "mindemest": (-0.272, 0.032),
    "minmilit": (30.152, 2.378),
    "gmlmidspell": (-0.146, 0.005),
    "Intercept": (-3.517, 0.076),
}
VIGNETTE_NOBS = 106_056


def reference_join(df: pl.DataFrame, table: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """peacesciencer's rule, as joins: the (code, year) row of each side, suffixed 1 and 2."""
    out = df
    for s in "12":
        side = table.select(
            pl.col("ccode").alias(f"ccode{s}"), "year", *[pl.col(c).alias(f"{c}{s}") for c in cols]
        )
        out = out.join(side, on=[f"ccode{s}", "year"], how="left", maintain_order="left")
    return out


def test_democracy_and_gdp_equal_the_isard_tables_joined():
    d = panels.dyad_years("cow")  # directed COW 1816-2025, the standard pipeline's panel
    got = panels.add_gdp(panels.add_democracy(d))
    want = reference_join(
        reference_join(d, loaders.load("isard-cw-democracy"), list(DEMOCRACY_COLS)),
        loaders.load("isard-cw-gdppop"),
        list(GDP_COLS),
    )
    assert got.height == d.height
    assert got.select(want.columns).equals(want)  # column for column, nulls included
    # nothing past each column's own end: polity2 2020, GDP 2019
    assert (
        got.filter(pl.col("year") > 2020)["polity21"].null_count()
        == got.filter(pl.col("year") > 2020).height
    )
    assert got.filter(pl.col("year") > 2019)["mrgdppc2"].is_not_null().sum() == 0


def test_gw_panels_read_the_gw_tables():
    s = panels.state_years("gw", (1990, 2025))
    got = panels.add_democracy(s, keep="v2x_polyarchy")
    want = s.join(
        loaders.load("isard-gw-democracy").select("gwcode", "year", "v2x_polyarchy"),
        on=["gwcode", "year"],
        how="left",
        maintain_order="left",
    )
    assert got.equals(want)
    assert got.filter(pl.col("year") == 2025)["v2x_polyarchy"].is_not_null().sum() == 0


def _disagreements(table: pl.DataFrame, src: str, dst: str, fn) -> pl.DataFrame:
    rows = []
    for s_code, year, d_code in (
        table.filter(pl.col("year") <= 2016).select(src, "year", dst).iter_rows()
    ):
        if s_code is None:
            continue
        mine = fn(s_code, year)
        if mine != d_code:
            rows.append((s_code, year, d_code, mine))
    return pl.DataFrame(
        rows,
        schema={src: pl.Int64, "year": pl.Int64, "isard": pl.Int64, "foedus": pl.Int64},
        orient="row",
    )


def test_crosswalks_against_foedus_mapping():
    """Where isard's crosswalk panels and foedus's COW/G-W mapping disagree (1816-2016, the
    years both state lists observe), and why:

    * G-W micro-states (Dominica, Monaco, Kiribati, ... : G-W codes in isard's panels that are
      not in the G-W list foedus reads, which leaves micro-states out): foedus has no G-W code
      for them. Four Pacific states also differ in number (COW Kiribati 946 = G-W 970, Nauru
      970 = 971, Tonga 955 = 972, Tuvalu 947 = 973).
    * Germany 1990: G-W 260 continues as united Germany; in 1990 both COW 260 (to 2 October)
      and COW 255 (from 3 October) exist. isard maps the year to 260, foedus to the state that
      is a member on 31 December, 255.
    Nothing else differs.
    """
    idx = countries.index()
    gw_list = set(loaders.load("gw-states")["gwcode"].to_list())
    cw = _disagreements(loaders.load("isard-cw-gw-panel"), "ccode", "gwcode", idx.cow_to_gw)
    assert cw.height > 0
    assert cw.filter(pl.col("foedus").is_not_null()).height == 0  # foedus never maps elsewhere
    assert set(cw["isard"].to_list()).isdisjoint(gw_list)  # all are micro-states to foedus
    gw = _disagreements(loaders.load("isard-gw-cw-panel"), "gwcode", "ccode", idx.gw_to_cow)
    other = gw.filter(pl.col("gwcode").is_in(list(gw_list)))
    assert other.rows() == [(260, 1990, 260, 255)]
    assert set(gw.filter(~pl.col("gwcode").is_in(list(gw_list)))["foedus"].to_list()) == {None}


def test_politically_relevant_equals_peacesciencers_filter_prd():
    """peacesciencer's reference page for filter_prd(): cow_ddy (directed, 1816-2024) %>%
    filter_prd() has 245,720 rows, with its contiguity (conttype-0 spells as filed) and its
    majors (no carry-forward)."""
    d = panels.dyad_years("cow", years=(1816, 2024))
    with pytest.warns(UserWarning, match="after 2016"):
        kept = politically_relevant(d, zero_spells="as_filed")
    assert kept.height == 245_720


def _weak_link(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """R's ``ifelse(a > b, b, a)``: NA if either side is NA (never the other side's value)."""
    return pl.when(a.is_null() | b.is_null()).then(None).when(a > b).then(b).otherwise(a)


def bremer_frame() -> pl.DataFrame:
    built = build_panel(
        "dyad-years",
        years=(1816, 2010),
        directed=False,
        steps=parse_spec(BREMER_ADD),
        relevant_only=True,
    ).frame
    return built.with_columns(
        landcontig=(pl.col("conttype") == 1).cast(pl.Int8),
        cowmajdyad=((pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)).cast(pl.Int8),
        cincprop=_weak_link(pl.col("cinc1"), pl.col("cinc2")) / pl.max_horizontal("cinc1", "cinc2"),
        mindemest=_weak_link(pl.col("aeuds1"), pl.col("aeuds2")),
        minmgdppc=_weak_link(pl.col("mrgdppc1"), pl.col("mrgdppc2")),
        minmilit=_weak_link(
            (pl.col("milper1") / pl.col("tpop1")).fill_nan(None),
            (pl.col("milper2") / pl.col("tpop2")).fill_nan(None),
        ),
    )


def test_bremer_dangerous_dyads_panel_and_model():
    """The vignette's panel and logit, fitted with statsmodels' formula API on a foedus panel
    handed to pandas. The panel's construction is peacesciencer's; the estimates differ from
    the vignette's only through the democracy and GDP series, which isard re-estimated since
    (V-Dem v16, democracyData 0.7.1: the vignette was rendered in July 2025, before): see
    docs/panels.md for the comparison."""
    df = bremer_frame()
    assert df.height == 111_991  # undirected politically relevant dyad-years, 1816-2010
    assert int(df["gmlmidonset"].sum()) == 2_638
    assert (
        df.filter(pl.col("year") == 1816)["gmlmidspell"].to_list()
        == [0] * df.filter(pl.col("year") == 1816).height
    )
    m = smf.logit(
        "gmlmidonset ~ landcontig + cincprop + cowmajdyad + atop_defense + mindemest"
        " + minmgdppc + minmilit + gmlmidspell + I(gmlmidspell**2) + I(gmlmidspell**3)",
        data=df.to_pandas(),
    ).fit(disp=0)
    assert int(m.nobs) == 106_031  # 25 fewer than the vignette's 106,056: aeuds missingness
    assert abs(m.nobs - VIGNETTE_NOBS) / VIGNETTE_NOBS < 0.001
    for term, (est, se) in VIGNETTE.items():
        # every estimate within 0.6 of its standard error of the vignette's (the largest gaps:
        # the intercept, 0.54 SE, and the democracy term, 0.45 SE)
        assert abs(m.params[term] - est) <= 0.6 * se, (term, m.params[term], est)
    # the terms that do not involve the re-estimated series agree to the printed precision
    for term in ("cowmajdyad", "gmlmidspell", "cincprop"):
        assert round(m.params[term], 3) == VIGNETTE[term][0]
    assert np.sign(m.params["I(gmlmidspell ** 2)"]) == 1
