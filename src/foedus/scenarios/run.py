"""Running a scenario: its world against the baseline, every consequence it asks for.

:func:`run_scenario` builds the baseline (today's world through the scenario's base year,
with its treaty file) and the scenario's world (the same, with the changes applied), and
computes each consequence of :data:`foedus.scenarios.spec.CONSEQUENCES` the scenario lists,
through the same code for both worlds. The result is typed and serialisable
(:class:`ScenarioResult`: ``to_dict`` for JSON, ``frame`` for a long table of measure,
baseline, scenario, delta and interval); the command line only renders it. See
docs/consequences.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from foedus import validate
from foedus.consequences import (
    blocs,
    conflict_risk,
    dependence,
    network_change,
    theatre_setup,
    war_trap,
)
from foedus.consequences.conflict_design import SPECS
from foedus.scenarios.spec import Scenario, baseline_world, build_world, read_scenario
from foedus.world import World

#: The long table's columns (one row per consequence, item and measure).
ROW_SCHEMA = {
    "consequence": pl.String,
    "item": pl.String,
    "measure": pl.String,
    "baseline": pl.Float64,
    "scenario": pl.Float64,
    "delta": pl.Float64,
    "lo": pl.Float64,
    "hi": pl.Float64,
}


@dataclass
class Context:
    """What every consequence gets: the scenario, both worlds, the dyads and the draws."""

    scenario: Scenario
    baseline: World
    world: World
    dyads: tuple[tuple[int, int], ...]
    draws: int
    seed: int


@dataclass(frozen=True)
class ScenarioResult:
    """Every consequence of one scenario, baseline against scenario."""

    scenario: dict[str, Any]
    world: dict[str, Any]
    sections: dict[str, dict[str, Any]]
    rows: list[dict[str, Any]]
    timings: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    draws: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "world": self.world,
            "seed": self.seed,
            "draws": self.draws,
            "consequences": self.sections,
            "table": self.rows,
            "timings": self.timings,
        }

    def frame(self) -> pl.DataFrame:
        """The long table: consequence, item, measure, baseline, scenario, delta, lo, hi."""
        if not self.rows:
            return pl.DataFrame(schema=ROW_SCHEMA)
        return pl.DataFrame(
            [{k: r.get(k) for k in ROW_SCHEMA} for r in self.rows], schema=ROW_SCHEMA
        )


def default_dyads(sc: Scenario) -> tuple[tuple[int, int], ...]:
    """The scenario's dyads, or: each party against each opponent, both ways; without
    opponents, every ordered pair of parties."""
    if sc.dyads:
        return sc.dyads
    parties = sc.parties
    if sc.opponents:
        return tuple(d for p in parties for o in sc.opponents if p != o for d in ((p, o), (o, p)))
    return tuple((a, b) for a in parties for b in parties if a != b)


def _blocs(ctx: Context):
    r = blocs.bloc_consequences(
        ctx.baseline, ctx.world, ctx.scenario.year, ctx.scenario.parties, ctx.scenario.opponents
    )
    return r.to_dict(), blocs.rows(r)


def _war_trap(ctx: Context):
    r = war_trap.war_trap_consequences(ctx.baseline, ctx.world, ctx.scenario.year, ctx.dyads)
    return r.to_dict(), war_trap.rows(r)


def _conflict_risk(ctx: Context):
    sc = ctx.scenario
    dyads = ctx.dyads
    if not SPECS[sc.conflict_spec].directed:  # undirected: each pair once, in code order
        dyads = tuple(dict.fromkeys((min(a, b), max(a, b)) for a, b in dyads))
    r = conflict_risk.conflict_risk(
        ctx.baseline,
        ctx.world,
        list(dyads) if dyads else None,
        sc.year,
        spec=sc.conflict_spec,
        draws=ctx.draws,
        seed=ctx.seed,
    )
    return r.to_dict(), conflict_risk.rows(r)


def _dependence(ctx: Context):
    r = dependence.dependence(ctx.baseline, ctx.world, ctx.scenario.year, ctx.scenario.parties)
    return r.to_dict(), dependence.rows(r)


def _network(ctx: Context):
    r = network_change.network_changes(
        ctx.baseline, ctx.world, ctx.scenario.year, ctx.scenario.parties
    )
    return r.to_dict(), network_change.rows(r)


def _theatre(ctx: Context):
    sc = ctx.scenario
    r = theatre_setup.theatre_consequence(
        sc.theatre, ctx.baseline, ctx.world, sc.year, sc.parties, sc.opponents, ctx.dyads
    )
    return r, theatre_setup.rows(r)


#: How each consequence is computed (name -> function of the context).
COMPUTE: dict[str, Callable[[Context], tuple[dict[str, Any], list[dict[str, Any]]]]] = {
    "blocs": _blocs,
    "war_trap": _war_trap,
    "conflict_risk": _conflict_risk,
    "dependence": _dependence,
    "network": _network,
    "theatre": _theatre,
}


def run_scenario(
    scenario: Scenario | str | Path,
    *,
    draws: int | None = None,
    seed: int = 0,
    on_step: Callable[[str, int, int], None] | None = None,
) -> ScenarioResult:
    """Compute the scenario's consequences (see the module docstring). ``draws`` (default the
    scenario's) Monte Carlo draws for the consequences with sampling uncertainty; ``seed``
    their root seed; ``on_step(name, done, total)`` reports progress."""
    sc = scenario if isinstance(scenario, Scenario) else read_scenario(scenario)
    n = (
        sc.draws
        if draws is None
        else validate.integer(draws, "draws", lo=1, hi=100_000, hint="e.g. --draws 1000.")
    )
    seed = validate.integer(seed, "seed", lo=0, hint="give a whole number >= 0, e.g. --seed 1.")
    on_step = validate.callback(on_step, "on_step")
    wanted = [c for c in sc.compute if c in COMPUTE]
    total = len(wanted) + 1
    t0 = time.perf_counter()
    base = baseline_world(sc)
    world = build_world(sc, base)
    timings = {"worlds": time.perf_counter() - t0}
    if on_step:
        on_step("worlds", 1, total)
    ctx = Context(sc, base, world, default_dyads(sc), n, seed)
    sections: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for k, name in enumerate(wanted, start=2):
        t = time.perf_counter()
        sec, r = COMPUTE[name](ctx)
        sections[name] = sec
        rows.extend(r)
        timings[name] = time.perf_counter() - t
        if on_step:
            on_step(name, k, total)
    skipped = [c for c in sc.compute if c not in COMPUTE]
    if skipped:
        sections["not_computed"] = {
            "consequences": skipped,
            "why": "not available in this version of foedus",
        }
    return ScenarioResult(
        scenario=sc.to_dict(),
        world={"baseline": base.summary(), "scenario": world.summary()},
        sections=sections,
        rows=rows,
        timings=timings,
        seed=seed,
        draws=n,
    )
