"""Strategic rivalries.

Coding rules
------------
Two codings of strategic rivalry (states that regard each other as competitors, sources of
threat and enemies):

* ``source="tss"`` (default): Thompson, Sakuwa & Suhas (2022), 1816-2020. Dyad-years get
  ``tssr_id``, ``ongoingrivalry`` (1/0) and the four rivalry types ``positional``,
  ``spatial``, ``ideological``, ``interventionary`` (1/0); state-years get the number of
  rivalries of each type (``n_positional`` ...) and ``n_rivalries``.
* ``source="td"``: Thompson & Dreyer (2012), 1816-2010 (the data start in 1494; years before
  the state system are dropped). Dyad-years get ``rivalryno``, ``ongoingrivalry`` and the
  type labels ``type1``..``type3``; state-years ``n_rivalries``.
* Rivalries are symmetric: both directions get the same values. A rivalry's first and last
  years count in full. As in peacesciencer, Austria-Hungary's rivalry rows after 1918 are
  assigned to Austria (300 -> 305).
* 0 inside the source's coverage for dyads and states without a rivalry; null outside.
  Deliberate difference from peacesciencer 1.2, which codes every dyad-year after 2020 as
  ``ongoingrivalry = 1``.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from foedus import loaders, validate
from foedus.errors import PanelError
from foedus.panels.base import add_dyad_values, add_state_values, require, zero_fill
from foedus.panels.registry import enricher

#: The catalog data set of each rivalry source.
DATASETS = {"tss": "ps-tss-rivalries", "td": "ps-td-rivalries"}


def _coverage(dataset: str) -> tuple[int, int]:
    """The years a source is coded in: its catalog coverage, cut to start with the COW state
    system (both files reach back before it; dyad-years exist from its first year)."""
    first, last = validate.coverage(dataset)
    return max(first, validate.first_year()), last


COVERAGE = {source: _coverage(name) for source, name in DATASETS.items()}
TSS_TYPES = ["positional", "spatial", "ideological", "interventionary"]


def _austria(col: str) -> pl.Expr:
    """Austria-Hungary's rivalry years after 1918 belong to Austria (300 -> 305)."""
    c = pl.col(col)
    return pl.when((c == 300) & (pl.col("year") >= 1919)).then(305).otherwise(c).alias(col)


def rivalry_dyad_years(source: Literal["tss", "td"] = "tss") -> pl.DataFrame:
    """Directed rivalry dyad-years, one row each."""
    if source == "tss":
        r = loaders.load(DATASETS["tss"]).select(
            "tssr_id",
            "ccode1",
            "ccode2",
            pl.col("start").cast(pl.Int32).alias("st"),
            pl.col("end").cast(pl.Int32).alias("en"),
            *[pl.col(c).cast(pl.Int8) for c in TSS_TYPES],
        )
        ident, extra = "tssr_id", TSS_TYPES
    elif source == "td":
        r = loaders.load(DATASETS["td"]).select(
            "rivalryno",
            "ccode1",
            "ccode2",
            pl.col("styear").alias("st"),
            pl.col("endyear").alias("en"),
            "type1",
            "type2",
            "type3",
        )
        ident, extra = "rivalryno", ["type1", "type2", "type3"]
    else:
        raise PanelError(f"unknown rivalry source {source!r}", "use source='tss' or 'td'.")
    lo, hi = COVERAGE[source]
    years = (
        r.with_columns(
            pl.int_ranges(
                pl.max_horizontal("st", lo), pl.min_horizontal("en", hi) + 1, dtype=pl.Int32
            ).alias("year")
        )
        .explode("year")
        .drop_nulls("year")
        .drop("st", "en")
    )
    years = years.with_columns(_austria("ccode1"), _austria("ccode2"))
    both = pl.concat(
        [years, years.rename({"ccode1": "ccode2", "ccode2": "ccode1"}).select(years.columns)]
    )
    # one row per dyad-year: the lowest rivalry id if two rivalries overlap
    return (
        both.sort(ident)
        .unique(["ccode1", "ccode2", "year"], keep="first")
        .select("ccode1", "ccode2", "year", ident, *extra)
        .with_columns(ongoingrivalry=pl.lit(1, dtype=pl.Int8))
    )


@enricher(
    "rivalries",
    kinds=("state", "dyad"),
    coverage=COVERAGE["tss"],
    sources=("ps-tss-rivalries", "ps-td-rivalries"),
    adds="tssr_id, ongoingrivalry, positional, spatial, ideological, interventionary "
    "(state-years: n_rivalries, n_positional, ...)",
)
def add_strategic_rivalries(
    df: pl.DataFrame, *, source: Literal["tss", "td"] = "tss"
) -> pl.DataFrame:
    """Strategic rivalries (Thompson, Sakuwa & Suhas 2022; or Thompson & Dreyer 2012)."""
    info = require(df, "add_strategic_rivalries", systems=("cow",))
    riv = rivalry_dyad_years(source)
    lo, hi = COVERAGE[source]
    types = TSS_TYPES if source == "tss" else []
    if info.kind == "state":
        counts = riv.group_by(pl.col("ccode1").alias("ccode"), "year").agg(
            pl.len().cast(pl.Int16).alias("n_rivalries"),
            *[pl.col(t).sum().cast(pl.Int16).alias(f"n_{t}") for t in types],
        )
        cols = ["n_rivalries", *[f"n_{t}" for t in types]]
        out = add_state_values(df, info, counts, cols, "add_strategic_rivalries")
        return out.with_columns(zero_fill(cols, lo, hi, dtype=pl.Int16))
    cols = [c for c in riv.columns if c not in ("ccode1", "ccode2", "year")]
    out = add_dyad_values(df, info, riv, cols, "add_strategic_rivalries")
    return out.with_columns(zero_fill(["ongoingrivalry", *types], lo, hi))
