"""TreeEnsemble: a JSON-safe copy of a binary HistGradientBoostingClassifier that predicts
exactly like it and explains predictions by Saabas path contributions."""

from __future__ import annotations

import copy
import json
import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from foedus.errors import FoedusError, ModelFileError
from foedus.prospects.trees import FORMAT, TreeEnsemble

N_FEATURES = 5


@pytest.fixture(scope="module", autouse=True)
def _one_openmp_thread() -> Iterator[None]:
    """sklearn's OpenMP threads make these tiny fits 10-500 times slower (more so on a busy
    machine); one thread is plenty."""
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _training_data(seed: int = 0, n: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """Features 0 and 2 have missing values in training, 1 and 3 have none, 4 is constant
    (so no tree can split on it). The outcome depends on whether feature 2 is missing."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    X[:, 4] = 1.0
    X[rng.random(n) < 0.2, 0] = np.nan
    X[rng.random(n) < 0.3, 2] = np.nan
    signal = np.nan_to_num(X[:, 0]) + X[:, 1] - 0.5 * X[:, 3] ** 2 + 1.5 * np.isnan(X[:, 2])
    y = (signal + rng.normal(scale=0.7, size=n) > 0.3).astype(int)
    return X, y


def _test_data(seed: int = 1, n: int = 1500) -> np.ndarray:
    """Wider than training, with NaN in every feature (also those without NaN in training)
    and a few infinities."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=1.5, size=(n, N_FEATURES))
    X[rng.random((n, N_FEATURES)) < 0.15] = np.nan
    X[:5, 1] = np.inf
    X[5:10, 3] = -np.inf
    return X


@pytest.fixture(scope="module")
def model() -> HistGradientBoostingClassifier:
    X, y = _training_data()
    est = HistGradientBoostingClassifier(
        max_iter=40, max_leaf_nodes=15, learning_rate=0.2, early_stopping=False, random_state=0
    )
    return est.fit(X, y)


@pytest.fixture(scope="module")
def ensemble(model: HistGradientBoostingClassifier) -> TreeEnsemble:
    return TreeEnsemble.from_sklearn(model)


# --- conversion and prediction ------------------------------------------------------------------


def test_structure(model: HistGradientBoostingClassifier, ensemble: TreeEnsemble) -> None:
    assert ensemble.n_trees == model.n_iter_ == 40
    assert ensemble.n_features == N_FEATURES
    assert ensemble.n_nodes == sum(len(p[0].nodes) for p in model._predictors)
    assert ensemble.baseline == model._baseline_prediction[0, 0]
    assert ensemble.feature.dtype == np.int32 and ensemble.left.dtype == np.int32
    assert ensemble.threshold.dtype == np.float64 and ensemble.count.dtype == np.float64
    assert ensemble.is_leaf.dtype == bool and ensemble.missing_left.dtype == bool
    leaf = ensemble.is_leaf
    assert np.all(ensemble.left[leaf] == -1) and np.all(ensemble.right[leaf] == -1)
    assert np.all(ensemble.feature[leaf] == -1)
    # leaf values are sklearn's; internal values are count-weighted means of the children
    sk_nodes = np.concatenate([p[0].nodes for p in model._predictors])
    assert np.array_equal(ensemble.value[leaf], sk_nodes["value"][leaf])
    inner = np.flatnonzero(~leaf)
    lo, ro = ensemble.left[inner], ensemble.right[inner]
    c = ensemble.count
    mean = (c[lo] * ensemble.value[lo] + c[ro] * ensemble.value[ro]) / (c[lo] + c[ro])
    np.testing.assert_allclose(ensemble.value[inner], mean, rtol=1e-12, atol=1e-15)
    assert np.array_equal(c[inner], c[lo] + c[ro])
    # the fixture exercises the special cases of sklearn's trees
    used = set(ensemble.feature[inner].tolist())
    assert {0, 1, 2, 3} <= used and 4 not in used
    assert np.isinf(ensemble.threshold[inner]).any(), "no 'split on missingness' node"
    assert ensemble.missing_left[inner].any() and not ensemble.missing_left[inner].all()


def test_nan_direction_for_features_without_training_nan(ensemble: TreeEnsemble) -> None:
    # sklearn sends NaN to the child with more training samples when the feature had none
    inner = np.flatnonzero(~ensemble.is_leaf & np.isin(ensemble.feature, [1, 3]))
    assert inner.size
    c = ensemble.count
    bigger_left = c[ensemble.left[inner]] > c[ensemble.right[inner]]
    assert np.array_equal(ensemble.missing_left[inner], bigger_left)


def test_predictions_match_sklearn(
    model: HistGradientBoostingClassifier, ensemble: TreeEnsemble
) -> None:
    X = _test_data()
    raw = ensemble.raw_predict(X)
    proba = ensemble.predict_proba(X)
    assert raw.shape == proba.shape == (X.shape[0],)
    np.testing.assert_allclose(raw, model.decision_function(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba, model.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    X_train, _ = _training_data()
    np.testing.assert_allclose(
        ensemble.raw_predict(X_train), model.decision_function(X_train), rtol=0, atol=1e-12
    )


def test_all_nan_rows_and_lists(model: HistGradientBoostingClassifier) -> None:
    ensemble = TreeEnsemble.from_sklearn(model)
    X = np.full((3, N_FEATURES), np.nan)
    np.testing.assert_allclose(
        ensemble.raw_predict(X), model.decision_function(X), rtol=0, atol=1e-12
    )
    row = [[0.1, None, -0.3, 2.0, 1.0]]  # a plain list; None becomes NaN
    np.testing.assert_allclose(
        ensemble.raw_predict(row),
        model.decision_function(np.array(row, dtype=float)),
        rtol=0,
        atol=1e-12,
    )
    assert ensemble.raw_predict(np.empty((0, N_FEATURES))).shape == (0,)


def test_trees_without_splits() -> None:
    # constant features: every tree is a single leaf (the root)
    X = np.ones((100, 2))
    y = (np.arange(100) % 3 == 0).astype(int)
    est = HistGradientBoostingClassifier(max_iter=3).fit(X, y)
    ens = TreeEnsemble.from_sklearn(est)
    assert ens.roots.tolist() == [0, 1, 2] and ens.is_leaf.all()
    X_new = np.array([[1.0, np.nan], [5.0, -5.0]])
    np.testing.assert_allclose(ens.raw_predict(X_new), est.decision_function(X_new), atol=1e-12)
    bias, contrib = ens.contributions(X_new)
    assert np.all(contrib == 0)
    np.testing.assert_allclose(bias, ens.raw_predict(X_new), atol=1e-12)
    assert TreeEnsemble.from_dict(json.loads(json.dumps(ens.to_dict()))).n_trees == 3


def test_wrong_input_shape(ensemble: TreeEnsemble) -> None:
    with pytest.raises(FoedusError, match="expected \\(n_rows, 5\\)") as info:
        ensemble.raw_predict(np.zeros((3, 4)))
    assert info.value.hint
    with pytest.raises(FoedusError):
        ensemble.contributions(np.zeros(5))
    with pytest.raises(FoedusError, match="numeric matrix"):
        ensemble.predict_proba([["a", "b", "c", "d", "e"]])


# --- contributions ------------------------------------------------------------------------------


def test_contributions_add_up(ensemble: TreeEnsemble) -> None:
    X = _test_data(seed=2, n=600)
    bias, contrib = ensemble.contributions(X)
    assert bias.shape == (600,) and contrib.shape == (600, N_FEATURES)
    assert np.all(bias == bias[0])
    assert bias[0] == pytest.approx(ensemble.baseline + ensemble.value[ensemble.roots].sum())
    np.testing.assert_allclose(
        bias + contrib.sum(axis=1), ensemble.raw_predict(X), rtol=0, atol=1e-10
    )
    assert np.all(contrib[:, 4] == 0)  # never split on
    # feature 2 matters mostly through its missingness: missing rows are credited more
    missing = np.isnan(X[:, 2])
    assert contrib[missing, 2].mean() > contrib[~missing, 2].mean()


def test_contributions_of_one_row_follow_its_paths(ensemble: TreeEnsemble) -> None:
    """A slow, row-by-row re-implementation of the attribution, for one row."""
    x = _test_data(seed=3, n=1)[0]
    expected = np.zeros(N_FEATURES)
    for root in ensemble.roots:
        node = int(root)
        while not ensemble.is_leaf[node]:
            f = int(ensemble.feature[node])
            if math.isnan(x[f]):
                left = bool(ensemble.missing_left[node])
            else:
                left = bool(x[f] <= ensemble.threshold[node])
            child = int(ensemble.left[node] if left else ensemble.right[node])
            expected[f] += ensemble.value[child] - ensemble.value[node]
            node = child
    _, contrib = ensemble.contributions(x[None, :])
    np.testing.assert_allclose(contrib[0], expected, rtol=0, atol=1e-12)


def test_stump_by_hand() -> None:
    """One tree, one split. x0 = 0..99 and y = 1 for x0 >= 30 except rows 5 (y = 1) and
    80 (y = 0): 70 positives, so the baseline is log(0.7 / 0.3) and each row starts at
    p = 0.7 with gradient p - y and hessian p (1 - p) = 0.21. The split is x0 <= 29.5
    (midway between 29 and 30); the left leaf has 30 rows with 1 positive, the right 70 with
    69. A leaf's value is -learning_rate * sum(gradient) / sum(hessian)."""
    x0 = np.arange(100.0)
    x1 = np.arange(100.0) % 7  # weak, so the stump splits on x0
    X = np.column_stack([x0, x1])
    y = (x0 >= 30).astype(int)
    y[5], y[80] = 1, 0
    est = HistGradientBoostingClassifier(max_iter=1, max_depth=1, learning_rate=0.1)
    est.fit(X, y)
    ens = TreeEnsemble.from_sklearn(est)

    assert ens.n_trees == 1 and ens.n_nodes == 3
    assert ens.roots.tolist() == [0]
    assert ens.baseline == pytest.approx(math.log(0.7 / 0.3), rel=1e-12)
    assert ens.feature.tolist() == [0, -1, -1]
    assert ens.threshold[0] == 29.5
    assert ens.left.tolist() == [1, -1, -1] and ens.right.tolist() == [2, -1, -1]
    assert ens.count.tolist() == [100.0, 30.0, 70.0]
    v_left = -0.1 * (30 * 0.7 - 1) / (30 * 0.21)  # -0.31746...
    v_right = -0.1 * (70 * 0.7 - 69) / (70 * 0.21)  # +0.13605...
    assert ens.value[1] == pytest.approx(v_left, rel=1e-6)  # sklearn's gradients are float32
    assert ens.value[2] == pytest.approx(v_right, rel=1e-6)
    # the root's expected value is the count-weighted mean of the leaves: here 0, because
    # the baseline already fits the mean, so the gradients sum to 0
    root = (30 * ens.value[1] + 70 * ens.value[2]) / 100
    assert ens.value[0] == pytest.approx(root, abs=1e-15)
    assert root == pytest.approx(0.0, abs=1e-6)
    # sklearn's own root "value" is 0 and its leaves are the values above
    assert est._predictors[0][0].nodes["value"][1] == ens.value[1]

    rows = np.array([[10.0, 3.0], [29.5, 0.0], [30.0, 6.0], [np.nan, 1.0]])
    bias, contrib = ens.contributions(rows)
    assert np.all(bias == ens.baseline + ens.value[0])
    expected_x0 = [
        ens.value[1] - ens.value[0],  # 10 <= 29.5: left
        ens.value[1] - ens.value[0],  # 29.5 <= 29.5: left
        ens.value[2] - ens.value[0],  # 30 > 29.5: right
        # no NaN in training: NaN goes to the child with more training rows (right, 70)
        ens.value[2] - ens.value[0],
    ]
    assert not ens.missing_left[0]
    assert contrib[:, 0].tolist() == expected_x0
    assert contrib[:, 1].tolist() == [0.0] * 4
    np.testing.assert_allclose(
        ens.raw_predict(rows), est.decision_function(rows), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        ens.raw_predict(rows),
        ens.baseline + np.array([v_left, v_left, v_right, v_right]),
        rtol=1e-6,
    )


def _handmade() -> dict[str, Any]:
    """Two trees written out by hand (baseline 0.5).

    Tree 0 (nodes 0-4): node 0 splits x1 <= 2 (NaN right) into leaf 1 (value -1, count 10)
    and node 2; node 2 splits x0 <= 0 (NaN left) into leaf 3 (value 2, count 30) and leaf 4
    (value 6, count 10). Expected values: node 2 = (30*2 + 10*6)/40 = 3,
    node 0 = (10*(-1) + 40*3)/50 = 2.2.
    Tree 1 (nodes 5-7): node 5 splits x0 <= inf (NaN right) into leaf 6 (value 0.25,
    count 45) and leaf 7 (value -1, count 5). Expected value of node 5: (45*0.25 - 5)/50
    = 0.125."""
    return {
        "format": FORMAT,
        "n_features": 3,
        "feature_names": ["a", "b", "c"],
        "baseline": 0.5,
        "roots": [0, 5],
        "nodes": {
            "feature": [1, -1, 0, -1, -1, 0, -1, -1],
            "threshold": [2.0, 0.0, 0.0, 0.0, 0.0, "inf", 0.0, 0.0],
            "missing_left": [False, False, True, False, False, False, False, False],
            "left": [1, -1, 3, -1, -1, 6, -1, -1],
            "right": [2, -1, 4, -1, -1, 7, -1, -1],
            "is_leaf": [False, True, False, True, True, False, True, True],
            "value": [2.2, -1.0, 3.0, 2.0, 6.0, 0.125, 0.25, -1.0],
            "count": [50.0, 10.0, 40.0, 30.0, 10.0, 50.0, 45.0, 5.0],
        },
    }


def test_handmade_ensemble_by_hand() -> None:
    ens = TreeEnsemble.from_dict(_handmade())
    assert ens.feature_names == ("a", "b", "c")
    X = np.array(
        [
            [5.0, 1.0, 0.0],  # tree 0: x1 <= 2 -> leaf 1; tree 1: 5 <= inf -> leaf 6
            [-1.0, 3.0, 0.0],  # tree 0: x1 > 2, x0 <= 0 -> leaf 3; tree 1: leaf 6
            [np.nan, np.nan, 9.0],  # tree 0: NaN right, NaN left -> leaf 3; tree 1: leaf 7
            [1.0, 2.0, np.nan],  # tree 0: 2 <= 2 -> leaf 1; tree 1: leaf 6
            [np.inf, 7.0, 0.0],  # tree 0: right, inf > 0 -> leaf 4; tree 1: inf <= inf
        ]
    )
    raw = ens.raw_predict(X)
    assert raw.tolist() == [0.5 - 1 + 0.25, 0.5 + 2 + 0.25, 0.5 + 2 - 1, 0.5 - 1 + 0.25, 6.75]
    np.testing.assert_allclose(ens.predict_proba(X), 1 / (1 + np.exp(-raw)), rtol=1e-15)

    bias, contrib = ens.contributions(X)
    assert bias.tolist() == [0.5 + 2.2 + 0.125] * 5
    expected = np.array(
        [
            # x0 (tree 0 node 2, tree 1 node 5)   x1 (tree 0 node 0)   x2
            [0.25 - 0.125, -1 - 2.2, 0.0],
            [(2 - 3) + (0.25 - 0.125), 3 - 2.2, 0.0],
            [(2 - 3) + (-1 - 0.125), 3 - 2.2, 0.0],
            [0.25 - 0.125, -1 - 2.2, 0.0],
            [(6 - 3) + (0.25 - 0.125), 3 - 2.2, 0.0],
        ]
    )
    np.testing.assert_allclose(contrib, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bias + contrib.sum(axis=1), raw, rtol=0, atol=1e-12)


def test_zero_counts_fall_back_to_the_plain_mean() -> None:
    d = _handmade()
    d["nodes"]["count"][3] = d["nodes"]["count"][4] = 0.0
    d["nodes"]["count"][2] = 0.0
    d["nodes"]["value"][2] = 4.0  # (2 + 6) / 2
    d["nodes"]["value"][0] = -1.0  # node 2 has count 0, so only leaf 1 counts
    ens = TreeEnsemble.from_dict(d)
    assert ens.value[0] == -1.0


# --- serialisation ------------------------------------------------------------------------------


def test_json_round_trip_is_exact(ensemble: TreeEnsemble) -> None:
    d = ensemble.to_dict()
    assert d["format"] == "foedus.trees/1"
    text = json.dumps(d, allow_nan=False)  # strict JSON: the inf thresholds are strings
    assert '"inf"' in text
    loaded = TreeEnsemble.from_dict(json.loads(text))
    for name in ("feature", "threshold", "missing_left", "left", "right", "is_leaf"):
        assert np.array_equal(getattr(loaded, name), getattr(ensemble, name)), name
        assert getattr(loaded, name).dtype == getattr(ensemble, name).dtype, name
    for name in ("value", "count", "roots"):
        assert np.array_equal(getattr(loaded, name), getattr(ensemble, name)), name
    assert loaded.baseline == ensemble.baseline and loaded.n_features == ensemble.n_features
    assert loaded.to_dict() == d
    X = _test_data(seed=4, n=500)
    assert np.array_equal(loaded.raw_predict(X), ensemble.raw_predict(X))
    assert np.array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    b1, c1 = loaded.contributions(X)
    b0, c0 = ensemble.contributions(X)
    assert np.array_equal(b1, b0) and np.array_equal(c1, c0)


def test_to_dict_is_plain_python(ensemble: TreeEnsemble) -> None:
    def check(obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                assert type(k) is str
                check(v)
        elif isinstance(obj, list):
            for v in obj:
                check(v)
        else:
            assert obj is None or type(obj) in (str, int, float, bool), type(obj)

    check(ensemble.to_dict())


def test_feature_names_are_kept() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _training_data(n=300)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(N_FEATURES)])
    est = HistGradientBoostingClassifier(max_iter=3, max_leaf_nodes=4).fit(frame, y)
    ens = TreeEnsemble.from_sklearn(est)
    assert ens.feature_names == tuple(frame.columns)
    assert TreeEnsemble.from_dict(json.loads(json.dumps(ens.to_dict()))).feature_names == (
        ens.feature_names
    )
    np.testing.assert_allclose(ens.raw_predict(X), est.decision_function(frame), atol=1e-12)


# --- errors -------------------------------------------------------------------------------------


def test_multiclass_is_rejected() -> None:
    X, _ = _training_data(n=300)
    y = np.arange(300) % 3
    est = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
    with pytest.raises(FoedusError, match="3 classes") as info:
        TreeEnsemble.from_sklearn(est)
    assert info.value.hint


def test_unfitted_is_rejected() -> None:
    with pytest.raises(FoedusError, match="not fitted") as info:
        TreeEnsemble.from_sklearn(HistGradientBoostingClassifier())
    assert "fit" in info.value.hint


def test_other_estimators_are_rejected() -> None:
    X, y = _training_data(n=200)
    reg = HistGradientBoostingRegressor(max_iter=2).fit(X, y)
    with pytest.raises(FoedusError, match="HistGradientBoostingClassifier"):
        TreeEnsemble.from_sklearn(reg)
    with pytest.raises(FoedusError):
        TreeEnsemble.from_sklearn("model")


def test_categorical_features_are_rejected() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 4, 300), rng.normal(size=300)]).astype(float)
    y = (X[:, 0] == 2).astype(int)
    est = HistGradientBoostingClassifier(max_iter=2, categorical_features=[0]).fit(X, y)
    with pytest.raises(FoedusError, match="categorical") as info:
        TreeEnsemble.from_sklearn(est)
    assert info.value.hint


def _set(path: str, value: Any) -> Any:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("format", "foedus.trees/2"), "format tag"),
        (_set("format", _DELETE), "format tag"),
        (_set("nodes", _DELETE), "missing keys"),
        (_set("nodes.value", _DELETE), "lacks the columns"),
        (_set("nodes.count", [1.0, 2.0]), "shape"),
        (_set("nodes.left.0", 99), "outside its tree"),
        (_set("nodes.right.2", 5), "outside its tree"),  # a child in the next tree
        (_set("nodes.left.2", 1), "outside its tree"),  # points back up: a cycle
        (_set("nodes.right.2", 3), "parent"),  # both children the same node
        (_set("nodes.left.1", 3), "leaf node 1 has children"),
        (_set("nodes.is_leaf.2", True), "leaf node 2 has children"),
        (_set("nodes.is_leaf.1", False), "outside its tree"),  # internal with -1 children
        (_set("nodes.feature.0", 3), "feature 3"),
        (_set("nodes.feature.1", 0), "split feature"),
        (_set("nodes.left.0", 1.5), "only integers"),
        (_set("nodes.left.0", True), "only integers"),
        (_set("nodes.is_leaf.0", 0), "true/false"),
        (_set("nodes.value.3", "2"), "only numbers"),
        (_set("nodes.value.3", float("nan")), "non-finite"),
        (_set("nodes.count.3", -1.0), "invalid count"),
        (_set("nodes.threshold.0", float("nan")), "NaN threshold"),
        (_set("nodes.value.0", 2.5), "count-weighted mean"),
        (_set("roots", [1, 5]), "roots"),
        (_set("roots", [0, 5, 5]), "roots"),
        (_set("roots", [0]), "outside its tree|parent"),
        (_set("roots", []), "roots"),
        (_set("n_features", 0), "n_features"),
        (_set("n_features", "3"), "n_features"),
        (_set("baseline", None), "baseline"),
        (_set("feature_names", ["a"]), "feature_names"),
        (_set("nodes", [1, 2]), "dictionary"),
    ],
)
def test_malformed_dicts_are_rejected(edit: Any, match: str) -> None:
    d = copy.deepcopy(_handmade())
    edit(d)
    with pytest.raises(ModelFileError, match=match) as info:  # a FoedusError and a ValueError
        TreeEnsemble.from_dict(d)
    assert info.value.hint


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("baseline", 10**400), "'baseline' is out of range"),
        (_set("baseline", 10**5000), "an integer of about 5001 digits"),
        (_set("nodes.value.3", 10**400), "'value' holds a number out of range at position 3"),
        (_set("nodes.count.3", 10**400), "'count' holds a number out of range"),
        (_set("nodes.left.0", 10**30), "'left' holds integers out of range"),
        (_set("n_features", 10**30), "'n_features' is out of range"),
        (_set("n_features", 2**31), "'n_features' is out of range"),
        (_set("nodes.count.3", 1e308), "count-weighted mean"),  # overflows: refused, silently
        (_set("feature_names", [1, 2, 3]), "feature_names must be None or 3 strings"),
        (_set("feature_names", {"a": 1}), "'feature_names' must be null or a list"),
        (_set("format", ["foedus.trees/1"]), "format tag"),
        (_set("nodes.threshold.0", [2.0]), "only numbers"),
    ],
)
def test_numbers_out_of_range_and_odd_values_are_model_file_errors(edit: Any, match: str) -> None:
    d = copy.deepcopy(_handmade())
    edit(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        with pytest.raises(ModelFileError, match=match) as info:
            TreeEnsemble.from_dict(d)
    assert isinstance(info.value, ValueError) and info.value.hint


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["inf", "-inf", "nan", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(
        [("baseline",), ("n_features",), ("roots",), ("feature_names",), ("nodes",)]
        + [("nodes", f) for f in ("feature", "threshold", "left", "right", "value", "count")]
        + [
            ("nodes", f, i)
            for f in ("feature", "left", "right", "is_leaf", "value")
            for i in (0, 2, 5)
        ]
    ),
    value=_JSON,
)
def test_from_dict_raises_only_model_file_errors(field: tuple, value: Any) -> None:
    d = copy.deepcopy(_handmade())
    target: Any = d
    for k in field[:-1]:
        target = target[k]
    target[field[-1]] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            ens = TreeEnsemble.from_dict(d)
        except ModelFileError as e:
            assert e.hint
            return
    assert ens.n_nodes == 8  # it loaded: the change kept a valid ensemble


def test_from_dict_rejects_non_dicts() -> None:
    with pytest.raises(FoedusError, match="dictionary"):
        TreeEnsemble.from_dict([1, 2, 3])  # type: ignore[arg-type]
