"""Benchmark the data layer: verification, cold parsing and warm (Parquet-cached) loads.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python benchmarks/data.py
Prints wall time per data set and in total, and peak resident memory. Uses a fresh temporary
cache so the "cold" figures include parsing and the "warm" ones only the cached Parquet read.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time

os.environ["FOEDUS_CACHE_DIR"] = tempfile.mkdtemp(prefix="foedus-bench-")
os.environ.setdefault("FOEDUS_OFFLINE", "1")

from foedus import catalog, countries, loaders


def main() -> None:
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    dss = list(catalog.datasets().values())
    t0 = time.perf_counter()
    statuses = [catalog.status(d) for d in dss]
    t_verify = time.perf_counter() - t0
    n_bytes = sum(d.size for d in dss)
    print(
        f"verify sha256 of {len(dss)} files ({n_bytes / 1e6:.1f} MB): {t_verify:.3f} s; "
        f"{sum(bool(s.verified) for s in statuses)} verified"
    )

    print(f"{'data set':30s} {'rows':>10s} {'cold s':>8s} {'warm s':>8s}")
    cold_total = warm_total = 0.0
    for d in dss:
        t = time.perf_counter()
        df = loaders.load(d)  # parses and writes the Parquet frame cache
        cold = time.perf_counter() - t
        t = time.perf_counter()
        loaders.load(d)  # reads the cached frame
        warm = time.perf_counter() - t
        cold_total += cold
        warm_total += warm
        print(f"{d.name:30s} {df.height:>10,} {cold:>8.3f} {warm:>8.3f}")
    print(f"{'total':30s} {'':>10s} {cold_total:>8.3f} {warm_total:>8.3f}")

    t = time.perf_counter()
    idx = countries.index()
    t_index = time.perf_counter() - t
    t = time.perf_counter()
    for q in ("Russia", "RUS", "365", "Soviet Union", "Germany", "CHN", "United States") * 100:
        idx.resolve(q, 1990)
    t_resolve = (time.perf_counter() - t) / 700
    print(
        f"country index build (warm frames): {t_index:.3f} s; one resolution: "
        f"{t_resolve * 1e6:.0f} µs"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
