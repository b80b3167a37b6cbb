"""The alliance network of one year as an operation: its states and ties as plain JSON types,
for the web app's network explorer and anyone who wants the graph without networkx.
The graph is :func:`foedus.measures.network.alliance_graph`'s (docs/foundations.md, "The
alliance network")."""

from __future__ import annotations

from typing import Any

from foedus.measures.network import PLEDGES, alliance_graph

__all__ = ["network_view"]


def network_view(year: int, pledge: str = "defense", source: str = "atop") -> dict[str, Any]:
    """Every system member of ``year`` (``ccode``, ``abb``, ``name``, ``degree``: its number of
    ties) and every tie carrying ``pledge`` (``[a, b]`` with ``a < b``) in ``source`` (ATOP's
    pledges, or the COW alliance types), with the counts. Arguments are checked as
    :func:`~foedus.measures.network.alliance_graph` checks them."""
    g = alliance_graph(year, pledge, source)
    nodes = [
        {"ccode": c, "abb": d.get("abb", ""), "name": d.get("name", str(c)), "degree": g.degree(c)}
        for c, d in sorted(g.nodes(data=True))
    ]
    edges = sorted([min(a, b), max(a, b)] for a, b in g.edges())
    return {
        "year": g.graph["year"],
        "pledge": g.graph["pledge"],
        "source": g.graph["source"],
        "pledges": list(PLEDGES[g.graph["source"]]),
        "n_states": len(nodes),
        "n_ties": len(edges),
        "nodes": nodes,
        "edges": edges,
        "how": f"foedus.measures.network.alliance_graph({g.graph['year']}, "
        f"{g.graph['pledge']!r}, {g.graph['source']!r})",
    }
