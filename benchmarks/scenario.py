"""Benchmark `foedus scenario run` on the example scenarios, cold and warm.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.scenario [--runs 3] \
          [FILE ...]   (default: examples/scenarios/rus-chn-2021.toml)

Each run is a fresh process (`uv run foedus scenario run FILE --json`), as a user runs it. The
first run uses a new, empty FOEDUS_CACHE_DIR (every data set parsed, any model fitted and
kept); the warm runs reuse that cache. Prints the wall time of each run, the median of the
warm runs against the target (10 s), and each consequence's own time from the last run.
Printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks.common import run_foedus

TARGET = 10.0
DEFAULT = Path(__file__).parents[1] / "examples" / "scenarios" / "rus-chn-2021.toml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    ap.add_argument("--runs", type=int, default=3, help="warm runs per file")
    a = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="foedus-bench-")
    env = {**os.environ, "FOEDUS_CACHE_DIR": cache}
    try:
        for f in a.files:
            args = ["scenario", "run", str(f), "--json"]
            cold, _ = run_foedus(args, env)
            warm = []
            last = None
            for _ in range(a.runs):
                dt, last = run_foedus(args, env)
                warm.append(dt)
            med = statistics.median(warm)
            print(
                f"{f.name}: cold {cold:.1f} s; warm "
                + ", ".join(f"{w:.1f}" for w in warm)
                + f" s; median {med:.1f} s (target <= {TARGET:.0f} s: "
                + ("met" if med <= TARGET else "missed")
                + ")"
            )
            if last is not None:
                t = json.loads(last.stdout)["timings"]
                print("  inside the last run: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
