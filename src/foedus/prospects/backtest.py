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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from foedus.errors import FoedusError
from foedus.prospects.models import DEFAULT_KIND, LOGITS, FormationModel, cluster_codes

#: The reduced specification of the classic dyadic studies (ALLIANCE-FORMATION.md): power,
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
    """Predictions of every model and baseline for every scored row, and their scores."""

    predictions: pl.DataFrame  # ccode1, ccode2, year, onset, p_model, p_base, p_heur, p_lit
    per_year: pl.DataFrame
    pooled: pl.DataFrame
    kind: str
    years: tuple[int, int]
    horizon: int
    seconds: float
    model_seconds: float = 0.0  # fitting and predicting the model alone (no baselines)


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
    (per year; pooled over the years as hits / listed dyad-years and hits / onsets)."""
    import time

    from foedus.prospects.data import FEATURES
    from foedus.prospects.models import training_rows

    if start > end:
        raise FoedusError(f"empty backtest range {start}-{end}", "give start <= end.")
    t0 = time.perf_counter()
    feats = list(features) if features is not None else list(FEATURES)
    lit_spec = [f for f in LITERATURE_SPEC if f in feats]
    t = training_rows(panel, feats)  # built once: a row's features never change with the origin
    usable, raw, y, years, dyads = t.frame, t.raw, t.y, t.years, t.dyads
    codes = cluster_codes(dyads)  # once, not per origin
    lit_idx = [feats.index(f) for f in lit_spec]
    cell_idx = [feats.index(f) for f in ("land_contiguity", "either_major") if f in feats]
    preds = []
    start_params = lit_params = None
    model_time = 0.0
    for year in range(start, end + 1):
        k = int(np.searchsorted(years, year - horizon + 1))  # rows with t + h - 1 <= T - 1
        a, b = np.searchsorted(years, [year, year + 1])
        if b == a or k == 0:
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
        )
        cols = {"p_model": model.predict_proba_arrays(raw[a:b])}
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
            lit = FormationModel(kind="logit", features=lit_spec).fit_arrays(
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
    return BacktestResult(
        p, per_year, pooled, kind, (start, end), horizon, time.perf_counter() - t0, model_time
    )


def score(p: pl.DataFrame, top_k: int = 20) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-year and pooled scores of every ``p_*`` column of a predictions frame (``year``,
    ``onset``, ``p_model``, ...): :func:`foedus.prospects.metrics.summarize` per year (with
    ``precision_at_k`` / ``recall_at_k`` for a top-``top_k`` watch list) and pooled."""
    from foedus.prospects.metrics import summarize

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
