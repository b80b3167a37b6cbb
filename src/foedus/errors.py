"""Typed errors. Every error foedus raises on bad input says what went wrong and how to fix it.

The CLI prints ``str(error)`` (message plus hint) without a traceback; library users can catch
the specific class or :class:`FoedusError` for all of them.
"""

from __future__ import annotations

from collections.abc import Sequence


class FoedusError(Exception):
    """Base class: a message and a hint saying what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nHint: {self.hint}"


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
