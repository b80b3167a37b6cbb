"""The array look-ups give exactly what a left join gives (property test)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.panels.lookup import DyadTable, StateTable

codes = st.integers(2, 990)
years = st.integers(1816, 1830)


@settings(max_examples=80, deadline=None)
@given(
    src=st.lists(
        st.tuples(codes, years, st.one_of(st.none(), st.floats(-5, 5)), st.integers(0, 3)),
        max_size=30,
        unique_by=lambda r: (r[0], r[1]),
    ),
    probe=st.lists(st.tuples(st.one_of(st.none(), codes), st.integers(1810, 1835)), max_size=40),
)
def test_state_table_equals_left_join(src, probe):
    right = pl.DataFrame(
        src,
        schema={"ccode": pl.Int32, "year": pl.Int32, "x": pl.Float64, "k": pl.Int8},
        orient="row",
    )
    left = pl.DataFrame(probe, schema={"ccode": pl.Int32, "year": pl.Int32}, orient="row")
    want = left.join(right, on=["ccode", "year"], how="left", maintain_order="left")
    got = left.with_columns(
        StateTable(right, "ccode", ["x", "k"]).gather(left["ccode"], left["year"])
    )
    assert got.equals(want)


@settings(max_examples=80, deadline=None)
@given(
    src=st.lists(
        st.tuples(codes, codes, years, st.integers(0, 1)),
        max_size=30,
        unique_by=lambda r: (r[0], r[1], r[2]),
    ),
    probe=st.lists(st.tuples(codes, codes, st.integers(1810, 1835)), max_size=40),
)
def test_dyad_table_equals_left_join(src, probe):
    right = pl.DataFrame(
        src,
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32, "v": pl.Int8},
        orient="row",
    )
    left = pl.DataFrame(
        probe, schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32}, orient="row"
    )
    want = left.join(right, on=["ccode1", "ccode2", "year"], how="left", maintain_order="left")
    got = left.with_columns(
        DyadTable(right, ["v"]).gather(left["ccode1"], left["ccode2"], left["year"])
    )
    assert got.equals(want)


def test_time_invariant_state_table():
    right = pl.DataFrame({"ccode": [2, 20], "rugged": [1.5, None]})
    left = pl.DataFrame({"ccode": [20, 2, 3, None]})
    got = StateTable(right, "ccode", ["rugged"], year=None).gather(left["ccode"])[0]
    assert got.to_list() == [None, 1.5, None, None]


def test_text_columns_are_looked_up():
    right = pl.DataFrame(
        {"ccode1": [2, 2], "ccode2": [20, 365], "year": [1950, 1950], "label": ["a", None]}
    )
    left = pl.DataFrame({"ccode1": [2, 2, 2], "ccode2": [365, 20, 40], "year": [1950] * 3})
    got = DyadTable(right, ["label"]).gather(left["ccode1"], left["ccode2"], left["year"])[0]
    assert got.to_list() == [None, "a", None] and got.dtype == pl.String


def test_duplicate_keys_are_refused():
    import pytest

    dup = pl.DataFrame({"ccode": [2, 2], "year": [1950, 1950], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="not unique"):
        StateTable(dup, "ccode", ["x"])
    dup2 = pl.DataFrame({"ccode1": [2, 2], "ccode2": [20, 20], "year": [1950] * 2, "v": [1, 2]})
    with pytest.raises(ValueError, match="not unique"):
        DyadTable(dup2, ["v"])
