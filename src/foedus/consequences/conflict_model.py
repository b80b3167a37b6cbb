"""The conflict-risk model: a logit of conflict (MID initiation or onset) with naive and
dyad-clustered covariances and Monte Carlo draws of its coefficients
(:class:`ConflictRiskModel`), and its fit on today's data kept in a verified cache
(:func:`fitted_model`). The specifications and their design are
:mod:`foedus.consequences.conflict_design`; rules, sign table and citations:
docs/consequences.md, "Conflict risk".
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from foedus import catalog, validate
from foedus.consequences.conflict_design import (
    DEFAULT_SPEC,
    SPECS,
    Spec,
    TrainingData,
    check_spec,
    check_training_years,
    training_data,
)
from foedus.derived import DerivedStore
from foedus.errors import FoedusWarning, InvalidArgumentError, ModelFileError, ModelFitError

__all__ = [
    "ConflictRiskModel",
    "fitted_model",
    "forget_loaded",
    "model_is_current",
    "model_key",
    "model_store",
    "point_proba",
    "proba_draws",
    "resolve_model",
    "with_const",
]

MODEL_FORMAT = "foedus.conflict-risk-model/1"
CACHE_ENTRY = "foedus.conflict-risk-cache/1"
#: The layout of the cache entries (the store's ``version``).
ENTRY_VERSION = 1
#: The most coefficient draws one call makes.
MAX_DRAWS = 100_000


# --- the estimator ------------------------------------------------------------------------------


def _sigmoid_inplace(eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-eta) = inf for eta < -709: p = 0, as it should
        np.negative(eta, out=eta)
        np.exp(eta, out=eta)
        eta += 1.0
        np.reciprocal(eta, out=eta)
    return eta


def proba_draws(x1: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """Probabilities (rows x draws) of design rows ``x1`` (with the intercept column) under
    coefficient draws ``betas`` (draws x k). Each row is one (1 x k) @ (k x draws) product of
    the same shape, so a row's probabilities do not depend on which other rows are evaluated
    with it (a matrix product over many rows may round differently by position); the
    sigmoid is computed in place."""
    x1 = np.ascontiguousarray(x1, dtype=np.float64)
    bt = np.ascontiguousarray(np.asarray(betas, dtype=np.float64).T)
    eta = np.matmul(x1[:, None, :], bt)[:, 0, :]
    return _sigmoid_inplace(eta)


def with_const(x: np.ndarray) -> np.ndarray:
    """``x`` with a leading intercept column of ones."""
    return np.column_stack([np.ones(len(x)), x])


def point_proba(x1: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """The probabilities of design rows ``x1`` (with the intercept) at ``coef``, row by row
    as :func:`proba_draws` (so equal rows give equal values wherever they are evaluated)."""
    return proba_draws(x1, np.asarray(coef, dtype=np.float64)[None, :])[:, 0]


def _sqrt_psd(cov: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(cov)
    return v * np.sqrt(np.clip(w, 0.0, None))


def _rng(rng: object) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    seed = validate.integer(rng, "rng", lo=0, hint="pass a seed >= 0 or a numpy Generator.")
    return np.random.default_rng(seed)


def _p_value(z: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    return 2 * norm.sf(np.abs(z))


class ConflictRiskModel:
    """A logit of conflict (initiation or onset) with dyad-clustered errors.

    scikit-learn conventions: ``spec`` (a name in :data:`SPECS`, or None with ``features``)
    and the fitting options are hyper-parameters; :meth:`fit` learns ``coef_`` (intercept
    first, named in ``feature_names_``), ``cov_`` (clustered on the undirected dyad:
    statsmodels' ``cov_cluster`` with its small-sample correction), ``cov_naive_`` (the
    inverse information), ``n_obs_``, ``n_events_``, ``n_clusters_``, ``llf_``. ``X`` holds
    the features in order (an array, or a frame with those columns)."""

    def __init__(
        self,
        spec: str | None = DEFAULT_SPEC,
        features: Sequence[str] | None = None,
        *,
        max_iter: int = 100,
    ) -> None:
        self.spec = spec
        self.features = None if features is None else tuple(features)
        self.max_iter = max_iter

    # -- parameters ------------------------------------------------------------------------

    def _features(self) -> tuple[str, ...]:
        if self.features is not None:
            feats = tuple(validate.names(list(self.features), "features", at_least=1))
            if self.spec is not None:
                unknown = [f for f in feats if f not in check_spec(self.spec).features]
                if unknown:
                    raise InvalidArgumentError(
                        "features",
                        f"features {unknown} are not terms of the {self.spec} specification",
                        f"choose among {list(check_spec(self.spec).features)}.",
                    )
            return feats
        if self.spec is None:
            raise InvalidArgumentError(
                "features", "give a specification or the features", "e.g. spec='leeds2003'."
            )
        return check_spec(self.spec).features

    def _matrix(self, x: object, feats: Sequence[str]) -> np.ndarray:
        if isinstance(x, pl.DataFrame):
            missing = [f for f in feats if f not in x.columns]
            if missing:
                raise InvalidArgumentError(
                    "X", f"X lacks the feature columns {missing}", "pass the features as columns."
                )
            x = x.select(pl.col(list(feats)).cast(pl.Float64).fill_null(np.nan)).to_numpy()
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            arr = np.empty((0, 0))
        if arr.ndim != 2 or arr.shape[1] != len(feats):
            raise InvalidArgumentError(
                "X",
                f"X must be a 2-D array with {len(feats)} feature columns "
                f"({', '.join(feats)}), not shape {getattr(arr, 'shape', None)}",
                "pass one row per dyad-year, the features in the model's order.",
            )
        return np.ascontiguousarray(arr)

    # -- fitting -----------------------------------------------------------------------------

    def fit(
        self,
        X: object,
        y: object,
        groups: object = None,
        *,
        start_params: np.ndarray | None = None,
        covariance: bool = True,
    ) -> ConflictRiskModel:
        """Fit by Newton-Raphson (statsmodels ``Logit``). ``groups``: the cluster (undirected
        dyad) of each row; without it every row is its own cluster. ``covariance=False``
        skips both covariances (rolling backtests need only the coefficients)."""
        import statsmodels.api as sm
        from statsmodels.stats.sandwich_covariance import cov_cluster
        from statsmodels.tools.sm_exceptions import PerfectSeparationError

        feats = self._features()
        x = self._matrix(X, feats)
        yy = np.asarray(y, dtype=np.float64).ravel()
        if yy.shape[0] != x.shape[0]:
            raise InvalidArgumentError(
                "y", f"y has {yy.shape[0]} values for {x.shape[0]} rows", "one outcome per row."
            )
        if not np.isfinite(x).all():
            raise InvalidArgumentError(
                "X", "X has missing values", "drop the incomplete rows (complete cases) first."
            )
        if not np.isin(yy, (0.0, 1.0)).all():
            raise InvalidArgumentError("y", "y must be 0/1", "code the event as 1, else 0.")
        if np.unique(yy).size < 2:
            raise ModelFitError(
                "the rows hold only one outcome: a logit cannot be estimated",
                "give rows with and without the event.",
            )
        g = np.arange(len(yy)) if groups is None else np.asarray(groups).ravel()
        if g.shape[0] != len(yy):
            raise InvalidArgumentError(
                "groups", f"groups has {g.shape[0]} values for {len(yy)} rows", "one per row."
            )
        exog = with_const(x)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sm.Logit(yy, exog).fit(
                    method="newton", maxiter=self.max_iter, disp=0, start_params=start_params
                )
        except (PerfectSeparationError, np.linalg.LinAlgError, ValueError) as e:
            raise ModelFitError(
                f"the conflict-risk logit could not be estimated ({str(e).splitlines()[0]})",
                "check the design for a constant or perfectly predicting column.",
            ) from None
        coef = np.asarray(res.params, dtype=np.float64)
        if not res.mle_retvals.get("converged", False) or not np.isfinite(coef).all():
            raise ModelFitError(
                f"the conflict-risk logit did not converge in {self.max_iter} iterations",
                "check the design for separation, or raise max_iter.",
            )
        self.feature_names_ = ["const", *feats]
        self.features_ = list(feats)
        self.coef_ = coef
        self.n_obs_ = len(yy)
        self.n_events_ = int(yy.sum())
        self.llf_ = float(res.llf)
        codes = np.unique(g, return_inverse=True)[1].astype(np.int64)
        self.n_clusters_ = int(codes.max()) + 1
        if covariance:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.cov_naive_ = np.asarray(res.cov_params(), dtype=np.float64)
                self.cov_ = np.asarray(cov_cluster(res, codes), dtype=np.float64)
            self.cov_ = (self.cov_ + self.cov_.T) / 2
        else:
            self.cov_naive_ = self.cov_ = np.full((len(coef), len(coef)), np.nan)
        self._sqrt = None
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelFitError(
                "this conflict-risk model is not fitted", "call fit() or use fitted_model()."
            )

    # -- prediction --------------------------------------------------------------------------

    def decision_function(self, X: object) -> np.ndarray:
        """The log-odds of each row (row by row, as :func:`proba_draws`)."""
        self._fitted()
        x1 = with_const(self._matrix(X, self.features_))
        return np.matmul(x1[:, None, :], self.coef_[:, None])[:, 0, 0]

    def predict_proba(self, X: object) -> np.ndarray:
        """``(n, 2)``: the probabilities of no event and of the event (scikit-learn's
        layout); the event's equal :func:`point_proba` of the rows."""
        p = _sigmoid_inplace(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def coef_draws(self, n_draws: int = 1000, rng: object = 0) -> np.ndarray:
        """``(n_draws, k)`` coefficient draws from N(coef_, cov_): standard normals (``rng``:
        a seed or a Generator) times a square root of the clustered covariance, so equal
        seeds give equal draws whatever the rows they are applied to."""
        self._fitted()
        n = validate.integer(n_draws, "n_draws", lo=1, hi=MAX_DRAWS, hint="e.g. n_draws=1000.")
        if not np.isfinite(self.cov_).all():
            raise ModelFitError(
                "this model was fitted without its covariance", "refit with covariance=True."
            )
        if getattr(self, "_sqrt", None) is None:
            self._sqrt = _sqrt_psd(self.cov_)
        z = _rng(rng).standard_normal((n, len(self.coef_)))
        return self.coef_ + z @ self._sqrt.T

    def draw_proba(self, X: object, n_draws: int = 1000, rng: object = 0) -> np.ndarray:
        """Probabilities ``(rows, n_draws)`` under coefficient draws (:meth:`coef_draws`):
        one product of the rows with the draws, so the same ``rng`` seed gives the same draws
        for every call (common random numbers for baseline and scenario)."""
        x = self._matrix(X, self.features_)
        return proba_draws(with_const(x), self.coef_draws(n_draws, rng))

    # -- reporting ---------------------------------------------------------------------------

    def sign_table(self) -> pl.DataFrame:
        """Per term: the published sign and where it comes from, the estimate, naive and
        clustered standard errors, z and p, and whether the published pattern holds under
        each: same sign with p < 0.05 (``holds_clustered``: the sign "survives
        clustering"). Terms without a published sign have null there."""
        self._fitted()
        pub = check_spec(self.spec).published if self.spec in SPECS else {}
        se_n = np.sqrt(np.diag(self.cov_naive_))
        se_c = np.sqrt(np.diag(self.cov_))
        z_n, z_c = self.coef_ / se_n, self.coef_ / se_c
        p_n, p_c = _p_value(z_n), _p_value(z_c)
        rows = []
        for k, term in enumerate(self.feature_names_):
            sign, basis = pub.get(term, (None, "intercept" if term == "const" else ""))
            est = "+" if self.coef_[k] > 0 else "-"

            def holds(p: float, sign: str | None = sign, est: str = est) -> bool | None:
                return None if sign is None else bool(est == sign and p < 0.05)

            rows.append(
                {
                    "term": term,
                    "published": sign,
                    "basis": basis,
                    "coef": float(self.coef_[k]),
                    "se_naive": float(se_n[k]),
                    "z_naive": float(z_n[k]),
                    "p_naive": float(p_n[k]),
                    "se_cluster": float(se_c[k]),
                    "z_cluster": float(z_c[k]),
                    "p_cluster": float(p_c[k]),
                    "holds_naive": holds(float(p_n[k])),
                    "holds_clustered": holds(float(p_c[k])),
                }
            )
        return pl.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """What the consequence reports of the model."""
        self._fitted()
        return {
            "spec": self.spec,
            "features": list(self.features_),
            "n_obs": self.n_obs_,
            "n_events": self.n_events_,
            "n_clusters": self.n_clusters_,
            "years": None if getattr(self, "years_", None) is None else list(self.years_),
        }

    # -- persistence -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The fitted model as plain JSON types (floats round-trip exactly)."""
        self._fitted()
        return {
            "format": MODEL_FORMAT,
            "spec": self.spec,
            "features": list(self.features_),
            "max_iter": self.max_iter,
            "coef": [float(v) for v in self.coef_],
            "cov": [[float(v) for v in r] for r in self.cov_],
            "cov_naive": [[float(v) for v in r] for r in self.cov_naive_],
            "n_obs": int(self.n_obs_),
            "n_events": int(self.n_events_),
            "n_clusters": int(self.n_clusters_),
            "llf": float(self.llf_),
            "years": None if getattr(self, "years_", None) is None else list(self.years_),
        }

    @classmethod
    def from_dict(cls, doc: object) -> ConflictRiskModel:
        """A fitted model from :meth:`to_dict`'s output (:class:`ModelFileError` if it is not
        one)."""
        try:
            if not isinstance(doc, dict) or doc.get("format") != MODEL_FORMAT:
                raise ValueError("it is not a conflict-risk model")
            feats = [str(f) for f in doc["features"]]
            k = len(feats) + 1
            coef = np.asarray(doc["coef"], dtype=np.float64)
            cov = np.asarray(doc["cov"], dtype=np.float64)
            naive = np.asarray(doc["cov_naive"], dtype=np.float64)
            if coef.shape != (k,) or cov.shape != (k, k) or naive.shape != (k, k):
                raise ValueError("its coefficients and covariances do not match its features")
            if not np.isfinite(coef).all():
                raise ValueError("its coefficients are not finite")
            m = cls(doc["spec"], feats, max_iter=int(doc["max_iter"]))
            m._features()
            m.features_ = feats
            m.feature_names_ = ["const", *feats]
            m.coef_, m.cov_, m.cov_naive_ = coef, cov, naive
            m.n_obs_, m.n_events_ = int(doc["n_obs"]), int(doc["n_events"])
            m.n_clusters_, m.llf_ = int(doc["n_clusters"]), float(doc["llf"])
            years = doc.get("years")
            m.years_ = None if years is None else (int(years[0]), int(years[1]))
            m._sqrt = None
        except (ValueError, KeyError, TypeError, IndexError, InvalidArgumentError) as e:
            raise ModelFileError(
                f"not a conflict-risk model: {str(e).splitlines()[0][:200]}",
                "refit it with foedus.consequences.conflict_risk.fitted_model(refit=True).",
            ) from None
        return m


# --- the cached fit -----------------------------------------------------------------------------


def model_store(settings: catalog.Settings | None = None) -> DerivedStore:
    """The conflict-risk model cache, ``<cache>/conflict-risk``."""
    s = settings or catalog.Settings.from_env()
    return DerivedStore(s.cache_dir / "conflict-risk", "model")


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def model_key(spec: Spec, years: tuple[int, int]) -> dict[str, Any]:
    """The cache key of a fit: the specification (name, outcome, features, training years),
    the sha256 of every data set it reads and the environment (foedus's version and code
    digest, the libraries' versions; :func:`foedus.prospects.cache.environment`)."""
    from foedus.prospects.cache import data_vintages, environment

    return json.loads(
        _canonical(
            {
                "entry": CACHE_ENTRY,
                "spec": {
                    "name": spec.name,
                    "outcome": spec.outcome_text,
                    "directed": spec.directed,
                    "features": list(spec.features),
                    "relevant_only": spec.relevant_only,
                    "years": [int(years[0]), int(years[1])],
                },
                "data": data_vintages(spec.datasets),
                "environment": environment(),
                "format": MODEL_FORMAT,
            }
        )
    )


def model_is_current(manifest: dict[str, Any]) -> str | None:
    """None if a cached conflict-risk model could be served today, else why not (for
    ``foedus data verify`` / ``clean``)."""
    from foedus.prospects.cache import environment

    key = manifest.get("key")
    if not isinstance(key, dict) or key.get("entry") != CACHE_ENTRY:
        return "its manifest holds no conflict-risk key"
    if hashlib.sha256(_canonical(key)).hexdigest() != manifest["source"]["sha256"]:
        return "its key does not match its manifest"
    if manifest.get("version") != ENTRY_VERSION:
        return f"entry version {manifest.get('version')}, now {ENTRY_VERSION}"
    if key.get("environment") != environment():
        return "made by another build of foedus or other libraries"
    spec = key.get("spec", {}).get("name")
    if spec not in SPECS:
        return f"its specification {spec!r} is no longer known"
    years = tuple(key["spec"].get("years", ()))
    if model_key(SPECS[spec], years) != key:  # type: ignore[arg-type]
        return "made from other data or another specification"
    return None


_LOADED: dict[str, ConflictRiskModel] = {}


def forget_loaded() -> None:
    """Drop the fits this process holds in memory: the next :func:`fitted_model` reads the
    cache (or fits) as a new process would."""
    _LOADED.clear()


def fitted_model(
    spec: str = DEFAULT_SPEC,
    *,
    years: tuple[int, int] | None = None,
    cache: bool = True,
    refit: bool = False,
    data: TrainingData | None = None,
) -> ConflictRiskModel:
    """The specification fitted on today's data (``years``: default the outcome's coverage),
    from the cache when its key matches (:func:`model_key`), else fitted and kept (verified:
    the entry's bytes against its manifest, its key, and a JSON round trip of the model).
    ``data``: a :func:`training_data` panel to fit on instead of building one."""
    sp = check_spec(spec)
    lo, hi = check_training_years(sp, years)
    cache = validate.flag(cache, "cache")
    refit = validate.flag(refit, "refit")
    key = model_key(sp, (lo, hi))
    sha = hashlib.sha256(_canonical(key)).hexdigest()
    if cache and not refit and sha in _LOADED:
        return _LOADED[sha]
    store = model_store() if cache else None
    name = f"conflict-{sha[:32]}.model"
    if store is not None and not refit:
        got = store.read(name, source_sha256=sha, version=ENTRY_VERSION)
        if got is not None:
            try:
                doc = json.loads(got.decode("utf-8"))
                if not isinstance(doc, dict) or doc.get("format") != CACHE_ENTRY:
                    raise ValueError("it is not a conflict-risk cache entry")
                if doc.get("key") != key:
                    raise ValueError("it holds a model of another key")
                m = ConflictRiskModel.from_dict(doc["model"])
                if m.spec != sp.name or tuple(m.features_) != sp.features or m.years_ != (lo, hi):
                    raise ValueError("its model is not the one its key describes")
                _LOADED[sha] = m
                return m
            except (ValueError, KeyError, UnicodeDecodeError, ModelFileError) as e:
                msg = e.message if isinstance(e, ModelFileError) else str(e)
                store.damaged(name, msg.splitlines()[0][:300])
    td = data if data is not None else training_data(sp, (lo, hi))
    if td.spec.name != sp.name or td.years != (lo, hi):
        raise InvalidArgumentError(
            "data",
            f"data is the {td.spec.name} panel of {td.years[0]}-{td.years[1]}, not the "
            f"{sp.name} panel of {lo}-{hi}",
            "build it with training_data(spec, years).",
        )
    m = ConflictRiskModel(sp.name).fit(td.x, td.y, td.groups)
    m.years_ = (lo, hi)
    if store is not None:
        doc = m.to_dict()
        back = ConflictRiskModel.from_dict(json.loads(_canonical(doc)))
        same = back.coef_.tobytes() == m.coef_.tobytes() and back.cov_.tobytes() == m.cov_.tobytes()
        if same:
            store.write(
                name,
                _canonical({"format": CACHE_ENTRY, "key": key, "model": doc}),
                source=f"conflict-risk model {sp.name} {lo}-{hi}",
                source_sha256=sha,
                version=ENTRY_VERSION,
                key=key,
            )
        else:  # pragma: no cover - JSON floats round-trip exactly
            warnings.warn(
                "the conflict-risk model does not read back exactly; it is not cached",
                FoedusWarning,
                stacklevel=2,
            )
        _LOADED[sha] = m
    return m


def resolve_model(model: object, sp: Spec) -> ConflictRiskModel:
    if model is None:
        return fitted_model(sp.name)
    if not isinstance(model, ConflictRiskModel) or not hasattr(model, "coef_"):
        raise InvalidArgumentError(
            "model",
            f"model must be a fitted ConflictRiskModel, not {type(model).__name__}",
            "leave model out for the cached fit, or pass fitted_model(spec).",
        )
    if tuple(model.features_) != sp.features:
        raise InvalidArgumentError(
            "model",
            f"the model's features {model.features_} are not the {sp.name} specification's",
            f"pass a model fitted with spec={sp.name!r}.",
        )
    return model
