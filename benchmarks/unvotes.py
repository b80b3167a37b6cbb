"""Benchmark UN General Assembly voting agreement for all COW dyad-years.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.unvotes

Maps all 870,109 recorded unvotes votes to COW codes and computes n_joint, agree, agree3 and
Cohen's kappa for every directed pair of COW states voting in a year, 1946-2019, after a
warm-up run; then the same restricted to one issue (Palestinian conflict). Prints wall time
(median and minimum of 3 runs) and peak resident memory (sampled every 2 ms).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")

from benchmarks.panels import PeakSampler
from foedus import catalog
from foedus.measures.unvotes import unvote_ccodes, vote_agreement


def timed(fn, runs: int = 3):
    times, peaks = [], []
    for _ in range(runs):
        with PeakSampler() as s:
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        peaks.append(s.peak)
    return out, times, peaks


def report(label: str, times: list[float], peaks: list[float]) -> None:
    print(
        f"{label}: wall time median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s; peak RSS {max(peaks):.0f} MB"
    )


def main() -> None:
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    vote_agreement(1990)  # warm imports, the resolver and the parsed-frame cache
    m, times, peaks = timed(unvote_ccodes)
    print(f"{m.height} country spells, {m['votes'].sum():,} votes mapped or accounted for")
    report("country mapping", times, peaks)
    out, times, peaks = timed(lambda: vote_agreement(directed=True))
    print(
        f"{out.height:,} directed dyad-years {out['year'].min()}-{out['year'].max()}, "
        f"measures: {', '.join(out.columns[3:])}"
    )
    report("all issues", times, peaks)
    me, times, peaks = timed(lambda: vote_agreement(issue="me", directed=True))
    print(f"{me.height:,} directed dyad-years on the Palestinian conflict")
    report("one issue", times, peaks)


if __name__ == "__main__":
    main()
