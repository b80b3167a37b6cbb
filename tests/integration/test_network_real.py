"""The alliance network on the real ATOP and COW data."""

from __future__ import annotations

import polars as pl
import pytest

from foedus.errors import FoedusError
from foedus.measures import network as N


def test_graph_2018_and_ego_network():
    g = N.alliance_graph(2018)
    assert g.number_of_nodes() == 195 and g.degree[2] > 50  # NATO, Rio Pact, ...
    ego = N.ego_network("Russia", 2018)
    assert {365, 370, 371}.issubset(ego.nodes)  # Russia, Belarus, Armenia (CSTO)
    assert 2 not in ego


def test_stats_and_shared_allies_agree_with_the_graph():
    st = N.network_stats((1950, 1950))
    g = N.alliance_graph(1950)
    assert st.height == g.number_of_nodes()
    assert dict(st.select("ccode", "degree").iter_rows()) == dict(g.degree())
    sa = N.shared_allies().filter(pl.col("year") == 1950)
    us_uk = sa.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 200))["shared_allies"]
    assert us_uk.item() == len(set(g[2]) & set(g[200]))


def test_outside_coverage_is_an_error():
    with pytest.raises(FoedusError):
        N.alliance_graph(2019)
    assert N.alliance_graph(2000, source="cow", pledge="any").number_of_edges() > 0
