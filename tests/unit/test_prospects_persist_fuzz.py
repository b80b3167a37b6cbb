"""Property tests of model files: a saved file, damaged in any of many ways, is refused with
:class:`ModelFileError` or loads a model that predicts exactly what the saved one did; never
another exception, never a silently different model.

Two settings:

* **sealed**: the damaged file as it is (a ``foedus.model/2`` file whose digest no longer
  fits): every mutation, including the small numeric ones (one coefficient moved by an ulp, a
  threshold shifted, a split moved to another feature) that only the digest can notice;
* **unsealed**: the same damage in a ``foedus.model/1`` file (no digest) or in a version 2 file
  whose digest was recomputed after the damage, so that the schema and the semantic checks
  alone must catch it. Small numeric perturbations that keep every invariant (a coefficient
  moved a little, a whole covariance scaled, a threshold shifted, left and right swapped) are
  undetectable there by construction and are left out; the damage kept is of the kinds the
  checks promise to catch (types, keys, nesting, non-finite and huge numbers, truncation,
  duplicate keys, reordered features, gross rescaling, asymmetric or indefinite covariances,
  corrupted tree indices).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from foedus.errors import ModelFileError
from foedus.prospects.models import FormationModel
from foedus.prospects.persist import FORMAT, digest, load_model, model_to_dict
from tests.unit.test_prospects_models import _arrays, simulated
from tests.unit.test_prospects_persist import (
    FEATS,
    KINDS,
    SPEC,
    VINTAGES,
    model,
    outputs,
    same_outputs,
)

# numeric checks must not overflow on what they are given (and so cannot pass NaN along)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

Path_ = tuple[Any, ...]
_MARK = "__mutation_marker__"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-files")


@functools.cache
def fuzz_model(kind: str) -> FormationModel:
    """The shared logits, and a smaller boosted model (6 trees of 5 leaves, 2 refits) so that
    each example stays fast."""
    if kind != "gbm":
        return model(kind)
    raw, y, dyads = _arrays(simulated(n=3_000, seed=3), FEATS)
    m = FormationModel(
        calibration=None,
        kind="gbm",
        features=FEATS,
        n_bootstrap=2,
        gbm_params={"max_iter": 6, "max_leaf_nodes": 5},
    )
    with threadpool_limits(1, "openmp"):
        return m.fit_arrays(raw, y, dyads, years=(1950, 1999))


@functools.cache
def expected(kind: str) -> tuple:
    return outputs(fuzz_model(kind))


@functools.cache
def _saved(kind: str) -> str:
    return json.dumps(model_to_dict(fuzz_model(kind), spec=SPEC, vintages=VINTAGES))


def base(kind: str, setting: str) -> dict[str, Any]:
    """A fresh copy of the saved document, as version 2 (with its digest) or version 1."""
    d = json.loads(_saved(kind))
    d["sha256"] = digest(d)
    if setting == "v1":
        del d["sha256"]
        d["format"] = "foedus.model/1"
    return d


@functools.cache
def _paths(kind: str, setting: str) -> tuple[Path_, ...]:
    """Every position in the document (values and containers), the root excluded."""
    out: list[Path_] = []
    stack: list[tuple[Any, Path_]] = [(base(kind, setting), ())]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            out.append((*path, k))
            if isinstance(v, dict | list):
                stack.append((v, (*path, k)))
    return tuple(sorted(out, key=repr))


def _get(d: Any, path: Path_) -> Any:
    for k in path:
        d = d[k]
    return d


def _set(d: Any, path: Path_, value: Any) -> None:
    _get(d, path[:-1])[path[-1]] = value


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    return type(v).__name__


# --- mutations: each draws its details and edits the document, or returns text -----------------

Mutation = Callable[[st.DataObject, dict[str, Any], str, str], "str | None"]
OTHER_TYPES = [None, True, 7, 0.5, "x", [], [1], {}, {"a": 1}]
HUGE = [1e308, -1e308, 10**30, -(10**30), 2**53 + 1, 2**63]
TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 400]


def _position(data: st.DataObject, d: dict, kind: str, setting: str, **kw: Any) -> Path_:
    """A position in the (undamaged) document ``d``; with ``dicts``, a non-empty object."""
    paths = _dict_paths(kind, setting) if kw.get("dicts") else _paths(kind, setting)
    return data.draw(st.sampled_from(paths), label="position")


@functools.cache
def _dict_paths(kind: str, setting: str) -> tuple[Path_, ...]:
    d = base(kind, setting)
    return tuple(p for p in _paths(kind, setting) if isinstance(_get(d, p), dict) and _get(d, p))


def change_type(data, d, kind, setting):
    p = _position(data, d, kind, setting)
    old = _get(d, p)
    options = [v for v in OTHER_TYPES if _json_type(v) != _json_type(old)]
    if old in ("inf", "-inf"):  # an infinite threshold: a number would be a new threshold
        options = [v for v in options if _json_type(v) != "number"]
    _set(d, p, copy.deepcopy(data.draw(st.sampled_from(options), label="value")))


def delete(data, d, kind, setting):
    p = _position(data, d, kind, setting)
    del _get(d, p[:-1])[p[-1]]


def wrap(data, d, kind, setting):
    p = _position(data, d, kind, setting)
    old = _get(d, p)
    _set(d, p, [old] if data.draw(st.booleans(), label="in a list") else {"value": old})


def null(data, d, kind, setting):
    _set(d, _position(data, d, kind, setting), None)


def huge(data, d, kind, setting):
    _set(d, _position(data, d, kind, setting), data.draw(st.sampled_from(HUGE), label="number"))


def extra_key(data, d, kind, setting):
    _get(d, _position(data, d, kind, setting, dicts=True))["unexpected"] = 1


def token(data, d, kind, setting):
    """A NaN or infinity token, or a number beyond range, where a value was."""
    _set(d, _position(data, d, kind, setting), _MARK)
    return _text(d, setting).replace(f'"{_MARK}"', data.draw(st.sampled_from(TOKENS)), 1)


def duplicate_key(data, d, kind, setting):
    p = _position(data, d, kind, setting, dicts=True)
    obj = _get(d, p)
    key = data.draw(st.sampled_from(sorted(obj)), label="key")
    obj[_MARK] = copy.deepcopy(obj[key])
    return _text(d, setting).replace(f'"{_MARK}"', json.dumps(key), 1)


def truncate(data, d, kind, setting):
    text = _text(d, setting)
    return text[: data.draw(st.integers(0, len(text) - 1), label="length")]


def reorder_features(data, d, kind, setting):
    order = data.draw(st.permutations(d["features"]).filter(lambda p: p != d["features"]))
    d["features"] = list(order)


def _scale(data, d, kind, factors: list[float]) -> None:
    f = data.draw(st.sampled_from(factors), label="factor")
    if kind == "gbm":
        where = data.draw(st.sampled_from(["trees", *range(len(d["gbm"]["bootstrap"]))]))
        t = d["gbm"]["trees"] if where == "trees" else d["gbm"]["bootstrap"][where]
        if data.draw(st.booleans(), label="baseline"):
            t["baseline"] *= f
        else:  # every node value: leaves and expected values stay consistent
            t["nodes"]["value"] = [v * f for v in t["nodes"]["value"]]
    else:
        keys = data.draw(
            st.sampled_from([("coef",), ("raw_coef",), ("coef", "raw_coef"), ("x_mean",)]),
            label="arrays",
        )
        for key in keys:
            d["logit"][key] = [v * f for v in d["logit"][key]]


def gross_scale(data, d, kind, setting):
    """Estimates scaled by 10^4 (the logits' and trees' values here are 0.05 to 3)."""
    _scale(data, d, kind, [1e4, -1e4])


def small_scale(data, d, kind, setting):
    _scale(data, d, kind, [1.001, 0.5, 2.0, -1.0])


def _cov(d):
    return np.array(d["logit"]["cov"])


def break_covariance(data, d, kind, setting):
    if kind == "gbm":
        return corrupt_child(data, d, kind, setting)
    c = _cov(d)
    k = c.shape[0]
    se = np.sqrt(np.diag(c))
    how = data.draw(
        st.sampled_from(
            ["asymmetric", "indefinite", "valid correlations", "correlation", "variance"]
        )
    )
    i = data.draw(st.integers(0, k - 1), label="i")
    j = data.draw(st.integers(0, k - 1).filter(lambda j: j != i), label="j")
    if how == "asymmetric":  # 5% of the entry's scale on one side only
        c[i, j] += data.draw(st.sampled_from([0.05, -0.3, 1.0])) * se[i] * se[j]
    elif how == "indefinite":  # minus twice the largest eigenvalue along its direction
        w, v = np.linalg.eigh(c)
        c = c - 2 * w[-1] * np.outer(v[:, -1], v[:, -1])
    elif how == "valid correlations":  # every |correlation| <= 1, and still indefinite
        (i, j, m) = data.draw(st.permutations(range(k)), label="terms")[:3]
        r = np.eye(k)
        r[i, j] = r[j, i] = r[i, m] = r[m, i] = 0.9
        r[j, m] = r[m, j] = -0.9
        c = r * np.outer(se, se)
    elif how == "correlation":
        c[i, j] = c[j, i] = data.draw(st.sampled_from([1.5, -3.0])) * se[i] * se[j]
    else:
        c[i, i] = data.draw(st.sampled_from([0.0, -c[i, i], -1.0]))
    d["logit"]["cov"] = c.tolist()


def corrupt_child(data, d, kind, setting):
    """One child index of a tree node set to another value (the structure can tell)."""
    if kind != "gbm":
        return break_covariance(data, d, kind, setting)
    where = data.draw(st.sampled_from(["trees", *range(len(d["gbm"]["bootstrap"]))]))
    nodes = (d["gbm"]["trees"] if where == "trees" else d["gbm"]["bootstrap"][where])["nodes"]
    n = len(nodes["left"])
    side = data.draw(st.sampled_from(["left", "right"]))
    i = data.draw(st.integers(0, n - 1), label="node")
    old = nodes[side][i]
    nodes[side][i] = data.draw(st.integers(-3, n + 3).filter(lambda v: v != old), label="child")


def subtle(data, d, kind, setting):
    """Changes of the model that keep every invariant: only the digest can see them."""
    if kind == "gbm":
        t = d["gbm"]["bootstrap"][0] if data.draw(st.booleans()) else d["gbm"]["trees"]
        nodes = t["nodes"]
        inner = [i for i, leaf in enumerate(nodes["is_leaf"]) if not leaf]
        i = data.draw(st.sampled_from(inner), label="node")
        how = data.draw(st.sampled_from(["threshold", "feature", "swap", "missing"]))
        if how == "threshold" and isinstance(nodes["threshold"][i], float):
            nodes["threshold"][i] += data.draw(st.sampled_from([1e-9, 0.25, -1.0]))
        elif how == "feature":
            nodes["feature"][i] = 1 - nodes["feature"][i]
        elif how == "swap":
            nodes["left"][i], nodes["right"][i] = nodes["right"][i], nodes["left"][i]
        else:
            nodes["missing_left"][i] = not nodes["missing_left"][i]
    else:
        key = data.draw(st.sampled_from(["coef", "raw_coef", "x_mean", "cov"]))
        j = data.draw(st.integers(0, len(d["logit"]["coef"]) - 1), label="term")
        if key == "cov":
            d["logit"]["cov"][j][j] *= 1.01
        else:
            d["logit"][key][j] = float(np.nextafter(d["logit"][key][j], math.inf))


STRUCTURAL: list[Mutation] = [
    change_type,
    delete,
    wrap,
    null,
    huge,
    extra_key,
    token,
    duplicate_key,
    truncate,
    reorder_features,
    gross_scale,
    break_covariance,
    corrupt_child,
]
ALL: list[Mutation] = [*STRUCTURAL, small_scale, subtle]


def _text(d: dict[str, Any], setting: str) -> str:
    if setting == "resealed" and d.get("format") == FORMAT and "sha256" in d:
        d["sha256"] = digest(d)
    return json.dumps(d)  # compact: the C encoder (indent=1 would take the slow Python one)


def _attempt(workdir: Path, kind: str, text: str, label: str) -> None:
    path = workdir / f"{kind}.json"
    path.write_text(text, encoding="utf-8")
    try:
        m, _ = load_model(path)
    except ModelFileError as e:
        assert e.hint, label
        assert str(path) in e.message, label
        return
    assert same_outputs(outputs(m), expected(kind)), f"{label}: loaded as a different model"


def _run(data: st.DataObject, workdir: Path, kind: str, setting: str, pool: list) -> None:
    mutation = data.draw(st.sampled_from(pool), label="mutation")
    d = base(kind, setting)
    text = mutation(data, d, kind, setting)
    if text is None:
        text = _text(d, setting)
    _attempt(workdir, kind, text, mutation.__name__)


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("kind", KINDS)
@_SETTINGS
@given(data=st.data())
def test_a_damaged_sealed_file_is_refused_or_the_same_model(workdir, kind, data):
    _run(data, workdir, kind, "sealed", ALL)


@pytest.mark.parametrize("setting", ["v1", "resealed"])
@pytest.mark.parametrize("kind", KINDS)
@_SETTINGS
@given(data=st.data())
def test_without_the_digest_the_checks_alone_catch_the_damage(workdir, kind, setting, data):
    _run(data, workdir, kind, setting, STRUCTURAL)


@pytest.mark.parametrize("kind", KINDS)
def test_the_undamaged_files_load_in_every_setting(workdir, kind):
    for setting in ("sealed", "v1", "resealed"):
        _attempt(workdir, kind, _text(base(kind, setting), setting), setting)
    m = fuzz_model(kind)  # the gross rescaling above is gross for these models
    if kind == "gbm":
        assert min(np.abs(t.value[t.is_leaf]).max() for t in [m.trees_, *m.bootstrap_]) > 0.01
        assert min(abs(t.baseline) for t in [m.trees_, *m.bootstrap_]) > 0.01
    else:
        assert np.abs(m.coef_).max() > 0.01 and np.abs(m.raw_coef_).max() > 0.01
