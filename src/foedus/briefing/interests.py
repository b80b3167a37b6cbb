"""The brief's interest similarity over time: for each pair of parties, the similarity of
their ATOP alliance portfolios (Kendall's tau-b, Signorino-Ritter S) and their agreement in
UN General Assembly roll calls, year by year over the :data:`HISTORY_YEARS` before the brief's
year, each to its source's last year. docs/brief.md, "Foundations"; the measures' coding
rules are in docs/foundations.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from foedus.measures import unvotes
from foedus.measures.similarity import similarity
from foedus.world import World

__all__ = ["HISTORY_YEARS", "SERIES_COLUMNS", "interest_series"]

#: Years of history shown before the brief's year.
HISTORY_YEARS = 30

#: The series' columns and their labels.
SERIES_COLUMNS = {
    "portfolio_taub": "alliance portfolios, tau-b",
    "portfolio_s_un": "alliance portfolios, S",
    "un_agree": "UN votes, share agreeing",
}


def interest_series(
    pairs: Sequence[tuple[int, int]], year: int, world: World
) -> list[dict[str, Any]]:
    """One entry per pair ``(a, b)`` (``a < b``): ``pair``, ``columns`` (name: label) and
    ``rows`` (``year`` and each column; null where a source has no value for the pair or the
    year is past its end)."""
    lo = year - HISTORY_YEARS
    keys = pl.DataFrame(
        {"ccode1": [a for a, _ in pairs], "ccode2": [b for _, b in pairs]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
    )
    frames = []
    a_lo, a_hi = max(lo, world.first_year), min(year, world.last_year)
    if a_lo <= a_hi:
        s = similarity("atop", years=(a_lo, a_hi), measures=["taub", "s_un"], world=world)
        frames.append(
            s.join(keys, on=["ccode1", "ccode2"], how="semi").select(
                "ccode1",
                "ccode2",
                "year",
                pl.col("taub").alias("portfolio_taub"),
                pl.col("s_un").alias("portfolio_s_un"),
            )
        )
    u_lo, u_hi = max(lo, unvotes.COVERAGE[0]), min(year, unvotes.COVERAGE[1])
    if u_lo <= u_hi:
        parties = sorted({c for pair in pairs for c in pair})
        u = unvotes.vote_agreement(years=(u_lo, u_hi), states=parties)
        frames.append(
            u.join(keys, on=["ccode1", "ccode2"], how="semi").select(
                "ccode1", "ccode2", "year", pl.col("agree").alias("un_agree")
            )
        )
    grid = keys.join(
        pl.DataFrame({"year": list(range(lo, year + 1))}, schema={"year": pl.Int32}),
        how="cross",
    )
    for f in frames:
        f = f.with_columns(pl.col("ccode1", "ccode2", "year").cast(pl.Int32))
        grid = grid.join(f, on=["ccode1", "ccode2", "year"], how="left")
    for c in SERIES_COLUMNS:
        if c not in grid.columns:
            grid = grid.with_columns(pl.lit(None, pl.Float64).alias(c))
    out = []
    for a, b in pairs:
        g = grid.filter((pl.col("ccode1") == a) & (pl.col("ccode2") == b)).sort("year")
        rows = g.select("year", *SERIES_COLUMNS).to_dicts()
        out.append({"pair": [a, b], "columns": dict(SERIES_COLUMNS), "rows": rows})
    return out
