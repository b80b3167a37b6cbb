"""Enrichers for the foundations measures: alliance-portfolio similarity, UN voting agreement,
shared threat. The measures themselves, their formulas and citations are in
:mod:`foedus.measures` (see docs/foundations.md); these wrappers only put them on a panel.

Coding rules: each value is looked up for the pair in the panel's year regardless of the
pair's order (all three are symmetric); years outside the source's coverage are null, and
pairs inside it without a value (e.g. no joint UN vote) are null too — only the threat counts
code absence as 0 inside coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl

from foedus import validate
from foedus.measures.unvotes import COVERAGE as UN_COVERAGE
from foedus.panels.base import add_dyad_values, require
from foedus.panels.registry import enricher
from foedus.panels.rivalries import COVERAGE as RIVALRY_COVERAGE
from foedus.world import World, check_world

# option values known in foedus.measures, which is imported only when an enricher runs


def _similarity_sources() -> tuple[str, ...]:
    from foedus.measures.similarity import DATASETS

    return tuple(DATASETS)


def _similarity_measures() -> tuple[str, ...]:
    from foedus.measures.similarity import MEASURES

    return MEASURES


def _threat_window_max() -> int:
    from foedus.measures.threat import window_max

    return window_max()


def _years(df: pl.DataFrame, lo: int, hi: int) -> tuple[int, int] | None:
    yrs = df.get_column("year").drop_nulls()
    if yrs.len() == 0:
        return None
    a, b = max(int(yrs.min()), lo), min(int(yrs.max()), hi)
    return (a, b) if a <= b else None


@enricher(
    "similarity",
    kinds=("dyad",),
    coverage="ps-atop-alliance",
    sources=("ps-atop-alliance", "cow-alliance-dyad", "ps-cow-nmc"),
    adds="taub, s_un, s_un_sq, s_wt, kappa, pi (prefixed sim_)",
    options={
        "source": {"choices": _similarity_sources},
        "coding": {"choices": ("valued", "binary")},
        "measures": {
            "choices": _similarity_measures,
            "at_least": 1,
            "empty": "add_similarity would add no measure",
        },
    },
)
def add_similarity(
    df: pl.DataFrame,
    *,
    source: str = "atop",
    coding: str = "valued",
    measures: Sequence[str] | str | None = None,
    world: World | None = None,
) -> pl.DataFrame:
    """Alliance-portfolio similarity (tau-b, S, weighted S, kappa, pi) of the two states.

    ``source``: ``"atop"`` or ``"cow"``; ``coding``: ``"valued"`` or ``"binary"``;
    ``measures``: one or more of :data:`foedus.measures.similarity.MEASURES` (default all; an
    empty list is refused, a name given twice is added once); ``world`` (ATOP, Python only;
    default today's data): the pledges and capabilities the portfolios come from.
    """
    from foedus.measures.similarity import DATASETS, MEASURES, similarity

    info = require(df, "add_similarity", kinds=("dyad",), systems=("cow",))
    ms = (
        list(MEASURES)
        if measures is None
        else [measures]
        if isinstance(measures, str)
        else list(dict.fromkeys(measures))
    )
    names = [f"sim_{m}" for m in ms]
    w = check_world(source, world)
    span = _years(df, *(w.years if w is not None else validate.coverage(DATASETS[source])))
    if span is None:
        return df.with_columns(pl.lit(None, dtype=pl.Float64).alias(n) for n in names)
    s = similarity(source, coding, span, measures=ms, world=w)
    s = s.rename(dict(zip(ms, names, strict=True)))
    return add_dyad_values(df, info, s, names, "add_similarity", unordered=True)


@enricher(
    "unvotes",
    kinds=("dyad",),
    coverage=UN_COVERAGE,  # unvotes-votes without its last year, one roll call (see the measure)
    sources=("unvotes-votes",),
    adds="un_agree, un_agree3, un_kappa, un_n_joint",
    options={"issue": {"at_least": 1, "empty": "no roll call would be counted"}},
)
def add_un_agreement(df: pl.DataFrame, *, issue: str | Sequence[str] | None = None) -> pl.DataFrame:
    """UN General Assembly voting agreement of the two states (share, 3-point, kappa).

    ``issue``: one or more unvotes issues (names or short codes, see
    :func:`foedus.measures.unvotes.issue_rcids`) to keep only their roll calls; default all
    roll calls (an empty list is refused).
    """
    from foedus.measures.unvotes import vote_agreement

    info = require(df, "add_un_agreement", kinds=("dyad",), systems=("cow",))
    cols = {
        "agree": "un_agree",
        "agree3": "un_agree3",
        "kappa": "un_kappa",
        "n_joint": "un_n_joint",
    }
    span = _years(df, *UN_COVERAGE)
    if span is None:
        return df.with_columns(pl.lit(None, dtype=pl.Float64).alias(n) for n in cols.values())
    v = vote_agreement(years=span, issue=issue).rename(cols)
    return add_dyad_values(df, info, v, list(cols.values()), "add_un_agreement", unordered=True)


@enricher(
    "threat",
    kinds=("dyad",),
    coverage=RIVALRY_COVERAGE["tss"],  # the default source's; shared rivals span it
    sources=("ps-tss-rivalries", "ps-cow-mid-ddydisps", "ps-cow-contdir"),
    adds="shared_rivals, common_mid_opponents, shared_rival_contiguous",
    options={"window": {"lo": 1, "hi": _threat_window_max}},
)
def add_shared_threat(
    df: pl.DataFrame,
    *,
    source: Literal["tss", "td"] = "tss",
    window: int = 5,
    land_only: bool = False,
) -> pl.DataFrame:
    """Shared strategic rivals, common dispute opponents, a shared rival next door.

    ``source``: the rivalry coding, ``"tss"`` or ``"td"``; ``window``: the years (1 to the
    span of the MID data) in which a common dispute opponent counts; ``land_only``: a shared
    rival next door by land only (see :func:`foedus.measures.threat.add_threat`).
    """
    from foedus.measures.threat import add_threat

    return add_threat(df, source=source, window=window, land_only=land_only)
