"""The alliance-formation panel on the real data, and the leakage test."""

from __future__ import annotations

import time

import polars as pl
import pytest

from foedus import loaders
from foedus.panels import dyad_years
from foedus.prospects.data import ALL_FEATURES, FEATURES, REGIME_FEATURES, formation_panel

T = 2000  # the leakage test's cut: data from years >= T are falsified
LEAK_YEARS = (1990, 2005)


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    t0 = time.perf_counter()
    p = formation_panel()
    assert time.perf_counter() - t0 < 60  # a few seconds with a warm cache
    return p


def test_rows_keys_and_columns(panel):
    assert panel.columns == ["ccode1", "ccode2", "year", "at_risk", "onset", *ALL_FEATURES]
    d = dyad_years(directed=False, years=(1946, 2018))
    assert panel.height == d.height
    assert panel.select("ccode1", "ccode2", "year").equals(d.sort("ccode1", "ccode2", "year"))
    assert panel.select((pl.col("ccode1") < pl.col("ccode2")).all()).item()
    assert panel["at_risk"].dtype == pl.Boolean and panel["at_risk"].null_count() == 0


def test_onset_prevalence_and_coding(panel):
    risk = panel.filter(pl.col("at_risk"))
    rate = risk["onset"].mean()
    assert 0.001 < rate < 0.005  # about 0.23% of at-risk dyad-years (1946-2018)
    # rows not at risk cannot be fitted: their outcome is null
    assert (
        panel.filter(~pl.col("at_risk"))["onset"].null_count()
        == panel.filter(~pl.col("at_risk")).height
    )
    # horizon 1 ends with ATOP in 2018: every at-risk outcome is known
    assert risk["onset"].null_count() == 0


def test_nato_founders_onset_in_1949(panel):
    us_uk = panel.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200)).sort("year")
    by_year = {r["year"]: r for r in us_uk.iter_rows(named=True)}
    # ATOP: a wartime US-UK defence pledge through 1945, none 1946-1948, NATO from 1949
    assert by_year[1946]["at_risk"] is False and by_year[1946]["onset"] is None
    assert [by_year[y]["onset"] for y in (1947, 1948, 1949)] == [0, 0, 1]
    assert by_year[1950]["at_risk"] is False
    assert by_year[1949]["ever_pledge"] == 1 and by_year[1949]["years_since_pledge"] == 3
    us_fr = panel.filter(
        (pl.col("ccode1") == 2) & (pl.col("ccode2") == 220), pl.col("year") == 1949
    )
    assert us_fr["onset"].item() == 1


def test_no_feature_is_all_null_after_1960(panel):
    recent = panel.filter(pl.col("year") >= 1960)
    nulls = recent.select(pl.col(FEATURES).null_count())
    counts = dict(zip(FEATURES, nulls.row(0), strict=True))
    assert all(v < recent.height for v in counts.values()), counts
    # every feature is observed in most recent rows; MIDs end in 2014 (null from 2016 on)
    y2015 = panel.filter(pl.col("year") == 2015)
    nulls = dict(zip(FEATURES, y2015.select(pl.col(FEATURES).null_count()).row(0), strict=True))
    for f, v in nulls.items():
        # V-Dem and the extended UDS lack some micro-states: a fifth of the 2015 dyads
        assert v < (0.25 if f in REGIME_FEATURES else 0.2) * y2015.height, (f, v)
    y2018 = panel.filter(pl.col("year") == 2018)
    assert y2018["mid_ongoing"].null_count() == y2018.height
    assert y2018["land_contiguity"].null_count() < 0.05 * y2018.height  # 2016 carried forward


def test_features_are_lagged_values(panel):
    us_uk = panel.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200))
    # UN voting agreement begins in 1946, so its lag begins in 1947
    assert us_uk.filter(pl.col("year") == 1946)["un_agree"].item() is None
    assert us_uk.filter(pl.col("year") == 1947)["un_agree"].item() is not None
    # US allies in 1949 are those of 1948 (Rio Pact), not NATO's
    a48 = us_uk.filter(pl.col("year") == 1949)["allies1"].item()
    a49 = us_uk.filter(pl.col("year") == 1950)["allies1"].item()
    assert a49 > a48


def _falsified_load(original, t: int):
    """``loaders.load`` with data from years >= t changed: every dyad-year gets every ATOP
    pledge, the MIDs of those years vanish and a US-Canada dispute is invented for each year,
    and every CINC is tripled."""

    def load(name, *args, **kwargs):
        df = original(name, *args, **kwargs)
        if name == "ps-atop-alliance":
            late = dyad_years(directed=True, years=(t, 2018)).with_columns(
                pl.lit(1.0).alias(c) for c in df.columns[3:]
            )
            return pl.concat([df.filter(pl.col("year") < t), late.select(df.columns)])
        if name == "ps-cow-mid-ddydisps":
            early = df.filter(pl.col("year") < t)
            template = early.filter(pl.col("ccode1") == 2).head(1)
            fake = pl.concat(
                [
                    template.with_columns(
                        pl.lit(y, dtype=pl.Int32).alias("year"),
                        pl.lit(c1, dtype=pl.Int32).alias("ccode1"),
                        pl.lit(c2, dtype=pl.Int32).alias("ccode2"),
                        pl.lit(90_000 + y, dtype=pl.Int32).alias("dispnum"),
                    )
                    for y in range(t, 2015)
                    for c1, c2 in ((2, 20), (20, 2))
                ]
            )
            return pl.concat([early, fake.select(df.columns)])
        if name == "ps-cow-nmc":
            return df.with_columns(
                pl.when(pl.col("year") >= t).then(pl.col("cinc") * 3).otherwise(pl.col("cinc"))
            )
        if name in ("isard-cw-democracy", "isard-cw-gdppop"):  # regime and wealth
            late = pl.col("year") >= t
            num = [c for c, dt in df.schema.items() if dt.is_float() and c != "year"]
            return df.with_columns(
                pl.when(late).then(-pl.col(c) * 7 + 1).otherwise(pl.col(c)).alias(c) for c in num
            )
        return df

    return load


def test_leakage_data_from_year_t_on_never_reach_features_up_to_t(monkeypatch):
    """The issue's leakage test: falsify every source from year T on (ATOP, MIDs, CINC, the
    democracy and GDP estimates), rebuild, and check that no feature of a row with year <= T
    changed (nor at_risk in year T)."""
    before = formation_panel(years=LEAK_YEARS)
    monkeypatch.setattr(loaders, "load", _falsified_load(loaders.load, T))
    after = formation_panel(years=LEAK_YEARS)
    assert after.select("ccode1", "ccode2", "year").equals(
        before.select("ccode1", "ccode2", "year")
    )
    upto = pl.col("year") <= T
    for f in ALL_FEATURES:  # the regime and wealth terms, and the logs of the counts, too
        a, b = after.filter(upto)[f], before.filter(upto)[f]
        assert a.equals(b), f"{f} changed for years <= {T}"
    risk = ["ccode1", "ccode2", "year", "at_risk"]
    assert after.filter(upto).select(risk).equals(before.filter(upto).select(risk))
    # the falsification took hold: onsets in T, features after T
    on_t = pl.col("year") == T
    assert after.filter(on_t)["onset"].sum() > before.filter(on_t)["onset"].sum()
    after_t = pl.col("year") == T + 2
    for f in ("dem_weak_link", "log_gdppc_weak_link"):
        assert not after.filter(after_t)[f].equals(before.filter(after_t)[f]), f
    late = pl.col("year") == T + 1
    assert not after.filter(late)["allies1"].equals(before.filter(late)["allies1"])
    assert not after.filter(late)["cinc_total"].equals(before.filter(late)["cinc_total"])
    us_ca = (pl.col("ccode1") == 2) & (pl.col("ccode2") == 20) & late
    assert after.filter(us_ca)["mid_ongoing"].item() == 1
