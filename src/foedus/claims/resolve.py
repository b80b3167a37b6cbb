"""Resolving claims from data: ATOP's alliances (through its last year) and the user's treaty
file (pacts signed since, with their dates).

ATOP dates a pledge or a membership to a **year**; the treaty file to a **day**. An event the
data place wholly inside the claim's window decides ``yes``; ``no`` needs data that cover the
whole window (ATOP's years: the treaty file is the user's and may be incomplete, so its silence
decides nothing). When the data date an event to a year the window only partly covers, or the
window runs past what the data cover, or the condition was met before the window opened, the
claim stays open, with the reason. Rules: docs/claims.md, "Resolution from data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from foedus.claims.claim import Claim, Resolution
from foedus.claims.condition import Condition
from foedus.claims.ledger import Ledger
from foedus.world import PLEDGES, World, alliance_pledges, current_world, pledge_coverage

__all__ = ["DataVerdict", "resolve_from_data", "resolve_ledger_from_data"]


@dataclass(frozen=True)
class DataVerdict:
    """What the data say of a claim: a resolution (``yes``/``no``) or None with the reason it
    stays open."""

    resolution: Resolution | None
    reason: str


@dataclass(frozen=True)
class _Span:
    """When an event happened, as precisely as the data say (a day, or a whole year)."""

    first: date
    last: date
    what: str

    def inside(self, lo: date, hi: date) -> bool | None:
        """True if wholly in [lo, hi], False if wholly outside, None if the data cannot say."""
        if lo <= self.first and self.last <= hi:
            return True
        if self.last < lo or self.first > hi:
            return False
        return None


def _year_span(year: int, what: str) -> _Span:
    return _Span(date(year, 1, 1), date(year, 12, 31), what)


def _pair_events(
    world: World, treaties: pl.DataFrame | None, a: int, b: int, pledge: str
) -> tuple[set[int], list[_Span]]:
    """The years ATOP ties the pair with the pledge, and every onset of the pledge: ATOP years
    with the tie after a year without it, and treaty-file signatures."""
    lo, hi = min(a, b), max(a, b)
    years = set(
        world.ties(pledge)
        .filter((pl.col("ccode1") == lo) & (pl.col("ccode2") == hi))
        .get_column("year")
        .to_list()
    )
    first, _ = pledge_coverage()
    spans = [
        _year_span(y, f"ATOP: a {pledge} pledge from {y}")
        for y in sorted(years)
        if y - 1 not in years and y > first
    ]
    if treaties is not None and treaties.height:
        rows = treaties.filter(
            (pl.col("ccode1") == lo) & (pl.col("ccode2") == hi) & (pl.col("pledge") == pledge)
        )
        for t, signed in rows.select("treaty", "signed").iter_rows():
            spans.append(_Span(signed, signed, f"treaty file: {t}, signed {signed}"))
    return years, spans


def _had_before(years: set[int], spans: list[_Span], start: date) -> bool:
    """Whether the pair held the pledge when the window opened (ATOP's year before, or its
    last year carried past its end, or a treaty signed earlier)."""
    _, last = pledge_coverage()
    prev = min(start.year - 1, last)
    return prev in years or any(s.last < start and s.first == s.last for s in spans)


def _new_pledge(c: Condition, world: World, treaties: pl.DataFrame | None) -> DataVerdict:
    _, last = pledge_coverage()
    assert c.pledge is not None
    verdicts = []
    for a, b in c.pairs():
        years, spans = _pair_events(world, treaties, a, b, c.pledge)
        if _had_before(years, spans, c.window_start):
            verdicts.append((a, b, "had", None))
            continue
        inside = [s for s in spans if s.inside(c.window_start, c.window_end)]
        unsure = [s for s in spans if s.inside(c.window_start, c.window_end) is None]
        if inside:
            verdicts.append((a, b, "yes", inside[0]))
        elif unsure:
            verdicts.append((a, b, "unsure", unsure[0]))
        else:
            verdicts.append((a, b, "none", None))
    needing = [v for v in verdicts if v[2] != "had"]
    if not needing:
        return DataVerdict(
            None, f"every pair already had a {c.pledge} pledge when the window opened"
        )
    covered = c.window_end <= date(last, 12, 31)
    got = [v for v in needing if v[2] == "yes"]
    unsure = [v for v in needing if v[2] == "unsure"]
    missing = [v for v in needing if v[2] == "none"]
    when = max(v[3].last for v in got) if got else None
    evidence = "; ".join(f"{a}-{b}: {v.what}" for a, b, _s, v in got)
    if c.quantifier == "any" and got:
        return DataVerdict(
            Resolution(
                "yes", min(v[3].last for v in got), evidence, "ATOP 5.1 / treaty file", "data"
            ),
            "",
        )
    if c.quantifier == "all" and not unsure and not missing:
        return DataVerdict(Resolution("yes", when, evidence, "ATOP 5.1 / treaty file", "data"), "")
    if unsure:
        a, b, _s, v = unsure[0]
        return DataVerdict(None, f"{a}-{b}: {v.what}, a year the window only partly covers")
    if covered and missing:
        pairs = ", ".join(f"{a}-{b}" for a, b, *_ in missing)
        return DataVerdict(
            Resolution(
                "no",
                c.window_end,
                f"ATOP records no new {c.pledge} pledge between {pairs} in the window",
                "ATOP 5.1",
                "data",
            ),
            "",
        )
    return DataVerdict(
        None,
        f"ATOP ends in {last} and the treaty file records no such pledge in the window; "
        "resolve it by hand",
    )


def _membership(world: World, aid: int, state: int) -> set[int]:
    m = world.memberships()
    return set(
        m.filter((pl.col("atopid") == aid) & (pl.col("ccode") == state))
        .get_column("year")
        .to_list()
    )


def _accession_treaty(
    world: World, treaties: pl.DataFrame | None, aid: int, state: int, c: Condition
) -> _Span | None:
    """A treaty-file signature in the window that gives ``state`` the alliance's pledges with
    every member of its last ATOP year (how the treaty file codes an accession)."""
    if treaties is None or not treaties.height:
        return None
    _, last = pledge_coverage()
    members = set(world.alliance_members(aid, last)) - {state}
    if not members:
        return None
    types = [p for p in alliance_pledges(aid) if p in PLEDGES]
    rows = treaties.filter(
        ((pl.col("ccode1") == state) | (pl.col("ccode2") == state))
        & pl.col("pledge").is_in(types or ["defense"])
    )
    for (t, signed), g in rows.group_by(["treaty", "signed"], maintain_order=True):
        partners = set(g.get_column("ccode1").to_list()) | set(g.get_column("ccode2").to_list())
        if members <= partners:
            return _Span(signed, signed, f"treaty file: {t}, signed {signed}")
    return None


def _accession(c: Condition, world: World, treaties: pl.DataFrame | None) -> DataVerdict:
    _, last = pledge_coverage()
    assert c.alliance is not None
    results = []
    for s in c.parties:
        years = _membership(world, c.alliance, s)
        # ATOP's last year's memberships hold on past its end
        if min(c.window_start.year - 1, last) in years:
            results.append((s, "had", None))
            continue
        spans = [
            _year_span(y, f"ATOP: member of {c.alliance} from {y}")
            for y in sorted(years)
            if y - 1 not in years and y <= last
        ]
        t = _accession_treaty(world, treaties, c.alliance, s, c)
        spans += [t] if t is not None else []
        inside = [x for x in spans if x.inside(c.window_start, c.window_end)]
        unsure = [x for x in spans if x.inside(c.window_start, c.window_end) is None]
        results.append(
            (
                s,
                "yes" if inside else "unsure" if unsure else "none",
                (inside or unsure or [None])[0],
            )
        )
    if all(r[1] == "had" for r in results):
        return DataVerdict(None, f"every party was already a member of {c.alliance}")
    got = [r for r in results if r[1] == "yes"]
    evidence = "; ".join(f"{s}: {x.what}" for s, _k, x in got)
    need = [r for r in results if r[1] != "had"]
    if (c.quantifier == "any" and got) or (got and len(got) == len(need)):
        when = (min if c.quantifier == "any" else max)(x.last for _s, _k, x in got)
        return DataVerdict(Resolution("yes", when, evidence, "ATOP 5.1 / treaty file", "data"), "")
    unsure = [r for r in need if r[1] == "unsure"]
    if unsure:
        s, _k, x = unsure[0]
        return DataVerdict(None, f"{s}: {x.what}, a year the window only partly covers")
    if c.window_end <= date(last, 12, 31):
        who = ", ".join(str(s) for s, k, _x in need if k == "none")
        return DataVerdict(
            Resolution(
                "no",
                c.window_end,
                f"ATOP records no accession of {who} to alliance {c.alliance} in the window",
                "ATOP 5.1",
                "data",
            ),
            "",
        )
    return DataVerdict(
        None,
        f"ATOP ends in {last} and the treaty file records no such accession in the window; "
        "resolve it by hand",
    )


def resolve_from_data(claim: Claim, *, treaties: pl.DataFrame | None = None) -> DataVerdict:
    """What ATOP (and ``treaties``, a frame of :func:`foedus.prospects.treaties.read_treaties`)
    say of the claim's condition (see the module docstring). Withdrawals and terminations are
    left to manual resolution (ATOP's exits are yearly and its terminations often implicit)."""
    c = claim.condition
    _, last = pledge_coverage()
    if c.window_start.year > last + 1 and (treaties is None or not treaties.height):
        return DataVerdict(
            None,
            f"the window opens after ATOP's last year ({last}) and no "
            "treaty file is given; resolve it by hand or give --treaties",
        )
    world = current_world()
    if c.event == "new_pledge":
        return _new_pledge(c, world, treaties)
    if c.event == "accession":
        return _accession(c, world, treaties)
    return DataVerdict(None, f"{c.event} claims are resolved by hand, with evidence")


def resolve_ledger_from_data(
    ledger: Ledger, *, treaties: pl.DataFrame | None = None, claim_id: int | None = None
) -> list[tuple[Claim, DataVerdict]]:
    """Resolve from data one claim of the ledger (``claim_id``) or every open one, recording
    each resolution the data decide (one transaction each); every claim with its verdict."""
    items = [ledger.get(claim_id)] if claim_id is not None else ledger.claims(status="open")
    out = []
    for c in items:
        v = resolve_from_data(c, treaties=treaties)
        if v.resolution is not None and c.id is not None:
            c = ledger.resolve(c.id, v.resolution)
        out.append((c, v))
    return out
