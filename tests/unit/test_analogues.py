"""Historical analogues on a synthetic formation panel: nearest first, one year per dyad,
only candidates whose outcome window is observed before the year asked about."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import FoedusError, InvalidArgumentError
from foedus.prospects.analogues import similar_dyads


def panel() -> pl.DataFrame:
    rows = []
    # dyad (1, 2): the target in 2000, x = 0
    rows.append((1, 2, 2000, True, None, 0.0, 0.0))
    # dyad (3, 4): close in 1980 (x = 0.1) and 1981 (x = 0.2); a pact in 1983
    rows += [(3, 4, 1980, True, 0, 0.1, 0.0), (3, 4, 1981, True, 0, 0.2, 0.0)]
    rows += [(3, 4, 1982, True, 0, 5.0, 0.0), (3, 4, 1983, True, 1, 5.0, 0.0)]
    # dyad (5, 6): farther (x = 1.0), never a pact
    rows += [(5, 6, y, True, 0, 1.0, 0.0) for y in range(1980, 1990)]
    # dyad (7, 8): identical, but too late for its window to be observed (1997 + 4 > 1999)
    rows.append((7, 8, 1997, True, 0, 0.0, 0.0))
    # dyad (9, 10): identical but not at risk
    rows.append((9, 10, 1980, False, None, 0.0, 0.0))
    # dyad (11, 12): identical but lacking a feature the target has
    rows.append((11, 12, 1980, True, 0, 0.0, None))
    return pl.DataFrame(
        rows,
        schema={
            "ccode1": pl.Int32,
            "ccode2": pl.Int32,
            "year": pl.Int32,
            "at_risk": pl.Boolean,
            "onset": pl.Int8,
            "x": pl.Float64,
            "z": pl.Float64,
        },
        orient="row",
    )


def test_nearest_first_one_year_per_dyad_with_outcomes():
    out = similar_dyads(panel(), (2, 1), 2000, k=5, features=["x", "z"])
    assert out.select("ccode1", "ccode2", "year").rows() == [(3, 4, 1980), (5, 6, 1980)]
    assert out["formed"].to_list() == [1983, None]  # 1983 lies in 1980's window 1980-1984
    assert out["distance"].to_list() == sorted(out["distance"].to_list())


def test_pact_within_the_window_is_the_outcome():
    out = similar_dyads(panel(), (1, 2), 2000, k=1, features=["x", "z"], horizon=5)
    assert out.row(0, named=True)["formed"] == 1983
    out = similar_dyads(panel(), (1, 2), 2000, k=1, features=["x", "z"], horizon=3)
    assert out.row(0, named=True)["formed"] is None  # 1983 is after 1980-1982


def test_pair_with_a_pledge_has_no_analogues_and_bad_input_is_refused():
    p = panel().with_columns(
        at_risk=pl.when(pl.col("ccode1") == 1).then(False).otherwise(pl.col("at_risk"))
    )
    assert similar_dyads(p, (1, 2), 2000, features=["x"]).height == 0
    # a feature the pair lacks is left out: then (11, 12) is a candidate, at distance 0
    q = panel().with_columns(z=pl.when(pl.col("ccode1") == 1).then(None).otherwise(pl.col("z")))
    assert similar_dyads(q, (1, 2), 2000, k=1, features=["x", "z"]).row(0)[:3] == (11, 12, 1980)
    with pytest.raises(FoedusError, match="no row"):
        similar_dyads(panel(), (1, 2), 1999, features=["x"])
    with pytest.raises(InvalidArgumentError, match="lacks"):
        similar_dyads(panel(), (1, 2), 2000, features=["nope"])
    with pytest.raises(InvalidArgumentError):
        similar_dyads(panel(), (1, 2), 2000, k=0, features=["x"])
