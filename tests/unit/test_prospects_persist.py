"""Saved models: JSON round trips that predict exactly what the fitted model did; files are
validated completely (schema, semantics, digest) before use."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from foedus import catalog
from foedus.errors import FoedusError, InvalidArgumentError
from foedus.prospects import persist
from foedus.prospects.models import FormationModel
from foedus.prospects.persist import (
    ModelFileError,
    check_spec,
    digest,
    load_model,
    model_from_dict,
    save_model,
    vintage_changes,
)
from foedus.prospects.trees import TreeEnsemble, expected_values
from foedus.validate import this_year
from tests.unit.test_prospects_models import _arrays, simulated

FEATS = ["x1", "x2"]
VINTAGES = [
    {
        "source": "nmc",
        "title": "COW National Material Capabilities 7.0",
        "last_year": 2016,
        "features": ["log_cinc_ratio", "cinc_total"],
        "datasets": [{"name": "ps-cow-nmc", "version": "7.0", "sha256": "ab" * 32}],
    }
]


def fitted(kind: str) -> FormationModel:
    d = simulated(n=6_000)
    raw, y, dyads = _arrays(d, FEATS)
    m = FormationModel(
        calibration=None,
        kind=kind,
        features=FEATS,
        n_bootstrap=3,
        gbm_params={"max_iter": 20, "max_leaf_nodes": 7},
    )
    with threadpool_limits(1, "openmp"):  # tiny fits: OpenMP threads only add overhead
        return m.fit_arrays(raw, y, dyads, years=(1950, 1999))


@pytest.mark.parametrize("kind", ["relogit", "logit", "firth", "gbm"])
def test_round_trip_predicts_identically(kind, tmp_path):
    m = fitted(kind)
    path = save_model(m, tmp_path / "m.json", spec={"pledge": "defense"}, vintages=VINTAGES)
    loaded, meta = load_model(path)
    raw, _, _ = _arrays(simulated(n=500, seed=7), FEATS)
    np.testing.assert_array_equal(loaded.predict_proba_arrays(raw), m.predict_proba_arrays(raw))
    for a, b in zip(
        loaded.predict_interval_arrays(raw), m.predict_interval_arrays(raw), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.contributions(raw)[:2], m.contributions(raw)[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    assert meta["spec"] == {"pledge": "defense"} and meta["vintages"] == VINTAGES
    assert meta["training"]["years"] == [1950, 1999]
    text = path.read_text()
    assert json.loads(text)["format"] == "foedus.model/3"  # plain JSON, nothing executable


def test_gbm_contributions_add_up_and_intervals_come_from_the_bootstrap():
    m = fitted("gbm")
    raw, _, _ = _arrays(simulated(n=300, seed=8), FEATS)
    base, parts, names = m.contributions(raw)
    assert names == FEATS
    p = m.predict_proba_arrays(raw)
    np.testing.assert_allclose(1 / (1 + np.exp(-(base + parts.sum(1)))), p, rtol=1e-9)
    lo, hi = m.predict_interval_arrays(raw)
    reps = np.column_stack([t.predict_proba(raw) for t in m.bootstrap_])
    assert len(m.bootstrap_) == 3 and np.all(lo <= hi)
    np.testing.assert_allclose(lo, np.quantile(reps, 0.05, axis=1))
    np.testing.assert_allclose(hi, np.quantile(reps, 0.95, axis=1))
    m.bootstrap_ = []
    with pytest.raises(FoedusError, match="bootstrap"):
        m.predict_interval_arrays(raw)


def test_case_control_weighting_keeps_probabilities_calibrated():
    d = simulated(n=40_000)
    raw, y, dyads = _arrays(d, FEATS)
    with threadpool_limits(1, "openmp"):
        m = FormationModel(
            calibration=None,
            kind="gbm",
            features=FEATS,
            gbm_params={"max_iter": 60},
            negative_rate=0.2,
        ).fit_arrays(raw, y, dyads)
    assert m.negative_rate_ < 0.5  # a sample of the non-events was used
    p = m.predict_proba_arrays(raw)
    assert p.mean() == pytest.approx(y.mean(), rel=0.15)


def test_bad_model_files_are_refused_with_a_hint(tmp_path):
    with pytest.raises(ModelFileError, match="no model file"):
        load_model(tmp_path / "missing.json")
    p = tmp_path / "x.json"
    p.write_text("{not json")
    with pytest.raises(ModelFileError, match="not a JSON model file"):
        load_model(p)
    p.write_text(json.dumps({"format": "pickle"}))
    with pytest.raises(ModelFileError, match="format tag"):
        load_model(p)
    good = json.loads(save_model(fitted("logit"), tmp_path / "g.json").read_text())
    for breakage in (
        lambda d: d["logit"]["cov"].pop(),
        lambda d: d["logit"]["coef"].__setitem__(0, "nan"),
        lambda d: d.__setitem__("kind", "forest"),
        lambda d: d["logit"]["keep"].append(True),
        lambda d: d.pop("training"),
    ):
        d = json.loads(json.dumps(good))
        breakage(d)
        p.write_text(json.dumps(d))
        for reseal in (False, True):  # caught by the digest, and by the checks alone
            if reseal:
                d["sha256"] = digest(d)
            p.write_text(json.dumps(d))
            with pytest.raises(ModelFileError) as e:
                load_model(p)
            assert e.value.hint
            if reseal:  # the checks themselves, not the digest
                assert "changed after it was saved" not in e.value.message
    with pytest.raises(FoedusError, match="not fitted"):
        save_model(FormationModel(), tmp_path / "u.json")


# --- helpers for the checks below ---------------------------------------------------------------

KINDS = ["relogit", "logit", "firth", "gbm"]
SPEC = {"pledge": "defense", "horizon": 1, "outcome": "onset (ATOP 5.1, ndir)"}


@functools.cache
def model(kind: str) -> FormationModel:
    """A fitted model of each kind, shared by the tests below (which never change it)."""
    return fitted(kind)


@functools.cache
def _saved_text(kind: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = save_model(model(kind), Path(tmp) / "m.json", spec=SPEC, vintages=VINTAGES)
        return path.read_text(encoding="utf-8")


def document(kind: str) -> dict[str, Any]:
    """A fresh copy of the file save_model writes for ``model(kind)`` (foedus.model/2)."""
    return json.loads(_saved_text(kind))


@functools.cache
def _probe_rows() -> np.ndarray:
    raw, _, _ = _arrays(simulated(n=300, seed=7), FEATS)  # with missing values
    return raw


def outputs(m: FormationModel) -> tuple:
    """Everything a model gives for the test rows: probabilities, intervals, contributions."""
    raw = _probe_rows()
    base, parts, names = m.contributions(raw)
    return (m.predict_proba_arrays(raw), *m.predict_interval_arrays(raw), base, parts, names)


def same_outputs(a: tuple, b: tuple) -> bool:
    return a[-1] == b[-1] and all(np.array_equal(x, y) for x, y in zip(a[:-1], b[:-1], strict=True))


def refused(d: Any, *, reseal: bool = True, match: str | None = None) -> ModelFileError:
    """The error of loading ``d`` (after recomputing its digest, so that the checks other than
    the digest are the ones tested)."""
    if reseal and isinstance(d, dict) and d.get("format") == persist.FORMAT and "sha256" in d:
        d["sha256"] = digest(d)
    with pytest.raises(ModelFileError, match=match) as e:
        model_from_dict(d, source="m.json")
    assert e.value.hint, "every refusal says what to do"
    assert e.value.message.startswith("m.json"), "and names the file"
    return e.value


def accepted(d: dict[str, Any]) -> FormationModel:
    """The model of ``d`` (after recomputing its digest): the checks let it through."""
    if d.get("format") == persist.FORMAT:
        d["sha256"] = digest(d)
    return model_from_dict(d, source="m.json")


def _v1(d: dict[str, Any]) -> dict[str, Any]:
    d = copy.deepcopy(d)
    d.pop("sha256")
    d["format"] = "foedus.model/1"
    for key in ("calibration", "calibration_start", "calibration_min_years"):
        d["params"].pop(key)  # version 3's second stage
    d.pop("calibration")
    return d


# --- the format, the digest, the old format -----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_digest_covers_the_canonical_content(kind, tmp_path):
    path = save_model(model(kind), tmp_path / "m.json", spec=SPEC, vintages=VINTAGES)
    d = json.loads(path.read_text(encoding="utf-8"))
    assert d["format"] == "foedus.model/3"
    body = {k: v for k, v in d.items() if k != "sha256"}  # the canonical form, independently
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert d["sha256"] == hashlib.sha256(canon.encode("ascii")).hexdigest() == digest(d)
    # layout and key order are not content: a re-indented, reordered file loads the same model
    again = tmp_path / "again.json"
    again.write_text(json.dumps(dict(reversed(list(d.items()))), indent=4), encoding="utf-8")
    loaded, meta = load_model(again)
    assert same_outputs(outputs(loaded), outputs(model(kind)))
    assert meta["format"] == "foedus.model/3" and meta["sha256"] == d["sha256"]
    assert meta["path"] == str(again) and meta["spec"] == SPEC
    if kind == "gbm":  # the trees carry the feature names, so a reordered list is detected
        assert d["gbm"]["trees"]["feature_names"] == FEATS
        assert all(t["feature_names"] == FEATS for t in d["gbm"]["bootstrap"])


@pytest.mark.parametrize("kind", KINDS)
def test_any_change_after_saving_is_refused(kind, tmp_path):
    d = document(kind)
    if kind == "gbm":
        values = d["gbm"]["trees"]["nodes"]["value"]
        values[-1] = float(np.nextafter(values[-1], np.inf))  # one ulp of one leaf
    else:
        d["logit"]["coef"][1] = float(np.nextafter(d["logit"]["coef"][1], np.inf))
    e = refused(d, reseal=False, match="changed after it was saved")
    assert e.message.startswith("m.json: sha256:") and "re-save" in e.hint
    d = document(kind)
    d["vintages"][0]["datasets"][0]["sha256"] = "0" * 64  # also the description
    refused(d, reseal=False, match="changed after it was saved")
    # an intended change of the description, sealed again: loads
    assert same_outputs(outputs(accepted(d)), outputs(model(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_version_1_files_are_still_read_after_the_same_checks(kind, tmp_path):
    old = _v1(document(kind))
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old, indent=1), encoding="utf-8")
    loaded, meta = load_model(path)
    assert meta["format"] == "foedus.model/1" and meta["sha256"] is None
    assert same_outputs(outputs(loaded), outputs(model(kind)))
    if kind == "gbm":  # files of version 1 had no feature names in the trees
        old["gbm"]["trees"]["feature_names"] = None
        assert same_outputs(outputs(model_from_dict(old)), outputs(model(kind)))
    bad = _v1(document(kind))
    bad["training"]["base_rate"] = 0.5
    refused(bad, match="training.base_rate")
    refused({**_v1(document(kind)), "sha256": "0" * 64}, match="carries no digest")
    d = document(kind)
    del d["sha256"]
    refused(d, reseal=False, match=r"sha256: is missing")


# --- the file itself ----------------------------------------------------------------------------


def _good_text() -> str:
    return json.dumps(document("logit"), indent=1)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "is empty"),
        (b" \n\t ", "is empty"),
        ('{"format": "foedus.model/2", "kind": "l\u00f6git"}'.encode("latin-1"), "not UTF-8"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not a JSON model file.*line 1, column 2"),
        (b"[1, 2]", "holds a list, not an object"),
        (b'"model"', "holds a str, not an object"),
        (b"NaN", "NaN is not a number in strict JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "pickle"}', "format tag 'pickle'"),
        (b'{"format": "foedus.model/9"}', "format tag 'foedus.model/9'"),
    ],
)
def test_files_that_are_not_model_files(tmp_path, content, match):
    p = tmp_path / "m.json"
    p.write_bytes(content)
    with pytest.raises(ModelFileError, match=match) as e:
        load_model(p)
    assert e.value.hint and str(p) in e.value.message


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ('"base_rate": ', '"base_rate": NaN, "x": ', r"training.base_rate: NaN is not a number"),
        ('"n_train": ', '"n_train": Infinity, "x": ', r"training.n_train: Infinity is not"),
        ('"n_events": ', '"n_events": -Infinity, "x": ', r"training.n_events: -Infinity is not"),
        ('"base_rate": ', '"base_rate": 1e999, "x": ', "1e999 is beyond float range"),
        ('"n_train": ', '"n_train": ' + "9" * 5000 + ', "x": ', "an integer of 5000 digits"),
        (
            '"kind": "logit"',
            '"kind": "logit", "kind": "firth"',
            r"m.json: holds the key 'kind' twice",
        ),
        ('"iterations": ', '"iterations": 3, "iterations": ', r"logit: holds the key 'iterations'"),
    ],
)
def test_what_strict_json_forbids(tmp_path, old, new, match):
    text = _good_text()
    assert old in text
    p = tmp_path / "m.json"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ModelFileError, match=match):
        load_model(p)


def test_truncated_deep_huge_and_special_files(tmp_path, monkeypatch):
    text = _good_text()
    p = tmp_path / "m.json"
    for cut in (1, len(text) // 3, len(text) - 1):
        p.write_text(text[:cut], encoding="utf-8")
        with pytest.raises(ModelFileError, match="not a JSON model file"):
            load_model(p)
    d = document("logit")
    nested: Any = "x"
    for _ in range(40):
        nested = [nested]
    d["spec"]["outcome"] = nested
    p.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ModelFileError, match="nested more than 32 levels"):
        load_model(p)
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)
    with pytest.raises(ModelFileError, match=r"cannot read the model file .*null byte"):
        load_model(str(tmp_path / "m\0.json"))
    with pytest.raises(InvalidArgumentError, match="path must be a file name, not dict"):
        load_model(document("logit"))  # type: ignore[arg-type]
    monkeypatch.setattr(persist, "MAX_BYTES", 1000)
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ModelFileError, match="larger than"):
        load_model(p)
    if hasattr(os, "mkfifo"):  # a pipe would block a reader: refused unread
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        with pytest.raises(ModelFileError, match="not a regular file"):
            load_model(fifo)


def test_python_dicts_must_hold_json_values():
    d = document("logit")
    d["logit"]["iterations"] = np.int64(d["logit"]["iterations"])
    refused(d, reseal=False, match=r"logit.iterations: a int64 is not a JSON value")
    d = document("logit")
    d["training"]["base_rate"] = float("nan")
    refused(d, reseal=False, match=r"training.base_rate: nan is not a finite number")
    d = document("logit")
    d["spec"][1] = "x"
    refused(d, reseal=False, match="spec: has a key that is not a string")
    refused([document("logit")], match="holds a list")


# --- the structure (schema) ---------------------------------------------------------------------


def _edit(path: str, value: Any) -> Any:
    """A change of the document at a dotted path (list positions as numbers); _DELETE drops."""

    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is _DELETE:
            del target[key]
        else:
            target[key] = value(target[key]) if callable(value) else value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("kind", "edit", "match"),
    [
        ("logit", _edit("logit.coef.3", "abc"), r"m.json: logit.coef\[3\]: expected a number"),
        ("logit", _edit("logit.cov.1.2", None), r"logit.cov\[1\]\[2\]: expected a number"),
        ("logit", _edit("logit.keep.0", 1), r"logit.keep\[0\]: expected true or false"),
        ("logit", _edit("training.n_train", True), "training.n_train: expected an integer"),
        ("logit", _edit("training.n_train", 6000.0), "training.n_train: expected an integer"),
        ("logit", _edit("training.n_train", [6000]), "training.n_train: expected an integer"),
        ("logit", _edit("training.years", [1950]), "training.years: List should have at least"),
        ("logit", _edit("training", _DELETE), "training: is missing"),
        ("logit", _edit("logit.x_mean", _DELETE), "logit.x_mean: is missing"),
        ("logit", _edit("logit.extra", 1), "logit.extra: is not a key of a foedus model file"),
        ("logit", _edit("logit", None), "logit: expected a JSON object"),
        ("logit", _edit("features", "x1"), "features: expected a list"),
        ("logit", _edit("features", []), "features: List should have at least 1 item"),
        ("logit", _edit("kind", "forest"), "kind: expected 'relogit', 'logit', 'firth' or 'gbm'"),
        ("logit", _edit("params.negative_rate", 2.0), "params.negative_rate: expected less than"),
        ("logit", _edit("params.n_bootstrap", -1), "params.n_bootstrap: expected greater than"),
        ("logit", _edit("spec.pledge", None), "spec.pledge: expected a string"),
        ("logit", _edit("spec.horizon", 0), "spec.horizon: expected greater than"),
        ("logit", _edit("vintages.0.datasets.0.sha256", "zz"), r"datasets\[0\].sha256: expected a"),
        ("logit", _edit("vintages.0.source", _DELETE), r"vintages\[0\].source: is missing"),
        ("logit", _edit("vintages", {}), "vintages: expected a list"),
        ("logit", _edit("sha256", 5), "sha256: expected a string"),
        ("logit", _edit("params.gbm_params.max_iter", [[[1]]]), "params.gbm_params.max_iter"),
        ("gbm", _edit("gbm.trees.nodes.left.0", 1.5), r"gbm.trees.nodes.left\[0\]: expected an"),
        ("gbm", _edit("gbm.bootstrap.2.nodes.threshold.0", "nan"), r"bootstrap\[2\].nodes.thr"),
        ("gbm", _edit("gbm.trees.format", "x"), "gbm.trees.format: expected 'foedus.trees/1'"),
        ("gbm", _edit("gbm.bootstrap.1.nodes", _DELETE), r"gbm.bootstrap\[1\].nodes: is missing"),
        ("gbm", _edit("gbm", None), "gbm: expected a JSON object"),
    ],
)
def test_the_schema_names_the_place_and_what_was_expected(kind, edit, match):
    d = document(kind)
    edit(d)
    refused(d, match=match, reseal=not match.startswith("sha256"))


# --- the semantic checks ------------------------------------------------------------------------


def test_feature_names_must_be_unique_and_known():
    for kind in ("logit", "gbm"):
        d = document(kind)
        d["features"] = ["x1", "x1"]
        refused(d, match=r"features\[1\]: 'x1' is listed twice")
        d["features"] = ["x1", "gdp"]
        refused(d, match=r"features\[1\]: 'gdp' is not a feature foedus knows")


@pytest.mark.parametrize("kind", KINDS)
def test_a_reordered_feature_list_is_detected(kind):
    d = document(kind)
    d["features"] = list(reversed(d["features"]))
    e = refused(d)
    if kind == "gbm":
        assert "gbm.trees.feature_names" in e.message and "reordered" in e.message
    else:
        assert "logit.columns[1]: is 'x1', but" in e.message and "reordered" in e.message


def test_the_design_must_be_what_the_model_builds():
    d = document("logit")  # const, x1, x2, x2_missing
    assert d["logit"]["columns"] == ["const", "x1", "x2", "x2_missing"]
    assert d["logit"]["missing_groups"] == [["x2"]]
    for edit, match in [
        (_edit("logit.missing_groups.0.0", "x9"), "'x9' is not one of the file's features"),
        (_edit("logit.missing_groups", [["x1"], ["x2"]]), "keep: 4 entries, expected 5"),
        (_edit("logit.missing_groups", [["x2", "x1"]]), "comes before 'x2' in 'features'"),
        (_edit("logit.missing_groups", [["x2"], ["x2"]]), "already in missing_groups"),
        (_edit("logit.missing_groups", [["x2"], ["x1"]]), "not in the order of their first"),
        (_edit("logit.keep", [True, True, True]), "keep: 3 entries, expected 4"),
        (_edit("logit.keep.0", False), r"keep\[0\]: the constant must be kept"),
        (_edit("logit.columns.3", "x1_missing"), r"columns\[3\]: is 'x1_missing', but"),
        (_edit("logit.columns", ["const", "x1", "x2"]), "3 terms, expected 4"),
        (_edit("logit.coef", lambda v: v[:3]), "logit.coef: 3 numbers, expected 4"),
        (_edit("logit.cov", lambda v: v[:3]), "logit.cov: 3 rows, expected 4"),
        (_edit("logit.cov.2", lambda v: v[:3]), r"logit.cov\[2\]: 3 numbers, expected 4"),
    ]:
        d = document("logit")
        edit(d)
        refused(d, match=match)
    # a term that was constant in training (keep false) drops out of the columns
    d = document("logit")
    d["logit"]["keep"] = [True, True, False, True]
    refused(d, match=r"columns\[2\]: is 'x2', but .* give 'x2_missing'")


def _cov(d: dict[str, Any]) -> np.ndarray:
    return np.array(d["logit"]["cov"])


@pytest.mark.parametrize("kind", ["relogit", "logit", "firth"])
def test_the_covariance_must_be_a_covariance(kind):
    c = _cov(document(kind))
    se = np.sqrt(np.diag(c))

    def with_cov(new: np.ndarray) -> dict[str, Any]:
        d = document(kind)
        d["logit"]["cov"] = new.tolist()
        return d

    bad = c.copy()
    bad[1, 2] += 0.05 * se[1] * se[2]  # 5% of the scale: far beyond rounding
    refused(with_cov(bad), match=r"logit.cov\[1\]\[2\]: the covariance is not symmetric")
    ok = c.copy()
    ok[1, 2] += 1e-6 * se[1] * se[2]  # rounding-sized asymmetry is tolerated
    accepted(with_cov(ok))
    bad = c.copy()
    bad[2, 2] = -bad[2, 2]
    refused(with_cov(bad), match=r"logit.cov\[2\]\[2\]: the variance of 'x2' is -")
    bad = c.copy()
    bad[1, 2] = bad[2, 1] = 1.5 * se[1] * se[2]
    refused(with_cov(bad), match="a correlation of 1.5 between 'x1' and 'x2'")
    # every correlation in [-1, 1], symmetric, and still indefinite
    r = np.array([[1, 0.9, 0.9, 0], [0.9, 1, -0.9, 0], [0.9, -0.9, 1, 0], [0, 0, 0, 1]])
    assert np.linalg.eigvalsh(r)[0] < -0.5
    refused(with_cov(r * np.outer(se, se)), match="not positive semi-definite")
    bad = c * 1e6  # standard errors of 50 to 170 log-odds per unit
    refused(with_cov(bad), match=r"the standard error of '.*' is .*more than 100")


@pytest.mark.parametrize("kind", ["relogit", "logit", "firth"])
def test_coefficients_and_means_must_be_plausible(kind):
    def doc_with(**blocks: Any) -> dict[str, Any]:
        d = document(kind)
        for key, f in blocks.items():
            d["logit"][key] = f(d["logit"][key])
        return d

    refused(
        doc_with(coef=lambda v: [v[0], 150.0, *v[2:]], raw_coef=lambda v: [v[0], 150.0, *v[2:]]),
        match=r"logit.coef\[1\]: 150.0 for 'x1': a one-unit change would move the log-odds",
    )
    refused(
        doc_with(raw_coef=lambda v: [v[0], -150.0, *v[2:]]), match=r"logit.raw_coef\[1\]: -150.0"
    )
    # the intercept shifted by -15: the probability at the training means no longer fits
    low = doc_with(coef=lambda v: [v[0] - 15, *v[1:]], raw_coef=lambda v: [v[0] - 15, *v[1:]])
    if kind == "relogit":
        low["logit"]["cov"][0][0] *= 1e4  # room for the correction check (SE of 7)
    refused(low, match="times the base rate .* the coefficients do not fit the training data")
    high = doc_with(coef=lambda v: [v[0] + 5, *v[1:]], raw_coef=lambda v: [v[0] + 5, *v[1:]])
    refused(high, match="at the training means the model gives a probability of 0.8")
    refused(doc_with(x_mean=lambda v: [0.5, *v[1:]]), match=r"x_mean\[0\]: .* not 1")
    refused(doc_with(x_mean=lambda v: [*v[:3], 1.5]), match=r"x_mean\[3\]: 1.5: the mean of an")
    refused(doc_with(x_mean=lambda v: [v[0], 1e17, *v[2:]]), match=r"x_mean\[1\]: .* large")
    if kind == "relogit":  # a King-Zeng correction of many standard errors diverged
        e = refused(doc_with(coef=lambda v: [v[0], v[1] + 1.0, *v[2:]]), match="King-Zeng")
        assert "firth" in e.hint
    else:  # no correction: raw_coef is coef
        refused(doc_with(raw_coef=lambda v: [v[0], v[1] + 1e-12, *v[2:]]), match="applies no")
    d = document(kind)
    d["logit"]["iterations"] = d["params"]["max_iter"] + 1
    refused(d, match="logit.iterations: .* more than max_iter")
    d = document(kind)
    d["logit"]["n_clusters"] = d["training"]["n_train"] + 1
    refused(d, match="logit.n_clusters")


def test_the_training_block_must_be_possible():
    for edit, match in [
        (_edit("training.years", [1999, 1950]), "first year 1999 is after the last 1950"),
        (_edit("training.years", [1700, 1999]), r"\[1700, 1999\] lies outside the years"),
        (_edit("training.years", [1950, this_year() + 1]), "lies outside the years"),
        (_edit("training.years", [0, 0]), "lies outside the years"),
        (_edit("training.n_events", 6000), "6000 onsets in 6000 training rows"),
        (_edit("training.n_events", 0), "training.n_events: expected greater than"),
        (_edit("training.base_rate", lambda v: v * 1.01), "is not n_events / n_train"),
        (_edit("training.base_rate", 1.0), "training.base_rate: expected less than 1"),
    ]:
        d = document("logit")
        edit(d)
        refused(d, match=match)
    d = document("logit")
    d["training"]["years"] = [1816, this_year()]  # the widest possible
    accepted(d)


def test_spec_and_vintages_must_be_well_formed():
    for edit, match in [
        (_edit("spec.pledge", "love"), "spec.pledge: 'love' is not an ATOP pledge"),
        (_edit("spec.horizon", 2.5), "spec.horizon: expected an integer"),
        (_edit("spec.extra", 1), "spec.extra: is not a key"),
        (_edit("vintages.0.last_year", 1700), r"vintages\[0\].last_year: 1700 is not a year"),
        (_edit("vintages.0", "nmc"), r"vintages\[0\]: expected a JSON object"),
        (_edit("vintages.0.features.0", 3), r"vintages\[0\].features\[0\]: expected a string"),
    ]:
        d = document("logit")
        edit(d)
        refused(d, match=match)
    for spec in ({}, {"pledge": "any"}, {"horizon": 3}):  # each part of the spec is optional
        d = document("logit")
        d["spec"] = spec
        accepted(d)
    d = document("logit")
    d["vintages"] = []
    d["vintages"] = [{**VINTAGES[0], "last_year": None}]
    accepted(d)


def _ensemble(d: dict[str, Any], where: str = "trees") -> dict[str, Any]:
    return d["gbm"][where] if where == "trees" else d["gbm"]["bootstrap"][int(where)]


def _rescaled_leaves(t: dict[str, Any], factor: float) -> dict[str, Any]:
    """The ensemble with every leaf value times ``factor`` and consistent expected values."""
    ens = TreeEnsemble.from_dict(t)
    leaf = ens.is_leaf
    value = expected_values(ens.left, ens.right, leaf, ens.value * factor, ens.count, ens.roots)
    out = copy.deepcopy(t)
    out["nodes"]["value"] = value.tolist()
    return out


def test_boosted_trees_are_validated():
    internal = document("gbm")["gbm"]["bootstrap"][1]["nodes"]["is_leaf"].index(False)
    for edit, match in [
        (
            _edit(f"gbm.bootstrap.1.nodes.left.{internal}", internal),
            rf"gbm.bootstrap\[1\]: node {internal} has left child {internal}, outside its tree",
        ),
        (_edit("gbm.trees.nodes.feature.0", 2), "node 0 splits on feature 2, outside 0...1"),
        (
            _edit(
                "gbm.trees", lambda t: {**t, "n_features": 3, "feature_names": ["x1", "x2", "x3"]}
            ),
            r"gbm.trees.n_features: the trees use 3 features",
        ),
        (_edit("gbm.bootstrap.0.feature_names", ["x2", "x1"]), r"bootstrap\[0\].feature_names"),
        (_edit("gbm.trees.feature_names", None), "gbm.trees.feature_names: None is not"),
        (_edit("gbm.bootstrap", lambda v: v[:2]), "gbm.bootstrap: 2 refits, but params.n_boot"),
        (_edit("gbm.trees.baseline", 5.0), "gbm.trees.baseline: the baseline probability 0.993"),
        (_edit("gbm.trees.baseline", -250.0), "gbm.trees.baseline: -250.0 is implausible"),
        (_edit("gbm.trees.nodes.count.0", 1e9), r"gbm.trees.nodes.count\[0\]: the root of"),
        (_edit("gbm.trees.nodes.threshold.0", 1e300), r"threshold\[0\]: 1e\+300 is implausibly"),
        (_edit("gbm.params.max_leaf_nodes", 8), r"gbm.params.max_leaf_nodes: is 8, but the"),
        (_edit("gbm.params.learning_rate", _DELETE), "gbm.params.learning_rate: is missing"),
        (_edit("gbm.negative_rate", 0.5), "but params.negative_rate is 0.5"),
        (_edit("gbm.trees", lambda t: _rescaled_leaves(t, 1e4)), "one tree would move the"),
    ]:
        d = document("gbm")
        if "negative_rate is 0.5" in match:
            d["params"]["negative_rate"] = 0.5
            d["gbm"]["negative_rate"] = 1.0
        else:
            edit(d)
        refused(d, match=match)
    d = document("gbm")  # fewer trees or leaves than max_iter and max_leaf_nodes allow
    for key, value, match in [
        ("max_iter", 19, "20 trees, but max_iter is 19"),
        ("max_leaf_nodes", 3, "leaves, but max_leaf_nodes is 3"),
    ]:
        d = document("gbm")
        d["params"]["gbm_params"][key] = d["gbm"]["params"][key] = value
        refused(d, match=match)
    d = document("gbm")
    d["gbm"]["trees"] = _rescaled_leaves(d["gbm"]["trees"], 1.0)  # unchanged: loads
    assert same_outputs(outputs(accepted(d)), outputs(model("gbm")))


def test_tree_errors_are_model_file_errors_for_any_input():
    good = document("gbm")["gbm"]["trees"]
    for edit in (
        _edit("baseline", 10**400),
        _edit("nodes.value.0", 10**400),
        _edit("nodes.count.0", -(10**400)),
        _edit("n_features", 10**30),
        _edit("feature_names", [1, 2]),
        _edit("roots", "0"),
        _edit("format", ["foedus.trees/1"]),
    ):
        t = copy.deepcopy(good)
        edit(t)
        with pytest.raises(ModelFileError) as e:
            TreeEnsemble.from_dict(t)
        assert isinstance(e.value, ValueError) and e.value.hint


# --- saving refuses what loading would refuse ---------------------------------------------------


def test_save_refuses_a_model_it_could_not_load(tmp_path):
    m = copy.deepcopy(model("logit"))
    m.coef_ = m.coef_.copy()
    m.coef_[1] = 1e4  # e.g. a logit under separation
    path = tmp_path / "m.json"
    with pytest.raises(ModelFileError, match=r"cannot save the model: logit.coef\[1\]"):
        save_model(m, path)
    m.coef_[1] = np.nan
    with pytest.raises(ModelFileError, match=r"cannot save the model: .*JSON cannot represent"):
        save_model(m, path)
    with pytest.raises(ModelFileError, match=r"cannot save the model: vintages\[0\]"):
        save_model(model("logit"), path, vintages=[{"x": 1}])
    with pytest.raises(ModelFileError, match=r"cannot save the model: spec\.pledge"):
        save_model(model("logit"), path, spec={"pledge": "love"})
    raw, y, dyads = _arrays(simulated(n=2_000), FEATS)
    no_years = FormationModel(calibration=None, kind="logit", features=FEATS).fit_arrays(
        raw, y, dyads
    )
    with pytest.raises(ModelFileError, match=r"training\.years") as e:
        save_model(no_years, path)
    assert "years=" in e.value.hint
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file


# --- the checks the command line uses -----------------------------------------------------------


def test_check_spec(tmp_path):
    path = save_model(model("logit"), tmp_path / "m.json", spec={**SPEC, "pledge": "offense"})
    _, meta = load_model(path)
    check_spec(meta, pledge="offense")
    check_spec(meta, pledge="offense", horizon=1)
    with pytest.raises(ModelFileError, match="forecasts offense pledges, not defense") as e:
        check_spec(meta, pledge="defense")
    assert str(path) in e.value.message and "--pledge offense" in e.value.hint
    with pytest.raises(ModelFileError, match="within 1 years, not 2"):
        check_spec(meta, pledge="offense", horizon=2)
    with pytest.raises(InvalidArgumentError, match="pledge"):
        check_spec(meta, pledge="love")
    check_spec({"spec": {}}, pledge="defense", horizon=5)  # nothing recorded: nothing to refuse


def test_vintage_changes():
    nmc = catalog.get("ps-cow-nmc")
    atop = catalog.get("ps-atop-alliance")
    vintages = [
        {
            "source": "nmc",
            "datasets": [{"name": nmc.name, "version": nmc.version, "sha256": nmc.sha256}],
        },
        {
            "source": "atop",
            "datasets": [
                {"name": atop.name, "version": atop.version, "sha256": "0" * 64},
                {"name": "retired-data-set", "version": "1", "sha256": "1" * 64},
            ],
        },
    ]
    assert vintage_changes({"vintages": vintages}) == ["ps-atop-alliance", "retired-data-set"]
    assert vintage_changes({"vintages": vintages[:1]}) == []
    assert vintage_changes({"vintages": []}) == vintage_changes({}) == []


def test_vintage_changes_of_a_saved_file(tmp_path):
    from foedus.prospects.forecast import vintages

    path = save_model(model("logit"), tmp_path / "m.json", spec=SPEC, vintages=vintages({}))
    _, meta = load_model(path)
    assert vintage_changes(meta) == []
