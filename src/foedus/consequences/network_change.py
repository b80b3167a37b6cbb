"""Network changes: what a scenario does to the year's defence network.

Baseline against scenario in the scenario's year: direct ties gained and lost; indirect ties
(pairs two steps apart, an ally's ally) gained and lost; for each party, its degree,
betweenness and eigenvector centrality (:func:`foedus.measures.network.graph_stats`'s
coding) and its modularity community; the network's modularity and number of components.
Exact on the data. Rules: docs/consequences.md, "Network changes".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

import networkx as nx

from foedus.consequences.blocs import communities
from foedus.measures import network as net
from foedus.world import World

#: Pairs listed in full (the counts are always complete).
MAX_LISTED = 50


@dataclass(frozen=True)
class Centrality:
    ccode: int
    degree: tuple[int, int]
    betweenness: tuple[float, float]
    eigenvector: tuple[float, float]
    #: the members of the party's modularity community (baseline, scenario)
    community: tuple[list[int], list[int]]


@dataclass(frozen=True)
class NetworkResult:
    year: int
    pledge: str
    direct_gained: list[tuple[int, int]]
    direct_lost: list[tuple[int, int]]
    n_indirect_gained: int
    n_indirect_lost: int
    indirect_gained: list[tuple[int, int]]
    indirect_lost: list[tuple[int, int]]
    parties: list[Centrality]
    modularity: tuple[float | None, float | None]
    components: tuple[int, int]
    #: whether all parties sit in one modularity community (baseline, scenario)
    same_community: tuple[bool, bool]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("direct_gained", "direct_lost", "indirect_gained", "indirect_lost"):
            d[k] = [list(p) for p in d[k]]
        return d


def _two_step(g: nx.Graph) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for v in g:
        nb = list(g.neighbors(v))
        for a, b in combinations(nb, 2):
            if not g.has_edge(a, b):
                out.add((min(a, b), max(a, b)))
    return out


def _modularity(g: nx.Graph, comms: list[list[int]]) -> float | None:
    if g.number_of_edges() == 0:
        return None
    return float(nx.community.modularity(g, [set(c) for c in comms]))


def network_changes(
    baseline: World, scenario: World, year: int, parties: Sequence[int], pledge: str = "defense"
) -> NetworkResult:
    """The network of ``year`` under both worlds (see the module docstring)."""
    year = scenario.check_year(year)
    gb = net.alliance_graph(year, pledge, world=baseline)
    gs = net.alliance_graph(year, pledge, world=scenario)
    eb = {(min(a, b), max(a, b)) for a, b in gb.edges}
    es = {(min(a, b), max(a, b)) for a, b in gs.edges}
    tb, ts = _two_step(gb), _two_step(gs)
    sb, ss = net.graph_stats(gb), net.graph_stats(gs)
    cb, cs = communities(gb), communities(gs)
    where_b = {c: i for i, comm in enumerate(cb) for c in comm}
    where_s = {c: i for i, comm in enumerate(cs) for c in comm}

    def stat(frame, c: int, k: str):
        r = frame.filter(frame["ccode"] == c)
        return r[k].item() if r.height else None

    rows = []
    for p in parties:
        rows.append(
            Centrality(
                ccode=p,
                degree=(stat(sb, p, "degree") or 0, stat(ss, p, "degree") or 0),
                betweenness=(stat(sb, p, "betweenness") or 0.0, stat(ss, p, "betweenness") or 0.0),
                eigenvector=(stat(sb, p, "eigenvector") or 0.0, stat(ss, p, "eigenvector") or 0.0),
                community=(
                    cb[where_b[p]] if p in where_b else [],
                    cs[where_s[p]] if p in where_s else [],
                ),
            )
        )
    gained, lost = sorted(ts - tb - es), sorted(tb - ts - eb)
    return NetworkResult(
        year=year,
        pledge=pledge,
        direct_gained=sorted(es - eb),
        direct_lost=sorted(eb - es),
        n_indirect_gained=len(gained),
        n_indirect_lost=len(lost),
        indirect_gained=gained[:MAX_LISTED],
        indirect_lost=lost[:MAX_LISTED],
        parties=rows,
        modularity=(_modularity(gb, cb), _modularity(gs, cs)),
        components=(nx.number_connected_components(gb), nx.number_connected_components(gs)),
        same_community=(
            len({where_b.get(p) for p in parties}) == 1,
            len({where_s.get(p) for p in parties}) == 1,
        ),
    )


def rows(result: NetworkResult) -> list[dict[str, Any]]:
    out = [
        {
            "consequence": "network",
            "item": "system",
            "measure": "direct_ties_gained",
            "baseline": 0.0,
            "scenario": float(len(result.direct_gained)),
            "delta": float(len(result.direct_gained)),
            "lo": None,
            "hi": None,
        },
        {
            "consequence": "network",
            "item": "system",
            "measure": "direct_ties_lost",
            "baseline": 0.0,
            "scenario": float(len(result.direct_lost)),
            "delta": float(len(result.direct_lost)),
            "lo": None,
            "hi": None,
        },
        {
            "consequence": "network",
            "item": "system",
            "measure": "indirect_ties_gained",
            "baseline": 0.0,
            "scenario": float(result.n_indirect_gained),
            "delta": float(result.n_indirect_gained),
            "lo": None,
            "hi": None,
        },
        {
            "consequence": "network",
            "item": "system",
            "measure": "indirect_ties_lost",
            "baseline": 0.0,
            "scenario": float(result.n_indirect_lost),
            "delta": float(result.n_indirect_lost),
            "lo": None,
            "hi": None,
        },
    ]
    mb, ms = result.modularity
    out.append(
        {
            "consequence": "network",
            "item": "system",
            "measure": "modularity",
            "baseline": mb,
            "scenario": ms,
            "delta": None if mb is None or ms is None else ms - mb,
            "lo": None,
            "hi": None,
        }
    )
    for p in result.parties:
        for k in ("degree", "betweenness", "eigenvector"):
            b, s = getattr(p, k)
            out.append(
                {
                    "consequence": "network",
                    "item": str(p.ccode),
                    "measure": k,
                    "baseline": float(b),
                    "scenario": float(s),
                    "delta": float(s - b),
                    "lo": None,
                    "hi": None,
                }
            )
    return out
