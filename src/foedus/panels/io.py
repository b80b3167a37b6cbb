"""Writing panels to files: Parquet, CSV, Stata ``.dta``, Arrow IPC — chosen by extension.

Writes are atomic (:mod:`foedus.files`): the file appears complete or not at all.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from foedus import files
from foedus.errors import FoedusError

FORMATS = {
    ".parquet": "Parquet",
    ".csv": "CSV",
    ".dta": "Stata",
    ".arrow": "Arrow IPC",
    ".feather": "Arrow IPC",
}


def check_panel_path(path: str | Path) -> Path:
    """Check before building a panel that ``path`` can be written: a known extension and a
    writable directory (:func:`foedus.files.check_output_file`)."""
    return files.check_output_file(path, suffixes=FORMATS, what="the panel")


def write_panel(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` atomically in the format its extension names (see :data:`FORMATS`)."""
    p = check_panel_path(path)
    ext = p.suffix.lower()
    if ext == ".dta":
        _check_stata(df)
    with files.atomic_path(p) as tmp:
        if ext == ".parquet":
            df.write_parquet(tmp)
        elif ext == ".csv":
            df.write_csv(tmp)
        elif ext in (".arrow", ".feather"):
            df.write_ipc(tmp)
        else:
            _write_stata(df, tmp)
    return p


def _check_stata(df: pl.DataFrame) -> None:
    too_long = [c for c in df.columns if len(c) > 32]
    if too_long:
        raise FoedusError(
            f"Stata variable names are limited to 32 characters: {too_long}",
            "rename those columns or write Parquet/CSV instead.",
        )


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
    pd.DataFrame(cols).to_stata(path, write_index=False, version=118)
