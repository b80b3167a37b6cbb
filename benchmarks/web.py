"""Benchmark the web API under a bounded load on 127.0.0.1.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.web \
          [--clients 20] [--requests 200] [--port 8765]

Starts `foedus serve` in its own process (the user's cache: run a brief once first so the
models are fitted), warms each endpoint (the network endpoint: every year once; the others:
one request, which may fit models), then for each of the network, forecast and brief
endpoints sends a fixed number of requests from `--clients` concurrent clients and prints the
p50 and p95 latency, the throughput and the status codes. The network
requests walk through the years (a year slider); the target is a warm p95 <= 200 ms. Printed,
not asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

TARGET_NETWORK_P95_MS = 200.0


def _get(url: str) -> tuple[float, int]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as r:
            r.read()
            code = r.status
    except urllib.error.HTTPError as e:
        code = e.code
    return (time.perf_counter() - t) * 1000, code


def _load(urls: list[str], clients: int) -> tuple[list[float], Counter, float]:
    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(_get, urls))
    wall = time.perf_counter() - t
    return [ms for ms, _ in results], Counter(code for _, code in results), wall


def _pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=200, help="network requests (fewer below)")
    ap.add_argument("--port", type=int, default=8765)
    a = ap.parse_args()
    base = f"http://127.0.0.1:{a.port}/api"
    server = subprocess.Popen(
        [sys.executable, "-m", "foedus", "serve", "--port", str(a.port)],
        env=dict(os.environ),
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                _get(f"{base}/health")
                break
            except OSError:
                time.sleep(0.2)
        cases = {
            "network": [f"{base}/network/{1816 + i % 203}" for i in range(a.requests)],
            "forecast": [
                f"{base}/forecast?a=RUS&b=CHN&first=2015&last=2021" for _ in range(a.requests // 4)
            ],
            "brief": [
                f"{base}/brief?states=RUS&states=CHN&year=2021&draws=100"
                for _ in range(max(a.clients, a.requests // 20))
            ],
        }
        for name, urls in cases.items():
            t = time.perf_counter()
            _, codes = _load(urls if name == "network" else urls[:1], a.clients)[:2]
            warm_ms = (time.perf_counter() - t) * 1000  # data loaded, models fitted, graphs built
            code = ",".join(str(c) for c in codes)
            ms, codes, wall = _load(urls, a.clients)
            p50, p95 = _pct(ms, 50), _pct(ms, 95)
            note = ""
            if name == "network":
                met = "met" if p95 <= TARGET_NETWORK_P95_MS else "missed"
                note = f" (target p95 <= {TARGET_NETWORK_P95_MS:.0f} ms: {met})"
            print(
                f"{name}: {len(urls)} requests, {a.clients} clients: p50 {p50:.0f} ms, "
                f"p95 {p95:.0f} ms{note}; {len(urls) / wall:.1f} requests/s; "
                f"status {dict(codes)}; warm-up {warm_ms / 1000:.1f} s ({code})"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
