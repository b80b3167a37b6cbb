"""Threat: shared rivals, common dispute opponents, and a shared rival next door.

Coding rules
------------
* **Shared strategic rivals** (``shared_rivals``): the number of states *k* that are a
  strategic rival of both *i* and *j* in year *t* (Thompson, Sakuwa & Suhas 2022, 1816-2020;
  ``source="td"``: Thompson & Dreyer 2012, 1816-2010), with the rivalry coding of
  :mod:`foedus.panels.rivalries` (symmetric; Austria-Hungary's rivalries after 1918 are
  Austria's).
* **Common dispute opponents** (``common_mid_opponents``): the number of states *k* with
  which both *i* and *j* were in a militarized dispute (``cowmidongoing``, COW-MID 5.0 as
  whittled by peacesciencer, 1816-2014) on opposite sides, at any time in the ``window``
  years ending with *t* (default 5: t-4 .. t). A dispute of *i* against *j* itself does not
  count.
* **Shared rival next door** (``shared_rival_contiguous``): 1 if some shared rival *k* is
  directly contiguous (COW conttype 1-5, or land only with ``land_only=True``) to *i* or to
  *j* in year *t*; contiguity as :func:`foedus.panels.add_contiguity` codes it (1816-2016).
* All measures are symmetric. The functions return the dyad-years with a positive count
  (``ccode1 < ccode2``); :func:`add_threat` adds them to a panel with 0 inside every source's
  coverage and null outside (never a silent 0 past a source's end).

These are the "shared threat" covariates of the alliance-formation literature (Walt 1987;
Lai & Reiter 2000 use a common MID opponent); they are measured, not assumed, and lag them
before using them to predict alliance onset.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from foedus import validate
from foedus.panels.base import add_dyad_values, require, zero_fill
from foedus.panels.geography import CONTIGUITY_COVERAGE
from foedus.panels.rivalries import COVERAGE as RIVALRY_COVERAGE

#: The catalog data set of the whittled COW-MID dyad-years the dispute counts come from.
MID_DATASET = "ps-cow-mid-ddydisps"
# Coverage from the catalog; the rivalry and contiguity years are the enrichers' (rivalries
# from the state system's first year, see foedus.panels.rivalries).
MID_COVERAGE = validate.coverage(MID_DATASET)


def window_max() -> int:
    """The longest dispute ``window`` in years: the span of the MID data (from the catalog);
    a longer window would reach before the data's first year from every year."""
    lo, hi = validate.coverage(MID_DATASET)
    return hi - lo + 1


def _source(source: object) -> str:
    return validate.choice(source, "source", tuple(RIVALRY_COVERAGE))


def _window(window: object) -> int:
    return validate.integer(
        window,
        "window",
        lo=1,
        hi=window_max(),
        hint=f"give a window from 1 to {window_max()} years (the span of the MID data), "
        "e.g. window=5.",
    )


def pairs_through(links: pl.DataFrame, name: str) -> pl.DataFrame:
    """From directed links ``a, k, year`` (one row each), the pairs (a, b), a < b, linked to a
    common ``k`` in the same year, with the number of such k."""
    left = links.rename({"a": "ccode1"})
    right = links.rename({"a": "ccode2"})
    return (
        left.join(right, on=["k", "year"])
        .filter(pl.col("ccode1") < pl.col("ccode2"))
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.len().cast(pl.Int16).alias(name))
        .sort("ccode1", "ccode2", "year")
    )


def shared_rivals(source: Literal["tss", "td"] = "tss") -> pl.DataFrame:
    """Dyad-years with at least one shared strategic rival: ``ccode1, ccode2, year,
    shared_rivals``."""
    from foedus.panels.rivalries import rivalry_dyad_years

    _source(source)
    r = rivalry_dyad_years(source).select(
        pl.col("ccode1").alias("a"), pl.col("ccode2").alias("k"), "year"
    )
    return pairs_through(r.unique(), "shared_rivals")


def mid_opponents(window: int = 5) -> pl.DataFrame:
    """Directed ``a, k, year``: a was in a dispute with k at some time in the ``window`` years
    ending with ``year`` (COW-MID 5.0 dyad-years, ongoing)."""
    from foedus.panels.conflict import mid_dyad_years

    _window(window)
    m = mid_dyad_years("cow").filter(pl.col("cowmidongoing") == 1)
    m = m.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("k"), "year").unique()
    spread = m.with_columns(
        pl.int_ranges("year", pl.col("year") + window, dtype=pl.Int32).alias("year")
    ).explode("year")
    return spread.filter(pl.col("year") <= MID_COVERAGE[1]).unique()


def common_mid_opponents(window: int = 5) -> pl.DataFrame:
    """Dyad-years whose states both fought some third state within ``window`` years:
    ``ccode1, ccode2, year, common_mid_opponents``."""
    # k is a third state by construction: a dispute dyad never pairs a state with itself
    return pairs_through(mid_opponents(window), "common_mid_opponents")


def shared_rival_contiguous(
    source: Literal["tss", "td"] = "tss", land_only: bool = False
) -> pl.DataFrame:
    """Dyad-years with a shared rival contiguous to either state: ``ccode1, ccode2, year,
    shared_rival_contiguous`` (= 1)."""
    from foedus import loaders
    from foedus.panels.geography import contiguity_years
    from foedus.panels.rivalries import rivalry_dyad_years

    _source(source)
    validate.flag(land_only, "land_only")
    r = (
        rivalry_dyad_years(source)
        .select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("k"), "year")
        .unique()
    )
    cont = contiguity_years(loaders.load("ps-cow-contdir"))
    cont = (
        cont.filter(pl.col("conttype") == 1) if land_only else cont.filter(pl.col("conttype") > 0)
    )
    near = cont.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("k"), "year")
    # k is a rival of both; flag when k borders a or b
    triples = (
        r.rename({"a": "ccode1"})
        .join(r.rename({"a": "ccode2"}), on=["k", "year"])
        .filter(pl.col("ccode1") < pl.col("ccode2"))
    )
    border1 = triples.join(near.rename({"a": "ccode1"}), on=["ccode1", "k", "year"], how="semi")
    border2 = triples.join(near.rename({"a": "ccode2"}), on=["ccode2", "k", "year"], how="semi")
    return (
        pl.concat([border1, border2])
        .select("ccode1", "ccode2", "year")
        .unique()
        .with_columns(shared_rival_contiguous=pl.lit(1, dtype=pl.Int8))
        .sort("ccode1", "ccode2", "year")
    )


def add_threat(
    df: pl.DataFrame,
    *,
    source: Literal["tss", "td"] = "tss",
    window: int = 5,
    land_only: bool = False,
) -> pl.DataFrame:
    """Add ``shared_rivals``, ``common_mid_opponents`` and ``shared_rival_contiguous`` to a
    COW dyad-year panel (0 inside each source's coverage, null outside).

    ``source``: ``"tss"`` or ``"td"``; ``window``: 1 to :func:`window_max` years;
    ``land_only``: True or False. Checked before anything is loaded."""
    _source(source)
    _window(window)
    validate.flag(land_only, "land_only")
    info = require(df, "add_threat", kinds=("dyad",), systems=("cow",))
    riv_lo, riv_hi = RIVALRY_COVERAGE[source]
    cont_hi = min(riv_hi, CONTIGUITY_COVERAGE[1])
    out = add_dyad_values(
        df, info, shared_rivals(source), ["shared_rivals"], "add_threat", unordered=True
    )
    out = add_dyad_values(
        out,
        info,
        common_mid_opponents(window),
        ["common_mid_opponents"],
        "add_threat",
        unordered=True,
    )
    out = add_dyad_values(
        out,
        info,
        shared_rival_contiguous(source, land_only),
        ["shared_rival_contiguous"],
        "add_threat",
        unordered=True,
    )
    return out.with_columns(
        *zero_fill(["shared_rivals"], riv_lo, riv_hi, dtype=pl.Int16),
        *zero_fill(["common_mid_opponents"], MID_COVERAGE[0], MID_COVERAGE[1], dtype=pl.Int16),
        *zero_fill(["shared_rival_contiguous"], riv_lo, cont_hi),
    )
