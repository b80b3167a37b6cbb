"""Benchmark alliance-portfolio similarity for all COW dyad-years.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.similarity

Computes tau-b, S (unweighted, squared, capability-weighted), Cohen's kappa and Scott's pi from
ATOP 5.1 valued portfolios for every directed COW dyad-year 1816-2018, after a warm-up run,
and prints wall time and peak resident memory (sampled every 2 ms). The R build of the same
family of measures is quoted in the issue at about 9,750 s in parallel (not measured here).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("FOEDUS_OFFLINE", "1")

from benchmarks.panels import PeakSampler
from foedus import catalog
from foedus.measures import similarity


def main() -> None:
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    similarity("atop", years=(1816, 1830))  # warm imports and the parsed-frame cache
    times, peaks = [], []
    for _ in range(3):
        with PeakSampler() as s:
            t = time.perf_counter()
            out = similarity("atop", years=(1816, 2018), directed=True)
            times.append(time.perf_counter() - t)
        peaks.append(s.peak)
    print(f"{out.height:,} directed dyad-years, measures: {', '.join(out.columns[3:])}")
    print(
        f"wall time: median {statistics.median(times):.2f} s, min {min(times):.2f} s; "
        f"peak RSS {max(peaks):.0f} MB"
    )
    print("quoted R build of the same family (issue): about 9,750 s in parallel")


if __name__ == "__main__":
    main()
