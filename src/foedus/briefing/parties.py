"""The brief's parties: each state's capabilities, nuclear forces, regime and wealth over
time, its pledges with states outside the parties and its place in the defence-pact network;
the pledges between the parties in the year; the parties' network neighbourhood; and their
principal rivals (the default opponents of the brief's scenario).

Principal rivals are the states in a strategic rivalry (Thompson, Sakuwa & Suhas; TSS) with
any party in the year — in TSS's last year once its data end — that are not parties
themselves, the strongest first by CINC share. docs/brief.md, "The parties".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus import countries, validate
from foedus.measures.network import alliance_graph, graph_stats
from foedus.measures.power import NMC_DATASETS, NUCLEAR_DATASET, nuclear_forces, system_shares
from foedus.panels.create import state_years
from foedus.panels.regime import add_democracy
from foedus.panels.rivalries import COVERAGE as RIVALRY_COVERAGE
from foedus.panels.rivalries import rivalry_dyad_years
from foedus.panels.wealth import add_gdp
from foedus.world import PLEDGES, World

__all__ = ["HISTORY_YEARS", "MAX_RIVALS", "parties_section", "principal_rivals"]

#: Years of capability and nuclear history shown before the brief's year.
HISTORY_YEARS = 30
#: How many principal rivals the brief takes as the pact's opponents.
MAX_RIVALS = 3


def principal_rivals(codes: Sequence[int], year: int) -> list[dict[str, Any]]:
    """The parties' strategic rivals in ``year`` (see the module docstring): ``ccode``,
    ``abb``, ``rival_of`` (the parties it is a rival of), ``cinc_share``, ``as_of`` (the TSS
    year)."""
    lo, hi = RIVALRY_COVERAGE["tss"]
    as_of = min(max(year, lo), hi)
    r = rivalry_dyad_years("tss").filter(
        (pl.col("year") == as_of) & pl.col("ccode1").is_in(list(codes))
    )
    rivals: dict[int, list[int]] = {}
    for a, b in r.select("ccode1", "ccode2").iter_rows():
        if b not in codes:
            rivals.setdefault(int(b), []).append(int(a))
    idx = countries.index()
    nmc_last = validate.coverage(NMC_DATASETS["7.0"])[1]
    share = system_shares(min(year, nmc_last)).select("ccode", "cinc_share")
    sh = dict(zip(share["ccode"].to_list(), share["cinc_share"].to_list(), strict=True))
    out = [
        {
            "ccode": c,
            "abb": idx.get(c).abb if c in idx.states else str(c),
            "rival_of": sorted(set(of)),
            "cinc_share": sh.get(c),
            "as_of": as_of,
        }
        for c, of in rivals.items()
    ]
    return sorted(out, key=lambda d: -(d["cinc_share"] or 0.0))


def parties_section(codes: Sequence[int], year: int, world: World) -> dict[str, Any]:
    """Each party's CINC share and component shares and its warheads over the
    :data:`HISTORY_YEARS` before ``year`` (to each source's last year), and the pledges in
    force between every two parties in ``year`` (from ``world``)."""
    nmc_lo, nmc_hi = validate.coverage(NMC_DATASETS["7.0"])
    lo = max(nmc_lo, year - HISTORY_YEARS)
    hi = min(year, nmc_hi)
    cap = system_shares(list(range(lo, hi + 1)) if lo <= hi else None, world=world)
    cap = cap.filter(pl.col("ccode").is_in(list(codes))).sort("ccode", "year")
    nuc_lo, nuc_hi = validate.coverage(NUCLEAR_DATASET)
    nlo, nhi = max(nuc_lo, year - HISTORY_YEARS), min(year, nuc_hi)
    nuc = (
        nuclear_forces(list(range(nlo, nhi + 1)), world=world)
        if nlo <= nhi
        else pl.DataFrame(schema={"ccode": pl.Int32, "year": pl.Int32, "warheads": pl.Int64})
    )
    nuc = nuc.filter(pl.col("ccode").is_in(list(codes))).sort("ccode", "year")
    cols = [
        "year",
        "cinc_share",
        "milex_share",
        "milper_share",
        "irst_share",
        "pec_share",
        "tpop_share",
        "upop_share",
    ]
    states = []
    for c in codes:
        states.append(
            {
                "ccode": c,
                "capabilities": cap.filter(pl.col("ccode") == c).select(cols).to_dicts(),
                "warheads": nuc.filter(pl.col("ccode") == c).select("year", "warheads").to_dicts(),
            }
        )
    in_year = min(year, world.last_year)
    now = {p: world.ties(p).filter(pl.col("year") == in_year) for p in PLEDGES}
    econ = _regime_wealth(codes, max(lo, year - HISTORY_YEARS), year)
    graph = alliance_graph(in_year, "defense", world=world)
    stats = {r["ccode"]: r for r in graph_stats(graph).iter_rows(named=True)}
    for st in states:
        c = st["ccode"]
        mine = econ.filter(pl.col("ccode") == c)
        st["regime"] = mine.select("year", "v2x_polyarchy", "polity2").to_dicts()
        st["wealth"] = mine.select("year", "mrgdppc", "pwtrgdp", "pwtpop").to_dicts()
        g = stats.get(c)
        st["network"] = {
            "year": in_year,
            "pledge": "defense",
            "degree": int(g["degree"]) if g else 0,
            "betweenness": g["betweenness"] if g else None,
            "eigenvector": g["eigenvector"] if g else None,
        }
        st["treaties"] = _treaties_with_others(c, codes, in_year, world)
    ties = []
    ps = sorted(codes)
    for i, a in enumerate(ps):
        for b in ps[i + 1 :]:
            held = [
                p
                for p, t in now.items()
                if t.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b)).height
            ]
            ties.append({"pair": [a, b], "pledges": held, "as_of": in_year})
    return {
        "states": states,
        "ties": ties,
        "neighbourhood": _neighbourhood(graph, codes, in_year),
        "capabilities_through": hi,
        "warheads_through": nhi,
        "how": "foedus.measures.power.system_shares, foedus.measures.power.nuclear_forces, "
        "foedus.panels.add_democracy, foedus.panels.add_gdp, foedus.world.World.ties, "
        "foedus.measures.network.alliance_graph, foedus.measures.network.graph_stats",
    }


def _regime_wealth(codes: Sequence[int], lo: int, hi: int) -> pl.DataFrame:
    """Democracy (V-Dem polyarchy, Polity2) and wealth (GDP per capita, GDP, population) of
    the parties' state-years ``lo`` .. ``hi`` (to the state system's last year); null where a
    source has no value (never carried forward)."""
    hi = min(hi, validate.latest_year())
    sy = state_years("cow", (lo, hi)).filter(pl.col("ccode").is_in(list(codes)))
    return (
        sy.pipe(add_democracy, keep=["v2x_polyarchy", "polity2"])
        .pipe(add_gdp, keep=["mrgdppc", "pwtrgdp", "pwtpop"])
        .sort("ccode", "year")
    )


def _treaties_with_others(
    c: int, codes: Sequence[int], year: int, world: World
) -> list[dict[str, Any]]:
    """The pledges ``c`` holds in ``year`` with each state outside the parties: the pledge
    types and ``since``, the first year of the unbroken run of years with any pledge."""
    idx = countries.index()
    anyt = world.ties("any").filter((pl.col("ccode1") == c) | (pl.col("ccode2") == c))
    anyt = anyt.with_columns(
        partner=pl.when(pl.col("ccode1") == c).then(pl.col("ccode2")).otherwise(pl.col("ccode1"))
    ).filter(~pl.col("partner").is_in(list(codes)))
    now = anyt.filter(pl.col("year") == year)["partner"].unique().sort().to_list()
    held: dict[int, list[str]] = {p: [] for p in now}
    for pledge in PLEDGES:
        t = world.ties(pledge).filter(
            (pl.col("year") == year) & ((pl.col("ccode1") == c) | (pl.col("ccode2") == c))
        )
        for a, b in t.select("ccode1", "ccode2").iter_rows():
            p = b if a == c else a
            if p in held:
                held[p].append(pledge)
    years = {
        p: set(g["year"].to_list())
        for (p,), g in anyt.filter(pl.col("partner").is_in(now)).group_by("partner")
    }
    out = []
    for p in now:
        since = year
        while since - 1 in years[p]:
            since -= 1
        out.append(
            {
                "partner": int(p),
                "abb": idx.get(p).abb if p in idx.states else str(p),
                "pledges": held[p],
                "since": since,
            }
        )
    return sorted(out, key=lambda d: ("defense" not in d["pledges"], d["since"], d["abb"]))


def _neighbourhood(graph: Any, codes: Sequence[int], year: int) -> dict[str, Any]:
    """The parties, their direct defence allies, and the defence ties among them in
    ``year``."""
    idx = countries.index()
    keep = set(codes)
    for c in codes:
        if c in graph:
            keep.update(graph.neighbors(c))
    sub = graph.subgraph(keep)
    nodes = [
        {"ccode": int(n), "abb": idx.get(n).abb if n in idx.states else str(n), "party": n in codes}
        for n in sorted(keep)
    ]
    edges = [{"a": int(min(a, b)), "b": int(max(a, b))} for a, b in sub.edges()]
    return {
        "year": year,
        "pledge": "defense",
        "nodes": nodes,
        "edges": sorted(edges, key=lambda e: (e["a"], e["b"])),
    }
