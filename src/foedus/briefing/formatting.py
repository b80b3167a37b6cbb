"""How the brief's renderers write numbers: percentages, counts and short decimals, a dash for
a missing value. Shared by the Markdown and HTML renderers so both say the same thing."""

from __future__ import annotations

from typing import Any

__all__ = ["interval", "num", "pct"]


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage (``0.0047`` -> ``0.5%``); a dash when missing."""
    return "–" if x is None else f"{x:.{digits}%}"


def num(x: Any) -> str:
    """A number as a person reads it: thousands separated and no decimals from 1,000, four
    significant digits below; integers and strings as they are; a dash when missing."""
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
    return str(x)


def interval(lo: float | None, hi: float | None) -> str:
    """A sampling interval, or "exact" when the number has none."""
    if lo is None and hi is None:
        return "exact"
    return f"{num(lo)} to {num(hi)}"
