"""Second stages fitted on past out-of-sample forecasts: the tail recalibration of dyad
probabilities, and the overdispersed distribution of a year's number of onsets.

Why a second stage
------------------
The formation logits rank well out of sample but are overconfident in their upper tail: in
the rolling 1960-2018 backtest, the 409 dyad-years forecast above 20% held 10 onsets, and the
observed onset rate is about 3-4% for every forecast above about 5% (docs/prospects.md,
"Calibration"). Inside its training years a logit is calibrated by construction, so the
correction can only be learned from forecasts made *before* their outcomes were known: the
out-of-sample forecasts of earlier origins (:func:`foedus.prospects.models.oos_history`).

Tail recalibration
------------------
On the log-odds ``e`` of a forecast, with a knot ``k`` and a slope ``b`` in (0, 1]::

    e' = min(e, k) + b * max(e - k, 0)

Below the knot nothing changes; above it the log-odds rise ``b`` times as fast, so the order
of the forecasts is kept (``b > 0``) and ``b = 1`` is the identity. ``(k, b)`` minimise the
Brier score of the past out-of-sample forecasts over the grid :data:`KNOTS` x :data:`SLOPES`
(:func:`fit_tail`); ties go to the larger slope, then the larger knot (the smaller change).
The grid makes the fit deterministic: the backtest and a forecast fitted on the same rows
choose the same ``(k, b)``.

Yearly counts
-------------
The onsets of a year are not independent: one accession to a multilateral pact creates an
onset with every member (NATO 1999, 2004), a new multilateral pact one with every pair. So the
number of onsets in year T is modelled as negative binomial with mean ``mu_T``, the sum of the
year's (recalibrated) dyad probabilities, and a size ``r`` (variance ``mu + mu^2 / r``) fitted
by maximum likelihood on the past years' observed counts against their out-of-sample expected
counts (:func:`fit_count_size`). :func:`count_interval` gives its central interval.
"""

from __future__ import annotations

import math

import numpy as np

from foedus.errors import InvalidArgumentError

#: Knots of the tail recalibration, in log-odds (-5 is a probability of 0.67%, 0 of 50%).
KNOTS: np.ndarray = np.round(np.arange(-5.0, 0.0001, 0.1), 10)
#: Slopes above the knot (1 = no change).
SLOPES: tuple[float, ...] = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Bounds of the negative binomial size (log scale) searched by :func:`fit_count_size`.
SIZE_RANGE = (1e-3, 1e4)

_EPS = 1e-12


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped to [1e-12, 1 - 1e-12]."""
    q = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.log(q) - np.log1p(-q)


def apply_tail(p: np.ndarray, knot: float, slope: float) -> np.ndarray:
    """Probabilities after the tail recalibration ``(knot, slope)`` (module docstring)."""
    e = logit(p)
    e2 = np.minimum(e, knot) + slope * np.maximum(e - knot, 0.0)
    out = 1.0 / (1.0 + np.exp(-e2))
    return np.where(e > knot, out, np.asarray(p, dtype=np.float64))


def fit_tail(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(knot, slope)`` of the grid that minimise the Brier score of ``apply_tail(p)``
    against the 0/1 outcomes ``y`` (module docstring). Only forecasts above the lowest knot
    can change, so only they are scored."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if p.shape != y.shape or p.ndim != 1:
        raise InvalidArgumentError(
            "p", "p and y must be 1-D arrays of the same length", "pass one outcome per forecast."
        )
    e = logit(p)
    top = e > KNOTS[0]
    e, yy, p0 = e[top], y[top], p[top]
    base = float(np.sum((p0 - yy) ** 2))
    best = (base, 1.0, float(KNOTS[-1]))  # the identity
    for b in sorted(SLOPES, reverse=True)[1:]:
        for k in KNOTS[::-1]:
            e2 = np.minimum(e, k) + b * np.maximum(e - k, 0.0)
            q = 1.0 / (1.0 + np.exp(-e2))
            v = float(np.sum((q - yy) ** 2))
            if v < best[0] - 1e-12 * (1 + best[0]):
                best = (v, b, float(k))
    return best[2], best[1]


def _nb_logpmf(k: np.ndarray, size: float, mu: np.ndarray) -> np.ndarray:
    from scipy import stats

    return stats.nbinom.logpmf(k, size, size / (size + mu))


def fit_count_size(observed: np.ndarray, expected: np.ndarray) -> float:
    """Maximum-likelihood size ``r`` of a negative binomial with the given means (the
    expected counts) for the observed yearly counts, inside :data:`SIZE_RANGE`."""
    from scipy import optimize

    o = np.asarray(observed, dtype=np.float64)
    mu = np.maximum(np.asarray(expected, dtype=np.float64), 1e-9)
    if o.size == 0 or o.shape != mu.shape:
        raise InvalidArgumentError(
            "observed",
            "observed and expected counts must be non-empty and of the same length",
            "pass one observed and one expected count per year.",
        )
    lo, hi = (math.log(v) for v in SIZE_RANGE)
    res = optimize.minimize_scalar(
        lambda lr: -float(np.sum(_nb_logpmf(o, math.exp(lr), mu))),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(math.exp(res.x))


def count_interval(mu: float, size: float, level: float = 0.9) -> tuple[int, int]:
    """Central ``level`` interval ``(lo, hi)`` of a negative binomial count with mean ``mu``
    and size ``size``: the (1-level)/2 and (1+level)/2 quantiles."""
    from scipy import stats

    n = stats.nbinom(size, size / (size + max(mu, 1e-9)))
    lo, hi = n.ppf([(1 - level) / 2, (1 + level) / 2])
    return int(lo), int(hi)


def count_cdf(k: float, mu: float, size: float) -> float:
    """P(count <= k) under the negative binomial (mean ``mu``, size ``size``)."""
    from scipy import stats

    return float(stats.nbinom.cdf(k, size, size / (size + max(mu, 1e-9))))


def poisson_binomial_interval(p: np.ndarray, level: float = 0.9) -> tuple[int, int]:
    """Central ``level`` interval of the number of events among independent Bernoulli trials
    with probabilities ``p`` (the count if every dyad were independent), by the normal
    approximation with continuity (for comparison with the overdispersed interval)."""
    from statistics import NormalDist

    p = np.asarray(p, dtype=np.float64)
    mu, sd = float(p.sum()), float(np.sqrt(np.sum(p * (1 - p))))
    z = NormalDist().inv_cdf((1 + level) / 2)
    return max(0, math.floor(mu - z * sd + 0.5)), math.ceil(mu + z * sd - 0.5)
