"""Benchmark the standard dyad-year pipeline (issue: panels with the standard enrichers).

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python benchmarks/panels.py [--repeat 3]

Builds directed COW dyad-years 1816 through the assumed end of open membership spells, then
adds ATOP alliances, capabilities, major powers, contiguity, minimum distance, capital
distance, democracy, COW-MID disputes and peace years. Then times the same pipeline as one
whole ``foedus panel dyad-years --add ... -o panel.parquet`` process (Python start-up and the
Parquet write included), the way a user runs it. Each run is a fresh Python process (so every run
pays for first-touch memory, as a user's session does); a first, untimed run warms the
parsed-frame cache on disk. Prints the median and minimum wall time of each step over the
runs, and the peak resident memory of the process (sampled every 2 ms while a step runs;
imports included) for each step and in total.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")

import polars as pl

import foedus as fd
from foedus import catalog

PAGE = os.sysconf("SC_PAGE_SIZE")

#: Figures for peacesciencer quoted in the issue for this class of machine (not measured
#: here: peacesciencer is on CRAN, which this machine cannot reach).
PEACESCIENCER_S = {
    "create dyad-years": 4.3,
    "capital distance": 8.7,
    "peace years": 12.0,
    "total": 29.0,
}

STEPS = [
    ("create dyad-years", lambda _: fd.dyad_years()),
    ("ATOP alliances", fd.add_atop_alliance),
    ("capabilities (NMC)", fd.add_nmc),
    ("major powers", fd.add_cow_majors),
    ("contiguity", fd.add_contiguity),
    ("minimum distance", fd.add_minimum_distance),
    ("capital distance", fd.add_capital_distance),
    ("democracy", fd.add_democracy),
    ("COW-MID disputes", fd.add_cow_mids),
    ("peace years", fd.add_peace_years),
]


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class PeakSampler:
    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.002)

    def __enter__(self) -> PeakSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, rss_mb())


def run_once() -> tuple[pl.DataFrame, list[tuple[str, float, float]]]:
    df = None
    rows = []
    for name, step in STEPS:
        with PeakSampler() as s:
            t = time.perf_counter()
            df = step(df)
            dt = time.perf_counter() - t
        rows.append((name, dt, s.peak))
    return df, rows


def child() -> None:
    """One timed run in this process; prints its figures as JSON."""
    df, rows = run_once()
    print(
        json.dumps(
            {
                "rows": rows,
                "height": df.height,
                "width": df.width,
                "mb": df.estimated_size() / 2**20,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="timed runs after the warm-up run")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    if args.child:
        child()
        return
    print(
        f"polars {pl.__version__}, {pl.thread_pool_size()} threads, {os.cpu_count()} CPUs; "
        f"{args.repeat} runs, each in a fresh process"
    )

    def one() -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    one()  # warm-up: parsed-frame cache on disk
    fresh = [one() for _ in range(args.repeat)]
    run_once()  # this process: warm imports and memory
    warm = []
    for _ in range(args.repeat):
        df, rows = run_once()
        warm.append(
            {
                "rows": rows,
                "height": df.height,
                "width": df.width,
                "mb": df.estimated_size() / 2**20,
            }
        )
        del df
    r0 = fresh[-1]
    print(
        f"panel: {r0['height']:,} directed dyad-years x {r0['width']} columns, "
        f"{r0['mb']:.0f} MB in memory"
    )
    report("fresh process (each run a new Python process: pays first-touch memory)", fresh)
    report("warm process (runs repeated in one process after a warm-up run)", warm)
    whole = [cli_once() for _ in range(args.repeat)]
    print(
        f"\nwhole process: foedus panel dyad-years --add {CLI_ADD} -o panel.parquet\n"
        f"  wall median {statistics.median(whole):.2f} s, min {min(whole):.2f} s "
        f"({args.repeat} runs; start-up alone: {statistics.median(startup()):.2f} s for "
        "foedus --version)"
    )
    print(
        "\npeacesciencer figures are those quoted in the issue for this class of machine, "
        "not measured here (CRAN is unreachable from this machine)."
    )


CLI_ADD = "atop,nmc,majors,contiguity,mindist,capdist,democracy,cow_mids,peace_years"
FOEDUS = os.path.join(os.path.dirname(sys.executable), "foedus")


def cli_once() -> float:
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        subprocess.run(
            [FOEDUS, "panel", "dyad-years", "--add", CLI_ADD, "-o", os.path.join(d, "p.parquet")],
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - t


def startup() -> list[float]:
    out = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([FOEDUS, "--version"], capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def report(title: str, runs: list[dict]) -> None:
    print(
        f"\n{title}\n{'step':24s} {'median s':>9s} {'min s':>7s} {'peak RSS MB':>12s} "
        f"{'peacesciencer s':>16s}"
    )
    totals = [sum(dt for _, dt, _ in r["rows"]) for r in runs]
    for i, (name, _) in enumerate(STEPS):
        times = [r["rows"][i][1] for r in runs]
        peak = max(r["rows"][i][2] for r in runs)
        ref = PEACESCIENCER_S.get(name)
        print(
            f"{name:24s} {statistics.median(times):9.3f} {min(times):7.3f} {peak:12.0f} "
            f"{ref if ref is not None else '':>16}"
        )
    peak_all = max(p for r in runs for _, _, p in r["rows"])
    med = statistics.median(totals)
    print(
        f"{'total':24s} {med:9.3f} {min(totals):7.3f} {peak_all:12.0f} "
        f"{PEACESCIENCER_S['total']:>16}"
    )
    print(f"speed-up against the quoted peacesciencer total: {PEACESCIENCER_S['total'] / med:.0f}x")


if __name__ == "__main__":
    main()
