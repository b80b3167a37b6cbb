"""The formal condition of a claim: what must happen, between whom, by when.

Three event types (:data:`EVENTS`): ``new_pledge`` (a new alliance pledge of one ATOP type
between the parties: between every pair of them with ``quantifier="all"``, the default, or
between at least one pair with ``"any"``), ``accession`` (the parties join a named alliance:
every one of them, or at least one), ``withdrawal`` (the parties leave a named alliance) and
``termination`` (a named alliance ends). The window
is inclusive, two calendar dates. States are resolved through the country resolver for the
window's first year. Rules and examples: docs/claims.md, "Conditions".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from foedus import countries
from foedus.countries import CountryIndex
from foedus.errors import ClaimError, FoedusError
from foedus.world import PLEDGES, alliance_id, check_pledge

__all__ = [
    "EVENTS",
    "FIRST_DATE",
    "LAST_DATE",
    "QUANTIFIERS",
    "Condition",
    "check_date",
    "parse_condition",
]

EVENTS = ("new_pledge", "accession", "withdrawal", "termination")
QUANTIFIERS = ("all", "any")
#: The dates a claim's window may take (the state system's start; a horizon far enough).
FIRST_DATE = date(1816, 1, 1)
LAST_DATE = date(2100, 12, 31)


@dataclass(frozen=True)
class Condition:
    """What a claim says will happen (see the module docstring). ``parties``: COW codes."""

    event: str
    parties: tuple[int, ...]
    window_start: date
    window_end: date
    pledge: str | None = None
    alliance: int | None = None
    quantifier: str = "all"

    def pairs(self) -> list[tuple[int, int]]:
        """The pairs of parties a ``new_pledge`` condition is about (lower code first)."""
        ps = sorted(set(self.parties))
        return [(a, b) for i, a in enumerate(ps) for b in ps[i + 1 :]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "parties": list(self.parties),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "pledge": self.pledge,
            "alliance": self.alliance,
            "quantifier": self.quantifier,
        }

    def describe(self, names: dict[int, str] | None = None) -> str:
        """The condition in words, e.g. ``a new defense pledge between RUS and CHN,
        2021-02-01 to 2022-12-31``."""
        names = names or {}
        who = [names.get(c, str(c)) for c in self.parties]
        window = f"{self.window_start.isoformat()} to {self.window_end.isoformat()}"
        if self.event == "new_pledge":
            between = " and ".join(who) if len(who) == 2 else ", ".join(who)
            scope = "" if len(who) == 2 else f" ({self.quantifier} pairs)"
            return f"a new {self.pledge} pledge between {between}{scope}, {window}"
        if self.event in ("accession", "withdrawal"):
            scope = "" if len(who) == 1 else f" ({self.quantifier} of them)"
            verb = "join" if self.event == "accession" else "leave"
            return f"{', '.join(who)} {verb}{'s' if len(who) == 1 else ''} ATOP alliance " + (
                f"{self.alliance}{scope}, {window}"
            )
        return f"ATOP alliance {self.alliance} terminates, {window}"


def check_date(value: object, field: str) -> date:
    """A date from a :class:`datetime.date` or ISO text (``YYYY-MM-DD``), within
    :data:`FIRST_DATE` .. :data:`LAST_DATE`."""
    if isinstance(value, date):
        d = value
    elif isinstance(value, str):
        try:
            d = date.fromisoformat(value.strip())
        except ValueError:
            raise ClaimError(
                field,
                f"{field} must be a date YYYY-MM-DD, not {value!r:.40}",
                "e.g. 2021-02-15.",
            ) from None
    else:
        raise ClaimError(
            field, f"{field} must be a date YYYY-MM-DD, not {value!r:.40}", "e.g. 2021-02-15."
        )
    if not FIRST_DATE <= d <= LAST_DATE:
        raise ClaimError(
            field,
            f"{field} {d.isoformat()} is out of range",
            f"give a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}.",
        )
    return d


def _parties(value: object, year: int, index: CountryIndex | None) -> tuple[int, ...]:
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ClaimError(
            "parties", "parties must be a list of states", 'e.g. parties = ["Russia", "China"].'
        )
    idx = index or countries.index()
    out: list[int] = []
    for q in value:
        if not isinstance(q, str | int) or isinstance(q, bool):
            raise ClaimError("parties", f"a party is a state's name or code, not {q!r:.40}")
        try:
            code = idx.resolve(q, year).ccode
        except FoedusError as e:
            raise ClaimError("parties", f"party {q!r}: {e.message}", e.hint) from None
        if code in out:
            raise ClaimError("parties", f"party {q!r} is named twice", "name each state once.")
        out.append(code)
    return tuple(out)


def parse_condition(doc: object, *, index: CountryIndex | None = None) -> Condition:
    """A :class:`Condition` from a mapping (``event``, ``parties``, ``window_start``,
    ``window_end``, and ``pledge``, ``alliance``, ``quantifier`` as the event needs), with
    every state resolved; :class:`ClaimError` naming the field and the fix otherwise."""
    if isinstance(doc, Condition):
        return doc
    if not isinstance(doc, dict):
        raise ClaimError("condition", "a condition must be a table of fields", _EXAMPLE)
    known = {"event", "parties", "window_start", "window_end", "pledge", "alliance", "quantifier"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ClaimError(
            "condition", f"unknown condition fields {unknown}", "use: " + ", ".join(sorted(known))
        )
    event = doc.get("event")
    if event not in EVENTS:
        raise ClaimError(
            "event", f"event must be one of {', '.join(EVENTS)}, not {event!r:.40}", _EXAMPLE
        )
    start = check_date(doc.get("window_start"), "window_start")
    end = check_date(doc.get("window_end"), "window_end")
    if end < start:
        raise ClaimError(
            "window_end",
            f"the window ends ({end}) before it starts ({start})",
            "give window_end on or after window_start.",
        )
    quantifier = doc.get("quantifier", "all")
    if quantifier not in QUANTIFIERS:
        raise ClaimError("quantifier", f"quantifier must be 'all' or 'any', not {quantifier!r:.40}")
    pledge = alliance = None
    parties: tuple[int, ...] = ()
    if event == "new_pledge":
        try:
            pledge = check_pledge(doc.get("pledge", "defense"))
        except FoedusError as e:
            raise ClaimError("pledge", e.message, "one of: " + ", ".join(PLEDGES)) from None
        parties = _parties(doc.get("parties"), start.year, index)
        if len(parties) < 2:
            raise ClaimError(
                "parties", "a new pledge needs at least two parties", "name both states."
            )
    else:
        if doc.get("alliance") is None:
            raise ClaimError(
                "alliance", f"an {event} condition names the alliance", 'e.g. alliance = "NATO".'
            )
        try:
            alliance = alliance_id(doc["alliance"])
        except FoedusError as e:
            raise ClaimError("alliance", e.message, e.hint) from None
        if event == "accession" or doc.get("parties"):
            parties = _parties(doc.get("parties"), start.year, index)
    return Condition(event, parties, start, end, pledge, alliance, quantifier)


_EXAMPLE = (
    'e.g. {event = "new_pledge", pledge = "defense", parties = ["Russia", "China"], '
    'window_start = "2021-02-15", window_end = "2022-12-31"}.'
)
