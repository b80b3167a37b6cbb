"""The alliance brief's content: every section computed by the library's own functions, as
plain JSON types, so that a renderer (terminal, Markdown, HTML) only lays it out.

Sections: ``glance`` (sentences generated from the numbers, each naming its section),
``parties`` (capabilities and warheads over time, the pledges between the parties, their
principal rivals: :mod:`foedus.brief.parties`), ``foundations``
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

from foedus import countries, validate
from foedus.brief.parties import MAX_RIVALS, parties_section, principal_rivals
from foedus.claims.ledger import open_ledger
from foedus.claims.scoring import score_claims
from foedus.errors import InvalidArgumentError
from foedus.foundations import foundations
from foedus.prospects.forecast import FIRST_TRAINING_YEAR, forecast, forecast_horizon
from foedus.prospects.treaties import read_treaties
from foedus.scenarios.pact import pact_scenario
from foedus.scenarios.run import run_scenario
from foedus.scenarios.spec import baseline_world

__all__ = ["Brief", "build_brief"]

#: Years of the forecast path before the brief's year.
PATH_YEARS = 6


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
    pairs: list[tuple[int, int]], year: int, treaties: Any
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
        out.append({"pair": [a, b], "year": now, "path": path})
    section = {
        "pairs": out,
        "model": res.kind,
        "question": res.to_dict()["question"],
        "how": f"foedus.prospects.forecast.forecast(({lo}, {year}), {pairs})",
        "vintages": res.vintages,
    }
    return section, list(res.notes)


def _record(codes: set[int], ledger_url: str | None) -> dict[str, Any]:
    with open_ledger(ledger_url) as led:
        items = [
            c
            for c in led.claims()
            if len(codes & set(c.condition.parties)) >= 2
            or (c.condition.event == "accession" and codes & set(c.condition.parties))
        ]
    scores = score_claims(items)
    return {
        "claims": [c.to_dict() for c in items],
        "scores": scores.to_dict(),
        "how": "foedus.claims.ledger.open_ledger().claims(), foedus.claims.scoring.score_claims",
    }


def _glance(brief: dict[str, Any], names: dict[int, str], year: int) -> list[dict[str, str]]:
    out = []
    for p in brief["prospects"]["pairs"]:
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
    cons = brief["consequences"]
    blocs = cons["result"]["consequences"].get("blocs", {})
    delta = blocs.get("delta", {}) if isinstance(blocs, dict) else {}
    if "parties_share" in delta:
        verb = "would raise" if cons["direction"] == "add" else "without it would lower"
        out.append(
            {
                "section": "consequences",
                "text": f"A pact {verb} the parties' bloc share of world capabilities by "
                f"{abs(delta['parties_share']) * 100:.1f} percentage points ({cons['scenario']}).",
            }
        )
    rec = brief["record"]
    n = len(rec["claims"])
    if n:
        s = rec["scores"]
        tail = (
            f"; the {s['n_scored']} resolved have a mean Brier score of {s['mean_brier']:.2f}"
            if s["n_scored"]
            else ""
        )
        out.append(
            {
                "section": "record",
                "text": f"The ledger holds {n} published claims about these parties{tail}.",
            }
        )
    return out


def build_brief(
    states: Sequence[str | int],
    year: int,
    *,
    treaties: str | Path | None = None,
    ledger_url: str | None = None,
    draws: int = 1000,
    on_step: Callable[[str], None] | None = None,
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
        lo=FIRST_TRAINING_YEAR + 1,
        hi=forecast_horizon(),
        lo_reason=f"the formation model forecasts from {FIRST_TRAINING_YEAR + 1}",
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
    sections["foundations"] = {
        "pairs": [foundations(a, b, year) for a, b in pairs],
        "how": "foedus.foundations.foundations(a, b, year)",
    }
    say("prospects")
    sections["prospects"], more = _prospects(pairs, year, tr)
    notes += more
    say("parties")
    rivals = principal_rivals(codes, year)
    opponents = [r["ccode"] for r in rivals[:MAX_RIVALS]]
    ps = pact_scenario(codes, year, opponents=opponents, treaties=treaties, draws=draws)
    world = baseline_world(ps.scenario)
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
    sections["record"] = _record(set(codes), ledger_url)
    sections["data"] = {
        "vintages": sections["prospects"]["vintages"],
        "world": res.world,
    }
    sections["glance"] = _glance(sections, names, year)
    states_out = [{"ccode": r.ccode, "abb": r.state.abb, "name": r.state.name} for r in resolved]
    return Brief(states_out, year, sections, list(dict.fromkeys(notes)))
