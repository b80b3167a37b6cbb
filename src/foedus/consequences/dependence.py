"""Dependence and asymmetry inside a bloc: who needs whom.

For the scenario's parties in its year: each party's share of the parties' combined
capabilities (CINC), military expenditure, GDP (isard's PWT-based estimate) and warheads, and
its *capability gain* - the capabilities of the state and its direct defence allies divided by
its own, in the baseline and in the scenario (how much the alliance network adds to what the
state has). In an asymmetric alliance (Morrow 1991) the weaker side gains security and the
stronger autonomy: the party whose gain the scenario raises most depends most on the others.
Exact accounting on the data; past a source's last year its last value is carried forward.
Rules: docs/consequences.md, "Dependence and asymmetry".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from foedus import validate
from foedus.measures import network as net
from foedus.measures import power
from foedus.world import World

GDP_DATASET = "isard-cw-gdppop"


@dataclass(frozen=True)
class PartyShare:
    ccode: int
    cinc: float | None
    cinc_share: float | None
    milex_share: float | None
    gdp_share: float | None
    warheads_share: float | None
    gain_baseline: float | None
    gain_scenario: float | None


@dataclass(frozen=True)
class DependenceResult:
    year: int
    parties: list[PartyShare]
    #: stronger / weaker CINC among the parties, and Morrow's asymmetry by the 3:1 rule
    cinc_ratio: float | None
    asymmetric: bool | None
    #: the party whose capability gain rises most in the scenario
    most_dependent: int | None
    carried: list[str]
    note: str = "exact accounting on the data: no sampling interval"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parties"] = [asdict(p) for p in self.parties]
        return d


def _year(year: int, dataset: str, carried: list[str], what: str) -> int:
    last = validate.coverage(dataset)[1]
    if year > last:
        carried.append(f"{what}: {last}")
        return last
    return year


def _shares(values: dict[int, float | None], parties: Sequence[int]) -> dict[int, float | None]:
    known = [values.get(p) for p in parties]
    if any(v is None for v in known):
        return dict.fromkeys(parties)
    tot = sum(v for v in known if v is not None)
    return {p: (values[p] or 0.0) / tot if tot > 0 else None for p in parties}  # type: ignore[operator]


def dependence(
    baseline: World, scenario: World, year: int, parties: Sequence[int]
) -> DependenceResult:
    """Shares and capability gains of ``parties`` in ``year`` (see the module docstring)."""
    from foedus.panels import add_gdp, state_years

    year = scenario.check_year(year)
    carried: list[str] = []
    y_nmc = _year(year, power.NMC_DATASETS["7.0"], carried, "capabilities: NMC")
    cap_s = power.system_shares(y_nmc, world=scenario)
    cap_b = power.system_shares(y_nmc, world=baseline)
    cinc_s = dict(zip(cap_s["ccode"].to_list(), cap_s["cinc"].to_list(), strict=True))
    cinc_b = dict(zip(cap_b["ccode"].to_list(), cap_b["cinc"].to_list(), strict=True))
    milex = dict(zip(cap_s["ccode"].to_list(), cap_s["milex"].to_list(), strict=True))
    y_gdp = _year(year, GDP_DATASET, carried, "GDP: isard")
    g = add_gdp(state_years(years=y_gdp), keep="pwtrgdp")
    gdp = dict(zip(g["ccode"].to_list(), g["pwtrgdp"].to_list(), strict=True))
    y_nuc = _year(year, power.NUCLEAR_DATASET, carried, "warheads: FAS")
    w = power.nuclear_forces(y_nuc, world=scenario)
    heads = dict(zip(w["ccode"].to_list(), w["warheads"].to_list(), strict=True))
    heads_p = {p: float(heads.get(p, 0)) for p in parties}
    gb = net.alliance_graph(year, "defense", world=baseline)
    gs = net.alliance_graph(year, "defense", world=scenario)

    def gain(g_, cinc: dict[int, float], p: int) -> float | None:
        own = cinc.get(p)
        if not own:
            return None
        allies = [a for a in g_.neighbors(p)] if p in g_ else []
        return (own + sum(cinc.get(a) or 0.0 for a in allies)) / own

    cs = _shares({p: cinc_s.get(p) for p in parties}, parties)
    ms = _shares({p: milex.get(p) for p in parties}, parties)
    gs_ = _shares({p: gdp.get(p) for p in parties}, parties)
    hs = _shares(heads_p, parties) if sum(heads_p.values()) > 0 else dict.fromkeys(parties)
    rows = [
        PartyShare(
            ccode=p,
            cinc=cinc_s.get(p),
            cinc_share=cs[p],
            milex_share=ms[p],
            gdp_share=gs_[p],
            warheads_share=hs[p],
            gain_baseline=gain(gb, cinc_b, p),
            gain_scenario=gain(gs, cinc_s, p),
        )
        for p in parties
    ]
    vals = [cinc_s.get(p) for p in parties]
    ratio = asym = None
    if all(v is not None for v in vals) and len(vals) >= 2 and min(vals) > 0:  # type: ignore[type-var]
        ratio = max(vals) / min(vals)  # type: ignore[type-var,operator]
        asym = ratio >= power.ASYMMETRY_RATIO - 1e-9
    rises = [
        (r.gain_scenario - r.gain_baseline, r.ccode)
        for r in rows
        if r.gain_scenario is not None and r.gain_baseline is not None
    ]
    most = max(rises)[1] if rises and max(rises)[0] > 1e-12 else None
    return DependenceResult(
        year=year,
        parties=rows,
        cinc_ratio=ratio,
        asymmetric=asym,
        most_dependent=most,
        carried=carried,
    )


def rows(result: DependenceResult) -> list[dict[str, Any]]:
    out = []
    for p in result.parties:
        d = (
            None
            if p.gain_baseline is None or p.gain_scenario is None
            else (p.gain_scenario - p.gain_baseline)
        )
        out.append(
            {
                "consequence": "dependence",
                "item": str(p.ccode),
                "measure": "capability_gain",
                "baseline": p.gain_baseline,
                "scenario": p.gain_scenario,
                "delta": d,
                "lo": None,
                "hi": None,
            }
        )
    return out
