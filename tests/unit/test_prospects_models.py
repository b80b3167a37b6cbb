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
    m = FormationModel(features=["x1", "x2"]).fit(simulated())
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
    m = FormationModel(kind="gbm", features=["x1", "x2"]).fit(train)
    p = m.predict_proba(test)
    assert roc_auc_score(test["onset"].to_numpy(), p) > 0.75


def test_only_at_risk_rows_with_known_outcome_are_used():
    d = simulated()
    d = d.with_columns(at_risk=pl.Series(np.arange(d.height) % 2 == 0))
    m = FormationModel(features=["x1"]).fit(d)
    assert m.n_train_ == d.height // 2


def test_bad_input():
    with pytest.raises(FoedusError):
        FormationModel(kind="forest", features=["x1"]).fit(simulated())
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
