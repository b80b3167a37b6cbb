"""The second stage (tail recalibration on past out-of-sample forecasts) and the yearly count
distribution, on small synthetic data; and that neither sees outcomes of the year forecast."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from scipy import stats

from foedus.errors import ModelFileError
from foedus.prospects import persist
from foedus.prospects.backtest import backtest
from foedus.prospects.calibration import (
    KNOTS,
    SLOPES,
    apply_tail,
    count_interval,
    fit_count_size,
    fit_tail,
    logit,
)
from foedus.prospects.models import FormationModel, OOSHistory, oos_history, training_rows


def drifting(n_per_year: int = 1500, years: tuple[int, int] = (1950, 1975), seed: int = 0):
    """A panel whose onset rate falls over time (the first stage, with a constant intercept,
    is then too high out of sample) and whose x1 has a steeper effect in training than later
    (an overconfident upper tail)."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(years[0], years[1] + 1):
        x1 = rng.normal(size=n_per_year)
        x2 = rng.normal(size=n_per_year)
        slope = 1.6 if t < 1962 else 0.6
        eta = -4.0 - 0.04 * (t - years[0]) + slope * x1 - 0.4 * x2
        y = (rng.random(n_per_year) < 1 / (1 + np.exp(-eta))).astype(np.int8)
        rows.append(
            pl.DataFrame(
                {
                    "ccode1": np.arange(n_per_year, dtype=np.int32) % 300 + 2,
                    "ccode2": np.arange(n_per_year, dtype=np.int32) // 300 + 400,
                    "year": np.full(n_per_year, t, dtype=np.int32),
                    "at_risk": np.ones(n_per_year, bool),
                    "onset": y,
                    "x1": x1,
                    "x2": x2,
                }
            )
        )
    return pl.concat(rows)


FEATS = ["x1", "x2"]


def test_tail_is_increasing_and_the_identity_below_the_knot():
    p = np.linspace(1e-4, 0.99, 500)
    q = apply_tail(p, -3.0, 0.1)
    assert np.all(np.diff(q) > 0)  # the order of the forecasts is kept
    below = logit(p) <= -3.0
    np.testing.assert_array_equal(q[below], p[below])
    assert np.all(q[~below] < p[~below])
    np.testing.assert_allclose(apply_tail(p, -3.0, 1.0), p, rtol=1e-12)


def test_fit_tail_finds_an_overconfident_tail_and_leaves_a_calibrated_one():
    rng = np.random.default_rng(1)
    p = 1 / (1 + np.exp(-rng.normal(-5, 1.5, 200_000)))
    truth = np.minimum(p, 0.03)  # nothing is more likely than 3%
    y = (rng.random(p.size) < truth).astype(float)
    knot, slope = fit_tail(p, y)
    assert slope < 0.5 and -4.5 < knot < -2.5
    assert np.mean((apply_tail(p, knot, slope) - y) ** 2) < np.mean((p - y) ** 2)
    y_cal = (rng.random(p.size) < p).astype(float)  # calibrated forecasts
    knot, slope = fit_tail(p, y_cal)
    q = apply_tail(p, knot, slope)
    assert np.mean((q - y_cal) ** 2) <= np.mean((p - y_cal) ** 2)
    assert slope >= 0.5 or np.abs(q - p).max() < 0.2
    assert slope in SLOPES and np.isclose(KNOTS, knot).any()


def test_negative_binomial_size_is_recovered_and_its_intervals_cover():
    rng = np.random.default_rng(2)
    mu = rng.uniform(5, 40, 400)
    r = 0.4
    counts = rng.negative_binomial(r, r / (r + mu))
    size = fit_count_size(counts, mu)
    assert size == pytest.approx(r, rel=0.25)
    inside = [count_interval(m, size, 0.9) for m in mu]
    cover = np.mean([lo <= c <= hi for (lo, hi), c in zip(inside, counts, strict=True)])
    assert 0.85 <= cover <= 0.97
    lo, hi = count_interval(20.0, size, 0.9)
    assert (lo, hi) == tuple(
        int(v) for v in stats.nbinom.ppf([0.05, 0.95], size, size / (size + 20.0))
    )


def test_the_second_stage_learns_only_from_earlier_out_of_sample_forecasts():
    panel = drifting()
    t = training_rows(panel.filter(pl.col("year") < 1970), FEATS)
    m = FormationModel(features=FEATS, calibration_start=1955).fit_arrays(
        t.raw, t.y, t.dyads, years=(1950, 1969), row_years=t.years
    )
    assert m.history_years_ == (1955, 1969)
    assert m.calibration_ is not None and m.calibration_[1] < 1  # the tail was too steep
    assert m.count_size_ is not None and m.count_size_ > 0
    # each year's out-of-sample forecast ignores everything of that year and later: falsify
    # the outcomes of 1962 on and the history of the years before 1962 is unchanged
    h = oos_history(m, t.raw, t.y, t.dyads, t.years)
    y_false = np.where(t.years >= 1962, 1 - t.y, t.y)
    h2 = oos_history(m, t.raw, y_false, t.dyads, t.years)
    early = h.years < 1962
    np.testing.assert_array_equal(h.p[early], h2.p[h2.years < 1962])
    assert not np.array_equal(h.p[~early], h2.p[h2.years >= 1962])


def test_a_model_for_T_ignores_every_outcome_of_T_and_later():
    panel = drifting()
    res = backtest(panel, 1966, 1968, features=FEATS, baselines=False)
    late = pl.col("year") >= 1967
    flipped = panel.with_columns(
        onset=pl.when(late).then(1 - pl.col("onset")).otherwise(pl.col("onset"))
    )
    again = backtest(flipped, 1966, 1968, features=FEATS, baselines=False)
    first = pl.col("year") == 1967  # its forecasts were made at the end of 1966
    a = res.predictions.filter(first)
    b = again.predictions.filter(first)
    np.testing.assert_array_equal(a["p_model"].to_numpy(), b["p_model"].to_numpy())
    np.testing.assert_array_equal(a["p_model_hi"].to_numpy(), b["p_model_hi"].to_numpy())
    # ... and the 1968 forecasts changed: the second stage learned from 1967's
    c = res.predictions.filter(pl.col("year") == 1968)["p_model"].to_numpy()
    d = again.predictions.filter(pl.col("year") == 1968)["p_model"].to_numpy()
    assert not np.array_equal(c, d)


def test_the_backtest_predicts_what_a_model_fitted_for_the_year_predicts():
    panel = drifting()
    res = backtest(panel, 1968, 1969, features=FEATS, baselines=False)
    for year in (1968, 1969):
        m = FormationModel(features=FEATS).fit(panel.filter(pl.col("year") < year))
        rows = panel.filter(pl.col("year") == year)
        p = m.predict_proba(rows)
        got = res.predictions.filter(pl.col("year") == year)["p_model"].to_numpy()
        # the backtest warm-starts each origin's Newton fit from the previous one: equal to
        # the solver's tolerance, and 1968 (a cold start in both) exactly
        np.testing.assert_allclose(got, p, rtol=1e-9 if year == 1968 else 1e-6)
    counts = res.counts
    assert counts is not None and counts.height == 2
    assert counts["lo"].is_not_null().all() and (counts["lo"] <= counts["hi"]).all()
    assert 0 <= res.count_coverage() <= 1
    assert "p_first" in res.predictions.columns


def test_without_row_years_the_model_warns_and_fits_the_first_stage():
    panel = drifting(years=(1950, 1960))
    t = training_rows(panel, FEATS)
    with pytest.warns(UserWarning, match="row_years"):
        m = FormationModel(features=FEATS).fit_arrays(t.raw, t.y, t.dyads, years=(1950, 1960))
    assert m.calibration_ is None
    plain = FormationModel(features=FEATS, calibration=None).fit_arrays(
        t.raw, t.y, t.dyads, years=(1950, 1960)
    )
    np.testing.assert_array_equal(m.predict_proba_arrays(t.raw), plain.predict_proba_arrays(t.raw))


def test_history_helpers():
    h = OOSHistory.empty().extend(1960, np.array([0.1, 0.2]), np.array([0.0, 1.0]))
    h = h.extend(1961, np.array([0.3]), np.array([0.0]))
    assert h.n_years == 2 and h.upto(1960).p.tolist() == [0.1, 0.2]
    assert h.since(1961).y.tolist() == [0.0]


@pytest.fixture(scope="module")
def calibrated():
    panel = drifting(years=(1950, 1966))
    return FormationModel(features=FEATS, calibration_start=1955).fit(panel), panel


def test_the_second_stage_is_saved_and_loaded(calibrated, tmp_path):
    m, panel = calibrated
    assert m.calibration_ is not None
    path = persist.save_model(m, tmp_path / "m.json")
    d = json.loads(path.read_text())
    assert d["format"] == "foedus.model/3" and d["calibration"]["method"] == "tail"
    back, meta = persist.load_model(path)
    assert meta["format"] == "foedus.model/3"
    assert back.calibration_ == m.calibration_ and back.count_size_ == m.count_size_
    np.testing.assert_array_equal(back.predict_proba(panel), m.predict_proba(panel))
    lo, hi = back.predict_interval_arrays(panel.select(FEATS).to_numpy())
    lo0, hi0 = m.predict_interval_arrays(panel.select(FEATS).to_numpy())
    np.testing.assert_array_equal(lo, lo0)
    np.testing.assert_array_equal(hi, hi0)


def _rewrite(path, edit) -> None:
    d = json.loads(path.read_text())
    edit(d)
    d["sha256"] = persist.digest(d)
    path.write_text(json.dumps(d))


def test_version_2_files_are_read_as_models_without_a_second_stage(calibrated, tmp_path):
    m, panel = calibrated
    path = persist.save_model(m, tmp_path / "m.json")

    def to_v2(d: dict) -> None:
        d["format"] = "foedus.model/2"
        for key in ("calibration", "calibration_start", "calibration_min_years"):
            d["params"].pop(key)
        d.pop("calibration")

    _rewrite(path, to_v2)
    back, meta = persist.load_model(path)
    assert meta["format"] == "foedus.model/2" and back.calibration_ is None
    raw = panel.select(FEATS).to_numpy()
    np.testing.assert_array_equal(back.predict_proba_arrays(raw), m.predict_first_stage(raw))


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["calibration"].update(slope=0.33), "calibration.slope"),
        (lambda d: d["calibration"].update(slope=2.0), "calibration.slope"),
        (lambda d: d["calibration"].update(knot=-4.05), "calibration.knot"),
        (lambda d: d["calibration"].update(count_size=-1.0), "calibration.count_size"),
        (lambda d: d["calibration"].update(history_years=[1940, 1966]), "history_years"),
        (lambda d: d["params"].update(calibration=None), "params.calibration is null"),
        (lambda d: d["params"].pop("calibration_start"), "calibration_start"),
        (lambda d: d.pop("calibration"), "calibration"),
        (lambda d: d.update(format="foedus.model/2"), "has no second stage"),
    ],
)
def test_a_bad_second_stage_is_refused(calibrated, tmp_path, edit, match):
    m, _ = calibrated
    path = persist.save_model(m, tmp_path / "m.json")
    _rewrite(path, edit)
    with pytest.raises(ModelFileError, match=match):
        persist.load_model(path)
