"""Formation models on simulated panels with known parameters."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.prospects.models import FormationModel


def simulated(n: int = 40_000, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    eta = -3.0 + 1.0 * x1 - 0.5 * x2
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(np.int8)
    x2_obs = np.where(rng.random(n) < 0.1, np.nan, x2)  # some missing values
    return pl.DataFrame(
        {
            "ccode1": rng.integers(2, 400, n).astype(np.int32),
            "ccode2": rng.integers(400, 990, n).astype(np.int32),
            "year": rng.integers(1950, 2000, n).astype(np.int32),
            "at_risk": np.ones(n, bool),
            "onset": y,
            "x1": x1,
            "x2": x2_obs,
        }
    ).with_columns(pl.col("x2").fill_nan(None))


def test_logit_recovers_the_parameters_and_reports_clustered_errors():
    m = FormationModel(calibration=None, features=["x1", "x2"]).fit(simulated())
    coef = dict(zip(m.columns_, m.coef_, strict=True))
    assert coef["x1"] == pytest.approx(1.0, abs=0.1)
    assert coef["x2"] == pytest.approx(-0.5, abs=0.1)
    assert "x2_missing" in coef and "x1_missing" not in coef
    s = m.summary()
    assert s["se_cluster"].min() > 0 and s.height == len(m.columns_)
    p = m.predict_proba(simulated(seed=2))
    assert p.shape == (40_000,) and p.min() > 0 and p.max() < 1


def test_gbm_ranks_better_than_chance():
    from sklearn.metrics import roc_auc_score

    train, test = simulated(), simulated(seed=3)
    m = FormationModel(calibration=None, kind="gbm", features=["x1", "x2"]).fit(train)
    p = m.predict_proba(test)
    assert roc_auc_score(test["onset"].to_numpy(), p) > 0.75


def test_only_at_risk_rows_with_known_outcome_are_used():
    d = simulated()
    d = d.with_columns(at_risk=pl.Series(np.arange(d.height) % 2 == 0))
    m = FormationModel(calibration=None, features=["x1"]).fit(d)
    assert m.n_train_ == d.height // 2


def test_bad_input():
    with pytest.raises(FoedusError):
        FormationModel(calibration=None, kind="forest", features=["x1"]).fit(simulated())
    with pytest.raises(FoedusError):
        FormationModel(features=["nope"]).fit(simulated())
    with pytest.raises(FoedusError):
        FormationModel(features=["x1"]).predict_proba(simulated())


def test_irls_equals_statsmodels():
    import statsmodels.api as sm

    from foedus.prospects.models import irls_logit

    d = simulated(5_000, seed=4)
    x = np.column_stack([np.ones(d.height), d["x1"].to_numpy()])
    y = d["onset"].to_numpy().astype(float)
    beta, iters = irls_logit(x, y)
    ref = sm.Logit(y, x).fit(disp=0, method="newton").params
    assert np.allclose(beta, ref, atol=1e-6) and iters < 20
    # warm start from the answer converges at once
    assert irls_logit(x, y, beta)[1] <= 2


def _arrays(d: pl.DataFrame, feats: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    raw = d.select(pl.col(feats).cast(pl.Float64)).to_numpy()
    dyads = (d["ccode1"].cast(pl.Int64) * 1000 + d["ccode2"]).to_numpy()
    return raw, d["onset"].cast(pl.Float64).to_numpy(), dyads


def test_clustered_covariance_equals_statsmodels():
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_cluster

    d = simulated(n=5_000).with_columns(  # few clusters, several rows each
        ccode1=pl.Series(np.arange(5_000, dtype=np.int32) % 300 + 2)
    )
    m = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(d)
    raw, y, dyads = _arrays(d, ["x1", "x2"])
    x = m._x(raw)
    res = sm.Logit(y, x).fit(disp=0)
    np.testing.assert_allclose(m.coef_, res.params, rtol=1e-6)
    np.testing.assert_allclose(m.cov_, cov_cluster(res, dyads), rtol=1e-6)
    s = m.summary()
    np.testing.assert_allclose(s["se_cluster"].to_numpy(), np.sqrt(np.diag(m.cov_)))


def test_king_zeng_bias_equals_the_matrix_formula():
    from foedus.prospects.models import _info, _sigmoid, irls_logit, king_zeng_bias

    rng = np.random.default_rng(4)
    x = np.column_stack([np.ones(300), rng.normal(size=(300, 2))])
    y = (rng.random(300) < _sigmoid(-2.5 + x[:, 1])).astype(float)
    b, _ = irls_logit(x, y)
    p = _sigmoid(x @ b)
    inv = np.linalg.inv(_info(x, p))
    w = np.diag(p * (1 - p))
    q = x @ inv @ x.T  # the full n x n matrix of King & Zeng (2001), eq. 12
    xi = 0.5 * np.diag(q) * (2 * p - 1)
    np.testing.assert_allclose(king_zeng_bias(x, p, inv), inv @ x.T @ w @ xi, rtol=1e-9, atol=1e-12)


def test_rare_event_corrections_reduce_the_small_sample_bias():
    from foedus.prospects.models import _sigmoid

    rng = np.random.default_rng(5)
    truth = np.array([-3.0, 1.5])  # about 8 events in 250 rows
    est: dict[str, list] = {"logit": [], "relogit": [], "firth": []}
    for _ in range(300):
        x1 = rng.normal(size=250)
        y = (rng.random(250) < _sigmoid(truth[0] + truth[1] * x1)).astype(float)
        if y.sum() < 2:
            continue
        for kind, found in est.items():
            m = FormationModel(calibration=None, kind=kind, features=["x1"]).fit_arrays(
                x1[:, None], y, np.arange(250)
            )
            found.append(m.coef_)
    bias = {k: np.abs(np.mean(v, axis=0) - truth) for k, v in est.items()}
    # maximum likelihood overstates |coefficients| of rare events (here by 0.08 and 0.05);
    # both corrections remove most of it
    assert bias["logit"][0] > 0.05 and bias["logit"][1] > 0.03
    for kind in ("relogit", "firth"):
        assert np.all(bias[kind] < 0.5 * bias["logit"]), (kind, bias)


def test_firth_solves_the_modified_score_and_survives_separation():
    from foedus.prospects.models import _info, _quad, _sigmoid, firth_logit

    rng = np.random.default_rng(6)
    x = np.column_stack([np.ones(60), rng.normal(size=60)])
    y = (x[:, 1] > 0.8).astype(float)  # complete separation: no ML estimate exists
    b, _ = firth_logit(x, y)
    assert np.all(np.isfinite(b)) and np.abs(b).max() < 50
    p = _sigmoid(x @ b)
    h = p * (1 - p) * _quad(x, np.linalg.inv(_info(x, p)))
    np.testing.assert_allclose(x.T @ (y - p + h * (0.5 - p)), 0, atol=1e-6)


@pytest.mark.parametrize("kind", ["logit", "relogit", "firth"])
def test_logit_contributions_add_up_to_the_log_odds(kind):
    from foedus.prospects.models import _sigmoid

    d = simulated()
    m = FormationModel(calibration=None, kind=kind, features=["x1", "x2"]).fit(d)
    raw, _, _ = _arrays(d.head(500), ["x1", "x2"])
    base, parts, names = m.contributions(raw)
    assert names == ["x1", "x2", "x2_missing"]
    eta = m._x(raw) @ m.coef_
    np.testing.assert_allclose(base + parts.sum(1), eta, rtol=1e-10, atol=1e-10)
    if kind != "relogit":  # the King-Zeng probability correction is not a contribution
        np.testing.assert_allclose(_sigmoid(base + parts.sum(1)), m.predict_proba_arrays(raw))
    # a row with x2 missing gets no x2 part from its (zeroed) value beyond the mean shift
    assert parts[:, 0] == pytest.approx(m.coef_[1] * (raw[:, 0] - m.x_mean_[1]))


def test_intervals_bracket_the_forecast_and_narrow_with_more_data():
    small = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(
        simulated(n=4_000)
    )
    big = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(
        simulated(n=40_000)
    )
    raw, _, _ = _arrays(simulated(n=200, seed=9), ["x1", "x2"])
    for m in (small, big):
        p = m.predict_proba_arrays(raw)
        lo, hi = m.predict_interval_arrays(raw, level=0.9)
        assert np.all(lo <= p) and np.all(p <= hi) and np.all(lo > 0)
    w_small = np.subtract(*small.predict_interval_arrays(raw)[::-1])
    w_big = np.subtract(*big.predict_interval_arrays(raw)[::-1])
    assert np.median(w_big / w_small) < 0.6  # ~ sqrt(1/10)
    with pytest.raises(FoedusError, match="level"):
        big.predict_interval_arrays(raw, level=1.5)


def test_logit_interval_equals_the_quantiles_of_coefficient_draws():
    from foedus.prospects.models import _sigmoid

    m = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(
        simulated(n=4_000)
    )
    raw, _, _ = _arrays(simulated(n=50, seed=9), ["x1", "x2"])
    lo, hi = m.predict_interval_arrays(raw, level=0.8)
    betas = np.random.default_rng(0).multivariate_normal(m.coef_, m.cov_, size=200_000)
    p = _sigmoid(m._x(raw) @ betas.T)
    q_lo, q_hi = np.quantile(p, [0.1, 0.9], axis=1)
    np.testing.assert_allclose(lo, q_lo, rtol=0.02)
    np.testing.assert_allclose(hi, q_hi, rtol=0.02)


def test_newton_recovers_from_a_poor_start_and_warm_starts_align_by_name():
    from foedus.prospects.models import irls_logit

    d = simulated(5_000, seed=4)
    x = np.column_stack([np.ones(d.height), d["x1"].to_numpy()])
    y = d["onset"].to_numpy().astype(float)
    beta, _ = irls_logit(x, y)
    far, _ = irls_logit(x, y, np.array([8.0, -9.0]))  # a pure Newton step would overshoot
    np.testing.assert_allclose(far, beta, atol=1e-5)
    m1 = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(d)
    reversed_start = (m1.columns_[::-1], m1.raw_coef_[::-1])  # same terms, another order
    m2 = FormationModel(calibration=None, kind="logit", features=["x1", "x2"]).fit(
        d, start_params=reversed_start
    )
    assert m2.iterations_ <= 2
    np.testing.assert_allclose(m2.coef_, m1.coef_, atol=1e-6)
