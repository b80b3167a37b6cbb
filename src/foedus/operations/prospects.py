"""Forecast and backtest as operations: every check of the user's request (years, states, a
model file and its specification, output paths) before anything is computed, then the
computation, then what is to be written. ``foedus forecast`` and ``foedus backtest`` render
the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from foedus import countries, files, validate
from foedus.errors import FoedusError
from foedus.prospects.backtest import BacktestResult, backtest, check_years
from foedus.prospects.data import formation_panel, outcome_last_year
from foedus.prospects.forecast import (
    FIRST_TRAINING_YEAR,
    ForecastResult,
    forecast,
    forecast_years,
    vintages,
)
from foedus.prospects.persist import check_spec, load_model, save_model, vintage_changes
from foedus.prospects.report import write_report
from foedus.prospects.treaties import read_treaties

__all__ = [
    "BacktestOutcome",
    "BacktestRequest",
    "ForecastOutcome",
    "ForecastRequest",
    "parse_years",
    "run_backtest",
    "run_forecast",
]


def parse_years(text: str) -> tuple[int, int]:
    """A year or a range written ``2015-2026`` (or ``2015..2026``)."""
    parts = text.replace("..", "-").split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            return int(parts[0]), int(parts[1])
    except ValueError:
        pass
    raise FoedusError(f"cannot read years {text!r}", "write a year or a range, e.g. 2015-2026.")


@dataclass(frozen=True)
class ForecastRequest:
    """What ``foedus forecast`` asks for (see :func:`run_forecast`)."""

    states: tuple[str, ...] = ()
    year: int | None = None
    years: str | tuple[int, int] | None = None
    top: int = 20
    model: str = "relogit"
    pledge: str = "defense"
    treaties: str | Path | None = None
    level: float = 0.9
    bootstrap: int = 20
    model_file: str | Path | None = None
    save_model: str | Path | None = None
    refit: bool = False


@dataclass(frozen=True)
class ForecastOutcome:
    """A forecast, the pair it is for (None: every dyad ranked), where the final model was
    saved, and the warnings the user should see."""

    result: ForecastResult
    pair: tuple[int, int] | None
    saved: Path | None = None
    warnings: list[str] = field(default_factory=list)


def run_forecast(
    req: ForecastRequest,
    *,
    progress: Callable[[str], None] | None = None,
    on_fit: Callable[[int, int, str], None] | None = None,
) -> ForecastOutcome:
    """Check the request, forecast, and save the final model if asked (see
    :func:`foedus.prospects.forecast.forecast`)."""
    if (req.year is None) == (req.years is None):
        raise FoedusError("give exactly one of --year and --years", "e.g. --year 2021.")
    if req.top < 1:
        raise FoedusError(f"--top {req.top}: at least one dyad must be listed", "e.g. --top 20.")
    if req.year is not None:
        lo, hi = forecast_years(req.year, "--year")
    else:
        span = parse_years(req.years) if isinstance(req.years, str) else req.years
        lo, hi = forecast_years(span, "--years")
    if req.save_model:  # before minutes of computing, not after
        files.check_output_file(req.save_model, what="the model file")
    pair = None
    if req.states:
        if len(req.states) != 2:
            raise FoedusError(
                f"{len(req.states)} states given", "name two states, or none to rank all dyads."
            )
        a, b = (countries.ccode(s, hi) for s in req.states)
        if a == b:
            raise FoedusError("the two states are the same", "name two different states.")
        pair = (a, b)
    tr = read_treaties(req.treaties) if req.treaties else None
    kind, loaded, warnings = req.model, None, []
    if req.model_file:
        loaded, meta = load_model(req.model_file)  # validated completely before any use
        check_spec(meta, pledge=req.pledge, horizon=1)
        kind = loaded.kind
        changed = vintage_changes(meta)
        if changed:
            warnings.append(
                f"the model file was fitted on other versions of {', '.join(changed)} than "
                "this foedus uses; its forecasts combine those coefficients with today's "
                "covariates."
            )
    res = forecast(
        (lo, hi),
        [pair] if pair else None,
        kind=kind,
        pledge=req.pledge,
        treaties=tr,
        level=req.level,
        n_bootstrap=req.bootstrap,
        top=None if pair else req.top,
        model=loaded,
        refit=validate.flag(req.refit, "refit"),
        progress=progress,
        on_fit=on_fit,
    )
    saved = None
    if req.save_model:
        if res.final_model is None:
            raise FoedusError(
                "no model at the data's end was fitted for these years",
                f"include a year after {outcome_last_year()} to save the final model.",
            )
        saved = save_model(
            res.final_model,
            req.save_model,
            spec={"pledge": req.pledge, "horizon": 1, "outcome": "onset (ATOP 5.1, ndir)"},
            vintages=vintages(res.last_years),
        )
    return ForecastOutcome(res, pair, saved, warnings)


@dataclass(frozen=True)
class BacktestRequest:
    """What ``foedus backtest`` asks for (see :func:`run_backtest`)."""

    first: int = 1960
    last: int = 2018
    model: str = "relogit"
    pledge: str = "defense"
    horizon: int = 1
    out: str | Path = "backtest"


@dataclass(frozen=True)
class BacktestOutcome:
    """A backtest and the report files written."""

    result: BacktestResult
    paths: list[Path]
    first: int
    last: int


def run_backtest(
    req: BacktestRequest,
    *,
    on_panel: Callable[[], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BacktestOutcome:
    """Check the request, build the formation panel (``on_panel()`` before), run the rolling
    backtest and write its report (``report.md``, ``results.json``) to ``out``."""
    first, last = check_years(req.first, req.last, req.horizon, names=("--from", "--to"))
    if first <= FIRST_TRAINING_YEAR:  # the command's panel starts with the post-war years
        raise FoedusError(
            f"--from {first} is before {FIRST_TRAINING_YEAR + 1}: foedus backtest fits its "
            f"models on the formation panel from {FIRST_TRAINING_YEAR}, so the first year it "
            f"can score is {FIRST_TRAINING_YEAR + 1}",
            f"give --from {FIRST_TRAINING_YEAR + 1} or later, e.g. --from 1960; earlier years "
            "can be backtested in Python on a panel of your own (docs/prospects.md).",
        )
    out_dir = files.check_output_dir(req.out)  # before minutes of computing, not after
    if on_panel:
        on_panel()
    panel = formation_panel(
        years=(FIRST_TRAINING_YEAR, last), pledge=req.pledge, horizon=req.horizon
    )
    res = backtest(panel, first, last, kind=req.model, horizon=req.horizon, progress=progress)
    paths = write_report(res, out_dir, pledge=req.pledge)
    return BacktestOutcome(res, list(paths), first, last)
