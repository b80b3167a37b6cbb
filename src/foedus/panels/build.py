"""One panel from a specification: create, filter, enrich — what ``foedus panel`` runs.

The command line only renders what :func:`build_panel` returns; the Python API gets the same
panel from the same steps (``dyad_years`` → ``politically_relevant`` → each enricher in order).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from foedus import validate
from foedus.errors import InvalidArgumentError, PanelError
from foedus.panels.base import System
from foedus.panels.create import dyad_years, panel_years, state_years
from foedus.panels.registry import ENRICHERS, check_options
from foedus.panels.relevance import politically_relevant

KINDS = ("state-years", "dyad-years")


@dataclass
class BuiltPanel:
    """The panel and how long each step took (``(step, seconds)``, in order)."""

    frame: pl.DataFrame
    timings: list[tuple[str, float]] = field(default_factory=list)


def filter_options(steps: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The options of the politically-relevant filter that make it agree with the panel's own
    ``contiguity`` and ``majors`` columns: their ``zero_spells`` / ``carry_forward``."""
    opts: dict[str, Any] = {}
    for name, kw in steps:
        if name == "contiguity" and "zero_spells" in kw:
            opts["zero_spells"] = kw["zero_spells"]
        if name == "majors" and "carry_forward" in kw:
            opts["carry_forward"] = kw["carry_forward"]
    return opts


def build_panel(
    kind: str,
    *,
    system: System = "cow",
    years: tuple[int, int] | int | None = None,
    directed: bool = True,
    steps: Sequence[tuple[str, dict[str, Any]]] = (),
    relevant_only: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> BuiltPanel:
    """Create a ``kind`` panel (``"state-years"`` or ``"dyad-years"``), keep only politically
    relevant dyad-years if ``relevant_only`` (right after creation, before any enricher, as
    peacesciencer's ``filter_prd()`` is used), then apply ``steps`` (``(enricher, options)``
    pairs, e.g. from :func:`foedus.panels.registry.parse_spec`) in order. ``on_step`` is called
    with each step's name before it runs (for progress displays). Everything is checked
    before anything is built."""
    kind = validate.choice(kind, "kind", KINDS)
    system = validate.system(system)  # type: ignore[assignment]
    span = panel_years(years, system)
    relevant_only = validate.flag(relevant_only, "relevant_only")
    checked = [(name, check_options(name, kw)) for name, kw in steps]
    for name, _ in checked:
        e = ENRICHERS[name]
        if kind.removesuffix("-years") not in e.kinds or system not in e.systems:
            raise PanelError(
                f"enricher {name!r} works on {'/'.join(k + '-years' for k in e.kinds)} of the "
                f"{'/'.join(s.upper() for s in e.systems)} system, not on {kind} of "
                f"{system.upper()}",
                "`foedus panel --list` shows which panels each enricher takes.",
            )
    if relevant_only and (kind != "dyad-years" or system != "cow"):
        raise InvalidArgumentError(
            "relevant_only",
            "politically relevant dyads are COW dyad-years (contiguity and major powers are "
            f"COW data), not {kind} of {system.upper()}",
            "build COW dyad-years, or leave the filter out.",
        )
    out = BuiltPanel(pl.DataFrame())

    def step(name: str, run: Callable[[], pl.DataFrame]) -> None:
        if on_step is not None:
            on_step(name)
        t = time.perf_counter()
        out.frame = run()
        out.timings.append((name, time.perf_counter() - t))

    if kind == "state-years":
        step(f"create {kind}", lambda: state_years(system, span))
    else:
        step(f"create {kind}", lambda: dyad_years(system, directed=directed, years=span))
    if relevant_only:
        opts = filter_options(checked)
        step("politically relevant", lambda: politically_relevant(out.frame, **opts))
    for name, kw in checked:
        step(name, lambda name=name, kw=kw: ENRICHERS[name].func(out.frame, **kw))
    return out
