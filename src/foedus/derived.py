"""Derived files: what foedus computes from verified sources and keeps in the user cache
(parsed frames today, fitted models next), each checked on every read.

Every derived file ``X`` has a manifest ``X.json`` beside it, written after it::

    {"format": "foedus.derived/1", "kind": "frame", "file": "cow-nmc-….parquet",
     "size": 1234567, "sha256": "<sha256 of X's bytes>",
     "source": {"name": "cow-nmc", "sha256": "<sha256 of the source file>"},
     "version": 2, "created": "2026-12-01T22:00:00+00:00", "foedus_version": "0.1.0"}

:meth:`DerivedStore.read` returns a file's bytes only if its manifest names the expected source
hash and version and the bytes read have the size and sha256 the manifest states; the caller
parses those very bytes (no second read from disk). Anything else — no manifest, a manifest
that is not JSON, another source or version, a flipped bit, a truncated file — is *not
served*: the entry is removed and the caller rebuilds it from the verified source. Both files
are written atomically (:mod:`foedus.files`), the manifest last, so a crash between the two
leaves an entry without a manifest, which is never served and is cleaned later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from foedus import files
from foedus.errors import FileSystemError, FoedusWarning

FORMAT = "foedus.derived/1"
MANIFEST_SUFFIX = ".json"
#: Manifests are tiny; anything larger is not one.
MAX_MANIFEST_BYTES = 64 * 1024

State = Literal["verified", "damaged", "stale", "unindexed"]


@dataclass(frozen=True)
class Entry:
    """One derived file on disk and what a check found."""

    path: Path
    state: State
    reason: str
    size: int
    source: str | None = None  # the source data set's name, from the manifest


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DerivedStore:
    """A directory of derived files of one ``kind`` (e.g. ``"frame"``), with manifests."""

    def __init__(self, directory: Path, kind: str) -> None:
        self.directory = Path(directory)
        self.kind = kind
        self._write_failed = False

    # -- paths ---------------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.directory / name

    @staticmethod
    def manifest_of(path: Path) -> Path:
        return path.with_name(path.name + MANIFEST_SUFFIX)

    # -- reading -------------------------------------------------------------------------------

    def _manifest(self, path: Path) -> dict[str, Any] | None:
        m = self.manifest_of(path)
        try:
            if m.stat().st_size > MAX_MANIFEST_BYTES:
                return None
            d = json.loads(m.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("kind") != self.kind:
            return None
        src = d.get("source")
        ok = (
            isinstance(d.get("sha256"), str)
            and isinstance(d.get("size"), int)
            and isinstance(src, dict)
            and isinstance(src.get("sha256"), str)
        )
        return d if ok else None

    def read(self, name: str, *, source_sha256: str, version: int | str) -> bytes | None:
        """The verified bytes of ``name``, or None when there is no usable entry (a damaged
        or mismatched entry is removed, with a :class:`FoedusWarning` for damage)."""
        path = self.path(name)
        if not path.is_file():
            return None
        manifest = self._manifest(path)
        if manifest is None:
            self.discard(name)
            return None
        if manifest["source"]["sha256"] != source_sha256 or manifest.get("version") != version:
            self.discard(name)
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) != manifest["size"] or sha256_bytes(data) != manifest["sha256"]:
            self.damaged(name, "its bytes differ from its manifest")
            return None
        return data

    def damaged(self, name: str, why: str) -> None:
        """Remove a damaged entry and say so (it is rebuilt from the verified source)."""
        warnings.warn(
            f"the cached {self.kind} {self.path(name)} was damaged ({why}); it was removed "
            "and is rebuilt from the verified source",
            FoedusWarning,
            stacklevel=3,
        )
        self.discard(name)

    def discard(self, name: str) -> None:
        path = self.path(name)
        for p in (path, self.manifest_of(path)):
            with contextlib.suppress(OSError):
                p.unlink()

    # -- writing -------------------------------------------------------------------------------

    def write(
        self,
        name: str,
        data: bytes,
        *,
        source: str,
        source_sha256: str,
        version: int | str,
        **extra: Any,
    ) -> Path | None:
        """Store ``data`` as ``name`` with its manifest. A cache that cannot be written is not
        an error (the result is simply not kept): one :class:`FoedusWarning` per store says
        so, and None is returned."""
        from foedus import __version__

        path = self.path(name)
        manifest = {
            "format": FORMAT,
            "kind": self.kind,
            "file": name,
            "size": len(data),
            "sha256": sha256_bytes(data),
            "source": {"name": source, "sha256": source_sha256},
            "version": version,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "foedus_version": __version__,
            **extra,
        }
        try:
            files.clean_once(self.directory)
            files.write_bytes(path, data, role="cache")
            files.write_text(self.manifest_of(path), json.dumps(manifest, indent=1), role="cache")
        except FileSystemError as e:
            self.discard(name)
            if not self._write_failed:
                self._write_failed = True
                warnings.warn(
                    f"could not keep the {self.kind} cache in {self.directory} ({e.message}); "
                    "results are recomputed each time",
                    FoedusWarning,
                    stacklevel=2,
                )
            return None
        return path

    # -- checking everything -------------------------------------------------------------------

    def scan(self, current: Callable[[dict[str, Any]], str | None]) -> list[Entry]:
        """Check every entry. ``current(manifest)`` returns None if the entry is what foedus
        would build today, else why it is stale (another source version, reader version...)."""
        if not self.directory.is_dir():
            return []
        out: list[Entry] = []
        names = sorted(p.name for p in self.directory.iterdir() if p.is_file())
        present = set(names)
        for n in names:
            p = self.path(n)
            if files.PARTIAL_RE.match(n) or files.LEGACY_PARTIAL_RE.match(n):
                continue  # partial files are reported by files.find_partials
            size = p.stat().st_size
            if n.endswith(MANIFEST_SUFFIX):
                if n.removesuffix(MANIFEST_SUFFIX) not in present:
                    out.append(Entry(p, "unindexed", "a manifest without its file", size))
                continue
            manifest = self._manifest(p)
            if manifest is None:
                out.append(Entry(p, "unindexed", "no valid manifest", size))
                continue
            source = manifest["source"].get("name")
            data = p.read_bytes()
            if len(data) != manifest["size"] or sha256_bytes(data) != manifest["sha256"]:
                out.append(Entry(p, "damaged", "its bytes differ from its manifest", size, source))
                continue
            why = current(manifest)
            if why is not None:
                out.append(Entry(p, "stale", why, size, source))
            else:
                out.append(Entry(p, "verified", "matches its manifest and source", size, source))
        return out

    def remove(self, entry: Entry) -> int:
        """Remove an entry (and its manifest); the bytes freed."""
        freed = 0
        for p in (entry.path, self.manifest_of(entry.path)):
            with contextlib.suppress(OSError):
                freed += p.stat().st_size
                p.unlink()
        return freed
