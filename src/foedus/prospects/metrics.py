"""Forecast evaluation for binary events: Brier score and its Murphy decomposition, log loss,
ROC-AUC, PR-AUC, calibration tables, ECE and precision/recall at k (docs/prospects.md, "Backtest").

Every function takes ``y``, the 0/1 outcomes ``o_i``, and ``p``, the forecast probabilities
``f_i`` in [0, 1], as 1-D arrays of equal length N >= 1 with no NaN (booleans are accepted for
``y``); bad input raises :class:`ForecastInputError` (a :class:`~foedus.errors.FoedusError`
and a ``ValueError``). ō is the observed prevalence, (1/N) Σ o_i.

Formulas
--------
* **Brier score** (Brier 1950, *Monthly Weather Review* 78(1):1–3): BS = (1/N) Σ (f_i - o_i)².
* **Murphy decomposition** (Murphy 1973, *J. Applied Meteorology* 12(4):595–600) over K
  forecast bins, bin k holding n_k forecasts with mean f̄_k and observed rate ō_k:

  - reliability REL = (1/N) Σ_k n_k (f̄_k - ō_k)²
  - resolution  RES = (1/N) Σ_k n_k (ō_k - ō)²
  - uncertainty UNC = ō (1 - ō)
  - remainder   REM = (1/N) Σ_k Σ_{i in k} [(f_i - f̄_k)² - 2 (f_i - f̄_k)(o_i - ō_k)],
    the within-bin variance minus twice the within-bin covariance of Stephenson, Coelho &
    Jolliffe (2008, *Weather and Forecasting* 23(4):752–757).

  Then BS = REL - RES + UNC + REM as an algebraic identity (up to floating-point rounding).
  Murphy's three-term form BS = REL - RES + UNC is exact only for *discrete* forecasts, i.e.
  when all forecasts in a bin are equal (then REM = 0); for continuous forecasts REM is the
  price of binning, and REL and RES depend on the bins chosen.
* **Brier skill score** against climatology (the in-sample prevalence ō as a constant
  forecast): BSS = 1 - BS / (ō (1 - ō)); NaN when all outcomes are equal.
* **Log loss** = -(1/N) Σ [o_i ln f_i + (1 - o_i) ln(1 - f_i)], with f_i clipped to
  [eps, 1 - eps]; **ignorance** (Roulston & Smith 2002, *Monthly Weather Review*
  130(6):1653–1660) is the same in bits, log loss / ln 2.
* **ROC-AUC** = P(f of a random event > f of a random non-event), ties counting 1/2: the
  Mann–Whitney U / (n_1 n_0) (Hanley & McNeil 1982, *Radiology* 143(1):29–36). Baseline 0.5;
  NaN with a single class. Computed by :func:`sklearn.metrics.roc_auc_score`.
* **PR-AUC** as average precision, AP = Σ_n (R_n - R_{n-1}) P_n over the distinct thresholds
  (no interpolation), as :func:`sklearn.metrics.average_precision_score`, which computes it.
  Baseline = prevalence ō (a random ranking); NaN when there are no events.
* **Calibration table** (reliability diagram): per non-empty bin, n_k, f̄_k, ō_k and the
  Wilson (1927, *JASA* 22(158):209–212) 95% score interval for ō_k,
  (ō_k + z²/2n_k ± z sqrt(ō_k(1 - ō_k)/n_k + z²/4n_k²)) / (1 + z²/n_k), z = 1.959964.
* **Expected calibration error** (Naeini, Cooper & Hauskrecht 2015, AAAI; Guo et al. 2017,
  ICML): ECE = Σ_k (n_k / N) |ō_k - f̄_k|.
* **Precision and recall at k**: of the k highest forecasts, the share that are events, and
  the share of all events among them (recall NaN when there are no events).

Bins
----
As :func:`sklearn.calibration.calibration_curve`: K + 1 edges e_0 < ... < e_K, either
uniform on [0, 1] (``strategy="uniform"``) or the 0, 1/K, ..., 1 quantiles of ``p``
(``strategy="quantile"``); bin k holds e_k < f <= e_{k+1} (bin 0 also holds f = e_0, so
f = 0.1 falls in bin 0 of ten uniform bins). Quantile edges tie when forecasts repeat; the
bins between tied edges are empty. Empty bins are left out of every sum and of the table.

Ties in :func:`top_k` are broken by position: among equal forecasts the one earlier in the
input ranks higher (a stable sort), so results are deterministic but depend on input order.

For rare events such as alliance onset report PR-AUC with the Brier score and a calibration
table: ROC-AUC alone is inflated by the mass of easy negatives (docs/prospects.md, "Backtest").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score

from foedus.errors import ForecastInputError

#: the standard normal 97.5% quantile, for 95% Wilson intervals
Z95 = 1.959963984540054

STRATEGIES = ("quantile", "uniform")


# --- input checks -----------------------------------------------------------------------------


def _as_1d(x: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ForecastInputError(
            f"{name} is not numeric: {e}",
            f"pass {name} as a 1-D array of numbers (a NumPy array, list or Polars Series).",
        ) from None
    if a.ndim != 1:
        raise ForecastInputError(
            f"{name} must be 1-D, got shape {a.shape}",
            f"flatten it first, e.g. np.ravel({name}), with one entry per forecast.",
        )
    bad = np.flatnonzero(np.isnan(a))
    if bad.size:
        raise ForecastInputError(
            f"{name} has {bad.size} missing (NaN/null) value(s), the first at position {bad[0]}",
            "drop the observations with a missing outcome or forecast from both y and p.",
        )
    return a


def _check(y: Any, p: Any) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``p`` as float arrays after every check in the module docstring."""
    y, p = _as_1d(y, "y"), _as_1d(p, "p")
    if y.size != p.size:
        raise ForecastInputError(
            f"y and p must have the same length: y has {y.size}, p has {p.size}",
            "pass exactly one forecast probability per outcome, in the same order.",
        )
    if y.size == 0:
        raise ForecastInputError(
            "y and p are empty", "a forecast metric needs at least one observation."
        )
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        raise ForecastInputError(
            f"y must be 0/1 outcomes; position {bad[0]} holds {y[bad[0]]!r} "
            f"({bad.size} value(s) not in {{0, 1}})",
            "code the event as 1 and its absence as 0 (or pass booleans).",
        )
    bad = np.flatnonzero((p < 0) | (p > 1))
    if bad.size:
        raise ForecastInputError(
            f"p must be probabilities in [0, 1]; position {bad[0]} holds {p[bad[0]]!r} "
            f"({bad.size} value(s) outside [0, 1])",
            "pass predicted probabilities (e.g. predict_proba(...)[:, 1]), not scores or "
            "logits; apply a logistic transform to scores first.",
        )
    return y, p


def _check_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ForecastInputError(
            f"bins must be a positive integer, got {bins!r}", "use e.g. bins=10."
        )
    return int(bins)


def _bin_ids(p: np.ndarray, bins: int, strategy: str) -> tuple[np.ndarray, int]:
    """Each forecast's bin (0..bins-1) under ``strategy`` (see "Bins" above)."""
    bins = _check_bins(bins)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, bins + 1)
    elif strategy == "quantile":
        # exactly sklearn's edges: forecasts tied at an edge land in the same bin as there
        edges = np.percentile(p, np.linspace(0.0, 1.0, bins + 1) * 100)
    else:
        raise ForecastInputError(
            f"unknown binning strategy {strategy!r}", f"use strategy={' or '.join(STRATEGIES)}."
        )
    return np.searchsorted(edges[1:-1], p), bins


# --- Brier ------------------------------------------------------------------------------------


def brier(y: Any, p: Any) -> float:
    """Brier score, (1/N) Σ (f_i - o_i)²: 0 is perfect, 0.25 is a constant 0.5 forecast."""
    y, p = _check(y, p)
    return float(np.mean((p - y) ** 2))


def brier_decomposition(
    y: Any, p: Any, bins: int = 10, *, strategy: str = "uniform"
) -> dict[str, float]:
    """Murphy's (1973) decomposition over ``bins`` forecast bins, with the within-bin remainder.

    Returns ``reliability``, ``resolution``, ``uncertainty``, ``remainder`` and ``brier`` with
    ``reliability - resolution + uncertainty + remainder == brier`` (an identity, up to
    rounding). ``remainder`` is 0 only for discrete forecasts (one forecast value per bin);
    otherwise the three-term decomposition is approximate. See the module docstring.
    """
    y, p = _check(y, p)
    ids, k = _bin_ids(p, bins, strategy)
    n = y.size
    n_k = np.bincount(ids, minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        f_k = np.bincount(ids, weights=p, minlength=k) / n_k
        o_k = np.bincount(ids, weights=y, minlength=k) / n_k
    full = n_k > 0
    obar = float(y.mean())
    rel = float(np.sum(n_k[full] * (f_k[full] - o_k[full]) ** 2) / n)
    res = float(np.sum(n_k[full] * (o_k[full] - obar) ** 2) / n)
    df, do = p - f_k[ids], y - o_k[ids]
    rem = float(np.sum(df**2 - 2 * df * do) / n)
    return {
        "reliability": rel,
        "resolution": res,
        "uncertainty": obar * (1 - obar),
        "remainder": rem,
        "brier": float(np.mean((p - y) ** 2)),
    }


def brier_skill(y: Any, p: Any) -> float:
    """Brier skill score against climatology, 1 - BS / (ō(1 - ō)): 1 perfect, 0 no better
    than forecasting the prevalence, negative worse; NaN when all outcomes are equal."""
    y, p = _check(y, p)
    obar = float(y.mean())
    unc = obar * (1 - obar)
    if unc == 0:
        return math.nan
    return float(1 - np.mean((p - y) ** 2) / unc)


# --- logarithmic scores -----------------------------------------------------------------------


def log_loss(y: Any, p: Any, eps: float = 1e-15) -> float:
    """Mean negative log-likelihood in nats, forecasts clipped to [eps, 1 - eps] so that a
    confident miss costs -ln(eps) instead of infinity."""
    y, p = _check(y, p)
    if not 0 < eps < 0.5:
        raise ForecastInputError(
            f"eps must lie in (0, 0.5), got {eps!r}", "the default eps=1e-15 suits most uses."
        )
    q = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log1p(-q)))


def ignorance(y: Any, p: Any, eps: float = 1e-15) -> float:
    """Ignorance score: the log loss in bits (log2), log_loss / ln 2."""
    return log_loss(y, p, eps) / math.log(2)


# --- ranking ----------------------------------------------------------------------------------


def roc_auc(y: Any, p: Any) -> float:
    """Area under the ROC curve (Mann–Whitney, ties 1/2); NaN when only one class occurs."""
    y, p = _check(y, p)
    if y.min() == y.max():
        return math.nan
    return float(roc_auc_score(y, p))


def pr_auc(y: Any, p: Any) -> float:
    """Average precision, Σ (R_n - R_{n-1}) P_n, as sklearn's ``average_precision_score``;
    a random forecast scores the prevalence. NaN when there are no events."""
    y, p = _check(y, p)
    if y.max() == 0:
        return math.nan
    return float(average_precision_score(y, p))


def top_k(y: Any, p: Any, k: int) -> dict[str, float]:
    """``precision_at_k`` and ``recall_at_k`` for the k highest forecasts (1 <= k <= N).

    Ties at the cut-off share the remaining places: if the k-th highest forecast ``v`` is
    shared by ``m`` rows holding ``e`` events and ``r`` places remain after the rows above
    ``v``, they contribute ``r * e / m`` hits, the expectation under a random order of the
    tied rows. (Breaking ties by position would let a constant forecast "find" whatever events
    sit first in the file.) ``recall_at_k`` is NaN when there are no events.
    """
    y, p = _check(y, p)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= y.size:
        raise ForecastInputError(
            f"k must be an integer from 1 to the number of forecasts ({y.size}), got {k!r}",
            "choose how many of the highest forecasts to check, e.g. k=10.",
        )
    k = int(k)
    v = np.partition(p, p.size - k)[p.size - k]  # the k-th highest forecast
    above = p > v
    tied = p == v
    remaining = k - int(above.sum())
    hits = float(y[above].sum()) + remaining * float(y[tied].sum()) / int(tied.sum())
    events = float(y.sum())
    return {
        "precision_at_k": hits / k,
        "recall_at_k": hits / events if events > 0 else math.nan,
    }


# --- calibration ------------------------------------------------------------------------------


def wilson_interval(
    successes: np.ndarray, n: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval ``(lower, upper)`` for a binomial rate (n > 0)."""
    n = np.asarray(n, dtype=np.float64)
    rate = np.asarray(successes, dtype=np.float64) / n
    denom = 1 + z**2 / n
    centre = (rate + z**2 / (2 * n)) / denom
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / denom
    # at 0 (n) successes the lower (upper) bound is exactly 0 (1); avoid rounding residue
    lower = np.where(rate == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(rate == 1, 1.0, np.clip(centre + half, 0.0, 1.0))
    return lower, upper


def calibration_table(y: Any, p: Any, bins: int = 10, strategy: str = "quantile") -> pl.DataFrame:
    """Reliability-diagram table: one row per non-empty bin with ``bin`` (0-based index),
    ``n``, ``mean_forecast`` (f̄_k), ``observed_rate`` (ō_k) and its Wilson 95% interval
    ``lower``, ``upper``. ``strategy`` is ``"quantile"`` (equal-count bins) or ``"uniform"``
    (equal-width bins on [0, 1]); see "Bins" in the module docstring."""
    y, p = _check(y, p)
    ids, k = _bin_ids(p, bins, strategy)
    n_k = np.bincount(ids, minlength=k)
    full = np.flatnonzero(n_k)
    n = n_k[full]
    events = np.bincount(ids, weights=y, minlength=k)[full]
    lower, upper = wilson_interval(events, n)
    return pl.DataFrame(
        {
            "bin": full.astype(np.int32),
            "n": n.astype(np.int64),
            "mean_forecast": np.bincount(ids, weights=p, minlength=k)[full] / n,
            "observed_rate": events / n,
            "lower": lower,
            "upper": upper,
        }
    )


def ece(y: Any, p: Any, bins: int = 10, *, strategy: str = "uniform") -> float:
    """Expected calibration error, Σ_k (n_k / N) |ō_k - f̄_k| (equal-width bins by default)."""
    y, p = _check(y, p)
    ids, k = _bin_ids(p, bins, strategy)
    gap = np.abs(
        np.bincount(ids, weights=y, minlength=k) - np.bincount(ids, weights=p, minlength=k)
    )
    return float(gap.sum() / y.size)  # n_k |ō_k - f̄_k| = |Σ o - Σ f| within bin k


# --- all at once ------------------------------------------------------------------------------


def summarize(y: Any, p: Any, bins: int = 10, k: int | None = None) -> dict[str, float]:
    """Every scalar metric: ``n``, ``prevalence``, ``brier``, ``brier_skill``, the
    decomposition terms (``reliability``, ``resolution``, ``uncertainty``, ``remainder``;
    ``bins`` uniform bins), ``log_loss``, ``ignorance``, ``roc_auc``, ``pr_auc`` (whose
    baseline is ``prevalence``) and ``ece`` (``bins`` uniform bins); with ``k``, also
    ``precision_at_k`` and ``recall_at_k``."""
    y, p = _check(y, p)
    dec = brier_decomposition(y, p, bins)
    out: dict[str, float] = {
        "n": y.size,
        "prevalence": float(y.mean()),
        "brier": dec["brier"],
        "brier_skill": brier_skill(y, p),
        "reliability": dec["reliability"],
        "resolution": dec["resolution"],
        "uncertainty": dec["uncertainty"],
        "remainder": dec["remainder"],
        "log_loss": log_loss(y, p),
        "ignorance": ignorance(y, p),
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "ece": ece(y, p, bins),
    }
    if k is not None:
        out.update(top_k(y, p, k))
    return out
