"""The brief as an operation: the request checked (states, year, format, output path) before
anything is computed, then :func:`foedus.briefing.assemble.build_brief`, then the document in
the chosen format, written atomically. ``foedus brief`` renders the outcome; ``foedus.brief``
is :func:`brief`. docs/brief.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from foedus import files, validate
from foedus.briefing.assemble import Brief, build_brief
from foedus.briefing.html import render_html
from foedus.briefing.markdown import render_markdown
from foedus.errors import InvalidArgumentError
from foedus.jsonout import strict_json

__all__ = ["FORMATS", "BriefOutcome", "BriefRequest", "brief", "render", "run_brief"]

#: Output formats and the file extensions that choose them.
FORMATS = ("html", "md", "json")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}
#: Most states in one brief (every pair is forecast and scored).
MAX_STATES = 8


@dataclass(frozen=True)
class BriefRequest:
    """What ``foedus brief`` asks for: the states, the year, where to write (None: nowhere)
    and in which format (None: from the file's extension); the ledger whose claims the
    record shows (None: FOEDUS_CLAIMS_URL or the user file)."""

    states: tuple[str | int, ...]
    year: int
    output: str | Path | None = None
    format: str | None = None
    treaties: str | Path | None = None
    draws: int = 1000
    ledger_url: str | None = None


@dataclass(frozen=True)
class BriefOutcome:
    """The brief, the document in ``format`` (None when no format was asked for) and the
    file it was written to."""

    brief: Brief
    format: str | None
    document: str | None
    written: Path | None


def render(data: dict, fmt: str) -> str:
    """The brief's dict as a self-contained HTML page, Markdown or JSON."""
    fmt = validate.choice(fmt, "format", FORMATS)
    if fmt == "html":
        return render_html(data)
    if fmt == "md":
        return render_markdown(data)
    return strict_json(data, indent=1) + "\n"


def check_request(req: BriefRequest) -> tuple[str | None, Path | None]:
    """The format and output path, checked before anything is computed."""
    states = tuple(req.states)
    if len(states) < 2:
        raise InvalidArgumentError(
            "states", "a brief needs two or more states", "e.g. foedus brief RUS CHN --year 2021."
        )
    if len(states) > MAX_STATES:
        raise InvalidArgumentError(
            "states",
            f"{len(states)} states: a brief takes at most {MAX_STATES}",
            "brief a smaller group.",
        )
    validate.integer(req.draws, "draws", lo=100, hi=100_000, hint="e.g. --draws 1000.")
    fmt = validate.choice(req.format, "format", FORMATS) if req.format is not None else None
    out = None
    if req.output is not None:
        out = files.check_output_file(req.output, suffixes=SUFFIXES, what="the brief")
        fmt = fmt or SUFFIXES[out.suffix.lower()]
    return fmt, out


def run_brief(
    req: BriefRequest,
    *,
    on_step: Callable[[str], None] | None = None,
    on_year: Callable[[int], None] | None = None,
) -> BriefOutcome:
    """Check ``req``, build the brief, render it in its format and write it (atomically)."""
    fmt, out = check_request(req)
    b = build_brief(
        list(req.states),
        req.year,
        treaties=req.treaties,
        ledger_url=req.ledger_url,
        draws=req.draws,
        on_step=on_step,
        on_year=on_year,
    )
    doc = render(b.to_dict(), fmt) if fmt is not None else None
    written = files.write_text(out, doc) if out is not None and doc is not None else None
    return BriefOutcome(b, fmt, doc, written)


def brief(
    states: Sequence[str | int],
    year: int,
    *,
    output: str | Path | None = None,
    format: str | None = None,
    treaties: str | Path | None = None,
    draws: int = 1000,
) -> Brief:
    """The brief on ``states`` in ``year`` (``foedus.brief(["Russia", "China"], 2021)``);
    with ``output``, also written there as one self-contained HTML page, Markdown or JSON
    (by ``format`` or the file's extension: .html, .md or .json). ``Brief.to_dict()`` holds
    every section; :func:`render` lays it out."""
    if isinstance(states, str):
        raise InvalidArgumentError(
            "states",
            "give a list of two or more states",
            'e.g. foedus.brief(["RUS", "CHN"], 2021).',
        )
    req = BriefRequest(tuple(states), year, output, format, treaties, draws)
    return run_brief(req).brief
