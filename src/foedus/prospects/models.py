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


def _design(
    panel: pl.DataFrame,
    features: Sequence[str],
    add_missing: bool,
    missing_cols: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """The design matrix (with intercept for the logit) and its column names."""
    absent = [f for f in features if f not in panel.columns]
    if absent:
        raise FoedusError(
            f"the panel lacks feature columns {absent}",
            "build it with foedus.prospects.data.formation_panel().",
        )
    x = panel.select(pl.col(list(features)).cast(pl.Float64)).to_numpy()
    names = list(features)
    if add_missing:
        miss_cols = (
            list(missing_cols)
            if missing_cols is not None
            else [f for i, f in enumerate(features) if np.isnan(x[:, i]).any()]
        )
        idx = [names.index(f) for f in miss_cols]
        ind = np.isnan(x[:, idx]).astype(np.float64) if idx else np.zeros((len(x), 0))
        x = np.where(np.isnan(x), 0.0, x)
        x = np.hstack([np.ones((len(x), 1)), x, ind])
        names = ["const", *names, *[f"{f}_missing" for f in miss_cols]]
    return x, names


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
        y = train["onset"].cast(pl.Float64).to_numpy()
        self.n_train_ = train.height
        self.base_rate_ = float(y.mean())
        self.years_ = (int(train["year"].min()), int(train["year"].max()))
        if self.kind == "logit":
            import statsmodels.api as sm

            x, names = _design(train, self.features_, add_missing=True)
            self.missing_cols_ = [
                n.removesuffix("_missing") for n in names if n.endswith("_missing")
            ]
            keep = x.std(axis=0) > 0
            keep[0] = True  # the intercept
            self.columns_ = [n for n, k in zip(names, keep, strict=True) if k]
            self.keep_ = keep
            res = sm.Logit(y, x[:, keep]).fit(
                disp=0,
                maxiter=self.max_iter,
                method="newton",
                start_params=start_params
                if start_params is not None and len(start_params) == keep.sum()
                else None,
            )
            self.coef_ = np.asarray(res.params)
            self.result_ = res
            self.groups_ = (train["ccode1"].cast(pl.Int64) * 1000 + train["ccode2"]).to_numpy()
            self.x_train_ = x[:, keep]
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier

            x = train.select(pl.col(self.features_).cast(pl.Float64)).to_numpy()
            params = {
                "max_iter": 300,
                "learning_rate": 0.05,
                "max_leaf_nodes": 31,
                "l2_regularization": 1.0,
                "random_state": 0,
                **self.gbm_params,
            }
            self.estimator_ = HistGradientBoostingClassifier(**params).fit(x, y)
        return self

    def predict_proba(self, panel: pl.DataFrame) -> np.ndarray:
        """Probability of onset for every row of ``panel`` (rows not at risk included)."""
        if not hasattr(self, "features_"):
            raise FoedusError("the model is not fitted", "call fit(panel) first.")
        if self.kind == "logit":
            x, _ = _design(panel, self.features_, add_missing=True, missing_cols=self.missing_cols_)
            eta = x[:, self.keep_] @ self.coef_
            return 1.0 / (1.0 + np.exp(-eta))
        x = panel.select(pl.col(self.features_).cast(pl.Float64)).to_numpy()
        return self.estimator_.predict_proba(x)[:, 1]

    def summary(self) -> pl.DataFrame:
        """Logit coefficients with dyad-clustered standard errors (Liang & Zeger 1986)."""
        if self.kind != "logit" or not hasattr(self, "result_"):
            raise FoedusError("summary() is for a fitted logit", "fit(kind='logit') first.")
        from statsmodels.stats.sandwich_covariance import cov_cluster

        cov = cov_cluster(self.result_, self.groups_)
        se = np.sqrt(np.diag(cov))
        z = self.coef_ / se
        from math import erf, sqrt

        p = [2 * (1 - 0.5 * (1 + erf(abs(v) / sqrt(2)))) for v in z]
        return pl.DataFrame(
            {"term": self.columns_, "coef": self.coef_, "se_cluster": se, "z": z, "p": p}
        )
