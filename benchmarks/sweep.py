"""Benchmark a scenario sweep with the conflict-risk consequence: 10,000 scenarios x 1,000
Monte Carlo draws on two cores (the target is at most 2 minutes).

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.sweep \
          [--year 2021] [--scenarios 10000] [--draws 1000] [--workers 2] [--sample 500]

The scenarios are new defence pacts between two system members of the year, strongest pairs
first (by CINC share, pairs that already have the pledge left out): each item is what
``foedus scenario sweep pacts`` evaluates (bloc shares, capability gains, indirect ties and the
conflict-risk columns: the expected MID initiations among every dyad the pact affects, before
and after, with the interval over the draws). Prints the time to build the year's context
(the conflict-risk model from the cache, fitted first if the cache is empty), ``--sample``
scenarios in this process (one core), then all of them on a local Dask cluster of
``--workers`` processes (its start-up included), and checks that the cluster's rows equal the
in-process ones. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")

import polars as pl

from foedus import catalog
from foedus.scenarios import executor
from foedus.scenarios.sweep import evaluate_pledges, year_context

TARGET = 120.0


def pact_items(ctx, n: int) -> list[dict]:
    """Up to ``n`` new defence pacts, strongest pairs first (by the sum of CINC shares)."""
    states = sorted((c for c in ctx.allies if c in ctx.share), key=lambda c: -ctx.share[c])
    pairs = [
        (a, b)
        for i, a in enumerate(states)
        for b in states[i + 1 :]
        if b not in ctx.allies.get(a, frozenset())
    ]
    pairs.sort(key=lambda p: -(ctx.share[p[0]] + ctx.share[p[1]]))
    return [
        {"kind": "add", "a": a, "b": b, "pledge": ctx.pledge, "year": ctx.year}
        for a, b in pairs[:n]
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=int, default=500, help="scenarios run in this process")
    a = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")

    t = time.perf_counter()
    ctx = year_context(a.year, conflict_risk=True, draws=a.draws, seed=0)
    print(
        f"context of {a.year} (alliances, shares, conflict-risk design and draws): "
        f"{time.perf_counter() - t:.1f} s"
    )
    items = pact_items(ctx, a.scenarios)
    print(f"{len(items):,} scenarios (new defence pacts), {a.draws:,} draws each")

    sample = items[: a.sample]
    t = time.perf_counter()
    local = executor.results_frame(
        executor.run_sweep(evaluate_pledges, sample, root_seed=0, context=ctx)
    )
    dt = time.perf_counter() - t
    per = dt / len(sample)
    dyads = local["cr_dyads"].mean()
    print(
        f"in this process: {len(sample)} scenarios in {dt:.1f} s, {per * 1000:.1f} ms each "
        f"({dyads:.0f} affected dyads x {a.draws} draws); {len(items):,} on one core would "
        f"take {per * len(items):.0f} s"
    )

    t = time.perf_counter()
    res = executor.run_sweep(evaluate_pledges, items, root_seed=0, context=ctx, n_workers=a.workers)
    wall = time.perf_counter() - t
    frame = executor.results_frame(res)
    verdict = "within" if wall <= TARGET else "over"
    print(
        f"local Dask cluster of {a.workers} workers: {len(items):,} scenarios in {wall:.1f} s "
        f"(cluster start-up included; target {TARGET:.0f} s: {verdict}); "
        f"{wall / len(items) * 1000:.1f} ms a scenario"
    )
    cols = [c for c in local.columns if c != "task_index"]
    same = frame.head(len(sample)).select(cols).equals(local.select(cols))
    print(f"the cluster's first {len(sample)} rows equal the in-process rows: {same}")
    top = frame.sort("cr_expected_delta", descending=True).head(5)
    print("largest rises in expected MID initiations:")
    print(
        top.select(
            "a",
            "b",
            "cr_dyads",
            "cr_expected",
            "cr_expected_delta",
            "cr_expected_delta_lo",
            "cr_expected_delta_hi",
            "cr_top_dyad",
        ).with_columns(pl.col(pl.Float64).round(4))
    )


if __name__ == "__main__":
    main()
