"""Checking and cleaning the user cache: derived files against their manifests, and partial
files left by processes that were killed (``foedus data verify`` and ``foedus data clean``).

Source files are checked by :func:`foedus.catalog.status`; nothing here touches them or the
read-only mirror.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foedus import catalog, files, loaders
from foedus.consequences import conflict_model
from foedus.derived import DerivedStore, Entry
from foedus.prospects import cache, skill


def model_stores(settings: catalog.Settings) -> list[tuple[str, DerivedStore, Any]]:
    """``(what, store, is_current)`` of every cache of fitted models and derived panels: the
    forecast cache's (:mod:`foedus.prospects.cache`) and the conflict-risk models'."""
    return [
        *cache.stores(settings),
        ("backtest summary", skill.skill_store(settings), skill.skill_is_current),
        (
            "conflict-risk model",
            conflict_model.model_store(settings),
            conflict_model.model_is_current,
        ),
    ]


@dataclass(frozen=True)
class CacheReport:
    """What a check of the cache found."""

    frames_dir: Path
    entries: list[Entry]
    partials: list[files.Partial]

    def counts(self) -> dict[str, int]:
        c = Counter(e.state for e in self.entries)
        return {k: c.get(k, 0) for k in ("verified", "damaged", "stale", "unindexed")}


def check_cache(names: Iterable[str] | None = None) -> CacheReport:
    """Check every parsed frame in the cache (only those of the data sets ``names``, when
    given), and, without ``names``, every fitted model and derived panel
    (:func:`model_stores`); list the partial files under the cache."""
    s = catalog.Settings.from_env()
    entries = loaders.frame_store(s).scan(loaders.frame_is_current)
    if names is not None:
        wanted = set(names)
        entries = [e for e in entries if e.source in wanted]
    else:
        entries += [e for _what, st, current in model_stores(s) for e in st.scan(current)]
    return CacheReport(s.frames_dir, entries, files.find_partials(s.cache_dir))


@dataclass(frozen=True)
class Removal:
    path: Path
    why: str
    size: int


@dataclass
class CleanResult:
    items: list[Removal] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(i.size for i in self.items)


def clean_cache(
    *, dry_run: bool = False, all_frames: bool = False, models: bool = False
) -> CleanResult:
    """Remove stale partial files and damaged, stale or unindexed derived files (with
    ``all_frames``, every parsed frame; with ``models``, every fitted model and forecast panel
    of the forecast cache and every conflict-risk model); with ``dry_run``, only say what
    would go."""
    s = catalog.Settings.from_env()
    res = CleanResult()
    for part in files.find_partials(s.cache_dir):
        if part.stale:
            res.items.append(Removal(part.path, f"partial file: {part.reason}", part.size))
            if not dry_run:
                part.path.unlink(missing_ok=True)
    stores = [("parsed frame", loaders.frame_store(s), loaders.frame_is_current, all_frames)]
    stores += [(what, store, current, models) for what, store, current in model_stores(s)]
    for what, store, current, everything in stores:
        for e in store.scan(current):
            if e.state == "verified" and not everything:
                continue
            why = what if e.state == "verified" else f"{e.state}: {e.reason}"
            size = e.size
            if not dry_run:
                size = store.remove(e) or e.size
            res.items.append(Removal(e.path, why, size))
    return res
