"""Generated command lines for every foedus command, for the property tests of the boundary.

The commands and their options are read from the Typer application itself, so a new command
or option is fuzzed without editing this file. Values are drawn to hit what users get wrong:
years far outside any data (negative, 100000, 99999999999), text with Rich markup and emoji
codes, empty strings, unknown names, malformed ranges and enricher specs, and output paths that
cannot be written.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass

import typer.main
from hypothesis import strategies as st

from foedus.cli import app

NASTY_TEXT = [
    "",
    " ",
    "[/]",
    "[red]x",
    "[bold]Ruritania[/bold]",
    ":smile:",
    "\\",
    "-",
    "--",
    "0",
    "-1",
    "1e309",
    "nan",
    "2015-20x6",
    "2026-2015",
    "1-99999999999",
    "99999999999",
    "Russia",
    "RUS",
    "365",
    "Korea",
    "atop,nmc:keep=",
    "nmc:keep=",
    "nmc:",
    ":x=1",
    "nmc:keep",
    "nmc:bogus=1",
    "atop:ndir=maybe",
    "cow_mids:keep=zzz",
    "cow-nmc",
    "ps-cow-ddy",
    "x.xlsx",
    "out/panel.csv",
    "/proc/x.csv",
    "/proc/reports",
    "/dev/null/x.json",
    "Ünïcødé ☃",
    "a" * 300,
]
NASTY_INTS = [
    -(2**63),
    -99999999999,
    -1,
    0,
    1,
    20,
    1815,
    1816,
    1946,
    1960,
    2018,
    2019,
    2026,
    2050,
    100000,
    99999999999,
    2**70,
]


@dataclass(frozen=True)
class Param:
    names: tuple[str, ...]  # option names; () for a positional argument
    kind: str  # "int", "float", "bool", "text"
    multiple: bool


def _kind(annotation: object) -> tuple[str, bool]:
    multiple = False
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _kind(inner[0]) if inner else ("text", False)
    if origin is list:
        multiple = True
        annotation = args[0] if args else str
    if annotation is bool:
        return "bool", multiple
    if annotation is int:
        return "int", multiple
    if annotation is float:
        return "float", multiple
    return "text", multiple


def commands() -> dict[tuple[str, ...], list[Param]]:
    """Every leaf command of the application and its parameters."""
    out: dict[tuple[str, ...], list[Param]] = {}

    def walk(cmd, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
            return
        params = []
        for p in cmd.params:
            kind, multiple = _kind(p.type_descriptor.annotation)
            opts = tuple(p.opts) + tuple(p.secondary_opts) if hasattr(p, "is_flag") else ()
            params.append(Param(opts, kind, multiple or p.nargs == -1))
        out[path] = params

    walk(typer.main.get_command(app), ())
    return out


COMMANDS = commands()


def _value(kind: str) -> st.SearchStrategy[str]:
    text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=12))
    if kind == "int":
        return st.one_of(
            st.sampled_from(NASTY_INTS).map(str),
            st.integers(-5000, 5000).map(str),
            text,
        )
    if kind == "float":
        return st.one_of(
            st.sampled_from(["0", "1", "0.5", "1.5", "-0.1", "nan", "inf", "1e309"]),
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            text,
        )
    return text


@st.composite
def command_lines(draw, only: tuple[str, ...] | None = None) -> list[str]:
    """One generated command line (without the program name)."""
    paths = sorted(p for p in COMMANDS if only is None or p[0] in only or " ".join(p) in only)
    path = draw(st.sampled_from(paths))
    argv = list(path)
    params = COMMANDS[path]
    for p in draw(st.lists(st.sampled_from(params), max_size=5)) if params else []:
        if not p.names:  # positional
            argv += draw(st.lists(_value(p.kind), min_size=1, max_size=3))
        elif p.kind == "bool":
            argv.append(draw(st.sampled_from(p.names)))
        else:
            argv += [draw(st.sampled_from(p.names)), draw(_value(p.kind))]
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:  # now and then, junk
        argv.append(draw(st.sampled_from(["--bogus", "-x", "extra", "--"])))
    return argv


def assert_clean_end(argv: list[str], code: int, out: str, err: str) -> None:
    """What every generated command line must end in: its result, or one message and a
    non-zero exit code; never a traceback or an internal error (exit 70)."""
    assert "Traceback" not in out + err, argv
    assert code in (0, 1, 2), (argv, code, err)
    if "error:" in err:
        assert code != 0, (argv, err)
    if code == 2:
        assert "error:" in err, (argv, err)
