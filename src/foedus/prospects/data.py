"""The alliance-formation panel: undirected dyad-years, an onset outcome and lagged features.

Units and outcome
-----------------
* Rows are the undirected COW dyad-years (``ccode1 < ccode2``) of
  :func:`foedus.panels.dyad_years` in ``years``.
* The pledge is ATOP 5.1 (:func:`foedus.panels.add_atop_alliance` with ``ndir=True``): a
  pledge of the chosen type (``"defense"`` by default; ``"offense"``, ``"neutral"``,
  ``"nonagg"``, ``"consul"``, or ``"any"`` = any of the five) in *either* direction. ATOP ends
  in 2018; later years are unknown, never "no pledge".
* ``at_risk`` (Boolean): the dyad had no pledge in t-1. A year in which the dyad did not exist
  in t-1 (its first year, or the first year after a gap in membership, e.g. Germany 1990) counts
  as "no pledge in t-1", so it is at risk. Null only if t-1 lies past ATOP's end.
* ``onset`` (Int8): 1 if the dyad has the pledge in any of the years t .. t+horizon-1, else 0.
  A year of that window in which the dyad does not exist counts as "no pledge". It is **null**
  on rows that are not at risk, so they cannot be fitted by mistake. It is also null where
  t+horizon-1 > 2018: the outcome is unknown.

Features
--------
Every feature is *lagged*: the value for year t is the value of year t-1. A forecast for year
T therefore uses only data that existed at the end of T-1. A lag is looked up on the dyad-year
t-1 (a join on ``year + 1``, not a row shift), so the rows of a dyad's first year, or the first
year after a gap, have null lagged values. Values outside a source's coverage are null, as the
enrichers code them. See :data:`FEATURE_DOCS` for each column.

The exceptions to "null in the first year" are the pledge-history terms. ``ever_pledge`` and
``years_since_pledge`` summarise the whole history before t, which is empty in a dyad's first
year, so they are 0 there. The history always starts at the dyad's first COW year (from 1816,
inside ATOP's coverage), whatever ``years`` asks for, so the terms are never left-censored.

Two deliberate gap fills, neither of which uses data from year t or later:

* **Major powers.** The COW major-power list ends on 2016-12-31. Spells that run to its end are
  carried forward (``add_cow_majors(carry_forward=True)``, peacesciencer 1.2's default).
* **Land contiguity.** COW contiguity ends in 2016. For t-1 > 2016 the dyad's 2016 value is
  carried forward.

Disputes (COW-MID 5.0) end in 2014, so the MID features are null from 2016 on. The
shared-rival counts (TSS) end in 2020 and the UN votes in 2019.

Not included: **alliance-portfolio similarity** (tau-b, S; :func:`foedus.panels.add_similarity`).
It is computed from the alliance portfolios themselves, so it is endogenous to the outcome.
Two states with a common set of allies score as similar, and a new pledge between them changes
both portfolios. Even lagged, it largely re-encodes the alliance network (Häge 2011; see
docs/prospects.md, "Features"). The network terms
below (``allies1``, ``allies2``, ``shared_allies``) carry the structural information
explicitly instead.

The pledge-duration terms follow Carter & Signorino (2010): ``years_since_pledge`` with its
square and cube, each divided by 100.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import polars as pl

from foedus import validate
from foedus.errors import InvalidArgumentError, PanelError
from foedus.measures.network import PLEDGES as NETWORK_PLEDGES
from foedus.world import World, resolve_world

KEYS = ["ccode1", "ccode2", "year"]
DYAD = ("ccode1", "ccode2")
#: The catalog data set the outcome comes from (ATOP's directed dyad-years): its coverage says
#: through which year outcomes are known.
OUTCOME_DATASET = "ps-atop-alliance"
ATOP_LAST = validate.coverage(OUTCOME_DATASET)[1]  # later pledges are unknown
MID_COVERAGE = validate.coverage("ps-cow-mid-ddydisps")
CONTIGUITY_LAST = validate.coverage("ps-cow-contdir")[1]
RIVALRY_COVERAGE = validate.coverage("ps-tss-rivalries")
PLEDGES = NETWORK_PLEDGES["atop"]  # the ATOP pledge columns, shared with the network

#: Feature name -> one-line description (source, lag, coding). All are values of year t-1.
FEATURE_DOCS: dict[str, str] = {
    "log_cinc_ratio": "NMC 7.0 CINC, t-1: log(stronger CINC / weaker CINC); null if either is "
    "missing or the weaker is 0",
    "cinc_total": "NMC 7.0 CINC, t-1: cinc1 + cinc2, the pair's share of system capabilities",
    "major1": "COW major powers (v2016; spells open at 2016 carried forward), t-1: ccode1 is a "
    "major power (1/0)",
    "major2": "COW major powers, t-1: ccode2 is a major power (1/0)",
    "either_major": "COW major powers, t-1: at least one of the two is a major power (1/0)",
    "land_contiguity": "COW direct contiguity 3.2, t-1: conttype == 1 (land border, 1/0); the "
    "2016 value carried forward after 2016",
    "log_capdist": "Capital distance (Miller 2022 capitals), t-1: log(1 + great-circle km)",
    "mid_ongoing": "COW-MID 5.0 (peacesciencer whittled dyad-years), t-1: a dispute between the "
    "two was ongoing (1/0); null after 2014",
    "mid_years_10": "COW-MID 5.0: number of years in t-10 .. t-1 with an ongoing dispute between "
    "the two (0-10); null when t-1 > 2014",
    "rivalry": "TSS strategic rivalries (Thompson, Sakuwa & Suhas 2022), t-1: the two are "
    "rivals (1/0); null after 2020",
    "shared_rivals": "TSS rivalries, t-1: number of states that are a strategic rival of both",
    "common_mid_opponents": "COW-MID 5.0, t-1: number of third states both fought in t-5 .. t-1 "
    "(foedus.measures.threat, window 5); null when t-1 > 2014",
    "un_agree": "UNGA votes (Voeten), t-1: share of joint roll calls with the same vote; null "
    "before 1946 (t-1 < 1946) or without joint votes",
    "allies1": "ATOP 5.1 ties with the chosen pledge, t-1: number of allies of ccode1",
    "allies2": "ATOP 5.1 ties with the chosen pledge, t-1: number of allies of ccode2",
    "shared_allies": "ATOP 5.1 ties with the chosen pledge, t-1: number of third states allied "
    "to both (closed-triangle term; Cranmer et al. 2012)",
    "years_since_pledge": "ATOP 5.1 history before t: pledge-free years before t, i.e. "
    "(t-1) - last pledge year; if never pledged, t - the dyad's first year (0 in it)",
    "years_since_pledge2": "years_since_pledge squared / 100 (Carter & Signorino 2010)",
    "years_since_pledge3": "years_since_pledge cubed / 100 (Carter & Signorino 2010)",
    "ever_pledge": "ATOP 5.1 history before t: the dyad had the pledge in some year before t "
    "(1/0; 0 in its first year)",
    "log_allies1": "ATOP 5.1 ties with the chosen pledge, t-1: log(1 + allies1)",
    "log_allies2": "ATOP 5.1 ties with the chosen pledge, t-1: log(1 + allies2)",
    "log_shared_allies": "ATOP 5.1 ties with the chosen pledge, t-1: log(1 + shared_allies); "
    "the count's logit extrapolates to near-certain onsets for the pairs with 20+ shared "
    "allies (the EU's neutral states, 2008-2010)",
    # regime type (isard's cw_democracy; Lai & Reiter 2000, Gibler & Wolford 2006)
    "dem_weak_link": "Extended UDS (isard cw_democracy), t-1: min(aeuds1, aeuds2), the less "
    "democratic side (aeuds: 0 is the democracy/autocracy cut-point); each side's last value "
    "carried forward after 2025",
    "dem_distance": "Extended UDS (isard cw_democracy), t-1: |aeuds1 - aeuds2|, the regime "
    "distance; carried forward after 2025",
    "joint_democracy": "V-Dem electoral democracy (isard cw_democracy), t-1: both "
    "v2x_polyarchy > 0.5 (1/0); carried forward after 2025",
    # wealth (isard's cw_gdppop: Anders, Fariss & Markowitz 2020)
    "log_gdp_ratio": "Simulated real GDP (PWT, isard cw_gdppop), t-1: |log(pwtrgdp1 / "
    "pwtrgdp2)|, the economic size ratio; carried forward after 2019",
    "log_gdppc_weak_link": "Simulated GDP per capita (Maddison, isard cw_gdppop), t-1: "
    "log(min(mrgdppc1, mrgdppc2)), the poorer side; carried forward after 2019",
}

#: The regime-type and wealth features (issue 10, item 3): built in every panel; the regime
#: terms improve the backtest and are in the default specification, the wealth terms do not
#: and are not (docs/prospects.md, "Features").
REGIME_FEATURES: list[str] = ["dem_weak_link", "dem_distance", "joint_democracy"]
WEALTH_FEATURES: list[str] = ["log_gdp_ratio", "log_gdppc_weak_link"]
#: Every feature column of :func:`formation_panel`, in order.
ALL_FEATURES: list[str] = list(FEATURE_DOCS)
#: The network counts and their logs: the default specification takes the logs.
COUNT_FEATURES: list[str] = ["allies1", "allies2", "shared_allies"]
LOG_COUNT_FEATURES: list[str] = ["log_allies1", "log_allies2", "log_shared_allies"]
#: The default specification of the models: the network terms as logs, the regime terms, no
#: wealth terms (docs/prospects.md, "Features", has the backtest of each choice).
FEATURES: list[str] = [
    {"allies1": "log_allies1", "allies2": "log_allies2", "shared_allies": "log_shared_allies"}.get(
        f, f
    )
    for f in ALL_FEATURES
    if f not in WEALTH_FEATURES + LOG_COUNT_FEATURES
]
#: Catalog data sets and columns of the regime and wealth features: their last years (the
#: catalog's column coverage) bound the values; later years carry the last value forward.
DEMOCRACY_DATASET = "isard-cw-democracy"
GDP_DATASET = "isard-cw-gdppop"


# --- argument checks ----------------------------------------------------------------------------


def outcome_last_year() -> int:
    """The last year whose pledges are known: ATOP's last year, from the catalog coverage of
    :data:`OUTCOME_DATASET`."""
    return validate.coverage(OUTCOME_DATASET)[1]


def first_panel_year() -> int:
    """The first year a formation panel can hold: the year after the state system's first
    year (catalog), since every feature is the value of the year before."""
    return validate.first_year() + 1


def check_pledge(pledge: object) -> str:
    """One of the ATOP pledges (``"defense"`` ... ``"any"``)."""
    return validate.choice(pledge, "pledge", tuple(PLEDGES))


def check_horizon(horizon: object) -> int:
    """A whole number of years from 1 to the years from :func:`first_panel_year` through
    ATOP's last year: a longer window would leave every outcome unknown."""
    first, last = first_panel_year(), outcome_last_year()
    return validate.integer(
        horizon,
        "horizon",
        lo=1,
        hi=last - first + 1,
        hint=f"onsets are known {first}-{last} (ATOP's last year), so a window of 1 to "
        f"{last - first + 1} years can hold a known outcome; e.g. horizon=1.",
    )


def check_ties(ties: object, name: str = "ties") -> pl.DataFrame:
    """Undirected ties with integer ``ccode1, ccode2, year`` columns."""
    ties = validate.frame(ties, name, columns=KEYS)
    bad = [c for c in KEYS if not (ties.schema[c].is_integer() or ties.schema[c] == pl.Null)]
    if bad:
        raise InvalidArgumentError(
            name,
            f"{name}: the key columns {bad} must be integers",
            "cast them, e.g. ties.with_columns(pl.col('year').cast(pl.Int32)).",
        )
    return ties


# --- pure helpers (frames in, frames out) -----------------------------------------------------


def lag(
    df: pl.DataFrame,
    cols: Sequence[str],
    by: Sequence[str] = DYAD,
    *,
    n: int = 1,
    source: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``df`` with ``cols`` replaced by their values in year ``year - n`` for the same ``by``.

    The values are looked up in ``source`` (default ``df`` itself), which must be unique on
    ``by + year``. The look-up is a join on the calendar year, not a row shift. A row whose key
    has no row ``n`` years earlier gets null: a dyad's first year, or the first year after a
    gap. Rows and their order are kept. Columns of ``cols`` that ``df`` lacks are added.
    """
    src = df if source is None else source
    cols, by = list(cols), list(by)
    missing = [c for c in [*by, "year", *cols] if c not in src.columns]
    if missing:
        raise PanelError(f"lag: the source frame lacks columns {missing}", "pass them in.")
    ydt = df.schema["year"]
    prev = src.select(*by, (pl.col("year") + n).cast(ydt).alias("year"), *cols)
    if prev.select(pl.struct(*by, "year").is_duplicated().any()).item():
        raise PanelError(
            f"lag: the source frame is not unique on {[*by, 'year']}",
            "de-duplicate it first.",
        )
    order = [*df.columns, *[c for c in cols if c not in df.columns]]
    out = df.drop([c for c in cols if c in df.columns]).join(
        prev, on=[*by, "year"], how="left", maintain_order="left"
    )
    return out.select(order)


def pledge_history(
    hist: pl.DataFrame, horizon: int = 1, last_year: int = ATOP_LAST
) -> pl.DataFrame:
    """Outcome and history terms from a dyad's pledge history.

    ``hist`` holds ``ccode1, ccode2, year, pledge``, with one row per dyad-year of the dyad's
    whole existence. ``pledge`` is 1/0, or null if unknown. Years after ``last_year`` are
    treated as unknown whatever they hold.

    Returns ``ccode1, ccode2, year, at_risk, onset, years_since_pledge, ever_pledge``, one row
    per input row, sorted by the keys. The coding is in the module docstring.
    """
    if not isinstance(horizon, numbers.Integral) or isinstance(horizon, bool) or horizon < 1:
        raise PanelError(f"horizon={horizon!r} must be at least 1", "use horizon=1 or more.")
    by = list(DYAD)
    year = pl.col("year")
    h = (
        hist.select(
            *KEYS,
            pl.when(year > last_year)
            .then(None)
            .otherwise(pl.col("pledge"))
            .cast(pl.Int8)
            .alias("pledge"),
        )
        .sort(KEYS)
        .with_columns(_row=pl.lit(1, dtype=pl.Int8))
    )
    # the pledge at t-1: no row at t-1 counts as no pledge; a row with an unknown pledge stays null
    prev = lag(h, ["pledge", "_row"], by).select(
        *KEYS,
        pl.when(pl.col("_row").is_null())
        .then(pl.lit(0, dtype=pl.Int8))
        .otherwise(pl.col("pledge"))
        .alias("prev"),
    )
    at_risk = pl.col("prev") == 0
    # the pledge at t+k for k = 0 .. horizon-1 (a lag by -k); no row counts as no pledge
    leads = [
        lag(h, ["pledge", "_row"], by, n=-k).select(
            pl.when(pl.col("_row").is_null())
            .then(pl.lit(0, dtype=pl.Int8))
            .otherwise(pl.col("pledge"))
            .alias(f"_lead{k}")
        )
        for k in range(horizon)
    ]
    out = pl.concat([h, prev.select("prev"), *leads], how="horizontal")
    lead_cols = [pl.col(f"_lead{k}") for k in range(horizon)]
    unknown = (year + horizon - 1 > last_year) | pl.any_horizontal(c.is_null() for c in lead_cols)
    onset = (
        pl.when(unknown | ~at_risk.fill_null(False))
        .then(None)
        .otherwise(pl.max_horizontal(lead_cols))
        .cast(pl.Int8)
    )
    # history before t (rows of the dyad with an earlier year; sorted, so earlier rows)
    p0 = pl.col("pledge").fill_null(0)
    last_pledge = pl.when(p0 == 1).then(year).otherwise(None).forward_fill().shift(1).over(by)
    ever = p0.cum_max().shift(1).over(by).fill_null(0)
    first = year.min().over(by)
    since = pl.when(last_pledge.is_not_null()).then(year - 1 - last_pledge).otherwise(year - first)
    past_end = year - 1 > last_year  # the history up to t-1 is not fully known
    return out.select(
        *KEYS,
        at_risk.alias("at_risk"),
        onset.alias("onset"),
        pl.when(past_end).then(None).otherwise(since).cast(pl.Int32).alias("years_since_pledge"),
        pl.when(past_end).then(None).otherwise(ever).cast(pl.Int8).alias("ever_pledge"),
    )


def window_counts(
    events: pl.DataFrame, window: int, name: str, first: int, last: int
) -> pl.DataFrame:
    """From event dyad-years ``ccode1, ccode2, year`` (unique), the number of event years in
    ``t-window .. t-1`` for each dyad and target year t: ``ccode1, ccode2, year, name``.

    Only the target years ``t`` with ``first + 1 <= t <= last + 1`` are returned (the source
    covers ``first .. last``)."""
    spread = events.select(
        *DYAD,
        pl.int_ranges(pl.col("year") + 1, pl.col("year") + window + 1, dtype=pl.Int32).alias(
            "year"
        ),
    ).explode("year")
    return (
        spread.filter(pl.col("year").is_between(first + 1, last + 1))
        .group_by(*DYAD, "year")
        .agg(pl.len().cast(pl.Int16).alias(name))
    )


def history_terms(df: pl.DataFrame) -> pl.DataFrame:
    """Add the scaled square and cube of ``years_since_pledge`` (Carter & Signorino 2010)."""
    t = pl.col("years_since_pledge").cast(pl.Float64)
    return df.with_columns(
        (t**2 / 100).alias("years_since_pledge2"), (t**3 / 100).alias("years_since_pledge3")
    )


# --- the panel ----------------------------------------------------------------------------------


def _pledge_expr(pledge: str) -> pl.Expr:
    if pledge not in PLEDGES:
        raise PanelError(f"unknown pledge {pledge!r}", f"choose from {sorted(PLEDGES)}.")
    return pl.max_horizontal(PLEDGES[pledge]).cast(pl.Int8).alias("pledge")


#: The isard columns behind the regime and wealth features.
REGIME_COLUMNS = ("aeuds", "v2x_polyarchy")
WEALTH_COLUMNS = ("mrgdppc", "pwtrgdp")
#: Both sides count as democracies above this V-Dem polyarchy score (the index's midpoint;
#: the Polity alternative, both polity2 >= 6, ends in 2020).
JOINT_DEMOCRACY_CUT = 0.5


def regime_last_year() -> int:
    """The last year of the regime columns (the catalog's column coverage: V-Dem and the
    extended UDS end in the same year)."""
    from foedus import catalog

    ds = catalog.datasets()[DEMOCRACY_DATASET]
    return min(int(ds.coverage_of(c)[1]) for c in REGIME_COLUMNS)  # type: ignore[index]


def wealth_last_year() -> int:
    """The last year of the simulated GDP estimates (the catalog's coverage)."""
    from foedus import catalog

    ds = catalog.datasets()[GDP_DATASET]
    return min(int(ds.coverage_of(c)[1]) for c in WEALTH_COLUMNS)  # type: ignore[index]


def _carried(col: str, last: int) -> pl.Expr:
    """``col`` with the dyad's last known value carried forward into the years after ``last``
    (the frame sorted by dyad and year); earlier years unchanged."""
    c = pl.col(col)
    return pl.when(pl.col("year") > last).then(c.forward_fill().over(list(DYAD))).otherwise(c)


def _current_features(
    lo: int, hi: int, pledge: str, ties: pl.DataFrame, ties_last: int, world: World | None = None
) -> pl.DataFrame:
    """Contemporaneous (year-t) values of the lagged features, on the undirected dyad-years of
    ``lo .. hi``, named as the features (lagging happens in :func:`formation_panel`); the
    network terms count ``ties``, known through ``ties_last``; capabilities carry the world's
    changes."""
    from foedus.measures.network import shared_allies_from_ties
    from foedus.measures.threat import common_mid_opponents, shared_rivals
    from foedus.panels import (
        add_capital_distance,
        add_contiguity,
        add_cow_majors,
        add_cow_mids,
        add_democracy,
        add_gdp,
        add_nmc,
        add_strategic_rivalries,
        add_un_agreement,
        dyad_years,
    )
    from foedus.panels.base import add_dyad_values, add_state_values, inspect, zero_fill

    atop_first = validate.coverage(OUTCOME_DATASET)[0]
    d = dyad_years(directed=False, years=(lo, hi))
    info = inspect(d)
    d = (
        d.pipe(add_nmc, keep="cinc", world=world)
        .pipe(add_cow_majors, carry_forward=True)
        .pipe(add_contiguity)
        .pipe(add_capital_distance)
        .pipe(add_cow_mids, keep=[])
        .pipe(add_strategic_rivalries)
        .pipe(add_un_agreement)
        .pipe(add_democracy, keep=["aeuds", "v2x_polyarchy"])
        .pipe(add_gdp, keep=["mrgdppc", "pwtrgdp"])
    )
    d = add_dyad_values(d, info, shared_rivals("tss"), ["shared_rivals"], "formation_panel")
    d = add_dyad_values(
        d, info, common_mid_opponents(5), ["common_mid_opponents"], "formation_panel"
    )
    degree = (
        pl.concat([ties.select(pl.col(c).alias("ccode"), "year") for c in DYAD])
        .group_by("ccode", "year")
        .agg(pl.len().cast(pl.Int16).alias("allies"))
    )
    d = add_state_values(d, info, degree, ["allies"], "formation_panel")
    d = add_dyad_values(
        d, info, shared_allies_from_ties(ties), ["shared_allies"], "formation_panel"
    )
    d = d.sort(KEYS).with_columns(
        _carried("landcontig", CONTIGUITY_LAST),
        *[_carried(f"{c}{s}", regime_last_year()) for c in REGIME_COLUMNS for s in "12"],
        *[_carried(f"{c}{s}", wealth_last_year()) for c in WEALTH_COLUMNS for s in "12"],
    )
    aeuds1, aeuds2 = pl.col("aeuds1"), pl.col("aeuds2")
    poly1, poly2 = pl.col("v2x_polyarchy1"), pl.col("v2x_polyarchy2")
    gdp1, gdp2 = pl.col("pwtrgdp1").log(), pl.col("pwtrgdp2").log()
    regime_known = pl.all_horizontal(
        pl.col(f"{c}{s}").is_not_null() for c in REGIME_COLUMNS for s in "12"
    )
    wealth_known = pl.all_horizontal(
        (pl.col(f"{c}{s}") > 0).fill_null(False) for c in WEALTH_COLUMNS for s in "12"
    )
    return d.select(
        *KEYS,
        pl.col("cinc_ratio").log().alias("log_cinc_ratio"),
        (pl.col("cinc1") + pl.col("cinc2")).alias("cinc_total"),
        pl.col("cowmaj1").alias("major1"),
        pl.col("cowmaj2").alias("major2"),
        pl.max_horizontal("cowmaj1", "cowmaj2").alias("either_major"),
        pl.col("landcontig").alias("land_contiguity"),
        pl.col("capdist").log1p().alias("log_capdist"),
        pl.col("cowmidongoing").alias("mid_ongoing"),
        pl.col("ongoingrivalry").alias("rivalry"),
        *zero_fill(["shared_rivals"], *RIVALRY_COVERAGE, dtype=pl.Int16),
        *zero_fill(["common_mid_opponents"], *MID_COVERAGE, dtype=pl.Int16),
        pl.col("un_agree"),
        *zero_fill(["allies1", "allies2", "shared_allies"], atop_first, ties_last, dtype=pl.Int16),
        *[
            e.cast(pl.Float64).log1p().alias(f"log_{c}")
            for e, c in zip(
                zero_fill(COUNT_FEATURES, atop_first, ties_last, dtype=pl.Int16),
                COUNT_FEATURES,
                strict=True,
            )
        ],
        # each group null unless all its inputs are known: one missing-value pattern per
        # group (a feature missing alone on rows unseen in training would be unidentified)
        pl.when(regime_known).then(pl.min_horizontal(aeuds1, aeuds2)).alias("dem_weak_link"),
        pl.when(regime_known).then((aeuds1 - aeuds2).abs()).alias("dem_distance"),
        pl.when(regime_known)
        .then((poly1 > JOINT_DEMOCRACY_CUT) & (poly2 > JOINT_DEMOCRACY_CUT))
        .cast(pl.Int8)
        .alias("joint_democracy"),
        pl.when(wealth_known).then((gdp1 - gdp2).abs()).alias("log_gdp_ratio"),
        pl.when(wealth_known)
        .then(pl.min_horizontal("mrgdppc1", "mrgdppc2").log())
        .alias("log_gdppc_weak_link"),
    )


def formation_panel(
    years: tuple[int, int] = (1946, 2018),
    pledge: str = "defense",
    horizon: int = 1,
    *,
    ties: pl.DataFrame | None = None,
    world: World | None = None,
) -> pl.DataFrame:
    """The alliance-formation panel: ``ccode1, ccode2, year, at_risk, onset`` and
    :data:`FEATURES`, on the undirected COW dyad-years of ``years`` (see the module docstring).

    ``world`` (a :class:`foedus.world.World`; default today's data) supplies the pledges, the
    alliance network and any capability changes; it may run past ATOP's end
    (:func:`foedus.world.current_world` with ``through=``): the pledge-history terms,
    ``at_risk`` and the network terms then follow it through its last year, while ``onset``
    stays null past ATOP's last year (an assumed alliance state is never an outcome).
    ``ties`` (undirected ``ccode1, ccode2, year`` with the pledge), the older way of giving an
    alliance state, may be given instead of a world.

    Checked before anything is loaded: ``years`` from :func:`first_panel_year` (the year after
    the state system's first, as features are lagged) to :func:`foedus.validate.latest_year`;
    ``pledge`` one of :data:`PLEDGES`; ``horizon`` at least 1 year (:func:`check_horizon`);
    ``ties`` a frame with integer keys.
    """
    from foedus.measures.network import alliance_ties
    from foedus.panels import add_atop_alliance, dyad_years
    from foedus.panels.base import add_dyad_values, inspect, zero_fill
    from foedus.panels.conflict import mid_dyad_years

    first = first_panel_year()
    lo, hi = validate.year_range(
        years,
        "years",
        lo=first,
        lo_reason=f"every feature is the value of the year before, and {validate.first_reason()}",
    )
    pledge = check_pledge(pledge)
    horizon = check_horizon(horizon)
    if ties is not None:
        if world is not None:
            raise InvalidArgumentError(
                "ties",
                "give either ties or a world, not both",
                "a world carries its ties: leave ties out.",
            )
        ties = check_ties(ties)
    world = resolve_world(world)
    pledge_col = _pledge_expr(pledge)
    # the whole pledge history of every dyad, from the state system's first year to the end of
    # the outcome window (outcomes past the last year a panel may reach are unknown anyway)
    hist_last = min(hi + horizon - 1, validate.latest_year())
    hist = dyad_years(directed=False, years=(validate.first_year(), hist_last))
    hist = add_atop_alliance(hist, ndir=True, world=world).select(*KEYS, pledge_col)
    if ties is None:
        ties = alliance_ties("atop", pledge, world=world)
    known = max(ATOP_LAST, int(ties["year"].max() or ATOP_LAST))
    if known > ATOP_LAST and known > world.last_year:
        # an older-style alliance state past ATOP's end: tied in the given state, else not
        tied = ties.filter(pl.col("year") > ATOP_LAST).with_columns(_tied=pl.lit(1, pl.Int8))
        hist = add_dyad_values(hist, inspect(hist), tied, ["_tied"], "formation_panel")
        hist = hist.select(
            *KEYS,
            pl.when(pl.col("year") > ATOP_LAST)
            .then(pl.col("_tied").fill_null(0))
            .otherwise(pl.col("pledge"))
            .alias("pledge"),
        )
    out = pledge_history(hist, horizon, known).filter(pl.col("year").is_between(lo, hi))
    out = history_terms(out).with_columns(  # outcomes come from ATOP only
        pl.when(pl.col("year") + horizon - 1 > ATOP_LAST)
        .then(None)
        .otherwise(pl.col("onset"))
        .alias("onset")
    )
    # lagged features: year-t rows take the values of the dyad-year t-1
    cur = _current_features(lo - 1, hi - 1, pledge, ties, known, world)
    lagged = [c for c in cur.columns if c not in KEYS]
    out = lag(out, lagged, source=cur)
    # MID years in t-10 .. t-1 (a window join, lagged by construction)
    mids = (
        mid_dyad_years("cow")
        .filter((pl.col("cowmidongoing") == 1) & (pl.col("ccode1") < pl.col("ccode2")))
        .select(*KEYS)
        .unique()
    )
    counts = window_counts(mids, 10, "mid_years_10", *MID_COVERAGE)
    out = add_dyad_values(out, inspect(out), counts, ["mid_years_10"], "formation_panel")
    out = out.with_columns(
        zero_fill(["mid_years_10"], MID_COVERAGE[0] + 1, MID_COVERAGE[1] + 1, dtype=pl.Int16)
    )
    return out.select(*KEYS, "at_risk", "onset", *ALL_FEATURES).sort(KEYS)
