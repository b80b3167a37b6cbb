"""Saved models: JSON round trips that predict exactly what the fitted model did."""

from __future__ import annotations

import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from foedus.errors import FoedusError
from foedus.prospects.models import FormationModel
from foedus.prospects.persist import ModelFileError, load_model, save_model
from tests.unit.test_prospects_models import _arrays, simulated

FEATS = ["x1", "x2"]


def fitted(kind: str) -> FormationModel:
    d = simulated(n=6_000)
    raw, y, dyads = _arrays(d, FEATS)
    m = FormationModel(
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
    path = save_model(m, tmp_path / "m.json", spec={"pledge": "defense"}, vintages=[{"x": 1}])
    loaded, meta = load_model(path)
    raw, _, _ = _arrays(simulated(n=500, seed=7), FEATS)
    np.testing.assert_array_equal(loaded.predict_proba_arrays(raw), m.predict_proba_arrays(raw))
    for a, b in zip(
        loaded.predict_interval_arrays(raw), m.predict_interval_arrays(raw), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.contributions(raw)[:2], m.contributions(raw)[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    assert meta["spec"] == {"pledge": "defense"} and meta["vintages"] == [{"x": 1}]
    assert meta["training"]["years"] == [1950, 1999]
    text = path.read_text()
    assert json.loads(text)["format"] == "foedus.model/1"  # plain JSON, nothing executable


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
            kind="gbm", features=FEATS, gbm_params={"max_iter": 60}, negative_rate=0.2
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
        with pytest.raises(ModelFileError) as e:
            load_model(p)
        assert e.value.hint
    with pytest.raises(FoedusError, match="not fitted"):
        save_model(FormationModel(), tmp_path / "u.json")
