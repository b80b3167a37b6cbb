"""foedus: quantitative analysis of military alliances between states.

The panel API is available at the top level (``import foedus as fd; fd.dyad_years()``);
it is imported on first use so that ``import foedus`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PANEL_NAMES = {
    "dyad_years",
    "state_years",
    "membership_spells",
    "ENRICHERS",
    "ASSUMED_THROUGH",
    "add_atop_alliance",
    "add_cow_alliance",
    "add_nmc",
    "add_cow_majors",
    "add_maoz_powers",
    "add_strategic_rivalries",
    "add_cow_trade",
    "add_igos",
    "add_contiguity",
    "add_minimum_distance",
    "add_capital_distance",
    "add_rugged_terrain",
    "add_cow_mids",
    "add_gml_mids",
    "add_cow_wars",
    "add_peace_years",
    "inspect",
    "add_similarity",
    "add_un_agreement",
    "add_shared_threat",
    "PanelInfo",
    "Enricher",
}


def __getattr__(name: str) -> Any:
    if name in _PANEL_NAMES:
        return getattr(importlib.import_module("foedus.panels"), name)
    if name in ("catalog", "loaders", "countries", "citations", "panels", "errors"):
        return importlib.import_module(f"foedus.{name}")
    raise AttributeError(f"module 'foedus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_PANEL_NAMES])
