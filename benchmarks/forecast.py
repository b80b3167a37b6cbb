"""Benchmark `foedus forecast` on a cold and on a warm forecast cache.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.forecast [--runs 3] \
          [-- forecast arguments, default: Russia China --years 2015-2026]

Each run is a fresh process: `uv run foedus forecast ...` (`python -m foedus` without uv).
The cold run has FOEDUS_CACHE_DIR pointed at a new temporary directory: it parses the data
sets, builds the formation panel and fits every model, and keeps them in the cache. The warm
runs use that same directory: they read the panel and the models from the cache. Prints the
wall time of each run, whether it fitted, whether the warm forecasts equal the cold ones, and
the time of the process start-up alone (`foedus --help`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from benchmarks.common import run_foedus

DEFAULT = ["Russia", "China", "--years", "2015-2026"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="warm runs")
    ap.add_argument("forecast_args", nargs="*", help="arguments of foedus forecast")
    args = ap.parse_args()
    if not os.environ.get("FOEDUS_DATA_DIR"):
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    fargs = ["forecast", *(args.forecast_args or DEFAULT)]
    cache = tempfile.mkdtemp(prefix="foedus-bench-forecast-")
    env = {**os.environ, "FOEDUS_CACHE_DIR": cache, "FOEDUS_OFFLINE": "1", "COLUMNS": "120"}
    print(f"command: foedus {' '.join(fargs)}  (FOEDUS_CACHE_DIR={cache})")
    startup, _ = run_foedus(["--help"], env)
    print(f"process start-up (foedus --help): {startup:.2f} s")
    cold, rc = run_foedus(fargs, env)
    fitted = "fitting" in rc.stderr
    print(f"cold (empty cache: parse, build the panel, fit): {cold:.2f} s; fitted: {fitted}")
    warm = []
    for i in range(args.runs):
        dt, rw = run_foedus(fargs, env)
        warm.append(dt)
        refit = "fitting" in rw.stderr or "building" in rw.stderr
        print(
            f"warm run {i + 1}: {dt:.2f} s; rebuilt or refitted: {refit}; "
            f"forecasts equal to the cold run's: {rw.stdout == rc.stdout}"
        )
    print(
        f"warm: median {statistics.median(warm):.2f} s, best {min(warm):.2f} s "
        f"(cold / warm median: {cold / statistics.median(warm):.1f}x)"
    )


if __name__ == "__main__":
    main()
