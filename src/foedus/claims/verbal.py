"""Verbal probabilities: the words a forecast uses ("likely", "may well") as a number.

The bands are those of the US Intelligence Community's analytic standard (ICD 203, 2015); a
phrase maps to a band and takes the band's midpoint. Which band each everyday phrase belongs
to is foedus's documented judgement; the table, its sources and the treatment of flat
assertions ("will") are in docs/claims.md, "Verbal probabilities".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from foedus.errors import ClaimError

__all__ = ["BANDS", "PHRASES", "VerbalProbability", "find_phrase", "verbal_probability"]


@dataclass(frozen=True)
class VerbalProbability:
    """A phrase read as a probability: its band, the band's range and midpoint."""

    phrase: str
    band: str
    lo: float
    hi: float

    @property
    def p(self) -> float:
        return round((self.lo + self.hi) / 2, 4)

    def describe(self) -> str:
        return (
            f'"{self.phrase}" read as {self.band} ({self.lo:.0%}-{self.hi:.0%}, '
            f"midpoint {self.p:.1%}; ICD 203 scale)"
        )


#: ICD 203's seven bands: name -> (low, high).
BANDS: dict[str, tuple[float, float]] = {
    "almost no chance": (0.01, 0.05),
    "very unlikely": (0.05, 0.20),
    "unlikely": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55),
    "likely": (0.55, 0.80),
    "very likely": (0.80, 0.95),
    "almost certain": (0.95, 0.99),
}

#: Phrases and their bands (lower case; the longest phrase found in a text wins).
PHRASES: dict[str, str] = {
    # ICD 203's own words
    "almost no chance": "almost no chance",
    "remote": "almost no chance",
    "very unlikely": "very unlikely",
    "highly improbable": "very unlikely",
    "unlikely": "unlikely",
    "improbable": "unlikely",
    "roughly even chance": "roughly even chance",
    "roughly even odds": "roughly even chance",
    "even chance": "roughly even chance",
    "fifty-fifty": "roughly even chance",
    "likely": "likely",
    "probable": "likely",
    "probably": "likely",
    "very likely": "very likely",
    "highly likely": "very likely",
    "highly probable": "very likely",
    "almost certain": "almost certain",
    "almost certainly": "almost certain",
    "nearly certain": "almost certain",
    "virtually certain": "almost certain",
    # everyday hedges (foedus's reading, docs/claims.md)
    "could": "unlikely",
    "might": "unlikely",
    "may": "roughly even chance",
    "possibly": "unlikely",
    "perhaps": "unlikely",
    "may well": "likely",
    "real possibility": "roughly even chance",
    "a good chance": "likely",
    "expected to": "likely",
    "most likely": "very likely",
    "all but certain": "almost certain",
    "is bound to": "almost certain",
    "certainly will": "almost certain",
    # a flat assertion ("X will sign a pact") is read as very likely, not as certainty
    "will": "very likely",
    "is going to": "very likely",
    "are going to": "very likely",
    "doubtful": "unlikely",
    "not likely": "unlikely",
    "will not": "very unlikely",
    "won't": "very unlikely",
}

_PATTERN = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def verbal_probability(phrase: object) -> VerbalProbability:
    """The band of a verbal probability phrase (a key of :data:`PHRASES`, any case) or of a
    band name; :class:`ClaimError` naming the known phrases otherwise."""
    if not isinstance(phrase, str) or not phrase.strip():
        raise ClaimError(
            "probability_phrase",
            f"a verbal probability must be a phrase, not {phrase!r:.60}",
            'e.g. "likely" or "may well"; docs/claims.md lists the scale.',
        )
    key = " ".join(phrase.lower().split())
    band = PHRASES.get(key) or (key if key in BANDS else None)
    if band is None:
        raise ClaimError(
            "probability_phrase",
            f"{phrase!r} is not on foedus's verbal probability scale",
            "give the probability as a number, or one of: " + ", ".join(sorted(PHRASES)) + ".",
        )
    lo, hi = BANDS[band]
    return VerbalProbability(key, band, lo, hi)


def find_phrase(text: str) -> VerbalProbability | None:
    """The longest verbal probability phrase in ``text`` (the first such if several), or
    None."""
    best = None
    for m in _PATTERN.finditer(text):
        if best is None or len(m.group(1)) > len(best):
            best = m.group(1)
    return None if best is None else verbal_probability(best)
