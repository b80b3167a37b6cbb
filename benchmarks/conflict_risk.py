"""Benchmark the conflict-risk consequence: fit, cached load, one scenario, the sweep fast path.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.conflict_risk \
          [--spec leeds2003] [--draws 1000] [--scenarios 200] [--backtest 1990]

In a new, empty FOEDUS_CACHE_DIR: the cold fit (building the fitting panel and fitting the
logit with both covariances), the cached load (the verified entry read back, as a new
process reads it), one scenario's consequence (the Russia-China defence pact of 2021 for
eight dyads: cold, with both years' designs built, then warm), and the fast path per scenario
(``evaluate_edits``: every affected dyad, ``--draws`` draws) over ``--scenarios`` random
pacts of the year's 20 strongest states, with the baseline cache and without it, and the
projected time of 10,000 scenarios on two cores. With ``--backtest YEAR``, also the rolling
backtest from YEAR to the data's end and its pooled scores. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")
os.environ.setdefault("FOEDUS_CACHE_DIR", tempfile.mkdtemp(prefix="foedus-bench-risk-"))

import numpy as np

from foedus import catalog
from foedus.consequences import conflict_backtest as cb
from foedus.consequences import conflict_design as cd
from foedus.consequences import conflict_model as cm
from foedus.consequences import conflict_risk as cr
from foedus.consequences import conflict_sweep as cs
from foedus.world import current_world

RUS, CHN = 365, 710
DYADS = [(2, 365), (365, 2), (2, 710), (710, 2), (365, 710), (710, 365), (740, 710), (2, 200)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default="leeds2003", choices=sorted(cd.SPECS))
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--backtest", type=int, default=None, metavar="YEAR")
    a = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    import statsmodels.api  # noqa: F401  (import cost not counted)

    t = time.perf_counter()
    m = cm.fitted_model(a.spec)
    print(
        f"fit (cold, panel included): {time.perf_counter() - t:.1f} s "
        f"({m.n_obs_:,} rows, {m.n_events_:,} events, {m.n_clusters_:,} dyads)"
    )
    cm.forget_loaded()  # as a new process: read the verified entry
    t = time.perf_counter()
    cm.fitted_model(a.spec)
    print(f"cached load: {(time.perf_counter() - t) * 1000:.1f} ms")

    base = current_world(through=2021)
    scen = base.with_pledge([(RUS, CHN)], "defense", 2021)
    dyads = DYADS if cd.SPECS[a.spec].directed else [(x, y) for x, y in DYADS if x < y]
    for label in ("cold", "warm"):
        t = time.perf_counter()
        r = cr.conflict_risk(base, scen, dyads, 2021, spec=a.spec, draws=a.draws, model=m)
        print(
            f"one scenario's consequence ({label}, {len(dyads)} dyads, {a.draws} draws): "
            f"{time.perf_counter() - t:.2f} s; {r.n_affected} dyads affected"
        )
        scen = base.with_pledge([(RUS, CHN)], "defense", 2021)  # a new world: designs rebuilt

    print(f"one scenario in a new process (cached model and data): {_fresh(a.spec, a.draws)}")

    ctx = cs.sweep_context(base, 2021, spec=a.spec, draws=a.draws, model=m)
    st = ctx.design.alliances
    cinc = ctx.design.covariates.get("cap_share")
    codes = st.codes
    top = codes[:20] if cinc is None else _strongest(base, codes, 20)
    rng = np.random.default_rng(0)
    edits = []
    while len(edits) < a.scenarios:
        x, y = (int(c) for c in rng.choice(top, 2, replace=False))
        # the undirected specification has only the defence term
        p = ("defense", "offense", "neutral")[
            int(rng.integers(3 if cd.SPECS[a.spec].directed else 1))
        ]
        if not (st.bits[st.pos[x], st.pos[y]] | st.bits[st.pos[y], st.pos[x]]) & cd.BITS[p]:
            edits.append((x, y, p))
    for label, mb in (("baseline cache", 256.0), ("no cache", 0.0)):
        ctx = cs.sweep_context(base, 2021, spec=a.spec, draws=a.draws, model=m, cache_mb=mb)
        t = time.perf_counter()
        rows = 0
        for e in edits:
            rows += len(cs.evaluate_edits(ctx, [e]).dyads)
        per = (time.perf_counter() - t) / len(edits)
        print(
            f"fast path ({label}): {per * 1000:.1f} ms per scenario "
            f"({rows / len(edits):.0f} affected dyads x {a.draws} draws); 10,000 scenarios "
            f"on 2 cores: {per * 10_000 / 2:.0f} s"
        )
    t = time.perf_counter()
    for e in edits:
        cs.evaluate_edits(ctx, [e], dyads=dyads)
    per = (time.perf_counter() - t) / len(edits)
    print(f"fast path ({len(dyads)} chosen dyads): {per * 1000:.2f} ms per scenario")

    if a.backtest is not None:
        t = time.perf_counter()
        bt = cb.backtest(a.spec, a.backtest)
        print(f"backtest {bt.years[0]}-{bt.years[1]}: {time.perf_counter() - t:.0f} s")
        cols = ["model", "n", "brier", "brier_skill", "log_loss", "roc_auc", "pr_auc"]
        print(bt.pooled.select(cols))


FRESH = """
import time
t0 = time.perf_counter()
from foedus.consequences import conflict_risk as cr
from foedus.world import current_world
base = current_world(through=2021)
scen = base.with_pledge([(365, 710)], "defense", 2021)
t1 = time.perf_counter()
cr.conflict_risk(base, scen, {dyads!r}, 2021, spec={spec!r}, draws={draws})
t2 = time.perf_counter()
print(f"{{t2 - t0:.2f}} s after start ({{t2 - t1:.2f}} s in conflict_risk)")
"""


def _fresh(spec: str, draws: int) -> str:
    """``conflict_risk`` timed in a new Python process with the same cache directory."""
    import subprocess

    dyads = DYADS if cd.SPECS[spec].directed else [(x, y) for x, y in DYADS if x < y]
    code = FRESH.format(dyads=dyads, spec=spec, draws=draws)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        return f"failed: {r.stderr.strip().splitlines()[-1]}"
    return f"{wall:.2f} s wall, {r.stdout.strip()}"


def _strongest(world, codes: np.ndarray, n: int) -> np.ndarray:
    import polars as pl

    from foedus.consequences.conflict_design import nmc_table

    cap = nmc_table(world, 2021).filter(pl.col("year") == 2021).sort("cinc", descending=True)
    have = set(int(c) for c in codes)
    return np.array([c for c in cap["ccode"].to_list() if c in have][:n])


if __name__ == "__main__":
    main()
