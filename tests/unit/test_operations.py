"""The operations layer checks a request before anything is loaded or computed."""

from __future__ import annotations

import pytest

from foedus.errors import FoedusError
from foedus.operations.prospects import (
    BacktestRequest,
    ForecastRequest,
    parse_years,
    run_backtest,
    run_forecast,
)


def test_parse_years():
    assert parse_years("2015-2026") == (2015, 2026)
    assert parse_years("2015..2016") == (2015, 2016)
    assert parse_years("2021") == (2021, 2021)
    with pytest.raises(FoedusError, match="cannot read years"):
        parse_years("soon")


@pytest.mark.parametrize(
    ("req", "text"),
    [
        (ForecastRequest(), "exactly one of --year and --years"),
        (ForecastRequest(year=2021, years="2020-2021"), "exactly one"),
        (ForecastRequest(year=2021, top=0), "--top 0"),
        (ForecastRequest(year=1700), "year"),
        (ForecastRequest(years="2021-2019"), "years"),
        (ForecastRequest(year=2021, states=("Russia",)), "1 states given"),
    ],
)
def test_a_bad_forecast_request_is_refused_before_any_work(req, text):
    with pytest.raises(FoedusError, match=text):
        run_forecast(req)


def test_a_bad_backtest_request_is_refused_before_any_work(tmp_path):
    with pytest.raises(FoedusError, match="before 1947"):
        run_backtest(BacktestRequest(first=1900, last=1950, out=tmp_path / "bt"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(FoedusError):
        run_backtest(BacktestRequest(out=tmp_path / "file"))
