"""The command line as a user runs it: exit codes and messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args], capture_output=True, text=True, timeout=120
    )


def test_data_list_works_without_any_data():
    r = run("data", "list")
    assert r.returncode == 0, r.stderr
    assert "cow-nmc" in r.stdout and "ps-cow-ddy" in r.stdout
    assert "mirror" not in r.stdout.split("foedus data catalog")[1].split("mirror (")[0]


def test_unknown_data_set_gives_hint_not_traceback():
    r = run("data", "info", "cow-nmx")
    assert r.returncode == 2
    assert "unknown data set 'cow-nmx'" in r.stderr and "cow-nmc" in r.stderr
    assert "Traceback" not in r.stderr


def test_offline_missing_file_is_explained():
    r = run("data", "path", "cow-states")
    assert r.returncode == 2 and "not available offline" in r.stderr
    assert "Traceback" not in r.stderr


def test_cite_bibtex():
    r = run("data", "cite", "atop-members", "--bibtex")
    assert r.returncode == 0
    assert "@article{leeds2002," in r.stdout and "@manual{leeds2022atop," in r.stdout


def test_fetch_needs_names_or_all():
    r = run("data", "fetch")
    assert r.returncode == 2 and "--all" in r.stderr


def test_forecast_needs_a_year_or_a_range():
    r = run("forecast", "Russia", "China")
    assert r.returncode == 2 and "--year" in r.stderr and "Traceback" not in r.stderr
    r = run("forecast", "--years", "2015-20x6")
    assert r.returncode == 2 and "2015-2026" in r.stderr
    r = run("forecast", "--year", "2021", "--top", "0")
    assert r.returncode == 2 and "--top" in r.stderr
