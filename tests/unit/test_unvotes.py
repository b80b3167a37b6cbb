"""UN voting agreement: hand-computed values and a slow, pair-by-pair reference implementation."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.errors import PanelError
from foedus.measures.unvotes import MEASURES, VOTES, agreement, pair_agreement

SCORE = {0: 1.0, 1: 0.5, 2: 0.0}  # yes, abstain, no


def slow(xi: list[int], xj: list[int]) -> dict[str, float]:
    """Every measure from its definition, one roll call at a time (codes 0/1/2, else absent)."""
    joint = [(a, b) for a, b in zip(xi, xj, strict=True) if a in SCORE and b in SCORE]
    n = len(joint)
    out: dict[str, float] = {"n_joint": n}
    if n == 0:
        return out | {"agree": math.nan, "agree3": math.nan, "kappa": math.nan}
    po = sum(a == b for a, b in joint) / n
    out["agree"] = po
    out["agree3"] = 1 - sum(abs(SCORE[a] - SCORE[b]) for a, b in joint) / n
    pi = [sum(a == k for a, _ in joint) / n for k in range(3)]
    pj = [sum(b == k for _, b in joint) / n for k in range(3)]
    pe = sum(p * q for p, q in zip(pi, pj, strict=True))
    out["kappa"] = (po - pe) / (1 - pe) if not math.isclose(pe, 1.0) else math.nan
    return out


def close(got: float | None, want: float) -> bool:
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return math.isnan(want)
    return got == pytest.approx(want, abs=1e-12)


def test_hand_computed_pair():
    # i: yes yes no abstain -; j: yes no no yes yes  -> joint (y,y) (y,n) (n,n) (a,y)
    x = np.array([[0, 0, 2, 1, -1], [0, 2, 2, 0, 0]])
    m = pair_agreement(x)
    assert m["n_joint"][0, 1] == 4
    assert m["agree"][0, 1] == pytest.approx(0.5)
    assert m["agree3"][0, 1] == pytest.approx(1 - (0 + 1 + 0 + 0.5) / 4)
    # marginals over the joint votes: i (y2, a1, n1), j (y2, a0, n2): p_e = (4 + 0 + 2) / 16
    assert m["kappa"][0, 1] == pytest.approx((0.5 - 6 / 16) / (1 - 6 / 16))
    assert m["n_joint"][0, 0] == 4 and m["n_joint"][1, 1] == 5  # diagonal: own votes


def test_degenerate_pairs():
    x = np.array([[0, 0, 0, -1], [0, 0, 0, 2], [-1, -1, -1, 1], [2, 2, 2, -1]])
    m = pair_agreement(x)
    assert m["agree"][0, 1] == 1 and m["agree3"][0, 1] == 1
    assert np.isnan(m["kappa"][0, 1])  # both always yes: chance predicts it all
    assert m["n_joint"][0, 2] == 0 and np.isnan(m["agree"][0, 2])
    assert m["agree"][0, 3] == 0 and m["agree3"][0, 3] == 0
    assert m["kappa"][0, 3] == 0  # always yes vs always no: p_o = p_e = 0
    x2 = np.array([[0, 2, 0, 2], [2, 0, 2, 0]])  # perfect disagreement with both categories
    assert pair_agreement(x2)["kappa"][0, 1] == pytest.approx(-1.0)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 10),
    r=st.integers(0, 25),
    seed=st.integers(0, 10_000),
    p_absent=st.sampled_from([0.0, 0.3, 0.8]),
    lopsided=st.booleans(),
)
def test_matrix_measures_equal_the_definitions(n, r, seed, p_absent, lopsided):
    rng = np.random.default_rng(seed)
    probs = [0.9, 0.05, 0.05] if lopsided else [1 / 3] * 3
    x = rng.choice(3, size=(n, r), p=probs)
    x[rng.random((n, r)) < p_absent] = -1
    m = pair_agreement(x)
    for i in range(n):
        for j in range(n):
            ref = slow(list(x[i]), list(x[j]))
            for k, v in ref.items():
                assert close(float(m[k][i, j]), v), (k, i, j, m[k][i, j], v)


def vote_frame(rows: list[tuple[int, int, int, str]]) -> pl.DataFrame:
    schema = {"rcid": pl.Int32, "year": pl.Int32, "ccode": pl.Int32, "vote": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.col("vote").cast(pl.Enum(VOTES))
    )


def slow_frame(votes: pl.DataFrame) -> dict[tuple[int, int, int], dict[str, float]]:
    """Dyad-years built pair by pair from the vote rows."""
    out = {}
    for (year,), g in votes.group_by(["year"]):
        calls = sorted(set(g["rcid"]))
        by_state: dict[int, dict[int, int]] = {}
        for rc, c, v in g.select("rcid", "ccode", "vote").iter_rows():
            by_state.setdefault(c, {})[rc] = VOTES.index(v)
        for a, b in combinations(sorted(by_state), 2):
            xa = [by_state[a].get(rc, -1) for rc in calls]
            xb = [by_state[b].get(rc, -1) for rc in calls]
            out[(a, b, year)] = slow(xa, xb)
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_years=st.integers(1, 4))
def test_dyad_years_equal_the_slow_build(seed, n_years):
    rng = np.random.default_rng(seed)
    rows, rcid = [], 0
    for year in range(1990, 1990 + n_years):
        states = rng.choice([2, 20, 40, 200, 365, 666, 710], size=rng.integers(1, 7), replace=False)
        for _ in range(rng.integers(1, 9)):
            rcid += 1
            for s in states:
                if rng.random() < 0.75:
                    rows.append((rcid, year, int(s), VOTES[rng.choice(3, p=[0.6, 0.2, 0.2])]))
    if not rows:
        return
    votes = vote_frame(rows)
    got = agreement(votes)
    ref = slow_frame(votes)
    assert got.columns == ["ccode1", "ccode2", "year", *MEASURES]
    assert set(zip(got["ccode1"], got["ccode2"], got["year"], strict=True)) == set(ref)
    for r in got.iter_rows(named=True):
        want = ref[(r["ccode1"], r["ccode2"], r["year"])]
        for k, v in want.items():
            assert close(r[k], v), (k, r, v)
    assert (got["ccode1"] < got["ccode2"]).all()
    assert got.select("ccode1", "ccode2", "year").is_duplicated().sum() == 0
    d = agreement(votes, directed=True)
    assert d.height == 2 * got.height
    swapped = d.filter(pl.col("ccode1") > pl.col("ccode2")).select(
        pl.col("ccode2").alias("ccode1"),
        pl.col("ccode1").alias("ccode2"),
        pl.exclude("ccode1", "ccode2"),
    )
    assert swapped.sort("ccode1", "ccode2", "year").equals(got.select(swapped.columns))


def test_vote_codings_agree_and_years_without_votes_are_absent():
    rows = [(1, 1963, 2, "yes"), (1, 1963, 40, "no"), (2, 1963, 2, "abstain"),
            (2, 1963, 40, "abstain"), (3, 1965, 2, "yes"), (3, 1965, 365, "yes")]  # fmt: skip
    enum = agreement(vote_frame(rows))
    text = agreement(vote_frame(rows).with_columns(pl.col("vote").cast(pl.String)))
    codes = agreement(vote_frame(rows).with_columns(pl.col("vote").to_physical().cast(pl.Int64)))
    assert enum.equals(text) and enum.equals(codes)
    assert enum["year"].to_list() == [1963, 1965]  # no 1964 rows
    r = enum.row(0, named=True)
    assert (r["n_joint"], r["agree"], r["agree3"]) == (2, 0.5, 0.5)
    assert enum.schema["n_joint"] == pl.Int32 and enum.schema["kappa"] == pl.Float64
    assert enum.row(1, named=True)["kappa"] is None  # both always yes: undefined


def test_bad_input_is_refused():
    dup = vote_frame([(1, 1990, 2, "yes"), (1, 1990, 2, "no"), (1, 1990, 20, "yes")])
    with pytest.raises(PanelError, match="two votes on one roll call"):
        agreement(dup)
    odd = pl.DataFrame({"rcid": [1], "year": [1990], "ccode": [2], "vote": ["absent"]})
    with pytest.raises(PanelError, match="not yes/abstain/no"):
        agreement(odd)
    with pytest.raises(PanelError, match="needs columns"):
        agreement(odd.drop("rcid"))


def test_empty_input_gives_an_empty_frame():
    out = agreement(vote_frame([]))
    assert out.height == 0 and out.columns == ["ccode1", "ccode2", "year", *MEASURES]
