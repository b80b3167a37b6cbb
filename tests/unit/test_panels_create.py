"""state_years / dyad_years on a synthetic state system."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.errors import InvalidArgumentError, PanelError
from foedus.panels import dyad_years, inspect, state_years
from foedus.validate import latest_year

LIST_END = date(2016, 12, 31)


def spells(rows):
    return pl.DataFrame(
        [(c, date(*s), date(*e), date(*e) == LIST_END) for c, s, e in rows],
        schema={"code": pl.Int32, "start": pl.Date, "end": pl.Date, "open_ended": pl.Boolean},
        orient="row",
    )


SYSTEM = spells(
    [
        (2, (1816, 1, 1), (2016, 12, 31)),
        (210, (1816, 1, 1), (1940, 5, 14)),  # occupied mid-1940
        (210, (1945, 5, 8), (2016, 12, 31)),  # restored mid-1945
        (255, (1816, 1, 1), (1945, 5, 8)),  # ends 8 May 1945
        (255, (1990, 10, 3), (2016, 12, 31)),
        (300, (1816, 1, 1), (1918, 11, 12)),
    ]
)


def test_state_years_follow_spells_and_assumed_years():
    sy = state_years(years=(1938, 2018), spells=SYSTEM)
    years_210 = sy.filter(pl.col("ccode") == 210)["year"].to_list()
    assert 1940 in years_210 and 1945 in years_210 and 1941 not in years_210
    assert sy.filter(pl.col("ccode") == 255)["year"].to_list() == [
        *range(1938, 1946),
        *range(1990, 2019),
    ]  # 2017-2018: assumed to continue
    assert 300 not in sy["ccode"].to_list()
    assert sy.schema == {"ccode": pl.Int32, "year": pl.Int32}


def test_dyads_need_a_common_day():
    d = dyad_years(years=(1945, 1945), spells=SYSTEM)
    pairs = set(zip(d["ccode1"], d["ccode2"], strict=True))
    # Netherlands back on 8 May 1945, Germany out on 8 May: one common day, so a dyad
    assert (210, 255) in pairs
    d2 = dyad_years(years=(1940, 1940), spells=SYSTEM)
    assert (210, 255) in set(zip(d2["ccode1"], d2["ccode2"], strict=True))
    later = spells([(1, (1900, 1, 1), (1950, 3, 1)), (3, (1950, 6, 1), (2016, 12, 31))])
    assert dyad_years(years=1950, spells=later).height == 0
    assert dyad_years(years=1950, spells=later, coexist=False).height == 2


def test_directed_is_twice_undirected_and_ordered():
    d = dyad_years(years=(1900, 2020), spells=SYSTEM)
    u = dyad_years(years=(1900, 2020), spells=SYSTEM, directed=False)
    assert d.height == 2 * u.height
    assert u.select((pl.col("ccode1") < pl.col("ccode2")).all()).item()
    assert d.equals(d.sort("ccode1", "ccode2", "year"))
    assert inspect(d).directed and not inspect(u).directed


def test_gw_keys_and_bad_years():
    d = dyad_years("gw", years=(2000, 2001), spells=SYSTEM)
    assert d.columns == ["gwcode1", "gwcode2", "year"]
    with pytest.raises(InvalidArgumentError, match="empty"):
        state_years(years=(2000, 1990), spells=SYSTEM)
    with pytest.raises(PanelError):
        state_years(spells=pl.DataFrame({"code": [1]}))


@settings(max_examples=60, deadline=None)
@given(lo=st.integers(1816, 2020), span=st.integers(0, 40), directed=st.booleans())
def test_dyad_years_equal_a_brute_force_construction(lo, span, directed):
    hi = min(lo + span, latest_year())  # panels reach at most ten years past this year
    got = dyad_years(years=(lo, hi), spells=SYSTEM, directed=directed)
    rows = SYSTEM.with_columns(
        end=pl.when(pl.col("open_ended"))
        .then(pl.lit(date(max(hi, 2025), 12, 31)))  # open spells run through the years asked
        .otherwise("end")
    ).rows()
    expected = set()
    for y in range(lo, hi + 1):
        for a, s1, e1, _ in rows:
            for b, s2, e2, _ in rows:
                if a == b or (not directed and a > b):
                    continue
                if max(s1, s2, date(y, 1, 1)) <= min(e1, e2, date(y, 12, 31)):
                    expected.add((a, b, y))
    assert set(got.rows()) == expected and got.height == len(expected)
