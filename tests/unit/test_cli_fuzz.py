"""Property test: every command, driven with generated arguments and no data at all (offline,
empty cache), ends in its result or one clear message: never a traceback, never an internal
error, and a non-zero exit whenever it printed an error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from foedus.cli import run
from tests.cli_fuzz import COMMANDS, assert_clean_end, command_lines


def test_every_command_is_fuzzed():
    names = {" ".join(p) for p in COMMANDS}
    assert {
        "country",
        "panel",
        "forecast",
        "backtest",
        "foundations",
        "data clean",
        "serve",
    } <= names


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines())
def test_no_command_line_gives_a_traceback(argv, capsys, tmp_path_factory, monkeypatch):
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # relative output paths land here
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: None)  # `serve` checks, never serves
    code = run(argv, handle_signals=False)
    out, err = capsys.readouterr()
    assert_clean_end(argv, code, out, err)


@pytest.mark.parametrize(
    "argv",
    [
        ["panel", "dyad-years", "--to", "100000"],
        ["panel", "dyad-years", "--to", "99999999999"],
        ["panel", "dyad-years", "--from", "-5"],
        ["panel", "state-years", "--add", "nmc:keep="],
        ["panel", "state-years", "--add", "[red]x"],
        ["backtest", "--from", "2017", "--to", "2050"],
        ["forecast", "--year", "99999999999"],
        ["forecast", "[/]", "China", "--year", "2021"],
        ["country", "--year", "99999999999", "Russia"],
        ["foundations", "Russia", "China", "--year", "100000"],
    ],
)
def test_the_reported_cases_fail_cleanly_without_data(argv, capsys):
    code = run(argv, handle_signals=False)
    _, err = capsys.readouterr()
    assert code == 2 and "error:" in err and "Traceback" not in err, err
