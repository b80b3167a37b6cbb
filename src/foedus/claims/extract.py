"""Drafting claims from an article: rule-based, explicit about what it could not pin down.

``foedus claims extract FILE`` reads an article (:func:`read_article`: plain text or HTML) and
proposes draft claims (:func:`extract_claims`); a person checks each draft before it goes into
the ledger. Nothing here guesses silently: every assumption is listed in the draft's
``unresolved`` or the extraction's ``notes``.

The rules, in order:

* **Publication date** P: the one given; else the HTML's ``<meta
  property="article:published_time">``, JSON-LD ``datePublished`` or ``<time datetime>``; else
  the first date written in the text ("February 15, 2021", "15 February 2021", "2021-02-15").
* **Sentences** split at ``.``, ``!``, ``?`` before a space (not after "U.S.", "Mr.", "Feb."
  and the like) and at blank lines. A sentence is a *candidate* when it names at least one
  state, uses an alliance word (alliance, pact, treaty, mutual defence, accession, join NATO,
  NATO membership, non-aggression, neutrality, consultation) and looks ahead (will, would, by
  2030, within five years, next year, this year, at the latest, soon, or a verbal probability
  phrase of :mod:`foedus.claims.verbal`). At most :data:`MAX_DRAFTS` candidates are drafted.
* **States** are the resolver's names and name variants (case as written), a few
  abbreviations (:data:`ABBREVIATIONS`; other all-caps codes are too noisy), and the
  adjectives, capitals and other stand-ins of :data:`PLACES` ("Moscow", "Kremlin", "Chinese",
  "Sino-"). Each is resolved with ``index.resolve(words, P.year)``; what does not resolve
  ("Korea", a state not in the system that year) is left out with a note.
* **Event**: joining NATO (join NATO, NATO membership, accession to NATO, become a member of
  NATO) is an ``accession`` to NATO by the states named; any other alliance word is a
  ``new_pledge`` between the states named, of type ``defense`` unless the sentence says
  non-aggression (``nonagg``), neutrality (``neutral``), consultation (``consul``) or
  offensive alliance (``offense``).
* **Window**: from P to the latest end the sentence gives: "this year" (Dec 31 of P's year),
  "next year", "by/in/before/until 2030", "at the latest (in) 2022", "by the end of 2022"
  (Dec 31 of that year; years before P's are history, not windows), "within five years", "in
  the next two years", "within 18 months" (P plus that time). Vague words ("soon", "within
  months", "in the coming years") assume the end of the year after P's; no window at all
  assumes the end of P's year; no P leaves the window empty.
* **Probability**: a number in the sentence ("70%", "70 per cent"; "seven in ten" only next
  to chance, odds, probability or likelihood; never "40% of ...") is ``stated``; else the
  longest verbal phrase (:func:`foedus.claims.verbal.find_phrase`) is ``verbal``; else none.

Known limits: case matters ("turkey" is never Turkey; "Turkey dinner" and a capitalised
"Chad"/"Jordan" next to another capitalised name are skipped, but other homonyms are not);
"Georgia" counts only when the text also names Tbilisi, the Caucasus, Abkhazia or South
Ossetia; capitals count as their state ("Washington said"), except in names of treaties and
papers ("Warsaw Pact", "Treaty of Rome", "Washington Post"); bare "Korean" is skipped; the
parties are every state in the sentence, whoever is doing what; negations are left to the
verbal scale ("will not" is very unlikely); only NATO is known as an alliance to join.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from foedus import countries
from foedus.claims.condition import FIRST_DATE, LAST_DATE
from foedus.claims.verbal import find_phrase
from foedus.countries import CountryIndex
from foedus.errors import ClaimError, FoedusError, InvalidArgumentError
from foedus.world import PLEDGE_ALIASES, PLEDGES

__all__ = [
    "ABBREVIATIONS",
    "MAX_BYTES",
    "MAX_DRAFTS",
    "PLACES",
    "Article",
    "DraftClaim",
    "Extraction",
    "extract_claims",
    "read_article",
]

#: Files larger than this are not read.
MAX_BYTES = 5 * 1024 * 1024
#: At most this many candidate sentences are drafted.
MAX_DRAFTS = 20
#: A draft's sentence is trimmed to this many characters.
SENTENCE_CHARS = 300

#: All-caps name variants that are matched (other codes such as "ROC" or "RB" are too noisy).
ABBREVIATIONS = frozenset(
    {"USA", "US", "U.S.", "U.S.A.", "UK", "U.K.", "USSR", "U.S.S.R.", "PRC", "DPRK"}
)

#: The state each adjective (or other word) and each capital (or seat of government) stands
#: for: (name to resolve, adjectives, capitals).
_PLACE_TABLE: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Russia", ("Russian",), ("Moscow", "Kremlin")),
    ("China", ("Chinese", "Sino"), ("Beijing",)),
    ("United States of America", ("American",), ("Washington", "Pentagon")),
    ("Ukraine", ("Ukrainian",), ("Kyiv", "Kiev")),
    ("Finland", ("Finnish", "Finn"), ("Helsinki",)),
    ("Sweden", ("Swedish", "Swede"), ("Stockholm",)),
    ("Japan", ("Japanese",), ("Tokyo",)),
    ("South Korea", ("South Korean",), ("Seoul",)),
    ("North Korea", ("North Korean",), ("Pyongyang",)),
    ("India", ("Indian",), ("New Delhi",)),
    ("Iran", ("Iranian",), ("Tehran",)),
    ("Turkey", ("Turkish",), ("Ankara",)),
    ("United Kingdom", ("British", "Briton"), ("London",)),
    ("France", ("French",), ("Paris",)),
    ("Germany", ("German",), ("Berlin",)),
    ("Saudi Arabia", ("Saudi",), ("Riyadh",)),
    ("Pakistan", ("Pakistani",), ("Islamabad",)),
    ("Taiwan", ("Taiwanese",), ("Taipei",)),
    ("Australia", ("Australian",), ("Canberra",)),
    ("Georgia", ("Georgian",), ("Tbilisi",)),
    ("Belarus", ("Belarusian",), ("Minsk",)),
    ("Israel", ("Israeli",), ()),
    ("Philippines", ("Philippine", "Filipino"), ("Manila",)),
    ("Vietnam", ("Vietnamese",), ("Hanoi",)),
    ("Poland", ("Polish",), ("Warsaw",)),
)
#: Adjectives, capitals and other words that stand for a state: word -> name to resolve.
PLACES: dict[str, str] = {w: t for t, adj, seats in _PLACE_TABLE for w in (*adj, *seats)}
#: Capitals and seats of government: not counted inside the name of a treaty or a paper.
_SEATS = frozenset(w for _, _, seats in _PLACE_TABLE for w in seats)
_SEAT_AFTER = re.compile(
    r"\s+(?:Treaty|Pact|Agreements?|Accords?|Protocols?|Charter|Declaration|Convention|Group|"
    r"Format|Process|Summit|Final Act|Post|Times|Consensus)\b",
    re.IGNORECASE,
)
_SEAT_BEFORE = re.compile(
    r"\b(?:Treaty|Treaties|Pact|Agreement|Accords?|Protocol|Charter|Declaration|Convention|"
    r"Congress|Peace)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
#: Phrases whose state words are not states ("South China Sea", "Latin America").
_NOT_STATES = re.compile(
    r"\b(?:(?:South|East) China Sea|Indian Ocean|New Mexico|(?<!Papua )New Guinea|American Samoa|"
    r"(?:Latin|South|North|Central|Native) Americ(?:a|ans?)|Persian Gulf)\b"
)
#: State names that are also given names: skipped next to another capitalised name.
_GIVEN_NAMES = frozenset({"Chad", "Jordan", "Georgia"})
_GEORGIA_CONTEXT = re.compile(
    r"\b(?:Tbilisi|Caucasus|Caucasian|Abkhaz\w*|Ossetia\w*|Republic of Georgia)\b"
)
_TURKEY_BIRD = re.compile(
    r"\s+(?:dinners?|sandwich(?:es)?|breasts?|meat|legs?|feathers|farms?|hunting|roast|"
    r"stuffing|vultures?)\b"
)

# --- sentences -------------------------------------------------------------------------------

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n")
_NO_SPLIT_AFTER = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Col|Lt|Capt|St|Jr|Sr|vs|etc|No|Jan|Feb|Mar|"
    r"Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e)|\b[A-Z](?:\.[A-Z])*)$"
)

# --- what a candidate sentence must contain -----------------------------------------------------

_NATO = (
    r"(?:NATO|(?:the\s+)?North\s+Atlantic\s+(?:Treaty\s+Organi[sz]ation|Alliance)|"
    r"(?:the\s+)?Atlantic\s+Alliance)"
)
_TOPIC = re.compile(
    r"\b(?:alliances?|pacts?|treat(?:y|ies)|mutual[\s-]+defen[cs]e|accession|accede|"
    r"non-?aggression|neutrality|consultations?)\b",
    re.IGNORECASE,
)
_ACCESSION = re.compile(
    rf"\b(?:join(?:s|ed|ing)?\s+(?:the\s+)?{_NATO}|{_NATO}\s+(?:membership|accession|bid)|"
    rf"membership\s+(?:of|in)\s+(?:the\s+)?{_NATO}|(?:accession|admission)\s+(?:to|into)\s+"
    rf"(?:the\s+)?{_NATO}|accede(?:s|d)?\s+to\s+(?:the\s+)?{_NATO}|"
    rf"becom(?:e|es|ing)\s+(?:an?\s+)?(?:full\s+)?members?\s+of\s+(?:the\s+)?{_NATO})",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|won't|is going to|are going to|expected to|set to|within|"
    r"next\s+(?:year|decade)|this\s+year|at\s+most\s+in|at\s+the\s+latest|"
    r"in\s+the\s+(?:next|coming)|soon)\b",
    re.IGNORECASE,
)

# --- windows ---------------------------------------------------------------------------------

_YEAR_END = re.compile(
    r"\b(?P<prep>by|in|before|until|till|through|no\s+later\s+than|not\s+later\s+than|"
    r"at\s+most,?(?:\s+in)?|at\s+the\s+latest,?(?:\s+in)?|(?:by\s+)?the\s+end\s+of)\s+"
    r"(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?P<year2>(?:19|20)\d\d),?\s+at\s+the\s+latest\b",
    re.IGNORECASE,
)
_THIS_YEAR = re.compile(
    r"\b(?:this\s+year|(?:the\s+)?end\s+of\s+(?:the|this)\s+year|year[-\s]end|"
    r"the\s+current\s+year)\b",
    re.IGNORECASE,
)
_NEXT_YEAR = re.compile(
    r"\b(?:(?<!the )next\s+year|the\s+(?:coming|following)\s+year)\b", re.IGNORECASE
)
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
    "a couple of": 2,
}
_N = r"\d{1,3}|a\s+couple\s+of|a\s+few|several|" + "|".join(k for k in _NUMBERS if " " not in k)
_SPAN = re.compile(
    rf"\b(?P<prep>within|in|over|during)\s+(?:the\s+)?(?:(?P<next>next|coming)\s+)?"
    rf"(?:(?P<n>{_N})\s+)?(?P<unit>years?|months?|decades?)\b",
    re.IGNORECASE,
)
_PAST_SPAN = re.compile(r"\b(?:first|last|time|since|ago)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_VAGUE = re.compile(
    r"\b(?:soon|shortly|before\s+long|in\s+the\s+(?:near|foreseeable)\s+future|"
    r"any\s+time\s+now|imminent(?:ly)?)\b",
    re.IGNORECASE,
)

# --- probabilities ---------------------------------------------------------------------------

_PERCENT = re.compile(
    r"(?<![\w.])(?P<x>\d{1,3}(?:\.\d+)?)[\s-]*(?:%|per[\s-]?cent\b|percent\b)(?!\s+of\b)",
    re.IGNORECASE,
)
_W = r"\d{1,3}(?!\d)|" + "|".join(k for k in _NUMBERS if " " not in k and len(k) > 2)
_IN = re.compile(
    rf"\b(?P<a>{_W})(?P<sep>\s+|-)(?:in|out\s+of)(?:\s+|-)(?:a\s+)?(?P<b>{_W})\b", re.IGNORECASE
)
_CHANCE = re.compile(r"\b(?:chances?|odds|probability|likelihood)\b", re.IGNORECASE)

# --- dates in the text -----------------------------------------------------------------------

_MONTH = (
    r"(?P<m>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DATES = (
    re.compile(rf"\b{_MONTH}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(?P<y>\d{{4}})\b"),
    re.compile(r"\b(?P<y>\d{4})-(?P<mm>\d{2})-(?P<d>\d{2})\b"),
)

#: How each pledge type reads in a paraphrase.
_PLEDGE_WORDS = {
    "defense": "a defense pact",
    "offense": "an offensive alliance",
    "neutral": "a neutrality pact",
    "nonagg": "a non-aggression pact",
    "consul": "a consultation pact",
}
#: Words that name a pledge type (longest first), read through world.PLEDGE_ALIASES.
_PLEDGE_RE = re.compile(
    r"\b(?P<w>non-?aggression|neutrality|consultations?|offensive\s+alliance|"
    r"mutual[\s-]+defen[cs]e|defen[cs]e\s+(?:pact|treaty|alliance|agreement)|"
    r"military\s+alliance)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DraftClaim:
    """One claim drafted from one sentence, for a person to check (see the module docstring).

    ``condition`` holds the fields of :func:`foedus.claims.condition.parse_condition` (states
    by name; window dates as ISO text, None when there is no publication date)."""

    sentence: str
    paraphrase: str
    condition: dict[str, Any]
    probability: float | None
    probability_basis: str | None
    probability_phrase: str | None
    unresolved: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "paraphrase": self.paraphrase,
            "condition": dict(self.condition),
            "probability": self.probability,
            "probability_basis": self.probability_basis,
            "probability_phrase": self.probability_phrase,
            "unresolved": list(self.unresolved),
        }


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract_claims` found: the publication date and where it came from, each
    state named (the words used, joined by " / " when it is named in several ways, as in
    ``("Moscow / Russia", 365, 3)``; its COW code; how often), the drafts and general notes."""

    published: date | None
    published_source: str
    states: list[tuple[str, int, int]]
    drafts: list[DraftClaim]
    notes: list[str]

    def claim_docs(self) -> list[dict[str, Any]]:
        """The drafts as a claims file for ``foedus claims add`` (author, outlet and url left
        empty for the user to fill in; what could not be pinned down in ``notes``)."""
        return [
            {
                "author": "",
                "outlet": "",
                "url": "",
                "published": self.published.isoformat() if self.published else "",
                "paraphrase": d.paraphrase,
                "condition": d.condition,
                "probability": d.probability,
                "basis": d.probability_basis,
                "phrase": d.probability_phrase if d.probability_basis == "verbal" else None,
                "notes": "; ".join(d.unresolved),
            }
            for d in self.drafts
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "published": None if self.published is None else self.published.isoformat(),
            "published_source": self.published_source,
            "states": [list(s) for s in self.states],
            "drafts": [d.to_dict() for d in self.drafts],
            "notes": list(self.notes),
        }


class Article(tuple[str, str]):
    """What :func:`read_article` returns: a ``(text, kind)`` pair (``kind`` is ``"html"`` or
    ``"text"``) that also carries the publication date found in the HTML's metadata
    (``published``, or None) and where it was found (``published_how``)."""

    published: date | None
    published_how: str | None

    def __new__(
        cls,
        text: str,
        kind: str,
        published: date | None = None,
        published_how: str | None = None,
    ) -> Article:
        self = super().__new__(cls, (text, kind))
        self.published = published
        self.published_how = published_how
        return self

    @property
    def text(self) -> str:
        return self[0]

    @property
    def kind(self) -> str:
        return self[1]


# --- reading files ---------------------------------------------------------------------------


#: HTML <meta> names of a publication date -> priority (lower wins).
_META_DATES = {
    "article:published_time": 0,
    "og:article:published_time": 1,
    "datepublished": 1,
    "pubdate": 1,
    "publish-date": 1,
    "publishdate": 1,
    "dc.date": 1,
    "dc.date.issued": 1,
    "dcterms.date": 1,
}


class _HTMLText(HTMLParser):
    """Visible text of an HTML page (paragraphs kept) and its publication date, if any."""

    SKIP = frozenset({"script", "style", "noscript", "template", "title", "svg", "iframe"})
    BLOCK = (
        frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol"})
        | {"tr", "table", "section", "article", "header", "footer", "blockquote", "pre"}
        | {"hr", "figcaption", "figure", "main", "aside", "nav", "dd", "dt", "body"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []
        self.json_ld: list[str] | None = None
        #: (priority, date, how); the lowest priority wins.
        self.dates: list[tuple[float, date, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in _META_DATES and (d := _iso_date(a.get("content", ""))):
                how = "property" if "property" in a else "name" if "name" in a else "itemprop"
                self.dates.append((_META_DATES[key], d, f'HTML <meta {how}="{key}">'))
            return
        if tag == "time" and (d := _iso_date(a.get("datetime", ""))):
            best = a.get("itemprop", "").lower() == "datepublished" or "pubdate" in a
            self.dates.append((1.5 if best else 3, d, "HTML <time datetime>"))
        if tag in self.SKIP:
            self.skip.append(tag)
            if tag == "script" and a.get("type", "").lower() == "application/ld+json":
                self.json_ld = []
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:  # a self-closed <script/> has no content to skip
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and tag in self.skip:
            while self.skip and self.skip.pop() != tag:
                pass
            if tag == "script" and self.json_ld is not None:
                d = _json_ld_date("".join(self.json_ld))
                if d is not None:
                    self.dates.append((2, d, "HTML JSON-LD datePublished"))
                self.json_ld = None
            return
        if tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            if self.json_ld is not None:
                self.json_ld.append(data)
            return
        self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        paragraphs = (re.sub(r" *\n *", "\n", p).strip() for p in "".join(self.parts).split("\n\n"))
        return "\n\n".join(p for p in paragraphs if p)

    def published(self) -> tuple[date | None, str | None]:
        if not self.dates:
            return None, None
        _, d, how = min(self.dates, key=lambda t: t[0])
        return d, how


def _iso_date(value: str) -> date | None:
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    try:
        d = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return d if FIRST_DATE <= d <= LAST_DATE else None


def _json_ld_date(text: str) -> date | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    stack = [doc]
    while stack:
        x = stack.pop(0)
        if isinstance(x, dict):
            v = x.get("datePublished")
            if isinstance(v, str) and (d := _iso_date(v)):
                return d
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


def _decode(data: bytes, path: Path) -> str:
    refuse = ClaimError(
        "file",
        f"{path} is not a text or HTML file (binary or not UTF-8)",
        "give the article as plain text or HTML in UTF-8 (save the page as text, or convert "
        "it, e.g. iconv -f latin1 -t utf-8).",
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise refuse from None
    if b"\x00" in data or data.startswith(b"%PDF"):
        raise refuse
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", data[:4096])
        if not m:
            raise refuse from None
        try:
            text = data.decode(m[1].decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            raise refuse from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 200):
        raise refuse
    return text


def _looks_like_html(text: str, path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = text[:4096]
    return bool(
        re.match(
            r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
            head,
            re.I | re.S,
        )
        or re.search(r"<(?:body|p|div|article)[\s>]", head, re.I)
    )


def read_article(path: str | Path) -> Article:
    """An article's plain text and kind (``"html"`` or ``"text"``), as an :class:`Article`
    (a ``(text, kind)`` pair that also carries the publication date in an HTML page's
    metadata). HTML is reduced to its visible text (scripts and styles dropped, one blank line
    between paragraphs). Binary or undecodable files and files over 5 MB are refused with
    :class:`ClaimError` (field ``"file"``)."""
    p = Path(path)
    try:
        if not p.is_file():
            raise ClaimError(
                "file",
                f"{p} is not a file" if p.exists() else f"{p} does not exist",
                "give the path of an article saved as text or HTML.",
            )
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ClaimError(
                "file",
                f"{p} is {size / 1024 / 1024:.1f} MB; articles over "
                f"{MAX_BYTES // 1024 // 1024} MB are not read",
                "save the article's text alone (e.g. copy it into a .txt file).",
            )
        data = p.read_bytes()
    except OSError as e:
        raise ClaimError(
            "file", f"cannot read {p}: {e.strerror or e}", "check the path and its permissions."
        ) from None
    text = _decode(data, p)
    if not _looks_like_html(text, p):
        return Article(text, "text")
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    published, how = parser.published()
    return Article(parser.text(), "html", published, how)


# --- states ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    words: str
    ccode: int


def _forms(index: CountryIndex) -> dict[str, str]:
    """Words to look for -> the name to resolve."""
    out: dict[str, str] = {}
    for st in index.states.values():
        for n in (st.name, st.cow_name, *st.aliases):
            n = n.strip()
            if not n or "," in n or "(" in n:
                continue
            letters = n.replace(".", "")
            if letters.isupper() and n not in ABBREVIATIONS:
                continue
            out.setdefault(n, n)
    for w, target in PLACES.items():
        out.setdefault(w, target)
    return out


def _form_pattern(forms: dict[str, str]) -> re.Pattern[str]:
    alts = []
    for f in sorted(forms, key=lambda s: (-len(s), s)):
        if f == "Sino":
            alts.append(r"Sino(?=-[A-Z])")
        elif f in PLACES and f not in _SEATS:
            alts.append(re.escape(f).replace(r"\ ", r"\s+") + "s?")  # Russians, Finns, Saudis
        else:
            alts.append(re.escape(f).replace(r"\ ", r"\s+"))
    return re.compile(r"(?<![\w])(" + "|".join(alts) + r")(?![\w])")


def _skip(text: str, s: int, e: int, form: str) -> bool:
    """True for a match that is probably not the state (see the module docstring)."""
    if form in _SEATS and (
        _SEAT_AFTER.match(text, e) or _SEAT_BEFORE.search(text[max(0, s - 40) : s])
    ):
        return True
    if form == "Turkey" and _TURKEY_BIRD.match(text, e):
        return True
    if form in _GIVEN_NAMES:
        if re.match(r" [A-Z][a-z]", text[e : e + 3]):
            return True
        before = text[max(0, s - 40) : s]
        m = re.search(r"(?:^|[^\w])([A-Z][a-z]+) $", before)
        if m and not re.search(r"(?:^|[.!?]\s+|\n)$", before[: m.start(1)]):
            return True
    return False


def _mentions(text: str, index: CountryIndex, year: int | None, notes: list[str]) -> list[_Mention]:
    """Every state named in ``text``, in order, resolved for ``year``."""
    forms = _forms(index)
    masked = _NOT_STATES.sub(lambda m: " " * len(m.group()), text)
    georgia_ok = bool(_GEORGIA_CONTEXT.search(text))
    resolved: dict[str, int | None] = {}
    georgia_noted = False
    out: list[_Mention] = []
    for m in _form_pattern(forms).finditer(masked):
        words = " ".join(m.group(1).split())
        form = words if words in forms else words[:-1]
        if _skip(masked, m.start(), m.end(), form):
            continue
        query = forms[form]
        if query == "Georgia" and form != "Tbilisi" and not georgia_ok:
            if not georgia_noted:
                notes.append(
                    f"{words!r} skipped: nothing in the text shows the country is meant (it is "
                    "also a US state); name Tbilisi or the Caucasus, or add the claim by hand"
                )
                georgia_noted = True
            continue
        if query not in resolved:
            resolved[query] = _resolve(index, query, year, words, notes)
        code = resolved[query]
        if code is not None:
            out.append(_Mention(m.start(), m.end(), words, code))
    return out


def _resolve(
    index: CountryIndex, query: str, year: int | None, words: str, notes: list[str]
) -> int | None:
    try:
        try:
            return index.resolve(query, year).ccode
        except InvalidArgumentError:  # a publication year outside the state system's years
            return index.resolve(query, None).ccode
    except FoedusError as e:
        notes.append(f"{words!r} left out: {e.message}")
        return None


# --- sentences, windows, probabilities -------------------------------------------------------


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith("."):
            if _NO_SPLIT_AFTER.search(text, 0, m.start()) and m.group() == ".":
                continue
            nxt = re.match(r"\s*(\S)", text[m.end() : m.end() + 20])
            if nxt and nxt[1].islower():
                continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _years_ahead(sentence: str, published: date | None) -> list[tuple[int, str]]:
    """Years the sentence looks ahead to (year, the words), P's year or later."""
    out = []
    for m in _YEAR_END.finditer(sentence):
        y = int(m["year"] or m["year2"])
        prep = (m["prep"] or "at the latest").lower()
        if published is None:
            if not prep.startswith("in"):
                out.append((y, " ".join(m.group().split())))
        elif y >= published.year:
            out.append((y, " ".join(m.group().split())))
    return out


def _plus(d: date, years: int = 0, months: int = 0) -> date:
    total = d.year * 12 + (d.month - 1) + years * 12 + months
    y, mo = divmod(total, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, mo + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _window(sentence: str, p: date) -> tuple[date, list[str]]:
    """The window's end for a sentence published on ``p``, and what was assumed."""
    ends: list[date] = [date(y, 12, 31) for y, _ in _years_ahead(sentence, p)]
    if _THIS_YEAR.search(sentence):
        ends.append(date(p.year, 12, 31))
    if _NEXT_YEAR.search(sentence):
        ends.append(date(p.year + 1, 12, 31))
    vague = [" ".join(m.group().split()) for m in _VAGUE.finditer(sentence)]
    for m in _SPAN.finditer(sentence):
        unit = m["unit"].lower().rstrip("s")
        raw = " ".join((m["n"] or "").lower().split())
        if raw in ("a few", "several") or (not raw and not m["next"]):
            if raw or m["prep"].lower() == "within":  # "in a few years", "within months"
                vague.append(" ".join(m.group().split()))
            continue
        if m["prep"].lower() == "in" and _PAST_SPAN.search(sentence, 0, m.start()):
            continue  # "the first time in 70 years"
        if not raw and unit + "s" == m["unit"].lower():  # "in the coming months"
            vague.append(" ".join(m.group().split()))
            continue
        n = int(raw) if raw.isdigit() else _NUMBERS.get(raw, 1)
        if unit == "month":
            ends.append(_plus(p, months=n))
        else:
            ends.append(_plus(p, years=n * (10 if unit == "decade" else 1)))
    ends = [e for e in ends if e >= p]
    if ends:
        return max(ends), []
    if vague:
        end = date(p.year + 1, 12, 31)
        return end, [f"vague window ({vague[0]!r}): assumed the end of {p.year + 1} ({end})"]
    end = date(p.year, 12, 31)
    return end, [f"no time window: assumed the end of the publication year ({end})"]


def _number(word: str) -> int:
    w = word.lower()
    return int(w) if w.isdigit() else _NUMBERS[w]


def _probability(sentence: str) -> tuple[float | None, str | None, str | None]:
    """(probability, basis, the words) of a sentence (see the module docstring)."""
    for m in _PERCENT.finditer(sentence):
        x = float(m["x"])
        if 0 <= x <= 100:
            return round(x / 100, 4), "stated", " ".join(m.group().split())
    for m in _IN.finditer(sentence):
        a, b = _number(m["a"]), _number(m["b"])
        if 0 < a <= b and (m["sep"] == "-" or _CHANCE.search(sentence)):
            return round(a / b, 4), "stated", " ".join(m.group().split())
    vp = find_phrase(sentence)
    if vp is not None:
        return vp.p, "verbal", vp.phrase
    return None, None, None


def _pledge(sentence: str) -> tuple[str, str | None]:
    """The pledge type a sentence names, and the words it was assumed from if it names none."""
    m = _PLEDGE_RE.search(sentence)
    if m:
        w = " ".join(m["w"].lower().split())
        key = {"consultations": "consultation", "nonaggression": "non-aggression"}.get(w, w)
        if key.startswith("offensive"):
            return "offense", None
        pledge = PLEDGE_ALIASES.get(key, key)
        return (pledge if pledge in PLEDGES else "defense"), None
    t = _TOPIC.search(sentence)
    return "defense", (t.group() if t else "alliance")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _trim(sentence: str) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= SENTENCE_CHARS else s[: SENTENCE_CHARS - 3].rstrip() + "..."


def _draft(sentence: str, parties: list[str], p: date | None) -> DraftClaim:
    """The draft claim of a candidate sentence (see the module docstring)."""
    unresolved: list[str] = []
    if p is None:
        start = end = None
        unresolved.append("no date found: give --published")
        by = "by a date not known"
    else:
        end_date, notes = _window(sentence, p)
        unresolved.extend(notes)
        start, end = p.isoformat(), end_date.isoformat()
        by = f"by {end}"
    cond: dict[str, Any]
    if _ACCESSION.search(sentence):
        cond = {"event": "accession", "parties": parties, "alliance": "NATO"}
        each = " each" if len(parties) > 1 else ""
        para = f"{_join(parties)} will{each} join NATO {by}"
        if len(parties) > 1:
            unresolved.append(
                f"{len(parties)} states named: each is taken to join NATO; drop any that is not"
            )
    elif re.search(r"\b(?:accession|accede)\b", sentence, re.I):
        cond = {"event": "accession", "parties": parties, "alliance": None}
        para = f"{_join(parties)} will join an alliance not named {by}"
        unresolved.append("accession, but not to NATO: name the alliance (foedus knows NATO)")
    else:
        pledge, assumed = _pledge(sentence)
        cond = {"event": "new_pledge", "parties": parties, "pledge": pledge}
        what = _PLEDGE_WORDS[pledge]
        if assumed is not None:
            unresolved.append(f"pledge type assumed {pledge!r} (the sentence says {assumed!r})")
        if len(parties) == 1:
            para = f"{parties[0]} will form {what} with a state not named {by}"
            unresolved.append("only one state named")
        elif len(parties) == 2:
            para = f"{_join(parties)} will form {what} {by}"
        else:
            para = f"{_join(parties)} will form {what} (between every pair) {by}"
            unresolved.append(
                f"{len(parties)} states named: a pledge between every pair is assumed; "
                "drop any that is not a party"
            )
    cond["window_start"], cond["window_end"] = start, end
    prob, basis, phrase = _probability(sentence)
    if prob is None:
        unresolved.append("no probability stated or implied")
    return DraftClaim(_trim(sentence), para, cond, prob, basis, phrase, unresolved)


def _date_in_text(text: str) -> tuple[date, str] | None:
    best: tuple[int, date, str] | None = None
    for rx in _DATES:
        for m in rx.finditer(text):
            month = _MONTHS[m["m"][:3].lower()] if "m" in rx.groupindex else int(m["mm"])
            try:
                d = date(int(m["y"]), month, int(m["d"]))
            except ValueError:
                continue
            if FIRST_DATE <= d <= LAST_DATE:
                if best is None or m.start() < best[0]:
                    best = (m.start(), d, m.group())
                break
    return None if best is None else (best[1], best[2])


def extract_claims(
    text: str,
    *,
    published: date | None = None,
    index: CountryIndex | None = None,
    html_date: date | None = None,
    html_date_how: str | None = None,
) -> Extraction:
    """Draft claims from an article's ``text`` by the rules of the module docstring.

    ``published`` (the publication date, if known) wins over ``html_date`` (the date in an
    HTML page's metadata, :attr:`Article.published`; ``html_date_how`` says where), which wins
    over the first date written in the text. ``index`` defaults to the real resolver."""
    if not isinstance(text, str):
        raise ClaimError("text", f"the article must be text, not {type(text).__name__}")
    for name, value in (("published", published), ("html_date", html_date)):
        if value is not None and not isinstance(value, date):
            raise ClaimError(name, f"{name} must be a date, not {value!r:.40}", "e.g. 2021-02-15.")
    notes: list[str] = []
    p: date | None
    if published is not None:
        p, source = _as_date(published), "given"
    elif html_date is not None:
        p, source = _as_date(html_date), f"found in the text ({html_date_how or 'HTML metadata'})"
    elif (found := _date_in_text(text)) is not None:
        p, source = found[0], f"found in the text (the first date in it, {found[1]!r})"
        notes.append(
            "the publication date is taken to be the first date in the text; "
            "give --published if it is not"
        )
    else:
        p, source = None, "not found"
        notes.append("no publication date found: give --published to date the windows")
    idx = index if index is not None else countries.index()
    mentions = _mentions(text, idx, p.year if p else None, notes)

    states: dict[int, list[Any]] = {}
    for mt in mentions:
        entry = states.setdefault(mt.ccode, [[], 0])
        if mt.words not in entry[0]:
            entry[0].append(mt.words)
        entry[1] += 1
    state_list = [(" / ".join(w), c, n) for c, (w, n) in states.items()]

    candidates: list[tuple[str, list[str]]] = []
    for s, e in _sentences(text):
        inside = [mt for mt in mentions if s <= mt.start < e]
        sentence = text[s:e]
        if not inside or not (_TOPIC.search(sentence) or _ACCESSION.search(sentence)):
            continue
        ahead = (
            _FUTURE.search(sentence)
            or _years_ahead(sentence, p)
            or find_phrase(sentence) is not None
        )
        if not ahead:
            continue
        parties = list(dict.fromkeys(idx.states[mt.ccode].name for mt in inside))
        candidates.append((sentence, parties))
    if len(candidates) > MAX_DRAFTS:
        notes.append(
            f"{len(candidates)} candidate sentences: drafts were made for the first "
            f"{MAX_DRAFTS} only"
        )
    if not candidates:
        notes.append(
            "no sentence names a state, an alliance or treaty and a time ahead: nothing drafted"
        )
    drafts = [_draft(s, parties, p) for s, parties in candidates[:MAX_DRAFTS]]
    return Extraction(p, source, state_list, drafts, notes)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
