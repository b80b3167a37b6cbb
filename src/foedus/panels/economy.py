"""Trade and international organisations.

Coding rules
------------
* **Trade** (COW Trade v4.0; Barbieri, Keshk & Pollins 2009), state-year totals ``imports``
  and ``exports`` in millions of current US dollars, 1870-2014; dyads get them for each side
  (``imports1`` ...). The dyadic flows of COW Trade are not bundled in the data foedus
  carries; no value is filled in: years or states the source lacks are null.
* **IGOs** (COW IGO v3; Pevehouse et al. 2020), 1816-2014. State-years: ``sum_igo_full``,
  ``sum_igo_associate``, ``sum_igo_observer``, ``sum_igo_anytype`` (numbers of IGO
  memberships). Dyad-years: ``dyadigos``, the number of IGOs in which both are full members
  (symmetric). Null where the source has no row.
"""

from __future__ import annotations

import polars as pl

from foedus import loaders
from foedus.panels.base import add_dyad_values, add_state_values, require, symmetric
from foedus.panels.registry import enricher


@enricher(
    "trade",
    kinds=("state", "dyad"),
    coverage="ps-cow-trade-sy",
    sources=("ps-cow-trade-sy",),
    adds="imports, exports (dyads: imports1, exports1, imports2, exports2)",
)
def add_cow_trade(df: pl.DataFrame) -> pl.DataFrame:
    """COW Trade v4.0 state-year imports and exports (millions of current USD)."""
    info = require(df, "add_cow_trade", systems=("cow",))
    trade = loaders.load("ps-cow-trade-sy")
    return add_state_values(df, info, trade, ["imports", "exports"], "add_cow_trade")


@enricher(
    "igos",
    kinds=("state", "dyad"),
    coverage="ps-cow-igo-sy",  # ps-cow-igo-ndy covers the same years (see the unit tests)
    sources=("ps-cow-igo-sy", "ps-cow-igo-ndy"),
    adds="sum_igo_full, sum_igo_associate, sum_igo_observer, sum_igo_anytype (dyads: dyadigos)",
)
def add_igos(df: pl.DataFrame) -> pl.DataFrame:
    """COW IGO v3: memberships (state-years) or joint full memberships (dyad-years)."""
    info = require(df, "add_igos", systems=("cow",))
    if info.kind == "state":
        sy = loaders.load("ps-cow-igo-sy")
        cols = ["sum_igo_full", "sum_igo_associate", "sum_igo_observer", "sum_igo_anytype"]
        out = add_state_values(df, info, sy, cols, "add_igos")
        return out.with_columns(pl.col(cols).cast(pl.Int16))
    ndy = loaders.load("ps-cow-igo-ndy").with_columns(pl.col("dyadigos").cast(pl.Int16))
    if ndy.select((pl.col("ccode1") > pl.col("ccode2")).any()).item():
        # not the expected non-directed layout: make it directed and match as ordered
        return add_dyad_values(df, info, symmetric(ndy), ["dyadigos"], "add_igos")
    return add_dyad_values(df, info, ndy, ["dyadigos"], "add_igos", unordered=True)
