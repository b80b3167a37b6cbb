"""The claims ledger as operations: its claims as plain JSON types (each with its condition
in words), one claim, and the ledger scored beside the formation model's probability as of
each claim's date. ``foedus claims`` and the web app render them; docs/claims.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from foedus import countries, validate
from foedus.claims.claim import STATUSES, Claim
from foedus.claims.ledger import open_ledger
from foedus.claims.model_view import model_probabilities
from foedus.claims.scoring import LedgerScores, score_claims

__all__ = ["claim_view", "get_claim", "list_claims", "score", "score_ledger"]


def _abb(ccode: int) -> str:
    st = countries.index().states.get(int(ccode))
    return st.abb if st else str(ccode)


def claim_view(c: Claim) -> dict[str, Any]:
    """A claim's fields (``Claim.to_dict``) and its condition in words (``condition_text``)."""
    names = {p: _abb(p) for p in c.condition.parties}
    return {**c.to_dict(), "condition_text": c.condition.describe(names)}


def list_claims(
    url: str | None = None,
    *,
    author: str | None = None,
    outlet: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """The ledger's claims (``url``: the ledger's database, default FOEDUS_CLAIMS_URL or the
    user file), optionally only an author's or an outlet's (part of the name) or a status."""
    if status is not None:
        status = validate.choice(status, "status", STATUSES)
    for name, v in (("author", author), ("outlet", outlet)):
        if v is not None:
            validate.text(v, name)
    with open_ledger(url) as led:
        items = led.claims(author=author, outlet=outlet, status=status)
    return [claim_view(c) for c in items]


def get_claim(claim_id: int, url: str | None = None) -> dict[str, Any]:
    """One claim by its number (a ClaimNotFoundError if the ledger has none)."""
    claim_id = validate.integer(claim_id, "claim_id", lo=1, hint="give a claim's number, e.g. 1.")
    with open_ledger(url) as led:
        return claim_view(led.get(claim_id))


def score(
    items: Sequence[Claim],
    *,
    model: bool = True,
    treaties: pl.DataFrame | None = None,
    on_group: Callable[[int, int], None] | None = None,
) -> LedgerScores:
    """Score ``items`` (Brier, log and baseline scores, by author and outlet, calibration)
    and, with ``model``, the formation model's probability as of each claim's date beside
    each, head to head (``treaties``: the treaty file's rows, seen as of each claim's date;
    ``on_group(i, n)`` reports the model's progress)."""
    validate.flag(model, "model")
    views = model_probabilities(items, treaties=treaties, on_group=on_group) if model else None
    return score_claims(items, model=views)


def score_ledger(
    url: str | None = None,
    *,
    model: bool = True,
    treaties: pl.DataFrame | None = None,
    on_group: Callable[[int, int], None] | None = None,
) -> tuple[list[Claim], LedgerScores]:
    """Every claim of the ledger and :func:`score` of them."""
    with open_ledger(url) as led:
        items = led.claims()
    return items, score(items, model=model, treaties=treaties, on_group=on_group)
