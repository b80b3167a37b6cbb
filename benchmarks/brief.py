"""Benchmark `foedus brief`, cold and warm, on the four briefs the tests open in a browser.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.brief [--runs 3] \
          [--format html|md|json] [--user-cache]

Each run is a fresh process (`uv run foedus brief ... -o FILE`), as a user runs it. By default
the first run uses a new, empty FOEDUS_CACHE_DIR (every data set parsed, the formation models,
the backtest summary and the conflict-risk model fitted and kept: the cold run); the warm runs
reuse that cache. `--user-cache` skips the cold run and times the user's own cache. Prints the
wall time of each run, the median of the warm runs against the target (10 s on two cores) and
the size of the document. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks.common import run_foedus

TARGET = 10.0
BRIEFS = (
    ["RUS", "CHN", "--year", "2021"],
    ["USA", "JPN", "--year", "1960"],
    ["RUS", "CHN", "PRK", "--year", "2021"],
    ["UKG", "FRN", "--year", "1910"],  # before the formation model's years: no forecast
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="warm runs per brief")
    ap.add_argument("--format", default="html", choices=["html", "md", "json"])
    ap.add_argument("--user-cache", action="store_true", help="time the user's cache, no cold run")
    a = ap.parse_args()
    cache = None if a.user_cache else tempfile.mkdtemp(prefix="foedus-bench-")
    env = dict(os.environ) if cache is None else {**os.environ, "FOEDUS_CACHE_DIR": cache}
    out = Path(tempfile.mkdtemp(prefix="foedus-brief-"))
    try:
        for i, brief in enumerate(BRIEFS):
            doc = out / f"brief-{i}.{a.format}"
            args = ["brief", *brief, "-o", str(doc)]
            cold = None
            if cache is not None and i == 0:
                cold, _ = run_foedus(args, env)
            warm = [run_foedus(args, env)[0] for _ in range(a.runs)]
            med = statistics.median(warm)
            print(
                f"foedus brief {' '.join(brief)}: "
                + (f"cold {cold:.1f} s; " if cold is not None else "")
                + "warm "
                + ", ".join(f"{w:.1f}" for w in warm)
                + f" s; median {med:.1f} s (target <= {TARGET:.0f} s: "
                + ("met" if med <= TARGET else "missed")
                + f"); {doc.stat().st_size / 1e6:.2f} MB of {a.format}"
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
