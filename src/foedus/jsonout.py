"""Strict JSON for everything foedus writes or prints as JSON.

Python's ``json`` module writes ``NaN`` and ``Infinity`` by default, which are not JSON (RFC
8259) and which other tools (``jq``, JavaScript's ``JSON.parse``, R's ``jsonlite`` in strict
mode) refuse. :func:`strict_json` writes them as ``null``, the same "no value" that a missing
number is, and converts the other values foedus results hold: dates as ISO 8601 text, NumPy
scalars and arrays as numbers and lists, paths as text, tuples and sets as lists, dataclasses
as objects. Anything else is an error, never a silent ``str()``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with every part made a JSON value (non-finite floats become None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    tolist = getattr(value, "tolist", None)  # NumPy scalars and arrays
    if callable(tolist) and type(value).__module__.startswith("numpy"):
        return plain(tolist())
    to_dicts = getattr(value, "to_dicts", None)  # a Polars frame
    if callable(to_dicts) and type(value).__module__.startswith("polars"):
        return plain(to_dicts())
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def strict_json(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as strict JSON text (see the module docstring)."""
    return json.dumps(plain(value), indent=indent, allow_nan=False, ensure_ascii=False)
