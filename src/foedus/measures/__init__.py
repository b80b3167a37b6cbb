"""Measures of alliance foundations (issue: Foundations). So far: portfolio similarity."""

from foedus.measures.similarity import MEASURES, pair_measures, portfolio_ties, similarity

__all__ = ["MEASURES", "pair_measures", "portfolio_ties", "similarity"]
