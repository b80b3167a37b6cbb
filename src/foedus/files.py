"""Writing files so that nothing half-written ever survives, and file-system faults as clear
errors.

Every file foedus writes (downloads, parsed-frame and model caches, panels, reports, model
files) goes through :func:`atomic_path`: the bytes go to a *partial file* beside the target,
named ``.<target name>.<pid>.<token>.part``, which is flushed to disk and renamed over the
target only once it is complete. On any failure — an exception, a full disk, Ctrl-C, SIGTERM
(the command line turns it into an exception) — the partial file is removed and the target is
left as it was. A process killed outright (SIGKILL, power loss) cannot clean up; its partial
files are *stale* once their process is gone, and :func:`clean_stale_partials` removes them:
foedus calls it on the cache the first time a process writes there, for an output's directory
before writing the output, and ``foedus data clean`` on demand.

Operating-system errors become :class:`~foedus.errors.FileSystemError` subclasses
(:class:`~foedus.errors.DiskFullError`, :class:`~foedus.errors.OutputPathError`,
:class:`~foedus.errors.CacheNotWritableError`) that say which path failed and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from foedus.errors import (
    CacheNotWritableError,
    DiskFullError,
    FileSystemError,
    FoedusError,
    OutputPathError,
)

#: Partial files: ``.<name>.<pid>.<8 hex digits>.part``.
PARTIAL_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]{8})\.part$")
#: Partial files written by foedus 0.1 before this scheme (no process id): ``.<name>.part``,
#: ``.<name>.<random>.part`` (downloads) and ``<name>.tmp`` (frame and model caches).
LEGACY_PARTIAL_RE = re.compile(r"^(\..+\.part|.+\.tmp)$")
#: A partial file whose process is alive is still stale after this many seconds (a process id
#: reused by another program, or a file from another machine sharing the directory).
STALE_AFTER = 24 * 3600.0

Role = Literal["output", "cache"]

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_OS_ERROR_IN_TEXT = re.compile(r"os error (\d+)")


def partial_path(target: Path) -> Path:
    """A fresh partial-file name beside ``target``."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _errno_of(e: BaseException) -> int | None:
    if isinstance(e, OSError) and e.errno is not None:
        return e.errno
    m = _OS_ERROR_IN_TEXT.search(str(e))  # Polars/Rust I/O errors: "... (os error 28)"
    return int(m.group(1)) if m else None


def is_os_failure(e: BaseException) -> bool:
    """True for an OS-level I/O failure: an ``OSError`` or a library error that wraps one."""
    return not isinstance(e, FoedusError) and (
        isinstance(e, OSError) or _OS_ERROR_IN_TEXT.search(str(e)) is not None
    )


def translate(e: BaseException, path: Path | str, *, role: Role = "output") -> FileSystemError:
    """The typed error for an OS failure ``e`` while writing ``path``."""
    code = _errno_of(e)
    reason = os.strerror(code) if code is not None else str(e)
    path = str(path)
    if role == "cache":
        where = "the foedus cache"
        elsewhere = "set FOEDUS_CACHE_DIR to a writable directory on a disk with free space"
    else:
        where = "the output"
        elsewhere = "choose another path (-o/--out) on a writable disk with free space"
    if code in _FULL:
        return DiskFullError(
            f"could not write {where} {path}: {reason}; nothing partial was kept",
            f"free some space, or {elsewhere}.",
            path=path,
        )
    cls = CacheNotWritableError if role == "cache" else OutputPathError
    if code in _DENIED:
        return cls(
            f"cannot write {where} {path}: {reason}",
            f"check the permissions of its directory, or {elsewhere}.",
            path=path,
        )
    if code in (errno.ENOENT, errno.ENOTDIR):
        return cls(
            f"cannot write {where} {path}: {reason} (a directory on the path is missing or is "
            "not a directory)",
            f"create the directory first, or {elsewhere}.",
            path=path,
        )
    if code == errno.EISDIR:
        return cls(
            f"cannot write {where} {path}: it is a directory",
            "give a file name, e.g. " + str(Path(path) / "panel.parquet") + ".",
            path=path,
        )
    return cls(f"cannot write {where} {path}: {reason}", f"{elsewhere}.", path=path)


def ensure_dir(directory: Path, *, role: Role = "output") -> Path:
    """Create ``directory`` (and its parents) if needed; a typed error if that fails."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:  # a file where a directory should be
        raise (CacheNotWritableError if role == "cache" else OutputPathError)(
            f"cannot use {directory} as a directory: a file of that name exists",
            "remove the file or choose another directory.",
            path=directory,
        ) from e
    except OSError as e:
        raise translate(e, directory, role=role) from e
    if not directory.is_dir():
        raise (CacheNotWritableError if role == "cache" else OutputPathError)(
            f"cannot use {directory} as a directory", "choose another directory.", path=directory
        )
    return directory


def probe_writable(directory: Path, *, role: Role = "output") -> None:
    """Check that a file can really be created in ``directory`` (permission bits say little
    for root, read-only mounts or pseudo-file systems such as /proc): create and remove a
    partial file there."""
    ensure_dir(directory, role=role)
    probe = partial_path(directory / "write-check")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as e:
        raise translate(e, directory, role=role) from e
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def check_output_file(
    path: str | Path, *, suffixes: dict[str, str] | None = None, what: str = "output"
) -> Path:
    """Check an output path before any computation starts: a known extension (when
    ``suffixes`` maps extensions to format names), not a directory, and a directory in which a
    file can be created. Creates missing parent directories. Returns the path."""
    p = Path(path).expanduser()
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise OutputPathError(
            f"cannot write {what} {p.name!r}: unknown extension {p.suffix or '(none)'}",
            "use one of " + ", ".join(sorted(suffixes)) + ".",
            path=p,
        )
    if p.is_dir():
        raise OutputPathError(
            f"cannot write {what} {p}: it is a directory",
            f"give a file name inside it, e.g. {p / ('out' + (p.suffix or '.parquet'))}.",
            path=p,
        )
    probe_writable(p.parent if str(p.parent) else Path("."))
    return p


def check_output_dir(path: str | Path) -> Path:
    """Check (and create) an output directory before any computation starts."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise OutputPathError(
            f"cannot write into {p}: it is a file, not a directory",
            "give a directory (it is created if missing).",
            path=p,
        )
    probe_writable(p)
    return p


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: str | Path, *, role: Role = "output") -> Iterator[Path]:
    """A partial path to write ``target``'s content to; renamed over ``target`` when the block
    ends normally, removed when it raises (anything, Ctrl-C and SIGTERM included).

    OS failures inside the block (a full disk, a read-only directory, also when a library
    reports them in its own exception type) become :class:`FileSystemError` subclasses.
    """
    target = Path(target)
    directory = ensure_dir(target.parent if str(target.parent) else Path("."), role=role)
    clean_stale_partials(directory, names={target.name})
    tmp = partial_path(target)
    try:
        yield tmp
        if not tmp.exists():
            raise FileSystemError(
                f"writing {target} produced no file", "this is a bug in the writer.", path=target
            )
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        _fsync_dir(directory)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if is_os_failure(e):
            raise translate(e, target, role=role) from e
        raise


def write_bytes(target: str | Path, data: bytes, *, role: Role = "output") -> Path:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_path`)."""
    target = Path(target)
    with atomic_path(target, role=role) as tmp:
        tmp.write_bytes(data)
    return target


def write_text(target: str | Path, text: str, *, role: Role = "output") -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically (see :func:`atomic_path`)."""
    return write_bytes(target, text.encode("utf-8"), role=role)


def write_with(target: str | Path, writer: Callable[[Path], object], *, role: Role = "output"):
    """Call ``writer(partial_path)`` and move the result over ``target`` atomically."""
    target = Path(target)
    with atomic_path(target, role=role) as tmp:
        writer(tmp)
    return target


# --- stale partial files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Partial:
    """A partial file found on disk and whether it is stale (its writer is gone)."""

    path: Path
    size: int
    stale: bool
    reason: str


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def _inspect(p: Path, now: float) -> Partial | None:
    m = PARTIAL_RE.match(p.name)
    legacy = m is None and LEGACY_PARTIAL_RE.match(p.name) is not None
    if m is None and not legacy:
        return None
    try:
        st = p.stat()
    except OSError:
        return None
    age = now - st.st_mtime
    if m is not None:
        pid = int(m.group("pid"))
        if not _alive(pid):
            return Partial(p, st.st_size, True, f"its process {pid} has ended")
        if age > STALE_AFTER:
            return Partial(p, st.st_size, True, f"older than {STALE_AFTER / 3600:.0f} hours")
        return Partial(p, st.st_size, False, f"being written by process {pid}")
    if age > 3600:  # foedus 0.1 names carry no process id: one hour is long enough
        return Partial(p, st.st_size, True, "left by an earlier foedus version")
    return Partial(p, st.st_size, False, "recent (no process id to check)")


def find_partials(directory: Path, *, recursive: bool = True) -> list[Partial]:
    """Partial files under ``directory`` (none if it does not exist)."""
    if not directory.is_dir():
        return []
    now = time.time()
    it = directory.rglob("*") if recursive else directory.iterdir()
    out = []
    with contextlib.suppress(OSError):
        for p in it:
            if p.name.endswith((".part", ".tmp")) and p.is_file():
                found = _inspect(p, now)
                if found is not None:
                    out.append(found)
    return sorted(out, key=lambda x: str(x.path))


def clean_stale_partials(
    directory: Path, *, names: set[str] | None = None, recursive: bool = False
) -> list[Partial]:
    """Remove the stale partial files in ``directory`` (only those of targets called ``names``
    when given); returns what was removed. Never raises for a file it cannot remove."""
    removed = []
    for part in find_partials(directory, recursive=recursive):
        if not part.stale:
            continue
        if names is not None:
            m = PARTIAL_RE.match(part.path.name)
            if m is None or m.group("name") not in names:
                continue
        with contextlib.suppress(OSError):
            part.path.unlink()
            removed.append(part)
    return removed


_CLEANED: set[str] = set()


def clean_once(directory: Path) -> None:
    """:func:`clean_stale_partials` over the whole tree of ``directory``, once per process
    (the caches call it the first time they write)."""
    key = str(directory)
    if key in _CLEANED:
        return
    _CLEANED.add(key)
    clean_stale_partials(directory, recursive=True)
