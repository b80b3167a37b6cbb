"""The one boundary between the command line and everything below it.

Whatever happens inside a command, :func:`run` ends in its result or in one clear message
(literal text, never Rich markup) and an exit code:

====  ===============================================================================
code  meaning
====  ===============================================================================
0     done
1     done, but something is missing (``data verify`` with absent files); or the output
      pipe was closed by the reader (``foedus data list | head``), which ends quietly
2     a foedus error: bad input, missing or damaged data, a file that cannot be written —
      the message says what and the hint what to do; also command-line usage errors
70    an internal error (a bug): a short message saying where to report it; the traceback
      only with ``--debug`` or ``FOEDUS_DEBUG=1``
130   interrupted by Ctrl-C (SIGINT); 143 by SIGTERM; 129 by SIGHUP — partial files are
      removed on the way out
====  ===============================================================================
"""

from __future__ import annotations

import signal
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

from foedus import files
from foedus.cli import state
from foedus.cli.console import err, line, styled
from foedus.errors import FoedusError, FoedusWarning, Interrupted

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERNAL = 70

HANDLED_SIGNALS = tuple(
    s
    for s in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
    if s is not None
)


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread while the
    block runs (so ``finally`` blocks and partial-file clean-up run), then the previous
    handlers are restored."""
    previous = {}
    for s in HANDLED_SIGNALS:
        try:
            previous[s] = signal.signal(s, _raise_interrupted)
        except ValueError:  # not the main thread: leave the signals alone
            break
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _show_warning(message, category, filename, lineno, file=None, line_=None) -> None:
    if issubclass(category, FoedusWarning):
        err.print(line(("warning: ", "bold yellow"), str(message)))
    elif state.debugging():
        err.print(warnings.formatwarning(message, category, filename, lineno, line_).rstrip())


def _error(message: str, hint: str | None) -> None:
    err.print(line(("error: ", "bold red"), message))
    if hint:
        err.print(line(("hint: ", "yellow"), hint))


def _usage_error(e: typer.TyperException) -> int:
    """A command-line usage error (unknown option, bad value...) from Typer's parser."""
    ctx = getattr(e, "ctx", None)
    path = getattr(ctx, "command_path", None) or "foedus"
    fmt = getattr(e, "format_message", None)
    message = fmt() if callable(fmt) else str(e)
    code = getattr(e, "exit_code", EXIT_ERROR)
    _error(message, f"see `{path} --help`." if code == EXIT_ERROR else None)
    return code if isinstance(code, int) else EXIT_ERROR


def _traceback(e: BaseException) -> None:
    """The full traceback, with ``--debug`` or ``FOEDUS_DEBUG`` only."""
    if state.debugging():
        err.print("".join(traceback.format_exception(e)).rstrip())


def _first_line(text: str, limit: int = 300) -> str:
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= limit else first[: limit - 3] + "..."


def _internal(e: BaseException) -> None:
    from foedus import __version__

    what = type(e).__name__
    detail = _first_line(str(e))
    _error(
        f"internal error: {what}" + (f": {detail}" if detail else ""),
        f"this is a bug in foedus {__version__}, not a problem with your input. Please report "
        "it to the foedus developers with the command you ran and the output of the same "
        "command with --debug (or FOEDUS_DEBUG=1), which shows the traceback.",
    )
    _traceback(e)


def run(argv: Sequence[str] | None = None, *, handle_signals: bool = True) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); the exit code."""
    from foedus.cli import app  # the commands register themselves when the package loads

    args = list(sys.argv[1:] if argv is None else argv)
    state.debug = False
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        warnings.simplefilter("default")
        warnings.simplefilter("always", FoedusWarning)
        try:
            if handle_signals:
                with signals_raise():
                    rv = app(args=args, prog_name="foedus", standalone_mode=False)
            else:
                rv = app(args=args, prog_name="foedus", standalone_mode=False)
            return rv if isinstance(rv, int) else EXIT_OK
        except SystemExit as e:  # typer.Exit / click on a closed pipe / sys.exit in a command
            code = e.code
            return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_ERROR)
        except Interrupted as e:
            err.print(line(("interrupted ", "bold red"), f"({e.signame}); nothing partial kept"))
            return 128 + e.signum
        except typer.Abort as e:
            cause = e.__cause__ or e.__context__
            if isinstance(cause, Interrupted):
                err.print(line(("interrupted ", "bold red"), f"({cause.signame})"))
                return 128 + cause.signum
            err.print(styled("aborted", "bold red"))
            return 1
        except typer.TyperException as e:  # the parser's usage errors
            return _usage_error(e)
        except FoedusError as e:
            _error(e.message, e.hint)
            _traceback(e)
            return EXIT_ERROR
        except MemoryError:
            _error(
                "out of memory",
                "ask for fewer years, states or enrichers at a time, or use a machine with "
                "more memory.",
            )
            return EXIT_ERROR
        except BaseException as e:  # the boundary: nothing escapes as a traceback
            if files.is_os_failure(e):  # an OS fault not mapped where it happened
                where = getattr(e, "filename", None)
                reason = getattr(e, "strerror", None) or _first_line(str(e))
                _error(
                    f"file-system error: {reason}" + (f": {where}" if where else ""),
                    "check that the path exists, that you may read and write it, and that the "
                    "disk has free space; --debug shows where it happened.",
                )
                _traceback(e)
                return EXIT_ERROR
            if isinstance(e, KeyboardInterrupt):
                err.print(line(("interrupted ", "bold red"), "(SIGINT)"))
                return 130
            _internal(e)
            return EXIT_INTERNAL


def main() -> None:
    """Entry point of the ``foedus`` command."""
    sys.exit(run())
