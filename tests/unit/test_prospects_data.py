"""The formation panel's outcome, history and lag logic on hand-made dyad histories."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import PanelError
from foedus.prospects.data import (
    ALL_FEATURES,
    COUNT_FEATURES,
    FEATURE_DOCS,
    FEATURES,
    LOG_COUNT_FEATURES,
    REGIME_FEATURES,
    WEALTH_FEATURES,
    history_terms,
    lag,
    pledge_history,
    window_counts,
)

SCHEMA = {"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32, "pledge": pl.Int8}


def _hist(rows: list[tuple[int, int, int, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


# a dyad whose pledge starts (1992), persists (1993), ends (1994), restarts (1996), ends (1997)
YEARS = list(range(1990, 2001))
PLEDGE = [0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0]
STORY = _hist([(2, 20, y, p) for y, p in zip(YEARS, PLEDGE, strict=True)])


def _col(out: pl.DataFrame, col: str, c1: int = 2, c2: int = 20) -> list:
    return out.filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2))[col].to_list()


def test_onset_and_at_risk_over_a_pledge_that_starts_persists_ends_and_restarts():
    out = pledge_history(STORY, horizon=1, last_year=2018)
    assert out.select("year").to_series().to_list() == YEARS
    #            1990  1991  1992  1993   1994   1995  1996  1997   1998  1999  2000
    risk = [True, True, True, False, False, True, True, False, True, True, True]
    assert _col(out, "at_risk") == risk
    assert _col(out, "onset") == [0, 0, 1, None, None, 0, 1, None, 0, 0, 0]
    # pledge-free years before t; never pledged: years since the dyad's first year
    assert _col(out, "years_since_pledge") == [0, 1, 2, 0, 0, 1, 2, 0, 1, 2, 3]
    assert _col(out, "ever_pledge") == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]


def test_rows_not_at_risk_have_a_null_onset():
    out = pledge_history(STORY, horizon=2, last_year=2018)
    not_at_risk = out.filter(~pl.col("at_risk"))
    assert not_at_risk.height == 3 and not_at_risk["onset"].null_count() == 3


def test_horizon_two_looks_at_t_and_t_plus_one_and_the_tail_is_unknown():
    out = pledge_history(STORY, horizon=2, last_year=2000)
    #                     1990 1991 1992 1993  1994  1995 1996 1997  1998 1999 2000
    assert _col(out, "onset") == [0, 1, 1, None, None, 1, 1, None, 0, 0, None]


def test_years_after_the_source_end_are_unknown():
    out = pledge_history(STORY, horizon=1, last_year=1998)
    # 1999 and 2000 lie past the data: the outcome is unknown, not 0
    assert _col(out, "onset")[-3:] == [0, None, None]
    # 1999 is at risk (no pledge in 1998); for 2000 the pledge of 1999 is unknown
    assert _col(out, "at_risk")[-2:] == [True, None]
    assert _col(out, "years_since_pledge")[-2:] == [2, None]
    assert _col(out, "ever_pledge")[-2:] == [1, None]


def test_first_year_after_a_gap_and_a_dyad_that_ends():
    h = _hist(
        [(2, 255, y, 1 if y == 1945 else 0) for y in range(1940, 1946)]
        + [(2, 255, y, 0) for y in (1990, 1991)]
        + [(20, 30, y, 0) for y in (1990, 1991, 1992)]
    )
    out = pledge_history(h, horizon=2, last_year=2018)
    # 1990 re-entry: no row at 1989 counts as "no pledge", so it is at risk
    assert _col(out, "at_risk", 2, 255)[-2:] == [True, True]
    assert _col(out, "years_since_pledge", 2, 255)[-2:] == [1990 - 1 - 1945, 1991 - 1 - 1945]
    assert _col(out, "ever_pledge", 2, 255)[-2:] == [1, 1]
    # the 1945 pledge is seen from 1944 with a horizon of 2, and 1945 itself is at risk
    assert _col(out, "onset", 2, 255)[:6] == [0, 0, 0, 0, 1, 1]
    # the dyad 20-30 ends in 1992: the year after counts as no pledge (inside ATOP's coverage)
    assert _col(out, "onset", 20, 30) == [0, 0, 0]


def test_first_year_is_at_risk_and_history_uses_only_earlier_years():
    out = pledge_history(_hist([(2, 20, 1990, 1), (2, 20, 1991, 1)]), last_year=2018)
    assert _col(out, "at_risk") == [True, False]
    assert _col(out, "onset") == [1, None]
    assert _col(out, "ever_pledge") == [0, 1]  # the pledge of t itself does not count
    assert _col(out, "years_since_pledge") == [0, 0]


def test_history_terms_before_t_never_depend_on_year_t_or_later():
    base = pledge_history(STORY, horizon=1, last_year=2018)
    for cut in (1992, 1995, 1997):
        changed = STORY.with_columns(
            pl.when(pl.col("year") >= cut).then(1 - pl.col("pledge")).otherwise(pl.col("pledge"))
        )
        alt = pledge_history(changed, horizon=1, last_year=2018)
        keep = pl.col("year") <= cut
        cols = ["at_risk", "years_since_pledge", "ever_pledge"]
        assert alt.filter(keep).select(cols).equals(base.filter(keep).select(cols))
        assert alt.filter(pl.col("year") < cut)["onset"].equals(
            base.filter(pl.col("year") < cut)["onset"]
        )


def test_horizon_must_be_positive():
    with pytest.raises(PanelError):
        pledge_history(STORY, horizon=0)


def test_lag_shifts_by_exactly_one_calendar_year():
    df = pl.DataFrame(
        {
            "ccode1": [2, 2, 2, 2, 20],
            "ccode2": [20, 20, 20, 20, 30],
            "year": [1990, 1991, 1993, 1994, 1991],
            "x": [10.0, 11.0, 13.0, 14.0, 99.0],
        },
        schema_overrides={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    out = lag(df, ["x"])
    assert out.columns == df.columns and out.height == df.height
    assert out.select("ccode1", "ccode2", "year").equals(df.select("ccode1", "ccode2", "year"))
    # first year and the year after a gap (1992 missing) get null; never the year-t value
    assert out["x"].to_list() == [None, 10.0, None, 13.0, None]
    # lagging the year itself gives t-1 wherever t-1 exists
    y = lag(df.with_columns(pl.col("year").alias("yr")), ["yr"])
    assert (y.drop_nulls("yr")["yr"] == y.drop_nulls("yr")["year"] - 1).all()


def test_lag_from_another_frame_and_by_more_years():
    panel = pl.DataFrame(
        {"ccode1": [2, 2], "ccode2": [20, 20], "year": [2000, 2001]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    src = pl.DataFrame(
        {"ccode1": [2, 2, 2], "ccode2": [20, 20, 20], "year": [1998, 1999, 2000], "v": [1, 2, 3]},
        schema_overrides={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    assert lag(panel, ["v"], source=src)["v"].to_list() == [2, 3]
    assert lag(panel, ["v"], source=src, n=2)["v"].to_list() == [1, 2]
    with pytest.raises(PanelError, match="not unique"):
        lag(panel, ["v"], source=pl.concat([src, src]))


def test_window_counts_cover_the_ten_years_before_t():
    ev = pl.DataFrame(
        {"ccode1": [2, 2], "ccode2": [20, 20], "year": [1990, 1995]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    w = window_counts(ev, 10, "n", 1816, 2014)
    got = dict(w.select("year", "n").iter_rows())
    assert 1990 not in got  # the event year itself is not in its own window
    assert got[1991] == 1 and got[1996] == 2 and got[2000] == 2 and got[2001] == 1
    assert got[2005] == 1 and 2006 not in got
    # target years past the source's end + 1 are not returned
    assert window_counts(ev, 10, "n", 1816, 1995)["year"].max() == 1996


def test_history_terms_and_feature_docs():
    d = history_terms(pl.DataFrame({"years_since_pledge": [0, 10, None]}))
    assert d["years_since_pledge2"].to_list() == [0.0, 1.0, None]
    assert d["years_since_pledge3"].to_list() == [0.0, 10.0, None]
    assert list(FEATURE_DOCS) == ALL_FEATURES and len(set(ALL_FEATURES)) == len(ALL_FEATURES)
    assert set(FEATURES) < set(ALL_FEATURES) and len(set(FEATURES)) == len(FEATURES)
    for f in WEALTH_FEATURES + COUNT_FEATURES:
        assert f in ALL_FEATURES and f not in FEATURES  # built, not in the default
    assert all(f in FEATURES for f in LOG_COUNT_FEATURES + REGIME_FEATURES)
    assert not any("sim_" in f or "similar" in f for f in FEATURES)  # endogenous: excluded
    for f in ("log_cinc_ratio", "land_contiguity", "log_capdist", "either_major", "mid_ongoing"):
        assert f in FEATURES  # the literature specification of the backtests
