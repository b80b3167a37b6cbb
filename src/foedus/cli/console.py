"""Where the command line prints, and how: user text is always literal.

Both consoles have Rich markup, emoji codes and highlighting switched off, so a country name,
a path or an error message holding ``[red]``, ``[/]`` or ``:smile:`` is printed exactly as
written and can never break or change the output. Styling is applied only through
:class:`rich.text.Text` pieces built here (:func:`styled`, :func:`line`).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console that prints text literally (no markup, no emoji codes, no highlighting)."""
    return Console(stderr=stderr, width=width, markup=False, emoji=False, highlight=False)


#: standard output: results
out = make_console()
#: standard error: progress, warnings, errors
err = make_console(stderr=True)


def wide(min_width: int) -> Console:
    """A standard-output console at least ``min_width`` columns wide (for wide tables)."""
    return make_console(width=max(out.width, min_width))


def styled(text: object, style: str) -> Text:
    """``text`` (literal) in ``style``."""
    return Text(str(text), style=style)


def line(*parts: str | Text | tuple[str, str]) -> Text:
    """One line from literal pieces: plain strings, :class:`Text`, or ``(text, style)``."""
    return Text.assemble(*parts)


def description_column() -> TextColumn:
    """A progress column showing a task's description literally, in bold."""
    return TextColumn("{task.description}", style="bold", markup=False)


class RichBar:
    """Adapts a Rich progress task to the tqdm-like interface pooch reports to."""

    def __init__(self, progress: Progress, description: str) -> None:
        self._p = progress
        self._task = progress.add_task(description, total=None)
        self.total = 0

    def update(self, n: int) -> None:
        if self.total and self._p.tasks[self._task].total != self.total:
            self._p.update(self._task, total=self.total)
        self._p.advance(self._task, n)

    def reset(self) -> None:
        self._p.reset(self._task, total=self.total or None)

    def close(self) -> None:
        self._p.update(self._task, completed=self.total or 0)


def download_progress() -> Progress:
    return Progress(
        description_column(),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )
