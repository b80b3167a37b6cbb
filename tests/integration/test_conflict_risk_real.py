"""Conflict risk on the real data: the fitting panels, the fits and their sign tables, the cache,
the backtest, the Russia-China scenario of 2021, and the fast path against the slow path."""

from __future__ import annotations

import json
import warnings

import numpy as np
import polars as pl
import pytest

from foedus import panels
from foedus.consequences import conflict_backtest as cb
from foedus.consequences import conflict_design as cd
from foedus.consequences import conflict_model as cm
from foedus.consequences import conflict_risk as cr
from foedus.consequences import conflict_sweep as cs
from foedus.errors import FoedusWarning, InvalidArgumentError
from foedus.world import current_world

pytestmark = pytest.mark.integration

RUS, CHN, USA, UK, FRA, JPN = 365, 710, 2, 200, 220, 740


@pytest.fixture(scope="module")
def leeds_data() -> cd.TrainingData:
    return cd.training_data("leeds2003")


@pytest.fixture(scope="module")
def leeds(leeds_data) -> cm.ConflictRiskModel:
    return cm.fitted_model("leeds2003", data=leeds_data, cache=False)


@pytest.fixture(scope="module")
def bremer_data() -> cd.TrainingData:
    return cd.training_data("bremer1992")


@pytest.fixture(scope="module")
def worlds():
    base = current_world(through=2021)
    return base, base.with_pledge([(RUS, CHN)], "defense", 2021)


def test_the_leeds_panel_keeps_every_directed_dyad_year(leeds_data):
    keys = panels.dyad_years("cow", years=(1816, 2014))
    assert leeds_data.frame.height == keys.height == 1_836_630
    assert leeds_data.frame.select(cd.KEYS).equals(keys)  # every join kept the rows
    assert int(leeds_data.frame["initiation"].sum()) == cd.initiations().height == 2_692
    assert len(leeds_data.y) == 1_615_818  # complete rows: V-Dem lacks some state-years
    assert int(leeds_data.y.sum()) == 2_652
    assert (np.diff(leeds_data.row_years) >= 0).all()


def test_the_bremer_panel_is_the_politically_relevant_undirected_one(bremer_data):
    f = bremer_data.frame
    assert f.height == 112_253  # 111,991 with peacesciencer's contiguity rule (as_filed)
    assert f.select((pl.col("ccode1") < pl.col("ccode2")).all()).item()
    assert int(f["onset"].sum()) >= 2_600
    assert len(bremer_data.y) == 106_290


def test_fit_time_and_scenario_time_features_are_identical(leeds_data, bremer_data):
    """One year of the fitting panel against the same year's design built as a scenario
    builds it: equal, value for value (nulls included)."""
    w = current_world()
    for td in (leeds_data, bremer_data):
        d = cd.year_design(w, 2000, td.spec)
        part = td.frame.filter(pl.col("year") == 2000)
        st = d.alliances
        ii, jj = st.pos[part["ccode1"].to_numpy()], st.pos[part["ccode2"].to_numpy()]
        got = d.rows(ii, jj)
        want = part.select(pl.col(list(td.spec.features)).cast(pl.Float64).fill_null(np.nan))
        np.testing.assert_array_equal(got, want.to_numpy())


def test_portfolios_are_foedus_portfolios():
    from foedus.measures.similarity import yearly_portfolios

    w = current_world()
    for year, codes, x, _, _ in yearly_portfolios("atop", "valued", (1990, 1991), False, world=w):
        st = cd.alliance_state(w, year)
        np.testing.assert_array_equal(st.codes, codes)
        np.testing.assert_array_equal(st.x, x)


def test_leeds_fit_and_sign_table(leeds):
    """The measured pattern (docs/consequences.md, "Conflict risk"): the challenger's offence
    and neutrality pledges raise the odds of initiation, clustered or not; the target's
    third-party defence pledges, coded without the conditions Leeds reads from the treaties,
    do not lower them."""
    assert leeds.n_obs_ == 1_615_818 and leeds.n_events_ == 2_652
    t = leeds.sign_table()
    assert t["term"].to_list() == ["const", *cd.SPECS["leeds2003"].features]
    assert (t["se_cluster"] > t["se_naive"]).all()  # dyads are not independent
    row = {r["term"]: r for r in t.iter_rows(named=True)}
    for term in ("challenger_offense", "challenger_neutral"):
        assert row[term]["published"] == "+"
        assert row[term]["holds_naive"] and row[term]["holds_clustered"]
    assert row["target_defended"]["published"] == "-"
    assert row["target_defended"]["holds_clustered"] is False
    assert row["joint_democracy"]["coef"] < 0 and row["log_capdist"]["coef"] < 0


def test_bremer_fit_signs_and_cache(bremer_data):
    m = cm.fitted_model("bremer1992", data=bremer_data)
    t = {r["term"]: r for r in m.sign_table().iter_rows(named=True)}
    for term in ("land_contiguity", "cinc_prop", "milit_weak_link", "dem_weak_link"):
        assert t[term]["holds_clustered"], term
    assert t["allied"]["coef"] < 0 and t["allied"]["holds_naive"]
    # a second process reads the cache: the same model, bit for bit
    cm.forget_loaded()
    back = cm.fitted_model("bremer1992")
    assert back.coef_.tobytes() == m.coef_.tobytes() and back.cov_.tobytes() == m.cov_.tobytes()
    store = cm.model_store()
    (checked,) = store.scan(cm.model_is_current)
    assert checked.state == "verified", checked.reason
    # a damaged entry is removed with a warning and the model refitted
    cm.forget_loaded()
    (entry,) = [p for p in store.directory.iterdir() if p.suffix == ".model"]
    doc = json.loads(entry.read_text())
    doc["model"]["coef"][0] += 1.0
    entry.write_text(json.dumps(doc))
    with pytest.warns(FoedusWarning, match="damaged"):
        again = cm.fitted_model("bremer1992", data=bremer_data)
    assert again.coef_.tobytes() == m.coef_.tobytes()


def test_backtest_scores_rolling_fits(bremer_data):
    bt = cb.backtest("bremer1992", 2006, 2010, data=bremer_data)
    assert bt.years == (2006, 2010)
    assert set(bt.predictions["year"].unique().to_list()) == {2006, 2007, 2008, 2009, 2010}
    pooled = {r["model"]: r for r in bt.pooled.iter_rows(named=True)}
    assert set(pooled) == {"p_model", "p_base", "p_reduced"}
    assert pooled["p_model"]["roc_auc"] > 0.8 > pooled["p_base"]["roc_auc"]
    assert pooled["p_model"]["brier_skill"] > pooled["p_base"]["brier_skill"]
    with pytest.raises(InvalidArgumentError):
        cb.backtest("bremer1992", 1820, 2010, data=bremer_data)


def test_a_pact_changes_the_affected_dyads_only(leeds, worlds):
    base, scen = worlds
    affected = set(cr.affected_dyads(base, scen, 2021))
    assert (USA, RUS) in affected and (CHN, RUS) in affected and (JPN, CHN) in affected
    assert all(RUS in d or CHN in d for d in affected)
    dyads = [(USA, RUS), (RUS, CHN), (JPN, CHN), (USA, UK), (FRA, UK)]
    r = cr.conflict_risk(base, scen, dyads, 2021, model=leeds, draws=500, seed=3)
    assert r.n_affected == len(affected) and r.draws == 500 and r.year == 2021
    by = {(d.challenger, d.target): d for d in r.dyads}
    for d in dyads[:3]:
        x = by[d]
        assert x.delta != 0 and "s_un" in x.changed
        assert x.baseline_lo <= x.baseline <= x.baseline_hi
        assert x.delta_lo <= x.delta <= x.delta_hi
        assert x.delta_hi - x.delta_lo < x.baseline_hi - x.baseline_lo  # common draws
    for d in dyads[3:]:  # neither party: nothing changes
        x = by[d]
        assert x.changed == {} and x.delta == 0 and x.baseline == x.scenario
        assert x.delta_lo == x.delta_hi == 0
    # after 2018 the pledges are carried, after 2014 the peace years
    assert set(by[(USA, RUS)].carried) == {"atop", "states", "cow_mids"}
    doc = json.loads(json.dumps(r.to_dict()))
    assert doc["dyads"][0]["challenger"] == USA
    f = r.frame()
    assert f.height == 5 and f["delta"].null_count() == 0
    rows = cr.rows(r)
    assert rows[0]["measure"] == "p_initiation" and rows[0]["item"] == f"{USA}->{RUS}"


def test_later_years_carry_every_source_forward(leeds):
    base = current_world(through=2025)
    scen = base.with_pledge([(RUS, CHN)], "defense", 2025)
    r = cr.conflict_risk(base, scen, [(USA, CHN)], 2025, model=leeds, draws=100)
    (d,) = r.dyads
    assert {"atop", "states", "cow_mids", "nmc", "capitals"} <= set(d.carried)
    assert d.baseline is not None and d.missing == []


def test_capability_changes_reach_the_covariates(leeds, worlds):
    base, _ = worlds
    scen = base.with_capabilities(CHN, (2021, 2021), cinc=0.4)
    r = cr.conflict_risk(base, scen, [(CHN, JPN), (USA, UK)], 2021, model=leeds, draws=100)
    assert "cap_share" in r.dyads[0].changed and r.dyads[1].changed != {}  # shares rescaled


def test_fast_path_equals_the_slow_path(leeds, worlds):
    base, _ = worlds
    ctx = cs.sweep_context(base, 2021, model=leeds, draws=400, seed=5)
    for edits in (
        [(RUS, CHN, "defense")],
        [(USA, CHN, "offense")],
        [(RUS, CHN, "neutral"), (USA, UK, "defense", "remove")],
    ):
        scen = base
        for e in cd.check_edits(edits):
            if e.action == "add":
                scen = scen.with_pledge([(e.a, e.b)], e.pledge, 2021)
            else:
                scen = scen.without_pledge([(e.a, e.b)], e.pledge, 2021)
        affected = cr.affected_dyads(base, scen, 2021)
        fast = cs.evaluate_edits(ctx, edits)
        assert fast.dyads == affected
        b = cd.year_design(base, 2021, "leeds2003")
        ii, jj = b.positions(affected)
        xb, xs, pb, ps = cr.risk_draws(leeds, b, cr.scenario_design(b, scen, base), ii, jj, 400, 5)
        for slow, quick in ((xb, fast.x_baseline), (xs, fast.x_scenario)):
            np.testing.assert_array_equal(slow, quick)
        np.testing.assert_array_equal(pb, fast.baseline)
        np.testing.assert_array_equal(ps, fast.scenario)
        res = cr.conflict_risk(base, scen, affected[:3], 2021, model=leeds, draws=400, seed=5)
        got = [np.nan if d.scenario is None else d.scenario for d in res.dyads]
        np.testing.assert_array_equal(got, fast.p_scenario[:3])


def test_states_outside_the_system_are_refused(leeds, worlds):
    base, scen = worlds
    with pytest.raises(InvalidArgumentError, match="COW 260 is not a system member in 2021"):
        cr.conflict_risk(base, scen, [(USA, 260)], 2021, model=leeds)
    with pytest.raises(InvalidArgumentError, match="year"):
        cr.conflict_risk(base, scen, [(USA, RUS)], 2022, model=leeds)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cr.conflict_risk(base, scen, [(USA, RUS)], 2021, model=leeds, draws=10)
