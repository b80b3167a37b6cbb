"""Citations: the BibTeX entries behind every data set and measure (``registry/references.bib``)."""

from __future__ import annotations

import functools
import re
from importlib import resources

from foedus.errors import FoedusError

_ENTRY = re.compile(r"^@(\w+)\{([^,\s]+),\s*$(.*?)^\}\s*$", re.M | re.S)
_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.M)


@functools.cache
def _entries() -> dict[str, tuple[str, str, dict[str, str]]]:
    text = resources.files("foedus.registry").joinpath("references.bib").read_text("utf-8")
    out = {}
    for m in _ENTRY.finditer(text):
        kind, key, body = m.group(1), m.group(2), m.group(3)
        fields = {f.group(1).lower(): f.group(2) for f in _FIELD.finditer(body)}
        out[key] = (kind, m.group(0).strip(), fields)
    return out


def keys() -> list[str]:
    return list(_entries())


def bibtex(key: str) -> str:
    """The BibTeX entry ``key``."""
    try:
        return _entries()[key][1]
    except KeyError:
        raise FoedusError(f"no reference {key!r}", "see registry/references.bib") from None


_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303"}


def _clean(s: str) -> str:
    import unicodedata

    s = re.sub(
        r"\\([\"'`^~])\{?(\w)\}?",
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]),
        s,
    )
    s = s.replace("{\\aa}", "å").replace("--", "–")
    return s.replace("{", "").replace("}", "")


def plain(key: str) -> str:
    """A one-line plain-text citation, e.g. for terminal output and reports."""
    try:
        kind, _, f = _entries()[key]
    except KeyError:
        raise FoedusError(f"no reference {key!r}", "see registry/references.bib") from None
    authors = _clean(f.get("author", ""))
    parts = [f"{authors} ({f.get('year', 'n.d.')}). {_clean(f.get('title', ''))}."]
    if kind == "article":
        vol = f.get("volume", "")
        num = f"({f['number']})" if "number" in f else ""
        pages = f": {_clean(f['pages'])}" if "pages" in f else ""
        parts.append(f"{_clean(f.get('journal', ''))} {vol}{num}{pages}.")
    elif kind == "incollection":
        parts.append(
            f"In {_clean(f.get('editor', ''))} (ed.), {_clean(f.get('booktitle', ''))}. "
            f"{_clean(f.get('publisher', ''))}."
        )
    elif kind == "book":
        parts.append(f"{_clean(f.get('publisher', ''))}.")
    else:
        extra = f.get("howpublished") or f.get("organization") or f.get("note") or ""
        if extra:
            parts.append(_clean(extra) + ".")
    if "doi" in f:
        parts.append(f"doi:{f['doi']}")
    elif "url" in f:
        parts.append(f["url"])
    return " ".join(p for p in parts if p.strip())
