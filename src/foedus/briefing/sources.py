"""The brief's references: the catalog's citations of every data set the brief reads and the
references of the methods it applies, as plain text and as one BibTeX document.
docs/brief.md, "Data"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from foedus import catalog, citations
from foedus.measures.power import NMC_DATASETS, NUCLEAR_DATASET
from foedus.measures.unvotes import VOTES_DATASET
from foedus.panels.regime import DEMOCRACY_SOURCES
from foedus.panels.wealth import GDP_SOURCES

__all__ = ["BRIEF_DATASETS", "METHOD_REFERENCES", "references"]

#: Data sets the brief reads beyond the formation model's (whose vintages list their own).
BRIEF_DATASETS = (
    NMC_DATASETS["7.0"],
    NUCLEAR_DATASET,
    DEMOCRACY_SOURCES["cow"],
    GDP_SOURCES["cow"],
    VOTES_DATASET,
    "ps-tss-rivalries",
)
#: The methods' references: the peacesciencer conventions, CINC, portfolio similarity,
#: the War Trap, rare-events logit.
METHOD_REFERENCES = (
    "miller2022peacesciencer",
    "singer1972",
    "signorino1999",
    "bdm1981",
    "king2001",
)


def references(datasets: Iterable[str]) -> dict[str, Any]:
    """``citations`` (``key``, ``text``) and ``bibtex`` for ``datasets`` (catalog names)
    and :data:`BRIEF_DATASETS`, then :data:`METHOD_REFERENCES`; each key once, in order."""
    keys: list[str] = []
    for name in dict.fromkeys([*datasets, *BRIEF_DATASETS]):
        keys += catalog.get(name).cite
    known = set(citations.keys())
    keys = [k for k in dict.fromkeys([*keys, *METHOD_REFERENCES]) if k in known]
    return {
        "citations": [{"key": k, "text": citations.plain(k)} for k in keys],
        "bibtex": "\n\n".join(citations.bibtex(k) for k in keys) + "\n",
    }
