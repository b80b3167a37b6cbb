"""foedus: quantitative analysis of military alliances between states.

The panel API is available at the top level (``import foedus as fd; fd.dyad_years()``);
it is imported on first use so that ``import foedus`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "brief":  # the brief as a function: foedus.brief(["RUS", "CHN"], 2021)
        return importlib.import_module("foedus.operations.brief").brief
    if name in ("catalog", "loaders", "countries", "citations", "panels", "errors"):
        return importlib.import_module(f"foedus.{name}")
    if not name.startswith("_") and importlib.util.find_spec(f"foedus.{name}") is not None:
        # a submodule (``from foedus import validate`` asks here first): import it, not the
        # whole panel API
        return importlib.import_module(f"foedus.{name}")
    if not name.startswith("_"):
        panels = importlib.import_module("foedus.panels")
        if name in panels.__all__:
            return getattr(panels, name)
    raise AttributeError(f"module 'foedus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *importlib.import_module("foedus.panels").__all__])
