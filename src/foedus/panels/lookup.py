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


def _check_codes(*arrays: np.ndarray) -> None:
    for a in arrays:
        if a.size and (a.min() < 0 or a.max() >= MAX_CODE):
            raise ValueError("country codes must lie in 0..999 for array look-ups")


class _Table:
    """One flat array per column over a key space of ``size`` cells. Integer columns without
    missing values keep their integer type; text columns are stored as integer codes into a
    list of labels; the others are float64 with NaN for missing."""

    def __init__(self, frame: pl.DataFrame, cols: list[str], flat: np.ndarray, size: int) -> None:
        self.dtypes = {c: frame.schema[c] for c in cols}
        self.arrays: dict[str, np.ndarray] = {}
        self.is_float: dict[str, bool] = {}
        self.labels: dict[str, pl.Series] = {}
        for c in cols:
            s = frame.get_column(c)
            if s.dtype == pl.String or isinstance(s.dtype, pl.Categorical | pl.Enum):
                labels = s.cast(pl.String).drop_nulls().unique(maintain_order=True)
                self.labels[c] = labels
                s = s.cast(pl.String).replace_strict(
                    labels,
                    pl.Series(range(len(labels)), dtype=pl.Int32),
                    default=None,
                    return_dtype=pl.Int32,
                )
            exact_int = s.dtype.is_integer() and s.null_count() == 0
            vals = s.to_numpy() if exact_int else s.cast(pl.Float64).fill_null(np.nan).to_numpy()
            arr = np.zeros(size, dtype=vals.dtype) if exact_int else np.full(size, np.nan)
            arr[flat] = vals
            self.arrays[c], self.is_float[c] = arr, not exact_int

    def take(self, flat: np.ndarray, hit: np.ndarray) -> list[pl.Series]:
        flat = np.where(hit, flat, 0)
        got = pl.DataFrame({c: a.take(flat) for c, a in self.arrays.items()})
        mask = pl.Series("hit", hit)
        exprs = []
        for c, t in self.dtypes.items():
            e = pl.when(mask).then(pl.col(c).fill_nan(None) if self.is_float[c] else pl.col(c))
            if c in self.labels:
                codes = pl.Series(range(len(self.labels[c])), dtype=pl.Int64)
                e = e.cast(pl.Int64).replace_strict(codes, self.labels[c], default=None)
            exprs.append(e.cast(t).alias(c))
        return got.select(exprs).get_columns()


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
        self.present = np.zeros(MAX_CODE * self.ny, dtype=bool)
        self.present[flat] = True
        if int(self.present.sum()) != frame.height:  # two rows share a cell
            raise ValueError(f"look-up table is not unique on {keys}")
        self._t = _Table(frame, cols, flat, MAX_CODE * self.ny)

    def gather(self, codes: pl.Series, years: pl.Series | None = None) -> list[pl.Series]:
        c = _codes(codes)
        ok = (c >= 0) & (c < MAX_CODE)
        if self.y0 is None:
            flat = np.where(ok, c, 0)
        else:
            assert years is not None
            y = _codes(years) - self.y0
            ok &= (y >= 0) & (y < self.ny)
            flat = np.where(ok, c * self.ny + y, 0)
        return self._t.take(flat, ok & self.present.take(flat))


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
        self.pair = np.full(MAX_CODE * MAX_CODE, -1, dtype=np.int32)
        uniq, inv = np.unique(c1 * MAX_CODE + c2, return_inverse=True)
        self.pair[uniq] = np.arange(len(uniq), dtype=np.int32)
        self.y0 = int(years.min()) if years.size else 0
        self.ny = int(years.max()) - self.y0 + 1 if years.size else 1
        size = max(len(uniq), 1) * self.ny
        flat = inv * self.ny + (years - self.y0)
        self.present = np.zeros(size, dtype=bool)
        self.present[flat] = True
        if int(self.present.sum()) != frame.height:  # two rows share a cell
            raise ValueError(f"look-up table is not unique on {[code1, code2, year]}")
        self._t = _Table(frame, cols, flat, size)

    def gather(self, code1: pl.Series, code2: pl.Series, years: pl.Series) -> list[pl.Series]:
        a, b = _codes(code1), _codes(code2)
        y = _codes(years) - self.y0
        ok = (a >= 0) & (a < MAX_CODE) & (b >= 0) & (b < MAX_CODE) & (y >= 0) & (y < self.ny)
        p = self.pair.take(np.where(ok, a * MAX_CODE + b, 0)).astype(np.int64)
        ok &= p >= 0
        flat = np.where(ok, p * self.ny + y, 0)
        return self._t.take(flat, ok & self.present.take(flat))
