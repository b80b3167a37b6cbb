"""Scores of claims: Brier, log score and the forecasting platforms' baseline score, per claim,
per author and outlet, and calibration across claims.

Only claims resolved ``yes`` or ``no`` with a probability are scored; ``ambiguous`` and
``annulled`` claims are not. Calibration counts only claims whose window has closed (as of
``today``), so that early "yes" resolutions of still-running windows do not bias it.
Probabilities are kept within [0.001, 0.999] for the log scores. Definitions and sources:
docs/claims.md, "Scoring".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from foedus.claims.claim import Claim

__all__ = [
    "CALIBRATION_BINS",
    "ClaimScore",
    "LedgerScores",
    "baseline_score",
    "brier",
    "log_score",
    "score_claims",
]

P_CLIP = 0.001
#: Calibration bins (upper edges) over the stated probabilities.
CALIBRATION_BINS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _clip(p: float) -> float:
    return min(max(p, P_CLIP), 1 - P_CLIP)


def brier(p: float, outcome: int) -> float:
    """(p - outcome)^2: 0 is perfect, 0.25 is always saying 50%, 1 is certain and wrong."""
    return (p - outcome) ** 2


def log_score(p: float, outcome: int) -> float:
    """The natural log of the probability given to what happened (0 is perfect; higher is
    better; p clipped to [0.001, 0.999])."""
    q = _clip(p)
    return math.log(q if outcome else 1 - q)


def baseline_score(p: float, outcome: int) -> float:
    """Metaculus's baseline score of a yes/no question, 100 * log2(q / 0.5) with q the
    probability given to what happened: 0 for 50%, +100 for certainty and right, negative
    when worse than a coin."""
    q = _clip(p)
    return 100 * math.log2((q if outcome else 1 - q) / 0.5)


@dataclass(frozen=True)
class ClaimScore:
    """One claim's scores (None when it is not scored, with ``why``)."""

    id: int | None
    author: str
    outlet: str
    probability: float | None
    status: str
    window_closed: bool
    brier: float | None = None
    log: float | None = None
    baseline: float | None = None
    why: str = ""
    #: the model's probability for the same condition as of the claim's date, and its scores
    model_probability: float | None = None
    model_brier: float | None = None
    model_baseline: float | None = None
    model_note: str = ""


@dataclass(frozen=True)
class LedgerScores:
    """Every claim's scores, the totals, per-author and per-outlet means and calibration."""

    claims: tuple[ClaimScore, ...]
    n_scored: int
    mean_brier: float | None
    mean_log: float | None
    mean_baseline: float | None
    by_author: dict[str, dict[str, Any]]
    by_outlet: dict[str, dict[str, Any]]
    calibration: list[dict[str, Any]]
    #: over the claims scored for both: the pundits' and the model's mean Brier and baseline
    head_to_head: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": [asdict(c) for c in self.claims],
            "n_scored": self.n_scored,
            "mean_brier": self.mean_brier,
            "mean_log": self.mean_log,
            "mean_baseline": self.mean_baseline,
            "by_author": self.by_author,
            "by_outlet": self.by_outlet,
            "calibration": self.calibration,
            "head_to_head": self.head_to_head,
        }


def _score(c: Claim, today: date) -> ClaimScore:
    status = c.resolution.status
    closed = c.condition.window_end < today
    base = {
        "id": c.id,
        "author": c.author,
        "outlet": c.outlet,
        "probability": c.probability,
        "status": status,
        "window_closed": closed,
    }
    if status in ("ambiguous", "annulled"):
        return ClaimScore(**base, why=f"{status}: not scored")
    if status == "open":
        return ClaimScore(**base, why="open: not resolved yet")
    if c.probability is None:
        return ClaimScore(**base, why="no probability stated or implied")
    o = 1 if status == "yes" else 0
    p = c.probability
    return ClaimScore(**base, brier=brier(p, o), log=log_score(p, o), baseline=baseline_score(p, o))


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _group(scores: Sequence[ClaimScore], key: str) -> dict[str, dict[str, Any]]:
    out: dict[str, list[ClaimScore]] = {}
    for s in scores:
        out.setdefault(getattr(s, key), []).append(s)
    return {
        k: {
            "n_claims": len(v),
            "n_scored": sum(s.brier is not None for s in v),
            "mean_brier": _mean([s.brier for s in v if s.brier is not None]),
            "mean_baseline": _mean([s.baseline for s in v if s.baseline is not None]),
        }
        for k, v in sorted(out.items())
    }


def _calibration(scores: Sequence[ClaimScore]) -> list[dict[str, Any]]:
    rows = []
    lo = 0.0
    for hi in CALIBRATION_BINS:
        inside = [
            s
            for s in scores
            if s.brier is not None
            and s.window_closed
            and s.probability is not None
            and (lo < s.probability <= hi or (lo == 0.0 and s.probability == 0.0))
        ]
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": len(inside),
                "mean_probability": _mean(
                    [s.probability for s in inside if s.probability is not None]
                ),
                "observed": _mean([1.0 if s.status == "yes" else 0.0 for s in inside]),
            }
        )
        lo = hi
    return rows


def _with_model(s: ClaimScore, view: Any) -> ClaimScore:
    if view is None:
        return s
    p = view.probability
    if p is None:
        return replace(s, model_note=view.reason)
    out = replace(s, model_probability=p, model_note=view.how)
    if s.brier is not None:
        o = 1 if s.status == "yes" else 0
        out = replace(out, model_brier=brier(p, o), model_baseline=baseline_score(p, o))
    return out


def _head_to_head(scores: Sequence[ClaimScore]) -> dict[str, Any] | None:
    both = [s for s in scores if s.brier is not None and s.model_brier is not None]
    if not both:
        return None
    return {
        "n": len(both),
        "claims_mean_brier": _mean([s.brier for s in both if s.brier is not None]),
        "model_mean_brier": _mean([s.model_brier for s in both if s.model_brier is not None]),
        "claims_mean_baseline": _mean([s.baseline for s in both if s.baseline is not None]),
        "model_mean_baseline": _mean(
            [s.model_baseline for s in both if s.model_baseline is not None]
        ),
        "model_better": sum(
            1
            for s in both
            if s.model_brier is not None and s.brier is not None and s.model_brier < s.brier
        ),
    }


def score_claims(
    items: Sequence[Claim], *, today: date | None = None, model: dict | None = None
) -> LedgerScores:
    """Score every claim (see the module docstring); ``today`` (default the date) decides
    which windows have closed; ``model`` (:func:`foedus.claims.model_view.model_probabilities`'
    result, by claim id) adds the model's probability and scores beside each claim's."""
    today = today or date.today()
    model = model or {}
    scores = tuple(_with_model(_score(c, today), model.get(c.id)) for c in items)
    scored = [s for s in scores if s.brier is not None]
    return LedgerScores(
        claims=scores,
        n_scored=len(scored),
        mean_brier=_mean([s.brier for s in scored if s.brier is not None]),
        mean_log=_mean([s.log for s in scored if s.log is not None]),
        mean_baseline=_mean([s.baseline for s in scored if s.baseline is not None]),
        by_author=_group(scores, "author"),
        by_outlet=_group(scores, "outlet"),
        calibration=_calibration(scores),
        head_to_head=_head_to_head(scores),
    )
