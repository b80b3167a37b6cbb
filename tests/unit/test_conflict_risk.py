"""Conflict risk on small synthetic worlds and simulated data (no data files): the coding of
every alliance term, S, the estimator, its draws, persistence, the fast path and the checks."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from foedus.consequences import conflict_design as cd
from foedus.consequences import conflict_model as cm
from foedus.consequences import conflict_risk as cr
from foedus.consequences import conflict_sweep as cs
from foedus.errors import InvalidArgumentError, ModelFileError, ModelFitError, WorldError
from foedus.measures.similarity import pair_measures, portfolio_ties
from foedus.world import PLEDGE_COLUMNS, World

CODES = [2, 20, 200, 220, 255, 365, 710]
MEMBERS = {y: CODES for y in range(2000, 2006)}
YEAR = 2003


def _rows(rows: list[tuple[int, int, int, dict[str, int]]]) -> pl.DataFrame:
    data = {
        "ccode1": [r[0] for r in rows],
        "ccode2": [r[1] for r in rows],
        "year": [r[2] for r in rows],
    }
    for c in PLEDGE_COLUMNS:
        data[c] = [float(r[3].get(c.removeprefix("atop_"), 0)) for r in rows]
    frame = pl.DataFrame(data).with_columns(pl.col("ccode1", "ccode2", "year").cast(pl.Int32))
    return frame.with_columns(pl.lit("atop").alias("source"))


def world() -> World:
    """2 and 20 defend each other; 200 pledges defence to 2 (one way) and 2 consultation to
    200; 220 pledges offence to 255; 365 neutrality to 710 (all 2000-2005)."""
    rows = []
    for y in range(2000, 2006):
        rows += [
            (2, 20, y, {"defense": 1, "consul": 1}),
            (20, 2, y, {"defense": 1, "consul": 1}),
            (200, 2, y, {"defense": 1}),
            (2, 200, y, {"consul": 1}),
            (220, 255, y, {"offense": 1}),
            (255, 220, y, {}),
            (365, 710, y, {"neutral": 1}),
        ]
    return World(pledges_=_rows(rows), first_year=2000, last_year=2005)


def state(w: World | None = None, year: int = YEAR) -> cd.AllianceState:
    return cd.alliance_state(w or world(), year, members=CODES)


def value(st: cd.AllianceState, name: str, a: int, b: int) -> float:
    return float(cd.alliance_values(st, name, np.array([st.pos[a]]), np.array([st.pos[b]]))[0])


# --- the alliance terms -------------------------------------------------------------------------


def test_target_defended_counts_third_parties_only():
    st = state()
    assert value(st, "target_defended", 20, 2) == 1  # 200 defends 2
    assert value(st, "target_defended", 200, 2) == 1  # 20 defends 2
    assert value(st, "target_defended", 365, 20) == 1  # 2 defends 20
    assert value(st, "target_defended", 2, 20) == 0  # 20's only defender is the challenger
    assert value(st, "target_defended", 2, 200) == 0  # 2 gave 200 consultation, no defence
    assert value(st, "target_defended", 710, 365) == 0


def test_challenger_terms_count_third_parties_only():
    st = state()
    assert value(st, "challenger_defended", 2, 20) == 1  # 200 defends 2
    assert value(st, "challenger_defended", 2, 365) == 1
    assert value(st, "challenger_defended", 20, 2) == 0  # 2 is 20's only defender: the target
    assert value(st, "challenger_offense", 255, 2) == 1  # 220 backs 255's attack
    assert value(st, "challenger_offense", 255, 220) == 0  # ... not against 220 itself
    assert value(st, "challenger_offense", 220, 255) == 0  # the pledge is 220's to 255
    assert value(st, "challenger_neutral", 710, 2) == 1  # 365 stays out
    assert value(st, "challenger_neutral", 710, 365) == 0
    assert value(st, "challenger_neutral", 365, 710) == 0


def test_allied_is_a_defence_pledge_either_way():
    st = state()
    assert value(st, "allied", 2, 20) == value(st, "allied", 20, 2) == 1
    assert value(st, "allied", 2, 200) == value(st, "allied", 200, 2) == 1  # one way suffices
    assert value(st, "allied", 20, 200) == 0
    assert value(st, "allied", 220, 255) == 0  # offence is not defence


def test_portfolio_categories_equal_foedus_portfolio_coding():
    w = world()
    st = state(w)
    ties = portfolio_ties(world=w).filter(pl.col("year") == YEAR)
    want = np.zeros_like(st.x)
    for a, b, _, t in ties.iter_rows():
        want[st.pos[a], st.pos[b]] = t
    np.fill_diagonal(want, 3)
    np.testing.assert_array_equal(st.x, want)
    assert st.x[st.pos[200], st.pos[2]] == 3 and st.x[st.pos[2], st.pos[200]] == 2


def test_s_is_signorino_ritter_over_the_valued_portfolios():
    st = state()
    x = st.x.astype(float)
    n = len(CODES)
    brute = np.array(
        [[1 - 2 * np.abs(x[i] - x[j]).sum() / (3 * n) for j in range(n)] for i in range(n)]
    )
    np.testing.assert_allclose(st.s_un, brute, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(st.s_un, pair_measures(st.x, 4, None, ["s_un"])["s_un"])
    assert value(st, "s_un", 2, 20) == value(st, "s_un", 20, 2)


def test_stacked_terms_equal_the_years_design_and_keep_the_rows():
    """Fit-time features (stacked over years) and scenario-time features (one year's
    matrices) are the same numbers."""
    w = world()
    spec = cd.SPECS["leeds2003"]
    keys = pl.DataFrame(
        [(a, b, y) for a in CODES for b in CODES if a != b for y in range(2005, 1999, -1)],
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
        orient="row",
    )
    stacked = keys.with_columns(cd.stacked_alliance_terms(keys, spec, w, (2000, 2005), MEMBERS))
    assert stacked.height == keys.height
    assert stacked.select(cd.KEYS).equals(keys)  # the rows, in their order
    for y in range(2000, 2006):
        st = cd.alliance_state(w, y, members=CODES)
        part = stacked.filter(pl.col("year") == y)
        ii, jj = st.pos[part["ccode1"].to_numpy()], st.pos[part["ccode2"].to_numpy()]
        for f in spec.alliance_terms:
            np.testing.assert_array_equal(part[f].to_numpy(), cd.alliance_values(st, f, ii, jj))


# --- pact edits (the fast path's state) ---------------------------------------------------------


def _world_edit(w: World, e: cd.PactEdit, year: int = YEAR) -> World:
    if e.action == "add":
        return w.with_pledge([(e.a, e.b)], e.pledge, year)
    return w.without_pledge([(e.a, e.b)], e.pledge, year)


@pytest.mark.parametrize(
    "edits",
    [
        [(365, 710, "defense")],
        [(200, 220, "offense")],
        [(2, 20, "defense", "remove")],
        [(2, 200, "any", "remove"), (710, 255, "nonagg")],
        [(20, 200, "consul"), (20, 200, "defense")],
    ],
)
def test_edited_state_equals_the_edited_worlds_state(edits):
    w = world()
    es = cd.check_edits(edits)
    fast, touched = cd.apply_edits(state(w), es)
    edited = w
    for e in es:
        edited = _world_edit(edited, e)
    slow = state(edited)
    for f in ("bits", "x", "s_un"):
        np.testing.assert_array_equal(getattr(fast, f), getattr(slow, f))
    for p in fast.received:
        np.testing.assert_array_equal(fast.received[p], slow.received[p])
    assert set(touched.tolist()) == {int(slow.pos[c]) for e in es for c in (e.a, e.b)}


def test_edits_are_refused_as_the_world_refuses_them():
    st = state()
    with pytest.raises(WorldError, match="already have a defense pledge"):
        cd.apply_edits(st, cd.check_edits([(20, 2, "defense")]))
    with pytest.raises(WorldError, match="already have a defense pledge"):
        world().with_pledge([(20, 2)], "defense", YEAR)
    with pytest.raises(WorldError, match="no offense pledge"):
        cd.apply_edits(st, cd.check_edits([(2, 20, "offense", "remove")]))
    with pytest.raises(InvalidArgumentError, match="not a system member"):
        cd.apply_edits(st, cd.check_edits([(2, 999, "defense")]))
    with pytest.raises(WorldError, match="itself"):
        cd.check_edits([(2, 2, "defense")])
    with pytest.raises(InvalidArgumentError, match="unknown pledge"):
        cd.check_edits([(2, 20, "friendship")])
    with pytest.raises(InvalidArgumentError):
        cd.check_edits([])


# --- the estimator on simulated data ------------------------------------------------------------

FEATS = cd.SPECS["leeds2003"].features
BETA = np.array([-3.0, -0.5, 0.2, 0.6, 0.7, -0.4, 0.3, -0.9, -0.5, -0.1, 0.05, -0.02])


def simulate(n: int, rng: np.random.Generator, *, clusters: int | None = None):
    k = len(FEATS)
    x = rng.normal(size=(n, k))
    x[:, :4] = rng.random((n, 4)) < 0.4  # binary alliance terms
    latent = np.column_stack([np.ones(n), x]) @ BETA
    groups = np.arange(n)
    if clusters is not None:
        groups = rng.integers(0, clusters, n)
        # a cluster-level covariate and a cluster effect: clustered errors
        x[:, 6] = rng.normal(size=clusters)[groups]
        latent = np.column_stack([np.ones(n), x]) @ BETA + rng.normal(0, 1.0, clusters)[groups]
    y = (rng.random(n) < 1 / (1 + np.exp(-latent))).astype(float)
    return x, y, groups


@pytest.fixture(scope="module")
def fitted():
    x, y, g = simulate(120_000, np.random.default_rng(1))
    return cm.ConflictRiskModel("leeds2003").fit(x, y, g), x


def test_recovers_known_coefficients(fitted):
    m, _ = fitted
    se = np.sqrt(np.diag(m.cov_naive_))
    assert np.all(np.abs(m.coef_ - BETA) < 4 * se)
    assert m.feature_names_ == ["const", *FEATS]
    assert m.n_obs_ == 120_000 and m.n_events_ > 1000 and m.n_clusters_ == 120_000
    # without clustering the sandwich is close to the naive covariance
    np.testing.assert_allclose(np.sqrt(np.diag(m.cov_)), se, rtol=0.1)


def test_clustered_errors_are_wider_than_naive_with_clustered_data():
    x, y, g = simulate(60_000, np.random.default_rng(2), clusters=500)
    m = cm.ConflictRiskModel("leeds2003").fit(x, y, g)
    ratio = np.sqrt(np.diag(m.cov_)) / np.sqrt(np.diag(m.cov_naive_))
    assert m.n_clusters_ == 500
    assert ratio[7] > 2  # the cluster-level covariate (feature 6; 0 is the intercept)
    assert ratio[0] > 1.5


def test_clustered_covariance_equals_statsmodels(fitted):
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_cluster

    x, y, g = simulate(20_000, np.random.default_rng(3), clusters=800)
    m = cm.ConflictRiskModel("leeds2003").fit(x, y, g)
    res = sm.Logit(y, np.column_stack([np.ones(len(y)), x])).fit(disp=0)
    np.testing.assert_allclose(m.coef_, res.params, rtol=1e-6)
    np.testing.assert_allclose(m.cov_, cov_cluster(res, g), rtol=1e-6)
    np.testing.assert_allclose(m.cov_naive_, res.cov_params(), rtol=1e-6)


def test_draw_mean_equals_predict_proba_and_seeds_repeat(fitted):
    m, x = fitted
    rows = x[:500]
    p = m.predict_proba(rows)
    assert p.shape == (500, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    d = m.draw_proba(rows, 2000, 7)
    assert d.shape == (500, 2000)
    np.testing.assert_allclose(d.mean(axis=1), p[:, 1], rtol=0.02)
    np.testing.assert_array_equal(d, m.draw_proba(rows, 2000, 7))
    assert not np.array_equal(d, m.draw_proba(rows, 2000, 8))
    # the draws of a row do not depend on the rows evaluated with it
    np.testing.assert_array_equal(m.draw_proba(rows[[3, 10]], 2000, 7), d[[3, 10]])
    np.testing.assert_array_equal(m.coef_draws(50, 7), m.coef_draws(50, np.random.default_rng(7)))


def test_proba_draws_do_not_depend_on_the_other_rows():
    rng = np.random.default_rng(4)
    x1 = np.column_stack([np.ones(700), rng.normal(size=(700, 11))])
    b = rng.normal(size=(1000, 12))
    full = cm.proba_draws(x1, b)
    for m in (1, 2, 3, 7, 64, 333):
        idx = rng.choice(700, m, replace=False)
        np.testing.assert_array_equal(cm.proba_draws(x1[idx], b), full[idx])
    np.testing.assert_allclose(full, 1 / (1 + np.exp(-(x1 @ b.T))), rtol=1e-12)


def test_round_trip_through_json(fitted):
    m, x = fitted
    m.years_ = (1816, 2014)
    back = cm.ConflictRiskModel.from_dict(json.loads(json.dumps(m.to_dict())))
    for f in ("coef_", "cov_", "cov_naive_"):
        assert getattr(back, f).tobytes() == getattr(m, f).tobytes()
    assert back.years_ == (1816, 2014) and back.features_ == list(FEATS)
    np.testing.assert_array_equal(back.predict_proba(x[:100]), m.predict_proba(x[:100]))
    np.testing.assert_array_equal(back.draw_proba(x[:50], 100, 3), m.draw_proba(x[:50], 100, 3))
    assert back.sign_table().equals(m.sign_table())
    doc = m.to_dict()
    for bad in (
        {**doc, "format": "other"},
        {**doc, "coef": doc["coef"][:-1]},
        {**doc, "features": ["nonsense", *doc["features"][1:]]},
        [],
    ):
        with pytest.raises(ModelFileError):
            cm.ConflictRiskModel.from_dict(bad)


def test_sign_table_reports_the_published_pattern(fitted):
    m, _ = fitted
    t = m.sign_table()
    assert t["term"].to_list() == ["const", *FEATS]
    row = t.filter(pl.col("term") == "target_defended").row(0, named=True)
    assert row["published"] == "-" and "Leeds 2003" in row["basis"]
    assert row["holds_clustered"] is True  # simulated -0.5
    off = t.filter(pl.col("term") == "challenger_offense").row(0, named=True)
    assert off["published"] == "+" and off["holds_naive"] is True
    assert t.filter(pl.col("term") == "log_capdist")["holds_clustered"].to_list() == [None]
    assert (t["p_cluster"] >= 0).all() and (t["se_cluster"] > 0).all()


def test_fit_errors():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(100, len(FEATS)))
    with pytest.raises(ModelFitError, match="one outcome"):
        cm.ConflictRiskModel().fit(x, np.zeros(100))
    xn = x.copy()
    xn[3, 2] = np.nan
    with pytest.raises(InvalidArgumentError, match="missing"):
        cm.ConflictRiskModel().fit(xn, rng.random(100) < 0.5)
    with pytest.raises(InvalidArgumentError, match="feature columns"):
        cm.ConflictRiskModel().fit(x[:, :3], rng.random(100) < 0.5)
    with pytest.raises(InvalidArgumentError, match="0/1"):
        cm.ConflictRiskModel().fit(x, np.full(100, 2.0))
    with pytest.raises(InvalidArgumentError, match="not terms"):
        cm.ConflictRiskModel("leeds2003", ["target_defended", "cinc_prop"]).fit(x, np.ones(100))
    with pytest.raises(ModelFitError, match="not fitted"):
        cm.ConflictRiskModel().predict_proba(x)
    with pytest.raises(InvalidArgumentError):
        cm.ConflictRiskModel("nonsense").fit(x, rng.random(100) < 0.5)


def test_frame_input_takes_the_feature_columns(fitted):
    m, x = fitted
    frame = pl.DataFrame(x[:20], schema=list(FEATS)).select(list(reversed(FEATS)))
    np.testing.assert_array_equal(m.predict_proba(frame), m.predict_proba(x[:20]))


# --- the consequence's core and the fast path ---------------------------------------------------


def design(w: World, fitted_model: cm.ConflictRiskModel) -> cd.YearDesign:
    """A design of the synthetic world with random covariates (some missing)."""
    spec = cd.SPECS["leeds2003"]
    rng = np.random.default_rng(11)
    n = len(CODES)
    cov = {f: rng.normal(size=(n, n)) for f in spec.covariate_terms}
    cov["joint_democracy"][0, 3] = np.nan
    return cd.YearDesign(spec, YEAR, state(w), cov, ("nmc",))


@pytest.mark.parametrize(
    "edits",
    [
        [(365, 710, "defense")],
        [(200, 220, "offense")],
        [(2, 20, "defense", "remove"), (710, 255, "neutral")],
    ],
)
def test_fast_path_equals_the_slow_path(fitted, edits):
    m, _ = fitted
    w = world()
    base = design(w, m)
    edited = w
    for e in cd.check_edits(edits):
        edited = _world_edit(edited, e)
    scen = replace(base, alliances=state(edited))
    affected = cr.changed_dyads(base, scen)
    ii, jj = base.positions(affected)
    xb, xs, pb, ps = cr.risk_draws(m, base, scen, ii, jj, 300, 9)
    ctx = cs.SweepContext(base, m.coef_, m.coef_draws(300, 9), 300, 9, {}, cache_mb=1.0)
    for _ in range(2):  # the second time from the cached baseline blocks
        fast = cs.evaluate_edits(ctx, edits)
        assert fast.dyads == affected and affected
        for a, b in ((xb, fast.x_baseline), (xs, fast.x_scenario)):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(pb, fast.baseline)
        np.testing.assert_array_equal(ps, fast.scenario)
    np.testing.assert_array_equal(
        fast.p_baseline, cm.point_proba(np.column_stack([np.ones(len(xb)), xb]), m.coef_)
    )
    chosen = cs.evaluate_edits(ctx, edits, dyads=affected[:2])
    np.testing.assert_array_equal(chosen.scenario, ps[:2])
    s = fast.summary()
    assert s.height == len(affected) and (s["delta_lo"] <= s["delta_hi"]).all()


def test_expected_events_are_the_sum_over_the_affected_dyads(fitted):
    m, _ = fitted
    w = world()
    base = design(w, m)
    edits = [(365, 710, "defense"), (200, 220, "offense")]
    edited = w
    for e in cd.check_edits(edits):
        edited = _world_edit(edited, e)
    scen = replace(base, alliances=state(edited))
    affected = cr.changed_dyads(base, scen)
    betas = m.coef_draws(300, 4)
    whole, deltas = cr.expected_events(m, base, scen, affected, betas)
    chunked, deltas3 = cr.expected_events(m, base, scen, affected, betas, chunk=3)
    assert chunked.delta == pytest.approx(whole.delta, rel=1e-12)
    assert chunked.delta_lo == pytest.approx(whole.delta_lo, rel=1e-12)
    np.testing.assert_array_equal(deltas, deltas3)
    ctx = cs.SweepContext(base, m.coef_, betas, 300, 4, {})
    fast = cs.evaluate_edits(ctx, edits)
    t = fast.expected_events()
    ok = np.isfinite(fast.p_baseline) & np.isfinite(fast.p_scenario)
    assert t.n_dyads == whole.n_dyads == ok.sum() and t.n_missing == whole.n_missing > 0
    assert t.baseline == pytest.approx(fast.p_baseline[ok].sum(), rel=1e-12)
    assert t.baseline == pytest.approx(whole.baseline, rel=1e-12)
    assert t.delta == pytest.approx(whole.delta, rel=1e-12)
    assert (t.delta_lo, t.delta_hi) == pytest.approx((whole.delta_lo, whole.delta_hi), rel=1e-9)
    assert t.delta_lo <= t.delta <= t.delta_hi
    assert t.baseline_lo <= t.baseline <= t.baseline_hi


def test_a_pact_changes_only_the_dyads_involving_its_members(fitted):
    m, _ = fitted
    w = world()
    base = design(w, m)
    scen = replace(base, alliances=state(w.with_pledge([(365, 710)], "defense", YEAR)))
    affected = cr.changed_dyads(base, scen)
    assert all(365 in d or 710 in d for d in affected)
    assert (2, 365) in affected and (365, 2) in affected  # S of the parties changed
    ii, jj = base.positions([(2, 20), (220, 255)])
    np.testing.assert_array_equal(base.rows(ii, jj), scen.rows(ii, jj))


def test_positions_refuse_a_state_outside_the_system(fitted):
    m, _ = fitted
    d = design(world(), m)
    with pytest.raises(InvalidArgumentError, match="COW 999 is not a system member in 2003"):
        d.positions([(2, 999)])
    with pytest.raises(InvalidArgumentError, match="not a system member"):
        d.positions([(5000, 2)])


def test_the_consequence_checks_its_arguments_before_anything_is_loaded():
    w = world()
    with pytest.raises(InvalidArgumentError, match="spec"):
        cr.conflict_risk(w, w, [(2, 20)], YEAR, spec="dangerous")
    for bad in (0, -5, 10**6, 2.5, "many"):
        with pytest.raises(InvalidArgumentError, match="draws"):
            cr.conflict_risk(w, w, [(2, 20)], YEAR, draws=bad)
    with pytest.raises(InvalidArgumentError, match="seed"):
        cr.conflict_risk(w, w, [(2, 20)], YEAR, seed=-1)
    with pytest.raises(InvalidArgumentError, match="year"):
        cr.conflict_risk(w, w, [(2, 20)], 2010)
    for bad in ([(2, 2)], [], [(2,)], "2,20", [(2, "x")]):
        with pytest.raises(InvalidArgumentError, match="dyad"):
            cr.conflict_risk(w, w, bad, YEAR)
    with pytest.raises(InvalidArgumentError, match="world"):
        cr.conflict_risk("today", w, [(2, 20)], YEAR)
    with pytest.raises(InvalidArgumentError, match="model"):
        cr.conflict_risk(w, w, [(2, 20)], YEAR, model=cm.ConflictRiskModel())
    with pytest.raises(InvalidArgumentError, match="spec"):
        cr.affected_dyads(w, w, YEAR, spec="bremer")
    with pytest.raises(InvalidArgumentError, match="years"):
        cm.fitted_model("leeds2003", years=(1700, 1800))


def test_specifications_name_their_sources_and_signs():
    for sp in cd.SPECS.values():
        assert set(sp.published) == set(sp.features)
        assert set(sp.alliance_terms) | set(sp.covariate_terms) == set(sp.features)
        assert "ps-atop-alliance" in sp.datasets
        for f in sp.covariate_terms:
            assert cd.feature_source(sp, f) in cd.SOURCES
    leeds = cd.SPECS["leeds2003"]
    assert leeds.directed and leeds.outcome == "initiation"
    assert leeds.published["target_defended"][0] == "-"
    assert {leeds.published[f][0] for f in ("challenger_offense", "challenger_neutral")} == {"+"}
    bremer = cd.SPECS["bremer1992"]
    assert not bremer.directed and bremer.relevant_only and "allied" in bremer.features
