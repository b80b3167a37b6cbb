"""Threat measures: the pair-through-a-third-state counting on synthetic links."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from foedus.measures.threat import pairs_through


def testpairs_through_counts_common_third_states():
    links = pl.DataFrame(
        {"a": [1, 2, 3, 1, 2, 4], "k": [9, 9, 9, 8, 8, 8], "year": [2000] * 6},
        schema={"a": pl.Int32, "k": pl.Int32, "year": pl.Int32},
    )
    out = pairs_through(links, "n")
    assert out.rows() == [
        (1, 2, 2000, 2),
        (1, 3, 2000, 1),
        (1, 4, 2000, 1),
        (2, 3, 2000, 1),
        (2, 4, 2000, 1),
    ]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.integers(1, 8), st.integers(2000, 2002)),
        max_size=40,
        unique=True,
    )
)
def testpairs_through_equals_brute_force(rows):
    rows = [(a, k, y) for a, k, y in rows if a != k]
    links = pl.DataFrame(
        rows, schema={"a": pl.Int32, "k": pl.Int32, "year": pl.Int32}, orient="row"
    )
    got = {(r[0], r[1], r[2]): r[3] for r in pairs_through(links, "n").rows()}
    want: dict[tuple[int, int, int], int] = {}
    for a, k, y in rows:
        for b, k2, y2 in rows:
            if k == k2 and y == y2 and a < b:
                want[(a, b, y)] = want.get((a, b, y), 0) + 1
    assert got == want
