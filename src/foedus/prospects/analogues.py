"""Historical analogues: the dyad-years most like a pair's, and what became of them.

A pair's year is described by the formation model's features (:data:`FEATURES`, the values
of the year before). Its analogues are the dyad-years at risk of a pact (no pledge the year
before) whose features lie nearest in standardised Euclidean distance: each feature is
centred and scaled by its mean and standard deviation over the candidates. A feature the
pair lacks (e.g. a lagged value in a new state's first year) is left out of the distance; a
candidate lacking a feature the pair has is not a candidate. Candidates end ``horizon`` years
before the earlier of the year asked about and ATOP's last year, so that every analogue's
next ``horizon`` years are observed and known by then; one year per dyad (its nearest), the
pair itself excluded. The outcome is the first onset of a pledge in the analogue's year or
the ``horizon - 1`` years after it. docs/brief.md, "Prospects".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import FoedusError, InvalidArgumentError
from foedus.prospects.data import ATOP_LAST, FEATURES, KEYS

__all__ = ["HORIZON", "similar_dyads"]

#: Years after an analogue's year in which a pact counts as its outcome.
HORIZON = 5
#: At most this many analogues per pair.
MAX_ANALOGUES = 50


def _matrix(frame: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    return frame.select(pl.col(list(features)).cast(pl.Float64)).to_numpy()


def similar_dyads(
    panel: pl.DataFrame,
    pair: tuple[int, int],
    year: int,
    *,
    k: int = 5,
    horizon: int = HORIZON,
    features: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The ``k`` analogues of ``pair`` in ``year`` in a formation panel (see the module
    docstring): ``ccode1, ccode2, year, distance, formed`` (the year of the first onset
    within ``horizon`` years, or null), nearest first. Empty when the pair is not at risk in
    ``year`` (it has a pledge already) or no candidate year is early enough."""
    k = validate.integer(k, "k", lo=1, hi=MAX_ANALOGUES, hint="e.g. k=5.")
    horizon = validate.integer(horizon, "horizon", lo=1, hi=20, hint="e.g. horizon=5.")
    feats = list(features) if features is not None else list(FEATURES)
    absent = [f for f in feats if f not in panel.columns]
    if absent:
        raise InvalidArgumentError(
            "features",
            f"the panel lacks the feature columns {absent}",
            "build it with foedus.prospects.forecast.forecast_panel().",
        )
    a, b = min(pair), max(pair)
    target = panel.filter(
        (pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year)
    )
    if target.height == 0:
        raise FoedusError(
            f"the formation panel has no row for {a}-{b} in {year}",
            "check that both states were system members that year.",
        )
    empty = pl.DataFrame(
        schema={
            "ccode1": pl.Int32,
            "ccode2": pl.Int32,
            "year": pl.Int32,
            "distance": pl.Float64,
            "formed": pl.Int32,
        }
    )
    if not target["at_risk"].fill_null(False)[0]:
        return empty
    last = min(year - 1, ATOP_LAST) - horizon + 1
    cand = panel.filter(
        pl.col("at_risk").fill_null(False)
        & pl.col("onset").is_not_null()
        & (pl.col("year") <= last)
        & ~((pl.col("ccode1") == a) & (pl.col("ccode2") == b))
    )
    if cand.height == 0:
        return empty
    t_raw = _matrix(target, feats)[0]
    known = ~np.isnan(t_raw)  # the pair's missing features are left out
    x = _matrix(cand, feats)[:, known]
    complete = ~np.isnan(x).any(axis=1)  # a candidate must have every feature the pair has
    cand, x = cand.filter(pl.Series(complete)), x[complete]
    if cand.height == 0:
        return empty
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[~np.isfinite(sd) | (sd == 0)] = 1.0
    dist = np.sqrt((((x - mean) / sd - (t_raw[known] - mean) / sd) ** 2).sum(axis=1))
    near = (
        cand.select(KEYS)
        .with_columns(distance=pl.Series(dist))
        .sort("distance", *KEYS)
        .unique(subset=["ccode1", "ccode2"], keep="first", maintain_order=True)
        .head(k)
    )
    onsets = panel.filter(pl.col("onset") == 1).select(
        "ccode1", "ccode2", pl.col("year").alias("onset_year")
    )
    formed = (
        near.join(onsets, on=["ccode1", "ccode2"], how="left")
        .filter(
            pl.col("onset_year").is_not_null()
            & pl.col("onset_year").is_between(pl.col("year"), pl.col("year") + horizon - 1)
        )
        .group_by(KEYS)
        .agg(pl.col("onset_year").min().alias("formed"))
    )
    out = near.join(formed, on=KEYS, how="left")  # one row per analogue: rows preserved
    return out.select(
        pl.col("ccode1", "ccode2", "year").cast(pl.Int32),
        "distance",
        pl.col("formed").cast(pl.Int32),
    ).sort("distance", *KEYS)
