"""The example ledger shipped with foedus: real, public claims about alliances, paraphrased
and sourced (``examples.json`` beside this module), loaded into a new ledger on first use.
The claims, how each was coded and resolved: docs/claims.md, "The example ledger"."""

from __future__ import annotations

import json
from importlib import resources

from foedus.claims.claim import Claim, parse_claim
from foedus.countries import CountryIndex

__all__ = ["example_claims"]


def example_claims(index: CountryIndex | None = None) -> list[Claim]:
    """The example claims, checked as any claim is."""
    doc = json.loads((resources.files("foedus.claims") / "examples.json").read_text("utf-8"))
    return [parse_claim(c, index=index) for c in doc["claims"]]
