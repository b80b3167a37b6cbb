"""Capabilities: the six COW National Material Capabilities components and CINC.

Coding rules
------------
* Source: NMC 7.0 as bundled by peacesciencer (1816-2022; ``version="7.0"``, default) or the
  raw NMC 6.0 file (1816-2016; ``version="6.0"``). ``-9`` codes are missing (null).
* Columns: ``milex`` (military expenditure, thousands of current USD; before 1914 thousands
  of current GBP), ``milper`` (military personnel, thousands), ``irst`` (iron and steel
  production, thousands of tons), ``pec`` (primary energy consumption, thousands of coal-ton
  equivalents), ``tpop`` and ``upop`` (total and urban population, thousands), ``cinc``
  (Composite Index of National Capability: the mean of a state's shares of the system totals
  of the six components).
* Dyad-years get each column with suffix ``1`` and ``2``, plus ``cinc_prop1`` = cinc1 /
  (cinc1 + cinc2), the first state's share of the pair's capabilities, and ``cinc_ratio`` =
  larger / smaller CINC (null when the smaller is 0 or either is missing).
* No value is invented: state-years NMC does not cover (e.g. after 2022) are null.

Citation: Singer, Bremer & Stuckey (1972); Singer (1987).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from foedus import loaders, validate
from foedus.panels.base import add_state_values, require
from foedus.panels.registry import enricher
from foedus.world import World

NMC_COLS = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]
#: The catalog data set of each NMC version (its coverage is the catalog's).
NMC_SOURCES = {"7.0": "ps-cow-nmc", "6.0": "cow-nmc"}


def nmc(version: str = "7.0") -> pl.DataFrame:
    """The NMC state-years (``ccode, year`` and the seven columns)."""
    validate.choice(version, "version", tuple(NMC_SOURCES))
    frame = loaders.load(NMC_SOURCES[version]).select("ccode", "year", *NMC_COLS)
    # milper, irst and pec are whole numbers far below 2**31 even summed over the system:
    # Int32 halves what a panel carries. milex stays 64-bit (world sums pass 2**31 by 2022).
    whole = [
        c
        for c in ("milper", "irst", "pec")
        if frame.select(((pl.col(c) % 1) == 0).all()).item()
        and (frame.get_column(c).drop_nulls().abs().max() or 0) < 2**24
    ]
    frame = (
        frame.with_columns(pl.col("milex").cast(pl.Int64))
        if frame.select(((pl.col("milex") % 1) == 0).all()).item()
        else frame
    )
    return frame.with_columns(pl.col(whole).cast(pl.Int32))


@enricher(
    "nmc",
    kinds=("state", "dyad"),
    coverage="ps-cow-nmc",
    sources=("ps-cow-nmc",),
    adds="milex, milper, irst, pec, tpop, upop, cinc (dyads: ...1, ...2, cinc_prop1, cinc_ratio)",
    options={
        "version": {"choices": tuple(NMC_SOURCES)},
        "keep": {
            "choices": tuple(NMC_COLS),
            "at_least": 1,
            "empty": "add_nmc would add no column",
        },
    },
)
def add_nmc(
    df: pl.DataFrame,
    *,
    version: str = "7.0",
    keep: Sequence[str] | None = None,
    world: World | None = None,
) -> pl.DataFrame:
    """COW National Material Capabilities: the six components and CINC.

    ``version``: ``"7.0"`` (default) or ``"6.0"``. ``keep``: the columns to add, one name or a
    list of names from :data:`NMC_COLS` (default: all seven; a name given twice is added once).
    An empty ``keep`` is refused (:class:`~foedus.errors.EnricherOptionError`): it would add
    nothing, which is never what a caller of an enricher means; leave ``keep`` out for all
    columns. ``world`` (Python only): its capability changes are applied
    (:meth:`foedus.world.World.apply_capabilities`).
    """
    info = require(df, "add_nmc", systems=("cow",))
    cols = NMC_COLS if keep is None else [keep] if isinstance(keep, str) else list(keep)
    cols = list(dict.fromkeys(cols))  # names and emptiness are checked by the option schema
    cap = nmc(version) if world is None else world.apply_capabilities(nmc(version))
    out = add_state_values(df, info, cap, cols, "add_nmc")
    if info.kind == "dyad" and "cinc" in cols:
        lo = pl.min_horizontal("cinc1", "cinc2")
        hi = pl.max_horizontal("cinc1", "cinc2")
        out = out.with_columns(
            (pl.col("cinc1") / (pl.col("cinc1") + pl.col("cinc2"))).alias("cinc_prop1"),
            pl.when(lo > 0).then(hi / lo).otherwise(None).alias("cinc_ratio"),
        )
    return out
