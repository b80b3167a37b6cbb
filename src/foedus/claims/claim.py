"""A claim and its resolution: the typed values the ledger stores.

A :class:`Claim` is a published forecast: who, where, when, a one-sentence paraphrase (never a
long quotation), the formal :class:`~foedus.claims.condition.Condition`, and the probability
it states or implies, with how that was derived. A :class:`Resolution` says whether the
condition came true (``yes``/``no``), could not be decided (``ambiguous``), was withdrawn
(``annulled``) or is still ``open``, with the evidence. Rules: docs/claims.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from foedus.claims.condition import Condition, check_date, parse_condition
from foedus.claims.verbal import verbal_probability
from foedus.countries import CountryIndex
from foedus.errors import ClaimError

__all__ = [
    "BASES",
    "MAX_PARAPHRASE",
    "STATUSES",
    "Claim",
    "Resolution",
    "check_resolution",
    "parse_claim",
]

#: How a claim's probability was obtained.
BASES = ("stated", "verbal", "implied", "none")
STATUSES = ("open", "yes", "no", "ambiguous", "annulled")
#: The longest paraphrase (characters): one sentence, never a long quotation.
MAX_PARAPHRASE = 400


@dataclass(frozen=True)
class Resolution:
    """Whether a claim's condition came true, when, on what evidence, and how it was decided
    (``"data"``: from ATOP or the treaty file; ``"manual"``: by a user, with evidence)."""

    status: str = "open"
    resolved_on: date | None = None
    evidence: str = ""
    source: str = ""
    method: str = "manual"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "resolved_on": None if self.resolved_on is None else self.resolved_on.isoformat(),
            "evidence": self.evidence,
            "source": self.source,
            "method": self.method,
        }


@dataclass(frozen=True)
class Claim:
    """A published forecast about an alliance (see the module docstring). ``id`` is the
    ledger's number (None before it is added); ``key`` identifies the claim whatever its id:
    author, publication date and condition."""

    author: str
    outlet: str
    url: str
    published: date
    paraphrase: str
    condition: Condition
    probability: float | None = None
    basis: str = "none"
    phrase: str | None = None
    derivation: str = ""
    resolution: Resolution = field(default_factory=Resolution)
    notes: str = ""
    id: int | None = None

    @property
    def key(self) -> str:
        doc = {
            "author": " ".join(self.author.lower().split()),
            "published": self.published.isoformat(),
            "condition": self.condition.to_dict(),
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def with_resolution(self, resolution: Resolution) -> Claim:
        return replace(self, resolution=resolution)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types; :func:`parse_claim` reads it back (the export format)."""
        return {
            "id": self.id,
            "author": self.author,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published.isoformat(),
            "paraphrase": self.paraphrase,
            "condition": self.condition.to_dict(),
            "probability": self.probability,
            "basis": self.basis,
            "phrase": self.phrase,
            "derivation": self.derivation,
            "resolution": self.resolution.to_dict(),
            "notes": self.notes,
        }


def _text(doc: dict[str, Any], name: str, *, required: bool = True, limit: int = 2000) -> str:
    v = doc.get(name, "")
    if v is None:
        v = ""
    if not isinstance(v, str):
        raise ClaimError(name, f"{name} must be text, not {type(v).__name__}")
    v = " ".join(v.split())
    if required and not v:
        raise ClaimError(name, f"{name} is missing", f"give the claim's {name}.")
    if len(v) > limit:
        raise ClaimError(name, f"{name} is {len(v)} characters long", f"at most {limit}.")
    return v


def _check_paraphrase(text: str) -> str:
    if len(text) > MAX_PARAPHRASE:
        raise ClaimError(
            "paraphrase",
            f"the paraphrase is {len(text)} characters long (at most {MAX_PARAPHRASE})",
            "paraphrase in one sentence of your own; quote at most a short phrase.",
        )
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", text) if s]
    if len(sentences) > 1:
        raise ClaimError(
            "paraphrase",
            f"the paraphrase has {len(sentences)} sentences",
            "paraphrase the claim in one sentence.",
        )
    quoted = re.findall(r"[\"\u201c\u201d]([^\"\u201c\u201d]{80,})[\"\u201c\u201d]", text)
    if quoted:
        raise ClaimError(
            "paraphrase",
            "the paraphrase quotes a long passage",
            "use your own words; quote at most a short phrase.",
        )
    return text


def _probability(doc: dict[str, Any]) -> tuple[float | None, str, str | None, str]:
    p, phrase = doc.get("probability"), doc.get("phrase")
    basis = doc.get("basis")
    if phrase is not None and (not isinstance(phrase, str) or not phrase.strip()):
        raise ClaimError("phrase", "phrase must be the claim's probability words", '"likely".')
    if p is None and phrase:
        v = verbal_probability(phrase)
        return v.p, basis or "verbal", v.phrase, v.describe()
    if p is None:
        if basis not in (None, "none"):
            raise ClaimError(
                "probability", f"basis {basis!r} but no probability", "give the probability."
            )
        return None, "none", None, ""
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= float(p) <= 1:
        raise ClaimError(
            "probability",
            f"probability must be a number from 0 to 1, not {p!r:.40}",
            "e.g. probability = 0.7 (for 70%).",
        )
    basis = basis or "stated"
    if basis not in BASES or basis == "none":
        raise ClaimError(
            "basis", f"basis must be one of stated, verbal, implied, not {basis!r:.40}"
        )
    why = doc.get("derivation") or (
        "stated by the author" if basis == "stated" else f"{basis}: {phrase or 'see notes'}"
    )
    return float(p), basis, phrase.strip() if phrase else None, str(why)


def check_resolution(doc: object, published: date | None = None) -> Resolution:
    """A :class:`Resolution` from a mapping (``status``, ``resolved_on``, ``evidence``,
    ``source``, ``method``): a closed status needs a date (not before ``published``) and
    evidence."""
    if isinstance(doc, Resolution):
        doc = doc.to_dict()
    if doc is None:
        return Resolution()
    if not isinstance(doc, dict):
        raise ClaimError("resolution", "a resolution must be a table of fields")
    status = doc.get("status", "open")
    if status not in STATUSES:
        raise ClaimError(
            "status", f"status must be one of {', '.join(STATUSES)}, not {status!r:.40}"
        )
    method = doc.get("method") or "manual"
    if method not in ("manual", "data"):
        raise ClaimError("method", f"method must be 'manual' or 'data', not {method!r:.40}")
    evidence = _text(doc, "evidence", required=False)
    source = _text(doc, "source", required=False)
    when = doc.get("resolved_on")
    on = None if when in (None, "") else check_date(when, "resolved_on")
    if status != "open":
        if on is None:
            raise ClaimError(
                "resolved_on", f"a {status} resolution needs its date", "e.g. 2023-04-04."
            )
        if not evidence:
            raise ClaimError(
                "evidence",
                f"a {status} resolution needs its evidence",
                "say in a sentence what happened (or why it cannot be decided), with a source.",
            )
        if published is not None and on < published:
            raise ClaimError(
                "resolved_on",
                f"resolved on {on} before the claim was published ({published})",
                "check the dates.",
            )
    return Resolution(status, on, evidence, source, method)


def parse_claim(doc: object, *, index: CountryIndex | None = None) -> Claim:
    """A :class:`Claim` from a mapping (the fields of :meth:`Claim.to_dict`; ``condition`` as
    :func:`~foedus.claims.condition.parse_condition` reads it, with state names or codes;
    ``window_start`` defaults to the publication date). Every field is checked;
    :class:`ClaimError` names the one at fault."""
    if not isinstance(doc, dict):
        raise ClaimError("claim", "a claim must be a table of fields")
    known = {
        "id",
        "author",
        "outlet",
        "url",
        "published",
        "paraphrase",
        "condition",
        "probability",
        "basis",
        "phrase",
        "derivation",
        "resolution",
        "notes",
    }
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ClaimError(
            "claim", f"unknown claim fields {unknown}", "use: " + ", ".join(sorted(known))
        )
    published = check_date(doc.get("published"), "published")
    if published > date.today():
        raise ClaimError(
            "published", f"published {published} is in the future", "give the publication date."
        )
    url = _text(doc, "url", limit=2000)
    if not re.match(r"https?://\S+$", url):
        raise ClaimError("url", f"url must be an http(s) address, not {url!r:.60}")
    cond = doc.get("condition")
    if isinstance(cond, dict) and "window_start" not in cond:
        cond = {**cond, "window_start": published.isoformat()}
    condition = parse_condition(cond, index=index)
    if condition.window_end < published:
        raise ClaimError(
            "window_end",
            f"the window ends ({condition.window_end}) before the claim was published",
            "a forecast's window ends after its publication.",
        )
    p, basis, phrase, why = _probability(doc)
    ident = doc.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, int) or ident < 1):
        raise ClaimError("id", f"id must be a whole number >= 1, not {ident!r:.40}")
    return Claim(
        author=_text(doc, "author", limit=200),
        outlet=_text(doc, "outlet", limit=200),
        url=url,
        published=published,
        paraphrase=_check_paraphrase(_text(doc, "paraphrase", limit=2000)),
        condition=condition,
        probability=p,
        basis=basis,
        phrase=phrase,
        derivation=why,
        resolution=check_resolution(doc.get("resolution"), published),
        notes=_text(doc, "notes", required=False, limit=4000),
        id=ident,
    )
