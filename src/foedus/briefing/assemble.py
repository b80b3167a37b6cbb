"""The alliance brief's content: every section computed by the library's own functions, as
plain JSON types, so that a renderer (terminal, Markdown, HTML) only lays it out.

Sections: ``glance`` (sentences generated from the numbers, each naming its section),
``parties`` (capabilities and warheads over time, the pledges between the parties, their
principal rivals: :mod:`foedus.briefing.parties`), ``foundations``
(:func:`foedus.foundations.foundations` for each pair), ``prospects`` (the formation model's
forecast of a pact in the year for each pair, with its interval and the path over the years
before), ``consequences`` (the default scenario of :func:`foedus.scenarios.pact.pact_scenario`
against the principal rivals, through :func:`foedus.scenarios.run.run_scenario`), ``record``
(the claims ledger's claims about the parties, scored) and ``data`` (vintages and what was
carried forward). Each item says which function gives it (``how``), so every number can be
reproduced. docs/brief.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from foedus import countries, validate
from foedus.briefing.interests import interest_series
from foedus.briefing.parties import MAX_RIVALS, parties_section, principal_rivals
from foedus.briefing.sources import references
from foedus.claims.ledger import open_ledger
from foedus.errors import InvalidArgumentError
from foedus.foundations import foundations
from foedus.operations.claims import score
from foedus.prospects.analogues import HORIZON, similar_dyads
from foedus.prospects.data import FEATURE_DOCS
from foedus.prospects.forecast import (
    DEFAULT_KIND,
    FIRST_TRAINING_YEAR,
    forecast,
    forecast_horizon,
    question,
    vintages,
)
from foedus.prospects.skill import backtest_skill
from foedus.prospects.treaties import read_treaties
from foedus.scenarios.pact import pact_scenario
from foedus.scenarios.run import run_scenario
from foedus.scenarios.spec import baseline_world
from foedus.world import pledge_coverage

__all__ = ["Brief", "build_brief"]

#: Years of the forecast path before the brief's year.
PATH_YEARS = 6
#: Historical analogues shown per pair, and feature contributions.
ANALOGUES = 5
CONTRIBUTIONS = 8


@dataclass(frozen=True)
class Brief:
    """A brief: the request and its sections (plain JSON types)."""

    states: list[dict[str, Any]]
    year: int
    sections: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"states": self.states, "year": self.year, **self.sections, "notes": self.notes}


def _pairs(codes: Sequence[int]) -> list[tuple[int, int]]:
    ps = sorted(codes)
    return [(a, b) for i, a in enumerate(ps) for b in ps[i + 1 :]]


def _prospects(
    pairs: list[tuple[int, int]],
    year: int,
    treaties: Any,
    names: dict[int, str],
    say: Callable[[str], None],
    on_year: Callable[[int], None] | None,
) -> tuple[dict[str, Any], list[str]]:
    lo = max(FIRST_TRAINING_YEAR + 1, year - PATH_YEARS)
    res = forecast((lo, year), pairs, treaties=treaties)
    rows = res.forecasts.sort("ccode1", "ccode2", "year")
    out = []
    for a, b in pairs:
        g = rows.filter((rows["ccode1"] == a) & (rows["ccode2"] == b))
        path = [
            {
                "year": r["year"],
                "p": r["p"],
                "p_lo": r["p_lo"],
                "p_hi": r["p_hi"],
                "at_risk": r["at_risk"],
                "onset": r["onset"],
            }
            for r in g.iter_rows(named=True)
        ]
        now = next((p for p in path if p["year"] == year), None)
        c = res.contributions.filter(
            (pl.col("ccode1") == a) & (pl.col("ccode2") == b) & (pl.col("year") == year)
        )
        terms = dict(c.select("term", "value").iter_rows())
        base = terms.pop("(base)", None)
        contributions = sorted(
            ({"term": t, "value": v, "label": _term_label(t)} for t, v in terms.items()),
            key=lambda d: -abs(d["value"]),
        )[:CONTRIBUTIONS]
        out.append(
            {
                "pair": [a, b],
                "year": now,
                "path": path,
                "contributions": contributions,
                "base_log_odds": base,
                "similar": _similar(res.panel, (a, b), year, names),
            }
        )
    say("backtest skill (fitted once per data and code version)")
    section = {
        "pairs": out,
        "model": res.kind,
        "question": res.question,
        "skill": backtest_skill(kind=res.kind, progress=on_year),
        "how": f"foedus.prospects.forecast.forecast(({lo}, {year}), {pairs}); "
        f"foedus.prospects.analogues.similar_dyads(panel, pair, {year}, k={ANALOGUES})",
        "vintages": res.vintages,
    }
    return section, list(res.notes)


def _no_prospects(pairs: list[tuple[int, int]], year: int) -> dict[str, Any]:
    """The prospects section of a year the formation model cannot forecast (its training
    data begin in FIRST_TRAINING_YEAR): every pair without a forecast, and why."""
    first = FIRST_TRAINING_YEAR + 1
    return {
        "pairs": [
            {
                "pair": [a, b],
                "year": None,
                "path": [],
                "contributions": [],
                "base_log_odds": None,
                "similar": [],
            }
            for a, b in pairs
        ],
        "model": DEFAULT_KIND,
        "question": question("defense"),
        "unavailable": f"The formation model forecasts from {first}: its training data (the "
        f"dyad-years at risk of a pact) begin in {FIRST_TRAINING_YEAR}, so it has no forecast "
        f"for {year}. The other sections cover the year.",
        "skill": None,
        "how": f"foedus.prospects.forecast.forecast(({first}, ...), {pairs})",
        "vintages": vintages({}),
    }


def _term_label(term: str) -> str:
    """A feature's meaning in a few words, from its description (FEATURE_DOCS)."""
    doc = FEATURE_DOCS.get(term, "")
    short = doc.split(": ", 1)[1] if ": " in doc else doc
    return short.split(";")[0].strip()


def _similar(
    panel: pl.DataFrame | None, pair: tuple[int, int], year: int, names: dict[int, str]
) -> list[dict[str, Any]]:
    if panel is None:
        return []
    near = similar_dyads(panel, pair, year, k=ANALOGUES)
    idx = countries.index()

    def abb(c: int) -> str:
        return names.get(c) or (idx.get(c).abb if c in idx.states else str(c))

    out = []
    for r in near.iter_rows(named=True):
        row = panel.filter(
            (pl.col("ccode1") == r["ccode1"])
            & (pl.col("ccode2") == r["ccode2"])
            & (pl.col("year") == r["year"])
        )
        formed = r["formed"]
        out.append(
            {
                **r,
                "abb1": abb(r["ccode1"]),
                "abb2": abb(r["ccode2"]),
                "onset": row["onset"][0] if row.height else None,
                "outcome": f"defence pact in {formed}"
                if formed is not None
                else f"no defence pact within {HORIZON} years",
            }
        )
    return out


def _record(
    codes: set[int], ledger_url: str | None, treaties: pl.DataFrame | None
) -> dict[str, Any]:
    with open_ledger(ledger_url) as led:
        items = [
            c
            for c in led.claims()
            if len(codes & set(c.condition.parties)) >= 2
            or (c.condition.event == "accession" and codes & set(c.condition.parties))
        ]
    scores = score(items, treaties=treaties)
    return {
        "claims": [c.to_dict() for c in items],
        "scores": scores.to_dict(),
        "how": "foedus.claims.ledger.open_ledger().claims(), foedus.claims.scoring.score_claims("
        "claims, model=foedus.claims.model_view.model_probabilities(claims))",
    }


def _glance(brief: dict[str, Any], names: dict[int, str], year: int) -> list[dict[str, str]]:
    out = []
    if brief["prospects"].get("unavailable"):
        out.append(
            {
                "section": "prospects",
                "text": f"No formation forecast for {year}: the model forecasts from "
                f"{FIRST_TRAINING_YEAR + 1}.",
            }
        )
    for p in [] if brief["prospects"].get("unavailable") else brief["prospects"]["pairs"]:
        a, b = p["pair"]
        now = p["year"]
        if now is None or now["p"] is None:
            why = (
                "they already have a defence pledge"
                if now and not now["at_risk"]
                else ("the model has no forecast for the pair")
            )
            out.append(
                {
                    "section": "prospects",
                    "text": f"{names[a]} and {names[b]}: no "
                    f"formation forecast for {year}, as {why}.",
                }
            )
        else:
            out.append(
                {
                    "section": "prospects",
                    "text": f"The model gives {now['p']:.1%} (90% interval {now['p_lo']:.1%}-"
                    f"{now['p_hi']:.1%}) that {names[a]} and {names[b]} form a defence pact in "
                    f"{year}, given none the year before.",
                }
            )
            ups = [c for c in p.get("contributions", []) if c["value"] > 0][:2]
            downs = [c for c in p.get("contributions", []) if c["value"] < 0][:2]

            def terms(cs: list[dict[str, Any]]) -> str:
                return ", ".join(f"{c['term']} ({c['value']:+.2f})" for c in cs) or "nothing"

            if ups or downs:
                out.append(
                    {
                        "section": "prospects",
                        "text": f"For {names[a]}-{names[b]}, the strongest reasons for are "
                        f"{terms(ups)}; against, {terms(downs)} (log-odds contributions).",
                    }
                )
    cons = brief["consequences"]
    blocs = cons["result"]["consequences"].get("blocs", {})
    delta = blocs.get("delta", {}) if isinstance(blocs, dict) else {}
    if "parties_share" in delta:
        pts = abs(delta["parties_share"]) * 100
        text = (
            f"A pact would raise the parties' bloc share of world capabilities by {pts:.1f} "
            "percentage points"
            if cons["direction"] == "add"
            else f"Without their pact, the parties' bloc share of world capabilities would be "
            f"{pts:.1f} percentage points lower"
        )
        out.append({"section": "consequences", "text": f"{text} ({cons['scenario']})."})
    cons_c = cons["result"]["consequences"]
    tot = cons_c.get("conflict_risk", {}).get("total") if isinstance(cons_c, dict) else None
    if tot and tot.get("delta") is not None:
        out.append(
            {
                "section": "consequences",
                "text": f"{'With' if cons['direction'] == 'add' else 'Without'} the pact, "
                f"expected militarised-dispute initiations among the {tot['n_dyads']} "
                f"dyads it touches change by {tot['delta']:+.3f} a year (90% interval "
                f"{tot['delta_lo']:+.3f} to {tot['delta_hi']:+.3f}), from "
                f"{tot['baseline']:.2f}.",
            }
        )
    if delta.get("parties_warheads"):
        out.append(
            {
                "section": "consequences",
                "text": f"{'With' if cons['direction'] == 'add' else 'Without'} the pact, the "
                f"parties' bloc {'gains' if delta['parties_warheads'] > 0 else 'loses'} "
                f"{abs(delta['parties_warheads']):,} nuclear warheads.",
            }
        )
    skill = brief["prospects"].get("skill")
    if skill:
        out.append(
            {
                "section": "prospects",
                "text": f"In its yearly backtest {skill['start']}-{skill['end']} the model has "
                f"ROC-AUC {skill['roc_auc']:.3f} and Brier skill {skill['brier_skill']:+.3f}: "
                + (
                    "its probabilities beat the base rate's"
                    if skill["brier_skill"] > 0
                    else "its probabilities do not beat the base rate's"
                )
                + ".",
            }
        )
    rec = brief["record"]
    n = len(rec["claims"])
    if n:
        s = rec["scores"]
        tail = (
            f"; {'the one' if s['n_scored'] == 1 else 'the ' + str(s['n_scored'])} resolved "
            f"{'has' if s['n_scored'] == 1 else 'have'} a mean Brier score of "
            f"{s['mean_brier']:.2f}"
            if s["n_scored"]
            else ""
        )
        h2h = s.get("head_to_head")
        if h2h and h2h["n"]:
            tail += (
                f" (the model's, on the same {h2h['n']}: {h2h['model_mean_brier']:.2g}; lower "
                "is better)"
            )
        out.append(
            {
                "section": "record",
                "text": f"The ledger holds {n} published claim{'s' if n != 1 else ''} about these "
                f"parties{tail}.",
            }
        )
    order = {"prospects": 0, "consequences": 1, "record": 2}
    return sorted(out, key=lambda g: order.get(g["section"], 3))  # stable within a section


def build_brief(
    states: Sequence[str | int],
    year: int,
    *,
    treaties: str | Path | None = None,
    ledger_url: str | None = None,
    draws: int = 1000,
    on_step: Callable[[str], None] | None = None,
    on_year: Callable[[int], None] | None = None,
) -> Brief:
    """Every section of the brief on the states (two or more) in ``year`` (see the module
    docstring). States are resolved for the year; each must be a system member then."""
    if isinstance(states, str) or len(states) < 2:
        raise InvalidArgumentError(
            "states", "a brief needs two or more states", "e.g. foedus brief RUS CHN --year 2021."
        )
    year = validate.year(
        year,
        "year",
        lo=validate.first_year(),
        hi=forecast_horizon(),
        lo_reason=validate.first_reason(),
        hi_reason=f"the forecasts reach {forecast_horizon()}",
    )
    say = on_step or (lambda _s: None)
    resolved = [countries.resolve(s, year) for s in states]  # refuses non-members
    codes = [r.ccode for r in resolved]
    if len(set(codes)) != len(codes):
        raise InvalidArgumentError("states", "a state is named twice", "name each state once.")
    names = {r.ccode: r.state.abb for r in resolved}
    tr = read_treaties(treaties) if treaties is not None else None
    pairs = _pairs(codes)
    notes = [r.note for r in resolved if r.note]
    sections: dict[str, Any] = {}
    say("foundations")
    rivals = principal_rivals(codes, year)
    opponents = [r["ccode"] for r in rivals[:MAX_RIVALS]]
    ps = pact_scenario(codes, year, opponents=opponents, treaties=treaties, draws=draws)
    world = baseline_world(ps.scenario)
    series = interest_series(pairs, year, world)
    atop_last = pledge_coverage()[1]
    if year > atop_last:
        notes.append(
            f"Alliance portfolios after {atop_last} are ATOP's {atop_last} pledges carried "
            "forward" + (" with the treaty file's" if tr is not None else "") + "."
        )
    sections["foundations"] = {
        "pairs": [foundations(a, b, year) for a, b in pairs],
        "series": series,
        "how": "foedus.foundations.foundations(a, b, year); "
        f"foedus.briefing.interests.interest_series({pairs}, {year}, world)",
    }
    say("prospects")
    if year > FIRST_TRAINING_YEAR:
        sections["prospects"], more = _prospects(pairs, year, tr, names, say, on_year)
        notes += more
    else:
        sections["prospects"] = _no_prospects(pairs, year)
    say("parties")
    sections["parties"] = {**parties_section(codes, year, world), "rivals": rivals}
    say("consequences")
    res = run_scenario(ps.scenario, draws=draws)
    sections["consequences"] = {
        "scenario": ps.scenario.name,
        "direction": ps.direction,
        "result": res.to_dict(),
        "how": "foedus.scenarios.run.run_scenario(foedus.scenarios.pact.pact_scenario("
        f"{codes}, {year}).scenario, draws={draws})",
    }
    say("record")
    sections["record"] = _record(set(codes), ledger_url, tr)
    vint = sections["prospects"]["vintages"]
    sections["data"] = {
        "vintages": vint,
        "world": res.world,
        **references(d["name"] for v in vint for d in v["datasets"]),
    }
    sections["glance"] = _glance(sections, names, year)
    states_out = [{"ccode": r.ccode, "abb": r.state.abb, "name": r.state.name} for r in resolved]
    return Brief(states_out, year, sections, list(dict.fromkeys(notes)))
