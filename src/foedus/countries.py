"""Countries: resolve names and codes to Correlates of War (COW) state codes, year-aware.

Sources: the COW State System Membership list v2016 (membership spells), COW major powers
v2016 (major-power spells), the Gleditsch-Ward list (2017 revision), and foedus's own crosswalk
``registry/countries.toml`` (ISO 3166 alpha-3 codes and English name variants per COW code).

Resolution rules (see ``docs/data.md``):

* Numbers are COW codes (``365``); a number that is only a G-W code is mapped to COW by year.
* Three-letter codes are COW abbreviations (``RUS``, ``GMY``) or ISO3 codes (``DEU``); where
  the two disagree (``AUS``: COW Austria, ISO Australia) the query is ambiguous.
* Names and variants match after case, accents and punctuation are ignored ("Côte d'Ivoire",
  "cote d ivoire"). Bare names shared by several states ("Korea", "Congo") are ambiguous unless
  a year leaves only one system member.
* With a year, a state that was not a member then is replaced by the state that carried its
  identity in that year where COW splits one identity over two codes (Germany 1955-1990 → West
  Germany 260; Yemen before 1990 → Yemen Arab Republic 678; Czech Republic before 1993 →
  Czechoslovakia 315; Austria before 1919 → Austria-Hungary 300), with a note; otherwise a
  :class:`~foedus.errors.NotASystemMemberError` lists its spells.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources

import polars as pl

from foedus import validate
from foedus.errors import (
    AmbiguousCountryError,
    InvalidArgumentError,
    NotASystemMemberError,
    UnknownCountryError,
)


def _year(year: object, name: str = "year") -> int | None:
    """None, or a year from the COW state system's first year (catalog) to
    :func:`foedus.validate.latest_year`."""
    if year is None:
        return None
    return validate.system_year(year, name)


def _query(query: object) -> int | str:
    """A look-up: a name, an abbreviation, an ISO3 code or a numeric code (int or text)."""
    return validate.state(query, "query")


@dataclass(frozen=True)
class Spell:
    """A period of membership (system membership or major-power status), both ends inclusive."""

    start: date
    end: date
    #: True when the spell runs to the last day of its source list (e.g. COW v2016 ends on
    #: 2016-12-31): the state is taken to remain a member after the list ends, as peacesciencer
    #: does when it extends the lists to the present. Such years are flagged as assumed.
    open_ended: bool = False

    def covers_year(self, year: int) -> bool:
        return self.start.year <= year and (self.open_ended or year <= self.end.year)

    def covers_day(self, day: date) -> bool:
        return self.start <= day and (self.open_ended or day <= self.end)

    def __str__(self) -> str:
        end = (
            f"{self.end.isoformat()} (end of list; assumed ongoing)"
            if self.open_ended
            else self.end.isoformat()
        )
        return f"{self.start.isoformat()} to {end}"


@dataclass(frozen=True)
class State:
    """A COW system member (or former member)."""

    ccode: int
    abb: str
    name: str
    cow_name: str
    iso3: str | None
    spells: tuple[Spell, ...]
    major_spells: tuple[Spell, ...] = ()
    aliases: tuple[str, ...] = field(default=(), compare=False)

    def member_in(self, year: int) -> bool:
        """A member at any point of ``year`` (the panel rule for state-years)."""
        return any(s.covers_year(year) for s in self.spells)

    def major_in(self, year: int) -> bool:
        return any(s.covers_year(year) for s in self.major_spells)

    def member_on(self, day: date) -> bool:
        return any(s.covers_day(day) for s in self.spells)

    def assumed_in(self, year: int) -> bool:
        """Membership in ``year`` rests on the assumption that an open spell continues."""
        return self.member_in(year) and not any(
            s.start.year <= year <= s.end.year for s in self.spells
        )

    @property
    def years(self) -> str:
        return ", ".join(
            f"{s.start.year}-" + ("" if s.open_ended else f"{s.end.year}")
            if s.open_ended or s.start.year != s.end.year
            else str(s.start.year)
            for s in self.spells
        )

    def label(self) -> str:
        return f"{self.name} ({self.ccode}, {self.abb}, {self.years})"


@dataclass(frozen=True)
class Resolution:
    """The result of a lookup: the state, how the query matched, and any note for the user."""

    state: State
    query: str
    matched: str
    note: str | None = None

    @property
    def ccode(self) -> int:
        return self.state.ccode


#: Where COW splits one identity over two codes: (asked ccode, substitute ccode, note).
#: Applied only when a year is given and the asked state was not a member then.
IDENTITY_LINKS: dict[int, tuple[tuple[int, str], ...]] = {
    255: (
        (
            260,
            "Germany was divided in that year; 'Germany' is taken as West Germany (260). "
            "East Germany is 265.",
        ),
    ),
    679: (
        (
            678,
            "Yemen was divided in that year; 'Yemen' is taken as the Yemen Arab Republic "
            "(678, North Yemen). South Yemen is 680.",
        ),
    ),
    316: ((315, "before 1993 the Czech lands were part of Czechoslovakia (315)."),),
    317: ((315, "before 1993 Slovakia was part of Czechoslovakia (315)."),),
    305: ((300, "before 1919 Austria was part of Austria-Hungary (300)."),),
    310: ((300, "before 1918 Hungary was part of Austria-Hungary (300)."),),
}

#: Successors to mention when a dissolved state is asked about after its end.
SUCCESSORS: dict[int, tuple[int, ...]] = {
    315: (316, 317),
    300: (305, 310),
    260: (255,),
    265: (255,),
    678: (679,),
    680: (679,),
    817: (816,),
    730: (731, 732),
}

#: Bare names shared by several states. With a year, the system members among them are kept.
AMBIGUOUS_NAMES: dict[str, tuple[int, ...]] = {
    "korea": (730, 731, 732),
    "congo": (484, 490),
}

#: COW and G-W codes that denote the same state (besides equal codes, which always do).
COW_GW_PAIRS: tuple[tuple[int, int], ...] = ((255, 260), (679, 678), (345, 340))


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    validate.text(text, "text", allow_empty=True)
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    t = t.replace("&", " and ").replace("’", "'")
    t = re.sub(r"[.'`´]", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t).strip()
    t = re.sub(r"^the ", "", t)
    t = re.sub(r"\bsaint\b", "st", t)
    return t


@dataclass(frozen=True)
class _Crosswalk:
    ccode: int
    name: str
    iso3: str | None
    aliases: tuple[str, ...]


@functools.cache
def crosswalk() -> dict[int, _Crosswalk]:
    """foedus's packaged COW-code crosswalk: display name, ISO3 and name variants."""
    text = resources.files("foedus.registry").joinpath("countries.toml").read_text("utf-8")
    out = {}
    for e in tomllib.loads(text)["country"]:
        out[int(e["ccode"])] = _Crosswalk(
            int(e["ccode"]), e["name"], e.get("iso3"), tuple(e.get("aliases", ()))
        )
    return out


def _spells(
    df: pl.DataFrame,
    code_col: str,
    start: tuple[str, str, str] | str,
    end: tuple[str, str, str] | str,
) -> dict[int, tuple[Spell, ...]]:
    out: dict[int, list[Spell]] = {}
    rows = []
    for row in df.iter_rows(named=True):
        s = row[start] if isinstance(start, str) else date(*(int(row[c]) for c in start))
        e = row[end] if isinstance(end, str) else date(*(int(row[c]) for c in end))
        rows.append((int(row[code_col]), s, e))
    list_end = max((e for _, _, e in rows), default=None)
    for code, s, e in rows:
        out.setdefault(code, []).append(Spell(s, e, open_ended=e == list_end))
    return {k: tuple(sorted(v, key=lambda sp: sp.start)) for k, v in out.items()}


class CountryIndex:
    """Resolver over a set of states. Build it from data frames (see :func:`index`)."""

    def __init__(
        self,
        cow_states: pl.DataFrame,
        cow_majors: pl.DataFrame | None = None,
        gw_states: pl.DataFrame | None = None,
        crosswalk_: dict[int, _Crosswalk] | None = None,
    ) -> None:
        cw = crosswalk() if crosswalk_ is None else crosswalk_
        ymd_st, ymd_end = ("styear", "stmonth", "stday"), ("endyear", "endmonth", "endday")
        spells = _spells(cow_states, "ccode", ymd_st, ymd_end)
        majors = _spells(cow_majors, "ccode", ymd_st, ymd_end) if cow_majors is not None else {}
        first = cow_states.unique("ccode", keep="first", maintain_order=True)
        self.states: dict[int, State] = {}
        for row in first.iter_rows(named=True):
            c = int(row["ccode"])
            x = cw.get(c)
            self.states[c] = State(
                ccode=c,
                abb=row["stateabb"],
                name=x.name if x else row["statenme"],
                cow_name=row["statenme"],
                iso3=x.iso3 if x else None,
                spells=spells[c],
                major_spells=majors.get(c, ()),
                aliases=x.aliases if x else (),
            )
        self.gw_spells: dict[int, tuple[Spell, ...]] = (
            _spells(gw_states, "gwcode", "startdate", "enddate") if gw_states is not None else {}
        )
        self.gw_names: dict[int, str] = (
            dict(zip(gw_states["gwcode"].to_list(), gw_states["statename"].to_list(), strict=True))
            if gw_states is not None
            else {}
        )
        self._names: dict[str, set[int]] = {}
        for st in self.states.values():
            for n in (st.name, st.cow_name, *st.aliases):
                self._names.setdefault(normalize(n), set()).add(st.ccode)
        # G-W spellings ("Rumania", "Italy/Sardinia") fill gaps; they never override a COW or
        # crosswalk name ("Yemen (Arab Republic of Yemen)" must not make "Yemen" ambiguous).
        own = set(self._names)
        for g, n in self.gw_names.items():
            base = normalize(re.sub(r"\(.*?\)", "", n))
            for c in self._gw_to_cow_any(g):
                for key in {normalize(n), base} - own:
                    self._names.setdefault(key, set()).add(c)
        self._compact = {k.replace(" ", ""): k for k in self._names}
        self._abb = {st.abb.upper(): st.ccode for st in self.states.values()}
        self._iso = {st.iso3.upper(): st.ccode for st in self.states.values() if st.iso3}

    # -- lookups -----------------------------------------------------------------------------

    def get(self, ccode: int) -> State:
        code = validate.integer(ccode, "ccode", hint="give a COW code as an int, e.g. 365.")
        try:
            return self.states[code]
        except KeyError:
            raise UnknownCountryError(str(ccode), [], " (no COW state has this code)") from None

    def members(self, year: int) -> list[State]:
        y = _year(year)
        if y is None:
            raise InvalidArgumentError("year", "year is required", "pass e.g. 2000.")
        return [s for s in self.states.values() if s.member_in(y)]

    def resolve(self, query: str | int, year: int | None = None) -> Resolution:
        """Resolve a name, abbreviation, ISO3 code or numeric code to one COW state.

        ``query`` is text or an int code; ``year`` None or a year from the COW list's first
        year to :func:`foedus.validate.latest_year`."""
        q = str(_query(query)).strip()
        year = _year(year)
        if not q:
            raise UnknownCountryError(q, [])
        if re.fullmatch(r"-?\d+", q):
            return self._by_number(q, int(q), year)
        key = normalize(q)
        if key in AMBIGUOUS_NAMES:
            return self._ambiguous(q, AMBIGUOUS_NAMES[key], year)
        if key not in self._names:  # "cote d ivoire" vs "cote divoire": compare without spaces
            key = self._compact.get(key.replace(" ", ""), key)
        if key in self._names:
            codes = self._names[key]
            if len(codes) > 1:
                return self._ambiguous(q, tuple(sorted(codes)), year)
            return self._with_year(Resolution(self.states[next(iter(codes))], q, "name"), year)
        if re.fullmatch(r"[A-Za-z]{3}", q):
            u = q.upper()
            by_abb, by_iso = self._abb.get(u), self._iso.get(u)
            if by_abb is not None and by_iso is not None and by_abb != by_iso:
                a, i = self.states[by_abb], self.states[by_iso]
                raise AmbiguousCountryError(
                    q,
                    [
                        f"{a.name} ({a.ccode}; COW abbreviation {u})",
                        f"{i.name} ({i.ccode}; ISO3 code {u})",
                    ],
                )
            if by_abb is not None:
                return self._with_year(Resolution(self.states[by_abb], q, "COW abbreviation"), year)
            if by_iso is not None:
                return self._with_year(Resolution(self.states[by_iso], q, "ISO3 code"), year)
        raise UnknownCountryError(q, self.suggest(q))

    def search(self, query: str, n: int = 10, year: int | None = None) -> list[State]:
        """States whose name, COW name, alias, abbreviation or ISO code starts with ``query``
        (case-, accent- and punctuation-insensitive), then those with a word starting with it,
        then those containing it; each group by name; members in ``year`` only, if given. For
        autocompletion: an empty query gives nothing."""
        key = normalize(query)
        y = _year(year)
        if not key:
            return []
        n = validate.integer(n, "n", lo=1, hi=250)
        ranks: dict[int, int] = {}
        for name, codes in self._names.items():
            rank = (
                0
                if name.startswith(key)
                else 1
                if any(w.startswith(key) for w in name.split())
                else 2
                if key in name
                else None
            )
            if rank is not None:
                for c in codes:
                    ranks[c] = min(rank, ranks.get(c, rank))
        up = key.replace(" ", "").upper()
        for table in (self._abb, self._iso):
            for code_, c in table.items():
                if code_.startswith(up):
                    ranks[c] = 0
        hits = [
            self.states[c]
            for c in ranks
            if c in self.states and (y is None or self.states[c].member_in(y))
        ]
        hits.sort(key=lambda st: (ranks[st.ccode], st.name, st.ccode))
        return hits[:n]

    def suggest(self, query: str, n: int = 5) -> list[str]:
        key = normalize(query)
        names = list(self._names)
        scored = sorted(
            ((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in names), reverse=True
        )
        best = scored[0][0] if scored else 0.0
        close = [k for r, k in scored[: n * 2] if r >= 0.75 and r >= best - 0.08]
        if not close:
            close = [k for k in names if key and (k.startswith(key) or key in k.split())]
        seen: list[int] = []
        for k in close:
            for c in sorted(self._names[k]):
                if c not in seen:
                    seen.append(c)
        return [f"{self.states[c].name} ({c})" for c in seen[:n]]

    # -- G-W -------------------------------------------------------------------------------

    def gw_member_in(self, gwcode: int, year: int) -> bool:
        return any(s.covers_year(year) for s in self.gw_spells.get(gwcode, ()))

    def cow_to_gw(self, ccode: int, year: int) -> int | None:
        """The G-W code of COW state ``ccode`` in ``year``, or None if it has none then."""
        ccode, year = _code_year(ccode, year, "ccode")
        st = self.states.get(ccode)
        if st is None or not st.member_in(year):
            return None
        cands = [ccode] + [g for c, g in COW_GW_PAIRS if c == ccode]
        return _pick(cands, year, self.gw_spells)

    def gw_to_cow(self, gwcode: int, year: int) -> int | None:
        """The COW code of G-W state ``gwcode`` in ``year``, or None if it has none then."""
        gwcode, year = _code_year(gwcode, year, "gwcode")
        if not self.gw_member_in(gwcode, year):
            return None
        cands = [gwcode] + [c for c, g in COW_GW_PAIRS if g == gwcode]
        return _pick(cands, year, {c: s.spells for c, s in self.states.items()})

    def _gw_to_cow_any(self, gwcode: int) -> list[int]:
        return [
            c
            for c in [gwcode] + [c for c, g in COW_GW_PAIRS if g == gwcode]
            if c in self.states and (c == gwcode or gwcode not in self.states)
        ]

    # -- helpers ---------------------------------------------------------------------------

    def _by_number(self, q: str, n: int, year: int | None) -> Resolution:
        if n in self.states:
            return self._with_year(Resolution(self.states[n], q, "COW code"), year)
        if n in self.gw_spells:
            years = (
                [year]
                if year is not None
                else sorted(
                    {y for s in self.gw_spells[n] for y in range(s.start.year, s.end.year + 1)}
                )
            )
            for y in years:
                c = self.gw_to_cow(n, y)
                if c is not None:
                    return Resolution(
                        self.states[c],
                        q,
                        "G-W code",
                        f"G-W code {n} ({self.gw_names.get(n, '?')}) is COW {c}"
                        + (f" in {y}" if year is not None else ""),
                    )
            raise UnknownCountryError(
                q,
                [],
                f" (G-W code {n}, {self.gw_names.get(n, '?')}, has no COW equivalent"
                + (f" in {year})" if year is not None else ")"),
            )
        raise UnknownCountryError(q, [], " (no COW or G-W state has this code)")

    def _ambiguous(self, q: str, codes: Sequence[int], year: int | None) -> Resolution:
        states = [self.states[c] for c in codes if c in self.states]
        if year is not None:
            members = [s for s in states if s.member_in(year)]
            if len(members) == 1:
                return Resolution(members[0], q, "name", f"the only {q!r} in the system in {year}")
            if members:
                states = members
        raise AmbiguousCountryError(q, [s.label() for s in states])

    def _with_year(self, r: Resolution, year: int | None) -> Resolution:
        if year is None:
            return r
        if r.state.member_in(year):
            if r.state.assumed_in(year):
                last = max(sp.end for sp in r.state.spells)
                extra = (
                    f"the COW list ends on {last.isoformat()}; membership in {year} "
                    "is assumed to continue."
                )
                return replace(r, note=f"{r.note} {extra}" if r.note else extra)
            return r
        for sub, note in IDENTITY_LINKS.get(r.ccode, ()):
            s = self.states.get(sub)
            if s is not None and s.member_in(year) and r.matched in ("name", "ISO3 code"):
                return Resolution(s, r.query, r.matched, f"{r.state.name} in {year}: {note}")
        hint_parts = [f"its membership spells are {r.state.years}"]
        succ = [self.states[c] for c in SUCCESSORS.get(r.ccode, ()) if c in self.states]
        members = [s for s in succ if s.member_in(year)]
        if members:
            hint_parts.append(
                "in that year see " + ", ".join(f"{s.name} ({s.ccode})" for s in members)
            )
        for sub, _ in IDENTITY_LINKS.get(r.ccode, ()):
            s = self.states.get(sub)
            if s is not None and s.member_in(year):
                hint_parts.append(f"in that year see {s.name} ({s.ccode})")
        raise NotASystemMemberError(
            f"{r.state.name} ({r.ccode}) was not a member of the COW state system in {year}",
            "; ".join(hint_parts) + ".",
        )


def _code_year(code: object, year: object, name: str) -> tuple[int, int]:
    c = validate.integer(code, name, hint=f"give {name} as an int, e.g. {name}=365.")
    y = _year(year)
    if y is None:
        raise InvalidArgumentError("year", "year is required", "pass e.g. year=2000.")
    return c, y


def _pick(cands: Iterable[int], year: int, spells: dict[int, tuple[Spell, ...]]) -> int | None:
    live = [c for c in dict.fromkeys(cands) if any(s.covers_year(year) for s in spells.get(c, ()))]
    if len(live) <= 1:
        return live[0] if live else None
    # several candidates in a year of change: the one that was a member at the end of the year
    dec31 = date(year, 12, 31)
    return max(live, key=lambda c: any(s.covers_day(dec31) for s in spells[c]))


@functools.cache
def index() -> CountryIndex:
    """The resolver over the real COW and G-W lists (loaded through the catalog)."""
    from foedus import loaders

    return CountryIndex(
        loaders.load("cow-states"), loaders.load("cow-majors"), loaders.load("gw-states")
    )


def resolve(query: str | int, year: int | None = None) -> Resolution:
    """Resolve ``query`` to a COW state (see the module docstring for the rules).

    ``query`` is text or an int code and ``year`` None or a year from the COW list's first year
    (1816, from the catalog) to :func:`foedus.validate.latest_year`; both are checked before
    the country lists are loaded (:class:`~foedus.errors.InvalidArgumentError`)."""
    _query(query), _year(year)
    return index().resolve(query, year)


def ccode(query: str | int, year: int | None = None) -> int:
    """Shorthand: the COW code of ``query``."""
    return resolve(query, year).ccode


def iso3_to_ccode() -> dict[str, int]:
    """ISO3 → COW code, from the packaged crosswalk (no data files needed)."""
    return {x.iso3: c for c, x in crosswalk().items() if x.iso3}


def cow_to_gw(ccode_: int, year: int) -> int | None:
    _code_year(ccode_, year, "ccode")
    return index().cow_to_gw(ccode_, year)


def gw_to_cow(gwcode: int, year: int) -> int | None:
    _code_year(gwcode, year, "gwcode")
    return index().gw_to_cow(gwcode, year)
