"""Real file-system faults and signals on real commands: full and read-only disks (small tmpfs
mounts in a private mount namespace), unwritable outputs, downloads from a mirror URL served
on 127.0.0.1, and SIGINT/SIGTERM while a panel is being written.

The namespace tests need ``unshare`` with unprivileged user namespaces (as on the CI machines);
where that is missing they are skipped, and the in-process fault-injection tests in
tests/unit/test_files.py and tests/unit/test_frame_cache.py still run everywhere.
"""

from __future__ import annotations

import functools
import http.server
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import real_data_dir


@functools.cache
def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    r = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            "d=$(mktemp -d) && mount -t tmpfs -o size=16k tmpfs $d && umount $d && rmdir $d",
        ],
        capture_output=True,
        timeout=30,
    )
    return r.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _namespaces_work(), reason="unshare with user and mount namespaces is not available"
)


def _foedus_in(mounts: dict[Path, str], args: list[str], env: dict[str, str], timeout=300):
    """Run ``foedus args`` in a private mount namespace with a tmpfs mounted at each path
    (options such as ``size=64k`` or ``size=1m,ro``)."""
    script = " && ".join(
        f"mkdir -p {shlex.quote(str(d))} && mount -t tmpfs -o {o} tmpfs {shlex.quote(str(d))}"
        for d, o in mounts.items()
    )
    listing = " ; ".join(f"find {shlex.quote(str(d))} -type f" for d in mounts)
    cmd = shlex.join([sys.executable, "-m", "foedus", *args])
    full = f"{script} && {{ {cmd}; rc=$?; echo '--files--' >&2; {listing} >&2; exit $rc; }}"
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", full],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _files_left(stderr: str) -> list[str]:
    return [x for x in stderr.split("--files--", 1)[-1].splitlines() if x.strip()]


def _message(stderr: str) -> str:
    return " ".join(stderr.split("--files--", 1)[0].split())


@pytest.fixture(scope="module")
def mirror_url():
    """The real data files served over HTTP on 127.0.0.1, as an institution's mirror would."""
    root = real_data_dir()
    assert root is not None
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _env(**kw: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOEDUS_")}
    env.update(kw)
    return env


def test_download_from_a_mirror_url_is_verified(tmp_path, mirror_url):
    cache = tmp_path / "cache"
    r = subprocess.run(
        [sys.executable, "-m", "foedus", "data", "fetch", "cow-mida", "cow-states"],
        capture_output=True,
        text=True,
        env=_env(FOEDUS_CACHE_DIR=str(cache), FOEDUS_MIRROR_URL=mirror_url),
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert (cache / "files" / "cow" / "MIDA 5.0.csv").is_file()  # a name with a space
    r = subprocess.run(
        [sys.executable, "-m", "foedus", "data", "verify", "cow-mida", "cow-states"],
        capture_output=True,
        text=True,
        env=_env(FOEDUS_CACHE_DIR=str(cache), FOEDUS_OFFLINE="1"),
        timeout=120,
    )
    assert r.returncode == 0 and "2 verified, 0 mismatched, 0 missing" in r.stdout


def test_a_bad_mirror_url_setting_is_refused():
    r = subprocess.run(
        [sys.executable, "-m", "foedus", "data", "fetch", "cow-states"],
        capture_output=True,
        text=True,
        env=_env(FOEDUS_MIRROR_URL="ftp://example.org/x"),
        timeout=60,
    )
    assert r.returncode == 2 and "FOEDUS_MIRROR_URL" in r.stderr and "Traceback" not in r.stderr


@needs_namespaces
def test_a_full_cache_disk_during_a_download(tmp_path, mirror_url):
    cache = tmp_path / "cache"
    r = _foedus_in(
        {cache: "size=64k"},
        ["data", "fetch", "cow-nmc"],  # 0.9 MB
        _env(FOEDUS_CACHE_DIR=str(cache), FOEDUS_MIRROR_URL=mirror_url),
    )
    assert r.returncode == 2, r.stderr
    msg = _message(r.stderr)
    assert "No space left on device" in msg and "FOEDUS_CACHE_DIR" in msg
    assert "Traceback" not in r.stderr
    assert _files_left(r.stderr) == []


@needs_namespaces
def test_a_read_only_cache(tmp_path, mirror_url):
    cache = tmp_path / "cache"
    r = _foedus_in(
        {cache: "size=1m,ro"},
        ["data", "fetch", "cow-states"],
        _env(FOEDUS_CACHE_DIR=str(cache), FOEDUS_MIRROR_URL=mirror_url),
    )
    assert r.returncode == 2, r.stderr
    msg = _message(r.stderr)
    assert "Read-only file system" in msg and "FOEDUS_CACHE_DIR" in msg
    assert "Traceback" not in r.stderr


@needs_namespaces
def test_a_full_cache_only_costs_the_frame_cache(tmp_path):
    cache = tmp_path / "cache"
    r = _foedus_in(
        {cache: "size=8k"},
        ["country", "Russia", "--year", "2000"],
        _env(FOEDUS_CACHE_DIR=str(cache), FOEDUS_DATA_DIR=str(real_data_dir())),
    )
    assert r.returncode == 0, r.stderr
    assert "Russia" in r.stdout
    assert "could not keep the frame cache" in _message(r.stderr)
    left = _files_left(r.stderr)  # small frames fit: complete entries only, each with manifest
    assert not [f for f in left if f.endswith((".part", ".tmp"))]
    frames = {f for f in left if f.endswith(".parquet")}
    assert {f + ".json" for f in frames} == {f for f in left if f.endswith(".json")}


@needs_namespaces
def test_a_full_output_disk_leaves_no_partial_file(tmp_path):
    out = tmp_path / "out"
    r = _foedus_in(
        {out: "size=256k"},
        ["panel", "dyad-years", "--from", "1990", "--to", "2000", "-o", str(out / "p.csv")],
        _env(FOEDUS_DATA_DIR=str(real_data_dir()), FOEDUS_CACHE_DIR=str(tmp_path / "c")),
    )
    assert r.returncode == 2, r.stderr
    assert "No space left on device" in _message(r.stderr) and "Traceback" not in r.stderr
    assert _files_left(r.stderr) == []


@needs_namespaces
def test_a_read_only_output_is_refused_before_computing(tmp_path):
    out = tmp_path / "out"
    r = _foedus_in(
        {out: "size=256k,ro"},
        ["panel", "dyad-years", "-o", str(out / "p.parquet")],
        _env(FOEDUS_DATA_DIR=str(real_data_dir()), FOEDUS_CACHE_DIR=str(tmp_path / "c")),
    )
    assert r.returncode == 2, r.stderr
    assert "Read-only file system" in _message(r.stderr)
    assert "creating" not in r.stderr  # nothing was built


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    "args",
    [
        ["panel", "state-years", "-o", "/proc/x.csv"],
        ["backtest", "--out", "/proc/reports"],
        ["forecast", "Russia", "China", "--year", "2021", "--save-model", "/proc/m.json"],
    ],
)
def test_unwritable_outputs_are_refused_at_once(args):
    t = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "foedus", *args],
        capture_output=True,
        text=True,
        env=_env(FOEDUS_DATA_DIR=str(real_data_dir()), FOEDUS_OFFLINE="1"),
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert "/proc" in r.stderr and "Traceback" not in r.stderr
    assert time.perf_counter() - t < 60  # refused before the computation, not after it


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_writing_a_panel_leaves_no_partial_file(tmp_path, sig, code):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "panel.dta"  # Stata output of the full panel: several seconds of writing
    p = subprocess.Popen(
        [sys.executable, "-m", "foedus", "panel", "dyad-years", "--add", "atop", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(FOEDUS_DATA_DIR=str(real_data_dir()), FOEDUS_CACHE_DIR=str(tmp_path / "c")),
    )
    deadline = time.time() + 240
    while time.time() < deadline and p.poll() is None:
        if any(out.glob(".panel.dta.*.part")):
            break
        time.sleep(0.005)
    assert p.poll() is None, "the panel was written before the signal could be sent"
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == code, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.iterdir()) == []
