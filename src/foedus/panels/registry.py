"""The enrichers, by name: what ``foedus panel --add`` and ``--list`` know about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from foedus.panels.base import Kind, System


@dataclass(frozen=True)
class Enricher:
    """An enricher's name, function and the facts a user needs to choose it."""

    name: str
    func: Callable[..., pl.DataFrame]
    kinds: tuple[Kind, ...]
    systems: tuple[System, ...]
    coverage: tuple[int, int] | None
    sources: tuple[str, ...]
    adds: str
    summary: str


ENRICHERS: dict[str, Enricher] = {}


def enricher(
    name: str,
    *,
    kinds: tuple[Kind, ...],
    systems: tuple[System, ...] = ("cow",),
    coverage: tuple[int, int] | None,
    sources: tuple[str, ...],
    adds: str,
):
    """Register an enricher (its docstring's first line is its summary)."""

    def wrap(func: Callable[..., pl.DataFrame]) -> Callable[..., pl.DataFrame]:
        doc = (func.__doc__ or "").strip().splitlines()
        ENRICHERS[name] = Enricher(
            name, func, kinds, systems, coverage, sources, adds, doc[0] if doc else ""
        )
        return func

    return wrap
