"""Expected utility of war (Bueno de Mesquita's War Trap) for chosen dyads, baseline against
scenario, with each third party's contribution to the change.

For a directed pair (challenger i, target j) in the scenario's year: E(U)_ij under both worlds
(:func:`foedus.measures.expected_utility.war_trap`'s rules, global third parties; and
regional, EUGene's relevant region), its bilateral part and the third parties whose terms
changed most. The War Trap is deterministic given its inputs; the interval reported is the
range over the four alliance-portfolio utilities (tau-b, S, weighted S, kappa), a
sensitivity range, not a sampling interval. Rules: docs/consequences.md, "Expected utility
of war".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from foedus.errors import InvalidArgumentError
from foedus.measures.expected_utility import (
    UTILITIES,
    YearInputs,
    third_party_terms,
    year_inputs,
)
from foedus.measures.similarity import pair_measures, region_of
from foedus.world import World

#: Third parties listed per dyad (largest change first).
TOP_THIRD = 5


@dataclass(frozen=True)
class DyadEU:
    """One directed dyad's expected utility of war under both worlds."""

    challenger: int
    target: int
    baseline: float | None
    scenario: float | None
    delta: float | None
    #: the range of the delta over the four utility measures
    delta_lo: float | None
    delta_hi: float | None
    regional_baseline: float | None
    regional_scenario: float | None
    bilateral_delta: float | None
    #: the third parties whose terms changed most: ccode, baseline, scenario, delta
    third_parties: list[dict[str, float | int]]


@dataclass(frozen=True)
class WarTrapResult:
    year: int
    utility: str
    dyads: list[DyadEU]
    note: str = (
        "War Trap expected utility (Bueno de Mesquita 1981) with tau-b utilities; the interval "
        "is the range over tau-b, S, weighted S and kappa utilities (sensitivity, not sampling)"
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "utility": self.utility,
            "dyads": [asdict(d) for d in self.dyads],
            "note": self.note,
        }


def _inputs(world: World, year: int) -> YearInputs:
    return next(iter(year_inputs((year, year), world=world)))


def _f(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _eu(yi: YearInputs, u: np.ndarray, i: int, j: int, third: np.ndarray | None = None):
    bil, terms = third_party_terms(yi.cinc, yi.miles, u, yi.year, i, j)
    if third is not None:
        terms = np.where(third, terms, 0.0)
    return bil, terms


def war_trap_consequences(
    baseline: World, scenario: World, year: int, dyads: Sequence[tuple[int, int]]
) -> WarTrapResult:
    """E(U) of war for each directed dyad (challenger, target) in ``year`` (see the module
    docstring). Dyads with a state that is not a system member that year are refused."""
    year = scenario.check_year(year)
    yb, ys = _inputs(baseline, year), _inputs(scenario, year)
    pos = {int(c): k for k, c in enumerate(yb.codes)}
    for a, b in dyads:
        for c in (a, b):
            if c not in pos:
                raise InvalidArgumentError(
                    "dyads",
                    f"COW {c} is not a system member in {year}",
                    "give dyads of states that exist in the scenario's year.",
                )
    ub = pair_measures(yb.x, 4, yb.cinc, UTILITIES)
    us = pair_measures(ys.x, 4, ys.cinc, UTILITIES)
    region = region_of(yb.codes)
    out = []
    for a, b in dyads:
        i, j = pos[a], pos[b]
        sums = {}
        for m in UTILITIES:
            bb, tb = _eu(yb, ub[m], i, j)
            bs, ts = _eu(ys, us[m], i, j)
            sums[m] = (bb + tb.sum(), bs + ts.sum())
            if m == "taub":
                bil = (bb, bs)
                terms = (tb, ts)
        # regional: the target's region if the challenger is involved there, else its own
        involved_there = region[i] == region[j] or bool(yb.is_major[i])
        r = region[j] if involved_there else region[i]
        inv = (region == r) | yb.is_major
        urb = pair_measures(yb.x, 4, yb.cinc, ["taub"], partners=inv)["taub"]
        urs = pair_measures(ys.x, 4, ys.cinc, ["taub"], partners=inv)["taub"]
        rb, rtb = _eu(yb, urb, i, j, inv)
        rs, rts = _eu(ys, urs, i, j, inv)
        d = [s - b_ for b_, s in sums.values()]
        dd = terms[1] - terms[0]
        order = np.argsort(-np.abs(dd))[:TOP_THIRD]
        third = [
            {
                "ccode": int(yb.codes[k]),
                "baseline": float(terms[0][k]),
                "scenario": float(terms[1][k]),
                "delta": float(dd[k]),
            }
            for k in order
            if abs(dd[k]) > 1e-12
        ]
        base, scen = sums["taub"]
        out.append(
            DyadEU(
                challenger=a,
                target=b,
                baseline=_f(base),
                scenario=_f(scen),
                delta=_f(scen - base),
                delta_lo=_f(float(np.nanmin(d))) if np.isfinite(d).any() else None,
                delta_hi=_f(float(np.nanmax(d))) if np.isfinite(d).any() else None,
                regional_baseline=_f(rb + rtb.sum()),
                regional_scenario=_f(rs + rts.sum()),
                bilateral_delta=_f(bil[1] - bil[0]),
                third_parties=third,
            )
        )
    return WarTrapResult(year=year, utility="taub", dyads=out)


def rows(result: WarTrapResult) -> list[dict[str, Any]]:
    out = []
    for d in result.dyads:
        item = f"{d.challenger}->{d.target}"
        out.append(
            {
                "consequence": "war_trap",
                "item": item,
                "measure": "eu_war_trap",
                "baseline": d.baseline,
                "scenario": d.scenario,
                "delta": d.delta,
                "lo": d.delta_lo,
                "hi": d.delta_hi,
            }
        )
        rd = (
            None
            if d.regional_baseline is None or d.regional_scenario is None
            else d.regional_scenario - d.regional_baseline
        )
        out.append(
            {
                "consequence": "war_trap",
                "item": item,
                "measure": "eu_war_trap_regional",
                "baseline": d.regional_baseline,
                "scenario": d.regional_scenario,
                "delta": rd,
                "lo": None,
                "hi": None,
            }
        )
    return out
