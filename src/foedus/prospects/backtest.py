"""Rolling-origin backtests: for each year T, fit on what was known before T, predict T.

Rules (what makes the backtest honest):

* The model for year T is fitted only on rows whose outcome was known by the end of T-1:
  with a horizon of h years, a row of year t is usable if t + h - 1 <= T - 1.
* Covariates are lagged in the panel (:mod:`foedus.prospects.data`), so the rows of year T
  hold only values known at the end of T-1; the leakage test checks this.
* Predictions are scored on the at-risk rows of year T with a known outcome, year by year and
  pooled, against three baselines fitted on the same training rows: the training base rate
  (climatology), a heuristic (the training onset rate in each of four cells: land contiguity
  x at least one major power), and the reduced "literature" logit (:data:`LITERATURE_SPEC`).

Which years can be scored (:func:`scorable_years`): with a horizon of h years, the outcome of
year T is known only if T + h - 1 is at most ATOP's last year (read from the catalog), so the
last is ATOP's last year - h + 1; and a model for T needs training rows t <= T - h, so the
first is the first year with a known outcome + h (the formation panel's, or the given
panel's). A backtest refuses years outside them (:class:`~foedus.errors.YearOutOfRangeError`)
rather than score fewer years than it claims; a year inside them that still cannot be scored
(no at-risk row with a known outcome, or training rows with only one outcome) is listed in
:attr:`BacktestResult.skipped_years`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import FoedusError, InvalidArgumentError, YearOutOfRangeError
from foedus.prospects.models import (
    DEFAULT_KIND,
    KINDS,
    LOGITS,
    FormationModel,
    cluster_codes,
    oos_history,
)

#: The reduced specification of the classic dyadic studies (docs/prospects.md, "Backtest"): power,
#: geography, status, conflict and duration.
LITERATURE_SPEC = (
    "log_cinc_ratio",
    "land_contiguity",
    "log_capdist",
    "either_major",
    "mid_ongoing",
    "years_since_pledge",
    "years_since_pledge2",
    "years_since_pledge3",
)


@dataclass
class BacktestResult:
    """Predictions of every model and baseline for every scored row, and their scores.

    ``years`` is the range asked for (``start, end``); every year of it was scored except
    those in ``skipped_years`` (inside the scorable range, but without an at-risk row with a
    known outcome, or with training rows holding only one outcome)."""

    predictions: pl.DataFrame  # ccode1, ccode2, year, onset, p_model, p_base, p_heur, p_lit
    per_year: pl.DataFrame
    pooled: pl.DataFrame
    kind: str
    years: tuple[int, int]
    horizon: int
    seconds: float
    model_seconds: float = 0.0  # fitting and predicting the model alone (no baselines)
    skipped_years: tuple[int, ...] = ()
    #: per scored year: observed and expected onsets, the negative binomial size of the
    #: model's second stage, the ``level`` interval of the count and whether it holds the
    #: observed count, and the interval if every dyad were independent (:func:`_count_row`)
    counts: pl.DataFrame | None = None

    def count_coverage(self) -> float:
        """Share of the scored years whose observed number of onsets lies inside the
        model's count interval (NaN without count intervals)."""
        if self.counts is None or self.counts["inside"].null_count() == self.counts.height:
            return float("nan")
        return float(self.counts["inside"].drop_nulls().mean())  # type: ignore[arg-type]


#: The columns a backtest needs besides the features.
PANEL_COLUMNS = ("ccode1", "ccode2", "year", "at_risk", "onset")
#: The longest watch list ``top_k`` may ask for (far more than a year's dyads).
MAX_TOP_K = 1_000_000


def scorable_years(horizon: int = 1, panel: pl.DataFrame | None = None) -> tuple[int, int]:
    """The first and last year a backtest with this ``horizon`` can score (see the module
    docstring): from the first year with a training set to ATOP's last year - horizon + 1 (the
    catalog's coverage of the outcome's data set). With ``panel``, also inside the panel: from
    its first at-risk row with a known outcome + horizon to its last year. Raises
    :class:`~foedus.errors.InvalidArgumentError` if no year can be scored."""
    from foedus.prospects.data import check_horizon, first_panel_year, outcome_last_year

    h = check_horizon(horizon)
    first, last = first_panel_year() + h, outcome_last_year() - h + 1
    if panel is not None:
        panel = validate.frame(panel, "panel", columns=PANEL_COLUMNS)
        known = panel.filter(pl.col("at_risk").fill_null(False) & pl.col("onset").is_not_null())
        if known.height == 0:
            raise InvalidArgumentError(
                "panel",
                "the panel has no at-risk row with a known outcome: nothing to train on",
                "build it with foedus.prospects.data.formation_panel(years=(1946, 2018)).",
            )
        first = max(first, int(known["year"].min()) + h)  # type: ignore[arg-type]
        last = min(last, int(panel["year"].max()))  # type: ignore[arg-type]
    if first > last:
        raise InvalidArgumentError(
            "panel",
            f"no year can be scored with horizon={h}: the first year with a training set is "
            f"{first}, the last with a known outcome {last}",
            "give the panel more years (e.g. formation_panel(years=(1946, 2018))) or a shorter "
            "horizon.",
        )
    return first, last


def check_years(
    start: object,
    end: object,
    horizon: int = 1,
    panel: pl.DataFrame | None = None,
    *,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[int, int]:
    """``start`` and ``end`` inside :func:`scorable_years`, or a
    :class:`~foedus.errors.YearOutOfRangeError` saying why the data cannot score them and
    which years they can. ``names`` are the arguments as the caller calls them in messages
    (the command line passes ``("--from", "--to")`` and calls this before it builds a panel).
    """
    from foedus.prospects.data import check_horizon, outcome_last_year

    s_name, e_name = names

    def show(name: str, value: int) -> str:  # start=1700, or --from 1700
        return f"{name} {value}" if name.startswith("-") else f"{name}={value}"

    start, end = (
        validate.integer(v, name, hint=f"pass a year as a whole number, e.g. {show(name, 1960)}.")
        for v, name in ((start, s_name), (end, e_name))
    )
    h = check_horizon(horizon)
    first, last = scorable_years(h, panel)
    hint = (
        f"give years from {first} to {last}, e.g. {show(s_name, max(first, min(1960, last)))}, "
        f"{show(e_name, last)}."
    )
    atop_last = outcome_last_year()
    if end > last:
        why = (
            f"the panel's last year is {last}"
            if last < atop_last - h + 1
            else f"outcomes are known only through {atop_last} (ATOP's last year), so the onset "
            f"within {h} year{'s' if h > 1 else ''} of a year after {last} is unknown"
        )
        raise YearOutOfRangeError(e_name, f"{show(e_name, end)} is after {last}: {why}", hint)
    if start < first:
        raise YearOutOfRangeError(
            s_name,
            f"{show(s_name, start)} is before {first}: the first year with a training set (a "
            f"model for year T is fitted on rows whose outcome was known by the end of T-1, i.e. "
            f"of years up to T-{h}, and the "
            f"{'panel' if panel is not None else 'formation panel'}'s first such rows are of "
            f"{first - h})",
            hint,
        )
    if start > end:
        raise InvalidArgumentError(
            s_name,
            f"empty backtest range {start}-{end}",
            f"give {s_name} <= {e_name}; " + hint,
        )
    return start, end


def _count_row(
    year: int, model: FormationModel, p: np.ndarray, y: np.ndarray, level: float
) -> dict[str, Any]:
    """The yearly count calibration of one origin: observed and expected onsets, the
    negative binomial interval from the model's second stage (``count_size_``, fitted on the
    years before; none without one) and the independent-dyads interval."""
    from foedus.prospects.calibration import count_cdf, count_interval, poisson_binomial_interval

    mu, obs = float(p.sum()), int(y.sum())
    size = getattr(model, "count_size_", None)
    ilo, ihi = poisson_binomial_interval(p, level)
    row: dict[str, Any] = {
        "year": year,
        "observed": obs,
        "expected": mu,
        "size": size,
        "lo": None,
        "hi": None,
        "inside": None,
        "pit": None,
        "indep_lo": ilo,
        "indep_hi": ihi,
        "indep_inside": ilo <= obs <= ihi,
    }
    if size is not None:
        lo, hi = count_interval(mu, size, level)
        row |= {"lo": lo, "hi": hi, "inside": lo <= obs <= hi, "pit": count_cdf(obs, mu, size)}
    return row


def _cells(raw: np.ndarray, cols: list[int]) -> np.ndarray:
    """Cell number 0-3 from (land contiguity, either major), missing counted as 0."""
    a = np.nan_to_num(raw[:, cols[0]]) > 0
    b = np.nan_to_num(raw[:, cols[1]]) > 0
    return a.astype(np.int64) * 2 + b.astype(np.int64)


def backtest(
    panel: pl.DataFrame,
    start: int = 1960,
    end: int = 2018,
    *,
    kind: str = DEFAULT_KIND,
    features: Sequence[str] | None = None,
    horizon: int = 1,
    progress: Callable[[int], None] | None = None,
    baselines: bool = True,
    level: float = 0.9,
    top_k: int = 20,
) -> BacktestResult:
    """Rolling-origin backtest of ``kind`` over ``start`` .. ``end`` (see the module docstring).

    For the logits each prediction carries a central ``level`` interval over the coefficients'
    sampling distribution (``p_model_lo``, ``p_model_hi``); the boosted model's bootstrap
    intervals would need ``n_bootstrap`` refits per year and are left out of the backtest.
    ``top_k``: the size of each year's watch list for ``precision_at_k`` and ``recall_at_k``
    (per year; pooled over the years as hits / listed dyad-years and hits / onsets).

    Every argument is checked first; ``start`` and ``end`` must lie inside
    :func:`scorable_years` for the panel and horizon (:func:`check_years`)."""
    import time

    from foedus.prospects.data import FEATURES, check_horizon
    from foedus.prospects.models import training_rows

    panel = validate.frame(panel, "panel", columns=PANEL_COLUMNS)
    kind = validate.choice(kind, "kind", KINDS)
    feats = (
        validate.names(features, "features", at_least=1) if features is not None else list(FEATURES)
    )
    absent = [f for f in feats if f not in panel.columns]
    if absent:
        raise InvalidArgumentError(
            "features",
            f"the panel lacks the feature columns {absent}",
            "build it with foedus.prospects.data.formation_panel(), or name its columns.",
        )
    horizon = check_horizon(horizon)
    progress = validate.callback(progress, "progress")
    baselines = validate.flag(baselines, "baselines")
    level = validate.number(
        level, "level", lo=0.0, hi=1.0, open_lo=True, open_hi=True, hint="e.g. level=0.9."
    )
    top_k = validate.integer(top_k, "top_k", lo=1, hi=MAX_TOP_K, hint="e.g. top_k=20.")
    start, end = check_years(start, end, horizon, panel)
    t0 = time.perf_counter()
    lit_spec = [f for f in LITERATURE_SPEC if f in feats]
    t = training_rows(panel, feats)  # built once: a row's features never change with the origin
    usable, raw, y, years, dyads = t.frame, t.raw, t.y, t.years, t.dyads
    codes = cluster_codes(dyads)  # once, not per origin
    lit_idx = [feats.index(f) for f in lit_spec]
    cell_idx = [feats.index(f) for f in ("land_contiguity", "either_major") if f in feats]
    preds = []
    skipped: list[int] = []
    start_params = lit_params = None
    model_time = 0.0
    counts: list[dict[str, float]] = []
    template = FormationModel(kind=kind, features=feats)
    history = None
    if template.calibration is not None and horizon == 1:
        # the out-of-sample forecasts before the first origin, made as the model makes them;
        # from then on each origin's own first-stage forecasts extend the history, so the
        # second stage at T learns from exactly what a model fitted for T would refit
        t_model = time.perf_counter()
        k0 = int(np.searchsorted(years, start - horizon + 1))
        history = oos_history(
            template.first_stage(), raw[:k0], y[:k0], dyads[:k0], years[:k0], codes=codes[:k0]
        )
        model_time += time.perf_counter() - t_model
    for year in range(start, end + 1):
        k = int(np.searchsorted(years, year - horizon + 1))  # rows with t + h - 1 <= T - 1
        a, b = np.searchsorted(years, [year, year + 1])
        if b == a or k == 0 or np.unique(y[:k]).size < 2:  # nothing to score, or to learn
            skipped.append(year)
            if progress:
                progress(year)
            continue
        t_model = time.perf_counter()
        model = FormationModel(kind=kind, features=feats).fit_arrays(
            raw[:k],
            y[:k],
            dyads[:k],
            years=(int(years[0]), int(years[k - 1])),
            start_params=start_params,
            codes=codes[:k],
            history=None if history is None else history.upto(int(years[k - 1])),
            row_years=years[:k],
        )
        first = model.predict_first_stage(raw[a:b])
        p_model = model.transform_proba(first)
        cols = {"p_model": p_model}
        if template.calibration is not None:
            cols["p_first"] = first
        if history is not None:  # horizon 1: T's forecasts are out of sample for later origins
            history = history.extend(year, first, y[a:b])
        counts.append(_count_row(year, model, p_model, y[a:b], level))
        if kind in LOGITS:
            start_params = (model.columns_, model.raw_coef_)
            lo, hi = model.predict_interval_arrays(raw[a:b], level=level)
            cols |= {"p_model_lo": lo, "p_model_hi": hi}
        model_time += time.perf_counter() - t_model
        if baselines:
            cols["p_base"] = np.full(b - a, model.base_rate_)
            if len(cell_idx) == 2:
                tc, sc = _cells(raw[:k], cell_idx), _cells(raw[a:b], cell_idx)
                n = np.bincount(tc, minlength=4)
                rate = np.where(
                    n > 0,
                    np.bincount(tc, weights=y[:k], minlength=4) / np.maximum(n, 1),
                    model.base_rate_,
                )
                cols["p_heur"] = rate[sc]
            lit = FormationModel(kind="logit", features=lit_spec, calibration=None).fit_arrays(
                raw[:k][:, lit_idx], y[:k], dyads[:k], start_params=lit_params, codes=codes[:k]
            )
            lit_params = (lit.columns_, lit.raw_coef_)
            cols["p_lit"] = lit.predict_proba_arrays(raw[a:b][:, lit_idx])
        preds.append(
            usable[a:b]
            .select("ccode1", "ccode2", "year", "onset")
            .with_columns(**{c: pl.Series(v) for c, v in cols.items()})
        )
        if progress:
            progress(year)
    if not preds:
        raise FoedusError(
            f"no scorable rows in {start}-{end}",
            "check the panel's years and the outcome's horizon.",
        )
    p = pl.concat(preds)
    per_year, pooled = score(p, top_k)
    schema = {
        "year": pl.Int32,
        "observed": pl.Int64,
        "expected": pl.Float64,
        "size": pl.Float64,
        "lo": pl.Int64,
        "hi": pl.Int64,
        "inside": pl.Boolean,
        "pit": pl.Float64,
        "indep_lo": pl.Int64,
        "indep_hi": pl.Int64,
        "indep_inside": pl.Boolean,
    }
    return BacktestResult(
        p,
        per_year,
        pooled,
        kind,
        (start, end),
        horizon,
        time.perf_counter() - t0,
        model_time,
        tuple(skipped),
        pl.DataFrame(counts, schema=schema),
    )


def score(p: pl.DataFrame, top_k: int = 20) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-year and pooled scores of every ``p_*`` column of a predictions frame (``year``,
    ``onset``, ``p_model``, ...): :func:`foedus.prospects.metrics.summarize` per year (with
    ``precision_at_k`` / ``recall_at_k`` for a top-``top_k`` watch list) and pooled."""
    from foedus.prospects.metrics import summarize

    p = validate.frame(p, "p", columns=("year", "onset"))
    top_k = validate.integer(top_k, "top_k", lo=1, hi=MAX_TOP_K, hint="e.g. top_k=20.")
    models = [c for c in p.columns if c.startswith("p_") and not c.endswith(("_lo", "_hi"))]
    rows = []
    for (yr,), g in p.group_by(["year"], maintain_order=True):
        y = g["onset"].to_numpy().astype(int)
        for m in models:
            rows.append(
                {"year": yr, "model": m, **summarize(y, g[m].to_numpy(), k=min(top_k, g.height))}
            )
    per_year = pl.DataFrame(rows).with_columns(
        hits_at_k=pl.col("precision_at_k") * pl.min_horizontal(pl.col("n"), top_k)
    )
    y_all = p["onset"].to_numpy().astype(int)
    # top k of each year (a yearly watch list), pooled: the share of the listed dyad-years that
    # formed a pact, and the share of all onsets that were on the lists
    hits = per_year.group_by("model").agg(
        pl.col("hits_at_k").sum().alias("_hits"),
        pl.min_horizontal(pl.col("n"), top_k).sum().alias("_listed"),
    )
    pooled = (
        pl.DataFrame([{"model": m, **summarize(y_all, p[m].to_numpy())} for m in models])
        .join(hits, on="model", how="left", maintain_order="left")
        .with_columns(
            precision_at_k=pl.col("_hits") / pl.col("_listed"),
            recall_at_k=pl.col("_hits") / max(int(y_all.sum()), 1),
        )
        .drop("_hits", "_listed")
    )
    return per_year, pooled
