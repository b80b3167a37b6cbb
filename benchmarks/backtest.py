"""Benchmark the yearly rolling-origin backtest of alliance-onset forecasts.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.backtest \
          [--models relogit,logit,firth,gbm] [--baselines]

Builds the formation panel (ATOP defence onset, undirected COW dyad-years 1946-2018), then
runs the yearly 1960-2018 rolling backtest of each model (one fit per year), printing wall
time, peak resident memory, the pooled scores (Brier, its skill against climatology, log loss,
ROC-AUC, PR-AUC, of the model and of its first stage ``p_first``) and the yearly count
calibration (how many years' observed numbers of onsets fall inside the 90% interval); with
--baselines, the default model's backtest is timed again with the three baselines fitted
alongside.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")

from benchmarks.panels import PeakSampler
from foedus import catalog
from foedus.prospects.backtest import backtest
from foedus.prospects.data import formation_panel


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="relogit,logit,firth,gbm", help="comma-separated kinds")
    ap.add_argument("--baselines", action="store_true", help="also time relogit + baselines")
    args = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    import sklearn.metrics  # noqa: F401  (import cost not counted)

    with PeakSampler() as s:
        t = time.perf_counter()
        panel = formation_panel()
        build = time.perf_counter() - t
    print(
        f"formation panel 1946-2018: {panel.height:,} dyad-years, {build:.1f} s, "
        f"peak RSS {s.peak:.0f} MB"
    )
    runs = [(k, False) for k in args.models.split(",")]
    runs += [("relogit", True)] if args.baselines else []
    for kind, base in runs:
        with PeakSampler() as s:
            t = time.perf_counter()
            res = backtest(panel, 1960, 2018, kind=kind, baselines=base)
            dt = time.perf_counter() - t
        print(
            f"{kind} backtest 1960-2018{' + baselines' if base else ''}: {dt:.1f} s "
            f"(model fits and forecasts {res.model_seconds:.1f} s), "
            f"peak RSS {s.peak:.0f} MB, {res.predictions.height:,} scored dyad-years"
        )
        for r in res.pooled.iter_rows(named=True):
            print(
                f"    {r['model']:8s} brier {r['brier']:.6f} (skill {r['brier_skill']:+.4f}) "
                f"log loss {r['log_loss']:.5f} roc-auc {r['roc_auc']:.4f} "
                f"pr-auc {r['pr_auc']:.4f}"
            )
        c = res.counts
        if c is not None and c.height:
            has = c["inside"].drop_nulls()
            print(
                f"    yearly onset counts inside the 90% interval: {int(has.sum())} of "
                f"{has.len()} years ({res.count_coverage():.0%}; negative binomial, second "
                f"stage); independent dyads: {int(c['indep_inside'].sum())} of {c.height} "
                f"({float(c['indep_inside'].mean()):.0%})"  # type: ignore[arg-type]
            )


if __name__ == "__main__":
    main()
