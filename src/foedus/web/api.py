"""The JSON API: each endpoint checks its parameters (types and bounds in the OpenAPI
description), calls one operation of :mod:`foedus.operations` (or the library function that is
the operation) and returns its serialisable result. No file paths are taken from a request;
the claims ledger is the server's."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from foedus import __version__, countries, jsonout, loaders
from foedus.errors import InvalidArgumentError
from foedus.foundations import foundations
from foedus.operations import claims as claim_ops
from foedus.operations.brief import MAX_STATES, BriefRequest, run_brief
from foedus.operations.country import look_up
from foedus.operations.network import network_view
from foedus.operations.prospects import ForecastRequest, run_forecast
from foedus.prospects.forecast import forecast_horizon
from foedus.validate import first_year

__all__ = ["router"]

#: Bounds of a year parameter: the state system's first year to the forecasts' horizon.
FIRST, LAST = first_year(), forecast_horizon()

router = APIRouter(prefix="/api")

Year = Annotated[int, Query(ge=FIRST, le=LAST, description=f"A year, {FIRST}-{LAST}.")]
State = Annotated[
    str, Query(min_length=1, max_length=80, description="A name, abbreviation or COW code.")
]


def _json(data: Any) -> Response:
    """Strict JSON (NaN and infinities as null), as the command line's --json writes it."""
    return Response(jsonout.strict_json(data), media_type="application/json")


@router.get("/health", summary="The server is up")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/countries/search", summary="States whose name starts with or contains a text")
def search_countries(
    q: Annotated[str, Query(min_length=1, max_length=80)],
    year: Annotated[int | None, Query(ge=FIRST, le=LAST)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[dict[str, Any]]:
    """For autocompletion: members in ``year`` only, if given."""
    return [
        {"ccode": s.ccode, "abb": s.abb, "name": s.name, "years": s.years}
        for s in countries.index().search(q, limit, year)
    ]


@router.get("/countries/{query}", summary="One state: codes, names, membership spells")
def country(
    query: str, year: Annotated[int | None, Query(ge=FIRST, le=LAST)] = None
) -> dict[str, Any]:
    return look_up([query], year)[0]


@router.get("/network/{year}", summary="The alliance network of a year")
def network(
    year: int,
    pledge: Annotated[str, Query(max_length=20)] = "defense",
    source: Literal["atop", "cow"] = "atop",
) -> Response:
    """Every system member and every tie carrying the pledge (ATOP: defense, offense, neutral,
    nonagg, consul, any; COW: defense, neutrality, entente, any)."""
    body = _network_json(year, pledge, source, loaders.data_key())
    return Response(body, media_type="application/json")


@functools.lru_cache(maxsize=1024)
def _network_json(year: int, pledge: str, source: str, _data: tuple[object, ...]) -> bytes:
    """The network's JSON, kept per year, pledge, source and data (a year slider asks for the
    same few hundred answers again and again)."""
    return jsonout.strict_json(network_view(year, pledge, source), indent=None).encode()


@router.get("/foundations", summary="Why two states might ally, measured")
def pair_foundations(a: State, b: State, year: Year) -> Response:
    return _json(foundations(a, b, year))


@router.get("/forecast", summary="The probability that two states form a defence pact")
def forecast(
    a: State,
    b: State,
    first: Year,
    last: Year,
    pledge: Literal["defense", "offense", "neutral", "nonagg", "consul", "any"] = "defense",
) -> Response:
    """Each year from ``first`` to ``last``: the probability of a pact's onset, given none the
    year before, with its 90% interval (the first call on a new server may fit the models)."""
    out = run_forecast(ForecastRequest(states=(a, b), years=(first, last), pledge=pledge))
    return _json({**out.result.to_dict(), "pair": list(out.pair or ()), "warnings": out.warnings})


@router.get("/brief", summary="The alliance brief on two or more states in a year")
def brief(
    request: Request,
    states: Annotated[list[str], Query(min_length=2, max_length=MAX_STATES)],
    year: Year,
    format: Literal["json", "md", "html"] = "json",
    draws: Annotated[int, Query(ge=100, le=5000)] = 1000,
) -> Response:
    """JSON (every number), Markdown, or the self-contained HTML page, as a download."""
    if any(not s.strip() or len(s) > 80 for s in states):
        raise InvalidArgumentError("states", "each state is 1-80 characters", "e.g. RUS, CHN.")
    out = run_brief(
        BriefRequest(
            states=tuple(states),
            year=year,
            format=format,
            draws=draws,
            ledger_url=request.app.state.settings.claims_url,
        )
    )
    if format == "json":
        return _json(out.brief.to_dict())
    stem = "-".join(s["abb"].lower() for s in out.brief.states) + f"-{year}"
    media = "text/html; charset=utf-8" if format == "html" else "text/markdown; charset=utf-8"
    return Response(
        out.document,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="foedus-brief-{stem}.{format}"'},
    )


@router.get("/claims", summary="The claims ledger: published alliance forecasts")
def claims_list(
    request: Request,
    author: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    outlet: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    status: Literal["open", "yes", "no", "ambiguous", "annulled"] | None = None,
) -> Response:
    url = request.app.state.settings.claims_url
    return _json(claim_ops.list_claims(url, author=author, outlet=outlet, status=status))


@router.get("/claims/scores", summary="Every resolved claim scored, beside the model's")
def claims_scores(request: Request, model: bool = True) -> Response:
    _, scores = claim_ops.score_ledger(request.app.state.settings.claims_url, model=model)
    return _json(scores.to_dict())


@router.get("/claims/{claim_id}", summary="One claim")
def claim(request: Request, claim_id: int) -> Response:
    return _json(claim_ops.get_claim(claim_id, request.app.state.settings.claims_url))
