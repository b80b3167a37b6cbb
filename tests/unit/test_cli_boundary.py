"""The command line's boundary: every failure below a command ends in one literal message and a
non-zero exit code, never a traceback (unless asked for), and signals clean up."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from foedus import countries
from foedus.cli import run
from foedus.errors import FoedusError, FoedusWarning, Interrupted
from tests.helpers import serve


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = run(list(args), handle_signals=False)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_user_text_is_printed_literally(capsys):
    for text in ("[/]", "[red]x", "[bold]Ruritania[/bold]", ":smile:", "a\\"):
        code, _out, err = _run(capsys, "data", "info", text)
        assert code == 2 and "Traceback" not in err
        assert f"unknown data set {text!r}" in " ".join(err.split()), err


def test_internal_errors_are_short_and_point_to_debug(capsys, monkeypatch):
    def broken():
        raise RuntimeError("something [red]inside[/] broke\nsecond line")

    monkeypatch.setattr(countries, "index", broken)
    monkeypatch.delenv("FOEDUS_DEBUG", raising=False)
    code, _, err = _run(capsys, "country", "Russia")
    assert code == 70
    assert "internal error: RuntimeError: something [red]inside[/] broke" in err
    assert "second line" not in err and "Traceback" not in err
    assert "--debug" in err and "report" in err
    code, _, err = _run(capsys, "--debug", "country", "Russia")
    assert code == 70 and "Traceback" in err and "broken" in err
    monkeypatch.setenv("FOEDUS_DEBUG", "1")
    code, _, err = _run(capsys, "country", "Russia")
    assert code == 70 and "Traceback" in err


def test_exceptions_outside_the_exception_hierarchy_are_caught(capsys, monkeypatch):
    class PanicException(BaseException):  # what Polars raises for a Rust panic
        pass

    def panic():
        raise PanicException("index out of bounds")

    monkeypatch.setattr(countries, "index", panic)
    code, _, err = _run(capsys, "country", "Russia")
    assert code == 70 and "PanicException: index out of bounds" in err


def test_typed_errors_exit_2_with_message_and_hint(capsys, monkeypatch):
    def fails():
        raise FoedusError("the [b]thing[/b] failed", "do [i]this[/i]")

    monkeypatch.setattr(countries, "index", fails)
    code, out, err = _run(capsys, "country", "Russia")
    assert code == 2 and out == ""
    assert "error: the [b]thing[/b] failed" in err and "hint: do [i]this[/i]" in err


def test_os_errors_that_escape_are_explained(capsys, monkeypatch):
    def fails():
        raise PermissionError(13, "Permission denied", "/some/file")

    monkeypatch.setattr(countries, "index", fails)
    code, _, err = _run(capsys, "country", "Russia")
    assert code == 2 and "Permission denied: /some/file" in err and "Traceback" not in err


def test_interruptions_exit_128_plus_the_signal(capsys, monkeypatch):
    def stop():
        raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(countries, "index", stop)
    code, _, err = _run(capsys, "country", "Russia")
    assert code == 143 and "interrupted" in err and "SIGTERM" in err


def test_foedus_warnings_are_shown_literally_and_others_hidden(capsys, monkeypatch):
    import warnings

    real = countries.index

    def warns():
        warnings.warn("cache [red]damaged[/]", FoedusWarning, stacklevel=1)
        warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)
        return real()

    monkeypatch.setattr(countries, "index", warns)
    _code, _, err = _run(capsys, "country", "Kiribati")  # no data: exits 2 after the warning
    assert "warning: cache [red]damaged[/]" in err
    assert "deprecation" not in err


@pytest.mark.parametrize(
    "args",
    [
        ("data", "nonsense"),
        ("data", "list", "--bogus"),
        ("country",),
        ("country", "--year", "x", "Russia"),
        ("forecast", "--years", "[/]"),
        ("data", "show", "cow-nmc", "--head", "-5"),
    ],
)
def test_usage_errors_exit_2_with_a_hint(capsys, args):
    code, _, err = _run(capsys, *args)
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_help_and_version_exit_0(capsys):
    assert _run(capsys, "--help")[0] == 0
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.startswith("foedus ")


def test_closed_output_pipe_ends_quietly(tmp_path):
    """`foedus data list | head -1`: the reader goes away; no traceback, no noise."""
    env = {**os.environ, "COLUMNS": "200"}
    p = subprocess.Popen(
        [sys.executable, "-m", "foedus", "data", "list", "--no-check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()  # like `head -1` exiting
    err = p.stderr.read().decode()
    code = p.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert code in (0, 1)  # 0 if everything fitted in the pipe before it closed


# --- signals during a real download ---------------------------------------------------------


class _Drip(http.server.BaseHTTPRequestHandler):
    """Serves a large body very slowly, so a download is still running when it is signalled."""

    size: ClassVar[int] = 5_000_000

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(self.size))
        self.end_headers()
        try:
            for _ in range(self.size // 1000):
                self.wfile.write(b"x" * 1000)
                self.wfile.flush()
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def drip_server():
    with serve(_Drip) as url:
        yield url


def _start_fetch(tmp_path: Path, url: str) -> tuple[subprocess.Popen, Path]:
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "FOEDUS_CACHE_DIR": str(cache),
        "FOEDUS_MIRROR_URL": url,
        "FOEDUS_OFFLINE": "",
    }
    env.pop("FOEDUS_DATA_DIR", None)
    p = subprocess.Popen(
        [sys.executable, "-m", "foedus", "data", "fetch", "cow-states"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until the partial file has some bytes
        parts = [q for q in cache.rglob("*.part") if q.stat().st_size > 0] if cache.exists() else []
        if parts:
            return p, cache
        time.sleep(0.02)
    p.kill()
    raise AssertionError("the download never started")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_download_leaves_no_partial_file(tmp_path, drip_server, sig, code):
    p, cache = _start_fetch(tmp_path, drip_server)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert "interrupted" in err and "Traceback" not in err
    assert [q for q in cache.rglob("*") if q.is_file()] == []


def test_a_killed_download_is_cleaned_by_the_next_run(tmp_path, drip_server):
    p, cache = _start_fetch(tmp_path, drip_server)
    p.kill()  # SIGKILL: nothing can be cleaned now
    p.wait(timeout=60)
    left = [q for q in cache.rglob("*.part")]
    assert len(left) == 1
    env = {**os.environ, "FOEDUS_CACHE_DIR": str(cache)}
    r = subprocess.run(
        [sys.executable, "-m", "foedus", "data", "clean"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0 and "partial file" in r.stdout
    assert [q for q in cache.rglob("*.part")] == []
