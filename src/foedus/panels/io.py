"""Writing panels to files: Parquet, CSV, Stata ``.dta``, Arrow IPC — chosen by extension."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus.errors import FoedusError

FORMATS = {
    ".parquet": "Parquet",
    ".csv": "CSV",
    ".dta": "Stata",
    ".arrow": "Arrow IPC",
    ".feather": "Arrow IPC",
}


def write_panel(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` in the format its extension names (see :data:`FORMATS`)."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in FORMATS:
        raise FoedusError(
            f"cannot write {p.name!r}: unknown extension {ext or '(none)'}",
            "use one of " + ", ".join(sorted(FORMATS)) + ".",
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.part")
    if ext == ".parquet":
        df.write_parquet(tmp)
    elif ext == ".csv":
        df.write_csv(tmp)
    elif ext in (".arrow", ".feather"):
        df.write_ipc(tmp)
    else:
        _write_stata(df, tmp)
    tmp.replace(p)
    return p


def _write_stata(df: pl.DataFrame, path: Path) -> None:
    """Stata 118 via pandas; integer columns with nulls become doubles (Stata's missing '.')."""
    import numpy as np
    import pandas as pd

    cols = {}
    for name, s in zip(df.columns, df.get_columns(), strict=True):
        if s.dtype.is_numeric():
            if s.null_count():
                cols[name] = s.cast(pl.Float64).fill_null(np.nan).to_numpy()
            else:
                cols[name] = s.to_numpy()
        elif s.dtype == pl.Boolean:
            cols[name] = s.cast(pl.Float64).fill_null(np.nan).to_numpy()
        elif s.dtype == pl.Date:
            cols[name] = pd.to_datetime(s.to_list())
        else:
            cols[name] = np.array(s.cast(pl.String).fill_null("").to_list(), dtype=object)
    too_long = [c for c in df.columns if len(c) > 32]
    if too_long:
        raise FoedusError(
            f"Stata variable names are limited to 32 characters: {too_long}",
            "rename those columns or write Parquet/CSV instead.",
        )
    pd.DataFrame(cols).to_stata(path, write_index=False, version=118)
