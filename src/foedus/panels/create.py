"""State-years and dyad-years from the state-system membership lists.

Coding rules
------------
* **State-year**: the state was a system member at any point of the year (a state may have
  several membership spells; each spell contributes the years it touches).
* **Dyad-year**: both states were members on at least one common day of the year. This drops
  the handful of pairs that are both members in a year without ever coexisting (e.g. the
  Netherlands and Germany in 1945: Germany left on 8 May and re-entered only in 1990); these
  are the 60 COW dyad-years that peacesciencer lists as ``false_cow_dyads`` and the 38 of its
  40 ``false_gw_dyads`` that do not involve a micro-state (foedus's G-W list has none).
  ``coexist=False`` keeps them.
* **Past the list's end**: COW v2016 ends on 2016-12-31 and G-W on 2017-12-31. A spell that runs
  to the list's last day is taken to continue through :data:`ASSUMED_THROUGH` (or the last year
  asked for); later entries (e.g. none for COW v2016) are of course unknown.
* Directed dyad-years hold both (a, b) and (b, a); undirected ones keep ``ccode1 < ccode2``.

Sources: Correlates of War Project (2017), State System Membership v2016; Gleditsch & Ward
(1999), list of independent states (2017 revision).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from foedus import loaders, validate
from foedus.errors import InvalidArgumentError, PanelError
from foedus.panels.base import ASSUMED_THROUGH, System


def panel_years(
    years: tuple[int, int] | int | None, system: str = "cow", name: str = "years"
) -> tuple[int, int]:
    """``years`` of a panel checked: ``(first, last)`` or one year, from the state system's
    first year (catalog) to :func:`foedus.validate.latest_year`; None is the first year through
    :data:`ASSUMED_THROUGH`."""
    return validate.system_years(
        years, name, system, default=(validate.first_year(system), ASSUMED_THROUGH)
    )


def membership_spells(system: System = "cow") -> pl.DataFrame:
    """Membership spells as ``code, start, end, open_ended`` (dates; both ends inclusive)."""
    validate.system(system)
    if system == "cow":
        st = loaders.load("cow-states")
        spells = st.select(
            pl.col("ccode").alias("code"),
            pl.date(pl.col("styear"), pl.col("stmonth"), pl.col("stday")).alias("start"),
            pl.date(pl.col("endyear"), pl.col("endmonth"), pl.col("endday")).alias("end"),
        )
    elif system == "gw":
        gw = loaders.load("gw-states")
        spells = gw.select(
            pl.col("gwcode").alias("code"),
            pl.col("startdate").alias("start"),
            pl.col("enddate").alias("end"),
        )
    else:
        raise PanelError(f"unknown state system {system!r}", "use system='cow' or system='gw'.")
    return spells.with_columns(open_ended=pl.col("end") == pl.col("end").max())


def spells_through(
    system: System, hi: int = ASSUMED_THROUGH, spells: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Spells with open-ended ones extended to the end of ``max(hi, ASSUMED_THROUGH)``
    (``hi``: a year up to :func:`foedus.validate.latest_year`)."""
    validate.system(system)
    hi = validate.system_year(hi, "hi", system)
    sp = membership_spells(system) if spells is None else _check_spells(spells)
    last = pl.lit(dt.date(max(hi, ASSUMED_THROUGH), 12, 31))
    sp = sp.with_columns(end=pl.when(pl.col("open_ended")).then(last).otherwise(pl.col("end")))
    return sp.sort("code", "start")


def _check_spells(spells: pl.DataFrame) -> pl.DataFrame:
    need = {"code": pl.Int32, "start": pl.Date, "end": pl.Date, "open_ended": pl.Boolean}
    hint = (
        "give code (int), start, end (dates) and open_ended (bool), as "
        "foedus.panels.membership_spells() returns."
    )
    if not isinstance(spells, pl.DataFrame):
        raise InvalidArgumentError(
            "spells", f"spells must be a Polars DataFrame, not {type(spells).__name__}", hint
        )
    missing = [c for c in need if c not in spells.columns]
    if missing:
        raise PanelError(f"spells frame lacks columns {missing}", hint)
    wrong = [
        c
        for c, t in need.items()
        if not (
            spells.schema[c] == t
            or (t == pl.Int32 and spells.schema[c].is_integer())
            or (t == pl.Date and spells.schema[c] == pl.Datetime)
            or spells.schema[c] == pl.Null
        )
    ]
    if wrong:
        raise PanelError(
            f"spells columns {wrong} have the wrong types "
            f"({', '.join(f'{c}: {spells.schema[c]}' for c in wrong)})",
            hint,
        )
    try:
        return spells.select(pl.col(c).cast(t) for c, t in need.items())
    except pl.exceptions.PolarsError as e:  # e.g. a code that does not fit Int32
        raise PanelError(f"spells cannot be read: {e}".splitlines()[0], hint) from None


def _one_spell_per_year(sp: pl.DataFrame) -> bool:
    """True when no state has two spells touching the same year (then spell pairs never
    produce the same dyad-year twice and no de-duplication is needed)."""
    prev_end = pl.col("end").shift(1).over("code").dt.year()
    return not sp.select((prev_end == pl.col("start").dt.year()).any()).item()


def state_years(
    system: System = "cow",
    years: tuple[int, int] | int | None = None,
    *,
    spells: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """All state-years of the COW (``ccode, year``) or G-W (``gwcode, year``) system.

    ``years`` is ``(first, last)`` or one year; the default runs from the list's start to
    :data:`ASSUMED_THROUGH`. Years run from the state system's first year (read from the
    catalog) to :func:`foedus.validate.latest_year`. Sorted by code and year. ``spells``
    replaces the published list (same columns as :func:`membership_spells`), e.g. for a
    hypothetical system.
    """
    validate.system(system)
    lo, hi = panel_years(years, system)
    code = "ccode" if system == "cow" else "gwcode"
    sp = spells_through(system, hi, spells)
    out = spell_years(sp, code, lo, hi)
    return out if _one_spell_per_year(sp) else out.unique(maintain_order=True)


def spell_years(spells: pl.DataFrame, code: str, lo: int, hi: int, *keep: str) -> pl.DataFrame:
    """One row per spell and year it touches within ``lo .. hi``: ``code`` (from the spells'
    ``code``), ``keep`` columns, ``year`` (from ``start``, ``end`` dates)."""
    return (
        spells.select(
            pl.col("code").cast(pl.Int32).alias(code),
            *keep,
            pl.int_ranges(
                pl.max_horizontal(pl.col("start").dt.year(), lo),
                pl.min_horizontal(pl.col("end").dt.year(), hi) + 1,
                dtype=pl.Int32,
            ).alias("year"),
        )
        .explode("year")
        .drop_nulls("year")
    )


def dyad_years(
    system: System = "cow",
    *,
    directed: bool = True,
    years: tuple[int, int] | int | None = None,
    coexist: bool = True,
    spells: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """All dyad-years of the COW (``ccode1, ccode2, year``) or G-W system.

    Directed by default (both orders); ``directed=False`` keeps ``ccode1 < ccode2``. With
    ``coexist`` (default) a dyad-year needs one day on which both states were members.
    Sorted by ``ccode1, ccode2, year``.

    Built from pairs of membership spells (a few tens of thousands), each expanded to the years
    the two spells share, so no large join or sort is needed.

    ``years`` as in :func:`state_years`: from the state system's first year (1816 for COW and
    G-W, read from the catalog) to :func:`foedus.validate.latest_year` (ten years past the
    current year); anything else raises :class:`~foedus.errors.InvalidArgumentError` (or
    :class:`~foedus.errors.YearOutOfRangeError`) before a list is loaded.
    """
    validate.system(system)
    directed = validate.flag(directed, "directed")
    coexist = validate.flag(coexist, "coexist")
    lo, hi = panel_years(years, system)
    code = "ccode" if system == "cow" else "gwcode"
    sp = spells_through(system, hi, spells)
    pairs = sp.join(sp, how="cross", suffix="2").filter(
        (pl.col("code") != pl.col("code2")) if directed else (pl.col("code") < pl.col("code2"))
    )
    if coexist:  # the years of the days both were members
        first = pl.max_horizontal("start", "start2").dt.year()
        last = pl.min_horizontal("end", "end2").dt.year()
        shared = pl.max_horizontal("start", "start2") <= pl.min_horizontal("end", "end2")
    else:  # the years both were members at some point
        first = pl.max_horizontal(pl.col("start").dt.year(), pl.col("start2").dt.year())
        last = pl.min_horizontal(pl.col("end").dt.year(), pl.col("end2").dt.year())
        shared = first <= last
    out = (
        pairs.filter(shared)
        .select(
            pl.col("code").cast(pl.Int32).alias(f"{code}1"),
            pl.col("code2").cast(pl.Int32).alias(f"{code}2"),
            pl.int_ranges(
                pl.max_horizontal(first, lo), pl.min_horizontal(last, hi) + 1, dtype=pl.Int32
            ).alias("year"),
        )
        .sort(f"{code}1", f"{code}2", pl.col("year").list.first())
        .explode("year")
        .drop_nulls("year")
    )
    return out if _one_spell_per_year(sp) else out.unique(maintain_order=True)
