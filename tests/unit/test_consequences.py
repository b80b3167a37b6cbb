"""Consequence building blocks on synthetic inputs: the War Trap decomposition sums to the
matrix, bloc communities, indirect ties."""

from __future__ import annotations

import networkx as nx
import numpy as np

from foedus.consequences.blocs import _bloc_of, communities
from foedus.consequences.network_change import _two_step
from foedus.measures.expected_utility import third_party_terms, war_trap_matrix


def test_third_party_terms_sum_to_the_war_trap():
    rng = np.random.default_rng(3)
    n = 7
    cinc = rng.uniform(0.001, 0.2, n)
    cinc[4] = np.nan  # a state without capabilities
    miles = rng.uniform(0, 6000, (n, n))
    miles = (miles + miles.T) / 2
    np.fill_diagonal(miles, 0)
    u = rng.uniform(-1, 1, (n, n))
    u = (u + u.T) / 2
    m = war_trap_matrix(cinc, miles, u, 2000)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            bil, terms = third_party_terms(cinc, miles, u, 2000, i, j)
            if np.isnan(m[i, j]):
                assert np.isnan(bil)
            else:
                assert np.isclose(bil + terms.sum(), m[i, j], rtol=1e-12, atol=1e-12)
                assert terms[i] == 0 and terms[j] == 0 and terms[4] == 0


def test_blocs_are_communities_and_isolates():
    g = nx.Graph()
    g.add_nodes_from(range(1, 9))
    g.add_edges_from([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    comms = communities(g)
    assert [1, 2, 3] in comms and [4, 5, 6] in comms and [7] in comms and [8] in comms
    assert sum(len(c) for c in comms) == 8
    assert _bloc_of(g, [1]) == [1, 2, 3] and _bloc_of(g, [7]) == [7]


def test_indirect_ties_are_allies_of_allies_not_allied():
    g = nx.Graph([(1, 2), (2, 3), (3, 1), (3, 4)])
    assert _two_step(g) == {(1, 4), (2, 4)}
