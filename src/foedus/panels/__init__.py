"""Panels: state-years and dyad-years, and the enrichers that add data to them."""

from foedus.panels.base import ASSUMED_THROUGH, PanelInfo, inspect
from foedus.panels.create import dyad_years, membership_spells, state_years

__all__ = [
    "ASSUMED_THROUGH",
    "PanelInfo",
    "dyad_years",
    "inspect",
    "membership_spells",
    "state_years",
]
