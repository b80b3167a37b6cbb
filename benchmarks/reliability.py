"""Benchmark what reliability costs: checking cached frames on every read, checking the whole
cache (``foedus data verify``), atomic writes, and the command line's start-up.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.reliability
Prints wall times (median of ``--repeat`` runs) with and without each safeguard, on a fresh
temporary cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["FOEDUS_CACHE_DIR"] = tempfile.mkdtemp(prefix="foedus-bench-rel-")
os.environ.setdefault("FOEDUS_OFFLINE", "1")

import polars as pl

from foedus import catalog, files, loaders, maintenance


def _median(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    dss = list(catalog.datasets().values())
    for d in dss:  # fill the frame cache
        loaders.load(d)
    frames = catalog.Settings.from_env().frames_dir
    parquet = sorted(frames.glob("*.parquet"))
    size = sum(p.stat().st_size for p in parquet)

    verified = _median(lambda: [loaders.load(d) for d in dss], args.repeat)
    raw = _median(lambda: [pl.read_parquet(p) for p in parquet], args.repeat)
    print(
        f"warm load of all {len(dss)} data sets ({size / 1e6:.1f} MB of Parquet): "
        f"{verified:.3f} s with every frame's sha256 checked on read, {raw:.3f} s reading the "
        f"Parquet files unchecked (overhead {verified - raw:+.3f} s)"
    )
    check = _median(maintenance.check_cache, args.repeat)
    print(f"check every derived file against its manifest (data verify's part): {check:.3f} s")

    from foedus.panels import dyad_years

    panel = dyad_years()
    out = Path(tempfile.mkdtemp(prefix="foedus-bench-out-"))
    atomic = _median(lambda: files.write_with(out / "a.parquet", panel.write_parquet), 3)
    plain = _median(lambda: panel.write_parquet(out / "b.parquet"), 3)
    print(
        f"write the directed COW panel ({panel.height:,} rows) as Parquet: atomic (partial file, "
        f"fsync, rename) {atomic:.3f} s, plain {plain:.3f} s"
    )
    cli = _median(
        lambda: subprocess.run(
            [sys.executable, "-m", "foedus", "--version"], check=True, capture_output=True
        ),
        args.repeat,
    )
    print(f"command-line start-up (`foedus --version`, fresh process): {cli:.3f} s")


if __name__ == "__main__":
    main()
