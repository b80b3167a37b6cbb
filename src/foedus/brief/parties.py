"""The brief's parties: each state's capabilities and nuclear forces over time, the pledges
between the parties in the year, and their principal rivals (the default opponents of the
brief's scenario).

Principal rivals are the states in a strategic rivalry (Thompson, Sakuwa & Suhas; TSS) with
any party in the year — in TSS's last year once its data end — that are not parties
themselves, the strongest first by CINC share. docs/brief.md, "The parties".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus import countries, validate
from foedus.measures.power import NMC_DATASETS, NUCLEAR_DATASET, nuclear_forces, system_shares
from foedus.panels.rivalries import COVERAGE as RIVALRY_COVERAGE
from foedus.panels.rivalries import rivalry_dyad_years
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
    ties = []
    ps = sorted(codes)
    in_year = min(year, world.last_year)
    now = {p: world.ties(p).filter(pl.col("year") == in_year) for p in PLEDGES}
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
        "capabilities_through": hi,
        "warheads_through": nhi,
        "how": "foedus.measures.power.system_shares, foedus.measures.power.nuclear_forces, "
        "foedus.world.World.ties",
    }
