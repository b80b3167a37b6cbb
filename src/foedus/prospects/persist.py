"""Saving and loading fitted formation models as plain JSON: inspectable, diffable, and safe
(loading never runs code from the file, unlike pickle or joblib).

A model file holds a format tag (``foedus.model/1``), the foedus version, the model kind and
hyper-parameters, the specification (features in order, pledge, horizon, outcome), the
training years and sizes, the data vintages (each source's last year and the sha256 of each
data set, as in :func:`foedus.prospects.forecast.vintages`), and the learned state: for the
logits the design terms, coefficients (before and after the King-Zeng correction), the
dyad-clustered covariance and the training means; for the boosted model its trees and its
bootstrap refits in :class:`foedus.prospects.trees.TreeEnsemble`'s JSON form. Floats are
written with ``repr`` precision, so a loaded model predicts exactly what the saved one did.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from foedus.errors import FoedusError, ModelFileError
from foedus.prospects.models import KINDS, LOGITS, FormationModel

FORMAT = "foedus.model/1"


def model_to_dict(
    m: FormationModel, *, spec: dict[str, Any] | None = None, vintages: list | None = None
) -> dict[str, Any]:
    """The JSON-ready description of a fitted model (see the module docstring)."""
    from foedus import __version__

    if not hasattr(m, "n_train_"):
        raise FoedusError("the model is not fitted", "fit it before saving.")
    d: dict[str, Any] = {
        "format": FORMAT,
        "foedus_version": __version__,
        "kind": m.kind,
        "features": list(m.features_),
        "params": {
            "max_iter": m.max_iter,
            "gbm_params": dict(m.gbm_params),
            "negative_rate": m.negative_rate,
            "n_bootstrap": m.n_bootstrap,
            "random_state": m.random_state,
        },
        "spec": spec or {},
        "training": {
            "years": list(m.years_),
            "n_train": m.n_train_,
            "n_events": m.n_events_,
            "base_rate": m.base_rate_,
        },
        "vintages": vintages or [],
    }
    if m.kind in LOGITS:
        d["logit"] = {
            "columns": list(m.columns_),
            "keep": [bool(v) for v in m.keep_],
            "missing_groups": [list(g) for g in m.missing_groups_],
            "coef": m.coef_.tolist(),
            "raw_coef": m.raw_coef_.tolist(),
            "cov": m.cov_.tolist(),
            "x_mean": m.x_mean_.tolist(),
            "iterations": int(m.iterations_),
            "n_clusters": int(m.n_clusters_),
        }
    else:
        d["gbm"] = {
            "params": m.gbm_params_,
            "negative_rate": m.negative_rate_,
            "trees": m.trees_.to_dict(),
            "bootstrap": [t.to_dict() for t in m.bootstrap_],
        }
    return d


def save_model(
    m: FormationModel,
    path: str | Path,
    *,
    spec: dict[str, Any] | None = None,
    vintages: list | None = None,
) -> Path:
    """Write ``m`` to ``path`` as JSON; returns the path."""
    path = Path(path)
    text = json.dumps(model_to_dict(m, spec=spec, vintages=vintages), indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _array(d: dict, key: str, where: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    try:
        a = np.asarray(d[key], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(
            f"model file: {where}.{key} is missing or not numeric", "re-save the model."
        ) from e
    if shape is not None and a.shape != shape:
        raise ModelFileError(
            f"model file: {where}.{key} has shape {a.shape}, expected {shape}",
            "the file was edited or truncated; re-save the model.",
        )
    if not np.all(np.isfinite(a)):
        raise ModelFileError(f"model file: {where}.{key} holds non-finite numbers", "re-save it.")
    return a


def model_from_dict(d: dict[str, Any]) -> FormationModel:
    """Rebuild a fitted :class:`FormationModel` from :func:`model_to_dict`'s output."""
    from foedus.prospects.trees import TreeEnsemble

    if not isinstance(d, dict) or d.get("format") != FORMAT:
        tag = d.get("format") if isinstance(d, dict) else None
        raise ModelFileError(
            f"not a foedus model file (format tag {tag!r})",
            f'model files start with {{"format": "{FORMAT}"}}; save one with --save-model.',
        )
    kind = d.get("kind")
    if kind not in KINDS:
        raise ModelFileError(f"model file: unknown kind {kind!r}", f"use one of {KINDS}.")
    feats = d.get("features")
    if not isinstance(feats, list) or not all(isinstance(f, str) for f in feats) or not feats:
        raise ModelFileError("model file: 'features' must be a list of names", "re-save it.")
    params = d.get("params", {})
    m = FormationModel(
        kind=kind,
        features=feats,
        max_iter=int(params.get("max_iter", 200)),
        gbm_params=dict(params.get("gbm_params", {})),
        negative_rate=params.get("negative_rate"),
        n_bootstrap=int(params.get("n_bootstrap", 0)),
        random_state=int(params.get("random_state", 0)),
    )
    tr = d.get("training", {})
    try:
        m.features_ = list(feats)
        m.years_ = (int(tr["years"][0]), int(tr["years"][1]))
        m.n_train_ = int(tr["n_train"])
        m.n_events_ = int(tr["n_events"])
        m.base_rate_ = float(tr["base_rate"])
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise ModelFileError("model file: the 'training' block is incomplete", "re-save it.") from e
    if kind in LOGITS:
        lg = d.get("logit")
        if not isinstance(lg, dict):
            raise ModelFileError("model file: the 'logit' block is missing", "re-save it.")
        groups = lg.get("missing_groups", [])
        n_design = 1 + len(feats) + len(groups)
        keep = np.asarray(lg.get("keep", []), dtype=bool)
        if keep.shape != (n_design,) or not keep[0]:
            raise ModelFileError(
                f"model file: 'keep' must have {n_design} entries starting with true",
                "re-save the model.",
            )
        k = int(keep.sum())
        m.keep_ = keep
        m.missing_groups_ = [list(g) for g in groups]
        if any(g[0] not in feats for g in m.missing_groups_ if g):
            raise ModelFileError("model file: a missing-value group names no feature", "re-save.")
        m.columns_ = list(lg.get("columns", []))
        if len(m.columns_) != k:
            raise ModelFileError(f"model file: {len(m.columns_)} columns for {k} terms", "re-save.")
        m.coef_ = _array(lg, "coef", "logit", (k,))
        m.raw_coef_ = _array(lg, "raw_coef", "logit", (k,))
        m.cov_ = _array(lg, "cov", "logit", (k, k))
        m.x_mean_ = _array(lg, "x_mean", "logit", (k,))
        m.iterations_ = int(lg.get("iterations", 0))
        m.n_clusters_ = int(lg.get("n_clusters", 0))
    else:
        gb = d.get("gbm")
        if not isinstance(gb, dict) or "trees" not in gb:
            raise ModelFileError("model file: the 'gbm' block is missing", "re-save it.")
        m.trees_ = TreeEnsemble.from_dict(gb["trees"])
        m.bootstrap_ = [TreeEnsemble.from_dict(t) for t in gb.get("bootstrap", [])]
        m.gbm_params_ = dict(gb.get("params", {}))
        m.negative_rate_ = float(gb.get("negative_rate", 1.0))
        if m.trees_.n_features != len(feats):
            raise ModelFileError(
                f"model file: trees use {m.trees_.n_features} features, the file lists "
                f"{len(feats)}",
                "re-save the model.",
            )
    return m


def load_model(path: str | Path) -> tuple[FormationModel, dict[str, Any]]:
    """The fitted model saved at ``path`` and the file's description (spec, vintages)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(
            f"no model file at {path}", "save one with foedus forecast --save-model."
        )
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path} is not a JSON model file: {e}", "re-save the model.") from e
    m = model_from_dict(d)
    meta = {k: d.get(k) for k in ("foedus_version", "spec", "training", "vintages")}
    return m, meta
