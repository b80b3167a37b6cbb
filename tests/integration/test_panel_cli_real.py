"""`foedus panel` as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import polars as pl


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args], capture_output=True, text=True, timeout=300
    )


def test_list_shows_every_enricher():
    from foedus.panels import ENRICHERS

    r = run("panel", "--list")
    assert r.returncode == 0, r.stderr
    for name in ENRICHERS:
        assert name in r.stdout


def test_dyad_years_to_parquet_csv_and_stata(tmp_path):
    for ext in ("parquet", "csv", "dta"):
        out = tmp_path / f"panel.{ext}"
        r = run(
            "panel",
            "dyad-years",
            "--from",
            "1990",
            "--to",
            "1991",
            "--undirected",
            "--add",
            "atop,nmc:keep=cinc,majors",
            "-o",
            str(out),
        )
        assert r.returncode == 0, r.stderr
        assert "rows x" in r.stderr and out.exists()
    p = pl.read_parquet(tmp_path / "panel.parquet")
    c = pl.read_csv(tmp_path / "panel.csv")
    s = pd.read_stata(tmp_path / "panel.dta")
    assert p.height == c.height == len(s) > 0
    assert {"atop_defense", "cinc1", "cowmaj2"} <= set(p.columns) == set(s.columns)
    assert p.select((pl.col("ccode1") < pl.col("ccode2")).all()).item()
    assert abs(p["cinc1"].sum() - s["cinc1"].sum()) < 1e-9


def test_state_years_gw_and_errors(tmp_path):
    r = run(
        "panel",
        "state-years",
        "--system",
        "gw",
        "--from",
        "2000",
        "--to",
        "2000",
        "--add",
        "rugged",
        "-o",
        str(tmp_path / "s.parquet"),
    )
    assert r.returncode == 0, r.stderr
    s = pl.read_parquet(tmp_path / "s.parquet")
    assert s.columns[:2] == ["gwcode", "year"] and "rugged" in s.columns
    bad = run("panel", "dyad-years", "--add", "atopp")
    assert bad.returncode == 2 and "did you mean atop" in bad.stderr
    wrong = run("panel", "state-years", "--system", "gw", "--add", "atop")
    assert wrong.returncode == 2 and "COW" in wrong.stderr and "Traceback" not in wrong.stderr
    ext = run("panel", "state-years", "--from", "2000", "--to", "2000", "-o", "x.xlsx")
    assert ext.returncode == 2 and "unknown extension" in ext.stderr
