"""What a panel is: the key columns of state-years and dyad-years, and checks on them.

Keys (see DESIGN.md): ``ccode, year`` for COW state-years and ``ccode1, ccode2, year`` for COW
dyad-years; the Gleditsch-Ward system uses ``gwcode``, ``gwcode1``, ``gwcode2``. Undirected
dyad-years have ``ccode1 < ccode2``; directed ones hold both orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

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


def left_join_checked(
    df: pl.DataFrame, right: pl.DataFrame, on: list[str], what: str
) -> pl.DataFrame:
    """A left join that must keep ``df``'s rows exactly (``right`` unique on ``on``)."""
    dup = right.select(pl.struct(on).is_duplicated().any()).item()
    if dup:  # a programming error in an enricher, never the user's
        raise AssertionError(f"{what}: right side of the join is not unique on {on}")
    right = right.with_columns(pl.col(c).cast(df.schema[c]) for c in on)
    out = df.join(right, on=on, how="left", coalesce=True, maintain_order="left")
    if out.height != df.height:  # pragma: no cover - guarded by the uniqueness check
        raise AssertionError(f"{what} changed the number of rows")
    return out


def outside(year: pl.Expr, first: int | None, last: int | None) -> pl.Expr:
    """True where ``year`` lies outside a source's coverage [first, last]."""
    cond = pl.lit(False)
    if first is not None:
        cond = cond | (year < first)
    if last is not None:
        cond = cond | (year > last)
    return cond
