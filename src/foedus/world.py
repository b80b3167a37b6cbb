"""The state of the world: one explicit value that alliance-dependent measures and models take.

A :class:`World` holds, for a range of years, the alliance pledges in force (directed dyad-years
with ATOP's five pledge types, each row tagged with its source: ATOP 5.1, ATOP's last year
carried forward, the user's treaty file, or a scenario's edit), the alliance memberships those
pledges come from, and any changes to capabilities or nuclear arsenals. Every measure that
depends on alliances (portfolio similarity, the ATOP enricher, the network, War Trap expected
utility, bloc power, the formation features) takes ``world=`` and defaults to
:func:`current_world`, today's data, so a scenario is a modified world that flows through the
same code as the baseline.

Coverage is read once, from the catalog (:func:`pledge_coverage`). The coding rules of the
world and of each change (add, remove, upgrade, join, leave, capabilities, nuclear) are in
docs/consequences.md, "The world as an input".
"""

from __future__ import annotations

import difflib
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from foedus import loaders, validate
from foedus.errors import FoedusError, InvalidArgumentError, WorldError

#: ATOP's pledge types and the directed columns that carry them, in ATOP's order.
PLEDGES: dict[str, str] = {
    "defense": "atop_defense",
    "offense": "atop_offense",
    "neutral": "atop_neutral",
    "nonagg": "atop_nonagg",
    "consul": "atop_consul",
}
PLEDGE_COLUMNS: tuple[str, ...] = tuple(PLEDGES.values())
#: Other spellings a user may write for a pledge type.
PLEDGE_ALIASES: dict[str, str] = {
    "defence": "defense",
    "offence": "offense",
    "neutrality": "neutral",
    "non-aggression": "nonagg",
    "nonaggression": "nonagg",
    "non_aggression": "nonagg",
    "consultation": "consul",
    "consult": "consul",
}
#: The catalog data set of ATOP's directed dyad-year pledges: its coverage bounds the data.
PLEDGE_DATASET = "ps-atop-alliance"
#: ATOP's state-year file (alliance memberships: ``atopid1`` ...).
MEMBERSHIP_DATASET = "atop-state-years"
#: ATOP's member-level file (each member's pledges in each alliance phase).
MEMBER_DATASET = "atop-members"

SOURCE_ATOP = "atop"
SOURCE_CARRIED = "atop-carried"
SOURCE_TREATIES = "treaties"
KEYS = ["ccode1", "ccode2", "year"]

#: Alliances a scenario may name instead of an ATOP id (ids checked against ATOP's member file
#: by the tests).
ALLIANCES: dict[str, int] = {
    "nato": 3180,
    "north atlantic treaty organization": 3180,
}


def pledge_coverage() -> tuple[int, int]:
    """The years ATOP's pledges cover, from the catalog."""
    return validate.coverage(PLEDGE_DATASET)


def check_pledge(pledge: object, name: str = "pledge") -> str:
    """A pledge type (:data:`PLEDGES`, or one of :data:`PLEDGE_ALIASES`), normalised."""
    if isinstance(pledge, str):
        p = pledge.strip().lower()
        p = PLEDGE_ALIASES.get(p, p)
        if p in PLEDGES:
            return p
    close = difflib.get_close_matches(
        str(pledge).strip().lower(), [*PLEDGES, *PLEDGE_ALIASES], n=1, cutoff=0.6
    )
    raise InvalidArgumentError(
        name,
        f"unknown pledge type {pledge!r}",
        (f"did you mean {PLEDGE_ALIASES.get(close[0], close[0])!r}? " if close else "")
        + "choose one of "
        + ", ".join(PLEDGES)
        + ".",
    )


@dataclass(frozen=True)
class CapabilityChange:
    """A change to one state's capabilities in some years: ``cinc`` sets its CINC (the other
    states' CINC scaled so the year's total is unchanged); ``scale`` multiplies its six NMC
    components (every state's CINC recomputed from the new component shares)."""

    ccode: int
    years: tuple[int, int]
    cinc: float | None = None
    scale: float | None = None


@dataclass(frozen=True)
class NuclearChange:
    """A state's warhead count set for some years."""

    ccode: int
    years: tuple[int, int]
    warheads: int


@dataclass(frozen=True, eq=False)
class World:
    """The alliance pledges, memberships and capability changes of a range of years.

    Build one with :func:`current_world` (today's data) and change it with the ``with_*``
    methods, each of which returns a new world. ``pledges`` holds directed dyad-years
    ``ccode1, ccode2, year``, the five pledge columns (:data:`PLEDGE_COLUMNS`, 1 = the first
    state's pledge to the second) and ``source``; a row means an alliance links the pair that
    year (ATOP also lists pairs tied in one direction only, with all five columns 0 the other
    way).
    """

    pledges_: pl.DataFrame | None
    first_year: int
    last_year: int
    label: str = "today's data"
    changes: tuple[str, ...] = ()
    capability_changes: tuple[CapabilityChange, ...] = ()
    nuclear_changes: tuple[NuclearChange, ...] = ()
    #: state-years (``ccode, year``) whose pledges an edit changed; their state-year values
    #: are recomputed from the pledges, the rest are ATOP's own
    touched: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"ccode": pl.Int32, "year": pl.Int32})
    )
    #: (``ccode, year, atopid``) memberships, None until an edit needs them
    memberships_: pl.DataFrame | None = None
    #: the alliances a state-year gained (+1) or lost (-1) through edits
    number_delta: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"ccode": pl.Int32, "year": pl.Int32, "delta": pl.Int64}
        )
    )
    _next_id: int = 100_000
    #: derived frames (directed rows, ties by pledge), computed once per world
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def cached(self, key: str, make: Any) -> Any:
        """A value derived from this world, computed once (``make()``) and kept with it."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # --- what it holds ---------------------------------------------------------------------

    @property
    def pledges(self) -> pl.DataFrame:
        """The directed pledge rows with their ``source`` (loaded on first use)."""
        return _atop_pledges() if self.pledges_ is None else self.pledges_

    @property
    def years(self) -> tuple[int, int]:
        return self.first_year, self.last_year

    @property
    def is_baseline(self) -> bool:
        """No scenario edits and no capability or nuclear change."""
        return not self.changes and not self.capability_changes and not self.nuclear_changes

    @property
    def sources(self) -> list[str]:
        if self.pledges_ is None:
            return [SOURCE_ATOP]
        return sorted(self.pledges.get_column("source").unique().to_list())

    def directed(self) -> pl.DataFrame:
        """One row per directed dyad-year linked by an alliance: ``ccode1, ccode2, year`` and
        the five pledge columns (the maximum over the sources)."""
        if "directed" not in self._cache:
            self._cache["directed"] = _directed(self)
        return self._cache["directed"]

    def ties(self, pledge: str = "defense") -> pl.DataFrame:
        """Undirected ties ``ccode1 < ccode2, year`` carrying ``pledge`` (one type or
        ``"any"``) in either direction."""
        key = "ties:" + (pledge if pledge == "any" else check_pledge(pledge))
        if key not in self._cache:
            self._cache[key] = self._ties(pledge)
        return self._cache[key]

    def _ties(self, pledge: str) -> pl.DataFrame:
        cols = list(PLEDGE_COLUMNS) if pledge == "any" else [PLEDGES[check_pledge(pledge)]]
        lo, hi = pl.min_horizontal("ccode1", "ccode2"), pl.max_horizontal("ccode1", "ccode2")
        return (
            self.directed()
            .filter(pl.any_horizontal([pl.col(c) > 0 for c in cols]))
            .select(lo.alias("ccode1"), hi.alias("ccode2"), "year")
            .filter(pl.col("ccode1") != pl.col("ccode2"))
            .unique()
            .sort("year", "ccode1", "ccode2")
        )

    def _why(self) -> str:
        if self.is_baseline and self.years == pledge_coverage():
            return f"the ATOP alliance data cover {self.first_year}-{self.last_year}"
        return f"this world's alliance pledges cover {self.first_year}-{self.last_year}"

    def check_year(self, year: object, name: str = "year") -> int:
        why = self._why()
        return validate.year(
            year, name, lo=self.first_year, hi=self.last_year, lo_reason=why, hi_reason=why
        )

    def check_years(self, years: object, name: str = "years") -> tuple[int, int]:
        """``years`` (``(first, last)``, one year, or None for all) inside the world."""
        why = self._why()
        return validate.year_range(
            years,
            name,
            lo=self.first_year,
            hi=self.last_year,
            default=self.years,
            lo_reason=why,
            hi_reason=why,
        )

    def digest(self) -> str:
        """A short sha256 of the world's content (pledges and changes), for caches."""
        h = hashlib.sha256()
        h.update(repr((self.years, self.changes, self.capability_changes)).encode())
        h.update(repr(self.nuclear_changes).encode())
        h.update(self.pledges.hash_rows(seed=0).sum().to_bytes(8, "little", signed=False))
        h.update(str(self.pledges.height).encode())
        return h.hexdigest()[:16]

    def memberships(self) -> pl.DataFrame:
        """``ccode, year, atopid``: the alliances each state belongs to, from ATOP's state-year
        file (the memberships of ATOP's last year carried forward past it), with the edits'
        joins and leaves."""
        if self.memberships_ is not None:
            return self.memberships_
        return _base_memberships(self.last_year)

    def alliance_members(self, atopid: int, year: int) -> list[int]:
        m = self.memberships()
        return sorted(
            m.filter((pl.col("atopid") == atopid) & (pl.col("year") == year))
            .get_column("ccode")
            .to_list()
        )

    # --- capability and nuclear changes applied to data ------------------------------------

    def apply_capabilities(self, nmc: pl.DataFrame) -> pl.DataFrame:
        """An NMC frame (``ccode, year``, the components and ``cinc``) with this world's
        capability changes applied; the frame itself when there are none."""
        if not self.capability_changes:
            return nmc
        return _apply_capabilities(nmc, self.capability_changes)

    def apply_warheads(self, warheads: pl.DataFrame) -> pl.DataFrame:
        """A warheads frame (``ccode, year, warheads``) with this world's nuclear changes."""
        if not self.nuclear_changes:
            return warheads
        out = warheads
        for ch in self.nuclear_changes:
            hit = (pl.col("ccode") == ch.ccode) & pl.col("year").is_between(*ch.years)
            have = out.filter(hit).select("year").to_series().to_list()
            out = out.with_columns(
                pl.when(hit)
                .then(pl.lit(ch.warheads))
                .otherwise(pl.col("warheads"))
                .cast(out.schema["warheads"])
                .alias("warheads")
            )
            new = [y for y in range(ch.years[0], ch.years[1] + 1) if y not in have]
            if new:
                row = pl.DataFrame({"ccode": [ch.ccode] * len(new), "year": new})
                row = row.with_columns(pl.lit(ch.warheads).alias("warheads"))
                out = pl.concat(
                    [out, row.cast({c: out.schema[c] for c in row.columns})], how="diagonal_relaxed"
                )
        return out.sort("ccode", "year")

    # --- edits -----------------------------------------------------------------------------

    def with_pledge(
        self,
        pairs: Iterable[tuple[int, int]],
        pledge: str,
        year: int,
        *,
        source: str = "scenario",
        note: str | None = None,
    ) -> World:
        """A new world in which each pair pledges ``pledge`` to each other (both directions)
        from ``year`` through the world's last year, as one new alliance. Refused
        (:class:`~foedus.errors.WorldError`) if a pair already has that pledge in ``year``."""
        p = check_pledge(pledge)
        year = self.check_year(year)
        pairs = _pairs(pairs)
        col = PLEDGES[p]
        d = self.directed().filter(pl.col("year") == year)
        have = set(d.filter(pl.col(col) > 0).select("ccode1", "ccode2").iter_rows())
        exist = [(a, b) for a, b in pairs if (a, b) in have or (b, a) in have]
        if exist:
            a, b = exist[0]
            raise WorldError(
                f"{_name(a, year)} and {_name(b, year)} already have a {p} pledge in {year}"
                f" ({self.label})",
                "leave that pair out, or use an 'upgrade' or 'remove' change for it.",
            )
        years = list(range(year, self.last_year + 1))
        rows = _directed_rows(pairs, years, {col: 1.0}, source)
        members = sorted({c for pr in pairs for c in pr})
        new_id = self._next_id
        delta = pl.DataFrame(
            {"ccode": [c for c in members for _ in years], "year": years * len(members)},
            schema={"ccode": pl.Int32, "year": pl.Int32},
        ).with_columns(pl.lit(1, pl.Int64).alias("delta"))
        mem = self.memberships_
        if mem is not None:
            mem = pl.concat(
                [mem, delta.select("ccode", "year", pl.lit(new_id, pl.Int32).alias("atopid"))]
            )
        return replace(
            self,
            pledges_=_concat(self.pledges, rows),
            label=self.label if self.changes else "scenario",
            changes=(*self.changes, note or f"add {p} {_pair_text(pairs, year)} from {year}"),
            touched=_touch(self.touched, members, years),
            number_delta=pl.concat([self.number_delta, delta]),
            memberships_=mem,
            _next_id=new_id + 1,
        )

    def without_pledge(
        self,
        pairs: Iterable[tuple[int, int]],
        pledge: str,
        year: int,
        *,
        note: str | None = None,
    ) -> World:
        """A new world in which each pair no longer has ``pledge`` (``"any"``: any pledge) in
        either direction from ``year`` on, whatever its source. Refused if a pair has no such
        pledge in ``year``."""
        p = "any" if pledge == "any" else check_pledge(pledge)
        year = self.check_year(year)
        pairs = _pairs(pairs)
        cols = list(PLEDGE_COLUMNS) if p == "any" else [PLEDGES[p]]
        d = self.directed().filter(pl.col("year") == year)
        have = set(
            d.filter(pl.any_horizontal([pl.col(c) > 0 for c in cols]))
            .select("ccode1", "ccode2")
            .iter_rows()
        )
        missing = [(a, b) for a, b in pairs if (a, b) not in have and (b, a) not in have]
        if missing:
            a, b = missing[0]
            raise WorldError(
                f"{_name(a, year)} and {_name(b, year)} have no {p} pledge in {year} to remove"
                f" ({self.label})",
                "check the pair and the year (foedus network or foedus foundations show the "
                "ties of a year), or leave that change out.",
            )
        return replace(
            self,
            pledges_=_drop(self.pledges, pairs, cols, year),
            label="scenario",
            changes=(
                *self.changes,
                note or f"remove {p} {_pair_text(pairs, year)} from {year}",
            ),
            touched=_touch(
                self.touched,
                sorted({c for pr in pairs for c in pr}),
                range(year, self.last_year + 1),
            ),
        )

    def with_upgrade(
        self,
        pairs: Iterable[tuple[int, int]],
        old: str,
        new: str,
        year: int,
        *,
        note: str | None = None,
    ) -> World:
        """Each pair's ``old`` pledge replaced by ``new`` from ``year`` on (the pair must have
        ``old`` and not yet ``new`` in ``year``). The alliance count is unchanged."""
        old_p, new_p = check_pledge(old, "from"), check_pledge(new, "to")
        if old_p == new_p:
            raise WorldError(
                f"an upgrade from {old_p} to {new_p} changes nothing",
                "give two different pledge types, e.g. from consul to defense.",
            )
        year = self.check_year(year)
        pairs = _pairs(pairs)
        w = self.without_pledge(pairs, old_p, year)
        try:
            w = w.with_pledge(pairs, new_p, year, source="scenario")
        except WorldError as e:
            raise WorldError(str(e.message), e.hint) from None
        return replace(
            w,
            changes=(
                *self.changes,
                note or f"upgrade {_pair_text(pairs, year)} from {old_p} to {new_p} in {year}",
            ),
            number_delta=self.number_delta,
            memberships_=self.memberships_,
            _next_id=self._next_id,
        )

    def with_member(
        self, state: int, alliance: int, year: int, *, note: str | None = None
    ) -> World:
        """``state`` joins ATOP alliance ``alliance`` in ``year``: pledges, both ways, with
        every member of that year, of the types the alliance's members hold in its latest
        phase (ATOP's member file); the membership counts from ``year`` on."""
        year = self.check_year(year)
        state = int(state)
        mem = self.memberships()
        members = self.alliance_members(alliance, year)
        if not members:
            raise WorldError(
                f"ATOP alliance {alliance} is not in force in {year} ({self.label})",
                "check the alliance id and the year (ATOP's member file lists its members).",
            )
        if state in members:
            raise WorldError(
                f"{_name(state, year)} is already a member of alliance {alliance} in {year}",
                "leave that change out, or make the state leave first.",
            )
        types = alliance_pledges(alliance)
        years = list(range(year, self.last_year + 1))
        rows = []
        for y in years:
            ms = (
                [m for m in self.alliance_members(alliance, y) if m != state]
                if y > year
                else [m for m in members if m != state]
            )
            rows.append(
                _directed_rows(
                    [(state, m) for m in ms], [y], {PLEDGES[t]: 1.0 for t in types}, "scenario"
                )
            )
        add = pl.DataFrame(
            {"ccode": [state] * len(years), "year": years, "atopid": [alliance] * len(years)},
            schema={"ccode": pl.Int32, "year": pl.Int32, "atopid": pl.Int32},
        )
        delta = add.select("ccode", "year", pl.lit(1, pl.Int64).alias("delta"))
        return replace(
            self,
            pledges_=_concat(self.pledges, pl.concat(rows)),
            label="scenario",
            changes=(
                *self.changes,
                note or f"{_name(state, year)} joins alliance {alliance} in {year}",
            ),
            touched=_touch(self.touched, [state, *members], years),
            memberships_=pl.concat([mem, add]),
            number_delta=pl.concat([self.number_delta, delta]),
        )

    def without_member(
        self, state: int, alliance: int, year: int, *, note: str | None = None
    ) -> World:
        """``state`` leaves ATOP alliance ``alliance`` in ``year``: from then on it loses, with
        each other member, the pledge types the alliance carries, except those the pair still
        shares through another alliance both belong to (whose members hold that type)."""
        year = self.check_year(year)
        state = int(state)
        members = self.alliance_members(alliance, year)
        if state not in members:
            raise WorldError(
                f"{_name(state, year)} is not a member of alliance {alliance} in {year}"
                f" ({self.label})",
                "check the alliance id and the year, or leave that change out.",
            )
        mem = self.memberships()
        types = alliance_pledges(alliance)
        others = [m for m in members if m != state]
        later = mem.filter(pl.col("year") >= year)
        own = later.filter((pl.col("ccode") == state) & (pl.col("atopid") != alliance))
        out = self.pledges
        for t in types:
            col = PLEDGES[t]
            # pairs that keep the type through another alliance carrying it
            keep_ids = [
                a for a in own.get_column("atopid").unique().to_list() if t in alliance_pledges(a)
            ]
            shared = set(
                later.filter(pl.col("atopid").is_in(keep_ids) & pl.col("ccode").is_in(others))
                .join(
                    own.filter(pl.col("atopid").is_in(keep_ids)).select("year", "atopid"),
                    on=["year", "atopid"],
                )
                .select("ccode", "year")
                .iter_rows()
            )
            lose = [(state, m) for m in others]
            out = _drop(out, lose, [col], year, keep=shared)
        left = mem.filter(
            ~(
                (pl.col("ccode") == state)
                & (pl.col("atopid") == alliance)
                & (pl.col("year") >= year)
            )
        )
        years = list(range(year, self.last_year + 1))
        delta = pl.DataFrame(
            {"ccode": [state] * len(years), "year": years},
            schema={"ccode": pl.Int32, "year": pl.Int32},
        ).with_columns(pl.lit(-1, pl.Int64).alias("delta"))
        return replace(
            self,
            pledges_=out,
            label="scenario",
            changes=(
                *self.changes,
                note or f"{_name(state, year)} leaves alliance {alliance} in {year}",
            ),
            touched=_touch(self.touched, [state, *others], years),
            memberships_=left,
            number_delta=pl.concat([self.number_delta, delta]),
        )

    def with_capabilities(
        self,
        state: int,
        years: tuple[int, int],
        *,
        cinc: float | None = None,
        scale: float | None = None,
        note: str | None = None,
    ) -> World:
        """A state's CINC set (``cinc``, a share in (0, 1)) or its six NMC components
        multiplied (``scale`` > 0) in ``years``; see :class:`CapabilityChange`."""
        if (cinc is None) == (scale is None):
            raise InvalidArgumentError(
                "cinc",
                "give exactly one of cinc= or scale=",
                "cinc=0.2 sets the share; scale=1.5 multiplies the state's capabilities.",
            )
        lo, hi = self.check_years(years)
        if cinc is not None:
            cinc = validate.number(
                cinc,
                "cinc",
                lo=0.0,
                hi=1.0,
                hint="CINC is a share of the system's capabilities: 0-1.",
            )
        if scale is not None:
            scale = validate.number(
                scale, "scale", lo=0.0, hint="scale multiplies the capabilities, e.g. 1.5."
            )
        ch = CapabilityChange(int(state), (lo, hi), cinc, scale)
        what = f"CINC {cinc:g}" if cinc is not None else f"capabilities x{scale:g}"
        return replace(
            self,
            label="scenario",
            capability_changes=(*self.capability_changes, ch),
            changes=(*self.changes, note or f"{_name(int(state), lo)}: {what} in {lo}-{hi}"),
        )

    def with_warheads(
        self, state: int, years: tuple[int, int], warheads: int, *, note: str | None = None
    ) -> World:
        """A state's warhead count set to ``warheads`` in ``years``."""
        lo, hi = validate.year_range(
            years, "years", lo=validate.first_year(), lo_reason=validate.first_reason()
        )
        n = validate.integer(warheads, "warheads", lo=0, hint="give a number of warheads.")
        ch = NuclearChange(int(state), (lo, hi), n)
        return replace(
            self,
            label="scenario",
            nuclear_changes=(*self.nuclear_changes, ch),
            changes=(*self.changes, note or f"{_name(int(state), lo)}: {n} warheads in {lo}-{hi}"),
        )

    def summary(self) -> dict[str, Any]:
        """A serialisable description: years, label, sources and the changes."""
        return {
            "years": list(self.years),
            "label": self.label,
            "sources": self.sources,
            "changes": list(self.changes),
        }


# --- construction ------------------------------------------------------------------------------


def _atop_pledges() -> pl.DataFrame:
    return _atop_pledges_for(loaders.data_key())


@functools.lru_cache(maxsize=4)
def _atop_pledges_for(key: tuple[Any, ...]) -> pl.DataFrame:
    a = key[0](PLEDGE_DATASET).select(*KEYS, *PLEDGE_COLUMNS)
    return a.with_columns(pl.lit(SOURCE_ATOP).alias("source"))


def current_world(through: int | None = None, treaties: pl.DataFrame | None = None) -> World:
    """Today's world: ATOP 5.1's pledges, and, if ``through`` lies past ATOP's last year, its
    last year's pledges carried forward with the treaty file's (``treaties``, as
    :func:`foedus.prospects.treaties.read_treaties` returns it) from the year after ATOP's end
    through ``through``. Without arguments: ATOP's own years."""
    first, last = pledge_coverage()
    if through is None and treaties is None:
        return _current()
    hi = (
        last
        if through is None
        else validate.year(
            through, "through", lo=first, lo_reason=f"ATOP's pledges start in {first}"
        )
    )
    if treaties is None:
        return _extended(hi, loaders.data_key())
    return _build(hi, treaties)


@functools.lru_cache(maxsize=16)
def _extended(hi: int, key: tuple[Any, ...]) -> World:
    _, last = pledge_coverage()
    if hi == last:
        return _current()
    if hi < last:
        return replace(
            _current(), last_year=hi, pledges_=_atop_pledges().filter(pl.col("year") <= hi)
        )
    return _build(hi, None)


def _build(hi: int, treaties: pl.DataFrame | None) -> World:
    first, last = pledge_coverage()
    atop = _atop_pledges().filter(pl.col("year") <= hi)
    parts = [atop]
    if hi > last:
        years = pl.DataFrame({"year": pl.int_range(last + 1, hi + 1, eager=True).cast(pl.Int32)})
        carried = (
            _atop_pledges()
            .filter(pl.col("year") == last)
            .drop("year")
            .join(years, how="cross")
            .select(*KEYS, *PLEDGE_COLUMNS, pl.lit(SOURCE_CARRIED).alias("source"))
        )
        parts.append(carried)
        if treaties is not None and treaties.height:
            parts.append(_treaty_rows(treaties, (last + 1, hi)))
    return World(
        pledges_=pl.concat(parts),
        first_year=first,
        last_year=hi,
        label="today's data" + (" and the treaty file" if treaties is not None else ""),
    )


def _current() -> World:
    return _current_for(loaders.data_key())


@functools.lru_cache(maxsize=4)
def _current_for(key: tuple[Any, ...]) -> World:
    first, last = pledge_coverage()
    return World(pledges_=None, first_year=first, last_year=last)


def resolve_world(world: object, years: tuple[int, int] | None = None) -> World:
    """``world`` if it is a :class:`World`, else :func:`current_world` (``world=None``);
    checks that it covers ``years``."""
    if world is None:
        w = _current()
    elif isinstance(world, World):
        w = world
    else:
        raise InvalidArgumentError(
            "world",
            f"world must be a foedus World, not {type(world).__name__}",
            "build one with foedus.world.current_world() (or leave world out for today's data).",
        )
    if years is not None:
        w.check_years(years)
    return w


def check_world(source: str, world: object) -> World | None:
    """The world of an alliance measure from ``source``: ``world`` resolved for ATOP (default
    today's data); None for COW, whose alliance file has no world (a world given is refused)."""
    if source == "cow":
        if world is not None:
            raise InvalidArgumentError(
                "world",
                "a world carries ATOP pledges; source='cow' reads COW's alliance file",
                "use source='atop' with a world, or leave world out.",
            )
        return None
    return resolve_world(world)


def alliance_id(name: object) -> int:
    """An ATOP alliance id from an id or a known name (:data:`ALLIANCES`)."""
    if isinstance(name, bool):
        name = str(name)
    if isinstance(name, int):
        return name
    if isinstance(name, str):
        key = name.strip().lower()
        if key.isdigit():
            return int(key)
        if key in ALLIANCES:
            return ALLIANCES[key]
        close = difflib.get_close_matches(key, list(ALLIANCES), n=1, cutoff=0.6)
        raise InvalidArgumentError(
            "alliance",
            f"unknown alliance {name!r}",
            (f"did you mean {close[0]!r}? " if close else "")
            + "give an ATOP alliance id (e.g. 3180 for NATO) or one of: "
            + ", ".join(sorted({k.upper() if len(k) < 6 else k for k in ALLIANCES}))
            + ".",
        )
    raise InvalidArgumentError(
        "alliance",
        f"an alliance is an ATOP id or a name, not {type(name).__name__}",
        "e.g. alliance = 'NATO' or alliance = 3180.",
    )


def alliance_pledges(atopid: int) -> tuple[str, ...]:
    """The pledge types an ATOP alliance's members hold in its latest phase (member file);
    a scenario's own alliances (ids >= 100000) carry none here."""
    return _alliance_pledges(int(atopid), loaders.data_key())


@functools.lru_cache(maxsize=512)
def _alliance_pledges(atopid: int, key: tuple[Any, ...]) -> tuple[str, ...]:
    m = key[0](MEMBER_DATASET)
    m = m.filter(pl.col("atopid") == atopid)
    if m.is_empty():
        return ()
    m = m.filter(pl.col("phase") == pl.col("phase").max())
    return tuple(p for p in PLEDGES if m.get_column(p).max())


# --- helpers -------------------------------------------------------------------------------------


def _directed(world: World) -> pl.DataFrame:
    p = world.pledges
    if world.pledges_ is None or world.sources == [SOURCE_ATOP]:
        return p.drop("source")
    return (
        p.group_by(*KEYS, maintain_order=True)
        .agg(pl.col(c).max() for c in PLEDGE_COLUMNS)
        .sort(KEYS)
    )


def _membership_table() -> pl.DataFrame:
    return _membership_table_for(loaders.data_key())


@functools.lru_cache(maxsize=4)
def _membership_table_for(key: tuple[Any, ...]) -> pl.DataFrame:
    sy = key[0](MEMBERSHIP_DATASET)
    ids = [c for c in sy.columns if c.startswith("atopid")]
    return (
        sy.select(pl.col("state").alias("ccode"), "year", *ids)
        .unpivot(index=["ccode", "year"], on=ids, value_name="atopid")
        .drop("variable")
        .filter(pl.col("atopid").is_not_null() & (pl.col("atopid") > 0))
        .with_columns(pl.col("ccode", "year", "atopid").cast(pl.Int32))
        .unique()
        .sort("ccode", "year", "atopid")
    )


def _base_memberships(through: int) -> pl.DataFrame:
    m = _membership_table()
    last = int(m.get_column("year").max())
    m = m.filter(pl.col("year") <= through)
    if through <= last:
        return m
    years = pl.DataFrame({"year": pl.int_range(last + 1, through + 1, eager=True).cast(pl.Int32)})
    carried = m.filter(pl.col("year") == last).drop("year").join(years, how="cross")
    return pl.concat([m, carried.select("ccode", "year", "atopid")])


def _pairs(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for pr in pairs:
        a, b = (int(x) for x in pr)
        if a == b:
            raise WorldError(
                f"a state cannot ally with itself (COW {a})", "give two different states."
            )
        out.append((a, b))
    if not out:
        raise WorldError("no pair of states given", "name at least two states.")
    return list(dict.fromkeys(out))


def _directed_rows(
    pairs: Sequence[tuple[int, int]], years: Sequence[int], values: dict[str, float], source: str
) -> pl.DataFrame:
    c1 = [a for a, b in pairs for _ in years] + [b for a, b in pairs for _ in years]
    c2 = [b for a, b in pairs for _ in years] + [a for a, b in pairs for _ in years]
    yy = list(years) * (2 * len(pairs))
    frame = pl.DataFrame(
        {"ccode1": c1, "ccode2": c2, "year": yy},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    return frame.with_columns(
        *[pl.lit(values.get(c, 0.0), pl.Float64).alias(c) for c in PLEDGE_COLUMNS],
        pl.lit(source).alias("source"),
    )


def _concat(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([a, b.select(a.columns).cast(a.schema)])


def _drop(
    pledges: pl.DataFrame,
    pairs: Sequence[tuple[int, int]],
    cols: Sequence[str],
    year: int,
    keep: set[tuple[int, int]] | None = None,
) -> pl.DataFrame:
    """``cols`` set to 0 in both directions of each pair from ``year`` on (except where
    ``(other state, year)`` is in ``keep``); rows left with no pledge are dropped unless they
    had none before (ATOP's one-way rows)."""
    both = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
    sel = pl.DataFrame(
        {"ccode1": [a for a, _ in both], "ccode2": [b for _, b in both]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
    ).with_columns(pl.lit(True).alias("_hit"))
    p = pledges.join(sel, on=["ccode1", "ccode2"], how="left", maintain_order="left")
    hit = pl.col("_hit").fill_null(False) & (pl.col("year") >= year)
    if keep:
        kf = pl.DataFrame(
            {"_k": [k for k, _ in keep], "year": [y for _, y in keep]},
            schema={"_k": pl.Int32, "year": pl.Int32},
        ).with_columns(pl.lit(True).alias("_keep"))
        p = p.with_columns(
            pl.when(pl.col("ccode1").is_in([a for a, _ in pairs]))
            .then(pl.col("ccode2"))
            .otherwise(pl.col("ccode1"))
            .alias("_k")
        ).join(kf, on=["_k", "year"], how="left", maintain_order="left")
        hit = hit & ~pl.col("_keep").fill_null(False)
    had = pl.any_horizontal([pl.col(c) > 0 for c in PLEDGE_COLUMNS])
    p = p.with_columns(had.alias("_had"))
    p = p.with_columns(
        pl.when(hit).then(0.0).otherwise(pl.col(c)).cast(pledges.schema[c]).alias(c) for c in cols
    )
    now = pl.any_horizontal([pl.col(c) > 0 for c in PLEDGE_COLUMNS])
    p = p.filter(now | ~pl.col("_had") | ~hit)
    return p.select(pledges.columns)


def _touch(touched: pl.DataFrame, states: Iterable[int], years: Iterable[int]) -> pl.DataFrame:
    ys = list(years)
    new = pl.DataFrame(
        {"ccode": [s for s in states for _ in ys], "year": [y for _ in states for y in ys]},
        schema={"ccode": pl.Int32, "year": pl.Int32},
    )
    return pl.concat([touched, new]).unique().sort("ccode", "year")


def _name(ccode: int, year: int) -> str:
    from foedus import countries

    try:
        st = countries.index().states.get(ccode)
    except FoedusError:  # pragma: no cover - the registry ships with foedus
        st = None
    return f"{st.name} ({ccode})" if st else f"COW {ccode}"


def _pair_text(pairs: Sequence[tuple[int, int]], year: int) -> str:
    shown = ", ".join(f"{a}-{b}" for a, b in pairs[:4])
    return shown + (f" and {len(pairs) - 4} more pairs" if len(pairs) > 4 else "")


def _treaty_rows(treaties: pl.DataFrame, years: tuple[int, int]) -> pl.DataFrame:
    """Directed rows from a treaty frame: every pledge of a treaty in force in a year."""
    from foedus.prospects.treaties import treaty_ties

    parts = []
    for p, col in PLEDGES.items():
        t = treaty_ties(treaties, years, p)
        if t.height:
            pairs = t.select("ccode1", "ccode2", "year")
            rev = pairs.select(
                pl.col("ccode2").alias("ccode1"), pl.col("ccode1").alias("ccode2"), "year"
            )
            parts.append(
                pl.concat([pairs, rev]).with_columns(
                    *[
                        pl.lit(1.0 if c == col else 0.0, pl.Float64).alias(c)
                        for c in PLEDGE_COLUMNS
                    ],
                    pl.lit(SOURCE_TREATIES).alias("source"),
                )
            )
    if not parts:
        return pl.DataFrame(
            schema={
                **dict.fromkeys(KEYS, pl.Int32),
                **dict.fromkeys(PLEDGE_COLUMNS, pl.Float64),
                "source": pl.String,
            }
        )
    return pl.concat(parts)


NMC_COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")


def _apply_capabilities(nmc: pl.DataFrame, changes: Sequence[CapabilityChange]) -> pl.DataFrame:
    out = nmc.with_columns(pl.col("cinc").cast(pl.Float64))
    for ch in changes:
        in_years = pl.col("year").is_between(*ch.years)
        me = pl.col("ccode") == ch.ccode
        if not out.filter(in_years & me).height:
            raise WorldError(
                f"NMC has no capabilities of COW {ch.ccode} in {ch.years[0]}-{ch.years[1]}",
                "give years inside NMC's coverage in which the state is a member.",
            )
        if ch.cinc is not None:
            tot = pl.col("cinc").sum().over("year")
            mine = pl.col("cinc").filter(me).sum().over("year")
            factor = (tot - ch.cinc) / (tot - mine)
            out = out.with_columns(
                pl.when(in_years & me)
                .then(pl.lit(ch.cinc))
                .when(in_years)
                .then(pl.col("cinc") * factor)
                .otherwise(pl.col("cinc"))
                .alias("cinc")
            )
        else:
            comps = [c for c in NMC_COMPONENTS if c in out.columns]
            s = float(ch.scale or 0.0)
            share_old = [pl.col(c) / pl.col(c).sum().over("year") for c in comps]
            scaled = [pl.when(me).then(pl.col(c) * s).otherwise(pl.col(c)) for c in comps]
            share_new = [
                e / pl.when(me).then(pl.col(c) * s).otherwise(pl.col(c)).sum().over("year")
                for e, c in zip(scaled, comps, strict=True)
            ]
            old = pl.mean_horizontal(share_old)
            new = pl.mean_horizontal(share_new)
            out = out.with_columns(
                pl.when(in_years & (old > 0))
                .then(pl.col("cinc") * new / old)
                .when(in_years & me)
                .then(new)
                .otherwise(pl.col("cinc"))
                .alias("cinc"),
                *[
                    pl.when(in_years & me)
                    .then(pl.col(c) * s)
                    .otherwise(pl.col(c))
                    .cast(out.schema[c])
                    .alias(c)
                    for c in comps
                ],
            )
    return out
