"""The fast path of conflict risk for sweeps: a year's baseline design and coefficient draws
computed once (:func:`sweep_context`), then each scenario's pact edits applied to the year's
arrays without building a world (:func:`evaluate_edits`) — equal, bit for bit, to
:func:`foedus.consequences.conflict_risk.conflict_risk` on the world with the same edits.
docs/consequences.md, "Conflict risk" and "Sweeps".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.consequences.conflict_design import (
    DEFAULT_SPEC,
    AllianceState,
    PactEdit,
    YearDesign,
    apply_edits,
    check_edits,
    check_spec,
    year_design,
)
from foedus.consequences.conflict_model import (
    MAX_DRAWS,
    ConflictRiskModel,
    point_proba,
    proba_draws,
    resolve_model,
    with_const,
)
from foedus.consequences.conflict_risk import (
    LEVEL,
    ExpectedEvents,
    central_interval,
    check_dyads,
    differs,
)
from foedus.world import World, resolve_world

__all__ = ["EditDraws", "PactEdit", "SweepContext", "evaluate_edits", "sweep_context"]


# --- the fast path for sweeps -------------------------------------------------------------------


@dataclass
class SweepContext:
    """A year's baseline design and coefficient draws, computed once for a sweep."""

    design: YearDesign
    coef: np.ndarray
    betas: np.ndarray  # (draws, k)
    draws: int
    seed: int
    model: dict[str, Any]
    #: memory for the baseline draws of the states edited so far (LRU), in megabytes
    cache_mb: float = 256.0
    _blocks: OrderedDict[int, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    def baseline_block(self, s: int) -> np.ndarray:
        """The baseline draws of every pair with the state at position ``s``: rows ``(s, j)``
        for j = 0 .. N-1, then ``(i, s)`` for i = 0 .. N-1 (2N rows; the pairs of a state with
        itself are NaN), kept for later scenarios that edit the same state."""
        if s in self._blocks:
            self._blocks.move_to_end(s)
            return self._blocks[s]
        n = len(self.design.alliances.codes)
        idx = np.arange(n)
        ii = np.concatenate([np.full(n, s), idx])
        jj = np.concatenate([idx, np.full(n, s)])
        if not self.design.spec.directed:
            ii, jj = np.minimum(ii, jj), np.maximum(ii, jj)
        block = proba_draws(with_const(self.design.rows(ii, jj)), self.betas)
        block[[s, n + s]] = np.nan
        size = block.nbytes / 2**20
        while self._blocks and (len(self._blocks) + 1) * size > self.cache_mb:
            self._blocks.popitem(last=False)
        if size <= self.cache_mb:
            self._blocks[s] = block
        return block


def sweep_context(
    world: World,
    year: int,
    *,
    spec: str = DEFAULT_SPEC,
    draws: int = 1000,
    seed: int = 0,
    model: ConflictRiskModel | None = None,
    cache_mb: float = 256.0,
) -> SweepContext:
    """The baseline of a sweep: ``world``'s design of ``year`` and the coefficient draws
    (seeded by ``seed``; the same for every scenario, as :func:`conflict_risk` uses them).
    ``cache_mb`` bounds the memory kept for the baseline draws of edited states (about 3 MB
    per state at 1,000 draws; 0 keeps none)."""
    sp = check_spec(spec)
    draws = validate.integer(draws, "draws", lo=1, hi=MAX_DRAWS, hint="e.g. draws=1000.")
    seed = validate.integer(seed, "seed", lo=0, hint="give a whole number >= 0, e.g. seed=1.")
    world = resolve_world(world)
    year = world.check_year(year)
    m = resolve_model(model, sp)
    cache_mb = validate.number(cache_mb, "cache_mb", lo=0.0, hint="e.g. cache_mb=256.")
    return SweepContext(
        year_design(world, year, sp),
        m.coef_.copy(),
        m.coef_draws(draws, seed),
        draws,
        seed,
        m.summary(),
        cache_mb,
    )


@dataclass(frozen=True)
class EditDraws:
    """The dyads a set of pact edits affects (or the dyads asked for), with their design rows,
    point probabilities and probability draws (rows x draws) under both states."""

    dyads: list[tuple[int, int]]
    x_baseline: np.ndarray
    x_scenario: np.ndarray
    p_baseline: np.ndarray
    p_scenario: np.ndarray
    baseline: np.ndarray
    scenario: np.ndarray

    def expected_events(self, level: float = LEVEL) -> ExpectedEvents:
        """The expected number of events among the dyads (the sum of their probabilities)
        under both states, with ``level`` intervals from the draws; dyads with a missing
        feature are left out, as :func:`~foedus.consequences.conflict_risk.conflict_risk`
        leaves them out of its total."""
        ok = np.isfinite(self.p_baseline) & np.isfinite(self.p_scenario)
        sb, ss = self.baseline[ok].sum(axis=0), self.scenario[ok].sum(axis=0)
        qb, qs = central_interval(sb[None, :], level), central_interval(ss[None, :], level)
        qd = central_interval((ss - sb)[None, :], level)
        pb, ps = float(self.p_baseline[ok].sum()), float(self.p_scenario[ok].sum())
        return ExpectedEvents(
            int(ok.sum()),
            int((~ok).sum()),
            pb,
            float(qb[0][0]),
            float(qb[1][0]),
            ps,
            float(qs[0][0]),
            float(qs[1][0]),
            ps - pb,
            float(qd[0][0]),
            float(qd[1][0]),
        )

    def summary(self, level: float = LEVEL) -> pl.DataFrame:
        """Per dyad: point probabilities, the difference and its ``level`` interval."""
        lo, hi = central_interval(self.scenario - self.baseline, level)
        return pl.DataFrame(
            {
                "challenger": [a for a, _ in self.dyads],
                "target": [b for _, b in self.dyads],
                "baseline": self.p_baseline,
                "scenario": self.p_scenario,
                "delta": self.p_scenario - self.p_baseline,
                "delta_lo": lo,
                "delta_hi": hi,
            },
            schema_overrides={"challenger": pl.Int64, "target": pl.Int64},
        )


def _candidates(st: AllianceState, touched: np.ndarray, directed: bool):
    n = len(st.codes)
    mask = np.zeros((n, n), dtype=bool)
    mask[touched, :] = True
    mask[:, touched] = True
    np.fill_diagonal(mask, False)
    if not directed:
        mask = np.triu(mask, 1)
    return np.nonzero(mask)


def evaluate_edits(
    ctx: SweepContext,
    edits: Sequence[PactEdit | Sequence[Any]],
    *,
    dyads: Sequence[tuple[int, int]] | None = None,
) -> EditDraws:
    """The consequence of pact edits (:class:`PactEdit`, or ``(a, b, pledge[, action])``) on
    the context's year without building a world: the edited pledges, S recomputed for the
    pairs of the edited states, and the draws of every dyad whose design changed (or of
    ``dyads``). Equal, bit for bit, to :func:`conflict_risk` and :func:`affected_dyads` on
    the world with the same edits (``World.with_pledge`` / ``without_pledge`` in that year)."""
    es = check_edits(edits)
    d = ctx.design
    st, touched = apply_edits(d.alliances, es)
    n = len(d.alliances.codes)
    if dyads is None:
        ii, jj = _candidates(d.alliances, touched, d.spec.directed)
        xb, xs = d.rows(ii, jj), d.rows(ii, jj, st)
        hit = differs(xb, xs)
        ii, jj, xb, xs = ii[hit], jj[hit], xb[hit], xs[hit]
        pairs = [
            (int(d.alliances.codes[i]), int(d.alliances.codes[j]))
            for i, j in zip(ii, jj, strict=True)
        ]
        # the baseline draws from the edited states' blocks: row (s, j) is j, row (i, s) n + i
        base = np.empty((len(ii), ctx.draws))
        first = np.isin(ii, touched)
        for s in touched:
            in_i = first & (ii == s)
            in_j = ~first & (jj == s)
            if in_i.any() or in_j.any():
                block = ctx.baseline_block(int(s))
                base[in_i] = block[jj[in_i]]
                base[in_j] = block[n + ii[in_j]]
    else:
        pairs = check_dyads(dyads)
        ii, jj = d.positions(pairs)
        xb, xs = d.rows(ii, jj), d.rows(ii, jj, st)
        base = proba_draws(with_const(xb), ctx.betas)
    xb1, xs1 = with_const(xb), with_const(xs)
    return EditDraws(
        pairs,
        xb,
        xs,
        point_proba(xb1, ctx.coef),
        point_proba(xs1, ctx.coef),
        base,
        proba_draws(xs1, ctx.betas),
    )
