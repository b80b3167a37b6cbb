"""Regime type: democracy estimates by state-year (isard 0.2.0).

Coding rules
------------
* Source: isard's ``cw_democracy`` (COW state-years) or ``gw_democracy`` (Gleditsch-Ward), the
  tables peacesciencer's ``add_democracy()`` joins since version 1.2, picked by the panel's
  system and matched on ``(code, year)``.
* Columns: ``euds`` and ``aeuds`` (Marquez's extension of the Unified Democracy Scores of
  Pemstein, Meserve & Melton; ``aeuds`` is the version adjusted so that 0 is the cut-point
  between democracy and autocracy), ``polity2`` (Polity5, -10 .. 10) and ``v2x_polyarchy``
  (V-Dem's electoral democracy index, 0 .. 1). ``keep`` chooses among them.
* Dyad-years get each column with suffix ``1`` (the first state) and ``2``.
* Each column is null where the source has no value and past its own last year (catalog
  ``column_coverage``: ``polity2`` ends in 2020, G-W ``v2x_polyarchy`` in 2024, the rest in
  2025), never 0 or carried forward.

See ``docs/panels.md`` ("Regime type and wealth") for coverage, the crosswalk and citations.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from foedus import catalog
from foedus.panels.base import add_catalog_state_values, require
from foedus.panels.registry import enricher

DEMOCRACY_COLS = ("euds", "aeuds", "polity2", "v2x_polyarchy")
DEMOCRACY_SOURCES = {"cow": "isard-cw-democracy", "gw": "isard-gw-democracy"}


@enricher(
    "democracy",
    kinds=("state", "dyad"),
    systems=("cow", "gw"),
    coverage=catalog.get(DEMOCRACY_SOURCES["cow"]).coverage,
    sources=tuple(DEMOCRACY_SOURCES.values()),
    adds="euds, aeuds, polity2, v2x_polyarchy (dyads: ...1, ...2)",
    options={
        "keep": {
            "choices": DEMOCRACY_COLS,
            "at_least": 1,
            "empty": "add_democracy would add no column",
        }
    },
)
def add_democracy(df: pl.DataFrame, *, keep: Sequence[str] | None = None) -> pl.DataFrame:
    """Democracy estimates: extended UDS (euds, aeuds), Polity5 polity2, V-Dem polyarchy.

    ``keep``: one name or a list from :data:`DEMOCRACY_COLS` (default: all four). COW panels
    read ``isard-cw-democracy``, G-W panels ``isard-gw-democracy``. See the module docstring.
    """
    info = require(df, "add_democracy")
    cols = list(DEMOCRACY_COLS) if keep is None else [keep] if isinstance(keep, str) else keep
    return add_catalog_state_values(df, info, DEMOCRACY_SOURCES[info.system], cols, "add_democracy")
