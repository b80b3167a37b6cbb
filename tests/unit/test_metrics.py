"""Forecast metrics: hand-computed cases, agreement with scikit-learn, the Murphy identity."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from statsmodels.stats.proportion import proportion_confint

from foedus.errors import FoedusError
from foedus.prospects.metrics import (
    Z95,
    ForecastInputError,
    brier,
    brier_decomposition,
    brier_skill,
    calibration_table,
    ece,
    ignorance,
    log_loss,
    pr_auc,
    roc_auc,
    summarize,
    top_k,
)

# --- hand-computed cases ----------------------------------------------------------------------

Y4 = np.array([0, 1, 1, 0])
P4 = np.array([0.1, 0.9, 0.6, 0.3])


def test_brier_and_skill_by_hand():
    # (0.01 + 0.01 + 0.16 + 0.09) / 4; climatology 0.5 * 0.5
    assert brier(Y4, P4) == pytest.approx(0.0675)
    assert brier_skill(Y4, P4) == pytest.approx(1 - 0.0675 / 0.25)
    assert brier([1], [0.0]) == 1.0


def test_log_loss_and_ignorance_by_hand():
    expected = -(math.log(0.9) * 2 + math.log(0.6) + math.log(0.7)) / 4
    assert log_loss(Y4, P4) == pytest.approx(expected)
    assert ignorance(Y4, P4) == pytest.approx(expected / math.log(2))
    assert ignorance([1, 0], [0.5, 0.5]) == pytest.approx(1.0)  # a coin flip costs one bit
    assert log_loss([1], [0.0]) == pytest.approx(-math.log(1e-15))  # clipped, not infinite
    assert log_loss([1], [0.0], eps=1e-3) == pytest.approx(-math.log(1e-3))


def test_decomposition_discrete_forecasts_by_hand():
    # bin of 0.3 with 1/5 events, bin of 0.8 with 4/5 events; prevalence 1/2
    p = np.array([0.3] * 5 + [0.8] * 5)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1])
    d = brier_decomposition(y, p)
    assert d["reliability"] == pytest.approx(5 * 0.1**2 / 10)
    assert d["resolution"] == pytest.approx((5 * 0.3**2 + 5 * 0.3**2) / 10)
    assert d["uncertainty"] == pytest.approx(0.25)
    assert d["remainder"] == pytest.approx(0.0, abs=1e-15)
    assert d["brier"] == pytest.approx(0.165)
    assert d["reliability"] - d["resolution"] + d["uncertainty"] == pytest.approx(d["brier"])


def test_decomposition_remainder_by_hand():
    # one bin: REL = (0.4 - 0.5)^2, RES = 0, UNC = 0.25, REM = var(p) - 2 cov(p, y)
    d = brier_decomposition([0, 1], [0.2, 0.6], bins=1)
    assert d == pytest.approx(
        {
            "reliability": 0.01,
            "resolution": 0.0,
            "uncertainty": 0.25,
            "remainder": 0.04 - 2 * 0.1,
            "brier": 0.1,
        }
    )


def test_roc_auc_by_hand_with_ties():
    # events at 0.4, 0.8; non-events at 0.2, 0.4, 0.9: wins 1 + 1/2 + 0 + 1 + 1 + 0 of 6
    y, p = [0, 1, 0, 1, 0], [0.2, 0.4, 0.4, 0.8, 0.9]
    assert roc_auc(y, p) == pytest.approx(3.5 / 6)
    assert roc_auc(Y4, P4) == 1.0
    assert roc_auc(Y4, 1 - P4) == 0.0


def test_pr_auc_by_hand():
    # thresholds 0.9 (P 1, R 1/2), 0.8 (P 1/2, R 1/2), 0.7 (P 2/3, R 1): 1/2 * 1 + 1/2 * 2/3
    assert pr_auc([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx(5 / 6)
    # tie at 0.4 between an event and a non-event
    assert pr_auc([0, 1, 0, 1, 0], [0.2, 0.4, 0.4, 0.8, 0.9]) == pytest.approx(0.5)


def test_one_class_gives_nan():
    assert math.isnan(roc_auc([1, 1, 1], [0.2, 0.5, 0.9]))
    assert math.isnan(roc_auc([0, 0], [0.2, 0.5]))
    assert math.isnan(pr_auc([0, 0], [0.2, 0.5]))
    assert pr_auc([1, 1], [0.2, 0.5]) == 1.0
    assert math.isnan(brier_skill([0, 0], [0.2, 0.5]))
    assert math.isnan(top_k([0, 0], [0.2, 0.5], 1)["recall_at_k"])


def test_calibration_table_by_hand():
    p = [0.1, 0.4, 0.5, 0.6, 0.9]
    y = [0, 0, 1, 1, 1]
    t = calibration_table(y, p, bins=2, strategy="uniform")  # 0.5 is in the lower bin
    assert t.columns == ["bin", "n", "mean_forecast", "observed_rate", "lower", "upper"]
    assert t["bin"].to_list() == [0, 1]
    assert t["n"].to_list() == [3, 2]
    assert t["mean_forecast"].to_list() == pytest.approx([1 / 3, 0.75])
    assert t["observed_rate"].to_list() == pytest.approx([1 / 3, 1.0])
    lo, hi = proportion_confint([1, 2], [3, 2], alpha=0.05, method="wilson")
    assert t["lower"].to_list() == pytest.approx(list(lo))
    assert t["upper"].to_list() == pytest.approx(list(hi))
    assert t["upper"][1] == 1.0
    assert t["lower"][1] == pytest.approx(2 / (2 + Z95**2))  # Wilson at 2/2: n / (n + z^2)
    assert ece(y, p, bins=2) == pytest.approx(2 / 5 * 0.25)


def test_calibration_table_skips_empty_bins():
    t = calibration_table([0, 1, 1], [0.05, 0.95, 0.93], bins=10, strategy="uniform")
    assert t["bin"].to_list() == [0, 9]
    assert t["n"].to_list() == [1, 2]
    q = calibration_table([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3], bins=4)  # all quantiles tie
    assert q["n"].to_list() == [4]
    assert q["observed_rate"].to_list() == [0.5]


def test_top_k_by_hand_and_ties_share_the_last_places():
    y = [0, 1, 1, 0, 1]
    p = [0.5, 0.5, 0.9, 0.2, 0.1]
    # top 2 = position 2 (0.9, an event), then one of the tied 0.5s (one of two is an event)
    assert top_k(y, p, 2) == pytest.approx({"precision_at_k": 0.75, "recall_at_k": 0.5})
    assert top_k(y, p, 3) == pytest.approx({"precision_at_k": 2 / 3, "recall_at_k": 2 / 3})
    assert top_k(y, p, 5) == pytest.approx({"precision_at_k": 3 / 5, "recall_at_k": 1.0})
    # the order of the tied rows does not matter
    assert top_k([1, 0, 1, 0, 1], p, 2)["precision_at_k"] == 0.75
    # a constant forecast lists a random sample: its precision is the prevalence
    assert top_k(y, [0.3] * 5, 2)["precision_at_k"] == pytest.approx(0.6)


# --- perfect and constant forecasts -----------------------------------------------------------


def test_perfect_forecasts():
    y = np.array([0, 1, 1, 0, 0, 1, 0])
    s = summarize(y, y.astype(float), k=3)
    assert s["brier"] == 0.0
    assert s["brier_skill"] == 1.0
    assert s["log_loss"] == pytest.approx(0.0, abs=1e-14)
    assert s["roc_auc"] == 1.0
    assert s["pr_auc"] == 1.0
    assert s["ece"] == 0.0
    assert s["reliability"] == 0.0
    assert s["resolution"] == pytest.approx(s["uncertainty"])
    assert s["remainder"] == 0.0
    assert s["precision_at_k"] == 1.0
    assert s["recall_at_k"] == 1.0


def test_constant_forecast_at_the_prevalence():
    y = np.array([0, 1, 0, 0, 1, 0, 0, 0])
    p = np.full(8, 0.25)
    s = summarize(y, p)
    assert s["n"] == 8
    assert s["prevalence"] == 0.25
    assert s["brier"] == pytest.approx(0.25 * 0.75)
    assert s["brier_skill"] == pytest.approx(0.0, abs=1e-12)
    assert s["roc_auc"] == 0.5
    assert s["pr_auc"] == pytest.approx(s["prevalence"])  # the PR baseline
    assert s["ece"] == pytest.approx(0.0, abs=1e-15)
    assert s["reliability"] == pytest.approx(0.0, abs=1e-15)
    assert s["resolution"] == 0.0
    assert s["remainder"] == 0.0
    # a constant forecast away from the prevalence: reliability is the whole penalty
    d = brier_decomposition(y, np.full(8, 0.5))
    assert d["reliability"] == pytest.approx(0.0625)
    assert d["brier"] == pytest.approx(0.0625 + 0.25 * 0.75)


def test_summarize_keys_and_types():
    s = summarize(Y4, P4, bins=5)
    assert set(s) == {
        "n",
        "prevalence",
        "brier",
        "brier_skill",
        "reliability",
        "resolution",
        "uncertainty",
        "remainder",
        "log_loss",
        "ignorance",
        "roc_auc",
        "pr_auc",
        "ece",
    }
    assert all(isinstance(v, int | float) for v in s.values())
    assert s["ece"] == ece(Y4, P4, 5)
    assert s["reliability"] == brier_decomposition(Y4, P4, 5)["reliability"]


def test_accepts_lists_booleans_and_polars():
    y = pl.Series([False, True, True, False])
    assert brier(y, pl.Series(P4)) == brier(Y4, P4)
    assert roc_auc(list(Y4), list(P4)) == 1.0


# --- agreement with scikit-learn and the decomposition identity on random data ----------------


@st.composite
def forecasts(draw, min_size: int = 1, max_size: int = 60):
    n = draw(st.integers(min_size, max_size))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    # a coarse grid makes ties common; otherwise any float in [0, 1]
    grid = draw(st.booleans())
    elem = (
        st.integers(0, 10).map(lambda i: i / 10)
        if grid
        else st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)
    )
    p = draw(st.lists(elem, min_size=n, max_size=n))
    return np.array(y), np.array(p, dtype=np.float64)


@settings(max_examples=200, deadline=None)
@given(forecasts())
def test_agrees_with_sklearn(data):
    y, p = data
    assert brier(y, p) == pytest.approx(skm.brier_score_loss(y, p), abs=1e-12)
    eps = np.finfo(np.float64).eps  # sklearn clips at the machine epsilon
    assert log_loss(y, p, eps=eps) == pytest.approx(
        skm.log_loss(y, p, labels=[0, 1]), rel=1e-9, abs=1e-12
    )
    if 0 < y.sum() < y.size:
        assert roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
        assert pr_auc(y, p) == pytest.approx(skm.average_precision_score(y, p), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(forecasts(min_size=2), st.integers(1, 12), st.sampled_from(["uniform", "quantile"]))
def test_calibration_table_agrees_with_sklearn_calibration_curve(data, bins, strategy):
    y, p = data
    assume(0 < y.sum() < y.size)  # sklearn's calibration_curve needs both classes
    t = calibration_table(y, p, bins=bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy=strategy)
    assert t["observed_rate"].to_numpy() == pytest.approx(prob_true, abs=1e-12)
    assert t["mean_forecast"].to_numpy() == pytest.approx(prob_pred, abs=1e-12)
    assert t["n"].sum() == y.size
    assert (t["lower"] <= t["observed_rate"]).all()
    assert (t["observed_rate"] <= t["upper"]).all()
    w = t["n"].to_numpy() / y.size
    gap = np.abs(t["observed_rate"].to_numpy() - t["mean_forecast"].to_numpy())
    assert ece(y, p, bins, strategy=strategy) == pytest.approx(np.sum(w * gap), abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(forecasts(), st.integers(1, 25), st.sampled_from(["uniform", "quantile"]))
def test_decomposition_identity(data, bins, strategy):
    y, p = data
    d = brier_decomposition(y, p, bins, strategy=strategy)
    total = d["reliability"] - d["resolution"] + d["uncertainty"] + d["remainder"]
    assert total == pytest.approx(d["brier"], abs=1e-12)
    assert d["brier"] == pytest.approx(brier(y, p), abs=1e-15)
    assert d["reliability"] >= 0
    assert d["resolution"] >= 0
    assert d["resolution"] <= d["uncertainty"] + 1e-12
    if len(np.unique(p)) == 1:  # discrete forecasts: Murphy's three terms are exact
        assert d["remainder"] == pytest.approx(0.0, abs=1e-15)


@settings(max_examples=100, deadline=None)
@given(forecasts(), st.integers(1, 60))
def test_top_k_against_a_sort(data, k):
    y, p = data
    k = min(k, y.size)
    # plain sorts, averaged over the m rotations of the order of the rows tied at the cut-off:
    # each tied row then lands in the top k in the same number of rotations (the expectation
    # over random orders of the tied rows)
    base = sorted(range(y.size), key=lambda i: (-p[i], i))
    v = p[base[k - 1]]
    tied = [i for i in base if p[i] == v]
    m = len(tied)
    total = 0
    for shift in range(m):
        rotated = tied[shift:] + tied[:shift]
        order = [i for i in base if p[i] > v] + rotated + [i for i in base if p[i] < v]
        total += sum(int(y[i]) for i in order[:k])
    hits = total / m
    r = top_k(y, p, k)
    assert r["precision_at_k"] == pytest.approx(hits / k)
    if y.sum():
        assert r["recall_at_k"] == pytest.approx(hits / y.sum())


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "p", "match"),
    [
        ([0, 1, 1], [0.2, 0.5], "same length"),
        ([], [], "empty"),
        ([0, float("nan")], [0.2, 0.5], "y has 1 missing"),
        ([0, 1], [0.2, None], "p has 1 missing"),
        ([0, 2], [0.2, 0.5], "0/1 outcomes"),
        ([0, 0.5], [0.2, 0.5], "0/1 outcomes"),
        ([0, 1], [0.2, 1.5], r"probabilities in \[0, 1\]"),
        ([0, 1], [-0.1, 0.5], r"probabilities in \[0, 1\]"),
        ([0, 1], [0.2, float("inf")], r"probabilities in \[0, 1\]"),
        ([[0, 1]], [[0.2, 0.5]], "1-D"),
        (["a", "b"], [0.2, 0.5], "not numeric"),
    ],
)
def test_bad_input_raises_foedus_error_with_hint(y, p, match):
    for fn in (brier, brier_decomposition, log_loss, roc_auc, pr_auc, calibration_table, ece):
        with pytest.raises(FoedusError, match=match) as e:
            fn(y, p)
        assert e.value.hint
        assert isinstance(e.value, ValueError)
        assert "Hint:" in str(e.value)
    with pytest.raises(ForecastInputError, match=match):
        summarize(y, p)
    with pytest.raises(ForecastInputError, match=match):
        top_k(y, p, 1)


@pytest.mark.parametrize("bins", [0, -3, 2.5, True, "10"])
def test_bad_bins(bins):
    with pytest.raises(ForecastInputError, match="bins must be a positive integer"):
        calibration_table(Y4, P4, bins=bins)
    with pytest.raises(ForecastInputError, match="bins must be a positive integer"):
        brier_decomposition(Y4, P4, bins=bins)


def test_bad_strategy_k_and_eps():
    with pytest.raises(ForecastInputError, match="unknown binning strategy") as e:
        calibration_table(Y4, P4, strategy="equal")
    assert "quantile" in e.value.hint
    with pytest.raises(ForecastInputError, match="unknown binning strategy"):
        ece(Y4, P4, strategy="equal")
    for k in (0, 5, 1.5, True):
        with pytest.raises(ForecastInputError, match="k must be an integer from 1 to"):
            top_k(Y4, P4, k)
    for eps in (0, -1e-3, 0.5):
        with pytest.raises(ForecastInputError, match="eps must lie"):
            log_loss(Y4, P4, eps=eps)
