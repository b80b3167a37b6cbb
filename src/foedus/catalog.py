"""The data catalog: every data set foedus reads, where it comes from, and its sha256.

The registry is data (``registry/datasets.toml``), in the spirit of pooch's registry files. A
data set is looked up in this order, and its sha256 is checked before the file is first used in
a process (a mismatch raises :class:`~foedus.errors.ChecksumMismatchError`, never a table):

1. the read-only local mirror named by ``FOEDUS_DATA_DIR`` (same layout as the catalog's
   ``file`` paths, e.g. ``cow/states2016.csv``);
2. the user cache (``FOEDUS_CACHE_DIR``, default: the platform's user cache directory);
3. a download into the cache, unless ``FOEDUS_OFFLINE`` is set: from the entry's pinned URLs,
   or, when ``FOEDUS_MIRROR_URL`` names a base URL (an institution's mirror, a local server in
   tests), from ``<base>/<file>`` only — verified by the same sha256 either way.

Downloads go to a partial file beside the target (:mod:`foedus.files`), are checked for length
and sha256, and only then renamed into place, so an interrupted or corrupt download never
leaves a file in the cache; partial files of downloads killed outright are removed the next
time a process downloads.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import os
import time
import tomllib
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol

import platformdirs

from foedus import files
from foedus.errors import (
    ChecksumMismatchError,
    DataNotAvailableError,
    DownloadError,
    SettingsError,
    TruncatedDownloadError,
    UnknownDatasetError,
)

ENV_DATA_DIR = "FOEDUS_DATA_DIR"
ENV_CACHE_DIR = "FOEDUS_CACHE_DIR"
ENV_OFFLINE = "FOEDUS_OFFLINE"
ENV_MIRROR_URL = "FOEDUS_MIRROR_URL"


@dataclass(frozen=True)
class Dataset:
    """One catalog entry: a single file of a published data set."""

    name: str
    title: str
    file: str
    reader: str
    version: str
    producer: str
    sha256: str
    size: int
    cite: tuple[str, ...]
    terms: str
    homepage: str
    urls: tuple[str, ...]
    rows: int | None = None
    columns: int | None = None
    coverage: tuple[int, int] | None = None
    object: str | None = None
    notes: str | None = None
    mirror: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: Columns that end (or start) earlier than the data set: name -> (first, last) year with a
    #: value, measured on the file (e.g. Polity's ``polity2`` ends in 2020 in a table to 2025).
    column_coverage: dict[str, tuple[int, int]] = field(
        default_factory=dict, compare=False, hash=False
    )

    def coverage_of(self, column: str) -> tuple[int, int] | None:
        """The years ``column`` has values: its own coverage, else the data set's."""
        return self.column_coverage.get(column, self.coverage)

    @property
    def first_year(self) -> int | None:
        return self.coverage[0] if self.coverage else None

    @property
    def last_year(self) -> int | None:
        return self.coverage[1] if self.coverage else None


def _from_toml(entry: dict) -> Dataset:
    cov = entry.get("coverage")
    return Dataset(
        name=entry["name"],
        title=entry["title"],
        file=entry["file"],
        reader=entry["reader"],
        version=entry["version"],
        producer=entry["producer"],
        sha256=entry["sha256"].lower(),
        size=int(entry["size"]),
        cite=tuple(entry.get("cite", ())),
        terms=entry["terms"],
        homepage=entry["homepage"],
        urls=tuple(entry["urls"]),
        rows=entry.get("rows"),
        columns=entry.get("columns"),
        coverage=(int(cov[0]), int(cov[1])) if cov else None,
        object=entry.get("object"),
        notes=entry.get("notes"),
        mirror=dict(entry.get("mirror", {})),
        column_coverage={
            k: (int(v[0]), int(v[1])) for k, v in entry.get("column_coverage", {}).items()
        },
    )


@functools.cache
def datasets() -> dict[str, Dataset]:
    """All catalog entries by name, in registry order."""
    text = resources.files("foedus.registry").joinpath("datasets.toml").read_text("utf-8")
    entries = [_from_toml(e) for e in tomllib.loads(text)["dataset"]]
    by_name = {e.name: e for e in entries}
    if len(by_name) != len(entries):  # pragma: no cover - guarded by a unit test
        raise RuntimeError("duplicate data set names in the catalog")
    return by_name


def get(name: str | Dataset) -> Dataset:
    """The catalog entry called ``name`` (its catalog name, or its file path in the mirror).

    Raises :class:`UnknownDatasetError` with close matches for anything else.
    """
    if isinstance(name, Dataset):
        return name
    if not isinstance(name, str):
        from foedus.errors import InvalidArgumentError

        raise InvalidArgumentError(
            "name",
            f"a data set name must be text, not {type(name).__name__} {name!r:.60}",
            "pass a catalog name such as 'cow-states'; `foedus data list` shows every data set.",
        )
    all_ = datasets()
    if name in all_:
        return all_[name]
    by_file = {d.file: d for d in all_.values()}
    if name in by_file:
        return by_file[name]
    key = name.strip().lower().replace("_", "-")
    for d in all_.values():
        if key == d.name or key == Path(d.file).stem.lower().replace("_", "-"):
            return d
    close = difflib.get_close_matches(key, list(all_), n=4, cutoff=0.6)
    if not close:
        close = [n for n in all_ if key in n][:4]
    raise UnknownDatasetError(name, close)


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Where foedus looks for data. Read from the environment each time it is needed."""

    cache_dir: Path
    data_dir: Path | None
    offline: bool
    mirror_url: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        cache = os.environ.get(ENV_CACHE_DIR) or platformdirs.user_cache_dir("foedus")
        mirror = os.environ.get(ENV_DATA_DIR)
        offline = os.environ.get(ENV_OFFLINE, "").strip().lower() not in ("", "0", "false", "no")
        base = os.environ.get(ENV_MIRROR_URL, "").strip() or None
        if base is not None and not base.lower().startswith(("http://", "https://")):
            raise SettingsError(
                f"{ENV_MIRROR_URL}={base!r} is not an http(s) URL",
                f"set it to the base URL of a mirror laid out like the catalog's file paths, "
                f"e.g. https://data.example.org/foedus/ (for a local directory use "
                f"{ENV_DATA_DIR} instead), or unset it to download from the original sources.",
            )
        return cls(
            Path(cache).expanduser(), Path(mirror).expanduser() if mirror else None, offline, base
        )

    def urls(self, ds: Dataset) -> tuple[str, ...]:
        """Where a data set is downloaded from: the mirror URL if one is set, else the pinned
        URLs of the catalog entry."""
        if self.mirror_url is not None:
            return (self.mirror_url.rstrip("/") + "/" + urllib.parse.quote(ds.file),)
        return ds.urls

    @property
    def files_dir(self) -> Path:
        return self.cache_dir / "files"

    @property
    def frames_dir(self) -> Path:
        return self.cache_dir / "frames"


# --- hashing and verification -----------------------------------------------------------------

_VERIFIED: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _memo_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def file_sha256(path: Path) -> str:
    """sha256 of a file, remembered for this process while its size and mtime are unchanged."""
    key = _memo_key(path)
    if key not in _VERIFIED:
        _VERIFIED[key] = sha256_of(path)
    return _VERIFIED[key]


Location = Literal["mirror", "cache"]


@dataclass(frozen=True)
class Status:
    """Where a data set's file was found and whether it matches the catalog."""

    dataset: Dataset
    location: Location | None
    path: Path | None
    verified: bool | None  # None: not found, so not checked
    actual_sha256: str | None = None


def _candidates(ds: Dataset, s: Settings) -> list[tuple[Location, Path]]:
    out: list[tuple[Location, Path]] = []
    if s.data_dir is not None:
        out.append(("mirror", s.data_dir / ds.file))
    out.append(("cache", s.files_dir / ds.file))
    return out


def status(name: str | Dataset, *, check: bool = True, settings: Settings | None = None) -> Status:
    """Find a data set locally (mirror first, then cache) and, if ``check``, verify it."""
    ds = get(name)
    s = settings or Settings.from_env()
    for loc, p in _candidates(ds, s):
        if p.is_file():
            if not check:
                return Status(ds, loc, p, None)
            actual = file_sha256(p)
            return Status(ds, loc, p, actual == ds.sha256, actual)
    return Status(ds, None, None, None)


def _mismatch_hint(ds: Dataset, loc: Location, s: Settings) -> str:
    if loc == "mirror":
        return (
            f"the file in the local mirror ({ENV_DATA_DIR}={s.data_dir}) is not the published "
            f"file: restore it from the source ({ds.urls[0]}), or unset {ENV_DATA_DIR} to "
            "download a verified copy into the cache."
        )
    return (
        f"the cached copy is damaged or stale: delete it (`foedus data fetch {ds.name} "
        "--force`) to download it again."
    )


def path(
    name: str | Dataset, *, allow_download: bool = True, progress: ProgressFactory | None = None
) -> Path:
    """The verified local path of a data set, downloading it into the cache if needed.

    Raises :class:`ChecksumMismatchError` if the local file differs from the catalog,
    :class:`DataNotAvailableError` if it is absent and downloads are off (``FOEDUS_OFFLINE``
    or ``allow_download=False``), and the download errors of :func:`download`.
    """
    ds = get(name)
    s = Settings.from_env()
    st = status(ds, settings=s)
    if st.path is not None:
        if not st.verified:
            raise ChecksumMismatchError(
                ds.name,
                str(st.path),
                ds.sha256,
                st.actual_sha256 or "?",
                _mismatch_hint(ds, st.location or "cache", s),
            )
        return st.path
    if s.offline or not allow_download:
        raise DataNotAvailableError(ds.name, [str(p) for _, p in _candidates(ds, s)])
    target = s.files_dir / ds.file
    files.clean_once(s.files_dir)  # partial files of downloads killed outright
    download(ds, target, progress=progress, urls=s.urls(ds))
    return target


def fetch(
    names: Iterable[str | Dataset] | None = None,
    *,
    force: bool = False,
    progress: ProgressFactory | None = None,
) -> list[Status]:
    """Make the given data sets (default: all) available and verified; return their status.

    With ``force``, cached copies are downloaded again (the mirror is never written).
    """
    out = []
    s = Settings.from_env()
    for n in list(datasets().values()) if names is None else [get(x) for x in names]:
        if force:
            cached = s.files_dir / n.file
            try:
                cached.unlink(missing_ok=True)
            except OSError as e:
                raise files.translate(e, cached, role="cache") from e
        path(n, progress=progress)
        out.append(status(n, settings=s))
    return out


# --- downloads --------------------------------------------------------------------------------


class Progress(Protocol):
    """The tqdm-like object pooch's HTTPDownloader reports to."""

    total: int

    def update(self, n: int) -> object: ...
    def reset(self) -> object: ...
    def close(self) -> object: ...


ProgressFactory = Callable[[Dataset], Progress]


class _TransientError(Exception):
    pass


def download(
    ds: Dataset,
    target: Path,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
    progress: ProgressFactory | None = None,
    sleep: Callable[[float], None] = time.sleep,
    urls: Iterable[str] | None = None,
) -> Path:
    """Download ``ds`` to ``target`` atomically and verify it.

    Each URL (default: the entry's pinned URLs) is tried in turn; connection failures,
    truncated transfers and server errors (5xx) are retried ``retries`` times with exponential
    backoff. The bytes go to a temporary file in
    the target's directory, which is renamed to ``target`` only once its length and sha256 match
    the catalog; on any failure the temporary file is removed and the cache is left as it was.
    A cache that cannot be written raises :class:`~foedus.errors.CacheNotWritableError`, a
    full disk :class:`~foedus.errors.DiskFullError`.
    """
    import pooch
    import requests

    sources = tuple(urls) if urls is not None else ds.urls
    files.ensure_dir(target.parent, role="cache")
    files.clean_stale_partials(target.parent, names={target.name})
    last: Exception | None = None
    for url in sources:
        for attempt in range(retries + 1):
            tmp = files.partial_path(target)
            try:
                tmp.touch(exist_ok=False)
            except OSError as e:
                raise files.translate(e, target, role="cache") from e
            try:
                bar = progress(ds) if progress else False
                downloader = pooch.HTTPDownloader(progressbar=bar, timeout=timeout)
                try:
                    downloader(url, str(tmp), None)
                except requests.HTTPError as e:
                    code = e.response.status_code if e.response is not None else 0
                    if code >= 500:
                        raise _TransientError(f"HTTP {code}") from e
                    raise DownloadError(ds.name, url, f"HTTP {code}", ds.file) from e
                except requests.exceptions.ChunkedEncodingError as e:
                    # the server closed the connection before Content-Length bytes arrived
                    raise TruncatedDownloadError(ds.name, url, ds.size, tmp.stat().st_size) from e
                except (requests.ConnectionError, requests.Timeout) as e:
                    raise _TransientError(f"{type(e).__name__}: {e}") from e
                except requests.RequestException as e:  # e.g. an invalid URL
                    raise DownloadError(ds.name, url, f"{type(e).__name__}: {e}", ds.file) from e
                except OSError as e:  # writing the partial file: a full or read-only disk
                    raise files.translate(e, target, role="cache") from e
                received = tmp.stat().st_size
                if received < ds.size:
                    raise TruncatedDownloadError(ds.name, url, ds.size, received)
                actual = sha256_of(tmp)
                if actual != ds.sha256:
                    raise ChecksumMismatchError(
                        ds.name,
                        url,
                        ds.sha256,
                        actual,
                        "the server sent different bytes from the published file; nothing was "
                        "written to the cache. Report the URL if this persists, or place a "
                        f"verified copy in a mirror named by {ENV_DATA_DIR}.",
                    )
                try:
                    with open(tmp, "rb") as fh:
                        os.fsync(fh.fileno())
                    os.replace(tmp, target)
                except OSError as e:
                    raise files.translate(e, target, role="cache") from e
                _VERIFIED[_memo_key(target)] = actual
                return target
            except (_TransientError, TruncatedDownloadError) as e:
                last = e
                if attempt < retries:
                    sleep(backoff * (2**attempt))
                    continue
                break
            except (DownloadError, ChecksumMismatchError) as e:
                last = e
                break
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
    if isinstance(last, _TransientError):
        # connection failures or server errors that persisted through every retry
        raise DownloadError(
            ds.name, sources[-1], f"{last} (after {retries + 1} attempts)", ds.file
        ) from last
    assert last is not None
    raise last
