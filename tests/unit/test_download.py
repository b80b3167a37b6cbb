"""Downloads against a local HTTP server on 127.0.0.1: good file, wrong bytes, 404, a connection
dropped mid-file, and transient failures. The cache must never hold a corrupt file."""

from __future__ import annotations

import hashlib
import http.server
import shutil
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from foedus import catalog, loaders
from foedus.errors import (
    ChecksumMismatchError,
    DataNotAvailableError,
    DownloadError,
    TruncatedDownloadError,
)
from tests.helpers import serve, synthetic_dataset

PAYLOAD = b"ccode,year,value\r\n" + b"2,1816,1\r\n20,1920,-9\r\n200,1816,3\r\n" * 50


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        path = self.path
        _Handler.hits[path] = _Handler.hits.get(path, 0) + 1
        n = _Handler.hits[path]
        if path == "/good.csv" or (path == "/flaky.csv" and n >= 3):
            self._send(PAYLOAD)
        elif path == "/flaky.csv":
            self.send_response(503)
            self.end_headers()
        elif path == "/wrong.csv":
            self._send(PAYLOAD.replace(b"1816", b"1817"))
        elif path == "/drop.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 3])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_response(404)
            self.end_headers()

    def _send(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    with serve(_Handler) as url:
        yield url


@pytest.fixture(autouse=True)
def _reset_hits():
    _Handler.hits.clear()


def _ds(url: str) -> catalog.Dataset:
    return synthetic_dataset(
        PAYLOAD,
        name="test-set",
        file="test/test-set.csv",
        urls=(url,),
        cite=("leeds2002",),
        rows=150,
        columns=3,
    )


def _no_leftovers(directory: Path) -> bool:
    return not directory.exists() or not any(directory.rglob("*"))


def test_good_download_is_verified_and_atomic(server, tmp_path):
    target = tmp_path / "files" / "x.csv"
    out = catalog.download(_ds(f"{server}/good.csv"), target, sleep=lambda s: None)
    assert out == target and target.read_bytes() == PAYLOAD
    assert [p.name for p in target.parent.iterdir()] == ["x.csv"]  # no temporary file left


def test_wrong_bytes_raise_checksum_error_and_leave_nothing(server, tmp_path):
    target = tmp_path / "files" / "x.csv"
    with pytest.raises(ChecksumMismatchError) as e:
        catalog.download(_ds(f"{server}/wrong.csv"), target, sleep=lambda s: None)
    assert e.value.expected == hashlib.sha256(PAYLOAD).hexdigest()
    assert e.value.actual != e.value.expected
    assert "expected sha256" in str(e.value) and "actual" in str(e.value)
    assert _no_leftovers(target.parent)


def test_404_is_not_retried(server, tmp_path):
    target = tmp_path / "files" / "x.csv"
    with pytest.raises(DownloadError) as e:
        catalog.download(_ds(f"{server}/missing.csv"), target, sleep=lambda s: None)
    assert "HTTP 404" in str(e.value)
    assert _Handler.hits["/missing.csv"] == 1
    assert _no_leftovers(target.parent)


def test_dropped_connection_is_retried_then_reported_as_truncated(server, tmp_path):
    target = tmp_path / "files" / "x.csv"
    sleeps: list[float] = []
    with pytest.raises(TruncatedDownloadError) as e:
        catalog.download(_ds(f"{server}/drop.csv"), target, retries=2, sleep=sleeps.append)
    assert e.value.expected_size == len(PAYLOAD) and e.value.received < len(PAYLOAD)
    assert _Handler.hits["/drop.csv"] == 3 and sleeps == [1.0, 2.0]
    assert _no_leftovers(target.parent)


def test_transient_server_errors_are_retried(server, tmp_path):
    target = tmp_path / "files" / "x.csv"
    catalog.download(_ds(f"{server}/flaky.csv"), target, retries=3, sleep=lambda s: None)
    assert target.read_bytes() == PAYLOAD and _Handler.hits["/flaky.csv"] == 3


def test_second_url_is_tried_when_the_first_fails(server, tmp_path):
    ds = replace(_ds(f"{server}/missing.csv"), urls=(f"{server}/missing.csv", f"{server}/good.csv"))
    target = tmp_path / "files" / "x.csv"
    catalog.download(ds, target, sleep=lambda s: None)
    assert target.read_bytes() == PAYLOAD


def test_path_downloads_into_cache_then_loads(server, monkeypatch):
    monkeypatch.delenv("FOEDUS_OFFLINE")
    ds = _ds(f"{server}/good.csv")
    p = catalog.path(ds)
    assert p == catalog.Settings.from_env().files_dir / ds.file
    df = loaders.load(ds)
    assert df.height == 150 and df.columns == ["ccode", "year", "value"]
    # second call: served from the cache, no new request
    catalog.path(ds)
    assert _Handler.hits["/good.csv"] == 1


def test_offline_never_downloads(server, monkeypatch):
    monkeypatch.setenv("FOEDUS_OFFLINE", "1")
    with pytest.raises(DataNotAvailableError):
        catalog.path(_ds(f"{server}/good.csv"))
    assert "/good.csv" not in _Handler.hits


def test_mirror_is_used_before_download_and_a_changed_byte_is_refused(
    server, monkeypatch, tmp_path
):
    monkeypatch.delenv("FOEDUS_OFFLINE")
    ds = _ds(f"{server}/good.csv")
    mirror = tmp_path / "mirror"
    (mirror / "test").mkdir(parents=True)
    (mirror / ds.file).write_bytes(PAYLOAD)
    monkeypatch.setenv("FOEDUS_DATA_DIR", str(mirror))
    assert catalog.path(ds) == mirror / ds.file
    assert catalog.status(ds).location == "mirror"
    assert "/good.csv" not in _Handler.hits
    # one byte changed: never a table, always the checksum error with the fix
    bad = bytearray(PAYLOAD)
    bad[5] ^= 1
    (mirror / ds.file).write_bytes(bytes(bad))
    with pytest.raises(ChecksumMismatchError) as e:
        loaders.load(ds, use_cache=False)
    assert "FOEDUS_DATA_DIR" in str(e.value.hint)
    assert not catalog.status(ds).verified


def test_damaged_cache_file_is_refused_and_force_fetch_repairs_it(server, monkeypatch):
    monkeypatch.delenv("FOEDUS_OFFLINE")
    ds = _ds(f"{server}/good.csv")
    p = catalog.path(ds)
    p.write_bytes(PAYLOAD[:-1] + b"X")
    with pytest.raises(ChecksumMismatchError):
        catalog.path(ds)
    # what `foedus data fetch NAME --force` does: drop the cached copy and download again
    p.unlink()
    assert catalog.path(ds).read_bytes() == PAYLOAD
    shutil.rmtree(p.parent)


def test_unreachable_server_is_retried_then_explained(tmp_path):
    import socket

    with socket.socket() as sock:  # a free port on 127.0.0.1 that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = tmp_path / "files" / "x.csv"
    sleeps: list[float] = []
    with pytest.raises(DownloadError) as e:
        catalog.download(
            _ds(f"http://127.0.0.1:{port}/x.csv"), target, retries=1, sleep=sleeps.append
        )
    assert sleeps == [1.0] and "after 2 attempts" in str(e.value)
    assert "<mirror>/test/test-set.csv" in str(e.value) and "FOEDUS_DATA_DIR" in str(e.value)
    assert _no_leftovers(target.parent)


def test_rich_progress_bar_follows_the_download(server, tmp_path):
    import io

    from rich.console import Console
    from rich.progress import Progress

    from foedus.cli.console import RichBar as _RichBar

    out = io.StringIO()
    with Progress(console=Console(file=out, force_terminal=False)) as progress:
        bars: list[_RichBar] = []

        def factory(ds):
            bars.append(_RichBar(progress, ds.name))
            return bars[-1]

        catalog.download(
            _ds(f"{server}/good.csv"), tmp_path / "x.csv", progress=factory, sleep=lambda s: None
        )
        task = progress.tasks[0]
        assert task.total == len(PAYLOAD) and task.completed == len(PAYLOAD)
    assert (tmp_path / "x.csv").read_bytes() == PAYLOAD
