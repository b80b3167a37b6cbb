"""Carrying covariates past their source's end, on a synthetic panel."""

from __future__ import annotations

import polars as pl

from foedus.prospects.forecast import _carry_forward, _last_years


def panel() -> pl.DataFrame:
    # two dyads, target years 2013-2018; MIDs known through target 2015 (data year 2014),
    # UN agreement through 2017 (data year 2016); dyad (2, 20) has no 2015 row
    rows = []
    for c2 in (20, 200):
        for t in range(2013, 2019):
            if c2 == 20 and t == 2015:
                continue
            rows.append(
                {
                    "ccode1": 2,
                    "ccode2": c2,
                    "year": t,
                    "mid_ongoing": (t + c2) % 2 if t <= 2015 else None,
                    "un_agree": t / 10_000 + c2 if t <= 2017 else None,
                    "allies1": 1,
                }
            )
    return pl.DataFrame(rows).with_columns(pl.col("ccode1", "ccode2", "year").cast(pl.Int32))


def test_last_years_come_from_the_data():
    last = _last_years(panel())
    assert last["mids"] == 2014 and last["unvotes"] == 2016
    assert last["atop"] == 2018 and last["majors"] == 2016  # fixed by the panel's own rules


def test_values_past_a_source_end_repeat_its_last_year_and_are_flagged():
    p = panel()
    out = _carry_forward(p, _last_years(p))
    assert out.height == p.height and out.select("ccode1", "ccode2", "year").equals(
        p.select("ccode1", "ccode2", "year")
    )
    d = out.filter(pl.col("ccode2") == 200).sort("year")
    assert d["mid_ongoing"].to_list() == [1, 0, 1, 1, 1, 1]  # 2015's value from 2016 on
    assert d["un_agree"].to_list()[-1] == d["un_agree"].to_list()[-2]  # 2017's value in 2018
    # a dyad without a row in the source's last year keeps missing values
    assert (
        out.filter((pl.col("ccode2") == 20) & (pl.col("year") > 2015))["mid_ongoing"].null_count()
        == 3
    )
    flags = dict(zip(d["year"], d["carried"], strict=True))
    assert "mids" not in flags[2015] and "mids" in flags[2016]
    assert "unvotes" not in flags[2017] and "unvotes" in flags[2018]
    assert "majors" in flags[2018] and "majors" not in flags[2017]
    # values inside coverage are untouched
    assert (
        out.filter(pl.col("year") <= 2015).drop("carried").equals(p.filter(pl.col("year") <= 2015))
    )
