"""Democracy and GDP enrichers, the politically-relevant filter and build_panel, on synthetic
sources (``loaders.load`` is replaced by small frames built here)."""

from __future__ import annotations

import warnings
from datetime import date

import polars as pl
import pytest

from foedus import loaders
from foedus.errors import EnricherOptionError, FoedusWarning, InvalidArgumentError, PanelError
from foedus.panels import add_democracy, add_gdp
from foedus.panels.build import build_panel, filter_options
from foedus.panels.registry import parse_spec
from foedus.panels.relevance import politically_relevant, relevance

I32, F64 = pl.Int32, pl.Float64


def frame(rows, schema):
    return pl.DataFrame(rows, schema=schema, orient="row")


DEM_SCHEMA = {
    "year": I32,
    "euds": F64,
    "aeuds": F64,
    "polity2": F64,
    "v2x_polyarchy": F64,
}
CW_DEM = frame(
    [
        (2, 2000, 1.5, 1.2, 10.0, 0.9),
        (20, 2000, 1.4, 1.1, 10.0, 0.85),
        (2, 2021, 1.3, 1.0, 8.0, 0.8),  # polity2 past its last year (2020) in the file
        (2, 2025, 1.2, 0.9, None, 0.7),
    ],
    {"ccode": I32, **DEM_SCHEMA},
)
GW_DEM = frame([(260, 2000, 1.0, 0.8, 10.0, 0.9)], {"gwcode": I32, **DEM_SCHEMA})
GDP_SCHEMA = {
    "year": I32,
    "mrgdppc": F64,
    "sd_mrgdppc": F64,
    "pwtrgdp": F64,
    "sd_pwtrgdp": F64,
    "pwtpop": F64,
    "sd_pwtpop": F64,
}
CW_GDP = frame(
    [
        (2, 2000, 40000.0, 100.0, 1e7, 1e5, 280.0, 2.0),
        (2, 2019, 50000.0, 90.0, 2e7, 1e5, 330.0, 2.0),
    ],
    {"ccode": I32, **GDP_SCHEMA},
)
GW_GDP = frame([(260, 2000, 30000.0, 50.0, 3e6, 1e4, 82.0, 1.0)], {"gwcode": I32, **GDP_SCHEMA})
SOURCES = {
    "isard-cw-democracy": CW_DEM,
    "isard-gw-democracy": GW_DEM,
    "isard-cw-gdppop": CW_GDP,
    "isard-gw-gdppop": GW_GDP,
}


@pytest.fixture
def fake_sources(monkeypatch):
    monkeypatch.setattr(loaders, "load", lambda name, **kw: SOURCES[name])


def dyads(rows, code="ccode"):
    return frame(rows, {f"{code}1": I32, f"{code}2": I32, "year": I32})


def test_democracy_dyads_suffixes_and_nulls(fake_sources):
    d = dyads([(2, 20, 2000), (20, 2, 2000), (2, 365, 2000), (2, 20, 2021), (2, 20, 2026)])
    out = add_democracy(d)
    assert out.select("ccode1", "ccode2", "year").equals(d)  # rows and keys kept
    assert out.columns[3:] == [f"{c}{s}" for s in "12" for c in DEM_SCHEMA if c != "year"]
    assert out["aeuds1"].to_list() == [1.2, 1.1, 1.2, 1.0, None]
    assert out["aeuds2"].to_list() == [1.1, 1.2, None, None, None]  # no row for 365: null
    # polity2 is null past its own last year (catalog column coverage: 2020), never 0
    assert out["polity21"].to_list() == [10.0, 10.0, 10.0, None, None]


def test_democracy_keep_and_states(fake_sources):
    s = frame([(2, 2000), (2, 2025), (20, 2025)], {"ccode": I32, "year": I32})
    out = add_democracy(s, keep="v2x_polyarchy")
    assert out.columns == ["ccode", "year", "v2x_polyarchy"]
    assert out["v2x_polyarchy"].to_list() == [0.9, 0.7, None]
    with pytest.raises(EnricherOptionError, match="keep"):
        add_democracy(s, keep=["uds"])
    with pytest.raises(EnricherOptionError, match="no column"):
        add_democracy(s, keep=[])


def test_democracy_and_gdp_gw_panels_read_the_gw_tables(fake_sources):
    g = dyads([(260, 2, 2000)], code="gwcode")
    out = add_gdp(add_democracy(g, keep=["aeuds"]), keep=["mrgdppc", "sd_mrgdppc"])
    assert out["aeuds1"].to_list() == [0.8]
    assert out["aeuds2"].to_list() == [None]  # 2 is in the COW table only
    assert out["mrgdppc1"].to_list() == [30000.0] and out["sd_mrgdppc1"].to_list() == [50.0]


def test_gdp_null_after_2019(fake_sources):
    s = frame([(2, 2000), (2, 2019), (2, 2020)], {"ccode": I32, "year": I32})
    out = add_gdp(s)
    assert out.columns[2:] == [c for c in GDP_SCHEMA if c != "year"]
    assert out["mrgdppc"].to_list() == [40000.0, 50000.0, None]
    with pytest.raises(PanelError, match="overwrite"):
        add_gdp(out)


# --- politically relevant dyads -----------------------------------------------------------


CONTDIR = frame(
    [
        # USA-Canada land contiguity from 1920; 2-200 sea contiguity 1900-1950
        (2, 20, 1, date(1920, 1, 10), date(2016, 12, 31)),
        (20, 2, 1, date(1920, 1, 10), date(2016, 12, 31)),
        (2, 200, 4, date(1900, 1, 1), date(1950, 12, 31)),
        (200, 2, 4, date(1900, 1, 1), date(1950, 12, 31)),
    ],
    {"ccode1": I32, "ccode2": I32, "conttype": I32, "stdate": pl.Date, "enddate": pl.Date},
)
MAJORS = frame(
    [(255, 1816, 1918), (255, 1925, 1945), (255, 1991, 2016)],
    {"ccode": I32, "styear": I32, "endyear": I32},
)


@pytest.fixture
def fake_geo(monkeypatch):
    from foedus.panels import geography, powers

    real = loaders.load

    def load(name, **kw):
        if name == "ps-cow-contdir":
            return CONTDIR
        return real(name, **kw)

    monkeypatch.setattr(loaders, "load", load)
    years = pl.DataFrame(
        [(255, y) for a, b in [(1816, 1918), (1925, 1945), (1991, 2016)] for y in range(a, b + 1)],
        schema={"ccode": I32, "year": I32},
        orient="row",
    ).with_columns(cowmaj=pl.lit(1, dtype=pl.Int8))
    monkeypatch.setattr(powers, "major_power_years", lambda carry, last: years)
    return geography


def test_relevance_contiguity_or_major(fake_geo):
    d = dyads(
        [
            (2, 20, 1919),  # before contiguity: not relevant
            (2, 20, 1921),  # land contiguity
            (2, 200, 1949),  # sea contiguity (any type counts)
            (2, 200, 1960),  # neither
            (2, 255, 1930),  # Germany a major power
            (2, 255, 1950),  # neither
            (2, 20, 2018),  # past contiguity's end, no major power: unknown
        ]
    )
    prd = relevance(d, zero_spells="as_filed")
    assert prd.to_list() == [False, True, True, False, True, False, None]
    with pytest.warns(FoedusWarning, match="1 dyad-years after 2016"):
        kept = politically_relevant(d)
    assert kept.equals(d[[1, 2, 4]])  # rows in order, no column added
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        politically_relevant(d.head(6))  # nothing unknown: no warning
    with pytest.raises(PanelError, match="dyad-years"):
        politically_relevant(frame([(2, 1950)], {"ccode": I32, "year": I32}))
    with pytest.raises(EnricherOptionError, match="zero_spells"):
        relevance(d, zero_spells="all")


def test_build_panel_filters_before_enrichers_and_checks_first():
    steps = parse_spec("contiguity:zero_spells=as_filed,majors:carry_forward=true")
    assert filter_options(steps) == {"zero_spells": "as_filed", "carry_forward": True}
    with pytest.raises(InvalidArgumentError, match="COW dyad-years"):
        build_panel("state-years", relevant_only=True)
    with pytest.raises(PanelError, match="peace_years"):
        build_panel("state-years", steps=parse_spec("peace_years"))
    with pytest.raises(InvalidArgumentError):
        build_panel("dyads")


def test_pandas_hand_over_and_statsmodels_formula_work_as_installed():
    """pyarrow is a dependency: a panel goes to pandas (nullable integers and nulls kept) and
    into statsmodels' formula API without extra installs."""
    import numpy as np
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.5 + 1.5 * x)))).astype(np.int8)
    panel = pl.DataFrame(
        {"ccode1": np.arange(n, dtype=np.int32), "ccode2": 999, "year": 2000, "x": x, "y": y}
    ).with_columns(pl.when(pl.col("ccode1") == 0).then(None).otherwise(pl.col("x")).alias("x"))
    pdf = panel.to_pandas()
    assert len(pdf) == n and pdf["x"].isna().sum() == 1
    fit = smf.logit("y ~ x", data=pdf).fit(disp=0)
    assert int(fit.nobs) == n - 1  # the missing row is dropped, as R's glm does
    assert fit.params["x"] > 0
