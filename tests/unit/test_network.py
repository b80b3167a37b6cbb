"""Alliance-network statistics on small graphs built here."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from foedus.errors import FoedusError
from foedus.measures.network import export_graph, graph_stats


def test_star_graph_statistics():
    g = nx.Graph()
    g.add_nodes_from([2, 20, 200, 220, 999])  # 999 is an isolate
    g.add_edges_from([(2, 20), (2, 200), (2, 220)])
    s = {r["ccode"]: r for r in graph_stats(g).iter_rows(named=True)}
    assert s[2]["degree"] == 3 and s[999]["degree"] == 0
    assert s[2]["degree_centrality"] == pytest.approx(3 / 4)
    # 3 leaf pairs pass the hub; normalised by (n-1)(n-2)/2 = 6 pairs with the isolate counted
    assert s[2]["betweenness"] == pytest.approx(0.5)
    assert s[20]["betweenness"] == 0
    # star: leading eigenvector (hub 1/sqrt(2), leaves 1/sqrt(6)), scaled by 4/5 of nodes
    assert s[2]["eigenvector"] == pytest.approx((1 / 2**0.5) * 4 / 5)
    assert s[20]["eigenvector"] == pytest.approx((1 / 6**0.5) * 4 / 5)
    assert s[999]["eigenvector"] == 0 and s[999]["bloc"] is None
    assert s[2]["bloc"] == s[20]["bloc"] == 0


def test_two_blocs_are_found_and_numbered_by_size():
    g = nx.Graph()
    g.add_edges_from([(1, 2), (2, 3), (1, 3), (3, 4), (4, 1)])  # a 4-clique-ish block
    g.add_edges_from([(10, 11), (11, 12), (10, 12)])  # a triangle
    s = {r["ccode"]: r["bloc"] for r in graph_stats(g).iter_rows(named=True)}
    assert s[1] == s[2] == s[3] == s[4] == 0 and s[10] == s[11] == s[12] == 1


def test_export(tmp_path):
    g = nx.Graph(year=2000)
    g.add_node(2, name="United States")
    g.add_edge(2, 20)
    p = export_graph(g, tmp_path / "g.json")
    data = json.loads(p.read_text())
    assert data["graph"]["year"] == 2000 and len(data["edges"]) == 1
    assert nx.read_graphml(export_graph(g, tmp_path / "g.graphml")).number_of_edges() == 1
    with pytest.raises(FoedusError):
        export_graph(g, tmp_path / "g.png")
