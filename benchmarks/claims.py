"""Benchmark the claims ledger: writes, reads, scoring, resolution from data, the model's
probabilities, and drafting from text.

Run:  FOEDUS_DATA_DIR=/data/foedus-mirror uv run python -m benchmarks.claims [--claims 2000]

In a new SQLite ledger (and, with FOEDUS_TEST_POSTGRES_URL set, a PostgreSQL database):
opening a new ledger (schema migrations and the example claims), adding ``--claims``
synthetic claims one transaction each and then in one transaction, listing and scoring them,
resolving the example ledger from ATOP and the treaty file, the model's probabilities for the
example claims (cold: an empty cache, fits included; warm: the same again), and extracting
drafts from a long synthetic article. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("FOEDUS_OFFLINE", "1")
os.environ.setdefault("FOEDUS_CACHE_DIR", tempfile.mkdtemp(prefix="foedus-bench-claims-"))

from foedus import catalog
from foedus.claims.claim import parse_claim
from foedus.claims.examples import example_claims
from foedus.claims.extract import extract_claims
from foedus.claims.ledger import open_ledger
from foedus.claims.model_view import model_probabilities
from foedus.claims.resolve import resolve_from_data
from foedus.claims.scoring import score_claims
from foedus.prospects.treaties import read_treaties

ROOT = Path(__file__).parents[1]


def synthetic(n: int, offset: int = 0):
    return [
        parse_claim(
            {
                "author": f"Author {i + offset}",
                "outlet": f"Outlet {i % 17}",
                "url": f"https://example.org/{i + offset}",
                "published": "2021-02-15",
                "paraphrase": "Russia and China will form an alliance.",
                "condition": {
                    "event": "new_pledge",
                    "parties": [365, 710],
                    "window_end": "2022-12-31",
                },
                "probability": (i % 99 + 1) / 100,
                "resolution": {"status": "no", "resolved_on": "2022-12-31", "evidence": "x"},
            }
        )
        for i in range(n)
    ]


def ledger_figures(url: str, n: int) -> None:
    t = time.perf_counter()
    led = open_ledger(url)
    print(
        f"  open a new ledger (migrations + {led.info().n_claims} examples): "
        f"{time.perf_counter() - t:.2f} s"
    )
    items = synthetic(n)
    t = time.perf_counter()
    for c in items[: n // 10]:
        led.add(c)
    dt = time.perf_counter() - t
    print(
        f"  add, one transaction each: {n // 10} claims in {dt:.2f} s "
        f"({dt / (n // 10) * 1000:.1f} ms a claim)"
    )
    t = time.perf_counter()
    led.add_many(synthetic(n, offset=n))
    print(f"  add_many, one transaction: {n} claims in {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    got = led.claims()
    print(f"  list {len(got)} claims: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    s = score_claims(got)
    print(f"  score them: {time.perf_counter() - t:.3f} s ({s.n_scored} scored)")
    led.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=2000)
    a = ap.parse_args()
    if catalog.Settings.from_env().data_dir is None:
        sys.exit("set FOEDUS_DATA_DIR to the data mirror (e.g. /data/foedus-mirror)")
    d = tempfile.mkdtemp(prefix="foedus-bench-ledger-")
    print("SQLite:")
    ledger_figures(f"sqlite:///{d}/claims.sqlite", a.claims)
    pg = os.environ.get("FOEDUS_TEST_POSTGRES_URL")
    if pg:
        print("PostgreSQL:")
        ledger_figures(pg, a.claims)
    examples = [replace(c, id=i + 1) for i, c in enumerate(example_claims())]
    treaties = read_treaties(ROOT / "examples" / "treaties.csv")
    t = time.perf_counter()
    decided = [resolve_from_data(c, treaties=treaties) for c in examples]
    n = sum(v.resolution is not None for v in decided)
    print(
        f"resolution from data, {len(examples)} example claims: "
        f"{time.perf_counter() - t:.2f} s ({n} decided)"
    )
    for label in ("cold (fits and panels built)", "warm (from the cache)"):
        t = time.perf_counter()
        m = model_probabilities(examples, treaties=treaties)
        k = sum(v.probability is not None for v in m.values())
        print(f"model probabilities, {label}: {time.perf_counter() - t:.1f} s ({k} claims)")
    text = (
        "Experts in Moscow say Russia and China will most likely conclude an official military "
        "alliance this year or, at the latest, in 2022. The weather was fine. "
    ) * 500
    t = time.perf_counter()
    ex = extract_claims(text, published=None)
    print(
        f"extract from a {len(text) // 1000} kB article: {time.perf_counter() - t:.2f} s "
        f"({len(ex.drafts)} drafts)"
    )


if __name__ == "__main__":
    main()
