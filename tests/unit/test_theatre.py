"""Theatre illustration (Lanchester's laws): closed forms against numerical integration,
invariants, winners and survivors, breakpoints, draws, allocation and reallocation,
validation, serialisation."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from foedus.consequences import theatre as th
from foedus.consequences.theatre import Front
from foedus.errors import InvalidArgumentError

RTOL = 1e-11  # of the reference integration


def _integrate(law, x0, y0, a, b, times, *, events=None):
    """The laws integrated numerically (DOP853, tight tolerances): the reference."""

    def rhs(_t, z):
        x, y = z
        if law == "square":
            return [-a * y, -b * x]
        return [-a * x * y, -b * x * y]

    scale = max(x0, y0)
    return solve_ivp(
        rhs,
        (0.0, float(times[-1])),
        [x0, y0],
        method="DOP853",
        t_eval=times,
        rtol=RTOL,
        atol=1e-12 * scale,
        events=events,
    )


# (x0, y0, a, b): x wins, y wins, close call, very unequal coefficients
SQUARE_CASES = [
    (100.0, 60.0, 0.01, 0.01),
    (50.0, 80.0, 0.02, 0.005),
    (73_000.0, 21_500.0, 0.0544, 0.0106),
    (1_000.0, 990.0, 0.3, 0.31),
    (5.0, 400.0, 0.0001, 2.0),
]
LINEAR_CASES = [
    (100.0, 60.0, 0.001, 0.001),
    (40.0, 90.0, 0.002, 0.0015),
    (500.0, 480.0, 0.0002, 0.00019),
    (3.0, 50.0, 0.5, 0.01),
]


# --- closed forms against integration ---------------------------------------------------------


@pytest.mark.parametrize("case", SQUARE_CASES)
@pytest.mark.parametrize("breakpoint", [0.0, 0.3])
def test_square_law_matches_numerical_integration(case, breakpoint):
    x0, y0, a, b = case
    bt = th.square_law(x0, y0, a, b, breakpoint=breakpoint)
    times = np.array(bt.path_t)
    ref = _integrate("square", x0, y0, a, b, times)
    assert ref.success
    scale = max(x0, y0)
    np.testing.assert_allclose(bt.path_x, ref.y[0], rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(bt.path_y, ref.y[1], rtol=1e-8, atol=1e-8 * scale)


@pytest.mark.parametrize("case", LINEAR_CASES)
@pytest.mark.parametrize("breakpoint", [0.1, 0.5, 0.01])
def test_linear_law_matches_numerical_integration(case, breakpoint):
    x0, y0, a, b = case
    bt = th.linear_law(x0, y0, a, b, breakpoint=breakpoint)
    times = np.array(bt.path_t)
    ref = _integrate("linear", x0, y0, a, b, times)
    assert ref.success
    scale = max(x0, y0)
    np.testing.assert_allclose(bt.path_x, ref.y[0], rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(bt.path_y, ref.y[1], rtol=1e-8, atol=1e-8 * scale)


@pytest.mark.parametrize(
    ("law", "case", "breakpoint"),
    [("square", c, bp) for c in SQUARE_CASES for bp in (0.0, 0.25)]
    + [("linear", c, bp) for c in LINEAR_CASES for bp in (0.05, 0.4)],
)
def test_end_time_matches_the_integrated_crossing(law, case, breakpoint):
    """The closed-form end time is when the integrated loser crosses its breakpoint."""
    x0, y0, a, b = case
    bt = th.battle(x0, y0, a, b, law=law, breakpoint=breakpoint)
    loser0 = y0 if bt.winner == "x" else x0
    idx = 1 if bt.winner == "x" else 0
    level = breakpoint * loser0

    def crossing(_t, z):
        return z[idx] - level

    crossing.terminal = True
    ref = _integrate(law, x0, y0, a, b, np.array([0.0, 3.0 * bt.end_time]), events=crossing)
    (t_event,) = ref.t_events[0]
    assert bt.end_time == pytest.approx(t_event, rel=1e-8)


def test_state_at_agrees_with_the_path_and_freezes_after_the_end():
    bt = th.square_law(100, 60, 0.01, 0.01, n_points=11)
    for t, x, y in zip(bt.path_t, bt.path_x, bt.path_y, strict=True):
        assert bt.state_at(t) == pytest.approx((x, y), abs=1e-9)
    assert bt.state_at(10 * bt.end_time) == pytest.approx((bt.survivors_x, 0.0), abs=1e-9)


# --- invariants, winners, survivors -----------------------------------------------------------


@pytest.mark.parametrize("case", SQUARE_CASES)
def test_square_invariant_holds_along_the_path(case):
    x0, y0, a, b = case
    bt = th.square_law(x0, y0, a, b, breakpoint=0.2)
    k = b * np.array(bt.path_x) ** 2 - a * np.array(bt.path_y) ** 2
    scale = b * x0**2 + a * y0**2
    np.testing.assert_allclose(k, b * x0**2 - a * y0**2, atol=1e-10 * scale)
    assert bt.invariant == pytest.approx(b * x0**2 - a * y0**2)


@pytest.mark.parametrize("case", LINEAR_CASES)
def test_linear_invariant_holds_along_the_path(case):
    x0, y0, a, b = case
    bt = th.linear_law(x0, y0, a, b)
    k = b * np.array(bt.path_x) - a * np.array(bt.path_y)
    np.testing.assert_allclose(k, b * x0 - a * y0, atol=1e-10 * (b * x0 + a * y0))


@pytest.mark.parametrize("case", SQUARE_CASES)
def test_square_winner_survivors_and_annihilation_time(case):
    x0, y0, a, b = case
    bt = th.square_law(x0, y0, a, b)
    r = math.sqrt(a * b)
    if b * x0**2 > a * y0**2:
        assert bt.winner == "x"
        assert bt.survivors_x == pytest.approx(math.sqrt(x0**2 - (a / b) * y0**2), rel=1e-12)
        assert bt.survivors_y == 0.0
        t = math.atanh(math.sqrt(a) * y0 / (math.sqrt(b) * x0)) / r
    else:
        assert bt.winner == "y"
        assert bt.survivors_y == pytest.approx(math.sqrt(y0**2 - (b / a) * x0**2), rel=1e-12)
        assert bt.survivors_x == 0.0
        t = math.atanh(math.sqrt(b) * x0 / (math.sqrt(a) * y0)) / r
    assert bt.end_time == pytest.approx(t, rel=1e-12)
    assert bt.path_t[-1] == pytest.approx(bt.end_time)


def test_square_survivors_at_a_breakpoint():
    x0, y0, a, b, beta = 100.0, 60.0, 0.01, 0.01, 0.4
    bt = th.square_law(x0, y0, a, b, breakpoint=beta)
    assert bt.winner == "x"
    assert bt.survivors_y == pytest.approx(beta * y0)
    assert bt.survivors_x == pytest.approx(math.sqrt(x0**2 - (a / b) * y0**2 * (1 - beta**2)))


@pytest.mark.parametrize("case", LINEAR_CASES)
def test_linear_winner_and_survivors(case):
    x0, y0, a, b = case
    beta = 0.1
    bt = th.linear_law(x0, y0, a, b, breakpoint=beta)
    if b * x0 > a * y0:
        assert bt.winner == "x"
        assert bt.survivors_x == pytest.approx(x0 - (a / b) * y0 * (1 - beta), rel=1e-12)
        assert bt.survivors_y == pytest.approx(beta * y0)
    else:
        assert bt.winner == "y"
        assert bt.survivors_y == pytest.approx(y0 - (b / a) * x0 * (1 - beta), rel=1e-12)
        assert bt.survivors_x == pytest.approx(beta * x0)


@pytest.mark.parametrize(
    ("law", "case", "breakpoint"),
    [("square", c, bp) for c in SQUARE_CASES for bp in (0.0, 0.1, 0.6)]
    + [("linear", c, bp) for c in LINEAR_CASES for bp in (0.01, 0.1, 0.6)],
)
def test_breakpoint_time_puts_the_loser_exactly_at_the_breakpoint(law, case, breakpoint):
    x0, y0, a, b = case
    bt = th.battle(x0, y0, a, b, law=law, breakpoint=breakpoint)
    x, y = bt.state_at(bt.end_time)
    loser, loser0, holder, holder0 = (y, y0, x, x0) if bt.winner == "x" else (x, x0, y, y0)
    assert loser == pytest.approx(breakpoint * loser0, rel=1e-9, abs=1e-9 * loser0)
    assert holder > breakpoint * holder0  # the winner has not broken first
    # just before the end the loser is still above its breakpoint
    x_, y_ = bt.state_at(bt.end_time * (1 - 1e-6))
    assert (y_ if bt.winner == "x" else x_) > breakpoint * loser0


def test_a_higher_breakpoint_ends_the_fight_sooner():
    times = [th.square_law(100, 60, 0.01, 0.01, breakpoint=bp).end_time for bp in (0, 0.3, 0.6)]
    assert times[0] > times[1] > times[2] > 0


# --- draws and degenerate forces --------------------------------------------------------------


def test_square_draw_to_annihilation_never_ends():
    a, b = 0.04, 0.01  # b x0^2 == a y0^2 with x0 = 2 y0
    bt = th.square_law(100.0, 50.0, a, b)
    assert bt.winner == "draw"
    assert math.isinf(bt.end_time) and bt.end_time_infinite
    assert (bt.survivors_x, bt.survivors_y) == (0.0, 0.0)
    r = math.sqrt(a * b)
    assert bt.horizon == pytest.approx(math.log(1 / th.DRAW_HORIZON_FRACTION) / r)
    t = np.array(bt.path_t)
    np.testing.assert_allclose(bt.path_x, 100.0 * np.exp(-r * t), rtol=1e-12)
    np.testing.assert_allclose(bt.path_y, 50.0 * np.exp(-r * t), rtol=1e-12)
    assert bt.path_x[-1] == pytest.approx(th.DRAW_HORIZON_FRACTION * 100.0)
    assert min(bt.path_y) > 0  # never reaches 0
    d = bt.to_dict()
    assert d["end_time"] is None and d["end_time_infinite"] is True
    assert "end_time" in d["infinite_fields"]
    assert d["force_ratio_end"] == pytest.approx(2.0)


def test_square_draw_with_a_breakpoint_ends_for_both_at_once():
    a, b = 0.04, 0.01
    bt = th.square_law(100.0, 50.0, a, b, breakpoint=0.5)
    assert bt.winner == "draw"
    assert bt.end_time == pytest.approx(math.log(2) / math.sqrt(a * b))
    assert bt.state_at(bt.end_time) == pytest.approx((50.0, 25.0))


def test_a_draw_reached_through_rounding_is_still_a_draw():
    a, b, y0 = 0.0544, 0.0106, 21_500.0
    x0 = y0 * math.sqrt(a / b)  # b x0^2 == a y0^2 only up to rounding
    assert th.square_law(x0, y0, a, b).winner == "draw"
    assert th.linear_law(y0 * a / b, y0, a, b).winner == "draw"
    # just off the draw there is a winner
    assert th.square_law(x0 * (1 + 1e-9), y0, a, b).winner == "x"


def test_linear_draw_decays_hyperbolically():
    a, b = 0.002, 0.001  # b x0 == a y0 with x0 = 2 y0
    bt = th.linear_law(80.0, 40.0, a, b, breakpoint=0.2)
    assert bt.winner == "draw"
    assert bt.end_time == pytest.approx((1 - 0.2) / (0.2 * b * 80.0))
    t = np.array(bt.path_t)
    np.testing.assert_allclose(bt.path_x, 80.0 / (1 + b * 80.0 * t), rtol=1e-12)
    np.testing.assert_allclose(bt.path_y, 40.0 / (1 + a * 40.0 * t), rtol=1e-12)
    ref = _integrate("linear", 80.0, 40.0, a, b, t)
    np.testing.assert_allclose(bt.path_x, ref.y[0], rtol=1e-8)
    assert bt.survivors_x == pytest.approx(16.0) and bt.survivors_y == pytest.approx(8.0)


@pytest.mark.parametrize("law", th.LAWS)
def test_zero_forces(law):
    bt = th.battle(0, 10, 0.1, 0.1, law=law)
    assert bt.winner == "y" and bt.end_time == 0.0 and bt.survivors_y == 10.0
    assert bt.force_ratio_start == 0.0
    bt = th.battle(10, 0, 0.1, 0.1, law=law)
    assert bt.winner == "x" and bt.end_time == 0.0 and bt.survivors_x == 10.0
    assert math.isinf(bt.force_ratio_start) and bt.to_dict()["force_ratio_start"] is None
    bt = th.battle(0, 0, 0.1, 0.1, law=law)
    assert bt.winner == "draw" and bt.end_time == 0.0 and bt.force_ratio_start is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    law=st.sampled_from(th.LAWS),
    x0=st.one_of(st.just(0.0), st.floats(1e-3, 1e6)),
    y0=st.one_of(st.just(0.0), st.floats(1e-3, 1e6)),
    a=st.floats(1e-6, 10),
    b=st.floats(1e-6, 10),
    bp=st.floats(0.01, 0.95),
)
def test_valid_inputs_never_give_nan(law, x0, y0, a, b, bp):
    bt = th.battle(x0, y0, a, b, law=law, breakpoint=bp)
    values = [bt.end_time, bt.survivors_x, bt.survivors_y, *bt.path_x, *bt.path_y, *bt.path_t]
    assert all(math.isfinite(v) for v in values)
    assert all(v >= 0 for v in values)
    assert bt.winner in ("x", "y", "draw")
    json.dumps(bt.to_dict(), allow_nan=False)


def test_a_battle_too_long_to_represent_is_refused_not_infinite():
    with pytest.raises(InvalidArgumentError) as info:
        th.linear_law(2e-311, 2e-309, 1.0, 1.0, breakpoint=0.5)
    assert info.value.argument == "a, b" and "rescale" in info.value.hint


# --- allocation -------------------------------------------------------------------------------


def _fronts():
    return [
        Front("north", 60.0, 0.01, 0.01),
        Front("east", 30.0, 0.02, 0.01),
        Front("south", 10.0, 0.001, 0.001, law="linear", breakpoint=0.2),
    ]


def test_proportional_allocation_follows_the_opponents():
    t = th.allocate(200.0, _fronts())
    assert t.allocation == pytest.approx((120.0, 60.0, 20.0))
    assert t.shares == pytest.approx((0.6, 0.3, 0.1))
    assert [bt.x0 for bt in t.battles] == list(t.allocation)
    assert [bt.y0 for bt in t.battles] == [60.0, 30.0, 10.0]
    assert t.battle("south").law == "linear" and t.battle("south").breakpoint == 0.2
    assert t.battle("north").breakpoint == th.DEFAULT_BREAKPOINT["square"]


def test_fixed_allocation_by_list_and_by_name():
    t1 = th.allocate(100.0, _fronts(), rule="fixed", shares=[0.5, 0.25, 0.25])
    t2 = th.allocate(
        100.0, _fronts(), rule="fixed", shares={"south": 0.25, "north": 0.5, "east": 0.25}
    )
    assert t1.allocation == pytest.approx((50.0, 25.0, 25.0))
    assert t1.allocation == t2.allocation
    # within the 1e-9 tolerance the shares are accepted
    th.allocate(100.0, _fronts(), rule="fixed", shares=[0.5, 0.25, 0.25 + 5e-10])


_front_strategy = st.builds(
    lambda opp, a, b, law: (opp, a, b, law),
    # forces are counts of troops: no subnormal floats (their products underflow to 0, and
    # such battles have no finite end, refused with an InvalidArgumentError)
    st.floats(0, 1e6, allow_subnormal=False),
    st.floats(1e-4, 1.0),
    st.floats(1e-4, 1.0),
    st.sampled_from(th.LAWS),
)


def _build(specs):
    return [Front(f"f{i}", *spec[:3], law=spec[3]) for i, spec in enumerate(specs)]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    total=st.floats(0, 1e9, allow_subnormal=False),
    specs=st.lists(_front_strategy, min_size=1, max_size=6),
    raw=st.lists(st.floats(0.01, 1.0), min_size=6, max_size=6),
)
def test_allocation_conserves_the_total(total, specs, raw):
    """Also: a front where one side has no force at all ends at once (a found bug)."""
    fronts = _build(specs)
    if sum(f.opponent_force for f in fronts) > 0:
        t = th.allocate(total, fronts, n_points=3)
        assert math.fsum(t.allocation) == pytest.approx(total, rel=1e-12, abs=1e-9)
        assert all(x >= 0 for x in t.allocation)
    w = raw[: len(fronts)]
    shares = [v / math.fsum(w) for v in w]
    t = th.allocate(total, fronts, rule="fixed", shares=shares, n_points=3)
    assert math.fsum(t.allocation) == pytest.approx(total, rel=1e-12, abs=1e-9)
    assert t.allocation == pytest.approx(tuple(total * s for s in shares), rel=1e-9, abs=1e-6)


# --- reallocation -----------------------------------------------------------------------------


def test_securing_a_front_concentrates_forces_on_the_other():
    """The illustration: equal fronts, equal forces; securing one front turns a loss on the
    other into a win."""
    fronts = [Front("north", 60.0, 0.01, 0.01), Front("east", 60.0, 0.01, 0.01)]
    base = th.allocate(100.0, fronts)
    assert [bt.winner for bt in base.battles] == ["y", "y"]
    r = th.reallocate(base, "north")
    assert r.moved == 50.0 and r.to is None
    east = r.scenario.battle("east")
    assert east.x0 == 100.0 and east.winner == "x"
    assert east.survivors_x == pytest.approx(80.0)  # sqrt(100^2 - 60^2)
    north, east_c = r.comparisons
    assert north.secured and north.force_scenario == 0.0 and north.winner_scenario is None
    assert not east_c.secured
    assert east_c.force_ratio_scenario > east_c.force_ratio_baseline
    assert (east_c.winner_baseline, east_c.winner_scenario) == ("y", "x")
    assert r.scenario.names == ("east",)


def test_reallocation_pro_rata_and_to_a_named_front():
    base = th.allocate(200.0, _fronts())  # 120, 60, 20
    pro = th.reallocate(base, "north")
    assert pro.scenario.allocation == pytest.approx((60.0 + 120.0 * 0.75, 20.0 + 120.0 * 0.25))
    named = th.reallocate(base, "north", to="south")
    assert named.scenario.allocation == pytest.approx((60.0, 140.0))
    rows = {c.front: c for c in named.comparisons}
    assert rows["east"].force_scenario == rows["east"].force_baseline  # not a receiver
    assert rows["east"].winner_scenario == rows["east"].winner_baseline
    assert rows["south"].force_ratio_scenario == pytest.approx(14.0)
    frame = named.frame()
    assert frame.height == 3 and frame["secured"].to_list() == [True, False, False]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    total=st.floats(1.0, 1e9),
    specs=st.lists(_front_strategy, min_size=2, max_size=6),
    pick=st.integers(0, 5),
    target=st.one_of(st.none(), st.integers(0, 5)),
)
def test_reallocation_keeps_totals_and_raises_receivers_ratios(total, specs, pick, target):
    specs = [(max(s[0], 1.0), *s[1:]) for s in specs]  # every front has an opponent
    fronts = _build(specs)
    base = th.allocate(total, fronts, n_points=3)
    secured = fronts[pick % len(fronts)].name
    others = [f.name for f in fronts if f.name != secured]
    to = None if target is None else others[target % len(others)]
    r = th.reallocate(base, secured, to=to)
    assert math.fsum(r.scenario.allocation) == pytest.approx(math.fsum(base.allocation), rel=1e-12)
    assert r.scenario.total == base.total
    assert r.moved == base.allocation[base.names.index(secured)]
    for c in r.comparisons:
        if c.secured:
            continue
        receives = (to is None and c.force_baseline > 0) or c.front == to
        if receives and r.moved > 0:
            assert c.force_scenario > c.force_baseline
            assert c.force_ratio_scenario > c.force_ratio_baseline
        else:
            assert c.force_scenario == pytest.approx(c.force_baseline, rel=1e-12)
    json.dumps(r.to_dict(), allow_nan=False)


# --- parameters -------------------------------------------------------------------------------


def test_engel_iwo_jima_parameters():
    p = th.ENGEL_IWO_JIMA
    assert (p.a, p.b) == (0.0544, 0.0106)  # a: Japanese effectiveness, b: US
    assert (p.x_label, p.y_label) == ("United States", "Japan")
    assert p.x0 == sum(n for _, n in p.x_reinforcements) == 73_000.0
    assert p.y0 == 21_500.0
    assert th.PARAMETER_SETS["engel-iwo-jima"] is p
    bt = p.battle()
    assert bt.winner == "x"
    assert bt.survivors_x == pytest.approx(math.sqrt(73_000.0**2 - (0.0544 / 0.0106) * 21_500**2))
    json.dumps(p.to_dict(), allow_nan=False)


# --- results ----------------------------------------------------------------------------------


def _plain(obj):
    """Every value is a plain JSON type (no NumPy scalars)."""
    if isinstance(obj, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_plain(v) for v in obj)
    return obj is None or type(obj) in (str, int, float, bool)


def test_results_serialise_to_plain_json():
    bt = th.square_law(100, 60, 0.01, 0.01)
    t = th.allocate(100.0, _fronts())
    r = th.reallocate(t, "east")
    for d in (bt.to_dict(), t.to_dict(), r.to_dict(), th.ENGEL_IWO_JIMA.to_dict()):
        assert _plain(d)
        json.dumps(d, allow_nan=False)
    d = bt.to_dict()
    assert d["illustration"] is True and "not a prediction" in d["note"]
    assert d["force_ratio_end"] is None and d["infinite_fields"] == ["force_ratio_end"]
    assert len(d["path"]["t"]) == th.DEFAULT_N_POINTS


def test_path_frame_and_n_points():
    bt = th.linear_law(100, 60, 0.001, 0.001, n_points=7)
    f = bt.path_frame()
    assert isinstance(f, pl.DataFrame) and f.columns == ["t", "x", "y"] and f.height == 7
    assert f["t"][0] == 0.0 and f["t"][-1] == pytest.approx(bt.end_time)
    assert f["x"].to_list() == list(bt.path_x)
    assert th.allocate(100.0, _fronts()).frame().height == 3


def test_results_are_frozen():
    bt = th.square_law(100, 60, 0.01, 0.01)
    with pytest.raises(AttributeError):
        bt.winner = "y"  # type: ignore[misc]


# --- validation -------------------------------------------------------------------------------

_OK = (100.0, 60.0, 0.01, 0.01)


def _theatre():
    return th.allocate(100.0, [Front("n", 60, 0.01, 0.01), Front("e", 40, 0.01, 0.01)])


BAD_CALLS = [
    ("x0", lambda: th.square_law(-1, 60, 0.01, 0.01)),
    ("x0", lambda: th.square_law(2e12, 60, 0.01, 0.01)),
    ("y0", lambda: th.square_law(100, float("nan"), 0.01, 0.01)),
    ("y0", lambda: th.linear_law(100, math.inf, 0.01, 0.01)),
    ("a", lambda: th.square_law(100, 60, 0, 0.01)),
    ("a", lambda: th.square_law(100, 60, "0.01", 0.01)),
    ("b", lambda: th.linear_law(100, 60, 0.01, -0.5)),
    ("b", lambda: th.square_law(100, 60, 0.01, True)),
    ("breakpoint", lambda: th.square_law(*_OK, breakpoint=1.0)),
    ("breakpoint", lambda: th.square_law(*_OK, breakpoint=-0.1)),
    ("breakpoint", lambda: th.linear_law(*_OK, breakpoint=0.0)),
    ("breakpoint", lambda: th.battle(*_OK, law="linear", breakpoint=0)),
    ("law", lambda: th.battle(*_OK, law="cube")),
    ("n_points", lambda: th.square_law(*_OK, n_points=1)),
    ("n_points", lambda: th.square_law(*_OK, n_points=2.5)),
    ("t", lambda: th.square_law(*_OK).state_at(-1.0)),
    ("name", lambda: Front("", 60, 0.01, 0.01)),
    ("name", lambda: Front(3, 60, 0.01, 0.01)),
    ("opponent_force", lambda: Front("n", -60, 0.01, 0.01)),
    ("a", lambda: Front("n", 60, 0.0, 0.01)),
    ("b", lambda: Front("n", 60, 0.01, math.nan)),
    ("law", lambda: Front("n", 60, 0.01, 0.01, law="squared")),
    ("breakpoint", lambda: Front("n", 60, 0.01, 0.01, law="linear", breakpoint=0)),
    ("total", lambda: th.allocate(-5, [Front("n", 60, 0.01, 0.01)])),
    ("fronts", lambda: th.allocate(100, [])),
    ("fronts", lambda: th.allocate(100, "north")),
    ("fronts", lambda: th.allocate(100, [("n", 60, 0.01, 0.01)])),
    ("fronts", lambda: th.allocate(100, [Front("n", 6, 0.1, 0.1), Front("n", 6, 0.1, 0.1)])),
    ("fronts", lambda: th.allocate(100, [Front("n", 0, 0.1, 0.1), Front("e", 0, 0.1, 0.1)])),
    ("rule", lambda: th.allocate(100, [Front("n", 60, 0.01, 0.01)], rule="equal")),
    ("shares", lambda: th.allocate(100, [Front("n", 60, 0.01, 0.01)], rule="fixed")),
    ("shares", lambda: th.allocate(100, [Front("n", 6, 0.1, 0.1)], shares=[1.0])),
    ("shares", lambda: th.allocate(100, _fronts(), rule="fixed", shares=[0.5, 0.3, 0.1])),
    ("shares", lambda: th.allocate(100, _fronts(), rule="fixed", shares=[0.5, 0.5])),
    ("shares", lambda: th.allocate(100, _fronts(), rule="fixed", shares=[1.2, -0.1, -0.1])),
    ("shares", lambda: th.allocate(100, _fronts(), rule="fixed", shares={"north": 1.0})),
    ("shares", lambda: th.allocate(100, _fronts(), rule="fixed", shares="0.5,0.5")),
    (
        "shares",
        lambda: th.allocate(100, _fronts(), rule="fixed", shares=[0.5, 0.25, 0.25 + 2e-9]),
    ),
    ("baseline", lambda: th.reallocate({"n": 50}, "n")),
    ("secured", lambda: th.reallocate(_theatre(), "west")),
    ("secured", lambda: th.reallocate(th.allocate(10, [Front("n", 6, 0.1, 0.1)]), "n")),
    ("to", lambda: th.reallocate(_theatre(), "n", to="n")),
    ("to", lambda: th.reallocate(_theatre(), "n", to="west")),
    (
        "to",
        lambda: th.reallocate(
            th.allocate(
                10, [Front("n", 6, 0.1, 0.1), Front("e", 6, 0.1, 0.1)], rule="fixed", shares=[1, 0]
            ),
            "n",
        ),
    ),
    ("name", lambda: _theatre().battle("west")),
]


@pytest.mark.parametrize(("argument", "call"), BAD_CALLS)
def test_bad_input_raises_a_typed_error_naming_the_argument(argument, call):
    with pytest.raises(InvalidArgumentError) as info:
        call()
    assert info.value.argument == argument
    assert info.value.message and info.value.hint  # what was wrong, what to give instead


def test_a_side_without_force_loses_at_once_and_underflow_is_refused():
    b = th.linear_law(0.0, 5e-324, 0.5, 1.0)
    assert b.winner == "y" and b.end_time == 0.0 and b.survivors_y == 5e-324
    with pytest.raises(InvalidArgumentError):
        th.linear_law(5e-324, 5e-324, 1.0, 0.5)
