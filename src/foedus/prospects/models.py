"""Models of alliance-pledge onset behind one estimator interface (scikit-learn conventions:
hyper-parameters in ``__init__``, ``fit`` returns ``self``, learned state ends in ``_``).

Kinds
-----
* ``kind="relogit"`` (the default): the logit below with King & Zeng's (2001) rare-events
  corrections. Onsets are rare (about 2 in 1,000 at-risk dyad-years), and maximum likelihood
  then underestimates the probability of the rare event in finite samples. The coefficients
  are bias-corrected, ``beta~ = beta^ - (X'WX)^-1 X'W xi`` with
  ``xi_i = 0.5 Q_ii (2 pi_i - 1)`` and ``Q = X (X'WX)^-1 X'`` (their eq. 11-12, no case-control
  weights); their covariance is scaled by ``(n / (n + k))^2``; and probabilities carry the
  correction for estimation uncertainty, ``Pr = pi~ + (0.5 - pi~) pi~ (1 - pi~) x V x'``
  (their eq. 20, "approximately Bayesian"), with ``V`` the dyad-clustered covariance. This is
  the literature's recommended estimator for onset (logit with cubic time plus a King-Zeng or
  Firth correction; docs/prospects.md, "Models").
* ``kind="logit"``: plain maximum likelihood (Newton-Raphson in NumPy, equal to statsmodels'
  ``Logit``). The workhorse of the alliance-formation literature (e.g. Lai & Reiter 2000;
  Gibler & Wolford 2006), with a cubic polynomial in the years since the dyad last had the
  pledge (Carter & Signorino 2010).
* ``kind="firth"``: Firth's (1993) penalised likelihood (Jeffreys prior), the other standard
  rare-events estimator (Heinze & Schemper 2002): the score is modified to
  ``X'(y - pi + h (0.5 - pi))`` with ``h`` the leverages of the weighted hat matrix.
* ``kind="gbm"``: scikit-learn's histogram gradient boosting, which handles missing values and
  interactions natively. To keep a yearly rolling backtest within minutes it is fitted on a
  case-control sample: every onset and a random share ``negative_rate`` of the non-onsets
  (default: 50 non-onsets per onset), each non-onset weighted by ``1 / negative_rate`` so
  that the probabilities refer to the full population (King & Zeng 2001, section 4: weighting
  keeps the estimates consistent under choice-based sampling). The sample is drawn with a
  fixed seed, so a fit is reproducible.

The second stage
----------------
Every kind is by default followed by a second stage (``calibration="tail"``,
:mod:`foedus.prospects.calibration`): a tail recalibration of the log-odds, and a negative
binomial for the yearly number of onsets, both learned from the out-of-sample forecasts of
earlier years (:func:`oos_history`: for each year t from ``calibration_start`` to the last
training year, the first stage fitted on the rows before t forecasts the rows of t). A model
fitted for year T therefore sees no outcome of T or later, in either stage. ``fit`` passes the
rows' years itself; ``fit_arrays`` needs ``row_years`` (or an :class:`OOSHistory`) and, without
them, warns and fits the first stage alone. ``calibration=None`` is the first stage alone.

Standard errors and intervals
-----------------------------
For the logits, ``cov_`` is the dyad-clustered sandwich covariance (Liang & Zeger 1986), with
the small-sample factor ``G/(G-1) (N-1)/(N-K)`` that statsmodels' ``cov_cluster`` uses (the
tests check it equals statsmodels). Observations of one dyad are not independent.
:meth:`FormationModel.predict_interval` draws coefficients from ``N(coef_, cov_)``; the
boosted model's interval comes from ``n_bootstrap`` refits on bootstrap samples of dyads
(clusters), so its width reflects sampling variation of the fitted trees.

Missing covariates (e.g. UN votes before 1946, a dyad's first year): for the logits each
group of features missing on the same rows gets an indicator ``<first feature>_missing`` and
their missing values are set to 0, so no row is dropped and the indicator absorbs the level;
the boosted model takes NaN as is.

Explanations
------------
:meth:`FormationModel.contributions` splits each forecast's log-odds into additive parts.
For the logits it is exact: ``coef_j (x_j - mean_j)`` for every term, relative to the
training mean of the design matrix, so the parts plus the log-odds at the mean equal the
forecast's log-odds (the King-Zeng probability correction acts on the probability and is not
a feature's contribution). For the boosted model the parts are Saabas path attributions of
the trees (:mod:`foedus.prospects.trees`): additive and exact in sum, but not Shapley values.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from math import erfc, sqrt
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.errors import FoedusError, FoedusWarning, InvalidArgumentError

KINDS = ("relogit", "logit", "firth", "gbm")
#: Second stages (:mod:`foedus.prospects.calibration`): ``"tail"`` recalibrates the upper tail
#: on the out-of-sample forecasts of earlier origins; None fits the first stage alone.
CALIBRATIONS = ("tail",)
DEFAULT_CALIBRATION = "tail"
#: The first origin of the out-of-sample forecasts the second stage learns from, and how many
#: such years it needs (fewer: no recalibration, only the first stage).
CALIBRATION_START = 1950
CALIBRATION_MIN_YEARS = 3
#: Fitted first-stage chains kept in memory (:func:`oos_history`), by data and parameters.
_CHAIN_CACHE_SIZE = 512
LOGITS = ("relogit", "logit", "firth")
DEFAULT_KIND = "relogit"
#: Bounds of the hyper-parameters (checked in ``fit``): Newton steps of a logit, bootstrap
#: refits of the boosted model.
MAX_ITER = 10_000
MAX_BOOTSTRAP = 1_000
_RIDGE = 1e-9  # keeps X'WX invertible when a column is constant in a training window


def _raw(panel: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    absent = [f for f in features if f not in panel.columns]
    if absent:
        raise FoedusError(
            f"the panel lacks feature columns {absent}",
            "build it with foedus.prospects.data.formation_panel().",
        )
    return panel.select(pl.col(list(features)).cast(pl.Float64)).to_numpy()


@dataclass
class TrainingRows:
    """The fittable rows of a formation panel (at risk, outcome known), sorted by year, as the
    arrays the estimators take: raw features, 0/1 outcomes, dyad ids (the clusters), years."""

    frame: pl.DataFrame
    raw: np.ndarray
    y: np.ndarray
    dyads: np.ndarray
    years: np.ndarray


def training_rows(panel: pl.DataFrame, features: Sequence[str]) -> TrainingRows:
    """:class:`TrainingRows` of ``panel`` for ``features`` (see there)."""
    train = panel.filter(pl.col("at_risk").fill_null(False) & pl.col("onset").is_not_null())
    train = train.sort("year", maintain_order=True)
    return TrainingRows(
        train,
        _raw(train, features),
        train["onset"].cast(pl.Float64).to_numpy(),
        (train["ccode1"].cast(pl.Int64) * 1000 + train["ccode2"]).to_numpy(),
        train["year"].to_numpy(),
    )


@dataclass
class OOSHistory:
    """Out-of-sample first-stage forecasts of earlier years: each row's year, forecast and
    0/1 outcome (what the second stage learns from; :func:`oos_history`)."""

    years: np.ndarray
    p: np.ndarray
    y: np.ndarray

    @classmethod
    def empty(cls) -> OOSHistory:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))

    @property
    def n_years(self) -> int:
        return int(np.unique(self.years).size)

    def since(self, first: int) -> OOSHistory:
        keep = self.years >= first
        return OOSHistory(self.years[keep], self.p[keep], self.y[keep])

    def upto(self, last: int) -> OOSHistory:
        keep = self.years <= last
        return OOSHistory(self.years[keep], self.p[keep], self.y[keep])

    def extend(self, year: int, p: np.ndarray, y: np.ndarray) -> OOSHistory:
        """The history with one more year's forecasts."""
        return OOSHistory(
            np.concatenate([self.years, np.full(len(p), year, dtype=np.int64)]),
            np.concatenate([self.p, np.asarray(p, dtype=np.float64)]),
            np.concatenate([self.y, np.asarray(y, dtype=np.float64)]),
        )


_CHAIN_CACHE: OrderedDict[bytes, tuple[Any, np.ndarray]] = OrderedDict()


def oos_history(
    model: FormationModel,
    raw: np.ndarray,
    y: np.ndarray,
    dyads: np.ndarray,
    row_years: np.ndarray,
    *,
    codes: np.ndarray | None = None,
) -> OOSHistory:
    """The out-of-sample first-stage forecasts the second stage of ``model`` learns from,
    for training rows ``raw, y, dyads`` of the years ``row_years`` (sorted): for each year t
    from ``model.calibration_start`` through the last row's year, the first stage
    (:meth:`FormationModel.first_stage`) fitted on the rows of years < t, warm-started from
    the fit for t - 1 exactly as the rolling backtest does, forecasts the rows of t. Nothing
    of year t or later enters the forecast of year t.

    Each year's fit is kept in memory, keyed by a digest of the rows it saw and predicted and
    by the hyper-parameters, so forecasts as of successive years (which share all but their
    last years) refit only what is new."""
    ry = np.asarray(row_years)
    template = model.first_stage()
    feats = list(getattr(model, "features_", None) or model.features or [])
    params = repr(
        (
            template.kind,
            feats,
            template.max_iter,
            sorted(template.gbm_params.items()),
            template.negative_rate,
            template.random_state,
            template.calibration_start,  # where the warm-started chain begins
            raw.shape[1],
        )
    ).encode()
    codes = cluster_codes(dyads) if codes is None else codes
    years = np.unique(ry)
    chain = hashlib.blake2b(params, digest_size=20).digest()
    parts_years, parts_p, parts_y = [], [], []
    start = None
    for t in years:
        a, b = np.searchsorted(ry, [t, t + 1])
        block = hashlib.blake2b(chain, digest_size=20)
        for arr in (raw[a:b], y[a:b], dyads[a:b]):
            block.update(np.ascontiguousarray(arr).tobytes())
        chain = block.digest()
        if t < model.calibration_start or a == 0 or np.unique(y[:a]).size < 2:
            continue
        hit = _CHAIN_CACHE.get(chain)
        if hit is not None:
            _CHAIN_CACHE.move_to_end(chain)
            start, p = hit
        else:
            m = FormationModel(**{**template.__dict__, "features": feats or None})
            m = m.fit_arrays(
                raw[:a],
                y[:a],
                dyads[:a],
                years=(int(ry[0]), int(ry[a - 1])),
                start_params=start,
                codes=codes[:a],
            )
            p = m.predict_first_stage(raw[a:b])
            start = (m.columns_, m.raw_coef_) if m.kind in LOGITS else None
            _CHAIN_CACHE[chain] = (start, p)
            while len(_CHAIN_CACHE) > _CHAIN_CACHE_SIZE:
                _CHAIN_CACHE.popitem(last=False)
        parts_years.append(np.full(b - a, int(t), dtype=np.int64))
        parts_p.append(p)
        parts_y.append(y[a:b])
    if not parts_p:
        return OOSHistory.empty()
    return OOSHistory(np.concatenate(parts_years), np.concatenate(parts_p), np.concatenate(parts_y))


def design(
    raw: np.ndarray, features: Sequence[str], missing_groups: Sequence[Sequence[str]] | None = None
) -> tuple[np.ndarray, list[str], list[list[str]]]:
    """The logit design matrix from raw features (NaN = missing): an intercept, the features
    with missing values set to 0, and one missing-value indicator per group of features that
    are missing on exactly the same rows (e.g. every lagged value in a dyad's first year),
    named after the group's first feature; separate identical indicators would make the logit
    singular. ``missing_groups`` replays the groups found in training."""
    names = list(features)
    miss = np.isnan(raw)
    if missing_groups is None:
        seen: dict[bytes, list[str]] = {}
        for i, f in enumerate(names):
            if miss[:, i].any():
                seen.setdefault(np.packbits(miss[:, i]).tobytes(), []).append(f)
        groups = list(seen.values())
    else:
        groups = [list(g) for g in missing_groups]
    x = np.empty((raw.shape[0], 1 + raw.shape[1] + len(groups)))
    x[:, 0] = 1.0
    np.copyto(x[:, 1 : 1 + raw.shape[1]], np.where(miss, 0.0, raw))
    for k, g in enumerate(groups):
        x[:, 1 + raw.shape[1] + k] = miss[:, names.index(g[0])]
    return x, ["const", *names, *[f"{g[0]}_missing" for g in groups]], groups


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(eta, -35, 35)))


def _llf(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> float:
    eta = np.clip(x @ beta, -35, 35)
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def _info(x: np.ndarray, p: np.ndarray, buf: np.ndarray | None = None) -> np.ndarray:
    """The Fisher information X'WX (W = p(1-p)) plus a tiny ridge."""
    if buf is None:
        buf = np.empty_like(x)
    np.multiply(x, np.sqrt(p * (1 - p))[:, None], out=buf)
    return buf.T @ buf + _RIDGE * np.eye(x.shape[1])


def _quad(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Row-wise quadratic forms ``x_i' M x_i``."""
    return np.einsum("ij,ij->i", x @ m, x)


def _newton(
    x: np.ndarray, y: np.ndarray, start: np.ndarray | None, max_iter: int, tol: float
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Newton-Raphson for the logit, halving any step that lowers the log-likelihood (a
    Newton step from a poor start can overshoot); also returns the probabilities and the
    information matrix at the returned estimate (the covariance needs them: no extra pass)."""
    beta = np.zeros(x.shape[1]) if start is None else np.asarray(start, dtype=np.float64).copy()
    buf = np.empty_like(x)  # x scaled by sqrt(weights), reused: no new memory per step
    last = -np.inf
    prev, step = beta.copy(), np.zeros_like(beta)
    it = halvings = 0
    while True:
        eta = np.clip(x @ beta, -35, 35)
        p = 1.0 / (1.0 + np.exp(-eta))
        llf = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
        if llf < last - 1e-10 * (1 + abs(last)) and halvings < 40:
            step /= 2
            beta = prev + step
            halvings += 1
            continue
        halvings = 0
        info = _info(x, p, buf)
        it += 1
        # stop when the log-likelihood no longer improves (also ends quasi-separation, where
        # one coefficient drifts off without changing the fit)
        if abs(llf - last) <= tol * (1 + abs(llf)) or it > max_iter:
            return beta, min(it, max_iter), p, info
        last = llf
        prev = beta.copy()
        step = np.linalg.solve(info, x.T @ (y - p))
        beta = prev + step


def irls_logit(
    x: np.ndarray,
    y: np.ndarray,
    start: np.ndarray | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> tuple[np.ndarray, int]:
    """Maximum-likelihood logit by Newton-Raphson (iteratively reweighted least squares).

    The same estimator as statsmodels' ``Logit(...).fit(method="newton")``, written with plain
    NumPy so a rolling backtest can refit from the previous year's estimate in a few cheap
    steps; a tiny ridge (1e-9) keeps the Hessian invertible when a column is constant in a
    training window. Returns the coefficients and the number of iterations.
    """
    beta, it, _, _ = _newton(x, y, start, max_iter, tol)
    return beta, it


def firth_logit(
    x: np.ndarray,
    y: np.ndarray,
    start: np.ndarray | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> tuple[np.ndarray, int]:
    """Firth's (1993) penalised-likelihood logit: maximises ``l(b) + 0.5 log|X'WX|`` by
    modified-score Newton steps, ``U* = X'(y - p + h (0.5 - p))`` with ``h`` the diagonal of
    ``W^1/2 X (X'WX)^-1 X' W^1/2``, halving a step that lowers the penalised likelihood
    (Heinze & Schemper 2002). Returns the coefficients and the number of iterations."""
    beta, it, _, _ = _firth(x, y, start, max_iter, tol)
    return beta, it


def _firth(
    x: np.ndarray, y: np.ndarray, start: np.ndarray | None, max_iter: int, tol: float
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    beta = np.zeros(x.shape[1]) if start is None else np.asarray(start, dtype=np.float64).copy()
    buf = np.empty_like(x)

    def penalised(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        p = _sigmoid(x @ b)
        info = _info(x, p, buf)
        return _llf(x, y, b) + 0.5 * np.linalg.slogdet(info)[1], p, info

    last, p, info = penalised(beta)
    for it in range(1, max_iter + 1):
        inv = np.linalg.inv(info)
        h = p * (1 - p) * _quad(x, inv)
        step = inv @ (x.T @ (y - p + h * (0.5 - p)))
        for _ in range(30):  # step halving
            new, p_new, info_new = penalised(beta + step)
            if new >= last - 1e-12 * (1 + abs(last)):
                break
            step /= 2
        beta = beta + step
        # the penalised likelihood is flat near the optimum: also require a negligible step
        done = abs(new - last) <= tol * (1 + abs(new)) and np.abs(step).max() <= np.sqrt(tol)
        last, p, info = new, p_new, info_new
        if done:
            return beta, it, p, info
    return beta, max_iter, p, info


def king_zeng_bias(x: np.ndarray, p: np.ndarray, inv_info: np.ndarray) -> np.ndarray:
    """King & Zeng's (2001, eq. 12) small-sample bias of the logit coefficients,
    ``(X'WX)^-1 X'W xi`` with ``xi_i = 0.5 Q_ii (2 p_i - 1)`` (no case-control weights)."""
    w = p * (1 - p)
    xi = 0.5 * _quad(x, inv_info) * (2 * p - 1)
    return inv_info @ (x.T @ (w * xi))


def cluster_codes(groups: np.ndarray) -> np.ndarray:
    """Dense cluster numbers 0 .. G-1 for arbitrary integer cluster ids."""
    return np.unique(groups, return_inverse=True)[1].astype(np.int64)


def cluster_cov(
    x: np.ndarray, resid: np.ndarray, codes: np.ndarray, inv_info: np.ndarray
) -> np.ndarray:
    """Cluster-robust sandwich covariance ``B M B`` with ``B = (X'WX)^-1`` and ``M`` the sum
    over clusters of the outer products of their score sums, times statsmodels' small-sample
    factor ``G/(G-1) (N-1)/(N-K)`` (``cov_cluster(..., use_correction=True)``). ``codes`` are
    non-negative cluster numbers (:func:`cluster_codes`); unused numbers are harmless."""
    from scipy import sparse

    n, k = x.shape
    size = int(codes.max()) + 1
    # cluster sums of the scores x_i r_i: a sparse (clusters x rows) indicator matrix times
    # x, weighted by the residuals (one pass, no sort of the rows)
    member = sparse.csr_matrix((resid, (codes, np.arange(n))), shape=(size, n))
    scores = np.asarray(member @ x)
    n_groups = int(np.count_nonzero(np.bincount(codes, minlength=size)))
    if n_groups < 2:
        raise FoedusError("clustered errors need at least two dyads", "widen the training data.")
    factor = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    return factor * inv_info @ (scores.T @ scores) @ inv_info


def _case_control(
    y: np.ndarray, rate: float | None, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """Rows of a case-control sample (every 1, a share ``rate`` of the 0s) and their weights."""
    pos = y > 0.5
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if rate is None:
        rate = min(1.0, 50 * n_pos / max(n_neg, 1))
    if not 0 < rate <= 1:
        raise FoedusError(f"negative_rate={rate} must be in (0, 1]", "use e.g. 0.1, or None.")
    keep = pos | (rng.random(y.size) < rate)
    idx = np.flatnonzero(keep)
    return idx, np.where(pos[idx], 1.0, 1.0 / rate), rate


def _check_gbm_params(params: dict) -> None:
    """Names (and, where scikit-learn can say so without data, values) of
    ``HistGradientBoostingClassifier`` parameters."""
    import difflib

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.utils._param_validation import InvalidParameterError

    known = sorted(HistGradientBoostingClassifier().get_params())
    unknown = [k for k in params if k not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        raise InvalidArgumentError(
            "gbm_params",
            f"gbm_params: unknown parameter(s) {unknown} of HistGradientBoostingClassifier",
            (f"did you mean {close[0]!r}? " if close else "") + "choose from " + ", ".join(known),
        )
    try:
        HistGradientBoostingClassifier(**params)._validate_params()
    except InvalidParameterError as e:
        raise InvalidArgumentError(
            "gbm_params", f"gbm_params: {e}", "see HistGradientBoostingClassifier."
        ) from None


def _pair(value: object, name: str) -> tuple[object, object]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidArgumentError(
            name,
            f"{name} must be (first, last), not {value!r:.60}",
            f"pass e.g. {name}=(1946, 2018).",
        )
    return value[0], value[1]


def _arrays(raw: object, y: object, dyads: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw features (rows x features, floats), outcomes and dyad ids of the same length."""
    try:
        r = np.asarray(raw, dtype=np.float64)
        yy = np.asarray(y, dtype=np.float64)
        d = np.asarray(dyads)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(
            "raw", f"fit_arrays needs numeric arrays: {e}", "pass NumPy arrays."
        ) from None
    if r.ndim != 2 or yy.ndim != 1 or d.ndim != 1 or not r.shape[0] == yy.size == d.size:
        raise InvalidArgumentError(
            "raw",
            f"raw must be rows x features and y, dyads one value per row; got shapes "
            f"{r.shape}, {yy.shape}, {d.shape}",
            "pass arrays with the same number of rows.",
        )
    if not np.isin(yy, (0.0, 1.0)).all():
        raise InvalidArgumentError("y", "y must hold 0/1 outcomes", "code onsets 1, others 0.")
    if not np.issubdtype(d.dtype, np.integer):
        raise InvalidArgumentError(
            "dyads", "dyads must be integer ids", "use ccode1 * 1000 + ccode2."
        )
    return r, yy, d


@dataclass
class FormationModel:
    """Onset of an alliance pledge in an undirected dyad-year (see the module docstring).

    Learned attributes: ``features_``, ``n_train_``, ``base_rate_``, ``years_``; logits:
    ``columns_`` (design terms), ``coef_``, ``cov_`` (dyad-clustered), ``raw_coef_`` (before
    the King-Zeng correction), ``x_mean_``, ``missing_groups_``, ``keep_``, ``iterations_``,
    ``n_clusters_``; boosted: ``trees_`` (:class:`foedus.prospects.trees.TreeEnsemble`),
    ``bootstrap_`` (refits for intervals), ``negative_rate_``.

    The hyper-parameters are checked when the model is fitted (scikit-learn's convention),
    before any work: ``kind`` one of :data:`KINDS`; ``features`` None or names; ``max_iter``
    1 to :data:`MAX_ITER`; ``gbm_params`` a dict of ``HistGradientBoostingClassifier``
    parameters; ``negative_rate`` None or in (0, 1]; ``n_bootstrap`` 0 to
    :data:`MAX_BOOTSTRAP`; ``random_state`` 0 to 2**32 - 1. A bad one raises
    :class:`~foedus.errors.InvalidArgumentError`.
    """

    kind: str = DEFAULT_KIND
    features: Sequence[str] | None = None
    max_iter: int = 200
    gbm_params: dict = field(default_factory=dict)
    negative_rate: float | None = None
    n_bootstrap: int = 0
    random_state: int = 0
    calibration: str | None = DEFAULT_CALIBRATION
    calibration_start: int = CALIBRATION_START
    calibration_min_years: int = CALIBRATION_MIN_YEARS

    def _check(self, panel: pl.DataFrame) -> pl.DataFrame:
        self._check_params()
        need = {"ccode1", "ccode2", "year", "onset", "at_risk"}
        validate.frame(panel, "panel")
        if not need <= set(panel.columns):
            raise FoedusError(
                f"the panel lacks {sorted(need - set(panel.columns))}",
                "build it with foedus.prospects.data.formation_panel().",
            )
        return panel

    def _check_kind(self) -> None:
        validate.choice(self.kind, "kind", KINDS)

    def _check_params(self) -> None:
        """The hyper-parameters (see the class docstring)."""
        self._check_kind()
        if isinstance(self.features, str):  # list() would split it into letters
            raise InvalidArgumentError(
                "features",
                f"features must be a list of column names, not the text {self.features!r:.40}",
                f"pass features=[{self.features!r:.40}].",
            )
        if self.features is not None:
            validate.names(self.features, "features")
        validate.integer(
            self.max_iter, "max_iter", lo=1, hi=MAX_ITER, hint="the default, 200, converges."
        )
        if self.negative_rate is not None:
            validate.number(
                self.negative_rate,
                "negative_rate",
                lo=0.0,
                hi=1.0,
                open_lo=True,
                hint="the share of non-onsets sampled, e.g. 0.1; None: 50 per onset.",
            )
        validate.integer(
            self.n_bootstrap, "n_bootstrap", lo=0, hi=MAX_BOOTSTRAP, hint="e.g. n_bootstrap=20."
        )
        validate.integer(
            self.random_state, "random_state", lo=0, hi=2**32 - 1, hint="e.g. random_state=0."
        )
        if not isinstance(self.gbm_params, dict) or not all(
            isinstance(k, str) for k in self.gbm_params
        ):
            raise InvalidArgumentError(
                "gbm_params",
                f"gbm_params must be a dict of parameter names, not {self.gbm_params!r:.60}",
                "pass e.g. gbm_params={'max_iter': 300}.",
            )
        if self.gbm_params:
            _check_gbm_params(self.gbm_params)
        if self.calibration is not None:
            validate.choice(self.calibration, "calibration", CALIBRATIONS)
        validate.integer(
            self.calibration_start,
            "calibration_start",
            lo=1817,
            hi=validate.latest_year(),
            hint="the first year whose out-of-sample forecasts the second stage learns "
            f"from, e.g. {CALIBRATION_START}.",
        )
        validate.integer(
            self.calibration_min_years,
            "calibration_min_years",
            lo=1,
            hi=200,
            hint=f"e.g. {CALIBRATION_MIN_YEARS}.",
        )

    def fit(
        self,
        panel: pl.DataFrame,
        *,
        start_params: np.ndarray | tuple[list[str], np.ndarray] | None = None,
    ) -> FormationModel:
        """Fit on the at-risk rows with a known outcome."""
        panel = self._check(panel)
        if self.features is None:
            from foedus.prospects.data import FEATURES

            self.features_ = list(FEATURES)
        else:
            self.features_ = list(self.features)
        t = training_rows(panel, self.features_)
        if t.y.size == 0 or np.unique(t.y).size < 2:
            raise FoedusError(
                "nothing to learn from: no at-risk rows with both outcomes",
                "widen the training years.",
            )
        return self.fit_arrays(
            t.raw,
            t.y,
            t.dyads,
            years=(int(t.years[0]), int(t.years[-1])),
            start_params=start_params,
            row_years=t.years,
        )

    def fit_arrays(
        self,
        raw: np.ndarray,
        y: np.ndarray,
        dyads: np.ndarray,
        *,
        years: tuple[int, int] = (0, 0),
        start_params: np.ndarray | tuple[list[str], np.ndarray] | None = None,
        codes: np.ndarray | None = None,
        row_years: np.ndarray | None = None,
        history: OOSHistory | None = None,
    ) -> FormationModel:
        """Fit on raw feature values (rows x features, NaN = missing), 0/1 outcomes and dyad
        ids (the clusters); used by :meth:`fit` and, without rebuilding frames, by the
        rolling backtest. ``start_params`` (a previous fit's ``(columns_, raw_coef_)``, matched
        by term name, or an array of the right length) warm-starts a logit;
        ``codes`` (:func:`cluster_codes` of the dyads, possibly of a longer array) saves
        recomputing the cluster numbers.

        The second stage (``calibration``) needs ``row_years``, each row's year (rows sorted
        by year, as :func:`training_rows` gives them): the model for the year after the last
        row learns it from the out-of-sample forecasts of the years ``calibration_start`` ..
        last row's year, each made by the first stage fitted on the rows before it
        (:func:`oos_history`). ``history`` (an :class:`OOSHistory` of exactly those forecasts,
        as the rolling backtest has them from its earlier origins) saves refitting them."""
        self._check_params()
        raw, y, dyads = _arrays(raw, y, dyads)
        if codes is not None and np.shape(codes) != y.shape:
            raise InvalidArgumentError(
                "codes",
                f"codes must have one entry per row ({y.size})",
                "pass cluster_codes(dyads).",
            )
        first, last = _pair(years, "years")
        years = (validate.integer(first, "years"), validate.integer(last, "years"))
        if not hasattr(self, "features_"):
            self.features_ = (
                list(self.features)
                if self.features is not None
                else [f"x{i}" for i in range(raw.shape[1])]
            )
        if len(self.features_) != raw.shape[1]:
            raise FoedusError(
                f"{raw.shape[1]} feature columns for {len(self.features_)} feature names",
                "pass one column per feature.",
            )
        if y.size == 0 or np.unique(y).size < 2:
            raise FoedusError(
                "nothing to learn from: both outcomes are needed", "widen the training years."
            )
        self.n_train_ = int(y.size)
        self.n_events_ = int((y > 0.5).sum())
        self.base_rate_ = float(y.mean())
        self.years_ = (int(years[0]), int(years[1]))
        if self.calibration is not None and history is None and row_years is None:
            warnings.warn(
                f"fitted without its second stage (calibration={self.calibration!r}): it "
                "learns from the out-of-sample forecasts of earlier years and needs each "
                "training row's year; pass row_years= (TrainingRows.years of the same rows), "
                "or calibration=None to fit the first stage alone",
                FoedusWarning,
                stacklevel=2,
            )
        elif self.calibration is not None and history is None:
            ry = np.asarray(row_years)
            if ry.shape != y.shape or (ry.size > 1 and np.any(np.diff(ry) < 0)):
                raise InvalidArgumentError(
                    "row_years",
                    f"row_years must give one year per row ({y.size}), in increasing order",
                    "pass TrainingRows.years of the same rows (training_rows sorts by year).",
                )
            history = oos_history(self, raw, y, dyads, ry, codes=codes)
        if self.kind in LOGITS:
            self._fit_logit(raw, y, dyads, start_params, codes)
        else:
            self._fit_gbm(raw, y, dyads)
        self._fit_second_stage(history)
        return self

    def first_stage(self) -> FormationModel:
        """An unfitted copy of this model without the second stage (same hyper-parameters;
        a boosted model without bootstrap refits): the model the out-of-sample history is
        made of."""
        return FormationModel(
            kind=self.kind,
            features=self.features,
            max_iter=self.max_iter,
            gbm_params=dict(self.gbm_params),
            negative_rate=self.negative_rate,
            n_bootstrap=0,
            random_state=self.random_state,
            calibration=None,
            calibration_start=self.calibration_start,
            calibration_min_years=self.calibration_min_years,
        )

    def _fit_second_stage(self, history: OOSHistory | None) -> None:
        """``calibration_`` (``(knot, slope)`` or None), ``count_size_`` (negative binomial
        size of the yearly counts, or None) and ``history_years_`` from the history."""
        from foedus.prospects.calibration import apply_tail, fit_count_size, fit_tail

        self.calibration_ = None
        self.count_size_ = None
        self.history_years_ = (0, 0)
        if self.calibration is None or history is None:
            return
        h = history.since(self.calibration_start)
        if h.n_years < self.calibration_min_years or np.unique(h.y).size < 2:
            return
        knot, slope = fit_tail(h.p, h.y)
        self.calibration_ = (float(knot), float(slope))
        years, inv = np.unique(h.years, return_inverse=True)
        expected = np.bincount(inv, weights=apply_tail(h.p, knot, slope))
        observed = np.bincount(inv, weights=h.y)
        self.count_size_ = fit_count_size(observed, expected)
        self.history_years_ = (int(years[0]), int(years[-1]))

    def transform_proba(self, p: np.ndarray) -> np.ndarray:
        """The second stage applied to first-stage probabilities (the identity without one):
        what :meth:`predict_proba_arrays` does after the first stage, for probabilities
        computed elsewhere (e.g. under coefficient draws)."""
        from foedus.prospects.calibration import apply_tail

        cal = getattr(self, "calibration_", None)
        if cal is None:
            return np.asarray(p, dtype=np.float64)
        return apply_tail(p, cal[0], cal[1])

    def _fit_logit(
        self,
        raw: np.ndarray,
        y: np.ndarray,
        dyads: np.ndarray,
        start: np.ndarray | tuple[list[str], np.ndarray] | None,
        codes: np.ndarray | None,
    ) -> None:
        x, names, self.missing_groups_ = design(raw, self.features_)
        keep = x.min(axis=0) != x.max(axis=0)  # constant columns carry no information
        keep[0] = True  # the intercept
        self.columns_ = [n for n, k in zip(names, keep, strict=True) if k]
        self.keep_ = keep
        if isinstance(start, tuple):  # (columns, values) of an earlier fit: align by name
            known = dict(zip(start[0], start[1], strict=True))
            start = np.array([known.get(c, 0.0) for c in self.columns_])
        if start is not None and len(start) != keep.sum():
            start = None
        xk = x if keep.all() else x[:, keep]
        del x
        solver = _firth if self.kind == "firth" else _newton
        coef, self.iterations_, p, info = solver(xk, y, start, self.max_iter, 1e-8)
        self.raw_coef_ = coef.copy()
        inv = np.linalg.inv(info)
        codes = cluster_codes(dyads) if codes is None else codes
        cov = cluster_cov(xk, y - p, codes, inv)
        if self.kind == "relogit":
            coef = coef - king_zeng_bias(xk, p, inv)
            n, k = xk.shape
            cov = cov * (n / (n + k)) ** 2
        self.coef_, self.cov_ = coef, cov
        self.n_clusters_ = int(np.count_nonzero(np.bincount(codes)))
        self.x_mean_ = xk.mean(axis=0)

    def _fit_gbm(self, raw: np.ndarray, y: np.ndarray, dyads: np.ndarray) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.utils._param_validation import InvalidParameterError

        from foedus.prospects.trees import TreeEnsemble

        params = {
            "max_iter": 150,
            "learning_rate": 0.1,
            "max_leaf_nodes": 15,
            "min_samples_leaf": 40,
            "l2_regularization": 1.0,
            "early_stopping": False,
            "random_state": self.random_state,
            **self.gbm_params,
        }
        rng = np.random.default_rng(self.random_state)

        def one(weights: np.ndarray) -> TreeEnsemble:
            rows = np.flatnonzero(weights > 0)
            idx, w, rate = _case_control(y[rows], self.negative_rate, rng)
            self.negative_rate_ = rate
            try:
                est = HistGradientBoostingClassifier(**params).fit(
                    raw[rows[idx]], y[rows[idx]], sample_weight=w * weights[rows[idx]]
                )
            except InvalidParameterError as e:  # a value of gbm_params scikit-learn refuses
                raise InvalidArgumentError(
                    "gbm_params", f"gbm_params: {e}", "see HistGradientBoostingClassifier."
                ) from None
            return TreeEnsemble.from_sklearn(est)

        self.gbm_params_ = params
        self.trees_ = one(np.ones(y.size))
        self.bootstrap_ = []
        if self.n_bootstrap > 0:
            _, inv = np.unique(dyads, return_inverse=True)
            n_groups = int(inv.max()) + 1
            for _ in range(self.n_bootstrap):
                mult = np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
                self.bootstrap_.append(one(mult[inv].astype(np.float64)))

    # --- prediction -----------------------------------------------------------------------------

    def _fitted(self) -> None:
        if not hasattr(self, "n_train_"):
            raise FoedusError("the model is not fitted", "call fit(panel) first.")

    def _x(self, raw: np.ndarray) -> np.ndarray:
        x, _, _ = design(raw, self.features_, self.missing_groups_)
        return x[:, self.keep_]

    def predict_proba_arrays(self, raw: np.ndarray) -> np.ndarray:
        """Probabilities for raw feature rows (see :meth:`fit_arrays`)."""
        return self.transform_proba(self.predict_first_stage(raw))

    def predict_first_stage(self, raw: np.ndarray) -> np.ndarray:
        """First-stage probabilities for raw feature rows (before the second stage)."""
        self._fitted()
        if self.kind not in LOGITS:
            return self.trees_.predict_proba(raw)
        x = self._x(raw)
        p = _sigmoid(x @ self.coef_)
        if self.kind == "relogit":  # King & Zeng (2001), eq. 20
            p = p + (0.5 - p) * p * (1 - p) * _quad(x, self.cov_)
            p = np.clip(p, 1e-12, 1 - 1e-12)
        return p

    def predict_proba(self, panel: pl.DataFrame) -> np.ndarray:
        """Probability of onset for every row of ``panel`` (rows not at risk included)."""
        self._fitted()
        return self.predict_proba_arrays(_raw(validate.frame(panel, "panel"), self.features_))

    def predict_interval_arrays(
        self, raw: np.ndarray, *, level: float = 0.9
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper ends of a central ``level`` interval for each row's probability:
        for the logits, the quantiles of the probability under coefficient draws from
        ``N(coef_, cov_)``, computed exactly (``logistic(x'b +- z sqrt(x' cov_ x))``); for the
        boosted model, quantiles over its bootstrap refits (fit with ``n_bootstrap`` > 0)."""
        self._fitted()
        level = validate.number(
            level, "level", lo=0.0, hi=1.0, open_lo=True, open_hi=True, hint="use e.g. 0.9."
        )
        q = [(1 - level) / 2, (1 + level) / 2]
        if self.kind not in LOGITS:
            if not self.bootstrap_:
                raise FoedusError(
                    "the boosted model has no bootstrap refits to give an interval",
                    "fit it with n_bootstrap=20 (or more).",
                )
            draws = np.column_stack([t.predict_proba(raw) for t in self.bootstrap_])
            lo, hi = np.quantile(draws, q, axis=1)
            return self.transform_proba(lo), self.transform_proba(hi)
        # eta = x'b with b ~ N(coef_, cov_) is normal with variance x' cov_ x, and the logistic
        # function is increasing: the quantiles of the drawn probabilities are exactly the
        # logistic of eta's normal quantiles, so no simulation is needed
        x = self._x(raw)
        z = NormalDist().inv_cdf(q[1])
        half = z * np.sqrt(np.maximum(_quad(x, self.cov_), 0.0))
        eta = x @ self.coef_
        # the second stage is increasing, so it maps the quantiles to the quantiles
        lo, hi = _sigmoid(eta - half), _sigmoid(eta + half)
        return self.transform_proba(lo), self.transform_proba(hi)

    def contributions(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Additive log-odds parts of each row's forecast: ``(base, parts, names)`` with
        ``base + parts.sum(1)`` = the row's log-odds (see the module docstring)."""
        self._fitted()
        if self.kind not in LOGITS:
            bias, parts = self.trees_.contributions(raw)
            return bias, parts, list(self.features_)
        x = self._x(raw)
        parts = (x - self.x_mean_) * self.coef_
        base = np.full(x.shape[0], float(self.x_mean_ @ self.coef_))
        return base, parts[:, 1:], list(self.columns_[1:])

    def summary(self) -> pl.DataFrame:
        """Logit coefficients with dyad-clustered standard errors (Liang & Zeger 1986)."""
        if self.kind not in LOGITS or not hasattr(self, "coef_"):
            raise FoedusError(
                "summary() is for a fitted logit", "fit(kind='relogit' or 'logit') first."
            )
        se = np.sqrt(np.diag(self.cov_))
        z = self.coef_ / se
        return pl.DataFrame(
            {
                "term": self.columns_,
                "coef": self.coef_,
                "se_cluster": se,
                "z": z,
                "p": [erfc(abs(v) / sqrt(2)) for v in z],
            }
        )
