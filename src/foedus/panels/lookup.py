"""Fast keyed look-ups for enrichers: dense arrays instead of hash joins.

Country codes (COW and G-W) are below 1,000 and years span two centuries, so a source keyed by
``(code, year)`` fits a small dense array, and one keyed by ``(code1, code2, year)`` fits an
array over the pairs the source actually contains. Looking values up for a 2-million-row panel
is then a NumPy ``take`` of a few bytes per row instead of a hash join, and it cannot change
the number of rows: the result has exactly one value per panel row.

Columns are stored in 2-D blocks by NumPy dtype (integer columns without missing values keep
their integer type; the others become float64 with NaN for missing). A panel row without a
match gets null.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MAX_CODE = 1000  # COW and G-W codes are 2..990


def _codes(s: pl.Series) -> np.ndarray:
    return s.fill_null(-1).cast(pl.Int64).to_numpy()


def _occupied(flat: np.ndarray, size: int) -> int:
    """How many distinct cells ``flat`` fills (a scatter, cheaper than sorting)."""
    cells = np.zeros(size, dtype=bool)
    cells[flat] = True
    return int(cells.sum())


def _check_codes(*arrays: np.ndarray) -> None:
    for a in arrays:
        if a.size and (a.min() < 0 or a.max() >= MAX_CODE):
            raise ValueError("country codes must lie in 0..999 for array look-ups")


class _Table:
    """A source's columns plus one all-null row, and for every cell of the key space (plus one
    "miss" cell) the row holding its values (the null row when the source has none).

    A look-up is then one NumPy ``take`` of row numbers and one multi-threaded Polars gather of
    all columns, which keeps every dtype (text, enums, nulls) as the source has it.
    """

    def __init__(self, frame: pl.DataFrame, cols: list[str], flat: np.ndarray, size: int) -> None:
        self.size = size
        src = frame.select(cols)
        self.src = pl.concat([src, src.clear(1)], how="vertical")
        self.row = np.full(size + 1, frame.height, dtype=np.int32)
        self.row[flat] = np.arange(frame.height, dtype=np.int32)

    def take(self, flat: np.ndarray) -> list[pl.Series]:
        rows = self.row.take(flat)
        null_row = self.src.height - 1
        hits = np.flatnonzero(rows != null_row)
        if len(hits) >= len(rows) // 8:
            return self.src[pl.Series(rows)].get_columns()
        # sparse sources (disputes, wars, rivalries): scatter the few matches into null columns
        got = self.src[pl.Series(rows[hits])]
        return [
            pl.repeat(None, len(rows), dtype=s.dtype, eager=True).alias(s.name).scatter(hits, s)
            for s in got.get_columns()
        ]


class StateTable:
    """Values keyed by ``(code, year)``, or by ``code`` alone when ``year`` is None."""

    def __init__(
        self, frame: pl.DataFrame, code: str, cols: list[str], year: str | None = "year"
    ) -> None:
        keys = [code] + ([year] if year else [])
        codes = _codes(frame.get_column(code))
        _check_codes(codes)
        if year:
            years = _codes(frame.get_column(year))
            self.y0 = int(years.min()) if years.size else 0
            self.ny = int(years.max()) - self.y0 + 1 if years.size else 1
            flat = codes * self.ny + (years - self.y0)
        else:
            self.y0, self.ny = None, 1
            flat = codes
        if _occupied(flat, MAX_CODE * self.ny) != frame.height:  # two rows share a cell
            raise ValueError(f"look-up table is not unique on {keys}")
        self._t = _Table(frame, cols, flat, MAX_CODE * self.ny)

    def gather(self, codes: pl.Series, years: pl.Series | None = None) -> list[pl.Series]:
        size = self._t.size
        c = pl.col("c").cast(pl.Int32)
        ok = c.is_between(0, MAX_CODE - 1)
        if self.y0 is None:
            keys = pl.DataFrame({"c": codes})
            cell = c
        else:
            assert years is not None
            keys = pl.DataFrame({"c": codes, "y": years})
            y = pl.col("y").cast(pl.Int32) - self.y0
            ok = ok & y.is_between(0, self.ny - 1)
            cell = c * self.ny + y
        flat = _flat(keys, ok, cell, size)
        return self._t.take(flat)


def _flat(keys: pl.DataFrame, ok: pl.Expr, cell: pl.Expr, miss: int) -> np.ndarray:
    """The table cell of each key row, or ``miss`` (one fused, multi-threaded Polars pass)."""
    expr = pl.when(ok.fill_null(False)).then(cell).otherwise(miss).cast(pl.Int32)
    return keys.select(expr.alias("flat")).to_series().to_numpy()


class DyadTable:
    """Values keyed by ``(code1, code2, year)`` over the pairs present in the source."""

    def __init__(
        self,
        frame: pl.DataFrame,
        cols: list[str],
        code1: str = "ccode1",
        code2: str = "ccode2",
        year: str = "year",
    ) -> None:
        c1, c2 = _codes(frame.get_column(code1)), _codes(frame.get_column(code2))
        _check_codes(c1, c2)
        years = _codes(frame.get_column(year))
        self.pair = np.full(MAX_CODE * MAX_CODE + 1, -1, dtype=np.int32)  # + the miss cell
        uniq, inv = np.unique(c1 * MAX_CODE + c2, return_inverse=True)
        self.pair[uniq] = np.arange(len(uniq), dtype=np.int32)
        self.y0 = int(years.min()) if years.size else 0
        self.ny = int(years.max()) - self.y0 + 1 if years.size else 1
        size = max(len(uniq), 1) * self.ny
        flat = inv * self.ny + (years - self.y0)
        if _occupied(flat, size) != frame.height:  # two rows share a cell
            raise ValueError(f"look-up table is not unique on {[code1, code2, year]}")
        self._t = _Table(frame, cols, flat, size)

    def gather(self, code1: pl.Series, code2: pl.Series, years: pl.Series) -> list[pl.Series]:
        size = self._t.size
        a, b = pl.col("a").cast(pl.Int32), pl.col("b").cast(pl.Int32)
        keys = pl.DataFrame({"a": code1, "b": code2, "y": years})
        in_range = a.is_between(0, MAX_CODE - 1) & b.is_between(0, MAX_CODE - 1)
        pair_cell = _flat(keys, in_range, a * MAX_CODE + b, MAX_CODE * MAX_CODE)
        keys = keys.with_columns(p=pl.Series(self.pair.take(pair_cell)))
        p, y = pl.col("p"), pl.col("y").cast(pl.Int32) - self.y0
        flat = _flat(keys, (p >= 0) & y.is_between(0, self.ny - 1), p * self.ny + y, size)
        return self._t.take(flat)
