"""The alliance network: graphs per year and pledge type, centrality, blocs, shared allies.

Coding rules
------------
* **Ties.** In year *t* two system members are linked if an ATOP 5.1 alliance in force that
  year carries the chosen pledge between them in either direction (``pledge="defense"``
  default; ``"offense"``, ``"neutral"``, ``"nonagg"``, ``"consul"`` or ``"any"``), or, with
  ``source="cow"``, a COW v4.1 alliance of that type (``"defense"``, ``"neutrality"``,
  ``"nonaggression"``, ``"entente"``, ``"any"``). The graph is undirected; every system member
  of the year is a node, allied or not.
* **State-year statistics** (:func:`network_stats`): ``degree`` (number of allies),
  ``degree_centrality`` (degree / (N - 1)), ``betweenness`` (normalised over all N nodes;
  Brandes' algorithm), ``eigenvector`` (the leading eigenvector of each connected component's
  adjacency matrix, unit length, scaled by the component's share of the nodes; 0 for
  isolates), and ``bloc``: the community by greedy modularity maximisation (Clauset, Newman &
  Moore 2004), numbered by size (0 = largest); isolates get null. Community numbers are not
  comparable across years.
* **Shared allies** (:func:`shared_allies`): for each pair, the number of third states allied
  to both (a closed-triangle term of network models of alliance formation; Cranmer,
  Desmarais & Kirkland 2012).
* Years outside the source's catalog coverage raise an error rather than return an empty
  graph.
* **The world.** With ``source="atop"`` the ties come from a :class:`foedus.world.World`
  (``world=``; default today's data, ATOP 5.1), so a scenario's pledges are in the graph; its
  years bound the years a graph may have.

Graphs are :mod:`networkx` graphs; :func:`export_graph` writes GraphML or node-link JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import polars as pl

from foedus import files, validate
from foedus.errors import InvalidArgumentError
from foedus.jsonout import strict_json
from foedus.world import World, check_world

Source = Literal["atop", "cow"]
PLEDGES = {
    "atop": {
        "defense": ["atop_defense"],
        "offense": ["atop_offense"],
        "neutral": ["atop_neutral"],
        "nonagg": ["atop_nonagg"],
        "consul": ["atop_consul"],
        "any": ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"],
    },
    "cow": {
        "defense": ["cow_defense"],
        "neutrality": ["cow_neutrality"],
        "nonaggression": ["cow_nonaggression"],
        "entente": ["cow_entente"],
        "any": ["cow_defense", "cow_neutrality", "cow_nonaggression", "cow_entente"],
    },
}


def _check(source: object, pledge: object) -> tuple[Source, str]:
    """``source`` and one of its pledges (see the module docstring)."""
    src = validate.choice(source, "source", tuple(PLEDGES))
    return src, validate.choice(pledge, "pledge", tuple(PLEDGES[src]))  # type: ignore[return-value]


def _year(source: Source, year: object, name: str = "year", world: World | None = None) -> int:
    """A year inside the world (ATOP) or the catalog coverage of COW's alliances."""
    from foedus.measures.similarity import DATASETS

    if world is not None:
        return world.check_year(year, name)
    lo, hi = validate.coverage(DATASETS[source])
    why = f"the {source.upper()} alliance data cover {lo}-{hi}"
    return validate.year(year, name, lo=lo, hi=hi, lo_reason=why, hi_reason=why)


def _years(source: Source, years: object, world: World | None = None) -> tuple[int, int]:
    from foedus.measures.similarity import check_years

    if years is None:
        raise InvalidArgumentError(
            "years", "years is required", "pass (first, last), e.g. years=(1946, 2018)."
        )
    return check_years(years, source, world=world)


def _ties(ties: object) -> pl.DataFrame:
    return validate.frame(ties, "ties", columns=("ccode1", "ccode2", "year"))


def alliance_ties(
    source: Source = "atop", pledge: str = "defense", *, world: World | None = None
) -> pl.DataFrame:
    """Undirected ties ``ccode1 < ccode2, year`` carrying ``pledge`` in either direction
    (ATOP: in ``world``, default today's data)."""
    source, pledge = _check(source, pledge)
    w = check_world(source, world)
    if w is not None:
        return w.ties(pledge)
    from foedus.panels.alliances import cow_alliance_dyad_years

    cols = PLEDGES[source][pledge]
    d = cow_alliance_dyad_years()
    lo, hi = pl.min_horizontal("ccode1", "ccode2"), pl.max_horizontal("ccode1", "ccode2")
    return (
        d.filter(pl.any_horizontal([pl.col(c) > 0 for c in cols]))
        .select(lo.alias("ccode1"), hi.alias("ccode2"), "year")
        .filter(pl.col("ccode1") != pl.col("ccode2"))
        .unique()
        .sort("year", "ccode1", "ccode2")
    )


def alliance_graph(
    year: int,
    pledge: str = "defense",
    source: Source = "atop",
    *,
    ties: pl.DataFrame | None = None,
    members: list[int] | None = None,
    world: World | None = None,
) -> nx.Graph:
    """The alliance network of ``year``: every COW system member a node, ties as coded.

    ``ties`` (from :func:`alliance_ties`) and ``members`` may be passed in to build many years
    without reloading them. ``year`` must lie inside the world's years (ATOP; default today's
    data) or COW's catalog coverage.
    """

    source, pledge = _check(source, pledge)
    w = check_world(source, world)
    year = _year(source, year, world=w)
    if w is not None and ties is None and members is None:  # a world's graphs are kept
        g = w.cached(f"graph:{year}:{pledge}", lambda: _build_graph(year, pledge, source, w))
        return g.copy()
    return _build_graph(year, pledge, source, w, ties, members)


def _build_graph(
    year: int,
    pledge: str,
    source: Source,
    w: World | None,
    ties: pl.DataFrame | None = None,
    members: list[int] | None = None,
) -> nx.Graph:
    from foedus import countries
    from foedus.panels import state_years

    if ties is not None:
        ties = _ties(ties)
    if members is not None:
        members = [
            validate.integer(m, "members", lo=0, hi=999, hint="give COW codes as ints, e.g. 2.")
            for m in _code_list(members)
        ]
    if members is None:
        members = state_years(years=max(year, 1816)).get_column("ccode").to_list()
    if ties is None:
        ties = alliance_ties(source, pledge, world=w)
    ties = ties.filter(pl.col("year") == year)
    g = nx.Graph(year=year, pledge=pledge, source=source)
    idx = countries.index()
    for c in members:
        st = idx.states.get(c)
        g.add_node(c, name=st.name if st else str(c), abb=st.abb if st else "")
    present = set(members)
    g.add_edges_from(
        (a, b)
        for a, b in ties.select("ccode1", "ccode2").iter_rows()
        if a in present and b in present
    )
    return g


def _code_list(value: object, name: str = "members") -> list:
    """``value`` as a list, if it is a list-like of items (not text, not a mapping)."""
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
        raise InvalidArgumentError(
            name,
            f"{name} must be a list of COW codes, not {type(value).__name__}",
            f"pass e.g. {name}=[2, 20, 200].",
        )
    return list(value)  # type: ignore[call-overload]


def _graph(g: object) -> nx.Graph:
    if not isinstance(g, nx.Graph):
        raise InvalidArgumentError(
            "g",
            f"g must be a networkx graph, not {type(g).__name__}",
            "build one with alliance_graph(year).",
        )
    return g


def graph_stats(g: nx.Graph) -> pl.DataFrame:
    """State statistics of one graph (see the module docstring)."""
    g = _graph(g)
    n = g.number_of_nodes()
    deg = dict(g.degree())
    btw = nx.betweenness_centrality(g, normalized=True) if n > 2 else dict.fromkeys(g, 0.0)
    eig = dict.fromkeys(g, 0.0)
    for comp in nx.connected_components(g):
        if len(comp) > 1:
            nodes_c = sorted(comp)
            adj = nx.to_numpy_array(g, nodelist=nodes_c)
            _, vecs = np.linalg.eigh(adj)  # symmetric: the last vector is the leading one
            lead = np.abs(vecs[:, -1])
            share = len(comp) / n  # scale so components are comparable within the year
            eig.update({k: float(v) * share for k, v in zip(nodes_c, lead, strict=True)})
    blocs: dict[int, int] = {}
    core = g.subgraph([v for v in g if deg[v] > 0])
    if core.number_of_edges():
        comms = sorted(nx.community.greedy_modularity_communities(core), key=len, reverse=True)
        for i, comm in enumerate(comms):
            blocs.update(dict.fromkeys(comm, i))
    nodes = sorted(g)
    return pl.DataFrame(
        {
            "ccode": nodes,
            "degree": [deg[v] for v in nodes],
            "degree_centrality": [deg[v] / (n - 1) if n > 1 else 0.0 for v in nodes],
            "betweenness": [btw[v] for v in nodes],
            "eigenvector": [eig[v] for v in nodes],
            "bloc": [blocs.get(v) for v in nodes],
        },
        schema_overrides={"ccode": pl.Int32, "degree": pl.Int32, "bloc": pl.Int32},
    )


def network_stats(
    years: tuple[int, int],
    pledge: str = "defense",
    source: Source = "atop",
    *,
    world: World | None = None,
) -> pl.DataFrame:
    """``ccode, year`` and the graph statistics for every system member in ``years``
    (``(first, last)`` or one year, inside the world's years or COW's coverage)."""
    from foedus.panels import state_years

    source, pledge = _check(source, pledge)
    w = check_world(source, world)
    years = _years(source, years, world=w)
    ties = alliance_ties(source, pledge, world=w)
    sy = state_years(years=(max(years[0], 1816), years[1]))
    frames = []
    for y in range(years[0], years[1] + 1):
        members = sy.filter(pl.col("year") == y).get_column("ccode").to_list()
        g = alliance_graph(y, pledge, source, ties=ties, members=members, world=w)
        frames.append(graph_stats(g).with_columns(year=pl.lit(y, dtype=pl.Int32)))
    return pl.concat(frames).select("ccode", "year", pl.exclude("ccode", "year"))


def shared_allies(
    pledge: str = "defense", source: Source = "atop", *, world: World | None = None
) -> pl.DataFrame:
    """Dyad-years (``ccode1 < ccode2``) with at least one common ally: ``shared_allies``."""
    return shared_allies_from_ties(alliance_ties(source, pledge, world=world))


def shared_allies_from_ties(ties: pl.DataFrame) -> pl.DataFrame:
    """``ccode1, ccode2, year, shared_allies`` from any undirected ties ``ccode1, ccode2,
    year`` (e.g. an alliance state extended past the data's end)."""
    from foedus.measures.threat import pairs_through

    ties = _ties(ties)
    links = pl.concat(
        [
            ties.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("k"), "year"),
            ties.select(pl.col("ccode2").alias("a"), pl.col("ccode1").alias("k"), "year"),
        ]
    )
    return pairs_through(links, "shared_allies")


def ego_network(
    state: int | str,
    year: int,
    pledge: str = "defense",
    source: Source = "atop",
    radius: int = 1,
    *,
    world: World | None = None,
) -> nx.Graph:
    """The state, its allies (and theirs, with ``radius=2``) and the ties among them."""
    from foedus import countries

    state = validate.state(state, "state")
    source, pledge = _check(source, pledge)
    w = check_world(source, world)
    year = _year(source, year, world=w)
    radius = validate.integer(radius, "radius", lo=0, hint="use radius=1 (allies) or 2.")
    c = countries.ccode(state, year)
    return nx.ego_graph(alliance_graph(year, pledge, source, world=w), c, radius=radius)


#: The file formats :func:`export_graph` writes, by extension.
GRAPH_FORMATS = {".graphml": "GraphML", ".json": "node-link JSON"}


def export_graph(g: nx.Graph, path: str | Path) -> Path:
    """Write ``g`` as GraphML (``.graphml``) or node-link JSON (``.json``)."""
    g = _graph(g)
    if not isinstance(path, str | Path):
        raise InvalidArgumentError(
            "path",
            f"path must be a file name, not {type(path).__name__}",
            "pass e.g. 'alliances.graphml'.",
        )
    p = files.check_output_file(path, suffixes=GRAPH_FORMATS, what="the graph")
    if p.suffix.lower() == ".graphml":
        return files.write_with(p, lambda tmp: nx.write_graphml(g, tmp))
    return files.write_text(p, strict_json(nx.node_link_data(g, edges="edges"), indent=1))
