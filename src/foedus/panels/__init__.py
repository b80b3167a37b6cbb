"""Panels: state-years and dyad-years, and the enrichers that add data to them.

Every enricher is a pure function ``frame -> frame`` for use with ``.pipe``; it keeps the
panel's rows and key columns exactly, codes values outside its source's coverage as null
(never 0), and documents its coding rules and citations in its module's docstring.
"""

from foedus.panels.alliances import add_atop_alliance, add_cow_alliance
from foedus.panels.base import ASSUMED_THROUGH, PanelInfo, inspect
from foedus.panels.capabilities import add_nmc
from foedus.panels.conflict import add_cow_mids, add_cow_wars, add_gml_mids, add_peace_years
from foedus.panels.create import dyad_years, membership_spells, state_years
from foedus.panels.economy import add_cow_trade, add_igos
from foedus.panels.geography import (
    add_capital_distance,
    add_contiguity,
    add_minimum_distance,
    add_rugged_terrain,
)
from foedus.panels.interests import add_shared_threat, add_similarity, add_un_agreement
from foedus.panels.powers import add_cow_majors, add_maoz_powers
from foedus.panels.regime import add_democracy
from foedus.panels.registry import ENRICHERS, Enricher
from foedus.panels.relevance import politically_relevant
from foedus.panels.rivalries import add_strategic_rivalries
from foedus.panels.wealth import add_gdp

__all__ = [
    "ASSUMED_THROUGH",
    "ENRICHERS",
    "Enricher",
    "PanelInfo",
    "add_atop_alliance",
    "add_capital_distance",
    "add_contiguity",
    "add_cow_alliance",
    "add_cow_majors",
    "add_cow_mids",
    "add_cow_trade",
    "add_cow_wars",
    "add_democracy",
    "add_gdp",
    "add_gml_mids",
    "add_igos",
    "add_maoz_powers",
    "add_minimum_distance",
    "add_nmc",
    "add_peace_years",
    "add_rugged_terrain",
    "add_shared_threat",
    "add_similarity",
    "add_strategic_rivalries",
    "add_un_agreement",
    "dyad_years",
    "inspect",
    "membership_spells",
    "politically_relevant",
    "state_years",
]
