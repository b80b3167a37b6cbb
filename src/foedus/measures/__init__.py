"""Measures of alliance foundations (issue: Foundations): similarity, threat, power."""

from foedus.measures import network, power, unvotes
from foedus.measures.similarity import MEASURES, pair_measures, portfolio_ties, similarity
from foedus.measures.threat import (
    add_threat,
    common_mid_opponents,
    shared_rival_contiguous,
    shared_rivals,
)

__all__ = [
    "MEASURES",
    "add_threat",
    "common_mid_opponents",
    "network",
    "pair_measures",
    "portfolio_ties",
    "power",
    "shared_rival_contiguous",
    "shared_rivals",
    "similarity",
    "unvotes",
]
