"""The years a backtest can score, on a small synthetic formation panel (no data needed: the
bounds come from the catalog's coverage of ATOP and of the state system)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from foedus import validate
from foedus.errors import InvalidArgumentError, YearOutOfRangeError
from foedus.prospects.backtest import backtest, check_years, scorable_years

ATOP_LAST = validate.coverage("ps-atop-alliance")[1]  # 2018 in the catalog


def formation_like(
    first: int = 1990, last: int = ATOP_LAST, dyads: int = 40, seed: int = 0
) -> pl.DataFrame:
    """A formation panel's columns (``ccode1, ccode2, year, at_risk, onset``) and one feature
    ``x1`` that raises the odds of onset; outcomes past ATOP's last year are unknown, as in
    :func:`foedus.prospects.data.formation_panel`."""
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    c1 = np.repeat(np.arange(2, 2 + dyads), years.size)
    yr = np.tile(years, dyads)
    x1 = rng.normal(size=c1.size)
    onset = (rng.random(c1.size) < 1 / (1 + np.exp(-(-1.5 + 1.2 * x1)))).astype(np.int8)
    return pl.DataFrame(
        {
            "ccode1": c1.astype(np.int32),
            "ccode2": np.full(c1.size, 900, dtype=np.int32),
            "year": yr.astype(np.int32),
            "at_risk": np.ones(c1.size, dtype=bool),
            "onset": onset,
            "x1": x1,
        }
    ).with_columns(onset=pl.when(pl.col("year") > ATOP_LAST).then(None).otherwise(pl.col("onset")))


PANEL = formation_like()


def test_a_valid_range_is_scored_completely():
    res = backtest(PANEL, 2000, ATOP_LAST, features=["x1"], baselines=False)
    assert res.years == (2000, ATOP_LAST) and res.skipped_years == ()
    assert sorted(set(res.per_year["year"].to_list())) == list(range(2000, ATOP_LAST + 1))
    assert res.predictions["year"].min() == 2000


def test_end_past_the_outcome_data_is_refused_with_the_reason_and_range():
    with pytest.raises(YearOutOfRangeError) as e:
        backtest(PANEL, 2000, 2050, features=["x1"], baselines=False)
    assert e.value.argument == "end"
    assert f"end=2050 is after {ATOP_LAST}" in e.value.message
    assert f"known only through {ATOP_LAST}" in e.value.message and "ATOP" in e.value.message
    assert f"from 1991 to {ATOP_LAST}" in e.value.hint
    # one year past: the outcome of 2019 is unknown
    with pytest.raises(YearOutOfRangeError, match=f"after {ATOP_LAST}"):
        backtest(PANEL, 2000, ATOP_LAST + 1, features=["x1"], baselines=False)


def test_a_longer_horizon_ends_earlier():
    last = ATOP_LAST - 3 + 1
    with pytest.raises(YearOutOfRangeError, match=f"end={ATOP_LAST} is after {last}"):
        backtest(PANEL, 2000, ATOP_LAST, horizon=3, features=["x1"], baselines=False)
    res = backtest(PANEL, 2000, last, horizon=3, features=["x1"], baselines=False)
    assert res.years == (2000, last) and res.horizon == 3


def test_start_before_the_first_training_set_is_refused():
    with pytest.raises(YearOutOfRangeError) as e:
        backtest(PANEL, 1990, 2000, features=["x1"], baselines=False)
    assert e.value.argument == "start" and "start=1990 is before 1991" in e.value.message
    assert "training set" in e.value.message and "of 1990" in e.value.message
    assert "from 1991 to" in e.value.hint
    with pytest.raises(YearOutOfRangeError, match="before 1992"):  # horizon 2: t <= T - 2
        backtest(PANEL, 1991, 2000, horizon=2, features=["x1"], baselines=False)


def test_end_past_the_panel_is_refused():
    short = PANEL.filter(pl.col("year") <= 2005)
    with pytest.raises(YearOutOfRangeError, match="the panel's last year is 2005"):
        backtest(short, 2000, 2010, features=["x1"], baselines=False)


def test_years_inside_the_range_without_scorable_rows_are_recorded():
    # 2003: no dyad at risk; 1991-1993: the training years hold no onset at all
    p = PANEL.with_columns(
        at_risk=pl.col("year") != 2003,
        onset=pl.when(pl.col("year") <= 1992).then(0).otherwise(pl.col("onset")),
    )
    res = backtest(p, 1991, 2006, features=["x1"])  # with the baselines
    assert res.years == (1991, 2006)
    assert res.skipped_years == (1991, 1992, 1993, 2003)
    scored = set(res.per_year["year"].to_list())
    assert scored == set(range(1991, 2007)) - set(res.skipped_years)
    assert {"p_base", "p_lit"} <= set(res.predictions.columns)


def test_progress_is_called_for_every_year_asked():
    seen: list[int] = []
    backtest(PANEL, 2010, 2014, features=["x1"], baselines=False, progress=seen.append)
    assert seen == list(range(2010, 2015))


def test_scorable_years_from_the_catalog_alone():
    first = validate.first_year() + 1  # the formation panel's first (lagged) year
    assert scorable_years() == (first + 1, ATOP_LAST)
    assert scorable_years(2) == (first + 2, ATOP_LAST - 1)
    assert scorable_years(1, PANEL) == (1991, ATOP_LAST)
    # the command line's check before it builds a panel: the data's bounds
    assert check_years(1960, ATOP_LAST) == (1960, ATOP_LAST)
    with pytest.raises(YearOutOfRangeError, match=f"end=2050 is after {ATOP_LAST}"):
        check_years(2017, 2050)


def test_the_bounds_follow_the_catalog(monkeypatch):
    real = validate.coverage

    def newer_atop(name: str) -> tuple[int, int]:
        return (1815, 2030) if name == "ps-atop-alliance" else real(name)

    monkeypatch.setattr(validate, "coverage", newer_atop)
    assert scorable_years()[1] == 2030  # a newer ATOP moves the last scorable year


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"panel": "panel.parquet"}, "panel"),
        ({"panel": PANEL.drop("onset")}, "panel"),
        ({"kind": "forest"}, "kind"),
        ({"features": ["nope"]}, "features"),
        ({"features": []}, "features"),
        ({"features": 3}, "features"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": "1"}, "horizon"),
        ({"horizon": 10**9}, "horizon"),
        ({"level": 1.0}, "level"),
        ({"level": "0.9"}, "level"),
        ({"top_k": 0}, "top_k"),
        ({"progress": 5}, "progress"),
        ({"baselines": "yes"}, "baselines"),
        ({"start": "2000"}, "start"),
        ({"end": 2010.5}, "end"),
        ({"start": 2012, "end": 2010}, "start"),
        ({"start": -(10**20)}, "start"),
        ({"end": 10**20}, "end"),
    ],
)
def test_bad_backtest_arguments(kwargs, argument):
    args = {"panel": PANEL, "start": 2000, "end": 2010, "features": ["x1"], **kwargs}
    with pytest.raises(InvalidArgumentError) as e:
        backtest(**args)
    assert e.value.argument == argument and e.value.hint


def test_a_panel_without_training_rows_is_refused():
    none_known = PANEL.with_columns(onset=pl.lit(None, dtype=pl.Int8))
    with pytest.raises(InvalidArgumentError, match="no at-risk row with a known outcome"):
        backtest(none_known, 2000, 2010, features=["x1"])


def test_check_years_speaks_the_callers_argument_names():
    with pytest.raises(YearOutOfRangeError) as e:
        check_years(2017, 2050, names=("--from", "--to"))
    assert e.value.argument == "--to" and e.value.message.startswith("--to 2050 is after")
    assert "--from 1960, --to" in e.value.hint
    with pytest.raises(InvalidArgumentError) as e:
        check_years(2010, 2000, names=("--from", "--to"))
    assert e.value.argument == "--from" and "--from <= --to" in e.value.hint
