"""Scenario sweeps: families of what-ifs generated and evaluated by the executor.

Families (:data:`FAMILIES`):

* ``pacts``: every possible new pledge (defence by default) between two of the top-N powers
  of a year (by CINC; pairs that already have the pledge are left out);
* ``join``: every system member of a year that is not in a named ATOP alliance joining it;
* ``grid``: a scenario file's changes applied in each year of a range (a parameter grid over
  the base year).

Each ``pacts``/``join`` item is evaluated on the year's baseline, computed once and shared by
every item (the *context*): the bloc of each side (the state and its direct defence allies)
and its share of the system's capabilities, the capability gain (bloc CINC over own CINC) and
the indirect ties the new pledges create, before and after, exactly as the scenario
consequences compute them for one scenario (tested), and the conflict risk of the dyads the
pledges affect (:func:`conflict_columns`, the fast path of
:mod:`foedus.consequences.conflict_sweep`, on coefficient draws shared by every item).
``grid`` items run the whole scenario.
Seeds, batching and scale-out are the executor's (:mod:`foedus.scenarios.executor`). Rules:
docs/consequences.md, "Sweeps and scale-out".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.consequences.blocs import capability_shares
from foedus.consequences.conflict_design import PactEdit
from foedus.consequences.conflict_sweep import SweepContext, evaluate_edits, sweep_context
from foedus.errors import InvalidArgumentError
from foedus.measures import network as net
from foedus.scenarios import executor
from foedus.world import World, alliance_id, check_pledge, current_world

FAMILIES = ("pacts", "join", "grid")
#: The conflict-risk columns of a ``pacts``/``join`` sweep (:func:`conflict_columns`).
CONFLICT_COLUMNS = (
    "cr_dyads",
    "cr_expected",
    "cr_expected_after",
    "cr_expected_delta",
    "cr_expected_delta_lo",
    "cr_expected_delta_hi",
    "cr_top_dyad",
    "cr_top_delta",
)
MAX_TOP = 60


@dataclass(frozen=True)
class YearContext:
    """A year's baseline, computed once for a sweep: each state's CINC share and defence
    allies (the graph as adjacency sets), and the members of named alliances."""

    year: int
    pledge: str
    share: dict[int, float]
    allies: dict[int, frozenset[int]]
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: the conflict-risk baseline of the year (design and coefficient draws), or None
    conflict: SweepContext | None = None


def year_context(
    year: int,
    pledge: str = "defense",
    world: World | None = None,
    *,
    conflict_risk: bool = False,
    draws: int = 1000,
    seed: int = 0,
) -> YearContext:
    """The baseline of ``year`` for a sweep (see :class:`YearContext`). ``conflict_risk``:
    also the year's conflict-risk design and ``draws`` coefficient draws seeded by ``seed``
    (the same draws for every scenario of the sweep)."""
    pledge = check_pledge(pledge)
    conflict_risk = validate.flag(conflict_risk, "conflict_risk")
    w = world if world is not None else current_world(through=max(year, 2018))
    year = w.check_year(year)
    shares, _ = capability_shares(year, w)
    g = net.alliance_graph(year, pledge, world=w)
    allies = {int(v): frozenset(int(u) for u in g.neighbors(v)) for v in g}
    conflict = sweep_context(w, year, draws=draws, seed=seed) if conflict_risk else None
    return YearContext(
        year, pledge, {int(k): float(v) for k, v in shares.items()}, allies, conflict=conflict
    )


def top_powers(ctx: YearContext, n: int) -> list[int]:
    """The ``n`` system members with the largest capability shares in the context's year."""
    members = [c for c in ctx.allies if c in ctx.share]
    return sorted(members, key=lambda c: -ctx.share[c])[:n]


def pact_family(ctx: YearContext, top: int) -> list[dict[str, Any]]:
    """Every new pledge between two of the top ``top`` powers (pairs without it)."""
    top = validate.integer(top, "top", lo=2, hi=MAX_TOP, hint="e.g. --top 10.")
    powers = top_powers(ctx, top)
    return [
        {"kind": "add", "a": a, "b": b, "pledge": ctx.pledge, "year": ctx.year}
        for i, a in enumerate(powers)
        for b in powers[i + 1 :]
        if b not in ctx.allies.get(a, frozenset())
    ]


def join_family(ctx: YearContext, alliance: object, world: World | None = None) -> list[dict]:
    """Every system member of the year outside ATOP alliance ``alliance`` joining it."""
    aid = alliance_id(alliance)
    w = world if world is not None else current_world(through=max(ctx.year, 2018))
    members = w.alliance_members(aid, ctx.year)
    if not members:
        raise InvalidArgumentError(
            "--alliance",
            f"ATOP alliance {aid} is not in force in {ctx.year}",
            "check the alliance and the year (NATO is 3180).",
        )
    ctx.members[aid] = tuple(members)
    return [
        {"kind": "join", "a": s, "alliance": aid, "pledge": ctx.pledge, "year": ctx.year}
        for s in sorted(ctx.allies)
        if s not in members
    ]


def _bloc(ctx: YearContext, allies: dict[int, set[int]] | dict, s: int) -> tuple[float, float]:
    """The state's bloc share and capability gain under an adjacency."""
    own = ctx.share.get(s, 0.0)
    # in code order: a set's iteration order can change when it is pickled to a worker, and
    # a sum in another order can differ in the last bit
    bloc = own + sum(ctx.share.get(k, 0.0) for k in sorted(allies.get(s, ())))
    return bloc, (bloc / own if own > 0 else float("nan"))


def _two_step_count(allies: dict, nodes: Sequence[int]) -> int:
    """Pairs two steps apart (an ally's ally, not an ally) among pairs touching ``nodes``."""
    seen = set()
    for v in nodes:
        for k in allies.get(v, ()):
            for u in allies.get(k, ()):
                if u != v and u not in allies.get(v, ()):
                    seen.add((min(u, v), max(u, v)))
    return len(seen)


def evaluate_pledges(
    item: dict[str, Any], rng: np.random.Generator, ctx: YearContext
) -> dict[str, Any]:
    """One ``pacts``/``join`` item: bloc shares, capability gains and indirect ties of the
    state(s) before and after (exact), and with the context's conflict-risk baseline the
    conflict-risk columns (on the sweep's shared draws; the item's own ``rng`` is for
    consequences that draw per scenario)."""
    a = int(item["a"])
    if item["kind"] == "add":
        pairs = [(a, int(item["b"]))]
    else:
        pairs = [(a, m) for m in ctx.members[int(item["alliance"])] if m != a]
    touched = sorted({c for p in pairs for c in p})
    after = {
        c: set(ctx.allies.get(c, ()))
        for c in set(touched) | {k for c in touched for k in ctx.allies.get(c, ())}
    }
    for x, y in pairs:
        after[x].add(y)
        after[y].add(x)
    before = ctx.allies
    out: dict[str, Any] = {
        "kind": item["kind"],
        "year": ctx.year,
        "pledge": ctx.pledge,
        "a": a,
        "b": int(item["b"]) if "b" in item else None,
        "alliance": int(item["alliance"]) if "alliance" in item else None,
        "n_new_ties": len(pairs),
    }
    sa0, ga0 = _bloc(ctx, before, a)
    sa1, ga1 = _bloc(ctx, after, a)
    out.update(a_bloc_share=sa0, a_bloc_share_after=sa1, a_gain=ga0, a_gain_after=ga1)
    if item["kind"] == "add":
        b = int(item["b"])
        sb0, gb0 = _bloc(ctx, before, b)
        sb1, gb1 = _bloc(ctx, after, b)
        out.update(b_bloc_share=sb0, b_bloc_share_after=sb1, b_gain=gb0, b_gain_after=gb1)
    near = sorted(set(touched) | {k for c in touched for k in after.get(c, ())})
    merged = {**{c: set(v) for c, v in before.items() if c in near}, **after}
    out["indirect_before"] = _two_step_count(before, touched)
    out["indirect_after"] = _two_step_count(merged, touched)
    if ctx.conflict is not None:  # pairs that already have the pledge do not change
        new = [(x, y) for x, y in pairs if y not in before.get(x, ())]
        out.update(conflict_columns(ctx.conflict, new, ctx.pledge))
    return out


def conflict_columns(
    cctx: SweepContext, pairs: Sequence[tuple[int, int]], pledge: str
) -> dict[str, Any]:
    """The conflict-risk columns of a sweep row: the number of dyads whose design the new
    pledges change, the expected number of conflicts (MID initiations for ``leeds2003``)
    among them before and after with the change's interval, and the dyad that changes most
    (at the point estimate)."""
    if not pairs:  # nothing changes
        return dict.fromkeys(CONFLICT_COLUMNS, None) | {"cr_dyads": 0, "cr_expected_delta": 0.0}
    d = evaluate_edits(cctx, [PactEdit(a, b, pledge) for a, b in pairs])
    t = d.expected_events()
    delta = np.nan_to_num(d.p_scenario - d.p_baseline)
    k = int(np.argmax(np.abs(delta))) if len(delta) else -1
    return {
        "cr_dyads": len(d.dyads),
        "cr_expected": t.baseline,
        "cr_expected_after": t.scenario,
        "cr_expected_delta": t.delta,
        "cr_expected_delta_lo": t.delta_lo,
        "cr_expected_delta_hi": t.delta_hi,
        "cr_top_dyad": f"{d.dyads[k][0]}->{d.dyads[k][1]}" if k >= 0 else None,
        "cr_top_delta": float(delta[k]) if k >= 0 else None,
    }


def evaluate_grid(item: dict[str, Any], rng: np.random.Generator, ctx: Any) -> dict[str, Any]:
    """One ``grid`` item: the scenario file's changes in the item's year, every exact
    consequence's measures as ``<consequence>.<item>.<measure>`` deltas."""
    from dataclasses import replace

    from foedus.scenarios.run import run_scenario
    from foedus.scenarios.spec import read_scenario

    sc = replace(read_scenario(item["path"]), year=int(item["year"]))
    res = run_scenario(sc, draws=ctx["draws"], seed=int(rng.integers(2**31)))
    out: dict[str, Any] = {"year": int(item["year"])}
    for r in res.rows:
        out[f"{r['consequence']}.{r['item']}.{r['measure']}"] = r["delta"]
    return out


def run_family(
    family: str,
    *,
    year: int | None = None,
    top: int = 10,
    alliance: object = None,
    scenario: str | Path | None = None,
    years: tuple[int, int] | None = None,
    pledge: str = "defense",
    root_seed: int = 0,
    draws: int = 1000,
    conflict_risk: bool = True,
    scheduler: str | None = None,
    n_workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    output: str | Path | None = None,
) -> pl.DataFrame:
    """Generate a family and evaluate every item (see the module docstring); ``conflict_risk``
    (``pacts``/``join``): add the conflict-risk columns (:func:`conflict_columns`, ``draws``
    coefficient draws seeded by ``root_seed``, shared by every item); the results as
    a frame (one row per item, in order, with ``root_seed``, ``item_index``, ``task_index``),
    written atomically to ``output`` (Parquet) when given, only after every item succeeded."""
    family = validate.choice(family, "family", FAMILIES)
    if output is not None:
        executor.check_output_path(output)
    if family == "grid":
        if scenario is None or years is None:
            raise InvalidArgumentError(
                "--scenario",
                "a grid sweep needs a scenario file and --years",
                "e.g. foedus scenario sweep grid --scenario FILE --years 2000-2018.",
            )
        from foedus.scenarios.spec import read_scenario

        read_scenario(scenario)  # every problem before any work
        lo, hi = validate.year_range(
            years, "--years", lo=validate.first_year(), lo_reason=validate.first_reason()
        )
        items: list[Any] = [{"path": str(scenario), "year": y} for y in range(lo, hi + 1)]
        fn: Any = evaluate_grid
        context: Any = {"draws": draws}
    else:
        if year is None:
            raise InvalidArgumentError("--year", "a sweep needs a base year", "e.g. --year 2021.")
        ctx = year_context(year, pledge, conflict_risk=conflict_risk, draws=draws, seed=root_seed)
        items = pact_family(ctx, top) if family == "pacts" else join_family(ctx, alliance)
        fn, context = evaluate_pledges, ctx
    if not items:
        raise InvalidArgumentError(
            "family", f"the {family} family is empty", "widen it (e.g. a larger --top)."
        )
    results = executor.run_sweep(
        fn,
        items,
        root_seed=root_seed,
        scheduler=scheduler,
        n_workers=n_workers,
        context=context,
        on_progress=on_progress,
    )
    frame = executor.results_frame(results)
    if output is not None:
        executor.write_parquet_atomic(frame, output)
    return frame
