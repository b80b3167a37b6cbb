"""Politically relevant dyads: the filter of peacesciencer's ``filter_prd()``.

Coding rules
------------
* A dyad-year is *politically relevant* (Weede 1976; Lemke & Reed 2001) if the two states are
  directly contiguous by any type (COW direct contiguity ``conttype`` 1-5, by land or by sea
  up to 400 miles) or either is a COW major power that year.
* Contiguity and major-power status are computed as :func:`~foedus.panels.add_contiguity` and
  :func:`~foedus.panels.add_cow_majors` compute them, with the same options (``zero_spells``,
  ``carry_forward``), so a panel that also carries those columns agrees with its filter. The
  filter adds no column.
* Unknown is not relevant: past COW contiguity's last year (2016), a dyad-year without a major
  power has no known relevance and is dropped, as peacesciencer's filter drops it (``NA``);
  :func:`politically_relevant` warns with the count when that happens.
* Apply it right after the panel is created, as ``filter_prd()`` is in peacesciencer
  pipelines, so that later steps (e.g. ``add_peace_years(counted_on="rows")``) see the
  filtered rows. ``foedus panel dyad-years --politically-relevant`` does.

See ``docs/panels.md`` ("Politically relevant dyads").
"""

from __future__ import annotations

import warnings

import polars as pl

from foedus.errors import FoedusWarning
from foedus.panels.base import require
from foedus.panels.geography import CONTIGUITY_COVERAGE, ZeroSpells, add_contiguity
from foedus.panels.powers import add_cow_majors


def relevance(
    df: pl.DataFrame, *, zero_spells: ZeroSpells = "gaps", carry_forward: bool = False
) -> pl.Series:
    """Per row of a COW dyad-year panel: True if politically relevant, False if not, null if
    unknown (contiguity unknown and no major power)."""
    info = require(df, "politically_relevant", kinds=("dyad",), systems=("cow",))
    keys = df.select(info.keys)
    flags = add_cow_majors(
        add_contiguity(keys, zero_spells=zero_spells), carry_forward=carry_forward
    )
    return flags.select(
        ((pl.col("conttype") > 0) | (pl.col("cowmaj1") == 1) | (pl.col("cowmaj2") == 1)).alias(
            "prd"
        )
    ).to_series()


def politically_relevant(
    df: pl.DataFrame, *, zero_spells: ZeroSpells = "gaps", carry_forward: bool = False
) -> pl.DataFrame:
    """The politically relevant rows of a COW dyad-year panel (directed or not), in order.

    ``zero_spells`` and ``carry_forward`` are the options of ``add_contiguity`` and
    ``add_cow_majors`` (pass the ones the panel's own columns use). Rows whose relevance is
    unknown (past 2016, no major power) are dropped with a :class:`~foedus.errors.FoedusWarning`
    giving their number. See the module docstring.
    """
    prd = relevance(df, zero_spells=zero_spells, carry_forward=carry_forward)
    unknown = prd.null_count()
    if unknown:
        warnings.warn(
            f"politically relevant: {unknown:,} dyad-years after {CONTIGUITY_COVERAGE[1]} "
            "(COW contiguity's last year) have no major power and unknown contiguity; they "
            "were dropped, as peacesciencer's filter_prd() drops them",
            FoedusWarning,
            stacklevel=2,
        )
    return df.filter(prd.fill_null(False))
