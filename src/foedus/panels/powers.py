"""Major, global and regional powers.

Coding rules
------------
**COW major powers** (Correlates of War Project 2017, v2016):

* ``cowmaj`` (state-years; ``cowmaj1``/``cowmaj2`` for dyads) is 1 if the state was a major
  power at any point of the year (a spell's first and last years count in full, as in
  peacesciencer), else 0.
* The list ends on 2016-12-31. Years after 2016 are null by default; ``carry_forward=True``
  treats the spells that run to the list's end as continuing (peacesciencer 1.2's default
  ``mry=TRUE``; peacesciencer 1.1 and earlier silently coded 0). The assumption is yours to
  make and to report.

**Maoz powers** (Maoz 2010, *Networks of Nations*, as bundled by peacesciencer, which offers
no function for them):

* ``maoz_glob`` / ``maoz_reg``: 1 if the state was a global / regional power at any point of
  the year, else 0, inside 1816-2019; null after 2019.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from foedus import loaders, validate
from foedus.errors import YearOutOfRangeError
from foedus.panels.base import ASSUMED_THROUGH, add_state_values, require, zero_fill
from foedus.panels.registry import enricher

COW_MAJORS_SOURCE = "cow-majors"
MAOZ_SOURCE = "ps-maoz-powers"
# Coverage from the catalog.
COW_MAJORS_COVERAGE = validate.coverage(COW_MAJORS_SOURCE)
MAOZ_COVERAGE = validate.coverage(MAOZ_SOURCE)


def major_power_years(carry_forward: bool = False, through: int = ASSUMED_THROUGH) -> pl.DataFrame:
    """``ccode, year, cowmaj`` (= 1) for every year a state was a COW major power; with
    ``carry_forward``, the spells open at the list's end run through ``through`` (at most
    :func:`foedus.validate.latest_year`)."""
    carry_forward = validate.flag(carry_forward, "carry_forward")
    through = validate.system_year(through, "through")
    m = loaders.load(COW_MAJORS_SOURCE)
    end = pl.col("endyear")
    if carry_forward:  # the spells still open when the list ends (on 31 December of its year)
        list_end = dt.date(COW_MAJORS_COVERAGE[1], 12, 31)
        last = pl.date("endyear", "endmonth", "endday") == list_end
        end = pl.when(last).then(pl.lit(through)).otherwise(end)
    return (
        m.select("ccode", pl.int_ranges("styear", end + 1, dtype=pl.Int32).alias("year"))
        .explode("year")
        .unique(["ccode", "year"])
        .with_columns(cowmaj=pl.lit(1, dtype=pl.Int8))
    )


@enricher(
    "majors",
    kinds=("state", "dyad"),
    coverage=COW_MAJORS_SOURCE,
    sources=(COW_MAJORS_SOURCE,),
    adds="cowmaj (dyads: cowmaj1, cowmaj2)",
)
def add_cow_majors(df: pl.DataFrame, *, carry_forward: bool = False) -> pl.DataFrame:
    """COW major-power status (1/0; null after 2016 unless carry_forward)."""
    info = require(df, "add_cow_majors", systems=("cow",))
    last_year = int(df.get_column("year").max() or ASSUMED_THROUGH)
    if carry_forward and last_year > validate.latest_year():
        raise YearOutOfRangeError(
            "carry_forward",
            f"carry_forward=True would carry the majors of {COW_MAJORS_COVERAGE[1]} to the "
            f"panel's last year {last_year}, after {validate.latest_year()}: "
            f"{validate.future_reason()}",
            f"drop the rows after {validate.latest_year()}, e.g. "
            f"df.filter(pl.col('year') <= {validate.latest_year()}).",
        )
    years = major_power_years(carry_forward, max(last_year, ASSUMED_THROUGH))
    out = add_state_values(df, info, years, ["cowmaj"], "add_cow_majors")
    cols = ["cowmaj"] if info.kind == "state" else ["cowmaj1", "cowmaj2"]
    hi = None if carry_forward else COW_MAJORS_COVERAGE[1]
    return out.with_columns(zero_fill(cols, COW_MAJORS_COVERAGE[0], hi))


def maoz_power_years() -> pl.DataFrame:
    """``ccode, year, maoz_glob, maoz_reg`` for every year a state held either status."""
    m = loaders.load(MAOZ_SOURCE)
    frames = []
    for kind, st, en in (
        ("maoz_glob", "globstdate", "globenddate"),
        ("maoz_reg", "regstdate", "regenddate"),
    ):
        frames.append(
            m.drop_nulls(st)
            .select(
                "ccode",
                pl.int_ranges(pl.col(st).dt.year(), pl.col(en).dt.year() + 1, dtype=pl.Int32).alias(
                    "year"
                ),
            )
            .explode("year")
            .unique(["ccode", "year"])
            .with_columns(pl.lit(1, dtype=pl.Int8).alias(kind))
        )
    both = frames[0].join(frames[1], on=["ccode", "year"], how="full", coalesce=True)
    return both.with_columns(pl.col("maoz_glob", "maoz_reg").fill_null(0))


@enricher(
    "maoz",
    kinds=("state", "dyad"),
    coverage=MAOZ_SOURCE,
    sources=(MAOZ_SOURCE,),
    adds="maoz_glob, maoz_reg (dyads: ...1, ...2)",
)
def add_maoz_powers(df: pl.DataFrame) -> pl.DataFrame:
    """Maoz global and regional powers (1/0 inside 1816-2019)."""
    info = require(df, "add_maoz_powers", systems=("cow",))
    cols = ["maoz_glob", "maoz_reg"]
    out = add_state_values(df, info, maoz_power_years(), cols, "add_maoz_powers")
    names = cols if info.kind == "state" else [f"{c}{s}" for s in "12" for c in cols]
    return out.with_columns(zero_fill(names, *MAOZ_COVERAGE))
