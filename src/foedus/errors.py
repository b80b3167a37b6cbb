"""Typed errors. Every error foedus raises on bad input says what went wrong and how to fix it.

The CLI prints ``str(error)`` (message plus hint) without a traceback; library users can catch
the specific class or :class:`FoedusError` for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class FoedusError(Exception):
    """Base class: a message and a hint saying what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nHint: {self.hint}"


class Interrupted(BaseException):
    """The process was asked to stop (SIGINT, SIGTERM or SIGHUP). Raised in the main thread by
    the command line's signal handlers so that every partial file is removed on the way out;
    a ``BaseException``, so ``except Exception`` blocks do not swallow it."""

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        try:
            self.signame = signal.Signals(signum).name
        except ValueError:  # pragma: no cover - every signal we handle has a name
            self.signame = str(signum)
        super().__init__(f"interrupted by {self.signame}")


class FoedusWarning(UserWarning):
    """Something a user should know that did not stop the operation (a damaged cache entry
    that was rebuilt, a cache that cannot be written, a model fitted on other data)."""


# --- data catalog -----------------------------------------------------------------------------


class UnknownDatasetError(FoedusError, KeyError):
    """A data set name that is not in the catalog."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        hint = (
            f"did you mean {', '.join(repr(s) for s in self.suggestions)}? "
            if self.suggestions
            else ""
        ) + "`foedus data list` shows every data set."
        super().__init__(f"unknown data set {name!r}", hint)

    __str__ = FoedusError.__str__


class ChecksumMismatchError(FoedusError):
    """A file whose sha256 differs from the catalog's: it is never read."""

    def __init__(self, name: str, path: str, expected: str, actual: str, hint: str) -> None:
        self.name, self.path, self.expected, self.actual = name, path, expected, actual
        super().__init__(
            f"checksum mismatch for data set {name!r} at {path}\n"
            f"  expected sha256 {expected}\n  actual   sha256 {actual}",
            hint,
        )


class TruncatedDownloadError(FoedusError):
    """A download that ended before the whole file arrived."""

    def __init__(self, name: str, url: str, expected_size: int, received: int) -> None:
        self.name, self.url = name, url
        self.expected_size, self.received = expected_size, received
        super().__init__(
            f"download of {name!r} was truncated: received {received:,} of "
            f"{expected_size:,} bytes from {url}",
            f"the connection dropped; nothing was written to the cache. Run `foedus data fetch "
            f"{name}` again, or put a copy of the file in a local mirror directory and set "
            "FOEDUS_DATA_DIR to it (`foedus data info " + name + "` shows where it belongs).",
        )


class DownloadError(FoedusError):
    """A download that failed for another reason (HTTP error, no network)."""

    def __init__(self, name: str, url: str, reason: str, file: str | None = None) -> None:
        self.name, self.url, self.reason = name, url, reason
        where = f" as <mirror>/{file}" if file else ""
        super().__init__(
            f"could not download {name!r} from {url}: {reason}",
            f"check the network, or put a copy of the file{where} in a local mirror directory "
            "and set FOEDUS_DATA_DIR to that directory (`foedus data info "
            f"{name}` shows the file's sources and sha256).",
        )


class DataNotAvailableError(FoedusError):
    """A file that is neither in the mirror nor in the cache while downloads are off."""

    def __init__(self, name: str, looked_in: Sequence[str]) -> None:
        self.name, self.looked_in = name, list(looked_in)
        super().__init__(
            f"data set {name!r} is not available offline; looked in: " + "; ".join(looked_in),
            "unset FOEDUS_OFFLINE and run `foedus data fetch " + name + "`, or point "
            "FOEDUS_DATA_DIR at a mirror that holds the file.",
        )


class SettingsError(FoedusError):
    """An environment setting (``FOEDUS_*``) whose value foedus cannot use."""


class DataFormatError(FoedusError):
    """A verified file whose content does not have the expected shape (a loader bug or a
    catalog entry with the wrong reader)."""


# --- countries --------------------------------------------------------------------------------


class UnknownCountryError(FoedusError, LookupError):
    """A name or code that matches no state."""

    def __init__(self, query: str, suggestions: Sequence[str], extra: str = "") -> None:
        self.query = query
        self.suggestions = list(suggestions)
        hint = (
            "did you mean " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "try a COW abbreviation (RUS), an ISO3 code, a COW code (365) or an English name."
        )
        super().__init__(f"unknown country {query!r}{extra}", hint)

    __str__ = FoedusError.__str__


class AmbiguousCountryError(FoedusError, LookupError):
    """A name that fits several states."""

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        self.query = query
        self.candidates = list(candidates)
        super().__init__(
            f"{query!r} is ambiguous; it could be: " + "; ".join(self.candidates),
            "give the full name or the code of the one you mean.",
        )

    __str__ = FoedusError.__str__


class NotASystemMemberError(FoedusError, LookupError):
    """A state that exists but was not a member of the state system in the year asked."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)

    __str__ = FoedusError.__str__


# --- panels -----------------------------------------------------------------------------------


class PanelError(FoedusError, ValueError):
    """A frame that is not the kind of panel an operation needs (wrong keys, wrong system)."""


# --- arguments --------------------------------------------------------------------------------


class InvalidArgumentError(FoedusError, ValueError):
    """An argument of a command or a Python function that has the wrong type or value.

    ``argument`` names it as the caller wrote it (``years``, ``--to``, ``nmc:keep``)."""

    def __init__(self, argument: str, message: str, hint: str | None = None) -> None:
        self.argument = argument
        super().__init__(message, hint)


class YearOutOfRangeError(InvalidArgumentError):
    """A year outside what the data and the calendar allow for an operation."""


class EnricherOptionError(InvalidArgumentError):
    """An option of a panel enricher that it does not take, or with a value it cannot use."""


# --- files ------------------------------------------------------------------------------------


class FileSystemError(FoedusError, OSError):
    """A file or directory that foedus cannot read or write (permissions, a read-only or full
    disk, a path that is not a directory). Nothing partial is left behind."""

    def __init__(
        self, message: str, hint: str | None = None, *, path: str | Path | None = None
    ) -> None:
        self.path = None if path is None else str(path)
        super().__init__(message, hint)

    __str__ = FoedusError.__str__


class OutputPathError(FileSystemError):
    """An output path that cannot be written; raised before any computation starts."""


class CacheNotWritableError(FileSystemError):
    """The user cache (``FOEDUS_CACHE_DIR``) cannot be created or written."""


class DiskFullError(FileSystemError):
    """A write that ran out of space (or quota); the partial file was removed."""


# --- prospects --------------------------------------------------------------------------------


class ForecastInputError(FoedusError, ValueError):
    """Outcomes or forecasts that a forecast metric cannot be computed from."""


class ModelFileError(FoedusError, ValueError):
    """A model file that is missing, not JSON, or not a valid foedus model."""


#: At most this many problems of a file are listed in one error; the rest are counted.
MAX_LISTED = 20

_TREATY_FORMAT_HINT = "docs/treaties.md describes the format, with an example file."


@dataclass(frozen=True)
class FileProblem:
    """One problem in an input file (a treaty file, a scenario): where (1-based line, None for
    the whole file), what, and what to do about it."""

    line: int | None
    message: str
    hint: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message}"


#: A problem of a treaty file.
TreatyProblem = FileProblem


class FileProblemsError(FoedusError, ValueError):
    """An input file that cannot be used. Lists every problem found (up to
    :data:`MAX_LISTED`), each with its line number and a hint; ``what`` names the kind of file
    in the message, ``fix_all`` is the hint when there are several."""

    what = "file"
    fix_all = "fix the lines listed above and read the file again."

    def __init__(self, path: str | Path, problems: Sequence[FileProblem]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        self.line = first.line if first else None
        if len(self.problems) == 1 and first is not None:
            where = f", line {first.line}" if first.line is not None else ""
            super().__init__(f"{self.what} {self.path}{where}: {first.message}", first.hint)
            return
        lines = [f"{self.what} {self.path} has {len(self.problems)} problems:"]
        for p in self.problems[:MAX_LISTED]:
            lines.append(f"  {p}")
            lines.append(f"      hint: {p.hint}")
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        super().__init__("\n".join(lines), self.fix_all)

    __str__ = FoedusError.__str__


class TreatyFileError(FileProblemsError):
    """A treaty file that cannot be used (every problem, with its line and a hint)."""

    what = "treaty file"
    fix_all = "fix the lines listed above and read the file again; " + _TREATY_FORMAT_HINT


# --- worlds, scenarios and consequences -------------------------------------------------------


class WorldError(FoedusError, ValueError):
    """A change to a world that contradicts it: a tie that already exists, a state that is not
    a member of the alliance it is to leave, capabilities for a state outside the system."""


#: A problem of a scenario file.
ScenarioProblem = FileProblem


class ScenarioError(FileProblemsError):
    """A scenario file that cannot be used (every problem, with its line and a hint)."""

    what = "scenario"
    fix_all = (
        "fix the lines listed above and check the file again "
        "(foedus scenario check FILE); docs/consequences.md describes the format."
    )


class ModelFitError(FoedusError, RuntimeError):
    """A model that could not be estimated (no events in the rows, a singular design)."""


class SweepError(FoedusError, RuntimeError):
    """A scenario sweep that failed (a task raised, the scheduler could not be reached). No
    output file is written."""


# --- the claims ledger --------------------------------------------------------------------------


class ClaimError(FoedusError, ValueError):
    """A claim, condition or resolution that cannot be recorded: a malformed condition, an
    unknown state, a date out of range, a paraphrase too long, a resolution without evidence.
    ``field`` names the part at fault."""

    def __init__(self, field: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.field = field


class DuplicateClaimError(ClaimError):
    """A claim already in the ledger (same author, date and condition, or the same id)."""


class ClaimNotFoundError(FoedusError, LookupError):
    """No claim with that id in the ledger."""


class LedgerError(FoedusError, RuntimeError):
    """A ledger that cannot be opened or written: a bad database URL, a server that does not
    answer, a schema newer than this foedus, a file that is not a ledger."""


# --- web application -------------------------------------------------------------------------


class RequestTooLargeError(FoedusError):
    """A request to the web application whose body is larger than the server accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes", "send less.")
        self.limit = limit


class NotAuthorizedError(FoedusError):
    """A write to the web application without the configured token (or with none set)."""
