"""Argument checks on the real data: the bounds read from the catalog are the data's own, a
backtest refuses the years its outcomes cannot score (naming ATOP's real last year), and
parse_spec's enrichers run on a real panel exactly as the same Python calls do."""

from __future__ import annotations

import polars as pl
import pytest

import foedus as fd
from foedus import countries, loaders, validate
from foedus.errors import EnricherOptionError, InvalidArgumentError, YearOutOfRangeError
from foedus.foundations import foundations
from foedus.panels.registry import ENRICHERS, parse_spec
from foedus.prospects.backtest import backtest, check_years, scorable_years
from foedus.prospects.data import formation_panel, outcome_last_year
from foedus.prospects.forecast import forecast


def test_the_catalog_bounds_are_the_data_bounds():
    cow = loaders.load("cow-states")
    assert validate.first_year("cow") == cow["styear"].min() == 1816
    gw = loaders.load("gw-states")
    assert validate.first_year("gw") == gw["startdate"].min().year  # type: ignore[union-attr]
    atop = loaders.load("ps-atop-alliance")
    assert outcome_last_year() == atop["year"].max() == 2018


@pytest.fixture(scope="module")
def late_panel() -> pl.DataFrame:
    return formation_panel(years=(2008, 2019))


def test_backtest_refuses_years_past_atop_naming_its_last_year(late_panel):
    with pytest.raises(YearOutOfRangeError) as e:
        backtest(late_panel, 2012, 2019)
    assert e.value.argument == "end"
    assert "end=2019 is after 2018: outcomes are known only through 2018" in e.value.message
    assert "give years from 2009 to 2018" in e.value.hint
    # the command line's check before it builds any panel
    with pytest.raises(YearOutOfRangeError, match="end=2050 is after 2018"):
        check_years(2017, 2050)
    with pytest.raises(YearOutOfRangeError, match="end=2018 is after 2017"):
        check_years(2010, 2018, horizon=2)
    assert scorable_years(1, late_panel) == (2009, 2018)


def test_backtest_scores_every_year_it_claims(late_panel):
    res = backtest(late_panel, 2016, 2018, baselines=False)
    assert res.years == (2016, 2018) and res.skipped_years == ()
    assert sorted(set(res.per_year["year"].to_list())) == [2016, 2017, 2018]


def test_parse_spec_runs_on_the_real_registry():
    spec = (
        "atop:ndir=no,nmc:version=6.0;keep=cinc|milex,rivalries:source=td,"
        "cow_mids:keep=,majors:carry_forward=yes,threat:window=3"
    )
    steps = parse_spec(spec)
    assert [n for n, _ in steps] == ["atop", "nmc", "rivalries", "cow_mids", "majors", "threat"]
    base = fd.dyad_years(years=(2000, 2001), directed=False)
    df = base
    for name, kw in steps:
        df = ENRICHERS[name].func(df, **kw)
    direct = (
        base.pipe(fd.add_atop_alliance, ndir=False)
        .pipe(fd.add_nmc, version="6.0", keep=["cinc", "milex"])
        .pipe(fd.add_strategic_rivalries, source="td")
        .pipe(fd.add_cow_mids, keep=[])
        .pipe(fd.add_cow_majors, carry_forward=True)
        .pipe(fd.add_shared_threat, window=3)
    )
    assert df.equals(direct)
    assert {"cinc1", "milex2", "cowmidonset", "cowmidongoing"} <= set(df.columns)
    assert "dispnum" not in df.columns  # keep= : onset and ongoing only
    with pytest.raises(EnricherOptionError, match="nmc:keep is empty"):
        parse_spec("nmc:keep=")
    with pytest.raises(EnricherOptionError, match="empty"):
        fd.add_nmc(base, keep=[])


def test_lookups_with_real_lists():
    assert countries.ccode("Russia", validate.latest_year()) == 365  # an assumed member
    with pytest.raises(YearOutOfRangeError, match="is after"):
        countries.ccode("Russia", validate.latest_year() + 1)
    with pytest.raises(InvalidArgumentError, match="the same state"):
        foundations("USA", "United States", 2000)


def test_years_that_would_exhaust_memory_are_refused_at_once():
    with pytest.raises(YearOutOfRangeError):
        fd.dyad_years(years=(1816, 100_000))
    with pytest.raises(YearOutOfRangeError, match="only through 2025"):
        forecast((2019, 2040))
