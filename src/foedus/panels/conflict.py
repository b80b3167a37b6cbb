"""Conflict enrichers: militarized interstate disputes (COW MID 5.0, GML MID 2.2.1), COW
inter-state wars, and peace-year spell counters.

Coding rules
------------
**From dispute-years to dyad-years** (:func:`whittle_disputes`). The directed dyadic
dispute-years (``ps-cow-mid-dirdisps``, built by peacesciencer from MID 5.0 participant
episodes; ``ps-gml-dirdisp`` for GML) hold one row per dispute, directed dyad and year, so a
dyad with several disputes in a year has several rows (498 non-directed, 996 directed
dyad-years in COW MID 5.0). They are reduced to one row per directed dyad-year by the rules
of peacesciencer (vignette "How peacesciencer coerces dispute-year data into dyad-year
data"). Each rule only acts on dyad-years that still have more than one row, and keeps every
row that ties:

1. unique onsets: if a dispute began in the dyad-year, drop the continuing ones;
2. the highest dispute-level ``fatality`` (``-9``, unknown, counts as 0.5: more than none,
   less than 1-25 deaths);
3. the highest dispute-level ``hostlev``;
4. the highest ``mindur``, then the highest ``maxdur``;
5. the highest ``recip`` (reciprocated over unreciprocated);
6. the lowest ``stmon`` (the earliest start month);
7. then the first remaining row in the input's order (peacesciencer's GML script does this to
   drop one of the duplicate disputes #2163/#3604; GML 2.2.1 no longer holds #2163, and in
   both COW MID 5.0 and GML 2.2.1 no duplicate is left after rule 6).

On COW MID 5.0 this reproduces the vignette's counts: 498 non-directed (996 directed)
duplicate dyad-years before whittling; 24 directed (12 non-directed) rows in 6 non-directed
duplicate dyad-years after rule 4; 3 after rule 5; none after rule 6. (The vignette's text says
India-Pakistan 1963 keeps MID#2630 by hostility level; the rule, and peacesciencer's own
data, keep MID#1317, the occupation, hostlev 4 against 2.)

The dispute-level columns come from ``ps-cow-mid-disps`` for COW (joined on ``dispnum``) and
from GML's own dispute-level columns (identical to ``ps-gml-mid-disps``). A null in a tie-break
column never wins a tie and never empties a dyad-year (the published data have none).
The output equals peacesciencer's shipped ``cow_mid_ddydisps`` and ``gml_mid_ddydisps``
exactly; the enrichers read those shipped frames.

**add_cow_mids / add_gml_mids** (dyad-years, directed or not). ``cowmidonset`` /
``gmlmidonset`` (a dispute began in the dyad-year) and ``cowmidongoing`` / ``gmlmidongoing``
(a dispute was under way) are 1 for dispute dyad-years, 0 for the other dyad-years inside the
source's coverage (COW 1816-2014, GML 1816-2010) and null outside it. The dispute columns
(``dispnum``; the participant columns ``sidea1`` ... ``orig2``, where ``...1`` describes
``ccode1``; the dispute-level ``fatality``, ``hostlev``, ``mindur``, ``maxdur``, ``recip``,
``stmon``) describe the dispute kept for that dyad-year and are null elsewhere; MID's ``-9``
(unknown) is kept as published, as peacesciencer does. ``keep`` selects dispute columns
(``keep=[]`` adds only onset and ongoing, like peacesciencer's ``keep = NULL``). Non-directed
panels (``ccode1 < ccode2``) get the record of that ordered pair; the dispute data hold both
orders. Dispute dyad-years that are not COW dyad-years have no row to go to (COW MID 5.0: MID
#197, Canada-Russia 1918-1919, before Canada's COW entry in 1920). Flags are Int8, the other
columns the narrowest integer type that holds their values (e.g. ``dispnum`` Int16).
Directed GML panels also get ``init1``/``init2`` (did the state initiate?), by ``init``:
``"sidea-orig"`` = Side A originator; ``"sidea-with-joiners"`` = on Side A;
``"sidea-all-joiners"`` (default) = on Side A or a joiner on either side.

**GML state-years** (``add_gml_mids`` on state-years), from the participant file
``ps-gml-part``: disputes whose leader at start or end is wholly unknown
(``allmiss_leader_start`` / ``allmiss_leader_end``) are dropped, as in peacesciencer; each
participation is expanded to ``styear`` .. ``endyear``. ``gmlmidongoing`` = 1 if the state was
in any dispute that year, ``gmlmidonset`` = 1 if one of its participations began that year,
``gmlmidongoing_init`` / ``gmlmidonset_init`` the same restricted to the participations that
count as initiation under ``init``. Deliberate difference from peacesciencer 1.2: it codes 0
in every year, also after 2010; foedus codes 0 inside 1816-2010 and null outside.

**add_cow_wars** (inter-state wars, dyad-years), from ``ps-cow-war-inter`` (peacesciencer's
directed dyad-war-years from the Inter-State War Data v4.0; ``resume`` = 1 marks a second
combat period). Several wars in one dyad-year: keep onsets over continuing wars, then the war
with the most battle deaths (``batdeath1 + batdeath2``, one side if the other is unknown;
negative codes are unknown and become null), ties and all-unknown going to the first row.
``sidea1``/``sidea2`` are COW's side codes (1 or 2), ``initiator`` is 1 for an initiator.
``cowinteronset`` / ``cowinterongoing`` are 0 inside 1816-2007, null outside; ``warnum`` is not
kept (as in peacesciencer).

**add_peace_years** (dyad-years): the peace-years counter of Beck, Katz & Tucker (1998), as
peacesciencer computes it (``btscs``/``sbtscs``): per dyad in year order, an event year gets
the number of consecutive non-event rows before it, the year after an event is 0, and a
dyad's first row is 0. Events are ``...ongoing`` (default) or ``...onset`` of COW MIDs
(``cowmidspell``), GML MIDs (``gmlmidspell``) or COW inter-state wars (``cowinterspell``); with
``event="onset"`` the years of a continuing dispute count as years without an onset.
The counter advances by row: a dyad that leaves the system and returns (Germany 1945-1990)
resumes its count, as in peacesciencer without ``pad``. Also added: the square and cube
(``...spell2``, ``...spell3``; Carter & Signorino 2010) and ``...spell_leftcens`` = 1 while the
counter still runs from the source's first year because the dyad already existed then (its
earlier peace history is unknown: left-censored), else 0. Rows outside the source's coverage,
or not a dyad-year of the COW system, are null.

Deliberate difference from peacesciencer: foedus counts on the dyad's complete history in the
state system (all COW dyad-years over the source's coverage with the events joined on), not on
the rows the user passed. peacesciencer restarts every count at 0 in the first row a user
kept, so a panel that starts in 1946 (or is cut to politically relevant dyads) loses the
disputes before; foedus's counter is the same whatever rows the user keeps.
``counted_on="rows"`` counts on the rows passed instead, exactly as peacesciencer's
``add_spells()`` does (rows in the source's coverage, per dyad in year order): use it to
reproduce a published peacesciencer analysis, e.g. one cut to politically relevant dyads.
On the full panels (COW 1816-2014, GML 1816-2010, wars 1816-2007) the two agree exactly.
The counter is pure row-index arithmetic over the ~2 million history rows (no loop, no
grouping, no join): about 0.15 s for the full directed panel.

Citations: Palmer et al. (2022), MID 5.0; Gibler, Miller & Little (2016), GML MID; Sarkees &
Wayman (2010), COW wars; Beck, Katz & Tucker (1998), peace years; Carter & Signorino (2010),
cubic polynomial of time; Miller (2022), peacesciencer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

from foedus import loaders, validate
from foedus.errors import PanelError
from foedus.panels.base import (
    PanelInfo,
    add_dyad_values,
    add_state_values,
    no_clash,
    require,
    shrink_ints,
    zero_fill,
)
from foedus.panels.create import dyad_years
from foedus.panels.lookup import MAX_CODE
from foedus.panels.registry import enricher

Source = Literal["cow", "gml"]
KEYS = ["ccode1", "ccode2", "year"]
#: The catalog data set of each source's whittled dispute dyad-years.
MID_DATASETS = {"cow": "ps-cow-mid-ddydisps", "gml": "ps-gml-mid-ddydisps"}
#: Each source's coverage, from the catalog.
MID_COVERAGE = {source: validate.coverage(name) for source, name in MID_DATASETS.items()}
WAR_DATASET = "ps-cow-war-inter"
#: The years COW Inter-State War v4.0 covers (coded 0 without a war, null outside): the state
#: system from its first year (the catalog's ps-cow-war-inter starts with the first war, 1823)
#: through 2007, the war data's stated end. The catalog records the years with a war
#: (1823-2003); the war-free years 2004-2007 leave no rows, so that end cannot be read from
#: the catalog and stays here, the one documented exception (see the unit tests).
WAR_COVERAGE = (validate.first_year(), 2007)  # coverage-exception: COW war v4.0 ends 2007
PARTICIPANT_COLS = [
    "sidea1",
    "sidea2",
    "fatality1",
    "fatality2",
    "fatalpre1",
    "fatalpre2",
    "hiact1",
    "hiact2",
    "hostlev1",
    "hostlev2",
    "orig1",
    "orig2",
]
DISPUTE_COLS = ["fatality", "hostlev", "mindur", "maxdur", "recip", "stmon"]
#: the columns the directed dispute-years call ongoing/onset, by source
_RAW_EVENTS = {"cow": ("dispongoing", "disponset"), "gml": ("midongoing", "midonset")}
INIT_RULES = ("sidea-all-joiners", "sidea-with-joiners", "sidea-orig")
WAR_COLS = [
    "cowinterongoing",
    "cowinteronset",
    "sidea1",
    "sidea2",
    "initiator1",
    "initiator2",
    "outcome1",
    "outcome2",
    "batdeath1",
    "batdeath2",
    "resume",
]
SPELL_SOURCES = {"cow": "cowmid", "gml": "gmlmid", "cowinter": "cowinter"}
SPELL_EVENTS = ("ongoing", "onset")
#: What a peace-years count runs over: the dyad's complete history, or the rows passed.
SPELL_COUNTS = ("history", "rows")


def mid_columns(source: Source) -> tuple[str, ...]:
    """The dispute columns ``keep`` may choose from on a panel of ``source``'s MIDs (the
    directed GML columns ``init1``/``init2`` included; see :func:`add_mid_columns`)."""
    p = f"{source}mid"
    extra = ("init1", "init2") if source == "gml" else ()
    return ("dispnum", f"{p}ongoing", f"{p}onset", *PARTICIPANT_COLS, *DISPUTE_COLS, *extra)


SPELL_COVERAGE = {"cow": MID_COVERAGE["cow"], "gml": MID_COVERAGE["gml"], "cowinter": WAR_COVERAGE}


def _need(frame: pl.DataFrame, cols: Sequence[str], what: str) -> None:
    if not isinstance(frame, pl.DataFrame):
        raise PanelError(
            f"{what} needs a Polars DataFrame, got {type(frame).__name__}",
            "pass the loaders' frames (e.g. loaders.load('ps-cow-mid-dirdisps')).",
        )
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise PanelError(
            f"{what}: the frame lacks columns {missing}",
            "pass the loaders' frames (e.g. loaders.load('ps-cow-mid-dirdisps')).",
        )


# --- whittling dispute-years to dyad-years ------------------------------------------------------


def _keep_extreme(x: pl.Expr, *, lowest: bool = False) -> pl.Expr:
    """True for the rows holding the dyad-year's highest (lowest) ``x``; nulls never win."""
    x = x.cast(pl.Float64).fill_null(float("inf") if lowest else float("-inf"))
    return x == (x.min() if lowest else x.max()).over(KEYS)


def whittle_steps(
    dirdisps: pl.DataFrame, disps: pl.DataFrame | None = None, source: Source = "cow"
) -> list[tuple[str, pl.DataFrame]]:
    """The directed dispute-years after each whittling rule, as ``(rule, frame)`` pairs (the
    first is the input with its dispute-level columns). See the module docstring."""
    if not isinstance(source, str) or source not in _RAW_EVENTS:
        raise PanelError(f"unknown dispute source {source!r}", "use source='cow' or 'gml'.")
    ongoing, onset = _RAW_EVENTS[source]
    _need(dirdisps, ["dispnum", *KEYS, ongoing, onset, *PARTICIPANT_COLS], "whittle_disputes")
    d = dirdisps.select("dispnum", *KEYS, ongoing, onset, *PARTICIPANT_COLS)
    if disps is not None:
        _need(disps, ["dispnum", *DISPUTE_COLS], "whittle_disputes")
        level = disps.select("dispnum", *DISPUTE_COLS)
        if level["dispnum"].is_duplicated().any():
            raise PanelError(
                "whittle_disputes: the dispute-level frame has several rows for one dispnum",
                "pass the dispute-level file (one row per dispute), e.g. ps-cow-mid-disps.",
            )
        d = d.join(level, on="dispnum", how="left", maintain_order="left")
    else:
        _need(dirdisps, DISPUTE_COLS, "whittle_disputes (without disps)")
        d = d.with_columns(dirdisps.select(DISPUTE_COLS))
    on = pl.col(onset).fill_null(0)
    fatal = pl.col("fatality")
    rules: list[tuple[str, pl.Expr]] = [
        ("onsets", ~((on == 0) & (on.n_unique().over(KEYS) > 1))),
        (
            "fatality",
            _keep_extreme(pl.when(fatal.is_null() | (fatal == -9)).then(0.5).otherwise(fatal)),
        ),
        ("hostlev", _keep_extreme(pl.col("hostlev"))),
        ("mindur", _keep_extreme(pl.col("mindur"))),
        ("maxdur", _keep_extreme(pl.col("maxdur"))),
        ("recip", _keep_extreme(pl.col("recip"))),
        ("stmon", _keep_extreme(pl.col("stmon"), lowest=True)),
        ("first", pl.int_range(pl.len()).over(KEYS) == 0),
    ]
    steps = [("input", d)]
    for name, keep in rules:
        d = d.filter(keep)
        steps.append((name, d))
    return steps


def whittle_disputes(
    dirdisps: pl.DataFrame, disps: pl.DataFrame | None = None, source: Source = "cow"
) -> pl.DataFrame:
    """Directed dispute-years reduced to one row per directed dyad-year (peacesciencer's rules).

    ``dirdisps``: ``ps-cow-mid-dirdisps`` with ``disps`` = ``ps-cow-mid-disps`` (COW), or
    ``ps-gml-dirdisp`` alone (GML carries its dispute-level columns). Returns ``dispnum``, the
    keys, ``<source>midongoing``, ``<source>midonset``, the participant columns and the
    dispute-level columns, sorted by ``ccode1, ccode2, year``.
    """
    if source == "cow" and disps is None:
        raise PanelError(
            "whittle_disputes(source='cow') needs the dispute-level frame",
            "pass disps=loaders.load('ps-cow-mid-disps').",
        )
    d = whittle_steps(dirdisps, disps, source)[-1][1]
    ongoing, onset = _RAW_EVENTS[source]
    return (
        d.rename({ongoing: f"{source}midongoing", onset: f"{source}midonset"})
        .select(
            "dispnum",
            *KEYS,
            f"{source}midongoing",
            f"{source}midonset",
            *PARTICIPANT_COLS,
            *DISPUTE_COLS,
        )
        .sort(KEYS)
    )


def whittle_wars(wars: pl.DataFrame) -> pl.DataFrame:
    """COW inter-state dyad-war-years (``ps-cow-war-inter``) reduced to one row per directed
    dyad-year: onsets first, then the most battle deaths, then the first row (see the module
    docstring). Negative death codes become null; ``warnum`` is dropped."""
    _need(wars, [*KEYS, *WAR_COLS], "whittle_wars")
    on = pl.col("cowinteronset").fill_null(0)
    deaths = ["batdeath1", "batdeath2"]
    w = (
        wars.with_row_index("_row")
        .filter(~((on == 0) & (on.n_unique().over(KEYS) > 1)))
        .with_columns(
            pl.when(pl.col(c) < 0).then(None).otherwise(pl.col(c)).alias(c) for c in deaths
        )
    )
    b1, b2 = pl.col("batdeath1"), pl.col("batdeath2")
    total = pl.when(b1.is_null()).then(b2).when(b2.is_null()).then(b1).otherwise(b1 + b2)
    return (
        w.with_columns(_deaths=total)
        .sort(
            [*KEYS, "_deaths", "_row"],
            descending=[False, False, False, True, False],
            nulls_last=True,
        )
        .group_by(KEYS, maintain_order=True)
        .first()
        .select(*KEYS, *WAR_COLS)
    )


# --- typing the dispute tables for panels --------------------------------------------------------


def _as_ints(frame: pl.DataFrame, flags: Sequence[str]) -> pl.DataFrame:
    """Whole-number numeric columns as Int32 (``flags`` as Int8); keys, and any column with a
    fraction, stay as they are."""
    exprs = []
    for c, t in frame.schema.items():
        if c in KEYS or not t.is_numeric():
            continue
        s = frame.get_column(c).drop_nulls()
        if t.is_float() and (s.is_nan().any() or (s % 1 != 0).any()):
            continue
        exprs.append(pl.col(c).cast(pl.Int8 if c in flags else pl.Int32))
    return frame.with_columns(exprs)


def mid_dyad_years(source: Source = "cow") -> pl.DataFrame:
    """peacesciencer's whittled MID dyad-years (``ps-cow-mid-ddydisps`` or
    ``ps-gml-mid-ddydisps``) with integer columns, in :func:`whittle_disputes`'s column order;
    they equal :func:`whittle_disputes` of the dispute-years (see the integration tests)."""
    if not isinstance(source, str) or source not in MID_COVERAGE:
        raise PanelError(f"unknown dispute source {source!r}", "use source='cow' or 'gml'.")
    d = loaders.load(MID_DATASETS[source])
    p = f"{source}mid"
    d = d.select("dispnum", *KEYS, f"{p}ongoing", f"{p}onset", *PARTICIPANT_COLS, *DISPUTE_COLS)
    d = _as_ints(d, [f"{p}ongoing", f"{p}onset"])
    return shrink_ints(d, [c for c in d.columns if c not in KEYS])


def war_dyad_years() -> pl.DataFrame:
    """COW inter-state war dyad-years, whittled (:func:`whittle_wars`), with integer columns."""
    w = whittle_wars(loaders.load(WAR_DATASET))
    return _as_ints(w, [c for c in WAR_COLS if not c.startswith("batdeath")])


def _init_expr(rule: str, side: str) -> pl.Expr:
    sidea, orig = pl.col(f"sidea{side}"), pl.col(f"orig{side}")
    if rule == "sidea-orig":
        cond = (sidea == 1) & (orig == 1)
    elif rule == "sidea-with-joiners":
        cond = sidea == 1
    else:  # sidea-all-joiners
        cond = (sidea == 1) | (orig == 0)
    return cond.fill_null(False).cast(pl.Int8)


def _check_init(init: str) -> None:
    if not isinstance(init, str) or init not in INIT_RULES:
        raise PanelError(
            f"unknown init rule {init!r}", f"use one of {', '.join(repr(r) for r in INIT_RULES)}."
        )


def _no_clash(df: pl.DataFrame, cols: Sequence[str], what: str) -> None:
    no_clash(
        df,
        cols,
        what,
        hint=(
            "drop them first, or choose fewer columns with keep=[...] (keep=[] adds only the "
            "onset and ongoing indicators)."
        ),
    )


def add_mid_columns(
    df: pl.DataFrame,
    info: PanelInfo,
    ddy: pl.DataFrame,
    source: Source,
    keep: Sequence[str] | None = None,
    init: str | None = None,
) -> pl.DataFrame:
    """Add whittled MID dyad-years ``ddy`` (as :func:`mid_dyad_years` returns) to a COW
    dyad-year panel: the pure part of :func:`add_cow_mids` / :func:`add_gml_mids`."""
    what = f"add_{source}_mids"
    p = f"{source}mid"
    onset, ongoing = f"{p}onset", f"{p}ongoing"
    table = ddy
    always = [onset, ongoing]
    if init is not None and info.directed:
        table = table.with_columns(init1=_init_expr(init, "1"), init2=_init_expr(init, "2"))
        always += ["init1", "init2", "sidea1", "sidea2", "orig1", "orig2"]
    optional = [c for c in table.columns if c not in KEYS]
    if keep is None:
        cols = optional
    else:
        keep = [keep] if isinstance(keep, str) else list(keep)
        unknown = [c for c in keep if c not in optional]
        if unknown:
            raise PanelError(
                f"{what}: unknown columns in keep: {unknown}", f"choose from {optional}."
            )
        cols = list(dict.fromkeys([*always, *keep]))
    _no_clash(df, cols, what)
    out = add_dyad_values(df, info, table, cols, what)
    return out.with_columns(zero_fill([onset, ongoing], *MID_COVERAGE[source]))


@enricher(
    "cow_mids",
    kinds=("dyad",),
    coverage=MID_DATASETS["cow"],
    sources=("ps-cow-mid-ddydisps",),
    adds="cowmidonset, cowmidongoing, dispnum, sidea1/2, fatality1/2, fatalpre1/2, hiact1/2, "
    "hostlev1/2, orig1/2, fatality, hostlev, mindur, maxdur, recip, stmon",
    options={"keep": {"choices": mid_columns("cow")}},
)
def add_cow_mids(df: pl.DataFrame, *, keep: Sequence[str] | None = None) -> pl.DataFrame:
    """COW Militarized Interstate Disputes 5.0: dispute onsets and ongoing disputes by dyad-year.

    ``keep`` chooses the dispute columns (default all; ``keep=[]`` only onset and ongoing; the
    names are those of :func:`mid_columns`). See the module docstring for the coding rules.
    """
    info = require(df, "add_cow_mids", systems=("cow",))
    if info.kind == "state":
        raise PanelError(
            "add_cow_mids works on dyad-years only: COW MID state-years are not supported yet",
            "use add_gml_mids() for dispute state-years, or build dyad-years with "
            "foedus.dyad_years().",
        )
    return add_mid_columns(df, info, mid_dyad_years("cow"), "cow", keep)


def gml_state_years(part: pl.DataFrame, init: str = "sidea-all-joiners") -> pl.DataFrame:
    """GML participant episodes (``ps-gml-part``) as state-years: ``ccode, year``,
    ``gmlmidongoing``, ``gmlmidonset``, ``gmlmidongoing_init``, ``gmlmidonset_init`` (0/1)."""
    _check_init(init)
    _need(
        part,
        [
            "ccode",
            "styear",
            "endyear",
            "sidea",
            "orig",
            "allmiss_leader_start",
            "allmiss_leader_end",
        ],
        "gml_state_years",
    )
    p = part.filter((pl.col("allmiss_leader_start") == 0) & (pl.col("allmiss_leader_end") == 0))
    initiated = _init_expr(init, "").alias("_init")
    cols = ["gmlmidongoing", "gmlmidonset", "gmlmidongoing_init", "gmlmidonset_init"]
    return (
        p.select(
            "ccode",
            "styear",
            pl.int_ranges("styear", pl.col("endyear") + 1, dtype=pl.Int32).alias("year"),
            initiated,
        )
        .explode("year")
        .select(
            "ccode",
            "year",
            pl.lit(1, dtype=pl.Int8).alias("gmlmidongoing"),
            (pl.col("year") == pl.col("styear")).cast(pl.Int8).alias("gmlmidonset"),
            pl.col("_init").alias("gmlmidongoing_init"),
            ((pl.col("year") == pl.col("styear")) & (pl.col("_init") == 1))
            .cast(pl.Int8)
            .alias("gmlmidonset_init"),
        )
        .group_by("ccode", "year")
        .agg(pl.col(cols).max())
        .sort("ccode", "year")
    )


@enricher(
    "gml_mids",
    kinds=("dyad", "state"),
    coverage=MID_DATASETS["gml"],
    sources=("ps-gml-mid-ddydisps", "ps-gml-part"),
    adds="gmlmidonset, gmlmidongoing, dispnum, sidea1/2, ... (directed: init1, init2; "
    "state-years: gmlmidongoing, gmlmidonset, gmlmidongoing_init, gmlmidonset_init)",
    options={"keep": {"choices": mid_columns("gml")}, "init": {"choices": INIT_RULES}},
)
def add_gml_mids(
    df: pl.DataFrame,
    *,
    keep: Sequence[str] | None = None,
    init: str = "sidea-all-joiners",
) -> pl.DataFrame:
    """Gibler-Miller-Little MIDs 2.2.1: dispute onsets and ongoing disputes by dyad- or state-year.

    ``keep`` chooses the dispute columns of dyad-years (default all; ``keep=[]`` only onset
    and ongoing, plus the initiation columns of directed panels); ``init`` how initiation is
    coded for directed dyad-years and state-years (one of :data:`INIT_RULES`). See the module
    docstring.
    """
    info = require(df, "add_gml_mids", systems=("cow",))
    if info.kind == "state":
        cols = ["gmlmidongoing", "gmlmidonset", "gmlmidongoing_init", "gmlmidonset_init"]
        _no_clash(df, cols, "add_gml_mids")
        sy = gml_state_years(loaders.load("ps-gml-part"), init)
        out = add_state_values(df, info, sy, cols, "add_gml_mids")
        return out.with_columns(zero_fill(cols, *MID_COVERAGE["gml"]))
    return add_mid_columns(df, info, mid_dyad_years("gml"), "gml", keep, init)


def add_war_columns(df: pl.DataFrame, info: PanelInfo, wars: pl.DataFrame) -> pl.DataFrame:
    """Add whittled war dyad-years (as :func:`war_dyad_years` returns): the pure part of
    :func:`add_cow_wars`."""
    _no_clash(df, WAR_COLS, "add_cow_wars")
    out = add_dyad_values(df, info, wars, WAR_COLS, "add_cow_wars")
    return out.with_columns(zero_fill(["cowinterongoing", "cowinteronset"], *WAR_COVERAGE))


@enricher(
    "cow_wars",
    kinds=("dyad",),
    coverage=WAR_COVERAGE,
    sources=("ps-cow-war-inter",),
    adds="cowinterongoing, cowinteronset, sidea1/2, initiator1/2, outcome1/2, batdeath1/2, resume",
)
def add_cow_wars(df: pl.DataFrame) -> pl.DataFrame:
    """COW Inter-State Wars 4.0: war onsets and ongoing wars by dyad-year."""
    info = require(df, "add_cow_wars", systems=("cow",))
    if info.kind == "state":
        raise PanelError(
            "add_cow_wars works on dyad-years only (inter-state wars)",
            "build dyad-years with foedus.dyad_years().",
        )
    return add_war_columns(df, info, war_dyad_years())


# --- peace years -------------------------------------------------------------------------------


def _runs(points: np.ndarray, n: int) -> np.ndarray:
    """For each of ``n`` rows, the last of the sorted change ``points`` at or before it
    (``points[0]`` must be 0): a step function built by repetition, with no loop."""
    return np.repeat(points.astype(np.int32), np.diff(np.append(points, n)))


def spell_counter(new_unit: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The peace-years counter over rows ordered by unit, then year.

    ``new_unit[i]`` is True on each unit's first row, ``event[i]`` True on event rows. Returns
    ``spell`` (the number of consecutive non-event rows before row ``i``, counted from the
    unit's last event or its first row) and ``start`` (the index of the unit's first row).
    Global row-index arithmetic: the unit's first row and the row after the last event are
    step functions of the row index, so there is no loop and no grouping.
    """
    n = len(event)
    if n == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    new_unit = np.asarray(new_unit, dtype=bool).copy()
    new_unit[0] = True
    start = _runs(np.flatnonzero(new_unit), n)
    # a count restarts on the row after each event (row 0 if there was none before)
    restart = np.flatnonzero(np.asarray(event, dtype=bool)[:-1]) + 1
    after = _runs(np.concatenate(([0], restart)), n)
    return np.arange(n, dtype=np.int32) - np.maximum(after, start), start


_NO_KEY = MAX_CODE * MAX_CODE  # the pair key of rows with a null or out-of-range code


def _keys(df: pl.DataFrame, first: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the pair key ``ccode1 * 1000 + ccode2`` (``_NO_KEY`` if a code is null or out
    of range) and the year offset from ``first`` (``ny`` if null or outside), as int32."""
    c1, c2, y = pl.col("ccode1"), pl.col("ccode2"), pl.col("year")
    ok = c1.is_between(0, MAX_CODE - 1) & c2.is_between(0, MAX_CODE - 1)
    off = y.cast(pl.Int32) - first
    k = df.select(
        pl.when(ok).then(c1.cast(pl.Int32) * MAX_CODE + c2).otherwise(_NO_KEY).cast(pl.Int32),
        pl.when(off.is_between(0, ny - 1)).then(off).otherwise(ny).cast(pl.Int32),
    )
    return k.to_series(0).to_numpy(), k.to_series(1).to_numpy()


class _History:
    """A complete dyad-year history (sorted by ``ccode1, ccode2, year``, unique) over the
    years ``first`` .. ``last``, with a dense (pair, year) grid that finds the history row of
    any (ccode1, ccode2, year) by two array look-ups instead of a join. The grid has one spare
    pair row and one spare year column, both empty, where null or unknown keys land."""

    def __init__(self, history: pl.DataFrame, first: int, last: int) -> None:
        self.first, self.ny = first, last - first + 1
        key, yr = _keys(history, first, self.ny)
        n = len(key)
        if n and ((key == _NO_KEY).any() or (yr == self.ny).any()):
            raise AssertionError("history rows must lie inside the coverage, with valid codes")
        new = np.ones(n, dtype=bool)
        new[1:] = key[1:] != key[:-1]
        if (~new[1:] & (yr[1:] <= yr[:-1])).any():
            raise AssertionError("history must be sorted by ccode1, ccode2, year and unique")
        self.new, self.yr, self.n = new, yr, n
        if (np.diff(key[new]) <= 0).any():
            raise AssertionError("history must be sorted by ccode1, ccode2, year")
        npairs = int(new.sum())
        self.pair_of = np.full(_NO_KEY + 1, npairs, dtype=np.int32)
        self.pair_of[key[new]] = np.arange(npairs, dtype=np.int32)
        firsts = np.flatnonzero(new)
        pid = np.repeat(np.arange(npairs, dtype=np.int32), np.diff(np.append(firsts, n)))
        self.grid = np.full((npairs + 1) * (self.ny + 1), -1, dtype=np.int32)
        self.grid[pid * (self.ny + 1) + yr] = np.arange(n, dtype=np.int32)

    def rows(self, df: pl.DataFrame) -> np.ndarray:
        """The history row of each row of ``df`` (by its keys), or -1."""
        key, y = _keys(df, self.first, self.ny)
        return self.grid.take(self.pair_of.take(key) * (self.ny + 1) + y)

    def spells(self, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``spell`` and ``leftcens`` over the history rows for a boolean ``event``."""
        spell, start = spell_counter(self.new, event)
        from_start = spell == np.arange(self.n, dtype=np.int32) - start  # no event before
        return spell, from_start & (self.yr.take(start) == 0)

    def events(self, events: pl.DataFrame, event: str) -> np.ndarray:
        """The boolean ``event`` of ``events`` (keyed ``ccode1, ccode2, year``) over the rows."""
        r = self.rows(events.filter(pl.col(event).fill_null(0) != 0))
        ev = np.zeros(self.n, dtype=bool)
        ev[r[r >= 0]] = True
        return ev


def history_spells(
    history: pl.DataFrame, events: pl.DataFrame, event: str, coverage: tuple[int, int]
) -> pl.DataFrame:
    """``history`` (all dyad-years over ``coverage``, sorted by the keys) with the 0/1
    ``event`` of ``events`` (keyed ``ccode1, ccode2, year``; absent = 0), ``spell`` and
    ``leftcens`` (1 while the count still runs from the coverage's first year, in which the
    dyad already existed)."""
    h = _History(history, *coverage)
    ev = h.events(events, event)
    spell, cens = h.spells(ev)
    return history.with_columns(
        pl.Series(event, ev, dtype=pl.Int8),
        pl.Series("spell", spell, dtype=pl.Int32),
        pl.Series("leftcens", cens, dtype=pl.Int8),
    )


def add_spell_columns(
    df: pl.DataFrame,
    history: pl.DataFrame,
    events: pl.DataFrame,
    event: str,
    prefix: str,
    coverage: tuple[int, int],
) -> pl.DataFrame:
    """The pure part of :func:`add_peace_years`: ``history`` is the complete dyad-year panel
    over ``coverage`` (sorted by the keys), ``events`` the dyad-years with a 0/1 ``event``
    column; adds ``<prefix>spell``, ``...spell2``, ``...spell3`` and ``...spell_leftcens``."""
    h = _History(history, *coverage)
    spell, cens = h.spells(h.events(events, event))
    rows = h.rows(df)
    hit = rows >= 0
    take = np.where(hit, rows, 0)
    sp = spell.take(take)
    s = f"{prefix}spell"
    out = [
        pl.Series(s, sp, dtype=pl.Int32),
        pl.Series(f"{s}2", sp * sp, dtype=pl.Int32),
        pl.Series(f"{s}3", sp * sp * sp, dtype=pl.Int32),
        pl.Series(f"{s}_leftcens", cens.take(take), dtype=pl.Int8),
    ]
    if not hit.all():
        hit_s = pl.Series(hit)
        return df.with_columns(pl.when(hit_s).then(x).alias(x.name) for x in out)
    return df.with_columns(out)


@enricher(
    "peace_years",
    kinds=("dyad",),
    coverage=MID_DATASETS["cow"],
    sources=("ps-cow-mid-ddydisps", "ps-gml-mid-ddydisps", "ps-cow-war-inter", "cow-states"),
    adds="<src>spell, <src>spell2, <src>spell3, <src>spell_leftcens (src: cowmid, gmlmid, "
    "cowinter)",
    options={
        "source": {"choices": tuple(SPELL_SOURCES)},
        "event": {"choices": SPELL_EVENTS},
        "counted_on": {"choices": SPELL_COUNTS},
    },
)
def add_peace_years(
    df: pl.DataFrame,
    *,
    source: str = "cow",
    event: str = "ongoing",
    counted_on: str = "history",
) -> pl.DataFrame:
    """Peace years since the dyad's last dispute or war, with square, cube and censoring flag.

    ``source``: ``"cow"`` (COW MIDs), ``"gml"`` (GML MIDs) or ``"cowinter"`` (COW inter-state
    wars); ``event``: ``"ongoing"`` (default, as peacesciencer) or ``"onset"``;
    ``counted_on``: ``"history"`` (default: the dyad's complete history, whatever rows ``df``
    holds) or ``"rows"`` (the rows of ``df``, as peacesciencer's ``add_spells()``). See the
    module docstring.
    """
    info = require(df, "add_peace_years", kinds=("dyad",), systems=("cow",))
    prefix = SPELL_SOURCES[source]
    _no_clash(df, [f"{prefix}spell{x}" for x in ("", "2", "3", "_leftcens")], "add_peace_years")
    events = war_dyad_years() if source == "cowinter" else mid_dyad_years(source)  # type: ignore
    cov = SPELL_COVERAGE[source]
    if counted_on == "rows":
        history = (
            df.select(KEYS)
            .filter(
                pl.col("year").is_between(*cov),
                pl.col("ccode1").is_between(0, MAX_CODE - 1),
                pl.col("ccode2").is_between(0, MAX_CODE - 1),
            )
            .unique()
            .sort(KEYS)
        )
    else:
        history = dyad_years(directed=bool(info.directed), years=cov)
    return add_spell_columns(df, history, events, f"{prefix}{event}", prefix, cov)
