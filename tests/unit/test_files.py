"""Atomic writes, output-path checks and stale partial files (foedus.files)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foedus import files
from foedus.errors import (
    CacheNotWritableError,
    DiskFullError,
    FileSystemError,
    Interrupted,
    OutputPathError,
)


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


def test_atomic_write_replaces_only_when_complete(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with files.atomic_path(target) as tmp:
        tmp.write_text("new")
        assert target.read_text() == "old"  # untouched until the block ends
        assert files.PARTIAL_RE.match(tmp.name)
    assert target.read_text() == "new"
    assert _leftovers(tmp_path) == ["out.txt"]


@pytest.mark.parametrize(
    "exc", [RuntimeError("writer failed"), KeyboardInterrupt(), Interrupted(15), SystemExit(3)]
)
def test_any_failure_removes_the_partial_file_and_keeps_the_target(tmp_path, exc):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(type(exc)), files.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise exc
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == ["out.txt"]


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (errno.ENOSPC, DiskFullError),
        (errno.EDQUOT, DiskFullError),
        (errno.EROFS, OutputPathError),
        (errno.EACCES, OutputPathError),
    ],
)
def test_os_errors_inside_the_block_become_typed_errors(tmp_path, code, cls):
    target = tmp_path / "out.csv"
    with pytest.raises(cls) as info, files.atomic_path(target) as tmp:
        tmp.write_text("x")
        raise OSError(code, os.strerror(code))
    assert str(target) in info.value.message and info.value.hint
    assert _leftovers(tmp_path) == []


def test_library_errors_that_wrap_an_os_error_are_recognised(tmp_path):
    class ComputeError(Exception):  # how Polars reports a failed write
        pass

    with pytest.raises(DiskFullError), files.atomic_path(tmp_path / "p.parquet", role="cache"):
        raise ComputeError("failed to write: No space left on device (os error 28)")
    assert _leftovers(tmp_path) == []


def test_cache_role_names_the_cache_setting(tmp_path):
    e = files.translate(OSError(errno.EROFS, "Read-only file system"), tmp_path, role="cache")
    assert isinstance(e, CacheNotWritableError) and "FOEDUS_CACHE_DIR" in (e.hint or "")
    assert isinstance(e, FileSystemError) and isinstance(e, OSError)


def test_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(FileSystemError), files.atomic_path(tmp_path / "x.txt"):
        pass
    assert _leftovers(tmp_path) == []


def test_check_output_file(tmp_path):
    assert files.check_output_file(tmp_path / "new" / "dir" / "a.csv").name == "a.csv"
    assert (tmp_path / "new" / "dir").is_dir()
    assert _leftovers(tmp_path / "new" / "dir") == []  # the probe file is gone
    with pytest.raises(OutputPathError, match="it is a directory"):
        files.check_output_file(tmp_path)
    with pytest.raises(OutputPathError, match="unknown extension"):
        files.check_output_file(tmp_path / "a.xlsx", suffixes={".csv": "CSV"})
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputPathError):
        files.check_output_file(blocker / "a.csv")  # a path "through" a file


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_check_output_file_on_a_pseudo_file_system():
    with pytest.raises(OutputPathError) as info:
        files.check_output_file("/proc/x.csv")
    assert "/proc" in info.value.message


def test_check_output_dir(tmp_path):
    assert files.check_output_dir(tmp_path / "reports").is_dir()
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputPathError, match="is a file"):
        files.check_output_dir(tmp_path / "f")


def test_stale_partials_of_dead_processes_are_cleaned(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".panel.csv.{dead}.0123abcd.part"
    live = tmp_path / f".panel.csv.{os.getpid()}.89abcdef.part"
    other = tmp_path / f".other.csv.{dead}.01234567.part"
    unrelated = tmp_path / "notes.part.txt"
    for p in (stale, live, other, unrelated):
        p.write_text("x")
    found = {p.path.name: p.stale for p in files.find_partials(tmp_path)}
    assert found == {stale.name: True, live.name: False, other.name: True}
    removed = files.clean_stale_partials(tmp_path, names={"panel.csv"})
    assert [p.path for p in removed] == [stale]
    assert _leftovers(tmp_path) == sorted([live.name, other.name, unrelated.name])


def test_old_partials_are_stale_even_if_the_pid_is_alive(tmp_path):
    p = tmp_path / f".x.{os.getpid()}.0123abcd.part"
    p.write_text("x")
    old = time.time() - files.STALE_AFTER - 10
    os.utime(p, (old, old))
    assert files.find_partials(tmp_path)[0].stale


def test_legacy_partials_are_stale_after_an_hour(tmp_path):
    fresh = tmp_path / ".cow.csv.k2j3h4.part"
    old = tmp_path / "cow-nmc-abc-r2.tmp"
    for p in (fresh, old):
        p.write_text("x")
    t = time.time() - 2 * 3600
    os.utime(old, (t, t))
    assert {p.path.name: p.stale for p in files.find_partials(tmp_path)} == {
        fresh.name: False,
        old.name: True,
    }


def test_writing_a_target_cleans_its_own_stale_partials(tmp_path):
    stale = tmp_path / f".out.txt.{_dead_pid()}.0123abcd.part"
    stale.write_text("x")
    files.write_text(tmp_path / "out.txt", "hello")
    assert _leftovers(tmp_path) == ["out.txt"]


def test_a_killed_writer_leaves_a_partial_that_the_next_run_removes(tmp_path):
    """SIGKILL cannot be caught: the partial stays, and the next write cleans it."""
    script = (
        "import os, sys, time\n"
        "from foedus import files\n"
        "with files.atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('half')\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
    )
    target = tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.kill()
    proc.wait(timeout=30)
    parts = files.find_partials(tmp_path)
    assert len(parts) == 1 and parts[0].stale and not target.exists()
    files.write_text(target, "complete")
    assert _leftovers(tmp_path) == ["out.txt"] and target.read_text() == "complete"
