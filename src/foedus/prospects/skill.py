"""The formation model's skill in one line: the pooled scores of its yearly rolling-origin
backtest (:func:`foedus.prospects.backtest.backtest`, every year forecast by a model fitted
only on the years before), kept in the user cache.

The backtest of the default model over :data:`SKILL_YEARS` takes about 40 seconds on two
cores; its summary (a few numbers) is stored under ``<cache>/backtests`` keyed like the
model cache (:mod:`foedus.prospects.cache`: the model, the years, the sha256 of every data
set and the environment, foedus's code included), so later briefs read it. docs/brief.md,
"Prospects".
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from foedus import catalog
from foedus.derived import DerivedStore
from foedus.prospects.cache import (
    ENTRY_VERSION,
    data_vintages,
    environment,
    key_digest,
    key_is_current,
)
from foedus.prospects.data import ATOP_LAST, FEATURES
from foedus.prospects.forecast import FIRST_TRAINING_YEAR, PANEL_DATASETS
from foedus.prospects.models import DEFAULT_KIND

__all__ = ["SKILL_ENTRY", "SKILL_YEARS", "backtest_skill", "skill_is_current", "skill_store"]

#: The backtest's years: from 1960 (fourteen years of training data) to ATOP's last year.
SKILL_YEARS = (1960, ATOP_LAST)
SKILL_ENTRY = "foedus-backtest-skill/1"


def skill_store(settings: catalog.Settings | None = None) -> DerivedStore:
    """The backtest summaries' cache, ``<cache>/backtests``."""
    s = settings or catalog.Settings.from_env()
    return DerivedStore(s.cache_dir / "backtests", "backtest")


def skill_is_current(manifest: dict[str, Any]) -> str | None:
    """None if a cached backtest summary could be served today, else why not."""
    return key_is_current(manifest, SKILL_ENTRY)


def _key(kind: str, years: tuple[int, int]) -> dict[str, Any]:
    return {
        "entry": SKILL_ENTRY,
        "kind": kind,
        "features": list(FEATURES),
        "years": list(years),
        "training_from": FIRST_TRAINING_YEAR,
        "data": data_vintages(PANEL_DATASETS),
        "environment": environment(),
    }


def _finite(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def backtest_skill(
    *,
    kind: str = DEFAULT_KIND,
    cache: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The pooled backtest scores of ``kind`` over :data:`SKILL_YEARS`: ``start``, ``end``,
    ``kind``, ``n`` (dyad-years scored), ``onsets``, ``brier``, ``brier_skill`` (against the
    base rate of the years before each origin), ``log_loss``, ``roc_auc``, ``pr_auc``,
    ``count_coverage`` (share of years whose number of onsets fell inside the 90% interval)
    and ``text``, the line a reader sees. ``progress(year)`` after each origin."""
    from foedus.prospects.backtest import backtest
    from foedus.prospects.data import formation_panel

    key = _key(kind, SKILL_YEARS)
    sha = key_digest(key)
    store = skill_store()
    name = f"skill-{sha[:32]}.json"
    if cache:
        hit = store.read(name, source_sha256=sha, version=ENTRY_VERSION)
        if hit is not None:
            try:
                return json.loads(hit.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                store.damaged(name, "it is not a backtest summary")
    panel = formation_panel(years=(FIRST_TRAINING_YEAR, ATOP_LAST))
    res = backtest(panel, *SKILL_YEARS, kind=kind, baselines=True, progress=progress)
    pooled = {r["model"]: r for r in res.pooled.iter_rows(named=True)}
    m = pooled["p_model"]
    lo, hi = res.years
    out = {
        "start": lo,
        "end": hi,
        "kind": kind,
        "n": int(m["n"]),
        "onsets": int(res.predictions["onset"].sum()),
        "brier": _finite(m["brier"]),
        "brier_skill": _finite(m["brier_skill"]),
        "log_loss": _finite(m["log_loss"]),
        "roc_auc": _finite(m["roc_auc"]),
        "pr_auc": _finite(m["pr_auc"]),
        "base_log_loss": _finite(pooled["p_base"]["log_loss"]) if "p_base" in pooled else None,
        "count_coverage": _finite(res.count_coverage()),
        "skipped_years": list(res.skipped_years),
    }
    out["text"] = (
        f"In a yearly backtest {lo}-{hi} (each year forecast by a model fitted only on the years "
        f"before it; {out['n']:,} dyad-years, {out['onsets']} onsets) the model ranks onsets "
        f"above non-onsets with ROC-AUC {out['roc_auc']:.3f}, has log loss {out['log_loss']:.5f}"
        + (
            f" against the base rate's {out['base_log_loss']:.5f}"
            if out["base_log_loss"] is not None
            else ""
        )
        + f" and Brier skill {out['brier_skill']:+.3f} against the base rate."
    )
    out["how"] = f"foedus.prospects.skill.backtest_skill(kind={kind!r})"
    if cache:
        store.write(
            name,
            json.dumps(out, sort_keys=True).encode(),
            source="backtest",
            source_sha256=sha,
            version=ENTRY_VERSION,
            key=key,
        )
    return out
