"""Every public function checks its arguments at entry and raises the typed errors of
:mod:`foedus.errors` (never a raw TypeError, ValueError or Polars error from inside).

Unit tests have no data (``FOEDUS_OFFLINE=1``, no mirror): a function that loaded something
before checking its arguments would raise DataNotAvailableError, so every targeted test here
also shows that the check comes first."""

from __future__ import annotations

import contextlib
import importlib

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import foedus as fd
from foedus import catalog, countries, loaders, validate
from foedus.errors import (
    DataNotAvailableError,
    FoedusError,
    InvalidArgumentError,
    PanelError,
    YearOutOfRangeError,
)
from foedus.foundations import foundations
from foedus.measures import expected_utility as eu
from foedus.measures import network, power, threat, unvotes
from foedus.panels.create import spells_through
from foedus.prospects import data as pdata
from foedus.prospects import forecast as pforecast
from foedus.prospects.models import FormationModel
from tests.unit.test_backtest_years import formation_like
from tests.unit.test_countries import _frames
from tests.unit.test_panels_create import SYSTEM

# the module (foedus.measures exports a function of the same name)
similarity = importlib.import_module("foedus.measures.similarity")

LATEST = validate.latest_year()
FIRST = validate.first_year()  # the COW list's first year, from the catalog (1816)
DYADS = pl.DataFrame(
    {"ccode1": [2], "ccode2": [20], "year": [2000]},
    schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
)
SMALL_PANEL = formation_like(1990, 2005, dyads=15)
IDX = countries.CountryIndex(*_frames())


def raises(exc, func, *args, **kwargs) -> FoedusError:
    with pytest.raises(exc) as e:
        func(*args, **kwargs)
    assert not isinstance(e.value, DataNotAvailableError)
    assert e.value.hint, "every error says what to do"
    return e.value


# --- panels -------------------------------------------------------------------------------


def test_dyad_years_refuses_a_year_as_text():
    e = raises(InvalidArgumentError, fd.dyad_years, years="2000")
    assert e.argument == "years" and "not str '2000'" in e.message


@pytest.mark.parametrize("last", [100_000, 99_999_999_999, LATEST + 1])
def test_dyad_years_refuses_years_past_the_latest(last):
    # (1816, 100000) used to build billions of rows; 99999999999 overflowed
    e = raises(YearOutOfRangeError, fd.dyad_years, years=(1816, last))
    assert e.argument == "years[1]" and f"is after {LATEST}" in e.message
    assert "years past the current year" in e.message
    assert e.hint == f"give a year from {FIRST} to {LATEST}."


def test_years_before_the_state_system_are_refused_with_its_first_year():
    e = raises(YearOutOfRangeError, fd.state_years, years=(1700, 1900))
    assert e.argument == "years[0]" and "the COW state system starts in 1816" in e.message
    e = raises(YearOutOfRangeError, fd.dyad_years, "gw", years=1815)
    assert "G-W state system starts in 1816" in e.message


def test_the_bounds_come_from_the_catalog_and_the_clock(monkeypatch):
    real = validate.coverage

    def later_list(name: str) -> tuple[int, int]:
        return (1900, 2016) if name == "cow-states" else real(name)

    monkeypatch.setattr(validate, "coverage", later_list)
    monkeypatch.setattr(validate, "this_year", lambda: 2040)
    assert "starts in 1900" in raises(YearOutOfRangeError, fd.state_years, years=1899).message
    assert "after 2050" in raises(YearOutOfRangeError, fd.state_years, years=2051).message
    assert fd.state_years(years=(2045, 2050), spells=SYSTEM)["year"].max() == 2050


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"system": "COW"}, "system"),
        ({"system": None}, "system"),
        ({"directed": "yes"}, "directed"),
        ({"coexist": 1}, "coexist"),
        ({"years": (2000, 1990)}, "years"),
        ({"years": (2000,)}, "years"),
        ({"years": [2000, 2001, 2002]}, "years"),
        ({"years": 2000.5}, "years"),
        ({"years": True}, "years"),
        ({"years": (2000, "2001")}, "years[1]"),
        ({"years": (float("nan"), 2001)}, "years[0]"),
        ({"spells": "states.csv"}, "spells"),
    ],
)
def test_dyad_years_arguments(kwargs, argument):
    assert raises(InvalidArgumentError, fd.dyad_years, **kwargs).argument == argument


def test_spells_are_checked():
    bad = SYSTEM.with_columns(pl.col("start").cast(pl.String))
    raises(PanelError, fd.state_years, years=2000, spells=bad)
    huge = SYSTEM.with_columns(pl.lit(2**40).alias("code"))
    raises(PanelError, fd.state_years, years=2000, spells=huge)
    raises(InvalidArgumentError, spells_through, "cow", hi="2020", spells=SYSTEM)
    raises(YearOutOfRangeError, spells_through, "cow", hi=10**12, spells=SYSTEM)
    raises(InvalidArgumentError, fd.membership_spells, "xyz")
    raises(PanelError, fd.inspect, {"ccode": [2], "year": [2000]})


def test_valid_integral_values_still_work():
    a = fd.dyad_years(years=(np.int64(2000), 2001.0), spells=SYSTEM)
    assert a.equals(fd.dyad_years(years=(2000, 2001), spells=SYSTEM))
    assert fd.dyad_years(years=np.int32(2000), spells=SYSTEM, directed=np.bool_(False)).height


def test_majors_carried_to_an_absurd_year_are_refused():
    far = DYADS.with_columns(year=pl.lit(10**6, dtype=pl.Int32))
    raises(YearOutOfRangeError, fd.add_cow_majors, far, carry_forward=True)


# --- countries, catalog, loaders ----------------------------------------------------------


@pytest.mark.parametrize("query", [["Russia"], None, 3.5, True, b"RUS", {"q": 1}, ""])
def test_country_queries_must_be_text_or_codes(query):
    raises(InvalidArgumentError, countries.ccode, query)
    raises(InvalidArgumentError, countries.resolve, query, 2000)
    raises(InvalidArgumentError, IDX.resolve, query)


@pytest.mark.parametrize(
    ("year", "exc"),
    [
        ("2000", InvalidArgumentError),
        (2000.5, InvalidArgumentError),
        (True, InvalidArgumentError),
        (1700, YearOutOfRangeError),
        (99_999_999_999, YearOutOfRangeError),
        (-5, YearOutOfRangeError),
    ],
)
def test_country_years_are_checked(year, exc):
    e = raises(exc, countries.ccode, "Russia", year)
    assert e.argument == "year"
    raises(exc, IDX.resolve, "Russia", year)
    raises(exc, countries.cow_to_gw, 365, year)
    raises(exc, IDX.gw_to_cow, 365, year)


def test_country_index_arguments():
    assert IDX.resolve(365.0).ccode == 365 and IDX.resolve(np.int64(2), 2000).ccode == 2
    raises(InvalidArgumentError, IDX.get, "abc")
    raises(InvalidArgumentError, IDX.members, "2000")
    raises(InvalidArgumentError, IDX.cow_to_gw, "USA", 2000)
    raises(InvalidArgumentError, countries.normalize, 5)


@pytest.mark.parametrize("name", [5, None, ["cow-states"], b"cow-states"])
def test_catalog_and_loaders_refuse_names_that_are_not_text(name):
    assert raises(InvalidArgumentError, catalog.get, name).argument == "name"
    raises(InvalidArgumentError, loaders.load, name)


def test_load_checks_use_cache():
    raises(InvalidArgumentError, loaders.load, "cow-states", use_cache="no")


# --- foundations and measures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "exc", "argument"),
    [
        ((None, "RUS", 2000), InvalidArgumentError, "a"),
        (("USA", ["RUS"], 2000), InvalidArgumentError, "b"),
        (("USA", "RUS", "2000"), InvalidArgumentError, "year"),
        (("USA", "RUS", 1700), YearOutOfRangeError, "year"),
        (("USA", "RUS", 10**12), YearOutOfRangeError, "year"),
    ],
)
def test_foundations_arguments(args, exc, argument):
    assert raises(exc, foundations, *args).argument == argument


@pytest.mark.parametrize(
    ("func", "kwargs", "argument"),
    [
        (similarity.similarity, {"source": "ATOP"}, "source"),
        (similarity.similarity, {"coding": "bin"}, "coding"),
        (similarity.similarity, {"years": (1800, 1900)}, "years[0]"),
        (similarity.similarity, {"years": (2000, 2019)}, "years[1]"),
        (similarity.similarity, {"measures": []}, "measures"),
        (similarity.similarity, {"measures": ["tau"]}, "measures"),
        (similarity.similarity, {"scope": 1}, "scope"),
        (similarity.similarity, {"directed": "no"}, "directed"),
        (similarity.portfolio_ties, {"coding": "bin"}, "coding"),
        (similarity.pair_measures, {"x": "x", "levels": 4}, "x"),
        (similarity.pair_measures, {"x": np.zeros((3, 2), int), "levels": 4}, "x"),
        (similarity.pair_measures, {"x": np.full((2, 2), 7), "levels": 4}, "x"),
        (similarity.pair_measures, {"x": np.eye(2, dtype=int), "levels": 1}, "levels"),
        (
            similarity.pair_measures,
            {"x": np.eye(2, dtype=int), "levels": 2, "weights": [1.0]},
            "weights",
        ),
        (threat.shared_rivals, {"source": None}, "source"),
        (threat.mid_opponents, {"window": 0}, "window"),
        (threat.common_mid_opponents, {"window": 10**9}, "window"),
        (threat.shared_rival_contiguous, {"land_only": "yes"}, "land_only"),
        (threat.add_threat, {"df": DYADS, "window": "5"}, "window"),
        (eu.war_trap, {"years": (2000, 2030)}, "years[1]"),
        (eu.war_trap, {"years": (2000, 2001), "similarity": "tau"}, "similarity"),
        (eu.war_trap, {"years": "2000"}, "years"),
        (eu.war_trap_matrix, {"cinc": [0.1], "miles": [[0.0]], "u": [[1.0]], "year": "x"}, "year"),
        (eu.war_trap_matrix, {"cinc": [0.1], "miles": [0.0], "u": [[1.0]], "year": 2000}, "miles"),
        (eu.war_trap_matrix, {"cinc": "x", "miles": [[0.0]], "u": [[1.0]], "year": 2000}, "cinc"),
        (network.alliance_ties, {"pledge": "defence"}, "pledge"),
        (network.alliance_ties, {"source": ["atop"]}, "source"),
        (network.alliance_graph, {"year": 1700}, "year"),
        (network.alliance_graph, {"year": "2000"}, "year"),
        (network.alliance_graph, {"year": 2000, "members": "2, 20"}, "members"),
        (network.alliance_graph, {"year": 2000, "ties": [(2, 20)]}, "ties"),
        (network.network_stats, {"years": (2000, 2030)}, "years[1]"),
        (network.network_stats, {"years": None}, "years"),
        (network.shared_allies_from_ties, {"ties": pl.DataFrame({"a": [1]})}, "ties"),
        (network.ego_network, {"state": None, "year": 2000}, "state"),
        (network.ego_network, {"state": "USA", "year": 2000, "radius": -1}, "radius"),
        (network.graph_stats, {"g": 5}, "g"),
        (network.export_graph, {"g": nx.Graph(), "path": 5}, "path"),
        (unvotes.vote_agreement, {"years": "1990"}, "years"),
        (unvotes.vote_agreement, {"years": (1700, 1990)}, "years[0]"),
        (unvotes.vote_agreement, {"issue": []}, "issue"),
        (unvotes.vote_agreement, {"directed": None}, "directed"),
        (unvotes.issue_rcids, {"issue": 3}, "issue"),
        (unvotes.agreement, {"votes": "votes.csv"}, "votes"),
        (unvotes.pair_agreement, {"x": [[0.5]]}, "x"),
        (power.system_shares, {"year": "1950"}, "year"),
        (power.system_shares, {"version": "8"}, "version"),
        (power.bloc_capabilities, {"members": None}, "members"),
        (power.bloc_capabilities, {"members": [2, None]}, "members"),
        (power.bloc_capabilities, {"members": [2], "years": (1950, 10**6)}, "years[1]"),
        (power.concentration, {"pole_share": 0}, "pole_share"),
        (power.concentration, {"pole_share": 1.5}, "pole_share"),
        (power.concentration, {"years": [1950, "x"]}, "years"),
        (power.capability_ratio, {"a": 2, "b": None}, "b"),
        (power.capability_ratio, {"a": 2, "b": 20, "threshold": 0.5}, "threshold"),
        (power.nuclear_forces, {"years": "x"}, "years"),
        (power.bloc_warheads, {"members": {}}, "members"),
        (power.nuclear_balance, {"bloc": [2], "opponent": [2.5]}, "opponent"),
        (power.concentration_index, {"cap": "x"}, "cap"),
        (power.dyad_ratio, {"cap": DYADS, "a": 2, "b": 20, "years": [2000]}, "cap"),
        (power.capability_shares, {"cap": {"ccode": [2]}}, "cap"),
        (power.discounted_capability, {"cinc": "x", "miles": 1, "year": 1950}, "cinc, miles, year"),
    ],
)
def test_measure_arguments(func, kwargs, argument):
    assert raises(InvalidArgumentError, func, **kwargs).argument == argument


def test_alliance_years_follow_the_catalog_coverage():
    e = raises(YearOutOfRangeError, similarity.similarity, years=(2000, 2019))
    assert "ATOP alliance data cover 1815-2018" in e.message
    e = raises(YearOutOfRangeError, network.alliance_graph, 2013, source="cow")
    assert "COW alliance data cover 1816-2012" in e.message


# --- prospects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "argument"),
    [
        ({"years": (1816, 2000)}, YearOutOfRangeError, "years[0]"),
        ({"years": (1946, LATEST + 1)}, YearOutOfRangeError, "years[1]"),
        ({"years": "1946-2018"}, InvalidArgumentError, "years"),
        ({"years": None}, InvalidArgumentError, "years"),
        ({"pledge": "defence"}, InvalidArgumentError, "pledge"),
        ({"horizon": 0}, InvalidArgumentError, "horizon"),
        ({"horizon": 10**6}, InvalidArgumentError, "horizon"),
        ({"horizon": "1"}, InvalidArgumentError, "horizon"),
        ({"ties": "ties.csv"}, InvalidArgumentError, "ties"),
        ({"ties": DYADS.drop("year")}, InvalidArgumentError, "ties"),
        (
            {"ties": DYADS.with_columns(pl.col("year").cast(pl.String))},
            InvalidArgumentError,
            "ties",
        ),
    ],
)
def test_formation_panel_arguments(kwargs, exc, argument):
    e = raises(exc, pdata.formation_panel, **kwargs)
    assert e.argument == argument


def test_formation_panel_needs_a_lagged_year():
    e = raises(YearOutOfRangeError, pdata.formation_panel, years=(1816, 2000))
    assert "before 1817" in e.message and "the year before" in e.message


@pytest.mark.parametrize(
    ("kwargs", "exc", "argument"),
    [
        ({"years": (2019, 2030)}, YearOutOfRangeError, "years[1]"),
        ({"years": (1946, 1950)}, YearOutOfRangeError, "years[0]"),
        ({"years": 2021.5}, InvalidArgumentError, "years"),
        ({"pairs": [(2, 2)]}, InvalidArgumentError, "pairs"),
        ({"pairs": []}, InvalidArgumentError, "pairs"),
        ({"pairs": "RUS-CHN"}, InvalidArgumentError, "pairs"),
        ({"pairs": [(365, "CHN")]}, InvalidArgumentError, "pairs"),
        ({"pairs": [(365, 710, 2)]}, InvalidArgumentError, "pairs"),
        ({"pairs": [(365, 10**6)]}, InvalidArgumentError, "pairs"),
        ({"kind": "forest"}, InvalidArgumentError, "kind"),
        ({"pledge": 3}, InvalidArgumentError, "pledge"),
        ({"treaties": "treaties.csv"}, InvalidArgumentError, "treaties"),
        ({"level": 1}, InvalidArgumentError, "level"),
        ({"n_bootstrap": -1}, InvalidArgumentError, "n_bootstrap"),
        ({"n_bootstrap": 10**9}, InvalidArgumentError, "n_bootstrap"),
        ({"top": 0}, InvalidArgumentError, "top"),
        ({"model": "model.json"}, InvalidArgumentError, "model"),
        ({"model": FormationModel()}, InvalidArgumentError, "model"),
        ({"progress": "yes"}, InvalidArgumentError, "progress"),
        ({"panel": ("x", {})}, InvalidArgumentError, "panel"),
        ({"panel": (SMALL_PANEL, {})}, InvalidArgumentError, "panel"),
    ],
)
def test_forecast_arguments(kwargs, exc, argument):
    args = {"years": (2019, 2021), **kwargs}
    assert raises(exc, pforecast.forecast, **args).argument == argument


def test_forecast_panel_and_alliance_state_arguments():
    e = raises(YearOutOfRangeError, pforecast.forecast_panel, (2019, 2040))
    assert "assumed to continue only through 2025" in e.message
    raises(InvalidArgumentError, pforecast.forecast_panel, (2019, 2020), treaties=[1])
    e = raises(YearOutOfRangeError, pforecast.alliance_state, (1700, 2020))
    assert "ATOP's pledges start in 1815" in e.message
    raises(InvalidArgumentError, pforecast.alliance_state, (2019, 2020), pledge="x")


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"kind": "forest"}, "kind"),
        ({"features": "x1"}, "features"),
        ({"features": [1]}, "features"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": 10**9}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"),
        ({"negative_rate": 0}, "negative_rate"),
        ({"negative_rate": 2}, "negative_rate"),
        ({"n_bootstrap": -1}, "n_bootstrap"),
        ({"random_state": -1}, "random_state"),
        ({"random_state": 2**40}, "random_state"),
        ({"gbm_params": "fast"}, "gbm_params"),
        ({"gbm_params": {"max_iters": 3}}, "gbm_params"),
        ({"gbm_params": {"max_iter": -3}}, "gbm_params"),
        ({"gbm_params": {1: 2}}, "gbm_params"),
    ],
)
def test_model_hyper_parameters_are_checked_in_fit(params, argument):
    m = FormationModel(**{"features": ["x1"], **params})  # __init__ takes anything
    assert raises(InvalidArgumentError, m.fit, SMALL_PANEL).argument == argument
    raw = SMALL_PANEL.select("x1").to_numpy()
    y = SMALL_PANEL["onset"].to_numpy().astype(float)
    d = SMALL_PANEL["ccode1"].to_numpy()
    fresh = FormationModel(**{"features": ["x1"], **params})
    assert raises(InvalidArgumentError, fresh.fit_arrays, raw, y, d).argument == argument


def test_model_data_arguments():
    m = FormationModel(features=["x1"])
    raises(InvalidArgumentError, m.fit, "panel.parquet")
    raw = np.zeros((3, 1))
    raises(InvalidArgumentError, m.fit_arrays, raw, np.array([0.0, 1.0]), np.arange(3))
    raises(InvalidArgumentError, m.fit_arrays, raw, np.array([0.0, 1.0, 0.5]), np.arange(3))
    raises(InvalidArgumentError, m.fit_arrays, "x", np.array([0.0]), np.arange(1))
    raises(InvalidArgumentError, m.fit_arrays, raw, np.array([0.0, 1, 0]), np.arange(3), years=3)
    fitted = FormationModel(kind="logit", features=["x1"]).fit(SMALL_PANEL)
    raises(InvalidArgumentError, fitted.predict_interval_arrays, raw, level=2)
    raises(InvalidArgumentError, fitted.predict_proba, "panel")


# --- property tests -----------------------------------------------------------------------

SPELLS_WRONG = SYSTEM.with_columns(pl.col("end").cast(pl.String))
FRAMES = st.sampled_from(
    [pl.DataFrame(), pl.DataFrame({"x": [1]}), DYADS, SPELLS_WRONG, SYSTEM.head(0)]
)
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.sampled_from([-1, 0, 1, 1815, 1816, 2018, LATEST, LATEST + 1, 10**11, 2**63])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.binary(max_size=3)
    | st.sampled_from([object(), np.int64(2000), np.float64(2000.5), np.bool_(True)])
    | FRAMES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=5,
)

#: (function, arguments that are valid or quick, the parameters to replace with junk)
CALLS = [
    (fd.state_years, {"spells": SYSTEM}, ["system", "years", "spells"]),
    (fd.dyad_years, {"spells": SYSTEM}, ["system", "directed", "years", "coexist", "spells"]),
    (fd.membership_spells, {}, ["system"]),
    (spells_through, {"system": "cow", "spells": SYSTEM}, ["system", "hi", "spells"]),
    (fd.inspect, {"df": DYADS}, ["df"]),
    (countries.resolve, {"query": "Russia"}, ["query", "year"]),
    (countries.ccode, {"query": 365, "year": 2000}, ["query", "year"]),
    (countries.cow_to_gw, {"ccode_": 365, "year": 2000}, ["ccode_", "year"]),
    (countries.gw_to_cow, {"gwcode": 365, "year": 2000}, ["gwcode", "year"]),
    (IDX.resolve, {"query": "Russia"}, ["query", "year"]),
    (IDX.get, {"ccode": 365}, ["ccode"]),
    (IDX.members, {"year": 2000}, ["year"]),
    (catalog.get, {"name": "cow-states"}, ["name"]),
    (loaders.load, {"name": "cow-states"}, ["name", "use_cache"]),
    (foundations, {"a": "USA", "b": "RUS", "year": 2000}, ["a", "b", "year"]),
    (
        similarity.similarity,
        {"years": (2000, 2000)},
        ["source", "coding", "years", "directed", "measures", "scope"],
    ),
    (similarity.portfolio_ties, {}, ["source", "coding"]),
    (
        similarity.pair_measures,
        {"x": np.eye(3, dtype=int), "levels": 2, "weights": np.ones(3)},
        ["x", "levels", "weights", "measures", "partners"],
    ),
    (threat.shared_rivals, {}, ["source"]),
    (threat.mid_opponents, {}, ["window"]),
    (threat.common_mid_opponents, {}, ["window"]),
    (threat.shared_rival_contiguous, {}, ["source", "land_only"]),
    (threat.add_threat, {"df": DYADS}, ["df", "source", "window", "land_only"]),
    (eu.war_trap, {"years": (2000, 2000)}, ["years", "similarity", "source", "scope"]),
    (
        eu.war_trap_matrix,
        {"cinc": [0.1, 0.2], "miles": np.zeros((2, 2)), "u": np.eye(2), "year": 2000},
        ["cinc", "miles", "u", "year", "third"],
    ),
    (network.alliance_ties, {}, ["source", "pledge"]),
    (network.alliance_graph, {"year": 2000}, ["year", "pledge", "source", "ties", "members"]),
    (network.network_stats, {"years": (2000, 2000)}, ["years", "pledge", "source"]),
    (network.shared_allies, {}, ["pledge", "source"]),
    (network.shared_allies_from_ties, {"ties": DYADS}, ["ties"]),
    (
        network.ego_network,
        {"state": "USA", "year": 2000},
        ["state", "year", "pledge", "source", "radius"],
    ),
    (network.graph_stats, {"g": nx.path_graph(3)}, ["g"]),
    (unvotes.vote_agreement, {}, ["years", "issue", "directed"]),
    (unvotes.issue_rcids, {"issue": "hr"}, ["issue"]),
    (unvotes.agreement, {"votes": DYADS}, ["votes", "directed"]),
    (unvotes.pair_agreement, {"x": np.zeros((2, 3), dtype=int)}, ["x"]),
    (power.system_shares, {}, ["year", "version"]),
    (power.bloc_capabilities, {"members": [2, 20]}, ["members", "years", "version"]),
    (
        power.concentration,
        {},
        ["years", "among", "carry_forward", "basis", "pole_share", "version"],
    ),
    (
        power.capability_ratio,
        {"a": 2, "b": 20},
        ["a", "b", "years", "threshold", "version"],
    ),
    (power.nuclear_forces, {}, ["years"]),
    (power.bloc_warheads, {"members": [2]}, ["members", "year"]),
    (power.nuclear_balance, {"bloc": [2], "opponent": [365]}, ["bloc", "opponent", "year"]),
    (
        power.concentration_index,
        {"cap": pl.DataFrame({"ccode": [2], "year": [2000], "cinc": [0.1]})},
        ["cap", "group", "basis", "pole_share", "years"],
    ),
    (power.discounted_capability, {"cinc": 0.1, "miles": 10, "year": 2000}, ["cinc", "miles"]),
    (pdata.formation_panel, {}, ["years", "pledge", "horizon", "ties"]),
    (
        pforecast.forecast,
        {"years": (2019, 2020)},
        ["years", "pairs", "kind", "pledge", "treaties", "level", "n_bootstrap", "top"],
    ),
    (pforecast.forecast, {"years": (2019, 2020)}, ["model", "progress", "panel"]),
    (pforecast.forecast_panel, {"years": (2019, 2020)}, ["years", "pledge", "treaties"]),
    (pforecast.alliance_state, {"years": (2019, 2020)}, ["years", "pledge", "treaties"]),
]


def _call(func, base, param, value):
    with contextlib.suppress(FoedusError):  # anything else fails the test
        func(**{**base, param: value})


@pytest.mark.parametrize(
    ("func", "base", "params"),
    CALLS,
    ids=[f"{f.__module__.split('.')[-1]}.{f.__name__}" for f, _, _ in CALLS],
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_malformed_arguments_raise_only_foedus_errors(func, base, params, data):
    param = data.draw(st.sampled_from(params), label="parameter")
    value = data.draw(JUNK, label="value")
    _call(func, base, param, value)  # anything else than a FoedusError fails the test


MODEL_PARAMS = ["kind", "features", "max_iter", "negative_rate", "n_bootstrap", "random_state"]


@settings(max_examples=60, deadline=None)
@given(param=st.sampled_from([*MODEL_PARAMS, "gbm_params"]), value=JUNK)
def test_model_hyper_parameters_raise_only_foedus_errors(param, value):
    if param == "kind" and isinstance(value, str) and value == "gbm":  # keep the fit small
        value = "logit"
    with contextlib.suppress(FoedusError):
        FormationModel(**{"features": ["x1"], param: value}).fit(SMALL_PANEL)


BT_PARAMS = ["start", "end", "kind", "features", "horizon", "progress", "baselines", "level"]


@settings(max_examples=80, deadline=None)
@given(param=st.sampled_from([*BT_PARAMS, "top_k", "panel"]), value=JUNK)
def test_backtest_arguments_raise_only_foedus_errors(param, value):
    from foedus.prospects.backtest import backtest

    args = {"panel": SMALL_PANEL, "start": 2003, "end": 2005, "features": ["x1"]}
    with contextlib.suppress(FoedusError):
        backtest(**{**args, "baselines": False, param: value})


#: Years no function accepts: text, fractions, booleans, lists holding text, far past or
#: before every bound.
BAD_YEARS = (
    st.text(max_size=6)
    | st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda f: not (f == f and abs(f) < 1e300 and f == int(f))
    )
    | st.booleans()
    | st.integers(-(10**20), min(FIRST, validate.coverage("ps-atop-alliance")[0]) - 1)
    | st.integers(LATEST + 1, 10**20)
    | st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=3)
    | st.dictionaries(st.text(max_size=3), st.integers(), min_size=1, max_size=2)
)

YEAR_CALLS = [
    (fd.state_years, {}, "years"),
    (fd.dyad_years, {}, "years"),
    (countries.ccode, {"query": "USA"}, "year"),
    (foundations, {"a": "USA", "b": "RUS"}, "year"),
    (similarity.similarity, {}, "years"),
    (network.alliance_graph, {}, "year"),
    (network.network_stats, {}, "years"),
    (eu.war_trap, {}, "years"),
    (unvotes.vote_agreement, {}, "years"),
    (power.system_shares, {}, "year"),
    (power.bloc_capabilities, {"members": [2]}, "years"),
    (power.concentration, {}, "years"),
    (power.capability_ratio, {"a": 2, "b": 20}, "years"),
    (power.nuclear_forces, {}, "years"),
    (power.bloc_warheads, {"members": [2]}, "year"),
    (pdata.formation_panel, {}, "years"),
    (pforecast.forecast, {}, "years"),
    (pforecast.forecast_panel, {}, "years"),
    (pforecast.alliance_state, {}, "years"),
]


@pytest.mark.parametrize(
    ("func", "base", "param"),
    YEAR_CALLS,
    ids=[f"{f.__module__.split('.')[-1]}.{f.__name__}" for f, _, _ in YEAR_CALLS],
)
@settings(max_examples=30, deadline=None)
@given(year=BAD_YEARS)
def test_bad_years_are_refused_before_anything_is_loaded(func, base, param, year):
    with pytest.raises(InvalidArgumentError) as e:  # never DataNotAvailableError
        func(**{**base, param: year})
    assert e.value.argument.startswith(param) and e.value.hint


@pytest.mark.parametrize(
    "call",
    [
        lambda: fd.dyad_years(years=(1990, 1991)),
        lambda: countries.ccode("Russia", 2000),
        lambda: loaders.load("cow-states"),
        lambda: foundations("USA", "RUS", 2000),
        lambda: similarity.similarity(years=(2000, 2000)),
        lambda: threat.shared_rivals(),
        lambda: network.alliance_graph(2000),
        lambda: unvotes.vote_agreement(years=2000),
        lambda: power.capability_ratio(2, 20, (2000, 2001)),
        lambda: eu.war_trap((2000, 2000)),
        lambda: pdata.formation_panel(years=(1946, 1950)),
        lambda: pforecast.forecast((2019, 2020), [(365, 710)]),
        lambda: fd.add_nmc(DYADS, keep="cinc"),
    ],
)
def test_valid_arguments_go_on_to_the_data(call):
    """The checks let valid arguments through: these calls get as far as loading (and, with
    no data here, say so), so the tests above exercise the checks, not a broken call."""
    countries.index.cache_clear()  # a whole-suite run may hold the real lists already
    with pytest.raises(DataNotAvailableError):
        call()
