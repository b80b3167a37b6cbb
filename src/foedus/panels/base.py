"""What a panel is: the key columns of state-years and dyad-years, and checks on them.

Keys (see docs/panels.md, "Keys"): ``ccode, year`` for COW state-years and ``ccode1, ccode2,
year`` for COW dyad-years; the Gleditsch-Ward system uses ``gwcode``, ``gwcode1``, ``gwcode2``.
Undirected dyad-years have ``ccode1 < ccode2``; directed ones hold both orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from foedus import catalog, loaders
from foedus.errors import PanelError

System = Literal["cow", "gw"]
Kind = Literal["state", "dyad"]

#: The year past which COW/G-W membership is no longer observed but assumed: spells that run to
#: the last day of their list are extended through this year (peacesciencer extends its
#: state-system data the same way; its 1.3 series runs through 2025).
ASSUMED_THROUGH = 2025


@dataclass(frozen=True)
class PanelInfo:
    kind: Kind
    system: System
    directed: bool | None  # None for state-years

    @property
    def code(self) -> str:
        return "ccode" if self.system == "cow" else "gwcode"

    @property
    def keys(self) -> list[str]:
        c = self.code
        return [c, "year"] if self.kind == "state" else [f"{c}1", f"{c}2", "year"]


def inspect(df: pl.DataFrame) -> PanelInfo:
    """Recognise a panel from its key columns, or raise :class:`PanelError`."""
    if not isinstance(df, pl.DataFrame):
        raise PanelError(
            f"not a panel: a panel is a Polars DataFrame, not {type(df).__name__}",
            "build one with foedus.state_years() or foedus.dyad_years(), or convert with "
            "polars.from_pandas(frame).",
        )
    cols = set(df.columns)
    if "year" not in cols:
        raise PanelError(
            "not a panel: there is no 'year' column",
            "build one with foedus.state_years() or foedus.dyad_years().",
        )
    for system, code in (("cow", "ccode"), ("gw", "gwcode")):
        if {f"{code}1", f"{code}2"} <= cols:
            directed = bool(df.select((pl.col(f"{code}1") > pl.col(f"{code}2")).any()).item())
            return PanelInfo("dyad", system, directed)  # type: ignore[arg-type]
        if code in cols:
            return PanelInfo("state", system, None)  # type: ignore[arg-type]
    raise PanelError(
        f"not a panel: no country-code columns among {sorted(cols)[:8]}",
        "a state-year panel needs 'ccode' (or 'gwcode') and 'year'; a dyad-year panel needs "
        "'ccode1', 'ccode2' (or 'gwcode1', 'gwcode2') and 'year'.",
    )


def require(
    df: pl.DataFrame,
    what: str,
    *,
    kinds: tuple[Kind, ...] = ("state", "dyad"),
    systems: tuple[System, ...] = ("cow", "gw"),
) -> PanelInfo:
    """Check that ``df`` is a panel ``what`` can enrich; return what kind it is."""
    if not isinstance(df, pl.DataFrame):
        raise PanelError(
            f"{what} needs a Polars DataFrame, got {type(df).__name__}",
            "convert with polars.from_pandas(frame) first.",
        )
    info = inspect(df)
    if info.kind not in kinds:
        raise PanelError(
            f"{what} works on {' or '.join(k + '-years' for k in kinds)}, not on {info.kind}-years",
            "build the right panel with foedus.state_years() or foedus.dyad_years().",
        )
    if info.system not in systems:
        raise PanelError(
            f"{what} is coded for the {'/'.join(s.upper() for s in systems)} system, "
            f"but this panel uses {info.system.upper()} codes",
            "build the panel with system='cow'."
            if "cow" in systems
            else "build the panel with system='gw'.",
        )
    bad = [k for k in info.keys if not df.schema[k].is_integer()]
    if bad:
        raise PanelError(
            f"key columns {bad} must be integers",
            "cast them, e.g. df.with_columns(pl.col('year').cast(pl.Int32)).",
        )
    return info


def outside(year: pl.Expr, first: int | None, last: int | None) -> pl.Expr:
    """True where ``year`` lies outside a source's coverage [first, last]."""
    cond = year.is_null()  # a row without a year is outside every coverage
    if first is not None:
        cond = cond | (year < first)
    if last is not None:
        cond = cond | (year > last)
    return cond


def zero_fill(
    cols: list[str], first: int | None, last: int | None, dtype: pl.DataType = pl.Int8
) -> list[pl.Expr]:
    """Expressions that code unmatched rows as 0 inside a source's coverage [first, last] and
    leave every row outside it null (never a silent 0 past a source's end)."""
    out = outside(pl.col("year"), first, last)
    return [
        pl.when(out).then(None).otherwise(pl.col(c).fill_null(0)).cast(dtype).alias(c) for c in cols
    ]


def no_clash(df: pl.DataFrame, cols: Sequence[str], what: str, hint: str | None = None) -> None:
    """Refuse to overwrite columns the panel already has (e.g. an enricher run twice)."""
    clash = [c for c in cols if c in df.columns]
    if clash:
        raise PanelError(
            f"{what} would overwrite columns already in the panel: {clash}",
            hint or "drop or rename them first, e.g. df.drop(" + ", ".join(map(repr, clash)) + ").",
        )


def add_state_values(
    df: pl.DataFrame, info: PanelInfo, values: pl.DataFrame, cols: list[str], what: str
) -> pl.DataFrame:
    """Add state-level ``values`` (keyed ``code, year``, or just ``code``) to a panel.

    State-years get the columns as named; dyad-years get ``col1`` for the first state and
    ``col2`` for the second. ``values`` must be unique on its keys. Rows are never added or
    dropped: each panel row gets the value of its key, or null.
    """
    from foedus.panels.lookup import StateTable

    c = info.code
    if c not in values.columns:
        raise AssertionError(f"{what}: values need a {c!r} column")
    year = "year" if "year" in values.columns else None
    table = StateTable(values, c, cols, year)
    yrs = df.get_column("year") if year else None
    no_clash(df, cols if info.kind == "state" else [f"{x}{i}" for i in "12" for x in cols], what)
    if info.kind == "state":
        return df.with_columns(table.gather(df.get_column(c), yrs))
    new = []
    for side in ("1", "2"):
        new += [s.alias(f"{s.name}{side}") for s in table.gather(df.get_column(f"{c}{side}"), yrs)]
    return df.with_columns(new)


def add_catalog_state_values(
    df: pl.DataFrame, info: PanelInfo, source: str, cols: Sequence[str], what: str
) -> pl.DataFrame:
    """:func:`add_state_values` from the catalog's state-year table ``source`` (keyed
    ``code, year``), each of ``cols`` null outside its own catalog coverage
    (``Dataset.coverage_of``). The coverage is applied to the small source table, not to the
    panel's millions of rows."""
    ds = catalog.get(source)
    cols = list(dict.fromkeys(cols))
    table = loaders.load(source).select(info.code, "year", *cols)
    guards = [
        pl.when(outside(pl.col("year"), *cov)).then(None).otherwise(pl.col(c)).alias(c)
        for c in cols
        if (cov := ds.coverage_of(c)) is not None
    ]
    return add_state_values(df, info, table.with_columns(guards), cols, what)


def add_dyad_values(
    df: pl.DataFrame,
    info: PanelInfo,
    values: pl.DataFrame,
    cols: list[str],
    what: str,
    *,
    unordered: bool = False,
) -> pl.DataFrame:
    """Add dyad-level ``values`` keyed ``code1, code2, year`` (unique) to a dyad-year panel.

    By default ``(code1, code2)`` is matched as ordered. With ``unordered=True`` the values are
    a non-directed table with ``code1 < code2`` and each panel row is matched on its pair in
    ascending order, so both directions get the same value. Rows are never added or dropped.
    """
    from foedus.panels.lookup import DyadTable

    c = info.code
    if c != "ccode":  # sources keyed ccode1/ccode2 serve G-W panels under their names
        values = values.rename({"ccode1": f"{c}1", "ccode2": f"{c}2"}, strict=False)
    no_clash(df, cols, what)
    table = DyadTable(values, cols, f"{c}1", f"{c}2")
    a, b = df.get_column(f"{c}1"), df.get_column(f"{c}2")
    if unordered:
        a, b = (
            df.select(pl.min_horizontal(f"{c}1", f"{c}2")).to_series(),
            df.select(pl.max_horizontal(f"{c}1", f"{c}2")).to_series(),
        )
    return df.with_columns(table.gather(a, b, df.get_column("year")))


def shrink_ints(frame: pl.DataFrame, cols: list[str] | None = None) -> pl.DataFrame:
    """Cast integer columns to the narrowest integer type that holds their values (less memory
    to move when millions of panel rows look them up)."""
    exprs = []
    for c in cols if cols is not None else frame.columns:
        s = frame.get_column(c)
        if not s.dtype.is_integer() or s.len() == 0 or s.null_count() == s.len():
            continue
        lo, hi = int(s.min()), int(s.max())  # type: ignore[arg-type]
        for t, (a, b) in (
            (pl.Int8, (-128, 127)),
            (pl.Int16, (-32768, 32767)),
            (pl.Int32, (-(2**31), 2**31 - 1)),
        ):
            if a <= lo and hi <= b:
                if t != s.dtype:
                    exprs.append(pl.col(c).cast(t))
                break
    return frame.with_columns(exprs) if exprs else frame


def symmetric(pairs: pl.DataFrame, c1: str = "ccode1", c2: str = "ccode2") -> pl.DataFrame:
    """A non-directed dyad table made directed: each (a, b) row also as (b, a)."""
    swapped = pairs.rename({c1: c2, c2: c1}).select(pairs.columns)
    if pairs.select((pl.col(c1) < pl.col(c2)).all()).item():  # no pair can appear twice
        return pl.concat([pairs, swapped], how="vertical")
    return pl.concat([pairs, swapped], how="vertical").unique(
        [c1, c2, "year"], keep="first", maintain_order=True
    )
