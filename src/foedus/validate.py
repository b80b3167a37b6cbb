"""Shared validators for arguments at foedus's edges: the command line and the public Python API.

Every public function checks its arguments here, once, and raises
:class:`~foedus.errors.InvalidArgumentError` (or its :class:`~foedus.errors.YearOutOfRangeError`)
with the argument's name, what was wrong and what to give instead, before anything is loaded or
computed. The command line reuses the same checks under its option names (``--to``), so a
mistake reads the same wherever it is made.

The years foedus works with (see ``docs/reliability.md``):

* the **calendar**: :func:`this_year`; panels and forecasts reach at most
  :data:`YEARS_AHEAD` years past it (:func:`latest_year`), because every value past a
  source's end is carried forward or assumed;
* the **data**: each data set's first and last year, read from the catalog
  (:func:`coverage`), e.g. the state system's first year for panels and ATOP's last year for
  a backtest's outcomes.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import numbers
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from foedus.errors import InvalidArgumentError, YearOutOfRangeError

#: How many years past the current calendar year panels and forecasts may reach.
YEARS_AHEAD = 10


def this_year() -> int:
    """The current calendar year (from the system clock)."""
    return _dt.date.today().year


def latest_year() -> int:
    """The last year any panel or forecast may ask for: :data:`YEARS_AHEAD` past this year."""
    return this_year() + YEARS_AHEAD


def coverage(dataset: str) -> tuple[int, int]:
    """First and last year of a catalog data set (the one place coverage is read from)."""
    from foedus import catalog

    cov = catalog.get(dataset).coverage
    if cov is None:  # pragma: no cover - guarded by the catalog's unit tests
        raise AssertionError(f"data set {dataset!r} has no coverage in the catalog")
    return cov


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def integer(
    value: Any,
    name: str,
    *,
    lo: int | None = None,
    hi: int | None = None,
    hint: str | None = None,
) -> int:
    """``value`` as an ``int`` within ``lo .. hi`` (either bound optional).

    Accepts Python and NumPy integers and integral floats (``2000.0``); refuses booleans,
    strings, fractions, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(
            name,
            f"{name} must be a whole number, not {type(value).__name__} {_show(value)}",
            hint or f"pass an int, e.g. {name}={lo if lo is not None else 1}.",
        )
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or f != int(f):
            raise InvalidArgumentError(
                name, f"{name} must be a whole number, not {_show(value)}", hint or "pass an int."
            )
        out = int(f)
    if (lo is not None and out < lo) or (hi is not None and out > hi):
        bounds = (
            f"between {lo} and {hi}"
            if lo is not None and hi is not None
            else (f"at least {lo}" if lo is not None else f"at most {hi}")
        )
        raise InvalidArgumentError(
            name, f"{name}={out}: must be {bounds}", hint or f"give a whole number {bounds}."
        )
    return out


def number(
    value: Any,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    open_lo: bool = False,
    open_hi: bool = False,
    hint: str | None = None,
) -> float:
    """``value`` as a finite ``float`` within the bounds (``open_*``: the bound excluded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(
            name,
            f"{name} must be a number, not {type(value).__name__} {_show(value)}",
            hint or "pass a number.",
        )
    f = float(value)
    bad = not math.isfinite(f)
    if lo is not None:
        bad = bad or (f <= lo if open_lo else f < lo)
    if hi is not None:
        bad = bad or (f >= hi if open_hi else f > hi)
    if bad:
        lo_s = "" if lo is None else (f"> {lo}" if open_lo else f">= {lo}")
        hi_s = "" if hi is None else (f"< {hi}" if open_hi else f"<= {hi}")
        bounds = " and ".join(s for s in (lo_s, hi_s) if s) or "finite"
        raise InvalidArgumentError(
            name, f"{name}={_show(value)}: must be {bounds}", hint or f"give a number {bounds}."
        )
    return f


def flag(value: Any, name: str) -> bool:
    """``value`` as a ``bool``; only ``True``/``False`` (and NumPy booleans) are accepted."""
    t = type(value)
    if isinstance(value, bool) or (t.__module__ == "numpy" and t.__name__ in ("bool_", "bool")):
        return bool(value)  # NumPy 1 calls its boolean bool_, NumPy 2 bool
    raise InvalidArgumentError(
        name,
        f"{name} must be True or False, not {type(value).__name__} {_show(value)}",
        f"pass {name}=True or {name}=False.",
    )


def choice(value: Any, name: str, choices: Collection[str]) -> str:
    """``value`` if it is one of ``choices`` (strings), else an error listing them and the
    closest match."""
    options = list(choices)
    if isinstance(value, str) and value in options:
        return value
    shown = ", ".join(repr(c) for c in options)
    close = (
        difflib.get_close_matches(value.strip().lower(), options, n=1)
        if isinstance(value, str)
        else []
    )
    hint = (f"did you mean {close[0]!r}? " if close else "") + f"use one of {shown}."
    raise InvalidArgumentError(name, f"{name}={_show(value)} is not one of {shown}", hint)


def text(value: Any, name: str, *, allow_empty: bool = False) -> str:
    """``value`` as a string (refusing other types and, unless allowed, empty text)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(
            name,
            f"{name} must be text, not {type(value).__name__} {_show(value)}",
            f"pass a string, e.g. {name}='...'.",
        )
    if not allow_empty and not value.strip():
        raise InvalidArgumentError(name, f"{name} is empty", f"give a non-empty {name}.")
    return value


def strings(value: Any, name: str) -> list[str]:
    """A string or a sequence of strings as a list (see :func:`names` for allowed entries)."""
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        items = list(value)
    else:
        raise InvalidArgumentError(
            name,
            f"{name} must be a list of names, not {type(value).__name__} {_show(value)}",
            f"pass e.g. {name}=['a', 'b'].",
        )
    bad = [x for x in items if not isinstance(x, str)]
    if bad:
        raise InvalidArgumentError(
            name, f"{name} holds non-text entries {_show(bad)}", "pass names as strings."
        )
    return items


# --- years ------------------------------------------------------------------------------------


def year(
    value: Any,
    name: str = "year",
    *,
    lo: int,
    hi: int | None = None,
    lo_reason: str | None = None,
    hi_reason: str | None = None,
) -> int:
    """``value`` as a year within ``lo .. hi``; the reasons say why a bound is where it is
    (e.g. ``"ATOP 5.1 codes pledges through 2018"``) and become part of the message. Without
    ``hi``, the last year is :func:`latest_year` for the reason :func:`future_reason` gives."""
    if hi is None:
        hi, hi_reason = latest_year(), hi_reason or future_reason()
    y = integer(value, name, hint=f"pass a year as an int, e.g. {name}={hi}.")
    if y < lo:
        raise YearOutOfRangeError(
            name,
            f"{name}={y} is before {lo}" + (f": {lo_reason}" if lo_reason else ""),
            f"give a year from {lo} to {hi}.",
        )
    if y > hi:
        raise YearOutOfRangeError(
            name,
            f"{name}={y} is after {hi}" + (f": {hi_reason}" if hi_reason else ""),
            f"give a year from {lo} to {hi}.",
        )
    return y


def year_range(
    value: Any,
    name: str = "years",
    *,
    lo: int,
    hi: int | None = None,
    default: tuple[int, int] | None = None,
    lo_reason: str | None = None,
    hi_reason: str | None = None,
) -> tuple[int, int]:
    """``value`` (``(first, last)``, one year, or ``None`` for ``default``) as a checked
    ``(first, last)`` with ``lo <= first <= last <= hi`` (``hi`` as in :func:`year`)."""
    if hi is None:
        hi, hi_reason = latest_year(), hi_reason or future_reason()
    if value is None:
        if default is None:
            raise InvalidArgumentError(name, f"{name} is required", f"pass {name}=({lo}, {hi}).")
        value = default
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        first = last = value
        single = True  # one year: name it as the caller did
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if len(value) != 2:
            raise InvalidArgumentError(
                name,
                f"{name} must be (first, last), got {len(value)} value(s): {_show(value)}",
                f"pass e.g. {name}=({max(lo, hi - 10)}, {hi}).",
            )
        first, last = value
        single = False
    else:
        raise InvalidArgumentError(
            name,
            f"{name} must be (first, last) or one year, not {type(value).__name__} {_show(value)}",
            f"pass ints, e.g. {name}=({max(lo, hi - 10)}, {hi}).",
        )
    n0, n1 = (name, name) if single else (f"{name}[0]", f"{name}[1]")
    f = year(first, n0, lo=lo, hi=hi, lo_reason=lo_reason, hi_reason=hi_reason)
    la = year(last, n1, lo=lo, hi=hi, lo_reason=lo_reason, hi_reason=hi_reason)
    if f > la:
        raise InvalidArgumentError(
            name, f"{name}=({f}, {la}) is empty", "give (first, last) with first <= last."
        )
    return f, la


def future_reason() -> str:
    """Why :func:`latest_year` is the last year: for the messages of year checks."""
    return (
        f"foedus reaches at most {YEARS_AHEAD} years past the current year ({this_year()}), "
        "since every value past a source's end is carried forward or assumed"
    )


# --- the state system -------------------------------------------------------------------------

#: The catalog data set of each state system's membership list.
STATE_LISTS = {"cow": "cow-states", "gw": "gw-states"}


def first_year(system: str = "cow") -> int:
    """The first year of a state system's membership list (COW or G-W), from the catalog: the
    first year any panel may start in."""
    return coverage(STATE_LISTS[system])[0]


def first_reason(system: str = "cow") -> str:
    """Why :func:`first_year` is the first year: for the messages of year checks."""
    label = {"cow": "COW", "gw": "G-W"}[system]
    return f"the {label} state system starts in {first_year(system)}"


def system_year(value: Any, name: str = "year", system: str = "cow") -> int:
    """A year a state system can have: from its first year (:func:`first_year`) to
    :func:`latest_year`, with the reasons in the message."""
    return year(value, name, lo=first_year(system), lo_reason=first_reason(system))


def system_years(
    value: Any,
    name: str = "years",
    system: str = "cow",
    *,
    default: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """A ``(first, last)`` range (or one year) within :func:`system_year`'s bounds."""
    return year_range(
        value, name, lo=first_year(system), default=default, lo_reason=first_reason(system)
    )


def system(value: Any, name: str = "system") -> str:
    """``"cow"`` or ``"gw"``: the state system of a panel."""
    return choice(value, name, tuple(STATE_LISTS))


def state(value: Any, name: str = "state") -> int | str:
    """A state as the country look-ups take it: a COW code (a whole number, returned as an
    ``int``) or a name, abbreviation or ISO3 code (non-empty text)."""
    if isinstance(value, str):
        return text(value, name)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return integer(value, name, hint=f"pass a COW code as an int (e.g. {name}=365) or a name.")
    raise InvalidArgumentError(
        name,
        f"{name} must be a country name or a COW code, not {type(value).__name__} {_show(value)}",
        f"pass e.g. {name}='Russia', {name}='RUS' or {name}=365.",
    )


def names(
    value: Any,
    name: str,
    *,
    allowed: Collection[str] | None = None,
    at_least: int = 0,
) -> list[str]:
    """Like :func:`strings` (one name or a sequence of names, as a list), with at least
    ``at_least`` entries; an unknown entry's error lists ``allowed`` and the closest one."""
    items = strings(value, name)
    if allowed is not None:
        options = list(allowed)
        unknown = [x for x in items if x not in options]
        if unknown:
            close = difflib.get_close_matches(unknown[0], options, n=1)
            raise InvalidArgumentError(
                name,
                f"{name}: unknown {'entry' if len(unknown) == 1 else 'entries'} "
                + ", ".join(repr(x) for x in unknown),
                (f"did you mean {close[0]!r}? " if close else "")
                + "choose from "
                + ", ".join(options)
                + ".",
            )
    if len(items) < at_least:
        shown = f" of {', '.join(allowed)}" if allowed is not None else ""
        raise InvalidArgumentError(
            name,
            f"{name} is empty" if not items else f"{name} needs at least {at_least} entries",
            f"give at least {at_least}{shown}.",
        )
    return items


def frame(value: Any, name: str, *, columns: Iterable[str] = ()) -> Any:
    """``value`` if it is a Polars DataFrame holding ``columns``."""
    import polars as pl

    if not isinstance(value, pl.DataFrame):
        raise InvalidArgumentError(
            name,
            f"{name} must be a Polars DataFrame, not {type(value).__name__}",
            "convert with polars.from_pandas(frame) or polars.DataFrame(...) first.",
        )
    need = list(columns)
    missing = [c for c in need if c not in value.columns]
    if missing:
        raise InvalidArgumentError(
            name, f"{name} lacks the column(s) {missing}", f"{name} needs the columns {need}."
        )
    return value


def callback(value: Any, name: str) -> Callable[..., Any] | None:
    """``value`` if it is None or callable (a progress function, for instance)."""
    if value is None or callable(value):
        return value
    raise InvalidArgumentError(
        name,
        f"{name} must be a function or None, not {type(value).__name__} {_show(value)}",
        f"pass a function, e.g. {name}=print, or leave it out.",
    )
