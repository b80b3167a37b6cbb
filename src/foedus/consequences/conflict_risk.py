"""Conflict risk, the consequence: the probability of a militarized dispute for chosen dyads
in one year, baseline against scenario, from the fitted conflict-risk model
(:mod:`.conflict_model`) on each world's design (:mod:`.conflict_design`), with intervals from
Monte Carlo draws of the coefficients — the same draws for both worlds, so the difference has
its own interval. :func:`conflict_risk` is the consequence, :func:`affected_dyads` the dyads a
scenario changes; sweeps use the fast path :mod:`.conflict_sweep`. Rules, variables, sign
table, backtest figures and citations: docs/consequences.md, "Conflict risk".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from foedus import validate
from foedus.consequences.conflict_design import (
    DEFAULT_SPEC,
    SPECS,
    YearDesign,
    alliance_state,
    check_spec,
    last_years,
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
from foedus.errors import InvalidArgumentError
from foedus.world import World, resolve_world

__all__ = [
    "LEVEL",
    "ConflictRiskResult",
    "DyadRisk",
    "ExpectedEvents",
    "affected_dyads",
    "central_interval",
    "changed_dyads",
    "check_dyads",
    "conflict_risk",
    "differs",
    "expected_events",
    "risk_draws",
    "rows",
    "scenario_design",
]

#: The central interval reported for every probability and difference.
LEVEL = 0.9
#: How many of the most-changed affected dyads a result lists.
MOVERS = 5


# --- the consequence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DyadRisk:
    """One dyad's probability of conflict under both worlds, with ``LEVEL`` intervals."""

    challenger: int
    target: int
    baseline: float | None
    baseline_lo: float | None
    baseline_hi: float | None
    scenario: float | None
    scenario_lo: float | None
    scenario_hi: float | None
    delta: float | None
    delta_lo: float | None
    delta_hi: float | None
    #: the features whose values differ: name -> [baseline, scenario]
    changed: dict[str, list[float | None]] = field(default_factory=dict)
    #: the sources whose values are carried forward from their last year into this row
    carried: list[str] = field(default_factory=list)
    #: features without a value (the row's probabilities are then null)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExpectedEvents:
    """The expected number of events (the sum of the probabilities) among the dyads a
    scenario affects, under both worlds, with ``LEVEL`` intervals from the same draws."""

    n_dyads: int
    #: affected dyads left out because a feature has no value
    n_missing: int
    baseline: float
    baseline_lo: float
    baseline_hi: float
    scenario: float
    scenario_lo: float
    scenario_hi: float
    delta: float
    delta_lo: float
    delta_hi: float


@dataclass(frozen=True)
class ConflictRiskResult:
    """The conflict-risk consequence of a scenario in one year."""

    spec: str
    year: int
    draws: int
    seed: int
    level: float
    dyads: tuple[DyadRisk, ...]
    model: dict[str, Any]
    #: the number of dyads (directed for leeds2003) whose design the scenario changes
    n_affected: int
    note: str = ""
    #: the expected number of events among all the affected dyads
    total: ExpectedEvents | None = None
    #: the affected dyads whose probability changes most (at the point estimate)
    movers: tuple[DyadRisk, ...] = ()
    #: the sources whose values are carried forward from their last year into ``year``
    carried: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "year": self.year,
            "draws": self.draws,
            "seed": self.seed,
            "level": self.level,
            "model": self.model,
            "n_affected": self.n_affected,
            "dyads": [asdict(d) for d in self.dyads],
            "total": None if self.total is None else asdict(self.total),
            "movers": [asdict(d) for d in self.movers],
            "carried": [f"{c}: {last_years(SPECS[self.spec])[c]}" for c in self.carried],
            "note": self.note,
        }

    def frame(self) -> pl.DataFrame:
        """One row per dyad: the probabilities, intervals and differences."""
        cols = [f for f in DyadRisk.__dataclass_fields__ if f not in ("changed", "carried")]
        schema = {c: pl.Int64 if c in ("challenger", "target") else pl.Float64 for c in cols}
        schema |= {"changed": pl.String, "carried": pl.String, "missing": pl.String}
        data = [
            {c: getattr(d, c) for c in cols if c != "missing"}
            | {
                "changed": ",".join(d.changed),
                "carried": ",".join(d.carried),
                "missing": ",".join(d.missing),
            }
            for d in self.dyads
        ]
        return pl.DataFrame(data, schema=schema)


def _f(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def check_dyads(dyads: object) -> list[tuple[int, int]]:
    """``dyads`` as a list of (challenger, target) pairs of distinct COW codes, or a clear
    :class:`InvalidArgumentError`."""
    hint = "give (challenger, target) pairs of COW codes, e.g. dyads=[(2, 365), (365, 2)]."
    if isinstance(dyads, str | bytes) or not isinstance(dyads, Sequence):
        raise InvalidArgumentError(
            "dyads", f"dyads must be a list of pairs, not {dyads!r:.60}", hint
        )
    out = []
    for d in dyads:
        if isinstance(d, str | bytes) or not isinstance(d, Sequence) or len(d) != 2:
            raise InvalidArgumentError("dyads", f"a dyad is a pair of codes, not {d!r:.60}", hint)
        a, b = (validate.integer(c, "dyads", hint=hint) for c in d)
        if a == b:
            raise InvalidArgumentError("dyads", f"a dyad needs two states, not ({a}, {b})", hint)
        out.append((a, b))
    if not out:
        raise InvalidArgumentError("dyads", "no dyad given", hint)
    return out


def scenario_design(base: YearDesign, scenario: World, baseline: World) -> YearDesign:
    """The scenario's design: its alliances, and its covariates only if its capabilities
    differ from the baseline's (else the baseline's, not rebuilt)."""
    if scenario.capability_changes != baseline.capability_changes:
        return year_design(scenario, base.year, base.spec)
    return replace(base, alliances=alliance_state(scenario, base.year))


def central_interval(p: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper bounds of the central ``level`` interval of each row of draws
    ``p`` (rows x draws), ignoring NaN draws (a row of NaN gives NaN)."""
    a = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows (missing features)
        q = np.nanquantile(p, [a, 1 - a], axis=1)
    return q[0], q[1]


def risk_draws(
    model: ConflictRiskModel,
    base: YearDesign,
    scen: YearDesign,
    ii: np.ndarray,
    jj: np.ndarray,
    draws: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Design rows and probability draws of the pairs ``(ii, jj)`` under both designs: the
    same coefficient draws for both (common random numbers)."""
    xb, xs = base.rows(ii, jj), scen.rows(ii, jj)
    betas = model.coef_draws(draws, seed)
    return xb, xs, proba_draws(with_const(xb), betas), proba_draws(with_const(xs), betas)


def conflict_risk(
    baseline: World,
    scenario: World,
    dyads: Sequence[tuple[int, int]] | None,
    year: int,
    *,
    spec: str = DEFAULT_SPEC,
    draws: int = 1000,
    seed: int = 0,
    model: ConflictRiskModel | None = None,
) -> ConflictRiskResult:
    """The probability of conflict of each dyad (challenger, target) in ``year`` under both
    worlds: point estimates at the fitted coefficients, ``LEVEL`` intervals from ``draws``
    coefficient draws (seeded by ``seed``, the same draws for both worlds, so the difference
    has its own tight interval), and the features that changed. ``dyads=None``: every dyad
    the scenario affects (:func:`affected_dyads`). Past a source's last year its values are
    carried forward (reported per row). Every argument is checked before anything is loaded
    or fitted."""
    sp = check_spec(spec)
    draws = validate.integer(draws, "draws", lo=1, hi=MAX_DRAWS, hint="e.g. draws=1000.")
    seed = validate.integer(seed, "seed", lo=0, hint="give a whole number >= 0, e.g. seed=1.")
    baseline, scenario = resolve_world(baseline), resolve_world(scenario)
    year = scenario.check_year(baseline.check_year(year))
    pairs = None if dyads is None else check_dyads(dyads)
    m = resolve_model(model, sp)
    base = year_design(baseline, year, sp)
    scen = scenario_design(base, scenario, baseline)
    affected = changed_dyads(base, scen)
    betas = m.coef_draws(draws, seed)
    out = _dyad_risks(m, base, scen, affected if pairs is None else pairs, betas)
    total, deltas = expected_events(m, base, scen, affected, betas)
    top = np.argsort(-np.abs(np.nan_to_num(deltas)), kind="stable")[:MOVERS]
    movers = _dyad_risks(m, base, scen, [affected[int(k)] for k in top], betas)
    what = "MID initiation by the challenger" if sp.directed else "MID onset in the dyad"
    note = (
        f"{sp.title}; probability of {what} in {year}, {int(LEVEL * 100)}% intervals from "
        f"{draws} draws of the coefficients (dyad-clustered covariance), the same draws for "
        "both worlds"
    )
    return ConflictRiskResult(
        sp.name,
        year,
        draws,
        seed,
        LEVEL,
        tuple(out),
        m.summary(),
        len(affected),
        note,
        total,
        tuple(movers),
        base.carried,
    )


def _dyad_risks(
    m: ConflictRiskModel,
    base: YearDesign,
    scen: YearDesign,
    pairs: Sequence[tuple[int, int]],
    betas: np.ndarray,
) -> list[DyadRisk]:
    """Each pair's probabilities under both designs, their intervals and what changed."""
    features = base.spec.features
    ii, jj = base.positions(pairs)
    xb, xs = base.rows(ii, jj), scen.rows(ii, jj)
    pb, ps = proba_draws(with_const(xb), betas), proba_draws(with_const(xs), betas)
    p0b, p0s = point_proba(with_const(xb), m.coef_), point_proba(with_const(xs), m.coef_)
    qb, qs = central_interval(pb, LEVEL), central_interval(ps, LEVEL)
    qd = central_interval(ps - pb, LEVEL)
    out = []
    for r, (a, b) in enumerate(pairs):
        changed = {
            f: [_f(xb[r, k]), _f(xs[r, k])]
            for k, f in enumerate(features)
            if not (xb[r, k] == xs[r, k] or (np.isnan(xb[r, k]) and np.isnan(xs[r, k])))
        }
        missing = [f for k, f in enumerate(features) if np.isnan(xb[r, k] + xs[r, k])]
        out.append(
            DyadRisk(
                a,
                b,
                _f(p0b[r]),
                _f(qb[0][r]),
                _f(qb[1][r]),
                _f(p0s[r]),
                _f(qs[0][r]),
                _f(qs[1][r]),
                _f(p0s[r] - p0b[r]),
                _f(qd[0][r]),
                _f(qd[1][r]),
                changed,
                list(base.carried),
                missing,
            )
        )
    return out


def expected_events(
    m: ConflictRiskModel,
    base: YearDesign,
    scen: YearDesign,
    pairs: Sequence[tuple[int, int]],
    betas: np.ndarray,
    chunk: int = 4096,
) -> tuple[ExpectedEvents, np.ndarray]:
    """The expected number of events among ``pairs`` under both designs (the sum of their
    probabilities; per draw for the intervals, in chunks of rows so memory stays bounded),
    and each pair's change of probability at the point estimate."""
    ii, jj = base.positions(pairs)
    sums_b, sums_s = np.zeros(len(betas)), np.zeros(len(betas))
    deltas = np.full(len(ii), np.nan)
    point_b = point_s = 0.0
    missing = 0
    for lo in range(0, len(ii), chunk):
        i, j = ii[lo : lo + chunk], jj[lo : lo + chunk]
        xb, xs = with_const(base.rows(i, j)), with_const(scen.rows(i, j))
        ok = np.isfinite(xb).all(axis=1) & np.isfinite(xs).all(axis=1)
        missing += int((~ok).sum())
        xb, xs = xb[ok], xs[ok]
        sums_b += proba_draws(xb, betas).sum(axis=0)
        sums_s += proba_draws(xs, betas).sum(axis=0)
        p0b, p0s = point_proba(xb, m.coef_), point_proba(xs, m.coef_)
        point_b, point_s = point_b + float(p0b.sum()), point_s + float(p0s.sum())
        deltas[lo : lo + chunk][ok] = p0s - p0b
    qb, qs = central_interval(sums_b[None, :], LEVEL), central_interval(sums_s[None, :], LEVEL)
    qd = central_interval((sums_s - sums_b)[None, :], LEVEL)
    total = ExpectedEvents(
        len(ii) - missing,
        missing,
        point_b,
        float(qb[0][0]),
        float(qb[1][0]),
        point_s,
        float(qs[0][0]),
        float(qs[1][0]),
        point_s - point_b,
        float(qd[0][0]),
        float(qd[1][0]),
    )
    return total, deltas


def _all_pairs(n: int, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    keep = ii != jj if directed else ii < jj
    return ii[keep], jj[keep]


def differs(xb: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Per row, whether two design matrices differ (NaN equal to NaN)."""
    same = (xb == xs) | (np.isnan(xb) & np.isnan(xs))
    return ~same.all(axis=1)


def changed_dyads(base: YearDesign, scen: YearDesign) -> list[tuple[int, int]]:
    """Every dyad of the year (directed or not, as the specification) whose design row
    differs between the two designs, as code pairs sorted by position."""
    ii, jj = _all_pairs(len(base.alliances.codes), base.spec.directed)
    hit = differs(base.rows(ii, jj), scen.rows(ii, jj))
    codes = base.alliances.codes
    return [(int(codes[i]), int(codes[j])) for i, j in zip(ii[hit], jj[hit], strict=True)]


def affected_dyads(
    baseline: World, scenario: World, year: int, *, spec: str = DEFAULT_SPEC
) -> list[tuple[int, int]]:
    """Every dyad (directed ``(challenger, target)`` for ``leeds2003``; ``(a, b)`` with
    ``a < b`` for ``bremer1992``) whose design differs between the worlds in ``year``: an
    alliance term or S (or, with capability changes, a covariate), sorted by code."""
    sp = check_spec(spec)
    baseline, scenario = resolve_world(baseline), resolve_world(scenario)
    year = scenario.check_year(baseline.check_year(year))
    base = year_design(baseline, year, sp)
    return changed_dyads(base, scenario_design(base, scenario, baseline))


def rows(result: ConflictRiskResult) -> list[dict[str, Any]]:
    """The long-table rows of a scenario result: one per dyad (the difference's interval as
    ``lo``, ``hi``), then the expected number of events among all the affected dyads."""
    directed = SPECS[result.spec].directed
    measure = "p_initiation" if directed else "p_onset"
    out = [
        {
            "consequence": "conflict_risk",
            "item": f"{d.challenger}->{d.target}",
            "measure": measure,
            "baseline": d.baseline,
            "scenario": d.scenario,
            "delta": d.delta,
            "lo": d.delta_lo,
            "hi": d.delta_hi,
        }
        for d in result.dyads
    ]
    t = result.total
    if t is not None and t.n_dyads:
        out.append(
            {
                "consequence": "conflict_risk",
                "item": f"{t.n_dyads} affected dyads",
                "measure": "expected_initiations" if directed else "expected_onsets",
                "baseline": t.baseline,
                "scenario": t.scenario,
                "delta": t.delta,
                "lo": t.delta_lo,
                "hi": t.delta_hi,
            }
        )
    return out
