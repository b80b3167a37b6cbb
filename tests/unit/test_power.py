"""Power measures on small synthetic frames: hand-computed values and MODELS.md references."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus import loaders
from foedus.errors import InvalidArgumentError, PanelError
from foedus.measures import power as P

COMPS = ["milex", "milper", "irst", "pec", "tpop", "upop"]


def nmc_frame(rows: list[tuple[int, int, list[float | None]]]) -> pl.DataFrame:
    """NMC-like state-years with CINC built as NMC does: the mean of the state's shares of the
    year's totals over the components it reports (written out row by row, independently)."""
    totals: dict[tuple[int, int], float] = {}
    for _, y, vals in rows:
        for k, v in enumerate(vals):
            if v is not None:
                totals[(y, k)] = totals.get((y, k), 0.0) + v
    out = []
    for c, y, vals in rows:
        sh = [v / totals[(y, k)] for k, v in enumerate(vals) if v is not None]
        out.append(
            {
                "ccode": c,
                "year": y,
                **dict(zip(COMPS, vals, strict=True)),
                "cinc": sum(sh) / len(sh),
            }
        )
    schema = {"ccode": pl.Int32, "year": pl.Int32, **dict.fromkeys(COMPS, pl.Float64)}
    return pl.DataFrame(out, schema={**schema, "cinc": pl.Float64})


#: 1950: three states, C lacks milex; 1951: A and B only, all components reported.
NMC = nmc_frame(
    [
        (1, 1950, [60, 30, 50, 40, 100, 20]),
        (2, 1950, [30, 50, 40, 40, 200, 50]),
        (3, 1950, [None, 20, 10, 20, 100, 30]),
        (1, 1951, [50, 50, 50, 50, 50, 50]),
        (2, 1951, [50, 50, 50, 50, 50, 50]),
    ]
)


def fake_load(frames: dict[str, pl.DataFrame]):
    def load(name, *, use_cache=True):
        if name not in frames:
            raise AssertionError(f"unexpected load({name!r})")
        return frames[name]

    return load


# --- system shares ----------------------------------------------------------------------------


def test_cinc_total_exceeds_one_when_a_component_is_missing_and_share_renormalises():
    s = P.capability_shares(NMC)
    y50 = s.filter(pl.col("year") == 1950)
    assert y50.get_column("cinc").sum() > 1.0  # C's CINC averages 5 shares, not 6
    assert y50.get_column("cinc_total").unique().item() == pytest.approx(
        NMC.filter(pl.col("year") == 1950).get_column("cinc").sum()
    )
    per_year = s.group_by("year").agg(pl.col("cinc_share").sum())
    assert per_year.get_column("cinc_share").to_list() == pytest.approx([1.0, 1.0])
    # without missing components CINC sums to exactly 1 and the share equals CINC
    y51 = s.filter(pl.col("year") == 1951)
    assert y51.get_column("cinc_share").to_list() == pytest.approx(y51["cinc"].to_list())


def test_component_shares_and_counts():
    s = P.capability_shares(NMC).filter(pl.col("year") == 1950).sort("ccode")
    assert s.get_column("milex_share").to_list() == pytest.approx([2 / 3, 1 / 3, None])
    assert s.get_column("tpop_share").to_list() == pytest.approx([0.25, 0.5, 0.25])
    assert s.get_column("n_components").to_list() == [6, 6, 5]
    for c in COMPS:
        assert s.get_column(f"{c}_share").sum() == pytest.approx(1.0)
    # the mean of the available component shares is NMC's CINC
    mean = s.select(pl.mean_horizontal([f"{c}_share" for c in COMPS])).to_series()
    assert mean.to_list() == pytest.approx(s.get_column("cinc").to_list())


def test_system_shares_loads_nmc_and_keeps_whole_years(monkeypatch):
    monkeypatch.setattr(loaders, "load", fake_load({"ps-cow-nmc": NMC}))
    s = P.system_shares(1950)
    assert s.height == 3 and set(s["year"]) == {1950}
    assert s.get_column("cinc_share").sum() == pytest.approx(1.0)
    assert P.system_shares().height == NMC.height
    with pytest.raises(InvalidArgumentError, match="version"):
        P.system_shares(1950, version="8.0")


# --- blocs ------------------------------------------------------------------------------------


def test_bloc_totals_sums_and_reports_missing_members():
    s = P.capability_shares(NMC)
    b = P.bloc_totals(s, [1, 3], [1950, 1951, 1952]).sort("year")
    r50, r51, r52 = b.to_dicts()
    s50 = {r["ccode"]: r for r in s.filter(pl.col("year") == 1950).to_dicts()}
    assert r50["complete"] and r50["missing"] == [] and r50["n_present"] == 2
    assert r50["cinc"] == pytest.approx(s50[1]["cinc"] + s50[3]["cinc"])
    assert r50["cinc_share"] == pytest.approx(s50[1]["cinc_share"] + s50[3]["cinc_share"])
    assert r50["milper"] == 50 and r50["milper_share"] == pytest.approx(0.5)
    assert r50["milex"] == 60  # C has no milex: summed over A only, and said so
    assert r50["gaps"] == ["3:milex"]
    # 1951: state 3 has no row -> listed, not zero
    assert not r51["complete"] and r51["missing"] == [3] and r51["n_present"] == 1
    assert r51["cinc"] == pytest.approx(0.5)
    # 1952: nobody present -> nulls, not zeros
    assert r52["n_present"] == 0 and r52["missing"] == [1, 3]
    assert r52["cinc"] is None and r52["cinc_share"] is None and r52["milex"] is None


def test_bloc_of_every_state_holds_the_whole_system():
    s = P.capability_shares(NMC)
    b = P.bloc_totals(s, [1, 2, 3], [1950])
    assert b["cinc_share"].item() == pytest.approx(1.0)
    for c in COMPS:
        assert b[f"{c}_share"].item() == pytest.approx(1.0)


def test_bloc_capabilities_takes_codes(monkeypatch):
    monkeypatch.setattr(loaders, "load", fake_load({"ps-cow-nmc": NMC}))
    b = P.bloc_capabilities([2, 1, 2], (1950, 1951))
    assert b["n_members"].to_list() == [2, 2]  # duplicates dropped
    assert b["complete"].all()
    assert b.filter(pl.col("year") == 1951)["cinc_share"].item() == pytest.approx(1.0)
    with pytest.raises(InvalidArgumentError, match="empty coalition"):
        P.bloc_capabilities([], 1950)


# --- concentration ----------------------------------------------------------------------------


def cap(year_values: dict[int, dict[int, float]]) -> pl.DataFrame:
    rows = [(c, y, v) for y, d in year_values.items() for c, v in d.items()]
    return pl.DataFrame(
        rows, schema={"ccode": pl.Int32, "year": pl.Int32, "cinc": pl.Float64}, orient="row"
    )


def test_con_hand_computed_three_states():
    # shares 0.5, 0.3, 0.2: sum S^2 = 0.38; CON = sqrt((0.38 - 1/3) / (2/3)) = sqrt(0.07)
    r = P.concentration_index(cap({1900: {1: 0.10, 2: 0.06, 3: 0.04}})).row(0, named=True)
    assert r["n_states"] == 3
    assert r["hhi"] == pytest.approx(0.38)
    assert r["con"] == pytest.approx(math.sqrt(0.07)) and r["con"] == pytest.approx(0.2645751)
    assert r["n_poles"] == 3 and r["leader"] == 1 and r["leader_share"] == pytest.approx(0.5)
    r = P.concentration_index(cap({1900: {1: 0.10, 2: 0.06, 3: 0.04}}), pole_share=0.25)
    assert r["n_poles"].item() == 2


def test_con_bounds_parity_monopoly_and_single_state():
    c = cap({1: {1: 0.2, 2: 0.2, 3: 0.2}, 2: {1: 0.3, 2: 0.0, 3: 0.0}, 3: {7: 0.4}})
    r = {d["year"]: d for d in P.concentration_index(c).to_dicts()}
    assert r[1]["con"] == pytest.approx(0.0) and r[1]["hhi"] == pytest.approx(1 / 3)
    assert r[2]["con"] == pytest.approx(1.0) and r[2]["n_poles"] == 1
    assert r[3]["con"] is None and r[3]["hhi"] == pytest.approx(1.0) and r[3]["n_states"] == 1


def test_con_within_a_group_and_empty_years():
    c = cap({1900: {1: 0.10, 2: 0.06, 3: 0.04, 4: 0.5}})
    group = pl.DataFrame(
        {"ccode": [1, 2, 3], "year": [1900] * 3}, schema={"ccode": pl.Int32, "year": pl.Int32}
    )
    out = P.concentration_index(c, group, years=[1900, 1901])
    r0, r1 = out.to_dicts()
    assert r0["con"] == pytest.approx(math.sqrt(0.07))  # state 4 is outside the group
    assert r1["n_states"] == 0 and r1["con"] is None and r1["n_poles"] is None


def test_con_component_basis_hand_computed():
    c = pl.DataFrame(
        {
            "ccode": [1, 2, 3],
            "year": [1900] * 3,
            "milex": [60.0, 20.0, 20.0],
            "tpop": [20.0, 20.0, None],
        },
        schema_overrides={"ccode": pl.Int32, "year": pl.Int32},
    )
    # group shares: milex .6/.2/.2, tpop .5/.5/-, means .55/.35/.2, renormalised by 1.1
    s = np.array([0.55, 0.35, 0.2]) / 1.1
    hhi = float((s**2).sum())
    r = P.concentration_index(c, basis="components").row(0, named=True)
    assert r["hhi"] == pytest.approx(hhi)
    assert r["con"] == pytest.approx(math.sqrt((hhi - 1 / 3) / (2 / 3)))
    with pytest.raises(InvalidArgumentError, match="basis"):
        P.concentration_index(c, basis="gdp")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.001, 1.0), min_size=2, max_size=12))
def test_con_matches_the_formula_and_stays_in_bounds(values):
    c = cap({2000: dict(enumerate(values, start=1))})
    r = P.concentration_index(c).row(0, named=True)
    s = np.array(values) / sum(values)
    n = len(values)
    expected = math.sqrt(max((float((s**2).sum()) - 1 / n) / (1 - 1 / n), 0.0))
    # compared squared: near 0 the square root turns a 1e-17 rounding remainder into 1e-9
    assert r["con"] ** 2 == pytest.approx(expected**2, abs=1e-12)
    assert 0.0 <= r["con"] <= 1.0 + 1e-12
    assert r["n_poles"] == int((s >= 0.10 - 1e-9).sum())


def majors_frame() -> pl.DataFrame:
    # state 1 major 1950-2016 (to the list's end), state 2 1950 only
    return pl.DataFrame(
        {
            "ccode": [1, 2],
            "styear": [1950, 1950],
            "endyear": [2016, 1950],
            "endmonth": [12, 12],
            "endday": [31, 31],
        },
        schema_overrides={"ccode": pl.Int32, "styear": pl.Int32, "endyear": pl.Int32},
    )


def test_concentration_among_majors_and_all(monkeypatch):
    monkeypatch.setattr(
        loaders, "load", fake_load({"ps-cow-nmc": NMC, "cow-majors": majors_frame()})
    )
    m = P.concentration(1950)
    assert m["n_states"].item() == 2  # state 3 is not a major power
    a = P.concentration(1950, among="all")
    assert a["n_states"].item() == 3
    s = NMC.filter(pl.col("year") == 1950, pl.col("ccode") < 3)["cinc"].to_numpy()
    s = s / s.sum()
    assert m["hhi"].item() == pytest.approx(float((s**2).sum()))
    with pytest.raises(InvalidArgumentError, match="among"):
        P.concentration(1950, among="everyone")


def test_concentration_after_the_majors_list_ends(monkeypatch):
    late = NMC.with_columns(pl.col("year") + 67)  # 2017, 2018
    monkeypatch.setattr(
        loaders, "load", fake_load({"ps-cow-nmc": late, "cow-majors": majors_frame()})
    )
    assert P.concentration(2018)["n_states"].item() == 0  # no majors list after 2016
    assert P.concentration(2018, carry_forward=True)["n_states"].item() == 1  # only state 1


# --- dyadic ratio -----------------------------------------------------------------------------


def test_dyad_ratio_values_and_asymmetry_threshold():
    c = cap(
        {
            1: {1: 0.30, 2: 0.10},
            2: {1: 0.20, 2: 0.10},
            3: {1: 0.1},
            4: {1: 0.2, 2: 0.0},
            5: {1: 0.1, 2: 0.1},
        }
    )
    r = {d["year"]: d for d in P.dyad_ratio(c, 2, 1, [1, 2, 3, 4, 5, 6]).to_dicts()}
    assert r[1]["ratio"] == pytest.approx(3.0) and r[1]["asymmetric"] is True
    assert r[1]["share_a"] == pytest.approx(0.25) and r[1]["stronger"] == 1
    assert r[2]["ratio"] == pytest.approx(2.0) and r[2]["asymmetric"] is False
    assert r[3]["ratio"] is None and r[3]["share_a"] is None and r[3]["asymmetric"] is None
    assert r[4]["ratio"] is None and r[4]["asymmetric"] is True and r[4]["share_a"] == 0.0
    assert r[5]["ratio"] == 1.0 and r[5]["stronger"] is None and r[5]["share_a"] == 0.5
    assert r[6]["cinc_a"] is None and r[6]["ccode_a"] == 2 and r[6]["ccode_b"] == 1
    loose = P.dyad_ratio(c, 2, 1, [2], threshold=2.0)
    assert loose["asymmetric"].item() is True
    with pytest.raises(PanelError):
        P.dyad_ratio(c, 1, 1, [1])


def test_capability_ratio_from_nmc(monkeypatch):
    monkeypatch.setattr(loaders, "load", fake_load({"ps-cow-nmc": NMC}))
    r = P.capability_ratio(1, 2, 1950).row(0, named=True)
    c1, c2 = NMC.filter(pl.col("year") == 1950).sort("ccode")["cinc"].to_list()[:2]
    assert r["ratio"] == pytest.approx(max(c1, c2) / min(c1, c2))
    assert r["share_a"] == pytest.approx(c1 / (c1 + c2))


# --- loss-of-strength gradient ----------------------------------------------------------------


def test_discounted_capability_reproduces_the_models_table():
    """MODELS.md b.1 (computed): 1950, CINC 0.2 at 0/1000/5000/10000 miles. The table's
    four-decimal values are rounded from five (0.24965 -> 0.2497, 0.13645 -> 0.1365): the
    exact values are 0.249646, 0.210696, 0.136447, 0.099167."""
    got = P.discounted_capability(0.2, [0, 1000, 5000, 10000], 1950)
    assert got == pytest.approx([0.2497, 0.2107, 0.1365, 0.0992], abs=1e-4)
    assert np.round(got, 5).tolist() == [0.24965, 0.21070, 0.13645, 0.09917]
    assert got[0] == pytest.approx(0.2 ** math.log10(10 - math.e), rel=1e-12)


def test_miles_per_day_by_era_and_unit_exponent():
    assert P.miles_per_day([1816, 1917, 1918, 1945, 1946, 2020]).tolist() == [
        250,
        250,
        375,
        375,
        500,
        500,
    ]
    for year, mpd in ((1900, 250), (1930, 375), (1990, 500)):  # exponent 1 at e * mpd
        assert P.discounted_capability(0.3, math.e * mpd, year) == pytest.approx(0.3)
    # the same distance discounts more in an earlier era (fewer miles per day)
    a = P.discounted_capability(0.2, 2000, [1900, 1930, 1990])
    assert a[0] < a[1] < a[2]


def test_discounted_capability_broadcasts_and_checks_inputs():
    cinc = np.array([[0.1], [0.2]])
    out = P.discounted_capability(cinc, np.array([0, 500, 5000]), 1950)
    assert out.shape == (2, 3)
    assert isinstance(P.discounted_capability(0.2, 0, 1950), float)
    s = P.discounted_capability(pl.Series([0.2, 0.0]), pl.Series([0.0, 100.0]), 1950)
    assert s[1] == 0.0
    assert math.isnan(P.discounted_capability(np.nan, 100, 1950))
    assert P.discounted_capability(1.0, 9000, 1950) == 1.0
    with pytest.raises(PanelError):
        P.discounted_capability(0.2, -1, 1950)
    with pytest.raises(PanelError):
        P.discounted_capability(1.5, 10, 1950)


# --- nuclear ----------------------------------------------------------------------------------

WARHEADS = pl.DataFrame(
    {
        "entity": ["A", "A", "A", "B", "B", "B", "C", "C", "C"],
        "iso3": ["AAA"] * 3 + ["BBB"] * 3 + ["CCC"] * 3,
        "ccode": [2, 2, 2, 365, 365, 365, 710, 710, 710],
        "year": [1990, 1991, 1992] * 3,
        "warheads": [100, 90, 80, 50, 60, 0, 0, 0, 10],
    },
    schema_overrides={"ccode": pl.Int32, "year": pl.Int32, "warheads": pl.Int64},
)


def test_nuclear_status_and_forces(monkeypatch):
    monkeypatch.setattr(loaders, "load", fake_load({"nuclear-warheads": WARHEADS}))
    f = P.nuclear_forces((1991, 1992))
    assert f.height == 6
    assert f.filter(pl.col("ccode") == 365).get_column("nuclear").to_list() == [True, False]
    assert list(f.columns) == ["ccode", "entity", "iso3", "year", "warheads", "nuclear"]
    assert P.nuclear_forces().height == WARHEADS.height


def test_bloc_nuclear_unlisted_counts_zero_and_out_of_range_is_missing():
    b = P.bloc_nuclear(WARHEADS, [2, 710, 220], [1990, 1992, 1993]).to_dicts()
    r90, r92, r93 = b
    assert r90["warheads"] == 100 and r90["n_nuclear"] == 1 and r90["nuclear_members"] == [2]
    assert r90["unlisted"] == [220] and r90["complete"]
    assert r92["warheads"] == 90 and r92["nuclear_members"] == [2, 710]
    assert r93["warheads"] is None and not r93["complete"] and r93["missing"] == [2, 220, 710]
    every = P.bloc_nuclear(WARHEADS, [2, 365, 710])
    assert every["year"].to_list() == [1990, 1991, 1992]
    assert every["warheads"].to_list() == [150, 150, 90]


def test_bloc_warheads_and_nuclear_balance(monkeypatch):
    monkeypatch.setattr(loaders, "load", fake_load({"nuclear-warheads": WARHEADS}))
    assert P.bloc_warheads([365, 710], 1991)["warheads"].item() == 60
    nb = P.nuclear_balance([2, 710], 365).to_dicts()
    assert [r["bloc_warheads"] for r in nb] == [100, 90, 90]
    assert nb[0]["ratio"] == pytest.approx(2.0) and nb[0]["bloc_share"] == pytest.approx(2 / 3)
    assert nb[2]["ratio"] is None and nb[2]["bloc_share"] == 1.0  # opponent has none
    assert all(r["complete"] for r in nb)
    with pytest.raises(PanelError):
        P.nuclear_balance([2, 365], 365)


# --- years ------------------------------------------------------------------------------------


def test_year_arguments():
    assert P._year_list(None, (1, 3)) == [1, 2, 3]
    assert P._year_list(1950, (1, 3)) == [1950]
    assert P._year_list((1950, 1952), (1, 3)) == [1950, 1951, 1952]
    assert P._year_list([1960, 1950, 1960], (1, 3)) == [1950, 1960]
    assert P._year_list(range(5, 7), (1, 3)) == [5, 6]
    with pytest.raises(InvalidArgumentError, match="empty"):
        P._year_list((1952, 1950), (1, 3))
