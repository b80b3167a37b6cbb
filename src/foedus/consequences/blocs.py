"""Blocs: capability shares, polarity and the nuclear balance, baseline against scenario.

The system's *blocs* are the communities of a year's defence network found by greedy
modularity maximisation (Clauset, Newman & Moore 2004; as :mod:`foedus.measures.network`
codes them), a state without a defence pledge being a bloc of its own. (Connected components
are too coarse: chains of pledges join most of the world into one.) For each world: every
bloc's share of the system's capabilities (NMC CINC, renormalised to sum to 1) and warheads
(FAS), the number of poles (blocs holding at least 10% of capabilities), the concentration of
capabilities over blocs (Ray & Singer's CON and the HHI); and each party's *bloc*: the state
and its direct defence allies in that world (a pact between two parties puts each in the
other's bloc), the first party's and the first opponent's reported in full, with their
capability shares and warheads. These are accounting identities on the data: exact, with no sampling
interval. Past NMC's or the warhead file's last year each state's last value is carried
forward and the result says so. Rules and citations: docs/consequences.md, "Blocs and
polarity".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from foedus import validate
from foedus.measures import network as net
from foedus.measures import power
from foedus.world import World

#: A bloc holding at least this share of the system's capabilities is a pole.
POLE_SHARE = power.POLE_SHARE


@dataclass(frozen=True)
class BlocView:
    """The blocs of one world in one year."""

    n_blocs: int
    n_poles: int
    con: float | None
    hhi: float
    largest_share: float
    #: the first party and its direct defence allies
    parties_bloc: list[int]
    parties_share: float
    parties_warheads: int
    opponents_bloc: list[int]
    opponents_share: float | None
    opponents_warheads: int | None
    #: the poles: member list, capability share, warheads
    poles: list[dict[str, Any]]
    #: each party's bloc: ccode, members, share, warheads
    party_blocs: list[dict[str, Any]]


@dataclass(frozen=True)
class BlocResult:
    """Blocs under baseline and scenario, and what changed."""

    year: int
    baseline: BlocView
    scenario: BlocView
    carried: list[str]
    note: str = "exact accounting on the data: no sampling interval"

    def deltas(self) -> dict[str, float | int | None]:
        b, s = self.baseline, self.scenario
        out: dict[str, float | int | None] = {}
        for k in ("n_blocs", "n_poles", "con", "hhi", "largest_share", "parties_share"):
            x, y = getattr(b, k), getattr(s, k)
            out[k] = None if x is None or y is None else y - x
        out["parties_warheads"] = s.parties_warheads - b.parties_warheads
        if b.opponents_share is not None and s.opponents_share is not None:
            out["opponents_share"] = s.opponents_share - b.opponents_share
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "baseline": asdict(self.baseline),
            "scenario": asdict(self.scenario),
            "delta": self.deltas(),
            "carried": self.carried,
            "note": self.note,
        }


def _carried_year(year: int, dataset: str) -> tuple[int, bool]:
    last = validate.coverage(dataset)[1]
    return (last, True) if year > last else (year, False)


def capability_shares(year: int, world: World) -> tuple[dict[int, float], bool]:
    """``ccode -> renormalised CINC share`` of ``year`` (the last NMC year past its end) with
    the world's capability changes; and whether it was carried forward."""
    y, carried = _carried_year(year, power.NMC_DATASETS["7.0"])
    s = power.system_shares(y, world=world).drop_nulls("cinc_share")
    return dict(zip(s["ccode"].to_list(), s["cinc_share"].to_list(), strict=True)), carried


def warheads(year: int, world: World) -> tuple[dict[int, int], bool]:
    """``ccode -> warheads`` of ``year`` (the file's last year past its end), world's changes."""
    y, carried = _carried_year(year, power.NUCLEAR_DATASET)
    w = power.nuclear_forces(y, world=world).drop_nulls("warheads")
    return dict(zip(w["ccode"].to_list(), w["warheads"].to_list(), strict=True)), carried


def communities(g: nx.Graph) -> list[list[int]]:
    """The defence blocs of a year's graph: modularity communities of the states with a
    pledge, and every other state alone; largest first."""
    core = g.subgraph([v for v in g if g.degree(v) > 0])
    comms = (
        [sorted(c) for c in nx.community.greedy_modularity_communities(core)]
        if core.number_of_edges()
        else []
    )
    comms += [[v] for v in g if g.degree(v) == 0]
    return sorted(comms, key=lambda c: (-len(c), c[0]))


def _bloc_of(g: nx.Graph, states: Sequence[int]) -> list[int]:
    """The states and their direct defence allies."""
    out = {s for s in states if s in g}
    for s in list(out):
        out.update(g.neighbors(s))
    return sorted(out)


def bloc_view(
    world: World,
    year: int,
    parties: Sequence[int],
    opponents: Sequence[int] = (),
    shares: dict[int, float] | None = None,
    heads: dict[int, int] | None = None,
) -> BlocView:
    """The blocs of ``world`` in ``year`` (see the module docstring)."""
    if shares is None:
        shares, _ = capability_shares(year, world)
    if heads is None:
        heads, _ = warheads(year, world)
    g = net.alliance_graph(year, "defense", world=world)
    comps = communities(g)
    share = np.array([sum(shares.get(c, 0.0) for c in comp) for comp in comps])
    nukes = [sum(heads.get(c, 0) for c in comp) for comp in comps]
    total = share.sum()
    s = share / total if total > 0 else share
    pb, ob = _bloc_of(g, parties[:1]), _bloc_of(g, opponents[:1])

    def bshare(members: Sequence[int]) -> float:
        return float(sum(shares.get(c, 0.0) for c in members) / total) if total > 0 else 0.0

    party_blocs = []
    for p in parties:
        m = _bloc_of(g, [p])
        party_blocs.append(
            {
                "ccode": p,
                "members": m,
                "share": bshare(m),
                "warheads": sum(heads.get(c, 0) for c in m),
            }
        )
    n = int((s > 0).sum())
    hhi = float((s**2).sum())
    con = float(np.sqrt(max(hhi - 1 / n, 0.0) / (1 - 1 / n))) if n > 1 else None
    poles = [
        {"members": comps[i], "share": float(s[i]), "warheads": int(nukes[i])}
        for i in np.argsort(-s)
        if s[i] >= POLE_SHARE - 1e-9
    ]
    return BlocView(
        n_blocs=len(comps),
        n_poles=len(poles),
        con=con,
        hhi=hhi,
        largest_share=float(s.max()) if len(s) else 0.0,
        parties_bloc=pb,
        parties_share=bshare(pb),
        parties_warheads=sum(heads.get(c, 0) for c in pb),
        opponents_bloc=ob,
        opponents_share=(bshare(ob) if ob else None),
        opponents_warheads=sum(heads.get(c, 0) for c in ob) if ob else None,
        poles=poles,
        party_blocs=party_blocs,
    )


def bloc_consequences(
    baseline: World,
    scenario: World,
    year: int,
    parties: Sequence[int],
    opponents: Sequence[int] = (),
) -> BlocResult:
    """Blocs of both worlds in ``year``; capability and warhead changes of the scenario
    apply to its own view."""
    year = scenario.check_year(year)
    sb, c1 = capability_shares(year, baseline)
    ss, _ = capability_shares(year, scenario)
    hb, c2 = warheads(year, baseline)
    hs, _ = warheads(year, scenario)
    carried = []
    if c1:
        carried.append(f"capabilities: NMC {validate.coverage('ps-cow-nmc')[1]}")
    if c2:
        carried.append(f"warheads: FAS {validate.coverage('nuclear-warheads')[1]}")
    return BlocResult(
        year=year,
        baseline=bloc_view(baseline, year, parties, opponents, sb, hb),
        scenario=bloc_view(scenario, year, parties, opponents, ss, hs),
        carried=carried,
    )


def rows(result: BlocResult) -> list[dict[str, Any]]:
    """Long rows (measure, baseline, scenario, delta) for tables and Parquet."""
    d = result.deltas()
    out = []
    for k, v in d.items():
        out.append(
            {
                "consequence": "blocs",
                "item": "system"
                if k in ("n_blocs", "n_poles", "con", "hhi", "largest_share")
                else "parties"
                if k.startswith("parties")
                else "opponents",
                "measure": k,
                "baseline": _num(getattr(result.baseline, k)),
                "scenario": _num(getattr(result.scenario, k)),
                "delta": _num(v),
                "lo": None,
                "hi": None,
            }
        )
    return out


def _num(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


__all__ = ["BlocResult", "BlocView", "bloc_consequences", "bloc_view", "communities", "rows"]
