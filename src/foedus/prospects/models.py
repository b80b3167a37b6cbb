"""Models of alliance-pledge onset behind one estimator interface (scikit-learn conventions:
hyper-parameters in ``__init__``, ``fit`` returns ``self``, learned state ends in ``_``).

* ``kind="logit"`` (default): a logit of onset on the lagged covariates, fitted by maximum
  likelihood with statsmodels; ``summary()`` reports coefficients with standard errors
  clustered by dyad (observations of one dyad are not independent). This is the
  workhorse of the alliance-formation literature (e.g. Lai & Reiter 2000; Gibler & Wolford
  2006), with a cubic polynomial in the years since the dyad last had the pledge (Carter &
  Signorino 2010).
* ``kind="gbm"``: scikit-learn's histogram gradient boosting (Ke et al. 2017 style), which
  handles missing values and interactions natively; probabilities are those of the boosted
  model (no recalibration).

Missing covariates (e.g. UN votes before 1946, a dyad's first year): for the logit each
feature with missing values gets an indicator ``<name>_missing`` and its missing values are
set to 0, so no row is dropped and the indicator absorbs the level; the boosted model takes
NaN as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from foedus.errors import FoedusError

KINDS = ("logit", "gbm")


def _raw(panel: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    absent = [f for f in features if f not in panel.columns]
    if absent:
        raise FoedusError(
            f"the panel lacks feature columns {absent}",
            "build it with foedus.prospects.data.formation_panel().",
        )
    return panel.select(pl.col(list(features)).cast(pl.Float64)).to_numpy()


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
    beta = np.zeros(x.shape[1]) if start is None else np.asarray(start, dtype=np.float64).copy()
    ridge = 1e-9 * np.eye(x.shape[1])
    buf = np.empty_like(x)  # x scaled by sqrt(weights), reused: no new memory per step
    last = -np.inf
    for it in range(1, max_iter + 1):
        eta = np.clip(x @ beta, -35, 35)
        p = 1.0 / (1.0 + np.exp(-eta))
        # log-likelihood: stop when it no longer improves (also ends quasi-separation, where
        # one coefficient drifts off without changing the fit)
        llf = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
        if abs(llf - last) <= tol * (1 + abs(llf)):
            return beta, it
        last = llf
        grad = x.T @ (y - p)
        np.multiply(x, np.sqrt(p * (1 - p))[:, None], out=buf)
        hess = buf.T @ buf + ridge
        beta += np.linalg.solve(hess, grad)
    return beta, max_iter


@dataclass
class FormationModel:
    """Onset of an alliance pledge in an undirected dyad-year (see the module docstring)."""

    kind: str = "logit"
    features: Sequence[str] | None = None
    max_iter: int = 200
    gbm_params: dict = field(default_factory=dict)

    def _check(self, panel: pl.DataFrame) -> pl.DataFrame:
        if self.kind not in KINDS:
            raise FoedusError(f"unknown model kind {self.kind!r}", f"use one of {KINDS}.")
        need = {"ccode1", "ccode2", "year", "onset", "at_risk"}
        if not need <= set(panel.columns):
            raise FoedusError(
                f"the panel lacks {sorted(need - set(panel.columns))}",
                "build it with foedus.prospects.data.formation_panel().",
            )
        return panel

    def fit(self, panel: pl.DataFrame, *, start_params: np.ndarray | None = None) -> FormationModel:
        """Fit on the at-risk rows with a known outcome."""
        panel = self._check(panel)
        if self.features is None:
            from foedus.prospects.data import FEATURES

            self.features_ = list(FEATURES)
        else:
            self.features_ = list(self.features)
        train = panel.filter(pl.col("at_risk") & pl.col("onset").is_not_null())
        if train.height == 0 or train["onset"].n_unique() < 2:
            raise FoedusError(
                "nothing to learn from: no at-risk rows with both outcomes",
                "widen the training years.",
            )
        dyads = (train["ccode1"].cast(pl.Int64) * 1000 + train["ccode2"]).to_numpy()
        return self.fit_arrays(
            _raw(train, self.features_),
            train["onset"].cast(pl.Float64).to_numpy(),
            dyads,
            years=(int(train["year"].min()), int(train["year"].max())),
            start_params=start_params,
        )

    def fit_arrays(
        self,
        raw: np.ndarray,
        y: np.ndarray,
        dyads: np.ndarray,
        *,
        years: tuple[int, int] = (0, 0),
        start_params: np.ndarray | None = None,
    ) -> FormationModel:
        """Fit on raw feature values (rows x features, NaN = missing) and 0/1 outcomes; used by
        :meth:`fit` and, without rebuilding frames, by the rolling backtest."""
        if not hasattr(self, "features_"):
            self.features_ = list(self.features) if self.features is not None else []
        if y.size == 0 or np.unique(y).size < 2:
            raise FoedusError(
                "nothing to learn from: both outcomes are needed", "widen the training years."
            )
        self.n_train_ = int(y.size)
        self.base_rate_ = float(y.mean())
        self.years_ = years
        if self.kind == "logit":
            x, names, self.missing_groups_ = design(raw, self.features_)
            keep = x.min(axis=0) != x.max(axis=0)  # constant columns carry no information
            keep[0] = True  # the intercept
            self.columns_ = [n for n, k in zip(names, keep, strict=True) if k]
            self.keep_ = keep
            start = (
                start_params
                if start_params is not None and len(start_params) == keep.sum()
                else None
            )
            xk = x if keep.all() else x[:, keep]
            self.coef_, self.iterations_ = irls_logit(xk, y, start, max_iter=self.max_iter)
            self.x_, self.y_, self.groups_ = xk, y, dyads
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier

            params = {
                "max_iter": 300,
                "learning_rate": 0.05,
                "max_leaf_nodes": 31,
                "l2_regularization": 1.0,
                "random_state": 0,
                **self.gbm_params,
            }
            self.estimator_ = HistGradientBoostingClassifier(**params).fit(raw, y)
        return self

    def predict_proba_arrays(self, raw: np.ndarray) -> np.ndarray:
        """Probabilities for raw feature rows (see :meth:`fit_arrays`)."""
        if self.kind == "logit":
            x, _, _ = design(raw, self.features_, self.missing_groups_)
            eta = np.clip(x[:, self.keep_] @ self.coef_, -35, 35)
            return 1.0 / (1.0 + np.exp(-eta))
        return self.estimator_.predict_proba(raw)[:, 1]

    def predict_proba(self, panel: pl.DataFrame) -> np.ndarray:
        """Probability of onset for every row of ``panel`` (rows not at risk included)."""
        if not hasattr(self, "n_train_"):
            raise FoedusError("the model is not fitted", "call fit(panel) first.")
        return self.predict_proba_arrays(_raw(panel, self.features_))

    def summary(self) -> pl.DataFrame:
        """Logit coefficients with dyad-clustered standard errors (Liang & Zeger 1986)."""
        if self.kind != "logit" or not hasattr(self, "coef_"):
            raise FoedusError("summary() is for a fitted logit", "fit(kind='logit') first.")
        import statsmodels.api as sm
        from statsmodels.stats.sandwich_covariance import cov_cluster

        # statsmodels from foedus's estimate: one Newton step confirms it and gives the scores
        res = sm.Logit(self.y_, self.x_).fit(
            disp=0, start_params=self.coef_, method="newton", maxiter=self.max_iter
        )
        cov = cov_cluster(res, self.groups_)
        se = np.sqrt(np.diag(cov))
        z = self.coef_ / se
        from math import erf, sqrt

        p = [2 * (1 - 0.5 * (1 + erf(abs(v) / sqrt(2)))) for v in z]
        return pl.DataFrame(
            {"term": self.columns_, "coef": self.coef_, "se_cluster": se, "z": z, "p": p}
        )
