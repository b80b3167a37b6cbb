"""The default what-if of a brief: "the parties sign a pact in year Y", as a scenario.

Pairs of parties without the pledge in Y gain it (``add``). If every pair already has it, the
question turns round: what does the existing pact change? The scenario then removes it
(``remove``), and ``direction`` says so, so a report can word its consequences as "without
the pact" rather than "with a new one". The scenario runs through
:func:`foedus.scenarios.run.run_scenario` like any file's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from foedus import countries, validate
from foedus.errors import InvalidArgumentError
from foedus.scenarios.spec import CONSEQUENCES, Change, Scenario, baseline_world
from foedus.world import check_pledge

__all__ = ["PactScenario", "pact_scenario"]


@dataclass(frozen=True)
class PactScenario:
    """The scenario, whether it adds the pact or removes the existing one, and the pairs."""

    scenario: Scenario
    direction: str  # "add" or "remove"
    new_pairs: tuple[tuple[int, int], ...]
    existing_pairs: tuple[tuple[int, int], ...]


def pact_scenario(
    states: Sequence[str | int],
    year: int,
    *,
    pledge: str = "defense",
    opponents: Sequence[str | int] = (),
    treaties: str | Path | None = None,
    draws: int = 1000,
) -> PactScenario:
    """The scenario "the parties sign a ``pledge`` pact in ``year``" (see the module
    docstring). States are resolved for the year (two or more, each a system member then);
    ``opponents`` are the side the parties' bloc is compared with."""
    pledge = check_pledge(pledge)
    year = validate.year(year, "year", lo=validate.first_year(), lo_reason=validate.first_reason())
    if isinstance(states, str) or len(states) < 2:
        raise InvalidArgumentError(
            "states", "a pact needs two or more states", "e.g. Russia China --year 2021."
        )
    codes = [countries.ccode(s, year) for s in states]
    if len(set(codes)) != len(codes):
        raise InvalidArgumentError("states", "a state is named twice", "name each state once.")
    rivals = tuple(countries.ccode(s, year) for s in opponents)
    both = sorted(set(codes) & set(rivals))
    if both:
        raise InvalidArgumentError(
            "opponents", f"COW {both[0]} is both a party and an opponent", "list it once."
        )
    probe = Scenario(
        name="probe",
        year=year,
        changes=(),
        treaties=Path(treaties) if treaties else None,
    )
    world = baseline_world(probe)
    world.check_year(year)
    ties = world.ties(pledge).filter(pl.col("year") == year)
    held = set(zip(ties["ccode1"].to_list(), ties["ccode2"].to_list(), strict=True))
    ps = sorted(codes)
    pairs = [(a, b) for i, a in enumerate(ps) for b in ps[i + 1 :]]
    new = tuple(p for p in pairs if p not in held)
    existing = tuple(p for p in pairs if p in held)
    names = ", ".join(countries.index().get(c).abb for c in codes)
    if new:
        direction, change = "add", Change("add", pledge=pledge, pairs=new, note="the brief's pact")
        title = f"{names}: a {pledge} pact in {year}"
    else:
        direction = "remove"
        change = Change("remove", pledge=pledge, pairs=existing, note="the pact in force")
        title = f"{names}: without their {pledge} pact in {year}"
    sc = Scenario(
        name=title,
        year=year,
        changes=(change,),
        # the theatre illustration reallocates forces from a front the pact secures to
        # another: only for a new pact, with a second front (a third party or an opponent)
        compute=CONSEQUENCES
        if direction == "add" and len(codes) + len(rivals) >= 3
        else tuple(c for c in CONSEQUENCES if c != "theatre"),
        opponents=rivals,
        draws=draws,
        treaties=Path(treaties) if treaties else None,
    )
    return PactScenario(sc, direction, new, existing)
