"""Rolling-origin backtest of the conflict-risk model: for each year, the specification
fitted on the years before predicts that year, against the base rate and the specification
without its alliance terms, scored with :mod:`foedus.prospects.metrics`. Figures:
docs/consequences.md, "Conflict risk".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.consequences.conflict_design import (
    ALLIANCE_FEATURES,
    DEFAULT_SPEC,
    TrainingData,
    check_spec,
    training_data,
)
from foedus.consequences.conflict_model import ConflictRiskModel
from foedus.errors import InvalidArgumentError, ModelFitError
from foedus.prospects.backtest import score

__all__ = ["RiskBacktest", "backtest"]


# --- rolling-origin backtest --------------------------------------------------------------------


@dataclass(frozen=True)
class RiskBacktest:
    """Rolling-origin out-of-sample predictions and their scores (per year and pooled, as
    :func:`foedus.prospects.backtest.score` computes them)."""

    spec: str
    years: tuple[int, int]
    predictions: pl.DataFrame  # ccode1, ccode2, year, onset, p_model, p_base, p_reduced
    per_year: pl.DataFrame
    pooled: pl.DataFrame
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "years": list(self.years),
            "pooled": self.pooled.to_dicts(),
            "seconds": self.seconds,
        }


def backtest(
    spec: str = DEFAULT_SPEC,
    start: int = 1990,
    end: int | None = None,
    *,
    data: TrainingData | None = None,
    baselines: bool = True,
    progress: Callable[[int], None] | None = None,
) -> RiskBacktest:
    """For each year T of ``start`` .. ``end`` (default the data's last year): the model
    fitted on the rows of the years before T predicts the rows of T. Baselines fitted on the
    same rows: the training base rate (``p_base``) and the specification without its alliance
    terms (``p_reduced``). The prospects backtest (:func:`foedus.prospects.backtest.backtest`)
    is tied to the formation model; this one refits :class:`ConflictRiskModel` and scores with
    :func:`foedus.prospects.backtest.score` (:mod:`foedus.prospects.metrics`). The covariates
    are those of year T itself (as the models are specified), not lagged ones."""
    sp = check_spec(spec)
    td = data if data is not None else training_data(sp)
    if td.spec.name != sp.name:
        raise InvalidArgumentError(
            "data", f"data is the {td.spec.name} panel, not {sp.name}", "pass the spec's panel."
        )
    lo, hi = td.years
    end = hi if end is None else end
    start = validate.year(start, "start", lo=lo + 10, hi=hi, lo_reason="ten training years first")
    end = validate.year(end, "end", lo=start, hi=hi, hi_reason=f"the panel ends in {hi}")
    baselines = validate.flag(baselines, "baselines")
    progress = validate.callback(progress, "progress")
    t0 = time.perf_counter()
    keep = [k for k, f in enumerate(sp.features) if f not in ALLIANCE_FEATURES]
    keys = td.frame.select("ccode1", "ccode2", "year")[td.index]
    start_full = start_red = None
    parts = []
    for year in range(start, end + 1):
        k = int(np.searchsorted(td.row_years, year))
        a, b = np.searchsorted(td.row_years, [year, year + 1])
        if b == a:
            continue
        m = ConflictRiskModel(sp.name).fit(
            td.x[:k], td.y[:k], start_params=start_full, covariance=False
        )
        start_full = m.coef_
        cols = {"p_model": m.predict_proba(td.x[a:b])[:, 1]}
        if baselines:
            cols["p_base"] = np.full(b - a, td.y[:k].mean())
            red = ConflictRiskModel(sp.name, [sp.features[c] for c in keep]).fit(
                td.x[:k][:, keep], td.y[:k], start_params=start_red, covariance=False
            )
            start_red = red.coef_
            cols["p_reduced"] = red.predict_proba(td.x[a:b][:, keep])[:, 1]
        parts.append(
            keys[int(a) : int(b)].with_columns(
                pl.Series("onset", td.y[a:b].astype(np.int64)),
                *[pl.Series(c, v) for c, v in cols.items()],
            )
        )
        if progress:
            progress(year)
    if not parts:
        raise ModelFitError(f"no rows to score in {start}-{end}", "give years inside the panel.")
    preds = pl.concat(parts)
    per_year, pooled = score(preds)
    return RiskBacktest(sp.name, (start, end), preds, per_year, pooled, time.perf_counter() - t0)
