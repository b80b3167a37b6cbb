"""The model's probability for a claim's condition, as of the claim's date.

foedus's formation model (:mod:`foedus.prospects.forecast`) forecasts, year by year, the
onset of a pledge between two states not yet allied. For a claim published after ATOP's last
year, the model sees only what was known on the day: ATOP's pledges, and the treaty file's
pacts signed *before* the publication date. The probability of the condition over the window
combines the yearly hazards, the first and last years in proportion to the share of them the
window covers: P = 1 - prod_y (1 - p_y)^(f_y). A condition over several pairs takes the
smallest pair probability for ``all`` (an upper bound for every pair forming) and the largest
for ``any`` (a lower bound for at least one); an accession is a new defence pledge with every
member of the alliance, so it takes the smallest over the members (an upper bound).
Withdrawals, terminations, claims made inside ATOP's years (which would need a refit as of the
date for every window year) and pairs already allied on the day are not forecast; each says
why. Windows past the forecasts' last year are cut there (the probability is then a lower
bound). Rules: docs/claims.md, "The model's probability".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from foedus.claims.claim import Claim
from foedus.prospects.forecast import forecast, forecast_horizon
from foedus.world import alliance_pledges, current_world, pledge_coverage

__all__ = ["ModelView", "model_probabilities"]


@dataclass(frozen=True)
class ModelView:
    """The model's probability for one claim (None with ``reason`` when it has none)."""

    probability: float | None
    how: str = ""
    reason: str = ""


def _fraction(year: int, lo: date, hi: date) -> float:
    first, last = max(lo, date(year, 1, 1)), min(hi, date(year, 12, 31))
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return max(0, (last - first).days + 1) / days


def _pairs(c: Claim) -> tuple[list[tuple[int, int]], str] | None:
    cond = c.condition
    if cond.event == "new_pledge":
        return cond.pairs(), cond.quantifier
    if cond.event == "accession" and cond.alliance is not None and len(cond.parties) == 1:
        _, last = pledge_coverage()
        members = current_world().alliance_members(cond.alliance, last)
        s = cond.parties[0]
        pairs = [(min(s, m), max(s, m)) for m in members if m != s]
        return (pairs, "all") if pairs else None
    return None


def _not_allied(
    pairs: Sequence[tuple[int, int]], pledge: str, day: date, treaties: pl.DataFrame | None
) -> list[tuple[int, int]]:
    """The pairs without the pledge on ``day``: not tied by ATOP in its last year (carried
    forward) nor by a treaty-file pact signed before the day."""
    _, last = pledge_coverage()
    ties = current_world().ties(pledge).filter(pl.col("year") == min(day.year - 1, last))
    held = set(zip(ties["ccode1"].to_list(), ties["ccode2"].to_list(), strict=True))
    if treaties is not None and treaties.height:
        t = treaties.filter((pl.col("signed") < day) & (pl.col("pledge") == pledge))
        held |= set(zip(t["ccode1"].to_list(), t["ccode2"].to_list(), strict=True))
    return [p for p in pairs if p not in held]


def _group_key(c: Claim, treaties: pl.DataFrame | None) -> tuple[str, int]:
    pledge = c.condition.pledge or "defense"
    if c.condition.event == "accession" and c.condition.alliance is not None:
        types = alliance_pledges(c.condition.alliance)
        pledge = "defense" if "defense" in types or not types else types[0]
    known = 0 if treaties is None else int((treaties["signed"] < c.published).sum())
    return pledge, known


def model_probabilities(
    items: Sequence[Claim],
    *,
    treaties: pl.DataFrame | None = None,
    on_group: Callable[[int, int], None] | None = None,
) -> dict[int | None, ModelView]:
    """The model's view of each claim (see the module docstring), keyed by claim id.
    ``treaties``: the treaty file (:func:`foedus.prospects.treaties.read_treaties`); each
    claim sees only its rows signed before the claim's date. Claims that share the pledge
    type and the treaties known to them share one forecast; ``on_group(i, n)`` reports
    progress over those groups."""
    _, atop_last = pledge_coverage()
    horizon = forecast_horizon()
    out: dict[int | None, ModelView] = {}
    groups: dict[tuple[str, int], list[tuple[Claim, list[tuple[int, int]], str]]] = {}
    for c in items:
        cond = c.condition
        if cond.event in ("withdrawal", "termination"):
            out[c.id] = ModelView(
                None, reason=f"the model forecasts new pledges, not {cond.event}s"
            )
            continue
        if c.published.year <= atop_last:
            out[c.id] = ModelView(
                None,
                reason=f"made inside ATOP's years (through {atop_last}): an as-of forecast "
                "would need a refit as of the claim's date for every year of its window",
            )
            continue
        pairs = _pairs(c)
        if pairs is None:
            out[c.id] = ModelView(None, reason="an accession of several states is not forecast")
            continue
        key = _group_key(c, treaties)
        at_risk = _not_allied(pairs[0], key[0], c.published, treaties)
        if not at_risk:
            out[c.id] = ModelView(
                None, reason=f"the parties already had a {key[0]} pledge on the day"
            )
            continue
        groups.setdefault(key, []).append((c, at_risk, pairs[1]))
    for i, ((pledge, known), members) in enumerate(sorted(groups.items())):
        if on_group:
            on_group(i, len(groups))
        lo = min(c.condition.window_start.year for c, *_ in members)
        hi = min(horizon, max(c.condition.window_end.year for c, *_ in members))
        seen = None
        if treaties is not None:
            seen = treaties.sort("signed").head(known) if known else treaties.head(0)
        all_pairs = sorted({p for _c, ps, _q in members for p in ps})
        if lo > hi:
            for c, *_ in members:
                out[c.id] = ModelView(None, reason=f"the window opens after {horizon}")
            continue
        fc = forecast((lo, hi), all_pairs, pledge=pledge, treaties=seen).forecasts
        hz = {
            (int(a), int(b), int(y)): (p, bool(r))
            for a, b, y, p, r in fc.select("ccode1", "ccode2", "year", "p", "at_risk").iter_rows()
        }
        for c, ps, quantifier in members:
            n_known = 0 if seen is None else seen["treaty"].n_unique()
            out[c.id] = _combine(c, ps, quantifier, hz, pledge, horizon, n_known)
    if on_group:
        on_group(len(groups), len(groups))
    return out


def _combine(
    c: Claim,
    pairs: Sequence[tuple[int, int]],
    quantifier: str,
    hz: dict[tuple[int, int, int], tuple[float | None, bool]],
    pledge: str,
    horizon: int,
    n_treaties: int,
) -> ModelView:
    cond = c.condition
    years = range(cond.window_start.year, min(cond.window_end.year, horizon) + 1)
    per_pair = []
    for a, b in pairs:
        first = hz.get((a, b, cond.window_start.year))
        if first is None or not first[1]:
            continue  # allied on the day (or outside the system): nothing to forecast
        surv = 1.0
        for y in years:
            p, _risk = hz.get((a, b, y), (None, False))
            if p is None:
                continue
            surv *= (1 - p) ** _fraction(y, cond.window_start, cond.window_end)
        per_pair.append(1 - surv)
    if not per_pair:
        return ModelView(None, reason=f"the parties already had a {pledge} pledge on the day")
    p = min(per_pair) if quantifier == "all" else max(per_pair)
    cut = cond.window_end.year > horizon
    how = (
        f"relogit formation model, {pledge} pledge onset, {len(per_pair)} pair(s) "
        f"({'smallest' if quantifier == 'all' else 'largest'}), data as of "
        f"{c.published} ({n_treaties} treaty-file pacts known)"
        + (f"; window cut at {horizon}: a lower bound" if cut else "")
    )
    return ModelView(p, how)
