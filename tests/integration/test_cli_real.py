"""The README's commands on the real data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_country_lookup_json():
    for q in ("Russia", "RUS", "365", "Soviet Union"):
        r = run("country", q, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["ccode"] == 365


def test_country_pair_in_2021():
    r = run("country", "RUS", "CHN", "--year", "2021", "--json")
    out = json.loads(r.stdout)
    assert [o["ccode"] for o in out] == [365, 710]
    assert all(o["member"] and o["major"] for o in out)
    assert all("assumed" in o["note"] for o in out)


def test_korea_is_ambiguous_on_the_command_line():
    r = run("country", "Korea")
    assert r.returncode == 2 and "731" in r.stderr and "732" in r.stderr


def test_verify_reports_every_file_verified():
    r = run("data", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "75 verified, 0 mismatched, 0 missing (of 75)" in r.stdout.replace("\n", " ")


def test_verify_reports_a_changed_byte(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(os.environ["FOEDUS_DATA_DIR"], mirror)
    f = mirror / "atop" / "atop5_1m.csv"
    f.chmod(0o644)
    b = bytearray(f.read_bytes())
    b[1000] ^= 0x01
    f.write_bytes(bytes(b))
    env = {**os.environ, "FOEDUS_DATA_DIR": str(mirror)}
    r = run("data", "verify", env=env)
    assert r.returncode == 2
    assert "MISMATCH" in r.stdout and "74 verified, 1 mismatched" in r.stdout
    r = run("data", "path", "atop-members", env=env)
    assert r.returncode == 2 and "checksum mismatch" in r.stderr and "expected sha256" in r.stderr
