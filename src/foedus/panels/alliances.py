"""Alliance enrichers: ATOP 5.1 pledges and COW Formal Alliances v4.1.

Coding rules
------------
**ATOP 5.1** (Leeds et al. 2002; codebook v5.1), from ATOP's directed dyad-year obligations
(``atop5_1ddyr``, as bundled by peacesciencer):

* ``atop_defense``, ``atop_offense``, ``atop_neutral``, ``atop_nonagg``, ``atop_consul``: 1 if
  a treaty in force that year commits the first state to that obligation towards the second;
  ``atop_alliance``: 1 if any ATOP alliance links them that year.
* Directed panels take the pledge of ``ccode1`` towards ``ccode2`` as ATOP codes it; ATOP
  pledges can be asymmetric (France pledged defence to Belgium in 1832, not the reverse).
* Non-directed panels (``ccode1 < ccode2``), with ``ndir=True`` (default), code a pledge as 1
  if it holds in *either* direction; ``ndir=False`` keeps only the ``ccode1 → ccode2`` pledge.
* Within ATOP's coverage (the catalog's, 1815-2018) a dyad-year without a treaty is 0; outside
  it, every column is null. Deliberate difference from peacesciencer 1.2: its ``ndir=True``
  path leaves ``atop_alliance`` missing for non-allied dyads; foedus codes them 0.
* State-years (from ATOP's state-year file): ``atop_ally`` and the five obligation flags (1 if
  the state has at least one such commitment that year) and ``atop_number`` (the number of
  alliances), 0 for members without alliances inside ATOP's coverage, null outside.
* ``world=`` (a :class:`foedus.world.World`; Python only): the pledges come from the world, and
  its years replace ATOP's coverage. State-years past ATOP's last year carry that year's
  values; state-years a scenario edited take their flags from the world's pledges (the state's
  own pledges; ``atop_ally``: any alliance tie) and ``atop_number`` ATOP's count plus the
  alliances joined or formed minus those left (docs/consequences.md).

**COW Formal Alliances v4.1** (Gibler 2009; Gibler & Sarkees 2004), from the non-directed
dyad file (the "directed" file is not directed: peacesciencer issue #13):

* Each dyad spell is expanded to the years ``dyad_st_year`` .. ``dyad_end_year`` (an empty end
  year means in force at the end of coverage, 2012); several treaties in one dyad-year are
  combined by taking the maximum of each type.
* ``cow_defense``, ``cow_neutrality``, ``cow_nonaggression``, ``cow_entente`` as published (a
  defence pact row also carries the lower obligations the treaty lists); symmetric, so the
  same values in both directions. 0 inside 1816-2012, null outside.
* State-years: the number of partners with each type of pledge (``cow_n_defense`` ...).
"""

from __future__ import annotations

import polars as pl

from foedus import loaders, validate
from foedus.errors import PanelError
from foedus.panels.base import add_dyad_values, add_state_values, require, zero_fill
from foedus.panels.registry import enricher
from foedus.world import PLEDGE_COLUMNS, PLEDGE_DATASET, World, resolve_world

ATOP_COLS = list(PLEDGE_COLUMNS)
COW_ALLIANCE_DATASET = "cow-alliance-dyad"
COW_ALLIANCE_COLS = ["cow_defense", "cow_neutrality", "cow_nonaggression", "cow_entente"]


def _atop_directed(world: World) -> pl.DataFrame:
    a = world.directed()
    return a.select(
        "ccode1",
        "ccode2",
        "year",
        pl.lit(1, dtype=pl.Int8).alias("atop_alliance"),
        *[pl.col(c).cast(pl.Int8) for c in ATOP_COLS],
    )


@enricher(
    "atop",
    kinds=("dyad", "state"),
    coverage=PLEDGE_DATASET,
    sources=("ps-atop-alliance", "atop-state-years"),
    adds="atop_alliance, atop_defense, atop_offense, atop_neutral, atop_nonagg, "
    "atop_consul (state-years: atop_ally, atop_number, ...)",
)
def add_atop_alliance(
    df: pl.DataFrame, *, ndir: bool = True, world: World | None = None
) -> pl.DataFrame:
    """ATOP 5.1 alliance obligations (defence, offence, neutrality, non-aggression, consultation).

    See the module docstring for the coding rules; ``ndir`` matters only for non-directed
    dyad-years; ``world`` (default today's data) supplies the pledges.
    """
    info = require(df, "add_atop_alliance", systems=("cow",))
    world = resolve_world(world)
    cols = ["atop_alliance", *ATOP_COLS]
    first, last = world.years
    if info.kind == "state":
        sy = loaders.load("atop-state-years").select(
            pl.col("state").alias("ccode"),
            "year",
            pl.col("atopally").cast(pl.Int8).alias("atop_ally"),
            *[
                pl.col(c).cast(pl.Int8).alias(f"atop_{c}")
                for c in ("defense", "offense", "neutral", "nonagg", "consul")
            ],
            pl.col("number").cast(pl.Int16).alias("atop_number"),
        )
        scols = [c for c in sy.columns if c not in ("ccode", "year")]
        if not world.is_baseline or last != validate.coverage(PLEDGE_DATASET)[1]:
            sy = _world_state_years(sy, world)
        out = add_state_values(df, info, sy, scols, "add_atop_alliance")
        return out.with_columns(
            *zero_fill([c for c in scols if c != "atop_number"], first, last),
            *zero_fill(["atop_number"], first, last, dtype=pl.Int16),
        )
    a = _atop_directed(world)
    if not info.directed and ndir:
        lo, hi = pl.min_horizontal("ccode1", "ccode2"), pl.max_horizontal("ccode1", "ccode2")
        a = (
            a.with_columns(lo.alias("c1"), hi.alias("c2"))
            .group_by("c1", "c2", "year")
            .agg(pl.col(cols).max())
            .rename({"c1": "ccode1", "c2": "ccode2"})
        )
    out = add_dyad_values(df, info, a, cols, "add_atop_alliance")
    return out.with_columns(zero_fill(cols, first, last))


def _world_state_years(sy: pl.DataFrame, world: World) -> pl.DataFrame:
    """ATOP's state-years within the world's years: the last year's values carried past it;
    state-years an edit touched recomputed from the world's pledges (module docstring)."""
    atop_last = int(sy.get_column("year").max())
    sy = sy.filter(pl.col("year") <= world.last_year)
    if world.last_year > atop_last:
        years = pl.DataFrame(
            {"year": pl.int_range(atop_last + 1, world.last_year + 1, eager=True)},
            schema={"year": sy.schema["year"]},
        )
        carried = sy.filter(pl.col("year") == atop_last).drop("year").join(years, how="cross")
        sy = pl.concat([sy, carried.select(sy.columns)])
    touched = world.touched
    if touched.is_empty():
        return sy
    d = world.directed()
    own = d.group_by(pl.col("ccode1").alias("ccode"), "year").agg(
        pl.col(c).max().cast(pl.Int8).alias(c) for c in ATOP_COLS
    )
    tied = (
        pl.concat([d.select(pl.col(c).alias("ccode"), "year") for c in ("ccode1", "ccode2")])
        .unique()
        .with_columns(pl.lit(1, pl.Int8).alias("atop_ally"))
    )
    delta = world.number_delta.group_by("ccode", "year").agg(pl.col("delta").sum())
    keys = touched.with_columns(pl.col("ccode", "year").cast(sy.schema["ccode"]))
    new = (
        keys.join(sy, on=["ccode", "year"], how="left")
        .drop(["atop_ally", *ATOP_COLS])
        .join(
            tied.cast({"ccode": sy.schema["ccode"], "year": sy.schema["year"]}),
            on=["ccode", "year"],
            how="left",
        )
        .join(
            own.cast({"ccode": sy.schema["ccode"], "year": sy.schema["year"]}),
            on=["ccode", "year"],
            how="left",
        )
        .join(
            delta.cast({"ccode": sy.schema["ccode"], "year": sy.schema["year"]}),
            on=["ccode", "year"],
            how="left",
        )
        .with_columns(
            pl.col("atop_ally", *ATOP_COLS).fill_null(0),
            (pl.col("atop_number").fill_null(0) + pl.col("delta").fill_null(0))
            .clip(0)
            .cast(pl.Int16)
            .alias("atop_number"),
        )
        .select(sy.columns)
    )
    rest = sy.join(keys, on=["ccode", "year"], how="anti")
    return pl.concat([rest, new.cast(sy.schema)]).sort("ccode", "year")


def cow_alliance_dyad_years() -> pl.DataFrame:
    """COW v4.1 alliances as non-directed dyad-years (``ccode1 < ccode2``), one row each."""
    d = loaders.load("cow-alliance-dyad")
    if d.select((pl.col("ccode1") > pl.col("ccode2")).any()).item():
        raise PanelError(
            "the COW alliance dyad file is expected to have ccode1 < ccode2",
            "check the catalog entry for cow-alliance-dyad.",
        )
    end = pl.col("dyad_end_year").fill_null(validate.coverage(COW_ALLIANCE_DATASET)[1])
    return (
        d.select(
            "ccode1",
            "ccode2",
            pl.int_ranges("dyad_st_year", end + 1, dtype=pl.Int32).alias("year"),
            *[pl.col(c.removeprefix("cow_")).cast(pl.Int8).alias(c) for c in COW_ALLIANCE_COLS],
        )
        .explode("year")
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col(COW_ALLIANCE_COLS).max())
        .sort("ccode1", "ccode2", "year")
    )


@enricher(
    "cow_alliance",
    kinds=("dyad", "state"),
    coverage=COW_ALLIANCE_DATASET,
    sources=("cow-alliance-dyad",),
    adds="cow_defense, cow_neutrality, cow_nonaggression, cow_entente "
    "(state-years: cow_n_defense, ...)",
)
def add_cow_alliance(df: pl.DataFrame) -> pl.DataFrame:
    """COW Formal Alliances v4.1 (defence, neutrality, non-aggression, entente)."""
    info = require(df, "add_cow_alliance", systems=("cow",))
    ndy = cow_alliance_dyad_years()
    if info.kind == "state":
        both = pl.concat(
            [ndy, ndy.rename({"ccode1": "ccode2", "ccode2": "ccode1"}).select(ndy.columns)]
        )
        counts = both.group_by(pl.col("ccode1").alias("ccode"), "year").agg(
            *[
                pl.col(c).sum().cast(pl.Int16).alias(c.replace("cow_", "cow_n_"))
                for c in COW_ALLIANCE_COLS
            ]
        )
        scols = [c.replace("cow_", "cow_n_") for c in COW_ALLIANCE_COLS]
        out = add_state_values(df, info, counts, scols, "add_cow_alliance")
        return out.with_columns(
            zero_fill(scols, *validate.coverage(COW_ALLIANCE_DATASET), dtype=pl.Int16)
        )
    right = ndy
    if info.directed:
        right = pl.concat(
            [ndy, ndy.rename({"ccode1": "ccode2", "ccode2": "ccode1"}).select(ndy.columns)]
        )
    out = add_dyad_values(df, info, right, COW_ALLIANCE_COLS, "add_cow_alliance")
    return out.with_columns(zero_fill(COW_ALLIANCE_COLS, *validate.coverage(COW_ALLIANCE_DATASET)))
