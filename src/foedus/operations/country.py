"""Country look-up as an operation: names and codes resolved to COW states, with their spells
of system membership and major-power status (``foedus country`` renders it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from foedus import countries

__all__ = ["look_up"]


def _spell(sp: countries.Spell) -> dict[str, Any]:
    # "ongoing": the spell runs to the last day of the source list and is assumed to continue
    return {"start": sp.start.isoformat(), "end": sp.end.isoformat(), "ongoing": sp.open_ended}


def look_up(queries: Sequence[str | int], year: int | None = None) -> list[dict[str, Any]]:
    """Each query resolved (as of ``year``, if given): codes, names, how it matched, the
    membership and major-power spells, and for ``year`` whether it was a member, a major power
    and its Gleditsch-Ward code. Plain JSON types."""
    idx = countries.index()
    results = []
    for q in queries:
        r = idx.resolve(q, year)
        s = r.state
        item: dict[str, Any] = {
            "query": q,
            "ccode": s.ccode,
            "abb": s.abb,
            "name": s.name,
            "cow_name": s.cow_name,
            "iso3": s.iso3,
            "matched_by": r.matched,
            "note": r.note,
            "membership": [_spell(sp) for sp in s.spells],
            "major_power": [_spell(sp) for sp in s.major_spells],
        }
        if year is not None:
            item |= {
                "year": year,
                "member": s.member_in(year),
                "major": s.major_in(year),
                "gwcode": idx.cow_to_gw(s.ccode, year),
            }
        results.append(item)
    return results
