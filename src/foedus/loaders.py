"""Loaders: one reader per source format, each returning a Polars frame with a fixed schema.

Nothing else in foedus reads a data file. :func:`load` takes a catalog name, gets the verified
file from :mod:`foedus.catalog`, dispatches on the entry's ``reader`` and keeps the parsed
frame as Parquet in the cache (keyed by the file's sha256), so the second load of a data set
costs milliseconds.

Schema rules (all readers)
--------------------------
* Country codes (``ccode``, ``ccode1``, ``gwcode``, ``gwno_a`` ...), years, months, days
  (``styear``, ``endmon``, ``yrexit``, ``mem_st_year``, ``dyad_end_day`` ...) and identifiers
  (``dispnum``, ``warnum``, ``atopid``, ``atopid1``..``atopidN``, ``rcid`` ...) are ``Int32``
  (the exact list is the regular expression ``_INT_NAME``). Other columns keep the type the
  file gives them.
* R ``Date`` columns become ``pl.Date``; R factors become ``pl.Enum`` with the factor's levels.
* Documented missing-value codes become nulls: ``-9`` in COW NMC and MID files (every numeric
  column; these files use no other negative values). ATOP's ``endyr == 0`` / ``yrexit == 0``
  mean "still in force" and are kept as published (see ``docs/data.md``).
* Text files are decoded as Windows-1252 where the producer wrote it (G-W list); the others are
  ASCII or UTF-8.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from foedus import catalog
from foedus.derived import DerivedStore
from foedus.errors import DataFormatError, FoedusError

#: Bumped whenever a reader's output changes, so cached Parquet frames are rebuilt.
READER_VERSION = 2

_INT_NAME = re.compile(
    r"^(ccode\d?|ccode[ab]|creg_ccode|gwcode\d?|gwno_[ab](_2nd)?|state|member|"
    r"year|styear|endyear|yrent|yrexit|begyr|endyr|"
    r"(st|end)(mon|month|day)|(beg|end)(mo|day)|(mo|day)(ent|exit)|"
    r"dispnum|warnum|atopid\d*|version4id|cowid|cow4id|rcid|session|conflict_id|race_id|"
    r"rivalryno|tssr_id|conttype|"
    r"(all|mem|dyad)_(st|end)_(year|month|day))$"
)

#: Catalog names whose numeric -9 means "missing" (documented by the producers).
MISSING_MINUS_9 = frozenset({"cow-nmc", "cow-mida", "cow-midb"})


# --- conversions ------------------------------------------------------------------------------


def _series_from_pandas(name: str, col) -> pl.Series:  # col: pandas.Series
    import pandas as pd

    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        levels = [str(c) for c in dtype.categories]
        values = [None if pd.isna(v) else str(v) for v in col.tolist()]
        return pl.Series(name, values, dtype=pl.Enum(levels))
    if dtype.kind in "fiub":
        s = pl.Series(name, col.to_numpy())
        return s.fill_nan(None) if dtype.kind == "f" else s
    values = [_scalar(v) for v in col.tolist()]
    if isinstance(dtype, pd.StringDtype):
        return pl.Series(name, values, dtype=pl.String)
    if any(isinstance(v, date) for v in values):
        return pl.Series(name, values, dtype=pl.Date)
    return pl.Series(name, values, strict=False)


def _scalar(v: object) -> object:
    """One cell of an object column: NA → None; an R list cell (e.g. several authors) → text."""
    import pandas as pd

    if v is None or isinstance(v, str | date):
        return v
    if isinstance(v, list | tuple | np.ndarray):
        items = [str(x) for x in np.asarray(v).ravel().tolist() if x is not None]
        return " and ".join(items) if items else None
    return None if pd.isna(v) else v


def _pandas_to_polars(df) -> pl.DataFrame:
    return pl.DataFrame([_series_from_pandas(str(c), df[c]) for c in df.columns])


def _cast_keys(df: pl.DataFrame) -> pl.DataFrame:
    """Cast code/year/identifier columns to Int32, checking that no value is fractional."""
    exprs = []
    for name, dtype in df.schema.items():
        if not _INT_NAME.match(name) or not dtype.is_numeric() or dtype == pl.Int32:
            continue
        col = df.get_column(name)
        if dtype.is_float() and (col.drop_nulls() % 1 != 0).any():
            raise DataFormatError(f"column {name!r} should hold whole numbers but has fractions")
        exprs.append(pl.col(name).cast(pl.Int32))
    return df.with_columns(exprs) if exprs else df


def _null_codes(df: pl.DataFrame, codes: tuple[int, ...]) -> pl.DataFrame:
    exprs = [
        pl.when(pl.col(n).is_in(pl.lit(list(codes), dtype=pl.List(t)).first()))
        .then(None)
        .otherwise(pl.col(n))
        .alias(n)
        for n, t in df.schema.items()
        if t.is_numeric()
    ]
    return df.with_columns(exprs)


# --- readers, one per source format -----------------------------------------------------------


def read_rda(path: str | Path, object_name: str | None = None) -> pl.DataFrame:
    """An R data file (.rda/.RData) holding one data frame, e.g. peacesciencer's and unvotes'.

    Read with pyreadr (librdata, fast); the few files librdata cannot parse (peacesciencer's
    ``ps_bib``) fall back to the pure-Python ``rdata`` reader.
    """
    import pyreadr

    try:
        objs = pyreadr.read_r(str(path))
    except pyreadr.custom_errors.LibrdataError:
        import rdata

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tibble classes convert as plain data frames
            objs = rdata.read_rda(str(path))
    if not objs:
        raise DataFormatError(f"{path} holds no R object")
    key = object_name if object_name is not None else next(iter(objs))
    if key not in objs:
        raise DataFormatError(f"{path} has no object {key!r}; it holds {sorted(objs)}")
    obj = objs[key]
    return _cast_keys(_pandas_to_polars(obj))


def read_cow_csv(path: str | Path, *, missing_codes: tuple[int, ...] = ()) -> pl.DataFrame:
    """A Correlates of War CSV (Stata export: CRLF, sometimes no final newline).

    ``missing_codes`` (e.g. ``(-9,)`` for NMC and MID) become nulls in numeric columns.
    """
    df = pl.read_csv(_text(path, "utf-8"), infer_schema_length=None)
    if missing_codes:
        df = _null_codes(df, missing_codes)
    return _cast_keys(df)


def read_atop_csv(path: str | Path) -> pl.DataFrame:
    """An ATOP 5.1 CSV (alliance, phase, member or state-year level). All columns numeric.

    Kept as published: ``endyr``/``yrexit`` of 0 mean "in force at the end of coverage".
    """
    df = pl.read_csv(_text(path, "utf-8"), infer_schema_length=None)
    bad = [n for n, t in df.schema.items() if not t.is_numeric()]
    if bad:
        raise DataFormatError(f"ATOP file {path} has non-numeric columns {bad}")
    return _cast_keys(df)


def read_gw_dat(path: str | Path) -> pl.DataFrame:
    """The Gleditsch-Ward list of independent states (``iisystem.dat``).

    Tab-separated, no header, Windows-1252: gwcode, abbreviation, name, start and end dates as
    ``dd:mm:yyyy``. Returns ``gwcode, stateabb, statename, startdate, enddate`` (dates typed).
    """
    df = pl.read_csv(
        _text(path, "cp1252"),
        separator="\t",
        has_header=False,
        new_columns=["gwcode", "stateabb", "statename", "startdate", "enddate"],
        schema_overrides={
            "gwcode": pl.Int32,
            "stateabb": pl.String,
            "statename": pl.String,
            "startdate": pl.String,
            "enddate": pl.String,
        },
        quote_char=None,
    )
    return df.with_columns(
        pl.col("statename").str.strip_chars(),
        pl.col("startdate").str.strip_chars().str.to_date("%d:%m:%Y"),
        pl.col("enddate").str.strip_chars().str.to_date("%d:%m:%Y"),
    )


#: Our World in Data aggregate rows in the nuclear file: not states.
OWID_AGGREGATES = frozenset({"OWID_WRL"})


def read_nuclear_csv(path: str | Path, *, include_world: bool = False) -> pl.DataFrame:
    """Nuclear warhead stockpiles (OWID export of FAS estimates), one row per state-year.

    Returns ``entity, iso3, ccode, year, warheads``. The ``World`` rows are the FAS *total
    inventory* (retired warheads included), not the sum of the states' stockpiles, so they are
    dropped unless ``include_world=True`` (then their ``ccode`` is null).
    """
    from foedus import countries

    df = pl.read_csv(
        _text(path, "utf-8"),
        schema={
            "Entity": pl.String,
            "Code": pl.String,
            "Year": pl.Int32,
            "nuclear_weapons_stockpile": pl.Int64,
        },
    ).rename(
        {
            "Entity": "entity",
            "Code": "iso3",
            "Year": "year",
            "nuclear_weapons_stockpile": "warheads",
        }
    )
    if not include_world:
        df = df.filter(~pl.col("iso3").is_in(list(OWID_AGGREGATES)))
    iso_map = countries.iso3_to_ccode()
    return df.with_columns(
        pl.col("iso3").replace_strict(iso_map, default=None, return_dtype=pl.Int32).alias("ccode")
    ).select("entity", "iso3", "ccode", "year", "warheads")


def read_plain_csv(path: str | Path) -> pl.DataFrame:
    """A plain UTF-8 CSV with a header (e.g. peacesciencer's raw capitals table)."""
    return _cast_keys(pl.read_csv(_text(path, "utf-8"), infer_schema_length=None))


def _text(path: str | Path, encoding: str) -> io.StringIO:
    raw = Path(path).read_bytes()
    try:
        return io.StringIO(raw.decode(encoding))
    except UnicodeDecodeError as e:
        raise DataFormatError(f"{path} is not valid {encoding}: {e}") from e


# --- dispatch with a parsed-frame cache -------------------------------------------------------


def _reader(ds: catalog.Dataset) -> Callable[[Path], pl.DataFrame]:
    match ds.reader:
        case "rda":
            return lambda p: read_rda(p, ds.object)
        case "cow_csv":
            codes = (-9,) if ds.name in MISSING_MINUS_9 else ()
            return lambda p: read_cow_csv(p, missing_codes=codes)
        case "atop_csv":
            return read_atop_csv
        case "gw_dat":
            return read_gw_dat
        case "owid_csv":
            return read_nuclear_csv
        case "csv":
            return read_plain_csv
    raise DataFormatError(f"catalog entry {ds.name!r} names an unknown reader {ds.reader!r}")


def frame_store(settings: catalog.Settings | None = None) -> DerivedStore:
    """The parsed-frame cache (``<cache>/frames``): Parquet files with manifests."""
    s = settings or catalog.Settings.from_env()
    return DerivedStore(s.frames_dir, "frame")


def frame_name(ds: catalog.Dataset) -> str:
    """The file name of a data set's parsed frame in the cache."""
    return f"{ds.name}-{ds.sha256[:16]}-r{READER_VERSION}.parquet"


def frame_is_current(manifest: dict) -> str | None:
    """None if a cached frame's manifest is what :func:`load` would build today, else why not
    (used by ``foedus data verify`` and ``foedus data clean``)."""
    name = manifest.get("source", {}).get("name")
    try:
        ds = catalog.get(name) if isinstance(name, str) else None
    except FoedusError:
        ds = None
    if ds is None:
        return f"its source {name!r} is no longer in the catalog"
    if manifest["source"]["sha256"] != ds.sha256:
        return f"parsed from another version of {ds.name}"
    if manifest.get("version") != READER_VERSION:
        return f"parsed by reader version {manifest.get('version')}, now {READER_VERSION}"
    if manifest.get("file") != frame_name(ds):
        return "not under the name foedus reads"
    return None


def _parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


def load(name: str | catalog.Dataset, *, use_cache: bool = True) -> pl.DataFrame:
    """The data set ``name`` from the catalog as a typed Polars frame.

    The file is verified (sha256) before it is parsed; the parsed frame is kept as Parquet in
    ``<cache>/frames`` with a manifest holding the source's sha256 and the frame's own, so
    later loads skip parsing. A cached frame is served only after its bytes have been checked
    against its manifest (:mod:`foedus.derived`); a damaged one is rebuilt from the verified
    source. Set ``use_cache=False`` to parse afresh.
    """
    from foedus import validate

    use_cache = validate.flag(use_cache, "use_cache")
    ds = catalog.get(name)  # refuses a name that is not text, or not in the catalog
    path = catalog.path(ds)
    store = frame_store()
    key = frame_name(ds)
    if use_cache:
        data = store.read(key, source_sha256=ds.sha256, version=READER_VERSION)
        if data is not None:
            try:
                return pl.read_parquet(io.BytesIO(data))
            except (Exception, pl.exceptions.PanicException) as e:  # verified yet unreadable
                store.damaged(key, f"Parquet could not read it: {type(e).__name__}")
    df = _reader(ds)(path)
    if use_cache:
        store.write(
            key, _parquet_bytes(df), source=ds.name, source_sha256=ds.sha256, version=READER_VERSION
        )
    return df


def data_key() -> tuple[object, ...]:
    """What loaded data depend on in this process: the loader itself and where it reads from
    (cache, mirror, download address). Process-wide caches of frames computed from loaded
    data are keyed on it, so a test that swaps :func:`load`, or a change of
    ``FOEDUS_DATA_DIR`` / ``FOEDUS_CACHE_DIR``, never sees another source's frames."""
    st = catalog.Settings.from_env()
    return (load, str(st.cache_dir), str(st.data_dir), st.mirror_url)
